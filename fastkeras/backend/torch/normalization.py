"""Batch and layer normalization on torch: Keras 2's K functions plus the fused kernels the layers use.

Keras 2 (tf-keras) takes two routes for BatchNormalization, and they differ in
one number: on 4D/5D inputs normalized over axis 1 or the last axis it calls
TensorFlow's fused kernel, whose moving-variance update uses the *unbiased*
batch variance (Bessel's correction); everywhere else it computes the moments
itself and updates with the *biased* variance. ``torch.batch_norm`` updates its
running variance exactly like the fused kernel, so it serves the first route;
the second is composed from reductions (``moments``) and elementwise ops.
"""
import torch
import torch.nn.functional as F


def _axes_tuple(axes, ndim):
    if isinstance(axes, int):
        axes = (axes,)
    return tuple(sorted(a % ndim for a in axes))


def moments(x, axes, keepdims=False):
    """(mean, variance) of ``x`` over ``axes``; the variance is the biased one, as ``tf.nn.moments``'."""
    axes = _axes_tuple(axes, x.dim())
    variance, mean = torch.var_mean(x, dim=axes, correction=0, keepdim=keepdims)
    return mean, variance


def weighted_moments(x, axes, weights, keepdims=False):
    """(mean, variance) over ``axes`` with frequency ``weights`` broadcast against ``x``
    (``tf.nn.weighted_moments``; an all-zero weight sum gives 0 instead of NaN)."""
    axes = _axes_tuple(axes, x.dim())
    weights = weights.to(x.dtype)
    total = torch.sum(weights.expand_as(x), dim=axes, keepdim=True)
    safe_total = torch.where(total == 0, torch.ones_like(total), total)
    mean = torch.sum(weights * x, dim=axes, keepdim=True) / safe_total
    variance = torch.sum(weights * torch.square(x - mean), dim=axes, keepdim=True) / safe_total
    mean = torch.where(total == 0, torch.zeros_like(mean), mean)
    variance = torch.where(total == 0, torch.zeros_like(variance), variance)
    if not keepdims:
        mean, variance = mean.squeeze(axes), variance.squeeze(axes)
    return mean, variance


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """Keras 2 ``K.batch_normalization``: ``(x - mean) / sqrt(var + epsilon) * gamma + beta``.

    ``mean``, ``var``, ``beta`` and ``gamma`` (the last two may be None) are
    either 1-D along ``axis`` or already broadcastable against ``x``.
    """
    axis = axis % x.dim()

    def along_axis(v):
        if v is None or v.dim() != 1 or x.dim() == 1:
            return v
        shape = [1] * x.dim()
        shape[axis] = v.shape[0]
        return v.reshape(shape)

    mean, var, beta, gamma = along_axis(mean), along_axis(var), along_axis(beta), along_axis(gamma)
    # The tf.nn.batch_normalization arrangement: x * inv + (beta - mean * inv).
    inv = torch.rsqrt(var + epsilon)
    if gamma is not None:
        inv = inv * gamma
    offset = -mean * inv if beta is None else beta - mean * inv
    return x * inv + offset


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """Keras 2 ``K.normalize_batch_in_training``: (normalized x, batch mean, batch variance).

    The statistics are the biased moments over ``reduction_axes``, returned with
    those axes removed; ``gamma``/``beta`` are 1-D along the remaining axis or
    broadcastable against ``x``.
    """
    axes = _axes_tuple(reduction_axes, x.dim())
    mean, variance = moments(x, axes, keepdims=True)
    kept = [d for d in range(x.dim()) if d not in axes]
    if len(kept) == 1:
        gamma = _expand_along(gamma, x.dim(), kept[0])
        beta = _expand_along(beta, x.dim(), kept[0])
    normed = batch_normalization(x, mean, variance, beta, gamma, axis=-1, epsilon=epsilon)
    return normed, mean.squeeze(axes), variance.squeeze(axes)


def _expand_along(v, ndim, axis):
    if v is None or v.dim() != 1:
        return v
    shape = [1] * ndim
    shape[axis] = v.shape[0]
    return v.reshape(shape)


def fused_batch_norm(x, gamma, beta, moving_mean, moving_variance, axis, momentum=0.99, epsilon=1e-3,
                     training=False):
    """Batch normalization over every axis but ``axis`` by torch's fused kernel.

    Training normalizes with the batch statistics and moves ``moving_mean`` /
    ``moving_variance`` in place toward them (the variance with Bessel's
    correction, as TensorFlow's fused kernel does); inference normalizes with
    the moving statistics. ``gamma``/``beta`` may be None.
    """
    axis = axis % x.dim()
    if axis != 1:
        # A channels_last tensor viewed with its channels at dim 1 is in torch's channels_last
        # memory format already: no copy for NHWC/NDHWC.
        x = torch.movedim(x, axis, 1)
    out = F.batch_norm(x, moving_mean, moving_variance, weight=gamma, bias=beta, training=bool(training),
                       momentum=1.0 - momentum, eps=epsilon)
    return torch.movedim(out, 1, axis) if axis != 1 else out


def layer_normalization(x, axes, gamma=None, beta=None, epsilon=1e-3):
    """Normalizes each sample over ``axes`` (biased variance), then scales by ``gamma`` and shifts by ``beta``.

    ``gamma``/``beta`` hold ``x``'s sizes along ``axes`` in the order given and
    are laid onto those axes by a reshape, as tf-keras' LayerNormalization does.
    Trailing axes run as one ``torch.layer_norm`` kernel.
    """
    ndim = x.dim()
    axes = [a % ndim for a in ([axes] if isinstance(axes, int) else axes)]
    ordered = sorted(axes)
    broadcast = [x.shape[d] if d in axes else 1 for d in range(ndim)]
    if ordered[-1] == ndim - 1 and ordered[-1] - ordered[0] == len(ordered) - 1:
        normalized_shape = tuple(x.shape[ordered[0]:])
        weight = None if gamma is None else gamma.reshape(normalized_shape)
        bias = None if beta is None else beta.reshape(normalized_shape)
        return F.layer_norm(x, normalized_shape, weight, bias, epsilon)
    mean, variance = moments(x, axes, keepdims=True)
    gamma = None if gamma is None else gamma.reshape(broadcast)
    beta = None if beta is None else beta.reshape(broadcast)
    return batch_normalization(x, mean, variance, beta, gamma, axis=-1, epsilon=epsilon)


__all__ = ["batch_normalization", "fused_batch_norm", "layer_normalization", "moments", "normalize_batch_in_training",
           "weighted_moments"]
