"""Writes tests/fixtures/enqueuer_audio/ by running real tf-keras 2.21 (enqueuers and audio datasets).

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_enqueuer_audio_fixtures.py

It writes, into tests/fixtures/enqueuer_audio/:

* ``wavs/``: a tiny tree of .wav files the script generates with the stdlib ``wave`` module (three classes,
  16-bit mono files of different lengths holding the extreme sample values, one in a nested folder, an
  upper-case ``.WAV``, a hidden folder and a non-wav file that must be skipped), ``stereo/``: two 16-bit stereo
  files, and ``odd/``: files of 8, 24 and 32 bits per sample (to record which ones TensorFlow decodes);
* ``audio.json`` / ``audio.npz``: per case its kwargs, the number of batches, ``class_names``, the error (type
  and message) when tf-keras raises, and the arrays of every batch (``<case>/<batch>/<k>``);
* ``enqueuers.json``: the batch order OrderedEnqueuer yields over three epochs, unshuffled and shuffled after
  ``random.seed(1234)``, and what GeneratorEnqueuer yields from a finite generator.
"""
import json
import os
import random
import shutil
import wave

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "enqueuer_audio")
WAVS = os.path.join(OUT, "wavs")
STEREO = os.path.join(OUT, "stereo")
ODD = os.path.join(OUT, "odd")


def write_wav(path, frames, sampwidth=2, rate=16000):
    """``frames``: integer samples, shape (n,) or (n, channels), already in the range of ``sampwidth``."""
    frames = np.asarray(frames)
    if frames.ndim == 1:
        frames = frames[:, None]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if sampwidth == 1:
        raw = (frames + 128).astype("uint8").tobytes()
    elif sampwidth == 3:
        flat = frames.astype("<i4").reshape(-1)
        raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in flat)
    else:
        raw = frames.astype({2: "<i2", 4: "<i4"}[sampwidth]).tobytes()
    with wave.open(path, "wb") as w:
        w.setnchannels(frames.shape[1])
        w.setsampwidth(sampwidth)
        w.setframerate(rate)
        w.writeframes(raw)


def write_trees():
    rng = np.random.RandomState(0)
    for d in (WAVS, STEREO, ODD):
        shutil.rmtree(d, ignore_errors=True)
    files = [("dog/d0.wav", 12), ("dog/d1.wav", 30), ("dog/sub/d2.wav", 7), ("dog/d3.WAV", 19),
             ("cat/c0.wav", 25), ("cat/c1.wav", 9), ("cat/c2.wav", 16),
             ("bird/b0.wav", 21), ("bird/b1.wav", 5), ("bird/b2.wav", 14), (".hidden/h0.wav", 8)]
    for k, (rel, n) in enumerate(files):
        samples = rng.randint(-32768, 32768, size=n)
        samples[0] = [-32768, 32767, 0, 1, -1][k % 5]
        write_wav(os.path.join(WAVS, rel), samples)
    with open(os.path.join(WAVS, "cat", "notes.txt"), "w") as f:
        f.write("not audio")
    for k, n in enumerate((10, 6)):
        write_wav(os.path.join(STEREO, "one", f"s{k}.wav"), rng.randint(-32768, 32768, size=(n, 2)))
    write_wav(os.path.join(ODD, "bits8", "a.wav"), rng.randint(-128, 128, size=6), sampwidth=1)
    write_wav(os.path.join(ODD, "bits24", "a.wav"), rng.randint(-(1 << 23), 1 << 23, size=6), sampwidth=3)
    write_wav(os.path.join(ODD, "bits32", "a.wav"), rng.randint(-(1 << 31), (1 << 31) - 1, size=6), sampwidth=4)


def to_numpy(t):
    if isinstance(t, tf.RaggedTensor):
        return [np.asarray(r) for r in t.to_list()]  # rows as nested lists
    return t.numpy()


AUDIO_CASES = {
    "int_padded": ("wavs", dict(batch_size=4, shuffle=False)),
    "int_padded_b3": ("wavs", dict(batch_size=3, shuffle=False)),
    "fixed_length": ("wavs", dict(batch_size=4, shuffle=False, output_sequence_length=15)),
    "categorical_fixed": ("wavs", dict(batch_size=4, shuffle=False, label_mode="categorical",
                                       output_sequence_length=10)),
    "categorical_padded": ("wavs", dict(batch_size=4, shuffle=False, label_mode="categorical")),
    "binary_padded": ("wavs", dict(batch_size=4, shuffle=False, label_mode="binary",
                                   class_names=["cat", "dog", "bird"])),
    "no_labels_padded": ("wavs", dict(batch_size=4, shuffle=False, labels=None)),
    "no_labels_fixed": ("wavs", dict(batch_size=4, shuffle=False, labels=None, output_sequence_length=8)),
    "unbatched": ("wavs", dict(batch_size=None, shuffle=False)),
    "class_names_order": ("wavs", dict(batch_size=4, shuffle=False, class_names=["dog", "bird", "cat"],
                                       output_sequence_length=6)),
    "ragged": ("wavs", dict(batch_size=4, shuffle=False, ragged=True)),
    "split_training": ("wavs", dict(batch_size=4, shuffle=True, seed=7, validation_split=0.4, subset="training",
                                    output_sequence_length=12)),
    "split_validation": ("wavs", dict(batch_size=4, shuffle=True, seed=7, validation_split=0.4,
                                      subset="validation", output_sequence_length=12)),
    "split_both": ("wavs", dict(batch_size=2, shuffle=True, seed=3, validation_split=0.3, subset="both")),
    "stereo": ("stereo", dict(batch_size=2, shuffle=False)),
    "bits8": ("odd/bits8", dict(batch_size=2, shuffle=False, labels=None, output_sequence_length=6)),
    "bits24": ("odd/bits24", dict(batch_size=2, shuffle=False, labels=None, output_sequence_length=6)),
    "bits32": ("odd/bits32", dict(batch_size=2, shuffle=False, labels=None, output_sequence_length=6)),
}


def audio_fixtures():
    cases, arrays = {}, {}
    for name, (folder, kwargs) in AUDIO_CASES.items():
        record = {"folder": folder, "kwargs": kwargs}
        try:
            result = keras.utils.audio_dataset_from_directory(os.path.join(OUT, folder), **kwargs)
            parts = list(result) if isinstance(result, (tuple, list)) else [result]
            record["class_names"] = parts[0].class_names
            record["num_batches"] = []
            for p, ds in enumerate(parts):
                n = 0
                for b, element in enumerate(ds):
                    element = element if isinstance(element, tuple) else (element,)
                    for k, t in enumerate(element):
                        value = to_numpy(t)
                        if isinstance(value, list):
                            record.setdefault("ragged_lengths", []).append([len(r) for r in value])
                            value = np.concatenate(value)
                        arrays[f"{name}/{p}/{b}/{k}"] = value
                    n += 1
                record["num_batches"].append(n)
        except Exception as e:  # record what tf-keras raises
            record["error"] = [type(e).__name__, str(e).splitlines()[0][:300]]
        cases[name] = record
        print(name, record.get("error") or record["num_batches"])
    with open(os.path.join(OUT, "audio.json"), "w") as f:
        json.dump(cases, f, indent=1, sort_keys=True)
    np.savez(os.path.join(OUT, "audio.npz"), **arrays)


class IndexSequence(keras.utils.Sequence):
    def __init__(self, n):
        self.n = n
        self.epochs_ended = 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full((2,), i, dtype="int64")

    def on_epoch_end(self):
        self.epochs_ended += 1


def ordered_order(shuffle, workers, n=7, epochs=3):
    seq = IndexSequence(n)
    random.seed(1234)
    enqueuer = keras.utils.OrderedEnqueuer(seq, use_multiprocessing=False, shuffle=shuffle)
    enqueuer.start(workers=workers, max_queue_size=3)
    out = []
    stream = enqueuer.get()
    for _ in range(n * epochs):
        out.append(int(next(stream)[0]))
    enqueuer.stop()
    return out


def generator_items():
    def gen():
        for i in range(5):
            yield (np.full((1,), i),)
    enqueuer = keras.utils.GeneratorEnqueuer(gen(), use_multiprocessing=False)
    enqueuer.start(workers=1, max_queue_size=2)
    out = [int(item[0][0]) for item in enqueuer.get()]
    enqueuer.stop()
    return out


def enqueuer_fixtures():
    record = {
        "n": 7, "epochs": 3, "seed": 1234,
        "ordered": ordered_order(False, 1),
        "ordered_workers3": ordered_order(False, 3),
        "shuffled": ordered_order(True, 1),
        "shuffled_workers3": ordered_order(True, 3),
        "generator_finite": generator_items(),
        "api": {name: sorted(m for m in dir(getattr(keras.utils, name)) if not m.startswith("_"))
                for name in ("SequenceEnqueuer", "OrderedEnqueuer", "GeneratorEnqueuer")},
    }
    print(record)
    with open(os.path.join(OUT, "enqueuers.json"), "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write_trees()
    audio_fixtures()
    enqueuer_fixtures()
