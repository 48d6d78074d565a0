"""Op layers (TFOpLambda, SlicingOpLambda) in Keras 2 model configs, as tf-keras writes and reads them.

Two things differ from fastkeras' own record of such a call:

* tf-keras keeps an op layer's input structure in the config (``_preserve_input_structure_in_config``): a node
  whose input is one tensor is that tensor's ``[layer, node, tensor, kwargs]`` itself, not a list holding it,
  and tf-keras calls the op with exactly what the node holds (a list would reach ``tf.math.multiply`` as x).
* A reflected operator (``2.0 - x``) is the plain operation with a constant first argument,
  ``['_CONSTANT_VALUE', -1, 2.0, {'y': [x], ...}]`` under ``math.subtract``; fastkeras records it on ``x`` as
  ``math.rsubtract`` with ``y=2.0`` (its layers take symbolic inputs only), a name TensorFlow does not have.

``to_tf_keras`` rewrites a fastkeras entry into tf-keras' form when writing Keras 2 configs (``.h5``, JSON);
``from_tf_keras`` turns tf-keras' reflected form back when reading. Both work on data only.
"""
_CONSTANT_VALUE = "_CONSTANT_VALUE"
_OP_LAYERS = ("TFOpLambda", "SlicingOpLambda")
# fastkeras' reflected operator -> the operation tf-keras records (with the constant first).
_PLAIN_OF_REFLECTED = {
    "__operators__.radd": "__operators__.add", "math.rsubtract": "math.subtract",
    "math.rmultiply": "math.multiply", "math.rtruediv": "math.truediv", "math.rfloordiv": "math.floordiv",
    "math.rfloormod": "math.floormod", "math.rpow": "math.pow", "linalg.rmatmul": "linalg.matmul",
}
_REFLECTED_OF_PLAIN = {plain: reflected for reflected, plain in _PLAIN_OF_REFLECTED.items()}
_REFLECTED_OF_PLAIN["compat.v1.floor_div"] = "math.rfloordiv"  # tf-keras' name for `//`


def _is_ref(x):
    return isinstance(x, list) and len(x) in (3, 4) and isinstance(x[0], str) and isinstance(x[1], int) \
        and not isinstance(x[1], bool)


def _is_op_entry(entry):
    return isinstance(entry, dict) and entry.get("class_name") in _OP_LAYERS and \
        isinstance(entry.get("config"), dict) and isinstance(entry.get("inbound_nodes"), list)


def _unwrapped(node):
    """``[[ref]]`` -> ``[ref]``: one tensor as the input, as tf-keras records it for op layers."""
    if isinstance(node, list) and len(node) == 1 and _is_ref(node[0]):
        return node[0]
    return node


def _reflected_as_tf_keras(node):
    """``[x, i, j, {'y': c}]`` (fastkeras' reflected op on x) as ``['_CONSTANT_VALUE', -1, c, {'y': [x, i, j]}]``;
    None when the node is not of that shape."""
    if not (_is_ref(node) and len(node) == 4 and isinstance(node[3], dict) and "y" in node[3]) \
            or _is_ref(node[3]["y"]):
        return None
    kwargs = dict(node[3])
    constant = kwargs.pop("y")
    return [_CONSTANT_VALUE, -1, constant, {"y": node[:3], **kwargs}]


def to_tf_keras(entry):
    """An op layer's entry (fastkeras' Keras 2 config) as tf-keras writes it; other entries unchanged."""
    if not _is_op_entry(entry):
        return entry
    nodes = [_unwrapped(node) for node in entry["inbound_nodes"]]
    function = entry["config"].get("function")
    if function in _PLAIN_OF_REFLECTED:
        reflected = [_reflected_as_tf_keras(node) for node in nodes]
        if all(node is not None for node in reflected):
            return {**entry, "config": {**entry["config"], "function": _PLAIN_OF_REFLECTED[function]},
                    "inbound_nodes": reflected}
    return {**entry, "inbound_nodes": nodes}


def _reflected_as_fastkeras(node):
    """``['_CONSTANT_VALUE', -1, c, {'y': ref}]`` as ``[x, i, j, {'y': c}]``; None when not of that shape."""
    if isinstance(node, list) and len(node) == 1:
        node = node[0]
    if not (isinstance(node, list) and len(node) == 4 and node[0] == _CONSTANT_VALUE and isinstance(node[3], dict)
            and _is_ref(node[3].get("y"))):
        return None
    kwargs = {k: v for k, v in node[3].items() if k not in ("y", "name")}
    return list(node[3]["y"][:3]) + [{"y": node[2], **kwargs}]


def from_tf_keras(entry):
    """An op layer's entry with tf-keras' constant-first operators rewritten as fastkeras records them."""
    if not _is_op_entry(entry) or entry["config"].get("function") not in _REFLECTED_OF_PLAIN:
        return entry
    nodes = [_reflected_as_fastkeras(node) for node in entry["inbound_nodes"]]
    if not nodes or any(node is None for node in nodes):
        return entry
    function = _REFLECTED_OF_PLAIN[entry["config"]["function"]]
    return {**entry, "config": {**entry["config"], "function": function}, "inbound_nodes": nodes}
