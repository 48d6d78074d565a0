"""Keras 3's image augmentation layers that Keras 2 never had: RandomGrayscale, RandomInvert, Solarization,
AutoContrast, Equalization, RandomPosterization, RandomColorDegeneration, RandomSaturation, RandomHue,
RandomSharpness, RandomErasing, MixUp, CutMix, and Pipeline to chain layers.

Images are batches ``(batch, height, width, channels)`` (``channels_first``: ``(batch, channels, height,
width)``) or single images of rank 3, given alone or as ``{'images': ..., 'labels': ...}`` (MixUp and CutMix
mix the labels too; the other layers pass them through). As in Keras 3, ``call(inputs, training=True)``
augments unless ``training`` is False (``predict``, ``evaluate``), except AutoContrast, which always applies;
outputs are in the layer's compute dtype. Each draw is per image, from the layer's ``seed`` stream (or torch's
global generator without a seed); factors follow Keras 3's conventions (a number ``f`` means the range its
``_FACTOR_BOUNDS`` allow around it, a pair is sorted), including its quirks noted on each layer.
"""
import math

from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.layers.core import _SeedStream

__all__ = ["RandomGrayscale", "RandomInvert", "Solarization", "AutoContrast", "Equalization", "RandomPosterization",
           "RandomColorDegeneration", "RandomSaturation", "RandomHue", "RandomSharpness", "RandomErasing", "MixUp",
           "CutMix", "Pipeline"]


def _ops(group):
    # keras.ops and keras.random load on first use (importing them here would slow `import fastkeras`).
    import importlib
    return importlib.import_module("fastkeras.random" if group == "random" else f"fastkeras.ops.{group}")


def _value_range(layer_name, value_range, keep_order=False):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(f'Layer "{layer_name}": the `value_range` argument should be a list of two numbers. '
                         f"Received: value_range={value_range}")
    return value_range if keep_order else sorted(value_range)


def _factor_range(layer, factor, bounds, name="factor"):
    """Keras 3's factor convention: a pair within ``bounds`` (sorted), or a number ``f`` meaning
    ``(max(-|f|, bounds[0]), |f|)``."""
    message = (f'Layer "{layer.name}" ({type(layer).__name__}): the `{name}` argument should be a number (or a list '
               f"of two numbers) in the range [{bounds[0]}, {bounds[1]}]. Received: {name}={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        factor = abs(factor)
        return max(-factor, bounds[0]), factor
    raise ValueError(message)


def _to_range(images, source, target):
    """Images rescaled linearly from the value range ``source`` to ``target``."""
    if source[0] == target[0] and source[1] == target[1]:
        return images
    return (images - source[0]) / (source[1] - source[0]) * (target[1] - target[0]) + target[0]


class _ImageAugmentation(_SeedStream, Layer):
    """What the augmentation layers share: data format, seed stream, dict and single-image inputs, inference."""

    _applies_in_inference = False  # AutoContrast: a fixed transform, applied in inference too

    def __init__(self, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.seed = seed

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else -3

    def _uniform(self, shape, low, high):
        u = K.random_uniform(shape, 0.0, 1.0, dtype=self.compute_dtype, seed=self._next_seed())
        return low + (high - low) * u

    def build(self, input_shape):
        shape = input_shape["images"] if isinstance(input_shape, dict) else input_shape
        if len(tuple(shape)) not in (3, 4):
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) expects images of rank 4 (a batch) or 3 '
                             f"(one image); received an input of shape {tuple(shape)}.")
        self.built = True

    def call(self, inputs, training=True):
        labels = None
        if isinstance(inputs, dict):
            unknown = sorted(set(inputs) - {"images", "labels"})
            if "images" not in inputs or unknown:
                raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) takes images, or a dict with the keys '
                                 f"'images' and optionally 'labels'; received a dict with keys {sorted(inputs)}.")
            images, labels = inputs["images"], inputs.get("labels")
        else:
            images = inputs
        if images.ndim not in (3, 4):
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) expects images of rank 4 (a batch) or 3 '
                             f"(one image); received images of shape {tuple(images.shape)}.")
        if K.dtype(images) != self.compute_dtype:
            images = K.cast(images, self.compute_dtype)
        single = images.ndim == 3
        if single:
            images = K.expand_dims(images, 0)
            labels = None if labels is None else K.expand_dims(labels, 0)
        if (training is None or training) or self._applies_in_inference:
            images, labels = self._augment(images, labels)
        if single:
            images = K.squeeze(images, 0)
            labels = None if labels is None else K.squeeze(labels, 0)
        if isinstance(inputs, dict):
            return dict(inputs, images=images, **({} if labels is None else {"labels": labels}))
        return images

    def _augment(self, images, labels):
        return self._transform(images), labels

    def _transform(self, images):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class RandomGrayscale(_ImageAugmentation):
    """Turns each image to grayscale (kept with all its channels) with probability ``factor``."""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
            raise ValueError(f'Layer "{self.name}" (RandomGrayscale): `factor` should be between 0 and 1. '
                             f"Received: factor={factor}")
        self.factor = factor

    def _transform(self, images):
        apply = self._uniform((images.shape[0], 1, 1, 1), 0.0, 1.0) < self.factor
        gray = _ops("image").rgb_to_grayscale(images, data_format=self.data_format)
        return K.where(apply, gray, images)

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor  # Keras 3 writes no seed for this layer
        return config


class RandomInvert(_ImageAugmentation):
    """Inverts each image (``value_range[1] - x``) with a probability drawn from ``factor`` (in [0, 1]; a
    number ``f`` means a probability drawn from [0, f], so ``(1.0, 1.0)`` inverts every image)."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (0, 1))
        self.value_range = _value_range(self.name, value_range, keep_order=True)

    def _transform(self, images):
        batch = images.shape[0]
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        apply = self._uniform((batch,), 0.0, 1.0) < probability
        return K.where(K.reshape(apply, (batch, 1, 1, 1)), self.value_range[1] - images, images)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class Solarization(_ImageAugmentation):
    """Adds a random amount to each image (on the 0-255 scale, clipped), then inverts the pixels at or above a
    random threshold. As in Keras 3, the amounts and thresholds are drawn from ``[lower, upper * 255]`` of
    ``addition_factor`` and ``threshold_factor`` (numbers ``f`` in [0, 1] mean ``(0, f)``): a threshold factor of
    0 inverts every pixel."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = self._unit_factor(addition_factor, "addition_factor")
        self.threshold_factor = self._unit_factor(threshold_factor, "threshold_factor")
        self.value_range = _value_range(self.name, value_range)

    def _unit_factor(self, factor, name):
        values = factor if isinstance(factor, (tuple, list)) else [factor]
        if isinstance(factor, (tuple, list)) and len(factor) != 2 or not all(
                isinstance(v, (int, float)) and 0 <= v <= 1 for v in values):
            raise ValueError(f'Layer "{self.name}" (Solarization): the `addition_factor` and `threshold_factor` '
                             "arguments should be a number (or a list of two numbers) in the range [0, 1]. "
                             f"Received: {name}={factor}")
        return tuple(sorted(factor)) if isinstance(factor, (tuple, list)) else (0, factor)

    def _transform(self, images):
        shape = (images.shape[0], 1, 1, 1)
        additions = self._uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255)
        thresholds = self._uniform(shape, self.threshold_factor[0], self.threshold_factor[1] * 255)
        results = K.clip(_to_range(images, self.value_range, (0, 255)) + additions, 0.0, 255.0)
        results = K.where(results < thresholds, results, 255.0 - results)
        return _to_range(results, (0, 255), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "addition_factor": self.addition_factor,
                       "threshold_factor": self.threshold_factor, "seed": self.seed})
        return config


class AutoContrast(_ImageAugmentation):
    """Stretches each image's values to the full ``value_range`` (per image, per position along the last axis;
    an image whose values along the stretched axes are all equal is left unchanged). Applied in inference too,
    as in Keras 3; the min and max are taken over axes 1 and 2 of the batch whatever ``data_format``, as Keras 3
    does."""

    _applies_in_inference = True

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = _value_range(self.name, value_range)

    def _transform(self, images):
        scaled = _to_range(images, self.value_range, (0, 255))
        low = K.min(scaled, axis=(1, 2), keepdims=True)
        high = K.max(scaled, axis=(1, 2), keepdims=True)
        scale = 255.0 / (high - low)
        results = K.clip(scaled * scale + (-low * scale), 0.0, 255.0)
        results = _to_range(results, (0, 255), self.value_range)
        return K.where(results != results, images, results)  # 0 * inf for a flat image: keep it

    def get_config(self):
        config = super().get_config()
        config["value_range"] = self.value_range
        return config


class Equalization(_ImageAugmentation):
    """Histogram equalization of each channel, with ``bins`` bins on the 0-255 scale. As in Keras 3, a
    channel's histogram is taken over the whole batch, and a channel whose values fall in one bin is left
    unchanged."""

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self.value_range = _value_range(self.name, value_range)

    def _transform(self, images):
        bins = self.bins
        channels_last = self.data_format == "channels_last"
        x = images if channels_last else K.permute_dimensions(images, (0, 2, 3, 1))
        x = _to_range(x, self.value_range, (0, 255))
        channels = int(x.shape[-1])
        # Histograms of every channel at once: bin indices offset by channel, counted in one bincount.
        index = K.clip(K.cast(x * (bins - 1) / 255.0, "int32"), 0, bins - 1)
        offsets = K.reshape(K.arange(0, channels, dtype="int32") * bins, (1, 1, 1, channels))
        hist = _ops("numpy").bincount(K.reshape(index + offsets, (-1,)), minlength=channels * bins)
        hist = K.reshape(hist, (channels, bins))
        cdf = K.cumsum(hist, axis=1)
        # The first non-zero entry of a non-decreasing cdf is its smallest positive one.
        big = K.cast(K.constant(2 ** 62), K.dtype(cdf))
        cdf_min = K.min(K.where(cdf > 0, cdf, big), axis=1, keepdims=True)
        denominator = cdf[:, -1:] - cdf_min
        denominator = K.where(denominator == 0, K.ones_like(denominator), denominator)
        table = K.clip(K.round(K.cast(cdf - cdf_min, "float32") * 255.0 / K.cast(denominator, "float32")), 0, 255)
        lookup = K.clip(K.cast(K.clip(x / 255.0 * (bins - 1), 0.0, bins - 1.0), "int32"), 0, bins - 1)
        flat_table = K.reshape(table, (-1,))
        equalized = K.gather(flat_table, lookup + offsets)
        flat_channel = K.reshape(K.sum(K.cast(hist > 0, "int32"), axis=1) <= 1, (1, 1, 1, channels))
        out = K.cast(K.where(flat_channel, x, equalized), self.compute_dtype)
        out = _to_range(out, (0, 255), self.value_range)
        return out if channels_last else K.permute_dimensions(out, (0, 3, 1, 2))

    def get_config(self):
        config = super().get_config()
        config.update({"bins": self.bins, "value_range": self.value_range})
        return config


class RandomPosterization(_ImageAugmentation):
    """Keeps the ``b`` high bits of each 8-bit value, ``b`` drawn per image from ``factor`` in [1, 8] (an
    integer ``f`` means ``[1, f)``, the upper end excluded as Keras 3 draws it; a pair of equal values fixes
    ``b``)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (1, 8))
        self.value_range = _value_range(self.name, value_range)

    def _transform(self, images):
        batch = images.shape[0]
        low, high = self.factor
        if low != high:
            bits = _ops("random").randint((batch,), low, high, dtype="int32", seed=self._next_seed())
        else:
            bits = K.cast(K.ones((batch,)) * low, "int32")
        shift = K.cast(K.reshape(8 - bits, (batch, 1, 1, 1)), "uint8")
        values = K.cast(_to_range(images, self.value_range, (0, 255)), "uint8")
        numpy = _ops("numpy")
        values = numpy.left_shift(numpy.right_shift(values, shift), shift)
        return _to_range(K.cast(values, self.compute_dtype), (0, 255), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class _ThreeChannels(_ImageAugmentation):
    def build(self, input_shape):
        super().build(input_shape)
        shape = tuple(input_shape["images"] if isinstance(input_shape, dict) else input_shape)
        channels = shape[self._channel_axis]
        if channels is not None and channels != 3:
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) expects RGB images with 3 channels '
                             f"({self.data_format}); received images of shape {shape}.")


class RandomColorDegeneration(_ThreeChannels):
    """Blends each image toward its grayscale version by a factor drawn from ``factor`` (in [-1, 1]; a number
    ``f`` means ``[-f, f]``, and a negative factor moves away from gray), clipped to ``value_range``."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (-1, 1))
        self.value_range = _value_range(self.name, value_range)

    def _transform(self, images):
        factor = self._uniform((images.shape[0], 1, 1, 1), self.factor[0], self.factor[1])
        gray = _ops("image").rgb_to_grayscale(images, data_format=self.data_format)
        return K.clip(images + factor * (gray - images), self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class RandomSaturation(_ThreeChannels):
    """Multiplies each image's saturation (in HSV) by ``u / (1 - u + epsilon)``, ``u`` drawn from ``factor``
    (in [-1, 1]; a number ``f`` means ``[-f, f]``): 0 gives grayscale, 0.5 keeps the image, 1 saturates fully.
    The scaled saturation is clipped to ``value_range``, as Keras 3 does."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (-1, 1))
        self.value_range = _value_range(self.name, value_range)

    def _transform(self, images):
        u = self._uniform((images.shape[0], 1, 1), self.factor[0], self.factor[1])
        factor = u / (1.0 - u + K.epsilon())
        image_ops = _ops("image")
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        axis = self._channel_axis
        h, s, v = (K.squeeze(t, axis) for t in _split3(hsv, axis))
        s = K.clip(s * factor, self.value_range[0], self.value_range[1])
        return image_ops.hsv_to_rgb(K.stack([h, s, v], axis=axis), data_format=self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


def _split3(x, axis):
    if axis == -1:
        return x[..., 0:1], x[..., 1:2], x[..., 2:3]
    return x[:, 0:1], x[:, 1:2], x[:, 2:3]


class RandomHue(_ThreeChannels):
    """Shifts each image's hue by ``±u / 2`` (a random sign, ``u`` drawn from ``factor`` in [0, 1]; a number
    ``f`` means ``[0, f]``), wrapping around; ``factor=1`` turns every hue half way round."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (0, 1))
        self.value_range = _value_range(self.name, value_range, keep_order=True)

    def _transform(self, images):
        batch = images.shape[0]
        sign = K.where(self._uniform((batch,), 0.0, 1.0) > 0.5, -1.0, 1.0)
        shift = K.reshape(sign * self._uniform((batch,), self.factor[0], self.factor[1]) * 0.5, (batch, 1, 1))
        image_ops = _ops("image")
        hsv = image_ops.rgb_to_hsv(_to_range(images, self.value_range, (0, 1)), data_format=self.data_format)
        axis = self._channel_axis
        h, s, v = (K.squeeze(t, axis) for t in _split3(hsv, axis))
        h = h + shift
        h = K.where(h > 1.0, h - 1.0, h)
        h = K.where(h < 0.0, h + 1.0, h)
        rgb = image_ops.hsv_to_rgb(K.stack([h, s, v], axis=axis), data_format=self.data_format)
        return _to_range(K.clip(rgb, 0.0, 1.0), (0, 1), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class RandomSharpness(_ImageAugmentation):
    """Blends each image with a 3x3 smoothed copy (zero-padded at the borders): ``x + (1 - 2u) * (smooth - x)``,
    ``u`` drawn from ``factor`` (in [0, 1]; a number ``f`` means ``[0, f]``); 0.5 keeps the image, more sharpens.
    Clipped to ``value_range``."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (0, 1))
        self.value_range = _value_range(self.name, value_range)

    def _transform(self, images):
        sharpness = K.reshape(self._uniform((images.shape[0],), self.factor[0], self.factor[1]) * 2.0,
                              (-1, 1, 1, 1))
        channels = int(images.shape[self._channel_axis])
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = K.constant([[a, a, a], [a, b, a], [a, a, a]], dtype=self.compute_dtype)
        kernel = K.tile(K.reshape(kernel, (3, 3, 1, 1)), (1, 1, channels, 1))
        smooth = _ops("nn").depthwise_conv(images, kernel, strides=1, padding="same", data_format=self.data_format)
        return K.clip(images + (1.0 - sharpness) * (smooth - images), self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


def _boxes(layer, batch, height, width, x_ratio, y_ratio):
    """Masks ``(batch, H, W, 1)`` (channels_first ``(batch, 1, H, W)``) of random boxes whose sides are
    ``x_ratio * width`` and ``y_ratio * height``, and the boxes' areas as fractions of the image."""
    def bounds(length, ratio):
        size = ratio * length
        start = layer._uniform((batch,), 0.0, 1.0) * (length - size)
        return start, start + size
    x0, x1 = bounds(float(width), x_ratio)
    y0, y1 = bounds(float(height), y_ratio)
    xs = K.reshape(K.arange(0, width, dtype=layer.compute_dtype), (1, 1, width))
    ys = K.reshape(K.arange(0, height, dtype=layer.compute_dtype), (1, height, 1))
    col = lambda t: K.reshape(t, (batch, 1, 1))  # noqa: E731
    inside = (xs >= col(x0)) & (xs < col(x1)) & (ys >= col(y0)) & (ys < col(y1))
    mask = K.expand_dims(inside, -1 if layer.data_format == "channels_last" else 1)
    return mask, (x1 - x0) * (y1 - y0) / float(width * height)


class RandomErasing(_ImageAugmentation):
    """Fills a random box of each image with ``fill_value`` (a number, three per-channel numbers, or None for
    Gaussian noise times ``value_range[1]``), clipped to ``value_range``. The box's sides are
    ``sqrt(s) * height`` and ``sqrt(s') * width``, ``s, s'`` drawn from ``scale``; an image is erased with a
    probability drawn from ``factor`` (in [0, 1]; a number ``f`` means ``[0, f]``)."""

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (0, 1))
        self.scale = _factor_range(self, scale, (0, 1), name="scale")
        if fill_value is not None and not (isinstance(fill_value, (int, float)) or (
                isinstance(fill_value, (tuple, list)) and len(fill_value) == 3)):
            raise ValueError(f'Layer "{self.name}" (RandomErasing): the `fill_value` argument should be a number '
                             f"(or a list of three numbers). Received: fill_value={fill_value}")
        self.fill_value = fill_value
        self.value_range = _value_range(self.name, value_range, keep_order=True)

    def _transform(self, images):
        batch = int(images.shape[0])
        height_axis, width_axis = (1, 2) if self.data_format == "channels_last" else (2, 3)
        height, width = int(images.shape[height_axis]), int(images.shape[width_axis])
        ratios = K.sqrt(self._uniform((batch, 2), self.scale[0], self.scale[1]))
        mask, _ = _boxes(self, batch, height, width, ratios[:, 0], ratios[:, 1])
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        apply = K.reshape(self._uniform((batch,), 0.0, 1.0) < probability, (batch, 1, 1, 1))
        if self.fill_value is None:
            fill = K.random_normal(tuple(images.shape), dtype=self.compute_dtype, seed=self._next_seed()) * \
                self.value_range[1]
        else:
            fill = K.ones_like(images) * K.constant(self.fill_value, dtype=self.compute_dtype)
        fill = K.clip(fill, self.value_range[0], self.value_range[1])
        return K.where(apply & mask, fill, images)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                       "value_range": self.value_range, "seed": self.seed})
        return config


class MixUp(_ImageAugmentation):
    """MixUp (Zhang et al., 2018): each image (and label) becomes ``w * x + (1 - w) * x[j]`` with another of the
    batch (a random permutation) and ``w ~ Beta(alpha, alpha)`` drawn per image."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.alpha = alpha

    def _augment(self, images, labels):
        batch = int(images.shape[0])
        random = _ops("random")
        order = random.shuffle(K.arange(0, batch, dtype="int64"), seed=self._next_seed())
        weight = random.beta((batch,), self.alpha, self.alpha, dtype=self.compute_dtype, seed=self._next_seed())
        images = K.reshape(weight, (batch, 1, 1, 1)) * images + \
            K.reshape(1.0 - weight, (batch, 1, 1, 1)) * K.gather(images, order)
        if labels is not None:
            labels = K.cast(labels, self.compute_dtype)
            labels = K.reshape(weight, (batch, 1)) * labels + K.reshape(1.0 - weight, (batch, 1)) * \
                K.gather(labels, order)
        return images, labels

    def get_config(self):
        config = super().get_config()
        config.update({"alpha": self.alpha, "seed": self.seed})
        return config


class CutMix(_ImageAugmentation):
    """CutMix (Yun et al., 2019): a random box of each image is replaced by the same box of another image of the
    batch, and labels are mixed by the box's area. The box covers ``1 - w`` of the image (sides scaled by
    ``sqrt(1 - w)``), ``w ~ Beta(a, a)``, ``a`` drawn once per call from ``factor`` (in [0, 1]; a number ``f``
    means ``[0, f]``). A single unbatched image is left unchanged, as in Keras 3."""

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (0, 1))

    def call(self, inputs, training=True):
        images = inputs["images"] if isinstance(inputs, dict) else inputs
        if getattr(images, "ndim", 4) == 3:
            training = False  # nothing to mix a single image with
        return super().call(inputs, training=training)

    def _augment(self, images, labels):
        batch = int(images.shape[0])
        height_axis, width_axis = (1, 2) if self.data_format == "channels_last" else (2, 3)
        height, width = int(images.shape[height_axis]), int(images.shape[width_axis])
        random = _ops("random")
        alpha = float(self._uniform((), self.factor[0], self.factor[1])) + 1e-6
        weight = random.beta((batch,), alpha, alpha, dtype=self.compute_dtype, seed=self._next_seed())
        ratio = K.sqrt(1.0 - weight)
        mask, area = _boxes(self, batch, height, width, ratio, ratio)
        order = random.shuffle(K.arange(0, batch, dtype="int64"), seed=self._next_seed())
        images = K.where(mask, K.gather(images, order), images)
        if labels is not None:
            kept = K.reshape(1.0 - area, (batch, 1))
            labels = K.cast(labels, self.compute_dtype)
            labels = kept * labels + (1.0 - kept) * K.gather(labels, order)
        return images, labels

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "seed": self.seed})
        return config


class Pipeline(Layer):
    """Applies ``layers`` one after another (passing ``training`` on to each), as ``keras.layers.Pipeline``:
    unlike a Sequential model it is a layer, so it can sit in a data pipeline or a model, and its config is
    ``{'layers': [...], 'name': ...}``."""

    def __init__(self, layers, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        layers = list(layers)
        for layer in layers:
            if not isinstance(layer, Layer):
                raise TypeError(f'Pipeline "{self.name}" takes a list of layers; received {layer!r}.')
        self._pipeline_layers = layers
        self._tracked_layers.extend(layers)

    @property
    def layers(self):
        return self._pipeline_layers

    def call(self, inputs, training=True):
        for layer in self._pipeline_layers:
            inputs = layer(inputs, training=training)
        return inputs

    def get_config(self):
        from fastkeras.layers.serialization import serialize
        return {"layers": [serialize(layer) for layer in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config):
        from fastkeras.layers.serialization import deserialize
        config = dict(config)
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("A Pipeline config must hold a `layers` list of serialized layers; received "
                             f"layers={layers!r}.")
        config["layers"] = [deserialize(entry) for entry in layers]
        return cls(**config)
