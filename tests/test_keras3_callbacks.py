"""keras.callbacks.SwapEMAWeights (Keras 3.15.1) and tf-keras' keras.callbacks.experimental.

Expected values come from tests/fixtures/keras3_training_api (tools/make_keras3_training_api_fixtures.py; Keras 3
on torch for SwapEMAWeights): a Dense model trained by SGD with ``use_ema=True`` for three epochs with
validation data, without the callback, with it, and with ``swap_on_epoch=True``; then two train_on_batch steps
(fit ends with the averages written into the weights, which would hide the swaps) and evaluate, predict and
evaluate again with it. The first batch weighs nothing, so the first step does not move the weights and Keras 3's moving average
(which starts from the first step's weights) equals tf-keras' (which fastkeras keeps; it starts from the initial
weights): the comparison checks the callback, not that difference.
"""
import json
import os
import warnings

import numpy as np
import pytest

import fastkeras
from fastkeras import callbacks, layers, optimizers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras3_training_api")
with open(os.path.join(FIXTURES, "keras3_torch.json")) as _f:
    EXPECTED = json.load(_f)["swap_ema"]
with open(os.path.join(FIXTURES, "keras2.json")) as _f:
    KERAS2 = json.load(_f)["callbacks_experimental"]
ARRAYS = np.load(os.path.join(FIXTURES, "keras3_torch.npz"))
CASES = ["no_callback", "swap_on_epoch", "swap_for_evaluation"]


def ema(key):
    return ARRAYS[f"ema/{key}"]


def make_model(optimizer=None):
    model = fastkeras.Sequential([layers.Input((3,)), layers.Dense(2, name="dense")])
    model.set_weights([ema("kernel"), ema("bias")])
    model.compile(optimizer=optimizer or optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5), loss="mse")
    return model


def assert_weights(model, key):
    for k, value in enumerate(model.get_weights()):
        np.testing.assert_allclose(value, ARRAYS[f"ema/{key}/{k}"], rtol=1e-5, atol=1e-6, err_msg=f"{key} {k}")


@pytest.mark.parametrize("case", CASES)
def test_fit_evaluate_predict_as_keras3(case):
    want = EXPECTED[case]
    model = make_model()
    cbs = [] if want["callback_kwargs"] is None else [callbacks.SwapEMAWeights(**want["callback_kwargs"])]
    history = model.fit(ema("x"), ema("y"), sample_weight=ema("sample_weight"), batch_size=4, epochs=3,
                        shuffle=False, verbose=0, validation_data=(ema("x_val"), ema("y_val")),
                        callbacks=cbs).history
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(history[key], want["history"][key], rtol=1e-5, err_msg=key)
    assert_weights(model, f"{case}/weights")
    # fit wrote the averages into the weights; two more steps make them differ, so that the swaps show.
    for start in (4, 8):
        model.train_on_batch(ema("x")[start:start + 4], ema("y")[start:start + 4])
    assert_weights(model, f"{case}/trained")
    np.testing.assert_allclose(model.evaluate(ema("x_val"), ema("y_val"), verbose=0, callbacks=cbs),
                               want["evaluate"], rtol=1e-5)
    assert_weights(model, f"{case}/after_evaluate")
    np.testing.assert_allclose(model.predict(ema("x_val"), verbose=0, callbacks=cbs), ema(f"{case}/predict"),
                               rtol=1e-5, atol=1e-6)
    assert_weights(model, f"{case}/after_predict")
    np.testing.assert_allclose(model.evaluate(ema("x_val"), ema("y_val"), verbose=0, callbacks=cbs),
                               want["evaluate_again"], rtol=1e-5)
    assert_weights(model, f"{case}/after_second_evaluate")


def test_predict_leaves_the_averages_in_the_model_as_keras3():
    """Keras 3.15's on_predict_end never swaps back: the fixture shows the averages still in the model."""
    assert not np.allclose(ema("swap_for_evaluation/after_predict/0"), ema("swap_for_evaluation/trained/0"))
    assert np.allclose(ema("swap_for_evaluation/after_evaluate/0"), ema("swap_for_evaluation/trained/0"))


def test_validation_uses_the_averages_and_training_the_weights():
    """Against the model's own numbers: val_loss is the loss of the averages, and training goes on from the
    trained weights (the loss history is the same with and without the callback)."""
    plain, swapped = EXPECTED["no_callback"]["history"], EXPECTED["swap_for_evaluation"]["history"]
    assert plain["loss"] == swapped["loss"] and plain["val_loss"] != swapped["val_loss"]


def test_needs_an_optimizer_with_averages():
    model = make_model(optimizers.SGD())
    with pytest.raises(ValueError) as info:
        model.fit(ema("x"), ema("y"), epochs=1, verbose=0, validation_data=(ema("x_val"), ema("y_val")),
                  callbacks=[callbacks.SwapEMAWeights()])
    assert str(info.value) == EXPECTED["error_without_ema"]


def test_with_a_loss_scale_optimizer():
    inner = optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5)
    model = make_model(optimizers.LossScaleOptimizer(inner))
    want = EXPECTED["swap_for_evaluation"]
    history = model.fit(ema("x"), ema("y"), sample_weight=ema("sample_weight"), batch_size=4, epochs=3,
                        shuffle=False, verbose=0, validation_data=(ema("x_val"), ema("y_val")),
                        callbacks=[callbacks.SwapEMAWeights()]).history
    np.testing.assert_allclose(history["val_loss"], want["history"]["val_loss"], rtol=1e-5)


def test_names():
    assert "SwapEMAWeights" in callbacks.__all__
    from fastkeras.callbacks import SwapEMAWeights
    assert SwapEMAWeights is callbacks.SwapEMAWeights


def test_experimental_backup_and_restore(tmp_path):
    cls = callbacks.experimental.BackupAndRestore
    assert KERAS2["names"] == ["BackupAndRestore", "UpdateEmbeddingCallback"]
    assert issubclass(cls, callbacks.BackupAndRestore) and cls is not callbacks.BackupAndRestore
    assert KERAS2["BackupAndRestore"]["bases"][0] == "BackupAndRestore"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        callback = cls(backup_dir=str(tmp_path / "backup"))
    assert any("deprecated" in str(w.message) for w in caught)
    from fastkeras.callbacks.experimental import BackupAndRestore  # as tf-keras code imports it
    assert BackupAndRestore is cls
    model = make_model(optimizers.SGD(0.1))
    model.fit(ema("x"), ema("y"), epochs=2, verbose=0, callbacks=[callback])
    assert not os.path.exists(tmp_path / "backup")  # deleted when fit ends normally, as the current callback
