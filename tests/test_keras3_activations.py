"""Keras 3's activations (celu, glu, hard_shrink, ..., threshold) against Keras 3.15.1.

Expected values come from tests/fixtures/keras3_training_api (tools/make_keras3_training_api_fixtures.py, real
Keras 3 on jax): outputs on a fixed input, what serialize() and a Dense config hold, and a ``.keras`` model
written by Keras 3 whose layers use them.

sparsemax is the exception: Keras 3.15.1 (every backend) takes its threshold from the sum of the sorted
cumulative sums instead of the k-th one, so once two or more entries are positive its rows no longer sum to 1
(the fixture input zeroes whole rows). fastkeras keeps the definition (Martins & Astudillo, 2016), as
``keras.ops.nn.sparsemax`` already does, and is checked against a numpy version of it.
"""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import activations
from fastkeras import backend as K
from fastkeras import layers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras3_training_api")
with open(os.path.join(FIXTURES, "keras3.json")) as _f:
    EXPECTED = json.load(_f)["activations"]
ARRAYS = np.load(os.path.join(FIXTURES, "keras3.npz"))
NAMES = sorted(EXPECTED["serialized"])


CASES = [i for i, (name, _) in enumerate(EXPECTED["cases"]) if name != "sparsemax"]
SPARSEMAX_CASES = [i for i, (name, _) in enumerate(EXPECTED["cases"]) if name == "sparsemax"]


def _case_id(index):
    name, kwargs = EXPECTED["cases"][index]
    return "-".join([name] + [f"{k}={v}" for k, v in kwargs.items()])


@pytest.mark.parametrize("index", CASES, ids=[_case_id(i) for i in CASES])
def test_outputs_match_keras3(index):
    name, kwargs = EXPECTED["cases"][index]
    out = getattr(activations, name)(K.constant(ARRAYS["act/x"]), **kwargs)
    assert K.is_tensor(out) and K.dtype(out) == "float32"
    np.testing.assert_allclose(K.to_numpy(out), ARRAYS[f"act/{index}"], rtol=1e-5, atol=1e-6)


def np_sparsemax(x, axis):
    z = np.moveaxis(x, axis, -1)
    z_sorted = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1)
    cumsum = np.cumsum(z_sorted, axis=-1)
    support = 1 + k * z_sorted > cumsum
    k_z = support.sum(-1, keepdims=True)
    tau = (np.take_along_axis(cumsum, k_z - 1, axis=-1) - 1) / k_z
    return np.moveaxis(np.maximum(z - tau, 0), -1, axis)


@pytest.mark.parametrize("index", SPARSEMAX_CASES, ids=[_case_id(i) for i in SPARSEMAX_CASES])
def test_sparsemax_follows_its_definition(index):
    _, kwargs = EXPECTED["cases"][index]
    x = ARRAYS["act/x"]
    out = K.to_numpy(activations.sparsemax(K.constant(x), **kwargs))
    np.testing.assert_allclose(out, np_sparsemax(x, kwargs.get("axis", -1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.sum(axis=kwargs.get("axis", -1)), 1.0, rtol=1e-5)
    # Keras 3.15.1's rows do not sum to 1 (see the module docstring).
    assert not np.allclose(ARRAYS[f"act/{index}"].sum(axis=kwargs.get("axis", -1)), 1.0)


def test_numpy_input_gives_a_tensor():
    out = activations.sparsemax(ARRAYS["act/x"])
    assert K.is_tensor(out)
    np.testing.assert_allclose(K.to_numpy(out).sum(-1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_get_serialize_deserialize(name):
    fn = activations.get(name)
    assert callable(fn) and fn is getattr(activations, name)
    assert activations.serialize(fn) == EXPECTED["serialized"][name]
    assert activations.deserialize(EXPECTED["serialized"][name]) is activations.get(EXPECTED["serialized"][name])
    assert activations.deserialize({"module": "keras.activations", "class_name": "function", "config": name,
                                    "registered_name": "function"}) is fn
    assert name in activations.__all__


def test_hard_swish_is_hard_silu():
    assert activations.hard_swish is activations.hard_silu
    assert activations.serialize(activations.hard_swish) == "hard_silu"


@pytest.mark.parametrize("name", NAMES)
def test_dense_config_round_trip(name):
    dense = layers.Dense(3, activation=name)
    config = dense.get_config()
    assert config["activation"] == EXPECTED["dense_activation"][name]
    assert layers.Dense.from_config(config).activation is activations.get(name)


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ValueError, match="hard_shrinkk"):
        activations.get("hard_shrinkk")


def test_keras3_model_file_loads_and_predicts(tmp_path):
    model = fastkeras.models.load_model(os.path.join(FIXTURES, "activations_model.keras"))
    assert [layer.activation.__name__ for layer in model.layers] == [
        "celu", "hard_silu", "squareplus", "log_sigmoid", "sparse_plus", "hard_tanh", "soft_shrink", "tanh_shrink"]
    np.testing.assert_allclose(model.predict(ARRAYS["act_model/x"], verbose=0), ARRAYS["act_model/y"], rtol=1e-5,
                               atol=1e-6)
    # and round-trips through fastkeras' own files and JSON
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = fastkeras.models.load_model(path)
    np.testing.assert_allclose(again.predict(ARRAYS["act_model/x"], verbose=0), ARRAYS["act_model/y"], rtol=1e-5,
                               atol=1e-6)
    rebuilt = fastkeras.models.model_from_json(model.to_json())
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(ARRAYS["act_model/x"], verbose=0), ARRAYS["act_model/y"],
                               rtol=1e-5, atol=1e-6)


def test_activation_layer_and_symbolic_input():
    inputs = layers.Input((6,))
    outputs = layers.Activation("squareplus")(layers.Activation("celu")(inputs))
    model = fastkeras.models.Model(inputs, outputs)
    x = ARRAYS["act/x"]
    expected = K.to_numpy(activations.squareplus(activations.celu(K.constant(x))))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
    symbolic = activations.tanh_shrink(inputs)  # a Keras 3 op on a symbolic tensor becomes a graph node
    model = fastkeras.models.Model(inputs, symbolic)
    np.testing.assert_allclose(model.predict(x, verbose=0), x - np.tanh(x), rtol=1e-5, atol=1e-6)
