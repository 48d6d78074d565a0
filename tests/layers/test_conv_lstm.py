"""ConvLSTM1D, ConvLSTM2D and ConvLSTM3D against tf-keras 2.21.

Expected values come from tests/fixtures/conv_lstm (written by tools/make_conv_lstm_fixtures.py with real
tf-keras): each case is a small model rebuilt here from tf-keras' own JSON and given the fixture's weights;
outputs must match within 1e-5 and the gradients of ``sum(output * cotangent)`` with respect to the inputs and
every weight within 1e-4. The Keras "next-frame prediction" model saved by tf-keras as .h5 loads and predicts
the same.
"""
import json
import os
import warnings

import numpy as np
import pytest
import torch

from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.layers import (
    BatchNormalization, Conv3D, ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, Input, Masking,
)
from fastkeras.models import Model, Sequential, load_model, model_from_json

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "conv_lstm")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    CASES = json.load(_f)["cases"]
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
FORWARD_TOL = dict(rtol=1e-5, atol=1e-5)
GRAD_TOL = dict(rtol=1e-4, atol=1e-4)


@pytest.fixture(autouse=True)
def full_float32():
    """On CUDA, compare in full float32 (no TF32 convolutions). Nothing changes on CPU."""
    saved = torch.backends.cudnn.allow_tf32
    torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32 = saved


def load_case(case):
    model = model_from_json(case["model_json"])
    assert [w.name for w in model.weights] == [w["name"] for w in case["weights"]]
    assert [list(w.shape) for w in model.weights] == [w["shape"] for w in case["weights"]]
    model.set_weights([ARRAYS[f"{case['id']}/w{i}"] for i in range(len(case["weights"]))])
    return model


def inputs_of(case, prefix="in"):
    return [ARRAYS[f"{case['id']}/{prefix}{i}"] for i in range(case["n_inputs"])]


def run(model, arrays, grad=False):
    tensors = [K.convert_to_tensor(a) for a in arrays]
    if grad:
        for t in tensors:
            t.requires_grad_(True)
    outputs = model(tensors if len(tensors) > 1 else tensors[0])
    return tensors, tree.flatten(outputs)


def assert_outputs(outputs, case, prefix, what):
    assert len(outputs) == case["n_outputs"]
    for i, out in enumerate(outputs):
        np.testing.assert_allclose(K.to_numpy(out), ARRAYS[f"{case['id']}/{prefix}{i}"], **FORWARD_TOL,
                                   err_msg=f"{case['id']}: {what} {i}")


def conv_lstm_layer(model):
    return next(layer for layer in model.layers if type(layer).__name__.startswith("ConvLSTM"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_tf_keras(case):
    model = load_case(case)
    cid = case["id"]
    layer = conv_lstm_layer(model)
    if case["stateful"]:
        layer.reset_states()
        _, first = run(model, inputs_of(case, "first_in"))
        assert_outputs(first, case, "first_out", "first-batch output")
    tensors, outputs = run(model, inputs_of(case), grad=True)
    assert_outputs(outputs, case, "out", "output")
    loss = sum(K.sum(o * K.convert_to_tensor(ARRAYS[f"{cid}/cot{i}"])) for i, o in enumerate(outputs))
    grads = torch.autograd.grad(loss, tensors + list(model.weights))
    for i, g in enumerate(grads[:len(tensors)]):
        np.testing.assert_allclose(K.to_numpy(g), ARRAYS[f"{cid}/din{i}"], **GRAD_TOL,
                                   err_msg=f"{cid}: gradient of input {i}")
    for i, (g, w) in enumerate(zip(grads[len(tensors):], model.weights)):
        np.testing.assert_allclose(K.to_numpy(g), ARRAYS[f"{cid}/dw{i}"], **GRAD_TOL,
                                   err_msg=f"{cid}: gradient of {w.name}")
    if case["stateful"]:
        layer.reset_states()
        _, again = run(model, inputs_of(case, "first_in"))
        assert_outputs(again, case, "reset_out", "output after reset_states()")
        layer.reset_states([ARRAYS[f"{cid}/state{i}"] for i in range(2)])
        _, after = run(model, inputs_of(case, "first_in"))
        assert_outputs(after, case, "given_out", "output after reset_states(states)")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_configs_and_weights_match_tf_keras(case):
    model = model_from_json(case["model_json"])
    expected = case["layer"]
    layer = next(layer for layer in model.layers if layer.name == expected["name"])
    assert type(layer).__name__ == expected["class_name"]
    config = json.loads(json.dumps(layer.get_config()))
    assert list(config) == list(expected["config"])
    assert config == expected["config"]
    assert [(w.name, list(w.shape)) for w in layer.weights] == \
        [(w["name"], w["shape"]) for w in expected["weights"]]
    again = model_from_json(model.to_json())
    assert [w.name for w in again.weights] == [w["name"] for w in case["weights"]]
    # The config round trips through the class.
    clone = json.loads(json.dumps(type(layer).from_config(layer.get_config()).get_config()))
    assert clone == config


@pytest.mark.parametrize("case_id, make, input_shape", [
    ("c2d_same_seq", lambda: ConvLSTM2D(3, 3, padding="same", return_sequences=True), (4, 5, 5, 2)),
    ("c2d_valid_strides_state", lambda: ConvLSTM2D(2, 3, strides=(2, 1), return_state=True), (4, 5, 5, 2)),
    ("c2d_dilation_relu_nobias", lambda: ConvLSTM2D(2, 2, dilation_rate=2, activation="relu",
                                                    recurrent_activation="sigmoid", use_bias=False,
                                                    return_sequences=True), (4, 5, 5, 2)),
    ("c1d_same_seq", lambda: ConvLSTM1D(3, 3, padding="same", return_sequences=True), (4, 6, 2)),
    ("c3d_valid_strides_state", lambda: ConvLSTM3D(2, (2, 3, 2), strides=(1, 1, 2), return_state=True),
     (4, 4, 4, 3, 2)),
])
def test_configs_of_layers_built_in_code_match_tf_keras(case_id, make, input_shape):
    case = next(c for c in CASES if c["id"] == case_id)
    layer = make()
    outputs = layer(Input(input_shape))
    config = json.loads(json.dumps(layer.get_config()))
    expected = dict(case["layer"]["config"])
    assert layer.name.startswith(f"conv_lstm{layer.rank}d")
    del config["name"], expected["name"]
    assert config == expected
    model = model_from_json(case["model_json"])
    assert [tuple(o.shape) for o in tree.flatten(outputs)] == \
        [tuple(o.shape) for o in tree.flatten(model.outputs)]


def test_defaults_are_keras_2():
    layer = ConvLSTM2D(4, 3)
    assert layer.recurrent_activation.__name__ == "hard_sigmoid"
    assert (layer.strides, layer.padding, layer.dilation_rate, layer.data_format) == \
        ((1, 1), "valid", (1, 1), "channels_last")
    assert layer.unit_forget_bias and layer.use_bias and not layer.return_sequences
    assert layer.name.startswith("conv_lstm2d")
    layer(Input((3, 6, 6, 2)))
    assert [w.name.split("/")[-1] for w in layer.weights] == ["kernel:0", "recurrent_kernel:0", "bias:0"]
    bias = K.to_numpy(layer.cell.bias)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])


@pytest.fixture(scope="module")
def next_frame():
    # tf-keras saved the untrained Adam's state (its iteration count only), which does not fit a built one.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*saved optimizer state")
        model = load_model(os.path.join(FIXTURES, "next_frame.h5"))
    return model, np.load(os.path.join(FIXTURES, "next_frame.npz"))


def test_tf_keras_h5_model_loads_and_predicts(next_frame):
    model, data = next_frame
    assert [w.name for w in model.weights] == [str(n) for n in data["weight_names"]]
    np.testing.assert_allclose(model.predict(data["input_0"], verbose=0), data["output_0"], rtol=1e-5, atol=1e-5)


def test_h5_round_trip_through_our_own_file(next_frame, tmp_path):
    model, data = next_frame
    path = str(tmp_path / "again.h5")
    model.save(path)
    again = load_model(path)
    np.testing.assert_allclose(again.predict(data["input_0"], verbose=0), data["output_0"], rtol=1e-5, atol=1e-5)


def test_short_fit_runs_and_lowers_the_loss():
    rng = np.random.default_rng(0)
    model = Sequential([
        Input((None, 8, 8, 1)),
        ConvLSTM2D(4, 3, padding="same", return_sequences=True, dropout=0.1, recurrent_dropout=0.1),
        BatchNormalization(),
        Conv3D(1, 3, padding="same", activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x = rng.random((8, 4, 8, 8, 1)).astype("float32")
    y = (x > 0.5).astype("float32")
    history = model.fit(x, y, batch_size=4, epochs=3, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 3 and all(np.isfinite(losses))
    assert losses[-1] < losses[0]
    assert model.predict(x[:2], verbose=0).shape == (2, 4, 8, 8, 1)


@pytest.mark.parametrize("make, received", [
    (lambda: ConvLSTM2D(2, 3), (None, 4, 5, 5)),
    (lambda: ConvLSTM1D(2, 3), (None, 4, 5, 5, 2)),
    (lambda: ConvLSTM3D(2, 3), (None, 4, 5, 5, 2)),
])
def test_bad_input_rank_names_the_layer_expected_and_received(make, received):
    layer = make()
    with pytest.raises(ValueError) as info:
        layer(Input(batch_shape=received))
    message = str(info.value)
    assert layer.name in message and f"expected ndim={layer.rank + 3}" in message
    assert f"found ndim={len(received)}" in message
    eager = make()
    with pytest.raises(ValueError) as info:
        eager(np.zeros((1,) + tuple(d or 3 for d in received[1:]), "float32"))
    assert eager.name in str(info.value) and f"expected ndim={eager.rank + 3}" in str(info.value)


def test_masking_mask_keeps_states_per_position_and_passes_on():
    x = Input((3, 4, 4, 2))
    h = ConvLSTM2D(2, 3, padding="same", return_sequences=True)(Masking()(x))
    model = Model(x, h)
    data = np.random.default_rng(1).standard_normal((1, 3, 4, 4, 2)).astype("float32")
    data[0, 1, 0, 0] = 0.0
    out = K.to_numpy(model(data))
    np.testing.assert_array_equal(out[0, 1, 0, 0], out[0, 0, 0, 0])   # a masked position repeats its output
    assert not np.allclose(out[0, 1, 1, 1], out[0, 0, 1, 1])


def test_stateful_needs_a_known_batch_size():
    with pytest.raises(ValueError, match="batch size"):
        ConvLSTM2D(2, 3, stateful=True)(Input((3, 5, 5, 2)))


def test_initial_state_of_wrong_filters_is_refused():
    x = Input((3, 5, 5, 2))
    states = [Input((5, 5, 4)), Input((5, 5, 4))]
    with pytest.raises(ValueError, match="initial_state"):
        ConvLSTM2D(3, 3, padding="same")(x, initial_state=states)


def test_unroll_is_refused():
    with pytest.raises(TypeError, match="Unrolling"):
        ConvLSTM2D(2, 3, unroll=True)


@pytest.mark.parametrize("data_format, shape", [("channels_last", (2, 3, 5, 5, 2)),
                                                ("channels_first", (2, 3, 2, 5, 5))])
def test_dropout_in_training_is_the_cells_step_with_masks_drawn_once(data_format, shape):
    """The layer convolves all steps' inputs at once; with dropout that must equal stepping the cell (Keras'
    per-gate masks, drawn once per sequence) over time."""
    layer = ConvLSTM2D(3, 3, padding="same", data_format=data_format, dropout=0.4, recurrent_dropout=0.3,
                       return_sequences=True)
    x = K.convert_to_tensor(np.random.default_rng(3).standard_normal(shape).astype("float32"))
    out = layer(x, training=True)
    cell = layer.cell
    h = c = K.zeros_like(out[:, 0])
    steps = []
    for t in range(shape[1]):
        h, (h, c) = cell.call(x[:, t], [h, c], training=True)   # the masks the layer's call drew
        steps.append(h)
    np.testing.assert_allclose(K.to_numpy(out), K.to_numpy(K.stack(steps, axis=1)), rtol=1e-5, atol=1e-5)
    inference = K.to_numpy(layer(x, training=False))
    np.testing.assert_allclose(K.to_numpy(layer(x)), inference)
    assert not np.allclose(K.to_numpy(out), inference)
