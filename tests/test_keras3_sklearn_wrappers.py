"""Keras 3's scikit-learn wrappers (fastkeras.wrappers.SKLearnClassifier/Regressor/Transformer) against what
Keras 3.15.1 gave for the same deterministic fits (tools/make_keras3_sklearn_fixtures.py,
tests/fixtures/keras3_sklearn/)."""
import builtins
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastkeras as keras

sklearn = pytest.importorskip("sklearn")

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras3_sklearn")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    CASES = json.load(_f)["cases"]
with open(os.path.join(FIXTURES, "errors.json")) as _f:
    ERRORS = json.load(_f)
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))


def one_dense(X, y, units=None, activation="softmax", loss="categorical_crossentropy"):
    """The fixture script's model: one zero-initialized Dense layer trained by SGD."""
    outputs = units or (y.shape[1] if y.ndim > 1 else 1)
    inputs = keras.Input(shape=(X.shape[1],))
    out = keras.layers.Dense(outputs, activation=activation, kernel_initializer="zeros")(inputs)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss)
    return model


def estimator_for(case):
    cls = getattr(keras.wrappers, case["estimator"])
    if case["model_as"] == "instance":
        model = one_dense(ARRAYS[f"{case['id']}/X"], np.zeros((1, 3)), **case["model_kwargs"])
        return cls(model=model, fit_kwargs=dict(case["fit_kwargs"])), model
    return cls(model=one_dense, model_kwargs=case["model_kwargs"] or None, fit_kwargs=dict(case["fit_kwargs"])), None


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_fit_predict_matches_keras3(case):
    cid = case["id"]
    est, given_model = estimator_for(case)
    est.fit(ARRAYS[f"{cid}/X"], ARRAYS[f"{cid}/y"], **case["fit_call_kwargs"])
    np.testing.assert_allclose(est.history_.history["loss"], case["loss_history"], rtol=1e-5, atol=1e-6)
    assert est.n_features_in_ == case["n_features_in"]
    X_test = ARRAYS[f"{cid}/X_test"]
    if case["classes"] is not None:
        assert est.classes_.tolist() == case["classes"]
        np.testing.assert_allclose(est.decision_function(X_test), ARRAYS[f"{cid}/decision"], rtol=1e-5, atol=1e-6)
    if f"{cid}/predict" in ARRAYS:
        prediction = est.predict(X_test)
        expected = ARRAYS[f"{cid}/predict"]
        assert str(prediction.dtype) == case["predict_dtype"] and prediction.shape == expected.shape
        if expected.dtype.kind in "fc":
            np.testing.assert_allclose(prediction, expected, rtol=1e-5, atol=1e-6)
        else:
            np.testing.assert_array_equal(prediction, expected)
    if f"{cid}/transform" in ARRAYS:
        np.testing.assert_allclose(est.transform(X_test), ARRAYS[f"{cid}/transform"], rtol=1e-5, atol=1e-6)
    if given_model is not None:  # a Model instance is cloned, never trained itself
        assert est.model_ is not given_model
        assert all(not np.any(w) for w in given_model.get_weights())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_params_and_tags_match_keras3(case):
    est, _ = estimator_for(case)
    params = {k: v for k, v in est.get_params().items() if k != "model"}
    if not case["fit_call_kwargs"]:  # Keras 3 writes fit()'s keyword arguments into fit_kwargs; fastkeras does not
        assert params == case["params"]
    tags = est.__sklearn_tags__()
    assert tags.non_deterministic == case["tags"]["non_deterministic"]
    assert tags.estimator_type == case["tags"]["estimator_type"]
    if "classifier_poor_score" in case["tags"]:
        assert tags.classifier_tags.poor_score == case["tags"]["classifier_poor_score"]
    if "regressor_poor_score" in case["tags"]:
        assert tags.regressor_tags.poor_score == case["tags"]["regressor_poor_score"]
    if "transformer_preserves_dtype" in case["tags"]:
        assert list(tags.transformer_tags.preserves_dtype) == case["tags"]["transformer_preserves_dtype"]


def test_fit_keyword_arguments_do_not_change_fit_kwargs():
    fit_kwargs = {"epochs": 1, "verbose": 0}
    est = keras.wrappers.SKLearnRegressor(model=one_dense, model_kwargs={"activation": None, "loss": "mse"},
                                          fit_kwargs=fit_kwargs)
    X = np.random.default_rng(0).normal(size=(8, 2))
    est.fit(X, X[:, 0], epochs=2)
    assert fit_kwargs == {"epochs": 1, "verbose": 0} and len(est.history_.history["loss"]) == 2


def test_clone_keeps_every_parameter():
    est = keras.wrappers.SKLearnClassifier(model=one_dense, model_kwargs={"units": 2}, fit_kwargs={"epochs": 3})
    clone = sklearn.base.clone(est)
    assert clone is not est and clone.get_params() == est.get_params()


def test_errors_match_keras3():
    X = np.random.default_rng(5).normal(size=(10, 3))
    expected = {name: getattr(builtins, cls) for name, cls in ERRORS.items()}
    with pytest.raises(expected["multilabel"]):  # scikit-learn's validation refuses 2-D targets first
        keras.wrappers.SKLearnClassifier(model=one_dense).fit(X, (X[:, :2] > 0).astype(int))
    with pytest.raises(expected["one_class"], match="at least two classes"):
        keras.wrappers.SKLearnClassifier(model=one_dense).fit(X, np.zeros(10, int))
    with pytest.raises(expected["regressor_2d_target"]):
        keras.wrappers.SKLearnRegressor(model=one_dense).fit(X, X[:, :2])

    def uncompiled(X, y):
        inputs = keras.Input(shape=(X.shape[1],))
        return keras.Model(inputs, keras.layers.Dense(1)(inputs))
    with pytest.raises(expected["uncompiled"], match="must be compiled"):
        keras.wrappers.SKLearnRegressor(model=uncompiled).fit(X, X[:, 0])


def test_works_in_a_pipeline_and_cross_validation():
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    rng = np.random.default_rng(2)
    X = rng.normal(size=(30, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    est = keras.wrappers.SKLearnClassifier(model=one_dense, fit_kwargs={"epochs": 2, "verbose": 0})
    scores = cross_val_score(make_pipeline(StandardScaler(), est), X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))


def test_import_fastkeras_does_not_import_sklearn():
    code = "import sys, fastkeras; assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_sklearn_construction_explains(monkeypatch):
    from fastkeras.wrappers import sklearn_wrapper
    monkeypatch.setattr(sklearn_wrapper, "sklearn", None)
    with pytest.raises(ImportError, match="SKLearnRegressor needs scikit-learn"):
        keras.wrappers.SKLearnRegressor(model=one_dense)
