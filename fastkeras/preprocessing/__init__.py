"""Keras 2's ``keras.preprocessing``: ``sequence`` (padding, time-series windows, skip-grams), ``text`` and
``image`` (the PIL image-file helpers)."""
from fastkeras.preprocessing import image, sequence, text  # noqa: F401
from fastkeras.utils.dataset_utils import (  # noqa: F401
    image_dataset_from_directory, text_dataset_from_directory, timeseries_dataset_from_array,
)

__all__ = ["image", "sequence", "text", "image_dataset_from_directory", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
