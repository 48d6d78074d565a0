"""The optimizer's state in a ``.keras`` archive, in the layout Keras 3 reads.

Keras 3 loads an optimizer's variables only when the file holds exactly as many as its own optimizer has
("Skipping variable loading for optimizer ..." otherwise), so fastkeras writes Keras 3's list, which differs
from ``optimizer.variables()`` (tf-keras' list, which ``.h5`` files keep):

- the learning rate is the second variable, unless it is a schedule;
- ``SGD`` without momentum keeps no slots (tf-keras keeps momentums, which then only hold the last step);
- ``Nadam`` keeps the momentum schedule's running product last (fastkeras derives it from ``iterations``);
- ``Adafactor`` keeps two int placeholders (0) where a variable of rank < 2 has no factored ``r``/``c``;
- ``LossScaleOptimizer`` keeps its own iteration (0), learning rate (0.0), ``step_counter`` and
  ``dynamic_scale`` followed by its inner optimizer's list in ``optimizer/vars``, and the inner optimizer's
  list again in ``optimizer/inner_optimizer/vars``.

Otherwise Keras 3 creates slots in tf-keras' order (EMA averages first, then the slots). Files from tf-keras
(``optimizer.variables()`` as they are) and from earlier fastkeras releases are still read by
``training_config.restore_optimizer_state``'s rules.
"""
import numpy as np

from fastkeras import backend as K
from fastkeras.saving.errors import FileFormatError, in_file

LEARNING_RATE, U_PRODUCT, PLACEHOLDER = "learning_rate", "u_product", "placeholder"


def _is_loss_scale(optimizer):
    from fastkeras.mixed_precision import LossScaleOptimizer
    return isinstance(optimizer, LossScaleOptimizer)


def _float_learning_rate(optimizer):
    learning_rate = optimizer.get_config().get("learning_rate")
    if isinstance(learning_rate, (int, float)) and not isinstance(learning_rate, bool):
        return float(learning_rate)
    return None


def layout(optimizer):
    """Keras 3's variable list for ``optimizer`` (not a LossScaleOptimizer): each entry the index of one of
    ``optimizer.variables()``, or LEARNING_RATE, U_PRODUCT or PLACEHOLDER for what only Keras 3 keeps."""
    from fastkeras.optimizers import SGD, Adafactor, Nadam
    n = len(optimizer.variables())
    order = [0] + ([LEARNING_RATE] if _float_learning_rate(optimizer) is not None else [])
    first_slot = 1 + len(getattr(optimizer, "_averages", None) or [])
    order += list(range(1, first_slot))  # EMA averages
    if isinstance(optimizer, SGD) and not optimizer.momentum:
        return order
    if isinstance(optimizer, Adafactor):
        # variables() holds r, c (rank >= 2 only) and v per variable, in that order.
        index = first_slot
        for r in optimizer._slots.get("r", []):
            if r is None:
                order += [PLACEHOLDER, PLACEHOLDER, index]
                index += 1
            else:
                order += [index, index + 1, index + 2]
                index += 3
        return order + list(range(index, n))
    order += list(range(first_slot, n))
    if isinstance(optimizer, Nadam):
        order.append(U_PRODUCT)
    return order


def _values(optimizer):
    """Keras 3's list of arrays for ``optimizer`` (not a LossScaleOptimizer)."""
    values = optimizer.get_weights()
    out = []
    for source in layout(optimizer):
        if source == LEARNING_RATE:
            out.append(np.asarray(_float_learning_rate(optimizer), dtype="float32"))
        elif source == U_PRODUCT:
            iterations = int(np.asarray(values[0]))
            out.append(np.asarray(optimizer._u_product_at(iterations), dtype="float32"))
        elif source == PLACEHOLDER:
            out.append(np.asarray(0, dtype="int32"))
        else:
            out.append(np.asarray(values[source]))
    return out


def groups(optimizer):
    """{h5 group under ``optimizer/``: [arrays]} as Keras 3 writes the state; None for an unbuilt optimizer."""
    if optimizer is None or not getattr(optimizer, "_built", False) or not optimizer.variables():
        return None
    if not _is_loss_scale(optimizer):
        return {"vars": _values(optimizer)}
    inner = _values(optimizer.inner_optimizer)
    iteration_dtype = inner[0].dtype
    own = [np.asarray(0, dtype=iteration_dtype), np.asarray(0.0, dtype="float32"),
           np.asarray(K.get_value(optimizer._counter), dtype="int32"),
           np.asarray(K.get_value(optimizer._scale), dtype="float32")]
    return {"vars": own + inner, "inner_optimizer/vars": inner}


def _from_keras3(optimizer, values):
    """The arrays for ``optimizer.variables()`` (and the learning rate, or None) from Keras 3's list, or None
    when ``values`` is not that list for this optimizer."""
    order = layout(optimizer)
    variables = list(optimizer.variables())
    if len(values) != len(order):
        return None
    out = [None] * len(variables)
    learning_rate = None
    for source, value in zip(order, values):
        if source == LEARNING_RATE:
            if value.shape != () or value.dtype.kind != "f":
                return None
            learning_rate = float(value)
        elif source == U_PRODUCT or source == PLACEHOLDER:
            if value.shape != ():
                return None
        else:
            if tuple(value.shape) != tuple(variables[source].shape):
                return None
            out[source] = value
    # Slots Keras 3 does not keep (SGD's momentums without momentum) only ever hold the last step: zeros.
    out = [np.zeros(tuple(v.shape), dtype="float32") if value is None else value
           for v, value in zip(variables, out)]
    return out, learning_rate


def restore(model, stored, label):
    """Loads ``stored`` ({group under ``optimizer/``: [arrays]}) into the model's optimizer, built on its
    trainable weights: Keras 3's layout, else the rules of ``training_config.restore_optimizer_state`` (files of
    tf-keras and of earlier fastkeras releases). Returns whether the state was loaded."""
    from fastkeras.saving import training_config
    optimizer = model.optimizer
    optimizer.build(model.trainable_weights)
    values = [np.asarray(v) for v in stored.get("vars", [])]
    target = optimizer.inner_optimizer if _is_loss_scale(optimizer) else optimizer
    inner = stored.get("inner_optimizer/vars")
    if inner is not None and len(values) == 4 + len(inner) and all(np.shape(v) == () for v in values[:4]):
        # A LossScaleOptimizer's state. Keras 3 compiles the model of a mixed_float16 file it wrote with the inner
        # optimizer alone (and then skips the state); fastkeras gives that optimizer the inner state.
        if target is not optimizer:
            counter, scale = values[2], values[3]
            # The file's numbers: int() of an infinite or NaN counter, or of one past int64, raises Python's own
            # errors (OverflowError, ValueError, RuntimeError), which would reach the caller without the file's name.
            if not (counter.dtype.kind in "biuf" and np.isfinite(counter) and 0 <= counter < 2 ** 62
                    and scale.dtype.kind in "biuf" and np.isfinite(scale) and scale > 0):
                raise in_file(FileFormatError, label, "the LossScaleOptimizer state in optimizer/vars holds "
                              f"step_counter {counter!r} and dynamic_scale {scale!r}; expected a non-negative "
                              "integer count and a positive finite scale.")
            K.optimizer_scalar_assign(optimizer._counter, int(counter))
            K.optimizer_scalar_assign(optimizer._scale, float(scale))
        values = [np.asarray(v) for v in inner]
    found = _from_keras3(target, values)
    if found is None:
        return training_config.restore_optimizer_state(model, values, label)
    arrays, learning_rate = found
    target.set_weights(arrays)
    if learning_rate is not None:
        target.learning_rate = learning_rate
    return True
