"""DenseNet 121/169/201 (Keras 2's ``keras.applications.densenet``).

Reference: [Densely Connected Convolutional Networks](https://arxiv.org/abs/1608.06993) (CVPR 2017).

The graph, its layer names and order are tf-keras', so Keras' published weight files load with
``model.load_weights``. Inputs are expected in the 'torch' preprocessing mode (see ``preprocess_input``).
"""
import os

from fastkeras import backend
from fastkeras import layers
from fastkeras.engine.training import Model

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
DENSENET121_WEIGHT_PATH = BASE_WEIGHTS_PATH + "densenet121_weights_tf_dim_ordering_tf_kernels.h5"
DENSENET121_WEIGHT_PATH_NO_TOP = BASE_WEIGHTS_PATH + "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"
DENSENET169_WEIGHT_PATH = BASE_WEIGHTS_PATH + "densenet169_weights_tf_dim_ordering_tf_kernels.h5"
DENSENET169_WEIGHT_PATH_NO_TOP = BASE_WEIGHTS_PATH + "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5"
DENSENET201_WEIGHT_PATH = BASE_WEIGHTS_PATH + "densenet201_weights_tf_dim_ordering_tf_kernels.h5"
DENSENET201_WEIGHT_PATH_NO_TOP = BASE_WEIGHTS_PATH + "densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5"

# blocks -> (model name, (file hash with top, file hash without top))
_VARIANTS = {
    (6, 12, 24, 16): ("densenet121", ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738")),
    (6, 12, 32, 32): ("densenet169", ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b")),
    (6, 12, 48, 32): ("densenet201", ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1")),
}


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def dense_block(x, blocks, name):
    """``blocks`` conv blocks, each concatenating 32 new channels to its input."""
    for i in range(blocks):
        x = conv_block(x, 32, name=name + "_block" + str(i + 1))
    return x


def transition_block(x, reduction, name):
    """BN-ReLU, a 1x1 conv keeping ``reduction`` of the channels, then 2x2 average pooling."""
    bn_axis = _bn_axis()
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_bn")(x)
    x = layers.Activation("relu", name=name + "_relu")(x)
    x = layers.Conv2D(int(backend.int_shape(x)[bn_axis] * reduction), 1, use_bias=False, name=name + "_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=name + "_pool")(x)


def conv_block(x, growth_rate, name):
    """BN-ReLU-1x1 conv (4 * growth_rate), BN-ReLU-3x3 conv (growth_rate), concatenated to ``x``."""
    bn_axis = _bn_axis()
    x1 = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_0_bn")(x)
    x1 = layers.Activation("relu", name=name + "_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + "_1_conv")(x1)
    x1 = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_1_bn")(x1)
    x1 = layers.Activation("relu", name=name + "_1_relu")(x1)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=name + "_2_conv")(x1)
    return layers.Concatenate(axis=bn_axis, name=name + "_concat")([x, x1])


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,  # noqa: N802
             classes=1000, classifier_activation="softmax"):
    """A DenseNet with ``blocks`` (4 ints: conv blocks per dense block), as tf-keras builds it."""
    from fastkeras.applications import imagenet_utils

    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `imagenet` "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000')

    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=backend.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_tensor, input_shape)

    bn_axis = _bn_axis()
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1/conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="conv1/bn")(x)
    x = layers.Activation("relu", name="conv1/relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)

    x = dense_block(x, blocks[0], name="conv2")
    x = transition_block(x, 0.5, name="pool2")
    x = dense_block(x, blocks[1], name="conv3")
    x = transition_block(x, 0.5, name="pool3")
    x = dense_block(x, blocks[2], name="conv4")
    x = transition_block(x, 0.5, name="pool4")
    x = dense_block(x, blocks[3], name="conv5")

    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    inputs = imagenet_utils.source_inputs(input_tensor, img_input)
    variant = _VARIANTS.get(tuple(blocks))
    model = Model(inputs, x, name=variant[0] if variant else "densenet")

    if weights == "imagenet":
        if variant is None:  # tf-keras fails here too (no file for custom blocks)
            raise ValueError(f"No ImageNet weights are published for DenseNet blocks={list(blocks)}.")
        name, hashes = variant
        fname = f"{name}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
        model.load_weights(imagenet_utils.fetch_weights(fname, BASE_WEIGHTS_PATH + fname,
                                                        hashes[0 if include_top else 1]))
    elif weights is not None:
        model.load_weights(weights)
    return model


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,  # noqa: N802
                classes=1000, classifier_activation="softmax"):
    """Instantiates the DenseNet121 architecture (tf-keras' arguments; default input 224x224x3, min 32x32)."""
    return DenseNet([6, 12, 24, 16], include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,  # noqa: N802
                classes=1000, classifier_activation="softmax"):
    """Instantiates the DenseNet169 architecture (tf-keras' arguments; default input 224x224x3, min 32x32)."""
    return DenseNet([6, 12, 32, 32], include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,  # noqa: N802
                classes=1000, classifier_activation="softmax"):
    """Instantiates the DenseNet201 architecture (tf-keras' arguments; default input 224x224x3, min 32x32)."""
    return DenseNet([6, 12, 48, 32], include_top, weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


def preprocess_input(x, data_format=None):
    """Scales pixels to [0, 1], then normalizes each channel with the ImageNet mean and std ('torch' mode)."""
    from fastkeras.applications import imagenet_utils
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet (class_id, name, score) tuples of each row of ``preds``."""
    from fastkeras.applications import imagenet_utils
    return imagenet_utils.decode_predictions(preds, top=top)


__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "preprocess_input", "decode_predictions"]
