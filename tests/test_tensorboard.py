"""The TensorBoard callback and its event-file writer.

The event sequence (runs, tags, steps, plugins, tensor dtypes and shapes) must be the one tf-keras 2.21
writes for the same training (tests/fixtures/tensorboard, tools/check_tensorboard_events.py, which also
reads our files with TensorFlow's and TensorBoard's own readers); here they are read back with our reader.
"""
import glob
import json
import os
import struct

import numpy as np
import pytest

import fastkeras as keras
from fastkeras.utils import tfevents

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "tensorboard", "keras_events.json")
with open(FIXTURE) as _f:
    REFERENCE = json.load(_f)
DTYPES = {np.dtype("float32"): "float32", np.dtype("float64"): "float64"}


def describe(event):
    """One event as tools/check_tensorboard_events.py describes tf-keras' (no values, no wall times)."""
    if event["file_version"] is not None:
        return [{"step": event["step"], "kind": "file_version", "file_version": event["file_version"]}]
    out = []
    for v in event["values"]:
        tensor = v["tensor"]
        is_string = isinstance(tensor, bytes)
        out.append({"step": event["step"], "kind": "summary", "tag": v["tag"], "plugin": v["plugin_name"],
                    "content": v["plugin_content"].decode("latin1"), "value_kind": "tensor",
                    "dtype": "string" if is_string else DTYPES[tensor.dtype],
                    "shape": [] if is_string else list(tensor.shape)})
    return out


def read_logdir(log_dir):
    runs, raw = {}, {}
    for path in sorted(glob.glob(os.path.join(log_dir, "*", "events.out.tfevents.*.v2"))):
        run = os.path.basename(os.path.dirname(path))
        events = tfevents.read_events(path)
        raw.setdefault(run, []).extend(events)
        runs.setdefault(run, []).extend(d for e in events for d in describe(e))
    return runs, raw


def train(log_dir, epochs, validation_split=0.25, **callback_kwargs):
    rng = np.random.RandomState(0)
    x = rng.rand(16, 4).astype("float32")
    y = rng.rand(16, 1).astype("float32")
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(4,), activation="relu"), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    history = model.fit(x, y, epochs=epochs, batch_size=8, validation_split=validation_split, verbose=0,
                        callbacks=[keras.callbacks.TensorBoard(str(log_dir), **callback_kwargs)])
    return model, history


def scalars(events, tag):
    return [(e["step"], float(v["tensor"])) for e in events for v in e["values"] if v["tag"] == tag]


def test_epoch_scalars_histograms_and_graph_match_keras(tmp_path):
    model, history = train(tmp_path, epochs=2, histogram_freq=1)
    runs, raw = read_logdir(tmp_path)
    assert runs == REFERENCE["scenarios"]["epoch_hist"]
    # The values are this run's: epoch metrics from History, validation under the same tags in its own run.
    h = history.history
    assert scalars(raw["train"], "epoch_loss") == [(0, pytest.approx(h["loss"][0])), (1, pytest.approx(h["loss"][1]))]
    assert scalars(raw["validation"], "epoch_mae") == [(i, pytest.approx(h["val_mae"][i])) for i in range(2)]
    assert scalars(raw["validation"], "evaluation_loss_vs_iterations") == \
        [(2, pytest.approx(h["val_loss"][0])), (4, pytest.approx(h["val_loss"][1]))]
    graph = next(v["tensor"] for e in raw["train"] for v in e["values"] if v["tag"] == "keras")
    assert json.loads(graph.decode("utf8")) == json.loads(model.to_json())
    kernel = next(v["tensor"] for e in raw["train"] for v in e["values"]
                  if v["tag"] == "dense/kernel_0/histogram" and e["step"] == 1)
    np.testing.assert_array_equal(kernel, tfevents.histogram_buckets(model.layers[0].get_weights()[0]))
    assert kernel[:, 2].sum() == 12
    assert all(e["wall_time"] > 1e9 for events in raw.values() for e in events)


def test_batch_updates_and_steps_per_second_match_keras(tmp_path):
    _, history = train(tmp_path, epochs=1, update_freq=1, write_graph=False, write_steps_per_second=True)
    runs, raw = read_logdir(tmp_path)
    assert runs == REFERENCE["scenarios"]["batch_updates"]
    assert scalars(raw["train"], "batch_loss")[-1] == (2, pytest.approx(history.history["loss"][0]))
    assert all(value > 0 for _, value in scalars(raw["train"], "batch_steps_per_second"))


def test_update_freq_every_n_batches_and_no_validation(tmp_path):
    train(tmp_path, epochs=3, validation_split=0.0, update_freq=2, write_graph=False)
    runs, raw = read_logdir(tmp_path)
    assert sorted(runs) == ["train"]
    assert [s for s, _ in scalars(raw["train"], "batch_loss")] == [2, 4, 6]
    assert [s for s, _ in scalars(raw["train"], "epoch_loss")] == [0, 1, 2]


@pytest.mark.parametrize("name", sorted(REFERENCE["histograms"]))
def test_histogram_buckets_match_tensorboard(name):
    case = REFERENCE["histograms"][name]
    np.testing.assert_allclose(tfevents.histogram_buckets(case["data"]), np.array(case["buckets"]).reshape(-1, 3),
                               rtol=1e-12, atol=1e-15)


def test_crc32c_and_record_framing():
    assert tfevents.crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    assert tfevents.crc32c(b"") == 0
    record = tfevents.frame_record(b"abc")
    assert struct.unpack("<Q", record[:8]) == (3,)
    assert record[12:15] == b"abc" and len(record) == 19


def test_reader_rejects_damaged_files(tmp_path):
    writer = tfevents.EventFileWriter(str(tmp_path))
    writer.write(3, [tfevents.scalar_summary("x", 1.5)])
    writer.close()
    with pytest.raises(ValueError, match="is closed"):
        writer.write(4, [])
    events = tfevents.read_events(writer.path)
    assert events[0]["file_version"] == "brain.Event:2"
    assert scalars(events, "x") == [(3, 1.5)]
    data = bytearray(open(writer.path, "rb").read())
    data[-6] ^= 0xFF
    open(writer.path, "wb").write(bytes(data))
    with pytest.raises(ValueError, match="bad data checksum"):
        tfevents.read_events(writer.path)
    open(writer.path, "wb").write(bytes(data[:-3]))
    with pytest.raises(ValueError, match="truncated"):
        tfevents.read_events(writer.path)


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="Unrecognized arguments in `TensorBoard` Callback: {'foo'}"):
        keras.callbacks.TensorBoard(foo=1)
    with pytest.raises(ValueError, match="`update_freq` must be 'epoch', 'batch' or a positive integer"):
        keras.callbacks.TensorBoard(update_freq="often")
    with pytest.warns(UserWarning, match="`write_grads` will be ignored"):
        keras.callbacks.TensorBoard(write_grads=True)
    with pytest.warns(UserWarning, match="does not write weight images; `write_images=True` is ignored"):
        keras.callbacks.TensorBoard(write_images=True)
    cb = keras.callbacks.TensorBoard(update_freq="batch")
    assert cb.update_freq == 1 and cb._implements_train_batch_hooks()
    assert not keras.callbacks.TensorBoard()._implements_train_batch_hooks()
