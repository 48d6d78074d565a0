"""``audio_dataset_from_directory`` of tf-keras 2.21, returning a ``Dataset`` (a Keras ``Sequence`` of NumPy
batches, see dataset_utils) instead of a ``tf.data.Dataset``.

Files are decoded with the standard library's ``wave`` module as ``tf.audio.decode_wav`` decodes them: 16-bit PCM
only, each sample divided by 32768 (float32 in [-1, 1)), shape ``(samples, channels)``. What matches tf-keras: the
file list, its order, labels and ``class_names``, the seeded shuffle of the file list and so the
``validation_split`` subsets, the values and the padding/truncation (zeros at the end), the batch shapes. What
cannot match: tf.data's buffered shuffle of the samples (here a full permutation from
``np.random.RandomState(seed)``, redrawn each epoch), and ``sampling_rate`` resampling, which tf-keras does with
tensorflow-io (here files must already have that rate). Where tf-keras fails (padded batches with labels other
than 'int', or with ``labels=None``) this pads the audio and batches the labels as the other modes do.
"""
import os

import numpy as np

from fastkeras.utils import dataset_utils
from fastkeras.utils.dataset_utils import Dataset, _encode_label, _stack, _wrap

ALLOWED_FORMATS = (".wav",)


def decode_wav(path, desired_samples=-1):
    """``(audio, sample_rate)``: float32 ``(samples, channels)``, each 16-bit sample / 32768, as
    ``tf.audio.decode_wav``; with ``desired_samples >= 0``, cut or zero-padded at the end to that many samples."""
    import wave
    try:
        with wave.open(os.fspath(path), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as e:
        raise ValueError(f"Could not decode {path} as a PCM WAV file: {e}") from e
    if width != 2:
        raise ValueError(f"Can only read 16-bit WAV files, but {path} has {8 * width} bits per sample.")
    audio = np.frombuffer(raw, dtype="<i2").reshape(-1, channels).astype(np.float32) / np.float32(32768.0)
    if desired_samples is not None and desired_samples >= 0:
        if len(audio) >= desired_samples:
            audio = audio[:desired_samples]
        else:
            audio = np.concatenate([audio, np.zeros((desired_samples - len(audio), channels), np.float32)])
    return audio, rate


def _check_args(labels, label_mode, class_names, ragged, output_sequence_length, sampling_rate):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError("The `labels` argument should be a list/tuple of integer labels, of the same size as the "
                             "number of audio files in the target directory. If you wish to infer the labels from the "
                             'subdirectory names in the target directory, pass `labels="inferred"`. If you wish to '
                             "get a dataset that only contains audio samples (no labels), pass `labels=None`. "
                             f"Received: labels={labels}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. Received: '
                             f"labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int):
            raise ValueError(f"`sampling_rate` should have an integer value. Received: sampling_rate={sampling_rate}")
        if sampling_rate <= 0:
            raise ValueError(f"`sampling_rate` should be higher than 0. Received: sampling_rate={sampling_rate}")


def _batched(samples, batch_size, pad, ragged):
    """Batches of ``samples`` (a Dataset of ``audio`` or ``(audio, label)``): audio zero-padded at the end to the
    longest in the batch when ``pad``, an object array of per-sample arrays when ``ragged``."""
    n = -(-len(samples) // batch_size)

    def audio_batch(clips):
        if ragged:
            out = np.empty(len(clips), dtype=object)
            out[:] = list(clips)
            return _wrap(out)
        if pad:
            longest = max(len(c) for c in clips)
            clips = [np.pad(c, ((0, longest - len(c)), (0, 0))) for c in clips]
        return _wrap(np.stack(clips))

    def element(i):
        rows = [samples[j] for j in range(i * batch_size, min(len(samples), (i + 1) * batch_size))]
        if not isinstance(rows[0], tuple):
            return audio_batch(rows)
        return audio_batch([r[0] for r in rows]), _stack([r[1] for r in rows])

    return Dataset(n, element, parent=samples, batch_size=batch_size)


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None, follow_links=False):
    """Batches ``(audio, labels)`` from class sub-folders of ``.wav`` files (tf-keras 2.21's signature).

    ``audio`` is float32 ``(batch, samples, channels)``: each clip cut or zero-padded to
    ``output_sequence_length`` when set, else zero-padded to the longest clip of its batch; with ``ragged=True``
    an object array of the clips as they are. Labels are int32 ``(batch,)`` ('int'), float32 one-hot
    ('categorical') or float32 ``(batch, 1)`` ('binary'). ``batch_size=None`` yields single clips
    ``(samples, channels)``. ``subset='both'`` returns ``(train, val)``. The dataset has ``.class_names`` (and
    ``.file_paths``, which tf-keras' audio dataset lacks).
    """
    _check_args(labels, label_mode, class_names, ragged, output_sequence_length, sampling_rate)
    if labels is None or label_mode is None:
        labels = None
        label_mode = None
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = dataset_utils.index_directory(directory, labels, formats=ALLOWED_FORMATS,
                                                               class_names=class_names, shuffle=shuffle, seed=seed,
                                                               follow_links=follow_links)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")

    if subset == "both":
        parts = []
        for which in ("training", "validation"):
            p, lab = dataset_utils.get_training_or_validation_split(paths, labels, validation_split, which)
            if not p:
                raise ValueError(f"No {which} audio files found in directory {directory}. "
                                 f"Allowed format(s): {ALLOWED_FORMATS}")
            parts.append((p, lab))
    else:
        p, lab = dataset_utils.get_training_or_validation_split(paths, labels, validation_split, subset)
        if not p:
            raise ValueError(f"No audio files found in directory {directory}. Allowed format(s): {ALLOWED_FORMATS}")
        parts = [(p, lab)]

    desired = -1 if output_sequence_length is None else int(output_sequence_length)

    def load(path):
        audio, rate = decode_wav(path, desired)
        if sampling_rate is not None and rate != sampling_rate:
            raise ValueError(f"{path} is sampled at {rate} Hz, not sampling_rate={sampling_rate}: resampling (which "
                             "tf-keras does with tensorflow-io) is not implemented; resample the files first.")
        return _wrap(audio)

    num_classes = len(class_names)
    datasets = []
    for k, (part_paths, part_labels) in enumerate(parts):
        def sample(i, part_paths=part_paths, part_labels=part_labels):
            audio = load(part_paths[i])
            if not label_mode:
                return audio
            return audio, _encode_label(part_labels[i], label_mode, num_classes)

        ds = Dataset(len(part_paths), sample)
        if shuffle and k == 0:
            ds = ds.shuffle(seed=seed)
        if batch_size is not None:
            ds = _batched(ds, int(batch_size), pad=output_sequence_length is None and not ragged, ragged=ragged)
        ds.class_names = class_names
        ds.file_paths = list(part_paths)
        datasets.append(ds)
    return tuple(datasets) if subset == "both" else datasets[0]


__all__ = ["audio_dataset_from_directory"]
