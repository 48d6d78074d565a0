"""Model weights in Keras 2's HDF5 layout: ``model.save_weights('w.h5')`` / ``model.load_weights('w.h5')``.

Layout (as tf-keras 2.x writes it):

* root attributes ``layer_names`` (every layer of ``model.layers``, bytes),
  ``backend`` and ``keras_version``;
* one group per layer, named after it, with the attribute ``weight_names``
  (``'dense/kernel:0'``, ...) and one dataset per weight at
  ``<layer>/<weight name>`` (so ``dense/dense/kernel:0``). A layer's weights are
  its trainable weights followed by its non-trainable ones; a nested model is
  one group holding all of its weights;
* a ``top_level_model_weights`` group for weights the model itself owns.

Full-model ``.h5`` files (weights under ``model_weights``) load too, and so do
the files tf-keras 2.13+ writes for names ending in ``.weights.h5`` (the
object-path layout ``layers/<snake_case class>/vars/<i>``), matched by
walking the model the way tf-keras does. Loading
checks every count and shape before assigning anything, so a failed load
leaves the model untouched. Saving writes a temporary file next to the
target and renames it into place, so a failed save leaves the old file intact.
Only h5py datasets and attributes are used: nothing is pickled.
"""
import os
import warnings

import numpy as np

KERAS_VERSION = "2.21.0"
BACKEND = "torch"
_TOP_LEVEL = "top_level_model_weights"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# HDF5 object headers hold at most 64 KiB; longer attribute lists are split in chunks, as Keras does.
_HEADER_LIMIT = 64512


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Saving and loading weights in HDF5 format requires h5py: `pip install h5py`.") from None
    return h5py


def _layer_weights(layer):
    """The weights of ``layer`` in the order Keras 2 files hold them: trainable, then non-trainable."""
    seen, out = set(), []
    for w in list(layer.trainable_weights) + list(layer.non_trainable_weights):
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def _top_level_weights(model):
    return list(getattr(model, "_trainable_weights", [])) + list(getattr(model, "_non_trainable_weights", []))


def _model_layers(model):
    return list(model.layers)


# ---------------------------------------------------------------------------------------------------
# attributes
# ---------------------------------------------------------------------------------------------------

def _write_string_list(group, name, values):
    data = [v.encode("utf8") for v in values]
    too_long = [v for v in data if len(v) > _HEADER_LIMIT]
    if too_long:
        raise ValueError(f"Cannot save the attribute {name!r}: these entries are longer than {_HEADER_LIMIT} "
                         f"bytes: {too_long}")
    array = np.asarray(data) if data else np.asarray([], dtype="S1")
    chunks = 1
    pieces = [array]
    while any(p.nbytes > _HEADER_LIMIT for p in pieces):
        chunks += 1
        pieces = np.array_split(array, chunks)
    if chunks == 1:
        group.attrs[name] = data  # a list of bytes: h5py stores variable-length strings, as Keras does
    else:
        for i, piece in enumerate(pieces):
            group.attrs[f"{name}{i}"] = piece


def _read_string_list(group, name):
    def decode(values):
        return [v.decode("utf8") if hasattr(v, "decode") else str(v) for v in np.atleast_1d(values)]
    if name in group.attrs:
        return decode(group.attrs[name])
    out, i = [], 0
    while f"{name}{i}" in group.attrs:
        out.extend(decode(group.attrs[f"{name}{i}"]))
        i += 1
    return out


def _read_attr_string(group, name):
    value = group.attrs.get(name)
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        value = value.item() if value.size == 1 else value
    return value.decode("utf8") if hasattr(value, "decode") else str(value)


# ---------------------------------------------------------------------------------------------------
# saving
# ---------------------------------------------------------------------------------------------------

def _check_format(filepath, save_format):
    if save_format is None:
        return
    fmt = str(save_format).lower().strip()
    if fmt in ("h5", "hdf5", "keras"):
        return
    if fmt in ("tf", "tensorflow"):
        raise ValueError(f"save_format={save_format!r}: TensorFlow checkpoints are not supported by fastkeras; weights "
                         f"are saved in Keras 2's HDF5 format (use save_format='h5' or leave it None) "
                         f"for {filepath!r}.")
    raise ValueError(f"Unknown save_format {save_format!r} for {filepath!r}; expected 'h5' (or None).")


def _collect_for_saving(model):
    """[(group name, [(weight name, array)])] for every layer, validated before any file is touched."""
    from fastkeras import backend as K
    layers = _model_layers(model)
    names = [layer.name for layer in layers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Cannot save weights of model \"{model.name}\": several layers are named {duplicates}; "
                         "HDF5 weight files need unique layer names.")
    if _TOP_LEVEL in names:
        raise ValueError(f"Cannot save weights: a layer is named {_TOP_LEVEL!r}, a group name the file format "
                         "reserves.")
    groups = []
    for group_name, weights in [(layer.name, _layer_weights(layer)) for layer in layers] + \
            [(_TOP_LEVEL, _top_level_weights(model))]:
        weight_names = [w.name for w in weights]
        dup = sorted({n for n in weight_names if weight_names.count(n) > 1})
        if dup:
            raise ValueError(f"Cannot save weights of layer \"{group_name}\": several of its weights are named "
                             f"{dup}; HDF5 weight files need unique weight names within a layer.")
        values = K.batch_get_value(weights)
        groups.append((group_name, list(zip(weight_names, values))))
    return layers, groups


def _write_weights(f, layers, groups):
    _write_string_list(f, "layer_names", [layer.name for layer in layers])
    f.attrs["backend"] = BACKEND.encode("utf8")
    f.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    try:
        from fastkeras import __version__
        f.attrs["fastkeras_version"] = str(__version__).encode("utf8")
    except ImportError:
        pass
    by_name = dict(groups)
    # Groups in name order (as Keras writes them), the top-level group last.
    ordered = sorted(n for n in by_name if n != _TOP_LEVEL) + [_TOP_LEVEL]
    for name in ordered:
        g = f.create_group(name)
        entries = by_name[name]
        _write_string_list(g, "weight_names", [w for w, _ in entries])
        for weight_name, value in entries:
            value = np.asarray(value)
            dataset = g.create_dataset(weight_name, value.shape, dtype=value.dtype)
            if value.shape:
                dataset[:] = value
            else:
                dataset[()] = value


def save_weights(model, filepath, overwrite=True, save_format=None):
    """Writes every weight of ``model`` to ``filepath`` in Keras 2's HDF5 layout, atomically."""
    h5py = _h5py()
    filepath = os.fspath(filepath)
    _check_format(filepath, save_format)
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"Cannot save weights to {filepath!r}: it is a directory.")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"Cannot save weights to {filepath!r}: the file exists and overwrite=False.")
    directory = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Cannot save weights to {filepath!r}: the directory {directory!r} does not exist.")
    layers, groups = _collect_for_saving(model)

    base = os.path.basename(filepath)
    tmp = None
    for attempt in range(100):
        candidate = os.path.join(directory, f".{base}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        tmp = candidate
        break
    if tmp is None:
        raise FileExistsError(f"Cannot create a temporary file next to {filepath!r}.")
    try:
        with h5py.File(tmp, "w") as f:
            _write_weights(f, layers, groups)
            f.flush()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"Cannot save weights to {filepath!r}: the file exists and overwrite=False.")
        os.replace(tmp, filepath)
        tmp = None
        try:
            dir_fd = os.open(directory, os.O_RDONLY)
        except OSError:
            dir_fd = None
        if dir_fd is not None:
            try:
                os.fsync(dir_fd)
            except OSError:
                pass
            finally:
                os.close(dir_fd)
    finally:
        if tmp is not None:
            try:
                os.remove(tmp)
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------------------

def _open_for_reading(filepath):
    h5py = _h5py()
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No weights file found at {filepath!r}.")
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"Cannot load weights from {filepath!r}: it is a directory (TensorFlow SavedModel "
                                "directories and checkpoints are not supported; use an HDF5 .h5 file).")
    try:
        is_hdf5 = h5py.is_hdf5(filepath)
    except OSError:
        is_hdf5 = False
    if not is_hdf5:
        raise ValueError(f"{filepath!r} is not an HDF5 file, so it cannot be a Keras weights file (TensorFlow "
                         "checkpoints are not supported by fastkeras).")
    try:
        return h5py.File(filepath, "r")
    except OSError as e:
        raise ValueError(f"Cannot read the HDF5 file {filepath!r}: {e}") from None


def _weights_root(f, filepath):
    if "layer_names" not in f.attrs and "layer_names0" not in f.attrs:
        if "model_weights" in f:
            return f["model_weights"]
        raise ValueError(f"{filepath!r} is an HDF5 file but not a Keras weights file: it has no 'layer_names' "
                         "attribute and no 'model_weights' group.")
    return f


def _read_group(root, name, filepath):
    if name not in root:
        raise ValueError(f"Malformed weights file {filepath!r}: layer {name!r} is listed in 'layer_names' but has "
                         "no group.")
    group = root[name]
    names = _read_string_list(group, "weight_names")
    values = []
    for weight_name in names:
        if weight_name not in group:
            raise ValueError(f"Malformed weights file {filepath!r}: weight {weight_name!r} of layer {name!r} is "
                             "listed in 'weight_names' but has no dataset.")
        values.append(np.asarray(group[weight_name]))
    return names, values


def _shape_error(layer_desc, weight, expected, received, saved_name, filepath):
    return ValueError(f"Shape mismatch in {layer_desc} for weight {weight.name}: the model expects shape "
                      f"{tuple(expected)}, the file {filepath!r} has shape {tuple(received)} "
                      f"(saved as {saved_name!r}).")


def _load_topological(root, model, filepath):
    layers = [layer for layer in _model_layers(model) if _layer_weights(layer)]
    saved = []
    for name in _read_string_list(root, "layer_names"):
        weight_names, values = _read_group(root, name, filepath)
        if weight_names:
            saved.append((name, weight_names, values))
    if len(saved) != len(layers):
        raise ValueError(f"Layer count mismatch when loading weights from {filepath!r}: the model "
                         f"\"{model.name}\" has {len(layers)} layers with weights "
                         f"({[layer.name for layer in layers]}), the file has {len(saved)} "
                         f"({[name for name, _, _ in saved]}).")
    assignments = []
    for k, (layer, (name, weight_names, values)) in enumerate(zip(layers, saved)):
        weights = _layer_weights(layer)
        desc = f"layer #{k} (named \"{layer.name}\" in the model, \"{name}\" in the file)"
        if len(values) != len(weights):
            raise ValueError(f"Weight count mismatch for {desc}: the layer expects {len(weights)} weight(s) "
                             f"({[w.name for w in weights]}), the file {filepath!r} has {len(values)} "
                             f"({weight_names}).")
        for w, value, saved_name in zip(weights, values, weight_names):
            if tuple(value.shape) != tuple(w.shape):
                raise _shape_error(desc, w, w.shape, value.shape, saved_name, filepath)
            assignments.append((w, value))
    if _TOP_LEVEL in root:
        weights = _top_level_weights(model)
        weight_names, values = _read_group(root, _TOP_LEVEL, filepath)
        if len(values) != len(weights):
            raise ValueError(f"Weight count mismatch for the top-level weights of model \"{model.name}\": it has "
                             f"{len(weights)}, the file {filepath!r} has {len(values)}.")
        for w, value, saved_name in zip(weights, values, weight_names):
            if tuple(value.shape) != tuple(w.shape):
                raise _shape_error(f"model \"{model.name}\" (top level)", w, w.shape, value.shape, saved_name,
                                   filepath)
            assignments.append((w, value))
    return assignments


def _load_by_name(root, model, filepath, skip_mismatch):
    index = {}
    for layer in _model_layers(model):
        index.setdefault(layer.name, []).append(layer)
    assignments = []

    def problem(message):
        if skip_mismatch:
            warnings.warn("Skipping: " + message, stacklevel=4)
            return
        raise ValueError(message)

    for k, name in enumerate(_read_string_list(root, "layer_names")):
        if name not in index:
            continue
        weight_names, values = _read_group(root, name, filepath)
        for layer in index[name]:
            weights = _layer_weights(layer)
            if len(values) != len(weights):
                problem(f"Weight count mismatch for layer #{k} (named \"{layer.name}\"): the layer expects "
                        f"{len(weights)} weight(s) ({[w.name for w in weights]}), the file {filepath!r} has "
                        f"{len(values)} ({weight_names}).")
                continue
            for w, value, saved_name in zip(weights, values, weight_names):
                if tuple(value.shape) != tuple(w.shape):
                    error = _shape_error(f"layer #{k} (named \"{layer.name}\")", w, w.shape, value.shape, saved_name,
                                         filepath)
                    problem(str(error))
                    continue
                assignments.append((w, value))
    if _TOP_LEVEL in root:
        weights = _top_level_weights(model)
        weight_names, values = _read_group(root, _TOP_LEVEL, filepath)
        if len(values) != len(weights):
            problem(f"Weight count mismatch for the top-level weights of model \"{model.name}\": it has "
                    f"{len(weights)}, the file {filepath!r} has {len(values)}.")
        else:
            for w, value, saved_name in zip(weights, values, weight_names):
                if tuple(value.shape) != tuple(w.shape):
                    problem(str(_shape_error(f"model \"{model.name}\" (top level)", w, w.shape, value.shape,
                                             saved_name, filepath)))
                    continue
                assignments.append((w, value))
    return assignments


# ---------------------------------------------------------------------------------------------------
# tf-keras' object-path layout (what it writes for '*.weights.h5'): layers/<name>/vars/<i>
# ---------------------------------------------------------------------------------------------------

# fastkeras attributes that hold layers but are bookkeeping, not children tf-keras would walk.
_INTERNAL_LAYER_ATTRS = frozenset({"_tracked_layers", "_layers", "_stack", "_input_layer", "_input_layers",
                                   "_output_layers", "_inbound_nodes", "_outbound_nodes", "_outer"})


def _is_v3_file(root):
    return "layer_names" not in root.attrs and "layer_names0" not in root.attrs and \
        ("layers" in root or "vars" in root)


def _v3_slots(model):
    """[(path, own weights)] in the order tf-keras' saving_lib walks the model, each object once."""
    from fastkeras import backend as K
    from fastkeras.engine.base_layer import Layer
    from fastkeras.engine.functional import Functional
    slots, visited = [], set()

    def container(items, path):
        used = {}
        for item in items:
            if not isinstance(item, Layer) or id(item) in visited:
                continue
            name = K.to_snake_case(type(item).__name__)
            if name in used:
                used[name] += 1
                name = f"{name}_{used[name]}"
            else:
                used[name] = 0
            visit(item, f"{path}/{name}")

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        slots.append((path, list(obj._trainable_weights) + list(obj._non_trainable_weights)))
        if isinstance(obj, Functional) and getattr(obj, "_is_graph_network", False):
            container(obj.layers, f"{path}/layers".lstrip("/"))
            return
        for attr in sorted(vars(obj), reverse=True):
            if attr in _INTERNAL_LAYER_ATTRS or attr.startswith("__"):
                continue
            value = vars(obj)[attr]
            child = f"{path}/{attr}".lstrip("/")
            if isinstance(value, Layer):
                visit(value, child)
            elif isinstance(value, (list, tuple)):
                container(value, child)
            elif isinstance(value, dict):
                container(list(value.values()), child)

    visit(model, "")
    return slots


def _load_v3(root, model, filepath, skip_mismatch):
    assignments = []
    for path, weights in _v3_slots(model):
        group_path = f"{path}/vars" if path else "vars"
        where = f"'{group_path}'"
        if group_path not in root:
            if weights:
                message = (f"The weights file {filepath!r} has no group {where} for the {len(weights)} weight(s) "
                           f"{[w.name for w in weights]} of the model (file layout: tf-keras '.weights.h5').")
                if skip_mismatch:
                    warnings.warn("Skipping: " + message, stacklevel=3)
                    continue
                raise ValueError(message)
            continue
        group = root[group_path]
        keys = sorted(group.keys(), key=lambda k: int(k) if k.isdigit() else k)
        if len(keys) != len(weights):
            message = (f"Weight count mismatch at {where}: the model has {len(weights)} weight(s) "
                       f"{[w.name for w in weights]}, the file {filepath!r} has {len(keys)}.")
            if skip_mismatch:
                warnings.warn("Skipping: " + message, stacklevel=3)
                continue
            raise ValueError(message)
        values = [np.asarray(group[k]) for k in keys]
        bad = [(w, v) for w, v in zip(weights, values) if tuple(v.shape) != tuple(w.shape)]
        if bad:
            w, v = bad[0]
            message = (f"Shape mismatch at {where} for weight {w.name}: the model expects shape {tuple(w.shape)}, "
                       f"the file {filepath!r} has shape {tuple(v.shape)}.")
            if skip_mismatch:
                warnings.warn("Skipping: " + message, stacklevel=3)
                continue
            raise ValueError(message)
        assignments.extend(zip(weights, values))
    return assignments


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Loads weights saved by ``save_weights`` (fastkeras or Keras 2) into ``model``.

    Topological loading (the default) pairs the model's layers that have weights,
    in ``model.layers`` order, with the file's layers that have weights. With
    ``by_name=True`` layers are matched by name; layers absent from either side
    are skipped, and ``skip_mismatch=True`` skips (with a warning) weights whose
    count or shape differ instead of raising. Nothing is assigned unless every
    check passes.
    """
    from fastkeras import backend as K
    filepath = os.fspath(filepath)
    if not getattr(model, "built", True) and not model.weights:
        raise ValueError(f"Cannot load weights into model \"{model.name}\" before it is built: it has no weights yet. "
                         "Call the model on data or call `model.build(input_shape)` first.")
    with _open_for_reading(filepath) as f:
        if _is_v3_file(f):
            if by_name:
                raise ValueError(f"{filepath!r} is in tf-keras' '.weights.h5' object-path layout, which has no layer "
                                 "names: load it with by_name=False.")
            assignments = _load_v3(f, model, filepath, skip_mismatch)
            K.batch_set_value(assignments)
            return
        if skip_mismatch and not by_name:
            raise ValueError("When calling load_weights, skip_mismatch can only be set to True when by_name is True.")
        root = _weights_root(f, filepath)
        if by_name:
            assignments = _load_by_name(root, model, filepath, skip_mismatch)
        else:
            assignments = _load_topological(root, model, filepath)
    K.batch_set_value(assignments)


__all__ = ["save_weights", "load_weights"]
