"""HashedCrossing against tf-keras 2.21 (tests/fixtures/spectral_hashed_crossing/hashed_crossing.json, from
tools/make_spectral_hashed_crossing_fixtures.py): bins of string, integer and mixed crosses (FarmHash
Fingerprint64 folded with FingerprintCat64), every accepted input shape, one_hot output, configs and errors."""
import json
import os

import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras import layers
from fastkeras.layers import HashedCrossing, deserialize
from fastkeras.layers.hashed_crossing import fingerprint_cat64
from fastkeras.models import Model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "spectral_hashed_crossing")
with open(os.path.join(FIXTURES, "hashed_crossing.json"), encoding="utf-8") as f:
    FIXTURE = json.load(f)
CASES = FIXTURE["cases"]
ERRORS = FIXTURE["errors"]
IDS = [c["name"] for c in CASES]


def numpy_input(spec):
    return np.array(spec["values"], dtype=object if spec["dtype"] == "string" else spec["dtype"])


def layer_of(case):
    return deserialize({"class_name": "HashedCrossing", "config": case["config"]})


def check_output(case, out):
    assert K.dtype(out) == case["output_dtype"]
    np.testing.assert_array_equal(K.to_numpy(out), np.array(case["output"]))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bins_match_tf_keras(case):
    check_output(case, layer_of(case)(tuple(numpy_input(s) for s in case["inputs"])))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_python_lists_and_tensors_give_the_same_bins(case):
    """Plain lists / scalars for strings, engine tensors for integers, in a list instead of a tuple."""
    inputs = [s["values"] if s["dtype"] == "string" else K.convert_to_tensor(numpy_input(s))
              for s in case["inputs"]]
    check_output(case, layer_of(case)(inputs))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_is_tf_keras(case):
    layer = layer_of(case)
    config = json.loads(json.dumps(layer.get_config()))
    assert config == case["config"]
    assert HashedCrossing.from_config(config).get_config() == layer.get_config()


@pytest.mark.parametrize("case", [c for c in CASES if all(s["dtype"] != "string" for s in c["inputs"])
                                  and np.ndim(c["inputs"][0]["values"]) >= 1], ids=lambda c: c["name"])
def test_integer_crossing_inside_a_model(case):
    """Integer features can be crossed inside a model; the symbolic shape is tf-keras' encoded shape."""
    arrays = [numpy_input(s) for s in case["inputs"]]
    inputs = [layers.Input(a.shape[1:], dtype=str(a.dtype)) for a in arrays]
    layer = layer_of(case)
    out = layer(inputs)
    expected = np.array(case["output"])
    assert tuple(out.shape) == (None,) + expected.shape[1:]
    assert tuple(layer.compute_output_shape([tuple(i.shape) for i in inputs])) == (None,) + expected.shape[1:]
    model = Model(inputs, out)
    np.testing.assert_array_equal(model.predict(arrays, verbose=0), expected)


def test_symbolic_shape_matches_tf_keras():
    layer = HashedCrossing(3)
    out = layer([layers.Input((1,), dtype="int64"), layers.Input((1,), dtype="int64")])
    assert ERRORS["symbolic"]["ok"]
    assert list(out.shape) == ERRORS["symbolic"]["shape"]
    one_hot = HashedCrossing(4, output_mode="one_hot")([layers.Input((), dtype="int32"),
                                                         layers.Input((), dtype="int32")])
    assert tuple(one_hot.shape) == (None, 4)


def test_fingerprint_cat64_reference_value():
    """FingerprintCat64(0xDECAFCAFFE, 1) then 6, modulo 7: the bin tf-keras gives crossing 1 with 6."""
    value = fingerprint_cat64(fingerprint_cat64(np.array([0xDECAFCAFFE], np.uint64), np.array([1], np.uint64)),
                              np.array([6], np.uint64))
    ints = next(c for c in CASES if c["name"] == "ints")
    assert int(value[0] % np.uint64(7)) == ints["output"][0]


# ---- errors (tf-keras' conditions; messages name the layer) --------------------------------------------------

@pytest.mark.parametrize("name, call, pattern", [
    ("one_input", lambda layer: layer((np.array([1]),)), "at least two inputs"),
    ("not_a_list", lambda layer: layer(np.array([1])), "list or tuple of inputs"),
    ("shape_mismatch", lambda layer: layer((np.array([1, 2]), np.array([1, 2, 3]))), "equal shape"),
    ("rank_3", lambda layer: layer((np.array([[[1]]]), np.array([[[1]]]))), r"\(batch_size, 1\)"),
    ("wide_column", lambda layer: layer((np.array([[1, 2]]), np.array([[1, 2]]))), r"\(batch_size, 1\)"),
    ("float_input", lambda layer: layer((np.array([1.0]), np.array([1]))), "integer or string dtype"),
])
def test_bad_inputs(name, call, pattern):
    assert ERRORS[name]["type"] == "ValueError"
    layer = HashedCrossing(3, name="cross")
    with pytest.raises(ValueError, match=pattern) as info:
        call(layer)
    assert '"cross"' in str(info.value)


def test_bad_arguments():
    assert ERRORS["bad_output_mode"]["type"] == ERRORS["int_mode_float_dtype"]["type"] == "ValueError"
    with pytest.raises(ValueError, match="output_mode"):
        HashedCrossing(3, output_mode="multi_hot")
    with pytest.raises(ValueError, match="integer type"):
        HashedCrossing(3, dtype="float32")
    with pytest.raises(ValueError, match="num_bins"):
        HashedCrossing(0)
    with pytest.raises(NotImplementedError, match="sparse"):
        HashedCrossing(3, output_mode="one_hot", sparse=True)


def test_symbolic_inputs_must_all_be_integer_tensors():
    with pytest.raises(TypeError, match="symbolic integer"):
        HashedCrossing(3)([layers.Input((1,)), layers.Input((1,), dtype="int64")])
    with pytest.raises(TypeError, match="symbolic integer"):
        HashedCrossing(3)([layers.Input((1,), dtype="int64"), np.array([[1]])])
