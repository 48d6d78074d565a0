"""keras.ops.core on PyTorch: conversion, dtypes, slicing and scatter, control flow."""
import builtins

import numpy as np
import torch

from fastkeras.backend.torch.core import standardize_dtype, to_numpy, torch_dtype
from fastkeras.backend.torch.keras_ops._common import tensor


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    return tensor(x, dtype)


def convert_to_numpy(x):
    if isinstance(x, torch.Tensor):
        return to_numpy(x)
    return np.asarray(x)


def is_tensor(x):
    return isinstance(x, torch.Tensor)


def shape(x):
    """The shape as a tuple of ints."""
    if isinstance(x, torch.Tensor):
        return tuple(x.shape)
    return tuple(np.shape(x))


def dtype(x):
    """The Keras dtype name of ``x`` ('float32', 'int32', ...)."""
    if isinstance(x, torch.Tensor):
        return standardize_dtype(x.dtype)
    return standardize_dtype(tensor(x).dtype)


def cast(x, dtype):
    return tensor(x).to(torch_dtype(dtype))


def saturate_cast(x, dtype):
    x = tensor(x)
    target = torch_dtype(dtype)
    info = torch.iinfo(target) if not target.is_floating_point and target != torch.bool else None
    if info is None and target.is_floating_point:
        info = torch.finfo(target)
    if info is not None and target != torch.bool:
        lo, hi = info.min, info.max
        if x.dtype.is_floating_point or target.is_floating_point:
            x = torch.clamp(x.double() if not x.dtype.is_floating_point else x, lo, hi)
        else:
            x = torch.clamp(x.long(), lo, hi)
    return x.to(target)


def stop_gradient(variable):
    return tensor(variable).detach()


def _int_list(values):
    if isinstance(values, torch.Tensor):
        return [int(v) for v in values.tolist()]
    return [int(v) for v in values]


def slice(inputs, start_indices, shape):  # noqa: A001 - Keras name
    """``inputs[start:start+shape]`` along every axis."""
    inputs = tensor(inputs)
    starts, sizes = _int_list(start_indices), _int_list(shape)
    key = tuple(builtins.slice(s, s + n) for s, n in zip(starts, sizes))
    return inputs[key]


def slice_update(inputs, start_indices, updates):
    """A copy of ``inputs`` with ``updates`` written from ``start_indices`` on (differentiable in both)."""
    inputs, updates = tensor(inputs), tensor(updates)
    starts = _int_list(start_indices)
    key = tuple(builtins.slice(s, s + n) for s, n in zip(starts, updates.shape))
    out = inputs.clone()
    out[key] = updates.to(out.dtype)
    return out


def _index_tuple(indices):
    indices = tensor(indices).long()
    return tuple(indices[..., i] for i in range(indices.shape[-1]))


def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicates accumulate)."""
    values = tensor(values)
    out = torch.zeros(tuple(_int_list(shape)), dtype=values.dtype, device=values.device)
    return out.index_put(_index_tuple(indices), values, accumulate=True)


def scatter_update(inputs, indices, updates, reduction=None):
    inputs, updates = tensor(inputs), tensor(updates)
    key = _index_tuple(indices)
    if reduction is None:
        return inputs.index_put(key, updates.to(inputs.dtype))
    if reduction == "add":
        return inputs.index_put(key, updates.to(inputs.dtype), accumulate=True)
    reduce = {"max": "amax", "min": "amin", "mul": "prod"}.get(reduction)
    if reduce is None:
        raise ValueError(f"Unsupported reduction {reduction!r}: expected None, 'add', 'max', 'min' or 'mul'.")
    n = len(key)
    lead = inputs.shape[:n]
    strides = torch.tensor([int(np.prod(lead[i + 1:])) for i in range(n)], device=inputs.device)
    flat = builtins.sum(k * s for k, s in zip(key, strides))
    base = inputs.reshape((-1,) + tuple(inputs.shape[n:]))
    upd = updates.reshape((-1,) + tuple(inputs.shape[n:])).to(inputs.dtype)
    idx = flat.reshape(-1).view((-1,) + (1,) * (base.dim() - 1)).expand_as(upd)
    return base.scatter_reduce(0, idx, upd, reduce=reduce, include_self=True).reshape(inputs.shape)


def unstack(x, num=None, axis=0):
    return list(torch.unbind(tensor(x), dim=axis))


def cond(pred, true_fn, false_fn):
    pred = bool(pred.item()) if isinstance(pred, torch.Tensor) else bool(pred)
    return true_fn() if pred else false_fn()


def switch(index, branches, *operands):
    index = int(index.item()) if isinstance(index, torch.Tensor) else int(index)
    index = builtins.max(0, builtins.min(index, len(branches) - 1))
    return branches[index](*operands)


def fori_loop(lower, upper, body_fun, init_val):
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_tuple = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_tuple else (loop_vars,)
    step = 0

    def truth(value):
        return bool(value.item()) if isinstance(value, torch.Tensor) else bool(value)
    while truth(cond(*state)) and (maximum_iterations is None or step < maximum_iterations):
        out = body(*state)
        state = tuple(out) if is_tuple else (out,)
        step += 1
    return type(loop_vars)(state) if is_tuple else state[0]


def _stack_tree(results):
    first = results[0]
    if isinstance(first, (list, tuple)):
        return type(first)(_stack_tree([r[i] for r in results]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack_tree([r[k] for r in results]) for k in first}
    return torch.stack([tensor(r) for r in results])


def _unstack_tree(elements):
    if isinstance(elements, (list, tuple)):
        parts = [_unstack_tree(e) for e in elements]
        return [type(elements)(p) for p in zip(*parts)]
    if isinstance(elements, dict):
        keys = list(elements)
        parts = [_unstack_tree(elements[k]) for k in keys]
        return [dict(zip(keys, p)) for p in zip(*parts)]
    return list(torch.unbind(tensor(elements)))


def vectorized_map(function, elements):
    """``function`` applied to each slice of ``elements`` along axis 0, results stacked (torch.vmap when it can)."""
    try:
        return torch.vmap(function)(elements)
    except Exception:  # noqa: BLE001 - data-dependent Python in the function: loop instead
        return _stack_tree([function(e) for e in _unstack_tree(elements)])


def map(f, xs):  # noqa: A001 - Keras name
    return _stack_tree([f(x) for x in _unstack_tree(xs)])


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    items = _unstack_tree(xs) if xs is not None else [None] * int(length)
    if reverse:
        items = items[::-1]
    carry, ys = init, []
    for x in items:
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys = ys[::-1]
    stacked = None if not ys or ys[0] is None else _stack_tree(ys)
    return carry, stacked


def associative_scan(f, elems, reverse=False, axis=0):
    flat = isinstance(elems, (list, tuple))
    seq = [tensor(e) for e in elems] if flat else [tensor(elems)]
    n = seq[0].shape[axis]
    idx = range(n - 1, -1, -1) if reverse else range(n)
    outs, acc = [], None
    for i in idx:
        cur = [e.select(axis, i) for e in seq]
        cur = cur if flat else cur[0]
        acc = cur if acc is None else f(acc, cur)
        outs.append(acc)
    if reverse:
        outs = outs[::-1]
    if flat:
        return type(elems)(torch.stack([o[j] for o in outs], dim=axis) for j in range(len(seq)))
    return torch.stack(outs, dim=axis)


def custom_gradient(f):
    """Keras 3's decorator: ``f`` returns ``(output, grad_fn)``; ``grad_fn(*upstream)`` gives the input gradients."""
    def wrapper(*args):
        class _Fn(torch.autograd.Function):
            @staticmethod
            def forward(ctx, *inputs):
                with torch.enable_grad():
                    detached = [i.detach().requires_grad_(i.requires_grad) if isinstance(i, torch.Tensor) else i
                                for i in inputs]
                    output, grad_fn = f(*detached)
                ctx.grad_fn = grad_fn
                return output.detach() if isinstance(output, torch.Tensor) else output

            @staticmethod
            def backward(ctx, *upstream):
                grads = ctx.grad_fn(*upstream)
                return tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
        return _Fn.apply(*[tensor(a) for a in args])
    return wrapper


__all__ = ["convert_to_tensor", "convert_to_numpy", "is_tensor", "shape", "dtype", "cast", "saturate_cast",
           "stop_gradient", "slice", "slice_update", "scatter", "scatter_update", "unstack", "cond", "switch",
           "fori_loop", "while_loop", "vectorized_map", "map", "scan", "associative_scan", "custom_gradient"]
