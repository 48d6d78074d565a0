"""Writes tests/fixtures/keras3_sklearn/ (read by tests/test_keras3_sklearn_wrappers.py) by running Keras 3.15.1's
``keras.wrappers.SKLearnClassifier``/``SKLearnRegressor``/``SKLearnTransformer`` on its torch backend.

Keras 3 needs scikit-learn for these classes; /work/k3venv has none, so point PYTHONPATH at a folder holding
scikit-learn 1.9.1 and its dependencies (scipy, joblib, threadpoolctl, cloudpickle), e.g. one made with
``pip install --target /tmp/skl scikit-learn==1.9.1`` (or links into .venv's site-packages), then from the
repository root:

    PYTHONPATH=/tmp/skl KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_keras3_sklearn_fixtures.py

Every model is one Dense layer with zero initial weights trained by plain SGD on the whole batch without
shuffling, so its training is deterministic and fastkeras must reproduce it. It writes:

* ``cases.json``: ``sklearn_version``, ``keras_version`` and ``cases``, each with ``id``, ``estimator`` (class
  name), ``units``/``activation``/``loss`` of the model, ``model_as`` (``"callable"`` or ``"instance"``),
  ``fit_kwargs`` and ``fit_call_kwargs`` (given to ``fit``), ``params`` (``get_params()`` without ``model``),
  ``classes`` (the classifier's ``classes_``, as a list), ``n_features_in``, ``loss_history``, ``tags`` (the
  ``__sklearn_tags__`` fields the wrappers set), ``predict_dtype`` and ``y_kind`` (whether the labels are strings);
* ``arrays.npz``: per case ``<id>/X``, ``<id>/y``, ``<id>/X_test`` and Keras 3's ``<id>/predict``,
  ``<id>/decision`` (classifier ``decision_function``) or ``<id>/transform`` (transformer);
* ``errors.json``: the exception class Keras 3 raises for a multilabel target, a single class, a 2-D
  regression target and an uncompiled model.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import keras  # noqa: E402
from keras.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras3_sklearn")
ESTIMATORS = {"SKLearnClassifier": SKLearnClassifier, "SKLearnRegressor": SKLearnRegressor,
              "SKLearnTransformer": SKLearnTransformer}


def one_dense(X, y, units=None, activation="softmax", loss="categorical_crossentropy"):
    """A model sized from the data the wrapper passes (y already encoded); zero weights, SGD."""
    outputs = units or (y.shape[1] if y.ndim > 1 else 1)
    inputs = keras.Input(shape=(X.shape[1],))
    out = keras.layers.Dense(outputs, activation=activation, kernel_initializer="zeros")(inputs)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=loss)
    return model


def data(seed, n, features):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, features)), rng.normal(size=(5, features))


def case_list():
    X, Xt = data(1, 24, 4)
    labels3 = np.array(["cat", "dog", "emu"])[np.argmax(X[:, :3], axis=1)]
    X2, Xt2 = data(2, 20, 3)
    labels2 = np.where(X2[:, 0] + 0.5 * X2[:, 1] > 0, 7, 3)
    X3, Xt3 = data(3, 16, 5)
    target = X3 @ np.array([0.5, -1.0, 2.0, 0.0, 0.3]) + 0.1
    X4, Xt4 = data(4, 12, 3)
    return [
        dict(id="clf_strings", estimator="SKLearnClassifier", X=X, y=labels3, X_test=Xt, model_kwargs={},
             fit_kwargs={"epochs": 3, "batch_size": 24, "shuffle": False, "verbose": 0}, fit_call_kwargs={}),
        dict(id="clf_binary_ints", estimator="SKLearnClassifier", X=X2, y=labels2, X_test=Xt2, model_kwargs={},
             fit_kwargs={"epochs": 2, "batch_size": 20, "verbose": 0}, fit_call_kwargs={"shuffle": False,
                                                                                      "epochs": 4}),
        dict(id="clf_instance", estimator="SKLearnClassifier", X=X, y=labels3, X_test=Xt, model_as="instance",
             model_kwargs={"units": 3}, fit_kwargs={"epochs": 2, "batch_size": 24, "shuffle": False, "verbose": 0},
             fit_call_kwargs={}),
        dict(id="reg_1d", estimator="SKLearnRegressor", X=X3, y=target, X_test=Xt3,
             model_kwargs={"activation": None, "loss": "mse"},
             fit_kwargs={"epochs": 3, "batch_size": 16, "shuffle": False, "verbose": 0}, fit_call_kwargs={}),
        dict(id="transformer", estimator="SKLearnTransformer", X=X4, y=X4[:, 0] * 2.0 - X4[:, 1], X_test=Xt4,
             model_kwargs={"activation": "tanh", "loss": "mse"},
             fit_kwargs={"epochs": 2, "batch_size": 12, "shuffle": False, "verbose": 0}, fit_call_kwargs={}),
    ]


def tag_fields(est):
    tags = est.__sklearn_tags__()
    fields = {"non_deterministic": tags.non_deterministic, "estimator_type": tags.estimator_type}
    if tags.classifier_tags is not None:
        fields["classifier_poor_score"] = tags.classifier_tags.poor_score
    if tags.regressor_tags is not None:
        fields["regressor_poor_score"] = tags.regressor_tags.poor_score
    if tags.transformer_tags is not None:
        fields["transformer_preserves_dtype"] = list(tags.transformer_tags.preserves_dtype)
    return fields


def run(case, arrays):
    cls = ESTIMATORS[case["estimator"]]
    if case.get("model_as") == "instance":
        model = one_dense(case["X"], np.zeros((1, 3)), **case["model_kwargs"])
        est = cls(model=model, fit_kwargs=dict(case["fit_kwargs"]))
    else:
        est = cls(model=one_dense, model_kwargs=case["model_kwargs"] or None, fit_kwargs=dict(case["fit_kwargs"]))
    est.fit(case["X"], case["y"], **case["fit_call_kwargs"])
    cid = case["id"]
    for key in ("X", "y", "X_test"):
        arrays[f"{cid}/{key}"] = case[key]
    prediction = est.predict(case["X_test"]) if not isinstance(est, SKLearnTransformer) else None
    if prediction is not None:
        arrays[f"{cid}/predict"] = prediction
    if isinstance(est, SKLearnClassifier):
        arrays[f"{cid}/decision"] = est.decision_function(case["X_test"])
    if isinstance(est, SKLearnTransformer):
        arrays[f"{cid}/transform"] = est.transform(case["X_test"])
    params = {k: v for k, v in est.get_params().items() if k != "model"}
    return {"id": cid, "estimator": case["estimator"], "model_as": case.get("model_as", "callable"),
            "model_kwargs": case["model_kwargs"], "fit_kwargs": case["fit_kwargs"],
            "fit_call_kwargs": case["fit_call_kwargs"], "params": params,
            "classes": est.classes_.tolist() if hasattr(est, "classes_") else None,
            "n_features_in": int(est.n_features_in_), "loss_history": [float(v) for v in est.history_.history["loss"]],
            "tags": tag_fields(est), "predict_dtype": None if prediction is None else str(prediction.dtype),
            "y_kind": str(np.asarray(case["y"]).dtype.kind)}


def error_cases():
    X, _ = data(5, 10, 3)
    found = {}

    def record(name, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the class is the fixture
            found[name] = type(e).__name__
        else:
            found[name] = None

    multilabel = (X[:, :2] > 0).astype(int)
    record("multilabel", lambda: SKLearnClassifier(model=one_dense).fit(X, multilabel))
    record("one_class", lambda: SKLearnClassifier(model=one_dense).fit(X, np.zeros(10, int)))

    def uncompiled(X, y):
        inputs = keras.Input(shape=(X.shape[1],))
        return keras.Model(inputs, keras.layers.Dense(1)(inputs))
    # scikit-learn's validation takes 1-D targets only, unless an estimator says it supports several outputs
    record("regressor_2d_target", lambda: SKLearnRegressor(model=one_dense).fit(X, X[:, :2]))
    record("uncompiled", lambda: SKLearnRegressor(model=uncompiled).fit(X, X[:, 0]))
    return found


def main():
    os.makedirs(OUT, exist_ok=True)
    arrays, cases = {}, []
    for case in case_list():
        keras.utils.set_random_seed(0)
        cases.append(run(case, arrays))
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "sklearn_version": sklearn.__version__, "cases": cases}, f,
                  indent=1)
    with open(os.path.join(OUT, "errors.json"), "w") as f:
        json.dump(error_cases(), f, indent=1)
    np.savez(os.path.join(OUT, "arrays.npz"), **arrays)
    print("wrote", OUT, sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT)), "bytes")


if __name__ == "__main__":
    main()
