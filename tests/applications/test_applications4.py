"""ConvNeXt, EfficientNetV2, RegNet and ResNetRS against tf-keras 2.21 (tools/make_applications_fixtures4.py).

Every public constructor, built with ``weights=None`` at 32x32, must have tf-keras' model name, layer names and
order, weight names, shapes and order (compared as sha1s of the lists, or as the lists where the fixture keeps
them), count_params and output shape. The models marked numeric get every weight from ``det_weight`` (the
generator's formula) and must give tf-keras' outputs on the same input. ``weights='imagenet'`` must ask for
tf-keras' file (name, URL, hash, cache_subdir 'models') and build the same graph; reduced models saved by
tf-keras as .h5 must load with ``load_weights`` and give tf-keras' outputs; the argument checks must raise
tf-keras' messages; ConvNeXt's own layers must save and load by name, without Python code in the file.
"""
import hashlib
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import backend
from fastkeras.applications import imagenet_utils

from _deterministic import det_input, det_weight, set_det_weights  # noqa: F401  (shared with the fixture scripts' formula)

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "applications")
FAMILIES = ["convnext", "efficientnet_v2", "regnet", "resnet_rs"]


def sha(items):
    return hashlib.sha1(json.dumps(items, separators=(",", ":")).encode()).hexdigest()


_CACHE = {}


def load(family):
    if family not in _CACHE:
        with open(os.path.join(HERE, f"{family}_models.json")) as f:
            info = json.load(f)
        _CACHE[family] = info, dict(np.load(os.path.join(HERE, f"{family}_outputs.npz")))
    return _CACHE[family]


def constructor(name):
    return getattr(fastkeras.applications, name)


def check_structure(model, entry):
    layers = [layer.name for layer in model.layers]
    weights = [[w.name, list(w.shape)] for w in model.weights]
    assert model.name == entry["name"]
    if "layers" in entry:  # the full lists: a readable diff
        assert layers == entry["layers"]
        assert weights == entry["weights"]
    assert (len(layers), sha(layers)) == (entry["n_layers"], entry["layers_sha1"])
    assert (len(weights), sha(weights)) == (entry["n_weights"], entry["weights_sha1"])
    assert model.count_params() == entry["count_params"]
    assert list(model.output_shape) == entry["output_shape"]


def check_outputs(got, want, tolerance=1e-4):
    # float32 through 100-300 layers: compared relative to the output's scale
    scale = max(1.0, float(np.abs(want).max()))
    got = got.detach().cpu().numpy() if hasattr(got, "detach") else np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=0, atol=tolerance * scale)


@pytest.fixture
def fast_init(monkeypatch):
    """Where weight values do not matter: uninitialized memory in place of the random initializers (the big
    variants hold 100-350M weights each)."""
    import torch

    def empty(shape, *args, dtype=None, **kwargs):
        return torch.empty(tuple(shape), dtype=getattr(torch, str(dtype or "float32").replace("torch.", "")))
    for fn in ("truncated_normal", "random_normal", "random_uniform"):
        monkeypatch.setattr(backend, fn, empty)


def structure_cases():
    out = []
    for family in FAMILIES:
        info, _ = load(family)
        out += [pytest.param(name, id=name) for name, e in info.items()
                if isinstance(e, dict) and e.get("numeric") is False]
    return out


def family_of(name):
    return next(f for f, prefix in (("convnext", "ConvNeXt"), ("efficientnet_v2", "EfficientNetV2"),
                                    ("regnet", "RegNet"), ("resnet_rs", "ResNetRS")) if name.startswith(prefix))


@pytest.mark.parametrize("name", structure_cases())
def test_structure(fast_init, name):
    entry = load(family_of(name))[0][name]
    backend.clear_session()
    model = constructor(name)(weights=None, classifier_activation=None, **entry["kwargs"])
    check_structure(model, entry)


def numeric_cases():
    out = []
    for family in FAMILIES:
        info, _ = load(family)
        out += [pytest.param(family, key, id=key) for key, e in info.items()
                if isinstance(e, dict) and e.get("numeric") is True]
    return out


# ResNetRS50's 4D features before pooling: every layer agrees with tf-keras' to 1e-4 of its scale up to the
# fourth block group, where the float32 rounding differences start to grow through the sigmoid gates
TOLERANCE = {"ResNetRS50_notop": 1e-3}


@pytest.mark.parametrize("family,key", numeric_cases())
def test_outputs(fast_init, family, key):
    info, outputs = load(family)
    entry = info[key]
    kwargs = dict(entry["kwargs"])
    if kwargs.get("include_top", True):
        kwargs["classifier_activation"] = None
    backend.clear_session()
    model = constructor(entry["constructor"])(weights=None, **kwargs)
    check_structure(model, entry)
    set_det_weights(model)
    check_outputs(model(det_input((2,) + tuple(kwargs["input_shape"])), training=False), outputs[key],
                  TOLERANCE.get(key, 1e-4))


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
    """Every model with its top; without, the first two of each family (building the other 35 again costs
    10 s; their file names follow the same rule and their hashes are in the same tables)."""
    out = []
    for family in FAMILIES:
        info, _ = load(family)
        out += [pytest.param(name, id=name) for name in info if name.endswith("_imagenet_top")]
        out += [pytest.param(name, id=name) for name in [n for n in info if n.endswith("_imagenet_notop")][:2]]
    return out


def check_asked(asked, entry):
    fname, origin, kwargs = asked[-1]
    assert (fname, origin, kwargs["cache_subdir"], kwargs["file_hash"]) == \
        (entry["file"], entry["origin"], entry["cache_subdir"], entry["file_hash"])


@pytest.mark.parametrize("name", imagenet_cases())
def test_imagenet_weight_files(no_download, fast_init, name):
    entry = load(family_of(name))[0][name]
    include_top = name.endswith("_top")
    kw = {} if include_top else {"input_shape": (64, 64, 3)}
    backend.clear_session()
    model = constructor(name.split("_imagenet_")[0])(weights="imagenet", include_top=include_top, **kw)
    check_asked(no_download, entry)
    assert list(model.input_shape) == entry["input_shape"]
    layers = [layer.name for layer in model.layers]
    assert (len(layers), sha(layers)) == (entry["n_layers"], entry["layers_sha1"])


@pytest.mark.parametrize("variant", ["imagenet-i160", "imagenet-i192"])
def test_resnet_rs_named_weight_variants(no_download, fast_init, variant):
    entry = load("resnet_rs")[0][f"ResNetRS101_{variant}_notop"]
    backend.clear_session()
    fastkeras.applications.ResNetRS101(weights=variant, include_top=False, input_shape=(64, 64, 3))
    check_asked(no_download, entry)


@pytest.mark.parametrize("family", FAMILIES)
def test_argument_errors(no_download, fast_init, family):
    fn = {"convnext": "ConvNeXtTiny", "efficientnet_v2": "EfficientNetV2B0", "regnet": "RegNetX002",
          "resnet_rs": "ResNetRS50"}[family]
    fn = constructor(fn)
    want = load(family)[0]["errors"]
    cases = {"bad_weights": dict(weights="/no/such/file.h5"), "bad_classes": dict(weights="imagenet", classes=10),
             "too_small": dict(weights=None, include_top=False, input_shape=(20, 20, 3))}
    for case, kwargs in cases.items():
        backend.clear_session()
        with pytest.raises(ValueError) as err:
            fn(**kwargs)
        assert str(err.value) == want[case], case
    # tf-keras' message ends with the activation function's repr, which differs between the two libraries
    with pytest.raises(ValueError) as err:
        fn(weights="imagenet", classifier_activation="relu")
    prefix = want["bad_activation"].split("Received")[0]
    assert str(err.value).startswith(prefix)


SMALL = {
    "convnext": lambda m, path: m.ConvNeXt([1, 1, 1, 1], [8, 16, 24, 32], drop_path_rate=0.1, default_size=32,
                                           model_name="convnext_small_test", weights=path, classes=5,
                                           input_shape=(32, 32, 3), classifier_activation=None),
    "efficientnet_v2": lambda m, path: m.EfficientNetV2(
        0.5, 1.0, 32, blocks_args=[dict(m.DEFAULT_BLOCKS_ARGS["efficientnetv2-s"][i], num_repeat=r)
                                   for i, r in ((0, 2), (1, 1), (3, 2))],
        model_name="efficientnetv2-s", weights=path, classes=5, input_shape=(32, 32, 3), classifier_activation=None),
    "regnet": lambda m, path: m.RegNet([1, 1, 1, 1], [8, 16, 24, 32], 8, "Y", 32, model_name="regnet_small_test",
                                       weights=path, classes=5, input_shape=(32, 32, 3)),
    "resnet_rs": lambda m, path: m.ResNetRS(
        50, block_args=[{"input_filters": 4, "num_repeats": 1}, {"input_filters": 8, "num_repeats": 1}],
        model_name="resnet-rs-small-test", weights=path, classes=5, input_shape=(32, 32, 3),
        classifier_activation=None),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_reduced_model(fast_init, family):
    """A reduced model of each family (EfficientNetV2's with V2-S's preprocessing and a residual fused block
    without expansion); the ConvNeXt and RegNet ones load tf-keras' .h5 weight files, the others take the
    deterministic weights."""
    import importlib
    info, outputs = load(family)
    module = importlib.import_module(f"fastkeras.applications.{family}")
    backend.clear_session()
    path = os.path.join(HERE, f"{family}_small.h5")
    model = SMALL[family](module, path if family in ("convnext", "regnet") else None)
    check_structure(model, info["small"])
    if family not in ("convnext", "regnet"):
        set_det_weights(model)
    check_outputs(model(det_input((2, 32, 32, 3)), training=False), outputs["small"])


def _small_convnext():
    from fastkeras.applications import convnext
    backend.clear_session()
    return SMALL["convnext"](convnext, os.path.join(HERE, "convnext_small.h5"))


def _layer_configs(model_json, classes=("LayerScale", "StochasticDepth")):
    return [layer for layer in model_json["config"]["layers"] if layer["class_name"] in classes]


def test_convnext_custom_layers_configs_are_tf_keras():
    """LayerScale and StochasticDepth are saved under tf-keras' class names and config keys."""
    want = _layer_configs(load("convnext")[0]["small_json"])
    got = _layer_configs(json.loads(_small_convnext().to_json()))
    assert len(got) == len(want) == 7  # four LayerScale, three StochasticDepth (block 0 drops nothing)
    for g, w in zip(got, want):
        assert g["class_name"] == w["class_name"]
        assert g["config"] == w["config"]
        assert g["inbound_nodes"] == w["inbound_nodes"]


def test_convnext_json_and_keras_round_trip(tmp_path):
    """No Python code in the files: the custom layers resolve by class name, without custom_objects."""
    _, outputs = load("convnext")
    model = _small_convnext()
    x = det_input((2, 32, 32, 3))
    clone = fastkeras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    check_outputs(clone(x, training=False), outputs["small"])
    path = str(tmp_path / "convnext.keras")
    model.save(path)
    loaded = fastkeras.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]
    check_outputs(loaded(x, training=False), outputs["small"])


def test_convnext_loads_tf_keras_json():
    """tf-keras' own JSON of the reduced ConvNeXt (nested Sequentials, op layers, ConvNeXt's layers) builds the
    same model in fastkeras."""
    _, outputs = load("convnext")
    backend.clear_session()
    model = fastkeras.models.model_from_json(json.dumps(load("convnext")[0]["small_json"]))
    model.load_weights(os.path.join(HERE, "convnext_small.h5"))
    check_outputs(model(det_input((2, 32, 32, 3)), training=False), outputs["small"])


def test_stochastic_depth_drops_whole_samples():
    from fastkeras.applications.convnext import LayerScale, StochasticDepth
    layer = StochasticDepth(0.5)
    x = np.ones((64, 3, 3, 2), "float32")
    np.testing.assert_array_equal(backend.get_value(layer(x, training=False)), x)
    y = backend.get_value(layer(x, training=True))
    per_sample = y.reshape(64, -1)
    assert set(np.unique(per_sample)) <= {0.0, 2.0}
    assert (per_sample == per_sample[:, :1]).all()  # one decision per sample
    assert 0 < (per_sample[:, 0] == 0).sum() < 64
    scale = LayerScale(0.25, 2)
    np.testing.assert_allclose(backend.get_value(scale(x)), 0.25 * x)
    assert [w.name for w in scale.weights] == ["layer_scale/gamma:0"]


def test_regnet_head_is_named_by_a_session_counter(fast_init):
    backend.clear_session()
    first = fastkeras.applications.RegNetX002(weights=None, input_shape=(32, 32, 3), classes=3)
    second = fastkeras.applications.RegNetX002(weights=None, input_shape=(32, 32, 3), classes=3)
    assert [layer.name for layer in first.layers[-2:]] == ["1_head_gap", "1head_dense"]
    assert [layer.name for layer in second.layers[-2:]] == ["2_head_gap", "2head_dense"]


@pytest.mark.parametrize("name", ["ConvNeXtTiny", "EfficientNetV2B0", "RegNetX002", "ResNetRS50"])
def test_input_tensor_takes_its_source_inputs(fast_init, name):
    backend.clear_session()
    inp = fastkeras.Input((32, 32, 3))
    x = fastkeras.layers.Rescaling(2.0, name="doubling")(inp)
    model = constructor(name)(weights=None, include_top=False, input_tensor=x, pooling="avg")
    assert model.inputs[0] is inp and model.layers[1].name == "doubling"
    assert len(model.output_shape) == 2


def test_preprocess_and_decode():
    import importlib
    x = det_input((1, 4, 4, 3))
    for family in FAMILIES:
        module = importlib.import_module(f"fastkeras.applications.{family}")
        np.testing.assert_array_equal(module.preprocess_input(x.copy()), x)
        assert callable(module.decode_predictions)
    assert {"ConvNeXtXLarge", "EfficientNetV2L", "RegNetY320", "ResNetRS420"} <= set(dir(fastkeras.applications))
