"""keras.ops.nn on PyTorch: activations, losses, convolutions and pooling with Keras 3's arguments."""
import math as _math

import torch
import torch.nn.functional as F

from fastkeras.backend.config import epsilon as _epsilon, floatx, normalize_data_format
from fastkeras.backend.torch import ops as _k
from fastkeras.backend.torch.core import torch_dtype
from fastkeras.backend.torch.keras_ops._common import tensor, to_float


def _f(x):
    return to_float(tensor(x))


# ---- activations ----------------------------------------------------------------------------------

def relu(x):
    return F.relu(_f(x))


def relu6(x):
    return F.relu6(_f(x))


def sigmoid(x):
    return torch.sigmoid(_f(x))


def sparse_sigmoid(x):
    x = _f(x)
    return torch.clamp(0.5 * (x + 1.0), 0.0, 1.0)


def softplus(x):
    return F.softplus(_f(x))


def softsign(x):
    return F.softsign(_f(x))


def sparse_plus(x):
    x = _f(x)
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, 0.25 * torch.square(x + 1)))


def silu(x):
    return F.silu(_f(x))


swish = silu


def squareplus(x, b=4):
    x = _f(x)
    return (x + torch.sqrt(torch.square(x) + b)) / 2


def log_sigmoid(x):
    return F.logsigmoid(_f(x))


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(_f(x), negative_slope)


def hard_sigmoid(x):
    return F.hardsigmoid(_f(x))


def hard_silu(x):
    return F.hardswish(_f(x))


hard_swish = hard_silu


def elu(x, alpha=1.0):
    return F.elu(_f(x), alpha)


def selu(x):
    return F.selu(_f(x))


def celu(x, alpha=1.0):
    return F.celu(_f(x), alpha)


def gelu(x, approximate=True):
    return F.gelu(_f(x), approximate="tanh" if approximate else "none")


def glu(x, axis=-1):
    return F.glu(_f(x), dim=axis)


def tanh_shrink(x):
    return F.tanhshrink(_f(x))


def hard_tanh(x):
    return F.hardtanh(_f(x))


def hard_shrink(x, threshold=0.5):
    return F.hardshrink(_f(x), threshold)


def soft_shrink(x, threshold=0.5):
    return F.softshrink(_f(x), threshold)


def threshold(x, threshold, default_value):
    x = _f(x)
    return torch.where(x > threshold, x, torch.as_tensor(default_value, dtype=x.dtype, device=x.device))


def softmax(x, axis=-1):
    x = _f(x)
    if isinstance(axis, (list, tuple)):
        return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))
    return F.softmax(x, dim=axis)


def log_softmax(x, axis=-1):
    x = _f(x)
    if isinstance(axis, (list, tuple)):
        return x - torch.logsumexp(x, dim=tuple(axis), keepdim=True)
    return F.log_softmax(x, dim=axis)


def sparsemax(x, axis=-1):
    x = _f(x)
    z = torch.movedim(x, axis, -1)
    sorted_z = torch.sort(z, dim=-1, descending=True).values
    k = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype, device=z.device)
    cums = torch.cumsum(sorted_z, dim=-1)
    support = (1 + k * sorted_z) > cums
    k_z = torch.sum(support, dim=-1, keepdim=True).to(z.dtype)
    tau = (torch.gather(cums, -1, k_z.long() - 1) - 1) / k_z
    return torch.movedim(torch.clamp(z - tau, min=0), -1, axis)


# ---- normalization and statistics -----------------------------------------------------------------

def moments(x, axes, keepdims=False, synchronized=False):
    x = tensor(x)
    compute = x if x.dtype in (torch.float32, torch.float64) else x.float()
    dims = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    mean = torch.mean(compute, dim=dims, keepdim=True)
    var = torch.mean(torch.square(compute - mean), dim=dims, keepdim=True)
    if not keepdims:
        mean, var = mean.squeeze(dims), var.squeeze(dims)
    target = x.dtype if x.dtype.is_floating_point else torch_dtype(floatx())
    return mean.to(target), var.to(target)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _f(x)
    shape = [1] * x.dim()
    shape[axis] = x.shape[axis]

    def b(v):
        return tensor(v).to(x.dtype).reshape(shape)
    inv = torch.rsqrt(b(variance) + epsilon)
    if scale is not None:
        inv = inv * b(scale)
    out = (x - b(mean)) * inv
    return out + b(offset) if offset is not None else out


def normalize(x, axis=-1, order=2, epsilon=None):
    x = _f(x)
    eps = _epsilon() if epsilon is None else epsilon
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=eps)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    x = _f(x)
    eps = _epsilon() if epsilon is None else epsilon
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    mean = torch.mean(x, dim=dims, keepdim=True)
    var = torch.mean(torch.square(x - mean), dim=dims, keepdim=True)
    out = (x - mean) * torch.rsqrt(var + eps)
    if gamma is not None:
        out = out * tensor(gamma).to(x.dtype)
    if beta is not None:
        out = out + tensor(beta).to(x.dtype)
    return out


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    x = _f(x)
    eps = _epsilon() if epsilon is None else epsilon
    dims = sorted(a % x.dim() for a in (axis if isinstance(axis, (list, tuple)) else (axis,)))
    # As Keras 3: computed in float32 at least (half-precision inputs), returned in the input's dtype.
    xc = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    scale = None if scale is None else tensor(scale).to(xc.dtype)
    trailing = tuple(xc.shape[x.dim() - len(dims):])
    if dims == list(range(x.dim() - len(dims), x.dim())) and (scale is None or tuple(scale.shape) == trailing):
        out = F.rms_norm(xc, trailing, scale, eps)  # the fused kernel Keras 3's torch backend calls
    else:
        out = xc * torch.rsqrt(torch.mean(torch.square(xc), dim=dims, keepdim=True) + eps)
        out = out * scale if scale is not None else out
    return out.to(x.dtype)


def psnr(x1, x2, max_val):
    a, b = _f(x1), _f(x2)
    mse = torch.mean(torch.square(a - b))
    return 20 * _math.log10(max_val) - 10 * torch.log10(mse)


# ---- one-hot encodings ----------------------------------------------------------------------------

def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    x = tensor(x).long()
    valid = (x >= 0) & (x < num_classes)
    out = F.one_hot(torch.where(valid, x, torch.zeros_like(x)), num_classes) * valid.unsqueeze(-1)
    out = out.to(torch_dtype(dtype))
    return torch.movedim(out, -1, axis) if axis != -1 else out


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    num_classes = kwargs.pop("num_tokens", num_classes)
    x = tensor(inputs)
    squeeze = x.dim() == 1
    if squeeze:
        x = x.unsqueeze(0)
    out = torch.amax(one_hot(x, num_classes, axis=-1, dtype="int32"), dim=-2).to(torch_dtype(dtype))
    if squeeze:
        out = out.squeeze(0)
    return torch.movedim(out, -1, axis) if axis != -1 else out


# ---- losses ---------------------------------------------------------------------------------------

def binary_crossentropy(target, output, from_logits=False):
    target, output = _f(target), _f(output)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target.to(output.dtype), reduction="none")
    output = torch.clamp(output, _epsilon(), 1.0 - _epsilon())
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _f(target), _f(output)
    if from_logits:
        return -torch.sum(target * F.log_softmax(output, dim=axis), dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    output = torch.clamp(output, _epsilon(), 1.0 - _epsilon())
    return -torch.sum(target * torch.log(output), dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = tensor(target), _f(output)
    if target.dim() == output.dim() and target.shape[-1] == 1:
        target = target.squeeze(-1)
    onehot = one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return categorical_crossentropy(onehot, output, from_logits=from_logits, axis=axis)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss per sample: ``target`` (batch, max_label) ints, ``output`` (batch, steps, classes) logits."""
    target, output = tensor(target).long(), _f(output)
    log_probs = F.log_softmax(output, dim=-1).transpose(0, 1)
    out = F.ctc_loss(log_probs, target, tensor(output_length).long().reshape(-1),
                     tensor(target_length).long().reshape(-1), blank=mask_index, reduction="none",
                     zero_infinity=False)
    return out.to(output.dtype)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """Greedy CTC decoding: (decoded (1, batch, steps) int32 padded with -1, scores (batch, 1))."""
    if strategy != "greedy":
        decoded, log_probs = _k.ctc_decode(torch.softmax(_f(inputs), -1), sequence_lengths, greedy=False,
                                           beam_width=beam_width, top_paths=top_paths)
        return torch.stack([tensor(d).to(torch.int32) for d in decoded]), log_probs
    x = _f(inputs)
    lengths = tensor(sequence_lengths).long().reshape(-1)
    batch, steps, _ = x.shape
    best = torch.argmax(x, dim=-1)
    scores = torch.max(F.log_softmax(x, -1), dim=-1).values
    mask = torch.arange(steps, device=x.device)[None, :] < lengths[:, None]
    keep = mask & (best != mask_index)
    if merge_repeated:
        prev = torch.cat([torch.full_like(best[:, :1], -1), best[:, :-1]], dim=1)
        keep = keep & (best != prev)
    out = torch.full((batch, steps), -1, dtype=torch.int32, device=x.device)
    for b in range(batch):
        vals = best[b][keep[b]]
        out[b, :vals.numel()] = vals.to(torch.int32)
    return out.unsqueeze(0), -torch.sum(scores * mask, dim=1, keepdim=True)


# ---- convolutions and pooling ---------------------------------------------------------------------

def _rank(inputs):
    return tensor(inputs).dim() - 2


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    inputs, kernel = _f(inputs), tensor(kernel)
    return _k._convnd(inputs, kernel.to(inputs.dtype), strides, padding, data_format, dilation_rate, _rank(inputs))


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    inputs, kernel = _f(inputs), tensor(kernel)
    rank = _rank(inputs)
    return _k._convnd(inputs, _k._depthwise_kernel(kernel.to(inputs.dtype), rank), strides, padding, data_format,
                      dilation_rate, rank)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    out = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(out, pointwise_kernel, 1, "valid", data_format, 1)


def _deconv_length(size, k, s, d, padding, output_padding):
    kd = k + (k - 1) * (d - 1)
    if output_padding is None:
        if padding == "valid":
            return size * s + max(kd - s, 0)
        if padding == "same":
            return size * s
        return size * s - (s + kd - 2)
    pad = {"same": kd // 2, "valid": 0, "full": kd - 1}[padding]
    return (size - 1) * s + kd - 2 * pad + output_padding


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """Keras 3's transposed convolution: ``kernel`` (*k, out, in); the output length follows Keras 3's
    ``compute_conv_transpose_output_shape``."""
    inputs, kernel = _f(inputs), tensor(kernel)
    rank = _rank(inputs)
    data_format = normalize_data_format(data_format)
    strides = _k._int_tuple(strides, rank, "strides")
    dilation = _k._int_tuple(dilation_rate, rank, "dilation_rate")
    out_pad = (None,) * rank if output_padding is None else _k._int_tuple(output_padding, rank, "output_padding")
    spatial = inputs.shape[1:-1] if data_format == "channels_last" else inputs.shape[2:]
    lengths = [_deconv_length(spatial[i], kernel.shape[i], strides[i], dilation[i], padding.lower(), out_pad[i])
               for i in range(rank)]
    filters = kernel.shape[rank]
    shape = (inputs.shape[0], *lengths, filters) if data_format == "channels_last" else \
        (inputs.shape[0], filters, *lengths)
    return _k._conv_transpose_nd(inputs, kernel.to(inputs.dtype), shape, strides, padding, data_format, dilation,
                                 rank)


def _pool(inputs, pool_size, strides, padding, data_format, mode):
    x = _f(inputs)
    rank = x.dim() - 2
    strides = pool_size if strides is None else strides
    if rank == 1:
        data_format = normalize_data_format(data_format)
        axis = 1 if data_format == "channels_last" else 2
        size = pool_size if isinstance(pool_size, int) else pool_size[0]
        stride = strides if isinstance(strides, int) else strides[0]
        out = _k._poolnd(x.unsqueeze(axis), (1, size), (1, stride), padding, data_format, mode, 2)
        return out.squeeze(axis)
    return _k._poolnd(x, pool_size, strides, padding, data_format, mode, rank)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool(inputs, pool_size, strides, padding, data_format, "max")


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool(inputs, pool_size, strides, padding, data_format, "avg")


def _adaptive(inputs, output_size, data_format, fns):
    x = _f(inputs)
    rank = x.dim() - 2
    data_format = normalize_data_format(data_format)
    xc = x if data_format == "channels_first" else x.movedim(-1, 1)
    out = fns[rank](xc, output_size)
    return out if data_format == "channels_first" else out.movedim(1, -1)


def adaptive_average_pool(inputs, output_size, data_format=None):
    return _adaptive(inputs, output_size, data_format,
                     {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d})


def adaptive_max_pool(inputs, output_size, data_format=None):
    return _adaptive(inputs, output_size, data_format,
                     {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d})


def depth_to_space(x, block_size, data_format="channels_last"):
    x = tensor(x)
    if data_format == "channels_last":
        n, h, w, c = x.shape
        out = x.reshape(n, h, w, block_size, block_size, c // block_size ** 2).permute(0, 1, 3, 2, 4, 5)
        return out.reshape(n, h * block_size, w * block_size, c // block_size ** 2)
    return F.pixel_shuffle(x, block_size)


def space_to_depth(x, block_size, data_format="channels_last"):
    x = tensor(x)
    if data_format == "channels_last":
        n, h, w, c = x.shape
        out = x.reshape(n, h // block_size, block_size, w // block_size, block_size, c).permute(0, 1, 3, 2, 4, 5)
        return out.reshape(n, h // block_size, w // block_size, block_size * block_size * c)
    return F.pixel_unshuffle(x, block_size)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    return F.unfold(_f(x), kernel_size, dilation=dilation, padding=padding, stride=stride)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    return F.fold(_f(x), output_size, kernel_size, dilation=dilation, padding=padding, stride=stride)


def polar(abs_, angle):
    a, t = _f(abs_), _f(angle)
    return torch.polar(a, t.to(a.dtype))


def _large_negative(dtype):
    # Keras 3's torch backend: 70% of the most negative finite value (float16: of 65500).
    return -0.7 * (65500.0 if dtype == torch.float16 else 3.38953e38)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """(batch, seq, heads, dim) inputs, as Keras 3 takes them. Key and value may have fewer heads than the
    query (grouped-query attention): each of their heads serves ``query_heads // kv_heads`` consecutive query
    heads. Runs torch's fused ``scaled_dot_product_attention`` as Keras 3's torch backend does (a boolean mask
    becomes an additive one of large negative values, so a wholly masked row attends uniformly)."""
    q, k, v = _f(query), _f(key), _f(value)
    if q.dim() != 4 or k.dim() != 4 or v.dim() != 4:
        raise ValueError("`dot_product_attention` only supports 4D inputs. Received: "
                         f"query.shape={tuple(q.shape)}, key.shape={tuple(k.shape)}, value.shape={tuple(v.shape)}.")
    if bias is not None and mask is not None:
        raise ValueError("Only one of `bias` and `mask` can be provided. Received both.")
    dtype = torch.promote_types(torch.promote_types(q.dtype, k.dtype), v.dtype)
    q, k, v = q.to(dtype), k.to(dtype), v.to(dtype)
    scale = 1.0 / _math.sqrt(q.shape[-1]) if scale is None else scale
    heads, kv_heads = q.shape[2], k.shape[2]
    if attn_logits_soft_cap is not None:
        # The cap applies between the product and the softmax, which the fused kernel cannot do.
        if kv_heads != heads:
            k = k.repeat_interleave(heads // kv_heads, dim=2)
            v = v.repeat_interleave(heads // kv_heads, dim=2)
        logits = torch.einsum("btnh,bsnh->bnts", q, k) * scale
        logits = torch.tanh(logits / attn_logits_soft_cap) * attn_logits_soft_cap
        if bias is not None:
            logits = logits + tensor(bias).to(logits.dtype)
        if mask is not None:
            logits = torch.where(tensor(mask).bool(), logits, _large_negative(logits.dtype))
        if is_causal:
            t, s = logits.shape[-2:]
            causal = torch.ones(t, s, dtype=torch.bool, device=logits.device).tril()
            logits = torch.where(causal, logits, _large_negative(logits.dtype))
        return torch.einsum("bnts,bsnh->btnh", torch.softmax(logits, dim=-1), v)
    attn_mask = None
    if mask is not None:
        mask = tensor(mask).bool()
        if is_causal:
            t, s = q.shape[1], k.shape[1]
            mask = mask & torch.ones(t, s, dtype=torch.bool, device=mask.device).tril()
            is_causal = False
        attn_mask = torch.where(mask, 0.0, _large_negative(dtype)).to(dtype)
    elif bias is not None:
        attn_mask = tensor(bias).to(dtype)
    out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                                         attn_mask=attn_mask, is_causal=is_causal, scale=scale,
                                         enable_gqa=kv_heads != heads)
    return out.transpose(1, 2)


__all__ = ["relu", "relu6", "sigmoid", "sparse_sigmoid", "softplus", "softsign", "sparse_plus", "silu", "swish",
           "squareplus", "log_sigmoid", "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "elu", "selu",
           "celu", "gelu", "glu", "tanh_shrink", "hard_tanh", "hard_shrink", "soft_shrink", "threshold", "softmax",
           "log_softmax", "sparsemax", "moments", "batch_normalization", "normalize", "layer_normalization",
           "rms_normalization", "psnr", "one_hot", "multi_hot", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "ctc_loss", "ctc_decode", "conv", "depthwise_conv", "separable_conv",
           "conv_transpose", "max_pool", "average_pool", "adaptive_average_pool", "adaptive_max_pool",
           "depth_to_space", "space_to_depth", "unfold", "fold", "polar", "dot_product_attention"]
