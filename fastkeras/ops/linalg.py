"""``keras.ops.linalg`` (Keras 3) on the fastkeras engine."""
from fastkeras.ops._dispatch import export as _export

__all__ = _export(globals(), "linalg")
