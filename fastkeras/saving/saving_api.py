"""``save_model`` / ``load_model``: the format chosen from the file name when saving, from the file's
content when loading (``.keras`` zip archive or Keras 2 HDF5), and ``safe_mode`` taken from the caller only."""
import os
import warnings

from fastkeras.saving import file_objects, h5_checks, keras_archive, legacy_h5, remote
from fastkeras.saving.errors import FileFormatError, in_file
from fastkeras.saving.safety import safe_mode_scope

_H5_SUFFIXES = (".h5", ".hdf5", ".keras2")


def _save_format(filepath, save_format):
    if save_format is not None:
        fmt = str(save_format).lower().strip()
        if fmt in ("h5", "hdf5"):
            return "h5"
        if fmt == "keras":
            return "keras"
        if fmt in ("tf", "tensorflow"):
            raise ValueError(f"save_format={save_format!r}: TensorFlow SavedModel is not supported by fastkeras; save "
                             f"{filepath!r} as '.keras' or '.h5'.")
        raise ValueError(f"Unknown save_format {save_format!r}; expected 'keras' or 'h5'.")
    if filepath.endswith(".keras"):
        return "keras"
    if filepath.endswith(_H5_SUFFIXES):
        return "h5"
    # tf-keras would write a TensorFlow SavedModel directory here, which needs TensorFlow; Keras 2.2 wrote HDF5
    # whatever the name, and tf-keras' load_model reads such a file back (it looks at the content, not the name).
    warnings.warn(f"Saving {filepath!r} as a single HDF5 file, Keras 2's format: TensorFlow SavedModel directories "
                  "are not available in fastkeras. Name the file '.h5' or '.keras' to choose the format "
                  "explicitly.", UserWarning, stacklevel=4)
    return "h5"


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
    """Saves architecture, weights and (with ``include_optimizer``) the compile arguments and optimizer state.

    The file is written atomically: a crash or error during the save leaves any previous file intact.
    ``signatures``, ``options`` and ``save_traces`` (TensorFlow-only) are accepted and ignored.
    """
    for key in ("signatures", "options", "save_traces"):
        kwargs.pop(key, None)
    if kwargs:
        raise TypeError(f"save_model() got unexpected keyword arguments {sorted(kwargs)}.")
    if file_objects.is_h5py_group(filepath):  # an open h5py.File (as tf-keras takes) or group (Keras 2)
        if save_format is not None and _save_format("x.h5", save_format) != "h5":
            raise ValueError(f"save_format={save_format!r} cannot be written into an h5py.File; use 'h5'.")
        legacy_h5.save_to_file(model, filepath, include_optimizer=include_optimizer)
        return
    if file_objects.is_binary_writer(filepath):
        # A binary file object: Keras 2 wrote the HDF5 file into it; save_format='keras' writes the archive.
        fmt = "h5" if save_format is None else _save_format("x.h5", save_format)
        data = legacy_h5.save_to_bytes(model, include_optimizer) if fmt == "h5" else \
            keras_archive.archive_bytes(model, include_optimizer)
        file_objects.write_all(filepath, data)
        return
    if not isinstance(filepath, (str, bytes, os.PathLike)):
        raise TypeError(f"save_model: filepath should be a path, an open h5py.File or group, or a binary file object; "
                        f"received {type(filepath).__name__} {filepath!r}.")
    filepath = os.fspath(filepath)
    fmt = _save_format(filepath, save_format)
    if remote.is_remote(filepath):  # gs://, s3://...: the whole file built here, then written in one piece
        data = keras_archive.archive_bytes(model, include_optimizer) if fmt == "keras" else \
            legacy_h5.save_to_bytes(model, include_optimizer)
        remote.write_bytes(filepath, data, overwrite)
        return
    if fmt == "keras":
        keras_archive.save(model, filepath, overwrite=overwrite, include_optimizer=include_optimizer)
    else:
        legacy_h5.save(model, filepath, overwrite=overwrite, include_optimizer=include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True, **kwargs):
    """Loads a model saved by ``save_model`` (fastkeras), tf-keras or Keras 3, from ``.keras`` or ``.h5``.

    Args:
        custom_objects: ``{'name': class_or_function}`` for custom layers, losses, metrics... named in the
            file; nothing else named in a file is ever resolved or imported.
        compile: recompile with the saved compile arguments and restore the optimizer state.
        safe_mode: keep True for files you did not write yourself. ``False`` allows rebuilding Lambda layers
            from the Python bytecode stored in the file, which runs code from the file. Nothing in a file can
            change this setting.
    """
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"load_model() got unexpected keyword arguments {sorted(kwargs)}.")
    if not isinstance(safe_mode, bool):
        raise TypeError(f"safe_mode must be True or False, received {safe_mode!r}.")
    if file_objects.is_h5py_group(filepath):
        with safe_mode_scope(safe_mode):
            return legacy_h5.load_from_file(filepath, custom_objects=custom_objects, compile=compile)
    if file_objects.is_binary_reader(filepath):
        with safe_mode_scope(safe_mode):
            return _load_from_bytes(file_objects.read_all(filepath), file_objects.label(filepath), custom_objects,
                                    compile)
    if not isinstance(filepath, (str, bytes, os.PathLike)):
        raise TypeError(f"load_model: filepath should be a path, an open h5py.File or group, or a binary file "
                        f"object; received {type(filepath).__name__} {filepath!r}.")
    filepath = os.fspath(filepath)
    if remote.is_remote(filepath):
        data = remote.read_bytes(filepath)
        with safe_mode_scope(safe_mode):
            return _load_from_bytes(data, filepath, custom_objects, compile)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No file or directory found at {filepath!r}.")
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"{filepath!r} is a directory: TensorFlow SavedModel directories are not supported; "
                                "load a '.keras' or '.h5' file.")
    with open(filepath, "rb") as f:
        head = f.read(8)
    with safe_mode_scope(safe_mode):
        if head.startswith(b"PK"):
            return keras_archive.load(filepath, custom_objects=custom_objects, compile=compile)
        if head == h5_checks.HDF5_SIGNATURE:
            return legacy_h5.load(filepath, custom_objects=custom_objects, compile=compile)
    raise in_file(FileFormatError, filepath, "neither a .keras (zip) archive nor an HDF5 file, so it holds no Keras "
                  "model (empty or truncated?).")


def _load_from_bytes(data, label, custom_objects, compile):
    """A model from the bytes of a whole file read from a file object, either format."""
    if data.startswith(h5_checks.HDF5_SIGNATURE):
        return legacy_h5.load_from_bytes(data, label, custom_objects=custom_objects, compile=compile)
    if data.startswith(b"PK"):
        with file_objects.temporary_copy(data, "model.keras") as path:
            return keras_archive.load(path, custom_objects=custom_objects, compile=compile, label=label)
    raise in_file(FileFormatError, label, "neither a .keras (zip) archive nor an HDF5 file, so it holds no Keras "
                  "model.")
