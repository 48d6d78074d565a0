"""Patterns from keras.io's Keras 3 example programs (run with ``import fastkeras as keras``) that failed or
differed: a custom ``Conv.convolution_op``, inputs one trailing size-1 axis short or long, one target for a
two-output model with ``loss=[fn, None]``, a layer called with its inputs by keyword, endpoint layers with a
Metric attribute, a subclassed model fed a dict, a causal mask tiled with repeats from ``ops.shape``, a model of
layer outputs that are pairs, a ``Sequential([Embedding])`` on ids of shape ``()``, list attributes filled by
``append``, evaluating a model compiled without a loss, masks through a translation transformer, RandomFourierFeatures,
per-sample ``add_loss`` values, a Distiller's metrics, Normalization's statistics, models their own steps build.

Expected numbers come from Keras 3.15.1 (tf-keras 2.21 where Keras 2 has the behaviour: ``keras2.npz``) via
tools/make_kerasio_example_fixtures.py.
"""
import os

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers, ops

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "kerasio_examples")


@pytest.fixture(scope="module")
def k3():
    data = {}
    for backend in ("jax", "numpy"):
        with np.load(os.path.join(FIXTURES, f"{backend}.npz")) as f:
            data.update({k: f[k] for k in f.files})
    return data


@pytest.fixture(scope="module")
def k2():
    with np.load(os.path.join(FIXTURES, "keras2.npz")) as f:
        return {k: f[k] for k in f.files}


# ---- keras_recipes/subclassing_conv_layers.py ------------------------------------------------------------

class StandardizedConv2DWithOverride(layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        mean, var = ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
        return ops.conv(inputs, (kernel - mean) / ops.sqrt(var + 1e-10), padding="valid",
                        strides=list(self.strides))


class StandardizedConv2DWithCall(layers.Conv2D):
    def call(self, inputs):
        mean, var = ops.moments(self.kernel, axes=[0, 1, 2], keepdims=True)
        result = self.convolution_op(inputs, (self.kernel - mean) / ops.sqrt(var + 1e-10))
        if self.use_bias:
            result = result + self.bias
        return result


class DoubledKernelConv2D(layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        return super().convolution_op(inputs, kernel * 2.0)


@pytest.mark.parametrize("name, cls", [("override", StandardizedConv2DWithOverride),
                                       ("call", StandardizedConv2DWithCall)])
def test_convolution_op_override_and_call(k3, name, cls):
    layer = cls(4, 3, activation="relu")
    layer.build(k3["conv_x"].shape)
    layer.set_weights([k3["conv_kernel"], k3["conv_bias"]])
    np.testing.assert_allclose(ops.convert_to_numpy(layer(k3["conv_x"])), k3[f"conv_{name}_y"], rtol=1e-5, atol=1e-5)


def test_convolution_op_super_keeps_strides_padding_bias_activation(k3):
    layer = DoubledKernelConv2D(2, 3, strides=2, padding="same", activation="tanh")
    layer.build(k3["conv2d_s2_x"].shape)
    layer.set_weights([k3["conv2d_s2_kernel"], k3["conv2d_s2_bias"]])
    got = ops.convert_to_numpy(layer(k3["conv2d_s2_x"]))
    np.testing.assert_allclose(got, k3["conv2d_s2_y"], rtol=1e-5, atol=1e-6)


def test_convolution_op_model_trains():
    model = keras.Sequential([keras.Input((12, 12, 1)), StandardizedConv2DWithCall(4, 3, activation="relu"),
                              StandardizedConv2DWithOverride(4, 3, activation="relu"), layers.Flatten(),
                              layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy")
    x = np.random.RandomState(0).rand(16, 12, 12, 1).astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 3, 3)
    losses = model.fit(x, y, batch_size=8, epochs=3, verbose=0).history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]


# ---- inputs one trailing size-1 axis short or long (siamese_contrastive, timeseries classification) -----

def _rank_model(shape, k3, flatten):
    inp = keras.Input(shape)
    dense = layers.Dense(2)
    model = keras.Model(inp, dense(layers.Flatten()(inp) if flatten else inp))
    dense.set_weights([k3["rank_up_kernel"], k3["rank_up_bias"]])
    return model


def test_input_missing_trailing_unit_axis_is_added(k3):
    model = _rank_model((4, 1), k3, flatten=True)
    x = k3["rank_up_x"]  # (3, 4) for Input((4, 1))
    np.testing.assert_allclose(model.predict(x, verbose=0), k3["rank_up_y"], rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(model(x)), k3["rank_up_y"], rtol=1e-6)
    model.compile("sgd", "mse")
    assert np.isfinite(model.evaluate(x, np.zeros((3, 2)), verbose=0))
    model.fit(x, np.zeros((3, 2)), verbose=0)


def test_input_extra_trailing_unit_axis_is_dropped(k3):
    model = _rank_model((4,), k3, flatten=False)
    x = k3["rank_down_x"]  # (3, 4, 1) for Input((4,))
    np.testing.assert_allclose(model.predict(x, verbose=0), k3["rank_down_y"], rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(model(x)), k3["rank_down_y"], rtol=1e-6)


def test_other_rank_mismatches_still_raise():
    model = keras.Sequential([keras.Input((4, 2)), layers.Flatten()])
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4, 2\), found shape=\(3, 4\)"):
        model.predict(np.zeros((3, 4)), verbose=0)


def test_siamese_pairs_without_channel_axis_train():
    inp = keras.Input((8, 8, 1))
    x = layers.Conv2D(2, 3, activation="tanh")(inp)
    embedding = keras.Model(inp, layers.Dense(4)(layers.Flatten()(x)))
    a, b = keras.Input((8, 8, 1)), keras.Input((8, 8, 1))
    dist = layers.Lambda(lambda v: ops.sqrt(ops.maximum(ops.sum(ops.square(v[0] - v[1]), axis=1, keepdims=True),
                                                        keras.backend.epsilon())), output_shape=(1,))(
        [embedding(a), embedding(b)])
    siamese = keras.Model([a, b], layers.Dense(1, activation="sigmoid")(dist))
    siamese.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    rng = np.random.RandomState(0)
    pairs = rng.rand(16, 2, 8, 8).astype("float32")  # make_pairs' (n, 2, 28, 28): no channel axis
    history = siamese.fit([pairs[:, 0], pairs[:, 1]], (np.arange(16) % 2).astype("float32"), batch_size=8,
                          epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert siamese.predict([pairs[:, 0], pairs[:, 1]], verbose=0).shape == (16, 1)


# ---- generative/text_generation_with_miniature_gpt.py: loss=[fn, None] and one y --------------------------

def test_one_target_serves_every_output(k3):
    inp = keras.Input((3,))
    head, features = layers.Dense(2, name="head"), layers.Dense(4, name="features")
    model = keras.Model(inp, [head(inp), features(inp)])
    head.set_weights([k3["two_out_head_kernel"], k3["two_out_head_bias"]])
    features.set_weights([k3["two_out_features_kernel"], k3["two_out_features_bias"]])
    model.compile(keras.optimizers.SGD(0.1), loss=["mse", None])
    x, y = k3["two_out_x"], k3["two_out_y"]
    results = model.evaluate(x, y, batch_size=4, verbose=0)
    np.testing.assert_allclose(results[0], k3["two_out_loss"], rtol=1e-6)  # tf-keras adds head_loss after
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(head.get_weights()[0], k3["two_out_head_kernel_after"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(features.get_weights()[0], k3["two_out_features_kernel_after"])


# ---- the miniature GPT's causal mask: a call that reads values during shape inference ----------------------

def causal_attention_mask(batch_size, n_dest, n_src, dtype):
    i = ops.arange(n_dest)[:, None]
    j = ops.arange(n_src)
    m = i >= j - n_src + n_dest
    mask = ops.cast(m, dtype)
    mask = ops.reshape(mask, [1, n_dest, n_src])
    mult = ops.concatenate([ops.expand_dims(batch_size, -1), ops.convert_to_tensor([1, 1])], 0)
    return ops.tile(mask, mult)


class CausalSpread(layers.Layer):
    def call(self, x):
        shape = ops.shape(x)
        mask = causal_attention_mask(shape[0], shape[1], shape[1], "float32")
        self.add_loss(ops.sum(x) * 0.0)  # a probe run must not record it
        return mask * ops.expand_dims(x, 1)


def test_layer_reading_values_builds_in_a_functional_model(k3):
    inp = keras.Input((5,))
    layer = CausalSpread()
    out = layer(inp)
    assert tuple(out.shape) == (None, 5, 5)
    assert layer.losses == []
    model = keras.Model(inp, out)
    np.testing.assert_allclose(model.predict(k3["causal_x"], verbose=0), k3["causal_y"], rtol=1e-6)


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads, embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm = layers.LayerNormalization(epsilon=1e-6)

    def call(self, inputs):
        input_shape = ops.shape(inputs)
        causal_mask = causal_attention_mask(input_shape[0], input_shape[1], input_shape[1], "bool")
        out = self.layernorm(inputs + self.att(inputs, inputs, attention_mask=causal_mask))
        return out + self.ffn(out)


class TextGenerator(keras.callbacks.Callback):
    def __init__(self):  # no super().__init__(), as the example
        self.generated = []

    def on_epoch_end(self, epoch, logs=None):
        y, _ = self.model.predict(np.zeros((1, 6), "int32"), verbose=0)
        logits, indices = ops.top_k(y[0][2], k=3, sorted=True)
        preds = np.asarray(keras.activations.softmax(ops.expand_dims(logits, 0))[0]).astype("float32")
        self.generated.append(int(np.random.choice(np.asarray(indices).astype("int32"), p=preds)))


def test_miniature_gpt_trains_on_one_target():
    inputs = layers.Input(shape=(6,), dtype="int32")
    x = layers.Embedding(20, 8)(inputs)
    x = TransformerBlock(8, 2, 8)(x)
    outputs = layers.Dense(20)(x)
    model = keras.Model(inputs=inputs, outputs=[outputs, x])
    model.compile("adam", loss=[keras.losses.SparseCategoricalCrossentropy(from_logits=True), None])
    tokens = np.random.RandomState(0).randint(1, 20, (16, 7))
    callback = TextGenerator()
    history = model.fit(tokens[:, :-1], tokens[:, 1:], batch_size=8, epochs=3, verbose=0, callbacks=[callback])
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    assert len(callback.generated) == 3 and all(0 <= t < 20 for t in callback.generated)


# ---- keras_recipes/endpoint_layer_pattern.py -------------------------------------------------------------

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


def _endpoint_data(k3):
    return {k: k3[f"endpoint_{k}"] for k in ("inputs", "targets", "sample_weight")}


def test_endpoint_layer_reports_its_metric_attribute(k3):
    inputs = keras.Input((5,), name="inputs")
    dense = layers.Dense(1)
    targets = keras.Input((1,), name="targets")
    sample_weight = keras.Input((1,), name="sample_weight")
    endpoint = LogisticEndpoint()
    model = keras.Model([inputs, targets, sample_weight], endpoint(dense(inputs), targets, sample_weight))
    dense.set_weights([k3["endpoint_kernel"], k3["endpoint_bias"]])
    assert endpoint.metrics == [endpoint.accuracy_metric]
    model.compile(keras.optimizers.Adam(1e-3))
    logs = model.evaluate(_endpoint_data(k3), batch_size=8, verbose=0, return_dict=True)
    assert sorted(logs) == ["accuracy", "loss"]
    np.testing.assert_allclose(logs["loss"], k3["endpoint_functional_loss"], rtol=1e-5)
    np.testing.assert_allclose(logs["accuracy"], k3["endpoint_functional_accuracy"], rtol=1e-5)
    history = model.fit(_endpoint_data(k3), epochs=2, batch_size=4, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss"]


def test_subclassed_model_fed_a_dict(k3):
    model = LogReg()
    data = _endpoint_data(k3)
    model(data)
    model.dense.set_weights([k3["endpoint_kernel"], k3["endpoint_bias"]])
    model.compile(keras.optimizers.Adam(1e-3))
    logs = model.evaluate(data, batch_size=8, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["loss"], k3["endpoint_subclassed_loss"], rtol=1e-5)
    np.testing.assert_allclose(logs["accuracy"], k3["endpoint_subclassed_accuracy"], rtol=1e-5)
    fresh = LogReg()  # built by fit from the dict, as in the example
    fresh.compile(keras.optimizers.Adam(1e-3))
    history = fresh.fit(data, epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"])) and "accuracy" in history.history
    assert fresh.input_names == ["inputs", "targets", "sample_weight"]
    assert fresh.predict(data, verbose=0).shape == (8, 1)


class Scale(layers.Layer):
    def call(self, values, factor=2.0):
        return values * factor


def test_layer_called_with_its_first_argument_by_keyword():
    x = np.arange(6, dtype="float32").reshape(3, 2)
    dense = layers.Dense(2, kernel_initializer="ones")
    np.testing.assert_array_equal(ops.convert_to_numpy(dense(inputs=x)), ops.convert_to_numpy(dense(x)))
    np.testing.assert_array_equal(ops.convert_to_numpy(Scale()(values=x, factor=3.0)), 3 * x)
    inp = keras.Input((2,))
    out = Scale()(values=inp)
    np.testing.assert_array_equal(keras.Model(inp, out).predict(x, verbose=0), 2 * x)
    with pytest.raises(TypeError, match=r"as `values=`"):
        Scale()(factor=3.0)


# ---- keras_recipes/antirectifier.py: ``inputs -= ops.mean(...)`` changes the call's input in place ---------

class Center(layers.Layer):
    def call(self, inputs):
        inputs -= ops.mean(inputs, axis=-1, keepdims=True)
        return inputs


def test_layer_changing_its_input_in_place_leaves_the_data_alone():
    x = np.arange(12, dtype="float32").reshape(4, 3)
    y = x - x.mean(axis=-1, keepdims=True)
    keep = x.copy()
    model = keras.Sequential([keras.Input((3,)), Center()])
    model.compile("sgd", "mse")
    np.testing.assert_allclose(model.predict(x, verbose=0), y)
    np.testing.assert_allclose(ops.convert_to_numpy(model(x)), y)
    np.testing.assert_allclose(ops.convert_to_numpy(Center()(x)), y)
    np.testing.assert_allclose(model.predict_on_batch(x), y)
    assert model.evaluate(x, y, verbose=0) == 0.0
    model.train_on_batch(x, y)
    history = model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    assert history.history["loss"] == [0.0, 0.0]  # the second epoch sees the same data
    model.fit(((x[i:i + 2], y[i:i + 2]) for i in (0, 2)), steps_per_epoch=2, verbose=0)
    np.testing.assert_array_equal(x, keep)


# ---- vision/involution.py: a model of layer outputs that are (output, kernel) pairs -------------------------

class PairLayer(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(units)

    def call(self, x):
        kernel = self.dense(x)
        return x * ops.sum(kernel, axis=-1, keepdims=True), kernel


def _pair_model(k3):
    inp = keras.Input((3,))
    p1, p2 = PairLayer(2, name="p1"), PairLayer(4, name="p2")
    out1, _ = p1(inp)
    out2, _ = p2(out1)
    model = keras.Model(inp, out2)
    p1.dense.set_weights([k3["nested_p1_kernel"], k3["nested_p1_bias"]])
    p2.dense.set_weights([k3["nested_p2_kernel"], k3["nested_p2_bias"]])
    return model


def test_model_of_layer_outputs_that_are_pairs_predicts_them_nested(k3):
    model = _pair_model(k3)
    vis = keras.Model(model.input, [model.get_layer(name).output for name in ("p1", "p2")])
    assert [len(pair) for pair in vis.output] == [2, 2]  # tf-keras and Keras 3 keep the nesting
    expected = [[k3["nested_p1_out"], k3["nested_p1_generated"]], [k3["nested_p2_out"], k3["nested_p2_generated"]]]
    for got in (vis.predict(k3["nested_x"], verbose=0), vis.predict_on_batch(k3["nested_x"])):
        (o1, k1), (o2, k2) = got  # the example's unpacking
        for value, want in zip((o1, k1, o2, k2), tree_flat(expected)):
            np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-6)


def tree_flat(nested):
    return [leaf for pair in nested for leaf in pair]


def test_model_with_dict_outputs_predicts_a_dict(k3):
    model = _pair_model(k3)
    out1, kernel1 = model.get_layer("p1").output
    _, kernel2 = model.get_layer("p2").output
    named = keras.Model(model.input, {"first": out1, "second": kernel2})
    for got in (named.predict(k3["nested_x"], verbose=0), named.predict_on_batch(k3["nested_x"])):
        assert isinstance(got, dict) and sorted(got) == ["first", "second"]
        np.testing.assert_allclose(got["first"], k3["nested_p1_out"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got["second"], k3["nested_p2_generated"], rtol=1e-5, atol=1e-6)
    flat = keras.Model(model.input, [out1, kernel1])  # a flat list stays a list of arrays
    assert isinstance(flat.predict(k3["nested_x"], verbose=0), list)


# ---- keras_recipes/memory_efficient_embeddings.py ------------------------------------------------------------

def test_sequential_embedding_encoder_on_ids_of_shape_empty(k3):
    # Sequential([Embedding]) is built for (None, None) from Embedding's implied input shape (tf-keras); a
    # shape=() Input gives it (None,) ids, which tf-keras and Keras 3 embed.
    user_input = layers.Input(name="user_id", shape=(), dtype="int32")
    movie_input = layers.Input(name="movie_id", shape=(), dtype="int32")
    user_encoder = keras.Sequential([layers.Embedding(6, 3)], name="user_embedding")
    movie_encoder = keras.Sequential([layers.Embedding(5, 3)], name="movie_embedding")
    user_embedding = user_encoder(user_input)
    assert tuple(user_embedding.shape) == (None, 3)
    logits = layers.Dot(axes=1, name="dot_similarity")([user_embedding, movie_encoder(movie_input)])
    model = keras.Model([user_input, movie_input], keras.activations.sigmoid(logits) * 5)
    user_encoder.layers[0].set_weights([k3["emb_user_table"]])
    movie_encoder.layers[0].set_weights([k3["emb_movie_table"]])
    data = {"user_id": k3["emb_users"], "movie_id": k3["emb_movies"]}
    np.testing.assert_allclose(model.predict(data, verbose=0), k3["emb_y"], rtol=1e-5, atol=1e-6)
    model.compile(keras.optimizers.SGD(0.5), "mse")
    model.fit(data, k3["emb_ratings"], batch_size=8, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(user_encoder.layers[0].get_weights()[0], k3["emb_user_table_after"], rtol=1e-4,
                               atol=1e-6)


def test_fixed_size_inputs_still_refuse_another_rank():
    inputs = keras.Input((8,))
    model = keras.Model(inputs, layers.Dense(2)(inputs))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 8\), found shape=\(None, 8, 3\)"):
        model(keras.Input((8, 3)))


class Blocks(layers.Layer):
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


def test_layers_appended_to_a_list_attribute_are_tracked_and_trained(k3):
    inp = layers.Input(shape=(), dtype="int32")
    blocks = Blocks()
    model = keras.Model(inp, blocks(inp))
    assert len(blocks.trainable_weights) == k3["blocks_trainable_weights"]
    assert model.count_params() == k3["blocks_count_params"]
    for i in range(2):
        blocks.encoders[i].layers[0].set_weights([k3[f"blocks_table{i}"]])
        blocks.projectors[i].set_weights([k3[f"blocks_kernel{i}"], k3[f"blocks_bias{i}"]])
    np.testing.assert_allclose(model.predict(k3["blocks_ids"], verbose=0), k3["blocks_y"], rtol=1e-5, atol=1e-6)
    model.compile(keras.optimizers.SGD(0.5), "mse")
    model.fit(k3["blocks_ids"], k3["blocks_target"], batch_size=6, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(blocks.encoders[1].layers[0].get_weights()[0], k3["blocks_table1_after"],
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(blocks.projectors[1].get_weights()[0], k3["blocks_kernel1_after"], rtol=1e-4,
                               atol=1e-6)
    assert isinstance(blocks.encoders, list) and keras.tree.flatten(blocks.encoders) == list(blocks.encoders)


# ---- keras_recipes/better_knowledge_distillation.py: ``student.compile(metrics=["accuracy"])``, evaluate -----

def test_model_compiled_without_a_loss_evaluates_and_refuses_to_fit(k2):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4)])
    model.layers[-1].set_weights([k2["noloss_kernel"], k2["noloss_bias"]])
    model.compile(metrics=["accuracy"])
    x, y = k2["noloss_x"], k2["noloss_y"]
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), k2["noloss_evaluate"], rtol=1e-6)
    np.testing.assert_allclose(model.test_on_batch(x, y), k2["noloss_evaluate"], rtol=1e-6)
    for train in (lambda: model.fit(x, y, verbose=0), lambda: model.train_on_batch(x, y)):
        with pytest.raises(ValueError, match="No loss found"):
            train()


# ---- nlp/neural_machine_translation_with_transformer.py: masks through custom layers and a nested model --------

class TransformerEncoder(layers.Layer):
    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential([layers.Dense(dense_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.supports_masking = True

    def call(self, inputs, mask=None):
        padding_mask = None if mask is None else ops.cast(mask[:, None, :], dtype="int32")
        attention_output = self.attention(query=inputs, value=inputs, key=inputs, attention_mask=padding_mask)
        proj_input = self.layernorm_1(inputs + attention_output)
        return self.layernorm_2(proj_input + self.dense_proj(proj_input))


class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.position_embeddings = layers.Embedding(input_dim=sequence_length, output_dim=embed_dim)

    def call(self, inputs):
        positions = ops.arange(0, ops.shape(inputs)[-1], 1)
        return self.token_embeddings(inputs) + self.position_embeddings(positions)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0)


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
        causal_mask = self.get_causal_attention_mask(inputs)
        padding_mask = None
        if mask is not None:  # tf-keras gives `inputs`' mask (Keras 3 gives none to a call of two tensors)
            padding_mask = ops.minimum(ops.cast(mask[:, None, :], dtype="int32"), causal_mask)
        out_1 = self.layernorm_1(inputs + self.attention_1(query=inputs, value=inputs, key=inputs,
                                                            attention_mask=causal_mask))
        out_2 = self.layernorm_2(out_1 + self.attention_2(query=out_1, value=encoder_outputs, key=encoder_outputs,
                                                           attention_mask=padding_mask))
        return self.layernorm_3(out_2 + self.dense_proj(out_2))

    def get_causal_attention_mask(self, inputs):
        input_shape = ops.shape(inputs)
        batch_size, sequence_length = input_shape[0], input_shape[1]
        i = ops.arange(sequence_length)[:, None]
        j = ops.arange(sequence_length)
        mask = ops.reshape(ops.cast(i >= j, dtype="int32"), (1, input_shape[1], input_shape[1]))
        mult = ops.concatenate([ops.expand_dims(batch_size, -1), ops.convert_to_tensor([1, 1])], axis=0)
        return ops.tile(mask, mult)


def test_translation_transformer_masks_as_tf_keras(k2):
    vocab_size, sequence_length, embed_dim, latent_dim, num_heads = 20, 6, 8, 16, 2
    encoder_inputs = keras.Input(shape=(None,), dtype="int64", name="encoder_inputs")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(encoder_inputs)
    encoder_outputs = TransformerEncoder(embed_dim, latent_dim, num_heads)(x)
    # The encoder's dense_proj, a Sequential without an Input, is built inside shape inference on sequences of
    # unknown length: for that length, not the stand-in's.
    assert tuple(encoder_outputs.shape) == (None, None, embed_dim)
    decoder_inputs = keras.Input(shape=(None,), dtype="int64", name="decoder_inputs")
    encoded_seq_inputs = keras.Input(shape=(None, embed_dim), name="decoder_state_inputs")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(decoder_inputs)
    x = TransformerDecoder(embed_dim, latent_dim, num_heads)(x, encoded_seq_inputs)
    x = layers.Dropout(0.5)(x)
    decoder_outputs = layers.Dense(vocab_size, activation="softmax")(x)
    decoder = keras.Model([decoder_inputs, encoded_seq_inputs], decoder_outputs)
    transformer = keras.Model([encoder_inputs, decoder_inputs], decoder([decoder_inputs, encoder_outputs]))
    transformer.set_weights([k2[f"nmt_weight{i:02d}"] for i in range(len(transformer.weights))])
    data = [k2["nmt_eng"], k2["nmt_spa"]]
    np.testing.assert_allclose(transformer.predict(data, verbose=0), k2["nmt_y"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(transformer(data)), k2["nmt_y"], rtol=1e-4, atol=1e-6)
    transformer.compile("rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = transformer.fit(data, np.roll(k2["nmt_spa"], -1, axis=1), batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


class SelfAttention(layers.Layer):
    def __init__(self):
        super().__init__()
        self.attention = layers.MultiHeadAttention(num_heads=2, key_dim=4)
        self.supports_masking = True

    def call(self, inputs):
        return self.attention(query=inputs, value=inputs, key=inputs)


def test_attention_in_a_custom_layer_reads_the_mask_its_input_carries(k2):
    inp = keras.Input((None,), dtype="int64")
    model = keras.Model(inp, SelfAttention()(layers.Embedding(10, 4, mask_zero=True)(inp)))
    model.set_weights([k2[f"carried_weight{i}"] for i in range(len(model.weights))])
    np.testing.assert_allclose(model.predict(k2["carried_ids"], verbose=0), k2["carried_y"], rtol=1e-5, atol=1e-6)


# ---- keras_recipes/quasi_svm.py: keras.layers.experimental.RandomFourierFeatures (tf-keras) -------------------

@pytest.mark.parametrize("name, kwargs", [("fixed", dict(scale=2.0, kernel_initializer="gaussian")),
                                          ("trained", dict(kernel_initializer="laplacian", trainable=True))])
def test_random_fourier_features_as_tf_keras(k2, name, kwargs):
    import json

    from fastkeras.layers.experimental import RandomFourierFeatures
    layer, dense = RandomFourierFeatures(output_dim=5, **kwargs), layers.Dense(3)
    model = keras.Sequential([keras.Input((6,)), layer, dense])
    assert [w.name.split("/")[-1] for w in layer.weights] == ["kernel_scale:0", "unscaled_kernel:0", "bias:0"]
    layer.set_weights([k2[f"rff_{name}_{w}"] for w in ("scale", "kernel", "bias")])
    dense.set_weights([k2[f"rff_{name}_dense_kernel"], k2[f"rff_{name}_dense_bias"]])
    np.testing.assert_allclose(model.predict(k2["rff_x"], verbose=0), k2[f"rff_{name}_pred"], rtol=1e-5, atol=1e-6)
    expected = json.loads(str(k2[f"rff_{name}_config"]))
    config = layer.get_config()
    assert {k: config[k] for k in ("output_dim", "kernel_initializer", "scale", "trainable")} == \
        {k: expected[k] for k in ("output_dim", "kernel_initializer", "scale", "trainable")}
    model.compile(keras.optimizers.SGD(0.5), loss=keras.losses.hinge)
    model.fit(k2["rff_x"], k2["rff_y"], batch_size=8, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(layer.get_weights()[0], k2[f"rff_{name}_scale_after"], rtol=1e-5)
    np.testing.assert_allclose(dense.get_weights()[0], k2[f"rff_{name}_dense_kernel_after"], rtol=1e-5, atol=1e-6)
    restored = keras.layers.deserialize({"class_name": "RandomFourierFeatures", "config": config})
    assert isinstance(restored, RandomFourierFeatures) and restored.output_dim == 5


def test_random_fourier_features_default_scale_and_errors(k2):
    from fastkeras.layers.experimental import RandomFourierFeatures
    layer = RandomFourierFeatures(output_dim=4)
    layer.build((None, 18))
    np.testing.assert_allclose(layer.get_config()["scale"], k2["rff_default_scale"])
    with pytest.raises(ValueError, match="should be 2. Received input with rank 3"):
        RandomFourierFeatures(output_dim=4, name="rff")(keras.Input((3, 5)))
    with pytest.raises(ValueError, match="Unsupported `kernel_initializer`: cosine"):
        RandomFourierFeatures(output_dim=4, kernel_initializer="cosine")
    with pytest.raises(ValueError, match="`output_dim` should be a positive integer. Received: 0"):
        RandomFourierFeatures(output_dim=0)


# ---- vision/captcha_ocr.py: an endpoint layer adding ctc_batch_cost's (batch, 1) losses ------------------------

class CTCLayer(layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.backend.ctc_batch_cost

    def call(self, y_true, y_pred):
        batch_len = ops.cast(ops.shape(y_true)[0], dtype="int64")
        input_length = ops.cast(ops.shape(y_pred)[1], dtype="int64")
        label_length = ops.cast(ops.shape(y_true)[1], dtype="int64")
        input_length = input_length * ops.ones(shape=(batch_len, 1), dtype="int64")
        label_length = label_length * ops.ones(shape=(batch_len, 1), dtype="int64")
        self.add_loss(self.loss_fn(y_true, y_pred, input_length, label_length))
        return y_pred


def test_per_sample_add_loss_trains_on_the_sum_and_reports_the_mean(k2):
    features, labels = keras.Input((6, 3), name="features"), keras.Input((None,), name="label")
    dense = layers.Dense(5, activation="softmax")
    model = keras.Model([features, labels], CTCLayer(name="ctc_loss")(labels, dense(features)))
    dense.set_weights([k2["ctc_kernel"], k2["ctc_bias"]])
    model.compile(keras.optimizers.SGD(0.1))
    data = {"features": k2["ctc_x"], "label": k2["ctc_labels"]}
    np.testing.assert_allclose(model.evaluate(data, verbose=0), k2["ctc_evaluate"], rtol=1e-5)
    history = model.fit(data, batch_size=4, epochs=1, shuffle=False, verbose=0, validation_data=(data,))
    np.testing.assert_allclose(history.history["loss"][0], k2["ctc_fit_loss"], rtol=1e-5)
    np.testing.assert_allclose(history.history["val_loss"][0], k2["ctc_val_loss"], rtol=1e-5)
    np.testing.assert_allclose(dense.get_weights()[0], k2["ctc_kernel_after"], rtol=1e-5, atol=1e-6)


def test_validation_data_without_targets_for_a_model_that_needs_them():
    inp = keras.Input((3,))
    model = keras.Model(inp, layers.Dense(1)(inp), name="reg")
    model.compile("sgd", "mse")
    x = np.ones((4, 3), "float32")
    with pytest.raises(ValueError, match=r'`validation_data` has no targets `y_val`, which the compiled loss of '
                                         r'model "reg" needs'):
        model.fit(x, np.zeros((4, 1)), validation_data=(x,), verbose=0)


# ---- generative/ddim.py: Normalization.mean/variance; a custom train_step fitting on images alone ---------------

def test_normalization_mean_and_variance_in_broadcast_shape(k3):
    normalizer = layers.Normalization()
    normalizer.adapt(k3["norm_images"])
    np.testing.assert_allclose(ops.convert_to_numpy(normalizer.mean), k3["norm_mean"], rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(normalizer.variance), k3["norm_variance"], rtol=1e-5)
    images = ops.convert_to_tensor(k3["norm_images"])  # the example's denormalize() undoes the layer
    np.testing.assert_allclose(ops.convert_to_numpy(normalizer.mean + normalizer(images) * normalizer.variance ** 0.5),
                               k3["norm_images"], rtol=1e-4, atol=1e-5)
    given = layers.Normalization(axis=1, mean=[1.0, 2.0], variance=[4.0, 9.0])
    given.build((None, 2, 5))
    np.testing.assert_allclose(ops.convert_to_numpy(given.mean), k3["norm_given_mean"])
    np.testing.assert_allclose(ops.convert_to_numpy(given.variance), k3["norm_given_variance"])
    with pytest.raises(AttributeError, match=r'"fresh" \(Normalization\) has no `mean` or `variance` before it is '
                                             r"built"):
        layers.Normalization(name="fresh").mean


class Denoiser(keras.Model):
    """DiffusionModel's shape: a compiled loss the model's own steps call on tensors it makes, no targets."""

    def __init__(self):
        super().__init__()
        self.network = keras.Sequential([keras.Input((4,)), layers.Dense(4)])
        self.noise_loss_tracker = keras.metrics.Mean(name="n_loss")

    @property
    def metrics(self):
        return [self.noise_loss_tracker]

    def train_step(self, images):
        import torch
        noises = keras.random.normal(shape=ops.shape(images), seed=1)
        self.zero_grad()
        noise_loss = ops.mean(self.loss(noises, self.network(images + noises, training=True)))
        noise_loss.backward()
        with torch.no_grad():
            self.optimizer.apply([v.value.grad for v in self.network.trainable_weights],
                                 self.network.trainable_weights)
        self.noise_loss_tracker.update_state(noise_loss)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, images):
        noises = keras.random.normal(shape=ops.shape(images), seed=2)
        self.noise_loss_tracker.update_state(ops.mean(self.loss(noises, self.network(images + noises))))
        return {m.name: m.result() for m in self.metrics}


def test_own_steps_fit_without_targets_despite_a_compiled_loss():
    model = Denoiser()
    model.compile(optimizer=keras.optimizers.AdamW(learning_rate=1e-3), loss=keras.losses.mean_absolute_error)
    images = np.random.RandomState(0).rand(8, 4).astype("float32")
    history = model.fit(images, batch_size=4, epochs=1, verbose=0, validation_data=(images,))
    assert sorted(history.history) == ["n_loss", "val_n_loss"]
    assert np.isfinite(model.evaluate(images, verbose=0))


# ---- keras_recipes/better_knowledge_distillation.py: a Distiller's test_step reports self.metrics -------------

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
        loss = self.distillation_loss_fn(ops.softmax(teacher_predictions / self.temperature, axis=1),
                                         ops.softmax(student_predictions / self.temperature, axis=1))
        return loss, student_predictions

    def train_step(self, data):
        import torch
        x, _ = data
        self.zero_grad()
        loss, _ = self._distillation_loss(x, True)
        loss.backward()
        with torch.no_grad():
            self.optimizer.apply([v.value.grad for v in self.student.trainable_variables],
                                 self.student.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"distillation_loss": self.loss_tracker.result()}

    def test_step(self, data):
        x, y = data
        loss, student_predictions = self._distillation_loss(x, False)
        self.loss_tracker.update_state(loss)
        self.compiled_metrics.update_state(y, student_predictions)
        return {m.name: m.result() for m in self.metrics}


def test_custom_test_step_reports_no_loss_it_never_computed(k2):
    import json
    teacher = keras.Sequential([keras.Input((6,)), layers.Dense(3)])
    student = keras.Sequential([keras.Input((6,)), layers.Dense(3)])
    teacher.set_weights([k2["distiller_weight0"], k2["distiller_weight1"]])
    student.set_weights([k2["distiller_weight2"], k2["distiller_weight3"]])
    distiller = Distiller(student, teacher)
    distiller.compile(keras.optimizers.SGD(0.1), metrics=[keras.metrics.SparseCategoricalAccuracy()],
                      distillation_loss_fn=keras.losses.KLDivergence())
    x, y = k2["distiller_x"], k2["distiller_y"]
    logs = distiller.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    expected = json.loads(str(k2["distiller_evaluate"]))
    assert sorted(logs) == sorted(expected)  # tf-keras lists the loss tracker only once a step computed the loss
    for name, value in expected.items():
        np.testing.assert_allclose(logs[name], value, rtol=1e-5)
    history = distiller.fit(x, y, batch_size=8, epochs=1, verbose=0, validation_data=(x, y))
    assert sorted(history.history) == json.loads(str(k2["distiller_history_keys"]))


# ---- audio/transformer_asr.py: a subclassed model its own steps build; a Sequential fed other lengths later ----

def _speech_model(k2):
    import torch
    constant = keras.initializers.Constant

    class Speech(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = keras.Sequential([layers.Dense(4, kernel_initializer=constant(k2["speech_enc"]))])
            self.embed = layers.Embedding(6, 4, embeddings_initializer=constant(k2["speech_emb"]))
            self.ffn = keras.Sequential([layers.Dense(4, activation="tanh",
                                                      kernel_initializer=constant(k2["speech_ffn"]))])
            self.classifier = layers.Dense(6, kernel_initializer=constant(k2["speech_out"]))
            self.loss_metric = keras.metrics.Mean(name="loss")

        def call(self, inputs):  # a list: fit's dict batches are the steps' to unpack
            source, target = inputs[0], inputs[1]
            context = ops.mean(self.encoder(source), axis=1, keepdims=True)
            return self.classifier(self.ffn(self.embed(target) + context))

        @property
        def metrics(self):
            return [self.loss_metric]

        def _loss(self, batch):
            target = batch["target"]
            preds = self([batch["source"], target[:, :-1]])
            mask = ops.logical_not(ops.equal(target[:, 1:], 0))
            return self.compiled_loss(ops.one_hot(target[:, 1:], 6), preds, sample_weight=mask)

        def train_step(self, batch):
            self.zero_grad()  # before the first forward: nothing is built yet
            loss = self._loss(batch)
            loss.backward()
            with torch.no_grad():
                self.optimizer.apply([v.value.grad for v in self.trainable_variables], self.trainable_variables)
            self.loss_metric.update_state(loss)
            return {"loss": self.loss_metric.result()}

        def test_step(self, batch):
            self.loss_metric.update_state(self._loss(batch))
            return {"loss": self.loss_metric.result()}

        def generate(self, source, start, length):
            dec_input = ops.ones((ops.shape(source)[0], 1), dtype="int32") * start
            for _ in range(length):
                last = ops.expand_dims(ops.argmax(self([source, dec_input]), axis=-1)[:, -1], axis=-1)
                dec_input = ops.concatenate([dec_input, ops.cast(last, "int32")], axis=-1)
            return dec_input

    return Speech()


def test_own_steps_build_a_model_whose_call_does_not_take_the_batch(k2):
    model = _speech_model(k2)
    model.compile(optimizer=keras.optimizers.SGD(0.5),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1))
    data = {"source": k2["speech_source"], "target": k2["speech_target"]}
    history = model.fit(data, batch_size=2, epochs=2, shuffle=False, verbose=0, validation_data=(data,))
    np.testing.assert_allclose(history.history["loss"], k2["speech_loss"], rtol=1e-5)
    np.testing.assert_allclose(history.history["val_loss"], k2["speech_val_loss"], rtol=1e-5)
    np.testing.assert_allclose(model.classifier.get_weights()[0], k2["speech_classifier_after"], rtol=1e-4,
                               atol=1e-6)
    # The feed-forward Sequential, built on training sequences of 5 tokens, now decodes 1, 2, ... tokens.
    generated = model.generate(ops.convert_to_tensor(k2["speech_source"]), 1, 4)
    np.testing.assert_array_equal(ops.convert_to_numpy(generated), k2["speech_generated"])


def test_sequential_without_input_relaxes_only_its_inferred_shape():
    seq = keras.Sequential([layers.Dense(2, kernel_initializer="ones")])
    x = np.ones((3, 5, 4), "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(seq(x)), np.full((3, 5, 2), 4.0))
    np.testing.assert_allclose(ops.convert_to_numpy(seq(x[:, :1])), np.full((3, 1, 2), 4.0))
    assert seq.input_shape == (None, None, 4)
    fixed = keras.Sequential([keras.Input((5, 4)), layers.Dense(2)])
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5, 4\), found shape=\(3, 1, 4\)"):
        fixed(x[:, :1])
