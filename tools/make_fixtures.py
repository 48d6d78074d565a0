"""Writes tests/fixtures/layers/*.npz and tests/fixtures/models/*: numbers from real Keras 2.

Run with the reference Keras 2 installation (tensorflow-cpu 2.21.0 + tf-keras 2.21.0,
see tools/README.md):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_fixtures.py

Options: ``--quiet`` leaves out the HDF5 tree dump of every weights file.

The files it writes are never edited by hand; tests/fixtures/README.md describes
what each holds. Everything is deterministic: ``tf.keras.utils.set_random_seed(0)``,
``keras.backend.clear_session()`` before every case (so the automatic layer names
``dense``, ``dense_1``... are the same every run), and a numpy generator seeded
from the case's name for inputs and weights.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import zlib  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

tf.get_logger().setLevel("ERROR")  # predict() retracing warnings are noise here

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_DIR = os.path.normpath(os.path.join(HERE, os.pardir, "tests", "fixtures"))
LAYER_DIR = os.path.join(FIXTURE_DIR, "layers")
MODEL_DIR = os.path.join(FIXTURE_DIR, "models")

ACTIVATIONS = [
    "linear", "relu", "softmax", "sigmoid", "tanh", "elu", "selu",
    "softplus", "softsign", "hard_sigmoid", "exponential",
]


# --------------------------------------------------------------------------- helpers


def rng_for(name):
    """A numpy generator seeded from the case name (stable across runs and orderings)."""
    return np.random.default_rng(zlib.crc32(name.encode("utf8")))


def reset():
    keras.backend.clear_session()
    tf.keras.utils.set_random_seed(0)


def _json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, tf.TensorShape):
        return obj.as_list()
    raise TypeError(f"not JSON serialisable: {type(obj)!r}")


def random_weights(weights, rng):
    """Seeded non-trivial replacements for ``get_weights()``.

    Matrices get N(0, 1/fan_in) (fan_in = product of all but the last dimension)
    so activations neither explode nor saturate; vectors (biases) get N(0, 0.5).
    """
    out = []
    for w in weights:
        if w.ndim >= 2:
            fan_in = int(np.prod(w.shape[:-1]))
            std = 1.0 / np.sqrt(fan_in)
        else:
            std = 0.5
        out.append(rng.normal(0.0, std, size=w.shape).astype(w.dtype))
    return out


def as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


# --------------------------------------------------------------------------- A. layers


def layer_cases():
    """(case name, layer factory, input shapes, extra options)."""
    L = keras.layers
    cases = []

    # Dense: every activation, with and without bias, on 2D input.
    for act in ACTIVATIONS:
        for use_bias in (True, False):
            name = f"dense_{act}" + ("" if use_bias else "_nobias")
            cases.append((name, lambda a=act, b=use_bias: L.Dense(4, activation=a, use_bias=b),
                          [(2, 5)], {}))
    # Dense on 3D input (applies to the last axis).
    cases.append(("dense_3d", lambda: L.Dense(4), [(2, 3, 5)], {}))
    cases.append(("dense_3d_relu_nobias", lambda: L.Dense(4, activation="relu", use_bias=False),
                  [(2, 3, 5)], {}))

    # Activation layers.
    for act in ACTIVATIONS:
        cases.append((f"activation_{act}", lambda a=act: L.Activation(a), [(2, 5)], {}))
    # softmax over the last axis of a 3D tensor.
    cases.append(("activation_softmax_3d", lambda: L.Activation("softmax"), [(2, 3, 4)], {}))

    # Dropout in inference mode is the identity.
    cases.append(("dropout_inference", lambda: L.Dropout(0.5), [(2, 5)], {}))

    # Shape layers.
    cases.append(("flatten_4d", lambda: L.Flatten(), [(2, 3, 4, 5)], {}))
    cases.append(("reshape_4_minus1", lambda: L.Reshape((4, -1)), [(2, 3, 4)], {}))
    cases.append(("reshape_6_5", lambda: L.Reshape((6, 5)), [(2, 3, 10)], {}))
    cases.append(("permute_2_1", lambda: L.Permute((2, 1)), [(2, 3, 4)], {}))
    cases.append(("permute_3_1_2", lambda: L.Permute((3, 1, 2)), [(2, 3, 4, 5)], {}))
    cases.append(("repeat_vector_3", lambda: L.RepeatVector(3), [(2, 5)], {}))

    # Merge layers (called on a list of inputs).
    two, three = [(2, 5)] * 2, [(2, 5)] * 3
    lst = {"inputs_as_list": True}
    cases.append(("concatenate_2", lambda: L.Concatenate(axis=-1), two, lst))
    cases.append(("concatenate_3", lambda: L.Concatenate(axis=-1), three, lst))
    cases.append(("concatenate_3d_last", lambda: L.Concatenate(axis=-1),
                  [(2, 3, 4), (2, 3, 4)], lst))
    cases.append(("concatenate_3d_axis1", lambda: L.Concatenate(axis=1),
                  [(2, 3, 4), (2, 3, 4)], lst))
    cases.append(("concatenate_3d_axis1_uneven", lambda: L.Concatenate(axis=1),
                  [(2, 3, 4), (2, 2, 4)], lst))
    for cls in ("Add", "Multiply", "Average", "Maximum", "Minimum"):
        base = cls.lower()
        cases.append((f"{base}_2", lambda c=cls: getattr(L, c)(), two, lst))
        cases.append((f"{base}_3", lambda c=cls: getattr(L, c)(), three, lst))
    cases.append(("add_3d", lambda: L.Add(), [(2, 3, 4), (2, 3, 4)], lst))
    cases.append(("subtract_2", lambda: L.Subtract(), two, lst))
    cases.append(("dot_axes1", lambda: L.Dot(axes=1), two, lst))
    cases.append(("dot_axes1_normalize", lambda: L.Dot(axes=1, normalize=True), two, lst))
    cases.append(("dot_axes_1_2_3d", lambda: L.Dot(axes=(1, 2)), [(2, 3, 4), (2, 5, 3)], lst))
    cases.append(("dot_axes_minus1_3d", lambda: L.Dot(axes=-1), [(2, 3, 4), (2, 5, 4)], lst))
    cases.append(("dot_axes_2_1_3d", lambda: L.Dot(axes=(2, 1)), [(2, 3, 4), (2, 4, 5)], lst))
    cases.append(("dot_axes_minus1_3d_normalize", lambda: L.Dot(axes=-1, normalize=True),
                  [(2, 3, 4), (2, 5, 4)], lst))

    # Embedding (integer inputs).
    cases.append(("embedding", lambda: L.Embedding(input_dim=10, output_dim=4),
                  [(2, 3)], {"int_high": 10}))
    cases.append(("embedding_input_length",
                  lambda: L.Embedding(input_dim=50, output_dim=8, input_length=10),
                  [(2, 10)], {"int_high": 50}))
    return cases


def make_layer_fixture(name, factory, shapes, opts):
    reset()
    rng = rng_for(name)
    training = bool(opts.get("training", False))
    call_kwargs = dict(opts.get("call_kwargs", {}))
    inputs_as_list = bool(opts.get("inputs_as_list", False))

    if "int_high" in opts:
        inputs = [rng.integers(0, opts["int_high"], size=s).astype("int32") for s in shapes]
    else:
        inputs = [rng.normal(0.0, 1.0, size=s).astype("float32") for s in shapes]

    layer = factory()
    call_arg = list(inputs) if inputs_as_list else inputs[0]
    layer(call_arg, training=training, **call_kwargs)  # builds the layer
    weights = layer.get_weights()
    if weights:
        weights = random_weights(weights, rng)
        layer.set_weights(weights)
    outputs = as_list(layer(call_arg, training=training, **call_kwargs))
    outputs = [np.asarray(o) for o in outputs]

    class_name = layer.__class__.__name__
    config = layer.get_config()
    data = {
        "config_json": np.array(json.dumps({"class_name": class_name, "config": config},
                                           default=_json_default)),
        "class_name": np.array(class_name),
        "call_kwargs_json": np.array(json.dumps(call_kwargs)),
        "training": np.array(training),
        "inputs_as_list": np.array(inputs_as_list),
        "n_inputs": np.array(len(inputs), dtype="int64"),
        "n_weights": np.array(len(weights), dtype="int64"),
        "n_outputs": np.array(len(outputs), dtype="int64"),
    }
    for i, x in enumerate(inputs):
        data[f"input_{i}"] = x
    for i, w in enumerate(weights):
        data[f"weight_{i}"] = w
    for i, y in enumerate(outputs):
        data[f"output_{i}"] = y
    path = os.path.join(LAYER_DIR, f"{name}.npz")
    np.savez_compressed(path, **data)
    return path


# --------------------------------------------------------------------------- B. models


def mlp():
    L = keras.layers
    inputs = keras.Input(shape=(784,))
    x = L.Dense(64, activation="relu")(inputs)
    x = L.Dense(64, activation="relu")(x)
    outputs = L.Dense(10, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs), [("float", (4, 784))]


def two_in_two_out():
    """The Keras functional guide's two-input/two-output model, LSTM replaced by Flatten."""
    L = keras.layers
    main_input = keras.Input(shape=(10,), dtype="int32", name="main_input")
    x = L.Embedding(output_dim=8, input_dim=50, input_length=10)(main_input)
    lstm_out = L.Flatten()(x)
    aux_output = L.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    aux_input = keras.Input(shape=(5,), name="aux_input")
    x = L.concatenate([lstm_out, aux_input])
    x = L.Dense(16, activation="relu")(x)
    x = L.Dense(16, activation="relu")(x)
    x = L.Dense(16, activation="relu")(x)
    main_output = L.Dense(1, activation="sigmoid", name="main_output")(x)
    model = keras.Model(inputs=[main_input, aux_input], outputs=[main_output, aux_output])
    return model, [("int", (4, 10), 50), ("float", (4, 5))]


def two_in_two_out_dense():
    """As two_in_two_out, but main_input is float and a Dense(8) replaces Embedding+Flatten."""
    L = keras.layers
    main_input = keras.Input(shape=(10,), name="main_input")
    lstm_out = L.Dense(8)(main_input)
    aux_output = L.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    aux_input = keras.Input(shape=(5,), name="aux_input")
    x = L.concatenate([lstm_out, aux_input])
    x = L.Dense(16, activation="relu")(x)
    x = L.Dense(16, activation="relu")(x)
    x = L.Dense(16, activation="relu")(x)
    main_output = L.Dense(1, activation="sigmoid", name="main_output")(x)
    model = keras.Model(inputs=[main_input, aux_input], outputs=[main_output, aux_output])
    return model, [("float", (4, 10)), ("float", (4, 5))]


def shared_dense():
    """One Dense layer applied to two inputs (one layer, two inbound nodes)."""
    L = keras.layers
    a = keras.Input(shape=(5,), name="input_a")
    b = keras.Input(shape=(5,), name="input_b")
    shared = L.Dense(4, activation="relu", name="shared_dense")
    x = L.concatenate([shared(a), shared(b)])
    out = L.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs=[a, b], outputs=out), [("float", (4, 5)), ("float", (4, 5))]


def nested():
    """The shared-vision pattern with Dense layers: an inner functional model used twice."""
    L = keras.layers
    inner_in = keras.Input(shape=(6,))
    h = L.Dense(5, activation="relu")(inner_in)
    inner_out = L.Dense(3)(h)
    inner = keras.Model(inner_in, inner_out, name="inner")
    a = keras.Input(shape=(6,))
    b = keras.Input(shape=(6,))
    x = L.concatenate([inner(a), inner(b)])
    out = L.Dense(1)(x)
    return keras.Model(inputs=[a, b], outputs=out), [("float", (4, 6)), ("float", (4, 6))]


def sequential_mlp():
    L = keras.layers
    model = keras.Sequential([
        L.Dense(32, activation="relu", input_dim=100),
        L.Dense(10, activation="softmax"),
    ])
    return model, [("float", (4, 100))]


def sequential_dropout():
    L = keras.layers
    model = keras.Sequential([
        L.Dense(16, input_shape=(8,)),
        L.Dropout(0.5),
        L.Dense(4, activation="softmax"),
    ])
    return model, [("float", (4, 8))]


def merge_zoo():
    """Add, Subtract, Multiply, Average, Maximum, Minimum, Dot, Concatenate, Reshape,
    Permute, RepeatVector, Flatten and Activation in one functional model."""
    L = keras.layers
    a = keras.Input(shape=(6,), name="a")
    b = keras.Input(shape=(6,), name="b")
    c = keras.Input(shape=(6,), name="c")
    pa = L.Dense(6, name="proj_a")(a)
    added = L.Add()([pa, b])
    subbed = L.Subtract()([pa, b])
    mult = L.Multiply()([a, c])
    avg = L.Average()([a, b, c])
    mx = L.Maximum()([pa, b])
    mn = L.Minimum()([b, c, pa])
    cat = L.Concatenate()([added, subbed, mult, avg, mx, mn])            # (None, 36)
    grid = L.Reshape((6, 6))(cat)                                         # (None, 6, 6)
    grid_t = L.Permute((2, 1))(grid)                                      # (None, 6, 6)
    prod = L.Dot(axes=(2, 1))([grid, grid_t])                             # (None, 6, 6)
    flat = L.Flatten()(prod)                                              # (None, 36)
    sim = L.Dot(axes=1, normalize=True)([added, subbed])                  # (None, 1)
    rep = L.RepeatVector(3)(sim)                                          # (None, 3, 1)
    rep_flat = L.Flatten()(rep)                                           # (None, 3)
    dot_plain = L.Dot(axes=-1)([mult, avg])                               # (None, 1)
    merged = L.concatenate([flat, rep_flat, dot_plain])                   # (None, 40)
    logits = L.Dense(4, name="logits")(merged)
    out = L.Activation("softmax", name="probs")(logits)
    return keras.Model(inputs=[a, b, c], outputs=out, name="merge_zoo"), [
        ("float", (4, 6)), ("float", (4, 6)), ("float", (4, 6))]


MODELS = [
    ("mlp", mlp),
    ("two_in_two_out", two_in_two_out),
    ("two_in_two_out_dense", two_in_two_out_dense),
    ("shared_dense", shared_dense),
    ("nested", nested),
    ("sequential_mlp", sequential_mlp),
    ("sequential_dropout", sequential_dropout),
    ("merge_zoo", merge_zoo),
]


def make_inputs(specs, rng):
    out = []
    for spec in specs:
        if spec[0] == "int":
            out.append(rng.integers(0, spec[2], size=spec[1]).astype("int32"))
        else:
            out.append(rng.normal(0.0, 1.0, size=spec[1]).astype("float32"))
    return out


def _attr_desc(attrs, key):
    """The attribute's value and its on-disk HDF5 type (fixed-length bytes vs vlen str)."""
    value = attrs[key]
    tid = attrs.get_id(key).get_type()
    if isinstance(tid, h5py.h5t.TypeStringID):
        kind = "vlen str" if tid.is_variable_str() else f"fixed-length bytes S{tid.get_size()}"
        kind += f", cset={'utf8' if tid.get_cset() == h5py.h5t.CSET_UTF8 else 'ascii'}"
    else:
        kind = f"{attrs.get_id(key).dtype}"
    shape = attrs.get_id(key).shape
    return f"{key} = {value!r}  [h5 type: {kind}; shape {shape}; h5py gives {type(value).__name__}" + (
        f" of {type(value.flat[0]).__name__}" if isinstance(value, np.ndarray) and value.size else ""
    ) + "]"


def dump_h5(path):
    lines = [f"{os.path.basename(path)}"]
    with h5py.File(path, "r") as f:
        for key in f.attrs:
            lines.append("  @" + _attr_desc(f.attrs, key))

        def visit(name, obj):
            depth = name.count("/") + 1
            pad = "  " * depth
            if isinstance(obj, h5py.Dataset):
                lines.append(f"{pad}{name}  dataset {obj.dtype} {obj.shape}")
            else:
                lines.append(f"{pad}{name}/  group")
            for key in obj.attrs:
                lines.append(f"{pad}  @" + _attr_desc(obj.attrs, key))

        f.visititems(visit)
    return "\n".join(lines)


def check_legacy_h5(path):
    with h5py.File(path, "r") as f:
        for key in ("layer_names", "backend", "keras_version"):
            if key not in f.attrs:
                raise RuntimeError(f"{path}: root attr {key!r} missing (not the Keras 2 layout)")
        for lname in f.attrs["layer_names"]:
            lname = lname.decode("utf8") if isinstance(lname, bytes) else lname
            if "weight_names" not in f[lname].attrs:
                raise RuntimeError(f"{path}: group {lname!r} has no weight_names")


def make_model_fixture(name, builder, tmpdir, verbose):
    reset()
    rng = rng_for(name)
    model, input_specs = builder()
    weights = random_weights(model.get_weights(), rng)
    model.set_weights(weights)
    inputs = make_inputs(input_specs, rng)
    feed = inputs if len(inputs) > 1 else inputs[0]
    outputs = [np.asarray(o) for o in as_list(model.predict(feed, verbose=0))]

    # Direct call must agree with predict (sanity check of the reference itself).
    direct = [np.asarray(o) for o in as_list(model(feed, training=False))]
    for o, d in zip(outputs, direct):
        np.testing.assert_allclose(o, d, rtol=1e-5, atol=1e-6)

    lines = []
    model.summary(print_fn=lines.append)
    summary = "\n".join(lines) + "\n"

    json_path = os.path.join(MODEL_DIR, f"{name}.json")
    with open(json_path, "w") as fh:
        fh.write(model.to_json())

    # tf-keras 2.21 routes a path ending in ".weights.h5" to the *Keras 3* weights
    # format (groups layers/<name>/vars/0 ..., no root attributes). Saving to a path
    # ending in plain ".h5" takes the legacy Keras 2 HDF5 writer, so save there and
    # move the file into place under the requested name.
    tmp_h5 = os.path.join(tmpdir, f"{name}.h5")
    model.save_weights(tmp_h5)
    check_legacy_h5(tmp_h5)

    # Round trip in Keras itself: rebuild from the JSON, load the legacy HDF5 weights.
    reset()
    with open(json_path) as fh:
        clone = keras.models.model_from_json(fh.read())
    clone.load_weights(tmp_h5)
    again = [np.asarray(o) for o in as_list(clone.predict(feed, verbose=0))]
    for o, d in zip(outputs, again):
        np.testing.assert_allclose(o, d, rtol=1e-5, atol=1e-6)

    h5_path = os.path.join(MODEL_DIR, f"{name}.weights.h5")
    shutil.move(tmp_h5, h5_path)
    if verbose:
        print(dump_h5(h5_path))
        print()

    data = {
        "summary": np.array(summary),
        "layer_names": np.array([layer.name for layer in model.layers]),
        "n_inputs": np.array(len(inputs), dtype="int64"),
        "n_outputs": np.array(len(outputs), dtype="int64"),
    }
    for i, x in enumerate(inputs):
        data[f"input_{i}"] = x
    for i, y in enumerate(outputs):
        data[f"output_{i}"] = y
    npz_path = os.path.join(MODEL_DIR, f"{name}.npz")
    np.savez_compressed(npz_path, **data)
    return [json_path, h5_path, npz_path]


# --------------------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="do not dump the HDF5 trees")
    args = parser.parse_args(argv)

    print(f"tensorflow {tf.__version__}, tf_keras {keras.__version__}, h5py {h5py.__version__}")
    for d in (LAYER_DIR, MODEL_DIR):
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)

    written = []
    for name, factory, shapes, opts in layer_cases():
        written.append(make_layer_fixture(name, factory, shapes, opts))
    print(f"layers: {len(written)} files")

    with tempfile.TemporaryDirectory() as tmpdir:
        for name, builder in MODELS:
            written.extend(make_model_fixture(name, builder, tmpdir, verbose=not args.quiet))

    total = sum(os.path.getsize(p) for p in written)
    print(f"wrote {len(written)} files, {total / 1024:.1f} KiB in total")
    if total > 3 * 1024 * 1024:
        print("WARNING: fixtures exceed 3 MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
