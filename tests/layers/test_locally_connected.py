"""LocallyConnected1D/2D against tf-keras 2.21.

Expected values come from tests/fixtures/locally_connected (written by tools/make_locally_connected_fixtures.py
with real tf-keras): each layer is rebuilt from tf-keras' own config, given the fixture's weights (tf-keras'
shapes, names and order for each ``implementation``), and its output, regularization losses and the gradients
of ``sum(output * cotangent)`` are compared. A tf-keras-saved .h5 model checks loading.
"""
import json
import os

import numpy as np
import pytest
import torch

import fastkeras as keras
from fastkeras import backend as K
from fastkeras.layers import Input, LocallyConnected1D, LocallyConnected2D, deserialize
from fastkeras.models import Model, Sequential, load_model, model_from_json

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "locally_connected")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    CASES = json.load(_f)["cases"]
with open(os.path.join(FIXTURES, "errors.json")) as _f:
    ERRORS = json.load(_f)["errors"]
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
IDS = [c["id"] for c in CASES]


def build_case(case):
    layer = deserialize({"class_name": case["class_name"], "config": case["config"]})
    layer.build(tuple(case["input_shape"]))
    return layer


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_tf_keras(case):
    cid = case["id"]
    layer = build_case(case)
    assert [tuple(w.shape) for w in layer.weights] == [tuple(w["shape"]) for w in case["weights"]]
    assert [w.name.split("/")[-1].split(":")[0] for w in layer.weights] == [w["name"] for w in case["weights"]]
    layer.set_weights([ARRAYS[f"{cid}/w{i}"] for i in range(len(case["weights"]))])
    x = K.convert_to_tensor(ARRAYS[f"{cid}/x"]).requires_grad_(True)
    y = layer(x)
    np.testing.assert_allclose(K.to_numpy(y), ARRAYS[f"{cid}/y"], rtol=1e-5, atol=1e-5, err_msg=f"{cid}: output")
    reg = sum(float(K.to_numpy(loss)) for loss in layer.losses)
    np.testing.assert_allclose(reg, case["regularization_loss"], rtol=1e-5, atol=1e-6)
    cot = K.convert_to_tensor(ARRAYS[f"{cid}/cot"])
    grads = torch.autograd.grad(K.sum(y * cot), [x] + list(layer.weights))
    np.testing.assert_allclose(K.to_numpy(grads[0]), ARRAYS[f"{cid}/dx"], rtol=1e-4, atol=1e-4,
                               err_msg=f"{cid}: input gradient")
    for i, g in enumerate(grads[1:]):
        np.testing.assert_allclose(K.to_numpy(g), ARRAYS[f"{cid}/dw{i}"], rtol=1e-4, atol=1e-4,
                                   err_msg=f"{cid}: gradient of {case['weights'][i]['name']}")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_and_shapes_match_tf_keras(case):
    layer = deserialize({"class_name": case["class_name"], "config": case["config"]})
    # tf-keras' config, key for key and in the same order, survives the round trip (also before building).
    config = json.loads(json.dumps(layer.get_config()))
    assert list(config) == list(case["config"])
    assert config == case["config"]
    shape = tuple(case["input_shape"][1:])
    expected = tuple(case["batch_none_output_shape"])
    assert tuple(layer.compute_output_shape((None,) + shape)) == expected
    assert tuple(layer(Input(shape)).shape) == expected
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


def test_default_names_and_weight_names():
    layer = LocallyConnected2D(3, 2, implementation=3)
    layer.build((None, 4, 4, 2))
    assert layer.name.startswith("locally_connected2d")
    assert [w.name for w in layer.weights] == [f"{layer.name}/kernel:0", f"{layer.name}/bias:0"]
    one = LocallyConnected1D(2, 3)
    assert one.name.startswith("locally_connected1d")
    assert one.get_config()["data_format"] == "channels_last"
    assert one.get_config()["implementation"] == 1


def test_implementations_agree():
    """The three layouts hold the same unshared convolution: moving weights between them keeps the output."""
    rng = np.random.default_rng(0)
    x = K.convert_to_tensor(rng.standard_normal((3, 7, 6, 2)).astype(np.float32))
    layers = [LocallyConnected2D(4, (3, 2), strides=(2, 1), padding="valid", implementation=i) for i in (1, 2, 3)]
    for layer in layers:
        layer.build(tuple(x.shape))
    k1 = rng.standard_normal(tuple(layers[0].kernel.shape)).astype(np.float32)
    bias = rng.standard_normal(tuple(layers[0].bias.shape)).astype(np.float32)
    layers[0].set_weights([k1, bias])
    # Write implementation 1's patch kernels through each layout's index table.
    for layer in layers[1:]:
        flat = np.zeros(int(np.prod(tuple(layer.kernel.shape))), np.float32)
        flat[K.to_numpy(layer._kernel_index).ravel()] = k1.ravel()
        layer.set_weights([flat.reshape(tuple(layer.kernel.shape)), bias])
    outputs = [K.to_numpy(layer(x)) for layer in layers]
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(outputs[2], outputs[0], rtol=1e-5, atol=1e-5)


def test_tf_keras_h5_model_loads_and_predicts():
    io = np.load(os.path.join(FIXTURES, "model_io.npz"))
    path = os.path.join(FIXTURES, "model.h5")
    model = load_model(path, compile=False)
    kinds = {layer.name: (type(layer).__name__, getattr(layer, "implementation", None)) for layer in model.layers}
    assert kinds["lc1d_impl3"] == ("LocallyConnected1D", 3)
    assert kinds["lc2d_impl2"] == ("LocallyConnected2D", 2)
    np.testing.assert_allclose(model.predict([io["x1"], io["x2"]], verbose=0), io["y"], rtol=1e-5, atol=1e-5)
    # The same file's weights load into a model rebuilt from its config, and survive a save/load round trip.
    rebuilt = model_from_json(model.to_json())
    rebuilt.load_weights(path)
    np.testing.assert_allclose(rebuilt.predict([io["x1"], io["x2"]], verbose=0), io["y"], rtol=1e-5, atol=1e-5)


def test_h5_round_trip(tmp_path):
    model = Sequential([Input((9, 3)), LocallyConnected1D(4, 3, implementation=2, padding="same"),
                        LocallyConnected1D(2, 2, strides=2, implementation=3, activation="relu"),
                        LocallyConnected1D(1, 2)])
    x = np.random.default_rng(1).standard_normal((2, 9, 3)).astype(np.float32)
    path = str(tmp_path / "lc.h5")
    model.save(path)
    restored = load_model(path, compile=False)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_trains():
    model = Sequential([Input((6, 6, 1)), LocallyConnected2D(2, 3, implementation=3, padding="same"),
                        LocallyConnected2D(1, 3, strides=2, implementation=1), keras.layers.Flatten(),
                        keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    rng = np.random.default_rng(2)
    x = rng.standard_normal((16, 6, 6, 1)).astype(np.float32)
    y = x.mean(axis=(1, 2, 3))[:, None]
    before = model.get_weights()
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_functional_output_shapes():
    inputs = Input((10, 32))
    y = LocallyConnected1D(64, 3)(inputs)
    assert tuple(y.shape) == (None, 8, 64)
    y = LocallyConnected1D(32, 3)(y)
    assert tuple(y.shape) == (None, 6, 32)
    image = Input((32, 32, 3))
    z = LocallyConnected2D(64, (3, 3))(image)
    assert tuple(z.shape) == (None, 30, 30, 64)
    z = LocallyConnected2D(8, 3, strides=3, padding="same", implementation=2, data_format="channels_first")(
        Input((3, 10, 7)))
    assert tuple(z.shape) == (None, 8, 4, 3)
    assert Model(image, LocallyConnected2D(2, 2)(image)).count_params() == 31 * 31 * (2 * 2 * 3 * 2 + 2)


# ---- errors ------------------------------------------------------------------------------------------------

def make(case):
    cls = {"LocallyConnected1D": LocallyConnected1D, "LocallyConnected2D": LocallyConnected2D}[case["class_name"]]
    layer = cls(**case["kwargs"])
    if case["input_shape"] is not None:
        layer.build(tuple(case["input_shape"]))
    return layer


def test_same_padding_needs_implementation_2_or_3():
    for key in ("same_impl1_1d", "same_impl1_2d"):
        case = ERRORS[key]
        assert case["exception"] == "ValueError"
        with pytest.raises(ValueError) as info:
            make(case)
        assert case["message"] in str(info.value)  # tf-keras' wording, then which layer and what to do
        assert "implementation=2 or 3" in str(info.value)


@pytest.mark.parametrize("key, expected", [
    ("causal_1d", r"`padding` of layer \"locally_connected1d.*'valid' \(or 'same'.*Received: padding='causal'"),
    ("bad_padding_2d", r"`padding` of layer \"locally_connected2d.*Received: padding='full'"),
    ("implementation_4", r"`implementation`.*locally_connected1d.*Expected 1, 2 or 3.*Received implementation=4"),
    ("too_short_1d", r"output is <= 0 due to downsampling in layer \"locally_connected1d.*input shape \(None, 4, 3\)"),
    ("too_small_2d", r"output is <= 0 .*strides=\(2, 2\).*\(None, 2, 6, 3\)"),
    ("undefined_rows_2d", r"spatial dimensions .*\"locally_connected2d.*fully defined.*\(None, None, 6, 3\)"),
    ("kernel_size_3_in_2d",
     r"\"locally_connected2d.*\(LocallyConnected2D\): The `kernel_size` argument must be a tuple of 2 integers. "
     r"Received: .3, 3, 3."),
])
def test_bad_arguments_raise_like_tf_keras(key, expected):
    case = ERRORS[key]
    assert case["exception"] in ("ValueError", "NotImplementedError")  # tf-keras refuses these too
    with pytest.raises(ValueError, match=expected):
        make(case)


def test_bad_inputs_name_the_layer():
    with pytest.raises(ValueError, match=r"`filters`.*LocallyConnected1D.*Received filters=0"):
        LocallyConnected1D(0, 3)
    layer = LocallyConnected2D(2, 3, name="lc")
    with pytest.raises(ValueError, match=r"\"lc\".*expected ndim=4, found ndim=3.*\(None, 8, 3\)"):
        layer(Input((8, 3)))
    with pytest.raises(ValueError, match=r"\"lc\".*expects inputs of rank 4.*\(None, 8, 3\)"):
        layer.compute_output_shape((None, 8, 3))
    with pytest.raises(ValueError, match=r"channel dimension .*\"lc\""):
        layer.build((None, 6, 6, None))
    layer(Input((6, 5, 3)))
    # Weights are per position: another spatial size, or channel count, is refused with both shapes.
    with pytest.raises(ValueError, match=r"\"lc\".*axis 2 .*value 5.*\(None, 6, 7, 3\)"):
        layer(Input((6, 7, 3)))
    # Direct calls are checked against the layer's input spec as symbolic ones (as tf-keras checks every call).
    with pytest.raises(ValueError, match=r"\"lc\".*axis 2 .*value 5.*\(2, 6, 7, 3\)"):
        layer(np.zeros((2, 6, 7, 3), np.float32))
    with pytest.raises(ValueError, match=r"\"lc\".*axis -1 .*value 3.*\(2, 6, 5, 4\)"):
        layer(np.zeros((2, 6, 5, 4), np.float32))
    assert tuple(layer(np.zeros((1, 6, 5, 3), np.float32)).shape) == (1, 4, 3, 2)
