"""Keras 2's preprocessing layers that work on tensors inside a model (rescaling, resizing, cropping,
normalization, image augmentation).

Images are channels_last, ``(batch, height, width, channels)`` or one unbatched ``(height, width, channels)``, as
in tf-keras (whose image layers take no ``data_format``). Resizing follows ``tf.image.resize`` (half-pixel centers,
no antialiasing): each method is a linear map along the height and along the width, so it runs as two small
matrix products whose coefficients are TensorFlow's. The augmentation layers' rotations, zooms and translations
follow TensorFlow's ``ImageProjectiveTransformV3`` (fill modes reflect/wrap/constant/nearest, nearest or bilinear
sampling). Random layers are identity at inference (RandomCrop resizes), and random when ``training`` is true or
not given, as tf-keras' ``call(inputs, training=True)`` default makes them.
"""
import functools
import math

import numpy as np

from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.layers.core import _SeedStream

__all__ = [
    "Rescaling", "Resizing", "CenterCrop", "Normalization",
    "RandomFlip", "RandomCrop", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
    "RandomBrightness", "RandomHeight", "RandomWidth",
]

H_AXIS, W_AXIS = -3, -2
_RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area")
_TF_ONLY_METHODS = ("lanczos3", "lanczos5", "gaussian", "mitchellcubic")
_FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _check_interpolation(layer_name, interpolation, allowed=_RESIZE_METHODS):
    if interpolation in allowed:
        return interpolation
    if interpolation in _TF_ONLY_METHODS:
        raise NotImplementedError(f'Layer "{layer_name}": interpolation {interpolation!r} is not supported by '
                                  f"fastkeras (supported: {', '.join(allowed)}).")
    raise ValueError(f'Layer "{layer_name}": value not recognized for `interpolation`: {interpolation!r}. '
                     f"Supported values are: {', '.join(allowed + _TF_ONLY_METHODS)}.")


def _check_image_shape(layer, input_shape):
    shape = tuple(input_shape)
    if len(shape) not in (3, 4):
        raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}) expects images of rank 4 (batch, height, '
                         "width, channels) or rank 3 (height, width, channels), channels_last. Received an input "
                         f"of shape {shape}.")


def _float_input(layer, inputs, dtype=None):
    if isinstance(inputs, dict):
        raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}) can only process a tensor representing an '
                         "image or a batch of images. Received: type(inputs)=dict.")
    dtype = dtype or layer.compute_dtype
    return inputs if K.dtype(inputs) == dtype else K.cast(inputs, dtype)


# ---- resizing as two linear maps (tf.image.resize, antialias=False) ------------------------------------------

def _bicubic_table():
    # TensorFlow's Keys cubic (a = -0.5) coefficients, tabulated at 1/1024 steps as resize_bicubic_op.cc does.
    a = -0.5
    size = 1024
    x = np.arange(size + 1, dtype=np.float64) / size
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    x1 = x + 1.0
    far = ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a
    return near.astype(np.float32), far.astype(np.float32)


@functools.lru_cache(maxsize=256)
def resize_matrix(in_size, out_size, method):
    """The (out_size, in_size) matrix of TensorFlow's 1-D resize of ``method`` along one axis."""
    matrix = np.zeros((out_size, in_size), np.float64)
    scale = np.float32(in_size) / np.float32(out_size)
    out = np.arange(out_size, dtype=np.float32)
    rows = np.arange(out_size)
    if method == "nearest":
        src = np.floor((out + np.float32(0.5)) * scale).astype(np.int64)
        matrix[rows, np.clip(src, 0, in_size - 1)] = 1.0
    elif method == "bilinear":
        src = (out + np.float32(0.5)) * scale - np.float32(0.5)
        floor = np.floor(src)
        lower = np.maximum(floor.astype(np.int64), 0)
        upper = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
        lerp = (src - floor).astype(np.float64)
        np.add.at(matrix, (rows, lower), 1.0 - lerp)
        np.add.at(matrix, (rows, upper), lerp)
    elif method == "bicubic":
        near, far = _bicubic_table()
        src = (out + np.float32(0.5)) * scale - np.float32(0.5)
        base = np.floor(src).astype(np.int64)
        offset = np.rint((src - np.floor(src)) * np.float32(1024)).astype(np.int64)
        weights = np.stack([far[offset], near[offset], near[1024 - offset], far[1024 - offset]], 1)
        index = base[:, None] + np.arange(-1, 3)[None, :]
        weights = np.where((index >= 0) & (index < in_size), weights, np.float32(0)).astype(np.float32)
        total = weights.sum(1, dtype=np.float32)
        weights = weights * (np.float32(1) / total)[:, None]
        np.add.at(matrix, (np.repeat(rows, 4), np.clip(index, 0, in_size - 1).ravel()), weights.ravel())
    elif method == "area":
        for o in range(out_size):
            start, end = o * scale, (o + 1) * scale
            for i in range(int(math.floor(start)), int(math.ceil(end))):
                if i < start:
                    weight = scale if i + 1 > end else i + 1 - start
                else:
                    weight = end - i if i + 1 > end else 1.0
                matrix[o, min(max(i, 0), in_size - 1)] += weight / scale
    else:
        raise ValueError(f"Unknown resize method {method!r}.")
    return matrix.astype(np.float32)


def resize_images(images, height, width, method="bilinear"):
    """``tf.image.resize(images, (height, width), method)`` for (..., H, W, C) float images."""
    in_h, in_w, channels = (int(d) for d in images.shape[-3:])
    lead = tuple(images.shape[:-3])
    if (in_h, in_w) == (height, width) and method != "area":
        return images
    dtype = K.dtype(images)
    x = images
    if in_h != height or method == "area":
        rows = K.constant(resize_matrix(in_h, height, method), dtype=dtype)
        x = K.reshape(K.matmul(rows, K.reshape(x, lead + (in_h, in_w * channels))), lead + (height, in_w, channels))
    if in_w != width or method == "area":
        cols = K.constant(resize_matrix(in_w, width, method), dtype=dtype)
        x = K.matmul(cols, x)  # (width, in_w) @ (..., height, in_w, channels)
    return x


def _crop(images, top, left, height, width):
    start = [0] * images.ndim
    size = [-1] * images.ndim
    start[H_AXIS], start[W_AXIS] = int(top), int(left)
    size[H_AXIS], size[W_AXIS] = int(height), int(width)
    return K.slice(images, start, size)


def smart_resize(images, height, width, method="bilinear"):
    """tf-keras' ``image_utils.smart_resize``: the largest centred crop of the target aspect ratio, resized."""
    in_h, in_w = int(images.shape[H_AXIS]), int(images.shape[W_AXIS])
    crop_h = min(in_h, int(np.float32(in_w * height) / np.float32(width)))
    crop_w = min(in_w, int(np.float32(in_h * width) / np.float32(height)))
    top = int(np.float32(in_h - crop_h) / np.float32(2))
    left = int(np.float32(in_w - crop_w) / np.float32(2))
    if (crop_h, crop_w) != (in_h, in_w):
        images = _crop(images, top, left, crop_h, crop_w)
    return resize_images(images, height, width, method)


def _with_image_size(input_shape, height, width):
    shape = list(input_shape)
    shape[H_AXIS], shape[W_AXIS] = height, width
    return tuple(shape)


class Rescaling(Layer):
    """``inputs * scale + offset``, in the layer's dtype (integer images come out as floats).

    Shape: any; unchanged.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def call(self, inputs):
        return _float_input(self, inputs) * self.scale + self.offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config


class Resizing(Layer):
    """Resizes images to ``(height, width)`` as ``tf.image.resize`` does (half-pixel centers, no antialiasing).

    ``interpolation``: 'bilinear', 'nearest', 'bicubic' or 'area'. ``crop_to_aspect_ratio=True`` first crops the
    largest centred window of the target aspect ratio, so the image is not distorted.

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)`` -> the same with ``height`` and ``width``.
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, **kwargs):
        super().__init__(**kwargs)
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        _check_interpolation(self.name, interpolation)

    def build(self, input_shape):
        _check_image_shape(self, input_shape)
        super().build(input_shape)

    def call(self, inputs):
        _check_image_shape(self, inputs.shape)
        # As tf-keras: interpolating methods compute in float32 (then cast to the layer's dtype), 'nearest' in it.
        inputs = _float_input(self, inputs, None if self.interpolation == "nearest" else "float32")
        if self.crop_to_aspect_ratio:
            outputs = smart_resize(inputs, self.height, self.width, self.interpolation)
        else:
            outputs = resize_images(inputs, self.height, self.width, self.interpolation)
        return outputs if K.dtype(outputs) == self.compute_dtype else K.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        _check_image_shape(self, input_shape)
        return _with_image_size(input_shape, self.height, self.width)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "interpolation": self.interpolation,
                       "crop_to_aspect_ratio": self.crop_to_aspect_ratio})
        return config


class CenterCrop(Layer):
    """Crops the central ``(height, width)`` window; an image smaller than that is resized to it (bilinear, after
    cropping to the target aspect ratio), as tf-keras does.

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)`` -> the same with ``height`` and ``width``.
    """

    def __init__(self, height, width, **kwargs):
        super().__init__(**kwargs)
        self.height = height
        self.width = width

    def build(self, input_shape):
        _check_image_shape(self, input_shape)
        super().build(input_shape)

    def call(self, inputs):
        _check_image_shape(self, inputs.shape)
        inputs = _float_input(self, inputs)
        h_diff = int(inputs.shape[H_AXIS]) - self.height
        w_diff = int(inputs.shape[W_AXIS]) - self.width
        if h_diff >= 0 and w_diff >= 0:
            return _crop(inputs, h_diff // 2, w_diff // 2, self.height, self.width)
        return smart_resize(inputs, self.height, self.width)

    def compute_output_shape(self, input_shape):
        _check_image_shape(self, input_shape)
        return _with_image_size(input_shape, self.height, self.width)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config


# ---- Normalization ---------------------------------------------------------------------------------------------

def _listify(value):
    if value is None or isinstance(value, (int, float)):
        return value
    if K.is_tensor(value):
        value = K.to_numpy(value)
    return np.asarray(value).tolist()


def _adapt_batches(data, batch_size, steps):
    """The batches ``adapt`` reads from ``data``: an array split into ``batch_size`` rows (32 by default), or the
    items of a Sequence / iterable of batches (an ``(x, y)`` item gives its ``x``)."""
    if isinstance(data, (list, tuple)) and not any(isinstance(b, np.ndarray) or K.is_tensor(b) for b in data):
        data = np.asarray(data)  # nested Python lists of numbers are one array, as tf-keras reads them
    if isinstance(data, np.ndarray) or K.is_tensor(data):
        array = K.to_numpy(data) if K.is_tensor(data) else data
        size = int(batch_size or 32)
        n = int(math.ceil(len(array) / size)) if len(array) else 0
        batches = (array[i * size:(i + 1) * size] for i in range(n))
    else:
        if batch_size is not None:
            raise ValueError("The `batch_size` argument of `adapt` must not be specified when the data is a "
                             f"Sequence, generator or iterable of batches (they generate batches). Received "
                             f"batch_size={batch_size} with data of type {type(data).__name__}.")
        if hasattr(data, "__getitem__") and hasattr(data, "__len__") and not isinstance(data, (list, tuple)):
            batches = (data[i] for i in range(len(data)))  # a keras.utils.Sequence
        else:
            try:
                batches = iter(data)
            except TypeError:
                raise ValueError("`adapt` expects a NumPy array, a tensor, a Sequence or an iterable of batches. "
                                 f"Received: data of type {type(data).__name__}.") from None
    for step, batch in enumerate(batches):
        if steps is not None and step >= steps:
            break
        if isinstance(batch, (tuple, list)) and batch and not np.isscalar(batch[0]):
            batch = batch[0]
        yield batch


class PreprocessingLayer(Layer):
    """Base class of layers whose state is learned from data by ``adapt`` rather than by training.

    A subclass implements ``update_state(batch)`` (fold one batch into the state), ``reset_state()`` (forget
    it) and, if the state needs a last computation, ``finalize_state()``; ``adapt(data, batch_size=None,
    steps=None)`` then resets, feeds every batch of ``data`` (an array split into ``batch_size`` rows, or a
    Sequence / iterable of batches) and finalizes, as tf-keras' ``PreprocessingLayer`` does.
    """

    @property
    def is_adapted(self):
        return bool(self.__dict__.get("_is_adapted", False))

    def update_state(self, data):
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement `update_state`, which `adapt` "
                                  "needs.")

    def reset_state(self):
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement `reset_state`, which `adapt` "
                                  "needs.")

    def finalize_state(self):
        """Called once after the last batch of ``adapt``; nothing by default."""

    def adapt(self, data, batch_size=None, steps=None):
        self.reset_state()
        seen = False
        for batch in _adapt_batches(data, batch_size, steps):
            batch = K.to_numpy(batch) if K.is_tensor(batch) else np.asarray(batch)
            if not self.built:
                self._maybe_build(tuple(batch.shape))
            self.update_state(batch)
            seen = True
        if not seen:
            raise ValueError(f'Layer "{self.name}": `adapt` received no data.')
        self.finalize_state()
        self._is_adapted = True


class Normalization(PreprocessingLayer):
    """``(inputs - mean) / sqrt(variance)`` per index of ``axis`` (``invert=True``: the inverse).

    ``mean`` and ``variance`` are given, or learned by ``adapt(data)``: then they are the non-trainable weights
    ``mean``, ``variance`` and ``count`` (int64, the number of values seen), as in tf-keras.

    Shape: any; unchanged.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        if K.is_variable(mean) or K.is_variable(variance):
            raise ValueError("Normalization does not support passing a Variable for the `mean` or `variance` init "
                             "arg.")
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. Got mean: "
                             f"{mean} and variance: {variance}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self._static = None

    def build(self, input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f'Layer "{self.name}" (Normalization) only accepts a single input. Received '
                             f"{len(input_shape)} inputs.")
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f'Layer "{self.name}": all `axis` values must be in the range [-ndim, ndim). Found '
                             f"ndim: `{ndim}`, axis: {self.axis}")
        self._keep_axis = sorted(d if d >= 0 else d + ndim for d in self.axis)
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f'Layer "{self.name}": all `axis` values to be kept must have known shape. Got '
                                 f"axis: {self.axis}, input shape: {input_shape}, with unknown axis at index: {d}")
        self._reduce_axis = [d for d in range(ndim) if d not in self._keep_axis]
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1 for d in range(ndim))
        shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight("mean", shape, dtype=self.compute_dtype, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight("variance", shape, dtype=self.compute_dtype, initializer="ones",
                                                  trainable=False)
            self.count = self.add_weight("count", (), dtype="int64", initializer="zeros", trainable=False)
        else:
            # Broadcast to the kept axes of the input shape, which a loaded file chooses: bounded while loading.
            from fastkeras.saving.safety import check_scratch
            check_scratch(self.name, "its mean and variance", [shape, shape], persistent=True)
            try:
                mean = np.asarray(self.input_mean, np.float64) * np.ones(shape)
                variance = np.asarray(self.input_variance, np.float64) * np.ones(shape)
            except ValueError:
                raise ValueError(f'Layer "{self.name}": `mean` and `variance` must broadcast to the shape of the kept '
                                 f"axes {shape} (axis={self.axis}, input shape {input_shape}). Received mean="
                                 f"{self.input_mean}, variance={self.input_variance}.") from None
            self._static = (mean.reshape(self._broadcast_shape).astype(self.compute_dtype),
                            variance.reshape(self._broadcast_shape).astype(self.compute_dtype))
        super().build(input_shape)

    @property
    def mean(self):
        """The mean, in the inputs' broadcast shape (tf-keras and Keras 3 keep it as ``mean`` once built;
        keras.io's diffusion models read it to map generated images back)."""
        return self._mean_and_variance()[0]

    @property
    def variance(self):
        """The variance, in the inputs' broadcast shape, as ``mean``."""
        return self._mean_and_variance()[1]

    def _mean_and_variance(self):
        if not self.built:
            raise AttributeError(f'Layer "{self.name}" (Normalization) has no `mean` or `variance` before it is '
                                 "built (by `adapt()` or a first call).")
        if self._static is not None:
            return K.constant(self._static[0], self.compute_dtype), K.constant(self._static[1], self.compute_dtype)
        return (K.reshape(self.adapt_mean, self._broadcast_shape),
                K.reshape(self.adapt_variance, self._broadcast_shape))

    def call(self, inputs):
        inputs = _float_input(self, inputs)
        mean, variance = self._mean_and_variance()
        if len(self._broadcast_shape) != inputs.ndim:
            raise ValueError(f'Layer "{self.name}" was built for inputs of rank {len(self._broadcast_shape)}, but '
                             f"received an input of shape {tuple(inputs.shape)}.")
        std = K.maximum(K.sqrt(variance), K.epsilon())
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    # ---- adapt ----------------------------------------------------------------------------------------------

    @property
    def is_adapted(self):
        return bool(self.__dict__.get("_is_adapted", False))

    def adapt(self, data, batch_size=None, steps=None):
        """Learns ``mean`` and ``variance`` from ``data`` (an array, or a Sequence / iterable of batches),
        replacing what a previous ``adapt`` learned."""
        if self.input_mean is not None:
            raise ValueError("Cannot `adapt` a Normalization layer that is initialized with static `mean` and "
                             f"`variance`, you passed mean {self.input_mean} and variance {self.input_variance}.")
        if self.built:
            self.reset_state()
        seen = False
        for batch in _adapt_batches(data, batch_size, steps):
            batch = np.asarray(K.to_numpy(batch) if K.is_tensor(batch) else batch)
            if not self.built:
                if self._batch_input_shape is None:
                    self._batch_input_shape = (None,) * batch.ndim  # as tf-keras' adapt records it
                self._maybe_build(tuple(batch.shape))
            self.update_state(batch)
            seen = True
        if not seen:
            raise ValueError(f'Layer "{self.name}": `adapt` received no data.')
        self._is_adapted = True

    def update_state(self, data):
        if not self.built:
            raise RuntimeError("`build` must be called before `update_state`.")
        data = K.cast(K.convert_to_tensor(data), self.compute_dtype)
        if data.ndim != len(self._broadcast_shape):
            raise ValueError(f'Layer "{self.name}": `adapt` data must have rank {len(self._broadcast_shape)} (the '
                             f"rank the layer was built for), received a batch of shape {tuple(data.shape)}.")
        with K.no_grad():
            if self._reduce_axis:
                batch_mean = K.mean(data, axis=self._reduce_axis)
                batch_variance = K.mean(K.square(data - K.mean(data, axis=self._reduce_axis, keepdims=True)),
                                        axis=self._reduce_axis)
                batch_count = int(np.prod([data.shape[d] for d in self._reduce_axis]))
            else:
                batch_mean, batch_variance, batch_count = data, K.zeros_like(data), 1
            total_count = batch_count + int(K.get_value(self.count))
            batch_weight = np.float32(batch_count) / np.float32(total_count)
            existing_weight = np.float32(1.0) - batch_weight
            mean = self.adapt_mean
            total_mean = mean * float(existing_weight) + batch_mean * float(batch_weight)
            total_variance = (self.adapt_variance + K.square(mean - total_mean)) * float(existing_weight) + \
                (batch_variance + K.square(batch_mean - total_mean)) * float(batch_weight)
            K.update(self.adapt_mean, total_mean)
            K.update(self.adapt_variance, total_variance)
            K.set_value(self.count, np.asarray(total_count, np.int64))

    def reset_state(self):
        if self.input_mean is not None or not self.built:
            return
        K.set_value(self.adapt_mean, np.zeros(tuple(self.adapt_mean.shape), self.compute_dtype))
        K.set_value(self.adapt_variance, np.ones(tuple(self.adapt_variance.shape), self.compute_dtype))
        K.set_value(self.count, np.asarray(0, np.int64))

    def finalize_state(self):
        """Nothing to do: the call reads the adapted weights directly."""

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "invert": self.invert, "mean": _listify(self.input_mean),
                       "variance": _listify(self.input_variance)})
        return config


# ---- random image augmentation -------------------------------------------------------------------------------

def _training(training):
    # tf-keras' augmentation layers declare call(inputs, training=True): not given means augment.
    return True if training is None else bool(training)


def _bounds(factor):
    """(lower, upper) of a factor given as a number (symmetric) or a pair."""
    if isinstance(factor, (tuple, list)):
        return factor[0], factor[1]
    return -factor, factor


class _RandomLayer(_SeedStream, Layer):
    """Shared parts: the seed (a reproducible stream of draws), tf-keras' ``rng_type`` config entry."""

    def __init__(self, seed=None, rng_type=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._rng_type = rng_type or "stateful"

    def _uniform(self, shape, low, high):
        u = K.random_uniform(shape, 0.0, 1.0, dtype="float32", seed=self._next_seed())
        return low + (high - low) * u

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["rng_type"] = self._rng_type
        return config


def _check_fill_mode_and_interpolation(fill_mode, interpolation):
    if fill_mode not in _FILL_MODES:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Only `reflect`, `wrap`, `constant` and "
                                  "`nearest` are supported.")
    if interpolation not in ("nearest", "bilinear"):
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Only `nearest` and `bilinear` are "
                                  "supported.")


def _trunc(x):
    return K.sign(x) * K.floor(K.abs(x))


def _map_coordinate(coord, size, fill_mode):
    """TensorFlow's MapCoordinate: an input coordinate outside [0, size - 1] mapped back per ``fill_mode``."""
    if fill_mode == "constant":
        return coord
    if fill_mode == "nearest" or size <= 1:
        return K.clip(coord, 0.0, size - 1.0) if size > 1 else K.zeros_like(coord)
    if fill_mode == "reflect":
        sz2 = 2.0 * size
        below = sz2 * _trunc(-coord / sz2) + coord
        below = K.where(below < -size, below + sz2, -below - 1.0)
        above = coord - sz2 * _trunc(coord / sz2)
        above = K.where(above >= size, sz2 - above - 1.0, above)
    else:  # wrap
        sz = size - 1.0
        below = coord + size * (_trunc(-coord / sz) + 1.0)
        above = coord - size * _trunc(coord / sz)
    coord = K.where(coord < 0, below, K.where(coord > size - 1, above, coord))
    return K.clip(coord, 0.0, size - 1.0)


def transform_images(images, transforms, fill_mode="reflect", fill_value=0.0, interpolation="bilinear"):
    """TensorFlow's ``ImageProjectiveTransformV3`` for ``images`` (B, H, W, C) and ``transforms`` (B, 8): output
    pixel (x, y) samples the input at ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``,
    ``k = c0 x + c1 y + 1``."""
    batch, height, width, channels = (int(d) for d in images.shape)
    dtype = K.dtype(images)
    ys = K.reshape(K.arange(0, height, dtype="float32"), (1, height, 1))
    xs = K.reshape(K.arange(0, width, dtype="float32"), (1, 1, width))
    t = [K.reshape(transforms[:, i], (batch, 1, 1)) for i in range(8)]
    k = t[6] * xs + t[7] * ys + 1.0
    in_x = _map_coordinate((t[0] * xs + t[1] * ys + t[2]) / k, width, fill_mode)
    in_y = _map_coordinate((t[3] * xs + t[4] * ys + t[5]) / k, height, fill_mode)
    flat = K.reshape(images, (batch * height * width, channels))
    offsets = K.reshape(K.arange(0, batch, dtype="float32") * float(height * width), (batch, 1, 1))
    fill = K.cast(K.constant(fill_value), dtype)

    def read(y, x):
        valid = (y >= 0) & (y <= height - 1) & (x >= 0) & (x <= width - 1)
        index = offsets + K.clip(y, 0.0, height - 1.0) * float(width) + K.clip(x, 0.0, width - 1.0)
        values = K.gather(flat, K.cast(index, "int64"))
        return K.where(K.expand_dims(valid, -1), values, fill)

    if interpolation == "nearest":
        round_away = lambda v: K.sign(v) * K.floor(K.abs(v) + 0.5)  # noqa: E731 - std::round
        out = read(round_away(in_y), round_away(in_x))
    else:
        y0, x0 = K.floor(in_y), K.floor(in_x)
        y1, x1 = y0 + 1.0, x0 + 1.0
        wx0, wx1 = K.expand_dims(x1 - in_x, -1), K.expand_dims(in_x - x0, -1)
        wy0, wy1 = K.expand_dims(y1 - in_y, -1), K.expand_dims(in_y - y0, -1)
        top = wx0 * read(y0, x0) + wx1 * read(y0, x1)
        bottom = wx0 * read(y1, x0) + wx1 * read(y1, x1)
        out = wy0 * top + wy1 * bottom
    return K.cast(out, dtype)


def _batched(images, fn):
    if images.ndim == 3:
        return K.squeeze(fn(K.expand_dims(images, 0)), 0)
    return fn(images)


class _AffineLayer(_RandomLayer):
    """Shared parts of RandomRotation, RandomZoom and RandomTranslation."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        _check_fill_mode_and_interpolation(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation

    def build(self, input_shape):
        _check_image_shape(self, input_shape)
        super().build(input_shape)

    def call(self, inputs, training=True):
        inputs = _float_input(self, inputs)
        if not _training(training):
            return inputs
        _check_image_shape(self, inputs.shape)

        def apply(images):
            batch, height, width = (int(d) for d in images.shape[:3])
            return transform_images(images, self._transforms(batch, float(height), float(width)),
                                    fill_mode=self.fill_mode, fill_value=self.fill_value,
                                    interpolation=self.interpolation)
        return _batched(inputs, apply)

    def get_config(self):
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "fill_value": self.fill_value,
                       "interpolation": self.interpolation, "seed": self.seed})
        return config


def rotation_transforms(angles, height, width):
    """tf-keras' ``get_rotation_matrix``: (B, 8) transforms rotating by ``angles`` (radians) about the center."""
    cos, sin = K.cos(angles), K.sin(angles)
    x_offset = ((width - 1) - (cos * (width - 1) - sin * (height - 1))) / 2.0
    y_offset = ((height - 1) - (sin * (width - 1) + cos * (height - 1))) / 2.0
    zeros = K.zeros_like(angles)
    return K.stack([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros], axis=1)


class RandomRotation(_AffineLayer):
    """Rotates each image by a random angle in ``factor * 2pi`` (a number f: [-f, f]; a pair: [lower, upper]),
    counter-clockwise for positive values; points outside the image are filled per ``fill_mode``.

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)``; unchanged.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         **kwargs)
        self.factor = factor
        self.lower, self.upper = _bounds(factor)
        if self.upper < self.lower:
            raise ValueError(f"`factor` argument cannot have a negative value. Received: factor={factor}")

    def _transforms(self, batch, height, width):
        angles = self._uniform((batch,), self.lower * 2.0 * np.pi, self.upper * 2.0 * np.pi)
        return rotation_transforms(angles, height, width)

    def get_config(self):
        config = super().get_config()
        config = {**{k: v for k, v in config.items() if k not in ("fill_mode", "fill_value", "interpolation",
                                                                   "seed")},
                  "factor": self.factor, "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                  "interpolation": self.interpolation, "seed": self.seed}
        return config


def _check_unit_range(name, factor, lower, upper):
    if abs(lower) > 1.0 or abs(upper) > 1.0:
        raise ValueError(f"`{name}` argument must have values between [-1, 1]. Received: {name}={factor}")


class RandomZoom(_AffineLayer):
    """Zooms each image by a random factor: ``height_factor`` f gives a zoom in [1 - f, 1 + f] (negative values
    zoom in, positive values zoom out); ``width_factor=None`` keeps the aspect ratio.

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)``; unchanged.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _bounds(height_factor)
        _check_unit_range("height_factor", height_factor, self.height_lower, self.height_upper)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _bounds(width_factor)
            if self.width_lower < -1.0 or self.width_upper < -1.0:
                raise ValueError("`width_factor` argument must have values larger than -1. Received: "
                                 f"width_factor={width_factor}")

    def _transforms(self, batch, height, width):
        height_zoom = self._uniform((batch,), 1.0 + self.height_lower, 1.0 + self.height_upper)
        if self.width_factor is not None:
            width_zoom = self._uniform((batch,), 1.0 + self.width_lower, 1.0 + self.width_upper)
        else:
            width_zoom = height_zoom
        x_offset = ((width - 1.0) / 2.0) * (1.0 - width_zoom)
        y_offset = ((height - 1.0) / 2.0) * (1.0 - height_zoom)
        zeros = K.zeros_like(width_zoom)
        return K.stack([width_zoom, zeros, x_offset, zeros, height_zoom, y_offset, zeros, zeros], axis=1)

    def get_config(self):
        config = super().get_config()
        base = {k: v for k, v in config.items() if k not in ("fill_mode", "fill_value", "interpolation", "seed")}
        return {**base, "height_factor": self.height_factor, "width_factor": self.width_factor,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value, "interpolation": self.interpolation,
                "seed": self.seed}


class RandomTranslation(_AffineLayer):
    """Shifts each image by a random fraction of its height and width: ``height_factor`` f shifts by a value in
    [-f, f] * height (positive: down); ``width_factor`` likewise (positive: right).

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)``; unchanged.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _bounds(height_factor)
        if self.height_upper < self.height_lower:
            raise ValueError("`height_factor` cannot have upper bound less than lower bound, got "
                             f"{height_factor}")
        _check_unit_range("height_factor", height_factor, self.height_lower, self.height_upper)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = _bounds(width_factor)
        if self.width_upper < self.width_lower:
            raise ValueError(f"`width_factor` cannot have upper bound less than lower bound, got {width_factor}")
        _check_unit_range("width_factor", width_factor, self.width_lower, self.width_upper)

    def _transforms(self, batch, height, width):
        dy = self._uniform((batch,), self.height_lower, self.height_upper) * height
        dx = self._uniform((batch,), self.width_lower, self.width_upper) * width
        ones, zeros = K.ones_like(dx), K.zeros_like(dx)
        return K.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)

    def get_config(self):
        config = super().get_config()
        base = {k: v for k, v in config.items() if k not in ("fill_mode", "fill_value", "interpolation", "seed")}
        return {**base, "height_factor": self.height_factor, "width_factor": self.width_factor,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value, "interpolation": self.interpolation,
                "seed": self.seed}


_FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class RandomFlip(_RandomLayer):
    """Flips each image left-right (``mode='horizontal'``), up-down (``'vertical'``) or both, each with
    probability 1/2.

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)``; unchanged.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in _FLIP_MODES:
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument {mode}")
        self.mode = mode
        self.horizontal = mode in ("horizontal", "horizontal_and_vertical")
        self.vertical = mode in ("vertical", "horizontal_and_vertical")

    def build(self, input_shape):
        _check_image_shape(self, input_shape)
        super().build(input_shape)

    def call(self, inputs, training=True):
        inputs = _float_input(self, inputs)
        if not _training(training):
            return inputs
        _check_image_shape(self, inputs.shape)

        def flip(images, axis):
            coin = self._uniform((int(images.shape[0]), 1, 1, 1), 0.0, 1.0) < 0.5
            return K.where(coin, K.reverse(images, axis), images)
        outputs = inputs
        if self.horizontal:
            outputs = _batched(outputs, lambda x: flip(x, 2))
        if self.vertical:
            outputs = _batched(outputs, lambda x: flip(x, 1))
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "seed": self.seed})
        return config


class RandomCrop(_RandomLayer):
    """In training, crops a random ``(height, width)`` window (one offset per batch, as tf-keras); at inference,
    or when the image is smaller, resizes to ``(height, width)`` after a centred crop to that aspect ratio.

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)`` -> the same with ``height`` and ``width``.
    """

    def __init__(self, height, width, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.height = height
        self.width = width

    def build(self, input_shape):
        _check_image_shape(self, input_shape)
        super().build(input_shape)

    def call(self, inputs, training=True):
        _check_image_shape(self, inputs.shape)
        inputs = _float_input(self, inputs)
        h_diff = int(inputs.shape[H_AXIS]) - self.height
        w_diff = int(inputs.shape[W_AXIS]) - self.width
        if _training(training) and h_diff >= 0 and w_diff >= 0:
            starts = K.to_numpy(self._uniform((2,), 0.0, 1.0))
            top = min(int(starts[0] * (h_diff + 1)), h_diff)
            left = min(int(starts[1] * (w_diff + 1)), w_diff)
            return _crop(inputs, top, left, self.height, self.width)
        return smart_resize(inputs, self.height, self.width)

    def compute_output_shape(self, input_shape):
        _check_image_shape(self, input_shape)
        return _with_image_size(input_shape, self.height, self.width)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config


class RandomContrast(_RandomLayer):
    """Scales each channel's deviation from its mean (per image) by a random factor in
    [1 - lower, 1 + upper] (one factor per call, as tf-keras draws it), then clips to [0, 255].

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)``; unchanged.
    """

    def __init__(self, factor, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        if isinstance(factor, (tuple, list)):
            self.lower, self.upper = factor[0], factor[1]
        else:
            self.lower = self.upper = factor
        if self.lower < 0.0 or self.upper < 0.0 or self.lower > 1.0:
            raise ValueError("`factor` argument cannot have negative values or values greater than 1."
                             f"Received: factor={factor}")

    def build(self, input_shape):
        _check_image_shape(self, input_shape)
        super().build(input_shape)

    def call(self, inputs, training=True):
        inputs = _float_input(self, inputs)
        if not _training(training):
            return inputs
        _check_image_shape(self, inputs.shape)
        factor = self._uniform((), 1.0 - self.lower, 1.0 + self.upper)
        mean = K.mean(inputs, axis=[H_AXIS, W_AXIS], keepdims=True)
        return K.clip((inputs - mean) * K.cast(factor, K.dtype(inputs)) + mean, 0.0, 255.0)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "seed": self.seed})
        return config


class RandomBrightness(_RandomLayer):
    """Adds a random delta in ``factor * (value_range[1] - value_range[0])`` to each image, then clips to
    ``value_range``. ``factor``: a number f in [-1, 1] ([-|f|, |f|]) or a pair.

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)``; unchanged.
    """

    _FACTOR_VALIDATION_ERROR = ("The `factor` argument should be a number (or a list of two numbers) in the range "
                                "[-1.0, 1.0]. ")
    _VALUE_RANGE_VALIDATION_ERROR = "The `value_range` argument should be a list of two numbers. "

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Got {factor}")
            for f in factor:
                self._check_factor_range(f)
            self._factor = sorted(factor)
        elif isinstance(factor, (int, float)):
            self._check_factor_range(factor)
            self._factor = [-abs(factor), abs(factor)]
        else:
            raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Got {factor}")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(self._VALUE_RANGE_VALIDATION_ERROR + f"Got {value_range}")
        self._value_range = sorted(value_range)

    def _check_factor_range(self, number):
        if number > 1.0 or number < -1.0:
            raise ValueError(self._FACTOR_VALIDATION_ERROR + f"Got {number}")

    def call(self, inputs, training=True):
        inputs = _float_input(self, inputs)
        if not _training(training):
            return inputs
        if inputs.ndim not in (3, 4):
            raise ValueError(f'Layer "{self.name}" (RandomBrightness): expected the input image to be rank 3 or 4. '
                             f"Got inputs.shape = {tuple(inputs.shape)}")
        shape = (1, 1, 1) if inputs.ndim == 3 else (int(inputs.shape[0]), 1, 1, 1)
        low, high = self._value_range
        delta = self._uniform(shape, self._factor[0], self._factor[1]) * (high - low)
        return K.clip(inputs + K.cast(delta, K.dtype(inputs)), float(low), float(high))

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self._factor, "value_range": self._value_range, "seed": self.seed})
        return config


class _RandomSide(_RandomLayer):
    """RandomHeight / RandomWidth: resize one side by a random factor in [1 + lower, 1 + upper] per call."""

    _axis = None
    _name = None

    def __init__(self, factor, interpolation="bilinear", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        self._lower, self._upper = _bounds(factor)
        if self._upper < self._lower:
            raise ValueError("`factor` argument cannot have an upper bound less than the lower bound. Received: "
                             f"factor={factor}")
        if self._lower < -1.0 or self._upper < -1.0:
            raise ValueError(f"`factor` argument must have values larger than -1. Received: factor={factor}")
        self.interpolation = interpolation
        _check_interpolation(self.name, interpolation)

    def build(self, input_shape):
        _check_image_shape(self, input_shape)
        super().build(input_shape)

    def call(self, inputs, training=True):
        inputs = _float_input(self, inputs)
        if not _training(training):
            return inputs
        _check_image_shape(self, inputs.shape)
        scale = float(K.to_numpy(self._uniform((), 1.0 + self._lower, 1.0 + self._upper)))
        size = [int(inputs.shape[H_AXIS]), int(inputs.shape[W_AXIS])]
        side = 0 if self._axis == H_AXIS else 1
        size[side] = int(np.float32(scale) * np.float32(size[side]))
        return resize_images(inputs, size[0], size[1], self.interpolation)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self._axis] = None
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "interpolation": self.interpolation, "seed": self.seed})
        return config


class RandomHeight(_RandomSide):
    """Resizes the height by a random factor: ``factor`` f gives [1 - f, 1 + f] * height (a pair: [1 + lower,
    1 + upper]); the width is kept. At inference the images pass unchanged.

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)`` -> ``(batch, None, W, C)``.
    """

    _axis = H_AXIS


class RandomWidth(_RandomSide):
    """Resizes the width by a random factor: ``factor`` f gives [1 - f, 1 + f] * width (a pair: [1 + lower,
    1 + upper]); the height is kept. At inference the images pass unchanged.

    Shape: ``(batch, H, W, C)`` or ``(H, W, C)`` -> ``(batch, H, None, C)``.
    """

    _axis = W_AXIS
