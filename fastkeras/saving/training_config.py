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
import contextlib
import warnings

import numpy as np

from fastkeras.saving.errors import FileFormatError, SavingError, in_file


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
    metrics = _h5_metric_configs(model, args)
    if metrics is None:
        metrics = {"metrics": _serialize(args.get("metrics"), True),
                   "weighted_metrics": _serialize(args.get("weighted_metrics"), True)}
    return {"loss": _serialize(args.get("loss"), True), **metrics,
            "loss_weights": _serialize(args.get("loss_weights"), True),
            "optimizer_config": optimizers.serialize(optimizer, use_legacy_format=True)}


def _metric_objects(specs):
    from fastkeras.metrics import Metric
    if isinstance(specs, Metric):
        return [specs]
    if isinstance(specs, dict):
        specs = list(specs.values())
    if isinstance(specs, (list, tuple)):
        return [m for spec in specs for m in _metric_objects(spec)]
    return []


def _h5_metric_configs(model, args):
    """``metrics`` and ``weighted_metrics`` as tf-keras writes them into ``.h5`` files: one list per output of
    the built metric objects, each config named with its log name ('out0_mae'), which tf-keras' loader keeps
    (``from_serialized``). Bare names would be taken as functions there and lose their output prefix. Metrics
    not built yet are resolved as tf-keras resolves them when saving, the outputs standing in for the targets,
    on a throwaway container (the model's own still resolves from its first targets). None when the model
    has no metrics container (a subclassed model not built yet)."""
    from fastkeras.engine.compile_utils import MetricsContainer
    from fastkeras.saving.serialization import get_registered_name
    container = getattr(getattr(model, "_trainer", None), "metrics", None)
    if container is None:
        return None
    if container.metrics is None:
        shapes = [tuple(t.shape) for t in model.outputs]
        container = MetricsContainer(args.get("metrics"), args.get("weighted_metrics"), container.output_names,
                                     container.loss_container, from_serialized=container.from_serialized)
        # Building renames the metric objects it was given to their log names; the model's own build does that
        # later, and must find the names it was compiled with.
        given = [(m, m.name) for m in _metric_objects([args.get("metrics"), args.get("weighted_metrics")])]
        try:
            container.build(shapes, shapes)
        finally:
            for metric, name in given:
                metric.name = name
    per_output = {False: [[] for _ in container.output_names], True: [[] for _ in container.output_names]}
    for i, obj, log_name, weighted in container.metrics:
        config = {**obj.get_config(), "name": log_name}
        per_output[weighted][i].append({"class_name": get_registered_name(type(obj)), "config": config})
    return {"metrics": None if args.get("metrics") is None else per_output[False],
            "weighted_metrics": None if args.get("weighted_metrics") is None else per_output[True]}


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


def _h5_metric_spec(value, custom_objects, output_names):
    """A metric spec for ``compile`` from a Keras 2 ``.h5`` training config, named as tf-keras names it on load.

    tf-keras writes the metrics it built, each a config carrying its final log name ('out0_mae', 'weighted_mae',
    'out1_accuracy'), and compiles them back with ``from_serialized`` so that they keep those names. Bare names
    (older files) become their functions, logged under the function's name ('mae' -> 'mean_absolute_error'),
    as tf-keras loads them. One departure: a wrapper named '[output_]accuracy' (or 'crossentropy') is resolved
    again from the loss and the targets. tf-keras builds the loaded metrics with the outputs standing in for
    the targets, so a model saved before its first fit would measure sparse labels with
    ``categorical_accuracy``; the log name stays the file's."""
    from fastkeras import metrics
    if isinstance(value, list):
        return [_h5_metric_spec(v, custom_objects, output_names) for v in value]
    if isinstance(value, str):
        if value in _LOSS_DEPENDENT_METRICS:
            return value
        return metrics.deserialize(value, custom_objects=custom_objects)
    if _is_object_config(value):
        config = value["config"]
        if value["class_name"] == "MeanMetricWrapper" and isinstance(config, dict) and \
                isinstance(config.get("name"), str):
            base = config["name"]
            for output in output_names if len(output_names) > 1 else ():
                if base.startswith(f"{output}_"):
                    base = base[len(output) + 1:]
                    break
            base = base[len("weighted_"):] if base.startswith("weighted_") else base
            if base in _LOSS_DEPENDENT_METRICS:
                return base  # compile names it '<output>_accuracy' or 'weighted_accuracy' again, as the file
        return metrics.deserialize(value, custom_objects=custom_objects)
    if isinstance(value, dict):
        return {k: _h5_metric_spec(v, custom_objects, output_names) for k, v in value.items()}
    return _spec(value, metrics, custom_objects, "metrics")


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
            kwargs = dict(loss=_spec(config.get("loss"), losses, custom_objects, "loss"),
                          loss_weights=config.get("loss_weights"))
            if keras_format:
                kwargs.update(
                    metrics=_spec(config.get("metrics"), metrics, custom_objects, "metrics"),
                    weighted_metrics=_spec(config.get("weighted_metrics"), metrics, custom_objects,
                                           "weighted_metrics"))
            else:
                names = list(getattr(model, "output_names", None) or [])
                kwargs.update(metrics=_h5_metric_spec(config.get("metrics"), custom_objects, names),
                              weighted_metrics=_h5_metric_spec(config.get("weighted_metrics"), custom_objects, names),
                              from_serialized=True)
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


@contextlib.contextmanager
def restoring_optimizer_state(label):
    """Turns whatever building the file's optimizer raises into a ``FileFormatError`` naming the file: compile()
    takes an optimizer config's values as they are (RMSprop's momentum as a list, Adagrad's
    initial_accumulator_value as a dict), and they fail only when the optimizer builds its slots to take the
    state (TypeError)."""
    try:
        yield
    except SavingError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever the config holds, the caller gets one clear error
        raise in_file(FileFormatError, label, f"cannot restore the optimizer state: the file's optimizer config does "
                      f"not build an optimizer ({type(e).__name__}: {e}). Load with `compile=False` to skip it.") \
            from None


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
    if len(values) == 2 and values[1].shape == () and values[1].dtype.kind == "f" and len(variables) > 1 and \
            type(optimizer).__name__ == "SGD" and not getattr(optimizer, "momentum", 0):
        # Keras 3's SGD without momentum keeps no slots (its file: iterations, learning rate); tf-keras' keeps
        # momentums that stay zero then: the iteration count is the whole state.
        values = [values[0]] + [np.zeros(tuple(v.shape), dtype="float32") for v in variables[1:]]
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
