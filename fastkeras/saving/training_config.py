"""A compiled model's training setup in files: compile arguments and optimizer state.

Two spellings of the compile arguments exist: Keras 2's ``training_config``
attribute of full-model ``.h5`` files (``loss``, ``metrics``,
``weighted_metrics``, ``loss_weights``, ``optimizer_config``) and the
``compile_config`` entry of ``.keras`` configs (``optimizer``, ``loss``,
``metrics``, ``loss_weights``, ``weighted_metrics``, ...). Both are written
from what ``compile`` received and read back through the loss, metric and
optimizer registries only. Optimizer state is the list ``optimizer.variables()``
(iterations first, then the slots in tf-keras' order); restoring it builds the
optimizer on the model's trainable weights, checks every shape, then assigns,
so training resumes exactly where the saved run stopped.
"""
import warnings

import numpy as np

from fastkeras.saving.errors import FileFormatError, in_file


# ---------------------------------------------------------------------------------------------------------
# compile arguments
# ---------------------------------------------------------------------------------------------------------

def _serialize(value, legacy):
    """A loss/metric spec as a config: names stay names, functions become their names, objects configs."""
    from fastkeras.saving.serialization import get_registered_name
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {k: _serialize(v, legacy) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize(v, legacy) for v in value]
    if hasattr(value, "get_config") and not isinstance(value, type):
        entry = {"class_name": get_registered_name(type(value)), "config": value.get_config()}
        if not legacy:
            entry = {"module": _module_of(type(value)), **entry, "registered_name": None}
        return entry
    if callable(value):
        return get_registered_name(value)
    raise ValueError(f"Cannot write {value!r} into the training config: expected a name, a function or an object "
                     "with get_config().")


def _module_of(cls):
    module = cls.__module__
    for public in ("losses", "metrics"):
        if module == f"fastkeras.{public}":
            return f"keras.{public}"
    return None if module == "__main__" else module


def compile_arguments(model):
    """(optimizer, args dict) of a compiled model, or None when it was never compiled."""
    args = getattr(model, "_compile_args", None)
    optimizer = getattr(model, "optimizer", None)
    if args is None or optimizer is None:
        return None
    return optimizer, args


def h5_training_config(model):
    """The ``training_config`` attribute of a Keras 2 ``.h5`` file, or None for an uncompiled model."""
    compiled = compile_arguments(model)
    if compiled is None:
        return None
    optimizer, args = compiled
    from fastkeras import optimizers
    return {"loss": _serialize(args.get("loss"), True), "metrics": _serialize(args.get("metrics"), True),
            "weighted_metrics": _serialize(args.get("weighted_metrics"), True),
            "loss_weights": _serialize(args.get("loss_weights"), True),
            "optimizer_config": optimizers.serialize(optimizer, use_legacy_format=True)}


def keras_compile_config(model):
    """The ``compile_config`` entry of a ``.keras`` config, or None for an uncompiled model."""
    compiled = compile_arguments(model)
    if compiled is None:
        return None
    optimizer, args = compiled
    from fastkeras import optimizers
    return {"optimizer": optimizers.serialize(optimizer), "loss": _serialize(args.get("loss"), False),
            "loss_weights": _serialize(args.get("loss_weights"), False),
            "metrics": _serialize(args.get("metrics"), False),
            "weighted_metrics": _serialize(args.get("weighted_metrics"), False),
            "run_eagerly": None, "steps_per_execution": None, "jit_compile": args.get("jit_compile")}


def _is_object_config(value):
    return isinstance(value, dict) and isinstance(value.get("class_name"), str) and "config" in value


# Metric names compile resolves from the loss rather than from the metrics table.
_LOSS_DEPENDENT_METRICS = ("accuracy", "acc", "crossentropy", "ce")


def _spec(value, module, custom_objects, what):
    """A loss or metric spec for ``compile`` from its config form (recursing through per-output structures).

    Names are resolved here, so that an unknown one is reported now rather than at the first ``fit``."""
    if isinstance(value, str):
        if value not in _LOSS_DEPENDENT_METRICS:
            module.deserialize(value, custom_objects=custom_objects)
        return value
    if value is None or isinstance(value, (int, float, bool)):
        return value
    if isinstance(value, list):
        return [_spec(v, module, custom_objects, what) for v in value]
    if _is_object_config(value):
        if value["class_name"] == "function" and isinstance(value["config"], str):
            return _spec(value["config"], module, custom_objects, what)
        if value["class_name"] == "MeanMetricWrapper" and isinstance(value["config"], dict):
            # tf-keras wraps every function metric; the name ('accuracy') is what compile understands best.
            name, fn = value["config"].get("name"), value["config"].get("fn")
            for candidate in (name, fn):
                if isinstance(candidate, str):
                    try:
                        return _spec(candidate, module, custom_objects, what)
                    except ValueError:
                        pass
        return module.deserialize(value, custom_objects=custom_objects)
    if isinstance(value, dict):
        return {k: _spec(v, module, custom_objects, what) for k, v in value.items()}
    raise ValueError(f"cannot interpret the {what} entry {value!r}")


def _optimizer(config, custom_objects):
    from fastkeras import optimizers
    if isinstance(config, str):  # tf-keras' .keras compile_config keeps `compile(optimizer="sgd")` as the name
        config = {"class_name": config, "config": {}}
    if isinstance(config, dict) and isinstance(config.get("class_name"), str) and \
            config["class_name"].startswith("Custom>"):
        # tf-keras registers its own optimizers as 'Custom>Adam' in .h5 training configs.
        try:
            return optimizers.deserialize(config, custom_objects=custom_objects)
        except ValueError:
            config = dict(config, class_name=config["class_name"][len("Custom>"):], registered_name=None)
    return optimizers.deserialize(config, custom_objects=custom_objects)


def compile_from_config(model, config, custom_objects, label, keras_format):
    """Compiles ``model`` as the file's training/compile config says.

    A config naming objects fastkeras does not know raises ``FileFormatError`` telling the caller to pass
    them in ``custom_objects`` or to load with ``compile=False``.
    """
    from fastkeras import losses, metrics
    from fastkeras.saving.serialization import CustomObjectScope
    if not isinstance(config, dict):
        raise in_file(FileFormatError, label, f"the training config should be a dict, got {type(config).__name__}.")
    optimizer_config = config.get("optimizer" if keras_format else "optimizer_config")
    try:
        with CustomObjectScope(custom_objects or {}):
            optimizer = _optimizer(optimizer_config, custom_objects) if optimizer_config is not None else "rmsprop"
            kwargs = dict(
                loss=_spec(config.get("loss"), losses, custom_objects, "loss"),
                metrics=_spec(config.get("metrics"), metrics, custom_objects, "metrics"),
                weighted_metrics=_spec(config.get("weighted_metrics"), metrics, custom_objects, "weighted_metrics"),
                loss_weights=config.get("loss_weights"))
            model.compile(optimizer=optimizer, **kwargs)
    except Exception as e:  # noqa: BLE001 - whatever the config holds, the caller gets one clear error
        raise in_file(FileFormatError, label, f"cannot compile the model from the file's training config "
                      f"({type(e).__name__}: {e}). Pass unknown losses, metrics or optimizers in "
                      "`custom_objects`, or load with `compile=False`.") from None


# ---------------------------------------------------------------------------------------------------------
# optimizer state
# ---------------------------------------------------------------------------------------------------------

def optimizer_state(model):
    """(names, arrays) of the optimizer's variables, or None when there is no built optimizer."""
    from fastkeras import backend as K
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "_built", False):
        return None
    variables = list(optimizer.variables())
    if not variables:
        return None
    names, seen = [], set()
    for i, v in enumerate(variables):
        name = getattr(v, "name", None) or f"variable_{i}:0"
        if name in seen:
            name = f"{name}_{i}"
        seen.add(name)
        names.append(name)
    return names, K.batch_get_value(variables)


def restore_optimizer_state(model, values, label):
    """Builds the optimizer on the model's trainable weights and loads ``values`` into it.

    Keras 3 stores the learning rate as a second variable; it is dropped when the
    counts show that layout. A state that does not fit the optimizer (another
    optimizer class, another model) leaves a fresh optimizer, with a warning, as
    Keras does.
    """
    optimizer = model.optimizer
    optimizer.build(model.trainable_weights)
    variables = list(optimizer.variables())
    values = [np.asarray(v) for v in values]
    if len(values) == len(variables) + 1 and len(values) > 1 and values[1].shape == () and \
            values[1].dtype.kind == "f":
        values = [values[0]] + values[2:]
    problem = None
    if len(values) != len(variables):
        problem = f"the optimizer has {len(variables)} variables, the file holds {len(values)}"
    else:
        for v, value in zip(variables, values):
            if tuple(value.shape) != tuple(v.shape):
                problem = (f"optimizer variable {getattr(v, 'name', '?')} has shape {tuple(v.shape)}, the file holds "
                           f"shape {tuple(value.shape)}")
                break
    if problem:
        warnings.warn(f"{label}: the saved optimizer state does not fit the optimizer ({problem}); the model starts "
                      "with a freshly initialized optimizer.", stacklevel=3)
        return False
    optimizer.set_weights(values)
    return True
