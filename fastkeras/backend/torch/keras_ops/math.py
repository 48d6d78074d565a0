"""keras.ops.math on PyTorch."""
import torch

from fastkeras.backend.torch.keras_ops._common import tensor, to_float


def logsumexp(x, axis=None, keepdims=False):
    x = to_float(tensor(x))
    dims = tuple(range(x.dim())) if axis is None else (tuple(axis) if isinstance(axis, (list, tuple)) else (axis,))
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


def top_k(x, k, sorted=True):  # noqa: A002 - Keras name
    values, indices = torch.topk(tensor(x), int(k), dim=-1, largest=True, sorted=True)
    return values, indices.to(torch.int32)


def in_top_k(targets, predictions, k):
    targets, predictions = tensor(targets).long(), to_float(tensor(predictions))
    target_values = torch.gather(predictions, -1, targets.reshape(-1, 1))
    # Ties count in the target's favour, as Keras 3 does: only strictly larger predictions push it out.
    larger = torch.sum(predictions > target_values, dim=-1)
    return (larger < k) & torch.isfinite(target_values.squeeze(-1))


def _segment(data, segment_ids, num_segments, reduce):
    data, ids = tensor(data), tensor(segment_ids).long()
    n = int(ids.max().item()) + 1 if num_segments is None else int(num_segments)
    valid = (ids >= 0) & (ids < n)
    ids_safe = torch.where(valid, ids, torch.zeros_like(ids))
    shape = (n,) + tuple(data.shape[1:])
    idx = ids_safe.reshape((-1,) + (1,) * (data.dim() - 1)).expand_as(data)
    mask = valid.reshape((-1,) + (1,) * (data.dim() - 1)).expand_as(data)
    if reduce == "sum":
        src = torch.where(mask, data, torch.zeros_like(data))
        return torch.zeros(shape, dtype=data.dtype, device=data.device).scatter_add(0, idx, src)
    init = {"amax": -torch.inf, "amin": torch.inf, "prod": 1}[reduce]
    if not data.dtype.is_floating_point and reduce != "prod":
        info = torch.iinfo(data.dtype)
        init = info.min if reduce == "amax" else info.max
    neutral = torch.full_like(data, init)
    src = torch.where(mask, data, neutral)
    out = torch.full(shape, init, dtype=data.dtype, device=data.device)
    return out.scatter_reduce(0, idx, src, reduce=reduce, include_self=True)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    return _segment(data, segment_ids, num_segments, "sum")


def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    return _segment(data, segment_ids, num_segments, "amax")


def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    return _segment(data, segment_ids, num_segments, "amin")


def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    return _segment(data, segment_ids, num_segments, "prod")


def rsqrt(x):
    return torch.rsqrt(to_float(tensor(x)))


def erf(x):
    return torch.erf(to_float(tensor(x)))


def erfc(x):
    return torch.erfc(to_float(tensor(x)))


def erfinv(x):
    return torch.erfinv(to_float(tensor(x)))


def logdet(x):
    return torch.logdet(to_float(tensor(x)))


def extract_sequences(x, sequence_length, sequence_stride):
    x = tensor(x)
    return x.unfold(-1, int(sequence_length), int(sequence_stride))


def _complex_pair(x):
    real, imag = x
    real, imag = to_float(tensor(real)), to_float(tensor(imag))
    return torch.complex(real, imag.to(real.dtype))


def _split_complex(z):
    return torch.real(z).contiguous(), torch.imag(z).contiguous()


def fft(x):
    return _split_complex(torch.fft.fft(_complex_pair(x)))


def fft2(x):
    return _split_complex(torch.fft.fft2(_complex_pair(x)))


def ifft2(x):
    return _split_complex(torch.fft.ifft2(_complex_pair(x)))


def rfft(x, fft_length=None):
    return _split_complex(torch.fft.rfft(to_float(tensor(x)), n=fft_length))


def irfft(x, fft_length=None):
    return torch.fft.irfft(_complex_pair(x), n=fft_length)


def _window(window, length, dtype, device):
    if window is None:
        return None
    if isinstance(window, str):
        if window == "hann":
            return torch.hann_window(length, periodic=True, dtype=dtype, device=device)
        if window == "hamming":
            return torch.hamming_window(length, periodic=True, dtype=dtype, device=device)
        raise ValueError(f"Invalid window {window!r}: expected 'hann', 'hamming', a tensor or None.")
    return tensor(window).to(dtype)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x = to_float(tensor(x))
    win = _window(window, sequence_length, x.dtype, x.device)
    if win is not None and sequence_length < fft_length:
        left = (fft_length - sequence_length) // 2
        win = torch.nn.functional.pad(win, (left, fft_length - sequence_length - left))
    elif win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
        if sequence_length < fft_length:
            left = (fft_length - sequence_length) // 2
            win = torch.nn.functional.pad(win, (left, fft_length - sequence_length - left))
    lead = x.shape[:-1]
    flat = x.reshape(-1, x.shape[-1])
    z = torch.stft(flat, n_fft=fft_length, hop_length=sequence_stride, win_length=fft_length, window=win,
                   center=center, pad_mode="reflect", return_complex=True, onesided=True)
    z = z.transpose(-1, -2).reshape(lead + (z.shape[-1], z.shape[-2]))
    return _split_complex(z)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    z = _complex_pair(x)
    win = _window(window, sequence_length, z.real.dtype, z.device)
    if win is None:
        win = torch.ones(sequence_length, dtype=z.real.dtype, device=z.device)
    if sequence_length < fft_length:
        left = (fft_length - sequence_length) // 2
        win = torch.nn.functional.pad(win, (left, fft_length - sequence_length - left))
    lead = z.shape[:-2]
    flat = z.reshape((-1,) + tuple(z.shape[-2:])).transpose(-1, -2)
    out = torch.istft(flat, n_fft=fft_length, hop_length=sequence_stride, win_length=fft_length, window=win,
                      center=center, length=length)
    return out.reshape(lead + (out.shape[-1],))


def cdist(x, y):
    a, b = to_float(tensor(x)), to_float(tensor(y))
    return torch.cdist(a, b.to(a.dtype))


def view_as_complex(x):
    x = to_float(tensor(x))
    return torch.view_as_complex(x.contiguous())


def view_as_real(x):
    return torch.view_as_real(tensor(x))


__all__ = ["logsumexp", "top_k", "in_top_k", "segment_sum", "segment_max", "segment_min", "segment_prod", "rsqrt",
           "erf", "erfc", "erfinv", "logdet", "extract_sequences", "fft", "fft2", "ifft2", "rfft", "irfft", "stft",
           "istft", "cdist", "view_as_complex", "view_as_real"]
