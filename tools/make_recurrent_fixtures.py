"""Writes the expected values of tests/layers/test_recurrent.py by running real tf-keras.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_recurrent_fixtures.py

Every case is a small tf-keras functional model around the layer under test (so masks come from a real
Masking or Embedding(mask_zero=True) layer, and symbolic initial states are model inputs). It writes, into
tests/fixtures/recurrent/:

* ``cases.json``: per case its id, ``model.to_json()``, the names and shapes of ``model.weights``, which
  inputs are float (differentiated), whether the case is stateful, and the layer configs by name;
* ``arrays.npz``: per case ``<id>/in<i>`` (inputs), ``<id>/w<i>`` (weights: seeded N(0, 0.5^2) values set
  with ``set_weights``), ``<id>/out<i>`` (the flattened outputs of ``model(inputs, training=False)``),
  ``<id>/cot<i>`` (seeded random cotangents) and ``<id>/din<i>`` / ``<id>/dw<i>``, the gradients of
  ``sum_i(sum(out_i * cot_i))`` with respect to the float inputs and the weights (tf.GradientTape).
  Stateful cases call the model twice: ``out*`` and the gradients are from the second call (the first
  call's states are constants, as in Keras), ``first_out*`` from the first; then ``reset_states()`` and
  ``reset_out*`` (equal to the first call's), then ``reset_states(states)`` with ``<id>/state<i>`` and
  ``given_out*``;
* ``<model>.h5`` + ``<model>.json`` + ``<model>.npz`` for the weight-file cases (a stacked Embedding/LSTM/GRU
  Sequential model and a functional model of two Bidirectional layers): ``model.save_weights`` in the Keras 2
  HDF5 layout, ``model.to_json()``, and inputs/``model.predict`` outputs.
"""
import json
import os
import shutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "recurrent")
BATCH, TIME, FEATURES = 3, 5, 4


def masked_sequence(rng, shape=(BATCH, TIME, FEATURES)):
    """Float inputs with all-zero (masked by Masking) steps: leading, trailing and in the middle."""
    x = rng.standard_normal(shape).astype(np.float32)
    x[0, -2:] = 0.0      # right padding
    x[1, :2] = 0.0       # left padding: the first outputs are zeros
    x[2, 2] = 0.0        # a hole in the middle
    return x


def seq_input(shape=(TIME, FEATURES), **kwargs):
    return keras.Input(shape, **kwargs)


def single(layer_fn, masked=False, shape=(TIME, FEATURES)):
    """A model Input -> [Masking] -> layer."""
    def build(rng):
        x = seq_input(shape)
        h = L.Masking()(x) if masked else x
        y = layer_fn()(h)
        data = masked_sequence(rng, (BATCH,) + shape) if masked else \
            rng.standard_normal((BATCH,) + shape).astype(np.float32)
        return keras.Model(x, y), [data]
    return build


def with_initial_state(layer_fn, state_sizes):
    def build(rng):
        x = seq_input()
        states = [keras.Input((s,)) for s in state_sizes]
        y = layer_fn()(x, initial_state=states)
        data = [rng.standard_normal((BATCH, TIME, FEATURES)).astype(np.float32)] + \
            [rng.standard_normal((BATCH, s)).astype(np.float32) for s in state_sizes]
        return keras.Model([x] + states, y), data
    return build


def stateful(layer_fn):
    def build(rng):
        x = keras.Input(batch_shape=(BATCH, TIME, FEATURES))
        y = layer_fn()(x)
        return keras.Model(x, y), [rng.standard_normal((BATCH, TIME, FEATURES)).astype(np.float32)]
    return build


def time_major(layer_fn):
    def build(rng):
        x = keras.Input((BATCH, FEATURES))   # (time, batch, features)
        y = layer_fn()(x)
        return keras.Model(x, y), [rng.standard_normal((TIME, BATCH, FEATURES)).astype(np.float32)]
    return build


def embedded(layer_fn, vocabulary=12):
    """Int ids -> Embedding(mask_zero=True) -> layer (the mask comes from the embedding)."""
    def build(rng):
        ids = keras.Input((TIME,), dtype="int32")
        y = layer_fn()(L.Embedding(vocabulary, FEATURES, mask_zero=True)(ids))
        data = rng.integers(1, vocabulary, (BATCH, TIME)).astype(np.int32)
        data[0, -2:] = 0
        data[1, 3:] = 0
        return keras.Model(ids, y), [data]
    return build


def embedding_dense(rng):
    ids = keras.Input((TIME,))   # float ids, as a Sequential model's default input: Embedding casts them
    h = L.Embedding(9, 3, input_length=TIME, embeddings_regularizer="l2")(ids)
    y = L.Dense(2)(L.Flatten()(h))
    return keras.Model(ids, y), [rng.integers(0, 9, (BATCH, TIME)).astype(np.float32)]


def masking_value(rng):
    x = seq_input()
    y = L.SimpleRNN(2, return_sequences=True)(L.Masking(mask_value=1.5)(x))
    data = rng.standard_normal((BATCH, TIME, FEATURES)).astype(np.float32)
    data[0, 1] = 1.5
    data[2, -1] = 1.5
    data[1, 2, :2] = 1.5   # not all features equal the mask value: kept
    return keras.Model(x, y), [data]


CASES = [
    # LSTM
    ("lstm", single(lambda: L.LSTM(3))),
    ("lstm_seq", single(lambda: L.LSTM(3, return_sequences=True))),
    ("lstm_seq_state", single(lambda: L.LSTM(3, return_sequences=True, return_state=True))),
    ("lstm_backwards_seq", single(lambda: L.LSTM(3, return_sequences=True, go_backwards=True))),
    ("lstm_backwards_state", single(lambda: L.LSTM(3, go_backwards=True, return_state=True))),
    ("lstm_masked_seq_state", single(lambda: L.LSTM(3, return_sequences=True, return_state=True), masked=True)),
    ("lstm_masked_backwards_seq", single(lambda: L.LSTM(3, return_sequences=True, go_backwards=True),
                                         masked=True)),
    ("lstm_initial_state", with_initial_state(lambda: L.LSTM(3, return_sequences=True, return_state=True), [3, 3])),
    ("lstm_stateful", stateful(lambda: L.LSTM(3, return_sequences=True, stateful=True))),
    ("lstm_time_major", time_major(lambda: L.LSTM(3, return_sequences=True, time_major=True))),
    ("lstm_unroll", single(lambda: L.LSTM(3, return_sequences=True, unroll=True))),
    ("lstm_hard_sigmoid_relu_nobias", single(lambda: L.LSTM(3, activation="relu", recurrent_activation="hard_sigmoid",
                                                            use_bias=False, return_sequences=True))),
    ("lstm_dropout_inference", single(lambda: L.LSTM(3, dropout=0.3, recurrent_dropout=0.4, unit_forget_bias=False,
                                                     return_sequences=True))),
    ("lstm_embedding_mask", embedded(lambda: L.LSTM(3, return_sequences=True, return_state=True))),
    # GRU
    ("gru", single(lambda: L.GRU(3))),
    ("gru_seq_state", single(lambda: L.GRU(3, return_sequences=True, return_state=True))),
    ("gru_reset_before_seq", single(lambda: L.GRU(3, reset_after=False, return_sequences=True))),
    ("gru_reset_before_nobias", single(lambda: L.GRU(3, reset_after=False, use_bias=False))),
    ("gru_backwards_state", single(lambda: L.GRU(3, go_backwards=True, return_state=True))),
    ("gru_masked_seq_state", single(lambda: L.GRU(3, return_sequences=True, return_state=True), masked=True)),
    ("gru_reset_before_masked", single(lambda: L.GRU(3, reset_after=False, return_sequences=True), masked=True)),
    ("gru_initial_state", with_initial_state(lambda: L.GRU(3, return_sequences=True), [3])),
    ("gru_stateful", stateful(lambda: L.GRU(3, stateful=True))),
    ("gru_dropout_inference", single(lambda: L.GRU(3, dropout=0.3, recurrent_dropout=0.4, return_sequences=True))),
    ("gru_embedding_mask", embedded(lambda: L.GRU(3, return_sequences=True))),
    # SimpleRNN
    ("simple_rnn", single(lambda: L.SimpleRNN(3))),
    ("simple_rnn_relu_backwards_seq", single(lambda: L.SimpleRNN(3, activation="relu", go_backwards=True,
                                                                 return_sequences=True))),
    ("simple_rnn_sigmoid_state", single(lambda: L.SimpleRNN(3, activation="sigmoid", return_state=True))),
    ("simple_rnn_masked_seq", single(lambda: L.SimpleRNN(3, return_sequences=True), masked=True)),
    ("simple_rnn_stateful", stateful(lambda: L.SimpleRNN(3, stateful=True, return_sequences=True))),
    # RNN(cell) and StackedRNNCells
    ("rnn_lstm_cell", single(lambda: L.RNN(L.LSTMCell(3), return_sequences=True))),
    ("rnn_gru_cell_backwards", single(lambda: L.RNN(L.GRUCell(3, reset_after=False), go_backwards=True))),
    ("rnn_stacked_seq", single(lambda: L.RNN([L.LSTMCell(3), L.GRUCell(2), L.SimpleRNNCell(2)],
                                             return_sequences=True))),
    ("rnn_stacked_masked_state", single(lambda: L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)]),
                                                      return_state=True), masked=True)),
    # Bidirectional
    ("bidi_concat_seq", single(lambda: L.Bidirectional(L.LSTM(3, return_sequences=True)))),
    ("bidi_sum_gru", single(lambda: L.Bidirectional(L.GRU(3), merge_mode="sum"))),
    ("bidi_mul", single(lambda: L.Bidirectional(L.LSTM(3), merge_mode="mul"))),
    ("bidi_ave_simple_rnn_seq", single(lambda: L.Bidirectional(L.SimpleRNN(3, return_sequences=True),
                                                               merge_mode="ave"))),
    ("bidi_none_seq", single(lambda: L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode=None))),
    ("bidi_state", single(lambda: L.Bidirectional(L.LSTM(3, return_state=True)))),
    ("bidi_none_state_seq", single(lambda: L.Bidirectional(L.GRU(3, return_sequences=True, return_state=True),
                                                           merge_mode=None))),
    ("bidi_masked_seq", single(lambda: L.Bidirectional(L.LSTM(3, return_sequences=True)), masked=True)),
    ("bidi_masked_state", single(lambda: L.Bidirectional(L.GRU(3, return_state=True)), masked=True)),
    ("bidi_initial_state", with_initial_state(lambda: L.Bidirectional(L.LSTM(3, return_sequences=True)),
                                              [3, 3, 3, 3])),
    ("bidi_backward_layer", single(lambda: L.Bidirectional(
        L.LSTM(3, return_sequences=True), backward_layer=L.GRU(2, return_sequences=True, go_backwards=True)))),
    ("bidi_stateful", stateful(lambda: L.Bidirectional(L.LSTM(3, stateful=True, return_sequences=True)))),
    ("bidi_embedding_mask", embedded(lambda: L.Bidirectional(L.GRU(3)))),
    # Embedding and Masking on their own
    ("embedding_input_length_dense", embedding_dense),
    ("masking_value", masking_value),
]


def jsonable(value):
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def flat_outputs(y):
    return [t for t in tf.nest.flatten(y)]


def is_float(a):
    return np.issubdtype(a.dtype, np.floating)


def forward_and_gradients(model, inputs, rng):
    tensors = [tf.constant(a) for a in inputs]
    float_inputs = [t for t, a in zip(tensors, inputs) if is_float(a)]
    with tf.GradientTape() as tape:
        for t in float_inputs:
            tape.watch(t)
        outputs = flat_outputs(model(tensors if len(tensors) > 1 else tensors[0], training=False))
        cots = [rng.standard_normal(o.shape).astype(np.float32) for o in outputs]
        loss = tf.add_n([tf.reduce_sum(o * c) for o, c in zip(outputs, cots)])
    grads = tape.gradient(loss, float_inputs + list(model.weights))
    for g, w in zip(grads[len(float_inputs):], model.weights):
        if g is None:
            raise RuntimeError(f"no gradient for {w.name}")
    # Float ids cast to integers (Embedding) have no gradient: they are not differentiated inputs.
    input_grads = [tf.convert_to_tensor(g).numpy() if g is not None else None for g in grads[:len(float_inputs)]]
    weight_grads = [tf.convert_to_tensor(g).numpy() for g in grads[len(float_inputs):]]
    return [o.numpy() for o in outputs], cots, input_grads, weight_grads


def call(model, inputs):
    tensors = [tf.constant(a) for a in inputs]
    return [o.numpy() for o in flat_outputs(model(tensors if len(tensors) > 1 else tensors[0], training=False))]


def rnn_layers(model):
    return [layer for layer in model.layers if hasattr(layer, "reset_states") and getattr(layer, "stateful", False)]


def run_case(case_id, builder, index, arrays):
    keras.backend.clear_session()
    tf.keras.utils.set_random_seed(index)
    rng = np.random.default_rng(2000 + index)
    model, inputs = builder(rng)
    weights = [(rng.standard_normal(w.shape) * 0.5).astype(np.float32) for w in model.weights]
    model.set_weights(weights)
    is_stateful = bool(rnn_layers(model))
    if is_stateful:
        for layer in rnn_layers(model):
            layer.reset_states()
        first = call(model, inputs)
        second_inputs = [rng.standard_normal(a.shape).astype(np.float32) for a in inputs]
        outputs, cots, dinputs, dweights = forward_and_gradients(model, second_inputs, rng)
        model.reset_states()
        reset_out = call(model, inputs)
        layer = rnn_layers(model)[0]
        states_now = [s.numpy() for s in tf.nest.flatten(
            layer.states if not hasattr(layer, "forward_layer") else
            list(layer.forward_layer.states) + list(layer.backward_layer.states))]
        given = [rng.standard_normal(s.shape).astype(np.float32) for s in states_now]
        layer.reset_states(given)
        given_out = call(model, inputs)
        for i, a in enumerate(first):
            arrays[f"{case_id}/first_out{i}"] = a
        for i, a in enumerate(reset_out):
            arrays[f"{case_id}/reset_out{i}"] = a
        for i, a in enumerate(given):
            arrays[f"{case_id}/state{i}"] = a
        for i, a in enumerate(given_out):
            arrays[f"{case_id}/given_out{i}"] = a
        stored_inputs = second_inputs
        arrays.update({f"{case_id}/first_in{i}": a for i, a in enumerate(inputs)})
    else:
        outputs, cots, dinputs, dweights = forward_and_gradients(model, inputs, rng)
        stored_inputs = inputs
    for i, a in enumerate(stored_inputs):
        arrays[f"{case_id}/in{i}"] = a
    for i, a in enumerate(weights):
        arrays[f"{case_id}/w{i}"] = a
    for i, (o, c) in enumerate(zip(outputs, cots)):
        arrays[f"{case_id}/out{i}"] = o
        arrays[f"{case_id}/cot{i}"] = c
    differentiated = [i for i, a in enumerate(inputs) if is_float(a)]
    differentiated = [i for i, g in zip(differentiated, dinputs) if g is not None]
    for i, g in enumerate(g for g in dinputs if g is not None):
        arrays[f"{case_id}/din{i}"] = g
    for i, g in enumerate(dweights):
        arrays[f"{case_id}/dw{i}"] = g
    tested = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    model_json = model.to_json()
    # Layer configs as tf-keras serializes them (its JSON encoder unwraps the tracking wrappers get_config holds).
    serialized = {entry["name"]: entry["config"] for entry in json.loads(model_json)["config"]["layers"]}
    return {
        "id": case_id,
        "model_json": model_json,
        "weights": [{"name": w.name, "shape": list(w.shape)} for w in model.weights],
        "n_inputs": len(inputs),
        "float_inputs": differentiated,
        "n_outputs": len(outputs),
        "stateful": is_stateful,
        "layers": {layer.name: {"class_name": type(layer).__name__, "config": serialized[layer.name],
                                "weights": [{"name": w.name, "shape": list(w.shape)} for w in layer.weights]}
                   for layer in tested},
    }


# ---- weight files ------------------------------------------------------------------------------------------

def stacked_model():
    model = keras.Sequential([
        L.Embedding(30, 6, input_length=7, mask_zero=True),
        L.LSTM(5, return_sequences=True),
        L.GRU(4, return_sequences=True, reset_after=False),
        L.GRU(4, go_backwards=True),
        L.Dense(2, activation="softmax"),
    ], name="stacked")
    ids = np.random.default_rng(7).integers(1, 30, (4, 7)).astype(np.int32)
    ids[0, 5:] = 0
    ids[2, 3:] = 0
    return model, [ids]


def bidirectional_model():
    x = keras.Input((6, 3))
    h = L.Bidirectional(L.LSTM(4, return_sequences=True))(x)
    h = L.Bidirectional(L.GRU(3), merge_mode="sum")(h)
    y = L.Dense(1)(h)
    data = np.random.default_rng(8).standard_normal((4, 6, 3)).astype(np.float32)
    return keras.Model(x, y, name="bidirectional_stack"), [data]


# (Embedding kwargs, input shape): tf-keras' compute_output_shape, or the error it raises.
EMBEDDING_SHAPES = [
    (dict(input_dim=10, output_dim=3), (None, 5)),
    (dict(input_dim=10, output_dim=3), (None, None)),
    (dict(input_dim=10, output_dim=3), (None, 2, 5)),
    (dict(input_dim=10, output_dim=3, input_length=5), (None, None)),
    (dict(input_dim=10, output_dim=3, input_length=5), (None, 5)),
    (dict(input_dim=10, output_dim=3, input_length=5), (None, 6)),
    (dict(input_dim=10, output_dim=3, input_length=[None, 4]), (None, 2, None)),
    (dict(input_dim=10, output_dim=3, input_length=5), (None, 2, 5)),
]


def embedding_shapes():
    out = []
    for kwargs, shape in EMBEDDING_SHAPES:
        keras.backend.clear_session()
        layer = L.Embedding(**kwargs)
        entry = {"kwargs": kwargs, "input_shape": list(shape), "config": jsonable(layer.get_config())}
        try:
            entry["output_shape"] = list(layer.compute_output_shape(shape))
        except ValueError as e:
            entry["error"] = str(e)
        out.append(entry)
    return out


WEIGHT_FILE_MODELS = [("stacked_lstm_gru", stacked_model), ("bidirectional", bidirectional_model)]


def write_weight_file_case(name, builder, index):
    keras.backend.clear_session()
    tf.keras.utils.set_random_seed(100 + index)
    model, inputs = builder()
    rng = np.random.default_rng(3000 + index)
    model.set_weights([(rng.standard_normal(w.shape) * 0.5).astype(np.float32) for w in model.weights])
    # A path ending in plain '.h5' selects tf-keras' Keras 2 HDF5 writer.
    path = os.path.join(OUT_DIR, f"{name}.h5")
    model.save_weights(path)
    with open(os.path.join(OUT_DIR, f"{name}.json"), "w") as f:
        f.write(model.to_json())
    predicted = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    np.savez_compressed(os.path.join(OUT_DIR, f"{name}.npz"), input_0=inputs[0], output_0=predicted,
                        weight_names=np.asarray([w.name for w in model.weights]))
    # Self-check: a fresh tf-keras model from the JSON loading the file predicts the same.
    clone = keras.models.model_from_json(model.to_json())
    clone.load_weights(path)
    np.testing.assert_allclose(clone.predict(inputs[0], verbose=0), predicted, rtol=1e-6, atol=1e-6)
    print(f"{name:28s} weights file {os.path.getsize(path)} bytes")


def main():
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    arrays, cases = {}, []
    for index, (case_id, builder) in enumerate(CASES):
        case = run_case(case_id, builder, index, arrays)
        cases.append(case)
        print(f"{case_id:28s} outputs {case['n_outputs']} weights {len(case['weights'])}")
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump({"tf_keras_version": keras.__version__, "tensorflow_version": tf.__version__, "cases": cases,
                   "embedding_shapes": embedding_shapes()}, f, indent=1)
        f.write("\n")
    for index, (name, builder) in enumerate(WEIGHT_FILE_MODELS):
        write_weight_file_case(name, builder, index)
    total = sum(os.path.getsize(os.path.join(OUT_DIR, n)) for n in os.listdir(OUT_DIR))
    print(f"{len(os.listdir(OUT_DIR))} files, {total} bytes")


if __name__ == "__main__":
    main()
