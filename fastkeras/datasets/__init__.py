"""Keras 2's ``keras.datasets`` (and Keras 3's ``california_housing``): the small classic datasets, read from (and downloaded into) Keras' cache.

Each module has Keras 2's ``load_data(...)``. Files live where Keras keeps
them, ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``), so a cache
filled by Keras is used as it is; a missing file is downloaded from Keras'
own address and checked against Keras' hash. Without network access the error
says which file to put where.
"""
from fastkeras.datasets import (  # noqa: F401
    boston_housing, california_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters,
)

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist", "reuters"]
