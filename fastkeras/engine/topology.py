"""Keras 2's ``keras.engine.topology``, the module Keras 2.0-2.1 kept its base classes in and Keras 2.2 kept for
backwards compatibility (``from keras.engine.topology import Layer`` in many custom layers)."""
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_layer import Input, InputLayer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.engine.network import Network, get_source_inputs
from fastkeras.engine.node import Node

__all__ = ["Input", "InputLayer", "InputSpec", "Layer", "Network", "Node", "get_source_inputs"]
