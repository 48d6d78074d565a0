"""``keras.layers.noise``: Keras 2's module path for the noise layers (``from keras.layers.noise import
AlphaDropout``); the same classes as ``keras.layers``'."""
from fastkeras.layers.regularization import AlphaDropout, GaussianDropout, GaussianNoise  # noqa: F401
