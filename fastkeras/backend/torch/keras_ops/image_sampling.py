"""keras.ops.image's ``map_coordinates``, ``perspective_transform``, ``elastic_transform`` and ``sobel_edges`` on
PyTorch.

``map_coordinates`` follows scipy.ndimage's convention, as Keras 3 does: coordinate ``i`` along an axis is the
centre of element ``i``; order 0 takes the nearest element (ties to even), order 1 interpolates linearly between
the two neighbours. Outside the input, ``fill_mode`` maps a neighbour's index back inside (``nearest``: clamp;
``wrap``: periodic; ``mirror``: reflect about the edge elements' centres; ``reflect``: about the edges
themselves), or, for ``constant``, a neighbour outside counts as ``fill_value``.
"""
import itertools

import torch
import torch.nn.functional as F

from fastkeras.backend.config import normalize_data_format
from fastkeras.backend.torch.keras_ops._common import tensor, to_float

_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _mirror(index, size):
    # A triangle wave of period 2 (size - 1): ... 2 1 0 1 2 ... size-1 size-2 ...
    if size == 1:
        return torch.zeros_like(index)
    half = size - 1
    return torch.abs(torch.remainder(index + half, 2 * half) - half)


def _inside_index(index, size, fill_mode):
    if fill_mode in ("constant", "nearest"):
        return index.clamp(0, size - 1)
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "mirror":
        return _mirror(index, size)
    # reflect: mirror on the doubled grid of element edges, then back to element indices
    return torch.div(_mirror(2 * index + 1, 2 * size + 1) - 1, 2, rounding_mode="floor")


def _neighbours(coordinate, order):
    """(index, weight) pairs an axis contributes for each coordinate."""
    if order == 0:
        return [(torch.round(coordinate).to(torch.int64), None)]
    lower = torch.floor(coordinate)
    upper_weight = coordinate - lower
    lower = lower.to(torch.int64)
    return [(lower, 1 - upper_weight), (lower + 1, upper_weight)]


def _check_fill_mode(fill_mode, op):
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"{op}: `fill_mode` should be one of {set(_FILL_MODES)}. Received: fill_mode={fill_mode}")


def _interpolate(values, leading, coords, order, fill_mode, fill_value):
    """Sum over the neighbour corners of ``values[(*leading, *corner indices)] * weight``; ``leading`` are exact
    integer indices for the first axes, ``coords`` (float) are interpolated along the remaining ones."""
    per_axis = []
    for coordinate, size in zip(coords, values.shape[len(leading):]):
        nodes = []
        for index, weight in _neighbours(coordinate, order):
            valid = (index >= 0) & (index < size) if fill_mode == "constant" else None
            nodes.append((_inside_index(index, size, fill_mode), valid, weight))
        per_axis.append(nodes)
    fill = torch.as_tensor(fill_value, dtype=values.dtype, device=values.device)
    result = None
    for corner in itertools.product(*per_axis):
        indices, valids, weights = zip(*corner)
        contribution = values[(*leading, *indices)]
        masks = [v for v in valids if v is not None]
        if masks:
            all_valid = masks[0]
            for mask in masks[1:]:
                all_valid = all_valid & mask
            contribution = torch.where(all_valid, contribution, fill)
        weight = None
        for w in weights:
            if w is not None:
                weight = w if weight is None else weight * w
        term = contribution if weight is None else weight * contribution
        result = term if result is None else result + term
    if not values.dtype.is_floating_point and result.dtype.is_floating_point:
        result = torch.round(result)
    return result.to(values.dtype)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0.0):
    values = tensor(inputs)
    coords = [tensor(c) for c in coordinates]
    if len(coords) != values.dim():
        raise ValueError(f"map_coordinates: `coordinates` should hold one array per axis of `inputs` "
                         f"({values.dim()}); received {len(coords)}.")
    if coords and coords[0].dim() < 1:
        raise ValueError(f"map_coordinates: `coordinates` should have rank 2 or more; received shape "
                         f"{(len(coords),) + tuple(coords[0].shape)}.")
    _check_fill_mode(fill_mode, "map_coordinates")
    if order not in (0, 1):
        raise NotImplementedError(f"map_coordinates supports order 0 and 1; received order={order}.")
    coords = [c if c.dtype.is_floating_point else to_float(c) for c in coords]
    return _interpolate(values, (), coords, order, fill_mode, fill_value)


def sample_planes(batch, y_in, x_in, order, fill_mode, fill_value):
    """Samples every channel of image ``i`` of ``batch`` (n, h, w, c) at the points ``(y_in[i], x_in[i])``
    (each (h, w)) as ``map_coordinates`` would; returns (n, h, w, c)."""
    n, h, w, c = batch.shape
    planes = batch.permute(0, 3, 1, 2).reshape(n * c, h, w)
    y = y_in.unsqueeze(1).expand(n, c, h, w).reshape(n * c, h, w)
    x = x_in.unsqueeze(1).expand(n, c, h, w).reshape(n * c, h, w)
    plane = torch.arange(n * c, device=batch.device).reshape(n * c, 1, 1)
    out = _interpolate(planes, (plane,), [y, x], order, fill_mode, fill_value)
    return out.reshape(n, c, h, w).permute(0, 2, 3, 1)


def _homographies(start_points, end_points):
    """The 8 projective coefficients per batch element that send each end point to its start point:
    x_start = (a0 x + a1 y + a2) / (a6 x + a7 y + 1), y_start = (a3 x + a4 y + a5) / (a6 x + a7 y + 1)."""
    x, y = end_points[..., 0], end_points[..., 1]
    xs, ys = start_points[..., 0], start_points[..., 1]
    one, zero = torch.ones_like(x), torch.zeros_like(x)
    rows_x = torch.stack([x, y, one, zero, zero, zero, -xs * x, -xs * y], dim=-1)
    rows_y = torch.stack([zero, zero, zero, x, y, one, -ys * x, -ys * y], dim=-1)
    system = torch.stack([rows_x, rows_y], dim=2).reshape(x.shape[0], 8, 8)
    targets = torch.stack([xs, ys], dim=-1).reshape(x.shape[0], 8, 1)
    solve_dtype = torch.promote_types(system.dtype, torch.float32)
    return torch.linalg.solve(system.to(solve_dtype), targets.to(solve_dtype)).reshape(-1, 8).to(system.dtype)


def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                          data_format=None):
    channels_last = normalize_data_format(data_format) == "channels_last"
    x = tensor(images)
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"perspective_transform: `interpolation` should be 'nearest' or 'bilinear'. "
                         f"Received: interpolation={interpolation}")
    if x.dim() not in (3, 4):
        raise ValueError(f"perspective_transform expects images of rank 3 (one image) or 4 (a batch); received "
                         f"shape {tuple(x.shape)}.")
    dtype = x.dtype if x.dtype.is_floating_point else torch.float32
    start, end = tensor(start_points).to(dtype), tensor(end_points).to(dtype)
    for name, points in (("start_points", start), ("end_points", end)):
        if points.dim() not in (2, 3) or tuple(points.shape[-2:]) != (4, 2):
            raise ValueError(f"perspective_transform: `{name}` should have shape (4, 2) or (batch, 4, 2); "
                             f"received {tuple(points.shape)}.")
    if start.shape != end.shape:
        raise ValueError(f"perspective_transform: `start_points` and `end_points` should have the same shape; "
                         f"received {tuple(start.shape)} and {tuple(end.shape)}.")
    single = x.dim() == 3
    batch = x.unsqueeze(0) if single else x
    if not channels_last:
        batch = batch.permute(0, 2, 3, 1)
    n, h, w, c = batch.shape
    start = start.unsqueeze(0) if start.dim() == 2 else start
    end = end.unsqueeze(0) if end.dim() == 2 else end
    coefficients = _homographies(start, end).expand(n, 8) if start.shape[0] == 1 else _homographies(start, end)
    ys, xs = torch.meshgrid(torch.arange(h, dtype=dtype, device=batch.device),
                            torch.arange(w, dtype=dtype, device=batch.device), indexing="ij")
    a = [coefficients[:, i].reshape(n, 1, 1) for i in range(8)]
    denominator = a[6] * xs + a[7] * ys + 1.0
    x_in = (a[0] * xs + a[1] * ys + a[2]) / denominator
    y_in = (a[3] * xs + a[4] * ys + a[5]) / denominator
    out = sample_planes(batch, y_in, x_in, 0 if interpolation == "nearest" else 1, "constant", fill_value)
    if not channels_last:
        out = out.permute(0, 3, 1, 2)
    return out.squeeze(0) if single else out


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                      seed=None, data_format=None):
    """Moves every pixel by a random displacement field: standard normal noise per pixel and axis, times
    ``sigma``, smoothed by a Gaussian of deviation ``sigma`` (a ``int(6 sigma) | 1`` kernel, zeros outside), times
    ``alpha``; the image is sampled there with ``fill_mode``. One field per image, shared by its channels."""
    from fastkeras.backend.torch.keras_ops.image import gaussian_blur
    from fastkeras.backend.torch.keras_ops.random import _generator
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"elastic_transform: `interpolation` should be 'nearest' or 'bilinear'. "
                         f"Received: interpolation={interpolation}")
    _check_fill_mode(fill_mode, "elastic_transform")
    x = tensor(images)
    if x.dim() not in (3, 4):
        raise ValueError(f"elastic_transform expects images of rank 3 (one image) or 4 (a batch); received shape "
                         f"{tuple(x.shape)}.")
    channels_last = normalize_data_format(data_format) == "channels_last"
    single = x.dim() == 3
    batch = x.unsqueeze(0) if single else x
    if not channels_last:
        batch = batch.permute(0, 2, 3, 1)
    n, h, w, _ = batch.shape
    dtype = batch.dtype if batch.dtype.is_floating_point else torch.float32
    sigma, alpha = float(sigma), float(alpha)
    size = int(6 * sigma) | 1
    generator = _generator(seed)

    def smooth_noise():
        noise = torch.empty((n, h, w, 1), dtype=dtype, device=batch.device).normal_(generator=generator) * sigma
        return gaussian_blur(noise, kernel_size=(size, size), sigma=(sigma, sigma))[..., 0]
    dx, dy = smooth_noise(), smooth_noise()
    ys, xs = torch.meshgrid(torch.arange(h, dtype=dtype, device=batch.device),
                            torch.arange(w, dtype=dtype, device=batch.device), indexing="ij")
    out = sample_planes(batch, ys + alpha * dy, xs + alpha * dx, 0 if interpolation == "nearest" else 1, fill_mode,
                        fill_value)
    if not channels_last:
        out = out.permute(0, 3, 1, 2)
    return out.squeeze(0) if single else out


def sobel_edges(images, data_format=None):
    """(dy, dx) Sobel responses per channel, zero-padded at the borders, on a new last axis of size 2:
    ``(batch, height, width, channels, 2)`` (channels_first: ``(batch, channels, height, width, 2)``)."""
    channels_last = normalize_data_format(data_format) == "channels_last"
    x = tensor(images)
    if x.dim() != 4:
        raise ValueError(f"sobel_edges expects a batch of images of rank 4; received shape {tuple(x.shape)}.")
    planes = x.permute(0, 3, 1, 2) if channels_last else x
    c = planes.shape[1]
    smooth = torch.tensor([1.0, 2.0, 1.0], dtype=planes.dtype, device=planes.device)
    slope = torch.tensor([-1.0, 0.0, 1.0], dtype=planes.dtype, device=planes.device)
    kernel_y = (slope[:, None] * smooth[None, :]).expand(c, 1, 3, 3)
    kernel_x = (smooth[:, None] * slope[None, :]).expand(c, 1, 3, 3)
    dy = F.conv2d(planes, kernel_y, padding=1, groups=c)
    dx = F.conv2d(planes, kernel_x, padding=1, groups=c)
    edges = torch.stack([dy, dx], dim=-1)
    return edges.permute(0, 2, 3, 1, 4) if channels_last else edges
