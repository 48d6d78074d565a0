"""Keras 3's keras.datasets.california_housing on a tiny Keras cache (tests/fixtures/keras3_datasets, written with
what Keras 3.15.1 loads from it by tools/make_keras3_dataset_fixtures.py). No test touches the network."""
import hashlib
import json
import os
import shutil
import urllib.error

import numpy as np
import pytest

import fastkeras as keras
from fastkeras.datasets import california_housing
from fastkeras.utils import data_utils

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras3_datasets")
with open(os.path.join(FIXTURES, "expected.json")) as _f:
    EXPECTED = json.load(_f)


@pytest.fixture
def no_network(monkeypatch):
    calls = []

    def offline(url, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    monkeypatch.setattr(data_utils.urllib.request, "urlopen", offline)
    return calls


@pytest.fixture
def keras_home(tmp_path, monkeypatch, no_network):
    home = tmp_path / "keras_home"
    shutil.copytree(os.path.join(FIXTURES, "keras_home"), home)
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setattr(california_housing, "FILE_HASH", EXPECTED["sha256"])
    return home


@pytest.mark.parametrize("case", EXPECTED["cases"], ids=lambda c: json.dumps(c["kwargs"]))
def test_load_data_matches_keras3(keras_home, no_network, case):
    result = keras.datasets.california_housing.load_data(**case["kwargs"])
    (x_train, y_train), _ = result
    np.testing.assert_array_equal(x_train[0], np.array(case["first_row"], dtype=x_train.dtype))
    np.testing.assert_array_equal(y_train[:5], np.array(case["first_targets"], dtype=y_train.dtype))
    for got_pair, enc_pair in zip(result, case["result"]):
        for got, enc in zip(got_pair, enc_pair):
            assert (str(got.dtype), list(got.shape)) == (enc["dtype"], enc["shape"])
            assert hashlib.sha256(np.ascontiguousarray(got).tobytes()).hexdigest() == enc["sha256"]
    assert no_network == []


def test_arguments_are_checked(keras_home):
    with pytest.raises(ValueError, match=r"`version` must be 'small' or 'large'. Received: version='tiny'"):
        california_housing.load_data(version="tiny")
    with pytest.raises(ValueError, match=r"`test_split` must be in \[0, 1\). Received: test_split=1"):
        california_housing.load_data(test_split=1)


def test_missing_file_offline_says_which_file_to_put_where(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    with pytest.raises(data_utils.FetchError) as info:
        california_housing.load_data()
    target = os.path.join(str(tmp_path / "home"), "datasets", "california_housing.npz")
    assert f"put it at {target}" in str(info.value)
    assert no_network == [california_housing.ORIGIN]
