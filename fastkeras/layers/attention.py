"""Attention layers (Keras 2's Attention, AdditiveAttention, MultiHeadAttention)."""
import collections.abc
import math
import string

from fastkeras import backend as K
from fastkeras import constraints, initializers, regularizers
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.layers.einsum_dense import EinsumDense, einsum
from fastkeras.layers.recurrent import build_in_scope

__all__ = ["Attention", "AdditiveAttention", "MultiHeadAttention"]


def _large_negative(dtype):
    # -1e9 overflows float16, whose most negative finite value is -65504.
    return -65504.0 if K.standardize_dtype(dtype) == "float16" else -1.0e9


def _causal_mask(query, value):
    """``(1, Tq, Tv)`` booleans, true where the query step may see the value step (``i >= j``).

    Built from ones shaped like the inputs so that it lives on their device, shape-only tensors included.
    """
    rows = K.cumsum(K.ones_like(query[:1, :, 0]), axis=1)
    cols = K.cumsum(K.ones_like(value[:1, :, 0]), axis=1)
    return K.greater_equal(K.expand_dims(rows, -1), K.expand_dims(cols, 1))


def _merge_masks(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _shape_of(x):
    return tuple(x.shape)


class _BaseDenseAttention(Layer):
    """What Attention and AdditiveAttention share: inputs ``[query, value]`` or ``[query, value, key]``,
    masks ``[query_mask, value_mask]``, softmax over the value steps, optional dropout of the weights.

    Shape: query ``(batch, Tq, dim)``, value ``(batch, Tv, dim_v)``, key ``(batch, Tv, dim)`` ->
    ``(batch, Tq, dim_v)``, and with ``return_attention_scores=True`` also the scores ``(batch, Tq, Tv)``.
    """

    def __init__(self, dropout=0.0, **kwargs):
        # Keras 2 still accepts the deprecated constructor argument `causal`.
        self.causal = kwargs.pop("causal", False)
        super().__init__(**kwargs)
        self.dropout = dropout
        self.supports_masking = True

    def _calculate_scores(self, query, key):
        raise NotImplementedError

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def _check_shapes(self, input_shape):
        name, cls = self.name, self.__class__.__name__
        if not (isinstance(input_shape, (list, tuple)) and input_shape
                and isinstance(input_shape[0], (list, tuple))):
            raise ValueError(f'{cls} layer "{name}" must be called on a list of inputs, namely [query, value] or '
                             f"[query, value, key]. Received an input of shape {input_shape}.")
        if not 2 <= len(input_shape) <= 3:
            raise ValueError(f'{cls} layer "{name}" accepts inputs list of length 2 or 3, namely [query, value] '
                             f"or [query, value, key]. Received length: {len(input_shape)}.")
        shapes = [tuple(s) for s in input_shape]
        for role, shape in zip(("query", "value", "key"), shapes):
            if len(shape) != 3:
                raise ValueError(f'{cls} layer "{name}" expects {role} of rank 3, (batch_size, steps, dim); '
                                 f"received {role} of shape {shape}.")
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            raise ValueError(f'{cls} layer "{name}": the last dimension of query and key must be equal; received '
                             f"query shape {query} and key shape {key}.")
        if value[1] is not None and key[1] is not None and value[1] != key[1]:
            raise ValueError(f'{cls} layer "{name}": value and key must have the same number of steps; received '
                             f"value shape {value} and key shape {key}.")

    def _check_mask(self, inputs, mask):
        if mask is None:
            return
        cls = self.__class__.__name__
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f'{cls} layer "{self.name}" mask must be a list, namely [query_mask, value_mask]. '
                             f"Received: {mask}.")
        if not 2 <= len(mask) <= len(inputs):
            raise ValueError(f'{cls} layer "{self.name}" mask must be a list of length 2, namely '
                             f"[query_mask, value_mask]. Received length: {len(mask)}.")

    def call(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        if not isinstance(inputs, (list, tuple)):
            self._check_shapes(_shape_of(inputs))
        self._check_mask(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = None if value_mask is None else K.expand_dims(K.cast(value_mask, "bool"), -2)
        if self.causal or use_causal_mask:
            scores_mask = _merge_masks(scores_mask, _causal_mask(query, key))
        if scores_mask is not None:
            # An additive penalty rather than -inf, as Keras does: a fully masked row stays finite (uniform).
            scores = scores + _large_negative(scores.dtype) * K.cast(~scores_mask, scores.dtype)
        weights = K.softmax(scores, axis=-1)
        if training is None:
            training = K.learning_phase()
        if training and self.dropout > 0:
            weights_used = K.dropout(weights, self.dropout)
        else:
            weights_used = weights
        result = K.matmul(weights_used, value)
        if query_mask is not None:
            result = result * K.expand_dims(K.cast(query_mask, result.dtype), -1)
        if return_attention_scores:
            return result, weights
        return result

    def compute_mask(self, inputs, mask=None):
        self._check_mask(inputs, mask)
        return mask[0] if mask else None

    def compute_output_shape(self, input_shape):
        self._check_shapes(input_shape)
        return tuple(input_shape[0])[:-1] + (tuple(input_shape[1])[-1],)

    def _infer_outputs(self, inputs, extra_args, kwargs):
        # One output or two (return_attention_scores): symbolic outputs come from running call on shape-only
        # tensors; compute_output_shape answers for the attention output alone.
        return self._meta_outputs(inputs, extra_args, kwargs)

    def get_config(self):
        config = super().get_config()
        config["dropout"] = self.dropout
        return config


class Attention(_BaseDenseAttention):
    """Dot-product (Luong-style) attention: ``scores = query @ key^T`` (times ``scale`` when ``use_scale``),
    or with ``score_mode="concat"`` ``scores = concat_score_weight * sum(tanh(scale * (query + key)))``.

    Weights: ``scale`` (scalar, ones) when ``use_scale``, ``concat_score_weight`` (scalar, ones) in concat mode.
    """

    def __init__(self, use_scale=False, score_mode="dot", **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        if score_mode not in ("dot", "concat"):
            raise ValueError(f'Received: score_mode={score_mode}. Acceptable values are: ["dot", "concat"]')

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.scale = self.add_weight("scale", (), initializer="ones") if self.use_scale else None
        self.concat_score_weight = self.add_weight("concat_score_weight", (), initializer="ones") \
            if self.score_mode == "concat" else None
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = K.matmul(query, K.permute_dimensions(key, (0, 2, 1)))
            return scores * self.scale if self.scale is not None else scores
        summed = K.expand_dims(query, -2) + K.expand_dims(key, -3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * K.sum(K.tanh(summed), axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode})
        return config


class AdditiveAttention(_BaseDenseAttention):
    """Additive (Bahdanau-style) attention: ``scores = sum(scale * tanh(query + key), axis=-1)``.

    Weights: ``scale`` of shape ``(dim,)`` (glorot uniform) when ``use_scale``.
    """

    def __init__(self, use_scale=True, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale

    def build(self, input_shape):
        self._check_shapes(input_shape)
        dim = tuple(input_shape[1])[-1]
        self.scale = self.add_weight("scale", (dim,), initializer="glorot_uniform") if self.use_scale else None
        self.built = True

    def _calculate_scores(self, query, key):
        hidden = K.tanh(K.expand_dims(query, -2) + K.expand_dims(key, -3))
        if self.scale is not None:
            hidden = self.scale * hidden
        return K.sum(hidden, axis=-1)

    def get_config(self):
        config = super().get_config()
        config["use_scale"] = self.use_scale
        return config


# ---- MultiHeadAttention --------------------------------------------------------------------------------------

_LETTERS = string.ascii_lowercase


def _projection_equation(free_dims, bound_dims, output_dims):
    """(equation, bias axes, output rank) of a projection that keeps ``free_dims`` leading axes, contracts
    ``bound_dims`` and creates ``output_dims`` new trailing axes (the bias spans the new ones)."""
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims:free_dims + bound_dims]
    new = _LETTERS[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def _attention_equations(rank, attention_axes):
    """(scores equation, combine equation, scores rank) for projected tensors of ``rank``
    (``(batch, *steps, heads, dim)``) attending over ``attention_axes``.

    The scores are ``(batch axes..., query attention axes..., key attention axes...)``: the heads axis is a
    batch axis of the product, and the key's attention axes get fresh letters.
    """
    target = _LETTERS[:rank]
    batch_axes = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    fresh = iter(_LETTERS[rank:])
    source = "".join(target[i] if i in batch_axes or i == rank - 1 else next(fresh) for i in range(rank))
    product = "".join([target[i] for i in batch_axes] + [target[i] for i in attention_axes]
                      + [source[i] for i in attention_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


class QueryValueKeyCall:
    """How the multi-head attention layers (MultiHeadAttention, GroupQueryAttention) take their arguments:
    ``layer(query, value, key=None, ...)`` positionally or by keyword, or ``layer([query, value(, key)])`` as a
    model file records a call whose value or key carries a Keras mask. A subclass names its call arguments after
    ``query`` in ``_CALL_ARGS`` and builds itself in ``_ready_for(shapes)`` (False when it has just built)."""

    _CALL_ARGS = ()

    def __call__(self, *args, **kwargs):
        kind = type(self).__name__
        if not args:
            args = (kwargs.pop("query", None) if "query" in kwargs else kwargs.pop("inputs", None),)
        query, rest = args[0], args[1:]
        if len(rest) > len(self._CALL_ARGS):
            raise TypeError(f'{kind} layer "{self.name}" takes at most {len(self._CALL_ARGS) + 1} positional '
                            f"arguments; received {len(args)}.")
        for arg_name, value in zip(self._CALL_ARGS, rest):
            if arg_name in kwargs:
                raise TypeError(f'{kind} layer "{self.name}" got multiple values for `{arg_name}`.')
            kwargs[arg_name] = value
        if isinstance(query, (list, tuple)):
            if not 2 <= len(query) <= 3:
                raise ValueError(f'{kind} layer "{self.name}" called on a list expects [query, value] or '
                                 f"[query, value, key]; received a list of length {len(query)}.")
            kwargs["value"] = query[1]
            if len(query) > 2:
                kwargs["key"] = query[2]
            query = query[0]
        value, key = kwargs.get("value"), kwargs.get("key")
        if query is None or value is None:
            raise ValueError(f'{kind} layer "{self.name}" must be called with `query` and `value`; '
                             f"received query={query!r}, value={value!r}.")
        if key is None:
            kwargs.pop("key", None)
        shapes = [None if t is None else _shape_of(t) for t in (query, value, key)]
        if self._ready_for(shapes):
            self._check_shapes(shapes[0], shapes[1], shapes[2] if key is not None else shapes[1])
        side_masked = any(getattr(t, "_keras_mask", None) is not None for t in (value, key))
        if side_masked and any(isinstance(t, KerasTensor) for t in (query, value, key)):
            # A model hands a layer the Keras masks of its first argument only: with value or key masked, the
            # node records [query, value(, key)] as that argument so that their masks reach call().
            kwargs.pop("value")
            kwargs.pop("key", None)
            return super().__call__([query, value] + ([key] if key is not None else []), **kwargs)
        return super().__call__(query, **kwargs)

    def _config_call(self, args, kwargs):
        """The call as tf-keras and Keras 3 write it into a model config: ``value`` and ``key`` by keyword. The
        ``[query, value(, key)]`` list a node may hold only carries their masks in this engine; neither Keras
        can read it back (their ``call`` would get the list as ``query`` and no ``value``)."""
        first = args[0]
        if len(args) == 1 and isinstance(first, (list, tuple)):
            sides = {"value": first[1], **({"key": first[2]} if len(first) > 2 else {})}
            return (first[0],), {**sides, **kwargs}
        return args, kwargs


def split_attention_inputs(query, value, key, mask):
    """(query, value, key, [query, value, key masks]) from a call's arguments, whether the inputs came as a
    list (the masks then come in ``mask``) or one by one (each tensor's own Keras mask)."""
    if isinstance(query, (list, tuple)):
        query, value, key = query[0], query[1], (query[2] if len(query) > 2 else None)
        masks = list(mask) + [None] * (3 - len(mask)) if isinstance(mask, (list, tuple)) else [mask, None, None]
    else:
        masks = [mask if mask is not None else getattr(query, "_keras_mask", None),
                 getattr(value, "_keras_mask", None), getattr(key, "_keras_mask", None)]
    return query, value, key, masks


class MultiHeadAttention(QueryValueKeyCall, Layer):
    """Multi-head attention as in "Attention Is All You Need": ``query``, ``key`` and ``value`` are projected to
    ``num_heads`` heads (EinsumDense sublayers ``query``, ``key``, ``value``), attend by scaled dot product over
    ``attention_axes``, and the heads are projected back (sublayer ``attention_output``).

    Call: ``layer(query, value, key=None, attention_mask=None, return_attention_scores=False, training=None,
    use_causal_mask=False)``. Keras masks on query, value and key (e.g. from ``Embedding(mask_zero=True)``)
    are combined with ``attention_mask`` and the causal mask.

    Shape: query ``(batch, Tq, dim)``, value ``(batch, Tv, dim_v)`` -> ``(batch, Tq, dim)`` (or
    ``output_shape``); scores ``(batch, num_heads, Tq, Tv)``.
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, softmax_robust_masking=False, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._output_shape = output_shape
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        # Handed to the sublayers (as Keras does), not applied to this layer's own output.
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self._softmax_robust_masking = softmax_robust_masking
        if attention_axes is not None and not isinstance(attention_axes, collections.abc.Sized):
            attention_axes = (attention_axes,)
        self._attention_axes = attention_axes
        self._built_from_signature = False
        self._query_shape = self._key_shape = self._value_shape = None

    # ---- building --------------------------------------------------------------------------------------------

    def build(self, input_shape):
        # The projections need query, value and key shapes: __call__ builds them (_build_from_signature).
        self.built = True

    def _sublayer_kwargs(self):
        # Fresh initializer objects per sublayer, so that seeded initializers do not repeat one draw.
        return dict(
            kernel_initializer=initializers.get(initializers.serialize(self._kernel_initializer)),
            bias_initializer=initializers.get(initializers.serialize(self._bias_initializer)),
            kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer, kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint, dtype=Layer.get_config(self)["dtype"])

    def _projection(self, name, input_shape, bound_dims, new_shape):
        free_dims = len(input_shape) - bound_dims
        equation, bias_axes, rank = _projection_equation(free_dims, bound_dims, len(new_shape))
        layer = EinsumDense(equation, output_shape=[None] * (rank - 1 - len(new_shape)) + list(new_shape),
                            bias_axes=bias_axes if self._use_bias else None, name=name, **self._sublayer_kwargs())
        # Weights are named inside this layer's scope, as in Keras: 'multi_head_attention/query/kernel:0'.
        with K.real_tensor_scope():
            build_in_scope(layer, tuple(input_shape), self.name)
        return layer

    def _build_from_signature(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        rank = len(value_shape) + 1  # the projections' rank: (batch, *steps, heads, dim)
        if self._attention_axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a % rank if a < 0 else a for a in self._attention_axes)
            # Only the query's step axes can be attended over: not the batch, the heads or the features.
            if not axes or any(not 1 <= a <= rank - 3 for a in axes):
                raise ValueError(f'MultiHeadAttention layer "{self.name}": `attention_axes` must name step axes '
                                 f"of the query, between 1 and {rank - 3} for query of shape {query_shape}; "
                                 f"received attention_axes={self._attention_axes}.")
        self._attention_axes = axes
        self._dot_product_equation, self._combine_equation, scores_rank = _attention_equations(rank, axes)
        self._softmax_axes = tuple(range(scores_rank - len(axes), scores_rank))
        heads = self._num_heads
        self._query_dense = self._projection("query", query_shape, 1, [heads, self._key_dim])
        self._key_dense = self._projection("key", key_shape, 1, [heads, self._key_dim])
        self._value_dense = self._projection("value", value_shape, 1, [heads, self._value_dim])
        if self._output_shape:
            out = self._output_shape
            out = list(out) if isinstance(out, collections.abc.Sized) else [out]
        else:
            out = [query_shape[-1]]
        self._output_dense = self._projection(
            "attention_output", query_shape[:-1] + (heads, self._value_dim), 2, out)
        self._query_shape, self._value_shape, self._key_shape = list(query_shape), list(value_shape), list(key_shape)
        self._built_from_signature = True
        self.built = True

    def _check_shapes(self, query_shape, value_shape, key_shape):
        name = self.name
        if len(query_shape) < 3:
            raise ValueError(f'MultiHeadAttention layer "{name}" expects query of rank 3 or more, '
                             f"(batch_size, steps..., dim); received query of shape {query_shape}.")
        if len(value_shape) != len(query_shape):
            raise ValueError(f'MultiHeadAttention layer "{name}" expects query and value of the same rank; received '
                             f"query of shape {query_shape} and value of shape {value_shape}.")
        if len(key_shape) != len(value_shape) or any(
                a is not None and b is not None and a != b for a, b in zip(value_shape[1:-1], key_shape[1:-1])):
            raise ValueError(f'MultiHeadAttention layer "{name}": all dimensions of `value` and `key`, except the '
                             f"last one, must be equal. Received value of shape {value_shape} and key of shape "
                             f"{key_shape}.")
        for role, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if shape[-1] is None:
                raise ValueError(f'MultiHeadAttention layer "{name}": the last dimension of {role} must be '
                                 f"defined; received {role} of shape {shape}.")
        if self._built_from_signature:
            for role, shape, built in (("query", query_shape, self._query_shape), ("value", value_shape,
                                       self._value_shape), ("key", key_shape, self._key_shape)):
                if len(shape) != len(built) or shape[-1] != built[-1]:
                    raise ValueError(f'MultiHeadAttention layer "{name}" was built for {role} of shape '
                                     f"{tuple(built)} and cannot take {role} of shape {shape} (the rank and "
                                     "the last dimension must stay the same).")

    # ---- calling ---------------------------------------------------------------------------------------------

    _CALL_ARGS = ("value", "key", "attention_mask", "return_attention_scores", "training", "use_causal_mask")

    def _ready_for(self, shapes):
        if not self._built_from_signature:
            self._build_from_signature(*shapes)
            return False
        return True

    def _infer_outputs(self, inputs, extra_args, kwargs):
        # One output or two (return_attention_scores): shapes come from running call on shape-only tensors,
        # not from compute_output_shape, whose Keras signature takes the three input shapes.
        return self._meta_outputs(inputs, extra_args, kwargs)

    def call(self, query, value=None, key=None, attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False, mask=None):
        query, value, key, masks = split_attention_inputs(query, value, key, mask)
        if key is None:
            key = value
            masks[2] = None
        attention_mask = self._compute_attention_mask(query, value, masks, attention_mask, use_causal_mask)
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        output, scores = self._compute_attention(query, key, value, attention_mask, training)
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    def _compute_attention_mask(self, query, value, masks, attention_mask, use_causal_mask):
        """``attention_mask`` (batch, Tq, Tv) and-ed with the Keras masks and the causal mask."""
        query_mask, value_mask, key_mask = (None if m is None else K.cast(m, "bool") for m in masks)
        auto = None
        if query_mask is not None:
            auto = K.expand_dims(query_mask, -1)
        if value_mask is not None:
            auto = _merge_masks(auto, K.expand_dims(value_mask, 1))
        if key_mask is not None:
            auto = _merge_masks(auto, K.expand_dims(key_mask, 1))
        if use_causal_mask:
            auto = _merge_masks(auto, _causal_mask(query, value))
        if auto is None:
            return attention_mask
        return auto if attention_mask is None else K.cast(attention_mask, "bool") & auto

    def _compute_attention(self, query, key, value, attention_mask=None, training=None):
        query = query * (1.0 / math.sqrt(float(self._key_dim)))
        scores = einsum(self._dot_product_equation, key, query)
        scores = self._masked_softmax(scores, attention_mask)
        if training is None:
            training = K.learning_phase()
        dropped = K.dropout(scores, self._dropout) if training and self._dropout > 0 else scores
        return einsum(self._combine_equation, dropped, value), scores

    def _masked_softmax(self, scores, attention_mask):
        if attention_mask is not None:
            # The mask has no heads axis: it is broadcast over the heads, which sit before the attention axes.
            axis = -len(self._attention_axes) * 2 - 1
            while attention_mask.ndim < scores.ndim:
                attention_mask = K.expand_dims(attention_mask, axis)
            negative = _large_negative(scores.dtype)
            if self._softmax_robust_masking:
                keep = attention_mask if K.dtype(attention_mask) == "bool" else K.greater(attention_mask, 0.5)
                scores = K.where(keep, scores, K.ones_like(scores) * negative)
            else:
                scores = scores + (1.0 - K.cast(attention_mask, scores.dtype)) * negative
        axes = self._softmax_axes
        return K.softmax(scores, axis=axes[0] if len(axes) == 1 else axes)

    def compute_mask(self, inputs, mask=None):
        # The output is masked as the query is.
        if isinstance(inputs, (list, tuple)):
            return mask[0] if isinstance(mask, (list, tuple)) else mask
        return mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None and isinstance(query_shape, (list, tuple)) and query_shape \
                and isinstance(query_shape[0], (list, tuple)):
            query_shape, value_shape = query_shape[0], query_shape[1]
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError("The last dimension of `query_shape` and `value_shape` must be equal, but are "
                             f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                             f"value_shape={value_shape}")
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be equal. "
                             f"Received {value_shape} and {key_shape}")
        if self._output_shape:
            out = self._output_shape
            return query_shape[:-1] + (tuple(out) if isinstance(out, collections.abc.Sized) else (out,))
        return query_shape

    # ---- config ----------------------------------------------------------------------------------------------

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "output_shape": self._output_shape,
            "attention_axes": None if self._attention_axes is None else list(self._attention_axes),
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
        })
        # The input shapes are recorded once known (tf-keras leaves them out before the first call), so that
        # from_config can create the weights before any call, ready for a weight file.
        if self._built_from_signature:
            config.update({"query_shape": self._query_shape, "key_shape": self._key_shape,
                           "value_shape": self._value_shape})
        config["softmax_robust_masking"] = self._softmax_robust_masking
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        shapes = [config.pop(k, None) for k in ("query_shape", "value_shape", "key_shape")]
        layer = cls(**config)
        # The file records the input shapes, so the weights exist before the first call (and can be loaded).
        if None not in shapes:
            layer._build_from_signature(*shapes)
        return layer
