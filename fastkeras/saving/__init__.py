"""Saving and loading: whole models (``.keras``, Keras 2 ``.h5``), weights, configs, all without running code
from files. ``save_model``/``load_model`` are the entry points; ``SavingError`` and its subclasses are what
loading raises for any file it refuses or cannot read."""
from fastkeras.saving.errors import FileFormatError, SavingError, UnsafeFileError, WeightsMismatchError
# tf-keras 2.13+ also exposes object registration and (de)serialization under keras.saving.
from fastkeras.saving.serialization import (  # noqa: F401
    CustomObjectScope, custom_object_scope, get_custom_objects, register_keras_serializable)
from fastkeras.saving.serialization_lib import deserialize_keras_object, serialize_keras_object  # noqa: F401
from fastkeras.utils.registry import get_registered_name, get_registered_object  # noqa: F401
from fastkeras.saving.weights_api import load_weights, save_weights  # noqa: F401 - Keras 3's function forms


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
    from fastkeras.saving.saving_api import save_model as save
    return save(model, filepath, overwrite=overwrite, include_optimizer=include_optimizer, save_format=save_format,
                **kwargs)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True, **kwargs):
    from fastkeras.saving.saving_api import load_model as load
    return load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode, **kwargs)


save_model.__doc__ = "Saves a model to '.keras' or '.h5' atomically (see fastkeras.saving.saving_api.save_model)."
load_model.__doc__ = "Loads a '.keras' or '.h5' model safely (see fastkeras.saving.saving_api.load_model)."

__all__ = ["save_model", "load_model", "SavingError", "UnsafeFileError", "FileFormatError", "WeightsMismatchError",
           "custom_object_scope", "deserialize_keras_object", "get_custom_objects", "get_registered_name",
           "get_registered_object", "register_keras_serializable", "serialize_keras_object", "save_weights",
           "load_weights"]
