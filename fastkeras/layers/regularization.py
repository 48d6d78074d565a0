"""Regularization layers: noise (GaussianNoise, GaussianDropout, AlphaDropout), spatial dropout and
ActivityRegularization. The noise is drawn only in training; inference returns the inputs unchanged."""
import math

from fastkeras import backend as K
from fastkeras import regularizers
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.layers.core import Dropout, _SeedStream
from fastkeras.legacy import interfaces as keras1

# SELU's constants: AlphaDropout drops to SELU's negative saturation value.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
def _in_training(training):
    return bool(K.learning_phase() if training is None else training)


def _check_rate(layer_name, rate):
    if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
        raise ValueError(f"Invalid value {rate} received for `rate` of {layer_name} layer, expected a value "
                         "between 0 and 1.")


class GaussianNoise(_SeedStream, Layer):
    """Adds zero-centered Gaussian noise of standard deviation ``stddev`` during training. Shape unchanged."""

    @keras1.gaussian_noise
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.stddev = stddev
        self.seed = seed

    def call(self, inputs, training=None):
        if not _in_training(training):
            return inputs
        noise = K.random_normal(tuple(inputs.shape), mean=0.0, stddev=self.stddev, dtype=K.dtype(inputs),
                                seed=self._next_seed())
        return inputs + noise

    def compute_output_shape(self, input_shape):
        return input_shape

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


class GaussianDropout(_SeedStream, Layer):
    """Multiplies the inputs by Gaussian noise of mean 1 and variance ``rate / (1 - rate)`` during training."""

    @keras1.dropout
    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate("GaussianDropout", rate)
        self.supports_masking = True
        self.rate = rate
        self.seed = seed

    def call(self, inputs, training=None):
        if not 0 < self.rate < 1 or not _in_training(training):
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = K.random_normal(tuple(inputs.shape), mean=1.0, stddev=stddev, dtype=K.dtype(inputs),
                                seed=self._next_seed())
        return inputs * noise

    def compute_output_shape(self, input_shape):
        return input_shape

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


class AlphaDropout(_SeedStream, Layer):
    """Dropout for SELU networks: dropped units take SELU's saturation value, then an affine map restores
    the inputs' mean and variance. Active only in training."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate("AlphaDropout", rate)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not 0.0 < self.rate < 1.0 or not _in_training(training):
            return inputs
        rate = self.rate
        shape = tuple(inputs.shape) if not self.noise_shape else \
            tuple(inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        kept = K.cast(K.greater_equal(K.random_uniform(shape, dtype=K.dtype(inputs), seed=self._next_seed()), rate),
                      K.dtype(inputs))
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def compute_output_shape(self, input_shape):
        return input_shape

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        # tf-keras leaves noise_shape out of AlphaDropout's config; so do we, for identical files.
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


class _SpatialDropout(Dropout):
    """Dropout of whole feature maps: one keep/drop draw per sample and channel."""

    rank = None

    @keras1.spatial_dropout
    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _noise_shape(self, inputs):
        batch, channels = (inputs.shape[0], inputs.shape[1]) if self.data_format == "channels_first" else \
            (inputs.shape[0], inputs.shape[-1])
        ones = (1,) * self.rank
        return (batch, channels) + ones if self.data_format == "channels_first" else (batch,) + ones + (channels,)

    def call(self, inputs, training=None):
        if self.rate == 0 or not _in_training(training):
            return inputs
        return K.dropout(inputs, self.rate, noise_shape=self._noise_shape(inputs), seed=self._next_seed())


class SpatialDropout1D(_SpatialDropout):
    """Drops entire channels of ``(batch, steps, channels)`` inputs (rate scaled by ``1 / (1 - rate)``)."""

    rank = 1

    @keras1.dropout
    def __init__(self, rate, **kwargs):
        super().__init__(rate, data_format="channels_last", **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops entire 2D feature maps; ``data_format`` as in Conv2D.

    Like tf-keras, the config holds ``rate``, ``noise_shape`` and ``seed`` but not ``data_format``.
    """

    rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Drops entire 3D feature maps; ``data_format`` as in Conv3D (not part of the config, as in tf-keras)."""

    rank = 3


class ActivityRegularization(Layer):
    """Passes its inputs through and adds ``l1 * sum(|x|) + l2 * sum(x**2)`` (per sample, averaged over
    the batch) to the training loss."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def _output_dtype(self, inputs):
        return inputs.dtype

    def get_config(self):
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config
