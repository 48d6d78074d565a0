"""Keras 3's graph operations in model configs: ``x * 2``, ``ops.mean(x, axis=1)``, an Embedding mask's
``not_equal``.

Keras 3 records such a call on symbolic tensors as an entry of the model's layer list whose ``module`` is
``keras.src.ops.<group>`` and whose ``class_name`` is the operation's class (``Multiply``, ``Mean``,
``NotEqual``): its static arguments sit in the entry's ``config``, the tensors (and a few other values) in the
node's ``args``. fastkeras records the same calls as TFOpLambda layers naming the function (``ops.numpy.mean``;
tf-keras' ``math.multiply`` for operators; ``__operators__.getitem`` for slicing), every argument in the node.

Reading turns Keras 3's entries into TFOpLambda entries through fastkeras' op table (``fastkeras.ops``), never
through the module a file names. Writing (``.keras``) turns the operators and the ops listed below into Keras 3's
form; other TFOpLambda layers (Keras 2's ``K`` functions, rarer ops) stay as they are, which fastkeras and
tf-keras read and Keras 3 does not.

The entries handled here carry ``inbound_nodes`` in Keras 3's call-record form (``keras3_nodes``).
"""
import inspect

_MODULE_PREFIX = "keras.src.ops."
_GROUPS = ("core", "numpy", "nn", "math", "linalg", "image")
_TFOP_CLASSES = ("TFOpLambda", "SlicingOpLambda")
_GETITEM = "__operators__.getitem"


def _is_tensor_entry(value):
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _holds_tensor(value):
    if _is_tensor_entry(value):
        return True
    if isinstance(value, list):
        return any(_holds_tensor(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_tensor(v) for v in value.values())
    return False


def _call_records(entry):
    nodes = entry.get("inbound_nodes")
    if not isinstance(nodes, list) or not all(isinstance(n, dict) and isinstance(n.get("args"), list)
                                              and isinstance(n.get("kwargs"), dict) for n in nodes):
        return None
    return nodes


# ---------------------------------------------------------------------------------------------------------
# reading: Keras 3 operation entries -> TFOpLambda entries
# ---------------------------------------------------------------------------------------------------------

def is_operation(entry):
    """True for a Keras 3 operation entry of a functional model's layer list."""
    module = entry.get("module")
    return isinstance(module, str) and module.startswith(_MODULE_PREFIX) and \
        module[len(_MODULE_PREFIX):] in _GROUPS and isinstance(entry.get("class_name"), str) and \
        isinstance(entry.get("config"), dict)


def _function_path(group, class_name):
    """fastkeras' path of the op Keras 3's class ``class_name`` computes: the function of that group whose name
    without underscores is the class name (``NotEqual`` -> ``ops.numpy.not_equal``)."""
    import fastkeras.ops  # noqa: F401 - fills the op table with every group
    from fastkeras.ops._dispatch import OPS
    wanted = class_name.lower()
    prefix = f"ops.{group}."
    for path in OPS:
        if path.startswith(prefix) and path[len(prefix):].replace("_", "").lower() == wanted:
            return path
    raise ValueError(f"the Keras 3 operation {group}.{class_name} has no fastkeras counterpart.")


def _slice_spec(key):
    """Keras 3's serialized ``GetItem`` key as tf-keras' ``slice_spec`` (what SlicingOpLambda stores)."""
    def one(k):
        if isinstance(k, dict) and k.get("class_name") == "__slice__" and isinstance(k.get("config"), dict):
            return {name: k["config"].get(name) for name in ("start", "stop", "step")}
        if isinstance(k, dict) and k.get("class_name") == "__ellipsis__":
            return {"class_name": "__ellipsis__"}
        if isinstance(k, (int, type(None))) and not isinstance(k, bool):
            return k
        raise ValueError(f"the Keras 3 GetItem key {k!r} is not a slice, an index, None or '...'.")
    return [one(k) for k in key] if isinstance(key, list) else one(key)


def _getitem_from_k3(entry, name, nodes):
    converted = []
    for node in nodes:
        args = node["args"]
        if len(args) != 2 or node["kwargs"] or not _is_tensor_entry(args[0]):
            raise ValueError(f"the Keras 3 GetItem '{name}' is not called as (tensor, key).")
        converted.append({"args": [args[0]], "kwargs": {"slice_spec": _slice_spec(args[1])}})
    return {"class_name": "SlicingOpLambda", "config": {"name": name, "function": _GETITEM},
            "name": name, "inbound_nodes": converted}


def operation_from_k3(entry):
    """The TFOpLambda entry (Keras 2 dialect, Keras 3 call records) standing for a Keras 3 operation entry."""
    group = entry["module"][len(_MODULE_PREFIX):]
    class_name = entry["class_name"]
    static = {k: v for k, v in entry["config"].items() if k != "name"}
    name = entry.get("name") or entry["config"].get("name")
    nodes = _call_records(entry)
    if nodes is None:
        raise ValueError(f"the Keras 3 operation '{name}' ({class_name}) has no call records.")
    if group == "numpy" and class_name == "GetItem":
        return _getitem_from_k3(entry, name, nodes)
    from fastkeras.ops import resolve_op
    path = _function_path(group, class_name)
    parameters = inspect.signature(resolve_op(path)).parameters
    positional = [p for p, spec in parameters.items() if spec.kind in (spec.POSITIONAL_ONLY,
                                                                        spec.POSITIONAL_OR_KEYWORD)]
    converted, input_names = [], set()
    for node in nodes:
        # Keras 3 passes the call's arguments by position: they fill the parameters the config does not set.
        free = [p for p in positional if p not in static and p not in node["kwargs"]]
        if len(node["args"]) > len(free):
            raise ValueError(f"the Keras 3 operation '{name}' ({class_name}) is called with {len(node['args'])} "
                             f"positional arguments; {path} takes {free} besides its config.")
        arguments = {**static, **node["kwargs"], **dict(zip(free, node["args"]))}
        unknown = sorted(set(arguments) - set(parameters))
        if unknown:
            raise ValueError(f"the Keras 3 operation '{name}' ({class_name}) has arguments {unknown} that {path} "
                             "does not take.")
        # The graph input is the first argument holding a tensor, as fastkeras records an op.
        input_name = next((p for p in parameters if p in arguments and _holds_tensor(arguments[p])), None)
        if input_name is None:
            raise ValueError(f"the Keras 3 operation '{name}' ({class_name}) is called without a tensor.")
        input_names.add(input_name)
        inputs = arguments.pop(input_name)
        converted.append({"args": [inputs], "kwargs": arguments})
    config = {"name": name, "function": path}
    if len(input_names) > 1:
        raise ValueError(f"the Keras 3 operation '{name}' ({class_name}) takes its tensor input through different "
                         f"arguments in different calls ({sorted(input_names)}).")
    if input_names and input_names != {positional[0] if positional else None}:
        config["input_argument"] = input_names.pop()
    return {"class_name": "TFOpLambda", "config": config, "name": name, "inbound_nodes": converted}


# ---------------------------------------------------------------------------------------------------------
# writing: TFOpLambda entries -> Keras 3 operation entries
# ---------------------------------------------------------------------------------------------------------

# Python operators as fastkeras (and tf-keras) record them: Keras 3's class, and whether the operands are
# swapped (``2 - x`` is recorded on x as the reflected subtract).
_BINARY_OPERATORS = {
    "__operators__.add": ("Add", False), "math.subtract": ("Subtract", False),
    "math.multiply": ("Multiply", False), "math.truediv": ("TrueDivide", False),
    "math.floordiv": ("FloorDivide", False), "math.floormod": ("Mod", False), "math.pow": ("Power", False),
    "linalg.matmul": ("Matmul", False), "math.less": ("Less", False), "math.less_equal": ("LessEqual", False),
    "math.greater": ("Greater", False), "math.greater_equal": ("GreaterEqual", False),
    "math.logical_and": ("LogicalAnd", False), "math.logical_or": ("LogicalOr", False),
    "__operators__.radd": ("Add", True), "math.rsubtract": ("Subtract", True),
    "math.rmultiply": ("Multiply", True), "math.rtruediv": ("TrueDivide", True),
    "math.rfloordiv": ("FloorDivide", True), "math.rfloormod": ("Mod", True), "math.rpow": ("Power", True),
    "linalg.rmatmul": ("Matmul", True),
}
_UNARY_OPERATORS = {"math.negative": "Negative", "math.logical_not": "LogicalNot"}

# keras.ops functions written as Keras 3 operations, by fastkeras path: the arguments Keras 3's class takes at
# call time, in order (the others are its constructor's, so they go to the config). Each is checked against
# Keras 3.15.1 by tools/make_interop_fixtures.py's keras_ops case.
_UNARY = ("x",)
_BINARY = ("x1", "x2")
_OP_CALL_ARGUMENTS = {
    **{f"ops.numpy.{n}": _UNARY for n in (
        "mean", "sum", "max", "min", "prod", "std", "var", "any", "all", "argmax", "argmin", "cumsum",
        "cumprod", "sort", "argsort", "squeeze", "expand_dims", "transpose", "reshape", "tile", "repeat", "flip",
        "roll", "clip", "round", "swapaxes", "moveaxis", "triu", "tril", "stack", "broadcast_to", "zeros_like",
        "ones_like", "abs", "absolute", "negative", "square", "sqrt", "exp", "log", "log1p", "expm1", "sin",
        "cos", "tan", "tanh", "sinh", "cosh", "arctan", "sign", "floor", "ceil", "reciprocal", "logical_not",
        "isnan", "isinf", "isfinite")},
    **{f"ops.numpy.{n}": _BINARY for n in (
        "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod", "power", "matmul",
        "maximum", "minimum", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
        "logical_and", "logical_or", "logical_xor", "arctan2", "dot", "outer")},
    "ops.numpy.concatenate": ("xs",), "ops.numpy.where": ("condition", "x1", "x2"),
    "ops.numpy.take": ("x", "indices"), "ops.numpy.take_along_axis": ("x", "indices"),
    **{f"ops.nn.{n}": _UNARY for n in (
        "relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "gelu", "elu", "selu", "leaky_relu",
        "hard_sigmoid", "softmax", "log_softmax", "one_hot")},
    "ops.core.cast": _UNARY,
}
# Keras 3 class names that are not the function's name in CamelCase.
_CLASS_NAMES = {"ops.numpy.abs": "Absolute"}


def _class_name(path):
    return _CLASS_NAMES.get(path) or "".join(part.capitalize() for part in path.split(".")[-1].split("_"))


def _operation_entry(group, class_name, name, static, nodes):
    return {"module": _MODULE_PREFIX + group, "class_name": class_name, "config": {"name": name, **static},
            "registered_name": class_name, "name": name, "inbound_nodes": nodes}


class _NotWritable(Exception):
    """A recorded call Keras 3's operation cannot express."""


def _key_entries(slice_spec):
    """tf-keras' ``slice_spec`` as the key Keras 3's GetItem records (serialized slices and ellipses)."""
    def one(k):
        if isinstance(k, dict) and k.get("class_name") == "__ellipsis__":
            return {"class_name": "__ellipsis__", "config": {}}
        if isinstance(k, dict) and set(k) <= {"start", "stop", "step"}:
            return {"class_name": "__slice__", "config": {n: k.get(n) for n in ("start", "stop", "step")}}
        if isinstance(k, (int, type(None))) and not isinstance(k, bool):
            return k
        raise _NotWritable  # lists of indices (tf-keras' index_list) and tensors as indices
    return [one(k) for k in slice_spec] if isinstance(slice_spec, list) else one(slice_spec)


def _operator_nodes(nodes, swapped, unary):
    converted = []
    for node in nodes:
        kwargs = {k: v for k, v in node["kwargs"].items() if not (k == "name" and v is None)}
        if len(node["args"]) != 1 or set(kwargs) != (set() if unary else {"y"}):
            return None
        x = node["args"][0]
        args = [x] if unary else ([kwargs["y"], x] if swapped else [x, kwargs["y"]])
        converted.append({"args": args, "kwargs": {}})
    return converted


def _op_nodes(path, config, nodes):
    """(static arguments, Keras 3 call records) of a keras.ops TFOpLambda, or None when they do not fit."""
    call_names = _OP_CALL_ARGUMENTS[path]
    from fastkeras.ops import resolve_op
    parameters = list(inspect.signature(resolve_op(path)).parameters)
    input_name = config.get("input_argument") or parameters[0]
    static, converted = None, []
    for node in nodes:
        if len(node["args"]) != 1:
            return None
        arguments = {input_name: node["args"][0], **node["kwargs"]}
        args = []
        for name in call_names:
            if name not in arguments:
                break
            args.append(arguments.pop(name))
        if any(name in arguments for name in call_names) or any(_holds_tensor(v) for v in arguments.values()) \
                or (static is not None and arguments != static):
            return None  # a gap in the call's arguments, a tensor where Keras 3 wants a constant, or calls that
            # differ in what Keras 3 keeps in the operation's config
        static = arguments
        converted.append({"args": args, "kwargs": {}})
    return static or {}, converted


def operation_to_k3(entry):
    """The Keras 3 operation entry for a TFOpLambda entry, or None when Keras 3 has no such operation."""
    if entry.get("class_name") not in _TFOP_CLASSES or not isinstance(entry.get("config"), dict):
        return None
    config = entry["config"]
    path, name = config.get("function"), entry.get("name") or config.get("name")
    nodes = _call_records(entry)
    if not isinstance(path, str) or nodes is None:
        return None
    if path == _GETITEM:
        converted = []
        for node in nodes:
            if len(node["args"]) != 1 or set(node["kwargs"]) != {"slice_spec"}:
                return None
            try:
                key = _key_entries(node["kwargs"]["slice_spec"])
            except _NotWritable:
                return None
            converted.append({"args": [node["args"][0], key], "kwargs": {}})
        return _operation_entry("numpy", "GetItem", name, {}, converted)
    if path in _BINARY_OPERATORS or path in _UNARY_OPERATORS:
        unary = path in _UNARY_OPERATORS
        class_name, swapped = (_UNARY_OPERATORS[path], False) if unary else _BINARY_OPERATORS[path]
        converted = _operator_nodes(nodes, swapped, unary)
        return None if converted is None else _operation_entry("numpy", class_name, name, {}, converted)
    if path in _OP_CALL_ARGUMENTS:
        found = _op_nodes(path, config, nodes)
        if found is None:
            return None
        static, converted = found
        return _operation_entry(path.split(".")[1], _class_name(path), name, static, converted)
    return None
