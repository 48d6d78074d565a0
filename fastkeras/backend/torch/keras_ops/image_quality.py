"""keras.ops.image.ssim on PyTorch: the structural similarity of two images or batches of images."""
import torch
import torch.nn.functional as F

from fastkeras.backend.config import normalize_data_format
from fastkeras.backend.torch.keras_ops._common import tensor


def _gaussian_window(size, sigma, dtype, device):
    r = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2.0
    g = torch.exp(-(r ** 2) / (2.0 * sigma ** 2))
    g = g / g.sum()
    return g[:, None] * g[None, :]


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """Mean SSIM per image (a scalar for single images), as Keras 3 computes it: local means, variances and
    covariance under a ``filter_size`` Gaussian window (``filter_sigma``), only where the window fits inside the
    image ("valid"), averaged over positions, then over channels."""
    a, b = tensor(image1), tensor(image2)
    for name, x in (("image1", a), ("image2", b)):
        if x.dim() not in (3, 4):
            raise ValueError(f"ssim: `{name}` should have rank 3 (one image) or 4 (a batch); received shape "
                             f"{tuple(x.shape)}.")
    if a.shape != b.shape:
        raise ValueError(f"ssim: `image1` and `image2` should have the same shape; received {tuple(a.shape)} and "
                         f"{tuple(b.shape)}.")
    out_dtype = a.dtype
    compute = a.dtype if a.dtype.is_floating_point else torch.float32
    a, b = a.to(compute), b.to(compute)
    single = a.dim() == 3
    if single:
        a, b = a.unsqueeze(0), b.unsqueeze(0)
    if normalize_data_format(data_format) == "channels_last":
        a, b = a.permute(0, 3, 1, 2), b.permute(0, 3, 1, 2)
    n, c, h, w = a.shape
    window = _gaussian_window(int(filter_size), float(filter_sigma), compute, a.device).expand(c, 1, filter_size,
                                                                                             filter_size)

    def local_mean(x):
        return F.conv2d(x, window, groups=c)

    mu1, mu2 = local_mean(a), local_mean(b)
    var1 = local_mean(a * a) - mu1 * mu1
    var2 = local_mean(b * b) - mu2 * mu2
    cov = local_mean(a * b) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    ssim_map = (2.0 * mu1 * mu2 + c1) * (2.0 * cov + c2) / ((mu1 * mu1 + mu2 * mu2 + c1) * (var1 + var2 + c2))
    per_image = ssim_map.mean(dim=(1, 2, 3))
    result = per_image.squeeze(0) if single else per_image
    return result.to(out_dtype) if out_dtype.is_floating_point else result.to(out_dtype)
