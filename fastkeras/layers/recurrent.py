"""Recurrent layers: the generic ``RNN(cell)`` and SimpleRNN, GRU, LSTM, with Keras 2's arguments and configs.

``RNN`` runs its cell over the time axis through ``K.rnn`` (masked steps keep
the previous output and states). SimpleRNN, GRU and LSTM take one fused torch
kernel for the whole sequence (cuDNN on CUDA) whenever Keras 2 would use cuDNN:
tanh activation, sigmoid recurrent activation, no recurrent dropout, not
unrolled, with bias, and ``reset_after=True`` for GRU (SimpleRNN: tanh or relu).
With a mask those layers still avoid the generic loop: the backend computes the
input projection once and steps only the recurrent part. Setting
``layer._could_use_fused_kernel = False`` forces the generic step loop (the
tests compare both on the same weights).
"""
import inspect

from fastkeras import activations, constraints, initializers, regularizers
from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec, assert_input_compatibility
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.layers.recurrent_cells import (  # noqa: F401 - re-exported
    DropoutRNNCellMixin, GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells, _GatedCell, flat_state_sizes,
)
from fastkeras.legacy import interfaces as keras1

STATEFUL_BATCH_SIZE_ERROR = (
    "If a RNN is stateful, it needs to know its batch size. Specify the batch size of your input tensors: \n"
    "- If using a Sequential model, specify the batch size by passing a `batch_input_shape` argument to your "
    "first layer.\n"
    "- If using the functional API, specify the batch size by passing a `batch_shape` argument to your Input "
    "layer.")

_CELL_ARGUMENTS = {}


def cell_call_arguments(cell):
    """(``cell.call`` names ``training``, names ``constants``), cached per class."""
    cls = type(cell)
    found = _CELL_ARGUMENTS.get(cls)
    if found is None:
        params = inspect.signature(cell.call).parameters
        found = ("training" in params, "constants" in params)
        _CELL_ARGUMENTS[cls] = found
    return found


def build_in_scope(layer, input_shape, scope):
    """Builds ``layer`` and prefixes the names of the weights it creates with ``scope/``.

    tf-keras builds a cell inside its RNN's name scope, so an LSTM's weights are
    ``lstm/lstm_cell/kernel:0``; weight files and ``weight.name`` follow that.
    """
    before = {id(w) for w in layer.weights}
    layer._maybe_build(input_shape)
    if layer._build_input_shape is None:
        layer._build_input_shape = input_shape
    for w in layer.weights:
        if id(w) not in before:
            w.name = f"{scope}/{w.name}"


def build_cell(cell, step_shape, constants_shapes, scope):
    """Builds an RNN cell on the step shape, as tf-keras does.

    Keras 2.2-2.3 built a cell that takes constants on ``[step shape, *constant shapes]``, and cells written for
    it refuse the step shape alone: for them, when the step shape fails, the cell is built again (the weights of
    the failed attempt dropped) on Keras 2's list."""
    if not constants_shapes:
        build_in_scope(cell, step_shape, scope)
        return
    kept = list(cell._trainable_weights), list(cell._non_trainable_weights)
    try:
        build_in_scope(cell, step_shape, scope)
    except (TypeError, ValueError, IndexError) as error:
        cell._trainable_weights[:], cell._non_trainable_weights[:] = kept
        cell.built = False
        try:
            build_in_scope(cell, [tuple(step_shape)] + list(constants_shapes), scope)
        except Exception:
            raise error from None


def standardize_args(inputs, initial_state, constants, num_constants):
    """(inputs, initial_state list or None, constants list or None), splitting a ``[x, *states, *constants]``
    input list (how a model file records an RNN called with ``initial_state``)."""
    if isinstance(inputs, list):
        if initial_state is not None or constants is not None:
            raise ValueError("An RNN layer was called with a list of inputs and also `initial_state` or `constants`; "
                             "pass the states either inside the list or by keyword, not both.")
        if num_constants:
            constants = inputs[-num_constants:]
            inputs = inputs[:-num_constants]
        if len(inputs) > 1:
            initial_state = inputs[1:]
        inputs = inputs[0]

    def to_list(x):
        if x is None or isinstance(x, list):
            return x
        return list(x) if isinstance(x, tuple) else [x]
    return inputs, to_list(initial_state), to_list(constants)


def _dims(size):
    if hasattr(size, "as_list"):  # a shape object (tf.TensorShape's interface)
        return tuple(size.as_list())
    return tuple(size) if isinstance(size, (list, tuple)) else (size,)


def _is_nested_shape(input_shape):
    """A tuple of shapes: the inputs of an RNN called on a tuple of sequences (keras.io's NestedCell), as
    opposed to one shape or Keras 2's ``[x, *states]`` list."""
    return isinstance(input_shape, tuple) and len(input_shape) > 0 and \
        all(isinstance(s, (tuple, list)) for s in input_shape)


def _nested_sizes(size):
    """The per-output sizes of a cell whose ``output_size`` lists several shapes (``[[u1], [u2, u3]]`` or shape
    objects), else None (an int, or one shape as a flat list)."""
    if isinstance(size, (list, tuple)) and not hasattr(size, "as_list") and size and \
            all(isinstance(s, (list, tuple)) or hasattr(s, "as_list") for s in size):
        return list(size)
    return None


class RNN(Layer):
    """Runs a cell (or a list of cells, stacked) over the time axis of ``(batch, time, features)`` inputs.

    Output: the last output ``(batch, units)``, or every step ``(batch, time, units)`` with
    ``return_sequences``; ``return_state`` appends the final states. ``go_backwards`` reads time in
    reverse (and returns the outputs in that order). ``stateful`` carries the final states of a batch
    into the next one (the batch size must be fixed: ``batch_input_shape`` or ``Input(batch_shape=...)``);
    ``reset_states()`` zeroes them. ``initial_state`` (keyword) sets the first states: tensors, or
    symbolic tensors that become extra inputs of the layer in a functional model.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call"):
            raise ValueError(f"Argument `cell` should have a `call` method. The RNN was passed: cell={cell}")
        if not hasattr(cell, "state_size"):
            raise ValueError("The RNN cell should have a `state_size` attribute (tuple of integers, one integer per "
                             f"RNN state). Received: cell={cell}")
        self.zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        num_constants = kwargs.pop("num_constants", 0)
        if "input_shape" not in kwargs and ("input_dim" in kwargs or "input_length" in kwargs):
            kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim", None))
        kwargs.pop("input_length", None)
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.time_major = time_major
        self.supports_masking = True
        self.input_spec = None
        self._states = None
        self._num_constants = num_constants
        self._stateful_batch_size = None
        self._could_use_fused_kernel = False

    # ---- states -----------------------------------------------------------------------------------

    @property
    def _state_sizes(self):
        return flat_state_sizes(self.cell.state_size)

    @property
    def states(self):
        """The recorded states of a stateful layer (``[None, ...]`` before they exist)."""
        if self._states is None:
            return [None] * len(self._state_sizes)
        return self._states

    @states.setter
    def states(self, states):
        self._states = None if states is None else list(states)

    def reset_states(self, states=None):
        """Zeroes the recorded states of a stateful layer, or sets them to ``states`` (arrays)."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        batch_size = self._stateful_batch_size
        if not batch_size:
            raise ValueError(STATEFUL_BATCH_SIZE_ERROR)
        dtype = self.dtype
        shapes = [(batch_size,) + _dims(size) for size in self._state_sizes]
        if states is None:
            # The batch size comes from the input shape, which a loaded file chooses and no weight budget covers.
            from fastkeras.saving.safety import check_scratch
            check_scratch(self.name, "states", shapes, persistent=True)
            self._states = [K.zeros(shape, dtype=dtype) for shape in shapes]
            return
        values = tree.flatten(states) if isinstance(states, (list, tuple)) else [states]
        if len(values) != len(shapes):
            raise ValueError(f"Layer {self.name} expects {len(shapes)} states, but it received {len(values)} state "
                             f"values. States received: {states}")
        new_states = []
        for i, (value, shape) in enumerate(zip(values, shapes)):
            got = tuple(int(d) for d in getattr(value, "shape", ()))
            if got != shape:
                raise ValueError(f"State {i} is incompatible with layer {self.name}: expected shape={shape} but found "
                                 f"shape={got}")
            new_states.append(K.state_snapshot(K.cast(K.convert_to_tensor(value), dtype)))
        self._states = new_states

    def get_initial_state(self, inputs):
        """Zero states for ``inputs`` (or a custom cell's own ``get_initial_state``), as a flat list; the
        built-in cells' equal-sized zero states share one tensor (nothing writes into states)."""
        if isinstance(inputs, (list, tuple)):
            inputs = tree.flatten(inputs)[0]
        if isinstance(inputs, KerasTensor):
            return self._symbolic_initial_state(inputs)
        batch_size = inputs.shape[1 if self.time_major else 0]
        dtype = K.dtype(inputs)
        fn = getattr(self.cell, "get_initial_state", None)
        cells = self.cell.cells if isinstance(self.cell, StackedRNNCells) else [self.cell]
        if fn is not None and not all(isinstance(c, _GatedCell) for c in cells):
            return tree.flatten(fn(inputs=None, batch_size=batch_size, dtype=dtype))
        zeros = {}
        out = []
        for size in self._state_sizes:
            shape = (batch_size,) + _dims(size)
            if shape not in zeros:
                zeros[shape] = K.zeros(shape, dtype=dtype)
            out.append(zeros[shape])
        return out

    def _symbolic_initial_state(self, inputs):
        """Zero states for symbolic ``inputs``, whose batch size is known only when the graph runs: Keras 2's
        formula, zeros of the inputs summed over all but the batch axis, then tiled to each state's shape."""
        batch_axis = 1 if self.time_major else 0
        zeros = K.sum(K.zeros_like(inputs), axis=[a for a in range(K.ndim(inputs)) if a != batch_axis])
        out = []
        for size in self._state_sizes:
            dims = _dims(size)
            out.append(K.tile(K.reshape(zeros, (-1,) + (1,) * len(dims)), (1,) + dims))
        return out

    # ---- building and shapes ------------------------------------------------------------------------

    def build(self, input_shape):
        constants_shapes = []
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            if self._num_constants and len(input_shape) > self._num_constants:
                constants_shapes = [tuple(s) for s in input_shape[-self._num_constants:]]
            input_shape = input_shape[0]   # the first input; the rest are initial states / constants
        if _is_nested_shape(input_shape):
            return self._build_nested(input_shape)
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected ndim=3, found '
                             f"ndim={len(input_shape)}. Full shape received: {input_shape}")
        batch_axis, time_axis = (1, 0) if self.time_major else (0, 1)
        if self.unroll and input_shape[time_axis] is None:
            raise ValueError(
                "Cannot unroll a RNN if the time dimension is undefined. \n- If using a Sequential model, specify the "
                "time dimension by passing an `input_shape` or `batch_input_shape` argument to your first layer. If "
                "your first layer is an Embedding, you can also use the `input_length` argument.\n- If using the "
                "functional API, specify the time dimension by passing a `shape` or `batch_shape` argument to your "
                "Input layer.")
        spec = list(input_shape)
        if not self.stateful:
            spec[batch_axis] = None
        spec[time_axis] = None
        self.input_spec = [InputSpec(shape=tuple(spec))]
        step_shape = input_shape[1:] if self.time_major else (input_shape[0],) + input_shape[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            self._build_cell(step_shape, constants_shapes)
        if self.stateful:
            self._stateful_batch_size = input_shape[batch_axis]
            self.reset_states()
        self.built = True

    def _build_cell(self, step_shape, constants_shapes):
        if constants_shapes and isinstance(self.cell, StackedRNNCells):
            # The stack hands the constants' shapes on to each of its cells (build_cell's rule, per cell).
            build_in_scope(self.cell, [step_shape] + constants_shapes, self.name)
        else:
            build_cell(self.cell, step_shape, constants_shapes, self.name)

    def _build_nested(self, input_shapes):
        """build() for a tuple of input sequences: the cell is built on the tuple's step shapes (as tf-keras
        does), and no input spec is kept."""
        input_shapes = tuple(tuple(shape) for shape in input_shapes)
        for i, shape in enumerate(input_shapes):
            if len(shape) < 3:
                raise ValueError(f'Input {i} of layer "{self.name}" is incompatible with the layer: expected ndim>=3 '
                                 f"(batch, time, ...), found ndim={len(shape)}. Full shapes received: {input_shapes}")
        batch_axis = 1 if self.time_major else 0
        step_shapes = [shape[1:] if self.time_major else (shape[0],) + shape[2:] for shape in input_shapes]
        if isinstance(self.cell, Layer) and not self.cell.built:
            build_in_scope(self.cell, step_shapes, self.name)
        if self.stateful:
            self._stateful_batch_size = input_shapes[0][batch_axis]
            self.reset_states()
        self.built = True

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        if _is_nested_shape(input_shape):
            input_shape = input_shape[0]  # batch and time: every input sequence shares them
        input_shape = tuple(input_shape)
        batch, time = (input_shape[1], input_shape[0]) if self.time_major else (input_shape[0], input_shape[1])
        sizes = self._state_sizes
        output_size = getattr(self.cell, "output_size", None)
        output_size = output_size if output_size is not None else sizes[0]
        lead = ((time, batch) if self.time_major else (batch, time)) if self.return_sequences else (batch,)
        nested = _nested_sizes(output_size)
        output_shapes = [lead + _dims(size) for size in (nested or [output_size])]
        if self.return_state:
            return output_shapes + [(batch,) + _dims(size) for size in sizes]
        return output_shapes if nested else output_shapes[0]

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self._state_sizes)
        return output_mask

    # ---- calling ------------------------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f'Layer "{self.name}" must be called with its inputs as the first argument.')
            args = (kwargs.pop("inputs"),)
        # As tf-keras' RNN.__call__(inputs, initial_state=None, constants=None): the second and third positional
        # arguments are the initial state and the constants (call()'s second one would be the mask).
        for name, value in zip(("initial_state", "constants"), args[1:3]):
            if name in kwargs:
                raise TypeError(f'Layer "{self.name}": got multiple values for argument {name!r} (passed both '
                                "positionally and by keyword).")
            kwargs[name] = value
        args = args[:1] + args[3:]
        inputs, initial_state, constants = standardize_args(
            args[0], kwargs.pop("initial_state", None), kwargs.pop("constants", None), self._num_constants)
        if initial_state is None and constants is None:
            return super().__call__(inputs, *args[1:], **kwargs)
        extra = list(initial_state or []) + list(constants or [])
        symbolic = [isinstance(t, KerasTensor) for t in tree.flatten(extra)]
        if symbolic and any(symbolic) and not all(symbolic):
            raise ValueError("The initial state or constants of an RNN layer cannot be specified via a mix of Keras "
                             "tensors and non-Keras tensors (a \"Keras tensor\" is a tensor that was returned by a "
                             f"Keras layer or by `Input`). Received: initial_state={initial_state}, "
                             f"constants={constants}")
        if constants is not None:
            if not cell_call_arguments(self.cell)[1]:
                # Refused at once, as tf-keras does: a symbolic call infers its shapes without stepping the cell.
                raise ValueError(f"RNN cell {self.cell} does not support constants. Received: constants={constants}")
            self._num_constants = len(constants)
        if not (symbolic and all(symbolic)):
            if constants is not None and not self.built and hasattr(inputs, "shape"):
                # Built here, with the constants' shapes (a Keras 2 cell may need them, see _build_cell).
                self._maybe_build([tuple(t.shape) for t in [inputs] + tree.flatten(extra)])
            if initial_state is not None:
                kwargs["initial_state"] = initial_state
            if constants is not None:
                kwargs["constants"] = constants
            return super().__call__(inputs, *args[1:], **kwargs)
        # Symbolic states and constants become extra inputs of the node, as in Keras 2's model files.
        spec = self.input_spec
        if spec is not None and self.built and isinstance(inputs, KerasTensor):
            assert_input_compatibility(spec, [tuple(inputs.shape)], self.name)
        self.input_spec = None
        try:
            if initial_state is not None:
                if not self.built and isinstance(inputs, KerasTensor):
                    # a cell may learn its state_size only in build() (Keras 2.3's tests): build, then check
                    self._maybe_build([tuple(t.shape) for t in [inputs] + tree.flatten(extra)])
                    spec, self.input_spec = self.input_spec, None  # the spec build() set, for after the call
                self._check_initial_state_shapes(initial_state)
            return super().__call__([inputs] + tree.flatten(extra), *args[1:], **kwargs)
        finally:
            if self.input_spec is None:
                self.input_spec = spec

    def _check_initial_state_shapes(self, initial_state):
        flat = tree.flatten(initial_state)
        sizes = self._state_sizes
        shapes = [tuple(s.shape) for s in flat]
        compatible = len(flat) == len(sizes) and all(
            len(shape) == len(_dims(size)) + 1 and all(a is None or a == b for a, b in zip(shape[1:], _dims(size)))
            for shape, size in zip(shapes, sizes))
        if not compatible:
            raise ValueError("An `initial_state` was passed that is not compatible with `cell.state_size`. Received "
                             f"initial state shapes {shapes}; however `cell.state_size` is {self.cell.state_size}")

    def _process_inputs(self, inputs, initial_state, constants):
        if isinstance(inputs, list):   # [x, *initial_states, *constants]: a node with symbolic states
            if self._num_constants:
                initial_state = inputs[1:-self._num_constants]
                constants = inputs[-self._num_constants:]
            else:
                initial_state = inputs[1:]
            initial_state = initial_state or None
            inputs = inputs[0]
        if constants is not None:
            constants = [K.convert_to_tensor(c) for c in constants]
        if initial_state is not None:
            initial_state = [K.convert_to_tensor(s) for s in tree.flatten(initial_state)]
            if len(initial_state) != len(self._state_sizes):
                raise ValueError(f"Layer has {len(self._state_sizes)} states but was passed {len(initial_state)} "
                                 f"initial states. Received: initial_state={initial_state}")
        if self.stateful:
            states = self._recorded_states(inputs)
            if initial_state is not None:
                # Keras keeps the recorded states once they are non-zero, else takes the given ones.
                recorded = K.any_nonzero(states)
                initial_state = [K.where(recorded, s, K.cast(i, K.dtype(s))) for s, i in zip(states, initial_state)]
            else:
                initial_state = states
        elif initial_state is None:
            initial_state = self.get_initial_state(inputs)
        return inputs, initial_state, constants

    def _recorded_states(self, inputs):
        if self._states is None or self._states[0] is None:
            self.reset_states()
        first = inputs[0] if isinstance(inputs, tuple) else inputs
        batch = first.shape[1 if self.time_major else 0]
        expected = self._states[0].shape[0]
        if batch != expected:
            raise ValueError(f'Stateful RNN layer "{self.name}" keeps states for batches of {expected} samples, but it '
                             f"received a batch of {batch} samples (input shape {tuple(inputs.shape)}). Feed batches "
                             "of the size given in `batch_input_shape` / `Input(batch_shape=...)`.")
        return self._states

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        inputs, initial_state, constants = self._process_inputs(inputs, initial_state, constants)
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None

        def cast(x):
            dtype = K.dtype(x)
            return K.cast(x, self.dtype) if dtype != self.dtype and dtype.startswith(("float", "bfloat")) else x
        # A tuple of input sequences (keras.io's NestedCell) is stepped together, each cast alike.
        inputs = tuple(cast(x) for x in inputs) if isinstance(inputs, tuple) else cast(inputs)
        if training is None:
            training = K.learning_phase()
        self._reset_dropout_masks()
        result = self._fused_call(inputs, initial_state, mask, training) if self._could_use_fused_kernel else None
        if result is None:
            result = self._loop_call(inputs, initial_state, constants, mask, training)
        last_output, outputs, states = result
        if self.stateful and not getattr(last_output, "is_meta", False):
            self._states = [K.state_snapshot(s) for s in states]
        output = outputs if self.return_sequences else last_output
        if self.return_state:  # a cell's several outputs come first, flat, as compute_output_shape lists them
            return (list(output) if isinstance(output, (list, tuple)) else [output]) + list(states)
        return output

    def _reset_dropout_masks(self):
        cells = self.cell.cells if isinstance(self.cell, StackedRNNCells) else [self.cell]
        for cell in cells:
            if isinstance(cell, DropoutRNNCellMixin):
                cell.reset_dropout_mask()
                cell.reset_recurrent_dropout_mask()

    def _fused_call(self, inputs, initial_state, mask, training):
        """(last_output, outputs, states) from a fused sequence kernel, or None when none applies."""
        return None

    def _loop_call(self, inputs, initial_state, constants, mask, training):
        cell_call = self.cell.call
        accepts_training, accepts_constants = cell_call_arguments(self.cell)
        kwargs = {"training": training} if accepts_training else {}
        if constants:
            if not accepts_constants:
                raise ValueError(f"RNN cell {self.cell} does not support constants. Received: constants={constants}")
            n = len(constants)

            def step(x, states):
                output, new_states = cell_call(x, list(states[:-n]), constants=list(states[-n:]), **kwargs)
                return output, tree.flatten(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        else:
            def step(x, states):
                output, new_states = cell_call(x, list(states), **kwargs)
                return output, tree.flatten(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if self._mixed_policy is not None:
            # Mixed precision: Keras' cells read their variables as 16-bit values, so every step's output and
            # states are 16-bit, rounded step by step. torch.autocast only lowers the products here, and a
            # float32 bias would carry the recurrence in float32: each step is rounded to the compute dtype.
            compute = self.compute_dtype
            inputs = tree.map_structure(lambda t: K.cast_floating(t, compute), inputs)
            initial_state = [K.cast_floating(t, compute) for t in initial_state]
            full_step = step

            def step(x, states):
                output, new_states = full_step(x, states)
                return (tree.map_structure(lambda t: K.cast_floating(t, compute), output),
                        [K.cast_floating(t, compute) for t in new_states])
        return K.rnn(step, inputs, initial_state, constants=constants, go_backwards=self.go_backwards, mask=mask,
                     unroll=self.unroll, time_major=self.time_major, zero_output_for_mask=self.zero_output_for_mask,
                     return_all_outputs=self.return_sequences)

    # ---- config --------------------------------------------------------------------------------

    def get_config(self):
        from fastkeras.saving.model_config import serialize_layer
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "time_major": self.time_major,
        })
        if self._num_constants:
            config["num_constants"] = self._num_constants
        if self.zero_output_for_mask:
            config["zero_output_for_mask"] = self.zero_output_for_mask
        config["cell"] = serialize_layer(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from fastkeras.layers import deserialize
        config = dict(config)
        cell = deserialize(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)


class _KerasRNN(RNN):
    """SimpleRNN, GRU and LSTM: an RNN around their own cell, with the cell's settings as attributes."""

    _cell_class = None
    _cell_name = None
    _cell_arguments = ()

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, time_major=False, activity_regularizer=None, **kwargs):
        kwargs.pop("return_runtime", None)
        cell_kwargs = {name: kwargs.pop(name) for name in self._cell_arguments if name in kwargs}
        kwargs.pop("enable_caching_device", None)
        cell = self._cell_class(units, name=self._cell_name, dtype=kwargs.get("dtype"),
                                trainable=kwargs.get("trainable", True), **cell_kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, time_major=time_major,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = [InputSpec(ndim=3)]

    def _cell_config(self):
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        return cell_config

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self._cell_config()
        for key, value in cell_config.items():
            config[key] = value
            if key == "bias_regularizer":
                config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    def _input_dropout(self, inputs, training, count):
        step_input = inputs[0] if self.time_major else inputs[:, 0]
        masks = self.cell._input_masks(step_input, training, count)
        if masks is None:
            return None
        return masks[0] if isinstance(masks, list) else masks


_COMMON_CELL_ARGUMENTS = ("activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
                          "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                          "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout")


class SimpleRNN(_KerasRNN):
    """Fully-connected RNN whose output is fed back as its next input. Shape: ``(batch, time, features)`` ->
    ``(batch, units)`` or ``(batch, time, units)`` with ``return_sequences``."""

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"
    _cell_arguments = _COMMON_CELL_ARGUMENTS

    @keras1.recurrent
    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        kwargs.pop("implementation", None)  # deprecated for SimpleRNN in Keras 2
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, **kwargs)
        cell = self.cell
        self._could_use_fused_kernel = (cell.activation in (activations.tanh, activations.relu)
                                        and cell.recurrent_dropout == 0 and not unroll and use_bias)

    def _fused_call(self, inputs, initial_state, mask, training):
        if mask is not None:
            return None
        cell = self.cell
        name = "tanh" if cell.activation is activations.tanh else "relu"
        last, outputs, h = K.simple_rnn_sequence(
            inputs, initial_state[0], cell.kernel, cell.recurrent_kernel, cell.bias, activation=name,
            go_backwards=self.go_backwards, time_major=self.time_major, return_sequences=self.return_sequences,
            input_dropout=self._input_dropout(inputs, training, 1))
        return last, outputs, [h]


class GRU(_KerasRNN):
    """Gated Recurrent Unit (Cho et al. 2014). ``reset_after=True`` (default) is the cuDNN-compatible variant
    with separate input and recurrent biases; ``reset_after=False`` applies the reset gate before the
    recurrent product (Keras 2.2's GRU)."""

    _cell_class = GRUCell
    _cell_name = "gru_cell"
    _cell_arguments = ("recurrent_activation",) + _COMMON_CELL_ARGUMENTS + ("implementation", "reset_after")

    @keras1.recurrent
    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, reset_after=True, **kwargs):
        if kwargs.get("implementation") == 0:
            kwargs["implementation"] = 2
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         time_major=time_major, reset_after=reset_after, **kwargs)
        cell = self.cell
        self._could_use_fused_kernel = (cell.activation is activations.tanh
                                        and cell.recurrent_activation is activations.sigmoid
                                        and cell.recurrent_dropout == 0 and not unroll and use_bias and reset_after)

    def _fused_call(self, inputs, initial_state, mask, training):
        cell = self.cell
        last, outputs, h = K.gru_sequence(
            inputs, initial_state[0], cell.kernel, cell.recurrent_kernel, cell.bias, mask=mask,
            go_backwards=self.go_backwards, time_major=self.time_major, return_sequences=self.return_sequences,
            zero_output_for_mask=self.zero_output_for_mask, input_dropout=self._input_dropout(inputs, training, 3))
        return last, outputs, [h]


class LSTM(_KerasRNN):
    """Long Short-Term Memory (Hochreiter 1997). States ``[h, c]``; with ``return_state`` the layer returns
    ``[output, h, c]``."""

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"
    _cell_arguments = ("recurrent_activation",) + _COMMON_CELL_ARGUMENTS[:5] + ("unit_forget_bias",) + \
        _COMMON_CELL_ARGUMENTS[5:] + ("implementation",)

    @keras1.lstm
    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, time_major=False, unroll=False, **kwargs):
        if kwargs.get("implementation") == 0:
            kwargs["implementation"] = 1
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, time_major=time_major, unroll=unroll, **kwargs)
        cell = self.cell
        self._could_use_fused_kernel = (cell.activation is activations.tanh
                                        and cell.recurrent_activation is activations.sigmoid
                                        and cell.recurrent_dropout == 0 and not unroll and use_bias)

    def _fused_call(self, inputs, initial_state, mask, training):
        cell = self.cell
        last, outputs, h, c = K.lstm_sequence(
            inputs, initial_state[0], initial_state[1], cell.kernel, cell.recurrent_kernel, cell.bias, mask=mask,
            go_backwards=self.go_backwards, time_major=self.time_major, return_sequences=self.return_sequences,
            zero_output_for_mask=self.zero_output_for_mask, input_dropout=self._input_dropout(inputs, training, 4))
        return last, outputs, [h, c]


def _read_from_cell(name):
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's ``{name}``.")


# units, activation, kernel_initializer, dropout, ... read through to the cell, as in Keras. (Properties,
# not __getattr__, so that an AttributeError raised inside another property keeps its message.)
for _layer_class in (SimpleRNN, GRU, LSTM):
    for _name in ("units",) + _layer_class._cell_arguments:
        setattr(_layer_class, _name, _read_from_cell(_name))
