"""Keras 3's ``keras.ops.rearrange`` on PyTorch: a reshape, a permutation and a reshape, planned from the pattern
by ``fastkeras.backend.einops_plan``."""
from fastkeras.backend.einops_plan import plan_rearrange
from fastkeras.backend.torch.keras_ops._common import tensor as to_tensor

__all__ = ["rearrange"]


def rearrange(tensor, pattern, **axes_lengths):
    """Reorders, merges and splits the axes of a tensor as einops' notation says: ``rearrange(x, 'b h w c ->
    b (h w) c')`` flattens the spatial axes; ``rearrange(x, 'b (h1 h2) w -> b h1 h2 w', h1=2)`` splits one."""
    x = to_tensor(tensor)
    plan = plan_rearrange(pattern, tuple(x.shape), axes_lengths)
    if tuple(x.shape) != plan.elementary_shape:
        x = x.reshape(plan.elementary_shape)
    if plan.permutation != tuple(range(len(plan.permutation))):
        x = x.permute(plan.permutation)
    if tuple(x.shape) != plan.output_shape:
        x = x.reshape(plan.output_shape)
    return x
