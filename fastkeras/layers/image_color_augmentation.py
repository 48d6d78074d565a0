"""Keras 3's RandomColorJitter and RandomGaussianBlur: colour and blur augmentations built on the shared
augmentation base of ``image_preprocessing`` (inputs, ``training``, seeds and dtypes behave as there).

As in Keras 3, both are the identity in inference (``training=False``) and draw per image in training.
"""
from fastkeras import backend as K
from fastkeras.layers.image_preprocessing import (RandomHue, RandomSaturation, _factor_range, _ImageAugmentation,
                                                  _ops, _value_range)

__all__ = ["RandomColorJitter", "RandomGaussianBlur"]


class RandomColorJitter(_ImageAugmentation):
    """Applies, in this order and each only when its factor is given: a random brightness shift, a random
    contrast change, RandomSaturation and RandomHue, all in ``value_range``.

    ``brightness_factor`` (in [-1, 1]; a number ``f`` means ``[-f, f]``) adds ``u * (high - low)`` to each image;
    ``contrast_factor`` (in [0, 1]; a number ``f`` means ``[0, f]``, a pair ``(a, b)`` means ``[1 - a, 1 + b]``)
    scales each channel's distance to its mean by a draw from that range; both clip to ``value_range``.
    ``saturation_factor`` and ``hue_factor`` mean what RandomSaturation's and RandomHue's ``factor`` mean.
    The config keeps the factors as given, as Keras 3 does. Unlike Keras 3.15.1, whose contrast, saturation
    and hue steps ignore ``data_format``, all four steps follow it.
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None, saturation_factor=None,
                 hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.value_range = value_range
        self._range = _value_range(self.name, value_range)
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self._brightness = None if brightness_factor is None else _factor_range(
            self, brightness_factor, (-1, 1), "brightness_factor")
        self._contrast = None if contrast_factor is None else _factor_range(
            self, contrast_factor, (0, 1), "contrast_factor")
        # Saturation and hue are those layers' transforms, drawing from their own seed streams.
        self._saturation = None if saturation_factor is None else RandomSaturation(
            saturation_factor, value_range=value_range, seed=seed, data_format=data_format,
            name=f"{self.name}_saturation")
        self._hue = None if hue_factor is None else RandomHue(
            hue_factor, value_range=value_range, seed=seed, data_format=data_format, name=f"{self.name}_hue")

    def build(self, input_shape):
        for layer in (self._saturation, self._hue):
            if layer is not None:
                layer.build(input_shape)
        super().build(input_shape)

    def _transform(self, images):
        low, high = self._range
        per_image = (images.shape[0], 1, 1, 1)
        if self._brightness is not None:
            delta = self._uniform(per_image, *self._brightness) * (high - low)
            images = K.clip(images + delta, low, high)
        if self._contrast is not None:
            factor = self._uniform(per_image, 1.0 - self._contrast[0], 1.0 + self._contrast[1])
            spatial = (2, 3) if self.data_format == "channels_first" else (1, 2)
            mean = K.mean(images, axis=spatial, keepdims=True)
            images = K.clip((images - mean) * factor + mean, low, high)
        if self._saturation is not None:
            images = self._saturation._transform(images)
        if self._hue is not None:
            images = self._hue._transform(images)
        return images

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "brightness_factor": self.brightness_factor,
                       "contrast_factor": self.contrast_factor, "saturation_factor": self.saturation_factor,
                       "hue_factor": self.hue_factor, "seed": self.seed})
        return config


def _odd_kernel_size(layer_name, kernel_size):
    """Keras 3's kernel sizes: an odd number ``k`` means ``(k, k)``, a pair of odd numbers is (height, width)."""
    sizes = list(kernel_size) if isinstance(kernel_size, (tuple, list)) else [kernel_size, kernel_size]
    if len(sizes) != 2 or not all(isinstance(k, int) and not isinstance(k, bool) and k > 0 and k % 2 == 1
                                  for k in sizes):
        raise ValueError(f'Layer "{layer_name}" (RandomGaussianBlur): `kernel_size` should be an odd positive '
                         f"number or a pair of them. Received: kernel_size={kernel_size}")
    return tuple(sizes)


class RandomGaussianBlur(_ImageAugmentation):
    """Blurs each image, with a probability drawn from ``factor`` (in [0, 1]; a number ``f`` means ``[0, f]``),
    by a Gaussian kernel of ``kernel_size`` whose standard deviations along height and width are drawn once per
    call from ``sigma`` (in [0, 1]; a number ``s`` means ``[0, s]``); the result is clipped to ``value_range``."""

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (0, 1))
        self.kernel_size = _odd_kernel_size(self.name, kernel_size)
        self.sigma = _factor_range(self, sigma, (0, 1), "sigma")
        self.value_range = value_range
        self._range = _value_range(self.name, value_range)

    def _transform(self, images):
        batch = images.shape[0]
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        apply = self._uniform((batch,), 0.0, 1.0) < probability
        # One (height, width) pair of deviations per call, as Keras 3 draws it; the 1e-6 keeps them nonzero.
        sigma = self._uniform((2,), self.sigma[0], self.sigma[1]) + 1e-6
        blurred = _ops("image").gaussian_blur(images, kernel_size=self.kernel_size, sigma=(sigma[0], sigma[1]),
                                              data_format=self.data_format)
        images = K.where(K.reshape(apply, (batch, 1, 1, 1)), blurred, images)
        return K.clip(images, self._range[0], self._range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "kernel_size": self.kernel_size, "sigma": self.sigma,
                       "value_range": self.value_range, "seed": self.seed})
        return config
