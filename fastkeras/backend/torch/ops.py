"""The Keras 2 tensor functions (``K.dot``, ``K.mean`` ...) on PyTorch.

Semantics follow Keras 2's TensorFlow backend: ``axis`` may be an int, a list
or None; ``keepdims`` defaults to False; integer inputs are accepted where
TensorFlow accepts them.
"""
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from fastkeras.backend.config import epsilon, image_data_format
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
    """Keras 2 ``K.batch_dot``: a dot product per sample over ``axes``.

    The output shape is x's shape less axis ``axes[0]``, then y's shape less its batch axis and ``axes[1]``; a
    rank-1 result becomes (batch, 1). ``axes`` defaults to (last of x, second-to-last of y, or last for 2D y).
    """
    x, y = _t(x), _t(y)
    x_shape, y_shape = tuple(x.shape), tuple(y.shape)
    x_ndim, y_ndim = x.dim(), y.dim()
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes {x_shape} and "
                         f"{y_shape}.")
    if x_shape[0] != y_shape[0]:
        raise ValueError(f"Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes "
                         f"{x_shape} and {y_shape}.")
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (x_ndim - 1, y_ndim - 2 if y_ndim > 2 else y_ndim - 1)
    if builtins_any(isinstance(a, (list, tuple)) for a in axes) or len(axes) != 2:
        raise ValueError(f"Multiple target dimensions are not supported. Expected: None, int, (int, int), "
                         f"Provided: {axes}")
    a0, a1 = int(axes[0]), int(axes[1])
    a0, a1 = a0 + x_ndim if a0 < 0 else a0, a1 + y_ndim if a1 < 0 else a1
    if a0 == 0 or a1 == 0:
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch "
                         "dimension to your inputs using K.expand_dims(x, 0)")
    if not (0 < a0 < x_ndim and 0 < a1 < y_ndim):
        raise ValueError(f"batch_dot axes {tuple(axes)} are out of range for inputs of shapes {x_shape} and "
                         f"{y_shape}.")
    if x_shape[a0] != y_shape[a1]:
        raise ValueError(f"Cannot do batch_dot on inputs with shapes {x_shape} and {y_shape} with axes={[a0, a1]}. "
                         f"x.shape[{a0}] != y.shape[{a1}] ({x_shape[a0]} != {y_shape[a1]}).")
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
    """Adds ``bias`` (rank 1, or x's rank - 1) along the channels axis of ``data_format``."""
    if data_format is None:
        data_format = image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}")
    x, bias = _t(x), _t(bias)
    bias_ndim = len(bias.shape)
    if bias_ndim != 1 and bias_ndim != x.dim() - 1:
        raise ValueError(f"Unexpected bias dimensions {bias_ndim}. Expected it to be 1 or {x.dim() - 1} dimensions")
    if data_format == "channels_first" and x.dim() > 2:
        if bias_ndim == 1:
            return x + bias.reshape((1, -1) + (1,) * (x.dim() - 2))
        # tf-keras reshapes a (*spatial, C) bias to (1, C, *spatial) without moving the channels: same numbers.
        return x + bias.reshape((1, bias.shape[-1]) + tuple(bias.shape[:-1]))
    return x + bias


def dense(x, kernel, bias=None):
    """x @ kernel + bias, with one fused kernel call where possible (engine tensors only: the hot path)."""
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
    if not x.is_floating_point():
        x = x.to(torch_dtype(None))
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
    """Values limited to [min_value, max_value]; as Keras 2, numeric bounds with max < min clip to min_value."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)) and max_value < min_value:
        max_value = min_value
    x = _t(x)
    if min_value is None and max_value is None:
        return x
    return torch.clamp(x, min=_bound(min_value, x), max=_bound(max_value, x))


def _bound(value, x):
    """A clamp bound torch accepts: a number, or a tensor of x's dtype on x's device."""
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    return _t(value).to(device=x.device, dtype=x.dtype)


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
    if isinstance(y, (int, float)):
        return torch.clamp(x, min=y)
    y = _t(y).to(x.dtype)
    # Where x == y, tf.maximum's gradient goes wholly to x (torch.maximum halves it between x and y, which
    # changes training wherever a Maximum layer's inputs tie, e.g. at zeros). NaNs propagate as in both.
    return torch.where((x >= y) | torch.isnan(x), x, y)


def minimum(x, y):
    x = _t(x)
    if isinstance(y, (int, float)):
        return torch.clamp(x, max=y)
    y = _t(y).to(x.dtype)
    return torch.where((x <= y) | torch.isnan(x), x, y)  # ties: the gradient goes to x, as tf.minimum's


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
    """Keras 2 ``K.relu``: ``x`` where ``x > threshold`` (so ``x == threshold`` gives 0), clipped to
    [0, max_value] when ``max_value`` is set, plus ``alpha * (x - threshold)`` where ``x < threshold``."""
    x = _t(x)
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        return torch.relu(x)
    if alpha != 0.0 and max_value is None and threshold == 0.0:
        return F.leaky_relu(x, negative_slope=float(alpha))
    if threshold != 0.0:
        out = x * (x > threshold).to(x.dtype)
    elif max_value == 6:
        out, max_value = F.relu6(x), None  # tf-keras' tf.nn.relu6 here: gradient 0 at 6, where clipping gives 1
    else:
        out = torch.relu(x)
    if max_value is not None:
        out = torch.clamp(out, min=0.0, max=max_value)
    if alpha != 0.0:
        out = out - alpha * torch.relu(threshold - x)
    return out


def relu_in_place(x):
    """``relu(x)`` written over ``x``: for a tensor its caller has just made and nothing else holds (the output
    of a layer's own matmul or convolution). Saves a tensor as large as the layer's output, which for a
    convolution over large maps is most of the activation's cost (see Dense.call, Conv.call)."""
    x = _t(x)
    if torch.compiler.is_compiling():  # the compiler plans buffers itself (and cannot trace ``_base``)
        return torch.relu(x)
    base = x._base
    if base is None:
        return torch.relu_(x)
    # A convolution's channels_last result is a permuted view of torch's output. Rectifying the view in place
    # would make autograd rebuild the whole base in backward (zeros, clone and copy of the full tensor: three
    # output-sized temporaries), so rectify the base and permute it again; any other view is rectified anew.
    order = _permutation_of(base, x)
    if order is None:
        return torch.relu(x)
    return torch.relu_(base).permute(order)


def _permutation_of(base, view):
    """The dims order with ``base.permute(order)`` laid out exactly as ``view``, or None if there is none."""
    if (view.storage_offset() != base.storage_offset() or view.dim() != base.dim()
            or view.numel() != base.numel()):
        return None
    remaining = list(range(base.dim()))
    order = []
    for size, stride in zip(view.shape, view.stride()):
        match = next((d for d in remaining if base.shape[d] == size and (base.stride(d) == stride or size == 1)),
                     None)
        if match is None:
            return None
        remaining.remove(match)
        order.append(match)
    return tuple(order)


def elu(x, alpha=1.0):
    x = _t(x)
    return F.elu(x, alpha=alpha) if alpha >= 0 else torch.where(x > 0, x, alpha * torch.expm1(x))


_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


class _Selu(torch.autograd.Function):
    """``F.selu`` whose gradient at 0 is ``scale``, TensorFlow's (its SeluGrad takes the positive branch where
    the output is 0; torch's takes ``scale * alpha``, 1.67 times more). Exact zeros are common at the start of
    training: zero biases on zero inputs. The backward is written from the output, as TensorFlow's, so that
    second derivatives go through this function again."""

    @staticmethod
    def forward(ctx, x):
        out = F.selu(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        slope = torch.where(out < 0, out + _SELU_SCALE * _SELU_ALPHA, torch.full((), _SELU_SCALE, dtype=out.dtype,
                                                                                  device=out.device))
        return grad * slope


def selu(x):
    return _Selu.apply(_t(x))


def softmax(x, axis=-1):
    """Softmax along ``axis`` (an int, or a tuple of axes normalized together); 1D inputs are refused as in
    Keras 2."""
    x = _t(x)
    if x.dim() <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    if isinstance(axis, int):
        out = torch.softmax(x, dim=axis)
        out._keras_logits = x  # as tf-keras: a cross-entropy on this output uses the logits (stable, fewer kernels)
        return out
    e = torch.exp(x - torch.amax(x, dim=_axes(axis), keepdim=True))
    return e / torch.sum(e, dim=_axes(axis), keepdim=True)


def log_softmax(x, axis=-1):
    return torch.log_softmax(_t(x), dim=axis)


def softplus(x):
    return F.softplus(_t(x))


def softsign(x):
    return F.softsign(_t(x))


def sigmoid(x):
    x = _t(x)
    out = torch.sigmoid(x)
    out._keras_logits = x  # see softmax
    return out


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
    if x.dim() != 2:
        raise ValueError(f"K.repeat expects a 2D tensor (batch, dim), received shape {tuple(x.shape)}.")
    return x.unsqueeze(1).expand(x.shape[0], int(n), x.shape[1])


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
    """(..., ) integer indices -> (..., num_classes) floats; out-of-range indices give all zeros, as in Keras 2."""
    indices = _t(indices)
    classes = torch.arange(int(num_classes), device=indices.device)
    return (indices.long().unsqueeze(-1) == classes).to(torch_dtype(None))


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    return torch.flip(_t(x), dims=list(axes))


def slice(x, start, size):  # noqa: A001
    """Keras 2 ``K.slice``: the block of ``x`` beginning at ``start`` with ``size`` entries per axis (-1: all the
    rest); ``start`` and ``size`` give one entry per axis of ``x``."""
    x = _t(x)
    if not x.dim() == len(start) == len(size):
        raise ValueError(f"The dimension and the size of indices should match: x has {x.dim()} dimensions, "
                         f"received start={tuple(start)} and size={tuple(size)}.")
    index = tuple(builtins_slice(s, s + n if n != -1 else None) for s, n in zip(start, size))
    return x[index]


builtins_slice = __builtins__["slice"] if isinstance(__builtins__, dict) else __builtins__.slice


def gather(reference, indices):
    """Slices of ``reference`` along axis 0 at the integer ``indices`` (any shape)."""
    reference = _t(reference)
    return reference[_t(indices).to(reference.device).long()]


def _branch(value, like):
    """A where() operand: numbers stay numbers (torch broadcasts them on ``like``'s device), arrays become tensors
    on ``like``'s device."""
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    value = _t(value)
    return value if value.device == like.device or value.dim() == 0 else value.to(like.device)


def where(condition, x=None, y=None):
    """``x`` where ``condition`` holds, else ``y`` (broadcast); with one argument, the indices of true entries."""
    condition = _t(condition)
    if x is None and y is None:
        return torch.nonzero(condition)
    if x is None or y is None:
        raise ValueError("K.where needs both `x` and `y`, or neither.")
    condition = condition if condition.dtype == torch.bool else condition.bool()
    x, y = _branch(x, condition), _branch(y, condition)
    if not isinstance(x, torch.Tensor) and not isinstance(y, torch.Tensor):
        x = torch.tensor(x, dtype=torch_dtype(None) if isinstance(x, float) else None, device=condition.device)
    return torch.where(condition, x, y)


def switch(condition, then_expression, else_expression):
    """Keras 2 ``K.switch``: a scalar condition picks one expression (callables are called only when picked); a
    tensor condition selects elementwise, its shape extended with trailing unit axes up to the expressions' rank."""
    cond = _t(condition)
    if cond.dim() == 0:
        # A shape-only condition (shape inference) has no value: both branches have the same shape.
        shape_only = cond.device.type == "meta" or type(cond).__name__ == "FakeTensor"
        picked = then_expression if shape_only or bool(cond) else else_expression
        return picked() if callable(picked) else picked
    then_v = then_expression() if callable(then_expression) else then_expression
    else_v = else_expression() if callable(else_expression) else else_expression
    cond = cond if cond.dtype == torch.bool else cond.bool()
    ranks = [len(v.shape) for v in (then_v, else_v) if hasattr(v, "shape")]
    expr_ndim = builtins_max(ranks) if ranks else cond.dim()  # numbers broadcast to the condition
    if cond.dim() > expr_ndim:
        raise ValueError(f"Rank of `condition` should be less than or equal to rank of `then_expression` and "
                         f"`else_expression`. ndim(condition)={cond.dim()}, ndim(then_expression)={expr_ndim}")
    if cond.dim() > 1:
        cond = cond.reshape(tuple(cond.shape) + (1,) * (expr_ndim - cond.dim()))
    return where(cond, then_v, else_v)


def pad(x, paddings, value=0.0):
    """``paddings``: ((before, after), ...) per axis, outermost first."""
    flat = []
    for before, after in reversed(list(paddings)):
        flat += [before, after]
    return F.pad(_t(x), flat, value=value)


# ---- losses used by layers, losses and metrics ------------------------------

def logits_of(output, from_logits, activation, fn_name):
    """(tensor, from_logits): the logits a softmax/sigmoid output was computed from, as tf-keras' ``_get_logits``.

    Keras 2 computes a cross-entropy on a softmax or sigmoid output from that activation's input, which is
    stable where the probabilities saturate (and costs fewer kernels).
    """
    logits = getattr(output, "_keras_logits", None)
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn(f'"`{fn_name}` received `from_logits=True`, but the `output` argument was produced by a '
                      f'{activation} activation and thus does not represent logits. Was this intended?', stacklevel=3)
    return logits, True


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _t(target), _t(output)
    output, from_logits = logits_of(output, from_logits, "Softmax", "categorical_crossentropy")
    if from_logits:
        return -torch.sum(target * torch.log_softmax(output, dim=axis), dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -torch.sum(target * torch.log(output), dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1, ignore_class=None):
    """Keras 2 ``K.sparse_categorical_crossentropy``: integer ``target`` against class scores ``output``.

    As Keras 2: a softmax output is scored from its logits; other probabilities are clipped to [eps, 1 - eps],
    their log taken, and the result treated as logits (so the clipped probabilities are renormalized by the
    softmax); logits go straight through log_softmax. ``target`` may carry a trailing unit axis. Labels
    outside ``[0, classes)`` give NaN (no host-side check, which would wait on the device). With
    ``ignore_class``, those positions give 0 and the result carries a ``_keras_mask`` of the valid positions.
    """
    target, output = _t(target), _t(output)
    given_shape = tuple(output.shape)
    output, from_logits = logits_of(output, from_logits, "Softmax", "sparse_categorical_crossentropy")
    rank = output.dim()
    axis = axis % rank
    if axis != rank - 1:
        output = output.movedim(axis, -1)
    if not from_logits:
        eps = epsilon()
        output = torch.log(torch.clamp(output, eps, 1.0 - eps))
    log_probs = torch.log_softmax(output, dim=-1)
    num_classes = output.shape[-1]
    if target.numel() * num_classes != output.numel():
        raise ValueError(f"The labels (shape {tuple(target.shape)}) do not match the predictions (shape "
                         f"{given_shape}{'' if axis == rank - 1 else f', classes on axis {axis}'}): expected one "
                         "integer label per prediction vector.")
    target = target.reshape(tuple(output.shape[:-1])).long()
    safe_target = torch.clamp(target, 0, num_classes - 1)
    out_of_range = safe_target != target
    if ignore_class is not None:
        valid = target != int(ignore_class)
        out_of_range = out_of_range & valid
    picked = -torch.gather(log_probs, -1, safe_target.unsqueeze(-1)).squeeze(-1)
    picked = torch.where(out_of_range, torch.full_like(picked, float("nan")), picked)
    if ignore_class is not None:
        picked = torch.where(valid, picked, torch.zeros_like(picked))
        picked._keras_mask = valid
    return picked


def binary_crossentropy(target, output, from_logits=False):
    """Keras 2 ``K.binary_crossentropy``, elementwise: probabilities clipped to [eps, 1 - eps], logits through
    a stable sigmoid cross-entropy."""
    target, output = _t(target), _t(output)
    output, from_logits = logits_of(output, from_logits, "Sigmoid", "binary_crossentropy")
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target.to(output.dtype), reduction="none")
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output + eps) + (1.0 - target) * torch.log(1.0 - output + eps))


def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False):
    """Keras 2 ``K.binary_focal_crossentropy``: binary crossentropy scaled by ``(1 - p_t) ** gamma``, and by
    ``alpha`` / ``1 - alpha`` for positives / negatives when ``apply_class_balancing``."""
    target, output = _t(target), _t(output)
    probs = torch.sigmoid(output) if from_logits else output
    p_t = target * probs + (1 - target) * (1 - probs)
    focal = torch.pow(1.0 - p_t, gamma) * binary_crossentropy(target, output, from_logits=from_logits)
    if apply_class_balancing:
        focal = (target * alpha + (1 - target) * (1 - alpha)) * focal
    return focal


def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False, axis=-1):
    """Keras 2 ``K.categorical_focal_crossentropy``: ``sum(alpha * (1 - p) ** gamma * -target * log(p))`` over
    ``axis`` with ``p`` the renormalized, clipped probabilities."""
    target, output = _t(target), _t(output)
    if from_logits:
        output = torch.softmax(output, dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    focal = alpha * torch.pow(1.0 - output, gamma) * (-target * torch.log(output))
    return torch.sum(focal, dim=axis)


# ---- conversions ------------------------------------------------------------

def floor(x):
    return torch.floor(_t(x))


def ceil(x):
    return torch.ceil(_t(x))


def is_nan(x):
    return torch.isnan(_t(x))


def numpy_dtype(x):
    return np.dtype(str(x.dtype).replace("torch.", ""))


# ---- state updates and ranking (used by fastkeras.metrics) -------------------

def update(x, new_x):
    """Keras 2 ``K.update``: writes ``new_x`` (tensor or number) into ``x`` in place, outside autograd.

    Returns ``x``.
    """
    with torch.no_grad():
        if isinstance(new_x, (int, float, bool)):
            x.fill_(new_x)
        else:
            x.copy_(_t(new_x).detach())
    return x


def update_add(x, increment):
    """Keras 2 ``K.update_add``: ``x += increment`` in place, outside autograd; returns ``x``.

    No host synchronisation: a number is added as a scalar, a tensor stays on its device.
    """
    with torch.no_grad():
        if isinstance(increment, (int, float, bool)):
            x.add_(increment)
        else:
            x.add_(_t(increment).detach().to(x.dtype))
    return x


def update_sub(x, decrement):
    """Keras 2 ``K.update_sub``: ``x -= decrement`` in place, outside autograd; returns ``x``."""
    with torch.no_grad():
        if isinstance(decrement, (int, float, bool)):
            x.sub_(decrement)
        else:
            x.sub_(_t(decrement).detach().to(x.dtype))
    return x


def moving_average_update(x, value, momentum):
    """Keras 2 ``K.moving_average_update``: ``x = x * momentum + value * (1 - momentum)`` in place; returns x."""
    with torch.no_grad():
        value = value if isinstance(value, (int, float)) else _t(value).detach().to(x.dtype)
        x.sub_((x - value) * (1.0 - float(momentum)))
    return x


def print_tensor(x, message="", summarize=3):
    """Prints ``message`` and ``x``'s values (``summarize`` entries at each end of every axis), returns ``x``.

    A shape-only tensor (during shape inference) prints nothing.
    """
    if isinstance(x, torch.Tensor) and (x.device.type == "meta" or type(x).__name__ == "FakeTensor"):
        return x
    values = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    with np.printoptions(threshold=0 if summarize is not None and summarize >= 0 else np.inf,
                         edgeitems=summarize if summarize is not None and summarize > 0 else 3):
        print(f"{message} {values}" if message else str(values))
    return x


def _stack_results(results):
    if isinstance(results[0], (list, tuple)):
        return type(results[0])(torch.stack([_t(r[i]) for r in results]) for i in range(len(results[0])))
    return torch.stack([_t(r) for r in results])


def map_fn(fn, elems, name=None, dtype=None):
    """``fn`` applied to each slice of ``elems`` along axis 0 (or to tuples of slices), results stacked."""
    if isinstance(elems, (list, tuple)):
        elems = [_t(e) for e in elems]
        results = [fn(tuple(e[i] for e in elems)) for i in range(elems[0].shape[0])]
    else:
        elems = _t(elems)
        results = [fn(elems[i]) for i in range(elems.shape[0])]
    if not results:
        raise ValueError("K.map_fn needs at least one element along axis 0.")
    out = _stack_results(results)
    return out.to(torch_dtype(dtype)) if dtype is not None and isinstance(out, torch.Tensor) else out


def foldl(fn, elems, initializer=None, name=None):
    """Reduces ``elems`` along axis 0 from the first element: ``acc = fn(acc, x)``; ``initializer`` defaults to
    ``elems[0]``."""
    elems = _t(elems)
    items = list(torch.unbind(elems, 0))
    acc = items.pop(0) if initializer is None else initializer
    for item in items:
        acc = fn(acc, item)
    return acc


def foldr(fn, elems, initializer=None, name=None):
    """Reduces ``elems`` along axis 0 from the last element: ``acc = fn(acc, x)``; ``initializer`` defaults to
    ``elems[-1]``."""
    elems = _t(elems)
    items = list(torch.unbind(elems, 0))
    acc = items.pop() if initializer is None else initializer
    for item in reversed(items):
        acc = fn(acc, item)
    return acc


def in_top_k(predictions, targets, k):
    """Keras 2 ``K.in_top_k``: a bool tensor telling whether each target is among the top ``k`` predictions.

    ``predictions`` is (batch, classes), ``targets`` (batch,) integers. As TensorFlow: classes tied with the
    target's score at the boundary count as in the top k; a row holding a non-finite prediction and an
    out-of-range target give False.
    """
    predictions, targets = _t(predictions), _t(targets).long()
    num_classes = predictions.shape[-1]
    valid = (targets >= 0) & (targets < num_classes)
    safe = torch.where(valid, targets, torch.zeros_like(targets))
    target_score = torch.gather(predictions, -1, safe.unsqueeze(-1))
    higher = (predictions > target_score).sum(dim=-1)
    finite = torch.isfinite(predictions).all(dim=-1)
    return valid & finite & (higher < k)


def top_k(x, k, sorted=True):  # noqa: A002 - TensorFlow's argument name
    """``tf.math.top_k``: (values, indices) of the ``k`` largest entries along the last axis, largest first.

    Ties keep the lower index first (a stable sort), as TensorFlow does.
    """
    values, indices = torch.sort(_t(x), dim=-1, descending=True, stable=True)
    return values[..., :k], indices[..., :k]


def unsorted_segment_sum(data, segment_ids, num_segments):
    """``tf.math.unsorted_segment_sum`` for 1-D ``data``: ``out[j] = sum(data[i] for segment_ids[i] == j)``.

    Ids outside ``[0, num_segments)`` are dropped, as TensorFlow does.
    """
    data, segment_ids = _t(data), _t(segment_ids).long()
    valid = (segment_ids >= 0) & (segment_ids < num_segments)
    ids = torch.where(valid, segment_ids, torch.full_like(segment_ids, num_segments))
    out = torch.zeros(num_segments + 1, dtype=data.dtype, device=data.device)
    return out.index_add_(0, ids.reshape(-1), data.reshape(-1))[:num_segments]


def take_along_axis(x, indices, axis=-1):
    """numpy's ``take_along_axis``: ``x``'s values at integer ``indices`` along ``axis``.

    ``indices`` has ``x``'s rank and, off ``axis``, its sizes (no broadcasting); indices must be in range.
    """
    return torch.gather(_t(x), axis, _t(indices).long())


# ---- convolution, pooling, padding and resizing (fastkeras.layers.convolutional / pooling / reshaping) --------
#
# Keras tensors are channels_last, (N, *spatial, C); torch convolves (N, C, *spatial). A channels_last tensor
# moved to (N, C, *spatial) is a view in torch's channels_last memory format, which is what cuDNN runs fastest,
# and the result moved back is a contiguous channels_last tensor: no copies either way. Kernels stay in Keras
# layout, (*kernel_size, in, out), and reach torch as permuted views of the weight. 1-D operations run as 2-D ones
# on a unit height (as TensorFlow does), so they keep the channels_last layout too. TensorFlow's 'same' padding
# may put one more pad at the end than at the start: then (and only then, where the extra pad is read) the input
# is padded with F.pad, otherwise the convolution's own symmetric padding is used.

def _int_tuple(value, n, name="value"):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value}")
    return value


def _conv_data_format(data_format):
    from fastkeras.backend.config import normalize_data_format
    return normalize_data_format(data_format)


def _channels_first_view(x, data_format):
    return x if data_format == "channels_first" else x.movedim(-1, 1)


def _from_channels_first(x, data_format):
    return x if data_format == "channels_first" else x.movedim(1, -1)


def _same_padding(size, k, s, d):
    """TensorFlow's 'same' padding of one axis: (before, after, output length)."""
    kd = (k - 1) * d + 1
    out = -(-size // s)
    total = builtins_max((out - 1) * s + kd - size, 0)
    return total // 2, total - total // 2, out


builtins_max = __builtins__["max"] if isinstance(__builtins__, dict) else __builtins__.max
builtins_min = __builtins__["min"] if isinstance(__builtins__, dict) else __builtins__.min


def _conv_input_padding(x, padding, kernel_size, strides, dilation):
    """(x, torch padding) applying Keras' 'valid' / 'same' / 'causal' padding to channels-first ``x``."""
    padding = padding.lower() if isinstance(padding, str) else padding
    rank = len(kernel_size)
    if padding == "valid":
        return x, (0,) * rank
    if padding not in ("same", "causal"):
        raise ValueError(f'Invalid padding {padding!r}: expected "valid", "same" or "causal".')
    symmetric, explicit = [], []
    for i in range(rank):
        size, k, s, d = x.shape[2 + i], kernel_size[i], strides[i], dilation[i]
        if padding == "causal":
            before, after = d * (k - 1), 0
            fits = before == 0
        else:
            before, after, out = _same_padding(size, k, s, d)
            # The trailing pad is never read when symmetric padding by `before` already yields every output.
            fits = before == after or (size + 2 * before - ((k - 1) * d + 1)) // s + 1 == out
        symmetric.append(before if fits else 0)
        explicit.append((0, 0) if fits else (before, after))
    if builtins_any(e != (0, 0) for e in explicit):
        flat = []
        for before, after in reversed(explicit):
            flat += [before, after]
        x = F.pad(x, flat)
    return x, tuple(symmetric)


builtins_any = __builtins__["any"] if isinstance(__builtins__, dict) else __builtins__.any

_TORCH_CONV = {2: F.conv2d, 3: F.conv3d}
_TORCH_CONV_TRANSPOSE = {2: F.conv_transpose2d, 3: F.conv_transpose3d}


def _kernel_to_torch(kernel, rank):
    """(*k, in, out) -> (out, in, *k) for a convolution; (*k, out, in) -> (in, out, *k) for a transposed one."""
    return kernel.permute(rank + 1, rank, *range(rank))


def _unit_axis(data_format):
    return 1 if data_format == "channels_last" else 2


def _convnd(x, kernel, strides, padding, data_format, dilation_rate, rank, bias=None):
    x, kernel = _t(x), _t(kernel)
    data_format = _conv_data_format(data_format)
    strides = _int_tuple(strides, rank, "strides")
    dilation = _int_tuple(dilation_rate, rank, "dilation_rate")
    if rank == 1:
        axis = _unit_axis(data_format)
        out = _convnd(x.unsqueeze(axis), kernel.unsqueeze(0), (1,) + strides, padding, data_format, (1,) + dilation,
                      2, bias)
        return out.squeeze(axis)
    if x.dim() != rank + 2:
        raise ValueError(f"A {rank}-D convolution expects inputs of rank {rank + 2}, received shape {tuple(x.shape)}.")
    xc = _channels_first_view(x, data_format)
    in_channels, kernel_in = xc.shape[1], kernel.shape[rank]
    if kernel_in == 0 or in_channels % kernel_in:
        raise ValueError(f"Depth of input ({in_channels}) is not a multiple of input depth of filter ({kernel_in}). "
                         f"Input shape {tuple(x.shape)} ({data_format}), kernel shape {tuple(kernel.shape)}.")
    kernel_size = tuple(kernel.shape[:rank])
    xc, pad = _conv_input_padding(xc, padding, kernel_size, strides, dilation)
    out = _TORCH_CONV[rank](xc, _kernel_to_torch(kernel, rank), bias, strides, pad, dilation, in_channels // kernel_in)
    return _from_channels_first(out, data_format)


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, bias=None):
    """Keras 2 ``K.conv1d``: ``x`` (N, steps, C) (or (N, C, steps)), ``kernel`` (k, in, out); padding 'valid',
    'same' (TensorFlow's) or 'causal'. ``bias`` (out,), optional, is added inside the convolution."""
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, 1, bias)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1), bias=None):
    """Keras 2 ``K.conv2d``: ``kernel`` (kh, kw, in / groups, out); groups follow from the channel counts."""
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, 2, bias)


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None, dilation_rate=(1, 1, 1), bias=None):
    """Keras 2 ``K.conv3d``: ``kernel`` (kd, kh, kw, in / groups, out)."""
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, 3, bias)


def _depthwise_kernel(depthwise_kernel, rank):
    """(*k, in, multiplier) -> (*k, 1, in * multiplier): a grouped kernel with one group per input channel."""
    depthwise_kernel = _t(depthwise_kernel)
    shape = tuple(depthwise_kernel.shape)
    return depthwise_kernel.reshape(shape[:rank] + (1, shape[rank] * shape[rank + 1]))


def depthwise_conv1d(x, depthwise_kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, bias=None):
    """``depthwise_kernel`` (k, in, depth_multiplier); output channel ``c * depth_multiplier + m``."""
    return _convnd(x, _depthwise_kernel(depthwise_kernel, 1), strides, padding, data_format, dilation_rate, 1, bias)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                     bias=None):
    """Keras 2 ``K.depthwise_conv2d``: ``depthwise_kernel`` (kh, kw, in, depth_multiplier)."""
    return _convnd(x, _depthwise_kernel(depthwise_kernel, 2), strides, padding, data_format, dilation_rate, 2, bias)


def _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format, dilation_rate, rank, bias):
    data_format = _conv_data_format(data_format)
    out = _convnd(x, _depthwise_kernel(depthwise_kernel, rank), strides, padding, data_format, dilation_rate, rank)
    return _convnd(out, pointwise_kernel, 1, "valid", data_format, 1, rank, bias)


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                     dilation_rate=1, bias=None):
    """Keras 2 ``K.separable_conv1d``: a depthwise convolution, then a pointwise (1, in * multiplier, out) one."""
    return _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format, dilation_rate, 1, bias)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1), bias=None):
    """Keras 2 ``K.separable_conv2d``: ``pointwise_kernel`` (1, 1, in * multiplier, out)."""
    return _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format, dilation_rate, 2, bias)


def _conv_transpose_nd(x, kernel, output_shape, strides, padding, data_format, dilation_rate, rank, bias=None):
    x, kernel = _t(x), _t(kernel)
    data_format = _conv_data_format(data_format)
    strides = _int_tuple(strides, rank, "strides")
    dilation = _int_tuple(dilation_rate, rank, "dilation_rate")
    output_shape = tuple(output_shape)
    if rank == 1:
        axis = _unit_axis(data_format)
        shape = output_shape[:axis] + (1,) + output_shape[axis:]
        out = _conv_transpose_nd(x.unsqueeze(axis), kernel.unsqueeze(0), shape, (1,) + strides, padding,
                                 data_format, (1,) + dilation, 2, bias)
        return out.squeeze(axis)
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f'Invalid padding {padding!r} for a transposed convolution: expected "valid" or "same".')
    xc = _channels_first_view(x, data_format)
    out_spatial = output_shape[2:] if data_format == "channels_first" else output_shape[1:-1]
    pads, out_pads, fix = [], [], []
    for i in range(rank):
        size, k, s, d, target = xc.shape[2 + i], kernel.shape[i], strides[i], dilation[i], int(out_spatial[i])
        kd = (k - 1) * d + 1
        full = (size - 1) * s + kd
        # The forward convolution this one transposes maps `target` positions to `size`, padding `before` first.
        before = 0 if padding == "valid" else builtins_max((size - 1) * s + kd - target, 0) // 2
        extra = target - (full - 2 * before)  # torch's output_padding, when it is in [0, max(s, d))
        if 0 <= extra < builtins_max(s, d):
            pads.append(before)
            out_pads.append(extra)
            fix.append(0)
        else:
            pads.append(before)
            out_pads.append(0)
            fix.append(extra)
    fused_bias = bias if not builtins_any(fix) else None
    out = _TORCH_CONV_TRANSPOSE[rank](xc, _kernel_to_torch(kernel, rank), fused_bias, strides, tuple(pads),
                                      tuple(out_pads), 1, dilation)
    if builtins_any(fix):
        # Positions past the full transposed convolution get no contribution: pad with zeros, or crop.
        flat = []
        for extra in reversed(fix):
            flat += [0, extra]
        out = F.pad(out, flat)
        if bias is not None:
            out = out + bias.reshape((1, -1) + (1,) * rank)
    return _from_channels_first(out, data_format)


def conv1d_transpose(x, kernel, output_shape, strides=1, padding="valid", data_format=None, dilation_rate=1,
                     bias=None):
    """The transpose (gradient) of ``conv1d``: ``kernel`` (k, out, in); ``output_shape`` the full output shape."""
    return _conv_transpose_nd(x, kernel, output_shape, strides, padding, data_format, dilation_rate, 1, bias)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1), bias=None):
    """Keras 2 ``K.conv2d_transpose``: ``kernel`` (kh, kw, out, in); ``output_shape`` (N, H, W, out) for
    channels_last (its batch entry may be None)."""
    return _conv_transpose_nd(x, kernel, output_shape, strides, padding, data_format, dilation_rate, 2, bias)


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1, 1), bias=None):
    """Keras 2 ``K.conv3d_transpose``: ``kernel`` (kd, kh, kw, out, in)."""
    return _conv_transpose_nd(x, kernel, output_shape, strides, padding, data_format, dilation_rate, 3, bias)


_TORCH_MAX_POOL = {2: F.max_pool2d, 3: F.max_pool3d}
_TORCH_AVG_POOL = {2: F.avg_pool2d, 3: F.avg_pool3d}


def _poolnd(x, pool_size, strides, padding, data_format, pool_mode, rank):
    x = _t(x)
    data_format = _conv_data_format(data_format)
    pool_size = _int_tuple(pool_size, rank, "pool_size")
    strides = _int_tuple(strides, rank, "strides")
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"Invalid pooling mode: {pool_mode!r} (expected 'max' or 'avg').")
    padding = padding.lower()
    if x.dim() != rank + 2:
        raise ValueError(f"{rank}-D pooling expects inputs of rank {rank + 2}, received shape {tuple(x.shape)}.")
    xc = _channels_first_view(x, data_format)
    if padding == "valid":
        pads, ceil_mode, fits = (0,) * rank, False, True
    elif padding == "same":
        pads, fits = [], True
        explicit = []
        for i in range(rank):
            size, k, s = xc.shape[2 + i], pool_size[i], strides[i]
            before, after, out = _same_padding(size, k, s, 1)
            # torch's ceil_mode adds the trailing windows TensorFlow's extra end padding makes (padded values are
            # ignored by max and left out of the average's count, as in TensorFlow).
            torch_out = -(-(size + 2 * before - k) // s) + 1
            if (torch_out - 1) * s >= size + before:
                torch_out -= 1
            fits = fits and torch_out == out
            pads.append(before)
            explicit.append((before, after))
        pads, ceil_mode = tuple(pads), True
    else:
        raise ValueError(f'Invalid padding {padding!r} for pooling: expected "valid" or "same".')
    if fits:
        if pool_mode == "max":
            out = _TORCH_MAX_POOL[rank](xc, pool_size, strides, pads, ceil_mode=ceil_mode)
        else:
            out = _TORCH_AVG_POOL[rank](xc, pool_size, strides, pads, ceil_mode=ceil_mode, count_include_pad=False)
        return _from_channels_first(out, data_format)
    flat = []
    for before, after in reversed(explicit):
        flat += [before, after]
    if pool_mode == "max":
        out = _TORCH_MAX_POOL[rank](F.pad(xc, flat, value=float("-inf")), pool_size, strides)
    else:
        total = _TORCH_AVG_POOL[rank](F.pad(xc, flat), pool_size, strides, divisor_override=1)
        ones = torch.ones((1, 1) + tuple(xc.shape[2:]), dtype=xc.dtype, device=xc.device)
        count = _TORCH_AVG_POOL[rank](F.pad(ones, flat), pool_size, strides, divisor_override=1)
        out = total / count
    return _from_channels_first(out, data_format)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """Keras 2 ``K.pool2d``: max or average pooling with TensorFlow's 'valid' / 'same' windows; 'same' average
    pooling averages only the input values a window covers."""
    return _poolnd(x, pool_size, strides, padding, data_format, pool_mode, 2)


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None, pool_mode="max"):
    """Keras 2 ``K.pool3d``."""
    return _poolnd(x, pool_size, strides, padding, data_format, pool_mode, 3)


_RESIZE_MODES = {"nearest": "nearest", "area": "nearest", "bilinear": "bilinear"}


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Keras 2 ``K.resize_images``: upsamples H and W by integer factors. 'nearest' repeats pixels; 'bilinear'
    interpolates with half-pixel centers (TensorFlow 2's ``tf.image.resize``); 'area' equals 'nearest' for
    integer factors."""
    x = _t(x)
    data_format = _conv_data_format(data_format)
    if interpolation not in _RESIZE_MODES:
        raise ValueError(f"`interpolation` {interpolation!r} is not supported by fastkeras: expected one of "
                         f"{', '.join(repr(m) for m in _RESIZE_MODES)}.")
    xc = _channels_first_view(x, data_format)
    size = (int(xc.shape[2]) * int(height_factor), int(xc.shape[3]) * int(width_factor))
    mode = _RESIZE_MODES[interpolation]
    out = F.interpolate(xc, size=size, mode=mode, align_corners=False if mode == "bilinear" else None)
    return _from_channels_first(out, data_format)


def local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Keras 2 ``K.local_conv``: an N-D convolution with a separate kernel at each output position.

    ``kernel`` is (prod(output_shape), prod(kernel_size) * channels_in, channels_out); each patch is flattened in
    the input's own layout order ((*window, channels) for channels_last, (channels, *window) for channels_first).
    """
    x, kernel = _t(inputs), _t(kernel)
    data_format = _conv_data_format(data_format)
    rank = len(output_shape)
    kernel_size = _int_tuple(kernel_size, rank, "kernel_size")
    strides = _int_tuple(strides, rank, "strides")
    first_spatial = 1 if data_format == "channels_last" else 2
    patches = x
    for i in range(rank):  # each unfold appends the window axis at the end: (..., *out, C?, *window)
        patches = patches.unfold(first_spatial + i, kernel_size[i], strides[i])
    out_dims = tuple(patches.shape[first_spatial:first_spatial + rank])
    if out_dims != tuple(int(d) for d in output_shape):
        raise ValueError(f"local_conv: the windows of input shape {tuple(x.shape)} give output positions {out_dims}, "
                         f"but output_shape is {tuple(output_shape)}.")
    batch = x.shape[0]
    if data_format == "channels_last":
        # (B, *out, C, *window) -> (B, *out, *window, C)
        patches = patches.movedim(first_spatial + rank, -1)
    else:
        # (B, C, *out, *window) -> (B, *out, C, *window)
        patches = patches.movedim(1, 1 + rank)
    flat = patches.reshape(batch, -1, kernel.shape[1])
    out = torch.einsum("bpf,pfo->bpo", flat, kernel)
    out = out.reshape((batch,) + out_dims + (kernel.shape[-1],))
    return out if data_format == "channels_last" else out.movedim(-1, 1)


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """Keras 2 ``K.local_conv1d``: ``kernel`` (output_length, kernel_size * input_dim, filters)."""
    return local_conv(inputs, kernel, kernel_size, strides, (kernel.shape[0],), data_format)


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Keras 2 ``K.local_conv2d``: ``kernel`` (rows * cols, kh * kw * channels_in, filters)."""
    return local_conv(inputs, kernel, kernel_size, strides, tuple(output_shape), data_format)


# ---- CTC: labels are class indices, the blank is the last class (num_categories - 1), as in Keras 2 ----------

def _lengths(lengths):
    return _t(lengths).reshape(-1).long()


def ctc_label_dense_to_sparse(labels, label_lengths):
    """(batch, max_len) labels and their lengths -> a torch sparse COO int32 tensor of the valid entries."""
    labels, lengths = _t(labels), _lengths(label_lengths)
    positions = torch.arange(labels.shape[1], device=labels.device)
    valid = positions.unsqueeze(0) < lengths.to(labels.device).unsqueeze(1)
    indices = valid.nonzero().T
    return torch.sparse_coo_tensor(indices, labels[valid].to(torch.int32), tuple(labels.shape), check_invariants=True)


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """Keras 2 ``K.ctc_batch_cost``: the CTC loss of each sample, shape (samples, 1).

    ``y_pred`` (samples, time_steps, num_categories) holds softmax outputs; like Keras 2 it is read as the
    log-softmax of ``log(y_pred + epsilon)``. ``input_length`` / ``label_length`` are (samples, 1).
    """
    y_true, y_pred = _t(y_true), _t(y_pred)
    log_probs = torch.log_softmax(torch.log(y_pred + epsilon()), dim=-1).transpose(0, 1)
    input_lengths = _lengths(input_length)
    target_lengths = _lengths(label_length)
    blank = y_pred.shape[-1] - 1
    loss = F.ctc_loss(log_probs.float(), y_true.long(), input_lengths, target_lengths, blank=blank,
                      reduction="none", zero_infinity=False)
    return loss.to(y_pred.dtype).unsqueeze(1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Keras 2 ``K.ctc_decode``: ``(decoded, log_prob)``, the blank being the last class.

    Greedy (best-path): ``decoded`` is ``[labels]``, (samples, time_steps) int64 padded with -1 after each
    sequence (repeats merged, blanks dropped); ``log_prob`` (samples, 1) is minus the sum over valid time steps
    of the best ``log(y_pred + eps)``, as TensorFlow's greedy decoder gives it. Beam search (``greedy=False``):
    ``decoded`` holds the ``top_paths`` best sequences, best first, each (samples, time_steps) as above, and
    ``log_prob`` (samples, top_paths) their log-probabilities (see ``fastkeras/backend/ctc_beam_search.py``;
    it runs on the host, sample by sample, as TensorFlow's does).
    """
    if not greedy:
        from fastkeras.backend import ctc_beam_search
        probs = _t(y_pred)
        decoded, log_prob = ctc_beam_search.beam_search_decode(
            probs.detach().float().cpu().numpy(), _lengths(input_length).cpu().numpy(), int(beam_width), int(top_paths), epsilon())
        return [torch.from_numpy(d).to(probs.device) for d in decoded], torch.from_numpy(log_prob).to(probs.device)
    y_pred = _t(y_pred)
    batch, steps, classes = y_pred.shape
    lengths = _lengths(input_length).to(y_pred.device)
    log_p = torch.log(y_pred + epsilon())
    best, labels = torch.max(log_p, dim=-1)
    in_range = torch.arange(steps, device=y_pred.device).unsqueeze(0) < lengths.unsqueeze(1)
    log_prob = -(best * in_range).sum(dim=1, keepdim=True)
    previous = torch.cat([torch.full_like(labels[:, :1], -1), labels[:, :-1]], dim=1)
    keep = in_range & (labels != classes - 1) & (labels != previous)
    decoded = torch.full((batch, steps), -1, dtype=torch.int64, device=y_pred.device)
    counts = keep.sum(dim=1)
    order = torch.argsort((~keep).to(torch.int8), dim=1, stable=True)  # kept labels first, in time order
    packed = torch.gather(labels, 1, order)
    slots = torch.arange(steps, device=y_pred.device).unsqueeze(0) < counts.unsqueeze(1)
    decoded = torch.where(slots, packed, decoded)
    return [decoded], log_prob


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Keras 2 ``K.resize_volumes``: repeats voxels by integer factors along the three spatial axes."""
    x = _t(x)
    data_format = _conv_data_format(data_format)
    xc = _channels_first_view(x, data_format)
    factors = (depth_factor, height_factor, width_factor)
    size = tuple(int(n) * int(f) for n, f in zip(xc.shape[2:], factors))
    return _from_channels_first(F.interpolate(xc, size=size, mode="nearest"), data_format)


def _spatial_padding(x, padding, data_format, rank):
    x = _t(x)
    data_format = _conv_data_format(data_format)
    flat = []
    for before, after in reversed([tuple(p) for p in padding]):
        flat += [int(before), int(after)]
    if data_format == "channels_last":
        flat = [0, 0] + flat
    return F.pad(x, flat)


def temporal_padding(x, padding=(1, 1)):
    """Keras 2 ``K.temporal_padding``: zeros before and after axis 1 of (N, steps, C)."""
    return _spatial_padding(x, [padding], "channels_last", 1)


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Keras 2 ``K.spatial_2d_padding``: ((top, bottom), (left, right)) zeros."""
    return _spatial_padding(x, padding, data_format, 2)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Keras 2 ``K.spatial_3d_padding``."""
    return _spatial_padding(x, padding, data_format, 3)

# ---- end of convolution, pooling, padding and resizing -----------------------------------------------------
