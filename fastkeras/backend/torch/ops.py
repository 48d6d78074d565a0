"""The Keras 2 tensor functions (``K.dot``, ``K.mean`` ...) on PyTorch.

Semantics follow Keras 2's TensorFlow backend: ``axis`` may be an int, a list
or None; ``keepdims`` defaults to False; integer inputs are accepted where
TensorFlow accepts them.
"""
import numpy as np
import torch
import torch.nn.functional as F

from fastkeras.backend.config import epsilon
from fastkeras.backend.torch.core import convert_to_tensor, torch_dtype

_t = convert_to_tensor


def _axes(axis):
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


# ---- linear algebra ---------------------------------------------------------

def dot(x, y):
    """Keras 2 ``K.dot``: for nD @ nD, contracts x's last axis with y's second-to-last."""
    x, y = _t(x), _t(y)
    if y.dim() <= 2:
        return torch.matmul(x, y)
    # (..., k) . (..., k, n): TF reshapes y to (k, rest) after moving axis -2 first.
    y_perm = list(range(y.dim()))
    y_perm = [y_perm[-2]] + y_perm[:-2] + [y_perm[-1]]
    y2 = y.permute(*y_perm).reshape(y.shape[-2], -1)
    out = torch.matmul(x.reshape(-1, x.shape[-1]), y2)
    return out.reshape(*x.shape[:-1], *y.shape[:-2], y.shape[-1])


def batch_dot(x, y, axes=None):
    """Keras 2 ``K.batch_dot``: a dot product per sample over ``axes``."""
    x, y = _t(x), _t(y)
    x_ndim, y_ndim = x.dim(), y.dim()
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(f"batch_dot requires inputs of rank >= 2, got shapes {tuple(x.shape)} and {tuple(y.shape)}.")
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (x_ndim - 1, y_ndim - 2 if y_ndim > 2 else y_ndim - 1)
    a0, a1 = [a % n for a, n in zip(axes, (x_ndim, y_ndim))]
    if a0 == 0 or a1 == 0:
        raise ValueError("batch_dot cannot contract the batch axis 0.")
    x_free = [i for i in range(1, x_ndim) if i != a0]
    y_free = [i for i in range(1, y_ndim) if i != a1]
    xs = x.permute(0, *x_free, a0).reshape(x.shape[0], -1, x.shape[a0])
    ys = y.permute(0, a1, *y_free).reshape(y.shape[0], y.shape[a1], -1)
    out = torch.bmm(xs, ys)
    out_shape = [x.shape[0]] + [x.shape[i] for i in x_free] + [y.shape[i] for i in y_free]
    out = out.reshape(out_shape)
    if out.dim() == 1:
        out = out.unsqueeze(1)
    return out


def transpose(x):
    x = _t(x)
    return x.permute(*reversed(range(x.dim())))


def matmul(x, y):
    return torch.matmul(_t(x), _t(y))


def bias_add(x, bias, data_format=None):
    x = _t(x)
    if data_format == "channels_first" and x.dim() > 2:
        return x + bias.reshape((1, -1) + (1,) * (x.dim() - 2))
    return x + bias


def dense(x, kernel, bias=None):
    """x @ kernel + bias, with one fused kernel call where possible."""
    if x.dim() == 2:
        if bias is None:
            return torch.mm(x, kernel)
        return torch.addmm(bias, x, kernel)
    out = torch.matmul(x, kernel)
    return out if bias is None else out + bias


# ---- reductions -------------------------------------------------------------

def _reduce(fn, x, axis, keepdims):
    x = _t(x)
    axis = _axes(axis)
    if axis is None:
        out = fn(x)
        return out.reshape((1,) * x.dim()) if keepdims else out
    return fn(x, dim=axis, keepdim=keepdims)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras name
    return _reduce(torch.sum, x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    x = _t(x)
    axis = _axes(axis)
    if axis is None:
        out = torch.prod(x)
        return out.reshape((1,) * x.dim()) if keepdims else out
    for a in sorted(axis if isinstance(axis, tuple) else (axis,), key=lambda a: a % x.dim(), reverse=True):
        x = torch.prod(x, dim=a, keepdim=keepdims)
    return x


def mean(x, axis=None, keepdims=False):
    x = _t(x)
    if not x.is_floating_point():
        x = x.to(torch_dtype(None))
    return _reduce(torch.mean, x, axis, keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(torch.amax, x, axis, keepdims) if axis is not None else _reduce(torch.max, x, None, keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(torch.amin, x, axis, keepdims) if axis is not None else _reduce(torch.min, x, None, keepdims)


def var(x, axis=None, keepdims=False):
    x = _t(x)
    axis = _axes(axis)
    out = torch.var(x, dim=axis, unbiased=False, keepdim=keepdims)
    return out.reshape((1,) * x.dim()) if keepdims and axis is None else out


def std(x, axis=None, keepdims=False):
    return torch.sqrt(var(x, axis, keepdims))


def any(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x).bool()
    axis = _axes(axis)
    if axis is None:
        out = torch.any(x)
        return out.reshape((1,) * x.dim()) if keepdims else out
    return torch.any(x, dim=axis, keepdim=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    x = _t(x).bool()
    axis = _axes(axis)
    if axis is None:
        out = torch.all(x)
        return out.reshape((1,) * x.dim()) if keepdims else out
    return torch.all(x, dim=axis, keepdim=keepdims)


def argmax(x, axis=-1):
    return torch.argmax(_t(x), dim=axis)


def argmin(x, axis=-1):
    return torch.argmin(_t(x), dim=axis)


def logsumexp(x, axis=None, keepdims=False):
    x = _t(x)
    axis = _axes(axis)
    if axis is None:
        axis = tuple(range(x.dim()))
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


def cumsum(x, axis=0):
    return torch.cumsum(_t(x), dim=axis)


def cumprod(x, axis=0):
    return torch.cumprod(_t(x), dim=axis)


# ---- elementwise ------------------------------------------------------------

def square(x):
    return torch.square(_t(x))


def abs(x):  # noqa: A001
    return torch.abs(_t(x))


def sqrt(x):
    x = _t(x)
    return torch.sqrt(torch.clamp(x, min=0.0))


def exp(x):
    return torch.exp(_t(x))


def log(x):
    return torch.log(_t(x))


def round(x):  # noqa: A001
    return torch.round(_t(x))


def sign(x):
    return torch.sign(_t(x))


def pow(x, a):  # noqa: A001
    return torch.pow(_t(x), a)


def clip(x, min_value=None, max_value=None):
    if min_value is not None and max_value is not None and max_value < min_value:
        max_value = min_value
    return torch.clamp(_t(x), min=min_value, max=max_value)


def equal(x, y):
    return torch.eq(_t(x), y if isinstance(y, (int, float)) else _t(y))


def not_equal(x, y):
    return torch.ne(_t(x), y if isinstance(y, (int, float)) else _t(y))


def greater(x, y):
    return torch.gt(_t(x), y if isinstance(y, (int, float)) else _t(y))


def greater_equal(x, y):
    return torch.ge(_t(x), y if isinstance(y, (int, float)) else _t(y))


def less(x, y):
    return torch.lt(_t(x), y if isinstance(y, (int, float)) else _t(y))


def less_equal(x, y):
    return torch.le(_t(x), y if isinstance(y, (int, float)) else _t(y))


def maximum(x, y):
    x = _t(x)
    return torch.maximum(x, _t(y).to(x.dtype)) if not isinstance(y, (int, float)) else torch.clamp(x, min=y)


def minimum(x, y):
    x = _t(x)
    return torch.minimum(x, _t(y).to(x.dtype)) if not isinstance(y, (int, float)) else torch.clamp(x, max=y)


def sin(x):
    return torch.sin(_t(x))


def cos(x):
    return torch.cos(_t(x))


def l2_normalize(x, axis=None):
    x = _t(x)
    axis = _axes(axis)
    if axis is None:
        axis = tuple(range(x.dim()))
    square_sum = torch.sum(x * x, dim=axis, keepdim=True)
    return x * torch.rsqrt(torch.clamp(square_sum, min=1e-12))


# ---- activations ------------------------------------------------------------

def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    x = _t(x)
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        return torch.relu(x)
    if threshold != 0.0:
        negative = alpha * (x - threshold) if alpha != 0.0 else torch.zeros_like(x)
        out = torch.where(x >= threshold, x, negative)
    elif alpha != 0.0:
        out = torch.where(x >= 0, x, alpha * x)
    else:
        out = torch.relu(x)
    if max_value is not None:
        out = torch.clamp(out, max=max_value)
    return out


def elu(x, alpha=1.0):
    x = _t(x)
    return F.elu(x, alpha=alpha) if alpha >= 0 else torch.where(x > 0, x, alpha * torch.expm1(x))


def selu(x):
    return F.selu(_t(x))


def softmax(x, axis=-1):
    return torch.softmax(_t(x), dim=axis)


def log_softmax(x, axis=-1):
    return torch.log_softmax(_t(x), dim=axis)


def softplus(x):
    return F.softplus(_t(x))


def softsign(x):
    return F.softsign(_t(x))


def sigmoid(x):
    return torch.sigmoid(_t(x))


def hard_sigmoid(x):
    """Keras 2's piecewise-linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    return torch.clamp(_t(x) * 0.2 + 0.5, 0.0, 1.0)


def tanh(x):
    return torch.tanh(_t(x))


def gelu(x, approximate=False):
    return F.gelu(_t(x), approximate="tanh" if approximate else "none")


def swish(x):
    return F.silu(_t(x))


# ---- shape manipulation -----------------------------------------------------

def concatenate(tensors, axis=-1):
    tensors = [_t(t) for t in tensors]
    return torch.cat(tensors, dim=axis)


def reshape(x, shape):
    return _t(x).reshape(tuple(shape))


def permute_dimensions(x, pattern):
    return _t(x).permute(*pattern)


def repeat(x, n):
    """(batch, dim) -> (batch, n, dim)."""
    x = _t(x)
    return x.unsqueeze(1).expand(x.shape[0], n, *x.shape[1:])


def repeat_elements(x, rep, axis):
    return torch.repeat_interleave(_t(x), rep, dim=axis)


def tile(x, n):
    x = _t(x)
    if isinstance(n, int):
        n = [n]
    return x.repeat(*n) if len(n) >= x.dim() else x.repeat(*([1] * (x.dim() - len(n)) + list(n)))


def flatten(x):
    return _t(x).reshape(-1)


def batch_flatten(x):
    x = _t(x)
    return x.reshape(x.shape[0], -1)


def expand_dims(x, axis=-1):
    return _t(x).unsqueeze(axis)


def squeeze(x, axis):
    return _t(x).squeeze(axis)


def stack(x, axis=0):
    return torch.stack([_t(t) for t in x], dim=axis)


def unstack(x, axis=0):
    return list(torch.unbind(_t(x), dim=axis))


def one_hot(indices, num_classes):
    return F.one_hot(_t(indices).long(), num_classes).to(torch_dtype(None))


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    return torch.flip(_t(x), dims=list(axes))


def slice(x, start, size):  # noqa: A001
    x = _t(x)
    index = tuple(builtins_slice(s, s + n if n != -1 else None) for s, n in zip(start, size))
    return x[index]


builtins_slice = __builtins__["slice"] if isinstance(__builtins__, dict) else __builtins__.slice


def gather(reference, indices):
    return _t(reference)[_t(indices).long()]


def where(condition, x=None, y=None):
    if x is None:
        return torch.nonzero(_t(condition))
    return torch.where(_t(condition), _t(x), _t(y))


def switch(condition, then_expression, else_expression):
    cond = _t(condition)
    then_v = then_expression() if callable(then_expression) else then_expression
    else_v = else_expression() if callable(else_expression) else else_expression
    if cond.dim() == 0:
        return then_v if bool(cond) else else_v
    then_v, else_v = _t(then_v), _t(else_v)
    while cond.dim() < then_v.dim():
        cond = cond.unsqueeze(-1)
    return torch.where(cond.bool(), then_v, else_v)


def pad(x, paddings, value=0.0):
    """``paddings``: ((before, after), ...) per axis, outermost first."""
    flat = []
    for before, after in reversed(list(paddings)):
        flat += [before, after]
    return F.pad(_t(x), flat, value=value)


# ---- losses used by layers, losses and metrics ------------------------------

def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _t(target), _t(output)
    if from_logits:
        return -torch.sum(target * torch.log_softmax(output, dim=axis), dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -torch.sum(target * torch.log(output), dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _t(target), _t(output)
    if axis != -1 and axis != output.dim() - 1:
        output = output.movedim(axis, -1)
    if target.dim() == output.dim() and target.shape[-1] == 1:
        target = target.squeeze(-1)
    target = target.long()
    if from_logits:
        log_probs = torch.log_softmax(output, dim=-1)
    else:
        eps = epsilon()
        output = output / torch.sum(output, dim=-1, keepdim=True)
        log_probs = torch.log(torch.clamp(output, eps, 1.0 - eps))
    return -torch.gather(log_probs, -1, target.unsqueeze(-1)).squeeze(-1)


def binary_crossentropy(target, output, from_logits=False):
    target, output = _t(target), _t(output)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target.to(output.dtype), reduction="none")
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output + eps) + (1.0 - target) * torch.log(1.0 - output + eps))


# ---- conversions ------------------------------------------------------------

def floor(x):
    return torch.floor(_t(x))


def ceil(x):
    return torch.ceil(_t(x))


def is_nan(x):
    return torch.isnan(_t(x))


def numpy_dtype(x):
    return np.dtype(str(x.dtype).replace("torch.", ""))
