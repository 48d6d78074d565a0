"""EinsumDense: a dense layer written as an einsum equation (the projections inside MultiHeadAttention)."""
import functools
import re

import numpy as np

from fastkeras import activations, constraints, initializers, regularizers
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer

__all__ = ["EinsumDense"]


def _expand_ellipsis(equation, ranks):
    """``equation`` with each ``...`` replaced by capital letters, one per elided axis of its operand.

    ``ranks`` are the operands' ranks; the output's ellipsis gets the most axes any operand elides.
    """
    inputs, output = equation.split("->")
    operands = inputs.split(",")
    most = 0
    expanded = []
    for spec, rank in zip(operands, ranks):
        if "..." in spec:
            elided = rank - (len(spec) - 3)
            most = max(most, elided)
            # Right-aligned, as numpy broadcasts: the last elided axis is always "Z".
            spec = spec.replace("...", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[26 - elided:] if elided else "")
        expanded.append(spec)
    output = output.replace("...", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[26 - most:] if most else "")
    return expanded, output


def einsum(equation, x, w):
    """``einsum(equation, x, w)`` for two operands, as one (batched) matrix product.

    Labels are sorted into batch (in x, w and output), contracted (x and w only), and free (one operand and
    the output); the operands are permuted and reshaped to ``(*batch, M, K) @ (*batch, K, N)`` so that the
    work is a single GEMM, which is what einsum itself reduces to. Labels found in one operand only are
    summed out first. The label analysis is cached per equation and ranks: a call only permutes, reshapes
    and multiplies.
    """
    x_sum, w_sum, x_perm, w_perm, n_batch, groups, y_perm = _plan(equation, len(x.shape), len(w.shape))
    if x_sum:
        x = K.sum(x, axis=list(x_sum))
    if w_sum:
        w = K.sum(w, axis=list(w_sum))
    if x_perm is not None:
        x = K.permute_dimensions(x, x_perm)
    if w_perm is not None:
        w = K.permute_dimensions(w, w_perm)
    x_free, contract, w_free = groups
    x_shape, w_shape = tuple(x.shape), tuple(w.shape)
    x_free_shape = x_shape[n_batch:n_batch + x_free]
    w_free_shape = w_shape[n_batch + contract:]
    k = int(np.prod(x_shape[n_batch + x_free:]))
    x = K.reshape(x, x_shape[:n_batch] + (int(np.prod(x_free_shape)), k))
    w = K.reshape(w, w_shape[:n_batch] + (k, int(np.prod(w_free_shape))))
    y = K.matmul(x, w)
    y = K.reshape(y, tuple(y.shape[:n_batch]) + x_free_shape + w_free_shape)
    return y if y_perm is None else K.permute_dimensions(y, y_perm)


@functools.lru_cache(maxsize=256)
def _plan(equation, x_rank, w_rank):
    """(x axes to sum, w axes to sum, x permutation, w permutation, batch count, (x free, contracted, w free)
    counts, output permutation) for ``einsum``; permutations are None where they would change nothing."""
    (xs, ws), out = _expand_ellipsis(equation.replace(" ", ""), (x_rank, w_rank))
    for spec, name in ((xs, "first"), (ws, "second")):
        if len(set(spec)) != len(spec):
            raise ValueError(f"einsum equation {equation!r}: repeated labels in the {name} operand "
                             "(diagonals) are not supported.")
    x_sum = tuple(i for i, c in enumerate(xs) if c not in ws + out)
    w_sum = tuple(i for i, c in enumerate(ws) if c not in xs + out)
    xs = "".join(c for c in xs if c in ws + out)
    ws = "".join(c for c in ws if c in xs + out)
    batch = [c for c in out if c in xs and c in ws]
    contract = [c for c in xs if c in ws and c not in out]
    x_free = [c for c in out if c in xs and c not in ws]
    w_free = [c for c in out if c in ws and c not in xs]

    def perm(order):
        return None if order == sorted(order) else order
    order = batch + x_free + w_free
    return (x_sum, w_sum, perm([xs.index(c) for c in batch + x_free + contract]),
            perm([ws.index(c) for c in batch + contract + w_free]), len(batch),
            (len(x_free), len(contract), len(w_free)), perm([order.index(c) for c in out]))


_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), False),
    (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)"), True),
    (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0"), False),
)


def analyze_einsum(name, equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape) of an EinsumDense on ``input_shape``.

    The three equation forms are Keras 2's: ``ab,bc->ac``, ``...ab,bc->...ac`` and ``ab...,bc->ac...``.
    """
    dotted = equation.replace("...", "0")
    for pattern, left_elided in _FORMS:
        match = pattern.fullmatch(dotted)
        if match:
            break
    else:
        raise ValueError(f'Layer "{name}": invalid einsum equation {equation!r}. Equations must be in the form '
                         "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
    input_spec, weight_spec, output_spec = match.groups()
    input_shape = list(input_shape)
    elided = len(input_shape) - len(input_spec)
    if elided < 0 or (elided > 0 and "0" not in dotted):
        raise ValueError(f'Layer "{name}" (EinsumDense, equation {equation!r}) expects inputs of rank '
                         f"{len(input_spec)}{' or more' if '0' in dotted else ''}, but received an input of "
                         f"shape {tuple(input_shape)} (rank {len(input_shape)}).")
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        output_shape.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        input_dim = {c: i + elided - len(input_shape) for i, c in enumerate(input_spec)}
        output_dim = {c: i + elided for i, c in enumerate(output_spec)}
    else:
        input_dim = {c: i for i, c in enumerate(input_spec)}
        output_dim = {c: i for i, c in enumerate(output_spec)}
    if len(output_shape) != len(output_spec) + max(elided, 0):
        raise ValueError(f'Layer "{name}": `output_shape` {tuple(output_shape[1:])} (batch excluded) does not '
                         f"fit the output spec {output_spec!r} of equation {equation!r}.")
    for c in input_spec:
        if c in output_dim:
            want, got = output_shape[output_dim[c]], input_shape[input_dim[c]]
            if want is None:
                output_shape[output_dim[c]] = got
            elif got is not None and want != got:
                raise ValueError(f'Layer "{name}": input shape and output shape do not match at shared dimension '
                                 f"'{c}'. Input shape is {got}, and output shape is {want} "
                                 f"(input shape {tuple(input_shape)}, equation {equation!r}).")
    for c in output_spec:
        if c not in input_spec and c not in weight_spec:
            raise ValueError(f'Layer "{name}": dimension {c!r} of the output spec {output_spec!r} has no '
                             f"corresponding dimension in the input spec {input_spec!r} or the weight spec "
                             f"{weight_spec!r}.")
    kernel_shape = []
    for c in weight_spec:
        if c in input_dim:
            kernel_shape.append(input_shape[input_dim[c]])
        elif c in output_dim:
            kernel_shape.append(output_shape[output_dim[c]])
        else:
            raise ValueError(f'Layer "{name}": weight dimension {c!r} has no match in the input spec '
                             f"{input_spec!r} or the output spec {output_spec!r}; the kernel must be fully "
                             "specified.")
    if None in kernel_shape:
        raise ValueError(f'Layer "{name}": the kernel shape {tuple(kernel_shape)} of equation {equation!r} is not '
                         f"fully defined for input shape {tuple(input_shape)}; the axes the kernel shares "
                         "with the input must be known.")
    bias_shape = None
    if bias_axes is not None:
        lead = elided if left_elided else 0
        sizes = {c: output_shape[i + lead] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f'Layer "{name}": bias dimension {c!r} was requested, but is not part of the '
                                 f"output spec {output_spec!r}.")
        # The bias spans the output axes from its first one onwards, size 1 where it does not vary.
        first = min(output_spec.find(c) for c in bias_axes)
        bias_shape = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias_shape.extend([1] * max(elided, 0))
    return kernel_shape, bias_shape, output_shape


class EinsumDense(Layer):
    """A dense layer whose product is an einsum equation: ``activation(einsum(equation, x, kernel) + bias)``.

    ``output_shape`` excludes the batch axis and the elided (``...``) axes; ``None`` entries are taken from
    the input. ``bias_axes`` names the output axes the bias varies along.

    Shape: as the equation says; e.g. ``"abc,cde->abde"`` maps ``(batch, T, C)`` to ``(batch, T, D, E)``.
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.equation = equation
        self.partial_output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        kernel_shape, bias_shape, self.full_output_shape = analyze_einsum(
            self.name, self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.kernel = self.add_weight("kernel", kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight("bias", bias_shape, initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.dtype != self.kernel.dtype and self._mixed_policy is None:
            inputs = K.cast(inputs, K.dtype(self.kernel))
        outputs = einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        return activations.apply_to_own_output(self.activation, outputs)

    def compute_output_shape(self, input_shape):
        # Recomputed for each input shape (not the one seen at build): the batch size may differ.
        return tuple(analyze_einsum(self.name, self.equation, self.bias_axes, input_shape,
                                    self.partial_output_shape)[2])

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return config
