"""RNN cells: one timestep of SimpleRNN, GRU and LSTM, and StackedRNNCells.

A cell maps ``(input_t, states) -> (output_t, new_states)``; the ``RNN`` layer
(``fastkeras/layers/recurrent.py``) runs it over time. Weights, gate order and
shapes are Keras 2's: LSTM gates i,f,c,o in ``kernel (input_dim, 4 * units)``,
GRU gates z,r,h in ``kernel (input_dim, 3 * units)`` (bias ``(2, 3 * units)``
with ``reset_after=True``, ``(3 * units,)`` without), so Keras weight files load
unchanged.
"""
import warnings

from fastkeras import activations, constraints, initializers, regularizers
from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.engine.base_layer import Layer


def _dropout_masks(like, rate, training, count):
    """``count`` inverted-dropout masks shaped like ``like`` (ones outside training), as Keras draws them."""
    ones = K.ones_like(like)
    if training is None:
        training = K.learning_phase()
    masks = [K.dropout(ones, rate) for _ in range(count)] if training else [ones] * count
    return masks if count > 1 else masks[0]


class DropoutRNNCellMixin:
    """Keras' dropout-mask cache of an RNN cell: one mask per sequence, drawn at the first step.

    The RNN layer resets the cache at the start of every call, so each batch gets fresh masks while all
    timesteps of a sequence share them.
    """

    def reset_dropout_mask(self):
        self.__dict__["_dropout_mask_cache"] = None

    def reset_recurrent_dropout_mask(self):
        self.__dict__["_recurrent_dropout_mask_cache"] = None

    def get_dropout_mask_for_cell(self, inputs, training, count=1):
        """The input dropout mask(s) (a list when ``count > 1``), or None when ``dropout`` is 0."""
        if self.dropout == 0:
            return None
        masks = self.__dict__.get("_dropout_mask_cache")
        if masks is None:
            masks = _dropout_masks(inputs, self.dropout, training, count)
            self.__dict__["_dropout_mask_cache"] = masks
        return masks

    def get_recurrent_dropout_mask_for_cell(self, inputs, training, count=1):
        """The recurrent-state dropout mask(s), or None when ``recurrent_dropout`` is 0."""
        if self.recurrent_dropout == 0:
            return None
        masks = self.__dict__.get("_recurrent_dropout_mask_cache")
        if masks is None:
            masks = _dropout_masks(inputs, self.recurrent_dropout, training, count)
            self.__dict__["_recurrent_dropout_mask_cache"] = masks
        return masks

    # The built-in cells skip the multiplication by ones outside training.
    def _input_masks(self, inputs, training, count):
        if not 0 < self.dropout < 1 or not _is_training(training):
            return None
        return self.get_dropout_mask_for_cell(inputs, training, count)

    def _state_masks(self, state, training, count):
        if not 0 < self.recurrent_dropout < 1 or not _is_training(training):
            return None
        return self.get_recurrent_dropout_mask_for_cell(state, training, count)


def _is_training(training):
    return bool(K.learning_phase() if training is None else training)


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _check_units(units):
    if not isinstance(units, int):
        units = int(units)
    if units <= 0:
        raise ValueError(f"Received an invalid value for argument `units`, expected a positive integer, got {units}.")
    return units


def zero_state(cell, inputs=None, batch_size=None, dtype=None):
    """Zero initial states for ``cell``: one tensor, or a list when the cell has several states."""
    if inputs is not None:
        batch_size = inputs.shape[0]
        dtype = K.dtype(inputs)
    if batch_size is None or dtype is None:
        raise ValueError("batch_size and dtype cannot be None while constructing initial state. "
                         f"Received: batch_size={batch_size}, dtype={dtype}")
    sizes = cell.state_size

    def zeros(size):
        return K.zeros((batch_size,) + tuple(_as_list(size)), dtype=dtype)
    if isinstance(sizes, (list, tuple)):
        return [zeros(s) for s in sizes]
    return zeros(sizes)


class AbstractRNNCell(Layer):
    """Base class of a custom RNN cell (Keras 2's ``AbstractRNNCell``): a subclass gives ``state_size`` (an int,
    or a tuple of them, one per state), ``output_size`` and ``call(inputs, states) -> (output, new_states)``;
    ``RNN(cell)`` runs it over time. Zero initial states come from ``get_initial_state``."""

    def call(self, inputs, states):
        raise NotImplementedError(f"{type(self).__name__} must implement `call(inputs, states)` returning "
                                  "(output, new_states).")

    @property
    def state_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define the `state_size` property.")

    @property
    def output_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define the `output_size` property.")

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        return zero_state(self, inputs, batch_size, dtype)


class _GatedCell(DropoutRNNCellMixin, Layer):
    """What SimpleRNNCell, GRUCell and LSTMCell share: arguments, weights' settings and the config."""

    _gates = 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, **kwargs):
        kwargs.pop("enable_caching_device", None)  # a TensorFlow placement detail, meaningless here
        super().__init__(**kwargs)
        self.units = _check_units(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.state_size = self.units
        self.output_size = self.units

    def _build_kernels(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'The last dimension of the inputs to {self.__class__.__name__} "{self.name}" should be '
                             f"defined. Found None in input shape {tuple(input_shape)}.")
        width = self.units * self._gates
        self.kernel = self.add_weight("kernel", (input_dim, width), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, width),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)

    def _add_bias(self, shape, initializer=None):
        return self.add_weight("bias", shape, initializer=initializer or self.bias_initializer,
                               regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        return zero_state(self, inputs, batch_size, dtype)

    def _config_head(self):
        return {
            "units": self.units,
            "activation": activations.serialize(self.activation),
        }

    def _config_tail(self):
        return {
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }

    def _config_regularization(self):
        return {
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }


def _split_gates(w, n):
    """``n`` equal blocks of ``w`` along its last axis."""
    size = w.shape[-1] // n
    return [w[..., i * size:(i + 1) * size] for i in range(n)]


def _project(x, kernel, masks, n):
    """``x @ kernel``; with per-gate dropout ``masks`` each gate block sees its own masked ``x``."""
    if masks is None:
        return K.dot(x, kernel)
    return K.concatenate([K.dot(x * m, k) for m, k in zip(masks, _split_gates(kernel, n))], axis=-1)


class SimpleRNNCell(_GatedCell):
    """``output = activation(x @ kernel + bias + h_prev @ recurrent_kernel)``; the state is the output."""

    def build(self, input_shape):
        self._build_kernels(input_shape)
        self.bias = self._add_bias((self.units,)) if self.use_bias else None
        self.built = True

    def call(self, inputs, states, training=None):
        nested = isinstance(states, (list, tuple))
        prev_output = states[0] if nested else states
        dp_mask = self._input_masks(inputs, training, 1)
        rec_dp_mask = self._state_masks(prev_output, training, 1)
        h = K.dot(inputs * dp_mask if dp_mask is not None else inputs, self.kernel)
        if self.bias is not None:
            h = K.bias_add(h, self.bias)
        if rec_dp_mask is not None:
            prev_output = prev_output * rec_dp_mask
        output = self.activation(h + K.dot(prev_output, self.recurrent_kernel))
        return output, ([output] if nested else output)

    def get_config(self):
        config = super().get_config()
        config.update(self._config_head())
        config.update(self._config_tail())
        config.update(self._config_regularization())
        return config


class GRUCell(_GatedCell):
    """Gated Recurrent Unit step. ``reset_after=True`` (default, cuDNN-compatible) applies the reset gate
    after the recurrent matrix product and keeps separate input and recurrent biases."""

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        # Keras switches to the per-gate implementation when the recurrent state is dropped out.
        self.implementation = 1 if self.recurrent_dropout != 0 and implementation != 1 else implementation
        self.reset_after = reset_after

    def build(self, input_shape):
        self._build_kernels(input_shape)
        self.bias = None
        if self.use_bias:
            # reset_after keeps separate input and recurrent biases: (2, 3 * units), unlike CuDNNGRU's flat vector.
            self.bias = self._add_bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))
        self.built = True

    def call(self, inputs, states, training=None):
        nested = isinstance(states, (list, tuple))
        h_prev = states[0] if nested else states
        per_gate = self.implementation == 1
        dp_mask = self._input_masks(inputs, training, 3)
        rec_dp_mask = self._state_masks(h_prev, training, 3)
        units = self.units
        if self.bias is not None:
            input_bias, recurrent_bias = (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)
        else:
            input_bias = recurrent_bias = None

        if dp_mask is not None and not per_gate:
            inputs = inputs * dp_mask[0]
            dp_mask = None
        matrix_x = _project(inputs, self.kernel, dp_mask, 3)
        if input_bias is not None:
            matrix_x = K.bias_add(matrix_x, input_bias)
        x_z, x_r, x_h = _split_gates(matrix_x, 3)

        rec_z, rec_r, rec_h = _split_gates(self.recurrent_kernel, 3)
        h_z, h_r, h_h = (h_prev * m for m in rec_dp_mask) if rec_dp_mask is not None else (h_prev,) * 3
        if self.reset_after and rec_dp_mask is None:
            matrix_inner = K.dot(h_prev, self.recurrent_kernel)
            if recurrent_bias is not None:
                matrix_inner = K.bias_add(matrix_inner, recurrent_bias)
            inner_z, inner_r, inner_h = _split_gates(matrix_inner, 3)
        else:
            inner_z, inner_r = K.dot(h_z, rec_z), K.dot(h_r, rec_r)
            if self.reset_after:
                inner_h = K.dot(h_h, rec_h)
            if recurrent_bias is not None:
                inner_z = K.bias_add(inner_z, recurrent_bias[:units])
                inner_r = K.bias_add(inner_r, recurrent_bias[units:2 * units])
                inner_h = K.bias_add(inner_h, recurrent_bias[2 * units:])

        z = self.recurrent_activation(x_z + inner_z)
        r = self.recurrent_activation(x_r + inner_r)
        if self.reset_after:
            recurrent_h = r * inner_h
        else:
            recurrent_h = K.dot(r * h_h, rec_h)
        candidate = self.activation(x_h + recurrent_h)
        h = z * h_prev + (1 - z) * candidate
        return h, ([h] if nested else h)

    def get_config(self):
        config = super().get_config()
        config.update(self._config_head())
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config.update(self._config_tail())
        config.update(self._config_regularization())
        config["implementation"] = self.implementation
        config["reset_after"] = self.reset_after
        return config


class _UnitForgetBias:
    """LSTM bias initializer: ``bias_initializer`` everywhere but ones for the forget gate."""

    def __init__(self, units, base):
        self.units = units
        self.base = base

    def __call__(self, shape, dtype=None, **kwargs):
        u = self.units
        return K.concatenate([K.convert_to_tensor(self.base((u,), dtype=dtype)), K.ones((u,), dtype=dtype),
                              K.convert_to_tensor(self.base((2 * u,), dtype=dtype))], axis=0)


class LSTMCell(_GatedCell):
    """Long Short-Term Memory step: states ``[h, c]``, gates i,f,c,o."""

    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = 1 if self.recurrent_dropout != 0 and implementation != 1 else implementation
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        self._build_kernels(input_shape)
        self.bias = None
        if self.use_bias:
            init = _UnitForgetBias(self.units, self.bias_initializer) if self.unit_forget_bias else None
            self.bias = self._add_bias((4 * self.units,), init)
        self.built = True

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states[0], states[1]
        per_gate = self.implementation == 1
        dp_mask = self._input_masks(inputs, training, 4)
        rec_dp_mask = self._state_masks(h_prev, training, 4)
        if dp_mask is not None and not per_gate:
            inputs = inputs * dp_mask[0]
            dp_mask = None
        z = _project(inputs, self.kernel, dp_mask, 4)
        z = z + _project(h_prev, self.recurrent_kernel, rec_dp_mask, 4)
        if self.bias is not None:
            z = K.bias_add(z, self.bias)
        z_i, z_f, z_c, z_o = _split_gates(z, 4)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_prev + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(self._config_head())
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config.update(self._config_tail())
        config["unit_forget_bias"] = self.unit_forget_bias
        config.update(self._config_regularization())
        config["implementation"] = self.implementation
        return config


def flat_state_sizes(state_size):
    """A cell's ``state_size`` (an int, a list, or nested lists for stacked cells) as a flat list. A shape object
    (``as_list()``, as tf.TensorShape) is one state of that shape, as in tf-keras (keras.io's NestedCell)."""
    if hasattr(state_size, "as_list"):
        return [tuple(state_size.as_list())]
    if isinstance(state_size, (list, tuple)):
        return [s for item in state_size for s in flat_state_sizes(item)]
    return [state_size]


class StackedRNNCells(Layer):
    """Several cells run one after the other at each step, as one cell: ``RNN(StackedRNNCells(cells))``.

    Its states are the cells' states in order, kept flat (``[h1, c1, h2]`` for an LSTM cell then a GRU cell);
    ``reverse_state_order=True`` (Keras 2.1's order, deprecated) lists them last cell first (``[h2, h1, c1]``),
    in ``state_size``, initial states and the states an RNN returns.
    """

    def __init__(self, cells, **kwargs):
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError(f"All cells must have a `call` method. Received cell without a `call` method: {cell}")
            if not hasattr(cell, "state_size"):
                raise ValueError(f"All cells must have a `state_size` attribute. Received cell without a "
                                 f"`state_size`: {cell}")
        self.reverse_state_order = kwargs.pop("reverse_state_order", False)
        if self.reverse_state_order:
            warnings.warn("reverse_state_order=True in StackedRNNCells will soon be deprecated. Please update the "
                          "code to work with the natural order of states if you rely on the RNN states, eg "
                          "RNN(return_state=True).", stacklevel=2)
        super().__init__(**kwargs)
        self.cells = list(cells)

    @property
    def _cells_in_state_order(self):
        return self.cells[::-1] if self.reverse_state_order else self.cells

    @property
    def state_size(self):
        return tuple(c.state_size for c in self._cells_in_state_order)

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        return flat_state_sizes(last.state_size)[0]

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        states = []
        for cell in self._cells_in_state_order:
            fn = getattr(cell, "get_initial_state", None)
            states.append(fn(inputs=inputs, batch_size=batch_size, dtype=dtype) if fn else
                          zero_state(cell, inputs, batch_size, dtype))
        return tuple(states)

    def build(self, input_shape):
        from fastkeras.layers.recurrent import build_cell, cell_call_arguments
        constants_shapes = []
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            constants_shapes = [tuple(s) for s in input_shape[1:]]  # [step shape, *constant shapes] from an RNN
            input_shape = input_shape[0]
        batch = input_shape[0]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                takes_constants = cell_call_arguments(cell)[1]
                build_cell(cell, tuple(input_shape), constants_shapes if takes_constants else [], self.name)
            output_dim = getattr(cell, "output_size", None)
            if output_dim is None:
                output_dim = flat_state_sizes(cell.state_size)[0]
            input_shape = (batch,) + tuple(_as_list(output_dim))
        self.built = True

    def call(self, inputs, states, constants=None, training=None, **kwargs):
        from fastkeras.layers.recurrent import cell_call_arguments
        flat = tree.flatten(list(states))
        per_cell = []
        start = 0
        for cell in self._cells_in_state_order:
            count = len(flat_state_sizes(cell.state_size))
            per_cell.append(flat[start:start + count])
            start += count
        if self.reverse_state_order:
            per_cell.reverse()
        new_per_cell = []
        for cell, cell_states in zip(self.cells, per_cell):
            accepts_training, accepts_constants = cell_call_arguments(cell)
            extra = {}
            if accepts_training:
                extra["training"] = training
            if accepts_constants:
                extra["constants"] = constants
            inputs, cell_states = cell.call(inputs, cell_states, **extra)
            new_per_cell.append(tree.flatten(cell_states) if isinstance(cell_states, (list, tuple)) else [cell_states])
        if self.reverse_state_order:
            new_per_cell.reverse()
        return inputs, [state for cell_states in new_per_cell for state in cell_states]

    def get_config(self):
        from fastkeras.saving.model_config import serialize_layer
        config = super().get_config()
        config["cells"] = [serialize_layer(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from fastkeras.layers import deserialize
        config = dict(config)
        cells = [deserialize(c, custom_objects=custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
