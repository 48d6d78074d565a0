"""keras.utils: get_source_inputs, pack/unpack_x_y_sample_weight, interactive logging, registry look-ups and
warmstart_embedding_matrix, with tf-keras 2.21's behaviour (described in each test)."""
import logging

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import utils


def test_get_source_inputs_walks_back_to_the_inputs_in_order():
    a, b, c = keras.Input((3,), name="a"), keras.Input((3,), name="b"), keras.Input((3,), name="c")
    ab = keras.layers.Add()([a, b])
    out = keras.layers.Concatenate()([keras.layers.Dense(2)(c), keras.layers.Dense(2)(ab), keras.layers.Dense(2)(a)])
    sources = utils.get_source_inputs(out)
    assert len(sources) == 3 and sources[0] is c and sources[1] is a and sources[2] is b
    assert utils.get_source_inputs(a) == [a]
    model = keras.Model([a, b, c], out)
    nested = utils.get_source_inputs(model(model.inputs))  # the model's call node reads a, b, c in that order
    assert len(nested) == 3 and all(s is t for s, t in zip(nested, [a, b, c]))
    assert utils.get_source_inputs(np.ones(2)) is not None  # no Keras history: returned as is


def test_get_source_inputs_handles_deep_graphs():
    x = inputs = keras.Input((2,))
    for _ in range(1500):
        x = keras.layers.Activation("linear")(x)
    assert utils.get_source_inputs(x) == [inputs]


def test_pack_and_unpack_x_y_sample_weight():
    x, y, sw = np.ones((2, 1)), np.zeros((2, 1)), np.ones(2)
    assert utils.pack_x_y_sample_weight(x) is x
    assert utils.pack_x_y_sample_weight((x, y)) == ((x, y),)
    packed_list = utils.pack_x_y_sample_weight([x, y])
    assert isinstance(packed_list, list)  # tf-keras' `isinstance(x, tuple or list)` only checks tuple
    assert utils.pack_x_y_sample_weight(x, y) == (x, y)
    assert utils.pack_x_y_sample_weight(x, y, sw) == (x, y, sw)
    assert utils.unpack_x_y_sample_weight(x) == (x, None, None)
    assert utils.unpack_x_y_sample_weight((x,)) == (x, None, None)
    assert utils.unpack_x_y_sample_weight([x, y]) == (x, y, None)
    assert utils.unpack_x_y_sample_weight((x, y, sw)) == (x, y, sw)
    with pytest.raises(ValueError, match=r"Data is expected to be in format `x`, `\(x,\)`, `\(x, y\)`, or "
                                         r"`\(x, y, sample_weight\)`, found: \(1, 2, 3, 4\)"):
        utils.unpack_x_y_sample_weight((1, 2, 3, 4))


def test_interactive_logging_switches_progbar_output_to_the_logger(capsys, caplog):
    assert utils.is_interactive_logging_enabled()
    utils.disable_interactive_logging()
    try:
        assert not utils.is_interactive_logging_enabled()
        with caplog.at_level(logging.INFO, logger="fastkeras"):
            bar = utils.Progbar(2, verbose=2)
            bar.update(1, [("loss", 0.5)])
            bar.update(2, [("loss", 0.25)], finalize=True)
        assert capsys.readouterr().out == ""
        assert any("loss: 0.3750" in r.getMessage() for r in caplog.records)
    finally:
        utils.enable_interactive_logging()
    assert utils.is_interactive_logging_enabled()
    bar = utils.Progbar(1, verbose=2)
    bar.update(1, [("loss", 0.5)], finalize=True)
    assert "loss: 0.5000" in capsys.readouterr().out


def test_get_registered_name_and_object():
    @utils.register_keras_serializable(package="TestPkg")
    def my_activation(x):
        return x

    try:
        assert utils.get_registered_name(my_activation) == "TestPkg>my_activation"
        assert utils.get_registered_object("TestPkg>my_activation") is my_activation
        assert utils.get_registered_object("local", custom_objects={"local": len}) is len
        assert utils.get_registered_object("mod", module_objects={"mod": abs}) is abs
        with utils.custom_object_scope({"scoped": max}):
            assert utils.get_registered_object("scoped") is max
        assert utils.get_registered_object("scoped") is None
        assert utils.get_registered_name(np.mean) == "mean"
    finally:
        utils.get_custom_objects().pop("TestPkg>my_activation", None)


def test_warmstart_embedding_matrix_keeps_shared_rows():
    base_vocab = ["a", "b", "c"]
    base = np.arange(6, dtype="float32").reshape(3, 2)
    out = utils.warmstart_embedding_matrix(base_vocab, ["c", "x", "a", "y"], base, new_embeddings_initializer="zeros")
    out = K.get_value(out)
    np.testing.assert_array_equal(out, [[4, 5], [0, 0], [0, 1], [0, 0]])
    out = K.get_value(utils.warmstart_embedding_matrix(np.array(base_vocab), ["b"], K.convert_to_tensor(base)))
    np.testing.assert_array_equal(out, [[2, 3]])
    with pytest.raises(ValueError, match=r"base_embeddings` of shape \(len\(base_vocabulary\), embedding_dim\) = "
                                         r"\(3, dim\). Received shape \(2, 2\)"):
        utils.warmstart_embedding_matrix(base_vocab, ["a"], base[:2])
    with pytest.raises(ValueError, match="at least one token. Received 0 instead for `new_vocabulary`"):
        utils.warmstart_embedding_matrix(base_vocab, [], base)
    with pytest.raises(ValueError, match="Vocabulary file /nonexistent/vocab.txt does not exist"):
        utils.warmstart_embedding_matrix("/nonexistent/vocab.txt", ["a"], base)
