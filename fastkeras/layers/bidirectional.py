"""Bidirectional: one recurrent layer reading forward, a copy reading backward, outputs merged."""
import copy
import inspect

from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.engine.base_layer import Layer, _call_arguments
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.layers.recurrent import _KerasRNN, build_in_scope, cell_call_arguments, standardize_args

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _merge(mode, forward, backward):
    if mode == "concat":
        return K.concatenate([forward, backward], axis=-1)
    if mode == "sum":
        return forward + backward
    if mode == "ave":
        return (forward + backward) / 2
    if mode == "mul":
        return forward * backward
    return [forward, backward]


class Bidirectional(Layer):
    """Wraps an RNN: ``forward_<name>`` reads the sequence forward, ``backward_<name>`` (a copy with
    ``go_backwards`` flipped, or ``backward_layer``) reads it backward; their outputs are merged by
    ``merge_mode`` ('concat', 'sum', 'mul', 'ave', or None for a list of both).

    Weights: the forward layer's, then the backward layer's. With ``return_state`` the outputs are
    ``[merged, *forward_states, *backward_states]``; ``initial_state`` takes the forward states then the
    backward ones. With ``return_sequences`` the backward outputs are put back in forward time order and
    masked steps are zeros.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `Layer` instance. Received: {layer}")
        if not hasattr(layer, "go_backwards"):
            raise ValueError(f"`Bidirectional` wraps a recurrent layer (an RNN, LSTM, GRU ... with `go_backwards`). "
                             f'Received the {type(layer).__name__} layer "{layer.name}".')
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `Layer` instance. Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        trainable = kwargs.pop("trainable", layer.trainable)
        super().__init__(trainable=trainable, **kwargs)
        self.layer = layer
        self.forward_layer = self._recreate_layer(layer)
        self._backward_layer_config = None
        if backward_layer is None:
            self.backward_layer = self._recreate_layer(layer, go_backwards=True)
        else:
            from fastkeras.saving.model_config import serialize_layer
            self.backward_layer = backward_layer
            self._backward_layer_config = serialize_layer(backward_layer)
        self.forward_layer.name = "forward_" + self.forward_layer.name
        self.backward_layer.name = "backward_" + self.backward_layer.name
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                # Keras zeroes masked steps so that the reversed backward sequence lines up.
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self.forward_layer._initial_weights = list(weights[:half])
            self.backward_layer._initial_weights = list(weights[half:])
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._num_constants = 0
        self.input_spec = layer.input_spec

    @staticmethod
    def _recreate_layer(layer, go_backwards=False):
        config = layer.get_config()
        if go_backwards:
            config["go_backwards"] = not config["go_backwards"]
        custom_objects = {}
        cell = getattr(layer, "cell", None)
        if cell is not None:
            custom_objects[type(cell).__name__] = type(cell)
            for c in getattr(cell, "cells", []):
                custom_objects[type(c).__name__] = type(c)
        from fastkeras.saving.model_config import _call_from_config
        return _call_from_config(type(layer), config, custom_objects)

    def _verify_layer_config(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError("Forward layer and backward layer should have different `go_backwards` value."
                             f"forward_layer.go_backwards = {forward.go_backwards},"
                             f"backward_layer.go_backwards = {backward.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            f, b = getattr(forward, attr), getattr(backward, attr)
            if f != b:
                raise ValueError("Forward layer and backward layer are expected to have the same value for attribute "
                                 f'"{attr}", got "{f}" for forward layer and "{b}" for backward layer')

    # ---- shapes ------------------------------------------------------------------------------------

    def build(self, input_shape):
        constants_shapes = []
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            if self._num_constants and len(input_shape) > self._num_constants:
                constants_shapes = [tuple(s) for s in input_shape[-self._num_constants:]]
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        # Each direction sees the constants' shapes too (an RNN builds a Keras 2 cell on them, see RNN._build_cell).
        layer_shape = [input_shape] + constants_shapes if constants_shapes else input_shape
        build_in_scope(self.forward_layer, layer_shape, self.name)
        build_in_scope(self.backward_layer, layer_shape, self.name)
        self.built = True

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        output_shape = self.forward_layer.compute_output_shape(tuple(input_shape))
        state_shapes = []
        if self.return_state:
            output_shape, state_shapes = output_shape[0], list(output_shape[1:])
        output_shape = tuple(output_shape)
        if self.merge_mode == "concat":
            last = output_shape[-1]
            output_shape = output_shape[:-1] + (None if last is None else 2 * last,)
        outputs = [output_shape, copy.copy(output_shape)] if self.merge_mode is None else [output_shape]
        if self.return_state:
            return outputs + state_shapes + copy.copy(state_shapes)
        return outputs if self.merge_mode is None else output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        if self.return_sequences:
            output_mask = mask if self.merge_mode else [mask, mask]
        else:
            output_mask = None if self.merge_mode else [None, None]
        if self.return_state:
            state_masks = [None] * len(self.forward_layer.states)
            head = output_mask if isinstance(output_mask, list) else [output_mask]
            return head + state_masks * 2
        return output_mask

    # ---- calling -------------------------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f'Layer "{self.name}" must be called with its inputs as the first argument.')
            args = (kwargs.pop("inputs"),)
        inputs, initial_state, constants = standardize_args(
            args[0], kwargs.pop("initial_state", None), kwargs.pop("constants", None), self._num_constants)
        if initial_state is None and constants is None:
            return super().__call__(inputs, *args[1:], **kwargs)
        if initial_state is not None and len(initial_state) % 2:
            raise ValueError("When passing `initial_state` to a Bidirectional RNN, the state should be a list "
                             f"containing the states of the underlying RNNs. Received: {initial_state}")
        if constants is not None:
            self._check_takes_constants(constants)
            # Both directions read the same constants; a functional node carries them last in its input list.
            self._num_constants = self.forward_layer._num_constants = self.backward_layer._num_constants = \
                len(constants)
        extra = tree.flatten(initial_state or []) + tree.flatten(constants or [])
        symbolic = [isinstance(t, KerasTensor) for t in extra]
        if any(symbolic) and not all(symbolic):
            raise ValueError("The initial state of a Bidirectional layer cannot be specified with a mix of Keras "
                             "tensors and non-Keras tensors (a \"Keras tensor\" is a tensor that was returned by a "
                             "Keras layer, or by `Input`)")
        if not all(symbolic):
            return super().__call__(inputs, *args[1:], initial_state=initial_state, constants=constants, **kwargs)
        spec = self.input_spec
        self.input_spec = None
        try:
            # As in tf-keras' model files: the node's kwargs name both arguments, the values travel in its inputs.
            return super().__call__([inputs] + extra, *args[1:], initial_state=None, constants=None, **kwargs)
        finally:
            self.input_spec = spec

    def _check_takes_constants(self, constants):
        """tf-keras hands ``constants`` to the wrapped layer's call(): a Keras recurrent layer (LSTM, GRU, ...) or a
        layer whose call() names no ``constants`` refuses them there, with a TypeError."""
        layer = self.layer
        if isinstance(layer, _KerasRNN) or "constants" not in inspect.signature(type(layer).call).parameters:
            raise TypeError(f'Bidirectional layer "{self.name}" received `constants`, which it passes to the call() '
                            f'of the layer it wraps, {type(layer).__name__} "{layer.name}"; that call() takes no '
                            "`constants`. Wrap an RNN whose cell's call() accepts `constants`. Received: "
                            f"constants={constants}")
        cell = getattr(layer, "cell", None)
        if cell is not None and not cell_call_arguments(cell)[1]:
            raise ValueError(f'Bidirectional layer "{self.name}": the RNN cell {cell} of {type(layer).__name__} '
                             f'"{layer.name}" does not support constants (its call() names no `constants`). '
                             f"Received: constants={constants}")

    def _sub_call(self, layer, inputs, states, constants, mask, training):
        accepts_mask, accepts_training, _ = _call_arguments(type(layer))
        kwargs = {}
        if accepts_mask:
            kwargs["mask"] = mask
        if accepts_training:
            kwargs["training"] = training
        if states is not None:
            kwargs["initial_state"] = states
        if constants is not None:
            kwargs["constants"] = constants
        return layer.call(inputs, **kwargs)

    def call(self, inputs, training=None, mask=None, initial_state=None, constants=None):
        if isinstance(inputs, list):   # [x, *forward_states, *backward_states, *constants] from a functional node
            n = self._num_constants
            if n:
                constants = inputs[-n:]
            states = inputs[1:len(inputs) - n]
            if states:
                initial_state = states
            inputs = inputs[0]
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        forward_state = backward_state = None
        if initial_state is not None:
            initial_state = tree.flatten(initial_state)
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        if constants is not None:
            constants = tree.flatten(constants)
        y = self._sub_call(self.forward_layer, inputs, forward_state, constants, mask, training)
        y_rev = self._sub_call(self.backward_layer, inputs, backward_state, constants, mask, training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = K.reverse(y_rev, 0 if getattr(self.forward_layer, "time_major", False) else 1)
        output = _merge(self.merge_mode, y, y_rev)
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        if not isinstance(states, (list, tuple)):
            raise ValueError(f"Unrecognized value for `states`. Expected `states` to be list or tuple. Received: "
                             f"{states}")
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    # ---- config ---------------------------------------------------------------------------------

    def get_config(self):
        from fastkeras.saving.model_config import serialize_layer
        config = super().get_config()
        config["layer"] = serialize_layer(self.layer)
        config["merge_mode"] = self.merge_mode
        if self._num_constants:
            config["num_constants"] = self._num_constants
        if self._backward_layer_config is not None:
            config["backward_layer"] = copy.deepcopy(self._backward_layer_config)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from fastkeras.layers import deserialize
        config = copy.deepcopy(config)
        num_constants = config.pop("num_constants", 0)
        config["layer"] = deserialize(config["layer"], custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize(backward, custom_objects=custom_objects)
        layer = cls(**config)
        # The node that rebuilds the model passes the constants at the end of its input list.
        layer._num_constants = layer.forward_layer._num_constants = layer.backward_layer._num_constants = \
            num_constants
        return layer
