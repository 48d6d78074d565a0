"""Keras 3's ``keras.saving.save_weights`` / ``load_weights``: the model's ``save_weights`` / ``load_weights``
behind Keras 3's rules on file names and keywords."""
import os

# What Keras 3's load_weights reads: its own weights files and archives, and Keras 2's HDF5 weights.
_READABLE_SUFFIXES = (".weights.h5", ".keras", ".h5", ".hdf5")


def save_weights(model, filepath, overwrite=True, max_shard_size=None, **kwargs):
    """Writes the weights of ``model`` to ``filepath``, which must end in ``.weights.h5`` (Keras 3's layout,
    atomically). ``max_shard_size`` (Keras 3's sharded ``.weights.json``) is not supported."""
    if kwargs:
        raise TypeError(f"save_weights() got unexpected keyword argument(s): {', '.join(sorted(kwargs))}.")
    path = os.fspath(filepath)
    if max_shard_size is not None:
        raise NotImplementedError(f"save_weights(max_shard_size={max_shard_size!r}): fastkeras does not write "
                                  "sharded weights; leave max_shard_size out to write one '.weights.h5' file.")
    if not path.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={path}")
    _require_model(model, "save_weights")
    model.save_weights(path, overwrite=overwrite)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads weights into ``model`` from a ``.weights.h5`` file, a ``.keras`` archive or a Keras 2 ``.h5``
    weights file (which also takes ``by_name=True``, as Keras 3 passes it on)."""
    path = os.fspath(filepath)
    by_name = kwargs.pop("by_name", False)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if not path.endswith(_READABLE_SUFFIXES):
        raise ValueError(f"File format not supported: filepath={path}. Expected a `.weights.h5` file, a `.keras` "
                         "archive or a Keras 2 `.h5` weights file.")
    if by_name and (path.endswith(".weights.h5") or not path.endswith((".h5", ".hdf5"))):
        raise ValueError("by_name=True only applies to Keras 2 `.h5` weights files; a `.weights.h5` file or a "
                         f"`.keras` archive is matched by layer path. Received: filepath={path}")
    if not os.path.exists(path):
        raise FileNotFoundError(f"Cannot load weights: {path!r} does not exist.")
    _require_model(model, "load_weights")
    model.load_weights(path, by_name=by_name, skip_mismatch=skip_mismatch)


def _require_model(model, what):
    if not hasattr(model, what):
        raise TypeError(f"keras.saving.{what}() expects a Model, received {type(model).__name__}: {model!r}.")
