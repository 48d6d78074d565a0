"""fit() against real Keras 2: from the same weights and data, the same weights and logs.

Fixtures: tools/make_training_fixtures.py (tf-keras), two epochs of
``fit(batch_size=8, shuffle=False)`` per loss (with SGD) and per optimizer
(with mse), and the seeds' two-output model with loss weights and accuracy.
"""
import glob
import json
import os

import numpy as np
import pytest

from fastkeras import losses, optimizers
from fastkeras.layers import Dense, Input, concatenate
from fastkeras.models import Model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "training")
CASES = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(FIXTURES, "*.json"))
               if not p.endswith(("two_output.json", "masked_sequence.json", "saturated.json", "metric_names.json"))
               and not os.path.basename(p).startswith("embedding_opt_"))


def load(name):
    with open(os.path.join(FIXTURES, name + ".json")) as f:
        meta = json.load(f)
    with np.load(os.path.join(FIXTURES, name + ".npz"), allow_pickle=False) as data:
        arrays = dict(data)
    return meta, arrays


def small_model(activation, units):
    inputs = Input((6,), name="x")
    hidden = Dense(5, activation="tanh", name="hidden")(inputs)
    return Model(inputs, Dense(units, activation=activation, name="out")(hidden))


def loss_from_meta(loss):
    if isinstance(loss, dict):
        return getattr(losses, loss["class_name"])(from_logits=loss["from_logits"])
    return loss


@pytest.mark.parametrize("case", CASES)
def test_fit_matches_keras(case):
    meta, arrays = load(case)
    model = small_model(meta["activation"], meta["units"])
    model.set_weights([arrays[f"w{i}"] for i in range(meta["n_weights"])])
    model.compile(optimizer=optimizers.get(meta["optimizer"]), loss=loss_from_meta(meta["loss"]))
    history = model.fit(arrays["x"], arrays["y"], batch_size=meta["batch_size"], epochs=meta["epochs"],
                        shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], meta["history"]["loss"], rtol=1e-5, atol=1e-7)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, arrays[f"final{i}"], atol=1e-4, err_msg=f"{case}: weight {i}")


def test_two_output_model_logs_match_keras():
    meta, arrays = load("two_output")
    main_input = Input(shape=(10,), name="main_input")
    x = Dense(8, activation="relu", name="d1")(main_input)
    aux_output = Dense(1, activation="sigmoid", name="aux_output")(x)
    aux_input = Input(shape=(5,), name="aux_input")
    x = concatenate([x, aux_input], name="cat")
    x = Dense(16, activation="relu", name="d2")(x)
    main_output = Dense(1, activation="sigmoid", name="main_output")(x)
    model = Model([main_input, aux_input], [main_output, aux_output])
    model.set_weights([arrays[f"w{i}"] for i in range(meta["n_weights"])])
    model.compile(optimizer=optimizers.RMSprop(learning_rate=0.01), loss="binary_crossentropy",
                  loss_weights=[1.0, 0.2], metrics=["accuracy"])
    head, extra, labels = arrays["head"], arrays["extra"], arrays["labels"]
    history = model.fit([head, extra], [labels, labels], batch_size=16, epochs=2, shuffle=False, verbose=0,
                        validation_data=([head[:16], extra[:16]], [labels[:16], labels[:16]]))
    assert list(history.history) == meta["history_keys"]
    for key, values in meta["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5, atol=1e-6, err_msg=key)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, arrays[f"final{i}"], atol=1e-4)
    assert model.metrics_names == meta["metrics_names"]
    result = model.evaluate([head, extra], [labels, labels], verbose=0, return_dict=True)
    assert list(result) == list(meta["evaluate"]) or set(result) == set(meta["evaluate"])
    for key, value in meta["evaluate"].items():
        assert result[key] == pytest.approx(value, rel=1e-5, abs=1e-6), key


def test_masked_sequence_output_loss_and_metrics_skip_masked_steps():
    from fastkeras.layers import LSTM, Embedding, TimeDistributed
    meta, arrays = load("masked_sequence")
    inputs = Input((6,), name="tokens")
    h = Embedding(10, 4, mask_zero=True, name="emb")(inputs)
    h = LSTM(3, return_sequences=True, name="lstm")(h)
    model = Model(inputs, TimeDistributed(Dense(2), name="td")(h))
    model.set_weights([arrays[f"w{i}"] for i in range(meta["n_weights"])])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"])
    before = model.evaluate(arrays["x"], arrays["y"], verbose=0, return_dict=True)
    for key, value in meta["evaluate"].items():
        assert before[key] == pytest.approx(value, rel=1e-5), key
    history = model.fit(arrays["x"], arrays["y"], batch_size=8, epochs=2, shuffle=False, verbose=0)
    for key, values in meta["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5, err_msg=key)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, arrays[f"final{i}"], atol=1e-4)


@pytest.mark.parametrize("name,activation,loss", [("softmax", "softmax", "categorical_crossentropy"),
                                                   ("sparse", "softmax", "sparse_categorical_crossentropy"),
                                                   ("sigmoid", "sigmoid", "binary_crossentropy")])
def test_cross_entropy_of_a_saturated_output_uses_its_logits(name, activation, loss):
    expected, arrays = load("saturated")
    inputs = Input((4,))
    model = Model(inputs, Dense(3, activation=activation)(inputs))
    model.set_weights([arrays[f"{name}_kernel"], np.zeros(3, "float32")])
    model.compile(optimizer="sgd", loss=loss)
    got = model.evaluate(arrays["x"], arrays[f"{name}_y"], verbose=0, batch_size=32)
    assert got == pytest.approx(expected[name], rel=1e-5)


EMBEDDING_CASES = sorted(os.path.basename(p)[len("embedding_opt_"):-5]
                         for p in glob.glob(os.path.join(FIXTURES, "embedding_opt_*.json")))


@pytest.mark.parametrize("case", EMBEDDING_CASES)
def test_embedding_table_updates_match_keras_sparse_branch(case, monkeypatch):
    """tf-keras updates an Embedding table from IndexedSlices (its optimizers' sparse branches); fastkeras
    gives the table a row-sparse gradient on the CPU. Weights, slots and losses must agree."""
    from fastkeras import backend as K
    from fastkeras.layers import Embedding, Flatten
    sparse_calls = []
    for kernel in ("rmsprop_sparse_update", "sgd_sparse_update", "adagrad_sparse_update"):
        original = getattr(K, kernel)
        monkeypatch.setattr(K, kernel, lambda *a, _f=original, **k: sparse_calls.append(1) or _f(*a, **k))
    meta, arrays = load("embedding_opt_" + case)
    ids = Input((5,), dtype="int32", name="ids")
    model = Model(ids, Dense(2, name="out")(Flatten(name="flat")(Embedding(12, 3, name="emb")(ids))))
    model.set_weights([arrays[f"w{i}"] for i in range(3)])
    optimizer = getattr(optimizers, meta["optimizer"]["class_name"])(**meta["optimizer"]["config"])
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(arrays["x"], arrays["y"], batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], meta["history"]["loss"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, arrays[f"final{i}"], rtol=1e-5, atol=1e-6, err_msg=f"{case}: weight {i}")
    ours = {v.name: K.to_numpy(v) for v in optimizer.variables if len(v.shape)}
    for key in meta["slots"]:
        np.testing.assert_allclose(ours[key[len("slot_"):]], arrays[key], rtol=1e-5, atol=1e-6, err_msg=key)
    # The row-by-row rules ran where the optimizer has one.
    assert bool(sparse_calls) == optimizer.has_sparse_rule, (case, len(sparse_calls))


def test_metric_log_names_and_order_match_keras():
    """tf-keras prefixes "weighted_" only where a weighted metric's name would repeat an unweighted one's, and
    logs each output's metrics before its weighted metrics."""
    from fastkeras.losses import binary_crossentropy

    def bce(y_true, y_pred):
        return binary_crossentropy(y_true, y_pred)
    with open(os.path.join(FIXTURES, "metric_names.json")) as f:
        cases = json.load(f)
    for case in cases:
        inputs = Input((3,), name="x")
        out = Dense(1, activation="sigmoid", name="o")(inputs)
        outputs = [out, Dense(1, activation="sigmoid", name="p")(inputs)] if case["two_outputs"] else out
        model = Model(inputs, outputs)
        resolve = lambda names: [bce if n == "bce" else n for n in names]  # noqa: E731
        model.compile("sgd", "binary_crossentropy", metrics=resolve(case["metrics"]),
                      weighted_metrics=resolve(case["weighted_metrics"]))
        y = np.ones((4, 1), "float32")
        history = model.fit(np.ones((4, 3), "float32"), [y, y] if case["two_outputs"] else y, verbose=0)
        assert list(history.history) == case["log_names"], case
