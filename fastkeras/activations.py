"""Built-in activation functions, as ``keras.activations`` in Keras 2 (tf-keras 2.x).

Every function computes through the engine's ``K`` functions, with the common
cases in a single engine call. ``get``/``deserialize`` resolve a name only
through this module's table, the caller's ``custom_objects`` and the
registered custom objects: nothing named in a config is imported.
"""
from fastkeras import backend as K
from fastkeras.saving import serialization


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple of ints).

    As in Keras 2, a 1D input is refused: softmax normalizes each sample of a batch.
    """
    if not hasattr(x, "shape"):
        x = K.convert_to_tensor(x)
    if len(x.shape) <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    if isinstance(axis, int):
        return K.softmax(x, axis)
    e = K.exp(x - K.max(x, axis=axis, keepdims=True))
    return e / K.sum(e, axis=axis, keepdims=True)


def elu(x, alpha=1.0):
    """``x`` if ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return K.elu(x, alpha)


def selu(x):
    """``scale * elu(x, alpha)`` with alpha=1.67326324 and scale=1.05070098."""
    return K.selu(x)


def softplus(x):
    """``log(exp(x) + 1)``."""
    return K.softplus(x)


def softsign(x):
    """``x / (abs(x) + 1)``."""
    return K.softsign(x)


def swish(x):
    """``x * sigmoid(x)``."""
    return K.swish(x)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2's rectifier.

    ``x`` above ``threshold`` (0 at or below it), clipped to ``[0, max_value]``
    when ``max_value`` is given, minus ``alpha * relu(threshold - x)``.
    """
    if threshold == 0:
        if max_value is None:
            return K.relu(x, alpha=alpha)
        if alpha == 0:
            return K.relu(x, max_value=max_value)
    x = K.convert_to_tensor(x)
    if alpha != 0:
        negative_part = K.relu(threshold - x) if threshold != 0 else K.relu(-x)
    if threshold != 0:
        out = x * K.cast(K.greater(x, threshold), K.dtype(x))
    else:
        out = K.relu(x)
    if max_value is not None:
        # Keras 2 clips with clip_by_value(out, 0, max_value): minimum(maximum(out, 0), max_value).
        out = K.minimum(K.maximum(out, 0.0), max_value)
    if alpha != 0:
        out = out - alpha * negative_part
    return out


def gelu(x, approximate=False):
    """``0.5 * x * (1 + erf(x / sqrt(2)))``, or its tanh approximation if ``approximate``."""
    return K.gelu(x, approximate=bool(approximate))


def tanh(x):
    """Hyperbolic tangent."""
    return K.tanh(x)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return K.sigmoid(x)


def exponential(x):
    """``exp(x)``."""
    return K.exp(x)


def hard_sigmoid(x):
    """Keras 2's piecewise-linear sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``."""
    return K.hard_sigmoid(x)


def linear(x):
    """The identity: returns ``x`` unchanged."""
    return x


def mish(x):
    """``x * tanh(softplus(x))``."""
    return x * K.tanh(K.softplus(x))


# Names tf-keras 2.x also resolves in `deserialize` (aliases of tf.nn functions).

def leaky_relu(x, alpha=0.2):
    """``x`` if ``x > 0``, else ``alpha * x`` (``tf.nn.leaky_relu``)."""
    return K.relu(x, alpha=alpha)


def log_softmax(x, axis=-1):
    """``x - log(sum(exp(x)))`` along ``axis`` (``tf.nn.log_softmax``)."""
    return K.log_softmax(x, axis)


def apply_to_own_output(activation, outputs):
    """``activation(outputs)`` for a layer's own fresh pre-activation tensor (Dense, Conv): the plain rectifier
    then runs in place. Autograd allows it: the matmul or convolution before it does not keep its output for its
    gradient, and the rectifier's gradient needs only its result."""
    if activation is relu:
        return K.relu_in_place(outputs)
    return activation(outputs)


def relu6(x):
    """``min(max(x, 0), 6)`` (``tf.nn.relu6``)."""
    return K.relu(x, max_value=6.0)


def silu(x, beta=1.0):
    """``x * sigmoid(beta * x)`` (``tf.nn.silu``)."""
    if beta == 1.0:
        return K.swish(x)
    return x * K.sigmoid(beta * x)


# Keras 3's activations. Their kernels are keras.ops.nn's (imported when first called: fastkeras.ops needs the
# engine's symbolic tensors, which import this module), so a symbolic input becomes a graph node as in Keras 3.

def _nn():
    from fastkeras.ops import nn
    return nn


def celu(x, alpha=1.0):
    """``x`` if ``x >= 0``, else ``alpha * (exp(x / alpha) - 1)`` (Keras 3)."""
    return _nn().celu(x, alpha=alpha)


def glu(x, axis=-1):
    """Gated linear unit (Keras 3): ``x`` split in two halves ``a, b`` along ``axis``, then ``a * sigmoid(b)``;
    the axis must have an even size, and the output has half of it."""
    return _nn().glu(x, axis=axis)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0 (Keras 3)."""
    return _nn().hard_shrink(x, threshold=threshold)


def hard_silu(x):
    """``x * relu6(x + 3) / 6`` (Keras 3; also named ``hard_swish``)."""
    return _nn().hard_silu(x)


hard_swish = hard_silu


def hard_tanh(x):
    """``clip(x, -1, 1)`` (Keras 3)."""
    return _nn().hard_tanh(x)


def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)`` (Keras 3)."""
    return _nn().log_sigmoid(x)


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0 (Keras 3)."""
    return _nn().soft_shrink(x, threshold=threshold)


def sparse_plus(x):
    """0 for ``x <= -1``, ``(x + 1)^2 / 4`` between -1 and 1, ``x`` from 1 on (Keras 3)."""
    return _nn().sparse_plus(x)


def sparse_sigmoid(x):
    """``clip((x + 1) / 2, 0, 1)`` (Keras 3)."""
    return _nn().sparse_sigmoid(x)


def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the probability simplex along ``axis`` (Keras 3): like softmax it sums
    to 1, but small entries are exactly 0."""
    return _nn().sparsemax(x, axis=axis)


def squareplus(x, b=4):
    """``(x + sqrt(x^2 + b)) / 2``, a smooth rectifier (Keras 3)."""
    return _nn().squareplus(x, b=b)


def tanh_shrink(x):
    """``x - tanh(x)`` (Keras 3)."""
    return _nn().tanh_shrink(x)


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value`` (Keras 3; both arguments are required)."""
    return _nn().threshold(x, threshold, default_value)


_ACTIVATIONS = {fn.__name__: fn for fn in (
    softmax, elu, selu, softplus, softsign, swish, relu, gelu, tanh, sigmoid, exponential, hard_sigmoid, linear,
    mish, leaky_relu, log_softmax, relu6, silu,
    celu, glu, hard_shrink, hard_silu, hard_tanh, log_sigmoid, soft_shrink, sparse_plus, sparse_sigmoid, sparsemax,
    squareplus, tanh_shrink, threshold)}
_ACTIVATIONS["hard_swish"] = hard_silu  # serialized as 'hard_silu', as Keras 3 does

# TensorFlow names some functions differently from their Keras name.
_TF_ACTIVATIONS_V2 = {"softmax_v2": "softmax"}

_KIND = "activation function"


def _registered_name(obj):
    for key, value in serialization.get_custom_objects().items():
        if value is obj:
            return key
    return getattr(obj, "__name__", type(obj).__name__)


def _plain(value):
    """numpy scalars as Python numbers, numpy arrays as tf-keras' ``__numpy__`` entries, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if type(value).__module__ == "numpy":
        if getattr(value, "ndim", 0) > 0:
            return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": value.dtype.name}}
        return value.item()
    return value


def serialize(activation, use_legacy_format=False):
    """The name of a built-in activation function (``'relu'``).

    A custom function gives the tf-keras 2.x entry ``{'module', 'class_name': 'function', 'config': name,
    'registered_name'}`` (just its name with ``use_legacy_format=True``); an object with ``get_config``
    (an activation layer, a callable class) gives its class entry.
    """
    if activation is None:
        return None
    if isinstance(activation, str):
        raise ValueError(f"Unknown activation function '{activation}' cannot be serialized: expected a function, "
                         "got a string.")
    name = getattr(activation, "__name__", None)
    if name in _TF_ACTIVATIONS_V2:
        return _TF_ACTIVATIONS_V2[name]
    if not isinstance(activation, type) and hasattr(activation, "get_config"):
        cls = type(activation)
        registered = _registered_name(cls)
        config = activation.get_config()
        if use_legacy_format:
            return {"class_name": registered, "config": config}
        module = None if cls.__module__ == "__main__" else cls.__module__
        return {"module": module, "class_name": cls.__name__, "config": _plain(config), "registered_name": registered}
    if name is None:
        raise ValueError(f"Unknown activation function '{activation}' cannot be serialized: it has neither a "
                         "name nor a get_config() method.")
    if name in _ACTIVATIONS:
        return name
    registered = _registered_name(activation)
    if use_legacy_format:
        return registered
    module = getattr(activation, "__module__", None)
    return {"module": None if module == "__main__" else module, "class_name": "function", "config": registered,
            "registered_name": "function"}


def _resolve(name, custom_objects):
    obj = serialization.deserialize_keras_object(name, _ACTIVATIONS, custom_objects, kind=_KIND)
    # A class named by a string is instantiated with no arguments, as Keras 2 does.
    return obj() if isinstance(obj, type) else obj


def deserialize(name, custom_objects=None, use_legacy_format=False):
    """The activation function a name (or a config dict) stands for.

    Raises ``ValueError("Unknown activation function: 'name' ...")`` for a name
    that is neither built in, nor in ``custom_objects``, nor registered.
    """
    if isinstance(name, str):
        return _resolve(name, custom_objects)
    if isinstance(name, dict):
        class_name = name.get("class_name")
        config = name.get("config")
        if class_name == "function" and isinstance(config, str):
            # tf-keras 2.13+: {'module': ..., 'class_name': 'function', 'config': 'relu', 'registered_name': ...}
            return _resolve(config, custom_objects)
        if not isinstance(class_name, str):
            raise ValueError(f"Improper config format for {_KIND}: expected a 'class_name' string, got {name!r}.")
        registered = name.get("registered_name")
        if isinstance(registered, str) and registered != "function" and \
                serialization.lookup(registered, _ACTIVATIONS, custom_objects) is not None:
            class_name = registered
        obj = serialization.deserialize_keras_object(class_name, _ACTIVATIONS, custom_objects, kind=_KIND)
        if isinstance(obj, type):
            # An activation object (a callable class, e.g. an activation layer) built from its config.
            return serialization.deserialize_keras_object({"class_name": class_name, "config": config or {}},
                                                          _ACTIVATIONS, custom_objects, kind=_KIND)
        return obj
    raise TypeError(f"Could not interpret activation function identifier: {name!r}")


def get(identifier):
    """``None`` -> ``linear``; a name or config dict -> the function; a callable -> itself."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation function identifier: {identifier!r}")


__all__ = sorted(_ACTIVATIONS) + ["serialize", "deserialize", "get"]
