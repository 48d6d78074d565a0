"""keras.models.experimental.SharpnessAwareMinimization against tf-keras 2.21.

Expected values come from tests/fixtures/keras3_training_api/keras2.{json,npz}
(tools/make_keras3_training_api_fixtures.py --keras2): a Dense(4, tanh)-Dense(2) model from fixed weights wrapped
in SAM (default arguments, and rho=0.2 with two batch splits), trained by SGD on mse for two epochs: the loss and
mae logs, the weights after fit, predict and evaluate.
"""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import layers, optimizers
from fastkeras.models.experimental import SharpnessAwareMinimization

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras3_training_api")
with open(os.path.join(FIXTURES, "keras2.json")) as _f:
    EXPECTED = json.load(_f)["sharpness_aware_minimization"]
ARRAYS = np.load(os.path.join(FIXTURES, "keras2.npz"))


def inner_model():
    model = fastkeras.Sequential([layers.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(2)])
    model.set_weights([ARRAYS[f"sam/init/{k}"] for k in range(4)])
    return model


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_fit_matches_tf_keras(case):
    want = EXPECTED[case]
    inner = inner_model()
    sam = SharpnessAwareMinimization(inner, **want["kwargs"])
    sam.compile(optimizer=optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    x, y = ARRAYS["sam/x"], ARRAYS["sam/y"]
    history = sam.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    for key, values in want["history"].items():
        np.testing.assert_allclose(history[key], values, rtol=1e-5, err_msg=key)
    for k, value in enumerate(inner.get_weights()):
        np.testing.assert_allclose(value, ARRAYS[f"sam/{case}/weights/{k}"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sam.predict(x, verbose=0), ARRAYS[f"sam/{case}/predict"], rtol=1e-5, atol=1e-6)
    logs = sam.evaluate(x, y, verbose=0, return_dict=True)
    for key, value in want["evaluate"].items():
        np.testing.assert_allclose(logs[key], value, rtol=1e-5, err_msg=key)


def test_config_round_trip():
    sam = SharpnessAwareMinimization(inner_model(), rho=0.2)
    config = sam.get_config()
    assert sorted(config) == EXPECTED["default"]["config_keys"] and config["rho"] == 0.2
    again = SharpnessAwareMinimization.from_config(config)
    assert again.rho == 0.2
    x = ARRAYS["sam/x"]
    again.model.set_weights(sam.model.get_weights())
    np.testing.assert_allclose(again.predict(x, verbose=0), sam.predict(x, verbose=0), rtol=1e-6)


def test_uneven_split_is_a_clear_error():
    sam = SharpnessAwareMinimization(inner_model(), num_batch_splits=3)
    sam.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="batch of 4 samples into num_batch_splits=3"):
        sam.fit(ARRAYS["sam/x"], ARRAYS["sam/y"], batch_size=4, epochs=1, verbose=0)


def test_namespace():
    assert fastkeras.models.experimental.SharpnessAwareMinimization is SharpnessAwareMinimization
