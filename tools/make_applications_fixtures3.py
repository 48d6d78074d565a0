"""Reference fixtures for fastkeras.applications' MobileNetV3, InceptionResNetV2 and NASNet, from tf-keras.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    /work/kvenv/bin/python tools/make_applications_fixtures3.py

As tools/make_applications_fixtures2.py does for the earlier families: each architecture is built with
``weights=None`` at a small input size and its model name, layer names (in order), weight names and shapes,
count_params and output shape are recorded; the models marked numeric get every weight from ``det_weight`` (a
formula of the weight's index and shape that the test repeats, so no large weight file is stored) and their
outputs on a fixed input are recorded. ``weights='imagenet'`` is built with ``get_file`` and ``load_weights``
stubbed (no network) and the file name, URL, hash and cache folder it asks for are recorded, with the input
shape. A reduced MobileNetV3 (three blocks, through MobileNetV3's ``stack_fn``) is saved as a tf-keras .h5 weight
file (its layer names hold '/', nested groups in HDF5) and as tf-keras JSON (with its op layers); a two-input
model around inception_resnet_v2's ``CustomScaleLayer`` is saved as tf-keras JSON.

Writes tests/fixtures/applications/{mobilenet_v3,inception_resnet_v2,nasnet}_*.{json,npz,h5}.
"""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras.src.applications import inception_resnet_v2, mobilenet_v3, nasnet
from tf_keras.src.utils import data_utils

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "applications")
FAMILIES = ("mobilenet_v3", "inception_resnet_v2", "nasnet")


def det_weight(i, name, shape, dtype):
    """The deterministic value of weight number ``i`` (in ``model.weights`` order); the test repeats it."""
    n = int(np.prod(shape)) if shape else 1
    u = np.sin(np.arange(n, dtype=np.float64) * 12.9898 + 78.233 * (i + 1)) * 43758.5453
    t = 2.0 * (u - np.floor(u)) - 1.0  # a hash of (i, position): uniform on [-1, 1), no regular pattern
    if "variance" in name:
        v = 0.6 + 0.4 * t * t
    elif "gamma" in name:
        v = 0.9 + 0.2 * t
    elif ("kernel" in name) and len(shape) >= 2:
        if "depthwise" in name:  # per-channel filters: gain 1, so a separable conv is one He-scaled conv
            v = t * np.sqrt(3.0 / int(np.prod(shape[:2])))
        else:
            v = t * np.sqrt(6.0 / int(np.prod(shape[:-1])))  # He uniform: variance 2 / fan_in
    else:  # biases, betas, moving means
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


V3S, V3L = mobilenet_v3.MobileNetV3Small, mobilenet_v3.MobileNetV3Large
IRV2 = inception_resnet_v2.InceptionResNetV2
# name -> (constructor, build kwargs, input kind, numeric check?); 'pixels' in [0, 255], 'unit' in [-1, 1]
MODELS = {
    "mobilenetv3small": (V3S, dict(input_shape=(32, 32, 3), classes=10), "pixels", True),
    "mobilenetv3large": (V3L, dict(input_shape=(32, 32, 3), classes=10), "pixels", True),
    "mobilenetv3small_minimalistic": (V3S, dict(input_shape=(32, 32, 3), classes=10, minimalistic=True),
                                      "pixels", True),
    "mobilenetv3large_minimalistic_notop_max": (V3L, dict(input_shape=(40, 48, 3), minimalistic=True,
                                                          include_top=False, pooling="max"), "pixels", False),
    "mobilenetv3small_alpha125_nopre": (V3S, dict(input_shape=(32, 32, 3), classes=10, alpha=1.25,
                                                  include_preprocessing=False, dropout_rate=0.0), "unit", True),
    "mobilenetv3large_alpha075_notop_avg": (V3L, dict(input_shape=(33, 47, 3), alpha=0.75, include_top=False,
                                                      pooling="avg"), "pixels", True),
    "mobilenetv3small_nosize": (V3S, dict(classes=10), "pixels", False),
    "inception_resnet_v2": (IRV2, dict(input_shape=(75, 75, 3), classes=10), "unit", True),
    "inception_resnet_v2_notop_max": (IRV2, dict(input_shape=(80, 90, 3), include_top=False, pooling="max"),
                                      "unit", False),
    "nasnetmobile": (nasnet.NASNetMobile, dict(input_shape=(32, 32, 3), classes=10), "unit", True),
    "nasnetmobile_notop_avg": (nasnet.NASNetMobile, dict(input_shape=(40, 48, 3), include_top=False, pooling="avg"),
                               "unit", False),
    "nasnetlarge": (nasnet.NASNetLarge, dict(input_shape=(32, 32, 3), classes=10), "unit", False),
}

# weights='imagenet' cases: name -> (constructor, kwargs)
IMAGENET = {
    **{f"mobilenetv3{kind}{'_minimalistic' if mini else ''}_{alpha}": (fn, dict(alpha=alpha, minimalistic=mini))
       for kind, fn in (("small", V3S), ("large", V3L)) for alpha, mini in ((0.75, False), (1.0, False), (1.0, True))},
    "inception_resnet_v2": (IRV2, {}),
    "nasnetmobile": (nasnet.NASNetMobile, {}),
    "nasnetlarge": (nasnet.NASNetLarge, {}),
}


def family(name):
    if name.startswith("mobilenetv3"):
        return "mobilenet_v3"
    return "inception_resnet_v2" if name.startswith("inception_resnet_v2") else "nasnet"


def tiny_stack_fn(x, kernel, activation, se_ratio):
    """Three inverted residual blocks (strided with squeeze-excite, hard-swish, residual): a MobileNetV3 small
    enough to store as an .h5 file."""
    block = mobilenet_v3._inverted_res_block
    x = block(x, 1, 8, 3, 2, se_ratio, mobilenet_v3.relu, 0)
    x = block(x, 4, 16, kernel, 2, se_ratio, activation, 1)
    return block(x, 3, 16, kernel, 1, se_ratio, activation, 2)


def main():
    os.makedirs(OUT, exist_ok=True)
    info = {f: {} for f in FAMILIES}
    outputs = {f: {} for f in FAMILIES}
    for name, (fn, kwargs, kind, numeric) in MODELS.items():
        extra = {"classifier_activation": None} if "classes" in kwargs else {}
        model = build(fn, weights=None, **kwargs, **extra)
        entry = describe(model)
        entry.update(kwargs=kwargs, input_kind=kind, numeric=numeric)
        if numeric:
            set_det_weights(model)
            x = det_input((2,) + tuple(kwargs["input_shape"]), kind)
            outputs[family(name)][name] = model(x, training=False).numpy()
        info[family(name)][name] = entry
        print(name, entry["count_params"], len(entry["layers"]))

    # weights='imagenet': the file asked for (name, URL, hash) and the input shape, without network.
    asked = []
    real_get_file, real_load = data_utils.get_file, keras.Model.load_weights
    data_utils.get_file = lambda fname, origin, **kw: asked.append([fname, origin, kw]) or "/nonexistent.h5"
    keras.Model.load_weights = lambda self, path, *a, **kw: None
    try:
        for name, (fn, kwargs) in IMAGENET.items():
            for include_top in (True, False):
                asked.clear()
                kw = dict(kwargs) if include_top else dict(kwargs, input_shape=(75, 75, 3))
                model = build(fn, weights="imagenet", include_top=include_top, **kw)
                info[family(name)][f"{name}_imagenet_{'top' if include_top else 'notop'}"] = {
                    "file": asked[0][0], "origin": asked[0][1], "cache_subdir": asked[0][2]["cache_subdir"],
                    "file_hash": asked[0][2]["file_hash"], "input_shape": list(model.input_shape), "kwargs": kwargs,
                    "count_params": int(model.count_params())}
    finally:
        data_utils.get_file, keras.Model.load_weights = real_get_file, real_load

    # A reduced MobileNetV3: tf-keras' .h5 weight file (layer names with '/') and its JSON (op layers).
    model = build(mobilenet_v3.MobileNetV3, stack_fn=tiny_stack_fn, last_point_ch=32, input_shape=(32, 32, 3),
                  model_type="tiny", weights=None, classes=5)
    set_det_weights(model)
    model.save_weights(os.path.join(OUT, "mobilenet_v3_tiny.h5"))
    with open(os.path.join(OUT, "mobilenet_v3_tiny_model.json"), "w") as fh:
        fh.write(model.to_json())
    info["mobilenet_v3"]["mobilenet_v3_tiny"] = describe(model)
    outputs["mobilenet_v3"]["mobilenet_v3_tiny"] = model(det_input((2, 32, 32, 3), "pixels"), training=False).numpy()

    # CustomScaleLayer as tf-keras writes it in a model config (class name, registered name, module, scale).
    keras.backend.clear_session()
    a, b = keras.Input((4, 4, 3)), keras.Input((4, 4, 3))
    model = keras.Model([a, b], inception_resnet_v2.CustomScaleLayer(0.17)([a, b]))
    with open(os.path.join(OUT, "inception_resnet_v2_scale_model.json"), "w") as fh:
        fh.write(model.to_json())
    xa, xb = det_input((2, 4, 4, 3), "unit"), det_input((2, 4, 4, 3), "pixels")
    outputs["inception_resnet_v2"]["scale_model"] = model([xa, xb]).numpy()

    for f in FAMILIES:
        with open(os.path.join(OUT, f"{f}_models.json"), "w") as fh:
            json.dump(info[f], fh, separators=(",", ":"))
        np.savez_compressed(os.path.join(OUT, f"{f}_outputs.npz"), **outputs[f])
    print("tf", tf.__version__, "tf-keras", keras.__version__)


if __name__ == "__main__":
    main()
