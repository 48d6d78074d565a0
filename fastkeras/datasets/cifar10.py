"""CIFAR-10: 32x32 colour images in 10 classes, 50,000 for training and 10,000 for testing."""
import os

import numpy as np

from fastkeras.backend.config import image_data_format
from fastkeras.datasets.cifar import load_batch
from fastkeras.utils.data_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"  # sha256 of the archive
DIRNAME = "cifar-10-batches-py"  # the cache holds cifar-10-batches-py.tar.gz and the folder it unpacks to


def load_data(cache_dir=None):
    """``(x_train, y_train), (x_test, y_test)``: uint8 ``(50000, 32, 32, 3)`` images (``(50000, 3, 32, 32)``
    when ``image_data_format()`` is channels_first) and uint8 ``(50000, 1)`` labels; likewise 10000 for test.
    Classes: airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck."""
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(DIRNAME, origin=ORIGIN, untar=True, file_hash=FILE_HASH, cache_dir=cache_dir)
    batches = [load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([data for data, _ in batches]).astype("uint8")
    y_train = np.concatenate([np.asarray(labels, dtype="uint8") for _, labels in batches])
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.asarray(y_test, dtype="uint8").reshape(len(y_test), 1)
    if image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test.astype(x_train.dtype), y_test)
