"""Functional models: a graph of layer nodes from Input tensors to output tensors.

The graph is data. Construction walks it once and stores an execution order;
``call`` is then a flat loop over precompiled steps writing into a list of
slots, with no graph walking per batch.
"""
import collections

from fastkeras import backend as K

from fastkeras.engine import autocast, tree
from fastkeras.engine.data_adapter import check_input_shapes, conform_rank, shape_fits
from fastkeras.engine.base_layer import Layer, _attach_masks, _call_arguments, output_mask
from fastkeras.engine.call_context import CONTEXT
from fastkeras.engine.input_layer import InputLayer
from fastkeras.engine.io_structure import structure_of
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.engine.symbolic_layer_call import direct_call
from fastkeras.engine.training import Model


def node_key(layer, node_index):
    return f"{layer.name}_ib-{node_index}"


def map_graph_network(inputs, outputs):
    """(network node keys, nodes by depth, layers in Keras 2 order) of the graph between inputs and outputs.

    Layers are ordered as Keras 2 orders them (deepest first, then by the order
    a depth-first walk from the outputs met them), so that ``model.layers`` and
    topological weight files line up with Keras'.
    """
    finished, in_progress = set(), set()
    nodes_in_decreasing_depth = []
    layer_indices = {}
    input_ids = {id(t) for t in inputs}

    # A depth-first walk from each output, written with an explicit stack so that a graph of any depth (a
    # ResNetRS-420 has thousands of layers on its longest path) needs no Python recursion.
    stack = []  # (node, iterator over the inputs still to walk)

    def enter(tensor):
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if node in finished:
            return
        if node in in_progress:
            raise ValueError(f'The tensor {tensor} at layer "{layer.name}" is part of a cycle.')
        layer_indices.setdefault(layer, len(layer_indices))
        in_progress.add(node)
        walk_inputs = not node.is_input and id(tensor) not in input_ids
        stack.append((node, iter(node.keras_inputs if walk_inputs else ())))

    for t in outputs:
        enter(t)
        while stack:
            node, pending = stack[-1]
            child = next(pending, None)
            if child is not None:
                enter(child)
                continue
            stack.pop()
            finished.add(node)
            in_progress.discard(node)
            nodes_in_decreasing_depth.append(node)

    network_nodes = {node_key(n.layer, n.index) for n in nodes_in_decreasing_depth}
    nodes_depths, layers_depths = {}, {}
    for node in reversed(nodes_in_decreasing_depth):
        depth = nodes_depths.setdefault(node, 0)
        depth = max(depth, layers_depths.get(node.layer, 0))
        layers_depths[node.layer] = depth
        nodes_depths[node] = depth
        for parent in node.parent_nodes:
            nodes_depths[parent] = max(depth + 1, nodes_depths.get(parent, 0))
    for t in inputs:
        layer = t._keras_history[0]
        if layer not in layers_depths:
            layers_depths[layer] = 0
            layer_indices[layer] = -1
            nodes_depths[layer._inbound_nodes[0]] = 0
            network_nodes.add(node_key(layer, 0))

    nodes_by_depth = collections.defaultdict(list)
    for node, depth in nodes_depths.items():
        nodes_by_depth[depth].append(node)
    layers_by_depth = collections.defaultdict(list)
    for layer, depth in layers_depths.items():
        layers_by_depth[depth].append(layer)
    layers = []
    for depth in sorted(layers_by_depth, reverse=True):
        layers.extend(sorted(layers_by_depth[depth], key=lambda layer: layer_indices[layer]))

    # Every node's inputs must be computable from the model's inputs (or fed by an Input holding a value).
    computable = set(input_ids) | {id(t) for t in constant_inputs(nodes_in_decreasing_depth, input_ids)}
    seen_layers = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if node.is_input:
                continue
            if any(id(t) in input_ids for t in node.output_tensors):
                continue
            for t in node.keras_inputs:
                if id(t) not in computable:
                    raise ValueError(f'Graph disconnected: cannot obtain value for tensor {t} at layer '
                                     f'"{node.layer.name}". The following previous layers were accessed without '
                                     f"issue: {seen_layers}")
            computable.update(id(t) for t in node.output_tensors)
            seen_layers.append(node.layer.name)

    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the model. '
                             "All layer names should be unique.")
    return network_nodes, nodes_by_depth, layers


def constant_inputs(nodes, input_ids):
    """The symbolic tensors of ``Input(tensor=value)`` layers among ``nodes`` that are not model inputs: the
    model feeds them their value."""
    return [t for node in nodes if node.is_input and getattr(node.layer, "constant", None) is not None
            for t in node.output_tensors if id(t) not in input_ids]


class _Step:
    """One precompiled node of the execution order."""
    __slots__ = ("layer", "call", "arg_slots", "first_arg_slots", "structure", "kwargs", "tensor_kwargs",
                 "out_slots", "pass_training", "accepts_mask", "single", "free", "regularize")


class Functional(Model):
    """``Model(inputs, outputs)``: inputs and outputs may be a tensor, a list or a dict."""

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True, **kwargs):
        if "input" in kwargs or "output" in kwargs:
            from fastkeras.engine.training import _keras1_model_kwargs
            given = {k: v for k, v in (("inputs", inputs), ("outputs", outputs)) if v is not None}
            kwargs = _keras1_model_kwargs({**kwargs, **given}, warn=True)
            inputs, outputs = kwargs.pop("inputs", None), kwargs.pop("outputs", None)
        if name is None and type(self) in (Functional, Model):
            name = K.unique_object_name("model")
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._init_graph_network(inputs, outputs)

    # ---- construction ----------------------------------------------------------

    def _init_graph_network(self, inputs, outputs):
        # As Keras 2: a one-element list is the same model as its element.
        if isinstance(inputs, list) and len(tree.flatten(inputs)) == 1:
            inputs = inputs[0]
        if isinstance(outputs, list) and len(tree.flatten(outputs)) == 1:
            outputs = outputs[0]
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        # tf.nest order, as tf-keras and Keras 3: a dict's entries by sorted key, whatever order they were given in.
        self._input_dict_keys = sorted(inputs) if isinstance(inputs, dict) else None
        self.inputs = tree.flatten(inputs)
        self.outputs = tree.flatten(outputs)
        for kind, tensors in (("inputs", self.inputs), ("outputs", self.outputs)):
            for t in tensors:
                if not isinstance(t, KerasTensor):
                    raise ValueError(f"Model {kind} must be symbolic tensors from `Input` and layers; "
                                     f"received {type(t).__name__}: {t!r}.")
        for t in self.inputs:
            layer = t._keras_history[0]
            if not isinstance(layer, InputLayer):
                raise ValueError(f'Model inputs must come from `fastkeras.Input`; a tensor given as input to model '
                                 f'"{self.name}" was produced by layer "{layer.name}" ({layer.__class__.__name__}).')
        if len({id(t) for t in self.inputs}) != len(self.inputs):
            raise ValueError(f'The list of inputs passed to the model "{self.name}" contains the same input more '
                             "than once.")

        self._input_layers = [t._keras_history[0] for t in self.inputs]
        self._input_coordinates = [t._keras_history for t in self.inputs]
        self._output_layers = [t._keras_history[0] for t in self.outputs]
        self._output_coordinates = [t._keras_history for t in self.outputs]
        self._network_nodes, self._nodes_by_depth, layers = map_graph_network(self.inputs, self.outputs)
        self._layers = layers
        self.input_names = [layer.name for layer in self._input_layers]
        self.output_names = _unique_names([layer.name for layer in self._output_layers])
        self._is_graph_network = True
        self.built = True
        self._build_input_shape = tree.map_structure(lambda t: tuple(t.shape), inputs)
        self._compile_steps()

    def _compile_steps(self):
        """Turns the execution order into slot-indexed steps: inputs occupy the first slots."""
        slots = {id(t): i for i, t in enumerate(self.inputs)}
        input_nodes = [node for nodes in self._nodes_by_depth.values() for node in nodes if node.is_input]
        self._constant_feeds = []  # (slot, InputLayer): Input(tensor=value) layers feed their value
        for t in constant_inputs(input_nodes, set(slots)):
            slots[id(t)] = len(slots)
            self._constant_feeds.append((slots[id(t)], t._keras_history[0]))
        order = []
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                if not node.is_input:
                    order.append(node)
        self._execution_order = order
        self._has_masks = any(t._keras_mask is not None for node in order for t in node.output_tensors)

        def slot_of(t):
            return slots[id(t)]

        steps = []
        for node in order:
            layer = node.layer
            step = _Step()
            step.layer = layer
            step.call = direct_call(layer)  # the graph's own values are never symbolic: no check per call
            accepts_mask, accepts_training, var_kw = _call_arguments(type(layer))
            step.single = isinstance(node.call_args[0], KerasTensor) and len(node.call_args) == 1
            step.structure = None if step.single else node.call_args
            step.arg_slots = [slot_of(t) for t in tree.flatten(node.call_args) if isinstance(t, KerasTensor)]
            step.kwargs = {k: v for k, v in node.call_kwargs.items()
                           if not any(isinstance(t, KerasTensor) for t in tree.flatten(v))}
            step.tensor_kwargs = {k: v for k, v in node.call_kwargs.items() if k not in step.kwargs}
            step.pass_training = accepts_training and "training" not in node.call_kwargs
            step.accepts_mask = accepts_mask
            step.first_arg_slots = [slot_of(t) for t in node.input_tensors]
            for t in node.output_tensors:
                slots[id(t)] = len(slots)
            step.out_slots = [slots[id(t)] for t in node.output_tensors]
            step.regularize = layer.activity_regularizer is not None
            step.free = []
            steps.append(step)
        if autocast.graph_is_mixed(step.layer for step in steps):
            # Mixed precision: every step follows its layer's dtype policy (nested models handle their own).
            for step in steps:
                if not getattr(step.layer, "_is_graph_network", False):
                    step.call = autocast.policy_call(step.layer, step.call)
        self._slot_count = len(slots)
        self._output_slots = [slots[id(t)] for t in self.outputs]
        # Free each intermediate value after its last use: inference keeps little alive.
        last_use = {}
        for i, step in enumerate(steps):
            for s in step.arg_slots:
                last_use[s] = i
            for v in step.tensor_kwargs.values():
                for t in tree.flatten(v):
                    if isinstance(t, KerasTensor):
                        last_use[slots[id(t)]] = i
        keep = set(self._output_slots)
        for s, i in last_use.items():
            if s not in keep:
                steps[i].free.append(s)
        self._steps = steps
        self._slots = slots
        self._regularized_layers = list({id(step.layer): step.layer for step in steps if step.regularize}.values())
        # K.gradients on symbolic tensors: run with gradient recording on, the inputs as leaves (see _run).
        self._differentiating = any(getattr(step.layer, "differentiates_inputs", False) for step in steps)

    # ---- running -------------------------------------------------------------

    def _flatten_call_inputs(self, inputs):
        """Inputs as a flat list in ``self.inputs`` order, from a tensor, list or dict."""
        if isinstance(inputs, dict):
            missing = [n for n in self.input_names if n not in inputs]
            if self._input_dict_keys is not None:
                keys = self._input_dict_keys
                if all(k in inputs for k in keys):
                    return tree.flatten({k: inputs[k] for k in keys})
            if missing:
                raise ValueError(f'Missing data for input "{missing[0]}" of model "{self.name}". You passed a dict '
                                 f"with keys {sorted(inputs)}. Expected the following keys: {self.input_names}")
            return [inputs[n] for n in self.input_names]
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self.inputs):
            if len(self.inputs) == 1 and isinstance(inputs, (list, tuple)) and len(flat) != 1:
                flat = [inputs]
            else:
                raise ValueError(f'Layer "{self.name}" expects {len(self.inputs)} input(s), but it received '
                                 f"{len(flat)} input tensors.")
        return flat

    def call(self, inputs, training=None, mask=None):
        flat = self._flatten_call_inputs(inputs)
        if flat and isinstance(flat[0], KerasTensor):  # model.call(keras_tensor): the layers record new nodes
            return self._pack_outputs(self._call_layers_symbolically(flat, training))
        if not self._inputs_match_exactly(flat) and \
                not all(shape_fits(tuple(t.shape), tuple(kt.shape)) for t, kt in zip(flat, self.inputs)
                        if hasattr(t, "shape")):
            flat = self._conform_inputs(flat)
        if training is None:
            training = CONTEXT.training
        if self._has_masks or (mask is not None and any(m is not None for m in tree.flatten(mask))):
            outputs, out_masks = self._run_masked(flat, training, _flat_masks(mask, len(flat)))
            # Outputs carry their masks, as in Keras 2: losses and metrics skip the masked steps.
            _attach_masks(outputs, out_masks)
        else:
            outputs = self._run(flat, training)
        return self._pack_outputs(outputs)

    def _inputs_match_exactly(self, flat):
        """The common case, cheaply: every input has exactly the model's input shape past the batch axis."""
        tails = self.__dict__.get("_input_tails")
        if tails is None:
            tails = self._input_tails = tuple(tuple(kt.shape)[1:] for kt in self.inputs)
        if len(flat) != len(tails):
            return False
        for t, tail in zip(flat, tails):
            shape = getattr(t, "shape", None)
            if shape is None or shape[1:] != tail:
                return False
        return True

    def _conform_inputs(self, flat):
        """Inputs given to a direct call, conformed to the model's input ranks (``conform_rank``); any other
        mismatch raises here, naming the input and both shapes, as tf-keras' model input spec does, instead of a
        kernel's shape error somewhere inside (or a silent run at a shape the model was not built for)."""
        if len(flat) == len(self.inputs) and all(hasattr(t, "shape") for t in flat):
            return check_input_shapes(self, flat)
        return [conform_rank(t, tuple(kt.shape)) if hasattr(t, "shape") else t for t, kt in zip(flat, self.inputs)]

    def _call_layers_symbolically(self, flat_inputs, training):
        """The outputs of calling each layer of the graph, in order, on new symbolic inputs: what tf-keras does
        with ``model.call(keras_tensors)``, so the model built on them holds the same layers (and weights)."""
        values = {id(t): v for t, v in zip(self.inputs, flat_inputs)}

        def new(value):
            return values[id(value)] if isinstance(value, KerasTensor) else value
        for node in self._execution_order:
            kwargs = tree.map_structure(new, node.call_kwargs)
            if training is not None and "training" not in kwargs and _call_arguments(type(node.layer))[1]:
                kwargs["training"] = training
            outputs = node.layer(*tree.map_structure(new, list(node.call_args)), **kwargs)
            for old, value in zip(node.output_tensors, tree.flatten(outputs)):
                values[id(old)] = value
        return [values[id(t)] for t in self.outputs]

    def compute_mask(self, inputs, mask=None):
        # One mask per output, in the structure of the outputs (tf-keras': [None, None] for two unmasked outputs).
        input_masks = _flat_masks(mask, len(self.inputs))
        if not self._has_masks and all(m is None for m in input_masks):
            return self._pack_outputs([None] * len(self.outputs))
        _, masks = self._run_masked(self._flatten_call_inputs(inputs), False, input_masks)
        return self._pack_outputs(masks)

    def _outputs_are_structured(self):
        """Whether the outputs are a dict or a list holding lists or dicts, rather than a tensor or a flat list."""
        return structure_of(self, "outputs") is not None

    def _pack_outputs(self, outputs):
        return tree.pack_sequence_as(self._nested_outputs, outputs)

    def _step_args(self, step, values):
        if step.single:
            return (values[step.arg_slots[0]],)
        it = iter(step.arg_slots)
        return tree.map_structure(lambda t: values[next(it)] if isinstance(t, KerasTensor) else t, step.structure)

    def _step_kwargs(self, step, values, training):
        kwargs = step.kwargs
        if step.pass_training or step.tensor_kwargs:
            kwargs = dict(kwargs)
            if step.pass_training:
                kwargs["training"] = training
            for k, v in step.tensor_kwargs.items():
                kwargs[k] = tree.map_structure(
                    lambda t: values[self._slots[id(t)]] if isinstance(t, KerasTensor) else t, v)
        return kwargs

    def _run(self, flat_inputs, training):
        """The hot path: no masks anywhere in the graph."""
        return self._guarded_run(self._run_steps, flat_inputs, training)

    def _guarded_run(self, run, flat_inputs, *args):
        """``run(flat_inputs, *args)``, differentiable when a layer asks for gradients.

        A layer calling ``K.gradients`` (a symbolic ``Gradients`` node, or a Lambda such as the where-mask of
        Keras 2's stacked what-where autoencoder) needs its inputs computed with gradient recording on, also in
        ``evaluate``, ``predict`` and ``K.function``, as Keras 2's graphs allowed. Such a model then always runs
        inside ``K.differentiating_scope`` with its inputs as leaves requiring gradients; what it returns is
        detached unless the caller records gradients (a training step).
        """
        if not self._differentiating:
            collected = CONTEXT.losses
            n_collected = len(collected) if collected is not None else 0
            try:
                return run(flat_inputs, *args)
            except K.NeedsGradientRecording:
                if collected is not None:
                    del collected[n_collected:]  # the aborted pass's add_loss() calls
                self._differentiating = True
        with K.differentiating_scope():
            result = run([K.differentiable_input(t) for t in flat_inputs], *args)
        if not K.is_grad_recording():
            result = tree.map_structure(lambda t: t.detach() if K.is_tensor(t) else t, result)
        return result

    def _run_steps(self, flat_inputs, training):
        values = [None] * self._slot_count
        values[:len(flat_inputs)] = flat_inputs
        for s, layer in self._constant_feeds:
            values[s] = layer.constant
        collect = CONTEXT.losses
        record = self._start_recording_activity_losses(collect)
        for step in self._steps:
            args = (values[step.arg_slots[0]],) if step.single else self._step_args(step, values)
            kwargs = self._step_kwargs(step, values, training)
            out = step.call(*args, **kwargs)
            if len(step.out_slots) == 1 and not isinstance(out, (list, tuple)):
                values[step.out_slots[0]] = out
            else:
                for s, v in zip(step.out_slots, tree.flatten(out)):
                    values[s] = v
            if step.regularize and (collect is not None or record):
                for s in step.out_slots:
                    penalty = step.layer.activity_regularizer(values[s]) / values[s].shape[0]
                    (collect if collect is not None else step.layer._eager_losses).append(penalty)
            for s in step.free:
                values[s] = None
        return [values[s] for s in self._output_slots]

    def _start_recording_activity_losses(self, collect):
        """Whether this call keeps its activity-regularization penalties on the layers, so that ``model.losses``
        holds them afterwards as in tf-keras (a custom training loop adds them to its loss). Only for a call
        recording gradients outside fit/evaluate (which collect the penalties themselves); predict skips them."""
        if collect is not None or not self._regularized_layers or not K.is_grad_recording():
            return False
        for layer in self._regularized_layers:
            layer._eager_losses = []
        return True

    def _run_masked(self, flat_inputs, training, input_masks):
        """Like ``_run``, also carrying Keras masks from layer to layer."""
        return self._guarded_run(self._run_masked_steps, flat_inputs, training, input_masks)

    def _run_masked_steps(self, flat_inputs, training, input_masks):
        values = [None] * self._slot_count
        masks = [None] * self._slot_count
        values[:len(flat_inputs)] = flat_inputs
        for s, layer in self._constant_feeds:
            values[s] = layer.constant
        masks[:len(input_masks)] = input_masks
        collect = CONTEXT.losses
        record = self._start_recording_activity_losses(collect)
        for step in self._steps:
            args = self._step_args(step, values)
            kwargs = self._step_kwargs(step, values, training)
            in_masks = [masks[s] for s in step.first_arg_slots]
            # The first argument's masks, as a direct call gives them (tf-keras and Keras 3 take the mask from
            # `inputs` alone): a layer called as layer(x, encoder_outputs) gets x's mask, not a list.
            in_mask = None if all(m is None for m in in_masks) else tree.unnest_single(in_masks)
            if step.accepts_mask and "mask" not in kwargs and in_mask is not None:
                kwargs = dict(kwargs, mask=in_mask)
            out = step.call(*args, **kwargs)
            flat_out = tree.flatten(out)
            if getattr(step.layer, "_is_graph_network", False):
                # a nested model's call() attached its output masks; compute_mask would run it a second time
                out_masks = [getattr(v, "_keras_mask", None) for v in flat_out]
            else:
                out_masks = output_mask(step.layer, args[0], kwargs.get("mask", in_mask))
            out_masks = tree.flatten(out_masks) if isinstance(out_masks, (list, tuple)) else [out_masks]
            if len(out_masks) != len(flat_out):
                out_masks = out_masks * len(flat_out) if len(out_masks) == 1 else [None] * len(flat_out)
            for s, v, m in zip(step.out_slots, flat_out, out_masks):
                values[s] = v
                masks[s] = m
                if m is not None:
                    # Carried by the tensor too, as each layer call leaves it in tf-keras and Keras 3: a custom
                    # layer's MultiHeadAttention reads its query's and value's masks from them (keras.io's
                    # translation transformer, whose padded tokens must not be attended to).
                    _attach_masks(v, m)
            if step.regularize and (collect is not None or record):
                for v in flat_out:
                    penalty = step.layer.activity_regularizer(v) / v.shape[0]
                    (collect if collect is not None else step.layer._eager_losses).append(penalty)
        return [values[s] for s in self._output_slots], [masks[s] for s in self._output_slots]

    # ---- shapes without computing ------------------------------------------------

    def _infer_outputs(self, inputs, extra_args, kwargs):
        """Output KerasTensors for new symbolic inputs, layer by layer, without creating nodes."""
        flat = self._flatten_call_inputs(inputs)
        for t, expected in zip(flat, self.inputs):
            _check_input_shape(self, t, expected)
        values = [None] * self._slot_count
        mask_values = {}
        values[:len(flat)] = flat
        for s, layer in self._constant_feeds:
            values[s] = layer._inbound_nodes[0].output_tensors[0]
        for kt, t in zip(self.inputs, flat):
            mask_values[id(kt)] = t._keras_mask
        for node, step in zip(self._execution_order, self._steps):
            args = self._step_args(step, values)
            node_kwargs = dict(step.kwargs)
            for k, v in step.tensor_kwargs.items():
                node_kwargs[k] = tree.map_structure(
                    lambda t: values[self._slots[id(t)]] if isinstance(t, KerasTensor) else t, v)
            in_masks = [mask_values.get(id(t)) for t in node.input_tensors]
            if "mask" not in node_kwargs and any(m is not None for m in in_masks):
                node_kwargs["mask"] = tree.unnest_single(in_masks)
            outs, masks = step.layer._infer_outputs(args[0], args[1:], node_kwargs)
            for kt, s, v, m in zip(node.output_tensors, step.out_slots, tree.flatten(outs), masks):
                values[s] = v
                v._keras_mask = m
                mask_values[id(kt)] = m
        outputs = [values[s] for s in self._output_slots]
        return self._pack_outputs(outputs), [t._keras_mask for t in outputs]

    def compute_output_shape(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) and input_shape and \
            isinstance(input_shape[0], (list, tuple)) else [input_shape]
        specs = [KerasTensor(s, t.dtype) for s, t in zip(shapes, self.inputs)]
        outputs, _ = self._infer_outputs(specs if len(specs) > 1 else specs[0], (), {})
        out = [tuple(t.shape) for t in tree.flatten(outputs)]
        return out if len(out) > 1 else out[0]

    # ---- Keras 2 attributes ---------------------------------------------------------

    @property
    def layers(self):
        return list(self._layers)

    @property
    def input(self):
        return tree.unnest_single(self.inputs) if self._input_dict_keys is None else self._nested_inputs

    @property
    def output(self):
        # Nested as given (tf-keras and Keras 3): [[a, b], c] stays so, for a model built on it to predict so.
        return self._nested_outputs if self._outputs_are_structured() else tree.unnest_single(self.outputs)

    @property
    def input_shape(self):
        return tree.unnest_single([tuple(t.shape) for t in self.inputs])

    @property
    def output_shape(self):
        return tree.unnest_single([tuple(t.shape) for t in self.outputs])

    @property
    def input_spec(self):
        return None

    @input_spec.setter
    def input_spec(self, value):
        pass

    def get_config(self):
        from fastkeras.saving.model_config import functional_config
        return functional_config(self)



def _flat_masks(mask, n):
    if mask is None:
        return [None] * n
    flat = mask if isinstance(mask, (list, tuple)) else [mask]
    return list(flat) + [None] * (n - len(flat))


def _check_input_shape(model, tensor, expected):
    got, want = tuple(tensor.shape), tuple(expected.shape)
    if not shape_fits(got, want) or (got and want and None not in (got[0], want[0]) and got[0] != want[0]):
        raise ValueError(f'Input "{expected._keras_history[0].name}" of model "{model.name}" is incompatible with '
                         f"the model: expected shape={want}, found shape={got}")


def _unique_names(names):
    out, used, counts = [], set(), {}
    for name in names:
        proposal = name
        while proposal in used:
            counts[name] = counts.get(name, 1)
            proposal = f"{name}_{counts[name]}"
            counts[name] += 1
        used.add(proposal)
        out.append(proposal)
    return out
