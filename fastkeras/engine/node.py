"""A Node records one call of a layer on symbolic tensors: what went in, what came out."""
from fastkeras.engine import tree
from fastkeras.engine.keras_tensor import KerasTensor


def _copy_containers(x):
    """``x`` with its lists and dicts (at any depth) copied; tensors and other leaves shared."""
    if isinstance(x, list):
        return [_copy_containers(item) for item in x]
    if isinstance(x, dict):
        return {key: _copy_containers(value) for key, value in x.items()}
    if type(x) is tuple:
        return tuple(_copy_containers(item) for item in x)
    return x


class Node:
    """One call of ``layer``: ``call_args``/``call_kwargs`` hold the KerasTensors passed in.

    The first positional argument is the layer's *input* (``layer.get_input_at``);
    every KerasTensor anywhere in the arguments is a graph dependency.
    """

    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=None):
        self.layer = layer
        # Copies of the argument lists and dicts: a caller may go on mutating the list it passed (Keras 2 code
        # appends to a list of tensors after each `concatenate(tensors)`), and the node must keep what it saw.
        self.call_args = _copy_containers(tuple(call_args))
        self.call_kwargs = _copy_containers(dict(call_kwargs or {}))
        self.is_input = not self.call_args
        self.input_structure = self.call_args[0] if self.call_args else outputs
        self.keras_inputs = [t for t in tree.flatten([self.call_args, self.call_kwargs]) if isinstance(t, KerasTensor)]
        self.outputs = outputs
        self.output_tensors = tree.flatten(outputs)

        layer._inbound_nodes.append(self)
        self.index = len(layer._inbound_nodes) - 1
        for t in self.keras_inputs:
            t._keras_history[0]._outbound_nodes.append(self)
        for i, t in enumerate(self.output_tensors):
            t._keras_history = (layer, self.index, i)

    @property
    def input_tensors(self):
        """The first call argument, flattened: what Keras calls the node's input."""
        return tree.flatten(self.input_structure)

    @property
    def outbound_layer(self):
        """The layer this node is a call of (Keras 2's and tf-keras' name for ``layer``)."""
        return self.layer

    @property
    def parent_nodes(self):
        return [t.node for t in self.keras_inputs]

    @property
    def inbound_layers(self):
        return tree.unnest_single([t._keras_history[0] for t in self.input_tensors]) if not self.is_input else []

    @property
    def node_indices(self):
        return [t._keras_history[1] for t in self.input_tensors]

    @property
    def tensor_indices(self):
        return [t._keras_history[2] for t in self.input_tensors]

    @property
    def input_shapes(self):
        return tree.unnest_single([tuple(t.shape) for t in self.input_tensors])

    @property
    def output_shapes(self):
        return tree.unnest_single([tuple(t.shape) for t in self.output_tensors])

    def __repr__(self):
        return f"<Node of '{self.layer.name}' #{self.index}>"
