"""Embedding and Masking against tf-keras 2.21.

Expected values: tests/fixtures/layers/embedding*.npz (tools/make_fixtures.py) for plain lookups, and
tests/fixtures/recurrent/cases.json (tools/make_recurrent_fixtures.py) for output shapes, configs and
errors. Embedding/Masking inside models (masks feeding RNNs, gradients of the table) are checked against
tf-keras in tests/layers/test_recurrent.py (the ``*_embedding_mask``, ``*_masked*``,
``embedding_input_length_dense`` and ``masking_value`` cases).
"""
import json
import os

import numpy as np
import pytest
import torch

from fastkeras import backend as K
from fastkeras.layers import Embedding, Flatten, Input, Masking, deserialize
from fastkeras.models import Model, Sequential

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
with open(os.path.join(FIXTURES, "recurrent", "cases.json")) as _f:
    SHAPE_CASES = json.load(_f)["embedding_shapes"]


@pytest.mark.parametrize("name", ["embedding", "embedding_input_length"])
def test_lookup_matches_tf_keras(name):
    data = np.load(os.path.join(FIXTURES, "layers", f"{name}.npz"))
    spec = json.loads(str(data["config_json"]))
    layer = deserialize(spec)
    layer.build(data["input_0"].shape)
    layer.set_weights([data["weight_0"]])
    np.testing.assert_allclose(K.to_numpy(layer(data["input_0"])), data["output_0"], rtol=1e-6, atol=1e-6)
    assert json.loads(json.dumps(layer.get_config())) == spec["config"]
    assert [w.name for w in layer.weights] == ["embedding/embeddings:0"]


@pytest.mark.parametrize("case", SHAPE_CASES, ids=[f"{c['kwargs']}-{c['input_shape']}" for c in SHAPE_CASES])
def test_output_shapes_and_configs_match_tf_keras(case):
    layer = Embedding(**case["kwargs"])
    shape = tuple(case["input_shape"])
    if "error" in case:
        with pytest.raises(ValueError) as info:
            layer.compute_output_shape(shape)
        assert str(info.value) == case["error"]
        return
    assert list(layer.compute_output_shape(shape)) == case["output_shape"]
    assert list(Embedding(**case["kwargs"])(Input(batch_shape=shape, dtype="int32")).shape) == case["output_shape"]
    if not isinstance(case["kwargs"].get("input_length"), list):
        # (A list input_length gives tf-keras the nested batch_input_shape [None, [None, 4]]; fastkeras records
        # the flat (None, None, 4) it means.)
        assert json.loads(json.dumps(layer.get_config())) == case["config"]


def test_mask_zero():
    layer = Embedding(5, 2, mask_zero=True)
    ids = np.array([[1, 0, 3], [0, 0, 4]])
    np.testing.assert_array_equal(K.to_numpy(layer.compute_mask(K.convert_to_tensor(ids))),
                                  ids != 0)
    assert Embedding(5, 2).compute_mask(K.convert_to_tensor(ids)) is None
    x = Input((3,), dtype="int32")
    y = layer(x)
    assert y._keras_mask is not None and tuple(y._keras_mask.shape) == (None, 3)
    flat = Flatten()(Embedding(5, 2)(x))
    assert flat._keras_mask is None


def test_gradient_is_a_dense_scatter_add():
    layer = Embedding(4, 2)
    ids = K.convert_to_tensor(np.array([[1, 1, 3]]))
    out = layer(ids)
    (grad,) = torch.autograd.grad(K.sum(out), [layer.embeddings])
    np.testing.assert_array_equal(K.to_numpy(grad), [[0, 0], [2, 2], [0, 0], [1, 1]])


def test_float_ids_are_truncated_like_keras_int_cast():
    layer = Embedding(6, 3)
    ints = K.to_numpy(layer(np.array([[1, 4]], dtype="int64")))
    floats = K.to_numpy(layer(np.array([[1.0, 4.7]], dtype="float32")))
    np.testing.assert_array_equal(ints, floats)


def test_first_layer_of_a_sequential_model():
    model = Sequential([Embedding(1000, 64, input_length=10), Flatten()])
    assert model.input_shape == (None, 10)
    assert model.output_shape == (None, 640)
    out = model.predict(np.random.default_rng(0).integers(0, 1000, (32, 10)), verbose=0)
    assert np.asarray(out).shape == (32, 640)
    without_length = Sequential([Embedding(1000, 64)])
    assert without_length.output_shape == (None, None, 64)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="Both `input_dim` and `output_dim` should be positive"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match="sparse=True"):
        Embedding(4, 3, sparse=True)


def test_masking_layer():
    layer = Masking(mask_value=2.0)
    x = np.ones((2, 3, 2), "float32")
    x[0, 1] = 2.0
    x[1, 2, 0] = 2.0   # one feature only: kept
    out = K.to_numpy(layer(x))
    np.testing.assert_array_equal(out[0, 1], [0, 0])
    np.testing.assert_array_equal(out[1], x[1])
    np.testing.assert_array_equal(K.to_numpy(layer.compute_mask(K.convert_to_tensor(x))),
                                  [[True, False, True], [True, True, True]])
    assert layer.get_config()["mask_value"] == 2.0
    inputs = Input((3, 2))
    masked = layer(inputs)
    assert tuple(masked.shape) == (None, 3, 2) and tuple(masked._keras_mask.shape) == (None, 3)
    model = Model(inputs, masked)
    np.testing.assert_array_equal(np.asarray(model.predict(x, verbose=0)), out)
