"""Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization and GroupNormalization, with
tf-keras 2.21's numerics."""
from fastkeras import backend as K
from fastkeras import constraints, initializers, regularizers
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.legacy import interfaces as keras1

# Single axes for which tf-keras may choose TensorFlow's fused kernel (checked again against the rank in build).
_FUSABLE_AXES = (-4, -3, -1, 1, 3, 4)
_FUSABLE_DTYPES = ("float16", "bfloat16", "float32")


def _standardize_axis(layer_name, axis, input_shape):
    """``axis`` (int or list) as a list of non-negative axes of ``input_shape``."""
    rank = len(input_shape)
    if rank == 0:
        raise ValueError(f'Layer "{layer_name}": input has undefined rank. Received: input_shape={input_shape}')
    axes = [axis] if isinstance(axis, int) else list(axis)
    axes = [a + rank if a < 0 else a for a in axes]
    for a in axes:
        if not 0 <= a < rank:
            raise ValueError(f'Layer "{layer_name}": invalid value for `axis` argument. Expected 0 <= axis < '
                             f"inputs.rank (with inputs.rank={rank}). Received: axis={tuple(axes)}")
    if len(axes) != len(set(axes)):
        raise ValueError(f'Layer "{layer_name}": duplicate axis: {tuple(axes)}')
    return axes


def _check_axis_argument(axis):
    if isinstance(axis, (list, tuple)):
        return list(axis)
    if isinstance(axis, int):
        return axis
    raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")


def _param_dtype(dtype):
    # Keras keeps the parameters of a half-precision normalization layer in float32.
    return "float32" if dtype in ("float16", "bfloat16") else dtype


class BatchNormalization(Layer):
    """Normalizes each feature over the batch (and every other axis but ``axis``).

    Training (``fit``, or ``training=True``) uses the batch's mean and variance and
    moves ``moving_mean``/``moving_variance`` toward them:
    ``moving = moving * momentum + batch_stat * (1 - momentum)``. Inference uses the
    moving statistics. A layer with ``trainable = False`` always runs in inference
    mode, as in TF2 Keras.

    Weights, in Keras' order: ``gamma`` (if ``scale``), ``beta`` (if ``center``),
    ``moving_mean``, ``moving_variance`` (the last two non-trainable); with
    ``renorm=True`` also ``moving_stddev``, ``renorm_mean`` and ``renorm_stddev``.

    tf-keras' TensorFlow-only options work as there: ``renorm`` (batch
    renormalization, with ``renorm_clipping`` and ``renorm_momentum``),
    ``virtual_batch_size`` (statistics per "ghost" batch; the weights then have a
    unit dimension per input axis plus one) and ``adjustment`` (a callable
    ``shape -> (scale, bias)`` applied in training, left out of the config).

    Shape: any; unchanged.
    """

    @keras1.batch_normalization
    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized=False, renorm=False, renorm_clipping=None, renorm_momentum=0.99, fused=None,
                 virtual_batch_size=None, adjustment=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axis_argument(axis)
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        # Without a distribution strategy there is nothing to synchronize; kept for configs that name it.
        self.synchronized = synchronized
        self.renorm = bool(renorm)
        self.virtual_batch_size = virtual_batch_size
        # A callable (shape -> (scale, bias)) applied in training; like tf-keras, never part of the config.
        self.adjustment = adjustment
        if self.renorm:
            renorm_clipping = dict(renorm_clipping or {})
            unknown = set(renorm_clipping) - {"rmax", "rmin", "dmax"}
            if unknown:
                raise ValueError(f"Received invalid keys for `renorm_clipping` argument: {renorm_clipping}. "
                                 "Supported values: ['rmax', 'rmin', 'dmax'].")
            self.renorm_clipping = renorm_clipping
            self.renorm_momentum = renorm_momentum
        axes = [axis] if isinstance(axis, int) else list(axis)
        if fused:
            if self.renorm:
                raise ValueError("Passing both `fused=True` and `renorm=True` is not supported.")
            if virtual_batch_size is not None:
                raise ValueError("Passing `fused=True` is not supported when `virtual_batch_size` is specified.")
            if adjustment is not None:
                raise ValueError("Passing `fused=True` is not supported when `adjustment` is specified.")
        fusable = (len(axes) == 1 and axes[0] in _FUSABLE_AXES and self.dtype in _FUSABLE_DTYPES
                   and not self.renorm and virtual_batch_size is None and adjustment is None)
        if fused and not fusable:
            raise ValueError("Passing `fused=True` is only supported when axis is 1 or 3 for input rank = 4 or 1 or "
                             f"4 for input rank = 5, and a float16, bfloat16 or float32 dtype. Got axis {axes} and "
                             f"dtype {self.dtype}.")
        # None: decided in build from the rank, as tf-keras does.
        self.fused = fused if fused is not None or fusable else False
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        rank = len(input_shape)
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        if self.virtual_batch_size is not None and rank in axes:
            # tf-keras writes the axes of a built ghost-batch layer shifted by one (they index its internal
            # (virtual_batch_size, N / virtual_batch_size, ...) view), so its own files cannot rebuild the layer;
            # an axis one past the input's rank is that shift, undone here.
            axes = [a - 1 if a > 0 else a for a in axes]
        self.axis = _standardize_axis(self.name, axes, input_shape)
        if self.virtual_batch_size is not None:
            if self.virtual_batch_size <= 0:
                raise ValueError(f'Layer "{self.name}": `virtual_batch_size` must be a positive integer that divides '
                                 "the true batch size of the input tensor. Received: "
                                 f"virtual_batch_size={self.virtual_batch_size}")
            if 0 in self.axis:
                raise ValueError(f'Layer "{self.name}": when using `virtual_batch_size`, the batch dimension must be '
                                 f"0 and thus axis cannot include 0. Received axis={self.axis}")
            if self.adjustment is not None:
                raise ValueError(f'Layer "{self.name}": when using `virtual_batch_size`, adjustment cannot be '
                                 "specified.")
        if self.fused is None:
            self.fused = rank in (4, 5)
        elif self.fused and rank not in (4, 5):
            raise ValueError("Batch normalization layers with `fused=True` only support 4D or 5D input tensors. "
                             f"Received tensor with shape: {input_shape}")
        if self.fused and self.axis not in ([1], [rank - 1]):
            if rank == 5:
                self.fused = False  # tf-keras silently normalizes such 5D inputs without the fused kernel
            else:
                raise ValueError("Unsupported axis. The use of `fused=True` is only possible with `axis=1` or "
                                 f"`axis=3` for 4D input tensors. Received: axis={tuple(self.axis)}")
        sizes = {a: input_shape[a] for a in self.axis}
        for a, size in sizes.items():
            if size is None:
                raise ValueError(f'Layer "{self.name}": input has undefined `axis` dimension. Received input with '
                                 f"shape {input_shape} and axis={tuple(self.axis)}")
        self.input_spec = InputSpec(ndim=rank, axes=sizes)
        if len(self.axis) == 1 and self.virtual_batch_size is None:
            param_shape = (sizes[self.axis[0]],)
        else:
            param_shape = tuple(sizes.get(d, 1) for d in range(rank))
            if self.virtual_batch_size is not None:
                # Virtual batches reshape (N, ...) to (virtual_batch_size, N / virtual_batch_size, ...): the
                # parameters get a unit dimension for the new axis 1 and the normalized axes move up by one.
                param_shape = param_shape[:1] + (1,) + param_shape[1:]
                self.axis = [a + 1 for a in self.axis]
        dtype = _param_dtype(self.dtype)
        self.gamma = self.add_weight("gamma", param_shape, dtype=dtype, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint) \
            if self.scale else None
        self.beta = self.add_weight("beta", param_shape, dtype=dtype, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint) \
            if self.center else None
        self.moving_mean = self.add_weight("moving_mean", param_shape, dtype=dtype,
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", param_shape, dtype=dtype,
                                               initializer=self.moving_variance_initializer, trainable=False)
        if self.renorm:
            # Batch renormalization tracks the inference standard deviation (the moving variance follows from
            # it) and, for the corrections r and d, a mean and standard deviation with their own momentum.
            stddev_initializer = _SquareRootOf(self.moving_variance_initializer)
            self.moving_stddev = self.add_weight("moving_stddev", param_shape, dtype=dtype,
                                                 initializer=stddev_initializer, trainable=False)
            self.renorm_mean = self.add_weight("renorm_mean", param_shape, dtype=dtype,
                                               initializer=self.moving_mean_initializer, trainable=False)
            self.renorm_stddev = self.add_weight("renorm_stddev", param_shape, dtype=dtype,
                                                 initializer=stddev_initializer, trainable=False)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if training is None:
            training = K.learning_phase()
        # TF2 behaviour: a frozen BatchNormalization normalizes with its moving statistics.
        training = bool(training) and self.trainable
        if K.dtype(inputs) != K.dtype(self.moving_mean):
            inputs = K.cast(inputs, K.dtype(self.moving_mean))
        outputs = self._normalize(inputs, training, mask)
        return outputs if K.dtype(outputs) == self.dtype else K.cast(outputs, self.dtype)

    def _normalize(self, inputs, training, mask):
        single_axis = len(self.axis) == 1 and inputs.ndim >= 2
        plain = not self.renorm and self.virtual_batch_size is None and self.adjustment is None
        if self.fused or (not training and single_axis and plain):
            # torch's kernel; in training it also updates the moving statistics in place, with the
            # Bessel-corrected batch variance exactly as TensorFlow's fused kernel does.
            return K.fused_batch_norm(inputs, self.gamma, self.beta, self.moving_mean, self.moving_variance,
                                      axis=self.axis[0], momentum=self.momentum, epsilon=self.epsilon,
                                      training=training)
        if self.virtual_batch_size is None:
            return self._normalize_composed(inputs, training, mask)
        # Ghost batches: sample i joins virtual batch i % (N / virtual_batch_size), as TensorFlow's reshape of
        # (N, ...) to (virtual_batch_size, N / virtual_batch_size, ...) groups them. Inference uses the moving
        # statistics, so any batch size will do there.
        shape = tuple(inputs.shape)
        if training and shape[0] % self.virtual_batch_size:
            raise ValueError(f'Layer "{self.name}": virtual_batch_size={self.virtual_batch_size} must divide the '
                             f"batch size, but the input has a batch of {shape[0]} (shape {shape}).")
        grouped = (self.virtual_batch_size, -1) if training else (-1, 1)
        inputs = K.reshape(inputs, grouped + shape[1:])
        if mask is not None:
            mask = K.reshape(mask, grouped + tuple(mask.shape[1:]))
        return K.reshape(self._normalize_composed(inputs, training, mask), (-1,) + shape[1:])

    def _normalize_composed(self, inputs, training, mask):
        """tf-keras' non-fused route: batch normalization written out, with virtual batches (``inputs`` already
        grouped), batch renormalization and the ``adjustment`` callable."""
        scale, offset = self._along_axis(self.gamma, inputs), self._along_axis(self.beta, inputs)
        if not training:
            return K.batch_normalization(inputs, self._along_axis(self.moving_mean, inputs),
                                         self._along_axis(self.moving_variance, inputs), offset, scale,
                                         axis=self.axis[0], epsilon=self.epsilon)
        if self.adjustment is not None:
            adjust_scale, adjust_bias = self.adjustment(tuple(inputs.shape))
            scale, offset = _compose(adjust_scale, adjust_bias, scale, offset)
        mean, variance = self._batch_moments(inputs, mask)
        if self.virtual_batch_size is not None:  # the moving statistics follow the average over virtual batches
            new_mean, new_variance = K.mean(mean, axis=1, keepdims=True), K.mean(variance, axis=1, keepdims=True)
        else:
            new_mean, new_variance = mean, variance
        if self.renorm:
            r, d = self._renorm_corrections(new_mean, new_variance)
            scale, offset = _compose(self._along_axis(r, inputs), self._along_axis(d, inputs), scale, offset)
        self._move_toward(self.moving_mean, new_mean, self.momentum)
        if self.renorm:
            # The moving variance is derived from the moving standard deviation, epsilon taken out again.
            self._move_toward(self.moving_stddev, K.sqrt(new_variance + self.epsilon), self.momentum)
            K.update(self.moving_variance, K.relu(K.square(self.moving_stddev) - self.epsilon))
        else:
            self._move_toward(self.moving_variance, new_variance, self.momentum)
        return K.batch_normalization(inputs, self._along_axis(mean, inputs), self._along_axis(variance, inputs),
                                     offset, scale, axis=self.axis[0], epsilon=self.epsilon)

    def _renorm_corrections(self, mean, variance):
        """Batch renormalization's r and d (no gradient through them), from the renorm statistics before this
        batch; then moves those statistics toward the batch's with ``renorm_momentum``."""
        mean, stddev = K.stop_gradient(mean), K.stop_gradient(K.sqrt(variance + self.epsilon))
        renorm_stddev = K.maximum(self.renorm_stddev, self.epsilon ** 0.5)  # no division by ~0 early on
        r = stddev / renorm_stddev
        d = (mean - self.renorm_mean) / renorm_stddev
        clip = self.renorm_clipping
        if clip.get("rmin") is not None:
            r = K.maximum(r, clip["rmin"])
        if clip.get("rmax") is not None:
            r = K.minimum(r, clip["rmax"])
        if clip.get("dmax") is not None:
            d = K.minimum(K.maximum(d, -clip["dmax"]), clip["dmax"])
        self._move_toward(self.renorm_mean, mean, self.renorm_momentum)
        self._move_toward(self.renorm_stddev, stddev, self.renorm_momentum)
        return r, d

    def _along_axis(self, value, inputs):
        """A 1-D parameter or statistic shaped to broadcast against ``inputs`` along the normalized axis."""
        if value is None or value.ndim != 1 or inputs.ndim == 1:
            return value
        shape = [1] * inputs.ndim
        shape[self.axis[0]] = value.shape[0]
        return K.reshape(value, shape)

    def _move_toward(self, moving, batch_value, momentum):
        # Keras' update, outside autograd: moving - (moving - batch_value) * (1 - momentum).
        K.update(moving, moving - (moving - K.stop_gradient(batch_value)) * (1.0 - momentum))

    def _batch_moments(self, inputs, mask):
        """Biased batch moments (tf-keras' non-fused route); masked steps do not count. With virtual batches,
        per virtual batch (axis 1 is not reduced)."""
        reduction_axes = [d for d in range(inputs.ndim) if d not in self.axis]
        if self.virtual_batch_size is not None:
            reduction_axes.remove(1)
        keepdims = len(self.axis) > 1 or self.virtual_batch_size is not None
        if mask is None:
            return K.moments(inputs, reduction_axes, keepdims=keepdims)
        weights = K.expand_dims(K.cast(mask, K.dtype(inputs)), -1)
        return K.weighted_moments(inputs, reduction_axes, weights, keepdims=keepdims)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        axis = self.axis
        if self.built and self.virtual_batch_size is not None:
            # The input's axes, not those of the internal ghost-batch view (which tf-keras writes, and then
            # cannot load): the config must rebuild the layer.
            axis = [a - 1 for a in axis]
        config.update({
            "axis": axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        })
        # As tf-keras: the TensorFlow-only options appear only when set; `adjustment` is a callable and is left out.
        if self.renorm:
            config.update(renorm=True, renorm_clipping=self.renorm_clipping, renorm_momentum=self.renorm_momentum)
        if self.virtual_batch_size is not None:
            config["virtual_batch_size"] = self.virtual_batch_size
        return config


class SyncBatchNormalization(BatchNormalization):
    """tf-keras' ``layers.experimental.SyncBatchNormalization``: batch statistics synchronized across replicas.
    fastkeras trains on one device per process, so it computes what BatchNormalization computes; its config and
    weights are tf-keras' (no ``fused`` option)."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        if kwargs.pop("fused", None):
            raise ValueError("`fused` argument cannot be True for SyncBatchNormalization.")
        super().__init__(axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                         beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                         moving_mean_initializer=moving_mean_initializer,
                         moving_variance_initializer=moving_variance_initializer, beta_regularizer=beta_regularizer,
                         gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                         gamma_constraint=gamma_constraint, synchronized=True, fused=False, **kwargs)


def _compose(scale, offset, then_scale, then_offset):
    """The affine map ``x * scale + offset`` followed by ``x * then_scale + then_offset``, as one (scale, offset);
    any of the four may be None (no scaling, no shift)."""
    if then_scale is not None:
        scale = then_scale if scale is None else scale * then_scale
        offset = None if offset is None else offset * then_scale
    if then_offset is not None:
        offset = then_offset if offset is None else offset + then_offset
    return scale, offset


class _SquareRootOf:
    """An initializer giving the square root of another's values (the renorm standard deviations start as the
    square root of the moving variance's initial value)."""

    def __init__(self, initializer):
        self.initializer = initializer

    def __call__(self, shape, dtype=None, **kwargs):
        return K.sqrt(self.initializer(shape, dtype=dtype, **kwargs))


class LayerNormalization(Layer):
    """Normalizes each sample over ``axis`` (an int or a list), then applies ``gamma`` and ``beta``.

    ``gamma`` and ``beta`` have the input's sizes along ``axis``. Training and
    inference compute the same thing.

    Shape: any; unchanged.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axis_argument(axis)
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        self.axis = _standardize_axis(self.name, self.axis, input_shape)
        param_shape = tuple(input_shape[d] for d in self.axis)
        if None in param_shape:
            raise ValueError(f'Layer "{self.name}": input has undefined `axis` dimension. Received input with '
                             f"shape {input_shape} and axis={tuple(self.axis)}")
        self.gamma = self.add_weight("gamma", param_shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint) \
            if self.scale else None
        self.beta = self.add_weight("beta", param_shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint) \
            if self.center else None
        self.built = True

    def call(self, inputs):
        if K.dtype(inputs) != self.dtype:
            inputs = K.cast(inputs, self.dtype)
        return K.layer_normalization(inputs, self.axis, self.gamma, self.beta, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        })
        return config


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over ``axis`` (an int or a list): ``x / sqrt(max(sum(x**2), 1e-12))``.

    Shape: any; unchanged.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                            f"Received: axis={axis}")
        self.supports_masking = True

    def build(self, input_shape):
        _standardize_axis(self.name, self.axis, tuple(input_shape))
        super().build(input_shape)

    def call(self, inputs):
        if K.dtype(inputs) != self.compute_dtype:
            inputs = K.cast(inputs, self.compute_dtype)
        return K.l2_normalize(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class GroupNormalization(Layer):
    """Splits the ``axis`` channels into ``groups`` and normalizes each sample over each group (and every axis
    but the batch and ``axis``), then applies per-channel ``gamma`` and ``beta``. ``groups=-1`` is instance
    normalization, ``groups=1`` layer normalization over all axes.

    Weights, in tf-keras' order: ``gamma`` (if ``scale``), ``beta`` (if ``center``), each of shape (channels,).

    Shape: any; unchanged.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if not isinstance(self.axis, int):
            raise TypeError(f'Layer "{self.name}" (GroupNormalization): `axis` must be an int. Received: '
                            f"axis={self.axis}")
        self._axis = _standardize_axis(self.name, self.axis, input_shape)[0]
        dim = input_shape[self._axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {input_shape}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number of channels ({dim}).")
        if dim % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number of channels "
                             f"({dim}).")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self.gamma = self.add_weight("gamma", (dim,), initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint) \
            if self.scale else None
        self.beta = self.add_weight("beta", (dim,), initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint) \
            if self.center else None
        super().build(input_shape)

    def call(self, inputs, mask=None):
        if K.dtype(inputs) != self.compute_dtype:
            inputs = K.cast(inputs, self.compute_dtype)
        shape = tuple(int(d) for d in inputs.shape)
        axis = self._axis
        grouped = shape[:axis] + (self.groups, shape[axis] // self.groups) + shape[axis + 1:]
        x = K.reshape(inputs, grouped)
        reduction = [d for d in range(1, len(grouped)) if d != axis]
        if mask is None:
            mean = K.mean(x, axis=reduction, keepdims=True)
            variance = K.mean(K.square(x - mean), axis=reduction, keepdims=True)
        else:
            # tf.nn.weighted_moments with the mask broadcast to the input's shape, as tf-keras does.
            weights = K.reshape(K.cast(mask, K.dtype(inputs)) * K.ones_like(inputs), grouped)
            total = K.sum(weights, axis=reduction, keepdims=True)
            mean = K.sum(weights * x, axis=reduction, keepdims=True) / total
            variance = K.sum(weights * K.square(x - mean), axis=reduction, keepdims=True) / total
        param_shape = [1] * len(grouped)
        param_shape[axis], param_shape[axis + 1] = self.groups, shape[axis] // self.groups
        inv = 1.0 / K.sqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * K.reshape(self.gamma, param_shape)
        offset = -mean * inv
        if self.beta is not None:
            offset = offset + K.reshape(self.beta, param_shape)
        return K.reshape(x * inv + offset, shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        })
        return config
