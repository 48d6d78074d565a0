"""Writes the expected values of tests/preprocessing/ by running real tf-keras 2.21 (keras.preprocessing).

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_preprocessing_fixtures.py

It writes tests/fixtures/preprocessing/cases.json: a list of cases per function, each with the call's
arguments (JSON-able) and tf-keras' result. numpy results are stored as {"array": nested lists, "dtype": str}.
Calls that draw random numbers (skipgrams) seed Python's ``random`` with the case's ``python_seed`` first,
so an implementation that draws the same numbers in the same order reproduces them exactly.
"""
import json
import os
import random

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from tf_keras.preprocessing import sequence, text  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "preprocessing",
                   "cases.json")

TEXTS = [
    "The cat sat on the mat.",
    "The dog ate my homework!",
    "Cats and dogs: friends? Never; the cat disagrees.",
    "It's raining cats & dogs\tagain\nand again",
    "",
]


def encode(value):
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, tuple):
        return [encode(v) for v in value]
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we record which error Keras raises
        return type(e).__name__
    return None


def pad_cases():
    seqs = [[1], [2, 3], [4, 5, 6], [], [7, 8, 9, 10, 11]]
    out = []
    for kwargs in [
        {},
        {"maxlen": 3},
        {"maxlen": 3, "truncating": "post"},
        {"maxlen": 4, "padding": "post"},
        {"maxlen": 4, "padding": "post", "truncating": "post", "value": -1},
        {"maxlen": 7, "dtype": "float32", "value": 0.5},
        {"maxlen": 2, "dtype": "int64"},
        {"dtype": "float64", "value": 1.5},
    ]:
        out.append({"sequences": seqs, "kwargs": kwargs, "result": encode(sequence.pad_sequences(seqs, **kwargs))})
    # Samples with a feature axis.
    feat = [[[1, 2], [3, 4]], [[5, 6]], [[7, 8], [9, 10], [11, 12]]]
    for kwargs in [{}, {"maxlen": 2, "padding": "post", "truncating": "post", "value": 9}]:
        out.append({"sequences": feat, "kwargs": kwargs, "result": encode(sequence.pad_sequences(feat, **kwargs))})
    # Strings: dtype=object with a string value, and numpy unicode dtypes.
    words = [["a", "bb"], ["ccc"], ["d", "e", "f"]]
    for kwargs in [{"dtype": object, "value": "<pad>"}, {"dtype": "<U5", "value": "_", "maxlen": 2},
                   {"dtype": object, "value": "", "padding": "post"}]:
        result = sequence.pad_sequences(words, **kwargs)
        enc = encode(result)
        kw = dict(kwargs)
        if kw.get("dtype") is object:
            kw["dtype"] = "object"
        out.append({"sequences": words, "kwargs": kw, "result": enc})
    errors = []
    for args, kwargs in [
        (seqs, {"padding": "middle"}),
        (seqs, {"truncating": "middle", "maxlen": 2}),
        ([["a"]], {"value": "x"}),
        ([[1], 5], {}),
        ([[[1, 2]], [[1, 2, 3]]], {}),
    ]:
        errors.append({"sequences": args, "kwargs": kwargs,
                       "error": error_of(lambda: sequence.pad_sequences(args, **kwargs))})
    return out, errors


def timeseries_cases():
    data = np.arange(50, dtype="float32").reshape(25, 2)
    targets = np.arange(25, dtype="float32") * 10
    out = []
    for kwargs in [
        {"length": 5, "batch_size": 4},
        {"length": 10, "sampling_rate": 2, "batch_size": 2},
        {"length": 3, "stride": 3, "batch_size": 3},
        {"length": 4, "start_index": 2, "end_index": 20, "batch_size": 5, "reverse": True},
        {"length": 6, "sampling_rate": 3, "stride": 2, "batch_size": 128},
    ]:
        gen = sequence.TimeseriesGenerator(data, targets, **kwargs)
        batches = [encode(gen[i]) for i in range(len(gen))]
        config = gen.get_config()
        out.append({"kwargs": kwargs, "len": len(gen), "batches": batches,
                    "config": {k: v for k, v in config.items() if k not in ("data", "targets")}})
    errors = [{"kwargs": {"length": 30}, "error": error_of(lambda: sequence.TimeseriesGenerator(
        data, targets, length=30))}]
    return {"data": encode(data), "targets": encode(targets), "cases": out, "errors": errors}


def sampling_cases():
    return [{"size": size, "sampling_factor": factor,
             "result": encode(sequence.make_sampling_table(size, sampling_factor=factor))}
            for size, factor in [(10, 1e-5), (6, 0.1), (30, 1e-3)]]


def skipgram_cases():
    seq = [1, 2, 3, 0, 4, 5, 2, 6]
    out = []
    for python_seed, kwargs in [
        (0, {"vocabulary_size": 7, "window_size": 2, "negative_samples": 0.0, "shuffle": False}),
        (1, {"vocabulary_size": 7, "window_size": 1, "negative_samples": 1.0, "shuffle": False}),
        (2, {"vocabulary_size": 7, "window_size": 2, "negative_samples": 0.5, "shuffle": True, "seed": 11}),
        (3, {"vocabulary_size": 7, "window_size": 3, "negative_samples": 1.0, "categorical": True, "shuffle": True}),
        (4, {"vocabulary_size": 7, "window_size": 2, "negative_samples": 1.0, "shuffle": True,
             "sampling_table": [0.0, 1.0, 0.5, 0.1, 1.0, 0.7, 0.3]}),
    ]:
        random.seed(python_seed)
        couples, labels = sequence.skipgrams(seq, **kwargs)
        out.append({"sequence": seq, "python_seed": python_seed, "kwargs": kwargs,
                    "couples": couples, "labels": labels})
    return out


def text_cases():
    words = []
    for kwargs in [{}, {"lower": False}, {"filters": "", "split": " "}, {"split": ","}, {"filters": "aeiou"}]:
        for t in TEXTS + ["a,b,,c", "Hello,World"]:
            words.append({"text": t, "kwargs": kwargs, "result": text.text_to_word_sequence(t, **kwargs)})
    hashing = []
    for t in TEXTS[:4]:
        for n in (5, 50):
            hashing.append({"text": t, "n": n, "result": text.hashing_trick(t, n, hash_function="md5")})
    return words, hashing


def tokenizer_cases():
    out = []
    for kwargs in [{}, {"num_words": 5}, {"num_words": 6, "oov_token": "<OOV>"}, {"oov_token": "<UNK>"},
                   {"char_level": True}, {"lower": False, "filters": "!"}, {"split": ",", "filters": ""}]:
        tok = text.Tokenizer(**kwargs)
        tok.fit_on_texts(TEXTS)
        probe = ["the cat and the unknown zebra", "dogs dogs dogs", "", "The Mat, the MAT"]
        seqs = tok.texts_to_sequences(probe)
        case = {
            "kwargs": kwargs,
            "word_index": tok.word_index,
            "index_word": {str(k): v for k, v in tok.index_word.items()},
            "word_counts": list(tok.word_counts.items()),
            "word_docs": dict(tok.word_docs),
            "index_docs": {str(k): v for k, v in tok.index_docs.items()},
            "document_count": tok.document_count,
            "probe": probe,
            "sequences": seqs,
            "texts_back": tok.sequences_to_texts(seqs + [[1, 2, 3, 99, 4]]),
            "matrices": {mode: encode(tok.texts_to_matrix(probe, mode=mode))
                         for mode in ("binary", "count", "tfidf", "freq")},
            "config": tok.get_config(),
            "json": tok.to_json(),
        }
        out.append(case)
    # Lists of tokens instead of strings.
    tok = text.Tokenizer()
    tok.fit_on_texts([["Hello", "world"], ["hello", "There", "world"]])
    out.append({"kwargs": {}, "texts_are_token_lists": True,
                "fit_texts": [["Hello", "world"], ["hello", "There", "world"]],
                "word_index": tok.word_index,
                "sequences": tok.texts_to_sequences([["HELLO", "there", "nobody"]])})
    # fit_on_sequences then sequences_to_matrix (tfidf uses index_docs/document_count).
    tok = text.Tokenizer(num_words=6)
    tok.fit_on_sequences([[1, 2, 2, 3], [3, 4], [5, 1]])
    out_matrix = {mode: encode(tok.sequences_to_matrix([[1, 2, 2, 3, 7], [], [5, 5, 4]], mode=mode))
                  for mode in ("binary", "count", "tfidf", "freq")}
    errors = {
        "matrix_unfitted": error_of(lambda: text.Tokenizer().texts_to_matrix(["a b"])),
        "tfidf_unfitted": error_of(lambda: text.Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")),
        "bad_mode": error_of(lambda: _fitted().texts_to_matrix(["a b"], mode="nope")),
        "bad_kwarg": error_of(lambda: text.Tokenizer(foo=1)),
    }
    return out, out_matrix, errors


def _fitted():
    tok = text.Tokenizer()
    tok.fit_on_texts(["a b c"])
    return tok


def normalize_cases():
    """keras.utils.normalize (listed with preprocessing in Keras 2 tutorials)."""
    from tf_keras.utils import normalize
    rng = np.random.RandomState(5)
    x = rng.randn(3, 4, 2)
    x[1, 2] = 0.0  # a zero vector stays zero
    out = []
    for kwargs in [{}, {"axis": 0}, {"axis": 1, "order": 1}, {"order": 3}, {"axis": -2, "order": np.inf}]:
        result = normalize(x, **kwargs)
        kw = {k: ("inf" if v == np.inf else v) for k, v in kwargs.items()}
        out.append({"x": encode(x), "kwargs": kw, "result": encode(result)})
    out.append({"x": encode(np.array([3.0, 4.0])), "kwargs": {}, "result": encode(normalize(np.array([3.0, 4.0])))})
    return out


def main():
    pad, pad_errors = pad_cases()
    words, hashing = text_cases()
    tokenizers, seq_matrix, tok_errors = tokenizer_cases()
    cases = {
        "pad_sequences": pad,
        "pad_sequences_errors": pad_errors,
        "timeseries": timeseries_cases(),
        "sampling_table": sampling_cases(),
        "skipgrams": skipgram_cases(),
        "text_to_word_sequence": words,
        "hashing_trick_md5": hashing,
        "tokenizers": tokenizers,
        "sequences_to_matrix_after_fit_on_sequences": seq_matrix,
        "tokenizer_errors": tok_errors,
        "normalize": normalize_cases(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(cases, f, indent=1)  # no sort_keys: dict order (word_index) is part of the result
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
