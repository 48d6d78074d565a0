"""Reading the dataset files Keras downloads without letting a file run code.

Two of Keras' formats are pickles: the CIFAR batches (a Python 2 ``cPickle``
of a dict holding a uint8 numpy array and lists) and the object arrays inside
``imdb.npz`` / ``reuters.npz`` (numpy stores an array of Python lists as a
pickle after the ``.npy`` header). Keras reads them with ``pickle.load`` and
``np.load(allow_pickle=True)``, and a pickle can call any importable function
while it loads, so a tampered file in the cache could run arbitrary code.

We unpickle them with :class:`RestrictedUnpickler`, which resolves only the few
globals these files need to rebuild numpy arrays (``ndarray``, ``dtype``,
numpy's ``_reconstruct`` and ``scalar`` helpers, and ``_codecs.encode`` limited
to latin-1, which Python 3's protocol 2 uses for bytes). Containers, strings
and numbers are pickle opcodes and need no globals. Anything else, such as
``os.system`` or ``builtins.eval``, is refused with an error naming the file.
Numeric ``.npy`` arrays are read with ``allow_pickle=False``.
"""
import io
import pickle
import zipfile

import numpy as np



class UnsafePickleError(pickle.UnpicklingError):
    """A dataset pickle asked for a global outside the allowed numpy-rebuilding set."""


def _numpy_core():
    return getattr(np, "_core", None) or np.core


def _latin1_encode(text, encoding="latin1", errors="strict"):
    if encoding not in ("latin1", "latin-1"):
        raise UnsafePickleError(f"_codecs.encode with encoding {encoding!r} is not allowed (only latin1).")
    return text.encode("latin1", errors)


def _allowed_globals():
    multiarray = _numpy_core().multiarray
    allowed = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): _latin1_encode,
    }
    # Python 2 era files name numpy.core; numpy 2 writes numpy._core. Both mean the same helpers.
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(module, "_reconstruct")] = multiarray._reconstruct
        allowed[(module, "scalar")] = multiarray.scalar
    return allowed


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that resolves only the globals needed to rebuild numpy arrays of plain data."""

    def __init__(self, file, source, **kwargs):
        super().__init__(file, **kwargs)
        self._source = source
        self._allowed = _allowed_globals()

    def find_class(self, module, name):
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"Refusing to load {self._source}: its pickle asks for {module}.{name}, which a dataset file never "
                "needs (only numpy arrays, lists, dicts, strings and numbers are allowed). The file may have been "
                "tampered with; delete it and download it again.") from None

    def persistent_load(self, pid):
        raise UnsafePickleError(f"Refusing to load {self._source}: it uses pickle persistent ids.")


def load_pickle(path, encoding="bytes"):
    """A pickle file's content, restricted as described above (``encoding`` as in ``pickle.load``)."""
    with open(path, "rb") as f:
        try:
            return RestrictedUnpickler(f, str(path), encoding=encoding).load()
        except UnsafePickleError:
            raise
        except Exception as e:
            raise ValueError(f"{path} is not a readable pickle file ({type(e).__name__}: {e}).") from e


def _read_npy(data, source):
    buf = io.BytesIO(data)
    version = np.lib.format.read_magic(buf)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(buf)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(buf)
    else:
        buf.seek(0)
        return np.lib.format.read_array(buf, allow_pickle=False)
    if not dtype.hasobject:
        buf.seek(0)
        return np.lib.format.read_array(buf, allow_pickle=False)
    # An object array: numpy wrote ``pickle.dump(array)`` right after the header. latin1 is what numpy
    # recommends for Python 2 pickles (it keeps any byte strings intact).
    try:
        array = RestrictedUnpickler(buf, source, encoding="latin1").load()
    except UnsafePickleError:
        raise
    except Exception as e:
        raise ValueError(f"{source} holds an object array that could not be read ({type(e).__name__}: {e}).") \
            from e
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"{source}: the object array's pickle does not hold an array of the shape {tuple(shape)} "
                         "its header declares.")
    return array


def load_npz(path):
    """``{name: array}`` for every array of a ``.npz`` file; object arrays go through the restricted unpickler."""
    arrays = {}
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        raise ValueError(f"{path} is not a valid .npz file (not a zip archive: {e}). Delete it so that it is "
                         "downloaded again.") from e
    with archive:
        for member in archive.namelist():
            key = member[:-len(".npy")] if member.endswith(".npy") else member
            arrays[key] = _read_npy(archive.read(member), f"{path} (array {key!r})")
    return arrays


def require_keys(arrays, keys, path):
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f"{path} lacks the arrays {missing}: expected {list(keys)}, found {sorted(arrays)}.")
    return [arrays[k] for k in keys]
