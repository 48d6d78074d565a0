"""Keras 3's initializers.STFT, layers.STFTSpectrogram and layers.MelSpectrogram against Keras 3.15.1 on torch
(fixtures from tools/make_keras3_spectrogram_fixtures.py)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras.layers import Input, deserialize
from fastkeras.saving.keras3_config import from_keras3

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras3_spectrogram")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    CASES = json.load(_f)["cases"]
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
# Decibels span ~100 dB and go through float32 logs of powers; the STFT outputs are float32 convolutions.
TOLERANCES = {"mel_db": (1e-4, 2e-3), "mel_options": (1e-4, 2e-3), "mel_stride_edge": (1e-4, 2e-3),
              "mel_power": (1e-4, 1e-4), "stft_angle": (1e-4, 2e-3)}


def by_kind(kind):
    chosen = [c for c in CASES if c["kind"] == kind]
    return pytest.mark.parametrize("case", chosen, ids=[c["id"] for c in chosen])


def plain(config):
    return json.loads(json.dumps(config, default=lambda o: o.item() if hasattr(o, "item") else list(o)))


def keras3_config(config):
    return from_keras3({"class_name": "X", "config": config})["config"]


@by_kind("initializer")
def test_stft_initializer_matches_keras3(case):
    config = dict(case["config"])
    if case["window_array"]:
        config["window"] = ARRAYS[f"{case['id']}/window"]
    init = keras.initializers.STFT(**config)
    got = K.to_numpy(init(tuple(case["shape"]), dtype="float32"))
    # Keras 3.15.1 returns one input channel whatever the shape asks for; fastkeras repeats it to the shape.
    expected = np.broadcast_to(ARRAYS[f"{case['id']}/y0"], tuple(case["shape"]))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    if not case["window_array"]:
        assert init.get_config() == case["config"]
        again = keras.initializers.deserialize(keras.initializers.serialize(init))
        assert type(again) is keras.initializers.STFT and again.get_config() == case["config"]


@by_kind("layer")
def test_layer_matches_keras3(case):
    cid = case["id"]
    layer = deserialize({"class_name": case["class_name"], "config": keras3_config(case["config_unbuilt"])})
    x = ARRAYS[f"{cid}/x0"]
    got = K.to_numpy(layer(x))
    expected = ARRAYS[f"{cid}/y0"]
    rtol, atol = TOLERANCES.get(cid, (1e-4, 1e-4))
    assert got.shape == expected.shape
    if cid == "stft_angle":
        # At the Nyquist bin the imaginary part is float32 noise around 0, so the angle is +-pi either way and
        # off by up to ~1e-3: compare on the circle, at 2e-3.
        got = expected + (got - expected + np.pi) % (2 * np.pi) - np.pi
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=cid)
    assert plain(layer.get_config()) == keras3_config(case["config"])
    assert [[w.name.split("/")[-1].split(":")[0], list(w.shape)] for w in layer.weights] == case["weights"]
    symbolic = list(deserialize({"class_name": case["class_name"],
                                 "config": plain(layer.get_config())})(Input(x.shape[1:])).shape)
    if cid == "mel_stride_edge":
        # Keras 3.15.1's MelSpectrogram.compute_output_shape says one frame more than its call returns when
        # (samples + 1) is a multiple of the stride; fastkeras gives the frames the call returns.
        assert symbolic == [None, *expected.shape[1:]] and case["symbolic"][-1] == expected.shape[-1] + 1
    else:
        assert symbolic == case["symbolic"]


def test_keras3_model_with_stft_spectrogram_loads_and_predicts():
    model = keras.models.load_model(os.path.join(FIXTURES, "stft_model.keras"))
    data = np.load(os.path.join(FIXTURES, "stft_model.npz"))
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-4, atol=1e-4)
    spec = model.get_layer("spec")
    assert [w.name.split("/")[-1].split(":")[0] for w in spec.trainable_weights] == ["real_kernel", "imag_kernel"]


def test_spectrogram_kernels_train():
    model = keras.Sequential([Input((32, 1)), keras.layers.STFTSpectrogram(mode="magnitude", frame_length=8),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    before = K.to_numpy(model.layers[0].real_kernel).copy()
    model.fit(np.random.default_rng(0).normal(size=(8, 32, 1)), np.ones((8, 1)), epochs=1, verbose=0)
    assert not np.allclose(K.to_numpy(model.layers[0].real_kernel), before)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"STFTSpectrogram.*`frame_step`.*frame_step=20, frame_length=16"):
        keras.layers.STFTSpectrogram(frame_length=16, frame_step=20)
    with pytest.raises(ValueError, match=r"STFTSpectrogram.*`mode`.*Received: mode='power'"):
        keras.layers.STFTSpectrogram(mode="power")
    with pytest.raises(ValueError, match=r"STFTSpectrogram.*`fft_length`.*fft_length=8, frame_length=16"):
        keras.layers.STFTSpectrogram(frame_length=16, fft_length=8)
    with pytest.raises(ValueError, match=r"STFT initializer.*`side`.*side='both'"):
        keras.initializers.STFT(side="both")
    with pytest.raises(ValueError, match=r"MelSpectrogram.*`fft_length`.*sequence_length=64, fft_length=32"):
        keras.layers.MelSpectrogram(fft_length=32, sequence_length=64)
    with pytest.raises(TypeError, match="STFTSpectrogram.*float"):
        keras.layers.STFTSpectrogram(frame_length=4)(np.ones((1, 8, 1), "int32"))


def test_import_fastkeras_does_not_import_scipy():
    code = "import sys, fastkeras; assert 'scipy' not in sys.modules, 'scipy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
