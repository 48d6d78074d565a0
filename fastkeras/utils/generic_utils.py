"""Keras 2's ``keras.utils.generic_utils``: the small helpers that custom layers and older programs import from
it (custom-object registration, Progbar, argument checks, array slicing, function (de)serialization).

Most names are fastkeras' own implementations gathered here under their Keras 2 module path.
"""
import codecs
import inspect
import marshal
import math

from fastkeras.backend.common import to_snake_case  # noqa: F401
from fastkeras.saving.serialization import (  # noqa: F401
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects, get_registered_name,
    register_keras_serializable, serialize_keras_object,
)
from fastkeras.utils.progbar import Progbar  # noqa: F401
from fastkeras.utils.registry import get_registered_object  # noqa: F401


def func_dump(func):
    """``(code, defaults, closure)`` for a Python function: its bytecode as base64 text (what Keras 2 stores for a
    Lambda layer's lambda), its default values and its closure's values. Loads back only in the same Python
    version."""
    code = codecs.encode(marshal.dumps(func.__code__), "base64").decode("ascii")
    closure = tuple(cell.cell_contents for cell in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


def func_load(code, defaults=None, closure=None, globs=None):
    """The function that ``func_dump`` described. This runs the given bytecode when the function is called: only
    pass it data you produced yourself (model files go through ``load_model``'s safe mode instead)."""
    from fastkeras.saving.unsafe import function_from_bytecode
    if isinstance(code, (tuple, list)) and len(code) == 3 and defaults is None and closure is None:
        code, defaults, closure = code
    fn = function_from_bytecode([code, defaults, closure])
    if globs is not None:
        fn.__globals__.update(globs)
    return fn


def has_arg(fn, name, accept_all=False):
    """Whether ``fn`` can be called with the keyword argument ``name``; with ``accept_all``, also whether it takes
    ``**kwargs``."""
    parameters = inspect.signature(fn).parameters
    if accept_all and any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return True
    parameter = parameters.get(name)
    return parameter is not None and parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                       inspect.Parameter.KEYWORD_ONLY)


def make_batches(size, batch_size):
    """``(start, end)`` index pairs covering ``range(size)`` in batches of ``batch_size`` (the last may be short)."""
    return [(i * batch_size, min(size, (i + 1) * batch_size)) for i in range(math.ceil(size / batch_size))]


def _slice_one(array, start, stop):
    if array is None:
        return None
    if hasattr(start, "__len__"):  # a list or an array of indices picks rows
        return array[start.tolist() if hasattr(start, "shape") else start]
    return array[start:stop]


def slice_arrays(arrays, start=None, stop=None):
    """Rows ``start:stop`` (or the rows listed in ``start``) of an array or of each array in a list; None entries
    stay None. (tf-keras returns ``[None]`` for a single array sliced by integers; this returns the rows.)"""
    if arrays is None:
        return [None]
    if isinstance(start, list) and stop is not None:
        raise ValueError("slice_arrays: `stop` must be None when `start` is a list of indices, received "
                         f"stop={stop!r}.")
    if isinstance(arrays, list):
        return [_slice_one(a, start, stop) for a in arrays]
    return _slice_one(arrays, start, stop)


def to_list(x, allow_tuple=False):
    """``x`` as a list: a list stays itself (a tuple too with ``allow_tuple``), anything else is wrapped."""
    if isinstance(x, list):
        return x
    if allow_tuple and isinstance(x, tuple):
        return list(x)
    return [x]


def unpack_singleton(x):
    """The only element of a one-element list or tuple; anything else unchanged."""
    if isinstance(x, (list, tuple)) and len(x) == 1:
        return x[0]
    return x


def object_list_uid(object_list):
    """A string naming the identity of each object in a list (or of one object)."""
    return ", ".join(str(abs(id(x))) for x in to_list(object_list, allow_tuple=True))


def is_all_none(structure):
    """Whether every leaf of a nested list/tuple/dict structure is None."""
    from fastkeras.engine import tree
    return all(leaf is None for leaf in tree.flatten(structure))


def check_for_unexpected_keys(name, input_dict, expected_values):
    unknown = set(input_dict) - set(expected_values)
    if unknown:
        raise ValueError(f"Unknown entries in {name} dictionary: {sorted(unknown, key=str)}. Only expected the "
                         f"following keys: {list(expected_values)}")


def validate_kwargs(kwargs, allowed_kwargs, error_message="Keyword argument not understood:"):
    """Raise TypeError naming the first keyword argument that is not in ``allowed_kwargs``."""
    for kwarg in kwargs:
        if kwarg not in allowed_kwargs:
            raise TypeError(error_message, kwarg)


def transpose_shape(shape, target_format, spatial_axes):
    """A channels_last ``shape`` (tuple or list) rearranged for ``target_format``, as Keras 2.2+'s helper.

    For 'channels_first' the last entry moves right after the entries before ``spatial_axes[0]``
    (``((0, 0), (1, 2), (3, 4), (0, 0))`` with ``spatial_axes=(1, 2)`` -> ``((0, 0), (0, 0), (1, 2), (3, 4))``);
    'channels_last' returns ``shape`` itself.
    """
    if target_format == "channels_first":
        new_values = tuple(shape[:spatial_axes[0]]) + (shape[-1],) + tuple(shape[axis] for axis in spatial_axes)
        return list(new_values) if isinstance(shape, list) else new_values
    if target_format == "channels_last":
        return shape
    raise ValueError('The `data_format` argument must be one of "channels_first", "channels_last". Received: '
                     + str(target_format))
