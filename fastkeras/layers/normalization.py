"""Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization and GroupNormalization, with
tf-keras 2.21's numerics."""
from fastkeras import backend as K
from fastkeras import constraints, initializers, regularizers
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec

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
    ``moving_mean``, ``moving_variance`` (the last two non-trainable).

    Shape: any; unchanged.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized=False, fused=None, **kwargs):
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
        axes = [axis] if isinstance(axis, int) else list(axis)
        fusable = len(axes) == 1 and axes[0] in _FUSABLE_AXES and self.dtype in _FUSABLE_DTYPES
        if fused and not fusable:
            raise ValueError("Passing `fused=True` is only supported when axis is 1 or 3 for input rank = 4 or 1 or "
                             f"4 for input rank = 5, and a float16, bfloat16 or float32 dtype. Got axis {axes} and "
                             f"dtype {self.dtype}.")
        # None: decided in build from the rank, as tf-keras does.
        self.fused = fused if fused is not None or fusable else False
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        self.axis = _standardize_axis(self.name, self.axis, input_shape)
        rank = len(input_shape)
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
        if len(self.axis) == 1:
            param_shape = (sizes[self.axis[0]],)
        else:
            param_shape = tuple(sizes.get(d, 1) for d in range(rank))
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
        if self.fused or (not training and single_axis):
            # torch's kernel; in training it also updates the moving statistics in place, with the
            # Bessel-corrected batch variance exactly as TensorFlow's fused kernel does.
            return K.fused_batch_norm(inputs, self.gamma, self.beta, self.moving_mean, self.moving_variance,
                                      axis=self.axis[0], momentum=self.momentum, epsilon=self.epsilon,
                                      training=training)
        if not training:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            mean, variance = self._batch_moments(inputs, mask)
            self._move_toward(self.moving_mean, mean)
            self._move_toward(self.moving_variance, variance)
        return K.batch_normalization(inputs, mean, variance, self.beta, self.gamma, axis=self.axis[0],
                                     epsilon=self.epsilon)

    def _move_toward(self, moving, batch_value):
        # Keras' update, outside autograd: moving - (moving - batch_value) * (1 - momentum).
        K.update(moving, moving - (moving - K.stop_gradient(batch_value)) * (1.0 - self.momentum))

    def _batch_moments(self, inputs, mask):
        """Biased batch moments in the weights' shape (tf-keras' non-fused route); masked steps do not count."""
        reduction_axes = [d for d in range(inputs.ndim) if d not in self.axis]
        keepdims = len(self.axis) > 1
        if mask is None:
            return K.moments(inputs, reduction_axes, keepdims=keepdims)
        weights = K.expand_dims(K.cast(mask, K.dtype(inputs)), -1)
        return K.weighted_moments(inputs, reduction_axes, weights, keepdims=keepdims)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
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
        return config


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
