"""Model classes and model-level loading functions (Keras 2's ``keras.models``)."""
from fastkeras.engine.cloning import clone_model
from fastkeras.engine.functional import Functional
from fastkeras.engine.sequential import Sequential
from fastkeras.engine.training import Model
from fastkeras.saving import load_model, save_model
from fastkeras.saving.model_config import model_from_config, model_from_json, model_from_yaml

__all__ = ["Model", "Sequential", "Functional", "clone_model", "model_from_config", "model_from_json", "model_from_yaml",
           "load_model", "save_model"]
