"""Data and compile arguments laid out like a model's nested inputs or outputs.

A functional model built on a dict (``Model(x, {"score": a, "boxes": [b, c]})``) takes its data and its
``compile`` arguments in that shape, keyed by the dict's keys, as tf-keras and Keras 3 do. The engine works on
flat lists in ``model.inputs``/``model.outputs`` order (tf.nest order: dict entries by sorted key), so these
helpers turn such structures into those lists, or into dicts by output name for ``compile``. Anything that does
not follow the model's structure is left to the name-based rules of ``data_adapter`` and ``compile_utils``.
"""
import warnings

from fastkeras.engine import tree


def structure_of(model, which):
    """The model's nested ``"inputs"`` or ``"outputs"`` when they are a dict or a list holding lists or dicts;
    None for a tensor, a flat list, or a model without a graph."""
    nested = getattr(model, "_nested_" + which, None)
    if isinstance(nested, dict):
        return nested
    if isinstance(nested, (list, tuple)) and any(tree.is_nested(item) for item in nested):
        return nested
    return None


def flatten_data(structure, data, kind):
    """``data`` (shaped like ``structure``) as a flat list in the structure's tf.nest order, or None when it is not
    shaped so. A dict may leave targets and sample weights out (None: that output gets none); inputs must all be
    there, and keys that name no input are ignored with a warning, as tf-keras does."""
    if not isinstance(data, (dict, list, tuple)):
        return None
    return _flatten(structure, data, kind)


def _flatten(structure, data, kind):
    if not tree.is_nested(structure):
        return [data]
    if isinstance(structure, dict):
        if not isinstance(data, dict):
            return None
        unknown = [k for k in data if k not in structure]
        missing = [k for k in structure if k not in data]
        if kind == "input":
            if missing:
                return None
            if unknown:
                warnings.warn(f"Input dict contained keys {unknown} which did not match any model input. They will "
                              "be ignored by the model.", stacklevel=4)
        elif unknown:
            return None
        flat = []
        for key in sorted(structure):
            sub = structure[key]
            if data.get(key) is None and kind != "input":
                flat.extend([None] * len(tree.flatten(sub)))
                continue
            part = _flatten(sub, data[key], kind)
            if part is None:
                return None
            flat.extend(part)
        return flat
    if not isinstance(data, (list, tuple)) or len(data) != len(structure):
        return None
    flat = []
    for sub, item in zip(structure, data):
        part = _flatten(sub, item, kind)
        if part is None:
            return None
        flat.extend(part)
    return flat


def by_output_name(structure, value, output_names, leaf_takes_list=False):
    """A ``compile`` argument given in the shape of the model's outputs (``loss={"boxes": ["mse", "mae"]}``) as a
    dict by output name, or None when ``value`` is not shaped so. One value for a nested part serves each output
    in it. ``leaf_takes_list``: a list at an output is that output's own list (metrics), not a structure."""
    if not isinstance(value, (dict, list, tuple)):
        return None
    if isinstance(structure, dict) != isinstance(value, dict):
        return None
    if isinstance(value, dict) and not all(k in structure for k in value):
        return None
    if not isinstance(value, dict) and len(value) != len(structure):
        return None
    leaves = []
    _assign(structure, value, leaf_takes_list, leaves)
    return {name: entry for name, entry in zip(output_names, leaves) if entry is not None}


def _assign(structure, value, leaf_takes_list, leaves):
    if not tree.is_nested(structure):
        leaves.append(value)
        return
    count = len(tree.flatten(structure))
    if isinstance(structure, dict) and isinstance(value, dict) and all(k in structure for k in value):
        for key in sorted(structure):
            _assign(structure[key], value.get(key), leaf_takes_list, leaves)
    elif isinstance(structure, (list, tuple)) and isinstance(value, (list, tuple)) and len(value) == len(structure) \
            and not (leaf_takes_list and not all(isinstance(v, (list, tuple, dict)) or v is None for v in value)):
        for sub, item in zip(structure, value):
            _assign(sub, item, leaf_takes_list, leaves)
    else:
        leaves.extend([value] * count)  # one loss or metric list for every output of this part


def pseudo_names(structure, prefix):
    """tf-keras' names for the inputs or outputs of a subclassed model, from the structure its ``call`` takes or
    returns: ``output_1``, ``output_2`` for a list, the keys for a dict (in sorted order), paths joined by '_'
    below (``{"b": [t, u]}`` gives ``b_1``, ``b_2``; ``[t, {"x": u}]`` gives ``output_1``, ``output_2_x``)."""
    names = []
    for path in _paths(structure, ()):
        if not path:
            names.append(prefix + "1")
        else:
            name = "_".join(str(p + 1) if isinstance(p, int) else str(p) for p in path)
            names.append(prefix + name if isinstance(path[0], int) else name)
    return names


def _paths(structure, path):
    if isinstance(structure, dict):
        return [p for key in sorted(structure) for p in _paths(structure[key], path + (key,))]
    if isinstance(structure, (list, tuple)):
        return [p for i, item in enumerate(structure) for p in _paths(item, path + (i,))]
    return [path]
