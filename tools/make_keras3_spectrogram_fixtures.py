"""Writes tests/fixtures/keras3_spectrogram/ (read by tests/layers/test_keras3_spectrogram.py) by running Keras
3.15.1 on its torch backend: ``keras.initializers.STFT`` kernels, ``keras.layers.STFTSpectrogram`` in every mode
and layout, ``keras.layers.MelSpectrogram`` with several settings, and a small model using STFTSpectrogram saved
as ``.keras``. Rerun from the repository root:

    KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_keras3_spectrogram_fixtures.py

* ``cases.json``: ``keras_version``, ``backend`` and ``cases``: each ``id``, ``kind`` (``initializer`` or
  ``layer``); initializers: ``config``, ``shape`` (and ``window_array`` when the window is given as samples,
  stored as ``<id>/window``); layers: ``class_name``, ``config_unbuilt``, ``config``, ``weights`` (names and
  shapes in ``layer.weights`` order) and ``symbolic`` (the output shape on a ``keras.Input`` with a None batch);
* ``arrays.npz``: ``<id>/y0`` (the kernel, or the layer's output) and ``<id>/x0`` (a layer's input);
* ``stft_model.keras`` and ``stft_model.npz`` (``x``, Keras 3's ``predict`` output ``y``): Input -> STFTSpectrogram
  -> GlobalAveragePooling1D -> Dense, its Dense weights seeded.
"""
import json
import os
import zlib

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import keras  # noqa: E402

assert keras.backend.backend() == "torch", "run with KERAS_BACKEND=torch"
L = keras.layers
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras3_spectrogram")
ARRAYS, CASES = {}, []


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def np_(t):
    return keras.ops.convert_to_numpy(t)


def plain(value):
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else list(o)))


def initializer_case(cid, shape, **kwargs):
    window = kwargs.get("window")
    if window is not None and not isinstance(window, str):
        ARRAYS[f"{cid}/window"] = np.asarray(window, "float32")
    init = keras.initializers.STFT(**kwargs)
    ARRAYS[f"{cid}/y0"] = np_(init(shape, dtype="float32"))
    config = init.get_config()
    if window is not None and not isinstance(window, str):
        config = dict(config, window=None)
    CASES.append({"id": cid, "kind": "initializer", "config": plain(config), "shape": list(shape),
                  "window_array": window is not None and not isinstance(window, str)})


def layer_case(cid, class_name, ctor, x):
    layer = getattr(L, class_name)(**ctor)
    config_unbuilt = plain(layer.get_config())
    ARRAYS[f"{cid}/x0"] = x
    ARRAYS[f"{cid}/y0"] = np_(layer(x))
    symbolic = list(getattr(L, class_name).from_config(layer.get_config())(keras.Input(x.shape[1:])).shape)
    CASES.append({"id": cid, "kind": "layer", "class_name": class_name, "config_unbuilt": config_unbuilt,
                  "config": plain(layer.get_config()), "symbolic": symbolic,
                  "weights": [[w.path.split("/")[-1], list(w.shape)] for w in layer.weights]})


def initializer_cases():
    initializer_case("stft_default", (16, 1, 9))
    initializer_case("stft_imag_hamming_periodic", (12, 1, 9), side="imag", window="hamming", periodic=True)
    initializer_case("stft_spectrum", (16, 2, 17), window="blackman", scaling="spectrum")
    initializer_case("stft_no_window", (8, 1, 5), window=None, scaling=None)
    initializer_case("stft_window_samples", (6, 1, 5), window=rng_for("window").uniform(0.5, 1.0, 6))


def stft_layer_cases():
    rng = rng_for("signals")
    x = rng.normal(size=(2, 64, 2)).astype("float32")
    first = np.ascontiguousarray(np.moveaxis(x, -1, 1))
    base = {"frame_length": 16, "frame_step": 8}
    for mode in ("log", "magnitude", "psd", "real", "imag", "angle", "stft"):
        layer_case(f"stft_{mode}", "STFTSpectrogram", dict(base, mode=mode), x)
    layer_case("stft_expand", "STFTSpectrogram", dict(base, mode="magnitude", expand_dims=True), x)
    layer_case("stft_cf", "STFTSpectrogram", dict(base, mode="stft", data_format="channels_first"), first)
    layer_case("stft_cf_expand", "STFTSpectrogram", dict(base, mode="log", expand_dims=True,
                                                         data_format="channels_first"), first)
    layer_case("stft_same_fft", "STFTSpectrogram", {"mode": "psd", "frame_length": 12, "frame_step": 5,
                                                    "fft_length": 32, "padding": "same", "window": "hamming",
                                                    "periodic": True, "scaling": "spectrum"}, x)
    layer_case("stft_defaults", "STFTSpectrogram", {"frame_length": 20}, x[:, :, :1])


def mel_cases():
    rng = rng_for("audio")
    t = np.arange(400) / 8000.0
    audio = (np.sin(2 * np.pi * 440 * t)[None] * np.array([[1.0], [0.3]]) +
             0.05 * rng.normal(size=(2, 400))).astype("float32")
    small = {"fft_length": 64, "sequence_stride": 16, "num_mel_bins": 12, "sampling_rate": 8000}
    layer_case("mel_db", "MelSpectrogram", small, audio)
    layer_case("mel_power", "MelSpectrogram", dict(small, power_to_db=False), audio)
    layer_case("mel_options", "MelSpectrogram", dict(small, sequence_length=48, window="hamming", min_freq=100.0,
                                                     max_freq=3000, top_db=30.0, mag_exp=1.0, min_power=1e-6,
                                                     ref_power=0.5), audio)
    layer_case("mel_stride_edge", "MelSpectrogram", dict(small, sequence_stride=25), audio[:, :399])


def stft_model():
    inputs = keras.Input((48, 1))
    x = L.STFTSpectrogram(mode="log", frame_length=16, frame_step=8, name="spec")(inputs)
    x = L.GlobalAveragePooling1D()(x)
    model = keras.Model(inputs, L.Dense(2, name="head")(x))
    rng = rng_for("model")
    head = model.get_layer("head")
    head.set_weights([rng.normal(size=w.shape).astype("float32") for w in head.get_weights()])
    x = rng.normal(size=(3, 48, 1)).astype("float32")
    model.save(os.path.join(OUT, "stft_model.keras"))
    np.savez(os.path.join(OUT, "stft_model.npz"), x=x, y=model.predict(x, verbose=0))


def main():
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(0)
    initializer_cases()
    stft_layer_cases()
    mel_cases()
    stft_model()
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": CASES}, f,
                  indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(OUT, "arrays.npz"), **ARRAYS)
    print("wrote", len(CASES), "cases,", sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT)),
          "bytes")


if __name__ == "__main__":
    main()
