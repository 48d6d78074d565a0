"""ResNet50V2/101V2/152V2 (He et al., "Identity Mappings in Deep Residual Networks", 2016), Keras 2's
``keras.applications.resnet_v2``."""
from fastkeras.applications import imagenet_utils
from fastkeras.applications import resnet


def _v2(model_name, depths):
    def stack_fn(x):
        x = resnet.stack2(x, 64, depths[0], name="conv2")
        x = resnet.stack2(x, 128, depths[1], name="conv3")
        x = resnet.stack2(x, 256, depths[2], name="conv4")
        return resnet.stack2(x, 512, depths[3], stride1=1, name="conv5")

    def build(include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation):
        return resnet.ResNet(stack_fn, True, True, model_name, include_top, weights, input_tensor, input_shape,
                             pooling, classes, classifier_activation=classifier_activation)
    return build


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
               classes=1000, classifier_activation="softmax"):
    """Instantiates the ResNet50V2 architecture (default input 224x224x3, at least 32x32; use
    ``resnet_v2.preprocess_input``, 'tf' mode: pixels scaled to [-1, 1])."""
    return _v2("resnet50v2", (3, 4, 6, 3))(include_top, weights, input_tensor, input_shape, pooling, classes,
                                           classifier_activation)


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax"):
    """Instantiates the ResNet101V2 architecture (see ResNet50V2)."""
    return _v2("resnet101v2", (3, 4, 23, 3))(include_top, weights, input_tensor, input_shape, pooling, classes,
                                             classifier_activation)


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax"):
    """Instantiates the ResNet152V2 architecture (see ResNet50V2)."""
    return _v2("resnet152v2", (3, 8, 36, 3))(include_top, weights, input_tensor, input_shape, pooling, classes,
                                             classifier_activation)


def preprocess_input(x, data_format=None):
    """Scales pixels to [-1, 1] ('tf' mode of imagenet_utils.preprocess_input)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
