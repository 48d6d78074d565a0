"""Keras 2's ``keras.utils.losses_utils``: the loss-reduction enum and the weighting helpers that custom losses
import from it (``losses_utils.Reduction.SUM``, ``compute_weighted_loss``). They live in fastkeras.losses; this
module is the path Keras 2.3 and tf-keras code imports them by."""
from fastkeras import backend as K
from fastkeras.losses import (  # noqa: F401
    Reduction, ReductionV2, _num_elements, apply_mask, apply_valid_mask, compute_weighted_loss, get_mask,
    reduce_weighted_loss, remove_squeezable_dimensions, squeeze_or_expand_dimensions)


def scale_loss_for_distribution(loss_value):
    """The loss as each replica should report it: fastkeras trains on one replica, so unchanged."""
    return loss_value


_FLOAT_BITS = {"float16": 16, "bfloat16": 16, "float32": 32, "float64": 64}


def cast_losses_to_common_dtype(losses):
    """Every loss cast to the widest floating dtype among them, the first one found of that width (so float16
    and bfloat16 meet at whichever comes first, as in tf-keras 2.21); unchanged when none is floating."""
    widest = None
    for loss in losses:
        dtype = str(K.dtype(loss))
        if dtype not in _FLOAT_BITS:
            continue
        if widest is None or _FLOAT_BITS[dtype] > _FLOAT_BITS[widest]:
            widest = dtype
    return list(losses) if widest is None else [K.cast(loss, widest) for loss in losses]
