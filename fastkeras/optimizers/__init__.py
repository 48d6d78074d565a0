"""Optimizers: the Keras 2 API (tf-keras 2.21 ``tf.keras.optimizers``) on the backend's foreach/fused kernels.

``model.compile(optimizer='adam')`` resolves names here through ``get``: a name (any case), a config dict
``{'class_name': ..., 'config': ...}``, or an optimizer instance (returned as is). ``legacy`` holds the Keras 2
``keras.optimizers.legacy.*`` names, ``experimental`` tf-keras 2.9-2.15's ``keras.optimizers.experimental.*``
ones; ``schedules`` the learning-rate schedules. Keras 3 adds ``Lamb`` and ``LossScaleOptimizer`` here (the
latter is ``fastkeras.mixed_precision.LossScaleOptimizer``).
"""
from fastkeras.optimizers import experimental, legacy, schedules
from fastkeras.optimizers.adadelta import Adadelta
from fastkeras.optimizers.adafactor import Adafactor
from fastkeras.optimizers.adagrad import Adagrad
from fastkeras.optimizers.adam import Adam, AdamW
from fastkeras.optimizers.adamax import Adamax
from fastkeras.optimizers.ftrl import Ftrl
from fastkeras.optimizers.lamb import Lamb
from fastkeras.optimizers.lion import Lion
from fastkeras.optimizers.nadam import Nadam
from fastkeras.optimizers.optimizer import Optimizer
from fastkeras.optimizers.rmsprop import RMSprop
from fastkeras.optimizers.sgd import SGD
from fastkeras.saving import serialization
# After Optimizer: the loss-scale wrapper subclasses it.
from fastkeras.mixed_precision.loss_scale_optimizer import LossScaleOptimizer  # noqa: E402

_MODULE = "keras.optimizers"
_CLASSES = (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Ftrl, Lion, Adafactor, Lamb)
_BUILTIN = frozenset(_CLASSES)

# Lower-case names Keras resolves (it lower-cases a known class name before looking it up).
_BY_LOWER_NAME = {cls.__name__.lower(): cls for cls in _CLASSES}
_BY_LOWER_NAME.update({"experimentaladadelta": Adadelta, "experimentaladagrad": Adagrad,
                       "experimentaladam": Adam, "experimentalsgd": SGD})


def serialize(optimizer, use_legacy_format=False):
    """``{'module': 'keras.optimizers', 'class_name', 'config', 'registered_name'}``, as tf-keras 2.21 writes it
    (``use_legacy_format=True``: the older ``{'class_name', 'config'}``)."""
    if optimizer is None:
        return None
    cls = type(optimizer)
    config = optimizer.get_config()
    if use_legacy_format:
        # tf-keras registers its optimizers under the package 'Custom', which its legacy format (the
        # training_config of .h5 files) writes. Keras 3 loads such a file (without the optimizer's state); given
        # the plain name, it refuses tf-keras' optimizer settings and the whole file.
        name = f"Custom>{cls.__name__}" if cls in _BUILTIN and cls is not Lamb else cls.__name__
        if name == "LossScaleOptimizer" and cls.__module__.startswith("fastkeras."):
            # tf-keras' name for the loss scaling around its (new) optimizers; its plain LossScaleOptimizer is the
            # legacy one, which refuses them, so tf-keras could not compile a mixed_float16 model from the file.
            name = "LossScaleOptimizerV3"
        return {"class_name": name, "config": config}
    if cls in _BUILTIN:
        return {"module": _MODULE, "class_name": cls.__name__, "config": config, "registered_name": None}
    return {"module": None if cls.__module__ == "__main__" else cls.__module__, "class_name": cls.__name__,
            "config": config, "registered_name": serialization.get_registered_name(cls)}


def _unknown(name):
    valid = ", ".join(repr(n) for n in sorted(cls.__name__ for cls in _CLASSES))
    return ValueError(f"Unknown optimizer: {name!r}. Valid names (any case) are {valid}; for a custom optimizer pass "
                      "its class in `custom_objects` or register it with "
                      "`fastkeras.utils.register_keras_serializable`.")


def deserialize(config, custom_objects=None, use_legacy_format=False, **kwargs):
    """An optimizer from ``{'class_name': ..., 'config': {...}}`` (tf-keras 2.21 or older Keras 2 configs,
    whose ``lr``/``decay`` keys are understood)."""
    kwargs.pop("use_legacy_optimizer", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments: {kwargs}")
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret optimizer config: expected a dict with 'class_name' and 'config', "
                         f"received {config!r}.")
    class_name = config["class_name"]
    if isinstance(class_name, str) and class_name.lower() in _BY_LOWER_NAME:
        # Keras (2.x, tf-keras and 3) writes the lower-case name back into the caller's dict; code that
        # compares a config with serialize(deserialize(config)) relies on it.
        config["class_name"] = class_name.lower()
    cls = None
    for name in (config.get("registered_name"), class_name):
        if isinstance(name, str) and cls is None:
            cls = serialization.lookup(name, {}, custom_objects)
    if cls is None and isinstance(class_name, str):
        cls = _BY_LOWER_NAME.get(class_name.lower().removeprefix("custom>"))
    if cls is None and class_name in ("LossScaleOptimizer", "LossScaleOptimizerV3"):  # tf-keras writes V3
        from fastkeras.mixed_precision import LossScaleOptimizer as cls
    if not isinstance(cls, type):
        raise _unknown(class_name)
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(f"The config of optimizer {class_name!r} must be a dict, received {type(inner).__name__}.")
    return cls.from_config(dict(inner), custom_objects=custom_objects) if \
        "custom_objects" in cls.from_config.__code__.co_varnames else cls.from_config(dict(inner))


def get(identifier, **kwargs):
    """An optimizer from a name ('adam', 'Adam', 'rmsprop', ...), a config dict, or an Optimizer (returned)."""
    kwargs.pop("use_legacy_optimizer", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments: {kwargs}")
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Expected an optimizer name such "
                     "as 'adam', a config dict, or an Optimizer instance.")


__all__ = [cls.__name__ for cls in _CLASSES] + ["Optimizer", "LossScaleOptimizer", "legacy", "experimental",
                                                "schedules", "get", "serialize", "deserialize"]


# Keras 2.0-2.3's lower-case aliases (`keras.optimizers.rmsprop(lr=1e-4, decay=1e-6)` in its CIFAR-10 example).
# They replace the package's attributes naming the submodules, which would otherwise answer such a call with
# "'module' object is not callable"; the submodules stay importable by their full names.
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam
