"""Nested structures of lists, tuples and dicts: flatten, pack, map, for the engine's own use.

These follow Keras 2's ``tf.nest`` (dicts of any kind in sorted key order, subclasses of list and tuple walked
into) and stay minimal: they run on every batch. The public ``keras.tree`` (Keras 3's rules) is
``fastkeras/tree.py``.
"""


def is_nested(x):
    return isinstance(x, (list, tuple, dict))


def flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for item in x:
            out.extend(flatten(item))
        return out
    if isinstance(x, dict):
        out = []
        for key in sorted(x):
            out.extend(flatten(x[key]))
        return out
    return [x]


def map_structure(fn, x):
    if isinstance(x, list):
        return [map_structure(fn, item) for item in x]
    if isinstance(x, tuple):
        return tuple(map_structure(fn, item) for item in x)
    if isinstance(x, dict):
        return {key: map_structure(fn, value) for key, value in x.items()}
    return fn(x)


def pack_sequence_as(structure, flat):
    """Rebuilds ``structure`` with the leaves taken in order from ``flat``."""
    # A module-level helper rather than a recursive closure: a closure that calls itself is a reference cycle,
    # and this one would hold the step's tensors until the cyclic garbage collector happened to run.
    return _pack(structure, iter(flat))


def _pack(s, leaves):
    if isinstance(s, list):
        return [_pack(i, leaves) for i in s]
    if isinstance(s, tuple):
        return tuple(_pack(i, leaves) for i in s)
    if isinstance(s, dict):
        # Leaves are taken in sorted key order, and the dict comes back in the structure's own key order (tf.nest).
        packed = {k: _pack(s[k], leaves) for k in sorted(s)}
        return {k: packed[k] for k in s}
    return next(leaves)


def unnest_single(x):
    """[t] -> t; anything else unchanged."""
    if isinstance(x, (list, tuple)) and len(x) == 1:
        return x[0]
    return x
