"""Writes the expected values of tests/layers/test_spectral_normalization.py and test_hashed_crossing.py by running
real tf-keras 2.21.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    /work/kvenv/bin/python tools/make_spectral_hashed_crossing_fixtures.py

TF_USE_LEGACY_KERAS=1 is set below because tf-keras 2.21's SpectralNormalization builds its input spec with
``tf.keras.layers.InputSpec``, which is Keras 3's class unless that variable is set (the layer then fails to build
with "Layer input_spec must be an instance of InputSpec").

It writes tests/fixtures/spectral_hashed_crossing/:

- ``spectral.json``: per case the wrapper's tf-keras config before and after building, the input shape and dtype,
  the weights' names, shapes and trainable flags. The arrays live in ``spectral.npz`` under ``<case>/<what>``:
  the input ``x``, the weights set before each call (``w0/<i>``, vector_u included), the inference output
  ``infer``, the training-mode output ``train1`` with the gradients of ``sum(train1 * r)`` (``r`` a fixed array)
  with respect to the trainable weights (``grad/<i>``) and the weights after that call (``after1/<i>``), then a
  second training call (``train2``, ``after2/<i>``).
  A ``fit`` entry: a small model's JSON, its initial weights, the per-epoch losses of ``fit`` (SGD) and the final
  weights and predictions; ``fit.weights.h5`` (object layout, where the wrapper's own ``vars`` are the kernel it
  tracks and ``vector_u``) and ``fit_legacy.h5`` (Keras 2 layout) are that model's tf-keras ``save_weights``
  files after fit.
- ``hashed_crossing.json``: per case the layer config, the inputs (JSON lists with their dtypes) and the output.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["TF_USE_LEGACY_KERAS"] = "1"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                       "spectral_hashed_crossing")


def jsonable(value):
    def default(o):
        if isinstance(o, bytes):
            return o.decode("utf-8")
        if isinstance(o, np.ndarray):
            return o.tolist()
        if hasattr(o, "item"):
            return o.item()
        if isinstance(o, tuple):
            return list(o)
        return str(o)
    return json.loads(json.dumps(value, default=default))


# ---- SpectralNormalization ------------------------------------------------------------------------------------

def spectral_cases():
    return [
        ("dense", lambda: L.SpectralNormalization(L.Dense(4)), (3, 5), "float32"),
        ("dense_no_bias_pi3", lambda: L.SpectralNormalization(L.Dense(3, use_bias=False), power_iterations=3),
         (2, 6), "float32"),
        ("dense_3d_input", lambda: L.SpectralNormalization(L.Dense(2, activation="tanh")), (2, 3, 4), "float32"),
        ("conv1d", lambda: L.SpectralNormalization(L.Conv1D(2, 3)), (2, 6, 3), "float32"),
        ("conv2d_pi2", lambda: L.SpectralNormalization(L.Conv2D(3, 2, padding="same"), power_iterations=2),
         (2, 5, 5, 2), "float32"),
        ("conv2d_transpose", lambda: L.SpectralNormalization(L.Conv2DTranspose(2, 2, strides=2)),
         (1, 3, 3, 3), "float32"),
        ("embedding", lambda: L.SpectralNormalization(L.Embedding(10, 4)), (2, 3), "int32"),
        ("zero_kernel", lambda: L.SpectralNormalization(L.Dense(3, kernel_initializer="zeros")), (2, 4),
         "float32"),
    ]


def spectral_fixtures(rng):
    entries, arrays = [], {}
    for name, make, shape, dtype in spectral_cases():
        layer = make()
        config_unbuilt = jsonable(layer.get_config())
        x = rng.integers(0, 10, size=shape).astype(dtype) if dtype.startswith("int") else \
            rng.normal(size=shape).astype(dtype)
        layer(x)
        w0 = []
        for w in layer.weights:
            value = rng.normal(size=w.shape).astype("float32")
            if name == "zero_kernel" and w.name.endswith("kernel:0"):
                value = np.zeros(w.shape, "float32")
            w0.append(value)
        layer.set_weights(w0)
        infer = layer(x, training=False).numpy()
        layer.set_weights(w0)
        r = rng.normal(size=infer.shape).astype("float32")
        with tf.GradientTape() as tape:
            train1 = layer(x, training=True)
            loss = tf.reduce_sum(train1 * r)
        grads = [tf.convert_to_tensor(g).numpy() for g in tape.gradient(loss, layer.trainable_weights)]
        after1 = layer.get_weights()
        train2 = layer(x, training=True).numpy()
        after2 = layer.get_weights()
        arrays.update({f"{name}/x": x, f"{name}/r": r, f"{name}/infer": infer, f"{name}/train1": train1.numpy(),
                       f"{name}/train2": train2})
        for i, (a, b, c) in enumerate(zip(w0, after1, after2)):
            arrays.update({f"{name}/w0/{i}": a, f"{name}/after1/{i}": b, f"{name}/after2/{i}": c})
        for i, g in enumerate(grads):
            arrays[f"{name}/grad/{i}"] = g
        entries.append({
            "name": name, "input_shape": list(shape), "input_dtype": dtype,
            "config_unbuilt": config_unbuilt, "config": jsonable(layer.get_config()),
            "weights": [{"name": w.name, "shape": list(w.shape), "trainable": bool(w.trainable)}
                        for w in layer.weights],
            "num_trainable": len(layer.trainable_weights),
            "output_shape": list(layer.compute_output_shape((None,) + tuple(shape[1:]))),
        })
    return entries, arrays


def fit_fixture(rng, arrays):
    model = keras.Sequential([
        keras.Input((5,)),
        L.SpectralNormalization(L.Dense(8, activation="tanh"), name="sn_dense"),
        L.Dense(1, name="head"),
    ], name="sn_fit")
    init = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in model.weights]
    model.set_weights(init)
    x = rng.normal(size=(16, 5)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    predictions = model.predict(x, verbose=0)
    model.save_weights(os.path.join(OUT_DIR, "fit.weights.h5"))  # Keras 3's object layout
    model.save_weights(os.path.join(OUT_DIR, "fit_legacy.h5"))  # Keras 2's layer_names layout
    arrays.update({"fit/x": x, "fit/y": y, "fit/predictions": predictions})
    for i, (a, b) in enumerate(zip(init, model.get_weights())):
        arrays[f"fit/init/{i}"] = a
        arrays[f"fit/final/{i}"] = b
    return {"model": json.loads(model.to_json()), "losses": [float(v) for v in history.history["loss"]],
            "weights": [{"name": w.name, "shape": list(w.shape)} for w in model.weights]}


def spectral_errors():
    errors = {}
    try:
        L.SpectralNormalization(L.Dense(2), power_iterations=0)
    except ValueError as e:
        errors["power_iterations_0"] = str(e)
    try:
        L.SpectralNormalization(L.Dropout(0.5))(np.ones((2, 3), "float32"))
    except ValueError as e:
        errors["no_kernel"] = str(e)
    return errors


# ---- HashedCrossing -------------------------------------------------------------------------------------------

def crossing_cases():
    strings = ["A", "B", "A", "B", "A"]
    ints = [101, 101, 101, 102, 102]
    long_strings = ["", "x", "hello world", "a" * 17, "b" * 33, "the quick brown fox jumps over the lazy dog " * 3,
                    "é unicode ✓", "0123456789abcdef" * 5 + "xyz"]
    big_ints = [0, -1, 123456789012, 2**40, -(2**35), 17, 2**63 - 1, -(2**63)]
    return [
        ("doc_int", {"num_bins": 5}, [(strings, "string"), (ints, "int64")]),
        ("doc_one_hot", {"num_bins": 5, "output_mode": "one_hot"}, [(strings, "string"), (ints, "int64")]),
        ("ints", {"num_bins": 7}, [([1, 2, 3, 4, 5, 6], "int64"), ([6, 5, 4, 3, 2, 1], "int64")]),
        ("ints_int32", {"num_bins": 7}, [([1, 2, 3, 4, 5, 6], "int32"), ([6, 5, 4, 3, 2, 1], "int32")]),
        ("big_ints", {"num_bins": 1000003}, [(big_ints, "int64"), (big_ints[::-1], "int64")]),
        ("strings", {"num_bins": 2**31 - 1}, [(long_strings, "string"), (long_strings[::-1], "string")]),
        ("string_int", {"num_bins": 97}, [(long_strings, "string"), (big_ints, "int64")]),
        ("int_string", {"num_bins": 97}, [(big_ints, "int64"), (long_strings, "string")]),
        ("three", {"num_bins": 13}, [(strings, "string"), (ints, "int64"), (["x", "y", "z", "x", "y"], "string")]),
        ("column", {"num_bins": 10}, [([[1], [2], [3]], "int64"), ([["a"], ["b"], ["c"]], "string")]),
        ("column_one_hot", {"num_bins": 4, "output_mode": "one_hot"},
         [([[1], [2], [3]], "int64"), ([["a"], ["b"], ["c"]], "string")]),
        ("scalar", {"num_bins": 10}, [(3, "int64"), ("a", "string")]),
        ("scalar_one_hot", {"num_bins": 6, "output_mode": "one_hot"}, [(3, "int64"), ("a", "string")]),
        ("one_bin", {"num_bins": 1}, [(ints, "int64"), (strings, "string")]),
        ("int32_out", {"num_bins": 9, "dtype": "int32"}, [(ints, "int64"), (strings, "string")]),
    ]


def crossing_fixtures():
    entries = []
    for name, kwargs, inputs in crossing_cases():
        layer = L.HashedCrossing(**kwargs)
        tensors = tuple(tf.constant(values, dtype=tf.string if dtype == "string" else dtype)
                        for values, dtype in inputs)
        out = layer(tensors)
        entries.append({"name": name, "config": jsonable(layer.get_config()),
                        "inputs": [{"values": values, "dtype": dtype} for values, dtype in inputs],
                        "output": out.numpy().tolist(), "output_dtype": out.dtype.name})
    return entries


def crossing_errors():
    errors = {}
    attempts = {
        "one_input": lambda: L.HashedCrossing(3)((tf.constant([1]),)),
        "not_a_list": lambda: L.HashedCrossing(3)(tf.constant([1])),
        "shape_mismatch": lambda: L.HashedCrossing(3)((tf.constant([1, 2]), tf.constant([1, 2, 3]))),
        "rank_3": lambda: L.HashedCrossing(3)((tf.constant([[[1]]]), tf.constant([[[1]]]))),
        "wide_column": lambda: L.HashedCrossing(3)((tf.constant([[1, 2]]), tf.constant([[1, 2]]))),
        "float_input": lambda: L.HashedCrossing(3)((tf.constant([1.0]), tf.constant([1]))),
        "bad_output_mode": lambda: L.HashedCrossing(3, output_mode="multi_hot"),
        "int_mode_float_dtype": lambda: L.HashedCrossing(3, dtype="float32"),
        "symbolic": lambda: L.HashedCrossing(3)((keras.Input((1,), dtype="int64"),
                                                 keras.Input((1,), dtype="int64"))),
    }
    for name, attempt in attempts.items():
        try:
            result = attempt()
            errors[name] = {"ok": True, "shape": jsonable(list(result.shape))}
        except Exception as e:  # noqa: BLE001 - recording what tf-keras raises
            errors[name] = {"ok": False, "type": type(e).__name__, "message": str(e)[:300]}
    return errors


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    rng = np.random.default_rng(20240611)
    tf.random.set_seed(0)
    entries, arrays = spectral_fixtures(rng)
    fit = fit_fixture(rng, arrays)
    np.savez_compressed(os.path.join(OUT_DIR, "spectral.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "spectral.json"), "w") as f:
        json.dump({"tf_keras": keras.__version__, "cases": entries, "fit": fit, "errors": spectral_errors()},
                  f, indent=1)
    with open(os.path.join(OUT_DIR, "hashed_crossing.json"), "w") as f:
        json.dump({"tf_keras": keras.__version__, "cases": crossing_fixtures(), "errors": crossing_errors()},
                  f, indent=1, ensure_ascii=False)
    print("wrote", OUT_DIR)


if __name__ == "__main__":
    main()
