"""Keras 3's ``keras.tree``: flatten, rebuild and map nested structures.

The nodes of a structure are exactly the containers Keras 3 (optree) knows: ``list``, ``tuple``, namedtuples,
``dict``, ``OrderedDict``, ``defaultdict`` and ``deque``; everything else, ``None`` included, is a leaf, even a
subclass of ``list`` or ``dict``. A ``dict`` (or ``defaultdict``) is read in sorted key order, an ``OrderedDict``
in its own order, and a rebuilt dict keeps the key order of the structure it was rebuilt from.

``fastkeras.engine.tree`` keeps the engine's own helpers, which follow Keras 2's ``tf.nest`` instead (an
``OrderedDict`` sorted like any dict, subclasses of list and tuple walked into): model inputs given as an
``OrderedDict`` must line up as tf-keras lines them up, so the two sets of rules cannot share one walker.
"""
import collections
import warnings

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten", "flatten_with_path",
           "is_nested", "lists_to_tuples", "map_shape_structure", "map_structure", "map_structure_up_to",
           "pack_sequence_as", "traverse"]


class MAP_TO_NONE:  # noqa: N801 - Keras 3's name
    """What a ``traverse`` function returns to replace a sub-structure by ``None`` (returning ``None`` itself
    means "leave it")."""


_DICTS = (dict, collections.OrderedDict, collections.defaultdict)


def _is_namedtuple(x):
    return isinstance(x, tuple) and type(x) is not tuple and hasattr(type(x), "_fields")


def _kind(x):
    """What must match for two nodes to have the same structure (None for a leaf). The three dict types match
    one another: their children are compared by key."""
    t = type(x)
    if t in _DICTS:
        return dict
    if t in (list, tuple, collections.deque) or _is_namedtuple(x):
        return t
    if getattr(t, "_tracks_layers", False):  # a layer's list attribute (base_layer._TrackedList): a list
        return list
    return None


def is_nested(structure):
    """True for a list, tuple, namedtuple, dict, OrderedDict, defaultdict or deque; False for anything else."""
    return _kind(structure) is not None


def _keys(node):
    """The keys of a node's children in flattening order."""
    if type(node) in _DICTS:
        if type(node) is collections.OrderedDict:
            return list(node)
        try:
            return sorted(node)
        except TypeError:  # keys that do not compare (1 and 'a'): their insertion order, as optree falls back to
            return list(node)
    return range(len(node))


def _children(node):
    if type(node) in _DICTS:
        return [node[k] for k in _keys(node)]
    return list(node)


def _rebuild(node, children):
    """A node of ``node``'s type holding ``children`` (given in flattening order)."""
    t = type(node)
    if t in _DICTS:
        by_key = dict(zip(_keys(node), children))
        items = [(k, by_key[k]) for k in node]  # the structure's own key order
        if t is collections.defaultdict:
            return collections.defaultdict(node.default_factory, items)
        return t(items)
    if t is collections.deque:
        return collections.deque(children, maxlen=node.maxlen)
    if _is_namedtuple(node):
        return t(*children)
    if getattr(t, "_tracks_layers", False):
        return list(children)
    return t(children)


def _type_name(kind):
    if kind is None:
        return "a leaf"
    if kind is dict:
        return "a dict"
    return f"a {kind.__module__ + '.' if kind.__module__ != 'builtins' else ''}{kind.__qualname__}"


def _check_same_node(expected, received):
    """Raises a ValueError unless ``received`` is a node that ``expected``'s children can be matched with."""
    kind, other = _kind(expected), _kind(received)
    if kind != other:
        raise ValueError(f"The structures don't have the same nested structure: expected {_type_name(kind)}, "
                         f"received {_type_name(other)}: {received!r}.")
    if kind is dict:
        if set(expected) != set(received):
            missing, extra = set(expected) - set(received), set(received) - set(expected)
            raise ValueError("The structures don't have the same nested structure: dict keys differ "
                             f"(missing: {sorted(missing, key=repr)}, unexpected: {sorted(extra, key=repr)}) "
                             f"in {received!r}.")
    elif len(expected) != len(received):
        raise ValueError(f"The structures don't have the same nested structure: expected {len(expected)} items, "
                         f"received {len(received)}: {received!r}.")


def _matched_children(node, other):
    """``other``'s children in the order of ``node``'s (dicts are matched by key)."""
    if type(node) in _DICTS:
        return [other[k] for k in _keys(node)]
    return list(other)


def flatten(structure):
    """The leaves of ``structure``, depth first, as a list (``flatten(None) == [None]``, ``flatten(1) == [1]``)."""
    leaves = []
    _flatten_into(structure, leaves)
    return leaves


def _flatten_into(structure, leaves):
    if _kind(structure) is None:
        leaves.append(structure)
        return
    for child in _children(structure):
        _flatten_into(child, leaves)


def flatten_with_path(structure):
    """``[(path, leaf), ...]``: each leaf with the tuple of keys and indices that leads to it."""
    pairs = []
    _flatten_with_path_into(structure, (), pairs)
    return pairs


def _flatten_with_path_into(structure, path, pairs):
    if _kind(structure) is None:
        pairs.append((path, structure))
        return
    for key, child in zip(_keys(structure), _children(structure)):
        _flatten_with_path_into(child, path + (key,), pairs)


def pack_sequence_as(structure, flat_sequence):
    """``structure`` rebuilt with its leaves replaced, in order, by the items of ``flat_sequence``."""
    try:
        flat = list(flat_sequence)
    except TypeError:
        raise TypeError(f"pack_sequence_as() expects `flat_sequence` to be a sequence of leaves, received "
                        f"{type(flat_sequence).__name__}: {flat_sequence!r}.") from None
    expected = len(flatten(structure))
    if len(flat) != expected:
        raise ValueError(f"pack_sequence_as(): the structure has {expected} leaves but `flat_sequence` has "
                         f"{len(flat)} items. Structure: {structure!r}.")
    return _pack(structure, iter(flat))


def _pack(structure, leaves):
    if _kind(structure) is None:
        return next(leaves)
    return _rebuild(structure, [_pack(child, leaves) for child in _children(structure)])


def map_structure(func, *structures, none_is_leaf=True):
    """``func`` applied to the leaves of ``structures`` (all of one structure), rebuilt as the first one.

    With ``none_is_leaf=False``, a ``None`` is left as it is instead of being passed to ``func`` (every
    structure must then hold ``None`` at that place).
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    return _map(func, structures, none_is_leaf)


def _map(func, values, none_is_leaf):
    first = values[0]
    if first is None and not none_is_leaf:
        if any(v is not None for v in values[1:]):
            raise ValueError("The structures don't have the same nested structure: expected None (kept as it "
                             f"is with none_is_leaf=False), received {values!r}.")
        return None
    if _kind(first) is None:
        for other in values[1:]:
            if _kind(other) is not None:
                raise ValueError("The structures don't have the same nested structure: expected a leaf, received "
                                 f"{_type_name(_kind(other))}: {other!r}.")
        return func(*values)
    for other in values[1:]:
        _check_same_node(first, other)
    columns = [_children(first)] + [_matched_children(first, other) for other in values[1:]]
    return _rebuild(first, [_map(func, column, none_is_leaf) for column in zip(*columns)])


def map_structure_up_to(shallow_structure, func, *structures):
    """Like ``map_structure`` but only down to the leaves of ``shallow_structure``: ``func`` receives whatever
    each of ``structures`` holds there (a leaf or a whole sub-structure)."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    return _map_up_to(shallow_structure, structures, func)


def _map_up_to(shallow, values, func):
    if _kind(shallow) is None:
        return func(*values)
    for other in values:
        _check_same_node(shallow, other)
    columns = [_matched_children(shallow, other) for other in values]
    return _rebuild(shallow, [_map_up_to(child, column, func)
                              for child, column in zip(_children(shallow), zip(*columns))])


def assert_same_structure(a, b, check_types=None):
    """Raises a ValueError unless ``a`` and ``b`` have the same nodes (types, lengths, dict keys) in the same
    places. ``check_types`` is accepted for old code and ignored, as in Keras 3 (node types always count; use
    ``assert_same_paths`` for a check that lets a list match a tuple)."""
    if check_types is not None:
        warnings.warn("The `check_types` argument is deprecated and has no effect: node types are always "
                      "compared. Use keras.tree.assert_same_paths() for a check that only compares paths.",
                      DeprecationWarning, stacklevel=2)
    _map(lambda *_: None, (a, b), True)


def assert_same_paths(a, b):
    """Raises a ValueError unless ``a`` and ``b`` have leaves at the same paths (a list may match a tuple)."""
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        message = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(message)


def traverse(func, structure, top_down=True):
    """Walks ``structure`` depth first, calling ``func`` on every sub-structure and leaf, and returns it with
    ``func``'s replacements.

    Top down, a parent is seen before its children; a non-None result replaces it and its children are not
    visited. Bottom up, children come first and ``func`` sees the parent rebuilt from them; a non-None result
    replaces it. Return ``MAP_TO_NONE`` to replace something by ``None``.
    """
    if not callable(func):
        raise TypeError(f"traverse() expects `func` to be callable, received {type(func).__name__}: {func!r}.")
    return _traverse(func, structure, top_down)


def _traverse(func, structure, top_down):
    if top_down:
        result = func(structure)
        if result is None:
            return _traverse_children(func, structure, top_down)
    else:
        structure = _traverse_children(func, structure, top_down)
        result = func(structure)
        if result is None:
            return structure
    return None if result is MAP_TO_NONE else result


def _traverse_children(func, structure, top_down):
    if _kind(structure) is None:
        return structure
    return _rebuild(structure, [_traverse(func, child, top_down) for child in _children(structure)])


def lists_to_tuples(structure):
    """``structure`` with every list, at any depth, turned into a tuple."""
    return _traverse(lambda x: tuple(x) if type(x) is list else None, structure, top_down=False)


def map_shape_structure(func, structure):
    """``func`` applied to every shape in ``structure``: a list or tuple of ints and Nones is a shape (a leaf),
    not a node."""
    if _is_shape(structure) or _kind(structure) is None:
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, child) for child in _children(structure)])


def _is_shape(x):
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x)
