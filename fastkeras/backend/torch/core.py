"""Tensors, variables, dtypes and devices on PyTorch."""
import contextlib
import os

import numpy as np
import torch

from fastkeras.backend.common import ENGINE_HOOKS, TensorShape, engine_hook, unique_object_name
from fastkeras.backend.config import floatx

DTYPES = {
    "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64,
    "int8": torch.int8, "int16": torch.int16, "int32": torch.int32, "int64": torch.int64, "uint8": torch.uint8,
    "bool": torch.bool, "complex64": torch.complex64, "complex128": torch.complex128,
}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}


def _pick_device():
    wanted = os.environ.get("FASTKERAS_DEVICE")
    if wanted:
        return torch.device(wanted)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


_DEVICE = _pick_device()


def default_device():
    """Where new weights and converted inputs live: CUDA when present, unless FASTKERAS_DEVICE says otherwise."""
    return _DEVICE


def set_default_device(device):
    global _DEVICE
    _DEVICE = torch.device(device)


@contextlib.contextmanager
def device_scope(device_name):
    """Keras 3's ``keras.device(name)``: inside the block, new variables and tensors are made on that device
    ('cpu', 'gpu' or 'cuda', 'gpu:1' ...); a model compiled there also trains there. Yields the torch device."""
    device = _parse_device(device_name)
    previous = _DEVICE
    set_default_device(device)
    try:
        yield device
    finally:
        set_default_device(previous)


def _parse_device(device_name):
    if not isinstance(device_name, str):
        raise ValueError("Invalid value for argument `device_name`. Expected a string like 'gpu:0' or 'cpu'. "
                         f"Received: device_name='{device_name}'")
    name = device_name.lower().replace("gpu", "cuda")  # Keras' 'gpu' is torch's 'cuda'
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"Invalid device name {device_name!r}: expected 'cpu', 'gpu', 'gpu:<index>' or another "
                         "device torch knows, such as 'cuda:0' or 'meta'.") from None
    if device.type == "cuda":
        available = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if available == 0 or (device.index or 0) >= available:
            raise RuntimeError(f"Cannot place tensors on {device_name!r}: this PyTorch sees {available} CUDA "
                               "device(s).")
    return device


def torch_dtype(dtype):
    """A torch dtype from a Keras dtype name, a numpy dtype or a torch dtype (None means floatx)."""
    if dtype is None:
        return DTYPES[floatx()]
    if isinstance(dtype, torch.dtype):
        return dtype
    name = standardize_dtype(dtype)
    try:
        return DTYPES[name]
    except KeyError:
        raise ValueError(f"Unsupported dtype {dtype!r}: expected one of {', '.join(DTYPES)}.") from None


def standardize_dtype(dtype):
    """The Keras name ('float32', 'int32', ...) of any dtype spelling."""
    if dtype is None:
        return floatx()
    if isinstance(dtype, torch.dtype):
        return DTYPE_NAMES[dtype]
    if dtype in ("float", float):
        return "float32"
    if dtype in ("int", int):
        return "int64"
    if dtype is bool:
        return "bool"
    name = getattr(dtype, "name", None) or str(dtype)
    return str(np.dtype(name)) if name not in DTYPES else name


class Variable(torch.nn.Parameter):
    """A weight: a torch Parameter that also carries its Keras name ('dense/kernel:0').

    ``Parameter`` disables ``__torch_function__`` dispatch, so arithmetic on a
    Variable costs what it costs on a plain tensor and returns plain tensors.

    Made by Keras 3's constructor, ``keras.Variable(initializer, shape=None, dtype=None, trainable=True,
    autocast=True, aggregation='none', synchronization='auto', name=None)``: ``initializer`` is an initial value
    (array, tensor, number) or an initializer (a name such as 'zeros', or a callable taking ``shape`` and
    ``dtype``, then ``shape`` is required). The engine adopts a tensor as it is with
    ``Variable(tensor, requires_grad=...)`` (torch's own ``Parameter(tensor, requires_grad)`` spelling).
    Unlike Keras 3's variable this one is a tensor: ``dtype`` is a torch dtype and ``shape`` a ``torch.Size``.
    """

    # Keras 3's variable attributes, for every Variable (the engine's too); fastkeras' optimizers apply
    # `constraint` after each update and ignore distribution settings (one device, no replicas to aggregate).
    constraint = None
    regularizer = None
    aggregation = "none"
    synchronization = "auto"
    overwrite_with_gradient = False

    def __new__(cls, initializer=None, shape=None, dtype=None, trainable=True, autocast=True, aggregation="none",
                synchronization="auto", name=None, *, requires_grad=None, **kwargs):
        if isinstance(shape, bool):  # torch's positional Parameter(data, requires_grad), as torch internals call it
            requires_grad, shape = shape, None
        if requires_grad is not None:
            return super().__new__(cls, initializer, requires_grad)
        if kwargs:
            raise TypeError(f"Variable() got unexpected keyword argument(s): {', '.join(sorted(kwargs))}. Expected "
                            "initializer, shape, dtype, trainable, autocast, aggregation, synchronization, name.")
        name = unique_object_name("variable") if name is None else name
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name}")
        data = _initial_value(initializer, shape, dtype)
        v = super().__new__(cls, data, bool(trainable) and (data.is_floating_point() or data.is_complex()))
        v.name = name
        v.aggregation = aggregation
        v.synchronization = synchronization
        v._autocast = autocast
        return v

    def __init__(self, *args, **kwargs):
        pass  # everything happens in __new__ (a tensor's storage is fixed at creation)

    @property
    def name(self):
        return self.__dict__.get("_keras_name", "Variable:0")

    @name.setter
    def name(self, value):
        self.__dict__["_keras_name"] = value

    @property
    def path(self):
        """Keras 3's name for the variable: its name without TensorFlow's ':0' ('dense/kernel')."""
        name = self.name
        return name[:-2] if name.endswith(":0") else name

    @property
    def trainable(self):
        return self.requires_grad

    @trainable.setter
    def trainable(self, value):
        if value and not (self.is_floating_point() or self.is_complex()):
            raise ValueError(f"Variable '{self.name}' of dtype {standardize_dtype(self.dtype)} cannot be trainable: "
                             "only floating-point and complex variables have gradients.")
        self.requires_grad_(bool(value))

    @property
    def value(self):
        """The tensor itself: Keras 3's ``variable.value`` (its torch backend's Parameter), as custom training
        steps read ``v.value.grad``."""
        return self

    def numpy(self):
        return to_numpy(self)

    def get_shape(self):
        """tf.Variable's ``get_shape()``: the shape as a TensorShape (tuple with ``as_list()``); keras.io's PixelCNN
        sizes its kernel mask with ``self.conv.kernel.get_shape()``."""
        return TensorShape(self.shape)

    def assign(self, value):
        set_value(self, value)
        return self

    def assign_add(self, delta):
        """``self += delta`` in place, outside autograd (tf.Variable.assign_add, used by Keras 2 custom
        optimizers, metrics and layers)."""
        return self._assign_with(delta, 1.0)

    def assign_sub(self, delta):
        return self._assign_with(delta, -1.0)

    def _assign_with(self, delta, sign):
        delta = delta.detach() if isinstance(delta, torch.Tensor) else torch.as_tensor(np.asarray(delta))
        if delta.layout is torch.sparse_coo:
            delta = delta.to_dense()
        delta = delta.to(self.device, self.dtype)
        try:
            fits = torch.broadcast_shapes(delta.shape, self.shape) == self.shape
        except RuntimeError:
            fits = False
        if not fits:
            raise ValueError(f"Cannot add a value of shape {tuple(delta.shape)} to variable '{self.name}' of "
                             f"shape {tuple(self.shape)}.")
        with torch.no_grad():
            self.add_(delta, alpha=sign)
        return self

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """Arithmetic between a NumPy array and a Variable, as TensorFlow does it: the array becomes a tensor of the
        variable's dtype and the operation runs in torch, so the result keeps the gradient (``kernel * mask`` in
        a custom layer trains the kernel; through NumPy it silently did not). Other NumPy functions read the
        variable's value, as they read a tf.Variable's."""
        op = _NUMPY_TO_TORCH.get(ufunc.__name__)
        if op is not None and method == "__call__" and not kwargs and len(inputs) == 2:
            return op(*(x if isinstance(x, torch.Tensor) else _like(x, self) for x in inputs))
        values = [to_numpy(x) if isinstance(x, torch.Tensor) else x for x in inputs]
        return getattr(ufunc, method)(*values, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """Other NumPy functions (``np.sum``, ``np.mean``, ``np.std``, ``np.transpose``...) read the variable's
        value and return arrays, as they do with a tf.Variable. Without this NumPy hands a tensor to its
        same-named method (``Tensor.sum``), which takes torch's arguments rather than NumPy's ``axis``/``out``."""
        return func(*_numpy_values(args), **_numpy_values(kwargs))

    def __deepcopy__(self, memo):
        copy = Variable(self.detach().clone(), requires_grad=self.requires_grad)
        copy.name = self.name
        memo[id(self)] = copy
        return copy

    def __reduce_ex__(self, protocol):
        # Never pickled by fastkeras itself; kept for torch.save/multiprocessing users.
        return (_rebuild_variable, (self.detach().cpu(), self.requires_grad, self.name))

    def __repr__(self):
        return f"<Variable '{self.name}' shape={tuple(self.shape)} dtype={standardize_dtype(self.dtype)}>"


# NumPy's binary ufuncs that a Variable runs in torch when the other operand is an array or a number.
_NUMPY_TO_TORCH = {"add": torch.add, "subtract": torch.sub, "multiply": torch.mul, "divide": torch.true_divide,
                   "true_divide": torch.true_divide, "floor_divide": torch.floor_divide, "power": torch.pow,
                   "remainder": torch.remainder, "maximum": torch.maximum, "minimum": torch.minimum,
                   "matmul": torch.matmul, "greater": torch.gt, "greater_equal": torch.ge, "less": torch.lt,
                   "less_equal": torch.le, "equal": torch.eq, "not_equal": torch.ne}


def _numpy_values(value):
    """``value`` with every tensor in it (in lists, tuples and dicts too) as a NumPy array."""
    if isinstance(value, torch.Tensor):
        return to_numpy(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_numpy_values(v) for v in value)
    if isinstance(value, dict):
        return {k: _numpy_values(v) for k, v in value.items()}
    return value


def _like(value, variable):
    """``value`` (an array or a number) as a tensor beside ``variable``: of its dtype where the variable is
    floating (TensorFlow converts the other operand to the variable's dtype), else as NumPy typed it."""
    t = torch.as_tensor(np.asarray(value), device=variable.device)
    return t.to(variable.dtype) if variable.is_floating_point() else t


def _initial_value(initializer, shape, dtype):
    """The tensor a Keras 3 ``Variable(initializer, shape, dtype)`` starts from, on the default device."""
    if initializer is None:
        raise ValueError("A Variable needs an initial value or an initializer (such as 'zeros'), received None.")
    if isinstance(initializer, str) or callable(initializer) and not isinstance(initializer, torch.Tensor):
        if shape is None:
            raise ValueError("When creating a Variable from an initializer, the `shape` argument should be "
                             f"specified. Received: initializer={initializer!r} and shape=None")
        shape = tuple(shape)
        if any(d is None for d in shape):
            raise ValueError("Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
                             f"Received: shape={shape}")
        if isinstance(initializer, str):
            initializer = engine_hook("get_initializer", "keras.Variable('name', shape)")(initializer)
        dtype = standardize_dtype(dtype)
        with real_tensor_scope():
            value = initializer(shape, dtype=dtype)
            data = convert_to_tensor(value, dtype=dtype).detach()
            if not isinstance(value, torch.Tensor):
                data = data.clone()  # torch.as_tensor shares the memory of a numpy array the callable may keep
    else:
        with real_tensor_scope():
            data = _value_tensor(initializer, dtype)
        if shape is not None and tuple(data.shape) != tuple(shape):
            raise ValueError(f"The initial value of a Variable has shape {tuple(data.shape)}, but `shape` says "
                             f"{tuple(shape)}. Give a value of that shape, or leave `shape` out.")
    if data.device != _DEVICE:
        data = data.to(_DEVICE)
    return data.clone() if isinstance(initializer, torch.Tensor) else data  # never the caller's tensor


def _value_tensor(value, dtype):
    """A tensor of ``value`` keeping the dtype of arrays and tensors (float64 stays float64, as Keras 3 on torch),
    with Python numbers as Keras 3 reads them: floats as floatx, ints as int32."""
    if isinstance(value, torch.Tensor):
        data = value.detach()
    else:
        arr = np.asarray(value)
        if arr.dtype == object or arr.dtype.kind in "USV":
            raise ValueError(f"Invalid dtype: {arr.dtype}. A Variable's initial value must hold numbers; "
                             f"received {value!r}.")
        if not isinstance(value, (np.ndarray, np.generic)):
            if arr.dtype.kind == "f":
                arr = arr.astype(floatx())
            elif arr.dtype.kind in "iu":
                arr = arr.astype("int32")
        data = torch.as_tensor(np.array(arr), device=_DEVICE)  # a copy: no negative strides, never the caller's
    if dtype is not None:
        data = data.to(torch_dtype(dtype))
    return data


def _rebuild_variable(data, requires_grad, name):
    v = Variable(data.to(default_device()), requires_grad=requires_grad)
    v.name = name
    return v


def is_tensor(x):
    return isinstance(x, torch.Tensor)


def is_variable(x):
    return isinstance(x, torch.nn.Parameter)


def convert_to_tensor(x, dtype=None):
    """A torch tensor on the default device. Floats default to floatx, integers keep their type."""
    if isinstance(x, torch.Tensor):
        if dtype is not None:
            x = x.to(torch_dtype(dtype))
        if x.device != _DEVICE and x.device.type != "meta":
            x = x.to(_DEVICE, non_blocking=True)
        return x
    if hasattr(x, "tocoo") and hasattr(x, "nnz"):
        return _sparse_from_scipy(x, dtype)
    is_symbolic = ENGINE_HOOKS.get("is_symbolic")
    if is_symbolic is not None and is_symbolic(x):
        # As tf.convert_to_tensor does for KerasTensors: the symbolic tensor itself (cast as a graph op).
        x = ENGINE_HOOKS["as_symbolic_tensor"](x)
        if dtype is None or standardize_dtype(dtype) == x.dtype:
            return x
        return ENGINE_HOOKS["call_symbolic"](cast, (x, dtype), {})
    arr = np.asarray(x)
    if any(stride < 0 for stride in arr.strides):  # a reversed view (x[..., ::-1]): torch takes no such strides
        arr = np.ascontiguousarray(arr)
    if dtype is None:
        if arr.dtype == np.float64 or arr.dtype == np.float16 and floatx() != "float16":
            dtype = floatx()
        elif arr.dtype.kind == "f":
            dtype = str(arr.dtype)
        elif arr.dtype == object or arr.dtype.kind in "USV":
            raise TypeError(f"Cannot convert an array of dtype {arr.dtype} to a tensor: expected numbers.")
        return torch.as_tensor(arr, dtype=torch_dtype(dtype) if dtype else None, device=_DEVICE)
    return torch.as_tensor(arr, dtype=torch_dtype(dtype), device=_DEVICE)


def _sparse_from_scipy(matrix, dtype=None):
    """A scipy.sparse matrix as a coalesced torch sparse COO tensor (tf-keras makes a ``tf.SparseTensor``)."""
    coo = matrix.tocoo()
    if dtype is None:
        dtype = floatx() if coo.dtype.kind == "f" else str(coo.dtype)
    indices = torch.as_tensor(np.vstack((coo.row, coo.col)).astype(np.int64))
    values = torch.as_tensor(coo.data).to(torch_dtype(dtype))
    return torch.sparse_coo_tensor(indices, values, coo.shape, device=_DEVICE, check_invariants=True).coalesce()


def to_numpy(x):
    """A numpy array holding a copy of ``x``'s values: never a view of a live weight or tensor (a sparse tensor
    reads as its dense array, as ``K.eval`` gives it in tf-keras)."""
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.layout != torch.strided:
            x = x.to_dense()
        if x.device.type == "meta" or _is_fake(x):
            raise ValueError(f"Cannot read the values of a shape-only tensor of shape {tuple(x.shape)}: it is what a "
                             "layer sees while its output shape is inferred. Read values from a real call instead.")
        if x.dtype == torch.bfloat16:
            x = x.float()
        if x.device.type == "cpu":
            return x.numpy().copy()  # .numpy() of a CPU tensor shares its memory
        return x.cpu().numpy()
    return np.array(x)


def variable(value, dtype=None, name=None, trainable=True, constraint=None, copy=True):
    """A new weight holding a copy of ``value`` (array, tensor or scalar); ``name`` gets TensorFlow's ':0'.

    ``copy=False`` adopts a freshly made tensor (an initializer's output) without copying it.
    """
    with real_tensor_scope():  # a weight made while a Lambda's output shape is inferred still holds values
        data = convert_to_tensor(value, dtype=dtype or floatx()).detach()
        if copy:
            data = data.clone()
    if not data.is_floating_point() and not data.is_complex():
        trainable = False
    v = Variable(data, requires_grad=bool(trainable))
    if name is None:
        name = "Variable"
    v.name = name if ":" in name else f"{name}:0"
    v.constraint = constraint
    return v


def constant(value, dtype=None, shape=None, name=None):
    t = convert_to_tensor(value, dtype=dtype or floatx())
    if shape is not None:
        t = t.expand(tuple(shape)).clone() if t.dim() == 0 else t.reshape(tuple(shape))
    return t


def get_value(x):
    """A numpy copy of a tensor or variable; anything else is returned unchanged (as Keras 2 does)."""
    if not isinstance(x, torch.Tensor):
        _refuse_symbolic(x, "get_value")
        return x
    return to_numpy(x)


def _refuse_symbolic(x, what):
    is_symbolic = ENGINE_HOOKS.get("is_symbolic")
    if is_symbolic is not None and is_symbolic(x):
        raise ValueError(f"K.{what} received the symbolic tensor {x!r}, which holds no values. Build a model from "
                         "it (or use K.function) and call it on data.")


def is_keras_tensor(x):
    """Keras 2 ``K.is_keras_tensor``: True for a symbolic tensor (from ``Input`` or a layer), False for an engine
    tensor or variable; anything else is an error."""
    return engine_hook("is_keras_tensor", "K.is_keras_tensor")(x)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """Keras 2 ``K.placeholder``: a symbolic input tensor of ``shape`` (batch axis included, None for unknown),
    as ``Input(batch_shape=shape)`` makes; feed it through ``K.function`` or a Model."""
    return engine_hook("placeholder", "K.placeholder")(shape=shape, ndim=ndim, dtype=dtype, sparse=sparse,
                                                       name=name, ragged=ragged)


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2 ``K.function``: a callable computing ``outputs`` from values for the symbolic ``inputs``.

    ``f = K.function([model.input], [model.layers[3].output]); f([x])`` returns a list of numpy arrays. An input
    that is ``K.learning_phase()`` (an int) instead of a tensor receives the training flag (0 or 1).
    """
    return engine_hook("function", "K.function")(inputs, outputs, updates=updates, name=name, **kwargs)


def eval(x):  # noqa: A001 - Keras name
    """Keras 2 ``K.eval``: the value of a tensor or variable as a numpy array."""
    return to_numpy(x)


def batch_get_value(tensors):
    return [to_numpy(t) for t in tensors]


def set_value(x, value):
    """Writes ``value`` into variable ``x`` in place, converted to ``x``'s dtype; shapes must match."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"set_value expects a variable (from K.variable or add_weight), received "
                        f"{type(x).__name__}.")
    value = np.asarray(value) if not isinstance(value, torch.Tensor) else value.detach()
    if tuple(value.shape) != tuple(x.shape):
        raise ValueError(f"Cannot assign a value of shape {tuple(value.shape)} to variable "
                         f"'{getattr(x, 'name', '?')}' of shape {tuple(x.shape)}.")
    with torch.no_grad():
        x.copy_(torch.as_tensor(value, dtype=x.dtype).to(x.device))


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def int_shape(x):
    """The static shape as a tuple of ints, ``None`` for unknown dimensions (a symbolic tensor's batch)."""
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    return tuple(None if d is None else int(d) for d in shape)


def get_variable_shape(x):
    """Keras 2's older name for ``int_shape`` of a variable."""
    return int_shape(x)


def shape(x):
    """The shape as a tuple of ints (Keras 2 returns a tensor; a tuple indexes and converts the same way).

    On a symbolic tensor, unknown dimensions are ``None``; inside a Lambda layer they are concrete sizes. A
    symbolic tensor's shape with unknown dimensions is a tuple that K functions read as the runtime shape, as
    Keras 2's ``tf.shape``: ``K.prod(K.cast(K.shape(x), 'float32'))`` is the number of elements of each batch.
    """
    dims = tuple(None if d is None else int(d) for d in x.shape)
    if None in dims and not isinstance(x, torch.Tensor):
        symbolic_shape = ENGINE_HOOKS.get("symbolic_shape")
        if symbolic_shape is not None:
            return symbolic_shape(x, dims)
    return dims


def ndim(x):
    return len(x.shape)


def dtype(x):
    return standardize_dtype(x.dtype)


def count_params(x):
    """The number of scalars in ``x`` (Keras 2 ``K.count_params``)."""
    return int(np.prod(tuple(x.shape), dtype=np.int64))


def is_sparse(tensor):
    """Whether ``tensor`` is a torch sparse tensor."""
    return isinstance(tensor, torch.Tensor) and tensor.layout != torch.strided


def to_dense(tensor):
    """A dense copy of a sparse tensor; dense tensors are returned as they are."""
    return tensor.to_dense() if is_sparse(tensor) else tensor


def identity(x, name=None):
    """A new tensor with ``x``'s values (Keras 2 ``K.identity``)."""
    return convert_to_tensor(x).clone()


def size(x, name=None):
    """The number of elements of ``x``, as a 0-d int32 tensor (Keras 2 ``K.size``)."""
    x = convert_to_tensor(x)
    return torch.tensor(x.numel(), dtype=torch.int32, device=x.device)


def cast(x, dtype):
    return convert_to_tensor(x).to(torch_dtype(dtype))


def cast_to_floatx(x):
    return np.asarray(x, dtype=floatx())


def _shape_tuple(shape):
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)


def zeros(shape, dtype=None, name=None):
    """A tensor of zeros (Keras 2 returns a variable; wrap it in ``K.variable`` to get a weight)."""
    return torch.zeros(_shape_tuple(shape), dtype=torch_dtype(dtype), device=_DEVICE)


def ones(shape, dtype=None, name=None):
    """A tensor of ones (Keras 2 returns a variable; wrap it in ``K.variable`` to get a weight)."""
    return torch.ones(_shape_tuple(shape), dtype=torch_dtype(dtype), device=_DEVICE)


def eye(size, dtype=None, name=None):
    if isinstance(size, (tuple, list)):
        return torch.eye(size[0], size[1], dtype=torch_dtype(dtype), device=_DEVICE)
    return torch.eye(size, dtype=torch_dtype(dtype), device=_DEVICE)


def zeros_like(x, dtype=None, name=None):
    return torch.zeros_like(convert_to_tensor(x), dtype=torch_dtype(dtype) if dtype else None)


def ones_like(x, dtype=None, name=None):
    return torch.ones_like(convert_to_tensor(x), dtype=torch_dtype(dtype) if dtype else None)


def arange(start, stop=None, step=1, dtype="int32"):
    """Keras 2 ``K.arange``: ``start`` to ``stop`` (exclusive) by ``step``; one argument is the stop.

    As tf-keras: bounds may be scalar tensors, and a single negative bound gives an empty range
    (``K.arange(-20)``).
    """
    start, stop, step = (b.item() if isinstance(b, torch.Tensor) else b for b in (start, stop, step))
    if stop is None:
        start, stop = 0, max(start, 0)
    return torch.arange(start, stop, step, dtype=torch_dtype(dtype), device=_DEVICE)


def no_grad():
    return torch.no_grad()


def name_scope(name):
    """Keras 2 ``K.name_scope``: a context manager; torch has no graph names, so it only validates ``name``."""
    if not isinstance(name, str):
        raise TypeError(f"name_scope expects a string name, received {type(name).__name__}: {name!r}.")
    return contextlib.nullcontext(name)


_MANUAL_VARIABLE_INITIALIZATION = False


def manual_variable_initialization(value):
    """Kept for Keras 2 code: variables are always initialized when created, so this only records ``value``."""
    global _MANUAL_VARIABLE_INITIALIZATION
    _MANUAL_VARIABLE_INITIALIZATION = bool(value)


class NeedsGradientRecording(ValueError):
    """``K.gradients`` was asked to differentiate a value computed with gradient recording off (``evaluate``,
    ``predict``, ``K.function``): a functional model catches it and runs again inside
    ``differentiating_scope``."""


_DIFFERENTIATING = []  # one entry per open differentiating_scope: was recording on outside it?


def recording_outside_differentiating_scope():
    """Whether gradients were recorded where the innermost ``differentiating_scope`` was entered (a training
    step), or here when there is none."""
    return _DIFFERENTIATING[-1] if _DIFFERENTIATING else is_grad_recording()


@contextlib.contextmanager
def differentiating_scope():
    """Within, operations record gradients even under ``no_grad`` and ``inference_mode``, so that ``K.gradients``
    can differentiate a model's values as Keras 2's graphs could anywhere."""
    _DIFFERENTIATING.append(is_grad_recording())
    try:
        with torch.inference_mode(False), torch.enable_grad():
            yield
    finally:
        _DIFFERENTIATING.pop()


def is_grad_recording():
    """True when operations record gradients here (not under ``no_grad`` nor ``inference_mode``)."""
    return torch.is_grad_enabled() and not torch.is_inference_mode_enabled()


def differentiable_input(x):
    """``x`` as a tensor gradients can be taken against: a floating-point leaf that requires grad. Tensors made
    under ``inference_mode`` are copied, since autograd may not save them."""
    if not isinstance(x, torch.Tensor):
        return x
    if x.is_inference():
        x = x.clone()
    if x.is_floating_point() and not x.requires_grad:
        x = x.detach().requires_grad_()
    return x


def gradients(loss, variables, create_graph=False):
    """Keras 2 ``K.gradients``: d loss / d variable for each variable (None where ``loss`` does not depend on it).

    On real tensors it needs a ``loss`` computed from the variables with gradient tracking on; the graph is
    kept, so it may be asked again; ``create_graph=True`` makes the gradients differentiable in turn. On symbolic
    tensors (``K.gradients(loss, model.input)`` with ``loss`` built from a model's outputs) it returns symbolic
    gradients, computed when a model or ``K.function`` runs them.
    """
    is_symbolic = ENGINE_HOOKS.get("is_symbolic")
    if is_symbolic is not None and is_symbolic(loss):
        return engine_hook("gradients", "K.gradients")(loss, variables)
    single = isinstance(variables, torch.Tensor)
    variables = [variables] if single else list(variables)
    if not isinstance(loss, torch.Tensor):
        raise ValueError(f"K.gradients needs a loss tensor computed from the variables, received "
                         f"{type(loss).__name__}. Symbolic tensors hold no values: compute the loss on real inputs "
                         "(for example inside a custom train step, or from model(x)) and ask again.")
    if is_shape_only(loss):  # a layer's call during shape inference
        return [torch.zeros_like(v) for v in variables]
    if not loss.requires_grad:
        if not torch.is_grad_enabled() or torch.is_inference_mode_enabled():
            raise NeedsGradientRecording(
                "K.gradients: the loss was computed with gradient recording off (under no_grad or inference_mode), "
                "so it cannot be differentiated. Compute it with gradients on (a functional model does so by itself "
                "when one of its layers calls K.gradients).")
        raise ValueError("K.gradients: the loss does not depend on any variable that tracks gradients (it was "
                         "computed under no_grad, from detached values, or from non-trainable variables).")
    if loss.dim() != 0:
        loss = loss.sum()  # TensorFlow differentiates the sum of a non-scalar loss
    for v in variables:
        if not isinstance(v, torch.Tensor):
            raise TypeError(f"K.gradients expects variables (tensors), received {type(v).__name__}.")
    wanted = [v for v in variables if v.requires_grad]
    grads = iter(torch.autograd.grad(loss, wanted, retain_graph=True, create_graph=bool(create_graph),
                                     allow_unused=True)) if wanted else iter(())
    return [next(grads) if v.requires_grad else None for v in variables]


def stop_gradient(x):
    if isinstance(x, (list, tuple)):
        return type(x)(convert_to_tensor(t).detach() for t in x)
    return convert_to_tensor(x).detach()


def meta_tensor(shape, dtype):
    """A shape-only tensor used to infer output shapes without computing.

    On torch's 'meta' device, or, inside ``fake_tensor_scope``, a FakeTensor that real weights and freshly made
    tensors (``K.random_normal`` in a sampling Lambda) can mix with.
    """
    if _FAKE_DEPTH:
        return torch.empty(shape, dtype=torch_dtype(dtype), device=_DEVICE)
    return torch.empty(shape, dtype=torch_dtype(dtype), device="meta")


_FAKE_DEPTH = 0


@contextlib.contextmanager
def fake_tensor_scope():
    """Within, every new tensor is a shape-only FakeTensor and real tensors mix with them.

    The fallback for shape inference when a layer's ``call`` combines its input with real tensors (weights added
    to the input, a noise tensor drawn from the input's shape), which torch's 'meta' device refuses.
    """
    global _FAKE_DEPTH
    from torch._subclasses.fake_tensor import FakeTensorMode
    if _FAKE_DEPTH:  # already inside one: torch refuses to mix two fake modes
        yield
        return
    _FAKE_DEPTH += 1
    try:
        with FakeTensorMode(allow_non_fake_inputs=True):
            yield
    finally:
        _FAKE_DEPTH -= 1


@contextlib.contextmanager
def real_tensor_scope():
    """Inside ``fake_tensor_scope``, makes new tensors real again: the weights a layer creates in ``build`` while
    an enclosing layer's output shape is being inferred must hold values."""
    global _FAKE_DEPTH
    if not _FAKE_DEPTH:
        yield
        return
    from torch._subclasses.fake_tensor import unset_fake_temporarily
    depth, _FAKE_DEPTH = _FAKE_DEPTH, 0
    try:
        with unset_fake_temporarily():
            yield
    finally:
        _FAKE_DEPTH = depth


_PROBE_DEPTH = 0


@contextlib.contextmanager
def probe_tensor_scope():
    """Within, shape inference runs a layer on real tensors (``probe_tensor``): the last fallback, as Keras 3's
    torch backend has, for a ``call`` that reads values (``ops.tile`` with repeats computed from
    ``ops.shape``), which neither meta nor fake tensors allow. ``is_shape_only`` is true for every tensor
    inside, so ``add_loss``/``add_metric`` record nothing from the probe."""
    global _PROBE_DEPTH
    _PROBE_DEPTH += 1
    try:
        with real_tensor_scope():
            yield
    finally:
        _PROBE_DEPTH -= 1


def probe_tensor(shape, dtype):
    """A real tensor of ones standing in for a symbolic input in ``probe_tensor_scope``."""
    return torch.ones(shape, dtype=torch_dtype(dtype), device=_DEVICE)


def _is_fake(x):
    return type(x).__name__ == "FakeTensor"


def is_shape_only(x):
    """True for the shape-only tensors layers see during shape inference (meta or fake), and for any tensor
    inside ``probe_tensor_scope``."""
    return isinstance(x, torch.Tensor) and (
        _PROBE_DEPTH > 0 or x.device.type == "meta" or type(x).__name__ == "FakeTensor")
