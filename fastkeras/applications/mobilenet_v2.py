"""MobileNetV2 (Sandler et al., CVPR 2018), Keras 2's ``keras.applications.mobilenet_v2``.

Layer names, order and weight shapes are tf-keras', so Keras' published weight files load into it.
"""
import logging
import os

from fastkeras import backend as K
from fastkeras.applications import imagenet_utils

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
_PRETRAINED_SIZES = [96, 128, 160, 192, 224]


def _default_size(input_shape, input_tensor):
    """The input size whose pretrained weights apply: the input's own when square and pretrained, else 224."""
    if input_shape is not None and input_tensor is not None:
        if not K.is_keras_tensor(input_tensor):
            raise ValueError(f"input_tensor is not a TF-Keras tensor; Received `input_tensor={input_tensor}`")
        if K.image_data_format() == "channels_first":
            if K.int_shape(input_tensor)[1] != input_shape[1]:
                raise ValueError("input_shape[1] must equal shape(input_tensor)[1] when `image_data_format` is "
                                 f"`channels_first`; Received `input_tensor.shape={input_tensor.shape}`, "
                                 f"`input_shape={input_shape}`")
        elif K.int_shape(input_tensor)[2] != input_shape[1]:
            raise ValueError("input_tensor.shape[2] must equal input_shape[1]; Received "
                             f"`input_tensor.shape={input_tensor.shape}`, `input_shape={input_shape}`")
    if input_shape is None and input_tensor is not None:
        if not K.is_keras_tensor(input_tensor):
            return 224
        shape = K.int_shape(input_tensor)
        rows, cols = (shape[2], shape[3]) if K.image_data_format() == "channels_first" else (shape[1], shape[2])
    elif input_shape is None:
        return 224
    else:
        rows, cols = (input_shape[1], input_shape[2]) if K.image_data_format() == "channels_first" else \
            (input_shape[0], input_shape[1])
    return rows if rows == cols and rows in _PRETRAINED_SIZES else 224


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet", input_tensor=None, pooling=None,
                classes=1000, classifier_activation="softmax", **kwargs):
    """Instantiates the MobileNetV2 architecture (default input 224x224x3, at least 32x32; use
    ``mobilenet_v2.preprocess_input``, 'tf' mode: pixels scaled to [-1, 1]).

    alpha: width multiplier. ImageNet weights exist for alpha in {0.35, 0.5, 0.75, 1.0, 1.3, 1.4} and square
    inputs of 96, 128, 160, 192 or 224 pixels.
    """
    from fastkeras import layers
    from fastkeras.engine.training import Model

    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs}")
    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `imagenet` "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.  "
                         f"Received `weights={weights}`")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be '
                         f"1000. Received `classes={classes}`")
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=_default_size(input_shape, input_tensor),
                                                    min_size=32, data_format=K.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    row_axis, col_axis = (0, 1) if K.image_data_format() == "channels_last" else (1, 2)
    rows, cols = input_shape[row_axis], input_shape[col_axis]
    if weights == "imagenet":
        if alpha not in [0.35, 0.50, 0.75, 1.0, 1.3, 1.4]:
            raise ValueError("If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, `0.75`, "
                             f"`1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`")
        if rows != cols or rows not in _PRETRAINED_SIZES:
            rows = 224
            logging.warning("`input_shape` is undefined or non-square, or `rows` is not in [96, 128, 160, 192, 224]. "
                            "Weights for input shape (224, 224) will be loaded as the default.")

    img_input = imagenet_utils.model_input(input_tensor, input_shape)
    channel_axis = 1 if K.image_data_format() == "channels_first" else -1
    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding="same",
                      use_bias=False, name="Conv1")(img_input)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    # (filters, stride, expansion) of the 17 inverted residual blocks
    plan = ([(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6)]
            + [(64, 1, 6)] * 3 + [(96, 1, 6)] * 3 + [(160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6)])
    for block_id, (filters, stride, expansion) in enumerate(plan):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion,
                                block_id=block_id)
    last_block_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(imagenet_utils.source_inputs(input_tensor, img_input), x, name=f"mobilenetv2_{alpha:0.2f}_{rows}")

    if weights == "imagenet":
        file_name = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
                     + ("" if include_top else "_no_top") + ".h5")
        model.load_weights(imagenet_utils.fetch_weights(file_name, BASE_WEIGHT_PATH + file_name, None))
    elif weights is not None:
        model.load_weights(weights)
    return model


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expand (1x1), depthwise 3x3, project (1x1); a residual connection when the shapes allow it."""
    from fastkeras import layers
    channel_axis = 1 if K.image_data_format() == "channels_first" else -1
    in_channels = K.int_shape(inputs)[channel_axis]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same", use_bias=False, activation=None,
                          name=prefix + "expand")(x)
        x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999, name=prefix + "expand_BN")(x)
        x = layers.ReLU(6.0, name=prefix + "expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid", name=prefix + "depthwise")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999, name=prefix + "depthwise_BN")(x)
    x = layers.ReLU(6.0, name=prefix + "depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False, activation=None,
                      name=prefix + "project")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999, name=prefix + "project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=prefix + "add")([inputs, x])
    return x


def _make_divisible(v, divisor, min_value=None):
    """``v`` rounded to a multiple of ``divisor`` (at least ``min_value``), never more than 10% below ``v``."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def preprocess_input(x, data_format=None):
    """Scales pixels to [-1, 1] ('tf' mode of imagenet_utils.preprocess_input)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
