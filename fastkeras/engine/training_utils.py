"""Keras 2's ``keras.engine.training_utils``: the checks and helpers Keras 2's training loop was built from, for
code that calls them directly (tf-keras keeps them in ``training_utils_v1``)."""
import numpy as np

from fastkeras import backend as K
from fastkeras.utils.generic_utils import make_batches, slice_arrays  # noqa: F401 (Keras 2 imported them here)


def _lengths(arrays):
    """The sample counts of an array or a list of arrays; Keras 2 counts a missing array (None) as 0 samples."""
    if arrays is None:
        return {0}
    if not isinstance(arrays, (list, tuple)):
        arrays = [arrays]
    return {0 if a is None else int(a.shape[0]) for a in arrays}


def check_array_length_consistency(inputs, targets, weights=None):
    """Raises ValueError unless the input, target and sample-weight arrays (an array or a list each) all have the
    same number of samples; a missing array (None) has none, as in Keras 2."""
    set_x, set_y, set_w = _lengths(inputs), _lengths(targets), _lengths(weights)
    if len(set_x) > 1:
        raise ValueError("All input arrays (x) should have the same number of samples. Got array shapes: "
                         f"{[x.shape for x in inputs]}")
    if len(set_y) > 1:
        raise ValueError("All target arrays (y) should have the same number of samples. Got array shapes: "
                         f"{[y.shape for y in targets]}")
    if set_x != set_y:
        raise ValueError(f"Input arrays should have the same number of samples as target arrays. Found "
                         f"{set_x.pop()} input samples and {set_y.pop()} target samples.")
    if len(set_w) > 1:
        raise ValueError("All sample_weight arrays should have the same number of samples. Got array shapes: "
                         f"{[w.shape for w in weights]}")
    if set_y != set_w:
        raise ValueError(f"Sample_weight arrays should have the same number of samples as target arrays. Got "
                         f"{set_y.pop()} target samples and {set_w.pop()} sample_weight samples.")


def _loss_function_name(loss):
    fn = getattr(loss, "fn", loss)
    return getattr(loss, "_fn_name", None) or getattr(fn, "__name__", None) or getattr(loss, "name", None)


def check_loss_and_target_compatibility(targets, loss_fns, output_shapes):
    """Raises ValueError for targets their loss cannot use: ``categorical_crossentropy`` on targets whose last
    axis is 1 (integer classes), and ``mean_squared_error``/``binary_crossentropy``/``categorical_crossentropy``
    on targets of another shape than the output's."""
    same_shape_losses = ("mean_squared_error", "binary_crossentropy", "categorical_crossentropy")
    for y, loss, shape in zip(targets, loss_fns, output_shapes):
        if y is None or loss is None or K.is_tensor(y):
            continue
        name = _loss_function_name(loss)
        if name == "categorical_crossentropy" and y.shape[-1] == 1:
            raise ValueError(
                f"You are passing a target array of shape {y.shape} while using as loss `categorical_crossentropy`. "
                "`categorical_crossentropy` expects targets to be binary matrices (1s and 0s) of shape (samples, "
                "classes). If your targets are integer classes, you can convert them to the expected format via:\n"
                "```\nfrom keras.utils import to_categorical\ny_binary = to_categorical(y_int)\n```\n\n"
                "Alternatively, you can use the loss function `sparse_categorical_crossentropy` instead, which does "
                "expect integer targets.")
        if name in same_shape_losses:
            for target_dim, out_dim in zip(y.shape[1:], shape[1:]):
                if out_dim is not None and target_dim != out_dim:
                    raise ValueError(f"A target array with shape {y.shape} was passed for an output of shape {shape} "
                                     f"while using as loss `{name}`. This loss expects targets to have the same "
                                     "shape as the output.")


def weighted_masked_objective(fn):
    """``fn(y_true, y_pred)`` as Keras 2's ``weighted(y_true, y_pred, weights, mask=None)``: the mean score, masked
    entries zeroed and the rest scaled by the mask's mean, then weighted per sample and divided by the fraction of
    non-zero weights."""
    if fn is None:
        return None

    def weighted(y_true, y_pred, weights, mask=None):
        score_array = fn(y_true, y_pred)
        if mask is not None:
            mask = K.cast(mask, K.floatx())
            score_array = score_array * mask
            score_array = score_array / K.mean(mask)
        if weights is not None:
            ndim, weight_ndim = K.ndim(score_array), K.ndim(weights)
            score_array = K.mean(score_array, axis=list(range(weight_ndim, ndim)))
            score_array = score_array * weights
            score_array = score_array / K.mean(K.cast(K.not_equal(weights, 0), K.floatx()))
        return K.mean(score_array)
    return weighted


def batch_shuffle(index_array, batch_size):
    """``index_array`` shuffled by whole batches (the last, shorter batch stays last), as Keras 2's
    ``shuffle='batch'`` reads HDF5 data."""
    batch_count = int(len(index_array) / batch_size)
    last_batch = index_array[batch_count * batch_size:]
    index_array = index_array[:batch_count * batch_size].reshape((batch_count, batch_size))
    np.random.shuffle(index_array)
    return np.append(index_array.flatten(), last_batch)


__all__ = ["batch_shuffle", "check_array_length_consistency",
           "check_loss_and_target_compatibility", "make_batches", "slice_arrays", "weighted_masked_objective"]
