"""The PyTorch engine: the only package (with the torch trainer) that imports torch."""
from fastkeras.backend.torch import core, normalization, ops, random
from fastkeras.backend.torch import embedding
from fastkeras.backend.torch import optimizer_kernels
from fastkeras.backend.torch import jit, mixed_precision
from fastkeras.backend.torch import host_memory
from fastkeras.backend.torch.core import *  # noqa: F401,F403
from fastkeras.backend.torch.ops import *  # noqa: F401,F403
from fastkeras.backend.torch.random import *  # noqa: F401,F403
from fastkeras.backend.torch.learning_phase import *  # noqa: F401,F403
from fastkeras.backend.torch.normalization import *  # noqa: F401,F403
from fastkeras.backend.torch.embedding import *  # noqa: F401,F403
from fastkeras.backend.torch.optimizer_kernels import *  # noqa: F401,F403
from fastkeras.backend.torch.rnn import *  # noqa: F401,F403
from fastkeras.backend.torch.jit import *  # noqa: F401,F403
from fastkeras.backend.torch.mixed_precision import *  # noqa: F401,F403
from fastkeras.backend.torch.host_memory import inference_host_memory, retain_freed_host_memory  # noqa: F401
import importlib

# The star import above binds the name `learning_phase` to the function, so
# reach the module itself through importlib.
_lp = importlib.import_module("fastkeras.backend.torch.learning_phase")
# Likewise `rnn` (the module) is shadowed by the function K.rnn.
_rnn = importlib.import_module("fastkeras.backend.torch.rnn")


def _public(module):
    return [n for n, v in vars(module).items()
            if not n.startswith("_") and callable(v) and getattr(v, "__module__", None) == module.__name__]


__all__ = sorted(set(_public(core) + _public(ops) + _public(random) + _public(_lp)
                 + _public(normalization) + _public(embedding) + _public(_rnn)
                 + _public(optimizer_kernels) + _public(jit) + _public(mixed_precision) + _public(host_memory))
                 - {"builtins_slice"}) + ["Variable", "DTYPES"]
