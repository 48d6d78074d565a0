"""Opening an HDF5 file for loading: every object is checked before anything is read.

Keras files hold only groups, numeric datasets and small attributes, so
anything else is refused up front: external links (which open other files),
soft links (which can point anywhere in the file or nowhere, and make cycles),
datasets whose raw data lives in external files or virtual mappings,
non-numeric datasets, arrays larger than the data the file stores for them
(declared shapes are checked before a byte is allocated), over-deep or
over-large hierarchies. h5py errors on corrupt or truncated files become
``FileFormatError`` naming the file.
"""
import contextlib
import os

import numpy as np

from fastkeras.saving.errors import FileFormatError, SavingError, UnsafeFileError, in_file
from fastkeras.saving.safety import LIMITS

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# Small arrays may legitimately have no storage yet (written lazily); bigger ones must be backed by data.
_UNBACKED_BYTES_OK = 64 * 1024


def h5py_module():
    try:
        import h5py
    except ImportError:
        raise ImportError("Reading and writing HDF5 files requires h5py: `pip install h5py`.") from None
    return h5py


def is_hdf5(source):
    """True when the file (path or binary file object) starts with the HDF5 signature."""
    if hasattr(source, "read"):
        position = source.tell()
        head = source.read(8)
        source.seek(position)
        return head == HDF5_SIGNATURE
    try:
        with open(source, "rb") as f:
            return f.read(8) == HDF5_SIGNATURE
    except OSError:
        return False


def _check_attributes(obj, label, where):
    for name in obj.attrs:
        try:
            size = obj.attrs.get_id(name).get_storage_size()
        except RuntimeError:  # HDF5 reports an empty attribute's size as an error
            size = 0
        if size > LIMITS["max_config_bytes"]:
            raise in_file(UnsafeFileError, label, f"the attribute {name!r} of {where} holds {size} bytes, more than "
                          f"the limit of {LIMITS['max_config_bytes']}; refused.")


def _check_dataset(ds, label):
    where = f"dataset {ds.name!r}"
    if ds.is_virtual:
        raise in_file(UnsafeFileError, label, f"{where} is a virtual dataset (it maps data from other files); refused.")
    if ds.external:
        raise in_file(UnsafeFileError, label, f"{where} stores its data in external file(s) "
                      f"{[e[0] for e in ds.external]}; refused.")
    if ds.dtype.kind not in "biuf":
        raise in_file(FileFormatError, label, f"{where} has dtype {ds.dtype}, but weights are numeric arrays "
                      "(float, int or bool); refused.")
    shape = ds.shape
    if shape is None:
        raise in_file(FileFormatError, label, f"{where} has no shape (an empty dataspace).")
    nbytes = int(np.prod(shape, dtype=object)) * ds.dtype.itemsize
    if nbytes > LIMITS["max_array_bytes"]:
        raise in_file(UnsafeFileError, label, f"{where} declares shape {shape} ({nbytes} bytes), more than the limit "
                      f"of {LIMITS['max_array_bytes']}; refused before allocating.")
    stored = ds.id.get_storage_size()
    if nbytes > _UNBACKED_BYTES_OK and nbytes > LIMITS["max_compression_ratio"] * max(stored, 1):
        raise in_file(UnsafeFileError, label, f"{where} declares shape {shape} ({nbytes} bytes) but stores only "
                      f"{stored} bytes; refused before allocating.")


def check_tree(f, label):
    """Walks every link of an open file (iteratively), refusing what Keras files never contain."""
    h5py = h5py_module()
    seen = set()
    stack = [(f, 0)]
    count = 0
    _check_attributes(f, label, "the file root")
    while stack:
        group, depth = stack.pop()
        if depth > LIMITS["max_h5_depth"]:
            raise in_file(UnsafeFileError, label, f"groups nest more than {LIMITS['max_h5_depth']} levels deep "
                          f"(at {group.name!r}); refused.")
        for name in group:
            path = f"{group.name.rstrip('/')}/{name}"
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                raise in_file(UnsafeFileError, label, f"{path!r} is an external link to {link.filename!r}:"
                              f"{link.path!r}; a model file may not open other files. Refused.")
            if isinstance(link, h5py.SoftLink):
                raise in_file(UnsafeFileError, label, f"{path!r} is a soft link to {link.path!r}; Keras files hold no "
                              "links, and links can point outside the weights or form cycles. Refused.")
            if not isinstance(link, h5py.HardLink):
                raise in_file(UnsafeFileError, label, f"{path!r} is a link of unknown kind; refused.")
            count += 1
            if count > LIMITS["max_h5_objects"]:
                raise in_file(UnsafeFileError, label, f"the file holds more than {LIMITS['max_h5_objects']} objects; "
                              "refused.")
            obj = group[name]
            key = hash(obj.id)
            if key in seen:
                raise in_file(UnsafeFileError, label, f"{path!r} links an object a second time (Keras files are "
                              "trees); refused.")
            seen.add(key)
            _check_attributes(obj, label, repr(path))
            if isinstance(obj, h5py.Dataset):
                _check_dataset(obj, label)
            elif isinstance(obj, h5py.Group):
                stack.append((obj, depth + 1))
            else:
                raise in_file(UnsafeFileError, label, f"{path!r} is neither a group nor a dataset; refused.")


def open_checked(source, label=None):
    """An ``h5py.File`` opened read-only from a path or binary file object, its whole tree checked."""
    h5py = h5py_module()
    label = label or (os.fspath(source) if not hasattr(source, "read") else "<file object>")
    if not hasattr(source, "read"):
        if not os.path.exists(source):
            raise FileNotFoundError(f"No file found at {label!r}.")
        if os.path.isdir(source):
            raise IsADirectoryError(f"{label!r} is a directory, not an HDF5 file (TensorFlow SavedModel directories "
                                    "are not supported).")
    if not is_hdf5(source):
        raise in_file(FileFormatError, label, "not an HDF5 file (no HDF5 signature at its start).")
    try:
        f = h5py.File(source, "r")
    except (OSError, ValueError, RuntimeError) as e:
        raise in_file(FileFormatError, label, f"cannot read the HDF5 file (corrupt or truncated?): {e}") from None
    try:
        check_tree(f, label)
    except (UnsafeFileError, FileFormatError):
        f.close()
        raise
    except (OSError, KeyError, ValueError, RuntimeError, TypeError) as e:
        f.close()
        raise in_file(FileFormatError, label, f"cannot read the HDF5 file (corrupt or truncated?): {e}") from None
    return f


def check_open_file(f, label):
    """``check_tree`` on a file the caller opened (an ``h5py.File`` given to ``load_model``), h5py's errors
    turned into ``FileFormatError``."""
    try:
        check_tree(f, label)
    except (UnsafeFileError, FileFormatError):
        raise
    except (OSError, KeyError, ValueError, RuntimeError, TypeError) as e:
        raise in_file(FileFormatError, label, f"cannot read the HDF5 file (corrupt or truncated?): {e}") from None


@contextlib.contextmanager
def reading(label):
    """Turns h5py's errors while reading a checked file into ``FileFormatError`` naming the file."""
    try:
        yield
    except SavingError:
        raise
    except (OSError, KeyError, ValueError, RuntimeError, TypeError, IndexError, AttributeError) as e:
        raise in_file(FileFormatError, label, f"cannot read the HDF5 file (corrupt or truncated?): "
                      f"{type(e).__name__}: {e}") from None


def read_array(ds, label):
    """A dataset's values as a numpy array (its dtype and size were checked when the file was opened)."""
    with reading(label):
        return np.array(ds[()] if ds.shape == () else ds[...], copy=True)


def read_text_attribute(obj, name, label):
    """A string attribute (``model_config``...), or None."""
    if name not in obj.attrs:
        return None
    with reading(label):
        value = obj.attrs[name]
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise in_file(FileFormatError, label, f"the attribute {name!r} should be a string, got an array of "
                          f"shape {value.shape}.")
        value = value.item()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise in_file(FileFormatError, label, f"the attribute {name!r} is not UTF-8 text.") from None
    if not isinstance(value, str):
        raise in_file(FileFormatError, label, f"the attribute {name!r} should be a string, got "
                      f"{type(value).__name__}.")
    return value


def stored_elements(group):
    """The number of array elements under ``group`` (a checked file): what a config built from the file
    may allocate, since every weight is then filled from it."""
    h5py = h5py_module()
    total = 0
    stack = [group]
    while stack:
        g = stack.pop()
        for name in g:
            obj = g[name]
            if isinstance(obj, h5py.Dataset):
                total += int(np.prod(obj.shape, dtype=object))
            else:
                stack.append(obj)
    return total
