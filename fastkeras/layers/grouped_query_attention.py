"""GroupQueryAttention (Keras 3): multi-head attention whose key/value heads are shared by groups of query heads."""
import math

from fastkeras import backend as K
from fastkeras import config as fk_config
from fastkeras import constraints, initializers, regularizers
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.layers.attention import QueryValueKeyCall, _causal_mask, _merge_masks, split_attention_inputs
from fastkeras.layers.core import _SeedStream
from fastkeras.layers.einsum_dense import EinsumDense, einsum
from fastkeras.layers.recurrent import build_in_scope

__all__ = ["GroupQueryAttention"]


def _ops(group):
    # keras.ops loads on first use (importing it here would slow `import fastkeras`).
    import importlib
    return importlib.import_module(f"fastkeras.ops.{group}")


def _masked_value(dtype):
    # What Keras 3's Softmax puts at masked positions before normalizing.
    return -3e4 if K.standardize_dtype(dtype) == "float16" else -1e9


class GroupQueryAttention(QueryValueKeyCall, _SeedStream, Layer):
    """Grouped-query attention (Ainslie et al., 2023): ``num_query_heads`` query heads attend over
    ``num_key_value_heads`` key/value heads, each key/value head serving ``num_query_heads //
    num_key_value_heads`` consecutive query heads (1 key/value head: multi-query attention; as many as the query:
    multi-head attention).

    Sublayers (EinsumDense): ``query`` ``(dim, num_query_heads, head_dim)``, ``key`` and ``value``
    ``(dim_key/value, num_key_value_heads, head_dim)``, ``gate`` (``use_gate=True``: a sigmoid branch of the
    query that multiplies the attended heads), ``attention_output`` ``(num_query_heads, head_dim, dim)``.

    Call: ``layer(query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)``. The Keras masks of ``query``,
    ``value`` and ``key`` (e.g. from ``Embedding(mask_zero=True)``) fill the ``*_mask`` arguments left None;
    they are combined with ``attention_mask``, the causal mask and the ``sliding_window`` band (``|i - j| <
    sliding_window``). Without dropout and scores, the attention runs torch's fused
    ``scaled_dot_product_attention``, as Keras 3 on torch does.

    Shape: query ``(batch, Tq, dim)``, value ``(batch, Tv, dim)`` -> ``(batch, Tq, dim)``; scores
    ``(batch, num_query_heads, Tq, Tv)``.

    The Keras 3 class is ``GroupedQueryAttention``, exported and serialized as ``GroupQueryAttention``; its
    default name and weight-file path are ``grouped_query_attention``.
    """

    _object_path_name = "grouped_query_attention"

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        if kwargs.get("name") is None:
            kwargs["name"] = K.unique_object_name(self._object_path_name)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        for arg, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                           ("num_key_value_heads", num_key_value_heads)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f'GroupQueryAttention layer "{self.name}": `{arg}` must be a positive integer; '
                                 f"received {arg}={value!r}.")
        if num_query_heads % num_key_value_heads:
            raise ValueError(f'GroupQueryAttention layer "{self.name}": `num_query_heads` must be divisible by '
                             f"`num_key_value_heads`; received num_query_heads={num_query_heads}, "
                             f"num_key_value_heads={num_key_value_heads}.")
        if sliding_window is not None and (not isinstance(sliding_window, int) or isinstance(sliding_window, bool)
                                           or sliding_window <= 0):
            raise ValueError(f'GroupQueryAttention layer "{self.name}": `sliding_window` must be None or a positive '
                             f"integer; received sliding_window={sliding_window!r}.")
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        self.sliding_window = sliding_window
        self._flash_attention = flash_attention or fk_config.is_flash_attention_enabled()
        if self._flash_attention and dropout > 0.0:
            raise ValueError(f'GroupQueryAttention layer "{self.name}": dropout is not supported with flash '
                             f"attention; received dropout={dropout} with flash attention enabled. Set dropout to "
                             "0.0 or disable flash attention.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))
        self._shapes = None

    # ---- building --------------------------------------------------------------------------------------------

    def _sublayer_kwargs(self):
        # Fresh initializer objects per sublayer, so that seeded initializers do not repeat one draw.
        return dict(
            kernel_initializer=initializers.get(initializers.serialize(self.kernel_initializer)),
            bias_initializer=initializers.get(initializers.serialize(self.bias_initializer)),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            activity_regularizer=self.activity_regularizer, kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint, dtype=Layer.get_config(self)["dtype"])

    def _projection(self, name, equation, heads, bias_axes, input_shape, activation=None):
        layer = EinsumDense(equation, output_shape=(None, heads, self.head_dim), activation=activation,
                            bias_axes=bias_axes if self.use_bias else None, name=name, **self._sublayer_kwargs())
        with K.real_tensor_scope():
            build_in_scope(layer, tuple(input_shape), self.name)
        return layer

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None and isinstance(query_shape, (list, tuple)) and query_shape \
                and isinstance(query_shape[0], (list, tuple)):
            query_shape, value_shape, key_shape = (list(query_shape) + [None])[:3]
        if value_shape is None:
            raise ValueError(f'GroupQueryAttention layer "{self.name}" is built from the query and value shapes: '
                             "`build(query_shape, value_shape, key_shape=None)`; received only "
                             f"query_shape={query_shape}.")
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        self.feature_dim = query_shape[-1]
        self._query_dense = self._projection("query", "bqm,muh->bquh", self.num_query_heads, "uh", query_shape)
        self._key_dense = self._projection("key", "bkm,mvh->bkvh", self.num_key_value_heads, "vh", key_shape)
        if self.use_gate:
            self._gate_dense = self._projection("gate", "bqm,muh->bquh", self.num_query_heads, "uh", query_shape,
                                                activation="sigmoid")
        self._value_dense = self._projection("value", "bkm,mvh->bkvh", self.num_key_value_heads, "vh", value_shape)
        output = EinsumDense("bquh,uhm->bqm", output_shape=(None, self.feature_dim),
                             bias_axes="m" if self.use_bias else None, name="attention_output",
                             **self._sublayer_kwargs())
        with K.real_tensor_scope():
            build_in_scope(output, (None, None, self.num_query_heads, self.head_dim), self.name)
        self._output_dense = output
        self._shapes = (query_shape, value_shape, key_shape)
        self.built = True

    def _check_shapes(self, query_shape, value_shape, key_shape):
        for role, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3:
                raise ValueError(f'GroupQueryAttention layer "{self.name}" expects {role} of rank 3, '
                                 f"(batch_size, steps, dim); received {role} of shape {shape}.")
            if shape[-1] is None:
                raise ValueError(f'GroupQueryAttention layer "{self.name}": the last dimension of {role} must be '
                                 f"defined; received {role} of shape {shape}.")
        if None not in (value_shape[1], key_shape[1]) and value_shape[1] != key_shape[1]:
            raise ValueError(f'GroupQueryAttention layer "{self.name}": value and key must have the same number of '
                             f"steps; received value of shape {value_shape} and key of shape {key_shape}.")
        if self._shapes is not None:
            for role, shape, built in zip(("query", "value", "key"), (query_shape, value_shape, key_shape),
                                          self._shapes):
                if shape[-1] != built[-1]:
                    raise ValueError(f'GroupQueryAttention layer "{self.name}" was built for {role} of shape '
                                     f"{built} and cannot take {role} of shape {shape} (the last dimension must "
                                     "stay the same).")

    # ---- calling ---------------------------------------------------------------------------------------------

    _CALL_ARGS = ("value", "key", "query_mask", "value_mask", "key_mask", "attention_mask",
                  "return_attention_scores", "training", "use_causal_mask")

    def _ready_for(self, shapes):
        if not self.built:
            self.build(*shapes)
            return False
        return True

    def _infer_outputs(self, inputs, extra_args, kwargs):
        if isinstance(inputs, (list, tuple)):
            query, value = inputs[0], inputs[1]
            key = inputs[2] if len(inputs) > 2 else None
        else:
            query, value, key = inputs, kwargs.get("value"), kwargs.get("key")
        output_shape = self.compute_output_shape(tuple(query.shape), tuple(value.shape),
                                                 None if key is None else tuple(key.shape))
        outputs = KerasTensor(output_shape, self.compute_dtype)
        mask = kwargs.get("mask")
        mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        mask = None if mask is None else KerasTensor(tuple(mask.shape), "bool")
        if kwargs.get("return_attention_scores"):
            steps = (value if key is None else key).shape[1]
            scores = KerasTensor((query.shape[0], self.num_query_heads, query.shape[1], steps), self.compute_dtype)
            return (outputs, scores), [mask, None]
        return outputs, [mask]

    def call(self, query, value=None, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False, mask=None):
        query, value, key, masks = split_attention_inputs(query, value, key, mask)
        # Explicit *_mask arguments win over the tensors' Keras masks, as in Keras 3.
        query_mask = masks[0] if query_mask is None else query_mask
        value_mask = masks[1] if value_mask is None else value_mask
        if key is None:
            key = value
        else:
            key_mask = masks[2] if key_mask is None else key_mask
        if self._flash_attention and return_attention_scores:
            raise ValueError(f'GroupQueryAttention layer "{self.name}": returning attention scores is not supported '
                             "with flash attention enabled. Disable flash attention to get the scores.")
        causal_only = use_causal_mask and attention_mask is None and self.sliding_window is None and \
            query_mask is None and value_mask is None and key_mask is None
        if not causal_only:
            attention_mask = self._compute_attention_mask(query, value, query_mask, value_mask, key_mask,
                                                          attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        if training is None:
            training = K.learning_phase()
        if self.dropout > 0.0 or return_attention_scores:
            output, scores = self._attention_with_scores(query, key, value, attention_mask, causal_only, training)
        else:
            # The fused kernel takes the fewer key/value heads as they are (no repeated copies).
            output = _ops("nn").dot_product_attention(query, key, value, mask=None if attention_mask is None else
                                                  self._with_heads_axis(attention_mask),
                                                  scale=self._inverse_sqrt_head_dim, is_causal=causal_only)
            scores = None
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    @staticmethod
    def _with_heads_axis(attention_mask):
        mask = K.cast(attention_mask, "bool")
        while mask.ndim < 4:
            mask = K.expand_dims(mask, -3)
        return mask

    def _compute_attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                                use_causal_mask):
        """``attention_mask`` (batch, Tq, Tv) and-ed with the Keras masks, the causal mask and the sliding
        window."""
        auto = None
        if query_mask is not None:
            auto = K.expand_dims(K.cast(query_mask, "bool"), -1)
        for side_mask in (value_mask, key_mask):
            if side_mask is not None:
                auto = _merge_masks(auto, K.expand_dims(K.cast(side_mask, "bool"), -2))
        if use_causal_mask:
            auto = _merge_masks(auto, _causal_mask(query, value))
        if self.sliding_window is not None:
            auto = _merge_masks(auto, self._sliding_window_mask(query, value))
        if auto is None:
            return attention_mask
        return auto if attention_mask is None else K.cast(attention_mask, "bool") & auto

    def _sliding_window_mask(self, query, value):
        """``(1, Tq, Tv)`` booleans, true where ``|i - j| < sliding_window``."""
        rows = K.cumsum(K.ones_like(query[:1, :, 0]), axis=1)
        cols = K.cumsum(K.ones_like(value[:1, :, 0]), axis=1)
        return K.less(K.abs(K.expand_dims(rows, -1) - K.expand_dims(cols, 1)), float(self.sliding_window))

    def _attention_with_scores(self, query, key, value, attention_mask, causal_only, training):
        """Attention written out: scores ``(batch, heads, Tq, Tv)``, a masked softmax, dropout of the weights."""
        if causal_only:
            attention_mask = _causal_mask(query[..., 0], key[..., 0])  # projected: (batch, steps, heads, dim)
        query = query * self._inverse_sqrt_head_dim
        batch, steps = query.shape[0], query.shape[1]
        # Query head u = g * num_repeats + r uses key/value head g: group the query heads instead of repeating
        # the keys and values.
        grouped = K.reshape(query, (batch, steps, self.num_key_value_heads, self.num_repeats, self.head_dim))
        scores = einsum("bqgrh,bkgh->bgrqk", grouped, key)
        scores = K.reshape(scores, (batch, self.num_query_heads, steps, key.shape[1]))
        if attention_mask is None:
            scores = K.softmax(scores, axis=-1)
        else:
            # As Keras 3's Softmax with a mask: masked positions out before normalizing, and zero after it (so a
            # wholly masked row is all zeros here, while the fused path gives it uniform weights, as Keras 3 does).
            keep = self._with_heads_axis(attention_mask)
            where = _ops("numpy").where
            scores = where(keep, K.softmax(where(keep, scores, _masked_value(scores.dtype)), axis=-1), 0.0)
        weights = scores
        if training and self.dropout > 0.0:
            weights = K.dropout(scores, self.dropout, seed=self._next_seed())
        weights = K.reshape(weights, (batch, self.num_key_value_heads, self.num_repeats, steps, key.shape[1]))
        output = einsum("bgrqk,bkgh->bqgrh", weights, value)
        return K.reshape(output, (batch, steps, self.num_query_heads, self.head_dim)), scores

    def compute_mask(self, inputs, mask=None):
        # The output is masked as the query is.
        if isinstance(inputs, (list, tuple)):
            return mask[0] if isinstance(mask, (list, tuple)) else mask
        return mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None and isinstance(query_shape, (list, tuple)) and query_shape \
                and isinstance(query_shape[0], (list, tuple)):
            query_shape, value_shape, key_shape = (list(query_shape) + [None])[:3]
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError("The last dimension of `query_shape` and `value_shape` must be equal, but are "
                             f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                             f"value_shape={value_shape}")
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                             f"value_shape={value_shape} and key_shape={key_shape}")
        return query_shape

    # ---- config ----------------------------------------------------------------------------------------------

    def get_config(self):
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        })
        return config
