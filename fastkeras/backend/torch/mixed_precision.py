"""Mixed precision on PyTorch: autocast regions for layers that compute in 16 bits, and dynamic loss scaling
that never waits on the device.

A layer with a mixed policy keeps float32 Parameters and runs its ``call`` inside ``torch.autocast``, so its
matmuls and convolutions read 16-bit copies of the weights and produce 16-bit outputs, as Keras 2's
AutoCastVariables do. Loss scaling (float16 only) keeps its scale, its count of good steps and its "found a
non-finite gradient" flag in device tensors: checking the gradients, skipping the update and adjusting the scale
are all kernels, so a training step never reads a value back to the host.
"""
import torch

from fastkeras.backend.torch.core import default_device, torch_dtype

_HALF = (torch.float16, torch.bfloat16)


def autocast_scope(dtype):
    """A context in which matmuls and convolutions run in ``dtype`` ('float16' or 'bfloat16') on the default
    device; ``dtype=None`` turns autocasting off inside it (a float32 layer in a mixed model)."""
    device_type = default_device().type
    if dtype is None:
        return torch.autocast(device_type=device_type, enabled=False)
    return torch.autocast(device_type=device_type, dtype=torch_dtype(dtype))


def cast_floating(structure, dtype):
    """``structure`` (a tensor, or a list/tuple/dict of them) with its floating tensors cast to ``dtype``;
    other values, and tensors already in ``dtype``, are returned as they are."""
    target = torch_dtype(dtype)
    if isinstance(structure, torch.Tensor):
        if structure.dtype is target or not structure.is_floating_point():
            return structure
        return structure.to(target)
    if isinstance(structure, (list, tuple)):
        return type(structure)(cast_floating(s, dtype) for s in structure)
    if isinstance(structure, dict):
        return {k: cast_floating(v, dtype) for k, v in structure.items()}
    return structure


def holds_half(structure):
    """True if a floating tensor in ``structure`` (flat list) is float16 or bfloat16."""
    return any(isinstance(t, torch.Tensor) and t.dtype in _HALF for t in structure)


# ---- dynamic loss scaling ----------------------------------------------------------------------

def loss_scale_state(initial_scale):
    """(scale, good-step counter, found-non-finite flag) as device tensors for a LossScaleOptimizer."""
    device = default_device()
    scale = torch.tensor(float(initial_scale), dtype=torch.float32, device=device)
    counter = torch.zeros((), dtype=torch.int32, device=device)
    found = torch.zeros((1,), dtype=torch.float32, device=device)
    return scale, counter, found


@torch.no_grad()
def unscale_gradients(grads, scale, found_nonfinite):
    """Multiplies ``grads`` in place by ``1 / scale`` (computed in float32, as Keras does) and sets
    ``found_nonfinite`` to 1 if any gradient holds an inf or a NaN, else 0. One multi-tensor kernel per device
    and dtype."""
    found_nonfinite.zero_()
    inverse = torch.reciprocal(scale.reshape(1))
    groups = {}
    for g in grads:
        groups.setdefault((g.device, g.dtype), []).append(g)
    for (device, _), group in groups.items():
        if device == found_nonfinite.device:
            torch._amp_foreach_non_finite_check_and_unscale_(group, found_nonfinite, inverse)
        else:  # gradients on another device than the scale: check there, then fold the flag in
            found = torch.zeros_like(found_nonfinite, device=device)
            torch._amp_foreach_non_finite_check_and_unscale_(group, found, inverse.to(device))
            found_nonfinite.add_(found.to(found_nonfinite.device)).clamp_(max=1)


@torch.no_grad()
def find_nonfinite(grads, found_nonfinite):
    """Sets ``found_nonfinite`` to 1 if any gradient holds an inf or a NaN, else 0 (gradients unchanged)."""
    found_nonfinite.zero_()
    finite = torch.stack([torch.isfinite(g).all() for g in grads]).all()
    found_nonfinite.copy_((~finite).to(found_nonfinite.dtype).reshape(found_nonfinite.shape))


@torch.no_grad()
def snapshot_tensors(tensors, backups=None):
    """Copies ``tensors`` into ``backups`` (allocated on the first call) and returns them."""
    if backups is None:
        backups = [torch.empty_like(t, memory_format=torch.preserve_format) for t in tensors]
    torch._foreach_copy_(backups, tensors)
    return backups


@torch.no_grad()
def restore_if_nonfinite(found_nonfinite, tensors, backups):
    """Where ``found_nonfinite`` is set, puts ``backups`` back into ``tensors`` (an update to undo); otherwise
    leaves them. A select, not arithmetic, so NaNs written by the undone update cannot leak through."""
    skip = found_nonfinite.reshape(()).bool()
    for t, b in zip(tensors, backups):
        torch.where(skip, b, t, out=t)


@torch.no_grad()
def update_loss_scale(scale, counter, found_nonfinite, growth_steps):
    """Keras 2's dynamic loss scale rule, on the device: after a non-finite gradient the scale halves (not below
    1) and the counter restarts; after ``growth_steps`` finite steps in a row the scale doubles (if the result
    is finite) and the counter restarts; otherwise the counter counts the step."""
    torch._amp_update_scale_(scale, counter, found_nonfinite, 2.0, 0.5, int(growth_steps))
    scale.clamp_(min=1.0)


__all__ = ["autocast_scope", "cast_floating", "find_nonfinite", "holds_half", "loss_scale_state",
           "restore_if_nonfinite", "snapshot_tensors", "unscale_gradients", "update_loss_scale"]
