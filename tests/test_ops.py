"""keras.ops (Keras 3) on fastkeras: values, dtypes and shapes against real Keras 3, autograd, symbolic use in
functional models (with saving), and custom layers written with ops training in fit."""
import json
import os

import numpy as np
import pytest
import torch

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import ops

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "ops")
with open(os.path.join(FIXTURES, "cases.json")) as fh:
    CASES = json.load(fh)["cases"]
ARRAYS = dict(np.load(os.path.join(FIXTURES, "arrays.npz")))

# Keras 3 itself differs per backend here (torch's bicubic/antialias kernels, solver-dependent signs).
TOLERANCES = {"math.stft": 1e-4, "linalg.lstsq": 1e-4, "linalg.pinv": 1e-4, "nn.ctc_loss": 1e-4,
              "image.resize": 1e-4, "numpy.logspace": 1e-4}


# Keras 3's numpy backend gives these dtypes where its jax and torch backends (and fastkeras) give another.
DTYPE_DIFFERENCES = {("math.top_k", 1): ("int64", "int32")}


def _decode(value):
    if isinstance(value, dict):
        if "array" in value:
            return ARRAYS[value["array"]]
        if "list" in value:
            return [_decode(v) for v in value["list"]]
        if "tuple" in value:
            return tuple(_decode(v) for v in value["tuple"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _case_id(case):
    return case["op"]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[_case_id(c) for c in CASES])
def test_op_matches_keras3(index):
    case = CASES[index]
    group, name = case["op"].split(".")
    fn = getattr(getattr(ops, group), name)
    args = [_decode(a) for a in case["args"]]
    kwargs = {k: _decode(v) for k, v in case["kwargs"].items()}
    if case["op"] == "linalg.eigh":  # eigenvectors are defined up to sign: compare the reconstruction
        w, v = fn(*args)
        assert np.allclose(K.to_numpy(v @ torch.diag(w) @ v.T), args[0], atol=1e-4)
        assert np.allclose(K.to_numpy(w), ARRAYS[case["outputs"][0]], atol=1e-4)
        return
    out = fn(*args, **kwargs)
    outs = list(out) if case["multi"] else [out]
    assert len(outs) == len(case["dtypes"])
    for j, (o, dtype, shape) in enumerate(zip(outs, case["dtypes"], case["shapes"])):
        assert isinstance(o, torch.Tensor), f"{case['op']} returned {type(o).__name__}"
        dtype = DTYPE_DIFFERENCES.get((case["op"], j), (dtype, dtype))[1] if \
            DTYPE_DIFFERENCES.get((case["op"], j), (None,))[0] == dtype else dtype
        assert K.standardize_dtype(o.dtype) == dtype, (case["op"], j, o.dtype, dtype)
        assert list(o.shape) == shape, (case["op"], j, tuple(o.shape), shape)
        expected = ARRAYS[case["outputs"][j]]
        tol = TOLERANCES.get(case["op"], 1e-5)
        np.testing.assert_allclose(K.to_numpy(o), expected, rtol=tol, atol=tol, err_msg=case["op"])


def test_sparsemax():
    # Keras 3.15's numpy backend zeroes whole rows here, so this value is the definition's (jax backend agrees).
    out = ops.nn.sparsemax(np.array([[0.5, 0.2, -1.0], [3.0, 2.9, 0.0]], "float32"))
    np.testing.assert_allclose(K.to_numpy(out), [[0.65, 0.35, 0.0], [0.55, 0.45, 0.0]], atol=1e-6)


def test_flat_namespace_and_groups():
    assert ops.mean is ops.numpy.mean and ops.relu is ops.nn.relu and ops.slice is ops.core.slice
    assert ops.norm is ops.linalg.norm and ops.top_k is ops.math.top_k and ops.image.resize is not None
    for name in ("convert_to_tensor", "scatter_update", "fori_loop", "einsum", "conv_transpose", "logsumexp",
                 "segment_sum", "erfinv", "qr", "svd", "cholesky", "sparse_categorical_crossentropy"):
        assert callable(getattr(ops, name)), name
    assert len(ops.numpy.__all__) >= 200


def test_eager_results_are_engine_tensors_with_autograd():
    x = torch.tensor([[1.0, -2.0, 3.0]], requires_grad=True)
    y = ops.sum(ops.square(ops.relu(x)) * ops.ones((1, 3)))
    y.backward()
    np.testing.assert_allclose(K.to_numpy(x.grad), [[2.0, 0.0, 6.0]])
    out = ops.add(np.ones(2, "float32"), np.ones(2, "float32"))
    assert isinstance(out, torch.Tensor) and out.device == K.default_device()
    assert ops.arange(3).dtype == torch.int32 and ops.zeros((2,)).dtype == torch.float32
    assert ops.convert_to_numpy(ops.cast([1.7], "int32")).tolist() == [1]


def test_control_flow_and_vectorized_map():
    assert int(ops.fori_loop(0, 5, lambda i, v: v + i, ops.convert_to_tensor(0))) == 10
    i, total = ops.while_loop(lambda i, t: i < 4, lambda i, t: (i + 1, t + i), (0, 0))
    assert (i, total) == (4, 6)
    assert ops.cond(ops.convert_to_tensor(True), lambda: 1, lambda: 2) == 1
    out = ops.vectorized_map(lambda row: ops.sum(row ** 2), ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_allclose(K.to_numpy(out), [5.0, 25.0])
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), ops.convert_to_tensor(0.0),
                         ops.convert_to_tensor([1.0, 2.0, 3.0]))
    assert float(carry) == 6.0 and K.to_numpy(ys).tolist() == [0.0, 2.0, 9.0]
    assert ops.shape(np.zeros((2, 3))) == (2, 3) and ops.dtype(np.zeros(2, "int32")) == "int32"


def _functional_model():
    a, b = keras.Input((3,)), keras.Input((3,))
    x = ops.concatenate([a, b], axis=-1)
    x = ops.mean(ops.square(x), axis=-1, keepdims=True) + ops.max(a, axis=1, keepdims=True)
    y = ops.nn.softmax(keras.layers.Dense(4)(x))
    values, _ = ops.top_k(y, 2)
    first, _ = ops.split(y, 2, axis=-1)
    z = ops.where(ops.greater(first, 0.2), first, 0.0)
    z = ops.reshape(ops.transpose(ops.expand_dims(z, 1), (0, 2, 1)), (-1, 2))
    return keras.Model([a, b], [y, values, z])


def test_symbolic_ops_build_graph_nodes_with_shapes():
    model = _functional_model()
    assert [tuple(t.shape) for t in model.outputs] == [(None, 4), (None, 2), (None, 2)]
    names = [layer.name for layer in model.layers]
    assert "ops.numpy.concatenate" in names and "ops.math.top_k" in names
    kt = keras.Input((5, 2))
    assert ops.shape(kt) == (None, 5, 2) and ops.dtype(kt) == "float32"
    parts = ops.unstack(kt, axis=1)
    assert len(parts) == 5 and tuple(parts[0].shape) == (None, 2)


@pytest.mark.parametrize("fmt", ["json", "h5", "keras"])
def test_symbolic_ops_round_trip(fmt, tmp_path):
    model = _functional_model()
    xa, xb = np.random.rand(2, 3).astype("float32"), np.random.rand(2, 3).astype("float32")
    expected = [K.to_numpy(t) for t in model([xa, xb])]
    if fmt == "json":
        config = json.loads(model.to_json())
        functions = {layer["config"].get("function") for layer in config["config"]["layers"]}
        assert "ops.numpy.concatenate" in functions and "ops.nn.softmax" in functions
        loaded = keras.models.model_from_json(model.to_json())
        loaded.set_weights(model.get_weights())
    else:
        path = str(tmp_path / f"model.{fmt}")
        model.save(path)
        loaded = keras.models.load_model(path)
    for got, want in zip(loaded([xa, xb]), expected):
        np.testing.assert_allclose(K.to_numpy(got), want, rtol=1e-6, atol=1e-6)


def test_unknown_op_path_is_refused():
    from fastkeras.engine.op_layer import resolve_function
    assert resolve_function("ops.numpy.add") is ops.numpy.add
    for path in ("ops.numpy.__class__", "ops.os.system", "ops.numpy.tensor"):
        with pytest.raises(ValueError):
            resolve_function(path)


class _OpsDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.b = self.add_weight(name="b", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return ops.nn.gelu(ops.matmul(inputs, self.w) + self.b)


def test_custom_layer_with_ops_trains_in_fit():
    rng = np.random.RandomState(0)
    x = rng.rand(128, 4).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 2).astype("float32")
    inputs = keras.Input((4,))
    h = _OpsDense(16)(inputs)
    out = keras.layers.Dense(1, activation="sigmoid")(h)
    model = keras.Model(inputs, out)

    def loss(y_true, y_pred):
        return ops.mean(ops.nn.binary_crossentropy(y_true, y_pred), axis=-1)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss)
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] * 0.7


def test_ops_imports_lazily():
    import subprocess
    import sys
    code = "import sys, fastkeras; print('fastkeras.ops' in sys.modules, 'fastkeras.random' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_floor_division_is_a_step_with_zero_gradient_so_models_containing_it_train():
    """tf-keras (and JAX) give floor division no gradient and train the rest of the model; torch has no
    derivative for it at all and would refuse the whole fit."""
    inputs = keras.Input((3,))
    first = keras.layers.Dense(2)
    model = keras.Model(inputs, keras.layers.Dense(1)(first(inputs) // 2.0))
    model.compile("sgd", "mse")
    kernel = first.get_weights()[0].copy()
    history = model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    np.testing.assert_array_equal(first.get_weights()[0], kernel)  # nothing flows back through the step
    x = keras.ops.convert_to_tensor(np.array([7.0, -7.0]))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(keras.ops.floor_divide(x, 2.0)), [3.0, -4.0])
