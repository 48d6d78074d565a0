"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda, Identity."""
import inspect
import types

import numpy as np

from fastkeras import activations, constraints, initializers, regularizers
from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.legacy import interfaces as keras1


class Dense(Layer):
    """``output = activation(dot(input, kernel) + bias)``.

    Shape: ``(batch, ..., input_dim)`` -> ``(batch, ..., units)``; the kernel is
    ``(input_dim, units)`` as in Keras, so Keras weight files load unchanged.
    """

    @keras1.dense
    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        original_units = units
        try:  # tf-keras takes anything int() takes (a float 64.0, a numpy integer)
            units = int(units) if not isinstance(units, int) else units
        except (TypeError, ValueError):
            units = None
        if units is None or units <= 0:
            raise ValueError(f'Layer "{self.name}" (Dense): received an invalid value for '
                             f"`units`, expected a positive integer. Received: units={original_units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        last_dim = input_shape[-1]
        if last_dim is None:
            raise ValueError(f'The last dimension of the inputs to Dense layer "{self.name}" should be defined. '
                             f"Found None in input shape {tuple(input_shape)}.")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight("kernel", (last_dim, self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        # Under a mixed policy autocast already runs the matmul in 16 bits: no round trip through float32.
        if inputs.dtype != self.kernel.dtype and self._mixed_policy is None:
            inputs = K.cast(inputs, K.dtype(self.kernel))
        return activations.apply_to_own_output(self.activation, K.dense(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return config


class Identity(Layer):
    """Returns its input unchanged (a placeholder layer); any arguments besides the base layer's are refused.

    Shape: any; unchanged.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return tree.map_structure(lambda t: t, inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def _output_dtype(self, inputs):
        flat = tree.flatten(inputs)
        return flat[0].dtype if flat else self.dtype


class Activation(Layer):
    """Applies an activation function by name or callable; shape unchanged."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


_SEED_STRIDE = 1_000_003


class _SeedStream:
    """A reproducible stream of per-call seeds for a layer built with ``seed``.

    Keras 2 seeds a layer's generator once, so successive training calls draw
    different noise while a rerun repeats the sequence; ``seed=None`` draws from
    the engine's global generator (seeded by ``set_random_seed``).
    """

    def _next_seed(self):
        if self.seed is None:
            return None
        calls = self.__dict__.get("_seed_calls", 0)
        self._seed_calls = calls + 1
        return (int(self.seed) + _SEED_STRIDE * calls) % (2 ** 63)


class Dropout(_SeedStream, Layer):
    """Zeroes a fraction ``rate`` of inputs during training and scales the rest by ``1 / (1 - rate)``."""

    @keras1.dropout
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(f"Invalid value {rate} received for `rate` of Dropout layer, expected a value "
                             "between 0 and 1.")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=None):
        if training is None:
            training = K.learning_phase()
        if not training or self.rate == 0:
            return inputs
        return K.dropout(inputs, self.rate, noise_shape=self.noise_shape, seed=self._next_seed())

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config


class Flatten(Layer):
    """``(batch, d1, d2, ...)`` -> ``(batch, d1 * d2 * ...)``; channels_first inputs are flattened in
    channels_last order so weights stay interchangeable between formats."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self._channels_first = self.data_format == "channels_first"

    def call(self, inputs):
        if self._channels_first and inputs.ndim > 2:
            inputs = K.permute_dimensions(inputs, (0,) + tuple(range(2, inputs.ndim)) + (1,))
        if inputs.ndim == 1:
            return K.expand_dims(inputs, 1)
        return K.batch_flatten(inputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) == 1:
            return input_shape + (1,)
        rest = input_shape[1:]
        size = None if None in rest else int(np.prod(rest))
        return (input_shape[0], size)

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


def _reshape_target(layer_name, input_shape, target_shape):
    """``target_shape`` with its one -1 resolved for ``input_shape`` (batch excluded)."""
    target = list(target_shape)
    unknown = [i for i, d in enumerate(target) if d == -1]
    if len(unknown) > 1:
        raise ValueError(f'Layer "{layer_name}": there can only be one unknown dimension (-1) in `target_shape`, '
                         f"received {tuple(target_shape)}.")
    if None in input_shape:
        if unknown:
            target[unknown[0]] = None
        return tuple(target)
    total = int(np.prod(input_shape))
    known = int(np.prod([d for d in target if d != -1]))
    if unknown:
        if known == 0 or total % known:
            raise ValueError(f'Layer "{layer_name}": total size of the new array must be unchanged, '
                             f"input_shape = {list(input_shape)}, output_shape = {list(target_shape)}")
        target[unknown[0]] = total // known
    elif known != total:
        raise ValueError(f'Layer "{layer_name}": total size of the new array must be unchanged, '
                         f"input_shape = {list(input_shape)}, output_shape = {list(target_shape)}")
    return tuple(target)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        return K.reshape(inputs, (inputs.shape[0],) + _reshape_target(self.name, tuple(inputs.shape[1:]),
                                                                       self.target_shape))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + _reshape_target(self.name, tuple(input_shape[1:]), self.target_shape)

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Permute(Layer):
    """Permutes the non-batch axes: ``Permute((2, 1))`` swaps axes 1 and 2 (indices start at 1)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                             f"must be consecutive and start from 1. Received dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return K.permute_dimensions(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(Layer):
    """``(batch, features)`` -> ``(batch, n, features)``."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return K.repeat(inputs, self.n)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


class Lambda(Layer):
    """Wraps a Python callable as a layer: ``Lambda(lambda x: x ** 2)``.

    The output shape is inferred by running the function on shape-only tensors
    unless ``output_shape`` (a tuple without the batch axis, or a function of the
    input shape) is given. Function code from a file is never executed on load:
    see ``from_config``.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda layer expects a callable `function`, received {type(function).__name__}.")
        self.function = function
        self.arguments = arguments or {}
        self.mask = mask
        self._output_shape = output_shape
        params = inspect.signature(function).parameters if _has_signature(function) else {}
        self._fn_accepts_mask = "mask" in params
        self._fn_accepts_training = "training" in params
        self.supports_masking = mask is not None

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_accepts_mask:
            kwargs["mask"] = mask
        if self._fn_accepts_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def _infer_outputs(self, inputs, extra_args, kwargs):
        if self._output_shape is None:
            return self._meta_outputs(inputs, extra_args, kwargs)
        return super()._infer_outputs(inputs, extra_args, kwargs)

    def _output_dtype(self, inputs):
        flat = tree.flatten(inputs)
        return flat[0].dtype if flat else self.dtype

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            shape = self._output_shape(input_shape)
            return tuple(shape) if not (isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple))) \
                else [tuple(s) for s in shape]
        batch = input_shape[0][0] if isinstance(input_shape, list) and input_shape and \
            isinstance(input_shape[0], (list, tuple)) else input_shape[0]
        return (batch,) + tuple(self._output_shape)

    def get_config(self):
        config = super().get_config()
        fn, fn_type, module = _serialize_function(self.function)
        config.update({"function": fn, "function_type": fn_type, "module": module})
        if callable(self._output_shape):
            shape, shape_type, shape_module = _serialize_function(self._output_shape)
        else:
            shape, shape_type, shape_module = self._output_shape, "raw", None
        config.update({"output_shape": shape, "output_shape_type": shape_type, "output_shape_module": shape_module})
        if self.mask is not None:
            mask, mask_type, mask_module = _serialize_function(self.mask) if callable(self.mask) else \
                (self.mask, "raw", None)
            config.update({"mask": mask, "mask_type": mask_type, "mask_module": mask_module})
        config["arguments"] = {k: ({"type": "ndarray", "value": v.tolist()} if isinstance(v, np.ndarray) else v)
                               for k, v in self.arguments.items()}
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Rebuilds the layer. A function stored by name resolves only through ``custom_objects`` (or
        registered objects); stored bytecode is refused unless ``safe_mode=False`` was given for a trusted file
        (None: the mode ``load_model``'s caller chose, safe by default)."""
        if safe_mode is None:
            from fastkeras.saving.safety import in_safe_mode
            safe_mode = in_safe_mode()
        config = dict(config)
        name = config.get("name", "lambda")
        config["function"] = _parse_function(config, name, "function", "function_type", custom_objects, safe_mode)
        if config.get("output_shape_type") in ("function", "lambda"):
            config["output_shape"] = _parse_function(config, name, "output_shape", "output_shape_type",
                                                     custom_objects, safe_mode)
        elif isinstance(config.get("output_shape"), list):
            config["output_shape"] = tuple(config["output_shape"])
        if config.get("mask_type") in ("function", "lambda"):
            config["mask"] = _parse_function(config, name, "mask", "mask_type", custom_objects, safe_mode)
        arguments = dict(config.get("arguments") or {})
        for key, value in arguments.items():
            if isinstance(value, dict) and value.get("type") == "ndarray":
                arguments[key] = np.asarray(value["value"])
        config["arguments"] = arguments
        for key in ("function_type", "module", "output_shape_type", "output_shape_module", "mask_type", "mask_module"):
            config.pop(key, None)
        return cls(**config)


def _has_signature(fn):
    try:
        inspect.signature(fn)
        return True
    except (TypeError, ValueError):
        return False


def _serialize_function(fn):
    """(payload, type, module): a named function by name; a lambda as Keras 2's base64 bytecode triple."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        from fastkeras.utils.generic_utils import func_dump
        return func_dump(fn), "lambda", fn.__module__
    return getattr(fn, "__name__", type(fn).__name__), "function", getattr(fn, "__module__", None)


def _parse_function(config, layer_name, key, type_key, custom_objects, safe_mode):
    from fastkeras.saving.serialization import lookup
    kind = config.get(type_key, "function")
    value = config.get(key)
    if kind == "function":
        fn = lookup(value, {}, custom_objects) if isinstance(value, str) else None
        if fn is None:
            raise ValueError(f'Lambda layer "{layer_name}" refers to a function named {value!r} that is not known. '
                             "Pass it in `custom_objects={...}` when loading; fastkeras never imports a module named "
                             "in a file.")
        return fn
    if kind == "lambda":
        if safe_mode:
            raise ValueError(f'Lambda layer "{layer_name}" stores Python bytecode, and loading it would run code from '
                             "the file. This is refused in safe mode. If you trust the file's source, load it with "
                             "`safe_mode=False`, or rebuild the layer in code and pass its function in "
                             "`custom_objects`.")
        from fastkeras.saving.safety import safe_mode_scope
        from fastkeras.saving.unsafe import load_lambda_bytecode
        with safe_mode_scope(False):
            return load_lambda_bytecode(value, layer_name, config.get("module"))
    if kind == "raw":
        return value
    raise ValueError(f'Lambda layer "{layer_name}": unknown {type_key} {kind!r} (expected "function" or "lambda").')
