"""Pooling layers against tf-keras 2.21 (fixtures from tools/make_conv_fixtures.py), plus shapes and errors."""
import json
import os

import numpy as np
import pytest
import torch

from fastkeras import backend as K
from fastkeras.layers import Input, deserialize
from fastkeras.layers import pooling
from fastkeras.layers.pooling import (
    AveragePooling1D, AveragePooling2D, AvgPool2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
    GlobalMaxPool2D, GlobalMaxPooling2D, MaxPool2D, MaxPooling1D, MaxPooling2D, MaxPooling3D,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "conv")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    ALL_CASES = json.load(_f)["cases"]
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))

CLASSES = {name: obj for name, obj in vars(pooling).items() if isinstance(obj, type)}
CASES = [c for c in ALL_CASES if c["class_name"] in CLASSES]


def build(case):
    return deserialize({"class_name": case["class_name"], "config": case["config"]}, custom_objects=CLASSES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_tf_keras(case):
    layer = build(case)
    cid = case["id"]
    x = K.convert_to_tensor(ARRAYS[f"{cid}/x"]).requires_grad_(True)
    kwargs = {"mask": K.convert_to_tensor(ARRAYS[f"{cid}/mask"])} if case["mask"] else {}
    y = layer(x, **kwargs)
    np.testing.assert_allclose(K.to_numpy(y), ARRAYS[f"{cid}/y"], rtol=1e-5, atol=1e-5)
    (dx,) = torch.autograd.grad(K.sum(y * K.convert_to_tensor(ARRAYS[f"{cid}/cot"])), [x])
    np.testing.assert_allclose(K.to_numpy(dx), ARRAYS[f"{cid}/dx"], rtol=1e-4, atol=1e-4)
    config = json.loads(json.dumps(layer.get_config()))
    assert list(config) == list(case["config"])
    assert config == case["config"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_symbolic_shapes_match_tf_keras(case):
    shape = tuple(case["input_shape"][1:])
    assert tuple(build(case)(Input(shape)).shape) == tuple(case["symbolic"]["batch_none"])
    if "spatial_none" in case["symbolic"]:
        spatial, out = case["symbolic"]["spatial_none"]
        assert tuple(build(case).compute_output_shape((None,) + tuple(spatial))) == tuple(out)


def test_same_average_pooling_excludes_padding():
    x = np.ones((1, 5, 5, 1), "float32")
    y = K.to_numpy(AveragePooling2D(3, strides=2, padding="same")(x))
    np.testing.assert_allclose(y, np.ones((1, 3, 3, 1)), rtol=1e-6)
    y = K.to_numpy(AveragePooling2D(2, strides=1, padding="same")(x))  # asymmetric padding, stride 1
    np.testing.assert_allclose(y, np.ones((1, 5, 5, 1)), rtol=1e-6)


def test_defaults_and_config_keys():
    layer = MaxPooling2D()
    assert (layer.pool_size, layer.strides, layer.padding) == ((2, 2), (2, 2), "valid")
    assert list(layer.get_config()) == ["name", "trainable", "dtype", "pool_size", "padding", "strides",
                                        "data_format"]
    assert list(MaxPooling1D(3).get_config()) == ["name", "trainable", "dtype", "strides", "pool_size", "padding",
                                                  "data_format"]
    assert MaxPooling1D(3).get_config()["strides"] == (3,)
    assert AveragePooling1D(padding="SAME").padding == "same"
    assert list(GlobalAveragePooling2D().get_config())[-2:] == ["data_format", "keepdims"]


def test_aliases():
    assert MaxPool2D is MaxPooling2D and AvgPool2D is AveragePooling2D and GlobalMaxPool2D is GlobalMaxPooling2D
    assert pooling.GlobalAvgPool1D is GlobalAveragePooling1D and pooling.MaxPool3D is MaxPooling3D


def test_shapes_with_unknown_sizes():
    assert tuple(MaxPooling2D(3, strides=2, padding="same")(Input((None, 7, 3))).shape) == (None, None, 4, 3)
    assert tuple(GlobalAveragePooling2D(keepdims=True)(Input((None, None, 5))).shape) == (None, 1, 1, 5)
    assert tuple(MaxPooling1D(2, data_format="channels_first")(Input((3, 8))).shape) == (None, 3, 4)


def test_global_average_pooling_1d_mask_is_consumed():
    from fastkeras.engine.base_layer import Layer

    class Masker(Layer):
        def call(self, inputs):
            return inputs

        def compute_mask(self, inputs, mask=None):
            return K.not_equal(K.sum(inputs, axis=-1), 0)

    x = Input((4, 3))
    y = GlobalAveragePooling1D()(Masker()(x))
    assert tuple(y.shape) == (None, 3) and y._keras_mask is None


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match='layer "p".*expected ndim=4, found ndim=3'):
        MaxPooling2D(name="p")(Input((5, 3)))
    with pytest.raises(ValueError, match='downsampling in layer "p"'):
        MaxPooling2D(3, name="p")(Input((2, 2, 3)))
    with pytest.raises(ValueError, match="`padding` argument"):
        MaxPooling1D(padding="causal")
    with pytest.raises(ValueError, match="`pool_size` argument must be a tuple of 2"):
        MaxPooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="dimension 0 at reduction axis"):
        GlobalMaxPooling2D()(Input((0, 4, 3)))
