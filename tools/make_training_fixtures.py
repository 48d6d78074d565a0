"""Reference training runs from real Keras 2 (tf-keras): one epoch of fit per loss and per optimizer.

Run with a Python that has tensorflow-cpu + tf-keras (see tools/README.md):

    /work/kvenv/bin/python tools/make_training_fixtures.py

Writes tests/fixtures/training/: for every case the initial weights, the data,
the weights after one epoch of ``fit(shuffle=False)`` and the logged history.
The test (tests/engine/test_training_parity.py) starts fastkeras from the same
weights and data and compares.
"""
import json
import os
import zlib

import numpy as np
import tf_keras as keras

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "training")

# (case name, loss, output activation, target kind, units)
LOSS_CASES = [
    ("mse", "mean_squared_error", "linear", "real", 3),
    ("mae", "mae", "linear", "real", 3),
    ("mape", "mape", "linear", "positive", 3),
    ("msle", "msle", "relu", "positive", 3),
    ("squared_hinge", "squared_hinge", "tanh", "sign", 3),
    ("hinge", "hinge", "tanh", "sign", 3),
    ("categorical_hinge", "categorical_hinge", "softmax", "onehot", 3),
    ("logcosh", "logcosh", "linear", "real", 3),
    ("huber", "huber", "linear", "real", 3),
    ("categorical_crossentropy", "categorical_crossentropy", "softmax", "onehot", 3),
    ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy", "softmax", "sparse", 3),
    ("binary_crossentropy", "binary_crossentropy", "sigmoid", "binary", 3),
    ("kullback_leibler_divergence", "kullback_leibler_divergence", "softmax", "onehot_soft", 3),
    ("poisson", "poisson", "softplus", "positive", 3),
    ("cosine_similarity", "cosine_similarity", "linear", "real", 3),
    ("cce_from_logits", "cce_logits", "linear", "onehot", 3),
    ("bce_from_logits", "bce_logits", "linear", "binary", 3),
]

OPTIMIZER_CASES = [
    ("sgd", {"class_name": "SGD", "config": {"learning_rate": 0.1}}),
    ("sgd_momentum", {"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9}}),
    ("sgd_nesterov", {"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}}),
    ("rmsprop", {"class_name": "RMSprop", "config": {"learning_rate": 0.01}}),
    ("rmsprop_centered", {"class_name": "RMSprop", "config": {"learning_rate": 0.01, "centered": True,
                                                              "momentum": 0.5}}),
    ("adam", {"class_name": "Adam", "config": {"learning_rate": 0.01}}),
    ("adam_amsgrad", {"class_name": "Adam", "config": {"learning_rate": 0.01, "amsgrad": True}}),
    ("adagrad", {"class_name": "Adagrad", "config": {"learning_rate": 0.1}}),
    ("adadelta", {"class_name": "Adadelta", "config": {"learning_rate": 1.0}}),
    ("adamax", {"class_name": "Adamax", "config": {"learning_rate": 0.01}}),
    ("nadam", {"class_name": "Nadam", "config": {"learning_rate": 0.01}}),
    ("sgd_clipnorm", {"class_name": "SGD", "config": {"learning_rate": 0.1, "clipnorm": 0.05}}),
    ("adam_clipvalue", {"class_name": "Adam", "config": {"learning_rate": 0.01, "clipvalue": 0.01}}),
]


def targets(kind, rng, n, units):
    if kind == "real":
        return rng.normal(size=(n, units)).astype("float32")
    if kind == "positive":
        return rng.uniform(0.5, 2.0, size=(n, units)).astype("float32")
    if kind == "sign":
        return np.where(rng.random((n, units)) > 0.5, 1.0, -1.0).astype("float32")
    if kind == "onehot":
        return np.eye(units, dtype="float32")[rng.integers(0, units, n)]
    if kind == "onehot_soft":
        p = rng.uniform(0.1, 1.0, size=(n, units)).astype("float32")
        return p / p.sum(1, keepdims=True)
    if kind == "sparse":
        return rng.integers(0, units, size=(n, 1)).astype("int64")
    if kind == "binary":
        return (rng.random((n, units)) > 0.5).astype("float32")
    raise ValueError(kind)


def small_model(activation, units):
    inputs = keras.Input((6,), name="x")
    hidden = keras.layers.Dense(5, activation="tanh", name="hidden")(inputs)
    outputs = keras.layers.Dense(units, activation=activation, name="out")(hidden)
    return keras.Model(inputs, outputs)


def resolve_loss(loss):
    if loss == "cce_logits":
        return keras.losses.CategoricalCrossentropy(from_logits=True), {"class_name": "CategoricalCrossentropy",
                                                                          "from_logits": True}
    if loss == "bce_logits":
        return keras.losses.BinaryCrossentropy(from_logits=True), {"class_name": "BinaryCrossentropy",
                                                                     "from_logits": True}
    return loss, loss


def save_case(name, model_weights, x, y, final_weights, history, meta):
    arrays = {"x": x, "y": y}
    arrays.update({f"w{i}": w for i, w in enumerate(model_weights)})
    arrays.update({f"final{i}": w for i, w in enumerate(final_weights)})
    np.savez(os.path.join(OUT, f"{name}.npz"), **arrays)
    meta = dict(meta, history={k: [float(v) for v in vals] for k, vals in history.items()},
                n_weights=len(model_weights))
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)


def run_loss_cases():
    for name, loss, activation, kind, units in LOSS_CASES:
        keras.utils.set_random_seed(1)
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        x = rng.normal(size=(40, 6)).astype("float32")
        y = targets(kind, rng, 40, units)
        model = small_model(activation, units)
        initial = [w.copy() for w in model.get_weights()]
        loss_obj, loss_meta = resolve_loss(loss)
        # MAPE is on a percent scale (values near 100): a smaller step keeps the run well-conditioned.
        lr = 0.001 if name == "mape" else 0.1
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=loss_obj)
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        save_case(f"loss_{name}", initial, x, y, model.get_weights(), history.history,
                  {"loss": loss_meta, "activation": activation, "units": units,
                   "optimizer": {"class_name": "SGD", "config": {"learning_rate": lr}}, "epochs": 2,
                   "batch_size": 8})


def run_optimizer_cases():
    for name, opt in OPTIMIZER_CASES:
        keras.utils.set_random_seed(2)
        rng = np.random.default_rng(5)
        x = rng.normal(size=(40, 6)).astype("float32")
        y = targets("real", rng, 40, 3)
        model = small_model("linear", 3)
        initial = [w.copy() for w in model.get_weights()]
        # The class itself: tf-keras' get() maps a capitalised class_name dict to the *legacy* optimizer.
        # Nadam runs eagerly: under tf.function tf-keras' Nadam advances its shared momentum-schedule
        # product once per *variable* per step (a trace-time Python counter decides when it is cached), so
        # graph-mode numbers depend on the number of weights. fastkeras implements the documented rule,
        # which is what tf-keras computes eagerly.
        model.compile(optimizer=getattr(keras.optimizers, opt["class_name"])(**opt["config"]), loss="mse",
                      run_eagerly=opt["class_name"] == "Nadam")
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        save_case(f"opt_{name}", initial, x, y, model.get_weights(), history.history,
                  {"loss": "mse", "activation": "linear", "units": 3, "optimizer": opt, "epochs": 2,
                   "batch_size": 8})


# Optimizers over an Embedding table: tf-keras hands them IndexedSlices and takes each rule's sparse branch
# (rows looked up, duplicates summed); fastkeras' row-sparse path must give the same weights and slots.
EMBEDDING_OPTIMIZER_CASES = [
    ("sgd", {"class_name": "SGD", "config": {"learning_rate": 0.1}}),
    ("sgd_nesterov", {"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}}),
    ("rmsprop", {"class_name": "RMSprop", "config": {"learning_rate": 0.01}}),
    ("rmsprop_centered", {"class_name": "RMSprop", "config": {"learning_rate": 0.01, "centered": True,
                                                              "momentum": 0.5}}),
    ("adagrad", {"class_name": "Adagrad", "config": {"learning_rate": 0.1}}),
    ("adam", {"class_name": "Adam", "config": {"learning_rate": 0.01}}),
    ("rmsprop_clipnorm", {"class_name": "RMSprop", "config": {"learning_rate": 0.01, "clipnorm": 0.05}}),
    ("adam_clipnorm", {"class_name": "Adam", "config": {"learning_rate": 0.01, "clipnorm": 0.05}}),
    ("sgd_clipvalue", {"class_name": "SGD", "config": {"learning_rate": 0.1, "clipvalue": 0.02}}),
    ("adagrad_global_clipnorm", {"class_name": "Adagrad", "config": {"learning_rate": 0.1, "global_clipnorm": 0.1}}),
]


def embedding_model():
    ids = keras.Input((5,), dtype="int32", name="ids")
    h = keras.layers.Flatten(name="flat")(keras.layers.Embedding(12, 3, name="emb")(ids))
    return keras.Model(ids, keras.layers.Dense(2, name="out")(h))


def run_embedding_optimizer_cases():
    for name, opt in EMBEDDING_OPTIMIZER_CASES:
        keras.utils.set_random_seed(6)
        rng = np.random.default_rng(6)
        # ids 0..7 only (rows 8..11 never looked up), with repeats inside a sample and across a batch
        x = rng.integers(0, 8, size=(24, 5)).astype("int32")
        y = targets("real", rng, 24, 2)
        model = embedding_model()
        initial = [w.copy() for w in model.get_weights()]
        optimizer = getattr(keras.optimizers, opt["class_name"])(**opt["config"])
        model.compile(optimizer=optimizer, loss="mse")
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        slots = {f"slot_{v.name}": v.numpy() for v in optimizer.variables if v.shape.rank}
        with open(os.path.join(OUT, f"embedding_opt_{name}.json"), "w") as f:
            json.dump({"optimizer": opt, "history": history.history, "slots": sorted(slots)}, f, indent=1)
        np.savez(os.path.join(OUT, f"embedding_opt_{name}.npz"), x=x, y=y,
                 **{f"w{i}": w for i, w in enumerate(initial)},
                 **{f"final{i}": w for i, w in enumerate(model.get_weights())}, **slots)


# (metrics, weighted_metrics, two outputs): which log names tf-keras gives ("weighted_" only on a clash).
METRIC_NAME_CASES = [
    ([], ["accuracy"], False), (["accuracy"], ["accuracy"], False), ([], ["bce"], False), (["bce"], ["bce"], False),
    (["mae"], ["mse"], False), ([], ["accuracy"], True), (["accuracy"], ["accuracy"], True),
    (["mae", "accuracy"], ["accuracy", "mse"], True),
]


def bce(y_true, y_pred):
    """A metric given as a plain function (its log name is the function's name)."""
    return keras.losses.binary_crossentropy(y_true, y_pred)


def run_metric_name_cases():
    cases = []
    for metrics, weighted, two in METRIC_NAME_CASES:
        def resolve(names):
            return [bce if n == "bce" else n for n in names]
        inputs = keras.Input((3,), name="x")
        out = keras.layers.Dense(1, activation="sigmoid", name="o")(inputs)
        outputs = [out, keras.layers.Dense(1, activation="sigmoid", name="p")(inputs)] if two else out
        model = keras.Model(inputs, outputs)
        model.compile("sgd", "binary_crossentropy", metrics=resolve(metrics), weighted_metrics=resolve(weighted))
        y = np.ones((4, 1), "float32")
        history = model.fit(np.ones((4, 3), "float32"), [y, y] if two else y, verbose=0)
        cases.append({"metrics": metrics, "weighted_metrics": weighted, "two_outputs": two,
                      "log_names": list(history.history)})
    with open(os.path.join(OUT, "metric_names.json"), "w") as f:
        json.dump(cases, f, indent=1)


def run_two_output_case():
    """The seeds' two-output model: loss names, loss_weights and per-output accuracy in the logs."""
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(11)
    main_input = keras.Input(shape=(10,), name="main_input")
    x = keras.layers.Dense(8, activation="relu", name="d1")(main_input)
    aux_output = keras.layers.Dense(1, activation="sigmoid", name="aux_output")(x)
    aux_input = keras.Input(shape=(5,), name="aux_input")
    x = keras.layers.concatenate([x, aux_input], name="cat")
    x = keras.layers.Dense(16, activation="relu", name="d2")(x)
    main_output = keras.layers.Dense(1, activation="sigmoid", name="main_output")(x)
    model = keras.Model([main_input, aux_input], [main_output, aux_output])
    head = rng.random((48, 10)).astype("float32")
    extra = rng.random((48, 5)).astype("float32")
    labels = (head.sum(1, keepdims=True) > 5).astype("float32")
    initial = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="binary_crossentropy",
                  loss_weights=[1.0, 0.2], metrics=["accuracy"])
    history = model.fit([head, extra], [labels, labels], batch_size=16, epochs=2, shuffle=False, verbose=0,
                        validation_data=([head[:16], extra[:16]], [labels[:16], labels[:16]]))
    arrays = {"head": head, "extra": extra, "labels": labels}
    arrays.update({f"w{i}": w for i, w in enumerate(initial)})
    arrays.update({f"final{i}": w for i, w in enumerate(model.get_weights())})
    np.savez(os.path.join(OUT, "two_output.npz"), **arrays)
    evaluation = model.evaluate([head, extra], [labels, labels], verbose=0, return_dict=True)
    with open(os.path.join(OUT, "two_output.json"), "w") as f:
        json.dump({"history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
                   "history_keys": list(history.history), "metrics_names": model.metrics_names,
                   "evaluate": {k: float(v) for k, v in evaluation.items()},
                   "n_weights": len(initial)}, f, indent=1, sort_keys=True)


def run_masked_sequence_case():
    """A masked sequence output (Embedding mask_zero -> LSTM -> TimeDistributed): loss and metric skip masked steps."""
    keras.utils.set_random_seed(4)
    rng = np.random.default_rng(4)
    x = rng.integers(1, 9, size=(16, 6))
    x[:8, 3:] = 0
    y = rng.normal(size=(16, 6, 2)).astype("float32")
    inputs = keras.Input((6,), name="tokens")
    h = keras.layers.Embedding(10, 4, mask_zero=True, name="emb")(inputs)
    h = keras.layers.LSTM(3, return_sequences=True, name="lstm")(h)
    model = keras.Model(inputs, keras.layers.TimeDistributed(keras.layers.Dense(2), name="td")(h))
    initial = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"])
    before = model.evaluate(x, y, verbose=0, return_dict=True)
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    arrays = {"x": x, "y": y}
    arrays.update({f"w{i}": w for i, w in enumerate(initial)})
    arrays.update({f"final{i}": w for i, w in enumerate(model.get_weights())})
    np.savez(os.path.join(OUT, "masked_sequence.npz"), **arrays)
    with open(os.path.join(OUT, "masked_sequence.json"), "w") as f:
        json.dump({"evaluate": {k: float(v) for k, v in before.items()}, "n_weights": len(initial),
                   "history": {k: [float(v) for v in vals] for k, vals in history.history.items()}}, f, indent=1)


def run_saturated_case():
    """Saturated softmax/sigmoid outputs: Keras 2 computes the cross-entropy from the activation's logits."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=(32, 4)).astype("float32")
    result = {}
    arrays = {"x": x}
    for name, activation, loss, y in (
            ("softmax", "softmax", "categorical_crossentropy", np.eye(3, dtype="float32")[rng.integers(0, 3, 32)]),
            ("sparse", "softmax", "sparse_categorical_crossentropy", rng.integers(0, 3, (32, 1))),
            ("sigmoid", "sigmoid", "binary_crossentropy", (rng.random((32, 3)) > 0.5).astype("float32"))):
        inputs = keras.Input((4,))
        model = keras.Model(inputs, keras.layers.Dense(3, activation=activation)(inputs))
        kernel = (rng.normal(size=(4, 3)) * 40).astype("float32")  # logits of +-100: probabilities saturate
        model.set_weights([kernel, np.zeros(3, "float32")])
        model.compile(optimizer="sgd", loss=loss)
        result[name] = float(model.evaluate(x, y, verbose=0, batch_size=32))
        arrays[f"{name}_kernel"] = kernel
        arrays[f"{name}_y"] = y
    np.savez(os.path.join(OUT, "saturated.npz"), **arrays)
    with open(os.path.join(OUT, "saturated.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    run_saturated_case()
    run_masked_sequence_case()
    run_loss_cases()
    run_optimizer_cases()
    run_two_output_case()
    run_embedding_optimizer_cases()
    run_metric_name_cases()
    print("wrote", OUT)
