"""IMDB movie reviews: 25,000 training and 25,000 test reviews as word-index lists, labelled positive (1) or not.

Word indexes are frequency ranks (1 = the most frequent word) shifted by
``index_from``; 0 is padding, ``start_char`` marks a review's start and
``oov_char`` stands in for words cut by ``num_words``/``skip_top``.
"""
import os

import numpy as np

from fastkeras.datasets._safe_files import load_npz, require_keys
from fastkeras.datasets._word_sequences import (
    check_unknown_kwargs, limit_vocabulary, object_array, read_word_index, reindex, remove_long_sequences,
)
from fastkeras.utils.data_utils import get_file

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"  # sha256 of imdb.npz
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"  # md5 of imdb_word_index.json


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, cache_dir=None, **kwargs):
    """``(x_train, y_train), (x_test, y_test)``: 1-D object arrays of int lists and int label arrays.

    Both sets are shuffled with ``seed``; ``maxlen`` drops reviews of ``maxlen``
    words or more (after ``start_char`` was added); ``num_words`` keeps indexes
    below it and ``skip_top`` drops the most frequent ones.

    ``imdb.npz`` stores the reviews as numpy object arrays, i.e. pickles; they
    are read with a restricted unpickler that can rebuild lists and arrays and
    nothing else (Keras itself uses ``np.load(allow_pickle=True)``).
    """
    num_words = check_unknown_kwargs(kwargs, num_words, "imdb")
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(path, origin=BASE + "imdb.npz", file_hash=FILE_HASH, cache_dir=cache_dir)
    x_train, labels_train, x_test, labels_test = require_keys(
        load_npz(path), ("x_train", "y_train", "x_test", "y_test"), path)

    # One generator shuffles both sets, train first, as Keras does.
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    x_train = reindex(x_train, start_char, index_from)
    x_test = reindex(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long_sequences(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_sequences(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. "
                             "Increase maxlen.")
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(labels_train), np.asarray(labels_test)])
    split = len(x_train)
    return (object_array(xs[:split]), labels[:split]), (object_array(xs[split:]), labels[split:])


def get_word_index(path="imdb_word_index.json"):
    """``{word: rank}`` for the words of the reviews (add ``index_from`` to get ``load_data``'s indexes)."""
    path = get_file(path, origin=BASE + "imdb_word_index.json", file_hash=WORD_INDEX_HASH)
    return read_word_index(path)
