"""Layer calls of a functional model in Keras 3's node format, for ``.keras`` archives.

Keras 3 writes each call as ``{'args': [...], 'kwargs': {...}}``: the arguments as they were passed, each
symbolic tensor as ``{'class_name': '__keras_tensor__', 'config': {'shape', 'dtype', 'keras_history'}}``, arrays
as ``__numpy__`` and engine tensors as ``__tensor__`` entries. It also reads Keras 2's
``[layer, node_index, tensor_index, kwargs]`` lists, but passes their ``kwargs`` to the layer untouched: a
tensor given by keyword there (``MultiHeadAttention(query, value=v)``) reaches the layer as a list of a name and
two numbers, and a nested input structure (a dict of inputs) is flattened away. Keras 3's own format has
neither problem, so ``.keras`` files use it for every call. tf-keras reads neither form from a ``.keras``
file written for Keras 3 (it cannot import Keras 3's ``keras.src.models.functional`` and refuses
``batch_shape``; a file written for it, with Keras 2's numbering, breaks Keras 3 on nested models), so the
``.keras`` format follows Keras 3, whose native format it is, and tf-keras users keep ``.h5``.

Node indices count only the calls inside the model being written, from 0 (Keras 3's numbering; Keras 2
numbers a nested model's calls from 1). Keras 3's readers ignore a tensor's recorded shape and dtype (they
take the tensor the history names) but need them present, so the true ones are written.
"""
import numpy as np


def _tensor_entry(t, conversion):
    from fastkeras.engine.functional import node_key
    origin, node_index, tensor_index = t._keras_history
    return {"class_name": "__keras_tensor__",
            "config": {"shape": [None if d is None else int(d) for d in t.shape], "dtype": t.dtype,
                       "keras_history": [origin.name, conversion.get(node_key(origin, node_index), 0),
                                         tensor_index]}}


def _value_entry(value, conversion):
    """One call argument (any structure) as Keras 3's serialization writes it."""
    from fastkeras import backend as K
    from fastkeras.engine.keras_tensor import KerasTensor
    if isinstance(value, KerasTensor):
        return _tensor_entry(value, conversion)
    if isinstance(value, (list, tuple)):
        return [_value_entry(v, conversion) for v in value]
    if isinstance(value, dict):
        return {k: _value_entry(v, conversion) for k, v in value.items()}
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {"start": _value_entry(value.start, conversion),
                                                      "stop": _value_entry(value.stop, conversion),
                                                      "step": _value_entry(value.step, conversion)}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": value.dtype.name}}
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    if K.is_tensor(value):
        array = K.to_numpy(value)
        return {"class_name": "__tensor__", "config": {"value": array.tolist(),
                                                       "dtype": K.standardize_dtype(value.dtype)}}
    return value


def _states_by_keyword(layer, args, kwargs):
    """A recurrent layer called with symbolic ``initial_state`` (or ``constants``) holds ``[x, *states,
    *constants]`` as its input, as Keras 2 writes it; Keras 3 passes them by keyword (its ``call`` would take
    the list as the sequences)."""
    from fastkeras.layers.bidirectional import Bidirectional
    from fastkeras.layers.recurrent import RNN, standardize_args
    if not (isinstance(layer, (RNN, Bidirectional)) and len(args) == 1 and isinstance(args[0], (list, tuple))
            and len(args[0]) > 1 and "initial_state" not in kwargs and "constants" not in kwargs):
        return args, kwargs
    inputs, initial_state, constants = standardize_args(list(args[0]), None, None, layer._num_constants)
    kwargs = dict(kwargs)
    if initial_state:
        kwargs["initial_state"] = initial_state
    if constants:
        kwargs["constants"] = constants
    return (inputs,), kwargs


def serialize_node(node, conversion):
    """``{'args', 'kwargs'}`` for one layer call, in the form the user called the layer with (``config_call``);
    ``conversion`` maps node keys to Keras 3 node indices."""
    from fastkeras.saving.model_config import config_call
    args, kwargs = _states_by_keyword(node.layer, *config_call(node))
    return {"args": [_value_entry(a, conversion) for a in args],
            "kwargs": {k: _value_entry(v, conversion) for k, v in kwargs.items()}}


# ---------------------------------------------------------------------------------------------------------
# reading (the model builder calls these with the layers it has made)
# ---------------------------------------------------------------------------------------------------------

def is_call_record(data):
    """True for a Keras 3 node (``{'args': [...], 'kwargs': {...}}``); Keras 2 nodes are lists, or dicts of
    tensor references when the layer's input is a dict."""
    return isinstance(data, dict) and set(data) == {"args", "kwargs"} and isinstance(data["args"], list) \
        and isinstance(data["kwargs"], dict)


def is_tensor_entry(value):
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__" and \
        isinstance(value.get("config"), dict)


# The dtypes a `__numpy__` or `__tensor__` entry may name: plain numbers only, never Python objects.
_ARRAY_DTYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                           "float16", "bfloat16", "float32", "float64"})


def _array(config, where):
    dtype = config.get("dtype")
    if dtype not in _ARRAY_DTYPES:
        raise ValueError(f"{where} holds an array of dtype {dtype!r}; expected one of {sorted(_ARRAY_DTYPES)}.")
    value = config.get("value")
    if dtype == "bfloat16":
        return np.asarray(value, dtype="float32")
    return np.asarray(value, dtype=dtype)


def call_value(value, tensor_at, where):
    """A recorded call argument as the call needs it: ``__keras_tensor__`` entries become the tensors
    ``tensor_at(keras_history)`` returns, the value entries of Keras 3's serialization their values."""
    from fastkeras import backend as K
    if is_tensor_entry(value):
        history = value["config"].get("keras_history")
        if not (isinstance(history, list) and len(history) == 3):
            raise ValueError(f"Malformed model config: {where} has a tensor without a [layer, node_index, "
                             f"tensor_index] history (found {history!r}).")
        return tensor_at(history, where)
    if isinstance(value, list):
        return [call_value(v, tensor_at, where) for v in value]
    if not isinstance(value, dict):
        return value
    marker, config = value.get("class_name"), value.get("config")
    if isinstance(config, dict):
        if marker == "__numpy__":
            return _array(config, where)
        if marker == "__tensor__":
            return K.convert_to_tensor(_array(config, where), dtype=config["dtype"])
        if marker == "__slice__":
            return slice(*(call_value(config.get(k), tensor_at, where) for k in ("start", "stop", "step")))
        if marker == "__ellipsis__":
            return Ellipsis
        if marker == "__bytes__" and isinstance(config.get("value"), str):
            return config["value"].encode("utf-8")
    return {k: call_value(v, tensor_at, where) for k, v in value.items()}
