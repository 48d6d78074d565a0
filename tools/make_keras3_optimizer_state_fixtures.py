"""Keras 3's optimizer state in `.keras` files, for every optimizer fastkeras shares with Keras 3.

Keras 3 loads an optimizer's state only when the file's ``optimizer/vars`` group (and, for a
LossScaleOptimizer, ``optimizer/inner_optimizer/vars``) holds exactly as many variables as its own optimizer
has; otherwise it warns "Skipping variable loading for optimizer ..." and training resumes from fresh slots.
These fixtures are what Keras 3.15.1 itself writes, and how it continues, so that tests can check fastkeras'
files against them (tests/saving/test_keras3_optimizer_state.py).

Three modes:

  Keras 3.15.1 on torch (the fixtures):
      KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_keras3_optimizer_state_fixtures.py

  fastkeras writes the same trained models (a manual check, not CI):
      .venv/bin/python tools/make_keras3_optimizer_state_fixtures.py --fastkeras-write DIR

  Keras 3 loads them and reports per case whether it kept the state, how its variables compare with its own
  after the same steps, and whether one more step gives its own weights:
      KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_keras3_optimizer_state_fixtures.py --keras3-check DIR

Every case trains Input(3) -> Dense(2) (kernel and bias from a seeded generator) on mse with ``train_on_batch``
over ``STEPS`` fixed batches of 4, saves ``k3_<case>.keras``, then takes one more step on the next batch.

Files in tests/fixtures/keras3_optimizer_state/:

``cases.json``: ``steps``; ``cases``: {id, optimizer: [class name, kwargs] (a LossScaleOptimizer's kwargs hold
``inner_optimizer`` as [class name, kwargs]), policy (a dtype policy name or null), groups: {h5 group under
``optimizer/``: [[dataset name, shape, dtype], ...]} as Keras 3 writes them, paths (``v.path`` of each of
``optimizer.variables``), keras3_reloads_state (whether Keras 3's own load_model keeps the state: not for the
mixed_float16 model, whose reloaded optimizer is not wrapped in a LossScaleOptimizer again)}.
``arrays.npz``: ``x<i>``, ``y<i>`` (batch i, ``STEPS + 1`` of them), ``w0_0``/``w0_1`` (the initial kernel and
bias); per case ``<id>/state/<group>/<name>`` (the file's optimizer datasets, ``/`` in the group name kept),
``<id>/w_<j>`` (weights when saved), ``<id>/next_<j>`` (weights after the next step).
``k3_<case>.keras``: Keras 3's file.
"""
import json
import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "keras3_optimizer_state")
STEPS = 3

# id -> (optimizer class, kwargs, dtype policy). Keras 3's names and arguments (fastkeras takes the same ones).
CASES = [
    ("sgd", ("SGD", {"learning_rate": 0.1}), None),
    ("sgd_momentum", ("SGD", {"learning_rate": 0.1, "momentum": 0.9}), None),
    ("sgd_nesterov", ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}), None),
    ("adam", ("Adam", {"learning_rate": 0.01}), None),
    ("adam_amsgrad", ("Adam", {"learning_rate": 0.01, "amsgrad": True}), None),
    ("adamw", ("AdamW", {"learning_rate": 0.01}), None),
    ("adamw_amsgrad", ("AdamW", {"learning_rate": 0.01, "amsgrad": True}), None),
    ("rmsprop", ("RMSprop", {"learning_rate": 0.01}), None),
    ("rmsprop_momentum", ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5}), None),
    ("rmsprop_centered", ("RMSprop", {"learning_rate": 0.01, "centered": True}), None),
    ("rmsprop_momentum_centered", ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}), None),
    ("adagrad", ("Adagrad", {"learning_rate": 0.1}), None),
    ("adadelta", ("Adadelta", {"learning_rate": 1.0}), None),
    ("adamax", ("Adamax", {"learning_rate": 0.01}), None),
    ("nadam", ("Nadam", {"learning_rate": 0.01}), None),
    ("ftrl", ("Ftrl", {"learning_rate": 0.1}), None),
    ("ftrl_l2_shrinkage", ("Ftrl", {"learning_rate": 0.1, "l2_regularization_strength": 0.01,
                                    "l2_shrinkage_regularization_strength": 0.01}), None),
    ("lion", ("Lion", {"learning_rate": 0.01}), None),
    ("adafactor", ("Adafactor", {"learning_rate": 0.1}), None),
    ("lamb", ("Lamb", {"learning_rate": 0.01}), None),
    ("adam_ema", ("Adam", {"learning_rate": 0.01, "use_ema": True}), None),
    ("loss_scale", ("LossScaleOptimizer", {"inner_optimizer": ["Adam", {"learning_rate": 0.01}]}), None),
    ("loss_scale_sgd", ("LossScaleOptimizer", {"inner_optimizer": ["SGD", {"learning_rate": 0.1}],
                                               "initial_scale": 256.0, "dynamic_growth_steps": 2}), None),
    ("mixed_float16", ("Adam", {"learning_rate": 0.01}), "mixed_float16"),
]


def data():
    rng = np.random.default_rng(20261130)
    arrays = {"w0_0": rng.normal(size=(3, 2)).astype("float32"), "w0_1": rng.normal(size=(2,)).astype("float32")}
    for i in range(STEPS + 1):
        arrays[f"x{i}"] = rng.normal(size=(4, 3)).astype("float32")
        arrays[f"y{i}"] = rng.normal(size=(4, 2)).astype("float32")
    return arrays


def make_optimizer(optimizers, spec):
    name, kwargs = spec
    kwargs = dict(kwargs)
    if "inner_optimizer" in kwargs:
        kwargs["inner_optimizer"] = make_optimizer(optimizers, kwargs["inner_optimizer"])
    return getattr(optimizers, name)(**kwargs)


def trained_model(keras, spec, policy, arrays, optimizers=None):
    """The case's model after STEPS train_on_batch steps (keras: Keras 3 or fastkeras)."""
    keras.mixed_precision.set_global_policy(policy or "float32")
    try:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.set_weights([arrays["w0_0"], arrays["w0_1"]])
    model.compile(optimizer=make_optimizer(optimizers or keras.optimizers, spec), loss="mse")
    for i in range(STEPS):
        model.train_on_batch(arrays[f"x{i}"], arrays[f"y{i}"])
    return model


def h5_groups(path):
    """{group under optimizer/: {dataset name: array}} of a .keras file."""
    import io
    import zipfile

    import h5py
    with zipfile.ZipFile(path) as archive:
        raw = archive.read("model.weights.h5")
    groups = {}
    with h5py.File(io.BytesIO(raw), "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                group, key = name.rsplit("/", 1)
                groups.setdefault(group, {})[key] = np.asarray(obj)
        if "optimizer" in f:
            f["optimizer"].visititems(visit)
    return {g: dict(sorted(v.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else kv[0]))
            for g, v in sorted(groups.items())}


def keras3_module():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    if keras.__version__ != "3.15.1":
        sys.exit(f"needs Keras 3.15.1, found {keras.__version__}")
    return keras


def make_fixtures():
    keras = keras3_module()
    import shutil
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    arrays = data()
    out = dict(arrays)
    cases = []
    for cid, spec, policy in CASES:
        keras.utils.set_random_seed(0)
        model = trained_model(keras, spec, policy, arrays)
        path = os.path.join(OUT, f"k3_{cid}.keras")
        model.save(path)
        groups = h5_groups(path)
        cases.append({"id": cid, "optimizer": list(spec), "policy": policy,
                      "groups": {g: [[k, list(v.shape), str(v.dtype)] for k, v in vs.items()]
                                 for g, vs in groups.items()},
                      "paths": [v.path for v in model.optimizer.variables]})
        for g, vs in groups.items():
            for k, v in vs.items():
                out[f"{cid}/state/{g}/{k}"] = v
        for j, w in enumerate(model.get_weights()):
            out[f"{cid}/w_{j}"] = w
        model.train_on_batch(arrays[f"x{STEPS}"], arrays[f"y{STEPS}"])
        for j, w in enumerate(model.get_weights()):
            out[f"{cid}/next_{j}"] = w
        # Keras 3 reads its own file back with the state (a sanity check of the reference).
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = keras.saving.load_model(path)
        skipped = [str(w.message) for w in caught if "Skipping" in str(w.message)]
        cases[-1]["keras3_reloads_state"] = not skipped
        if not skipped:
            loaded.train_on_batch(arrays[f"x{STEPS}"], arrays[f"y{STEPS}"])
            for j, w in enumerate(loaded.get_weights()):
                np.testing.assert_allclose(w, out[f"{cid}/next_{j}"], rtol=1e-6, atol=1e-7, err_msg=cid)
        print(cid, {g: len(v) for g, v in groups.items()}, "" if not skipped else f"Keras 3 skips: {skipped}")
    np.savez(os.path.join(OUT, "arrays.npz"), **out)
    with open(os.path.join(OUT, "cases.json"), "w") as fh:
        json.dump({"keras_version": keras.__version__, "backend": keras.backend.backend(), "steps": STEPS,
                   "cases": cases}, fh, indent=1)
        fh.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} files, {total} bytes")


def fastkeras_write(directory):
    sys.path.insert(0, os.path.join(HERE, ".."))
    import fastkeras as keras
    os.makedirs(directory, exist_ok=True)
    arrays = data()
    for cid, spec, policy in CASES:
        model = trained_model(keras, spec, policy, arrays)
        model.save(os.path.join(directory, f"fk_{cid}.keras"))
    print(f"wrote {len(CASES)} files to {directory}")


def keras3_check(directory):
    """Keras 3 loads fastkeras' files: one row per case."""
    keras = keras3_module()
    arrays = np.load(os.path.join(OUT, "arrays.npz"))
    rows = []
    for cid, spec, policy in CASES:
        path = os.path.join(directory, f"fk_{cid}.keras")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = keras.saving.load_model(path)
        skipped = [str(w.message).split(".")[0] for w in caught if "Skipping" in str(w.message)]
        reference = {k[len(cid) + 7:]: arrays[k] for k in arrays.files if k.startswith(f"{cid}/state/")}
        own = {}
        for g, vs in h5_groups(os.path.join(OUT, f"k3_{cid}.keras")).items():
            own.update({f"{g}/{k}": v for k, v in vs.items()})
        # What Keras 3 holds after loading, in its own file layout.
        model.save(os.path.join(directory, f"k3_reload_{cid}.keras"))
        held = {}
        for g, vs in h5_groups(os.path.join(directory, f"k3_reload_{cid}.keras")).items():
            held.update({f"{g}/{k}": v for k, v in vs.items()})
        if sorted(held) != sorted(reference):
            state = f"layout differs: {sorted(held)} vs {sorted(reference)}"
        else:
            err = max(float(np.max(np.abs(held[k].astype('float64') - reference[k].astype('float64')), initial=0))
                      for k in reference)
            state = f"max |diff| {err:.2g}"
        model.train_on_batch(arrays[f"x{STEPS}"], arrays[f"y{STEPS}"])
        next_err = max(float(np.max(np.abs(w - arrays[f"{cid}/next_{j}"])))
                       for j, w in enumerate(model.get_weights()))
        row = {"case": cid, "skipped": skipped, "state": state, "next_step_max_diff": next_err}
        rows.append(row)
        print(f"{cid:28s} {'SKIPPED' if skipped else 'state loaded':12s} {state:40s} next step |diff| "
              f"{next_err:.2g}")
    with open(os.path.join(directory, "rows_keras3.json"), "w") as fh:
        json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fastkeras-write":
        fastkeras_write(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--keras3-check":
        keras3_check(sys.argv[2])
    elif len(sys.argv) == 1:
        make_fixtures()
    else:
        sys.exit(__doc__)
