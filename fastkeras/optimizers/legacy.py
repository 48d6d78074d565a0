"""``keras.optimizers.legacy``: the Keras 2 names under which tf-keras keeps its pre-2.11 optimizers.

They are the same classes as ``fastkeras.optimizers`` (which accept the legacy ``lr`` and ``decay`` arguments),
so code written against ``tf.keras.optimizers.legacy.Adam(lr=..., decay=...)`` runs unchanged. The update rules
are the current tf-keras ones; they coincide with the legacy ones for SGD, Adam, Adadelta and RMSprop with momentum,
while the legacy Adagrad and momentum-free RMSprop (epsilon outside the square root), Adamax and Nadam differ
slightly.
"""


def __getattr__(name):
    # Resolved lazily: this module is imported by fastkeras.optimizers before the classes exist.
    import fastkeras.optimizers as optimizers
    if name in ("Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "Optimizer", "RMSprop", "SGD"):
        return getattr(optimizers, name)
    raise AttributeError(f"module 'fastkeras.optimizers.legacy' has no attribute {name!r}")


__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "Optimizer", "RMSprop", "SGD"]
