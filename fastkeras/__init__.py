"""fastkeras: the Keras 2 API on PyTorch.

``import fastkeras as keras`` and write Keras 2 code: layers, functional and
Sequential models, training, saving. Heavy optional modules (h5py, yaml) load
only when a feature needs them.
"""
from fastkeras import backend
from fastkeras import config  # Keras 3's keras.config over the same global settings
from fastkeras import experimental  # tf-keras' keras.experimental schedule names
from fastkeras import activations, constraints, initializers, regularizers
from fastkeras import callbacks, losses, metrics, optimizers
from fastkeras import optimizers
from fastkeras import layers
from fastkeras import mixed_precision
from fastkeras import models
from fastkeras.engine.input_layer import Input
from fastkeras.engine.sequential import Sequential
from fastkeras.engine.training import Model
from fastkeras import utils
from fastkeras import datasets, preprocessing
from fastkeras import wrappers  # keras.wrappers.scikit_learn (scikit-learn itself is imported only by its users)
from fastkeras import applications  # a name table: each architecture's module loads when first used

__version__ = "0.1.0"

# Keras 3's top-level names for the base classes (keras.Layer, keras.Loss, ...), the same classes as Keras 2's.
from fastkeras.engine.base_layer import Layer  # noqa: E402
from fastkeras.engine.input_spec import InputSpec  # noqa: E402
from fastkeras.engine.keras_tensor import KerasTensor  # noqa: E402
from fastkeras.initializers import Initializer  # noqa: E402
from fastkeras.losses import Loss  # noqa: E402
from fastkeras.metrics import Metric  # noqa: E402
from fastkeras.mixed_precision.policy import DTypePolicy, FloatDTypePolicy  # noqa: E402
from fastkeras.optimizers import Optimizer  # noqa: E402
from fastkeras.regularizers import Regularizer  # noqa: E402
name_scope = backend.name_scope
# Keras 3's keras.Variable is the engine's variable class (a torch Parameter) with Keras 3's constructor, and
# keras.device(name) the scope that places new variables and tensors.
Variable = backend.Variable
device = backend.device_scope


def version():
    """fastkeras' version (Keras 3's ``keras.version()``)."""
    return __version__


# Keras 3's modules that load when first used, keeping `import fastkeras` light.
_LAZY_MODULES = ("ops", "random", "tree", "dtype_policies")


def __getattr__(name):
    if name in _LAZY_MODULES:
        import importlib
        return importlib.import_module(f"fastkeras.{name}")
    raise AttributeError(f"module 'fastkeras' has no attribute {name!r}")


def __dir__():
    # The lazy modules are attributes too (dir() is how shells and IDEs complete `keras.`).
    return sorted(set(globals()) | set(_LAZY_MODULES))


__all__ = ["backend", "callbacks", "losses", "metrics", "optimizers", "activations", "constraints", "initializers",
           "regularizers", "layers", "mixed_precision", "models", "utils", "datasets", "preprocessing", "wrappers",
           "applications", "config", "experimental", "ops", "random", "Input", "Model", "Sequential", "__version__", "Layer", "InputSpec",
           "KerasTensor", "Initializer", "Loss", "Metric", "DTypePolicy", "FloatDTypePolicy", "Optimizer",
           "Regularizer", "name_scope", "version", "tree", "dtype_policies", "Variable", "device"]
