"""Keras 2.2/2.3's ``keras.utils.test_utils``: ``layer_test``, ``get_test_data`` with that era's signature, and
``keras_test`` and ``tf_file_io_proxy``, so tests written against standalone Keras 2 run on fastkeras."""
import functools
import io
import os

import numpy as np

from fastkeras.testing_infra import test_utils as _testing_infra


def layer_test(layer_cls, kwargs=None, input_shape=None, input_dtype=None, input_data=None, expected_output=None,
               expected_output_dtype=None, fixed_batch_size=False, **options):
    """Keras 2's ``layer_test``: ``testing_infra.test_utils.layer_test`` with Keras 2's default input dtype,
    ``K.floatx()`` rather than float32, so a test run under ``K.set_floatx('float64')`` builds float64 inputs and
    expects float64 outputs. Further tf-keras options (``expected_output_shape``, ``custom_objects`` ...) pass
    through."""
    if input_data is None and not input_dtype:
        from fastkeras import backend as K
        input_dtype = K.floatx()
    return _testing_infra.layer_test(layer_cls, kwargs=kwargs, input_shape=input_shape, input_dtype=input_dtype,
                                     input_data=input_data, expected_output=expected_output,
                                     expected_output_dtype=expected_output_dtype,
                                     fixed_batch_size=fixed_batch_size, **options)


def get_test_data(num_train=1000, num_test=500, input_shape=(10,), output_shape=(2,), classification=True,
                  num_classes=2):
    """``(x_train, y_train), (x_test, y_test)``. Classification: integer labels in ``[0, num_classes)`` and
    samples drawn around their label; otherwise float targets of ``output_shape`` near each sample's centre."""
    count = num_train + num_test
    input_shape, output_shape = tuple(input_shape), tuple(output_shape)
    if classification:
        y = np.random.randint(0, num_classes, size=(count,))
        centres = y
    else:
        centres = np.random.random((count,))
        y = np.random.normal(loc=centres.reshape((count,) + (1,) * len(output_shape)), scale=0.7,
                             size=(count,) + output_shape)
    x = np.random.normal(loc=centres.reshape((count,) + (1,) * len(input_shape)), scale=0.7,
                         size=(count,) + input_shape)
    return (x[:num_train], y[:num_train]), (x[num_train:], y[num_train:])


def keras_test(func):
    """Decorator: run the test, then clear the session (layer-name counters and cached state)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from fastkeras import backend as K
        try:
            return func(*args, **kwargs)
        finally:
            K.clear_session()
    return wrapper


class _InMemoryFile(io.BytesIO):
    """A remote file of the in-memory bucket: its content is stored when it is closed after writing."""

    def __init__(self, store, name, data=b""):
        super().__init__(data)
        self._store, self._name = store, name

    def close(self):
        if not self.closed and self._store is not None:
            self._store[self._name] = self.getvalue()
        super().close()


class tf_file_io_proxy:  # noqa: N801 - Keras 2's name for it
    """Keras 2's helper for testing saving to Google Cloud Storage, usable as a context manager.

    Without a bucket (``bucket_name`` or the ``GCS_TEST_BUCKET`` environment variable), it replaces the file
    system object at ``file_io_module`` (``'keras.engine.saving.tf_file_io'``, where saving looks it up) by an
    in-memory bucket ``gs://mock-bucket`` for the duration. With a bucket, nothing is replaced and the files go to
    that real bucket (fsspec with gcsfs installed).

    ``get_filepath(filename)`` gives the URL of a file in the bucket, ``assert_exists``/``file_exists`` and
    ``delete_file`` inspect and clean it.
    """

    _prefix = "gs://"

    def __init__(self, file_io_module=None, bucket_name=None):
        bucket_name = bucket_name or os.environ.get("GCS_TEST_BUCKET")
        self.mock_gcs = bucket_name is None
        if self.mock_gcs and file_io_module is None:
            raise ValueError("tf_file_io_proxy: give `file_io_module` (the object to replace, such as "
                             "'keras.engine.saving.tf_file_io') or a real `bucket_name`.")
        self.bucket_name = "mock-bucket" if self.mock_gcs else bucket_name[len(self._prefix):] \
            if bucket_name.startswith(self._prefix) else bucket_name
        self.file_io_module = file_io_module
        self.local_objects = {}
        self._patch = None
        self._real = None

    @property
    def bucket_path(self):
        return self._prefix + self.bucket_name

    def get_filepath(self, filename):
        return f"{self.bucket_path}/{filename}"

    def _check_started(self):
        if self._patch is None and self._real is None:
            raise RuntimeError("tf_file_io_proxy is not started (use it in a `with` block or call start()).")

    def FileIO(self, name, mode):  # noqa: N802 - TensorFlow's name, which saving calls
        self._check_started()
        if self._real is not None:
            return self._real.FileIO(name, mode)
        if not name.startswith(self._prefix):
            return open(name, mode)
        if mode == "rb":
            if name not in self.local_objects:
                raise FileNotFoundError(f"{name} does not exist")
            return _InMemoryFile(None, name, self.local_objects[name])
        if mode == "wb":
            return _InMemoryFile(self.local_objects, name)
        raise ValueError(f"tf_file_io_proxy opens files in 'rb' or 'wb' mode, not {mode!r}.")

    def file_exists(self, filename):
        self._check_started()
        if self._real is not None:
            return self._real.file_exists(filename)
        if filename.startswith(self._prefix):
            return filename in self.local_objects
        return os.path.exists(filename)

    def delete_file(self, filename):
        self._check_started()
        if self._real is not None:
            self._real.delete_file(filename)
        elif filename.startswith(self._prefix):
            del self.local_objects[filename]
        else:
            os.remove(filename)

    def assert_exists(self, filepath):
        if not self.file_exists(filepath):
            raise AssertionError(f"{filepath} does not exist")

    def start(self):
        if self._patch is not None or self._real is not None:
            raise RuntimeError("tf_file_io_proxy is already started.")
        if self.mock_gcs:
            from unittest import mock
            self._patch = mock.patch(self.file_io_module, new=self)
            self._patch.start()
        else:
            from fastkeras.saving.remote import RemoteFiles
            self._real = RemoteFiles()

    def stop(self):
        self._check_started()
        if self._patch is not None:
            self._patch.stop()
        self._patch = self._real = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()
        return False
