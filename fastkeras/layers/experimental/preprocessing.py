"""``keras.layers.experimental.preprocessing``: tf-keras' former home of the preprocessing layers, kept for the
code that still imports them from here."""
from fastkeras.layers.hashed_crossing import HashedCrossing  # noqa: F401
from fastkeras.layers.preprocessing import (  # noqa: F401
    CenterCrop, Normalization, PreprocessingLayer, RandomContrast, RandomCrop, RandomFlip, RandomHeight, RandomRotation,
    RandomTranslation, RandomWidth, RandomZoom, Rescaling, Resizing)
from fastkeras.layers.preprocessing_lookup import (  # noqa: F401
    CategoryEncoding, Discretization, Hashing, IntegerLookup, StringLookup, TextVectorization)
