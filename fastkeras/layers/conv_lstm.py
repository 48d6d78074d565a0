"""Convolutional LSTMs: ConvLSTM1D, ConvLSTM2D, ConvLSTM3D (Shi et al. 2015) with Keras 2's arguments,
configs and weights.

The cell is an LSTM whose matrix products are convolutions: ``kernel (*kernel_size, channels, 4 * filters)``
(gates i,f,c,o as LSTM's), ``recurrent_kernel (*kernel_size, filters, 4 * filters)`` applied with stride 1 and
'same' padding, ``bias (4 * filters,)``; tf-keras' weight names (``conv_lstm2d/conv_lstm_cell/kernel:0``)
and order, so Keras weight files load unchanged.

The layer convolves the inputs of every timestep in one call (time folded into the batch) before stepping
only the recurrent convolution. A mask is Keras 2's: ``(batch, time)`` masks whole steps, while the
``(batch, time, *spatial)`` mask a Masking layer computes on a 5-D input masks each position on its own
(tf-keras' ``K.rnn`` broadcasts it that way; it only fits outputs of the inputs' spatial size).
"""
from fastkeras import activations, constraints, initializers, regularizers
from fastkeras import backend as K
from fastkeras.backend import config as backend_config
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.utils.conv_utils import conv_output_length, normalize_padding, normalize_tuple
from fastkeras.layers.recurrent import RNN, STATEFUL_BATCH_SIZE_ERROR
from fastkeras.layers.recurrent_cells import DropoutRNNCellMixin, _UnitForgetBias, _split_gates
from fastkeras.legacy import interfaces as keras1

_CONV = {1: K.conv1d, 2: K.conv2d, 3: K.conv3d}


class ConvLSTMCell(DropoutRNNCellMixin, Layer):
    """One timestep of a ConvLSTM of ``rank`` 1, 2 or 3: states ``[h, c]``, each ``(batch, *spatial, filters)``
    (``(batch, filters, *spatial)`` with channels_first)."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if rank not in (1, 2, 3):
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. Received: rank={rank}")
        self.rank = rank
        self.filters = int(filters)
        if self.filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive value. "
                             f"Received filters={filters}.")
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = normalize_tuple(strides, rank, "strides", allow_zero=True)
        self.padding = normalize_padding(padding, ("valid", "same"))
        self.data_format = backend_config.normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.state_size = (self.filters, self.filters)

    @property
    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        input_dim = input_shape[self._channel_axis]
        if input_dim is None:
            raise ValueError("The channel dimension of the inputs (last axis) should be defined. Found None. "
                             f"Full input shape received: input_shape={input_shape}")
        self.kernel_shape = self.kernel_size + (input_dim, 4 * self.filters)
        self.kernel = self.add_weight("kernel", self.kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", self.kernel_size + (self.filters, 4 * self.filters),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            init = _UnitForgetBias(self.filters, self.bias_initializer) if self.unit_forget_bias else \
                self.bias_initializer
            self.bias = self.add_weight("bias", (4 * self.filters,), initializer=init,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    # ---- shapes -------------------------------------------------------------------------------

    def output_spatial_shape(self, spatial):
        return tuple(conv_output_length(size, k, self.padding, s, d) for size, k, s, d in
                     zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def state_shape(self, step_shape):
        """The per-sample shape of a state for step inputs of shape ``(batch, ...)``."""
        step_shape = tuple(step_shape)
        if self.data_format == "channels_first":
            return (self.filters,) + self.output_spatial_shape(step_shape[2:])
        return self.output_spatial_shape(step_shape[1:-1]) + (self.filters,)

    # ---- the step -----------------------------------------------------------------------------

    def input_conv(self, x, kernel, bias=None, padding=None):
        return _CONV[self.rank](x, kernel, strides=self.strides, padding=padding or self.padding,
                                data_format=self.data_format, dilation_rate=self.dilation_rate, bias=bias)

    def recurrent_conv(self, h, kernel):
        return _CONV[self.rank](h, kernel, strides=1, padding="same", data_format=self.data_format)

    def project_inputs(self, x):
        """The input convolutions of all four gates, bias included, concatenated on the channel axis: of one
        ``x``, or of four (each gate's own dropped-out inputs)."""
        if not isinstance(x, (list, tuple)):
            return self.input_conv(x, self.kernel, self.bias)
        kernels = _split_gates(self.kernel, 4)
        biases = _split_gates(self.bias, 4) if self.bias is not None else [None] * 4
        return K.concatenate([self.input_conv(xg, k, b) for xg, k, b in zip(x, kernels, biases)],
                             axis=self._channel_axis)

    def project_state(self, h, rec_dp_mask=None):
        if rec_dp_mask is None:
            return self.recurrent_conv(h, self.recurrent_kernel)
        return K.concatenate([self.recurrent_conv(h * m, k) for m, k in
                              zip(rec_dp_mask, _split_gates(self.recurrent_kernel, 4))], axis=self._channel_axis)

    def gates(self, z, c_prev):
        """(h, c) from the summed projections ``z`` of the four gates and the previous carry."""
        if self.data_format == "channels_first":
            size = self.filters
            z_i, z_f, z_c, z_o = (z[:, g * size:(g + 1) * size] for g in range(4))
        else:
            z_i, z_f, z_c, z_o = _split_gates(z, 4)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_prev + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        return o * self.activation(c), c

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states[0], states[1]
        dp_mask = self._input_masks(inputs, training, 4)
        z = self.project_inputs(inputs if dp_mask is None else [inputs * m for m in dp_mask])
        z = z + self.project_state(h_prev, self._state_masks(h_prev, training, 4))
        h, c = self.gates(z, c_prev)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        })
        return config


class ConvLSTM1DCell(ConvLSTMCell):
    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(1, filters, kernel_size, **kwargs)


class ConvLSTM2DCell(ConvLSTMCell):
    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(2, filters, kernel_size, **kwargs)


class ConvLSTM3DCell(ConvLSTMCell):
    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(3, filters, kernel_size, **kwargs)


_CELL_ARGUMENTS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
                   "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                   "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                   "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                   "recurrent_dropout")


def _mask_like(mask_t, value):
    """A step mask ``(batch, ...)`` with trailing axes added to broadcast against ``value``, as tf-keras'
    ``K.rnn`` expands it."""
    return K.reshape(mask_t, tuple(mask_t.shape) + (1,) * (len(value.shape) - len(mask_t.shape)))


class ConvLSTM(RNN):
    """A ConvLSTM of ``rank`` 1, 2 or 3 over ``(batch, time, *spatial, channels)`` inputs
    (``(batch, time, channels, *spatial)`` with channels_first).

    Output: the last ``h`` ``(batch, *new_spatial, filters)``, or every step's with ``return_sequences``
    ``(batch, time, *new_spatial, filters)``; ``return_state`` appends ``[h, c]``. The spatial sizes follow
    the input convolution (``kernel_size``, ``strides``, ``padding``, ``dilation_rate``).
    """

    _rank = None

    @keras1.conv_lstm
    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="hard_sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, dropout=0.0,
                 recurrent_dropout=0.0, **kwargs):
        if kwargs.pop("unroll", False):
            raise TypeError("Unrolling is not possible with convolutional RNNs. Received: unroll=True")
        if kwargs.pop("time_major", False):
            raise ValueError("Convolutional RNNs do not support `time_major=True`.")
        rank = self._rank
        cell = ConvLSTMCell(
            rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, name="conv_lstm_cell", dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, activity_regularizer=activity_regularizer,
                         **kwargs)
        self.rank = rank
        self.input_spec = [InputSpec(ndim=rank + 3)]
        self._state_shape = None

    # ---- shapes and states ------------------------------------------------------------------------

    @property
    def _state_sizes(self):
        # Full per-sample state shapes once the input's spatial size is known: the RNN base class builds
        # zero states, checks reset_states(states) and counts states from these.
        if self._state_shape is None:
            return list(self.cell.state_size)
        return [self._state_shape, self._state_shape]

    def _check_rank(self, input_shape):
        if len(input_shape) != self.rank + 3:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"ndim={self.rank + 3}, found ndim={len(input_shape)}. Full shape received: "
                             f"{tuple(input_shape)}")

    def build(self, input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        self._check_rank(input_shape)
        self.input_spec = [InputSpec(shape=(input_shape[0] if self.stateful else None, None) + input_shape[2:])]
        step_shape = (input_shape[0],) + input_shape[2:]
        if not self.cell.built:
            # tf-keras builds the cell in the layer's own name scope: 'conv_lstm2d/kernel:0', no cell name.
            self.cell._maybe_build(step_shape)
            for w in self.cell.weights:
                w.name = f"{self.name}/{w.name.split('/')[-1]}"
        self._state_shape = self.cell.state_shape(step_shape)
        if self.stateful:
            self._stateful_batch_size = input_shape[0]
            if input_shape[0] is None or None in self._state_shape:
                raise ValueError(STATEFUL_BATCH_SIZE_ERROR + "\nThe same thing goes for the number of rows and "
                                 "columns.")
            self.reset_states()
        self.built = True

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        self._check_rank(input_shape)
        batch, time = input_shape[0], input_shape[1]
        state = self.cell.state_shape((batch,) + input_shape[2:])
        output = (batch, time) + state if self.return_sequences else (batch,) + state
        if self.return_state:
            return [output, (batch,) + state, (batch,) + state]
        return output

    def get_initial_state(self, inputs):
        shape = (inputs.shape[0],) + self.cell.state_shape((inputs.shape[0],) + tuple(inputs.shape[2:]))
        zeros = K.zeros(shape, dtype=K.dtype(inputs))
        return [zeros, zeros]

    def _check_initial_state_shapes(self, initial_state):
        # As tf-keras: two states, each with the cell's filters on the channel axis.
        from fastkeras.engine import tree
        flat = tree.flatten(initial_state)
        axis = 1 if self.cell.data_format == "channels_first" else self.rank + 1
        shapes = [tuple(s.shape) for s in flat]
        if len(flat) != 2 or any(len(s) != self.rank + 2 or s[axis] != self.cell.filters for s in shapes):
            raise ValueError("An `initial_state` was passed that is not compatible with `cell.state_size`. Received "
                             f"state shapes {shapes}. However `cell.state_size` is {self.cell.state_size}")

    # ---- calling ------------------------------------------------------------------------------

    def call(self, inputs, mask=None, training=None, initial_state=None):
        inputs, initial_state, _ = self._process_inputs(inputs, initial_state, None)
        self._check_rank(inputs.shape)
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        dtype = K.dtype(inputs)
        if dtype != self.dtype and dtype.startswith(("float", "bfloat")):
            inputs = K.cast(inputs, self.dtype)
        if training is None:
            training = K.learning_phase()
        self._reset_dropout_masks()
        last_output, outputs, states = self._run(inputs, initial_state, mask, training)
        if self.stateful and not getattr(last_output, "is_meta", False):
            self._states = [K.state_snapshot(s) for s in states]
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def _run(self, inputs, initial_state, mask, training):
        cell = self.cell
        batch, time = inputs.shape[0], inputs.shape[1]
        if time == 0:
            raise ValueError(f'Layer "{self.name}" received inputs with no timesteps: shape {tuple(inputs.shape)}.')
        # Every step's input convolution at once, time folded into the batch (the dropout masks are shared
        # by all steps of a sequence, as Keras draws them once).
        dp_mask = cell._input_masks(inputs[:, 0], training, 4)
        folded_shape = (batch * time,) + tuple(inputs.shape[2:])
        if dp_mask is None:
            folded = K.reshape(inputs, folded_shape)
        else:
            folded = [K.reshape(inputs * K.expand_dims(m, 1), folded_shape) for m in dp_mask]
        projected = cell.project_inputs(folded)
        projected = K.unstack(K.reshape(projected, (batch, time) + tuple(projected.shape[1:])), axis=1)
        if mask is not None:
            mask = K.unstack(K.cast(mask, "bool"), axis=1)
        h, c = initial_state
        previous = None
        outputs = []
        for t in (range(time - 1, -1, -1) if self.go_backwards else range(time)):
            z = projected[t] + cell.project_state(h, cell._state_masks(h, training, 4))
            h_new, c_new = cell.gates(z, c)
            output = h_new
            if mask is not None:
                keep = _mask_like(mask[t], h_new)
                if previous is None:
                    previous = K.zeros_like(h_new)
                output = K.where(keep, h_new, previous)
                h_new, c_new = K.where(keep, h_new, h), K.where(keep, c_new, c)
                previous = output
            h, c = h_new, c_new
            if self.return_sequences:
                outputs.append(output)
        last_output = output
        outputs = K.stack(outputs, axis=1) if self.return_sequences else K.expand_dims(last_output, 1)
        return last_output, outputs, [h, c]

    # ---- config -------------------------------------------------------------------------------

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in _CELL_ARGUMENTS:
            config[key] = cell_config[key]
            if key == "bias_regularizer":
                config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def _read_from_cell(name):
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's ``{name}``.")


for _name in _CELL_ARGUMENTS:
    setattr(ConvLSTM, _name, _read_from_cell(_name))


class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM. Input ``(batch, time, steps, channels)``; output ``(batch, new_steps, filters)``,
    or ``(batch, time, new_steps, filters)`` with ``return_sequences``."""

    _rank = 1


class ConvLSTM2D(ConvLSTM):
    """2-D convolutional LSTM. Input ``(batch, time, rows, cols, channels)``; output
    ``(batch, new_rows, new_cols, filters)``, or ``(batch, time, new_rows, new_cols, filters)`` with
    ``return_sequences``."""

    _rank = 2


class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM. Input ``(batch, time, dim1, dim2, dim3, channels)``; output
    ``(batch, *new_dims, filters)``, or ``(batch, time, *new_dims, filters)`` with ``return_sequences``."""

    _rank = 3
