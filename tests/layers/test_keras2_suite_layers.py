"""Layer behaviours that Keras 2's own layer tests (tests/keras/layers/ of Keras 2.2.4-2.3) rely on, checked
against tf-keras 2.21 where numbers are involved (tests/fixtures/keras2_suite_layers/cases.npz, from
tools/make_keras2_suite_layer_fixtures.py)."""
import os

import numpy as np
import pytest

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
