"""Keras 3's utility names against real Keras 3.15.1 (tests/fixtures/keras3_utils, from
tools/make_keras3_utils_fixtures.py): keras.tree, utils.PyDataset/Config/clear_session/is_keras_tensor/
standardize_dtype, keras.Variable, keras.device, backend.result_type and friends, keras.dtype_policies,
keras.saving.save_weights/load_weights, ops.rearrange, and dir(keras)."""
import builtins
import collections
import importlib.util
import json
import os
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
import torch

import fastkeras as keras
from fastkeras import tree

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "keras3_utils")

with open(os.path.join(FIXTURES, "tree.json")) as _f:
    TREE = json.load(_f)
with open(os.path.join(FIXTURES, "torch.json")) as _f:
    K3 = json.load(_f)
with np.load(os.path.join(FIXTURES, "arrays.npz")) as _npz:
    ARRAYS = {k: _npz[k] for k in _npz.files}


def _fixture_script():
    """tools/make_keras3_utils_fixtures.py, for the case tables it keeps as data (it imports Keras only inside
    its functions)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "make_keras3_utils_fixtures.py")
    spec = importlib.util.spec_from_file_location("make_keras3_utils_fixtures", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


SCRIPT = _fixture_script()


@pytest.fixture(autouse=True)
def _restore_global_state():
    yield
    keras.mixed_precision.set_global_policy(None)


# ---- keras.tree ----------------------------------------------------------------------------------------------

class MyList(list):
    pass


_NAMEDTUPLES = {}


def decode(x):
    if not isinstance(x, dict):
        return x
    kind, items = x["node"], x.get("items")
    if kind == "list":
        return [decode(v) for v in items]
    if kind == "tuple":
        return tuple(decode(v) for v in items)
    if kind == "mylist":
        return MyList(decode(v) for v in items)
    if kind == "deque":
        return collections.deque([decode(v) for v in items], maxlen=x["maxlen"])
    if kind == "nt":
        key = (x["name"], tuple(x["fields"]))
        cls = _NAMEDTUPLES.setdefault(key, collections.namedtuple(x["name"], x["fields"]))
        return cls(*[decode(v) for v in items])
    pairs = [(k, decode(v)) for k, v in items]
    if kind == "odict":
        return collections.OrderedDict(pairs)
    if kind == "ddict":
        return collections.defaultdict(list, pairs)
    return dict(pairs)


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
    return x


VISITS = []
FUNCTIONS = {  # the same functions as the fixture script's, by name
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


def run_tree_case(fn, args):
    args = [FUNCTIONS[a] if isinstance(a, str) and a in FUNCTIONS and i <= 1 else decode(a)
            for i, a in enumerate(args)]
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


@pytest.mark.parametrize("case", TREE["cases"], ids=[c["id"] for c in TREE["cases"]])
def test_tree_matches_keras3(case):
    if "error" in case:
        with pytest.raises(getattr(builtins, case["error"], Exception)) as info:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                run_tree_case(case["fn"], case["args"])
        assert type(info.value).__name__ == case["error"]
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = run_tree_case(case["fn"], case["args"])
    assert (result if case["fn"].startswith("traverse_visits") else encode(result)) == case["result"]


def test_tree_exports_keras3_names():
    assert set(tree.__all__) == {"MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten",
                                 "flatten_with_path", "is_nested", "lists_to_tuples", "map_shape_structure",
                                 "map_structure", "map_structure_up_to", "pack_sequence_as", "traverse"}
    assert keras.tree is tree


def test_tree_errors_say_what_differs():
    with pytest.raises(ValueError, match="expected a tuple, received a list"):
        tree.assert_same_structure([1, (2, 3)], [4, [5, 6]])
    with pytest.raises(ValueError, match=r"2 leaves but `flat_sequence` has 3 items"):
        tree.pack_sequence_as([0, 0], [1, 2, 3])
    with pytest.raises(TypeError, match="callable"):
        tree.traverse(5, [1])
    with pytest.warns(DeprecationWarning, match="check_types"):
        tree.assert_same_structure([1], [2], check_types=False)


def test_tree_keeps_tensors_as_leaves():
    t = torch.ones(2)
    assert tree.flatten({"a": [t], "b": keras.Input((2,))})[0] is t


# ---- dtypes -------------------------------------------------------------------------------------------------

def dtype_of(spec):
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


def answer(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001
        return {"error": type(e).__name__}


def test_standardize_dtype_matches_keras3():
    got = {s: answer(keras.utils.standardize_dtype, dtype_of(s)) for s in K3["dtypes"]["standardize"]}
    assert got == K3["dtypes"]["standardize"]


def test_is_float_and_int_dtype_match_keras3():
    B = keras.backend
    got = {s: [answer(B.is_float_dtype, dtype_of(s)), answer(B.is_int_dtype, dtype_of(s))]
           for s in K3["dtypes"]["kinds"]}
    assert got == K3["dtypes"]["kinds"]


@pytest.mark.parametrize("table", ["result_type_pairs", "result_type_triples"])
def test_result_type_matches_keras3(table):
    expected = K3["dtypes"][table]
    got = {key: answer(keras.backend.result_type, *[dtype_of(s) for s in key.split(",")]) for key in expected}
    assert got == expected
    assert keras.backend.result_type() == K3["dtypes"]["result_type_empty"]


def test_result_type_follows_floatx():
    keras.backend.set_floatx("float16")
    try:
        assert keras.backend.result_type(int, float) == "float16"
        assert keras.backend.result_type(int) == "int16"
    finally:
        keras.backend.set_floatx("float32")


# ---- utils.Config, is_keras_tensor, clear_session -------------------------------------------------------------

def test_config_matches_keras3():
    # The same step interpreter that ran them on Keras 3, here on fastkeras' Config.
    assert json.loads(json.dumps(SCRIPT.run_config_steps(keras.utils.Config))) == K3["config"]


def test_config_messages_pickling_and_deletion():
    import pickle
    config = keras.utils.Config(units=3)
    with pytest.raises(AttributeError, match="Did you mean 'units'"):
        config.unit  # noqa: B018
    assert pickle.loads(pickle.dumps(config)).as_dict() == {"units": 3}
    del config.units  # Keras 3 raises here (it has no __delattr__); deleting the entry is what the code means
    assert len(config) == 0
    config.freeze()
    with pytest.raises(ValueError, match="frozen"):
        config.depth = 2


def test_is_keras_tensor_matches_keras3():
    got = {"input": keras.utils.is_keras_tensor(keras.Input((2,))),
           "numpy": keras.utils.is_keras_tensor(np.zeros(2)), "int": keras.utils.is_keras_tensor(3),
           "torch": keras.utils.is_keras_tensor(torch.zeros(2)),
           "variable": keras.utils.is_keras_tensor(keras.Variable(np.zeros(2, "float32")))}
    assert got == K3["misc"]["is_keras_tensor"]


def test_clear_session_resets_names_and_the_dtype_policy_as_keras3():
    keras.layers.Dense(2)
    keras.config.set_dtype_policy("mixed_bfloat16")
    keras.utils.clear_session(free_memory=False)
    assert keras.layers.Dense(2).name == K3["misc"]["name_after_clear_session"]
    assert repr(keras.config.dtype_policy()) == K3["policies"]["global"]["after_clear_session"]


def test_backend_clear_session_keeps_the_policy_as_keras2():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.backend.clear_session(free_memory=False)
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"


# ---- keras.Variable and keras.device --------------------------------------------------------------------------

def _variable_description(v):
    return {"dtype": keras.backend.standardize_dtype(v.dtype), "shape": list(v.shape), "trainable": v.trainable,
            "name": v.name, "path": v.path, "value": np.asarray(v.numpy()).tolist()}


def _variable_init(spec):
    if "array" in spec:
        return np.array(spec["array"], dtype=spec["dtype"])
    if "py" in spec:
        return spec["py"]
    return spec["init"]


@pytest.mark.parametrize("case", SCRIPT.VARIABLE_CASES, ids=lambda c: c[0])
def test_variable_constructor_matches_keras3(case):
    case_id, spec, kwargs = case
    kwargs = dict(kwargs)
    if "shape" in kwargs:
        kwargs["shape"] = tuple(kwargs["shape"])
    keras.utils.clear_session(free_memory=False)
    expected = K3["variables"][case_id]
    if "error" in expected:
        with pytest.raises(Exception) as info:
            keras.Variable(_variable_init(spec), **kwargs)
        assert type(info.value).__name__ == expected["error"]
        return
    assert _variable_description(keras.Variable(_variable_init(spec), **kwargs)) == expected


def test_variable_is_the_engine_variable_with_keras3_behaviour():
    assert keras.Variable is keras.backend.Variable
    keras.utils.clear_session(free_memory=False)
    assert [keras.Variable(1.0).name for _ in range(3)] == K3["variables"]["auto_names"]
    v = keras.Variable(np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32"))
    num = lambda t: np.asarray(keras.ops.convert_to_numpy(t)).tolist()  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's note on float() of a tensor that requires grad
        got = {"add": num(v + 1), "radd": num(1 + v), "mul": num(v * v), "matmul": num(v @ v), "neg": num(-v),
               "getitem": num(v[0]), "sum": num(keras.ops.sum(v)), "float": float(keras.Variable(2.0))}
    assert got == K3["variables"]["arithmetic"]
    steps = K3["variables"]["assignment"]
    v.assign(np.ones((2, 2), dtype="float32"))
    assert v.numpy().tolist() == steps["assign"]
    v.assign_add(np.ones((2, 2), dtype="float32"))
    assert v.numpy().tolist() == steps["assign_add"]
    v.assign_sub(np.full((2, 2), 0.5, dtype="float32"))
    assert v.numpy().tolist() == steps["assign_sub"]
    with pytest.raises(ValueError):
        v.assign(np.ones(3, dtype="float32"))
    v.trainable = False
    assert v.trainable == steps["trainable_after_set"]
    assert {k: getattr(v, k) for k in K3["variables"]["attributes"]} == K3["variables"]["attributes"]
    assert v.value is v and isinstance(v, torch.nn.Parameter)


def test_variable_copies_its_initial_value():
    source = np.zeros(2, dtype="float32")
    v = keras.Variable(source)
    source[0] = 5.0
    assert v.numpy().tolist() == [0.0, 0.0]
    tensor = torch.zeros(2)
    keras.Variable(tensor).assign([1.0, 1.0])
    assert tensor.tolist() == [0.0, 0.0]


def test_variable_refuses_unknown_keywords_and_integer_training():
    with pytest.raises(TypeError, match="foo"):
        keras.Variable(1.0, foo=1)
    v = keras.Variable(np.array([1, 2]))
    assert not v.trainable  # integers have no gradients in torch
    with pytest.raises(ValueError, match="cannot be trainable"):
        v.trainable = True


def test_layer_tracks_keras_variables_as_weights():
    class TwoVariables(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = keras.Variable(np.ones((2, 2), dtype="float32"), name="w")
            self.c = keras.Variable(np.full((2,), 0.5, dtype="float32"), trainable=False, name="c")

        def call(self, x):
            return x @ self.w + self.c

    layer = TwoVariables()
    expected = K3["variables"]["layer"]
    assert [[w.name, w.trainable] for w in layer.weights] == expected["weights"]
    assert (len(layer.trainable_weights), len(layer.non_trainable_weights)) == \
        (expected["trainable"], expected["non_trainable"])
    out = layer(np.array([[1.0, 2.0]], dtype="float32"))
    assert np.asarray(keras.ops.convert_to_numpy(out)).tolist() == expected["call"]


def test_variable_survives_torch_copies():
    import copy
    import pickle
    v = keras.Variable(np.ones(2, dtype="float32"), name="w")
    clone = copy.deepcopy(v)
    assert clone.name == "w" and clone.numpy().tolist() == [1.0, 1.0] and clone is not v
    assert pickle.loads(pickle.dumps(v)).name == "w"


@pytest.mark.parametrize("name", ["cpu", "CPU", "cpu:0", "meta"])
def test_device_scope_matches_keras3(name):
    before = keras.backend.default_device()
    with keras.device(name) as device:
        v = keras.Variable(np.zeros(2, dtype="float32"))
        t = keras.ops.ones(2)
        assert isinstance(device, torch.device)
        assert [v.device.type, t.device.type] == K3["devices"][name]
    assert keras.backend.default_device() == before


def test_device_scope_errors():
    for name, error in K3["devices"]["errors"].items():
        with pytest.raises(getattr(builtins, error)):
            with keras.device(eval(name)):  # noqa: S307 - the fixture's repr of 0 / None
                pass
    with pytest.raises(ValueError, match="Invalid device name"):
        with keras.device("nope"):
            pass
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            with keras.device("gpu:0"):
                pass


def test_device_scope_places_layer_weights_and_restores_after_errors():
    before = keras.backend.default_device()
    with pytest.raises(KeyError):
        with keras.device("meta"):  # shapes only: torch makes no random generator for it, hence zeros
            layer = keras.layers.Dense(2, kernel_initializer="zeros")
            layer.build((None, 3))
            assert layer.kernel.device.type == "meta"
            raise KeyError("boom")
    assert keras.backend.default_device() == before


# ---- keras.dtype_policies -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["float32", "float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16",
                                  "int32"])
def test_dtype_policy_matches_keras3(name):
    dp = keras.dtype_policies
    p = dp.DTypePolicy(name)
    got = {"repr": repr(p), "name": p.name, "compute": p.compute_dtype, "variable": p.variable_dtype,
           "quantization_mode": p.quantization_mode, "config": p.get_config(), "serialized": dp.serialize(p),
           "get": repr(dp.get(name)), "round_trip": repr(dp.deserialize(dp.serialize(p)))}
    assert got == K3["policies"][name]


def test_dtype_policy_classes_and_errors_match_keras3():
    dp = keras.dtype_policies
    expected = K3["policies"]
    assert repr(dp.DTypePolicy()) == expected["default_repr"]
    f = dp.FloatDTypePolicy("float16")
    assert {"repr": repr(f), "serialized": dp.serialize(f), "equals_dtype_policy": f == dp.DTypePolicy("float16"),
            "is_subclass": issubclass(dp.FloatDTypePolicy, dp.DTypePolicy)} == expected["float_policy"]
    assert [dp.DTypePolicy("float32") == dp.DTypePolicy("float32"),
            dp.DTypePolicy("float32") == dp.DTypePolicy("float16"),
            dp.DTypePolicy("float32") == "float32"] == expected["equality"]
    got = {"nope": answer(dp.DTypePolicy, "nope"), "int": answer(dp.DTypePolicy, 3), "get_int": answer(dp.get, 3),
           "set_int": answer(keras.config.set_dtype_policy, 3),
           "set_none": answer(keras.config.set_dtype_policy, None)}
    assert got == expected["errors"]
    assert repr(dp.get({"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float16"},
                        "registered_name": None})) == expected["get_dict"]
    assert keras.DTypePolicy is dp.DTypePolicy and keras.FloatDTypePolicy is dp.FloatDTypePolicy
    assert keras.mixed_precision.DTypePolicy is dp.DTypePolicy


def test_global_dtype_policy_matches_keras3():
    keras.config.set_dtype_policy("mixed_bfloat16")
    expected = K3["policies"]["global"]
    assert repr(keras.config.dtype_policy()) == expected["config"]
    assert repr(keras.mixed_precision.dtype_policy()) == expected["mixed_precision"]
    assert repr(keras.dtype_policies.get(None)) == expected["get_none"]
    assert keras.layers.Dense(2).compute_dtype == expected["dense_compute"]
    keras.mixed_precision.set_dtype_policy(keras.dtype_policies.DTypePolicy("bfloat16"))
    assert keras.mixed_precision.global_policy().name == "bfloat16"


def test_layers_take_keras3_policies():
    layer = keras.layers.Dense(2, dtype=keras.DTypePolicy("mixed_float16"))
    assert (layer.compute_dtype, layer.dtype) == ("float16", "float32")
    assert keras.dtype_policies.deserialize({"class_name": "Policy", "config": {"name": "mixed_bfloat16"}}) == \
        keras.DTypePolicy("mixed_bfloat16")


# ---- keras.utils.PyDataset ----------------------------------------------------------------------------------

class Batches(keras.utils.PyDataset):
    """Batch i: x full of i (2 rows of 3), y full of i; a zero Dense's mse on it is i**2."""

    def __init__(self, n=3, form="xy", **kwargs):
        super().__init__(**kwargs)
        self.n, self.form = n, form
        self.log = []

    @property
    def num_batches(self):
        return self.n

    def __getitem__(self, i):
        self.log.append(i)
        x = np.full((2, 3), i, "float32")
        y = np.full((2, 1), i, "float32")
        return {"x": (x,), "array": x, "xy": (x, y), "list": [x, y],
                "xysw": (x, y, np.array([1.0, 0.0], "float32")), "four": (x, y, y, y)}[self.form]

    def on_epoch_begin(self):
        self.log.append("begin")

    def on_epoch_end(self):
        self.log.append("end")


def _model(kernel):
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, kernel_initializer=kernel,
                                                                 bias_initializer="zeros")])
    m.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    return m


def _losses(data, **kwargs):
    history = _model("zeros").fit(data, verbose=0, **kwargs).history
    return {k: [float(v) for v in vs] for k, vs in history.items()}


PY_DATASET_FITS = {
    "fit_two_epochs": (lambda: Batches(3), dict(epochs=2, shuffle=False)),
    "fit_steps_continue": (lambda: Batches(5), dict(epochs=4, steps_per_epoch=2, shuffle=False)),
    "fit_steps_exact": (lambda: Batches(4), dict(epochs=4, steps_per_epoch=2, shuffle=False)),
    "fit_steps_beyond": (lambda: Batches(3), dict(epochs=2, steps_per_epoch=5, shuffle=False)),
    "fit_endless": (lambda: Batches(None), dict(epochs=3, steps_per_epoch=2)),
    "fit_threads": (lambda: Batches(5, workers=2), dict(epochs=2, shuffle=False)),
    "fit_validation": (lambda: Batches(4), dict(epochs=3, steps_per_epoch=2, shuffle=False,
                                                validation_data=Batches(3), validation_steps=2)),
}


@pytest.mark.parametrize("case", sorted(PY_DATASET_FITS))
def test_py_dataset_fit_reads_the_batches_keras3_reads(case):
    make, kwargs = PY_DATASET_FITS[case]
    got = _losses(make(), **kwargs)
    expected = K3["py_dataset"][case]
    assert got.keys() == expected.keys()
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-6)


def test_py_dataset_evaluate_and_predict_match_keras3():
    expected = K3["py_dataset"]
    np.testing.assert_allclose(_model("zeros").evaluate(Batches(3), verbose=0), expected["evaluate"], rtol=1e-6)
    np.testing.assert_allclose(_model("zeros").evaluate(Batches(None), steps=3, verbose=0),
                               expected["evaluate_endless"], rtol=1e-6)
    np.testing.assert_allclose(_model("zeros").evaluate(Batches(3, "list"), verbose=0), expected["evaluate_list"],
                               rtol=1e-6)
    np.testing.assert_allclose(_model("zeros").evaluate(Batches(3, "xysw"), verbose=0),
                               expected["evaluate_sample_weight"], rtol=1e-6)
    with pytest.raises(ValueError):
        _model("zeros").evaluate(Batches(3, "four"), verbose=0)
    for form in ("x", "array", "xy", "list", "xysw"):
        np.testing.assert_allclose(_model("ones").predict(Batches(3, form), verbose=0), expected[f"predict_{form}"])
    np.testing.assert_allclose(_model("ones").predict(Batches(None), steps=2, verbose=0), expected["predict_endless"])


def test_py_dataset_base_class_matches_keras3():
    base = keras.utils.PyDataset()
    expected = K3["py_dataset"]["base"]
    assert [base.workers, base.use_multiprocessing, base.max_queue_size] == expected["settings"]
    assert answer(lambda: base[0]) == expected["getitem"]
    assert answer(lambda: base.num_batches) == expected["num_batches"]
    assert answer(lambda: Batches(3, foo=1)) == expected["unknown_keyword"]
    assert isinstance(base, keras.utils.Sequence)


def test_py_dataset_epoch_hooks_wrap_each_epoch():
    data = Batches(3)
    _model("zeros").fit(data, epochs=2, shuffle=False, verbose=0)
    assert data.log == ["begin", 0, 1, 2, "end", "begin", 0, 1, 2, "end"]
    data = Batches(5)
    _model("zeros").fit(data, epochs=3, steps_per_epoch=2, shuffle=False, verbose=0)
    assert data.log == ["begin", 0, 1, "end", "begin", 2, 3, "end", "begin", 4, "end"]
    data = Batches(2)
    _model("ones").predict(data, verbose=0)
    assert data.log == ["begin", 0, 1, "end"]


def test_py_dataset_reads_ahead_with_its_own_workers():
    class Threads(Batches):
        def __getitem__(self, i):
            self.threads.add(threading.current_thread().name)
            return super().__getitem__(i)

    data = Threads(6, workers=3)
    data.threads = set()
    _model("zeros").fit(data, epochs=1, shuffle=False, verbose=0)
    assert data.threads and threading.current_thread().name not in data.threads
    data = Threads(4)
    data.threads = set()
    with pytest.warns(UserWarning, match="ignored"):
        _model("zeros").fit(data, epochs=1, workers=2, verbose=0)  # fit's Keras 2 arguments do not apply
    assert data.threads == {threading.current_thread().name}


def test_py_dataset_in_worker_processes():
    data = Batches(5, workers=2, use_multiprocessing=True)
    got = _losses(data, epochs=2, shuffle=False)
    np.testing.assert_allclose(got["loss"], K3["py_dataset"]["fit_threads"]["loss"], rtol=1e-6)


def test_py_dataset_without_super_init_warns_and_reads_with_defaults():
    class Forgetful(keras.utils.PyDataset):
        def __init__(self):
            self.n = 2

        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.zeros((2, 3), "float32"), np.zeros((2, 1), "float32")

    with pytest.warns(UserWarning, match="super\\(\\).__init__\\(\\*\\*kwargs\\)"):
        _model("zeros").fit(Forgetful(), verbose=0)
    data = Forgetful()
    with pytest.warns(UserWarning):
        assert data.workers == 1


def test_py_dataset_without_end_needs_steps():
    with pytest.raises(ValueError, match="steps_per_epoch"):
        _model("zeros").fit(Batches(None), verbose=0)
    with pytest.raises(ValueError, match="`steps`"):
        _model("ones").predict(Batches(None), verbose=0)
    data = Batches(None)
    assert [next(iter(data))[0][0, 0]] == [0.0]
    with pytest.raises(TypeError, match="no end"):
        len(data)


def test_py_dataset_with_len_only():
    class Sized(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.full((2, 3), i, "float32"), np.full((2, 1), i, "float32")

    data = Sized()
    assert data.num_batches == 2 and len(list(data)) == 2
    np.testing.assert_allclose(_model("zeros").evaluate(data, verbose=0), 0.5)


# ---- keras.saving.save_weights / load_weights ----------------------------------------------------------------

def _mlp():
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, activation="tanh")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2)(hidden))


def test_load_weights_reads_keras3_file(tmp_path):
    model = _mlp()
    keras.saving.load_weights(model, os.path.join(FIXTURES, "k3_mlp.weights.h5"))
    np.testing.assert_allclose(model.predict(ARRAYS["saving_x"], verbose=0), ARRAYS["saving_y"], rtol=1e-5,
                               atol=1e-6)
    path = str(tmp_path / "round.weights.h5")
    keras.saving.save_weights(model, path)
    other = _mlp()
    keras.saving.load_weights(other, path)
    np.testing.assert_allclose(other.predict(ARRAYS["saving_x"], verbose=0), ARRAYS["saving_y"], rtol=1e-5,
                               atol=1e-6)


def test_save_and_load_weights_errors_match_keras3(tmp_path):
    model = _mlp()
    expected = K3["saving"]
    got = {"save_h5_suffix": answer(keras.saving.save_weights, model, str(tmp_path / "w.h5")),
           "save_keras_suffix": answer(keras.saving.save_weights, model, str(tmp_path / "w.keras")),
           "save_unknown_keyword": answer(lambda: keras.saving.save_weights(model, str(tmp_path / "x.weights.h5"),
                                                                            foo=1)),
           "load_unknown_suffix": answer(keras.saving.load_weights, model, str(tmp_path / "w.txt")),
           "load_unknown_keyword": answer(lambda: keras.saving.load_weights(
               model, os.path.join(FIXTURES, "k3_mlp.weights.h5"), foo=1))}
    assert got == expected
    with pytest.raises(NotImplementedError, match="sharded"):
        keras.saving.save_weights(model, str(tmp_path / "s.weights.h5"), max_shard_size=1)
    with pytest.raises(FileNotFoundError):
        keras.saving.load_weights(model, str(tmp_path / "missing.weights.h5"))


# ---- keras.ops.rearrange ------------------------------------------------------------------------------------

def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("case", K3["rearrange"]["cases"] + K3["rearrange"]["equivalents"],
                         ids=lambda c: c["pattern"])
def test_rearrange_matches_keras3(case):
    x, y = ARRAYS[case["key"] + "_x"], ARRAYS[case["key"] + "_y"]
    np.testing.assert_array_equal(_numpy(keras.ops.rearrange(x, case["pattern"], **case["lengths"])), y)


@pytest.mark.parametrize("case", K3["rearrange"]["refused"], ids=lambda c: c["pattern"])
def test_rearrange_refuses_what_keras3_cannot_do_with_a_value_error(case):
    with pytest.raises(ValueError):
        keras.ops.rearrange(np.zeros(case["shape"], "float32"), case["pattern"], **case["lengths"])


def test_rearrange_checks_given_lengths():
    x = np.zeros((2, 3, 4), "float32")
    with pytest.raises(ValueError, match="make 4"):
        keras.ops.rearrange(x, "b h w -> b h w", h=4)  # Keras 3 ignores the wrong length
    with pytest.raises(ValueError, match="does not name"):
        keras.ops.rearrange(x, "b h w -> b h w", c=2)


def test_rearrange_on_symbolic_tensors_saves_and_loads():
    inputs = keras.Input((6, 4))
    outputs = keras.ops.rearrange(inputs, "b (h1 h2) w -> b h1 (h2 w)", h1=2)
    assert outputs.shape[1:] == tuple(K3["rearrange"]["symbolic_shape"][1:]) and outputs.shape[0] is None
    model = keras.Model(inputs, outputs)
    clone = keras.Model.from_config(model.get_config())
    x = np.random.RandomState(0).rand(2, 6, 4).astype("float32")
    np.testing.assert_array_equal(clone.predict(x, verbose=0), x.reshape(2, 2, 12))


# ---- the top-level module -----------------------------------------------------------------------------------

def test_dir_lists_lazy_modules_and_keras3_names():
    names = dir(keras)
    for name in ("ops", "random", "tree", "dtype_policies", "applications", "Variable", "device", "utils"):
        assert name in names
    assert all(hasattr(keras, name) for name in keras.__all__)


def test_import_stays_light():
    code = ("import sys, fastkeras; print(sorted(m for m in ('fastkeras.ops', 'fastkeras.random', 'fastkeras.tree', "
            "'fastkeras.dtype_policies', 'h5py', 'yaml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
