"""Weights in the object-path HDF5 layout of Keras 3 (and of tf-keras 2.13+ for ``*.weights.h5``).

Every layer reached from the model owns a group ``<path>/vars`` holding its
weights as datasets ``0``, ``1``, ... (trainable first, then non-trainable).
Paths follow the attributes Keras walks: a functional or Sequential model's
layers live under ``layers/<snake_case class name>`` (``dense``, ``dense_1``,
... in ``model.layers`` order), the model's own weights under ``vars``, a
nested model's layers under ``layers/<its class>/layers/...``, a layer's
sublayers under ``<layer path>/<attribute>``. The optimizer's variables
go to ``optimizer/vars`` when saved with it, in Keras 3's list (``keras3_optimizer_state``).
The same layout sits inside a ``.keras`` archive as ``model.weights.h5``.
"""
import numpy as np

from fastkeras.saving.errors import FileFormatError, WeightsMismatchError, in_file
from fastkeras.saving.h5_checks import read_array

# fastkeras attributes that hold layers as bookkeeping, not as children Keras would walk.
_INTERNAL_LAYER_ATTRS = frozenset({"_tracked_layers", "_layers", "_stack", "_input_layer", "_input_layers",
                                   "_output_layers", "_inbound_nodes", "_outbound_nodes", "_outer"})


def is_object_layout(root):
    """True for the object-path layout (no Keras 2 ``layer_names`` attribute, a ``layers`` or ``vars`` group)."""
    return "layer_names" not in root.attrs and "layer_names0" not in root.attrs and \
        ("layers" in root or "vars" in root)


class OwnVariables:
    """The slot of a layer that saves and loads its state itself (Keras 3's ``save_own_variables`` /
    ``load_own_variables`` overridden): its ``vars`` group holds whatever keys it writes."""

    def __init__(self, layer):
        self.layer = layer


def _saves_its_own_variables(obj):
    from fastkeras.engine.base_layer import Layer
    return any(getattr(type(obj), m, None) is not getattr(Layer, m)
               for m in ("save_own_variables", "load_own_variables"))


def layer_paths(model):
    """[(path, layer)] in the order Keras walks the model, each layer once (the model itself at path '')."""
    from fastkeras import backend as K
    from fastkeras.engine.base_layer import Layer
    from fastkeras.engine.functional import Functional
    found, visited = [], set()

    def container(items, path):
        used = {}
        for item in items:
            if not isinstance(item, Layer) or id(item) in visited:
                continue
            # Keras 3 names the path after the Python class, which can differ from the exported name
            # (GroupQueryAttention is class GroupedQueryAttention there).
            name = getattr(type(item), "_object_path_name", None) or K.to_snake_case(type(item).__name__)
            if name in used:
                used[name] += 1
                name = f"{name}_{used[name]}"
            else:
                used[name] = 0
            visit(item, f"{path}/{name}")

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        found.append((path, obj))
        if isinstance(obj, Functional) and (getattr(obj, "_is_graph_network", False) or hasattr(obj, "_stack")):
            container(obj.layers, f"{path}/layers".lstrip("/"))
            return
        for attr in sorted(vars(obj), reverse=True):
            if attr in _INTERNAL_LAYER_ATTRS or attr.startswith("__"):
                continue
            value = vars(obj)[attr]
            child = f"{path}/{attr}".lstrip("/")
            if isinstance(value, Layer):
                visit(value, child)
            elif isinstance(value, (list, tuple)):
                container(value, child)
            elif isinstance(value, dict):
                container(list(value.values()), child)

    visit(model, "")
    return found


def weight_slots(model):
    """[(path, own weights)] in the order Keras walks the model, each layer once. A layer's own weights are a
    list (datasets ``0``, ``1``, ...), or a dict from dataset names to tensors for a layer that stores its state
    by key (``_saved_state()``)."""
    from fastkeras.engine.base_layer import Layer
    slots = []
    for path, obj in layer_paths(model):
        saved_state = getattr(obj, "_saved_state", None)
        if isinstance(obj, Layer) and _saves_its_own_variables(obj):
            slots.append((path, OwnVariables(obj)))
        elif callable(saved_state):
            slots.append((path, saved_state()))  # {dataset name: tensor} (TorchModuleWrapper's state_dict keys)
        else:
            slots.append((path, list(obj._trainable_weights) + list(obj._non_trainable_weights)))
    return slots


def _vars_path(path):
    return f"{path}/vars" if path else "vars"


def _stored_vars_path(root, path):
    """Where ``root`` holds the weights of the layer at ``path``: fastkeras writes tf-keras' attribute names
    (``_query_dense``, which Keras 3 also reads), Keras 3 writes some sublayers under public names
    (MultiHeadAttention's ``query_dense``)."""
    vars_path = _vars_path(path)
    if vars_path in root or not path:
        return vars_path
    public = "/".join(part.lstrip("_") or part for part in path.split("/"))
    return _vars_path(public) if _vars_path(public) in root else vars_path


def write(root, model, optimizer_groups=None):
    """Writes every weight of ``model`` (and ``optimizer_groups``, {group under ``optimizer/``: [arrays]}) under
    ``root``."""
    from fastkeras import backend as K
    for path, weights in weight_slots(model):
        group = root.require_group(_vars_path(path))
        if isinstance(weights, OwnVariables):
            store = {}
            weights.layer.save_own_variables(store)
            for name, value in store.items():
                group.create_dataset(str(name), data=np.asarray(K.get_value(value) if K.is_tensor(value) else value))
            continue
        names = list(weights) if isinstance(weights, dict) else [str(i) for i in range(len(weights))]
        values = K.batch_get_value(list(weights.values()) if isinstance(weights, dict) else weights)
        for name, value in zip(names, values):
            group.create_dataset(name, data=np.asarray(value))
    for name, values in (optimizer_groups or {}).items():
        group = root.require_group(f"optimizer/{name}")
        for i, value in enumerate(values):
            group.create_dataset(str(i), data=np.asarray(value))


def _numbered(group, where, label):
    """The datasets ``0..n-1`` of a vars group, in order."""
    keys = list(group.keys())
    if sorted(keys) != sorted(str(i) for i in range(len(keys))):
        raise in_file(FileFormatError, label, f"{where} should hold datasets named 0..{len(keys) - 1}, found "
                      f"{sorted(keys)[:10]}.")
    return [group[str(i)] for i in range(len(keys))]


def read_assignments(root, model, label, skip_mismatch=False):
    """[(variable, array)] for every weight of ``model``, all counts, shapes and dtypes checked first."""
    import warnings
    assignments, own_loads = [], []
    for path, weights in weight_slots(model):
        stored = _stored_vars_path(root, path)
        where = repr(stored)
        if isinstance(weights, OwnVariables):
            # Read (and checked) here; handed to the layer's load_own_variables once every slot has been read.
            store = {name: read_array(ds, label) for name, ds in root[stored].items()} if stored in root else {}
            own_loads.append((weights.layer, store, where))
            continue
        if isinstance(weights, dict):
            found = _named_assignments(root, path, weights, label, skip_mismatch)
            assignments.extend(found or [])
            continue
        problem = None
        if stored not in root:
            if weights:
                problem = (f"the file has no group {where} for the {len(weights)} weight(s) "
                           f"{[w.name for w in weights]} of the model.")
            else:
                continue
        else:
            datasets = _numbered(root[stored], where, label)
            if len(datasets) != len(weights):
                problem = (f"weight count mismatch at {where}: the model has {len(weights)} weight(s) "
                           f"{[w.name for w in weights]}, the file has {len(datasets)}.")
            else:
                for w, ds in zip(weights, datasets):
                    if tuple(ds.shape) != tuple(w.shape):
                        problem = (f"shape mismatch at {where} for weight {w.name}: the model expects shape "
                                   f"{tuple(w.shape)}, the file has shape {tuple(ds.shape)}.")
                        break
        if problem:
            if skip_mismatch:
                warnings.warn(f"Skipping loading weights at {where} of {label}: {problem}", stacklevel=3)
                continue
            raise in_file(WeightsMismatchError, label, problem)
        assignments.extend((w, read_array(ds, label)) for w, ds in zip(weights, datasets))
    for layer, store, where in own_loads:
        try:
            layer.load_own_variables(store)
        except Exception as e:  # noqa: BLE001 - the layer's own code: say where it failed
            if skip_mismatch:
                warnings.warn(f"Skipping loading weights at {where} of {label}: {type(e).__name__}: {e}",
                              stacklevel=3)
                continue
            raise in_file(WeightsMismatchError, label, f"layer \"{layer.name}\" could not load its variables from "
                          f"{where} (its load_own_variables raised {type(e).__name__}: {e}).") from e
    return assignments


def _named_assignments(root, path, tensors, label, skip_mismatch):
    """[(tensor, array)] for a layer whose ``vars`` group holds datasets by name; None when skipped."""
    import warnings
    where = repr(_vars_path(path))
    problem = None
    if _vars_path(path) not in root:
        if not tensors:
            return []
        problem = f"the file has no group {where} for the state {sorted(tensors)} of the model."
    else:
        group = root[_vars_path(path)]
        keys = sorted(group.keys())
        if keys != sorted(tensors):
            problem = (f"the state at {where} does not match: the model has {sorted(tensors)}, the file has "
                       f"{keys[:20]}.")
        else:
            for name, t in tensors.items():
                if tuple(group[name].shape) != tuple(t.shape):
                    problem = (f"shape mismatch at {where} for {name!r}: the model expects shape {tuple(t.shape)}, "
                               f"the file has shape {tuple(group[name].shape)}.")
                    break
    if problem:
        if skip_mismatch:
            warnings.warn(f"Skipping loading weights at {where} of {label}: {problem}", stacklevel=4)
            return None
        raise in_file(WeightsMismatchError, label, problem)
    return [(t, read_array(group[name], label)) for name, t in tensors.items()]


def read_optimizer_groups(root, label):
    """{group under ``optimizer/``: its arrays in order} (``vars``, and ``inner_optimizer/vars`` for Keras 3's
    LossScaleOptimizer), or None when the file holds no optimizer state."""
    if "optimizer/vars" not in root:
        return None
    groups = {}
    for name in ("vars", "inner_optimizer/vars"):
        if f"optimizer/{name}" in root:
            datasets = _numbered(root[f"optimizer/{name}"], repr(f"optimizer/{name}"), label)
            groups[name] = [read_array(ds, label) for ds in datasets]
    return groups
