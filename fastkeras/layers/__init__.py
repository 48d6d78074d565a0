"""Keras 2 layers. ``deserialize`` resolves class names only through this package's table."""
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_layer import Input, InputLayer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.layers.core import (  # noqa: F401
    Activation, Dense, Dropout, Flatten, Identity, Lambda, Permute, RepeatVector, Reshape,
)
from fastkeras.layers.merge import (
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract,
    add, average, concatenate, dot, maximum, minimum, multiply, subtract,
)
from fastkeras.layers.serialization import deserialize, get_builtin_layer, serialize  # noqa: F401
from fastkeras.layers.convolutional import (  # noqa: F401
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose,
    DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D,
    Convolution1D, Convolution2D, Convolution3D, Deconvolution2D, SeparableConvolution2D,  # Keras 1's names
)
from fastkeras.layers.pooling import (  # noqa: F401
    AveragePooling1D, AveragePooling2D, AveragePooling3D, GlobalAveragePooling1D, GlobalAveragePooling2D,
    GlobalAveragePooling3D, GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D,
    MaxPooling1D, MaxPooling2D, MaxPooling3D,
)
from fastkeras.layers.reshaping import (  # noqa: F401
    Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D,
    ZeroPadding1D, ZeroPadding2D, ZeroPadding3D,
)
from fastkeras.layers.normalization import (  # noqa: F401
    BatchNormalization, GroupNormalization, LayerNormalization, UnitNormalization,
)
from fastkeras.layers.regularization import (  # noqa: F401
    ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise,
    SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
)
from fastkeras.layers.advanced_activations import (  # noqa: F401
    ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU,
)
from fastkeras.layers.wrappers import TimeDistributed, Wrapper  # noqa: F401
from fastkeras.layers.embeddings import Embedding  # noqa: F401
from fastkeras.layers.masking import Masking  # noqa: F401
from fastkeras.layers.recurrent import (  # noqa: F401
    GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells,
)
from fastkeras.layers.recurrent_cells import AbstractRNNCell  # noqa: F401
from fastkeras.layers.cudnn_recurrent import CuDNNGRU, CuDNNLSTM  # noqa: F401
from fastkeras.layers.bidirectional import Bidirectional  # noqa: F401
from fastkeras.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: F401
from fastkeras.layers.locally_connected import LocallyConnected1D, LocallyConnected2D  # noqa: F401
from fastkeras.layers.einsum_dense import *  # noqa: F401,F403
from fastkeras.layers.attention import *  # noqa: F401,F403
from fastkeras.layers.preprocessing import *  # noqa: F401,F403
from fastkeras.layers.preprocessing_lookup import *  # noqa: F401,F403
from fastkeras.layers.hashed_crossing import HashedCrossing  # noqa: F401
from fastkeras.layers.spectral_normalization import SpectralNormalization  # noqa: F401
# Keras 3 layers Keras 2 never had.
from fastkeras.layers.rms_normalization import RMSNormalization  # noqa: F401
from fastkeras.layers.adaptive_pooling import *  # noqa: F401,F403
from fastkeras.layers.grouped_query_attention import GroupQueryAttention  # noqa: F401
from fastkeras.layers.reversible_embedding import ReversibleEmbedding  # noqa: F401
from fastkeras.layers.torch_module_wrapper import TorchModuleWrapper  # noqa: F401
from fastkeras.layers.image_preprocessing import *  # noqa: F401,F403
from fastkeras.layers.image_color_augmentation import *  # noqa: F401,F403
from fastkeras.layers.image_geometric_augmentation import *  # noqa: F401,F403
from fastkeras.layers.bounding_boxes import MaxNumBoundingBoxes  # noqa: F401
from fastkeras.layers.image_augmentation_policies import AugMix, RandAugment  # noqa: F401
from fastkeras.layers.spectrogram import MelSpectrogram, STFTSpectrogram  # noqa: F401

# Keras 1 layers that Keras 2.0-2.3.1 kept (keras.legacy.layers).
from fastkeras.legacy.layers import AtrousConvolution1D, AtrousConvolution2D, Highway, MaxoutDense  # noqa: F401

# Keras 2 aliases.
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
SeparableConvolution1D = SeparableConv1D
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D)

from fastkeras.layers import experimental  # noqa: E402,F401  (keras.layers.experimental.preprocessing)

# Keras 2 (2.2-2.4) modules held layers that live elsewhere here: `from keras.layers.core import Masking`,
# `from keras.layers.convolutional import MaxPooling2D, ZeroPadding2D`, `from keras.layers.wrappers import
# Bidirectional`. They are set once this package has loaded (importing a submodule always runs this file
# first), since pooling and regularization themselves import convolutional and core.
Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose
from fastkeras.layers import convolutional as _convolutional, core as _core, wrappers as _wrappers  # noqa: E402
for _module, _names in (
        (_core, {"ActivityRegularization": ActivityRegularization, "Masking": Masking,
                 "SpatialDropout1D": SpatialDropout1D, "SpatialDropout2D": SpatialDropout2D,
                 "SpatialDropout3D": SpatialDropout3D}),
        (_convolutional, {"UpSampling1D": UpSampling1D, "UpSampling2D": UpSampling2D, "UpSampling3D": UpSampling3D,
                          "ZeroPadding1D": ZeroPadding1D, "ZeroPadding2D": ZeroPadding2D,
                          "ZeroPadding3D": ZeroPadding3D, "Cropping1D": Cropping1D, "Cropping2D": Cropping2D,
                          "Cropping3D": Cropping3D, "AveragePooling1D": AveragePooling1D,
                          "AveragePooling2D": AveragePooling2D, "AveragePooling3D": AveragePooling3D,
                          "MaxPooling1D": MaxPooling1D, "MaxPooling2D": MaxPooling2D, "MaxPooling3D": MaxPooling3D,
                          "Deconv2D": Deconv2D, "Deconvolution3D": Deconvolution3D, "Deconv3D": Deconv3D}),
        (_wrappers, {"Bidirectional": Bidirectional})):
    for _name, _layer_class in _names.items():
        setattr(_module, _name, _layer_class)
del _module, _names, _name, _layer_class, _convolutional, _core, _wrappers
