"""MobileNetV3, InceptionResNetV2 and NASNet against tf-keras 2.21 (tools/make_applications_fixtures3.py).

Each architecture, built with ``weights=None`` at a small input size, must have tf-keras' model name, layer
names and order, weight names, shapes and order, count_params and output shape; the ones marked numeric in the
fixtures get every weight from ``det_weight`` (the generator's formula) and must give tf-keras' outputs on the
same input. ``weights='imagenet'`` must ask for tf-keras' file (name, URL, hash, cache_subdir 'models'). A
reduced MobileNetV3 saved by tf-keras (.h5 weights, JSON config) must load and give tf-keras' outputs, and the
Inception-ResNet scale layer must round-trip through JSON and .keras files without Python code.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastkeras
from fastkeras import backend
from fastkeras.applications import imagenet_utils

from _deterministic import det_input, det_weight, set_det_weights  # noqa: F401  (shared with the fixture scripts' formula)

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "applications")
FAMILIES = ["mobilenet_v3", "inception_resnet_v2", "nasnet"]
CONSTRUCTORS = {
    "mobilenetv3small": "MobileNetV3Small", "mobilenetv3large": "MobileNetV3Large",
    "inception_resnet_v2": "InceptionResNetV2", "nasnetmobile": "NASNetMobile", "nasnetlarge": "NASNetLarge",
}


def load(family):
    with open(os.path.join(HERE, f"{family}_models.json")) as f:
        info = json.load(f)
    return info, dict(np.load(os.path.join(HERE, f"{family}_outputs.npz")))


def cases(numeric):
    out = []
    for family in FAMILIES:
        info, _ = load(family)
        out += [pytest.param(family, name, id=name) for name, e in info.items()
                if "layers" in e and e.get("kwargs") is not None and e["numeric"] == numeric]
    return out


def constructor(name):
    base = next(n for n in sorted(CONSTRUCTORS, key=len, reverse=True) if name.startswith(n))
    return getattr(fastkeras.applications, CONSTRUCTORS[base])


def build(name, entry):
    backend.reset_uids()
    kwargs = dict(entry["kwargs"])
    if "input_shape" in kwargs:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    if "classes" in kwargs:
        kwargs["classifier_activation"] = None
    return constructor(name)(weights=None, **kwargs)


def check_structure(model, entry):
    assert model.name == entry["name"]
    assert [layer.name for layer in model.layers] == entry["layers"]
    assert [[w.name, list(w.shape)] for w in model.weights] == entry["weights"]
    assert model.count_params() == entry["count_params"]
    assert list(model.output_shape) == entry["output_shape"]


def check_outputs(got, want):
    # float32 through 100-800 layers: compared relative to the output's scale
    scale = max(1.0, float(np.abs(want).max()))
    got = got.detach().cpu().numpy() if hasattr(got, "detach") else np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * scale)


@pytest.fixture
def fast_init(monkeypatch):
    """Where weight values do not matter: a clipped normal in place of torch's slow truncated normal
    (NASNetLarge's he_normal kernels, 85M weights)."""
    def clipped_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
        return backend.random_normal(shape, mean, stddev, dtype=dtype, seed=seed).clamp_(mean - 2 * stddev,
                                                                                          mean + 2 * stddev)
    monkeypatch.setattr(backend, "truncated_normal", clipped_normal)


@pytest.mark.parametrize("family,name", cases(numeric=True))
def test_structure_and_outputs(fast_init, family, name):
    info, outputs = load(family)
    entry = info[name]
    model = build(name, entry)
    check_structure(model, entry)
    set_det_weights(model)
    x = det_input((2,) + tuple(entry["kwargs"]["input_shape"]), entry["input_kind"])
    check_outputs(model(x, training=False), outputs[name])


@pytest.mark.parametrize("family,name", cases(numeric=False))
def test_structure(fast_init, family, name):
    info, _ = load(family)
    check_structure(build(name, info[name]), info[name])


@pytest.fixture
def no_download(monkeypatch):
    """``weights='imagenet'`` without the network: get_file records what it is asked for; load_weights does
    nothing (as in the generator)."""
    asked = []
    monkeypatch.setattr(imagenet_utils, "get_file",
                        lambda fname, origin, **kw: asked.append((fname, origin, kw)) or "/nonexistent.h5")
    monkeypatch.setattr(fastkeras.Model, "load_weights", lambda self, path, *a, **kw: None)
    return asked


def imagenet_cases():
    out = []
    for family in FAMILIES:
        info, _ = load(family)
        out += [pytest.param(family, name, id=name) for name in info if "_imagenet_" in name]
    return out


@pytest.mark.parametrize("family,name", imagenet_cases())
def test_imagenet_weight_files(no_download, fast_init, family, name):
    entry = load(family)[0][name]
    include_top = name.endswith("_top")
    kw = dict(entry["kwargs"]) if include_top else dict(entry["kwargs"], input_shape=(75, 75, 3))
    backend.reset_uids()
    model = constructor(name)(weights="imagenet", include_top=include_top, **kw)
    assert len(no_download) == 1
    fname, origin, kwargs = no_download[0]
    assert (fname, origin, kwargs["cache_subdir"], kwargs["file_hash"]) == \
        (entry["file"], entry["origin"], entry["cache_subdir"], entry["file_hash"])
    assert list(model.input_shape) == entry["input_shape"]
    assert model.count_params() == entry["count_params"]


def test_mobilenet_v3_loads_tf_keras_h5():
    """tf-keras' .h5 of a reduced MobileNetV3: layer names with '/' are nested groups in the file."""
    from fastkeras.applications import mobilenet_v3
    info, outputs = load("mobilenet_v3")

    def tiny_stack_fn(x, kernel, activation, se_ratio):
        block = mobilenet_v3._inverted_res_block
        x = block(x, 1, 8, 3, 2, se_ratio, mobilenet_v3.relu, 0)
        x = block(x, 4, 16, kernel, 2, se_ratio, activation, 1)
        return block(x, 3, 16, kernel, 1, se_ratio, activation, 2)

    backend.reset_uids()
    model = mobilenet_v3.MobileNetV3(tiny_stack_fn, 32, input_shape=(32, 32, 3), model_type="tiny",
                                     weights=os.path.join(HERE, "mobilenet_v3_tiny.h5"), classes=5)
    check_structure(model, info["mobilenet_v3_tiny"])
    x = det_input((2, 32, 32, 3), "pixels")
    check_outputs(model(x, training=False), outputs["mobilenet_v3_tiny"])

    # tf-keras' JSON of the same model (its hard-swish op layers included) rebuilds the same graph
    with open(os.path.join(HERE, "mobilenet_v3_tiny_model.json")) as f:
        clone = fastkeras.models.model_from_json(f.read())
    assert [layer.name for layer in clone.layers] == info["mobilenet_v3_tiny"]["layers"]
    clone.load_weights(os.path.join(HERE, "mobilenet_v3_tiny.h5"))
    check_outputs(clone(x, training=False), outputs["mobilenet_v3_tiny"])


def test_mobilenet_v3_json_round_trip():
    """The hard-swish op layers ('tf.__operators__.add', 'tf.math.multiply') are data in the config."""
    info, outputs = load("mobilenet_v3")
    entry = info["mobilenetv3small"]
    model = build("mobilenetv3small", entry)
    set_det_weights(model)
    text = model.to_json()
    assert "tf.math.multiply" in text and "lambda" not in text.lower().replace("tfoplambda", "")
    clone = fastkeras.models.model_from_json(text)
    assert [layer.name for layer in clone.layers] == entry["layers"]
    clone.set_weights(model.get_weights())
    check_outputs(clone(det_input((2, 32, 32, 3), "pixels"), training=False), outputs["mobilenetv3small"])


def _scale_layers(model):
    return [layer for layer in model.layers if type(layer).__name__ == "CustomScaleLayer"]


def test_inception_resnet_v2_scale_layers_round_trip_through_json():
    """The 40 scale layers are tf-keras' (names, scales, registered name); the JSON holds them as data."""
    info, _ = load("inception_resnet_v2")
    entry = info["inception_resnet_v2"]
    model = build("inception_resnet_v2", entry)
    scales = _scale_layers(model)
    assert [layer.name for layer in scales] == ["custom_scale_layer"] + [f"custom_scale_layer_{i}"
                                                                         for i in range(1, 40)]
    assert [layer.scale for layer in scales] == [0.17] * 10 + [0.1] * 20 + [0.2] * 9 + [1.0]

    text = model.to_json()
    scale_entry = next(e for e in json.loads(text)["config"]["layers"] if e["class_name"] == "CustomScaleLayer")
    assert scale_entry["registered_name"] == "Custom>CustomScaleLayer"
    assert scale_entry["config"] == {"name": "custom_scale_layer", "trainable": True, "dtype": "float32",
                                     "scale": 0.17}
    clone = fastkeras.models.model_from_json(text)
    assert [layer.name for layer in clone.layers] == entry["layers"]
    clone.set_weights(model.get_weights())
    x = det_input((2, 75, 75, 3), "unit")
    # the model's own outputs: tf-keras' numbers are checked in test_structure_and_outputs
    check_outputs(clone(x, training=False), model(x, training=False).detach().cpu().numpy())


def test_inception_resnet_block_round_trips_through_keras_file(tmp_path):
    """One Inception-ResNet block (its scale layer included) saved as .keras and loaded without
    custom_objects; the archive's config holds no Python code."""
    import zipfile
    from fastkeras.applications import inception_resnet_v2
    backend.reset_uids()
    inp = fastkeras.Input((9, 9, 32))
    model = fastkeras.Model(inp, inception_resnet_v2.inception_resnet_block(inp, 0.17, "block35", 1))
    path = str(tmp_path / "block.keras")
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = archive.read("config.json").decode()
    entries = json.loads(config)["config"]["layers"]
    assert {e["class_name"] for e in entries} == {"InputLayer", "Conv2D", "BatchNormalization", "Activation",
                                                  "Concatenate", "CustomScaleLayer"}
    assert not any("function" in e["config"] for e in entries)
    scale = next(e for e in entries if e["class_name"] == "CustomScaleLayer")
    assert (scale["registered_name"], scale["config"]["scale"]) == ("Custom>CustomScaleLayer", 0.17)
    restored = fastkeras.models.load_model(path)
    assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
    x = det_input((2, 9, 9, 32), "unit")
    check_outputs(restored(x, training=False), model(x, training=False).detach().cpu().numpy())


def test_tf_keras_scale_layer_json_loads_in_a_fresh_process():
    """A config naming 'Custom>CustomScaleLayer' (as tf-keras writes it) loads without custom_objects and
    without the application module having been imported first."""
    path = os.path.join(HERE, "inception_resnet_v2_scale_model.json")
    code = ("import sys, numpy as np, fastkeras\n"
            "assert 'fastkeras.applications.inception_resnet_v2' not in sys.modules\n"
            f"m = fastkeras.models.model_from_json(open({path!r}).read())\n"
            "t = np.sin(np.arange(96) * 0.0137).reshape(2, 4, 4, 3).astype('float32')\n"
            "import json; print(json.dumps(m([t, 127.5 + 127.5 * t]).numpy().ravel().tolist()))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert result.returncode == 0, result.stderr
    got = np.array(json.loads(result.stdout.strip().splitlines()[-1]), dtype="float32")
    want = load("inception_resnet_v2")[1]["scale_model"].ravel()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-5)


def test_nasnet_channels_first_builds_channels_last_and_restores(fast_init, caplog):
    backend.reset_uids()
    backend.set_image_data_format("channels_first")
    try:
        model = fastkeras.applications.NASNetMobile(weights=None, include_top=False, input_shape=(3, 32, 32))
        assert backend.image_data_format() == "channels_first"
    finally:
        backend.set_image_data_format("channels_last")
    assert "only available for the input data format" in caplog.text
    # tf-keras keeps the channels_first input shape given, and builds every layer channels_last
    assert model.input_shape == (None, 3, 32, 32)
    assert all(getattr(layer, "data_format", "channels_last") == "channels_last" for layer in model.layers)


def test_input_tensor_takes_its_source_inputs():
    backend.reset_uids()
    inp = fastkeras.Input((32, 32, 3))
    x = fastkeras.layers.Rescaling(2.0)(inp)
    model = fastkeras.applications.MobileNetV3Small(weights=None, include_top=False, input_tensor=x,
                                                    pooling="avg", include_preprocessing=False)
    assert model.inputs[0] is inp and model.layers[1].name == "rescaling"
    assert model.output_shape == (None, 576)


def test_argument_errors(fast_init):
    apps = fastkeras.applications
    for fn in (apps.MobileNetV3Small, apps.MobileNetV3Large, apps.InceptionResNetV2, apps.NASNetMobile,
               apps.NASNetLarge):
        with pytest.raises(ValueError, match="The `weights` argument should be either"):
            fn(weights="/no/such/file.h5")
        with pytest.raises(ValueError, match="`classes` should be 1000"):
            fn(weights="imagenet", classes=10)
    # (after building the whole body at the default size: the cheap ones only)
    for fn in (apps.MobileNetV3Small, apps.MobileNetV3Large, apps.NASNetMobile):
        with pytest.raises(ValueError, match="Only `None` and `softmax` activations are allowed"):
            fn(weights="imagenet", include_top=True, classifier_activation="relu")
    for fn in (apps.MobileNetV3Small, apps.NASNetMobile):
        with pytest.raises(ValueError, match="Input size must be at least 32x32"):
            fn(weights=None, include_top=False, input_shape=(20, 20, 3))
    with pytest.raises(ValueError, match="Input size must be at least 75x75"):
        apps.InceptionResNetV2(weights=None, include_top=False, input_shape=(70, 70, 3))
    with pytest.raises(ValueError, match="alpha can be one of `0.75`, `1.0` for non minimalistic"):
        apps.MobileNetV3Small(weights="imagenet", alpha=0.5)
    with pytest.raises(ValueError, match="alpha can be one of"):
        apps.MobileNetV3Large(weights="imagenet", alpha=0.75, minimalistic=True)
    with pytest.raises(ValueError, match="must be static"):
        apps.NASNetMobile(weights="imagenet", include_top=False, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="Unknown argument"):
        apps.InceptionResNetV2(weights=None, foo=1)
    from fastkeras.applications import inception_resnet_v2, nasnet
    with pytest.raises(ValueError, match="Unknown Inception-ResNet block type"):
        inception_resnet_v2.inception_resnet_block(fastkeras.Input((8, 8, 4)), 0.1, "block9", 1)
    with pytest.raises(ValueError, match="must be a multiple of 24"):
        nasnet.NASNet(input_shape=(32, 32, 3), penultimate_filters=1000, weights=None, include_top=False)
    with pytest.raises(ValueError, match="ImageNet weights can only be loaded with NASNetLarge or NASNetMobile"):
        nasnet.NASNet(input_shape=(32, 32, 3), penultimate_filters=96 * 4, num_blocks=1, weights="imagenet",
                      include_top=False, default_size=64)
    with pytest.raises(ValueError, match=r"input_shape\[1\] must equal"):
        apps.MobileNetV3Small(weights=None, input_tensor=fastkeras.Input((32, 40, 3)), input_shape=(32, 32, 3))


def test_preprocess_and_decode_are_modules_functions():
    import importlib
    x = det_input((1, 4, 4, 3), "pixels")
    for name in FAMILIES:
        module = importlib.import_module(f"fastkeras.applications.{name}")
        got = module.preprocess_input(x.copy())
        if name == "mobilenet_v3":  # the identity: the model rescales its inputs itself
            np.testing.assert_array_equal(got, x)
        else:
            np.testing.assert_allclose(got, imagenet_utils.preprocess_input(x.copy(), mode="tf"))
        assert callable(module.decode_predictions)
    names = dir(fastkeras.applications)
    for name in ("MobileNetV3Small", "MobileNetV3Large", "InceptionResNetV2", "NASNetMobile", "NASNetLarge",
                 "mobilenet_v3", "inception_resnet_v2", "nasnet"):
        assert name in names


@pytest.mark.parametrize("name", ["mobilenetv3small", "inception_resnet_v2"])
def test_channels_first_has_the_same_weights(fast_init, name):
    """Built channels_first, the model has the channels_last model's weights (names, shapes, order), so
    Keras' weight files load into it, and its output is channels-first."""
    entry = load(FAMILIES[0] if name.startswith("mobilenet") else FAMILIES[1])[0][name]
    size = tuple(entry["kwargs"]["input_shape"][:2])
    backend.set_image_data_format("channels_first")
    try:
        backend.reset_uids()
        model = constructor(name)(weights=None, include_top=False, input_shape=(3,) + size)
    finally:
        backend.set_image_data_format("channels_last")
    names = [layer.name for layer in model.layers]
    assert names == entry["layers"][:len(names)]  # the top model's layers up to its body's end
    weights = [[w.name, list(w.shape)] for w in model.weights]
    assert weights == entry["weights"][:len(weights)]
    channels = weights[-1][1][0]  # the last batch norm's moving variance
    assert model.output_shape[:2] == (None, channels) and len(model.output_shape) == 4
