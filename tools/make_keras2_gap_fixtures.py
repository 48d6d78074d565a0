"""What tf-keras 2.21 (and, for Keras 3's Sequence, Keras 3.15.1) does in five corners fastkeras had left open, for
tests/engine/test_keras2_gaps.py.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21), then with Keras 3 on torch:

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_keras2_gap_fixtures.py
    KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_keras2_gap_fixtures.py --keras3

Writes tests/fixtures/keras2_gaps/:
- ``keras2.json`` (tf-keras), one section per gap:
  - ``bidirectional``: a ``Bidirectional(RNN(ConstantCell(3)))`` called with ``constants=`` in functional models
    (``concat``: the layer's config, its model's JSON, weight names; ``states``: ``return_sequences``,
    ``merge_mode='sum'``, symbolic ``initial_state`` and ``constants``, its JSON), the fit of ``concat``
    (``FIT``: losses), and what tf-keras refuses (``refusals``: error type and message);
  - ``add_loss``: per case of ``ADD_LOSS_CASES`` (a Dense of ones feeding a Dense of ones, plus the added loss),
    ``add`` (the error of the add_loss call itself, or null), ``n_losses`` (len(model.losses)), ``evaluate``
    and two ``train_on_batch`` losses (each a number or ``{"error": type}``), ``predict_ok``;
    ``sequential_layers``: a Sequential's ``layers`` after ``add_loss`` and after a later ``add``;
    ``activity_before_call``: what ``model.losses`` holds before any call and what using it does;
  - ``call_on_symbolic``: per case of ``call_cases``: how tf-keras answers ``layer.call(keras_tensor)`` (or,
    for ``outer_called``, ``layer(keras_tensor)``)
    (``error`` or ``layers``, the class names of the model built on its output, ``n_weights``, ``trained``:
    whether fit changed the layer's weights);
  - ``custom_step``: fits and evaluations of two-output models whose own train_step/test_step call
    ``self.compiled_loss`` (or ``self.compute_loss``): histories, ``model.metrics`` names,
    ``compiled_loss.metrics`` names;
  - ``sequence``: what tf-keras does with a ``keras.utils.Sequence`` subclass passing Keras 3's reading settings
    to ``super().__init__``.
- ``keras2.npz``: ``bidirectional/{x,c,s}``, ``bidirectional/<model>/w<i>`` (weights set before predicting),
  ``bidirectional/<model>/y`` (predictions), ``bidirectional/eager_y`` (the layer called eagerly with
  ``constants=``), ``bidirectional/fit_w<i>`` (weights after the fit); ``call/<case>/x<i>``,
  ``call/<case>/w<i>``, ``call/<case>/y``.
- ``bidirectional_constants.h5``: the ``concat`` model saved by tf-keras (its cell registered as ``ConstantCell``).
- ``keras3.json`` (``--keras3``): ``sequence``: fit histories (loss for batch *i* is *i*², so each epoch's
  batches show), the settings a ``keras.utils.Sequence`` subclass reads with, the error of an unknown keyword.
"""
import json
import os
import re
import sys
import zlib

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras2_gaps")


def _rng(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _floats(values):
    return [float(v) for v in values]


def _stable(message):
    """An error message without what changes from run to run (object addresses, graph ids, the traceback a
    TensorFlow error quotes), so that rerunning the script rewrites the same file."""
    message = message.split(" was defined here:")[0]
    message = re.sub(r"0x[0-9a-f]+", "0x...", message)
    return re.sub(r"id=\d+", "id=...", message)


def answer(fn):
    """``fn()``'s error as ``{"error": type, "message": text}``, or None when it returns."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the reference records whatever Keras raises
        return {"error": type(e).__name__, "message": _stable(str(e))}
    return None


def value_or_error(fn):
    try:
        return float(np.asarray(fn()))
    except Exception as e:  # noqa: BLE001
        return {"error": type(e).__name__}


# ---- 1. Bidirectional(..., constants=...) --------------------------------------------------------------------

def constant_cell_class(keras):
    """The cell the test defines too: h = x W + h U + c, one constant of the cell's width."""
    K = keras.backend

    class ConstantCell(keras.layers.Layer):
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
    return ConstantCell


FIT = dict(epochs=2, batch_size=2, shuffle=False, learning_rate=0.1)


def bidirectional(keras, arrays):
    import tensorflow as tf
    Cell = constant_cell_class(keras)
    layers = keras.layers
    rng = _rng("bidirectional")
    x_data = rng.standard_normal((4, 5, 4)).astype("float32")
    c_data = rng.standard_normal((4, 3)).astype("float32")
    s_data = rng.standard_normal((4, 3)).astype("float32")
    arrays.update({"bidirectional/x": x_data, "bidirectional/c": c_data, "bidirectional/s": s_data})
    out = {}

    keras.backend.clear_session()
    x, c = keras.Input((5, 4), name="x"), keras.Input((3,), name="c")
    layer = layers.Bidirectional(layers.RNN(Cell(3)), name="bidi")
    model = keras.Model([x, c], layer(x, constants=c), name="concat")
    weights = [_rng(f"concat/w{i}").standard_normal(w.shape).astype("float32") * 0.5
               for i, w in enumerate(model.get_weights())]
    model.set_weights(weights)
    for i, w in enumerate(weights):
        arrays[f"bidirectional/concat/w{i}"] = w
    arrays["bidirectional/concat/y"] = model.predict([x_data, c_data], verbose=0)
    arrays["bidirectional/eager_y"] = layer(tf.constant(x_data), constants=tf.constant(c_data)).numpy()
    out["concat"] = {"layer_config": layer.get_config(), "model_json": model.to_json(),
                     "weight_names": [w.name for w in model.weights], "output_shape": list(model.output_shape)}
    model.save(os.path.join(OUT, "bidirectional_constants.h5"))
    model.compile(keras.optimizers.SGD(learning_rate=FIT["learning_rate"]), "mse")
    target = np.linspace(-1, 1, 24, dtype="float32").reshape(4, 6)
    arrays["bidirectional/fit_target"] = target
    history = model.fit([x_data, c_data], target, epochs=FIT["epochs"], batch_size=FIT["batch_size"],
                        shuffle=FIT["shuffle"], verbose=0).history
    out["concat"]["fit_loss"] = _floats(history["loss"])
    for i, w in enumerate(model.get_weights()):
        arrays[f"bidirectional/fit_w{i}"] = w

    keras.backend.clear_session()
    x, c = keras.Input((5, 4), name="x"), keras.Input((3,), name="c")
    s1, s2 = keras.Input((3,), name="s1"), keras.Input((3,), name="s2")
    layer = layers.Bidirectional(layers.RNN(Cell(3), return_sequences=True), merge_mode="sum", name="bidi")
    model = keras.Model([x, s1, s2, c], layer(x, initial_state=[s1, s2], constants=c), name="states")
    weights = [_rng(f"states/w{i}").standard_normal(w.shape).astype("float32") * 0.5
               for i, w in enumerate(model.get_weights())]
    model.set_weights(weights)
    for i, w in enumerate(weights):
        arrays[f"bidirectional/states/w{i}"] = w
    arrays["bidirectional/states/y"] = model.predict([x_data, s_data, -s_data, c_data], verbose=0)
    out["states"] = {"layer_config": layer.get_config(), "model_json": model.to_json(),
                     "output_shape": list(model.output_shape)}

    keras.backend.clear_session()
    x, c = keras.Input((5, 4), name="x"), keras.Input((3,), name="c")
    out["refusals"] = {
        # LSTM.call takes no constants: tf-keras passes them on and the call fails
        "lstm": answer(lambda: layers.Bidirectional(layers.LSTM(3))(x, constants=c)),
        "mixed": answer(lambda: layers.Bidirectional(layers.RNN(Cell(3)))(x, constants=[c, tf.constant(c_data)])),
        "cell_without_constants": answer(lambda: layers.Bidirectional(layers.RNN(layers.SimpleRNNCell(3)))(
            x, constants=c)),
        "odd_initial_state": answer(lambda: layers.Bidirectional(layers.RNN(Cell(3)))(
            x, initial_state=[keras.Input((3,))], constants=c)),
    }
    return out


# ---- 2. add_loss outside call() --------------------------------------------------------------------------------

ADD_LOSS_X = (np.arange(12, dtype="float32").reshape(4, 3) / 10)


def add_loss_cases(keras):
    K = keras.backend
    import tensorflow as tf

    def functional():
        x = keras.Input((3,))
        hidden = keras.layers.Dense(2, name="hidden", kernel_initializer="ones")
        h = hidden(x)
        out = keras.layers.Dense(1, name="out", kernel_initializer="ones")(h)
        return x, hidden, h, out, keras.Model(x, out)

    def sequential():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, kernel_initializer="ones")])
        return None, model.layers[0], None, model.output, model

    def nested():
        inner_x = keras.Input((3,))
        inner_h = keras.layers.Dense(2, kernel_initializer="ones")(inner_x)
        inner = keras.Model(inner_x, inner_h)
        inner.add_loss(K.mean(inner_h))
        x = keras.Input((3,))
        out = keras.layers.Dense(1, kernel_initializer="ones")(inner(x))
        return x, inner, None, out, keras.Model(x, out)

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1, kernel_initializer="ones")

        def call(self, x):
            return self.dense(x)

    def subclassed():
        model = Subclassed()
        return keras.Input((3,)), model.dense, None, None, model

    # name -> (builder, what to add given (x, hidden, h, out, model))
    cases = {
        "model_symbolic": (functional, lambda x, d, h, o, m: m.add_loss(K.mean(h))),
        "model_symbolic_list": (functional, lambda x, d, h, o, m: m.add_loss([K.mean(h), K.sum(o)])),
        "model_symbolic_of_input": (functional, lambda x, d, h, o, m: m.add_loss(K.mean(x))),
        "model_symbolic_inputs_kw": (functional, lambda x, d, h, o, m: m.add_loss(K.mean(h), inputs=x)),
        "model_callable": (functional, lambda x, d, h, o, m: m.add_loss(lambda: K.sum(d.kernel))),
        "layer_callable": (functional, lambda x, d, h, o, m: d.add_loss(lambda: K.sum(d.kernel))),
        "layer_callable_list": (functional, lambda x, d, h, o, m: d.add_loss([lambda: K.sum(d.kernel),
                                                                               lambda: K.sum(d.bias)])),
        "sequential_symbolic": (sequential, lambda x, d, h, o, m: m.add_loss(K.mean(o))),
        "nested_symbolic": (nested, lambda x, d, h, o, m: None),
        # accepted by add_loss, refused when the model trains or evaluates
        "layer_symbolic": (functional, lambda x, d, h, o, m: d.add_loss(K.mean(h))),
        "subclassed_symbolic": (subclassed, lambda x, d, h, o, m: m.add_loss(K.mean(x))),
        # refused by add_loss itself
        "model_eager_tensor": (functional, lambda x, d, h, o, m: m.add_loss(tf.constant(1.0))),
        "model_number": (functional, lambda x, d, h, o, m: m.add_loss(1.0)),
        "layer_eager_tensor": (functional, lambda x, d, h, o, m: d.add_loss(tf.constant(1.0))),
        "unknown_keyword": (functional, lambda x, d, h, o, m: m.add_loss(K.mean(h), foo=1)),
        "other_input": (functional, lambda x, d, h, o, m: m.add_loss(K.mean(keras.Input((3,))))),
    }
    y = np.zeros((4, 1), "float32")
    out = {}
    for name, (build, add) in cases.items():
        keras.backend.clear_session()
        x, layer, h, o, model = build()
        entry = {"add": answer(lambda: add(x, layer, h, o, model))}
        model.compile(keras.optimizers.SGD(learning_rate=0.1), "mse")
        entry["predict_ok"] = answer(lambda: model.predict(ADD_LOSS_X, verbose=0)) is None
        entry["n_losses"] = len(model.losses)
        entry["evaluate"] = value_or_error(lambda: model.evaluate(ADD_LOSS_X, y, verbose=0))
        entry["train_on_batch"] = [value_or_error(lambda: model.train_on_batch(ADD_LOSS_X, y)) for _ in range(2)]
        out[name] = entry

    # A Sequential lists the layers add_loss attached after its own; add() drops them with their losses.
    keras.backend.clear_session()
    _, _, _, o, model = sequential()
    model.add_loss(K.mean(o))
    listed = [type(l).__name__ for l in model.layers]
    model.add(keras.layers.Dense(2))
    out["sequential_layers"] = {"after_add_loss": listed, "after_add": [type(l).__name__ for l in model.layers],
                                "n_losses_after_add": len(model.losses)}

    # Activity-regularization losses asked for before the model has run: tf-keras hands out tensors of a
    # scratch graph that nothing can evaluate.
    keras.backend.clear_session()
    x = keras.Input((3,))
    dense = keras.layers.Dense(2, kernel_initializer="ones", activity_regularizer=keras.regularizers.l2(0.1))
    model = keras.Model(x, dense(x))
    out["activity_before_call"] = {
        "n_losses": len(model.losses),
        "k_function": answer(lambda: K.function([x], [K.sum(model.losses)])(ADD_LOSS_X)),
        "add_loss": answer(lambda: model.add_loss(model.losses)),
    }
    return out


# ---- 3. layer.call(keras_tensor) ----------------------------------------------------------------------------

def call_cases(keras):
    layers = keras.layers

    class Outer(layers.Layer):
        """A Keras 2 custom layer that runs its inner layer's call() directly."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = layers.Dense(2)

        def build(self, input_shape):
            self.inner.build(input_shape)
            super().build(input_shape)

        def call(self, inputs):
            return self.inner.call(inputs) * 2.0

    class Net(keras.Model):
        def __init__(self):
            super().__init__(name="net")
            self.first = layers.Dense(3, activation="relu", name="first")
            self.second = layers.Dense(2, name="second")

        def call(self, inputs):
            return self.second(self.first(inputs))

    def built(layer, shape):
        layer.build(shape)
        return layer

    def net():
        model = Net()
        model.build((None, 4))
        return model

    def functional():
        x = keras.Input((4,))
        return keras.Model(x, layers.Dense(2, activation="tanh")(layers.Dense(3)(x)))

    # name -> (make the layer, input shapes without batch, call kwargs)
    return {
        "dense": (lambda: built(layers.Dense(2, activation="relu"), (None, 4)), [(4,)], {}),
        "dense_unbuilt": (lambda: layers.Dense(2), [(4,)], {}),
        "activation": (lambda: layers.Activation("tanh"), [(4,)], {}),
        "concatenate": (lambda: layers.Concatenate(), [(4,), (3,)], {}),
        "batch_norm_inference": (lambda: built(layers.BatchNormalization(), (None, 4)), [(4,)],
                                 {"training": False}),
        "lstm": (lambda: built(layers.LSTM(2), (None, 3, 4)), [(3, 4)], {}),
        "dropout": (lambda: layers.Dropout(0.5), [(4,)], {}),
        "lambda": (lambda: layers.Lambda(lambda t: t * 2.0 + 1.0), [(4,)], {}),
        "outer_inner_call": (lambda: built(Outer(), (None, 4)), [(4,)], {}),
        # the usual way: the outer layer called on the Input, its call() then runs inner.call() itself
        "outer_called": (lambda: built(Outer(), (None, 4)), [(4,)], {"__call__": True}),
        "subclassed_model": (net, [(4,)], {}),
        "functional_model": (functional, [(4,)], {}),
    }


def call_on_symbolic(keras, arrays):
    out = {}
    for name, (make, shapes, kwargs) in call_cases(keras).items():
        keras.backend.clear_session()
        layer = make()
        weights = [_rng(f"call/{name}/w{i}").uniform(0.1, 1.0, w.shape).astype("float32")
                   for i, w in enumerate(layer.get_weights())]
        if weights:
            layer.set_weights(weights)
        for i, w in enumerate(weights):
            arrays[f"call/{name}/w{i}"] = w
        inputs = [keras.Input(shape) for shape in shapes]
        data = [_rng(f"call/{name}/x{i}").standard_normal((3,) + shape).astype("float32")
                for i, shape in enumerate(shapes)]
        for i, d in enumerate(data):
            arrays[f"call/{name}/x{i}"] = d
        argument = inputs if len(inputs) > 1 else inputs[0]
        kwargs = dict(kwargs)
        run = layer if kwargs.pop("__call__", False) else layer.call
        try:
            output = run(argument, **kwargs)
        except Exception as e:  # noqa: BLE001
            out[name] = {"error": type(e).__name__, "message": _stable(str(e))}
            continue
        model = keras.Model(inputs, output)
        arrays[f"call/{name}/y"] = model.predict(data if len(data) > 1 else data[0], verbose=0)
        before = [w.copy() for w in layer.get_weights()]
        model.compile(keras.optimizers.SGD(learning_rate=0.5), "mse")
        model.fit(data if len(data) > 1 else data[0], np.ones_like(arrays[f"call/{name}/y"]), verbose=0, epochs=2)
        trained = any(not np.allclose(a, b) for a, b in zip(before, layer.get_weights()))
        out[name] = {"layers": [type(l).__name__ for l in model.layers], "n_weights": len(model.weights),
                     "trained": trained}
    return out


# ---- 5. custom train_step/test_step: per-output loss trackers -------------------------------------------------

def custom_step(keras):
    import tensorflow as tf

    class ByCompiledLoss(keras.Model):
        def train_step(self, data):
            x, y = data[0], data[1]
            sample_weight = data[2] if len(data) > 2 else None
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, sample_weight, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
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
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x, y, y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return self.compute_metrics(x, y, y_pred, None)

    def model(cls, **compile_kwargs):
        keras.backend.clear_session()
        x = keras.Input((3,))
        a = keras.layers.Dense(1, name="a", kernel_initializer="ones")(x)
        b = keras.layers.Dense(2, name="b", kernel_initializer="ones")(x)
        m = cls(x, [a, b])
        m.compile(keras.optimizers.SGD(learning_rate=0.05), **compile_kwargs)
        return m

    x = np.arange(12, dtype="float32").reshape(4, 3) / 10
    ya, yb = np.zeros((4, 1), "float32"), np.ones((4, 2), "float32")
    sw = np.array([1.0, 0.5, 2.0, 0.0], "float32")

    def run(cls, fit_kwargs=None, **compile_kwargs):
        m = model(cls, **compile_kwargs)
        entry = {"metrics_before": [mm.name for mm in m.metrics]}
        history = m.fit(x, [ya, yb], batch_size=2, epochs=2, shuffle=False, verbose=0, **(fit_kwargs or {}))
        entry["history"] = {k: _floats(v) for k, v in history.history.items()}
        entry["metrics"] = [mm.name for mm in m.metrics]
        entry["compiled_loss_metrics"] = [mm.name for mm in m.compiled_loss.metrics]
        entry["metrics_names"] = list(m.metrics_names)
        entry["evaluate"] = {k: float(v) for k, v in
                             m.evaluate(x, [ya, yb], batch_size=2, verbose=0, return_dict=True).items()}
        return entry

    return {
        "weighted": run(ByCompiledLoss, loss=["mse", "mae"], metrics={"b": "mae"}, loss_weights=[1.0, 0.5]),
        "sample_weight": run(ByCompiledLoss, fit_kwargs={"sample_weight": sw}, loss=["mse", "mae"]),
        "one_loss": run(ByCompiledLoss, loss={"a": "mse"}),
        "metric_object": run(ByCompiledLoss, loss=["mse", "mae"],
                             metrics={"b": keras.metrics.MeanAbsoluteError(name="my_mae")}),
        "compute_loss": run(ByComputeLoss, loss=["mse", "mae"], metrics=["mse"], loss_weights=[2.0, 1.0]),
    }


# ---- 4. keras.utils.Sequence with Keras 3's reading settings ---------------------------------------------------

def sequence_class(keras):
    class Batches(keras.utils.Sequence):
        """Batch i: inputs and targets i (a zero Dense then has loss i**2)."""

        def __init__(self, n, **kwargs):
            super().__init__(**kwargs)
            self.n = n

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            return np.full((2, 3), i, "float32"), np.full((2, 1), i, "float32")
    return Batches


def keras2_sequence(keras):
    Batches = sequence_class(keras)
    return {"with_settings": answer(lambda: Batches(3, workers=2)), "plain": answer(lambda: Batches(3))}


def keras3_sequence(keras):
    Batches = sequence_class(keras)

    def losses(data, **fit_kwargs):
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, kernel_initializer="zeros")])
        m.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
        return _floats(m.fit(data, verbose=0, **fit_kwargs).history["loss"])

    data = Batches(5, workers=2, use_multiprocessing=False, max_queue_size=3)
    return {
        "is_py_dataset": keras.utils.Sequence is keras.utils.PyDataset,
        "settings": [data.workers, data.use_multiprocessing, data.max_queue_size],
        "defaults": [Batches(2).workers, Batches(2).use_multiprocessing, Batches(2).max_queue_size],
        "fit_threads": losses(Batches(5, workers=2), epochs=2, shuffle=False),
        # one worker: Keras 3's threaded reader first consumes batch 0 to peek at the data, which shifts what
        # later epochs read; read in the loop, the epochs continue where the last one stopped
        "fit_steps_continue": losses(Batches(5, workers=1, max_queue_size=3), epochs=4, steps_per_epoch=2,
                                     shuffle=False),
        "unknown_keyword": answer(lambda: Batches(3, foo=1)),
    }


# ---- main --------------------------------------------------------------------------------------------------

def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    return value


def main_keras2():
    import tensorflow as tf
    import tf_keras as keras
    tf.keras.utils.set_random_seed(0)
    arrays = {}
    out = {"bidirectional": bidirectional(keras, arrays), "add_loss": add_loss_cases(keras),
           "call_on_symbolic": call_on_symbolic(keras, arrays), "custom_step": custom_step(keras),
           "sequence": keras2_sequence(keras)}
    with open(os.path.join(OUT, "keras2.json"), "w") as f:
        json.dump(_jsonable(out), f, indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(OUT, "keras2.npz"), **arrays)


def main_keras3():
    import keras
    assert keras.backend.backend() == "torch", "run with KERAS_BACKEND=torch"
    keras.utils.set_random_seed(0)
    with open(os.path.join(OUT, "keras3.json"), "w") as f:
        json.dump(_jsonable({"sequence": keras3_sequence(keras)}), f, indent=1, sort_keys=True)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    if "--keras3" in sys.argv[1:]:
        main_keras3()
    else:
        main_keras2()
    print("wrote", sorted(os.listdir(OUT)))
