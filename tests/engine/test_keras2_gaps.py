"""Five corners of Keras 2 that fastkeras had left open, against tf-keras 2.21 (and Keras 3.15.1 for Keras 3's
Sequence): tests/fixtures/keras2_gaps, written by tools/make_keras2_gap_fixtures.py.

1. ``Bidirectional(..., constants=...)``; 2. ``add_loss`` outside ``call``; 3. ``layer.call(keras_tensor)``;
4. a ``keras.utils.Sequence`` subclass passing Keras 3's reading settings to ``super().__init__``;
5. per-output loss trackers in custom train/test steps.
"""
import json
import os

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras2_gaps")
with open(os.path.join(FIXTURES, "keras2.json")) as _f:
    K2 = json.load(_f)
with open(os.path.join(FIXTURES, "keras3.json")) as _f:
    K3 = json.load(_f)
ARRAYS = np.load(os.path.join(FIXTURES, "keras2.npz"))


# ---- 5. custom train_step/test_step: per-output loss trackers ----------------------------------------------

class ByCompiledLoss(keras.Model):
    """tf-keras' guide step: compiled_loss, gradients, compiled_metrics, every metric's result."""

    def train_step(self, data):
        x, y = data[0], data[1]
        sample_weight = data[2] if len(data) > 2 else None
        y_pred = self(x, training=True)
        loss = self.compiled_loss(y, y_pred, sample_weight, regularization_losses=self.losses)
        grads = K.gradients(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data[0], data[1]
        y_pred = self(x, training=False)
        self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class ByComputeLoss(keras.Model):
    """tf-keras 2.11+'s step: compute_loss, then compute_metrics."""

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred)
        grads = K.gradients(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return self.compute_metrics(x, y, y_pred, None)


STEP_X = np.arange(12, dtype="float32").reshape(4, 3) / 10
STEP_Y = [np.zeros((4, 1), "float32"), np.ones((4, 2), "float32")]
STEP_CASES = {
    "weighted": (ByCompiledLoss, None, dict(loss=["mse", "mae"], metrics={"b": "mae"}, loss_weights=[1.0, 0.5])),
    "sample_weight": (ByCompiledLoss, {"sample_weight": np.array([1.0, 0.5, 2.0, 0.0], "float32")},
                      dict(loss=["mse", "mae"])),
    "one_loss": (ByCompiledLoss, None, dict(loss={"a": "mse"})),
    "metric_object": (ByCompiledLoss, None,
                      dict(loss=["mse", "mae"], metrics={"b": keras.metrics.MeanAbsoluteError(name="my_mae")})),
    "compute_loss": (ByComputeLoss, None, dict(loss=["mse", "mae"], metrics=["mse"], loss_weights=[2.0, 1.0])),
}


def two_output_model(cls, **compile_kwargs):
    x = keras.Input((3,))
    a = keras.layers.Dense(1, name="a", kernel_initializer="ones")(x)
    b = keras.layers.Dense(2, name="b", kernel_initializer="ones")(x)
    model = cls(x, [a, b])
    model.compile(keras.optimizers.SGD(learning_rate=0.05), **compile_kwargs)
    return model


@pytest.mark.parametrize("case", sorted(STEP_CASES))
def test_custom_steps_log_per_output_losses_as_tf_keras(case):
    cls, fit_kwargs, compile_kwargs = STEP_CASES[case]
    if case == "metric_object":  # a fresh metric object: compile renames the one it is given
        compile_kwargs = dict(compile_kwargs, metrics={"b": keras.metrics.MeanAbsoluteError(name="my_mae")})
    expected = K2["custom_step"][case]
    model = two_output_model(cls, **compile_kwargs)
    assert [m.name for m in model.metrics] == expected["metrics_before"]
    history = model.fit(STEP_X, STEP_Y, batch_size=2, epochs=2, shuffle=False, verbose=0, **(fit_kwargs or {}))
    assert sorted(history.history) == sorted(expected["history"])  # (the fixture keeps keys sorted)
    for name, values in expected["history"].items():
        np.testing.assert_allclose(history.history[name], values, rtol=1e-5, err_msg=name)
    assert [m.name for m in model.metrics] == expected["metrics"]
    assert [m.name for m in model.compiled_loss.metrics] == expected["compiled_loss_metrics"]
    assert model.metrics_names == expected["metrics_names"]
    logs = model.evaluate(STEP_X, STEP_Y, batch_size=2, verbose=0, return_dict=True)
    assert sorted(logs) == sorted(expected["evaluate"])
    for name, value in expected["evaluate"].items():
        np.testing.assert_allclose(logs[name], value, rtol=1e-5, err_msg=name)


def test_per_output_trackers_read_the_builtin_step_too():
    """Under the built-in step, ``model.metrics``' per-output trackers answer what the logs say."""
    model = two_output_model(keras.Model, loss=["mse", "mae"], loss_weights=[1.0, 0.5])
    logs = model.evaluate(STEP_X, STEP_Y, batch_size=2, verbose=0, return_dict=True)
    results = {m.name: float(m.result()) for m in model.metrics}
    assert sorted(results) == ["a_loss", "b_loss", "loss"]
    for name, value in results.items():
        np.testing.assert_allclose(value, logs[name], rtol=1e-6)
    model.reset_metrics()
    assert all(float(m.result()) == 0 for m in model.metrics)
