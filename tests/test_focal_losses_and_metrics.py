"""The focal cross-entropy losses and the F-score, R2, IoU and MeanTensor metrics against real tf-keras 2.21.

Expected values live in tests/fixtures/focal_metrics_utils/ (cases.json + arrays.npz), written by
tools/make_focal_metric_fixtures.py (see its docstring to regenerate them).
"""
import json
import os
import warnings

import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras import losses, metrics

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "focal_metrics_utils")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    DOC = json.load(_f)
with np.load(os.path.join(FIXTURES, "arrays.npz")) as _npz:
    ARRAYS = {k: _npz[k] for k in _npz.files}

RTOL = 1e-5
ATOL = 1e-6


def cases(kind):
    return [pytest.param(c, id=c["id"]) for c in DOC["cases"] if c["kind"] == kind]


def tensor(key):
    return None if key is None else K.convert_to_tensor(ARRAYS[key])


def assert_matches(actual, expected, rtol=RTOL, atol=ATOL):
    actual = np.asarray(K.get_value(actual) if K.is_tensor(actual) else actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} != expected {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * max(1.0, float(np.max(np.abs(expected)))))


# ---- losses -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", cases("loss_fn"))
def test_focal_loss_function_matches_tf_keras(case):
    fn = getattr(losses if case["module"] == "losses" else metrics, case["fn"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        out = fn(tensor(case["y_true"]), tensor(case["y_pred"]), **case["kwargs"])
    assert_matches(out, ARRAYS[case["expected"]])


@pytest.mark.parametrize("case", cases("loss_obj"))
def test_focal_loss_object_matches_tf_keras(case):
    obj = getattr(losses, case["class"])(**case["config"])
    y_true, y_pred = tensor(case["y_true"]), tensor(case["y_pred"])
    assert_matches(obj.call(y_true, y_pred), ARRAYS[case["expected_call"]])
    out = obj(y_true, y_pred, sample_weight=tensor(case["sample_weight"]))
    assert_matches(out, ARRAYS[case["expected"]])
    assert obj.get_config() == case["tf_config"]
    clone = losses.deserialize(losses.serialize(obj))
    assert type(clone) is type(obj) and clone.get_config() == obj.get_config()


@pytest.mark.parametrize("class_name", sorted(DOC["default_loss_configs"]))
def test_focal_loss_defaults_and_lookup_by_name(class_name):
    obj = getattr(losses, class_name)()
    assert obj.get_config() == DOC["default_loss_configs"][class_name]
    assert type(losses.get(class_name)) is type(obj)
    fn_name = obj.get_config()["fn"]
    assert losses.get(fn_name) is getattr(losses, fn_name)
    assert metrics.get(fn_name) is getattr(losses, fn_name)
    wrapper = losses.LossFunctionWrapper.from_config(obj.get_config())
    assert wrapper.fn is getattr(losses, fn_name)


def test_focal_losses_reduce_to_crossentropy_with_gamma_zero():
    rng = np.random.default_rng(0)
    y = K.convert_to_tensor(np.eye(4, dtype="float32")[rng.integers(0, 4, 6)])
    p = K.convert_to_tensor(rng.dirichlet(np.ones(4), 6).astype("float32"))
    assert_matches(losses.binary_focal_crossentropy(y, p, gamma=0.0), K.get_value(losses.binary_crossentropy(y, p)))
    assert_matches(losses.categorical_focal_crossentropy(y, p, gamma=0.0, alpha=1.0),
                   K.get_value(losses.categorical_crossentropy(y, p)))


def test_categorical_focal_uses_the_logits_of_a_softmax_output():
    rng = np.random.default_rng(1)
    logits = K.convert_to_tensor(rng.normal(size=(5, 3)).astype("float32") * 30)
    y = K.convert_to_tensor(np.eye(3, dtype="float32")[rng.integers(0, 3, 5)])
    direct = losses.categorical_focal_crossentropy(y, logits, from_logits=True)
    via_softmax = losses.categorical_focal_crossentropy(y, K.softmax(logits))
    assert_matches(via_softmax, K.get_value(direct))


def test_focal_loss_bad_shapes_name_the_function():
    with pytest.raises(ValueError, match=r"categorical_focal_crossentropy.*y_true.shape=\(4, 3\).*y_pred.shape=\(4, 2\)"):
        losses.categorical_focal_crossentropy(np.zeros((4, 3)), np.ones((4, 2)) / 2)
    with pytest.raises(ValueError, match=r"binary_focal_crossentropy.*y_true.shape=\(4, 3\).*y_pred.shape=\(4, 2\)"):
        losses.binary_focal_crossentropy(np.zeros((4, 3)), np.ones((4, 2)) / 2)
    with pytest.raises(ValueError, match="`axis` must be of type `int`"):
        losses.categorical_focal_crossentropy(np.zeros((4, 3)), np.ones((4, 3)) / 3, axis=True)


def test_compile_with_focal_loss_names_trains():
    import fastkeras as keras
    rng = np.random.default_rng(2)
    x = rng.normal(size=(16, 4)).astype("float32")
    for loss, units, activation, y in (
            ("binary_focal_crossentropy", 1, "sigmoid", rng.integers(0, 2, (16, 1)).astype("float32")),
            ("categorical_focal_crossentropy", 3, "softmax", np.eye(3, dtype="float32")[rng.integers(0, 3, 16)]),
            (losses.BinaryFocalCrossentropy(from_logits=True, apply_class_balancing=True), 2, None,
             rng.integers(0, 2, (16, 2)).astype("float32"))):
        model = keras.Sequential([keras.layers.Dense(units, activation=activation, input_shape=(4,))])
        model.compile(optimizer="sgd", loss=loss)
        history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
        assert np.all(np.isfinite(history.history["loss"]))
