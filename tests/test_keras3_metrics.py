"""Keras 3's PearsonCorrelation / ConcordanceCorrelation (and their functions) and ``keras.metrics.huber``
against Keras 3.15.1.

Expected values come from tests/fixtures/keras3_training_api (tools/make_keras3_training_api_fixtures.py, real
Keras 3 on jax): function outputs, ``result()`` after each of three ``update_state`` batches of different sizes
(with and without sample weights), configs, and a compiled model's evaluate (in one batch and in three) and fit.
"""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import backend as K
from fastkeras import layers, metrics

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras3_training_api")
with open(os.path.join(FIXTURES, "keras3.json")) as _f:
    EXPECTED = json.load(_f)["metrics"]
ARRAYS = np.load(os.path.join(FIXTURES, "keras3.npz"))
FN_CASES = [c for c in EXPECTED["cases"] if c["kind"] == "fn"]
CLASS_CASES = [c for c in EXPECTED["cases"] if c["kind"] == "class"]
CLASSES = ["PearsonCorrelation", "ConcordanceCorrelation"]


def batch(b):
    return (ARRAYS[f"metric/{b}/y_true"], ARRAYS[f"metric/{b}/y_pred"], ARRAYS[f"metric/{b}/sample_weight"])


@pytest.mark.parametrize("case", FN_CASES, ids=[c["id"] for c in FN_CASES])
def test_functions_match_keras3(case):
    y_true, y_pred, _ = batch(0)
    out = getattr(metrics, case["name"])(y_true, y_pred, **case["kwargs"])
    expected = ARRAYS[f"metric/{case['id']}"]
    assert K.is_tensor(out) and tuple(out.shape) == expected.shape
    np.testing.assert_allclose(K.to_numpy(out), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CLASS_CASES, ids=[f"{c['id']}-{c['sample_weight']}" for c in CLASS_CASES])
def test_accumulates_over_batches_as_keras3(case):
    metric = getattr(metrics, case["name"])(**case["kwargs"])
    results = []
    for b in range(3):
        y_true, y_pred, sw = batch(b)
        metric.update_state(y_true, y_pred, sample_weight=sw if case["sample_weight"] else None)
        results.append(float(K.to_numpy(metric.result())))
    np.testing.assert_allclose(results, ARRAYS[f"metric/{case['id']}"], rtol=1e-5, atol=1e-6)
    metric.reset_state()
    y_true, y_pred, sw = batch(0)
    metric.update_state(K.constant(y_true), K.constant(y_pred), sample_weight=sw if case["sample_weight"] else None)
    np.testing.assert_allclose(float(K.to_numpy(metric.result())), ARRAYS[f"metric/{case['id']}"][0], rtol=1e-5)


@pytest.mark.parametrize("name", CLASSES)
def test_config_round_trip(name):
    cls = getattr(metrics, name)
    assert cls().get_config() == EXPECTED["default_configs"][name]
    metric = cls(name="corr", axis=0)
    assert metric.get_config() == EXPECTED["configs"][name]
    again = cls.from_config(metric.get_config())
    assert again.get_config() == EXPECTED["configs"][name]
    restored = metrics.deserialize(metrics.serialize(metric))
    assert type(restored) is cls and restored.get_config() == EXPECTED["configs"][name]
    assert type(metrics.get(name)) is cls
    assert name in metrics.__all__


@pytest.mark.parametrize("name", ["pearson_correlation", "concordance_correlation", "huber"])
def test_functions_by_name(name):
    assert metrics.get(name) is getattr(metrics, name)
    assert name in metrics.__all__


def test_huber_is_the_loss_function():
    assert metrics.huber is fastkeras.losses.huber


def test_compiled_metrics():
    expected = EXPECTED["fit"]
    x, y = ARRAYS["metric_fit/x"], ARRAYS["metric_fit/y"]
    inputs = layers.Input((3,))
    model = fastkeras.models.Model(inputs, layers.Dense(5, name="dense")(inputs))
    model.get_layer("dense").set_weights([ARRAYS["metric_fit/kernel"], ARRAYS["metric_fit/bias"]])
    model.compile(optimizer=fastkeras.optimizers.SGD(0.1), loss="mse",
                  metrics=[metrics.PearsonCorrelation(name="pcc"), "concordance_correlation"])
    for b in (8, 3):
        logs = model.evaluate(x, y, batch_size=b, verbose=0, return_dict=True)
        want = expected[f"evaluate_batch_{b}"]
        assert sorted(logs) == sorted(want)
        for key in want:
            np.testing.assert_allclose(logs[key], want[key], rtol=1e-5, err_msg=key)
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    for key, values in expected["history"].items():
        np.testing.assert_allclose(history[key], values, rtol=1e-5, err_msg=key)
