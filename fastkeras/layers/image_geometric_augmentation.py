"""Keras 3's RandomShear, RandomPerspective and RandomElasticTransform: geometric augmentations built on the shared augmentation base of
``image_preprocessing`` (inputs, ``training``, seeds and dtypes behave as there); the identity in inference."""
from fastkeras import backend as K
from fastkeras.layers.image_preprocessing import _factor_range, _ImageAugmentation, _ops, _value_range

__all__ = ["RandomShear", "RandomPerspective", "RandomElasticTransform"]

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _shear_range(layer_name, factor, name):
    """A number ``f`` in [0, 1] means ``[-f, f]``; a pair is sorted. Keras 3.15.1 takes pairs in [0, 1] only, yet
    writes a number ``f`` into its config as ``(-f, f)``: pairs in [-1, 1] are accepted so that configs load."""
    pair = isinstance(factor, (tuple, list))
    values = list(factor) if pair else [factor]
    low = -1 if pair else 0
    if (pair and len(factor) != 2) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= 1 for v in values):
        raise ValueError(f'Layer "{layer_name}" (RandomShear): `{name}` should be a number in the range [0, 1] or '
                         f"a list of two numbers in [-1, 1]. Received: {name}={factor}")
    if pair:
        return tuple(sorted(factor))
    return -abs(factor), abs(factor)


class RandomShear(_ImageAugmentation):
    """Shears each image along x by ``sx`` and along y by ``sy``, drawn from ``x_factor`` and ``y_factor``, with
    one random sign per image shared by both: the output pixel (x, y) samples the input at
    ``(x + sx * y, sy * x + y)``. ``fill_mode`` (reflect, wrap, constant, nearest), ``fill_value`` and
    ``interpolation`` (nearest, bilinear) are those of ``keras.ops.image.affine_transform``."""

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.x_factor = _shear_range(self.name, x_factor, "x_factor")
        self.y_factor = _shear_range(self.name, y_factor, "y_factor")
        # Keras 3 raises NotImplementedError for these two; so does fastkeras, with the layer named.
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f'Layer "{self.name}" (RandomShear): unknown `fill_mode` {fill_mode!r}; '
                                      f"expected one of {_FILL_MODES}.")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f'Layer "{self.name}" (RandomShear): unknown `interpolation` '
                                      f"{interpolation!r}; expected one of {_INTERPOLATIONS}.")
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value

    def _transform(self, images):
        batch = images.shape[0]
        sign = K.where(self._uniform((batch,), 0.0, 1.0) > 0.5, -1.0, 1.0)
        shear_y = self._uniform((batch,), *self.y_factor) * sign
        shear_x = self._uniform((batch,), *self.x_factor) * sign
        ones, zeros = K.ones_like(shear_x), K.zeros_like(shear_x)
        transform = K.stack([ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros], axis=1)
        return _ops("image").affine_transform(images, transform, interpolation=self.interpolation,
                                              fill_mode=self.fill_mode, fill_value=self.fill_value,
                                              data_format=self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor, "fill_mode": self.fill_mode,
                       "interpolation": self.interpolation, "seed": self.seed, "fill_value": self.fill_value})
        return config


class RandomPerspective(_ImageAugmentation):
    """Warps each image, with a probability drawn from ``factor`` (in [0, 1]; a number ``f`` means ``[0, f]``),
    by the perspective transform that moves each corner ``p`` (the pixel centres (0, 0), (W-1, 0), (0, H-1),
    (W-1, H-1)) to ``p * (1 + d)``, ``d`` drawn per corner and coordinate from ``[-scale / 2, scale / 2]``; so the
    top-left corner stays, as in Keras 3. Pixels mapped from outside the image take ``fill_value``."""

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (0, 1))
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0 <= scale <= 1:
            raise ValueError(f'Layer "{self.name}" (RandomPerspective): `scale` should be a number in the range '
                             f"[0, 1]. Received: scale={scale}")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f'Layer "{self.name}" (RandomPerspective): unknown `interpolation` '
                                      f"{interpolation!r}; expected one of {_INTERPOLATIONS}.")
        self.scale = scale
        self.interpolation = interpolation
        self.fill_value = fill_value

    def _transform(self, images):
        batch = images.shape[0]
        height, width = (images.shape[2], images.shape[3]) if self.data_format == "channels_first" else \
            (images.shape[1], images.shape[2])
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        apply = self._uniform((batch,), 0.0, 1.0) < probability
        offsets = self._uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale)
        corners = K.cast(K.constant([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]]),
                         self.compute_dtype)
        start = K.repeat_elements(K.expand_dims(corners, 0), batch, axis=0)
        warped = _ops("image").perspective_transform(images, start, start + start * offsets,
                                                     interpolation=self.interpolation, fill_value=self.fill_value,
                                                     data_format=self.data_format)
        return K.where(K.reshape(apply, (batch, 1, 1, 1)), warped, images)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "interpolation": self.interpolation,
                       "fill_value": self.fill_value, "seed": self.seed})
        return config


class RandomElasticTransform(_ImageAugmentation):
    """Elastically distorts each image, with a probability drawn from ``factor`` (in [0, 1]; a number ``f``
    means ``[0, f]``), by ``keras.ops.image.elastic_transform`` with a strength ``d`` drawn once per call from
    ``scale`` (in [0, 1]; a number ``s`` means ``[0, s]``): ``alpha = 0.1 d max(H, W)``,
    ``sigma = 0.05 d min(H, W)``. The result is clipped to ``value_range``; with a zero upper ``factor`` or
    ``scale`` the images pass unchanged, as in Keras 3."""

    _FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.factor = _factor_range(self, factor, (0, 1))
        self.scale = _factor_range(self, scale, (0, 1), "scale")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f'Layer "{self.name}" (RandomElasticTransform): unknown `interpolation` '
                                      f"{interpolation!r}; expected one of {_INTERPOLATIONS}.")
        if fill_mode not in self._FILL_MODES:
            raise NotImplementedError(f'Layer "{self.name}" (RandomElasticTransform): unknown `fill_mode` '
                                      f"{fill_mode!r}; expected one of {self._FILL_MODES}.")
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range
        self._range = _value_range(self.name, value_range)

    def _transform(self, images):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return images
        batch = images.shape[0]
        height, width = (images.shape[2], images.shape[3]) if self.data_format == "channels_first" else \
            (images.shape[1], images.shape[2])
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        apply = self._uniform((batch,), 0.0, 1.0) < probability
        strength = float(self._uniform((), self.scale[0], self.scale[1]))
        warped = _ops("image").elastic_transform(
            images, alpha=max(height, width) * 0.1 * strength, sigma=min(height, width) * 0.05 * strength,
            interpolation=self.interpolation, fill_mode=self.fill_mode, fill_value=self.fill_value,
            seed=self._next_seed(), data_format=self.data_format)
        images = K.where(K.reshape(apply, (batch, 1, 1, 1)), warped, images)
        return K.clip(images, self._range[0], self._range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "interpolation": self.interpolation,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value, "value_range": self.value_range,
                       "seed": self.seed})
        return config
