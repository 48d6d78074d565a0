"""Reuters newswires: 11,228 newswires as word-index lists, labelled with one of 46 topics.

Indexes follow the same conventions as ``imdb`` (frequency ranks shifted by
``index_from``; ``start_char``, ``oov_char``, 0 for padding).
"""
import os

import numpy as np

from fastkeras.datasets._safe_files import load_npz, require_keys
from fastkeras.datasets._word_sequences import (
    check_unknown_kwargs, limit_vocabulary, object_array, read_word_index, reindex, remove_long_sequences,
)
from fastkeras.utils.data_utils import get_file

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"  # sha256 of reuters.npz
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"  # md5 of reuters_word_index.json

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee", "sugar",
    "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog",
    "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, start_char=1,
              oov_char=2, index_from=3, cache_dir=None, **kwargs):
    """``(x_train, y_train), (x_test, y_test)``: object arrays of int lists and int topic labels.

    The newswires are shuffled with ``seed``, filtered and reindexed as in
    ``imdb.load_data``, and the last ``test_split`` of them form the test set.
    ``reuters.npz`` is an object-array (pickle) file, read with the restricted
    unpickler described in ``fastkeras.datasets._safe_files``.
    """
    num_words = check_unknown_kwargs(kwargs, num_words, "reuters")
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(path, origin=BASE + "reuters.npz", file_hash=FILE_HASH, cache_dir=cache_dir)
    xs, labels = require_keys(load_npz(path), ("x", "y"), path)

    indices = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    xs = reindex(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long_sequences(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    split = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return (object_array(xs[:split]), np.array(labels[:split])), (object_array(xs[split:]), np.array(labels[split:]))


def get_word_index(path="reuters_word_index.json"):
    """``{word: rank}`` for the words of the newswires."""
    path = get_file(path, origin=BASE + "reuters_word_index.json", file_hash=WORD_INDEX_HASH)
    return read_word_index(path)


def get_label_names():
    """The 46 topic names, indexed by label."""
    return _LABEL_NAMES
