"""Weight constraints, as ``keras.constraints`` in Keras 2 (tf-keras 2.x).

A constraint is called on a weight after each optimizer update and returns the
projected weight. Norms are computed as Keras 2 does, with ``K.epsilon()`` in
the denominators.
"""
import numpy as np

from fastkeras import backend as K
from fastkeras.saving import serialization


class Constraint:
    """Base class: ``__call__(w)`` returns the projected weight (``w`` itself by default)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return K.sqrt(K.sum(K.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales the weights incident to each unit so their L2 norm along ``axis`` is at most ``max_value``.

    ``w * clip(norm, 0, max_value) / (epsilon + norm)``. For a Dense kernel
    ``(input_dim, units)`` use ``axis=0``; for a Conv2D kernel
    ``(rows, cols, in, out)`` use ``axis=[0, 1, 2]``.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = K.clip(norms, 0, self.max_value)
        return w * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Zeroes the negative weights."""

    def __call__(self, w):
        return w * K.cast(K.greater_equal(w, 0.0), K.floatx())


class UnitNorm(Constraint):
    """Rescales the weights incident to each unit to unit L2 norm along ``axis``: ``w / (epsilon + norm)``."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (K.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the L2 norm along ``axis`` into ``[min_value, max_value]`` at speed ``rate``.

    ``desired = rate * clip(norm, min_value, max_value) + (1 - rate) * norm``;
    the weights become ``w * desired / (epsilon + norm)``.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * K.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


def _radial_source_index(size):
    """For each cell of a ``size x size`` kernel, the diagonal index whose value tf-keras' RadialConstraint puts there.

    tf-keras builds each kernel from the centre outwards: a 1x1 core (odd size) or a
    2x2 core (even size) holding ``kernel[s - 1, s - 1]`` (``s = size // 2``), then
    one ring per step, ring ``d`` holding ``kernel[s + d - 1, s + d - 1]`` (odd) or
    ``kernel[s + d, s + d]`` (even).
    """
    s = size // 2
    i = np.arange(size)
    if size % 2:
        dist = np.abs(i - s)
        ring = np.maximum(dist[:, None], dist[None, :])
        diag = np.where(ring == 0, s - 1, s + ring - 1)
    else:
        dist = np.where(i <= s - 1, s - 1 - i, i - s)
        ring = np.maximum(dist[:, None], dist[None, :])
        diag = np.where(ring == 0, s - 1, s + ring)
    return diag


class RadialConstraint(Constraint):
    """Makes a Conv2D kernel ``(rows, cols, in, out)`` constant on each square ring around its centre.

    Values are taken as tf-keras 2.x takes them (see ``_radial_source_index``):
    for a 4x4 kernel the inner 2x2 block becomes ``v_11`` and the outer ring ``v_33``.
    """

    def __call__(self, w):
        shape = tuple(w.shape)
        if len(shape) != 4:
            raise ValueError(f"The weight tensor must have rank 4. Received weight tensor with shape: {shape}")
        height, width, channels, kernels = (int(d) for d in shape)
        if height != width:
            raise ValueError(f"RadialConstraint needs square kernels (rows == cols). Received weight tensor with "
                             f"shape: {shape}")
        if height == 1:
            return w
        diag = _radial_source_index(height)
        flat_index = (diag * height + diag).reshape(-1)
        flat = K.reshape(w, (height * width, channels * kernels))
        return K.reshape(K.gather(flat, flat_index), (height, width, channels, kernels))


# Aliases, as in tf-keras.
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm
radial_constraint = RadialConstraint
# Legacy aliases.
maxnorm = max_norm
nonneg = non_neg
unitnorm = unit_norm

ALL_OBJECTS = {
    "Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
    "RadialConstraint": RadialConstraint,
    "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm,
    "radial_constraint": RadialConstraint, "maxnorm": MaxNorm, "nonneg": NonNeg, "unitnorm": UnitNorm,
}

_MODULE = "keras.constraints"
_KIND = "constraint"
_BUILTIN = frozenset((Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm, RadialConstraint))


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


def serialize(constraint, use_legacy_format=False):
    """The tf-keras 2.x entry ``{'module', 'class_name', 'config', 'registered_name'}`` of a constraint.

    ``use_legacy_format=True`` gives the Keras 2.0-2.12 ``{'class_name', 'config'}``; a plain function gives its
    (registered) name.
    """
    if constraint is None:
        return None
    if not hasattr(constraint, "get_config") or isinstance(constraint, type):
        return serialization.serialize_keras_object(constraint)
    cls = type(constraint)
    builtin = cls in _BUILTIN
    config = constraint.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The `get_config()` method of {constraint} should return a dict. It returned: {config}")
    if use_legacy_format:
        return {"class_name": cls.__name__ if builtin else _registered_name(cls), "config": config}
    if builtin:
        return {"module": _MODULE, "class_name": cls.__name__, "config": _plain(config), "registered_name": None}
    module = None if cls.__module__ == "__main__" else cls.__module__
    return {"module": module, "class_name": cls.__name__, "config": _plain(config),
            "registered_name": _registered_name(cls)}


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """A constraint from a config dict, or from a name (a class named is built with its defaults)."""
    if isinstance(config, dict):
        class_name = config.get("class_name")
        registered = config.get("registered_name")
        if isinstance(registered, str) and registered != class_name and \
                serialization.lookup(registered, ALL_OBJECTS, custom_objects) is not None:
            class_name = registered
        entry = {"class_name": class_name}
        if "config" in config:
            entry["config"] = config["config"]
        return serialization.deserialize_keras_object(entry, ALL_OBJECTS, custom_objects, kind=_KIND)
    if isinstance(config, str):
        obj = serialization.deserialize_keras_object(config, ALL_OBJECTS, custom_objects, kind=_KIND)
        return obj() if isinstance(obj, type) else obj
    raise ValueError(f"Could not interpret constraint function identifier: {config!r}")


def get(identifier):
    """``None`` -> None; a name or config dict -> a constraint; a callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint function identifier: {identifier}")


__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "RadialConstraint", "max_norm", "non_neg",
           "unit_norm", "min_max_norm", "radial_constraint", "maxnorm", "nonneg", "unitnorm", "serialize",
           "deserialize", "get"]
