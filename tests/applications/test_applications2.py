"""InceptionV3, Xception, DenseNet and EfficientNet against tf-keras 2.21 (tools/make_applications_fixtures2.py).

Each architecture, built with ``weights=None`` at a small input size, must have tf-keras' model name, layer
names and order, weight names, shapes and order and count_params. The ones marked numeric in the fixtures get
every weight from ``det_weight`` (the generator's formula) and must give tf-keras' outputs on the same input.
``weights='imagenet'`` must ask for tf-keras' file (name, URL, hash, cache_subdir 'models') and build the same
graph; two small models saved by tf-keras as .h5 must load with ``load_weights`` and give tf-keras' outputs.
"""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import backend
from fastkeras.applications import imagenet_utils

from _deterministic import det_input, det_weight, set_det_weights  # noqa: F401  (shared with the fixture scripts' formula)

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "applications")
FAMILIES = ["inception", "xception", "densenet", "efficientnet"]
CONSTRUCTORS = {
    "inception_v3": "InceptionV3", "xception": "Xception",
    "densenet121": "DenseNet121", "densenet169": "DenseNet169", "densenet201": "DenseNet201",
    **{f"efficientnetb{i}": f"EfficientNetB{i}" for i in range(8)},
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
                if "layers" in e and "weights" in e and e.get("kwargs") is not None and e["numeric"] == numeric]
    return out


def constructor(name):
    base = next(n for n in sorted(CONSTRUCTORS, key=len, reverse=True) if name.startswith(n))
    return getattr(fastkeras.applications, CONSTRUCTORS[base])


def build(name, entry):
    backend.clear_session()
    kwargs = dict(entry["kwargs"])
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
    # float32 through 100-300 layers: compared relative to the output's scale
    scale = max(1.0, float(np.abs(want).max()))
    got = got.detach().cpu().numpy() if hasattr(got, "detach") else np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * scale)


@pytest.mark.parametrize("family,name", cases(numeric=True))
def test_structure_and_outputs(family, name):
    info, outputs = load(family)
    entry = info[name]
    model = build(name, entry)
    check_structure(model, entry)
    set_det_weights(model)
    x = det_input((2,) + tuple(entry["kwargs"]["input_shape"]), entry["input_kind"])
    check_outputs(model(x, training=False), outputs[name])


@pytest.fixture
def fast_init(monkeypatch):
    """Where weight values do not matter: a clipped normal in place of torch's slow truncated normal (30 s
    for EfficientNetB7's 64M weights otherwise)."""
    def clipped_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
        return backend.random_normal(shape, mean, stddev, dtype=dtype, seed=seed).clamp_(mean - 2 * stddev,
                                                                                          mean + 2 * stddev)
    monkeypatch.setattr(backend, "truncated_normal", clipped_normal)


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
    kw = {} if include_top else {"input_shape": (75, 75, 3)}
    backend.clear_session()
    model = constructor(name)(weights="imagenet", include_top=include_top, **kw)
    fname, origin, kwargs = no_download[0]
    assert (fname, origin, kwargs["cache_subdir"], kwargs["file_hash"]) == \
        (entry["file"], entry["origin"], entry["cache_subdir"], entry["file_hash"])
    assert list(model.input_shape) == entry["input_shape"]
    if "layers" in entry:
        assert [layer.name for layer in model.layers] == entry["layers"]


def test_imagenet_offline_error_names_file_and_url(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def offline(*args, **kwargs):  # no download, even where the network is up
        raise OSError("network unreachable")
    from fastkeras.utils import data_utils
    monkeypatch.setattr(data_utils, "_download", offline)
    fname = "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"
    with pytest.raises(Exception, match=fname) as err:
        fastkeras.applications.DenseNet121(include_top=False, input_shape=(32, 32, 3))
    assert "https://storage.googleapis.com/tensorflow/keras-applications/densenet/" + fname in str(err.value)


def test_densenet_loads_tf_keras_h5():
    info, outputs = load("densenet")
    from fastkeras.applications import densenet
    backend.clear_session()
    model = densenet.DenseNet([1, 2, 1, 1], include_top=False, weights=os.path.join(HERE, "densenet_small_notop.h5"),
                              input_shape=(32, 32, 3))
    check_structure(model, info["densenet_small"])
    check_outputs(model(det_input((2, 32, 32, 3), "unit"), training=False), outputs["densenet_small"])


def test_efficientnet_imagenet_graph_outputs(no_download):
    """The 'imagenet' stem (with tf-keras' extra per-channel multiply) computes what tf-keras' does."""
    _, outputs = load("efficientnet")
    backend.clear_session()
    model = fastkeras.applications.EfficientNetB0(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    set_det_weights(model)
    x = det_input((2, 32, 32, 3), "pixels")
    check_outputs(model(x, training=False), outputs["efficientnetb0_imagenet_notop"])
    # the multiply is an op layer (config is data, no Python code): the graph round-trips through JSON
    clone = fastkeras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    check_outputs(clone(x, training=False), outputs["efficientnetb0_imagenet_notop"])


def test_input_tensor_takes_its_source_inputs():
    backend.clear_session()
    inp = fastkeras.Input((32, 32, 3))
    x = fastkeras.layers.Rescaling(2.0)(inp)
    model = fastkeras.applications.DenseNet121(weights=None, include_top=False, input_tensor=x, pooling="avg")
    assert model.inputs[0] is inp and model.layers[1].name == "rescaling"
    assert model.output_shape == (None, 1024)


def test_efficientnet_loads_tf_keras_h5():
    info, outputs = load("efficientnet")
    from fastkeras.applications import efficientnet
    backend.clear_session()
    small_blocks = [dict(efficientnet.DEFAULT_BLOCKS_ARGS[i], repeats=1) for i in (0, 1, 3)]
    model = efficientnet.EfficientNet(0.25, 1.0, 32, blocks_args=small_blocks, model_name="efficientnet_small",
                                      weights=os.path.join(HERE, "efficientnet_small.h5"), include_top=True,
                                      classes=7, input_shape=(32, 32, 3))
    check_structure(model, info["efficientnet_small"])
    check_outputs(model(det_input((2, 32, 32, 3), "pixels"), training=False), outputs["efficientnet_small"])


@pytest.mark.parametrize("family", FAMILIES)
def test_argument_errors(family):
    fn = {"inception": "InceptionV3", "xception": "Xception", "densenet": "DenseNet121",
          "efficientnet": "EfficientNetB0"}[family]
    fn = getattr(fastkeras.applications, fn)
    with pytest.raises(ValueError, match="The `weights` argument should be either"):
        fn(weights="/no/such/file.h5")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        fn(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="Input size must be at least"):
        fn(weights=None, include_top=False, input_shape=(20, 20, 3))
    with pytest.raises(ValueError, match="Only `None` and `softmax` activations are allowed"):
        fn(weights="imagenet", include_top=True, classifier_activation="relu")


def test_preprocess_and_decode_are_modules_functions():
    import importlib
    mode = {"inception_v3": "tf", "xception": "tf", "densenet": "torch"}
    modules = {"inception": "inception_v3", "xception": "xception", "densenet": "densenet",
               "efficientnet": "efficientnet"}
    x = det_input((1, 4, 4, 3), "pixels")
    for family in FAMILIES:
        module = importlib.import_module(f"fastkeras.applications.{modules[family]}")
        got = module.preprocess_input(x.copy())
        if family == "efficientnet":  # a placeholder there: the model rescales and normalizes itself
            np.testing.assert_array_equal(got, x)
        else:
            want = imagenet_utils.preprocess_input(x.copy(), mode=mode[modules[family]])
            np.testing.assert_allclose(got, want)
        assert callable(module.decode_predictions)
