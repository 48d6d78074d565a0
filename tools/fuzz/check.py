"""Differential fuzzing against tf-keras, the fastkeras side: replays the cases generate.py wrote (run with
fastkeras' environment):

    .venv/bin/python tools/fuzz/check.py [--cases GLOB] [--dir DIR] [--verbose]

For each case it loads every file tf-keras wrote (``.h5``, ``.keras``, ``to_json`` + either weights file) and
compares predictions; compares the logs (names and values) of evaluate, train_on_batch and test_on_batch on the
loaded ``.h5``/``.keras`` models and on a model compiled afresh with the case's arguments; fit histories;
the stateful sequence; then saves the loaded model with fastkeras into DIR/written_by_fastkeras (``.h5``,
``.keras``, and its weights as ``.w.h5`` and ``.weights.h5``), reads the models back itself, and leaves the
files for check_back.py. Prints the cases with problems and a count.

Known differences it does not report: 'accuracy' on sparse labels of a model tf-keras loaded from a file
(tf-keras builds loaded metrics with the outputs as targets and measures categorical accuracy; fastkeras
resolves it from the targets); a name that an .h5 file lists both as metric and as weighted metric (tf-keras
logs one of the two under it, fastkeras both, the second as 'weighted_<name>'); mixed precision models are compared at 1e-2 (float16) or 3e-2 (bfloat16), and
not on fresh training (tf-keras wraps a LossScaleOptimizer only around a model built under the policy, not
one loaded from .h5). Expect a few cases whose parameters get no gradient in exact arithmetic (a bias
before a BatchNormalization or LayerNormalization): normalizing optimizers (Adam, RMSprop, Adamax) turn the
rounding noise there into steps of the learning rate's size, in either library.
"""
import argparse
import glob
import json
import math
import os
import traceback
import warnings

import numpy as np

import spec

warnings.filterwarnings("ignore")
import fastkeras as keras  # noqa: E402


def relative_error(a, b):
    a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
    if a.shape != b.shape:
        return float("inf")
    if not np.all(np.isfinite(b)):
        return 0.0 if np.array_equal(np.isfinite(a), np.isfinite(b)) else float("inf")
    return float(np.max(np.abs(a - b)) / (1e-3 + np.max(np.abs(b)))) if a.size else 0.0


class Comparison:
    """The problems found in one case, at the case's tolerance."""

    def __init__(self, case, verbose):
        self.problems = []
        self.verbose = verbose
        self.tolerance = spec.TOLERANCES.get(case["family"], 2e-3)
        self.sparse_labels = False

    def run(self, what, fn):
        """fn() or None, an exception recorded as a problem."""
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - every failure is a finding
            self.problems.append(f"{what}: {type(e).__name__}: {str(e)[:300]}")
            if self.verbose:
                traceback.print_exc()
            return None

    def arrays(self, what, got, expected):
        error = relative_error(got, expected)
        if error > self.tolerance:
            self.problems.append(f"{what}: relative error {error:.3g}")

    def logs(self, what, got, expected, from_a_file=False):
        if got is None:
            return
        got = {k: float(v) for k, v in got.items()}
        if from_a_file and self.sparse_labels:
            got = {k: v for k, v in got.items() if not k.endswith("accuracy")}
            expected = {k: v for k, v in expected.items() if not k.endswith("accuracy")}
        if from_a_file:
            # A file listing one bare metric name both as metric and as weighted metric: tf-keras makes two
            # metrics of one name and its logs dict keeps the last; fastkeras names the second 'weighted_...'.
            for key in [k for k in got if k.startswith("weighted_") and k not in expected]:
                if key[len("weighted_"):] in expected:
                    got.pop(key), got.pop(key[len("weighted_"):], None)
                    expected = {k: v for k, v in expected.items() if k != key[len("weighted_"):]}
        if set(got) != set(expected):
            self.problems.append(f"{what} names: fastkeras only {sorted(set(got) - set(expected))}, "
                                 f"tf-keras only {sorted(set(expected) - set(got))}")
        for key in sorted(set(got) & set(expected)):
            a, b = got[key], expected[key]
            if not (abs(a - b) / (1e-3 + abs(b)) < self.tolerance or (math.isnan(a) and math.isnan(b))):
                self.problems.append(f"{what}[{key}]: fastkeras {a:.6g}, tf-keras {b:.6g}")


def check_case(case_path, back_dir, verbose):
    base = case_path[:-len(".case.json")]
    name = os.path.basename(base)
    with open(case_path) as f:
        case = json.load(f)
    with np.load(base + ".npz") as data:
        arrays = dict(data)
    keras.backend.clear_session()  # as generate.py does per case: metric names count per session
    c = Comparison(case, verbose)
    x, y, sample_weight = spec.model_arguments(case, arrays)
    c.sparse_labels = any(arrays[f"y{i}"].dtype.kind == "i" for i in range(case["n_outputs"]))
    n, n_outputs, family = len(arrays["x0"]), case["n_outputs"], case["family"]

    def predictions(model):
        return spec.flat_predictions(model.predict(x, verbose=0), n_outputs)

    def evaluate(model, batch_size=n):
        return model.evaluate(x, y, sample_weight=sample_weight, verbose=0, return_dict=True, batch_size=batch_size)

    def train(model):
        return model.train_on_batch(x, y, sample_weight=sample_weight, return_dict=True)

    loaded = c.run("load .h5", lambda: keras.models.load_model(base + ".h5"))
    if loaded is not None:
        c.run("predict .h5", lambda: c.arrays("predict .h5", predictions(loaded), arrays["pred"]))
        write_and_reread(c, loaded, os.path.join(back_dir, name), case, predictions, evaluate, arrays)
        if "loaded_eval" in case:
            c.logs("evaluate .h5", c.run("evaluate .h5", lambda: evaluate(loaded)), case["loaded_eval"], True)
            c.logs("train .h5", c.run("train .h5", lambda: train(loaded)), case["loaded_train1"], True)
    fresh = c.run("load .h5 uncompiled", lambda: keras.models.load_model(base + ".h5", compile=False))
    if fresh is not None and c.run("compile", lambda: fresh.compile(
            **spec.compile_kwargs(keras, case["compile"], case["output_names"])) or True):
        if family == "stateful":
            c.run("stateful", lambda: check_stateful(c, fresh, x, y, arrays, case))
        elif family == "fit":
            c.run("fit", lambda: check_fit(c, fresh, x, y, arrays, case, predictions))
        elif not family.startswith("mixed"):
            c.logs("evaluate", c.run("evaluate", lambda: evaluate(fresh)), case["eval"])
            c.logs("evaluate in batches of 3", c.run("evaluate 3", lambda: evaluate(fresh, 3)),
                   case["eval_batches_of_3"])
            c.logs("train 1", c.run("train 1", lambda: train(fresh)), case["train1"])
            c.logs("train 2", c.run("train 2", lambda: train(fresh)), case["train2"])
            c.logs("test", c.run("test", lambda: fresh.test_on_batch(x, y, sample_weight=sample_weight,
                                                                    return_dict=True)), case["test"])
            c.run("predict after training", lambda: c.arrays("predict after training", predictions(fresh),
                                                             arrays["pred2"]))
    formats = case["formats"]
    if formats.get("keras") is True:
        from_keras = c.run("load .keras", lambda: keras.models.load_model(base + ".keras"))
        if from_keras is not None:
            c.run("predict .keras", lambda: c.arrays("predict .keras", predictions(from_keras), arrays["pred"]))
            if "keras_loaded_eval" in case:
                c.logs("evaluate .keras", c.run("evaluate .keras", lambda: evaluate(from_keras)),
                       case["keras_loaded_eval"], True)
                c.logs("train .keras", c.run("train .keras", lambda: train(from_keras)),
                       case["keras_loaded_train1"], True)
    for weights in ("w.h5", "weights.h5"):
        if formats.get("json") is True and formats.get(weights) is True:
            def rebuilt_predictions(weights=weights):
                with open(base + ".json") as f:
                    model = keras.models.model_from_json(f.read())
                model.load_weights(f"{base}.{weights}")
                return predictions(model)
            got = c.run(f"to_json + {weights}", rebuilt_predictions)
            if got is not None:
                c.arrays(f"predict to_json + {weights}", got, arrays["pred"])
    return name, case, c.problems


def write_and_reread(c, model, back_path, case, predictions, evaluate, arrays):
    """fastkeras writes the model loaded from tf-keras' .h5, whole and its weights in both layouts (for
    check_back.py), and reads the whole-model files back."""
    for weights in ("w.h5", "weights.h5"):
        c.run(f"save_weights .{weights}", lambda: model.save_weights(f"{back_path}.{weights}"))
    for ext in ("h5", "keras"):
        if c.run(f"save fastkeras .{ext}", lambda: model.save(f"{back_path}.{ext}") or True):
            again = c.run(f"reload fastkeras .{ext}", lambda: keras.models.load_model(f"{back_path}.{ext}"))
            if again is not None:
                c.run(f"predict fastkeras .{ext}", lambda: c.arrays(f"predict fastkeras .{ext}", predictions(again),
                                                                   arrays["pred"]))
                if ext == "h5" and "loaded_eval" in case:
                    c.logs("evaluate fastkeras .h5", c.run("evaluate fastkeras .h5", lambda: evaluate(again)),
                           case["loaded_eval"], True)


def check_fit(c, model, x, y, arrays, case, predictions):
    history = model.fit(x, y, **spec.fit_kwargs(keras, case["fit"])).history
    expected = case["fit"]["history"]
    if set(history) != set(expected):
        c.problems.append(f"history names: fastkeras only {sorted(set(history) - set(expected))}, "
                          f"tf-keras only {sorted(set(expected) - set(history))}")
    for key in sorted(set(history) & set(expected)):
        if len(history[key]) != len(expected[key]):
            c.problems.append(f"history[{key}]: {len(history[key])} epochs, tf-keras {len(expected[key])}")
        elif relative_error(history[key], expected[key]) > c.tolerance:
            c.problems.append(f"history[{key}]: fastkeras {np.round(history[key], 5).tolist()}, "
                              f"tf-keras {np.round(expected[key], 5).tolist()}")
    c.arrays("predict after fit", predictions(model), arrays["pred_fit"])


def check_stateful(c, model, x, y, arrays, case):
    """generate.run_stateful's sequence, after the first predict (``pred``) on the fresh model."""
    n = len(x)
    c.arrays("stateful predict", spec.flat_predictions(model.predict(x, verbose=0), 1), arrays["pred"])
    outputs = [model.predict(x, batch_size=n, verbose=0), model.predict(arrays["xb"], batch_size=n, verbose=0)]
    model.reset_states()
    outputs.append(model.predict(x, batch_size=n, verbose=0))
    c.logs("stateful train 1", model.train_on_batch(x, y, return_dict=True), case["train1"])
    c.logs("stateful train 2", model.train_on_batch(arrays["xb"], y, return_dict=True), case["train2"])
    outputs.append(model.predict(x, batch_size=n, verbose=0))
    model.reset_states()
    outputs.append(model.predict(x, batch_size=n, verbose=0))
    for k, (got, expected) in enumerate(zip(outputs, arrays["stateful_predictions"])):
        c.arrays(f"stateful predict #{k}", spec.flat_predictions(got, 1), expected)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=spec.DEFAULT_DIR,
                        help="holds cases/ (from generate.py) and written_by_fastkeras/")
    parser.add_argument("--cases", default="*", help="a glob of case names, e.g. 'masked_*'")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    back_dir = os.path.join(args.dir, "written_by_fastkeras")
    os.makedirs(back_dir, exist_ok=True)
    checked = with_problems = 0
    for path in sorted(glob.glob(os.path.join(args.dir, "cases", f"{args.cases}.case.json"))):
        name, case, problems = check_case(path, back_dir, args.verbose)
        checked += 1
        if problems:
            with_problems += 1
            print(name, case["layers"], json.dumps(case["compile"]))
            for problem in problems:
                print("   ", problem)
    print(f"{checked} cases, {with_problems} with problems")


if __name__ == "__main__":
    main()
