"""Keras 2's ``keras.preprocessing.image`` path for the PIL image helpers (see ``fastkeras.utils.image_utils``).

tf-keras' ImageDataGenerator and random-transform functions are not provided here.
"""
from fastkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
