"""The functional graph: nodes, shapes, names, errors, models as layers."""
import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras.layers import Dense, Input, Concatenate, concatenate, add, Lambda, Dropout
from fastkeras.models import Model, Sequential


def test_layer_names_are_unique_and_zero_based():
    a, b = Dense(2), Dense(2)
    assert (a.name, b.name) == ("dense", "dense_1")
    assert Input((3,))._keras_history[0].name == "input_1"
    assert Input((3,))._keras_history[0].name == "input_2"
    assert Dense(2, name="custom").name == "custom"


def test_symbolic_call_records_nodes_without_computing():
    x = Input(shape=(784,))
    layer = Dense(64, activation="relu")
    y = layer(x)
    assert tuple(y.shape) == (None, 64)
    assert layer.output is y and layer.input is x
    assert layer.input_shape == (None, 784) and layer.output_shape == (None, 64)
    assert layer.get_output_at(0) == y
    assert y.shape.as_list() == [None, 64]


def test_shared_layer_has_one_node_per_call_and_output_is_ambiguous():
    a, b = Input(shape=(140, 256)), Input(shape=(140, 256))
    shared = Dense(32, name="lstm_1")
    ea, eb = shared(a), shared(b)
    assert shared.get_output_at(0) == ea
    assert shared.get_output_at(1) == eb
    assert shared.get_input_at(1) is b
    with pytest.raises(AttributeError) as e:
        shared.output
    assert str(e.value) == ('Layer lstm_1 has multiple inbound nodes, hence the notion of "layer output" is '
                            "ill-defined. Use `get_output_at(node_index)` instead.")
    # Same shapes on every node: the shape properties stay defined.
    assert shared.output_shape == (None, 140, 32)


def test_input_shape_ambiguous_with_different_shapes():
    a, b = Input(shape=(32, 3)), Input(shape=(64, 3))
    layer = Dense(16)
    layer(a)
    assert layer.input_shape == (None, 32, 3)
    layer(b)
    assert layer.get_input_shape_at(0) == (None, 32, 3)
    assert layer.get_input_shape_at(1) == (None, 64, 3)
    with pytest.raises(AttributeError, match="get_input_shape_at"):
        layer.input_shape


def test_shape_error_names_layer_and_shapes():
    layer = Dense(4)
    layer(Input((3,)))
    with pytest.raises(ValueError) as e:
        layer(Input((5,)))
    msg = str(e.value)
    assert '"dense"' in msg and "(None, 5)" in msg and "value 3" in msg


def test_concatenate_shape_error_names_layer():
    with pytest.raises(ValueError, match=r"matching shapes.*Layer \"concatenate\""):
        concatenate([Input((2, 3)), Input((4, 5))])


def test_model_attributes_and_topological_layers():
    inputs = Input(shape=(784,), name="pixels")
    x = Dense(64, activation="relu")(inputs)
    x = Dense(64, activation="relu")(x)
    predictions = Dense(10, activation="softmax")(x)
    model = Model(inputs=inputs, outputs=predictions)
    assert model.name == "model"
    assert [l.name for l in model.layers] == ["pixels", "dense", "dense_1", "dense_2"]
    assert model.input is inputs and model.output is predictions
    assert model.inputs == [inputs] and model.outputs == [predictions]
    assert model.input_names == ["pixels"] and model.output_names == ["dense_2"]
    assert model.get_layer("dense_1") is model.layers[2]
    assert model.get_layer(index=1).name == "dense"
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="only has 4 layers"):
        model.get_layer(index=10)
    assert model.count_params() == 784 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10


def test_model_is_callable_like_a_layer_and_reuses_weights():
    inputs = Input(shape=(8,))
    model = Model(inputs, Dense(3, activation="softmax")(Dense(5)(inputs)))
    x = np.random.rand(4, 8).astype("float32")
    direct = K.to_numpy(model(x))
    y = model(Input(shape=(8,)))
    assert tuple(y.shape) == (None, 3)
    outer = Model(y._keras_history[0].get_input_at(0), y)
    np.testing.assert_allclose(K.to_numpy(outer(x)), direct, rtol=1e-6)
    assert len(outer.weights) == 4 and outer.weights[0] is model.weights[0]


def test_shared_model_on_two_inputs():
    digit_input = Input(shape=(27,))
    vision_model = Model(digit_input, Dense(6, activation="relu")(digit_input))
    digit_a, digit_b = Input(shape=(27,)), Input(shape=(27,))
    out = Dense(1, activation="sigmoid")(concatenate([vision_model(digit_a), vision_model(digit_b)]))
    classification_model = Model([digit_a, digit_b], out)
    assert [l.name for l in classification_model.layers][2] == vision_model.name
    xa, xb = np.random.rand(3, 27), np.random.rand(3, 27)
    out = K.to_numpy(classification_model([xa, xb]))
    assert out.shape == (3, 1)
    # Swapping the inputs of a model built from one shared tower changes only the concatenation order.
    ea, eb = K.to_numpy(vision_model(xa)), K.to_numpy(vision_model(xb))
    w, bias = classification_model.layers[-1].get_weights()
    expected = 1 / (1 + np.exp(-(np.concatenate([ea, eb], 1) @ w + bias)))
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_multi_input_multi_output_by_list_and_dict():
    a = Input(shape=(4,), name="a")
    b = Input(shape=(3,), name="b")
    h = concatenate([Dense(5)(a), b])
    o1 = Dense(1, name="o1")(h)
    o2 = Dense(2, name="o2")(h)
    model = Model(inputs=[a, b], outputs=[o1, o2])
    xa, xb = np.random.rand(2, 4), np.random.rand(2, 3)
    by_list = [K.to_numpy(t) for t in model([xa, xb])]
    by_dict = [K.to_numpy(t) for t in model({"a": xa, "b": xb})]
    for p, q in zip(by_list, by_dict):
        np.testing.assert_array_equal(p, q)
    with pytest.raises(ValueError, match='Missing data for input "b"'):
        model({"a": xa})
    dict_model = Model(inputs={"x": a, "y": b}, outputs={"first": o1, "second": o2})
    out = dict_model({"x": xa, "y": xb})
    assert set(out) == {"first", "second"}


def test_graph_disconnected_error():
    a, b = Input((3,)), Input((3,))
    out = add([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(a, out)


def test_model_inputs_must_be_input_tensors():
    a = Input((3,))
    h = Dense(2)(a)
    with pytest.raises(ValueError, match="must come from `fastkeras.Input`"):
        Model(h, Dense(1)(h))


def test_sequential_builds_and_hides_input_layer():
    model = Sequential()
    model.add(Dense(32, activation="relu", input_dim=100))
    model.add(Dense(10, activation="softmax"))
    assert [l.name for l in model.layers] == ["dense", "dense_1"]
    assert model.input_shape == (None, 100) and model.output_shape == (None, 10)
    assert len(model.layers[0].inbound_nodes) == 1  # adding does not re-call earlier layers
    model.pop()
    assert model.output_shape == (None, 32) and len(model.layers) == 1
    with pytest.raises(ValueError, match="unique names"):
        model.add(Dense(3, name="dense"))


def test_sequential_from_list_and_deferred_build():
    model = Sequential([Dense(4), Dense(2)])
    assert not model.built
    out = model(np.ones((3, 7), dtype="float32"))
    assert model.built and tuple(out.shape) == (3, 2)
    assert model.input_shape == (None, 7)
    model2 = Sequential([keras.Input(shape=(5,)), Dense(3)])
    assert model2.output_shape == (None, 3) and len(model2.layers) == 1
    model3 = Sequential([Dense(3, batch_input_shape=(8, 6))])
    assert model3.input_shape == (8, 6)


def test_set_weights_checks_shapes_before_changing_anything():
    layer = Dense(3)
    layer(Input((4,)))
    before = layer.get_weights()
    with pytest.raises(ValueError) as e:
        layer.set_weights([np.zeros((4, 3)), np.zeros((5,))])
    assert "dense" in str(e.value) and "(3,)" in str(e.value) and "(5,)" in str(e.value)
    for w, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(w, b)
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([np.zeros((4, 3))])


def test_trainable_flags_move_weights():
    layer = Dense(3)
    layer(Input((4,)))
    assert len(layer.trainable_weights) == 2
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert [w.name for w in layer.weights] == ["dense/kernel:0", "dense/bias:0"]


def test_layer_called_on_arrays_computes():
    layer = Dense(2, kernel_initializer="ones", bias_initializer="zeros")
    out = layer(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(K.to_numpy(out), [[6.0, 6.0]])


def test_unknown_layer_kwarg_is_rejected():
    with pytest.raises(TypeError, match="Keyword argument not understood: 'unit'"):
        Dense(3, unit=4)


def test_lambda_infers_shape_and_runs():
    x = Input((10,))
    y = Lambda(lambda t: t[:, :3] * 2)(x)
    assert tuple(y.shape) == (None, 3)
    model = Model(x, y)
    np.testing.assert_allclose(K.to_numpy(model(np.ones((2, 10)))), np.full((2, 3), 2.0))


def test_dropout_is_identity_at_inference():
    x = Input((10,))
    model = Model(x, Dropout(0.5)(x))
    data = np.random.rand(4, 10).astype("float32")
    np.testing.assert_array_equal(K.to_numpy(model(data)), data)


def test_string_input_is_refused_with_the_way_out():
    import fastkeras
    with pytest.raises(ValueError, match="'text': dtype='string' is not supported.*integer Input"):
        fastkeras.Input((1,), dtype="string", name="text")


def test_a_graph_deeper_than_the_recursion_limit_builds_runs_and_round_trips():
    """The graph walk uses no recursion: a chain of layers longer than Python's recursion limit (ResNetRS-420
    has thousands of layers on its longest path) builds, predicts and survives to_json."""
    import sys

    import numpy as np

    import fastkeras as keras
    from fastkeras import layers
    depth = sys.getrecursionlimit() + 200
    inputs = keras.Input((3,))
    x = inputs
    for _ in range(depth):
        x = layers.Activation("linear")(x)
    model = keras.Model(inputs, x)
    assert len(model.layers) == depth + 1
    np.testing.assert_allclose(model.predict(np.ones((2, 3), "float32"), verbose=0), np.ones((2, 3)))
    again = keras.models.model_from_json(model.to_json())
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
