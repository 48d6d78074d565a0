"""Built-in metrics with tf-keras 2.21 (Keras 2) semantics: stateful ``Metric`` objects and metric functions.

A metric's state lives in engine tensors on ``K.default_device()``; ``update_state`` adds to it in
place with no host synchronisation, and ``result()`` returns a (device) tensor, so a training loop
reads values only when it logs.

``resolve_accuracy(identifier, loss, y_true_shape, y_pred_shape)`` turns the strings
'accuracy'/'acc'/'crossentropy'/'ce' given to ``compile`` into the metric Keras 2 would pick.

Everything computes through ``fastkeras.backend`` (``K``). Not provided (tf-keras has it): PyMetric.
"""
import numpy as np

from fastkeras import backend as K
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.losses import _num_elements, _shape  # the shape helpers losses and metrics share
from fastkeras.losses import (  # noqa: F401 - re-exported as Keras 2's metrics module does
    apply_valid_mask, get_mask, squeeze_or_expand_dimensions, remove_squeezable_dimensions,
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, categorical_hinge, hinge,
    squared_hinge, kl_divergence, kullback_leibler_divergence, kld, KLD, log_cosh, logcosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, poisson, mse, MSE, mae, MAE,
    mape, MAPE, msle, MSLE, bce, BCE, binary_focal_crossentropy, categorical_focal_crossentropy,
)
from fastkeras.saving import serialization as _serialization

NEG_INF = -1e10


class MetricReduction:
    """How ``Reduce`` metrics aggregate values."""

    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
    WEIGHTED_MEAN = "weighted_mean"


# ---- helpers --------------------------------------------------------------------------------------

def _paired_inputs(metric, y_true, y_pred):
    """``y_true`` and ``y_pred`` as tensors of the metric's dtype, of one (batch_size, output_dim) shape; builds
    the metric's variables on first use."""
    y_true = _input(y_true, metric._dtype)
    y_pred = _input(y_pred, metric._dtype)
    if not metric.built:
        metric.build(_shape(y_true), _shape(y_pred))
    if _shape(y_true) != _shape(y_pred):
        raise ValueError(f"{type(metric).__name__} expects y_true and y_pred of the same shape (batch_size, "
                         f"output_dim). Received: y_true.shape={_shape(y_true)}, y_pred.shape={_shape(y_pred)}")
    return y_true, y_pred

def _input(x, dtype):
    """A detached tensor of ``dtype`` on the default device."""
    return K.stop_gradient(K.cast(x, dtype))


def _prediction_input(y_pred, dtype):
    """``_input(y_pred, dtype)`` still carrying the logits of a softmax/sigmoid output when the dtype is unchanged:
    tf-keras' cast is then the identity, so its cross-entropy metrics work from those logits, as its losses do."""
    out = _input(y_pred, dtype)
    logits = getattr(y_pred, "_keras_logits", None)
    if logits is not None and K.dtype(y_pred) == K.dtype(out):
        out._keras_logits = K.stop_gradient(logits)
    return out


def _div_no_nan(a, b):
    zero = K.equal(b, 0)
    safe = K.where(zero, K.ones_like(b), b)
    return K.where(zero, K.zeros_like(a / safe), a / safe)


def _squeeze_last(x, what):
    shape = _shape(x)
    if not shape or shape[-1] != 1:
        raise ValueError(f"Cannot squeeze the last dimension of {what} of shape {shape}: expected a dimension of 1.")
    return K.squeeze(x, -1)


def broadcast_weights(weights, values):
    """``weights`` broadcast to ``values``' shape; raises ValueError unless each weights dimension is 1 or
    matches (same rank, or scalar weights), as TensorFlow's ``broadcast_weights``."""
    ws, vs = _shape(weights), _shape(values)
    if ws == vs:
        return weights
    if ws:
        if len(ws) != len(vs):
            raise ValueError(f"weights can not be broadcast to values. values.rank={len(vs)}. "
                             f"weights.rank={len(ws)}. values.shape={vs}. weights.shape={ws}.")
        if any(w != 1 and w != v for w, v in zip(ws, vs)):
            raise ValueError(f"weights can not be broadcast to values. values.shape={vs}. weights.shape={ws}.")
    return weights * K.ones_like(values)


def _to_list(x):
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return [x]


# ---- base classes ---------------------------------------------------------------------------------

class Metric:
    """Encapsulates metric logic and state.

    Subclasses create their state with ``add_weight`` and implement ``update_state`` (in-place
    updates through ``K.update_add``, no host synchronisation) and ``result`` (a tensor).
    ``metric(...)`` updates the state and returns the result.
    """

    _is_keras_metric = True  # layers track Metric attributes by this mark (base_layer cannot import this module)

    def __init__(self, name=None, dtype=None, **kwargs):
        kwargs.pop("mesh", None)
        if kwargs:
            raise TypeError(f"Keyword argument not understood: {sorted(kwargs)[0]!r} (passed to "
                            f"{type(self).__name__}).")
        self._name = name or K.unique_object_name(K.to_snake_case(type(self).__name__))
        self._dtype = K.floatx() if dtype is None else K.standardize_dtype(dtype)
        self._variables = []
        self.stateful = True
        self.built = True

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = value

    @property
    def dtype(self):
        return self._dtype

    def add_weight(self, name, shape=(), initializer="zeros", dtype=None, **kwargs):
        """A non-trainable state variable on the default device, filled by ``initializer`` (zeros by default;
        ``reset_state`` sets every state variable to zero, as tf-keras does)."""
        from fastkeras import initializers
        dtype = dtype or self._dtype
        shape = tuple(shape)
        if initializer in (None, "zeros"):
            value = K.zeros(shape, dtype=dtype)
        else:
            value = initializers.get(initializer)(shape, dtype=dtype)
        v = K.variable(value, dtype=dtype, name=f"{name}:0", trainable=False)
        self._variables.append(v)
        return v

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Keras 3's name for a metric's state variable (``aggregation`` concerns distributed replicas only)."""
        return self.add_weight(name=name or f"variable_{len(self._variables)}", shape=shape,
                               initializer=initializer, dtype=dtype)

    @property
    def variables(self):
        return list(self._variables)

    @property
    def weights(self):
        return list(self._variables)

    @property
    def non_trainable_weights(self):
        return list(self._variables)

    @property
    def trainable_weights(self):
        return []

    def get_weights(self):
        return [K.get_value(v) for v in self._variables]

    def set_weights(self, weights):
        if len(weights) != len(self._variables):
            raise ValueError(f"Metric {self.name} has {len(self._variables)} state variables, "
                             f"got {len(weights)} values.")
        for v, w in zip(self._variables, weights):
            K.set_value(v, w)

    def update_state(self, *args, **kwargs):
        raise NotImplementedError("Must be implemented in subclasses.")

    def result(self):
        raise NotImplementedError("Must be implemented in subclasses.")

    def reset_state(self):
        """Sets every state variable to zero (on the device)."""
        if type(self).reset_states is not Metric.reset_states:  # a legacy subclass overriding reset_states
            return self.reset_states()
        for v in self._variables:
            K.update(v, 0)

    def reset_states(self):
        return self.reset_state()

    def merge_state(self, metrics):
        """Adds the states of ``metrics`` (same class and configuration) to this one."""
        for metric in metrics:
            if len(self.weights) != len(metric.weights):
                raise ValueError(f"Metric {metric} is not compatible with {self}")
            for weight, other in zip(self.weights, metric.weights):
                K.update_add(weight, other)

    def __call__(self, *args, **kwargs):
        if not kwargs and args and any(isinstance(a, KerasTensor) for a in args):
            from fastkeras.engine.op_layer import call_metric_symbolic
            return call_metric_symbolic(self, args)
        self.update_state(*args, **kwargs)
        result = self.result()
        try:
            # As tf-keras: add_metric() recognises the result of a Metric call and reports that metric itself
            # (already updated here) instead of averaging its results in a new Mean.
            result._metric_obj = self
        except AttributeError:  # a Python number has no attributes
            pass
        return result

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __str__(self):
        args = ",".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    __repr__ = __str__


class Reduce(Metric):
    """Sums values (``'sum'``), or averages them (``'weighted_mean'``, ``'sum_over_batch_size'``)."""

    def __init__(self, reduction, name, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total")
        if reduction in (MetricReduction.SUM_OVER_BATCH_SIZE, MetricReduction.WEIGHTED_MEAN):
            self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None):
        values = _input(values, self._dtype)
        if sample_weight is not None:
            sample_weight = _input(sample_weight, self._dtype)
            values, _, sample_weight = squeeze_or_expand_dimensions(values, sample_weight=sample_weight)
            try:
                sample_weight = broadcast_weights(sample_weight, values)
            except ValueError:
                ndim, weight_ndim = len(_shape(values)), len(_shape(sample_weight))
                if weight_ndim >= ndim:
                    raise
                axes = list(range(weight_ndim, ndim))
                if self.reduction == MetricReduction.SUM:
                    values = K.sum(values, axis=axes)
                else:
                    values = K.mean(values, axis=axes)
            values = values * sample_weight
        K.update_add(self.total, K.sum(values))
        if self.reduction == MetricReduction.SUM:
            return
        if self.reduction == MetricReduction.SUM_OVER_BATCH_SIZE or sample_weight is None:
            num_values = _num_elements(values)
        elif self.reduction == MetricReduction.WEIGHTED_MEAN:
            num_values = K.sum(sample_weight)
        else:
            raise NotImplementedError(f'Reduction "{self.reduction}" not implemented. Expected "sum", '
                                      '"weighted_mean", or "sum_over_batch_size".')
        K.update_add(self.count, num_values)

    def result(self):
        if self.reduction == MetricReduction.SUM:
            return self.total * 1
        return _div_no_nan(self.total, self.count)


class Sum(Reduce):
    """The (weighted) sum of the values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(reduction=MetricReduction.SUM, name=name, dtype=dtype)


class Mean(Reduce):
    """The (weighted) mean of the values seen."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(reduction=MetricReduction.WEIGHTED_MEAN, name=name, dtype=dtype)


class MeanMetricWrapper(Mean):
    """The weighted mean of ``fn(y_true, y_pred, **kwargs)`` over every value seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _input(y_true, self._dtype)
        y_pred = _prediction_input(y_pred, self._dtype)
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        mask = get_mask(matches)
        sample_weight = apply_valid_mask(matches, sample_weight, mask, self.reduction)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self):
        config = {k: (K.get_value(v).tolist() if K.is_tensor(v) else v) for k, v in self._fn_kwargs.items()}
        if type(self) is MeanMetricWrapper:
            config["fn"] = _serialization.get_registered_name(self._fn)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.pop("fn", None)
        if cls is MeanMetricWrapper:
            return cls(get(fn), **config)
        return cls(**config)


# ---- accuracy ----------------------------------------------------------------------------------

def accuracy(y_true, y_pred):
    """1.0 where ``y_pred`` equals ``y_true`` exactly, else 0.0."""
    y_true, y_pred = K.convert_to_tensor(y_true), K.convert_to_tensor(y_pred)
    if _shape(y_true) != _shape(y_pred):
        raise ValueError(f"Shapes {_shape(y_true)} and {_shape(y_pred)} are incompatible")
    if K.dtype(y_true) != K.dtype(y_pred):
        y_pred = K.cast(y_pred, K.dtype(y_true))
    return K.cast(K.equal(y_true, y_pred), K.floatx())


def binary_matches(y_true, y_pred, threshold=0.5):
    """1.0 where ``y_pred > threshold`` agrees with ``y_true``, elementwise."""
    y_pred = K.convert_to_tensor(y_pred)
    y_pred = K.cast(K.greater(y_pred, threshold), K.dtype(y_pred))
    y_true = K.cast(y_true, K.dtype(y_pred))
    return K.cast(K.equal(y_true, y_pred), K.floatx())


def sparse_categorical_matches(y_true, y_pred):
    """1.0 where ``argmax(y_pred)`` equals the integer label, shaped like ``y_true``."""
    y_true, y_pred = K.convert_to_tensor(y_true), K.convert_to_tensor(y_pred)
    y_true_shape = _shape(y_true)
    reshape_matches = False
    if len(y_true_shape) == len(_shape(y_pred)):
        y_true = _squeeze_last(y_true, "the sparse labels")
        reshape_matches = True
    y_pred = K.argmax(y_pred, axis=-1)
    if K.dtype(y_pred) != K.dtype(y_true):
        y_pred = K.cast(y_pred, K.dtype(y_true))
    matches = K.cast(K.equal(y_true, y_pred), K.floatx())
    if reshape_matches:
        matches = K.reshape(matches, y_true_shape)
    return matches


def sparse_top_k_categorical_matches(y_true, y_pred, k=5):
    """1.0 where the integer label is among the ``k`` highest predictions (ties at the boundary count)."""
    y_true, y_pred = K.convert_to_tensor(y_true), K.convert_to_tensor(y_pred)
    y_true_shape = _shape(y_true)
    if len(_shape(y_pred)) > 2:
        y_pred = K.reshape(y_pred, (-1, _shape(y_pred)[-1]))
    reshape_matches = len(y_true_shape) > 1
    if reshape_matches:
        y_true = K.reshape(y_true, (-1,))
    matches = K.cast(K.in_top_k(y_pred, K.cast(y_true, "int64"), k), K.floatx())
    if reshape_matches:
        matches = K.reshape(matches, y_true_shape)
    return matches


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of ``binary_matches``."""
    return K.mean(binary_matches(y_true, y_pred, threshold), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1.0 where ``argmax(y_pred) == argmax(y_true)``."""
    return sparse_categorical_matches(K.argmax(y_true, axis=-1), y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where ``argmax(y_pred)`` equals the integer label (a trailing 1 on the result is squeezed)."""
    matches = sparse_categorical_matches(y_true, y_pred)
    if len(_shape(matches)) > 1 and _shape(matches)[-1] == 1:
        matches = K.squeeze(matches, -1)
    return matches


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target is among the ``k`` highest predictions."""
    return sparse_top_k_categorical_matches(K.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer target is among the ``k`` highest predictions."""
    return sparse_top_k_categorical_matches(y_true, y_pred, k)


def _categorical_matches(y_true, y_pred):
    return sparse_categorical_matches(K.argmax(y_true, axis=-1), y_pred)


def _top_k_categorical_matches(y_true, y_pred, k=5):
    return sparse_top_k_categorical_matches(K.argmax(y_true, axis=-1), y_pred, k)


def cosine_similarity(y_true, y_pred, axis=-1):
    """``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (the metric: +1 for identical directions)."""
    y_pred = K.convert_to_tensor(y_pred)
    y_true = K.cast(y_true, K.dtype(y_pred))
    return K.sum(K.l2_normalize(y_true, axis=axis) * K.l2_normalize(y_pred, axis=axis), axis=axis)


acc = ACC = accuracy
cosine_proximity = cosine_similarity


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_matches, name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches ``argmax`` of one-hot labels."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(_categorical_matches, name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches integer labels."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_matches, name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often one-hot targets are in the top ``k`` predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(_top_k_categorical_matches, name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often integer targets are in the top ``k`` predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_matches, name, dtype=dtype, k=k)


# ---- regression, probabilistic and hinge metrics ----------------------------------------------

class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    def __init__(self, name="logcosh", dtype=None):
        super().__init__(logcosh, name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity between labels and predictions along ``axis``."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)


class RootMeanSquaredError(Mean):
    """``sqrt(mean(square(y_pred - y_true)))`` over everything seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _input(y_true, self._dtype)
        y_pred = _input(y_pred, self._dtype)
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
        return super().update_state(K.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return K.sqrt(_div_no_nan(self.total, self.count))


class MeanRelativeError(Mean):
    """The mean of ``abs(y_true - y_pred) / normalizer``."""

    def __init__(self, normalizer, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.normalizer = K.cast(normalizer, self._dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _input(y_true, self._dtype)
        y_pred = _input(y_pred, self._dtype)
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
        y_pred, normalizer = remove_squeezable_dimensions(y_pred, self.normalizer)
        return super().update_state(_div_no_nan(K.abs(y_true - y_pred), normalizer), sample_weight=sample_weight)

    def get_config(self):
        n = K.get_value(self.normalizer)
        return {**super().get_config(), "normalizer": n.tolist()}


class BinaryCrossentropy(MeanMetricWrapper):
    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(binary_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None,
                 axis=-1):
        super().__init__(sparse_categorical_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)


class Poisson(MeanMetricWrapper):
    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name, dtype=dtype)


class KLDivergence(MeanMetricWrapper):
    def __init__(self, name="kullback_leibler_divergence", dtype=None):
        super().__init__(kullback_leibler_divergence, name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name, dtype=dtype)


# ---- confusion-matrix metrics -----------------------------------------------------------------

class ConfusionMatrix:
    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


def _assert_thresholds_range(thresholds):
    if thresholds is not None:
        invalid = [t for t in thresholds if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")


def _parse_init_thresholds(thresholds, default_threshold=0.5):
    if thresholds is not None:
        _assert_thresholds_range(_to_list(thresholds))
    return _to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds):
    """Whether ``thresholds`` (3 or more) are ``i / (n - 1)`` for ``i = 0 .. n-1``."""
    num_thresholds = len(thresholds)
    if num_thresholds < 3:
        return False
    even = np.arange(num_thresholds, dtype=np.float32) / (num_thresholds - 1)
    return bool(np.allclose(thresholds, even, atol=K.epsilon()))


def _reverse_cumsum(x, axis):
    return K.reverse(K.cumsum(K.reverse(x, axis), axis=axis), axis)


def _filter_top_k(x, k):
    """``x`` where it is among the ``k`` largest of its row (ties: lower index first), ``NEG_INF`` elsewhere."""
    _, top_k_idx = K.top_k(x, k)
    mask = K.cast(K.sum(K.one_hot(top_k_idx, _shape(x)[-1]), axis=-2), K.dtype(x))
    return x * mask + NEG_INF * (1.0 - mask)


def _update_confusion_matrix_optimized(variables_to_update, y_true, y_pred, num_thresholds, multi_label,
                                       sample_weights, label_weights, thresholds_with_epsilon):
    """Bucketed counts for evenly spaced thresholds: O(n) instead of O(n * thresholds)."""
    dtype = K.dtype(y_pred)
    weights = None
    if sample_weights is not None:
        weights = broadcast_weights(K.cast(sample_weights, dtype), y_pred)
        if not multi_label:
            weights = K.reshape(weights, (-1,))
    if label_weights is not None:
        lw = broadcast_weights(K.expand_dims(label_weights, 0), y_pred)
        if not multi_label:
            lw = K.reshape(lw, (-1,))
        weights = lw if weights is None else weights * lw
    y_pred = K.clip(y_pred, 0.0, 1.0)
    y_true = K.cast(K.cast(y_true, "bool"), dtype)
    if not multi_label:
        y_true = K.reshape(y_true, (-1,))
        y_pred = K.reshape(y_pred, (-1,))
    true_labels = y_true if weights is None else y_true * weights
    false_labels = (1.0 - y_true) if weights is None else (1.0 - y_true) * weights
    bucket = K.ceil(y_pred * (num_thresholds - 1)) - 1.0
    if thresholds_with_epsilon:
        bucket = K.relu(bucket)
    bucket = K.cast(bucket, "int64")
    if multi_label:
        num_labels = _shape(y_pred)[-1]
        offsets = K.arange(0, num_labels * num_thresholds, num_thresholds, dtype="int64")
        ids = K.where(bucket < 0, K.zeros_like(bucket) - 1, bucket + offsets)
        size = num_labels * num_thresholds

        def counts(labels):
            buckets = K.reshape(K.unsorted_segment_sum(labels, ids, size), (num_labels, num_thresholds))
            return K.permute_dimensions(_reverse_cumsum(buckets, 1), (1, 0))
    else:
        def counts(labels):
            return _reverse_cumsum(K.unsorted_segment_sum(labels, bucket, num_thresholds), 0)
    tp = counts(true_labels)
    fp = counts(false_labels)
    if ConfusionMatrix.TRUE_POSITIVES in variables_to_update:
        K.update_add(variables_to_update[ConfusionMatrix.TRUE_POSITIVES], tp)
    if ConfusionMatrix.FALSE_POSITIVES in variables_to_update:
        K.update_add(variables_to_update[ConfusionMatrix.FALSE_POSITIVES], fp)
    if ConfusionMatrix.TRUE_NEGATIVES in variables_to_update:
        total_false = K.sum(false_labels, axis=0) if multi_label else K.sum(false_labels)
        K.update_add(variables_to_update[ConfusionMatrix.TRUE_NEGATIVES], total_false - fp)
    if ConfusionMatrix.FALSE_NEGATIVES in variables_to_update:
        total_true = K.sum(true_labels, axis=0) if multi_label else K.sum(true_labels)
        K.update_add(variables_to_update[ConfusionMatrix.FALSE_NEGATIVES], total_true - tp)


def update_confusion_matrix_variables(variables_to_update, y_true, y_pred, thresholds, top_k=None, class_id=None,
                                      sample_weight=None, multi_label=False, label_weights=None,
                                      thresholds_distributed_evenly=False, thresholds_tensor=None):
    """Adds the (weighted) true/false positive/negative counts at each threshold to the variables.

    ``variables_to_update`` maps ``ConfusionMatrix`` keys to variables of shape (thresholds,) or
    (thresholds, labels) with ``multi_label``. A prediction is positive when ``y_pred > threshold``.
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    if not variables_to_update:
        return
    valid_keys = (ConfusionMatrix.TRUE_POSITIVES, ConfusionMatrix.FALSE_POSITIVES, ConfusionMatrix.TRUE_NEGATIVES,
                  ConfusionMatrix.FALSE_NEGATIVES)
    invalid = [key for key in variables_to_update if key not in valid_keys]
    if invalid:
        raise ValueError(f'Invalid keys: "{invalid}". Valid variable key options are: "{list(valid_keys)}"')
    dtype = K.dtype(next(iter(variables_to_update.values())))
    y_true = _input(y_true, dtype)
    y_pred = _input(y_pred, dtype)
    num_thresholds = len(thresholds)
    if sample_weight is None:
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
    else:
        sample_weight = _input(sample_weight, dtype)
        y_pred, y_true, sample_weight = squeeze_or_expand_dimensions(y_pred, y_true, sample_weight=sample_weight)
    if _shape(y_pred) != _shape(y_true):
        raise ValueError(f"Shapes {_shape(y_pred)} and {_shape(y_true)} are incompatible")
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    if thresholds_distributed_evenly:
        with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
        return _update_confusion_matrix_optimized(variables_to_update, y_true, y_pred, num_thresholds, multi_label,
                                                  sample_weight, label_weights, with_epsilon)
    if thresholds_tensor is None:
        thresholds_tensor = K.convert_to_tensor(np.asarray(thresholds, dtype=dtype))
    if multi_label:
        preds = K.expand_dims(y_pred, 0)
        labels = K.expand_dims(K.cast(y_true, "bool"), 0)
        thresh = K.reshape(thresholds_tensor, (num_thresholds, 1, 1))
        flat_shape = (1,) + _shape(y_pred)
    else:
        preds = K.reshape(y_pred, (1, -1))
        labels = K.reshape(K.cast(y_true, "bool"), (1, -1))
        thresh = K.reshape(thresholds_tensor, (num_thresholds, 1))
        flat_shape = (1, -1)
    pred_is_pos = K.greater(preds, thresh)
    weights = None
    if sample_weight is not None:
        weights = K.reshape(broadcast_weights(sample_weight, y_pred), flat_shape)
    if label_weights is not None and not multi_label:
        lw = K.reshape(broadcast_weights(K.expand_dims(label_weights, 0), y_pred), flat_shape)
        weights = lw if weights is None else weights * lw

    def add(variable, label, pred):
        hits = K.cast(label & pred, dtype)
        if weights is not None:
            hits = hits * weights
        K.update_add(variable, K.sum(hits, axis=1))

    label_is_neg, pred_is_neg = ~labels, ~pred_is_pos
    pairs = {ConfusionMatrix.TRUE_POSITIVES: (labels, pred_is_pos),
             ConfusionMatrix.FALSE_POSITIVES: (label_is_neg, pred_is_pos),
             ConfusionMatrix.TRUE_NEGATIVES: (label_is_neg, pred_is_neg),
             ConfusionMatrix.FALSE_NEGATIVES: (labels, pred_is_neg)}
    for key, variable in variables_to_update.items():
        add(variable, *pairs[key])


class _ThresholdsMixin:
    def _thresholds_t(self):
        t = getattr(self, "_thresholds_cache", None)
        if t is None:
            t = K.convert_to_tensor(np.asarray(self.thresholds, dtype=self._dtype))
            self._thresholds_cache = t
        return t


class _ConfusionMatrixConditionCount(_ThresholdsMixin, Metric):
    """Counts one confusion-matrix cell at each threshold."""

    def __init__(self, confusion_matrix_cond, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._confusion_matrix_cond = confusion_matrix_cond
        self.init_thresholds = thresholds
        self.thresholds = _parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_weight("accumulator", shape=(len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {self._confusion_matrix_cond: self.accumulator}, y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly, sample_weight=sample_weight,
            thresholds_tensor=self._thresholds_t())

    def result(self):
        if len(self.thresholds) == 1:
            return self.accumulator[0]
        return self.accumulator * 1

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class FalsePositives(_ConfusionMatrixConditionCount):
    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(ConfusionMatrix.FALSE_POSITIVES, thresholds=thresholds, name=name, dtype=dtype)


class FalseNegatives(_ConfusionMatrixConditionCount):
    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(ConfusionMatrix.FALSE_NEGATIVES, thresholds=thresholds, name=name, dtype=dtype)


class TrueNegatives(_ConfusionMatrixConditionCount):
    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(ConfusionMatrix.TRUE_NEGATIVES, thresholds=thresholds, name=name, dtype=dtype)


class TruePositives(_ConfusionMatrixConditionCount):
    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(ConfusionMatrix.TRUE_POSITIVES, thresholds=thresholds, name=name, dtype=dtype)


class _PrecisionRecall(_ThresholdsMixin, Metric):
    _second = None  # the confusion cell paired with true positives

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default_threshold = 0.5 if top_k is None else NEG_INF
        self.thresholds = _parse_init_thresholds(thresholds, default_threshold=default_threshold)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        setattr(self, self._second_name, self.add_weight(self._second_name, shape=(n,)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {ConfusionMatrix.TRUE_POSITIVES: self.true_positives,
             self._second: getattr(self, self._second_name)},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly, top_k=self.top_k,
            class_id=self.class_id, sample_weight=sample_weight, thresholds_tensor=self._thresholds_t())

    def result(self):
        tp = self.true_positives
        result = _div_no_nan(tp, tp + getattr(self, self._second_name))
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """``true_positives / (true_positives + false_positives)`` at each threshold."""

    _second = ConfusionMatrix.FALSE_POSITIVES
    _second_name = "false_positives"


class Recall(_PrecisionRecall):
    """``true_positives / (true_positives + false_negatives)`` at each threshold."""

    _second = ConfusionMatrix.FALSE_NEGATIVES
    _second_name = "false_negatives"


class SensitivitySpecificityBase(_ThresholdsMixin, Metric):
    """Confusion counts at ``num_thresholds`` evenly spaced thresholds, for the ``X at Y`` metrics."""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        self.true_positives = self.add_weight("true_positives", shape=(num_thresholds,))
        self.true_negatives = self.add_weight("true_negatives", shape=(num_thresholds,))
        self.false_positives = self.add_weight("false_positives", shape=(num_thresholds,))
        self.false_negatives = self.add_weight("false_negatives", shape=(num_thresholds,))
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {ConfusionMatrix.TRUE_POSITIVES: self.true_positives, ConfusionMatrix.TRUE_NEGATIVES: self.true_negatives,
             ConfusionMatrix.FALSE_POSITIVES: self.false_positives,
             ConfusionMatrix.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly, class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_tensor=None if self._thresholds_distributed_evenly else self._thresholds_t())

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id}

    def _find_max_under_constraint(self, constrained, dependent):
        feasible = K.greater_equal(constrained, self.value)
        masked = K.where(feasible, dependent, K.zeros_like(dependent) - float("inf"))
        return K.where(K.any(feasible), K.max(masked), K.zeros_like(K.max(masked)))

    def _rates(self):
        tp, tn, fp, fn = self.true_positives, self.true_negatives, self.false_positives, self.false_negatives
        return {"sensitivity": _div_no_nan(tp, tp + fn), "specificity": _div_no_nan(tn, tn + fp),
                "precision": _div_no_nan(tp, tp + fp)}


def _check_unit(name, value):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. Received: {name}={value}")


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        r = self._rates()
        return self._find_max_under_constraint(r["specificity"], r["sensitivity"])

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "specificity": self.specificity}


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        r = self._rates()
        return self._find_max_under_constraint(r["sensitivity"], r["specificity"])

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "sensitivity": self.sensitivity}


class PrecisionAtRecall(SensitivitySpecificityBase):
    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(value=recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        r = self._rates()
        return self._find_max_under_constraint(r["sensitivity"], r["precision"])

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "recall": self.recall}


class RecallAtPrecision(SensitivitySpecificityBase):
    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(value=precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        r = self._rates()
        return self._find_max_under_constraint(r["precision"], r["sensitivity"])

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "precision": self.precision}


class AUC(Metric):
    """Area under the ROC or PR curve, from confusion counts at ``num_thresholds`` thresholds
    (Riemann sum; 'interpolation' uses the trapezoidal rule for ROC and Davis & Goadrich's
    interpolation for PR)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        from fastkeras.utils.metrics_utils import AUCCurve, AUCSummationMethod
        curve, summation_method = AUCCurve.from_str(curve), AUCSummationMethod.from_str(summation_method)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(_to_list(thresholds))
            self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - K.epsilon()] + thresholds + [1.0 + K.epsilon()])
        self.curve = curve                        # str enums: equal to "PR" and to AUCCurve.PR alike
        self.summation_method = summation_method
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        if label_weights is not None:
            lw = np.asarray(label_weights, dtype=self._dtype)
            if np.any(lw < 0):
                raise ValueError("All values of `label_weights` must be non-negative.")
            self.label_weights = K.convert_to_tensor(lw)
        else:
            self.label_weights = None
        self._from_logits = from_logits
        self._thresholds_tensor = None
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                                 f"Full shape received for `y_pred`: {tuple(shape)}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self.true_positives = self.add_weight("true_positives", shape=variable_shape)
        self.true_negatives = self.add_weight("true_negatives", shape=variable_shape)
        self.false_positives = self.add_weight("false_positives", shape=variable_shape)
        self.false_negatives = self.add_weight("false_negatives", shape=variable_shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self._built:
            self._build(_shape(K.convert_to_tensor(y_pred)))
        if self.multi_label or self.label_weights is not None:
            num_labels = _shape(self.true_positives)[-1] if self.multi_label else _shape(self.label_weights)[0]
            y_true_shape = _shape(K.convert_to_tensor(y_true))
            if len(y_true_shape) != 2 or y_true_shape[-1] != num_labels:
                raise ValueError(f"Number of labels is not consistent: y_true has shape {y_true_shape}, expected "
                                 f"(N, {num_labels}).")
        label_weights = None if self.multi_label else self.label_weights
        if self._from_logits:
            y_pred = K.sigmoid(K.convert_to_tensor(y_pred))
        if self._thresholds_tensor is None and not self._thresholds_distributed_evenly:
            self._thresholds_tensor = K.convert_to_tensor(np.asarray(self._thresholds, dtype=self._dtype))
        update_confusion_matrix_variables(
            {ConfusionMatrix.TRUE_POSITIVES: self.true_positives, ConfusionMatrix.TRUE_NEGATIVES: self.true_negatives,
             ConfusionMatrix.FALSE_POSITIVES: self.false_positives,
             ConfusionMatrix.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, self._thresholds, thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight, multi_label=self.multi_label, label_weights=label_weights,
            thresholds_tensor=self._thresholds_tensor)

    def _aggregate(self, by_label):
        if self.label_weights is None:
            return K.mean(by_label)
        return _div_no_nan(K.sum(by_label * self.label_weights), K.sum(self.label_weights))

    def interpolate_pr_auc(self):
        """PR AUC with Davis & Goadrich's (2006) interpolation of precision between thresholds."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        prec_slope = _div_no_nan(dtp, K.relu(dp))
        intercept = tp[1:] - prec_slope * p[1:]
        both_positive = K.greater(p[:n - 1], 0) & K.greater(p[1:], 0)
        safe_p_ratio = K.where(both_positive, _div_no_nan(p[:n - 1], K.relu(p[1:])), K.ones_like(p[1:]))
        increment = _div_no_nan(prec_slope * (dtp + intercept * K.log(safe_p_ratio)), K.relu(tp[1:] + fn[1:]))
        if self.multi_label:
            return self._aggregate(K.sum(increment, axis=0))
        return K.sum(increment)

    def result(self):
        if not self._built:
            return K.zeros((), dtype=self._dtype)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, tn, fp, fn = self.true_positives, self.true_negatives, self.false_positives, self.false_negatives
        recall = _div_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _div_no_nan(tp, tp + fp)
        else:
            scaling = _div_no_nan(tp + fn, fp + tn)
            recall_gain = 1.0 - scaling * _div_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * _div_no_nan(fp, tp)
            no_tp = K.equal(tp, 0.0)
            recall_gain = K.relu(K.where(no_tp, K.zeros_like(recall_gain), recall_gain))
            precision_gain = K.where(no_tp, K.ones_like(precision_gain), precision_gain)
            x, y = recall_gain, precision_gain
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = K.minimum(y[:n - 1], y[1:])
        else:
            heights = K.maximum(y[:n - 1], y[1:])
        riemann = (x[:n - 1] - x[1:]) * heights
        if self.multi_label:
            return self._aggregate(K.sum(riemann, axis=0))
        return K.sum(riemann)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        label_weights = None if self.label_weights is None else K.get_value(self.label_weights).tolist()
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve.value,
                  "summation_method": self.summation_method.value, "multi_label": self.multi_label,
                  "num_labels": self.num_labels, "label_weights": label_weights, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return {**super().get_config(), **config}


# ---- F-scores, R2, IoU and MeanTensor ------------------------------------------------------------

def _assign_zeros(metric):
    for v in metric.variables:
        K.update(v, 0)


class FBetaScore(Metric):
    """F-beta score, ``(1 + beta^2) * precision * recall / (beta^2 * precision + recall)``, per class of a
    ``(batch_size, num_classes)`` output (tf-keras/TF-Addons formulation).

    Predictions are binarised at ``threshold`` (``y_pred > threshold``), or, with ``threshold=None``, the highest
    (non-zero) score of each row is the positive class. ``average``: None (one score per class), 'micro'
    (global counts), 'macro' (unweighted mean of the class scores) or 'weighted' (mean weighted by each
    class' number of true instances).
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float. Received: beta={beta} "
                             f"of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python float. Received: "
                                 f"threshold={threshold} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim), with "
                             "output_dim fully defined (not None). Received input shapes: "
                             f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        shape = (y_pred_shape[-1],) if self.average != "micro" else ()
        self.true_positives = self.add_weight("true_positives", shape=shape)
        self.false_positives = self.add_weight("false_positives", shape=shape)
        self.false_negatives = self.add_weight("false_negatives", shape=shape)
        self.intermediate_weights = self.add_weight("intermediate_weights", shape=shape)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _paired_inputs(self, y_true, y_pred)
        if self.threshold is None:
            threshold = K.max(y_pred, axis=-1, keepdims=True)
            # [0, 0, 0] must not become [1, 1, 1]
            y_pred = K.greater_equal(y_pred, threshold) & K.greater(K.abs(y_pred), 1e-9)
        else:
            y_pred = K.greater(y_pred, self.threshold)
        y_pred = K.cast(y_pred, self._dtype)
        if sample_weight is not None:
            sample_weight = _input(sample_weight, self._dtype)
            if len(_shape(sample_weight)) == 1:
                sample_weight = K.expand_dims(sample_weight, 1)

        def weighted_sum(val):
            if sample_weight is not None:
                val = val * sample_weight
            return K.sum(val, axis=self.axis)

        K.update_add(self.true_positives, weighted_sum(y_pred * y_true))
        K.update_add(self.false_positives, weighted_sum(y_pred * (1.0 - y_true)))
        K.update_add(self.false_negatives, weighted_sum((1.0 - y_pred) * y_true))
        K.update_add(self.intermediate_weights, weighted_sum(y_true))

    def result(self):
        if not self.built:
            return K.zeros((), dtype=self._dtype)
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision = _div_no_nan(tp, tp + fp)
        recall = _div_no_nan(tp, tp + fn)
        beta_sq = self.beta * self.beta
        f_score = _div_no_nan(precision * recall, beta_sq * precision + recall) * (1.0 + beta_sq)
        if self.average == "weighted":
            weights = _div_no_nan(self.intermediate_weights, K.sum(self.intermediate_weights))
            return K.sum(f_score * weights)
        if self.average is not None:  # micro, macro
            return K.mean(f_score)
        return f_score

    def reset_state(self):
        _assign_zeros(self)

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score: ``FBetaScore`` with ``beta=1``, ``2 * precision * recall / (precision + recall)``."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(Metric):
    """Coefficient of determination, ``1 - sum((y - y_pred)^2) / sum((y - mean(y))^2)``, per output column of a
    ``(batch_size, output_dim)`` regression, aggregated by ``class_aggregation`` ('uniform_average',
    'variance_weighted_average' or None for one score per column). ``num_regressors > 0`` gives the adjusted
    R2, ``1 - (1 - R2) * (n - 1) / (n - p - 1)``."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of {valid}. "
                             f"Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_weight("num_samples", dtype="int32")
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim), with output_dim fully "
                             f"defined (not None). Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        shape = (y_pred_shape[-1],)
        self.squared_sum = self.add_weight("squared_sum", shape=shape)
        self.sum = self.add_weight("sum", shape=shape)
        self.total_mse = self.add_weight("residual", shape=shape)
        self.count = self.add_weight("count", shape=shape)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _paired_inputs(self, y_true, y_pred)
        sample_weight = _input(1.0 if sample_weight is None else sample_weight, self._dtype)
        if len(_shape(sample_weight)) == 1:
            sample_weight = K.expand_dims(sample_weight, 1)  # a features dimension
        sample_weight = broadcast_weights(sample_weight, y_true)
        weighted_y_true = y_true * sample_weight
        K.update_add(self.sum, K.sum(weighted_y_true, axis=0))
        K.update_add(self.squared_sum, K.sum(y_true * weighted_y_true, axis=0))
        K.update_add(self.total_mse, K.sum(K.square(y_true - y_pred) * sample_weight, axis=0))
        K.update_add(self.count, K.sum(sample_weight, axis=0))
        K.update_add(self.num_samples, _num_elements(y_true))

    def result(self):
        if not self.built:
            return K.zeros((), dtype=self._dtype)
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw_scores = 1.0 - self.total_mse / total
        raw_scores = K.where(K.abs(raw_scores) == float("inf"), K.zeros_like(raw_scores), raw_scores)
        if self.class_aggregation == "uniform_average":
            r2_score = K.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            r2_score = K.sum(total * raw_scores) / K.sum(total)
        else:
            r2_score = raw_scores
        if self.num_regressors != 0:
            import warnings
            n = int(K.get_value(self.num_samples))  # a host read, only for the adjusted score
            if self.num_regressors > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            elif self.num_regressors == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                              stacklevel=2)
            else:
                r2_score = 1.0 - (1.0 - r2_score) * (n - 1.0) / (n - float(self.num_regressors) - 1.0)
        return r2_score

    def reset_state(self):
        _assign_zeros(self)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


def _check_num_classes(metric_name, num_classes):
    if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool) or num_classes < 1:
        raise ValueError(f"{metric_name} expects `num_classes` to be a positive integer. "
                         f"Received: num_classes={num_classes!r}")
    return int(num_classes)


class _IoUBase(Metric):
    """Accumulates a ``(num_classes, num_classes)`` confusion matrix (rows: true class, columns: predicted)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = _check_num_classes(type(self).__name__, num_classes)
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_weight("total_confusion_matrix", shape=(self.num_classes, self.num_classes))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = K.stop_gradient(K.convert_to_tensor(y_true))
        y_pred = K.stop_gradient(K.convert_to_tensor(y_pred))
        if not self.sparse_y_true:
            y_true = K.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = K.argmax(y_pred, axis=self.axis)
        # as tf.math.confusion_matrix: labels go through the metric's dtype, then truncate to integers
        y_true = K.cast(K.reshape(K.cast(y_true, self._dtype), (-1,)), "int64")
        y_pred = K.cast(K.reshape(K.cast(y_pred, self._dtype), (-1,)), "int64")
        if _shape(y_true) != _shape(y_pred):
            raise ValueError(f"{type(self).__name__} expects as many labels as predictions. Received "
                             f"{_shape(y_true)[0]} labels and {_shape(y_pred)[0]} predictions (after flattening).")
        n = self.num_classes
        if sample_weight is not None:
            sample_weight = _input(sample_weight, self._dtype)
            if len(_shape(sample_weight)) == 0:
                sample_weight = sample_weight * K.ones_like(K.cast(y_true, self._dtype))
            sample_weight = K.reshape(sample_weight, (-1,))
            if _shape(sample_weight) != _shape(y_true):
                raise ValueError(f"{type(self).__name__} expects one sample weight per label. Received "
                                 f"{_shape(sample_weight)[0]} weights for {_shape(y_true)[0]} labels.")
            weights = sample_weight
        else:
            weights = K.ones_like(K.cast(y_true, self._dtype))
        valid = K.ones_like(y_true) > 0
        if self.ignore_class is not None:
            valid = K.not_equal(y_true, int(self.ignore_class))
        in_range = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if K.default_device().type == "cpu" and not bool(K.get_value(K.all(in_range | ~valid))):
            bad_true = K.get_value(y_true)[K.get_value(valid & ~((y_true >= 0) & (y_true < n)))]
            bad_pred = K.get_value(y_pred)[K.get_value(valid & ~((y_pred >= 0) & (y_pred < n)))]
            raise ValueError(f"{type(self).__name__} (num_classes={n}) expects labels and predictions in [0, {n}). "
                             f"Received labels {sorted(set(bad_true.tolist()))[:10]} and predictions "
                             f"{sorted(set(bad_pred.tolist()))[:10]} out of that range.")
        keep = valid & in_range  # on accelerators, out-of-range entries are dropped rather than checked (no sync)
        weights = K.where(keep, weights, K.zeros_like(weights))
        ids = K.where(keep, y_true * n + y_pred, K.zeros_like(y_true))
        cm = K.reshape(K.unsorted_segment_sum(weights, ids, n * n), (n, n))
        K.update_add(self.total_cm, cm)

    def reset_state(self):
        _assign_zeros(self)


class IoU(_IoUBase):
    """Intersection-over-union, ``TP / (TP + FP + FN)``, averaged over ``target_class_ids`` (classes never seen
    nor predicted are left out of the average)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(name=name, num_classes=num_classes, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis, dtype=dtype)
        target_class_ids = list(target_class_ids)
        if not target_class_ids:
            raise ValueError(f"{type(self).__name__} expects at least one target class id. Received: "
                             f"target_class_ids={target_class_ids}")
        if max(target_class_ids) >= self.num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is "
                             f"[0, {self.num_classes}).")
        self.target_class_ids = target_class_ids
        self._target_ids = None

    def result(self):
        if self._target_ids is None:
            self._target_ids = K.convert_to_tensor(np.asarray(self.target_class_ids, dtype=np.int64))
            self._identity = K.convert_to_tensor(np.eye(self.num_classes, dtype=self._dtype))
        cm = self.total_cm
        sum_over_row = K.sum(cm, axis=0)
        sum_over_col = K.sum(cm, axis=1)
        true_positives = K.sum(cm * self._identity, axis=1)
        denominator = sum_over_row + sum_over_col - true_positives
        true_positives = K.gather(true_positives, self._target_ids)
        denominator = K.gather(denominator, self._target_ids)
        num_valid_entries = K.sum(K.cast(K.not_equal(denominator, 0), self._dtype))
        iou = _div_no_nan(true_positives, denominator)
        return _div_no_nan(K.sum(iou), num_valid_entries)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of binary labels and ``y_pred >= threshold``, averaged over ``target_class_ids`` (0, 1 or both)."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _input(y_pred, self._dtype)
        y_pred = K.cast(K.greater_equal(y_pred, self.threshold), self._dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self._dtype}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        num_classes = _check_num_classes(type(self).__name__, num_classes)
        super().__init__(name=name, num_classes=num_classes, target_class_ids=list(range(num_classes)), axis=axis,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self._dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU with one-hot ``y_true`` (and, unless ``sparse_y_pred``, class scores in ``y_pred``)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self._dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """Mean IoU with one-hot ``y_true`` (and, unless ``sparse_y_pred``, class scores in ``y_pred``)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, axis=axis, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self._dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class MeanTensor(Metric):
    """The elementwise (weighted) mean of tensors of one fixed shape (set by ``shape`` or the first update)."""

    def __init__(self, name="mean_tensor", dtype=None, shape=None):
        super().__init__(name=name, dtype=dtype)
        self._shape = None
        self._total = None
        self._count = None
        self._built = False
        if shape is not None:
            self._build(shape)

    def _build(self, shape):
        self._shape = tuple(int(d) for d in shape)
        self._total = self.add_weight("total", shape=self._shape)
        self._count = self.add_weight("count", shape=self._shape)
        self._built = True

    @property
    def total(self):
        return self._total if self._built else None

    @property
    def count(self):
        return self._count if self._built else None

    def update_state(self, values, sample_weight=None):
        values = _input(values, self._dtype)
        if not self._built:
            self._build(_shape(values))
        elif _shape(values) != self._shape:
            raise ValueError("MeanTensor input values must always have the same shape. Expected shape (set during "
                             f"the first call): {self._shape}. Got: {_shape(values)}.")
        num_values = K.ones_like(values)
        if sample_weight is not None:
            sample_weight = _input(sample_weight, self._dtype)
            values, _, sample_weight = squeeze_or_expand_dimensions(values, sample_weight=sample_weight)
            try:
                sample_weight = broadcast_weights(sample_weight, values)
            except ValueError:
                ndim, weight_ndim = len(_shape(values)), len(_shape(sample_weight))
                values = K.mean(values, axis=list(range(weight_ndim, ndim)))
            num_values = num_values * sample_weight
            values = values * sample_weight
        K.update_add(self._total, values)
        K.update_add(self._count, num_values)

    def result(self):
        if not self._built:
            raise ValueError("MeanTensor does not have any value yet. Please call the MeanTensor instance or use "
                             "`.update_state(value)` before retrieving the result.")
        return _div_no_nan(self._total, self._count)

    def reset_state(self):
        if self._built:
            _assign_zeros(self)


# ---- compile's 'accuracy' / 'crossentropy' ------------------------------------------------------

def resolve_accuracy(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """The metric Keras 2 uses for ``'accuracy'``/``'acc'`` (or ``'crossentropy'``/``'ce'``) in ``compile``.

    tf-keras 2.21's rule (``compile_utils.MetricsContainer._get_metric_object``) looks at shapes only:
    binary when ``y_pred``'s last dimension is 1; sparse categorical when ``y_true`` has fewer
    dimensions than ``y_pred``, or a last dimension of 1 while ``y_pred``'s is larger; categorical
    otherwise. ``loss`` is accepted for API symmetry but, as in tf-keras 2.x, not consulted (so a
    multi-label sigmoid output trained with binary_crossentropy gets categorical accuracy, as there).

    Returns a ``MeanMetricWrapper`` named ``identifier`` around the chosen function.
    """
    key = str(identifier).lower()
    if key not in ("accuracy", "acc", "crossentropy", "ce"):
        raise ValueError(f"resolve_accuracy expects 'accuracy', 'acc', 'crossentropy' or 'ce', got {identifier!r}.")
    if y_true_shape is None or y_pred_shape is None:
        raise ValueError("resolve_accuracy needs the shapes of y_true and y_pred.")
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    y_t_last = y_true_shape[-1] if y_true_shape else None
    y_p_last = y_pred_shape[-1] if y_pred_shape else None
    is_binary = y_p_last == 1
    is_sparse_categorical = (len(y_true_shape) < len(y_pred_shape)
                             or (y_t_last == 1 and y_p_last is not None and y_p_last > 1))
    if key in ("accuracy", "acc"):
        if is_binary:
            fn = binary_accuracy
        elif is_sparse_categorical:
            fn = sparse_categorical_accuracy
        else:
            fn = categorical_accuracy
    elif is_binary:
        fn = binary_crossentropy
    elif is_sparse_categorical:
        fn = sparse_categorical_crossentropy
    else:
        fn = categorical_crossentropy
    return MeanMetricWrapper(fn, name=identifier)


# ---- lookup and (de)serialization --------------------------------------------------------------

def _builtin_objects():
    names = [
        "Metric", "Reduce", "Sum", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
        "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "MeanSquaredError",
        "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCoshError",
        "CosineSimilarity", "RootMeanSquaredError", "MeanRelativeError", "BinaryCrossentropy",
        "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Poisson", "KLDivergence", "Hinge",
        "SquaredHinge", "CategoricalHinge", "AUC", "Precision", "Recall", "TruePositives", "FalsePositives",
        "TrueNegatives", "FalseNegatives", "SensitivityAtSpecificity", "SpecificityAtSensitivity",
        "PrecisionAtRecall", "RecallAtPrecision", "FBetaScore", "F1Score", "R2Score", "IoU", "MeanIoU", "BinaryIoU",
        "OneHotIoU", "OneHotMeanIoU", "MeanTensor",
        "accuracy", "acc", "ACC", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "cosine_similarity", "cosine_proximity",
        "binary_crossentropy", "bce", "BCE", "categorical_crossentropy", "sparse_categorical_crossentropy",
        "binary_focal_crossentropy", "categorical_focal_crossentropy",
        "categorical_hinge", "hinge", "squared_hinge", "kl_divergence", "kullback_leibler_divergence", "kld", "KLD",
        "log_cosh", "logcosh", "mean_absolute_error", "mae", "MAE", "mean_absolute_percentage_error", "mape",
        "MAPE", "mean_squared_error", "mse", "MSE", "mean_squared_logarithmic_error", "msle", "MSLE", "poisson",
    ]
    g = globals()
    return {name: g[name] for name in names}


_BUILTINS = _builtin_objects()

__all__ = sorted(_BUILTINS) + ["serialize", "deserialize", "get", "resolve_accuracy",
                               "update_confusion_matrix_variables", "broadcast_weights", "NEG_INF"]


def serialize(metric, use_legacy_format=False):
    """A ``Metric`` as ``{'module': 'keras.metrics', 'class_name', 'config', 'registered_name'}`` and a function
    as tf-keras 2.13+ writes it; ``use_legacy_format=True``: Keras 2's ``{'class_name', 'config'}`` and bare
    names."""
    if use_legacy_format:
        return _serialization.serialize_keras_object(metric)
    return _serialization.serialize_with_module(metric, "keras.metrics", _BUILTINS)


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """A metric function (from a name) or ``Metric`` instance (from a class name or a config dict)."""
    if isinstance(config, dict) and config.get("class_name") == "function" and isinstance(config.get("config"), str):
        config = config["config"]
    obj = _serialization.deserialize_keras_object(config, _BUILTINS, custom_objects=custom_objects,
                                                  kind="metric function")
    if isinstance(obj, type):
        return obj()
    return obj


def get(identifier):
    """A metric from a name ('accuracy', 'AUC'), a config dict, a function, a class or an instance."""
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


# Keras 3's correlation metrics live in their own module (it builds on MeanMetricWrapper above), and Keras 3's
# metrics module also names the Huber loss function.
from fastkeras.losses import huber  # noqa: E402
from fastkeras.metrics_correlation import (  # noqa: E402
    CORRELATION_METRICS, ConcordanceCorrelation, PearsonCorrelation, concordance_correlation, pearson_correlation,
)

_BUILTINS.update(CORRELATION_METRICS, huber=huber)
__all__ = sorted(_BUILTINS) + ["serialize", "deserialize", "get", "resolve_accuracy",
                               "update_confusion_matrix_variables", "broadcast_weights", "NEG_INF"]
