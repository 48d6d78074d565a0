"""scikit-learn estimators around fastkeras models (Keras 2's ``keras.wrappers.scikit_learn``).

``KerasClassifier(build_fn=make_model, epochs=5, batch_size=32)`` is an estimator scikit-learn can clone, fit,
score and search over (``cross_val_score``, ``GridSearchCV``). ``build_fn`` builds and compiles a fresh model on
every ``fit``; the keyword arguments (``sk_params``) go to ``build_fn`` where it names them and to the model's
``fit`` / ``predict`` / ``evaluate`` where those name them. scikit-learn itself is needed only by its own
functions: this module does not import it unless asked for the estimator tags.
"""
import copy
import inspect
import types

import numpy as np

from fastkeras import losses
from fastkeras.engine.training import Model
from fastkeras.utils.np_utils import to_categorical

# What fit/predict/evaluate accept decides which sk_params they receive (Keras 2 reads Sequential's).
_FIT, _PREDICT, _EVALUATE = Model.fit, Model.predict, Model.evaluate


def _named_arguments(fn):
    """The parameter names ``fn`` declares explicitly (a ``**kwargs`` catch-all does not count)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return set()
    return {name for name, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


class BaseWrapper:
    """Shared by KerasClassifier and KerasRegressor; not used directly.

    ``build_fn`` is a function, an object with ``__call__``, or None when a subclass implements ``__call__``;
    it returns a compiled model. Fit/predict parameters are looked up in the arguments of the method call, then
    in ``sk_params``, then the model methods' defaults.
    """

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_callable(self):
        if self.build_fn is None:
            return self.__call__
        if isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn
        return self.build_fn.__call__

    def check_params(self, params):
        """Refuses a parameter that neither ``build_fn`` nor the model's fit/predict/evaluate takes."""
        legal = _named_arguments(_FIT) | _named_arguments(_PREDICT) | _named_arguments(_EVALUATE) | \
            _named_arguments(self._build_callable())
        for name in params:
            if name not in legal and name != "nb_epoch":
                raise ValueError(f"{name} is not a legal parameter")

    def get_params(self, **params):
        """``sk_params`` plus ``build_fn`` (``deep`` and other arguments are accepted and ignored)."""
        result = self.sk_params.copy()
        result.update({"build_fn": self.build_fn})
        return result

    def set_params(self, **params):
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        """The ``sk_params`` that ``fn`` names, updated with ``override``."""
        names = _named_arguments(fn)
        result = {name: value for name, value in self.sk_params.items() if name in names}
        result.update(override or {})
        return result

    def fit(self, x, y, **kwargs):
        """Builds a new model with ``build_fn`` and trains it; returns the History."""
        build = self._build_callable()
        self.model = build(**self.filter_sk_params(build))
        y = np.asarray(y)
        if losses.is_categorical_crossentropy(getattr(self.model, "loss", None)) and y.ndim != 2:
            y = to_categorical(y)
        fit_args = copy.deepcopy(self.filter_sk_params(_FIT))
        if "nb_epoch" in self.sk_params and "epochs" not in fit_args:
            fit_args["epochs"] = self.sk_params["nb_epoch"]
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    def _require_fitted(self, method):
        if getattr(self, "model", None) is None:
            raise AttributeError(f"This {type(self).__name__} instance is not fitted yet: call `fit` before "
                                 f"`{method}`.")


class KerasClassifier(BaseWrapper):
    """scikit-learn's classifier API: labels of any type in, the same labels out of ``predict``."""

    _estimator_type = "classifier"

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, Tags, TargetTags
        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags())

    def fit(self, x, y, **kwargs):
        """``y``: labels (n_samples,) or (n_samples, 1), or one-hot rows (n_samples, n_classes)."""
        y = np.array(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError("Invalid shape for y: " + str(y.shape))
        self.n_classes_ = len(self.classes_)
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """Class labels (n_samples,): the most probable class, or probability > 0.5 for one sigmoid output."""
        self._require_fitted("predict")
        proba = self.model.predict(x, **self.filter_sk_params(_PREDICT, kwargs))
        if proba.shape[-1] > 1:
            classes = proba.argmax(axis=-1)
        else:
            classes = (proba > 0.5).astype("int32")
        return self.classes_[classes]

    def predict_proba(self, x, **kwargs):
        """Class probabilities (n_samples, n_classes); one sigmoid output becomes the two columns [1 - p, p]."""
        self._require_fitted("predict_proba")
        probs = self.model.predict(x, **self.filter_sk_params(_PREDICT, kwargs))
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs):
        """The model's accuracy on ``x``/``y``; the model must be compiled with ``metrics=['accuracy']``."""
        self._require_fitted("score")
        y = np.searchsorted(self.classes_, np.asarray(y))
        kwargs = self.filter_sk_params(_EVALUATE, kwargs)
        loss = self.model.loss
        if getattr(loss, "__name__", loss) == "categorical_crossentropy" and y.ndim != 2:
            y = to_categorical(y)
        outputs = self.model.evaluate(x, y, **kwargs)
        if not isinstance(outputs, list):
            outputs = [outputs]
        for name, output in zip(self.model.metrics_names, outputs):
            if name in ("accuracy", "acc"):
                return output
        raise ValueError("The model is not configured to compute accuracy. You should pass "
                         '`metrics=["accuracy"]` to the `model.compile()` method.')


class KerasRegressor(BaseWrapper):
    """scikit-learn's regressor API; ``score`` is the negated loss (higher is better, as scikit-learn wants)."""

    _estimator_type = "regressor"

    def __sklearn_tags__(self):
        from sklearn.utils import RegressorTags, Tags, TargetTags
        return Tags(estimator_type="regressor", target_tags=TargetTags(required=True),
                    regressor_tags=RegressorTags())

    def predict(self, x, **kwargs):
        """Predictions with unit axes squeezed ((n_samples,) for one output unit)."""
        self._require_fitted("predict")
        return np.squeeze(self.model.predict(x, **self.filter_sk_params(_PREDICT, kwargs)))

    def score(self, x, y, **kwargs):
        """Minus the model's loss on ``x``/``y``."""
        self._require_fitted("score")
        loss = self.model.evaluate(x, y, **self.filter_sk_params(_EVALUATE, kwargs))
        if isinstance(loss, list):
            return -loss[0]
        return -loss
