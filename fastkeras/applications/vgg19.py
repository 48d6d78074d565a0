"""VGG19 (Simonyan & Zisserman, ICLR 2015), Keras 2's ``keras.applications.vgg19``."""
from fastkeras.applications import imagenet_utils
from fastkeras.applications.vgg16 import build_vgg

WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                       "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5")
_HASHES = ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax"):
    """Instantiates the VGG19 model (default input 224x224x3, at least 32x32; use
    ``vgg19.preprocess_input``, 'caffe' mode, on its inputs)."""
    files = (("vgg19_weights_tf_dim_ordering_tf_kernels.h5", WEIGHTS_PATH, _HASHES[0]),
             ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", WEIGHTS_PATH_NO_TOP, _HASHES[1]))
    return build_vgg("vgg19", (2, 2, 4, 4, 4), files, include_top, weights, input_tensor, input_shape, pooling,
                     classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """RGB -> BGR and ImageNet mean subtraction ('caffe' mode of imagenet_utils.preprocess_input)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
