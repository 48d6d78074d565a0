"""California housing (Keras 3's ``keras.datasets.california_housing``): 20,640 census block groups of 8
features (median income, house age, average rooms and bedrooms, population, average occupancy, latitude,
longitude) and the median house value in dollars; ``version='small'`` keeps the first 600 rows, a stand-in for
the retired Boston housing data."""
import numpy as np

from fastkeras.datasets._safe_files import load_npz, require_keys
from fastkeras.utils.data_utils import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
SMALL_SIZE = 600


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: the rows (all, or the first 600 for ``version='small'``) after a
    shuffle seeded with ``seed``; the last ``test_split`` of them are the test set. The file is read from (or
    downloaded into) ``$KERAS_HOME/datasets``, as Keras 3 keeps it."""
    if not 0 <= test_split < 1:
        raise ValueError(f"california_housing.load_data: `test_split` must be in [0, 1). "
                         f"Received: test_split={test_split}")
    if version not in ("small", "large"):
        raise ValueError(f"california_housing.load_data: `version` must be 'small' or 'large'. "
                         f"Received: version={version!r}")
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH)
    x, y = require_keys(load_npz(path), ("x", "y"), path)
    if version == "small":
        x, y = x[:SMALL_SIZE], y[:SMALL_SIZE]
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    split = int(len(x) * (1 - test_split))
    return (np.array(x[:split]), np.array(y[:split])), (np.array(x[split:]), np.array(y[split:]))
