"""RMSNormalization (Keras 3): scales each sample by the inverse root mean square over ``axis``."""
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.layers.keras3_masking import drop_mask

__all__ = ["RMSNormalization"]


def _ops(group):
    # keras.ops loads on first use (importing it here would slow `import fastkeras`).
    import importlib
    return importlib.import_module(f"fastkeras.ops.{group}")



class RMSNormalization(Layer):
    """``x * rsqrt(mean(square(x), axis) + epsilon) * scale`` ("Root Mean Square Layer Normalization", Zhang and
    Sennrich, 2019): no centering and no offset, unlike LayerNormalization.

    Args:
        axis: the axis, or list of axes, to normalize over (default -1). Once built, ``axis`` is a sorted list,
            as in Keras 3.
        epsilon: added to the mean square (default 1e-6).

    Weights: ``scale`` (ones), shaped as the input along ``axis``.

    Shape: any input shape; the output has the same shape. Half-precision inputs are normalized in float32 and
    returned in their own dtype.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise TypeError(f'RMSNormalization layer "{self.name}": `axis` must be an int or a non-empty list of '
                            f"ints; received axis={axis!r}.")
        self.axis = list(axis) if isinstance(axis, tuple) else axis
        self.epsilon = epsilon

    def _positive_axes(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f'RMSNormalization layer "{self.name}": axis {a} is out of bounds for an input of '
                                 f"shape {tuple(input_shape)} (rank {rank}). Received: axis={self.axis}.")
        dims = [a % rank for a in sorted(axes)]
        if dims != sorted(set(dims)):
            raise ValueError(f'RMSNormalization layer "{self.name}": `axis` must name distinct axes in increasing '
                             f"order once sorted; received axis={self.axis} for an input of rank {rank}.")
        return dims

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        dims = self._positive_axes(input_shape)
        shape = tuple(input_shape[d] for d in dims)
        if None in shape:
            raise ValueError(f'RMSNormalization layer "{self.name}": the normalized axes {self.axis} must have a '
                             f"known size; received an input of shape {input_shape}.")
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        self.scale = self.add_weight("scale", shape, initializer="ones")
        self.built = True

    def call(self, inputs):
        dims = self._positive_axes(inputs.shape)
        scale = self.scale
        if dims != list(range(inputs.ndim - len(dims), inputs.ndim)):
            # Axes in the middle: the scale is laid out along them (Keras 3 supports trailing axes only).
            scale = K.reshape(scale, [inputs.shape[d] if d in dims else 1 for d in range(inputs.ndim)])
        return _ops("nn").rms_normalization(inputs, scale=scale, axis=dims, epsilon=self.epsilon)

    def compute_mask(self, inputs, mask=None):
        return drop_mask(self, mask)

    def compute_output_shape(self, input_shape):
        self._positive_axes(input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
