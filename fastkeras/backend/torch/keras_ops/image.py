"""keras.ops.image on PyTorch (batched (N, H, W, C) or single (H, W, C) images, channels_last by default)."""
import torch
import torch.nn.functional as F

from fastkeras.backend.config import normalize_data_format
from fastkeras.backend.torch.keras_ops._common import tensor, to_float
from fastkeras.backend.torch.keras_ops.image_quality import ssim  # noqa: F401 - exported below
from fastkeras.backend.torch.keras_ops.image_resampling import scale_and_translate  # noqa: F401 - exported below
from fastkeras.backend.torch.keras_ops.image_sampling import (  # noqa: F401 - exported below
    elastic_transform, map_coordinates, perspective_transform, sample_planes, sobel_edges,
)

_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic", "area": "area"}


def _nchw(images, data_format):
    x = tensor(images)
    single = x.dim() == 3
    if single:
        x = x.unsqueeze(0)
    if x.dim() != 4:
        raise ValueError(f"Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: images.shape={tuple(tensor(images).shape)}")
    channels_last = normalize_data_format(data_format) == "channels_last"
    return (x.permute(0, 3, 1, 2) if channels_last else x), single, channels_last


def _back(x, single, channels_last):
    if channels_last:
        x = x.permute(0, 2, 3, 1)
    return x.squeeze(0) if single else x


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    if interpolation not in _MODES and interpolation != "lanczos3":
        raise ValueError(f"Invalid value for argument `interpolation`. Expected one of {tuple(_MODES)}. "
                         f"Received: interpolation={interpolation}")
    x, single, cl = _nchw(images, data_format)
    dtype = x.dtype
    x = to_float(x)
    th, tw = int(size[0]), int(size[1])
    h, w = x.shape[-2:]
    if crop_to_aspect_ratio:
        ch = min(h, int(round(w * th / tw)))
        cw = min(w, int(round(h * tw / th)))
        top, left = (h - ch) // 2, (w - cw) // 2
        x = x[..., top:top + ch, left:left + cw]
    elif pad_to_aspect_ratio:
        ph = max(h, int(round(w * th / tw)))
        pw = max(w, int(round(h * tw / th)))
        top, left = (ph - h) // 2, (pw - w) // 2
        x = F.pad(x, (left, pw - w - left, top, ph - h - top), value=float(fill_value))
    mode = _MODES.get(interpolation, "bicubic")
    kwargs = {} if mode.startswith("nearest") or mode == "area" else {"align_corners": False,
                                                                          "antialias": bool(antialias)}
    out = F.interpolate(x, size=(th, tw), mode=mode, **kwargs)
    if not dtype.is_floating_point:
        out = torch.round(out).clamp(torch.iinfo(dtype).min, torch.iinfo(dtype).max).to(dtype)
    return _back(out, single, cl)


def rgb_to_grayscale(images, data_format=None):
    x, single, cl = _nchw(images, data_format)
    weights = torch.tensor([0.2989, 0.5870, 0.1140], dtype=to_float(x).dtype, device=x.device)
    out = torch.sum(to_float(x) * weights.reshape(1, 3, 1, 1), dim=1, keepdim=True).to(to_float(x).dtype)
    return _back(out, single, cl)


def rgb_to_hsv(images, data_format=None):
    x, single, cl = _nchw(images, data_format)
    x = to_float(x)
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    v = torch.amax(x, dim=1)
    rng = v - torch.amin(x, dim=1)
    s = torch.where(v > 0, rng / torch.where(v > 0, v, torch.ones_like(v)), torch.zeros_like(v))
    safe = torch.where(rng > 0, rng, torch.ones_like(rng))
    h = torch.where(v == r, (g - b) / safe, torch.where(v == g, 2.0 + (b - r) / safe, 4.0 + (r - g) / safe))
    h = torch.where(rng > 0, (h / 6.0) % 1.0, torch.zeros_like(h))
    return _back(torch.stack([h, s, v], dim=1), single, cl)


def hsv_to_rgb(images, data_format=None):
    x, single, cl = _nchw(images, data_format)
    x = to_float(x)
    h, s, v = x[:, 0], x[:, 1], x[:, 2]

    def channel(n):
        k = (n + h * 6.0) % 6.0
        return v - v * s * torch.clamp(torch.minimum(k, 4.0 - k), 0.0, 1.0)
    return _back(torch.stack([channel(5.0), channel(3.0), channel(1.0)], dim=1), single, cl)


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches (N, rows, cols, ph * pw * C), each flattened (ph, pw, C)-major as Keras 3 gives them."""
    ph, pw = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    strides = (ph, pw) if strides is None else ((strides, strides) if isinstance(strides, int) else tuple(strides))
    dil = (dilation_rate, dilation_rate) if isinstance(dilation_rate, int) else tuple(dilation_rate)
    x, single, cl = _nchw(images, data_format)
    n, c, h, w = x.shape
    if padding == "same":
        pads = []
        for size_, k, s, d in ((w, pw, strides[1], dil[1]), (h, ph, strides[0], dil[0])):
            kd = (k - 1) * d + 1
            out = -(-size_ // s)
            total = max((out - 1) * s + kd - size_, 0)
            pads += [total // 2, total - total // 2]
        x = F.pad(x, pads)
    xf = to_float(x)
    cols = F.unfold(xf, (ph, pw), dilation=dil, stride=strides)  # (N, C*ph*pw, L)
    rows_out = (x.shape[2] - ((ph - 1) * dil[0] + 1)) // strides[0] + 1
    cols_out = (x.shape[3] - ((pw - 1) * dil[1] + 1)) // strides[1] + 1
    patches = cols.reshape(n, c, ph * pw, rows_out, cols_out).permute(0, 3, 4, 2, 1)
    out = patches.reshape(n, rows_out, cols_out, ph * pw * c).to(x.dtype)
    if not cl:
        out = out.permute(0, 3, 1, 2)
    return out.squeeze(0) if single else out


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of volumes (N, D, H, W, C) as (N, d, h, w, pd * ph * pw * C), each flattened (pd, ph, pw, C)-major as
    Keras 3 gives them: a 3-D convolution with a one-hot kernel, so ``padding``/``strides``/``dilation_rate``
    mean what they mean for Conv3D."""
    from fastkeras.backend.torch.keras_ops.nn import conv
    if isinstance(size, int):
        size = (size, size, size)
    if len(size) != 3:
        raise TypeError(f"extract_patches_3d: `size` should be an int or a tuple of 3 ints. Received: size={size}")
    strides = size if strides is None else strides
    strides = (strides,) * 3 if isinstance(strides, int) else tuple(strides)
    if len(strides) != 3:
        raise ValueError(f"extract_patches_3d: `strides` should be an int or a tuple of 3 ints. "
                         f"Received: strides={strides}")
    x = tensor(volumes)
    channels_last = normalize_data_format(data_format) == "channels_last"
    channels = x.shape[-1] if channels_last else x.shape[-4]
    patch_len = size[0] * size[1] * size[2] * channels
    kernel = torch.eye(patch_len, dtype=x.dtype if x.dtype.is_floating_point else torch.float32, device=x.device)
    kernel = kernel.reshape(*size, channels, patch_len)
    single = x.dim() == 4
    out = conv(x.unsqueeze(0) if single else x, kernel, strides=strides, padding=padding,
               data_format="channels_last" if channels_last else "channels_first", dilation_rate=dilation_rate)
    return out.squeeze(0) if single else out


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                     data_format=None):
    """Keras 3's projective transform: output pixel (x, y) samples the input at
    ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1, each neighbour outside the image
    mapped back by ``fill_mode`` or counted as ``fill_value`` (scipy.ndimage's rules, as Keras 3 samples)."""
    if fill_mode not in ("constant", "nearest", "reflect", "wrap", "mirror"):
        raise ValueError(f"Invalid value for argument `fill_mode`. Received: fill_mode={fill_mode}")
    x, single, cl = _nchw(images, data_format)
    n, c, h, w = x.shape
    dtype = x.dtype if x.dtype.is_floating_point else torch.float32
    t = to_float(tensor(transform)).to(dtype)
    if t.dim() == 1:
        t = t.unsqueeze(0).expand(n, 8)
    ys, xs = torch.meshgrid(torch.arange(h, dtype=dtype, device=x.device),
                            torch.arange(w, dtype=dtype, device=x.device), indexing="ij")
    a0, a1, a2, b0, b1, b2, c0, c1 = [t[:, i].reshape(n, 1, 1) for i in range(8)]
    k = c0 * xs + c1 * ys + 1.0
    x_in = (a0 * xs + a1 * ys + a2) / k
    y_in = (b0 * xs + b1 * ys + b2) / k
    order = 0 if interpolation == "nearest" else 1
    out = sample_planes(x.permute(0, 2, 3, 1), y_in, x_in, order, fill_mode, fill_value)  # (n, h, w, c)
    if not cl:
        out = out.permute(0, 3, 1, 2)
    return out.squeeze(0) if single else out


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    x, single, cl = _nchw(images, data_format)
    h, w = x.shape[-2:]
    top, left = top_cropping or 0, left_cropping or 0
    th = target_height if target_height is not None else h - top - (bottom_cropping or 0)
    tw = target_width if target_width is not None else w - left - (right_cropping or 0)
    return _back(x[..., top:top + th, left:left + tw], single, cl)


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    x, single, cl = _nchw(images, data_format)
    h, w = x.shape[-2:]
    top, left = top_padding or 0, left_padding or 0
    bottom = bottom_padding if bottom_padding is not None else (target_height - h - top if target_height else 0)
    right = right_padding if right_padding is not None else (target_width - w - left if target_width else 0)
    return _back(F.pad(x, (left, right, top, bottom)), single, cl)


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Keras 3's Gaussian blur: a depthwise convolution with zeros beyond the borders. As in Keras 3's JAX and
    NumPy backends, ``kernel_size[0]``/``sigma[0]`` go along the width and ``kernel_size[1]``/``sigma[1]``
    along the height (equal for the square kernels Keras 3's torch backend handles)."""
    x, single, cl = _nchw(images, data_format)
    xf = to_float(x)
    c = xf.shape[1]

    def kernel1d(k, s):
        r = torch.arange(k, dtype=xf.dtype, device=xf.device) - (k - 1) / 2
        g = torch.exp(-0.5 * (r / s) ** 2)
        return g / g.sum()
    kw, kh = int(kernel_size[0]), int(kernel_size[1])
    k2 = kernel1d(kh, sigma[1])[:, None] * kernel1d(kw, sigma[0])[None, :]
    weight = k2.expand(c, 1, kh, kw)
    padded = F.pad(xf, ((kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2))
    return _back(F.conv2d(padded, weight, groups=c).to(xf.dtype), single, cl)



__all__ = ["resize", "rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb", "extract_patches", "affine_transform",
           "crop_images", "pad_images", "gaussian_blur", "map_coordinates", "perspective_transform", "sobel_edges",
           "extract_patches_3d", "ssim", "scale_and_translate", "elastic_transform"]
