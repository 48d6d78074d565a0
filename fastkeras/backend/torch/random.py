"""Seeded random tensors. A seed gives the same numbers on every call, as in Keras 2."""
import warnings

import numpy as np
import torch

from fastkeras.backend.torch.core import convert_to_tensor, default_device, torch_dtype, variable


def _generator(seed):
    if seed is None:
        return None
    device = default_device()
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    return g


def _shape(shape):
    """A tuple of ints from a shape given as ints, numpy integers or 0-d tensors (``K.shape(x)[0]``)."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(f"A random tensor needs a fully known shape of integers, received {shape!r}. Inside a "
                         "Lambda layer, `K.shape(x)[0]` gives the batch size.") from None


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in [minval, maxval); the same ``seed`` gives the same numbers."""
    out = torch.empty(_shape(shape), dtype=torch_dtype(dtype), device=default_device())
    return out.uniform_(minval, maxval, generator=_generator(seed))


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples; the same ``seed`` gives the same numbers."""
    out = torch.empty(_shape(shape), dtype=torch_dtype(dtype), device=default_device())
    return out.normal_(mean, stddev, generator=_generator(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until within two standard deviations of the mean."""
    out = torch.empty(_shape(shape), dtype=torch_dtype(dtype), device=default_device())
    return torch.nn.init.trunc_normal_(out, mean, stddev, mean - 2 * stddev, mean + 2 * stddev,
                                       generator=_generator(seed))


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """1 with probability ``p`` (a uniform draw <= p, as Keras 2 does), else 0, in ``dtype``."""
    u = random_uniform(shape, dtype=dtype, seed=seed)
    return (u <= p).to(torch_dtype(dtype))


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Deprecated in Keras 2 for ``random_bernoulli``, which it calls."""
    warnings.warn("`K.random_binomial` is deprecated, and will be removed in a future version. Please use "
                  "`K.random_bernoulli` instead.", stacklevel=2)
    return random_bernoulli(shape, p, dtype, seed)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A new variable filled with uniform samples in [low, high)."""
    return variable(random_uniform(shape, low, high, dtype=dtype, seed=seed), dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A new variable filled with normal samples of mean ``mean`` and standard deviation ``scale``."""
    return variable(random_normal(shape, mean, scale, dtype=dtype, seed=seed), dtype=dtype, name=name)


def dropout(x, level, noise_shape=None, seed=None):
    """Inverted dropout: zeroes a fraction ``level`` and scales the rest by 1/(1-level)."""
    x = convert_to_tensor(x)
    level = float(level)
    if not 0.0 <= level < 1.0:
        raise ValueError(f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={level}")
    if level == 0.0:
        return x
    if noise_shape is None and seed is None:
        return torch.nn.functional.dropout(x, p=float(level), training=True)
    shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape)) if noise_shape else x.shape
    keep = random_uniform(shape, dtype=x.dtype, seed=seed) >= level
    return x * keep.to(x.dtype) / (1.0 - level)


def orthogonal(shape, gain=1.0, dtype=None, seed=None):
    """An orthogonal matrix (flattened to ``shape``), as Keras' Orthogonal initializer draws it."""
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    cols = int(shape[-1])
    flat = (max(rows, cols), min(rows, cols))
    a = random_normal(flat, dtype="float32", seed=seed).cpu()
    q, r = torch.linalg.qr(a)
    q = q * torch.sign(torch.diagonal(r))
    if rows < cols:
        q = q.T
    return (gain * q.reshape(tuple(shape))).to(device=default_device(), dtype=torch_dtype(dtype))


def set_seed(seed):
    torch.manual_seed(int(seed))
