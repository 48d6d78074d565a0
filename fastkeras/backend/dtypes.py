"""Keras 3's dtype rules, engine-independent: ``standardize_dtype``, ``is_float_dtype``, ``is_int_dtype`` and
``result_type`` (its type promotion).

The engine's own ``backend.standardize_dtype`` is more lenient (it also takes 'float', 'double', numpy's
spellings) because fastkeras' Keras 2 code paths hand it those; the functions here refuse anything Keras 3
refuses, so that code written against Keras 3 sees the same answers and the same errors.
"""
import functools

from fastkeras.backend.config import floatx

__all__ = ["ALLOWED_DTYPES", "standardize_dtype", "is_float_dtype", "is_int_dtype", "result_type"]

ALLOWED_DTYPES = (
    "float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
    "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2", "complex64", "complex128",
)
FLOAT8_DTYPES = ("float8_e4m3fn", "float8_e5m2")

# Python's types as Keras 3 reads them on a non-TensorFlow backend (the string 'int' too; 'float' is refused).
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", complex: "complex64", "int": "int32"}


def standardize_dtype(dtype):
    """Keras 3's name of a dtype ('float32', 'int32', ...) from a name, a Python, NumPy or torch type, or None
    (floatx). Anything else is a ValueError, as in Keras 3."""
    if dtype is None:
        return floatx()
    try:
        dtype = _PYTHON_DTYPES.get(dtype, dtype)
    except TypeError:  # unhashable
        pass
    if isinstance(dtype, str):
        name = dtype
    elif hasattr(dtype, "name") and isinstance(dtype.name, str):  # numpy dtypes
        name = dtype.name
    elif isinstance(dtype, type):  # np.float32 and the like
        name = dtype.__name__
    elif str(dtype).startswith(("torch.", "jax.numpy.")):
        name = str(dtype).rsplit(".", 1)[-1]
    else:
        name = str(dtype)
    if name not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {name}")
    return name


def is_float_dtype(dtype):
    """True for float16/32/64, bfloat16 and the float8 types (the dtype as ``standardize_dtype`` reads it)."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    """True for the signed and unsigned integer types."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


# The promotion lattice Keras 3 shares with JAX: each type and the types directly above it. 'int' and 'float'
# are the weak types of Python numbers, which take the other operand's kind instead of widening it.
_ABOVE = {
    "bool": ("int",),
    "int": ("uint8", "int8", "complex64"),
    "uint8": ("uint16", "int16"), "uint16": ("uint32", "int32"), "uint32": ("uint64", "int64"),
    "uint64": ("float",),
    "int8": ("int16",), "int16": ("int32",), "int32": ("int64",), "int64": ("float",),
    "float": ("bfloat16", "float16"),
    "bfloat16": ("float32",), "float16": ("float32",),
    "float32": ("float64", "complex64"), "float64": ("complex128",),
    "complex64": ("complex128",), "complex128": (),
}


def _upper_bounds(node):
    """``node`` and everything above it on the lattice."""
    seen, stack = {node}, [node]
    while stack:
        for parent in _ABOVE[stack.pop()]:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return frozenset(seen)


_UPPER_BOUNDS = {node: _upper_bounds(node) for node in _ABOVE}


@functools.lru_cache(maxsize=512)
def _least_upper_bound(nodes):
    unknown = [n for n in nodes if n not in _UPPER_BOUNDS]
    if unknown:
        raise ValueError(f"dtype={unknown[0]!r} is not a valid dtype for Keras type promotion.")
    common = frozenset.intersection(*(_UPPER_BOUNDS[n] for n in nodes))
    # The least of the common upper bounds: the one every other common bound lies above.
    least = [c for c in common if common <= _UPPER_BOUNDS[c]]
    if len(least) != 1:
        raise ValueError(f"Input dtypes {tuple(sorted(nodes))} have no unique implicit promotion; cast them "
                         "explicitly to the dtype you want.")
    return least[0]


# Keras 3 outside TensorFlow promotes to 32-bit types only, like JAX without x64.
_TO_32_BITS = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


def result_type(*dtypes):
    """The dtype Keras 3's promotion rules give for an operation on ``dtypes`` (names, types, None for floatx;
    Python's ``int`` and ``float`` are weak: ``result_type('int8', int) == 'int8'``). No arguments: floatx."""
    if not dtypes:
        return floatx()
    if any(isinstance(d, str) and d in FLOAT8_DTYPES for d in dtypes):
        raise ValueError("There is no implicit conversions from float8 dtypes to others. You must cast it "
                         f"internally. Received: {dtypes}")
    names = [standardize_dtype(floatx() if d is None else d) for d in dtypes]
    weak = [d is int or d is float for d in dtypes]
    if len(names) == 1:
        out, out_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        out, out_weak = names[0], False
    elif all(weak):
        out, out_weak = _least_upper_bound(frozenset(names)), True
    else:
        out = _least_upper_bound(frozenset(_weak_name(n) if w else n for n, w in zip(names, weak)))
        out_weak = out in ("int", "float")
    if out_weak and out != "bool":
        out = _resolve_weak(out)
    return _TO_32_BITS.get(out, out)


def _weak_name(name):
    """The weak type standing for a Python number of dtype ``name``."""
    if name == "bool":
        return name
    return "float" if "float" in name else "int"


def _resolve_weak(name):
    """A weak result as a concrete type of floatx's precision ('int' -> 'int32' under float32)."""
    bits = floatx()[-2:]
    kind = "f" if name == "bfloat16" else name[0]
    return {"i": f"int{bits}", "u": f"uint{bits}"}.get(kind, f"float{bits}")
