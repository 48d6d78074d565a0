"""Writes the expected values of tests/layers/test_lookup_layers.py by running real tf-keras.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_lookup_fixtures.py

It writes tests/fixtures/lookup_layers/cases.json: per case its id, class name, the tf-keras ``get_config()`` of
the unbuilt layer (what the test constructs from), the adapt data (if any) and the layer's state after adapt
(vocabulary / bin boundaries / idf weights, config after adapt), the input (a nested JSON list, strings as
str) with its dtype, and the output (nested list) with its dtype. Everything is small, so it is all JSON.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "lookup_layers")


def jsonable(value):
    def default(o):
        if isinstance(o, bytes):
            return o.decode("utf-8")
        if isinstance(o, np.ndarray):
            return o.tolist()
        if hasattr(o, "numpy"):
            return default(o.numpy())
        if hasattr(o, "item"):
            return o.item()
        if isinstance(o, tuple):
            return list(o)
        return str(o)
    return json.loads(json.dumps(value, default=default))


def to_list(array):
    array = np.asarray(array)
    if array.dtype.kind in ("O", "S"):
        return np.vectorize(lambda b: b.decode("utf-8") if isinstance(b, bytes) else b, otypes=[object])(
            array).tolist()
    return array.tolist()


CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "The dog barks; the fox runs!",
    "A quick, QUICK test of the vectorizer.",
    "Dogs and foxes: friends? Not really.",
    "the the the end",
]
QUERIES = ["The fox and the dog", "unknown words here, the end!", "quick quick brown", ""]


def cases(rng):
    ints = np.array([[1, 2, 3, 3], [4, 5, 1, 0], [7, 7, 9, 2]], "int64")
    int_vocab_data = np.array([[3, 3, 7, 12], [12, 3, 9, 7], [42, 3, 7, 0]], "int64")
    words = np.array([["a", "b", "c", "a"], ["d", "c", "a", ""], ["zz", "b", "a", "c"]])
    word_adapt = np.array([["fire", "ice", "water", "fire"], ["ice", "fire", "earth", "wind"],
                           ["fire", "ice", "air", "air"]])
    # tf-keras' tf_idf adapt deduplicates each row with tf.map_fn, which fails on dense rows whose unique counts
    # differ, so the tf_idf adapt data has rows of distinct tokens.
    int_idf_data = np.array([[3, 7, 12, 42], [12, 3, 9, 7], [42, 3, 5, 1]], "int64")
    word_idf_data = np.array([["fire", "ice", "water"], ["ice", "fire", "earth"], ["fire", "air", "wind"]])
    word_query = np.array([["fire", "air", "nope"], ["ice", "", "wind"]])
    normal = rng.normal(size=(64, 3)).astype("float32")
    return [
        # ---- CategoryEncoding
        ("ce_multi_hot", lambda: L.CategoryEncoding(num_tokens=6), np.array([[0, 1], [3, 5], [2, 2]]), {}),
        ("ce_multi_hot_1d", lambda: L.CategoryEncoding(num_tokens=4), np.array([0, 3, 3]), {}),
        ("ce_one_hot", lambda: L.CategoryEncoding(num_tokens=6, output_mode="one_hot"), np.array([0, 3, 5]), {}),
        ("ce_one_hot_col", lambda: L.CategoryEncoding(num_tokens=4, output_mode="one_hot"),
         np.array([[0], [3], [1]]), {}),
        ("ce_count", lambda: L.CategoryEncoding(num_tokens=6, output_mode="count"),
         np.array([[0, 1, 1, 1], [5, 5, 2, 0]]), {}),
        ("ce_count_weights", lambda: L.CategoryEncoding(num_tokens=6, output_mode="count"),
         np.array([[0, 1, 1, 1], [5, 5, 2, 0]]),
         {"count_weights": np.array([[0.5, 1.0, 2.0, 0.25], [1.5, 1.0, 3.0, 0.1]], "float32")}),
        # ---- Discretization
        ("disc_int", lambda: L.Discretization(bin_boundaries=[0.0, 1.0, 2.0]),
         np.array([[-1.5, 0.0, 0.5, 1.0], [2.0, 2.5, 1.99, -0.01]], "float32"), {}),
        ("disc_one_hot", lambda: L.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot"),
         np.array([-1.0, 0.5, 3.0], "float32"), {}),
        ("disc_multi_hot", lambda: L.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode="multi_hot"),
         np.array([[-1.0, 0.5, 0.7], [3.0, 3.0, 1.0]], "float32"), {}),
        ("disc_count", lambda: L.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode="count"),
         np.array([[-1.0, 0.5, 0.7], [3.0, 3.0, 1.0]], "float32"), {}),
        ("disc_adapt", lambda: L.Discretization(num_bins=4, epsilon=0.01), normal[:5],
         {"adapt": normal}),
        ("disc_adapt_batches", lambda: L.Discretization(num_bins=5, epsilon=0.05), normal[:4],
         {"adapt": normal, "adapt_kwargs": {"batch_size": 10}}),
        ("disc_adapt_small", lambda: L.Discretization(num_bins=3), np.array([[0.0, 1.5, 2.5, 9.0]], "float32"),
         {"adapt": np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]], "float32")}),
        # ---- Hashing
        ("hash_int", lambda: L.Hashing(num_bins=7), ints, {}),
        ("hash_int_big", lambda: L.Hashing(num_bins=1000003),
         np.array([[0, -1, 123456789012], [2**40, -(2**35), 17]], "int64"), {}),
        ("hash_str", lambda: L.Hashing(num_bins=5), words, {}),
        ("hash_str_long", lambda: L.Hashing(num_bins=2**31 - 1),
         np.array(["", "x", "hello world", "a" * 17, "b" * 33, "the quick brown fox jumps over the lazy dog " * 3,
                   "é unicode ✓", "0123456789abcdef" * 5 + "xyz"]), {}),
        ("hash_int_salt", lambda: L.Hashing(num_bins=7, salt=133), ints, {}),
        ("hash_str_salt_pair", lambda: L.Hashing(num_bins=11, salt=[7, 99]), words, {}),
        ("hash_str_salt_long", lambda: L.Hashing(num_bins=2**31 - 1, salt=[12345, 67890]),
         np.array(["", "x", "hello world", "a" * 17, "b" * 33, "0123456789abcdef" * 5 + "xyz"]), {}),
        ("hash_mask", lambda: L.Hashing(num_bins=5, mask_value=0), ints, {}),
        ("hash_mask_str", lambda: L.Hashing(num_bins=4, mask_value=""), words, {}),
        ("hash_multi_hot", lambda: L.Hashing(num_bins=6, output_mode="multi_hot"), ints, {}),
        ("hash_one_hot", lambda: L.Hashing(num_bins=4, output_mode="one_hot"), np.array(["a", "b", "c"]), {}),
        ("hash_count", lambda: L.Hashing(num_bins=6, output_mode="count"), ints, {}),
        # ---- IntegerLookup
        ("il_vocab", lambda: L.IntegerLookup(vocabulary=[12, 3, 7, 42]), ints, {}),
        ("il_adapt", lambda: L.IntegerLookup(), np.array([[3, 7, 12, 5], [42, 9, 0, 3]]),
         {"adapt": int_vocab_data}),
        ("il_adapt_max", lambda: L.IntegerLookup(max_tokens=4), np.array([[3, 7, 12, 5], [42, 9, 0, 3]]),
         {"adapt": int_vocab_data}),
        ("il_oov2_nomask", lambda: L.IntegerLookup(vocabulary=[12, 3, 7, 42], num_oov_indices=2, mask_token=None),
         np.array([[3, 7, 12, 5], [42, 9, 0, 1]]), {}),
        ("il_mask", lambda: L.IntegerLookup(vocabulary=[12, 3, 7, 42], mask_token=0),
         np.array([[3, 7, 12, 5], [42, 9, 0, 1]]), {}),
        ("il_invert", lambda: L.IntegerLookup(vocabulary=[12, 3, 7, 42], invert=True),
         np.array([[0, 1, 2, 3], [4, 1, 2, 0]]), {}),
        ("il_multi_hot", lambda: L.IntegerLookup(vocabulary=[12, 3, 7, 42], output_mode="multi_hot"),
         np.array([[3, 7, 3, 5], [42, 9, 0, 12]]), {}),
        ("il_one_hot", lambda: L.IntegerLookup(vocabulary=[12, 3, 7, 42], output_mode="one_hot"),
         np.array([3, 7, 5]), {}),
        ("il_count", lambda: L.IntegerLookup(vocabulary=[12, 3, 7, 42], output_mode="count"),
         np.array([[3, 7, 3, 5], [42, 9, 0, 12]]), {}),
        ("il_tf_idf", lambda: L.IntegerLookup(output_mode="tf_idf"), np.array([[3, 7, 3, 5], [42, 9, 0, 12]]),
         {"adapt": int_idf_data}),
        ("il_tf_idf_given", lambda: L.IntegerLookup(vocabulary=[12, 3, 7], idf_weights=[0.5, 0.25, 1.5],
                                                     output_mode="tf_idf"),
         np.array([[3, 7, 3, 5], [42, 9, 0, 12]]), {}),
        ("il_multi_hot_pad", lambda: L.IntegerLookup(max_tokens=8, pad_to_max_tokens=True, output_mode="multi_hot"),
         np.array([[3, 7, 3, 5], [42, 9, 0, 12]]), {"adapt": int_vocab_data}),
        # ---- StringLookup
        ("sl_vocab", lambda: L.StringLookup(vocabulary=["a", "b", "c"]), words, {}),
        ("sl_adapt", lambda: L.StringLookup(), word_query, {"adapt": word_adapt}),
        ("sl_adapt_max", lambda: L.StringLookup(max_tokens=4), word_query, {"adapt": word_adapt}),
        ("sl_mask", lambda: L.StringLookup(vocabulary=["a", "b", "c"], mask_token=""), words, {}),
        ("sl_oov2", lambda: L.StringLookup(vocabulary=["a", "b", "c"], num_oov_indices=2), words, {}),
        ("sl_oov0", lambda: L.StringLookup(vocabulary=["a", "b", "c", "d", "zz", ""], num_oov_indices=0),
         words, {}),
        ("sl_invert", lambda: L.StringLookup(vocabulary=["a", "b", "c"], invert=True),
         np.array([[0, 1, 2, 3], [3, 3, 0, 1]]), {}),
        ("sl_invert_mask", lambda: L.StringLookup(vocabulary=["a", "b", "c"], mask_token="[MASK]", invert=True),
         np.array([[0, 1, 2, 3], [4, 3, 0, 1]]), {}),
        ("sl_multi_hot", lambda: L.StringLookup(vocabulary=["a", "b", "c"], output_mode="multi_hot"), words, {}),
        ("sl_one_hot", lambda: L.StringLookup(vocabulary=["a", "b", "c"], output_mode="one_hot"),
         np.array(["a", "c", "q"]), {}),
        ("sl_count", lambda: L.StringLookup(vocabulary=["a", "b", "c"], output_mode="count"), words, {}),
        ("sl_tf_idf", lambda: L.StringLookup(output_mode="tf_idf"), word_query, {"adapt": word_idf_data}),
        ("sl_scalar_rows", lambda: L.StringLookup(vocabulary=["a", "b", "c"]), np.array(["c", "a", "x"]), {}),
        # ---- TextVectorization
        ("tv_int", lambda: L.TextVectorization(), QUERIES, {"adapt": CORPUS}),
        ("tv_int_len", lambda: L.TextVectorization(max_tokens=10, output_sequence_length=6), QUERIES,
         {"adapt": CORPUS}),
        ("tv_int_short", lambda: L.TextVectorization(output_sequence_length=2), QUERIES, {"adapt": CORPUS}),
        ("tv_bigrams", lambda: L.TextVectorization(ngrams=2), QUERIES, {"adapt": CORPUS}),
        ("tv_ngrams_tuple", lambda: L.TextVectorization(ngrams=(1, 3), output_mode="count"), QUERIES,
         {"adapt": CORPUS}),
        ("tv_multi_hot", lambda: L.TextVectorization(max_tokens=12, output_mode="multi_hot"), QUERIES,
         {"adapt": CORPUS}),
        ("tv_count", lambda: L.TextVectorization(output_mode="count"), QUERIES, {"adapt": CORPUS}),
        ("tv_tf_idf", lambda: L.TextVectorization(output_mode="tf_idf"), QUERIES, {"adapt": CORPUS}),
        ("tv_tf_idf_max", lambda: L.TextVectorization(max_tokens=9, output_mode="tf_idf", pad_to_max_tokens=True),
         QUERIES, {"adapt": CORPUS}),
        ("tv_vocab", lambda: L.TextVectorization(vocabulary=["the", "fox", "dog", "quick"],
                                                 output_sequence_length=5), QUERIES, {}),
        ("tv_no_standardize", lambda: L.TextVectorization(standardize=None), QUERIES, {"adapt": CORPUS}),
        ("tv_lower", lambda: L.TextVectorization(standardize="lower"), QUERIES, {"adapt": CORPUS}),
        ("tv_strip", lambda: L.TextVectorization(standardize="strip_punctuation"), QUERIES, {"adapt": CORPUS}),
        ("tv_no_split", lambda: L.TextVectorization(split=None), ["The end", "quick", "the the the end"],
         {"adapt": CORPUS}),
        ("tv_character", lambda: L.TextVectorization(split="character", output_sequence_length=8),
         ["dog", "the fox"], {"adapt": CORPUS}),
        ("tv_column", lambda: L.TextVectorization(output_sequence_length=4), np.array([["the dog"], ["a fox"]]),
         {"adapt": CORPUS}),
    ]


def run_case(cid, factory, x, options):
    layer = factory()
    case = {"id": cid, "class_name": type(layer).__name__, "config_unbuilt": jsonable(layer.get_config())}
    if "adapt" in options:
        data = options["adapt"]
        case["adapt"] = to_list(data)
        case["adapt_dtype"] = "string" if np.asarray(data).dtype.kind in "US" else str(np.asarray(data).dtype)
        case["adapt_kwargs"] = options.get("adapt_kwargs", {})
        layer.adapt(np.asarray(data) if not isinstance(data, list) else data, **case["adapt_kwargs"])
        case["config_adapted"] = jsonable(layer.get_config())
        if hasattr(layer, "get_vocabulary"):
            case["vocabulary"] = to_list(np.array(layer.get_vocabulary(), dtype=object))
            case["vocabulary_size"] = int(layer.vocabulary_size())
        if hasattr(layer, "bin_boundaries"):
            case["bin_boundaries"] = jsonable(layer.bin_boundaries)
    x_arr = np.asarray(x)
    case["x"] = to_list(x_arr)
    case["x_dtype"] = "string" if x_arr.dtype.kind in "US" else str(x_arr.dtype)
    kwargs = {}
    if "count_weights" in options:
        kwargs["count_weights"] = options["count_weights"]
        case["count_weights"] = options["count_weights"].tolist()
    y = layer(tf.constant(x_arr) if x_arr.dtype.kind not in "US" else tf.constant(x_arr.astype(object)), **kwargs)
    if isinstance(y, tf.SparseTensor):
        y = tf.sparse.to_dense(y)
    case["y"] = to_list(y.numpy())
    case["y_dtype"] = y.dtype.name if y.dtype != tf.string else "string"
    case["config"] = jsonable(layer.get_config())
    if hasattr(layer, "get_vocabulary"):
        case["vocabulary_after"] = to_list(np.array(layer.get_vocabulary(), dtype=object))
    return case


def main():
    rng = np.random.default_rng(20261130)
    os.makedirs(OUT_DIR, exist_ok=True)
    out = [run_case(*c) for c in cases(rng)]
    # Discretization / IntegerLookup / StringLookup on symbolic inputs: the output shapes and dtypes.
    symbolic = []
    for cid, factory, shape, dtype in [
        ("ce", lambda: L.CategoryEncoding(num_tokens=6), (3,), "int64"),
        ("disc", lambda: L.Discretization(bin_boundaries=[0.0, 1.0]), (4,), "float32"),
        ("hash", lambda: L.Hashing(num_bins=5), (4,), "int64"),
        ("il", lambda: L.IntegerLookup(vocabulary=[1, 2, 3]), (4,), "int64"),
        ("il_mh", lambda: L.IntegerLookup(vocabulary=[1, 2, 3], output_mode="multi_hot"), (4,), "int64"),
    ]:
        y = factory()(keras.Input(shape, dtype=dtype))
        symbolic.append({"id": cid, "shape": list(y.shape), "dtype": y.dtype.name})
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(jsonable({"tf_keras": keras.__version__, "cases": out, "symbolic": symbolic}), f, indent=0)
    print(f"{len(out)} cases written")


if __name__ == "__main__":
    main()
