"""Symbolic tensors: a static shape, a dtype, and the (layer, node, index) that made them.

No computation happens on them. Equality is identity, so
``assert lstm.get_output_at(0) == encoded_a`` holds as the seeds write it.
"""
from fastkeras import backend as K


class TensorShape(tuple):
    """A shape tuple (``None`` for unknown dimensions) with TensorFlow's ``as_list()``."""

    def as_list(self):
        return list(self)

    @property
    def rank(self):
        return len(self)

    @property
    def ndims(self):
        return len(self)


class KerasTensor:
    __slots__ = ("shape", "dtype", "name", "_keras_history", "_keras_mask", "__weakref__")

    def __init__(self, shape, dtype=None, name=None):
        self.shape = TensorShape(None if d is None else int(d) for d in shape)
        self.dtype = K.standardize_dtype(dtype)
        self.name = name
        self._keras_history = None  # (layer, node_index, tensor_index), set by Node
        self._keras_mask = None     # a KerasTensor when the producing layer emits a mask

    @property
    def ndim(self):
        return len(self.shape)

    def get_shape(self):
        return self.shape

    @property
    def node(self):
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self):
        origin = ""
        if self._keras_history is not None:
            origin = f" (created by layer '{self._keras_history[0].name}')"
        return f"<KerasTensor: shape={tuple(self.shape)} dtype={self.dtype}{origin}>"

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        return True

    def __len__(self):
        raise TypeError(f"len() of a symbolic tensor is not defined (shape {tuple(self.shape)}); use K.int_shape(x).")

    def __iter__(self):
        raise TypeError(f"A symbolic tensor of shape {tuple(self.shape)} is not iterable; "
                        "index it inside a Lambda layer instead.")

    def __array__(self, *args, **kwargs):
        raise TypeError(f"Cannot convert a symbolic KerasTensor {self!r} to a numpy array: it holds no values. "
                        "Build a Model and call predict(), or call the layer on a real array.")


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)
