"""fastkeras.utils.normalize against tf-keras (tests/fixtures/preprocessing) and the utils.Sequence base class."""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras.utils import Sequence, normalize

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "preprocessing", "cases.json")
with open(FIXTURE) as _f:
    CASES = json.load(_f)["normalize"]


def decode(enc):
    return np.array(enc["array"], dtype=enc["dtype"]).reshape(enc["shape"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: json.dumps(c["kwargs"]) + str(c["x"]["shape"]))
def test_normalize_matches_keras(case):
    kwargs = {k: (np.inf if v == "inf" else v) for k, v in case["kwargs"].items()}
    got = normalize(decode(case["x"]), **kwargs)
    np.testing.assert_allclose(got, decode(case["result"]), rtol=1e-12, atol=0)


class Squares(Sequence):
    def __init__(self):
        self.epochs_ended = 0

    def __len__(self):
        return 3

    def __getitem__(self, index):
        x = np.full((2, 1), float(index), dtype="float32")
        return x, x ** 2

    def on_epoch_end(self):
        self.epochs_ended += 1


def fit_on(seq, epochs):
    model = fastkeras.Sequential([fastkeras.layers.Dense(1, input_shape=(1,))])
    model.compile("sgd", "mse")
    return model.fit(seq, epochs=epochs, verbose=0)


def test_sequence_iterates_and_trains():
    seq = Squares()
    assert [int(x[0, 0]) for x, _ in seq] == [0, 1, 2]
    assert len(fit_on(seq, 2).history["loss"]) == 2
    assert fastkeras.utils.Sequence is Sequence


def test_fit_calls_on_epoch_end_of_a_sequence():
    seq = Squares()
    fit_on(seq, 2)
    assert seq.epochs_ended == 2


def test_sequence_methods_must_be_implemented():
    class Empty(Sequence):
        pass
    with pytest.raises(NotImplementedError, match="Empty must implement __len__"):
        len(Empty())
    with pytest.raises(NotImplementedError, match=r"Empty must implement __getitem__\(index\)"):
        Empty()[0]
