"""MobileNetV3 Small and Large (Keras 2's ``keras.applications.mobilenet_v3``).

Reference: [Searching for MobileNetV3](https://arxiv.org/abs/1905.02244) (ICCV 2019).

The graph is tf-keras', layer for layer: its names ('Conv/BatchNorm', 'expanded_conv_3/squeeze_excite/Mul' ...)
and the auto-named layers of the activations (hard-swish is ``x * ReLU6(x + 3) / 6``: a 'tf.__operators__.add'
and a 'tf.math.multiply' op layer, a 're_lu' and a 'multiply' layer), so Keras' published weight files load with
``model.load_weights``. By default the model takes pixels in [0, 255] (its first layer, a ``Rescaling``, maps
them to [-1, 1]); with ``include_preprocessing=False`` it takes [-1, 1]. ``preprocess_input`` is the identity.
"""
import logging
import os

from fastkeras import backend
from fastkeras import layers
from fastkeras.engine.training import Model

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"

# '{type}[_minimalistic]_224_{alpha}_float' -> (file hash with top, file hash without top)
WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb", "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7", "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c", "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7", "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862", "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37", "cde8136e733e811080d9fcd8a252f7e4"),
}


def _channel_axis():
    return 1 if backend.image_data_format() == "channels_first" else -1


def _check_input_tensor(input_tensor, input_shape):
    """tf-keras' checks of an ``input_tensor`` given together with an ``input_shape``."""
    if not backend.is_keras_tensor(input_tensor):
        raise ValueError("input_tensor specified: ", input_tensor, "is not a keras tensor")
    shape = backend.int_shape(input_tensor)
    if backend.image_data_format() == "channels_first":
        if shape[1] != input_shape[1]:
            raise ValueError("When backend.image_data_format()=channels_first, input_shape[1] must equal "
                             f"backend.int_shape(input_tensor)[1].  Received input_shape={input_shape}, "
                             f"backend.int_shape(input_tensor)={shape}")
    elif shape[2] != input_shape[1]:
        raise ValueError("input_shape[1] must equal backend.int_shape(input_tensor)[2].  Received "
                         f"input_shape={input_shape}, backend.int_shape(input_tensor)={shape}")


def MobileNetV3(stack_fn, last_point_ch, input_shape=None, alpha=1.0, model_type="large",  # noqa: N802
                minimalistic=False, include_top=True, weights="imagenet", input_tensor=None, classes=1000,
                pooling=None, dropout_rate=0.2, classifier_activation="softmax", include_preprocessing=True):
    """A MobileNetV3 whose inverted residual blocks are added by ``stack_fn(x, kernel, activation, se_ratio)``,
    as tf-keras builds it; ``last_point_ch``: the width of the top's 1x1 conv ('Conv_2')."""
    from fastkeras.applications import imagenet_utils

    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `imagenet` "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.  "
                         f"Received weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be '
                         f"1000.  Received classes={classes}")
    # No obtain_input_shape here (as in tf-keras): any size from 32x32 up, None sizes even with the top.
    if input_shape is not None and input_tensor is not None:
        _check_input_tensor(input_tensor, input_shape)
    if input_shape is None and input_tensor is not None and backend.is_keras_tensor(input_tensor):
        shape = backend.int_shape(input_tensor)
        # tf-keras puts cols before rows here; only the size checks below read them.
        input_shape = (3, shape[3], shape[2]) if backend.image_data_format() == "channels_first" else \
            (shape[2], shape[1], 3)
    if input_shape is None:
        input_shape = (None, None, 3) if backend.image_data_format() == "channels_last" else (3, None, None)
    row_axis, col_axis = (0, 1) if backend.image_data_format() == "channels_last" else (1, 2)
    rows, cols = input_shape[row_axis], input_shape[col_axis]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape={input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in [0.75, 1.0]) or (minimalistic and alpha != 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.75`, `1.0` for non "
                             "minimalistic or `1.0` for minimalistic only.")
        if rows != cols or rows != 224:
            logging.warning("`input_shape` is undefined or non-square, or `rows` is not 224. Weights for input "
                            "shape (224, 224) will be loaded as the default.")

    img_input = imagenet_utils.model_input(input_tensor, input_shape)
    channel_axis = _channel_axis()
    if minimalistic:  # no squeeze-and-excite, no hard-swish, no 5x5 kernels
        kernel, activation, se_ratio = 3, relu, None
    else:
        kernel, activation, se_ratio = 5, hard_swish, 0.25

    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False, name="Conv")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999, name="Conv/BatchNorm")(x)
    x = activation(x)
    x = stack_fn(x, kernel, activation, se_ratio)

    last_conv_ch = _depth(backend.int_shape(x)[channel_axis] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999, name="Conv_1/BatchNorm")(x)
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True, name="Conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="Logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="Predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    model = Model(imagenet_utils.source_inputs(input_tensor, img_input), x, name="MobilenetV3" + model_type)

    if weights == "imagenet":
        model_name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
        if include_top:
            file_name, file_hash = f"weights_mobilenet_v3_{model_name}.h5", WEIGHTS_HASHES[model_name][0]
        else:
            file_name, file_hash = f"weights_mobilenet_v3_{model_name}_no_top_v2.h5", WEIGHTS_HASHES[model_name][1]
        model.load_weights(imagenet_utils.fetch_weights(file_name, BASE_WEIGHT_PATH + file_name, file_hash))
    elif weights is not None:
        model.load_weights(weights)
    return model


def MobileNetV3Small(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,  # noqa: N802
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None, dropout_rate=0.2,
                     classifier_activation="softmax", include_preprocessing=True):
    """Instantiates MobileNetV3Small (11 inverted residual blocks; ImageNet weights for 224x224 inputs).

    Arguments as tf-keras': ``alpha`` (width multiplier; ImageNet weights for 0.75 and 1.0, 1.0 only when
    ``minimalistic``), ``minimalistic`` (ReLU, 3x3 kernels and no squeeze-and-excite), ``include_top``,
    ``weights`` (None, 'imagenet' or a weight file's path), ``input_tensor``, ``input_shape`` (any size from
    32x32), ``classes``, ``pooling``, ``dropout_rate``, ``classifier_activation`` and ``include_preprocessing``
    (a Rescaling of [0, 255] pixels to [-1, 1] as the first layer).
    """
    def stack_fn(x, kernel, activation, se_ratio):
        def depth(d):
            return _depth(d * alpha)
        # (expansion, filters, kernel, stride, se_ratio, activation) of each block
        plan = [(1, depth(16), 3, 2, se_ratio, relu),
                (72.0 / 16, depth(24), 3, 2, None, relu),
                (88.0 / 24, depth(24), 3, 1, None, relu),
                (4, depth(40), kernel, 2, se_ratio, activation),
                (6, depth(40), kernel, 1, se_ratio, activation),
                (6, depth(40), kernel, 1, se_ratio, activation),
                (3, depth(48), kernel, 1, se_ratio, activation),
                (3, depth(48), kernel, 1, se_ratio, activation),
                (6, depth(96), kernel, 2, se_ratio, activation),
                (6, depth(96), kernel, 1, se_ratio, activation),
                (6, depth(96), kernel, 1, se_ratio, activation)]
        for block_id, args in enumerate(plan):
            x = _inverted_res_block(x, *args, block_id)
        return x

    return MobileNetV3(stack_fn, 1024, input_shape, alpha, "small", minimalistic, include_top, weights,
                       input_tensor, classes, pooling, dropout_rate, classifier_activation, include_preprocessing)


def MobileNetV3Large(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,  # noqa: N802
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None, dropout_rate=0.2,
                     classifier_activation="softmax", include_preprocessing=True):
    """Instantiates MobileNetV3Large (15 inverted residual blocks; ImageNet weights for 224x224 inputs).

    Arguments as ``MobileNetV3Small``'s.
    """
    def stack_fn(x, kernel, activation, se_ratio):
        def depth(d):
            return _depth(d * alpha)
        plan = [(1, depth(16), 3, 1, None, relu),
                (4, depth(24), 3, 2, None, relu),
                (3, depth(24), 3, 1, None, relu),
                (3, depth(40), kernel, 2, se_ratio, relu),
                (3, depth(40), kernel, 1, se_ratio, relu),
                (3, depth(40), kernel, 1, se_ratio, relu),
                (6, depth(80), 3, 2, None, activation),
                (2.5, depth(80), 3, 1, None, activation),
                (2.3, depth(80), 3, 1, None, activation),
                (2.3, depth(80), 3, 1, None, activation),
                (6, depth(112), 3, 1, se_ratio, activation),
                (6, depth(112), 3, 1, se_ratio, activation),
                (6, depth(160), kernel, 2, se_ratio, activation),
                (6, depth(160), kernel, 1, se_ratio, activation),
                (6, depth(160), kernel, 1, se_ratio, activation)]
        for block_id, args in enumerate(plan):
            x = _inverted_res_block(x, *args, block_id)
        return x

    return MobileNetV3(stack_fn, 1280, input_shape, alpha, "large", minimalistic, include_top, weights,
                       input_tensor, classes, pooling, dropout_rate, classifier_activation, include_preprocessing)


def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    """ReLU6(x + 3) / 6, written with tensor operators so that the graph has tf-keras' op layers."""
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x):
    return layers.Multiply()([x, hard_sigmoid(x)])


def _depth(v, divisor=8, min_value=None):
    """``v`` rounded to a multiple of ``divisor`` (at least ``min_value``), never more than 10% below ``v``."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _se_block(inputs, filters, se_ratio, prefix):
    """Squeeze-and-excite: channel weights from the global average, through a bottleneck and a hard sigmoid."""
    x = layers.GlobalAveragePooling2D(keepdims=True, name=prefix + "squeeze_excite/AvgPool")(inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1, padding="same",
                      name=prefix + "squeeze_excite/Conv")(x)
    x = layers.ReLU(name=prefix + "squeeze_excite/Relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", name=prefix + "squeeze_excite/Conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=prefix + "squeeze_excite/Mul")([inputs, x])


def _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, activation, block_id):
    """1x1 expansion (not in block 0), depthwise conv, optional squeeze-and-excite, 1x1 projection, and the
    residual connection when the shape is kept."""
    from fastkeras.applications import imagenet_utils

    channel_axis = _channel_axis()
    shortcut = x
    prefix = "expanded_conv/"
    infilters = backend.int_shape(x)[channel_axis]
    if block_id:
        prefix = f"expanded_conv_{block_id}/"
        x = layers.Conv2D(_depth(infilters * expansion), kernel_size=1, padding="same", use_bias=False,
                          name=prefix + "expand")(x)
        x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                      name=prefix + "expand/BatchNorm")(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size), name=prefix + "depthwise/pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride, padding="same" if stride == 1 else "valid",
                               use_bias=False, name=prefix + "depthwise")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                  name=prefix + "depthwise/BatchNorm")(x)
    x = activation(x)
    if se_ratio:
        x = _se_block(x, _depth(infilters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False, name=prefix + "project")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                  name=prefix + "project/BatchNorm")(x)
    if stride == 1 and infilters == filters:
        x = layers.Add(name=prefix + "Add")([shortcut, x])
    return x


def preprocess_input(x, data_format=None):
    """The identity, kept for API compatibility: the model rescales its inputs itself (its ``Rescaling``
    layer, unless built with ``include_preprocessing=False``)."""
    return x


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet (class_id, name, score) tuples of each row of ``preds``."""
    from fastkeras.applications import imagenet_utils
    return imagenet_utils.decode_predictions(preds, top=top)


__all__ = ["MobileNetV3Small", "MobileNetV3Large", "preprocess_input", "decode_predictions"]
