"""Keras 2's ``keras.preprocessing.image``: the PIL image-file helpers (``fastkeras.utils.image_utils``) and
the data-augmentation API (``ImageDataGenerator``, its iterators and the random transforms, in
``fastkeras.preprocessing.image_generator``)."""
from fastkeras.preprocessing.image_generator import (  # noqa: F401
    DataFrameIterator, DirectoryIterator, ImageDataGenerator, Iterator, NumpyArrayIterator, apply_affine_transform,
    apply_brightness_shift, apply_channel_shift, random_brightness, random_channel_shift, random_rotation,
    random_shear, random_shift, random_zoom, smart_resize,
)
from fastkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401

__all__ = [
    "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator", "DataFrameIterator",
    "apply_affine_transform", "apply_brightness_shift", "apply_channel_shift", "random_rotation", "random_shift",
    "random_shear", "random_zoom", "random_brightness", "random_channel_shift", "smart_resize",
    "array_to_img", "img_to_array", "load_img", "save_img",
]
