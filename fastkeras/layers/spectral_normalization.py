"""``SpectralNormalization``: a wrapper that divides a layer's kernel by its largest singular value.

The largest singular value ``sigma`` of the kernel (reshaped to ``(-1, kernel.shape[-1])``) is estimated by power
iteration from the non-trainable ``vector_u``. As in tf-keras, the wrapper does not build a reparametrized kernel
in the graph: each training-mode call *overwrites* the kernel with ``kernel / sigma`` and ``vector_u`` with the new
estimate, outside autograd, then runs the wrapped layer. So gradients are those of the wrapped layer with respect to
its (already normalized) kernel; nothing flows through ``sigma``, ``u`` or ``v``. Inference calls use the stored
kernel unchanged. An all-zero kernel is left as it is (its ``sigma`` is 0).
"""
from fastkeras import backend as K
from fastkeras import initializers
from fastkeras.engine.base_layer import output_mask
from fastkeras.engine.input_spec import InputSpec
from fastkeras.layers.wrappers import Wrapper

__all__ = ["SpectralNormalization"]

_KERNEL_NAMES = ("kernel", "embeddings")


class SpectralNormalization(Wrapper):
    """Spectral normalization of the ``kernel`` (Dense, Conv*, ...) or ``embeddings`` (Embedding) of ``layer``.

    Args:
        layer: the layer to wrap; it must have a ``kernel`` or ``embeddings`` weight once built.
        power_iterations: power-iteration steps per training call (a positive int).

    Weights: the wrapped layer's, then ``vector_u`` of shape ``(1, kernel.shape[-1])`` (non-trainable),
    named ``<wrapper name>/kernel:0`` ... ``<wrapper name>/vector_u:0`` as in tf-keras.

    Shape: that of the wrapped layer.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(f'Layer "{self.name}" (SpectralNormalization): `power_iterations` should be an integer '
                             f"greater than zero. Received: power_iterations={power_iterations!r}")
        self.power_iterations = power_iterations
        self._kernel_name = None

    @property
    def kernel(self):
        """The wrapped layer's kernel (or embeddings) variable, which training-mode calls normalize in place."""
        return getattr(self.layer, self._kernel_name) if self._kernel_name else None

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(shape=(None,) + tuple(input_shape[1:]))
        for name in _KERNEL_NAMES:
            if getattr(self.layer, name, None) is not None:
                self._kernel_name = name
                break
        else:
            raise ValueError(f'Layer "{self.name}" (SpectralNormalization) can only wrap a layer with a `kernel` '
                             "(Dense, Conv1D/2D/3D, ...) or an `embeddings` weight (Embedding); the wrapped layer "
                             f'"{self.layer.name}" ({type(self.layer).__name__}) has neither.')
        kernel = self.kernel
        # tf-keras tracks the kernel as the wrapper's own variable too (its `self.kernel` attribute): object-layout
        # weight files hold it in the wrapper's `vars` before vector_u. `weights` lists it once.
        (self._trainable_weights if kernel.trainable else self._non_trainable_weights).append(kernel)
        self.vector_u = self.add_weight("vector_u", shape=(1, kernel.shape[-1]), dtype=K.dtype(kernel),
                                        initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False)
        self.built = True

    def call(self, inputs, training=None):
        if training is None:
            training = K.learning_phase()
        if training:
            self._normalize_kernel()
        return self.layer(inputs)

    def _normalize_kernel(self):
        """Writes ``kernel / sigma`` into the kernel and the new ``u`` into ``vector_u`` (outside autograd)."""
        kernel = self.kernel
        w = K.reshape(K.stop_gradient(kernel), (-1, kernel.shape[-1]))
        u = K.stop_gradient(self.vector_u)
        w_t = K.transpose(w)
        for _ in range(self.power_iterations):
            v = K.l2_normalize(K.dot(u, w_t))
            u = K.l2_normalize(K.dot(v, w))
        sigma = K.dot(K.dot(v, w), K.transpose(u))  # (1, 1): u' W' v, the largest singular value's estimate
        # A zero kernel has sigma 0: keep it and u as they are (tf-keras' tf.cond), with no host sync.
        zero = K.all(K.equal(w, 0))
        K.update(kernel, K.where(zero, K.stop_gradient(kernel), K.reshape(w / sigma, tuple(kernel.shape))))
        K.update(self.vector_u, K.where(zero, self.vector_u, u))

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def compute_mask(self, inputs, mask=None):
        return output_mask(self.layer, inputs, mask)

    def _output_dtype(self, inputs):
        return self.layer._output_dtype(inputs)

    def get_config(self):
        config = super().get_config()
        config["power_iterations"] = self.power_iterations
        return config
