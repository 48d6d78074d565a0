"""Seeding every random source a Keras program touches."""
import random

import numpy as np

from fastkeras import backend as K


def set_random_seed(seed):
    """Seeds Python's ``random``, numpy and the engine, so a run can be repeated exactly."""
    if not isinstance(seed, int):
        raise ValueError(f"set_random_seed expects an integer seed, received {type(seed).__name__}: {seed!r}.")
    random.seed(seed)
    np.random.seed(seed)
    K.set_seed(seed)
