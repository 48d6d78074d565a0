"""Xception (Keras 2's ``keras.applications.xception``).

Reference: [Xception: Deep Learning with Depthwise Separable Convolutions](https://arxiv.org/abs/1610.02357)
(CVPR 2017).

The graph, its layer names (the residual 1x1 convs and their batch norms are auto-named, as in tf-keras) and
their order are tf-keras', so Keras' published weight files load with ``model.load_weights``. Inputs are expected
in the 'tf' preprocessing mode (pixels scaled to [-1, 1], see ``preprocess_input``).
"""
import os

from fastkeras import backend
from fastkeras import layers
from fastkeras.engine.training import Model

TF_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                   "xception/xception_weights_tf_dim_ordering_tf_kernels.h5")
TF_WEIGHTS_PATH_NO_TOP = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                          "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5")


def _sepconv_bn(x, filters, name, channel_axis):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=channel_axis, name=name + "_bn")(x)


def _downsampling_block(x, block, filters, channel_axis, relu_first=True):
    """Two separable convs and a stride-2 max pool, added to a stride-2 1x1 conv of the input."""
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    residual = layers.BatchNormalization(axis=channel_axis)(residual)
    if relu_first:
        x = layers.Activation("relu", name=f"{block}_sepconv1_act")(x)
    x = _sepconv_bn(x, filters[0], f"{block}_sepconv1", channel_axis)
    x = layers.Activation("relu", name=f"{block}_sepconv2_act")(x)
    x = _sepconv_bn(x, filters[1], f"{block}_sepconv2", channel_axis)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"{block}_pool")(x)
    return layers.add([x, residual])


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,  # noqa: N802
             classes=1000, classifier_activation="softmax"):
    """Instantiates the Xception architecture (default input 299x299x3, at least 71x71).

    Arguments as tf-keras': ``include_top``, ``weights`` (None, 'imagenet' or a weight file's path),
    ``input_tensor``, ``input_shape``, ``pooling`` (None, 'avg' or 'max' when ``include_top=False``),
    ``classes`` and ``classifier_activation``.
    """
    from fastkeras.applications import imagenet_utils

    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `imagenet` "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000')

    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=71,
                                                    data_format=backend.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_tensor, input_shape)
    channel_axis = 1 if backend.image_data_format() == "channels_first" else -1

    # entry flow
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=channel_axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=channel_axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _downsampling_block(x, "block2", (128, 128), channel_axis, relu_first=False)
    x = _downsampling_block(x, "block3", (256, 256), channel_axis)
    x = _downsampling_block(x, "block4", (728, 728), channel_axis)

    # middle flow: 8 residual blocks of three separable convs
    for i in range(8):
        residual = x
        prefix = f"block{i + 5}"
        for j in (1, 2, 3):
            x = layers.Activation("relu", name=f"{prefix}_sepconv{j}_act")(x)
            x = _sepconv_bn(x, 728, f"{prefix}_sepconv{j}", channel_axis)
        x = layers.add([x, residual])

    # exit flow
    x = _downsampling_block(x, "block13", (728, 1024), channel_axis)
    x = _sepconv_bn(x, 1536, "block14_sepconv1", channel_axis)
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sepconv_bn(x, 2048, "block14_sepconv2", channel_axis)
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    model = Model(imagenet_utils.source_inputs(input_tensor, img_input), x, name="xception")

    if weights == "imagenet":
        if include_top:
            path = imagenet_utils.fetch_weights("xception_weights_tf_dim_ordering_tf_kernels.h5", TF_WEIGHTS_PATH,
                                                "0a58e3b7378bc2990ea3b43d5981f1f6")
        else:
            path = imagenet_utils.fetch_weights("xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
                                                TF_WEIGHTS_PATH_NO_TOP, "b0042744bf5b25fce3cb969f33bebb97")
        model.load_weights(path)
    elif weights is not None:
        model.load_weights(weights)
    return model


def preprocess_input(x, data_format=None):
    """Scales pixels from [0, 255] to [-1, 1] ('tf' mode)."""
    from fastkeras.applications import imagenet_utils
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet (class_id, name, score) tuples of each row of ``preds``."""
    from fastkeras.applications import imagenet_utils
    return imagenet_utils.decode_predictions(preds, top=top)


__all__ = ["Xception", "preprocess_input", "decode_predictions"]
