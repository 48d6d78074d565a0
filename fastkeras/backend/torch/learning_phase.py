"""The learning phase (0 = test, 1 = train) and clear_session."""
import contextlib
import gc

import torch

from fastkeras.backend.common import reset_uids

_LEARNING_PHASE = 0


def learning_phase():
    return _LEARNING_PHASE


def set_learning_phase(value):
    global _LEARNING_PHASE
    if value not in (0, 1):
        raise ValueError(f"Expected learning phase to be 0 or 1, got {value!r}.")
    _LEARNING_PHASE = value


@contextlib.contextmanager
def learning_phase_scope(value):
    """Within, ``learning_phase()`` is ``value`` (0 or 1); the previous phase comes back on exit."""
    global _LEARNING_PHASE
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    previous, _LEARNING_PHASE = _LEARNING_PHASE, value
    try:
        yield value
    finally:
        _LEARNING_PHASE = previous


def in_train_phase(x, alt, training=None):
    if training is None:
        training = _LEARNING_PHASE
    chosen = x if training else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


def clear_session(free_memory=True):
    """Forgets layer-name counters and, unless ``free_memory=False`` (Keras 3's switch for tight loops, where a
    garbage collection each time costs more than it frees), collects garbage and releases cached device memory."""
    reset_uids()
    if free_memory:
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
