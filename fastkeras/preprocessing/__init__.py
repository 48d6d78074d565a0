"""Keras 2's ``keras.preprocessing``: ``sequence`` (padding, time-series windows, skip-grams) and ``text``."""
from fastkeras.preprocessing import sequence, text  # noqa: F401

__all__ = ["sequence", "text"]
