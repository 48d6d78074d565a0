"""MNIST handwritten digits: 60,000 training and 10,000 test 28x28 uint8 images, labels 0-9."""
import os

from fastkeras.datasets._safe_files import load_npz, require_keys
from fastkeras.utils.data_utils import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # sha256, as Keras checks it


def load_data(path="mnist.npz", cache_dir=None):
    """``(x_train, y_train), (x_test, y_test)``: uint8 arrays ``(60000, 28, 28)``, ``(60000,)``, ``(10000, 28, 28)``,
    ``(10000,)``. ``path`` is the file name inside the cache (``datasets/mnist.npz``)."""
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH, cache_dir=cache_dir)
    x_train, y_train, x_test, y_test = require_keys(load_npz(path), ("x_train", "y_train", "x_test", "y_test"), path)
    return (x_train, y_train), (x_test, y_test)
