"""The plan behind ``keras.ops.rearrange`` (einops' notation): from a pattern such as ``'b (h w) c -> b h w c'``
and an input shape, the three steps that carry it out, engine-independent: a reshape into the elementary axes,
a permutation of them, a reshape into the output's groups.

The notation: names are axes; ``(h w)`` is one axis made of several; ``1`` or ``()`` is an axis of length 1;
``...`` stands for any number of axes (on the output also inside parentheses, to merge them). Every name on one
side appears on the other; a group of the input may hold one name of unknown length, the others given as
keyword arguments (``h=2``).
"""
import math
import re

__all__ = ["RearrangePlan", "plan_rearrange"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ELLIPSIS = "..."


class RearrangePlan:
    """``elementary_shape`` (the input reshaped into single axes), ``permutation`` (their output order) and
    ``output_shape``."""

    def __init__(self, elementary_shape, permutation, output_shape):
        self.elementary_shape = elementary_shape
        self.permutation = permutation
        self.output_shape = output_shape


def _parse_side(text, side, pattern):
    """A side of the pattern as a list of groups, each a list of names; unit axes are empty groups. A ``...`` of
    its own is the string ``'...'`` (any number of axes, each its own group); inside parentheses it is a name of
    the group (those axes merged)."""
    groups, current = [], None
    for token in re.findall(r"\.\.\.|\(|\)|[^\s()]+", text):
        if token == "(":
            if current is not None:
                raise ValueError(f"Nested parentheses in the {side} of rearrange pattern {pattern!r}.")
            current = []
        elif token == ")":
            if current is None:
                raise ValueError(f"Unbalanced ')' in the {side} of rearrange pattern {pattern!r}.")
            groups.append(current)
            current = None
        elif token == "1":
            if current is None:
                groups.append([])  # a unit axis of its own; inside a group it only multiplies by 1
        elif token == _ELLIPSIS or _NAME.match(token):
            if current is not None:
                current.append(token)
            else:
                groups.append(token if token == _ELLIPSIS else [token])
        elif token.isdigit():
            raise ValueError(f"Axis of length {token} in rearrange pattern {pattern!r}: only 1 can be written as a "
                             "number; name the axis and give its length as a keyword argument.")
        else:
            raise ValueError(f"Invalid axis name {token!r} in rearrange pattern {pattern!r}: expected names such as "
                             "'b' or 'h1', '...', '1', or parentheses.")
    if current is not None:
        raise ValueError(f"Unbalanced '(' in the {side} of rearrange pattern {pattern!r}.")
    names = [name for group in groups for name in _members(group)]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"Axis {repeated[0]!r} appears more than once in the {side} of rearrange pattern "
                         f"{pattern!r}.")
    return groups


def _members(group):
    return [group] if group == _ELLIPSIS else group


def plan_rearrange(pattern, shape, axes_lengths):
    """The plan for ``rearrange(x, pattern, **axes_lengths)`` on an input of ``shape`` (a tuple of ints)."""
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        raise ValueError(f"A rearrange pattern is 'input axes -> output axes', such as 'b h w -> b (h w)'. "
                         f"Received: pattern={pattern!r}")
    left_text, right_text = pattern.split("->")
    left = _parse_side(left_text, "input side", pattern)
    right = _parse_side(right_text, "output side", pattern)
    left_names = {n for g in left for n in _members(g)}
    right_names = {n for g in right for n in _members(g)}
    if left_names != right_names:
        only_left, only_right = sorted(left_names - right_names), sorted(right_names - left_names)
        raise ValueError(f"Rearrange pattern {pattern!r} must name the same axes on both sides: "
                         + (f"{only_left} only in the input" if only_left else "")
                         + ("; " if only_left and only_right else "")
                         + (f"{only_right} only in the output" if only_right else "") + ".")
    unknown = sorted(set(axes_lengths) - left_names)
    if unknown:
        raise ValueError(f"rearrange() got lengths for axes {unknown}, which pattern {pattern!r} does not name.")
    if any(g != _ELLIPSIS and _ELLIPSIS in g for g in left):
        raise ValueError(f"'...' cannot be inside parentheses on the input side of rearrange pattern {pattern!r}.")

    shape = tuple(shape)
    has_ellipsis = _ELLIPSIS in left
    fixed = len(left) - has_ellipsis
    if len(shape) < fixed or (not has_ellipsis and len(shape) != fixed):
        raise ValueError(f"Rearrange pattern {pattern!r} expects an input of {fixed}"
                         f"{' or more' if has_ellipsis else ''} dimensions; received shape {shape}.")
    ellipsis_axes = [f"...{i}" for i in range(len(shape) - fixed)]

    sizes, elementary = {}, []  # axis name -> length; names in input order
    dims = iter(shape)
    for group in left:
        if group == _ELLIPSIS:
            for name in ellipsis_axes:
                sizes[name] = next(dims)
                elementary.append(name)
            continue
        _solve_group(group, next(dims), axes_lengths, sizes, pattern)
        elementary.extend(group)

    order = []
    output_shape = []
    for group in right:
        if group == _ELLIPSIS:  # the axes it stands for, each its own output axis
            order.extend(ellipsis_axes)
            output_shape.extend(sizes[m] for m in ellipsis_axes)
            continue
        members = [m for name in group for m in (ellipsis_axes if name == _ELLIPSIS else [name])]
        order.extend(members)
        output_shape.append(math.prod(sizes[m] for m in members))
    permutation = tuple(elementary.index(name) for name in order)
    return RearrangePlan(tuple(sizes[name] for name in elementary), permutation, tuple(output_shape))


def _solve_group(group, length, axes_lengths, sizes, pattern):
    """The lengths of the names of one input group whose axis is ``length`` long."""
    known = {n: int(axes_lengths[n]) for n in group if n in axes_lengths}
    for name, value in known.items():
        if value <= 0:
            raise ValueError(f"Axis {name!r} must have a positive length, received {name}={value}.")
    missing = [n for n in group if n not in known]
    if not group:
        if length != 1:
            raise ValueError(f"Rearrange pattern {pattern!r} has a unit axis ('1' or '()') where the input's axis "
                             f"is {length} long.")
        return
    if len(missing) > 1:
        raise ValueError(f"Rearrange pattern {pattern!r} cannot split an axis of length {length} into {group}: "
                         f"give the lengths of all but one of them (such as {missing[0]}=...).")
    product = math.prod(known.values())
    if missing:
        if length % product:
            raise ValueError(f"Rearrange pattern {pattern!r} cannot split an axis of length {length} into {group} "
                             f"with {known}: {length} is not a multiple of {product}.")
        known[missing[0]] = length // product
    elif product != length:
        raise ValueError(f"Rearrange pattern {pattern!r}: axis {'(' + ' '.join(group) + ')'} is {length} long, "
                         f"but the lengths given ({known}) make {product}.")
    sizes.update(known)
