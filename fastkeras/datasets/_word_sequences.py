"""What imdb and reuters share: reindexing word sequences and reading a word index."""
import json

import numpy as np


def remove_long_sequences(maxlen, sequences, labels):
    """Only the sequences shorter than ``maxlen`` (strictly, as in Keras), with their labels."""
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def reindex(sequences, start_char, index_from):
    """Shifts every word index by ``index_from`` and prepends ``start_char`` (when not None)."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in sequences]
    if index_from:
        return [[w + index_from for w in x] for x in sequences]
    return [list(x) for x in sequences]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Words outside ``[skip_top, num_words)`` become ``oov_char``, or are dropped when it is None."""
    if not num_words:
        num_words = max(max(x) for x in sequences if len(x)) if any(len(x) for x in sequences) else 0
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def object_array(sequences):
    """A 1-D object array of lists (np.array would make a 2-D array when all lengths happen to agree)."""
    out = np.empty(len(sequences), dtype=object)
    for i, seq in enumerate(sequences):
        out[i] = seq
    return out


def check_unknown_kwargs(kwargs, num_words, what):
    if "nb_words" in kwargs:
        import warnings
        warnings.warn("The `nb_words` argument in `load_data` has been renamed `num_words`.", stacklevel=3)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments for {what}.load_data: {kwargs}.")
    return num_words


def read_word_index(path):
    with open(path, encoding="utf8") as f:
        try:
            index = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} is not a JSON word index ({e}); delete it so that it is downloaded again.") \
                from e
    if not isinstance(index, dict):
        raise ValueError(f"{path} should hold a JSON object mapping words to indexes, found {type(index).__name__}.")
    return index
