"""Activation layers with parameters: LeakyReLU, PReLU, ELU, ThresholdedReLU, ReLU, Softmax.

Numbers given to these layers are stored as float32, as Keras 2 does, so a
config holds e.g. ``alpha: 0.30000001192092896`` exactly like tf-keras'.
"""
import numpy as np

from fastkeras import backend as K
from fastkeras import constraints, initializers, regularizers
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.legacy import interfaces as keras1

# What a masked position adds to a softmax input: large enough to vanish, small enough not to overflow.
_MASKED_LOGIT = {"float16": float(np.finfo(np.float16).min) / 2.0}
_DEFAULT_MASKED_LOGIT = -1e9


def _float32(value):
    return float(np.float32(value))


class _ElementwiseActivation(Layer):
    """Shared plumbing: masks pass through, shape and dtype unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class _Default(float):
    """A default argument value that can be told apart from the same number given explicitly."""


_LEAKY_RELU_ALPHA = _Default(0.3)


class LeakyReLU(_ElementwiseActivation):
    """``x`` for ``x >= 0``, ``alpha * x`` otherwise.

    ``negative_slope`` is Keras 3's name for ``alpha`` (keras.io's Keras 3 GANs write
    ``LeakyReLU(negative_slope=0.2)``); as in Keras 3, ``alpha`` wins when both are given. The config keeps
    Keras 2's ``alpha``.
    """

    def __init__(self, alpha=_LEAKY_RELU_ALPHA, **kwargs):
        if "negative_slope" in kwargs:
            negative_slope = kwargs.pop("negative_slope")
            if alpha is _LEAKY_RELU_ALPHA:
                alpha = negative_slope
            if alpha is None or alpha < 0:
                raise ValueError(f"The negative_slope value of a Leaky ReLU layer cannot be None or negative "
                                 f"value. Expected a float. Received: negative_slope={negative_slope}")
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError(f"The alpha value of a Leaky ReLU layer cannot be None, Expecting a float. Received: "
                             f"{alpha}")
        self.alpha = _float32(alpha)

    def call(self, inputs):
        return K.relu(inputs, alpha=self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class PReLU(Layer):
    """Leaky ReLU with a learned slope per input element: ``x`` for ``x >= 0``, ``alpha * x`` otherwise.

    ``alpha`` has the input's shape without the batch axis, with size 1 along
    ``shared_axes`` (e.g. ``shared_axes=[1, 2]`` shares one slope per channel
    over the image of a Conv2D output).
    """

    @keras1.prelu
    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(f'Layer "{self.name}": `shared_axes` entries must be input axes between 1 and '
                                 f"{len(input_shape) - 1}; received shared_axes={self.shared_axes} for input shape "
                                 f"{input_shape}.")
            param_shape[axis - 1] = 1
        if None in param_shape:
            raise ValueError(f'Layer "{self.name}": every non-shared axis needs a known size to create `alpha`; '
                             f"received input shape {input_shape} with shared_axes={self.shared_axes}.")
        self.alpha = self.add_weight("alpha", tuple(param_shape), initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            axes = {i: input_shape[i] for i in range(1, len(input_shape)) if i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        # relu(x) - alpha * relu(-x), the arrangement Keras uses (its gradients at 0 included).
        return K.relu(inputs) - self.alpha * K.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config


class ELU(_ElementwiseActivation):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError(f"Alpha of an ELU layer cannot be None, expecting a float. Received: {alpha}")
        self.alpha = _float32(alpha)

    def call(self, inputs):
        return K.elu(inputs, self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class ThresholdedReLU(_ElementwiseActivation):
    """``x`` for ``x > theta``, 0 otherwise."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError(f"Theta of a Thresholded ReLU layer cannot be None, expecting a float. Received: {theta}")
        if theta < 0:
            raise ValueError(f"The theta value of a Thresholded ReLU layer should be >=0. Received: {theta}")
        self.theta = _float32(theta)

    def call(self, inputs):
        return inputs * K.cast(K.greater(inputs, self.theta), K.dtype(inputs))

    def get_config(self):
        config = super().get_config()
        config["theta"] = self.theta
        return config


class ReLU(_ElementwiseActivation):
    """``min(x, max_value)`` for ``x >= threshold``, ``negative_slope * (x - threshold)`` otherwise."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: {max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be a negative value. Received: {negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be a negative value. Received: {threshold}")
        self.max_value = None if max_value is None else _float32(max_value)
        self.negative_slope = _float32(negative_slope)
        self.threshold = _float32(threshold)

    def call(self, inputs):
        return K.relu(inputs, alpha=self.negative_slope, max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config


class Softmax(_ElementwiseActivation):
    """Softmax over ``axis`` (an int, or a list of axes normalized together).

    A ``mask`` (1 keeps, 0 drops; broadcastable to the inputs) removes positions
    from the softmax by adding a large negative number to their inputs.
    """

    def __init__(self, axis=-1, robust_masking=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.robust_masking = robust_masking

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        if any(not -rank <= a < rank for a in axes):
            raise ValueError(f'Layer "{self.name}" (Softmax): axis={self.axis} is out of range for inputs of rank {rank} '
                             f"(shape {tuple(input_shape)}).")
        super().build(input_shape)

    def call(self, inputs, mask=None):
        if mask is not None:
            dtype = K.dtype(inputs)
            masked_logit = _MASKED_LOGIT.get(dtype, _DEFAULT_MASKED_LOGIT)
            if self.robust_masking:
                keep = mask if K.dtype(mask) == "bool" else K.greater(mask, 0.5)
                inputs = K.where(keep, inputs, K.constant(masked_logit, dtype=dtype))
            else:
                inputs = inputs + (1.0 - K.cast(mask, dtype)) * masked_logit
        if isinstance(self.axis, (list, tuple)):
            if len(self.axis) > 1:
                return K.exp(inputs - K.logsumexp(inputs, axis=self.axis, keepdims=True))
            return K.softmax(inputs, axis=self.axis[0])
        return K.softmax(inputs, axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        if self.robust_masking:
            config["robust_masking"] = True
        return config
