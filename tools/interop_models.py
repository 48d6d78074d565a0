"""The models that tools/make_interop_fixtures.py moves between fastkeras, tf-keras and Keras 3.

Every builder takes a Keras module (``tf_keras``, Keras 3's ``keras`` or ``fastkeras``) and uses only the API the
libraries named in its case share, so that each library builds the same graph with the same layer names: a
``.weights.h5`` file written by one is then loaded into the model another built itself. Inputs, targets and
initial weights are seeded from the case name, never from a library's random state.
"""
import zlib

import numpy as np

K2, K3, FK = "k2", "k3", "fk"  # tf-keras 2.21, Keras 3.15.1, fastkeras: also the file name prefixes
ALL = (K2, K3, FK)


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode("utf8")))


_CUSTOM_CLASSES = {}


def custom_scale(keras):
    """A layer registered under 'interop>Scale' in the given library (one class per library, made once)."""
    key = keras.__name__
    if key not in _CUSTOM_CLASSES:
        @keras.saving.register_keras_serializable(package="interop")
        class Scale(keras.layers.Layer):
            def __init__(self, factor=1.0, **kwargs):
                super().__init__(**kwargs)
                self.factor = factor

            def build(self, input_shape):
                self.gain = self.add_weight(name="gain", shape=(input_shape[-1],), initializer="ones")
                super().build(input_shape)

            def call(self, inputs):
                return inputs * self.gain * self.factor

            def get_config(self):
                return {**super().get_config(), "factor": self.factor}

        _CUSTOM_CLASSES[key] = Scale
    return _CUSTOM_CLASSES[key]


# ---------------------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------------------

def sequential(keras, lib):
    L = keras.layers
    return keras.Sequential([keras.Input((8,)), L.Dense(16, activation="relu", name="hidden"),
                             L.Dropout(0.2, name="drop"), L.Dense(4, activation="softmax", name="probs")],
                            name="sequential_mlp")


def functional(keras, lib):
    """Three inputs, two outputs, a layer shared twice, a nested functional model shared twice, a nested
    Sequential."""
    L = keras.layers
    inner_in = keras.Input((4,), name="inner_in")
    encoder = keras.Model(inner_in, L.Dense(3, activation="tanh", name="inner_dense")(inner_in), name="encoder")
    head = keras.Sequential([keras.Input((8,)), L.Dense(5, activation="relu", name="head_a"),
                             L.Dense(1, name="head_b")], name="head")
    left = keras.Input((4,), name="left")
    right = keras.Input((4,), name="right")
    side = keras.Input((2,), name="side")
    shared = L.Dense(2, name="shared_side")
    both = L.concatenate([encoder(left), encoder(right), shared(side)], name="merged")
    main = head(both)
    aux = L.Dense(1, activation="sigmoid", name="aux")(L.add([shared(side), side], name="side_sum"))
    return keras.Model([left, right, side], [main, aux], name="functional")


def masked_rnn(keras, lib):
    L = keras.layers
    ids = keras.Input((6,), dtype="int32", name="ids")
    x = L.Embedding(20, 5, mask_zero=True, name="embed")(ids)
    x = L.Bidirectional(L.LSTM(4, return_sequences=True, name="lstm"), name="bi")(x)
    x = L.GRU(3, name="gru")(x)
    return keras.Model(ids, L.Dense(2, name="out")(x), name="masked_rnn")


def stateful_rnn(keras, lib):
    L = keras.layers
    seq = keras.Input((5, 3), batch_size=4, name="seq")
    x = L.SimpleRNN(4, stateful=True, return_sequences=True, name="simple")(seq)
    x = L.LSTM(3, stateful=True, name="lstm")(x)
    return keras.Model(seq, L.Dense(1, name="out")(x), name="stateful_rnn")


def attention(keras, lib):
    L = keras.layers
    query = keras.Input((5, 4), name="query")
    value = keras.Input((6, 4), name="value")
    dot = L.Attention(name="dot")([query, value])
    additive = L.AdditiveAttention(name="additive")([query, value])
    mha = L.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(query, value)
    x = L.concatenate([dot, additive, mha], name="merged")
    x = L.GlobalAveragePooling1D(name="pool")(x)
    return keras.Model([query, value], L.Dense(2, name="out")(x), name="attention")


def group_query_attention(keras, lib):
    L = keras.layers
    query = keras.Input((5, 8), name="query")
    value = keras.Input((6, 8), name="value")
    x = L.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2, name="gqa")(query, value)
    x = L.GlobalAveragePooling1D(name="pool")(x)
    return keras.Model([query, value], L.Dense(2, name="out")(x), name="gqa_model")


def backend_ops(keras, lib):
    """Keras 2's K functions and Python operators on symbolic tensors (TFOpLambda layers in tf-keras)."""
    K = keras.backend
    L = keras.layers
    x = keras.Input((6,), name="x")
    h = L.Dense(4, name="hidden")(x)
    mean = K.mean(h, axis=-1, keepdims=True)
    scaled = 1.0 - h * 2.0  # a reflected operator: tf-keras records it with the constant first
    head = h[:, :2]
    steps = K.stop_gradient(h * 3.0) // 1.0  # (torch has no gradient for floor division)
    both = K.concatenate([scaled - mean, head, steps], axis=-1)
    return keras.Model(x, L.Dense(2, name="out")(K.tanh(both)), name="backend_ops")


def keras_ops(keras, lib):
    """Keras 3's ops and Python operators on symbolic tensors (operation entries in a Keras 3 config)."""
    ops = keras.ops
    L = keras.layers
    x = keras.Input((6,), name="x")
    h = L.Dense(4, name="hidden")(x)
    mean = ops.mean(h, axis=-1, keepdims=True)
    scaled = 1.0 - h * 2.0 + h[:, :1] / 3.0
    positive = ops.where(scaled > 0, scaled, ops.exp(scaled) - 1.0)
    picked = ops.one_hot(ops.argmax(h, axis=-1), 4)
    both = ops.concatenate([positive - mean, ops.square(h), ops.cast(picked, "float32"),
                            ops.nn.softmax(h, axis=-1), ops.clip(h, -0.3, 0.3)], axis=-1)
    return keras.Model(x, L.Dense(2, name="out")(ops.tanh(both)), name="keras_ops")


def preprocessing(keras, lib):
    """An adapted Normalization, Rescaling and BatchNormalization (moving statistics in the weights)."""
    L = keras.layers
    features = keras.Input((4,), name="features")
    image = keras.Input((6, 6, 1), name="image")
    norm = L.Normalization(name="norm")
    norm.adapt(rng_for("adapt-norm").normal(3.0, 2.0, size=(32, 4)).astype("float32"))
    a = L.Dense(3, name="dense_a")(norm(features))
    b = L.Rescaling(1.0 / 255, offset=-0.5, name="rescale")(image)
    b = L.Conv2D(2, 3, name="conv")(b)
    b = L.BatchNormalization(name="bn")(b)
    b = L.Flatten(name="flat")(b)
    return keras.Model([features, image], L.Dense(2, name="out")(L.concatenate([a, b], name="merged")),
                       name="preprocessing")


def lookup(keras, lib):
    """An IntegerLookup with its vocabulary inline, inside the graph (Keras 3's lookup layers need TensorFlow,
    which its jax and torch installs lack)."""
    L = keras.layers
    ids = keras.Input((4,), dtype="int64", name="ids")
    x = L.IntegerLookup(vocabulary=[7, 3, 11, 42], name="lookup")(ids)
    x = L.Embedding(6, 3, name="embed")(x)
    x = L.GlobalAveragePooling1D(name="pool")(x)
    return keras.Model(ids, L.Dense(2, name="out")(x), name="lookup")


def custom(keras, lib):
    L = keras.layers
    Scale = custom_scale(keras)
    x = keras.Input((3,), name="x")
    h = Scale(factor=1.5, name="scale")(L.Dense(4, name="hidden")(x))
    return keras.Model(x, L.Dense(2, name="out")(h), name="custom")


def initial_state(keras, lib):
    """RNNs given symbolic initial states (Keras 2 records them as extra inputs of the call, Keras 3 as the
    `initial_state` argument, with a build_config of the sequence and state shapes), after a transposed
    convolution (tf-keras writes it Conv's `groups`, which Keras 3's lacks)."""
    L = keras.layers
    seq = keras.Input((5, 3), name="seq")
    x = L.Conv1DTranspose(4, 2, padding="same", name="up")(seq)
    encoded, h, c = L.LSTM(4, return_sequences=True, return_state=True, name="encoder")(x)
    decoded = L.LSTM(4, name="decoder")(encoded, initial_state=[h, c])
    _, s = L.GRU(2, return_state=True, name="gru_state")(x)
    gru = L.GRU(2, name="gru")(x, initial_state=[s])
    return keras.Model(seq, L.Dense(2, name="out")(L.concatenate([decoded, gru], name="merged")),
                       name="initial_state")


def mixed_precision(keras, lib):
    """Layers under the mixed_float16 policy, given per layer (no global state): an LSTM (its cell takes the
    layer's policy), a convolution, a float32 output layer."""
    L = keras.layers
    seq = keras.Input((5, 3), name="seq")
    x = L.Conv1D(4, 2, activation="relu", dtype="mixed_float16", name="conv")(seq)
    x = L.LSTM(3, dtype="mixed_float16", name="lstm")(x)
    x = L.Dense(3, activation="tanh", dtype="mixed_float16", name="hidden")(x)
    return keras.Model(seq, L.Dense(2, dtype="float32", name="out")(x), name="mixed_precision")


def compile_configs(keras, lib):
    L = keras.layers
    x = keras.Input((4,), name="x")
    h = L.Dense(5, activation="relu", name="hidden")(x)
    return keras.Model(x, [L.Dense(3, name="logits")(h), L.Dense(2, name="values")(h)], name="compile_configs")


def compile_configs_args(keras, lib):
    """Loss objects (tf-keras' configs carry the 'auto' reduction and the wrapped function, Keras 3's neither),
    metrics wrapping functions (a Keras 3 MeanMetricWrapper names its function by a function object), and Keras
    2 names Keras 3 spells otherwise ('logcosh'; the metric cosine_similarity, which in Keras 3 is only a loss
    of the opposite sign): each library gets the arguments that mean the same to it."""
    m = keras.metrics
    if lib == K3:
        log_cosh_loss = "log_cosh"
        log_cosh = m.MeanMetricWrapper(keras.losses.log_cosh, name="logcosh")
        cosine = m.CosineSimilarity(name="cosine")
    else:
        log_cosh_loss = log_cosh = "logcosh"
        cosine = m.MeanMetricWrapper(m.get("cosine_similarity"), name="cosine")  # tf-keras does not export it
    return {"loss": {"logits": keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
                     "values": log_cosh_loss},
            "metrics": {"logits": [m.BinaryAccuracy(threshold=0.0),
                                   m.MeanMetricWrapper(m.binary_accuracy, name="wrapped_accuracy")],
                        "values": [log_cosh, cosine]},
            "weighted_metrics": {"values": [m.MeanMetricWrapper(m.mean_absolute_error, name="wmae")]}}


class Case:
    def __init__(self, build, inputs, libs=ALL, batch_size=None, compile_args=None, tolerance=1e-5):
        self.build = build
        self.inputs = inputs  # n -> list of arrays
        self.libs = libs
        self.batch_size = batch_size  # fixed by the model (stateful RNNs)
        self.compile_args = compile_args or {"loss": "mse"}  # or a function (keras, lib) -> compile's arguments
        self.tolerance = tolerance  # of predictions across libraries (float16 layers round differently)

    def compile_kwargs(self, keras, lib):
        return self.compile_args(keras, lib) if callable(self.compile_args) else self.compile_args


def _floats(*shapes):
    return lambda rng, n: [rng.normal(size=(n,) + s).astype("float32") for s in shapes]


def _padded_ids(rng, n):
    ids = rng.integers(1, 20, size=(n, 6)).astype("int32")
    for row, length in enumerate(rng.integers(2, 7, size=n)):
        ids[row, length:] = 0
    return [ids]


def _features_and_image(rng, n):
    return [rng.normal(3.0, 2.0, size=(n, 4)).astype("float32"),
            rng.uniform(0, 255, size=(n, 6, 6, 1)).astype("float32")]


CASES = {
    "sequential": Case(sequential, _floats((8,)), compile_args={"loss": "categorical_crossentropy",
                                                                 "metrics": ["accuracy"]}),
    "functional": Case(functional, _floats((4,), (4,), (2,)),
                       compile_args={"loss": {"head": "mse", "aux": "binary_crossentropy"},
                                     "loss_weights": {"head": 1.0, "aux": 0.5}}),
    "masked_rnn": Case(masked_rnn, _padded_ids),
    "stateful_rnn": Case(stateful_rnn, _floats((5, 3)), batch_size=4),
    "attention": Case(attention, _floats((5, 4), (6, 4))),
    "group_query_attention": Case(group_query_attention, _floats((5, 8), (6, 8)), libs=(K3, FK)),
    "backend_ops": Case(backend_ops, _floats((6,)), libs=(K2, FK)),
    "keras_ops": Case(keras_ops, _floats((6,)), libs=(K3, FK)),
    "preprocessing": Case(preprocessing, _features_and_image),
    "lookup": Case(lookup, lambda rng, n: [rng.choice([7, 3, 11, 42, 99], size=(n, 4)).astype("int64")],
                   libs=(K2, FK)),
    "custom": Case(custom, _floats((3,))),
    "initial_state": Case(initial_state, _floats((5, 3))),
    "mixed_precision": Case(mixed_precision, _floats((5, 3)), tolerance=1e-2),
    "compile_configs": Case(compile_configs, _floats((4,)), compile_args=compile_configs_args),
}
N_SAMPLES = 4


def inputs_for(name):
    return CASES[name].inputs(rng_for("inputs-" + name), N_SAMPLES)


def targets_for(name, model):
    """Targets shaped like the model's outputs, in [0, 1] (they also serve binary cross-entropy)."""
    rng = rng_for("targets-" + name)
    shapes = [tuple(d for d in t.shape)[1:] for t in model.outputs]
    targets = [rng.uniform(0, 1, size=(N_SAMPLES,) + s).astype("float32") for s in shapes]
    return targets if len(targets) > 1 else targets[0]


def randomize(model, name):
    """Seeded weights (moving variances positive), so predictions do not depend on a library's initializers."""
    rng = rng_for("weights-" + name)
    values = []
    for w, value in zip(model.weights, model.get_weights()):
        short = w.name.split("/")[-1].split(":")[0]
        if short in ("mean", "variance", "count") or value.dtype.kind not in "f":
            # An adapted Normalization keeps its statistics (Keras 3 computes with the ones adapt() made, not
            # with its variables), integer counters their values.
            values.append(value)
        elif "variance" in short:
            values.append(rng.uniform(0.5, 1.5, value.shape).astype(value.dtype))
        else:
            values.append(rng.uniform(-0.5, 0.5, value.shape).astype(value.dtype))
    model.set_weights(values)
