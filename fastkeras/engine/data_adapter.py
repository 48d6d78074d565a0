"""Turning what users pass to fit/evaluate/predict into lists of arrays in model order.

Everything here checks before anything trains: the number of arrays, dict keys,
sample counts and shapes, with messages that name the input or output and
give both shapes.
"""
import collections.abc
import warnings

import numpy as np

from fastkeras import backend as K
from fastkeras.engine import io_structure
from fastkeras.utils.hdf5_matrix import HDF5Matrix


def is_tensor_like(x):
    return isinstance(x, np.ndarray) or K.is_tensor(x) or (hasattr(x, "shape") and hasattr(x, "__getitem__"))


def is_scipy_sparse(x):
    """A scipy.sparse matrix or array (Keras 2 fed them to dense inputs, densified batch by batch)."""
    return type(x).__module__.startswith("scipy.sparse") and hasattr(x, "toarray")


def reads_rows_lazily(x):
    """An array that stays where it is and is read one batch of rows at a time: a scipy sparse matrix (densified
    per batch, as Keras 2 fed them) or an ``HDF5Matrix`` (rows read from its file)."""
    return is_scipy_sparse(x) or isinstance(x, HDF5Matrix)


def read_rows(x, rows):
    """Rows ``rows`` (a slice or an index array) of a ``reads_rows_lazily`` array, as a NumPy array."""
    batch = x[rows]
    return batch.toarray() if is_scipy_sparse(x) else np.asarray(batch)


def _is_pandas(x):
    """A pandas DataFrame or Series: data, as tf-keras reads them (their values), not an iterable of batches."""
    return type(x).__module__.startswith("pandas") and hasattr(x, "to_numpy")


def is_iterator_input(x):
    """Generators, Keras Sequences and torch DataLoaders: anything yielding batches."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict)) or K.is_tensor(x) or reads_rows_lazily(x) \
            or _is_pandas(x):
        return False
    return isinstance(x, collections.abc.Iterator) or hasattr(x, "__getitem__") and hasattr(x, "__len__") \
        or isinstance(x, collections.abc.Iterable)


def _as_array(x, what):
    if K.is_tensor(x) or reads_rows_lazily(x):  # a sparse matrix or HDF5Matrix is read batch by batch
        return x
    if _is_pandas(x):
        x = x.to_numpy()
    if isinstance(x, np.ndarray):
        if x.dtype == object:
            raise ValueError(f"Failed to convert {what} to a tensor: it is a numpy array of Python objects "
                             f"(shape {x.shape}). Pass numeric arrays of one shape.")
        _refuse_text(x, what)
        return x
    try:
        arr = np.asarray(x)
    except ValueError as e:
        raise ValueError(f"Failed to convert {what} to a numpy array: {e}") from None
    if arr.dtype == object:
        raise ValueError(f"Failed to convert {what} to a numpy array: its elements have different shapes or types.")
    _refuse_text(arr, what)
    return arr


def _refuse_text(arr, what):
    # torch has no string tensors, so text cannot reach a model (there is no Input(dtype='string') either).
    if arr.dtype.kind in "USa":
        raise ValueError(f"Failed to convert {what} to a tensor: it holds strings (numpy dtype {arr.dtype}, shape "
                         f"{arr.shape}), and fastkeras models take numbers. Turn the text into numbers before the "
                         "model, e.g. with a TextVectorization or StringLookup layer applied to the raw strings.")


def standardize(data, names, kind, model_name, broadcast=False, structure=None):
    """``data`` (array, list, tuple or dict) as a list aligned with ``names``; None stays None.

    With ``broadcast``, one array given to several names serves them all, as tf-keras does with targets (a
    model compiled with ``loss=[fn, None]`` trains its first output on the one ``y``). ``structure``: the
    model's nested inputs or outputs (``io_structure.structure_of``); data shaped like it is taken by its keys.
    """
    if data is None:
        return None
    if structure is not None:
        flat = io_structure.flatten_data(structure, data, kind)
        if flat is not None and len(flat) == len(names):
            return [None if d is None and kind != "input" else _as_array(d, f'{kind} "{n}"')
                    for d, n in zip(flat, names)]
    if isinstance(data, dict):
        unknown = [k for k in data if k not in names]
        missing = [n for n in names if n not in data]
        if kind in ("sample_weight", "target") and not unknown:
            # As tf-keras: an output left out is not weighted, and one without a target adds no loss and
            # updates no metric (keras.io's guide trains ``loss={"class_output": ...}`` on that key alone).
            return [None if data.get(n) is None else _as_array(data[n], f'{kind} "{n}"') for n in names]
        if unknown and not missing and kind == "input":
            # As tf-keras: a model takes the inputs it names from a dict and leaves the others (Keras 2's OCR
            # example yields the source strings beside the images, for its callbacks).
            warnings.warn(f"Input dict contained keys {unknown} which did not match any model input. They will "
                          "be ignored by the model.", stacklevel=2)
            unknown = []
        if missing or unknown:
            problem = f'Missing data for {kind} "{missing[0]}"' if missing else f'Unknown {kind} key "{unknown[0]}"'
            raise ValueError(f"{problem} of model \"{model_name}\". You passed a data dictionary with keys "
                             f"{sorted(data)}. Expected the following keys: {list(names)}")
        return [None if data[n] is None and kind != "input" else _as_array(data[n], f'{kind} "{n}"')
                for n in names]
    if isinstance(data, (list, tuple)):
        if len(names) == 1 and not (len(data) == 1 and is_tensor_like(data[0])):
            if data and all(is_tensor_like(d) for d in data) and len(data) != 1:
                raise ValueError(f'Model "{model_name}" expects 1 {kind} array, but it received {len(data)} arrays '
                                 f"(a list of {len(data)} arrays). Pass a single array for {kind} \"{names[0]}\".")
            return [_as_array(data, f'{kind} "{names[0]}"')]
        if len(data) != len(names):
            raise ValueError(f'Model "{model_name}" expects {len(names)} {kind} array(s) ({list(names)}), but it '
                             f"received {len(data)}.")
        # A target or sample weight may be None for an output that has none (Keras 2's [None, weights]).
        return [None if d is None and kind != "input" else _as_array(d, f'{kind} "{n}"')
                for d, n in zip(data, names)]
    if len(names) != 1 and broadcast:
        return [_as_array(data, f"{kind}")] * len(names)
    if len(names) != 1:
        raise ValueError(f'Model "{model_name}" expects {len(names)} {kind} arrays ({list(names)}), but it received '
                         "a single array. Pass a list or a dict keyed by name.")
    return [_as_array(data, f'{kind} "{names[0]}"')]


def check_cardinality(x, y, sample_weights):
    sizes = {"x": [int(a.shape[0]) for a in x]}
    if y is not None:
        sizes["y"] = [int(a.shape[0]) for a in y if a is not None]
    if sample_weights is not None:
        sizes["sample_weight"] = [int(a.shape[0]) for a in sample_weights if a is not None]
    all_sizes = {s for values in sizes.values() for s in values}
    if len(all_sizes) > 1:
        details = " ".join(f"{k} sizes: {', '.join(map(str, v))}" for k, v in sizes.items() if v)
        raise ValueError(f"Data cardinality is ambiguous: {details}. Make sure all arrays contain the same number "
                         "of samples.")
    return all_sizes.pop() if all_sizes else 0


def check_sample_weights(y, sample_weights, names):
    """A sample-weight array may not have more axes than its targets (Keras 2 weights samples, or timesteps)."""
    if y is None or sample_weights is None:
        return
    for target, weights, name in zip(y, sample_weights, names):
        if target is None or weights is None:
            continue
        limit = max(len(target.shape), 2)  # (samples, 1) weights serve 1-D targets too
        if len(weights.shape) > limit:
            raise ValueError(f'Found a sample_weight array with shape {tuple(weights.shape)} for output "{name}" '
                             f"(targets of shape {tuple(target.shape)}). Expected a rank of at most {limit}: one "
                             "weight per sample, or per timestep.")


def conform_rank(array, expected):
    """``array`` with a trailing size-1 axis added or dropped where that alone makes its rank ``len(expected)``.

    As tf-keras' (and Keras 3's) functional models do: (n, 28, 28) feeds an
    ``Input((28, 28, 1))`` and (n, 4, 1) an ``Input((4,))``. Works on numpy
    arrays and tensors alike.
    """
    ndim, ref = len(array.shape), len(expected)
    if ndim == ref + 1 and array.shape[-1] == 1:
        return array[..., 0]
    if ndim == ref - 1 and ref and expected[-1] == 1:
        return array[..., None]
    return array


def check_input_shapes(model, x):
    """``x`` conformed to the model's input ranks (see ``conform_rank``); raises on any other mismatch."""
    x = [conform_rank(a, tuple(t.shape)) for a, t in zip(x, model.inputs)] + list(x[len(model.inputs):])
    for i, (array, tensor) in enumerate(zip(x, model.inputs)):
        expected = tuple(tensor.shape)
        got = tuple(array.shape)
        name = model.input_names[i]
        if not shape_fits(got, expected):
            raise ValueError(f'Input {i} ("{name}") of model "{model.name}" is incompatible with the model: expected '
                             f"shape={expected}, found shape={got}")
    return x


def shape_fits(got, expected):
    """Whether an input of shape ``got`` fits a model input of shape ``expected`` (None: any size; the batch axis
    is never checked). An input of no fixed size past the batch axis takes any rank, as in tf-keras, which
    leaves ranks to the layers: a ``Sequential([Embedding(...)])``, built for (None, None) from Embedding's
    implied input shape, embeds the (None,) ids of a ``shape=()`` Input (keras.io's recommender examples)."""
    if len(got) != len(expected):
        return all(e is None for e in expected[1:])
    return all(e is None or e == g for e, g in zip(expected[1:], got[1:]))


def check_targets(model, y, loss_fns):
    """Targets that cannot fit their loss fail here with advice, before training starts."""
    for i, (target, loss, tensor) in enumerate(zip(y, loss_fns, model.outputs)):
        if target is None or loss is None:
            continue
        name = model.output_names[i]
        loss_name = getattr(loss, "_fn_name", None) or getattr(loss, "name", "")
        out_shape = tuple(tensor.shape)
        t_shape = tuple(target.shape)
        if loss_name == "categorical_crossentropy" and out_shape[-1] not in (None, 1):
            is_int = np.issubdtype(target.dtype, np.integer) if isinstance(target, np.ndarray) else \
                not K.standardize_dtype(target.dtype).startswith("float")
            if len(t_shape) < len(out_shape) or t_shape[-1] == 1 and out_shape[-1] != 1:
                raise ValueError(
                    f'You are passing a target array of shape {t_shape} for output "{name}" while using as loss '
                    f"`categorical_crossentropy`. `categorical_crossentropy` expects targets to be binary matrices "
                    f"(1s and 0s) of shape (samples, {out_shape[-1]}). If your targets are integer classes"
                    f"{' (they are integers here)' if is_int else ''}, you can convert them to the expected format "
                    "via:\n    from fastkeras.utils import to_categorical\n    y_binary = to_categorical(y_int)\n"
                    "Alternatively, you can use the loss function `sparse_categorical_crossentropy` instead, which "
                    "does expect integer targets.")
        if loss_name == "sparse_categorical_crossentropy":
            if len(t_shape) == len(out_shape) and t_shape[-1] not in (1,) and t_shape[-1] == out_shape[-1]:
                raise ValueError(
                    f'You are passing a target array of shape {t_shape} for output "{name}" while using as loss '
                    "`sparse_categorical_crossentropy`, which expects integer class indices of shape (samples,) or "
                    "(samples, 1). For one-hot targets use `categorical_crossentropy`.")
            _check_class_indices(target, loss, out_shape, name)
        if len(out_shape) == len(t_shape) and out_shape[-1] is not None and t_shape[-1] != out_shape[-1] \
                and t_shape[-1] != 1 and loss_name != "sparse_categorical_crossentropy":
            raise ValueError(f'A target array with shape {t_shape} was passed for output "{name}" of shape '
                             f"{out_shape} while using as loss `{loss_name}`. This loss expects targets to have the "
                             "same shape as the output.")


def _check_class_indices(target, loss, out_shape, output_name):
    """Sparse labels must lie in [0, classes). A step would turn others into NaN losses without a word (checking
    there would wait on the device every step), so the data is checked here once, on the host, as TensorFlow's
    CPU kernel refuses them."""
    kwargs = getattr(loss, "_fn_kwargs", None) or {}
    axis = kwargs.get("axis", -1)
    classes = out_shape[axis] if -len(out_shape) <= axis < len(out_shape) else None
    if classes is None or classes < 2 or not isinstance(target, np.ndarray) or target.size == 0:
        return
    ignore = kwargs.get("ignore_class")
    values = target if ignore is None else target[target != ignore]
    if values.size == 0:
        return
    low, high = values.min(), values.max()
    if low < 0 or high >= classes:
        bad = low if low < 0 else high
        raise ValueError(f'Received a label value of {bad} in the targets of output "{output_name}", outside the valid '
                         f"range [0, {classes}) of `sparse_categorical_crossentropy`: the output has {classes} "
                         "classes.")


def split_validation(arrays_list, validation_split):
    """(train, validation) halves: the last ``validation_split`` of the samples validate, as in Keras."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"`validation_split` must be between 0 and 1, received {validation_split}.")
    n = next(int(a.shape[0]) for arrays in arrays_list if arrays for a in arrays if a is not None)
    split_at = int(n * (1.0 - validation_split))
    if split_at == 0 or split_at == n:
        raise ValueError(f"validation_split={validation_split} leaves no samples for "
                         f"{'training' if split_at == 0 else 'validation'} (there are {n} samples).")

    def cut(arrays, part):
        if arrays is None:
            return None
        return [None if a is None else (a[:split_at] if part == 0 else a[split_at:]) for a in arrays]
    return [cut(a, 0) for a in arrays_list], [cut(a, 1) for a in arrays_list]


def check_class_weight_keys(class_weight):
    """tf-keras' rule: a dict with a weight for every class 0..n-1, none left out (Keras 2 refused missing
    classes too)."""
    error = ValueError("Expected `class_weight` to be a dict with keys from 0 to one less than the number of "
                       f"classes, found {class_weight}")
    if not isinstance(class_weight, dict):
        raise error
    try:
        keys = sorted(int(k) for k in class_weight)
    except (TypeError, ValueError):
        raise error from None
    if keys != list(range(len(class_weight))):
        raise error


def class_weights_to_sample_weights(y, class_weight):
    """Per-sample weights from a ``{class_index: weight}`` dict (single-output models)."""
    check_class_weight_keys(class_weight)
    y = K.to_numpy(y)
    if y.ndim >= 2 and y.shape[-1] > 1:
        classes = np.argmax(y, axis=-1)
    else:
        classes = np.round(y.reshape(y.shape[0], -1)[:, 0]).astype("int64") if y.ndim > 1 else \
            np.round(y).astype("int64")
    weights = np.ones(classes.shape, dtype="float32")
    for cls, w in class_weight.items():
        weights[classes == int(cls)] = w
    return weights
