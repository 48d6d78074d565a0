"""Keras 3's correlation metrics (Keras 2 has none): Pearson's and Lin's concordance correlation coefficients,
as functions (one coefficient per sample, along ``axis``) and as metrics averaging them over every sample seen,
exactly as Keras 3.15's ``MeanMetricWrapper`` subclasses do.
"""
from fastkeras import backend as K
from fastkeras.losses import _shape
from fastkeras.metrics import Mean, MeanMetricWrapper, _input, get_mask


def _same_rank(y_true, y_pred):
    """Keras 3's rank alignment (a trailing 1 squeezed, or a rank-1 tensor expanded, when ranks differ by one)."""
    rt, rp = len(_shape(y_true)), len(_shape(y_pred))
    if rt == rp + 1 and _shape(y_true)[-1] == 1:
        if rp == 1:
            y_pred = K.expand_dims(y_pred, -1)
        else:
            y_true = K.squeeze(y_true, -1)
    elif rp == rt + 1 and _shape(y_pred)[-1] == 1:
        if rt == 1:
            y_true = K.expand_dims(y_true, -1)
        else:
            y_pred = K.squeeze(y_pred, -1)
    return y_true, y_pred


def _prepare(y_true, y_pred):
    y_pred = K.convert_to_tensor(y_pred)
    if not (K.dtype(y_pred).startswith("float") or K.dtype(y_pred) == "bfloat16"):
        y_pred = K.cast(y_pred, K.floatx())
    return _same_rank(K.cast(y_true, K.dtype(y_pred)), y_pred)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient of ``y_true`` and ``y_pred`` along ``axis``: the mean product of the
    two standardized signals (population standard deviations, no epsilon: a constant signal gives NaN)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    axis = _axis(axis)
    true_centered = y_true - K.mean(y_true, axis=axis, keepdims=True)
    pred_centered = y_pred - K.mean(y_pred, axis=axis, keepdims=True)
    true_centered = true_centered / K.std(true_centered, axis=axis, keepdims=True)
    pred_centered = pred_centered / K.std(pred_centered, axis=axis, keepdims=True)
    return K.mean(true_centered * pred_centered, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient along ``axis``, computed as Keras 3.15 does:
    ``mean(2 (y_true - mean(y_pred)) (y_pred - mean(y_pred)) / (var(y_true) + var(y_pred)
    + (mean(y_true) - mean(y_pred))^2 + epsilon))`` (its covariance term centres ``y_true`` on the mean of
    ``y_pred``)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    axis = _axis(axis)
    true_mean = K.mean(y_true, axis=axis, keepdims=True)
    pred_mean = K.mean(y_pred, axis=axis, keepdims=True)
    true_var = K.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = K.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + K.square(true_mean - pred_mean)
    return K.mean(2.0 * covariance / (norm + K.epsilon()), axis=axis)


class _CorrelationMetric(MeanMetricWrapper):
    """The mean over all samples of a per-sample coefficient; Keras 3's update rule (no Keras 2 rank
    adjustment before the function, the predictions' mask as weights)."""

    def __init__(self, fn, name, dtype, axis):
        super().__init__(fn, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_mask(y_pred)
        values = self._fn(_input(y_true, self._dtype), _input(y_pred, self._dtype), axis=self.axis)
        if mask is not None:
            mask = K.cast(mask, self._dtype)
            sample_weight = mask if sample_weight is None else _input(sample_weight, self._dtype) * mask
        return Mean.update_state(self, values, sample_weight=sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class PearsonCorrelation(_CorrelationMetric):
    """The Pearson correlation coefficient of labels and predictions (per sample along ``axis``, averaged over
    the samples seen). 1 for a perfect positive linear relation, -1 for a negative one.

    Args:
        name: Defaults to 'pearson_correlation'.
        dtype: The dtype of the result.
        axis: The axis (or axes) along which each coefficient is computed. Defaults to -1.
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)


class ConcordanceCorrelation(_CorrelationMetric):
    """Lin's concordance correlation coefficient of labels and predictions (per sample along ``axis``, averaged
    over the samples seen): agreement with the identity line, 1 when predictions equal the labels.

    Args:
        name: Defaults to 'concordance_correlation'.
        dtype: The dtype of the result.
        axis: The axis (or axes) along which each coefficient is computed. Defaults to -1.
    """

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)


CORRELATION_METRICS = {obj.__name__: obj for obj in (
    PearsonCorrelation, ConcordanceCorrelation, pearson_correlation, concordance_correlation)}
