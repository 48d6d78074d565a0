"""Keras 1 layers that multi-backend Keras 2 kept in ``keras.legacy.layers``: Highway, MaxoutDense and the
AtrousConvolution1D/2D names. They take Keras 1's argument names (``init``, ``W_regularizer``, ``bias``...)
and write them in their configs, as Keras 2.3.1 did, so its saved models load. tf-keras has none of them.
"""
import warnings

from fastkeras import activations, constraints, initializers, regularizers
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.layers.convolutional import Conv1D, Conv2D
from fastkeras.legacy import interfaces

# Keras 1's dilated convolutions: Conv1D/Conv2D with `atrous_rate` as `dilation_rate`.
AtrousConvolution1D = interfaces.keras1_class("AtrousConvolution1D", Conv1D)
AtrousConvolution2D = interfaces.keras1_class("AtrousConvolution2D", Conv2D)


class _Keras1Dense(Layer):
    """The arguments and config Highway and MaxoutDense share."""

    def __init__(self, init="glorot_uniform", W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        if input_dim:
            kwargs.setdefault("input_shape", (input_dim,))
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.init = initializers.get(init)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bool(bias)
        self.input_dim = input_dim
        self.input_spec = InputSpec(ndim=2)

    def _input_dim(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'The last dimension of the inputs to {type(self).__name__} layer "{self.name}" '
                             f"should be defined. Found None in input shape {tuple(input_shape)}.")
        self.input_spec = InputSpec(ndim=2, axes={-1: input_dim})
        return input_dim

    def get_config(self):
        config = super().get_config()
        config.update({
            "init": initializers.serialize(self.init),
            "W_regularizer": regularizers.serialize(self.W_regularizer),
            "b_regularizer": regularizers.serialize(self.b_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "W_constraint": constraints.serialize(self.W_constraint),
            "b_constraint": constraints.serialize(self.b_constraint),
            "bias": self.bias,
            "input_dim": self.input_dim,
        })
        return config


class MaxoutDense(_Keras1Dense):
    """The elementwise maximum of ``nb_feature`` linear (Dense) projections (Goodfellow et al. 2013,
    https://arxiv.org/abs/1302.4389). A linear layer: it takes no activation.

    Shape: ``(batch, input_dim)`` -> ``(batch, output_dim)``. Weights: ``W`` ``(nb_feature, input_dim,
    output_dim)`` and, with ``bias``, ``b`` ``(nb_feature, output_dim)``, as Keras 2.3.1 stored them.
    """

    def __init__(self, output_dim, nb_feature=4, init="glorot_uniform", **kwargs):
        super().__init__(init=init, **kwargs)
        self.output_dim = int(output_dim)
        self.nb_feature = int(nb_feature)

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.W = self.add_weight("W", (self.nb_feature, input_dim, self.output_dim), initializer=self.init,
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        self.b = None
        if self.bias:
            self.b = self.add_weight("b", (self.nb_feature, self.output_dim), initializer="zeros",
                                     regularizer=self.b_regularizer, constraint=self.b_constraint)
        self.built = True

    def call(self, inputs):
        outputs = K.dot(inputs, self.W)  # (batch, nb_feature, output_dim)
        if self.b is not None:
            outputs = outputs + self.b
        return K.max(outputs, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        config = super().get_config()
        config.update({"output_dim": self.output_dim, "nb_feature": self.nb_feature})
        return config


class Highway(_Keras1Dense):
    """A densely connected highway layer (Srivastava et al. 2015, https://arxiv.org/abs/1505.00387):
    ``t * activation(x W + b) + (1 - t) * x`` with the transform gate ``t = sigmoid(x W_carry + b_carry)``.

    Shape: ``(batch, input_dim)`` -> ``(batch, input_dim)``. Weights, in Keras 2.3.1's order: ``W``,
    ``W_carry`` ``(input_dim, input_dim)``, and with ``bias`` ``b`` (zeros) and ``b_carry`` (ones)
    ``(input_dim,)``. The regularizers and constraints apply to ``W`` and ``b``, as in Keras.
    """

    def __init__(self, init="glorot_uniform", activation=None, **kwargs):
        if "transform_bias" in kwargs:
            kwargs.pop("transform_bias")
            warnings.warn("Highway's `transform_bias` argument is gone (as in Keras 2): the gate's bias starts at "
                          "one.", UserWarning, stacklevel=2)
        super().__init__(init=init, **kwargs)
        self.activation = activations.get(activation)

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.W = self.add_weight("W", (input_dim, input_dim), initializer=self.init,
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        # A second instance: an unseeded initializer called twice gives the same values both times.
        carry_init = initializers.deserialize(initializers.serialize(self.init)) \
            if hasattr(self.init, "get_config") else self.init
        self.W_carry = self.add_weight("W_carry", (input_dim, input_dim), initializer=carry_init)
        self.b = self.b_carry = None
        if self.bias:
            self.b = self.add_weight("b", (input_dim,), initializer="zeros", regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
            self.b_carry = self.add_weight("b_carry", (input_dim,), initializer="ones")
        self.built = True

    def call(self, inputs):
        gate = K.dot(inputs, self.W_carry)
        transformed = K.dot(inputs, self.W)
        if self.bias:
            gate = gate + self.b_carry
            transformed = transformed + self.b
        gate = K.sigmoid(gate)
        return self.activation(transformed) * gate + (1 - gate) * inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
