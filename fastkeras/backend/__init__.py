"""The engine interface: configuration plus the Keras 2 ``K`` function set.

Everything a layer computes goes through these functions, so that a second
engine (JAX) can be added as ``fastkeras/backend/jax/`` exposing the same
names. The engine is chosen once, at import, from ``FASTKERAS_BACKEND`` or
``~/.fastkeras/fastkeras.json`` (default ``torch``).
"""
import importlib

from fastkeras.backend.common import get_uid, reset_uids, to_snake_case, unique_object_name  # noqa: F401
from fastkeras.backend.config import (  # noqa: F401
    backend, epsilon, floatx, image_data_format, normalize_data_format,
    set_epsilon, set_floatx, set_image_data_format,
)

# Engine name -> module implementing the K functions.
ENGINES = {"torch": "fastkeras.backend.torch"}


def _load_engine(name):
    if name not in ENGINES:
        raise ValueError(
            f"Unknown backend engine {name!r} (set by FASTKERAS_BACKEND or ~/.fastkeras/fastkeras.json). "
            f"Available engines: {', '.join(sorted(ENGINES))}.")
    return importlib.import_module(ENGINES[name])


engine = _load_engine(backend())
globals().update({name: getattr(engine, name) for name in engine.__all__})
