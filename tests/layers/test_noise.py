"""Noise, spatial dropout and ActivityRegularization layers.

Configs, AlphaDropout's affine constants and the ActivityRegularization losses come from tf-keras 2.21
(tools/make_norm_fixtures.py); the random draws themselves are checked by their statistics, and every layer by
being the identity outside training.
"""
import json

import numpy as np
import pytest

from _norm_cases import ARRAYS, FIXTURE, plain
from fastkeras import backend as K
from fastkeras import layers
from fastkeras.layers import (
    ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise, Input, SpatialDropout1D, SpatialDropout2D,
    SpatialDropout3D, deserialize,
)
from fastkeras.models import Model, Sequential, model_from_json

NOISE = FIXTURE["noise"]
MODELS = {m["name"]: m for m in FIXTURE["models"]}
RNG = np.random.default_rng(0)


@pytest.mark.parametrize("case", NOISE, ids=[c["id"] for c in NOISE])
def test_config_matches_tf_keras(case):
    layer = deserialize({"class_name": case["class_name"], "config": case["config"]})
    config = plain(layer.get_config())
    assert list(config) == list(case["config"])
    assert config == case["config"]


@pytest.mark.parametrize("case", NOISE, ids=[c["id"] for c in NOISE])
def test_identity_outside_training(case):
    layer = deserialize({"class_name": case["class_name"], "config": case["config"]})
    shape = {"SpatialDropout1D": (2, 5, 3), "SpatialDropout2D": (2, 3, 4, 5),
             "SpatialDropout3D": (2, 3, 4, 2, 3)}.get(case["class_name"], (3, 4))
    x = RNG.standard_normal(shape).astype("float32")
    np.testing.assert_array_equal(K.to_numpy(layer(x)), x)
    if case["class_name"] != "ActivityRegularization":  # its call takes no `training`
        np.testing.assert_array_equal(K.to_numpy(layer(x, training=False)), x)
    assert tuple(layer(Input(shape[1:])).shape) == (None,) + shape[1:]


def test_gaussian_noise_statistics():
    x = np.full((400, 250), 2.0, "float32")
    y = K.to_numpy(GaussianNoise(0.3)(x, training=True))
    noise = y - x
    assert abs(noise.mean()) < 0.01
    assert abs(noise.std() - 0.3) < 0.01


def test_gaussian_dropout_statistics():
    rate = 0.2
    x = np.ones((400, 250), "float32")
    y = K.to_numpy(GaussianDropout(rate)(x, training=True))
    assert abs(y.mean() - 1.0) < 0.01
    assert abs(y.std() - np.sqrt(rate / (1 - rate))) < 0.01
    np.testing.assert_array_equal(K.to_numpy(GaussianDropout(0.0)(x, training=True)), x)


def test_alpha_dropout_uses_tf_keras_constants():
    rate, a, b, dropped = ARRAYS["alpha_dropout/constants"]
    x = RNG.standard_normal((300, 100)).astype("float32")
    y = K.to_numpy(AlphaDropout(rate)(x, training=True))
    is_dropped = np.isclose(y, dropped, atol=1e-5)
    assert abs(is_dropped.mean() - rate) < 0.02
    np.testing.assert_allclose(y[~is_dropped], a * x[~is_dropped] + b, rtol=1e-5, atol=1e-5)


def test_alpha_dropout_noise_shape_drops_whole_rows():
    x = RNG.standard_normal((200, 6)).astype("float32")
    rate, _, _, dropped_value = ARRAYS["alpha_dropout/constants"]
    y = K.to_numpy(AlphaDropout(rate, noise_shape=(None, 1))(x, training=True))
    dropped = np.isclose(y, dropped_value, atol=1e-5)
    assert np.all(dropped.all(axis=1) | ~dropped.any(axis=1))
    assert 0.15 < dropped.all(axis=1).mean() < 0.45


@pytest.mark.parametrize("layer, shape, channel_axis", [
    (lambda: SpatialDropout1D(0.4), (60, 7, 8), -1),
    (lambda: SpatialDropout2D(0.4), (60, 3, 4, 8), -1),
    (lambda: SpatialDropout2D(0.4, data_format="channels_first"), (60, 8, 3, 4), 1),
    (lambda: SpatialDropout3D(0.4), (60, 2, 3, 2, 8), -1),
    (lambda: SpatialDropout3D(0.4, data_format="channels_first"), (60, 8, 2, 3, 2), 1),
])
def test_spatial_dropout_drops_whole_feature_maps(layer, shape, channel_axis):
    x = RNG.uniform(1.0, 2.0, shape).astype("float32")
    y = K.to_numpy(layer()(x, training=True))
    moved_x = np.moveaxis(x, channel_axis, 1).reshape(shape[0], shape[channel_axis], -1)
    moved_y = np.moveaxis(y, channel_axis, 1).reshape(shape[0], shape[channel_axis], -1)
    zero = (moved_y == 0).all(axis=-1)
    kept = np.isclose(moved_y, moved_x / 0.6, rtol=1e-6).all(axis=-1)
    assert np.all(zero | kept)
    assert 0.3 < zero.mean() < 0.5


def test_spatial_dropout_expects_its_rank():
    with pytest.raises(ValueError, match="expected ndim=4"):
        SpatialDropout2D(0.5)(Input((3, 4)))


def test_seeded_noise_is_reproducible_and_differs_between_calls():
    x = np.zeros((4, 5), "float32")
    first, second = GaussianNoise(1.0, seed=7), GaussianNoise(1.0, seed=7)
    a1, a2 = K.to_numpy(first(x, training=True)), K.to_numpy(first(x, training=True))
    b1, b2 = K.to_numpy(second(x, training=True)), K.to_numpy(second(x, training=True))
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)
    d1, d2 = SpatialDropout1D(0.5, seed=3), SpatialDropout1D(0.5, seed=3)
    x = np.ones((8, 2, 6), "float32")
    np.testing.assert_array_equal(K.to_numpy(d1(x, training=True)), K.to_numpy(d2(x, training=True)))


def test_rates_are_checked():
    with pytest.raises(ValueError, match="rate"):
        GaussianDropout(1.5)
    with pytest.raises(ValueError, match="rate"):
        AlphaDropout(-0.1)


def test_activity_regularization_loss_matches_tf_keras():
    layer = ActivityRegularization(l1=0.01, l2=0.02)
    y = layer(ARRAYS["activity_regularization/x"])
    np.testing.assert_array_equal(K.to_numpy(y), ARRAYS["activity_regularization/x"])
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(K.to_numpy(layer.losses[0])), float(ARRAYS["activity_regularization/loss"]),
                               rtol=1e-6)


def test_activity_regularization_counts_in_evaluate_and_training():
    name = "activity_model"
    model = model_from_json(json.dumps(MODELS[name]["config"]))
    model.set_weights([ARRAYS[f"{name}/w0"], ARRAYS[f"{name}/w1"]])
    model.compile(optimizer="sgd", loss="mse")
    x, y = ARRAYS[f"{name}/x"], ARRAYS[f"{name}/y"]
    expected = float(ARRAYS[f"{name}/loss"])
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=8, verbose=0), expected, rtol=1e-5)
    # The loss of a training step is measured before the update, with the same penalty.
    np.testing.assert_allclose(float(model.train_on_batch(x, y)), expected, rtol=1e-5)


def test_noisy_model_trains_and_predicts_deterministically():
    inputs = Input((6,))
    x = GaussianNoise(0.1)(inputs)
    x = layers.Dense(8, activation="selu")(x)
    x = AlphaDropout(0.1)(x)
    x = GaussianDropout(0.1)(x)
    model = Model(inputs, layers.Dense(1)(x))
    model.compile(optimizer="adam", loss="mse")
    data = RNG.standard_normal((32, 6)).astype("float32")
    target = data.sum(axis=1, keepdims=True)
    history = model.fit(data, target, epochs=3, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    np.testing.assert_array_equal(model.predict(data, verbose=0), model.predict(data, verbose=0))


def test_spatial_dropout_in_a_sequential_convnet():
    model = Sequential([layers.Conv2D(4, 3, input_shape=(8, 8, 2)), SpatialDropout2D(0.3), layers.Flatten(),
                        layers.Dense(1)])
    assert model.output_shape == (None, 1)
    model.compile(optimizer="sgd", loss="mse")
    x = RNG.standard_normal((4, 8, 8, 2)).astype("float32")
    model.fit(x, np.zeros((4, 1), "float32"), epochs=1, verbose=0)
    config = model.get_config()
    assert [entry["class_name"] for entry in config["layers"]][2] == "SpatialDropout2D"
