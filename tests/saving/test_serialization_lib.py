"""keras.saving / keras.utils serialize_keras_object and deserialize_keras_object, and the layers / losses /
metrics ``serialize`` functions, against what tf-keras 2.21 writes (tools/make_serialization_fixtures.py)."""
import json
import os

import numpy as np
import pytest

import fastkeras as keras

with open(os.path.join(os.path.dirname(__file__), "..", "fixtures", "serialization", "serialized.json")) as f:
    TF_KERAS = json.load(f)


def built_dense():
    layer = keras.layers.Dense(3, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01), name="built")
    layer.build((None, 4))
    return layer


# The fixture script's objects, built with fastkeras' API.
CASES = {
    "dense": lambda: keras.layers.Dense(3, name="d"),
    "dense_built_regularized": built_dense,
    "conv2d": lambda: keras.layers.Conv2D(2, 3, padding="same", name="c"),
    "adam": lambda: keras.optimizers.Adam(0.1),
    "sgd_momentum": lambda: keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    "exponential_decay": lambda: keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
    "glorot_seeded": lambda: keras.initializers.GlorotUniform(seed=1),
    "l1l2": lambda: keras.regularizers.L1L2(l1=0.01, l2=0.02),
    "max_norm": lambda: keras.constraints.MaxNorm(2),
    "mse_loss": lambda: keras.losses.MeanSquaredError(),
    "cce_logits": lambda: keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    "auc": lambda: keras.metrics.AUC(num_thresholds=20, name="auc20"),
    "mse_function": lambda: keras.losses.mean_squared_error,
    "relu_function": lambda: keras.activations.relu,
    "array": lambda: np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32"),
    "nested": lambda: {"a": [1, 2.5, "x"], "b": keras.regularizers.L1(0.5)},
}


def plain(value):
    return json.loads(json.dumps(value, sort_keys=True, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_serialize_writes_what_tf_keras_writes(name):
    obj = CASES[name]()
    for api, written in TF_KERAS[name].items():
        if api == "saving":
            ours = keras.saving.serialize_keras_object(obj)
            assert plain(keras.utils.serialize_keras_object(obj)) == plain(ours)
        else:
            family, _, legacy = api.partition("_")
            ours = getattr(keras, family).serialize(obj, use_legacy_format=bool(legacy))
        assert plain(ours) == written, api


@pytest.mark.parametrize("name", sorted(CASES))
def test_tf_keras_configs_deserialize_to_the_same_object(name):
    want = CASES[name]()
    got = keras.saving.deserialize_keras_object(TF_KERAS[name]["saving"])
    if isinstance(want, np.ndarray):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    elif callable(want) and not hasattr(want, "get_config"):
        assert got is want
    elif isinstance(want, dict):
        assert got["a"] == want["a"] and got["b"].get_config() == want["b"].get_config()
    else:
        assert type(got) is type(want)
        assert plain(got.get_config()) == plain(want.get_config())
    for api in ("layers", "losses", "metrics"):
        if api in TF_KERAS[name]:
            again = getattr(keras, api).deserialize(TF_KERAS[name][api])
            assert type(again) is type(want)


def test_custom_objects_and_registered_classes_and_refusals():
    @keras.saving.register_keras_serializable(package="Tests")
    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    config = keras.saving.serialize_keras_object(Scale(3.0, name="s"))
    assert config["registered_name"] == "Tests>Scale" and config["class_name"] == "Scale"
    again = keras.saving.deserialize_keras_object(json.loads(json.dumps(config)))
    assert isinstance(again, Scale) and again.factor == 3.0

    def my_activation(x):
        return x

    entry = {"module": "mine", "class_name": "function", "config": "my_activation", "registered_name": None}
    assert keras.saving.deserialize_keras_object(entry, custom_objects={"my_activation": my_activation}) \
        is my_activation
    # A module named in a config is never imported: os.system stays out of reach.
    with pytest.raises(TypeError, match="Could not locate class .system."):
        keras.saving.deserialize_keras_object({"module": "os", "class_name": "system", "config": {}})
    with pytest.raises(TypeError, match="Could not locate class 'Mystery'"):
        keras.saving.deserialize_keras_object({"module": "elsewhere", "class_name": "Mystery", "config": {}})
    with pytest.raises(ValueError, match="Unknown function 'nope'"):
        keras.saving.deserialize_keras_object({"module": "builtins", "class_name": "function", "config": "nope"})
