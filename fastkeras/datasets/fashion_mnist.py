"""Fashion-MNIST: 28x28 uint8 images of 10 kinds of clothing, 60,000 for training and 10,000 for testing.

Keras keeps the four original IDX files, gzipped, in ``datasets/fashion-mnist/``.
"""
import gzip
import os

import numpy as np

from fastkeras.utils.data_utils import get_file

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")

# IDX headers: labels have 8 bytes (magic, count), images 16 (magic, count, rows, cols).
_LABELS_OFFSET, _IMAGES_OFFSET = 8, 16


def _read_gz(path):
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError) as e:
        raise ValueError(f"{path} is not a readable gzip file ({e}); delete it so that it is downloaded again.") \
            from e


def _labels_and_images(labels_path, images_path):
    labels = np.frombuffer(_read_gz(labels_path), np.uint8, offset=_LABELS_OFFSET)
    pixels = np.frombuffer(_read_gz(images_path), np.uint8, offset=_IMAGES_OFFSET)
    if pixels.size != len(labels) * 28 * 28:
        raise ValueError(f"{images_path} holds {pixels.size} pixels, but {labels_path} has {len(labels)} labels: "
                         f"expected {len(labels)} images of 28x28 = {len(labels) * 784} pixels.")
    return pixels.reshape(len(labels), 28, 28), labels


def load_data(cache_dir=None):
    """``(x_train, y_train), (x_test, y_test)``: uint8 ``(60000, 28, 28)``, ``(60000,)``, ``(10000, 28, 28)``,
    ``(10000,)``. Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
    7 Sneaker, 8 Bag, 9 Ankle boot."""
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    paths = [get_file(fname, origin=BASE + fname, cache_dir=cache_dir, cache_subdir=CACHE_SUBDIR) for fname in FILES]
    x_train, y_train = _labels_and_images(paths[0], paths[1])
    x_test, y_test = _labels_and_images(paths[2], paths[3])
    return (x_train, y_train), (x_test, y_test)
