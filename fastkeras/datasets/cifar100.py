"""CIFAR-100: 32x32 colour images in 100 fine classes (20 coarse superclasses), 50,000 train / 10,000 test."""
import os

import numpy as np

from fastkeras.backend.config import image_data_format
from fastkeras.datasets.cifar import load_batch
from fastkeras.utils.data_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"  # sha256 of the archive
DIRNAME = "cifar-100-python"


def load_data(label_mode="fine", cache_dir=None):
    """``(x_train, y_train), (x_test, y_test)``: uint8 ``(50000, 32, 32, 3)`` images (channels_first:
    ``(50000, 3, 32, 32)``) and int64 ``(50000, 1)`` labels, the 100 fine classes or, with
    ``label_mode="coarse"``, the 20 superclasses."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.')
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(DIRNAME, origin=ORIGIN, untar=True, file_hash=FILE_HASH, cache_dir=cache_dir)
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=label_mode + "_labels")
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=label_mode + "_labels")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
