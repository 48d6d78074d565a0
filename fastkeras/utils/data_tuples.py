"""``(x, y, sample_weight)`` packing, as ``Model.fit`` reads data (Keras 2's ``keras.utils`` helpers)."""


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``; missing entries
    are None. A list is read as a tuple."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     f"found: {data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The tuple ``Model.fit`` reads: ``x`` alone (``(x,)`` when ``x`` is a tuple, so it is not read as
    ``(x, y)``), ``(x, y)`` or ``(x, y, sample_weight)``."""
    if y is None:
        # tf-keras writes `isinstance(x, tuple or list)`, which is `isinstance(x, tuple)`: a list stays as is
        if not isinstance(x, tuple):
            return x
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


__all__ = ["pack_x_y_sample_weight", "unpack_x_y_sample_weight"]
