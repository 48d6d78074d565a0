"""keras.preprocessing.sequence against tf-keras 2.21 (tests/fixtures/preprocessing, tools/make_preprocessing_fixtures.py)."""
import json
import os
import random

import numpy as np
import pytest

import fastkeras
from fastkeras.preprocessing import sequence
from fastkeras.preprocessing.sequence import TimeseriesGenerator, make_sampling_table, pad_sequences, skipgrams

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "preprocessing", "cases.json")
with open(FIXTURE) as _f:
    CASES = json.load(_f)


def decode(enc):
    dtype = object if enc["dtype"] == "object" else enc["dtype"]
    return np.array(enc["array"], dtype=dtype).reshape(enc["shape"])


def kwargs_of(case):
    kwargs = dict(case["kwargs"])
    if kwargs.get("dtype") == "object":
        kwargs["dtype"] = object
    return kwargs


@pytest.mark.parametrize("case", CASES["pad_sequences"], ids=lambda c: json.dumps(c["kwargs"]))
def test_pad_sequences_matches_keras(case):
    expected = decode(case["result"])
    got = pad_sequences(case["sequences"], **kwargs_of(case))
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("case", CASES["pad_sequences_errors"], ids=lambda c: json.dumps(c["kwargs"]))
def test_pad_sequences_errors_match_keras(case):
    with pytest.raises(ValueError):
        pad_sequences(case["sequences"], **case["kwargs"])
    assert case["error"] == "ValueError"


def test_pad_sequences_error_messages_say_what_is_wrong():
    with pytest.raises(ValueError, match='Padding type "middle" not understood'):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="set `dtype=object`"):
        pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match="Found non-iterable: 5"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match=r"Shape of sample \(3,\) of sequence at position 1"):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])


def test_pad_sequences_accepts_arrays_and_is_exported_from_utils():
    seqs = [np.array([1, 2, 3]), np.array([4])]
    np.testing.assert_array_equal(fastkeras.utils.pad_sequences(seqs, maxlen=2), [[2, 3], [0, 4]])
    assert pad_sequences([], maxlen=3).shape == (0, 3)
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)


@pytest.mark.parametrize("case", CASES["timeseries"]["cases"], ids=lambda c: json.dumps(c["kwargs"]))
def test_timeseries_generator_matches_keras(case):
    data = decode(CASES["timeseries"]["data"])
    targets = decode(CASES["timeseries"]["targets"])
    gen = TimeseriesGenerator(data, targets, **case["kwargs"])
    assert isinstance(gen, fastkeras.utils.Sequence)
    assert len(gen) == case["len"]
    for i, (x_enc, y_enc) in enumerate(case["batches"]):
        x, y = gen[i]
        np.testing.assert_array_equal(x, decode(x_enc))
        np.testing.assert_array_equal(y, decode(y_enc))
    config = gen.get_config()
    assert {k: v for k, v in config.items() if k not in ("data", "targets")} == case["config"]
    assert json.loads(config["data"]) == data.tolist()
    assert json.loads(gen.to_json())["class_name"] == "TimeseriesGenerator"


def test_timeseries_generator_errors():
    data = np.zeros((25, 2))
    with pytest.raises(ValueError, match=r"`start_index\+length=30 > end_index=24` is disallowed"):
        TimeseriesGenerator(data, np.zeros(25), length=30)
    assert CASES["timeseries"]["errors"][0]["error"] == "ValueError"
    with pytest.raises(ValueError, match="Data length is 25 while target length is 3"):
        TimeseriesGenerator(data, np.zeros(3), length=2)


def test_timeseries_generator_shuffle_draws_rows_in_range():
    data = np.arange(40).reshape(20, 2)
    gen = TimeseriesGenerator(data, np.arange(20), length=4, shuffle=True, batch_size=50)
    np.random.seed(0)
    x, y = gen[0]
    assert x.shape == (50, 4, 2)
    assert y.min() >= 4 and y.max() <= 19
    # Each window is the 4 rows before its target row.
    np.testing.assert_array_equal(x[:, -1, 0] // 2, y - 1)


def test_timeseries_generator_trains_a_model():
    pytest.importorskip("fastkeras.optimizers")  # training needs the optimizers module
    data = np.random.RandomState(0).rand(40, 3).astype("float32")
    gen = TimeseriesGenerator(data, data[:, :1], length=5, batch_size=8)
    model = fastkeras.Sequential([fastkeras.layers.Flatten(input_shape=(5, 3)), fastkeras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(gen, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


@pytest.mark.parametrize("case", CASES["sampling_table"], ids=lambda c: f"{c['size']}-{c['sampling_factor']}")
def test_make_sampling_table_matches_keras(case):
    np.testing.assert_allclose(make_sampling_table(case["size"], case["sampling_factor"]), decode(case["result"]),
                               rtol=1e-12)


@pytest.mark.parametrize("case", CASES["skipgrams"], ids=lambda c: str(c["python_seed"]))
def test_skipgrams_match_keras_for_the_same_python_seed(case):
    random.seed(case["python_seed"])
    couples, labels = skipgrams(case["sequence"], **case["kwargs"])
    assert couples == case["couples"]
    assert labels == case["labels"]


def test_skipgrams_categorical_labels_are_distinct_lists():
    _, labels = skipgrams([1, 2, 3], 4, window_size=1, categorical=True, shuffle=False)
    labels[0][0] = 5
    assert labels[1] in ([0, 1], [1, 0])


def test_module_exports():
    assert set(sequence.__all__) == {"pad_sequences", "TimeseriesGenerator", "make_sampling_table", "skipgrams"}
