"""keras.preprocessing.text against tf-keras 2.21 (tests/fixtures/preprocessing, tools/make_preprocessing_fixtures.py)."""
import json
import os

import numpy as np
import pytest

from fastkeras.preprocessing import text
from fastkeras.preprocessing.text import (
    Tokenizer, hashing_trick, one_hot, text_to_word_sequence, tokenizer_from_json,
)

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "preprocessing", "cases.json")
with open(FIXTURE) as _f:
    CASES = json.load(_f)

STRING_TOKENIZERS = [c for c in CASES["tokenizers"] if not c.get("texts_are_token_lists")]
FIT_TEXTS = [
    "The cat sat on the mat.",
    "The dog ate my homework!",
    "Cats and dogs: friends? Never; the cat disagrees.",
    "It's raining cats & dogs\tagain\nand again",
    "",
]


def decode(enc):
    return np.array(enc["array"], dtype=enc["dtype"]).reshape(enc["shape"])


@pytest.mark.parametrize("case", CASES["text_to_word_sequence"],
                         ids=lambda c: f"{json.dumps(c['kwargs'])}-{c['text'][:12]}")
def test_text_to_word_sequence_matches_keras(case):
    assert text_to_word_sequence(case["text"], **case["kwargs"]) == case["result"]


@pytest.mark.parametrize("case", CASES["hashing_trick_md5"], ids=lambda c: f"{c['n']}-{c['text'][:12]}")
def test_hashing_trick_md5_matches_keras(case):
    assert hashing_trick(case["text"], case["n"], hash_function="md5") == case["result"]


def test_one_hot_hashes_words_into_1_to_n_minus_1():
    words = text_to_word_sequence(FIT_TEXTS[2])
    got = one_hot(FIT_TEXTS[2], 7)
    assert len(got) == len(words)
    assert all(1 <= i < 7 for i in got)
    # The same word always gets the same index within a process.
    assert got[words.index("cat")] == one_hot("CAT", 7)[0]
    assert hashing_trick("a b", 10, hash_function=len) == [2, 2]
    assert hashing_trick("x,y", 10, analyzer=lambda t: t.split(","), hash_function=lambda w: ord(w)) == \
        [ord("x") % 9 + 1, ord("y") % 9 + 1]


def fitted(case):
    tok = Tokenizer(**case["kwargs"])
    tok.fit_on_texts(FIT_TEXTS)
    return tok


@pytest.mark.parametrize("case", STRING_TOKENIZERS, ids=lambda c: json.dumps(c["kwargs"]))
def test_tokenizer_vocabulary_matches_keras(case):
    tok = fitted(case)
    assert tok.word_index == case["word_index"]
    assert list(tok.word_index) == list(case["word_index"])
    assert {str(k): v for k, v in tok.index_word.items()} == case["index_word"]
    assert [list(item) for item in tok.word_counts.items()] == case["word_counts"]
    assert dict(tok.word_docs) == case["word_docs"]
    assert {str(k): v for k, v in tok.index_docs.items()} == case["index_docs"]
    assert tok.document_count == case["document_count"]


@pytest.mark.parametrize("case", STRING_TOKENIZERS, ids=lambda c: json.dumps(c["kwargs"]))
def test_tokenizer_conversions_match_keras(case):
    tok = fitted(case)
    seqs = tok.texts_to_sequences(case["probe"])
    assert seqs == case["sequences"]
    assert tok.sequences_to_texts(seqs + [[1, 2, 3, 99, 4]]) == case["texts_back"]
    for mode, enc in case["matrices"].items():
        got = tok.texts_to_matrix(case["probe"], mode=mode)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, decode(enc), rtol=1e-12, err_msg=mode)


@pytest.mark.parametrize("case", STRING_TOKENIZERS, ids=lambda c: json.dumps(c["kwargs"]))
def test_tokenizer_json_matches_keras_and_round_trips(case):
    tok = fitted(case)
    # word_docs/index_docs follow the iteration order of a Python set in Keras (salted per process): compare
    # them as dicts, everything else as the exact strings Keras writes.
    unordered = ("word_docs", "index_docs")
    config = tok.get_config()
    assert list(config) == list(case["config"])
    assert {k: v for k, v in config.items() if k not in unordered} == \
        {k: v for k, v in case["config"].items() if k not in unordered}
    for key in unordered:
        assert json.loads(config[key]) == json.loads(case["config"][key])
    assert json.loads(tok.to_json())["class_name"] == json.loads(case["json"])["class_name"]
    # Keras' JSON read by us, and ours read back, convert the same way.
    for source in (case["json"], tok.to_json()):
        back = tokenizer_from_json(source)
        assert back.word_index == tok.word_index
        assert back.texts_to_sequences(case["probe"]) == case["sequences"]
        np.testing.assert_allclose(back.texts_to_matrix(case["probe"], mode="tfidf"),
                                   decode(case["matrices"]["tfidf"]), rtol=1e-12)
    # Fitting more after loading works (the loaded dicts keep counting).
    back = tokenizer_from_json(case["json"])
    back.fit_on_texts(["zebra zebra"])
    assert back.document_count == case["document_count"] + 1


def test_tokenizer_on_token_lists_matches_keras():
    case = next(c for c in CASES["tokenizers"] if c.get("texts_are_token_lists"))
    tok = Tokenizer()
    tok.fit_on_texts(case["fit_texts"])
    assert tok.word_index == case["word_index"]
    assert tok.texts_to_sequences([["HELLO", "there", "nobody"]]) == case["sequences"]


def test_sequences_to_matrix_after_fit_on_sequences_matches_keras():
    tok = Tokenizer(num_words=6)
    tok.fit_on_sequences([[1, 2, 2, 3], [3, 4], [5, 1]])
    for mode, enc in CASES["sequences_to_matrix_after_fit_on_sequences"].items():
        np.testing.assert_allclose(tok.sequences_to_matrix([[1, 2, 2, 3, 7], [], [5, 5, 4]], mode=mode),
                                   decode(enc), rtol=1e-12, err_msg=mode)


def test_tokenizer_errors_match_keras():
    errors = CASES["tokenizer_errors"]
    with pytest.raises(ValueError, match="Specify a dimension"):
        Tokenizer().texts_to_matrix(["a b"])
    assert errors["matrix_unfitted"] == "ValueError"
    with pytest.raises(ValueError, match="before using tfidf mode"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")
    assert errors["tfidf_unfitted"] == "ValueError"
    tok = Tokenizer()
    tok.fit_on_texts(["a b c"])
    with pytest.raises(ValueError, match="Unknown vectorization mode: 'nope'"):
        tok.texts_to_matrix(["a b"], mode="nope")
    assert errors["bad_mode"] == "ValueError"
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        Tokenizer(foo=1)
    assert errors["bad_kwarg"] == "TypeError"


def test_tokenizer_fits_a_generator_and_accepts_nb_words():
    tok = Tokenizer()
    tok.fit_on_texts(t for t in ["b a", "b"])
    assert tok.word_index == {"b": 1, "a": 2}
    with pytest.warns(UserWarning, match="renamed `num_words`"):
        assert Tokenizer(nb_words=3).num_words == 3


def test_module_exports():
    assert set(text.__all__) == {"text_to_word_sequence", "one_hot", "hashing_trick", "Tokenizer",
                                 "tokenizer_from_json"}
