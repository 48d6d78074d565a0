"""``keras.models.clone_model``: the same architecture with new layers (and so new, freshly initialized weights).

A functional model is rebuilt node by node from its inputs: every layer is replaced by ``clone_function(layer)``
(by default a layer of the same class from ``layer.get_config()``), a layer used at several nodes is cloned once
and shared again, and each node is called with the arguments it was recorded with. A Sequential model clones its
layers in order. Subclassed models have no graph to rebuild and are refused, as in Keras 2.
"""
from fastkeras.engine import tree
from fastkeras.engine.input_layer import InputLayer
from fastkeras.engine.keras_tensor import KerasTensor


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with ``model``'s architecture and new layers; the weights are not copied (use
    ``set_weights(model.get_weights())`` for that).

    Args:
        model: a functional or Sequential model.
        input_tensors: optional symbolic tensors (from ``Input``) to build the clone on, one per model input.
        clone_function: ``layer -> new layer``, called once per layer (default: a layer of the same class from its
            config). Return the layer itself to share it between the two models.
    """
    from fastkeras.engine.sequential import Sequential
    from fastkeras.engine.training import Model
    clone_function = clone_function or _clone_layer
    if not isinstance(model, Model):
        raise ValueError(f"clone_model expects a fastkeras Model (functional or Sequential), received "
                         f"{type(model).__name__}: {model!r}.")
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, clone_function)
    if not getattr(model, "_is_graph_network", False):
        raise ValueError(f'clone_model cannot clone the subclassed model "{model.name}" '
                         f"({type(model).__name__}): it has no graph of layers to rebuild. Build a new instance "
                         "of its class instead.")
    return _clone_functional(model, input_tensors, clone_function)


def _new_inputs(model, input_tensors):
    if input_tensors is None:
        return [InputLayer.from_config(t._keras_history[0].get_config()).output for t in model.inputs]
    given = tree.flatten(input_tensors)
    if len(given) != len(model.inputs):
        raise ValueError(f'clone_model: model "{model.name}" has {len(model.inputs)} input(s), but '
                         f"{len(given)} input tensor(s) were given.")
    # A tensor or array of values becomes an ``Input(tensor=value)`` (a model input that holds its value), as in
    # Keras 2 and tf-keras.
    return [t if isinstance(t, KerasTensor) else _wrap_value(t, f"input_wrapper_for_{layer.name}")
            for t, layer in zip(given, model._input_layers)]


def _wrap_value(value, name):
    from fastkeras.engine.input_layer import Input
    if not hasattr(value, "shape"):
        raise ValueError(f"clone_model: input tensors must be symbolic tensors from `fastkeras.Input`, or tensors "
                         f"or arrays of values; received {type(value).__name__}: {value!r}.")
    return Input(tensor=value, name=name)


def _clone_functional(model, input_tensors, clone_function):
    from fastkeras.engine.training import Model
    new_inputs = _new_inputs(model, input_tensors)
    mapped = {id(old): new for old, new in zip(model.inputs, new_inputs)}
    clones = {}

    def new_tensor(value):
        return mapped[id(value)] if isinstance(value, KerasTensor) else value

    for depth in sorted(model._nodes_by_depth, reverse=True):  # from the inputs towards the outputs
        for node in model._nodes_by_depth[depth]:
            if node.is_input or not all(id(t) in mapped for t in node.keras_inputs):
                continue
            layer = node.layer
            if id(layer) not in clones:
                clones[id(layer)] = clone_function(layer)
            outputs = clones[id(layer)](*tree.map_structure(new_tensor, list(node.call_args)),
                                        **tree.map_structure(new_tensor, node.call_kwargs))
            for old, new in zip(node.output_tensors, tree.flatten(outputs)):
                mapped[id(old)] = new

    def rebuild(structure):
        return tree.map_structure(lambda t: mapped[id(t)], structure)

    inputs = rebuild(model._nested_inputs) if input_tensors is None else \
        tree.pack_sequence_as(input_tensors, new_inputs) if tree.is_nested(input_tensors) else new_inputs[0]
    clone = Model(inputs, rebuild(model._nested_outputs), name=model.name)
    side = [mapped[id(t)] for t in getattr(model, "_side_outputs", []) if id(t) in mapped]
    if side:  # symbolic add_loss / add_metric
        from fastkeras.engine.op_layer import attach_side_outputs
        attach_side_outputs(clone, side)
    return clone


def _clone_sequential(model, input_tensors, clone_function):
    from fastkeras.engine.sequential import Sequential
    layers = [clone_function(layer) for layer in model.layers]
    if input_tensors is not None:
        given = tree.flatten(input_tensors)
        if len(given) != 1:
            raise ValueError("clone_model: a Sequential model takes one input tensor, received "
                             f"{len(given)}: {input_tensors!r}.")
        x = given[0]
        if not isinstance(x, KerasTensor):
            x = _wrap_value(x, f"input_wrapper_for_{getattr(x, 'name', None) or model.layers[0].name}")
        return Sequential([x] + layers, name=model.name)
    first_input = model.inputs[0] if getattr(model, "inputs", None) else None
    if first_input is not None:  # built with a known input: the clone starts from a copy of its InputLayer
        input_layer = InputLayer.from_config(first_input._keras_history[0].get_config())
        return Sequential([input_layer.output] + layers, name=model.name)
    return Sequential(layers, name=model.name)
