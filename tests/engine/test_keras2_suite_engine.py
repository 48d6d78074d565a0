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


# ---- training: per-output targets and weights, pandas and scipy.sparse data ------------------------------------

def _two_output_model(case):
    a, b = keras.Input((3,), name="input_a"), keras.Input((3,), name="input_b")
    model = keras.Model([a, b], [layers.Dense(4, name="dense_1")(a), layers.Dense(3, name="dense_2")(b)])
    model.set_weights(_numbered(case, "w"))
    return model


def test_sample_weights_for_some_outputs_only_as_tf_keras():
    case, data = _case("two_output_sw"), _case("two_output_sw")
    model = _two_output_model(case)
    model.compile(keras.optimizers.SGD(0.1), "mse", loss_weights=[1.0, 0.5])
    x, y = [data["xa"], data["xb"]], [data["ya"], data["yb"]]
    np.testing.assert_allclose(model.train_on_batch(x, y, sample_weight=[None, data["sw"]]), case["train"],
                               rtol=1e-5)
    np.testing.assert_allclose(model.test_on_batch(x, y, sample_weight={"dense_1": None, "dense_2": data["sw"]}),
                               case["test"], rtol=1e-5)


def test_targets_for_the_outputs_that_have_a_loss():
    case, data = _case("partial_loss"), _case("two_output_sw")
    x, yb = [data["xa"], data["xb"]], data["yb"]
    for targets in (yb, [yb]):  # tf-keras' one target for every output; Keras 2's targets of the lossy outputs
        model = _two_output_model(case)
        model.compile(keras.optimizers.SGD(0.1), {"dense_2": "mse"})
        np.testing.assert_allclose(model.train_on_batch(x, targets), case["train"], rtol=1e-5)
        np.testing.assert_allclose(model.test_on_batch(x, targets), case["test"], rtol=1e-5)
        for got, want in zip(model.get_weights(), _numbered(case, "after")):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    model.fit(x, [yb], epochs=1, verbose=0)
    model.evaluate(x, [yb], verbose=0)
    with pytest.raises(ValueError, match="expects 2 target"):
        model.fit(x, [yb, yb, yb], verbose=0)


def test_a_sample_weight_of_higher_rank_than_the_targets_is_refused():
    case = _case("two_output_sw")
    model = _two_output_model(case)
    model.compile("sgd", "mse")
    x, y = [case["xa"], case["xb"]], [case["ya"], case["yb"]]
    with pytest.raises(ValueError, match="sample_weight array with shape"):
        model.train_on_batch(x, y, sample_weight=[None, np.ones((10, 20, 30))])
    with pytest.raises(ValueError, match="sample_weight array with shape"):
        model.fit(x, y, sample_weight=[np.ones((10, 2, 2)), None], verbose=0)
    model.train_on_batch(x, y, sample_weight=[None, np.ones((10, 1))])  # a column of weights is fine


def _fit_twice(model_fn, x, y, x_other, y_other):
    """Losses and weights of the same model fit on ``x``/``y`` and on ``x_other``/``y_other`` (same values)."""
    results = []
    for xs, ys in ((x, y), (x_other, y_other)):
        model = model_fn()
        history = model.fit(xs, ys, batch_size=4, epochs=2, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.get_weights(), model.evaluate(xs, ys, verbose=0),
                        model.predict(xs, verbose=0)))
    (loss_a, w_a, e_a, p_a), (loss_b, w_b, e_b, p_b) = results
    np.testing.assert_allclose(loss_a, loss_b, rtol=1e-6)
    np.testing.assert_allclose(e_a, e_b, rtol=1e-6)
    for a, b in zip(w_a, w_b):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    for a, b in zip(p_a if isinstance(p_a, list) else [p_a], p_b if isinstance(p_b, list) else [p_b]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def _seeded_two_input_model():
    case = _case("two_output_sw")
    model = _two_output_model(case)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    return model


def test_pandas_dataframes_train_as_their_values():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    xa, xb, ya, yb = rng.random((10, 3)), rng.random((10, 3)), rng.random((10, 4)), rng.random((10, 3))
    frames = [pd.DataFrame(a) for a in (xa, xb, ya, yb)]
    _fit_twice(_seeded_two_input_model, [xa, xb], [ya, yb], frames[:2], frames[2:])
    _fit_twice(_seeded_two_input_model, [xa, xb], [ya, yb], {"input_a": frames[0], "input_b": frames[1]},
               frames[2:])
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1)])
    assert model.predict(pd.Series(np.arange(5.0)), verbose=0).shape == (5, 1)


def test_scipy_sparse_matrices_feed_dense_inputs():
    sparse = pytest.importorskip("scipy.sparse")
    x = [sparse.random(10, 3, density=0.4, random_state=i, format="csr") for i in range(2)]
    y = [sparse.random(10, n, density=0.4, random_state=5 + n, format="csr") for n in (4, 3)]
    dense_x, dense_y = [m.toarray() for m in x], [m.toarray() for m in y]
    _fit_twice(_seeded_two_input_model, dense_x, dense_y, x, y)
    model = _seeded_two_input_model()
    history = model.fit(x, y, batch_size=2, epochs=1, validation_split=0.5, verbose=0)
    assert np.isfinite(history.history["val_loss"][0])
    expected = _seeded_two_input_model().train_on_batch(dense_x, dense_y)
    np.testing.assert_allclose(_seeded_two_input_model().train_on_batch(x, y), expected, rtol=1e-6)
    shuffled = _seeded_two_input_model().fit(x, y, batch_size=3, epochs=2, shuffle=True, verbose=0)
    assert np.all(np.isfinite(shuffled.history["loss"]))


# ---- keras.engine.training_utils ----------------------------------------------------------------------------

def test_training_utils_check_array_length_consistency():
    from fastkeras.engine import training_utils
    a, b = np.zeros((4, 3)), np.zeros((3, 4))
    training_utils.check_array_length_consistency(None, None, None)
    training_utils.check_array_length_consistency(a, a, a)
    training_utils.check_array_length_consistency([a, a], [a, a], [a, a])
    training_utils.check_array_length_consistency([None], [None], [None])
    for args in ((a, None, None), (a, a, None), ([a], [None], None), ([a], [b], None), ([a], None, [b]),
                 ([a, b], None, None)):
        with pytest.raises(ValueError):
            training_utils.check_array_length_consistency(*args)


def test_training_utils_check_loss_and_target_compatibility():
    from fastkeras import losses
    from fastkeras.engine import training_utils
    a = np.zeros((2, 1, 3))
    training_utils.check_loss_and_target_compatibility([a], [losses.categorical_crossentropy], [a.shape])
    training_utils.check_loss_and_target_compatibility([a], [losses.categorical_crossentropy], [(2, None, 3)])
    training_utils.check_loss_and_target_compatibility([None], [losses.mean_squared_error], [(2, 5)])
    with pytest.raises(ValueError, match="You are passing a target array"):
        training_utils.check_loss_and_target_compatibility([np.zeros((2, 3, 1))], [losses.categorical_crossentropy],
                                                           [(2, 3, 1)])
    with pytest.raises(ValueError, match="targets to have the same shape"):
        training_utils.check_loss_and_target_compatibility([np.zeros((2, 3, 5))], [losses.categorical_crossentropy],
                                                           [(2, 3, 6)])
    with pytest.raises(ValueError, match="same shape"):
        training_utils.check_loss_and_target_compatibility([np.zeros((2, 4))], [losses.MeanSquaredError()],
                                                           [(None, 5)])
    training_utils.check_loss_and_target_compatibility([np.zeros((2, 4))], [losses.mean_absolute_error], [(None, 5)])


def test_training_utils_weighted_masked_objective():
    from fastkeras import losses
    from fastkeras.engine import training_utils
    fn = training_utils.weighted_masked_objective(losses.mean_absolute_error)
    y_true = np.array([[[1.0], [1.0]], [[0.0], [0.0]]], dtype="float32")
    y_pred = np.zeros((2, 2, 1), dtype="float32")
    mask = np.array([[1, 1], [0, 0]], dtype="float32")
    weights = np.array([1.0, 3.0], dtype="float32")
    # per-timestep scores [[1, 1], [0, 0]]: masked (x mask / mean(mask) = 2), weighted per sample, / fraction non-zero
    assert float(K.eval(fn(y_true, y_pred, weights, mask))) == pytest.approx(1.0)
    assert float(K.eval(fn(y_true, y_pred, None, None))) == pytest.approx(0.5)
    x = keras.Input((3,))
    assert fn(x, x, None) is not None  # symbolic tensors give a symbolic result
    assert training_utils.weighted_masked_objective(None) is None
    assert training_utils.make_batches(5, 2) == [(0, 2), (2, 4), (4, 5)]


def test_gru_weights_of_an_incompatible_kind_are_refused_as_tf_keras():
    from fastkeras.engine.saving import preprocess_weights_for_loading

    def gru(cudnn=False, **kwargs):
        layer = layers.CuDNNGRU(2) if cudnn else layers.GRU(2, **kwargs)
        return _built(layer, (3, 5))

    for src, dest, message in [
            (gru(reset_after=False), gru(cudnn=True), "GRU(reset_after=False) is not compatible with CuDNNGRU"),
            (gru(cudnn=True), gru(reset_after=False), "CuDNNGRU is not compatible with GRU(reset_after=False)"),
            (gru(reset_after=False), gru(reset_after=True),
             "GRU(reset_after=False) is not compatible with GRU(reset_after=True)"),
            (gru(reset_after=True), gru(reset_after=False),
             "GRU(reset_after=True) is not compatible with GRU(reset_after=False)")]:
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            preprocess_weights_for_loading(dest, src.get_weights())
    # compatible kinds convert both ways
    cudnn, plain = gru(cudnn=True), gru(reset_after=True)
    plain.set_weights(preprocess_weights_for_loading(plain, cudnn.get_weights()))
    x = np.random.default_rng(0).random((2, 3, 5)).astype("float32")
    np.testing.assert_allclose(K.eval(plain(x)), K.eval(cudnn(x)), rtol=1e-5, atol=1e-6)


def test_load_weights_of_an_incompatible_gru_file(tmp_path):
    path = str(tmp_path / "gru.h5")
    src = keras.Sequential([keras.Input((3, 5)), layers.GRU(2, reset_after=False, name="gru")])
    src.save_weights(path)
    dest = keras.Sequential([keras.Input((3, 5)), layers.CuDNNGRU(2, name="gru")])
    with pytest.raises(ValueError, match="not compatible with CuDNNGRU"):
        dest.load_weights(path)
    with pytest.warns(UserWarning, match="not compatible"):
        dest.load_weights(path, by_name=True, skip_mismatch=True)


# ---- whole models in an open h5py.File ------------------------------------------------------------------------

def test_save_and_load_a_model_through_an_open_h5py_file(tmp_path):
    import h5py
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(3)(layers.Dense(2)(inputs)))
    model.compile(loss="mse", optimizer="adam", metrics=["categorical_accuracy"])
    x = np.random.default_rng(1).random((2, 3)).astype("float32")
    model.train_on_batch(x, x)
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / "m.h5")
    with h5py.File(path, "w") as f:
        keras.models.save_model(model, f)
        loaded = keras.models.load_model(f)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
        model.save(f)  # again, into the same file: replaces what it held
    for source in (path, h5py.File(path, "r")):
        loaded = keras.models.load_model(source)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
        assert loaded.optimizer.iterations.numpy() == 1
    with h5py.File(str(tmp_path / "core.h5"), "w", driver="core", backing_store=False) as f:
        model.save(f, include_optimizer=False)
        loaded = keras.models.load_model(f)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
        assert loaded.optimizer is None


def test_an_open_h5py_file_is_checked_like_a_path(tmp_path):
    import h5py
    from fastkeras.saving import UnsafeFileError
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r+") as f:
        f["model_weights"]["elsewhere"] = h5py.ExternalLink("other.h5", "/")
    with h5py.File(path, "r") as f:
        with pytest.raises(UnsafeFileError, match="external link"):
            keras.models.load_model(f)


# ---- Keras 2's test_loss_weighting, test_model_pickling, test_sequential_model -----------------------------

def test_sample_weights_for_one_output_of_a_dict_as_tf_keras():
    case = _case("partial_sw")
    inputs = keras.Input((5,), name="input")
    hidden = layers.Dense(5, name="hidden")(inputs)
    model = keras.Model(inputs, [layers.Dense(1, name="output1")(hidden), layers.Dense(1, name="output2")(hidden)])
    model.set_weights(_numbered(case, "w"))
    model.compile(keras.optimizers.SGD(0.01), {"output1": "mse", "output2": "mse"},
                  metrics={"output1": ["mse"], "output2": ["mse"]}, weighted_metrics={"output2": ["mse"]})
    y = {"output1": case["y1"], "output2": case["y2"]}
    np.testing.assert_allclose(model.test_on_batch(case["x"], y, sample_weight={"output2": case["sw"]}),
                               case["test"], rtol=1e-5)
    np.testing.assert_allclose(model.train_on_batch(case["x"], y, sample_weight={"output2": case["sw"]}),
                               case["train"], rtol=1e-5)
    assert model.metrics_names == [str(n) for n in case["names"]]
    with pytest.raises(ValueError, match="output3"):
        model.train_on_batch(case["x"], y, sample_weight={"output3": case["sw"]})


def test_class_weight_must_weight_every_class_as_tf_keras():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile("rmsprop", "categorical_crossentropy")
    x, y = np.zeros((6, 4)), np.eye(3)[[0, 1, 2, 0, 1, 2]]
    for weights in ({0: 1.0, 2: 1.0}, {1: 2.0, 2: 1.0}, {0: 1.0, 1: 1.0, 3: 1.0}):
        with pytest.raises(ValueError, match="keys from 0 to one less than the number of classes"):
            model.fit(x, y, epochs=1, verbose=0, class_weight=weights)
    model.fit(x, y, epochs=1, verbose=0, class_weight={0: 1.0, 1: 2.0, 2: 0.5})


@pytest.mark.parametrize("copy_model", ["pickle", "deepcopy"])
def test_a_copied_model_trains_on_from_its_optimizer_state(copy_model):
    import copy
    import pickle
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.RepeatVector(3),
                              layers.TimeDistributed(layers.Dense(3))])
    model.compile(keras.optimizers.RMSprop(learning_rate=1e-3), "mse")
    rng = np.random.default_rng(0)
    x, y = rng.random((4, 3)), rng.random((4, 3, 3))
    model.train_on_batch(x, y)
    twin = pickle.loads(pickle.dumps(model)) if copy_model == "pickle" else copy.deepcopy(model)
    np.testing.assert_allclose(twin.predict(x, verbose=0), model.predict(x, verbose=0))
    for _ in range(2):
        model.train_on_batch(x, y)
        twin.train_on_batch(x, y)
    np.testing.assert_allclose(twin.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert len(twin.optimizer.variables()) == len(model.optimizer.variables())
    for a, b in zip(twin.optimizer.get_weights(), model.optimizer.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_sequential_build_without_arguments_once_it_knows_its_input():
    model = keras.Sequential([layers.Dense(10, input_shape=(20,)), layers.Dense(2), layers.Activation("softmax")])
    model.build()
    assert model.count_params() == 20 * 10 + 10 + 10 * 2 + 2
    with pytest.raises(ValueError, match="input_shape"):
        keras.Sequential([layers.Dense(2)]).build()


def test_clone_model_on_tensors_of_values_wraps_them_as_inputs():
    rng = np.random.default_rng(0)
    val_a, val_b = rng.random((10, 4)).astype("float32"), rng.random((10, 4)).astype("float32")
    input_a, input_b = keras.Input((4,)), keras.Input((4,))
    dense = layers.Dense(4)
    model = keras.Model([input_a, input_b], layers.add([layers.Dense(4)(dense(input_a)), dense(input_b)]))
    clone = keras.models.clone_model(model, input_tensors=[K.variable(val_a), K.variable(val_b)])
    assert [t._keras_history[0].name for t in clone.inputs] == [f"input_wrapper_for_{t._keras_history[0].name}"
                                                                for t in model.inputs]
    assert [tuple(t.shape) for t in clone.inputs] == [(10, 4), (10, 4)]
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict([val_a, val_b], verbose=0), model.predict([val_a, val_b], verbose=0))
    sequential = keras.Sequential([layers.Dense(3, input_shape=(4,)), layers.Dense(1)])
    clone = keras.models.clone_model(sequential, input_tensors=val_a)
    assert tuple(clone.inputs[0].shape) == (10, 4) and len(clone.layers) == 2


# ---- activity regularization losses of an eager call (Keras 2's regularizers tests) -----------------------

def test_model_losses_hold_the_activity_penalties_of_the_last_call_as_tf_keras():
    import torch
    case = _case("act_losses")
    inputs = keras.Input((4,))
    hidden = layers.Dense(3, kernel_regularizer=keras.regularizers.l2(0.01),
                          activity_regularizer=keras.regularizers.l1(0.1))(inputs)
    model = keras.Model(inputs, layers.Dense(2, activity_regularizer=keras.regularizers.l2(0.2))(hidden))
    model.set_weights(_numbered(case, "w"))
    assert len(model.losses) == 1  # the kernel penalty; no call yet
    model(case["x"])
    values = sorted(float(K.eval(v)) for v in model.losses)
    np.testing.assert_allclose(values, case["losses"], rtol=1e-5)
    total = sum(model.losses)  # a custom training loop's regularization term
    grads = torch.autograd.grad(total, model.trainable_weights, allow_unused=True)
    for got, want in zip(grads, _numbered(case, "grad")):
        np.testing.assert_allclose(K.to_numpy(got), want, rtol=1e-4, atol=1e-6)
    model(case["x"])  # a second call replaces the penalties, it does not add to them
    assert len(model.losses) == 3
    model.predict(case["x"], verbose=0)  # inference leaves them alone
    assert len(model.losses) == 3
    model.compile("sgd", "mse")
    model.evaluate(case["x"], np.zeros((5, 2)), verbose=0)
    assert len(model.losses) == 3


# ---- keras.utils (Keras 2's tests/keras/utils) ----------------------------------------------------------------

def test_conv_utils_deconv_length_and_bad_padding():
    from fastkeras.utils import conv_utils
    paddings = ("same", "valid", "full")
    for dim, stride, kernel, p, output_padding, dilation, want in _case("deconv_length")["cases"]:
        got = conv_utils.deconv_length(None if dim == -1 else int(dim), int(stride), int(kernel), paddings[p],
                                       None if output_padding == -1 else int(output_padding), int(dilation))
        assert (-1 if got is None else got) == want
    for fn, args in ((conv_utils.conv_output_length, (32, 5, "diagonal", 2)),
                     (conv_utils.conv_input_length, (18, 5, "diagonal", 2)),
                     (conv_utils.deconv_length, (6, 2, 3, "diagonal", None))):
        with pytest.raises(AssertionError):  # as Keras 2's and tf-keras' assert
            fn(*args)
        with pytest.raises(ValueError):
            fn(*args)


def test_func_load_reads_keras_2_1_1_raw_unicode_escape_bytecode():
    import marshal
    from fastkeras.utils.generic_utils import func_load

    def scale(x, factor=3):
        return x * factor

    for fn in (scale, lambda x: x ** 2, keras.activations.softmax):
        serialized = marshal.dumps(fn.__code__).decode("raw_unicode_escape")
        loaded = func_load(serialized, defaults=fn.__defaults__)
        assert loaded.__code__ == fn.__code__ and loaded.__defaults__ == fn.__defaults__
    assert func_load(marshal.dumps(scale.__code__).decode("raw_unicode_escape"), defaults=(3,))(2) == 6


def test_get_file_untar_of_an_archive_without_its_folder(tmp_path):
    import hashlib
    import tarfile
    from urllib.parse import urljoin
    from urllib.request import pathname2url
    from fastkeras.utils.data_utils import _hash_file, get_file, validate_file
    text = tmp_path / "test.txt"
    text.write_text("Float like a butterfly, sting like a bee.")
    archive = tmp_path / "test.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(text, arcname="test.txt")
    origin = urljoin("file://", pathname2url(str(archive)))
    cache = tmp_path / "cache"
    with pytest.warns(UserWarning, match="did not unpack to the folder data_utils/"):
        path = get_file("data_utils", origin, untar=True, cache_dir=str(cache))
    assert path == str(cache / "datasets" / "data_utils")  # Keras 2 and tf-keras return it all the same
    assert (cache / "datasets" / "test.txt").read_text().startswith("Float like")
    data = archive.read_bytes()
    assert _hash_file(str(archive)) == hashlib.sha256(data).hexdigest()
    assert _hash_file(str(archive), algorithm="md5") == hashlib.md5(data).hexdigest()
    assert _hash_file(str(archive), algorithm="auto") == hashlib.sha256(data).hexdigest()
    assert validate_file(str(archive), hashlib.md5(data).hexdigest())


def test_ask_to_proceed_with_overwrite(monkeypatch):
    from fastkeras.utils.io_utils import ask_to_proceed_with_overwrite
    answers = iter(["maybe", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert ask_to_proceed_with_overwrite("/tmp/x.h5") is True
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    assert ask_to_proceed_with_overwrite("/tmp/x.h5") is False


def test_preprocessing_sequence_remove_long_seq():
    from fastkeras.preprocessing.sequence import _remove_long_seq
    new_seq, new_label = _remove_long_seq(5, [[1, 2, 3], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5]], ["a", "b", "c"])
    assert new_seq == [[1, 2, 3]] and new_label == ["a"]  # strictly shorter, as the dataset loaders keep


def test_a_generator_yielding_more_than_x_y_sample_weight_is_refused_as_tf_keras():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse")

    def batches(n_items):
        while True:
            yield (np.zeros((4, 2)), np.zeros((4, 1)), np.ones((4,)), np.ones((4,)))[:n_items]

    message = r"Data is expected to be in format `x`, `\(x,\)`, `\(x, y\)`, or `\(x, y, sample_weight\)`"
    with pytest.raises(ValueError, match=message):
        model.fit(batches(2), steps_per_epoch=2, validation_data=batches(4), validation_steps=1, verbose=0)
    for call in (lambda: model.fit(batches(4), steps_per_epoch=2, verbose=0),
                 lambda: model.evaluate(batches(4), steps=2, verbose=0),
                 lambda: model.predict(batches(4), steps=2, verbose=0)):
        with pytest.raises(ValueError, match=message):
            call()
    model.fit(batches(3), steps_per_epoch=2, validation_data=batches(2), validation_steps=1, verbose=0)
    assert model.predict(batches(1), steps=2, verbose=0).shape == (8, 1)
