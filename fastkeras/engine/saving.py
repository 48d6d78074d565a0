"""Keras 2.2's ``keras.engine.saving``: whole-model files, configs and the weight conversion that loading uses,
under the module Keras 2.2 kept them in."""
from fastkeras.saving import load_model, save_model
from fastkeras.saving.model_config import model_from_config, model_from_json, model_from_yaml
from fastkeras.saving.weight_conversion import preprocess_weights_for_loading



def ask_to_proceed_with_overwrite(filepath):
    """The question a save with ``overwrite=False`` asks before replacing ``filepath`` (Keras 2 kept it here);
    ``fastkeras.utils.io_utils.ask_to_proceed_with_overwrite`` asks it."""
    from fastkeras.utils import io_utils
    return io_utils.ask_to_proceed_with_overwrite(filepath)


__all__ = ["save_model", "load_model", "model_from_config", "model_from_json", "model_from_yaml",
           "preprocess_weights_for_loading", "ask_to_proceed_with_overwrite"]
