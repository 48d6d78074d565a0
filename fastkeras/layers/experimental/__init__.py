"""``keras.layers.experimental``: the names tf-keras keeps there (older tutorials import preprocessing layers
from ``keras.layers.experimental.preprocessing``). Each is the same class as in ``keras.layers``."""
from fastkeras.layers.einsum_dense import EinsumDense  # noqa: F401
from fastkeras.layers.kernelized import RandomFourierFeatures  # noqa: F401
from fastkeras.layers.normalization import SyncBatchNormalization  # noqa: F401
from fastkeras.layers.experimental import preprocessing  # noqa: F401
