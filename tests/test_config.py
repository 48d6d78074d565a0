"""keras.config (Keras 3's global settings) over fastkeras' Keras 2 state."""
import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers
from fastkeras.saving import safety

# Keras 3.15.1's dir(keras.config), public names.
KERAS3_CONFIG = [
    "backend", "disable_flash_attention", "disable_interactive_logging", "disable_traceback_filtering",
    "dtype_policy", "enable_flash_attention", "enable_interactive_logging", "enable_traceback_filtering",
    "enable_unsafe_deserialization", "epsilon", "floatx", "image_data_format", "is_flash_attention_enabled",
    "is_interactive_logging_enabled", "is_nnx_enabled", "is_traceback_filtering_enabled", "max_epochs",
    "max_steps_per_epoch", "set_backend", "set_dtype_policy", "set_epsilon", "set_floatx", "set_image_data_format",
    "set_max_epochs", "set_max_steps_per_epoch"]


def test_every_keras3_name_and_the_shared_state():
    assert all(callable(getattr(keras.config, name)) for name in KERAS3_CONFIG)
    assert keras.config.backend() == "torch" and keras.config.is_nnx_enabled() is False
    with pytest.raises(ValueError, match="PyTorch only.*'jax'"):
        keras.config.set_backend("jax")
    keras.config.set_epsilon(1e-5)
    try:
        assert keras.backend.epsilon() == 1e-5
    finally:
        keras.config.set_epsilon(1e-7)
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
    finally:
        keras.config.set_dtype_policy("float32")
    keras.config.disable_interactive_logging()
    assert not keras.utils.is_interactive_logging_enabled()
    keras.config.enable_interactive_logging()


def test_max_epochs_and_steps_cap_fit():
    model = keras.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((64, 2), "float32")
    steps = []

    class Count(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append(batch)

    keras.config.set_max_epochs(2)
    keras.config.set_max_steps_per_epoch(3)
    try:
        history = model.fit(x, x[:, :1], batch_size=8, epochs=5, verbose=0, callbacks=[Count()])
    finally:
        keras.config.set_max_epochs(None)
        keras.config.set_max_steps_per_epoch(None)
    assert len(history.history["loss"]) == 2 and steps == [0, 1, 2, 0, 1, 2]
    with pytest.raises(ValueError, match="max_epochs.*positive integer"):
        keras.config.set_max_epochs(0)


def test_unsafe_deserialization_opens_configs_but_not_load_model(tmp_path):
    inputs = layers.Input((2,))
    model = keras.Model(inputs, layers.Lambda(lambda t: t * 2.0, name="double")(inputs))
    config = model.to_json()
    with pytest.raises(Exception, match="double"):
        keras.models.model_from_json(config)
    model.save(tmp_path / "m.keras")
    keras.config.enable_unsafe_deserialization()
    try:
        again = keras.models.model_from_json(config)
        np.testing.assert_allclose(again.predict(np.ones((1, 2), "float32"), verbose=0), [[2.0, 2.0]])
        with pytest.raises(keras.saving.UnsafeFileError, match="safe_mode=False"):
            keras.models.load_model(tmp_path / "m.keras")  # load_model keeps its own safe_mode=True
    finally:
        safety.set_default_safe_mode(True)


def test_keras3_top_level_base_classes_are_the_keras2_classes():
    assert keras.Layer is layers.Layer and keras.Loss is keras.losses.Loss and keras.Metric is keras.metrics.Metric
    assert keras.Optimizer is keras.optimizers.Optimizer and keras.Initializer is keras.initializers.Initializer
    assert keras.Regularizer is keras.regularizers.Regularizer
    # Keras 3's DTypePolicy is Keras 2's Policy with Keras 3's constructor and repr: layers take either.
    assert issubclass(keras.DTypePolicy, keras.mixed_precision.Policy)
    assert keras.version() == keras.__version__

    class Double(keras.Layer):  # a Keras 3 tutorial's custom layer, written against keras.Layer and keras.ops
        def call(self, x):
            return keras.ops.multiply(x, 2.0)

    inputs = keras.Input((3,))
    model = keras.Model(inputs, Double()(inputs))
    assert isinstance(model.layers[-1], keras.Layer)
    np.testing.assert_allclose(model.predict(np.ones((1, 3), "float32"), verbose=0), [[2.0, 2.0, 2.0]])
    assert isinstance(inputs, keras.KerasTensor)


def test_keras_experimental_schedules_are_the_optimizers_schedules():
    assert keras.experimental.CosineDecay is keras.optimizers.schedules.CosineDecay
    assert keras.experimental.CosineDecayRestarts is keras.optimizers.schedules.CosineDecayRestarts
