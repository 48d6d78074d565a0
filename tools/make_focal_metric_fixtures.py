"""Writes the expected values of tests/test_focal_losses_and_metrics.py and tests/utils/test_image_utils.py
by running real tf-keras (the focal losses, F-scores, R2Score, the IoU metrics, MeanTensor, and the
keras.utils image / ordinal helpers).

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_focal_metric_fixtures.py

It writes, into tests/fixtures/focal_metrics_utils/:

* ``arrays.npz``: every input and expected output, keyed by case id;
* ``cases.json``: the cases (kind, function or class, arguments, which arrays), tf-keras' ``get_config()``,
  metric variable names/shapes, default configs and names, and the log names of a compiled model;
* ``image.png``: a small generated RGB image the image-utility cases load.

Inputs are seeded (numpy ``default_rng(2026)``) and passed to tf-keras as tensors, as ``Model.fit``
does. Metric cases record ``result()`` after each of several ``update_state`` calls.
"""
import io
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from PIL import Image  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "focal_metrics_utils")

rng = np.random.default_rng(2026)
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
    if isinstance(value, tf.dtypes.DType):
        return value.name
    if tf.is_tensor(value):
        return value.numpy().tolist()
    if callable(value):
        return getattr(value, "__name__", str(value))
    return value


def normal(*shape, scale=1.0):
    return f32(rng.normal(size=shape) * scale)


def uniform(*shape):
    return f32(rng.uniform(0.0, 1.0, size=shape))


def softmax_probs(*shape, temperature=3.0):
    z = rng.normal(size=shape) * temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return f32(e / e.sum(axis=-1, keepdims=True))


def onehot(batch_shape, num_classes):
    labels = rng.integers(0, num_classes, size=batch_shape)
    return np.eye(num_classes, dtype=np.float32)[labels]


def sparse(batch_shape, num_classes, dtype=np.int64):
    return rng.integers(0, num_classes, size=batch_shape).astype(dtype)


def binary(*shape):
    return f32(rng.integers(0, 2, size=shape))


def with_extremes(p):
    flat = p.copy().reshape(-1)
    flat[::7] = 0.0
    flat[3::11] = 1.0
    return flat.reshape(p.shape)


# ---- focal losses -------------------------------------------------------------------------------

def loss_fn_case(fn_name, y_true, y_pred, module="losses", **kwargs):
    case_id = f"loss_fn/{len(CASES)}_{fn_name}"
    fn = getattr(getattr(keras, module), fn_name)
    out = fn(tensor(y_true), tensor(y_pred), **kwargs)
    CASES.append({"kind": "loss_fn", "id": case_id, "module": module, "fn": fn_name, "kwargs": kwargs,
                  "y_true": store(case_id, "y_true", y_true), "y_pred": store(case_id, "y_pred", y_pred),
                  "expected": store(case_id, "expected", out.numpy())})


def loss_obj_case(class_name, config, y_true, y_pred, sample_weight=None):
    case_id = f"loss_obj/{len(CASES)}_{class_name}"
    obj = getattr(keras.losses, class_name)(**config)
    out = obj(tensor(y_true), tensor(y_pred), sample_weight=tensor(sample_weight))
    per_sample = obj.call(tensor(y_true), tensor(y_pred))
    CASES.append({"kind": "loss_obj", "id": case_id, "class": class_name, "config": config,
                  "tf_config": jsonable(obj.get_config()),
                  "y_true": store(case_id, "y_true", y_true), "y_pred": store(case_id, "y_pred", y_pred),
                  "sample_weight": None if sample_weight is None else store(case_id, "sample_weight", sample_weight),
                  "expected": store(case_id, "expected", out.numpy()),
                  "expected_call": store(case_id, "expected_call", per_sample.numpy())})


def make_loss_cases():
    bfce = "binary_focal_crossentropy"
    for module in ("losses", "metrics"):
        loss_fn_case(bfce, binary(6, 5), uniform(6, 5), module=module)
        loss_fn_case("categorical_focal_crossentropy", onehot(6, 5), softmax_probs(6, 5), module=module)
    loss_fn_case(bfce, binary(6, 5), with_extremes(uniform(6, 5)))
    loss_fn_case(bfce, binary(6, 1), uniform(6, 1), gamma=0.0)
    loss_fn_case(bfce, binary(6, 5), uniform(6, 5), gamma=3.5)
    loss_fn_case(bfce, binary(6, 5), uniform(6, 5), apply_class_balancing=True)
    loss_fn_case(bfce, binary(6, 5), uniform(6, 5), apply_class_balancing=True, alpha=0.6, gamma=1.0)
    loss_fn_case(bfce, binary(6, 5), normal(6, 5, scale=4.0), from_logits=True)
    loss_fn_case(bfce, binary(6, 5), normal(6, 5, scale=30.0), from_logits=True, apply_class_balancing=True)
    loss_fn_case(bfce, binary(6, 5), uniform(6, 5), label_smoothing=0.2)
    loss_fn_case(bfce, binary(6, 5), normal(6, 5), from_logits=True, label_smoothing=0.1, gamma=1.5)
    loss_fn_case(bfce, uniform(6, 5), uniform(6, 5))
    loss_fn_case(bfce, binary(4, 3, 5), uniform(4, 3, 5))
    loss_fn_case(bfce, binary(4, 3, 5), uniform(4, 3, 5), axis=1)
    loss_fn_case(bfce, sparse((6, 5), 2, np.int32), uniform(6, 5))
    cfce = "categorical_focal_crossentropy"
    loss_fn_case(cfce, onehot(6, 5), softmax_probs(6, 5, temperature=12.0))
    loss_fn_case(cfce, onehot(6, 5), with_extremes(uniform(6, 5)))
    loss_fn_case(cfce, onehot(6, 5), uniform(6, 5) + 0.1)  # not normalised: rescaled to sum to 1
    loss_fn_case(cfce, onehot(6, 5), softmax_probs(6, 5), alpha=0.5, gamma=0.0)
    loss_fn_case(cfce, onehot(6, 5), softmax_probs(6, 5), alpha=[0.1, 0.2, 0.3, 0.25, 0.15], gamma=1.0)
    loss_fn_case(cfce, onehot(6, 5), normal(6, 5, scale=4.0), from_logits=True)
    loss_fn_case(cfce, onehot(6, 5), softmax_probs(6, 5), label_smoothing=0.1)
    loss_fn_case(cfce, onehot(6, 5), normal(6, 5), from_logits=True, label_smoothing=0.2, gamma=3.0)
    loss_fn_case(cfce, softmax_probs(6, 5), softmax_probs(6, 5))
    loss_fn_case(cfce, onehot((4, 3), 5), softmax_probs(4, 3, 5))
    loss_fn_case(cfce, np.moveaxis(onehot((4, 3), 5), -1, 1), np.moveaxis(softmax_probs(4, 3, 5), -1, 1), axis=1)

    for reduction in ("auto", "sum", "none", "sum_over_batch_size"):
        for sw in (None, uniform(6), f32(rng.uniform(0, 2, size=(6, 1))), f32(0.7)):
            loss_obj_case("BinaryFocalCrossentropy", {"reduction": reduction}, binary(6, 5), uniform(6, 5), sw)
            loss_obj_case("CategoricalFocalCrossentropy", {"reduction": reduction}, onehot(6, 5),
                          softmax_probs(6, 5), sw)
    loss_obj_case("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4, "gamma": 3.0,
                                              "from_logits": True, "label_smoothing": 0.1, "name": "bf"},
                  binary(6, 5), normal(6, 5, scale=3.0), uniform(6))
    loss_obj_case("BinaryFocalCrossentropy", {"axis": 1, "reduction": "none"}, binary(4, 3, 5), uniform(4, 3, 5))
    loss_obj_case("BinaryFocalCrossentropy", {}, binary(6), uniform(6, 1))
    loss_obj_case("BinaryFocalCrossentropy", {"reduction": "sum"}, binary(4, 3, 5), uniform(4, 3, 5), uniform(4, 3))
    loss_obj_case("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 1.0, "from_logits": True,
                                                   "label_smoothing": 0.2, "name": "cf"},
                  onehot(6, 5), normal(6, 5, scale=3.0), uniform(6))
    loss_obj_case("CategoricalFocalCrossentropy", {"reduction": "none"}, onehot((4, 3), 5), softmax_probs(4, 3, 5),
                  uniform(4))


# ---- metrics ------------------------------------------------------------------------------------

def metric_obj_case(class_name, config, batches):
    """``batches``: [(y_true, y_pred, sample_weight or None), ...]; MeanTensor gets (values, sample_weight)."""
    case_id = f"metric_obj/{len(CASES)}_{class_name}"
    keras.backend.clear_session()
    obj = getattr(keras.metrics, class_name)(**config)
    stored, results = [], []
    for i, batch in enumerate(batches):
        if class_name == "MeanTensor":
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
    weights = obj.get_weights()
    CASES.append({"kind": "metric_obj", "id": case_id, "class": class_name, "config": config,
                  "tf_config": jsonable(obj.get_config()), "batches": stored,
                  "variables": [[v.name.split("/")[-1], list(v.shape), v.dtype.name] for v in obj.variables],
                  "weights": [store(case_id, f"weight{i}", w) for i, w in enumerate(weights)],
                  "expected": store(case_id, "expected", np.stack(results))})


def batches_of(make, n=3, weights=("none", "vector", "none")):
    out = []
    for i in range(n):
        yt, yp = make()
        kind = weights[i % len(weights)]
        batch = yt.shape[0]
        sw = {"none": None, "vector": f32(rng.uniform(0, 2, size=batch)),
              "column": f32(rng.uniform(0, 2, size=(batch, 1))), "full": f32(rng.uniform(0, 2, size=yt.shape)),
              "zeros": np.zeros(batch, np.float32)}[kind]
        out.append((yt, yp, sw))
    return out


def make_metric_cases():
    def multilabel():
        return binary(8, 4), uniform(8, 4)

    def multiclass():
        return onehot(8, 4), softmax_probs(8, 4)

    for cls in ("F1Score", "FBetaScore"):
        for average in (None, "micro", "macro", "weighted"):
            for threshold in (None, 0.4):
                cfg = {"average": average, "threshold": threshold}
                if cls == "FBetaScore":
                    cfg["beta"] = 2.0
                metric_obj_case(cls, cfg, batches_of(multilabel if threshold else multiclass))
    metric_obj_case("FBetaScore", {"beta": 0.5, "average": "macro", "name": "fb"}, batches_of(multiclass))

    def zero_rows():
        yt, yp = onehot(8, 3), softmax_probs(8, 3)
        yp[:2] = 0.0
        return yt, yp
    metric_obj_case("F1Score", {}, batches_of(zero_rows))

    for agg in ("uniform_average", "variance_weighted_average", None):
        metric_obj_case("R2Score", {"class_aggregation": agg}, batches_of(lambda: (normal(8, 3), normal(8, 3))))
    metric_obj_case("R2Score", {}, batches_of(lambda: (normal(8, 1), normal(8, 1)), weights=("column", "none")))
    metric_obj_case("R2Score", {"num_regressors": 2}, batches_of(lambda: (normal(8, 2), normal(8, 2))))
    metric_obj_case("R2Score", {}, batches_of(lambda: (normal(8, 2), normal(8, 2)), weights=("full", "vector")))

    metric_obj_case("IoU", {"num_classes": 3, "target_class_ids": [0, 2]},
                    batches_of(lambda: (sparse(10, 3), sparse(10, 3))))
    metric_obj_case("IoU", {"num_classes": 4, "target_class_ids": [1], "name": "iou1"},
                    batches_of(lambda: (sparse((3, 4), 4), sparse((3, 4), 4)), weights=("none", "full")))
    metric_obj_case("IoU", {"num_classes": 3, "target_class_ids": [0, 1, 2], "sparse_y_pred": False},
                    batches_of(lambda: (sparse((6, 1), 3), softmax_probs(6, 3))))
    metric_obj_case("IoU", {"num_classes": 3, "target_class_ids": [0, 1], "ignore_class": 2},
                    batches_of(lambda: (sparse(10, 3), sparse(10, 3))))
    metric_obj_case("MeanIoU", {"num_classes": 3}, batches_of(lambda: (sparse(10, 3), sparse(10, 3))))
    metric_obj_case("MeanIoU", {"num_classes": 4, "ignore_class": 0},
                    batches_of(lambda: (sparse((3, 5), 4), sparse((3, 5), 4)), weights=("full", "none")))
    metric_obj_case("MeanIoU", {"num_classes": 3, "sparse_y_true": False, "sparse_y_pred": False},
                    batches_of(lambda: (onehot(8, 3), softmax_probs(8, 3))))
    metric_obj_case("MeanIoU", {"num_classes": 5}, batches_of(lambda: (sparse(6, 3), sparse(6, 3))))  # unseen classes
    metric_obj_case("BinaryIoU", {}, batches_of(lambda: (binary(10), uniform(10))))
    metric_obj_case("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3},
                    batches_of(lambda: (binary(4, 3), uniform(4, 3)), weights=("full", "none")))
    metric_obj_case("BinaryIoU", {"target_class_ids": [0]}, batches_of(lambda: (binary(8, 1), uniform(8, 1))))
    metric_obj_case("OneHotIoU", {"num_classes": 3, "target_class_ids": [0, 2]},
                    batches_of(lambda: (onehot(8, 3), softmax_probs(8, 3))))
    metric_obj_case("OneHotIoU", {"num_classes": 3, "target_class_ids": [1], "sparse_y_pred": True},
                    batches_of(lambda: (onehot(8, 3), sparse(8, 3))))
    metric_obj_case("OneHotMeanIoU", {"num_classes": 4}, batches_of(lambda: (onehot(8, 4), softmax_probs(8, 4))))
    metric_obj_case("OneHotMeanIoU", {"num_classes": 3, "ignore_class": 1},
                    batches_of(lambda: (onehot(8, 3), softmax_probs(8, 3))))

    metric_obj_case("MeanTensor", {}, [(normal(2, 3), None), (normal(2, 3), None), (normal(2, 3), uniform(2, 3))])
    metric_obj_case("MeanTensor", {"name": "mt"}, [(normal(4), uniform(4)), (normal(4), f32(0.5)),
                                                   (normal(4), None)])
    metric_obj_case("MeanTensor", {"shape": [3, 2]}, [(normal(3, 2), uniform(3)), (normal(3, 2), uniform(3, 1))])


NEW_LOSSES = ["BinaryFocalCrossentropy", "CategoricalFocalCrossentropy"]
NEW_METRICS = {"F1Score": {}, "FBetaScore": {}, "R2Score": {}, "MeanTensor": {},
               "IoU": {"num_classes": 3, "target_class_ids": [1]}, "MeanIoU": {"num_classes": 3},
               "BinaryIoU": {}, "OneHotIoU": {"num_classes": 3, "target_class_ids": [1]},
               "OneHotMeanIoU": {"num_classes": 3}}


def defaults():
    loss_configs, metric_configs = {}, {}
    for cls in NEW_LOSSES:
        loss_configs[cls] = jsonable(getattr(keras.losses, cls)().get_config())
    for cls, args in NEW_METRICS.items():
        keras.backend.clear_session()
        obj = getattr(keras.metrics, cls)(**args)
        metric_configs[cls] = {"args": args, "config": jsonable(obj.get_config()), "name": obj.name}
    keras.backend.clear_session()
    return loss_configs, metric_configs


def evaluate_case():
    """A fixed softmax model compiled with focal losses and the new metrics: the logged names and values of
    ``evaluate`` (batch_size 4 over 10 samples: the metrics accumulate across batches).

    The focal metric functions are passed as functions: tf-keras' ``metrics.get('binary_focal_crossentropy')``
    returns the string itself (the name is missing from its metrics deserialization table), so compile fails
    with "'str' object is not callable" there; fastkeras resolves the name."""
    keras.backend.clear_session()
    x = normal(10, 5)
    y = onehot(10, 3)
    kernel, bias = normal(5, 3), normal(3, scale=0.1)
    inputs = keras.Input((5,))
    outputs = keras.layers.Dense(3, activation="softmax")(inputs)
    model = keras.Model(inputs, outputs)
    model.set_weights([kernel, bias])
    model.compile(loss="categorical_focal_crossentropy",
                  metrics=[keras.metrics.F1Score(average="macro"), keras.metrics.FBetaScore(beta=2.0,
                           average="weighted", threshold=0.3), keras.metrics.R2Score(),
                           keras.metrics.OneHotMeanIoU(num_classes=3), keras.metrics.OneHotIoU(3, [0, 2]),
                           keras.metrics.binary_focal_crossentropy, keras.metrics.categorical_focal_crossentropy])
    out = model.evaluate(x, y, batch_size=4, return_dict=True, verbose=0)
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    return {"x": store("evaluate", "x", x), "y": store("evaluate", "y", y),
            "kernel": store("evaluate", "kernel", kernel), "bias": store("evaluate", "bias", bias),
            "results": {k: float(v) for k, v in out.items()}, "fit_log_names": sorted(history.history)}


def evaluate_sigmoid_case():
    """A saturating sigmoid model trained with BinaryFocalCrossentropy (its cross-entropy works from the logits of
    the sigmoid, in the loss and in the metric functions), with plain and sample-weighted metrics.

    (tf-keras' compile hands weighted metrics sample weights of shape (batch, 1): FBetaScore then fails there,
    expanding them to rank 3, and the IoU metrics reject them as they flatten labels, so neither is weighted
    here.)"""
    keras.backend.clear_session()
    x = normal(10, 4)
    y = binary(10, 2)
    sw = f32(rng.uniform(0, 2, size=10))
    kernel, bias = normal(4, 2, scale=12.0), normal(2)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="sigmoid")(inputs))
    model.set_weights([kernel, bias])
    model.compile(loss=keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=1.5),
                  metrics=[keras.metrics.BinaryIoU(target_class_ids=[1]),
                           keras.metrics.F1Score(average="micro", threshold=0.5),
                           keras.metrics.binary_focal_crossentropy],
                  weighted_metrics=[keras.metrics.R2Score(name="wr2"), keras.metrics.binary_focal_crossentropy])
    out = model.evaluate(x, y, sample_weight=sw, batch_size=4, return_dict=True, verbose=0)
    return {"x": store("evaluate_sigmoid", "x", x), "y": store("evaluate_sigmoid", "y", y),
            "sample_weight": store("evaluate_sigmoid", "sample_weight", sw),
            "kernel": store("evaluate_sigmoid", "kernel", kernel), "bias": store("evaluate_sigmoid", "bias", bias),
            "results": {k: float(v) for k, v in out.items()}}


# ---- image and other keras.utils helpers ---------------------------------------------------------

def make_image():
    h, w = 7, 10
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([xx * 25, yy * 36, (xx * yy * 7) % 256], axis=-1).astype(np.uint8)
    img[0, 0] = [255, 255, 255]
    img[3, 4] = [0, 0, 0]
    path = os.path.join(OUT_DIR, "image.png")
    Image.fromarray(img, "RGB").save(path)
    return path


def image_cases(path):
    utils = keras.utils
    out = []

    def add(kind, kwargs, value):
        case_id = f"image/{len(out)}_{kind}"
        out.append({"kind": kind, "id": case_id, "kwargs": kwargs, "expected": store(case_id, "expected", value)})

    for kwargs in ({}, {"color_mode": "grayscale"}, {"color_mode": "rgba"}, {"grayscale": True},
                   {"target_size": (4, 6)}, {"target_size": (4, 6), "interpolation": "bilinear"},
                   {"target_size": (5, 3), "interpolation": "bicubic"}, {"target_size": (3, 3), "interpolation": "box"},
                   {"target_size": (9, 12), "interpolation": "lanczos"}, {"target_size": (4, 4), "interpolation":
                                                                            "hamming"},
                   {"target_size": (4, 4), "keep_aspect_ratio": True},
                   {"target_size": (6, 3), "keep_aspect_ratio": True, "interpolation": "bilinear"},
                   {"target_size": (7, 10)}):
        img = utils.load_img(path, **kwargs)
        add("load_img", jsonable(kwargs), np.asarray(img))
        out[-1]["mode"] = img.mode
        out[-1]["size"] = list(img.size)
    img = utils.load_img(path)
    for kwargs in ({}, {"data_format": "channels_first"}, {"dtype": "uint8"}, {"dtype": "float64"}):
        add("img_to_array", kwargs, utils.img_to_array(img, **kwargs))
    gray = utils.load_img(path, color_mode="grayscale")
    add("img_to_array_gray", {}, utils.img_to_array(gray))
    add("img_to_array_gray", {"data_format": "channels_first"}, utils.img_to_array(gray, data_format="channels_first"))
    x = normal(5, 4, 3, scale=10.0)
    ARRAYS["image/array_input"] = x
    xcf = np.moveaxis(x, -1, 0)
    ARRAYS["image/array_input_cf"] = xcf
    x1 = normal(5, 4, 1, scale=10.0)
    ARRAYS["image/array_input_gray"] = x1
    x4 = uniform(5, 4, 4) * 255.0
    ARRAYS["image/array_input_rgba"] = x4
    for name, arr, kwargs in (("array_input", x, {}), ("array_input", x, {"scale": False}),
                              ("array_input_cf", xcf, {"data_format": "channels_first"}),
                              ("array_input_gray", x1, {}), ("array_input_rgba", x4, {"scale": False}),
                              ("array_input_gray", x1 * 100.0, {"scale": False})):
        img = utils.array_to_img(arr, **kwargs)
        add("array_to_img", dict(kwargs, input=name, multiplier=100.0 if img.mode == "I" else 1.0), np.asarray(img))
        out[-1]["mode"] = img.mode
    with tempfile.TemporaryDirectory() as tmp:
        for ext, kwargs in (("png", {}), ("png", {"scale": False}), ("bmp", {})):
            p = os.path.join(tmp, f"out.{ext}")
            utils.save_img(p, x4 if kwargs.get("scale") is False else x, **kwargs)
            add("save_img", dict(kwargs, ext=ext), np.asarray(Image.open(p)))
    return out


def ordinal_cases():
    out = []
    for y, n in (([0, 1, 2, 3], None), ([[0], [2], [1]], 4), ([1, 0], 3)):
        r = keras.utils.to_ordinal(np.array(y), num_classes=n)
        key = store(f"to_ordinal/{len(out)}", "expected", r)
        out.append({"y": y, "num_classes": n, "expected": key, "dtype": str(r.dtype)})
    return out


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    make_loss_cases()
    make_metric_cases()
    loss_configs, metric_configs = defaults()
    evaluate = evaluate_case()
    images = image_cases(make_image())
    ordinal = ordinal_cases()
    evaluate_sigmoid = evaluate_sigmoid_case()  # last: the random draws of the cases above stay as they were
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **ARRAYS)
    doc = {"generated_by": "tools/make_focal_metric_fixtures.py", "tf_keras_version": keras.__version__,
           "tensorflow_version": tf.__version__, "pil_version": Image.__version__,
           "default_loss_configs": loss_configs, "default_metrics": metric_configs, "evaluate": evaluate,
           "evaluate_sigmoid": evaluate_sigmoid,
           "cases": CASES, "image_cases": images, "to_ordinal": ordinal}
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {len(CASES)} cases, {len(images)} image cases and {len(ARRAYS)} arrays to "
          f"{os.path.normpath(OUT_DIR)}", file=sys.stderr)


if __name__ == "__main__":
    main()
