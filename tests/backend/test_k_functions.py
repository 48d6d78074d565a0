"""The Keras 2 backend function set (``from fastkeras import backend as K``).

Each function is checked against numpy on the same input (shape and values); the tricky ones (dot/batch_dot
shape rules, crossentropies, relu edges, l2_normalize, resize_images, ctc ...) also against the values real
tf-keras 2.21 computes (tests/fixtures/backend/, written by tools/make_backend_fixtures.py). Functions must also
work on shape-only (meta) tensors, which is what they see inside a Lambda layer while a graph is built, and on
symbolic tensors, where each call becomes a layer of the graph.
"""
import json
import os
import warnings

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras.layers import Dense, Input, Lambda
from fastkeras.models import Model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "backend")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    CASES = json.load(_f)["cases"]
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))

RNG = np.random.default_rng(7)


def f32(*shape):
    return RNG.normal(size=shape).astype("float32")


def np_of(x):
    return K.to_numpy(x)


# ---------------------------------------------------------------------------------------------------------------
# against tf-keras
# ---------------------------------------------------------------------------------------------------------------

def _kwargs(case):
    kwargs = dict(case["kwargs"])
    for key in ("axes", "pattern", "n", "kernel_size", "strides", "output_shape", "pool_size", "axis"):
        if isinstance(kwargs.get(key), list) and not (case["function"] in ("reverse",) and key == "axes"):
            kwargs[key] = tuple(kwargs[key])
    if "padding" in kwargs and isinstance(kwargs["padding"], list):
        kwargs["padding"] = tuple(tuple(p) if isinstance(p, list) else p for p in kwargs["padding"])
    return kwargs


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_tf_keras(case):
    inputs = [ARRAYS[f"{case['id']}/in{i}"] for i in range(case["n_inputs"])]
    result = getattr(K, case["function"])(*inputs, **_kwargs(case))
    flat = []

    def collect(r):
        if isinstance(r, (list, tuple)):
            for item in r:
                collect(item)
        else:
            flat.append(np_of(r))
    collect(result)
    assert len(flat) == case["n_outputs"]
    for j, got in enumerate(flat):
        want = ARRAYS[f"{case['id']}/out{j}"]
        assert got.shape == want.shape, f"{case['id']} output {j}: shape {got.shape}, tf-keras {want.shape}"
        if want.dtype == bool or np.issubdtype(want.dtype, np.integer):
            np.testing.assert_array_equal(got, want, err_msg=case["id"])
        else:
            np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5, err_msg=case["id"])


# ---------------------------------------------------------------------------------------------------------------
# against numpy: elementwise, reductions, shapes
# ---------------------------------------------------------------------------------------------------------------

X = f32(3, 4)
Y = f32(3, 4)
P = RNG.uniform(0.1, 2.0, size=(3, 4)).astype("float32")
B = f32(2, 3, 4)

ELEMENTWISE = [
    ("square", lambda: K.square(X), lambda: X ** 2),
    ("abs", lambda: K.abs(X), lambda: np.abs(X)),
    ("sqrt", lambda: K.sqrt(P), lambda: np.sqrt(P)),
    ("exp", lambda: K.exp(X), lambda: np.exp(X)),
    ("log", lambda: K.log(P), lambda: np.log(P)),
    ("round", lambda: K.round(X * 3), lambda: np.round(X * 3)),
    ("sign", lambda: K.sign(X), lambda: np.sign(X)),
    ("pow", lambda: K.pow(P, 1.5), lambda: P ** 1.5),
    ("clip", lambda: K.clip(X, -0.5, 0.5), lambda: np.clip(X, -0.5, 0.5)),
    ("equal", lambda: K.equal(np.round(X), np.round(Y)), lambda: np.round(X) == np.round(Y)),
    ("not_equal", lambda: K.not_equal(np.round(X), np.round(Y)), lambda: np.round(X) != np.round(Y)),
    ("greater", lambda: K.greater(X, Y), lambda: X > Y),
    ("greater_equal", lambda: K.greater_equal(X, 0.0), lambda: X >= 0.0),
    ("less", lambda: K.less(X, Y), lambda: X < Y),
    ("less_equal", lambda: K.less_equal(X, Y), lambda: X <= Y),
    ("maximum", lambda: K.maximum(X, Y), lambda: np.maximum(X, Y)),
    ("maximum_number", lambda: K.maximum(X, 0.2), lambda: np.maximum(X, 0.2)),
    ("minimum", lambda: K.minimum(X, Y), lambda: np.minimum(X, Y)),
    ("minimum_number", lambda: K.minimum(X, 0), lambda: np.minimum(X, 0)),
    ("sin", lambda: K.sin(X), lambda: np.sin(X)),
    ("cos", lambda: K.cos(X), lambda: np.cos(X)),
    ("tanh", lambda: K.tanh(X), lambda: np.tanh(X)),
    ("sigmoid", lambda: K.sigmoid(X), lambda: 1 / (1 + np.exp(-X))),
    ("hard_sigmoid", lambda: K.hard_sigmoid(X * 4), lambda: np.clip(0.2 * X * 4 + 0.5, 0, 1)),
    ("softplus", lambda: K.softplus(X), lambda: np.log1p(np.exp(X))),
    ("softsign", lambda: K.softsign(X), lambda: X / (1 + np.abs(X))),
    ("relu", lambda: K.relu(X), lambda: np.maximum(X, 0)),
    ("elu", lambda: K.elu(X), lambda: np.where(X > 0, X, np.expm1(X))),
    ("softmax", lambda: K.softmax(X), lambda: np.exp(X) / np.exp(X).sum(-1, keepdims=True)),
    ("l2_normalize", lambda: K.l2_normalize(X, axis=-1),
     lambda: X / np.sqrt((X ** 2).sum(-1, keepdims=True))),
    ("floor", lambda: K.floor(X), lambda: np.floor(X)),
    ("ceil", lambda: K.ceil(X), lambda: np.ceil(X)),
    ("stop_gradient", lambda: K.stop_gradient(X), lambda: X),
    ("identity", lambda: K.identity(X), lambda: X),
    ("cast", lambda: K.cast(X * 3, "int32"), lambda: (X * 3).astype("int32")),
    ("dropout_zero", lambda: K.dropout(X, 0.0), lambda: X),
    ("bias_add", lambda: K.bias_add(X, Y[0]), lambda: X + Y[0]),
    ("in_train_phase_train", lambda: K.in_train_phase(X, Y, training=1), lambda: X),
    ("in_train_phase_test", lambda: K.in_train_phase(lambda: X, lambda: Y, training=0), lambda: Y),
    ("in_test_phase", lambda: K.in_test_phase(X, Y, training=0), lambda: X),
    ("where", lambda: K.where(X > 0, X, Y), lambda: np.where(X > 0, X, Y)),
    ("where_numbers", lambda: K.where(X > 0, 1.0, 0.0), lambda: np.where(X > 0, 1.0, 0.0)),
    ("switch_numbers", lambda: K.switch(X > 0, X, 0.0), lambda: np.where(X > 0, X, 0.0)),
]

REDUCTIONS = [
    ("sum", lambda: K.sum(B), lambda: B.sum()),
    ("sum_axis_keepdims", lambda: K.sum(B, axis=1, keepdims=True), lambda: B.sum(1, keepdims=True)),
    ("sum_axes", lambda: K.sum(B, axis=[0, 2]), lambda: B.sum((0, 2))),
    ("sum_keepdims_all", lambda: K.sum(B, keepdims=True), lambda: B.sum(keepdims=True)),
    ("prod", lambda: K.prod(P, axis=0), lambda: P.prod(0)),
    ("mean", lambda: K.mean(B, axis=-1), lambda: B.mean(-1)),
    ("mean_bool", lambda: K.mean(B > 0), lambda: (B > 0).mean()),
    ("max", lambda: K.max(B, axis=2), lambda: B.max(2)),
    ("max_all", lambda: K.max(B), lambda: B.max()),
    ("min", lambda: K.min(B, axis=(0, 1), keepdims=True), lambda: B.min((0, 1), keepdims=True)),
    ("std", lambda: K.std(B, axis=1), lambda: B.std(1)),
    ("var", lambda: K.var(B, axis=None, keepdims=True), lambda: B.var(keepdims=True)),
    ("any", lambda: K.any(B > 1.0, axis=1), lambda: (B > 1.0).any(1)),
    ("all", lambda: K.all(B > -3.0), lambda: (B > -3.0).all()),
    ("argmax", lambda: K.argmax(B), lambda: B.argmax(-1)),
    ("argmin", lambda: K.argmin(B, axis=1), lambda: B.argmin(1)),
    ("logsumexp", lambda: K.logsumexp(B, axis=1), lambda: np.log(np.exp(B).sum(1))),
    ("cumsum", lambda: K.cumsum(B, axis=2), lambda: B.cumsum(2)),
    ("cumprod", lambda: K.cumprod(P, axis=1), lambda: P.cumprod(1)),
]

SHAPES = [
    ("dot", lambda: K.dot(X, Y.T), lambda: X @ Y.T),
    ("dot_nd", lambda: K.dot(B, f32_fixed(4, 5)), lambda: B @ f32_fixed(4, 5)),
    ("batch_dot", lambda: K.batch_dot(B, np.swapaxes(B, 1, 2)), lambda: B @ np.swapaxes(B, 1, 2)),
    ("transpose", lambda: K.transpose(B), lambda: B.transpose()),
    ("matmul", lambda: K.matmul(B, np.swapaxes(B, 1, 2)), lambda: B @ np.swapaxes(B, 1, 2)),
    ("gather", lambda: K.gather(X, np.array([2, 0, 2])), lambda: X[[2, 0, 2]]),
    ("concatenate", lambda: K.concatenate([X, Y]), lambda: np.concatenate([X, Y], -1)),
    ("concatenate_axis0", lambda: K.concatenate([X, Y], axis=0), lambda: np.concatenate([X, Y], 0)),
    ("reshape", lambda: K.reshape(B, (2, -1)), lambda: B.reshape(2, -1)),
    ("permute_dimensions", lambda: K.permute_dimensions(B, (0, 2, 1)), lambda: B.transpose(0, 2, 1)),
    ("repeat", lambda: K.repeat(X, 2), lambda: np.repeat(X[:, None, :], 2, axis=1)),
    ("repeat_elements", lambda: K.repeat_elements(B, 2, axis=1), lambda: np.repeat(B, 2, axis=1)),
    ("tile", lambda: K.tile(X, (2, 1)), lambda: np.tile(X, (2, 1))),
    ("tile_int", lambda: K.tile(X, 2), lambda: np.tile(X, 2)),
    ("flatten", lambda: K.flatten(B), lambda: B.reshape(-1)),
    ("batch_flatten", lambda: K.batch_flatten(B), lambda: B.reshape(2, -1)),
    ("expand_dims", lambda: K.expand_dims(X), lambda: X[..., None]),
    ("expand_dims_axis", lambda: K.expand_dims(X, 0), lambda: X[None]),
    ("squeeze", lambda: K.squeeze(X[:, None], 1), lambda: X),
    ("stack", lambda: K.stack([X, Y]), lambda: np.stack([X, Y])),
    ("stack_axis", lambda: K.stack([X, Y], axis=-1), lambda: np.stack([X, Y], -1)),
    ("unstack", lambda: K.stack(K.unstack(B, axis=1), axis=1), lambda: B),
    ("one_hot", lambda: K.one_hot(np.array([0, 2, 1]), 3), lambda: np.eye(3, dtype="float32")[[0, 2, 1]]),
    ("reverse", lambda: K.reverse(B, 1), lambda: B[:, ::-1]),
    ("reverse_axes", lambda: K.reverse(B, (0, 2)), lambda: B[::-1, :, ::-1]),
    ("slice", lambda: K.slice(B, (0, 1, 1), (2, 2, -1)), lambda: B[0:2, 1:3, 1:]),
    ("zeros_like", lambda: K.zeros_like(X), lambda: np.zeros_like(X)),
    ("ones_like", lambda: K.ones_like(X, dtype="int32"), lambda: np.ones_like(X, dtype="int32")),
    ("zeros", lambda: K.zeros((2, 3)), lambda: np.zeros((2, 3), "float32")),
    ("ones", lambda: K.ones((2, 3), dtype="int32"), lambda: np.ones((2, 3), "int32")),
    ("eye", lambda: K.eye(3), lambda: np.eye(3, dtype="float32")),
    ("eye_rect", lambda: K.eye((2, 3)), lambda: np.eye(2, 3, dtype="float32")),
    ("arange", lambda: K.arange(2, 11, 3), lambda: np.arange(2, 11, 3, dtype="int32")),
    ("arange_stop", lambda: K.arange(4), lambda: np.arange(4, dtype="int32")),
    ("constant", lambda: K.constant(2.5, shape=(2, 2)), lambda: np.full((2, 2), 2.5, "float32")),
    ("constant_list", lambda: K.constant([1, 2, 3, 4], shape=(2, 2)), lambda: np.array([[1, 2], [3, 4]], "float32")),
    ("temporal_padding", lambda: K.temporal_padding(B, (1, 2)), lambda: np.pad(B, ((0, 0), (1, 2), (0, 0)))),
    ("spatial_2d_padding", lambda: K.spatial_2d_padding(B[..., None]),
     lambda: np.pad(B[..., None], ((0, 0), (1, 1), (1, 1), (0, 0)))),
    ("spatial_3d_padding", lambda: K.spatial_3d_padding(B[..., None, None], ((0, 1), (1, 0), (0, 0))),
     lambda: np.pad(B[..., None, None], ((0, 0), (0, 1), (1, 0), (0, 0), (0, 0)))),
    ("resize_images", lambda: K.resize_images(B[..., None], 2, 3, "channels_last"),
     lambda: np.repeat(np.repeat(B[..., None], 2, 1), 3, 2)),
    ("categorical_crossentropy", lambda: K.categorical_crossentropy(_onehot, _probs),
     lambda: -(_onehot * np.log(_probs)).sum(-1)),
    ("sparse_categorical_crossentropy", lambda: K.sparse_categorical_crossentropy(np.array([0, 1, 2]), _probs),
     lambda: -np.log(_probs[[0, 1, 2], [0, 1, 2]])),
    ("binary_crossentropy", lambda: K.binary_crossentropy(_targets01, _sig),
     lambda: -(_targets01 * np.log(_sig + 1e-7) + (1 - _targets01) * np.log(1 - _sig + 1e-7))),
]


def f32_fixed(*shape):
    return np.arange(np.prod(shape), dtype="float32").reshape(shape) / 10.0


_probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]], "float32")
_onehot = np.eye(3, dtype="float32")[[0, 1, 2]]
_targets01 = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
_sig = np.array([[0.9, 0.2], [0.4, 0.6]], "float32")


@pytest.mark.parametrize("name,ours,reference", ELEMENTWISE + REDUCTIONS + SHAPES,
                         ids=[c[0] for c in ELEMENTWISE + REDUCTIONS + SHAPES])
def test_matches_numpy(name, ours, reference):
    got, want = np_of(ours()), np.asarray(reference())
    assert got.shape == want.shape, f"{name}: shape {got.shape}, numpy {want.shape}"
    if want.dtype == bool:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------------------------------
# variables, values and dtypes
# ---------------------------------------------------------------------------------------------------------------

def test_variable_name_dtype_and_value():
    v = K.variable(np.array([[1, 2], [3, 4]]), name="w")
    assert v.name == "w:0"
    assert K.dtype(v) == "float32" and K.int_shape(v) == (2, 2) and K.ndim(v) == 2
    assert K.is_variable(v) and K.is_tensor(v)
    assert K.variable(1.0).name == "Variable:0"
    assert K.dtype(K.variable([1, 2], dtype="int32")) == "int32"
    assert K.dtype(K.variable(3.0, dtype="float64")) == "float64"
    np.testing.assert_array_equal(K.eval(v), [[1, 2], [3, 4]])
    assert K.count_params(v) == 4


def test_get_value_is_a_copy_of_the_live_weight():
    v = K.variable(np.ones(3))
    value = K.get_value(v)
    value[0] = 5.0
    np.testing.assert_array_equal(K.get_value(v), [1, 1, 1])
    array = K.to_numpy(v)
    array[1] = 7.0
    np.testing.assert_array_equal(v.numpy(), [1, 1, 1])
    for copy in K.batch_get_value([v]):
        copy[:] = 0
    np.testing.assert_array_equal(K.eval(v), [1, 1, 1])
    # A layer's get_weights() must not alias its weights either.
    layer = Dense(2)
    layer.build((None, 3))
    kernel = layer.get_weights()[0]
    kernel[:] = 0
    assert np.abs(K.get_value(layer.kernel)).sum() > 0


def test_get_value_of_numbers_and_symbolic_tensors():
    assert K.get_value(0.25) == 0.25
    with pytest.raises(ValueError, match="symbolic tensor"):
        K.get_value(Input((3,)))


def test_set_value_and_batch_set_value():
    v = K.variable(np.zeros((2, 2)))
    K.set_value(v, np.array([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(K.get_value(v), [[1, 2], [3, 4]])
    w = K.variable(np.zeros(3), dtype="int32")
    K.batch_set_value([(v, np.ones((2, 2))), (w, np.array([1.7, 2.2, 3.9]))])
    np.testing.assert_array_equal(K.get_value(v), np.ones((2, 2)))
    assert K.get_value(w).dtype == np.int32
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(2, 2\)"):
        K.set_value(v, np.ones(3))
    v.assign(np.full((2, 2), 3.0))
    np.testing.assert_array_equal(K.get_value(v), np.full((2, 2), 3.0))


def test_shape_functions_on_symbolic_and_engine_tensors():
    x = Input((3, 4))
    assert K.int_shape(x) == (None, 3, 4)
    assert K.shape(x) == (None, 3, 4)
    assert K.ndim(x) == 3 and K.dtype(x) == "float32"
    t = K.ones((2, 5))
    assert K.int_shape(t) == (2, 5) and K.shape(t) == (2, 5) and K.shape(t)[0] == 2
    assert int(np_of(K.size(t))) == 10
    assert K.count_params(np.zeros((3, 4))) == 12


def test_cast_and_dtype_names():
    x = K.cast(np.array([1.7, -2.2]), "int32")
    assert K.dtype(x) == "int32"
    np.testing.assert_array_equal(np_of(x), [1, -2])
    assert K.dtype(K.cast_to_floatx(np.array([1, 2]))) == "float32" if hasattr(K.cast_to_floatx(np.array([1])),
                                                                             "dtype") else True
    assert K.floatx() == "float32" and K.epsilon() == 1e-7 and K.image_data_format() == "channels_last"
    assert K.backend() == "torch"


def test_constant_has_floatx_or_given_dtype():
    assert K.dtype(K.constant([1, 2])) == "float32"
    assert K.dtype(K.constant([1, 2], dtype="int64")) == "int64"


def test_is_keras_tensor():
    x = Input((2,))
    assert K.is_keras_tensor(x)
    assert K.is_keras_tensor(Dense(3)(x))
    assert not K.is_keras_tensor(K.ones((2,)))
    assert not K.is_keras_tensor(K.variable(1.0))
    with pytest.raises(ValueError, match="Expected a symbolic tensor instance"):
        K.is_keras_tensor(np.ones(2))


def test_sparse_helpers():
    dense = K.ones((2, 2))
    assert not K.is_sparse(dense) and K.to_dense(dense) is dense
    sparse = K.ctc_label_dense_to_sparse(np.array([[1, 2, 0], [3, 0, 0]]), np.array([2, 1]))
    assert K.is_sparse(sparse)
    np.testing.assert_array_equal(np_of(K.to_dense(sparse)), [[1, 2, 0], [3, 0, 0]])
    assert sparse._nnz() == 3


# ---------------------------------------------------------------------------------------------------------------
# randomness
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda seed: K.random_uniform((200, 50), -2.0, 3.0, seed=seed),
    lambda seed: K.random_normal((200, 50), 1.0, 2.0, seed=seed),
    lambda seed: K.truncated_normal((200, 50), 0.5, 1.0, seed=seed),
    lambda seed: K.random_bernoulli((200, 50), 0.3, seed=seed),
], ids=["uniform", "normal", "truncated_normal", "bernoulli"])
def test_random_is_reproducible_with_a_seed(fn):
    a, b, c = np_of(fn(11)), np_of(fn(11)), np_of(fn(12))
    assert a.shape == (200, 50) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_random_distributions():
    u = np_of(K.random_uniform((20000,), -2.0, 3.0, seed=1))
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.05
    n = np_of(K.random_normal((20000,), 1.0, 2.0, seed=1))
    assert abs(n.mean() - 1.0) < 0.06 and abs(n.std() - 2.0) < 0.06
    t = np_of(K.truncated_normal((20000,), 0.5, 1.0, seed=1))
    assert t.min() >= -1.5 and t.max() <= 2.5 and abs(t.mean() - 0.5) < 0.05
    b = np_of(K.random_bernoulli((20000,), 0.3, seed=1))
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.02
    assert np_of(K.random_bernoulli((10,), 1.0, seed=3)).min() == 1.0  # uniform <= p, as Keras 2
    assert K.dtype(K.random_normal((2,), dtype="float64")) == "float64"


def test_random_binomial_is_deprecated_for_bernoulli():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        b = K.random_binomial((5, 5), 0.5, seed=2)
    assert any("random_bernoulli" in str(w.message) for w in caught)
    np.testing.assert_array_equal(np_of(b), np_of(K.random_bernoulli((5, 5), 0.5, seed=2)))


def test_random_variables():
    v = K.random_uniform_variable((3, 4), -1.0, 1.0, name="u", seed=3)
    w = K.random_normal_variable((3, 4), 0.0, 0.1, seed=3)
    assert v.name == "u:0" and K.is_variable(v) and K.is_variable(w)
    values = K.get_value(v)
    assert values.min() >= -1.0 and values.max() < 1.0
    np.testing.assert_array_equal(K.get_value(K.random_normal_variable((3, 4), 0.0, 0.1, seed=3)),
                                  K.get_value(w))


def test_random_shapes_from_k_shape():
    x = K.ones((3, 2))
    assert np_of(K.random_normal(shape=(K.shape(x)[0], 5))).shape == (3, 5)
    assert np_of(K.random_uniform(shape=K.shape(x))).shape == (3, 2)


def test_dropout_with_seed_and_noise_shape():
    x = np.ones((4, 6), "float32")
    a, b = np_of(K.dropout(x, 0.5, seed=5)), np_of(K.dropout(x, 0.5, seed=5))
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 2.0}
    c = np_of(K.dropout(x, 0.5, noise_shape=(4, 1), seed=1))
    assert all(len(set(row)) == 1 for row in c)


# ---------------------------------------------------------------------------------------------------------------
# learning phase, updates, gradients, control flow
# ---------------------------------------------------------------------------------------------------------------

def test_learning_phase_and_scope():
    assert K.learning_phase() == 0
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1
        np.testing.assert_array_equal(np_of(K.in_train_phase(K.ones(2), K.zeros(2))), [1, 1])
    assert K.learning_phase() == 0
    np.testing.assert_array_equal(np_of(K.in_train_phase(K.ones(2), K.zeros(2))), [0, 0])
    K.set_learning_phase(1)
    try:
        assert K.learning_phase() == 1
    finally:
        K.set_learning_phase(0)
    with pytest.raises(ValueError):
        K.set_learning_phase(2)


def test_updates_in_place():
    v = K.variable(np.array([1.0, 2.0]))
    assert K.update(v, np.array([3.0, 4.0])) is v
    K.update_add(v, 1.0)
    K.update_sub(v, np.array([0.5, 0.5]))
    np.testing.assert_allclose(K.get_value(v), [3.5, 4.5])
    K.moving_average_update(v, np.array([10.0, 0.0]), 0.9)
    np.testing.assert_allclose(K.get_value(v), [3.5 * 0.9 + 1.0, 4.5 * 0.9], rtol=1e-6)


def test_gradients_of_an_eager_loss():
    w = K.variable(np.array([1.0, -2.0, 3.0]))
    unused = K.variable(np.array([1.0]))
    frozen = K.variable(np.array([2.0]), trainable=False)
    loss = K.sum(K.square(w)) * frozen[0]
    grads = K.gradients(loss, [w, unused, frozen])
    np.testing.assert_allclose(np_of(grads[0]), [4.0, -8.0, 12.0])
    assert grads[1] is None and grads[2] is None
    # the graph is kept: asking again works
    np.testing.assert_allclose(np_of(K.gradients(loss, w)[0]), [4.0, -8.0, 12.0])
    with pytest.raises(ValueError, match="loss tensor"):
        K.gradients(Input((3,)), [w])
    with pytest.raises(ValueError, match="does not depend"):
        K.gradients(K.constant(1.0), [w])


def test_switch_scalar_condition_calls_only_the_picked_branch():
    calls = []

    def then():
        calls.append("then")
        return K.ones(2)

    def other():
        calls.append("else")
        return K.zeros(2)
    np.testing.assert_array_equal(np_of(K.switch(K.constant(0.0) > 1, then, other)), [0, 0])
    assert calls == ["else"]
    with pytest.raises(ValueError, match="Rank of `condition`"):
        K.switch(np.ones((2, 2, 2)) > 0, np.ones((2, 2)), np.zeros((2, 2)))


def test_where_keeps_numbers_on_the_condition_device():
    cond = K.constant([1.0, -1.0]) > 0
    out = K.where(cond, 2, K.constant([5.0, 6.0]))
    assert out.device == cond.device
    np.testing.assert_array_equal(np_of(out), [2.0, 6.0])
    np.testing.assert_array_equal(np_of(K.where(cond)), [[0]])


def test_map_fn_foldl_foldr():
    x = np.arange(6, dtype="float32").reshape(3, 2)
    np.testing.assert_allclose(np_of(K.map_fn(lambda row: row * 2 + 1, x)), x * 2 + 1)
    pair = K.map_fn(lambda xy: xy[0] + xy[1], (x, x))
    np.testing.assert_allclose(np_of(pair), 2 * x)
    np.testing.assert_allclose(np_of(K.foldl(lambda acc, r: acc + r, x)), x.sum(0))
    np.testing.assert_allclose(np_of(K.foldl(lambda acc, r: acc * 2 + r, x, K.zeros(2))),
                               (0 * 2 + x[0]) * 4 + x[1] * 2 + x[2])
    np.testing.assert_allclose(np_of(K.foldr(lambda acc, r: acc * 2 + r, x, K.zeros(2))),
                               (0 * 2 + x[2]) * 4 + x[1] * 2 + x[0])


def test_print_tensor_prints_and_returns(capsys):
    x = K.constant([1.0, 2.0])
    assert K.print_tensor(x, message="x =") is x
    assert "x = [1. 2.]" in capsys.readouterr().out


def test_name_scope_and_manual_initialization_are_accepted():
    with K.name_scope("block") as scope:
        assert scope == "block"
    K.manual_variable_initialization(False)
    assert K.get_uid("k_test") == 1 and K.get_uid("k_test") == 2


# ---------------------------------------------------------------------------------------------------------------
# errors with Keras 2 wording
# ---------------------------------------------------------------------------------------------------------------

def test_batch_dot_errors():
    with pytest.raises(ValueError, match="rank < 2"):
        K.batch_dot(np.ones(3), np.ones((3, 2)))
    with pytest.raises(ValueError, match="different batch sizes"):
        K.batch_dot(np.ones((2, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="over axis 0"):
        K.batch_dot(np.ones((2, 3)), np.ones((2, 3)), axes=(0, 1))
    with pytest.raises(ValueError, match=r"x.shape\[1\] != y.shape\[1\] \(3 != 4\)"):
        K.batch_dot(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="Multiple target dimensions"):
        K.batch_dot(np.ones((2, 3)), np.ones((2, 3)), axes=([1], [1]))


def test_softmax_refuses_1d_and_bias_add_checks_rank():
    with pytest.raises(ValueError, match="1D"):
        K.softmax(np.ones(3))
    with pytest.raises(ValueError, match="Unexpected bias dimensions"):
        K.bias_add(np.ones((2, 3, 4)), np.ones((1, 1, 1, 4)))


def test_ctc_beam_search_finds_what_best_path_misses_and_checks_top_paths():
    # Two steps over labels {0} and the blank: best path picks the blank twice (0.36), while the label 0 has
    # three alignments (0 0, 0 -, - 0: 0.16 + 0.24 + 0.24 = 0.64).
    probs = np.array([[[0.4, 0.6], [0.4, 0.6]]], "float32")
    (greedy,), _ = K.ctc_decode(probs, np.array([2]), greedy=True)
    (beam,), log_prob = K.ctc_decode(probs, np.array([2]), greedy=False, beam_width=4, top_paths=1)
    assert K.to_numpy(greedy).tolist() == [[-1, -1]]
    assert K.to_numpy(beam).tolist() == [[0, -1]]
    np.testing.assert_allclose(K.to_numpy(log_prob), [[np.log(0.64)]], rtol=1e-5)
    with pytest.raises(ValueError, match="top_paths"):
        K.ctc_decode(probs, np.array([2]), greedy=False, beam_width=2, top_paths=3)


# ---------------------------------------------------------------------------------------------------------------
# shape-only (meta) tensors: what a Lambda layer's function sees while the graph is built
# ---------------------------------------------------------------------------------------------------------------

META_CALLS = [
    lambda x: K.sum(K.square(x), axis=1, keepdims=True),
    lambda x: K.sqrt(K.maximum(K.sum(K.square(x - 1.0), axis=-1, keepdims=True), K.epsilon())),
    lambda x: K.dot(x, K.ones((4, 3))),
    lambda x: K.batch_dot(x, x, axes=(2, 2)),
    lambda x: K.l2_normalize(x, axis=-1),
    lambda x: K.concatenate([K.relu(x), K.relu(-x)], axis=-1),
    lambda x: K.repeat_elements(x, 2, axis=1),
    lambda x: K.permute_dimensions(x, (0, 2, 1)),
    lambda x: K.reshape(x, (-1, 12)),
    lambda x: K.batch_flatten(x),
    lambda x: K.expand_dims(K.max(x, axis=-1)),
    lambda x: K.one_hot(K.argmax(x), 4),
    lambda x: K.permute_dimensions(K.gather(K.permute_dimensions(x, (1, 0, 2)), K.arange(2)), (1, 0, 2)),
    lambda x: K.switch(x > 0, x, K.zeros_like(x)),
    lambda x: K.switch(K.sum(x) > 0, x, -x),
    lambda x: K.where(x > 0, x, 0.0),
    lambda x: K.clip(x, 0.0, 1.0) + K.hard_sigmoid(x) * K.sigmoid(x) - K.tanh(x),
    lambda x: K.softmax(x, axis=1),
    lambda x: K.logsumexp(x, axis=1),
    lambda x: K.std(x, axis=2) + K.var(x, axis=2) + K.mean(x, axis=2),
    lambda x: K.cast(K.greater(x, 0.5), "float32") * K.random_normal(K.shape(x)),
    lambda x: x + K.random_uniform((K.shape(x)[0], 3, 4), seed=3),
    lambda x: K.stack([x, x], axis=1),
    lambda x: K.tile(x, (1, 2, 1)),
    lambda x: K.resize_images(K.expand_dims(x), 2, 2, "channels_last"),
    lambda x: K.print_tensor(x),
    lambda x: K.categorical_crossentropy(K.softmax(x), K.softmax(x)),
    lambda x: K.sparse_categorical_crossentropy(K.argmax(x), K.softmax(x)),
    lambda x: K.binary_crossentropy(K.sigmoid(x), K.sigmoid(x)),
    lambda x: K.dropout(x, 0.5),
    lambda x: K.bias_add(x, K.variable(np.ones(4))),
    lambda x: K.in_train_phase(x * 2, x),
    lambda x: K.stop_gradient(x) * K.variable(np.ones((3, 4))),
]


@pytest.mark.parametrize("fn", META_CALLS, ids=[f"call_{i}" for i in range(len(META_CALLS))])
def test_k_functions_in_a_lambda_infer_shapes_without_computing(fn):
    x = Input((3, 4))
    y = Lambda(fn)(x)
    real = fn(K.constant(f32(5, 3, 4)))
    assert K.int_shape(y) == (None,) + tuple(real.shape[1:])
    model = Model(x, y)
    out = model.predict(f32(5, 3, 4))
    assert out.shape == tuple(real.shape)


def test_k_functions_accept_meta_tensors_directly():
    meta = K.meta_tensor((2, 3, 4), "float32")
    assert K.is_shape_only(meta)
    assert tuple(K.batch_dot(meta, meta, axes=(2, 2)).shape) == (2, 3, 3)
    assert tuple(K.sum(meta, axis=[1, 2]).shape) == (2,)
    with pytest.raises(ValueError, match="shape-only"):
        K.to_numpy(meta)


# ---------------------------------------------------------------------------------------------------------------
# symbolic tensors: K functions and operators become layers of the graph
# ---------------------------------------------------------------------------------------------------------------

def test_k_functions_on_symbolic_tensors_build_a_model():
    x = Input((3,))
    y = K.sum(K.square(x), axis=1, keepdims=True)
    z = 1 + y - K.exp(x) * 2
    w = z[:, :2]
    v = -K.abs(w) / 2.0 + (x[:, 0:1] ** 2) @ K.ones((1, 2))
    assert K.int_shape(y) == (None, 1) and K.int_shape(z) == (None, 3) and K.int_shape(w) == (None, 2)
    model = Model(x, [y, z, w, v])
    names = [(layer.name, type(layer).__name__) for layer in model.layers]
    assert names[:7] == [("input_1", "InputLayer"), ("tf.math.square", "TFOpLambda"),
                         ("tf.math.reduce_sum", "TFOpLambda"), ("tf.math.exp", "TFOpLambda"),
                         ("tf.__operators__.add", "TFOpLambda"), ("tf.math.multiply", "TFOpLambda"),
                         ("tf.math.subtract", "TFOpLambda")]
    data = f32(4, 3)
    py, pz, pw, pv = model.predict(data)
    ry = (data ** 2).sum(1, keepdims=True)
    rz = 1 + ry - np.exp(data) * 2
    np.testing.assert_allclose(py, ry, rtol=1e-5)
    np.testing.assert_allclose(pz, rz, rtol=1e-5)
    np.testing.assert_allclose(pw, rz[:, :2], rtol=1e-5)
    np.testing.assert_allclose(pv, -np.abs(rz[:, :2]) / 2 + data[:, :1] ** 2, rtol=1e-5, atol=1e-6)


def test_reflected_operators_and_comparisons():
    x = Input((2,))
    outs = [2 - x, 3 / (x + 4), 2 ** x, np.array([1.0, 2.0], "float32") - x, K.cast(x > 0, "float32"), x * 0.5]
    model = Model(x, outs)
    data = np.array([[1.0, -2.0], [0.5, 3.0]], "float32")
    got = model.predict(data)
    want = [2 - data, 3 / (data + 4), 2 ** data, np.array([1.0, 2.0]) - data, (data > 0).astype("float32"),
            data * 0.5]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5)
    assert x == x and not (x != x)  # identity, as the seeds need


def test_symbolic_ops_roundtrip_through_json():
    x = Input((3,))
    y = K.mean(K.square(x - K.constant([1.0, 2.0, 3.0])), axis=-1)
    z = K.concatenate([x[:, :1], K.expand_dims(y)], axis=-1)
    model = Model(x, z)
    data = f32(2, 3)
    clone = keras.models.model_from_json(model.to_json())
    np.testing.assert_allclose(clone.predict(data), model.predict(data), rtol=1e-6)


def test_k_function_returns_intermediate_outputs():
    x = Input((4,))
    h = Dense(3, activation="relu", name="hidden")(x)
    d = keras.layers.Dropout(0.5)(h)
    out = Dense(2, name="out")(d)
    model = Model(x, out)
    data = f32(5, 4)
    get_hidden = K.function([model.input], [model.get_layer("hidden").output])
    hidden = get_hidden([data])
    assert isinstance(hidden, list) and len(hidden) == 1
    np.testing.assert_allclose(hidden[0], np.maximum(data @ K.get_value(model.layers[1].kernel)
                                                     + K.get_value(model.layers[1].bias), 0), rtol=1e-5)
    both = K.function([model.input], [h, out])([data])
    np.testing.assert_allclose(both[1], model.predict(data), rtol=1e-5)
    single = K.function(model.input, out)(data)
    assert isinstance(single, np.ndarray)
    # K.learning_phase() as an input feeds the training flag (dropout active with 1)
    with_phase = K.function([model.input, K.learning_phase()], [d])
    np.testing.assert_allclose(with_phase([data, 0])[0], hidden[0], rtol=1e-6)
    trained = with_phase([np.ones((200, 4), "float32"), 1])[0]
    assert (trained == 0).mean() > 0.3
    with pytest.raises(ValueError, match="updates"):
        K.function([x], [out], updates=[1])


def test_placeholder_feeds_k_function():
    a = K.placeholder(shape=(None, 3))
    b = K.placeholder(ndim=2)
    assert K.int_shape(a) == (None, 3) and K.int_shape(b) == (None, None) and K.is_keras_tensor(a)
    f = K.function([a, b], [K.sum(a * 2, axis=1) + K.sum(b, axis=1)])
    out = f([np.ones((2, 3)), np.ones((2, 5))])[0]
    np.testing.assert_allclose(out, [11.0, 11.0])
    with pytest.raises(ValueError, match="shape"):
        K.placeholder()


def test_mixed_symbolic_and_values_in_first_argument_is_a_clear_error():
    x = Input((2,))
    with pytest.raises(TypeError, match="Lambda"):
        K.concatenate([x, np.ones((1, 2), "float32")])


def test_value_functions_refuse_symbolic_tensors():
    with pytest.raises(TypeError, match="holds no values"):
        K.eval(Input((2,)))


def test_loads_a_tf_keras_model_built_from_k_functions():
    with open(os.path.join(FIXTURES, "op_model.json")) as f:
        config = f.read()
    model = keras.models.model_from_json(config)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert kinds == {"InputLayer", "TFOpLambda", "SlicingOpLambda"}
    outputs = model.predict(ARRAYS["op_model/x"])
    assert len(outputs) == 4
    for i, got in enumerate(outputs):
        np.testing.assert_allclose(got, ARRAYS[f"op_model/out{i}"], rtol=1e-5, atol=1e-6)
    # and what fastkeras writes for it reads back the same
    again = keras.models.model_from_json(model.to_json())
    for got, want in zip(again.predict(ARRAYS["op_model/x"]), outputs):
        np.testing.assert_allclose(got, want, rtol=1e-6)


# ---------------------------------------------------------------------------------------------------------------
# convolutions and pooling against direct numpy sums
# ---------------------------------------------------------------------------------------------------------------

def _windows(x, sizes, axes):
    return np.lib.stride_tricks.sliding_window_view(x, sizes, axis=axes)


def test_conv1d_conv3d_against_numpy():
    x, w = f32(2, 7, 3), f32(3, 3, 4)
    want = np.einsum("btck,kco->bto", _windows(x, (3,), (1,)), w)
    np.testing.assert_allclose(np_of(K.conv1d(x, w)), want, rtol=1e-4, atol=1e-5)
    x3, w3 = f32(1, 4, 5, 4, 2), f32(2, 3, 2, 2, 3)
    want3 = np.einsum("bdhwcxyz,xyzco->bdhwo", _windows(x3, (2, 3, 2), (1, 2, 3)), w3)
    np.testing.assert_allclose(np_of(K.conv3d(x3, w3)), want3, rtol=1e-4, atol=1e-5)


def test_depthwise_and_separable_conv2d_against_numpy():
    x, dw, pw = f32(2, 5, 6, 3), f32(2, 3, 3, 2), f32(1, 1, 6, 4)
    patches = _windows(x, (2, 3), (1, 2))  # (b, h, w, c, kh, kw)
    depthwise = np.einsum("bhwcxy,xycm->bhwcm", patches, dw).reshape(2, 4, 4, 6)  # channel c * 2 + m
    np.testing.assert_allclose(np_of(K.depthwise_conv2d(x, dw)), depthwise, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np_of(K.separable_conv2d(x, dw, pw)), depthwise @ pw[0, 0], rtol=1e-4, atol=1e-5)


def test_conv2d_transpose_against_numpy():
    x, w = f32(1, 3, 2, 2), f32(3, 3, 4, 2)  # kernel (kh, kw, out, in)
    s = 2
    out = np.zeros((1, (3 - 1) * s + 3, (2 - 1) * s + 3, 4), "float32")
    for i in range(3):
        for j in range(2):
            out[0, i * s:i * s + 3, j * s:j * s + 3] += np.einsum("c,xyoc->xyo", x[0, i, j], w)
    got = K.conv2d_transpose(x, w, output_shape=out.shape, strides=(s, s), padding="valid")
    np.testing.assert_allclose(np_of(got), out, rtol=1e-4, atol=1e-5)


def test_pool3d_against_numpy():
    x = f32(1, 4, 4, 6, 2)
    want_max = _windows(x, (2, 2, 2), (1, 2, 3))[:, ::2, ::2, ::2].max(axis=(-3, -2, -1))
    np.testing.assert_allclose(np_of(K.pool3d(x, (2, 2, 2), (2, 2, 2))), want_max, rtol=1e-6)
    want_avg = _windows(x, (2, 2, 2), (1, 2, 3))[:, ::2, ::2, ::2].mean(axis=(-3, -2, -1))
    np.testing.assert_allclose(np_of(K.pool3d(x, (2, 2, 2), (2, 2, 2), pool_mode="avg")), want_avg, rtol=1e-5)


# ---------------------------------------------------------------------------------------------------------------
# configuration and session state
# ---------------------------------------------------------------------------------------------------------------

def test_config_setters_round_trip():
    try:
        K.set_epsilon(1e-5)
        assert K.epsilon() == 1e-5
        K.set_floatx("float64")
        assert K.floatx() == "float64" and K.dtype(K.variable(1.0)) == "float64"
        K.set_image_data_format("channels_first")
        assert K.image_data_format() == "channels_first"
        with pytest.raises(ValueError):
            K.set_floatx("float8")
        with pytest.raises(ValueError):
            K.set_image_data_format("nhwc")
    finally:
        K.set_epsilon(1e-7)
        K.set_floatx("float32")
        K.set_image_data_format("channels_last")


def test_keras1_dim_ordering_names_set_the_data_format():
    """Keras 2.0-2.2 kept Keras 1's K.set_image_dim_ordering('th'/'tf') and K.image_dim_ordering()."""
    try:
        assert K.image_dim_ordering() == "tf"
        K.set_image_dim_ordering("th")
        assert K.image_data_format() == "channels_first" and K.image_dim_ordering() == "th"
        assert keras.layers.Conv2D(2, 3).data_format == "channels_first"
        K.set_image_dim_ordering("tf")
        assert K.image_data_format() == "channels_last"
        with pytest.raises(ValueError, match="'th'"):
            K.set_image_dim_ordering("channels_first")
    finally:
        K.set_image_data_format("channels_last")


def test_clear_session_and_reset_uids_restart_layer_names():
    assert Dense(1).name == "dense"
    assert Dense(1).name == "dense_1"
    K.clear_session()
    assert Dense(1).name == "dense"
    K.reset_uids()
    assert K.get_uid("dense") == 1


def test_variable_assign_add_and_sub_update_in_place_outside_autograd():
    v = K.variable(np.ones((2, 3), "float32"))
    same = v.assign_add(np.full((2, 3), 2.0))
    assert same is v
    v.assign_sub(0.5)  # broadcast scalar, as tf.Variable allows
    np.testing.assert_allclose(K.get_value(v), np.full((2, 3), 2.5))
    assert v.grad_fn is None
    with pytest.raises(ValueError, match="shape \\(4,\\)"):
        v.assign_add(np.ones(4))
