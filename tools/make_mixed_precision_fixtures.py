"""Writes tests/fixtures/mixed_precision/expected.json: what real tf-keras 2.21 does with dtype policies and
loss scaling, for tests/test_mixed_precision.py.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_mixed_precision_fixtures.py

Keys of the JSON file:

* ``policies``: per policy name, its ``compute_dtype``, ``variable_dtype``, ``repr`` and serialized form;
* ``policy_errors``: per bad argument, the exception class and message of ``Policy(...)`` or
  ``set_global_policy(...)``;
* ``layers``: per case (a layer built under a global policy or with an explicit ``dtype``), the layer's
  ``dtype``, ``compute_dtype``, ``variable_dtype``, ``dtype_policy`` repr, ``get_config()['dtype']``, its
  variables' dtypes and the dtype of its output for a float32 input;
* ``model``: the seeds' recommended mixed model (Dense layers under 'mixed_float16', a final
  ``Activation('softmax', dtype='float32')``): output dtypes of each layer and of the model, weight dtypes, the
  optimizer class compile() chose, its loss-scale attributes and config;
* ``loss_scale``: a LossScaleOptimizer(SGD) driven by hand with finite and non-finite gradients: after each step
  the variable, the loss scale, the dynamic counter and the iterations.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "mixed_precision")
mp = keras.mixed_precision


def dtype_name(x):
    return tf.as_dtype(x.dtype).name


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class and text are what we record
        return {"type": type(e).__name__, "message": str(e)}
    return None


def policies():
    out = {}
    for name in ("float32", "float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16", "int32", "half"):
        p = mp.Policy(name)
        out[name] = {"compute_dtype": p.compute_dtype, "variable_dtype": p.variable_dtype, "repr": repr(p),
                     "config": p.get_config(), "layer_config_dtype": keras.layers.Dense(1, dtype=p).get_config()["dtype"]}
    return out


def policy_errors():
    return {
        "bad_name": error_of(lambda: mp.Policy("not_a_dtype")),
        "float32_vars": error_of(lambda: mp.Policy("float16_with_float32_vars")),
        "not_a_string": error_of(lambda: mp.Policy(3)),
        "global_int": error_of(lambda: mp.set_global_policy("int32")),
    }


def layer_case(policy, dtype):
    mp.set_global_policy(policy)
    try:
        layer = keras.layers.Dense(3, dtype=dtype) if dtype is not None else keras.layers.Dense(3)
        y = layer(np.ones((2, 4), np.float32))
        return {"dtype": layer.dtype, "compute_dtype": layer.compute_dtype, "variable_dtype": layer.variable_dtype,
                "dtype_policy": repr(layer.dtype_policy), "config_dtype": layer.get_config()["dtype"],
                "weight_dtypes": [dtype_name(w) for w in layer.weights], "output_dtype": dtype_name(y)}
    finally:
        mp.set_global_policy("float32")


def model_case():
    mp.set_global_policy("mixed_float16")
    try:
        inputs = keras.Input(shape=(6,), name="x")
        h = keras.layers.Dense(8, activation="relu", name="dense_1")(inputs)
        h = keras.layers.Dense(3, name="dense_2")(h)
        outputs = keras.layers.Activation("softmax", dtype="float32", name="predictions")(h)
        model = keras.Model(inputs, outputs)
        symbolic = {layer.name: layer.output.dtype.name for layer in model.layers}
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
        x = np.random.default_rng(0).random((4, 6)).astype(np.float32)
        eager = {layer.name: None for layer in model.layers}
        t = tf.convert_to_tensor(x)
        for layer in model.layers[1:]:
            t = layer(t)
            eager[layer.name] = dtype_name(t)
        opt = model.optimizer
        return {
            "symbolic_output_dtypes": symbolic,
            "eager_output_dtypes": eager,
            "model_output_dtype": dtype_name(model(x)),
            "predict_dtype": str(model.predict(x, verbose=0).dtype),
            "weight_dtypes": [dtype_name(w) for w in model.weights],
            "model_dtype_policy": repr(model.dtype_policy),
            "optimizer_class": type(opt).__name__,
            "optimizer_is_lso": isinstance(opt, mp.LossScaleOptimizer),
            "inner_optimizer_class": type(opt.inner_optimizer).__name__,
            "dynamic": opt.dynamic,
            "initial_scale": opt.initial_scale,
            "dynamic_growth_steps": opt.dynamic_growth_steps,
            "loss_scale": float(opt.loss_scale),
            "config": opt.get_config(),
            "serialized": keras.optimizers.serialize(opt),
        }
    finally:
        mp.set_global_policy("float32")


def loss_scale_case():
    """SGD(0.5) on one variable w (start 1.0) with gradients fed by hand, growth every 2 steps."""
    w = tf.Variable([1.0, 2.0])
    opt = mp.LossScaleOptimizer(keras.optimizers.SGD(0.5), initial_scale=8.0, dynamic_growth_steps=2)
    grads = [[1.0, 1.0], [np.inf, 1.0], [1.0, np.nan], [1.0, 2.0], [2.0, 2.0], [0.5, 0.5], [1.0, 1.0]]
    steps = []
    for g in grads:
        opt.apply_gradients([(tf.constant(g, tf.float32), w)])
        steps.append({"grad": [str(v) for v in g], "w": w.numpy().tolist(), "loss_scale": float(opt.loss_scale),
                      "counter": int(opt.dynamic_counter.numpy()), "iterations": int(opt.iterations.numpy())})
    scaled = float(opt.get_scaled_loss(tf.constant(3.0)))
    unscaled = [float(v) for v in opt.get_unscaled_gradients([tf.constant(8.0)])[0].numpy().reshape(-1)]
    fixed = mp.LossScaleOptimizer(keras.optimizers.SGD(0.5), dynamic=False, initial_scale=4.0)
    errors = {
        "not_optimizer": error_of(lambda: mp.LossScaleOptimizer("sgd")),
        "dynamic_not_bool": error_of(lambda: mp.LossScaleOptimizer(keras.optimizers.SGD(), dynamic="yes")),
        "fixed_without_scale": error_of(lambda: mp.LossScaleOptimizer(keras.optimizers.SGD(), dynamic=False)),
        "fixed_with_growth": error_of(lambda: mp.LossScaleOptimizer(keras.optimizers.SGD(), dynamic=False,
                                                                    initial_scale=2.0, dynamic_growth_steps=3)),
        "wrap_twice": error_of(lambda: mp.LossScaleOptimizer(mp.LossScaleOptimizer(keras.optimizers.SGD()))),
    }
    defaults = mp.LossScaleOptimizer(keras.optimizers.SGD())
    return {"steps": steps, "scaled_loss_of_3": scaled, "unscaled_grad_of_8": unscaled,
            "fixed": {"dynamic": fixed.dynamic, "initial_scale": fixed.initial_scale,
                      "dynamic_growth_steps": fixed.dynamic_growth_steps, "loss_scale": float(fixed.loss_scale),
                      "dynamic_counter": fixed.dynamic_counter, "config": fixed.get_config()},
            "defaults": {"initial_scale": defaults.initial_scale, "dynamic_growth_steps": defaults.dynamic_growth_steps,
                         "loss_scale": float(defaults.loss_scale), "counter": int(defaults.dynamic_counter.numpy())},
            "errors": errors}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    expected = {
        "tf_keras_version": keras.__version__,
        "default_global_policy": repr(mp.global_policy()),
        "policies": policies(),
        "policy_errors": policy_errors(),
        "layers": {
            "global_mixed_float16": layer_case("mixed_float16", None),
            "global_mixed_bfloat16": layer_case("mixed_bfloat16", None),
            "global_mixed_float16_dtype_float32": layer_case("mixed_float16", "float32"),
            "explicit_mixed_bfloat16": layer_case("float32", "mixed_bfloat16"),
            "explicit_float64": layer_case("float32", "float64"),
            "explicit_policy_object": layer_case("float32", mp.Policy("mixed_float16")),
        },
        "model": model_case(),
        "loss_scale": loss_scale_case(),
    }
    with open(os.path.join(OUT_DIR, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True, default=str)
    print("wrote", os.path.join(OUT_DIR, "expected.json"))


if __name__ == "__main__":
    main()
