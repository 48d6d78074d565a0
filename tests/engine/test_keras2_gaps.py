"""Five corners of Keras 2 that fastkeras had left open, against tf-keras 2.21 (and Keras 3.15.1 for Keras 3's
Sequence): tests/fixtures/keras2_gaps, written by tools/make_keras2_gap_fixtures.py.

1. ``Bidirectional(..., constants=...)``; 2. ``add_loss`` outside ``call``; 3. ``layer.call(keras_tensor)``;
4. a ``keras.utils.Sequence`` subclass passing Keras 3's reading settings to ``super().__init__``;
5. per-output loss trackers in custom train/test steps.
"""
import builtins
import json
import os
import re

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


# ---- 4. keras.utils.Sequence with Keras 3's reading settings -----------------------------------------------

class Batches(keras.utils.Sequence):
    """Batch i: inputs and targets i, so a zero Dense's loss on it is i**2 (the tool's class)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.log = []

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full((2, 3), i, "float32"), np.full((2, 1), i, "float32")

    def on_epoch_begin(self):
        self.log.append("begin")


def zero_model_losses(data, **fit_kwargs):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    return model.fit(data, verbose=0, **fit_kwargs).history["loss"]


def test_sequence_takes_keras3_reading_settings():
    expected = K3["sequence"]
    assert expected["is_py_dataset"]  # why: in Keras 3, Sequence is PyDataset
    data = Batches(5, workers=2, use_multiprocessing=False, max_queue_size=3)
    assert [data.workers, data.use_multiprocessing, data.max_queue_size] == expected["settings"]
    plain = Batches(2)
    assert [plain.workers, plain.use_multiprocessing, plain.max_queue_size] == expected["defaults"]
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        Batches(3, foo=1)
    assert expected["unknown_keyword"]["error"] == "TypeError"
    # tf-keras' Sequence has no __init__ of its own: the settings are Keras 3's, without them it is Keras 2's
    assert K2["sequence"]["with_settings"]["error"] == "TypeError" and K2["sequence"]["plain"] is None


def test_sequence_with_settings_is_read_as_keras3_reads_it():
    expected = K3["sequence"]
    np.testing.assert_allclose(zero_model_losses(Batches(5, workers=2), epochs=2, shuffle=False),
                               expected["fit_threads"], rtol=1e-6)
    data = Batches(5, workers=1, max_queue_size=3)
    np.testing.assert_allclose(zero_model_losses(data, epochs=4, steps_per_epoch=2, shuffle=False),
                               expected["fit_steps_continue"], rtol=1e-6)
    assert data.log == ["begin"] * 4
    with pytest.warns(UserWarning, match="ignored"):  # fit's Keras 2 arguments do not apply to it
        zero_model_losses(Batches(3, workers=1), epochs=1, workers=2)


def test_sequence_without_settings_stays_keras2():
    """A Keras 2 Sequence (super().__init__() or none at all) restarts each shortened epoch, never hears
    on_epoch_begin, and reads with fit's own workers."""
    data = Batches(5)
    np.testing.assert_allclose(zero_model_losses(data, epochs=2, steps_per_epoch=2, shuffle=False), [0.5, 0.5])
    assert data.log == []
    np.testing.assert_allclose(zero_model_losses(Batches(3), epochs=1, workers=2, shuffle=False), [5 / 3],
                               rtol=1e-6)


# ---- 1. Bidirectional(..., constants=...) -------------------------------------------------------------------

class ConstantCell(keras.layers.Layer):
    """The tool's cell: h = x W + h U + c."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units))
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(self.units, self.units))
        self.built = True

    def call(self, inputs, states, constants):
        output = K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel) + constants[0]
        return output, [output]

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        return config


CELL = {"ConstantCell": ConstantCell}
BIDI = K2["bidirectional"]
BIDI_X, BIDI_C, BIDI_S = (ARRAYS[f"bidirectional/{k}"] for k in "xcs")


def bidi_weights(case):
    return [ARRAYS[f"bidirectional/{case}/w{i}"] for i in range(4)]


def as_written_by_the_tool(config):
    """``config`` (JSON data) with the cell's ``module`` as tf-keras wrote it for a class of the tool's
    ``__main__`` (None): here the class lives in this test module."""
    if isinstance(config, dict):
        config = {k: as_written_by_the_tool(v) for k, v in config.items()}
        if config.get("class_name") == "ConstantCell":
            config["module"] = None
    elif isinstance(config, list):
        config = [as_written_by_the_tool(v) for v in config]
    return config


def layer_config(layer):
    return as_written_by_the_tool(json.loads(json.dumps(layer.get_config())))


def model_config(model):
    """A model's config as JSON holds it, without the keys that name the library that wrote it."""
    config = json.loads(model.to_json())
    for key in ("backend", "keras_version", "fastkeras_version"):
        config.pop(key, None)
    return as_written_by_the_tool(config)


def concat_model():
    keras.backend.clear_session()  # the names tf-keras gave, as its fixture script started afresh
    x, c = keras.Input((5, 4), name="x"), keras.Input((3,), name="c")
    layer = keras.layers.Bidirectional(keras.layers.RNN(ConstantCell(3)), name="bidi")
    return keras.Model([x, c], layer(x, constants=c), name="concat"), layer


def states_model():
    keras.backend.clear_session()
    x, c = keras.Input((5, 4), name="x"), keras.Input((3,), name="c")
    s1, s2 = keras.Input((3,), name="s1"), keras.Input((3,), name="s2")
    layer = keras.layers.Bidirectional(keras.layers.RNN(ConstantCell(3), return_sequences=True), merge_mode="sum",
                                       name="bidi")
    return keras.Model([x, s1, s2, c], layer(x, initial_state=[s1, s2], constants=c), name="states"), layer


def test_bidirectional_passes_constants_to_both_directions():
    model, layer = concat_model()
    expected = BIDI["concat"]
    assert layer_config(layer) == expected["layer_config"]
    assert model_config(model)["config"] == json.loads(expected["model_json"])["config"]
    assert [w.name for w in model.weights] == expected["weight_names"]
    assert list(model.output_shape) == expected["output_shape"]
    model.set_weights(bidi_weights("concat"))
    np.testing.assert_allclose(model.predict([BIDI_X, BIDI_C], verbose=0), ARRAYS["bidirectional/concat/y"],
                               rtol=1e-5, atol=1e-6)
    eager = layer(K.constant(BIDI_X), constants=K.constant(BIDI_C))  # not a node: the constants by keyword
    np.testing.assert_allclose(K.to_numpy(eager), ARRAYS["bidirectional/eager_y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(K.to_numpy(layer([K.constant(BIDI_X), K.constant(BIDI_C)])),
                               ARRAYS["bidirectional/eager_y"], rtol=1e-5, atol=1e-6)


def test_bidirectional_with_initial_state_and_constants():
    model, layer = states_model()
    expected = BIDI["states"]
    assert layer_config(layer) == expected["layer_config"]
    assert model_config(model)["config"] == json.loads(expected["model_json"])["config"]
    assert list(model.output_shape) == expected["output_shape"]
    model.set_weights(bidi_weights("states"))
    np.testing.assert_allclose(model.predict([BIDI_X, BIDI_S, -BIDI_S, BIDI_C], verbose=0),
                               ARRAYS["bidirectional/states/y"], rtol=1e-5, atol=1e-6)


def test_bidirectional_constants_models_load_from_tf_keras_and_back(tmp_path):
    loaded = keras.models.load_model(os.path.join(FIXTURES, "bidirectional_constants.h5"), custom_objects=CELL)
    np.testing.assert_allclose(loaded.predict([BIDI_X, BIDI_C], verbose=0), ARRAYS["bidirectional/concat/y"],
                               rtol=1e-5, atol=1e-6)
    assert loaded.get_layer("bidi")._num_constants == 1
    rebuilt = keras.models.model_from_json(BIDI["states"]["model_json"], custom_objects=CELL)
    rebuilt.set_weights(bidi_weights("states"))
    np.testing.assert_allclose(rebuilt.predict([BIDI_X, BIDI_S, -BIDI_S, BIDI_C], verbose=0),
                               ARRAYS["bidirectional/states/y"], rtol=1e-5, atol=1e-6)
    for suffix in (".h5", ".keras"):
        path = str(tmp_path / f"again{suffix}")
        rebuilt.save(path)
        again = keras.models.load_model(path, custom_objects=CELL)
        np.testing.assert_allclose(again.predict([BIDI_X, BIDI_S, -BIDI_S, BIDI_C], verbose=0),
                                   ARRAYS["bidirectional/states/y"], rtol=1e-5, atol=1e-6)


def test_bidirectional_constants_train_as_in_tf_keras():
    model, _ = concat_model()
    model.set_weights(bidi_weights("concat"))
    model.compile(keras.optimizers.SGD(learning_rate=0.1), "mse")
    history = model.fit([BIDI_X, BIDI_C], ARRAYS["bidirectional/fit_target"], epochs=2, batch_size=2,
                        shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], BIDI["concat"]["fit_loss"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, ARRAYS[f"bidirectional/fit_w{i}"], rtol=1e-5, atol=1e-6)


def test_bidirectional_refuses_constants_as_tf_keras():
    x, c = keras.Input((5, 4)), keras.Input((3,))
    refusals = BIDI["refusals"]
    assert refusals["lstm"]["error"] == "TypeError"
    with pytest.raises(TypeError, match=r'wraps, LSTM "lstm.*takes no `constants`'):
        keras.layers.Bidirectional(keras.layers.LSTM(3))(x, constants=c)
    with pytest.raises(TypeError, match="takes no `constants`"):  # eagerly too (tf-keras drops them there)
        keras.layers.Bidirectional(keras.layers.LSTM(3))(BIDI_X, constants=BIDI_C)
    assert refusals["mixed"]["error"] == "ValueError"
    with pytest.raises(ValueError, match="cannot be specified with a mix of Keras tensors"):
        keras.layers.Bidirectional(keras.layers.RNN(ConstantCell(3)))(x, constants=[c, K.constant(BIDI_C)])
    assert refusals["cell_without_constants"]["error"] == "ValueError"
    with pytest.raises(ValueError, match="does not support constants"):
        keras.layers.Bidirectional(keras.layers.RNN(keras.layers.SimpleRNNCell(3)))(x, constants=c)
    assert refusals["odd_initial_state"]["error"] == "ValueError"
    with pytest.raises(ValueError, match="the state should be a list containing the states"):
        keras.layers.Bidirectional(keras.layers.RNN(ConstantCell(3)))(x, initial_state=[keras.Input((3,))],
                                                                        constants=c)


# ---- 2. add_loss outside call() --------------------------------------------------------------------------

ADD_LOSS_X = np.arange(12, dtype="float32").reshape(4, 3) / 10


def functional_pair():
    x = keras.Input((3,))
    hidden = keras.layers.Dense(2, name="hidden", kernel_initializer="ones")
    h = hidden(x)
    out = keras.layers.Dense(1, name="out", kernel_initializer="ones")(h)
    return x, hidden, h, out, keras.Model(x, out)


def sequential_one():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, kernel_initializer="ones")])
    return None, model.layers[0], None, model.output, model


def nested_with_loss():
    inner_x = keras.Input((3,))
    inner_h = keras.layers.Dense(2, kernel_initializer="ones")(inner_x)
    inner = keras.Model(inner_x, inner_h)
    inner.add_loss(K.mean(inner_h))
    x = keras.Input((3,))
    out = keras.layers.Dense(1, kernel_initializer="ones")(inner(x))
    return x, inner, None, out, keras.Model(x, out)


class SubclassedDense(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1, kernel_initializer="ones")

    def call(self, x):
        return self.dense(x)


def subclassed():
    model = SubclassedDense()
    return keras.Input((3,)), model.dense, None, None, model


# The tool's ADD_LOSS_CASES: (builder, what to add given (x, hidden layer, h, output, model)).
ADD_LOSS_CASES = {
    "model_symbolic": (functional_pair, lambda x, d, h, o, m: m.add_loss(K.mean(h))),
    "model_symbolic_list": (functional_pair, lambda x, d, h, o, m: m.add_loss([K.mean(h), K.sum(o)])),
    "model_symbolic_of_input": (functional_pair, lambda x, d, h, o, m: m.add_loss(K.mean(x))),
    "model_symbolic_inputs_kw": (functional_pair, lambda x, d, h, o, m: m.add_loss(K.mean(h), inputs=x)),
    "model_callable": (functional_pair, lambda x, d, h, o, m: m.add_loss(lambda: K.sum(d.kernel))),
    "layer_callable": (functional_pair, lambda x, d, h, o, m: d.add_loss(lambda: K.sum(d.kernel))),
    "layer_callable_list": (functional_pair, lambda x, d, h, o, m: d.add_loss([lambda: K.sum(d.kernel),
                                                                                lambda: K.sum(d.bias)])),
    "sequential_symbolic": (sequential_one, lambda x, d, h, o, m: m.add_loss(K.mean(o))),
    "nested_symbolic": (nested_with_loss, lambda x, d, h, o, m: None),
    "layer_symbolic": (functional_pair, lambda x, d, h, o, m: d.add_loss(K.mean(h))),
    "subclassed_symbolic": (subclassed, lambda x, d, h, o, m: m.add_loss(K.mean(x))),
    "model_eager_tensor": (functional_pair, lambda x, d, h, o, m: m.add_loss(K.constant(1.0))),
    "model_number": (functional_pair, lambda x, d, h, o, m: m.add_loss(1.0)),
    "layer_eager_tensor": (functional_pair, lambda x, d, h, o, m: d.add_loss(K.constant(1.0))),
    "unknown_keyword": (functional_pair, lambda x, d, h, o, m: m.add_loss(K.mean(h), foo=1)),
    "other_input": (functional_pair, lambda x, d, h, o, m: m.add_loss(K.mean(keras.Input((3,))))),
}
# What fastkeras says where tf-keras refuses (tf-keras' own words are in the fixture).
ADD_LOSS_REFUSALS = {
    "layer_symbolic": 'Layer "hidden" \\(Dense\\) holds the symbolic loss',
    "subclassed_symbolic": 'Layer "subclassed_dense.*holds the symbolic loss',
    "model_eager_tensor": "outside call\\(\\) expects a symbolic tensor .* or a zero-argument callable",
    "model_number": "received float 1.0. Please wrap your loss computation in a zero argument `lambda`",
    "layer_eager_tensor": 'Layer "hidden": add_loss\\(\\) outside call\\(\\)',
    "unknown_keyword": "unknown keyword arguments to add_loss\\(\\): \\['foo'\\]",
    "other_input": "Graph disconnected",
}


def value_or_error(fn, refusal):
    """``fn()``'s value, or its error type after checking that the message says what ``refusal`` says."""
    try:
        return float(np.asarray(fn()))
    except Exception as e:  # noqa: BLE001 - compared with what tf-keras raised
        assert refusal is not None and re.search(refusal, str(e)), str(e)
        return {"error": type(e).__name__}


@pytest.mark.parametrize("case", sorted(ADD_LOSS_CASES))
def test_add_loss_outside_call_as_tf_keras(case):
    expected = K2["add_loss"][case]
    build, add = ADD_LOSS_CASES[case]
    keras.backend.clear_session()
    x, layer, h, out, model = build()
    refusal = ADD_LOSS_REFUSALS.get(case)
    if expected["add"] is None:
        add(x, layer, h, out, model)
    else:
        with pytest.raises(getattr(builtins, expected["add"]["error"]), match=refusal):
            add(x, layer, h, out, model)
    model.compile(keras.optimizers.SGD(learning_rate=0.1), "mse")
    model.predict(ADD_LOSS_X, verbose=0)
    assert expected["predict_ok"]
    assert len(model.losses) == expected["n_losses"]
    y = np.zeros((4, 1), "float32")
    got = value_or_error(lambda: model.evaluate(ADD_LOSS_X, y, verbose=0), refusal)
    batches = [value_or_error(lambda: model.train_on_batch(ADD_LOSS_X, y), refusal) for _ in range(2)]
    for value, reference in zip([got] + batches, [expected["evaluate"]] + expected["train_on_batch"]):
        if isinstance(reference, dict):
            assert value == reference
        else:
            np.testing.assert_allclose(value, reference, rtol=1e-5)


def test_activity_losses_before_any_call():
    """tf-keras lists a scratch-graph tensor that nothing can evaluate (K.function and add_loss fail on it);
    fastkeras has nothing to list until the model runs, then the penalty of that run."""
    expected = K2["add_loss"]["activity_before_call"]
    assert expected["n_losses"] == 1 and expected["k_function"] and expected["add_loss"]
    x = keras.Input((3,))
    model = keras.Model(x, keras.layers.Dense(2, kernel_initializer="ones",
                                              activity_regularizer=keras.regularizers.l2(0.1))(x))
    assert model.losses == []
    model(ADD_LOSS_X)
    # 0.1 * mean over the batch of the summed squares of the outputs (rows 0.3, 1.2, 2.1, 3.0 in both units)
    np.testing.assert_allclose([K.to_numpy(t) for t in model.losses], [0.1 * 2 * (0.09 + 1.44 + 4.41 + 9.0) / 4],
                               rtol=1e-6)


def test_losses_inside_call_still_count():
    """Inside call(), a computed tensor (or a number) is a loss of that call, also outside fit."""
    class Penalized(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(K.sum(inputs))
            self.add_metric(K.mean(inputs), name="seen")
            return inputs

    layer = Penalized()
    layer(np.ones((2, 2), "float32"))
    assert [float(t) for t in layer.losses] == [4.0]

    class Constant(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(0.5)
            return inputs
    layer = Constant()
    layer(np.ones((2, 2), "float32"))
    assert [float(t) for t in layer.losses] == [0.5]


def test_sequential_lists_what_add_loss_attached_until_the_next_add():
    expected = K2["add_loss"]["sequential_layers"]
    _, _, _, out, model = sequential_one()
    model.add_loss(K.mean(out))
    assert [type(layer).__name__ for layer in model.layers] == expected["after_add_loss"]
    model.add(keras.layers.Dense(2))
    assert [type(layer).__name__ for layer in model.layers] == expected["after_add"]
    assert len(model.losses) == expected["n_losses_after_add"]


# ---- 3. layer.call(keras_tensor) --------------------------------------------------------------------------

class Outer(keras.layers.Layer):
    """A Keras 2 custom layer that runs its inner layer's call() directly (the tool's class)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = keras.layers.Dense(2)

    def build(self, input_shape):
        self.inner.build(input_shape)
        super().build(input_shape)

    def call(self, inputs):
        return self.inner.call(inputs) * 2.0


class Net(keras.Model):
    def __init__(self):
        super().__init__(name="net")
        self.first = keras.layers.Dense(3, activation="relu", name="first")
        self.second = keras.layers.Dense(2, name="second")

    def call(self, inputs):
        return self.second(self.first(inputs))


def _built(layer, shape):
    layer.build(shape)
    return layer


def _net():
    model = Net()
    model.build((None, 4))
    return model


def _functional():
    x = keras.Input((4,))
    return keras.Model(x, keras.layers.Dense(2, activation="tanh")(keras.layers.Dense(3)(x)))


# The tool's call_cases: (make the layer, input shapes without batch, call kwargs).
CALL_CASES = {
    "dense": (lambda: _built(keras.layers.Dense(2, activation="relu"), (None, 4)), [(4,)], {}),
    "dense_unbuilt": (lambda: keras.layers.Dense(2), [(4,)], {}),
    "activation": (lambda: keras.layers.Activation("tanh"), [(4,)], {}),
    "concatenate": (lambda: keras.layers.Concatenate(), [(4,), (3,)], {}),
    "batch_norm_inference": (lambda: _built(keras.layers.BatchNormalization(), (None, 4)), [(4,)],
                             {"training": False}),
    "lstm": (lambda: _built(keras.layers.LSTM(2), (None, 3, 4)), [(3, 4)], {}),
    "dropout": (lambda: keras.layers.Dropout(0.5), [(4,)], {}),
    "lambda": (lambda: keras.layers.Lambda(lambda t: t * 2.0 + 1.0), [(4,)], {}),
    "outer_inner_call": (lambda: _built(Outer(), (None, 4)), [(4,)], {}),
    "outer_called": (lambda: _built(Outer(), (None, 4)), [(4,)], {"__call__": True}),
    "subclassed_model": (_net, [(4,)], {}),
    "functional_model": (_functional, [(4,)], {}),
}
OP_LAYERS = {"InputLayer", "TFOpLambda", "SlicingOpLambda"}  # what tf-keras records for a layer's ops


def _call_case(name):
    make, shapes, kwargs = CALL_CASES[name]
    layer = make()
    weights = [ARRAYS[f"call/{name}/w{i}"] for i in range(len(layer.get_weights()))]
    if weights:
        layer.set_weights(weights)
    inputs = [keras.Input(shape) for shape in shapes]
    data = [ARRAYS[f"call/{name}/x{i}"] for i in range(len(shapes))]
    kwargs = dict(kwargs)
    run = layer if kwargs.pop("__call__", False) else layer.call
    return layer, inputs, data, lambda: run(inputs if len(inputs) > 1 else inputs[0], **kwargs)


@pytest.mark.parametrize("case", sorted(CALL_CASES))
def test_layer_call_on_symbolic_tensors_as_tf_keras(case):
    expected = K2["call_on_symbolic"][case]
    layer, inputs, data, run = _call_case(case)
    if "error" in expected:
        with pytest.raises(getattr(builtins, expected["error"]), match=f'Layer "{layer.name}" .*is not built'):
            run()
        return
    model = keras.Model(inputs, run())
    feed = data if len(data) > 1 else data[0]
    np.testing.assert_allclose(model.predict(feed, verbose=0), ARRAYS[f"call/{case}/y"], rtol=1e-5, atol=1e-6)
    names = [type(l).__name__ for l in model.layers]
    if set(expected["layers"]) <= OP_LAYERS:  # tf-keras' ops of the call, one LayerCall here
        assert names == ["InputLayer"] * len(inputs) + ["LayerCall"]
    else:
        assert names == expected["layers"]
    assert len(model.weights) == expected["n_weights"]
    before = [w.copy() for w in layer.get_weights()]
    model.compile(keras.optimizers.SGD(learning_rate=0.5), "mse")
    model.fit(feed, np.ones_like(ARRAYS[f"call/{case}/y"]), verbose=0, epochs=2)
    trained = any(not np.allclose(a, b) for a, b in zip(before, layer.get_weights()))
    assert trained == expected["trained"]


def test_a_recorded_call_saves_only_without_weights(tmp_path):
    x = keras.Input((4,))
    model = keras.Model(x, keras.layers.Activation("tanh").call(x))
    path = str(tmp_path / "tanh.h5")
    model.save(path)
    data = ARRAYS["call/activation/x0"]
    np.testing.assert_allclose(keras.models.load_model(path).predict(data, verbose=0), np.tanh(data), rtol=1e-6)
    layer, inputs, _, run = _call_case("dense")
    with pytest.raises(ValueError, match=f'records Dense.call\\(\\) of layer "{layer.name}".*cannot be saved'):
        keras.Model(inputs, run()).get_config()


def test_direct_calls_on_real_tensors_still_compute():
    layer = _built(keras.layers.Dense(2, kernel_initializer="ones"), (None, 3))
    out = layer.call(K.constant(np.ones((2, 3), "float32")))
    np.testing.assert_allclose(K.to_numpy(out), np.full((2, 2), 3.0))
    assert K.is_tensor(out)
