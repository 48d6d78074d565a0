"""Keras 3's ``keras.ops``: NumPy-style, neural-network, math, linear-algebra and image ops.

``keras.ops.mean(x)`` works on torch tensors and NumPy arrays (returning engine tensors, autograd flowing
through) and on symbolic tensors of a functional model, where each call becomes a graph node that saves and
loads. The groups are ``ops.core``, ``ops.numpy``, ``ops.nn``, ``ops.math``, ``ops.linalg``, ``ops.image`` and
``ops.einops`` (``rearrange``); this namespace holds them all flat, as Keras 3's does.
"""
from fastkeras.ops import core, einops, image, linalg, math, nn, numpy  # noqa: F401
from fastkeras.ops._dispatch import resolve_op  # noqa: F401

# Flat namespace: a name in several groups resolves as Keras 3's keras.ops does (numpy's ``abs``, nn's
# ``sigmoid``, core's ``slice``).
for _group in (einops, linalg, image, math, nn, numpy, core):
    globals().update({_n: getattr(_group, _n) for _n in _group.__all__})
for _n in ("relu", "relu6", "sigmoid", "softmax", "log_softmax", "softplus", "softsign", "silu", "swish", "gelu",
           "elu", "selu", "leaky_relu", "hard_sigmoid", "hard_silu", "one_hot"):
    globals()[_n] = getattr(nn, _n)
for _n in ("norm",):
    globals()[_n] = getattr(linalg, _n)
for _n in ("tanh", "abs", "exp", "log", "sqrt", "square", "mean", "sum", "max", "min", "transpose", "reshape"):
    globals()[_n] = getattr(numpy, _n)

__all__ = sorted({n for g in (core, numpy, nn, math, linalg, image, einops) for n in g.__all__})
del _group, _n
