"""Recurrent layers (SimpleRNN, GRU, LSTM, RNN(cell), StackedRNNCells, Bidirectional) against tf-keras 2.21.

Expected values come from tests/fixtures/recurrent (written by tools/make_recurrent_fixtures.py with real
tf-keras): each case is a small model rebuilt here from tf-keras' own JSON, given the fixture's weights, and
run on both code paths (the fused sequence kernels and the generic step loop); outputs must match within
1e-5 and the gradients of ``sum(output * cotangent)`` with respect to the float inputs and every weight
within 1e-4.
"""
import json
import os

import numpy as np
import pytest
import torch

import fastkeras
from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.layers import (
    GRU, LSTM, RNN, Bidirectional, Dense, Embedding, GRUCell, Input, LSTMCell, Masking, SimpleRNN, SimpleRNNCell,
    StackedRNNCells, concatenate,
)
from fastkeras.layers.recurrent import RNN as BaseRNN
from fastkeras.models import Model, Sequential, model_from_json

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "recurrent")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    CASES = json.load(_f)["cases"]
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
FORWARD_TOL = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(autouse=True)
def full_float32_cudnn():
    """On CUDA, compare in full float32: torch lets cuDNN's RNNs use TF32 by default (as TensorFlow does on
    GPU), which moves results by ~1e-4. Nothing changes on CPU."""
    saved = torch.backends.cudnn.allow_tf32
    torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32 = saved
GRAD_TOL = dict(rtol=1e-4, atol=1e-4)


def recurrent_layers(model):
    """Every RNN in ``model``, the halves of Bidirectional layers included."""
    found = []
    for layer in model.layers:
        if isinstance(layer, Bidirectional):
            found += [layer.forward_layer, layer.backward_layer]
        elif isinstance(layer, BaseRNN):
            found.append(layer)
    return found


def load_case(case, path):
    model = model_from_json(case["model_json"])
    assert [w.name for w in model.weights] == [w["name"] for w in case["weights"]]
    assert [list(w.shape) for w in model.weights] == [w["shape"] for w in case["weights"]]
    model.set_weights([ARRAYS[f"{case['id']}/w{i}"] for i in range(len(case["weights"]))])
    if path == "loop":
        for layer in recurrent_layers(model):
            layer._could_use_fused_kernel = False
    return model


def inputs_of(case, prefix="in"):
    return [ARRAYS[f"{case['id']}/{prefix}{i}"] for i in range(case["n_inputs"])]


def run(model, arrays, float_inputs=()):
    tensors = [K.convert_to_tensor(a) for a in arrays]
    for i in float_inputs:
        tensors[i].requires_grad_(True)
    outputs = model(tensors if len(tensors) > 1 else tensors[0])
    return tensors, tree.flatten(outputs)


def assert_outputs(outputs, case, prefix, what):
    assert len(outputs) == case["n_outputs"]
    for i, out in enumerate(outputs):
        np.testing.assert_allclose(K.to_numpy(out), ARRAYS[f"{case['id']}/{prefix}{i}"], **FORWARD_TOL,
                                   err_msg=f"{case['id']}: {what} {i}")


@pytest.mark.parametrize("path", ["fused", "loop"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_tf_keras(case, path):
    model = load_case(case, path)
    cid = case["id"]
    if case["stateful"]:
        model.reset_states()
        _, first = run(model, inputs_of(case, "first_in"))
        assert_outputs(first, case, "first_out", "first-batch output")
    tensors, outputs = run(model, inputs_of(case), case["float_inputs"])
    assert_outputs(outputs, case, "out", "output")
    loss = sum(K.sum(o * K.convert_to_tensor(ARRAYS[f"{cid}/cot{i}"])) for i, o in enumerate(outputs))
    float_tensors = [tensors[i] for i in case["float_inputs"]]
    grads = torch.autograd.grad(loss, float_tensors + list(model.weights))
    for i, g in enumerate(grads[:len(float_tensors)]):
        np.testing.assert_allclose(K.to_numpy(g), ARRAYS[f"{cid}/din{i}"], **GRAD_TOL,
                                   err_msg=f"{cid}: gradient of input {case['float_inputs'][i]}")
    for i, (g, w) in enumerate(zip(grads[len(float_tensors):], model.weights)):
        np.testing.assert_allclose(K.to_numpy(g), ARRAYS[f"{cid}/dw{i}"], **GRAD_TOL,
                                   err_msg=f"{cid}: gradient of {w.name}")
    if case["stateful"]:
        model.reset_states()
        _, again = run(model, inputs_of(case, "first_in"))
        assert_outputs(again, case, "reset_out", "output after reset_states()")
        layer = next(layer for layer in model.layers if getattr(layer, "stateful", False))
        given = [ARRAYS[f"{cid}/state{i}"] for i in range(len(tree.flatten(
            [layer.forward_layer.states, layer.backward_layer.states] if isinstance(layer, Bidirectional)
            else layer.states)))]
        layer.reset_states(given)
        _, after = run(model, inputs_of(case, "first_in"))
        assert_outputs(after, case, "given_out", "output after reset_states(states)")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_layer_configs_and_weights_match_tf_keras(case):
    model = model_from_json(case["model_json"])
    for name, expected in case["layers"].items():
        layer = next(layer for layer in model.layers if layer.name == name)
        assert type(layer).__name__ == expected["class_name"]
        config = json.loads(json.dumps(layer.get_config()))
        assert list(config) == list(expected["config"]), name
        assert config == expected["config"], name
        assert [(w.name, list(w.shape)) for w in layer.weights] == \
            [(w["name"], w["shape"]) for w in expected["weights"]]
    # The model's own JSON reads back into the same layers and weights.
    again = model_from_json(model.to_json())
    assert [w.name for w in again.weights] == [w["name"] for w in case["weights"]]


def fixture_config(case_id, layer_name):
    case = next(c for c in CASES if c["id"] == case_id)
    return case["layers"][layer_name]["config"]


def normalized(config):
    return json.loads(json.dumps(config))


@pytest.mark.parametrize("case_id, layer_name, make", [
    ("lstm", "lstm", lambda: LSTM(3)),
    ("gru", "gru", lambda: GRU(3)),
    ("gru_reset_before_seq", "gru", lambda: GRU(3, reset_after=False, return_sequences=True)),
    ("simple_rnn", "simple_rnn", lambda: SimpleRNN(3)),
    ("lstm_dropout_inference", "lstm", lambda: LSTM(3, dropout=0.3, recurrent_dropout=0.4, unit_forget_bias=False,
                                                    return_sequences=True)),
    ("lstm_stateful", "lstm", lambda: LSTM(3, return_sequences=True, stateful=True)),
    ("bidi_concat_seq", "bidirectional", lambda: Bidirectional(LSTM(3, return_sequences=True))),
    ("bidi_backward_layer", "bidirectional", lambda: Bidirectional(
        LSTM(3, return_sequences=True), backward_layer=GRU(2, return_sequences=True, go_backwards=True))),
    ("rnn_stacked_seq", "rnn", lambda: RNN([LSTMCell(3), GRUCell(2), SimpleRNNCell(2)], return_sequences=True)),
])
def test_configs_of_layers_built_in_code_match_tf_keras(case_id, layer_name, make):
    layer = make()
    layer(Input(batch_shape=(3, 5, 4)) if layer.stateful else Input((5, 4)))
    assert normalized(layer.get_config()) == fixture_config(case_id, layer_name)


def test_defaults_are_keras_2():
    lstm = LSTM(8)
    assert (lstm.units, lstm.activation.__name__, lstm.recurrent_activation.__name__, lstm.use_bias,
            lstm.unit_forget_bias, lstm.implementation, lstm.dropout, lstm.recurrent_dropout) == \
        (8, "tanh", "sigmoid", True, True, 2, 0.0, 0.0)
    assert GRU(4).reset_after is True
    assert LSTM(4, recurrent_dropout=0.2).implementation == 1  # Keras' switch to per-gate masks
    assert isinstance(RNN([LSTMCell(2), GRUCell(3)]).cell, StackedRNNCells)


# ---- HDF5 weight files written by tf-keras ---------------------------------------------------------------

def _weights_case(name):
    with open(os.path.join(FIXTURES, f"{name}.json")) as f:
        model_json = f.read()
    return model_json, np.load(os.path.join(FIXTURES, f"{name}.npz")), os.path.join(FIXTURES, f"{name}.h5")


def build_stacked_in_code():
    return Sequential([
        Embedding(30, 6, input_length=7, mask_zero=True),
        LSTM(5, return_sequences=True),
        GRU(4, return_sequences=True, reset_after=False),
        GRU(4, go_backwards=True),
        Dense(2, activation="softmax"),
    ], name="stacked")


def build_bidirectional_in_code():
    x = Input((6, 3))
    h = Bidirectional(LSTM(4, return_sequences=True))(x)
    h = Bidirectional(GRU(3), merge_mode="sum")(h)
    return Model(x, Dense(1)(h))


@pytest.mark.parametrize("name, build", [("stacked_lstm_gru", build_stacked_in_code),
                                         ("bidirectional", build_bidirectional_in_code)])
def test_tf_keras_weight_files_load_and_predict(name, build):
    model_json, data, path = _weights_case(name)
    for model in (model_from_json(model_json), build()):
        model.load_weights(path)
        assert [w.name for w in model.weights] == [str(n) for n in data["weight_names"]]
        np.testing.assert_allclose(np.asarray(model.predict(data["input_0"], verbose=0)), data["output_0"],
                                   **FORWARD_TOL)
        for layer in recurrent_layers(model):
            layer._could_use_fused_kernel = False
        np.testing.assert_allclose(np.asarray(model.predict(data["input_0"], verbose=0)), data["output_0"],
                                   **FORWARD_TOL)


def test_weights_round_trip_through_our_own_hdf5_file(tmp_path):
    model_json, data, path = _weights_case("bidirectional")
    source = model_from_json(model_json)
    source.load_weights(path)
    source.save_weights(tmp_path / "w.h5")
    target = build_bidirectional_in_code()
    target.load_weights(tmp_path / "w.h5")
    np.testing.assert_allclose(np.asarray(target.predict(data["input_0"], verbose=0)), data["output_0"],
                               **FORWARD_TOL)


# ---- the seeds' models -------------------------------------------------------------------------------------

def test_seed_shared_lstm_model():
    tweet_a, tweet_b = Input(shape=(140, 256)), Input(shape=(140, 256))
    shared_lstm = LSTM(64)
    encoded_a, encoded_b = shared_lstm(tweet_a), shared_lstm(tweet_b)
    merged = concatenate([encoded_a, encoded_b], axis=-1)
    predictions = Dense(1, activation="sigmoid")(merged)
    model = Model(inputs=[tweet_a, tweet_b], outputs=predictions)
    assert tuple(encoded_a.shape) == (None, 64) and tuple(predictions.shape) == (None, 1)
    assert shared_lstm.get_output_at(0) == encoded_a
    assert shared_lstm.get_output_at(1) == encoded_b
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        shared_lstm.output
    assert [tuple(w.shape) for w in shared_lstm.weights] == [(256, 256), (64, 256), (256,)]
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    data = [rng.random((2, 140, 256)).astype("float32") for _ in range(2)]
    history = model.fit(data, rng.integers(0, 2, (2, 1)), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_seed_stacked_stateful_lstm_model():
    data_dim, timesteps, num_classes, batch_size = 16, 8, 10, 32
    model = Sequential()
    model.add(LSTM(32, return_sequences=True, stateful=True, batch_input_shape=(batch_size, timesteps, data_dim)))
    model.add(LSTM(32, return_sequences=True, stateful=True))
    model.add(LSTM(32, stateful=True))
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    assert [layer.output_shape for layer in model.layers] == [(32, 8, 32), (32, 8, 32), (32, 32), (32, 10)]
    rng = np.random.default_rng(0)
    x_train, y_train = rng.random((batch_size * 2, timesteps, data_dim)), rng.random((batch_size * 2, num_classes))
    model.fit(x_train, y_train, batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
              validation_data=(x_train[:batch_size], y_train[:batch_size]))
    states = model.layers[0].states
    assert len(states) == 2 and tuple(states[0].shape) == (32, 32) and float(K.sum(K.abs(states[0]))) > 0
    model.reset_states()
    assert all(float(K.sum(K.abs(s))) == 0 for layer in model.layers[:3] for s in layer.states)
    model.predict(x_train[:batch_size], batch_size=batch_size, verbose=0)   # states from inference mode...
    model.train_on_batch(x_train[:batch_size], y_train[:batch_size])        # ...feed a training step


def test_seed_embedding_lstm_question_encoder():
    question_input = Input(shape=(100,), dtype="int32")
    embedded_question = Embedding(input_dim=10000, output_dim=256, input_length=100)(question_input)
    encoded_question = LSTM(256)(embedded_question)
    assert tuple(embedded_question.shape) == (None, 100, 256)
    assert tuple(encoded_question.shape) == (None, 256)


# ---- statefulness, initial states, errors -----------------------------------------------------------------

STATEFUL_MESSAGE = "If a RNN is stateful, it needs to know its batch size"


def test_stateful_needs_a_known_batch_size():
    with pytest.raises(ValueError, match=STATEFUL_MESSAGE):
        LSTM(4, stateful=True)(Input((5, 3)))
    with pytest.raises(ValueError, match=STATEFUL_MESSAGE):
        LSTM(4, stateful=True).reset_states()
    with pytest.raises(AttributeError, match="Layer must be stateful."):
        LSTM(4).reset_states()


def test_stateful_state_is_carried_and_checked():
    layer = GRU(3, stateful=True, batch_input_shape=(2, 4, 5))
    x = np.random.default_rng(0).standard_normal((2, 4, 5)).astype("float32")
    first = K.to_numpy(layer(x))
    second = K.to_numpy(layer(x))
    assert not np.allclose(first, second)             # the second call starts from the first's final state
    np.testing.assert_allclose(K.to_numpy(layer.states[0]), second, rtol=1e-6, atol=1e-6)
    layer.reset_states()
    np.testing.assert_allclose(K.to_numpy(layer(x)), first, rtol=1e-6, atol=1e-6)
    # Every call is checked against the input spec, which holds the fixed batch size (tf-keras' message).
    with pytest.raises(ValueError, match=r'layer "gru" is incompatible.*expected shape=\(2, None, 5\), found shape=\(1, 4, 5\)'):
        layer(x[:1])
    with pytest.raises(ValueError, match="expects 1 states, but it received 2"):
        layer.reset_states([np.zeros((2, 3)), np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"State 0 is incompatible with layer gru: expected shape=\(2, 3\)"):
        layer.reset_states([np.zeros((3, 3))])


def test_initial_state_tensors_eager_and_errors():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    h, c = rng.standard_normal((2, 5)).astype("float32"), rng.standard_normal((2, 5)).astype("float32")
    layer = LSTM(5, return_state=True)
    out, h_n, c_n = layer(x, initial_state=[h, c])
    # A step by hand: with one timestep the LSTM equations give the new h directly.
    kernel, recurrent, bias = [K.to_numpy(w) for w in layer.weights]
    z = x[:, 0] @ kernel + h @ recurrent + bias
    i, f, g, o = np.split(z, 4, axis=1)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    c1 = sig(f) * c + sig(i) * np.tanh(g)
    h1 = sig(o) * np.tanh(c1)
    one_step, h_1, c_1 = layer(x[:, :1], initial_state=[h, c])
    np.testing.assert_allclose(K.to_numpy(h_1), h1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(K.to_numpy(c_1), c1, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="Layer has 2 states but was passed 1 initial states"):
        layer(x, initial_state=[h])
    with pytest.raises(ValueError, match="not compatible with `cell.state_size`"):
        LSTM(5)(Input((4, 3)), initial_state=[Input((4,)), Input((4,))])
    with pytest.raises(ValueError, match="mix of Keras tensors and non-Keras tensors"):
        LSTM(5)(Input((4, 3)), initial_state=[Input((5,)), h])
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        LSTM(5)(Input((4,)))


def test_bidirectional_arguments_and_errors():
    with pytest.raises(ValueError, match="Invalid merge mode"):
        Bidirectional(LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="should have different `go_backwards` value"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2))
    with pytest.raises(ValueError, match='same value for attribute "return_sequences"'):
        Bidirectional(LSTM(2), backward_layer=LSTM(2, go_backwards=True, return_sequences=True))
    with pytest.raises(ValueError, match="the state should be a list containing the states"):
        Bidirectional(LSTM(2))(Input((3, 4)), initial_state=[Input((2,))] * 3)
    layer = Bidirectional(LSTM(2, return_state=True, return_sequences=True), merge_mode=None)
    outputs = layer(Input((3, 4)))
    assert [tuple(t.shape) for t in outputs] == [(None, 3, 2), (None, 3, 2)] + [(None, 2)] * 4
    assert layer.compute_output_shape((None, 3, 4)) == [(None, 3, 2), (None, 3, 2)] + [(None, 2)] * 4


def test_bidirectional_weights_argument_and_stateful_reset():
    source = Bidirectional(GRU(2), input_shape=(3, 4))
    source(Input((3, 4)))
    copy = Bidirectional(GRU(2), weights=source.get_weights())
    copy(Input((3, 4)))
    for a, b in zip(copy.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(a, b)
    stateful = Bidirectional(LSTM(2, stateful=True))
    stateful(Input(batch_shape=(2, 3, 4)))
    stateful.reset_states([np.ones((2, 2))] * 4)
    assert all(float(K.sum(s)) == 4.0 for s in stateful.forward_layer.states + stateful.backward_layer.states)


def test_masks_flow_through_a_model():
    x = Input((None, 4))
    masked = Masking()(x)
    seq = LSTM(3, return_sequences=True)(masked)
    last = GRU(2)(seq)
    assert seq._keras_mask is not None and last._keras_mask is None
    both = LSTM(3, return_sequences=True, return_state=True)(masked)
    assert both[0]._keras_mask is not None and both[1]._keras_mask is None
    model = Model(x, last)
    data = np.random.default_rng(0).standard_normal((2, 5, 4)).astype("float32")
    padded = np.concatenate([data, np.zeros((2, 3, 4), "float32")], axis=1)
    # Trailing masked steps change nothing.
    np.testing.assert_allclose(np.asarray(model.predict(padded, verbose=0)),
                               np.asarray(model.predict(data, verbose=0)), rtol=1e-6, atol=1e-6)


# ---- dropout -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda: LSTM(4, dropout=0.5, return_sequences=True),
                                  lambda: GRU(4, dropout=0.5, return_sequences=True),
                                  lambda: SimpleRNN(4, dropout=0.5, return_sequences=True)])
def test_input_dropout_same_masks_on_fused_and_loop_paths(make):
    layer = make()
    x = np.random.default_rng(0).standard_normal((3, 6, 5)).astype("float32")
    fastkeras.utils.set_random_seed(7)
    fused = K.to_numpy(layer(x, training=True))
    layer._could_use_fused_kernel = False
    fastkeras.utils.set_random_seed(7)
    loop = K.to_numpy(layer(x, training=True))
    np.testing.assert_allclose(fused, loop, **FORWARD_TOL)
    inference = K.to_numpy(layer(x, training=False))
    assert not np.allclose(inference, loop)


def test_dropout_masks_are_drawn_once_per_sequence(monkeypatch):
    calls = []
    real = K.dropout

    def counting(x, level, *args, **kwargs):
        calls.append(tuple(x.shape))
        return real(x, level, *args, **kwargs)
    monkeypatch.setattr(K, "dropout", counting)
    x = np.random.default_rng(0).standard_normal((3, 7, 5)).astype("float32")
    LSTM(4, dropout=0.3, recurrent_dropout=0.3)(x, training=True)
    assert calls == [(3, 5)] * 4 + [(3, 4)] * 4          # 4 input masks, 4 state masks, for all 7 steps
    calls.clear()
    GRU(4, dropout=0.3)(x, training=False)
    assert calls == []


def test_recurrent_dropout_changes_training_outputs_only():
    layer = GRU(4, recurrent_dropout=0.5, return_sequences=True)
    x = np.random.default_rng(0).standard_normal((3, 6, 5)).astype("float32")
    a = K.to_numpy(layer(x, training=False))
    b = K.to_numpy(layer(x, training=True))
    assert not layer._could_use_fused_kernel
    assert not np.allclose(a, b)


# ---- the fused kernels and K.rnn --------------------------------------------------------------------------

@pytest.mark.parametrize("make, fused_name", [(lambda: LSTM(3), "lstm_sequence"),
                                              (lambda: GRU(3), "gru_sequence"),
                                              (lambda: SimpleRNN(3), "simple_rnn_sequence")])
def test_fused_kernel_is_taken_when_keras_would_use_cudnn(monkeypatch, make, fused_name):
    calls = []
    real = getattr(K, fused_name)
    monkeypatch.setattr(K, fused_name, lambda *a, **k: calls.append(1) or real(*a, **k))
    x = np.zeros((2, 4, 3), "float32")
    make()(x)
    assert calls == [1]


@pytest.mark.parametrize("make", [lambda: LSTM(3, recurrent_dropout=0.1), lambda: LSTM(3, unroll=True),
                                  lambda: LSTM(3, use_bias=False), lambda: LSTM(3, activation="relu"),
                                  lambda: LSTM(3, recurrent_activation="hard_sigmoid"),
                                  lambda: GRU(3, reset_after=False), lambda: SimpleRNN(3, activation="sigmoid")])
def test_no_fused_kernel_outside_keras_cudnn_conditions(make):
    assert make()._could_use_fused_kernel is False


def test_k_rnn_masks_by_hand():
    # step: output = state = previous state + input; inputs are ones, so the state counts unmasked steps.
    def step(x, states):
        new = states[0] + x
        return new, [new]
    x = np.ones((2, 4, 1), "float32")
    mask = np.array([[False, True, True, False], [True, True, False, True]])
    last, outputs, states = K.rnn(step, K.convert_to_tensor(x), [K.zeros((2, 1))], mask=K.convert_to_tensor(mask))
    np.testing.assert_array_equal(K.to_numpy(outputs)[..., 0], [[0, 1, 2, 2], [1, 2, 2, 3]])
    np.testing.assert_array_equal(K.to_numpy(states[0])[:, 0], [2, 3])
    np.testing.assert_array_equal(K.to_numpy(last)[:, 0], [2, 3])
    _, zeroed, _ = K.rnn(step, K.convert_to_tensor(x), [K.zeros((2, 1))], mask=K.convert_to_tensor(mask),
                         zero_output_for_mask=True)
    np.testing.assert_array_equal(K.to_numpy(zeroed)[..., 0], [[0, 1, 2, 0], [1, 2, 0, 3]])
    last, only_last, _ = K.rnn(step, K.convert_to_tensor(x * np.arange(1, 5).reshape(1, 4, 1)),
                               [K.zeros((2, 1))], go_backwards=True, return_all_outputs=False)
    assert tuple(only_last.shape) == (2, 1, 1)
    np.testing.assert_array_equal(K.to_numpy(last)[:, 0], [10, 10])


def test_embedding_mask_zero_lstm_eager_matches_model():
    ids = np.array([[3, 4, 0, 0], [5, 0, 0, 0]])
    inputs = Input((None,), dtype="int32")
    model = Model(inputs, LSTM(3)(Embedding(8, 2, mask_zero=True)(inputs)))
    short = model.predict(ids[:, :2], verbose=0)
    full = model.predict(ids, verbose=0)
    np.testing.assert_allclose(np.asarray(full), np.asarray(short), rtol=1e-6, atol=1e-6)


# ---- custom cells, constants, legacy shape arguments -------------------------------------------------------

class MinimalRNNCell(fastkeras.layers.Layer):
    """The custom cell of Keras' RNN documentation."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units), initializer="uniform")
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(self.units, self.units),
                                                initializer="uniform")
        self.built = True

    def call(self, inputs, states):
        output = K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        return config


def test_custom_cell_runs_and_round_trips_through_a_model_config():
    x = Input((None, 5))
    layer = RNN(MinimalRNNCell(3), return_sequences=True)
    model = Model(x, layer(x))
    assert [w.name for w in layer.weights] == ["rnn/minimal_rnn_cell/kernel:0", "rnn/minimal_rnn_cell/recurrent_kernel:0"]
    data = np.random.default_rng(0).standard_normal((2, 4, 5)).astype("float32")
    kernel, recurrent = [K.to_numpy(w) for w in layer.weights]
    state = np.zeros((2, 3), "float32")
    expected = []
    for t in range(4):
        state = data[:, t] @ kernel + state @ recurrent
        expected.append(state)
    np.testing.assert_allclose(np.asarray(model.predict(data, verbose=0)), np.stack(expected, 1), rtol=1e-5,
                               atol=1e-6)
    again = model_from_json(model.to_json(), custom_objects={"MinimalRNNCell": MinimalRNNCell})
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(np.asarray(again.predict(data, verbose=0)), np.stack(expected, 1), rtol=1e-5,
                               atol=1e-6)


class ConditionedCell(MinimalRNNCell):
    def call(self, inputs, states, constants=None):
        output = K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel) + constants[0]
        return output, [output]


def test_constants_reach_the_cell_eagerly_and_symbolically():
    data = np.ones((2, 3, 4), "float32")
    shift = np.full((2, 2), 10.0, "float32")
    layer = RNN(ConditionedCell(2))
    eager = K.to_numpy(layer(data, constants=[shift]))
    x, c = Input((3, 4)), Input((2,))
    model = Model([x, c], layer(x, constants=[c]))
    np.testing.assert_allclose(np.asarray(model.predict([data, shift], verbose=0)), eager, rtol=1e-6)
    assert layer.get_config()["num_constants"] == 1
    with pytest.raises(ValueError, match="does not support constants"):
        RNN(MinimalRNNCell(2))(data, constants=[shift])


def test_legacy_shape_arguments():
    model = Sequential([LSTM(4, input_dim=6, input_length=5)])
    assert model.input_shape == (None, 5, 6) and model.output_shape == (None, 4)
    model = Sequential([GRU(4, input_shape=(None, 6), return_sequences=True)])
    assert model.output_shape == (None, None, 4)
    with pytest.raises(ValueError, match="Cannot unroll a RNN if the time dimension is undefined"):
        SimpleRNN(2, unroll=True)(Input((None, 3)))


def test_abstract_rnn_cell_subclass_runs_in_rnn_like_the_same_loop_in_numpy():
    """Keras 2's AbstractRNNCell recipe: state_size, output_size and call(inputs, states)."""
    import fastkeras as keras
    from fastkeras import backend as K

    class MinimalRNNCell(keras.layers.AbstractRNNCell):
        def __init__(self, units, **kwargs):
            self.units = units
            super().__init__(**kwargs)

        @property
        def state_size(self):
            return self.units

        @property
        def output_size(self):
            return self.units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                    name="recurrent_kernel")
            self.built = True

        def call(self, inputs, states):
            output = K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel)
            return output, output

    inputs = keras.Input((5, 3))
    layer = keras.layers.RNN(MinimalRNNCell(4), return_sequences=True)
    model = keras.Model(inputs, layer(inputs))
    x = np.random.default_rng(0).random((2, 5, 3)).astype("float32")
    kernel, recurrent = (K.to_numpy(w) for w in layer.cell.weights)
    state, expected = np.zeros((2, 4), "float32"), []
    for t in range(5):
        state = x[:, t] @ kernel + state @ recurrent
        expected.append(state)
    np.testing.assert_allclose(model.predict(x, verbose=0), np.stack(expected, 1), rtol=1e-5, atol=1e-6)
    with pytest.raises(NotImplementedError, match="state_size"):
        keras.layers.AbstractRNNCell().state_size
