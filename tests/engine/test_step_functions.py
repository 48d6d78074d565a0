"""tf-keras' make_train_function / make_test_function / make_predict_function, and Keras 2.2's underscored
names for building them."""
import numpy as np
import pytest

import fastkeras as keras

X = np.random.default_rng(0).random((8, 3)).astype("float32")
Y = np.random.default_rng(1).random((8, 2)).astype("float32")


def compiled():
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    model.compile("sgd", "mse", metrics=["mae"])
    return model


def test_functions_need_a_compiled_model_for_training_and_testing():
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    assert model.train_function is None and model.predict_function is None
    with pytest.raises(RuntimeError, match="compile"):
        model.make_train_function()
    with pytest.raises(RuntimeError, match="compile"):
        model._make_test_function()
    np.testing.assert_allclose(model.make_predict_function()(iter([X])), model.predict_on_batch(X), rtol=1e-6)


def test_train_function_runs_one_step_per_call_and_accumulates_logs():
    model, twin = compiled(), compiled()
    twin.set_weights(model.get_weights())
    step_losses = [twin.train_on_batch(X, Y)[0] for _ in range(2)]  # each step's own loss (metrics reset)
    train = model.make_train_function()
    assert model.train_function is train and model.make_train_function() is train
    batches = iter([(X, Y), (X, Y)])
    assert train(batches)["loss"] == pytest.approx(step_losses[0], rel=1e-5)
    assert train(batches)["loss"] == pytest.approx(sum(step_losses) / 2, rel=1e-5)  # a running mean
    for mine, theirs in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)  # the same two updates
    with pytest.raises(StopIteration):
        train(batches)
    assert model.make_train_function(force=True) is not train


def test_test_function_and_keras2_names():
    model = compiled()
    model._make_train_function()
    model._make_test_function()
    model._make_predict_function()
    assert callable(model.train_function) and callable(model.test_function) and callable(model.predict_function)
    logs = model.test_function(iter([(X, Y, np.ones(8))]))
    expected = model.evaluate(X, Y, batch_size=8, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(expected["loss"], rel=1e-6)
    assert logs["mae"] == pytest.approx(expected["mae"], rel=1e-6)
    model.compile("adam", "mse")  # a new configuration: built again on next use
    assert model.train_function is None
