"""Models that override train_step / test_step / predict_step, trained by real Keras, for
tests/engine/test_custom_train_step.py.

Two runs, one per Keras (the same file):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_custom_train_step_fixtures.py
    KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_custom_train_step_fixtures.py

tf-keras 2.21 runs the tf.keras guide's patterns ("Customizing what happens in fit()"): ``compiled_loss`` /
``compiled_metrics`` with ``tf.GradientTape`` and ``optimizer.apply_gradients``; hand-made loss and metric
trackers listed in ``metrics``; sample weights unpacked from ``data``; ``compute_loss``/``compute_metrics``; a
custom ``test_step`` and ``predict_step``. Keras 3.15.1 on its torch backend runs the Keras 3 torch guide's
pattern (``zero_grad``, ``compute_loss``, ``backward``, ``optimizer.apply``; on 32 rows, and on 30 so that the
last batch is short) and keras.io's knowledge
distillation, which overrides only ``compute_loss`` (its teacher and student weights and the labels in
``distiller.npz``; ``weights`` there are the student's). Every other model starts from the same
weights (``w<i>`` in ``inputs.npz``, written by the tf-keras run) and trains with SGD(0.1), batch 8, no
shuffling, 2 epochs.

Writes to tests/fixtures/custom_train_step/: ``inputs.npz`` (``x``, ``y``, ``sw``, ``w0``..``w3``) and
``<case>.json`` per case with ``history`` (fit's History.history), ``evaluate`` (evaluate(..., return_dict=True))
and, where there is one, ``predict`` (the predict_step output) and ``weights`` (the weights after fit, flattened).
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "custom_train_step")
FIT = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)


def _inputs():
    path = os.path.join(OUT, "inputs.npz")
    if not os.path.exists(path):
        rng = np.random.default_rng(11)
        arrays = {"x": rng.normal(size=(32, 4)).astype("float32"), "y": rng.normal(size=(32, 2)).astype("float32"),
                  "sw": rng.uniform(0.2, 2.0, size=(32,)).astype("float32")}
        arrays.update({f"w{i}": rng.normal(scale=0.5, size=s).astype("float32")
                       for i, s in enumerate([(4, 3), (3,), (3, 2), (2,)])})
        os.makedirs(OUT, exist_ok=True)
        np.savez(path, **arrays)
    data = np.load(path)
    return {k: data[k] for k in data.files}


def _write(case, **results):
    with open(os.path.join(OUT, f"{case}.json"), "w") as f:
        json.dump({k: v for k, v in results.items() if v is not None}, f, indent=1, sort_keys=True)
    print("wrote", case)


def _as_float_dict(d):
    return {k: float(v) for k, v in d.items()}


def _history(h):
    return {k: [float(x) for x in v] for k, v in h.history.items()}


def _flat_weights(model):
    return np.concatenate([np.ravel(w) for w in model.get_weights()]).tolist()


def tf_keras_cases():
    import tensorflow as tf
    import tf_keras as keras

    data = _inputs()
    x, y, sw = data["x"], data["y"], data["sw"]

    def build(cls):
        inputs = keras.Input((4,))
        hidden = keras.layers.Dense(3, activation="relu")(inputs)
        model = cls(inputs, keras.layers.Dense(2)(hidden))
        model.set_weights([data[f"w{i}"] for i in range(4)])
        return model

    class CompiledLossModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    model = build(CompiledLossModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(x, y, **FIT)
    _write("compiled_loss", history=_history(history), evaluate=_as_float_dict(model.evaluate(x, y, verbose=0,
           return_dict=True)), weights=_flat_weights(model))

    loss_tracker = keras.metrics.Mean(name="loss")
    mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

    class TrackerModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = keras.losses.mean_squared_error(y, y_pred)
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
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

    model = build(TrackerModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    history = model.fit(x, y, **FIT)
    _write("trackers", history=_history(history), evaluate=_as_float_dict(model.evaluate(x, y, verbose=0,
           return_dict=True)), weights=_flat_weights(model))

    class SampleWeightModel(keras.Model):
        def train_step(self, data):
            x, y, sample_weight = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, sample_weight=sample_weight,
                                          regularization_losses=self.losses)
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred, sample_weight=sample_weight)
            return {m.name: m.result() for m in self.metrics}

    model = build(SampleWeightModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(x, y, sample_weight=sw, **FIT)
    _write("sample_weight", history=_history(history), weights=_flat_weights(model))

    class ComputeLossModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x, y, y_pred)
            self.optimizer.apply_gradients(zip(tape.gradient(loss, self.trainable_variables),
                                               self.trainable_variables))
            return self.compute_metrics(x, y, y_pred, None)

        def predict_step(self, data):
            return {"doubled": 2.0 * self(data, training=False)}

    model = build(ComputeLossModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(x, y, **FIT)
    predicted = model.predict(x, batch_size=8, verbose=0)
    _write("compute_loss", history=_history(history), evaluate=_as_float_dict(model.evaluate(x, y, verbose=0,
           return_dict=True)), predict={k: np.asarray(v).tolist() for k, v in predicted.items()},
           weights=_flat_weights(model))


def keras3_torch_cases():
    import keras
    import torch

    data = _inputs()
    x, y = data["x"], data["y"]

    class TorchGuideModel(keras.Model):
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

    for case, rows in (("keras3_torch_guide", 32), ("keras3_torch_guide_ragged", 30)):
        inputs = keras.Input((4,))
        hidden = keras.layers.Dense(3, activation="relu")(inputs)
        model = TorchGuideModel(inputs, keras.layers.Dense(2)(hidden))
        model.set_weights([data[f"w{i}"] for i in range(4)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
        history = model.fit(x[:rows], y[:rows], **FIT)
        _write(case, history=_history(history), weights=_flat_weights(model))

    # keras.io's knowledge distillation (Keras 3): only compute_loss is overridden; the built-in step calls it.
    class Distiller(keras.Model):
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

    rng = np.random.default_rng(5)
    labels = rng.integers(0, 3, size=(32,)).astype("int32")
    arrays = {"labels": labels}

    def net(prefix, width):
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(width, activation="relu"),
                                  keras.layers.Dense(3)])
        weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()]
        model.set_weights(weights)
        arrays.update({f"{prefix}{i}": w for i, w in enumerate(weights)})
        return model

    teacher, student = net("teacher", 6), net("student", 3)
    np.savez(os.path.join(OUT, "distiller.npz"), **arrays)
    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(optimizer=keras.optimizers.SGD(0.1), metrics=[keras.metrics.SparseCategoricalAccuracy()],
                      student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      distillation_loss_fn=keras.losses.KLDivergence(), alpha=0.1, temperature=10)
    history = distiller.fit(x, labels, **FIT)
    _write("keras3_distiller", history=_history(history),
           evaluate=_as_float_dict(distiller.evaluate(x, labels, verbose=0, return_dict=True)),
           weights=np.concatenate([np.ravel(w) for w in student.get_weights()]).tolist())


if __name__ == "__main__":
    try:
        import tf_keras  # noqa: F401
    except ImportError:
        keras3_torch_cases()
    else:
        tf_keras_cases()
