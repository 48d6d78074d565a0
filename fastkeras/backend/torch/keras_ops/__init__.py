"""Keras 3's ``keras.ops`` and ``keras.random`` on PyTorch (imported by ``fastkeras.ops`` when first used).

One module per Keras 3 group (core, numpy, nn, math, linalg, image, random); each lists its ops in ``__all__``.
Dtypes follow Keras 3: Python floats become floatx, Python ints int32, integer reductions stay int32 and indices
come back as int32.
"""
