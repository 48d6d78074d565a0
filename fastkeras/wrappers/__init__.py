"""Wrappers for other libraries' APIs (Keras 2's ``keras.wrappers``): ``scikit_learn``."""
from fastkeras.wrappers import scikit_learn  # noqa: F401 - does not import scikit-learn
