"""Model configs between Keras 3's dialect (``.keras`` files) and the Keras 2 dialect fastkeras speaks.

The two differ in a handful of places, each handled here and nowhere else:

* inbound nodes: Keras 3 writes ``{'args': [...], 'kwargs': {...}}`` with
  ``__keras_tensor__`` entries (``keras3_nodes``); Keras 2 writes lists of
  ``[layer, node_index, tensor_index, kwargs]``. The model builder takes both,
  so reading only renumbers Keras 3's, and writing leaves them as
  ``model_config.keras3_node_format`` made them;
* node numbering: Keras 2 numbers the calls of a nested model from 1 (its
  node 0 links the model's own inputs), Keras 3 from 0;
* dtypes as ``DTypePolicy`` objects, ``shared_object_id`` markers, the input
  layer's ``batch_shape`` (Keras 2: ``batch_input_shape``), Lambda functions as
  ``__lambda__``/``function`` objects, the model classes' ``module``;
* keys one side lacks (``quantization_config``, ``time_major``, ``groups`` of
  transposed convolutions...): dropped when they hold the value that means
  "as the other side behaves", kept otherwise so that the layer refuses them
  with its own clear error;
* an RNN called with symbolic initial states: Keras 3 passes them as
  ``initial_state`` (``keras3_nodes``) and builds the layer from a
  ``shapes_dict``;
* the ``compile_config``: Keras 3's loss configs (no 'auto' reduction, no
  wrapped ``fn``), metric wrappers holding function objects, its names for
  Keras 2's 'logcosh', 'kld'..., LossScaleOptimizer as its own class.

* Keras 3's graph operations (``x * 2``, ``ops.mean``) against fastkeras'
  TFOpLambda layers (``keras3_ops``).

Nothing here imports anything a file names; it rewrites dicts and lists, and
looks Keras 3's operations up in fastkeras' own op table.
"""
import copy

from fastkeras.saving import keras3_ops

# Keras 3-only keys dropped when reading, at the value that behaves as Keras 2 does.
_K3_ONLY_DEFAULTS = {"quantization_config": None, "synchronized": False, "renorm": False, "renorm_clipping": None,
                     "renorm_momentum": 0.99, "input_axes": None, "output_axes": None, "lora_rank": None,
                     "lora_alpha": None, "use_cudnn": "auto", "loss_scale_factor": None,
                     "gradient_accumulation_steps": None}
# Keras 3-only arguments of single layers, dropped when reading at the value that behaves as fastkeras does.
_K3_ONLY_LAYER_DEFAULTS = {
    "Attention": {"seed": None}, "AdditiveAttention": {"seed": None},
    "MultiHeadAttention": {"seed": None, "use_gate": False, "sliding_window": None},
    "LSTM": {"seed": None}, "GRU": {"seed": None}, "SimpleRNN": {"seed": None},
}
# Keras 3 classes whose legacy (.h5) configs name the Python class rather than the exported name.
_K3_CLASS_NAMES = {"GroupedQueryAttention": "GroupQueryAttention"}
# Keras 2-only keys dropped when writing for Keras 3.
_K2_ONLY_DEFAULTS = {"time_major": False, "is_legacy_optimizer": False, "jit_compile": None}
# Keras 2-only arguments of single layers, dropped when writing at the value that behaves as Keras 3 does
# (tf-keras' transposed, depthwise and separable convolutions inherit Conv's `groups`; Keras 3's take none).
_K2_ONLY_LAYER_DEFAULTS = {name: {"groups": 1} for name in (
    "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D",
    "SeparableConv1D", "SeparableConv2D")}
# tf-keras config keys that Keras 3's constructors refuse as unknown arguments and that change nothing there,
# dropped when writing: Conv's kernel arguments, which tf-keras' separable convolutions inherit and never use
# (their weights are the depthwise and pointwise kernels); `trainable` of layers without weights, and the
# spatial dropouts' `noise_shape` (always None: the layers set their own).
_K3_REFUSED_LAYER_KEYS = {
    **{name: ("kernel_initializer", "kernel_regularizer", "kernel_constraint")
       for name in ("SeparableConv1D", "SeparableConv2D")},
    **{name: ("trainable", "noise_shape") for name in ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D")},
    "Discretization": ("trainable",),
}
_POLICY_CLASSES = ("Policy", "DTypePolicy", "FloatDTypePolicy")
_MODEL_CLASSES = ("Functional", "Model", "Sequential")
_AUTO_MASK_ARGS = ("mask", "query_mask", "value_mask", "key_mask")
_FUNCTIONAL_MODULE_K3 = "keras.src.models.functional"


def _node_offset(entry):
    """1 for a layer entry whose calls Keras 2 numbers from 1 (a functional model, a Sequential with an input)."""
    if not isinstance(entry, dict):
        return 0
    class_name = entry.get("class_name")
    config = entry.get("config")
    if class_name in ("Functional", "Model") and isinstance(config, dict) and "input_layers" in config:
        return 1
    if class_name == "Sequential" and isinstance(config, dict):
        layers = config.get("layers")
        return int(isinstance(layers, list) and bool(layers) and isinstance(layers[0], dict)
                   and layers[0].get("class_name") == "InputLayer")
    return 0


def _offsets(functional_config):
    layers = functional_config.get("layers")
    if not isinstance(layers, list):
        return {}
    out = {}
    for entry in layers:
        if isinstance(entry, dict):
            name = entry.get("name")
            if not isinstance(name, str) and isinstance(entry.get("config"), dict):
                name = entry["config"].get("name")
            if isinstance(name, str):
                out[name] = _node_offset(entry)
    return out


def _is_ref(x):
    return isinstance(x, list) and len(x) in (3, 4) and isinstance(x[0], str) and \
        isinstance(x[1], int) and not isinstance(x[1], bool)


def _shift_ref(ref, offsets, sign):
    shift = offsets.get(ref[0], 0)
    if shift:
        ref = list(ref)
        ref[1] = ref[1] + sign * shift
    return ref


def _shift_endpoints(structure, offsets, sign):
    if _is_ref(structure):
        return _shift_ref(structure, offsets, sign)
    if isinstance(structure, list):
        return [_shift_endpoints(s, offsets, sign) for s in structure]
    if isinstance(structure, dict):
        return {k: _shift_endpoints(v, offsets, sign) for k, v in structure.items()}
    return structure


# ---------------------------------------------------------------------------------------------------------
# reading: Keras 3 -> Keras 2 dialect
# ---------------------------------------------------------------------------------------------------------

def _is_keras_tensor(x):
    return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__" and isinstance(x.get("config"), dict)


def _histories_from_k3(value, offsets):
    """``value`` with the node index of every symbolic tensor's ``keras_history`` in Keras 2's numbering."""
    if _is_keras_tensor(value):
        history = value["config"].get("keras_history")
        if isinstance(history, list) and len(history) == 3:
            value = {**value, "config": {**value["config"], "keras_history": _shift_ref(history, offsets, +1)}}
        return value
    if isinstance(value, list):
        return [_histories_from_k3(v, offsets) for v in value]
    if isinstance(value, dict):
        return {k: _histories_from_k3(v, offsets) for k, v in value.items()}
    return value


def _node_from_k3(node, offsets):
    """One Keras 3 call record, kept as ``{'args', 'kwargs'}`` (the model builder calls the layer with them) with
    its tensor references renumbered; a Keras 2 list inside a Keras 3 file (Keras 3 reads those too) is only
    renumbered."""
    if not isinstance(node, dict):
        return _shift_endpoints(node, offsets, +1)
    args, kwargs = node.get("args", []), node.get("kwargs") or {}
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        return node  # left for the model builder to reject with its own message
    kwargs = dict(kwargs)
    for key in _AUTO_MASK_ARGS:
        # Keras 3 records `mask=None` where the symbolic input had no mask, then fills any None mask argument
        # from the tensors at run time: None means "the inputs' masks", which is what leaving it out says here.
        if key in kwargs and kwargs[key] is None:
            del kwargs[key]
    # Keras 3 records `training` when a call passed it (or its default is not None, as Pipeline's True), but
    # fit/evaluate/predict override it with their own mode: a recorded value never decides there.
    kwargs.pop("training", None)
    return {"args": _histories_from_k3(args, offsets), "kwargs": _histories_from_k3(kwargs, offsets)}


def _function_from_k3(value):
    """(payload, kind, module) for a Keras 3 function object in a Lambda config, or None if not one."""
    if not isinstance(value, dict):
        return None
    if value.get("class_name") == "__lambda__" and isinstance(value.get("config"), dict):
        c = value["config"]
        return [c.get("code"), c.get("defaults"), c.get("closure")], "lambda", None
    if value.get("class_name") == "function" and isinstance(value.get("config"), str):
        return value["config"], "function", value.get("module")
    return None


def _lambda_from_k3(config):
    for key, type_key, module_key in (("function", "function_type", "module"),
                                      ("output_shape", "output_shape_type", "output_shape_module"),
                                      ("mask", "mask_type", "mask_module")):
        parsed = _function_from_k3(config.get(key))
        if parsed is not None:
            config[key], config[type_key], config[module_key] = parsed


def _from_k3(node, offsets):
    if isinstance(node, list):
        return [_from_k3(item, offsets) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and isinstance(node.get("config"), dict):
        return node["config"].get("name")
    out = {k: v for k, v in node.items() if k != "shared_object_id"}
    class_name = out.get("class_name")
    config = out.get("config")
    if keras3_ops.is_operation(out):
        if isinstance(out.get("inbound_nodes"), list):
            out["inbound_nodes"] = [_node_from_k3(n, offsets) for n in out["inbound_nodes"]]
        return keras3_ops.operation_from_k3(out)
    if isinstance(class_name, str) and isinstance(config, dict):
        if class_name in _K3_CLASS_NAMES:
            out["class_name"] = class_name = _K3_CLASS_NAMES[class_name]
        config = {k: v for k, v in config.items()
                  if not (k in _K3_ONLY_DEFAULTS and v == _K3_ONLY_DEFAULTS[k])}
        if class_name == "InputLayer" and "batch_shape" in config and "batch_input_shape" not in config:
            config["batch_input_shape"] = config.pop("batch_shape")
        if class_name == "Lambda":
            _lambda_from_k3(config)
        for key, value in _K3_ONLY_LAYER_DEFAULTS.get(class_name, {}).items():
            if key in config and config[key] == value:
                del config[key]
        inner_offsets = _offsets(config) if "input_layers" in config else offsets
        config = {k: _from_k3(v, inner_offsets) for k, v in config.items()}
        if "input_layers" in config:
            for key in ("input_layers", "output_layers"):
                if key in config:
                    config[key] = _shift_endpoints(config[key], inner_offsets, +1)
        out["config"] = config
        if isinstance(out.get("inbound_nodes"), list):
            out["inbound_nodes"] = [_node_from_k3(n, offsets) for n in out["inbound_nodes"]]
        for key, value in list(out.items()):
            if key not in ("config", "inbound_nodes"):
                out[key] = _from_k3(value, offsets)
        return out
    return {k: _from_k3(v, offsets) for k, v in out.items()}


def from_keras3(config):
    """A Keras 3 model config (``config.json`` of a Keras 3 ``.keras`` file) in the Keras 2 dialect."""
    return _from_k3(config, {})


# ---------------------------------------------------------------------------------------------------------
# writing: Keras 2 dialect -> what Keras 3 reads
# ---------------------------------------------------------------------------------------------------------

def _lambda_to_k3(config):
    for key, type_key, module_key in (("function", "function_type", "module"),
                                      ("output_shape", "output_shape_type", "output_shape_module"),
                                      ("mask", "mask_type", "mask_module")):
        kind = config.pop(type_key, None)
        module = config.pop(module_key, None)
        value = config.get(key)
        if kind == "lambda" and isinstance(value, (list, tuple)) and len(value) == 3:
            config[key] = {"class_name": "__lambda__",
                           "config": {"code": value[0], "defaults": value[1], "closure": value[2]}}
        elif kind == "function" and isinstance(value, str):
            config[key] = {"module": module, "class_name": "function", "config": value,
                           "registered_name": "function"}


def _dtype_policy_to_k3(dtype):
    """A layer's dtype as Keras 3 writes it: a ``DTypePolicy`` object, whether fastkeras holds a name
    ('float32', 'mixed_float16') or tf-keras' ``keras.mixed_precision`` ``Policy``. Keras 3 reads a name only
    where it is a plain dtype; a policy object in tf-keras' spelling becomes no policy at all there."""
    name = dtype
    if isinstance(dtype, dict) and dtype.get("class_name") in _POLICY_CLASSES and isinstance(dtype.get("config"), dict):
        name = dtype["config"].get("name")
    if not isinstance(name, str):
        return dtype
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def _layer_to_k3(class_name, config, in_sequential_with_input):
    config = {k: v for k, v in config.items() if not (k in _K2_ONLY_DEFAULTS and v == _K2_ONLY_DEFAULTS[k])}
    if class_name == "InputLayer":
        if "batch_input_shape" in config:
            config["batch_shape"] = config.pop("batch_input_shape")
        return config
    if "dtype" in config and "trainable" in config:  # a layer's (Keras 3 writes InputLayer's as a name)
        config["dtype"] = _dtype_policy_to_k3(config["dtype"])
    for key, value in _K2_ONLY_LAYER_DEFAULTS.get(class_name, {}).items():
        if key in config and config[key] == value:
            del config[key]
    for key in _K3_REFUSED_LAYER_KEYS.get(class_name, ()):
        config.pop(key, None)
    config.pop("rng_type", None)  # tf-keras' random layers' generator kind: Keras 3 has one kind and no such key
    if in_sequential_with_input or "batch_input_shape" in config:
        config.pop("batch_input_shape", None)
    if class_name == "Embedding":
        config.pop("input_length", None)
    if class_name == "BatchNormalization" and isinstance(config.get("axis"), list) and len(config["axis"]) == 1:
        config["axis"] = config["axis"][0]
    if class_name == "Lambda":
        _lambda_to_k3(config)
    if class_name == "MultiHeadAttention":
        # tf-keras' build shapes and masking switch; Keras 3 refuses both as constructor arguments.
        for key in ("query_shape", "key_shape", "value_shape"):
            config.pop(key, None)
        if config.get("softmax_robust_masking") is False:
            del config["softmax_robust_masking"]
    return config


# Layers Keras 3 builds from the shapes of their separate query, value and key arguments.
_QUERY_VALUE_KEY_LAYERS = ("MultiHeadAttention", "GroupQueryAttention")


def _attention_build_config(entry):
    """Keras 3's ``build_config`` of an attention layer, ``{'shapes_dict': {'query_shape', 'value_shape',
    'key_shape'?}}``, from the tensors of its first call (None when it was never called in a model)."""
    nodes = entry.get("inbound_nodes")
    if not (isinstance(nodes, list) and nodes and isinstance(nodes[0], dict)):
        return None
    args, kwargs = nodes[0].get("args") or [], nodes[0].get("kwargs") or {}
    shapes = {}
    for position, name in enumerate(("query", "value", "key")):
        tensor = args[position] if position < len(args) else kwargs.get(name)
        if isinstance(tensor, dict) and tensor.get("class_name") == "__keras_tensor__":
            shapes[f"{name}_shape"] = tensor["config"]["shape"]
    return {"shapes_dict": shapes} if "query_shape" in shapes and "value_shape" in shapes else None


def _initial_state_build_config(entry):
    """Keras 3's ``build_config`` of a recurrent layer whose first call passed ``initial_state``
    (``{'shapes_dict': {'sequences_shape', 'initial_state_shape'}}``; Keras 3 cannot build from a list of the
    input and state shapes), or None for any other layer."""
    nodes = entry.get("inbound_nodes")
    if not (isinstance(nodes, list) and nodes and isinstance(nodes[0], dict)):
        return None
    args, kwargs = nodes[0].get("args") or [], nodes[0].get("kwargs") or {}
    if not (len(args) == 1 and _is_keras_tensor(args[0]) and "initial_state" in kwargs):
        return None
    states = kwargs["initial_state"]
    if _is_keras_tensor(states):
        state_shapes = states["config"]["shape"]
    elif isinstance(states, list) and states and all(_is_keras_tensor(t) for t in states):
        state_shapes = [t["config"]["shape"] for t in states]
    else:
        return None
    return {"shapes_dict": {"sequences_shape": args[0]["config"]["shape"], "initial_state_shape": state_shapes}}


def _to_k3(node, in_sequential_with_input=False):
    """Keras 3's spelling of class identities and layer configs. The calls are already in Keras 3's node format
    and numbering (``model_config.keras3_node_format``), so ``inbound_nodes`` and the model's endpoints pass
    through unchanged."""
    if isinstance(node, list):
        return [_to_k3(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = dict(node)
    class_name = out.get("class_name")
    config = out.get("config")
    operation = keras3_ops.operation_to_k3(out)
    if operation is not None:
        return operation
    if isinstance(class_name, str) and isinstance(config, dict):
        if class_name in ("Functional", "Model") and "input_layers" in config:
            out["module"], out["class_name"], out["registered_name"] = _FUNCTIONAL_MODULE_K3, "Functional", \
                "Functional"
        elif class_name == "Sequential":
            out["module"], out["registered_name"] = "keras", None
        config = _layer_to_k3(class_name, config, in_sequential_with_input)
        if class_name == "Sequential" and isinstance(config.get("layers"), list):
            layers = config["layers"]
            has_input = bool(layers) and isinstance(layers[0], dict) and layers[0].get("class_name") == "InputLayer"
            if not has_input and layers and isinstance(layers[0], dict) and \
                    isinstance(layers[0].get("config"), dict) and "batch_input_shape" in layers[0]["config"]:
                first = layers[0]["config"]
                layers = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                           "config": {"batch_shape": first["batch_input_shape"], "dtype": first.get("dtype"),
                                      "sparse": False, "ragged": False, "name": f"{config.get('name')}_input"}}] \
                    + layers
                has_input = True
            config = {k: v for k, v in config.items() if k != "layers"}
            config["layers"] = [_to_k3(entry, in_sequential_with_input=has_input) for entry in layers]
            config = {k: (_to_k3(v) if k != "layers" else v) for k, v in config.items()}
        else:
            config = {k: (v if k in ("input_layers", "output_layers") else _to_k3(v)) for k, v in config.items()}
        out["config"] = config
        if class_name in _QUERY_VALUE_KEY_LAYERS:
            # Keras 3 builds these from separate shapes; a lone input shape makes its build fail.
            build_config = _attention_build_config(out)
            out.pop("build_config", None)
            if build_config is not None:
                out["build_config"] = build_config
        elif "build_config" in out:
            build_config = _initial_state_build_config(out)
            if build_config is not None:
                out["build_config"] = build_config
        return out
    return {k: (v if k == "inbound_nodes" else _to_k3(v)) for k, v in out.items()}


def to_keras3(config):
    """A fastkeras model config, serialized in ``keras3_node_format()``, rewritten so that Keras 3 reads it."""
    return _to_k3(copy.deepcopy(config))


# tf-keras' 'auto' loss reduction is Keras 3's default: the mean over the batch.
_K3_REDUCTIONS = {"auto": "sum_over_batch_size"}
# Keras 2 loss names Keras 3's `losses.get` does not know, and its names of the same functions.
_K3_LOSS_NAMES = {"logcosh": "log_cosh", "kullback_leibler_divergence": "kl_divergence"}
# Keras 2 metric names Keras 3's `metrics.get` does not know, with the Keras 3 function they name (written as a
# MeanMetricWrapper of that function, which keeps the name the metrics are logged under).
_K3_METRIC_FUNCTIONS = {"logcosh": "log_cosh", "log_cosh": "log_cosh", "kld": "kl_divergence",
                        "KLD": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
                        "binary_focal_crossentropy": "binary_focal_crossentropy",
                        "categorical_focal_crossentropy": "categorical_focal_crossentropy"}
# Metric functions Keras 3 finds under their Keras 2 name, but as a loss of another sign: Keras 2's metric
# cosine_similarity is the cosine, Keras 3's only cosine_similarity function (keras.losses) its negative.
_K3_METRIC_CLASSES = {"cosine_similarity": "CosineSimilarity"}


def _k3_function(name):
    """A built-in function as Keras 3 serializes it (its reader searches keras.losses, keras.metrics... by
    name)."""
    return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}


def _loss_to_k3(value):
    """A loss spec of a compile_config (a name, a Loss config, or per-output lists and dicts of them) as Keras 3
    writes it: its own names, and Loss configs without tf-keras' 'auto' reduction or the wrapped `fn`, which
    Keras 3's loss classes do not take (its LossFunctionWrapper takes `fn` as a function object)."""
    if isinstance(value, str):
        return _K3_LOSS_NAMES.get(value, value)
    if isinstance(value, list):
        return [_loss_to_k3(v) for v in value]
    if not isinstance(value, dict):
        return value
    if not (isinstance(value.get("class_name"), str) and isinstance(value.get("config"), dict)):
        return {k: _loss_to_k3(v) for k, v in value.items()}
    config = dict(value["config"])
    if "reduction" in config:
        config["reduction"] = _K3_REDUCTIONS.get(config["reduction"], config["reduction"])
    fn = config.pop("fn", None)
    if value["class_name"] == "LossFunctionWrapper" and isinstance(fn, str):
        config["fn"] = _k3_function(_K3_LOSS_NAMES.get(fn, fn))
    # Keras 3 writes the name and the reduction first; the class's own arguments follow.
    config = {**{k: config.pop(k) for k in ("name", "reduction") if k in config}, **config}
    return {**value, "config": config}


def _metric_wrapper(fn, name, dtype="float32"):
    if fn in _K3_METRIC_CLASSES:  # (over the last axis, the Keras 2 function's default)
        return {"module": "keras.metrics", "class_name": _K3_METRIC_CLASSES[fn],
                "config": {"name": name, "dtype": dtype}, "registered_name": None}
    return {"module": "keras.metrics", "class_name": "MeanMetricWrapper",
            "config": {"name": name, "dtype": dtype, "fn": _k3_function(_K3_METRIC_FUNCTIONS.get(fn, fn))},
            "registered_name": None}


def _metric_to_k3(value):
    """A metric spec of a compile_config as Keras 3 reads it: names it knows stay names, a MeanMetricWrapper
    wraps a function object (a bare name there is kept as a string and called at the first update)."""
    if isinstance(value, str):
        return _metric_wrapper(value, value) if value in _K3_METRIC_FUNCTIONS else value
    if isinstance(value, list):
        return [_metric_to_k3(v) for v in value]
    if not isinstance(value, dict):
        return value
    if not (isinstance(value.get("class_name"), str) and isinstance(value.get("config"), dict)):
        return {k: _metric_to_k3(v) for k, v in value.items()}
    config = value["config"]
    if value["class_name"] == "MeanMetricWrapper" and isinstance(config.get("fn"), str):
        wrapper = _metric_wrapper(config["fn"], config.get("name"), config.get("dtype", "float32"))
        extra = {k: v for k, v in config.items() if k not in ("name", "dtype", "fn")}
        return {**wrapper, "config": {**wrapper["config"], **extra}}
    return value


def _optimizer_to_k3(optimizer):
    if not (isinstance(optimizer, dict) and isinstance(optimizer.get("config"), dict)):
        return optimizer
    optimizer = dict(optimizer)
    config = {k: v for k, v in optimizer["config"].items() if k not in ("is_legacy_optimizer", "jit_compile")}
    if optimizer.get("class_name") == "LossScaleOptimizer":
        # Keras 3's own class (keras.optimizers), named and with a Keras 3 inner optimizer; it accepts
        # tf-keras' `dynamic=True`.
        optimizer.update(module="keras.optimizers", registered_name=None)
        config = {"name": config.pop("name", "loss_scale_optimizer"), **config}
        config["inner_optimizer"] = _optimizer_to_k3(config.get("inner_optimizer"))
    optimizer["config"] = config
    return optimizer


def compile_config_to_keras3(compile_config):
    if not isinstance(compile_config, dict):
        return compile_config
    out = dict(compile_config)
    out["optimizer"] = _optimizer_to_k3(out.get("optimizer"))
    out["loss"] = _loss_to_k3(out.get("loss"))
    for key in ("metrics", "weighted_metrics"):
        out[key] = _metric_to_k3(out.get(key))
    # Keras 3 needs numbers where tf-keras writes None ("the default").
    defaults = {"run_eagerly": False, "steps_per_execution": 1, "jit_compile": "auto"}
    for key, value in defaults.items():
        if out.get(key) is None:
            out[key] = value
    return out
