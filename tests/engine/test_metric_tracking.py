"""Which metrics a model reports, in which order, and what add_metric does with a Metric's result.

The values are what the data forces (the mean of ones is 1, the sum of a batch of five ones is 5); the orders and
errors are tf-keras 2.21's, checked against it by hand when this was written.
"""
import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import metrics


X = np.ones((10, 1), "float32")


class TwoMeansAndASum(keras.Model):
    def __init__(self):
        super().__init__(name="two_means_and_a_sum")
        self.dense = keras.layers.Dense(2, kernel_initializer="ones")
        self.mean_a = metrics.Mean(name="metric_a")
        self.mean_b = metrics.Mean(name="metric_b")

    def call(self, x):
        # Called in the opposite order to the one the attributes were set in.
        self.add_metric(self.mean_b(x), name="metric_b")
        self.add_metric(self.mean_a(x), name="metric_a")
        self.add_metric(K.sum(x), name="metric_sum")
        return self.dense(x)


def test_metric_attributes_come_first_in_the_order_they_were_set():
    model = TwoMeansAndASum()
    model.compile("sgd", "mse")
    history = model.fit(X, np.ones((10, 2)), epochs=1, batch_size=5, verbose=0)
    assert model.metrics_names == ["loss", "metric_a", "metric_b", "metric_sum"]
    assert list(history.history) == ["loss", "metric_a", "metric_b", "metric_sum"]
    np.testing.assert_allclose(model.evaluate(X, np.ones((10, 2)), batch_size=5, verbose=0), [0, 1, 1, 5])


def test_two_metrics_with_one_name_are_refused():
    class SameName(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)
            self.first = metrics.Mean(name="metric_1")
            self.second = metrics.Mean(name="metric_1")

        def call(self, x):
            self.add_metric(self.first(x), name="metric_1")
            return self.dense(x)

    model = SameName()
    model.compile("adam", "mse")
    with pytest.raises(ValueError, match='2 metrics named "metric_1"'):
        model.fit(X, np.ones((10, 2)), epochs=1, batch_size=5, verbose=0)


def test_a_value_added_under_an_attribute_metric_name_updates_that_metric():
    class Shared(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.total = metrics.Sum(name="total")

        def call(self, x):
            self.add_metric(K.sum(x), name="total")
            return x

    layer = Shared()
    layer(K.constant(np.full((2, 1), 3.0)))
    layer(K.constant(np.full((2, 1), 4.0)))
    assert layer.metrics == [layer.total]
    assert float(layer.total.result()) == 14.0


def test_a_metric_called_on_a_symbolic_tensor_is_reported_by_add_metric():
    x = keras.Input(shape=(1,))
    y = keras.layers.Dense(1, kernel_initializer="ones", trainable=False)(x)
    model = keras.Model(x, y)
    model.add_metric(K.sum(y), name="metric_1")
    mean = metrics.Mean(name="metric_2")
    result = mean(y)
    assert result.shape == () and result._metric_obj is mean
    model.add_metric(result)
    model.compile("sgd", loss="mse")
    history = model.fit(X, np.zeros((10, 1)), epochs=2, batch_size=5,
                        validation_data=(X, np.zeros((10, 1))), verbose=0)
    assert history.history["metric_1"] == [5.0, 5.0] and history.history["val_metric_1"] == [5.0, 5.0]
    assert history.history["metric_2"] == [1.0, 1.0] and history.history["val_metric_2"] == [1.0, 1.0]
    assert model.evaluate(X, np.zeros((10, 1)), batch_size=5, verbose=0) == [1.0, 5.0, 1.0]
    assert any(m is mean for m in model.metrics)


def test_a_symbolic_metric_call_survives_a_config_round_trip(tmp_path):
    x = keras.Input(shape=(1,))
    y = keras.layers.Dense(1, kernel_initializer="ones")(x)
    model = keras.Model(x, y)
    model.add_metric(metrics.Mean(name="mean_output")(y))
    model.compile("sgd", loss="mse")
    model.save(tmp_path / "m.h5")
    for reloaded in (keras.models.load_model(tmp_path / "m.h5"), keras.models.model_from_json(model.to_json())):
        reloaded.compile("sgd", loss="mse")
        logs = reloaded.evaluate(2 * X, np.zeros((10, 1)), verbose=0, return_dict=True)
        assert logs["mean_output"] == 2.0


def test_optimizer_deserialize_lower_cases_a_builtin_class_name_in_place():
    config = keras.optimizers.serialize(keras.optimizers.SGD(0.01))
    assert config["class_name"] == "SGD"
    restored = keras.optimizers.deserialize(config)
    assert isinstance(restored, keras.optimizers.SGD)
    assert config["class_name"] == "sgd"  # as tf-keras and Keras 2 write it back
