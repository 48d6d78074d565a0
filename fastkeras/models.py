"""Model classes and model-level loading functions (Keras 2's ``keras.models``)."""
import sys

from fastkeras.engine.cloning import clone_model
from fastkeras.engine.functional import Functional
from fastkeras.engine.sequential import Sequential
from fastkeras.engine.training import Model
from fastkeras.saving import load_model, save_model
from fastkeras.saving.model_config import model_from_config, model_from_json, model_from_yaml
from fastkeras import models_experimental as experimental  # tf-keras' keras.models.experimental

# This module is not a package: registering the submodule's dotted name lets
# `from fastkeras.models.experimental import SharpnessAwareMinimization` work as it does with tf-keras.
sys.modules[__name__ + ".experimental"] = experimental

__all__ = ["Model", "Sequential", "Functional", "clone_model", "model_from_config", "model_from_json", "model_from_yaml",
           "load_model", "save_model", "experimental"]
