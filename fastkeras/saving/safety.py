"""What loading a file is allowed to do: parse data, never run it.

* ``safe_mode`` lives here, set only by the caller of ``load_model`` (a scope,
  never a value read from a file). A Lambda layer's bytecode and a
  TorchModuleWrapper's pickled module are refused unless the caller passed
  ``safe_mode=False``.
* Configs are parsed by ``json`` and ``yaml.safe_load`` only, after checks that
  bound their nesting and reject YAML tags and aliases; parsed configs are
  scanned (iteratively) for depth, size, ``safe_mode`` keys and Lambda bytecode
  before a single layer is built.
* NumPy data is read with ``allow_pickle=False``.
* While a file's config builds a model, ``add_weight`` asks ``check_allocation``
  first, so a config cannot make fastkeras allocate more than the file's own
  weights (or ``LIMITS['max_config_elements']`` for a bare JSON/YAML config). A ``.keras`` file's
  ``build_config`` builds its model inside the same budget, its input shapes checked first
  (``check_build_config``), since building runs ``call`` on stand-in inputs of those shapes. Arrays a
  config sizes beside its weights (a stateful RNN's states, shape inference's real stand-in inputs) are
  bounded by ``check_scratch``.

``LIMITS`` may be raised by a user who trusts unusually large files.
"""
import contextlib
import io
import json
import threading

import numpy as np

from fastkeras.saving.errors import FileFormatError, UnsafeFileError, in_file

LIMITS = {
    "max_config_depth": 100,            # nested dicts/lists in a config (real Keras configs stay under ~40)
    "max_config_items": 5_000_000,      # dict entries + list items in a config
    "max_config_bytes": 256 * 2 ** 20,  # config.json / model_config text
    "max_entry_bytes": 64 * 2 ** 30,    # one decompressed zip entry
    "max_compression_ratio": 1000,      # decompressed / compressed size of a zip entry (zip bombs)
    "max_array_bytes": 32 * 2 ** 30,    # one array in an HDF5 or npz file
    "max_h5_objects": 1_000_000,        # groups + datasets in an HDF5 file
    "max_h5_depth": 64,                 # group nesting in an HDF5 file
    "max_config_elements": 2 ** 30,     # weight elements a weightless config may allocate
}

_STATE = threading.local()


# ---------------------------------------------------------------------------------------------------
# safe mode: the caller's decision, never the file's
# ---------------------------------------------------------------------------------------------------

_DEFAULT_SAFE_MODE = [True]  # outside any safe_mode_scope; keras.config.enable_unsafe_deserialization clears it


def in_safe_mode():
    """The innermost ``safe_mode_scope``'s setting; outside any, True unless the user called
    ``keras.config.enable_unsafe_deserialization()``."""
    stack = getattr(_STATE, "safe_mode", None)
    return _DEFAULT_SAFE_MODE[0] if not stack else stack[-1]


def set_default_safe_mode(safe_mode):
    if not isinstance(safe_mode, bool):
        raise TypeError(f"safe_mode must be True or False, received {safe_mode!r}.")
    _DEFAULT_SAFE_MODE[0] = safe_mode


@contextlib.contextmanager
def safe_mode_scope(safe_mode):
    if not isinstance(safe_mode, bool):
        raise TypeError(f"safe_mode must be True or False, received {safe_mode!r}.")
    if not hasattr(_STATE, "safe_mode"):
        _STATE.safe_mode = []
    _STATE.safe_mode.append(safe_mode)
    try:
        yield
    finally:
        _STATE.safe_mode.pop()


# ---------------------------------------------------------------------------------------------------
# allocation budget while a config builds a model
# ---------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def allocation_budget(max_elements, source):
    """Weights created inside the block may hold ``max_elements`` elements in all."""
    previous = getattr(_STATE, "budget", None)
    # [weight elements left, the file, elements left for what the config sizes beside the weights]
    _STATE.budget = [int(max_elements), source, LIMITS["max_config_elements"]]
    try:
        yield
    finally:
        _STATE.budget = previous


@contextlib.contextmanager
def config_budget(source):
    """``LIMITS['max_config_elements']`` for a config read without weights; an outer budget (set from a
    file's own weights) stays in force."""
    if getattr(_STATE, "budget", None) is not None:
        yield
        return
    with allocation_budget(LIMITS["max_config_elements"], source):
        yield


def check_allocation(layer_name, weight_name, shape):
    """Called by ``Layer.add_weight`` before it allocates; raises when a loaded config asks too much."""
    budget = getattr(_STATE, "budget", None)
    if budget is None:
        return
    size = 1
    for d in shape:
        if d < 0:
            raise UnsafeFileError(f"{budget[1]}: layer \"{layer_name}\" asks for weight {weight_name!r} with a "
                                  f"negative dimension, shape {tuple(shape)}.")
        size *= d
    if size > budget[0]:
        raise UnsafeFileError(f"{budget[1]}: layer \"{layer_name}\" asks for weight {weight_name!r} of shape "
                              f"{tuple(shape)} ({size} elements), more than the file can fill ({budget[0]} elements "
                              "left). A config may not allocate more than its weights hold; refused before "
                              "allocating. (Raise fastkeras.saving.safety.LIMITS['max_config_elements'] for a "
                              "trusted weightless config.)")
    budget[0] -= size


def check_build_config(build_config, source):
    """Refuses a ``build_config`` whose input shapes are not lists of non-negative integers (and None), or whose
    stand-in inputs would hold more than ``LIMITS['max_config_elements']`` elements: building runs the model's
    ``call`` on them, on real tensors when the call reads values, before any weight is created."""
    stack = [(build_config.get("input_shape") if isinstance(build_config, dict) else None, 0)]
    while stack:
        shape, depth = stack.pop()
        if depth > LIMITS["max_config_depth"]:
            raise in_file(UnsafeFileError, source, "the build_config nests too deeply; refused.")
        if isinstance(shape, dict):
            stack.extend((s, depth + 1) for s in shape.values())
            continue
        if not isinstance(shape, (list, tuple)) or any(isinstance(d, (list, tuple, dict)) for d in shape):
            if isinstance(shape, (list, tuple)):
                stack.extend((s, depth + 1) for s in shape)
            continue
        size = 1
        for d in shape:
            if d is None:
                d = 89  # the larger stand-in size of an unknown dimension (engine.base_layer._PROBE_SIZES)
            if isinstance(d, bool) or not isinstance(d, int) or d < 0:
                raise in_file(FileFormatError, source, f"the build_config's input shape {shape} should hold "
                              "non-negative integers and None.")
            size *= d
        if size > LIMITS["max_config_elements"]:
            raise in_file(UnsafeFileError, source, f"the build_config's input shape {shape} would make stand-in "
                          f"inputs of {size} elements, more than the limit of {LIMITS['max_config_elements']}; "
                          "refused before allocating.")


def check_stand_ins(layer_name, shapes):
    """Called by shape inference before it runs a layer's ``call`` on real tensors (a call that reads values):
    their sizes come from the file's input shapes, which no weight budget covers."""
    check_scratch(layer_name, "real stand-in inputs (shape inference runs its call on them)", shapes)


def check_scratch(layer_name, what, shapes, persistent=False):
    """While a file's config builds a model, refuses arrays that are not weights (so not bounded by the file's
    own) beyond ``LIMITS['max_config_elements']`` elements: for one call, or in all for the ``persistent`` ones
    a loaded model keeps (a stateful RNN's states, Normalization's given statistics broadcast to the input)."""
    budget = getattr(_STATE, "budget", None)
    if budget is None:
        return
    total = 0
    for shape in shapes:
        size = 1
        for d in shape:
            size *= d
        total += size
    left = budget[2] if persistent else LIMITS["max_config_elements"]
    if total > left:
        raise UnsafeFileError(f"{budget[1]}: layer \"{layer_name}\" needs {what} of shapes "
                              f"{[tuple(s) for s in shapes]} ({total} elements), more than the limit of "
                              f"{LIMITS['max_config_elements']} elements for arrays a file's config sizes beside its "
                              f"weights ({left} left); refused before allocating.")
    if persistent:
        budget[2] -= total


# ---------------------------------------------------------------------------------------------------
# config text and config dicts
# ---------------------------------------------------------------------------------------------------

def _text(data, source, what):
    if isinstance(data, (bytes, bytearray)):
        if len(data) > LIMITS["max_config_bytes"]:
            raise in_file(UnsafeFileError, source, f"the {what} is {len(data)} bytes, more than the limit of "
                          f"{LIMITS['max_config_bytes']}.")
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            raise in_file(FileFormatError, source, f"the {what} is not UTF-8 text ({e}).") from None
    if not isinstance(data, str):
        raise in_file(FileFormatError, source, f"the {what} should be text, got {type(data).__name__}.")
    if len(data) > LIMITS["max_config_bytes"]:
        raise in_file(UnsafeFileError, source, f"the {what} is {len(data)} characters, more than the limit of "
                      f"{LIMITS['max_config_bytes']}.")
    return data


def _json_nesting(text):
    """The bracket depth of a JSON text, strings skipped, computed without recursion."""
    import re
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', "", text)
    codes = np.frombuffer(stripped.encode("utf-8", "replace"), dtype=np.uint8)
    steps = (codes == ord("[")).astype(np.int64) + (codes == ord("{"))
    steps -= (codes == ord("]")).astype(np.int64) + (codes == ord("}"))
    return int(np.cumsum(steps).max()) if steps.size else 0


def load_json(data, source=None, what="JSON config"):
    """A parsed JSON value; deep nesting and huge texts are refused before parsing."""
    text = _text(data, source, what)
    depth = _json_nesting(text)
    if depth > LIMITS["max_config_depth"]:
        raise in_file(UnsafeFileError, source, f"the {what} nests {depth} levels deep, more than the limit of "
                      f"{LIMITS['max_config_depth']}; refused before parsing.")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise in_file(FileFormatError, source, f"the {what} is not valid JSON ({e}).") from None


_STANDARD_YAML_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


def load_yaml(data, source=None, what="YAML config"):
    """A parsed YAML value via ``yaml.safe_load``, after an event scan that refuses Python tags, aliases
    (which can multiply a small file into an enormous structure) and deep nesting."""
    try:
        import yaml
    except ImportError:
        raise ImportError("Reading YAML requires PyYAML: `pip install pyyaml`.") from None
    text = _text(data, source, what)
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise in_file(UnsafeFileError, source, f"the {what} uses YAML anchors/aliases, which Keras configs "
                              "never contain (they can expand a small file into a huge structure); refused.")
            tag = getattr(event, "tag", None)
            if tag and tag not in _STANDARD_YAML_TAGS and tag != "!":
                raise in_file(UnsafeFileError, source, f"the {what} carries the YAML tag {tag!r}; only plain YAML "
                              "data is read (tags that build Python objects are refused).")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > LIMITS["max_config_depth"]:
                    raise in_file(UnsafeFileError, source, f"the {what} nests more than "
                                  f"{LIMITS['max_config_depth']} levels deep; refused before building it.")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise in_file(FileFormatError, source, f"the {what} is not valid YAML ({e}).") from None
    except RecursionError:
        raise in_file(UnsafeFileError, source, f"the {what} nests too deeply.") from None


_BYTECODE_TYPE_KEYS = ("function_type", "output_shape_type", "mask_type")


def scan_config(config, source=None):
    """Walks a parsed config (iteratively) before anything is built from it.

    Refuses: nesting deeper than ``LIMITS['max_config_depth']``, more than
    ``LIMITS['max_config_items']`` entries, any ``safe_mode`` key (a file never
    decides safe mode), and in safe mode any stored bytecode (Keras 2's
    ``function_type: 'lambda'`` and Keras 3's ``{'class_name': '__lambda__'}``)
    and any pickled torch module (Keras 3's TorchModuleWrapper), naming the
    layer and how a caller who trusts the file opts in.
    """
    safe = in_safe_mode()
    stack = [(config, 1, None)]
    items = 0
    while stack:
        node, depth, layer = stack.pop()
        if depth > LIMITS["max_config_depth"]:
            raise in_file(UnsafeFileError, source, f"the model config nests more than {LIMITS['max_config_depth']} "
                          "levels deep; refused.")
        if isinstance(node, dict):
            items += len(node)
            if "safe_mode" in node:
                raise in_file(UnsafeFileError, source, "the config holds a 'safe_mode' entry"
                              + (f" (in layer \"{layer}\")" if layer else "")
                              + "; a file cannot change safe_mode, only the caller of load_model can.")
            if isinstance(node.get("class_name"), str) and isinstance(node.get("config"), dict):
                name = node["config"].get("name")
                layer = name if isinstance(name, str) else layer
            if safe and (node.get("class_name") == "__lambda__"
                         or any(node.get(k) == "lambda" for k in _BYTECODE_TYPE_KEYS)):
                raise in_file(UnsafeFileError, source, f"Lambda layer \"{layer or '?'}\" stores Python bytecode, and "
                              "loading it would run code from the file. This is refused in safe mode. If you trust "
                              "the file's source, load it with `safe_mode=False`, or rebuild the layer in code and "
                              "pass its function in `custom_objects`.")
            if safe and node.get("class_name") == "TorchModuleWrapper" and isinstance(node.get("config"), dict) \
                    and node["config"].get("module") is not None:
                raise in_file(UnsafeFileError, source, f"TorchModuleWrapper layer \"{layer or '?'}\" stores its torch "
                              "module pickled (torch.save), and unpickling it can run code from the file. This is "
                              "refused in safe mode. If you trust the file's source, load it with `safe_mode=False`, "
                              "or rebuild the model in code around your own module and load only its weights.")
            children = node.values()
        elif isinstance(node, list):
            items += len(node)
            children = node
        else:
            continue
        if items > LIMITS["max_config_items"]:
            raise in_file(UnsafeFileError, source, f"the config holds more than {LIMITS['max_config_items']} "
                          "entries; refused.")
        stack.extend((child, depth + 1, layer) for child in children if isinstance(child, (dict, list)))
    return config


# ---------------------------------------------------------------------------------------------------
# numpy data
# ---------------------------------------------------------------------------------------------------

def load_numpy(source, name=None):
    """The arrays of an ``.npy`` file (one array) or ``.npz`` file (a dict), from a path, bytes or a file
    object. Headers are read and checked first: object dtypes (pickles) are refused, as with
    ``np.load(allow_pickle=False)``, and sizes are checked against the data present before allocating."""
    import zipfile
    from fastkeras.saving.zip_checks import check_zip_entries
    label = name or source
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(bytes(source))
    try:
        with contextlib.ExitStack() as stack:
            f = stack.enter_context(open(source, "rb")) if isinstance(source, (str, bytes)) or \
                hasattr(source, "__fspath__") else source
            head = f.read(6)
            f.seek(-len(head), 1)
            if head.startswith(b"PK"):
                archive = stack.enter_context(zipfile.ZipFile(f))
                infos = check_zip_entries(archive, label)
                out = {}
                for info in infos:
                    key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
                    with archive.open(info) as member:
                        out[key] = _read_npy(member, info.file_size, label, f"entry {info.filename!r}")
                return out
            return _read_npy(f, None, label, "the array")
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise in_file(FileFormatError, label, f"not readable NumPy data ({e}).") from None


def _read_npy(f, available, label, what):
    """One array in NumPy's ``.npy`` format, without ``pickle`` and without trusting its header's size."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    except ValueError as e:
        raise in_file(FileFormatError, label, f"{what} is not a valid .npy array ({e}).") from None
    if dtype.hasobject:
        raise in_file(UnsafeFileError, label, f"{what} holds pickled Python objects (dtype {dtype}), which are never "
                      "loaded (allow_pickle=False).")
    if dtype.kind not in "biuf":
        raise in_file(FileFormatError, label, f"{what} has dtype {dtype}, expected a numeric array.")
    count = 1
    for d in shape:
        count *= d
    nbytes = count * dtype.itemsize
    if nbytes > LIMITS["max_array_bytes"] or (available is not None and nbytes > available):
        raise in_file(UnsafeFileError, label, f"{what} declares shape {shape} ({nbytes} bytes), more than the data "
                      "present" + ("" if available is None else f" ({available} bytes)") + "; refused before "
                      "allocating.")
    data = f.read(nbytes)
    if len(data) != nbytes:
        raise in_file(FileFormatError, label, f"{what} is truncated: expected {nbytes} bytes of data, found "
                      f"{len(data)}.")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C").copy()
