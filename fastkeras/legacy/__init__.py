"""Keras 1 compatibility, as multi-backend Keras 2.0-2.3.1 had it (``keras.legacy``).

``interfaces``: the Keras 1 argument names the layers still accept, converted with a warning.
``layers``: Keras 1 layers Keras 2 kept (Highway, MaxoutDense) and the Keras 1 class names
(Convolution2D, AtrousConvolution2D, ...) that read Keras 1's positional forms.

Nothing is imported here: the layer modules import ``interfaces`` while ``fastkeras.layers`` loads.
"""
