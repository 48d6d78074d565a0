"""Keras 2's ``keras.applications``: the ImageNet model architectures, built from fastkeras layers with tf-keras'
layer names, so that Keras' weight files load into them.

Each model lives in its own module (``fastkeras.applications.resnet`` ...), imported when first used: importing
this package costs nothing.
"""
import importlib

# Public name -> the module (under fastkeras.applications) that defines it.
_MODELS = {
    "VGG16": "vgg16", "VGG19": "vgg19",
    "ResNet50": "resnet", "ResNet101": "resnet", "ResNet152": "resnet",
    "ResNet50V2": "resnet_v2", "ResNet101V2": "resnet_v2", "ResNet152V2": "resnet_v2",
    "MobileNet": "mobilenet", "MobileNetV2": "mobilenet_v2",
    "MobileNetV3Small": "mobilenet_v3", "MobileNetV3Large": "mobilenet_v3",
    "InceptionResNetV2": "inception_resnet_v2", "NASNetMobile": "nasnet", "NASNetLarge": "nasnet",
    "InceptionV3": "inception_v3", "Xception": "xception",
    "DenseNet121": "densenet", "DenseNet169": "densenet", "DenseNet201": "densenet",
    **{f"EfficientNetB{i}": "efficientnet" for i in range(8)},
    **{f"ConvNeXt{s}": "convnext" for s in ("Tiny", "Small", "Base", "Large", "XLarge")},
    **{f"EfficientNetV2{s}": "efficientnet_v2" for s in ("B0", "B1", "B2", "B3", "S", "M", "L")},
    **{f"RegNet{k}{n}": "regnet" for k in "XY"
       for n in ("002", "004", "006", "008", "016", "032", "040", "064", "080", "120", "160", "320")},
    **{f"ResNetRS{d}": "resnet_rs" for d in (50, 101, 152, 200, 270, 350, 420)},
}
_MODULES = sorted(set(_MODELS.values()) | {"imagenet_utils", "resnet50"})


def __getattr__(name):
    if name in _MODELS:
        return getattr(importlib.import_module(f"{__name__}.{_MODELS[name]}"), name)
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'fastkeras.applications' has no attribute {name!r}")


def __dir__():
    return sorted(list(_MODELS) + _MODULES)


__all__ = sorted(_MODELS)
