"""Weights read from a file, brought into the layout of the layer they load into (Keras 2's
``preprocess_weights_for_loading``).

Keras 2 converts, as it loads an HDF5 weights file:

* files written by Keras 1 (no ``keras_version`` attribute, or one starting with '1'): the per-gate LSTM, GRU and
  ConvLSTM2D weights (12 or 9 arrays) are concatenated into Keras 2's three, with Keras 1's i, c, f, o gate order
  turned into i, f, c, o, and channels-first convolution kernels are transposed to Keras 2's layout;
* a 2D convolution kernel whose shape differs from the layer's: read as ``(channels, filters, cols, rows)`` and
  transposed to ``(rows, cols, channels, filters)`` (Keras 2's rule for kernels from other backends);
* LSTM <-> CuDNNLSTM and GRU(reset_after=True) <-> CuDNNGRU weights (``convert_rnn_weights``);

looking inside ``Bidirectional``, ``TimeDistributed`` and nested models. Arrays come in and go out; no layer is
changed.
"""
import numpy as np

from fastkeras.layers.cudnn_recurrent import convert_rnn_weights

_CONV_LAYERS = ("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "ConvLSTM2D")


def _concat_gates(weights, order):
    """Keras 1's per-gate (kernel, recurrent kernel, bias) triples as Keras 2's three concatenated arrays."""
    return [np.concatenate([weights[3 * gate + k] for gate in order], axis=-1) for k in range(3)]


def _nested_model(model, weights, version, backend):
    n_trainable = len(model.trainable_weights)
    trainable, non_trainable = list(weights[:n_trainable]), list(weights[n_trainable:])
    new_trainable, new_non_trainable = [], []
    for sublayer in model.layers:
        n_t, n_nt = len(sublayer.trainable_weights), len(sublayer.non_trainable_weights)
        if not sublayer.weights:
            continue
        converted = preprocess_weights_for_loading(sublayer, trainable[:n_t] + non_trainable[:n_nt], version,
                                                   backend)
        new_trainable.extend(converted[:n_t])
        new_non_trainable.extend(converted[n_t:])
        trainable, non_trainable = trainable[n_t:], non_trainable[n_nt:]
    # What no sublayer took (the model's own weights) goes through unchanged.
    return new_trainable + trainable + new_non_trainable + non_trainable


def _from_keras1(layer, weights):
    kind = layer.__class__.__name__
    if kind == "Conv1D":
        shape = weights[0].shape
        if shape[:2] != (layer.kernel_size[0], 1) or shape[3] != layer.filters:
            # Keras 1.1: (filters, input_dim, filter_length, 1)
            weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
        weights[0] = weights[0][:, 0, :, :]
    elif kind == "Conv2D" and layer.data_format == "channels_first":
        # (filters, stack_size, rows, cols) -> (rows, cols, stack_size, filters)
        weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
    elif kind == "Conv2DTranspose":
        if layer.data_format == "channels_last":
            weights[0] = np.transpose(weights[0], (0, 1, 3, 2))
        else:
            weights[0] = np.transpose(weights[0], (2, 3, 0, 1))
    elif kind == "Conv3D" and layer.data_format == "channels_first":
        weights[0] = np.transpose(weights[0], (2, 3, 4, 1, 0))
    elif kind == "GRU" and len(weights) == 9:
        weights = _concat_gates(weights, (0, 1, 2))
    elif kind == "LSTM" and len(weights) == 12:
        weights = _concat_gates(weights, (0, 2, 1, 3))  # Keras 1's i, c, f, o -> i, f, c, o
    elif kind == "ConvLSTM2D" and len(weights) == 12:
        weights = _concat_gates(weights, (0, 2, 1, 3))
        if layer.data_format == "channels_first":
            weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
            weights[1] = np.transpose(weights[1], (2, 3, 1, 0))
    return weights


def _gru_kind(bias, units, layer=None):
    """'CuDNNGRU', 'GRU(reset_after=True)' or 'GRU(reset_after=False)': from a bias' shape, or from ``layer``."""
    from fastkeras.layers.cudnn_recurrent import CuDNNGRU
    if layer is not None:
        if isinstance(layer, CuDNNGRU):
            return "CuDNNGRU"
        return f"GRU(reset_after={bool(layer.reset_after)})"
    shapes = {(6 * units,): "CuDNNGRU", (2, 3 * units): "GRU(reset_after=True)", (3 * units,): "GRU(reset_after=False)"}
    if bias.shape not in shapes:
        raise ValueError(f"Invalid bias shape: {bias.shape}")
    return shapes[bias.shape]


def _check_gru_weights(layer, weights):
    """As Keras 2: GRU(reset_after=False) weights fit neither CuDNNGRU nor GRU(reset_after=True), nor the reverse."""
    from fastkeras.layers.recurrent import GRU
    if not isinstance(layer, GRU) or len(weights) != 3 or weights[1].ndim != 2:
        return
    units = weights[1].shape[0]
    source, target = _gru_kind(weights[2], units), _gru_kind(None, units, layer)
    if source != target and "GRU(reset_after=False)" in (source, target):
        raise ValueError(f"{source} is not compatible with {target}")


def preprocess_weights_for_loading(layer, weights, original_keras_version=None, original_backend=None):
    """``weights`` (numpy arrays read for ``layer`` from a file written by Keras ``original_keras_version`` on
    ``original_backend``) in the layout ``layer.set_weights`` takes; see the module docstring."""
    from fastkeras.engine.training import Model
    from fastkeras.layers.bidirectional import Bidirectional
    from fastkeras.layers.wrappers import TimeDistributed
    weights = [np.asarray(w) for w in weights]
    if isinstance(layer, Bidirectional):
        half = len(weights) // 2
        weights = (preprocess_weights_for_loading(layer.forward_layer, weights[:half], original_keras_version,
                                                  original_backend)
                   + preprocess_weights_for_loading(layer.backward_layer, weights[half:], original_keras_version,
                                                    original_backend))
    if isinstance(layer, TimeDistributed):
        weights = preprocess_weights_for_loading(layer.layer, weights, original_keras_version, original_backend)
    elif isinstance(layer, Model):
        weights = _nested_model(layer, weights, original_keras_version, original_backend)

    if original_keras_version == "1":
        weights = _from_keras1(layer, weights)

    if layer.__class__.__name__ in _CONV_LAYERS and weights and layer.weights:
        if tuple(layer.weights[0].shape) != weights[0].shape and weights[0].ndim == 4:
            # a kernel from another backend's layout: Keras 2's transposition
            weights[0] = np.transpose(weights[0], (3, 2, 0, 1))
            if layer.__class__.__name__ == "ConvLSTM2D":
                weights[1] = np.transpose(weights[1], (3, 2, 0, 1))
    if isinstance(layer, Bidirectional):
        return weights  # each direction was converted above
    _check_gru_weights(layer, weights)
    return convert_rnn_weights(layer, weights)


__all__ = ["preprocess_weights_for_loading"]
