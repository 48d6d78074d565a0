"""RandomFourierFeatures: tf-keras' ``keras.layers.experimental.RandomFourierFeatures`` (keras.io's quasi-SVM
example stacks it under a linear layer trained with a hinge loss)."""
import numpy as np

from fastkeras import backend as K
from fastkeras import initializers
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec

__all__ = ["RandomFourierFeatures"]

_SUPPORTED_RBF_KERNEL_TYPES = ["gaussian", "laplacian"]


class RandomFourierFeatures(Layer):
    """``cos(inputs @ (unscaled_kernel / kernel_scale) + bias)``: random features whose dot products approximate a
    shift-invariant kernel (Rahimi and Recht, 2007), "gaussian" (RBF) or "laplacian".

    Shape: ``(batch, input_dim)`` -> ``(batch, output_dim)``. The random kernel and bias are fixed
    (non-trainable); ``kernel_scale`` (the kernel width, one non-negative scalar) trains unless
    ``trainable=False``, which is tf-keras' default.
    """

    def __init__(self, output_dim, kernel_initializer="gaussian", scale=None, trainable=False, name=None,
                 **kwargs):
        if output_dim <= 0:
            raise ValueError(f"`output_dim` should be a positive integer. Received: {output_dim}")
        if isinstance(kernel_initializer, str) and kernel_initializer.lower() not in _SUPPORTED_RBF_KERNEL_TYPES:
            raise ValueError(f"Unsupported `kernel_initializer`: {kernel_initializer} "
                             f"Expected one of: {_SUPPORTED_RBF_KERNEL_TYPES}")
        if scale is not None and scale <= 0.0:
            raise ValueError(f"When provided, `scale` should be a positive float. Received: {scale}")
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.output_dim = output_dim
        self.kernel_initializer = kernel_initializer
        self.scale = scale

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f'Layer "{self.name}" (RandomFourierFeatures): the rank of the input tensor should be '
                             f"2. Received input with rank {len(input_shape)} instead. Full input shape received: "
                             f"{input_shape}")
        input_dim = input_shape[1]
        if input_dim is None:
            raise ValueError(f'Layer "{self.name}" (RandomFourierFeatures): the last dimension of the input tensor '
                             f"should be defined. Found `None`. Full input shape received: {input_shape}")
        self.input_spec = InputSpec(ndim=2, axes={1: input_dim})
        # Created in tf-keras' order, which its weight files keep: the kernel, the bias, then the scale.
        self.unscaled_kernel = self.add_weight(
            name="unscaled_kernel", shape=(input_dim, self.output_dim), dtype="float32",
            initializer=_random_features_initializer(self.kernel_initializer, (input_dim, self.output_dim)),
            trainable=False)
        self.bias = self.add_weight(name="bias", shape=(self.output_dim,), dtype="float32",
                                    initializer=initializers.RandomUniform(minval=0.0, maxval=2 * np.pi),
                                    trainable=False)
        if self.scale is None:
            self.scale = _default_scale(self.kernel_initializer, input_dim)
        self.kernel_scale = self.add_weight(name="kernel_scale", shape=(1,), dtype="float32",
                                            initializer=initializers.Constant(self.scale), trainable=True,
                                            constraint="NonNeg")
        self.built = True

    def call(self, inputs):
        inputs = K.cast(inputs, "float32")
        kernel = (1.0 / self.kernel_scale) * self.unscaled_kernel
        return K.cos(K.bias_add(K.dot(inputs, kernel), self.bias))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(f'Layer "{self.name}" (RandomFourierFeatures) expects inputs of shape (batch, '
                             f"input_dim) with input_dim defined. Received: {input_shape}")
        return input_shape[:-1] + (self.output_dim,)

    def get_config(self):
        kernel_initializer = self.kernel_initializer
        if not isinstance(kernel_initializer, str):
            kernel_initializer = initializers.serialize(kernel_initializer)
        config = super().get_config()
        config.update({"output_dim": self.output_dim, "kernel_initializer": kernel_initializer,
                       "scale": None if self.scale is None else float(self.scale)})
        return config


def _random_features_initializer(initializer, shape):
    """The initializer of the unscaled kernel: the kernel's spectral density, as tf-keras draws it (standard
    normal for "gaussian"; standard Cauchy samples from numpy's global generator for "laplacian")."""
    if not isinstance(initializer, str):
        return initializers.get(initializer)
    if initializer.lower() == "gaussian":
        return initializers.RandomNormal(stddev=1.0)
    if initializer.lower() == "laplacian":
        # Drawn when add_weight calls it, after its size check: drawn here, a loaded config's output_dim would
        # allocate the samples before the check that refuses a kernel larger than the file's weights.
        def cauchy(shape, dtype=None):
            probs = np.random.uniform(low=0.0, high=1.0, size=tuple(shape))
            return initializers.Constant(np.tan(np.pi * (probs - 0.5)))(shape, dtype=dtype)
        return cauchy
    raise ValueError(f'Unsupported `kernel_initializer`: "{initializer}" Expected one of: '
                     f"{_SUPPORTED_RBF_KERNEL_TYPES}")


def _default_scale(initializer, input_dim):
    # sqrt(d / 2) for the Gaussian kernel, as tf-keras; 1.0 otherwise
    if isinstance(initializer, str) and initializer.lower() == "gaussian":
        return np.sqrt(input_dim / 2.0)
    return 1.0
