"""Layer behaviours that Keras 2's own layer tests (tests/keras/layers/ of Keras 2.2.4-2.3) rely on, checked
against tf-keras 2.21 where numbers are involved (tests/fixtures/keras2_suite_layers/cases.npz, from
tools/make_keras2_suite_layer_fixtures.py)."""
import os
import warnings

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import layers, models
from fastkeras.testing_infra import test_utils as tf_keras_test_utils
from fastkeras.utils import test_utils as keras2_test_utils

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = np.load(os.path.join(HERE, "..", "fixtures", "keras2_suite_layers", "cases.npz"))


def _case(name):
    prefix = name + "__"
    return {key[len(prefix):]: CASES[key] for key in CASES.files if key.startswith(prefix)}


def _shapes(rows):
    return [tuple(None if d == -1 else int(d) for d in row[1:1 + row[0]]) for row in rows]


# ---- merge layers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "average", "maximum", "minimum"])
def test_elementwise_merge_of_different_ranks_matches_tf_keras(name):
    case = _case("merge_" + name)
    i1, i2 = layers.Input((4, 5)), layers.Input((5,))
    out = getattr(layers, name)([i1, i2])
    assert K.int_shape(out) == (None, 4, 5)
    model = models.Model([i1, i2], out)
    np.testing.assert_allclose(model.predict([case["x1"], case["x2"]], verbose=0), case["y"], rtol=1e-6, atol=1e-6)
    # the lower-rank input may come first too
    swapped = models.Model([i1, i2], getattr(layers, name)([i2, i1]) if name != "subtract" else
                           layers.subtract([i2, i1]))
    assert swapped.predict([case["x1"], case["x2"]], verbose=0).shape == (2, 4, 5)


@pytest.mark.parametrize("name,op", [("add3", layers.add), ("maximum3", layers.maximum)])
def test_elementwise_merge_of_three_ranks_matches_tf_keras(name, op):
    case = _case("merge_" + name)
    inputs = [layers.Input((3, 4, 5)), layers.Input((4, 5)), layers.Input((5,))]
    model = models.Model(inputs, op(inputs))
    assert model.output_shape == (None, 3, 4, 5)
    got = model.predict([case["x0"], case["x1"], case["x2"]], verbose=0)
    np.testing.assert_allclose(got, case["y"], rtol=1e-6, atol=1e-6)


def test_merge_of_unknown_dims_broadcasts_at_run_time():
    i1, i2 = layers.Input((None, None)), layers.Input((None,))
    model = models.Model([i1, i2], layers.add([i1, i2]))
    assert model.output_shape == (None, None, None)
    x1, x2 = np.ones((2, 4, 5), "float32"), np.arange(10, dtype="float32").reshape(2, 5)
    assert model.predict([x1, x2], verbose=0).shape == (2, 4, 5)


@pytest.mark.parametrize("layer", [layers.Add(), layers.Concatenate(axis=1)], ids=["Add", "Concatenate"])
def test_merge_compute_mask_checks_its_arguments(layer):
    i1, i2 = layers.Input((4, 5)), layers.Input((4, 5))
    with pytest.raises(ValueError, match="`mask` should be a list"):
        layer.compute_mask([i1, i2], np.ones((2, 4, 5)))
    with pytest.raises(ValueError, match="`inputs` should be a list"):
        layer.compute_mask(i1, [None, None])
    with pytest.raises(ValueError, match="same length"):
        layer.compute_mask([i1, i2], [None])
    assert layer.compute_mask([i1, i2], None) is None
    assert layer.compute_mask([i1, i2], [None, None]) is None


def test_concatenating_a_list_the_caller_keeps_appending_to_matches_tf_keras():
    case = _case("concat_growing")
    x_i = layers.Input(shape=(None, None))
    x_list, x = [x_i], x_i
    for _ in range(4):
        x_list.append(x)
        x = layers.concatenate(x_list, axis=1)
    # each node keeps the inputs it was called with, not the list as it is now
    assert [len(layer.input) for layer in models.Model(x_i, x).layers[1:]] == [2, 3, 4, 5]
    model = models.Model(x_i, x)
    np.testing.assert_array_equal(model.predict(case["x"], verbose=0), case["y"])


def test_node_keeps_copies_of_argument_lists_and_dicts():
    a, b, c = layers.Input((2,)), layers.Input((2,)), layers.Input((2,))
    tensors = [a, b]
    out = layers.Add()(tensors)
    tensors.append(c)
    node = out._keras_history[0]._inbound_nodes[0]
    assert len(node.call_args[0]) == 2 and node.input_tensors == [a, b]
    assert models.Model([a, b], out).predict([np.ones((1, 2)), np.ones((1, 2))], verbose=0).tolist() == [[2, 2]]


# ---- keras.utils.test_utils.layer_test ----------------------------------------------------------------

def test_keras2_layer_test_builds_inputs_of_floatx():
    K.set_floatx("float64")
    try:
        out = keras2_test_utils.layer_test(layers.Dense, kwargs={"units": 3}, input_shape=(2, 4))
        assert out.dtype == np.float64
        # tf-keras' testing_infra helper keeps float32 inputs whatever floatx is, as tf-keras does
        with pytest.raises(AssertionError, match="float64 but expected to find float32"):
            tf_keras_test_utils.layer_test(layers.Dense, kwargs={"units": 3}, input_shape=(2, 4))
    finally:
        K.set_floatx("float32")
    assert keras2_test_utils.layer_test(layers.Dense, kwargs={"units": 3}, input_shape=(2, 4)).dtype == np.float32


# ---- symbolic tensors ------------------------------------------------------------------------------------

def test_keras_shape_attribute_of_symbolic_tensors():
    x = layers.Input((3, 2))
    o1, o2 = layers.Lambda(lambda t: [t * 0.2, t * 0.3], output_shape=lambda s: [s, s])(x)
    assert x._keras_shape == (None, 3, 2)
    assert o2._keras_shape == (None, 3, 2)
    assert layers.concatenate([o1, o2])._keras_shape == (None, 3, 4)
    assert type(x._keras_shape) is tuple


# ---- recurrent layers ------------------------------------------------------------------------------------

class PlusOneRNNCell(layers.Layer):
    def __init__(self, num_unit, **kwargs):
        self.state_size = num_unit
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.output_size = input_shape[-1]

    def call(self, inputs, states):
        return inputs + 1, [states[0] + 1]


def test_get_initial_state_of_symbolic_inputs_matches_tf_keras():
    x = keras.Input((None, 6))
    layer = layers.RNN(PlusOneRNNCell(5))
    y = layer(x)
    states = layer.get_initial_state(x)
    assert [K.int_shape(s) for s in states] == _shapes(_case("initial_state_symbolic")["shape"])
    values = K.function([x], states)([np.ones((3, 4, 6), "float32")])
    np.testing.assert_array_equal(values[0], np.zeros((3, 5)))
    model = models.Model(x, y)
    model.compile("rmsprop", "mse")
    model.train_on_batch(np.zeros((4, 2, 6)), np.zeros((4, 6)))

    lstm = layers.LSTM(3)
    lstm(x)
    h, c = lstm.get_initial_state(x)
    assert K.int_shape(h) == K.int_shape(c) == (None, 3)
    np.testing.assert_array_equal(K.function([x], [c])([np.ones((2, 3, 6), "float32")])[0], np.zeros((2, 3)))


def test_stacked_cells_reverse_state_order():
    def rnn(reverse):
        cells = [layers.LSTMCell(3), layers.LSTMCell(6)]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            stacked = layers.StackedRNNCells(cells, reverse_state_order=reverse)
        assert any("reverse_state_order" in str(w.message) for w in caught) == reverse
        return stacked, layers.RNN(stacked, return_state=True, return_sequences=True)

    natural_cells, natural = rnn(False)
    reverse_cells, reverse = rnn(True)
    assert [list(s) for s in reverse_cells.state_size] == [[6, 6], [3, 3]]
    for name, layer in (("natural", natural), ("reverse", reverse)):
        got = [tuple(s) for s in layer.compute_output_shape((None, 5, 4))]
        assert got == _shapes(_case("stacked_" + name)["shapes"])

    x = layers.Input((5, 4))
    natural_model, reverse_model = models.Model(x, natural(x)), models.Model(x, reverse(x))
    reverse_model.set_weights(natural_model.get_weights())
    data = np.random.default_rng(0).normal(size=(2, 5, 4)).astype("float32")
    n_out, r_out = natural_model.predict(data, verbose=0), reverse_model.predict(data, verbose=0)
    # the same computation; the states come out last cell first
    np.testing.assert_allclose(r_out[0], n_out[0], rtol=1e-6)
    for r, n in zip(r_out[1:], n_out[3:] + n_out[1:3]):
        np.testing.assert_allclose(r, n, rtol=1e-6)
    # and go in that order as initial states
    states = [layers.Input((6,)), layers.Input((6,)), layers.Input((3,)), layers.Input((3,))]
    _, rnn_layer = rnn(True)
    model = models.Model([x] + states, rnn_layer(x, initial_state=states))
    values = [data] + [np.zeros((2, k), "float32") for k in (6, 6, 3, 3)]
    assert [o.shape for o in model.predict(values, verbose=0)] == [(2, 5, 6), (2, 6), (2, 6), (2, 3), (2, 3)]


class LateStateSizeCell(layers.Layer):
    """A cell that learns its state and output sizes in build(), as Keras 2.3's masking tests write one."""

    def __init__(self, **kwargs):
        self.state_size = None
        self.output_size = None
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.state_size = input_shape[-1]
        self.output_size = input_shape[-1] * 2

    def call(self, inputs, states):
        return layers.concatenate([inputs] * 2), [s + 1 for s in states]


@pytest.mark.parametrize("unroll", [0, 1])
def test_symbolic_initial_state_for_a_cell_sized_in_build_matches_tf_keras(unroll):
    case = _case("late_state_size")
    x, s0 = layers.Input((4, 5)), layers.Input((5,))
    y, s = layers.RNN(LateStateSizeCell(), return_state=True, unroll=bool(unroll))(layers.Masking()(x),
                                                                                  initial_state=s0)
    assert K.int_shape(y) == (None, 10) and K.int_shape(s) == (None, 5)
    y_vals, s_vals = models.Model([x, s0], [y, s]).predict([case["x"], case["s0"]], verbose=0)
    np.testing.assert_allclose(y_vals, case[f"y_unroll{unroll}"], rtol=1e-6)
    np.testing.assert_allclose(s_vals, case[f"s_unroll{unroll}"], rtol=1e-6)
    with pytest.raises(ValueError, match="not compatible with `cell.state_size`"):
        layers.RNN(LateStateSizeCell())(layers.Masking()(x), initial_state=layers.Input((4,)))


# ---- TimeDistributed masks of symbolic tensors -------------------------------------------------------------

def test_time_distributed_compute_mask_of_symbolic_inputs_matches_tf_keras():
    case = _case("td_masking")
    model = models.Sequential()
    model.add(layers.TimeDistributed(layers.Masking(mask_value=0.0), input_shape=(None, 4)))
    model.add(layers.TimeDistributed(layers.Dense(5)))
    masks = [model.layers[0].compute_mask(model.input)]
    masks.append(model.layers[1].compute_mask(model.layers[1].input, masks[-1]))
    assert [K.int_shape(m) for m in masks] == [(None, None), (None, None)]
    values = K.function([model.input], masks)([case["x"]])
    np.testing.assert_array_equal(values[0], case["mask0"])
    np.testing.assert_array_equal(values[1], case["mask1"])
    # no mask in, none out
    assert model.layers[1].compute_mask(model.layers[1].input) is None


def test_time_distributed_masks_of_embedding_and_rnns_match_tf_keras():
    case = _case("td_embedding")
    model = models.Sequential()
    model.add(layers.TimeDistributed(layers.Embedding(5, 6, mask_zero=True), input_shape=(None, None)))
    model.add(layers.TimeDistributed(layers.SimpleRNN(7, return_sequences=True)))
    model.add(layers.TimeDistributed(layers.SimpleRNN(8, return_sequences=False)))
    model.add(layers.SimpleRNN(1, return_sequences=False))
    masks = [model.layers[0].compute_mask(model.input)]
    for layer in model.layers[1:]:
        masks.append(layer.compute_mask(layer.input, masks[-1]))
    assert masks[-1] is None
    values = K.function([model.input], masks[:-1])([case["x"]])
    for k, value in enumerate(values):
        np.testing.assert_array_equal(value, case[f"mask{k}"])


def test_time_distributed_model_mask_after_masking_layer():
    inputs = layers.Input(shape=(3, 4))
    x = layers.Masking(mask_value=0.0)(inputs)
    inner = models.Sequential([layers.Dense(5, input_shape=(4,)), layers.Activation("relu")])
    td = layers.TimeDistributed(inner)
    model = models.Model(inputs, td(x))
    data = np.ones((4, 3, 4), "float32")
    data[1, 2:] = 0
    data[3] = 0
    mask = td.compute_mask(model.layers[2].input, model.layers[1].compute_mask(model.layers[1].input))
    np.testing.assert_array_equal(K.function([model.input], [mask])([data])[0], np.any(data, axis=-1))


# ---- keras.engine -------------------------------------------------------------------------------------------

def test_engine_package_exports_keras2_names():
    import fastkeras.engine as engine
    from fastkeras.engine import Input, InputLayer, InputSpec, Layer, Model, get_source_inputs, tree  # noqa: F401
    assert Input is layers.Input and InputLayer is layers.InputLayer and InputSpec is layers.InputSpec
    assert Layer is layers.Layer and Model is models.Model
    x = Input((3,))
    y = layers.Dense(2)(x)
    assert get_source_inputs(y) == [x]
    with pytest.raises(AttributeError, match="no attribute 'Network'"):
        engine.Network


# ---- masked models run each layer once -------------------------------------------------------------------

class _CountingDense(layers.Dense):
    calls = 0

    def call(self, inputs):
        type(self).calls += 1
        return super().call(inputs)


def test_masked_functional_model_runs_each_layer_once_in_predict():
    _CountingDense.calls = 0
    x = layers.Input((None, 4))
    y = layers.TimeDistributed(_CountingDense(2))(layers.Masking()(x))
    inner = models.Model(x, y)
    outer_in = layers.Input((None, 4))
    outer = models.Model(outer_in, layers.LSTM(2)(inner(outer_in)))
    data = np.ones((2, 3, 4), "float32")
    data[0, 2] = 0
    inner.predict(data, verbose=0)
    assert _CountingDense.calls == 1
    outer.predict(data, verbose=0)
    assert _CountingDense.calls == 2
    # the nested model's output mask still reaches the LSTM: sample 0's masked last step is skipped
    full, first_two = outer.predict(data, verbose=0), outer.predict(data[:, :2], verbose=0)
    np.testing.assert_allclose(full[0], first_two[0], rtol=1e-6)
    assert not np.allclose(full[1], first_two[1])
    np.testing.assert_array_equal(K.to_numpy(inner(data)._keras_mask), np.any(data, axis=-1))


def test_stateful_conv_lstm_with_mask_keeps_the_states_it_returns():
    class Masking5D(layers.Masking):
        def compute_mask(self, inputs, mask=None):
            return K.any(K.not_equal(inputs, 0.0), axis=[2, 3, 4])

    data = np.random.default_rng(3).random((1, 2, 5, 5, 2)).astype("float32")
    x = layers.Input(batch_shape=data.shape)
    layer = layers.ConvLSTM2D(2, (3, 3), return_sequences=True, return_state=True, stateful=True)
    outputs = layer(Masking5D()(x))
    model = models.Model(x, outputs[1:])
    h, c = model.predict(data, verbose=0)
    np.testing.assert_allclose(K.eval(layer.states[0]), h, atol=1e-6)
    np.testing.assert_allclose(K.eval(layer.states[1]), c, atol=1e-6)


def test_backend_load_backend_module_holds_the_k_functions():
    from fastkeras.backend import load_backend
    assert load_backend.backend() == K.backend()
    for name in ("dot", "variable", "floatx", "epsilon", "image_data_format", "conv2d", "rnn"):
        assert getattr(load_backend, name) is getattr(K, name)
