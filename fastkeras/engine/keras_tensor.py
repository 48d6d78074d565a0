"""Symbolic tensors: a static shape, a dtype, and the (layer, node, index) that made them.

No computation happens on them. Equality is identity, so
``assert lstm.get_output_at(0) == encoded_a`` holds as the seeds write it.
"""
from fastkeras import backend as K
from fastkeras.backend.common import TensorShape  # noqa: F401  (its home before variables needed it)


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

    @property
    def _keras_shape(self):
        """Keras 2's static shape attribute of symbolic tensors (``x._keras_shape == (None, 4, 5)``), which
        Keras 2 era layers and tests read: a plain tuple."""
        return tuple(self.shape)

    def get_shape(self):
        return self.shape

    @property
    def _metric_obj(self):
        """The Metric whose symbolic result this is (``metrics.Mean(name='m')(y)``), else None: add_metric
        reports that metric, as Keras 2 did."""
        layer = self._keras_history[0] if self._keras_history is not None else None
        return getattr(layer, "symbolic_result_of", None)

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

    # numpy defers to the reflected operators below (``np_array - kt``) instead of iterating the tensor.
    __array_ufunc__ = None

    # ---- operators: each one records a layer of the graph (see op_layer) -------------------------------
    # `==` and `!=` stay identity comparisons, as the seeds need.

    def _op(self, path, other=None, unary=False):
        from fastkeras.engine import op_layer
        return op_layer.call_operator(path, self, other, unary=unary)

    def __add__(self, other):
        return self._op("__operators__.add", other)

    def __radd__(self, other):
        return self._op("__operators__.add", other)

    def __sub__(self, other):
        return self._op("math.subtract", other)

    def __rsub__(self, other):
        return self._op("math.rsubtract", other)

    def __mul__(self, other):
        return self._op("math.multiply", other)

    def __rmul__(self, other):
        return self._op("math.multiply", other)

    def __truediv__(self, other):
        return self._op("math.truediv", other)

    def __rtruediv__(self, other):
        return self._op("math.rtruediv", other)

    def __floordiv__(self, other):
        return self._op("math.floordiv", other)

    def __rfloordiv__(self, other):
        return self._op("math.rfloordiv", other)

    def __mod__(self, other):
        return self._op("math.floormod", other)

    def __rmod__(self, other):
        return self._op("math.rfloormod", other)

    def __pow__(self, other):
        return self._op("math.pow", other)

    def __rpow__(self, other):
        return self._op("math.rpow", other)

    def __matmul__(self, other):
        return self._op("linalg.matmul", other)

    def __rmatmul__(self, other):
        return self._op("linalg.rmatmul", other)

    def __neg__(self):
        return self._op("math.negative", unary=True)

    def __pos__(self):
        return self

    def __abs__(self):
        from fastkeras import backend as backend_functions
        return backend_functions.abs(self)

    def __lt__(self, other):
        return self._op("math.less", other)

    def __le__(self, other):
        return self._op("math.less_equal", other)

    def __gt__(self, other):
        return self._op("math.greater", other)

    def __ge__(self, other):
        return self._op("math.greater_equal", other)

    def __and__(self, other):
        return self._op("math.logical_and", other)

    def __or__(self, other):
        return self._op("math.logical_or", other)

    def __invert__(self):
        return self._op("math.logical_not", unary=True)

    def __getitem__(self, key):
        from fastkeras.engine import op_layer
        return op_layer.getitem(self, key)


class SymbolicShape(tuple):
    """``K.shape`` of a symbolic tensor with unknown dimensions: its static shape as a tuple (``None`` where
    unknown) that K functions read as the tensor's shape at run time (``tensor``, a graph op), as Keras 2's
    ``tf.shape`` tensor."""

    def __new__(cls, source, dims):
        shape = super().__new__(cls, dims)
        shape.source = source
        shape._tensor = None
        return shape

    @property
    def tensor(self):
        if self._tensor is None:
            from fastkeras.engine import op_layer
            self._tensor = op_layer.shape_of(self.source)
        return self._tensor


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)


def _is_symbolic(x):
    return isinstance(x, (KerasTensor, SymbolicShape))


def _as_symbolic_tensor(x):
    return x.tensor if isinstance(x, SymbolicShape) else x


def _is_keras_tensor_checked(x):
    """Keras 2 ``K.is_keras_tensor``: True for symbolic tensors, False for engine tensors, an error otherwise."""
    if isinstance(x, KerasTensor):
        return True
    if K.is_tensor(x):
        return False
    raise ValueError(f"Unexpectedly found an instance of type `{type(x)}`. Expected a symbolic tensor instance.")


def _engine_function(module, name):
    """A hook that imports its engine module on first use (they import this one)."""
    def hook(*args, **kwargs):
        import importlib
        return getattr(importlib.import_module(module), name)(*args, **kwargs)
    return hook


K.register_engine_hooks(is_symbolic=_is_symbolic, is_keras_tensor=_is_keras_tensor_checked,
                        symbolic_shape=SymbolicShape, as_symbolic_tensor=_as_symbolic_tensor,
                        call_symbolic=_engine_function("fastkeras.engine.op_layer", "call_symbolic"),
                        placeholder=_engine_function("fastkeras.engine.backend_function", "placeholder"),
                        function=_engine_function("fastkeras.engine.backend_function", "function"),
                        gradients=_engine_function("fastkeras.engine.op_layer", "symbolic_gradients"))
