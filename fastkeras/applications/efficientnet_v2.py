"""EfficientNetV2 B0 to B3, S, M and L (Keras 2's ``keras.applications.efficientnet_v2``).

Reference: [EfficientNetV2: Smaller Models and Faster Training](https://arxiv.org/abs/2104.00298) (ICML 2021).

The graph, its layer names and order are tf-keras', so Keras' published weight files load with
``model.load_weights``. The models take pixels in [0, 255]: with ``include_preprocessing`` (the default) their
first layers rescale them (and, for B0-B3, normalize with the ImageNet mean and variance); ``preprocess_input``
is the identity.
"""
import copy
import math
import os

from fastkeras import backend
from fastkeras import layers

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"

# model name's last two characters -> (md5 of the file with the top, md5 of the file without)
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}


def _stage(kernel_size, num_repeat, input_filters, output_filters, expand_ratio, se_ratio, strides, conv_type):
    """One stage of blocks; ``conv_type`` 1 is a FusedMBConv block, 0 an MBConv block."""
    return {"kernel_size": kernel_size, "num_repeat": num_repeat, "input_filters": input_filters,
            "output_filters": output_filters, "expand_ratio": expand_ratio, "se_ratio": se_ratio,
            "strides": strides, "conv_type": conv_type}


_B_STAGES = [  # B0 to B3 share their stages; width and depth coefficients scale them
    _stage(3, 1, 32, 16, 1, 0, 1, 1),
    _stage(3, 2, 16, 32, 4, 0, 2, 1),
    _stage(3, 2, 32, 48, 4, 0, 2, 1),
    _stage(3, 3, 48, 96, 4, 0.25, 2, 0),
    _stage(3, 5, 96, 112, 6, 0.25, 1, 0),
    _stage(3, 8, 112, 192, 6, 0.25, 2, 0),
]
DEFAULT_BLOCKS_ARGS = {
    "efficientnetv2-s": [
        _stage(3, 2, 24, 24, 1, 0.0, 1, 1),
        _stage(3, 4, 24, 48, 4, 0.0, 2, 1),
        _stage(3, 4, 48, 64, 4, 0, 2, 1),
        _stage(3, 6, 64, 128, 4, 0.25, 2, 0),
        _stage(3, 9, 128, 160, 6, 0.25, 1, 0),
        _stage(3, 15, 160, 256, 6, 0.25, 2, 0),
    ],
    "efficientnetv2-m": [
        _stage(3, 3, 24, 24, 1, 0, 1, 1),
        _stage(3, 5, 24, 48, 4, 0, 2, 1),
        _stage(3, 5, 48, 80, 4, 0, 2, 1),
        _stage(3, 7, 80, 160, 4, 0.25, 2, 0),
        _stage(3, 14, 160, 176, 6, 0.25, 1, 0),
        _stage(3, 18, 176, 304, 6, 0.25, 2, 0),
        _stage(3, 5, 304, 512, 6, 0.25, 1, 0),
    ],
    "efficientnetv2-l": [
        _stage(3, 4, 32, 32, 1, 0, 1, 1),
        _stage(3, 7, 32, 64, 4, 0, 2, 1),
        _stage(3, 7, 64, 96, 4, 0, 2, 1),
        _stage(3, 10, 96, 192, 4, 0.25, 2, 0),
        _stage(3, 19, 192, 224, 6, 0.25, 1, 0),
        _stage(3, 25, 224, 384, 6, 0.25, 2, 0),
        _stage(3, 7, 384, 640, 6, 0.25, 1, 0),
    ],
    **{f"efficientnetv2-b{i}": _B_STAGES for i in range(4)},
}

CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                           "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                            "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """``filters`` scaled by the width coefficient, to the nearest multiple of ``depth_divisor`` (at least
    ``min_depth``)."""
    filters *= width_coefficient
    minimum_depth = min_depth or depth_divisor
    return int(max(minimum_depth, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    return int(math.ceil(depth_coefficient * repeats))


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def _squeeze_excite(x, filters, input_filters, se_ratio, activation, name):
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    se_shape = (filters, 1, 1) if _bn_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=name + "se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=name + "se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid", kernel_initializer=CONV_KERNEL_INITIALIZER,
                       name=name + "se_expand")(se)
    return layers.multiply([x, se], name=name + "se_excite")


def _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name):
    """The skip connection, where the block keeps the shape; ``survival_probability`` is in fact the rate at
    which tf-keras drops the whole branch of a sample (its name notwithstanding)."""
    if strides == 1 and input_filters == output_filters:
        if survival_probability:
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
        x = layers.add([x, inputs], name=name + "add")
    return x


def MBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1, se_ratio=0.0,  # noqa: N802
                bn_momentum=0.9, activation="swish", survival_probability=0.8, name=None):
    """Mobile inverted residual bottleneck: 1x1 expansion, depthwise conv, squeeze-and-excitation, 1x1
    projection and the skip connection, as a function of the block's input."""
    bn_axis = _bn_axis()

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = layers.Conv2D(filters, 1, strides=1, kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                              data_format=backend.image_data_format(), use_bias=False, name=name + "expand_conv")(x)
            x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=name + "expand_bn")(x)
            x = layers.Activation(activation, name=name + "expand_activation")(x)
        x = layers.DepthwiseConv2D(kernel_size, strides=strides, depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   padding="same", data_format=backend.image_data_format(), use_bias=False,
                                   name=name + "dwconv2")(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=name + "bn")(x)
        x = layers.Activation(activation, name=name + "activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
        x = layers.Conv2D(output_filters, 1, strides=1, kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                          data_format=backend.image_data_format(), use_bias=False, name=name + "project_conv")(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=name + "project_bn")(x)
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)

    return apply


def FusedMBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,  # noqa: N802
                     se_ratio=0.0, bn_momentum=0.9, activation="swish", survival_probability=0.8, name=None):
    """The fused block: one full KxK convolution in place of the 1x1 expansion and the depthwise conv (or,
    without expansion, the KxK convolution is the projection, followed by the activation)."""
    bn_axis = _bn_axis()

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = layers.Conv2D(filters, kernel_size=kernel_size, strides=strides,
                              kernel_initializer=CONV_KERNEL_INITIALIZER, data_format=backend.image_data_format(),
                              padding="same", use_bias=False, name=name + "expand_conv")(x)
            x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=name + "expand_bn")(x)
            x = layers.Activation(activation=activation, name=name + "expand_activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
        expanded = expand_ratio != 1
        x = layers.Conv2D(output_filters, kernel_size=1 if expanded else kernel_size, strides=1 if expanded else strides,
                          kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=False,
                          name=name + "project_conv")(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=name + "project_bn")(x)
        if not expanded:
            x = layers.Activation(activation=activation, name=name + "project_activation")(x)
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)

    return apply


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,  # noqa: N802
                   drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9, activation="swish",
                   blocks_args="default", model_name="efficientnetv2", include_top=True, weights="imagenet",
                   input_tensor=None, input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax", include_preprocessing=True):
    """An EfficientNetV2 scaled by ``width_coefficient`` (channels) and ``depth_coefficient`` (blocks per
    stage), as tf-keras builds it. ``blocks_args``: a list of stage dicts like those of
    ``DEFAULT_BLOCKS_ARGS`` ('default': the ones of ``model_name``)."""
    from fastkeras import initializers
    from fastkeras.applications import imagenet_utils
    from fastkeras.engine.training import Model

    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[model_name]
    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `imagenet` "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded."
                         f"Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights` as `'imagenet'` with `include_top` as true, `classes` should be 1000"
                         f"Received: classes={classes}")

    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=backend.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_tensor, input_shape)
    bn_axis = _bn_axis()

    def scaled(filters):
        return round_filters(filters, width_coefficient, min_depth, depth_divisor)

    x = img_input
    if include_preprocessing:
        num_channels = input_shape[bn_axis - 1]
        if model_name.split("-")[-1].startswith("b") and num_channels == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=bn_axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    # stem
    x = layers.Conv2D(scaled(blocks_args[0]["input_filters"]), kernel_size=3, strides=2,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    # blocks (the drop rate rises with the block's index; the depth coefficient does not change the total
    # tf-keras divides by)
    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(args["num_repeat"] for args in blocks_args))
    for i, args in enumerate(blocks_args):
        assert args["num_repeat"] > 0
        args["input_filters"] = scaled(args["input_filters"])
        args["output_filters"] = scaled(args["output_filters"])
        block = {0: MBConvBlock, 1: FusedMBConvBlock}[args.pop("conv_type")]
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:  # only the first block of a stage changes stride and width
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * b / blocks, name=f"block{i + 1}{chr(j + 97)}_",
                      **args)(x)
            b += 1

    # top
    x = layers.Conv2D(scaled(1280), kernel_size=1, strides=1, kernel_initializer=CONV_KERNEL_INITIALIZER,
                      padding="same", data_format=backend.image_data_format(), use_bias=False, name="top_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="top_bn")(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, kernel_initializer=DENSE_KERNEL_INITIALIZER,
                         bias_initializer=initializers.Constant(0), name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    model = Model(imagenet_utils.source_inputs(input_tensor, img_input), x, name=model_name)

    if weights == "imagenet":
        file_name = model_name + (".h5" if include_top else "_notop.h5")
        file_hash = WEIGHTS_HASHES[model_name[-2:]][0 if include_top else 1]
        model.load_weights(imagenet_utils.fetch_weights(file_name, BASE_WEIGHTS_PATH + file_name, file_hash))
    elif weights is not None:
        model.load_weights(weights)
    return model


def _variant(suffix, width, depth, size):
    def constructor(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                    classes=1000, classifier_activation="softmax", include_preprocessing=True):
        return EfficientNetV2(width, depth, size, model_name=f"efficientnetv2-{suffix}", include_top=include_top,
                              weights=weights, input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                              classes=classes, classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing)

    constructor.__name__ = constructor.__qualname__ = f"EfficientNetV2{suffix.upper()}"
    prep = ("rescales to [0, 1] and normalizes with the ImageNet mean and variance" if suffix.startswith("b")
            else "rescales to [-1, 1]")
    constructor.__doc__ = (
        f"Instantiates the EfficientNetV2{suffix.upper()} architecture (default input {size}x{size}x3, at "
        f"least 32x32; takes pixels in [0, 255]: its preprocessing {prep}).\n\n"
        "Arguments as tf-keras': ``include_top``, ``weights`` (None, 'imagenet' or a weight file's path), "
        "``input_tensor``, ``input_shape``, ``pooling``, ``classes``, ``classifier_activation``, "
        "``include_preprocessing``.")
    return constructor


# (width coefficient, depth coefficient, default resolution)
EfficientNetV2B0 = _variant("b0", 1.0, 1.0, 224)
EfficientNetV2B1 = _variant("b1", 1.0, 1.1, 240)
EfficientNetV2B2 = _variant("b2", 1.1, 1.2, 260)
EfficientNetV2B3 = _variant("b3", 1.2, 1.4, 300)
EfficientNetV2S = _variant("s", 1.0, 1.0, 384)
EfficientNetV2M = _variant("m", 1.0, 1.0, 480)
EfficientNetV2L = _variant("l", 1.0, 1.0, 480)


def preprocess_input(x, data_format=None):
    """The identity, kept for API compatibility: EfficientNetV2 models rescale their inputs themselves (they
    take pixels in [0, 255])."""
    return x


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet (class_id, name, score) tuples of each row of ``preds``."""
    from fastkeras.applications import imagenet_utils
    return imagenet_utils.decode_predictions(preds, top=top)


__all__ = ["EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2S",
           "EfficientNetV2M", "EfficientNetV2L", "preprocess_input", "decode_predictions"]
