"""CuDNNLSTM and CuDNNGRU (Keras 2's cuDNN layers), against tf-keras 2.21: tests/fixtures/cudnn_recurrent/ from
tools/make_cudnn_recurrent_fixtures.py. TensorFlow runs these layers only on a GPU, so the expected outputs are
the plain LSTM / GRU(reset_after=True) ones on weights that tf-keras' converter put in the cuDNN layout."""
import json
import os

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras.layers import GRU, LSTM, Bidirectional, CuDNNGRU, CuDNNLSTM
from fastkeras.layers.cudnn_recurrent import convert_rnn_weights

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "cudnn_recurrent")
KINDS = {"lstm": (CuDNNLSTM, LSTM), "gru": (CuDNNGRU, GRU)}


def _fixture(name):
    return np.load(os.path.join(FIXTURES, f"{name}.npz"))


def _weights(data, prefix):
    return [data[f"{prefix}_{i}"] for i in range(3)]


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("backwards", [False, True])
def test_outputs_and_states_match_tf_keras(kind, backwards):
    data = _fixture(kind + ("_backwards" if backwards else ""))
    layer = KINDS[kind][0](3, return_sequences=True, return_state=True, go_backwards=backwards)
    layer.build(data["x"].shape)
    layer.set_weights(_weights(data, "cudnn"))
    outputs = layer(data["x"])
    assert len(outputs) == (3 if kind == "lstm" else 2)  # sequences, then h (and c)
    for i, output in enumerate(outputs):
        np.testing.assert_allclose(K.get_value(output), data[f"y{i}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_weight_conversion_both_ways_matches_tf_keras(kind):
    data = _fixture(kind)
    cudnn_class, plain_class = KINDS[kind]
    cudnn_layer, plain_layer = cudnn_class(3), plain_class(3)
    for layer in (cudnn_layer, plain_layer):
        layer.build(data["x"].shape)
    for got, want in zip(convert_rnn_weights(cudnn_layer, _weights(data, "plain")), _weights(data, "cudnn")):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-7)
    back = convert_rnn_weights(plain_layer, _weights(data, "cudnn"))
    plain_layer.set_weights(back)
    np.testing.assert_allclose(K.get_value(plain_layer(data["x"])), data["y1"], rtol=1e-5, atol=1e-6)
    # same family: unchanged
    assert all(a is b for a, b in zip(convert_rnn_weights(plain_layer, back), back))


def test_configs_weights_and_initial_bias_match_tf_keras():
    with open(os.path.join(FIXTURES, "configs.json")) as f:
        expected = json.load(f)
    for name, cls in (("CuDNNLSTM", CuDNNLSTM), ("CuDNNGRU", CuDNNGRU)):
        layer = cls(3, return_sequences=True)
        layer.build((None, 5, 4))
        config = layer.get_config()
        want = dict(expected[name]["config"])
        assert set(config) == set(want), name
        for key in want:
            if key in ("name",):
                continue
            if isinstance(want[key], dict):  # initializers: same class and settings
                assert config[key]["class_name"] == want[key]["class_name"], key
                assert config[key]["config"] == want[key]["config"], key
            else:
                assert config[key] == want[key], key
        assert [list(w.shape) for w in layer.weights] == [shape for _, shape in expected[name]["weights"]]
        assert [w.name.split("/")[-1] for w in layer.weights] == [n for n, _ in expected[name]["weights"]]
        if name == "CuDNNLSTM":
            np.testing.assert_array_equal(layer.get_weights()[2], expected[name]["initial_bias"])
        rebuilt = cls.from_config(config)
        assert rebuilt.get_config() == config


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_keras_2_model_file_loads_and_predicts(kind):
    data = _fixture(kind)
    model = keras.models.load_model(os.path.join(FIXTURES, f"{kind}_model.h5"))
    assert type(model.layers[1]) is KINDS[kind][0]
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y1"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_weights_load_across_families_through_hdf5(kind, tmp_path):
    data = _fixture(kind)
    cudnn_class, plain_class = KINDS[kind]
    extra = {"reset_after": True} if kind == "gru" else {}

    def model(layer):
        inputs = keras.Input((5, 4))
        return keras.Model(inputs, layer(inputs))

    # tf-keras' cuDNN file into a plain layer
    plain = model(plain_class(3, name=f"cudnn_{kind}", **extra))
    plain.load_weights(os.path.join(FIXTURES, f"{kind}_model.h5"))
    np.testing.assert_allclose(plain.predict(data["x"], verbose=0), data["y1"], rtol=1e-5, atol=1e-6)
    # and back: a plain layer's file into a cuDNN layer, by name too
    path = str(tmp_path / "plain.h5")
    plain.save_weights(path)
    for by_name in (False, True):
        cudnn = model(cudnn_class(3, name=f"cudnn_{kind}"))
        cudnn.load_weights(path, by_name=by_name)
        np.testing.assert_allclose(cudnn.predict(data["x"], verbose=0), data["y1"], rtol=1e-5, atol=1e-6)


def test_bidirectional_weights_convert_per_direction(tmp_path):
    data = _fixture("lstm")
    inputs = keras.Input((5, 4))
    plain = keras.Model(inputs, Bidirectional(LSTM(3), name="bi")(inputs))
    plain.set_weights(_weights(data, "plain") * 2)
    path = str(tmp_path / "bi.h5")
    plain.save_weights(path)
    inputs = keras.Input((5, 4))
    cudnn = keras.Model(inputs, Bidirectional(CuDNNLSTM(3), name="bi")(inputs))
    cudnn.load_weights(path)
    np.testing.assert_allclose(cudnn.predict(data["x"], verbose=0), plain.predict(data["x"], verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_trains_saves_and_reloads(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 4)).astype("float32")
    y = (x.sum(axis=(1, 2)) > 0).astype("float32")
    model = keras.Sequential([keras.Input((6, 4)), CuDNNGRU(8, return_sequences=True), CuDNNLSTM(4),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0).history["loss"]
    assert np.isfinite(history).all() and history[-1] < history[0]
    path = str(tmp_path / "model.h5")
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_stateful_cudnn_lstm_carries_state():
    layer = CuDNNLSTM(2, stateful=True)
    model = keras.Sequential([keras.Input(batch_shape=(1, 3, 2)), layer])
    x = np.ones((1, 3, 2), "float32")
    first, second = model.predict(x, verbose=0), model.predict(x, verbose=0)
    assert not np.allclose(first, second)
    layer.reset_states()
    np.testing.assert_allclose(model.predict(x, verbose=0), first, rtol=1e-6)


def test_plain_layer_options_and_masks_are_refused():
    with pytest.raises(TypeError, match="dropout"):
        CuDNNLSTM(3, dropout=0.1)
    with pytest.raises(TypeError, match="activation"):
        CuDNNGRU(3, activation="relu")
    inputs = keras.Input((5,), dtype="int32")
    embedded = keras.layers.Embedding(10, 4, mask_zero=True)(inputs)
    with pytest.raises(ValueError, match="Masking is not supported"):
        CuDNNLSTM(3)(embedded)
