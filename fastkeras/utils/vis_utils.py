"""Pictures of models: ``model_to_dot`` (a pydot graph) and ``plot_model`` (an image through Graphviz).

The graph is the one tf-keras 2.x draws: one record-shaped node per layer
labelled ``name|Class`` (plus dtype, activation, trainable flag and an
input/output shape table on request), an edge per connection, and with
``expand_nested`` a dashed cluster per nested model. pydot (a Python package)
builds the graph; Graphviz's ``dot`` program renders it. Both are optional
dependencies, imported only when a picture is asked for.
"""
import os
import shutil

__all__ = ["model_to_dot", "plot_model", "check_pydot", "check_graphviz"]

_PYDOT_MISSING = ("{what} needs the Python package pydot, which is not installed. Install it with "
                  "`pip install pydot` (fastkeras pins it in requirements.txt).")
_GRAPHVIZ_MISSING = ("plot_model needs Graphviz's `dot` program to render the graph, and it was not found on the "
                     "PATH. Install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
                     "(macOS), `conda install graphviz`, or see https://graphviz.org/download/. pydot is installed; "
                     "`model_to_dot` works without Graphviz.")


def _pydot():
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def check_pydot():
    """True when pydot can be imported."""
    return _pydot() is not None


def check_graphviz():
    """True when pydot is importable and Graphviz's ``dot`` renders an empty graph."""
    pydot = _pydot()
    if pydot is None or shutil.which("dot") is None:
        return False
    try:
        pydot.Dot().create()
    except Exception:  # pydot reports a missing or broken Graphviz in several ways (OSError, its own errors)
        return False
    return True


def _is_functional(layer):
    from fastkeras.engine.functional import Functional
    return isinstance(layer, Functional)


def _wrapped_layer(layer):
    """The layer inside a wrapper (TimeDistributed, Bidirectional, ...), or None."""
    inner = getattr(layer, "layer", None)
    from fastkeras.engine.base_layer import Layer
    return inner if isinstance(inner, Layer) and inner is not layer else None


def _is_wrapped_model(layer):
    inner = _wrapped_layer(layer)
    return inner is not None and _is_functional(inner)


def _format_shape(shape):
    # Record labels use { } | as syntax: braces inside a shape (dict inputs) are escaped.
    return str(shape).replace("{", r"\{").replace("}", r"\}")


def _shape_cells(layer):
    """(input, output) shape texts; '?' when a layer has several nodes of different shapes."""
    try:
        output = _format_shape(layer.output_shape)
    except (AttributeError, ValueError, RuntimeError):
        output = "?"
    try:
        inputs = _format_shape(layer.input_shape)
    except (AttributeError, ValueError, RuntimeError):
        inputs = "?"
    return inputs, output


def _activation_name(activation):
    for attr in ("name", "__name__"):
        name = getattr(activation, attr, None)
        if isinstance(name, str):
            return name
    return str(activation)


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable,
           layer_name, class_name):
    label = class_name
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        label = "{%s|%s}" % (label, _activation_name(layer.activation))
    if show_layer_names:
        label = f"{layer_name}|{label}"
    if show_dtype:
        dtype = getattr(layer, "dtype", None)
        label = f"{label}|{'?' if dtype is None else dtype}"
    if show_shapes:
        inputs, output = _shape_cells(layer)
        label = "{%s}|{input:|output:}|{{%s}|{%s}}" % (label, inputs, output)
    if show_trainable:
        label = f"{'T' if layer.trainable else 'NT'}|{label}"
    return label


def _layer_index_range(model, layer_range):
    if layer_range is None:
        return None
    if len(layer_range) != 2:
        raise ValueError(f"layer_range must be of shape (2,). Received: layer_range = {layer_range} of length "
                         f"{len(layer_range)}")
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    from fastkeras.utils.layer_utils import get_layer_index_bound_by_layer_name
    bounds = get_layer_index_bound_by_layer_name(model, layer_range)
    if bounds[0] < 0 or bounds[1] > len(model.layers):
        raise ValueError(f"Both values in layer_range should be in range (0, {len(model.layers)}. Received: "
                         f"{bounds}")
    return bounds


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _flat(item)]
    return [value]


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=96, subgraph=False, layer_range=None, show_layer_activations=False,
                 show_trainable=False):
    """The model as a ``pydot.Dot`` graph (a ``pydot.Cluster`` when ``subgraph=True``).

    ``rankdir``: 'TB' draws top to bottom, 'LR' left to right. ``layer_range``:
    two layer names (or regexes), first and last layer to draw. See
    ``plot_model`` for the other options.
    """
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    pydot = _pydot()
    if pydot is None:
        raise ImportError(_PYDOT_MISSING.format(what="model_to_dot"))

    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set_node_defaults(shape="record")

    if not getattr(model, "_is_graph_network", False):
        dot.add_node(pydot.Node(str(id(model)), label=model.name))
        return dot
    bounds = _layer_index_range(model, layer_range)
    # Every graph layer, the InputLayer of a Sequential model included (model.layers omits it there).
    layers = list(model._layers)
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                   show_layer_activations=show_layer_activations, show_trainable=show_trainable)

    first_node, last_node = {}, {}  # nested model (or wrapped model) name -> its cluster's first / last node

    def nested_cluster(inner):
        cluster = model_to_dot(inner, rankdir=rankdir, expand_nested=expand_nested, subgraph=True, **options)
        nodes = cluster.get_nodes()
        first_node[inner.name], last_node[inner.name] = nodes[0], nodes[-1]
        dot.add_subgraph(cluster)

    for i, layer in enumerate(layers):
        if bounds and not bounds[0] <= i < bounds[1]:
            continue
        layer_name, class_name = layer.name, type(layer).__name__
        inner = _wrapped_layer(layer)
        if inner is not None:
            if expand_nested and _is_functional(inner):
                nested_cluster(inner)
            else:
                layer_name = f"{layer_name}({inner.name})"
                class_name = f"{class_name}({type(inner).__name__})"
        if expand_nested and _is_functional(layer):
            nested_cluster(layer)
            continue  # the cluster stands for the model; it gets no node of its own
        dot.add_node(pydot.Node(str(id(layer)), label=_label(layer, layer_name=layer_name, class_name=class_name,
                                                             **options)))

    def add_edge(src, dst):
        if not dot.get_edge(src, dst):
            dot.add_edge(pydot.Edge(src, dst))

    for i, layer in enumerate(layers):
        # As in Keras, the first layer of a range gets no incoming edges (its inputs are not drawn).
        if bounds and not bounds[0] < i < bounds[1]:
            continue
        layer_id = str(id(layer))
        for node_index, node in enumerate(layer._inbound_nodes):
            if f"{layer.name}_ib-{node_index}" not in model._network_nodes:
                continue
            for inbound in _flat(node.inbound_layers):
                inbound_id = str(id(inbound))
                if not expand_nested:
                    add_edge(inbound_id, layer_id)
                elif _is_functional(inbound):
                    src = last_node[inbound.name].get_name()
                    add_edge(src, first_node[layer.name].get_name() if _is_functional(layer) else layer_id)
                elif _is_wrapped_model(inbound):
                    add_edge(last_node[_wrapped_layer(inbound).name].get_name(), layer_id)
                elif _is_functional(layer):
                    add_edge(inbound_id, first_node[layer.name].get_name())
                elif _is_wrapped_model(layer):
                    add_edge(inbound_id, layer_id)
                    add_edge(layer_id, first_node[_wrapped_layer(layer).name].get_name())
                else:
                    add_edge(inbound_id, layer_id)
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
               expand_nested=False, dpi=96, layer_range=None, show_layer_activations=False, show_trainable=False):
    """Draws the model into ``to_file``; the extension picks the format (png, svg, pdf, dot, ...; none: png).

    Args:
        show_shapes: add each layer's input and output shapes.
        show_dtype: add each layer's dtype.
        show_layer_names: start each node with the layer's name.
        rankdir: 'TB' (top to bottom) or 'LR' (left to right).
        expand_nested: draw nested models as dashed clusters of their layers.
        dpi: resolution of bitmap formats.
        layer_range: ``[first_name, last_name]`` (regexes allowed) to draw part of the model.
        show_layer_activations: add the activation of layers that have one.
        show_trainable: mark layers 'T' (trainable) or 'NT'.

    Returns an ``IPython.display.Image`` of the file when IPython is installed (for notebooks), else None.
    """
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    if not check_pydot():
        raise ImportError(_PYDOT_MISSING.format(what="plot_model"))
    if not check_graphviz():
        raise ImportError(_GRAPHVIZ_MISSING)
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi, layer_range=layer_range,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    folder = os.path.dirname(to_file)
    if folder:
        os.makedirs(folder, exist_ok=True)
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
