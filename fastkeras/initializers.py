"""Weight initializers, as ``keras.initializers`` in Keras 2 (tf-keras 2.x).

An initializer is called as ``initializer(shape, dtype=None)`` and returns an
engine tensor of that shape (``K.floatx()`` unless ``dtype`` is given) on
``K.default_device()``.

Random initializers follow tf-keras' stateless scheme: a seeded initializer
returns the same values on every call, and so does an unseeded one, which
draws its seed once, on first use, from Python's ``random`` (seeded by
``fastkeras.utils.set_random_seed``); calling an unseeded instance twice
warns, as tf-keras does. Distinct instances draw distinct seeds.
"""
import math
import random
import warnings

import numpy as np

from fastkeras import backend as K
from fastkeras.saving import serialization

_PARTITION_SHAPE = "partition_shape"
_PARTITION_OFFSET = "partition_offset"
_LAYOUT = "layout"
_ALLOWED_INITIALIZER_KWARGS = [_PARTITION_SHAPE, _PARTITION_OFFSET, _LAYOUT]

# Standard deviation of a unit normal truncated to [-2, 2] (scipy.stats.truncnorm.std(a=-2, b=2)).
_TRUNCATED_NORMAL_STD = 0.87962566103423978


def _dtype_name(dtype):
    return K.standardize_dtype(dtype if dtype is not None else K.floatx())


def _is_float(name):
    return name.startswith(("float", "bfloat"))


def _is_int(name):
    return name.startswith(("int", "uint"))


def _assert_float_dtype(dtype):
    name = _dtype_name(dtype)
    if not _is_float(name):
        raise ValueError(f"Expected floating point type, got {name}.")
    return name


def _validate_kwargs(cls_name, kwargs, support_partition=True):
    invalid = [k for k in kwargs if k not in _ALLOWED_INITIALIZER_KWARGS]
    if invalid:
        raise TypeError(f"Unknown keyword arguments: {invalid}. Allowed keyword arguments: "
                        f"{_ALLOWED_INITIALIZER_KWARGS}.")
    if not support_partition and (_PARTITION_SHAPE in kwargs or _PARTITION_OFFSET in kwargs):
        raise ValueError(f"{cls_name} initializer doesn't support partition-related arguments.")


def _shape(shape, kwargs):
    if kwargs.get(_PARTITION_SHAPE) is not None:
        shape = kwargs[_PARTITION_SHAPE]
    return tuple(int(d) for d in shape)


def _compute_fans(shape):
    """(fan_in, fan_out) of a weight shape; kernels are laid out ``(..., input_depth, depth)`` as in Keras."""
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive_field_size = 1
        for dim in shape[:-2]:
            receptive_field_size *= dim
        fan_in = shape[-2] * receptive_field_size
        fan_out = shape[-1] * receptive_field_size
    return int(fan_in), int(fan_out)


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None, **kwargs)``.

    ``get_config`` returns a JSON-serializable dict and ``from_config`` rebuilds
    the initializer from it (by default ``cls(**config)``).
    """

    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)

    def _warn_reuse(self):
        if getattr(self, "_used", False):
            if getattr(self, "seed", None) is None:
                warnings.warn(
                    f"The initializer {self.__class__.__name__} is unseeded and being called multiple times, which "
                    "will return identical values each time (even if the initializer is unseeded). Please update "
                    "your code to provide a seed to the initializer, or avoid using the same initializer instance "
                    "more than once.", stacklevel=4)
        else:
            self._used = True

    def _call_seed(self, kwargs):
        """The seed of this call: the user's, else one drawn once per instance (tf-keras' stateless generator)."""
        seed = getattr(self, "seed", None)
        if seed is None:
            seed = self.__dict__.get("_drawn_seed")
            if seed is None:
                seed = self.__dict__["_drawn_seed"] = random.randint(1, int(1e9))
        offset = kwargs.get(_PARTITION_OFFSET)
        if offset:
            # Each partition of a partitioned variable gets its own stream.
            seed = (int(seed) * 1000003 + hash(tuple(offset))) % (2 ** 63)
        return int(seed)

    def _random_call_prologue(self, kwargs):
        if kwargs.get(_PARTITION_OFFSET) is None:
            self._warn_reuse()
        return self._call_seed(kwargs)


class Zeros(Initializer):
    """Tensors filled with 0."""

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(self.__class__.__name__, kwargs)
        name = _dtype_name(dtype)
        if name in ("string", "object"):
            raise ValueError(f"Expected numeric or boolean dtype, got {name}.")
        return K.zeros(_shape(shape, kwargs), dtype=name)


class Ones(Initializer):
    """Tensors filled with 1."""

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(self.__class__.__name__, kwargs)
        name = _dtype_name(dtype)
        if name in ("string", "object"):
            raise ValueError(f"Expected numeric or boolean dtype, got {name}.")
        return K.ones(_shape(shape, kwargs), dtype=name)


class Constant(Initializer):
    """Tensors filled with ``value`` (a scalar, or an array with as many elements as the shape)."""

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(self.__class__.__name__, kwargs)
        name = _dtype_name(dtype)
        shape = _shape(shape, kwargs)
        value = self.value
        if K.is_tensor(value):
            value = K.to_numpy(value)
        value = np.asarray(value)
        size = int(np.prod(shape, dtype=np.int64))
        if value.size == 1:
            return K.constant(value.reshape(()).item(), dtype=name, shape=shape)
        if value.size != size:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Value {self.value} has "
                            f"{value.size} elements, but got `shape` {shape} with {size} elements.")
        return K.constant(value, dtype=name, shape=shape)

    def get_config(self):
        return {"value": self.value}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("dtype", None)
        value = config.get("value")
        if isinstance(value, dict) and value.get("class_name") in ("__numpy__", "__tensor__"):
            # tf-keras 2.13+ writes an array value as {'class_name': '__numpy__', 'config': {'value', 'dtype'}}.
            inner = value.get("config") or {}
            dtype = inner.get("dtype")
            dtype = "float32" if dtype == "bfloat16" else dtype  # (numpy has no bfloat16)
            # The dtype comes from a file: only plain numbers. A string or void dtype sizes every element
            # itself ('S2000000000': 2 GB per element of a three-element list).
            if not (isinstance(dtype, str) and dtype in _NUMPY_VALUE_DTYPES):
                raise ValueError(f"Constant initializer: a stored array of dtype {dtype!r}; expected one of "
                                 f"{sorted(_NUMPY_VALUE_DTYPES)}.")
            config["value"] = np.asarray(inner.get("value"), dtype=dtype)
        return cls(**config)


# The dtypes of a tf-keras `__numpy__` value a Constant initializer reads from a config.
_NUMPY_VALUE_DTYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                                 "float16", "float32", "float64"})


class RandomUniform(Initializer):
    """Values drawn uniformly from ``[minval, maxval)`` (float or integer dtypes)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(self.__class__.__name__, kwargs)
        name = _dtype_name(dtype)
        if not _is_float(name) and not _is_int(name):
            raise ValueError(f"Expected float or integer dtype, got {name}.")
        shape = _shape(shape, kwargs)
        seed = self._random_call_prologue(kwargs)
        if _is_float(name):
            return K.random_uniform(shape, self.minval, self.maxval, dtype=name, seed=seed)
        # Integers in [minval, maxval), as tf.random.stateless_uniform draws them.
        low, high = int(self.minval), int(self.maxval)
        u = K.random_uniform(shape, 0.0, 1.0, dtype="float64", seed=seed)
        return K.cast(K.minimum(K.floor(u * (high - low)), high - low - 1) + low, name)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    """Values drawn from a normal distribution N(mean, stddev**2)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(self.__class__.__name__, kwargs)
        name = _assert_float_dtype(dtype)
        shape = _shape(shape, kwargs)
        seed = self._random_call_prologue(kwargs)
        return K.random_normal(shape, self.mean, self.stddev, dtype=name, seed=seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(Initializer):
    """Normal values, with those beyond two standard deviations from the mean discarded and redrawn."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(self.__class__.__name__, kwargs)
        name = _assert_float_dtype(dtype)
        shape = _shape(shape, kwargs)
        seed = self._random_call_prologue(kwargs)
        return K.truncated_normal(shape, self.mean, self.stddev, dtype=name, seed=seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(Initializer):
    """Scale adapted to the weight's fans.

    ``n`` is fan_in, fan_out or their mean (``mode``). ``'truncated_normal'``
    draws a normal truncated at two standard deviations whose standard
    deviation after truncation is ``sqrt(scale / n)``; ``'untruncated_normal'``
    a normal of standard deviation ``sqrt(scale / n)``; ``'uniform'`` values in
    ``[-limit, limit]`` with ``limit = sqrt(3 * scale / n)``.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive float. Received: scale={scale}.")
        allowed_modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of the {allowed_modes}.")
        distribution = distribution.lower()
        if distribution == "normal":  # compatibility with Keras 2.0-2.2 configs
            distribution = "truncated_normal"
        allowed_distributions = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed_distributions:
            raise ValueError(f"Invalid `distribution` argument: {distribution}."
                             f"Allowed distributions: {allowed_distributions}.")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(self.__class__.__name__, kwargs)
        name = _assert_float_dtype(dtype)
        shape = _shape(shape, kwargs)
        seed = self._random_call_prologue(kwargs)
        scale = self.scale
        fan_in, fan_out = _compute_fans(shape)
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_NORMAL_STD
            return K.truncated_normal(shape, 0.0, stddev, dtype=name, seed=seed)
        if self.distribution == "untruncated_normal":
            return K.random_normal(shape, 0.0, math.sqrt(scale), dtype=name, seed=seed)
        limit = math.sqrt(3.0 * scale)
        return K.random_uniform(shape, -limit, limit, dtype=name, seed=seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class Orthogonal(Initializer):
    """An orthogonal matrix from the QR decomposition of a normal one, times ``gain``.

    A shape of rank > 2 is treated as a ``(prod(shape[:-1]), shape[-1])`` matrix
    and reshaped; with fewer rows than columns the rows are orthonormal.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        self.seed = seed

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(self.__class__.__name__, kwargs, support_partition=False)
        name = _assert_float_dtype(dtype)
        shape = _shape(shape, kwargs)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: "
                             f"shape={shape} of rank {len(shape)}.")
        seed = self._random_call_prologue(kwargs)
        return K.orthogonal(shape, gain=self.gain, dtype=name, seed=seed)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2D shapes only; rectangular allowed)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        _validate_kwargs(self.__class__.__name__, kwargs, support_partition=False)
        name = _assert_float_dtype(dtype)
        shape = _shape(shape, kwargs)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. Received: "
                             f"shape={shape} of rank {len(shape)}.")
        eye = K.eye(shape, dtype=name)
        return eye if self.gain == 1 else self.gain * eye

    def get_config(self):
        return {"gain": self.gain}


class GlorotUniform(VarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))`` (Xavier uniform)."""

    def __init__(self, seed=None):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))`` (Xavier normal)."""

    def __init__(self, seed=None):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    """Truncated normal with ``stddev = sqrt(1 / fan_in)``."""

    def __init__(self, seed=None):
        super().__init__(scale=1.0, mode="fan_in", distribution="truncated_normal", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunUniform(VarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``."""

    def __init__(self, seed=None):
        super().__init__(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / fan_in)``."""

    def __init__(self, seed=None):
        super().__init__(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    """Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``."""

    def __init__(self, seed=None):
        super().__init__(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


_CLASSES = (Initializer, Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling,
            Orthogonal, Identity, GlorotUniform, GlorotNormal, LecunNormal, LecunUniform, HeNormal, HeUniform)

# The lookup table of tf-keras 2.x: class names, their snake_case forms, the 'V2' names and the old aliases.
ALL_OBJECTS = {}
for _cls in _CLASSES:
    ALL_OBJECTS[_cls.__name__] = _cls
    ALL_OBJECTS[K.to_snake_case(_cls.__name__)] = _cls
    if _cls is not Initializer:
        ALL_OBJECTS[_cls.__name__ + "V2"] = _cls
for _name in ("glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform"):
    ALL_OBJECTS[_name + "V2"] = ALL_OBJECTS[_name]
ALL_OBJECTS["normal"] = RandomNormal
ALL_OBJECTS["uniform"] = RandomUniform
ALL_OBJECTS["one"] = Ones
ALL_OBJECTS["zero"] = Zeros
# Keras 3's longer names of the same classes (they serialize as Identity and Orthogonal there too).
ALL_OBJECTS["IdentityInitializer"] = Identity
ALL_OBJECTS["OrthogonalInitializer"] = Orthogonal
del _cls, _name

# Keras 3's STFT kernel initializer (its own module: it needs scipy's windows, loaded only when used).
from fastkeras.initializers_stft import STFT  # noqa: E402
ALL_OBJECTS.update({"STFT": STFT, "stft": STFT, "STFTInitializer": STFT})
STFTInitializer = STFT

# Lowercase shortcuts, as tf-keras exports them (`keras.initializers.glorot_uniform` is the class).
zeros = zero = Zeros
ones = one = Ones
constant = Constant
random_uniform = uniform = RandomUniform
random_normal = normal = RandomNormal
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
orthogonal = Orthogonal
identity = Identity
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
he_normal = HeNormal
he_uniform = HeUniform

_MODULE = "keras.initializers"
_KIND = "initializer"
_BUILTIN = frozenset(_CLASSES) | {STFT}


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


def serialize(initializer, use_legacy_format=False):
    """The tf-keras 2.x entry ``{'module', 'class_name', 'config', 'registered_name'}`` of an initializer.

    ``use_legacy_format=True`` gives the Keras 2.0-2.12 ``{'class_name', 'config'}``; a plain function gives its
    (registered) name.
    """
    if initializer is None:
        return None
    if not hasattr(initializer, "get_config") or isinstance(initializer, type):
        return serialization.serialize_keras_object(initializer)
    cls = type(initializer)
    builtin = cls in _BUILTIN
    config = initializer.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The `get_config()` method of {initializer} should return a dict. It returned: {config}")
    if use_legacy_format:
        return {"class_name": cls.__name__ if builtin else _registered_name(cls), "config": config}
    if builtin:
        return {"module": _MODULE, "class_name": cls.__name__, "config": _plain(config), "registered_name": None}
    module = None if cls.__module__ == "__main__" else cls.__module__
    return {"module": module, "class_name": cls.__name__, "config": _plain(config),
            "registered_name": _registered_name(cls)}


def _config_entry(identifier, custom_objects):
    """A class entry whose 'class_name' is the registered name when that is what resolves."""
    class_name = identifier.get("class_name")
    registered = identifier.get("registered_name")
    if isinstance(registered, str) and registered != class_name and \
            serialization.lookup(registered, ALL_OBJECTS, custom_objects) is not None:
        class_name = registered
    entry = {"class_name": class_name}
    if "config" in identifier:
        entry["config"] = identifier["config"]
    return entry


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """An initializer from a config dict, or from a name (a class named is instantiated with its defaults)."""
    if isinstance(config, dict):
        entry = _config_entry(config, custom_objects)
        return serialization.deserialize_keras_object(entry, ALL_OBJECTS, custom_objects, kind=_KIND)
    if isinstance(config, str):
        obj = serialization.deserialize_keras_object(config, ALL_OBJECTS, custom_objects, kind=_KIND)
        return obj() if isinstance(obj, type) else obj
    raise ValueError(f"Could not interpret initializer identifier: {config!r}")


def get(identifier):
    """``None`` -> None; a name or config dict -> a new initializer; a class -> an instance; a callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if callable(identifier):
        if isinstance(identifier, type):
            return identifier()
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")


# keras.Variable("zeros", shape=...) resolves its initializer name here (the backend never imports this module).
K.register_engine_hooks(get_initializer=get)

__all__ = [cls.__name__ for cls in _CLASSES] + [
    "zeros", "zero", "ones", "one", "constant", "random_uniform", "uniform", "random_normal", "normal",
    "truncated_normal", "variance_scaling", "orthogonal", "identity", "glorot_uniform", "glorot_normal",
    "lecun_normal", "lecun_uniform", "he_normal", "he_uniform", "serialize", "deserialize", "get", "STFT",
    "STFTInitializer"]
