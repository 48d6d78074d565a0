"""Writes the expected values of tests/test_losses.py and tests/test_metrics.py by running real tf-keras.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_loss_metric_fixtures.py

It writes, into tests/fixtures/losses_metrics/:

* ``arrays.npz``: every input (y_true, y_pred, sample_weight) and expected output, keyed by case id;
* ``cases.json``: the cases (kind, function or class, keyword arguments / config, which arrays),
  tf-keras' ``get_config()`` of each object, the default names of the metric classes and the
  function tf-keras' compile picks for 'accuracy'/'crossentropy' for given shapes.

Inputs are seeded (numpy ``default_rng(1234)``) and passed to tf-keras as tensors, as ``Model.fit``
does. Metric cases record ``result()`` after each of several ``update_state`` calls.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras.src import metrics as src_metrics  # noqa: E402 - also holds the functions keras.metrics hides
from tf_keras.src.engine import compile_utils  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "losses_metrics")

rng = np.random.default_rng(1234)
ARRAYS = {}
CASES = []


def f32(x):
    return np.asarray(x, dtype=np.float32)


def store(case_id, name, value):
    key = f"{case_id}/{name}"
    ARRAYS[key] = np.asarray(value)
    return key


def tensor(x):
    return None if x is None else tf.constant(x)


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if tf.is_tensor(value):
        return value.numpy().tolist()
    if callable(value):
        return getattr(value, "__name__", str(value))
    return value


# ---- data ---------------------------------------------------------------------------------------

def normal(*shape, scale=1.0):
    return f32(rng.normal(size=shape) * scale)


def positive(*shape):
    return f32(rng.uniform(0.01, 3.0, size=shape))


def uniform(*shape):
    return f32(rng.uniform(0.0, 1.0, size=shape))


def softmax_probs(*shape, axis=-1, temperature=3.0):
    z = rng.normal(size=shape) * temperature
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return f32(e / e.sum(axis=axis, keepdims=True))


def with_extremes(p):
    """Probabilities with some exact 0s and 1s (tests the clipping)."""
    flat = p.copy().reshape(-1)
    flat[::7] = 0.0
    flat[3::11] = 1.0
    return flat.reshape(p.shape)


def onehot(batch_shape, num_classes, axis=-1):
    labels = rng.integers(0, num_classes, size=batch_shape)
    oh = np.eye(num_classes, dtype=np.float32)[labels]
    if axis != -1:
        oh = np.moveaxis(oh, -1, axis)
    return oh


def sparse(batch_shape, num_classes, dtype=np.int64):
    return rng.integers(0, num_classes, size=batch_shape).astype(dtype)


def binary(*shape):
    return f32(rng.integers(0, 2, size=shape))


# ---- loss functions -----------------------------------------------------------------------------

def loss_fn_case(fn_name, y_true, y_pred, **kwargs):
    case_id = f"loss_fn/{len(CASES)}_{fn_name}"
    fn = getattr(keras.losses, fn_name)
    out = fn(tensor(y_true), tensor(y_pred), **kwargs)
    CASES.append({"kind": "loss_fn", "id": case_id, "fn": fn_name, "kwargs": kwargs,
                  "y_true": store(case_id, "y_true", y_true), "y_pred": store(case_id, "y_pred", y_pred),
                  "expected": store(case_id, "expected", out.numpy())})


def make_loss_fn_cases():
    regression_fns = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                      "mean_squared_logarithmic_error", "log_cosh", "huber", "cosine_similarity"]
    for fn in regression_fns:
        loss_fn_case(fn, normal(6, 5), normal(6, 5))
        loss_fn_case(fn, normal(4, 3, 5), normal(4, 3, 5))
        loss_fn_case(fn, normal(6), normal(6))
    yt = normal(6, 5)
    yt[0, :2] = 0.0
    yt[2, 3] = 0.0
    loss_fn_case("mean_absolute_percentage_error", yt, normal(6, 5))
    loss_fn_case("mean_squared_error", sparse((6, 5), 4, np.int32), normal(6, 5))
    loss_fn_case("log_cosh", normal(6, 5, scale=40.0), normal(6, 5, scale=40.0))
    for delta in (0.5, 2.5):
        loss_fn_case("huber", normal(6, 5, scale=2.0), normal(6, 5, scale=2.0), delta=delta)
    for fn in ("poisson", "kl_divergence"):
        loss_fn_case(fn, positive(6, 5), positive(6, 5))
        loss_fn_case(fn, softmax_probs(6, 5), softmax_probs(6, 5))
        loss_fn_case(fn, softmax_probs(4, 3, 5), softmax_probs(4, 3, 5))
    yp = normal(6, 5)
    yt = normal(6, 5)
    yt[1] = 0.0
    loss_fn_case("cosine_similarity", yt, yp)
    loss_fn_case("cosine_similarity", normal(4, 3, 5), normal(4, 3, 5), axis=1)
    for fn in ("hinge", "squared_hinge"):
        loss_fn_case(fn, binary(6, 5), normal(6, 5))
        loss_fn_case(fn, binary(6, 5) * 2 - 1, normal(6, 5))
        loss_fn_case(fn, normal(6, 5), normal(6, 5))
        loss_fn_case(fn, binary(4, 3, 2), normal(4, 3, 2))
    loss_fn_case("categorical_hinge", onehot(6, 5), normal(6, 5))
    loss_fn_case("categorical_hinge", onehot((4, 3), 5), normal(4, 3, 5))
    # categorical cross-entropy
    loss_fn_case("categorical_crossentropy", onehot(6, 5), softmax_probs(6, 5))
    loss_fn_case("categorical_crossentropy", onehot(6, 5), softmax_probs(6, 5, temperature=12.0))
    loss_fn_case("categorical_crossentropy", onehot(6, 5), positive(6, 5))
    loss_fn_case("categorical_crossentropy", softmax_probs(6, 5), with_extremes(uniform(6, 5)))
    loss_fn_case("categorical_crossentropy", onehot(6, 5), normal(6, 5, scale=5.0), from_logits=True)
    loss_fn_case("categorical_crossentropy", onehot(6, 5), softmax_probs(6, 5), label_smoothing=0.1)
    loss_fn_case("categorical_crossentropy", onehot(6, 5), normal(6, 5), from_logits=True, label_smoothing=0.2)
    loss_fn_case("categorical_crossentropy", onehot((4, 3), 5), softmax_probs(4, 3, 5))
    loss_fn_case("categorical_crossentropy", onehot((4, 3), 5, axis=1), softmax_probs(4, 5, 3, axis=1), axis=1)
    loss_fn_case("categorical_crossentropy", onehot((4, 3), 5, axis=1), normal(4, 5, 3), axis=1, from_logits=True,
                 label_smoothing=0.1)
    # sparse categorical cross-entropy
    loss_fn_case("sparse_categorical_crossentropy", sparse(6, 5), softmax_probs(6, 5))
    loss_fn_case("sparse_categorical_crossentropy", sparse((6, 1), 5), softmax_probs(6, 5, temperature=12.0))
    loss_fn_case("sparse_categorical_crossentropy", sparse(6, 5, np.int32), positive(6, 5))
    loss_fn_case("sparse_categorical_crossentropy", f32(sparse(6, 5)), normal(6, 5, scale=4.0), from_logits=True)
    loss_fn_case("sparse_categorical_crossentropy", sparse((4, 3), 5), softmax_probs(4, 3, 5))
    loss_fn_case("sparse_categorical_crossentropy", sparse((4, 3, 1), 5), normal(4, 3, 5), from_logits=True)
    loss_fn_case("sparse_categorical_crossentropy", sparse((4, 3), 5), softmax_probs(4, 5, 3, axis=1), axis=1)
    labels = sparse((6,), 5)
    labels[[1, 4]] = -1
    loss_fn_case("sparse_categorical_crossentropy", labels, softmax_probs(6, 5), ignore_class=-1)
    labels = sparse((4, 3), 5)
    labels[0, 1] = 2
    loss_fn_case("sparse_categorical_crossentropy", labels, normal(4, 3, 5), from_logits=True, ignore_class=2)
    # binary cross-entropy
    loss_fn_case("binary_crossentropy", binary(6, 1), uniform(6, 1))
    loss_fn_case("binary_crossentropy", binary(6, 5), with_extremes(uniform(6, 5)))
    loss_fn_case("binary_crossentropy", uniform(6, 5), uniform(6, 5))
    loss_fn_case("binary_crossentropy", binary(6, 5), normal(6, 5, scale=30.0), from_logits=True)
    loss_fn_case("binary_crossentropy", binary(6, 5), uniform(6, 5), label_smoothing=0.2)
    loss_fn_case("binary_crossentropy", binary(6, 5), normal(6, 5), from_logits=True, label_smoothing=0.1)
    loss_fn_case("binary_crossentropy", binary(4, 3, 5), uniform(4, 3, 5))
    loss_fn_case("binary_crossentropy", binary(4, 3, 5), uniform(4, 3, 5), axis=1)
    loss_fn_case("binary_crossentropy", sparse((6, 5), 2, np.int32), uniform(6, 5))


# ---- loss objects -------------------------------------------------------------------------------

def loss_obj_case(class_name, config, y_true, y_pred, sample_weight=None, mask=None):
    """``mask``: a boolean ``_keras_mask`` carried by y_pred (as a Masking layer's output carries one)."""
    case_id = f"loss_obj/{len(CASES)}_{class_name}"
    obj = getattr(keras.losses, class_name)(**config)
    y_pred_t = tensor(y_pred)
    if mask is not None:
        y_pred_t._keras_mask = tf.constant(mask)
    out = obj(tensor(y_true), y_pred_t, sample_weight=tensor(sample_weight))
    per_sample = obj.call(tensor(y_true), tensor(y_pred))
    CASES.append({"kind": "loss_obj", "id": case_id, "class": class_name, "config": config,
                  "tf_config": jsonable(obj.get_config()),
                  "y_true": store(case_id, "y_true", y_true), "y_pred": store(case_id, "y_pred", y_pred),
                  "sample_weight": None if sample_weight is None else store(case_id, "sample_weight", sample_weight),
                  "mask": None if mask is None else store(case_id, "mask", mask),
                  "expected": store(case_id, "expected", out.numpy()),
                  "expected_call": store(case_id, "expected_call", per_sample.numpy())})


def data_for(class_name, shape):
    """(y_true, y_pred) suited to a loss class, for a (batch, ..., classes) shape."""
    if class_name in ("CategoricalCrossentropy", "KLDivergence"):
        return onehot(shape[:-1], shape[-1]), softmax_probs(*shape)
    if class_name == "SparseCategoricalCrossentropy":
        return sparse(shape[:-1], shape[-1]), softmax_probs(*shape)
    if class_name == "BinaryCrossentropy":
        return binary(*shape), uniform(*shape)
    if class_name in ("Hinge", "SquaredHinge", "CategoricalHinge"):
        return onehot(shape[:-1], shape[-1]), normal(*shape)
    if class_name in ("Poisson", "MeanSquaredLogarithmicError"):
        return positive(*shape), positive(*shape)
    return normal(*shape), normal(*shape)


LOSS_CLASSES = ["MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
                "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge",
                "SquaredHinge", "CategoricalHinge", "Poisson", "KLDivergence", "LogCosh", "Huber",
                "CosineSimilarity"]


def make_loss_obj_cases():
    for cls in LOSS_CLASSES:
        for reduction in ("auto", "sum", "none", "sum_over_batch_size"):
            for sw in (None, uniform(6), f32(rng.uniform(0, 2, size=(6, 1))), f32(0.7)):
                yt, yp = data_for(cls, (6, 5))
                loss_obj_case(cls, {"reduction": reduction}, yt, yp, sw)
        yt, yp = data_for(cls, (4, 3, 5))
        loss_obj_case(cls, {}, yt, yp, uniform(4))
        yt, yp = data_for(cls, (4, 3, 5))
        loss_obj_case(cls, {"reduction": "none"}, yt, yp, uniform(4, 3))
        yt, yp = data_for(cls, (4, 3, 5))
        loss_obj_case(cls, {"reduction": "sum"}, yt, yp, uniform(4, 3, 1))
    loss_obj_case("MeanSquaredError", {"name": "my_mse"}, normal(6), normal(6, 1))
    loss_obj_case("MeanSquaredError", {"reduction": "none"}, normal(6), normal(6, 1))
    loss_obj_case("MeanSquaredError", {"reduction": "none"}, normal(6, 1), normal(6))
    loss_obj_case("MeanAbsoluteError", {}, normal(6, 1), normal(6, 1), uniform(6))
    loss_obj_case("BinaryCrossentropy", {}, binary(6), uniform(6, 1))
    loss_obj_case("BinaryCrossentropy", {"reduction": "none"}, binary(6, 1), uniform(6, 1), uniform(6))
    loss_obj_case("BinaryCrossentropy", {"from_logits": True}, binary(6, 5), normal(6, 5, scale=8.0), uniform(6))
    loss_obj_case("BinaryCrossentropy", {"label_smoothing": 0.1, "reduction": "sum"}, binary(6, 5), uniform(6, 5))
    loss_obj_case("BinaryCrossentropy", {"axis": 1, "reduction": "none"}, binary(4, 3, 5), uniform(4, 3, 5))
    loss_obj_case("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, onehot(6, 5),
                  normal(6, 5, scale=3.0), uniform(6))
    loss_obj_case("CategoricalCrossentropy", {"axis": 1, "reduction": "none"}, onehot((4, 3), 5, axis=1),
                  softmax_probs(4, 5, 3, axis=1))
    loss_obj_case("SparseCategoricalCrossentropy", {}, sparse((6, 1), 5), softmax_probs(6, 5), uniform(6))
    loss_obj_case("SparseCategoricalCrossentropy", {"from_logits": True}, sparse((6,), 5, np.int32),
                  normal(6, 5), uniform(6, 1))
    loss_obj_case("SparseCategoricalCrossentropy", {"reduction": "none"}, sparse((4, 3, 1), 5),
                  softmax_probs(4, 3, 5), uniform(4))
    for reduction in ("auto", "sum", "none"):
        labels = sparse((6,), 5)
        labels[[0, 3]] = 4
        loss_obj_case("SparseCategoricalCrossentropy", {"ignore_class": 4, "reduction": reduction}, labels,
                      softmax_probs(6, 5))
        labels = sparse((4, 3), 5)
        labels[1] = -1
        loss_obj_case("SparseCategoricalCrossentropy", {"ignore_class": -1, "from_logits": True,
                                                        "reduction": reduction}, labels, normal(4, 3, 5), uniform(4))
    loss_obj_case("Huber", {"delta": 0.3}, normal(6, 5), normal(6, 5), uniform(6))
    loss_obj_case("Huber", {"delta": 2.0, "reduction": "sum"}, normal(6, 5, scale=3.0), normal(6, 5, scale=3.0))
    loss_obj_case("CosineSimilarity", {"axis": 1, "reduction": "none"}, normal(4, 3, 5), normal(4, 3, 5))
    loss_obj_case("CosineSimilarity", {"axis": 1}, normal(6, 5), normal(6, 5), uniform(6))
    # y_pred carrying a mask (timesteps hidden by a Masking layer)
    for reduction in ("auto", "sum", "none"):
        for sw in (None, uniform(4), uniform(4, 3)):
            mask = rng.uniform(size=(4, 3)) > 0.3
            loss_obj_case("MeanSquaredError", {"reduction": reduction}, normal(4, 3, 5), normal(4, 3, 5), sw, mask)
            labels = sparse((4, 3), 5)
            labels[2, 0] = 1
            loss_obj_case("SparseCategoricalCrossentropy", {"reduction": reduction, "ignore_class": 1}, labels,
                          softmax_probs(4, 3, 5), sw, rng.uniform(size=(4, 3)) > 0.3)


# ---- metric functions ---------------------------------------------------------------------------

def metric_fn_case(fn_name, y_true, y_pred, **kwargs):
    case_id = f"metric_fn/{len(CASES)}_{fn_name}"
    out = getattr(src_metrics, fn_name)(tensor(y_true), tensor(y_pred), **kwargs)
    CASES.append({"kind": "metric_fn", "id": case_id, "fn": fn_name, "kwargs": kwargs,
                  "y_true": store(case_id, "y_true", y_true), "y_pred": store(case_id, "y_pred", y_pred),
                  "expected": store(case_id, "expected", out.numpy())})


def ties(*shape):
    """Predictions with many ties (small integers)."""
    return f32(rng.integers(0, 3, size=shape))


def make_metric_fn_cases():
    metric_fn_case("binary_accuracy", binary(6, 1), uniform(6, 1))
    metric_fn_case("binary_accuracy", binary(6, 5), uniform(6, 5))
    metric_fn_case("binary_accuracy", binary(6, 5), uniform(6, 5), threshold=0.7)
    metric_fn_case("binary_accuracy", binary(4, 3, 5), uniform(4, 3, 5))
    metric_fn_case("categorical_accuracy", onehot(8, 5), softmax_probs(8, 5))
    metric_fn_case("categorical_accuracy", onehot(8, 5), ties(8, 5))
    metric_fn_case("categorical_accuracy", onehot((4, 3), 5), softmax_probs(4, 3, 5))
    metric_fn_case("sparse_categorical_accuracy", sparse(8, 5), softmax_probs(8, 5))
    metric_fn_case("sparse_categorical_accuracy", sparse((8, 1), 5), ties(8, 5))
    metric_fn_case("sparse_categorical_accuracy", f32(sparse((8, 1), 5)), softmax_probs(8, 5))
    metric_fn_case("sparse_categorical_accuracy", sparse((4, 3), 5), softmax_probs(4, 3, 5))
    metric_fn_case("sparse_categorical_accuracy", sparse((4, 3, 1), 5, np.int32), softmax_probs(4, 3, 5))
    for k in (1, 2, 3, 5):
        metric_fn_case("top_k_categorical_accuracy", onehot(8, 5), ties(8, 5), k=k)
        metric_fn_case("sparse_top_k_categorical_accuracy", sparse(8, 5, np.int32), ties(8, 5), k=k)
    metric_fn_case("top_k_categorical_accuracy", onehot(8, 5), softmax_probs(8, 5))
    metric_fn_case("top_k_categorical_accuracy", onehot((4, 3), 6), softmax_probs(4, 3, 6), k=2)
    metric_fn_case("sparse_top_k_categorical_accuracy", sparse((8, 1), 6), softmax_probs(8, 6), k=2)
    metric_fn_case("sparse_top_k_categorical_accuracy", sparse((4, 3), 6), softmax_probs(4, 3, 6), k=3)
    metric_fn_case("cosine_similarity", normal(6, 5), normal(6, 5))
    metric_fn_case("cosine_similarity", normal(4, 3, 5), normal(4, 3, 5), axis=1)
    metric_fn_case("accuracy", ties(6, 3), ties(6, 3))


# ---- metric objects -----------------------------------------------------------------------------

def metric_obj_case(class_name, config, batches, name=None):
    """``batches``: [(y_true, y_pred, sample_weight or None), ...]; Mean/Sum get (values, sample_weight)."""
    case_id = f"metric_obj/{len(CASES)}_{class_name}"
    cls = getattr(keras.metrics, class_name)
    if class_name == "MeanMetricWrapper":
        config = dict(config)
        fn_name = config.pop("fn")
        obj = cls(getattr(keras.metrics, fn_name), **config)
        config["fn"] = fn_name
    else:
        obj = cls(**config)
    stored, results = [], []
    for i, batch in enumerate(batches):
        if class_name in ("Mean", "Sum"):
            values, sw = batch
            obj.update_state(tensor(values), sample_weight=tensor(sw))
            stored.append({"values": store(case_id, f"values{i}", values),
                           "sample_weight": None if sw is None else store(case_id, f"sw{i}", sw)})
        else:
            yt, yp, sw = batch
            obj.update_state(tensor(yt), tensor(yp), sample_weight=tensor(sw))
            stored.append({"y_true": store(case_id, f"y_true{i}", yt), "y_pred": store(case_id, f"y_pred{i}", yp),
                           "sample_weight": None if sw is None else store(case_id, f"sw{i}", sw)})
        results.append(obj.result().numpy())
    tf_config = obj.get_config()
    if class_name == "MeanMetricWrapper":
        tf_config["fn"] = config["fn"]
    CASES.append({"kind": "metric_obj", "id": case_id, "class": class_name, "config": config,
                  "tf_config": jsonable(tf_config), "batches": stored,
                  "expected": store(case_id, "expected", np.stack(results))})


def batches_of(make, n=3, weights=("none", "vector", "column")):
    """``n`` batches from ``make()`` -> (y_true, y_pred), with sample weights of the given kinds in turn."""
    out = []
    for i in range(n):
        yt, yp = make()
        kind = weights[i % len(weights)]
        batch = yt.shape[0]
        sw = {"none": None, "vector": f32(rng.uniform(0, 2, size=batch)),
              "column": f32(rng.uniform(0, 2, size=(batch, 1))), "scalar": f32(0.5),
              "full": f32(rng.uniform(0, 2, size=yt.shape))}[kind]
        out.append((yt, yp, sw))
    return out


def make_metric_obj_cases():
    # Mean / Sum (values, sample_weight)
    for cls in ("Mean", "Sum"):
        metric_obj_case(cls, {"name": cls.lower()}, [(normal(6), None), (normal(6), uniform(6)),
                                                     (normal(6, 3), uniform(6)), (normal(6, 3, 2), uniform(6)),
                                                     (normal(6, 3), uniform(6, 3)), (f32(2.5), f32(3.0)),
                                                     (normal(4, 1), uniform(4))])
    metric_obj_case("MeanMetricWrapper", {"fn": "mean_squared_error", "name": "mmw"},
                    batches_of(lambda: (normal(6, 3), normal(6, 3))))
    metric_obj_case("MeanMetricWrapper", {"fn": "binary_accuracy", "name": "mmw_acc", "threshold": 0.3},
                    batches_of(lambda: (binary(6, 3), uniform(6, 3))))
    metric_obj_case("Accuracy", {"name": "accuracy"}, batches_of(lambda: (ties(6, 2), ties(6, 2))))
    for cfg in ({}, {"threshold": 0.3}):
        metric_obj_case("BinaryAccuracy", dict(cfg, name="binary_accuracy"),
                        batches_of(lambda: (binary(6, 1), uniform(6, 1))))
        metric_obj_case("BinaryAccuracy", dict(cfg, name="binary_accuracy"),
                        batches_of(lambda: (binary(6, 4), uniform(6, 4)), weights=("vector", "full", "none")))
    metric_obj_case("BinaryAccuracy", {"name": "binary_accuracy"}, batches_of(lambda: (binary(6), uniform(6, 1))))
    metric_obj_case("CategoricalAccuracy", {"name": "categorical_accuracy"},
                    batches_of(lambda: (onehot(6, 4), softmax_probs(6, 4))))
    metric_obj_case("CategoricalAccuracy", {"name": "categorical_accuracy"},
                    batches_of(lambda: (onehot((4, 3), 4), softmax_probs(4, 3, 4))))
    metric_obj_case("SparseCategoricalAccuracy", {"name": "sparse_categorical_accuracy"},
                    batches_of(lambda: (sparse(6, 4), softmax_probs(6, 4))))
    metric_obj_case("SparseCategoricalAccuracy", {"name": "sparse_categorical_accuracy"},
                    batches_of(lambda: (sparse((6, 1), 4), softmax_probs(6, 4))))
    metric_obj_case("SparseCategoricalAccuracy", {"name": "sparse_categorical_accuracy"},
                    batches_of(lambda: (sparse((4, 3), 4), softmax_probs(4, 3, 4)),
                               weights=("vector", "full", "none")))
    for k in (1, 2, 3):
        metric_obj_case("TopKCategoricalAccuracy", {"k": k, "name": "top_k"},
                        batches_of(lambda: (onehot(6, 5), ties(6, 5))))
        metric_obj_case("SparseTopKCategoricalAccuracy", {"k": k, "name": "sparse_top_k"},
                        batches_of(lambda: (sparse((6, 1), 5), ties(6, 5))))
    metric_obj_case("SparseTopKCategoricalAccuracy", {"name": "sparse_top_k"},
                    batches_of(lambda: (sparse((4, 3), 7), softmax_probs(4, 3, 7))))
    for cls in ("MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError", "LogCoshError", "CosineSimilarity"):
        metric_obj_case(cls, {"name": "m"}, batches_of(lambda: (normal(6, 3), normal(6, 3))))
    metric_obj_case("RootMeanSquaredError", {"name": "m"}, batches_of(lambda: (normal(6), normal(6, 1))))
    metric_obj_case("MeanAbsolutePercentageError", {"name": "m"}, batches_of(lambda: (positive(6, 3), normal(6, 3))))
    metric_obj_case("MeanSquaredLogarithmicError", {"name": "m"},
                    batches_of(lambda: (positive(6, 3), positive(6, 3))))
    metric_obj_case("MeanRelativeError", {"normalizer": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "name": "m"},
                    batches_of(lambda: (normal(6), normal(6)), weights=("none", "vector")))
    metric_obj_case("Poisson", {"name": "m"}, batches_of(lambda: (positive(6, 3), positive(6, 3))))
    metric_obj_case("KLDivergence", {"name": "m"}, batches_of(lambda: (softmax_probs(6, 3), softmax_probs(6, 3))))
    for cls in ("Hinge", "SquaredHinge", "CategoricalHinge"):
        metric_obj_case(cls, {"name": "m"}, batches_of(lambda: (onehot(6, 3), normal(6, 3))))
    for cfg in ({}, {"from_logits": True}, {"label_smoothing": 0.2}):
        metric_obj_case("BinaryCrossentropy", dict(cfg, name="bce"),
                        batches_of(lambda: (binary(6, 3), uniform(6, 3) if not cfg.get("from_logits")
                                            else normal(6, 3, scale=4.0))))
    for cfg in ({}, {"from_logits": True}, {"label_smoothing": 0.1}):
        metric_obj_case("CategoricalCrossentropy", dict(cfg, name="cce"),
                        batches_of(lambda: (onehot(6, 4), softmax_probs(6, 4) if not cfg.get("from_logits")
                                            else normal(6, 4, scale=3.0))))
    metric_obj_case("SparseCategoricalCrossentropy", {"name": "scce"},
                    batches_of(lambda: (sparse((6, 1), 4), softmax_probs(6, 4))))
    metric_obj_case("SparseCategoricalCrossentropy", {"name": "scce", "from_logits": True},
                    batches_of(lambda: (sparse(6, 4), normal(6, 4))))

    def with_ignored():
        labels = sparse((6,), 4)
        labels[rng.integers(0, 6, size=2)] = 3
        return labels, softmax_probs(6, 4)
    metric_obj_case("SparseCategoricalCrossentropy", {"name": "scce", "ignore_class": 3}, batches_of(with_ignored))

    # confusion-matrix metrics: binary labels and probabilities, some exactly on thresholds
    def scores(*shape):
        p = uniform(*shape).reshape(-1)
        p[::5] = np.round(p[::5] * 4) / 4  # exact 0, .25, .5, .75, 1
        return p.reshape(shape)

    def bin_data(*shape):
        return lambda: (binary(*shape), scores(*shape))

    for cls in ("TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"):
        for cfg in ({}, {"thresholds": [0.15, 0.5, 0.85]}, {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}):
            metric_obj_case(cls, dict(cfg, name="cm"), batches_of(bin_data(8, 1)))
        metric_obj_case(cls, {"name": "cm", "thresholds": 0.3}, batches_of(bin_data(8, 3), weights=("full", "vector")))
    for cls in ("Precision", "Recall"):
        for cfg in ({}, {"thresholds": [0.15, 0.5, 0.85]}, {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]},
                    {"thresholds": 0.3}):
            metric_obj_case(cls, dict(cfg, name="pr"), batches_of(bin_data(8, 1)))
            metric_obj_case(cls, dict(cfg, name="pr"), batches_of(bin_data(8, 4), weights=("vector", "full")))
        for cfg in ({"top_k": 2}, {"class_id": 1}, {"top_k": 2, "class_id": 2}, {"top_k": 1, "thresholds": [0.2, 0.6]},
                    {"class_id": 0, "thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}):
            metric_obj_case(cls, dict(cfg, name="pr"), batches_of(lambda: (binary(8, 4), ties(8, 4) / 2.0)))
            metric_obj_case(cls, dict(cfg, name="pr"), batches_of(bin_data(8, 4), weights=("vector", "none")))
    for cls, arg in (("SensitivityAtSpecificity", "specificity"), ("SpecificityAtSensitivity", "sensitivity"),
                     ("PrecisionAtRecall", "recall"), ("RecallAtPrecision", "precision")):
        for value in (0.3, 0.8):
            metric_obj_case(cls, {arg: value, "name": "ss"}, batches_of(bin_data(16, 1), n=4))
        metric_obj_case(cls, {arg: 0.5, "num_thresholds": 7, "class_id": 1, "name": "ss"},
                        batches_of(bin_data(16, 3)))
        metric_obj_case(cls, {arg: 0.5, "num_thresholds": 1, "name": "ss"}, batches_of(bin_data(16, 1)))
    auc_configs = [{}, {"curve": "PR"}, {"curve": "PR_GAIN"}, {"summation_method": "majoring"},
                   {"summation_method": "minoring"}, {"curve": "PR", "summation_method": "minoring"},
                   {"num_thresholds": 7}, {"num_thresholds": 50, "curve": "PR"},
                   {"thresholds": [0.1, 0.35, 0.5, 0.8]}, {"thresholds": [0.25, 0.5, 0.75]},
                   {"thresholds": [0.1, 0.35, 0.5, 0.8], "curve": "PR"}, {"from_logits": True},
                   {"label_weights": [0.5, 2.0, 1.0]}]
    for cfg in auc_configs:
        make_scores = (lambda *s: normal(*s, scale=3.0)) if cfg.get("from_logits") else scores
        metric_obj_case("AUC", dict(cfg, name="auc"), batches_of(lambda: (binary(10, 3), make_scores(10, 3)),
                                                                  weights=("none", "vector", "full")))
        if "label_weights" not in cfg:
            metric_obj_case("AUC", dict(cfg, name="auc"), batches_of(lambda: (binary(10, 1), make_scores(10, 1))))
    for cfg in ({}, {"num_labels": 3}, {"label_weights": [0.5, 2.0, 1.0]}, {"curve": "PR"},
                {"curve": "PR", "label_weights": [1.0, 0.0, 3.0]}, {"thresholds": [0.1, 0.35, 0.5, 0.8]},
                {"summation_method": "majoring", "num_thresholds": 9}):
        metric_obj_case("AUC", dict(cfg, name="auc", multi_label=True),
                        batches_of(lambda: (binary(10, 3), scores(10, 3)), weights=("none", "vector", "full")))


# ---- names, configs and compile's accuracy rule --------------------------------------------------

METRIC_CLASSES = ["Mean", "Sum", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
                  "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
                  "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "RootMeanSquaredError",
                  "LogCoshError", "CosineSimilarity", "BinaryCrossentropy", "CategoricalCrossentropy",
                  "SparseCategoricalCrossentropy", "Poisson", "KLDivergence", "Hinge", "SquaredHinge",
                  "CategoricalHinge", "AUC", "Precision", "Recall", "TruePositives", "FalsePositives",
                  "TrueNegatives", "FalseNegatives"]


def defaults():
    names, metric_configs, loss_configs = {}, {}, {}
    for cls in METRIC_CLASSES:
        keras.backend.clear_session()
        obj = getattr(keras.metrics, cls)()
        names[cls] = obj.name
        metric_configs[cls] = jsonable(obj.get_config())
    for cls in LOSS_CLASSES:
        loss_configs[cls] = jsonable(getattr(keras.losses, cls)().get_config())
    keras.backend.clear_session()
    return names, metric_configs, loss_configs


def accuracy_rule():
    container = compile_utils.MetricsContainer(["accuracy"])
    out = []
    shapes = [((4,), (4, 1)), ((4, 1), (4, 1)), ((4,), (4, 3)), ((4, 1), (4, 3)), ((4, 3), (4, 3)),
              ((4, 5, 1), (4, 5, 3)), ((4, 5), (4, 5, 3)), ((4, 5), (4, 5)), ((4, 5, 3), (4, 5, 3)),
              ((4, 5, 1), (4, 5, 1)), ((4, 2), (4, 1))]
    for yt, yp in shapes:
        for ident in ("accuracy", "acc", "crossentropy", "ce"):
            obj = container._get_metric_object(ident, tf.zeros(yt), tf.zeros(yp))
            out.append({"identifier": ident, "y_true_shape": list(yt), "y_pred_shape": list(yp),
                        "fn": obj._fn.__name__, "name": obj.name})
    return out


def main():
    make_loss_fn_cases()
    make_loss_obj_cases()
    make_metric_fn_cases()
    make_metric_obj_cases()
    names, metric_configs, loss_configs = defaults()
    os.makedirs(OUT_DIR, exist_ok=True)
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **ARRAYS)
    doc = {"generated_by": "tools/make_loss_metric_fixtures.py", "tf_keras_version": keras.__version__,
           "tensorflow_version": tf.__version__, "epsilon": keras.backend.epsilon(),
           "default_metric_names": names, "default_metric_configs": metric_configs,
           "default_loss_configs": loss_configs, "accuracy_rule": accuracy_rule(), "cases": CASES}
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
    kinds = {}
    for case in CASES:
        kinds[case["kind"]] = kinds.get(case["kind"], 0) + 1
    print(f"wrote {len(CASES)} cases {kinds} and {len(ARRAYS)} arrays to {os.path.normpath(OUT_DIR)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
