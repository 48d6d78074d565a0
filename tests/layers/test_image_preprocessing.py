"""Keras 3's image augmentation layers (RandomGrayscale, RandomInvert, Solarization, AutoContrast, Equalization,
RandomPosterization, RandomColorDegeneration, RandomSaturation, RandomHue, RandomSharpness, RandomErasing, MixUp,
CutMix, Pipeline) against Keras 3.15.1 on torch (fixtures from tools/make_keras3_layer_fixtures.py): outputs in
training mode where the result does not depend on the random draws (pinned or extreme factors, inputs every draw
treats alike), inference, configs and symbolic shapes; then properties of the random transforms themselves."""
import json
import os

import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras import layers, models
from fastkeras.layers import Input, deserialize
from fastkeras.saving.keras3_config import from_keras3

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras3_layers")
with open(os.path.join(FIXTURES, "image_cases.json")) as _f:
    CASES = json.load(_f)["cases"]
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
CALL_CASES = [c for c in CASES if c["config"] is not None]
# The hue cases turn hues by exactly half a turn either way; Keras' own runs differ by ~1e-4 on 0-255 images.
ATOL = {"hue": 2e-3}


def plain(config):
    return json.loads(json.dumps(config, default=lambda o: o.item() if hasattr(o, "item") else list(o)))


def keras3_config(config):
    return from_keras3({"class_name": "X", "config": config})["config"]


def build(case):
    return deserialize({"class_name": case["class_name"], "config": keras3_config(case["config_unbuilt"])})


@pytest.mark.parametrize("case", CALL_CASES, ids=[c["id"] for c in CALL_CASES])
def test_matches_keras3(case):
    cid = case["id"]
    layer = build(case)
    images = ARRAYS[f"{cid}/x0"]
    data = {"images": images, "labels": ARRAYS[f"{cid}/labels"]} if case["labels"] else images
    out = layer(data, training=case["training"])
    atol = next((v for k, v in ATOL.items() if cid.startswith(k)), 1e-4)
    got = out["images"] if case["labels"] else out
    np.testing.assert_allclose(K.to_numpy(got), ARRAYS[f"{cid}/y0"], rtol=1e-5, atol=atol, err_msg=cid)
    if case["labels"]:
        np.testing.assert_allclose(K.to_numpy(out["labels"]), ARRAYS[f"{cid}/y_labels"], rtol=1e-5, atol=1e-5)
    assert plain(layer.get_config()) == keras3_config(case["config"])
    if case["symbolic"] is not None:
        again = deserialize({"class_name": case["class_name"], "config": plain(layer.get_config())})
        shape = images.shape[1:] if images.ndim == 4 else images.shape
        assert list(again(Input(shape)).shape) == case["symbolic"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_configs(case):
    layer = build(case)
    assert plain(layer.get_config()) == keras3_config(case["config_unbuilt"])


# ---- the random transforms ---------------------------------------------------------------------------------------

def images(seed=0, shape=(4, 8, 9, 3)):
    return np.random.default_rng(seed).integers(0, 256, size=shape).astype("float32")


def test_random_layers_are_reproducible_with_a_seed_and_vary_between_calls():
    x = images()
    for make in (lambda: layers.RandomGrayscale(0.5, seed=3), lambda: layers.RandomInvert(0.9, seed=3),
                 lambda: layers.Solarization(0.5, 0.5, seed=3), lambda: layers.RandomPosterization(6, seed=3),
                 lambda: layers.RandomColorDegeneration(0.8, seed=3), lambda: layers.RandomSaturation(0.8, seed=3),
                 lambda: layers.RandomHue(0.8, seed=3), lambda: layers.RandomSharpness(0.8, seed=3),
                 lambda: layers.RandomErasing(seed=3), lambda: layers.MixUp(seed=3), lambda: layers.CutMix(seed=3)):
        a, b = make(), make()
        first = [K.to_numpy(a(x)) for _ in range(3)]
        second = [K.to_numpy(b(x)) for _ in range(3)]
        for u, v in zip(first, second):
            np.testing.assert_array_equal(u, v, err_msg=type(a).__name__)
        assert not all(np.array_equal(first[0], f) for f in first[1:]), type(a).__name__


def test_inference_is_identity_except_auto_contrast():
    x = images(1)
    for layer in (layers.RandomGrayscale(1.0), layers.RandomInvert((1.0, 1.0)), layers.Solarization(),
                  layers.Equalization(), layers.RandomPosterization((2, 2)), layers.RandomColorDegeneration(1.0),
                  layers.RandomSaturation(1.0), layers.RandomHue(1.0), layers.RandomSharpness(1.0),
                  layers.RandomErasing(), layers.MixUp(), layers.CutMix()):
        np.testing.assert_array_equal(K.to_numpy(layer(x, training=False)), x, err_msg=type(layer).__name__)
    model = models.Sequential([Input((8, 9, 3)), layers.RandomInvert((1.0, 1.0)), layers.RandomGrayscale(1.0)])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    stretched = layers.AutoContrast()(x * 0.5 + 10.0, training=False)
    np.testing.assert_allclose(K.to_numpy(stretched).min(axis=(1, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(K.to_numpy(stretched).max(axis=(1, 2)), 255.0, atol=1e-3)


def test_grayscale_draws_per_image():
    x = images(2, (64, 4, 4, 3))
    out = K.to_numpy(layers.RandomGrayscale(0.5, seed=1)(x))
    gray = np.all(out[..., :1] == out, axis=(1, 2, 3))
    assert 10 < gray.sum() < 54
    np.testing.assert_array_equal(out[~gray], x[~gray])


def test_posterization_keeps_high_bits():
    x = images(3)
    out = K.to_numpy(layers.RandomPosterization(4, seed=0)(x))  # 1 to 3 bits kept per image
    for img, orig in zip(out, x):
        kept = [b for b in (1, 2, 3) if np.array_equal(img, (orig.astype("uint8") >> (8 - b) << (8 - b)))]
        assert len(kept) == 1


def test_mixup_mixes_images_and_labels_alike():
    x = images(4, (6, 5, 5, 3))
    labels = np.eye(6, dtype="float32")
    out = layers.MixUp(alpha=0.5, seed=2)({"images": x, "labels": labels})
    mixed, mixed_labels = K.to_numpy(out["images"]), K.to_numpy(out["labels"])
    np.testing.assert_allclose(mixed_labels.sum(1), 1.0, atol=1e-5)
    for i in range(6):
        weight = mixed_labels[i, i] if np.count_nonzero(mixed_labels[i] > 1e-6) == 2 else 1.0
        j = int(np.argmax(np.where(np.arange(6) == i, -1, mixed_labels[i])))
        other = x[j] if weight < 1.0 else x[i]
        np.testing.assert_allclose(mixed[i], weight * x[i] + (1 - weight) * other, rtol=1e-4, atol=1e-2)


def test_cutmix_pastes_boxes_and_mixes_labels_by_area():
    x = np.stack([np.full((32, 32, 3), float(i * 10), "float32") for i in range(5)])
    labels = np.eye(5, dtype="float32")
    out = layers.CutMix(seed=5)({"images": x, "labels": labels})
    mixed, mixed_labels = K.to_numpy(out["images"]), K.to_numpy(out["labels"])
    for i in range(5):
        own = np.mean(mixed[i] == x[i, 0, 0, 0])
        # The label weight is the box's exact area; the pasted pixels are those whose corner falls inside it.
        np.testing.assert_allclose(mixed_labels[i, i] if own < 1 else 1.0, own, atol=0.08)
    np.testing.assert_allclose(mixed_labels.sum(1), 1.0, atol=1e-5)


def test_erasing_fills_a_box_with_noise_or_a_colour():
    x = images(5, (3, 10, 10, 3))
    out = K.to_numpy(layers.RandomErasing(factor=(1.0, 1.0), scale=(0.2, 0.2), fill_value=(1.0, 2.0, 3.0),
                                          seed=0)(x))
    for img, orig in zip(out, x):
        changed = np.any(img != orig, axis=-1)
        assert 5 <= changed.sum() <= 36
        np.testing.assert_array_equal(img[changed], np.broadcast_to([1.0, 2.0, 3.0], img[changed].shape))


def test_single_images_dicts_and_pipelines():
    x = images(6)
    single = K.to_numpy(layers.RandomInvert((1.0, 1.0))(x[0]))
    np.testing.assert_array_equal(single, 255.0 - x[0])
    out = layers.Pipeline([layers.RandomInvert((1.0, 1.0)), layers.RandomInvert((1.0, 1.0))])(
        {"images": x, "labels": np.arange(4)})
    np.testing.assert_allclose(K.to_numpy(out["images"]), x, atol=1e-4)
    np.testing.assert_array_equal(K.to_numpy(out["labels"]), np.arange(4))
    pipeline = layers.Pipeline([layers.RandomGrayscale(1.0), layers.AutoContrast()], name="augment")
    config = pipeline.get_config()
    assert sorted(config) == ["layers", "name"] and config["name"] == "augment"
    again = layers.Pipeline.from_config(json.loads(json.dumps(config, default=list)))
    assert [type(l).__name__ for l in again.layers] == ["RandomGrayscale", "AutoContrast"]
    model = models.Sequential([Input((8, 9, 3)), pipeline, layers.Conv2D(2, 3)])
    assert model.predict(x, verbose=0).shape == (4, 6, 7, 2)


def test_augmentation_in_a_saved_model(tmp_path):
    inputs = Input((8, 9, 3))
    x = layers.RandomSaturation(0.3)(layers.RandomHue(0.2)(layers.Equalization()(inputs)))
    x = layers.RandomSharpness(0.4)(layers.RandomColorDegeneration(0.2)(x))
    outputs = layers.Dense(2)(layers.GlobalAveragePooling2D()(layers.AutoContrast()(x)))
    model = models.Model(inputs, outputs)
    model.compile("sgd", "mse")
    data = images(7, (8, 8, 9, 3))
    model.fit(data, np.zeros((8, 2), "float32"), epochs=1, verbose=0)
    before = model.predict(data, verbose=0)
    for suffix in (".keras", ".h5"):
        path = str(tmp_path / f"augment{suffix}")
        model.save(path)
        np.testing.assert_allclose(models.load_model(path, compile=False).predict(data, verbose=0), before,
                                   rtol=1e-5, atol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match=r"RandomGrayscale\): `factor` should be between 0 and 1. Received: "
                                         r"factor=1.5"):
        layers.RandomGrayscale(1.5)
    with pytest.raises(ValueError, match=r"the `factor` argument should be a number \(or a list of two numbers\) in "
                                         r"the range \[1, 8\]. Received: factor=9"):
        layers.RandomPosterization(9)
    with pytest.raises(ValueError, match="the `value_range` argument should be a list of two numbers"):
        layers.AutoContrast(value_range=5)
    with pytest.raises(ValueError, match="addition_factor=2"):
        layers.Solarization(addition_factor=2)
    with pytest.raises(ValueError, match=r"`fill_value` argument should be a number \(or a list of three numbers\)"):
        layers.RandomErasing(fill_value=(1, 2))
    with pytest.raises(ValueError, match=r"expects RGB images with 3 channels \(channels_last\); received images "
                                         r"of shape \(None, 8, 8, 4\)"):
        layers.RandomHue(0.2)(Input((8, 8, 4)))
    with pytest.raises(ValueError, match=r"expects images of rank 4 \(a batch\) or 3 \(one image\); received an "
                                         r"input of shape \(None, 8\)"):
        layers.RandomInvert()(Input((8,)))
    with pytest.raises(ValueError, match="a dict with the keys 'images' and optionally 'labels'; received a dict "
                                         r"with keys \['bounding_boxes', 'images'\]"):
        layers.RandomInvert()({"images": images(), "bounding_boxes": np.zeros((4, 1, 4))})
    with pytest.raises(TypeError, match="Pipeline .* takes a list of layers"):
        layers.Pipeline([3])
