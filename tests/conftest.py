import numpy as np
import pytest

import fastkeras
from fastkeras import backend as K


@pytest.fixture(autouse=True)
def fresh_session():
    """Every test starts with fresh layer-name counters and a fixed seed, and leaves no global dtype policy
    behind (one set explicitly, even 'float32', outranks floatx for every later layer, as in tf-keras)."""
    K.reset_uids()  # clear_session() without its gc.collect(), which costs ~0.4 s per test
    fastkeras.utils.set_random_seed(1234)
    yield
    fastkeras.mixed_precision.set_global_policy(None)


def to_np(x):
    return K.to_numpy(x)
