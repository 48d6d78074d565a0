"""Shape arithmetic and argument checks for convolution and pooling windows (Keras 2's ``keras.utils.conv_utils``).

Custom layers written for Keras 2 import these (``from keras.utils import conv_utils``); fastkeras' own
convolution, pooling, reshaping and recurrent-convolution layers use the same functions.
Padding names: ``valid`` (no padding), ``same`` (output length = ceil(input / stride)), ``causal`` (1D, pad
at the start only, same lengths as ``same``) and ``full`` (every partial overlap counts).
"""
import numpy as np

from fastkeras.backend.config import normalize_data_format  # noqa: F401  (part of this module's Keras API)

_RANK_LETTERS = {3: "W", 4: "HW", 5: "DHW"}


def convert_data_format(data_format, ndim):
    """A Keras ``data_format`` and a tensor rank (3, 4 or 5) as a layout string such as ``"NHWC"``."""
    if ndim not in _RANK_LETTERS:
        raise ValueError(f"Input rank not supported: {ndim}. Expected values are [3, 4, 5]")
    spatial = _RANK_LETTERS[ndim]
    if data_format == "channels_last":
        return f"N{spatial}C"
    if data_format == "channels_first":
        return f"NC{spatial}"
    raise ValueError(f'Invalid data_format: {data_format}. Expected values are ["channels_first", "channels_last"]')


def normalize_tuple(value, n, name, allow_zero=False):
    """``value`` (an int, or an iterable of ``n`` ints) as a tuple of ``n`` ints, each > 0 (>= 0 with allow_zero)."""
    error = f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
    if isinstance(value, int):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(error) from None
        if len(values) != n:
            raise ValueError(error)
        try:
            values = tuple(int(v) for v in values)
        except (TypeError, ValueError):
            raise ValueError(error) from None
    bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
    if bad:
        raise ValueError(f"{error} including {bad} that does not satisfy the requirement "
                         f"`{'>= 0' if allow_zero else '> 0'}`.")
    return values


def normalize_padding(value, allowed=("valid", "same", "causal")):
    """A padding name, lower-cased, checked against ``allowed``."""
    padding = str(value).lower()
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be one of {', '.join(repr(a) for a in allowed)}. "
                         f"Received: {value!r}")
    return padding


def _dilated(filter_size, dilation):
    return filter_size + (filter_size - 1) * (dilation - 1)


class InvalidPaddingError(ValueError, AssertionError):
    """An unknown padding: a ValueError, and the AssertionError that Keras 2's and tf-keras' ``assert`` raises."""


def _check_padding(padding, allowed):
    if padding not in allowed:
        raise InvalidPaddingError(f"padding must be one of {sorted(allowed)}, received {padding!r}")


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """Output length of a convolution or pooling window sweep (None stays None)."""
    _check_padding(padding, {"valid", "same", "causal", "full"})
    if input_length is None:
        return None
    size = _dilated(filter_size, dilation)
    length = {"same": input_length, "causal": input_length, "valid": input_length - size + 1,
              "full": input_length + size - 1}[padding]
    return (length + stride - 1) // stride


def _pad_amount(padding, filter_size):
    return {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[padding]


def conv_input_length(output_length, filter_size, padding, stride):
    """The input length that a convolution maps to ``output_length`` (None stays None)."""
    _check_padding(padding, {"valid", "same", "full"})
    if output_length is None:
        return None
    return (output_length - 1) * stride - 2 * _pad_amount(padding, filter_size) + filter_size


def deconv_output_length(input_length, filter_size, padding, output_padding=None, stride=0, dilation=1):
    """Output length of a transposed convolution (None stays None)."""
    _check_padding(padding, {"valid", "same", "full"})
    if input_length is None:
        return None
    size = _dilated(filter_size, dilation)
    if output_padding is None:
        if padding == "valid":
            return input_length * stride + max(size - stride, 0)
        if padding == "full":
            return input_length * stride - (stride + size - 2)
        return input_length * stride
    return (input_length - 1) * stride + size - 2 * _pad_amount(padding, size) + output_padding


def deconv_length(dim_size, stride_size, kernel_size, padding, output_padding, dilation=1):
    """Keras 2.2's name and argument order for ``deconv_output_length``."""
    return deconv_output_length(dim_size, kernel_size, padding, output_padding=output_padding, stride=stride_size,
                                dilation=dilation)


def conv_output_shape(input_shape, kernel_shape, strides, padding):
    """Spatial output shape of an N-d window sweep (no channels): one ``conv_output_length`` per dimension."""
    if len({len(input_shape), len(kernel_shape), len(strides)}) != 1:
        raise ValueError("input_shape, kernel_shape and strides must have the same rank, received "
                         f"{input_shape}, {kernel_shape} and {strides}")
    return tuple(conv_output_length(length, size, padding, stride)
                 for length, size, stride in zip(input_shape, kernel_shape, strides))


def convert_kernel(kernel):
    """A convolution kernel flipped along its spatial axes (all but the last two), as a numpy array: what turns
    a Theano-trained kernel (true convolution) into a TensorFlow/fastkeras one (cross-correlation) and back."""
    kernel = np.asarray(kernel)
    if not 3 <= kernel.ndim <= 5:
        raise ValueError(f"convert_kernel expects a 3D, 4D or 5D kernel, received shape {kernel.shape}")
    flip = (slice(None, None, -1),) * (kernel.ndim - 2) + (slice(None), slice(None))
    return np.copy(kernel[flip])
