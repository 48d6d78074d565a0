"""Bad input fails early with a message naming the model, layer or input, what was expected and what came.

Each case is one where tf-keras 2.21 raises too (its messages differ in wording, and some come from inside a
traced graph); before these checks fastkeras either went on silently (``batch_size=0`` trained with 32, a model
called at a shape it was not built for ran) or failed with torch's own words ("index out of range in self",
"mat1 and mat2 shapes cannot be multiplied", "can't convert np.ndarray of type numpy.str_").
"""
import re

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers


def _classifier():
    inputs = keras.Input((8,), name="feat")
    outputs = layers.Dense(3, activation="softmax", name="probs")(layers.Dense(4, name="hidden")(inputs))
    model = keras.Model(inputs, outputs, name="clf")
    model.compile("sgd", "categorical_crossentropy")
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.random((10, 8), dtype=np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, 10)]


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("batch_size", [0, -4, 2.5, "8"])
def test_batch_size_must_be_a_positive_integer(data, method, batch_size):
    model = _classifier()
    before = [w.copy() for w in model.get_weights()]
    x, y = data
    args = (x,) if method == "predict" else (x, y)
    with pytest.raises(ValueError, match=rf"`batch_size` must be a positive integer, received {batch_size!r}"):
        getattr(model, method)(*args, batch_size=batch_size, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_numpy_integers_are_valid_sizes_and_epochs(data):
    x, y = data
    model = _classifier()
    history = model.fit(x, y, batch_size=np.int64(4), epochs=np.int32(2), validation_batch_size=np.int64(5),
                        validation_split=0.2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(x, batch_size=np.int64(3), verbose=0).shape == (10, 3)


def test_validation_batch_size_is_checked_before_training(data):
    x, y = data
    model = _classifier()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="`validation_batch_size` must be a positive integer, received 0"):
        model.fit(x, y, validation_split=0.2, validation_batch_size=0, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize("text", [np.array([["a"] * 8] * 10), [["a"] * 8] * 10, np.array([[b"a"] * 8] * 10)])
def test_text_data_is_refused_naming_the_input(data, text):
    _, y = data
    model = _classifier()
    with pytest.raises(ValueError, match=r'input "feat" to a tensor: it holds strings .*shape \(10, 8\).*'
                                         r"TextVectorization or StringLookup"):
        model.fit(text, y, verbose=0)


def test_text_targets_are_refused_naming_the_output(data):
    x, _ = data
    model = _classifier()
    with pytest.raises(ValueError, match=r'target "probs" to a tensor: it holds strings'):
        model.fit(x, np.array([["a", "b", "c"]] * 10), verbose=0)


@pytest.mark.parametrize("bad, position", [(9, [0, 2]), (-2, [0, 2])])
def test_embedding_index_out_of_range_names_the_layer_the_index_and_the_range(bad, position):
    model = keras.Sequential([layers.Embedding(5, 2, input_length=3, name="words")])
    with pytest.raises(ValueError, match=re.escape(f'Layer "words" (Embedding): input index {bad} at position '
                                                   f"{position} is out of range: indices must be in [0, 5)")):
        model.predict(np.array([[1, 2, 3], [1, 2, bad]])[::-1], verbose=0)
    with pytest.raises(ValueError, match=r'Layer "words" \(Embedding\)'):
        model(np.array([[bad, 1, 2]]))


def test_embedding_in_range_still_looks_up():
    layer = layers.Embedding(5, 2, embeddings_initializer="ones")
    assert layer(np.array([[0, 4]])).shape == (1, 2, 2)


@pytest.mark.parametrize("shape", [(2, 9), (2, 8, 1, 1)])
def test_direct_call_at_a_shape_the_model_was_not_built_for(shape):
    model = _classifier()
    with pytest.raises(ValueError, match=rf'Input 0 \("feat"\) of model "clf" is incompatible with the model: '
                                         rf"expected shape=\(None, 8\), found shape=\({shape[0]}, "):
        model(np.zeros(shape, np.float32))


def test_direct_call_of_a_convnet_at_another_image_size_raises_as_tf_keras():
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, layers.Conv2D(2, 3, padding="same")(inputs))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 8, 8, 3\), found shape=\(1, 10, 10, 3\)"):
        model(np.zeros((1, 10, 10, 3), np.float32))
    # A model built for any size takes any size, and a missing or extra trailing unit axis is still conformed.
    inputs = keras.Input((None, None, 3))
    model = keras.Model(inputs, layers.Conv2D(2, 3, padding="same")(inputs))
    assert tuple(model(np.zeros((1, 10, 6, 3), np.float32)).shape) == (1, 10, 6, 2)
    inputs = keras.Input((4, 1))
    model = keras.Model(inputs, layers.Flatten()(inputs))
    assert tuple(model(np.zeros((2, 4), np.float32)).shape) == (2, 4)


@pytest.mark.parametrize("units", ["a", -1, 0, None])
def test_dense_units_must_be_a_positive_integer(units):
    with pytest.raises(ValueError, match=rf'Layer "d" \(Dense\): received an invalid value for `units`, expected '
                                         rf"a positive integer. Received: units={units!r}"):
        layers.Dense(units, name="d")


def test_dense_units_take_what_int_takes():
    assert layers.Dense(3.0).units == 3
    assert layers.Dense(np.int64(4)).units == 4


@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_zero_samples_are_refused_before_anything_runs(method):
    model = _classifier()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=rf'{method}\(\) received no data for model "clf": .*zero samples'):
        getattr(model, method)(np.zeros((0, 8), np.float32), np.zeros((0, 3), np.float32), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_a_layer_returning_something_else_than_tensors_is_named():
    inputs = keras.Input((8,))
    with pytest.raises(TypeError, match=r'Layer "shout" \(Lambda\) returned a str \(\'x\'\) from call\(\)'):
        layers.Lambda(lambda t: "x", name="shout")(inputs)


def test_layer_arguments_out_of_range_are_named_where_torch_would_go_on_or_fail_obscurely():
    # TensorFlow refuses each of these when the layer runs; torch would crop (negative padding) or raise an
    # IndexError (a Dot axis past the rank) or nothing at all (a softmax axis past the rank, on a symbolic call).
    with pytest.raises(ValueError, match=r'Layer "pad" \(ZeroPadding2D\): `padding` must be non-negative'):
        layers.ZeroPadding2D(-1, name="pad")
    with pytest.raises(ValueError, match=r"`padding` argument must be a tuple of 2 integers. Received: \(2, -1\)"):
        layers.ZeroPadding1D((2, -1), name="pad1")
    with pytest.raises(ValueError, match=r'Layer "sm" \(Softmax\): axis=4 is out of range for inputs of rank 2'):
        layers.Softmax(axis=4, name="sm")(keras.Input((3,)))
    with pytest.raises(ValueError, match=r'Layer "dot" \(Dot\): axes=3 is out of range for inputs of shapes'):
        layers.Dot(axes=3, name="dot")([keras.Input((3,)), keras.Input((3,))])
    with pytest.raises(ValueError, match=r'`Bidirectional` wraps a recurrent layer .* the Dense layer "d"'):
        layers.Bidirectional(layers.Dense(2, name="d"))
    # In range, they still work.
    assert tuple(layers.Softmax(axis=[-2, -1])(keras.Input((3, 4))).shape) == (None, 3, 4)
    assert tuple(layers.Dot(axes=(-1, 1))([keras.Input((3,)), keras.Input((3,))]).shape) == (None, 1)
    assert tuple(layers.ZeroPadding2D(((0, 1), (2, 0)))(keras.Input((4, 4, 1))).shape) == (None, 5, 6, 1)


@pytest.mark.parametrize("bad", [3, -1])
def test_sparse_labels_outside_the_classes_are_refused_before_training(bad):
    # tf-keras' CPU kernel raises "Received a label value of 3 which is outside the valid range of [0, 3)" at
    # the step; the loss itself gives NaN for such a label (as TensorFlow on a GPU), so fit checks the data once.
    model = keras.Sequential([layers.Dense(3, input_shape=(4,), activation="softmax", name="classes")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    y = np.array([0, 1, 2, bad])
    for run in (lambda: model.fit(np.zeros((4, 4)), y, verbose=0), lambda: model.train_on_batch(np.zeros((4, 4)), y),
                lambda: model.evaluate(np.zeros((4, 4)), y, verbose=0)):
        with pytest.raises(ValueError, match=rf'label value of {bad} in the targets of output "classes", outside '
                                             r"the valid range \[0, 3\)"):
            run()
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_the_ignored_class_may_lie_outside_the_classes():
    model = keras.Sequential([layers.Dense(3, input_shape=(4,), activation="softmax")])
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(ignore_class=-1))
    assert np.isfinite(model.fit(np.ones((4, 4)), np.array([0, 1, 2, -1]), verbose=0).history["loss"][0])


def test_a_loss_called_on_incompatible_shapes_names_itself_and_both_shapes():
    with pytest.raises(ValueError, match=r"Loss 'categorical_crossentropy': the targets' shape \(2, 3\) and the "
                                         r"predictions' shape \(2, 4\) are incompatible"):
        keras.losses.CategoricalCrossentropy()(np.zeros((2, 3)), np.zeros((2, 4)))
