"""``keras.callbacks.experimental``: the names tf-keras 2.x keeps there for old code."""
import warnings

from fastkeras.callbacks import BackupAndRestore as _BackupAndRestore


class BackupAndRestore(_BackupAndRestore):
    """Deprecated: tf-keras 2.x's ``keras.callbacks.experimental.BackupAndRestore``, the same callback as
    ``keras.callbacks.BackupAndRestore`` (with a deprecation warning, as tf-keras logs one)."""

    def __init__(self, *args, **kwargs):
        warnings.warn("`keras.callbacks.experimental.BackupAndRestore` endpoint is deprecated and will be removed "
                      "in a future release. Please use `keras.callbacks.BackupAndRestore`.", DeprecationWarning,
                      stacklevel=2)
        super().__init__(*args, **kwargs)


__all__ = ["BackupAndRestore"]
