"""Keras 2's ``keras.engine.network``: ``Network`` is the graph of layers a functional model is (here the
``Functional`` class, Keras 2.3+'s name for it), and ``get_source_inputs``."""
from fastkeras.engine.functional import Functional as Network
from fastkeras.utils.source_inputs import get_source_inputs

__all__ = ["Network", "get_source_inputs"]
