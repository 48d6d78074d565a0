"""Model summaries and parameter counting, formatted exactly as tf-keras 2.x prints them.

``print_summary`` renders the table ``Model.summary()`` shows: one row per
layer (name and class, output shape, parameter count and, for graphs that are
not a simple chain, the inbound connections), optionally expanding nested
models, a "Trainable" column, and a slice of the layers picked by name.
"""
import re
import sys

import numpy as np

__all__ = ["count_params", "weight_memory_size", "readable_memory_size", "print_summary",
           "get_layer_index_bound_by_layer_name", "convert_all_kernels_in_model", "convert_dense_weights_data_format"]

_MEMORY_UNITS = ("Byte", "KB", "MB", "GB", "TB", "PB")

# A long cell is wrapped after the first of these it contains (the end of a
# tuple, dict, list or quoted item), which keeps "Connected to" one per line.
_WRAP_AFTER = ("),", "},", "],", "',")


# ---- weights ----------------------------------------------------------------------


def _unique(weights):
    """The weights without repeats (by identity), in first-seen order."""
    seen = {}
    for w in weights:
        seen.setdefault(id(w), w)
    return list(seen.values())


def _dims(w):
    """The weight's shape as a list (``None`` for unknown), or None when it has no shape."""
    shape = getattr(w, "shape", None)
    if shape is None:
        return None
    if hasattr(shape, "as_list"):
        return list(shape.as_list())
    return [None if d is None else int(d) for d in shape]


def _itemsize(w):
    """Bytes per element of a weight (torch tensor, numpy array or anything with a dtype)."""
    if hasattr(w, "element_size"):
        return int(w.element_size())
    dtype = getattr(w, "dtype", None)
    for attr in ("itemsize", "size"):
        value = getattr(dtype, attr, None)
        if isinstance(value, (int, np.integer)):
            return int(value)
    try:
        return int(np.dtype(str(dtype)).itemsize)
    except TypeError:
        return 4


def count_params(weights):
    """How many scalars the weights hold, each distinct weight counted once (unknown dims count 0)."""
    total = 0
    for w in _unique(weights):
        dims = _dims(w)
        if dims is None:
            continue
        total += int(np.prod([0 if d is None else d for d in dims], dtype=np.int64))
    return int(total)


def weight_memory_size(weights):
    """Bytes taken by the distinct weights of fully known shape."""
    total = 0
    for w in _unique(weights):
        dims = _dims(w)
        if dims is None or None in dims:
            continue
        total += int(np.prod(dims, dtype=np.int64)) * _itemsize(w)
    return total


def readable_memory_size(size):
    """``'215.04 KB'``: the size scaled by 1024 until it is below 1024 of a unit, two decimals."""
    for unit in _MEMORY_UNITS:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {_MEMORY_UNITS[-1]}"


# ---- which layers -------------------------------------------------------------------


def get_layer_index_bound_by_layer_name(model, layer_range=None):
    """``[start, stop)`` indexes into ``model.layers`` for a pair of layer names (regexes allowed).

    The start is the first layer whose name matches ``layer_range[0]``, the
    end the last one matching ``layer_range[1]`` (both inclusive).
    """
    layers = model.layers
    if layer_range is None:
        return [0, len(layers)]
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    first, last = layer_range
    if not isinstance(first, str) or not isinstance(last, str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    starts = [i for i, layer in enumerate(layers) if re.match(first, layer.name)]
    ends = [i for i, layer in enumerate(layers) if re.match(last, layer.name)]
    if not starts or not ends:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. Received: {layer_range}")
    if min(starts) > max(ends):
        return [min(ends), max(starts) + 1]
    return [min(starts), max(ends) + 1]


def _is_sequential_like(model):
    """True when the model reads as a plain stack: no branches, merges or layers reused."""
    if type(model).__name__ == "Sequential" or not getattr(model, "_is_graph_network", False):
        return True
    graph_nodes = []
    for depth_nodes in model._nodes_by_depth.values():
        if len(depth_nodes) > 1:
            return False
        if len(depth_nodes) == 1 and len(list(depth_nodes[0].keras_inputs)) > 1:
            return False
        graph_nodes.extend(depth_nodes)
    member = {id(node) for node in graph_nodes}
    for layer in model.layers:
        if sum(1 for node in layer._inbound_nodes if id(node) in member) > 1:
            return False
    return True


# ---- cells ------------------------------------------------------------------------------


def _shape_of(tensor):
    shape = tensor.shape
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    return tuple(None if d is None else int(d) for d in shape)


def _flatten(structure):
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    return [structure]


def _map_shapes(structure):
    """The structure of tensors as the same structure of shape tuples."""
    if isinstance(structure, list):
        return [_map_shapes(s) for s in structure]
    if isinstance(structure, tuple):
        return tuple(_map_shapes(s) for s in structure)
    if isinstance(structure, dict):
        return {k: _map_shapes(v) for k, v in structure.items()}
    return _shape_of(structure)


def _node_output_shapes(node):
    # An input node's outputs count as a one-element list, hence "[(None, 784)]".
    outputs = node.outputs
    if node.is_input and not isinstance(outputs, (list, tuple, dict)):
        outputs = [outputs]
    return _map_shapes(outputs)


def _output_shape_cell(layer):
    """The "Output Shape" cell: one shape (or structure of shapes), or "multiple" when ambiguous."""
    try:
        if getattr(layer, "_is_graph_network", False) and getattr(layer, "_nested_outputs", None) is not None:
            # A model's own outputs decide; a one-tensor list counts as the tensor.
            outputs = layer._nested_outputs
            if isinstance(outputs, list) and len(_flatten(outputs)) == 1:
                outputs = outputs[0]
            return _map_shapes(outputs)
        nodes = getattr(layer, "_inbound_nodes", None)
        if nodes is None:
            return layer.output_shape
        if not nodes:
            return "multiple"
        shapes = [_node_output_shapes(node) for node in nodes]
        if len({str(s) for s in shapes}) == 1:
            return shapes[0]
        return "multiple"
    except AttributeError:
        return "multiple"
    except RuntimeError:
        return "?"


def _params_cell(layer):
    if not layer.built and not getattr(layer, "_is_graph_network", False):
        # A layer a subclassed model never called has no weights yet.
        return "0 (unused)"
    return layer.count_params()


def _connections_cell(layer, graph_nodes):
    """``['dense[0][0]', ...]``: the (layer, node, tensor) feeding each of the layer's calls in the graph."""
    out = []
    for node in layer._inbound_nodes:
        if graph_nodes and id(node) not in graph_nodes:
            continue
        for t in node.keras_inputs:
            source, node_index, tensor_index = t._keras_history[:3]
            out.append(f"{source.name}[{node_index}][{tensor_index}]")
    return out


# ---- the table ------------------------------------------------------------------------------


def _format_row(cells, positions, nested_level=0):
    """The printed lines of one table row: cells wrapped within their columns, "|" borders when nested."""
    pending = [str(c) for c in cells]
    last = len(positions) - 1
    lines = []
    while any(pending):
        line = ""
        progress = False
        for col, text in enumerate(pending):
            start = positions[col - 1] if col else 0
            end = positions[col]
            gap = 0 if col == last else 2
            width = end - start - gap - (0 if col == last else 1)
            if col == 0:
                width -= nested_level
            piece = text[:width]
            breaks = [piece.find(mark) + len(mark) for mark in _WRAP_AFTER if mark in piece]
            if breaks:
                width = min(breaks)
                piece = piece[:width]
            if col == 0:
                line += "|" * nested_level + " "
            line += piece + " " * gap
            rest = text[width:]
            progress = progress or len(rest) < len(text)
            pending[col] = rest
            target = positions[col] - (nested_level if nested_level and col == last else 0)
            line += " " * (target - len(line))
        lines.append(line + "|" * nested_level)
        if not progress:
            raise ValueError(f"The summary columns are too narrow to print {cells!r}; increase `line_length` "
                             "or change `positions`.")
    return lines


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Prints the summary table of ``model``, as ``model.summary()`` shows it.

    Args:
        model: a built model.
        line_length: width of the table in characters (default 65 for
            sequential-like models, 98 otherwise).
        positions: right edge of each column, relative (fractions, the last
            one at most 1) or absolute (characters).
        print_fn: called with each line (a string without newline); the
            default writes to stdout.
        expand_nested: also list the layers of nested models, framed by "|".
        show_trainable: add a "Trainable" column (Y/N).
        layer_range: two layer names (or regexes), the first and last of the
            top-level layers to list.
    """
    if print_fn is None:
        def print_fn(line):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    sequential_like = _is_sequential_like(model)
    graph_nodes = set()
    if sequential_like:
        line_length = line_length or 65
        positions = list(positions or [0.45, 0.85, 1.0])
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = list(positions or [0.3, 0.6, 0.70, 1.0])
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        for depth_nodes in model._nodes_by_depth.values():
            graph_nodes.update(id(node) for node in depth_nodes)
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        headers.append("Trainable")

    start, stop = get_layer_index_bound_by_layer_name(model, layer_range)

    def emit_row(cells, nested_level=0):
        for line in _format_row(cells, positions, nested_level):
            print_fn(line)

    def emit_layer(layer, nested_level=0, is_nested_last=False):
        cells = [f"{layer.name} ({layer.__class__.__name__})", _output_shape_cell(layer)]
        if sequential_like:
            cells.append(_params_cell(layer))
        else:
            cells += [layer.count_params(), _connections_cell(layer, graph_nodes)]
        if show_trainable:
            cells.append("Y" if layer.trainable else "N")
        emit_row(cells, nested_level)

        inner = getattr(layer, "layers", None) if expand_nested else None
        if inner:
            print_fn("|" * (nested_level + 1) + "¯" * (line_length - 2 * nested_level - 2)
                     + "|" * (nested_level + 1))
            for i, sub in enumerate(inner):
                emit_layer(sub, nested_level + 1, i == len(inner) - 1)
            print_fn("|" * nested_level + "¯" * (line_length - 2 * nested_level) + "|" * nested_level)
            # tf-keras prints no spacer line after an expanded block.
            return
        if not is_nested_last:
            print_fn("|" * nested_level + " " * (line_length - 2 * nested_level) + "|" * nested_level)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    emit_row(headers)
    print_fn("=" * line_length)
    for layer in model.layers[start:stop]:
        emit_layer(layer)
    print_fn("=" * line_length)

    trainable = getattr(model, "_collected_trainable_weights", None)
    if trainable is None:
        trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    trainable_count = count_params(trainable)
    non_trainable_count = count_params(non_trainable)
    trainable_size = weight_memory_size(trainable)
    non_trainable_size = weight_memory_size(non_trainable)
    print_fn(f"Total params: {trainable_count + non_trainable_count} "
             f"({readable_memory_size(trainable_size + non_trainable_size)})")
    print_fn(f"Trainable params: {trainable_count} ({readable_memory_size(trainable_size)})")
    print_fn(f"Non-trainable params: {non_trainable_count} ({readable_memory_size(non_trainable_size)})")
    print_fn("_" * line_length)


def convert_all_kernels_in_model(model):
    """Flips the kernels of the model's Conv1D/Conv2D/Conv3D/Conv2DTranspose layers along their spatial axes
    (``conv_utils.convert_kernel``), in place: Keras 2's step for weights trained with Theano, whose convolution
    flips the kernel where TensorFlow's (and fastkeras') does not. Applying it twice restores the weights."""
    from fastkeras.utils.conv_utils import convert_kernel
    conv_classes = {"Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose"}
    for layer in model.layers:
        if type(layer).__name__ in conv_classes:
            layer.kernel.assign(convert_kernel(layer.kernel.numpy()))


def convert_dense_weights_data_format(dense, previous_feature_map_shape, target_data_format="channels_first"):
    """Reorders the rows of a Dense kernel that follows a Flatten of convolution feature maps, for the model
    rebuilt in ``target_data_format`` ('channels_first' or 'channels_last'), in place.

    ``previous_feature_map_shape`` is the feature map's shape, without the batch axis, in the target format:
    ``(channels, rows, cols)`` for 'channels_first', ``(rows, cols, channels)`` for 'channels_last'. Flattening
    orders the features by that layout, so the kernel's rows must follow it for the Dense layer to compute the
    same outputs."""
    if target_data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"target_data_format must be 'channels_first' or 'channels_last'; received "
                         f"{target_data_format!r}.")
    shape = tuple(int(d) for d in previous_feature_map_shape)
    weights = dense.get_weights()
    kernel = weights[0]
    if len(shape) != 3 or int(np.prod(shape)) != kernel.shape[0]:
        raise ValueError(f'Layer "{dense.name}": previous_feature_map_shape {shape} should be 3 dimensions whose '
                         f"product is the kernel's {kernel.shape[0]} input rows.")
    units = kernel.shape[1]
    if target_data_format == "channels_first":
        channels, rows, cols = shape
        kernel = kernel.reshape(rows, cols, channels, units).transpose(2, 0, 1, 3)
    else:
        rows, cols, channels = shape
        kernel = kernel.reshape(channels, rows, cols, units).transpose(1, 2, 0, 3)
    dense.set_weights([kernel.reshape(-1, units)] + weights[1:])
