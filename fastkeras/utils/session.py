"""Keras 3's ``keras.utils.clear_session``."""
from fastkeras import backend as K


def clear_session(free_memory=True):
    """Resets what Keras 3 keeps globally: the counters behind automatic names (the next Dense is 'dense'
    again) and the global dtype policy (back to floatx, as Keras 3 forgets a ``set_dtype_policy`` here; Keras 2's
    ``backend.clear_session`` keeps it). ``free_memory=True`` also collects garbage and releases cached device
    memory; skip it in a loop that builds many small models."""
    from fastkeras.mixed_precision import policy
    K.clear_session(free_memory=free_memory)
    policy.set_global_policy(None)
