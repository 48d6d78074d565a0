"""Differential fuzzing against tf-keras, the reference side: random models built, compiled, trained and saved by
tf-keras 2.21 (run with the tf-keras environment, e.g. /work/kvenv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/fuzz/generate.py FAMILY COUNT SEED [--out DIR]

FAMILY is one of models.FAMILIES (functional, masked, sequence_outputs, layers, misc, fit, stateful,
mixed_float16, mixed_bfloat16). Each case ``<family>_<seed>_<i>`` in DIR (default /tmp/fastkeras_fuzz/cases)
has the model as ``.h5``, ``.keras``, ``.w.h5`` (save_weights, Keras 2 layout), ``.weights.h5`` (Keras 3 layout)
and ``.json`` (to_json); ``.npz`` with the inputs ``x<i>``, targets ``y<i>``, sample weights ``sw<i>`` and
predictions; ``.case.json`` with the compile and fit arguments and tf-keras' logs:

* ``eval``, ``eval_batches_of_3``, ``train1``, ``train2``, ``test``: evaluate (one batch, batches of 3),
  train_on_batch twice and test_on_batch of the freshly compiled model (npz ``pred2``: predictions after);
* ``fit.history`` (family fit; npz ``pred_fit``), or the stateful sequence (family stateful; npz
  ``stateful_predictions``, ``xb``);
* ``loaded_eval``/``loaded_train1`` and ``keras_loaded_eval``/``keras_loaded_train1``: the same on the model
  tf-keras loads back from the ``.h5`` and ``.keras`` files (compiled from the files' training configs).

The fresh model's logs come before anything is saved: tf-keras' ``save()`` builds the compiled metrics on the
outputs, which turns 'accuracy' on sparse labels into categorical accuracy from then on. check.py replays each
case on fastkeras; check_back.py has tf-keras (``.h5``) and Keras 3 (``.keras``) read what fastkeras wrote.
"""
import argparse
import json
import os
import random
import sys
import traceback
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

import models  # noqa: E402
import spec  # noqa: E402

tf.get_logger().setLevel("ERROR")


def compile_spec(r, output_names, losses, metrics):
    form = r.choice(["dict", "list"]) if len(output_names) > 1 else r.choice(["single", "list", "dict"])
    compiled = {"form": form, "loss": [losses[n] for n in output_names],
                "metrics": [metrics[n] for n in output_names]}
    if len(output_names) > 1 and r.random() < 0.6:
        compiled["loss_weights"] = [round(r.uniform(0.1, 2.0), 2) for _ in output_names]
        compiled["loss_weights_form"] = "dict" if form == "dict" and r.random() < 0.5 else "list"
    if r.random() < 0.2:
        compiled["weighted_metrics"] = ["mae"]
    compiled["optimizer"] = r.choice([
        "sgd", "adam", "rmsprop", "adagrad", "adamax", "adamw", "ftrl", "adadelta",
        {"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}},
        {"class_name": "Adam", "config": {"learning_rate": 0.01, "amsgrad": True}},
        {"class_name": "RMSprop", "config": {"learning_rate": 0.01, "momentum": 0.5, "centered": True}}])
    return compiled


def fit_spec(r, n_classes):
    """fit() arguments: epochs, batch size, validation split, callbacks, class weights (``n_classes`` given)."""
    callbacks = []
    if r.random() < 0.5:
        callbacks.append({"kind": "early_stopping", "monitor": r.choice(["loss", "val_loss"]),
                          "patience": r.choice([0, 1]), "min_delta": r.choice([0.0, 1e-3]),
                          "restore_best_weights": r.random() < 0.5})
    if r.random() < 0.5:
        callbacks.append({"kind": "reduce_lr", "monitor": r.choice(["loss", "val_loss"]), "factor": 0.5,
                          "patience": r.choice([0, 1]), "min_delta": r.choice([0.0, 0.05]),
                          "cooldown": r.choice([0, 1]), "min_lr": 1e-4})
    if r.random() < 0.4:
        callbacks.append({"kind": "scheduler", "rule": r.choice(sorted(spec.SCHEDULES))})
    fit = {"epochs": r.choice([2, 3, 4]), "batch_size": r.choice([2, 3, 4, 8]),
           "validation_split": r.choice([0.0, 0.25, 0.5]), "callbacks": callbacks}
    if not fit["validation_split"]:
        for c in callbacks:
            if c.get("monitor") == "val_loss":
                c["monitor"] = "loss"
    if n_classes and r.random() < 0.7:
        fit["class_weight"] = {str(c): round(r.uniform(0.2, 3.0), 2) for c in range(n_classes)}
    return fit


def classes_of(ys):
    """How many classes class_weight needs for a single output (one-hot, sparse or one binary unit), else None."""
    if len(ys) != 1:
        return None
    y = ys[0]
    if y.dtype.kind == "i":
        return int(y.max()) + 1 if y.max() > 0 else 2
    if y.ndim == 2 and set(np.unique(y)) <= {0.0, 1.0} and (y.shape[1] == 1 or np.all(y.sum(1) == 1)):
        return max(y.shape[1], 2)
    return None


def save_files(model, path):
    """Every file format; a failure is recorded rather than ending the case."""
    writers = {"h5": lambda: model.save(path + ".h5"), "keras": lambda: model.save(path + ".keras"),
               "w.h5": lambda: model.save_weights(path + ".w.h5"),
               "weights.h5": lambda: model.save_weights(path + ".weights.h5"),
               "json": lambda: open(path + ".json", "w").write(model.to_json())}
    written = {}
    for fmt, write in writers.items():
        try:
            write()
            written[fmt] = True
        except Exception as e:  # noqa: BLE001 - a format tf-keras cannot write for this model
            written[fmt] = f"{type(e).__name__}: {str(e)[:200]}"
    return written


def logs(result):
    return {k: float(v) for k, v in result.items()}


def run_stateful(model, x, y, rs, arrays, case):
    """predict on A, on B (the states carry over), reset, A again; two training steps; predict twice."""
    xb = rs.randn(*x.shape).astype("float32")
    arrays["xb"] = xb
    outputs = [model.predict(x, batch_size=len(x), verbose=0), model.predict(xb, batch_size=len(x), verbose=0)]
    model.reset_states()
    outputs.append(model.predict(x, batch_size=len(x), verbose=0))
    case["train1"] = logs(model.train_on_batch(x, y, return_dict=True))
    case["train2"] = logs(model.train_on_batch(xb, y, return_dict=True))
    outputs.append(model.predict(x, batch_size=len(x), verbose=0))
    model.reset_states()
    outputs.append(model.predict(x, batch_size=len(x), verbose=0))
    arrays["stateful_predictions"] = np.stack([spec.flat_predictions(o, 1) for o in outputs])
    model.reset_states()


def build(family, r, rs):
    if family.startswith("mixed"):
        keras.mixed_precision.set_global_policy(family)
    try:
        return models.FAMILIES[family](r, rs)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def run_case(family, seed, index, out_dir):
    r = random.Random(zlib.crc32(f"{family}/{seed}/{index}".encode()))
    rs = np.random.RandomState((seed * 100003 + index) & 0x7fffffff)
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed * 1000 + index)
    built = build(family, r, rs)
    model, names = built.model, built.model.output_names
    case = {"family": family, "output_names": names, "input_names": model.input_names,
            "n_outputs": len(model.outputs), "layers": [type(layer).__name__ for layer in model.layers],
            "compile": compile_spec(r, names, built.losses, built.metrics)}
    model.compile(**spec.compile_kwargs(keras, case["compile"], names))
    arrays = {f"x{i}": x for i, x in enumerate(built.xs)}
    arrays.update({f"y{i}": y for i, y in enumerate(built.ys)})
    mode = "none" if family in ("fit", "stateful") else r.choice(["none", "none", "all", "first"])
    for j, y in enumerate(built.ys):
        if mode == "all" or (mode == "first" and j == 0):
            temporal = y.ndim >= 3 and family == "sequence_outputs" and r.random() < 0.5
            arrays[f"sw{j}"] = (rs.rand(*y.shape[:2] if temporal else y.shape[:1]) + 0.1).astype("float32")
    case["sample_weight_mode"] = mode
    x, y, sample_weight = spec.model_arguments(case, arrays)
    n = len(built.xs[0])

    initial_weights = model.get_weights()
    arrays["pred"] = spec.flat_predictions(model.predict(x, verbose=0), case["n_outputs"])
    if family == "stateful":
        run_stateful(model, x, y, rs, arrays, case)
    elif family == "fit":
        case["fit"] = fit_spec(r, classes_of(built.ys))
        history = model.fit(x, y, **spec.fit_kwargs(keras, case["fit"]))
        case["fit"]["history"] = {k: [float(v) for v in vs] for k, vs in history.history.items()}
        arrays["pred_fit"] = spec.flat_predictions(model.predict(x, verbose=0), case["n_outputs"])
    else:
        case["eval"] = logs(model.evaluate(x, y, sample_weight=sample_weight, verbose=0, return_dict=True,
                                           batch_size=n))
        case["eval_batches_of_3"] = logs(model.evaluate(x, y, sample_weight=sample_weight, verbose=0,
                                                        return_dict=True, batch_size=3))
        case["train1"] = logs(model.train_on_batch(x, y, sample_weight=sample_weight, return_dict=True))
        case["train2"] = logs(model.train_on_batch(x, y, sample_weight=sample_weight, return_dict=True))
        case["test"] = logs(model.test_on_batch(x, y, sample_weight=sample_weight, return_dict=True))
        arrays["pred2"] = spec.flat_predictions(model.predict(x, verbose=0), case["n_outputs"])
    model.set_weights(initial_weights)
    model.compile(**spec.compile_kwargs(keras, case["compile"], names))  # a fresh optimizer for the files

    path = os.path.join(out_dir, f"{family}_{seed}_{index}")
    case["formats"] = save_files(model, path)
    if family not in ("fit", "stateful"):
        for prefix, ext in (("loaded", "h5"), ("keras_loaded", "keras")):
            try:
                loaded = keras.models.load_model(f"{path}.{ext}")
                case[f"{prefix}_eval"] = logs(loaded.evaluate(x, y, sample_weight=sample_weight, verbose=0,
                                                              return_dict=True, batch_size=n))
                case[f"{prefix}_train1"] = logs(loaded.train_on_batch(x, y, sample_weight=sample_weight,
                                                                      return_dict=True))
            except Exception as e:  # noqa: BLE001 - tf-keras fails on some of its own files
                case[f"{prefix}_error"] = f"{type(e).__name__}: {str(e)[-200:]}"
    np.savez(path + ".npz", **arrays)
    with open(path + ".case.json", "w") as f:
        json.dump(case, f, default=str)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("family", choices=sorted(models.FAMILIES))
    parser.add_argument("count", type=int)
    parser.add_argument("seed", type=int)
    parser.add_argument("--out", default=os.path.join(spec.DEFAULT_DIR, "cases"))
    parser.add_argument("--verbose", action="store_true", help="print the traceback of cases that fail")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    written = 0
    for index in range(args.count):
        try:
            run_case(args.family, args.seed, index, args.out)
            written += 1
        except Exception as e:  # noqa: BLE001 - random models tf-keras itself refuses are skipped
            print(f"skipped {args.family} {index}: {type(e).__name__}: {str(e)[:160]}".replace("\n", " "))
            if args.verbose:
                traceback.print_exc()
    print(f"wrote {written} of {args.count} cases into {args.out}")
    sys.exit(0)


if __name__ == "__main__":
    main()
