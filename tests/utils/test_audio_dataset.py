"""audio_dataset_from_directory against tf-keras 2.21 (fixtures from tools/make_enqueuer_audio_fixtures.py)."""
import json
import os
import wave

import numpy as np
import pytest

import fastkeras as keras
from fastkeras.utils.audio_dataset import decode_wav

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "enqueuer_audio")
with open(os.path.join(FIXTURES, "audio.json")) as f:
    CASES = json.load(f)
ARRAYS = np.load(os.path.join(FIXTURES, "audio.npz"))

# Cases where tf-keras itself fails on a padded batch (its padded_shapes only fit 'int' labels); here they work.
TF_KERAS_BUGS = {"categorical_padded", "no_labels_padded"}
# tf.data's shuffle buffer gives the same samples in another order: these (case, part) are compared as sets.
# (tf-keras shuffles a single subset, validation included, but not the validation part of subset="both".)
SHUFFLED = {("split_training", 0), ("split_validation", 0), ("split_both", 0)}


def _load(name):
    case = CASES[name]
    return keras.utils.audio_dataset_from_directory(os.path.join(FIXTURES, case["folder"]), **case["kwargs"])


def _parts(result):
    return list(result) if isinstance(result, tuple) else [result]


def _expected(name, part, batch):
    out, k = [], 0
    while f"{name}/{part}/{batch}/{k}" in ARRAYS:
        out.append(ARRAYS[f"{name}/{part}/{batch}/{k}"])
        k += 1
    return out


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items()
                                        if "error" not in c and not n.startswith("bits")))
def test_batches_match_tf_keras(name):
    case = CASES[name]
    parts = _parts(_load(name))
    assert [len(p) for p in parts] == case["num_batches"]
    for p, ds in enumerate(parts):
        assert ds.class_names == case["class_names"]
        if (name, p) in SHUFFLED:
            continue  # below
        ragged_rows = iter(case.get("ragged_lengths", []))
        for b, element in enumerate(ds):
            element = element if isinstance(element, tuple) else (element,)
            expected = _expected(name, p, b)
            assert len(element) == len(expected)
            audio = element[0]
            if case["kwargs"].get("ragged"):
                assert [len(clip) for clip in audio] == next(ragged_rows)
                audio = np.concatenate(list(audio))
                expected[0] = expected[0].astype("float32")  # the fixture lists ragged rows as Python floats
            assert audio.dtype == expected[0].dtype == np.float32
            np.testing.assert_array_equal(audio, expected[0])  # the same float32 values, bit for bit
            for got, want in zip(element[1:], expected[1:]):
                assert got.dtype == want.dtype and got.shape == want.shape
                np.testing.assert_array_equal(got, want)


def _rows(batches):
    """Every (clip, label) of the batches, sorted; clips without their trailing zeros, since a padded batch's
    length depends on which clips a shuffle put together."""
    return sorted((tuple(np.trim_zeros(np.asarray(a).ravel(), "b").tolist()), int(lab)) for audio, labels in batches
                  for a, lab in zip(audio, labels))


@pytest.mark.parametrize("name,part", sorted(SHUFFLED))
def test_shuffled_subsets_have_tf_keras_samples(name, part):
    ds = _parts(_load(name))[part]
    assert len(ds) == CASES[name]["num_batches"][part]
    theirs = _rows([_expected(name, part, b) for b in range(len(ds))])
    first = list(ds)
    assert _rows(first) == theirs
    # a seeded shuffle is reproducible; the next epoch draws another order of the same samples
    fresh = [x for x, _ in _parts(_load(name))[part]]
    for a, b in zip(fresh, first):
        np.testing.assert_array_equal(a, b[0])
    assert _rows(list(ds)) == theirs


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if "error" in c and n not in TF_KERAS_BUGS))
def test_errors_match_tf_keras(name):
    kind, message = CASES[name]["error"]
    with pytest.raises(ValueError) as info:
        list(_load(name))
    if kind == "ValueError":
        assert str(info.value).splitlines()[0] == message
    else:  # TensorFlow's decoder error, raised while iterating
        assert "Can only read 16-bit WAV files" in message and "Can only read 16-bit WAV files" in str(info.value)


@pytest.mark.parametrize("name", sorted(TF_KERAS_BUGS))
def test_padded_batches_where_tf_keras_fails(name):
    assert name in CASES and "error" in CASES[name]
    ds = _load(name)
    reference = _parts(keras.utils.audio_dataset_from_directory(os.path.join(FIXTURES, "wavs"), batch_size=4,
                                                                shuffle=False, labels=None if "no_labels" in name
                                                                else "inferred"))[0]
    for element, ref in zip(ds, reference):
        audio = element[0] if isinstance(element, tuple) else element
        ref_audio = ref[0] if isinstance(ref, tuple) else ref
        np.testing.assert_array_equal(audio, ref_audio)
        if isinstance(element, tuple):  # one-hot labels of the 'int' labels
            np.testing.assert_array_equal(element[1], np.eye(3, dtype="float32")[ref[1]])


def test_decode_scaling_is_tf_decode_wav(tmp_path):
    path = str(tmp_path / "x.wav")
    samples = np.array([-32768, -1, 0, 1, 16384, 32767], dtype="<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(samples.tobytes())
    audio, rate = decode_wav(path)
    assert rate == 8000 and audio.shape == (6, 1) and audio.dtype == np.float32
    np.testing.assert_array_equal(audio[:, 0], np.array([-1.0, -1 / 32768, 0, 1 / 32768, 0.5, 32767 / 32768],
                                                        dtype="float32"))
    assert decode_wav(path, 3)[0].shape == (3, 1)
    np.testing.assert_array_equal(decode_wav(path, 8)[0][6:], 0)


def test_arguments_and_sampling_rate():
    wavs = os.path.join(FIXTURES, "wavs")
    with pytest.raises(ValueError, match="Cannot set both `ragged` and `output_sequence_length`"):
        keras.utils.audio_dataset_from_directory(wavs, ragged=True, output_sequence_length=3)
    with pytest.raises(ValueError, match="`sampling_rate` should be higher than 0"):
        keras.utils.audio_dataset_from_directory(wavs, sampling_rate=0)
    with pytest.raises(ValueError, match="integer value"):
        keras.utils.audio_dataset_from_directory(wavs, sampling_rate=1.5)
    ds = keras.utils.audio_dataset_from_directory(wavs, sampling_rate=16000, shuffle=False, batch_size=2)
    assert ds[0][0].shape[0] == 2  # already at that rate: read as is
    with pytest.raises(ValueError, match="resampling"):
        keras.utils.audio_dataset_from_directory(wavs, sampling_rate=8000, shuffle=False)[0]
    with pytest.raises(ValueError, match="`labels` argument should be a list/tuple"):
        keras.utils.audio_dataset_from_directory(wavs, labels="bad")


def test_fit_on_an_audio_dataset():
    ds = keras.utils.audio_dataset_from_directory(os.path.join(FIXTURES, "wavs"), batch_size=4, seed=1,
                                                  output_sequence_length=16)
    model = keras.Sequential([keras.layers.Flatten(input_shape=(16, 1)), keras.layers.Dense(3)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
