"""``to_ordinal``: integer classes as ordinal-regression targets (Keras 2's ``keras.utils.to_ordinal``)."""
import numpy as np


def to_ordinal(y, num_classes=None, dtype="float32"):
    """Class ``k`` of ``num_classes`` becomes ``k`` ones followed by ``num_classes - 1 - k`` zeros.

    ``y``: integer class labels (a trailing dimension of 1 is dropped). Returns an array of shape
    ``y.shape + (num_classes - 1,)``; ``num_classes`` defaults to ``max(y) + 1``.
    """
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.reshape(-1)
    if not num_classes:
        if y.size == 0:
            raise ValueError("to_ordinal: cannot infer `num_classes` from an empty `y`; pass num_classes.")
        num_classes = np.max(y) + 1
    ordinal = (np.arange(num_classes - 1)[None, :] < y[:, None]).astype(dtype)
    return np.reshape(ordinal, input_shape + (num_classes - 1,))


__all__ = ["to_ordinal"]
