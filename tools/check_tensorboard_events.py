"""TensorBoard event files: what tf-keras 2.21 writes, and whether TensorBoard reads what fastkeras writes.

Run from the repository root with the tf-keras environment (tensorflow-cpu 2.21, tf-keras 2.21, and
``pip install tensorboard==2.21.0`` for the summary ops and TensorBoard's own reader):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/check_tensorboard_events.py --make-fixture
    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/check_tensorboard_events.py --check

``--make-fixture`` trains a small model with tf-keras' TensorBoard callback and writes
tests/fixtures/tensorboard/keras_events.json: per run (the train/ and validation/ folders) the sequence
of events without values or wall times (step, tag, plugin name and content, tensor dtype and shape),
plus TensorBoard's histogram buckets for a known array.

``--check [LOGDIR]`` has fastkeras (.venv/bin/python) train the same model with its TensorBoard callback
(or reads LOGDIR when given), then reads the files with tensorflow's ``summary_iterator`` and with
TensorBoard's ``EventAccumulator`` (what the TensorBoard server uses), and compares the event sequence
with the fixture. It exits non-zero on any difference.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "tensorboard", "keras_events.json")

# The training run both libraries perform (same shapes, epochs, batches and callback options).
SCENARIOS = {
    "epoch_hist": {"callback": {"histogram_freq": 1}, "epochs": 2},
    "batch_updates": {"callback": {"update_freq": 1, "write_graph": False, "write_steps_per_second": True},
                      "epochs": 1},
}
TRAIN_SCRIPT = r"""
import sys, numpy as np
import {lib} as keras
log_dir, scenario = sys.argv[1], {scenario!r}
kwargs = {kwargs!r}
rng = np.random.RandomState(0)
x = rng.rand(16, 4).astype("float32"); y = rng.rand(16, 1).astype("float32")
model = keras.Sequential([keras.layers.Dense(3, input_shape=(4,), activation="relu"), keras.layers.Dense(1)])
model.compile("sgd", "mse", metrics=["mae"])
model.fit(x, y, epochs={epochs}, batch_size=8, validation_split=0.25, verbose=0,
          callbacks=[keras.callbacks.TensorBoard(log_dir, **kwargs)])
"""


def train(python, lib, log_dir, scenario):
    spec = SCENARIOS[scenario]
    code = TRAIN_SCRIPT.format(lib=lib, scenario=scenario, kwargs=spec["callback"], epochs=spec["epochs"])
    env = dict(os.environ, PYTHONPATH=ROOT)
    subprocess.run([python, "-c", code, log_dir], check=True, env=env, cwd=ROOT)


def describe_run(path):
    """The events of one file as JSON-able dicts (no wall times, no values)."""
    import tensorflow as tf
    events = []
    for event in tf.compat.v1.train.summary_iterator(path):
        kind = event.WhichOneof("what")
        if kind != "summary":
            events.append({"step": event.step, "kind": kind,
                           "file_version": event.file_version if kind == "file_version" else None})
            continue
        for value in event.summary.value:
            tensor = value.tensor
            events.append({"step": event.step, "kind": "summary", "tag": value.tag,
                           "plugin": value.metadata.plugin_data.plugin_name,
                           "content": value.metadata.plugin_data.content.decode("latin1"),
                           "value_kind": value.WhichOneof("value"),
                           "dtype": tf.dtypes.as_dtype(tensor.dtype).name,
                           "shape": [d.size for d in tensor.tensor_shape.dim]})
    return events


def describe_logdir(log_dir):
    runs = {}
    for path in sorted(glob.glob(os.path.join(log_dir, "**", "events.out.tfevents.*"), recursive=True)):
        run = os.path.relpath(os.path.dirname(path), log_dir)
        if not os.path.basename(path).endswith(".v2"):
            raise AssertionError(f"{path}: TF2 event files end in .v2")
        runs.setdefault(run, []).extend(describe_run(path))
    return runs


def histogram_reference():
    from tensorboard.plugins.histogram import summary_v2
    from tensorboard.util import tensor_util
    cases = {"spread": np.linspace(-1, 2, 7) ** 3, "constant": np.full(5, 0.25), "empty": np.zeros(0)}
    out = {}
    for name, data in cases.items():
        proto = summary_v2.histogram_pb("h", data).value[0].tensor
        out[name] = {"data": data.tolist(), "buckets": tensor_util.make_ndarray(proto).tolist()}
    return out


def make_fixture():
    fixture = {"scenarios": {}, "histograms": histogram_reference()}
    for scenario in SCENARIOS:
        with tempfile.TemporaryDirectory() as tmp:
            train(sys.executable, "tf_keras", tmp, scenario)
            fixture["scenarios"][scenario] = describe_logdir(tmp)
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w") as f:
        json.dump(fixture, f, indent=1)
    print(f"wrote {FIXTURE}")


def _plain(value):
    return value.decode("utf8") if isinstance(value, bytes) else value


def read_with_tensorboard(log_dir):
    """Tags and values as the TensorBoard server loads them (EventMultiplexer over the run folders)."""
    from tensorboard.backend.event_processing import event_multiplexer
    from tensorboard.util import tensor_util
    multiplexer = event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(log_dir)
    multiplexer.Reload()
    out = {}
    for run, tags in multiplexer.Runs().items():
        out[run] = {}
        for tag in tags.get("tensors", []):
            events = multiplexer.Tensors(run, tag)
            out[run][tag] = [(e.step, _plain(tensor_util.make_ndarray(e.tensor_proto).tolist())) for e in events]
    return out


def check(log_dir=None):
    with open(FIXTURE) as f:
        fixture = json.load(f)
    python = os.path.join(ROOT, ".venv", "bin", "python")
    failures = 0
    scenarios = [(None, log_dir)] if log_dir else [(s, None) for s in SCENARIOS]
    for scenario, given in scenarios:
        with tempfile.TemporaryDirectory() as tmp:
            target = given or tmp
            if given is None:
                train(python, "fastkeras", target, scenario)
            runs = describe_logdir(target)
            loaded = read_with_tensorboard(target)
            print(f"== {scenario or target}")
            for run, tags in loaded.items():
                for _, config in tags.get("keras", []):
                    # What the graph dashboard does with the tag: Keras JSON -> GraphDef.
                    from tensorboard.plugins.graph import keras_util
                    graph = keras_util.keras_model_to_graph_def(json.loads(config))
                    print(f"  {run}/keras: the graph plugin builds {len(graph.node)} nodes: "
                          f"{[(n.name, n.attr['keras_class'].s.decode()) for n in graph.node]}")
                    if not graph.node:
                        failures += 1
            for run, events in runs.items():
                print(f"  run {run}: {len(events)} events; TensorBoard loads tags {sorted(loaded.get(run, {}))}")
            for run, tags in loaded.items():
                for tag, values in sorted(tags.items()):
                    shown = values if tag != "keras" else [(s, "<model json>") for s, _ in values]
                    print(f"    {run}/{tag}: {str(shown)[:110]}")
            if scenario is not None:
                expected = fixture["scenarios"][scenario]
                if runs != expected:
                    failures += 1
                    print("  MISMATCH with tf-keras' events:")
                    for run in sorted(set(runs) | set(expected)):
                        got, want = runs.get(run, []), expected.get(run, [])
                        for i in range(max(len(got), len(want))):
                            g = got[i] if i < len(got) else None
                            w = want[i] if i < len(want) else None
                            if g != w:
                                print(f"    {run}[{i}]: got {g}\n    {' ' * len(run)}    want {w}")
                else:
                    print("  same event sequence as tf-keras")
    if failures:
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--make-fixture", action="store_true")
    parser.add_argument("--check", nargs="?", const="", default=None, metavar="LOGDIR")
    args = parser.parse_args()
    if args.make_fixture:
        make_fixture()
    if args.check is not None:
        check(args.check or None)


if __name__ == "__main__":
    main()
