"""Keras 3's augmentation policies RandAugment and AugMix: random compositions of eleven image operations
(shear, translation, rotation, brightness, colour degeneration, contrast, sharpness, posterization, solarization,
auto-contrast, equalization), all of strength ``factor``, as Keras 3 builds them.

Both are the identity in inference. The operations follow Keras 3's layers of the same names (translation and
rotation as fractions of the image size and of a full turn, with reflected borders; contrast and brightness
clipped to ``value_range``); which operations run is drawn from the layer's seed stream.
"""
import math

from fastkeras import backend as K
from fastkeras.layers.image_color_augmentation import RandomColorJitter
from fastkeras.layers.image_geometric_augmentation import RandomShear
from fastkeras.layers.image_preprocessing import (AutoContrast, Equalization, RandomColorDegeneration,
                                                  RandomPosterization, RandomSharpness, Solarization, _factor_range,
                                                  _ImageAugmentation, _ops, _value_range)

__all__ = ["RandAugment", "AugMix"]

_ALL_OPERATIONS = ("shear", "translation", "rotation", "brightness", "color_degeneration", "contrast", "sharpness",
                   "posterization", "solarization", "auto_contrast", "equalization")
# AugMix without all_ops leaves out the operations that overlap the test-time corruptions of its paper.
_AUGMIX_GEOMETRIC_AND_TONAL = ("shear", "translation", "rotation", "posterization", "solarization", "auto_contrast",
                               "equalization")


class _Operations:
    """The eleven operations at one strength, each a function of a batch of images."""

    def __init__(self, owner, factor, value_range, interpolation):
        self.owner = owner
        self.factor = factor
        self.interpolation = interpolation
        common = dict(data_format=owner.data_format, seed=owner.seed)
        # Sub-layers hold the operations Keras 3 has as layers of the same meaning; they draw from their own
        # seed streams (the owner's seed, as Keras 3 gives them).
        self.layers = {
            "shear": RandomShear(factor, factor, interpolation=interpolation, **common),
            "color_degeneration": RandomColorDegeneration(factor, value_range=value_range, **common),
            "sharpness": RandomSharpness(factor, value_range=value_range, **common),
            "posterization": RandomPosterization(max(1, int(8 * factor[1])), value_range=value_range, **common),
            "solarization": Solarization(factor, factor, value_range=value_range, **common),
            "auto_contrast": AutoContrast(value_range=value_range, data_format=owner.data_format),
            "equalization": Equalization(value_range=value_range, data_format=owner.data_format),
            # brightness and contrast with Keras 3's clipping to value_range
            "brightness": RandomColorJitter(value_range, brightness_factor=factor, **common),
            "contrast": RandomColorJitter(value_range, contrast_factor=factor, **common),
        }

    def build(self, input_shape):
        for layer in self.layers.values():
            layer.build(input_shape)

    def apply(self, name, images):
        if name == "translation":
            return self._translate(images)
        if name == "rotation":
            return self._rotate(images)
        return self.layers[name]._transform(images)

    def _size(self, images):
        if self.owner.data_format == "channels_first":
            return images.shape[2], images.shape[3]
        return images.shape[1], images.shape[2]

    def _warp(self, images, transform):
        return _ops("image").affine_transform(images, transform, interpolation=self.interpolation,
                                              fill_mode="reflect", data_format=self.owner.data_format)

    def _translate(self, images):
        batch = images.shape[0]
        height, width = self._size(images)
        dy = self.owner._uniform((batch,), -self.factor[1], self.factor[1]) * height
        dx = self.owner._uniform((batch,), -self.factor[1], self.factor[1]) * width
        ones, zeros = K.ones_like(dx), K.zeros_like(dx)
        return self._warp(images, K.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1))

    def _rotate(self, images):
        batch = images.shape[0]
        height, width = self._size(images)
        angles = self.owner._uniform((batch,), -self.factor[1], self.factor[1]) * (2.0 * math.pi)
        cos, sin = K.cos(angles), K.sin(angles)
        x_offset = ((width - 1) - (cos * (width - 1) - sin * (height - 1))) / 2.0
        y_offset = ((height - 1) - (sin * (width - 1) + cos * (height - 1))) / 2.0
        zeros = K.zeros_like(angles)
        return self._warp(images, K.stack([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros], axis=1))


class _Policy(_ImageAugmentation):
    def __init__(self, value_range, factor, interpolation, seed, data_format, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.value_range = value_range
        self._range = _value_range(self.name, value_range)
        self.factor = _factor_range(self, factor, (0, 1))
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): `interpolation` should be \'nearest\' or '
                             f"'bilinear'. Received: interpolation={interpolation!r}")
        self.interpolation = interpolation
        self._operations = _Operations(self, self.factor, value_range, interpolation)

    def build(self, input_shape):
        self._operations.build(input_shape)
        super().build(input_shape)

    def _choose(self, count):
        """An index in [0, count) from the layer's seed stream."""
        return min(int(float(self._uniform((), 0.0, 1.0)) * count), count - 1)


class RandAugment(_Policy):
    """Applies ``num_ops`` operations in a row, each drawn (for the whole batch, per call) from the eleven."""

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(value_range, factor, interpolation, seed, data_format, **kwargs)
        if not isinstance(num_ops, int) or isinstance(num_ops, bool) or num_ops < 0:
            raise ValueError(f'Layer "{self.name}" (RandAugment): `num_ops` should be a non-negative integer. '
                             f"Received: num_ops={num_ops!r}")
        self.num_ops = num_ops

    def _transform(self, images):
        for _ in range(self.num_ops):
            images = self._operations.apply(_ALL_OPERATIONS[self._choose(len(_ALL_OPERATIONS))], images)
        return images

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_ops": self.num_ops, "factor": self.factor,
                       "interpolation": self.interpolation, "seed": self.seed})
        return config


class AugMix(_Policy):
    """Mixes ``num_chains`` augmented copies of each batch, each made by up to ``chain_depth`` operations (each
    step draws one of the operations or nothing), with Dirichlet(``alpha``) weights, then blends the mix with the
    original images by a Beta(``alpha``, ``alpha``) weight and clips to ``value_range``. ``all_ops=False``
    leaves out brightness, colour degeneration, contrast and sharpness."""

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0, all_ops=True,
                 interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(value_range, factor, interpolation, seed, data_format, **kwargs)
        for name, value in (("num_chains", num_chains), ("chain_depth", chain_depth)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f'Layer "{self.name}" (AugMix): `{name}` should be a non-negative integer. '
                                 f"Received: {name}={value!r}")
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops
        self._choices = _ALL_OPERATIONS if all_ops else _AUGMIX_GEOMETRIC_AND_TONAL

    def _transform(self, images):
        random = _ops("random")
        gammas = random.gamma((self.num_chains,), self.alpha, dtype=self.compute_dtype, seed=self._next_seed())
        chain_weights = gammas / K.sum(gammas)
        keep = random.beta((), self.alpha, self.alpha, dtype=self.compute_dtype, seed=self._next_seed())
        mixed = K.zeros_like(images)
        for chain in range(self.num_chains):
            augmented = images
            for _ in range(self.chain_depth):
                choice = self._choose(len(self._choices) + 1)  # the last choice is "no operation"
                if choice < len(self._choices):
                    augmented = self._operations.apply(self._choices[choice], augmented)
            mixed = mixed + augmented * chain_weights[chain]
        images = keep * images + (1.0 - keep) * mixed
        return K.clip(images, self._range[0], self._range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_chains": self.num_chains,
                       "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha,
                       "all_ops": self.all_ops, "interpolation": self.interpolation, "seed": self.seed})
        return config
