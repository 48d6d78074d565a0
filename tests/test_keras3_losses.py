"""Keras 3's losses (Dice, Tversky, Circle, CTC, CategoricalGeneralizedCrossEntropy and their functions) against
Keras 3.15.1.

Expected values come from tests/fixtures/keras3_training_api (tools/make_keras3_training_api_fixtures.py, real
Keras 3 on jax): function outputs, class calls with each of Keras 3's reductions and with sample weights,
configs, error messages, and compiled models' evaluate/fit losses.
"""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import backend as K
from fastkeras import layers, losses

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras3_training_api")
with open(os.path.join(FIXTURES, "keras3.json")) as _f:
    EXPECTED = json.load(_f)["losses"]
ARRAYS = np.load(os.path.join(FIXTURES, "keras3.npz"))
TOL = dict(rtol=1e-5, atol=1e-5)
CLASSES = sorted(EXPECTED["configs"])


def _inputs(case):
    return ARRAYS[f"loss/{case['inputs'][0]}"], ARRAYS[f"loss/{case['inputs'][1]}"]


# Keras 3.15.1 broadcasts (n, 1) labels against (n, classes) probabilities into an (n, n) loss, although its
# docstring accepts that shape; fastkeras reads them as (n,) labels (which is also how fit hands 1-D targets over).
LABEL_COLUMN_CASES = [c for c in EXPECTED["cases"] if c["inputs"][0] == "cls_labels_col"]
CASES = [c for c in EXPECTED["cases"] if c not in LABEL_COLUMN_CASES]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_keras3(case):
    y_true, y_pred = _inputs(case)
    kwargs = dict(case["kwargs"])
    if case["kind"] == "fn":
        out = getattr(losses, case["name"])(y_true, y_pred, **kwargs)
    else:
        sample_weight = None if case["sample_weight"] is None else ARRAYS[f"loss/{case['sample_weight']}"]
        out = getattr(losses, case["name"])(**kwargs)(y_true, y_pred, sample_weight=sample_weight)
    assert K.is_tensor(out)
    expected = ARRAYS[f"loss/{case['id']}"]
    assert tuple(out.shape) == expected.shape
    np.testing.assert_allclose(K.to_numpy(out), expected, **TOL)


@pytest.mark.parametrize("case", LABEL_COLUMN_CASES, ids=[c["id"] for c in LABEL_COLUMN_CASES])
def test_generalized_cross_entropy_label_column(case):
    y_true, y_pred = _inputs(case)
    loss = getattr(losses, case["name"])(**case["kwargs"])
    np.testing.assert_allclose(K.to_numpy(loss(y_true, y_pred)), K.to_numpy(loss(y_true[:, 0], y_pred)), **TOL)
    assert ARRAYS[f"loss/{case['id']}"].shape == ()  # Keras 3 reduces its (n, n) values to a different number
    assert not np.isclose(K.to_numpy(loss(y_true, y_pred)), ARRAYS[f"loss/{case['id']}"])


def test_tensor_inputs():
    case = next(c for c in EXPECTED["cases"] if c["name"] == "Circle")
    y_true, y_pred = _inputs(case)
    out = losses.Circle()(K.constant(y_true, dtype="int32"), K.constant(y_pred))
    np.testing.assert_allclose(K.to_numpy(out), ARRAYS[f"loss/{case['id']}"], **TOL)


def test_circle_with_reference_embeddings():
    out = losses.circle(ARRAYS["loss/emb_labels"], ARRAYS["loss/emb"], ref_labels=ARRAYS["loss/ref_labels"],
                        ref_embeddings=ARRAYS["loss/ref_emb"], gamma=6.0)
    np.testing.assert_allclose(K.to_numpy(out), ARRAYS["loss/circle_with_refs"], **TOL)


def test_circle_masks_samples_without_positives():
    out = losses.circle(ARRAYS["loss/emb_labels"], ARRAYS["loss/emb"])
    mask = K.to_numpy(out._keras_mask)
    assert mask.dtype == bool and not mask[-1]  # label 3 appears once: no positive pair, loss 0, masked out
    assert K.to_numpy(out)[-1] == 0


@pytest.mark.parametrize("name", CLASSES)
def test_config_round_trip(name):
    loss = getattr(losses, name)(**EXPECTED["config_kwargs"][name])
    config = loss.get_config()
    assert json.loads(json.dumps(config)) == EXPECTED["configs"][name]
    again = getattr(losses, name).from_config(EXPECTED["configs"][name])
    assert json.loads(json.dumps(again.get_config())) == EXPECTED["configs"][name]
    serialized = losses.serialize(loss)
    assert json.loads(json.dumps(serialized)) == EXPECTED["serialized"][name]
    restored = losses.deserialize(EXPECTED["serialized"][name])
    assert type(restored) is getattr(losses, name)
    assert json.loads(json.dumps(restored.get_config())) == EXPECTED["configs"][name]


@pytest.mark.parametrize("name", ["dice", "tversky", "circle", "ctc", "categorical_generalized_cross_entropy"])
def test_functions_by_name(name):
    assert losses.get(name) is getattr(losses, name)
    assert losses.deserialize(name) is getattr(losses, name)
    assert name in losses.__all__


@pytest.mark.parametrize("name", CLASSES)
def test_classes_by_name(name):
    assert type(losses.get(name)) is getattr(losses, name)
    assert name in losses.__all__


def test_errors():
    with pytest.raises(ValueError, match=r"q must be in the interval \(0, 1\)"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    assert EXPECTED["errors"]["cgce_q"].startswith("q must be in the interval (0, 1)")
    with pytest.raises(ValueError) as info:
        losses.ctc(ARRAYS["loss/ctc_true"][:, :, None], ARRAYS["loss/ctc_pred"])
    assert str(info.value) == EXPECTED["errors"]["ctc_true_rank"]
    with pytest.raises(ValueError) as info:
        losses.ctc(ARRAYS["loss/ctc_true"], ARRAYS["loss/ctc_pred"][0])
    assert str(info.value) == EXPECTED["errors"]["ctc_pred_rank"]
    with pytest.raises(ValueError, match="reduction.*Received: reduction='auto'"):
        losses.Dice(reduction="auto")


def test_gradients_flow():
    y_pred = K.variable(ARRAYS["loss/seg_pred"])
    value = losses.Dice(axis=(1, 2, 3))(ARRAYS["loss/seg_true"], y_pred)
    (grad,) = K.gradients(value, [y_pred])
    assert np.all(np.isfinite(K.to_numpy(grad))) and np.any(K.to_numpy(grad) != 0)


FIT_SHAPES = {
    "Dice": ((3,), 4, "sigmoid", None),
    "Tversky": ((3,), 4, "sigmoid", None),
    "CategoricalGeneralizedCrossEntropy": ((3,), 4, "softmax", None),
    "Circle": ((3,), 4, None, "unit_norm"),
    "CTC": ((10, 3), 5, None, None),
}


@pytest.mark.parametrize("name", sorted(FIT_SHAPES))
@pytest.mark.parametrize("by_name", [False, True])
def test_compile_evaluate_and_fit(name, by_name):
    in_shape, units, activation, extra = FIT_SHAPES[name]
    inputs = layers.Input(in_shape)
    x = layers.Dense(units, activation=activation, name="dense")(inputs)
    if extra == "unit_norm":
        x = layers.UnitNormalization(name="unit_norm")(x)
    model = fastkeras.models.Model(inputs, x)
    model.get_layer("dense").set_weights([ARRAYS[f"fit/{name}/kernel"], ARRAYS[f"fit/{name}/bias"]])
    loss = name if by_name else getattr(losses, name)()
    model.compile(optimizer=fastkeras.optimizers.SGD(0.5), loss=loss)
    x, y = ARRAYS[f"fit/{name}/x"], ARRAYS[f"fit/{name}/y"]
    expected = EXPECTED["fit"][name]
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=8, verbose=0), expected["evaluate"]["loss"], rtol=1e-5)
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(history["loss"], expected["history"]["loss"], rtol=1e-4)


def test_compiled_model_saves_its_loss(tmp_path):
    model = fastkeras.Sequential([layers.Input((3,)), layers.Dense(4, activation="sigmoid")])
    model.compile(optimizer="sgd", loss=losses.Tversky(alpha=0.3, beta=0.7, axis=[1]))
    path = str(tmp_path / "m.keras")
    model.save(path)
    restored = fastkeras.models.load_model(path)
    assert isinstance(restored.loss, losses.Tversky)
    assert (restored.loss.alpha, restored.loss.beta, restored.loss.axis) == (0.3, 0.7, [1])
