"""``K.placeholder`` and ``K.function``: the Keras 2 backend's graph functions, served by the engine."""
from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.engine.keras_tensor import KerasTensor


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """A symbolic input tensor: ``shape`` includes the batch axis (None for unknown sizes)."""
    from fastkeras.engine.input_layer import Input
    if sparse or ragged:
        raise ValueError("K.placeholder: sparse and ragged placeholders are not supported by fastkeras.")
    if shape is None:
        if not ndim:
            raise ValueError("K.placeholder needs a `shape` (or an `ndim`): fastkeras' symbolic tensors have a "
                             "known rank.")
        shape = (None,) * int(ndim)
    return Input(batch_shape=tuple(shape), dtype=dtype, name=name)


class GraphFunction:
    """What ``K.function(inputs, outputs)`` returns: call it with a list of arrays, one per input."""

    def __init__(self, inputs, outputs, name=None):
        from fastkeras.engine.functional import Functional
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        # K.learning_phase() is an int in eager Keras 2; in the input list it marks where the flag is fed.
        self._phase_positions = [i for i, t in enumerate(inputs) if not isinstance(t, KerasTensor)]
        for i in self._phase_positions:
            if inputs[i] not in (0, 1):
                raise ValueError(f"K.function inputs must be symbolic tensors (or K.learning_phase()); input {i} is "
                                 f"{type(inputs[i]).__name__}: {inputs[i]!r}.")
        symbolic = [t for t in inputs if isinstance(t, KerasTensor)]
        self._n_inputs = len(inputs)
        self._wrap_single = isinstance(outputs, list) and len(outputs) == 1
        self.outputs = outputs
        self.inputs = inputs
        self.model = Functional(symbolic, outputs, name=name)

    def __call__(self, inputs):
        values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(values) != self._n_inputs:
            raise ValueError(f"This K.function takes {self._n_inputs} input(s) (one per tensor it was built with), "
                             f"but it was called with {len(values)}.")
        training = None
        if self._phase_positions:
            training = bool(values[self._phase_positions[0]])
            values = [v for i, v in enumerate(values) if i not in self._phase_positions]
        feed = [K.convert_to_tensor(v) if not K.is_tensor(v) else v for v in values]
        with K.no_grad():
            outputs = self.model(feed if len(feed) > 1 else feed[0], training=training)
        outputs = tree.map_structure(K.to_numpy, outputs)
        if self._wrap_single and not isinstance(outputs, list):
            outputs = [outputs]
        return outputs


def function(inputs, outputs, updates=None, name=None, **kwargs):
    if kwargs:
        raise ValueError(f"Session keyword arguments are not supported during eager execution. You passed: {kwargs}")
    if updates:
        raise ValueError(f"`updates` argument is not supported during eager execution. You passed: {updates}")
    return GraphFunction(inputs, outputs, name=name)
