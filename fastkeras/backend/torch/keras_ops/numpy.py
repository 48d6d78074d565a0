"""keras.ops.numpy on PyTorch: NumPy's names and arguments, Keras 3's result dtypes."""
import builtins
import math as _math

import numpy as np
import torch

from fastkeras.backend.config import floatx
from fastkeras.backend.torch.core import default_device, standardize_dtype, torch_dtype
from fastkeras.backend.torch.keras_ops._common import (
    axes as _axes, int_reduce_dtype, is_int, operand, operands, tensor, to_float,
)

_FLOATX = lambda: torch_dtype(floatx())  # noqa: E731


def _dev():
    return default_device()


def _dt(dtype, default):
    return torch_dtype(dtype) if dtype is not None else default


# ---- elementwise arithmetic ---------------------------------------------------------------------------

def add(x1, x2):
    a, b = operands(x1, x2)
    return torch.add(a, b) if isinstance(a, torch.Tensor) else torch.add(b, a)


def subtract(x1, x2):
    a, b = operands(x1, x2)
    if a.dtype == torch.bool if isinstance(a, torch.Tensor) else False:
        a = a.to(torch.int32)
    return torch.subtract(a, b) if isinstance(a, torch.Tensor) else torch.subtract(tensor(a), b)


def multiply(x1, x2):
    a, b = operands(x1, x2)
    return torch.mul(a, b) if isinstance(a, torch.Tensor) else torch.mul(b, a)


def divide(x1, x2):
    a, b = operands(x1, x2)
    a = a if isinstance(a, torch.Tensor) else tensor(a)
    return torch.true_divide(a if not is_int(a) and a.dtype != torch.bool else to_float(a), b)


true_divide = divide


def divide_no_nan(x1, x2):
    a, b = operands(x1, x2)
    a = to_float(a if isinstance(a, torch.Tensor) else tensor(a))
    out = torch.true_divide(a, b)
    return torch.where(torch.as_tensor(b, device=out.device) == 0, torch.zeros((), dtype=out.dtype,
                                                                               device=out.device), out)


def floor_divide(x1, x2):
    """``x1 // x2``, a step function: its gradient is zero, as TensorFlow and JAX give it (torch has none and
    would refuse to train any model containing one)."""
    a, b = operands(x1, x2)
    a = a if isinstance(a, torch.Tensor) else tensor(a)
    return torch.floor_divide(a.detach(), b.detach() if isinstance(b, torch.Tensor) else b)


def mod(x1, x2):
    a, b = operands(x1, x2)
    return torch.remainder(a if isinstance(a, torch.Tensor) else tensor(a), b)


def fmod(x1, x2):
    a, b = operands(x1, x2)
    return torch.fmod(a if isinstance(a, torch.Tensor) else tensor(a), b)


def power(x1, x2):
    a, b = operands(x1, x2)
    return torch.pow(a, b)


def negative(x):
    return torch.negative(tensor(x))


def reciprocal(x):
    return torch.reciprocal(to_float(tensor(x)))


def square(x):
    x = tensor(x)
    return torch.square(x.to(torch.int32) if x.dtype == torch.bool else x)


def abs(x):  # noqa: A001 - NumPy name
    return torch.abs(tensor(x))


absolute = abs
fabs = abs


def sign(x):
    return torch.sign(tensor(x))


def signbit(x):
    return torch.signbit(tensor(x))


def _float_unary(fn):
    def op(x):
        return fn(to_float(tensor(x)))
    op.__name__ = fn.__name__
    return op


sqrt = _float_unary(torch.sqrt)
exp = _float_unary(torch.exp)
exp2 = _float_unary(torch.exp2)
expm1 = _float_unary(torch.expm1)
log = _float_unary(torch.log)
log2 = _float_unary(torch.log2)
log10 = _float_unary(torch.log10)
log1p = _float_unary(torch.log1p)
sin = _float_unary(torch.sin)
cos = _float_unary(torch.cos)
tan = _float_unary(torch.tan)
sinh = _float_unary(torch.sinh)
cosh = _float_unary(torch.cosh)
tanh = _float_unary(torch.tanh)
arcsin = _float_unary(torch.arcsin)
arccos = _float_unary(torch.arccos)
arctan = _float_unary(torch.arctan)
arcsinh = _float_unary(torch.arcsinh)
arccosh = _float_unary(torch.arccosh)
arctanh = _float_unary(torch.arctanh)
deg2rad = _float_unary(torch.deg2rad)
rad2deg = _float_unary(torch.rad2deg)
sinc = _float_unary(torch.sinc)
i0 = _float_unary(torch.i0)
for _f, _n in ((sqrt, "sqrt"), (exp, "exp"), (exp2, "exp2"), (expm1, "expm1"), (log, "log"), (log2, "log2"),
               (log10, "log10"), (log1p, "log1p"), (sin, "sin"), (cos, "cos"), (tan, "tan"), (sinh, "sinh"),
               (cosh, "cosh"), (tanh, "tanh"), (arcsin, "arcsin"), (arccos, "arccos"), (arctan, "arctan"),
               (arcsinh, "arcsinh"), (arccosh, "arccosh"), (arctanh, "arctanh"), (deg2rad, "deg2rad"),
               (rad2deg, "rad2deg"), (sinc, "sinc"), (i0, "i0")):
    _f.__name__ = _f.__qualname__ = _n


def cbrt(x):
    x = to_float(tensor(x))
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


def _float_pair(x1, x2):
    a, b = tensor(x1) if not isinstance(x1, (int, float)) else x1, x2
    a, b = operands(a, b)
    a = to_float(a) if isinstance(a, torch.Tensor) else a
    b = to_float(b) if isinstance(b, torch.Tensor) else b
    if not isinstance(a, torch.Tensor):
        a = torch.tensor(a, dtype=b.dtype, device=b.device)
    if not isinstance(b, torch.Tensor):
        b = torch.tensor(b, dtype=a.dtype, device=a.device)
    return a, b


def arctan2(x1, x2):
    return torch.atan2(*_float_pair(x1, x2))


def hypot(x1, x2):
    return torch.hypot(*_float_pair(x1, x2))


def logaddexp(x1, x2):
    return torch.logaddexp(*_float_pair(x1, x2))


def logaddexp2(x1, x2):
    return torch.logaddexp2(*_float_pair(x1, x2))


def nextafter(x1, x2):
    return torch.nextafter(*_float_pair(x1, x2))


def heaviside(x1, x2):
    a, b = operands(x1, x2)
    a = a if isinstance(a, torch.Tensor) else tensor(a)
    b = b if isinstance(b, torch.Tensor) else torch.tensor(b, dtype=a.dtype, device=a.device)
    a, b = to_float(a), to_float(b).to(to_float(a).dtype)
    return torch.heaviside(a, b)


def ldexp(x1, x2):
    a = to_float(tensor(x1))
    return torch.ldexp(a, tensor(x2))


def gcd(x1, x2):
    return torch.gcd(tensor(x1), tensor(x2))


def lcm(x1, x2):
    return torch.lcm(tensor(x1), tensor(x2))


def maximum(x1, x2):
    a, b = _tensor_pair(x1, x2)
    return torch.maximum(a, b)


def minimum(x1, x2):
    a, b = _tensor_pair(x1, x2)
    return torch.minimum(a, b)


def fmax(x1, x2):
    return torch.fmax(*_tensor_pair(x1, x2))


def fmin(x1, x2):
    return torch.fmin(*_tensor_pair(x1, x2))


def _tensor_pair(x1, x2):
    """Two tensors of the promoted dtype (a Python number takes the other operand's kind, as weak types do)."""
    a, b = operands(x1, x2)
    if not isinstance(a, torch.Tensor):
        a = torch.tensor(a, dtype=torch.result_type(b, a), device=b.device)
    if not isinstance(b, torch.Tensor):
        b = torch.tensor(b, dtype=torch.result_type(a, b), device=a.device)
    dtype = torch.promote_types(a.dtype, b.dtype)
    return a.to(dtype), b.to(dtype)


def clip(x, x_min, x_max):
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    lo = x_min if not isinstance(x_min, (np.ndarray, list)) else tensor(x_min)
    hi = x_max if not isinstance(x_max, (np.ndarray, list)) else tensor(x_max)
    return torch.clamp(x, lo, hi)


def round(x, decimals=0):  # noqa: A001
    x = tensor(x)
    if is_int(x):
        if decimals >= 0:
            return x
        f = 10 ** (-decimals)
        return (torch.round(x.double() / f) * f).to(x.dtype)
    return torch.round(x, decimals=decimals)


def floor(x):
    return torch.floor(to_float(tensor(x)))


def ceil(x):
    return torch.ceil(to_float(tensor(x)))


def trunc(x):
    x = tensor(x)
    return x if is_int(x) else torch.trunc(x)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return torch.nan_to_num(tensor(x), nan=nan, posinf=posinf, neginf=neginf)


def real(x):
    x = tensor(x)
    return torch.real(x) if x.is_complex() else x


def imag(x):
    x = tensor(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def conjugate(x):
    x = tensor(x)
    return torch.conj(x).resolve_conj() if x.is_complex() else x


conj = conjugate


def angle(x):
    x = tensor(x)
    return torch.angle(to_float(x))


def copy(x):
    return tensor(x).clone()


# ---- comparisons and logic ----------------------------------------------------------------------------

def _compare(fn):
    def op(x1, x2):
        a, b = operands(x1, x2)
        return fn(a, b) if isinstance(a, torch.Tensor) else fn(tensor(a), b)
    return op


equal = _compare(torch.eq)
not_equal = _compare(torch.ne)
less = _compare(torch.lt)
less_equal = _compare(torch.le)
greater = _compare(torch.gt)
greater_equal = _compare(torch.ge)
for _f, _n in ((equal, "equal"), (not_equal, "not_equal"), (less, "less"), (less_equal, "less_equal"),
               (greater, "greater"), (greater_equal, "greater_equal")):
    _f.__name__ = _f.__qualname__ = _n


def logical_and(x1, x2):
    return torch.logical_and(tensor(x1), tensor(x2))


def logical_or(x1, x2):
    return torch.logical_or(tensor(x1), tensor(x2))


def logical_xor(x1, x2):
    return torch.logical_xor(tensor(x1), tensor(x2))


def logical_not(x):
    return torch.logical_not(tensor(x))


def isnan(x):
    return torch.isnan(tensor(x))


def isinf(x):
    return torch.isinf(tensor(x))


def isfinite(x):
    return torch.isfinite(tensor(x))


def isposinf(x):
    return torch.isposinf(tensor(x))


def isneginf(x):
    return torch.isneginf(tensor(x))


def isreal(x):
    x = tensor(x)
    return torch.isreal(x)


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = _tensor_pair(x1, x2)
    return torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = _tensor_pair(x1, x2)
    return torch.tensor(torch.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), device=a.device)


def isin(x1, x2, assume_unique=False, invert=False):
    return torch.isin(tensor(x1), tensor(x2), assume_unique=assume_unique, invert=invert)


def bitwise_and(x, y):
    return torch.bitwise_and(*_tensor_pair(x, y))


def bitwise_or(x, y):
    return torch.bitwise_or(*_tensor_pair(x, y))


def bitwise_xor(x, y):
    return torch.bitwise_xor(*_tensor_pair(x, y))


def bitwise_invert(x):
    return torch.bitwise_not(tensor(x))


bitwise_not = bitwise_invert


def bitwise_left_shift(x, y):
    return torch.bitwise_left_shift(*_tensor_pair(x, y))


def bitwise_right_shift(x, y):
    return torch.bitwise_right_shift(*_tensor_pair(x, y))


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


# ---- reductions -----------------------------------------------------------------------------------

def _dims(x, axis):
    axis = _axes(axis)
    if axis is None:
        return tuple(range(x.dim()))
    return axis if isinstance(axis, tuple) else (axis,)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    x = tensor(x)
    dtype = int_reduce_dtype(x) if not x.dtype.is_floating_point and not x.is_complex() else None
    return torch.sum(x, dim=_dims(x, axis), keepdim=keepdims, dtype=dtype)


def prod(x, axis=None, keepdims=False, dtype=None):
    x = tensor(x)
    target = torch_dtype(dtype) if dtype is not None else (
        int_reduce_dtype(x) if not x.dtype.is_floating_point and not x.is_complex() else x.dtype)
    out = x.to(target)
    for d in sorted((d % x.dim() for d in _dims(x, axis)), reverse=True) if x.dim() else []:
        out = torch.prod(out, dim=d, keepdim=keepdims)
    return out.to(target)


def mean(x, axis=None, keepdims=False):
    x = to_float(tensor(x))
    return torch.mean(x, dim=_dims(x, axis), keepdim=keepdims)


def var(x, axis=None, keepdims=False):
    x = to_float(tensor(x))
    return torch.var(x, dim=_dims(x, axis), keepdim=keepdims, correction=0)


def std(x, axis=None, keepdims=False):
    x = to_float(tensor(x))
    return torch.std(x, dim=_dims(x, axis), keepdim=keepdims, correction=0)


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    x = tensor(x)
    out = torch.amax(x, dim=_dims(x, axis), keepdim=keepdims) if x.numel() or initial is None else \
        torch.full([1 if d in _dims(x, axis) else s for d, s in enumerate(x.shape)] if keepdims else
                   [s for d, s in enumerate(x.shape) if d not in _dims(x, axis)], initial, dtype=x.dtype,
                   device=x.device)
    return out if initial is None else torch.clamp(out, min=initial)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    x = tensor(x)
    out = torch.amin(x, dim=_dims(x, axis), keepdim=keepdims) if x.numel() or initial is None else \
        torch.full([1 if d in _dims(x, axis) else s for d, s in enumerate(x.shape)] if keepdims else
                   [s for d, s in enumerate(x.shape) if d not in _dims(x, axis)], initial, dtype=x.dtype,
                   device=x.device)
    return out if initial is None else torch.clamp(out, max=initial)


def amax(x, axis=None, keepdims=False):
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    return min(x, axis=axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims=False):
    return max(x, axis, keepdims) - min(x, axis, keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    x = tensor(x).bool()
    dims = _dims(x, axis)
    return torch.all(x, dim=dims, keepdim=keepdims) if dims else x.clone()


def any(x, axis=None, keepdims=False):  # noqa: A001
    x = tensor(x).bool()
    dims = _dims(x, axis)
    return torch.any(x, dim=dims, keepdim=keepdims) if dims else x.clone()


def count_nonzero(x, axis=None):
    x = tensor(x)
    return torch.count_nonzero(x, dim=_dims(x, axis)).to(torch.int32)


def _arg(fn, x, axis, keepdims):
    x = tensor(x)
    if axis is None:
        out = fn(x.reshape(-1), dim=0)
        if keepdims:
            out = out.reshape((1,) * x.dim())
    else:
        out = fn(x, dim=int(axis), keepdim=keepdims)
    return out.to(torch.int32)


def argmax(x, axis=None, keepdims=False):
    return _arg(torch.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg(torch.argmin, x, axis, keepdims)


def _nan_filled(x, value):
    x = tensor(x)
    return torch.where(torch.isnan(x), torch.as_tensor(value, dtype=x.dtype, device=x.device), x) \
        if x.dtype.is_floating_point else x


def nanargmax(x, axis=None, keepdims=False):
    return argmax(_nan_filled(x, -_math.inf), axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return argmin(_nan_filled(x, _math.inf), axis, keepdims)


def nansum(x, axis=None, keepdims=False):
    return sum(_nan_filled(x, 0), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    return prod(_nan_filled(x, 1), axis, keepdims)


def nanmax(x, axis=None, keepdims=False):
    x = tensor(x)
    out = max(_nan_filled(x, -_math.inf), axis, keepdims)
    return torch.where(all(isnan(x), axis, keepdims), torch.nan, out) if x.dtype.is_floating_point else out


def nanmin(x, axis=None, keepdims=False):
    x = tensor(x)
    out = min(_nan_filled(x, _math.inf), axis, keepdims)
    return torch.where(all(isnan(x), axis, keepdims), torch.nan, out) if x.dtype.is_floating_point else out


def nanmean(x, axis=None, keepdims=False):
    x = to_float(tensor(x))
    return torch.nanmean(x, dim=_dims(x, axis), keepdim=keepdims)


def nanvar(x, axis=None, keepdims=False):
    x = to_float(tensor(x))
    m = torch.nanmean(x, dim=_dims(x, axis), keepdim=True)
    return torch.nanmean(torch.square(x - m), dim=_dims(x, axis), keepdim=keepdims)


def nanstd(x, axis=None, keepdims=False):
    return torch.sqrt(nanvar(x, axis, keepdims))


def _cum(fn, x, axis, dtype):
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    target = torch_dtype(dtype) if dtype is not None else (
        int_reduce_dtype(x) if not x.dtype.is_floating_point and not x.is_complex() else x.dtype)
    return fn(x.to(target), dim=int(axis)).to(target)


def cumsum(x, axis=None, dtype=None):
    return _cum(torch.cumsum, x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    return _cum(torch.cumprod, x, axis, dtype)


def nancumsum(x, axis=None, dtype=None):
    return cumsum(_nan_filled(x, 0), axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return cumprod(_nan_filled(x, 1), axis, dtype)


def _quantile_dims(x, axis):
    if axis is None:
        return x.reshape(-1), 0, None
    dims = _dims(x, axis)
    if len(dims) == 1:
        return x, dims[0], None
    dims = tuple(d % x.dim() for d in dims)
    keep = [d for d in range(x.dim()) if d not in dims]
    moved = x.permute(keep + list(dims))
    return moved.reshape(moved.shape[:len(keep)] + (-1,)), len(keep), dims


def quantile(x, q, axis=None, method="linear", keepdims=False):
    x = to_float(tensor(x))
    qt = tensor(q).to(x.dtype)
    flat, dim, dims = _quantile_dims(x, axis)
    out = torch.quantile(flat, qt, dim=dim, interpolation=method)
    if keepdims:
        reduced = _dims(x, axis)
        for d in sorted(d % x.dim() for d in reduced):
            out = out.unsqueeze(d + (1 if qt.dim() else 0))
    return out


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return quantile(x, tensor(q) / 100.0, axis=axis, method=method, keepdims=keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    x = to_float(tensor(x))
    qt = tensor(q).to(x.dtype)
    flat, dim, _ = _quantile_dims(x, axis)
    out = torch.nanquantile(flat, qt, dim=dim, interpolation=method)
    if keepdims:
        for d in sorted(d % x.dim() for d in _dims(x, axis)):
            out = out.unsqueeze(d + (1 if qt.dim() else 0))
    return out


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return nanquantile(x, tensor(q) / 100.0, axis=axis, method=method, keepdims=keepdims)


def median(x, axis=None, keepdims=False):
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def nanmedian(x, axis=None, keepdims=False):
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


def average(x, axis=None, weights=None):
    x = to_float(tensor(x))
    if weights is None:
        return mean(x, axis)
    w = tensor(weights).to(x.dtype)
    if axis is not None and w.dim() == 1 and x.dim() > 1:
        shape = [1] * x.dim()
        shape[int(axis)] = -1
        w = w.reshape(shape)
    return torch.sum(x * w, dim=_dims(x, axis)) / torch.sum(w.expand_as(x), dim=_dims(x, axis))


# ---- linear algebra -------------------------------------------------------------------------------

def _matmul_pair(x1, x2):
    a, b = tensor(x1), tensor(x2)
    dtype = torch.promote_types(a.dtype, b.dtype)
    if dtype == torch.bool:
        dtype = torch.int32
    return a.to(dtype), b.to(dtype)


def matmul(x1, x2):
    a, b = _matmul_pair(x1, x2)
    if is_int(a) and a.device.type == "cuda":
        return torch.matmul(a.double(), b.double()).to(a.dtype)
    return torch.matmul(a, b)


def dot(x1, x2):
    a, b = _matmul_pair(x1, x2)
    if a.dim() == 0 or b.dim() == 0:
        return a * b
    if b.dim() == 1 or a.dim() == 1:
        return matmul(a, b)
    return torch.tensordot(a, b, dims=([-1], [b.dim() - 2]))


def vdot(x1, x2):
    a, b = _matmul_pair(x1, x2)
    return torch.sum(torch.conj(a.reshape(-1)) * b.reshape(-1)) if a.is_complex() else torch.sum(a.reshape(-1)
                                                                                                * b.reshape(-1))


def inner(x1, x2):
    a, b = _matmul_pair(x1, x2)
    if a.dim() == 0 or b.dim() == 0:
        return a * b
    return torch.inner(a, b)


def outer(x1, x2):
    a, b = _matmul_pair(x1, x2)
    return torch.outer(a.reshape(-1), b.reshape(-1))


def tensordot(x1, x2, axes=2):
    a, b = _matmul_pair(x1, x2)
    if isinstance(axes, (list, tuple)):
        axes = [list(ax) if isinstance(ax, (list, tuple)) else [ax] for ax in axes]
    return torch.tensordot(a, b, dims=axes)


def einsum(subscripts, *operands, **kwargs):
    ts = [tensor(o) for o in operands]
    dtype = ts[0].dtype
    for t in ts[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    out_dtype = dtype
    if dtype in (torch.int8, torch.int16, torch.uint8, torch.bool):
        out_dtype = torch.int32
    compute = dtype if dtype.is_floating_point or dtype.is_complex else torch.float64
    return torch.einsum(subscripts, *[t.to(compute) for t in ts]).to(out_dtype)


def kron(x1, x2):
    return torch.kron(*_matmul_pair(x1, x2))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    a, b = _matmul_pair(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = torch.movedim(a, axisa, -1), torch.movedim(b, axisb, -1)
    if a.shape[-1] == 2:
        a = torch.nn.functional.pad(a, (0, 1))
    if b.shape[-1] == 2:
        b = torch.nn.functional.pad(b, (0, 1))
    a, b = torch.broadcast_tensors(a, b)
    out = torch.linalg.cross(a, b, dim=-1)
    if x1.shape[-1] == 2 and x2.shape[-1] == 2 if hasattr(x1, "shape") and hasattr(x2, "shape") else False:
        return out[..., 2]
    return torch.movedim(out, -1, axisc)


def trace(x, offset=0, axis1=0, axis2=1):
    x = tensor(x)
    out = torch.diagonal(x, offset=offset, dim1=axis1, dim2=axis2).sum(-1)
    return out.to(int_reduce_dtype(x)) if not x.dtype.is_floating_point else out


def diagonal(x, offset=0, axis1=0, axis2=1):
    return torch.diagonal(tensor(x), offset=offset, dim1=axis1, dim2=axis2)


def diag(x, k=0):
    return torch.diag(tensor(x), diagonal=k)


def diagflat(x, k=0):
    return torch.diagflat(tensor(x), offset=k)


def slogdet(x):
    sign_, logabs = torch.linalg.slogdet(to_float(tensor(x)))
    return sign_, logabs


# ---- creation -------------------------------------------------------------------------------------

def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def zeros(shape, dtype=None):
    return torch.zeros(_shape(shape), dtype=_dt(dtype, _FLOATX()), device=_dev())


def ones(shape, dtype=None):
    return torch.ones(_shape(shape), dtype=_dt(dtype, _FLOATX()), device=_dev())


def empty(shape, dtype=None):
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    value = tensor(fill_value, dtype if dtype is not None else floatx())
    return torch.broadcast_to(value, _shape(shape)).clone()


def _like_dtype(x, dtype):
    return torch_dtype(dtype) if dtype is not None else x.dtype


def zeros_like(x, dtype=None):
    x = tensor(x)
    return torch.zeros_like(x, dtype=_like_dtype(x, dtype))


def ones_like(x, dtype=None):
    x = tensor(x)
    return torch.ones_like(x, dtype=_like_dtype(x, dtype))


def empty_like(x, dtype=None):
    return zeros_like(x, dtype)


def full_like(x, fill_value, dtype=None):
    x = tensor(x)
    target = _like_dtype(x, dtype)
    return torch.broadcast_to(tensor(fill_value, target), x.shape).clone()


def array(x, dtype=None):
    return tensor(x, dtype)


def _is_float_number(v):
    return isinstance(v, float) or (isinstance(v, torch.Tensor) and v.dtype.is_floating_point) or \
        isinstance(v, np.floating)


def arange(start, stop=None, step=None, dtype=None):
    if dtype is None:
        dtype = floatx() if builtins.any(_is_float_number(v) for v in (start, stop, step)) else "int32"
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    return torch.arange(start, stop, step, dtype=torch_dtype(dtype), device=_dev())


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    target = _dt(dtype, _FLOATX())
    start_t, stop_t = tensor(start).double(), tensor(stop).double()
    div = (num - 1) if endpoint else num
    step = (stop_t - start_t) / div if div > 0 else torch.zeros_like(start_t) * _math.nan
    steps = torch.arange(num, dtype=torch.float64, device=_dev()).reshape((-1,) + (1,) * start_t.dim())
    out = start_t + steps * step
    if endpoint and num > 1:
        out[-1] = stop_t
    out = torch.movedim(out, 0, axis) if out.dim() > 1 else out
    out = out.to(target) if target.is_floating_point else torch.floor(out).to(target)
    return (out, step.to(_FLOATX())) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    exps = linspace(start, stop, num, endpoint, dtype="float64", axis=axis)
    return torch.pow(torch.as_tensor(base, dtype=torch.float64, device=_dev()), exps).to(_dt(dtype, _FLOATX()))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    lo, hi = tensor(start).double(), tensor(stop).double()
    exps = linspace(torch.log(lo), torch.log(hi), num, endpoint, dtype="float64", axis=axis)
    return torch.exp(exps).to(_dt(dtype, _FLOATX()))


def eye(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    out = torch.ones(int(N), int(M), dtype=_dt(dtype, _FLOATX()), device=_dev())
    return torch.triu(torch.tril(out, k), k)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    return torch.tril(torch.ones(int(N), int(M), dtype=_dt(dtype, _FLOATX()), device=_dev()), k)


def tril(x, k=0):
    return torch.tril(tensor(x), k)


def triu(x, k=0):
    return torch.triu(tensor(x), k)


def meshgrid(*x, indexing="xy"):
    return list(torch.meshgrid(*[tensor(v) for v in x], indexing=indexing))


def vander(x, N=None, increasing=False):
    return torch.vander(tensor(x), N=N, increasing=increasing)


def _window(fn, x, **kwargs):
    n = int(x)
    return fn(n, periodic=False, dtype=_FLOATX(), device=_dev(), **kwargs)


def bartlett(x):
    return _window(torch.bartlett_window, x)


def blackman(x):
    return _window(torch.blackman_window, x)


def hamming(x):
    return _window(torch.hamming_window, x)


def hanning(x):
    return _window(torch.hann_window, x)


def kaiser(x, beta):
    return _window(torch.kaiser_window, x, beta=float(beta))


# ---- shapes ---------------------------------------------------------------------------------------

def reshape(x, newshape):
    if isinstance(newshape, (int, np.integer)):
        newshape = (int(newshape),)
    return torch.reshape(tensor(x), tuple(-1 if s is None else int(s) for s in newshape))


def ravel(x):
    return torch.reshape(tensor(x), (-1,))


def transpose(x, axes=None):
    x = tensor(x)
    if axes is None:
        return x.permute(*range(x.dim() - 1, -1, -1))
    return x.permute(*axes)


def moveaxis(x, source, destination):
    return torch.movedim(tensor(x), source, destination)


def swapaxes(x, axis1, axis2):
    return torch.swapaxes(tensor(x), axis1, axis2)


def expand_dims(x, axis):
    x = tensor(x)
    if isinstance(axis, (list, tuple)):
        ndim = x.dim() + len(axis)
        for a in sorted(a % ndim for a in axis):
            x = x.unsqueeze(a)
        return x
    return x.unsqueeze(axis)


def squeeze(x, axis=None):
    x = tensor(x)
    if axis is None:
        return x.squeeze()
    dims = axis if isinstance(axis, (list, tuple)) else (axis,)
    for d in dims:
        if x.shape[d] != 1:
            raise ValueError(f"Cannot squeeze axis {d} of shape {tuple(x.shape)}: its size is not 1.")
    return x.squeeze(tuple(dims))


def broadcast_to(x, shape):
    return torch.broadcast_to(tensor(x), _shape(shape))


def _cat_tensors(xs):
    ts = [tensor(x) for x in xs]
    dtype = ts[0].dtype
    for t in ts[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return [t.to(dtype) for t in ts]


def concatenate(xs, axis=0):
    ts = _cat_tensors(xs)
    if axis is None:
        return torch.cat([t.reshape(-1) for t in ts])
    return torch.cat(ts, dim=axis)


def append(x1, x2, axis=None):
    return concatenate([x1, x2], axis=axis)


def stack(x, axis=0):
    return torch.stack(_cat_tensors(x), dim=axis)


def hstack(xs):
    return torch.hstack(_cat_tensors(xs))


def vstack(xs):
    return torch.vstack(_cat_tensors(xs))


def dstack(xs):
    return torch.dstack(_cat_tensors(xs))


def _split_points(n, indices_or_sections):
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if n % k:
            raise ValueError(f"array split does not result in an equal division: {n} into {k} sections.")
        return [n // k] * k
    points = [0] + [int(i) for i in indices_or_sections] + [n]
    return [builtins.max(0, builtins.min(b, n) - builtins.min(a, n)) for a, b in zip(points[:-1], points[1:])]


def split(x, indices_or_sections, axis=0):
    x = tensor(x)
    return list(torch.split(x, _split_points(x.shape[axis], indices_or_sections), dim=axis))


def array_split(x, indices_or_sections, axis=0):
    x = tensor(x)
    if isinstance(indices_or_sections, (int, np.integer)):
        return list(torch.tensor_split(x, int(indices_or_sections), dim=axis))
    return split(x, indices_or_sections, axis)


def hsplit(x, indices_or_sections):
    x = tensor(x)
    return split(x, indices_or_sections, axis=1 if x.dim() > 1 else 0)


def vsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=2)


def tile(x, repeats):
    x = tensor(x)
    repeats = (int(repeats),) if isinstance(repeats, (int, np.integer)) else tuple(int(r) for r in repeats)
    return torch.tile(x, repeats)


def repeat(x, repeats, axis=None):
    x = tensor(x)
    if isinstance(repeats, (list, tuple, np.ndarray)):
        repeats = tensor(repeats)
    if axis is None:
        return torch.repeat_interleave(x.reshape(-1), repeats)
    return torch.repeat_interleave(x, repeats, dim=axis)


def flip(x, axis=None):
    x = tensor(x)
    dims = tuple(range(x.dim())) if axis is None else (tuple(axis) if isinstance(axis, (list, tuple)) else (axis,))
    return torch.flip(x, dims)


def fliplr(x):
    return flip(x, 1)


def flipud(x):
    return flip(x, 0)


def rot90(array, k=1, axes=(0, 1)):
    return torch.rot90(tensor(array), k, list(axes))


def roll(x, shift, axis=None):
    x = tensor(x)
    if axis is None:
        return torch.roll(x.reshape(-1), shift).reshape(x.shape)
    return torch.roll(x, shift, axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    x = tensor(x)
    width = np.broadcast_to(np.asarray(pad_width, dtype=np.int64).reshape(-1, 2) if np.ndim(pad_width) else
                            np.full((1, 2), int(pad_width)), (x.dim(), 2)) if np.ndim(pad_width) != 2 or \
        len(pad_width) != x.dim() else np.asarray(pad_width, dtype=np.int64)
    flat = []
    for before, after in width[::-1]:
        flat += [int(before), int(after)]
    if mode == "constant":
        value = 0 if constant_values is None else constant_values
        return torch.nn.functional.pad(x, flat, mode="constant", value=value)
    if constant_values is not None:
        raise ValueError("Argument `constant_values` can only be provided when `mode == 'constant'`.")
    torch_mode = {"reflect": "reflect", "symmetric": "symmetric", "edge": "replicate", "wrap": "circular"}[mode]
    # torch pads only the trailing dims of a batched tensor: pad every axis as a batch of one
    out = x
    for d in range(x.dim()):
        before, after = int(width[d][0]), int(width[d][1])
        if before == after == 0:
            continue
        moved = torch.movedim(out, d, -1)
        shape = moved.shape
        flat2 = moved.reshape(1, -1, shape[-1])
        flat2 = flat2 if flat2.dtype.is_floating_point else flat2.double()
        if torch_mode == "symmetric":
            left = flat2[..., :before].flip(-1)
            right = flat2[..., flat2.shape[-1] - after:].flip(-1)
            padded = torch.cat([left, flat2, right], dim=-1)
        else:
            padded = torch.nn.functional.pad(flat2, (before, after), mode=torch_mode)
        out = torch.movedim(padded.reshape(shape[:-1] + (padded.shape[-1],)).to(x.dtype), -1, d)
    return out


def size(x):
    return tensor(x).numel()


def ndim(x):
    return tensor(x).dim()


def view(x, dtype=None):
    x = tensor(x)
    return x if dtype is None else x.view(torch_dtype(dtype))


# ---- indexing, sorting, selection -----------------------------------------------------------------

def get_item(x, key):
    x = tensor(x)
    if isinstance(key, (list, np.ndarray)):
        key = tensor(key)
    if isinstance(key, torch.Tensor) and key.dtype != torch.bool:
        key = key.long()
    return x[key]


def take(x, indices, axis=None):
    x = tensor(x)
    idx = tensor(indices).long()
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = axis % x.dim()
    n = x.shape[axis]
    idx = torch.where(idx < 0, idx + n, idx)
    out = torch.index_select(x, axis, idx.reshape(-1))
    return out.reshape(x.shape[:axis] + idx.shape + x.shape[axis + 1:])


def take_along_axis(x, indices, axis=None):
    x = tensor(x)
    idx = tensor(indices).long()
    if axis is None:
        x, axis = x.reshape(-1), 0
    n = x.shape[axis]
    idx = torch.where(idx < 0, idx + n, idx)
    shape = list(torch.broadcast_shapes(tuple(s if d != axis % x.dim() else 1 for d, s in enumerate(x.shape)),
                                        tuple(s if d != axis % idx.dim() else 1 for d, s in enumerate(idx.shape))))
    xs = list(shape)
    xs[axis] = x.shape[axis]
    ids = list(shape)
    ids[axis] = idx.shape[axis]
    return torch.gather(x.expand(xs), axis, idx.expand(ids))


def sort(x, axis=-1):
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x, axis=-1):
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def argpartition(x, kth, axis=-1):
    return argsort(x, axis)


def searchsorted(sorted_sequence, values, side="left"):
    seq, vals = tensor(sorted_sequence), tensor(values)
    return torch.searchsorted(seq, vals.to(seq.dtype), right=(side == "right")).to(torch.int32)


def digitize(x, bins):
    x, b = tensor(x), tensor(bins)
    return torch.bucketize(x.to(b.dtype), b, right=True).to(torch.int32)


def where(condition, x1=None, x2=None):
    condition = tensor(condition).bool()
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("`x1` and `x2` either both should be `None` or both should have non-None value.")
    a, b = _tensor_pair(x1, x2)
    return torch.where(condition, a, b)


def select(condlist, choicelist, default=0):
    conds = [tensor(c).bool() for c in condlist]
    choices = _cat_tensors(choicelist)
    out = torch.broadcast_to(tensor(default, choices[0].dtype), torch.broadcast_shapes(
        *[c.shape for c in conds], *[c.shape for c in choices]))
    for c, v in zip(reversed(conds), reversed(choices)):
        out = torch.where(c, v, out)
    return out


def nonzero(x):
    return tuple(t.to(torch.int32) for t in torch.nonzero(tensor(x), as_tuple=True))


def unravel_index(indices, shape):
    idx = tensor(indices).long()
    out = torch.unravel_index(idx, tuple(int(s) for s in shape))
    return tuple(t.to(tensor(indices).dtype) for t in out)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False, axis=None, size=None,
           fill_value=None):
    arr = tensor(x)
    values, inverse, counts = torch.unique(arr, sorted=True, return_inverse=True, return_counts=True, dim=axis)
    outputs = [values]
    if return_index:
        flat_inv = inverse.reshape(-1)
        first = torch.full((values.shape[0] if axis is not None else values.numel(),), flat_inv.numel(),
                           dtype=torch.long, device=arr.device)
        first = first.scatter_reduce(0, flat_inv, torch.arange(flat_inv.numel(), device=arr.device), "amin")
        outputs.append(first.to(torch.int32))
    if return_inverse:
        outputs.append(inverse.to(torch.int32))
    if return_counts:
        outputs.append(counts.to(torch.int32))
    if size is not None:
        n = outputs[0].shape[0]
        fill = fill_value if fill_value is not None else (values.reshape(-1)[0] if values.numel() else 0)
        if n < size:
            outputs[0] = torch.cat([values, torch.full((size - n,) + tuple(values.shape[1:]), fill,
                                                       dtype=values.dtype, device=values.device)])
        else:
            outputs[0] = values[:size]
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def bincount(x, weights=None, minlength=0, sparse=False):
    x = tensor(x).long()
    if x.dim() == 2:
        return torch.stack([bincount(row, None if weights is None else tensor(weights)[i], minlength)
                            for i, row in enumerate(x)])
    w = None if weights is None else tensor(weights)
    out = torch.bincount(x, weights=w, minlength=minlength)
    return out.to(torch.int32) if w is None else out.to(w.dtype if w.dtype.is_floating_point else torch.int32)


def histogram(x, bins=10, range=None):  # noqa: A002
    x = to_float(tensor(x))
    lo, hi = (float(x.min()), float(x.max())) if range is None else range
    counts = torch.histc(x.float(), bins=bins, min=lo, max=hi).to(torch.int32)
    edges = torch.linspace(lo, hi, bins + 1, dtype=x.dtype, device=x.device)
    return counts, edges


def diff(a, n=1, axis=-1):
    return torch.diff(tensor(a), n=n, dim=axis)


def correlate(x1, x2, mode="valid"):
    a, b = _matmul_pair(x1, x2)
    a, b = to_float(a), to_float(b).to(to_float(a).dtype)
    n, m = a.shape[0], b.shape[0]
    if mode == "valid":
        padding = 0
    elif mode == "same":
        padding = (m - 1) // 2 if m % 2 else m // 2
    elif mode == "full":
        padding = m - 1
    else:
        raise ValueError(f"Invalid mode {mode!r}: expected 'valid', 'same' or 'full'.")
    if mode == "same":
        left, right = m // 2, m - 1 - m // 2
        src = torch.nn.functional.pad(a, (left, right))
        out = torch.nn.functional.conv1d(src.reshape(1, 1, -1), b.reshape(1, 1, -1)).reshape(-1)
        return out[:builtins.max(n, m)]
    src = torch.nn.functional.pad(a, (padding, padding))
    return torch.nn.functional.conv1d(src.reshape(1, 1, -1), b.reshape(1, 1, -1)).reshape(-1)


def corrcoef(x):
    return torch.corrcoef(to_float(tensor(x)))


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = to_float(tensor(y))
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    return torch.trapezoid(y, tensor(x).to(y.dtype), dim=axis)


def vectorize(pyfunc, *, excluded=None, signature=None):
    def vectorized(*args):
        return torch.vmap(pyfunc)(*[tensor(a) for a in args])
    return vectorized


__all__ = sorted(n for n, v in list(globals().items()) if callable(v) and not n.startswith("_") and
                 getattr(v, "__module__", None) == __name__ and n not in ("operand", "operands", "tensor",
                                                                         "to_float", "is_int",
                                                                         "int_reduce_dtype"))
__all__ += ["absolute", "fabs", "true_divide", "conj", "bitwise_not", "left_shift", "right_shift"]
__all__ = sorted(set(__all__))
del _f, _n
_ = (operand, standardize_dtype)
