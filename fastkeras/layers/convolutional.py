"""Convolution layers: Conv1D/2D/3D, SeparableConv1D/2D, DepthwiseConv1D/2D, Conv1D/2D/3DTranspose.

Weights are in Keras layout, so Keras weight files load unchanged: a kernel is ``(*kernel_size, in / groups,
filters)``, a depthwise kernel ``(*kernel_size, in, depth_multiplier)``, a pointwise kernel ``(1, ..., 1,
in * depth_multiplier, filters)`` and a transposed convolution's kernel ``(*kernel_size, filters, in)``. Padding
'same' is TensorFlow's (any extra pad goes at the end), so outputs match tf-keras.
"""
from fastkeras import activations, constraints, initializers, regularizers
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.utils.conv_utils import conv_output_length, deconv_output_length, normalize_padding, normalize_tuple
from fastkeras.legacy import interfaces as keras1


def _check_positive_output(layer, input_shape, output_shape):
    if any(d is not None and d <= 0 for d in output_shape):
        raise ValueError(
            f'One of the dimensions in the output is <= 0 due to downsampling in layer "{layer.name}" '
            f"({layer.__class__.__name__}, kernel_size={getattr(layer, 'kernel_size', None) or layer.pool_size}, "
            f"strides={layer.strides}, padding={layer.padding!r}). Consider increasing the input size. Received "
            f"input shape {tuple(input_shape)} which would produce output shape {tuple(output_shape)}, with a zero "
            "or negative value in a dimension.")


def _channel_dim(layer, input_shape, axis):
    channels = input_shape[axis]
    if channels is None:
        raise ValueError(f'The channel dimension of the inputs to layer "{layer.name}" ({layer.__class__.__name__}) '
                         f"should be defined. The input_shape received is {tuple(input_shape)}, where axis {axis} "
                         "(0-based) is the channel dimension, which found to be `None`.")
    return int(channels)


# ---- convolutions ----------------------------------------------------------------------------------------

class Conv(Layer):
    """Base of the N-D convolutions (not used directly): ``activation(conv(inputs, kernel) + bias)``.

    Inputs are ``(batch, *spatial, channels)`` (channels_last) or ``(batch, channels, *spatial)``; more leading
    batch axes are allowed and folded into one for the convolution.
    """

    _conv_function = None  # name of the K function that convolves: 'conv1d', 'conv2d', ...

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        if isinstance(filters, float):
            filters = int(filters)
        if filters is not None and filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly positive value. "
                             f"Received filters={filters}.")
        self.filters = filters
        self.groups = groups or 1
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = K.normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)
        self._validate_init()

    def _validate_init(self):
        if self.filters is not None and self.filters % self.groups != 0:
            raise ValueError("The number of filters must be evenly divisible by the number of groups. "
                             f"Received: groups={self.groups}, filters={self.filters}")
        if self.padding == "causal" and not self._allows_causal:
            raise ValueError(f"Causal padding is only supported for `Conv1D` and `SeparableConv1D` (layer "
                             f'"{self.name}" is a {self.__class__.__name__}).')
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")

    _allows_causal = False

    @property
    def _channel_axis(self):
        return -1 - self.rank if self.data_format == "channels_first" else -1

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        channels = _channel_dim(self, input_shape, self._channel_axis)
        if channels % self.groups != 0:
            raise ValueError("The number of input channels must be evenly divisible by the number of groups. "
                             f"Received groups={self.groups}, but the input has {channels} channels (full input "
                             f"shape is {input_shape}).")
        self.compute_output_shape(input_shape)  # validates the spatial sizes
        self.kernel = self.add_weight("kernel", self.kernel_size + (channels // self.groups, self.filters),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def convolution_op(self, inputs, kernel):
        """The convolution of ``inputs`` with ``kernel``, without bias or activation.

        tf-keras' (2.7+) and Keras 3's hook: a subclass overrides it to change the convolution (a standardized
        kernel, say) and keeps the rest of the layer, or calls it from its own ``call``.
        """
        return getattr(K, self._conv_function)(inputs, kernel, self.strides, self.padding, self.data_format,
                                               self.dilation_rate)

    def _convolve(self, inputs):
        if type(self).convolution_op is not Conv.convolution_op:
            outputs = self.convolution_op(inputs, self.kernel)
            return outputs if self.bias is None else K.bias_add(outputs, self.bias, data_format=self.data_format)
        return getattr(K, self._conv_function)(inputs, self.kernel, self.strides, self.padding, self.data_format,
                                               self.dilation_rate, bias=self.bias)

    def call(self, inputs):
        if inputs.dtype != self._weight_dtype() and self._mixed_policy is None:  # mixed: autocast's 16 bits
            inputs = K.cast(inputs, self._weight_dtype())
        shape = tuple(inputs.shape)
        extra_batch = len(shape) > self.rank + 2
        if extra_batch:
            inputs = K.reshape(inputs, (-1,) + shape[-(self.rank + 1):])
        outputs = self._convolve(inputs)
        if extra_batch:
            outputs = K.reshape(outputs, shape[:-(self.rank + 1)] + tuple(outputs.shape[1:]))
        return activations.apply_to_own_output(self.activation, outputs)

    def _weight_dtype(self):
        return self.kernel.dtype

    def _out_channels(self, input_shape):
        return self.filters

    def _spatial_output_shape(self, spatial):
        return tuple(conv_output_length(n, self.kernel_size[i], self.padding, self.strides[i],
                                        self.dilation_rate[i]) for i, n in enumerate(spatial))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < self.rank + 2:
            raise ValueError(f'Layer "{self.name}" ({self.__class__.__name__}) expects inputs of rank >= '
                             f"{self.rank + 2}, received input shape {input_shape}.")
        batch_rank = len(input_shape) - self.rank - 1
        channels = self._out_channels(input_shape)
        if self.data_format == "channels_last":
            out = input_shape[:batch_rank] + self._spatial_output_shape(input_shape[batch_rank:-1]) + (channels,)
        else:
            out = input_shape[:batch_rank] + (channels,) + self._spatial_output_shape(input_shape[batch_rank + 1:])
        _check_positive_output(self, input_shape, out)
        return out

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
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


class Conv1D(Conv):
    """1-D convolution over ``(batch, steps, channels)``; padding 'valid', 'same' or 'causal'."""

    _conv_function = "conv1d"
    _allows_causal = True

    @keras1.conv1d
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class Conv2D(Conv):
    """2-D convolution over ``(batch, rows, cols, channels)``; kernel ``(kh, kw, in / groups, filters)``."""

    _conv_function = "conv2d"

    @keras1.conv2d
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class Conv3D(Conv):
    """3-D convolution over ``(batch, depth, rows, cols, channels)``."""

    _conv_function = "conv3d"

    @keras1.conv3d
    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


# ---- depthwise and separable convolutions ------------------------------------------------------------------

class DepthwiseConv(Conv):
    """Base of DepthwiseConv1D/2D: each input channel convolved with its own ``depth_multiplier`` filters;
    output channel ``c * depth_multiplier + m``."""

    def __init__(self, rank, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, None, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        if self.depth_multiplier <= 0:
            raise ValueError(f"`depth_multiplier` must be a positive integer. Received: {depth_multiplier}")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_initializer = initializers.get(bias_initializer)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        channels = _channel_dim(self, input_shape, self._channel_axis)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (channels * self.depth_multiplier,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _weight_dtype(self):
        return self.depthwise_kernel.dtype

    def _convolve(self, inputs):
        return getattr(K, self._conv_function)(inputs, self.depthwise_kernel, self.strides, self.padding,
                                               self.data_format, self.dilation_rate, bias=self.bias)

    def _out_channels(self, input_shape):
        channels = input_shape[self._channel_axis]
        return None if channels is None else channels * self.depth_multiplier

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        config["depth_multiplier"] = self.depth_multiplier
        config["depthwise_initializer"] = initializers.serialize(self.depthwise_initializer)
        config["depthwise_regularizer"] = regularizers.serialize(self.depthwise_regularizer)
        config["depthwise_constraint"] = constraints.serialize(self.depthwise_constraint)
        return config


class DepthwiseConv1D(DepthwiseConv):
    """Depthwise 1-D convolution; ``depthwise_kernel`` ``(k, in, depth_multiplier)``."""

    _conv_function = "depthwise_conv1d"

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)


class DepthwiseConv2D(DepthwiseConv):
    """Depthwise 2-D convolution; ``depthwise_kernel`` ``(kh, kw, in, depth_multiplier)``."""

    _conv_function = "depthwise_conv2d"

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)


class SeparableConv(Conv):
    """Base of SeparableConv1D/2D: a depthwise convolution, then a pointwise (1x1) one to ``filters``."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        if self.depth_multiplier <= 0:
            raise ValueError(f"`depth_multiplier` must be a positive integer. Received: {depth_multiplier}")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        channels = _channel_dim(self, input_shape, self._channel_axis)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _weight_dtype(self):
        return self.depthwise_kernel.dtype

    def _convolve(self, inputs):
        return getattr(K, self._conv_function)(inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides,
                                               self.padding, self.data_format, self.dilation_rate, bias=self.bias)

    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
        })
        return config


class SeparableConv1D(SeparableConv):
    """Depthwise-separable 1-D convolution; padding 'valid', 'same' or 'causal'."""

    _conv_function = "separable_conv1d"
    _allows_causal = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class SeparableConv2D(SeparableConv):
    """Depthwise-separable 2-D convolution: ``depthwise_kernel`` (kh, kw, in, depth_multiplier), then
    ``pointwise_kernel`` (1, 1, in * depth_multiplier, filters)."""

    _conv_function = "separable_conv2d"

    @keras1.separable_conv2d
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


# ---- transposed convolutions ---------------------------------------------------------------------------------

class ConvTranspose(Conv):
    """Base of Conv1D/2D/3DTranspose, the gradient of a convolution: kernel ``(*kernel_size, filters, in)``.

    ``output_padding`` (each entry < the stride) fixes the output size; None infers it.
    """

    _keeps_dilation_in_config = True

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        groups = kwargs.pop("groups", 1)
        if (groups or 1) != 1:
            raise ValueError(f"{self.__class__.__name__} does not support groups; received groups={groups}.")
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
        if self.padding == "causal":
            raise ValueError(f'Layer "{self.name}" ({self.__class__.__name__}): padding must be "valid" or "same", '
                             'received "causal".')
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, rank, "output_padding", allow_zero=True)
            for stride, out_pad in zip(self.strides, self.output_padding):
                if out_pad >= stride:
                    raise ValueError("Strides must be greater than output padding. "
                                     f"Received strides={self.strides}, output_padding={self.output_padding}.")
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        channels = _channel_dim(self, input_shape, self._channel_axis)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _spatial_output_shape(self, spatial):
        pads = self.output_padding or (None,) * self.rank
        return tuple(deconv_output_length(n, self.kernel_size[i], self.padding, output_padding=pads[i],
                                          stride=self.strides[i], dilation=self.dilation_rate[i])
                     for i, n in enumerate(spatial))

    def _convolve(self, inputs):
        output_shape = self.compute_output_shape(tuple(inputs.shape))
        return getattr(K, self._conv_function)(inputs, self.kernel, output_shape, self.strides, self.padding,
                                               self.data_format, self.dilation_rate, bias=self.bias)

    def get_config(self):
        config = super().get_config()
        if not self._keeps_dilation_in_config:
            config.pop("dilation_rate")
        config["output_padding"] = self.output_padding
        return config


class Conv1DTranspose(ConvTranspose):
    """Transposed 1-D convolution; kernel ``(k, filters, in)``."""

    _conv_function = "conv1d_transpose"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class Conv2DTranspose(ConvTranspose):
    """Transposed 2-D convolution ("deconvolution"); kernel ``(kh, kw, filters, in)``."""

    _conv_function = "conv2d_transpose"

    @keras1.conv2d_transpose
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class Conv3DTranspose(ConvTranspose):
    """Transposed 3-D convolution; kernel ``(kd, kh, kw, filters, in)``. As in tf-keras, its config has no
    ``dilation_rate``."""

    _conv_function = "conv3d_transpose"
    _keeps_dilation_in_config = False

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        if normalize_tuple(dilation_rate, 3, "dilation_rate") != (1, 1, 1):
            raise ValueError("Conv3DTranspose does not support `dilation_rate` other than 1 (tf-keras ignores it "
                             f"and does not save it). Received: dilation_rate={dilation_rate}")
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=1, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


# Keras aliases.
SeparableConvolution1D = SeparableConv1D
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
# Keras 1's class names: they also read Keras 1's positional forms (Convolution2D(nb_filter, nb_row, nb_col)),
# and make the Keras 2 layers.
Convolution1D = keras1.keras1_class("Convolution1D", Conv1D)
Convolution2D = keras1.keras1_class("Convolution2D", Conv2D)
Convolution3D = keras1.keras1_class("Convolution3D", Conv3D)
SeparableConvolution2D = keras1.keras1_class("SeparableConvolution2D", SeparableConv2D)
Deconvolution2D = keras1.keras1_class("Deconvolution2D", Conv2DTranspose)
