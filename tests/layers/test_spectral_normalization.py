"""SpectralNormalization against tf-keras 2.21 (fixtures from tools/make_spectral_hashed_crossing_fixtures.py):
weight names and order, inference and training-mode outputs from identical weights (vector_u included), the
kernel and vector_u after one and two training calls, gradients, a fit with SGD, a tf-keras .h5 file, configs and
errors."""
import json
import os

import numpy as np
import pytest
import torch

from fastkeras import backend as K
from fastkeras import layers
from fastkeras.layers import SpectralNormalization, deserialize
from fastkeras.models import Model, model_from_json

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "spectral_hashed_crossing")
with open(os.path.join(FIXTURES, "spectral.json")) as f:
    FIXTURE = json.load(f)
ARRAYS = dict(np.load(os.path.join(FIXTURES, "spectral.npz")))
CASES = FIXTURE["cases"]
IDS = [c["name"] for c in CASES]
TOL = {"rtol": 1e-5, "atol": 1e-5}


def plain(config):
    return json.loads(json.dumps(config, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def arrays(case, what):
    return [ARRAYS[f"{case['name']}/{what}/{i}"] for i in range(len(case["weights"]))]


def built_layer(case):
    layer = deserialize({"class_name": "SpectralNormalization", "config": case["config_unbuilt"]})
    layer(K.convert_to_tensor(ARRAYS[f"{case['name']}/x"]))
    return layer


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_weights_are_tf_keras(case):
    layer = built_layer(case)
    assert [(w.name, list(w.shape), w.trainable) for w in layer.weights] == \
        [(w["name"], w["shape"], w["trainable"]) for w in case["weights"]]
    assert len(layer.trainable_weights) == case["num_trainable"]
    assert layer.vector_u.trainable is False


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_inference_leaves_the_kernel_alone(case):
    layer = built_layer(case)
    w0 = arrays(case, "w0")
    layer.set_weights(w0)
    x = K.convert_to_tensor(ARRAYS[f"{case['name']}/x"])
    np.testing.assert_allclose(K.to_numpy(layer(x, training=False)), ARRAYS[f"{case['name']}/infer"], **TOL)
    np.testing.assert_allclose(K.to_numpy(layer(x)), ARRAYS[f"{case['name']}/infer"], **TOL)
    for got, want in zip(layer.get_weights(), w0):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_training_calls_match_tf_keras(case):
    """Outputs, gradients and the normalized kernel / updated vector_u after one and two training calls."""
    name = case["name"]
    layer = built_layer(case)
    layer.set_weights(arrays(case, "w0"))
    x = K.convert_to_tensor(ARRAYS[f"{name}/x"])
    out = layer(x, training=True)
    np.testing.assert_allclose(K.to_numpy(out), ARRAYS[f"{name}/train1"], **TOL)
    loss = torch.sum(out * torch.as_tensor(ARRAYS[f"{name}/r"]))
    grads = torch.autograd.grad(loss, layer.trainable_weights)
    for i, g in enumerate(grads):
        np.testing.assert_allclose(K.to_numpy(g), ARRAYS[f"{name}/grad/{i}"], **TOL)
    for got, want in zip(layer.get_weights(), arrays(case, "after1")):
        np.testing.assert_allclose(got, want, **TOL)
    np.testing.assert_allclose(K.to_numpy(layer(x, training=True)), ARRAYS[f"{name}/train2"], **TOL)
    for got, want in zip(layer.get_weights(), arrays(case, "after2")):
        np.testing.assert_allclose(got, want, **TOL)


def test_normalized_kernel_has_spectral_norm_one():
    """After enough training calls the kernel's largest singular value converges to 1."""
    layer = SpectralNormalization(layers.Dense(6), power_iterations=5)
    x = np.random.default_rng(0).normal(size=(4, 9)).astype("float32")
    layer(x)
    for _ in range(5):
        layer(x, training=True)
    sigma = np.linalg.svd(K.to_numpy(layer.kernel), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, abs=1e-4)


def test_zero_kernel_is_left_unchanged():
    case = next(c for c in CASES if c["name"] == "zero_kernel")
    layer = built_layer(case)
    layer.set_weights(arrays(case, "w0"))
    layer(K.convert_to_tensor(ARRAYS["zero_kernel/x"]), training=True)
    after = layer.get_weights()
    assert not np.isnan(np.concatenate([a.reshape(-1) for a in after])).any()
    for got, want in zip(after, arrays(case, "w0")):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_round_trip(case):
    layer = deserialize({"class_name": "SpectralNormalization", "config": case["config_unbuilt"]})
    assert plain(layer.get_config()) == case["config_unbuilt"]
    again = SpectralNormalization.from_config(plain(layer.get_config()))
    assert plain(again.get_config()) == case["config_unbuilt"]
    assert again.power_iterations == case["config_unbuilt"]["power_iterations"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_symbolic_shape(case):
    layer = deserialize({"class_name": "SpectralNormalization", "config": case["config_unbuilt"]})
    y = layer(layers.Input(tuple(case["input_shape"][1:]), dtype=case["input_dtype"]))
    assert list(y.shape) == case["output_shape"]
    assert [w.name for w in layer.weights] == [w["name"] for w in case["weights"]]


# ---- training in fit, files -------------------------------------------------------------------------------------

def fit_model():
    return model_from_json(json.dumps(FIXTURE["fit"]["model"]))


def test_fit_matches_tf_keras():
    """SGD on a model with a spectrally normalized Dense: same losses, weights (vector_u too) and predictions."""
    from fastkeras import optimizers
    spec = FIXTURE["fit"]
    model = fit_model()
    assert [(w.name, list(w.shape)) for w in model.weights] == [(w["name"], w["shape"]) for w in spec["weights"]]
    model.set_weights([ARRAYS[f"fit/init/{i}"] for i in range(len(spec["weights"]))])
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    history = model.fit(ARRAYS["fit/x"], ARRAYS["fit/y"], batch_size=8, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], spec["losses"], rtol=1e-5)
    for i, got in enumerate(model.get_weights()):
        np.testing.assert_allclose(got, ARRAYS[f"fit/final/{i}"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(ARRAYS["fit/x"], verbose=0), ARRAYS["fit/predictions"],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("file_name", ["fit.weights.h5", "fit_legacy.h5"])
def test_tf_keras_h5_weights_load(file_name):
    """Both of tf-keras' weight-file layouts: Keras 3's object paths and Keras 2's layer names."""
    model = fit_model()
    model.load_weights(os.path.join(FIXTURES, file_name))
    for i, got in enumerate(model.get_weights()):
        np.testing.assert_allclose(got, ARRAYS[f"fit/final/{i}"], rtol=0, atol=0)
    np.testing.assert_allclose(model.predict(ARRAYS["fit/x"], verbose=0), ARRAYS["fit/predictions"],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("file_name", ["w.weights.h5", "w.h5"])
def test_weight_files_and_json_round_trip(tmp_path, file_name):
    model = fit_model()
    model.set_weights([ARRAYS[f"fit/final/{i}"] for i in range(len(FIXTURE["fit"]["weights"]))])
    model.save_weights(str(tmp_path / file_name))
    again = model_from_json(model.to_json())
    again.load_weights(str(tmp_path / file_name))
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_object_layout_file_has_tf_keras_paths(tmp_path):
    import h5py
    model = fit_model()
    model.save_weights(str(tmp_path / "w.weights.h5"))

    def datasets(path):
        found = []
        with h5py.File(path, "r") as f:
            f["layers"].visititems(lambda n, o: found.append((n, o.shape)) if isinstance(o, h5py.Dataset) else None)
        return sorted(found)
    assert datasets(tmp_path / "w.weights.h5") == datasets(os.path.join(FIXTURES, "fit.weights.h5"))


def test_functional_model_with_masked_embedding():
    """The wrapped layer's mask flows on (as in tf-keras); a training call in a model updates vector_u."""
    ids = layers.Input((4,), dtype="int32")
    wrapped = SpectralNormalization(layers.Embedding(12, 3, mask_zero=True))
    x = wrapped(ids)
    assert x._keras_mask is not None
    out = layers.LSTM(2)(x)
    model = Model(ids, out)
    data = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    u0 = K.to_numpy(wrapped.vector_u).copy()
    model(data, training=False)
    np.testing.assert_array_equal(K.to_numpy(wrapped.vector_u), u0)
    model(data, training=True)
    assert not np.allclose(K.to_numpy(wrapped.vector_u), u0)


# ---- errors -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, -2, None, 1.5])
def test_power_iterations_must_be_positive(value):
    with pytest.raises(ValueError, match="power_iterations") as info:
        SpectralNormalization(layers.Dense(2), power_iterations=value, name="sn")
    assert '"sn"' in str(info.value)
    assert "greater than zero" in FIXTURE["errors"]["power_iterations_0"]  # tf-keras' wording, which we keep


def test_wrapping_a_layer_without_kernel_names_both_layers():
    layer = SpectralNormalization(layers.Dropout(0.5, name="drop"), name="sn_drop")
    with pytest.raises(ValueError) as info:
        layer(np.ones((2, 3), "float32"))
    message = str(info.value)
    assert all(s in message for s in ('"sn_drop"', '"drop"', "Dropout", "`kernel`", "`embeddings`"))
    assert FIXTURE["errors"]["no_kernel"] == "Dropout object has no attribute 'kernel' nor 'embeddings'"


def test_wrapping_something_else_than_a_layer():
    with pytest.raises(ValueError, match="not a supported layer"):
        SpectralNormalization(torch.nn.Linear(2, 2))
