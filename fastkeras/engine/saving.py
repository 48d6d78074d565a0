"""Keras 2.2's ``keras.engine.saving``: whole-model files, configs and the weight conversion that loading uses,
under the module Keras 2.2 kept them in."""
from fastkeras.saving import load_model, save_model
from fastkeras.saving.model_config import model_from_config, model_from_json, model_from_yaml
from fastkeras.saving.remote import RemoteFiles
from fastkeras.saving.weight_conversion import preprocess_weights_for_loading

# The file system of URLs (gs://, s3://, ...), here and under this name as in Keras 2 (which used TensorFlow's
# file_io); fsspec does the work. Replaced by keras.utils.test_utils.tf_file_io_proxy in Keras 2's tests.
tf_file_io = RemoteFiles()



def ask_to_proceed_with_overwrite(filepath):
    """The question a save with ``overwrite=False`` asks before replacing ``filepath`` (Keras 2 kept it here);
    ``fastkeras.utils.io_utils.ask_to_proceed_with_overwrite`` asks it."""
    from fastkeras.utils import io_utils
    return io_utils.ask_to_proceed_with_overwrite(filepath)


__all__ = ["save_model", "load_model", "model_from_config", "model_from_json", "model_from_yaml",
           "preprocess_weights_for_loading", "ask_to_proceed_with_overwrite"]
