"""Engine, saving and training behaviours that Keras 2's own test suite (tests/ of Keras 2.2.4-2.3, outside
tests/keras/layers and tests/keras/backend) relies on, checked against tf-keras 2.21 where numbers are involved
(tests/fixtures/keras2_suite_engine/, from tools/make_keras2_suite_engine_fixtures.py)."""
import os
import warnings

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "keras2_suite_engine")
CASES = np.load(os.path.join(FIXTURES, "cases.npz"))


def _case(name):
    prefix = name + "__"
    return {key[len(prefix):]: CASES[key] for key in CASES.files if key.startswith(prefix)}


def _numbered(case, what):
    return [case[f"{what}{i}"] for i in range(len([k for k in case if k.startswith(what)]))]


# ---- keras.engine's legacy modules ----------------------------------------------------------------------

def test_keras2_engine_modules_give_the_engine_classes():
    from fastkeras.engine import saving, topology, network
    assert topology.Layer is keras.layers.Layer and topology.InputSpec is keras.layers.InputSpec
    assert topology.Input is keras.Input and topology.InputLayer is keras.layers.InputLayer
    x = keras.Input((3,))
    model = keras.Model(x, layers.Dense(2)(x))
    assert isinstance(model, network.Network) and isinstance(model, topology.Network)
    assert topology.get_source_inputs(model.output) == [x]
    assert saving.load_model is keras.models.load_model and saving.model_from_json is keras.models.model_from_json
    assert K._BACKEND == K.backend()


# ---- preprocess_weights_for_loading: Keras 1 layouts, as tf-keras converts them ----------------------------

def _built(layer, input_shape):
    keras.Sequential([keras.Input(input_shape), layer])
    return layer


def _nested():
    return keras.Sequential([keras.Input((3, 6, 5)), layers.Conv2D(2, (3, 2), data_format="channels_first"),
                             layers.Flatten(), layers.Dense(4)])


PW_CASES = {  # the generator's PW_CASES: builder, original Keras version, original backend
    "lstm_k1": (lambda: _built(layers.LSTM(3), (4, 5)), "1", None),
    "gru_k1": (lambda: _built(layers.GRU(3, reset_after=False), (4, 5)), "1", None),
    "convlstm_k1": (lambda: _built(layers.ConvLSTM2D(2, (3, 2)), (4, 6, 5, 3)), "1", None),
    "conv2d_k1_cf": (lambda: _built(layers.Conv2D(2, (3, 2), data_format="channels_first"), (3, 6, 5)), "1", None),
    "conv2d_k1_cl": (lambda: _built(layers.Conv2D(2, (3, 2)), (6, 5, 3)), "1", None),
    "conv2dt_k1_cl": (lambda: _built(layers.Conv2DTranspose(2, (3, 2)), (6, 5, 3)), "1", None),
    "conv2dt_k1_cf": (lambda: _built(layers.Conv2DTranspose(2, (3, 2), data_format="channels_first"), (3, 6, 5)),
                      "1", None),
    "conv3d_k1_cf": (lambda: _built(layers.Conv3D(2, (3, 2, 2), data_format="channels_first"), (3, 6, 5, 4)), "1",
                     None),
    "conv1d_k11": (lambda: _built(layers.Conv1D(2, 3), (7, 4)), "1", None),
    "conv1d_k12": (lambda: _built(layers.Conv1D(2, 3), (7, 4)), "1", None),
    "conv2d_transposed": (lambda: _built(layers.Conv2D(2, (3, 4)), (6, 5, 3)), "2.2.4", "theano"),
    "bidir_lstm_k1": (lambda: _built(layers.Bidirectional(layers.LSTM(3)), (4, 5)), "1", None),
    "td_conv2d_k1_cf": (lambda: _built(layers.TimeDistributed(layers.Conv2D(2, (3, 2), data_format="channels_first")),
                                       (4, 3, 6, 5)), "1", None),
    "td_lstm_k1": (lambda: _built(layers.TimeDistributed(layers.LSTM(3)), (2, 4, 5)), "1", None),
    "nested_model_k1": (_nested, "1", None),
    "lstm_k2": (lambda: _built(layers.LSTM(3), (4, 5)), "2.2.4", "tensorflow"),
}


@pytest.mark.parametrize("name", sorted(PW_CASES))
def test_preprocess_weights_for_loading_matches_tf_keras(name):
    from fastkeras.engine.saving import preprocess_weights_for_loading
    build, version, backend = PW_CASES[name]
    case = _case("pw_" + name)
    inputs, expected = _numbered(case, "in"), _numbered(case, "out")
    layer = build()
    converted = preprocess_weights_for_loading(layer, [a.copy() for a in inputs], original_keras_version=version,
                                               original_backend=backend)
    assert len(converted) == len(expected)
    for got, want in zip(converted, expected):
        np.testing.assert_array_equal(np.asarray(got, dtype="float32"), want)
    layer.set_weights(converted)  # the layer takes them as they are


def test_load_weights_of_a_keras1_file_converts_as_tf_keras():
    # Keras 1's file: no keras_version attribute, per-gate recurrent weights, old convolution kernel layouts.
    model = keras.Sequential([
        keras.Input((7, 4)),
        layers.Conv1D(3, 2, name="conv1d_1"),
        layers.LSTM(3, return_sequences=True, name="lstm_1"),
        layers.GRU(2, reset_after=False, name="gru_1"),
        layers.Reshape((2, 1, 1)),
        layers.Conv2D(2, (1, 1), data_format="channels_first", name="convolution2d_1"),
    ])
    model.load_weights(os.path.join(FIXTURES, "keras1_weights.h5"))
    expected = _numbered(_case("k1file"), "w")
    got = model.get_weights()
    assert len(got) == len(expected)
    for g, w in zip(got, expected):
        np.testing.assert_array_equal(g, w)


def test_weights_written_by_keras2_load_unconverted(tmp_path):
    x = keras.Input((6, 5, 3))
    model = keras.Model(x, layers.Conv1D(2, 3)(layers.Reshape((30, 3))(x)))
    path = str(tmp_path / "w.h5")
    model.save_weights(path)
    before = model.get_weights()
    model.set_weights([np.zeros_like(w) for w in before])
    model.load_weights(path)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


# ---- masks and shapes of Keras 2 layers and models --------------------------------------------------------

def test_compute_mask_of_a_layer_without_masking_refuses_a_mask_as_tf_keras():
    conv = layers.Conv2D(1, (2, 2))
    _built(conv, (3, 3, 1))
    assert conv.compute_mask(None, None) is None and conv.compute_mask(None, [None]) is None
    with pytest.raises(TypeError, match="does not support masking"):
        conv.compute_mask(None, np.ones((2, 2)))
    with pytest.raises(TypeError):
        conv.compute_mask(None, [np.ones((2, 2))])
    dense = layers.Dense(1)
    _built(dense, (2,))
    assert dense.compute_mask(None, [0.0, 1.0]) == [0.0, 1.0]


def test_a_masked_sequence_through_a_layer_without_masking_drops_the_mask():
    # tf-keras (unlike Keras 2.2) silently drops the mask at a layer that does not support it.
    x = keras.Input((5,))
    emb = layers.Embedding(10, 4, mask_zero=True)(x)
    out = layers.Conv1D(2, 2)(emb)
    assert out._keras_mask is None
    model = keras.Model(x, out)
    y = model(np.array([[1, 2, 0, 0, 3]]))
    assert getattr(y, "_keras_mask", None) is None
    assert model.predict(np.array([[1, 2, 0, 0, 3]]), verbose=0).shape == (1, 4, 2)


def test_functional_compute_mask_gives_one_mask_per_output():
    a, b = keras.Input((4,)), keras.Input((4,))
    model = keras.Model([a, b], [layers.Dense(2)(a), layers.Dense(3)(b)])
    assert model.compute_mask([a, b], [None, None]) == [None, None]
    single = keras.Model(a, layers.Dense(2)(a))
    assert single.compute_mask(a, None) is None


def test_compute_output_shape_of_the_base_class_runs_call():
    class TwoOutputs(layers.Layer):
        def call(self, inputs):
            return [K.abs(inputs), K.abs(inputs)]

        def compute_output_shape(self, input_shape):
            # written for Keras 2.2, whose base compute_output_shape returned the input shape
            out_shape = super().compute_output_shape(input_shape)
            return [out_shape, out_shape]

    layer = TwoOutputs()
    assert layers.Layer.compute_output_shape(layer, (None, 4, 3)) == [(None, 4, 3), (None, 4, 3)]
    x = keras.Input((4, 3))
    first, second = layer(x)
    assert K.int_shape(first) == K.int_shape(second) == (None, 4, 3)
    z = layers.add([first, second])
    model = keras.Model(x, z)
    np.testing.assert_allclose(model.predict(-np.ones((2, 4, 3)), verbose=0), 2 * np.ones((2, 4, 3)))


def test_add_update_and_updates():
    calls = []
    dense = layers.Dense(1)
    dense.add_update(0, inputs=keras.Input((2,)))  # Keras 2's signature: nothing more to do
    dense.add_update(lambda: calls.append(1))
    assert calls == [1]
    dense.trainable = False
    dense.add_update([lambda: calls.append(2)])
    assert calls == [1]
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert keras.Sequential([keras.Input((2,)), layers.BatchNormalization()]).updates == []


def test_node_outbound_layer():
    x = keras.Input((2,))
    dense = layers.Dense(3)
    dense(x)
    node = dense.inbound_nodes[0]
    assert node.outbound_layer is dense
    assert node.inbound_layers is x._keras_history[0]
