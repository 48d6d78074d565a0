"""Models that override train_step / test_step / predict_step, written as a fastkeras user writes them (PyTorch
autograd where TensorFlow code has a GradientTape), against the same patterns run by real Keras:
tests/fixtures/custom_train_step/ from tools/make_custom_train_step_fixtures.py (tf-keras 2.21, and Keras 3.15.1
on torch for its guide's code)."""
import json
import os

import numpy as np
import pytest
import torch

import fastkeras as keras
from fastkeras import backend as K

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "custom_train_step")
DATA = np.load(os.path.join(FIXTURES, "inputs.npz"))
FIT = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)


def expected(case):
    with open(os.path.join(FIXTURES, f"{case}.json")) as f:
        return json.load(f)


def build(cls):
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, activation="relu")(inputs)
    model = cls(inputs, keras.layers.Dense(2)(hidden))
    model.set_weights([DATA[f"w{i}"] for i in range(4)])
    return model


def check(model, history, want, evaluate=None):
    assert set(history.history) == set(want["history"])
    for name, values in want["history"].items():
        np.testing.assert_allclose(history.history[name], values, rtol=2e-5, atol=1e-6, err_msg=name)
    if evaluate is not None:
        assert set(evaluate) == set(want["evaluate"])
        for name, value in want["evaluate"].items():
            assert evaluate[name] == pytest.approx(value, rel=2e-5, abs=1e-6), name
    weights = np.concatenate([np.ravel(w) for w in model.get_weights()])
    np.testing.assert_allclose(weights, want["weights"], rtol=2e-5, atol=1e-6)


class CompiledLossModel(keras.Model):
    """tf.keras guide's first example: compiled_loss, apply_gradients, compiled_metrics."""

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        gradients = K.gradients(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_compiled_loss_and_metrics_step_matches_tf_keras():
    model = build(CompiledLossModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(DATA["x"], DATA["y"], **FIT)
    check(model, history, expected("compiled_loss"), model.evaluate(DATA["x"], DATA["y"], verbose=0,
                                                                     return_dict=True))
    assert [m.name for m in model.metrics] == ["loss", "mae"]


loss_tracker = keras.metrics.Mean(name="loss")
mae_metric = keras.metrics.MeanAbsoluteError(name="mae")


class TrackerModel(keras.Model):
    """The guide's lower-level example: no compiled loss, hand-made trackers reset by fit through `metrics`."""

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = keras.losses.mean_squared_error(y, y_pred)
        # A GradientTape differentiates a vector loss as its sum.
        gradients = K.gradients(K.sum(loss), self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        loss_tracker.update_state(loss)
        mae_metric.update_state(y, y_pred)
        return {"loss": loss_tracker.result(), "mae": mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss_tracker.update_state(keras.losses.mean_squared_error(y, y_pred))
        mae_metric.update_state(y, y_pred)
        return {"loss": loss_tracker.result(), "mae": mae_metric.result()}

    @property
    def metrics(self):
        return [loss_tracker, mae_metric]


def test_hand_made_trackers_without_a_compiled_loss_match_tf_keras():
    model = build(TrackerModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    history = model.fit(DATA["x"], DATA["y"], **FIT)
    check(model, history, expected("trackers"), model.evaluate(DATA["x"], DATA["y"], verbose=0, return_dict=True))


class SampleWeightModel(keras.Model):
    def train_step(self, data):
        x, y, sample_weight = data
        y_pred = self(x, training=True)
        loss = self.compiled_loss(y, y_pred, sample_weight=sample_weight, regularization_losses=self.losses)
        self.optimizer.apply_gradients(zip(K.gradients(loss, self.trainable_weights), self.trainable_weights))
        self.compiled_metrics.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


def test_sample_weights_reach_a_custom_step_as_in_tf_keras():
    model = build(SampleWeightModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(DATA["x"], DATA["y"], sample_weight=DATA["sw"], **FIT)
    check(model, history, expected("sample_weight"))


class ComputeLossModel(keras.Model):
    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred)
        self.optimizer.apply_gradients(zip(K.gradients(loss, self.trainable_weights), self.trainable_weights))
        return self.compute_metrics(x, y, y_pred, None)

    def predict_step(self, data):
        return {"doubled": 2.0 * self(data, training=False)}


def test_compute_loss_compute_metrics_and_predict_step_match_tf_keras():
    model = build(ComputeLossModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(DATA["x"], DATA["y"], **FIT)
    want = expected("compute_loss")
    check(model, history, want, model.evaluate(DATA["x"], DATA["y"], verbose=0, return_dict=True))
    predicted = model.predict(DATA["x"], batch_size=8, verbose=0)
    assert set(predicted) == {"doubled"}
    np.testing.assert_allclose(predicted["doubled"], want["predict"]["doubled"], rtol=2e-5, atol=1e-6)


class Keras3TorchGuideModel(keras.Model):
    """Keras 3's "Customizing what happens in fit() with PyTorch", unchanged."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


@pytest.mark.parametrize("case,rows", [("keras3_torch_guide", 32), ("keras3_torch_guide_ragged", 30)])
def test_keras_3_torch_guide_step_matches_keras_3(case, rows):
    # 30 rows: the last batch is short, so a loss counted twice (compute_loss, then the guide's own
    # update of the `loss` metric) would move the epoch's mean.
    model = build(Keras3TorchGuideModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(DATA["x"][:rows], DATA["y"][:rows], **FIT)
    check(model, history, expected(case))


class SuperCallingModel(keras.Model):
    """Wraps the built-in step: super().train_step(data) runs it and returns its logs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = 0

    def train_step(self, data):
        self.seen += 1
        logs = super().train_step(data)
        return {**logs, "steps_seen": self.seen}


def test_super_train_step_is_the_built_in_step():
    plain = build(keras.Model)
    wrapped = build(SuperCallingModel)
    for model in (plain, wrapped):
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    want = plain.fit(DATA["x"], DATA["y"], **FIT).history
    got = wrapped.fit(DATA["x"], DATA["y"], **FIT).history
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-6)
    assert got["steps_seen"] == [4.0, 8.0]
    for a, b in zip(plain.get_weights(), wrapped.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


class GAN(keras.Model):
    """Two models, two optimizers, one step: the DCGAN shape of a custom train_step."""

    def __init__(self, generator, discriminator):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real):
        batch = real.shape[0]
        noise = torch.randn(batch, 2)
        fake = self.generator(noise)
        images = torch.cat([fake.detach(), real])
        labels = torch.cat([torch.ones(batch, 1), torch.zeros(batch, 1)])
        d_loss = self.loss_fn(labels, self.discriminator(images))
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(K.gradients(d_loss, weights), weights))
        g_loss = self.loss_fn(torch.zeros(batch, 1), self.discriminator(self.generator(torch.randn(batch, 2))))
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(K.gradients(g_loss, weights), weights))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def test_gan_step_with_two_optimizers_trains_both_models():
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
    discriminator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    gan = GAN(generator, discriminator)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2), keras.losses.BinaryCrossentropy())
    before = [w.copy() for w in generator.get_weights() + discriminator.get_weights()]
    history = gan.fit(np.random.default_rng(0).normal(size=(64, 4)).astype("float32"), epochs=2, batch_size=16,
                      verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"} and len(history.history["d_loss"]) == 2
    assert np.isfinite(history.history["d_loss"]).all()
    after = generator.get_weights() + discriminator.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before, after))


def test_train_on_batch_and_test_on_batch_run_the_overrides():
    model = build(TrackerModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    logs = model.train_on_batch(DATA["x"][:8], DATA["y"][:8], return_dict=True)
    assert set(logs) == {"loss", "mae"} and np.isfinite(list(logs.values())).all()
    assert set(model.test_on_batch(DATA["x"][:8], DATA["y"][:8], return_dict=True)) == {"loss", "mae"}


class Distiller(keras.Model):
    """keras.io's knowledge distillation (Keras 3): only compute_loss is overridden."""

    def __init__(self, student, teacher):
        super().__init__()
        self.teacher, self.student = teacher, student

    def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn, alpha=0.1, temperature=3):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn, self.distillation_loss_fn = student_loss_fn, distillation_loss_fn
        self.alpha, self.temperature = alpha, temperature

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, allow_empty=False):
        teacher_pred = self.teacher(x, training=False)
        student_loss = self.student_loss_fn(y, y_pred)
        distillation_loss = self.distillation_loss_fn(
            keras.ops.softmax(teacher_pred / self.temperature, axis=1),
            keras.ops.softmax(y_pred / self.temperature, axis=1)) * self.temperature ** 2
        return self.alpha * student_loss + (1 - self.alpha) * distillation_loss

    def call(self, x):
        return self.student(x)


def test_compute_loss_override_drives_the_default_step_as_keras_3():
    arrays = np.load(os.path.join(FIXTURES, "distiller.npz"))

    def net(prefix, width):
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(width, activation="relu"),
                                  keras.layers.Dense(3)])
        model.set_weights([arrays[f"{prefix}{i}"] for i in range(4)])
        return model

    student = net("student", 3)
    distiller = Distiller(student=student, teacher=net("teacher", 6))
    distiller.compile(optimizer=keras.optimizers.SGD(0.1), metrics=[keras.metrics.SparseCategoricalAccuracy()],
                      student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      distillation_loss_fn=keras.losses.KLDivergence(), alpha=0.1, temperature=10)
    history = distiller.fit(DATA["x"], arrays["labels"], **FIT)
    want = expected("keras3_distiller")
    for name, values in want["history"].items():
        np.testing.assert_allclose(history.history[name], values, rtol=2e-5, atol=1e-6, err_msg=name)
    logs = distiller.evaluate(DATA["x"], arrays["labels"], verbose=0, return_dict=True)
    for name, value in want["evaluate"].items():
        assert logs[name] == pytest.approx(value, rel=2e-5, abs=1e-6), name
    np.testing.assert_allclose(np.concatenate([np.ravel(w) for w in student.get_weights()]), want["weights"],
                               rtol=2e-5, atol=1e-6)
