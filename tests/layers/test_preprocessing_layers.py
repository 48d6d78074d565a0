"""Preprocessing layers (Rescaling, Resizing, CenterCrop, Normalization, the Random* augmentation layers),
UnitNormalization, GroupNormalization and Identity against tf-keras 2.21.

Expected values: tests/fixtures/preprocessing_layers (tools/make_preprocessing_layer_fixtures.py): outputs, adapt()
results, gradients by tf.GradientTape, configs, symbolic shapes, and a Rescaling + Normalization model saved to
HDF5 by tf-keras. Random layers are compared with tf-keras where their transformation is fixed (a factor range of
one value) and otherwise checked by their properties.
"""
import json
import os

import numpy as np
import pytest
import torch

import fastkeras
from fastkeras import backend as K
from fastkeras import layers
from fastkeras.layers import Input, deserialize

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "preprocessing_layers")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    FIXTURE = json.load(_f)
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
CASES = FIXTURE["cases"]


def plain(config):
    return json.loads(json.dumps(config, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def tolerance(case):
    # Every output within rtol 1e-5 (plus atol 1e-5 near zero). On 0..255 images, resizes reach ~3e-5 absolute
    # (two ulps of 255: the matrix products sum in another order than TensorFlow's kernels), which is 1e-7
    # relative.
    return dict(rtol=1e-5, atol=1e-5)


def make_layer(case):
    return deserialize({"class_name": case["class_name"], "config": case["config_unbuilt"]})


def adapt_data(case):
    cid = case["id"]
    if "adapt_batches" in case:
        return [ARRAYS[f"{cid}/adapt{i}"] for i in range(case["adapt_batches"])]
    return ARRAYS[f"{cid}/adapt"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_output_matches_tf_keras(case):
    cid = case["id"]
    layer = make_layer(case)
    if f"{cid}/after0" in ARRAYS:
        layer.adapt(adapt_data(case), **case["adapt_kwargs"])
        for i, w in enumerate(layer.weights):
            got = K.to_numpy(w)
            np.testing.assert_allclose(got, ARRAYS[f"{cid}/after{i}"], rtol=1e-5, atol=1e-6,
                                       err_msg=f"{cid}: {w.name} after adapt")
        assert plain(layer.get_config()) == case["config_adapted"]
    x = ARRAYS[f"{cid}/x"]
    if case["grads"]:
        layer(K.convert_to_tensor(x))
        layer.set_weights([ARRAYS[f"{cid}/w{i}"] for i in range(len(layer.weights))])
    y = layer(K.convert_to_tensor(x), training=case["training"])
    assert K.dtype(y) == case["output_dtype"]
    np.testing.assert_allclose(K.to_numpy(y), ARRAYS[f"{cid}/y"], **tolerance(case), err_msg=cid)
    # Weight names: tf-keras names weights made by adapt() without the layer's prefix; fastkeras always adds it.
    names = [w.name.split("/")[-1] for w in layer.weights]
    assert names == [w["name"].split("/")[-1] for w in case["weights"]]
    assert [list(w.shape) for w in layer.weights] == [w["shape"] for w in case["weights"]]
    assert [K.dtype(w) for w in layer.weights] == [w["dtype"] for w in case["weights"]]
    config = plain(layer.get_config())
    assert config == case["config"]


GRAD_CASES = [c for c in CASES if c["grads"]]


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c["id"] for c in GRAD_CASES])
def test_gradients_match_tf_keras(case):
    cid = case["id"]
    layer = make_layer(case)
    x = K.convert_to_tensor(ARRAYS[f"{cid}/x"])
    layer(x)
    layer.set_weights([ARRAYS[f"{cid}/w{i}"] for i in range(len(layer.weights))])
    x = x.clone().requires_grad_(True)
    y = layer(x)
    trainable = list(layer.trainable_weights)
    grads = torch.autograd.grad(K.sum(y * K.convert_to_tensor(ARRAYS[f"{cid}/cot"])), [x] + trainable)
    np.testing.assert_allclose(K.to_numpy(grads[0]), ARRAYS[f"{cid}/dx"], rtol=1e-4, atol=1e-4,
                               err_msg=f"{cid}: input gradient")
    for i, g in enumerate(grads[1:]):
        np.testing.assert_allclose(K.to_numpy(g), ARRAYS[f"{cid}/dw{i}"], rtol=1e-4, atol=1e-4,
                                   err_msg=f"{cid}: gradient of {trainable[i].name}")


SYMBOLIC_CASES = [c for c in CASES if "symbolic_output_shape" in c]


@pytest.mark.parametrize("case", SYMBOLIC_CASES, ids=[c["id"] for c in SYMBOLIC_CASES])
def test_config_round_trip_and_symbolic_shape(case):
    layer = make_layer(case)
    assert plain(layer.get_config()) == case["config_unbuilt"]
    clone = type(layer).from_config(layer.get_config())
    assert plain(clone.get_config()) == case["config_unbuilt"]
    x = ARRAYS[f"{case['id']}/x"]
    out = layer(Input(x.shape[1:], dtype=str(x.dtype)))
    assert list(out.shape) == case["symbolic_output_shape"]
    assert out.dtype == case["symbolic_output_dtype"]
    if "symbolic_output_shape" in case and None not in case["symbolic_output_shape"][1:]:
        assert list(layer.compute_output_shape((None,) + x.shape[1:])) == case["symbolic_output_shape"]


# ---- the tf-keras HDF5 model --------------------------------------------------------------------------------------

MODEL_FILES = [(m, f) for m in FIXTURE["models"] for f in m["files"]]


@pytest.mark.parametrize("spec,filename", MODEL_FILES, ids=[f for _, f in MODEL_FILES])
def test_tf_keras_saved_models_load_and_predict(spec, filename):
    model = fastkeras.models.load_model(os.path.join(FIXTURES, filename), compile=False)
    assert [w.name for w in model.weights] == spec["weights"]
    name = spec["name"]
    predictions = model.predict(ARRAYS[f"{name}/x"], verbose=0)
    np.testing.assert_allclose(predictions, ARRAYS[f"{name}/y"], rtol=1e-5, atol=1e-5)
    if name == "rescale_normalize":
        assert isinstance(model.get_layer("rescale"), layers.Rescaling)
        assert isinstance(model.get_layer("norm"), layers.Normalization)


def test_rescaling_normalization_model_in_code_and_h5_round_trip(tmp_path):
    inputs = Input((4,))
    norm = layers.Normalization()
    x = norm(layers.Rescaling(0.5, offset=1.0)(inputs))
    model = fastkeras.Model(inputs, layers.Dense(2)(x))
    data = np.random.default_rng(0).normal(3.0, 2.0, (40, 4)).astype("float32")
    norm.adapt(data)
    np.testing.assert_allclose(K.to_numpy(norm.adapt_mean), data.mean(0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(K.to_numpy(norm.adapt_variance), data.var(0), rtol=1e-4)
    assert int(K.get_value(norm.count)) == 40
    path = str(tmp_path / "m.h5")
    model.save(path)
    loaded = fastkeras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0), rtol=1e-6)


# ---- Normalization.adapt inputs ----------------------------------------------------------------------------------

class _Batches(fastkeras.utils.Sequence):
    def __init__(self, batches):
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        return self.batches[i], np.zeros(len(self.batches[i]))


def test_adapt_accepts_sequences_generators_and_steps():
    rng = np.random.default_rng(1)
    batches = [rng.normal(i, 1.0 + i, (n, 3)).astype("float32") for i, n in enumerate((4, 9, 5))]
    everything = np.concatenate(batches)
    for data in (_Batches(batches), iter(batches), (b for b in batches), batches, "array"):
        layer = layers.Normalization()
        layer.adapt(everything, batch_size=5) if isinstance(data, str) else layer.adapt(data)
        np.testing.assert_allclose(K.to_numpy(layer.adapt_mean), everything.mean(0), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(K.to_numpy(layer.adapt_variance), everything.var(0), rtol=1e-5, atol=1e-6)
        assert layer.is_adapted
    layer = layers.Normalization()
    layer.adapt(_Batches(batches), steps=2)
    np.testing.assert_allclose(K.to_numpy(layer.adapt_mean), everything[:13].mean(0), rtol=1e-5, atol=1e-6)
    layer = layers.Normalization()
    layer.adapt(everything.tolist())  # nested lists of numbers: one array
    np.testing.assert_allclose(K.to_numpy(layer.adapt_mean), everything.mean(0), rtol=1e-5, atol=1e-6)
    assert int(K.get_value(layer.count)) == 18
    # A second adapt starts over.
    layer.adapt(batches[2])
    np.testing.assert_allclose(K.to_numpy(layer.adapt_mean), batches[2].mean(0), rtol=1e-5, atol=1e-6)
    assert int(K.get_value(layer.count)) == 5


def test_normalization_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    layer = layers.Normalization(mean=1.0, variance=2.0)
    with pytest.raises(ValueError, match="Cannot `adapt`"):
        layer.adapt(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"must broadcast.*\(3,\)"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 1.0])(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="range"):
        layers.Normalization(axis=3)(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="batch_size"):
        layers.Normalization().adapt(iter([np.ones((2, 2))]), batch_size=4)


# ---- errors naming the layer ---------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda: layers.Resizing(3, 3, name="rs"), lambda: layers.CenterCrop(2, 2, name="rs"),
                                  lambda: layers.RandomFlip(name="rs"), lambda: layers.RandomRotation(0.1, name="rs"),
                                  lambda: layers.RandomCrop(2, 2, name="rs")])
def test_image_layers_refuse_non_images(make):
    with pytest.raises(ValueError, match=r'Layer "rs" .*rank 4 .*Received an input of shape \(2, 5\)'):
        make()(np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match='Layer "rs"'):
        make()(Input((5,)))


def test_argument_errors():
    with pytest.raises(ValueError, match="interpolation"):
        layers.Resizing(2, 2, interpolation="cubic")
    with pytest.raises(NotImplementedError, match="lanczos3"):
        layers.Resizing(2, 2, interpolation="lanczos3")
    with pytest.raises(ValueError, match="unknown mode"):
        layers.RandomFlip("diagonal")
    with pytest.raises(NotImplementedError, match="fill_mode"):
        layers.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="between"):
        layers.RandomTranslation(1.5, 0.1)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomContrast(-0.1)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomBrightness(2.0)
    with pytest.raises(ValueError, match="larger than -1"):
        layers.RandomHeight((-1.5, 0.2))
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=3)(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="cannot be more"):
        layers.GroupNormalization(groups=8)(np.ones((2, 4), "float32"))
    with pytest.raises(TypeError, match="axis"):
        layers.UnitNormalization(axis="x")


# ---- random layers: properties -----------------------------------------------------------------------------------

def images(shape=(4, 6, 7, 3), seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype("float32")


RANDOM_LAYERS = [
    lambda: layers.RandomFlip(), lambda: layers.RandomRotation(0.3), lambda: layers.RandomZoom(0.3),
    lambda: layers.RandomTranslation(0.3, 0.3), lambda: layers.RandomContrast(0.5),
    lambda: layers.RandomBrightness(0.4), lambda: layers.RandomHeight(0.4), lambda: layers.RandomWidth(0.4),
]


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_random_layers_are_identity_at_inference_and_random_in_training(make):
    x = images()
    layer = make()
    np.testing.assert_array_equal(K.to_numpy(layer(x, training=False)), x)
    outs = [K.to_numpy(layer(x, training=True)) for _ in range(4)]
    outs.append(K.to_numpy(layer(x)))  # not given: augment, as tf-keras' call(training=True) default
    assert any(o.shape != x.shape or not np.allclose(o, x) for o in outs)
    assert all(np.isfinite(o).all() for o in outs)
    # in a model: predict is inference
    inputs = Input((6, 7, 3))
    model = fastkeras.Model(inputs, make()(inputs))
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


@pytest.mark.parametrize("make", RANDOM_LAYERS + [lambda: layers.RandomCrop(3, 4)])
def test_seeded_random_layers_repeat(make):
    x = images()
    config = make().get_config()
    config["seed"] = 1234
    config.pop("name")
    a = type(make()).from_config(config)
    b = type(make()).from_config(config)
    for _ in range(2):
        np.testing.assert_array_equal(K.to_numpy(a(x, training=True)), K.to_numpy(b(x, training=True)))


def test_random_flip_flips_each_image_or_not():
    x = images((16, 5, 6, 2))
    for mode, axes in (("horizontal", [(2,)]), ("vertical", [(1,)]),
                       ("horizontal_and_vertical", [(1,), (2,), (1, 2)])):
        y = K.to_numpy(layers.RandomFlip(mode, seed=3)(x, training=True))
        seen = set()
        for xi, yi in zip(x, y):
            options = {(): xi, **{a: np.flip(xi, tuple(d - 1 for d in a)) for a in axes}}
            match = [a for a, v in options.items() if np.array_equal(v, yi)]
            assert match, mode
            seen.add(match[0])
        assert len(seen) > 1


def test_random_crop_windows_and_inference_resize():
    x = images((3, 8, 9, 2))
    layer = layers.RandomCrop(5, 4, seed=1)
    for _ in range(5):
        y = K.to_numpy(layer(x, training=True))
        assert y.shape == (3, 5, 4, 2)
        hits = [(t, l) for t in range(4) for l in range(6) if np.array_equal(x[:, t:t + 5, l:l + 4], y)]
        assert hits
    assert K.to_numpy(layer(x, training=False)).shape == (3, 5, 4, 2)


def test_random_contrast_and_brightness_ranges():
    x = images((6, 5, 5, 3))
    for _ in range(3):
        y = K.to_numpy(layers.RandomContrast((0.2, 0.5))(x, training=True))
        assert y.min() >= 0 and y.max() <= 255
        mean = x.mean(axis=(1, 2), keepdims=True)
        inside = (y > 0) & (y < 255)
        factors = ((y - mean) / (x - mean))[inside]
        assert np.allclose(factors, factors[0], rtol=1e-3) and 0.8 - 1e-4 <= factors[0] <= 1.5 + 1e-4
    y = K.to_numpy(layers.RandomBrightness((0.1, 0.3), value_range=(0, 255))(x, training=True))
    assert y.min() >= 0 and y.max() <= 255
    for xi, yi in zip(x, y):
        delta = (yi - xi)[yi < 255]  # one delta per image, in [0.1, 0.3] * 255, before clipping
        assert np.allclose(delta, delta[0], atol=1e-3) and 0.1 * 255 - 1e-3 <= delta[0] <= 0.3 * 255 + 1e-3


def test_random_height_and_width_sizes():
    x = images((2, 10, 10, 1))
    for _ in range(5):
        h = K.to_numpy(layers.RandomHeight((-0.5, 0.5))(x, training=True)).shape
        assert h[0] == 2 and 5 <= h[1] <= 15 and h[2:] == (10, 1)
        w = K.to_numpy(layers.RandomWidth(0.3)(x, training=True)).shape
        assert w[:2] == (2, 10) and 7 <= w[2] <= 13
    out = layers.RandomHeight(0.2)(Input((10, 10, 1)))
    assert tuple(out.shape) == (None, None, 10, 1)


def test_rotation_by_a_quarter_turn_is_exact():
    x = images((2, 5, 5, 1))
    y = K.to_numpy(layers.RandomRotation((0.25, 0.25))(x, training=True))
    np.testing.assert_allclose(y, np.rot90(x, 1, axes=(1, 2)), atol=1e-3)


# ---- Identity, UnitNormalization, GroupNormalization extras -------------------------------------------------

def test_identity_passes_structures_and_dtypes():
    layer = layers.Identity()
    x = np.arange(6, dtype="int32").reshape(2, 3)
    assert K.dtype(layer(x)) == "int32"
    out = layer(Input((3,), dtype="int32"))
    assert out.dtype == "int32" and tuple(out.shape) == (None, 3)
    assert layers.deserialize(layers.serialize(layer)).get_config()["name"] == layer.name


def test_group_normalization_in_a_model_trains():
    inputs = Input((4, 4, 6))
    x = layers.GroupNormalization(groups=3)(inputs)
    model = fastkeras.Model(inputs, layers.Dense(1)(layers.Flatten()(x)))
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    history = model.fit(rng.normal(size=(16, 4, 4, 6)), rng.normal(size=(16, 1)), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert [w.name.split("/")[-1] for w in model.layers[1].weights] == ["gamma:0", "beta:0"]


def test_normalization_docstring_examples_of_tf_keras():
    layer = layers.Normalization(axis=None)
    layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0], "float32"))
    np.testing.assert_allclose(K.to_numpy(layer(np.array([1.0, 2.0, 3.0], "float32"))),
                               [-1.4142135, -0.70710677, 0.0], rtol=1e-6)
    data = np.array([[0.0, 7.0, 4.0], [2.0, 9.0, 6.0], [0.0, 7.0, 4.0], [2.0, 9.0, 6.0]], "float32")
    layer = layers.Normalization(axis=-1)
    layer.adapt(data)
    np.testing.assert_allclose(K.to_numpy(layer(np.array([[0.0, 7.0, 4.0]], "float32"))), [[-1.0, -1.0, -1.0]])
    layer = layers.Normalization(axis=-1, invert=True)
    layer.adapt(data)
    np.testing.assert_allclose(K.to_numpy(layer(np.array([[1.0, 2.0, 3.0]], "float32"))), [[2.0, 10.0, 8.0]])
    layer = layers.Normalization(mean=3.0, variance=2.0)
    np.testing.assert_allclose(K.to_numpy(layer(np.array([[1.0], [2.0], [3.0]], "float32"))),
                               [[-1.4142135], [-0.70710677], [0.0]], rtol=1e-6)


def test_preprocessing_layers_under_mixed_precision():
    from fastkeras import mixed_precision
    previous = mixed_precision.global_policy()
    mixed_precision.set_global_policy("mixed_float16")
    try:
        x = images((2, 6, 6, 3))
        for layer in (layers.Rescaling(1 / 255.0), layers.Resizing(3, 4), layers.CenterCrop(4, 4),
                      layers.Normalization(mean=1.0, variance=2.0), layers.GroupNormalization(3),
                      layers.RandomRotation(0.1)):
            assert K.dtype(layer(x, training=True) if "Random" in type(layer).__name__ else layer(x)) == "float16"
    finally:
        mixed_precision.set_global_policy(previous)
