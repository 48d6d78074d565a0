"""Functional models built on dicts and nested lists: input and output order, names, configs, predictions and
training with data and compile arguments in the model's shape, against tf-keras 2.21
(tests/fixtures/nested_io, from tools/make_nested_io_fixtures.py, whose ``build`` makes the models here too)."""
import json
import os

import numpy as np
import pytest

import fastkeras as keras
from fixture_cases import load_tool_script

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "nested_io")
with open(os.path.join(FIXTURES, "keras2.json")) as _f:
    K2 = json.load(_f)
with np.load(os.path.join(FIXTURES, "keras2.npz")) as _npz:
    ARRAYS = {k: _npz[k] for k in _npz.files}


SCRIPT = load_tool_script("make_nested_io_fixtures")
CASES = list(SCRIPT.CASES)


def _close(got, want, rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(np.asarray(got, dtype="float64"), np.asarray(want, dtype="float64"), rtol=rtol,
                               atol=atol)


@pytest.mark.parametrize("case", CASES)
def test_order_names_and_config_match_tf_keras(case):
    want = K2[case]
    model = SCRIPT.build(keras, case)[0]
    assert model.input_names == want["input_names"]
    assert model.output_names == want["output_names"]
    assert [list(t.shape)[1:] for t in model.outputs] == want["output_shapes"]
    assert [layer.name for layer in model.layers] == want["layers"]
    config = model.get_config()
    # Compared as JSON text, so that the order of a dict's keys counts.
    assert json.dumps(config["input_layers"]) == json.dumps(want["input_layers"])
    assert json.dumps(config["output_layers"]) == json.dumps(want["output_layers"])


@pytest.mark.parametrize("case", CASES)
def test_predictions_come_back_in_the_model_structure(case):
    model, _, data_x, _, _ = SCRIPT.build(keras, case)
    predictions = model.predict(data_x, verbose=0)
    assert SCRIPT.structure_keys(predictions) == K2[case]["predict_keys"]
    flat = SCRIPT.flatten(predictions)
    for i, p in enumerate(flat):
        _close(p, ARRAYS[f"{case}/predict/{i}"])
    # A direct call gives the same structure.
    called = model(data_x, training=False)
    assert SCRIPT.structure_keys(called) == K2[case]["predict_keys"]


@pytest.mark.parametrize("case", CASES)
def test_training_with_data_and_compile_arguments_in_the_model_shape(case):
    want = K2[case]
    model, compile_args, data_x, data_y, weights = SCRIPT.build(keras, case)
    model.compile(optimizer=keras.optimizers.SGD(0.05), **compile_args)
    history = model.fit(data_x, data_y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert sorted(history.history) == sorted(want["history"])
    for name, values in want["history"].items():
        _close(history.history[name], values)
    _close(model.evaluate(data_x, data_y, batch_size=4, verbose=0), want["evaluate"])
    assert model.metrics_names == want["metrics_names"]
    got = model.evaluate(data_x, data_y, batch_size=4, verbose=0, return_dict=True)
    assert list(got) == list(want["evaluate_dict"])
    _close(list(got.values()), list(want["evaluate_dict"].values()))
    _close(model.evaluate(data_x, data_y, sample_weight=weights, batch_size=4, verbose=0), want["weighted_evaluate"])
    _close(model.train_on_batch(data_x, data_y), want["train_on_batch"])


def test_a_dict_of_targets_may_leave_an_output_out():
    """As tf-keras: an output without a target (and without a loss) trains nothing and is not reported."""
    model, _, data_x, data_y, _ = SCRIPT.build(keras, "dict_in_nested_dict_out")
    model.compile("sgd", loss={"z": "mse", "a": "binary_crossentropy"})
    history = model.fit(data_x, {"z": data_y["z"], "a": data_y["a"]}, epochs=1, verbose=0)
    assert sorted(history.history) == ["aa_loss", "loss", "zz_loss"]


def test_data_shaped_wrongly_is_refused_with_the_names():
    model, _, data_x, data_y, _ = SCRIPT.build(keras, "dict_in_nested_dict_out")
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="x_in|y_in"):
        model.fit({"xin": data_x["xin"]}, data_y, verbose=0)


def test_a_custom_train_step_gets_the_data_in_the_model_shape():
    seen = []

    class Recording(keras.Model):
        def train_step(self, data):
            x, y = data
            seen.append((sorted(x), sorted(y), len(y["b"])))
            return super().train_step(data)

    built = SCRIPT.build(keras, "dict_in_nested_dict_out")[0]
    model = Recording(built.input, built.output)
    model.compile("sgd", {"z": "mse", "b": ["mse", "mae"], "a": "mse"})
    _, _, data_x, data_y, _ = SCRIPT.build(keras, "dict_in_nested_dict_out")
    history = model.fit(data_x, data_y, batch_size=8, epochs=1, verbose=0)
    assert seen == [(["xin", "yin"], ["a", "b", "z"], 2)]
    assert sorted(history.history) == ["aa_loss", "b1_loss", "b2_loss", "loss", "zz_loss"]


@pytest.mark.parametrize("case", CASES)
def test_the_structure_survives_saving(case, tmp_path):
    model, _, data_x, _, _ = SCRIPT.build(keras, case)
    want = model.predict(data_x, verbose=0)
    for name in ("m.keras", "m.h5"):
        model.save(tmp_path / name)
        loaded = keras.models.load_model(tmp_path / name)
        got = loaded.predict(data_x, verbose=0)
        assert SCRIPT.structure_keys(got) == K2[case]["predict_keys"]
        for a, b in zip(SCRIPT.flatten(got), SCRIPT.flatten(want)):
            _close(a, b)
    clone = keras.models.model_from_json(model.to_json())
    assert clone.output_names == model.output_names and clone.input_names == model.input_names


@pytest.mark.parametrize("case", list(SCRIPT.SUBCLASSED_CASES))
def test_subclassed_models_returning_dicts_train_and_predict_in_that_shape(case):
    """tf-keras names such outputs by their keys and paths ('label', 'output_2_again') and takes targets and
    compile arguments in the shape ``call`` returns."""
    want = K2[case]
    model, compile_args, x, y = SCRIPT.build_subclassed(keras, case)
    predictions = model.predict(x, verbose=0)
    assert SCRIPT.structure_keys(predictions) == want["predict_keys"]
    for i, p in enumerate(SCRIPT.flatten(predictions)):
        _close(p, ARRAYS[f"{case}/predict/{i}"])
    model.compile(optimizer=keras.optimizers.SGD(0.05), **compile_args)
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert sorted(history.history) == sorted(want["history"])
    for name, values in want["history"].items():
        _close(history.history[name], values)
    _close(model.evaluate(x, y, batch_size=4, verbose=0), want["evaluate"])
    assert model.metrics_names == want["metrics_names"]
