"""Spatial reshaping layers: UpSampling1D/2D/3D, ZeroPadding1D/2D/3D, Cropping1D/2D/3D."""
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.utils.conv_utils import normalize_tuple
from fastkeras.legacy import interfaces as keras1


def _spatial_first(data_format):
    return 1 if data_format == "channels_last" else 2


def _pairs(value, rank, name):
    """An int, ``rank`` ints (symmetric) or ``rank`` pairs -> ``rank`` (before, after) pairs."""
    if isinstance(value, int):
        return ((value, value),) * rank
    if hasattr(value, "__len__"):
        if len(value) != rank:
            raise ValueError(f"`{name}` should have {rank} elements. Received: {value}.")
        ordinals = ("1st", "2nd", "3rd")
        return tuple(normalize_tuple(v, 2, f"{ordinals[i]} entry of {name}", allow_zero=True)
                     for i, v in enumerate(value))
    raise ValueError(f"`{name}` should be either an int, a tuple of {rank} ints or a tuple of {rank} tuples of 2 "
                     f"ints. Received: {value}.")


class _SpatialLayer(Layer):
    """Shared parts: rank, data format, dtype passthrough."""

    def __init__(self, rank, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _map_spatial(self, input_shape, fn):
        input_shape = tuple(input_shape)
        first = _spatial_first(self.data_format)
        spatial = tuple(None if n is None else fn(i, n) for i, n in enumerate(input_shape[first:first + self.rank]))
        return input_shape[:first] + spatial + input_shape[first + self.rank:]

    def _output_dtype(self, inputs):
        return inputs.dtype


# ---- up-sampling --------------------------------------------------------------------------------------------

class UpSampling1D(_SpatialLayer):
    """Repeats each step ``size`` times: ``(batch, steps, features)`` -> ``(batch, steps * size, features)``."""

    @keras1.upsampling1d
    def __init__(self, size=2, **kwargs):
        super().__init__(1, "channels_last", **kwargs)
        self.size = int(size)

    def call(self, inputs):
        return K.repeat_elements(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        return self._map_spatial(input_shape, lambda i, n: n * self.size)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config


_INTERPOLATIONS = ("nearest", "bilinear", "area")
_TF_ONLY_INTERPOLATIONS = ("bicubic", "gaussian", "lanczos3", "lanczos5", "mitchellcubic")


class UpSampling2D(_SpatialLayer):
    """Scales rows and columns by ``size``, with 'nearest' (repeat) or 'bilinear' interpolation."""

    @keras1.data_format
    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(2, data_format, **kwargs)
        self.size = normalize_tuple(size, 2, "size")
        if interpolation not in _INTERPOLATIONS:
            if interpolation in _TF_ONLY_INTERPOLATIONS:
                raise ValueError(f'UpSampling2D layer "{self.name}": interpolation {interpolation!r} is not '
                                 f"supported by fastkeras (supported: {', '.join(_INTERPOLATIONS)}).")
            raise ValueError("`interpolation` argument should be one of "
                             f"{', '.join(repr(i) for i in _INTERPOLATIONS + _TF_ONLY_INTERPOLATIONS)}. "
                             f"Received: {interpolation!r}.")
        self.interpolation = interpolation

    def call(self, inputs):
        return K.resize_images(inputs, self.size[0], self.size[1], self.data_format,
                               interpolation=self.interpolation)

    def compute_output_shape(self, input_shape):
        return self._map_spatial(input_shape, lambda i, n: n * self.size[i])

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format, "interpolation": self.interpolation})
        return config


class UpSampling3D(_SpatialLayer):
    """Repeats voxels ``size`` times along each of the three spatial axes."""

    @keras1.data_format
    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(3, data_format, **kwargs)
        self.size = normalize_tuple(size, 3, "size")

    def call(self, inputs):
        return K.resize_volumes(inputs, self.size[0], self.size[1], self.size[2], self.data_format)

    def compute_output_shape(self, input_shape):
        return self._map_spatial(input_shape, lambda i, n: n * self.size[i])

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config


# ---- zero padding ---------------------------------------------------------------------------------------------

def _non_negative(layer, padding):
    # torch's pad crops where a padding is negative; TensorFlow's refuses it, and so does a ZeroPadding layer.
    flat = [p for pair in padding for p in (pair if isinstance(pair, tuple) else (pair,))]
    if any(p < 0 for p in flat):
        raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}): `padding` must be non-negative, received '
                         f"{padding}.")
    return padding


class ZeroPadding1D(_SpatialLayer):
    """Adds zeros before and after the steps axis: ``padding`` an int or (before, after)."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(1, "channels_last", **kwargs)
        self.padding = normalize_tuple(padding, 2, "padding", allow_zero=True)

    def call(self, inputs):
        return K.temporal_padding(inputs, padding=self.padding)

    def compute_output_shape(self, input_shape):
        return self._map_spatial(input_shape, lambda i, n: n + self.padding[0] + self.padding[1])

    def get_config(self):
        config = super().get_config()
        config["padding"] = self.padding
        return config


class ZeroPadding2D(_SpatialLayer):
    """Adds rows and columns of zeros: ``padding`` an int, (rows, cols) or ((top, bottom), (left, right))."""

    @keras1.zero_padding2d
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, data_format, **kwargs)
        self.padding = _non_negative(self, _pairs(padding, 2, "padding"))

    def call(self, inputs):
        return K.spatial_2d_padding(inputs, padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return self._map_spatial(input_shape, lambda i, n: n + sum(self.padding[i]))

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class ZeroPadding3D(_SpatialLayer):
    """Adds zeros along the three spatial axes: an int, 3 ints or 3 (before, after) pairs."""

    @keras1.data_format
    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(3, data_format, **kwargs)
        self.padding = _non_negative(self, _pairs(padding, 3, "padding"))

    def call(self, inputs):
        return K.spatial_3d_padding(inputs, padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return self._map_spatial(input_shape, lambda i, n: n + sum(self.padding[i]))

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


# ---- cropping -------------------------------------------------------------------------------------------------

class _Cropping(_SpatialLayer):
    def _crops(self):
        return self.cropping if self.rank > 1 else (self.cropping,)

    def _cropped_length(self, i, n):
        before, after = self._crops()[i]
        if before + after >= n:
            raise ValueError(f'Layer "{self.name}" ({self.__class__.__name__}): cropping {self.cropping} removes '
                             f"all of spatial axis {i} of length {n}; the cropping must be smaller than the input "
                             "size.")
        return n - before - after

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        shape = tuple(inputs.shape)
        first = _spatial_first(self.data_format)
        index = [slice(None)] * len(shape)
        for i, (before, after) in enumerate(self._crops()):
            length = self._cropped_length(i, shape[first + i])
            index[first + i] = slice(before, before + length)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        return self._map_spatial(input_shape, self._cropped_length)


class Cropping1D(_Cropping):
    """Removes ``cropping`` (before, after) steps: ``(batch, steps, features)``."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(1, "channels_last", **kwargs)
        self.cropping = normalize_tuple(cropping, 2, "cropping", allow_zero=True)

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping
        return config


class Cropping2D(_Cropping):
    """Removes rows and columns: ``cropping`` an int, (rows, cols) or ((top, bottom), (left, right))."""

    @keras1.data_format
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, data_format, **kwargs)
        self.cropping = _pairs(cropping, 2, "cropping")

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config


class Cropping3D(_Cropping):
    """Removes (before, after) slices along each of the three spatial axes."""

    @keras1.data_format
    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, data_format, **kwargs)
        self.cropping = _pairs(cropping, 3, "cropping")

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
