"""Models and weights saved to and loaded from URLs (``gs://bucket/model.h5``, ``s3://...``, ``memory://...``).

Keras 2 saved to Google Cloud Storage through TensorFlow's ``file_io`` and Keras 3 through ``tf.io.gfile``;
fastkeras goes through fsspec (installed with torch), so any file system fsspec has a backend for works: ``gs://``
with gcsfs installed, ``s3://`` with s3fs, and so on. A file is built in memory and written in one piece; loading
reads the whole file and checks it as a file on disk is checked.

Keras 2 kept the file-system object in ``keras.engine.saving.tf_file_io`` (``FileIO(name, mode)``,
``file_exists``, ``delete_file``), and its tests replace it there with an in-memory bucket
(``keras.utils.test_utils.tf_file_io_proxy``). fastkeras looks it up in the same place, so the same
replacement works.
"""
import re

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+://")


def is_remote(filepath):
    """A URL naming a file on another file system (not ``file://`` and not a local path)."""
    return isinstance(filepath, str) and bool(_URL.match(filepath)) and not filepath.startswith("file://")


class RemoteFiles:
    """The file-system operations saving needs, over fsspec, under the names of TensorFlow's ``file_io``."""

    @staticmethod
    def _fsspec(url):
        try:
            import fsspec
        except ImportError:  # torch depends on fsspec, so this is rare
            raise ImportError(f"Saving to or loading from {url!r} needs fsspec: `pip install fsspec`.") from None
        return fsspec

    def _filesystem(self, url):
        fsspec = self._fsspec(url)
        try:
            return fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as e:
            raise ImportError(f"Cannot reach {url!r}: fsspec has no usable backend for it ({e}). For gs:// install "
                              "gcsfs, for s3:// s3fs.") from None

    def FileIO(self, name, mode):  # noqa: N802 - TensorFlow's name, which Keras 2 code calls
        if mode not in ("rb", "wb"):
            raise ValueError(f"Remote files open in 'rb' or 'wb' mode only; received {mode!r} for {name!r}.")
        self._filesystem(name)  # a clear error for a missing backend
        return self._fsspec(name).open(name, mode)

    def file_exists(self, name):
        fs, path = self._filesystem(name)
        return fs.exists(path)

    def delete_file(self, name):
        fs, path = self._filesystem(name)
        fs.rm(path)


def _file_io():
    # Looked up on every call, where Keras 2 kept it, so a replacement put there (tests, a custom store) is used.
    from fastkeras.engine import saving as keras2_saving
    return keras2_saving.tf_file_io


def read_bytes(url):
    """The whole file at ``url``."""
    file_io = _file_io()
    if not file_io.file_exists(url):
        raise FileNotFoundError(f"No file found at {url!r}.")
    with file_io.FileIO(url, "rb") as f:
        data = f.read()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"Reading {url!r} returned {type(data).__name__}, not bytes.")
    return bytes(data)


def write_bytes(url, data, overwrite=True):
    """Writes ``data`` as the file at ``url``; with ``overwrite=False`` an existing file is replaced only if the
    user agrees (Keras' question). Returns False when the user declined."""
    file_io = _file_io()
    if not overwrite and file_io.file_exists(url):
        from fastkeras.engine import saving as keras2_saving
        if not keras2_saving.ask_to_proceed_with_overwrite(url):
            return False
    with file_io.FileIO(url, "wb") as f:
        f.write(data)
    return True


def exists(url):
    return bool(_file_io().file_exists(url))


def delete(url):
    _file_io().delete_file(url)


def join(url, name):
    """``url/name``: URLs always use '/' (os.path.join would use the platform's separator)."""
    return url.rstrip("/") + "/" + name
