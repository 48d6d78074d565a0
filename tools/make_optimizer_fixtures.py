"""Writes the expected values of tests/test_optimizers.py by running real tf-keras 2.21 optimizers.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_optimizer_fixtures.py

It writes, into tests/fixtures/optimizers/:

* ``cases.json``: per optimizer case its id, class name, constructor kwargs (a schedule as its serialized
  dict), whether it ran on a ``tf_keras.optimizers.legacy`` class (the ``decay=`` cases: tf-keras 2.21 only
  accepts ``decay`` there), ``get_config()``, ``serialize()``, the variables' names and shapes, and the
  optimizer's variable names after the steps (legacy cases: none, their slot layout is not the one fastkeras
  follows);
* ``arrays.npz``: per case ``<id>/init/<i>`` (initial variable values), ``<id>/grad/<step>/<i>`` (the fixed
  gradients of 5 ``apply_gradients`` steps), ``<id>/var/<step>/<i>`` (the variables after each step) and
  ``<id>/opt/<j>`` (the optimizer's variables at the end, ``variables()`` order);
* ``schedules.json``: each schedule's config, a list of steps and the values tf-keras gives there;
* ``fit.json`` / ``fit.npz``: a tiny Dense model trained by ``model.fit(x, y, batch_size=4, epochs=1,
  shuffle=False)`` from fixed weights with a few optimizers: the data, the initial and final weights, the
  optimizer's variable names and values after fit.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "optimizers")
STEPS = 5
VARIABLES = [("dense/kernel", (3, 4)), ("dense/bias", (4,)), ("conv2d/kernel", (2, 2, 1, 3))]

EXP_SCHEDULE = {"class_name": "ExponentialDecay",
                "config": {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}}
PIECEWISE_SCHEDULE = {"class_name": "PiecewiseConstantDecay",
                      "config": {"boundaries": [1, 3], "values": [0.05, 0.02, 0.01]}}
COSINE_SCHEDULE = {"class_name": "CosineDecay",
                   "config": {"initial_learning_rate": 0.01, "decay_steps": 4, "alpha": 0.1,
                              "warmup_target": 0.05, "warmup_steps": 2}}

# (id, class name, kwargs, {"legacy": bool, "grad_scale": float})
CASES = [
    ("sgd", "SGD", dict(learning_rate=0.1), {}),
    ("sgd_momentum", "SGD", dict(learning_rate=0.1, momentum=0.9), {}),
    ("sgd_nesterov", "SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True), {}),
    ("rmsprop", "RMSprop", dict(learning_rate=0.01), {}),
    ("rmsprop_eps", "RMSprop", dict(learning_rate=0.01, epsilon=0.5), {}),
    ("rmsprop_centered", "RMSprop", dict(learning_rate=0.01, centered=True), {}),
    ("rmsprop_momentum", "RMSprop", dict(learning_rate=0.01, momentum=0.5), {}),
    ("rmsprop_centered_momentum", "RMSprop", dict(learning_rate=0.01, momentum=0.5, centered=True, rho=0.8), {}),
    ("adam", "Adam", dict(learning_rate=0.01), {}),
    ("adam_eps", "Adam", dict(learning_rate=0.01, epsilon=0.1, beta_1=0.8, beta_2=0.9), {}),
    ("adam_adaptive_eps", "Adam", dict(learning_rate=0.01, epsilon=0.1, adaptive_epsilon=True), {}),
    ("adam_amsgrad", "Adam", dict(learning_rate=0.01, amsgrad=True, beta_2=0.5), {}),
    ("adamw", "AdamW", dict(learning_rate=0.01, weight_decay=0.1), {}),
    ("adagrad", "Adagrad", dict(learning_rate=0.1), {}),
    ("adagrad_eps", "Adagrad", dict(learning_rate=0.1, initial_accumulator_value=0.0, epsilon=0.5), {}),
    ("adadelta", "Adadelta", dict(learning_rate=1.0), {}),
    ("adadelta_eps", "Adadelta", dict(learning_rate=1.0, rho=0.9, epsilon=1e-3), {}),
    ("adamax", "Adamax", dict(learning_rate=0.01), {}),
    ("adamax_eps", "Adamax", dict(learning_rate=0.01, epsilon=0.05, beta_2=0.5), {}),
    ("nadam", "Nadam", dict(learning_rate=0.01), {}),
    ("nadam_eps", "Nadam", dict(learning_rate=0.01, epsilon=0.1, beta_1=0.8), {}),
    ("ftrl", "Ftrl", dict(learning_rate=0.1), {}),
    ("ftrl_regularized", "Ftrl", dict(learning_rate=0.1, learning_rate_power=-0.6, l1_regularization_strength=0.01,
                                      l2_regularization_strength=0.02, l2_shrinkage_regularization_strength=0.03,
                                      beta=0.1), {}),
    ("lion", "Lion", dict(learning_rate=0.01), {}),
    ("sgd_clipnorm", "SGD", dict(learning_rate=0.1, clipnorm=1.0), {"grad_scale": 3.0}),
    ("sgd_global_clipnorm", "SGD", dict(learning_rate=0.1, global_clipnorm=1.5), {"grad_scale": 3.0}),
    ("adam_clipvalue", "Adam", dict(learning_rate=0.01, clipvalue=0.5), {"grad_scale": 3.0}),
    ("sgd_weight_decay", "SGD", dict(learning_rate=0.1, momentum=0.5, weight_decay=0.05), {}),
    ("adam_ema", "Adam", dict(learning_rate=0.01, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=3), {}),
    ("sgd_exponential_decay", "SGD", dict(learning_rate=EXP_SCHEDULE, momentum=0.9), {}),
    ("adam_piecewise", "Adam", dict(learning_rate=PIECEWISE_SCHEDULE), {}),
    ("rmsprop_cosine_warmup", "RMSprop", dict(learning_rate=COSINE_SCHEDULE, momentum=0.5), {}),
    # Keras 2's `decay=` (lr / (1 + decay * iterations)) exists only in tf-keras' legacy optimizers.
    ("legacy_sgd_decay", "SGD", dict(learning_rate=0.1, momentum=0.9, decay=0.1), {"legacy": True}),
    ("legacy_sgd_nesterov_decay", "SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True, decay=0.3),
     {"legacy": True}),
    ("legacy_adam_decay", "Adam", dict(learning_rate=0.01, decay=0.2), {"legacy": True}),
    # (tf-keras' legacy RMSprop puts epsilon outside the square root when momentum is 0: only momentum > 0 agrees.)
    ("legacy_rmsprop_momentum_decay", "RMSprop", dict(learning_rate=0.01, momentum=0.5, decay=0.5), {"legacy": True}),
]

SCHEDULES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.7)),
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.7, staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[2, 5, 9], values=[1.0, 0.5, 0.25, 0.125])),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=10)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=7, end_learning_rate=0.01, power=2.0,
                             cycle=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.5)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.5, staircase=True)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=10)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=10, alpha=0.2, warmup_target=0.5,
                         warmup_steps=5)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=4)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=3, t_mul=1.0, m_mul=0.5,
                                 alpha=0.1)),
]
SCHEDULE_STEPS = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 17, 25, 40, 100]


def plain(value):
    """JSON-safe copy: numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def make_optimizer(class_name, kwargs, legacy):
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = keras.optimizers.schedules.deserialize(kwargs["learning_rate"])
    module = keras.optimizers.legacy if legacy else keras.optimizers
    return getattr(module, class_name)(**kwargs)


def run_case(index, case_id, class_name, kwargs, options, arrays):
    rng = np.random.default_rng(1000 + index)
    variables = []
    for i, (name, shape) in enumerate(VARIABLES):
        init = rng.normal(0.0, 0.5, shape).astype(np.float32)
        arrays[f"{case_id}/init/{i}"] = init
        variables.append(tf.Variable(init, name=name))
    legacy = options.get("legacy", False)
    optimizer = make_optimizer(class_name, kwargs, legacy)
    scale = options.get("grad_scale", 1.0)
    for step in range(STEPS):
        grads = []
        for i, (_, shape) in enumerate(VARIABLES):
            g = (rng.normal(0.0, 1.0, shape) * scale).astype(np.float32)
            if step == 1:
                g.flat[0] = 0.0  # an exact zero (sign(0) in Lion, empty steps in Adagrad)
            arrays[f"{case_id}/grad/{step}/{i}"] = g
            grads.append(tf.constant(g))
        optimizer.apply_gradients(zip(grads, variables))
        for i, v in enumerate(variables):
            arrays[f"{case_id}/var/{step}/{i}"] = v.numpy()
    opt_variables = [] if legacy else list(optimizer.variables())
    for j, v in enumerate(opt_variables):
        arrays[f"{case_id}/opt/{j}"] = v.numpy()
    return {
        "id": case_id,
        "class_name": class_name,
        "kwargs": plain(kwargs),
        "legacy": legacy,
        "config": plain(optimizer.get_config()),
        "serialized": plain(keras.optimizers.serialize(optimizer)),
        "variables": [{"name": name, "shape": list(shape)} for name, shape in VARIABLES],
        "optimizer_variables": [{"name": v.name, "shape": list(v.shape)} for v in opt_variables],
        "iterations": int(optimizer.iterations.numpy()),
        "learning_rate_after": float(keras.backend.get_value(optimizer.learning_rate)) if not legacy else None,
    }


def schedule_cases():
    out = []
    for class_name, config in SCHEDULES:
        schedule = getattr(keras.optimizers.schedules, class_name)(**config)
        values = [float(schedule(step).numpy()) for step in SCHEDULE_STEPS]
        out.append({"class_name": class_name, "config": plain(schedule.get_config()),
                    "serialized": plain(keras.optimizers.schedules.serialize(schedule)),
                    "steps": SCHEDULE_STEPS, "values": values})
    return out


# A name, or (class name, kwargs) built from tf_keras.optimizers (keras.optimizers.get on a config dict without
# 'module' would give tf-keras' *legacy* class).
FIT_OPTIMIZERS = [
    ("adam_string", "adam"),
    ("sgd_nesterov", ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True})),
    ("rmsprop_centered", ("RMSprop", {"learning_rate": 0.01, "centered": True})),
]


def fit_cases():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(12, 4)).astype(np.float32)
    y = rng.normal(size=(12, 2)).astype(np.float32)
    init = [rng.normal(0, 0.5, (4, 3)).astype(np.float32), rng.normal(0, 0.1, (3,)).astype(np.float32),
            rng.normal(0, 0.5, (3, 2)).astype(np.float32), rng.normal(0, 0.1, (2,)).astype(np.float32)]
    arrays = {"x": x, "y": y}
    arrays.update({f"init/{i}": w for i, w in enumerate(init)})
    cases = []
    for case_id, identifier in FIT_OPTIMIZERS:
        keras.backend.clear_session()
        model = keras.Sequential([keras.layers.Dense(3, activation="tanh", input_shape=(4,)),
                                  keras.layers.Dense(2)])
        model.set_weights(init)
        model.compile(optimizer=identifier if isinstance(identifier, str) else
                      getattr(keras.optimizers, identifier[0])(**identifier[1]), loss="mse")
        history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        for i, w in enumerate(model.get_weights()):
            arrays[f"{case_id}/final/{i}"] = w
        opt_vars = list(model.optimizer.variables())
        for j, v in enumerate(opt_vars):
            arrays[f"{case_id}/opt/{j}"] = v.numpy()
        cases.append({"id": case_id, "identifier": identifier, "config": plain(model.optimizer.get_config()),
                      "optimizer_variables": [{"name": v.name, "shape": list(v.shape)} for v in opt_vars],
                      "loss": float(history.history["loss"][0]),
                      "iterations": int(model.optimizer.iterations.numpy())})
    return cases, arrays


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    arrays = {}
    cases = [run_case(i, *case, arrays) for i, case in enumerate(CASES)]
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump({"tf_keras_version": keras.__version__, "steps": STEPS, "cases": cases}, f, indent=1)
    with open(os.path.join(OUT_DIR, "schedules.json"), "w") as f:
        json.dump({"schedules": schedule_cases()}, f, indent=1)
    fit, fit_arrays = fit_cases()
    np.savez_compressed(os.path.join(OUT_DIR, "fit.npz"), **fit_arrays)
    with open(os.path.join(OUT_DIR, "fit.json"), "w") as f:
        json.dump({"batch_size": 4, "epochs": 1, "loss": "mse", "cases": fit}, f, indent=1)
    print(f"wrote {len(cases)} optimizer cases, {len(SCHEDULES)} schedules, {len(fit)} fit cases to {OUT_DIR}")


if __name__ == "__main__":
    main()
