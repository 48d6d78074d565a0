"""``keras.config``: Keras 3's home for global settings, over the same state as the Keras 2 functions it mirrors
(``backend.floatx``/``set_floatx``, ``mixed_precision.set_global_policy``, ``utils.enable_interactive_logging``
...), so code written for either finds them.

``max_epochs``/``max_steps_per_epoch`` cap every ``fit`` (a debugging aid, as in Keras 3);
``enable_unsafe_deserialization`` lets configs outside ``load_model`` (which keeps its own ``safe_mode``) hold a
``Lambda``'s bytecode. Traceback filtering and flash attention are flags only: fastkeras does not filter
tracebacks, and its attention runs through torch's scaled-dot-product kernel, which picks its own
implementation.
"""
from fastkeras import backend as _backend
from fastkeras.utils.io_utils import (  # noqa: F401
    disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled)

_STATE = {"traceback_filtering": True, "flash_attention": None, "max_epochs": None, "max_steps_per_epoch": None}


def backend():
    """The engine's name: 'torch'."""
    return _backend.backend()


def set_backend(backend):
    """Only the PyTorch engine exists so far; any other name is refused."""
    if backend != _backend.backend():
        raise ValueError(f"fastkeras runs on PyTorch only so far; cannot switch to backend={backend!r}.")


floatx, set_floatx = _backend.floatx, _backend.set_floatx
epsilon, set_epsilon = _backend.epsilon, _backend.set_epsilon
image_data_format, set_image_data_format = _backend.image_data_format, _backend.set_image_data_format


def dtype_policy():
    """The global dtype policy (``mixed_precision.global_policy()``) as a Keras 3 ``DTypePolicy``."""
    from fastkeras.mixed_precision import policy
    return policy.dtype_policy()


def set_dtype_policy(policy):
    """Sets the global dtype policy: a name ('float32', 'mixed_float16', 'mixed_bfloat16', ...) or a policy."""
    from fastkeras.mixed_precision import policy as policies
    policies.set_dtype_policy(policy)


def enable_unsafe_deserialization():
    """Let configs read outside ``load_model`` rebuild ``Lambda`` layers from stored Python bytecode. Only for
    files you trust: running that bytecode can do anything."""
    from fastkeras.saving import safety
    safety.set_default_safe_mode(False)


def enable_traceback_filtering():
    _STATE["traceback_filtering"] = True


def disable_traceback_filtering():
    _STATE["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    return _STATE["traceback_filtering"]


def enable_flash_attention():
    _STATE["flash_attention"] = True


def disable_flash_attention():
    _STATE["flash_attention"] = False


def is_flash_attention_enabled():
    """None until set: the kernel chooses."""
    return _STATE["flash_attention"]


def is_nnx_enabled():
    """Flax NNX is a JAX feature: never on the PyTorch engine."""
    return False


def _check_cap(value, what):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"`{what}` must be a positive integer or None, received {value!r}.")
    return value


def max_epochs():
    return _STATE["max_epochs"]


def set_max_epochs(max_epochs):
    """Caps the epochs of every ``fit`` (None: no cap)."""
    _STATE["max_epochs"] = _check_cap(max_epochs, "max_epochs")


def max_steps_per_epoch():
    return _STATE["max_steps_per_epoch"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Caps the steps of every ``fit`` epoch (None: no cap)."""
    _STATE["max_steps_per_epoch"] = _check_cap(max_steps_per_epoch, "max_steps_per_epoch")
