"""Extending fastkeras as Keras 2 programs do: custom layers, losses, metrics, callbacks, subclassed models.

The programs are the classic Keras 2 examples (mnist_siamese, variational_autoencoder, antirectifier, the
subclassed-model guide) on small random data, changed only in the import. Reloading with ``custom_objects``
or a registered class must reproduce predictions.
"""
import json
import os

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import layers
from fastkeras.layers import Dense, Dropout, Flatten, Input, Lambda
from fastkeras.models import Model, Sequential

RNG = np.random.default_rng(3)


def f32(*shape):
    return RNG.normal(size=shape).astype("float32")


# ---------------------------------------------------------------------------------------------------------------
# the antirectifier layer (Keras 2 examples/antirectifier.py, and the keras.io version with a kernel)
# ---------------------------------------------------------------------------------------------------------------

class Antirectifier(layers.Layer):
    """(samples, n) -> (samples, 2n): the positive and the negative part of the centred, normalized input."""

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        assert len(shape) == 2
        shape[-1] *= 2
        return tuple(shape)

    def call(self, inputs):
        inputs -= K.mean(inputs, axis=1, keepdims=True)
        inputs = K.l2_normalize(inputs, axis=1)
        pos = K.relu(inputs)
        neg = K.relu(-inputs)
        return K.concatenate([pos, neg], axis=1)


class KernelAntirectifier(layers.Layer):
    def __init__(self, initializer="he_normal", **kwargs):
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        output_dim = input_shape[-1]
        self.kernel = self.add_weight(shape=(output_dim * 2, output_dim), initializer=self.initializer,
                                      name="kernel", trainable=True)

    def call(self, inputs):
        inputs -= K.mean(inputs, axis=-1, keepdims=True)
        pos = K.relu(inputs)
        neg = K.relu(-inputs)
        concatenated = K.concatenate([pos, neg], axis=-1)
        return K.dot(concatenated, self.kernel)

    def get_config(self):
        base_config = super().get_config()
        config = {"initializer": keras.initializers.serialize(self.initializer)}
        return dict(list(base_config.items()) + list(config.items()))


def _antirectifier_reference(x):
    x = x - x.mean(axis=1, keepdims=True)
    x = x / np.sqrt(np.maximum((x ** 2).sum(axis=1, keepdims=True), 1e-12))
    return np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], axis=1)


def test_antirectifier_in_a_sequential_model_trains_and_computes_what_it_says():
    model = Sequential([Dense(8, input_shape=(6,)), Antirectifier(), Dropout(0.1), Dense(3, activation="softmax")])
    assert model.layers[1].output_shape == (None, 16)
    x = f32(32, 6)
    y = keras.utils.to_categorical(RNG.integers(0, 3, 32), 3)
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    hidden = K.function([model.input], [model.layers[1].output])([x])[0]
    dense = model.layers[0]
    np.testing.assert_allclose(hidden, _antirectifier_reference(x @ K.get_value(dense.kernel)
                                                                + K.get_value(dense.bias)), rtol=1e-4, atol=1e-6)


def test_antirectifier_with_kernel_saves_and_reloads_through_custom_objects(tmp_path):
    inputs = Input((5,))
    outputs = Dense(2)(KernelAntirectifier(name="anti")(Dense(4)(inputs)))
    model = Model(inputs, outputs)
    assert [w.name for w in model.get_layer("anti").weights] == ["anti/kernel:0"]
    assert model.get_layer("anti").output_shape == (None, 4)
    x = f32(6, 5)
    model.compile("adam", "mse")
    model.fit(x, f32(6, 2), epochs=1, verbose=0)
    expected = model.predict(x)

    config = model.to_json()
    with pytest.raises(ValueError, match="KernelAntirectifier"):
        keras.models.model_from_json(config)
    clone = keras.models.model_from_json(config, custom_objects={"KernelAntirectifier": KernelAntirectifier})
    assert json.loads(clone.to_json())["config"] == json.loads(config)["config"]
    path = str(tmp_path / "w.h5")
    model.save_weights(path)
    clone.load_weights(path)
    np.testing.assert_allclose(clone.predict(x), expected, rtol=1e-6)

    saved = str(tmp_path / "anti.h5")
    model.save(saved)
    loaded = keras.models.load_model(saved, custom_objects={"KernelAntirectifier": KernelAntirectifier})
    np.testing.assert_allclose(loaded.predict(x), expected, rtol=1e-6)
    with keras.utils.custom_object_scope({"KernelAntirectifier": KernelAntirectifier}):
        scoped = keras.models.load_model(saved)
    np.testing.assert_allclose(scoped.predict(x), expected, rtol=1e-6)


# ---------------------------------------------------------------------------------------------------------------
# the siamese network (Keras 2 examples/mnist_siamese.py)
# ---------------------------------------------------------------------------------------------------------------

def euclidean_distance(vects):
    x, y = vects
    sum_square = K.sum(K.square(x - y), axis=1, keepdims=True)
    return K.sqrt(K.maximum(sum_square, K.epsilon()))


def eucl_dist_output_shape(shapes):
    shape1, shape2 = shapes
    return (shape1[0], 1)


def contrastive_loss(y_true, y_pred):
    margin = 1
    square_pred = K.square(y_pred)
    margin_square = K.square(K.maximum(margin - y_pred, 0))
    return K.mean(y_true * square_pred + (1 - y_true) * margin_square)


def accuracy(y_true, y_pred):
    return K.mean(K.equal(y_true, K.cast(y_pred < 0.5, y_true.dtype)))


def create_base_network(input_shape):
    input = Input(shape=input_shape)
    x = Flatten()(input)
    x = Dense(16, activation="relu")(x)
    x = Dropout(0.1)(x)
    x = Dense(16, activation="relu")(x)
    return Model(input, x)


def test_siamese_network_with_contrastive_loss(tmp_path):
    input_shape = (4, 4)
    base_network = create_base_network(input_shape)
    input_a = Input(shape=input_shape)
    input_b = Input(shape=input_shape)
    processed_a = base_network(input_a)
    processed_b = base_network(input_b)
    distance = Lambda(euclidean_distance, output_shape=eucl_dist_output_shape)([processed_a, processed_b])
    model = Model([input_a, input_b], distance)
    assert K.int_shape(distance) == (None, 1)
    assert len(model.trainable_weights) == 4  # the base network's weights, shared by both branches

    a, b = RNG.random((40, 4, 4), dtype=np.float32), RNG.random((40, 4, 4), dtype=np.float32)
    y = RNG.integers(0, 2, 40).astype("float32")
    model.compile(loss=contrastive_loss, optimizer=keras.optimizers.RMSprop(), metrics=[accuracy])
    history = model.fit([a, b], y, batch_size=8, epochs=3, verbose=0, validation_data=([a, b], y))
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["loss"][-1] < history.history["loss"][0]

    pred = model.predict([a, b])
    za, zb = base_network.predict(a), base_network.predict(b)
    np.testing.assert_allclose(pred, np.sqrt(np.maximum(((za - zb) ** 2).sum(1, keepdims=True), 1e-7)), rtol=1e-5)
    loss, acc = model.evaluate([a, b], y, verbose=0)
    margin = np.maximum(1 - pred[:, 0], 0)
    np.testing.assert_allclose(loss, np.mean(y * pred[:, 0] ** 2 + (1 - y) * margin ** 2), rtol=1e-4)
    # a metric function returning a batch mean is averaged over batches (32 + 8 samples), as in Keras 2
    hits = y == (pred[:, 0] < 0.5)
    np.testing.assert_allclose(acc, (hits[:32].mean() + hits[32:].mean()) / 2, rtol=1e-6)

    # the Lambda is stored by name: it reloads through custom_objects
    objects = {"euclidean_distance": euclidean_distance, "eucl_dist_output_shape": eucl_dist_output_shape}
    clone = keras.models.model_from_json(model.to_json(), custom_objects=objects)
    path = str(tmp_path / "siamese.h5")
    model.save_weights(path)
    clone.load_weights(path)
    np.testing.assert_allclose(clone.predict([a, b]), pred, rtol=1e-6)


# ---------------------------------------------------------------------------------------------------------------
# the variational autoencoder (Keras 2 examples/variational_autoencoder.py)
# ---------------------------------------------------------------------------------------------------------------

def sampling(args):
    z_mean, z_log_var = args
    batch = K.shape(z_mean)[0]
    dim = K.int_shape(z_mean)[1]
    epsilon = K.random_normal(shape=(batch, dim))
    return z_mean + K.exp(0.5 * z_log_var) * epsilon


def _vae(original_dim=8, intermediate_dim=6, latent_dim=2):
    inputs = Input(shape=(original_dim,), name="encoder_input")
    x = Dense(intermediate_dim, activation="relu")(inputs)
    z_mean = Dense(latent_dim, name="z_mean")(x)
    z_log_var = Dense(latent_dim, name="z_log_var")(x)
    z = Lambda(sampling, output_shape=(latent_dim,), name="z")([z_mean, z_log_var])
    encoder = Model(inputs, [z_mean, z_log_var, z], name="encoder")
    latent_inputs = Input(shape=(latent_dim,), name="z_sampling")
    x = Dense(intermediate_dim, activation="relu")(latent_inputs)
    outputs = Dense(original_dim, activation="sigmoid")(x)
    decoder = Model(latent_inputs, outputs, name="decoder")
    outputs = decoder(encoder(inputs)[2])
    vae = Model(inputs, outputs, name="vae_mlp")
    return vae, encoder, decoder, inputs, outputs, z_mean, z_log_var


def test_vae_sampling_lambda_infers_its_shape_without_output_shape():
    z_mean, z_log_var = Input((3,)), Input((3,))
    z = Lambda(sampling)([z_mean, z_log_var])
    assert K.int_shape(z) == (None, 3)
    model = Model([z_mean, z_log_var], z)
    samples = model.predict([np.zeros((2000, 3), "float32"), np.full((2000, 3), np.log(4.0), "float32")])
    assert samples.shape == (2000, 3)
    assert abs(samples.std() - 2.0) < 0.1 and abs(samples.mean()) < 0.1


def test_vae_with_a_symbolic_loss_added_to_the_model():
    original_dim = 8
    vae, encoder, decoder, inputs, outputs, z_mean, z_log_var = _vae(original_dim)
    reconstruction_loss = keras.losses.binary_crossentropy(inputs, outputs)
    reconstruction_loss *= original_dim
    kl_loss = 1 + z_log_var - K.square(z_mean) - K.exp(z_log_var)
    kl_loss = K.sum(kl_loss, axis=-1)
    kl_loss *= -0.5
    vae_loss = K.mean(reconstruction_loss + kl_loss)
    vae.add_loss(vae_loss)
    vae.compile(optimizer="adam")
    x = RNG.random((64, original_dim), dtype=np.float32)
    history = vae.fit(x, epochs=3, batch_size=16, verbose=0, validation_data=(x, None))
    assert set(history.history) == {"loss", "val_loss"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    # the loss is the model's added loss, evaluated on the same forward pass as the outputs
    assert vae.evaluate(x, verbose=0) > 0
    assert vae.predict(x).shape == (64, original_dim)
    assert encoder.predict(x)[2].shape == (64, 2)


class KLDivergenceLayer(layers.Layer):
    """Identity on (z_mean, z_log_var) that adds the KL divergence to the model's loss."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
        self.add_loss(K.mean(kl))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


def test_vae_with_a_custom_loss_layer_and_a_loss_function():
    original_dim, latent_dim = 8, 2
    inputs = Input((original_dim,))
    h = Dense(6, activation="relu")(inputs)
    z_mean, z_log_var = KLDivergenceLayer()([Dense(latent_dim)(h), Dense(latent_dim)(h)])
    z = Lambda(sampling)([z_mean, z_log_var])
    outputs = Dense(original_dim, activation="sigmoid")(Dense(6, activation="relu")(z))
    vae = Model(inputs, outputs)

    def reconstruction(y_true, y_pred):
        return original_dim * keras.losses.binary_crossentropy(y_true, y_pred)
    vae.compile(optimizer="adam", loss=reconstruction)
    x = RNG.random((64, original_dim), dtype=np.float32)
    history = vae.fit(x, x, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    # the reported loss includes the KL term: it exceeds the reconstruction loss alone
    recon = float(np.mean(original_dim * K.to_numpy(keras.losses.binary_crossentropy(x, vae.predict(x)))))
    assert vae.evaluate(x, x, verbose=0) > recon * 0.9


# ---------------------------------------------------------------------------------------------------------------
# subclassed models
# ---------------------------------------------------------------------------------------------------------------

class MyModel(Model):
    def __init__(self, num_classes=3, **kwargs):
        super().__init__(name="my_model", **kwargs)
        self.num_classes = num_classes
        self.dense_1 = Dense(8, activation="relu")
        self.dropout = Dropout(0.5)
        self.dense_2 = Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        x = self.dense_1(inputs)
        x = self.dropout(x, training=training)
        return self.dense_2(x)


def test_subclassed_model_tracks_layers_and_weights():
    model = MyModel()
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "dense_1"]
    assert not model.built and model.weights == []
    model.build((None, 5))
    assert model.built
    assert [w.name for w in model.weights] == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0",
                                               "dense_1/bias:0"]
    assert model.count_params() == 5 * 8 + 8 + 8 * 3 + 3
    assert len(model.trainable_weights) == 4 and model.non_trainable_weights == []
    model.dense_1.trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


def test_subclassed_model_called_eagerly_and_symbolically():
    model = MyModel()
    x = f32(4, 5)
    out = K.to_numpy(model(x))
    assert out.shape == (4, 3) and model.built
    np.testing.assert_allclose(out.sum(1), 1.0, rtol=1e-5)
    # inference call: dropout off, so two calls agree
    np.testing.assert_allclose(K.to_numpy(model(x)), out, rtol=1e-6)
    inputs = Input((5,))
    wrapped = Model(inputs, Dense(2)(model(inputs)))
    assert wrapped.output_shape == (None, 2)
    assert wrapped.predict(x).shape == (4, 2)


def test_subclassed_model_fit_evaluate_predict_and_weights_files(tmp_path):
    model = MyModel()
    x = f32(32, 5)
    y = RNG.integers(0, 3, 32)
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    loss, acc = model.evaluate(x, y, verbose=0)
    assert np.isfinite(loss) and 0 <= acc <= 1
    pred = model.predict(x)
    assert pred.shape == (32, 3)
    path = str(tmp_path / "sub.h5")
    model.save_weights(path)
    other = MyModel()
    other.build((None, 5))
    other.load_weights(path)
    np.testing.assert_allclose(other.predict(x), pred, rtol=1e-6)
    assert model.train_on_batch(x[:8], y[:8]) is not None


class TwoHeads(Model):
    """A subclassed model with two inputs and two outputs."""

    def __init__(self):
        super().__init__()
        self.left = Dense(4, activation="tanh")
        self.right = Dense(4, activation="tanh")
        self.merge = layers.Concatenate()
        self.head_a = Dense(1)
        self.head_b = Dense(2, activation="softmax")

    def call(self, inputs):
        a, b = inputs
        merged = self.merge([self.left(a), self.right(b)])
        return [self.head_a(merged), self.head_b(merged)]


def test_subclassed_model_with_several_inputs_and_outputs():
    model = TwoHeads()
    a, b = f32(16, 3), f32(16, 2)
    y1, y2 = f32(16, 1), RNG.integers(0, 2, 16)
    model.compile("adam", ["mse", "sparse_categorical_crossentropy"])
    history = model.fit([a, b], [y1, y2], epochs=2, batch_size=4, verbose=0)
    assert {"loss", "output_1_loss", "output_2_loss"} <= set(history.history)
    p1, p2 = model.predict([a, b])
    assert p1.shape == (16, 1) and p2.shape == (16, 2)


class Residual(Model):
    """A subclassed model holding a list of layers and a nested block."""

    def __init__(self):
        super().__init__()
        self.blocks = [Dense(4, activation="relu"), Dense(4)]
        self.inner = MyModel(num_classes=4)

    def call(self, inputs, training=None):
        x = inputs
        for block in self.blocks:
            x = x + block(x)
        return self.inner(x, training=training)


def test_nested_subclassed_models_and_lists_of_layers_are_tracked():
    model = Residual()
    model.build((None, 4))
    assert len(model.layers) == 3
    assert len(model.weights) == 4 + 4
    model.compile("adam", "mse")
    model.fit(f32(8, 4), f32(8, 4), epochs=1, verbose=0)


def test_subclassed_model_build_requires_a_shape_and_does_not_recurse():
    model = MyModel()
    with pytest.raises(ValueError, match="Input shape must be defined"):
        model.build(None)
    model.build((None, 7))
    model.build((None, 7))  # built models ignore a second build
    assert model.dense_1.kernel.shape == (7, 8)


# ---------------------------------------------------------------------------------------------------------------
# custom layers: build/add_weight, mask, training, several inputs and outputs, get_config
# ---------------------------------------------------------------------------------------------------------------

class Scale(layers.Layer):
    """x * w + b with one weight per feature, a regularizer, and a config."""

    def __init__(self, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        self.l2 = l2

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones",
                                 regularizer=keras.regularizers.l2(self.l2) if self.l2 else None)
        self.b = self.add_weight(name="b", shape=(input_shape[-1],), initializer="zeros")
        super().build(input_shape)

    def call(self, inputs):
        return inputs * self.w + self.b

    def get_config(self):
        return {**super().get_config(), "l2": self.l2}


class MaskedMean(layers.Layer):
    """(batch, steps, features) with a (batch, steps) mask -> the mean over unmasked steps."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return K.mean(inputs, axis=1)
        weights = K.expand_dims(K.cast(mask, "float32"))
        return K.sum(inputs * weights, axis=1) / K.maximum(K.sum(weights, axis=1), 1.0)

    def compute_mask(self, inputs, mask=None):
        return None


class NoisyIdentity(layers.Layer):
    """Adds noise only when training."""

    def call(self, inputs, training=None):
        return K.in_train_phase(lambda: inputs + K.random_normal(K.shape(inputs)), inputs, training=training)


class SplitAndScale(layers.Layer):
    """Two inputs in, two outputs out: (a * s, b / s) with a learned scalar s."""

    def build(self, input_shape):
        self.s = self.add_weight(name="s", shape=(), initializer=keras.initializers.Constant(2.0))

    def call(self, inputs):
        a, b = inputs
        return [a * self.s, b / self.s]

    def compute_output_shape(self, input_shape):
        return [tuple(input_shape[0]), tuple(input_shape[1])]


def test_custom_layer_weights_config_and_regularization():
    layer = Scale(l2=0.1, name="scale")
    x = Input((3,))
    y = layer(x)
    assert K.int_shape(y) == (None, 3)
    assert [w.name for w in layer.weights] == ["scale/w:0", "scale/b:0"]
    assert layer.get_config()["l2"] == 0.1 and layer.get_config()["name"] == "scale"
    clone = Scale.from_config(layer.get_config())
    assert clone.l2 == 0.1
    model = Model(x, y)
    np.testing.assert_allclose(K.to_numpy(model.losses[0]), 0.1 * 3, rtol=1e-6)
    model.compile("sgd", "mse")
    model.fit(f32(8, 3), f32(8, 3), epochs=1, verbose=0)


def test_custom_layer_with_mask_and_training_arguments():
    inputs = Input((4, 2))
    masked = layers.Masking(mask_value=0.0)(inputs)
    mean = MaskedMean()(masked)
    model = Model(inputs, mean)
    data = f32(3, 4, 2)
    data[0, 2:] = 0.0
    out = model.predict(data)
    np.testing.assert_allclose(out[0], data[0, :2].mean(0), rtol=1e-5)
    np.testing.assert_allclose(out[1], data[1].mean(0), rtol=1e-5)

    noisy = NoisyIdentity()
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(K.to_numpy(noisy(x)), x)  # inference by default
    assert not np.array_equal(K.to_numpy(noisy(x, training=True)), x)
    sym = noisy(Input((3,)))
    assert K.int_shape(sym) == (None, 3)


def test_custom_layer_with_several_inputs_and_outputs():
    a, b = Input((3,)), Input((2,))
    out_a, out_b = SplitAndScale(name="split")([a, b])
    assert K.int_shape(out_a) == (None, 3) and K.int_shape(out_b) == (None, 2)
    model = Model([a, b], [Dense(1)(out_a), out_b])
    da, db = f32(4, 3), f32(4, 2)
    pa, pb = model.predict([da, db])
    np.testing.assert_allclose(pb, db / 2.0, rtol=1e-6)
    model.compile("sgd", ["mse", "mse"])
    model.fit([da, db], [f32(4, 1), f32(4, 2)], epochs=1, verbose=0)
    assert model.get_layer("split").get_output_at(0) == [out_a, out_b]


class ActivityLoss(layers.Layer):
    """Adds a penalty on its input's magnitude to the model's loss and reports a metric."""

    def __init__(self, rate=0.01, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * K.sum(K.square(inputs)))
        self.add_metric(K.mean(inputs), name="mean_activation")
        return inputs

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


def test_add_loss_in_call_joins_the_training_loss():
    inputs = Input((3,))
    model = Model(inputs, Dense(1)(ActivityLoss(rate=1.0)(inputs)))
    model.compile("sgd", "mse")
    x, y = f32(8, 3), f32(8, 1)
    with_penalty, _mean_activation = model.evaluate(x, y, verbose=0, batch_size=8)  # add_metric is reported too
    plain = float(np.mean((model.predict(x) - y) ** 2))
    np.testing.assert_allclose(with_penalty, plain + float(np.sum(x ** 2)), rtol=1e-4)
    layer = ActivityLoss(rate=0.5)
    layer(np.ones((2, 2), "float32"))
    np.testing.assert_allclose(K.to_numpy(layer.losses[0]), 2.0)


def test_add_metric_in_call_is_reported():
    inputs = Input((3,))
    model = Model(inputs, Dense(1)(ActivityLoss(rate=0.0)(inputs)))
    model.compile("sgd", "mse")
    x = f32(16, 3)
    history = model.fit(x, f32(16, 1), epochs=1, batch_size=16, verbose=0)
    assert "mean_activation" in history.history
    np.testing.assert_allclose(history.history["mean_activation"][0], x.mean(), rtol=1e-5)


def test_add_metric_needs_a_name():
    layer = layers.Layer()
    with pytest.raises(ValueError, match="name"):
        layer.add_metric(K.constant(1.0))


# ---------------------------------------------------------------------------------------------------------------
# custom losses, metrics and callbacks; registration
# ---------------------------------------------------------------------------------------------------------------

class WeightedMSE(keras.losses.Loss):
    def __init__(self, weight=2.0, name="weighted_mse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.weight = weight

    def call(self, y_true, y_pred):
        return self.weight * K.mean(K.square(y_true - y_pred), axis=-1)

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


class CountPositives(keras.metrics.Metric):
    def __init__(self, name="count_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.count = self.add_weight(name="count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        K.update_add(self.count, K.sum(K.cast(y_pred > 0, "float32")))

    def result(self):
        return self.count

    def reset_state(self):
        K.set_value(self.count, 0.0)


def test_custom_loss_class_metric_class_and_callback():
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile("sgd", loss=WeightedMSE(3.0), metrics=[CountPositives()])
    seen = []

    class Recorder(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(dict(logs))
    x, y = f32(10, 3), f32(10, 2)
    model.fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[Recorder()])
    assert len(seen) == 2 and {"loss", "count_positives"} <= set(seen[0])
    loss, count = model.evaluate(x, y, verbose=0, batch_size=10)
    pred = model.predict(x)
    np.testing.assert_allclose(loss, 3.0 * np.mean((pred - y) ** 2), rtol=1e-5)
    assert count == float((pred > 0).sum())


def test_registered_custom_layer_reloads_without_custom_objects():
    @keras.utils.register_keras_serializable(package="TestCustom")
    class Doubler(layers.Layer):
        def call(self, inputs):
            return inputs * 2

    class Tripler(Doubler):  # inherits the decorator's attribute, but is not registered itself
        def call(self, inputs):
            return inputs * 3

    inputs = Input((2,))
    model = Model(inputs, Tripler()(Doubler()(inputs)))
    config = json.loads(model.to_json())["config"]
    assert [entry["registered_name"] for entry in config["layers"][1:]] == ["TestCustom>Doubler", "Tripler"]
    with pytest.raises(ValueError, match="Tripler"):
        keras.models.model_from_json(model.to_json())
    clone = keras.models.model_from_json(model.to_json(), custom_objects={"Tripler": Tripler})
    np.testing.assert_allclose(clone.predict(np.ones((1, 2), "float32")), [[6.0, 6.0]])


def test_custom_loss_function_reloads_from_a_saved_model(tmp_path):
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile("sgd", loss=contrastive_loss)
    x, y = f32(6, 2), RNG.integers(0, 2, (6, 1)).astype("float32")
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "m.h5")
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"contrastive_loss": contrastive_loss})
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0), rtol=1e-5)


class PenalizedModel(Model):
    """A subclassed model adding an activity penalty in call()."""

    def __init__(self, rate=1.0):
        super().__init__()
        self.rate = rate
        self.dense = Dense(2, kernel_initializer="ones", bias_initializer="zeros")

    def call(self, inputs):
        h = self.dense(inputs)
        self.add_loss(self.rate * K.mean(K.square(h)))
        return h


def test_subclassed_model_add_loss_in_call_joins_the_loss():
    model = PenalizedModel(rate=0.5)
    model.compile("sgd", "mae")
    x, y = f32(8, 3), f32(8, 2)
    loss = model.evaluate(x, y, batch_size=8, verbose=0)
    h = x @ np.ones((3, 2), "float32")
    np.testing.assert_allclose(loss, np.mean(np.abs(h - y)) + 0.5 * np.mean(h ** 2), rtol=1e-5)
    model(x)
    np.testing.assert_allclose(K.to_numpy(model.losses[0]), 0.5 * np.mean(h ** 2), rtol=1e-5)


def test_keras3_add_variable_in_a_custom_layer_and_metric():
    """Keras 3 writes state with ``add_variable(shape, initializer, ...)`` (layers and metrics); Keras 2's
    name-first alias of add_weight still works too."""
    import numpy as np

    import fastkeras as keras

    class Scale(keras.Layer):
        def build(self, input_shape):
            self.w = self.add_variable((input_shape[-1],), "ones", name="w")
            self.b = self.add_variable(shape=(), initializer="zeros", name="b", trainable=False)
            self.legacy = self.add_variable("legacy", (2,), initializer="ones")  # Keras 2's order

        def call(self, x):
            return x * self.w + self.b

    class TruePositives(keras.metrics.Metric):
        def __init__(self, name="tp", **kwargs):
            super().__init__(name=name, **kwargs)
            self.count = self.add_variable(shape=(), initializer="zeros", name="count")

        def update_state(self, y_true, y_pred, sample_weight=None):
            hits = keras.ops.logical_and(y_true > 0.5, y_pred > 0.5)
            self.count.assign_add(keras.ops.sum(keras.ops.cast(hits, "float32")))

        def result(self):
            return self.count

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(Scale()(inputs)))
    layer = model.layers[1]
    assert [w.name for w in layer.weights] == ["scale/w:0", "scale/legacy:0", "scale/b:0"]  # trainable first
    assert [w.name for w in layer.trainable_weights] == ["scale/w:0", "scale/legacy:0"]
    model.compile("sgd", "binary_crossentropy", metrics=[TruePositives()])
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 3)).astype("float32"), rng.integers(0, 2, (40, 1)).astype("float32")
    model.fit(x, y, epochs=1, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    want = float(np.sum((y > 0.5) & (model.predict(x, verbose=0) > 0.5)))
    assert logs["tp"] == want


def test_variables_assigned_as_attributes_are_the_layers_weights():
    # tf-keras tracks `self.w = K.variable(...)` (in __init__ or build) like add_weight's weights
    # (Keras 2.3's layer_subclassing_tests; tf-keras 2.21 gives 5 weights, 4 trainable, 1 not).
    class MyLayer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = Dense(3)
            self.w1 = K.variable(0, name="w1")

        def build(self, input_shape):
            self.w2 = K.variable(1, name="w2")
            self.w3 = self.add_weight("w3", shape=(), trainable=False, initializer="zeros")

        def call(self, inputs):
            return self.dense(inputs) + self.w1 + self.w2

    layer = MyLayer()
    layer(K.constant(np.random.random((2, 2))))
    assert len(layer.weights) == 5
    assert len(layer.trainable_weights) == 4 and len(layer.non_trainable_weights) == 1
    assert layer._trainable_weights[0] is layer.w1 and layer._trainable_weights[1] is layer.w2
    assert layer.non_trainable_weights[0] is layer.w3
    inputs = Input((2,))
    model = keras.Model(inputs, MyLayer()(inputs))
    model.compile("sgd", "mse")
    before = K.get_value(model.layers[1].w1).copy()
    model.fit(np.ones((4, 2)), np.zeros((4, 3)), verbose=0)
    assert not np.allclose(K.get_value(model.layers[1].w1), before)  # trained like any weight
