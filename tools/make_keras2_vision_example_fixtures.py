"""Writes what tests/test_keras2_examples_vision.py expects, from real tf-keras 2.21, for the patterns of the
classic Keras 2 vision examples (mnist_acgan, mnist_swwae, conv_filter_visualization, deep_dream,
neural_style_transfer, neural_doodle, variational_autoencoder_deconv) that fastkeras had to fix.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_keras2_vision_example_fixtures.py

Weights are set from a seeded numpy generator (and stored), so fastkeras builds the same models with the same
numbers. The graph-mode idioms of the examples (``K.gradients`` of a symbolic loss, ``Input(tensor=value)``) do
not run on TensorFlow 2's eager tf-keras, so their expected values are computed here with ``tf.GradientTape``
and ordinary tf-keras models on the same weights, which is what the Keras 2 graphs computed.

It writes, into tests/fixtures/keras2_vision_examples/:

* ``arrays.npz``, keyed ``<case>/<name>``:
  ``gan/<x,y,z,d_w<i>,g_w<i>>`` the inputs and initial weights of a discriminator (Dense, BatchNormalization,
  Dense) compiled before ``discriminator.trainable = False`` and of a generator; ``gan/d_after_d<i>`` its weights
  after ``d.train_on_batch``, ``gan/d_after_c<i>`` and ``gan/g_after_c<i>`` after ``combined.train_on_batch``,
  ``gan/d_after_fit<i>`` after a one-epoch ``d.fit``;
  ``acgan/<x,y_gen,y_aux,sw_gen,sw_aux,w<i>>`` a two-output model (sigmoid (n, 1) and softmax heads) trained on
  1-D targets with 1-D sample weights, ``acgan/after<i>`` its weights after one ``train_on_batch``;
  ``grads/<x,w<i>>`` a small convnet and its input, ``grads/filter_loss``, ``grads/filter_grads`` (the normalized
  input gradient of ``mean(block_output[..., 1])``, conv_filter_visualization), ``grads/dream_loss``,
  ``grads/dream_grads`` (deep_dream's border-cropped, shape-scaled loss), ``grads/style_const``,
  ``grads/style_loss``, ``grads/style_grads`` (neural_style_transfer: the network on
  ``concatenate([constant, placeholder])``), ``grads/where`` (mnist_swwae's max-pooling switches:
  d sum(maxpool(y)) / d y for the first convolution's output ``y``);
  ``doodle/<masks,pooled>`` neural_doodle's mask pyramid: two AveragePooling2D of a constant mask tensor;
  ``vae/<x,z,z_mean,decoded>`` inputs and predictions of ``vae_add_loss.h5``'s model;
* ``vae_add_loss.h5``: the weights (``save_weights``) of a variational autoencoder of nested encoder and decoder
  models with a symbolic ``vae.add_loss``, as tf-keras orders them (the model's layers, then the loss's);
* ``expected.json``: ``gan`` (the losses ``d.train_on_batch``/``combined.train_on_batch`` returned, the trainable
  flags after them), ``acgan`` (``train_on_batch`` and ``evaluate(return_dict=True)`` with the sample weights),
  ``vae_layers`` (the names of ``vae.layers`` holding weights, in order).
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import backend as K  # noqa: E402
from tf_keras import layers  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                       "keras2_vision_examples")


def det_weights(model, seed):
    """Seeded weights for ``model`` (moving variances kept positive), set on it and returned."""
    rng = np.random.default_rng(seed)
    weights = []
    for variable in model.weights:
        value = rng.normal(0.0, 0.5, size=tuple(variable.shape)).astype("float32")
        weights.append(np.abs(value) + 0.5 if "moving_variance" in variable.name else value)
    model.set_weights(weights)
    return weights


def gan_case(arrays, expected):
    rng = np.random.default_rng(1)
    d_in = keras.Input((4,))
    h = layers.Dense(3)(d_in)
    h = layers.BatchNormalization()(h)
    d = keras.Model(d_in, layers.Dense(1, activation="sigmoid")(h))
    g_in = keras.Input((2,))
    g = keras.Model(g_in, layers.Dense(4)(g_in))
    d_w, g_w = det_weights(d, 11), det_weights(g, 12)
    d.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    d.trainable = False
    z_in = keras.Input((2,))
    combined = keras.Model(z_in, d(g(z_in)))
    combined.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    x = rng.normal(size=(8, 4)).astype("float32")
    y = np.array([0.9, 0.1] * 4, dtype="float32")
    z = rng.normal(size=(8, 2)).astype("float32")
    d_loss = float(d.train_on_batch(x, y))
    d_after_d = d.get_weights()
    c_loss = float(combined.train_on_batch(z, np.full(8, 0.9, "float32")))
    d_after_c, g_after_c = d.get_weights(), g.get_weights()
    d.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for key, value in (("x", x), ("y", y), ("z", z)):
        arrays[f"gan/{key}"] = value
    for prefix, ws in (("d_w", d_w), ("g_w", g_w), ("d_after_d", d_after_d), ("d_after_c", d_after_c),
                       ("g_after_c", g_after_c), ("d_after_fit", d.get_weights())):
        for i, w in enumerate(ws):
            arrays[f"gan/{prefix}{i}"] = w
    expected["gan"] = {"d_loss": d_loss, "c_loss": c_loss, "d_trainable_after": bool(d.trainable),
                       "d_layers_trainable_after": [bool(layer.trainable) for layer in d.layers]}


def acgan_case(arrays, expected):
    rng = np.random.default_rng(2)
    inp = keras.Input((5,))
    h = layers.Dense(4, activation="relu")(inp)
    fake = layers.Dense(1, activation="sigmoid", name="generation")(h)
    aux = layers.Dense(3, activation="softmax", name="auxiliary")(h)
    m = keras.Model(inp, [fake, aux])
    w = det_weights(m, 21)
    m.compile(optimizer=keras.optimizers.SGD(0.1),
              loss=["binary_crossentropy", "sparse_categorical_crossentropy"])
    x = rng.normal(size=(6, 5)).astype("float32")
    y_gen = np.array([0.9, 0.9, 0.9, 0.1, 0.1, 0.1], dtype="float32")
    y_aux = np.array([0, 1, 2, 2, 1, 0])
    sw = [np.ones(6), np.array([2.0, 2.0, 2.0, 0.0, 0.0, 0.0])]
    train = [float(v) for v in m.train_on_batch(x, [y_gen, y_aux], sample_weight=sw)]
    after = m.get_weights()
    evaluated = {k: float(v) for k, v in m.evaluate(x, [y_gen, y_aux], sample_weight=sw, verbose=0,
                                                     return_dict=True).items()}
    for key, value in (("x", x), ("y_gen", y_gen), ("y_aux", y_aux), ("sw_gen", sw[0]), ("sw_aux", sw[1])):
        arrays[f"acgan/{key}"] = value
    for i, (a, b) in enumerate(zip(w, after)):
        arrays[f"acgan/w{i}"] = a
        arrays[f"acgan/after{i}"] = b
    expected["acgan"] = {"train_on_batch": train, "evaluate": evaluated}


def convnet():
    inp = keras.Input((8, 8, 3))
    y = layers.Conv2D(4, 3, activation="relu", name="c1")(inp)
    p = layers.MaxPooling2D(2, name="pool")(y)
    out = layers.Conv2D(5, 3, padding="same", name="c2")(p)
    return keras.Model(inp, [y, out])


def gradient_cases(arrays):
    rng = np.random.default_rng(3)
    model = convnet()
    w = det_weights(model, 31)
    for i, v in enumerate(w):
        arrays[f"grads/w{i}"] = v
    x = rng.uniform(0, 1, size=(1, 8, 8, 3)).astype("float32")
    arrays["grads/x"] = x
    eps = K.epsilon()

    # conv_filter_visualization: loss = mean(layer_output[..., 1]); grads normalized by their RMS
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_mean(model(xt)[1][:, :, :, 1])
    g = tape.gradient(loss, xt)
    arrays["grads/filter_loss"] = loss.numpy()
    arrays["grads/filter_grads"] = (g / (tf.sqrt(tf.reduce_mean(tf.square(g))) + eps)).numpy()

    # deep_dream: coeff * sum(square(x[:, 2:-2, 2:-2, :])) / prod(shape(x)); grads / max(mean(|g|), eps)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        feats = model(xt)[0]
        scaling = tf.reduce_prod(tf.cast(tf.shape(feats), "float32"))
        loss = 0.5 * tf.reduce_sum(tf.square(feats[:, 2:-2, 2:-2, :])) / scaling
    g = tape.gradient(loss, xt)
    arrays["grads/dream_loss"] = loss.numpy()
    arrays["grads/dream_grads"] = (g / tf.maximum(tf.reduce_mean(tf.abs(g)), eps)).numpy()

    # neural_style_transfer: the network on concatenate([constant, placeholder]); content + total variation
    const = rng.uniform(-1, 1, size=(2, 8, 8, 3)).astype("float32")
    arrays["grads/style_const"] = const
    with tf.GradientTape() as tape:
        tape.watch(xt)
        feats = model(tf.concat([tf.constant(const), xt], axis=0))[1]
        content = tf.reduce_sum(tf.square(feats[2] - feats[0]))
        a = tf.square(xt[:, :7, :7, :] - xt[:, 1:, :7, :])
        b = tf.square(xt[:, :7, :7, :] - xt[:, :7, 1:, :])
        loss = 0.025 * content + tf.reduce_sum(tf.pow(a + b, 1.25))
    arrays["grads/style_loss"] = loss.numpy()
    arrays["grads/style_grads"] = tape.gradient(loss, xt).numpy()

    # mnist_swwae: the "where" switches, d sum(maxpool(y)) / d y, for y the first convolution's output
    y = tf.constant(model(xt)[0])
    with tf.GradientTape() as tape:
        tape.watch(y)
        pooled = tf.reduce_sum(layers.MaxPooling2D(2)(y))
    arrays["grads/where"] = tape.gradient(pooled, y).numpy()


def doodle_case(arrays):
    rng = np.random.default_rng(4)
    masks = (rng.uniform(size=(2, 6, 6, 2)) > 0.5).astype("float32")
    inp = keras.Input((None, None, 2))
    x = layers.AveragePooling2D((3, 3), padding="same", strides=(1, 1))(inp)
    x = layers.AveragePooling2D((2, 2))(x)
    arrays["doodle/masks"] = masks
    arrays["doodle/pooled"] = keras.Model(inp, x).predict(masks, verbose=0)


def vae_model():
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


def vae_case(arrays, expected):
    rng = np.random.default_rng(5)
    vae, encoder, decoder = vae_model()
    det_weights(vae, 51)
    vae.save_weights(os.path.join(OUT_DIR, "vae_add_loss.h5"))
    x = rng.uniform(size=(3, 8, 8, 1)).astype("float32")
    z = rng.normal(size=(3, 2)).astype("float32")
    arrays["vae/x"] = x
    arrays["vae/z"] = z
    arrays["vae/z_mean"] = encoder.predict(x, verbose=0)[0]
    arrays["vae/decoded"] = decoder.predict(z, verbose=0)
    expected["vae_layers"] = [layer.name for layer in vae.layers if layer.weights]


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    keras.utils.set_random_seed(0)
    arrays, expected = {}, {}
    gan_case(arrays, expected)
    acgan_case(arrays, expected)
    gradient_cases(arrays)
    doodle_case(arrays)
    vae_case(arrays, expected)
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT_DIR, n)) for n in os.listdir(OUT_DIR))
    print(f"wrote {len(os.listdir(OUT_DIR))} files, {total} bytes, into {OUT_DIR}")


if __name__ == "__main__":
    main()
