"""Wrappers for other libraries' APIs: Keras 2's ``keras.wrappers.scikit_learn`` and Keras 3's
``SKLearnClassifier``/``SKLearnRegressor``/``SKLearnTransformer``."""
from fastkeras.wrappers import scikit_learn  # noqa: F401 - does not import scikit-learn

_SKLEARN_NAMES = ("SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer")
__all__ = ["scikit_learn", *_SKLEARN_NAMES]


def __getattr__(name):
    # Keras 3's wrappers subclass scikit-learn's estimators, so their module imports scikit-learn: load it only
    # when one of them is asked for, never on `import fastkeras`.
    if name in _SKLEARN_NAMES:
        from fastkeras.wrappers import sklearn_wrapper
        return getattr(sklearn_wrapper, name)
    raise AttributeError(f"module 'fastkeras.wrappers' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SKLEARN_NAMES))
