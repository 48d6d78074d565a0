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

Names ending in ``.weights.h5`` are written in the object-path layout of Keras 3
(what tf-keras 2.13+ writes for that suffix, see ``object_weights``), and files
in that layout load whatever their name. Full-model ``.h5`` files (weights
under ``model_weights``) load too. Files are opened through ``h5_checks``
(links, dtypes and sizes checked before anything is read); loading checks
every count and shape before assigning anything, so a failed load leaves the
model untouched. Saving is atomic (``atomic``): a failed save leaves the old
file intact. Only h5py datasets and attributes are used: nothing is pickled.
"""
import os
import warnings

import numpy as np

from fastkeras.saving import file_objects, h5_checks, object_weights, remote
from fastkeras.saving.atomic import atomic_path, confirm_overwrite
from fastkeras.saving.errors import FileFormatError, SavingError, WeightsMismatchError, in_file
from fastkeras.saving.weight_conversion import preprocess_weights_for_loading

KERAS_VERSION = "2.21.0"
BACKEND = "torch"
_TOP_LEVEL = "top_level_model_weights"
# HDF5 object headers hold at most 64 KiB; longer attribute lists are split in chunks, as Keras does.
_HEADER_LIMIT = 64512


def _h5py():
    return h5_checks.h5py_module()


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
    """Writes every weight of ``model`` to ``filepath``, atomically: Keras 3's object-path layout for names
    ending in ``.weights.h5``, Keras 2's layout otherwise."""
    h5py = _h5py()
    if file_objects.is_h5py_group(filepath) or file_objects.is_binary_writer(filepath):
        # Keras 2's layout into an open h5py file or group, or a whole HDF5 file into a binary file object.
        layers, groups = _collect_for_saving(model)
        if file_objects.is_h5py_group(filepath):
            _write_weights(filepath, layers, groups)
        else:
            file_objects.write_all(filepath, file_objects.hdf5_bytes(lambda f: _write_weights(f, layers, groups)))
        return
    filepath = os.fspath(filepath)
    _check_format(filepath, save_format)
    if remote.is_remote(filepath):  # gs://, s3://...: the whole file built here, then written in one piece
        if filepath.endswith(".weights.h5"):
            data = file_objects.hdf5_bytes(lambda f: object_weights.write(f, model))
        else:
            layers, groups = _collect_for_saving(model)
            data = file_objects.hdf5_bytes(lambda f: _write_weights(f, layers, groups))
        remote.write_bytes(filepath, data, overwrite)
        return
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"Cannot save weights to {filepath!r}: it is a directory.")
    overwrite = confirm_overwrite(filepath, overwrite)
    if overwrite is None:
        return  # the user declined to replace the existing file
    if filepath.endswith(".weights.h5"):
        with atomic_path(filepath, overwrite) as tmp:
            with h5py.File(tmp, "w") as f:
                object_weights.write(f, model)
        return
    layers, groups = _collect_for_saving(model)
    with atomic_path(filepath, overwrite) as tmp:
        with h5py.File(tmp, "w") as f:
            _write_weights(f, layers, groups)
            f.flush()


# ---------------------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------------------

def _open_for_reading(filepath):
    return h5_checks.open_checked(filepath)


def _weights_root(f, filepath):
    if "layer_names" not in f.attrs and "layer_names0" not in f.attrs:
        if "model_weights" in f:
            return f["model_weights"]
        raise in_file(FileFormatError, filepath, "an HDF5 file but not a Keras weights file: it has no "
                      "'layer_names' attribute and no 'model_weights' group.")
    return f


def _read_group(root, name, filepath):
    if name not in root:
        raise in_file(FileFormatError, filepath, f"layer {name!r} is listed in 'layer_names' but has no group.")
    group = root[name]
    if not hasattr(group, "keys"):
        raise in_file(FileFormatError, filepath, f"{name!r} should be a group of weights, found a dataset.")
    names = _read_string_list(group, "weight_names")
    values = []
    for weight_name in names:
        if weight_name not in group:
            raise in_file(FileFormatError, filepath, f"weight {weight_name!r} of layer {name!r} is listed in "
                          "'weight_names' but has no dataset.")
        dataset = group[weight_name]
        if hasattr(dataset, "keys"):
            raise in_file(FileFormatError, filepath, f"weight {weight_name!r} of layer {name!r} is a group, not a "
                          "dataset.")
        values.append(h5_checks.read_array(dataset, filepath))
    return names, values


def _shape_error(layer_desc, weight, expected, received, saved_name, filepath):
    # Worded as Keras 2 words it ("... has shape ..., but the saved weight has shape ..."), which code matches.
    return WeightsMismatchError(f"Shape mismatch in {layer_desc} for weight {weight.name}: it has shape "
                                f"{tuple(expected)}, but the saved weight in {filepath!r} has shape {tuple(received)} "
                                f"(saved as {saved_name!r}).")


def _origin(root):
    """(Keras version, backend) that wrote the file: a file without a version is Keras 1's, as Keras 2 reads it."""
    def attribute(name):  # a whole-model file may hold them on the file rather than on its weights group
        value = _read_attr_string(root, name)
        return value if value is not None or root.file == root else _read_attr_string(root.file, name)
    return attribute("keras_version") or "1", attribute("backend")


def _fitted(value, weight, reshape):
    """``value`` reshaped to ``weight``'s shape when ``reshape`` allows it and the sizes match, else as it is."""
    if reshape and tuple(value.shape) != tuple(weight.shape) and value.size == int(np.prod(tuple(weight.shape))):
        return value.reshape(tuple(weight.shape))
    return value


def _load_topological(root, model, filepath, reshape=False):
    version, backend = _origin(root)
    layers = [layer for layer in _model_layers(model) if _layer_weights(layer)]
    saved = []
    for name in _read_string_list(root, "layer_names"):
        weight_names, values = _read_group(root, name, filepath)
        if weight_names:
            saved.append((name, weight_names, values))
    if len(saved) != len(layers):
        raise WeightsMismatchError(f"Layer count mismatch: cannot load the weights file {filepath!r} with "
                                   f"{len(saved)} layers into model \"{model.name}\" with {len(layers)} layers with "
                                   f"weights (the file's: {[name for name, _, _ in saved]}; the model's: "
                                   f"{[layer.name for layer in layers]}).")
    assignments = []
    for k, (layer, (name, weight_names, values)) in enumerate(zip(layers, saved)):
        weights = _layer_weights(layer)
        desc = f"layer #{k} (named \"{layer.name}\" in the model, \"{name}\" in the file)"
        # Keras 1 layouts, other backends' kernels, LSTM <-> CuDNNLSTM and GRU <-> CuDNNGRU, as Keras 2 converts them
        try:
            values = preprocess_weights_for_loading(layer, values, version, backend)
        except ValueError as e:
            raise WeightsMismatchError(f"The weights of {desc} in {filepath!r} cannot load into it: {e}.") from None
        if len(values) != len(weights):
            raise WeightsMismatchError(f"Weight count mismatch for {desc}: the layer expects {len(weights)} weight(s) "
                                       f"({[w.name for w in weights]}), but the saved weights in {filepath!r} are "
                                       f"{len(values)} ({weight_names}).")
        for w, value, saved_name in zip(weights, values, weight_names):
            value = _fitted(value, w, reshape)
            if tuple(value.shape) != tuple(w.shape):
                raise _shape_error(desc, w, w.shape, value.shape, saved_name, filepath)
            assignments.append((w, value))
    if _TOP_LEVEL in root:
        weights = _top_level_weights(model)
        weight_names, values = _read_group(root, _TOP_LEVEL, filepath)
        if len(values) != len(weights):
            raise WeightsMismatchError(f"Weight count mismatch for the top-level weights of model \"{model.name}\": it has "
                             f"{len(weights)}, the file {filepath!r} has {len(values)}.")
        for w, value, saved_name in zip(weights, values, weight_names):
            if tuple(value.shape) != tuple(w.shape):
                raise _shape_error(f"model \"{model.name}\" (top level)", w, w.shape, value.shape, saved_name,
                                   filepath)
            assignments.append((w, value))
    return assignments


def _load_by_name(root, model, filepath, skip_mismatch, reshape=False):
    version, backend = _origin(root)
    index = {}
    for layer in _model_layers(model):
        index.setdefault(layer.name, []).append(layer)
    assignments = []

    def problem(message, layer_name, what):
        if skip_mismatch:
            warnings.warn(f"Skipping loading of weights for layer \"{layer_name}\" due to mismatch in {what}: "
                          f"{message}", stacklevel=4)
            return
        raise WeightsMismatchError(message)

    for k, name in enumerate(_read_string_list(root, "layer_names")):
        if name not in index:
            continue
        weight_names, values = _read_group(root, name, filepath)
        for layer in index[name]:
            weights = _layer_weights(layer)
            try:
                values = preprocess_weights_for_loading(layer, values, version, backend)
            except ValueError as e:  # weights of an incompatible layer kind (GRU(reset_after=False) for CuDNNGRU)
                problem(f"Layer #{k} (named \"{layer.name}\"): the weights in {filepath!r} cannot load into it: {e}.",
                        layer.name, "layer kind")
                continue
            if len(values) != len(weights):
                problem(f"Weight count mismatch for layer #{k} (named \"{layer.name}\"): the layer expects "
                        f"{len(weights)} weight(s) ({[w.name for w in weights]}), but the saved weights in "
                        f"{filepath!r} are {len(values)} ({weight_names}).", layer.name, "number of weights")
                continue
            for w, value, saved_name in zip(weights, values, weight_names):
                value = _fitted(value, w, reshape)
                if tuple(value.shape) != tuple(w.shape):
                    error = _shape_error(f"layer #{k} (named \"{layer.name}\")", w, w.shape, value.shape, saved_name,
                                         filepath)
                    problem(str(error), layer.name, "shape")
                    continue
                assignments.append((w, value))
    if _TOP_LEVEL in root:
        weights = _top_level_weights(model)
        weight_names, values = _read_group(root, _TOP_LEVEL, filepath)
        if len(values) != len(weights):
            problem(f"Weight count mismatch for the top-level weights of model \"{model.name}\": it has "
                    f"{len(weights)}, the file {filepath!r} has {len(values)}.", model.name,
                    "number of weights")
        else:
            for w, value, saved_name in zip(weights, values, weight_names):
                if tuple(value.shape) != tuple(w.shape):
                    problem(str(_shape_error(f"model \"{model.name}\" (top level)", w, w.shape, value.shape,
                                             saved_name, filepath)), model.name, "shape")
                    continue
                assignments.append((w, value))
    return assignments


def read_assignments(f, model, filepath, by_name=False, skip_mismatch=False, reshape=False):
    """[(variable, array)] for ``model`` from an open, checked file in any layout; nothing assigned yet."""
    with h5_checks.reading(filepath):
        if object_weights.is_object_layout(f):
            if by_name:
                raise in_file(SavingError, filepath, "the file is in Keras 3's '.weights.h5' object-path layout, which "
                              "has no layer names: load it with by_name=False.")
            return object_weights.read_assignments(f, model, filepath, skip_mismatch)
        if skip_mismatch and not by_name:
            raise ValueError("When calling load_weights, skip_mismatch can only be set to True when by_name is True.")
        root = _weights_root(f, filepath)
        if not hasattr(root, "keys"):
            raise in_file(FileFormatError, filepath, "'model_weights' should be a group.")
        if by_name:
            return _load_by_name(root, model, filepath, skip_mismatch, reshape)
        return _load_topological(root, model, filepath, reshape)


def _weights_if_created(model):
    """``model.weights``, or [] where an unbuilt model refuses to list them (tf-keras' rule for Sequential)."""
    try:
        return model.weights
    except ValueError:
        return []


def load_weights(model, filepath, by_name=False, skip_mismatch=False, reshape=False):
    """Loads weights saved by ``save_weights`` (fastkeras, Keras 2 or Keras 3) into ``model``.

    Topological loading (the default) pairs the model's layers that have weights,
    in ``model.layers`` order, with the file's layers that have weights. With
    ``by_name=True`` layers are matched by name; layers absent from either side
    are skipped, and ``skip_mismatch=True`` skips (with a warning) weights whose
    count or shape differ instead of raising. Nothing is assigned unless every
    check passes. ``.keras`` archives give their weights too, and so do an open h5py file or group and a binary
    file object holding an HDF5 file. ``reshape=True`` (Keras 2.2's option) reshapes a saved array whose shape
    differs from its weight's but whose size matches (a Dense kernel into a 1x1 convolution's).
    """
    from fastkeras import backend as K
    if not getattr(model, "built", True) and not _weights_if_created(model):
        raise ValueError(f"Cannot load weights into model \"{model.name}\" before it is built: it has no weights yet. "
                         "Call the model on data or call `model.build(input_shape)` first.")
    if file_objects.is_h5py_group(filepath):
        label = file_objects.label(filepath)
        h5_checks.check_open_file(filepath, label)
        assignments = read_assignments(filepath, model, label, by_name, skip_mismatch, reshape)
    elif file_objects.is_binary_reader(filepath):
        assignments = _assignments_from_bytes(model, file_objects.read_all(filepath), file_objects.label(filepath),
                                              by_name, skip_mismatch, reshape)
    elif remote.is_remote(os.fspath(filepath)):
        url = os.fspath(filepath)
        assignments = _assignments_from_bytes(model, remote.read_bytes(url), url, by_name, skip_mismatch, reshape)
    else:
        filepath = os.fspath(filepath)
        if filepath.endswith(".keras"):
            from fastkeras.saving import keras_archive
            assignments = keras_archive.read_weight_assignments(filepath, model, skip_mismatch)
        else:
            with _open_for_reading(filepath) as f:
                assignments = read_assignments(f, model, filepath, by_name, skip_mismatch, reshape)
    K.batch_set_value(assignments)


def _assignments_from_bytes(model, data, label, by_name, skip_mismatch, reshape):
    """The assignments from a whole weights file read from a file object or a URL: HDF5, or a .keras archive."""
    if data.startswith(b"PK"):
        from fastkeras.saving import keras_archive
        with file_objects.temporary_copy(data, "model.keras") as path:
            return keras_archive.read_weight_assignments(path, model, skip_mismatch)
    with file_objects.open_hdf5_bytes(data, label) as f:
        return read_assignments(f, model, label, by_name, skip_mismatch, reshape)


__all__ = ["save_weights", "load_weights"]
