"""Keras 3's scikit-learn estimators: ``SKLearnClassifier``, ``SKLearnRegressor`` and ``SKLearnTransformer``.

``model`` is a compiled fastkeras ``Model``, or a callable ``model(X=X, y=y, **model_kwargs)`` returning one; ``fit``
builds it on the (encoded) training data and trains it with ``fit_kwargs`` updated by ``fit``'s own keyword
arguments. A ``Model`` instance is cloned (and compiled like the original) before every fit, so the instance the
user passed is never trained. The fitted estimator has ``model_``, ``history_`` (the ``History`` of the fit) and
``n_features_in_``; the classifier one-hot encodes its targets and has ``classes_``, and its ``predict`` maps the
model's outputs back to labels (the largest output wins) while ``decision_function`` gives the raw outputs.

These classes are scikit-learn estimators, so this module imports scikit-learn; ``fastkeras.wrappers`` loads it
only when one of the names is asked for. Without scikit-learn the classes still exist and refuse construction
with an ImportError, as in Keras 3.

Where Keras 3.15.1 has bugs this module does not copy them: ``sklearn.base.clone`` keeps ``fit_kwargs`` (Keras 3
drops them), and ``fit`` does not write its keyword arguments into the estimator's ``fit_kwargs`` dict.
"""
import numpy as np

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # the classes stay importable; their constructor explains what is missing
    sklearn = None

    class BaseEstimator:  # distinct empty bases, so the classes below still have a valid MRO
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

    class TransformerMixin:
        pass

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]


def _validate_data(estimator, *args, **kwargs):
    # scikit-learn >= 1.6 has a function; older versions a private method. Both set n_features_in_ on reset.
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:
        return estimator._validate_data(*args, **kwargs)
    return validate_data(estimator, *args, **kwargs)


def _target_type(y):
    from sklearn.utils.multiclass import type_of_target
    kind = type_of_target(y)
    if kind == "unknown":
        raise ValueError(f"Unknown label type for the targets: {y!r}")
    return kind


class _ColumnTarget:
    """1-D targets as one column for the model, and predictions of one column back to 1-D."""

    def fit(self, y):
        self.ndim_ = np.ndim(y)
        return self

    def transform(self, y):
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        return np.squeeze(y, axis=1) if self.ndim_ == 1 and y.ndim == 2 and y.shape[1] == 1 else y


class _OneHotTarget:
    """Class labels as one-hot rows (the categories sorted, as ``classes_``); outputs back to the label of the
    largest output of each row."""

    def fit(self, y):
        from sklearn.preprocessing import OneHotEncoder
        self.column = _ColumnTarget().fit(y)
        self.encoder = OneHotEncoder(sparse_output=False).fit(self.column.transform(y))
        return self

    def transform(self, y):
        return self.encoder.transform(self.column.transform(y))

    def inverse_transform(self, y):
        return self.column.inverse_transform(self.encoder.inverse_transform(y))


def _require_compiled(model, owner):
    if getattr(model, "_trainer", None) is None or not model.loss or model.optimizer is None:
        raise RuntimeError(f"{owner}: the model to fit must be compiled with a loss and an optimizer; received "
                           f'model "{getattr(model, "name", model)}" without them. Call `model.compile(optimizer, '
                           "loss)` before returning it.")


def _fresh_copy(model):
    """A clone with new weights, compiled as ``model`` was (so fitting it leaves the user's model untouched)."""
    from fastkeras.engine.cloning import clone_model
    clone = clone_model(model)
    config = model.get_compile_config()
    if config is not None:
        clone.compile_from_config(config)
    return clone


class _SKLearnWrapper(BaseEstimator):
    """What the three estimators share: parameters, model building, fit, predict."""

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        if sklearn is None:
            raise ImportError(f"{type(self).__name__} needs scikit-learn, which is not installed: "
                              "`pip install scikit-learn`.")
        self.model = model
        self.warm_start = warm_start  # accepted and reported by get_params; Keras 3.15.1 does not act on it either
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True  # weight initialization and shuffling make two fits differ
        return tags

    def _more_tags(self):  # scikit-learn < 1.6 reads this instead of __sklearn_tags__
        return {"non_deterministic": True}

    def _build_model(self, X, y):
        from fastkeras.engine.training import Model
        if isinstance(self.model, Model):
            return _fresh_copy(self.model)
        if not callable(self.model):
            raise TypeError(f"{type(self).__name__}: `model` should be a compiled Model or a callable returning "
                            f"one; received {type(self.model).__name__}: {self.model!r}.")
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Builds the model on ``X`` and the encoded ``y`` and trains it; keyword arguments go to ``model.fit``
        (over ``fit_kwargs``). Returns the estimator."""
        X, y = _validate_data(self, X, y)
        y = self._encode_targets(y, reset=True)
        model = self._build_model(X, y)
        _require_compiled(model, type(self).__name__)
        self.history_ = model.fit(X, y, **{**(self.fit_kwargs or {}), **kwargs})
        self.model_ = model
        return self

    def predict(self, X):
        """The model's predictions, decoded as the training targets were encoded."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False)
        return self._target_encoder.inverse_transform(self.model_.predict(X))

    def _encode_targets(self, y, reset=False):
        _target_type(y)
        if reset:
            self._target_encoder = _ColumnTarget().fit(y)
        return self._target_encoder.transform(y)


class SKLearnClassifier(ClassifierMixin, _SKLearnWrapper):
    """A scikit-learn classifier around a fastkeras model. Targets are binary or multiclass labels; the model is
    trained on their one-hot encoding (one output per class, in the order of ``classes_``)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags

    def _more_tags(self):
        return {"poor_score": True}

    def decision_function(self, X):
        """The model's raw outputs (one column per class)."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        return self.model_.predict(_validate_data(self, X, reset=False))

    def _encode_targets(self, y, reset=False):
        kind = _target_type(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"SKLearnClassifier supports binary and multiclass targets only; received targets of "
                             f"type {kind!r}.")
        if reset:
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError(f"SKLearnClassifier needs at least two classes to train; the targets hold only "
                                 f"{self.classes_[0]!r}.")
            self._target_encoder = _OneHotTarget().fit(y)
        return self._target_encoder.transform(y)


class SKLearnRegressor(RegressorMixin, _SKLearnWrapper):
    """A scikit-learn regressor around a fastkeras model; 1-D targets train a model of one output column."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags

    def _more_tags(self):
        return {"poor_score": True}


class SKLearnTransformer(TransformerMixin, _SKLearnWrapper):
    """A scikit-learn transformer (a pipeline step) whose ``transform`` is the fitted model's ``predict``."""

    def transform(self, X):
        """The fitted model's predictions for ``X``."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        return self.model_.predict(_validate_data(self, X, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # outputs are the model's float dtype, whatever came in
        return tags

    def _more_tags(self):
        return {"preserves_dtype": []}
