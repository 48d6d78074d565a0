"""Whole-model saving fixtures and cross-library checks (issue 7).

Four modes, each run with the Python that has the library it needs:

  Keras 2 fixtures (tf-keras 2.21 writes .h5 and .keras files):
      TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_saving_fixtures.py --keras2

  Keras 3 fixtures (keras 3.15.1 in a throwaway venv, jax backend):
      KERAS_BACKEND=jax /work/k3venv/bin/python tools/make_saving_fixtures.py --keras3

  fastkeras writes files for the check below (not fixtures; into DIR):
      .venv/bin/python tools/make_saving_fixtures.py --fastkeras-write DIR

  Keras 3 loads what fastkeras wrote (.keras, .weights.h5) and compares predictions and optimizer state
  (a manual check, not CI):
      KERAS_BACKEND=jax /work/k3venv/bin/python tools/make_saving_fixtures.py --keras3-check DIR

  tf-keras does the same with fastkeras' .h5 files:
      TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_saving_fixtures.py --keras2-check DIR

Fixtures go to tests/fixtures/saving/: ``<lib>_<model>.{h5,keras,weights.h5}``
plus ``<lib>_<model>.npz`` with the inputs (``x0``, ``x1``...) and the
library's predictions (``y0``, ``y1``...), and ``k2_mlp_resume.npz``: the
training data and the losses of three more epochs run by tf-keras right after
``k2_mlp.h5`` was saved. Weights are seeded random values, then one epoch of
Adam training so the files carry optimizer state.
"""
import argparse
import os
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, os.pardir, "tests", "fixtures", "saving"))


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode("utf8")))


# ---------------------------------------------------------------------------------------------------------
# the models, written against the Keras 2 API that tf-keras, Keras 3 and fastkeras share
# ---------------------------------------------------------------------------------------------------------

def build_mlp(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((8,)), L.Dense(16, activation="relu", name="hidden"),
                             L.Dense(4, activation="softmax", name="probs")], name="mlp")


def build_convnet(keras):
    L = keras.layers
    image = keras.Input((10, 10, 3), name="image")
    x = L.Conv2D(4, 3, padding="same", activation="relu", name="conv_a")(image)
    x = L.BatchNormalization(name="norm")(x)
    x = L.MaxPooling2D(name="pool")(x)
    x = L.Conv2D(6, 3, activation="relu", name="conv_b")(x)
    x = L.Flatten(name="flat")(x)
    x = L.Dropout(0.25, name="drop")(x)
    return keras.Model(image, L.Dense(3, activation="softmax", name="scores")(x), name="convnet")


def build_two_in_two_out(keras):
    """The seeds' functional-API example (news headline + auxiliary input), with small sizes."""
    L = keras.layers
    main_input = keras.Input(shape=(12,), dtype="int32", name="main_input")
    x = L.Embedding(output_dim=8, input_dim=50, name="embedding")(main_input)
    lstm_out = L.LSTM(6, name="lstm")(x)
    auxiliary_output = L.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    auxiliary_input = keras.Input(shape=(5,), name="aux_input")
    x = L.concatenate([lstm_out, auxiliary_input], name="merge")
    x = L.Dense(8, activation="relu", name="dense_a")(x)
    x = L.Dense(8, activation="relu", name="dense_b")(x)
    main_output = L.Dense(1, activation="sigmoid", name="main_output")(x)
    return keras.Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output],
                       name="two_in_two_out")


def build_stacked_lstm(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((7, 3)), L.LSTM(8, return_sequences=True, name="lstm_a"),
                             L.LSTM(5, name="lstm_b"), L.Dense(2, name="head")], name="stacked_lstm")


def build_nested(keras):
    """A functional model shared twice inside another, next to a nested Sequential."""
    L = keras.layers
    inner_in = keras.Input((4,), name="inner_in")
    inner = keras.Model(inner_in, L.Dense(3, activation="tanh", name="inner_dense")(inner_in), name="encoder")
    stack = keras.Sequential([keras.Input((6,)), L.Dense(5, activation="relu", name="seq_a"),
                              L.Dense(2, name="seq_b")], name="stack")
    left = keras.Input((4,), name="left")
    right = keras.Input((4,), name="right")
    both = L.concatenate([inner(left), inner(right)], name="pair")
    return keras.Model([left, right], stack(both), name="nested")


BUILDERS = {"mlp": build_mlp, "convnet": build_convnet, "two_in_two_out": build_two_in_two_out,
            "stacked_lstm": build_stacked_lstm, "nested": build_nested}
NEEDS_RECURRENT = {"two_in_two_out", "stacked_lstm"}


def inputs_for(name, n=6):
    rng = rng_for("inputs-" + name)
    if name == "mlp":
        return [rng.normal(size=(n, 8)).astype("float32")]
    if name == "convnet":
        return [rng.normal(size=(n, 10, 10, 3)).astype("float32")]
    if name == "two_in_two_out":
        return [rng.integers(0, 50, size=(n, 12)).astype("int32"), rng.normal(size=(n, 5)).astype("float32")]
    if name == "stacked_lstm":
        return [rng.normal(size=(n, 7, 3)).astype("float32")]
    if name == "nested":
        return [rng.normal(size=(n, 4)).astype("float32"), rng.normal(size=(n, 4)).astype("float32")]
    raise KeyError(name)


def targets_for(name, n=6):
    rng = rng_for("targets-" + name)
    if name == "mlp":
        return np.eye(4, dtype="float32")[rng.integers(0, 4, n)]
    if name == "convnet":
        return np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    if name == "two_in_two_out":
        labels = rng.integers(0, 2, (n, 1)).astype("float32")
        return [labels, labels]
    if name == "stacked_lstm":
        return rng.normal(size=(n, 2)).astype("float32")
    if name == "nested":
        return rng.normal(size=(n, 2)).astype("float32")
    raise KeyError(name)


def compile_args(name):
    if name in ("mlp", "convnet"):
        return dict(loss="categorical_crossentropy", metrics=["accuracy"])
    if name == "two_in_two_out":
        return dict(loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"},
                    loss_weights={"main_output": 1.0, "aux_output": 0.2})
    return dict(loss="mse")


def randomize(model, name):
    rng = rng_for("weights-" + name)
    values = []
    for w, value in zip(model.weights, model.get_weights()):
        if "moving_variance" in w.name or "variance" in w.name.split("/")[-1]:
            values.append(rng.uniform(0.5, 1.5, value.shape).astype(value.dtype))
        else:
            values.append(rng.uniform(-0.5, 0.5, value.shape).astype(value.dtype))
    model.set_weights(values)


def prepared_model(keras, name):
    model = BUILDERS[name](keras)
    randomize(model, name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), **compile_args(name))
    model.fit(inputs_for(name), targets_for(name), batch_size=3, epochs=1, shuffle=False, verbose=0)
    return model


def as_list(y):
    return [np.asarray(t) for t in y] if isinstance(y, (list, tuple)) else [np.asarray(y)]


def write_npz(path, inputs, outputs, **extra):
    arrays = {f"x{i}": x for i, x in enumerate(inputs)}
    arrays.update({f"y{i}": y for i, y in enumerate(outputs)})
    arrays.update(extra)
    np.savez(path, **arrays)


# ---------------------------------------------------------------------------------------------------------
# modes
# ---------------------------------------------------------------------------------------------------------

def keras2():
    import tensorflow as tf
    import tf_keras as keras
    os.makedirs(FIXTURES, exist_ok=True)
    for name in BUILDERS:
        keras.backend.clear_session()
        tf.keras.utils.set_random_seed(0)
        model = prepared_model(keras, name)
        inputs = inputs_for(name)
        outputs = as_list(model.predict(inputs, verbose=0))
        model.save(os.path.join(FIXTURES, f"k2_{name}.h5"))
        model.save(os.path.join(FIXTURES, f"k2_{name}.keras"))
        write_npz(os.path.join(FIXTURES, f"k2_{name}.npz"), inputs, outputs)
        if name == "mlp":
            x, y = inputs_for(name), targets_for(name)
            history = model.fit(x, y, batch_size=3, epochs=3, shuffle=False, verbose=0)
            np.savez(os.path.join(FIXTURES, "k2_mlp_resume.npz"), x=x[0], y=y,
                     losses=np.asarray(history.history["loss"], dtype="float64"))
        print("tf-keras wrote", name)


def keras2_side_losses():
    """A functional model with a symbolic ``add_loss`` and ``add_metric`` (tf-keras keeps them as AddLoss and
    AddMetric layers in the file): its evaluate() figures before saving, which a reloaded model must give."""
    import tensorflow as tf
    import tf_keras as keras
    K = keras.backend
    keras.backend.clear_session()
    tf.keras.utils.set_random_seed(0)
    inputs = keras.Input((4,), name="x")
    hidden = keras.layers.Dense(3, name="hidden")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, name="out")(hidden))
    model.add_loss(K.mean(K.square(hidden)) * 0.5)
    model.add_metric(K.mean(hidden), name="hidden_mean")
    model.compile(optimizer="sgd", loss="mse")
    rng = rng_for("side-losses")
    x, y = rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    scores = model.evaluate(x, y, verbose=0, return_dict=True)
    model.save(os.path.join(FIXTURES, "k2_side_losses.h5"))
    model.save(os.path.join(FIXTURES, "k2_side_losses.keras"))
    np.savez(os.path.join(FIXTURES, "k2_side_losses.npz"), x=x, y=y, loss=scores["loss"],
             hidden_mean=scores["hidden_mean"])
    print("tf-keras wrote side_losses", scores)


def keras3():
    import keras
    os.makedirs(FIXTURES, exist_ok=True)
    for name in BUILDERS:
        keras.utils.set_random_seed(0)
        model = prepared_model(keras, name)
        inputs = inputs_for(name)
        outputs = as_list(model.predict(inputs, verbose=0))
        model.save(os.path.join(FIXTURES, f"k3_{name}.keras"))
        model.save_weights(os.path.join(FIXTURES, f"k3_{name}.weights.h5"))
        write_npz(os.path.join(FIXTURES, f"k3_{name}.npz"), inputs, outputs)
        print("keras 3 wrote", name)


def fastkeras_write(directory):
    sys.path.insert(0, os.path.dirname(HERE))
    import fastkeras as keras
    os.makedirs(directory, exist_ok=True)
    for name in BUILDERS:
        if name in NEEDS_RECURRENT and not hasattr(keras.layers, "LSTM"):
            print("fastkeras has no LSTM yet; skipped", name)
            continue
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = prepared_model(keras, name)
        inputs = inputs_for(name)
        outputs = as_list(model.predict(inputs, verbose=0))
        model.save(os.path.join(directory, f"fk_{name}.keras"))
        model.save(os.path.join(directory, f"fk_{name}.h5"))
        model.save_weights(os.path.join(directory, f"fk_{name}.weights.h5"))
        state = {f"opt{i}": np.asarray(v) for i, v in enumerate(model.optimizer.get_weights())}
        write_npz(os.path.join(directory, f"fk_{name}.npz"), inputs, outputs, **state)
        print("fastkeras wrote", name)


class _CheckedCase:
    """One of BUILDERS in the form tools/interop_checks.py reads its models in."""

    libs = ("k2", "k3", "fk")
    batch_size = None

    def __init__(self, name):
        self.build = lambda keras, lib: BUILDERS[name](keras)


def _check(lib, directory, formats):
    """Loads the files fastkeras wrote with ``lib`` through tools/interop_checks.py, one row per file."""
    sys.path.insert(0, HERE)
    from types import SimpleNamespace
    from interop_checks import check_all
    catalog = SimpleNamespace(CASES={name: _CheckedCase(name) for name in BUILDERS}, inputs_for=inputs_for)
    rows = check_all(lib, [directory], writers=["fk"], catalog=catalog, formats=formats)
    failures = sum(row["status"] != "ok" for row in rows)
    print("all loaded and matched" if not failures else f"{failures} failure(s)")
    return failures


def keras2_check(directory):
    """tf-keras loads the ``.h5`` files fastkeras wrote (with their optimizer state) and predicts alike."""
    return _check("k2", directory, (".h5",))


def keras3_check(directory):
    """Keras 3 loads the ``.keras`` files (with their optimizer state) and the ``.weights.h5`` files (into the
    model it builds) fastkeras wrote, and predicts alike."""
    return _check("k3", directory, (".keras", ".weights.h5"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--keras2", action="store_true")
    group.add_argument("--keras3", action="store_true")
    group.add_argument("--fastkeras-write", metavar="DIR")
    group.add_argument("--keras3-check", metavar="DIR")
    group.add_argument("--keras2-check", metavar="DIR")
    args = parser.parse_args()
    if args.keras2:
        keras2()
        keras2_side_losses()
    elif args.keras3:
        keras3()
    elif args.fastkeras_write:
        fastkeras_write(args.fastkeras_write)
    elif args.keras2_check:
        sys.exit(1 if keras2_check(args.keras2_check) else 0)
    else:
        sys.exit(1 if keras3_check(args.keras3_check) else 0)
