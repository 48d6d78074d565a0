"""``keras.layers.local``: Keras 2's module path for the locally-connected layers; the same classes as
``keras.layers``'."""
from fastkeras.layers.locally_connected import LocallyConnected1D, LocallyConnected2D  # noqa: F401
