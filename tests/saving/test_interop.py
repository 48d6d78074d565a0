"""Model files written by tf-keras 2.21 and Keras 3.15.1 load in fastkeras and predict as they did there; the files
fastkeras writes keep the forms those libraries write and read (tests/fixtures/interop, from
tools/make_interop_fixtures.py; the models are tools/interop_models.py's cases).

The other direction, tf-keras and Keras 3 loading fastkeras' files, needs those libraries and is the script's
manual check (``--fastkeras-write`` then ``--keras2-check`` / ``--keras3-check``).
"""
import glob
import importlib.util
import json
import os
import sys
import zipfile

import numpy as np
import pytest

import fastkeras as keras
from fastkeras.saving.errors import FileFormatError

h5py = pytest.importorskip("h5py")

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, os.pardir, "fixtures", "interop")
TOOLS = os.path.join(HERE, os.pardir, os.pardir, "tools")


def _load_tool(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(TOOLS, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


MODELS = _load_tool("interop_models")


@pytest.fixture(autouse=True, scope="module")
def registered_custom_layer():
    """'interop>Scale' registered while these tests run, and only then: other tests' unregistered classes
    named Scale would otherwise resolve to it."""
    MODELS.custom_scale(keras)
    yield
    keras.saving.get_custom_objects().pop("interop>Scale", None)

# Files real Keras cannot load back itself either: Keras 3's .h5 (legacy) configs name its operations by class
# alone ('NotEqual', 'GetItem'), which its own loader does not resolve; fastkeras refuses them with a clear error.
UNREADABLE = {"k3_keras_ops.h5": "GetItem", "k3_masked_rnn.h5": "NotEqual"}


def fixture_files():
    files = []
    for npz in sorted(glob.glob(os.path.join(FIXTURES, "*.npz"))):
        stem = npz[:-len(".npz")]
        files += [os.path.basename(stem) + suffix for suffix in (".keras", ".h5", ".weights.h5")
                  if os.path.exists(stem + suffix)]
    return files


def stored(data, prefix):
    return [data[f"{prefix}{i}"] for i in range(sum(1 for k in data.files
                                                    if k.startswith(prefix) and k[len(prefix):].isdigit()))]


def case_of(filename):
    return filename.split(".")[0].split("_", 1)[1]


def predict(model, name):
    inputs = MODELS.inputs_for(name)
    batch_size = MODELS.CASES[name].batch_size or len(inputs[0])
    y = model.predict(inputs[0] if len(inputs) == 1 else inputs, batch_size=batch_size, verbose=0)
    return [np.asarray(t) for t in y] if isinstance(y, (list, tuple)) else [np.asarray(y)]


@pytest.mark.parametrize("filename", fixture_files())
def test_real_keras_file_loads_and_predicts_alike(filename):
    path = os.path.join(FIXTURES, filename)
    name = case_of(filename)
    data = np.load(os.path.join(FIXTURES, filename.split(".")[0] + ".npz"), allow_pickle=False)
    if filename in UNREADABLE:
        with pytest.raises(FileFormatError, match=UNREADABLE[filename]):
            keras.models.load_model(path)
        return
    keras.backend.clear_session()
    if filename.endswith(".weights.h5"):
        model = MODELS.CASES[name].build(keras, MODELS.FK)
        model.load_weights(path)
    else:
        model = keras.models.load_model(path)
    tolerance = MODELS.CASES[name].tolerance  # float16 layers round differently in each library
    for got, expected in zip(predict(model, name), stored(data, "y"), strict=True):
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)
    if not filename.endswith(".weights.h5"):
        # The optimizer state the writer had after one epoch (Keras 3's learning-rate variable aside).
        restored = model.optimizer.get_weights()
        saved = stored(data, "opt")
        assert len(restored) == len(saved)
        for got, expected in zip(restored, saved):
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


# ---- what fastkeras writes, against what tf-keras and Keras 3 write for the same model --------------------

def fastkeras_file(tmp_path, name, suffix):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = MODELS.CASES[name].build(keras, MODELS.FK)
    model.compile(optimizer="adam", **MODELS.CASES[name].compile_kwargs(keras, MODELS.FK))
    path = str(tmp_path / f"{name}{suffix}")
    model.save(path)
    return path


def keras_config(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def h5_attribute(path, name):
    with h5py.File(path, "r") as f:
        return json.loads(f.attrs[name])


def by_name(config):
    return {entry["name"]: entry for entry in config["config"]["layers"]}


def test_keras_archive_records_calls_as_keras_3(tmp_path):
    """Every call is a Keras 3 call record, so Keras 3 resolves the tensor MultiHeadAttention gets as `value`;
    its config and build_config are in Keras 3's terms."""
    ours = by_name(keras_config(fastkeras_file(tmp_path, "attention", ".keras")))
    theirs = by_name(keras_config(os.path.join(FIXTURES, "k3_attention.keras")))
    for name, entry in ours.items():
        for node in entry["inbound_nodes"]:
            assert set(node) == {"args", "kwargs"}
    mha = ours["mha"]
    value = mha["inbound_nodes"][0]["kwargs"]["value"]
    assert value["class_name"] == "__keras_tensor__"
    assert value["config"] == {"shape": [None, 6, 4], "dtype": "float32", "keras_history": ["value", 0, 0]}
    assert mha["build_config"] == theirs["mha"]["build_config"]
    assert not {"query_shape", "key_shape", "value_shape"} & set(mha["config"])
    assert ours["dot"]["inbound_nodes"] == theirs["dot"]["inbound_nodes"]


def test_keras_archive_numbers_nested_model_calls_from_zero(tmp_path):
    ours = by_name(keras_config(fastkeras_file(tmp_path, "functional", ".keras")))
    theirs = by_name(keras_config(os.path.join(FIXTURES, "k3_functional.keras")))
    assert ours["merged"]["inbound_nodes"] == theirs["merged"]["inbound_nodes"]
    assert ours["aux"]["inbound_nodes"] == theirs["aux"]["inbound_nodes"]


def test_keras_archive_writes_compile_config_as_keras_3(tmp_path):
    """Loss configs without tf-keras' 'auto' reduction and wrapped `fn`, metric wrappers of function objects,
    Keras 2 names Keras 3 spells otherwise, all as Keras 3 writes them for the same compile arguments."""
    ours = keras_config(fastkeras_file(tmp_path, "compile_configs", ".keras"))["compile_config"]
    theirs = keras_config(os.path.join(FIXTURES, "k3_compile_configs.keras"))["compile_config"]
    for key in ("loss", "metrics", "weighted_metrics"):
        assert ours[key] == theirs[key], key


def test_keras_archive_writes_dtype_policies_as_keras_3(tmp_path):
    """Keras 3 reads a layer's policy only as a DTypePolicy object (a mixed policy given by name, or tf-keras'
    Policy object, leaves an LSTM's cell without one); input layers keep the dtype name."""
    ours = by_name(keras_config(fastkeras_file(tmp_path, "mixed_precision", ".keras")))
    theirs = by_name(keras_config(os.path.join(FIXTURES, "k3_mixed_precision.keras")))
    assert sorted(ours) == sorted(theirs)
    for name, entry in ours.items():
        assert entry["config"]["dtype"] == theirs[name]["config"]["dtype"], name


def test_keras_archive_passes_initial_states_by_keyword(tmp_path):
    """An RNN called with symbolic initial states: Keras 3's call record passes them as `initial_state` (the
    node holds [x, *states] as Keras 2 writes it) and builds the layer from the sequence and state shapes; a
    transposed convolution carries no `groups`, which Keras 3's refuses."""
    ours = by_name(keras_config(fastkeras_file(tmp_path, "initial_state", ".keras")))
    theirs = by_name(keras_config(os.path.join(FIXTURES, "k3_initial_state.keras")))
    for name in ("decoder", "gru"):
        assert ours[name]["inbound_nodes"] == theirs[name]["inbound_nodes"], name
        assert ours[name]["build_config"] == theirs[name]["build_config"], name
    assert set(ours["up"]["config"]) <= set(theirs["up"]["config"])


def _operations(config):
    """{(module, class_name): static config} of the Keras 3 operation entries (each class once in the case)."""
    found = {}
    for e in config["config"]["layers"]:
        if e.get("module", "").startswith("keras.src.ops."):
            found.setdefault((e["module"], e["class_name"]), []).append(
                {k: v for k, v in e["config"].items() if k != "name"})
    return found


def test_keras_archive_writes_operators_and_ops_as_keras_3_operations(tmp_path):
    """Keras 3's operation classes, each with the arguments the call passed (Keras 3 also writes the defaults)."""
    ours = keras_config(fastkeras_file(tmp_path, "keras_ops", ".keras"))
    theirs = keras_config(os.path.join(FIXTURES, "k3_keras_ops.keras"))
    assert not [e for e in ours["config"]["layers"] if e["class_name"] in ("TFOpLambda", "SlicingOpLambda")]
    ours, theirs = _operations(ours), _operations(theirs)
    assert {k: len(v) for k, v in ours.items()} == {k: len(v) for k, v in theirs.items()}
    for key, configs in ours.items():
        for config in configs:
            assert any(config.items() <= other.items() for other in theirs[key]), (key, config)


def _node_form(node):
    """A Keras 2 node with the layer names and values left out: which structure holds which kind of item."""
    if isinstance(node, list) and len(node) == 4 and node[0] == "_CONSTANT_VALUE":
        return ["constant", sorted(node[3])]
    if isinstance(node, list) and len(node) == 4 and isinstance(node[0], str):
        return ["tensor", sorted(k for k in node[3] if k != "name")]
    return [_node_form(item) for item in node]


def test_h5_op_layers_are_recorded_as_tf_keras_records_them(tmp_path):
    """A one-tensor op input is the tensor itself and `1.0 - x` is subtract with the constant first, or
    tf-keras cannot call the op layers back."""
    ours = by_name(h5_attribute(fastkeras_file(tmp_path, "backend_ops", ".h5"), "model_config"))
    theirs = by_name(h5_attribute(os.path.join(FIXTURES, "k2_backend_ops.h5"), "model_config"))
    ops = {e["config"]["function"]: e for e in ours.values() if e["class_name"] in ("TFOpLambda", "SlicingOpLambda")}
    tf_ops = {e["config"]["function"]: e for e in theirs.values()
              if e["class_name"] in ("TFOpLambda", "SlicingOpLambda")}
    tf_ops["math.floordiv"] = tf_ops.pop("compat.v1.floor_div")  # TensorFlow's two names of one op
    assert sorted(ops) == sorted(tf_ops)
    for function, entry in ops.items():
        assert _node_form(entry["inbound_nodes"]) == _node_form(tf_ops[function]["inbound_nodes"]), function


def test_h5_names_layers_and_optimizers_as_tf_keras(tmp_path):
    """tf-keras' .h5 layer entries name a class by its registered name and carry no module; its optimizers
    are 'Custom>Adam' there."""
    path = fastkeras_file(tmp_path, "custom", ".h5")
    ours = h5_attribute(path, "model_config")["config"]["layers"]
    theirs = h5_attribute(os.path.join(FIXTURES, "k2_custom.h5"), "model_config")["config"]["layers"]
    assert [(e["class_name"], sorted(e)) for e in ours] == [(e["class_name"], sorted(e)) for e in theirs]
    optimizer = h5_attribute(path, "training_config")["optimizer_config"]["class_name"]
    assert optimizer == h5_attribute(os.path.join(FIXTURES, "k2_custom.h5"),
                                     "training_config")["optimizer_config"]["class_name"] == "Custom>Adam"


@pytest.mark.parametrize("name", ["attention", "keras_ops", "backend_ops", "functional", "initial_state",
                                  "mixed_precision", "compile_configs"])
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_fastkeras_files_round_trip(tmp_path, name, suffix):
    path = str(tmp_path / f"{name}{suffix}")
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = MODELS.CASES[name].build(keras, MODELS.FK)
    MODELS.randomize(model, name)
    model.compile(optimizer="adam", **MODELS.CASES[name].compile_kwargs(keras, MODELS.FK))
    model.save(path)
    expected = predict(model, name)
    keras.backend.clear_session()
    for got, want in zip(predict(keras.models.load_model(path), name), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_compile_config_written_for_keras_3_reads_back_alike(tmp_path):
    """fastkeras reads the compile_config it writes in Keras 3's terms as the same losses and metrics: the
    metric written as Keras 3's CosineSimilarity keeps Keras 2's sign, 'log_cosh' is 'logcosh'."""
    name = "compile_configs"
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = MODELS.CASES[name].build(keras, MODELS.FK)
    MODELS.randomize(model, name)
    model.compile(optimizer="adam", **MODELS.CASES[name].compile_kwargs(keras, MODELS.FK))
    x, y = MODELS.inputs_for(name)[0], MODELS.targets_for(name, model)
    path = str(tmp_path / "compile_configs.keras")
    model.save(path)  # before the metrics are built and renamed to their log names, as tf-keras renames them
    expected = model.evaluate(x, y, verbose=0, return_dict=True)
    got = keras.models.load_model(path).evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-6), key
