"""``keras.ops.rearrange`` (Keras 3's ``keras.src.ops.einops``) on the fastkeras engine."""
from fastkeras.ops._dispatch import export as _export

__all__ = _export(globals(), "einops")
