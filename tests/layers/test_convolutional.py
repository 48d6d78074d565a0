"""Convolution, up-sampling, zero-padding and cropping layers against tf-keras 2.21.

Expected values come from tests/fixtures/conv (written by tools/make_conv_fixtures.py with real tf-keras):
each layer is rebuilt from tf-keras' own config, given the fixture's weights, and its output and the
gradients of ``sum(output * cotangent)`` (torch autograd through the K functions) are compared.
"""
import json
import os

import numpy as np
import pytest
import torch

from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.layers import Flatten, Input, deserialize
from fastkeras.layers import convolutional, pooling, reshaping
from fastkeras.layers.convolutional import (
    Conv1D, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, Convolution2D, Deconvolution2D, DepthwiseConv2D,
    SeparableConv1D, SeparableConv2D,
)
from fastkeras.layers.pooling import MaxPooling2D
from fastkeras.layers.reshaping import Cropping1D, Cropping2D, UpSampling2D, ZeroPadding2D

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "conv")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    ALL_CASES = json.load(_f)["cases"]
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))

# Every layer class of the three modules, by name (aliases included), so the test does not depend on exports.
CLASSES = {name: obj for module in (convolutional, pooling, reshaping) for name, obj in vars(module).items()
           if isinstance(obj, type) and issubclass(obj, Layer) and obj.__module__ == module.__name__}

POOLING_CLASSES = {name for name, obj in vars(pooling).items() if isinstance(obj, type)}
CASES = [c for c in ALL_CASES if c["class_name"] not in POOLING_CLASSES]


def run_case(case):
    """Builds the case's layer from tf-keras' config and returns (layer, output, grads or None)."""
    layer = deserialize({"class_name": case["class_name"], "config": case["config"]}, custom_objects=CLASSES)
    cid = case["id"]
    x = K.convert_to_tensor(ARRAYS[f"{cid}/x"]).requires_grad_(True)
    weights = [ARRAYS[f"{cid}/w{i}"] for i in range(len(case["weights"]))]
    layer.build(tuple(x.shape))
    assert [tuple(w.shape) for w in layer.weights] == [tuple(w["shape"]) for w in case["weights"]]
    assert [w.name.split("/")[-1].split(":")[0] for w in layer.weights] == [w["name"] for w in case["weights"]]
    layer.set_weights(weights)
    kwargs = {"mask": K.convert_to_tensor(ARRAYS[f"{cid}/mask"])} if case["mask"] else {}
    y = layer(x, **kwargs)
    if not case["gradients"]:
        return layer, y, None
    cot = K.convert_to_tensor(ARRAYS[f"{cid}/cot"])
    grads = torch.autograd.grad(K.sum(y * cot), [x] + list(layer.weights))
    return layer, y, grads


def check_case(case):
    layer, y, grads = run_case(case)
    cid = case["id"]
    np.testing.assert_allclose(K.to_numpy(y), ARRAYS[f"{cid}/y"], rtol=1e-5, atol=1e-5, err_msg=f"{cid}: output")
    if grads is not None:
        np.testing.assert_allclose(K.to_numpy(grads[0]), ARRAYS[f"{cid}/dx"], rtol=1e-4, atol=1e-4,
                                   err_msg=f"{cid}: input gradient")
        for i, g in enumerate(grads[1:]):
            np.testing.assert_allclose(K.to_numpy(g), ARRAYS[f"{cid}/dw{i}"], rtol=1e-4, atol=1e-4,
                                       err_msg=f"{cid}: gradient of {case['weights'][i]['name']}")
    # tf-keras' config, key for key and in the same order, survives the round trip.
    config = json.loads(json.dumps(layer.get_config()))
    assert list(config) == list(case["config"])
    assert config == case["config"]


def check_symbolic(case):
    layer = deserialize({"class_name": case["class_name"], "config": case["config"]}, custom_objects=CLASSES)
    expected = tuple(case["symbolic"]["batch_none"])
    assert tuple(layer(Input(tuple(case["input_shape"][1:]))).shape) == expected
    assert tuple(layer.compute_output_shape((None,) + tuple(case["input_shape"][1:]))) == expected
    if "spatial_none" in case["symbolic"]:
        spatial, out = case["symbolic"]["spatial_none"]
        assert tuple(layer.compute_output_shape((None,) + tuple(spatial))) == tuple(out)
        fresh = deserialize({"class_name": case["class_name"], "config": case["config"]}, custom_objects=CLASSES)
        assert tuple(fresh(Input(tuple(spatial))).shape) == tuple(out)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_tf_keras(case):
    check_case(case)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_symbolic_shapes_match_tf_keras(case):
    check_symbolic(case)


# ---- shapes, layouts and speed-relevant properties ---------------------------------------------------------

def test_convnet_shapes():
    x = Input((100, 100, 3))
    y = Conv2D(32, (3, 3), activation="relu")(x)
    y = Conv2D(32, (3, 3), activation="relu")(y)
    y = MaxPooling2D(pool_size=(2, 2))(y)
    assert tuple(y.shape) == (None, 48, 48, 32)
    assert tuple(Flatten()(y).shape) == (None, 73728)


def test_weight_shapes_in_keras_layout():
    conv = Conv2D(8, (3, 5), groups=2)
    conv.build((None, 10, 10, 4))
    assert [tuple(w.shape) for w in conv.weights] == [(3, 5, 2, 8), (8,)]
    dw = DepthwiseConv2D(3, depth_multiplier=2)
    dw.build((None, 10, 10, 4))
    assert [tuple(w.shape) for w in dw.weights] == [(3, 3, 4, 2), (8,)]
    sep = SeparableConv2D(6, 3, depth_multiplier=3)
    sep.build((None, 10, 10, 4))
    assert [tuple(w.shape) for w in sep.weights] == [(3, 3, 4, 3), (1, 1, 12, 6), (6,)]
    tconv = Conv2DTranspose(6, 3)
    tconv.build((None, 10, 10, 4))
    assert [tuple(w.shape) for w in tconv.weights] == [(3, 3, 6, 4), (6,)]
    assert [w.name for w in tconv.weights] == ["conv2d_transpose/kernel:0", "conv2d_transpose/bias:0"]
    conv3 = Conv3D(2, 2, data_format="channels_first", use_bias=False)
    conv3.build((None, 5, 4, 4, 4))
    assert [tuple(w.shape) for w in conv3.weights] == [(2, 2, 2, 5, 2)]


def test_channels_last_output_is_contiguous_without_copies():
    x = K.convert_to_tensor(np.random.default_rng(0).standard_normal((2, 9, 8, 3)).astype("float32"))
    for layer in (Conv2D(4, 3, padding="same"), Conv2D(4, 3, strides=2, padding="same"), SeparableConv2D(4, 3),
                  DepthwiseConv2D(3), Conv2DTranspose(4, 3, strides=2, padding="same"), MaxPooling2D(),
                  UpSampling2D(interpolation="bilinear"), Conv1D(4, 3, padding="causal")):
        inputs = x if not isinstance(layer, Conv1D) else x[:, :, 0, :]
        y = layer(inputs)
        assert y.is_contiguous(), layer.name


def test_extra_batch_dimensions_are_folded():
    rng = np.random.default_rng(0)
    conv = Conv2D(3, 2, padding="same")
    x = rng.standard_normal((2, 3, 5, 5, 4)).astype("float32")
    y = conv(x)
    assert tuple(y.shape) == (2, 3, 5, 5, 3)
    np.testing.assert_allclose(K.to_numpy(y[1, 2]), K.to_numpy(conv(x[1, 2][None]))[0], rtol=1e-6, atol=1e-6)
    assert tuple(conv.compute_output_shape((None, 3, 5, 5, 4))) == (None, 3, 5, 5, 3)


def test_default_data_format_follows_image_data_format():
    K.set_image_data_format("channels_first")
    try:
        assert Conv2D(2, 3).data_format == "channels_first"
        assert Conv1D(2, 3).data_format == "channels_last"  # Conv1D defaults to channels_last, as in Keras
        assert MaxPooling2D().data_format == "channels_first"
    finally:
        K.set_image_data_format("channels_last")


def test_aliases():
    assert convolutional.Convolution2DTranspose is Conv2DTranspose
    # Keras 1's class names (which also read Keras 1's positional forms) make the Keras 2 layers.
    for keras1_name, keras2_class, args in ((Convolution2D, Conv2D, (2, 3)), (Deconvolution2D, Conv2DTranspose, (2, 3)),
                                            (convolutional.SeparableConvolution2D, SeparableConv2D, (2, 3)),
                                            (convolutional.Convolution1D, Conv1D, (2, 3)),
                                            (convolutional.Convolution3D, Conv3D, (2, 3))):
        layer = keras1_name(*args)
        assert type(layer) is keras2_class and isinstance(layer, keras1_name)
        assert layer.get_config() == keras2_class(*args, name=layer.name).get_config()


def test_get_config_round_trip_with_regularizers_and_constraints():
    layer = Conv2D(4, (3, 2), strides=(2, 1), padding="same", activation="relu", kernel_regularizer="l2",
                   bias_constraint="non_neg", kernel_initializer="he_normal", name="c")
    config = layer.get_config()
    clone = Conv2D.from_config(json.loads(json.dumps(config)))
    assert json.loads(json.dumps(clone.get_config())) == json.loads(json.dumps(config))
    assert config["kernel_size"] == (3, 2) and config["strides"] == (2, 1)
    clone.build((None, 6, 6, 3))
    assert len(clone.losses) == 1


def test_regularizer_and_activity_losses_are_collected():
    layer = SeparableConv2D(2, 3, depthwise_regularizer="l2", pointwise_regularizer="l1")
    layer.build((None, 5, 5, 2))
    assert len(layer.losses) == 2


# ---- errors ------------------------------------------------------------------------------------------------

def test_kernel_larger_than_input_names_the_layer():
    with pytest.raises(ValueError, match=r'downsampling in layer "big".*\(None, 2, 2, 3\)'):
        Conv2D(2, 3, name="big")(Input((2, 2, 3)))
    with pytest.raises(ValueError, match='layer "pool"'):
        MaxPooling2D(3, name="pool")(Input((2, 2, 3)))


def test_wrong_input_rank_names_the_layer():
    with pytest.raises(ValueError, match='layer "conv".*expected min_ndim=4, found ndim=3'):
        Conv2D(2, 3, name="conv")(Input((5, 3)))
    with pytest.raises(ValueError, match='layer "sep".*expected ndim=4, found ndim=5'):
        SeparableConv2D(2, 3, name="sep")(Input((2, 5, 5, 3)))
    with pytest.raises(ValueError, match='layer "up".*expected ndim=4'):
        UpSampling2D(name="up")(Input((5, 3)))


def test_channel_mismatch_after_build():
    layer = Conv2D(2, 3, name="conv")
    layer(Input((5, 5, 3)))
    with pytest.raises(ValueError, match='layer "conv".*axis -1 of input shape to have value 3'):
        layer(Input((5, 5, 4)))


def test_undefined_channels():
    with pytest.raises(ValueError, match='channel dimension of the inputs to layer "conv"'):
        Conv2D(2, 3, name="conv")(Input((5, 5, None)))


@pytest.mark.parametrize("make, message", [
    (lambda: Conv2D(0, 3), "strictly positive"),
    (lambda: Conv2D(3, 3, groups=2), "divisible by the number of groups"),
    (lambda: Conv2D(2, (3, 3, 3)), "must be a tuple of 2 integers"),
    (lambda: Conv2D(2, 3, strides=0), "does not satisfy the requirement"),
    (lambda: Conv2D(2, 3, padding="full"), "`padding` argument"),
    (lambda: Conv2D(2, 3, padding="causal"), "Causal padding is only supported"),
    (lambda: Conv2D(2, 3, strides=2, dilation_rate=2), "not supported in conjunction"),
    (lambda: Conv2D(2, 3, data_format="NHWC"), "data_format"),
    (lambda: Conv2DTranspose(2, 3, strides=2, output_padding=2), "Strides must be greater than output padding"),
    (lambda: Conv3DTranspose(2, 3, dilation_rate=2), "dilation_rate"),
    (lambda: UpSampling2D(interpolation="bicubic"), "not supported by fastkeras"),
    (lambda: UpSampling2D(interpolation="cubic"), "`interpolation` argument"),
    (lambda: ZeroPadding2D((1, 2, 3)), "should have 2 elements"),
    (lambda: Conv2D(2, 3, foo=1), "Keyword argument not understood"),
])
def test_invalid_arguments(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_groups_need_divisible_input_channels():
    with pytest.raises(ValueError, match="input channels must be evenly divisible"):
        Conv2D(4, 3, groups=2)(Input((5, 5, 3)))


def test_cropping_too_much():
    with pytest.raises(ValueError, match=r'"crop".*smaller than the input size'):
        Cropping2D(2, name="crop")(Input((4, 4, 3)))
    with pytest.raises(ValueError, match="smaller than the input size"):
        Cropping1D((2, 2))(np.zeros((1, 4, 3), "float32"))


def test_causal_padding_does_not_look_ahead():
    rng = np.random.default_rng(0)
    layer = Conv1D(2, 3, padding="causal", dilation_rate=2)
    x = rng.standard_normal((1, 10, 3)).astype("float32")
    y1 = K.to_numpy(layer(x))
    x[:, 6:] = 0.0
    y2 = K.to_numpy(layer(x))
    np.testing.assert_allclose(y1[:, :6], y2[:, :6], rtol=1e-6)


def test_separable_conv1d_causal_and_zero_padding_output_shapes():
    assert tuple(SeparableConv1D(4, 3, padding="causal")(Input((None, 3))).shape) == (None, None, 4)
    assert tuple(ZeroPadding2D(((1, 2), (3, 4)))(Input((None, 5, 3))).shape) == (None, None, 12, 3)
