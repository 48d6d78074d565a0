"""Adaptive pooling (Keras 3): average or max pooling to a fixed output size, whatever the input size.

Output cell ``i`` of an axis of input size ``n`` pooled to ``m`` covers the input positions
``floor(i * n / m)`` to ``ceil((i + 1) * n / m) - 1``, as ``torch.nn.AdaptiveAvgPool*d`` (and Keras 3 on every
backend) computes them.
"""
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.layers.keras3_masking import drop_mask

__all__ = ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]


def _ops(group):
    # keras.ops loads on first use (importing it here would slow `import fastkeras`).
    import importlib
    return importlib.import_module(f"fastkeras.ops.{group}")


_AXIS_NAMES = {1: "(steps,)", 2: "(height, width)", 3: "(depth, height, width)"}
_SPATIAL = {1: "steps", 2: "height, width", 3: "depth, height, width"}


class _AdaptivePooling(Layer):
    """Shape: ``channels_last`` ``(batch, *spatial, channels)`` -> ``(batch, *output_size, channels)``;
    ``channels_first`` ``(batch, channels, *spatial)`` -> ``(batch, channels, *output_size)``."""

    rank = None
    _op = None  # the keras.ops function's name, set by each family

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            output_size = (output_size,) * self.rank
        elif isinstance(output_size, (list, tuple)) and len(output_size) == self.rank and all(
                isinstance(d, int) and not isinstance(d, bool) for d in output_size):
            output_size = tuple(output_size)
        else:
            raise TypeError(f'{cls} layer "{self.name}": `output_size` must be an integer or a tuple of {self.rank} '
                            f"integers {_AXIS_NAMES[self.rank]}; received output_size={output_size!r} of type "
                            f"{type(output_size).__name__}.")
        if any(d <= 0 for d in output_size):
            raise ValueError(f'{cls} layer "{self.name}": `output_size` must be positive; received {output_size}.')
        self.output_size = output_size
        self.data_format = data_format or K.image_data_format()
        if self.data_format not in ("channels_first", "channels_last"):
            raise ValueError(f'{cls} layer "{self.name}": invalid data_format {self.data_format!r}; expected '
                             "'channels_first' or 'channels_last'.")

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            spatial = _SPATIAL[self.rank]
            layout = f"(batch, channels, {spatial})" if self.data_format == "channels_first" else \
                f"(batch, {spatial}, channels)"
            raise ValueError(f'{type(self).__name__} layer "{self.name}" expects inputs of rank {self.rank + 2}, '
                             f"{layout} for data_format={self.data_format!r}; received an input of shape "
                             f"{input_shape}.")
        self.built = True

    def call(self, inputs):
        return getattr(_ops("nn"), self._op)(inputs, self.output_size, data_format=self.data_format)

    def compute_mask(self, inputs, mask=None):
        return drop_mask(self, mask)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0],) + self.output_size + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + self.output_size

    def get_config(self):
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config


class _AdaptiveAverage(_AdaptivePooling):
    _op = "adaptive_average_pool"


class _AdaptiveMax(_AdaptivePooling):
    _op = "adaptive_max_pool"


class AdaptiveAveragePooling1D(_AdaptiveAverage):
    """Average pooling of ``(batch, steps, channels)`` sequences to ``output_size`` steps (an int or a 1-tuple)."""
    rank = 1


class AdaptiveAveragePooling2D(_AdaptiveAverage):
    """Average pooling of images to ``output_size``, an int or a ``(height, width)`` tuple."""
    rank = 2


class AdaptiveAveragePooling3D(_AdaptiveAverage):
    """Average pooling of volumes to ``output_size``, an int or a ``(depth, height, width)`` tuple."""
    rank = 3


class AdaptiveMaxPooling1D(_AdaptiveMax):
    """Max pooling of ``(batch, steps, channels)`` sequences to ``output_size`` steps (an int or a 1-tuple)."""
    rank = 1


class AdaptiveMaxPooling2D(_AdaptiveMax):
    """Max pooling of images to ``output_size``, an int or a ``(height, width)`` tuple."""
    rank = 2


class AdaptiveMaxPooling3D(_AdaptiveMax):
    """Max pooling of volumes to ``output_size``, an int or a ``(depth, height, width)`` tuple."""
    rank = 3
