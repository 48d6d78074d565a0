"""Losses Keras 3 added (Keras 2 has none of them): Dice, Tversky, Circle, CTC and
CategoricalGeneralizedCrossEntropy, as functions and ``Loss`` classes, with Keras 3.15's semantics.

They are ``fastkeras.losses`` names (``keras.losses.Dice``, ``compile(loss='dice')``). Unlike the Keras 2
losses, their classes reduce as Keras 3's ``Loss`` does: ``reduction`` is one of 'sum_over_batch_size' (the
default), 'sum', 'mean' (the same as 'sum_over_batch_size'), 'mean_with_sample_weight' (divide by the sum of the
sample weights), or 'none'/None; ``y_true`` is cast to the loss' dtype before ``call``; a mask on the predictions
or on the per-sample losses (Circle masks the samples without positives) weighs only the valid entries; and
``get_config()`` holds Keras 3's keys.

Everything computes through ``fastkeras.backend`` (``K``), except ``ctc`` which uses ``keras.ops.nn.ctc_loss``.
"""
from fastkeras import backend as K
from fastkeras.losses import LossFunctionWrapper, _num_elements, _shape, get_mask

_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def _same_rank(x1, x2, expand_rank_1=True):
    """Keras 3's rank alignment: when the ranks differ by one and the longer one ends in 1, that dimension is
    squeezed (or, when the other is of rank 1 and ``expand_rank_1``, the other one is expanded)."""
    r1, r2 = len(_shape(x1)), len(_shape(x2))
    if r1 == r2 + 1 and _shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = K.expand_dims(x2, -1)
        else:
            x1 = K.squeeze(x1, -1)
    elif r2 == r1 + 1 and _shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = K.expand_dims(x1, -1)
        else:
            x2 = K.squeeze(x2, -1)
    return x1, x2


def _mask_as_weights(sample_weight, mask, dtype, reduction):
    """Keras 3's ``apply_mask``: for the averaging reductions each valid entry weighs ``total / valid`` (so the
    average runs over the valid entries only), otherwise the mask itself; merged into ``sample_weight``."""
    if mask is None:
        return sample_weight
    float_mask = K.cast(mask, dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        # `valid` counts entries: at least 1 unless the mask is all False, and then every weight is 0 anyway.
        valid = K.maximum(K.sum(float_mask), 1.0)
        float_mask = float_mask * (_num_elements(float_mask) / valid)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = _same_rank(float_mask, K.cast(sample_weight, dtype))
    return sample_weight * float_mask


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None):
    """Weights ``values`` by ``sample_weight`` and ``mask`` and reduces them, as Keras 3's ``Loss`` does."""
    dtype = dtype or K.floatx()
    values = K.cast(values, dtype)
    if sample_weight is not None:
        sample_weight = K.cast(sample_weight, dtype)
    sample_weight = _mask_as_weights(sample_weight, mask, dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = _same_rank(values, sample_weight)
        values = values * sample_weight
    if reduction in (None, "none") or _shape(values) in ((), (0,)):
        return values
    loss = K.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = K.sum(sample_weight)
        # 0 when the weights sum to 0 (Keras 3's divide_no_nan)
        return K.where(K.equal(divisor, 0.0), K.zeros_like(loss), loss / K.where(K.equal(divisor, 0.0),
                                                                                 K.ones_like(divisor), divisor))
    n = _num_elements(values)
    return loss / n if n else loss * 0.0


class Keras3LossFunctionWrapper(LossFunctionWrapper):
    """A ``Loss`` around ``fn(y_true, y_pred, **kwargs)`` that reduces as Keras 3's ``Loss`` (see the module
    docstring); subclasses list their arguments in ``get_config``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction` of {type(self).__name__}: expected one of "
                             f"{list(_REDUCTIONS)}. Received: reduction={reduction!r}")
        # Not LossFunctionWrapper.__init__: Keras 2's Reduction does not know None, 'mean' and
        # 'mean_with_sample_weight'.
        self.reduction = reduction
        self.name = name
        self.fn = fn
        self._fn_kwargs = kwargs
        self._dtype = dtype.name if hasattr(dtype, "name") else dtype

    @property
    def dtype(self):
        return self._dtype or K.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = get_mask(y_pred)
        y_pred = K.cast(y_pred, self.dtype)
        y_true = K.cast(y_true, self.dtype)
        losses = self.call(y_true, y_pred)
        out_mask = get_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = K.cast(in_mask, "bool") & K.cast(out_mask, "bool")
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask, reduction=self.reduction,
                                      dtype=self.dtype)

    def call(self, y_true, y_pred):
        y_true, y_pred = _same_rank(K.convert_to_tensor(y_true), K.convert_to_tensor(y_pred))
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# ---- functions ---------------------------------------------------------------------------------

def _prepare(y_true, y_pred):
    y_pred = K.convert_to_tensor(y_pred)
    if not (K.dtype(y_pred).startswith("float") or K.dtype(y_pred) == "bfloat16"):
        y_pred = K.cast(y_pred, K.floatx())
    return K.cast(y_true, K.dtype(y_pred)), y_pred


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def dice(y_true, y_pred, axis=None):
    """Dice loss ``1 - 2 sum(y_true y_pred) / (sum(y_true) + sum(y_pred) + epsilon)``, summed over ``axis``
    (every axis by default, giving one number; ``axis=(1, 2, 3)`` gives one per image)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    axis = _axis(axis)
    intersection = K.sum(y_true * y_pred, axis=axis)
    total = K.sum(y_true, axis=axis) + K.sum(y_pred, axis=axis) + K.epsilon()
    return 1.0 - 2.0 * intersection / total


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss ``1 - TP / (TP + alpha FP + beta FN + epsilon)`` with soft counts summed over ``axis``;
    ``alpha=beta=0.5`` gives the Dice loss.

    As in Keras 3, ``FP = sum((1 - y_pred) y_true)`` and ``FN = sum(y_pred (1 - y_true))``: ``alpha`` weighs the
    missed positives and ``beta`` the false alarms, the other way round from the paper's names.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    axis = _axis(axis)
    intersection = K.sum(y_true * y_pred, axis=axis)
    fp = K.sum((1.0 - y_pred) * y_true, axis=axis)
    fn = K.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - intersection / (intersection + fp * alpha + fn * beta + K.epsilon())


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80, margin=0.4):
    """Circle loss (Sun et al., 2020) of L2-normalized embeddings ``y_pred`` (n, d) with integer labels
    ``y_true`` (n,), against reference embeddings and labels (the batch itself by default).

    Per sample: ``softplus(logsumexp(-gamma a_p (s_p - delta_p)) + logsumexp(gamma a_n (s_n - delta_n)))`` over
    its positives and negatives, where ``s`` is the cosine distance clipped at 0, ``a_p = relu(s + margin)``,
    ``a_n = relu(1 + margin - s)``, ``delta_p = margin`` and ``delta_n = 1 - margin``. With
    ``remove_diagonal`` a sample is not its own positive. The result carries a mask of the samples with a
    positive loss (those without any positive pair give 0), which ``Circle`` averages over.
    """
    y_pred = K.convert_to_tensor(y_pred)
    y_true = K.cast(y_true, "int32")
    ref_embeddings = y_pred if ref_embeddings is None else K.cast(ref_embeddings, K.dtype(y_pred))
    ref_labels = y_true if ref_labels is None else K.cast(ref_labels, "int32")
    if len(_shape(y_pred)) != 2 or len(_shape(ref_embeddings)) != 2:
        raise ValueError(f"circle expects embeddings of shape (batch_size, dim). Received: "
                         f"y_pred.shape={_shape(y_pred)}, ref_embeddings.shape={_shape(ref_embeddings)}")
    distances = K.maximum(1.0 - K.dot(y_pred, K.transpose(ref_embeddings)), 0.0)
    query = K.reshape(y_true, (-1, 1))
    keys = K.reshape(ref_labels, (1, -1))
    positive = K.equal(query, keys)
    negative = ~positive
    if remove_diagonal:
        n, m = _num_elements(query), _num_elements(keys)
        diagonal = K.equal(K.reshape(K.arange(n), (-1, 1)), K.reshape(K.arange(m), (1, -1)))
        positive = positive & ~diagonal
    dtype = K.dtype(distances)
    pos_weights = K.maximum((margin + distances) * K.cast(positive, dtype), 0.0)
    neg_weights = K.maximum((1.0 + margin - distances) * K.cast(negative, dtype), 0.0)
    pos_terms = -gamma * pos_weights * (margin - distances)
    neg_terms = gamma * neg_weights * ((1.0 - margin) - distances)
    minus_inf = K.zeros_like(distances) - float("inf")
    p_loss = K.logsumexp(K.where(positive, pos_terms, minus_inf), axis=1)
    n_loss = K.logsumexp(K.where(negative, neg_terms, minus_inf), axis=1)
    losses = K.softplus(p_loss + n_loss)
    losses._keras_mask = losses > 0
    return losses


def ctc(y_true, y_pred):
    """CTC loss per sample: ``y_true`` (batch, max_length) integer labels padded with 0 (0 is the blank and
    never a class), ``y_pred`` (batch, steps, classes) logits (not softmax outputs). Every sample uses all
    ``steps``; a label's length is its count of non-zero entries."""
    if len(_shape(y_true)) != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in "
                         f"integer format. Received: y_true.shape={_shape(y_true)}")
    if len(_shape(y_pred)) != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, "
                         f"num_classes)`. Received: y_pred.shape={_shape(y_pred)}")
    from fastkeras.ops import nn  # fastkeras.ops needs the engine, which imports the losses
    batch, steps = _shape(y_pred)[:2]
    label_length = K.cast(K.sum(K.cast(K.not_equal(y_true, 0), "int32"), axis=-1), "int32")
    input_length = K.cast(K.ones((batch,)) * steps, "int32")
    return nn.ctc_loss(y_true, y_pred, label_length, input_length, mask_index=0)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Generalized cross-entropy (Zhang & Sabuncu, 2018) per sample: ``(1 - p^q) / q`` with ``p`` the predicted
    probability of the true class; ``y_true`` holds integer class indices (batch_size,), ``y_pred`` the
    probabilities (batch_size, num_classes). ``q`` near 0 approaches the cross-entropy, ``q = 1`` the MAE.

    Labels of shape (batch_size, 1) are read as (batch_size,), as Keras 3 documents (and as ``fit`` hands them
    over, Keras 2 style); Keras 3.15.1 itself broadcasts them against the probabilities into a
    (batch_size, batch_size) result.
    """
    y_pred = K.convert_to_tensor(y_pred)
    y_true = K.convert_to_tensor(y_true)
    if len(_shape(y_true)) == len(_shape(y_pred)) and _shape(y_true)[-1] == 1:
        y_true = K.squeeze(y_true, -1)
    one_hot = K.cast(K.one_hot(K.cast(y_true, "int64"), _shape(y_pred)[-1]), K.dtype(y_pred))
    p = K.sum(y_pred * one_hot, axis=-1)
    return (1.0 - K.pow(p, q)) / q


# ---- classes -----------------------------------------------------------------------------------

class Dice(Keras3LossFunctionWrapper):
    """Dice loss, ``1 - 2 |y_true * y_pred| / (|y_true| + |y_pred|)``, for segmentation masks.

    Args:
        reduction: Keras 3's reduction (see the module docstring). Defaults to 'sum_over_batch_size'.
        name: Defaults to 'dice'.
        axis: The axes summed over (e.g. ``(1, 2, 3)`` for one loss per image); None sums everything.
        dtype: The dtype of the computation; defaults to ``floatx()``.
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Tversky(Keras3LossFunctionWrapper):
    """Tversky loss: Dice with separate weights ``alpha``/``beta`` on the two kinds of error (see ``tversky``).

    Args:
        alpha, beta: Defaults to 0.5 each (the Dice loss).
        reduction, name ('tversky'), axis, dtype: As for ``Dice``.
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky", axis=None,
                 dtype=None):
        super().__init__(tversky, reduction=reduction, name=name, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "beta": self.beta, "axis": self.axis}


class Circle(Keras3LossFunctionWrapper):
    """Circle loss between integer labels and L2-normalized embeddings (end the model with a linear Dense and
    ``UnitNormalization``); averaged over the samples that have a positive pair (see ``circle``).

    Args:
        gamma: The scale of the similarity scores. Defaults to 80.
        margin: The relaxation margin. Defaults to 0.4.
        remove_diagonal: Whether a sample is left out of its own positives. Defaults to True.
        reduction, name ('circle'), dtype: As for ``Dice``.
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction="sum_over_batch_size",
                 name="circle", dtype=None):
        super().__init__(circle, reduction=reduction, name=name, dtype=dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "margin": self.margin,
                "remove_diagonal": self.remove_diagonal}


class CTC(Keras3LossFunctionWrapper):
    """CTC (connectionist temporal classification) loss between 0-padded integer labels and per-step logits
    (see ``ctc``).

    Args:
        reduction, name ('ctc'), dtype: As for ``Dice``.
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction=reduction, name=name, dtype=dtype)


class CategoricalGeneralizedCrossEntropy(Keras3LossFunctionWrapper):
    """Generalized cross-entropy, robust to noisy labels: ``(1 - p^q) / q`` (see
    ``categorical_generalized_cross_entropy``).

    Args:
        q: In (0, 1): towards 0 the loss behaves like the cross-entropy, towards 1 like the MAE. Defaults to 0.5.
        reduction, name ('categorical_generalized_cross_entropy'), dtype: As for ``Dice``.
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size", name="categorical_generalized_cross_entropy",
                 dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"q must be in the interval (0, 1). Received: q={q}")
        super().__init__(categorical_generalized_cross_entropy, reduction=reduction, name=name, dtype=dtype, q=q)
        self.q = q

    def get_config(self):
        return {**super().get_config(), "q": self.q}


KERAS3_LOSSES = {obj.__name__: obj for obj in (
    Dice, Tversky, Circle, CTC, CategoricalGeneralizedCrossEntropy, dice, tversky, circle, ctc,
    categorical_generalized_cross_entropy)}
