"""ConvNeXt Tiny, Small, Base, Large and XLarge (Keras 2's ``keras.applications.convnext``).

Reference: [A ConvNet for the 2020s](https://arxiv.org/abs/2201.03545) (CVPR 2022).

The graph is tf-keras': its layer names and order, the nested Sequential stem and downsampling blocks, the
residual additions recorded as 'tf.__operators__.add' op layers, and ConvNeXt's own two layers, ``LayerScale``
and ``StochasticDepth``, saved under those bare class names with tf-keras' config keys (configs load back by
name, with no Python code in the file). Keras' published weight files therefore load with ``load_weights``.
The models take pixels in [0, 255]: with ``include_preprocessing`` (the default) a Normalization layer with the
ImageNet mean and variance comes first; ``preprocess_input`` is the identity.
"""
import numpy as np

from fastkeras import backend
from fastkeras import layers
from fastkeras.engine.base_layer import Layer

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"

# model name -> (sha256 of the file with the top, sha256 of the file without)
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}

# size -> (blocks per stage, channels per stage); every variant's default input is 224x224
MODEL_CONFIGS = {
    "tiny": ([3, 3, 9, 3], [96, 192, 384, 768]),
    "small": ([3, 3, 27, 3], [96, 192, 384, 768]),
    "base": ([3, 3, 27, 3], [128, 256, 512, 1024]),
    "large": ([3, 3, 27, 3], [192, 384, 768, 1536]),
    "xlarge": ([3, 3, 27, 3], [256, 512, 1024, 2048]),
}

_IMAGENET_MEAN = [0.485 * 255, 0.456 * 255, 0.406 * 255]
_IMAGENET_VARIANCE = [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2]


class StochasticDepth(Layer):
    """Drops the whole residual branch of a sample with probability ``drop_path_rate`` while training (and
    scales the kept ones by ``1 / (1 - drop_path_rate)``); the identity at inference.

    Shape: any ``(batch, ...)``; the output has the input's shape.
    """

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training or not self.drop_path_rate:
            return x
        keep = 1.0 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = backend.floor(keep + backend.random_uniform(shape, 0.0, 1.0, dtype=x.dtype))
        return x / keep * mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["drop_path_rate"] = self.drop_path_rate
        return config


class LayerScale(Layer):
    """Multiplies the last axis by a learned per-channel scale ``gamma`` (``projection_dim`` values, all
    ``init_values`` at first), as in CaiT (https://arxiv.org/abs/2103.17239).

    Shape: ``(batch, ..., projection_dim)``; the output has the input's shape.
    """

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        from fastkeras import initializers
        self.gamma = self.add_weight(name="gamma", shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values), trainable=True)
        super().build(input_shape)

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"init_values": self.init_values, "projection_dim": self.projection_dim})
        return config


def ConvNeXtBlock(projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6, name=None):  # noqa: N802
    """One ConvNeXt block as a function of its input: a 7x7 depthwise conv, LayerNormalization, a 4x wide
    pointwise MLP (Dense layers on the channel axis, GELU), the optional layer scale and stochastic depth,
    and the residual addition."""
    if name is None:
        name = "prestem" + str(backend.get_uid("prestem"))  # tf-keras' default prefix, odd as it is

    def apply(inputs):
        x = layers.Conv2D(projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                          name=name + "_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=name + "_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=name + "_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=name + "_gelu")(x)
        x = layers.Dense(projection_dim, name=name + "_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim, name=name + "_layer_scale")(x)
        if drop_path_rate:
            x = StochasticDepth(drop_path_rate, name=name + "_stochastic_depth")(x)
        else:
            x = layers.Activation("linear", name=name + "_identity")(x)
        return inputs + x  # a 'tf.__operators__.add' op layer, as in tf-keras

    return apply


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6, default_size=224,  # noqa: N802
             model_name="convnext", include_preprocessing=True, include_top=True, weights=None, input_tensor=None,
             input_shape=None, pooling=None, classes=1000, classifier_activation="softmax"):
    """A ConvNeXt with ``depths[i]`` blocks of ``projection_dims[i]`` channels in stage ``i`` (four stages),
    as tf-keras builds it. ``drop_path_rate``: the stochastic depth rate of the last block (rising linearly
    from 0); ``layer_scale_init_value``: LayerScale's initial value (None: no LayerScale)."""
    import os

    from fastkeras.applications import imagenet_utils
    from fastkeras.engine.sequential import Sequential
    from fastkeras.engine.training import Model

    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `imagenet` "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights` as `'imagenet'` with `include_top` as true, `classes` should be 1000")

    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=backend.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.model_input(input_tensor, input_shape)
    # tf-keras starts the graph at input_tensor's source Input, skipping the layers between them; here the
    # graph starts at input_tensor itself, as the other applications do (the same model for an Input)
    x = img_input

    if include_preprocessing:
        channel_axis = 3 if backend.image_data_format() == "channels_last" else 1
        if input_shape[channel_axis - 1] == 3:
            x = layers.Normalization(mean=_IMAGENET_MEAN, variance=_IMAGENET_VARIANCE,
                                     name=model_name + "_prestem_normalization")(x)

    stem = Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=model_name + "_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=model_name + "_stem_layernorm"),
    ], name=model_name + "_stem")
    downsampling = [stem] + [
        Sequential([
            layers.LayerNormalization(epsilon=1e-6, name=f"{model_name}_downsampling_layernorm_{i}"),
            layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2, name=f"{model_name}_downsampling_conv_{i}"),
        ], name=f"{model_name}_downsampling_block_{i}")
        for i in range(3)]

    drop_rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    done = 0
    for i in range(4):
        x = downsampling[i](x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(projection_dims[i], drop_path_rate=drop_rates[done + j],
                              layer_scale_init_value=layer_scale_init_value,
                              name=f"{model_name}_stage_{i}_block_{j}")(x)
        done += depths[i]

    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.GlobalAveragePooling2D(name=model_name + "_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=model_name + "_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation, name=model_name + "_head_dense")(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)

    model = Model(imagenet_utils.source_inputs(input_tensor, img_input), x, name=model_name)

    if weights == "imagenet":
        file_name = model_name + (".h5" if include_top else "_notop.h5")
        file_hash = WEIGHTS_HASHES[model_name][0 if include_top else 1]
        model.load_weights(imagenet_utils.fetch_weights(file_name, BASE_WEIGHTS_PATH + file_name, file_hash))
    elif weights is not None:
        model.load_weights(weights)
    return model


def _variant(size):
    depths, dims = MODEL_CONFIGS[size]
    title = {"xlarge": "XLarge"}.get(size, size.capitalize())

    def constructor(model_name=f"convnext_{size}", include_top=True, include_preprocessing=True,
                    weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
                    classifier_activation="softmax"):
        return ConvNeXt(depths, dims, drop_path_rate=0.0, layer_scale_init_value=1e-6, default_size=224,
                        model_name=model_name, include_top=include_top,
                        include_preprocessing=include_preprocessing, weights=weights, input_tensor=input_tensor,
                        input_shape=input_shape, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation)

    constructor.__name__ = constructor.__qualname__ = f"ConvNeXt{title}"
    constructor.__doc__ = (
        f"Instantiates the ConvNeXt{title} architecture ({depths} blocks of {dims} channels; default input "
        "224x224x3, at least 32x32; takes pixels in [0, 255]). Base, Large and XLarge's ImageNet weights were "
        "pre-trained on ImageNet-21k, then fine-tuned on ImageNet-1k.\n\n"
        "Arguments as tf-keras': ``model_name``, ``include_top``, ``include_preprocessing`` (the ImageNet "
        "Normalization layer first; keep it with the ImageNet weights), ``weights`` (None, 'imagenet' or a "
        "weight file's path), ``input_tensor``, ``input_shape``, ``pooling`` (without the top, a "
        "LayerNormalization follows the pooling, or the last stage when there is none), ``classes``, "
        "``classifier_activation``.")
    return constructor


ConvNeXtTiny = _variant("tiny")
ConvNeXtSmall = _variant("small")
ConvNeXtBase = _variant("base")
ConvNeXtLarge = _variant("large")
ConvNeXtXLarge = _variant("xlarge")


def preprocess_input(x, data_format=None):
    """The identity, kept for API compatibility: ConvNeXt models normalize their inputs themselves (they take
    pixels in [0, 255])."""
    return x


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet (class_id, name, score) tuples of each row of ``preds``."""
    from fastkeras.applications import imagenet_utils
    return imagenet_utils.decode_predictions(preds, top=top)


__all__ = ["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge", "LayerScale",
           "StochasticDepth", "preprocess_input", "decode_predictions"]
