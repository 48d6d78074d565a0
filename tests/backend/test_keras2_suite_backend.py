"""K functions as Keras 2.3's own backend test suite (tests/keras/backend/backend_test.py) uses them.

That suite compares the backend in use with a numpy reference; what it found missing or different in fastkeras
is checked here against real tf-keras 2.21 (tests/fixtures/keras2_suite_backend/, written by
tools/make_keras2_suite_backend_fixtures.py), together with the parts the suite cannot compare on a PyTorch
engine (its Theano- and TensorFlow-only checks).
"""
import json
import os

import numpy as np
import pytest
import scipy.sparse as sparse

from fastkeras import backend as K
from fastkeras.backend import common
from fastkeras.utils.generic_utils import transpose_shape

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras2_suite_backend")
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
with open(os.path.join(FIXTURES, "expected.json")) as _f:
    EXPECTED = json.load(_f)

# Mirrors ARANGE_CALLS of the fixture script: (start, stop, step); "t:<int>" is a scalar int32 tensor.
ARANGE_CALLS = [(-20, None, 1), (0, None, 1), (1, None, 1), (10, None, 1), (0, 5, 1), (-5, 5, 2), (0, 1, 2),
                (10, 0, -3), ("t:1", None, 1), ("t:-1", None, 1), ("t:3", "t:9", "t:2")]
SPARSE_COO = (np.array([0, 7, 2, 3], "float32"), np.array([0, 2, 2, 3]), np.array([4, 3, 2, 3]), (4, 5))
BATCH_NORM_AXES = [1, -1, 1, -1]


def a(key):
    return ARRAYS[key]


# ---- keras.backend.common and keras.utils.generic_utils.transpose_shape -----------------------------------

def test_backend_common_holds_the_global_settings():
    # Keras 2's keras.backend.common held floatx/epsilon/image_data_format (its numpy reference imports them).
    assert common.floatx() == K.floatx() == "float32"
    assert common.epsilon() == K.epsilon()
    assert common.image_data_format() == K.image_data_format()
    assert common.normalize_data_format(None) == K.image_data_format()
    arr = common.cast_to_floatx([1, 2])
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32
    common.set_floatx("float64")
    try:
        assert K.floatx() == "float64"
    finally:
        common.set_floatx("float32")


def test_transpose_shape():
    padding = ((0, 0), (1, 2), (3, 4), (0, 0))
    assert transpose_shape(padding, "channels_last", spatial_axes=(1, 2)) is padding
    assert transpose_shape(padding, "channels_first", spatial_axes=(1, 2)) == ((0, 0), (0, 0), (1, 2), (3, 4))
    assert transpose_shape([8, 5, 6, 7, 3], "channels_first", spatial_axes=(1, 2, 3)) == [8, 3, 5, 6, 7]
    with pytest.raises(ValueError, match="channels_first"):
        transpose_shape((1, 2, 3), "channels_middle", spatial_axes=(1,))


# ---- value checks Keras 2 makes ----------------------------------------------------------------------------

@pytest.mark.parametrize("name,level", [("dropout_negative", -0.5), ("dropout_one", 1.0), ("dropout_zero", 0.0)])
def test_dropout_rate_range(name, level):
    x = K.variable(np.ones((3, 3)))
    if EXPECTED["raises"][name] is None:
        np.testing.assert_array_equal(K.eval(K.dropout(x, level=level)), np.ones((3, 3)))
    else:
        assert EXPECTED["raises"][name] == "ValueError"
        with pytest.raises(ValueError, match=r"range \[0, 1\)"):
            K.dropout(x, level=level)


def test_bias_add_rejects_an_unknown_data_format():
    assert EXPECTED["raises"]["bias_add_bad_format"] == "ValueError"
    with pytest.raises(ValueError, match="channels_middle"):
        K.bias_add(K.variable(np.ones((2, 3, 4))), K.variable(np.ones(4)), data_format="channels_middle")


def test_bias_add_default_data_format_follows_image_data_format():
    K.set_image_data_format("channels_first")
    try:
        out = K.eval(K.bias_add(K.variable(a("bias_add_default/x")), K.variable(a("bias_add_default/bias"))))
    finally:
        K.set_image_data_format("channels_last")
    np.testing.assert_allclose(out, a("bias_add_default/out"), rtol=1e-6)


def test_slice_needs_one_start_and_size_per_axis():
    x = K.variable(np.arange(30.0).reshape(2, 5, 3))
    np.testing.assert_array_equal(K.eval(K.slice(x, (1, 0, 1), (1, -1, 2))), K.eval(x)[1:2, :, 1:3])
    with pytest.raises(ValueError, match="dimension and the size of indices"):
        K.slice(x, start=[1, 0, 0, 0], size=(1, 2, 3))
    with pytest.raises(ValueError, match="dimension and the size of indices"):
        K.slice(x, start=[1, 0], size=(1, 2))


def test_get_variable_shape():
    assert K.get_variable_shape(K.variable(np.zeros((4, 2)))) == (4, 2)


# ---- arange ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("i", range(len(ARANGE_CALLS)))
def test_arange_as_tf_keras(i):
    start, stop, step = (K.constant(int(v[2:]), dtype="int32") if isinstance(v, str) else v
                         for v in ARANGE_CALLS[i])
    args = [start] + ([stop] if stop is not None else [])
    out = K.eval(K.arange(*args, step=step))
    np.testing.assert_array_equal(out, a(f"arange/{i}"))
    assert out.dtype == a(f"arange/{i}").dtype


def test_arange_dtypes():
    for dtype, expected in EXPECTED["arange_dtypes"].items():
        assert K.dtype(K.arange(10, dtype=dtype)) == expected


# ---- sparse inputs -----------------------------------------------------------------------------------------

def _csr():
    data, rows, cols, shape = SPARSE_COO
    return sparse.csr_matrix((data, (rows, cols)), shape=shape)


def test_variable_of_a_scipy_sparse_matrix():
    v = K.variable(_csr())
    assert K.is_sparse(v) is EXPECTED["sparse_is_sparse"]
    assert list(K.int_shape(v)) == EXPECTED["sparse_int_shape"]
    assert K.dtype(v) == "float32"
    np.testing.assert_array_equal(K.eval(v), a("sparse/dense"))
    np.testing.assert_array_equal(K.eval(K.to_dense(v)), a("sparse/dense"))


def test_sparse_dot_and_concatenate():
    np.testing.assert_allclose(K.eval(K.dot(K.variable(_csr()), K.variable(a("sparse/w")))), a("sparse/dot"),
                               rtol=1e-6)
    concat = K.concatenate([K.variable(_csr()), K.variable(_csr())])
    assert K.is_sparse(concat) is EXPECTED["sparse_concat_is_sparse"]
    np.testing.assert_array_equal(K.eval(concat), a("sparse/concat_last"))
    np.testing.assert_array_equal(K.eval(K.concatenate([K.variable(_csr()), K.variable(_csr())], axis=0)),
                                  a("sparse/concat_first"))


# ---- placeholders and functions ----------------------------------------------------------------------------

def test_scalar_placeholder():
    x, y = K.placeholder(shape=()), K.placeholder(shape=())
    assert list(K.int_shape(x)) == EXPECTED["scalar_placeholder_shape"]
    assert K.function([x, y], [x + y])([10.0, 20.0]) == [30.0]


# ---- what the suite compares with Theano or only on TensorFlow --------------------------------------------

def test_in_top_k_counts_ties_at_the_boundary():
    predictions, targets = a("in_top_k/predictions"), a("in_top_k/targets")
    for k in range(1, 11):
        out = K.eval(K.in_top_k(K.variable(predictions), K.variable(targets, dtype="int32"), k))
        np.testing.assert_array_equal(out, a(f"in_top_k/k{k}"))


def test_ctc_decode_greedy_keras2_case():
    decoded, log_prob = K.ctc_decode(K.variable(a("ctc_greedy/inputs")), K.variable(a("ctc_greedy/input_length")),
                                     greedy=True)
    assert len(decoded) == 1
    np.testing.assert_array_equal(K.eval(decoded[0]), a("ctc_greedy/decoded"))
    np.testing.assert_allclose(K.eval(log_prob), a("ctc_greedy/log_prob"), rtol=1e-5)


@pytest.mark.parametrize("i", range(len(BATCH_NORM_AXES)))
def test_batch_normalization_with_broadcast_parameters(i):
    args = [K.variable(a(f"batch_norm/{i}/{n}")) for n in ("x", "mean", "var", "beta", "gamma")]
    out = K.eval(K.batch_normalization(*args, axis=BATCH_NORM_AXES[i]))
    np.testing.assert_allclose(out, a(f"batch_norm/{i}/out"), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
@pytest.mark.parametrize("factor", [2, 4])
def test_resize_images_bilinear(data_format, factor):
    key = f"bilinear/{data_format}_{factor}"
    out = K.eval(K.resize_images(K.variable(a(f"{key}/x")), factor, factor, data_format,
                                 interpolation="bilinear"))
    np.testing.assert_allclose(out, a(f"{key}/out"), rtol=1e-5, atol=1e-6)



@pytest.mark.parametrize("case", EXPECTED["symbolic_broadcast_shapes"], ids=lambda c: f"{c[0]}{c[2]}{c[1]}")
def test_static_shape_of_a_placeholder_broadcast_against_a_variable(case):
    placeholder_shape, variable_shape, op, expected_shape = case
    p = K.placeholder(shape=tuple(placeholder_shape))
    v = K.variable(np.ones(variable_shape, "float32"))
    result = {"add": lambda: v + p, "multiply": lambda: p * v, "maximum": lambda: K.maximum(p, v)}[op]()
    assert list(K.int_shape(result)) == expected_shape
    # feed a value whose unknown sizes broadcast: the variable's size where it has one (> 1), else 4
    aligned = [1] * (len(placeholder_shape) - len(variable_shape)) + list(variable_shape)
    feed_shape = [d if d is not None else (a if a > 1 else 4) for d, a in zip(placeholder_shape, aligned)]
    out = K.function([p], [result])([np.full(feed_shape, 2.0, "float32")])[0]
    assert all(e is None or e == o for e, o in zip(expected_shape, out.shape))
