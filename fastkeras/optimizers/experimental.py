"""``keras.optimizers.experimental``: where tf-keras 2.9-2.10 put its new optimizers before they became the
default (2.11), a name old code still imports. In tf-keras 2.11+ (as here) each name is the current class."""

_NAMES = ("Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Nadam", "Optimizer", "RMSprop",
          "SGD")


def __getattr__(name):
    # Resolved lazily: this module is imported by fastkeras.optimizers before the classes exist.
    import fastkeras.optimizers as optimizers
    if name in _NAMES:
        return getattr(optimizers, name)
    raise AttributeError(f"module 'fastkeras.optimizers.experimental' has no attribute {name!r}; it holds "
                         f"{', '.join(_NAMES)}")


def __dir__():
    return sorted(_NAMES)


__all__ = list(_NAMES)
