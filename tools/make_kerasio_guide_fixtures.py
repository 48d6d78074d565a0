"""Reference numbers from real Keras for tests/test_kerasio_guides.py: the patterns of keras.io's developer
guides (guides/*.py in keras-team/keras-io, the tf.keras-era versions and guides/keras_core/) that fastkeras
got wrong when the guides were run with ``import fastkeras as keras``.

Run with tf-keras 2.21 (Keras 2 behaviour, for the tf.keras-era guides):
    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_kerasio_guide_fixtures.py
Writes tests/fixtures/kerasio_guides/keras2.json: one entry per case (see the functions below), holding the
inputs and initial weights it used (as lists) and what tf-keras gave.

With ``--keras3``, run with Keras 3.15.1 on torch (the Keras 3 saving hooks of customizing_saving_and_serialization.py):
    KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_kerasio_guide_fixtures.py --keras3
Writes tests/fixtures/kerasio_guides/k3_custom_saving.keras (a model whose layers override get_build_config/
build_from_config and save_own_variables/load_own_variables), k3_custom_saving.npz (its input ``x`` and
Keras 3's prediction ``y``), k3_custom_assets.keras (a layer with save_assets/load_assets) and
k3_custom_compile.keras (a subclassed model without get_config, with its own get_compile_config/
compile_from_config), k3_custom_assets_compile.npz (their input ``x`` and predictions ``assets_y``,
``compile_y``) and keras3.json (the torch-optimizer training loop of
writing_a_custom_training_loop_in_torch.py: inputs, initial weights, losses per step, final weights; fits on a
PyDataset and a DataLoader given ``batch_size`` as keras_core/training_with_built_in_methods.py does; a
subclassed model compiled before it was built, fit on a DataLoader, a PyDataset and a generator).
"""
import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "kerasio_guides")


def keras3_custom_saving():
    import keras

    @keras.saving.register_keras_serializable(package="my_custom_package")
    class LayerWithCustomBuild(keras.layers.Layer):
        # The guide's layer: build() takes an initializer beside the shape, so loading must call
        # build_from_config(get_build_config()).
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def call(self, inputs):
            return keras.ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            return dict(units=self.units, **super().get_config())

        def build(self, input_shape, layer_init):
            super().build(input_shape)
            self._input_shape = input_shape
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=layer_init, trainable=True)
            self.b = self.add_weight(shape=(self.units,), initializer=layer_init, trainable=True)
            self.layer_init = layer_init

        def get_build_config(self):
            return {"layer_init": self.layer_init, "input_shape": self._input_shape}

        def build_from_config(self, config):
            self.build(config["input_shape"], config["layer_init"])

    @keras.saving.register_keras_serializable(package="my_custom_package")
    class ScaledDense(keras.layers.Dense):
        # State kept by save_own_variables beside the weights, not in the config (the guide's pattern; its own
        # example fails in Keras 3 itself, since its keras.Variable attribute becomes a weight).
        def __init__(self, units, **kwargs):
            super().__init__(units, **kwargs)
            self.scale = 1.0

        def save_own_variables(self, store):
            super().save_own_variables(store)
            store["scale"] = np.array(self.scale, "float32")

        def load_own_variables(self, store):
            self.scale = float(np.asarray(store["scale"]))
            for i, v in enumerate(self.weights):
                v.assign(store[f"{i}"])

        def call(self, inputs):
            return super().call(inputs) * self.scale

    @keras.saving.register_keras_serializable(package="my_custom_package")
    class LayerWithCustomAssets(keras.layers.Dense):
        # The guide's layer: its vocabulary travels as a file in the archive's assets, not in its config.
        def __init__(self, vocab=None, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.vocab = vocab

        def save_assets(self, inner_path):
            with open(os.path.join(inner_path, "vocabulary.txt"), "w") as f:
                f.write(self.vocab)

        def load_assets(self, inner_path):
            with open(os.path.join(inner_path, "vocabulary.txt"), "r") as f:
                text = f.read()
            self.vocab = text.replace("<unk>", "little")

    @keras.saving.register_keras_serializable(package="my_custom_package")
    def small_square_sum_loss(y_true, y_pred):
        loss = keras.ops.square(y_pred - y_true)
        loss = loss / 10.0
        return keras.ops.sum(loss, axis=1)

    @keras.saving.register_keras_serializable(package="my_custom_package")
    def mean_pred(y_true, y_pred):
        return keras.ops.mean(y_pred)

    @keras.saving.register_keras_serializable(package="my_custom_package")
    class ModelWithCustomCompile(keras.Model):
        # The guide's subclassed model: no get_config (its constructor takes no arguments), its own
        # get_compile_config/compile_from_config.
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense1 = keras.layers.Dense(8, activation="relu")
            self.dense2 = keras.layers.Dense(4, activation="softmax")

        def call(self, inputs):
            return self.dense2(self.dense1(inputs))

        def compile(self, optimizer, loss_fn, metrics):
            super().compile(optimizer=optimizer, loss=loss_fn, metrics=metrics)
            self.model_optimizer = optimizer
            self.loss_fn = loss_fn
            self.loss_metrics = metrics

        def get_compile_config(self):
            return {"model_optimizer": self.model_optimizer, "loss_fn": self.loss_fn, "metric": self.loss_metrics}

        def compile_from_config(self, config):
            optimizer = keras.utils.deserialize_keras_object(config["model_optimizer"])
            loss_fn = keras.utils.deserialize_keras_object(config["loss_fn"])
            metrics = keras.utils.deserialize_keras_object(config["metric"])
            self.compile(optimizer=optimizer, loss_fn=loss_fn, metrics=metrics)

    keras.utils.set_random_seed(0)
    x8 = np.random.RandomState(9).uniform(-1, 1, (4, 8)).astype("float32")
    assets_model = keras.Sequential([LayerWithCustomAssets(vocab="Mary had a <unk> lamb.", units=5)])
    assets_y = keras.ops.convert_to_numpy(assets_model(x8))
    assets_model.save(os.path.join(OUT, "k3_custom_assets.keras"))
    compile_model = ModelWithCustomCompile()
    compile_model.compile(optimizer="SGD", loss_fn=small_square_sum_loss, metrics=["accuracy", mean_pred])
    compile_model.fit(x8, np.random.RandomState(10).uniform(0, 1, (4, 4)).astype("float32"), verbose=0)
    compile_y = keras.ops.convert_to_numpy(compile_model(x8))
    compile_model.save(os.path.join(OUT, "k3_custom_compile.keras"))
    np.savez(os.path.join(OUT, "k3_custom_assets_compile.npz"), x=x8, assets_y=assets_y, compile_y=compile_y)

    custom_layer = LayerWithCustomBuild(units=4)
    custom_layer.build(input_shape=(8,), layer_init="random_normal")
    scaled = ScaledDense(3)
    model = keras.Sequential([custom_layer, scaled])
    x = np.random.RandomState(5).uniform(-1, 1, (6, 8)).astype("float32")
    model(x)
    scaled.scale = 2.5
    y = keras.ops.convert_to_numpy(model(x))
    model.save(os.path.join(OUT, "k3_custom_saving.keras"))
    np.savez(os.path.join(OUT, "k3_custom_saving.npz"), x=x, y=y)
    restored = keras.models.load_model(os.path.join(OUT, "k3_custom_saving.keras"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(restored(x)), y, rtol=1e-6)
    print("wrote k3_custom_saving.keras/.npz")


def keras3_torch_optimizer_loop():
    """writing_a_custom_training_loop_in_torch.py: ``torch.optim.Adam(model.parameters())`` on a Keras model,
    torch's CrossEntropyLoss, ``model.zero_grad()``; the losses of each step from fixed weights."""
    import torch
    import keras
    rng = np.random.RandomState(6)
    inputs = keras.Input(shape=(6,))
    x = keras.layers.Dense(8, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.BatchNormalization()(x)))
    # (a positive moving variance: the loop calls the model outside fit, in inference mode)
    weights = [np.round(rng.uniform(0.5, 1.5, w.shape) if "variance" in w.name else rng.uniform(-0.5, 0.5, w.shape),
                        4).astype("float32") for w in model.weights]
    model.set_weights(weights)
    x_data = np.round(rng.uniform(-1, 1, (12, 6)), 4).astype("float32")
    y_data = np.eye(3, dtype="float32")[rng.randint(0, 3, 12)]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for epoch in range(2):
        for start in range(0, 12, 4):
            logits = model(torch.from_numpy(x_data[start:start + 4]))
            loss = loss_fn(logits, torch.from_numpy(y_data[start:start + 4]))
            model.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
    return {"weights": [w.tolist() for w in weights], "x": x_data.tolist(), "y": y_data.tolist(),
            "losses": losses, "n_parameters": len(list(model.parameters())),
            "final_weights": [np.asarray(w).tolist() for w in model.get_weights()]}


def keras3_batch_size_with_batched_data():
    """keras_core/training_with_built_in_methods.py: fit(py_dataset, batch_size=64, validation_data=...) and the
    same with torch DataLoaders; the data's own batches of 4 are used."""
    import torch
    import keras
    rng = np.random.RandomState(8)
    x = np.round(rng.uniform(-1, 1, (12, 3)), 4).astype("float32")
    y = np.round(rng.uniform(-1, 1, (12, 1)), 4).astype("float32")
    weights = [np.round(rng.uniform(-1, 1, (3, 1)), 4).astype("float32"), np.zeros(1, "float32")]

    class ExamplePyDataset(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return int(np.ceil(len(self.x) / float(self.batch_size)))

        def __getitem__(self, idx):
            return (self.x[idx * self.batch_size:(idx + 1) * self.batch_size],
                    self.y[idx * self.batch_size:(idx + 1) * self.batch_size])

    histories = {}
    for name in ("py_dataset", "dataloader"):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.set_weights(weights)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        if name == "py_dataset":
            data = ExamplePyDataset(x, y, batch_size=4)
        else:
            data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                               batch_size=4, shuffle=False)
        history = model.fit(data, batch_size=64, validation_data=data, epochs=2, shuffle=False, verbose=0)
        histories[name] = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    return {"x": x.tolist(), "y": y.tolist(), "weights": [w.tolist() for w in weights], "histories": histories}


def keras3_subclassed_model_on_batched_data():
    """keras_core/getting_started_with_keras_core.py: a subclassed model, compiled before it has seen data, fit
    on a DataLoader (and a PyDataset, a generator): built from the first batch. Constant initializers make the
    weights the same in both libraries."""
    import torch
    import keras
    rng = np.random.RandomState(11)
    x = np.round(rng.uniform(-1, 1, (12, 5)), 4).astype("float32")
    y = np.round(rng.uniform(-1, 1, (12, 2)), 4).astype("float32")

    class MyModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(3, activation="tanh",
                                             kernel_initializer=keras.initializers.Constant(0.05))
            self.out = keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant(-0.1))

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[i * 4:(i + 1) * 4], y[i * 4:(i + 1) * 4]

    def generator():
        while True:
            for i in range(3):
                yield x[i * 4:(i + 1) * 4], y[i * 4:(i + 1) * 4]

    out = {"x": x.tolist(), "y": y.tolist()}
    for name in ("dataloader", "py_dataset", "generator"):
        model = MyModel()
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
        if name == "dataloader":
            data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                               batch_size=4, shuffle=False)
            history = model.fit(data, epochs=2, verbose=0)
        elif name == "py_dataset":
            history = model.fit(Batches(), epochs=2, shuffle=False, verbose=0)
        else:
            history = model.fit(generator(), steps_per_epoch=3, epochs=2, verbose=0)
        out[name] = {"history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
                     "predictions": np.asarray(model.predict(x, verbose=0)).tolist()}
    return out


if "--keras3" in sys.argv:
    os.makedirs(OUT, exist_ok=True)
    keras3_custom_saving()
    with open(os.path.join(OUT, "keras3.json"), "w") as f:
        json.dump({"torch_optimizer_loop": keras3_torch_optimizer_loop(),
                   "batch_size_with_batched_data": keras3_batch_size_with_batched_data(),
                   "subclassed_model_on_batched_data": keras3_subclassed_model_on_batched_data()},
                  f, indent=1, sort_keys=True)
    sys.exit(0)

import tensorflow as tf  # noqa: E402

import tf_keras as keras  # noqa: E402
from tf_keras import layers  # noqa: E402


def arr(rng, *shape):
    return np.round(rng.uniform(-1, 1, shape), 4).astype("float32")


def floats(d):
    return {k: [float(v) for v in vs] for k, vs in d.items()}


# ---- training_with_built_in_methods.py: an endpoint layer that add_metric()s a Metric's result ----------

class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_fn = keras.metrics.BinaryAccuracy()

    def call(self, targets, logits, sample_weights=None):
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)
        acc = self.accuracy_fn(targets, logits, sample_weights)
        self.add_metric(acc, name="accuracy")
        return keras.activations.softmax(logits)


def endpoint_add_metric_of_metric_result():
    rng = np.random.RandomState(1)
    x, t = arr(rng, 8, 3), (rng.rand(8, 10) > 0.5).astype("float32")
    kernel, bias = arr(rng, 3, 10), arr(rng, 10)
    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    dense = keras.layers.Dense(10)
    # The guide passes (logits, targets) to call(targets, logits); called in call's order here, so that the
    # accuracy is not always 0.
    predictions = LogisticEndpoint(name="predictions")(targets, dense(inputs))
    model = keras.Model(inputs=[inputs, targets], outputs=predictions)
    dense.set_weights([kernel, bias])
    model.compile(optimizer=keras.optimizers.SGD(0.5))
    history = model.fit({"inputs": x, "targets": t}, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return {"x": x.tolist(), "t": t.tolist(), "kernel": kernel.tolist(), "bias": bias.tolist(),
            "history": floats(history.history), "metrics_names": model.metrics_names,
            "evaluate": [float(v) for v in model.evaluate({"inputs": x, "targets": t}, verbose=0)]}


# ---- training_with_built_in_methods.py: a dict of targets that leaves an output out ----------------------

def dict_targets_leaving_an_output_out():
    rng = np.random.RandomState(2)
    x, yb = arr(rng, 8, 4), arr(rng, 8, 2)
    weights = [arr(rng, 4, 1), arr(rng, 1), arr(rng, 4, 2), arr(rng, 2)]
    runs = []
    for loss, metrics in [({"b": "mse"}, None), ({"b": "mse"}, {"a": ["mae"]}),
                          ({"a": "mse", "b": "mse"}, None), ("mse", None)]:
        i = keras.Input((4,), name="x")
        model = keras.Model(i, [layers.Dense(1, name="a")(i), layers.Dense(2, name="b")(i)])
        model.set_weights(weights)
        model.compile(keras.optimizers.SGD(0.1), loss=loss, metrics=metrics)
        history = model.fit(x, {"b": yb}, batch_size=4, shuffle=False, epochs=2, verbose=0)
        runs.append({"loss": loss, "metrics": metrics, "history": floats(history.history),
                     "metrics_names": model.metrics_names,
                     "evaluate": [float(v) for v in model.evaluate(x, {"b": yb}, verbose=0)]})
    return {"x": x.tolist(), "yb": yb.tolist(), "weights": [w.tolist() for w in weights], "runs": runs}


# ---- writing_your_own_callbacks.py: what on_predict_batch_end receives --------------------------------------

def predict_batch_end_logs():
    rng = np.random.RandomState(3)
    x = arr(rng, 5, 3)
    weights = [arr(rng, 3, 1), arr(rng, 1), arr(rng, 3, 2), arr(rng, 2)]
    i = keras.Input((3,))
    model = keras.Model(i, [layers.Dense(1)(i), layers.Dense(2)(i)])
    model.set_weights(weights)
    seen = {"one": [], "two": []}

    def record(key):
        def on_predict_batch_end(batch, logs):
            outputs = logs["outputs"]
            seen[key].append({"keys": sorted(logs), "type": type(outputs).__name__,
                              "values": [np.asarray(o).tolist() for o in outputs] if key == "two"
                              else np.asarray(outputs).tolist()})
        return keras.callbacks.LambdaCallback(on_predict_batch_end=on_predict_batch_end)

    keras.Model(i, model.outputs[0]).predict(x, batch_size=2, verbose=0, callbacks=[record("one")])
    model.predict(x, batch_size=2, verbose=0, callbacks=[record("two")])
    return {"x": x.tolist(), "weights": [w.tolist() for w in weights], "batches": seen}


# ---- understanding_masking_and_padding.py: ``model(x, y)``, training given positionally --------------------

class TemporalSoftmax(keras.layers.Layer):
    def call(self, inputs, mask=None):
        broadcast_float_mask = keras.backend.expand_dims(keras.backend.cast(mask, "float32"), -1)
        inputs_exp = keras.backend.exp(inputs) * broadcast_float_mask
        inputs_sum = keras.backend.sum(inputs * broadcast_float_mask, axis=1, keepdims=True)
        return inputs_exp / inputs_sum


def positional_training_argument():
    rng = np.random.RandomState(4)
    x = rng.randint(0, 10, size=(4, 6))
    x[:, -2:] = 0
    extra = arr(rng, 4, 6, 1)
    weights = [arr(rng, 10, 3), arr(rng, 3, 1), arr(rng, 1)]
    inputs = keras.Input(shape=(None,), dtype="int32")
    h = layers.Dense(1)(layers.Embedding(input_dim=10, output_dim=3, mask_zero=True)(inputs))
    model = keras.Model(inputs, TemporalSoftmax()(h))
    model.set_weights(weights)
    # The guide's last line: the second positional argument is Functional.call's `training`.
    y = model(x, extra)
    bn_x = arr(rng, 5, 3)
    bn = layers.BatchNormalization()
    # RNN.__call__(inputs, initial_state, constants): the state given positionally (tf-keras wants tensors
    # there, not numpy arrays).
    lstm_x, lstm_h, lstm_c = arr(rng, 2, 3, 2), arr(rng, 2, 4), arr(rng, 2, 4)
    lstm = layers.LSTM(4)
    lstm.build((None, 3, 2))
    lstm_weights = [arr(rng, *w.shape) for w in lstm.get_weights()]
    lstm.set_weights(lstm_weights)
    return {"lstm_x": lstm_x.tolist(), "lstm_h": lstm_h.tolist(), "lstm_c": lstm_c.tolist(),
            "lstm_weights": [w.tolist() for w in lstm_weights],
            "lstm_y": np.asarray(lstm(lstm_x, [tf.constant(lstm_h), tf.constant(lstm_c)])).tolist(),
            "x": x.tolist(), "extra": extra.tolist(), "weights": [w.tolist() for w in weights],
            "y": np.asarray(y).tolist(), "bn_x": bn_x.tolist(),
            "bn_true": np.asarray(bn(bn_x, True)).tolist(), "bn_false": np.asarray(bn(bn_x, False)).tolist()}


# ---- serialization_and_saving.py (keras_core): a layer in a custom config, a class registered under a name --

@keras.saving.register_keras_serializable(package="MyLayers", name="KernelMult")
class MyDense(keras.layers.Layer):
    def __init__(self, units, *, kernel_regularizer=None, kernel_initializer=None, nested_model=None, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = units
        self.kernel_regularizer = kernel_regularizer
        self.kernel_initializer = kernel_initializer
        self.nested_model = nested_model

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.hidden_units, "kernel_regularizer": self.kernel_regularizer,
                       "kernel_initializer": self.kernel_initializer, "nested_model": self.nested_model})
        return config


def registered_layer_with_nested_layer():
    layer = MyDense(units=16, kernel_regularizer="l1", kernel_initializer="ones", name="inner")
    config = keras.layers.serialize(MyDense(units=64, nested_model=layer, name="outer"))
    new_layer = keras.layers.deserialize(config)
    return {"config": config, "deserialized": {"class": type(new_layer).__name__, "units": new_layer.hidden_units,
                                               "nested_model": dict(new_layer.nested_model)}}


# ---- working_with_rnns.py: an RNN over a tuple of sequences, a cell with two outputs and two states ---------

class NestedCell(keras.layers.Layer):
    def __init__(self, unit_1, unit_2, unit_3, **kwargs):
        self.unit_1, self.unit_2, self.unit_3 = unit_1, unit_2, unit_3
        self.state_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        self.output_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        super().__init__(**kwargs)

    def build(self, input_shapes):
        i1, i2, i3 = input_shapes[0][1], input_shapes[1][1], input_shapes[1][2]
        self.kernel_1 = self.add_weight(shape=(i1, self.unit_1), initializer="uniform", name="kernel_1")
        self.kernel_2_3 = self.add_weight(shape=(i2, i3, self.unit_2, self.unit_3), initializer="uniform",
                                          name="kernel_2_3")

    def call(self, inputs, states):
        input_1, input_2 = tf.nest.flatten(inputs)
        s1, s2 = states
        output_1 = tf.matmul(input_1, self.kernel_1)
        output_2_3 = tf.einsum("bij,ijkl->bkl", input_2, self.kernel_2_3)
        return (output_1, output_2_3), (s1 + output_1, s2 + output_2_3)


def nested_rnn_inputs_and_outputs():
    rng = np.random.RandomState(7)
    u1, u2, u3, i1, i2, i3, steps = 2, 2, 3, 3, 2, 2, 4
    x1, x2 = arr(rng, 6, steps, i1), arr(rng, 6, steps, i2, i3)
    t1, t2 = arr(rng, 6, u1), arr(rng, 6, u2, u3)
    weights = [arr(rng, i1, u1), arr(rng, i2, i3, u2, u3)]
    input_1, input_2 = keras.Input((None, i1)), keras.Input((None, i2, i3))
    rnn = keras.layers.RNN(NestedCell(u1, u2, u3))
    model = keras.models.Model([input_1, input_2], rnn((input_1, input_2)))
    model.set_weights(weights)
    predictions = model.predict([x1, x2], verbose=0)
    sequences = keras.layers.RNN(rnn.cell, return_sequences=True)((input_1, input_2))
    seq_predictions = keras.Model([input_1, input_2], sequences).predict([x1, x2], verbose=0)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit([x1, x2], [t1, t2], batch_size=3, epochs=2, shuffle=False, verbose=0)
    return {"x1": x1.tolist(), "x2": x2.tolist(), "t1": t1.tolist(), "t2": t2.tolist(),
            "weights": [w.tolist() for w in weights], "output_shapes": [list(t.shape) for t in model.outputs],
            "predictions": [p.tolist() for p in predictions], "output_names": model.output_names,
            "sequence_shapes": [list(t.shape) for t in sequences],
            "sequences": [p.tolist() for p in seq_predictions], "history": floats(history.history)}


# ---- sequential_model.py: the weights of a Sequential model before it is built -----------------------------

def unbuilt_model_weights():
    def attempt(model, attribute):
        try:
            return {"value": len(getattr(model, attribute))}
        except ValueError as e:
            return {"error": type(e).__name__, "message": str(e)}

    class SubclassedWithoutBuild(keras.Model):
        def __init__(self):
            super().__init__(name="no_build")
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    out = {}
    for attribute in ("weights", "trainable_weights", "non_trainable_weights"):
        out[f"sequential_{attribute}"] = attempt(
            keras.Sequential([layers.Dense(2), layers.Dense(3)], name="my_sequential"), attribute)
        out[f"subclassed_{attribute}"] = attempt(SubclassedWithoutBuild(), attribute)
    model = keras.Sequential([layers.Dense(2), layers.Dense(3)])
    model(np.ones((1, 4), "float32"))
    out["after_call_weights"] = attempt(model, "weights")
    return out


# ---- customizing_saving_and_serialization.py: get_config of classes that define none -----------------------

class WithArgs(keras.layers.Layer):
    def __init__(self, units, activation="relu", name=None):
        super().__init__(name=name)
        self.units = units


class WithKwargs(keras.layers.Layer):
    def __init__(self, units, scale=1.5, **kwargs):
        super().__init__(**kwargs)
        self.units = units


class OtherVarKeyword(keras.layers.Layer):
    def __init__(self, units, **options):
        super().__init__(**options)


class SubModel(keras.Model):
    def __init__(self, hidden, sizes=(2, 3), name=None):
        super().__init__(name=name)
        self.dense = layers.Dense(hidden)

    def call(self, x):
        return self.dense(x)


class NoArgsModel(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(2)

    def call(self, x):
        return self.dense(x)


def auto_config_without_get_config():
    """The configs tf-keras 2.13+ derives from the constructor arguments of classes without get_config()."""
    made = {"with_args": WithArgs(3, activation="tanh", name="a"), "with_kwargs": WithKwargs(4, name="b"),
            "other_var_keyword": OtherVarKeyword(5, name="c"), "sub_model": SubModel(6, name="d"),
            "no_args_model": NoArgsModel(name="e"), "no_args_model_unnamed": NoArgsModel()}
    out = {key: obj.get_config() for key, obj in made.items()}

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, inputs):
            return self.d(inputs)

    document = json.loads(Net().to_json())
    out["net_to_json"] = {"class_name": document["class_name"], "config": document["config"]}
    return out


CASES = [endpoint_add_metric_of_metric_result, dict_targets_leaving_an_output_out, predict_batch_end_logs,
         positional_training_argument, registered_layer_with_nested_layer, nested_rnn_inputs_and_outputs,
         unbuilt_model_weights, auto_config_without_get_config]

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    data = {}
    for case in CASES:
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        data[case.__name__] = case()
    with open(os.path.join(OUT, "keras2.json"), "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    print("wrote", os.path.join(OUT, "keras2.json"), os.path.getsize(os.path.join(OUT, "keras2.json")), "bytes")
