"""VGG16 (Simonyan & Zisserman, ICLR 2015), Keras 2's ``keras.applications.vgg16``.

Layer names, order and weight shapes are tf-keras', so Keras' published weight files load into it.
"""
from fastkeras import backend as K
from fastkeras.applications import imagenet_utils

WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                       "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
_HASHES = ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc")


def build_vgg(name, blocks, weight_files, include_top, weights, input_tensor, input_shape, pooling, classes,
              classifier_activation):
    """A VGG: ``blocks`` gives the number of 3x3 convolutions of each of the five blocks.

    ``weight_files``: ((file name, URL, hash) with the top, (file name, URL, hash) without).
    """
    from fastkeras import layers
    from fastkeras.engine.training import Model

    imagenet_utils.check_weights_arg(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=K.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_tensor, input_shape)
    x = img_input
    for block, (convs, filters) in enumerate(zip(blocks, (64, 128, 256, 512, 512)), start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(imagenet_utils.source_inputs(input_tensor, img_input), x, name=name)
    if weights == "imagenet":
        model.load_weights(imagenet_utils.fetch_weights(*weight_files[0 if include_top else 1]))
    elif weights is not None:
        model.load_weights(weights)
    return model


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax"):
    """Instantiates the VGG16 model (default input 224x224x3, at least 32x32; use
    ``vgg16.preprocess_input``, 'caffe' mode, on its inputs)."""
    files = (("vgg16_weights_tf_dim_ordering_tf_kernels.h5", WEIGHTS_PATH, _HASHES[0]),
             ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", WEIGHTS_PATH_NO_TOP, _HASHES[1]))
    return build_vgg("vgg16", (2, 2, 3, 3, 3), files, include_top, weights, input_tensor, input_shape, pooling,
                     classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """RGB -> BGR and ImageNet mean subtraction ('caffe' mode of imagenet_utils.preprocess_input)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
