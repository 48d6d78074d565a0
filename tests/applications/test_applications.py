"""fastkeras.applications against tf-keras 2.21: fixtures from tools/make_applications_fixtures.py.

For each architecture case: the same model name, layer names and order, weight names, shapes and order,
trainable weights, count_params and output shape as tf-keras; for the cases with a forward pass, the same
outputs (1e-4, relative to the output's scale) with weights loaded from tf-keras' .h5 file (MobileNets) or set
by the same deterministic formula as the generator (VGG, ResNet, too large to store).
"""
import hashlib
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras.applications import imagenet_utils

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "applications")


def fixture_json(name):
    with open(os.path.join(HERE, name)) as f:
        return json.load(f)


# --- imagenet_utils ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pre():
    return dict(np.load(os.path.join(HERE, "imagenet_utils_preprocess.npz")))


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_input_numpy(pre, mode):
    np.testing.assert_allclose(imagenet_utils.preprocess_input(pre["x_cl"].copy(), "channels_last", mode),
                               pre[f"{mode}_cl"], rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(imagenet_utils.preprocess_input(pre["x_cf"].copy(), "channels_first", mode),
                               pre[f"{mode}_cf"], rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(imagenet_utils.preprocess_input(pre["x3_cl"].copy(), "channels_last", mode),
                               pre[f"{mode}_x3"], rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(imagenet_utils.preprocess_input(pre["x_cf"][0].copy(), "channels_first", mode),
                               pre[f"{mode}_cf3"], rtol=1e-6, atol=1e-5)
    # the default data_format is the global one (channels_last)
    np.testing.assert_allclose(imagenet_utils.preprocess_input(pre["x_cl"].copy(), mode=mode),
                               pre[f"{mode}_cl"], rtol=1e-6, atol=1e-5)


def test_preprocess_input_numpy_is_in_place_and_casts_ints(pre):
    x = pre["x_cl"].copy()
    imagenet_utils.preprocess_input(x, mode="tf")
    np.testing.assert_allclose(x, pre["tf_cl"], rtol=1e-6)
    out = imagenet_utils.preprocess_input(pre["x_cl"].astype(np.uint8), mode="caffe")
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, pre["caffe_uint8"], rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("fmt", ["cl", "cf"])
def test_preprocess_input_tensor_and_symbolic(pre, mode, fmt):
    import torch
    data_format = "channels_last" if fmt == "cl" else "channels_first"
    x = pre[f"x_{fmt}"]
    out = imagenet_utils.preprocess_input(torch.from_numpy(x.copy()), data_format, mode)
    np.testing.assert_allclose(np.asarray(out), pre[f"{mode}_{fmt}_sym"], rtol=1e-6, atol=1e-5)
    # inside a functional model
    inp = fastkeras.layers.Input(x.shape[1:])
    model = fastkeras.Model(inp, imagenet_utils.preprocess_input(inp, data_format, mode))
    np.testing.assert_allclose(model.predict(x, verbose=0), pre[f"{mode}_{fmt}_sym"], rtol=1e-6, atol=1e-5)


def test_preprocess_input_errors():
    x = np.zeros((1, 2, 2, 3), np.float32)
    with pytest.raises(ValueError, match="Expected mode to be one of `caffe`, `tf` or `torch`"):
        imagenet_utils.preprocess_input(x, mode="bgr")
    with pytest.raises(ValueError, match="Expected data_format to be one of `channels_first`"):
        imagenet_utils.preprocess_input(x, data_format="nhwc")


@pytest.fixture
def class_index_home(tmp_path, monkeypatch):
    """A small class index in a temporary Keras cache ($KERAS_HOME/models), with its own hash expected."""
    data = fixture_json("imagenet_utils_decode.json")
    os.makedirs(tmp_path / "models")
    path = tmp_path / "models" / "imagenet_class_index.json"
    path.write_text(json.dumps(data["index"]))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(path.read_bytes()).hexdigest())
    return data


def test_decode_predictions_from_cached_index(class_index_home):
    data = class_index_home
    decoded = imagenet_utils.decode_predictions(np.array(data["preds"], np.float32), top=3)
    assert [[(a, b) for a, b, _ in r] for r in decoded] == [[(a, b) for a, b, _ in r] for r in data["decoded"]]
    np.testing.assert_allclose([[s for *_, s in r] for r in decoded], [[s for *_, s in r] for r in data["decoded"]],
                               rtol=1e-6)


def test_decode_predictions_shape_error():
    with pytest.raises(ValueError, match=r"Found array with shape: \(2, 10\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_decode_predictions_offline_names_file_and_url(tmp_path, monkeypatch):
    import urllib.request
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)

    def offline(*args, **kwargs):
        raise urllib.error.URLError("offline")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setattr(urllib.request, "urlretrieve", offline)
    with pytest.raises(Exception) as info:
        imagenet_utils.decode_predictions(np.zeros((1, 1000), np.float32))
    assert "imagenet_class_index.json" in str(info.value)
    assert imagenet_utils.CLASS_INDEX_PATH in str(info.value)
    assert os.path.join(str(tmp_path), "models", "imagenet_class_index.json") in str(info.value)


def test_obtain_input_shape_and_correct_pad():
    ois = imagenet_utils.obtain_input_shape
    assert ois(None, 224, 32, "channels_last", require_flatten=True) == (224, 224, 3)
    assert ois(None, 224, 32, "channels_last", require_flatten=False) == (None, None, 3)
    assert ois(None, 224, 32, "channels_first", require_flatten=False) == (3, None, None)
    assert ois((64, 48, 3), 224, 32, "channels_last", require_flatten=True) == (64, 48, 3)
    with pytest.raises(ValueError, match="`input_shape` should be \\(224, 224, 3\\)"):
        ois((64, 64, 3), 224, 32, "channels_last", require_flatten=True, weights="imagenet")
    with pytest.raises(ValueError, match="Input size must be at least 32x32"):
        ois((16, 64, 3), 224, 32, "channels_last", require_flatten=False)
    with pytest.raises(ValueError, match="The input must have 3 channels"):
        ois((64, 64, 1), 224, 32, "channels_last", require_flatten=False, weights="imagenet")
    with pytest.raises(ValueError, match="you should specify a static `input_shape`"):
        ois((None, None, 3), 224, 32, "channels_last", require_flatten=True)
    with pytest.warns(UserWarning, match="1 or 3 input channels"):
        ois((64, 64, 5), 224, 32, "channels_last", require_flatten=False)
    x = fastkeras.layers.Input((33, 32, 3))
    assert imagenet_utils.correct_pad(x, 3) == ((1, 1), (0, 1))
    assert imagenet_utils.correct_pad(fastkeras.layers.Input((None, None, 3)), (3, 5)) == ((0, 1), (1, 2))


# --- architectures ----------------------------------------------------------------------------------------


def formula_weights(names_shapes):
    """The generator's deterministic weights (tools/make_applications_fixtures.py, same function)."""
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


def to_numpy(t):
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def build(meta):
    fastkeras.backend.clear_session()  # tf-keras built each case after clear_session: same automatic names
    kwargs = dict(meta["kwargs"])
    if "input_shape" in kwargs:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    return getattr(fastkeras.applications, meta["builder"])(weights=None, **kwargs)


def check_structure(model, meta):
    assert model.name == meta["name"]
    assert [layer.name for layer in model.layers] == meta["layers"]
    assert [[w.name, list(w.shape)] for w in model.weights] == meta["weights"]
    assert [w.name for w in model.trainable_weights] == meta["trainable"]
    assert model.count_params() == meta["count_params"]
    assert list(model.output_shape) == meta["output_shape"]


def check_outputs(model, case, load):
    data = np.load(os.path.join(HERE, case + ".npz"))
    if load == "h5":
        model.load_weights(os.path.join(HERE, case + ".h5"))
    else:
        model.set_weights(formula_weights([(w.name, tuple(w.shape)) for w in model.weights]))
    y = to_numpy(model(data["x"], training=False))
    scale = max(1.0, float(np.abs(data["y"]).max()))
    np.testing.assert_allclose(y / scale, data["y"] / scale, atol=1e-4, rtol=0)


def run_case(case, load=None):
    meta = fixture_json(case + ".json")
    model = build(meta)
    check_structure(model, meta)
    if load:
        check_outputs(model, case, load)
    return model


@pytest.mark.parametrize("case", ["vgg_vgg16_notop", "vgg_vgg16_top", "vgg_vgg19_notop"])
def test_vgg(case):
    run_case(case, load="formula")


def test_vgg_errors(tmp_path):
    from fastkeras.applications import vgg16
    with pytest.raises(ValueError, match="The `weights` argument should be either"):
        vgg16.VGG16(weights=str(tmp_path / "missing.h5"))
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        vgg16.VGG16(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="Input size must be at least 32x32"):
        vgg16.VGG16(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations are allowed"):
        vgg16.VGG16(weights="imagenet", input_shape=(224, 224, 3), classifier_activation="relu")


def test_imagenet_weights_offline_error_names_file_and_url(tmp_path, monkeypatch):
    import urllib.request
    from fastkeras.applications import vgg19
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def offline(*args, **kwargs):
        raise urllib.error.URLError("offline")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setattr(urllib.request, "urlretrieve", offline)
    with pytest.raises(Exception) as info:
        vgg19.VGG19(include_top=False, input_shape=(32, 32, 3))
    assert "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5" in str(info.value)
    assert vgg19.WEIGHTS_PATH_NO_TOP in str(info.value)
    assert "$KERAS_HOME/models" in str(info.value) and "datasets" not in str(info.value)


def test_weights_path_and_input_tensor(tmp_path):
    from fastkeras.applications import vgg16
    model = vgg16.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    model.set_weights(formula_weights([(w.name, tuple(w.shape)) for w in model.weights]))
    path = str(tmp_path / "w.h5")
    model.save_weights(path)
    inp = fastkeras.layers.Input((32, 32, 3))
    again = vgg16.VGG16(weights=path, include_top=False, input_tensor=inp)
    assert again.inputs[0] is inp
    # a concrete tensor as input_tensor: wrapped in an Input of its shape
    import torch
    concrete = vgg16.VGG16(weights=None, include_top=False, input_tensor=torch.zeros(1, 32, 32, 3))
    assert tuple(to_numpy(concrete(np.zeros((1, 32, 32, 3), np.float32))).shape) == (1, 1, 1, 512)
    x = np.random.default_rng(0).random((1, 32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(to_numpy(again(x)), to_numpy(model(x)), rtol=1e-6)


@pytest.mark.parametrize("case", ["resnet_resnet50_notop", "resnet_resnet50_top", "resnet_resnet50v2_notop",
                                  "resnet_resnet50v2_top"])
def test_resnet_outputs(case):
    run_case(case, load="formula")


@pytest.mark.parametrize("case", ["resnet_resnet101_notop", "resnet_resnet152_notop", "resnet_resnet101v2_top",
                                  "resnet_resnet152v2_notop"])
def test_resnet_deep_structure(case):
    run_case(case)  # the same blocks as ResNet50(V2), deeper: structure only, to keep the suite fast


def test_resnet_modules():
    from fastkeras.applications import resnet, resnet50, resnet_v2
    assert resnet50.ResNet50 is resnet.ResNet50 and fastkeras.applications.ResNet50 is resnet.ResNet50
    x = np.full((1, 2, 2, 3), 255.0, np.float32)
    np.testing.assert_allclose(resnet50.preprocess_input(x.copy()),
                               imagenet_utils.preprocess_input(x.copy(), mode="caffe"))
    np.testing.assert_allclose(resnet_v2.preprocess_input(x.copy()), np.ones_like(x))
    with pytest.raises(ValueError, match="Unknown argument"):
        resnet.ResNet50(weights=None, foo=1)
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        resnet_v2.ResNet50V2(classes=10)


def test_resnet_decode_predictions_uses_the_index(class_index_home):
    from fastkeras.applications import resnet50
    data = class_index_home
    top = resnet50.decode_predictions(np.array(data["preds"], np.float32), top=1)
    assert top[0][0][:2] == tuple(data["decoded"][0][0][:2])


@pytest.mark.parametrize("case", ["mobilenet_mobilenet_notop", "mobilenet_mobilenet_top",
                                  "mobilenet_mobilenetv2_notop", "mobilenet_mobilenetv2_top"])
def test_mobilenet_loads_tf_keras_h5(case):
    run_case(case, load="h5")


@pytest.mark.parametrize("case", ["mobilenet_mobilenet_default", "mobilenet_mobilenetv2_alpha13"])
def test_mobilenet_structure(case):
    run_case(case)


def test_mobilenet_errors():
    from fastkeras.applications import mobilenet, mobilenet_v2
    with pytest.raises(ValueError, match="depth multiplier must be 1"):
        mobilenet.MobileNet(weights="imagenet", depth_multiplier=2)
    with pytest.raises(ValueError, match="alpha can be one of"):
        mobilenet.MobileNet(weights="imagenet", alpha=0.3)
    with pytest.raises(ValueError, match="alpha must be one of `0.35`"):
        mobilenet_v2.MobileNetV2(weights="imagenet", alpha=0.3)
    with pytest.raises(ValueError, match="Unknown argument"):
        mobilenet_v2.MobileNetV2(weights=None, depth_multiplier=2)
    with pytest.raises(ValueError, match="input_tensor.shape\\[2\\] must equal input_shape\\[1\\]"):
        mobilenet_v2.MobileNetV2(weights=None, include_top=False, input_tensor=fastkeras.layers.Input((64, 64, 3)),
                                 input_shape=(64, 48, 3))
    # the model name records the input rows (names as tf-keras 2.21 gives them)
    fastkeras.backend.clear_session()
    assert mobilenet_v2.MobileNetV2(weights=None, include_top=False,
                                    input_tensor=fastkeras.layers.Input((96, 96, 3))).name == "mobilenetv2_1.00_None"
    assert mobilenet.MobileNet(weights=None, include_top=False, alpha=0.5).name == "mobilenet_0.50_None"
    assert mobilenet.MobileNet(weights=None, include_top=False, alpha=0.5,
                               input_shape=(96, 96, 3)).name == "mobilenet_0.50_96"


@pytest.mark.parametrize("case", ["mobilenet_mobilenet_notop", "mobilenet_mobilenetv2_notop"])
def test_channels_first_gives_the_same_outputs(case):
    """Kernels have the same shapes in both data formats, so tf-keras' channels_last weight file loads into a
    channels_first model, which must give tf-keras' outputs on the transposed input (tf-keras itself cannot
    run these channels_first on CPU)."""
    meta = fixture_json(case + ".json")
    data = np.load(os.path.join(HERE, case + ".npz"))
    fastkeras.backend.set_image_data_format("channels_first")
    try:
        kwargs = dict(meta["kwargs"])
        h, w, c = kwargs["input_shape"]
        kwargs["input_shape"] = (c, h, w)
        fastkeras.backend.clear_session()
        model = getattr(fastkeras.applications, meta["builder"])(weights=None, **kwargs)
        assert [layer.name for layer in model.layers] == meta["layers"]
        model.load_weights(os.path.join(HERE, case + ".h5"))
        y = to_numpy(model(np.ascontiguousarray(data["x"].transpose(0, 3, 1, 2)), training=False))
    finally:
        fastkeras.backend.set_image_data_format("channels_last")
    if y.ndim == 4:
        y = y.transpose(0, 2, 3, 1)
    np.testing.assert_allclose(y, data["y"], atol=1e-4, rtol=0)


def test_imagenet_weights_come_from_the_keras_cache(tmp_path, monkeypatch):
    """weights='imagenet' looks the published file name up in $KERAS_HOME/models (MobileNet's files carry no
    hash, so tf-keras' own save_weights file can stand in for the published one)."""
    import shutil
    from fastkeras.applications import mobilenet
    case = "mobilenet_mobilenet_notop"
    os.makedirs(tmp_path / "models")
    # a 64x64 input is not one of the pretrained sizes: tf-keras then loads the 224 file
    shutil.copy(os.path.join(HERE, case + ".h5"), tmp_path / "models" / "mobilenet_2_5_224_tf_no_top.h5")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    model = mobilenet.MobileNet(input_shape=(64, 64, 3), alpha=0.25, include_top=False)
    assert model.name == "mobilenet_0.25_224"
    data = np.load(os.path.join(HERE, case + ".npz"))
    np.testing.assert_allclose(to_numpy(model(data["x"], training=False)), data["y"], atol=1e-4, rtol=0)


def test_applications_reachable_from_the_top_level_package():
    import fastkeras as keras
    assert keras.applications.MobileNetV2 is keras.applications.mobilenet_v2.MobileNetV2
    assert "VGG16" in dir(keras.applications)
