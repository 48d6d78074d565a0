"""Builds each ``fastkeras.ops`` group from the engine's implementation, making every op symbolic-aware.

Called on KerasTensors, an op records a TFOpLambda node whose config names it ``ops.<group>.<name>`` (Keras 3's
module path); ``OPS`` maps those paths back to the functions, the only table a config is resolved through.
"""
import functools
import importlib

from fastkeras import backend as K
from fastkeras.engine.keras_tensor import KerasTensor

OPS = {}

# Ops that take callables (unserializable in a graph), answer about a symbolic tensor, or read values: they
# never become graph nodes.
_NOT_RECORDED = {"cond", "switch", "fori_loop", "while_loop", "vectorized_map", "map", "scan", "associative_scan",
                 "custom_gradient", "vectorize", "jvp", "convert_to_numpy", "convert_to_tensor", "shape", "dtype",
                 "is_tensor", "ndim", "size"}


def _is_symbolic(value):
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, KerasTensor) or isinstance(item, (list, tuple)) and _is_symbolic(item):
                return True
    return False


def _symbolic_aware(fn, path):
    @functools.wraps(fn)
    def op(*args, **kwargs):
        for value in args:
            if _is_symbolic(value):
                return K.ENGINE_HOOKS["call_symbolic"](op, args, kwargs)
        for value in kwargs.values():
            if _is_symbolic(value):
                return K.ENGINE_HOOKS["call_symbolic"](op, args, kwargs)
        return fn(*args, **kwargs)
    op._keras_op_path = path
    return op


def _about_symbolic(fn, name):
    """``shape``, ``dtype``, ``ndim``, ``convert_to_tensor`` ... also answer for a KerasTensor, as in Keras 3."""
    answers = {
        "shape": lambda x: tuple(x.shape), "dtype": lambda x: x.dtype, "ndim": lambda x: len(x.shape),
        "is_tensor": lambda x: False, "convert_to_tensor": None,
    }
    if name not in answers:
        return fn

    @functools.wraps(fn)
    def op(x, *args, **kwargs):
        if isinstance(x, KerasTensor):
            if name == "convert_to_tensor":
                dtype = kwargs.get("dtype", args[0] if args else None)
                return x if dtype is None else OPS["ops.core.cast"](x, dtype)
            return answers[name](x)
        return fn(x, *args, **kwargs)
    return op


def export(namespace, group):
    """Fills a group module's namespace (``fastkeras.ops.numpy`` ...) and returns its public names."""
    impl = importlib.import_module(f"{K.engine.__name__}.keras_ops.{group}")
    names = list(impl.__all__)
    for name in names:
        fn = getattr(impl, name)
        if isinstance(fn, type) or name in _NOT_RECORDED:
            namespace[name] = _about_symbolic(fn, name)
            continue
        op = _symbolic_aware(fn, f"ops.{group}.{name}")
        namespace[name] = op
        OPS[op._keras_op_path] = op
    return names


def resolve_op(path):
    """The op a config's ``function`` path names (``ops.numpy.concatenate``), from the table only."""
    group = path.split(".")[1] if path.count(".") == 2 else None
    if group in ("core", "numpy", "nn", "math", "linalg", "image", "einops"):
        importlib.import_module(f"fastkeras.ops.{group}")
    fn = OPS.get(path)
    if fn is None:
        raise ValueError(f"Unknown op {path!r}: expected a keras.ops function path such as "
                         "'ops.numpy.concatenate'.")
    return fn
