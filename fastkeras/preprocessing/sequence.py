"""Keras 2's ``keras.preprocessing.sequence``: padding, sliding windows over a time series, skip-grams.

Everything here works on numpy arrays and Python lists; nothing touches the engine.
"""
import json
import random

import numpy as np

from fastkeras.utils.data_utils import Sequence

__all__ = ["pad_sequences", "TimeseriesGenerator", "make_sampling_table", "skipgrams"]


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pads (or truncates) a list of sequences to one length: a ``(num_samples, maxlen, ...)`` array.

    Sequences shorter than ``maxlen`` (default: the longest one) are filled with
    ``value`` before (``padding="pre"``) or after (``"post"``) their items; longer
    ones lose items at the start (``truncating="pre"``) or the end (``"post"``).
    Items may themselves be arrays (all of one shape). For strings pass
    ``dtype=object`` (or a numpy ``str`` dtype) and a string ``value``.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    lengths = []
    sample_shape = ()
    found_sample_shape = False
    for x in sequences:
        try:
            lengths.append(len(x))
        except TypeError:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {x}") from None
        # The shape of one item (after the time axis) comes from the first non-empty sequence.
        if not found_sample_shape and len(x):
            sample_shape = np.asarray(x).shape[1:]
            found_sample_shape = True
    if maxlen is None:
        maxlen = int(np.max(lengths)) if lengths else 0

    np_dtype = np.dtype(dtype)
    if isinstance(value, str) and np_dtype != object and not np.issubdtype(np_dtype, np.str_):
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
                         "You should set `dtype=object` for variable length strings.")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')

    out = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        # maxlen=0 keeps nothing (a plain s[-0:] would keep everything).
        kept = (s[-maxlen:] if maxlen else s[:0]) if truncating == "pre" else s[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {idx} is different from "
                             f"expected shape {sample_shape}")
        if not len(kept):
            continue
        if padding == "post":
            out[idx, :len(kept)] = kept
        else:
            out[idx, -len(kept):] = kept
    return out


class TimeseriesGenerator(Sequence):
    """Batches of ``(windows, targets)`` cut from a series sampled at equal intervals.

    Sample ``k`` ends just before row ``r_k = start_index + length + k * stride``:
    its window is ``data[r_k - length : r_k : sampling_rate]`` and its target
    ``targets[r_k]``. ``end_index`` (inclusive, default the last row) bounds
    ``r_k``; ``shuffle`` draws the rows at random instead (numpy's global RNG,
    as Keras does); ``reverse`` flips each window in time.

    Shape: ``data`` is ``(timesteps, ...)``; a batch is
    ``(batch, ceil(length / sampling_rate), ...)`` plus ``(batch, ...)`` targets.
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0, end_index=None,
                 shuffle=False, reverse=False, batch_size=128):
        if len(data) != len(targets):
            raise ValueError(f"Data and targets have to be of same length. Data length is {len(data)} while target "
                             f"length is {len(targets)}")
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        # Keras stores the first usable target row, not the argument.
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError(f"`start_index+length={self.start_index} > end_index={self.end_index}` is disallowed, "
                             "as no part of the sequence would be left to be used as current step.")

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def _rows(self, index):
        if self.shuffle:
            return np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        first = self.start_index + self.batch_size * self.stride * index
        return np.arange(first, min(first + self.batch_size * self.stride, self.end_index + 1), self.stride)

    def __getitem__(self, index):
        rows = self._rows(index)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate] for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def get_config(self):
        """The generator's arguments as JSON-able values (``data`` and ``targets`` as JSON strings)."""
        def as_json(values, what):
            if isinstance(values, np.ndarray):
                values = values.tolist()
            try:
                return json.dumps(values)
            except TypeError as e:
                raise TypeError(f"{what} not JSON Serializable:", values) from e

        return {
            "data": as_json(self.data, "Data"),
            "targets": as_json(self.targets, "Targets"),
            "length": self.length,
            "sampling_rate": self.sampling_rate,
            "stride": self.stride,
            "start_index": self.start_index,
            "end_index": self.end_index,
            "shuffle": self.shuffle,
            "reverse": self.reverse,
            "batch_size": self.batch_size,
        }

    def to_json(self, **kwargs):
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)


def make_sampling_table(size, sampling_factor=1e-5):
    """``p[i]``: the probability of keeping the i-th most frequent word, word2vec's subsampling rule.

    Word frequencies are taken to follow Zipf's law, approximated as
    ``1 / (rank * (log(rank) + gamma) + 1/2 - 1/(12 rank))``; the keep
    probability is ``min(1, sqrt(f / sampling_factor) / (f / sampling_factor))``.
    """
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1  # rank 0 is the "no word" index; give it rank 1's value
    inverse_frequency = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inverse_frequency
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0, shuffle=True, categorical=False,
              sampling_table=None, seed=None):
    """``(couples, labels)``: word pairs from ``sequence`` labelled 1, random pairs labelled 0.

    Each word (index 0 is "no word" and is skipped) is paired with every other
    word within ``window_size`` of it. ``negative_samples`` times as many
    negative pairs follow, each a word of the positive pairs with a random
    index in ``[1, vocabulary_size)``. With ``categorical`` labels are
    ``[0, 1]`` / ``[1, 0]``. Randomness comes from Python's ``random`` module,
    drawn in the order Keras draws it, so seeding it reproduces Keras' pairs.
    """
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j == i or not sequence[j]:
                continue
            couples.append([wi, sequence[j]])
            labels.append([0, 1] if categorical else 1)

    if negative_samples > 0:
        num_negative = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, int(vocabulary_size - 1))] for i in range(num_negative)]
        labels += [[1, 0] if categorical else 0 for _ in range(num_negative)]

    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        # The same seed for both shuffles keeps couples and labels aligned.
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels


def _remove_long_seq(maxlen, seq, label):
    """The sequences shorter than ``maxlen``, with their labels (the helper of Keras 2's and tf-keras' imdb and
    reuters loaders, which Keras 2 code imports from here)."""
    from fastkeras.datasets._word_sequences import remove_long_sequences
    return remove_long_sequences(maxlen, seq, label)
