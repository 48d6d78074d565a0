"""Keras 1's ``Model(input=..., output=...)``, which Keras 2.0-2.3 accepted with a warning (Keras 2.3.1's own
suite builds models so); tf-keras refuses it, so accepting it changes nothing that worked."""
import numpy as np
import pytest

import fastkeras as keras


def _graph():
    a = keras.Input((4,), name="a")
    return a, keras.layers.Dense(2, name="d")(a)


def test_input_and_output_build_the_same_model_with_a_warning():
    a, out = _graph()
    with pytest.warns(UserWarning, match="Keras 2 API"):
        old = keras.Model(input=a, output=out)
    new = keras.Model(inputs=a, outputs=out)
    assert old.get_config()["input_layers"] == new.get_config()["input_layers"]
    assert old.get_config()["output_layers"] == new.get_config()["output_layers"]
    x = np.ones((3, 4), "float32")
    np.testing.assert_array_equal(old.predict(x, verbose=0), new.predict(x, verbose=0))
    with pytest.warns(UserWarning):
        listed = keras.models.Model(input=[a], output=[out], name="listed")
    assert listed.name == "listed" and listed.output_shape == (None, 2)


def test_both_spellings_at_once_are_refused():
    a, out = _graph()
    with pytest.raises(TypeError, match="`input`.*`inputs`"):
        keras.Model(inputs=a, input=a, output=out)
