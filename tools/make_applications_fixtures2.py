"""Reference fixtures for fastkeras.applications' InceptionV3, Xception, DenseNet and EfficientNet, from tf-keras.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    /work/kvenv/bin/python tools/make_applications_fixtures2.py

For each architecture tf-keras builds the model with ``weights=None`` at a small input size, records its model
name, layer names (in order), weight names and shapes and count_params; for the models checked numerically it
then sets every weight from ``det_weight`` (a formula of the weight's index and shape, repeated in the test, so
no large weight file is stored) and records the outputs on a fixed input. ``weights='imagenet'`` is built with
``get_file`` and ``load_weights`` stubbed (no network): the file name, URL and hash it asks for and the layer list
(EfficientNet adds a multiply layer then) are recorded. Two small models (DenseNet and EfficientNet with reduced
blocks) are also saved as tf-keras .h5 weight files, to check that fastkeras loads tf-keras' files.

Writes tests/fixtures/applications/{inception,xception,densenet,efficientnet}_*.{json,npz,h5}.
"""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras.src.applications import densenet, efficientnet, inception_v3, xception
from tf_keras.src.utils import data_utils

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "applications")


def det_weight(i, name, shape, dtype):
    """The deterministic value of weight number ``i`` (in ``model.weights`` order); the test repeats it."""
    n = int(np.prod(shape)) if shape else 1
    u = np.sin(np.arange(n, dtype=np.float64) * 12.9898 + 78.233 * (i + 1)) * 43758.5453
    t = 2.0 * (u - np.floor(u)) - 1.0  # a hash of (i, position): uniform on [-1, 1), no regular pattern
    if "count" in name:
        return np.full(shape, 10, dtype)
    if "variance" in name:
        v = 0.6 + 0.4 * t * t
    elif "gamma" in name:
        v = 0.9 + 0.2 * t
    elif "kernel" in name and len(shape) >= 2:  # conv / depthwise / dense kernels: fan-in scaled
        if "depthwise" in name:  # per-channel filters: gain 1, so a separable conv is one He-scaled conv
            v = t * np.sqrt(3.0 / int(np.prod(shape[:2])))
        else:
            v = t * np.sqrt(6.0 / int(np.prod(shape[:-1])))  # He uniform: variance 2 / fan_in
    else:  # biases, betas, moving and normalization means
        v = 0.1 * t
    return v.reshape(shape).astype(dtype)


def det_input(shape, kind):
    n = int(np.prod(shape))
    t = np.sin(np.arange(n, dtype=np.float64) * 0.0137).reshape(shape)
    return (127.5 + 127.5 * t if kind == "pixels" else t).astype("float32")


def describe(model):
    return {
        "name": model.name,
        "layers": [layer.name for layer in model.layers],
        "weights": [[w.name, list(w.shape)] for w in model.weights],
        "count_params": int(model.count_params()),
        "output_shape": list(model.output_shape),
    }


def build(fn, **kwargs):
    keras.backend.clear_session()  # fresh name counters: auto-named layers get the names a new session gives
    return fn(**kwargs)


def set_det_weights(model):
    model.set_weights([det_weight(i, w.name, tuple(w.shape), w.dtype.as_numpy_dtype)
                       for i, w in enumerate(model.weights)])


# name -> (constructor, build kwargs, input kind, numeric check?)
MODELS = {
    "inception_v3": (inception_v3.InceptionV3, dict(input_shape=(75, 75, 3), classes=10), "unit", True),
    "xception": (xception.Xception, dict(input_shape=(71, 71, 3), classes=10), "unit", True),
    "densenet121": (densenet.DenseNet121, dict(input_shape=(32, 32, 3), classes=10), "unit", True),
    "densenet169": (densenet.DenseNet169, dict(input_shape=(32, 32, 3), classes=10), "unit", False),
    "densenet201": (densenet.DenseNet201, dict(input_shape=(32, 32, 3), classes=10), "unit", False),
    "efficientnetb0": (efficientnet.EfficientNetB0, dict(input_shape=(32, 32, 3), classes=10), "pixels", True),
    **{f"efficientnetb{i}": (getattr(efficientnet, f"EfficientNetB{i}"), dict(input_shape=(32, 32, 3), classes=10),
                             "pixels", False) for i in range(1, 8)},
}
# Variants checked by layer list (and numerically for the first ones): pooling / include_top=False.
VARIANTS = {
    "inception_v3_notop_max": (inception_v3.InceptionV3, dict(input_shape=(75, 75, 3), include_top=False,
                                                              pooling="max"), "unit", False),
    "xception_notop_avg": (xception.Xception, dict(input_shape=(71, 71, 3), include_top=False, pooling="avg"),
                           "unit", False),
    "densenet121_notop_max": (densenet.DenseNet121, dict(input_shape=(40, 48, 3), include_top=False, pooling="max"),
                              "unit", True),
    "efficientnetb0_notop": (efficientnet.EfficientNetB0, dict(input_shape=(33, 47, 3), include_top=False),
                             "pixels", True),
}


def family(name):
    return next(f for f in ("inception", "xception", "densenet", "efficientnet") if name.startswith(f))


def main():
    os.makedirs(OUT, exist_ok=True)
    info = {f: {} for f in ("inception", "xception", "densenet", "efficientnet")}
    outputs = {f: {} for f in info}
    for name, (fn, kwargs, kind, numeric) in {**MODELS, **VARIANTS}.items():
        model = build(fn, weights=None, classifier_activation=None, **kwargs) if "classes" in kwargs else \
            build(fn, weights=None, **kwargs)
        entry = describe(model)
        entry.update(kwargs=kwargs, input_kind=kind, numeric=numeric)
        if numeric:
            set_det_weights(model)
            x = det_input((2,) + tuple(kwargs["input_shape"]), kind)
            outputs[family(name)][name] = model(x, training=False).numpy()
        info[family(name)][name] = entry
        print(name, entry["count_params"], len(entry["layers"]))

    # weights='imagenet': the file asked for (name, URL, hash) and the graph built, without network.
    asked = []
    real_get_file, real_load = data_utils.get_file, keras.Model.load_weights
    data_utils.get_file = lambda fname, origin, **kw: asked.append([fname, origin, kw]) or "/nonexistent.h5"
    keras.Model.load_weights = lambda self, path, *a, **kw: None
    try:
        imagenet = {
            "inception_v3": inception_v3.InceptionV3, "xception": xception.Xception,
            "densenet121": densenet.DenseNet121, "densenet169": densenet.DenseNet169,
            "densenet201": densenet.DenseNet201,
            **{f"efficientnetb{i}": getattr(efficientnet, f"EfficientNetB{i}") for i in range(8)},
        }
        for name, fn in imagenet.items():
            for include_top in (True, False):
                asked.clear()
                kw = {} if include_top else {"input_shape": (75, 75, 3)}
                model = build(fn, weights="imagenet", include_top=include_top, **kw)
                entry = {"file": asked[0][0], "origin": asked[0][1], "cache_subdir": asked[0][2]["cache_subdir"],
                         "file_hash": asked[0][2]["file_hash"], "input_shape": list(model.input_shape)}
                if name.startswith("efficientnet"):
                    entry["layers"] = [layer.name for layer in model.layers]
                info[family(name)][f"{name}_imagenet_{'top' if include_top else 'notop'}"] = entry
    finally:
        data_utils.get_file, keras.Model.load_weights = real_get_file, real_load

    # The multiply of weights='imagenet' EfficientNet, numerically (weights from det_weight).
    data_utils.get_file = lambda fname, origin, **kw: "/nonexistent.h5"
    keras.Model.load_weights = lambda self, path, *a, **kw: None
    try:
        model = build(efficientnet.EfficientNetB0, weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    finally:
        data_utils.get_file, keras.Model.load_weights = real_get_file, real_load
    set_det_weights(model)
    outputs["efficientnet"]["efficientnetb0_imagenet_notop"] = model(det_input((2, 32, 32, 3), "pixels"),
                                                                     training=False).numpy()

    # Small tf-keras .h5 weight files (reduced blocks), for load_weights of tf-keras' own files.
    model = build(densenet.DenseNet, blocks=[1, 2, 1, 1], weights=None, include_top=False, input_shape=(32, 32, 3))
    set_det_weights(model)
    model.save_weights(os.path.join(OUT, "densenet_small_notop.h5"))
    info["densenet"]["densenet_small"] = describe(model)
    outputs["densenet"]["densenet_small"] = model(det_input((2, 32, 32, 3), "unit"), training=False).numpy()

    small_blocks = [dict(efficientnet.DEFAULT_BLOCKS_ARGS[i], repeats=1) for i in (0, 1, 3)]
    model = build(efficientnet.EfficientNet, width_coefficient=0.25, depth_coefficient=1.0, default_size=32,
                  blocks_args=small_blocks, model_name="efficientnet_small", weights=None, include_top=True,
                  classes=7, input_shape=(32, 32, 3))
    set_det_weights(model)
    model.save_weights(os.path.join(OUT, "efficientnet_small.h5"))
    info["efficientnet"]["efficientnet_small"] = describe(model)
    outputs["efficientnet"]["efficientnet_small"] = model(det_input((2, 32, 32, 3), "pixels"), training=False).numpy()

    for f in info:
        with open(os.path.join(OUT, f"{f}_models.json"), "w") as fh:
            json.dump(info[f], fh, separators=(",", ":"))
        np.savez_compressed(os.path.join(OUT, f"{f}_outputs.npz"), **outputs[f])
    print("tf", tf.__version__, "tf-keras", keras.__version__)


if __name__ == "__main__":
    main()
