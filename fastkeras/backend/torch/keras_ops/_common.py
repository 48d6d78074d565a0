"""Conversion and dtype helpers shared by the Keras 3 op modules."""
import builtins

import numpy as np
import torch

from fastkeras.backend.config import floatx
from fastkeras.backend.torch.core import DTYPES, default_device, standardize_dtype, torch_dtype

INT_DTYPES = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)


def tensor(x, dtype=None):
    """A torch tensor on the engine's device: Python floats become floatx and Python ints int32 (Keras 3)."""
    if isinstance(x, torch.Tensor):
        if dtype is not None and x.dtype != torch_dtype(dtype):
            x = x.to(torch_dtype(dtype))
        if x.device != default_device() and x.device.type != "meta" and type(x).__name__ != "FakeTensor":
            x = x.to(default_device())
        return x
    if dtype is not None:
        dtype = torch_dtype(dtype)
    if isinstance(x, (list, tuple)) and builtins.any(isinstance(v, torch.Tensor) for v in _leaves(x)):
        out = torch.stack([tensor(v) for v in x])
        return out if dtype is None else out.to(dtype)
    if dtype is None:
        arr = np.asarray(x)
        if arr.dtype == np.float64 or arr.dtype == np.float16 and floatx() != "float16":
            dtype = torch_dtype(floatx())
        elif arr.dtype == np.int64 and not isinstance(x, np.ndarray) and not isinstance(x, np.integer):
            dtype = torch.int32  # Python ints: Keras 3 makes them int32
        elif arr.dtype.kind not in "biufc":
            raise TypeError(f"Cannot convert {x!r} (dtype {arr.dtype}) to a tensor: expected numbers.")
        elif arr.dtype.kind == "u" and arr.dtype != np.uint8:
            dtype = torch.int64
        return torch.as_tensor(arr, dtype=dtype, device=default_device())
    return torch.as_tensor(np.asarray(x), dtype=dtype, device=default_device())


def _leaves(x):
    for v in x:
        if isinstance(v, (list, tuple)):
            yield from _leaves(v)
        else:
            yield v


def operand(x, like=None):
    """Python numbers stay numbers (torch treats them as weakly typed, as Keras 3 does); the rest become tensors."""
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        return x
    return tensor(x)


def operands(x1, x2):
    """Both operands of a binary op; at least one is a tensor."""
    a, b = operand(x1), operand(x2)
    if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
        a = tensor(a)
    return a, b


def is_int(t):
    return t.dtype in INT_DTYPES


def is_float(t):
    return t.dtype.is_floating_point


def to_float(t):
    """Integers and bools become floatx (Keras 3's result for float-valued ops on integers)."""
    return t if t.dtype.is_floating_point or t.dtype.is_complex else t.to(torch_dtype(floatx()))


def int_reduce_dtype(t):
    """Keras 3's result dtype for sums and products of integers: bool and narrow ints widen to int32."""
    if t.dtype in (torch.bool, torch.int8, torch.int16, torch.uint8):
        return torch.int32
    return t.dtype


def axes(axis, ndim=None):
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


def new(fn, *args, dtype=None, **kwargs):
    return fn(*args, dtype=dtype, device=default_device(), **kwargs)


def dtype_or_floatx(dtype):
    return torch_dtype(dtype if dtype is not None else floatx())


def name(dtype):
    return standardize_dtype(dtype)


__all__ = []
_ = DTYPES
