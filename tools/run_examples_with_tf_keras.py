"""Runs examples/*.py in small mode with real tf-keras standing in for fastkeras.

A check on the examples themselves: every shape, error type and history key
they assert must hold in Keras 2 too. Run with the tf-keras environment:

    /work/kvenv/bin/python tools/run_examples_with_tf_keras.py [name ...]

Prints one line per example (ok, or the exception) and exits non-zero if any failed.
"""
import glob
import os
import runpy
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tf_keras  # noqa: E402

# Every `fastkeras...` import in the examples resolves to the same tf_keras module.
for name in ("layers", "models", "optimizers", "utils", "backend"):
    sys.modules["fastkeras." + name] = getattr(tf_keras, name)
sys.modules["fastkeras"] = tf_keras

# Where the seeds and tf-keras disagree and the examples follow the seeds (shared/DESIGN.md):
# tf-keras compares symbolic tensors elementwise with `==` and returns node 0 for `.output`
# on a layer with several nodes.
KNOWN_DIFFERENCES = {
    "layer_nodes.py": "`lstm.output == encoded_a` and `.output` on a shared layer follow the seeds",
}

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "examples")


def main(names):
    paths = sorted(glob.glob(os.path.join(EXAMPLES, "*.py")))
    paths = [p for p in paths if os.path.basename(p) != "demo.py"]
    if names:
        paths = [p for p in paths if os.path.basename(p)[:-3] in names]
    failed = []
    for path in paths:
        tf_keras.backend.clear_session()
        sys.argv = [path, "--small"]
        stdout = sys.stdout
        try:
            sys.stdout = open(os.devnull, "w")
            runpy.run_path(path, run_name="__main__")
        except BaseException:  # noqa: BLE001  (report every failure, SystemExit included)
            sys.stdout = stdout
            known = KNOWN_DIFFERENCES.get(os.path.basename(path))
            if known:
                print(f"diff {os.path.basename(path)} (expected: {known})")
                continue
            failed.append(path)
            print(f"FAIL {os.path.basename(path)}\n{traceback.format_exc(limit=-3)}")
        else:
            sys.stdout = stdout
            print(f"ok   {os.path.basename(path)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
