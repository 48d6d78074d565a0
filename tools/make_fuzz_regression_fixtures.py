"""Writes tests/fixtures/fuzz_regressions/: tf-keras' answers for the discrepancies differential fuzzing found.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_fuzz_regression_fixtures.py

Each case is one discrepancy between fastkeras and tf-keras 2.21 that a random model exposed (the fuzzer
itself is not part of the repository); tests/saving/test_fuzz_regressions.py replays them on fastkeras.

* ``conv_lstm.keras`` / ``conv_lstm.weights.h5`` / ``conv_lstm.json``: a model with ConvLSTM1D and ConvLSTM2D
  saved by tf-keras; its weights sit under ``layers/conv_lstm1d`` and ``layers/conv_lstm2d`` (tf-keras' and
  Keras 3's snake case, where Keras 2.2's gave ``conv_lst_m2d``). Arrays ``conv_lstm/x<i>``, ``conv_lstm/y``.
* ``attention_nodes.json``: per model (masked MultiHeadAttention called as ``mha(h, h)``, with ``key=`` and
  ``use_causal_mask``, and Attention on a list), tf-keras' ``to_json()``; the test reads it with fastkeras and
  checks that the config it writes records each call as tf-keras did (value and key by keyword), since
  tf-keras cannot read a ``[query, value]`` list back.
* ``metrics_<name>.h5``: compiled models saved by tf-keras (``three_outputs`` after one ``train_on_batch``, its
  metrics built on the real targets; ``single_output_dict`` before any training), with ``expected.json[<name>]``: the compile arguments (``compile``), the inputs'
  array keys, and ``loaded_logs`` (what ``evaluate(return_dict=True)`` of the model tf-keras loads from that
  file returns: names and values). tf-keras compiles a loaded ``.h5`` model with ``from_serialized``: metric
  configs keep the log names they were saved with ('out0_mae', 'weighted_mae'), bare names become functions
  ('mae' -> 'mean_absolute_error'). ``file_metrics`` is the file's ``metrics`` entry, for reference.
* ``expected.json['fresh_names']``: ``evaluate`` logs of a freshly compiled two-output model with
  ``metrics=['AUC', 'Recall', 'mae']`` and ``weighted_metrics=['AUC']`` after three AUC objects were made:
  metrics named by string count their names afresh ('a_auc', 'b_auc_1', 'a_auc_2', 'b_auc_3').
* ``expected.json['written_metrics']``: ``training_config`` metrics and weighted metrics tf-keras writes into
  an ``.h5`` file for a compiled, never trained model, as ``[[class_name, name, fn], ...]`` per output.
* ``build_configs.keras`` and ``expected.json['build_configs']``: a model with Masking, LSTM, TimeDistributed,
  Bidirectional and Dense layers saved by tf-keras, and each layer's ``build_config`` in its config (a
  TimeDistributed's is its own input shape, not its inner layer's). Arrays ``build_configs/x0``, ``/y``.
* ``mixed_float16_lstm.h5``: an LSTM and a backward Bidirectional LSTM built under the ``mixed_float16`` policy
  (float32 output layer), compiled with SGD and mse; arrays ``mixed_float16_lstm/x0``, ``/y0``, ``/pred`` (its
  predictions) and ``/loss`` (the loss of one ``train_on_batch``).
* ``kinks/*`` arrays: TensorFlow's gradients where it and torch pick different one-sided derivatives: ``selu_dx``
  (selu at ``selu_x``, zeros included), ``maximum_da``/``_db`` and ``minimum_da``/``_db`` (a Maximum/Minimum
  merge of ``a`` and ``b``, which tie at many places, times the cotangent ``cot``), ``relu6_dx`` and
  ``relu6_leaky_dx`` (``relu(x, max_value=6)``, and with ``alpha=0.1``, at ``relu_x``, 0 and 6 included).
* ``selu_zeros.h5``: Dense(relu6) -> Dense(selu) -> Dense compiled with SGD(0.1) and mse, saved before training;
  arrays ``selu_zeros/x0`` (every other row zeros), ``/y0``, and ``/w<i>``, its weights after one
  ``train_on_batch``.
* ``logits_zero/*`` arrays: ``BinaryCrossentropy(from_logits=True, label_smoothing=0.1)`` of ``target`` and
  ``logits`` (exact zeros among them): ``loss`` and TensorFlow's gradient ``dlogits``. ``logits_zero.h5``:
  Masking -> LSTM -> Attention -> TimeDistributed(Dense(1)) -> Flatten -> Dense(1), compiled with SGD(0.5) and
  that loss, saved before training; ``logits_zero/x0`` (two fully masked rows, whose logits are exactly 0),
  ``/y0`` and ``/w<i>``, its weights after one ``train_on_batch``.
* ``class_weight_validation.h5`` and ``expected.json['class_weight_validation']``: a softmax classifier saved
  uncompiled (then compiled with SGD(0.1), sparse categorical cross-entropy and 'accuracy'), the ``fit`` arguments (``class_weight``, ``validation_split``, ``epochs``, ``batch_size``; no
  shuffling, sample weights ``class_weight_validation/sw``) and tf-keras' ``history``, whose val_loss is not
  weighed by class. Arrays ``class_weight_validation/x0``, ``/y0``, ``/sw``.

Arrays (inputs, targets, sample weights) are in ``arrays.npz`` as ``<case>/<key>``.
"""
import json
import os
import shutil
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

tf.get_logger().setLevel("ERROR")
L = keras.layers
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "fuzz_regressions")
ARRAYS = {}
EXPECTED = {}


def fresh(seed):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)


def conv_lstm_case():
    rng = fresh(1)
    a = keras.Input((3, 6, 2), name="a")
    b = keras.Input((2, 4, 4, 1), name="b")
    ha = L.ConvLSTM1D(2, 2, padding="same")(a)
    hb = L.ConvLSTM2D(2, (2, 2), return_sequences=True)(b)
    h = L.Concatenate()([L.Flatten()(ha), L.Flatten()(hb)])
    model = keras.Model([a, b], L.Dense(2)(h))
    xs = [rng.standard_normal((3, 3, 6, 2)).astype("float32"), rng.standard_normal((3, 2, 4, 4, 1)).astype("float32")]
    model.save(os.path.join(OUT_DIR, "conv_lstm.keras"))
    model.save_weights(os.path.join(OUT_DIR, "conv_lstm.weights.h5"))
    with open(os.path.join(OUT_DIR, "conv_lstm.json"), "w") as f:
        f.write(model.to_json())
    with zipfile.ZipFile(os.path.join(OUT_DIR, "conv_lstm.keras")) as z, z.open("model.weights.h5") as w:
        import h5py
        with h5py.File(w) as h:
            groups = sorted(h["layers"])
    assert "conv_lstm2d" in groups and "conv_lstm1d" in groups, groups
    ARRAYS.update({"conv_lstm/x0": xs[0], "conv_lstm/x1": xs[1], "conv_lstm/y": model.predict(xs, verbose=0)})


def attention_nodes_case():
    configs = {}
    fresh(2)
    i = keras.Input((5, 3), name="seq")
    h = L.Masking()(i)
    h = L.MultiHeadAttention(2, 2, name="mha")(h, h)
    configs["mha_masked_self"] = keras.Model(i, L.GlobalAveragePooling1D()(h)).to_json()
    fresh(3)
    i = keras.Input((5,), dtype="int32", name="ids")
    e = L.Embedding(7, 4, mask_zero=True)(i)
    q = L.Dense(4)(e)
    h = L.MultiHeadAttention(2, 2, name="mha")(q, e, key=q, use_causal_mask=True)
    configs["mha_key_causal"] = keras.Model(i, h).to_json()
    fresh(4)
    i = keras.Input((5, 3), name="seq")
    h = L.Masking()(i)
    h = L.Attention(name="attention")([h, L.Dense(3)(h)])
    configs["attention_list"] = keras.Model(i, h).to_json()
    with open(os.path.join(OUT_DIR, "attention_nodes.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)


def compile_args(spec):
    """compile() keywords from JSON: losses/metrics as names or {'class_name', 'config'}, per output."""
    def metrics(value):
        if isinstance(value, dict) and "class_name" in value:
            return keras.metrics.deserialize(value)
        if isinstance(value, dict):
            return {k: metrics(v) for k, v in value.items()}
        if isinstance(value, list):
            return [metrics(v) for v in value]
        return value
    kwargs = dict(optimizer=spec["optimizer"], loss=spec["loss"])
    for key in ("metrics", "weighted_metrics"):
        if key in spec:
            kwargs[key] = metrics(spec[key])
    if "loss_weights" in spec:
        kwargs["loss_weights"] = spec["loss_weights"]
    return kwargs


def three_output_model():
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    h = L.Concatenate()([L.Dense(5, activation="tanh")(a), L.Dense(5, activation="relu")(b)])
    outs = [L.Dense(1, activation="sigmoid", name="out0")(h), L.Dense(3, activation="softmax", name="out1")(h),
            L.Dense(2, name="out2")(h)]
    return keras.Model([a, b], outs)


THREE_OUTPUT_COMPILE = {
    "optimizer": "adam", "loss": ["binary_crossentropy", "categorical_crossentropy", "mse"],
    "metrics": [["accuracy", {"class_name": "BinaryAccuracy", "config": {"threshold": 0.3}}, "AUC"],
                ["accuracy", "categorical_crossentropy"], ["mae", "RootMeanSquaredError", "logcosh"]],
    "weighted_metrics": ["mae"], "loss_weights": [0.5, 1.0, 2.0]}


def metric_names_cases():
    rng = fresh(5)
    model = three_output_model()
    model.compile(**compile_args(THREE_OUTPUT_COMPILE))
    xs = [rng.standard_normal((6, 4)).astype("float32"), rng.standard_normal((6, 3)).astype("float32")]
    ys = [(rng.random((6, 1)) > 0.5).astype("float32"), np.eye(3, dtype="float32")[rng.integers(0, 3, 6)],
          rng.standard_normal((6, 2)).astype("float32")]
    sw = (rng.random(6) + 0.5).astype("float32")
    model.train_on_batch(xs, ys, sample_weight=[sw, sw, sw])
    record_loaded("three_outputs", model, xs, ys, sw, THREE_OUTPUT_COMPILE)

    # One output compiled with a dict and saved before any training: tf-keras cannot build the metrics then and
    # writes the bare names it was given, which its loader turns into functions named after themselves.
    # (No weighted metrics here: 'mae' in both lists would become two metrics named 'mean_absolute_error', and
    # tf-keras' logs dict keeps only the last; fastkeras names the second 'weighted_mean_absolute_error'.)
    spec = {"optimizer": "sgd", "loss": {"out": "mse"}, "metrics": {"out": ["mae", "logcosh", "msle"]}}
    rng = fresh(6)
    i = keras.Input((3,), name="x")
    model = keras.Model(i, L.Dense(2, activation="softplus", name="out")(L.Dense(4, activation="tanh")(i)))
    model.compile(**compile_args(spec))
    xs = [rng.standard_normal((6, 3)).astype("float32")]
    ys = [rng.random((6, 2)).astype("float32")]
    sw = (rng.random(6) + 0.5).astype("float32")
    record_loaded("single_output_dict", model, xs, ys, sw, spec)


def record_loaded(name, model, xs, ys, sw, spec):
    path = os.path.join(OUT_DIR, f"metrics_{name}.h5")
    model.save(path)
    import h5py
    with h5py.File(path) as f:
        written = json.loads(f.attrs["training_config"])["metrics"]
    loaded = keras.models.load_model(path)
    x = xs if len(xs) > 1 else xs[0]
    y = ys if len(ys) > 1 else ys[0]
    logs = loaded.evaluate(x, y, sample_weight=sw if len(ys) == 1 else [sw] * len(ys), verbose=0,
                           return_dict=True, batch_size=len(sw))
    EXPECTED[name] = {"compile": spec, "n_inputs": len(xs), "n_outputs": len(ys), "file_metrics": written,
                      "loaded_logs": {k: float(v) for k, v in logs.items()}}
    ARRAYS.update({f"{name}/x{i}": v for i, v in enumerate(xs)})
    ARRAYS.update({f"{name}/y{i}": v for i, v in enumerate(ys)})
    ARRAYS[f"{name}/sw"] = sw


def fresh_names_case():
    rng = fresh(7)
    for _ in range(3):
        keras.metrics.AUC()  # the session's own count of AUC objects, which compile's names do not continue
    i = keras.Input((3,), name="x")
    model = keras.Model(i, [L.Dense(1, activation="sigmoid", name="a")(i),
                            L.Dense(1, activation="sigmoid", name="b")(i)])
    spec = {"optimizer": "sgd", "loss": "mse", "metrics": ["AUC", "Recall", "mae"], "weighted_metrics": ["AUC"]}
    model.compile(**compile_args(spec))
    x = rng.standard_normal((6, 3)).astype("float32")
    y = (rng.random((6, 1)) > 0.5).astype("float32")
    logs = model.evaluate(x, [y, y], verbose=0, return_dict=True)
    EXPECTED["fresh_names"] = {"compile": spec, "logs": {k: float(v) for k, v in logs.items()}}
    ARRAYS.update({"fresh_names/x0": x, "fresh_names/y0": y})


def written_metrics_case():
    fresh(8)
    model = three_output_model()
    model.compile(**compile_args(THREE_OUTPUT_COMPILE))
    path = os.path.join(OUT_DIR, "_written.h5")
    model.save(path)
    import h5py
    with h5py.File(path) as f:
        config = json.loads(f.attrs["training_config"])
    os.remove(path)

    def rows(per_output):
        return [[[m["class_name"], m["config"]["name"], m["config"].get("fn")] for m in ms] for ms in per_output]
    EXPECTED["written_metrics"] = {"compile": THREE_OUTPUT_COMPILE, "metrics": rows(config["metrics"]),
                                   "weighted_metrics": rows(config["weighted_metrics"])}


def build_configs_case():
    """What a .keras config records as each layer's build_config; Keras 3 rebuilds layers from it."""
    rng = fresh(9)
    i = keras.Input((6, 3), name="seq")
    h = L.Masking()(i)
    h = L.LSTM(4, return_sequences=True)(h)
    h = L.TimeDistributed(L.Dense(2))(h)
    h = L.Bidirectional(L.GRU(3))(h)
    model = keras.Model(i, L.Dense(1)(h))
    path = os.path.join(OUT_DIR, "build_configs.keras")
    model.save(path)
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
    EXPECTED["build_configs"] = {layer["config"]["name"]: layer.get("build_config")
                                 for layer in config["config"]["layers"]}
    x = rng.standard_normal((3, 6, 3)).astype("float32")
    ARRAYS.update({"build_configs/x0": x, "build_configs/y": model.predict(x, verbose=0)})


def mixed_float16_lstm_case():
    """LSTMs under mixed_float16 (fastkeras' fused CPU LSTM has no float16 kernel, so this failed to run)."""
    rng = fresh(10)
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        i = keras.Input((5, 3), name="seq")
        h = L.LSTM(4, return_sequences=True)(i)
        h = L.Bidirectional(L.LSTM(3, go_backwards=True))(h)
        model = keras.Model(i, L.Dense(2, dtype="float32")(h))
        model.compile("sgd", "mse")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.save(os.path.join(OUT_DIR, "mixed_float16_lstm.h5"))
    x = rng.standard_normal((4, 5, 3)).astype("float32")
    y = rng.standard_normal((4, 2)).astype("float32")
    ARRAYS.update({"mixed_float16_lstm/x0": x, "mixed_float16_lstm/y0": y,
                   "mixed_float16_lstm/pred": model.predict(x, verbose=0),
                   "mixed_float16_lstm/loss": np.float32(model.train_on_batch(x, y))})


def gradients_at_kinks_case():
    """Gradients where TensorFlow and torch pick different one-sided derivatives: selu at 0 (TF: scale), a
    Maximum/Minimum merge whose inputs tie (TF: all of it to the first input), relu6 at 6 (TF: 0)."""
    rng = fresh(11)
    selu_x = np.array([0.0, -0.0, -1.0, 2.0, 0.0], "float32")
    a = rng.integers(-2, 3, (4, 5)).astype("float32")
    b = np.where(rng.random((4, 5)) < 0.5, a, rng.integers(-2, 3, (4, 5))).astype("float32")  # many ties
    cot = rng.standard_normal((4, 5)).astype("float32")
    relu_x = np.array([-1.0, 0.0, 3.0, 6.0, 7.0], "float32")

    def grads(fn, *values):
        variables = [tf.Variable(v) for v in values]
        with tf.GradientTape() as tape:
            out = tf.reduce_sum(fn(*variables))
        return [g.numpy() for g in tape.gradient(out, variables)]
    ARRAYS.update({
        "kinks/selu_x": selu_x, "kinks/selu_dx": grads(keras.activations.selu, selu_x)[0],
        "kinks/a": a, "kinks/b": b, "kinks/cot": cot,
        "kinks/relu_x": relu_x,
        "kinks/relu6_dx": grads(lambda x: keras.activations.relu(x, max_value=6.0), relu_x)[0],
        "kinks/relu6_leaky_dx": grads(lambda x: keras.activations.relu(x, alpha=0.1, max_value=6.0), relu_x)[0],
    })
    for name, layer in (("maximum", L.Maximum()), ("minimum", L.Minimum())):
        da, db = grads(lambda x, y, layer=layer: layer([x, y]) * cot, a, b)
        ARRAYS.update({f"kinks/{name}_da": da, f"kinks/{name}_db": db})

    # The model a fuzzed case tripped on: selu units fed exact zeros (zero rows, zero biases) train differently.
    model = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu6"), L.Dense(3, activation="selu"),
                              L.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    x = rng.standard_normal((6, 3)).astype("float32")
    x[::2] = 0.0
    y = rng.standard_normal((6, 1)).astype("float32")
    model.save(os.path.join(OUT_DIR, "selu_zeros.h5"))
    model.train_on_batch(x, y)
    ARRAYS.update({"selu_zeros/x0": x, "selu_zeros/y0": y})
    ARRAYS.update({f"selu_zeros/w{i}": w for i, w in enumerate(model.get_weights())})


def logits_at_zero_case():
    """BinaryCrossentropy(from_logits=True) where logits are exactly 0: fully masked rows give zero logits through
    Attention (masked queries output zeros) and zero biases; TensorFlow's gradient there is sigmoid(0) - z."""
    rng = fresh(12)
    logits = np.array([[0.0, 0.5], [-1.0, 0.0], [0.0, 0.0]], "float32")
    target = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "float32")
    variable = tf.Variable(logits)
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)(target, variable)
    ARRAYS.update({"logits_zero/logits": logits, "logits_zero/target": target,
                   "logits_zero/loss": loss.numpy(), "logits_zero/dlogits": tape.gradient(loss, variable).numpy()})

    i = keras.Input((4, 2), name="seq")
    h = L.Masking()(i)
    h = L.LSTM(3, return_sequences=True)(h)
    h = L.Attention()([h, h])
    h = L.Flatten()(L.TimeDistributed(L.Dense(1))(h))
    model = keras.Model(i, L.Dense(1)(h))
    model.compile(keras.optimizers.SGD(0.5), keras.losses.BinaryCrossentropy(from_logits=True))
    x = rng.standard_normal((6, 4, 2)).astype("float32")
    x[1] = 0.0  # fully masked rows: zero logits
    x[4] = 0.0
    x[2, 2:] = 0.0
    y = (rng.random((6, 1)) > 0.5).astype("float32")
    model.save(os.path.join(OUT_DIR, "logits_zero.h5"))
    model.train_on_batch(x, y)
    ARRAYS.update({"logits_zero/x0": x, "logits_zero/y0": y})
    ARRAYS.update({f"logits_zero/w{i}": w for i, w in enumerate(model.get_weights())})


def class_weight_validation_case():
    """fit(class_weight=..., validation_split=...): tf-keras weighs the training samples by class, never the
    validation split (fastkeras weighed both, so val_loss came out scaled)."""
    rng = fresh(13)
    i = keras.Input((3,), name="x")
    model = keras.Model(i, L.Dense(3, activation="softmax")(L.Dense(4, activation="tanh")(i)))
    # Saved before compiling: tf-keras' save() builds compiled metrics on the outputs, which would make this
    # fit's 'accuracy' categorical_accuracy on sparse labels (see saving/training_config.py).
    model.save(os.path.join(OUT_DIR, "class_weight_validation.h5"))
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = rng.standard_normal((10, 3)).astype("float32")
    y = rng.integers(0, 3, (10, 1)).astype("int32")
    sw = (rng.random(10) + 0.5).astype("float32")
    history = model.fit(x, y, sample_weight=sw, class_weight={0: 0.5, 1: 2.0, 2: 1.5}, validation_split=0.4,
                        epochs=2, batch_size=3, shuffle=False, verbose=0)
    ARRAYS.update({"class_weight_validation/x0": x, "class_weight_validation/y0": y,
                   "class_weight_validation/sw": sw})
    EXPECTED["class_weight_validation"] = {
        "class_weight": {"0": 0.5, "1": 2.0, "2": 1.5}, "validation_split": 0.4, "epochs": 2, "batch_size": 3,
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()}}


def main():
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    os.makedirs(OUT_DIR)
    conv_lstm_case()
    attention_nodes_case()
    metric_names_cases()
    fresh_names_case()
    written_metrics_case()
    build_configs_case()
    mixed_float16_lstm_case()
    gradients_at_kinks_case()
    logits_at_zero_case()
    class_weight_validation_case()
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **ARRAYS)
    with open(os.path.join(OUT_DIR, "expected.json"), "w") as f:
        json.dump(EXPECTED, f, indent=1, sort_keys=True)
    size = sum(os.path.getsize(os.path.join(OUT_DIR, n)) for n in os.listdir(OUT_DIR))
    print(f"wrote {len(os.listdir(OUT_DIR))} files, {size / 1024:.0f} KiB, into {os.path.normpath(OUT_DIR)}")


if __name__ == "__main__":
    main()
