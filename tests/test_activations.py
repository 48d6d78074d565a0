"""fastkeras.activations against closed-form numpy formulas and Keras 2's documented values."""
import math

import numpy as np
import pytest

from fastkeras import activations
from fastkeras import backend as K
from fastkeras.saving.serialization import custom_object_scope, get_custom_objects, register_keras_serializable

X = np.linspace(-6.0, 6.0, 121).reshape(11, 11)
DOC_X = np.array([[-3.0, -1.0, 0.0, 1.0, 3.0]])
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
erf = np.vectorize(math.erf)


def run(fn, x, **kwargs):
    out = fn(K.constant(x, dtype="float32"), **kwargs)
    assert K.is_tensor(out) and tuple(out.shape) == np.shape(x) and K.dtype(out) == "float32"
    return K.to_numpy(out)


def np_softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


CLOSED_FORMS = {
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "tanh": np.tanh,
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0),
    "exponential": np.exp,
    "linear": lambda x: x,
    "swish": lambda x: x / (1.0 + np.exp(-x)),
    "gelu": lambda x: 0.5 * x * (1.0 + erf(x / np.sqrt(2.0))),
    "relu": lambda x: np.maximum(x, 0.0),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "softmax": lambda x: np_softmax(x, -1),
    "relu6": lambda x: np.clip(x, 0.0, 6.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "silu": lambda x: x / (1.0 + np.exp(-x)),
    "log_softmax": lambda x: x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True)),
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_matches_closed_form(name):
    fn = activations.get(name)
    np.testing.assert_allclose(run(fn, X), CLOSED_FORMS[name](X), rtol=2e-5, atol=2e-6)


def test_keras_documented_values():
    """Outputs printed in tf-keras' docstrings."""
    cases = [
        (activations.gelu, {}, [-0.00404951, -0.15865529, 0.0, 0.8413447, 2.9959507]),
        (activations.gelu, {"approximate": True}, [-0.00363752, -0.15880796, 0.0, 0.841192, 2.9963627]),
        (activations.hard_sigmoid, {}, [0.0, 0.3, 0.5, 0.7, 1.0]),
        (activations.tanh, {}, [-0.9950547, -0.7615942, 0.0, 0.7615942, 0.9950547]),
        (activations.exponential, {}, [0.04978707, 0.36787945, 1.0, 2.7182817, 20.085537]),
    ]
    for fn, kwargs, want in cases:
        # atol: the printed values carry TensorFlow's float32 rounding (gelu(-3) is -0.0040497 exactly).
        np.testing.assert_allclose(run(fn, DOC_X, **kwargs)[0], want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(run(activations.mish, np.array([[-3.0, -1.0, 0.0, 1.0]]))[0],
                               [-0.14564745, -0.30340144, 0.0, 0.86509836], rtol=1e-5)
    big = np.array([[-20.0, -1.0, 0.0, 1.0, 20.0]])
    np.testing.assert_allclose(run(activations.softplus, big)[0],
                               [2.0611537e-09, 3.1326166e-01, 6.9314718e-01, 1.3132616e+00, 2.0e+01], rtol=1e-5)
    np.testing.assert_allclose(run(activations.swish, big)[0],
                               [-4.1223075e-08, -2.6894143e-01, 0.0, 7.3105860e-01, 2.0e+01], rtol=1e-5)


def test_gelu_approximate_closed_form():
    want = 0.5 * X * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(run(activations.gelu, X, approximate=True), want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_elu_alpha(alpha):
    np.testing.assert_allclose(run(activations.elu, X, alpha=alpha), np.where(X > 0, X, alpha * np.expm1(X)),
                               rtol=2e-5, atol=2e-6)


def keras_relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2's piecewise definition: above the threshold clip(x, 0, max_value), at or below it alpha*(x-threshold)."""
    above = x if max_value is None else np.minimum(np.maximum(x, 0.0), max_value)
    if threshold == 0:
        above = np.maximum(above, 0.0)
    return np.where(x > threshold, above, alpha * (x - threshold))


@pytest.mark.parametrize("kwargs", [
    {}, {"alpha": 0.1}, {"max_value": 2.5}, {"threshold": 1.5}, {"threshold": -1.0}, {"alpha": 0.3, "max_value": 4.0},
    {"alpha": 0.2, "threshold": 2.0}, {"max_value": 3.0, "threshold": 0.5}, {"max_value": 3.0, "threshold": -1.0},
    {"alpha": 0.25, "max_value": 3.0, "threshold": 1.0}, {"max_value": 6}, {"alpha": -0.5, "max_value": 1.0},
])
def test_relu_variants(kwargs):
    grid = np.linspace(-4.0, 4.0, 33).reshape(3, 11)  # holds the thresholds exactly
    np.testing.assert_allclose(run(activations.relu, grid, **kwargs), keras_relu(grid, **kwargs), rtol=1e-6,
                               atol=1e-6)


def test_relu_documented_values():
    foo = np.array([[-10.0, -5.0, 0.0, 5.0, 10.0]])
    assert run(activations.relu, foo).tolist() == [[0.0, 0.0, 0.0, 5.0, 10.0]]
    assert run(activations.relu, foo, alpha=0.5).tolist() == [[-5.0, -2.5, 0.0, 5.0, 10.0]]
    assert run(activations.relu, foo, max_value=5.0).tolist() == [[0.0, 0.0, 0.0, 5.0, 5.0]]
    assert run(activations.relu, foo, threshold=5.0).tolist() == [[0.0, 0.0, 0.0, 0.0, 10.0]]


def test_softmax_axes_and_1d():
    x3 = np.random.RandomState(0).randn(2, 3, 4)
    for axis in (-1, 1, 0):
        np.testing.assert_allclose(run(activations.softmax, x3, axis=axis), np_softmax(x3, axis), rtol=1e-5)
    np.testing.assert_allclose(run(activations.softmax, x3, axis=(1, 2)), np_softmax(x3, (1, 2)), rtol=1e-5)
    with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
        activations.softmax(K.constant([1.0, 2.0]))


def test_dtype_is_preserved():
    x = K.constant(X, dtype="float64")
    for name in ("relu", "sigmoid", "softmax", "elu", "gelu", "hard_sigmoid", "mish"):
        assert K.dtype(activations.get(name)(x)) == "float64"
    np.testing.assert_allclose(K.to_numpy(activations.sigmoid(x)), 1.0 / (1.0 + np.exp(-X)), rtol=1e-12)


# ---- get / serialize / deserialize ------------------------------------------------------------------------

KERAS_NAMES = ["softmax", "elu", "selu", "softplus", "softsign", "swish", "relu", "gelu", "tanh", "sigmoid",
               "exponential", "hard_sigmoid", "linear", "mish"]


@pytest.mark.parametrize("name", KERAS_NAMES + ["leaky_relu", "log_softmax", "relu6", "silu"])
def test_name_round_trip(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name) and callable(fn)
    assert activations.serialize(fn) == name
    assert activations.deserialize(name) is fn


def test_get_identifiers():
    assert activations.get(None) is activations.linear
    assert activations.get(np.tanh) is np.tanh  # callables pass through
    assert activations.get({"class_name": "relu", "config": {}}) is activations.relu  # Keras 2.2 style entry
    new_style = {"module": "keras.activations", "class_name": "function", "config": "gelu", "registered_name": "gelu"}
    assert activations.get(new_style) is activations.gelu
    with pytest.raises(TypeError, match="Could not interpret activation function identifier"):
        activations.get(3)


def test_unknown_names_are_refused_without_importing():
    with pytest.raises(ValueError, match="Unknown activation function: 'foo'"):
        activations.get("foo")
    for identifier in ("os.system", "eval", {"module": "os", "class_name": "function", "config": "system"},
                       {"module": "builtins", "class_name": "eval", "config": {}}):
        with pytest.raises(ValueError, match="Unknown activation function"):
            activations.get(identifier)


def test_custom_functions():
    def my_act(x):
        return x * 2.0

    entry = activations.serialize(my_act)
    assert entry == {"module": __name__, "class_name": "function", "config": "my_act", "registered_name": "function"}
    assert activations.serialize(my_act, use_legacy_format=True) == "my_act"
    with pytest.raises(ValueError, match="Unknown activation function: 'my_act'"):
        activations.deserialize("my_act")
    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act
    assert activations.deserialize(entry, custom_objects={"my_act": my_act}) is my_act
    with custom_object_scope({"my_act": my_act}):
        assert activations.get("my_act") is my_act


def test_registered_function_and_object():
    registry = get_custom_objects()
    try:
        @register_keras_serializable(package="ActTest")
        def triple(x):
            return 3.0 * x

        @register_keras_serializable(package="ActTest")
        class Scaled:
            def __init__(self, factor=1.0):
                self.factor = factor

            def __call__(self, x):
                return self.factor * x

            def get_config(self):
                return {"factor": self.factor}

        name = activations.serialize(triple, use_legacy_format=True)
        assert name == "ActTest>triple" and activations.get(name) is triple
        assert activations.get(activations.serialize(triple)) is triple
        entry = activations.serialize(Scaled(2.5))
        assert entry["class_name"] == "Scaled" and entry["registered_name"] == "ActTest>Scaled"
        assert entry["config"] == {"factor": 2.5}
        rebuilt = activations.get(entry)
        assert isinstance(rebuilt, Scaled) and rebuilt.factor == 2.5
        assert isinstance(activations.get("ActTest>Scaled"), Scaled)  # a class named by a string is instantiated
    finally:
        for key in ("ActTest>triple", "ActTest>Scaled"):
            registry.pop(key, None)


def test_serialize_edge_cases():
    def softmax_v2(x):
        return x

    assert activations.serialize(softmax_v2) == "softmax"  # TensorFlow's internal name maps to Keras'
    assert activations.serialize(None) is None
    with pytest.raises(ValueError):
        activations.serialize("relu")


def test_dense_and_conv_relu_in_place_keep_values_and_gradients():
    """Dense/Conv rectify their own fresh output in place; values and gradients equal the out-of-place ones."""
    import torch
    from fastkeras import layers
    rng = np.random.default_rng(0)
    for layer, shape in ((layers.Dense(5, activation="relu"), (4, 3)),
                         (layers.Conv2D(3, 2, activation="relu"), (2, 5, 5, 2))):
        x = torch.tensor(rng.standard_normal(shape).astype("float32"), requires_grad=True)
        out = layer(x)
        kernel, bias = layer.weights
        if isinstance(layer, layers.Dense):
            pre = x @ kernel + bias
        else:
            pre = torch.nn.functional.conv2d(x.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias)
            pre = pre.permute(0, 2, 3, 1)
        want = torch.relu(pre)
        np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=1e-6, atol=1e-6)
        got_grads = torch.autograd.grad(out.square().sum(), [x, kernel, bias])
        want_grads = torch.autograd.grad(want.square().sum(), [x, kernel, bias])
        for g, w in zip(got_grads, want_grads):
            np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_relu_in_place_on_views_matches_relu_and_rectifies_a_permuted_base_in_place():
    """A convolution's channels_last output is a permuted view of torch's result: the base is rectified in place
    (no output-sized copy, no rebuild of the base in backward); any other view gets a fresh rectified tensor."""
    import torch
    from fastkeras.backend.torch import ops
    views = {"permuted": lambda t: t.movedim(1, -1), "transposed": lambda t: t.transpose(0, 1),
             "reshaped": lambda t: t.reshape(4, -1), "sliced": lambda t: t[:, :2], "own tensor": lambda t: t}
    for name, make_view in views.items():
        w = torch.randn(4, 3, 5, 2, requires_grad=True)
        base = w * 2.0
        got = ops.relu_in_place(make_view(base))
        want = torch.relu(make_view(w * 2.0))
        assert torch.equal(got, want), name
        weights = torch.arange(want.numel(), dtype=torch.float32).reshape(want.shape)
        got_grad, = torch.autograd.grad((got * weights).sum(), w)
        want_grad, = torch.autograd.grad((want * weights).sum(), w)
        assert torch.equal(got_grad, want_grad), name
        shares_storage = got.data_ptr() == base.data_ptr()
        assert shares_storage == (name in ("permuted", "transposed", "own tensor")), name
        assert "CopySlices" not in type(got.grad_fn).__name__, name
