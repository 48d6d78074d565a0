"""The engine interface: configuration plus the Keras 2 ``K`` function set.

Everything a layer computes goes through these functions, so that a second
engine (JAX) can be added as ``fastkeras/backend/jax/`` exposing the same
names. The engine is chosen once, at import, from ``FASTKERAS_BACKEND`` or
``~/.fastkeras/fastkeras.json`` (default ``torch``).
"""
import builtins
import functools
import importlib

from fastkeras.backend.common import (  # noqa: F401
    ENGINE_HOOKS, get_uid, register_engine_hooks, reset_uids, to_snake_case, unique_object_name,
)
from fastkeras.backend.config import (  # noqa: F401
    backend, epsilon, floatx, image_data_format, image_dim_ordering, normalize_data_format,
    set_epsilon, set_floatx, set_image_data_format, set_image_dim_ordering,
)
# Keras 3's keras.backend dtype helpers (engine-independent; standardize_dtype below stays the engine's own).
from fastkeras.backend.dtypes import is_float_dtype, is_int_dtype, result_type  # noqa: F401

_BACKEND = backend()  # Keras 2's keras.backend._BACKEND: the engine's name, which Keras 2 code compares

# Engine name -> module implementing the K functions.
ENGINES = {"torch": "fastkeras.backend.torch"}


def _load_engine(name):
    if name not in ENGINES:
        raise ValueError(
            f"Unknown backend engine {name!r} (set by FASTKERAS_BACKEND or ~/.fastkeras/fastkeras.json). "
            f"Available engines: {', '.join(sorted(ENGINES))}.")
    return importlib.import_module(ENGINES[name])


def _holds_symbolic(structure, depth=0):
    is_symbolic = ENGINE_HOOKS.get("is_symbolic")
    if is_symbolic is None or depth > 3:
        return False
    if is_symbolic(structure):  # before the tuple test: K.shape of a symbolic tensor is a tuple
        return True
    if isinstance(structure, (list, tuple)):
        # builtins.any: this module's `any` becomes K.any below
        return builtins.any(_holds_symbolic(item, depth + 1) for item in structure)
    if isinstance(structure, dict):
        return builtins.any(_holds_symbolic(item, depth + 1) for item in structure.values())
    return is_symbolic(structure)


def _symbolic_aware(fn):
    """``fn`` as a K function that also accepts symbolic tensors (``K.sum(Input(...))``).

    Engine tensors take the direct path; only when ``fn`` fails and a symbolic tensor is among the arguments
    does the call become a layer of the graph (like Keras 2's op layers), so the hot path pays one frame.
    """
    @functools.wraps(fn)
    def k_function(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            if _holds_symbolic(args) or _holds_symbolic(kwargs):
                return ENGINE_HOOKS["call_symbolic"](fn, args, kwargs)
            raise
    return k_function


# The Keras 2 function set lives in these engine modules; the others (optimizer kernels, fused layer kernels)
# are internal hot paths that never see symbolic tensors, so they stay unwrapped.
_KERAS_API_MODULES = ("core", "ops", "random")
_KERAS_API_NAMES = {"batch_normalization", "normalize_batch_in_training", "moments", "rnn"}

# Functions that must see a symbolic tensor as it is (they answer about it, create one, or read values), and
# internal ones.
_NOT_DISPATCHED = {
    "convert_to_tensor", "dense", "meta_tensor", "default_device", "set_default_device", "device_scope", "torch_dtype",
    "standardize_dtype", "is_keras_tensor", "is_tensor", "is_variable", "int_shape", "ndim", "dtype", "shape",
    "placeholder", "function", "is_sparse", "in_train_phase", "in_test_phase", "name_scope", "learning_phase",
    "set_learning_phase", "learning_phase_scope", "count_params", "fake_tensor_scope", "real_tensor_scope",
    "probe_tensor_scope", "probe_tensor",
    "no_grad", "to_numpy", "get_value", "eval", "batch_get_value", "set_value", "batch_set_value", "gradients",
    "is_shape_only",
}


def _dispatches(name, fn):
    if name in _NOT_DISPATCHED or not callable(fn) or isinstance(fn, type):
        return False
    module = getattr(fn, "__module__", "") or ""
    return name in _KERAS_API_NAMES or module.rsplit(".", 1)[-1] in _KERAS_API_MODULES


engine = _load_engine(backend())
globals().update({name: (_symbolic_aware(getattr(engine, name)) if _dispatches(name, getattr(engine, name))
                         else getattr(engine, name))
                  for name in engine.__all__})
