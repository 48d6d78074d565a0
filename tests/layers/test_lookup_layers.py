"""CategoryEncoding, Discretization, Hashing, IntegerLookup, StringLookup and TextVectorization against tf-keras 2.21.

Expected values: tests/fixtures/lookup_layers/cases.json (tools/make_lookup_fixtures.py): per case the layer's
config, adapt data, the vocabulary / bin boundaries learned by adapt, the input and tf-keras' output. Vocabularies
and integer outputs must be equal, float outputs (tf_idf) within 1e-6.
"""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import backend as K
from fastkeras import layers
from fastkeras.layers import deserialize

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "lookup_layers")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    FIXTURE = json.load(_f)
CASES = FIXTURE["cases"]
BY_ID = {c["id"]: c for c in CASES}


def plain(config):
    config = json.loads(json.dumps(config, default=lambda o: o.item() if hasattr(o, "item") else list(o)))
    config.pop("name", None)
    return config


def expected_config(config):
    config = dict(config)
    config.pop("name", None)
    return config


def array(values, dtype):
    return np.array(values, dtype=object) if dtype == "string" else np.array(values, dtype=dtype)


def layer_input(values, dtype):
    x = array(values, dtype)
    return x if dtype == "string" else K.convert_to_tensor(x)


def make_layer(case):
    return deserialize({"class_name": case["class_name"], "config": case["config_unbuilt"]})


def run_case(case):
    layer = make_layer(case)
    if "adapt" in case:
        data = case["adapt"]
        if case["adapt_dtype"] != "string" or isinstance(data[0], list):
            data = array(data, case["adapt_dtype"])
        layer.adapt(data, **case["adapt_kwargs"])
    kwargs = {}
    if "count_weights" in case:
        kwargs["count_weights"] = np.array(case["count_weights"], np.float32)
    return layer, layer(layer_input(case["x"], case["x_dtype"]), **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_output_matches_tf_keras(case):
    layer, y = run_case(case)
    if "vocabulary" in case:
        assert layer.get_vocabulary() == case["vocabulary"]
        assert layer.vocabulary_size() == case["vocabulary_size"]
    if "bin_boundaries" in case:
        np.testing.assert_allclose(layer.bin_boundaries, case["bin_boundaries"], rtol=0, atol=1e-6)
        np.testing.assert_array_equal(np.float32(layer.bin_boundaries), np.float32(case["bin_boundaries"]))
    if case["y_dtype"] == "string":
        assert isinstance(y, np.ndarray)
        assert y.tolist() == case["y"]
        return
    assert K.dtype(y) == case["y_dtype"]
    got = K.to_numpy(y)
    want = np.array(case["y"], dtype=case["y_dtype"])
    assert got.shape == want.shape
    if case["y_dtype"].startswith("int"):
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    if "vocabulary_after" in case:
        assert layer.get_vocabulary() == case["vocabulary_after"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_config_matches_tf_keras(case):
    layer = make_layer(case)
    assert plain(layer.get_config()) == expected_config(case["config_unbuilt"])
    layer, _ = run_case(case)
    assert plain(layer.get_config()) == expected_config(case["config"])
    # Round trip: a layer rebuilt from the config gives the same config (and, with a vocabulary in it, outputs).
    # An adapted vocabulary is not in the config (tf-keras saves it as an asset), so TextVectorization's
    # vocabulary_size (computed, not stored) differs after an adapt, as in tf-keras.
    clone = type(layer).from_config(layer.get_config())
    clone_config, config = plain(clone.get_config()), plain(layer.get_config())
    if "adapt" in case and case["class_name"] == "TextVectorization":
        clone_config.pop("vocabulary_size"), config.pop("vocabulary_size")
    assert clone_config == config
    if "adapt" not in case:
        kwargs = {"count_weights": np.array(case["count_weights"], np.float32)} if "count_weights" in case else {}
        y = clone(layer_input(case["x"], case["x_dtype"]), **kwargs)
        if case["y_dtype"] == "string":
            assert y.tolist() == case["y"]
        else:
            np.testing.assert_allclose(K.to_numpy(y), np.array(case["y"]), rtol=0, atol=1e-6)


@pytest.mark.parametrize("case", FIXTURE["symbolic"], ids=[c["id"] for c in FIXTURE["symbolic"]])
def test_symbolic_shapes(case):
    factories = {
        "ce": lambda: layers.CategoryEncoding(num_tokens=6),
        "disc": lambda: layers.Discretization(bin_boundaries=[0.0, 1.0]),
        "hash": lambda: layers.Hashing(num_bins=5),
        "il": lambda: layers.IntegerLookup(vocabulary=[1, 2, 3]),
        "il_mh": lambda: layers.IntegerLookup(vocabulary=[1, 2, 3], output_mode="multi_hot"),
    }
    inputs = {"ce": ((3,), "int64"), "disc": ((4,), "float32"), "hash": ((4,), "int64"), "il": ((4,), "int64"),
              "il_mh": ((4,), "int64")}
    shape, dtype = inputs[case["id"]]
    y = factories[case["id"]]()(layers.Input(shape, dtype=dtype))
    assert list(y.shape) == case["shape"]
    assert y.dtype == case["dtype"]


def test_farmhash_and_siphash_reference_values():
    from fastkeras.layers.preprocessing_lookup import fingerprint64, siphash24
    # SipHash-2-4 test vector from the SipHash paper (key 00..0f, message 00..0e).
    key = (int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little"))
    assert siphash24(key, bytes(range(15))) == 0xa129ca6149be45e5
    assert fingerprint64(b"") == 0x9ae16a3b2f90404f


def test_integer_lookup_in_a_model():
    inputs = layers.Input((4,), dtype="int64")
    ids = layers.IntegerLookup(vocabulary=[12, 3, 7, 42])(inputs)
    encoded = layers.CategoryEncoding(num_tokens=5, output_mode="count")(ids)
    outputs = layers.Dense(1)(encoded)
    model = fastkeras.Model(inputs, outputs)
    case = BY_ID["il_vocab"]
    x = np.array(case["x"], np.int64)
    hidden = fastkeras.Model(inputs, encoded).predict(x, verbose=0)
    expected = np.stack([np.bincount(row, minlength=5) for row in np.array(case["y"])]).astype(np.float32)
    np.testing.assert_array_equal(hidden, expected)
    assert model.predict(x, verbose=0).shape == (3, 1)


def test_string_layers_refuse_symbolic_inputs():
    symbolic = layers.Input((1,), dtype="int64")
    for layer in (layers.TextVectorization(), layers.StringLookup(vocabulary=["a"])):
        with pytest.raises(TypeError, match=f'"{layer.name}" \\({type(layer).__name__}\\).*before the model'):
            layer(symbolic)


def test_bad_inputs_name_the_layer():
    lookup = layers.StringLookup(vocabulary=["a", "b"], name="tokens")
    with pytest.raises(ValueError, match='"tokens".*expects strings'):
        lookup(K.convert_to_tensor(np.array([1, 2])))
    ints = layers.IntegerLookup(vocabulary=[1, 2], name="ids")
    with pytest.raises(ValueError, match='"ids".*integer'):
        ints(np.array(["a"]))
    encoding = layers.CategoryEncoding(num_tokens=3, name="enc")
    with pytest.raises(ValueError, match='"enc".*0 <= values < num_tokens'):
        encoding(K.convert_to_tensor(np.array([[0, 3]])))
    with pytest.raises(ValueError, match="output_mode"):
        layers.StringLookup(output_mode="bogus")
    strict = layers.StringLookup(vocabulary=["a"], num_oov_indices=0, name="strict")
    with pytest.raises(ValueError, match='"strict".*OOV values'):
        strict(["a", "zz"])


def test_set_vocabulary_and_special_tokens():
    layer = layers.StringLookup(mask_token="[MASK]")
    layer.set_vocabulary(["[MASK]", "[UNK]", "x", "y"])
    assert layer.get_vocabulary() == ["[MASK]", "[UNK]", "x", "y"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["x", "y"]
    np.testing.assert_array_equal(K.to_numpy(layer(["y", "[MASK]", "q"])), [3, 0, 1])
    tv = layers.TextVectorization(output_sequence_length=3)
    tv.set_vocabulary(["hello", "world"])
    np.testing.assert_array_equal(K.to_numpy(tv(["Hello, world!", "bye"])), [[2, 3, 0], [1, 0, 0]])
    with pytest.raises(ValueError, match="repeated"):
        layers.StringLookup(vocabulary=["a", "a"])


def test_fit_on_vectorized_text():
    case = BY_ID["tv_int_len"]
    vectorize = make_layer(case)
    vectorize.adapt(case["adapt"])
    texts = case["adapt"] * 4
    labels = np.array([i % 2 for i in range(len(texts))], np.float32)
    x = vectorize(texts)
    assert K.dtype(x) == "int64" and tuple(x.shape) == (len(texts), 6)
    model = fastkeras.Sequential([
        layers.Embedding(vectorize.vocabulary_size(), 8, input_length=6),
        layers.GlobalAveragePooling1D(),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, labels, epochs=3, batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 3 and np.isfinite(history.history["loss"]).all()
    tf_idf = make_layer(BY_ID["tv_tf_idf"])
    tf_idf.adapt(case["adapt"])
    dense = fastkeras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(tf_idf.vocabulary_size(),))])
    dense.compile(optimizer="sgd", loss="binary_crossentropy")
    dense.fit(tf_idf(texts), labels, epochs=1, verbose=0)
