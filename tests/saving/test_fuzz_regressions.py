"""Discrepancies with tf-keras that differential fuzzing found, replayed against tf-keras' own answers
(tests/fixtures/fuzz_regressions, written by tools/make_fuzz_regression_fixtures.py)."""
import json
import os

import h5py
import numpy as np
import pytest

import fastkeras as keras

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "fuzz_regressions")


def fixture(name):
    return os.path.join(FIXTURES, name)


@pytest.fixture(scope="module")
def expected():
    with open(fixture("expected.json")) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def arrays():
    with np.load(fixture("arrays.npz")) as data:
        return dict(data)


def compile_args(spec):
    """compile() keywords from the fixture's JSON (names, or {'class_name', 'config'} metric objects)."""
    def metrics(value):
        if isinstance(value, dict) and "class_name" in value:
            return keras.metrics.deserialize(value)
        if isinstance(value, dict):
            return {k: metrics(v) for k, v in value.items()}
        if isinstance(value, list):
            return [metrics(v) for v in value]
        return value
    kwargs = dict(optimizer=spec["optimizer"], loss=spec["loss"])
    for key in ("metrics", "weighted_metrics", "loss_weights"):
        if key in spec:
            kwargs[key] = metrics(spec[key])
    return kwargs


# ---- ConvLSTM weights in .keras / .weights.h5 files ----------------------------------------------------------

def test_conv_lstm_keras_file_loads(arrays):
    """tf-keras and Keras 3 file ConvLSTM2D's weights under 'conv_lstm2d', not Keras 2.2's 'conv_lst_m2d'."""
    xs = [arrays["conv_lstm/x0"], arrays["conv_lstm/x1"]]
    model = keras.models.load_model(fixture("conv_lstm.keras"))
    np.testing.assert_allclose(model.predict(xs, verbose=0), arrays["conv_lstm/y"], rtol=1e-5, atol=1e-6)
    with open(fixture("conv_lstm.json")) as f:
        rebuilt = keras.models.model_from_json(f.read())
    rebuilt.load_weights(fixture("conv_lstm.weights.h5"))
    np.testing.assert_allclose(rebuilt.predict(xs, verbose=0), arrays["conv_lstm/y"], rtol=1e-5, atol=1e-6)


def test_conv_lstm_default_names_are_tf_keras_snake_case(tmp_path):
    layers = [keras.layers.ConvLSTM1D(1, 1), keras.layers.ConvLSTM2D(1, 1), keras.layers.ConvLSTM3D(1, 1)]
    assert [layer.name.split("_")[:2] for layer in layers] == [["conv", "lstm1d"], ["conv", "lstm2d"],
                                                               ["conv", "lstm3d"]]
    model = keras.Sequential([keras.Input((2, 4, 4, 1)), keras.layers.ConvLSTM2D(1, 2)])
    model.save_weights(tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5") as f:
        assert list(f["layers"]) == ["conv_lstm2d"]


# ---- attention calls in model configs -------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["mha_masked_self", "mha_key_causal", "attention_list"])
def test_attention_calls_written_as_tf_keras_writes_them(case):
    """A MultiHeadAttention whose value carries a Keras mask keeps [query, value] in its node (so the mask
    reaches the call); its config must still say `mha(query, value=...)` as tf-keras does, which is the only
    form tf-keras (and Keras 3) can call back."""
    with open(fixture("attention_nodes.json")) as f:
        reference = json.loads(json.load(f)[case])
    model = keras.models.model_from_json(json.dumps(reference))
    written = json.loads(model.to_json())
    nodes = {layer["name"]: layer["inbound_nodes"] for layer in written["config"]["layers"]}
    for layer in reference["config"]["layers"]:
        assert nodes[layer["name"]] == layer["inbound_nodes"], layer["name"]


# ---- metric names of compiled models in .h5 files ------------------------------------------------------------

def _inputs_targets(arrays, name, spec):
    xs = [arrays[f"{name}/x{i}"] for i in range(spec["n_inputs"])]
    ys = [arrays[f"{name}/y{i}"] for i in range(spec["n_outputs"])]
    sw = arrays[f"{name}/sw"]
    return (xs if len(xs) > 1 else xs[0]), (ys if len(ys) > 1 else ys[0]), (sw if len(ys) == 1 else [sw] * len(ys))


@pytest.mark.parametrize("name", ["three_outputs", "single_output_dict"])
def test_h5_metric_names_as_tf_keras_loads_them(expected, arrays, name):
    """tf-keras compiles a loaded .h5 model with `from_serialized`: metric configs keep the log names they were
    saved with ('out0_mae', not 'out0_out0_mae'), bare names become functions ('mean_absolute_error')."""
    spec = expected[name]
    x, y, sw = _inputs_targets(arrays, name, spec)
    model = keras.models.load_model(fixture(f"metrics_{name}.h5"))
    logs = model.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True, batch_size=len(arrays[f"{name}/sw"]))
    assert sorted(logs) == sorted(spec["loaded_logs"])
    for key, value in spec["loaded_logs"].items():
        assert logs[key] == pytest.approx(value, rel=1e-5, abs=1e-6), key


def test_h5_metric_names_survive_a_fastkeras_round_trip(expected, arrays, tmp_path):
    spec = expected["three_outputs"]
    x, y, sw = _inputs_targets(arrays, "three_outputs", spec)
    model = keras.models.load_model(fixture("metrics_three_outputs.h5"))
    model.save(tmp_path / "again.h5")
    again = keras.models.load_model(tmp_path / "again.h5")
    logs = again.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True, batch_size=len(sw[0]))
    assert sorted(logs) == sorted(spec["loaded_logs"])


def test_string_metrics_count_their_names_afresh(expected, arrays):
    """tf-keras builds metrics given by name inside its step function's graph, where name counts start at zero:
    'AUC' logs as 'a_auc' whatever AUC objects the session made before."""
    spec = expected["fresh_names"]
    for _ in range(3):
        keras.metrics.AUC()
    i = keras.Input((3,), name="x")
    model = keras.Model(i, [keras.layers.Dense(1, activation="sigmoid", name="a")(i),
                            keras.layers.Dense(1, activation="sigmoid", name="b")(i)])
    model.compile(**compile_args(spec["compile"]))
    y = arrays["fresh_names/y0"]
    logs = model.evaluate(arrays["fresh_names/x0"], [y, y], verbose=0, return_dict=True)
    assert sorted(logs) == sorted(spec["logs"])
    assert keras.metrics.AUC().name.startswith("auc_")  # the session's count went on outside compile


def test_h5_training_config_metrics_as_tf_keras_writes_them(expected, tmp_path):
    """Metrics are written as tf-keras writes them, one list per output of configs named with their log names;
    bare names would reach tf-keras' loader as functions without their output prefix."""
    spec = expected["written_metrics"]
    model = keras.models.load_model(fixture("metrics_three_outputs.h5"), compile=False)
    model.compile(**compile_args(spec["compile"]))
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        config = json.loads(f.attrs["training_config"])
    for key in ("metrics", "weighted_metrics"):
        rows = [[[m["class_name"], m["config"]["name"], m["config"].get("fn")] for m in ms] for ms in config[key]]
        assert rows == spec[key], key


# ---- build_config in .keras configs --------------------------------------------------------------------------

def test_build_configs_as_tf_keras_writes_them(expected, arrays, tmp_path):
    """A TimeDistributed recorded its inner layer's shape ((None, 4) for (None, 6, 4) inputs), which Keras 3 then
    refuses to rebuild the wrapper from; every layer's build_config is its own input shape, as in tf-keras."""
    import zipfile
    model = keras.models.load_model(fixture("build_configs.keras"))
    np.testing.assert_allclose(model.predict(arrays["build_configs/x0"], verbose=0), arrays["build_configs/y"],
                               rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "again.keras")
    with zipfile.ZipFile(tmp_path / "again.keras") as z:
        config = json.loads(z.read("config.json"))
    written = {layer["config"]["name"]: layer.get("build_config") for layer in config["config"]["layers"]}
    assert written == expected["build_configs"]


# ---- mixed precision -------------------------------------------------------------------------------------------

def test_mixed_float16_lstm_runs_and_matches_tf_keras(arrays):
    """On the CPU torch's fused LSTM has no float16 kernel; mixed_float16 LSTMs take the step loop there."""
    model = keras.models.load_model(fixture("mixed_float16_lstm.h5"))
    x, y = arrays["mixed_float16_lstm/x0"], arrays["mixed_float16_lstm/y0"]
    np.testing.assert_allclose(model.predict(x, verbose=0), arrays["mixed_float16_lstm/pred"], rtol=1e-2, atol=2e-3)
    assert float(model.train_on_batch(x, y)) == pytest.approx(float(arrays["mixed_float16_lstm/loss"]), rel=1e-2)


# ---- one-sided derivatives at kinks --------------------------------------------------------------------------

def _gradients(fn, *values):
    import torch
    tensors = [torch.tensor(v, requires_grad=True) for v in values]
    fn(*tensors).sum().backward()
    return [t.grad.numpy() for t in tensors]


def test_selu_gradient_at_zero_is_tensorflows(arrays):
    (dx,) = _gradients(keras.activations.selu, arrays["kinks/selu_x"])
    np.testing.assert_allclose(dx, arrays["kinks/selu_dx"], rtol=1e-6)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_tied_maximum_minimum_give_the_first_input_the_gradient(arrays, name):
    import torch
    layer = {"maximum": keras.layers.Maximum(), "minimum": keras.layers.Minimum()}[name]
    cot = torch.tensor(arrays["kinks/cot"])
    da, db = _gradients(lambda a, b: layer([a, b]) * cot, arrays["kinks/a"], arrays["kinks/b"])
    np.testing.assert_allclose(da, arrays[f"kinks/{name}_da"], rtol=1e-6)
    np.testing.assert_allclose(db, arrays[f"kinks/{name}_db"], rtol=1e-6)


def test_relu6_gradient_at_six_is_tensorflows(arrays):
    from fastkeras import backend as K
    (dx,) = _gradients(lambda x: K.relu(x, max_value=6.0), arrays["kinks/relu_x"])
    np.testing.assert_allclose(dx, arrays["kinks/relu6_dx"], rtol=1e-6)
    (dx,) = _gradients(lambda x: K.relu(x, alpha=0.1, max_value=6.0), arrays["kinks/relu_x"])
    np.testing.assert_allclose(dx, arrays["kinks/relu6_leaky_dx"], rtol=1e-6)


def test_selu_model_trains_on_zero_rows_as_tf_keras(arrays):
    model = keras.models.load_model(fixture("selu_zeros.h5"))
    model.train_on_batch(arrays["selu_zeros/x0"], arrays["selu_zeros/y0"])
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, arrays[f"selu_zeros/w{i}"], rtol=1e-5, atol=1e-6, err_msg=f"weight {i}")


def test_binary_crossentropy_from_logits_gradient_at_zero_logits(arrays):
    import torch
    logits = torch.tensor(arrays["logits_zero/logits"], requires_grad=True)
    loss = keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)(arrays["logits_zero/target"], logits)
    loss.backward()
    assert float(loss) == pytest.approx(float(arrays["logits_zero/loss"]), rel=1e-6)
    np.testing.assert_allclose(logits.grad.numpy(), arrays["logits_zero/dlogits"], rtol=1e-5, atol=1e-7)


def test_masked_rows_with_zero_logits_train_as_tf_keras(arrays):
    model = keras.models.load_model(fixture("logits_zero.h5"))
    model.train_on_batch(arrays["logits_zero/x0"], arrays["logits_zero/y0"])
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, arrays[f"logits_zero/w{i}"], rtol=1e-5, atol=1e-6, err_msg=f"weight {i}")


# ---- fit -----------------------------------------------------------------------------------------------------

def test_class_weight_leaves_the_validation_split_unweighted(expected, arrays):
    spec = expected["class_weight_validation"]
    model = keras.models.load_model(fixture("class_weight_validation.h5"))
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(arrays["class_weight_validation/x0"], arrays["class_weight_validation/y0"],
                        sample_weight=arrays["class_weight_validation/sw"],
                        class_weight={int(k): v for k, v in spec["class_weight"].items()},
                        validation_split=spec["validation_split"], epochs=spec["epochs"],
                        batch_size=spec["batch_size"], shuffle=False, verbose=0)
    assert sorted(history.history) == sorted(spec["history"])
    for key, values in spec["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5, atol=1e-6, err_msg=key)


def test_loss_scale_optimizer_written_as_tf_keras_names_it(tmp_path):
    """tf-keras' plain LossScaleOptimizer is its legacy class, which refuses new optimizers; it writes (and needs)
    LossScaleOptimizerV3 for a mixed_float16 model's optimizer in .h5 training configs."""
    with h5py.File(fixture("mixed_float16_lstm.h5")) as f:
        written_by_tf_keras = json.loads(f.attrs["training_config"])["optimizer_config"]["class_name"]
    model = keras.models.load_model(fixture("mixed_float16_lstm.h5"))
    model.save(tmp_path / "again.h5")
    with h5py.File(tmp_path / "again.h5") as f:
        assert json.loads(f.attrs["training_config"])["optimizer_config"]["class_name"] == written_by_tf_keras
    assert type(keras.models.load_model(tmp_path / "again.h5").optimizer).__name__ == "LossScaleOptimizer"
