"""InputLayer and ``Input()``: where a functional graph starts."""
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.engine.node import Node


class InputLayer(Layer):
    """Holds the placeholder tensor a model is fed through. Its one node has no inputs."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None, sparse=False, name=None,
                 ragged=False, batch_input_shape=None, **kwargs):
        kwargs.pop("optional", None)
        if "batch_shape" in kwargs:
            batch_input_shape = kwargs.pop("batch_shape")
        if kwargs:
            raise TypeError(f"Keyword argument not understood: {sorted(kwargs)[0]!r} (passed to InputLayer).")
        if sparse or ragged:
            raise ValueError(f"InputLayer {name or ''}: sparse and ragged inputs are not supported by fastkeras.")
        if isinstance(dtype, str) and dtype.lower() in ("string", "str", "tf.string"):
            raise ValueError(f"Input{f' {name!r}' if name else ''}: dtype='string' is not supported: fastkeras models run on "
                             "numeric tensors. Turn text into numbers before the model, e.g. "
                             "`x = text_vectorization(texts)` or `string_lookup(words)` on the raw strings, and "
                             "give the model an integer Input.")
        constant = None
        if input_tensor is not None and not isinstance(input_tensor, KerasTensor):
            # Input(tensor=value), as Keras 2's graphs took a tensor of values: the layer feeds that value to
            # the models it is part of without being one of their inputs (see Functional), and its shape is
            # the value's.
            constant = K.convert_to_tensor(input_tensor, dtype=dtype)
            batch_input_shape, input_shape, batch_size = tuple(constant.shape), None, None
        if batch_input_shape is None:
            if input_shape is None and input_tensor is None:
                raise ValueError("Please provide to Input a `shape` or a `tensor` argument. "
                                 "Note that `shape` does not include the batch dimension.")
            if input_tensor is not None and input_shape is None:
                batch_input_shape = tuple(input_tensor.shape)
            else:
                input_shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
                batch_input_shape = (batch_size,) + input_shape
        elif input_shape is not None or batch_size is not None:
            raise ValueError("Only provide the `input_shape` OR `batch_input_shape` argument to InputLayer, not both "
                             f"(received input_shape={input_shape}, batch_input_shape={batch_input_shape}).")
        batch_input_shape = tuple(batch_input_shape)
        for d in batch_input_shape:
            if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d < 0):
                raise ValueError(f"Input shape dimensions must be non-negative integers or None, "
                                 f"received shape {batch_input_shape}.")
        if name is None:
            name = K.unique_object_name("input", zero_based=False)
        # An input is floatx unless told otherwise, whatever the global dtype policy (as in Keras 2).
        super().__init__(name=name, dtype=dtype or (input_tensor.dtype if input_tensor is not None else K.floatx()))
        self._batch_input_shape = batch_input_shape
        self.__dict__["constant"] = constant  # the value fed through, not a weight (even a K.variable)
        self.is_placeholder = constant is None
        self.built = True
        self.sparse = False
        self.ragged = False
        tensor = KerasTensor(batch_input_shape, self.dtype, name=name)
        Node(self, outputs=tensor)

    # Keras 2 reports an InputLayer's shapes as a one-element list.
    @property
    def input_shape(self):
        return [self._batch_input_shape]

    @property
    def output_shape(self):
        return [self._batch_input_shape]

    def get_config(self):
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "batch_shape" in config and "batch_input_shape" not in config:  # Keras 3 spelling
            config["batch_input_shape"] = config.pop("batch_shape")
        config.pop("batch_shape", None)
        return cls(**config)


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, tensor=None, ragged=None,  # noqa: N802
          type_spec=None, batch_shape=None, **kwargs):
    """A symbolic input: ``Input(shape=(784,))`` has shape ``(None, 784)``."""
    if kwargs.get("batch_input_shape") is not None:
        batch_shape = kwargs.pop("batch_input_shape")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments to Input: {sorted(kwargs)}")
    if shape is not None and batch_shape is not None:
        raise ValueError("Only provide the `shape` OR `batch_shape` argument to Input, not both.")
    if type_spec is not None:
        raise ValueError("Input(type_spec=...) is TensorFlow-only and not supported by fastkeras.")
    layer = InputLayer(input_shape=shape, batch_size=batch_size, name=name, dtype=dtype, sparse=bool(sparse),
                       ragged=bool(ragged), input_tensor=tensor, batch_input_shape=batch_shape)
    return layer._inbound_nodes[0].outputs
