"""keras.ops.image.scale_and_translate on PyTorch (the semantics of jax.image.scale_and_translate, which Keras 3
follows): every spatial axis is resampled separately by a matrix of filter weights.

Pixels are half-centred: output index ``o`` along an axis samples the input at ``(o + 0.5 - translation) / scale
- 0.5``. With ``antialias`` and a downscale, the filter is widened by ``1 / scale``. Each output's weights are
normalized to sum to 1 (or zeroed when they nearly cancel), and outputs sampling outside the input are 0.
"""
import math

import torch

from fastkeras.backend.torch.keras_ops._common import tensor

_METHOD_KERNELS = {"linear": "linear", "bilinear": "linear", "trilinear": "linear",
                   "cubic": "cubic", "bicubic": "cubic", "tricubic": "cubic",
                   "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def _triangle(x):
    return torch.clamp(1.0 - x, min=0.0)


def _keys_cubic(x):
    # Keys' cubic convolution kernel with a = -0.5, for x >= 0
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return torch.where(x >= 2.0, torch.zeros_like(x), torch.where(x >= 1.0, far, near))


def _lanczos(radius):
    def kernel(x):
        y = radius * torch.sin(math.pi * x) * torch.sin(math.pi * x / radius)
        safe = torch.where(x != 0, math.pi ** 2 * x ** 2, torch.ones_like(x))
        out = torch.where(x > 1e-3, y / safe, torch.ones_like(x))
        return torch.where(x > radius, torch.zeros_like(x), out)
    return kernel


_KERNELS = {"linear": _triangle, "cubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def _weights(input_size, output_size, scale, translation, kernel, antialias, dtype, device):
    """(input_size, output_size) resampling weights of one axis."""
    inv_scale = 1.0 / scale
    widen = torch.clamp(inv_scale, min=1.0) if antialias else 1.0
    samples = (torch.arange(output_size, dtype=dtype, device=device) + 0.5) * inv_scale - translation * inv_scale \
        - 0.5
    distance = torch.abs(samples[None, :] - torch.arange(input_size, dtype=dtype, device=device)[:, None]) / widen
    weights = kernel(distance)
    total = weights.sum(dim=0, keepdim=True)
    usable = torch.abs(total) > 1000.0 * float(torch.finfo(torch.float32).eps)
    weights = torch.where(usable, weights / torch.where(total != 0, total, torch.ones_like(total)),
                          torch.zeros_like(weights))
    inside = (samples >= -0.5) & (samples <= input_size - 0.5)
    return torch.where(inside[None, :], weights, torch.zeros_like(weights))


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method, antialias=True):
    if method not in _METHOD_KERNELS:
        raise ValueError(f"scale_and_translate: `method` should be one of {tuple(_METHOD_KERNELS)}. "
                         f"Received: method={method!r}")
    x = tensor(images)
    scale, translation = tensor(scale), tensor(translation)
    param_dtype = torch.promote_types(scale.dtype, translation.dtype)
    if not param_dtype.is_floating_point:
        param_dtype = torch.float32
    scale, translation = scale.to(param_dtype), translation.to(param_dtype)
    if len(spatial_dims) == 0:
        return x
    integer = not x.dtype.is_floating_point
    out = x.to(torch.float32) if integer else x.clone()
    kernel = _KERNELS[_METHOD_KERNELS[method]]
    for i, axis in enumerate(spatial_dims):
        axis = axis % x.dim()
        w = _weights(x.shape[axis], output_shape[axis], scale[i], translation[i], kernel, antialias, param_dtype,
                     x.device).to(out.dtype)
        out = torch.moveaxis(torch.tensordot(out, w, dims=([axis], [0])), -1, axis)
    if integer:
        out = torch.clamp(torch.round(out), x.min().item(), x.max().item()).to(x.dtype)
    return out
