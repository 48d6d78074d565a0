"""Reference behaviour of Keras 3.15.1 for tests/test_keras3_utils.py: ``keras.tree``, ``keras.utils.PyDataset``,
``Config``, ``clear_session``, ``is_keras_tensor``, ``standardize_dtype``, ``keras.Variable``, ``keras.device``,
the backend dtype helpers (``result_type`` over every pair of dtypes), ``keras.dtype_policies``,
``keras.saving.save_weights``/``load_weights`` and ``keras.ops.rearrange``.

Run with a Python that has ``keras==3.15.1``, ``torch`` and ``jax`` (on the development machine /work/k3venv):
    /work/k3venv/bin/python tools/make_keras3_utils_fixtures.py
It runs itself twice: with ``KERAS_BACKEND=jax`` for ``keras.tree`` (Keras 3 walks structures with optree
there; on torch it uses torch's pytree, which numbers namedtuple fields wrongly in ``flatten_with_path``), and
with ``KERAS_BACKEND=torch`` for everything else. Writes tests/fixtures/keras3_utils/:
    tree.json          cases {id, fn, args, result | error}; structures encoded as described at ``encode``
    torch.json         dtypes, config, variables, devices, policies, PyDataset runs, rearrange, saving (by key)
    arrays.npz         rearrange inputs/outputs ``rearrange_<i>_x`` / ``_y``, the weights file's inputs/outputs
    k3_mlp.weights.h5  a two-Dense model's weights as keras.saving.save_weights writes them
"""
import collections
import json
import os
import subprocess
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras3_utils")


# ---- structures as JSON ---------------------------------------------------------------------------------------
# A leaf is a JSON scalar (int, str, None, bool); a node is {"node": kind, ...}: "list"/"tuple"/"deque" with
# "items" (a deque also "maxlen"), "dict"/"odict"/"ddict" with "items" as [key, value] pairs in iteration order,
# "nt" with "name", "fields" and "items". A list subclass (a leaf to keras.tree) is {"node": "mylist", "items"}.

NT = collections.namedtuple("NT", ["b", "a"])


class MyList(list):
    pass


def encode(x):
    if isinstance(x, MyList):
        return {"node": "mylist", "items": [encode(v) for v in x]}
    if isinstance(x, tuple) and hasattr(type(x), "_fields"):
        return {"node": "nt", "name": type(x).__name__, "fields": list(type(x)._fields),
                "items": [encode(v) for v in x]}
    if isinstance(x, collections.OrderedDict):
        return {"node": "odict", "items": [[k, encode(v)] for k, v in x.items()]}
    if isinstance(x, collections.defaultdict):
        return {"node": "ddict", "items": [[k, encode(v)] for k, v in x.items()]}
    if isinstance(x, dict):
        return {"node": "dict", "items": [[k, encode(v)] for k, v in x.items()]}
    if isinstance(x, collections.deque):
        return {"node": "deque", "maxlen": x.maxlen, "items": [encode(v) for v in x]}
    if isinstance(x, (list, tuple)):
        return {"node": type(x).__name__, "items": [encode(v) for v in x]}
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if isinstance(x, type):  # MAP_TO_NONE
        return {"node": "type", "name": x.__name__}
    raise TypeError(f"cannot encode {x!r}")


# Functions the tree cases apply, by name (tests/test_keras3_utils.py defines the same ones).
VISITS = []
FUNCTIONS = {
    "double": lambda x: x * 2,
    "pair": lambda *xs: list(xs),
    "add": lambda *xs: sum(xs),
    "length": lambda x: len(x),
    "keep": lambda x: None,
    "tuple_to_x": lambda x: "X" if type(x) is tuple else None,
    "int_times_10": lambda x: x * 10 if type(x) is int else None,
    "two_to_none": lambda x: "MAP_TO_NONE" if x == 2 else None,
    "record": lambda x: VISITS.append(encode(x)),
}


def tree_cases():
    s = {"b": [1, (2, 3)], "a": NT(4, [5]), "c": None, "d": collections.OrderedDict([("z", 6), ("a", 7)])}
    dd = collections.defaultdict(list, {"z": 1, "a": 2})
    od = collections.OrderedDict([("z", 1), ("a", 2)])
    cases = [
        ("flatten_nested", "flatten", [s]), ("flatten_none", "flatten", [None]), ("flatten_leaf", "flatten", [7]),
        ("flatten_odict", "flatten", [od]), ("flatten_ddict", "flatten", [dd]),
        ("flatten_empty", "flatten", [[[], (), {}]]),
        ("flatten_mylist", "flatten", [MyList([1, [2]])]), ("flatten_int_keys", "flatten", [{2: "a", 1: "b"}]),
        ("flatten_mixed_keys", "flatten", [{2: "a", "x": "b"}]), ("flatten_str", "flatten", ["ab"]),
        ("flatten_deque", "flatten", [collections.deque([1, [2]])]),
        ("flatten_with_path_nested", "flatten_with_path", [s]), ("flatten_with_path_leaf", "flatten_with_path", [5]),
        ("flatten_with_path_nt", "flatten_with_path", [NT(1, [2])]),
        ("is_nested", "is_nested_all", [[[], (), {}, NT(1, 2), od, None, 1, "s", dd, MyList(), collections.deque()]]),
        ("map_double", "map_structure", ["double", {"b": [1, (2,)], "a": NT(3, 4)}]),
        ("map_keeps_dict_order", "map_structure", ["double", {"z": 1, "a": 2}]),
        ("map_odict", "map_structure", ["double", od]), ("map_ddict", "map_structure", ["double", dd]),
        ("map_mylist_leaf", "map_structure", ["length", MyList([1, [2]])]),
        ("map_two", "map_structure", ["add", [1, (2,)], [10, (20,)]]),
        ("map_none_leaf", "map_structure", ["pair", [None, 1], [2, 3]]),
        ("map_dict_vs_odict", "map_structure", ["pair", {"a": 1, "b": 2}, collections.OrderedDict(b=3, a=4)]),
        ("map_odict_vs_dict", "map_structure", ["pair", collections.OrderedDict(b=3, a=4), {"a": 1, "b": 2}]),
        ("map_dict_vs_ddict", "map_structure", ["pair", {"a": 1}, collections.defaultdict(int, {"a": 2})]),
        ("map_type_mismatch", "map_structure", ["add", [1, (2,)], [10, [20]]]),
        ("map_length_mismatch", "map_structure", ["add", [1, 2], [10]]),
        ("map_keys_mismatch", "map_structure", ["pair", {"a": 1}, {"b": 1}]),
        ("map_leaf_vs_node", "map_structure", ["pair", [1], [[2]]]),
        ("map_none_vs_node", "map_structure", ["pair", [None], [[2]]]),
        ("map_nt_vs_tuple", "map_structure", ["pair", (1, 2), NT(3, 4)]),
        ("map_list_vs_tuple", "map_structure", ["pair", [1, 2], (3, 4)]),
        ("map_no_structure", "map_structure", ["double"]),
        ("map_none_not_leaf", "map_structure_none_not_leaf", ["double", [None, [None, 1]]]),
        ("map_none_not_leaf_two", "map_structure_none_not_leaf", ["pair", [None, 1], [None, 2]]),
        ("map_none_not_leaf_mismatch", "map_structure_none_not_leaf", ["pair", [None, 1], [2, None]]),
        ("pack_dict", "pack_sequence_as", [{"b": [0, 0], "a": 0}, [1, 2, 3]]),
        ("pack_nt", "pack_sequence_as", [NT(0, [0]), [1, 2]]), ("pack_odict", "pack_sequence_as", [od, [1, 2]]),
        ("pack_ddict", "pack_sequence_as", [dd, [5, 6]]),
        ("pack_deque", "pack_sequence_as", [collections.deque([0, 0], maxlen=3), [1, 2]]),
        ("pack_leaf", "pack_sequence_as", [0, [5]]), ("pack_none", "pack_sequence_as", [[None, 0], [1, 2]]),
        ("pack_empty_nodes", "pack_sequence_as", [[None, [], ()], [1]]),
        ("pack_too_many", "pack_sequence_as", [[0, 0], [1, 2, 3]]), ("pack_too_few", "pack_sequence_as", [[0, 0], [1]]),
        ("pack_not_a_sequence", "pack_sequence_as", [[0], 5]),
        ("same_ok", "assert_same_structure", [[1, (2, 3)], [4, (5, 6)]]),
        ("same_type", "assert_same_structure", [[1, (2, 3)], [4, [5, 6]]]),
        ("same_length", "assert_same_structure", [[1, 2], [4]]),
        ("same_leaf_vs_node", "assert_same_structure", [1, [4]]),
        ("same_keys", "assert_same_structure", [{"a": 1}, {"b": 1}]),
        ("same_nt_vs_tuple", "assert_same_structure", [NT(1, 2), (1, 2)]),
        ("same_odict_vs_dict", "assert_same_structure", [od, {"z": 1, "a": 2}]),
        ("same_none_leaf", "assert_same_structure", [[None], [1]]),
        ("same_none_vs_node", "assert_same_structure", [[None], [[1]]]),
        ("same_deque_vs_list", "assert_same_structure", [collections.deque([1]), [1]]),
        ("paths_ok", "assert_same_paths", [{"a": [1]}, {"a": [2]}]),
        ("paths_list_vs_tuple", "assert_same_paths", [{"a": [1]}, {"a": (2,)}]),
        ("paths_differ", "assert_same_paths", [{"a": [1]}, {"b": [2]}]),
        ("lists_to_tuples", "lists_to_tuples", [[1, [2, {"a": [3]}], (4, [5]), NT([1], 2)]]),
        ("up_to_lengths", "map_structure_up_to", [[0, 0], "length", [[1, 2], (3,)]]),
        ("up_to_dict", "map_structure_up_to", [{"a": 0}, "pair", {"a": [1]}, {"a": [2, 3]}]),
        ("up_to_none", "map_structure_up_to", [[0, 0], "pair", [None, [1]]]),
        ("up_to_short", "map_structure_up_to", [[0, 0], "pair", [1]]),
        ("up_to_not_deep_enough", "map_structure_up_to", [[0, [0]], "pair", [1, 2]]),
        ("up_to_extra_key", "map_structure_up_to", [(0, {"a": 0}), "pair", ([1], {"a": [2], "b": 3})]),
        ("traverse_keep", "traverse", ["keep", [1, (2, 3)]]),
        ("traverse_replace_top_down", "traverse", ["tuple_to_x", [1, (2, 3)]]),
        ("traverse_bottom_up", "traverse_bottom_up", ["int_times_10", [1, (2, 3)]]),
        ("traverse_map_to_none", "traverse_bottom_up", ["two_to_none", [1, (2, 3)]]),
        ("traverse_dict_order", "traverse_bottom_up", ["int_times_10", {"b": [1], "a": 2}]),
        ("traverse_visits_top_down", "traverse_visits", ["record", [(1, 2), [3], {"b": 4, "a": 5}]]),
        ("traverse_visits_bottom_up", "traverse_visits_bottom_up", ["record", [(1, 2), [3], {"b": 4, "a": 5}]]),
        ("map_shape", "map_shape_structure", ["length", [(1, None), {"a": (2,)}, [3, 4], ((1, 2), [3, None], ()), []]]),
    ]
    return cases


def run_tree_case(tree, fn, args):
    """Keras 3's answer to one case; the test replays the same dispatch on fastkeras.tree."""
    args = [FUNCTIONS[a] if isinstance(a, str) and a in FUNCTIONS and i <= 1 else a for i, a in enumerate(args)]
    if fn == "is_nested_all":
        return [tree.is_nested(x) for x in args[0]]
    if fn == "map_structure_none_not_leaf":
        return tree.map_structure(*args, none_is_leaf=False)
    if fn in ("traverse", "traverse_bottom_up"):
        func = args[0]
        wrapped = (lambda x: tree.MAP_TO_NONE if func(x) == "MAP_TO_NONE" else func(x))
        return tree.traverse(wrapped, args[1], top_down=fn == "traverse")
    if fn in ("traverse_visits", "traverse_visits_bottom_up"):
        VISITS.clear()
        result = tree.traverse(args[0], args[1], top_down=fn == "traverse_visits")
        return {"result": encode(result), "visits": list(VISITS)}
    return getattr(tree, fn)(*args)


def make_tree():
    from keras import tree
    out = []
    for case_id, fn, args in tree_cases():
        encoded_args = [a if isinstance(a, str) and a in FUNCTIONS else encode(a) for a in args]
        entry = {"id": case_id, "fn": fn, "args": encoded_args}
        try:
            result = run_tree_case(tree, fn, args)
            entry["result"] = result if fn.startswith("traverse_visits") else encode(result)
        except Exception as e:  # noqa: BLE001 - the error's type is the reference
            entry["error"] = type(e).__name__
        out.append(entry)
    return {"keras_version": __import__("keras").__version__, "cases": out}


# ---- everything else, on the torch backend --------------------------------------------------------------------

DTYPE_SPECS = ["none", "py:int", "py:float", "py:bool", "py:complex", "py:str", "np:float32", "np:float64",
               "npdtype:int16", "torch:float16", "torch:bfloat16", "torch:int32", "torch:bool", "float32", "float64",
               "float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
               "bool", "complex64", "complex128", "string", "float8_e4m3fn", "float8_e5m2", "int", "float",
               "str", "double", "half", "object", "int4", "nope", "Float32"]
PROMOTABLE = ["none", "py:int", "py:float", "py:bool", "py:complex", "bool", "uint8", "uint16", "uint32", "uint64",
              "int8", "int16", "int32", "int64", "bfloat16", "float16", "float32", "float64", "complex64",
              "complex128", "string", "float8_e4m3fn"]


def dtype_of(spec):
    import torch
    if spec == "none":
        return None
    kind, _, name = spec.partition(":")
    if not name:
        return spec
    return {"py": {"int": int, "float": float, "bool": bool, "complex": complex, "str": str},
            "np": {"float32": np.float32, "float64": np.float64},
            "npdtype": {"int16": np.dtype("int16")},
            "torch": {"float16": torch.float16, "bfloat16": torch.bfloat16, "int32": torch.int32,
                      "bool": torch.bool}}[kind][name]


def answer(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001
        return {"error": type(e).__name__}


def make_dtypes(keras):
    B = keras.backend
    std = {s: answer(keras.utils.standardize_dtype, dtype_of(s)) for s in DTYPE_SPECS}
    kinds = {s: [answer(B.is_float_dtype, dtype_of(s)), answer(B.is_int_dtype, dtype_of(s))] for s in DTYPE_SPECS}
    pairs = {f"{a},{b}": answer(B.result_type, dtype_of(a), dtype_of(b)) for a in PROMOTABLE for b in PROMOTABLE}
    triples = {}
    for i, a in enumerate(PROMOTABLE[:-2]):
        for j, b in enumerate(PROMOTABLE[i + 1:-2]):
            for c in PROMOTABLE[i + j + 2:-2]:
                triples[f"{a},{b},{c}"] = answer(B.result_type, dtype_of(a), dtype_of(b), dtype_of(c))
    return {"standardize": std, "kinds": kinds, "result_type_pairs": pairs, "result_type_triples": triples,
            "result_type_empty": B.result_type()}


# Config: a scripted session; each step is [op, *arguments] and gives [value] or {"error": type}.
CONFIG_STEPS = [
    ["init", {"learning_rate": 0.1, "momentum": 0.9}], ["repr"], ["getattr", "learning_rate"],
    ["getitem", "momentum"], ["setattr", "units", 3], ["getitem", "units"], ["setitem", "depth", 4],
    ["getattr", "depth"], ["getattr", "nope"], ["getattr", "unit"], ["getitem", "nope"], ["len"], ["keys"],
    ["values"], ["items"], ["iter"], ["contains", "units"], ["contains", "nope"], ["get", "nope", 5],
    ["get", "units"], ["as_dict"], ["to_json"], ["pop", "depth"], ["frozen"], ["freeze"], ["frozen"],
    ["setattr", "units", 5], ["setitem", "units", 5], ["delitem", "units"], ["pop", "units"],
    ["update", {"a": 1}], ["getattr", "units"], ["unfreeze"], ["update", {"a": 1}], ["delitem", "a"], ["repr"],
    ["setattr", "_private", 2], ["as_dict"], ["getattr", "keys_is_method"], ["init_positional", {"a": 1}],
]


def run_config_steps(Config):
    results, config = [], None
    for op, *args in CONFIG_STEPS:
        try:
            if op == "init":
                config, value = Config(**args[0]), None
            elif op == "init_positional":
                value = Config(args[0])
            elif op == "repr":
                value = repr(config)
            elif op == "getattr" and args[0] == "keys_is_method":
                value = callable(Config(keys=1).keys)
            elif op == "getattr":
                value = getattr(config, args[0])
            elif op == "getitem":
                value = config[args[0]]
            elif op == "setattr":
                value = setattr(config, args[0], args[1])
            elif op == "setitem":
                config[args[0]] = args[1]
                value = None
            elif op == "delitem":
                del config[args[0]]
                value = None
            elif op == "len":
                value = len(config)
            elif op in ("keys", "values", "items"):
                value = [list(i) if isinstance(i, tuple) else i for i in getattr(config, op)()]
            elif op == "iter":
                value = list(config)
            elif op == "contains":
                value = args[0] in config
            elif op == "frozen":
                value = config.frozen
            else:
                value = getattr(config, op)(*args)
            results.append([value])
        except Exception as e:  # noqa: BLE001
            results.append({"error": type(e).__name__})
    return results


# keras.Variable(initializer, **kwargs): initializers as JSON ({"array": values, "dtype"}, {"py": value},
# {"init": name}); results: dtype, shape, trainable, name, path and values, or the error's type.
VARIABLE_CASES = [
    ("array_float64", {"array": [[1.0, 2.0], [3.0, 4.0]], "dtype": "float64"}, {}),
    ("array_float32", {"array": [1.0, 2.0], "dtype": "float32"}, {}),
    ("python_float", {"py": 2.5}, {}),
    ("python_float_list", {"py": [1.5, 2.5]}, {"name": "w"}),
    ("dtype_given", {"py": [1, 2]}, {"dtype": "float32"}),
    ("zeros", {"init": "zeros"}, {"shape": [2, 3]}),
    ("ones_float16", {"init": "ones"}, {"shape": [2], "dtype": "float16"}),
    ("not_trainable", {"py": 1.0}, {"trainable": False}),
    ("name_and_path", {"py": 1.0}, {"name": "kernel"}),
    ("array_with_shape", {"array": [0.0, 0.0], "dtype": "float32"}, {"shape": [2]}),
    ("initializer_without_shape", {"init": "zeros"}, {}),
    ("unknown_initializer", {"init": "nope"}, {"shape": [2]}),
    ("shape_with_none", {"init": "zeros"}, {"shape": [None, 2]}),
    ("name_with_slash", {"py": 1.0}, {"name": "a/b"}),
]


def make_variable_init(spec):
    if "array" in spec:
        return np.array(spec["array"], dtype=spec["dtype"])
    if "py" in spec:
        return spec["py"]
    return spec["init"]


def describe_variable(keras, v):
    return {"dtype": keras.backend.standardize_dtype(v.dtype), "shape": list(v.shape), "trainable": v.trainable,
            "name": v.name, "path": v.path, "value": np.asarray(v.numpy()).tolist()}


def make_variables(keras):
    out = {}
    for case_id, spec, kwargs in VARIABLE_CASES:
        kwargs = dict(kwargs)
        if "shape" in kwargs:
            kwargs["shape"] = tuple(kwargs["shape"])
        keras.utils.clear_session()
        try:
            out[case_id] = describe_variable(keras, keras.Variable(make_variable_init(spec), **kwargs))
        except Exception as e:  # noqa: BLE001
            out[case_id] = {"error": type(e).__name__}
    keras.utils.clear_session()
    out["auto_names"] = [keras.Variable(1.0).name for _ in range(3)]
    v = keras.Variable(np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32"))
    num = lambda t: np.asarray(keras.ops.convert_to_numpy(t)).tolist()  # noqa: E731
    out["arithmetic"] = {"add": num(v + 1), "radd": num(1 + v), "mul": num(v * v), "matmul": num(v @ v),
                         "neg": num(-v), "getitem": num(v[0]), "sum": num(keras.ops.sum(v)),
                         "float": float(keras.Variable(2.0))}
    steps = {}
    v.assign(np.ones((2, 2), dtype="float32"))
    steps["assign"] = v.numpy().tolist()
    v.assign_add(np.ones((2, 2), dtype="float32"))
    steps["assign_add"] = v.numpy().tolist()
    v.assign_sub(np.full((2, 2), 0.5, dtype="float32"))
    steps["assign_sub"] = v.numpy().tolist()
    steps["assign_wrong_shape"] = answer(v.assign, np.ones(3, dtype="float32"))
    steps["assign_wrong_shape"] = steps["assign_wrong_shape"] if isinstance(steps["assign_wrong_shape"], dict) \
        else "no error"
    v.trainable = False
    steps["trainable_after_set"] = v.trainable
    out["assignment"] = steps
    out["attributes"] = {"aggregation": v.aggregation, "synchronization": v.synchronization,
                         "constraint": v.constraint, "regularizer": v.regularizer,
                         "overwrite_with_gradient": v.overwrite_with_gradient}

    class TwoVariables(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = keras.Variable(np.ones((2, 2), dtype="float32"), name="w")
            self.c = keras.Variable(np.full((2,), 0.5, dtype="float32"), trainable=False, name="c")

        def call(self, x):
            return x @ self.w + self.c

    layer = TwoVariables()
    out["layer"] = {"weights": [[w.name, w.trainable] for w in layer.weights],
                    "trainable": len(layer.trainable_weights), "non_trainable": len(layer.non_trainable_weights),
                    "call": num(layer(np.array([[1.0, 2.0]], dtype="float32")))}
    return out


def make_devices(keras):
    out = {}
    for name in ["cpu", "CPU", "cpu:0", "meta"]:
        with keras.device(name):
            v = keras.Variable(np.zeros(2, dtype="float32"))
            t = keras.ops.ones(2)
            out[name] = [v.value.device.type, t.device.type]
    out["errors"] = {repr(n): answer(lambda n=n: keras.device(n).__enter__())["error"] for n in [0, None]}
    return out


POLICY_NAMES = ["float32", "float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16", "int32"]


def make_policies(keras):
    dp = keras.dtype_policies
    out = {"default_repr": repr(dp.DTypePolicy())}
    for name in POLICY_NAMES:
        p = dp.DTypePolicy(name)
        out[name] = {"repr": repr(p), "name": p.name, "compute": p.compute_dtype, "variable": p.variable_dtype,
                     "quantization_mode": p.quantization_mode, "config": p.get_config(), "serialized": dp.serialize(p),
                     "get": repr(dp.get(name)), "round_trip": repr(dp.deserialize(dp.serialize(p)))}
    f = dp.FloatDTypePolicy("float16")
    out["float_policy"] = {"repr": repr(f), "serialized": dp.serialize(f),
                           "equals_dtype_policy": f == dp.DTypePolicy("float16"),
                           "is_subclass": issubclass(dp.FloatDTypePolicy, dp.DTypePolicy)}
    out["equality"] = [dp.DTypePolicy("float32") == dp.DTypePolicy("float32"),
                       dp.DTypePolicy("float32") == dp.DTypePolicy("float16"), dp.DTypePolicy("float32") == "float32"]
    out["errors"] = {"nope": answer(dp.DTypePolicy, "nope"), "int": answer(dp.DTypePolicy, 3),
                     "get_int": answer(dp.get, 3), "set_int": answer(keras.config.set_dtype_policy, 3),
                     "set_none": answer(keras.config.set_dtype_policy, None)}
    out["get_dict"] = repr(dp.get({"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float16"},
                                   "registered_name": None}))
    keras.config.set_dtype_policy("mixed_bfloat16")
    out["global"] = {"config": repr(keras.config.dtype_policy()), "mixed_precision":
                     repr(keras.mixed_precision.dtype_policy()), "get_none": repr(dp.get(None)),
                     "dense_policy": repr(keras.layers.Dense(2).dtype_policy),
                     "dense_compute": keras.layers.Dense(2).compute_dtype}
    keras.utils.clear_session()
    out["global"]["after_clear_session"] = repr(keras.config.dtype_policy())
    keras.config.set_dtype_policy("float32")
    return out


def make_py_dataset(keras):
    """Losses of models whose loss for batch i is known (a zero Dense: mse of targets i is i**2), so the batches
    each epoch read show in the history; predictions of a Dense of ones (3 * i per row)."""
    class Batches(keras.utils.PyDataset):
        def __init__(self, n=3, form="xy", **kwargs):
            super().__init__(**kwargs)
            self.n, self.form = n, form

        @property
        def num_batches(self):
            return self.n

        def __getitem__(self, i):
            x = np.full((2, 3), i, "float32")
            y = np.full((2, 1), i, "float32")
            return {"x": (x,), "array": x, "xy": (x, y), "list": [x, y],
                    "xysw": (x, y, np.array([1.0, 0.0], "float32")), "four": (x, y, y, y)}[self.form]

    def model(kernel):
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
            1, kernel_initializer=kernel, bias_initializer="zeros")])
        m.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
        return m

    def losses(**fit_kwargs):
        dataset = fit_kwargs.pop("data")
        history = model("zeros").fit(dataset, verbose=0, **fit_kwargs).history
        return {k: [float(v) for v in vs] for k, vs in history.items()}

    out = {
        "fit_two_epochs": losses(data=Batches(3), epochs=2, shuffle=False),
        "fit_steps_continue": losses(data=Batches(5), epochs=4, steps_per_epoch=2, shuffle=False),
        "fit_steps_exact": losses(data=Batches(4), epochs=4, steps_per_epoch=2, shuffle=False),
        "fit_steps_beyond": losses(data=Batches(3), epochs=2, steps_per_epoch=5, shuffle=False),
        "fit_endless": losses(data=Batches(None), epochs=3, steps_per_epoch=2),
        "fit_threads": losses(data=Batches(5, workers=2), epochs=2, shuffle=False),
        "fit_validation": losses(data=Batches(4), epochs=3, steps_per_epoch=2, shuffle=False,
                                 validation_data=Batches(3), validation_steps=2),
        "evaluate": float(model("zeros").evaluate(Batches(3), verbose=0)),
        "evaluate_endless": float(model("zeros").evaluate(Batches(None), steps=3, verbose=0)),
        "evaluate_list": float(model("zeros").evaluate(Batches(3, "list"), verbose=0)),
        "evaluate_sample_weight": float(model("zeros").evaluate(Batches(3, "xysw"), verbose=0)),
        "evaluate_four": answer(lambda: model("zeros").evaluate(Batches(3, "four"), verbose=0)),
    }
    for form in ("x", "array", "xy", "list", "xysw"):
        out[f"predict_{form}"] = np.asarray(model("ones").predict(Batches(3, form), verbose=0)).tolist()
    out["predict_endless"] = np.asarray(model("ones").predict(Batches(None), steps=2, verbose=0)).tolist()
    base = keras.utils.PyDataset()
    out["base"] = {"settings": [base.workers, base.use_multiprocessing, base.max_queue_size],
                   "getitem": answer(lambda: base[0]), "num_batches": answer(lambda: base.num_batches),
                   "unknown_keyword": answer(lambda: Batches(3, foo=1))}
    return out


REARRANGE_CASES = [
    ("b h w -> b w h", (2, 3, 4), {}), ("b h w -> b (h w)", (2, 3, 4), {}), ("b h w -> (b h) w", (2, 3, 4), {}),
    ("b (h1 h2) w -> b h1 h2 w", (2, 6, 4), {"h1": 3}), ("b h (w1 w2) -> b h w1 w2", (2, 3, 4), {"w2": 2}),
    ("b h w -> h (b w)", (2, 3, 4), {}), ("b h w -> w h b", (2, 3, 4), {}), ("b h w->b w h", (2, 3, 4), {}),
    ("b h w -> b (w h)", (2, 3, 4), {}), ("b h w -> (b h w)", (2, 3, 4), {}), ("B H W -> B W H", (2, 3, 4), {}),
    ("b h _w -> b _w h", (2, 3, 4), {}), ("b h w c -> b c (h w)", (2, 2, 3, 4), {}),
    ("b (h p1) (w p2) c -> b (h w) (p1 p2 c)", (2, 4, 6, 3), {"p1": 2, "p2": 3}),
]
# Patterns Keras 3 cannot carry out (it raises, with errors of several types); fastkeras says why in a ValueError.
REARRANGE_REFUSED = [
    ("b h w -> b w", (2, 3, 4), {}), ("b h w -> b h w c", (2, 3, 4), {}), ("b h -> b h", (2, 3, 4), {}),
    ("b h w h -> b", (2, 3, 4), {}), ("b (h1 h2) w -> b h1 h2 w", (2, 3, 4), {}),
    ("b (h1 h2) w -> b h1 h2 w", (2, 3, 4), {"h1": 2}), ("b h w", (2, 3, 4), {}), ("b 3 w -> b w", (2, 3, 4), {}),
    ("b (h w) -> b h w", (2, 3, 4), {}), ("b h w -> b (h h) w", (2, 3, 4), {}),
]
# einops notation Keras 3 does not parse; the expected values are the same rearrangement written with
# keras.ops.reshape / transpose / expand_dims in Keras 3.
REARRANGE_EQUIVALENTS = [
    ("b ... -> b (...)", (2, 3, 4), {}, lambda ops, x: ops.reshape(x, (2, 12))),
    ("... w -> w ...", (2, 3, 4), {}, lambda ops, x: ops.transpose(x, (2, 0, 1))),
    ("b h w -> b h w 1", (2, 3, 4), {}, lambda ops, x: ops.expand_dims(x, -1)),
    ("b h w -> b 1 h w", (2, 3, 4), {}, lambda ops, x: ops.expand_dims(x, 1)),
    ("b h w -> b h w ()", (2, 3, 4), {}, lambda ops, x: ops.expand_dims(x, -1)),
    ("b 1 w -> b w", (2, 1, 4), {}, lambda ops, x: ops.reshape(x, (2, 4))),
    ("(b) h w -> b h w", (2, 3, 4), {}, lambda ops, x: x),
    ("b h ... -> b (h ...)", (2, 3, 4, 5), {}, lambda ops, x: ops.reshape(x, (2, 60))),
    ("b ... c -> c b ...", (2, 3, 4, 5), {}, lambda ops, x: ops.transpose(x, (3, 0, 1, 2))),
]


def make_rearrange(keras, arrays):
    ops = keras.ops
    rng = np.random.RandomState(0)
    out = {"cases": [], "refused": [], "equivalents": []}
    for i, (pattern, shape, lengths) in enumerate(REARRANGE_CASES):
        x = rng.uniform(-1, 1, shape).astype("float32")
        arrays[f"rearrange_{i}_x"] = x
        arrays[f"rearrange_{i}_y"] = np.asarray(ops.convert_to_numpy(ops.rearrange(x, pattern, **lengths)))
        out["cases"].append({"pattern": pattern, "lengths": lengths, "key": f"rearrange_{i}"})
    for pattern, shape, lengths in REARRANGE_REFUSED:
        refused = answer(lambda: ops.rearrange(np.zeros(shape, "float32"), pattern, **lengths))
        assert isinstance(refused, dict), f"Keras 3 now accepts {pattern!r}: move it to REARRANGE_CASES"
        out["refused"].append({"pattern": pattern, "shape": list(shape), "lengths": lengths,
                               "keras_error": refused["error"]})
    for i, (pattern, shape, lengths, equivalent) in enumerate(REARRANGE_EQUIVALENTS):
        x = rng.uniform(-1, 1, shape).astype("float32")
        arrays[f"rearrange_equivalent_{i}_x"] = x
        arrays[f"rearrange_equivalent_{i}_y"] = np.asarray(ops.convert_to_numpy(equivalent(ops, x)))
        out["equivalents"].append({"pattern": pattern, "lengths": lengths, "key": f"rearrange_equivalent_{i}"})
    # Keras 3 cannot infer shapes through rearrange with an unknown batch size (None * int): a fixed one here.
    symbolic = ops.rearrange(keras.KerasTensor((5, 6, 4)), "b (h1 h2) w -> b h1 (h2 w)", h1=2)
    out["symbolic_shape"] = list(symbolic.shape)
    return out


def make_saving(keras, arrays):
    rng = np.random.RandomState(1)
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, activation="tanh")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2)(hidden))
    model.set_weights([rng.uniform(-1, 1, w.shape).astype("float32") for w in model.get_weights()])
    keras.saving.save_weights(model, os.path.join(OUT, "k3_mlp.weights.h5"))
    x = rng.uniform(-1, 1, (5, 3)).astype("float32")
    arrays["saving_x"] = x
    arrays["saving_y"] = np.asarray(model.predict(x, verbose=0))
    return {"save_h5_suffix": answer(keras.saving.save_weights, model, "/tmp/w.h5"),
            "save_keras_suffix": answer(keras.saving.save_weights, model, "/tmp/w.keras"),
            "save_unknown_keyword": answer(keras.saving.save_weights, model, "/tmp/x.weights.h5", foo=1),
            "load_unknown_suffix": answer(keras.saving.load_weights, model, "/tmp/w.txt"),
            "load_unknown_keyword": answer(keras.saving.load_weights, model, os.path.join(OUT, "k3_mlp.weights.h5"),
                                           foo=1)}


def make_misc(keras):
    import torch
    u = keras.utils
    out = {"is_keras_tensor": {"input": u.is_keras_tensor(keras.Input((2,))), "numpy": u.is_keras_tensor(np.zeros(2)),
                               "int": u.is_keras_tensor(3), "torch": u.is_keras_tensor(torch.zeros(2)),
                               "variable": u.is_keras_tensor(keras.Variable(np.zeros(2, "float32")))}}
    keras.layers.Dense(2)
    keras.utils.clear_session(free_memory=False)
    out["name_after_clear_session"] = keras.layers.Dense(2).name
    return out


def make_torch():
    import keras
    arrays = {}
    doc = {"keras_version": keras.__version__, "dtypes": make_dtypes(keras),
           "config": run_config_steps(keras.utils.Config), "variables": make_variables(keras),
           "devices": make_devices(keras), "policies": make_policies(keras), "py_dataset": make_py_dataset(keras),
           "rearrange": make_rearrange(keras, arrays), "saving": make_saving(keras, arrays),
           "misc": make_misc(keras)}
    np.savez(os.path.join(OUT, "arrays.npz"), **arrays)
    return doc


def main():
    if len(sys.argv) == 1:
        os.makedirs(OUT, exist_ok=True)
        for part, backend in (("tree", "jax"), ("torch", "torch")):
            env = dict(os.environ, KERAS_BACKEND=backend)
            subprocess.run([sys.executable, os.path.abspath(__file__), part], env=env, check=True)
        return
    part = sys.argv[1]
    doc = make_tree() if part == "tree" else make_torch()
    with open(os.path.join(OUT, f"{part}.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True, default=repr)
        f.write("\n")
    print(f"wrote {part}.json")


if __name__ == "__main__":
    main()
