"""Reference fixtures for fastkeras.applications (VGG, ResNet, ResNetV2, MobileNet families and imagenet_utils),
written by real Keras 2 (tf-keras 2.21). Run with the tf-keras virtual environment:

    /work/kvenv/bin/python tools/make_applications_fixtures.py

Writes into tests/fixtures/applications/:

- ``imagenet_utils_preprocess.npz``: ``x_cl`` / ``x_cf`` (uint8-valued float32 images, channels_last / first,
  4D) and ``x3_cl`` (3D), and ``<mode>_<fmt>`` / ``<mode>_x3`` what tf-keras' preprocess_input returns;
  ``<mode>_<fmt>_sym`` what the tensor (symbolic) path returns.
- ``imagenet_utils_decode.json``: a small class index (``index``), the predictions given (``preds``) and what
  tf-keras' decode_predictions returns for them with that index in its cache (``decoded``).
- ``<case>.json`` for each architecture case in CASES: the builder's arguments, the model's name, its layer
  names in order, its weights' names and shapes in order, count_params, output shape.
- ``<case>.npz``: ``x`` the input and ``y`` tf-keras' output with the weights set by ``formula_weights`` (the
  same function is in tests/applications/test_applications.py), for the cases that run a forward pass.
- ``<case>.h5``: tf-keras' ``save_weights`` file of that model, for the small cases (MobileNets), so that
  fastkeras' loading of Keras weight files is exercised; the large models rely on the formula instead.
"""
import json
import os
import shutil
import sys
import tempfile

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras.src.applications import imagenet_utils  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "applications")

# case -> (builder, kwargs, run a forward pass, save an .h5)
CASES = {
    "vgg_vgg16_notop": ("VGG16", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg"), True, False),
    "vgg_vgg16_top": ("VGG16", dict(include_top=True, input_shape=(32, 32, 3), classes=10), True, False),
    "vgg_vgg19_notop": ("VGG19", dict(include_top=False, input_shape=(32, 32, 3)), True, False),
    "resnet_resnet50_notop": ("ResNet50", dict(include_top=False, input_shape=(32, 32, 3), pooling="max"),
                              True, False),
    "resnet_resnet50_top": ("ResNet50", dict(include_top=True, input_shape=(32, 32, 3), classes=10), True, False),
    "resnet_resnet101_notop": ("ResNet101", dict(include_top=False), False, False),
    "resnet_resnet152_notop": ("ResNet152", dict(include_top=False), False, False),
    "resnet_resnet50v2_notop": ("ResNet50V2", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg"),
                                True, False),
    "resnet_resnet50v2_top": ("ResNet50V2", dict(include_top=True, input_shape=(32, 32, 3), classes=10,
                                                 classifier_activation=None), True, False),
    "resnet_resnet101v2_top": ("ResNet101V2", dict(include_top=True), False, False),
    "resnet_resnet152v2_notop": ("ResNet152V2", dict(include_top=False), False, False),
    "mobilenet_mobilenet_notop": ("MobileNet", dict(include_top=False, input_shape=(64, 64, 3), alpha=0.25),
                                  True, True),
    "mobilenet_mobilenet_top": ("MobileNet", dict(include_top=True, input_shape=(33, 35, 3), alpha=0.25,
                                                  depth_multiplier=2, classes=7, dropout=0.1,
                                                  classifier_activation=None), True, True),
    "mobilenet_mobilenet_default": ("MobileNet", dict(include_top=True), False, False),
    "mobilenet_mobilenetv2_notop": ("MobileNetV2", dict(include_top=False, input_shape=(64, 64, 3), alpha=0.35,
                                                        pooling="avg"), True, True),
    "mobilenet_mobilenetv2_top": ("MobileNetV2", dict(include_top=True, input_shape=(35, 33, 3), alpha=0.5,
                                                      classes=7), True, True),
    "mobilenet_mobilenetv2_alpha13": ("MobileNetV2", dict(include_top=True, alpha=1.3), False, False),
}


def formula_weights(names_shapes):
    """Deterministic weights from each weight's name and shape: He-scaled kernels, BatchNormalization
    statistics near 1 / 0 (the variance kept positive), small biases, so that deep nets stay finite."""
    values = []
    for i, (name, shape) in enumerate(names_shapes):
        # the legacy RandomState stream is frozen by numpy's compatibility policy
        s = np.random.RandomState(i).uniform(-1.0, 1.0, size=shape)
        leaf = name.split("/")[-1].split(":")[0]
        if leaf in ("kernel", "depthwise_kernel"):
            fan_in = int(np.prod(shape[:-1])) if leaf == "kernel" else int(np.prod(shape[:2]))
            v = s * np.sqrt(6.0 / fan_in)
        elif leaf == "gamma":
            v = 1.0 + 0.2 * s
        elif leaf == "moving_variance":
            v = 1.0 + 0.5 * s * s
        else:  # bias, beta, moving_mean
            v = 0.05 * s
        values.append(v.astype(np.float32))
    return values


def model_input(shape, seed=0):
    return np.random.RandomState(1000 + seed).uniform(-1.0, 1.0, size=shape).astype(np.float32)


def make_case(case, builder, kwargs, forward, save_h5):
    keras.backend.clear_session()
    model = getattr(keras.applications, builder)(weights=None, **kwargs)
    names_shapes = [(w.name, tuple(int(d) for d in w.shape)) for w in model.weights]
    meta = {
        "builder": builder, "kwargs": kwargs, "name": model.name,
        "layers": [layer.name for layer in model.layers],
        "weights": [[n, list(s)] for n, s in names_shapes],
        "trainable": [w.name for w in model.trainable_weights],
        "count_params": int(model.count_params()),
        "output_shape": list(model.output_shape),
    }
    with open(os.path.join(OUT, case + ".json"), "w") as f:
        json.dump(meta, f, indent=0)
    if forward:
        model.set_weights(formula_weights(names_shapes))
        x = model_input((2,) + tuple(kwargs["input_shape"]))
        y = model(x, training=False).numpy()
        np.savez_compressed(os.path.join(OUT, case + ".npz"), x=x, y=y)
    if save_h5:
        model.save_weights(os.path.join(OUT, case + ".h5"))
    print(case, meta["count_params"], len(meta["layers"]))


def make_preprocess():
    rng = np.random.default_rng(0)
    x_cl = rng.integers(0, 256, size=(2, 5, 4, 3)).astype(np.float32)
    x_cf = np.ascontiguousarray(x_cl.transpose(0, 3, 1, 2))
    x3 = x_cl[0].copy()
    out = {"x_cl": x_cl, "x_cf": x_cf, "x3_cl": x3}
    for mode in ("caffe", "tf", "torch"):
        out[f"{mode}_cl"] = imagenet_utils.preprocess_input(x_cl.copy(), "channels_last", mode)
        out[f"{mode}_cf"] = imagenet_utils.preprocess_input(x_cf.copy(), "channels_first", mode)
        out[f"{mode}_x3"] = imagenet_utils.preprocess_input(x3.copy(), "channels_last", mode)
        out[f"{mode}_cf3"] = imagenet_utils.preprocess_input(x_cf[0].copy(), "channels_first", mode)
        out[f"{mode}_cl_sym"] = imagenet_utils.preprocess_input(tf.constant(x_cl), "channels_last", mode).numpy()
        out[f"{mode}_cf_sym"] = imagenet_utils.preprocess_input(tf.constant(x_cf), "channels_first", mode).numpy()
    # uint8 input: cast to floatx first
    out["caffe_uint8"] = imagenet_utils.preprocess_input(x_cl.astype(np.uint8), "channels_last", "caffe")
    np.savez_compressed(os.path.join(OUT, "imagenet_utils_preprocess.npz"), **out)


def make_decode():
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    preds = np.stack([np.sin(0.3 * np.arange(1000) + k) for k in range(2)]).astype(np.float32)
    home = tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(home, "models"))
        with open(os.path.join(home, "models", "imagenet_class_index.json"), "w") as f:
            json.dump(index, f)
        # tf-keras' get_file checks the md5 of a cached file, so a small index has to be handed over directly
        imagenet_utils.CLASS_INDEX = index
        decoded = imagenet_utils.decode_predictions(preds, top=3)
    finally:
        shutil.rmtree(home)
    with open(os.path.join(OUT, "imagenet_utils_decode.json"), "w") as f:
        json.dump({"index": index, "preds": preds.tolist(),
                   "decoded": [[[a, b, float(s)] for a, b, s in r] for r in decoded]}, f)


def main():
    os.makedirs(OUT, exist_ok=True)
    make_preprocess()
    make_decode()
    only = set(sys.argv[1:])
    for case, (builder, kwargs, forward, save_h5) in CASES.items():
        if not only or case in only:
            make_case(case, builder, kwargs, forward, save_h5)


if __name__ == "__main__":
    main()
