"""``keras.experimental``: tf-keras keeps its first cosine learning-rate schedules here too (the same classes as
``keras.optimizers.schedules``). The premade LinearModel / WideDeepModel and the feature-column layers are not
provided."""
from fastkeras.optimizers.schedules import CosineDecay, CosineDecayRestarts  # noqa: F401

__all__ = ["CosineDecay", "CosineDecayRestarts"]
