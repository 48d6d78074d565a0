"""The classic Keras 2 vision examples (keras/examples/*.py, Keras 2.2-2.4) on fastkeras: what they needed.

Each test is the pattern of one example, small. Expected numbers come from tf-keras 2.21 through
tools/make_keras2_vision_example_fixtures.py (tests/fixtures/keras2_vision_examples/); for the graph-mode idioms
tf-keras 2 no longer runs (``K.gradients`` of a symbolic loss, ``Input(tensor=value)``), that script computes
the same quantities with ``tf.GradientTape`` and ordinary models on the same weights.
"""
import json
import os
import warnings

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import layers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras2_vision_examples")


@pytest.fixture(scope="module")
def arrays():
    with np.load(os.path.join(FIXTURES, "arrays.npz")) as data:
        return dict(data)


@pytest.fixture(scope="module")
def expected():
    with open(os.path.join(FIXTURES, "expected.json")) as f:
        return json.load(f)


def _weights(arrays, prefix):
    out, i = [], 0
    while f"{prefix}{i}" in arrays:
        out.append(arrays[f"{prefix}{i}"])
        i += 1
    return out


def _assert_weights(model, want, rtol=1e-5, atol=1e-6):
    got = model.get_weights()
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


def test_gan_discriminator_trains_with_its_compile_time_trainable_flags(arrays, expected):
    # mnist_acgan: compile D, set D.trainable = False, build and compile the combined model; D's own
    # train_on_batch and fit still update D (and its BatchNormalization statistics), the combined model's not.
    d_in = keras.Input((4,))
    h = layers.Dense(3)(d_in)
    h = layers.BatchNormalization()(h)
    d = keras.Model(d_in, layers.Dense(1, activation="sigmoid")(h))
    g_in = keras.Input((2,))
    g = keras.Model(g_in, layers.Dense(4)(g_in))
    d.set_weights(_weights(arrays, "gan/d_w"))
    g.set_weights(_weights(arrays, "gan/g_w"))
    d.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    d.trainable = False
    z_in = keras.Input((2,))
    combined = keras.Model(z_in, d(g(z_in)))
    combined.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    x, y, z = arrays["gan/x"], arrays["gan/y"], arrays["gan/z"]
    want = expected["gan"]

    np.testing.assert_allclose(d.train_on_batch(x, y), want["d_loss"], rtol=1e-5)
    _assert_weights(d, _weights(arrays, "gan/d_after_d"))
    assert d.trainable is False and len(d.trainable_weights) == 0  # the flags are back after the step
    np.testing.assert_allclose(combined.train_on_batch(z, np.full(8, 0.9, "float32")), want["c_loss"], rtol=1e-5)
    _assert_weights(d, _weights(arrays, "gan/d_after_c"))
    _assert_weights(g, _weights(arrays, "gan/g_after_c"))
    d.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    _assert_weights(d, _weights(arrays, "gan/d_after_fit"))
    assert d.trainable == want["d_trainable_after"]
    assert [layer.trainable for layer in d.layers] == want["d_layers_trainable_after"]


def test_acgan_one_dim_targets_and_sample_weights_meet_a_column_output(arrays, expected):
    # mnist_acgan's discriminator: a (n, 1) sigmoid head trained on 1-D labels with 1-D sample weights (was:
    # "Cannot squeeze the last dimension of sample_weight"), beside a sparse softmax head weighted 2/0.
    inp = keras.Input((5,))
    h = layers.Dense(4, activation="relu")(inp)
    model = keras.Model(inp, [layers.Dense(1, activation="sigmoid", name="generation")(h),
                              layers.Dense(3, activation="softmax", name="auxiliary")(h)])
    model.set_weights(_weights(arrays, "acgan/w"))
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=["binary_crossentropy", "sparse_categorical_crossentropy"])
    x, targets = arrays["acgan/x"], [arrays["acgan/y_gen"], arrays["acgan/y_aux"]]
    sw = [arrays["acgan/sw_gen"], arrays["acgan/sw_aux"]]
    want = expected["acgan"]
    np.testing.assert_allclose(model.train_on_batch(x, targets, sample_weight=sw), want["train_on_batch"],
                               rtol=1e-5)
    _assert_weights(model, _weights(arrays, "acgan/after"))
    got = model.evaluate(x, targets, sample_weight=sw, verbose=0, return_dict=True)
    assert set(got) == set(want["evaluate"])
    for name, value in want["evaluate"].items():
        np.testing.assert_allclose(got[name], value, rtol=1e-5)


def _convnet(arrays):
    inp = keras.Input((8, 8, 3))
    y = layers.Conv2D(4, 3, activation="relu", name="c1")(inp)
    p = layers.MaxPooling2D(2, name="pool")(y)
    out = layers.Conv2D(5, 3, padding="same", name="c2")(p)
    model = keras.Model(inp, [y, out])
    model.set_weights(_weights(arrays, "grads/w"))
    return model


def test_conv_filter_visualization_gradients_of_a_symbolic_loss(arrays):
    model = _convnet(arrays)
    input_img = model.input
    layer_output = model.get_layer("c2").output
    loss = K.mean(layer_output[:, :, :, 1])
    grads = K.gradients(loss, input_img)[0]
    grads = grads / (K.sqrt(K.mean(K.square(grads))) + K.epsilon())
    iterate = K.function([input_img], [loss, grads])
    loss_value, grads_value = iterate([arrays["grads/x"]])
    np.testing.assert_allclose(loss_value, arrays["grads/filter_loss"], rtol=1e-5)
    np.testing.assert_allclose(grads_value, arrays["grads/filter_grads"], rtol=1e-4, atol=1e-5)
    # gradient ascent as the example runs it: the same function again on the updated image
    loss_after, _ = iterate([arrays["grads/x"] + grads_value * 0.01])
    assert loss_after > loss_value


def test_deep_dream_loss_scaled_by_the_symbolic_shape(arrays):
    model = _convnet(arrays)
    dream = model.input
    loss = K.variable(0.)
    x = model.get_layer("c1").output
    assert K.shape(x) == (None, 6, 6, 4)  # still a tuple; K functions read it as the run-time shape
    scaling = K.prod(K.cast(K.shape(x), "float32"))
    loss += 0.5 * K.sum(K.square(x[:, 2:-2, 2:-2, :])) / scaling
    grads = K.gradients(loss, dream)[0]
    grads /= K.maximum(K.mean(K.abs(grads)), K.epsilon())
    fetch = K.function([dream], [loss, grads])
    loss_value, grad_values = fetch([arrays["grads/x"]])
    np.testing.assert_allclose(loss_value, arrays["grads/dream_loss"], rtol=1e-5)
    np.testing.assert_allclose(grad_values, arrays["grads/dream_grads"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(K.function([dream], [scaling])([np.zeros((3, 8, 8, 3))])[0], 3 * 6 * 6 * 4)


def test_neural_style_transfer_constants_concatenated_with_a_placeholder(arrays):
    model = _convnet(arrays)
    const = K.variable(arrays["grads/style_const"])
    combination_image = K.placeholder((1, 8, 8, 3))
    input_tensor = K.concatenate([const, combination_image], axis=0)
    features = model(input_tensor)[1]
    loss = K.variable(0.0)
    loss += 0.025 * K.sum(K.square(features[2, :, :, :] - features[0, :, :, :]))
    x = combination_image
    a = K.square(x[:, :7, :7, :] - x[:, 1:, :7, :])
    b = K.square(x[:, :7, :7, :] - x[:, :7, 1:, :])
    loss += K.sum(K.pow(a + b, 1.25))
    grads = K.gradients(loss, combination_image)
    f_outputs = K.function([combination_image], [loss] + grads)
    loss_value, grad_values = f_outputs([arrays["grads/x"]])
    np.testing.assert_allclose(loss_value, arrays["grads/style_loss"], rtol=1e-5)
    np.testing.assert_allclose(grad_values, arrays["grads/style_grads"], rtol=1e-4, atol=1e-4)


def test_swwae_where_mask_in_a_lambda_in_predict_and_fit(arrays):
    # K.gradients inside a Lambda: under predict's/evaluate's no-grad the model runs again recording gradients
    def getwhere(x):
        y_prepool, y_postpool = x
        return K.gradients(K.sum(y_postpool), y_prepool)

    model = _convnet(arrays)
    inp = keras.Input((8, 8, 3))
    y = model.get_layer("c1")(inp)
    pooled = layers.MaxPooling2D(2)(y)
    where = layers.Lambda(getwhere, output_shape=lambda s: s[0])([y, pooled])
    where_model = keras.Model(inp, where)
    np.testing.assert_allclose(where_model.predict(arrays["grads/x"], verbose=0), arrays["grads/where"])

    out = layers.multiply([layers.UpSampling2D(2)(pooled), where])
    ae = keras.Model(inp, layers.Conv2D(3, 3, padding="same")(out))
    ae.compile("adam", "mse")
    x = np.random.default_rng(0).uniform(size=(4, 8, 8, 3)).astype("float32")
    target = x[:, 1:7, 1:7, :]
    history = ae.fit(x, target, batch_size=2, epochs=2, verbose=0, validation_data=(x, target))
    assert all(np.isfinite(history.history["loss"])) and all(np.isfinite(history.history["val_loss"]))
    np.testing.assert_allclose(ae.evaluate(x, target, verbose=0), history.history["val_loss"][-1], rtol=1e-5)


def test_neural_doodle_input_tensor_value_feeds_the_graph(arrays):
    masks = K.concatenate([K.variable(arrays["doodle/masks"][:1]), K.variable(arrays["doodle/masks"][1:])],
                          axis=0)
    mask_input = keras.Input(tensor=masks, shape=(None, None, None), name="mask_input")
    assert K.int_shape(mask_input) == (2, 6, 6, 2)  # the value's shape, as Keras 2 took it
    x = layers.AveragePooling2D((3, 3), padding="same", strides=(1, 1))(mask_input)
    x = layers.AveragePooling2D((2, 2))(x)
    mask_model = keras.Model(mask_input, x)
    assert mask_model.layers[0].name == "mask_input"
    target = K.placeholder((1, 3, 3, 2))
    f = K.function([target], [mask_model.layers[-1].output * K.sum(target)])
    np.testing.assert_allclose(f([np.full((1, 3, 3, 2), 0.5)])[0], arrays["doodle/pooled"] * 9.0, rtol=1e-6)


def _vae():
    def sampling(args):
        z_mean, z_log_var = args
        epsilon = K.random_normal(shape=(K.shape(z_mean)[0], K.int_shape(z_mean)[1]))
        return z_mean + K.exp(0.5 * z_log_var) * epsilon

    inputs = keras.Input((8, 8, 1), name="encoder_input")
    x = layers.Conv2D(4, 3, strides=2, padding="same", activation="relu", name="enc_conv")(inputs)
    x = layers.Flatten(name="enc_flatten")(x)
    x = layers.Dense(8, activation="relu", name="enc_dense")(x)
    z_mean = layers.Dense(2, name="z_mean")(x)
    z_log_var = layers.Dense(2, name="z_log_var")(x)
    z = layers.Lambda(sampling, output_shape=(2,), name="z")([z_mean, z_log_var])
    encoder = keras.Model(inputs, [z_mean, z_log_var, z], name="encoder")
    latent = keras.Input((2,), name="z_sampling")
    x = layers.Dense(4 * 4 * 4, activation="relu", name="dec_dense")(latent)
    x = layers.Reshape((4, 4, 4), name="dec_reshape")(x)
    decoded = layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid",
                                     name="decoder_output")(x)
    decoder = keras.Model(latent, decoded, name="decoder")
    outputs = decoder(encoder(inputs)[2])
    vae = keras.Model(inputs, outputs, name="vae")
    reconstruction = keras.losses.binary_crossentropy(K.flatten(inputs), K.flatten(outputs)) * 64
    kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
    vae.add_loss(K.mean(reconstruction + kl))
    vae.compile(optimizer="rmsprop")
    return vae, encoder, decoder


def test_vae_with_symbolic_add_loss_keeps_keras_layer_order_and_loads_tf_keras_weights(arrays, expected):
    # variational_autoencoder_deconv: the loss reads z_mean/z_log_var inside the encoder, so add_loss brings
    # the encoder's layers into the VAE; as in tf-keras they follow the VAE's own layers (the HDF5 order).
    vae, encoder, decoder = _vae()
    assert [layer.name for layer in vae.layers if layer.weights] == expected["vae_layers"]
    assert [layer.name for layer in vae.layers][:3] == ["encoder_input", "encoder", "decoder"]
    vae.load_weights(os.path.join(FIXTURES, "vae_add_loss.h5"))
    np.testing.assert_allclose(encoder.predict(arrays["vae/x"], verbose=0)[0], arrays["vae/z_mean"], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(decoder.predict(arrays["vae/z"], verbose=0), arrays["vae/decoded"], rtol=1e-5,
                               atol=1e-6)
    history = vae.fit(np.random.default_rng(0).uniform(size=(8, 8, 8, 1)).astype("float32"), epochs=2,
                      batch_size=4, verbose=0)
    assert all(np.isfinite(history.history["loss"]))


def test_cifar10_cnn_lowercase_optimizer_alias():
    opt = keras.optimizers.rmsprop(lr=0.0001, decay=1e-6)
    assert isinstance(opt, keras.optimizers.RMSprop)
    np.testing.assert_allclose(float(opt.learning_rate), 1e-4)
    assert opt.decay == 1e-6
    for name, cls in (("sgd", "SGD"), ("adagrad", "Adagrad"), ("adadelta", "Adadelta"), ("adam", "Adam"),
                      ("adamax", "Adamax"), ("nadam", "Nadam")):
        assert getattr(keras.optimizers, name) is getattr(keras.optimizers, cls)


def test_image_ocr_input_dict_with_extra_keys():
    # image_ocr's generator yields the source strings beside the model's inputs: tf-keras warns and ignores them
    inp = keras.Input((3,), name="the_input")
    model = keras.Model(inp, layers.Dense(1, name="ctc")(inp))
    model.compile("sgd", "mse")
    x = np.ones((4, 3), "float32")

    def batches():
        while True:
            yield {"the_input": x, "source_str": ["ab", "c", "", "d"]}, {"ctc": np.zeros(4)}

    with pytest.warns(UserWarning, match=r"Input dict contained keys \['source_str'\]"):
        history = model.fit(batches(), steps_per_epoch=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    with pytest.warns(UserWarning, match="ignored"):
        got = model.predict({"the_input": x, "source_str": np.zeros((4, 2))}, verbose=0)
    np.testing.assert_allclose(got, model.predict(x, verbose=0))
    with pytest.raises(ValueError, match='Missing data for input "the_input"'):
        model.predict({"source_str": x}, verbose=0)


def test_tensorboard_embeddings_arguments_warn_instead_of_failing(tmp_path):
    # tensorboard_embeddings_mnist passes embeddings_data=x_test (tf-keras 2.21 crashes on the array's truth value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        callback = keras.callbacks.TensorBoard(log_dir=str(tmp_path), batch_size=32, embeddings_freq=1,
                                               embeddings_layer_names=["features"],
                                               embeddings_metadata="metadata.tsv",
                                               embeddings_data=np.zeros((4, 28, 28, 1)))
    messages = " ".join(str(w.message) for w in caught)
    assert "embeddings_data" in messages and "batch_size" in messages
    model = keras.Sequential([keras.Input((2,)), layers.Dense(3, name="features"), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.zeros((4, 1)), epochs=1, verbose=0, callbacks=[callback])
    assert os.listdir(tmp_path / "train")


def test_mnist_tfrecord_target_tensors_refused_as_tf_keras():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="`target_tensors` argument is not supported when executing eagerly"):
        model.compile("sgd", "mse", target_tensors=[np.zeros((4, 1))])
    model.compile("sgd", "mse", target_tensors=None)  # None is fine, as in tf-keras


def test_vgg_preprocessed_arrays_with_negative_strides_become_variables():
    # neural_style_transfer: K.variable(vgg19.preprocess_input(img)) holds x[..., ::-1], a reversed view
    img = np.arange(2 * 3 * 4 * 3, dtype="float32").reshape(2, 3, 4, 3)
    pre = keras.applications.vgg19.preprocess_input(img.copy())
    assert any(s < 0 for s in np.asarray(pre).strides) or pre.flags["C_CONTIGUOUS"]
    reversed_view = img[..., ::-1]
    np.testing.assert_array_equal(K.get_value(K.variable(reversed_view)), reversed_view)
    np.testing.assert_array_equal(K.get_value(K.constant(reversed_view)), reversed_view)
    np.testing.assert_array_equal(K.get_value(K.variable(pre)), pre)
