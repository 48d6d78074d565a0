"""tf-keras' ``testing_infra.test_utils``: ``layer_test`` and small models and data for layer and model tests.

``layer_test`` puts one layer through what a Keras user does with it (weights in and out, the functional and
Sequential APIs, config round trips, a training step) and checks that shapes, dtypes and values agree with
what the layer declares, so a test suite written against Keras' helpers runs on fastkeras.
"""
import contextlib
import threading

import numpy as np

_scope = threading.local()


def string_test(actual, expected):
    np.testing.assert_array_equal(actual, expected)


def numeric_test(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-3, atol=1e-6)


def get_test_data(train_samples, test_samples, input_shape, num_classes, random_seed=None):
    """``(x_train, y_train), (x_test, y_test)``: float32 samples around one random template per class, integer
    labels in ``[0, num_classes)``."""
    if random_seed is not None:
        np.random.seed(random_seed)
    input_shape = tuple(input_shape)
    count = train_samples + test_samples
    templates = 2 * num_classes * np.random.random((num_classes,) + input_shape)
    y = np.random.randint(0, num_classes, size=(count,))
    x = (templates[y] + np.random.normal(loc=0, scale=1.0, size=(count,) + input_shape)).astype(np.float32)
    return (x[:train_samples], y[:train_samples]), (x[train_samples:], y[train_samples:])


def _dtype_name(dtype):
    if dtype is None:
        return None
    if isinstance(dtype, str) and dtype in ("string", "str"):
        return "string"
    name = getattr(dtype, "name", None)
    if isinstance(name, str) and not isinstance(dtype, (np.dtype, type)):
        return name  # a DTypePolicy or similar
    try:
        dtype = np.dtype(dtype)
        return "string" if dtype.kind in "USO" else dtype.name
    except TypeError:
        return str(dtype).replace("torch.", "")


def _random_input(input_shape, input_dtype):
    shape = [np.random.randint(1, 4) if d is None else d for d in input_shape]
    data = 10 * np.random.random(shape)
    if input_dtype.startswith("float"):
        data -= 0.5
    return data.astype(input_dtype)


class _LayerCheck:
    """The comparisons ``layer_test`` makes, each failing with a message naming the layer and its kwargs."""

    def __init__(self, layer_cls, kwargs, string_output):
        self.layer_cls, self.kwargs = layer_cls, kwargs
        self.assert_values = string_test if string_output else numeric_test

    def fail(self, what):
        raise AssertionError(f"When testing layer {self.layer_cls.__name__}, {what}.\nFull kwargs: {self.kwargs}")

    def shapes(self, expected, actual, when=""):
        expected, actual = tuple(expected), tuple(actual)
        if len(expected) != len(actual) or any(e is not None and a is not None and e != a
                                               for e, a in zip(expected, actual)):
            self.fail(f"{when}found output_shape={actual} but expected to find {expected}")


def layer_test(layer_cls, kwargs=None, input_shape=None, input_dtype=None, input_data=None, expected_output=None,
               expected_output_dtype=None, expected_output_shape=None, validate_training=True, adapt_data=None,
               custom_objects=None, test_harness=None, supports_masking=None, fixed_batch_size=False):
    """Test a layer with one input and one output; returns its output on ``input_data`` (random data of
    ``input_shape`` when not given) for further checks.

    Checks, in order: ``supports_masking`` (when given); ``adapt`` (when ``adapt_data`` is given);
    get_weights/set_weights; output dtype and shape in a functional model, against ``compute_output_shape``
    and ``expected_output_*``; a Model config round trip with the same weights giving the same output; a
    training step (``validate_training``); the layer rebuilt from its config as the first layer of a
    Sequential model, and that model's config round trip. ``fixed_batch_size`` (Keras 2.2's option) builds
    the functional model on ``Input(batch_shape=input_shape)``.
    """
    from fastkeras import backend as K
    from fastkeras import layers, models

    if input_data is None:
        if input_shape is None:
            raise ValueError("layer_test needs `input_shape` or `input_data`; both are None.")
        input_dtype = _dtype_name(input_dtype or "float32")
        input_data = _random_input(input_shape, input_dtype)
    elif input_shape is None:
        input_shape = input_data.shape
    input_shape = tuple(input_shape)
    input_dtype = _dtype_name(input_dtype or input_data.dtype)
    expected_output_dtype = _dtype_name(expected_output_dtype or input_dtype)
    check = _LayerCheck(layer_cls, kwargs, expected_output_dtype == "string")
    assert_values = test_harness.assertAllClose if test_harness is not None else check.assert_values

    kwargs = dict(kwargs or {})
    layer = layer_cls(**kwargs)
    if supports_masking is not None and layer.supports_masking != supports_masking:
        check.fail(f"the `supports_masking` property is {layer.supports_masking!r} but expected to be "
                   f"{supports_masking!r}")
    if adapt_data is not None:
        layer.adapt(adapt_data)

    weights = layer.get_weights()
    layer.set_weights(weights)
    from fastkeras.utils.generic_utils import has_arg
    if weights and has_arg(layer_cls.__init__, "weights"):
        layer = layer_cls(**kwargs, weights=weights)

    def new_input():
        if fixed_batch_size:
            return layers.Input(batch_shape=input_shape, dtype=input_dtype)
        return layers.Input(shape=input_shape[1:], dtype=input_dtype)

    # the functional API
    x = new_input()
    y = layer(x)
    if _dtype_name(K.dtype(y)) != expected_output_dtype:
        check.fail(f"for input {x}, found output dtype={K.dtype(y)} but expected to find {expected_output_dtype}")
    if expected_output_shape is not None:
        check.shapes(expected_output_shape, K.int_shape(y))

    model = models.Model(x, y)
    computed_output_shape = tuple(layer.compute_output_shape(input_shape))
    actual_output = model.predict(input_data, verbose=0)
    check.shapes(computed_output_shape, actual_output.shape)
    if _dtype_name(actual_output.dtype) != expected_output_dtype:
        check.fail(f"predict returned dtype {actual_output.dtype} but expected to find {expected_output_dtype}")
    if expected_output is not None:
        assert_values(actual_output, expected_output)

    _check_config_round_trip(models.Model, model, custom_objects, input_data, actual_output, assert_values)

    layer_weights = layer.get_weights()  # before the training step changes them
    if validate_training:
        model = models.Model(x, layer(x))
        model.compile("rmsprop", "mse", weighted_metrics=["acc"], run_eagerly=should_run_eagerly())
        model.train_on_batch(input_data, actual_output)

    # the layer rebuilt from its config, first in a Sequential model
    layer_config = layer.get_config()
    layer_config["batch_input_shape"] = input_shape
    layer = layer.__class__.from_config(layer_config)
    if adapt_data is not None:
        layer.adapt(adapt_data)
    model = models.Sequential([new_input(), layer])
    layer.set_weights(layer_weights)
    actual_output = model.predict(input_data, verbose=0)
    check.shapes(computed_output_shape, actual_output.shape, when="after deserialization, ")
    if expected_output is not None:
        assert_values(actual_output, expected_output)

    _check_config_round_trip(models.Sequential, model, custom_objects, input_data, actual_output, assert_values)
    return actual_output


def _check_config_round_trip(model_class, model, custom_objects, input_data, output, assert_values):
    """A model rebuilt from ``model``'s config, given its weights, predicts ``output`` again."""
    recovered = model_class.from_config(model.get_config(), custom_objects)
    if model.weights:
        recovered.set_weights(model.get_weights())
        assert_values(recovered.predict(input_data, verbose=0), output)


# ---- the model-type and run-eagerly switches that tf-keras' parameterized tests set ---------------------------

@contextlib.contextmanager
def _setting(name, value):
    previous = getattr(_scope, name, None)
    setattr(_scope, name, value)
    try:
        yield value
    finally:
        setattr(_scope, name, previous)


def model_type_scope(value):
    """Within this scope, ``get_model_type()`` is ``value`` ('functional', 'subclass' or 'sequential')."""
    return _setting("model_type", value)


def run_eagerly_scope(value):
    """Within this scope, ``should_run_eagerly()`` is ``value``."""
    return _setting("run_eagerly", value)


def get_model_type():
    model_type = getattr(_scope, "model_type", None)
    if model_type is None:
        raise ValueError("Cannot call `get_model_type()` outside of a `model_type_scope()`.")
    return model_type


def should_run_eagerly():
    """The current ``run_eagerly_scope`` value (False outside any scope: fastkeras steps are eager anyway)."""
    return bool(getattr(_scope, "run_eagerly", None))


# ---- small models -------------------------------------------------------------------------------------------

def get_small_sequential_mlp(num_hidden, num_classes, input_dim=None):
    from fastkeras import layers, models
    model = models.Sequential()
    model.add(layers.Dense(num_hidden, activation="relu", **({"input_dim": input_dim} if input_dim else {})))
    model.add(layers.Dense(num_classes, activation="softmax" if num_classes > 1 else "sigmoid"))
    return model


def get_small_functional_mlp(num_hidden, num_classes, input_dim):
    from fastkeras import layers, models
    inputs = layers.Input(shape=(input_dim,))
    hidden = layers.Dense(num_hidden, activation="relu")(inputs)
    outputs = layers.Dense(num_classes, activation="softmax" if num_classes > 1 else "sigmoid")(hidden)
    return models.Model(inputs, outputs)


def get_small_subclass_mlp(num_hidden, num_classes):
    from fastkeras import layers, models

    class SmallSubclassMLP(models.Model):
        def __init__(self):
            super().__init__(name="test_model")
            self.layer_a = layers.Dense(num_hidden, activation="relu")
            self.layer_b = layers.Dense(num_classes, activation="softmax" if num_classes > 1 else "sigmoid")

        def call(self, inputs):
            return self.layer_b(self.layer_a(inputs))

    return SmallSubclassMLP()


def get_small_mlp(num_hidden, num_classes, input_dim):
    """The small MLP of the current ``model_type_scope``."""
    model_type = get_model_type()
    if model_type == "subclass":
        return get_small_subclass_mlp(num_hidden, num_classes)
    if model_type == "sequential":
        return get_small_sequential_mlp(num_hidden, num_classes, input_dim)
    if model_type == "functional":
        return get_small_functional_mlp(num_hidden, num_classes, input_dim)
    raise ValueError(f"Unknown model type {model_type!r}; expected 'functional', 'subclass' or 'sequential'.")
