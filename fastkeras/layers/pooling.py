"""Pooling layers: Max/AveragePooling1D/2D/3D and GlobalMax/GlobalAveragePooling1D/2D/3D.

Windows follow TensorFlow: 'valid' drops incomplete windows; 'same' keeps ``ceil(size / stride)`` windows,
padding at the end first, and padded positions are ignored by the max and left out of the average's count.
"""
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.layers.convolutional import _check_positive_output
from fastkeras.utils.conv_utils import conv_output_length, normalize_padding, normalize_tuple
from fastkeras.legacy import interfaces as keras1


class Pooling(Layer):
    """Base of the N-D window poolings (not used directly)."""

    _pool_mode = None       # 'max' or 'avg'
    _config_order = ("pool_size", "padding", "strides", "data_format")

    def __init__(self, rank, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        if strides is None:
            strides = pool_size
        self.pool_size = normalize_tuple(pool_size, rank, "pool_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.padding = normalize_padding(padding, ("valid", "same"))
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # validates the window against the input size
        self.built = True

    def _pool(self, inputs):
        fn = K.pool2d if self.rank == 2 else K.pool3d
        return fn(inputs, self.pool_size, self.strides, self.padding, self.data_format, self._pool_mode)

    def call(self, inputs):
        return self._pool(inputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f'Layer "{self.name}" ({self.__class__.__name__}) expects inputs of rank '
                             f"{self.rank + 2}, received input shape {input_shape}.")
        first = 1 if self.data_format == "channels_last" else 2
        spatial = tuple(conv_output_length(n, self.pool_size[i], self.padding, self.strides[i])
                        for i, n in enumerate(input_shape[first:first + self.rank]))
        out = input_shape[:first] + spatial + input_shape[first + self.rank:]
        _check_positive_output(self, input_shape, out)
        return out

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config.update({key: getattr(self, key) for key in self._config_order})
        return config


class Pooling1D(Pooling):
    """1-D pooling over ``(batch, steps, features)``, run as 2-D pooling over a unit axis."""

    _config_order = ("strides", "pool_size", "padding", "data_format")

    @keras1.pooling1d
    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs):
        super().__init__(1, pool_size, strides, padding, data_format, **kwargs)

    def _pool(self, inputs):
        axis = 2 if self.data_format == "channels_last" else 3
        outputs = K.pool2d(K.expand_dims(inputs, axis), self.pool_size + (1,), self.strides + (1,), self.padding,
                           self.data_format, self._pool_mode)
        return K.squeeze(outputs, axis)


class MaxPooling1D(Pooling1D):
    """Max over windows of ``pool_size`` steps; ``strides`` defaults to ``pool_size``."""

    _pool_mode = "max"


class AveragePooling1D(Pooling1D):
    """Average over windows of ``pool_size`` steps; ``strides`` defaults to ``pool_size``."""

    _pool_mode = "avg"


class Pooling2D(Pooling):
    @keras1.pooling
    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(2, pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(Pooling2D):
    """Max over ``pool_size`` windows of ``(batch, rows, cols, channels)``."""

    _pool_mode = "max"


class AveragePooling2D(Pooling2D):
    """Average over ``pool_size`` windows; with 'same' padding, over the covered input values only."""

    _pool_mode = "avg"


class Pooling3D(Pooling):
    @keras1.pooling
    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(3, pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(Pooling3D):
    """Max over ``pool_size`` windows of ``(batch, d1, d2, d3, channels)``."""

    _pool_mode = "max"


class AveragePooling3D(Pooling3D):
    """Average over ``pool_size`` windows of ``(batch, d1, d2, d3, channels)``."""

    _pool_mode = "avg"


# ---- global pooling ---------------------------------------------------------------------------------------

class GlobalPooling(Layer):
    """Base of the global poolings: reduces every spatial axis; ``keepdims`` keeps them with size 1."""

    def __init__(self, rank, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = K.normalize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return list(range(first, first + self.rank))

    def build(self, input_shape):
        for axis in self._axes:
            if input_shape[axis] == 0:
                raise ValueError(f'Layer "{self.name}" ({self.__class__.__name__}): incorrect input shape '
                                 f"{tuple(input_shape)} with dimension 0 at reduction axis {axis}.")
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        axes = self._axes
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalMaxPooling1D(GlobalPooling):
    """``(batch, steps, features)`` -> ``(batch, features)``: the max over steps."""

    def __init__(self, data_format="channels_last", keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return K.max(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalAveragePooling1D(GlobalPooling):
    """``(batch, steps, features)`` -> ``(batch, features)``: the mean over steps (over unmasked steps when a
    mask comes with the input)."""

    def __init__(self, data_format="channels_last", keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        steps_axis = self._axes[0]
        if mask is None:
            return K.mean(inputs, axis=steps_axis, keepdims=self.keepdims)
        mask = K.expand_dims(K.cast(mask, inputs.dtype), 2 if self.data_format == "channels_last" else 1)
        return K.sum(inputs * mask, axis=steps_axis, keepdims=self.keepdims) / \
            K.sum(mask, axis=steps_axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling2D(GlobalPooling):
    """``(batch, rows, cols, channels)`` -> ``(batch, channels)``."""

    @keras1.data_format
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return K.max(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalAveragePooling2D(GlobalPooling):
    """``(batch, rows, cols, channels)`` -> ``(batch, channels)``."""

    @keras1.data_format
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return K.mean(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling3D(GlobalPooling):
    """``(batch, d1, d2, d3, channels)`` -> ``(batch, channels)``."""

    @keras1.data_format
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return K.max(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalAveragePooling3D(GlobalPooling):
    """``(batch, d1, d2, d3, channels)`` -> ``(batch, channels)``."""

    @keras1.data_format
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return K.mean(inputs, axis=self._axes, keepdims=self.keepdims)


# Keras aliases.
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
