"""keras.models.clone_model: same architecture, new layers and weights; shared layers stay shared."""
import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import layers as L
from fastkeras.models import Model, Sequential, clone_model


def two_input_model():
    a, b = L.Input((3,), name="a"), L.Input((3,), name="b")
    shared = L.Dense(4, activation="relu", name="shared")
    merged = L.concatenate([shared(a), shared(b)], name="merge")
    return Model([a, b], [L.Dense(2, name="out")(merged), shared(b)], name="two")


def test_functional_clone_has_new_weights_same_structure_and_same_function_once_weights_are_copied():
    model = two_input_model()
    clone = clone_model(model)
    assert clone.name == "two" and [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert all(c is not o for c, o in zip(clone.layers, model.layers))
    assert len(clone.layers[2]._inbound_nodes) == 3  # the shared Dense is one layer called three times again
    assert not np.allclose(clone.get_weights()[0], model.get_weights()[0])
    clone.set_weights(model.get_weights())
    x = [np.random.default_rng(0).random((5, 3), dtype=np.float32) for _ in range(2)]
    for got, want in zip(clone.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_clone_function_and_input_tensors():
    model = two_input_model()
    same = clone_model(model, clone_function=lambda layer: layer)
    assert same.get_layer("shared") is model.get_layer("shared")
    renamed = clone_model(model, input_tensors=[L.Input((3,), name="left"), L.Input((3,), name="right")])
    assert renamed.input_names == ["left", "right"]
    with pytest.raises(ValueError, match="2 input\\(s\\), but 1"):
        clone_model(model, input_tensors=[L.Input((3,))])


def test_sequential_clone_built_and_unbuilt():
    built = Sequential([L.Dense(4, input_shape=(3,)), L.Dropout(0.5), L.Dense(2)])
    clone = clone_model(built)
    assert isinstance(clone, Sequential) and clone.input_shape == (None, 3)
    assert [type(l).__name__ for l in clone.layers] == ["Dense", "Dropout", "Dense"]
    assert len(clone.weights) == 4
    unbuilt = clone_model(Sequential([L.Dense(4), L.Dense(2)]))
    assert not unbuilt.built and len(unbuilt.layers) == 2


def test_nested_model_is_cloned_through_its_config_and_add_loss_follows():
    inner_in = L.Input((3,))
    inner = Model(inner_in, L.Dense(2)(inner_in), name="inner")
    x = L.Input((3,))
    outer = Model(x, L.Dense(1)(inner(x)))
    outer.add_loss(K.mean(outer.outputs[0]))
    clone = clone_model(outer)
    assert clone.get_layer("inner") is not inner and isinstance(clone.get_layer("inner"), Model)
    assert type(clone.layers[-1]).__name__ == "AddLoss"
    clone.compile("sgd", "mse")
    clone.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)


def test_subclassed_models_are_refused_by_name():
    class Sub(keras.Model):
        def call(self, x):
            return x
    with pytest.raises(ValueError, match='subclassed model "sub"'):
        clone_model(Sub())
