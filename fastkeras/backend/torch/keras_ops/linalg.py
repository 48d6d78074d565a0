"""keras.ops.linalg on PyTorch."""
import torch

from fastkeras.backend.torch.keras_ops._common import tensor, to_float


def _f(x):
    return to_float(tensor(x))


def cholesky(x, upper=False):
    return torch.linalg.cholesky(_f(x), upper=upper)


def cholesky_inverse(x, upper=False):
    return torch.cholesky_inverse(_f(x), upper=upper)


def det(x):
    return torch.linalg.det(_f(x))


def eig(x):
    return torch.linalg.eig(_f(x))


def eigh(x):
    w, v = torch.linalg.eigh(_f(x))
    return w, v


def inv(x):
    return torch.linalg.inv(_f(x))


def lstsq(a, b, rcond=None):
    a, b = _f(a), _f(b)
    squeeze = b.dim() == 1
    out = torch.linalg.lstsq(a, b.unsqueeze(-1) if squeeze else b, rcond=rcond, driver="gelsd"
                             if a.device.type == "cpu" else None).solution
    return out.squeeze(-1) if squeeze else out


def lu_factor(x):
    lu, pivots = torch.linalg.lu_factor(_f(x))
    return lu, (pivots - 1).to(torch.int32)


def matrix_rank(x, tol=None):
    return torch.linalg.matrix_rank(_f(x), atol=tol).to(torch.int32) if tol is not None else \
        torch.linalg.matrix_rank(_f(x)).to(torch.int32)


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - NumPy's name
    x = _f(x)
    if isinstance(axis, int):
        axis = (axis,)
    if axis is None:
        if ord is None:
            return torch.linalg.vector_norm(x, dim=None, keepdim=keepdims) if not keepdims else \
                torch.linalg.vector_norm(x.reshape(-1)).reshape((1,) * x.dim())
        axis = tuple(range(x.dim()))
    axis = tuple(axis)
    if len(axis) == 1:
        return torch.linalg.vector_norm(x, ord=2 if ord is None else ord, dim=axis, keepdim=keepdims)
    if ord is None:
        ord = "fro"
    if ord == "fro" or ord == "nuc" or ord in (1, -1, 2, -2, float("inf"), float("-inf")):
        return torch.linalg.matrix_norm(x, ord=ord, dim=axis, keepdim=keepdims)
    raise ValueError(f"Invalid `ord` {ord!r} for a matrix norm.")


def pinv(x, rcond=None):
    x = _f(x)
    return torch.linalg.pinv(x) if rcond is None else torch.linalg.pinv(x, rtol=rcond)


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"`mode` argument value not supported. Expected one of {{'reduced', 'complete'}}. "
                         f"Received: mode={mode}")
    return torch.linalg.qr(_f(x), mode=mode)


def solve(a, b):
    a, b = _f(a), _f(b)
    return torch.linalg.solve(a, b.to(a.dtype))


def solve_triangular(a, b, lower=False):
    a, b = _f(a), _f(b)
    squeeze = b.dim() == a.dim() - 1
    out = torch.linalg.solve_triangular(a, b.unsqueeze(-1) if squeeze else b, upper=not lower)
    return out.squeeze(-1) if squeeze else out


def svd(x, full_matrices=True, compute_uv=True):
    x = _f(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


def jvp(fun, primals, tangents, has_aux=False):
    return torch.func.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)


__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "lstsq", "lu_factor", "matrix_rank", "norm",
           "pinv", "qr", "solve", "solve_triangular", "svd", "jvp"]
