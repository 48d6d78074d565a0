"""Layer configs to layers, through a table of the built-in classes and the caller's custom objects."""
from fastkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


def _builtin_layers():
    """Every Layer subclass exported by ``fastkeras.layers``, plus the model classes, by class name."""
    import fastkeras.layers as layers_module
    from fastkeras.engine.base_layer import Layer
    from fastkeras.engine.functional import Functional
    from fastkeras.engine.sequential import Sequential
    from fastkeras.engine.training import Model
    table = {name: obj for name, obj in vars(layers_module).items()
             if isinstance(obj, type) and issubclass(obj, Layer)}
    table.update({"Functional": Functional, "Model": Model, "Sequential": Sequential})
    from fastkeras.engine.op_layer import (  # K functions and metrics on symbolic tensors
        AddLoss, AddMetric, MetricCall, SlicingOpLambda, TFOpLambda)
    table.update({"TFOpLambda": TFOpLambda, "SlicingOpLambda": SlicingOpLambda, "AddLoss": AddLoss,
                  "AddMetric": AddMetric, "MetricCall": MetricCall})
    from fastkeras.engine.symbolic_layer_call import LayerCall  # layer.call(keras_tensor) of a weightless layer
    table["LayerCall"] = LayerCall
    # Built-in classes tf-keras keeps out of keras.layers (under keras.layers.experimental).
    from fastkeras.layers.experimental import RandomFourierFeatures, SyncBatchNormalization
    from fastkeras.layers.preprocessing import PreprocessingLayer
    table.update({"SyncBatchNormalization": SyncBatchNormalization, "PreprocessingLayer": PreprocessingLayer,
                  "RandomFourierFeatures": RandomFourierFeatures})
    # ConvNeXt's own layers: tf-keras saves them under their bare class names, so a saved ConvNeXt names them so
    from fastkeras.applications.convnext import LayerScale, StochasticDepth
    table.update({"LayerScale": LayerScale, "StochasticDepth": StochasticDepth})
    # Inception-ResNet v2's scale layer is no built-in: tf-keras registers it as 'Custom>CustomScaleLayer' and
    # writes it so. Importing its module registers it, so a saved model finds it without custom_objects.
    import fastkeras.applications.inception_resnet_v2  # noqa: F401
    return table


def get_builtin_layer(class_name):
    return _builtin_layers().get(class_name)


def serialize(layer, use_legacy_format=False):
    """A layer as tf-keras 2.13+ writes it (``module``, ``class_name``, ``config``, ``registered_name`` and, once
    built, ``build_config``); ``use_legacy_format=True``: Keras 2's ``{'class_name', 'config'}``."""
    if use_legacy_format:
        return serialize_keras_object(layer)
    from fastkeras.saving.model_config import serialize_layer
    return serialize_layer(layer)


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """A layer from ``{'class_name': ..., 'config': ...}`` (with or without ``module``/``registered_name``)."""
    return deserialize_keras_object(config, _builtin_layers(), custom_objects=custom_objects, kind="layer")
