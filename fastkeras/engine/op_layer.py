"""K functions and Python operators applied to symbolic tensors become layers of the graph.

``K.sum(K.square(x), axis=1)`` or ``1 + y - K.exp(x)`` on KerasTensors works as in Keras 2: each call records one
``TFOpLambda`` node (``kt[:, 0]`` a ``SlicingOpLambda`` one) whose output shape comes from running the function on
shape-only tensors. Layers are named as tf-keras names them ('tf.math.reduce_sum', 'tf.__operators__.add') where
the K function has a single TensorFlow counterpart, else 'tf.keras.backend.<name>'; the config's ``function`` key
is that path without the 'tf.' prefix, resolved on load through the tables below only.
"""
import inspect

from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.keras_tensor import KerasTensor


# ---- the operators ------------------------------------------------------------------------------------

def _operand(y, like):
    """Arrays (and the nested lists a config turns them into) become engine tensors; numbers and tensors are
    left to torch's broadcasting."""
    if isinstance(y, (bool, int, float)) or K.is_tensor(y) or isinstance(y, KerasTensor):
        return y
    return K.convert_to_tensor(y)


def _add(x, y, name=None):
    return x + _operand(y, x)


def _subtract(x, y, name=None):
    return x - _operand(y, x)


def _multiply(x, y, name=None):
    return x * _operand(y, x)


def _truediv(x, y, name=None):
    return x / _operand(y, x)


def _floordiv(x, y, name=None):
    from fastkeras.ops.numpy import floor_divide  # zero gradient, as tf-keras trains through it
    return floor_divide(x, _operand(y, x))


def _mod(x, y, name=None):
    return x % _operand(y, x)


def _pow(x, y, name=None):
    return x ** _operand(y, x)


def _matmul(x, y, name=None):
    return K.matmul(x, y)


def _negative(x, name=None):
    return -x


def _less(x, y, name=None):
    return x < _operand(y, x)


def _less_equal(x, y, name=None):
    return x <= _operand(y, x)


def _greater(x, y, name=None):
    return x > _operand(y, x)


def _greater_equal(x, y, name=None):
    return x >= _operand(y, x)


def _logical_and(x, y, name=None):
    return x & _operand(y, x)


def _logical_or(x, y, name=None):
    return x | _operand(y, x)


def _logical_not(x, name=None):
    return ~x


def _reverse_operands(fn):
    def reversed_fn(x, y, name=None):
        return fn(_operand(y, x), x)
    return reversed_fn


def _shape(input, out_type="int32", name=None):  # noqa: A002 - TensorFlow's argument name
    return K.convert_to_tensor(K.shape(input), dtype=out_type)


def _getitem(tensor, slice_spec, var_empty=None):
    return tensor[_decode_slice_spec(slice_spec)]


# Operator functions by tf-keras' path (what the config's `function` holds).
OPERATORS = {
    "__operators__.add": _add, "math.subtract": _subtract, "math.multiply": _multiply,
    "math.truediv": _truediv, "math.floordiv": _floordiv, "math.floormod": _mod, "math.pow": _pow,
    "linalg.matmul": _matmul, "math.negative": _negative, "math.less": _less, "math.less_equal": _less_equal,
    "math.greater": _greater, "math.greater_equal": _greater_equal, "math.logical_and": _logical_and,
    "math.logical_or": _logical_or, "math.logical_not": _logical_not, "__operators__.getitem": _getitem,
    # reflected operators: `2 - x` is stored as subtract with the operands swapped back in the call
    "__operators__.radd": _reverse_operands(_add), "math.rsubtract": _reverse_operands(_subtract),
    "math.rmultiply": _reverse_operands(_multiply), "math.rtruediv": _reverse_operands(_truediv),
    "math.rfloordiv": _reverse_operands(_floordiv), "math.rpow": _reverse_operands(_pow),
    "linalg.rmatmul": _reverse_operands(_matmul), "math.rfloormod": _reverse_operands(_mod),
    "compat.v1.shape": _shape,
    "compat.v1.floor_div": _floordiv,  # what tf-keras records for `x // y`
}

# K functions that are one TensorFlow op in tf-keras, under that op's path.
K_FUNCTION_PATHS = {
    "square": "math.square", "sum": "math.reduce_sum", "mean": "math.reduce_mean", "max": "math.reduce_max",
    "min": "math.reduce_min", "prod": "math.reduce_prod", "any": "math.reduce_any", "all": "math.reduce_all",
    "var": "math.reduce_variance", "std": "math.reduce_std", "logsumexp": "math.reduce_logsumexp",
    "exp": "math.exp", "log": "math.log", "abs": "math.abs", "sign": "math.sign", "sin": "math.sin",
    "cos": "math.cos", "tanh": "math.tanh", "sigmoid": "math.sigmoid", "softplus": "math.softplus",
    "softsign": "math.softsign", "round": "math.round", "pow": "math.pow", "maximum": "math.maximum",
    "minimum": "math.minimum", "equal": "math.equal", "not_equal": "math.not_equal", "greater": "math.greater",
    "greater_equal": "math.greater_equal", "less": "math.less", "less_equal": "math.less_equal",
    "argmax": "math.argmax", "argmin": "math.argmin", "cumsum": "math.cumsum", "cumprod": "math.cumprod",
    "l2_normalize": "math.l2_normalize", "cast": "cast", "reshape": "reshape", "concatenate": "concat",
    "stack": "stack", "expand_dims": "expand_dims", "squeeze": "compat.v1.squeeze", "transpose": "compat.v1.transpose",
    "permute_dimensions": "compat.v1.transpose", "one_hot": "one_hot", "gather": "compat.v1.gather",
    "tile": "tile", "softmax": "nn.softmax", "elu": "nn.elu", "stop_gradient": "stop_gradient",
    "clip": "clip_by_value", "matmul": "linalg.matmul", "reverse": "reverse",
}
_PATH_TO_K_NAME = {}
for _name, _path in K_FUNCTION_PATHS.items():
    _PATH_TO_K_NAME.setdefault(_path, _name)
# What tf-keras records for K functions that call one TensorFlow op under another name.
_PATH_TO_K_NAME.update({"compat.v1.transpose": "permute_dimensions", "nn.relu": "relu", "nn.leaky_relu": "relu",
                        "math.sqrt": "sqrt", "transpose": "permute_dimensions", "squeeze": "squeeze",
                        "gather": "gather"})
# TensorFlow's argument names where the K function names them otherwise (configs written by tf-keras).
_TF_ARGUMENT_NAMES = {
    "compat.v1.transpose": {"perm": "pattern"}, "transpose": {"perm": "pattern"},
    "clip_by_value": {"clip_value_min": "min_value", "clip_value_max": "max_value", "t": "x"},
    "one_hot": {"depth": "num_classes"}, "tile": {"multiples": "n", "input": "x"}, "math.pow": {"y": "a"},
    "nn.leaky_relu": {"features": "x"}, "nn.relu": {"features": "x"}, "concat": {"values": "tensors"},
    "stack": {"values": "x"}, "reshape": {"tensor": "x"}, "expand_dims": {"input": "x"},
    "compat.v1.squeeze": {"input": "x"}, "compat.v1.gather": {"params": "reference"},
    "math.reduce_sum": {"input_tensor": "x"}, "math.reduce_mean": {"input_tensor": "x"},
    "math.reduce_max": {"input_tensor": "x"}, "math.reduce_min": {"input_tensor": "x"},
    "math.reduce_prod": {"input_tensor": "x"}, "math.argmax": {"input": "x"}, "math.argmin": {"input": "x"},
    "nn.softmax": {"logits": "x"},
}


def _k_function_path(fn):
    path = getattr(fn, "_keras_op_path", None)  # a keras.ops function (fastkeras.ops)
    if path is not None:
        return path
    name = getattr(fn, "__name__", None)
    if name is None or not callable(getattr(K, name, None)):
        raise ValueError(f"{fn!r} is not a fastkeras.backend function, so it cannot be recorded on symbolic tensors.")
    return K_FUNCTION_PATHS.get(name, f"keras.backend.{name}")


def resolve_function(path):
    """The callable a config's ``function`` path stands for, from the tables above only."""
    if path in OPERATORS:
        return OPERATORS[path]
    if path.startswith("ops."):
        from fastkeras.ops import resolve_op
        return resolve_op(path)
    name = _PATH_TO_K_NAME.get(path)
    if name is None and path.startswith("keras.backend."):
        name = path[len("keras.backend."):]
    fn = getattr(K, name, None) if name and not name.startswith("_") else None
    if fn is None or not callable(fn):
        raise ValueError(f"Unknown TFOpLambda function {path!r}: fastkeras records only its backend functions "
                         "(keras.backend.*) and the Python operators. Wrap other computations in a Lambda layer.")
    return fn


# ---- slices as config-friendly data (tf-keras' slice_spec) ---------------------------------------------

def _encode_slice_spec(key):
    def encode(k):
        if isinstance(k, slice):
            return {"start": k.start, "stop": k.stop, "step": k.step}
        if k is Ellipsis:
            return {"class_name": "__ellipsis__"}
        if isinstance(k, list):
            return {"index_list": [encode(i) for i in k]}
        return k
    if isinstance(key, tuple):
        return [encode(k) for k in key]
    return encode(key)


def _decode_slice_spec(spec):
    def decode(k):
        if isinstance(k, dict):
            if k.get("class_name") == "__ellipsis__":
                return Ellipsis
            if "index_list" in k:
                return [decode(i) for i in k["index_list"]]
            return slice(_index(k.get("start")), _index(k.get("stop")), _index(k.get("step")))
        return _index(k)
    if isinstance(spec, list):
        return tuple(decode(k) for k in spec)
    return decode(spec)


def _index(value):
    return int(value) if K.is_tensor(value) and value.dim() == 0 else value


# ---- the layers ------------------------------------------------------------------------------------

class TFOpLambda(Layer):
    """One K function (or operator) call recorded on symbolic tensors.

    The node's first argument is the function's first symbolic argument; the other arguments are the node's
    keyword arguments (tensors among them are graph inputs too), as tf-keras records its op layers.
    """

    def __init__(self, function, input_argument=None, constants=None, **kwargs):
        self.symbol = function if isinstance(function, str) else _k_function_path(function)
        self.function = resolve_function(self.symbol) if isinstance(function, str) else function
        self.input_argument = input_argument
        # The input argument's structure when it mixes symbolic tensors with values (K.concatenate of variables
        # and a placeholder): those values, with None where the node's symbolic inputs go, in order.
        self.constants = constants
        self._accepted = _parameter_names(self.function)  # None: it takes **kwargs
        prefix = "" if self.symbol.startswith("ops.") else "tf."  # keras.ops calls: Keras 3's path
        kwargs.setdefault("name", K.unique_object_name(prefix + self.symbol))
        kwargs.pop("autocast", None)
        super().__init__(**kwargs)

    def call(self, inputs, **kwargs):
        if kwargs and self._accepted is not None and not self._accepted.issuperset(kwargs):
            kwargs = self._from_tensorflow_names(kwargs)
        if self.constants is not None:
            fed = iter(inputs)
            inputs = tree.map_structure(lambda c: next(fed) if c is _SYMBOLIC_SLOT else c, self.constants)
        if self.input_argument is not None:
            return self.function(**{self.input_argument: inputs}, **kwargs)
        return self.function(inputs, **kwargs)

    def _from_tensorflow_names(self, kwargs):
        """Arguments as a tf-keras config names them (TensorFlow's names, a ``name`` the K function lacks)."""
        renames = _TF_ARGUMENT_NAMES.get(self.symbol, {})
        out = {}
        for key, value in kwargs.items():
            if key not in self._accepted:
                if key == "name":
                    continue
                key = renames.get(key, key)
            out[key] = value
        return out

    def get_config(self):
        if self.constants is not None:
            raise NotImplementedError(
                f'Layer "{self.name}" applies {self.symbol} to symbolic tensors together with values (variables or '
                "arrays), which a config cannot hold. Wrap the computation in a Lambda layer (or a custom layer "
                "holding the values as weights) to save the model.")
        config = super().get_config()
        config["function"] = self.symbol
        if self.input_argument is not None:
            config["input_argument"] = self.input_argument
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class SlicingOpLambda(TFOpLambda):
    """``kt[...]`` on a symbolic tensor; the key is stored as tf-keras' ``slice_spec``."""


def _parameter_names(fn):
    """The names ``fn`` accepts by keyword, or None when it takes ``**kwargs`` (or has no signature)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return None
    return frozenset(n for n, p in params.items() if p.kind != p.POSITIONAL_ONLY)


def _is_symbolic_structure(value):
    leaves = tree.flatten(value)
    return bool(leaves) and all(isinstance(t, KerasTensor) for t in leaves)


def _holds_symbolic(value):
    return any(isinstance(t, KerasTensor) for t in tree.flatten(value))


_SYMBOLIC_SLOT = None  # where a mixed input structure's symbolic tensors go


def _is_tensor_structure(value):
    """A list or tuple of symbolic and engine tensors (variables included), at least one symbolic."""
    leaves = tree.flatten(value)
    return isinstance(value, (list, tuple)) and _holds_symbolic(value) and \
        all(isinstance(t, KerasTensor) or K.is_tensor(t) for t in leaves)


def _symbolic_shapes_as_tensors(value):
    """``K.shape`` tuples of symbolic tensors (SymbolicShape) replaced by their graph tensors, anywhere in
    ``value``."""
    from fastkeras.engine.keras_tensor import SymbolicShape
    if isinstance(value, SymbolicShape):
        return value.tensor
    if isinstance(value, (list, tuple)) and not isinstance(value, KerasTensor):
        items = [_symbolic_shapes_as_tensors(v) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: _symbolic_shapes_as_tensors(v) for k, v in value.items()}
    return value


def shape_of(x):
    """The run-time shape of the symbolic tensor ``x`` as a graph tensor (tf-keras' ``tf.compat.v1.shape``)."""
    return TFOpLambda("compat.v1.shape")(x)


def call_symbolic(fn, args, kwargs):
    """``fn(*args, **kwargs)`` recorded as a TFOpLambda node; returns its symbolic output(s)."""
    inner = fn
    args, kwargs = _symbolic_shapes_as_tensors(args), _symbolic_shapes_as_tensors(kwargs)
    try:
        bound = inspect.signature(inner).bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"K.{getattr(inner, '__name__', inner)}: {e}") from None
    arguments = dict(bound.arguments)
    for name, parameter in bound.signature.parameters.items():
        if parameter.kind is parameter.VAR_KEYWORD and name in arguments:
            arguments.update(arguments.pop(name))  # **kwargs (rearrange's axis lengths) go back as keywords
    names = list(arguments)
    input_name = next(n for n in names if _holds_symbolic(arguments[n]))
    inputs = arguments.pop(input_name)
    if not _is_symbolic_structure(inputs) and _is_tensor_structure(inputs):
        # Variables or arrays beside symbolic tensors (K.concatenate([K.variable(a), K.placeholder(...)])): the
        # node takes the symbolic ones and keeps the others.
        constants = tree.map_structure(lambda t: _SYMBOLIC_SLOT if isinstance(t, KerasTensor) else t, inputs)
        layer = TFOpLambda(inner, input_argument=None if input_name == names[0] else input_name,
                           constants=constants)
        return layer([t for t in tree.flatten(inputs) if isinstance(t, KerasTensor)], **arguments)
    if not _is_symbolic_structure(inputs):
        raise TypeError(f"K.{inner.__name__} received symbolic tensors mixed with other values in its argument "
                        f"`{input_name}`. On symbolic tensors, pass only symbolic tensors there, or wrap the "
                        "computation in a Lambda layer.")
    layer = TFOpLambda(inner, input_argument=None if input_name == names[0] else input_name)
    return layer(inputs, **arguments)


def call_operator(path, x, y=None, unary=False):
    layer = TFOpLambda(path)
    return layer(x) if unary else layer(x, y=y)


def getitem(x, key):
    layer = SlicingOpLambda("__operators__.getitem")
    return layer(x, slice_spec=_encode_slice_spec(key))



# ---- K.gradients(symbolic loss, symbolic variables) --------------------------------------------------------

class Gradients(Layer):
    """``K.gradients(loss, variables)`` on symbolic tensors, as Keras 2's graphs computed it: the node's inputs are
    the loss and the variables, its outputs d loss / d variable (zeros where the loss does not depend on one).

    A functional model holding this node runs with gradient recording on and its inputs as leaves that require
    gradients, also in ``predict``, ``evaluate`` and ``K.function`` (see ``Functional._run``).
    """

    differentiates_inputs = True

    def __init__(self, **kwargs):
        kwargs.setdefault("name", K.unique_object_name("gradients"))
        super().__init__(**kwargs)

    def call(self, inputs):
        loss, variables = inputs[0], list(inputs[1:])
        # Differentiable in a training step (a gradient penalty trains through them), constants elsewhere.
        grads = K.gradients(loss, variables, create_graph=K.recording_outside_differentiating_scope())
        return [K.zeros_like(v) if g is None else g for v, g in zip(variables, grads)]

    def compute_output_shape(self, input_shape):
        return [tuple(shape) for shape in input_shape[1:]]


def symbolic_gradients(loss, variables):
    """The symbolic gradients of ``loss`` with respect to each of ``variables`` (a list, as Keras 2 returns)."""
    variables = [variables] if isinstance(variables, KerasTensor) else list(variables)
    if not variables:
        return []
    not_symbolic = [type(v).__name__ for v in variables if not isinstance(v, KerasTensor)]
    if not_symbolic:
        raise ValueError("K.gradients of a symbolic loss tensor needs symbolic variables too (model inputs, "
                         "K.placeholder or layer outputs the loss is computed from); received "
                         f"{', '.join(not_symbolic)}. For a "
                         "model's weights, compute the loss on real inputs (a custom train step) and ask again.")
    return Gradients()([loss] + variables)


# ---- model.add_loss(symbolic tensor) ------------------------------------------------------------------

class AddLoss(Layer):
    """Adds its input to the losses of the step that computes it; returns the input unchanged."""

    def __init__(self, unconditional=False, **kwargs):
        kwargs.setdefault("name", K.unique_object_name("add_loss"))
        super().__init__(**kwargs)
        self.unconditional = unconditional

    def call(self, inputs):
        # A per-sample loss counts as its batch mean, so the step's objective stays a scalar.
        self.add_loss(K.mean(inputs) if inputs.dim() else inputs)
        return inputs

    def get_config(self):
        config = super().get_config()
        config["unconditional"] = self.unconditional
        return config


class AddMetric(Layer):
    """Reports its input as the metric ``metric_name``; returns the input unchanged."""

    def __init__(self, aggregation=None, metric_name=None, **kwargs):
        kwargs.setdefault("name", K.unique_object_name("add_metric"))
        super().__init__(**kwargs)
        self.aggregation = aggregation
        self.metric_name = metric_name

    def call(self, inputs):
        self.add_metric(inputs, name=self.metric_name)
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update({"aggregation": self.aggregation, "metric_name": self.metric_name})
        return config


class MetricCall(Layer):
    """A Metric called on symbolic tensors (``metrics.Mean(name='m')(y)`` in a functional graph, as Keras 2
    allowed): each forward pass updates the metric with its inputs and outputs the metric's result. The layer
    keeps the metric as an attribute, so a model holding the layer reports it under the metric's name."""

    def __init__(self, metric, **kwargs):
        from fastkeras import metrics as metrics_module
        if isinstance(metric, dict):
            metric = metrics_module.deserialize(metric)
        kwargs.setdefault("name", K.unique_object_name(f"{metric.name}_call"))
        super().__init__(**kwargs)
        self.metric = metric

    def call(self, inputs):
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if any(K.is_shape_only(t) for t in inputs):
            return K.zeros((), dtype=self.metric.dtype)  # shape inference: the result is a scalar
        with K.no_grad():
            self.metric.update_state(*[K.stop_gradient(t) for t in inputs])
        return self.metric.result()

    def compute_output_shape(self, input_shape):
        return ()

    @property
    def symbolic_result_of(self):
        return self.metric  # marks this layer's output as the metric's result (KerasTensor._metric_obj)

    def get_config(self):
        from fastkeras import metrics as metrics_module
        config = super().get_config()
        config["metric"] = metrics_module.serialize(self.metric)
        return config


def call_metric_symbolic(metric, args):
    """``metric(*args)`` on symbolic tensors: the symbolic result, which ``add_metric`` knows as the metric's
    (``KerasTensor._metric_obj``) and reports as the metric itself."""
    return MetricCall(metric)(list(args) if len(args) > 1 else args[0])


def attach_side_outputs(model, side_outputs):
    """Rebuilds a functional model's execution order to also compute ``side_outputs`` (AddLoss / AddMetric
    nodes), so they run in the same forward pass as the outputs (same dropout masks, same samples)."""
    from fastkeras.engine.functional import map_graph_network
    extra = list(getattr(model, "_side_outputs", [])) + list(side_outputs)
    model._side_outputs = extra
    # As tf-keras' _insert_layers: the model's layers keep their order and the side graph's new layers follow,
    # so model.layers, summary() and the order of an HDF5 weights file stay what they were before add_loss.
    _, _, side_layers = map_graph_network(model.inputs, list(side_outputs))
    known = set(map(id, model._layers))
    layers = list(model._layers) + [layer for layer in side_layers if id(layer) not in known]
    model._network_nodes, model._nodes_by_depth, _ = map_graph_network(model.inputs, model.outputs + extra)
    model._layers = layers
    model._compile_steps()


def add_symbolic_losses(model, tensors):
    """Makes a functional model add ``tensors`` (computed from its inputs) to its training loss."""
    attach_side_outputs(model, [AddLoss(unconditional=False)(t) for t in tensors])


def add_symbolic_metric(model, tensor, name):
    """Makes a functional model report ``tensor`` (computed from its inputs) as the metric ``name``; a Metric's
    symbolic result (``model.add_metric(metrics.Mean(name='m')(y))``) reports that metric."""
    if getattr(tensor, "_metric_obj", None) is not None:
        attach_side_outputs(model, [tensor])
    else:
        attach_side_outputs(model, [AddMetric(metric_name=name)(tensor)])
