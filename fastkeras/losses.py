"""Built-in loss functions and ``Loss`` classes, with tf-keras 2.21 (Keras 2) semantics.

Per-sample functions (``mean_squared_error(y_true, y_pred)`` ...) return one value per
sample (the mean or sum over the last axis, as Keras 2 does); ``Loss`` objects add sample
weights and a reduction.

For the training loop: ``loss_obj.call(y_true, y_pred)`` gives the per-sample losses without
any host synchronisation; ``compute_weighted_loss(losses, sample_weight, reduction)`` (plus
``apply_valid_mask`` when the per-sample tensor carries a ``_keras_mask``, as
``sparse_categorical_crossentropy(..., ignore_class=...)`` does) weights and reduces them exactly
as ``Loss.__call__`` does.

Everything computes through ``fastkeras.backend`` (``K``), so another engine can run it.
Differences from tf-keras worth knowing:

* tf-keras skips the ``y_true``/``y_pred`` rank adjustment of ``LossFunctionWrapper.call`` when it
  is given numpy arrays (not tensors); fastkeras always applies it, as ``Model.fit`` does.
* Inside a model, tf-keras computes cross-entropies from the logits of a final softmax/sigmoid;
  these functions implement the documented formulas on what they are given (the trainer handles
  the logits case).
"""
import warnings

from fastkeras import backend as K
from fastkeras.saving import serialization as _serialization


# ---- reductions and shape rules (tf-keras losses_utils) ----------------------------------------

class Reduction:
    """Types of loss reduction (Keras 2's ``tf.keras.losses.Reduction``)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in _REDUCTIONS:
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


ReductionV2 = Reduction
_REDUCTIONS = frozenset(Reduction.all())


def _shape(x):
    return tuple(K.int_shape(x))


def _squeeze_last(x, what):
    shape = _shape(x)
    if not shape or shape[-1] != 1:
        raise ValueError(f"Cannot squeeze the last dimension of {what} of shape {shape}: expected a dimension of 1.")
    return K.squeeze(x, -1)


def _is_float(x):
    name = K.dtype(x)
    return name.startswith("float") or name == "bfloat16"


def _to_tensor(x):
    return K.convert_to_tensor(x)


def remove_squeezable_dimensions(labels, predictions, expected_rank_diff=0):
    """Squeezes a trailing 1 from ``labels`` or ``predictions`` when their ranks differ by one more
    (or one less) than ``expected_rank_diff``; returns ``(labels, predictions)``."""
    labels, predictions = _to_tensor(labels), _to_tensor(predictions)
    rank_diff = len(_shape(predictions)) - len(_shape(labels))
    if rank_diff == expected_rank_diff + 1 and _shape(predictions)[-1] == 1:
        predictions = K.squeeze(predictions, -1)
    elif rank_diff == expected_rank_diff - 1 and _shape(labels)[-1] == 1:
        labels = K.squeeze(labels, -1)
    return labels, predictions


def squeeze_or_expand_dimensions(y_pred, y_true=None, sample_weight=None):
    """Keras 2's rank alignment: a trailing 1 is squeezed from ``y_true``/``y_pred`` when their ranks
    differ by one, and ``sample_weight`` is squeezed or expanded by one dimension to ``y_pred``'s rank.

    Returns ``(y_pred, y_true)`` without ``sample_weight``, else ``(y_pred, y_true, sample_weight)``.
    """
    y_pred = _to_tensor(y_pred)
    y_pred_rank = len(_shape(y_pred))
    if y_true is not None:
        y_true = _to_tensor(y_true)
        y_true_rank = len(_shape(y_true))
        if y_pred_rank - y_true_rank != 1 or _shape(y_pred)[-1] == 1:
            y_true, y_pred = remove_squeezable_dimensions(y_true, y_pred)
    if sample_weight is None:
        return y_pred, y_true
    sample_weight = _to_tensor(sample_weight)
    weights_rank = len(_shape(sample_weight))
    if weights_rank == 0:
        return y_pred, y_true, sample_weight
    if weights_rank - y_pred_rank == 1:
        sample_weight = _squeeze_last(sample_weight, "sample_weight")
    elif y_pred_rank - weights_rank == 1:
        sample_weight = K.expand_dims(sample_weight, -1)
    return y_pred, y_true, sample_weight


def _num_elements(x):
    n = 1
    for d in _shape(x):
        n *= d
    return n


def reduce_weighted_loss(weighted_losses, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """'none': unchanged; 'sum': the sum; 'sum_over_batch_size'/'auto': the sum over the number of elements."""
    if reduction == Reduction.NONE:
        return weighted_losses
    loss = K.sum(weighted_losses)
    if reduction in (Reduction.SUM_OVER_BATCH_SIZE, Reduction.AUTO):
        n = _num_elements(weighted_losses)
        loss = loss / n if n else loss * 0.0
    return loss


def compute_weighted_loss(losses, sample_weight=None, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """Weights per-sample ``losses`` by ``sample_weight`` (Keras 2's broadcasting rules) and reduces them."""
    Reduction.validate(reduction)
    if reduction == Reduction.AUTO:
        reduction = Reduction.SUM_OVER_BATCH_SIZE
    if sample_weight is None and reduction == Reduction.SUM_OVER_BATCH_SIZE and K.is_tensor(losses) \
            and _is_float(losses):
        # The common case of every training step, without the general path's conversions.
        n = losses.numel() if hasattr(losses, "numel") else _num_elements(losses)
        return K.sum(losses) / n if n else K.sum(losses) * 0.0
    losses = _to_tensor(losses)
    input_dtype = None
    if not _is_float(losses):
        input_dtype = K.dtype(losses)
        losses = K.cast(losses, "float32")
    if sample_weight is None:
        weighted = losses
    else:
        sample_weight = K.cast(sample_weight, K.dtype(losses))
        losses, _, sample_weight = squeeze_or_expand_dimensions(losses, None, sample_weight)
        weighted = losses * sample_weight
    loss = reduce_weighted_loss(weighted, reduction)
    return K.cast(loss, input_dtype) if input_dtype else loss


def get_mask(x):
    """The ``_keras_mask`` a tensor carries, or None."""
    return getattr(x, "_keras_mask", None)


def apply_mask(y_p, sample_weight, mask):
    """Folds a mask into the sample weights (the mask alone when there are no weights)."""
    if mask is None:
        return sample_weight
    mask = K.cast(mask, K.dtype(y_p))
    if sample_weight is None:
        return mask
    sample_weight = K.cast(sample_weight, K.dtype(mask))
    mask, _, sample_weight = squeeze_or_expand_dimensions(mask, sample_weight=sample_weight)
    return sample_weight * mask


def apply_valid_mask(losses, sample_weight, mask, reduction):
    """As ``apply_mask``; for 'auto'/'sum_over_batch_size' the mask is rescaled so that the
    reduction averages over the valid entries only."""
    if mask is not None:
        mask = K.cast(mask, K.dtype(losses))
        if reduction in (Reduction.AUTO, Reduction.SUM_OVER_BATCH_SIZE):
            mask = mask * (_num_elements(mask) / K.sum(mask))
    return apply_mask(losses, sample_weight, mask)


# ---- per-sample loss functions -----------------------------------------------------------------

def _prepare(y_true, y_pred):
    """(y_true, y_pred) as tensors, y_true cast to y_pred's (float) dtype."""
    y_pred = _to_tensor(y_pred)
    if not _is_float(y_pred):
        y_pred = K.cast(y_pred, K.floatx())
    y_true = K.cast(y_true, K.dtype(y_pred))
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """``mean(square(y_pred - y_true), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return K.mean(K.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_pred - y_true), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return K.mean(K.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    diff = K.abs((y_true - y_pred) / K.maximum(K.abs(y_true), K.epsilon()))
    return 100.0 * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    first_log = K.log(K.maximum(y_pred, K.epsilon()) + 1.0)
    second_log = K.log(K.maximum(y_true, K.epsilon()) + 1.0)
    return K.mean(K.square(first_log - second_log), axis=-1)


def _maybe_convert_labels(y_true):
    """Labels that are all 0 or 1 become -1/1 (decided on the device, without a host sync)."""
    is_binary = K.all((y_true == 0) | (y_true == 1))
    return K.where(is_binary, 2.0 * y_true - 1.0, y_true)


def squared_hinge(y_true, y_pred):
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return K.mean(K.square(K.relu(1.0 - y_true * y_pred)), axis=-1)


def hinge(y_true, y_pred):
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return K.mean(K.relu(1.0 - y_true * y_pred), axis=-1)


def categorical_hinge(y_true, y_pred):
    """``maximum(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)``, ``neg = max((1 - y_true) * y_pred)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = K.sum(y_true * y_pred, axis=-1)
    neg = K.max((1.0 - y_true) * y_pred, axis=-1)
    return K.relu(neg - pos + 1.0)


def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of ``0.5 * x^2`` where ``|x| <= delta``, else ``delta * |x| - 0.5 * delta^2``."""
    y_pred = K.cast(y_pred, K.floatx())
    y_true = K.cast(y_true, K.floatx())
    delta = float(delta)
    error = y_pred - y_true
    abs_error = K.abs(error)
    return K.mean(K.where(K.less_equal(abs_error, delta), 0.5 * K.square(error),
                          delta * abs_error - 0.5 * delta * delta), axis=-1)


_LOG_2 = 0.6931471805599453


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed as ``x + softplus(-2x) - log(2)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return K.mean(x + K.softplus(-2.0 * x) - _LOG_2, axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot (or soft) targets and predicted probabilities (or logits).

    Probabilities are rescaled to sum to 1 and clipped to ``[eps, 1 - eps]``; logits go through
    log-softmax. ``label_smoothing`` mixes the targets with the uniform distribution.
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_true, y_pred = _prepare(y_true, y_pred)
    if _shape(y_pred) and _shape(y_pred)[-1] == 1:
        warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={_shape(y_pred)}. Consider using 'binary_crossentropy' "
            "if you only have 2 classes.", SyntaxWarning, stacklevel=2)
    if _nonzero(label_smoothing):
        num_classes = _shape(y_true)[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return K.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def _nonzero(value):
    return K.is_tensor(value) or bool(value)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1, ignore_class=None):
    """Cross-entropy between integer labels and predicted probabilities (or logits): ``K.sparse_categorical_
    crossentropy``, whose docstring gives Keras 2's rules (logits of a softmax output, clipping, labels out of
    range, ``ignore_class`` and the mask ``Loss.__call__`` averages with)."""
    y_pred = _to_tensor(y_pred)
    if not _is_float(y_pred):
        y_pred = K.cast(y_pred, K.floatx())
    return K.sparse_categorical_crossentropy(K.cast(y_true, "int64"), y_pred, from_logits=from_logits, axis=axis,
                                             ignore_class=ignore_class)


def _binary_crossentropy_from_logits(target, logits):
    """``max(x, 0) - x * z + log1p(exp(-|x|))``, as ``tf.nn.sigmoid_cross_entropy_with_logits``, through Keras 2's
    ``K.binary_crossentropy`` (one fused kernel). Its gradient is TensorFlow's, ``sigmoid(x) - z``, also at
    ``x == 0`` (exact zeros come from zero biases on zero or fully masked rows), where the relu/abs spelling gave
    ``-z``. Targets and logits of different shapes are broadcast first, as that spelling allowed."""
    if tuple(K.int_shape(target)) != tuple(K.int_shape(logits)):
        ones = K.ones_like(target + logits)
        target, logits = target * ones, logits * ones
    return K.binary_crossentropy(target, logits, from_logits=True)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over ``axis`` of the binary cross-entropy; ``label_smoothing`` squeezes targets towards 0.5.

    On probabilities this is Keras 2's backend formula (clipped to ``[eps, 1 - eps]``, ``log(p + eps)``).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    if _nonzero(label_smoothing):
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        values = _binary_crossentropy_from_logits(y_true, y_pred)
    else:
        values = K.binary_crossentropy(y_true, y_pred, from_logits=False)
    return K.mean(values, axis=axis)


def _check_broadcastable(fn_name, y_true, y_pred):
    a, b = _shape(y_true), _shape(y_pred)
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and x != 1 and y != 1:
            raise ValueError(f"In {fn_name}, y_true and y_pred must have compatible shapes (equal, or broadcastable "
                             f"along dimensions of size 1). Received: y_true.shape={a}, y_pred.shape={b}")


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    """Mean over ``axis`` of the binary cross-entropy scaled by the focal factor ``(1 - p_t) ** gamma``.

    ``p_t`` is the predicted probability of the true class (``y_pred`` for 1, ``1 - y_pred`` for 0); with
    ``apply_class_balancing`` each term is also weighted by ``alpha`` (class 1) or ``1 - alpha`` (class 0).
    ``label_smoothing`` squeezes targets towards 0.5; ``gamma=0`` gives ``binary_crossentropy``.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_broadcastable("binary_focal_crossentropy", y_true, y_pred)
    if _nonzero(label_smoothing):
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    values = K.binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=apply_class_balancing, alpha=alpha,
                                         gamma=gamma, from_logits=from_logits)
    return K.mean(values, axis=axis)


def _alpha_tensor(alpha, like):
    if isinstance(alpha, (list, tuple)) or hasattr(alpha, "shape"):
        return K.cast(alpha, K.dtype(like))
    return alpha


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """``sum(alpha * (1 - p) ** gamma * -y_true * log(p))`` over ``axis``: categorical cross-entropy with each
    class term scaled down where it is already predicted well.

    ``p`` are the probabilities (softmax of ``y_pred`` with ``from_logits``), rescaled to sum to 1 and clipped to
    ``[eps, 1 - eps]``. ``alpha`` is a float or one weight per class; ``label_smoothing`` mixes the targets with
    the uniform distribution over the last axis' classes (as tf-keras does, whatever ``axis`` is).
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_true, y_pred = _prepare(y_true, y_pred)
    if _shape(y_true) != _shape(y_pred):
        raise ValueError(f"In categorical_focal_crossentropy, y_true and y_pred must have the same shape. Received: "
                         f"y_true.shape={_shape(y_true)}, y_pred.shape={_shape(y_pred)}")
    if _shape(y_pred) and _shape(y_pred)[-1] == 1:
        warnings.warn(
            "In loss categorical_focal_crossentropy, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={_shape(y_pred)}. Consider using 'binary_crossentropy' "
            "if you only have 2 classes.", SyntaxWarning, stacklevel=2)
    if _nonzero(label_smoothing):
        num_classes = _shape(y_true)[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    logits = getattr(y_pred, "_keras_logits", None)  # a softmax output: work from its logits, as tf-keras does
    if logits is not None:
        if from_logits:
            warnings.warn('"`categorical_focal_crossentropy` received `from_logits=True`, but the `output` argument '
                          'was produced by a Softmax activation and thus does not represent logits. Was this '
                          'intended?', stacklevel=2)
        y_pred, from_logits = logits, True
    return K.categorical_focal_crossentropy(y_true, y_pred, alpha=_alpha_tensor(alpha, y_pred), gamma=gamma,
                                            from_logits=from_logits, axis=axis)


def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[eps, 1]``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = K.clip(y_true, K.epsilon(), 1.0)
    y_pred = K.clip(y_pred, K.epsilon(), 1.0)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return K.mean(y_pred - y_true * K.log(y_pred + K.epsilon()), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: -1 for identical directions."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return -K.sum(K.l2_normalize(y_true, axis=axis) * K.l2_normalize(y_pred, axis=axis), axis=axis)


bce = BCE = binary_crossentropy
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber
cosine_proximity = cosine = cosine_similarity  # Keras 2.2 names


# ---- Loss classes ------------------------------------------------------------------------------

class Loss:
    """Loss base class: subclasses implement ``call(y_true, y_pred)`` returning per-sample losses.

    ``loss(y_true, y_pred, sample_weight=None)`` weights and reduces them: 'auto' and
    'sum_over_batch_size' divide the weighted sum by the number of elements, 'sum' sums, 'none'
    returns the weighted per-sample losses.
    """

    def __init__(self, reduction=Reduction.AUTO, name=None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        try:
            losses = self.call(y_true, y_pred)
        except RuntimeError as e:
            # torch's broadcasting error names neither the loss nor both shapes; tf-keras says "Shapes ... are
            # incompatible". Only the error path pays for this.
            if "must match the size of tensor" not in str(e):
                raise
            raise ValueError(f"Loss {self.name!r}: the targets' shape {tuple(K.int_shape(y_true))} and the "
                             f"predictions' shape {tuple(K.int_shape(y_pred))} are incompatible.") from None
        in_mask, out_mask = get_mask(y_pred), get_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = K.cast(in_mask, "bool") & K.cast(out_mask, "bool")
        else:
            mask = in_mask if in_mask is not None else out_mask
        reduction = self._get_reduction()
        sample_weight = apply_valid_mask(losses, sample_weight, mask, reduction)
        return compute_weighted_loss(losses, sample_weight, reduction=reduction)

    def call(self, y_true, y_pred):
        """Per-sample losses, shape ``[batch_size, d0, .. dN-1]``."""
        raise NotImplementedError("Must be implemented in subclasses.")

    def _get_reduction(self):
        return Reduction.SUM_OVER_BATCH_SIZE if self.reduction == Reduction.AUTO else self.reduction

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


def _config_value(value):
    if K.is_tensor(value):
        value = K.get_value(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


class LossFunctionWrapper(Loss):
    """A ``Loss`` around a function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, reduction=Reduction.AUTO, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        # Targets of the predictions' rank (every built-in step's) need no rank alignment.
        if not (K.is_tensor(y_pred) and K.is_tensor(y_true) and len(y_pred.shape) == len(y_true.shape)):
            y_pred, y_true = squeeze_or_expand_dimensions(_to_tensor(y_pred), _to_tensor(y_true))
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = {k: _config_value(v) for k, v in self._fn_kwargs.items()}
        config["fn"] = _serialization.get_registered_name(self.fn)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn_name = config.pop("fn", None)
        if cls is LossFunctionWrapper:
            if fn_name is None:
                raise ValueError("The config of a LossFunctionWrapper needs the name of its function under 'fn'.")
            config["fn"] = get(fn_name)
        return cls(**config)


class MeanSquaredError(LossFunctionWrapper):
    """``mean(square(y_true - y_pred))``."""

    def __init__(self, reduction=Reduction.AUTO, name="mean_squared_error"):
        super().__init__(mean_squared_error, name=name, reduction=reduction)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean(abs(y_true - y_pred))``."""

    def __init__(self, reduction=Reduction.AUTO, name="mean_absolute_error"):
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(abs((y_true - y_pred) / y_true))``."""

    def __init__(self, reduction=Reduction.AUTO, name="mean_absolute_percentage_error"):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean(square(log(y_true + 1) - log(y_pred + 1)))``."""

    def __init__(self, reduction=Reduction.AUTO, name="mean_squared_logarithmic_error"):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy on probabilities (or logits with ``from_logits=True``)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=Reduction.AUTO,
                 name="binary_crossentropy"):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy scaled by the focal factor ``(1 - p_t) ** gamma`` (Lin et al., 2018), optionally
    class-balanced by ``alpha`` / ``1 - alpha``."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction=Reduction.AUTO, name="binary_focal_crossentropy"):
        super().__init__(binary_focal_crossentropy, apply_class_balancing=apply_class_balancing, alpha=alpha,
                         gamma=gamma, name=name, reduction=reduction, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with one-hot targets."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=Reduction.AUTO,
                 name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy scaled per class by ``alpha * (1 - p) ** gamma`` (one-hot targets)."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction=Reduction.AUTO, name="categorical_focal_crossentropy"):
        super().__init__(categorical_focal_crossentropy, alpha=alpha, gamma=gamma, name=name, reduction=reduction,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.alpha = alpha
        self.gamma = gamma


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with integer targets."""

    def __init__(self, from_logits=False, ignore_class=None, reduction=Reduction.AUTO,
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, from_logits=from_logits,
                         ignore_class=ignore_class)


class CosineSimilarity(LossFunctionWrapper):
    """``-sum(l2_norm(y_true) * l2_norm(y_pred))`` along ``axis``."""

    def __init__(self, axis=-1, reduction=Reduction.AUTO, name="cosine_similarity"):
        super().__init__(cosine_similarity, reduction=reduction, name=name, axis=axis)


class Hinge(LossFunctionWrapper):
    """``maximum(1 - y_true * y_pred, 0)``."""

    def __init__(self, reduction=Reduction.AUTO, name="hinge"):
        super().__init__(hinge, name=name, reduction=reduction)


class SquaredHinge(LossFunctionWrapper):
    """``square(maximum(1 - y_true * y_pred, 0))``."""

    def __init__(self, reduction=Reduction.AUTO, name="squared_hinge"):
        super().__init__(squared_hinge, name=name, reduction=reduction)


class CategoricalHinge(LossFunctionWrapper):
    """``maximum(neg - pos + 1, 0)``."""

    def __init__(self, reduction=Reduction.AUTO, name="categorical_hinge"):
        super().__init__(categorical_hinge, name=name, reduction=reduction)


class Poisson(LossFunctionWrapper):
    """``y_pred - y_true * log(y_pred)``."""

    def __init__(self, reduction=Reduction.AUTO, name="poisson"):
        super().__init__(poisson, name=name, reduction=reduction)


class LogCosh(LossFunctionWrapper):
    """``log(cosh(y_pred - y_true))``."""

    def __init__(self, reduction=Reduction.AUTO, name="log_cosh"):
        super().__init__(log_cosh, name=name, reduction=reduction)


class KLDivergence(LossFunctionWrapper):
    """``y_true * log(y_true / y_pred)``."""

    def __init__(self, reduction=Reduction.AUTO, name="kl_divergence"):
        super().__init__(kl_divergence, name=name, reduction=reduction)


class Huber(LossFunctionWrapper):
    """Quadratic for errors up to ``delta``, linear beyond."""

    def __init__(self, delta=1.0, reduction=Reduction.AUTO, name="huber_loss"):
        super().__init__(huber, name=name, reduction=reduction, delta=delta)


# ---- lookup and (de)serialization --------------------------------------------------------------

def _builtin_objects():
    names = [
        "Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
        "MeanSquaredLogarithmicError", "BinaryCrossentropy", "CategoricalCrossentropy",
        "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "SparseCategoricalCrossentropy",
        "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge",
        "Poisson", "LogCosh", "KLDivergence", "Huber",
        "mean_squared_error", "mse", "MSE", "mean_absolute_error", "mae", "MAE", "mean_absolute_percentage_error",
        "mape", "MAPE", "mean_squared_logarithmic_error", "msle", "MSLE", "squared_hinge", "hinge",
        "categorical_hinge", "huber", "huber_loss", "log_cosh", "logcosh", "categorical_crossentropy",
        "sparse_categorical_crossentropy", "binary_crossentropy", "bce", "BCE", "binary_focal_crossentropy",
        "categorical_focal_crossentropy", "kl_divergence",
        "kullback_leibler_divergence", "kld", "KLD", "poisson", "cosine_similarity", "cosine_proximity", "cosine",
    ]
    g = globals()
    return {name: g[name] for name in names}


_BUILTINS = _builtin_objects()


def serialize(loss, use_legacy_format=False):
    """A ``Loss`` as ``{'module': 'keras.losses', 'class_name', 'config', 'registered_name'}`` and a function as
    tf-keras 2.13+ writes it; ``use_legacy_format=True``: Keras 2's ``{'class_name', 'config'}`` and bare names."""
    if use_legacy_format:
        return _serialization.serialize_keras_object(loss)
    return _serialization.serialize_with_module(loss, "keras.losses", _BUILTINS)


def deserialize(name, custom_objects=None, use_legacy_format=False):
    """A loss function (from a name) or ``Loss`` instance (from a class name or a config dict).

    Names resolve through ``custom_objects``, the registered custom objects, then this module's
    built-ins; nothing is imported. Keras 3-style ``{'class_name': 'function', 'config': name}``
    entries are accepted.
    """
    if isinstance(name, dict) and name.get("class_name") == "function" and isinstance(name.get("config"), str):
        name = name["config"]
    obj = _serialization.deserialize_keras_object(name, _BUILTINS, custom_objects=custom_objects,
                                                  kind="loss function")
    if isinstance(obj, type):
        return obj()
    return obj


def get(identifier):
    """A loss from a name ('mse', 'MeanSquaredError'), a config dict, a function, a class or an instance.

    Function names give the function, class names an instance with default arguments.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")


def is_categorical_crossentropy(loss):
    """Whether ``loss`` (object, function or name) is categorical cross-entropy."""
    return (isinstance(loss, CategoricalCrossentropy)
            or (isinstance(loss, LossFunctionWrapper) and loss.fn is categorical_crossentropy)
            or getattr(loss, "__name__", None) == "categorical_crossentropy"
            or loss == "categorical_crossentropy")


# Keras 3's losses (Dice, Tversky, Circle, CTC, CategoricalGeneralizedCrossEntropy and their functions) live in
# their own module, which builds on LossFunctionWrapper above.
from fastkeras.losses_keras3 import (  # noqa: E402
    CTC, CategoricalGeneralizedCrossEntropy, Circle, Dice, KERAS3_LOSSES, Tversky,
    categorical_generalized_cross_entropy, circle, ctc, dice, tversky,
)

_BUILTINS.update(KERAS3_LOSSES)

__all__ = sorted(_BUILTINS) + ["Reduction", "serialize", "deserialize", "get", "compute_weighted_loss",
                               "squeeze_or_expand_dimensions"]
