"""Masking: marks the timesteps whose features all equal ``mask_value`` as padding."""
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer


class Masking(Layer):
    """Zeroes the timesteps where every feature equals ``mask_value`` and emits the mask of the others.

    Shape: ``(batch, time, features)`` unchanged; the mask is ``(batch, time)``. Layers downstream that
    support masking (RNNs, merge layers, pooling, losses) then skip the masked steps.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def call(self, inputs):
        keep = K.any(K.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * K.cast(keep, K.dtype(inputs))

    def compute_mask(self, inputs, mask=None):
        return K.any(K.not_equal(inputs, self.mask_value), axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
