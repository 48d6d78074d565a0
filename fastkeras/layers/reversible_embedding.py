"""ReversibleEmbedding (Keras 3): an Embedding that can also project hidden states back to vocabulary logits."""
from fastkeras import backend as K
from fastkeras import initializers
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.layers.embeddings import Embedding

__all__ = ["ReversibleEmbedding"]


class ReversibleEmbedding(Embedding):
    """``layer(ids)`` looks ids up as Embedding does; ``layer(hidden, reverse=True)`` projects hidden states of
    size ``output_dim`` back to ``input_dim`` logits, through the transposed table (``tie_weights=True``, the
    default) or through a separate trainable ``reverse_embeddings`` matrix of shape ``(output_dim, input_dim)``.

    Args (besides Embedding's ``input_dim``, ``output_dim``, ``embeddings_initializer``,
    ``embeddings_regularizer``, ``embeddings_constraint``, ``mask_zero``):
        tie_weights: share the table between both directions.
        reverse_dtype: the dtype the reverse projection computes in (default: the layer's compute dtype).
        logit_soft_cap: when set, reverse logits become ``tanh(logits / logit_soft_cap) * logit_soft_cap``.

    Shape: ids ``(batch, ...)`` -> ``(batch, ..., output_dim)``; with ``reverse=True``
    ``(batch, ..., output_dim)`` -> ``(batch, ..., input_dim)``. ``mask_zero`` masks the forward output only.
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        for key in ("quantization_config", "lora_rank", "lora_alpha"):
            if kwargs.pop(key, None) is not None:
                raise NotImplementedError(f"ReversibleEmbedding: `{key}` (Keras 3 quantization / LoRA) is not "
                                          "supported by fastkeras; pass None.")
        shaped = "input_shape" in kwargs or "batch_input_shape" in kwargs
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer, embeddings_constraint=embeddings_constraint,
                         mask_zero=mask_zero, **kwargs)
        if not shaped:
            # Keras 3 records no input shape (Keras 2's Embedding always does).
            self._batch_input_shape = None
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = None if reverse_dtype is None else K.standardize_dtype(reverse_dtype)
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            # A fresh initializer object: one instance drawing twice would repeat its values.
            initializer = initializers.get(initializers.serialize(self.embeddings_initializer))
            self.reverse_embeddings = self.add_weight("reverse_embeddings", (self.output_dim, self.input_dim),
                                                      initializer=initializer)
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            outputs = super().call(inputs)
            return outputs if K.dtype(outputs) == self.compute_dtype else K.cast(outputs, self.compute_dtype)
        if inputs.shape[-1] != self.output_dim:
            raise ValueError(f'ReversibleEmbedding layer "{self.name}" called with reverse=True expects inputs whose '
                             f"last axis has output_dim={self.output_dim} entries; received shape "
                             f"{tuple(inputs.shape)}.")
        kernel = K.transpose(self.embeddings) if self.tie_weights else self.reverse_embeddings
        dtype = self.reverse_dtype or self.compute_dtype
        if K.dtype(inputs) != dtype:
            inputs = K.cast(inputs, dtype)
        if K.dtype(kernel) != dtype:
            kernel = K.cast(kernel, dtype)
        logits = K.dot(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = K.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        # Only ids (the forward direction) are masked; the reverse direction takes floating hidden states.
        if not self.mask_zero or K.dtype(inputs).startswith(("float", "bfloat")):
            return None
        return K.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape, reverse=False):
        input_shape = tuple(input_shape)
        if reverse:
            return input_shape[:-1] + (self.input_dim,)
        return input_shape + (self.output_dim,)

    def _infer_outputs(self, inputs, extra_args, kwargs):
        reverse = kwargs.get("reverse", extra_args[0] if extra_args else False)
        shape = self.compute_output_shape(tuple(inputs.shape), reverse=reverse)
        dtype = (self.reverse_dtype or self.compute_dtype) if reverse else self.compute_dtype
        mask = None
        if not reverse and self.mask_zero and not K.dtype(inputs).startswith(("float", "bfloat")):
            mask = KerasTensor(tuple(inputs.shape), "bool")
        return KerasTensor(shape, dtype), [mask]

    def get_config(self):
        config = super().get_config()
        config.pop("input_length", None)
        config.update({"tie_weights": self.tie_weights, "reverse_dtype": self.reverse_dtype,
                       "logit_soft_cap": self.logit_soft_cap})
        return config
