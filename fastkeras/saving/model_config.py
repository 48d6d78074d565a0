"""Model configs in Keras 2's format: Functional and Sequential models to and from dicts, JSON and YAML.

What is written follows tf-keras 2.21 (``get_config`` / ``to_json``): each layer
entry holds ``module``, ``class_name``, ``config``, ``registered_name`` and,
for built layers, ``build_config``; functional entries add ``name`` and
``inbound_nodes``. Node indices are renumbered the way tf-keras numbers them,
so files move between the two libraries.

Reading accepts tf-keras 2.x configs, the older Keras 2.2 layout (inbound
entries of 3 or 4 items, no ``module``) and fastkeras' own output. Class names
resolve only through fastkeras' layer table, the registry and the caller's
``custom_objects``; the ``module`` key is never looked at, so nothing named in
a file is ever imported.
"""
import contextlib
import contextvars
import copy
import inspect
import json

import numpy as np

from fastkeras.saving import keras2_ops

KERAS_VERSION = "2.21.0"
BACKEND = "torch"

# What tf-keras writes as the `module` of its model classes (Functional has no public name).
_FUNCTIONAL_MODULE = "tf_keras.src.engine.functional"
_SEQUENTIAL_MODULE = "keras"
_LAYERS_MODULE = "keras.layers"
# First-argument values that were not symbolic tensors (tf-keras' marker).
_CONSTANT_VALUE = "_CONSTANT_VALUE"

_FUNCTIONAL_KEYS = ("layers", "input_layers", "output_layers")

# Whether ``functional_config`` writes its layer calls in Keras 3's node format (``.keras`` archives, see
# ``keras3_nodes``) instead of Keras 2's lists. A context rather than an argument: the configs of nested
# models are reached through each layer's own ``get_config()``.
_KERAS3_NODES = contextvars.ContextVar("fastkeras_keras3_nodes", default=False)


@contextlib.contextmanager
def keras3_node_format():
    """Within this block, functional configs record their calls as Keras 3 does."""
    token = _KERAS3_NODES.set(True)
    try:
        yield
    finally:
        _KERAS3_NODES.reset(token)


# ---------------------------------------------------------------------------------------------------
# helpers shared by writing and reading
# ---------------------------------------------------------------------------------------------------

def _engine():
    """The engine classes, imported late: the engine imports this module lazily too."""
    from fastkeras.engine import functional, input_layer, sequential, training
    return functional, sequential, input_layer, training


def _should_skip_first_node(layer):
    """True where tf-keras numbers a layer's calls from 1: its node 0 links the model's own inputs.

    That is every Functional model and every Sequential model whose layers start
    with an InputLayer. fastkeras creates no such node, so the offset is applied
    when numbering (and undone when reading) to keep indices identical to tf-keras'.
    """
    functional, sequential, input_layer, _ = _engine()
    if isinstance(layer, sequential.Sequential):
        stack = layer._graph_layers
        return bool(stack) and isinstance(stack[0], input_layer.InputLayer)
    return isinstance(layer, functional.Functional)


def _is_node_ref(x):
    """``[layer_name, node_index, tensor_index]`` or the same with a 4th item (call kwargs)."""
    return isinstance(x, (list, tuple)) and len(x) in (3, 4) and isinstance(x[0], str)


def _flatten_refs(structure):
    """The node references in ``structure``, in tf.nest order (dict keys sorted)."""
    if _is_node_ref(structure):
        return [structure]
    if isinstance(structure, (list, tuple)):
        return [ref for item in structure for ref in _flatten_refs(item)]
    if isinstance(structure, dict):
        return [ref for key in sorted(structure) for ref in _flatten_refs(structure[key])]
    return [structure]


def _pack_refs(structure, flat):
    """``structure`` with its node references replaced, in order, by the items of ``flat``."""
    it = iter(flat)

    def build(s):
        if _is_node_ref(s):
            return next(it)
        if isinstance(s, (list, tuple)):
            return [build(item) for item in s]
        if isinstance(s, dict):
            packed = {key: build(s[key]) for key in sorted(s)}
            return {key: packed[key] for key in s}
        return next(it)
    return build(structure)


def _plain(value):
    """A JSON-friendly copy of a value found in call arguments."""
    from fastkeras import backend as K
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if K.is_tensor(value):
        return K.to_numpy(value).tolist()
    return value


def _json_default(obj):
    """``json.dumps`` fallback for what configs may hold besides plain Python values."""
    from fastkeras import backend as K
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if K.is_tensor(obj):
        return K.to_numpy(obj).tolist()
    if isinstance(obj, np.dtype):
        return obj.name
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=repr)
    if hasattr(obj, "get_config"):
        from fastkeras.saving.serialization import serialize_keras_object
        return serialize_keras_object(obj)
    if type(obj).__name__ == "dtype" and hasattr(obj, "is_floating_point"):  # torch.dtype
        return str(obj).replace("torch.", "")
    if callable(obj) and hasattr(obj, "__name__"):
        return obj.__name__
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable (found in the model config: "
                    f"{obj!r}). Make the layer's get_config() return plain Python values.")


def _registered_name(cls):
    """The name a custom class was registered under, else its class name (what tf-keras writes)."""
    from fastkeras.saving.serialization import get_custom_objects
    own = cls.__dict__.get("_keras_registered_name")
    if own:
        return own
    for key, value in get_custom_objects().items():
        if value is cls:
            return key
    return cls.__name__


def _class_identity(obj):
    """(module, registered_name) as tf-keras 2.21 writes them for ``obj``'s class."""
    from fastkeras.layers.serialization import get_builtin_layer
    functional, sequential, _, _ = _engine()
    cls = type(obj)
    if get_builtin_layer(cls.__name__) is cls:
        if issubclass(cls, sequential.Sequential):
            return _SEQUENTIAL_MODULE, None
        if issubclass(cls, functional.Functional):
            # Not a public tf-keras name, so tf-keras writes it like a custom class: registered under its name.
            return _FUNCTIONAL_MODULE, cls.__name__
        return _LAYERS_MODULE, None
    module = cls.__module__
    return (None if module == "__main__" else module), _registered_name(cls)


def _serialize_nested_objects(value):
    """A custom layer's config with the Keras objects it holds (a layer, a regularizer ...) serialized, as
    tf-keras 2.13+ and Keras 3 write them (keras.io's saving guide keeps a layer and an L1L2 in get_config)."""
    if isinstance(value, dict):
        return {k: _serialize_nested_objects(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_serialize_nested_objects(v) for v in value)
    if hasattr(value, "get_config") and not isinstance(value, type):
        from fastkeras.saving.serialization_lib import serialize_keras_object
        return serialize_keras_object(value)
    return value


def serialize_layer(layer):
    """``{'module', 'class_name', 'config', 'registered_name', 'build_config'?}`` for one layer."""
    _, _, input_layer, _ = _engine()
    module, registered = _class_identity(layer)
    entry = {
        "module": module,
        "class_name": type(layer).__name__,
        "config": copy.deepcopy(_serialize_nested_objects(layer.get_config())),
        "registered_name": registered,
    }
    if _overrides(layer, "get_build_config"):
        # A layer's own build config (keras.io's customizing-saving guide stores its initializer there).
        build_config = layer.get_build_config() if layer.built else None
        if build_config is not None:
            entry["build_config"] = copy.deepcopy(_serialize_nested_objects(build_config))
        return entry
    shape = getattr(layer, "_build_input_shape", None)
    if layer.built and shape is not None and not isinstance(layer, input_layer.InputLayer):
        entry["build_config"] = {"input_shape": copy.deepcopy(shape)}
    return entry


def _is_subclassed_model(layer):
    functional, _, _, training = _engine()
    return isinstance(layer, training.Model) and not isinstance(layer, functional.Functional)


def _overrides(layer, method):
    """Whether ``layer``'s class defines its own ``method`` (a Keras 3 saving hook) over Layer's."""
    from fastkeras.engine.base_layer import Layer
    return getattr(type(layer), method) is not getattr(Layer, method)


# ---------------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------------

def _extra_positional_names(layer):
    """Names of ``call``'s positional parameters after the first (the inputs)."""
    try:
        params = list(inspect.signature(type(layer).call).parameters.values())
    except (TypeError, ValueError):
        return []
    names = [p.name for p in params[1:] if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return names[1:]


def config_call(node):
    """(args, kwargs) of a node as a model config records the call: a layer whose nodes hold its arguments
    in another shape than the user passed them (``_config_call``) restores the user's form."""
    restore = getattr(node.layer, "_config_call", None)
    if restore is None:
        return tuple(node.call_args), dict(node.call_kwargs)
    return restore(tuple(node.call_args), dict(node.call_kwargs))


def _serialize_node(node, conversion):
    """One inbound node as tf-keras writes it: the first argument's structure, each tensor as
    ``[layer_name, node_index, tensor_index, kwargs]``; other arguments go into ``kwargs``."""
    from fastkeras.engine import tree
    from fastkeras.engine.functional import node_key
    from fastkeras.engine.keras_tensor import KerasTensor
    layer = node.layer
    call_args, call_kwargs = config_call(node)
    kwargs = {}
    extra = call_args[1:]
    if extra:
        names = _extra_positional_names(layer)
        if len(extra) > len(names):
            raise ValueError(f'Layer "{layer.name}" was called with {len(extra) + 1} positional arguments, more than '
                             f"its `call` signature names, so the call cannot be written to a config. Pass the extra "
                             "arguments by keyword.")
        kwargs.update(zip(names, extra))
    kwargs.update(call_kwargs)

    def reference(t):
        origin, node_index, tensor_index = t._keras_history
        return [origin.name, conversion.get(node_key(origin, node_index), 0), tensor_index]

    def value(v):
        return reference(v) if isinstance(v, KerasTensor) else _plain(v)

    kwargs = tree.map_structure(value, kwargs)
    try:
        json.dumps(kwargs, default=_json_default)
    except TypeError as e:
        types = tree.map_structure(lambda v: type(v).__name__, kwargs)
        raise TypeError(f'Layer "{layer.name}" was called with arguments that cannot be written to a config '
                        f"(argument types: {types}): {e}") from e

    def entry(t):
        if isinstance(t, KerasTensor):
            return reference(t) + [copy.deepcopy(kwargs)]
        return [_CONSTANT_VALUE, -1, _plain(t), copy.deepcopy(kwargs)]

    def walk(s):
        if isinstance(s, (list, tuple)):
            return [walk(item) for item in s]
        if isinstance(s, dict):
            return {key: walk(item) for key, item in s.items()}
        return entry(s)

    first = call_args[0]
    data = walk(first)
    if not isinstance(first, (list, tuple, dict)):
        data = [data]
    return data


def _coordinates(structure, coordinates, conversion, network_nodes):
    """Model inputs/outputs as ``[name, node_index, tensor_index]`` lists, in the model's structure (a dict
    keeps the order it was given in; its entries are flattened by sorted key, as the model's ``inputs``)."""
    from fastkeras.engine.functional import node_key
    refs = []
    for layer, node_index, tensor_index in coordinates:
        key = node_key(layer, node_index)
        if key in network_nodes:
            refs.append([layer.name, conversion[key], tensor_index])
    if not isinstance(structure, (list, tuple, dict)):
        return refs
    return _pack_refs(structure, refs)


def functional_config(model):
    """tf-keras 2.21's ``get_config()`` of a Functional model (in ``keras3_node_format()``: its calls and node
    numbers as Keras 3 writes them)."""
    from fastkeras.engine.functional import node_key
    network_nodes = model._network_nodes
    layers = model.layers
    keras3 = _KERAS3_NODES.get()
    if keras3:
        from fastkeras.saving.keras3_nodes import serialize_node
    else:
        serialize_node = _serialize_node
    conversion = {}
    for layer in layers:
        kept = 1 if _should_skip_first_node(layer) and not keras3 else 0
        for node in layer._inbound_nodes:
            key = node_key(layer, node.index)
            if key in network_nodes:
                conversion[key] = kept
                kept += 1
    layer_configs = []
    for layer in layers:
        nodes = [serialize_node(node, conversion) for node in layer._inbound_nodes
                 if node_key(layer, node.index) in network_nodes and not node.is_input]
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = nodes
        layer_configs.append(entry if keras3 else keras2_ops.to_tf_keras(entry))
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": _coordinates(model._nested_inputs, model._input_coordinates, conversion, network_nodes),
        "output_layers": _coordinates(model._nested_outputs, model._output_coordinates, conversion, network_nodes),
    }


def sequential_config(model):
    """tf-keras 2.21's ``get_config()`` of a Sequential model: the InputLayer first once built."""
    return {"name": model.name, "layers": [serialize_layer(layer) for layer in model._graph_layers]}


def _model_document(model):
    functional, _, _, training = _engine()
    if not isinstance(model, functional.Functional) and type(model).get_config is training.Model.get_config \
            and model.__dict__.get("_auto_config") is None:
        raise NotImplementedError(f'Model "{model.name}" ({type(model).__name__}) is a subclassed model without its own '
                                  "get_config(); only Functional and Sequential models (or subclasses that implement "
                                  "get_config/from_config) can be written to JSON or YAML.")
    from fastkeras import __version__
    return {"class_name": type(model).__name__, "config": model.get_config(), "keras_version": KERAS_VERSION,
            "backend": BACKEND, "fastkeras_version": __version__}


def model_to_json(model, **kwargs):
    """The model's architecture as a JSON string (``kwargs`` go to ``json.dumps``, e.g. ``indent``)."""
    return json.dumps(_model_document(model), default=_json_default, **kwargs)


def model_to_yaml(model, **kwargs):
    """The same document as ``model_to_json``, as plain YAML (``kwargs`` go to ``yaml.safe_dump``)."""
    yaml = _import_yaml("model_to_yaml")
    document = json.loads(model_to_json(model))
    kwargs.setdefault("sort_keys", False)
    return yaml.safe_dump(document, **kwargs)


# ---------------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------------

def _resolve_class(class_name, registered_name, table, custom_objects):
    """The class a config entry names: its registered name first, then its class name."""
    from fastkeras.saving.serialization import lookup
    if isinstance(registered_name, str) and registered_name != class_name:
        found = lookup(registered_name, {}, custom_objects)
        if found is not None:
            return registered_name, found
    return class_name, lookup(class_name, table, custom_objects)


def deserialize_layer(entry, custom_objects=None, where="layer"):
    """A layer from one ``layers`` entry of a model config, through ``fastkeras.layers.deserialize``."""
    from fastkeras import layers as layers_module
    from fastkeras.layers.serialization import get_builtin_layer
    functional, _, _, training = _engine()
    from fastkeras.engine.base_layer import Layer
    if not isinstance(entry, dict):
        raise ValueError(f"Malformed model config: {where} should be a dict with 'class_name' and 'config', "
                         f"got {type(entry).__name__}: {_short(entry)}.")
    class_name = entry.get("class_name")
    if not isinstance(class_name, str):
        raise ValueError(f"Malformed model config: {where} has no 'class_name' string "
                         f"(found {_short(class_name)}).")
    config = entry.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"Malformed model config: the 'config' of {where} ({class_name}) should be a dict, "
                         f"got {type(config).__name__}.")
    builtin = get_builtin_layer(class_name)
    name, cls = _resolve_class(class_name, entry.get("registered_name"), {class_name: builtin} if builtin else {},
                               custom_objects)
    if cls is None:
        raise ValueError(f"Unknown layer class '{class_name}' ({where}). If it is a custom layer, pass it when "
                         f"loading: `custom_objects={{'{class_name}': {class_name}}}`, or register it with "
                         "`fastkeras.utils.register_keras_serializable()`. (fastkeras never imports the module "
                         "named in a config.)")
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"'{class_name}' ({where}) resolves to {cls!r}, which is not a layer class.")
    if cls is training.Model:
        # Keras 2.2 wrote functional models as 'Model'.
        name, cls = "Functional", functional.Functional
    try:
        layer = layers_module.deserialize({"class_name": name, "config": config}, custom_objects=custom_objects)
        build_config = entry.get("build_config")
        if build_config and (_overrides(layer, "build_from_config") or _is_subclassed_model(layer)):
            # As Keras 3: a layer that rebuilds itself its own way (a build() with more arguments than the
            # input shape) does so before the model calls it, and a subclassed model is built from its input
            # shape so that its weights exist before they are loaded. The shape comes from the file: bounded
            # before the layer runs its call on stand-ins of that size.
            from fastkeras.saving.safety import check_build_config
            check_build_config(build_config, None)
            layer.build_from_config(build_config)
        return layer
    except Exception as e:
        _add_note(e, f"(while rebuilding {where} of class {class_name} from a model config)")
        raise


def _add_note(error, note):
    """Adds context to an exception on its way out (Python 3.11+; a no-op before)."""
    if hasattr(error, "add_note"):
        error.add_note(note)


def _short(value, limit=200):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


class _Pending(Exception):
    """A node refers to a node that has not been rebuilt yet."""


def _reconstruct(config, custom_objects):
    """(inputs, outputs, layers by name) for a functional config, calling each layer as recorded: Keras 2 nodes
    (lists of tensor references) and Keras 3 call records (``keras3_nodes``) alike."""
    from fastkeras.engine import tree
    from fastkeras.saving.keras3_nodes import is_call_record
    _, _, input_layer, _ = _engine()
    layer_entries = config["layers"]
    if not isinstance(layer_entries, list):
        raise ValueError(f"Malformed model config: 'layers' should be a list of layer configs, "
                         f"got {type(layer_entries).__name__}.")
    created = {}
    order = []
    pending = {}
    node_index_map = {}
    node_count = {}

    for i, entry in enumerate(layer_entries):
        if not isinstance(entry, dict):
            raise ValueError(f"Malformed model config: layer #{i} should be a dict, got {type(entry).__name__}.")
        entry = keras2_ops.from_tf_keras(entry)
        name = entry.get("name")
        if name is None and isinstance(entry.get("config"), dict):
            name = entry["config"].get("name")
        if not isinstance(name, str):
            raise ValueError(f"Malformed model config: layer #{i} ({entry.get('class_name')}) has no 'name' string.")
        if name in created:
            raise ValueError(f"Malformed model config: the layer name '{name}' appears twice in 'layers' "
                             f"(layers #{order.index(name)} and #{i}).")
        where = f"layer #{i} ('{name}')"
        layer = deserialize_layer(entry, custom_objects, where)
        inbound = entry.get("inbound_nodes")
        if inbound is None:
            if not isinstance(layer, input_layer.InputLayer):
                raise ValueError(f"Malformed model config: {where} has no 'inbound_nodes' key.")
            inbound = []
        if not isinstance(inbound, list):
            raise ValueError(f"Malformed model config: 'inbound_nodes' of {where} should be a list, "
                             f"got {type(inbound).__name__}.")
        created[name] = layer
        order.append(name)
        node_count[name] = int(_should_skip_first_node(layer))
        pending[name] = [(k, data) for k, data in enumerate(inbound)]

    def tensor_at(ref, where):
        """The output tensor a ``[layer, node_index, tensor_index]`` reference names; _Pending if not made yet."""
        if len(ref) < 3:
            raise ValueError(f"Malformed model config: {where} has the tensor reference {_short(ref)}; expected "
                             "[layer_name, node_index, tensor_index].")
        layer_name, node_index, tensor_index = ref[0], ref[1], ref[2]
        if layer_name not in created:
            raise ValueError(f"Malformed model config: {where} refers to layer '{layer_name}', which is not among "
                             f"the model's layers {order}.")
        if not _is_int(node_index) or not _is_int(tensor_index):
            raise ValueError(f"Malformed model config: {where} has the tensor reference {_short(ref)}; the node and "
                             "tensor indices must be integers.")
        layer = created[layer_name]
        if isinstance(layer, input_layer.InputLayer):
            index = 0
        else:
            index = node_index_map.get((layer_name, node_index))
            if index is None:
                raise _Pending((layer_name, node_index))
        outputs = layer._inbound_nodes[index].output_tensors
        if not 0 <= tensor_index < len(outputs):
            raise ValueError(f"Malformed model config: {where} asks for output #{tensor_index} of node {node_index} "
                             f"of layer '{layer_name}', which has {len(outputs)} output(s).")
        return outputs[tensor_index]

    def call_kwargs(kwargs, where):
        if kwargs is None:
            return {}
        if not isinstance(kwargs, dict):
            raise ValueError(f"Malformed model config: the call arguments of {where} should be a dict, "
                             f"got {type(kwargs).__name__}.")

        def convert(v):
            if (isinstance(v, list) and len(v) in (3, 4) and isinstance(v[0], str) and v[0] in created
                    and _is_int(v[1]) and _is_int(v[2])):
                return tensor_at(v, where)
            if isinstance(v, list):
                return [convert(item) for item in v]
            if isinstance(v, dict):
                return {key: convert(item) for key, item in v.items()}
            return v
        return {key: convert(value) for key, value in kwargs.items()}

    def call_layer(name, where, args, kwargs):
        try:
            outputs = created[name](*args, **kwargs)
        except Exception as e:
            _add_note(e, f"(while calling layer '{name}' for {where} of a model config)")
            raise
        node_index_map[(name, node_count[name])] = tree.flatten(outputs)[0]._keras_history[1]
        node_count[name] += 1

    def process_call_record(name, where, data):
        """A Keras 3 node: the layer is called with the recorded arguments, positional ones included."""
        from fastkeras.saving.keras3_nodes import call_value
        if not data["args"]:
            raise ValueError(f"Malformed model config: {where} records a call without arguments.")
        args = call_value(data["args"], tensor_at, where)
        kwargs = call_value(data["kwargs"], tensor_at, where)
        call_layer(name, where, args, kwargs)

    def process(name, position, data):
        where = f"inbound node #{position} of layer '{name}'"
        if is_call_record(data):
            return process_call_record(name, where, data)
        if not isinstance(data, (list, dict)):
            raise ValueError(f"Malformed model config: {where} should be a list or dict of tensor references, "
                             f"got {_short(data)}.")
        refs = _flatten_refs(data)
        if not refs:
            raise ValueError(f"Malformed model config: {where} is empty.")
        tensors, kwargs = [], {}
        for ref in refs:
            if not _is_node_ref(ref):
                raise ValueError(f"Malformed model config: {where} holds {_short(ref)}; expected "
                                 "[layer_name, node_index, tensor_index] or [layer_name, node_index, tensor_index, "
                                 "kwargs].")
            if len(ref) == 4:
                kwargs = call_kwargs(ref[3], where)
            if ref[0] == _CONSTANT_VALUE:
                raise ValueError(f"{where} passes a constant value as a layer input ({_short(ref[2])}); fastkeras "
                                 "layers in a functional model take only symbolic tensors. Wrap the constant in a "
                                 "layer instead.")
            tensors.append(tensor_at(ref, where))
        args = _pack_refs(data, tensors)
        if not isinstance(args, dict) and len(tensors) == 1:
            args = tensors[0]
        call_layer(name, where, [args], kwargs)

    while any(pending.values()):
        progress = False
        for name in order:
            queue = pending[name]
            while queue:
                position, data = queue[0]
                try:
                    process(name, position, data)
                except _Pending:
                    break
                queue.pop(0)
                progress = True
        if not progress:
            problems = []
            for name in order:
                if pending[name]:
                    position, data = pending[name][0]
                    try:
                        process(name, position, data)
                    except _Pending as p:
                        layer_name, node_index = p.args[0]
                        problems.append(f"inbound node #{position} of layer '{name}' needs node {node_index} of "
                                        f"layer '{layer_name}', which the config never creates")
            raise ValueError("Malformed model config: some layer calls can never be made: " + "; ".join(problems)
                             + ".")

    def endpoints(key):
        structure = config[key]
        refs = _flatten_refs(structure)
        if not refs:
            raise ValueError(f"Malformed model config: '{key}' is empty.")
        tensors = []
        for ref in refs:
            where = f"'{key}' entry {_short(ref)}"
            if not _is_node_ref(ref):
                raise ValueError(f"Malformed model config: {where} should be [layer_name, node_index, tensor_index].")
            try:
                tensors.append(tensor_at(ref, where))
            except _Pending:
                raise ValueError(f"Malformed model config: {where} refers to node {ref[1]} of layer '{ref[0]}', "
                                 "which the config never creates.") from None
        return _pack_refs(structure, tensors)

    return endpoints("input_layers"), endpoints("output_layers"), created


def functional_from_config(cls, config, custom_objects=None):
    """Rebuilds a Functional model (or ``cls``) from ``functional_config``'s format."""
    functional, _, _, training = _engine()
    if not isinstance(config, dict):
        raise ValueError(f"A functional model config must be a dict, got {type(config).__name__}.")
    missing = [key for key in _FUNCTIONAL_KEYS if key not in config]
    if missing:
        if cls not in (functional.Functional, training.Model):
            return cls(**config)
        raise ValueError(f"Malformed model config: missing key(s) {missing} (a functional model config has "
                         f"'name', 'layers', 'input_layers' and 'output_layers'; found {sorted(config)}).")
    inputs, outputs, created = _reconstruct(config, custom_objects)
    # tf-keras unwraps a list holding a single tensor (its Functional does so on construction).
    if isinstance(inputs, list) and len(inputs) == 1 and not isinstance(inputs[0], (list, tuple, dict)):
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1 and not isinstance(outputs[0], (list, tuple, dict)):
        outputs = outputs[0]
    model = cls(inputs=inputs, outputs=outputs, name=config.get("name"))
    _connect_side_layers(model, created)
    if config.get("trainable") is False:
        model._trainable = False
    return model


def _connect_side_layers(model, created):
    """Layers of the config that no output depends on, such as the AddLoss and AddMetric layers a symbolic
    ``model.add_loss``/``add_metric`` made: computed again in every forward pass, as tf-keras reconnects them."""
    from fastkeras.engine.op_layer import attach_side_outputs
    in_model = {id(layer) for layer in model.layers}
    side = [t for layer in created.values() if id(layer) not in in_model
            for node in layer._inbound_nodes for t in node.output_tensors]
    if side:
        attach_side_outputs(model, side)


def sequential_from_config(cls, config, custom_objects=None):
    """Rebuilds a Sequential model from its config (also the old format: a plain list of layer configs)."""
    if isinstance(config, list):
        name, layer_configs, build_input_shape = None, config, None
    elif isinstance(config, dict):
        if "layers" not in config:
            raise ValueError(f"Malformed Sequential config: missing key 'layers' (found {sorted(config)}).")
        name = config.get("name")
        layer_configs = config["layers"]
        build_input_shape = config.get("build_input_shape")
        if not isinstance(layer_configs, list):
            raise ValueError(f"Malformed Sequential config: 'layers' should be a list, "
                             f"got {type(layer_configs).__name__}.")
    else:
        raise ValueError(f"A Sequential config must be a dict (or a list of layer configs), got "
                         f"{type(config).__name__}.")
    model = cls(name=name)
    for i, entry in enumerate(layer_configs):
        label = entry.get("config", {}).get("name") if isinstance(entry, dict) and \
            isinstance(entry.get("config"), dict) else None
        model.add(deserialize_layer(entry, custom_objects, f"layer #{i}" + (f" ('{label}')" if label else "")))
    if not model.inputs:
        if isinstance(build_input_shape, (list, tuple)) and build_input_shape:
            model.build(tuple(build_input_shape))
        elif layer_configs and isinstance(layer_configs[0], dict):
            shape = (layer_configs[0].get("build_config") or {}).get("input_shape")
            if isinstance(shape, (list, tuple)) and shape and all(d is None or _is_int(d) for d in shape):
                model.build(tuple(shape))
    if isinstance(config, dict) and config.get("trainable") is False:
        model._trainable = False
    return model


_MODEL_TABLE_NAMES = ("Functional", "Model", "Sequential")


def _call_from_config(cls, config, custom_objects):
    from fastkeras.saving.serialization import CustomObjectScope
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(config, custom_objects=custom_objects)
    with CustomObjectScope(custom_objects or {}):
        return cls.from_config(config)


def model_from_config(config, custom_objects=None):
    """A model from ``{'class_name': 'Functional' | 'Model' | 'Sequential' | <custom>, 'config': {...}}``."""
    from fastkeras.layers.serialization import get_builtin_layer
    functional, sequential, _, training = _engine()
    if not isinstance(config, dict):
        hint = " To build a Sequential model from a list of layer configs use `Sequential.from_config(config)`." \
            if isinstance(config, list) else ""
        raise ValueError(f"model_from_config expects a dict with 'class_name' and 'config', got "
                         f"{type(config).__name__}.{hint}")
    class_name = config.get("class_name")
    if not isinstance(class_name, str):
        raise ValueError(f"Malformed model config: no 'class_name' string at the top level (keys: {sorted(config)}).")
    if "config" not in config:
        raise ValueError(f"Malformed model config: no 'config' key at the top level (keys: {sorted(config)}).")
    table = {"Functional": functional.Functional, "Model": functional.Functional,
             "Sequential": sequential.Sequential}
    _, cls = _resolve_class(class_name, config.get("registered_name"), table, custom_objects)
    if cls is None:
        if get_builtin_layer(class_name) is not None:
            raise ValueError(f"The config is of a '{class_name}' layer, not of a model: model_from_config expects the "
                             "config of a Functional or Sequential model.")
        raise ValueError(f"Unknown model class '{class_name}'. If it is a custom model, pass it when loading: "
                         f"`custom_objects={{'{class_name}': {class_name}}}`.")
    if cls is training.Model:
        cls = functional.Functional
    if not (isinstance(cls, type) and issubclass(cls, training.Model)):
        raise ValueError(f"The config is of class '{class_name}', which is not a model class: model_from_config "
                         "expects the config of a Functional or Sequential model.")
    inner = config["config"]
    if not isinstance(inner, dict) and not (isinstance(inner, list) and issubclass(cls, sequential.Sequential)):
        raise ValueError(f"Malformed model config: 'config' should be a dict, got {type(inner).__name__}.")
    from fastkeras.saving import safety
    safety.scan_config(config)
    with safety.config_budget("model config"):
        return _call_from_config(cls, inner, custom_objects)


def model_from_json(json_string, custom_objects=None):
    """A model (with fresh weights) from the JSON that ``model.to_json()`` writes."""
    from fastkeras.saving import safety
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise ValueError(f"model_from_json expects a JSON string, got {type(json_string).__name__}.")
    config = safety.load_json(json_string, what="model_from_json string")
    if not isinstance(config, dict):
        from fastkeras.saving.errors import FileFormatError
        raise FileFormatError(f"model_from_json: the JSON holds a {type(config).__name__}, not an object with "
                         "'class_name' and 'config'.")
    from fastkeras.saving.model_building import build_model
    return build_model(config, custom_objects, "model_from_json")


def model_from_yaml(yaml_string, custom_objects=None):
    """A model from the YAML that ``model.to_yaml()`` writes (read with ``yaml.safe_load`` only, after
    ``safety.load_yaml`` refused tags, aliases and deep nesting)."""
    from fastkeras.saving import safety
    if not isinstance(yaml_string, (str, bytes, bytearray)):
        raise ValueError(f"model_from_yaml expects a YAML string, got {type(yaml_string).__name__}.")
    config = safety.load_yaml(yaml_string, what="model_from_yaml string")
    if not isinstance(config, dict):
        from fastkeras.saving.errors import FileFormatError
        raise FileFormatError(f"model_from_yaml: the YAML holds a {type(config).__name__}, not a mapping with "
                         "'class_name' and 'config'.")
    from fastkeras.saving.model_building import build_model
    return build_model(config, custom_objects, "model_from_yaml")


def _import_yaml(caller):
    try:
        import yaml
    except ImportError:
        raise ImportError(f"{caller} requires PyYAML: `pip install pyyaml`.") from None
    return yaml


__all__ = ["functional_config", "functional_from_config", "sequential_config", "sequential_from_config",
           "model_to_json", "model_from_json", "model_to_yaml", "model_from_yaml", "model_from_config",
           "serialize_layer", "deserialize_layer"]
