"""``get_source_inputs``: the Input tensors a symbolic tensor is computed from (Keras 2's ``keras.utils``)."""


def get_source_inputs(tensor, layer=None, node_index=None):
    """The list of input tensors needed to compute ``tensor``, in the order a depth-first walk over each
    node's inputs (left to right) first meets them. Anything without a Keras history is returned as is."""
    if not hasattr(tensor, "_keras_history") or tensor._keras_history is None:
        return tensor
    if layer is None or node_index:
        layer, node_index, _ = tensor._keras_history
    if not layer._inbound_nodes:
        return [tensor]
    sources, seen = [], set()
    stack = [(layer, node_index, tensor)]
    while stack:  # iterative: deep graphs must not hit the recursion limit
        layer, node_index, t = stack.pop()
        if id(t) in seen:  # its sources are already in the list
            continue
        seen.add(id(t))
        if not layer._inbound_nodes:
            found = [t]
        else:
            node = layer._inbound_nodes[node_index]
            if node.is_input:
                found = list(node.input_tensors)
            else:
                for x in reversed(node.keras_inputs):
                    stack.append((x._keras_history[0], x._keras_history[1], x))
                continue
        for x in found:
            if all(x is not s for s in sources):
                sources.append(x)
    return sources


__all__ = ["get_source_inputs"]
