"""Keras 2's ``keras.preprocessing``: ``sequence`` (padding, time-series windows, skip-grams), ``text`` and
``image`` (the PIL image-file helpers)."""
from fastkeras.preprocessing import image, sequence, text  # noqa: F401

__all__ = ["image", "sequence", "text"]
