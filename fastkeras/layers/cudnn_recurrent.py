"""Keras 2's CuDNNLSTM and CuDNNGRU: LSTM and GRU(reset_after=True) with the weight layout of cuDNN.

Keras 2 ran these only on a GPU, through cuDNN. Here they run anywhere, through the same fused kernels as LSTM
and GRU (cuDNN itself on CUDA): the cells hold the weights in the cuDNN layout, so Keras 2 files and
``get_weights``/``set_weights`` arrays carry over unchanged, and show the equivalent plain-layout weights as
``kernel``/``recurrent_kernel``/``bias`` to the LSTM and GRU code.

The cuDNN layout, per gate (gate order as in LSTM/GRU): the input kernel's ``(input_dim, units)`` block is cuDNN's
``(units, input_dim)`` matrix in row-major order, the recurrent block is the plain layer's block transposed, and the
bias holds separate input and recurrent halves (``8 * units`` for LSTM, ``6 * units`` for GRU) where LSTM has their
sum and GRU(reset_after=True) a ``(2, 3 * units)`` array. ``convert_rnn_weights`` turns arrays from a file saved
with one family into the other's layout, as Keras 2's ``load_weights`` does.
"""
import numpy as np

from fastkeras import backend as K
from fastkeras import constraints, initializers, regularizers
from fastkeras.layers.recurrent import GRU, LSTM
from fastkeras.layers.recurrent_cells import GRUCell, LSTMCell


def _plain_kernel(kernel, gates):
    """The plain-layout input kernel of a cuDNN-layout one: each gate's block reread as ``(units, input_dim)``
    and transposed."""
    input_dim, width = K.int_shape(kernel)
    units = width // gates
    blocks = K.permute_dimensions(K.reshape(kernel, (input_dim, gates, units)), (1, 0, 2))  # (gates, in, units)
    cudnn_matrices = K.reshape(blocks, (gates, units, input_dim))
    return K.reshape(K.permute_dimensions(cudnn_matrices, (2, 0, 1)), (input_dim, width))


def _plain_recurrent_kernel(recurrent_kernel, gates):
    """Each gate's ``(units, units)`` block transposed."""
    units, width = K.int_shape(recurrent_kernel)
    blocks = K.reshape(recurrent_kernel, (units, gates, units))
    return K.reshape(K.permute_dimensions(blocks, (2, 1, 0)), (units, width))


class _CuDNNCellWeights:
    """Builds the cuDNN-layout weights and shows them in the plain layout. Mixed into LSTMCell / GRUCell."""

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'The last dimension of the inputs to {self.__class__.__name__} "{self.name}" should be '
                             f"defined. Found None in input shape {tuple(input_shape)}.")
        width = self.units * self._gates
        self.cudnn_kernel = self.add_weight("kernel", (input_dim, width), initializer=self.kernel_initializer,
                                            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.cudnn_recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, width), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.cudnn_bias = self.add_weight("bias", (2 * width,), initializer=self._cudnn_bias_initializer(),
                                          regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        # Keras 2's cuDNN layers have no cell: their weights are "<layer>/kernel:0" once the RNN adds its scope.
        for weight, name in ((self.cudnn_kernel, "kernel"), (self.cudnn_recurrent_kernel, "recurrent_kernel"),
                             (self.cudnn_bias, "bias")):
            weight.name = f"{name}:0"
        self.built = True

    def _cudnn_bias_initializer(self):
        return self.bias_initializer

    @property
    def kernel(self):
        return _plain_kernel(self.cudnn_kernel, self._gates)

    @property
    def recurrent_kernel(self):
        return _plain_recurrent_kernel(self.cudnn_recurrent_kernel, self._gates)


class _CuDNNLSTMCell(_CuDNNCellWeights, LSTMCell):
    def _cudnn_bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, self.bias_initializer

        def unit_forget_bias(shape, dtype=None, **kwargs):
            # input-side biases, then the recurrent ones; the recurrent forget-gate bias starts at one, as Keras 2
            return K.concatenate([K.convert_to_tensor(base((5 * units,), dtype=dtype)), K.ones((units,), dtype=dtype),
                                  K.convert_to_tensor(base((2 * units,), dtype=dtype))], axis=0)
        return unit_forget_bias

    @property
    def bias(self):
        width = 4 * self.units
        return self.cudnn_bias[:width] + self.cudnn_bias[width:]


class _CuDNNGRUCell(_CuDNNCellWeights, GRUCell):
    @property
    def bias(self):
        return K.reshape(self.cudnn_bias, (2, 3 * self.units))


def _check_no_plain_options(layer_name, kwargs):
    fixed = {"activation", "recurrent_activation", "use_bias", "dropout", "recurrent_dropout", "unroll",
             "implementation", "reset_after"}
    given = sorted(fixed & set(kwargs))
    if given:
        raise TypeError(f"{layer_name} has fixed activations (tanh, sigmoid), always uses biases and has no dropout "
                        f"or unrolling; it does not take {given}. Use {layer_name[5:]} for those options.")


class _CuDNNRNN:
    """What both cuDNN layers add to LSTM / GRU: no masks, and the config Keras 2 writes for them (the RNN's flags,
    then the weights' settings; no activations, dropout or implementation)."""

    _weight_settings = ("kernel_initializer", "recurrent_initializer", "bias_initializer")
    _serializers = {"initializer": initializers.serialize, "regularizer": regularizers.serialize,
                    "constraint": constraints.serialize}

    def _refuse_mask(self, mask):
        if isinstance(mask, list):
            mask = mask[0]
        if mask is not None:
            raise ValueError(f'Masking is not supported for CuDNN RNNs: layer "{self.name}" '
                             f"({type(self).__name__}) received a mask. Use {type(self).__name__[5:]} for masked "
                             "sequences.")

    def _infer_outputs(self, inputs, extra_args, kwargs):
        self._refuse_mask(kwargs.get("mask"))  # on symbolic inputs too, so a model with a mask fails to build
        return super()._infer_outputs(inputs, extra_args, kwargs)

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        self._refuse_mask(mask)
        return super().call(inputs, training=training, initial_state=initial_state, constants=constants)

    def get_config(self):
        cell = self.cell
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype,
                  "return_sequences": self.return_sequences, "return_state": self.return_state,
                  "go_backwards": self.go_backwards, "stateful": self.stateful, "time_major": self.time_major,
                  "units": cell.units}
        for name in self._weight_settings:
            config[name] = initializers.serialize(getattr(cell, name))
        if isinstance(cell, LSTMCell):
            config["unit_forget_bias"] = cell.unit_forget_bias
        for kind in ("regularizer", "constraint"):
            for weight in ("kernel", "recurrent", "bias"):
                config[f"{weight}_{kind}"] = self._serializers[kind](getattr(cell, f"{weight}_{kind}"))
            if kind == "regularizer":
                config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config


class CuDNNLSTM(_CuDNNRNN, LSTM):
    """LSTM with tanh/sigmoid activations, no dropout, and Keras 2's cuDNN weight layout (``bias`` of
    ``8 * units``). Runs on any device."""

    _cell_class = _CuDNNLSTMCell
    _cell_name = "cudnn_lstm_cell"

    def __init__(self, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        _check_no_plain_options("CuDNNLSTM", kwargs)
        super().__init__(units, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards, stateful=stateful, **kwargs)
        self.supports_masking = False  # cuDNN has no masks; Keras 2 refuses a masked input (see call)


class CuDNNGRU(_CuDNNRNN, GRU):
    """GRU(reset_after=True) with tanh/sigmoid activations, no dropout, and Keras 2's cuDNN weight layout
    (``bias`` of ``6 * units``). Runs on any device."""

    _cell_class = _CuDNNGRUCell
    _cell_name = "cudnn_gru_cell"

    def __init__(self, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, **kwargs):
        _check_no_plain_options("CuDNNGRU", kwargs)
        super().__init__(units, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, **kwargs)
        self.supports_masking = False


# ---- converting saved weights between the plain and the cuDNN layouts (what Keras 2's load_weights does) -----

def _per_gate(matrix, gates, transform):
    return np.concatenate([transform(block) for block in np.split(matrix, gates, axis=1)], axis=1)


def _kernel_from_cudnn(block):
    return block.reshape(block.shape[1], block.shape[0]).T


def _kernel_to_cudnn(block):
    return np.ascontiguousarray(block.T).reshape(block.shape)


def convert_rnn_weights(layer, values):
    """``values`` (kernel, recurrent kernel, bias arrays read from a file) in ``layer``'s layout: arrays saved by
    an LSTM load into a CuDNNLSTM and back, those of a GRU(reset_after=True) into a CuDNNGRU and back. Anything
    else (including layers without a bias) is returned unchanged."""
    from fastkeras.layers.bidirectional import Bidirectional
    if isinstance(layer, Bidirectional) and len(values) % 2 == 0:
        half = len(values) // 2
        return (convert_rnn_weights(layer.forward_layer, values[:half])
                + convert_rnn_weights(layer.backward_layer, values[half:]))
    kind = type(layer)
    if len(values) != 3 or not issubclass(kind, (LSTM, GRU)):
        return list(values)
    kernel, recurrent_kernel, bias = (np.asarray(v) for v in values)
    if recurrent_kernel.ndim != 2:
        return values
    units = recurrent_kernel.shape[0]
    gates = 4 if issubclass(kind, LSTM) else 3
    target_cudnn = issubclass(kind, (CuDNNLSTM, CuDNNGRU))
    if gates == 4:
        source_cudnn = bias.shape == (8 * units,)
        if not source_cudnn and bias.shape != (4 * units,):
            return values  # not an LSTM's weights: the shape check that follows will report it
    else:
        source_cudnn = bias.shape == (6 * units,)
        if not source_cudnn and bias.shape != (2, 3 * units):
            return values  # e.g. a reset_after=False GRU, which has no cuDNN counterpart
    if source_cudnn == target_cudnn:
        return values
    recurrent_kernel = _per_gate(recurrent_kernel, gates, lambda block: block.T)
    if source_cudnn:
        kernel = _per_gate(kernel, gates, _kernel_from_cudnn)
        bias = bias.reshape(2, -1).sum(axis=0) if gates == 4 else bias.reshape(2, 3 * units)
    else:
        kernel = _per_gate(kernel, gates, _kernel_to_cudnn)
        # an LSTM's summed bias splits into two halves that add up to it again
        bias = np.tile(0.5 * bias, 2) if gates == 4 else bias.reshape(-1)
    return [kernel, recurrent_kernel, bias]
