"""Writes the expected values of tests/layers/test_locally_connected.py by running real tf-keras.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_locally_connected_fixtures.py

It writes, into tests/fixtures/locally_connected/:

* ``cases.json``: per case its id, class name, tf-keras ``get_config()``, input shape, weight names and shapes,
  the output shape tf-keras' ``compute_output_shape`` gives for a None batch, and the sum of the layer's
  regularization losses after the call;
* ``arrays.npz``: per case ``<id>/x`` (input), ``<id>/w<i>`` (weights, seeded random values), ``<id>/y``
  (output), ``<id>/cot`` (a seeded random cotangent), ``<id>/dx`` and ``<id>/dw<i>`` (gradients of
  ``sum(y * cot)`` by tf.GradientTape);
* ``errors.json``: the exception class and message tf-keras gives for a few bad arguments and inputs;
* ``model.h5``: a two-input functional model with LocallyConnected1D/2D layers of every implementation, saved
  by tf-keras (config and weights), and ``model_io.npz`` with its inputs (``x1``, ``x2``) and ``predict``
  output (``y``).
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "locally_connected")
BATCH = 2

L1, L2 = "LocallyConnected1D", "LocallyConnected2D"

# (id, class name, constructor kwargs, input shape without batch)
CASES = [
    # LocallyConnected1D
    ("lc1d_i1_valid", L1, dict(filters=4, kernel_size=3), (9, 3)),
    ("lc1d_i1_s2_k2", L1, dict(filters=3, kernel_size=2, strides=2, activation="relu"), (9, 2)),
    ("lc1d_i1_cf", L1, dict(filters=4, kernel_size=3, strides=2, data_format="channels_first"), (3, 8)),
    ("lc1d_i1_nobias", L1, dict(filters=2, kernel_size=4, use_bias=False), (7, 3)),
    ("lc1d_i2_valid", L1, dict(filters=4, kernel_size=3, strides=2, implementation=2), (9, 3)),
    ("lc1d_i2_same", L1, dict(filters=3, kernel_size=4, strides=3, padding="same", implementation=2), (10, 2)),
    ("lc1d_i2_cf_same", L1, dict(filters=3, kernel_size=3, padding="same", data_format="channels_first",
                                 implementation=2), (2, 7)),
    ("lc1d_i3_valid", L1, dict(filters=4, kernel_size=3, implementation=3, activation="tanh"), (8, 3)),
    ("lc1d_i3_same_k2_s3", L1, dict(filters=2, kernel_size=2, strides=3, padding="same", implementation=3),
     (11, 3)),
    ("lc1d_i3_cf_s2", L1, dict(filters=3, kernel_size=3, strides=2, data_format="channels_first",
                               implementation=3), (2, 9)),
    ("lc1d_i2_regularized", L1, dict(filters=3, kernel_size=2, implementation=2, kernel_initializer="he_normal",
                                     kernel_regularizer=keras.regularizers.l2(0.01),
                                     bias_regularizer=keras.regularizers.l1(0.1),
                                     activity_regularizer=keras.regularizers.l2(0.001),
                                     kernel_constraint="max_norm", bias_constraint="non_neg"), (6, 2)),
    # LocallyConnected2D
    ("lc2d_i1_valid", L2, dict(filters=4, kernel_size=3), (6, 5, 3)),
    ("lc2d_i1_k32_s23", L2, dict(filters=3, kernel_size=(3, 2), strides=(2, 3), activation="sigmoid"), (8, 9, 2)),
    ("lc2d_i1_cf", L2, dict(filters=3, kernel_size=2, strides=2, data_format="channels_first"), (2, 6, 7)),
    ("lc2d_i1_nobias", L2, dict(filters=2, kernel_size=(2, 3), use_bias=False), (4, 5, 2)),
    ("lc2d_i2_valid", L2, dict(filters=3, kernel_size=3, implementation=2), (5, 6, 2)),
    ("lc2d_i2_same_s2", L2, dict(filters=3, kernel_size=3, strides=2, padding="same", implementation=2),
     (6, 7, 2)),
    ("lc2d_i2_cf", L2, dict(filters=2, kernel_size=(2, 3), strides=(1, 2), data_format="channels_first",
                            implementation=2), (3, 5, 6)),
    ("lc2d_i3_valid", L2, dict(filters=3, kernel_size=2, implementation=3, activation="relu"), (5, 4, 2)),
    ("lc2d_i3_same_k2", L2, dict(filters=2, kernel_size=2, padding="same", implementation=3), (4, 5, 3)),
    ("lc2d_i3_cf_same_s2", L2, dict(filters=3, kernel_size=(3, 2), strides=2, padding="same",
                                    data_format="channels_first", implementation=3), (2, 6, 5)),
    ("lc2d_i3_nobias", L2, dict(filters=2, kernel_size=3, strides=(2, 1), use_bias=False, implementation=3),
     (7, 5, 2)),
]

# (id, class name, constructor kwargs, input shape with batch or None): what tf-keras raises.
ERRORS = [
    ("same_impl1_1d", L1, dict(filters=2, kernel_size=3, padding="same"), None),
    ("same_impl1_2d", L2, dict(filters=2, kernel_size=3, padding="same"), None),
    ("causal_1d", L1, dict(filters=2, kernel_size=3, padding="causal", implementation=2), (None, 8, 3)),
    ("bad_padding_2d", L2, dict(filters=2, kernel_size=3, padding="full"), None),
    ("implementation_4", L1, dict(filters=2, kernel_size=3, implementation=4), (None, 8, 3)),
    ("too_short_1d", L1, dict(filters=2, kernel_size=5), (None, 4, 3)),
    ("too_small_2d", L2, dict(filters=2, kernel_size=3, strides=2), (None, 2, 6, 3)),
    ("undefined_rows_2d", L2, dict(filters=2, kernel_size=3), (None, None, 6, 3)),
    ("kernel_size_3_in_2d", L2, dict(filters=2, kernel_size=(3, 3, 3)), None),
]


def jsonable(value):
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def compute(cls, config, x, rng):
    layer = cls.from_config(config)
    layer.build(x.shape)
    weights = [(rng.standard_normal(w.shape) * 0.5).astype(np.float32) for w in layer.weights]
    if config.get("bias_constraint") is not None and layer.bias is not None:
        weights[-1] = np.abs(weights[-1])  # a non_neg bias, so a constraint applied on load changes nothing
    layer.set_weights(weights)
    x_t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        y = layer(x_t)
        cot = rng.standard_normal(y.shape).astype(np.float32)
        loss = tf.reduce_sum(y * tf.constant(cot))
    grads = tape.gradient(loss, [x_t] + list(layer.weights))
    reg_loss = float(sum(float(v) for v in layer.losses)) if layer.losses else 0.0
    return y.numpy(), cot, grads[0].numpy(), weights, [g.numpy() for g in grads[1:]], reg_loss, layer


def write_cases(arrays, cases):
    for index, (case_id, class_name, kwargs, input_shape) in enumerate(CASES):
        rng = np.random.default_rng(2000 + index)
        cls = getattr(keras.layers, class_name)
        config = cls(**kwargs).get_config()
        x = rng.standard_normal((BATCH,) + tuple(input_shape)).astype(np.float32)
        y, cot, dx, weights, dweights, reg_loss, layer = compute(cls, config, x, rng)
        arrays[f"{case_id}/x"] = x
        arrays[f"{case_id}/y"] = y
        arrays[f"{case_id}/cot"] = cot
        arrays[f"{case_id}/dx"] = dx
        for i, (w, dw) in enumerate(zip(weights, dweights)):
            arrays[f"{case_id}/w{i}"] = w
            arrays[f"{case_id}/dw{i}"] = dw
        cases.append({
            "id": case_id,
            "class_name": class_name,
            "config": jsonable(config),
            "input_shape": [BATCH] + list(input_shape),
            "weights": [{"name": w.name.split("/")[-1].split(":")[0], "shape": list(w.shape)} for w in layer.weights],
            "output_shape": list(y.shape),
            "batch_none_output_shape": jsonable(list(layer.compute_output_shape((None,) + tuple(input_shape)))),
            "regularization_loss": reg_loss,
        })
        print(f"{case_id:24s} {class_name:20s} y{tuple(y.shape)} weights {[tuple(w.shape) for w in weights]}")


def write_errors():
    errors = {}
    for case_id, class_name, kwargs, shape in ERRORS:
        cls = getattr(keras.layers, class_name)
        try:
            layer = cls(**kwargs)
            if shape is not None:
                layer.build(shape)
        except Exception as e:  # noqa: BLE001 (recording whatever tf-keras raises)
            errors[case_id] = {"class_name": class_name, "kwargs": jsonable(kwargs), "input_shape": shape,
                               "exception": type(e).__name__, "message": str(e)}
        else:
            errors[case_id] = {"class_name": class_name, "kwargs": jsonable(kwargs), "input_shape": shape,
                               "exception": None, "message": None}
        print(f"{case_id:24s} {errors[case_id]['exception']}: {str(errors[case_id]['message'])[:90]}")
    return errors


def write_model():
    """A two-input model with every implementation, weights seeded, saved as a Keras 2 full-model .h5."""
    layers = keras.layers
    in1 = keras.Input((10, 3), name="seq")
    a = layers.LocallyConnected1D(4, 3, activation="relu", name="lc1d_impl1")(in1)
    a = layers.LocallyConnected1D(3, 2, strides=2, padding="same", implementation=3, name="lc1d_impl3")(a)
    a = layers.LocallyConnected1D(2, 2, implementation=2, data_format="channels_first", name="lc1d_impl2")(a)
    a = layers.Flatten()(a)
    in2 = keras.Input((6, 5, 2), name="img")
    b = layers.LocallyConnected2D(3, 2, implementation=2, padding="same", name="lc2d_impl2")(in2)
    b = layers.LocallyConnected2D(3, (3, 2), strides=(1, 2), implementation=3, name="lc2d_impl3")(b)
    b = layers.LocallyConnected2D(2, 2, data_format="channels_first", use_bias=False, name="lc2d_impl1")(b)
    b = layers.Flatten()(b)
    out = layers.Dense(2, name="head")(layers.Concatenate()([a, b]))
    model = keras.Model([in1, in2], out, name="locally_connected_model")
    rng = np.random.default_rng(7)
    model.set_weights([(rng.standard_normal(w.shape) * 0.4).astype(np.float32) for w in model.weights])
    x1 = rng.standard_normal((3, 10, 3)).astype(np.float32)
    x2 = rng.standard_normal((3, 6, 5, 2)).astype(np.float32)
    y = model.predict([x1, x2], verbose=0)
    model.save(os.path.join(OUT_DIR, "model.h5"))
    np.savez_compressed(os.path.join(OUT_DIR, "model_io.npz"), x1=x1, x2=x2, y=y)
    print("model.h5", [w.name for w in model.weights])


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    arrays, cases = {}, []
    write_cases(arrays, cases)
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    versions = {"tf_keras_version": keras.__version__, "tensorflow_version": tf.__version__}
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(dict(versions, cases=cases), f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT_DIR, "errors.json"), "w") as f:
        json.dump(dict(versions, errors=write_errors()), f, indent=1)
        f.write("\n")
    write_model()


if __name__ == "__main__":
    main()
