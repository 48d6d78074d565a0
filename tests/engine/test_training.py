"""compile/fit/evaluate/predict and the *_on_batch API with Keras 2 semantics."""
import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras.layers import Dense, Input, concatenate
from fastkeras.models import Model, Sequential


def headline_like():
    main_input = Input(shape=(10,), name="main_input")
    x = Dense(8, activation="relu")(main_input)
    aux_output = Dense(1, activation="sigmoid", name="aux_output")(x)
    aux_input = Input(shape=(5,), name="aux_input")
    x = concatenate([x, aux_input])
    x = Dense(16, activation="relu")(x)
    main_output = Dense(1, activation="sigmoid", name="main_output")(x)
    return Model(inputs=[main_input, aux_input], outputs=[main_output, aux_output])


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    head = rng.random((n, 10)).astype("float32")
    extra = rng.random((n, 5)).astype("float32")
    labels = (head.sum(1, keepdims=True) > 5).astype("float32")
    return head, extra, labels


def test_two_output_loss_is_weighted_sum_of_output_losses():
    model = headline_like()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2])
    head, extra, labels = data()
    history = model.fit([head, extra], [labels, labels], epochs=2, batch_size=32, verbose=0)
    h = history.history
    assert set(h) == {"loss", "main_output_loss", "aux_output_loss"}
    for epoch in range(2):
        assert h["loss"][epoch] == pytest.approx(h["main_output_loss"][epoch] + 0.2 * h["aux_output_loss"][epoch],
                                                 rel=1e-5)
    result = model.evaluate([head, extra], [labels, labels], verbose=0)
    assert result[0] == pytest.approx(result[1] + 0.2 * result[2], rel=1e-5)
    assert model.metrics_names == ["loss", "main_output_loss", "aux_output_loss"]


def test_dict_and_list_training_give_identical_results():
    head, extra, labels = data()
    results = []
    for style in ("list", "dict"):
        K.clear_session()
        keras.utils.set_random_seed(7)
        model = headline_like()
        if style == "list":
            model.compile(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2])
            h = model.fit([head, extra], [labels, labels], epochs=2, batch_size=16, verbose=0, shuffle=False)
        else:
            model.compile(optimizer="rmsprop",
                          loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"},
                          loss_weights={"main_output": 1.0, "aux_output": 0.2})
            h = model.fit({"main_input": head, "aux_input": extra}, {"main_output": labels, "aux_output": labels},
                          epochs=2, batch_size=16, verbose=0, shuffle=False)
        results.append((h.history, model.get_weights()))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_array_equal(a, b)


def test_loss_falls_on_learnable_data_and_accuracy_is_logged():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 20)).astype("float32")
    y = keras.utils.to_categorical((x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0).astype(int), 4)
    model = Sequential([Dense(32, activation="relu", input_dim=20), Dense(4, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=15, batch_size=32, verbose=0).history
    assert h["loss"][-1] < 0.6 * h["loss"][0]
    assert h["accuracy"][-1] > 0.8
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.8
    pred = model.predict(x[:5])
    assert pred.shape == (5, 4) and isinstance(pred, np.ndarray)
    np.testing.assert_allclose(pred.sum(1), 1.0, rtol=1e-5)


def test_same_seed_same_history():
    rng = np.random.default_rng(2)
    x = rng.random((100, 6)).astype("float32")
    y = rng.random((100, 1)).astype("float32")
    runs = []
    for _ in range(2):
        K.clear_session()
        keras.utils.set_random_seed(42)
        model = Sequential([Dense(8, activation="tanh", input_dim=6), Dense(1)])
        model.compile("sgd", "mse")
        runs.append(model.fit(x, y, epochs=3, batch_size=10, verbose=0).history["loss"])
    assert runs[0] == runs[1]


def test_validation_split_and_data_log_val_metrics():
    rng = np.random.default_rng(3)
    x = rng.random((100, 4)).astype("float32")
    y = rng.random((100, 1)).astype("float32")
    model = Sequential([Dense(1, input_dim=4)])
    model.compile("sgd", "mse", metrics=["mae"])
    h = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0).history
    assert set(h) == {"loss", "mae", "val_loss", "val_mae"}
    h = model.fit(x, y, epochs=1, validation_data=(x[:10], y[:10]), verbose=0).history
    assert h["val_loss"][0] == pytest.approx(model.evaluate(x[:10], y[:10], verbose=0)[0], rel=1e-5)


def test_on_batch_methods():
    model = Sequential([Dense(2, input_dim=3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    x = np.random.rand(8, 3).astype("float32")
    y = keras.utils.to_categorical(np.arange(8) % 2, 2)
    before = model.test_on_batch(x, y)
    out = model.train_on_batch(x, y)
    assert isinstance(out, list) and len(out) == 2
    assert model.test_on_batch(x, y)[0] < before[0]
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x), rtol=1e-6)


def test_fit_before_compile_is_a_clear_error():
    model = Sequential([Dense(1, input_dim=3)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.ones((4, 3)), np.ones((4, 1)))


def test_mismatched_sample_counts():
    model = Sequential([Dense(1, input_dim=3)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="x sizes: 10 y sizes: 9"):
        model.fit(np.ones((10, 3)), np.ones((9, 1)), verbose=0)


def test_wrong_number_of_arrays_and_dict_keys():
    model = headline_like()
    model.compile("rmsprop", "binary_crossentropy")
    head, extra, labels = data(8)
    with pytest.raises(ValueError, match="expects 2 input array"):
        model.fit([head], [labels, labels], verbose=0)
    with pytest.raises(ValueError, match=r"Missing data for input \"aux_input\".*\['main_input', 'aux_input'\]"):
        model.fit({"main_input": head, "aux": extra}, [labels, labels], verbose=0)
    with pytest.raises(ValueError, match=r"expects 2 target array"):
        model.fit([head, extra], [labels], verbose=0)
    with pytest.raises(ValueError, match='Unknown entry in loss dictionary: "main"'):
        model.compile("rmsprop", loss={"main": "mse"})


def test_input_shape_mismatch_names_input_and_shapes():
    model = headline_like()
    model.compile("rmsprop", "binary_crossentropy")
    head, extra, labels = data(8)
    with pytest.raises(ValueError) as e:
        model.fit([head[:, :7], extra], [labels, labels], verbose=0)
    assert "main_input" in str(e.value) and "(None, 10)" in str(e.value) and "(8, 7)" in str(e.value)


def test_integer_labels_with_categorical_crossentropy_suggest_fix():
    model = Sequential([Dense(10, activation="softmax", input_dim=4)])
    model.compile("rmsprop", "categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy") as e:
        model.fit(np.ones((6, 4)), np.random.randint(10, size=(6, 1)), verbose=0)
    assert "to_categorical" in str(e.value)


def test_nb_epoch_still_works_with_warning():
    model = Sequential([Dense(1, input_dim=2)])
    model.compile("sgd", "mse")
    with pytest.warns(DeprecationWarning):
        h = model.fit(np.ones((4, 2)), np.ones((4, 1)), nb_epoch=2, verbose=0)
    assert len(h.history["loss"]) == 2


def test_sparse_categorical_accuracy_resolution():
    model = Sequential([Dense(3, activation="softmax", input_dim=2)])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    x = np.random.rand(30, 2).astype("float32")
    y = np.random.randint(3, size=(30, 1))
    h = model.fit(x, y, epochs=1, verbose=0).history
    assert set(h) == {"loss", "acc"}
    # Keras' sparse rule: accuracy is the fraction of argmax equal to the label.
    pred = model.predict(x)
    acc = model.evaluate(x, y, verbose=0)[1]
    assert acc == pytest.approx(np.mean(pred.argmax(1) == y[:, 0]), abs=1e-6)


def test_generators_and_sequences():
    x = np.random.rand(40, 3).astype("float32")
    y = x.sum(1, keepdims=True)

    def gen():
        while True:
            for i in range(0, 40, 10):
                yield x[i:i + 10], y[i:i + 10]

    model = Sequential([Dense(1, input_dim=3)])
    model.compile("sgd", "mse")
    h = model.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2

    class Seq:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 10:(i + 1) * 10], y[i * 10:(i + 1) * 10]

    h = model.fit(Seq(), epochs=1, verbose=0)
    assert len(h.history["loss"]) == 1
    assert model.predict(x).shape == (40, 1)


def _binary_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, :1] > 0).astype("float32")


def _binary_model():
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


def test_ctrl_c_during_fit_calls_on_train_end_and_leaves_the_model_usable():
    x, y = _binary_data()
    events = []

    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                raise KeyboardInterrupt

    class Record(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            events.append("end")

    model = _binary_model()
    with pytest.raises(KeyboardInterrupt), pytest.warns(UserWarning, match="interrupted"):
        model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[Interrupt(), Record()])
    assert events == ["end"]
    assert np.isfinite(model.predict(x[:4], verbose=0)).all()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # and it trains on


def test_terminate_on_nan_stops_fit_at_the_bad_batch():
    x, y = _binary_data()
    x[20, 0] = np.nan  # in the third batch of 8
    model = _binary_model()
    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) == 1
    assert model.stop_training


def test_torch_tensors_and_a_dataloader_train_like_numpy():
    import torch
    x, y = _binary_data()
    results = []
    for source in ("numpy", "tensor", "loader"):
        K.reset_uids()
        keras.utils.set_random_seed(3)
        model = _binary_model()
        if source == "numpy":
            h = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        elif source == "tensor":
            h = model.fit(torch.tensor(x), torch.tensor(y), batch_size=16, epochs=2, shuffle=False, verbose=0)
        else:
            loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)),
                                                 batch_size=16)
            h = model.fit(loader, epochs=2, verbose=0)
        results.append(h.history["loss"])
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)
    np.testing.assert_allclose(results[2], results[0], rtol=1e-6)


def test_class_weight_and_validation_freq():
    x, y = _binary_data()
    model = _binary_model()
    h = model.fit(x, y, batch_size=16, epochs=4, verbose=0, class_weight={0: 1.0, 1: 3.0},
                  validation_data=(x, y), validation_freq=2)
    assert len(h.history["loss"]) == 4 and len(h.history["val_loss"]) == 2
    # Class weights change the loss: the same start without them logs a different first loss.
    K.reset_uids()
    keras.utils.set_random_seed(5)
    a = _binary_model()
    first = a.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=False).history["loss"][0]
    K.reset_uids()
    keras.utils.set_random_seed(5)
    b = _binary_model()
    weighted = b.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=False,
                     class_weight={0: 1.0, 1: 3.0}).history["loss"][0]
    assert weighted != pytest.approx(first, rel=1e-3)


def test_class_weight_rules_of_tf_keras_are_checked_before_training():
    # tf-keras 2.21: class_weight needs a weight for every class 0..n-1 and a single-output model; the dict per
    # output name Keras 2.2 took is refused by the first rule.
    x = keras.Input((3,))
    model = keras.Model(x, [keras.layers.Dense(2, name="a")(x), keras.layers.Dense(2, name="b")(x)])
    model.compile("sgd", "sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    data, targets = np.ones((4, 3), "float32"), [np.array([0, 1, 0, 1]), np.array([1, 0, 1, 0])]
    with pytest.raises(ValueError, match="only supported for Models with a single output"):
        model.fit(data, targets, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    with pytest.raises(ValueError, match="keys from 0 to one less"):
        model.fit(data, targets, class_weight={"a": {0: 1.0, 1: 2.0}, "b": {0: 1.0, 1: 1.0}}, verbose=0)

    def batches():
        while True:
            yield data, targets
    with pytest.raises(ValueError, match="single output"):
        model.fit(batches(), steps_per_epoch=1, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
