"""Weight regularizers, as ``keras.regularizers`` in Keras 2 (tf-keras 2.x).

A regularizer is called on a weight (or a layer's output) and returns a scalar
penalty tensor that is added to the loss.
"""
import math

from fastkeras import backend as K
from fastkeras.saving import serialization


def _check_penalty_number(x):
    if not isinstance(x, (float, int)):
        raise ValueError(f"Value {x} is not a valid regularization penalty number, expected an int or float value.")
    if math.isinf(x) or math.isnan(x):
        raise ValueError(f"Value {x} is not a valid regularization penalty number, an infinite number or NaN are "
                         "not valid values.")


class Regularizer:
    """Base class: ``__call__(x)`` returns the penalty for ``x``; ``get_config``/``from_config`` serialize it.

    Any function taking a weight and returning a scalar tensor also works as a regularizer.
    """

    def __call__(self, x):
        return 0.0

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")


class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(square(x))``.

    The class defaults are 0 (``L1L2(l2=0.1)`` has no L1 term); the ``'l1_l2'``
    name and the ``l1_l2()`` function use 0.01 for both.
    """

    def __init__(self, l1=0.0, l2=0.0):  # noqa: E741 - Keras names
        l1 = 0.0 if l1 is None else l1
        l2 = 0.0 if l2 is None else l2
        _check_penalty_number(l1)
        _check_penalty_number(l2)
        # Stored in floatx as Keras 2 does (so get_config gives e.g. 0.009999999776482582 for 0.01).
        self.l1 = K.cast_to_floatx(l1)
        self.l2 = K.cast_to_floatx(l2)

    def __call__(self, x):
        l1, l2 = float(self.l1), float(self.l2)
        penalty = None
        if l1:
            penalty = l1 * K.sum(K.abs(x))
        if l2:
            term = l2 * K.sum(K.square(x))
            penalty = term if penalty is None else penalty + term
        if penalty is None:
            x = K.convert_to_tensor(x)
            return K.zeros((), dtype=K.dtype(x))
        return penalty

    def get_config(self):
        return {"l1": float(self.l1), "l2": float(self.l2)}


class L1(Regularizer):
    """``l1 * sum(abs(x))``; ``l`` is accepted for ``l1`` (old name)."""

    def __init__(self, l1=0.01, **kwargs):  # noqa: E741
        l1 = kwargs.pop("l", l1)
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        l1 = 0.01 if l1 is None else l1
        _check_penalty_number(l1)
        self.l1 = K.cast_to_floatx(l1)

    def __call__(self, x):
        return float(self.l1) * K.sum(K.abs(x))

    def get_config(self):
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """``l2 * sum(square(x))``; ``l`` is accepted for ``l2`` (old name)."""

    def __init__(self, l2=0.01, **kwargs):  # noqa: E741
        l2 = kwargs.pop("l", l2)
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        l2 = 0.01 if l2 is None else l2
        _check_penalty_number(l2)
        self.l2 = K.cast_to_floatx(l2)

    def __call__(self, x):
        return float(self.l2) * K.sum(K.square(x))

    def get_config(self):
        return {"l2": float(self.l2)}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode='rows'``) or columns of a 2D weight towards being orthogonal.

    The penalty is ``factor * 0.5 * sum(|dot products of distinct L2-normalized rows|) / num_pairs``.
    """

    def __init__(self, factor=0.01, mode="rows"):
        _check_penalty_number(factor)
        self.factor = K.cast_to_floatx(factor)
        if mode not in {"rows", "columns"}:
            raise ValueError('Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                             f"Received: mode={mode}")
        self.mode = mode

    def __call__(self, inputs):
        inputs = K.convert_to_tensor(inputs)
        if K.ndim(inputs) != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape == {tuple(inputs.shape)}")
        if self.mode == "rows":
            inputs = K.l2_normalize(inputs, axis=1)
            product = K.matmul(inputs, K.transpose(inputs))
            size = int(inputs.shape[0])
        else:
            inputs = K.l2_normalize(inputs, axis=0)
            product = K.matmul(K.transpose(inputs), inputs)
            size = int(inputs.shape[1])
        product_no_diagonal = product * (1.0 - K.eye(size, dtype=K.dtype(inputs)))
        num_pairs = size * (size - 1.0) / 2.0
        return float(self.factor) * 0.5 * K.sum(K.abs(product_no_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": float(self.factor), "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01):  # noqa: E741
    """An ``L1L2`` regularizer with both penalties (0.01 each by default)."""
    return L1L2(l1=l1, l2=l2)


# Aliases, as in tf-keras: `l1(0.01)` and `l1(l=0.01)` build an L1.
l1 = L1  # noqa: E741
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS = {
    "Regularizer": Regularizer, "L1L2": L1L2, "L1": L1, "L2": L2, "OrthogonalRegularizer": OrthogonalRegularizer,
    "l1": L1, "l2": L2, "l1_l2": l1_l2, "orthogonal_regularizer": OrthogonalRegularizer,
}

_MODULE = "keras.regularizers"
_KIND = "regularizer"
_BUILTIN = frozenset((Regularizer, L1L2, L1, L2, OrthogonalRegularizer))


def _registered_name(cls):
    for key, value in serialization.get_custom_objects().items():
        if value is cls:
            return key
    return cls.__name__


def _plain(value):
    """numpy scalars as Python numbers, numpy arrays as tf-keras' ``__numpy__`` entries, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if type(value).__module__ == "numpy":
        if getattr(value, "ndim", 0) > 0:
            return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": value.dtype.name}}
        return value.item()
    return value


def serialize(regularizer, use_legacy_format=False):
    """The tf-keras 2.x entry ``{'module', 'class_name', 'config', 'registered_name'}`` of a regularizer.

    ``use_legacy_format=True`` gives the Keras 2.0-2.12 ``{'class_name', 'config'}``; a plain function gives its
    (registered) name.
    """
    if regularizer is None:
        return None
    if not hasattr(regularizer, "get_config") or isinstance(regularizer, type):
        return serialization.serialize_keras_object(regularizer)
    cls = type(regularizer)
    builtin = cls in _BUILTIN
    config = regularizer.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The `get_config()` method of {regularizer} should return a dict. It returned: {config}")
    if use_legacy_format:
        return {"class_name": cls.__name__ if builtin else _registered_name(cls), "config": config}
    if builtin:
        return {"module": _MODULE, "class_name": cls.__name__, "config": _plain(config), "registered_name": None}
    module = None if cls.__module__ == "__main__" else cls.__module__
    return {"module": module, "class_name": cls.__name__, "config": _plain(config),
            "registered_name": _registered_name(cls)}


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """A regularizer from a config dict, or from a name (a class named is built with its defaults).

    ``'l1_l2'`` gives ``L1L2(l1=0.01, l2=0.01)``, not the class defaults.
    """
    if config == "l1_l2":
        return L1L2(l1=0.01, l2=0.01)
    if isinstance(config, dict):
        class_name = config.get("class_name")
        registered = config.get("registered_name")
        if isinstance(registered, str) and registered != class_name and \
                serialization.lookup(registered, ALL_OBJECTS, custom_objects) is not None:
            class_name = registered
        entry = {"class_name": class_name}
        if "config" in config:
            entry["config"] = config["config"]
        if class_name == "l1_l2" and isinstance(entry.get("config"), dict) and \
                serialization.lookup("l1_l2", ALL_OBJECTS, custom_objects) is l1_l2:
            # A factory function, called with the config as its arguments (Keras 2's rule for functions).
            return l1_l2(**entry["config"])
        return serialization.deserialize_keras_object(entry, ALL_OBJECTS, custom_objects, kind=_KIND)
    if isinstance(config, str):
        obj = serialization.deserialize_keras_object(config, ALL_OBJECTS, custom_objects, kind=_KIND)
        return obj() if isinstance(obj, type) else obj
    raise ValueError(f"Could not interpret regularizer identifier: {config!r}")


def get(identifier):
    """``None`` -> None; a name or config dict -> a regularizer; a callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")


__all__ = ["Regularizer", "L1L2", "L1", "L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2", "orthogonal_regularizer",
           "serialize", "deserialize", "get"]
