"""Tensors, variables, dtypes and devices on PyTorch."""
import os

import numpy as np
import torch

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
    """

    @property
    def name(self):
        return self.__dict__.get("_keras_name", "Variable:0")

    @name.setter
    def name(self, value):
        self.__dict__["_keras_name"] = value

    @property
    def trainable(self):
        return self.requires_grad

    def numpy(self):
        return self.detach().cpu().numpy()

    def assign(self, value):
        set_value(self, value)
        return self

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
    if dtype is None:
        arr = np.asarray(x)
        if arr.dtype == np.float64 or arr.dtype == np.float16 and floatx() != "float16":
            dtype = floatx()
        elif arr.dtype.kind == "f":
            dtype = str(arr.dtype)
        elif arr.dtype == object or arr.dtype.kind in "USV":
            raise TypeError(f"Cannot convert an array of dtype {arr.dtype} to a tensor: expected numbers.")
        return torch.as_tensor(arr, dtype=torch_dtype(dtype) if dtype else None, device=_DEVICE)
    return torch.as_tensor(np.asarray(x), dtype=torch_dtype(dtype), device=_DEVICE)


def to_numpy(x):
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.cpu().numpy()
    return np.asarray(x)


def variable(value, dtype=None, name=None, trainable=True, constraint=None):
    """A new weight holding ``value`` (array, tensor or scalar)."""
    data = convert_to_tensor(value, dtype=dtype or floatx()).detach().clone()
    if not data.is_floating_point() and not data.is_complex():
        trainable = False
    v = Variable(data, requires_grad=bool(trainable))
    v.name = name or "Variable:0"
    v.constraint = constraint
    return v


def constant(value, dtype=None, shape=None, name=None):
    t = convert_to_tensor(value, dtype=dtype or floatx())
    if shape is not None:
        t = t.expand(tuple(shape)).clone() if t.dim() == 0 else t.reshape(tuple(shape))
    return t


def get_value(x):
    """A numpy copy of a tensor or variable."""
    return to_numpy(x)


def batch_get_value(tensors):
    return [to_numpy(t) for t in tensors]


def set_value(x, value):
    """Writes ``value`` into variable ``x`` in place; shapes must match."""
    value = np.asarray(value) if not isinstance(value, torch.Tensor) else value
    if tuple(value.shape) != tuple(x.shape):
        raise ValueError(f"Cannot assign a value of shape {tuple(value.shape)} to variable "
                         f"'{getattr(x, 'name', '?')}' of shape {tuple(x.shape)}.")
    with torch.no_grad():
        x.copy_(torch.as_tensor(value, dtype=x.dtype).to(x.device))


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def int_shape(x):
    """The static shape as a tuple of ints (or None for unknown dimensions)."""
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    return tuple(None if d is None else int(d) for d in shape)


def shape(x):
    return tuple(x.shape)


def ndim(x):
    return len(x.shape)


def dtype(x):
    return standardize_dtype(x.dtype)


def count_params(x):
    return int(np.prod(tuple(x.shape), dtype=np.int64))


def cast(x, dtype):
    return convert_to_tensor(x).to(torch_dtype(dtype))


def cast_to_floatx(x):
    return np.asarray(x, dtype=floatx())


def zeros(shape, dtype=None, name=None):
    return torch.zeros(tuple(shape), dtype=torch_dtype(dtype), device=_DEVICE)


def ones(shape, dtype=None, name=None):
    return torch.ones(tuple(shape), dtype=torch_dtype(dtype), device=_DEVICE)


def eye(size, dtype=None, name=None):
    if isinstance(size, (tuple, list)):
        return torch.eye(size[0], size[1], dtype=torch_dtype(dtype), device=_DEVICE)
    return torch.eye(size, dtype=torch_dtype(dtype), device=_DEVICE)


def zeros_like(x, dtype=None, name=None):
    return torch.zeros_like(convert_to_tensor(x), dtype=torch_dtype(dtype) if dtype else None)


def ones_like(x, dtype=None, name=None):
    return torch.ones_like(convert_to_tensor(x), dtype=torch_dtype(dtype) if dtype else None)


def arange(start, stop=None, step=1, dtype="int32"):
    if stop is None:
        start, stop = 0, start
    return torch.arange(start, stop, step, dtype=torch_dtype(dtype), device=_DEVICE)


def no_grad():
    return torch.no_grad()


def stop_gradient(x):
    if isinstance(x, (list, tuple)):
        return type(x)(t.detach() for t in x)
    return x.detach()


def meta_tensor(shape, dtype):
    """A shape-only tensor used to infer output shapes without computing."""
    return torch.empty(shape, dtype=torch_dtype(dtype), device="meta")
