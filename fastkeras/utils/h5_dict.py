"""Keras 2.2-2.3's ``H5Dict`` and its binary-stream helpers (``keras.utils.io_utils``).

``H5Dict`` gives one dict-like interface over an HDF5 file (a path, a ``pathlib.Path`` or an open h5py group)
or over a plain ``dict`` held in memory: strings and lists of bytes are kept as attributes, arrays as datasets,
and reading a missing key in a writable H5Dict opens a new group (``f['group1']['x'] = ...``), as Keras 2 code
that wrote model files through it expects.
"""
import io
import os

import numpy as np


def _h5py():
    from fastkeras.saving.h5_checks import h5py_module
    return h5py_module()


class H5Dict:
    """A dict-like view of an HDF5 group, or of a nested ``dict``."""

    def __init__(self, path, mode="a"):
        h5py = _h5py()
        if isinstance(path, dict):
            self.data, self._is_file = path, False
        elif isinstance(path, h5py.Group):
            self.data, self._is_file = path, False
        elif isinstance(path, (str, bytes, os.PathLike)):
            self.data, self._is_file = h5py.File(os.fspath(path), mode), True
        else:
            raise TypeError(f"H5Dict takes a file path, an h5py.Group or a dict; received {type(path).__name__}.")
        self.read_only = mode == "r"
        self._in_memory = isinstance(self.data, dict)

    @staticmethod
    def is_supported_type(path):
        h5py = _h5py()
        return isinstance(path, (str, bytes, os.PathLike, dict, h5py.Group))

    def _check_writable(self, key):
        if self.read_only:
            raise ValueError(f"H5Dict is read-only: cannot set or create {key!r}.")

    def __setitem__(self, key, value):
        self._check_writable(key)
        if self._in_memory:
            self.data[key] = value
            return
        if key in self.data.attrs or key in self.data:
            raise KeyError(f"H5Dict: {key!r} is already set; each key is written once.")
        if isinstance(value, np.ndarray):
            self.data.create_dataset(key, data=value)
        elif isinstance(value, (list, tuple)) and all(isinstance(v, bytes) for v in value):
            self.data.attrs[key] = np.array(value, dtype=bytes)
        else:
            self.data.attrs[key] = value

    def __getitem__(self, key):
        if self._in_memory:
            if key not in self.data:
                self._check_writable(key)
                self.data[key] = {}
            value = self.data[key]
            return H5Dict(value, "r" if self.read_only else "a") if isinstance(value, dict) else value
        h5py = _h5py()
        if key in self.data.attrs:
            value = self.data.attrs[key]
            if isinstance(value, np.ndarray) and value.dtype.kind == "S":
                return value.tolist()  # a list of bytes, as it was written
            return value.decode("utf8") if isinstance(value, bytes) else value
        if key in self.data:
            value = self.data[key]
            if isinstance(value, h5py.Dataset):
                return np.asarray(value)
            return H5Dict(value, "r" if self.read_only else "a")
        self._check_writable(key)
        return H5Dict(self.data.create_group(key), "a")

    def __contains__(self, key):
        return key in self.data or (not self._in_memory and key in self.data.attrs)

    def __len__(self):
        return len(self.data) if self._in_memory else len(self.data) + len(self.data.attrs)

    def __iter__(self):
        return iter(self.data) if self._in_memory else iter(list(self.data.attrs) + list(self.data))

    def keys(self):
        return list(iter(self))

    def get(self, key, default=None):
        return self[key] if key in self else default

    def flush(self):
        if not self._in_memory:
            self.data.file.flush()

    def close(self):
        if self._is_file and self.data.id.valid:
            self.data.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False


def save_to_binary_h5py(save_function, stream):
    """Calls ``save_function(h5py_file)`` on an HDF5 file built in memory, then writes the file to the binary
    ``stream``."""
    from fastkeras.saving import file_objects
    file_objects.write_all(stream, file_objects.hdf5_bytes(save_function))


def load_from_binary_h5py(load_function, stream):
    """Reads the HDF5 file held by the binary ``stream`` and returns ``load_function(h5py_file)`` (the file
    opened read-only, in memory)."""
    from fastkeras.saving import file_objects
    with _h5py().File(io.BytesIO(file_objects.read_all(stream)), "r") as f:
        return load_function(f)
