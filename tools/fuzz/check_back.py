"""Differential fuzzing, the other direction: tf-keras reads the ``.h5`` files fastkeras wrote in check.py, Keras 3
the ``.keras`` files (fastkeras writes Keras 3's format there, which tf-keras cannot read):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/fuzz/check_back.py [--cases GLOB] [--dir DIR]
    KERAS_BACKEND=torch /work/k3venv/bin/python tools/fuzz/check_back.py --keras3 [--cases GLOB] [--dir DIR]

Compares predictions with tf-keras' own (mixed precision cases at check.py's tolerances), and (tf-keras only)
the evaluate logs of the loaded model with what tf-keras logged for the model it loaded from its own ``.h5``
file (cases without sample weights), and the predictions of tf-keras' model (its own ``to_json``) given the
weights fastkeras saved (``.w.h5``, ``.weights.h5``). Keras 3 also evaluates the loaded model, since it builds
the losses and metrics of a ``compile_config`` only then, and its loss is compared with tf-keras' (its metric
names differ from Keras 2's).
Keras 3 computes ``hard_sigmoid`` as relu6(x + 3) / 6 where Keras 2 used clip(0.2 x + 0.5, 0, 1), so models
using it predict differently there whatever wrote the file.
"""
import argparse
import glob
import json
import os
import sys

import numpy as np

import spec

KERAS3 = "--keras3" in sys.argv
if KERAS3:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras  # noqa: E402
else:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf  # noqa: E402
    import tf_keras as keras  # noqa: E402
    tf.get_logger().setLevel("ERROR")


def prediction_error(model, x, case, arrays):
    predicted = spec.flat_predictions(model.predict(x, verbose=0), case["n_outputs"])
    return float(np.max(np.abs(predicted - arrays["pred"])) / (1e-3 + np.max(np.abs(arrays["pred"]))))


def check_weights_files(base, written, case, arrays):
    """tf-keras' model (from its own to_json) with the weights fastkeras saved, in either layout."""
    problems = []
    x, _, _ = spec.model_arguments(case, arrays)
    for weights in ("w.h5", "weights.h5"):
        if not os.path.exists(f"{written}.{weights}") or case["formats"].get("json") is not True:
            continue
        try:
            with open(base + ".json") as f:
                model = keras.models.model_from_json(f.read())
            model.load_weights(f"{written}.{weights}")
            error = prediction_error(model, x, case, arrays)
            if error > 2e-3:
                problems.append(f"predict with fastkeras' .{weights}: relative error {error:.3g}")
        except Exception as e:  # noqa: BLE001 - a file tf-keras cannot load is the finding
            problems.append(f"load_weights .{weights}: {type(e).__name__}: {str(e)[:300]}")
    return problems


def check_file(path, case, arrays):
    problems = []
    x, y, _ = spec.model_arguments(case, arrays)
    model = keras.models.load_model(path)
    error = prediction_error(model, x, case, arrays)
    tolerance = spec.TOLERANCES.get(case["family"], 2e-3)
    if error > tolerance:
        problems.append(f"predict: relative error {error:.3g}")
    expected = case.get("loaded_eval")
    if KERAS3 and getattr(model, "compiled", False):
        # Keras 3 builds the losses and metrics of the file's compile_config at the first evaluate: a name or
        # config it does not know fails there, not at load. Its metric names differ from Keras 2's; the loss
        # (with the regularization losses) is compared.
        try:
            logs = model.evaluate(x, y, verbose=0, return_dict=True, batch_size=len(arrays["x0"]))
        except Exception as e:  # noqa: BLE001 - a compile_config Keras 3 cannot use is the finding
            problems.append(f"evaluate: {type(e).__name__}: {str(e)[:300]}")
            logs = {}
        if expected and case["sample_weight_mode"] == "none" and "loss" in logs and \
                abs(logs["loss"] - expected["loss"]) > max(tolerance, 1e-2) * (1e-3 + abs(expected["loss"])):
            problems.append(f"evaluate[loss]: {logs['loss']:.6g}, tf-keras on its own file {expected['loss']:.6g}")
    if not KERAS3 and expected and case["sample_weight_mode"] == "none" and getattr(model, "compiled_loss", None):
        logs = model.evaluate(x, y, verbose=0, return_dict=True, batch_size=len(arrays["x0"]))
        if set(logs) != set(expected):
            problems.append(f"evaluate names: {sorted(logs)}, from tf-keras' own file {sorted(expected)}")
        for key in set(logs) & set(expected):
            if abs(logs[key] - expected[key]) > 2e-3 * (1e-3 + abs(expected[key])):
                problems.append(f"evaluate[{key}]: {logs[key]:.6g}, from tf-keras' own file {expected[key]:.6g}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=spec.DEFAULT_DIR)
    parser.add_argument("--cases", default="*")
    parser.add_argument("--keras3", action="store_true", help="read the .keras files with Keras 3")
    args = parser.parse_args()
    ext = "keras" if args.keras3 else "h5"
    checked = with_problems = 0
    for case_path in sorted(glob.glob(os.path.join(args.dir, "cases", f"{args.cases}.case.json"))):
        base = case_path[:-len(".case.json")]
        name = os.path.basename(base)
        path = os.path.join(args.dir, "written_by_fastkeras", f"{name}.{ext}")
        if not os.path.exists(path):
            continue
        with open(case_path) as f:
            case = json.load(f)
        with np.load(base + ".npz") as data:
            arrays = dict(data)
        checked += 1
        try:
            problems = check_file(path, case, arrays)
        except Exception as e:  # noqa: BLE001 - a file the library cannot load is the finding
            problems = [f"{type(e).__name__}: {str(e)[:300]}"]
        if not args.keras3:
            problems += check_weights_files(base, path[:-len(".h5")], case, arrays)
        if problems:
            with_problems += 1
            print(name, ext, case["layers"])
            for problem in problems:
                print("   ", problem)
    print(f"{checked} files, {with_problems} with problems")


if __name__ == "__main__":
    main()
