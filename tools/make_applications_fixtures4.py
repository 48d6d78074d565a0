"""Reference fixtures for fastkeras.applications' ConvNeXt, EfficientNetV2, RegNet and ResNetRS, from tf-keras.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    /work/kvenv/bin/python tools/make_applications_fixtures4.py

Every public constructor is built with ``weights=None`` at a small input size. Its model name, layer count,
weight count, count_params and output shape are recorded with a sha1 of its layer names (in order) and one of
its weight names and shapes (in order), which keeps the fixture small for the 40-odd models; the models checked
numerically also keep the full lists (a readable diff when they disagree). Those get every weight from
``det_weight`` (a formula of the weight's index, name and shape, repeated in the test) and their outputs on a
fixed input are recorded. ``weights='imagenet'`` is built with ``get_file`` and ``load_weights`` stubbed (no
network): the file name, URL, hash and cache folder asked for, the input shape and the layer-name sha1 are
recorded. A reduced model per family is checked numerically too (deterministic weights); the ConvNeXt and RegNet
ones are also saved as tf-keras .h5 weight files (fastkeras must load them), and the reduced ConvNeXt (with
stochastic depth) has its tf-keras JSON config recorded.

Writes tests/fixtures/applications/{convnext,efficientnet_v2,regnet,resnet_rs}_{models.json,outputs.npz} and
{convnext,regnet}_small.h5.
"""
import hashlib
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras.src.applications import convnext, efficientnet_v2, regnet, resnet_rs
from tf_keras.src.utils import data_utils

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "applications")
FAMILIES = ("convnext", "efficientnet_v2", "regnet", "resnet_rs")


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
        if "depthwise" in name or (len(shape) == 4 and shape[2] == 1):  # per-channel filters: gain 1
            v = t * np.sqrt(3.0 / int(np.prod(shape[:2])))
        else:
            v = t * np.sqrt(6.0 / int(np.prod(shape[:-1])))  # He uniform: variance 2 / fan_in
    else:  # biases, betas, moving and normalization means
        v = 0.1 * t
    return v.reshape(shape).astype(dtype)


def det_input(shape):
    n = int(np.prod(shape))
    t = np.sin(np.arange(n, dtype=np.float64) * 0.0137).reshape(shape)
    return (127.5 + 127.5 * t).astype("float32")  # pixels in [0, 255]: every model here normalizes itself


def sha(items):
    return hashlib.sha1(json.dumps(items, separators=(",", ":")).encode()).hexdigest()


def describe(model, full):
    layers = [layer.name for layer in model.layers]
    weights = [[w.name, list(w.shape)] for w in model.weights]
    entry = {"name": model.name, "n_layers": len(layers), "layers_sha1": sha(layers), "n_weights": len(weights),
             "weights_sha1": sha(weights), "count_params": int(model.count_params()),
             "output_shape": list(model.output_shape)}
    if full:
        entry.update(layers=layers, weights=weights)
    return entry


def build(fn, **kwargs):
    keras.backend.clear_session()  # fresh name counters: auto-named layers get the names a new session gives
    return fn(**kwargs)


def set_det_weights(model):
    model.set_weights([det_weight(i, w.name, tuple(w.shape), w.dtype.as_numpy_dtype)
                       for i, w in enumerate(model.weights)])


CONSTRUCTORS = {
    "convnext": {f"ConvNeXt{s}": getattr(convnext, f"ConvNeXt{s}") for s in ("Tiny", "Small", "Base", "Large",
                                                                             "XLarge")},
    "efficientnet_v2": {f"EfficientNetV2{s}": getattr(efficientnet_v2, f"EfficientNetV2{s}")
                        for s in ("B0", "B1", "B2", "B3", "S", "M", "L")},
    "regnet": {f"RegNet{k}{n}": getattr(regnet, f"RegNet{k}{n}") for k in "XY"
               for n in ("002", "004", "006", "008", "016", "032", "040", "064", "080", "120", "160", "320")},
    "resnet_rs": {f"ResNetRS{d}": getattr(resnet_rs, f"ResNetRS{d}") for d in (50, 101, 152, 200, 270, 350, 420)},
}
# Checked numerically (deterministic weights, outputs recorded): name -> (family, constructor, kwargs).
NUMERIC = {
    "ConvNeXtTiny": ("convnext", "ConvNeXtTiny", dict(input_shape=(32, 32, 3), classes=10)),
    "ConvNeXtTiny_notop_avg": ("convnext", "ConvNeXtTiny", dict(input_shape=(35, 45, 3), include_top=False,
                                                                pooling="avg")),
    "ConvNeXtTiny_notop_noprep": ("convnext", "ConvNeXtTiny", dict(input_shape=(32, 40, 3), include_top=False,
                                                                   include_preprocessing=False)),
    "EfficientNetV2B0": ("efficientnet_v2", "EfficientNetV2B0", dict(input_shape=(32, 32, 3), classes=10)),
    "EfficientNetV2B0_notop": ("efficientnet_v2", "EfficientNetV2B0", dict(input_shape=(33, 47, 3),
                                                                           include_top=False)),
    "RegNetX002": ("regnet", "RegNetX002", dict(input_shape=(32, 32, 3), classes=10)),
    "RegNetY002": ("regnet", "RegNetY002", dict(input_shape=(32, 32, 3), classes=10)),
    "RegNetY002_notop_max": ("regnet", "RegNetY002", dict(input_shape=(35, 45, 3), include_top=False,
                                                          pooling="max")),
    "ResNetRS50": ("resnet_rs", "ResNetRS50", dict(input_shape=(32, 32, 3), classes=10)),
    "ResNetRS50_notop": ("resnet_rs", "ResNetRS50", dict(input_shape=(35, 45, 3), include_top=False)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    info = {f: {} for f in FAMILIES}
    outputs = {f: {} for f in FAMILIES}

    # Structure of every public model (weights=None, 32x32, 10 classes, logits).
    for family, table in CONSTRUCTORS.items():
        for name, fn in table.items():
            kwargs = dict(input_shape=(32, 32, 3), classes=10)
            model = build(fn, weights=None, classifier_activation=None, **kwargs)
            entry = describe(model, full=False)  # the numeric entries below keep the full lists
            entry.update(kwargs=kwargs, numeric=False)
            info[family][name] = entry
            print(name, entry["count_params"], entry["n_layers"], flush=True)

    # Outputs with deterministic weights.
    for key, (family, base, kwargs) in NUMERIC.items():
        fn = CONSTRUCTORS[family][base]
        extra = {"classifier_activation": None} if kwargs.get("include_top", True) else {}
        model = build(fn, weights=None, **extra, **kwargs)
        entry = describe(model, full=True)
        entry.update(kwargs=kwargs, numeric=True, constructor=base)
        set_det_weights(model)
        x = det_input((2,) + tuple(kwargs["input_shape"]))
        outputs[family][key] = model(x, training=False).numpy()
        info[family][key] = entry
        print(key, outputs[family][key].shape, flush=True)

    # weights='imagenet': the file asked for (name, URL, hash) and the graph built, without network.
    asked = []
    real_get_file, real_load = data_utils.get_file, keras.Model.load_weights

    def fake_get_file(fname=None, origin=None, **kw):
        asked.append([fname, origin, kw])
        return "/nonexistent.h5"
    data_utils.get_file = fake_get_file
    keras.Model.load_weights = lambda self, path, *a, **kw: None
    try:
        for family, table in CONSTRUCTORS.items():
            for name, fn in table.items():
                for include_top in (True, False):
                    asked.clear()
                    kw = {} if include_top else {"input_shape": (64, 64, 3)}
                    model = build(fn, weights="imagenet", include_top=include_top, **kw)
                    entry = {"file": asked[0][0], "origin": asked[0][1], "cache_subdir": asked[0][2]["cache_subdir"],
                             "file_hash": asked[0][2]["file_hash"], "input_shape": list(model.input_shape),
                             "n_layers": len(model.layers), "layers_sha1": sha([l.name for l in model.layers])}
                    info[family][f"{name}_imagenet_{'top' if include_top else 'notop'}"] = entry
            print(family, "imagenet done", flush=True)
        # ResNetRS takes the named weight variants too
        for variant in ("imagenet-i160", "imagenet-i192"):
            asked.clear()
            build(resnet_rs.ResNetRS101, weights=variant, include_top=False, input_shape=(64, 64, 3))
            info["resnet_rs"][f"ResNetRS101_{variant}_notop"] = {
                "file": asked[0][0], "origin": asked[0][1], "cache_subdir": asked[0][2]["cache_subdir"],
                "file_hash": asked[0][2]["file_hash"], "weights": variant}
    finally:
        data_utils.get_file, keras.Model.load_weights = real_get_file, real_load

    # Argument errors: the messages tf-keras raises.
    errors = {}
    cases = {
        "convnext": convnext.ConvNeXtTiny, "efficientnet_v2": efficientnet_v2.EfficientNetV2B0,
        "regnet": regnet.RegNetX002, "resnet_rs": resnet_rs.ResNetRS50,
    }
    for family, fn in cases.items():
        got = {}
        for case, kw in {"bad_weights": dict(weights="/no/such/file.h5"),
                         "bad_classes": dict(weights="imagenet", classes=10),
                         "too_small": dict(weights=None, include_top=False, input_shape=(20, 20, 3)),
                         "bad_activation": dict(weights="imagenet", classifier_activation="relu")}.items():
            try:
                data_utils.get_file = fake_get_file
                keras.Model.load_weights = lambda self, path, *a, **kw: None
                build(fn, **kw)
                got[case] = None
            except ValueError as e:
                got[case] = str(e)
            finally:
                data_utils.get_file, keras.Model.load_weights = real_get_file, real_load
        errors[family] = got
    for family in FAMILIES:
        info[family]["errors"] = errors[family]

    # Reduced models saved as tf-keras .h5 weight files.
    small = {
        "convnext": lambda: convnext.ConvNeXt(depths=[1, 1, 1, 1], projection_dims=[8, 16, 24, 32], default_size=32,
                                              drop_path_rate=0.1, model_name="convnext_small_test", weights=None,
                                              classes=5,
                                              input_shape=(32, 32, 3), classifier_activation=None),
        # S's preprocessing (a Rescaling to [-1, 1]) and a residual fused block without expansion, which B0
        # (checked numerically above) lacks; V2-S itself is too deep for the deterministic weights (float32
        # rounding differences grow through its 40 blocks past any useful tolerance)
        "efficientnet_v2": lambda: efficientnet_v2.EfficientNetV2(
            0.5, 1.0, 32, blocks_args=[dict(efficientnet_v2.DEFAULT_BLOCKS_ARGS["efficientnetv2-s"][i], num_repeat=r)
                                       for i, r in ((0, 2), (1, 1), (3, 2))],
            model_name="efficientnetv2-s", weights=None, classes=5, input_shape=(32, 32, 3),
            classifier_activation=None),
        "regnet": lambda: regnet.RegNet([1, 1, 1, 1], [8, 16, 24, 32], 8, "Y", 32, model_name="regnet_small_test",
                                        weights=None, classes=5, input_shape=(32, 32, 3)),
        "resnet_rs": lambda: resnet_rs.ResNetRS(
            50, block_args=[{"input_filters": 4, "num_repeats": 1}, {"input_filters": 8, "num_repeats": 1}],
            model_name="resnet-rs-small-test", weights=None, classes=5, input_shape=(32, 32, 3),
            classifier_activation=None),
    }
    for family, make in small.items():
        keras.backend.clear_session()
        model = make()
        set_det_weights(model)
        if family in ("convnext", "regnet"):  # .h5 files for two families only: the fixtures stay small
            model.save_weights(os.path.join(OUT, f"{family}_small.h5"))
        info[family]["small"] = describe(model, full=True)
        if family == "convnext":  # the JSON config: LayerScale, StochasticDepth, nested Sequentials, op layers
            info[family]["small_json"] = json.loads(model.to_json())
        outputs[family]["small"] = model(det_input((2, 32, 32, 3)), training=False).numpy()

    for f in FAMILIES:
        with open(os.path.join(OUT, f"{f}_models.json"), "w") as fh:
            json.dump(info[f], fh, separators=(",", ":"))
        np.savez_compressed(os.path.join(OUT, f"{f}_outputs.npz"), **outputs[f])
    print("tf", tf.__version__, "tf-keras", keras.__version__)


if __name__ == "__main__":
    main()
