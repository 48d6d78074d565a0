"""fastkeras.wrappers.scikit_learn: Keras 2's KerasClassifier / KerasRegressor under scikit-learn."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone, is_classifier, is_regressor  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402

from fastkeras.layers import Dense  # noqa: E402
from fastkeras.models import Sequential  # noqa: E402
from fastkeras.wrappers.scikit_learn import KerasClassifier, KerasRegressor  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4)).astype("float32")
LABELS = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5).astype(int)  # 3 classes, learnable
TARGET = (X @ np.array([1.0, -2.0, 0.5, 0.0], "float32") + 0.3).astype("float32")


def build_classifier(hidden=8, n_classes=3, loss="sparse_categorical_crossentropy"):
    model = Sequential([Dense(hidden, activation="relu", input_shape=(4,)),
                        Dense(n_classes, activation="softmax")])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def build_binary():
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_regressor(hidden=8):
    model = Sequential([Dense(hidden, activation="relu", input_shape=(4,)), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_classifier_fit_predict_proba_score():
    clf = KerasClassifier(build_fn=build_classifier, hidden=6, epochs=3, batch_size=16, verbose=0)
    history = clf.fit(X, LABELS)
    assert len(history.history["loss"]) == 3  # epochs went to fit
    assert clf.model.layers[0].units == 6       # hidden went to build_fn
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_classes_ == 3
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
    pred = clf.predict(X)
    np.testing.assert_array_equal(pred, proba.argmax(1))
    score = clf.score(X, LABELS)
    np.testing.assert_allclose(score, np.mean(pred == LABELS), rtol=1e-6)


def test_classifier_keeps_label_values_and_one_hot_targets():
    names = np.array(["cat", "dog", "emu"])[LABELS]
    clf = KerasClassifier(build_fn=build_classifier, epochs=1, verbose=0)
    clf.fit(X, names)
    assert set(clf.predict(X)) <= {"cat", "dog", "emu"}
    assert 0.0 <= clf.score(X, names) <= 1.0
    # categorical_crossentropy: integer labels are one-hot encoded for the model
    cce = KerasClassifier(build_fn=build_classifier, loss="categorical_crossentropy", epochs=1, verbose=0)
    cce.fit(X, LABELS)
    assert 0.0 <= cce.score(X, LABELS) <= 1.0
    onehot = np.eye(3, dtype="float32")[LABELS]
    cce.fit(X, onehot)
    np.testing.assert_array_equal(cce.classes_, [0, 1, 2])
    with pytest.raises(ValueError, match="Invalid shape for y"):
        cce.fit(X, np.zeros((60, 3, 1)))


def test_binary_classifier_gives_two_probability_columns():
    clf = KerasClassifier(build_fn=build_binary, epochs=2, verbose=0)
    y = (X[:, 0] > 0).astype(int)
    clf.fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X).ravel(), (proba[:, 1] > 0.5).astype(int))


def test_regressor_predict_and_negative_loss_score():
    reg = KerasRegressor(build_fn=build_regressor, epochs=3, batch_size=16, verbose=0)
    reg.fit(X, TARGET)
    pred = reg.predict(X)
    assert pred.shape == (60,)
    np.testing.assert_allclose(reg.score(X, TARGET), -np.mean((pred - TARGET) ** 2), rtol=1e-4)


def test_params_clone_and_illegal_parameters():
    clf = KerasClassifier(build_fn=build_classifier, hidden=5, epochs=2)
    assert clf.get_params() == {"build_fn": build_classifier, "hidden": 5, "epochs": 2}
    assert clf.get_params(deep=True)["hidden"] == 5
    clf.set_params(hidden=7, batch_size=8)
    assert clf.sk_params == {"hidden": 7, "epochs": 2, "batch_size": 8}
    copy = clone(clf)
    assert copy is not clf and copy.get_params() == clf.get_params()
    with pytest.raises(ValueError, match="not_a_param is not a legal parameter"):
        KerasClassifier(build_fn=build_classifier, not_a_param=1)
    with pytest.raises(ValueError, match="legal parameter"):
        clf.set_params(units=3)
    assert is_classifier(clf) and not is_regressor(clf)
    assert is_regressor(KerasRegressor(build_fn=build_regressor))
    with pytest.raises(AttributeError, match="not fitted"):
        KerasClassifier(build_fn=build_classifier).predict(X)


def test_build_fn_as_object_or_subclass_call():
    class Builder:
        def __call__(self, hidden=4):
            return build_classifier(hidden=hidden)

    clf = KerasClassifier(build_fn=Builder(), hidden=3, epochs=1, verbose=0)
    clf.fit(X, LABELS)
    assert clf.model.layers[0].units == 3

    class MyClassifier(KerasClassifier):
        def __call__(self, hidden=2):
            return build_classifier(hidden=hidden)

    sub = MyClassifier(hidden=5, epochs=1, verbose=0)
    sub.fit(X, LABELS)
    assert sub.model.layers[0].units == 5


def test_cross_val_score_and_grid_search():
    clf = KerasClassifier(build_fn=build_classifier, epochs=2, batch_size=20, verbose=0)
    scores = cross_val_score(clf, X, LABELS, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    reg = KerasRegressor(build_fn=build_regressor, epochs=2, batch_size=20, verbose=0)
    reg_scores = cross_val_score(reg, X, TARGET, cv=3)
    assert reg_scores.shape == (3,) and np.all(reg_scores <= 0)
    search = GridSearchCV(KerasClassifier(build_fn=build_classifier, epochs=1, verbose=0),
                          {"hidden": [2, 4]}, cv=2)
    search.fit(X, LABELS)
    assert search.best_params_["hidden"] in (2, 4)
