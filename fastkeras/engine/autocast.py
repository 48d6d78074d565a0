"""How a layer's dtype policy shapes its calls in a model that computes in 16 bits (mixed precision).

Keras 2 semantics: a layer casts the floating tensors of its first argument to its compute dtype; a layer with a
mixed policy reads its float32 variables as 16-bit values inside ``call`` and so outputs 16-bit tensors; a
float32 layer in a mixed model (the recommended ``Activation('softmax', dtype='float32')`` at the output)
computes in float32. Here the 16-bit reads come from ``torch.autocast`` around the call, and a float32 layer
runs with autocasting off.

None of this runs for models without a mixed layer: their graph steps call ``layer.call`` directly, and an
eager layer call checks one attribute (see ``Layer._eager_call``).
"""
from fastkeras import backend as K
from fastkeras.engine import tree

_FLOATING = ("float16", "bfloat16", "float32", "float64")
_HALF = ("float16", "bfloat16")


def policy_call(layer, call):
    """``call`` (``layer.call`` or a bound equivalent) wrapped to follow ``layer``'s dtype policy."""
    policy = layer._mixed_policy
    compute = layer.compute_dtype
    autocast = layer._autocast
    # Outputs of a leaf layer take the compute dtype (what Keras' 16-bit variables give). A layer made of
    # other layers returns what they returned: a float32 sublayer's output stays float32.
    leaf = not layer._tracked_layers and not getattr(layer, "_is_graph_network", False)
    if policy is not None:
        def mixed_call(inputs, *args, **kwargs):
            if autocast:
                inputs = K.cast_floating(inputs, compute)
            with K.autocast_scope(compute):
                outputs = call(inputs, *args, **kwargs)
            return K.cast_floating(outputs, compute) if leaf else outputs
        return mixed_call
    if compute not in _FLOATING:
        return call

    def full_precision_call(inputs, *args, **kwargs):
        if autocast:
            inputs = K.cast_floating(inputs, compute)
        with K.autocast_scope(None):
            return call(inputs, *args, **kwargs)
    return full_precision_call


def needs_policy_call(layer, flat_inputs):
    """For an eager call: whether ``layer`` is mixed, or receives 16-bit tensors it must cast."""
    if layer._mixed_policy is not None:
        return True
    return layer.compute_dtype != "float16" and layer.compute_dtype != "bfloat16" and K.holds_half(flat_inputs)


def symbolic_inputs(layer, inputs):
    """The KerasTensors to infer ``layer``'s outputs from: floating ones cast to its variable dtype when it is
    mixed or is handed 16-bit tensors (the arithmetic of shape inference then matches its weights' dtype)."""
    if not layer._autocast or layer.dtype not in _FLOATING or getattr(layer, "_is_graph_network", False):
        return inputs
    flat = tree.flatten(inputs)
    if layer._mixed_policy is None and not any(getattr(t, "dtype", None) in _HALF for t in flat):
        return inputs
    from fastkeras.engine.keras_tensor import KerasTensor

    def cast(t):
        if isinstance(t, KerasTensor) and t.dtype in _FLOATING and t.dtype != layer.dtype:
            copy = KerasTensor(t.shape, layer.dtype, name=t.name)
            copy._keras_mask = t._keras_mask
            return copy
        return t
    return tree.map_structure(cast, inputs)


def symbolic_outputs(layer, outputs):
    """Sets the dtype of ``layer``'s floating output KerasTensors to its compute dtype (mixed leaf layers)."""
    if layer._mixed_policy is None or layer._tracked_layers or getattr(layer, "_is_graph_network", False):
        return
    compute = layer.compute_dtype
    for t in tree.flatten(outputs):
        if getattr(t, "dtype", None) in _FLOATING:
            t.dtype = compute


def graph_is_mixed(layers):
    """Whether a graph's steps need policy calls: some layer in it computes with a mixed policy."""
    return any(layer._mixed_policy is not None for layer in layers)
