"""BatchNormalization and LayerNormalization against tf-keras 2.21 (fixtures from tools/make_norm_fixtures.py):
outputs, gradients, moving statistics after a training call, configs, weights, HDF5 files and training steps."""
import json
import os

import numpy as np
import pytest

from _norm_cases import ARRAYS, FIXTURE, FIXTURES, case_ids, cases_of, check_case, check_configs, check_symbolic
from fastkeras import backend as K
from fastkeras import layers, optimizers
from fastkeras.engine.functional import Functional
from fastkeras.engine.sequential import Sequential
from fastkeras.layers import BatchNormalization, Input, LayerNormalization
from fastkeras.models import Model, model_from_json

CASES = cases_of("BatchNormalization", "LayerNormalization")
MODELS = {m["name"]: m for m in FIXTURE["models"]}


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_matches_tf_keras(case):
    check_case(case)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_config_round_trip_and_symbolic_shape(case):
    check_configs(case)
    check_symbolic(case)


# ---- whole models: files written by tf-keras, and training steps -----------------------------------------------

def convnet_in_code():
    """tools/make_norm_fixtures.py's bn_convnet, written with fastkeras' API (layer names as tf-keras gave them)."""
    config = MODELS["bn_convnet"]["config"]["config"]
    names = [entry["config"]["name"] for entry in config["layers"]][1:]
    inputs = Input((8, 8, 3))
    x = layers.Conv2D(4, 3, activation="relu", name=names[0])(inputs)
    x = BatchNormalization(name=names[1])(x)
    x = layers.MaxPooling2D(name=names[2])(x)
    x = layers.Conv2D(6, 3, padding="same", name=names[3])(x)
    x = BatchNormalization(center=False, momentum=0.9, name=names[4])(x)
    x = layers.Flatten(name=names[5])(x)
    x = layers.Dense(5, name=names[6])(x)
    x = BatchNormalization(name=names[7])(x)
    x = layers.LeakyReLU(name=names[8])(x)
    x = layers.Dropout(0.2, name=names[9])(x)
    outputs = layers.Dense(3, activation="softmax", name=names[10])(x)
    return Model(inputs, outputs, name="bn_convnet")


@pytest.mark.parametrize("build", ["from_tf_keras_json", "in_code"])
def test_tf_keras_hdf5_weights_of_a_convnet_reproduce_predictions(build):
    spec = MODELS["bn_convnet"]
    model = model_from_json(json.dumps(spec["config"])) if build == "from_tf_keras_json" else convnet_in_code()
    assert [w.name for w in model.weights] == [w["name"] for w in spec["weights"]]
    assert [list(w.shape) for w in model.weights] == [w["shape"] for w in spec["weights"]]
    model.load_weights(os.path.join(FIXTURES, "bn_convnet.weights.h5"))
    predictions = model.predict(ARRAYS["bn_convnet/x"], verbose=0)
    np.testing.assert_allclose(predictions, ARRAYS["bn_convnet/predictions"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["bn_fit_dense", "bn_fit_conv"])
def test_one_training_step_matches_tf_keras(name):
    """train_on_batch: the loss, the SGD update of every weight and the moving statistics' update."""
    model = model_from_json(json.dumps(MODELS[name]["config"]))
    n = len(model.weights)
    model.set_weights([ARRAYS[f"{name}/before{i}"] for i in range(n)])
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    loss = model.train_on_batch(ARRAYS[f"{name}/x"], ARRAYS[f"{name}/y"])
    np.testing.assert_allclose(float(loss), float(ARRAYS[f"{name}/loss"]), rtol=1e-5)
    for i, (w, value) in enumerate(zip(model.weights, model.get_weights())):
        np.testing.assert_allclose(value, ARRAYS[f"{name}/after{i}"], rtol=1e-5, atol=1e-6, err_msg=w.name)


def small_bn_model(**bn_kwargs):
    inputs = Input((4,))
    x = layers.Dense(6)(inputs)
    bn = BatchNormalization(**bn_kwargs)
    return Model(inputs, layers.Dense(1)(bn(x))), bn


def test_fit_updates_moving_statistics_and_predict_uses_them():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype("float32") * 3 + 2
    y = rng.standard_normal((32, 1)).astype("float32")
    model, bn = small_bn_model(momentum=0.5)
    model.compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in bn.get_weights()]
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    after = bn.get_weights()
    for name, b, a in zip(["gamma", "beta", "moving_mean", "moving_variance"], before, after):
        assert not np.allclose(a, b), f"{name} did not change in fit"
    # Inference normalizes with the moving statistics: predict is deterministic and differs from a training call.
    p1, p2 = model.predict(x, verbose=0), model.predict(x, verbose=0)
    np.testing.assert_array_equal(p1, p2)
    assert np.allclose(bn.get_weights()[2], after[2])
    assert not np.allclose(K.to_numpy(model(x, training=True)), p1)


def test_frozen_batch_normalization_runs_in_inference_mode_in_fit():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 4)).astype("float32") + 5
    y = rng.standard_normal((16, 1)).astype("float32")
    model, bn = small_bn_model()
    bn.trainable = False
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4
    model.compile(optimizer="sgd", loss="mse")
    before = bn.get_weights()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    for b, a in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(K.to_numpy(model(x, training=True)), K.to_numpy(model(x, training=False)))


def test_training_call_in_inference_context_leaves_statistics_alone():
    bn = BatchNormalization()
    x = np.random.default_rng(2).standard_normal((8, 3)).astype("float32")
    bn(x)  # default: the learning phase, 0
    np.testing.assert_array_equal(bn.get_weights()[2], np.zeros(3))
    bn(x, training=True)
    assert not np.allclose(bn.get_weights()[2], 0)


def test_weights_order_names_and_trainability():
    bn = BatchNormalization(name="bn")
    bn.build((None, 7, 7, 5))
    assert [w.name for w in bn.weights] == ["bn/gamma:0", "bn/beta:0", "bn/moving_mean:0", "bn/moving_variance:0"]
    assert [w.name for w in bn.trainable_weights] == ["bn/gamma:0", "bn/beta:0"]
    assert bn.count_params() == 20
    bare = BatchNormalization(center=False, scale=False, name="bare")
    bare.build((None, 3))
    assert [w.name for w in bare.weights] == ["bare/moving_mean:0", "bare/moving_variance:0"]
    ln = LayerNormalization(axis=[1, 2], name="ln")
    ln.build((None, 3, 4))
    assert [(w.name, tuple(w.shape)) for w in ln.weights] == [("ln/gamma:0", (3, 4)), ("ln/beta:0", (3, 4))]


def test_channels_last_batch_norm_output_is_contiguous():
    """The fused kernel runs on the NHWC tensor viewed as channels_last NCHW: no layout copies come back."""
    x = K.convert_to_tensor(np.random.default_rng(3).standard_normal((2, 5, 6, 4)).astype("float32"))
    bn = BatchNormalization()
    for training in (True, False):
        y = bn(x, training=training)
        assert y.is_contiguous()


def test_regularizers_add_losses():
    bn = BatchNormalization(gamma_regularizer="l2", beta_regularizer="l1", name="bn")
    bn.build((None, 3))
    bn.set_weights([np.full(3, 2.0), np.full(3, -1.0), np.zeros(3), np.ones(3)])
    assert sorted(round(float(K.to_numpy(v)), 6) for v in bn.losses) == [0.03, 0.12]


def test_mask_only_affects_training_statistics():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    bn = BatchNormalization()
    bn.build(x.shape)
    np.testing.assert_array_equal(K.to_numpy(bn(x, mask=mask)), K.to_numpy(bn(x)))
    bn(x, training=True, mask=mask)
    kept = x[mask]
    np.testing.assert_allclose(bn.get_weights()[2], 0.01 * kept.mean(axis=0), rtol=1e-5, atol=1e-7)


def test_k_functions_match_their_formulas():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3, 2)).astype("float32")
    gamma, beta = rng.standard_normal(2).astype("float32"), rng.standard_normal(2).astype("float32")
    mean, var = K.moments(K.convert_to_tensor(x), [0, 1])
    np.testing.assert_allclose(K.to_numpy(mean), x.mean(axis=(0, 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(K.to_numpy(var), x.var(axis=(0, 1)), rtol=1e-5, atol=1e-6)
    normed, m, v = K.normalize_batch_in_training(K.convert_to_tensor(x), K.convert_to_tensor(gamma),
                                                 K.convert_to_tensor(beta), [0, 1], epsilon=1e-3)
    expected = (x - x.mean(axis=(0, 1))) / np.sqrt(x.var(axis=(0, 1)) + 1e-3) * gamma + beta
    np.testing.assert_allclose(K.to_numpy(normed), expected, rtol=1e-5, atol=1e-5)
    assert tuple(m.shape) == tuple(v.shape) == (2,)
    out = K.batch_normalization(K.convert_to_tensor(x), K.convert_to_tensor(x.mean(axis=(0, 2))),
                                K.convert_to_tensor(x.var(axis=(0, 2))), None, None, axis=1, epsilon=0.1)
    expected = (x - x.mean(axis=(0, 2))[:, None]) / np.sqrt(x.var(axis=(0, 2))[:, None] + 0.1)
    np.testing.assert_allclose(K.to_numpy(out), expected, rtol=1e-5, atol=1e-5)


def test_sequential_with_batch_normalization_builds_and_trains():
    model = Sequential([layers.Conv2D(4, 3, input_shape=(6, 6, 1)), BatchNormalization(),
                        layers.Activation("relu"), layers.Flatten(), layers.Dense(2, activation="softmax")])
    assert isinstance(model, Functional)
    assert model.output_shape == (None, 2)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = np.random.default_rng(6).standard_normal((8, 6, 6, 1)).astype("float32")
    y = np.eye(2, dtype="float32")[np.arange(8) % 2]
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_bad_arguments_name_the_problem():
    with pytest.raises(TypeError, match="axis"):
        BatchNormalization(axis="channels")
    with pytest.raises(ValueError, match="axis"):
        BatchNormalization(axis=4).build((None, 3, 4))
    with pytest.raises(ValueError, match="undefined `axis` dimension"):
        BatchNormalization().build((None, 3, None))
    with pytest.raises(ValueError, match="4D or 5D"):
        BatchNormalization(fused=True).build((None, 3))
    with pytest.raises(ValueError, match="Duplicate|duplicate"):
        LayerNormalization(axis=[1, -2]).build((None, 3, 4))
    bn = BatchNormalization()
    bn.build((None, 3))
    with pytest.raises(ValueError, match="expected axis 1 of input shape to have value 3"):
        bn(Input((4,)))


def test_renorm_and_virtual_batch_arguments_are_checked_like_tf_keras():
    with pytest.raises(ValueError, match="invalid keys for `renorm_clipping`.*'rmaxx'"):
        BatchNormalization(renorm=True, renorm_clipping={"rmaxx": 2.0})
    with pytest.raises(ValueError, match="`fused=True` and `renorm=True`"):
        BatchNormalization(renorm=True, fused=True)
    with pytest.raises(ValueError, match="`fused=True` is not supported when `virtual_batch_size`"):
        BatchNormalization(virtual_batch_size=2, fused=True)
    with pytest.raises(ValueError, match="`fused=True` is not supported when `adjustment`"):
        BatchNormalization(adjustment=lambda shape: (1.0, 0.0), fused=True)
    with pytest.raises(ValueError, match="positive integer.*virtual_batch_size=0"):
        BatchNormalization(virtual_batch_size=0).build((None, 3))
    with pytest.raises(ValueError, match="axis cannot include 0"):
        BatchNormalization(axis=0, virtual_batch_size=2).build((4, 3))
    with pytest.raises(ValueError, match="adjustment cannot be specified"):
        BatchNormalization(virtual_batch_size=2, adjustment=lambda shape: (1.0, 0.0)).build((None, 3))
    bn = BatchNormalization(virtual_batch_size=4, name="ghost")
    with pytest.raises(ValueError, match='"ghost".*virtual_batch_size=4 must divide the batch size.*batch of 6'):
        bn(K.convert_to_tensor(np.ones((6, 3), "float32")), training=True)
    # A 4-D input with renorm, virtual batches or adjustment takes the composed route, not the fused kernel.
    for kwargs in ({"renorm": True}, {"virtual_batch_size": 2}, {"adjustment": lambda shape: (1.0, 0.0)}):
        layer = BatchNormalization(**kwargs)
        layer.build((None, 2, 2, 3))
        assert layer.fused is False


def test_adjustment_rescales_and_shifts_the_normalized_batch_in_training_only():
    """tf-keras composes ``adjustment(shape) = (a, b)`` before gamma and beta: x_hat * (a * gamma) + (b * gamma +
    beta); inference ignores it; the config leaves the callable out."""
    rng = np.random.default_rng(3)
    x = K.convert_to_tensor(rng.standard_normal((8, 4)).astype("float32"))
    seen = []

    def adjustment(shape):
        seen.append(tuple(shape))
        return K.constant([2.0, 0.5, 1.0, 3.0]), K.constant([0.1, -0.2, 0.0, 0.3])

    plain, adjusted = BatchNormalization(), BatchNormalization(adjustment=adjustment)
    plain.build((None, 4))
    adjusted.build((None, 4))
    weights = [rng.uniform(0.5, 1.5, 4).astype("float32") for _ in range(4)]
    plain.set_weights(weights)
    adjusted.set_weights(weights)
    gamma, beta = weights[0], weights[1]
    want = (K.to_numpy(plain(x, training=True)) - beta) / gamma  # the normalized batch, x_hat
    want = want * (np.array([2.0, 0.5, 1.0, 3.0]) * gamma) + (np.array([0.1, -0.2, 0.0, 0.3]) * gamma + beta)
    np.testing.assert_allclose(K.to_numpy(adjusted(x, training=True)), want, rtol=1e-5, atol=1e-5)
    assert seen == [(8, 4)]
    np.testing.assert_allclose(K.to_numpy(adjusted(x, training=False)), K.to_numpy(plain(x, training=False)),
                               rtol=1e-6)
    assert "adjustment" not in adjusted.get_config()


def test_renorm_model_trains_saves_and_reloads():
    """A renorm + ghost-batch model fits, and its extra statistics survive an HDF5 round trip."""
    import tempfile
    from fastkeras.models import load_model
    rng = np.random.default_rng(0)
    inputs = Input((6,))
    x = BatchNormalization(renorm=True, renorm_clipping={"rmax": 3.0, "rmin": 1 / 3, "dmax": 5.0})(inputs)
    x = layers.Dense(8, activation="relu")(x)
    x = BatchNormalization(virtual_batch_size=4)(x)
    model = Model(inputs, layers.Dense(1)(x))
    model.compile("adam", "mse")
    data = rng.standard_normal((64, 6)).astype("float32")
    before = model.layers[1].get_weights()
    model.fit(data, data[:, :1] * 2.0, batch_size=16, epochs=2, verbose=0)
    after = model.layers[1].get_weights()
    assert all(not np.allclose(b, a) for b, a in zip(before[2:], after[2:]))  # every statistic moved
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "renorm.h5")
        model.save(path)
        again = load_model(path)
    np.testing.assert_allclose(again.predict(data, verbose=0), model.predict(data, verbose=0), rtol=1e-5, atol=1e-6)
    assert again.layers[1].get_config()["renorm_clipping"] == {"rmax": 3.0, "rmin": 1 / 3, "dmax": 5.0}
