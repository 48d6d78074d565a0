"""Random tf-keras models for generate.py, one builder per family. A builder takes ``r`` (random.Random: the
architecture) and ``rs`` (numpy RandomState: the data) and returns ``Case(model, xs, ys, losses, metrics)``, the
losses and metrics by output name in JSON form (names, or {'class_name', 'config'})."""
import collections

import numpy as np
import tf_keras as keras

L = keras.layers
BATCH = 8
ACTIVATIONS = ["relu", "tanh", "sigmoid", "elu", "selu", "softplus", "softsign", "linear", "swish", "gelu", "relu6",
               "hard_sigmoid"]

Case = collections.namedtuple("Case", "model xs ys losses metrics")


# ---- output heads: a Dense, a loss that fits it, metrics, and matching targets ---------------------------------

def output_head(r, rs, x, name):
    """(output tensor, loss, metrics, targets) for one output of the model."""
    kind = r.choice(["regression", "regression", "binary", "categorical", "sparse", "binary_logits",
                     "categorical_logits", "positive"])
    n = r.choice([1, 2, 3])
    if kind == "regression":
        loss = r.choice(["mse", "mae", "huber", "logcosh", "mean_squared_logarithmic_error"])
        activation = "softplus" if loss == "mean_squared_logarithmic_error" else r.choice(["linear", "tanh"])
        metrics = r.sample(["mae", "mse", "RootMeanSquaredError", "cosine_similarity", "logcosh", "msle",
                            "MeanAbsolutePercentageError", "accuracy"], r.randint(0, 2))
        y = (rs.rand(BATCH, n) * 1.5).astype("float32")
        return L.Dense(n, activation=activation, name=name)(x), loss, metrics, y
    if kind in ("binary", "binary_logits"):
        y = (rs.rand(BATCH, n) > 0.5).astype("float32")
        if kind == "binary":
            loss = r.choice(["binary_crossentropy", "hinge", "squared_hinge", "binary_focal_crossentropy"])
            metrics = r.sample(["accuracy", "binary_accuracy", "AUC", "Precision", "Recall", "binary_crossentropy",
                                "TruePositives", "hinge"], r.randint(0, 3))
            return L.Dense(n, activation="sigmoid", name=name)(x), loss, metrics, y
        loss = {"class_name": "BinaryCrossentropy", "config": {"from_logits": True,
                                                               "label_smoothing": r.choice([0.0, 0.1])}}
        metrics = r.sample(["accuracy", {"class_name": "BinaryAccuracy", "config": {"threshold": 0.0}}],
                           r.randint(0, 1))
        return L.Dense(n, name=name)(x), loss, metrics, y
    if kind in ("categorical", "categorical_logits"):
        n = max(n, 2)
        y = np.eye(n, dtype="float32")[rs.randint(0, n, BATCH)]
        if kind == "categorical":
            loss = r.choice(["categorical_crossentropy", "kld", "categorical_hinge", "poisson"])
            metrics = r.sample(["accuracy", "categorical_accuracy", "AUC", "categorical_crossentropy", "KLDivergence",
                                {"class_name": "TopKCategoricalAccuracy", "config": {"k": 2}}], r.randint(0, 3))
            return L.Dense(n, activation="softmax", name=name)(x), loss, metrics, y
        loss = {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True,
                                                                    "label_smoothing": r.choice([0.0, 0.2])}}
        return L.Dense(n, name=name)(x), loss, r.sample(["accuracy", "categorical_accuracy"], r.randint(0, 1)), y
    if kind == "sparse":
        n = max(n, 2)
        loss = r.choice(["sparse_categorical_crossentropy",
                         {"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": False}}])
        metrics = r.sample(["accuracy", "sparse_categorical_accuracy", "sparse_categorical_crossentropy",
                            {"class_name": "SparseTopKCategoricalAccuracy", "config": {"k": 2}}], r.randint(0, 2))
        y = rs.randint(0, n, (BATCH, 1)).astype("int32")
        return L.Dense(n, activation="softmax", name=name)(x), loss, metrics, y
    loss = r.choice(["cosine_similarity", "poisson", "mape", "kld"])
    metrics = r.sample(["mae", "poisson", "KLDivergence", "cosine_similarity"], r.randint(0, 2))
    return L.Dense(n, activation="softplus", name=name)(x), loss, metrics, (rs.rand(BATCH, n) + 0.2).astype("float32")


def single_output_case(r, rs, inputs, xs, h):
    out, loss, metrics, y = output_head(r, rs, h, "out0")
    return Case(keras.Model(inputs, out), xs, [y], {"out0": loss}, {"out0": metrics})


# ---- functional models: several inputs and outputs, shared layers, nested models, merges --------------------

def _input(r, rs, kind, name):
    if kind == "vector":
        d = r.choice([3, 5])
        return keras.Input((d,), name=name), rs.randn(BATCH, d).astype("float32")
    if kind == "sequence":
        return keras.Input((5, 3), name=name), rs.randn(BATCH, 5, 3).astype("float32")
    if kind == "image":
        return keras.Input((6, 6, 2), name=name), rs.randn(BATCH, 6, 6, 2).astype("float32")
    ids = rs.randint(0, 9, (BATCH, 6)).astype("int32")
    ids[:, -2:] *= rs.randint(0, 2, (BATCH, 1))  # some trailing padding
    return keras.Input((6,), dtype="int32", name=name), ids


def _encoder(r, kind, units):
    """A layer or small model mapping an input of ``kind`` to (None, units); reused when kinds repeat."""
    if kind == "vector":
        return L.Dense(units, activation=r.choice(ACTIVATIONS))
    if kind == "sequence":
        choice = r.choice(["lstm", "gru", "conv", "flatten", "bidirectional"])
        if choice == "lstm":
            return L.LSTM(units)
        if choice == "gru":
            return L.GRU(units, reset_after=r.random() < 0.5)
        if choice == "bidirectional":
            return keras.Sequential([L.Bidirectional(L.SimpleRNN(units), merge_mode="sum")])
        if choice == "conv":
            return keras.Sequential([L.Conv1D(units, 2, activation="relu"), L.GlobalMaxPooling1D()])
        return keras.Sequential([L.Flatten(), L.Dense(units)])
    if kind == "image":
        return keras.Sequential([L.Conv2D(3, 3, activation="relu"),
                                 r.choice([L.GlobalAveragePooling2D(), L.Flatten()]), L.Dense(units)])
    return keras.Sequential([L.Embedding(9, 4, mask_zero=r.random() < 0.5),
                             r.choice([L.GlobalAveragePooling1D(), L.LSTM(units)]), L.Dense(units)])


def _merge(r, features):
    if len(features) == 1:
        return features[0]
    choice = r.choice(["add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot",
                       "concatenate_function"])
    if choice == "subtract":
        return L.Subtract()(features[:2])
    if choice == "dot":
        return L.Concatenate()([L.Dot(axes=1, normalize=r.random() < 0.5)(features[:2])] + features[2:] + [features[0]])
    if choice == "concatenate_function":
        return L.concatenate(features, axis=-1)
    return {"add": L.Add, "multiply": L.Multiply, "average": L.Average, "maximum": L.Maximum,
            "minimum": L.Minimum, "concatenate": L.Concatenate}[choice]()(features)


def functional_model(r, rs):
    units = r.choice([3, 4])
    kinds = [r.choice(["vector", "sequence", "image", "ids"]) for _ in range(r.choice([1, 2, 2, 3]))]
    if len(kinds) >= 2 and r.random() < 0.5:
        kinds[1] = kinds[0]  # the same kind twice: its encoder is shared (a layer with two nodes)
    inputs, xs, features, encoders = [], [], [], {}
    for i, kind in enumerate(kinds):
        inp, x = _input(r, rs, kind, f"in{i}")
        if kind in encoders and inp.shape == encoders[kind][1].shape:
            encoder = encoders[kind][0]
        else:
            encoder = _encoder(r, kind, units)
            encoders[kind] = (encoder, inp)
        inputs.append(inp)
        xs.append(x)
        features.append(encoder(inp))
    h = _merge(r, features)
    if r.random() < 0.5:  # a nested model, maybe called twice
        inner_input = keras.Input(h.shape[1:])
        inner = L.Dense(units, activation=r.choice(ACTIVATIONS))(inner_input)
        if r.random() < 0.5:
            inner = L.LayerNormalization()(inner)
        inner_model = keras.Model(inner_input, inner, name="inner")
        h = inner_model(h)
        if r.random() < 0.5 and h.shape[-1] == inner_input.shape[-1]:
            h = L.Add()([h, inner_model(h)])
    if r.random() < 0.3:
        h = L.BatchNormalization(momentum=0.5)(h)
    outputs, ys, losses, metrics = [], [], {}, {}
    n_outputs = r.choice([1, 2, 2, 3])
    for j in range(n_outputs):
        t = h if r.random() < 0.6 else L.Dense(units, activation=r.choice(ACTIVATIONS))(h)
        out, loss, output_metrics, y = output_head(r, rs, t, f"out{j}")
        outputs.append(out)
        ys.append(y)
        losses[f"out{j}"], metrics[f"out{j}"] = loss, output_metrics
    model = keras.Model(inputs, outputs if n_outputs > 1 or r.random() < 0.5 else outputs[0])
    return Case(model, xs, ys, losses, metrics)


# ---- masks through many layers ----------------------------------------------------------------------------------

def _masked_input(r, rs, steps, features):
    """An Embedding(mask_zero) on ids padded at either end, or Masking on zero-padded floats."""
    if r.random() < 0.5:
        inp = keras.Input((steps,), dtype="int32", name="ids")
        x = rs.randint(1, 8, (BATCH, steps)).astype("int32")
        for b in range(BATCH):
            k = rs.randint(0, steps - 1)
            if r.random() < 0.5:
                x[b, steps - k:] = 0
            else:
                x[b, :k] = 0
        return inp, x, L.Embedding(8, features, mask_zero=True)(inp)
    inp = keras.Input((steps, features), name="seq")
    x = rs.randn(BATCH, steps, features).astype("float32")
    for b in range(BATCH):
        k = rs.randint(0, steps - 1)
        x[b, steps - k:] = 0.0
    return inp, x, L.Masking(0.0)(inp)


def _masked_step(r, h, steps):
    choice = r.choice(["lstm", "gru", "rnn", "bidirectional", "time_distributed", "conv", "attention",
                       "additive_attention", "multi_head_attention", "add", "concatenate", "layer_norm", "dense",
                       "states", "activation", "batch_norm"])
    units = r.choice([2, 4])
    if choice == "lstm":
        return L.LSTM(units, return_sequences=True, go_backwards=r.random() < 0.3)(h)
    if choice == "gru":
        return L.GRU(units, return_sequences=True, reset_after=r.random() < 0.5, go_backwards=r.random() < 0.3)(h)
    if choice == "rnn":
        return L.SimpleRNN(units, return_sequences=True)(h)
    if choice == "bidirectional":
        cell = r.choice([L.LSTM, L.GRU, L.SimpleRNN])(units, return_sequences=True)
        return L.Bidirectional(cell, merge_mode=r.choice(["concat", "sum", "mul", "ave"]))(h)
    if choice == "time_distributed":
        return L.TimeDistributed(L.Dense(units, activation="tanh"))(h)
    if choice == "conv":
        return L.Conv1D(units, 2, padding=r.choice(["same", "causal"]))(h)
    if choice == "attention":
        return L.Attention(use_scale=r.random() < 0.5, score_mode=r.choice(["dot", "concat"]))([h, h])
    if choice == "additive_attention":
        return L.AdditiveAttention(use_scale=r.random() < 0.5)([h, h])
    if choice == "multi_head_attention":
        return L.MultiHeadAttention(num_heads=2, key_dim=2)(h, h)
    if choice == "add":
        return L.Add()([h, L.Dense(h.shape[-1])(h)])
    if choice == "concatenate":
        return L.Concatenate()([h, L.Dense(2)(h)])
    if choice == "layer_norm":
        return L.LayerNormalization()(h)
    if choice == "dense":
        return L.Dense(units, activation=r.choice(ACTIVATIONS))(h)
    if choice == "activation":
        return L.Activation(r.choice(ACTIVATIONS))(h)
    if choice == "batch_norm":
        return L.BatchNormalization(momentum=0.5)(h)
    if r.random() < 0.5:  # return_state into initial_state
        sequence, h_state, c_state = L.LSTM(units, return_sequences=True, return_state=True)(h)
        return L.LSTM(units, return_sequences=True)(sequence, initial_state=[h_state, c_state])
    sequence, state = L.GRU(units, return_sequences=True, return_state=True)(h)
    return L.GRU(units, return_sequences=True)(sequence, initial_state=state)


def masked_model(r, rs):
    steps = 6
    inp, x, h = _masked_input(r, rs, steps, 3)
    for _ in range(r.randint(1, 3)):
        h = _masked_step(r, h, steps)
    end = r.choice(["average", "max", "lstm", "gru", "flatten"])
    if end == "average":
        h = L.GlobalAveragePooling1D()(h)
    elif end == "max":
        h = L.GlobalMaxPooling1D()(h)
    elif end == "lstm":
        h = L.LSTM(3)(h)
    elif end == "gru":
        h = L.GRU(3)(h)
    else:
        h = L.Flatten()(L.TimeDistributed(L.Dense(1))(h))
    return single_output_case(r, rs, inp, [x], h)


def sequence_output_model(r, rs):
    """Per-timestep outputs that carry the input's Keras mask: losses and metrics skip the masked steps."""
    steps = 6
    inp, x, h = _masked_input(r, rs, steps, 3)
    choice = r.choice(["lstm", "gru", "rnn", "bidirectional", "dense", "time_distributed"])
    if choice == "lstm":
        h = L.LSTM(4, return_sequences=True)(h)
    elif choice == "gru":
        h = L.GRU(4, return_sequences=True, reset_after=r.random() < 0.5)(h)
    elif choice == "rnn":
        h = L.SimpleRNN(4, return_sequences=True)(h)
    elif choice == "bidirectional":
        h = L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode=r.choice(["concat", "sum"]))(h)
    elif choice == "dense":
        h = L.Dense(4, activation="tanh")(h)
    else:
        h = L.TimeDistributed(L.Dense(4, activation="relu"))(h)
    kind = r.choice(["regression", "sparse", "categorical", "binary"])
    n = 3 if kind in ("sparse", "categorical") else r.choice([1, 3])
    if kind == "regression":
        out = L.TimeDistributed(L.Dense(n), name="out0")(h)
        loss, metrics = r.choice(["mse", "mae", "huber"]), r.sample(["mae", "mse", "accuracy"], r.randint(0, 2))
        y = rs.randn(BATCH, steps, n).astype("float32")
    elif kind == "sparse":
        out = L.Dense(n, activation="softmax", name="out0")(h)
        loss = "sparse_categorical_crossentropy"
        metrics = r.sample(["accuracy", "sparse_categorical_accuracy"], r.randint(0, 2))
        y = rs.randint(0, n, (BATCH, steps) + ((1,) if r.random() < 0.5 else ())).astype("int32")
    elif kind == "categorical":
        out = L.Dense(n, activation="softmax", name="out0")(h)
        loss, metrics = "categorical_crossentropy", r.sample(["accuracy", "categorical_accuracy"], r.randint(0, 2))
        y = np.eye(n, dtype="float32")[rs.randint(0, n, (BATCH, steps))]
    else:
        out = L.Dense(n, activation="sigmoid", name="out0")(h)
        loss, metrics = "binary_crossentropy", r.sample(["accuracy", "AUC"], r.randint(0, 2))
        y = (rs.rand(BATCH, steps, n) > 0.5).astype("float32")
    return Case(keras.Model(inp, out), [x], [y], {"out0": loss}, {"out0": metrics})


# ---- the less common layers, both data formats -------------------------------------------------------------------

def _spatial_stack(r, data_format):
    first = data_format == "channels_first"
    choice = r.choice(["conv_lstm1d", "conv_lstm2d", "conv3d", "locally_connected1d", "group_norm", "unit_norm",
                       "cropping3d", "upsampling3d", "conv1d_transpose", "conv3d_transpose", "grouped_conv",
                       "pooling3d", "separable1d", "depthwise1d", "einsum"])
    if choice == "conv_lstm1d":
        return (4, 2, 6) if first else (4, 6, 2), [L.ConvLSTM1D(
            2, 2, padding=r.choice(["valid", "same"]), data_format=data_format,
            return_sequences=r.random() < 0.5, go_backwards=r.random() < 0.3, dilation_rate=r.choice([1, 2]))]
    if choice == "conv_lstm2d":
        return (3, 2, 5, 5) if first else (3, 5, 5, 2), [L.ConvLSTM2D(
            2, (2, 3), padding=r.choice(["valid", "same"]), data_format=data_format,
            return_sequences=r.random() < 0.5, strides=r.choice([1, 2]),
            recurrent_activation=r.choice(["sigmoid", "hard_sigmoid"]))]
    if choice == "conv3d":
        padding = r.choice(["valid", "same"])
        dilation = r.choice([1, 2]) if padding == "same" else 1
        return (2, 5, 5, 5) if first else (5, 5, 5, 2), [L.Conv3D(
            r.choice([2, 4]), r.choice([2, 3, (1, 2, 3)]), strides=1 if dilation > 1 else r.choice([1, 2]),
            padding=padding, dilation_rate=dilation, data_format=data_format, groups=r.choice([1, 2]),
            activation=r.choice(ACTIVATIONS))]
    if choice == "locally_connected1d":
        return (7, 3), [L.LocallyConnected1D(2, r.choice([2, 3]), strides=r.choice([1, 2]),
                                             implementation=r.choice([1, 2, 3]), activation=r.choice(ACTIVATIONS))]
    if choice == "group_norm":
        return r.choice([(5, 5, 4), (6, 4)]), [L.Dense(4), L.GroupNormalization(
            groups=r.choice([1, 2, 4, -1]), center=r.random() < 0.7, scale=r.random() < 0.7, epsilon=1e-3)]
    if choice == "unit_norm":
        return (4, 3), [L.UnitNormalization(axis=r.choice([-1, 1, [1, 2]]))]
    if choice == "cropping3d":
        return (2, 5, 5, 5) if first else (5, 5, 5, 2), [
            L.Cropping3D(((1, 0), (0, 2), (1, 1)), data_format=data_format), L.Conv3D(2, 2, data_format=data_format)]
    if choice == "upsampling3d":
        return (2, 2, 3, 2) if first else (2, 3, 2, 2), [L.UpSampling3D((2, 1, 2), data_format=data_format),
                                                         L.Conv3D(2, 2, data_format=data_format)]
    if choice == "conv1d_transpose":
        strides = r.choice([1, 2])
        dilation = r.choice([1, 2]) if strides == 1 else 1
        return (3, 5) if first else (5, 3), [L.Conv1DTranspose(
            2, r.choice([2, 3]), strides=strides, padding=r.choice(["valid", "same"]), data_format=data_format,
            output_padding=r.choice([None] + ([1] if strides == 2 else [0])), dilation_rate=dilation)]
    if choice == "conv3d_transpose":
        strides = r.choice([1, 2])
        return (2, 3, 3, 3) if first else (3, 3, 3, 2), [L.Conv3DTranspose(
            2, r.choice([2, 3]), strides=strides, padding=r.choice(["valid", "same"]), data_format=data_format,
            output_padding=r.choice([None] + ([1] if strides == 2 else [0])))]
    if choice == "grouped_conv":
        return (4, 6, 6) if first else (6, 6, 4), [L.Conv2D(
            4, 3, groups=r.choice([2, 4]), data_format=data_format, padding=r.choice(["valid", "same"]),
            dilation_rate=r.choice([1, 2])), L.Activation("relu")]
    if choice == "pooling3d":
        return (2, 4, 5, 4) if first else (4, 5, 4, 2), [r.choice([L.MaxPooling3D, L.AveragePooling3D])(
            r.choice([2, (2, 1, 2)]), strides=r.choice([None, 1]), padding=r.choice(["valid", "same"]),
            data_format=data_format)]
    if choice == "separable1d":
        return (7, 3), [L.SeparableConv1D(4, 3, strides=r.choice([1, 2]), padding=r.choice(["valid", "same"]),
                                          depth_multiplier=r.choice([1, 2]))]
    if choice == "depthwise1d":
        return (3, 7) if first else (7, 3), [L.DepthwiseConv1D(
            3, strides=r.choice([1, 2]), padding=r.choice(["valid", "same"]), depth_multiplier=r.choice([1, 2]),
            data_format=data_format)]
    equation, output_shape, bias_axes = r.choice([("abc,cd->abd", (4, 5), "d"), ("abc,cde->abde", (4, 2, 3), "de"),
                                                  ("abc,bcd->ad", (5,), "d"), ("abc,cd->abd", (None, 5), None)])
    return (4, 3), [L.EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes,
                                  activation=r.choice(ACTIVATIONS))]


def _channels_first_stack(r, rank):
    """Convolutions, pooling, padding, cropping, upsampling and global pooling of rank 1, 2 or 3, channels first."""
    f = "channels_first"
    if rank == 1:
        blocks = [lambda: L.Conv1D(2, 3, padding=r.choice(["valid", "same", "causal"]), data_format=f,
                                   dilation_rate=r.choice([1, 2])),
                  lambda: L.SeparableConv1D(2, 2, data_format=f),
                  lambda: r.choice([L.MaxPooling1D, L.AveragePooling1D])(2, data_format=f,
                                                                         padding=r.choice(["valid", "same"])),
                  lambda: L.LocallyConnected1D(2, 2, data_format=f, implementation=r.choice([1, 2, 3])),
                  lambda: L.Conv1DTranspose(2, 2, strides=2, data_format=f)]
        ends = [L.GlobalAveragePooling1D(data_format=f), L.GlobalMaxPooling1D(data_format=f), L.Flatten()]
        return (3, 8), [r.choice(blocks)() for _ in range(r.randint(1, 2))] + [r.choice(ends)]
    if rank == 2:
        blocks = [lambda: L.Conv2D(2, 3, strides=r.choice([1, 2]), padding=r.choice(["valid", "same"]), data_format=f),
                  lambda: L.SeparableConv2D(2, 2, depth_multiplier=r.choice([1, 2]), data_format=f),
                  lambda: L.DepthwiseConv2D(2, depth_multiplier=r.choice([1, 2]), data_format=f),
                  lambda: L.Conv2DTranspose(2, 3, strides=r.choice([1, 2]), padding=r.choice(["valid", "same"]),
                                            data_format=f),
                  lambda: r.choice([L.MaxPooling2D, L.AveragePooling2D])(2, padding=r.choice(["valid", "same"]),
                                                                         data_format=f),
                  lambda: L.ZeroPadding2D(((1, 0), (2, 1)), data_format=f),
                  lambda: L.Cropping2D(((1, 0), (0, 1)), data_format=f),
                  lambda: L.UpSampling2D(2, interpolation=r.choice(["nearest", "bilinear"]), data_format=f),
                  lambda: L.BatchNormalization(axis=1, momentum=0.5),
                  lambda: L.LocallyConnected2D(2, 2, data_format=f, implementation=r.choice([1, 2, 3]))]
        ends = [L.GlobalAveragePooling2D(data_format=f), L.Flatten(data_format=f),
                L.GlobalMaxPooling2D(data_format=f, keepdims=r.random() < 0.5)]
        return (3, 7, 7), [r.choice(blocks)() for _ in range(r.randint(1, 3))] + [r.choice(ends)]
    blocks = [lambda: L.Conv3D(2, 2, data_format=f),
              lambda: r.choice([L.MaxPooling3D, L.AveragePooling3D])(2, data_format=f,
                                                                     padding=r.choice(["valid", "same"])),
              lambda: L.ZeroPadding3D(1, data_format=f),
              lambda: L.Conv3DTranspose(2, 2, strides=2, data_format=f)]
    ends = [L.GlobalAveragePooling3D(data_format=f), L.GlobalMaxPooling3D(data_format=f), L.Flatten(data_format=f)]
    return (2, 4, 4, 4), [r.choice(blocks)() for _ in range(r.randint(1, 2))] + [r.choice(ends)]


def _attention_case(r, rs):
    query, value = keras.Input((4, 3), name="q"), keras.Input((5, 3), name="v")
    xs = [rs.randn(BATCH, 4, 3).astype("float32"), rs.randn(BATCH, 5, 3).astype("float32")]
    choice = r.choice(["attention", "additive", "multi_head", "causal"])
    if choice == "attention":
        h = L.Attention(use_scale=r.random() < 0.5, score_mode=r.choice(["dot", "concat"]))([query, value, value])
    elif choice == "additive":
        h = L.AdditiveAttention(use_scale=r.random() < 0.5)([query, value])
    elif choice == "multi_head":
        h = L.MultiHeadAttention(num_heads=r.choice([1, 2]), key_dim=2, value_dim=r.choice([None, 3]),
                                 output_shape=r.choice([None, 4]))(query, value)
    else:
        h = L.MultiHeadAttention(num_heads=2, key_dim=2)(query, query, use_causal_mask=True)
    return single_output_case(r, rs, [query, value], xs, L.Flatten()(h))


def layer_model(r, rs):
    choice = r.random()
    if choice < 0.1:
        return _attention_case(r, rs)
    if choice < 0.35:
        shape, stack = _channels_first_stack(r, r.choice([1, 2, 3]))
    else:
        shape, stack = _spatial_stack(r, r.choice(["channels_last", "channels_first"]))
    inp = keras.Input(shape, name="x")
    h = inp
    for layer in stack:
        h = layer(h)
    if len(h.shape) > 2:
        h = L.Flatten()(h)
    return single_output_case(r, rs, inp, [rs.randn(BATCH, *shape).astype("float32")], h)


# ---- reshaping, activation layers, preprocessing layers, regularizers and constraints -------------------------

def _regularizer(r):
    return r.choice([None, None, "l1", "l2", "l1_l2", {"class_name": "L1L2", "config": {"l1": 0.01, "l2": 0.02}}])


def _constraint(r):
    return r.choice([None, None, "non_neg", "unit_norm", {"class_name": "MaxNorm", "config": {"max_value": 0.5}},
                     {"class_name": "MinMaxNorm", "config": {"min_value": 0.2, "max_value": 0.8, "rate": 0.5}}])


def _image_misc_step(r, h):
    choice = r.choice(["rescaling", "resizing", "center_crop", "normalization", "cropping", "regularized_conv",
                       "prelu", "softmax", "relu", "permute", "reshape"])
    if choice == "rescaling":
        return L.Rescaling(0.5, offset=-1.0)(h)
    if choice == "resizing" and h.shape[1] >= 3:
        return L.Resizing(r.choice([4, 5, 8]), r.choice([4, 6]),
                          interpolation=r.choice(["bilinear", "nearest", "bicubic", "area"]),
                          crop_to_aspect_ratio=r.random() < 0.3)(h)
    if choice == "center_crop" and h.shape[1] >= 4:
        return L.CenterCrop(3, 4)(h)
    if choice == "normalization":
        return L.Normalization(axis=-1, mean=[0.5] * h.shape[-1], variance=[2.0] * h.shape[-1])(h)
    if choice == "cropping" and h.shape[1] >= 4:
        return L.Cropping2D(((1, 0), (0, 1)))(h)
    if choice == "regularized_conv" and h.shape[1] >= 3:
        return L.Conv2D(2, 2, kernel_regularizer=_regularizer(r), bias_regularizer=_regularizer(r),
                        activity_regularizer=_regularizer(r), kernel_constraint=_constraint(r),
                        bias_constraint=r.choice([None, "non_neg"]))(h)
    if choice == "prelu":
        return L.PReLU(shared_axes=r.choice([None, [1, 2]]), alpha_initializer="ones")(h)
    if choice == "softmax":
        return L.Softmax(axis=r.choice([-1, 1]))(h)
    if choice == "relu":
        return r.choice([L.ReLU(max_value=r.choice([None, 1.0, 6.0]), negative_slope=r.choice([0.0, 0.1]),
                                threshold=r.choice([0.0, 0.2])),
                         L.LeakyReLU(0.3), L.ELU(0.7), L.ThresholdedReLU(0.5)])(h)
    if choice == "permute":
        return L.Permute((2, 1, 3))(h)
    if choice == "reshape":
        return L.Reshape((h.shape[1] * h.shape[2], h.shape[3], 1))(h)
    return h


def misc_model(r, rs):
    kind = r.choice(["image", "sequence", "vector"])
    if kind == "image":
        inp, x = keras.Input((6, 6, 2), name="img"), (rs.rand(BATCH, 6, 6, 2) * 4).astype("float32")
        h = inp
        for _ in range(r.randint(1, 3)):
            h = _image_misc_step(r, h)
        h = L.Flatten()(h)
    elif kind == "sequence":
        inp, x = keras.Input((5, 3), name="seq"), rs.randn(BATCH, 5, 3).astype("float32")
        choice = r.choice(["dot", "repeat", "concatenate_steps", "average", "permute", "padded_mask"])
        if choice == "dot":
            h = L.Dot(axes=r.choice([(1, 1), (2, 2)]), normalize=r.random() < 0.5)([inp, L.Dense(3)(inp)])
        elif choice == "repeat":
            h = L.RepeatVector(3)(L.Flatten()(inp))
        elif choice == "concatenate_steps":
            h = L.Concatenate(axis=1)([inp, L.Dense(3)(inp)])
        elif choice == "average":
            h = L.Average()([inp, L.Dense(3, activation="tanh")(inp), L.LayerNormalization()(inp)])
        elif choice == "permute":
            h = L.Permute((2, 1))(inp)
        else:
            h = L.ZeroPadding1D((1, 2))(L.Masking()(inp))
        h = L.Flatten()(L.Dense(2, kernel_regularizer=_regularizer(r), kernel_constraint=_constraint(r))(h))
    else:
        inp, x = keras.Input((5,), name="vec"), rs.randn(BATCH, 5).astype("float32")
        h = L.Dense(4, activation=r.choice(ACTIVATIONS), kernel_regularizer=_regularizer(r),
                    bias_regularizer=_regularizer(r), activity_regularizer=_regularizer(r),
                    kernel_constraint=_constraint(r), bias_constraint=r.choice([None, "non_neg"]))(inp)
        if r.random() < 0.5:
            h = L.ActivityRegularization(l1=0.01, l2=0.02)(h)
        if r.random() < 0.5:
            h = L.BatchNormalization(gamma_regularizer=_regularizer(r), beta_constraint=_constraint(r),
                                     momentum=0.5)(h)
    return single_output_case(r, rs, inp, [x], h)


# ---- stateful recurrent models on a fixed batch ---------------------------------------------------------------

def stateful_model(r, rs):
    steps = 4
    if r.random() < 0.2:
        inp = keras.Input((steps, 5, 2), batch_size=BATCH, name="x")
        h = L.Flatten()(L.ConvLSTM1D(2, 2, stateful=True, return_sequences=r.random() < 0.5)(inp))
        return single_output_case(r, rs, inp, [rs.randn(BATCH, steps, 5, 2).astype("float32")], h)
    inp = keras.Input((steps, 3), batch_size=BATCH, name="x")
    h = inp
    depth = r.randint(1, 2)
    for k in range(depth):
        sequences = k < depth - 1 or r.random() < 0.5
        kind = r.choice(["lstm", "gru", "rnn", "bidirectional"])
        if kind == "bidirectional":
            h = L.Bidirectional(L.LSTM(3, stateful=True, return_sequences=sequences))(h)
        else:
            h = {"lstm": L.LSTM, "gru": L.GRU, "rnn": L.SimpleRNN}[kind](
                r.choice([2, 3]), stateful=True, return_sequences=sequences, go_backwards=r.random() < 0.3)(h)
    if len(h.shape) > 2:
        h = L.Flatten()(h)
    return single_output_case(r, rs, inp, [rs.randn(BATCH, steps, 3).astype("float32")], h)


def mixed_precision_model(r, rs):
    return r.choice([functional_model, masked_model, layer_model])(r, rs)


FAMILIES = {
    "functional": functional_model, "masked": masked_model, "sequence_outputs": sequence_output_model,
    "layers": layer_model, "misc": misc_model, "fit": functional_model, "stateful": stateful_model,
    "mixed_float16": mixed_precision_model, "mixed_bfloat16": mixed_precision_model,
}
