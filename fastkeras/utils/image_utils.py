"""Keras 2's image helpers (``keras.utils.load_img`` ...), on PIL, with tf-keras 2.21's behaviour.

Arrays are ``(height, width, channels)`` for 'channels_last' and ``(channels, height, width)`` for
'channels_first' (default: ``K.image_data_format()``); PIL images are ``(width, height)``.
"""
import io
import pathlib
import warnings

import numpy as np

from fastkeras import backend as K

_PIL_INTERPOLATION_NAMES = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _require_pil(fn_name):
    """PIL's Image module, imported on first use so that ``import fastkeras`` does not load PIL."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - PIL is optional
        raise ImportError(f"Could not import PIL.Image. The use of `{fn_name}` requires PIL.") from None
    return Image


def _pil_resample(pil_image, interpolation):
    resampling = getattr(pil_image, "Resampling", pil_image)
    return getattr(resampling, interpolation.upper())


def _data_format(data_format, fn_name):
    if data_format is None:
        data_format = K.image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"{fn_name}: invalid data_format {data_format!r}; expected 'channels_first' or "
                         "'channels_last'.")
    return data_format


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A PIL image from a rank-3 array: RGBA, RGB or grayscale ('L', or 'I' when values exceed 255) by its
    number of channels. ``scale`` maps the values to [0, 255] (min to 0, max to 255)."""
    data_format = _data_format(data_format, "array_to_img")
    if dtype is None:
        dtype = K.floatx()
    pil_image = _require_pil("array_to_img")
    if K.is_tensor(x):
        # A model's output, as a GAN's monitor callback hands it over: read its values (a tensor that
        # requires grad refuses np.asarray); tf-keras takes its EagerTensor the same way.
        x = K.to_numpy(x)
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    if x.shape[2] == 4:
        return pil_image.fromarray(x.astype("uint8"), "RGBA")
    if x.shape[2] == 3:
        return pil_image.fromarray(x.astype("uint8"), "RGB")
    if x.shape[2] == 1:
        if np.max(x) > 255:  # 32-bit signed integer grayscale
            return pil_image.fromarray(x[:, :, 0].astype("int32"), "I")
        return pil_image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"array_to_img: unsupported channel number {x.shape[2]} (shape {x.shape}); expected 1, 3 or 4 "
                     f"channels along the {'first' if data_format == 'channels_first' else 'last'} axis.")


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image (or anything ``np.asarray`` takes) as a rank-3 array of ``dtype`` (default floatx)."""
    data_format = _data_format(data_format, "img_to_array")
    if dtype is None:
        dtype = K.floatx()
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        if data_format == "channels_first":
            x = x.reshape((1, x.shape[0], x.shape[1]))
        else:
            x = x.reshape((x.shape[0], x.shape[1], 1))
    else:
        raise ValueError(f"img_to_array: unsupported image shape {x.shape}; expected (height, width) or "
                         "(height, width, channels).")
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves a rank-3 array as an image file (``array_to_img``, then PIL's ``save``)."""
    data_format = _data_format(data_format, "save_img")
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image file (a path, ``pathlib.Path``, bytes path or ``io.BytesIO``) as a PIL image.

    ``color_mode``: 'grayscale' (8-bit, or 16/32-bit grayscale kept as is), 'rgb' or 'rgba'.
    ``target_size=(height, width)`` resizes with ``interpolation`` ('nearest', 'bilinear', 'bicubic',
    'hamming', 'box', 'lanczos'); ``keep_aspect_ratio`` first crops the centre to the target's aspect ratio.
    """
    if grayscale:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"')
        color_mode = "grayscale"
    pil_image = _require_pil("load_img")
    if color_mode not in ("grayscale", "rgb", "rgba"):
        raise ValueError(f'color_mode must be "grayscale", "rgb", or "rgba". Received: color_mode={color_mode!r}')
    if isinstance(path, io.BytesIO):
        img = pil_image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            img = pil_image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif img.mode != "RGB":
        img = img.convert("RGB")
    if target_size is not None:
        width_height = (target_size[1], target_size[0])
        if img.size != width_height:
            if interpolation not in _PIL_INTERPOLATION_NAMES:
                raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported methods are "
                                 f"{', '.join(_PIL_INTERPOLATION_NAMES)}")
            resample = _pil_resample(pil_image, interpolation)
            if keep_aspect_ratio:
                width, height = img.size
                target_width, target_height = width_height
                crop_height = min(height, (width * target_height) // target_width)
                crop_width = min(width, (height * target_width) // target_height)
                h_start = (height - crop_height) // 2
                w_start = (width - crop_width) // 2
                img = img.resize(width_height, resample, box=[w_start, h_start, w_start + crop_width,
                                                              h_start + crop_height])
            else:
                img = img.resize(width_height, resample)
    return img


__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
