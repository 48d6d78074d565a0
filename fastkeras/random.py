"""Keras 3's ``keras.random``: seeded random tensors and ``SeedGenerator``.

``keras.random.normal((2, 3), seed=1)`` gives the same numbers on every call; with
``seed=keras.random.SeedGenerator(1)`` each call draws anew, and a generator built with the same seed replays the
same sequence. Without a seed the draw comes from torch's global generator (``torch.manual_seed``).
"""
import importlib as _importlib

from fastkeras import backend as _K

_impl = _importlib.import_module(f"{_K.engine.__name__}.keras_ops.random")
globals().update({_n: getattr(_impl, _n) for _n in _impl.__all__})
__all__ = list(_impl.__all__)
