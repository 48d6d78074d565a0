"""Whole models in Keras 2's HDF5 format (``model.save('m.h5')``, what tf-keras 2.21 writes for ``.h5``).

Layout: root attributes ``model_config`` (the model's JSON), ``training_config``
(compile arguments, when compiled), ``keras_version`` and ``backend``; the
group ``model_weights`` in Keras 2's weights layout (``hdf5_weights``); the
group ``optimizer_weights`` with attribute ``weight_names`` and one dataset per
optimizer variable (``iteration:0``, ``Adam/m/dense/kernel:0``, ...).

Keras 3 writes the same layout (``model.save('m.h5')``) with its own config
dialect and a ``keras_version`` of 3.x: such configs are read through
``keras3_config`` as ``.keras`` configs are.

Reading goes through the same checks as every other path: the file is walked
by ``h5_checks`` before anything is read, the config is parsed by
``safety.load_json`` and built by ``model_building`` under the caller's
``safe_mode`` (this path honours it like every other).
"""
import json
import os

from fastkeras.saving import file_objects, h5_checks, hdf5_weights, keras3_config, safety, training_config
from fastkeras.saving.atomic import atomic_path, confirm_overwrite
from fastkeras.saving.errors import FileFormatError, in_file
from fastkeras.saving.model_building import build_model


def _legacy_layer_entries(config):
    """A model config whose ``layers`` entries (nested models' too) are in Keras 2's legacy form, as tf-keras
    writes them into ``.h5`` files: the class named by its registered name (``'interop>Scale'``), no
    ``module``, ``registered_name`` or ``build_config``. tf-keras resolves a custom class there by that name
    only; the objects inside a layer's config keep their form."""
    if not (isinstance(config, dict) and isinstance(config.get("layers"), list)):
        return config
    entries = []
    for entry in config["layers"]:
        if not isinstance(entry, dict):
            entries.append(entry)
            continue
        legacy = {"class_name": entry.get("registered_name") or entry.get("class_name"),
                  "config": _legacy_layer_entries(entry.get("config"))}
        legacy.update({k: entry[k] for k in ("name", "inbound_nodes") if k in entry})
        entries.append(legacy)
    return {**config, "layers": entries}


def _model_document(model):
    from fastkeras.saving.model_config import _json_default, _model_document as document
    config = document(model)
    return json.dumps({"class_name": config["class_name"], "config": _legacy_layer_entries(config["config"])},
                      default=_json_default)


def _document(model, include_optimizer):
    """Everything a whole-model file holds, gathered (and checked) before any file is touched."""
    from fastkeras.saving.model_config import _json_default
    model_json = _model_document(model)
    layers, groups = hdf5_weights._collect_for_saving(model)
    train_json = state = None
    if include_optimizer:
        config = training_config.h5_training_config(model)
        if config is not None:
            train_json = json.dumps(config, default=_json_default)
            state = training_config.optimizer_state(model)
    return model_json, layers, groups, train_json, state


def _write(f, document):
    model_json, layers, groups, train_json, state = document
    f.attrs["backend"] = hdf5_weights.BACKEND
    f.attrs["keras_version"] = hdf5_weights.KERAS_VERSION
    f.attrs["model_config"] = model_json
    hdf5_weights._write_weights(f.create_group("model_weights"), layers, groups)
    if train_json is not None:
        f.attrs["training_config"] = train_json
    if state is not None:
        names, values = state
        group = f.create_group("optimizer_weights")
        hdf5_weights._write_string_list(group, "weight_names", names)
        for name, value in zip(names, values):
            group.create_dataset(name, data=value)


def save(model, filepath, overwrite=True, include_optimizer=True):
    h5py = h5_checks.h5py_module()
    filepath = os.fspath(filepath)
    document = _document(model, include_optimizer)
    overwrite = confirm_overwrite(filepath, overwrite)
    if overwrite is None:
        return  # the user declined to replace the existing file
    # tf-keras and Keras 3 create the missing directories of a whole-model HDF5 path (not of other files)
    with atomic_path(filepath, overwrite, make_directories=True) as tmp:
        with h5py.File(tmp, "w") as f:
            _write(f, document)


def save_to_bytes(model, include_optimizer=True):
    """The whole HDF5 file as bytes (Keras 2's ``save_model(model, binary_file_object)``)."""
    document = _document(model, include_optimizer)
    return file_objects.hdf5_bytes(lambda f: _write(f, document))


def save_to_file(model, f, include_optimizer=True):
    """Writes the model into an open, writable ``h5py.File`` or group (tf-keras' ``save_model(model, h5py_file)``,
    Keras 2's ``save_model(model, h5py_group)``), replacing any model saved there before. Not atomic: the caller
    owns the file."""
    document = _document(model, include_optimizer)
    for name in ("model_weights", "optimizer_weights"):
        if name in f:
            del f[name]
    if "training_config" in f.attrs:
        del f.attrs["training_config"]
    _write(f, document)


def _optimizer_values(f, label):
    if "optimizer_weights" not in f:
        return None
    group = f["optimizer_weights"]
    if not hasattr(group, "keys"):
        raise in_file(FileFormatError, label, "'optimizer_weights' should be a group.")
    values = []
    for name in hdf5_weights._read_string_list(group, "weight_names"):
        if name not in group or hasattr(group[name], "keys"):
            raise in_file(FileFormatError, label, f"optimizer weight {name!r} is listed in 'weight_names' but has no "
                          "dataset.")
        values.append(h5_checks.read_array(group[name], label))
    return values


def load(filepath, custom_objects=None, compile=True):
    """A model from a Keras 2 ``.h5`` file: architecture, weights and (with ``compile``) training state."""
    label = os.fspath(filepath)
    with h5_checks.open_checked(filepath, label) as f:
        return _load_checked(f, label, custom_objects, compile)


def load_from_file(f, custom_objects=None, compile=True):
    """A model from an open ``h5py.File`` or group (tf-keras' ``load_model(h5py_file)``), checked as a path would
    be."""
    label = file_objects.label(f)
    h5_checks.check_open_file(f, label)
    return _load_checked(f, label, custom_objects, compile)


def load_from_bytes(data, label, custom_objects=None, compile=True):
    """A model from the bytes of a whole HDF5 file (read from a binary file object)."""
    with file_objects.open_hdf5_bytes(data, label) as f:
        return _load_checked(f, label, custom_objects, compile)


def _written_by_keras3(f, label):
    version = h5_checks.read_text_attribute(f, "keras_version", label)
    return isinstance(version, str) and version[:1].isdigit() and not version.startswith(("1.", "2."))


def _from_keras3(config, label, what):
    safety.scan_config(config, label)
    try:
        return keras3_config.from_keras3(config)
    except (ValueError, TypeError, KeyError, IndexError) as e:
        raise in_file(FileFormatError, label, f"cannot read the Keras 3 {what}: {e}") from None


def _load_checked(f, label, custom_objects, compile):
    from fastkeras import backend as K
    with h5_checks.reading(label):
        text = h5_checks.read_text_attribute(f, "model_config", label)
        if text is None:
            raise in_file(FileFormatError, label, "no model found in the file (it has no 'model_config' "
                          "attribute); a weights-only file loads with `model.load_weights(...)`.")
        if "model_weights" not in f or not hasattr(f["model_weights"], "keys"):
            raise in_file(FileFormatError, label, "the file has a model config but no 'model_weights' group.")
        stored = h5_checks.stored_elements(f["model_weights"])
        train_text = h5_checks.read_text_attribute(f, "training_config", label) if compile else None
        keras3 = _written_by_keras3(f, label)
    config = safety.load_json(text, label, "model_config attribute")
    if keras3:
        config = _from_keras3(config, label, "model config")
    model = build_model(config, custom_objects, label, stored_elements=stored)
    assignments = hdf5_weights.read_assignments(f, model, label)
    optimizer_values = None
    if train_text is not None:
        train_config = safety.scan_config(safety.load_json(train_text, label, "training_config attribute"), label)
        if keras3:
            train_config = _from_keras3(train_config, label, "training config")
        with h5_checks.reading(label):
            optimizer_values = _optimizer_values(f, label)
    K.batch_set_value(assignments)
    if train_text is not None:
        training_config.compile_from_config(model, train_config, custom_objects, label, keras_format=False)
        if optimizer_values:
            with training_config.restoring_optimizer_state(label):
                training_config.restore_optimizer_state(model, optimizer_values, label)
    return model
