"""The one place that turns bytes from a file into code: a Lambda layer's function or a TorchModuleWrapper's
pickled module, and only when the caller of ``load_model`` (never the file) passed ``safe_mode=False`` for a
file it trusts.

Keras stores a lambda as ``marshal``'d bytecode, base64-encoded (Keras up to
2.1.1: the bytes as ``raw_unicode_escape`` text), with its defaults and closure values: ``[code, defaults, closure]`` in Keras 2 configs,
``{'code', 'defaults', 'closure'}`` in Keras 3's. The function is rebuilt with
fastkeras' usual names as globals (``K``, ``backend``, ``keras``, ``np``) and
the globals of the module it was written in when that module is already
imported (nothing is imported for it). Bytecode only loads in the Python
version that wrote it.
"""
import base64
import binascii
import builtins
import marshal
import sys
import types

from fastkeras.saving.errors import FileFormatError, UnsafeFileError
from fastkeras.saving.safety import in_safe_mode


def _globals(module_name):
    import numpy as np

    import fastkeras
    from fastkeras import backend
    names = {"__builtins__": builtins, "K": backend, "backend": backend, "keras": fastkeras, "fastkeras": fastkeras,
             "np": np, "numpy": np}
    module = sys.modules.get(module_name) if isinstance(module_name, str) else None
    if module is not None:
        names.update(vars(module))
    return names


def load_lambda_bytecode(value, layer_name="lambda", module_name=None):
    """A function rebuilt from a Lambda config's stored bytecode (only outside safe mode)."""
    if in_safe_mode():
        # Reached only if a caller bypassed the scope; the file never gets to decide.
        raise UnsafeFileError(f'Lambda layer "{layer_name}" stores Python bytecode; refused in safe mode. Load the '
                              "file with `safe_mode=False` if you trust its source.")
    return function_from_bytecode(value, layer_name, module_name)


def function_from_bytecode(value, layer_name="lambda", module_name=None):
    """A function rebuilt from ``[code, defaults, closure]`` (or Keras 3's dict, or the bare code string) with no
    safe-mode check: for ``generic_utils.func_load``, which the user's own code calls on data it chose. Loading
    from files goes through ``load_lambda_bytecode``."""
    if isinstance(value, dict):
        code, defaults, closure = value.get("code"), value.get("defaults"), value.get("closure")
    elif isinstance(value, (list, tuple)) and len(value) == 3:
        code, defaults, closure = value
    else:
        code, defaults, closure = value, None, None
    if not isinstance(code, str):
        raise FileFormatError(f'Lambda layer "{layer_name}": the stored function should be base64 text, got '
                              f"{type(code).__name__}.")
    try:
        try:
            raw = base64.b64decode(code.encode("ascii"), validate=False)
        except (UnicodeEncodeError, binascii.Error):
            raw = code.encode("raw_unicode_escape")  # how Keras up to 2.1.1 stored the bytecode, as tf-keras reads it
        function_code = marshal.loads(raw)
    except (UnicodeEncodeError, binascii.Error, ValueError, EOFError, TypeError) as e:
        raise FileFormatError(f'Lambda layer "{layer_name}": its stored bytecode cannot be loaded ({e}); it was '
                              "probably written by another Python version "
                              f"(this is {sys.version_info.major}.{sys.version_info.minor}).") from None
    if not isinstance(function_code, types.CodeType):
        raise FileFormatError(f'Lambda layer "{layer_name}": the stored bytecode is not a function\'s code.')
    defaults = tuple(defaults) if isinstance(defaults, list) else defaults
    cells = None
    if closure is not None:
        cells = tuple(types.CellType(v) for v in closure)
    if len(cells or ()) != len(function_code.co_freevars):
        raise FileFormatError(f'Lambda layer "{layer_name}": the function needs {len(function_code.co_freevars)} '
                              f"closure value(s), the config holds {len(cells or ())}.")
    try:
        return types.FunctionType(function_code, _globals(module_name), name=function_code.co_name,
                                  argdefs=defaults, closure=cells)
    except (TypeError, ValueError) as e:
        raise FileFormatError(f'Lambda layer "{layer_name}": cannot rebuild its function ({e}).') from None


def load_torch_module(payload, layer_name=None):
    """The ``torch.nn.Module`` a TorchModuleWrapper config stores (``torch.save`` output, base64-encoded), only
    outside safe mode: unpickling it can run any code the file's author chose."""
    label = f'TorchModuleWrapper layer "{layer_name}"' if layer_name else "A TorchModuleWrapper layer"
    if in_safe_mode():
        raise UnsafeFileError(f"{label} stores its torch module pickled (torch.save), and unpickling it can run code "
                              "from the file. This is refused in safe mode. If you trust the file's source, load it "
                              "with `safe_mode=False` (or call `keras.config.enable_unsafe_deserialization()`), "
                              "or rebuild the layer in code around your own module and load only the weights.")
    if not isinstance(payload, str):
        raise FileFormatError(f"{label}: the stored module should be base64 text, got {type(payload).__name__}.")
    import io

    import torch
    try:
        raw = base64.b64decode(payload.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as e:
        raise FileFormatError(f"{label}: the stored module is not base64 text ({e}).") from None
    try:
        module = torch.load(io.BytesIO(raw), weights_only=False)
    except Exception as e:  # noqa: BLE001 - any failure of the unpickler is the file's
        raise FileFormatError(f"{label}: the stored module cannot be loaded by torch.load ({e}).") from None
    if not isinstance(module, torch.nn.Module):
        raise FileFormatError(f"{label}: the stored object is a {type(module).__name__}, not a torch.nn.Module.")
    return module
