"""Engine-independent state: the counters behind unique layer names, and the hooks through which the engine
layer (symbolic tensors, layers, models) serves the K functions that need it."""
import collections
import contextlib
import re

import numpy as np

# Keras 2's keras.backend.common also held the global settings; code (and Keras' own numpy reference backend)
# imports them from there.
from fastkeras.backend.config import (  # noqa: F401
    epsilon, floatx, image_data_format, normalize_data_format, set_epsilon, set_floatx, set_image_data_format,
)

_UIDS = collections.defaultdict(int)

# Filled by fastkeras.engine at import (the backend never imports the engine): 'is_keras_tensor',
# 'call_symbolic' (run a K function on symbolic tensors as a layer), 'placeholder', 'function'.
ENGINE_HOOKS = {}


class TensorShape(tuple):
    """A shape tuple (``None`` for unknown dimensions) with TensorFlow's ``as_list()``: what a symbolic tensor's
    ``shape`` and a weight's ``get_shape()`` give."""

    def as_list(self):
        return list(self)

    @property
    def rank(self):
        return len(self)

    @property
    def ndims(self):
        return len(self)


def register_engine_hooks(**hooks):
    ENGINE_HOOKS.update(hooks)


def engine_hook(name, what):
    hook = ENGINE_HOOKS.get(name)
    if hook is None:
        raise RuntimeError(f"{what} needs fastkeras' engine: `import fastkeras` before using it.")
    return hook


def get_uid(prefix=""):
    """1, 2, 3 ... per prefix (Keras 2's ``K.get_uid``)."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def unique_object_name(prefix, zero_based=True, avoid=()):
    """'dense', 'dense_1', ... (zero_based) or 'input_1', 'input_2', ... as Keras 2 names them."""
    while True:
        if zero_based:
            number = _UIDS[prefix]
            _UIDS[prefix] += 1
            name = f"{prefix}_{number}" if number else prefix
        else:
            _UIDS[prefix] += 1
            name = f"{prefix}_{_UIDS[prefix]}"
        if name not in avoid:
            return name


def reset_uids():
    _UIDS.clear()


@contextlib.contextmanager
def fresh_object_names():
    """Unique names counted from zero inside the block; the counts outside resume after it.

    tf-keras builds the metrics ``compile`` was given by name inside its step function's graph, whose name
    counts start afresh: ``metrics=['AUC']`` logs 'auc' however many AUC objects the session made before."""
    global _UIDS
    outer = _UIDS
    _UIDS = collections.defaultdict(int)
    try:
        yield
    finally:
        _UIDS = outer


def to_snake_case(name):
    """'BatchNormalization' -> 'batch_normalization', 'Conv2D' -> 'conv2d', 'ConvLSTM2D' -> 'conv_lstm2d'.

    tf-keras' rule (and Keras 3's, which names ``.keras`` weight paths by it): a capital starts a word only
    when lowercase letters follow. Keras 2.2's rule also let digits follow, giving 'conv_lst_m2d'."""
    intermediate = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    snake = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return snake if snake[0] != "_" else "private" + snake


def cast_to_floatx(x):
    """``x`` as a NumPy array of the default float type (Keras 2's ``keras.backend.common.cast_to_floatx``)."""
    return np.asarray(x, dtype=floatx())
