"""Saving to and loading from objects rather than paths, as Keras 2 allowed.

- An open ``h5py.File`` or ``h5py.Group``: the model (or its weights) is written into it in Keras 2's HDF5 layout,
  and read back from it.
- A binary file object (``io.BytesIO``, ``open(path, 'wb')``, a socket's file): ``save_model`` writes the whole
  HDF5 file into it (or a ``.keras`` archive with ``save_format='keras'``); ``load_model`` reads the object to its
  end and recognises either format by its first bytes. The file is built in memory first, so the object
  receives one complete file or nothing.

Everything read from an object goes through the same checks as a file on disk.
"""
import contextlib
import io
import os
import tempfile

from fastkeras.saving import h5_checks
from fastkeras.saving.errors import FileFormatError, in_file


def is_h5py_group(x):
    """An open ``h5py.File`` or a group inside one (h5py imported only when ``x`` comes from it)."""
    return type(x).__module__.startswith("h5py") and isinstance(x, h5_checks.h5py_module().Group)


def _is_path(x):
    return isinstance(x, (str, bytes, os.PathLike))


def is_binary_writer(x):
    return not _is_path(x) and not is_h5py_group(x) and callable(getattr(x, "write", None))


def is_binary_reader(x):
    return not _is_path(x) and not is_h5py_group(x) and callable(getattr(x, "read", None))


def label(obj):
    """How messages name the object: the file's name where it has one."""
    if is_h5py_group(obj):
        where = f"group {obj.name!r} of " if obj.name != "/" else ""
        return f"<h5py {where}file {obj.file.filename!r}>"
    name = getattr(obj, "name", None)
    return f"<file object {name!r}>" if isinstance(name, str) else f"<{type(obj).__name__} file object>"


def hdf5_bytes(write):
    """The bytes of an HDF5 file built in memory by ``write(h5py_file)``."""
    h5py = h5_checks.h5py_module()
    with h5py.File("in-memory.h5", "w", driver="core", backing_store=False) as f:
        write(f)
        f.flush()
        return f.id.get_file_image()


def write_all(stream, data):
    """Writes ``data`` to a binary file object, in one piece."""
    try:
        stream.write(data)
    except TypeError as e:
        raise TypeError(f"Cannot save to {label(stream)}: it should be opened in binary mode ('wb'); writing bytes "
                        f"to it failed: {e}") from None
    flush = getattr(stream, "flush", None)
    if callable(flush):
        flush()


def read_all(stream):
    """The bytes a binary file object holds from its current position to its end."""
    data = stream.read()
    if isinstance(data, str):
        raise TypeError(f"Cannot load from {label(stream)}: it is opened in text mode; open it in binary mode "
                        "('rb').")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"Cannot load from {label(stream)}: its read() returned {type(data).__name__}, not bytes.")
    data = bytes(data)
    if not data:
        raise in_file(FileFormatError, label(stream), "the file object is empty (already read to its end?).")
    return data


def open_hdf5_bytes(data, name):
    """An ``h5py.File`` over ``data`` (checked as a file on disk is), read-only."""
    return h5_checks.open_checked(io.BytesIO(data), name)


@contextlib.contextmanager
def temporary_copy(data, name):
    """A private temporary file holding ``data`` (for readers that work on a file, such as the ``.keras``
    archive's, which reopens it for assets); removed after the block."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            f.write(data)
        yield path
