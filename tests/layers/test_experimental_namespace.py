"""keras.layers.experimental (and its .preprocessing), where older Keras 2 code imports layers from; the
PreprocessingLayer base class; SyncBatchNormalization."""
import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers
from fastkeras.layers.experimental import preprocessing

# tf-keras 2.21's dir(keras.layers.experimental.preprocessing), public names.
TF_KERAS_PREPROCESSING = [
    "CategoryEncoding", "CenterCrop", "Discretization", "HashedCrossing", "Hashing", "IntegerLookup", "Normalization",
    "PreprocessingLayer", "RandomContrast", "RandomCrop", "RandomFlip", "RandomHeight", "RandomRotation",
    "RandomTranslation", "RandomWidth", "RandomZoom", "Rescaling", "Resizing", "StringLookup", "TextVectorization"]


def test_the_preprocessing_names_are_the_layers_classes():
    for name in TF_KERAS_PREPROCESSING:
        cls = getattr(keras.layers.experimental.preprocessing, name)
        if name != "PreprocessingLayer":
            assert cls is getattr(layers, name)
    assert keras.layers.experimental.EinsumDense is layers.EinsumDense
    for name in ("Normalization", "Discretization", "StringLookup", "IntegerLookup", "TextVectorization"):
        assert issubclass(getattr(layers, name), preprocessing.PreprocessingLayer), name


class RunningMax(preprocessing.PreprocessingLayer):
    """A user's adapt-able layer: divides by the largest absolute value seen."""

    def build(self, input_shape):
        self.scale = self.add_weight("scale", (), initializer="ones", trainable=False)
        self.finalized = 0

    def reset_state(self):
        self._largest = 0.0

    def update_state(self, data):
        self._largest = max(self._largest, float(np.abs(data).max()))

    def finalize_state(self):
        self.scale.assign(self._largest)
        self.finalized += 1

    def call(self, x):
        return x / self.scale


def test_a_subclass_adapts_over_arrays_and_sequences():
    layer = RunningMax()
    assert not layer.is_adapted
    data = np.array([[1.0, -8.0], [2.0, 4.0], [0.5, 3.0]], dtype="float32")
    layer.adapt(data, batch_size=1)
    assert layer.is_adapted and layer.finalized == 1
    np.testing.assert_allclose(keras.backend.to_numpy(layer(data)), data / 8.0)
    layer.adapt([data[:1] * 2.0, data[1:]])  # an iterable of batches; the state starts again
    assert float(keras.backend.to_numpy(layer.scale)) == 16.0 and layer.finalized == 2
    with pytest.raises(ValueError, match="received no data"):
        layer.adapt(np.zeros((0, 2), "float32"))

    class Incomplete(preprocessing.PreprocessingLayer):
        def reset_state(self):
            pass

    with pytest.raises(NotImplementedError, match="Incomplete does not implement `update_state`"):
        Incomplete().adapt(data)


def test_sync_batch_normalization_is_batch_normalization_with_tf_keras_config():
    sync = keras.layers.experimental.SyncBatchNormalization(momentum=0.9, name="sync")
    plain = layers.BatchNormalization(momentum=0.9)
    x = np.random.default_rng(0).standard_normal((6, 4)).astype("float32")
    np.testing.assert_allclose(keras.backend.to_numpy(sync(x, training=True)),
                               keras.backend.to_numpy(plain(x, training=True)), rtol=1e-6)
    np.testing.assert_allclose(sync.get_weights()[2], plain.get_weights()[2], rtol=1e-6)
    config = sync.get_config()
    assert "synchronized" not in config and "fused" not in config and config["momentum"] == 0.9
    again = layers.deserialize({"class_name": "SyncBatchNormalization", "config": config})
    assert type(again) is keras.layers.experimental.SyncBatchNormalization
    with pytest.raises(ValueError, match="`fused` argument cannot be True"):
        keras.layers.experimental.SyncBatchNormalization(fused=True)
