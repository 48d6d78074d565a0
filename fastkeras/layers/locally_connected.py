"""Locally connected layers: LocallyConnected1D and LocallyConnected2D.

A locally connected layer is a convolution whose weights are not shared: every output position has its own
kernel. Keras 2 stores those weights in one of three layouts, chosen by ``implementation``, and fastkeras keeps
each layout as it is (shapes, order and names), so tf-keras weight files load unchanged:

* ``1``: ``kernel`` ``(output positions, prod(kernel_size) * channels_in, filters)``, one patch kernel per
  output position; each patch flattened in the input's own order ((*window, channels) for channels_last,
  (channels, *window) for channels_first);
* ``2``: ``kernel`` a dense input-by-output matrix, ``(*in_spatial, channels_in, *out_spatial, filters)``
  (channels_last) or ``(channels_in, *in_spatial, filters, *out_spatial)`` (channels_first), of which only the
  entries joining an input to an output window it falls in are used;
* ``3``: ``kernel`` a vector holding those used entries only, in the order of the sorted
  ``(flat output index, flat input index)`` pairs of the sparse (output, input) matrix.

Bias: ``(*out_spatial, filters)`` whatever the data format (tf-keras reshapes it, without a transpose, to
``(filters, *out_spatial)`` for channels_first outputs; so does fastkeras, to give the same numbers).

Whatever the layout, the computation is one gather of each output position's patch kernel (a fixed index table
built once, for implementations 2 and 3) and one batched matmul over patches (``K.local_conv``).
"""
import numpy as np

from fastkeras import activations, constraints, initializers, regularizers
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.layers.convolutional import _channel_dim, _check_positive_output
from fastkeras.utils.conv_utils import conv_output_length, normalize_tuple
from fastkeras.legacy import interfaces as keras1


def _padding_before(kernel_size, padding):
    """Zeros before each spatial axis. tf-keras' 'same' window of output o starts at o * stride - k // 2."""
    return tuple(k // 2 if padding == "same" else 0 for k in kernel_size)


def _patch_kernel_index(implementation, in_spatial, channels, out_spatial, filters, kernel_size, strides, padding,
                        data_format):
    """(index, used): where each patch-kernel entry lives in the flat kernel of ``implementation`` 2 or 3.

    ``index`` has shape (output positions, patch features, filters), the layout ``K.local_conv`` multiplies
    with; ``used`` is the number of entries of an ``implementation=3`` kernel. A window entry that falls in
    the zero padding has no weight: it points at entry 0, harmless since the input it meets is zero.
    """
    rank = len(in_spatial)
    before = _padding_before(kernel_size, padding)
    # Per spatial axis, the input coordinate of window entry j of output o, and whether it lies in the input.
    coords, inside = [], []
    for d in range(rank):
        c = np.arange(out_spatial[d])[:, None] * strides[d] - before[d] + np.arange(kernel_size[d])[None, :]
        coords.append(c)
        inside.append((c >= 0) & (c < in_spatial[d]))
    # Broadcast over axes (*out, *window): flat output position, flat input position, and validity.
    out_flat = np.zeros((), np.int64)
    in_flat = np.zeros((), np.int64)
    valid = np.ones((), bool)
    for d in range(rank):
        shape_out = [1] * (2 * rank)
        shape_out[d] = out_spatial[d]
        shape_pair = list(shape_out)
        shape_pair[rank + d] = kernel_size[d]
        out_flat = out_flat * out_spatial[d] + np.arange(out_spatial[d]).reshape(shape_out)
        in_flat = in_flat * in_spatial[d] + np.clip(coords[d], 0, in_spatial[d] - 1).reshape(shape_pair)
        valid = valid & inside[d].reshape(shape_pair)
    positions, n_in = int(np.prod(out_spatial)), int(np.prod(in_spatial))
    # Append the channel and filter axes: (*out, *window, c, f).
    out_flat, in_flat, valid = out_flat[..., None, None], in_flat[..., None, None], valid[..., None, None]
    c = np.arange(channels).reshape(channels, 1)
    f = np.arange(filters).reshape(1, filters)
    channels_last = data_format == "channels_last"
    if implementation == 2:
        if channels_last:  # (*in, C, *out, F)
            flat = ((in_flat * channels + c) * positions + out_flat) * filters + f
        else:  # (C, *in, F, *out)
            flat = ((c * n_in + in_flat) * filters + f) * positions + out_flat
        used = None
    else:
        row = out_flat * filters + f if channels_last else f * positions + out_flat
        col = in_flat * channels + c if channels_last else c * n_in + in_flat
        key = row * (n_in * channels) + col
        valid = np.broadcast_to(valid, key.shape)
        sorted_keys = np.sort(key[valid])
        used = int(sorted_keys.size)
        flat = np.searchsorted(sorted_keys, key)
    flat = np.where(valid, flat, 0)
    # (*out, *window, C, F) -> (P, features, F) with features ordered as the input lays out a patch.
    if not channels_last:
        flat = np.moveaxis(flat, 2 * rank, rank)  # (*out, C, *window, F)
    return flat.reshape(positions, -1, filters).astype(np.int64), used


class LocallyConnected(Layer):
    """Base of LocallyConnected1D/2D (not used directly): ``activation(unshared_conv(inputs) + bias)``."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, implementation=1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        name = self.__class__.__name__
        if isinstance(filters, float) and filters.is_integer():
            filters = int(filters)
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f'Invalid value for argument `filters` of layer "{self.name}" ({name}). Expected a '
                             f"strictly positive integer. Received filters={filters!r}.")
        self.filters = filters
        try:
            self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
            self.strides = normalize_tuple(strides, rank, "strides")
        except ValueError as e:
            raise ValueError(f'Layer "{self.name}" ({name}): {e}') from None
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f'Invalid value for argument `padding` of layer "{self.name}" ({name}). Expected '
                             f"'valid' (or 'same' with implementation 2 or 3). Received: padding={padding!r}.")
        if implementation not in (1, 2, 3) or isinstance(implementation, bool):
            raise ValueError(f'Invalid value for argument `implementation` of layer "{self.name}" ({name}). '
                             f"Expected 1, 2 or 3. Received implementation={implementation!r}.")
        if self.padding != "valid" and implementation == 1:
            raise ValueError(f'Invalid border mode for {name} (only "valid" is supported if implementation is 1): '
                             f'{self.padding}. Layer "{self.name}": use padding="valid", or implementation=2 or 3 '
                             f'for padding="same".')
        self.implementation = implementation
        self.data_format = K.normalize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def _spatial(self, input_shape):
        return tuple(input_shape[2:]) if self.data_format == "channels_first" else tuple(input_shape[1:-1])

    def _check_rank(self, input_shape):
        if len(input_shape) != self.rank + 2:
            layout = "(batch, channels, *spatial)" if self.data_format == "channels_first" else \
                "(batch, *spatial, channels)"
            raise ValueError(f'Layer "{self.name}" ({self.__class__.__name__}) expects inputs of rank '
                             f"{self.rank + 2}, {layout}. Received input shape {tuple(input_shape)}.")

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        self._check_rank(input_shape)
        spatial = tuple(conv_output_length(n, self.kernel_size[i], self.padding, self.strides[i])
                        for i, n in enumerate(self._spatial(input_shape)))
        if self.data_format == "channels_first":
            out = (input_shape[0], self.filters) + spatial
        else:
            out = (input_shape[0],) + spatial + (self.filters,)
        _check_positive_output(self, input_shape, out)
        return out

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        self._check_rank(input_shape)
        channels = _channel_dim(self, input_shape, self._channel_axis)
        in_spatial = self._spatial(input_shape)
        if any(n is None for n in in_spatial):
            raise ValueError(f'The spatial dimensions of the inputs to layer "{self.name}" '
                             f"({self.__class__.__name__}) should be fully defined: each output position has its "
                             f"own weights. Received input shape {input_shape}.")
        out_shape = self.compute_output_shape(input_shape)
        out_spatial = self._spatial(out_shape)
        positions = int(np.prod(out_spatial))
        if self.implementation == 1:
            kernel_shape = (positions, int(np.prod(self.kernel_size)) * channels, self.filters)
            self._kernel_index = None
        else:
            index, used = _patch_kernel_index(self.implementation, in_spatial, channels, out_spatial, self.filters,
                                              self.kernel_size, self.strides, self.padding, self.data_format)
            if self.implementation == 2:
                if self.data_format == "channels_first":
                    kernel_shape = (channels,) + in_spatial + (self.filters,) + out_spatial
                else:
                    kernel_shape = in_spatial + (channels,) + out_spatial + (self.filters,)
            else:
                kernel_shape = (used,)
            self._kernel_index = K.convert_to_tensor(index)
        self.kernel = self.add_weight("kernel", kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", out_spatial + (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self._out_spatial = out_spatial
        self._sample_shape = input_shape[1:]
        spatial_axes = range(2, self.rank + 2) if self.data_format == "channels_first" else range(1, self.rank + 1)
        axes = dict(zip(spatial_axes, in_spatial))
        axes[self._channel_axis] = channels
        self.input_spec = InputSpec(ndim=self.rank + 2, axes=axes)
        self.built = True

    def _patch_kernel(self):
        """The kernel as (output positions, patch features, filters)."""
        if self._kernel_index is None:
            return self.kernel
        return K.gather(K.reshape(self.kernel, (-1,)), self._kernel_index)

    def call(self, inputs):
        if tuple(inputs.shape[1:]) != self._sample_shape:  # eager calls skip the input spec; weights are per position
            raise ValueError(f'Layer "{self.name}" ({self.__class__.__name__}) was built for inputs of shape '
                             f"{(None,) + self._sample_shape} (each output position has its own weights), but "
                             f"received inputs of shape {tuple(inputs.shape)}.")
        if inputs.dtype != self.kernel.dtype and self._mixed_policy is None:  # mixed: autocast's 16 bits
            inputs = K.cast(inputs, K.dtype(self.kernel))
        if self.padding == "same":
            before = _padding_before(self.kernel_size, self.padding)
            spatial = self._spatial(inputs.shape)
            # Enough zeros after each axis for the last window; any input beyond it is never read.
            after = [max(0, (o - 1) * s + k - b - n) for o, s, k, b, n in
                     zip(self._out_spatial, self.strides, self.kernel_size, before, spatial)]
            pads = [(b, a) for b, a in zip(before, after)]
            pads = [(0, 0), (0, 0)] + pads if self.data_format == "channels_first" else [(0, 0)] + pads + [(0, 0)]
            inputs = K.pad(inputs, pads)
        outputs = K.local_conv(inputs, self._patch_kernel(), self.kernel_size, self.strides, self._out_spatial,
                               self.data_format)
        if self.bias is not None:
            if self.data_format == "channels_first":
                outputs = outputs + K.reshape(self.bias, (1, self.filters) + self._out_spatial)
            else:
                outputs = outputs + self.bias
        return activations.apply_to_own_output(self.activation, outputs)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "implementation": self.implementation,
        })
        return config


class LocallyConnected1D(LocallyConnected):
    """Unshared 1-D convolution over ``(batch, steps, channels)`` (or ``(batch, channels, steps)``).

    Output ``(batch, new_steps, filters)``; bias ``(new_steps, filters)``. ``padding='same'`` needs
    ``implementation`` 2 or 3. See the module docstring for the kernel of each implementation.
    """

    @keras1.conv1d
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, implementation=1, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         implementation=implementation, **kwargs)


class LocallyConnected2D(LocallyConnected):
    """Unshared 2-D convolution over ``(batch, rows, cols, channels)`` (or ``(batch, channels, rows, cols)``).

    Output ``(batch, new_rows, new_cols, filters)``; bias ``(new_rows, new_cols, filters)``. ``padding='same'``
    needs ``implementation`` 2 or 3. See the module docstring for the kernel of each implementation.
    """

    @keras1.conv2d
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, implementation=1, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         implementation=implementation, **kwargs)
