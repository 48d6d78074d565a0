"""ResNetRS50, 101, 152, 200, 270, 350 and 420 (Keras 2's ``keras.applications.resnet_rs``).

Reference: [Revisiting ResNets: Improved Training and Scaling Strategies](https://arxiv.org/abs/2103.07579).

The graph is tf-keras': its layer names and order (the stem named by a session counter, 'stem_1' in a fresh
session, the padding and addition layers auto-named 'zero_padding2d', 'add', ...), so Keras' published weight
files load with ``load_weights``. Several depths have weights trained at more than one resolution:
``weights='imagenet'`` takes the largest, ``'imagenet-i<size>'`` names one. The models take pixels in
[0, 255] (with ``include_preprocessing``, rescaling and ImageNet normalization come first).
"""
import os

from fastkeras import backend
from fastkeras import layers

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet_rs/"

# file name -> md5
WEIGHT_HASHES = {
    "resnet-rs-101-i160.h5": "544b3434d00efc199d66e9058c7f3379",
    "resnet-rs-101-i160_notop.h5": "82d5b90c5ce9d710da639d6216d0f979",
    "resnet-rs-101-i192.h5": "eb285be29ab42cf4835ff20a5e3b5d23",
    "resnet-rs-101-i192_notop.h5": "f9a0f6b85faa9c3db2b6e233c4eebb5b",
    "resnet-rs-152-i192.h5": "8d72a301ed8a6f11a47c4ced4396e338",
    "resnet-rs-152-i192_notop.h5": "5fbf7ac2155cb4d5a6180ee9e3aa8704",
    "resnet-rs-152-i224.h5": "31a46a92ab21b84193d0d71dd8c3d03b",
    "resnet-rs-152-i224_notop.h5": "dc8b2cba2005552eafa3167f00dc2133",
    "resnet-rs-152-i256.h5": "ba6271b99bdeb4e7a9b15c05964ef4ad",
    "resnet-rs-152-i256_notop.h5": "fa79794252dbe47c89130f65349d654a",
    "resnet-rs-200-i256.h5": "a76930b741884e09ce90fa7450747d5f",
    "resnet-rs-200-i256_notop.h5": "bbdb3994718dfc0d1cd45d7eff3f3d9c",
    "resnet-rs-270-i256.h5": "20d575825ba26176b03cb51012a367a8",
    "resnet-rs-270-i256_notop.h5": "2c42ecb22e35f3e23d2f70babce0a2aa",
    "resnet-rs-350-i256.h5": "f4a039dc3c421321b7fc240494574a68",
    "resnet-rs-350-i256_notop.h5": "6e44b55025bbdff8f51692a023143d66",
    "resnet-rs-350-i320.h5": "7ccb858cc738305e8ceb3c0140bee393",
    "resnet-rs-350-i320_notop.h5": "ab0c1f9079d2f85a9facbd2c88aa6079",
    "resnet-rs-420-i320.h5": "ae0eb9bed39e64fc8d7e0db4018dc7e8",
    "resnet-rs-420-i320_notop.h5": "fe6217c32be8305b1889657172b98884",
    "resnet-rs-50-i160.h5": "69d9d925319f00a8bdd4af23c04e4102",
    "resnet-rs-50-i160_notop.h5": "90daa68cd26c95aa6c5d25451e095529",
}

# depth -> the input resolutions it has ImageNet weights for
DEPTH_TO_WEIGHT_VARIANTS = {50: [160], 101: [160, 192], 152: [192, 224, 256], 200: [256], 270: [256],
                            350: [256, 320], 420: [320]}


def _groups(*repeats):
    return [{"input_filters": f, "num_repeats": n} for f, n in zip((64, 128, 256, 512), repeats)]


# depth -> the four block groups (bottleneck width, blocks)
BLOCK_ARGS = {50: _groups(3, 4, 6, 3), 101: _groups(3, 4, 23, 3), 152: _groups(3, 8, 36, 3),
              200: _groups(3, 24, 36, 3), 270: _groups(4, 29, 53, 4), 350: _groups(4, 36, 72, 4),
              420: _groups(4, 44, 87, 4)}

CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                           "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def fixed_padding(inputs, kernel_size):
    """Pads by ``kernel_size - 1`` in total (the extra pixel after), independently of the input size."""
    pad_beg = (kernel_size - 1) // 2
    pad_end = kernel_size - 1 - pad_beg
    return layers.ZeroPadding2D(padding=((pad_beg, pad_end), (pad_beg, pad_end)))(inputs)


def Conv2DFixedPadding(filters, kernel_size, strides, name=None):  # noqa: N802
    """A bias-free convolution; strided ones pad explicitly (``fixed_padding``), then convolve 'valid'."""
    if name is None:
        name = f"conv_{backend.get_uid('conv_')}"

    def apply(inputs):
        if strides > 1:
            inputs = fixed_padding(inputs, kernel_size)
        return layers.Conv2D(filters, kernel_size, strides=strides, padding="same" if strides == 1 else "valid",
                             use_bias=False, kernel_initializer=CONV_KERNEL_INITIALIZER, name=name)(inputs)

    return apply


def _bn(bn_momentum, bn_epsilon, name):
    return layers.BatchNormalization(axis=_bn_axis(), momentum=bn_momentum, epsilon=bn_epsilon, name=name)


def STEM(bn_momentum=0.0, bn_epsilon=1e-5, activation="relu", name=None):  # noqa: N802
    """Four 3x3 convolutions (32, 32, 64, 64 channels; the first and last of stride 2) in place of ResNet's
    7x7 convolution and max pooling."""
    if name is None:
        name = f"stem_{backend.get_uid('stem_')}"

    def apply(x):
        for i, (filters, strides) in enumerate([(32, 2), (32, 1), (64, 1), (64, 2)], start=1):
            x = Conv2DFixedPadding(filters, 3, strides, name=f"{name}_stem_conv_{i}")(x)
            x = _bn(bn_momentum, bn_epsilon, f"{name}_stem_batch_norm_{i}")(x)
            x = layers.Activation(activation, name=f"{name}_stem_act_{i}")(x)
        return x

    return apply


def SE(in_filters, se_ratio=0.25, expand_ratio=1, name=None):  # noqa: N802
    """Squeeze-and-excitation over a block's ``4 * in_filters`` output channels."""
    if name is None:
        name = f"se_{backend.get_uid('se_')}"

    def apply(inputs):
        x = layers.GlobalAveragePooling2D(name=name + "_se_squeeze")(inputs)
        channels = x.shape[-1]
        x = layers.Reshape((channels, 1, 1) if _bn_axis() == 1 else (1, 1, channels), name=name + "_se_reshape")(x)
        x = layers.Conv2D(max(1, int(in_filters * 4 * se_ratio)), kernel_size=[1, 1], strides=[1, 1],
                          kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=True,
                          activation="relu", name=name + "_se_reduce")(x)
        x = layers.Conv2D(4 * in_filters * expand_ratio, kernel_size=[1, 1], strides=[1, 1],
                          kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=True,
                          activation="sigmoid", name=name + "_se_expand")(x)
        return layers.multiply([inputs, x], name=name + "_se_excite")

    return apply


def BottleneckBlock(filters, strides, use_projection, bn_momentum=0.0, bn_epsilon=1e-5,  # noqa: N802
                    activation="relu", se_ratio=0.25, survival_probability=0.8, name=None):
    """A bottleneck block (1x1, 3x3, 1x1 to ``4 * filters`` channels) with squeeze-and-excitation; the
    projection shortcut of a strided block average-pools first (ResNet-D)."""
    if name is None:
        name = f"block_0_{backend.get_uid('block_0_')}"

    def apply(inputs):
        shortcut = inputs
        if use_projection:
            if strides == 2:
                shortcut = layers.AveragePooling2D(pool_size=(2, 2), strides=(2, 2), padding="same",
                                                   name=name + "_projection_pooling")(inputs)
                shortcut = Conv2DFixedPadding(filters * 4, 1, 1, name=name + "_projection_conv")(shortcut)
            else:
                shortcut = Conv2DFixedPadding(filters * 4, 1, strides, name=name + "_projection_conv")(inputs)
            shortcut = _bn(bn_momentum, bn_epsilon, name + "_projection_batch_norm")(shortcut)
        x = Conv2DFixedPadding(filters, 1, 1, name=name + "_conv_1")(inputs)
        x = _bn(bn_momentum, bn_epsilon, name + "batch_norm_1")(x)  # sic: tf-keras' name has no '_' here
        x = layers.Activation(activation, name=name + "_act_1")(x)
        x = Conv2DFixedPadding(filters, 3, strides, name=name + "_conv_2")(x)
        x = _bn(bn_momentum, bn_epsilon, name + "_batch_norm_2")(x)
        x = layers.Activation(activation, name=name + "_act_2")(x)
        x = Conv2DFixedPadding(filters * 4, 1, 1, name=name + "_conv_3")(x)
        x = _bn(bn_momentum, bn_epsilon, name + "_batch_norm_3")(x)
        if 0 < se_ratio < 1:
            x = SE(filters, se_ratio=se_ratio, name=name + "_se")(x)
        if survival_probability:
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1), name=name + "_drop")(x)
        x = layers.Add()([x, shortcut])
        return layers.Activation(activation, name=name + "_output_act")(x)

    return apply


def BlockGroup(filters, strides, num_repeats, se_ratio=0.25, bn_epsilon=1e-5, bn_momentum=0.0,  # noqa: N802
               activation="relu", survival_probability=0.8, name=None):
    """``num_repeats`` bottleneck blocks; the first projects the shortcut (and carries the stride)."""
    if name is None:
        name = f"block_group_{backend.get_uid('block_group_')}"

    def apply(x):
        for i in range(num_repeats):
            x = BottleneckBlock(filters, strides if i == 0 else 1, use_projection=i == 0, bn_momentum=bn_momentum,
                                bn_epsilon=bn_epsilon, activation=activation, se_ratio=se_ratio,
                                survival_probability=survival_probability, name=f"{name}_block_{i}_")(x)
        return x

    return apply


def ResNetRS(depth, input_shape=None, bn_momentum=0.0, bn_epsilon=1e-5, activation="relu", se_ratio=0.25,  # noqa: N802
             dropout_rate=0.25, drop_connect_rate=0.2, include_top=True, block_args=None, model_name="resnet-rs",
             pooling=None, weights="imagenet", input_tensor=None, classes=1000, classifier_activation="softmax",
             include_preprocessing=True):
    """A ResNet-RS of ``depth`` (a key of ``BLOCK_ARGS``, which also picks the weight variants), as tf-keras
    builds it. ``weights``: None, 'imagenet' (the largest resolution trained), 'imagenet-i<size>' (one of
    ``DEPTH_TO_WEIGHT_VARIANTS[depth]``) or a weight file's path."""
    from fastkeras.applications import imagenet_utils
    from fastkeras.engine.training import Model

    available = DEPTH_TO_WEIGHT_VARIANTS[depth]
    if weights == "imagenet":
        weights = f"imagenet-i{max(available)}"
    allowed = [f"imagenet-i{size}" for size in available]
    if not (weights in {*allowed, None} or os.path.exists(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `'imagenet'` "
                         "(pre-training on ImageNet, with highest available input shape), or the path to the "
                         f"weights file to be loaded. For ResNetRS{depth} the following weight variants are "
                         f"available {allowed} (default=highest). Received weights={weights}")
    if weights in allowed and include_top and classes != 1000:
        raise ValueError(f"If using `weights` as `'imagenet'` or any of {allowed} with `include_top` as true, "
                         f"`classes` should be 1000. Received classes={classes}")

    # As in tf-keras, a named variant is not 'imagenet' to the input shape checks: any input size is taken.
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=backend.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_tensor, input_shape)
    bn_axis = _bn_axis()

    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 255)(x)
        if input_shape[bn_axis - 1] == 3:
            x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=bn_axis)(x)
    x = STEM(bn_momentum=bn_momentum, bn_epsilon=bn_epsilon, activation=activation)(x)

    if block_args is None:
        block_args = BLOCK_ARGS[depth]
    for i, args in enumerate(block_args):
        x = BlockGroup(args["input_filters"], strides=1 if i == 0 else 2, num_repeats=args["num_repeats"],
                       se_ratio=se_ratio, bn_epsilon=bn_epsilon, bn_momentum=bn_momentum, activation=activation,
                       survival_probability=drop_connect_rate * (i + 2) / (len(block_args) + 1),
                       name=f"BlockGroup{i + 2}_")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    model = Model(imagenet_utils.source_inputs(input_tensor, img_input), x, name=model_name)

    if weights in allowed:
        file_name = f"{model_name}-{weights.split('-')[-1]}{'' if include_top else '_notop'}.h5"
        model.load_weights(imagenet_utils.fetch_weights(file_name, BASE_WEIGHTS_URL + file_name,
                                                        WEIGHT_HASHES[file_name]))
    elif weights is not None:
        model.load_weights(weights)
    return model


def _variant(depth, drop_connect_rate, dropout_rate):
    def constructor(include_top=True, weights="imagenet", classes=1000, input_shape=None, input_tensor=None,
                    pooling=None, classifier_activation="softmax", include_preprocessing=True):
        return ResNetRS(depth, include_top=include_top, drop_connect_rate=drop_connect_rate,
                        dropout_rate=dropout_rate, weights=weights, classes=classes, input_shape=input_shape,
                        input_tensor=input_tensor, pooling=pooling, classifier_activation=classifier_activation,
                        model_name=f"resnet-rs-{depth}", include_preprocessing=include_preprocessing)

    constructor.__name__ = constructor.__qualname__ = f"ResNetRS{depth}"
    sizes = ", ".join(f"'imagenet-i{s}'" for s in DEPTH_TO_WEIGHT_VARIANTS[depth])
    constructor.__doc__ = (
        f"Instantiates the ResNetRS{depth} architecture (default input 224x224x3, at least 32x32; takes pixels "
        f"in [0, 255]). ImageNet weights: {sizes} ('imagenet': the last).\n\n"
        "Arguments as tf-keras': ``include_top``, ``weights``, ``classes``, ``input_shape``, ``input_tensor``, "
        "``pooling``, ``classifier_activation``, ``include_preprocessing``.")
    return constructor


# (depth, the top's drop-connect rate, the top's dropout rate)
ResNetRS50 = _variant(50, 0.0, 0.25)
ResNetRS101 = _variant(101, 0.0, 0.25)
ResNetRS152 = _variant(152, 0.0, 0.25)
ResNetRS200 = _variant(200, 0.1, 0.25)
ResNetRS270 = _variant(270, 0.1, 0.25)
ResNetRS350 = _variant(350, 0.1, 0.4)
ResNetRS420 = _variant(420, 0.1, 0.4)


def preprocess_input(x, data_format=None):
    """The identity, kept for API compatibility: ResNetRS models rescale and normalize their inputs
    themselves (they take pixels in [0, 255])."""
    return x


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet (class_id, name, score) tuples of each row of ``preds``."""
    from fastkeras.applications import imagenet_utils
    return imagenet_utils.decode_predictions(preds, top=top)


__all__ = [f"ResNetRS{d}" for d in BLOCK_ARGS] + ["preprocess_input", "decode_predictions"]
