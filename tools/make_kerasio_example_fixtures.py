"""Reference numbers from real Keras for tests/test_kerasio_examples.py: the patterns of keras.io's Keras 3
example programs that fastkeras got wrong (a custom ``Conv.convolution_op``, inputs one trailing size-1 axis
short or long, one target for a two-output model compiled with ``loss=[fn, None]``, endpoint layers that
update a Metric attribute in ``call`` and a subclassed model fed a dict, a causal mask tiled with repeats
made from ``ops.shape``, a model of layer outputs that are pairs (involution), a ``Sequential([Embedding])``
called on ids of shape ``()`` and list attributes filled by ``append`` (memory-efficient embeddings), a model
compiled with metrics and no loss, evaluated, and a Distiller's test_step reporting ``self.metrics``
(knowledge-distillation recipe), Normalization's statistics (DDIM), the translation transformer's masks,
RandomFourierFeatures (quasi-SVM), a CTC endpoint layer (captcha OCR), a subclassed model its own steps build
and a Sequential fed other sequence lengths (speech transformer)); and, for tests/test_kerasio_examples2.py (second
round), LeakyReLU's Keras 3 ``negative_slope`` and ``array_to_img`` of a generator's output (DCGAN), a kernel mask
sized by ``kernel.get_shape()`` and assigned in ``call`` (PixelCNN), ``y[0].numpy()`` of a dataset batch (weather
forecasting), StringLookup on ragged label sets (multi-label classification) and an unnamed weight's name
(traffic forecasting).

Run three times: with Keras 3.15.1 once per backend, jax for the cases that need ``fit``, numpy for the
endpoint layers (Keras 3's jax backend cannot evaluate a Metric updated inside ``call``: its variable is never
initialized in the stateless step); and with tf-keras 2.21 for the case where Keras 2 is the reference (Keras 3
refuses to evaluate a model compiled without a loss, tf-keras returns loss 0.0 beside the metrics; the
``--keras2`` cases run the examples' own TensorFlow code, GradientTape steps included):
    KERAS_BACKEND=jax /work/k3venv/bin/python tools/make_kerasio_example_fixtures.py
    KERAS_BACKEND=numpy /work/k3venv/bin/python tools/make_kerasio_example_fixtures.py
    /work/kvenv/bin/python tools/make_kerasio_example_fixtures.py --keras2
Writes tests/fixtures/kerasio_examples/<backend>.npz (jax, numpy, keras2): inputs, weights and Keras' outputs
keyed ``<case>_<what>`` (see the functions below); float32 arrays, float64 scalars.
"""
import os
import sys

import numpy as np

if "--keras2" in sys.argv:  # tf-keras 2.21 (/work/kvenv): the cases where Keras 2 is the reference
    BACKEND = "keras2"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tf_keras as keras  # noqa: E402
    from tf_keras import layers  # noqa: E402
    ops = None
else:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    BACKEND = os.environ["KERAS_BACKEND"]
    import keras  # noqa: E402
    from keras import layers, ops  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "kerasio_examples")
rng = np.random.RandomState(0)
arrays = {}


def f(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype("float32")


def out(x):
    return np.asarray(ops.convert_to_numpy(x))


# ---- keras_recipes/subclassing_conv_layers.py: Conv.convolution_op ----------------------------------------
# ``ops.convert_to_tensor`` on the kernel: jax 0.10 refuses a Keras Variable inside jnp.mean (the example
# passes the variable itself; the numbers are the same).

class StandardizedConv2DWithOverride(layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        kernel = ops.convert_to_tensor(kernel)
        mean, var = ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
        return ops.conv(inputs, (kernel - mean) / ops.sqrt(var + 1e-10), padding="valid",
                        strides=list(self.strides))


class StandardizedConv2DWithCall(layers.Conv2D):
    def call(self, inputs):
        kernel = ops.convert_to_tensor(self.kernel)
        mean, var = ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
        result = self.convolution_op(inputs, (kernel - mean) / ops.sqrt(var + 1e-10))
        if self.use_bias:
            result = result + self.bias
        return result


class DoubledKernelConv2D(layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        return super().convolution_op(inputs, kernel * 2.0)


def conv_cases():
    x = f(2, 6, 6, 3)
    kernel, bias = f(3, 3, 3, 4), f(4)
    arrays.update(conv_x=x, conv_kernel=kernel, conv_bias=bias)
    for name, layer in (("override", StandardizedConv2DWithOverride(4, 3, activation="relu")),
                        ("call", StandardizedConv2DWithCall(4, 3, activation="relu"))):
        layer.build(x.shape)
        layer.set_weights([kernel, bias])
        arrays[f"conv_{name}_y"] = out(layer(x))
    # Conv2D, not Conv1D: Keras 3's Conv1D.call convolves without convolution_op (tf-keras' goes through it).
    x1 = f(2, 7, 5, 3)
    k1, b1 = f(3, 3, 3, 2), f(2)
    layer = DoubledKernelConv2D(2, 3, strides=2, padding="same", activation="tanh")
    layer.build(x1.shape)
    layer.set_weights([k1, b1])
    arrays.update(conv2d_s2_x=x1, conv2d_s2_kernel=k1, conv2d_s2_bias=b1, conv2d_s2_y=out(layer(x1)))


# ---- vision/siamese_contrastive.py, timeseries classification: (n, 28, 28) into Input((28, 28, 1)) ------

def rank_cases():
    inp = keras.Input((4, 1))
    dense = layers.Dense(2)
    model = keras.Model(inp, dense(layers.Flatten()(inp)))
    w, b = f(4, 2), f(2)
    dense.set_weights([w, b])
    x = f(3, 4)
    arrays.update(rank_up_kernel=w, rank_up_bias=b, rank_up_x=x, rank_up_y=model.predict(x, verbose=0))
    inp = keras.Input((4,))
    dense = layers.Dense(2)
    model = keras.Model(inp, dense(inp))
    dense.set_weights([w, b])
    x = f(3, 4, 1)
    arrays.update(rank_down_x=x, rank_down_y=model.predict(x, verbose=0))


# ---- generative/text_generation_with_miniature_gpt.py: one y for the outputs [logits, features] -------------

def two_output_cases():
    inp = keras.Input((3,))
    head, features = layers.Dense(2, name="head"), layers.Dense(4, name="features")
    model = keras.Model(inp, [head(inp), features(inp)])
    hw, hb, fw, fb = f(3, 2), f(2), f(3, 4), f(4)
    head.set_weights([hw, hb])
    features.set_weights([fw, fb])
    model.compile(keras.optimizers.SGD(0.1), loss=["mse", None])
    x, y = f(4, 3), f(4, 2)
    arrays.update(two_out_head_kernel=hw, two_out_head_bias=hb, two_out_features_kernel=fw,
                  two_out_features_bias=fb, two_out_x=x, two_out_y=y)
    arrays["two_out_loss"] = np.float64(model.evaluate(x, y, batch_size=4, verbose=0))
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    arrays["two_out_head_kernel_after"] = head.get_weights()[0]
    arrays["two_out_features_kernel_after"] = features.get_weights()[0]


# ---- the miniature GPT's causal mask: ops.tile with repeats made from ops.shape ------------------------------

def causal_attention_mask(batch_size, n_dest, n_src, dtype):
    i = ops.arange(n_dest)[:, None]
    j = ops.arange(n_src)
    m = i >= j - n_src + n_dest
    mask = ops.cast(m, dtype)
    mask = ops.reshape(mask, [1, n_dest, n_src])
    mult = ops.concatenate([ops.expand_dims(batch_size, -1), ops.convert_to_tensor([1, 1])], 0)
    return ops.tile(mask, mult)


def causal_cases():
    x = f(2, 5)
    shape = ops.shape(x)
    mask = causal_attention_mask(shape[0], shape[1], shape[1], "float32")
    arrays.update(causal_x=x, causal_y=out(mask * ops.expand_dims(x, 1)))


# ---- keras_recipes/endpoint_layer_pattern.py (Keras 3 version: a Metric attribute updated in call) ---------

class LogisticEndpoint(layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_metric = keras.metrics.BinaryAccuracy(name="accuracy")

    def call(self, logits, targets=None, sample_weight=None):
        if targets is not None:
            self.add_loss(self.loss_fn(targets, logits, sample_weight))
            self.accuracy_metric.update_state(targets, logits, sample_weight)
        return ops.softmax(logits)


class LogReg(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)
        self.logistic_endpoint = LogisticEndpoint()

    def call(self, inputs):
        logits = self.dense(inputs["inputs"])
        return self.logistic_endpoint(logits=logits, targets=inputs["targets"],
                                      sample_weight=inputs["sample_weight"])


def endpoint_cases():
    data = {"inputs": f(8, 5), "targets": rng.randint(0, 2, (8, 1)).astype("float32"),
            "sample_weight": f(8, 1, lo=0.1, hi=1.0)}
    ew, eb = f(5, 1), f(1)
    arrays.update({f"endpoint_{k}": v for k, v in data.items()})
    arrays.update(endpoint_kernel=ew, endpoint_bias=eb)
    inputs = keras.Input((5,), name="inputs")
    dense = layers.Dense(1)
    targets = keras.Input((1,), name="targets")
    sample_weight = keras.Input((1,), name="sample_weight")
    preds = LogisticEndpoint()(dense(inputs), targets, sample_weight)
    model = keras.Model([inputs, targets, sample_weight], preds)
    dense.set_weights([ew, eb])
    model.compile(keras.optimizers.Adam(1e-3))
    logs = model.evaluate(data, batch_size=8, verbose=0, return_dict=True)
    arrays.update(endpoint_functional_loss=np.float64(logs["loss"]),
                  endpoint_functional_accuracy=np.float64(logs["accuracy"]))
    model = LogReg()
    model(data)
    model.dense.set_weights([ew, eb])
    model.compile(keras.optimizers.Adam(1e-3))
    logs = model.evaluate(data, batch_size=8, verbose=0, return_dict=True)
    arrays.update(endpoint_subclassed_loss=np.float64(logs["loss"]),
                  endpoint_subclassed_accuracy=np.float64(logs["accuracy"]))


# ---- vision/involution.py: a model of layer outputs that are (output, kernel) pairs ---------------------------

class PairLayer(layers.Layer):
    """Returns two tensors, as the example's Involution layer returns (output, kernel)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(units)

    def call(self, x):
        kernel = self.dense(x)
        return x * ops.sum(kernel, axis=-1, keepdims=True), kernel


def nested_output_cases():
    inp = keras.Input((3,))
    p1, p2 = PairLayer(2, name="p1"), PairLayer(4, name="p2")
    out1, _ = p1(inp)
    out2, _ = p2(out1)
    model = keras.Model(inp, out2)
    weights = {"p1_kernel": f(3, 2), "p1_bias": f(2), "p2_kernel": f(3, 4), "p2_bias": f(4)}
    p1.dense.set_weights([weights["p1_kernel"], weights["p1_bias"]])
    p2.dense.set_weights([weights["p2_kernel"], weights["p2_bias"]])
    x = f(5, 3)
    vis = keras.Model(model.input, [model.get_layer(name).output for name in ("p1", "p2")])
    (o1, k1), (o2, k2) = vis.predict(x, verbose=0)
    arrays.update({f"nested_{k}": v for k, v in weights.items()})
    arrays.update(nested_x=x, nested_p1_out=o1, nested_p1_generated=k1, nested_p2_out=o2, nested_p2_generated=k2)


# ---- generative/ddim.py: Normalization's mean and variance, read to denormalize generated images ---------------

def normalization_mean_cases():
    images = f(6, 4, 4, 3, lo=0.0, hi=1.0)
    normalizer = layers.Normalization()
    normalizer.adapt(images)
    arrays.update(norm_images=images, norm_mean=out(normalizer.mean), norm_variance=out(normalizer.variance))
    given = layers.Normalization(axis=1, mean=[1.0, 2.0], variance=[4.0, 9.0])
    given.build((None, 2, 5))
    arrays.update(norm_given_mean=out(given.mean), norm_given_variance=out(given.variance))


# ---- keras_recipes/memory_efficient_embeddings.py: Sequential([Embedding]) on ids of shape (); list attributes
# filled by append ----------------------------------------------------------------------------------------------

def embedding_encoder_cases():
    user_input = layers.Input(name="user_id", shape=(), dtype="int32")
    movie_input = layers.Input(name="movie_id", shape=(), dtype="int32")
    user_encoder = keras.Sequential([layers.Embedding(6, 3)], name="user_embedding")
    movie_encoder = keras.Sequential([layers.Embedding(5, 3)], name="movie_embedding")
    logits = layers.Dot(axes=1, name="dot_similarity")([user_encoder(user_input), movie_encoder(movie_input)])
    model = keras.Model([user_input, movie_input], keras.activations.sigmoid(logits) * 5)
    user_table, movie_table = f(6, 3), f(5, 3)
    user_encoder.layers[0].set_weights([user_table])
    movie_encoder.layers[0].set_weights([movie_table])
    users, movies = rng.randint(0, 6, 8).astype("int32"), rng.randint(0, 5, 8).astype("int32")
    ratings = rng.randint(1, 6, 8).astype("float32")
    arrays.update(emb_user_table=user_table, emb_movie_table=movie_table, emb_users=users, emb_movies=movies,
                  emb_ratings=ratings, emb_y=model.predict({"user_id": users, "movie_id": movies}, verbose=0))
    model.compile(keras.optimizers.SGD(0.5), "mse")
    model.fit({"user_id": users, "movie_id": movies}, ratings, batch_size=8, epochs=1, shuffle=False, verbose=0)
    arrays["emb_user_table_after"] = user_encoder.layers[0].get_weights()[0]


class Blocks(layers.Layer):
    """MDEmbedding's shape: list attributes assigned empty, then filled by append."""

    def __init__(self):
        super().__init__()
        self.encoders = []
        self.projectors = []
        for dim in (4, 2):
            self.encoders.append(keras.Sequential([layers.Embedding(5, dim)]))
            self.projectors.append(layers.Dense(4))

    def call(self, ids):
        out = 0.0
        for encoder, projector in zip(self.encoders, self.projectors):
            out = out + projector(encoder(ids))
        return out


def appended_layer_cases():
    inp = layers.Input(shape=(), dtype="int32")
    blocks = Blocks()
    model = keras.Model(inp, blocks(inp))
    for i, dim in enumerate((4, 2)):
        table, kernel, bias = f(5, dim), f(dim, 4), f(4)
        blocks.encoders[i].layers[0].set_weights([table])
        blocks.projectors[i].set_weights([kernel, bias])
        arrays.update({f"blocks_table{i}": table, f"blocks_kernel{i}": kernel, f"blocks_bias{i}": bias})
    ids, y = rng.randint(0, 5, 6).astype("int32"), f(6, 4)
    arrays.update(blocks_ids=ids, blocks_target=y, blocks_y=model.predict(ids, verbose=0),
                  blocks_count_params=np.float64(model.count_params()),
                  blocks_trainable_weights=np.float64(len(blocks.trainable_weights)))
    model.compile(keras.optimizers.SGD(0.5), "mse")
    model.fit(ids, y, batch_size=6, epochs=1, shuffle=False, verbose=0)
    arrays["blocks_table1_after"] = blocks.encoders[1].layers[0].get_weights()[0]
    arrays["blocks_kernel1_after"] = blocks.projectors[1].get_weights()[0]


# ---- nlp/neural_machine_translation_with_transformer.py (tf-keras, --keras2): the example's own TensorFlow
# code. Masks: PositionalEmbedding.compute_mask, the decoder called as layer(x, encoder_outputs) with a `mask`
# argument (tf-keras passes x's mask; Keras 3 passes none to a call of several tensor arguments), a nested
# decoder model fed a masked encoder output, MultiHeadAttention reading masks the tensors carry -------------------

def nmt_layers():
    import tensorflow as tf

    class TransformerEncoder(layers.Layer):
        def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
            super().__init__(**kwargs)
            self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.dense_proj = keras.Sequential([layers.Dense(dense_dim, activation="relu"), layers.Dense(embed_dim)])
            self.layernorm_1 = layers.LayerNormalization()
            self.layernorm_2 = layers.LayerNormalization()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            padding_mask = None if mask is None else tf.cast(mask[:, tf.newaxis, :], dtype="int32")
            attention_output = self.attention(query=inputs, value=inputs, key=inputs, attention_mask=padding_mask)
            proj_input = self.layernorm_1(inputs + attention_output)
            return self.layernorm_2(proj_input + self.dense_proj(proj_input))

    class PositionalEmbedding(layers.Layer):
        def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
            super().__init__(**kwargs)
            self.token_embeddings = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.position_embeddings = layers.Embedding(input_dim=sequence_length, output_dim=embed_dim)

        def call(self, inputs):
            positions = tf.range(start=0, limit=tf.shape(inputs)[-1], delta=1)
            return self.token_embeddings(inputs) + self.position_embeddings(positions)

        def compute_mask(self, inputs, mask=None):
            return tf.math.not_equal(inputs, 0)

    class TransformerDecoder(layers.Layer):
        def __init__(self, embed_dim, latent_dim, num_heads, **kwargs):
            super().__init__(**kwargs)
            self.attention_1 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.attention_2 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.dense_proj = keras.Sequential([layers.Dense(latent_dim, activation="relu"), layers.Dense(embed_dim)])
            self.layernorm_1 = layers.LayerNormalization()
            self.layernorm_2 = layers.LayerNormalization()
            self.layernorm_3 = layers.LayerNormalization()
            self.supports_masking = True

        def call(self, inputs, encoder_outputs, mask=None):
            input_shape = tf.shape(inputs)
            i = tf.range(input_shape[1])[:, tf.newaxis]
            causal_mask = tf.reshape(tf.cast(i >= tf.range(input_shape[1]), dtype="int32"),
                                     (1, input_shape[1], input_shape[1]))
            causal_mask = tf.tile(causal_mask, tf.concat([tf.expand_dims(input_shape[0], -1),
                                                          tf.constant([1, 1], dtype=tf.int32)], axis=0))
            padding_mask = None
            if mask is not None:
                padding_mask = tf.minimum(tf.cast(mask[:, tf.newaxis, :], dtype="int32"), causal_mask)
            out_1 = self.layernorm_1(inputs + self.attention_1(query=inputs, value=inputs, key=inputs,
                                                                attention_mask=causal_mask))
            out_2 = self.layernorm_2(out_1 + self.attention_2(query=out_1, value=encoder_outputs,
                                                               key=encoder_outputs, attention_mask=padding_mask))
            return self.layernorm_3(out_2 + self.dense_proj(out_2))

    return PositionalEmbedding, TransformerEncoder, TransformerDecoder


def nmt_cases():
    PositionalEmbedding, TransformerEncoder, TransformerDecoder = nmt_layers()
    vocab_size, sequence_length, embed_dim, latent_dim, num_heads = 20, 6, 8, 16, 2
    encoder_inputs = keras.Input(shape=(None,), dtype="int64", name="encoder_inputs")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(encoder_inputs)
    encoder_outputs = TransformerEncoder(embed_dim, latent_dim, num_heads)(x)
    decoder_inputs = keras.Input(shape=(None,), dtype="int64", name="decoder_inputs")
    encoded_seq_inputs = keras.Input(shape=(None, embed_dim), name="decoder_state_inputs")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(decoder_inputs)
    x = TransformerDecoder(embed_dim, latent_dim, num_heads)(x, encoded_seq_inputs)
    x = layers.Dropout(0.5)(x)
    decoder_outputs = layers.Dense(vocab_size, activation="softmax")(x)
    decoder = keras.Model([decoder_inputs, encoded_seq_inputs], decoder_outputs)
    transformer = keras.Model([encoder_inputs, decoder_inputs], decoder([decoder_inputs, encoder_outputs]))
    weights = [f(*w.shape, lo=-0.5, hi=0.5) for w in transformer.get_weights()]
    transformer.set_weights(weights)
    eng = np.zeros((4, sequence_length), "int64")
    spa = np.zeros((4, sequence_length), "int64")
    for row, (n_eng, n_spa) in enumerate(((6, 6), (4, 2), (2, 5), (1, 3))):  # padded differently
        eng[row, :n_eng] = rng.randint(1, vocab_size, n_eng)
        spa[row, :n_spa] = rng.randint(1, vocab_size, n_spa)
    arrays.update({f"nmt_weight{i:02d}": w for i, w in enumerate(weights)})
    arrays.update(nmt_eng=eng, nmt_spa=spa, nmt_y=transformer.predict([eng, spa], verbose=0))


class SelfAttention(layers.Layer):
    """A MultiHeadAttention inside a custom layer, given no mask: it reads the masks its inputs carry."""

    def __init__(self):
        super().__init__()
        self.attention = layers.MultiHeadAttention(num_heads=2, key_dim=4)
        self.supports_masking = True

    def call(self, inputs):
        return self.attention(query=inputs, value=inputs, key=inputs)


def carried_mask_cases():
    inp = keras.Input((None,), dtype="int64")
    model = keras.Model(inp, SelfAttention()(layers.Embedding(10, 4, mask_zero=True)(inp)))
    weights = [f(*w.shape, lo=-0.5, hi=0.5) for w in model.get_weights()]
    model.set_weights(weights)
    ids = np.array([[3, 4, 0, 0], [5, 0, 0, 0], [1, 2, 3, 4]], "int64")
    arrays.update({f"carried_weight{i}": w for i, w in enumerate(weights)})
    arrays.update(carried_ids=ids, carried_y=model.predict(ids, verbose=0))


# ---- keras_recipes/quasi_svm.py (tf-keras, --keras2): keras.layers.experimental.RandomFourierFeatures ----------

def random_fourier_cases():
    import json

    from tf_keras.layers.experimental import RandomFourierFeatures
    x, y = f(8, 6), np.eye(3, dtype="float32")[rng.randint(0, 3, 8)]
    arrays.update(rff_x=x, rff_y=y)
    for name, layer in (("fixed", RandomFourierFeatures(output_dim=5, scale=2.0, kernel_initializer="gaussian")),
                        ("trained", RandomFourierFeatures(output_dim=5, kernel_initializer="laplacian",
                                                          trainable=True))):
        dense = layers.Dense(3)
        model = keras.Sequential([keras.Input((6,)), layer, dense])
        weights = [np.array([1.5], "float32"), f(6, 5, lo=-2, hi=2), f(5, lo=0, hi=6)]  # scale, kernel, bias
        layer.set_weights(weights)
        dense.set_weights([f(5, 3), f(3)])
        arrays.update({f"rff_{name}_scale": weights[0], f"rff_{name}_kernel": weights[1],
                       f"rff_{name}_bias": weights[2], f"rff_{name}_dense_kernel": dense.get_weights()[0],
                       f"rff_{name}_dense_bias": dense.get_weights()[1],
                       f"rff_{name}_pred": model.predict(x, verbose=0),
                       f"rff_{name}_config": np.array(json.dumps(layer.get_config(), sort_keys=True))})
        model.compile(keras.optimizers.SGD(0.5), loss=keras.losses.hinge)
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        arrays.update({f"rff_{name}_scale_after": layer.get_weights()[0],
                       f"rff_{name}_dense_kernel_after": dense.get_weights()[0]})
    layer = RandomFourierFeatures(output_dim=4)
    layer.build((None, 18))
    arrays["rff_default_scale"] = np.float64(layer.get_config()["scale"])


# ---- vision/captcha_ocr.py (tf-keras, --keras2): an endpoint layer adding ctc_batch_cost's (batch, 1) losses,
# validated on validation_data=(x_val,) ------------------------------------------------------------------------

def ctc_endpoint_cases():
    import tensorflow as tf

    class CTCLayer(layers.Layer):
        def call(self, y_true, y_pred):
            batch_len = tf.cast(tf.shape(y_true)[0], dtype="int64")
            input_length = tf.cast(tf.shape(y_pred)[1], dtype="int64") * tf.ones(shape=(batch_len, 1), dtype="int64")
            label_length = tf.cast(tf.shape(y_true)[1], dtype="int64") * tf.ones(shape=(batch_len, 1), dtype="int64")
            self.add_loss(keras.backend.ctc_batch_cost(y_true, y_pred, input_length, label_length))
            return y_pred

    features, labels = keras.Input((6, 3), name="features"), keras.Input((None,), name="label")
    dense = layers.Dense(5, activation="softmax")
    model = keras.Model([features, labels], CTCLayer()(labels, dense(features)))
    kernel, bias = f(3, 5), f(5)
    dense.set_weights([kernel, bias])
    model.compile(keras.optimizers.SGD(0.1))
    x, y = f(4, 6, 3), rng.randint(0, 4, (4, 3)).astype("float32")  # class 4 is the blank
    data = {"features": x, "label": y}
    arrays.update(ctc_kernel=kernel, ctc_bias=bias, ctc_x=x, ctc_labels=y,
                  ctc_evaluate=np.float64(model.evaluate(data, verbose=0)))
    history = model.fit(data, batch_size=4, epochs=1, shuffle=False, verbose=0, validation_data=(data,))
    arrays.update(ctc_fit_loss=np.float64(history.history["loss"][0]),
                  ctc_val_loss=np.float64(history.history["val_loss"][0]), ctc_kernel_after=dense.get_weights()[0])


# ---- audio/transformer_asr.py (tf-keras, --keras2): a subclassed model whose own steps build it (call takes a
# list, fit gives a dict batch), a Sequential without an Input fed training sequences and then one token --------

def speech_cases():
    import tensorflow as tf

    weights = {"enc": f(3, 4), "emb": f(6, 4), "ffn": f(4, 4), "out": f(4, 6)}
    constant = keras.initializers.Constant

    class Speech(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = keras.Sequential([layers.Dense(4, kernel_initializer=constant(weights["enc"]))])
            self.embed = layers.Embedding(6, 4, embeddings_initializer=constant(weights["emb"]))
            self.ffn = keras.Sequential([layers.Dense(4, activation="tanh",
                                                      kernel_initializer=constant(weights["ffn"]))])
            self.classifier = layers.Dense(6, kernel_initializer=constant(weights["out"]))
            self.loss_metric = keras.metrics.Mean(name="loss")

        def call(self, inputs):
            source, target = inputs[0], inputs[1]
            context = tf.reduce_mean(self.encoder(source), axis=1, keepdims=True)
            return self.classifier(self.ffn(self.embed(target) + context))

        @property
        def metrics(self):
            return [self.loss_metric]

        def _loss(self, batch):
            target = batch["target"]
            preds = self([batch["source"], target[:, :-1]])
            mask = tf.math.logical_not(tf.math.equal(target[:, 1:], 0))
            return self.compiled_loss(tf.one_hot(target[:, 1:], depth=6), preds, sample_weight=mask)

        def train_step(self, batch):
            with tf.GradientTape() as tape:
                loss = self._loss(batch)
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
            self.loss_metric.update_state(loss)
            return {"loss": self.loss_metric.result()}

        def test_step(self, batch):
            self.loss_metric.update_state(self._loss(batch))
            return {"loss": self.loss_metric.result()}

        def generate(self, source, start, length):
            dec_input = tf.ones((tf.shape(source)[0], 1), dtype=tf.int32) * start
            for _ in range(length):
                logits = self([source, dec_input])
                last = tf.expand_dims(tf.argmax(logits, axis=-1, output_type=tf.int32)[:, -1], axis=-1)
                dec_input = tf.concat([dec_input, last], axis=-1)
            return dec_input

    source = f(4, 5, 3)
    target = np.array([[1, 3, 4, 2, 0, 0], [1, 5, 2, 0, 0, 0], [1, 4, 4, 3, 5, 2], [1, 3, 2, 0, 0, 0]], "int32")
    model = Speech()
    model.compile(optimizer=keras.optimizers.SGD(0.5),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1))
    history = model.fit({"source": source, "target": target}, batch_size=2, epochs=2, shuffle=False, verbose=0,
                        validation_data=({"source": source, "target": target},))
    arrays.update({f"speech_{k}": v for k, v in weights.items()})
    arrays.update(speech_source=source, speech_target=target, speech_loss=np.array(history.history["loss"]),
                  speech_val_loss=np.array(history.history["val_loss"]),
                  speech_classifier_after=model.classifier.get_weights()[0],
                  speech_generated=np.asarray(model.generate(source, 1, 4)))


# ---- keras_recipes/better_knowledge_distillation.py (tf-keras, --keras2): a Distiller compiled with metrics and
# no loss, whose test_step returns {m.name: m.result() for m in self.metrics} -----------------------------------

def distiller_cases():
    import json

    import tensorflow as tf

    class Distiller(keras.Model):
        def __init__(self, student, teacher):
            super().__init__()
            self.student, self.teacher = student, teacher
            self.loss_tracker = keras.metrics.Mean(name="distillation_loss")

        @property
        def metrics(self):
            metrics = super().metrics
            metrics.append(self.loss_tracker)
            return metrics

        def compile(self, optimizer, metrics, distillation_loss_fn, temperature=10):
            super().compile(optimizer=optimizer, metrics=metrics)
            self.distillation_loss_fn, self.temperature = distillation_loss_fn, temperature

        def _distillation_loss(self, x, training):
            teacher_predictions = self.teacher(x, training=False)
            student_predictions = self.student(x, training=training)
            loss = self.distillation_loss_fn(tf.nn.softmax(teacher_predictions / self.temperature, axis=1),
                                             tf.nn.softmax(student_predictions / self.temperature, axis=1))
            return loss, student_predictions

        def train_step(self, data):
            x, _ = data
            with tf.GradientTape() as tape:
                loss, _ = self._distillation_loss(x, True)
            gradients = tape.gradient(loss, self.student.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.student.trainable_variables))
            self.loss_tracker.update_state(loss)
            return {"distillation_loss": self.loss_tracker.result()}

        def test_step(self, data):
            x, y = data
            loss, student_predictions = self._distillation_loss(x, False)
            self.loss_tracker.update_state(loss)
            self.compiled_metrics.update_state(y, student_predictions)
            return {m.name: m.result() for m in self.metrics}

    teacher = keras.Sequential([keras.Input((6,)), layers.Dense(3)])
    student = keras.Sequential([keras.Input((6,)), layers.Dense(3)])
    weights = [f(6, 3), f(3), f(6, 3), f(3)]
    teacher.set_weights(weights[:2])
    student.set_weights(weights[2:])
    x, y = f(8, 6), rng.randint(0, 3, 8)
    distiller = Distiller(student, teacher)
    distiller.compile(keras.optimizers.SGD(0.1), metrics=[keras.metrics.SparseCategoricalAccuracy()],
                      distillation_loss_fn=keras.losses.KLDivergence())
    logs = distiller.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    history = distiller.fit(x, y, batch_size=8, epochs=1, verbose=0, validation_data=(x, y))
    arrays.update({f"distiller_weight{i}": w for i, w in enumerate(weights)})
    arrays.update(distiller_x=x, distiller_y=y, distiller_evaluate=np.array(json.dumps(logs, sort_keys=True)),
                  distiller_history_keys=np.array(json.dumps(sorted(history.history))))


# ---- keras_recipes/better_knowledge_distillation.py (tf-keras, --keras2): compile(metrics=...) alone, evaluated ---------

def no_loss_cases():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4)])
    kernel, bias = f(3, 4), f(4)
    model.layers[-1].set_weights([kernel, bias])
    model.compile(metrics=["accuracy"])
    x, y = f(8, 3), rng.randint(0, 4, (8, 1)).astype("float32")
    arrays.update(noloss_kernel=kernel, noloss_bias=bias, noloss_x=x, noloss_y=y,
                  noloss_evaluate=np.asarray(model.evaluate(x, y, verbose=0), "float64"))
    try:
        model.fit(x, y, verbose=0)
    except ValueError as e:
        assert "No loss found" in str(e), e
    else:
        raise AssertionError("tf-keras fitted a model compiled without a loss")


# ---- second round: generative/dcgan_overriding_train_step.py (Keras 3: LeakyReLU(negative_slope=...)) -------------

def leaky_relu_cases():
    x = f(2, 5)
    arrays.update(leaky_x=x, leaky_slope=out(layers.LeakyReLU(negative_slope=0.2)(x)),
                  leaky_both=out(layers.LeakyReLU(alpha=0.1, negative_slope=0.2)(x)),
                  leaky_positional=out(layers.LeakyReLU(0.25)(x)))


# ---- generative/pixelcnn.py (tf-keras, --keras2): a kernel mask sized by kernel.get_shape(), assign() in call ----------

def pixelcnn_cases():
    class PixelConvLayer(layers.Layer):
        def __init__(self, mask_type, **kwargs):
            super().__init__()
            self.mask_type = mask_type
            self.conv = layers.Conv2D(**kwargs)

        def build(self, input_shape):
            self.conv.build(input_shape)
            kernel_shape = self.conv.kernel.get_shape()
            self.mask = np.zeros(shape=kernel_shape)
            self.mask[: kernel_shape[0] // 2, ...] = 1.0
            self.mask[kernel_shape[0] // 2, : kernel_shape[1] // 2, ...] = 1.0
            if self.mask_type == "B":
                self.mask[kernel_shape[0] // 2, kernel_shape[1] // 2, ...] = 1.0

        def call(self, inputs):
            self.conv.kernel.assign(self.conv.kernel * self.mask)
            return self.conv(inputs)

    inputs = keras.Input((5, 5, 1))
    conv = PixelConvLayer(mask_type="A", filters=2, kernel_size=3, padding="same")
    outputs = layers.Conv2D(1, 1, activation="sigmoid")(conv(inputs))
    model = keras.Model(inputs, outputs)
    weights = [f(3, 3, 1, 2), f(2), f(1, 1, 2, 1), f(1)]
    model.set_weights(weights)
    x = (f(4, 5, 5, 1) > 0).astype("float32")
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy")
    history = model.fit(x, x, batch_size=4, epochs=2, verbose=0)
    arrays.update({f"pixelcnn_weight{i}": w for i, w in enumerate(weights)})
    arrays.update(pixelcnn_x=x, pixelcnn_shape=np.array(conv.conv.kernel.get_shape().as_list()),
                  pixelcnn_mask=conv.mask.astype("float32"), pixelcnn_loss=np.array(history.history["loss"]),
                  pixelcnn_kernel=conv.conv.kernel.numpy(), pixelcnn_predict=model.predict(x, verbose=0))


# ---- timeseries/timeseries_weather_forecasting.py (tf-keras, --keras2): y[0].numpy() of a dataset batch ----------------

def timeseries_element_cases():
    data, targets = f(30, 3), f(30)
    dataset = keras.utils.timeseries_dataset_from_array(data, targets, sequence_length=4, sampling_rate=2,
                                                         batch_size=5)
    x, y = next(iter(dataset))
    first = y[0].numpy()
    assert isinstance(first, np.generic), type(first)
    arrays.update(series_data=data, series_targets=targets, series_y0=np.float32(first),
                  series_x0_col1=x[0][:, 1].numpy(), series_rows=np.array([v.numpy() for v in y]))


# ---- generative/dcgan_overriding_train_step.py (tf-keras, --keras2): array_to_img of a model's output -----------------

def array_to_img_cases():
    generator = keras.Sequential([keras.Input((2,)), layers.Dense(3 * 3 * 3), layers.Reshape((3, 3, 3))])
    weights = [f(2, 27), f(27)]
    generator.set_weights(weights)
    z = f(2, 2)
    images = generator(z) * 255
    arrays.update(img_weight0=weights[0], img_weight1=weights[1], img_z=z,
                  img_pixels=np.asarray(keras.utils.array_to_img(images[1])).astype("float32"))


# ---- nlp/multi_label_classification.py (tf-keras, --keras2): StringLookup(output_mode="multi_hot") on ragged label
# sets (tf.ragged.constant; fastkeras takes the Python lists of unequal lengths) -----------------------------------

def ragged_lookup_cases():
    import tensorflow as tf
    terms = [["cs.LG", "cs.CV"], ["cs.LG"], ["stat.ML", "cs.LG", "cs.CL"], ["cs.CV", "cs.CV"], ["q-bio"]]
    queries = [["cs.CL"], ["cs.CV", "new", "cs.LG"], ["stat.ML", "stat.ML"]]
    for mode in ("multi_hot", "count", "tf_idf"):
        lookup = layers.StringLookup(output_mode=mode)
        lookup.adapt(tf.ragged.constant(terms))
        arrays[f"ragged_{mode}_vocab"] = np.array([str(t) for t in lookup.get_vocabulary()])
        arrays[f"ragged_{mode}_terms"] = lookup(tf.ragged.constant(terms)).numpy()
        arrays[f"ragged_{mode}_queries"] = lookup(tf.ragged.constant(queries)).numpy()
        arrays[f"ragged_{mode}_one"] = lookup([terms[0]]).numpy()
    ints = layers.IntegerLookup(output_mode="multi_hot")
    ints.adapt(tf.ragged.constant([[1, 2], [3], [2, 2, 5]]))
    arrays.update(ragged_int_vocab=np.array(ints.get_vocabulary()),
                  ragged_int_out=ints(tf.ragged.constant([[1, 2], [3], [7, 7, 7], [5]])).numpy())


# ---- timeseries/timeseries_traffic_forecasting.py (tf-keras, --keras2): the name of a weight added without one ----------

def unnamed_weight_cases():
    class GraphConv(layers.Layer):
        def build(self, input_shape):
            self.weight = self.add_weight(shape=(input_shape[-1], 2), trainable=True)
            self.scale = self.add_weight(shape=(), initializer="ones", trainable=False)

        def call(self, x):
            return x @ self.weight * self.scale

    layer = GraphConv(name="graph_conv")
    layer(np.ones((1, 3), "float32"))  # built by its call, in the layer's name scope
    arrays.update(unnamed_weight_names=np.array([w.name for w in layer.weights]))


CASES = {"jax": [conv_cases, rank_cases, two_output_cases, causal_cases, nested_output_cases,
                 embedding_encoder_cases, appended_layer_cases, normalization_mean_cases, leaky_relu_cases],
         "numpy": [endpoint_cases], "keras2": [no_loss_cases, nmt_cases, carried_mask_cases,
                                                    random_fourier_cases, ctc_endpoint_cases, distiller_cases,
                                                    speech_cases, pixelcnn_cases, timeseries_element_cases,
                                                    array_to_img_cases, ragged_lookup_cases,
                                                    unnamed_weight_cases]}

if __name__ == "__main__":
    if BACKEND not in CASES:
        raise SystemExit(f"Run with KERAS_BACKEND=jax and KERAS_BACKEND=numpy, and with --keras2 in a tf-keras "
                         f"environment (got {BACKEND!r}).")
    keras.utils.set_random_seed(0)
    for make in CASES[BACKEND]:
        make()
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"{BACKEND}.npz")
    np.savez(path, **arrays)
    print(f"wrote {path}: {len(arrays)} arrays, {os.path.getsize(path)} bytes")
    for k in sorted(arrays):
        if np.ndim(arrays[k]) == 0:
            print(f"  {k} = {arrays[k]}")
