"""The public ``serialize_keras_object`` / ``deserialize_keras_object`` of ``keras.saving`` and ``keras.utils``
(tf-keras 2.13+ format): an object becomes ``{'module', 'class_name', 'config', 'registered_name'}`` (a built
layer also ``build_config``), a function ``{'module': 'builtins', 'class_name': 'function', 'config': name,
'registered_name': 'function'}``; containers and plain values pass through.

Reading goes by the entry's ``module`` to the matching family's own deserializer (layers, initializers, losses,
...), which resolves names from fastkeras' tables, ``custom_objects`` and registered objects only. A module name
in the config is never imported: a class that is neither built in nor registered is refused with a clear error.
"""
import numpy as np

from fastkeras.saving.serialization import get_registered_name, serialize_function

# Keras' public module of each fastkeras family, and the family that reads it back.
_FAMILY_OF_MODULE = {
    "keras.layers": "layers", "keras": "layers", "keras.models": "layers", "keras.src.models.functional": "layers",
    "keras.initializers": "initializers", "keras.regularizers": "regularizers", "keras.constraints": "constraints",
    "keras.activations": "activations", "keras.losses": "losses", "keras.metrics": "metrics",
    "keras.optimizers": "optimizers", "keras.optimizers.legacy": "optimizers",
    "keras.optimizers.schedules": "schedules", "keras.mixed_precision": "policy",
}
# Families tried in this order for an entry without a (known) module, and for a bare function name.
_FAMILIES = ("layers", "initializers", "regularizers", "constraints", "losses", "metrics", "optimizers", "schedules",
             "activations")
_FUNCTION_FAMILIES = ("activations", "losses", "metrics")


def _family_module(family):
    """The fastkeras module of a family (a fixed table: nothing named by a config is ever imported)."""
    if family == "layers":
        from fastkeras import layers as module
    elif family == "initializers":
        from fastkeras import initializers as module
    elif family == "regularizers":
        from fastkeras import regularizers as module
    elif family == "constraints":
        from fastkeras import constraints as module
    elif family == "activations":
        from fastkeras import activations as module
    elif family == "losses":
        from fastkeras import losses as module
    elif family == "metrics":
        from fastkeras import metrics as module
    elif family == "optimizers":
        from fastkeras import optimizers as module
    elif family == "schedules":
        from fastkeras.optimizers import schedules as module
    elif family == "policy":
        from fastkeras.mixed_precision import policy as module
    else:
        raise KeyError(family)
    return module


def _family_of(obj):
    """The fastkeras family an instance belongs to, or None for anything else."""
    from fastkeras.engine.base_layer import Layer
    if isinstance(obj, Layer):
        return "layers"
    for family in ("initializers", "regularizers", "constraints", "losses", "metrics"):
        base = {"initializers": "Initializer", "regularizers": "Regularizer", "constraints": "Constraint",
                "losses": "Loss", "metrics": "Metric"}[family]
        if isinstance(obj, getattr(_family_module(family), base)):
            return family
    optimizers = _family_module("optimizers")
    if isinstance(obj, optimizers.Optimizer):
        return "optimizers"
    if isinstance(obj, _family_module("schedules").LearningRateSchedule):
        return "schedules"
    return None


def serialize_keras_object(obj):
    """``obj`` as a JSON-ready config, in the format tf-keras 2.13+ writes (see the module docstring)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, (list, tuple)):
        return type(obj)(serialize_keras_object(item) for item in obj)
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    family = _family_of(obj)
    if family == "layers":
        from fastkeras.saving.model_config import serialize_layer
        return serialize_layer(obj)
    if family in ("initializers", "regularizers", "constraints", "optimizers", "schedules"):
        return _family_module(family).serialize(obj)
    if family in ("losses", "metrics"):
        return _family_module(family).serialize(obj, use_legacy_format=False)
    if isinstance(obj, type) or not hasattr(obj, "get_config"):
        if callable(obj) and hasattr(obj, "__name__"):
            return serialize_function(obj)
        raise ValueError(f"Cannot serialize {obj!r}: it is not a Keras object, a function or a plain value.")
    module = type(obj).__module__
    return {"module": None if module == "__main__" else module, "class_name": type(obj).__name__,
            "config": obj.get_config(), "registered_name": get_registered_name(type(obj))}


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """The object a config written by :func:`serialize_keras_object` (or by tf-keras) describes.

    ``safe_mode=True`` (the default) refuses a ``Lambda`` layer's stored Python bytecode, as ``load_model`` does;
    names and classes resolve from fastkeras' tables, ``custom_objects`` and registered objects in either mode."""
    from fastkeras.saving.safety import safe_mode_scope
    with safe_mode_scope(bool(safe_mode)):
        return _deserialize(config, custom_objects, safe_mode)


def _deserialize(config, custom_objects, safe_mode):
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    if isinstance(config, (list, tuple)):
        return type(config)(_deserialize(item, custom_objects, safe_mode) for item in config)
    if not isinstance(config, dict):
        raise TypeError(f"Could not deserialize {config!r}: expected a config dict, a list or a plain value.")
    if "class_name" not in config:
        return {key: _deserialize(value, custom_objects, safe_mode) for key, value in config.items()}
    class_name, inner = config["class_name"], config.get("config")
    if class_name == "__numpy__":
        # Plain numbers only: a config's 'S2000000000' dtype would size every element at 2 GB.
        from fastkeras.saving.keras3_nodes import _array
        return _array(inner, "a '__numpy__' entry")
    if class_name == "__tuple__":
        return tuple(_deserialize(item, custom_objects, safe_mode) for item in inner["value"])
    if class_name == "function":
        return _deserialize_function(config, custom_objects)
    family = _FAMILY_OF_MODULE.get(config.get("module"))
    families = (family,) if family else _FAMILIES
    errors = []
    for name in families:
        try:
            return _deserialize_in(name, config, custom_objects)
        except (ValueError, TypeError) as e:
            errors.append(f"{name}: {e}")
    if family:
        raise ValueError(f"Could not deserialize {class_name!r} from module {config.get('module')!r}: {errors[0]}")
    raise TypeError(f"Could not locate class {class_name!r} (module {config.get('module')!r}). Built-in Keras objects "
                    "and classes registered with `keras.saving.register_keras_serializable()` or passed in "
                    "`custom_objects` can be deserialized; nothing is imported from a config.")


def _deserialize_in(family, config, custom_objects):
    module = _family_module(family)
    if family == "layers":
        from fastkeras.saving.model_config import deserialize_layer
        return deserialize_layer(config, custom_objects)
    if family == "policy":
        return module.deserialize(config)
    obj = module.deserialize(config, custom_objects=custom_objects)
    if isinstance(obj, (str, type)) or obj is None:
        raise ValueError(f"{config['class_name']!r} is not a {family[:-1]}")
    return obj


def _deserialize_function(config, custom_objects):
    name = config.get("config")
    if not isinstance(name, str):
        raise TypeError(f"A function entry must name the function; received config {name!r}.")
    for family in _FUNCTION_FAMILIES:
        try:
            fn = _family_module(family).deserialize(name, custom_objects=custom_objects)
        except (ValueError, TypeError):
            continue
        if callable(fn):
            return fn
    raise ValueError(f"Unknown function {name!r}: not a Keras activation, loss or metric, not registered with "
                     "`keras.saving.register_keras_serializable()` and not in `custom_objects`.")
