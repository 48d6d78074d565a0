"""``keras.layers.convolutional_recurrent``: Keras 2's module path for ConvLSTM2D (and tf-keras' ConvLSTM1D/3D);
the same classes as ``keras.layers``'."""
from fastkeras.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: F401
