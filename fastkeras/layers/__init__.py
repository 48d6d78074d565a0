"""Keras 2 layers. ``deserialize`` resolves class names only through this package's table."""
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_layer import Input, InputLayer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.layers.core import Activation, Dense, Dropout, Flatten, Lambda, Permute, RepeatVector, Reshape
from fastkeras.layers.merge import (
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract,
    add, average, concatenate, dot, maximum, minimum, multiply, subtract,
)
from fastkeras.layers.serialization import deserialize, get_builtin_layer, serialize  # noqa: F401
