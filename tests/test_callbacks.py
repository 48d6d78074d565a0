"""Callbacks and the progress bar, driven by a fake model the way Keras 2's fit drives them.

Expected values (stopping epochs, learning rates, file names, printed text, CSV
bytes, progress-bar bytes) were produced by running tf-keras 2.21's own
callbacks and Progbar on the same fake model / fake clock.
"""
import io
import os
import sys

import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras import callbacks as cbm
from fastkeras.utils import progbar as progbar_module
from fastkeras.utils.progbar import Progbar


# ---- fakes ------------------------------------------------------------------------------

class FakeOptimizer:
    def __init__(self, lr=0.01):
        self.lr = K.variable(lr)


class FakeModel:
    """What the callbacks use of a model: stop_training, optimizer.lr, weights, saving."""

    def __init__(self, lr=0.01):
        self.stop_training = False
        self.optimizer = FakeOptimizer(lr)
        self.w = [np.zeros(2)]
        self.saved = []
        self.metrics_names = ["loss"]

    def get_weights(self):
        return [a.copy() for a in self.w]

    def set_weights(self, weights):
        self.w = [np.array(a) for a in weights]

    def save_weights(self, filepath, overwrite=True):
        assert overwrite is True
        self.saved.append(("weights", os.path.basename(filepath)))
        with open(filepath, "w") as f:
            f.write("w")

    def save(self, filepath, overwrite=True):
        assert overwrite is True
        self.saved.append(("model", os.path.basename(filepath)))
        with open(filepath, "w") as f:
            f.write("m")

    def load_weights(self, filepath):
        self.loaded = filepath


class TTY(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.t = 1000.0

    def time(self):
        return self.t


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(progbar_module, "time", c)
    return c


class _Stdout:
    """Replaces sys.stdout when the test body starts (pytest re-installs its own capture after setup)."""

    def __init__(self, monkeypatch, stream):
        self.monkeypatch, self.stream = monkeypatch, stream
        self.installed = False

    def install(self):
        if not self.installed:
            self.monkeypatch.setattr(sys, "stdout", self.stream)
            self.installed = True

    def getvalue(self):
        return self.stream.getvalue()

    def clear(self):
        self.stream.truncate(0)
        self.stream.seek(0)


@pytest.fixture
def tty(monkeypatch):
    return _Stdout(monkeypatch, TTY())


@pytest.fixture
def pipe(monkeypatch):
    return _Stdout(monkeypatch, io.StringIO())


@pytest.fixture
def count_reads(monkeypatch):
    """Counts engine-value reads (fastkeras.backend.to_numpy calls)."""
    calls = []
    real = K.to_numpy

    def counting(x):
        calls.append(x)
        return real(x)

    monkeypatch.setattr(K, "to_numpy", counting)
    return calls


def run_fit(callbacks, epoch_logs, steps=2, batch_logs=None, model=None, verbose=0):
    """Drives callbacks like Keras 2's fit: weights become ``epoch`` during epoch ``epoch``."""
    model = model or FakeModel()
    cl = cbm.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model, verbose=verbose,
                          epochs=len(epoch_logs), steps=steps)
    model.lrs = []
    cl.on_train_begin()
    ran = 0
    for epoch, logs in enumerate(epoch_logs):
        cl.on_epoch_begin(epoch)
        model.lrs.append(float(K.get_value(model.optimizer.lr)))
        for step in range(steps):
            cl.on_train_batch_begin(step)
            model.w = [np.full(2, float(epoch))]
            cl.on_train_batch_end(step, dict(batch_logs[epoch][step]) if batch_logs else {"loss": 1.0})
            if model.stop_training:
                break
        cl.on_epoch_end(epoch, dict(logs))
        ran += 1
        if model.stop_training:
            break
    cl.on_train_end(dict(epoch_logs[ran - 1]))
    model.ran = ran
    return model


def logs_of(key, values):
    return [{key: v} for v in values]


# ---- Progbar -----------------------------------------------------------------------------

SEQ_A = [(0.1, 1, [("loss", 1.0), ("acc", 0.5)]), (0.12, 2, [("loss", 2.0), ("acc", 0.6)]),
         (0.3, 3, [("loss", 3.0), ("acc", 0.7)])]


def drive(clock, bar, seq, finalize=None):
    for t, current, values in seq:
        clock.t = 1000.0 + t
        bar.update(current, values, finalize=finalize)


def test_progbar_terminal_output_matches_keras(clock, tty):
    tty.install()
    bar = Progbar(3, stateful_metrics=["acc"])
    drive(clock, bar, SEQ_A)
    first = "1/3 [=========>....................] - ETA: 0s - loss: 1.0000 - acc: 0.5000"
    # Step 2 comes 20ms after step 1 (< interval): not drawn. Step 3 redraws in place.
    assert tty.getvalue() == ("\r" + first + "\b" * len(first) + "\r3/3 [==============================] - 0s "
                              "100ms/step - loss: 2.0000 - acc: 0.7000\n")


def test_progbar_not_terminal_writes_only_the_final_line(clock, pipe):
    pipe.install()
    bar = Progbar(3, stateful_metrics=["acc"])
    drive(clock, bar, SEQ_A[:2])
    assert pipe.getvalue() == ""
    drive(clock, bar, SEQ_A[2:])
    assert pipe.getvalue() == "3/3 [==============================] - 0s 100ms/step - loss: 2.0000 - acc: 0.7000\n"


def test_progbar_verbose_2_one_line_per_epoch(clock, pipe):
    pipe.install()
    bar = Progbar(3, verbose=2, stateful_metrics=["acc"])
    drive(clock, bar, SEQ_A)
    assert pipe.getvalue() == "3/3 - 0s - loss: 2.0000 - acc: 0.7000 - 300ms/epoch - 100ms/step\n"
    # tf-keras' verbose=2 formats negatives in scientific notation (it tests avg > 1e-3).
    pipe.clear()
    clock.t = 1000.0
    bar = Progbar(32, verbose=2, stateful_metrics=["loss", "tiny", "big"])
    bar.update(32, [("loss", -0.5), ("tiny", 0.0001), ("big", 12345.678)])
    assert pipe.getvalue() == ("32/32 - 0s - loss: -5.0000e-01 - tiny: 1.0000e-04 - big: 12345.6780 - 0s/epoch - "
                               "0s/step\n")


def test_progbar_unknown_target(clock, tty):
    tty.install()
    bar = Progbar(None)
    drive(clock, bar, [(0.5, 1, [("loss", 0.5)]), (1.5, 2, [("loss", 0.25)])])
    drive(clock, bar, [(2.0, 2, [("loss", 0.25)])], finalize=True)
    l1 = "      1/Unknown - 0s 500ms/step - loss: 0.5000"
    l2 = "      2/Unknown - 2s 1s/step - loss: 0.3750"
    assert tty.getvalue() == ("\r" + l1 + "\b" * len(l1) + "\r" + l2 + "   " + "\b" * len(l2) +
                              "\r      2/Unknown - 2s 2s/step - loss: 0.3333\n")


def test_progbar_eta_formats_and_small_values(clock, tty):
    tty.install()
    bar = Progbar(10000)
    drive(clock, bar, [(2.0, 1, [("loss", -0.5), ("tiny", 0.0001)]), (2.5, 2, [("loss", -0.5), ("tiny", 0.0001)]),
                       (70, 100, None)])
    out = tty.getvalue()
    assert "\r    1/10000 [..............................] - ETA: 5:33:18 - loss: -0.5000 - tiny: 1.0000e-04" in out
    assert "\r    2/10000 [..............................] - ETA: 1:23:19 - loss: -0.5000" in out
    assert out.endswith("\r  100/10000 [..............................] - ETA: 1:53:20 - loss: -0.5000 - "
                        "tiny: 1.0000e-04")


def test_progbar_minutes_eta_and_unit_name(clock, tty):
    tty.install()
    bar = Progbar(100)
    drive(clock, bar, [(1.0, 1, None), (3.0, 2, None)])
    assert tty.getvalue().endswith("ETA: 3:16")
    tty.clear()
    clock.t = 1000.0
    bar = Progbar(5, unit_name="sample")
    drive(clock, bar, [(1.5, 5, [("loss", 0.5)])])
    assert tty.getvalue() == "\r5/5 [==============================] - 2s 300ms/sample - loss: 0.5000\n"


def test_progbar_averages_non_stateful_values_by_steps(clock, pipe):
    pipe.install()
    bar = Progbar(5)
    bar.update(2, [("loss", 1.0), ("acc", 0.5)])
    bar.update(5, [("loss", 2.0), ("acc", 1.0)])  # covers 3 steps
    assert "loss: 1.6000 - acc: 0.8000" in pipe.getvalue()  # (1*2 + 2*3) / 5, (0.5*2 + 1*3) / 5
    pipe.clear()
    bar = Progbar(4, stateful_metrics=["loss"])
    bar.add(2, [("loss", 1.0)])
    bar.add(2, [("loss", 3.0)])
    assert pipe.getvalue().endswith("- loss: 3.0000\n")


def test_progbar_verbose_0_is_silent(clock, tty):
    tty.install()
    bar = Progbar(3, verbose=0)
    drive(clock, bar, SEQ_A)
    assert tty.getvalue() == ""


def test_progbar_reads_engine_values_only_when_drawing(clock, tty, count_reads):
    tty.install()
    bar = Progbar(100, stateful_metrics=["acc"])
    calls = []

    def lazy_metric():
        calls.append(1)
        return K.convert_to_tensor(0.25)

    clock.t = 1000.0
    bar.update(1, [("loss", K.convert_to_tensor(1.0)), ("acc", K.convert_to_tensor(0.5)), ("m", lazy_metric)])
    first_reads = len(count_reads)
    assert first_reads >= 2 and "loss: 1.0000 - acc: 0.5000" in tty.getvalue()
    drawn = tty.getvalue()
    for step in range(2, 100):  # all within `interval` of the first draw: nothing drawn, nothing read
        clock.t = 1000.0 + 0.0001 * step
        bar.update(step, [("loss", K.convert_to_tensor(2.0)), ("acc", K.convert_to_tensor(0.75)),
                          ("m", lazy_metric)])
    assert len(count_reads) == first_reads
    assert tty.getvalue() == drawn
    clock.t = 1001.0
    bar.update(100, [("loss", K.convert_to_tensor(2.0)), ("acc", K.convert_to_tensor(0.75)), ("m", lazy_metric)])
    assert len(count_reads) > first_reads
    assert tty.getvalue().endswith("- loss: 1.9900 - acc: 0.7500 - m: 0.2500\n")


def test_progbar_not_terminal_reads_nothing_before_the_end(clock, pipe, count_reads):
    pipe.install()
    bar = Progbar(50, stateful_metrics=["loss", "acc"])
    calls = []
    for step in range(1, 50):
        clock.t += 1.0
        bar.update(step, [("loss", K.convert_to_tensor(float(step))), ("acc", lambda: calls.append(1) or 0.5)])
    assert count_reads == [] and calls == [] and pipe.getvalue() == ""
    clock.t += 1.0
    bar.update(50, [("loss", K.convert_to_tensor(50.0)), ("acc", lambda: calls.append(1) or 0.5)])
    assert len(count_reads) == 1 and len(calls) == 1
    assert pipe.getvalue() == "50/50 [==============================] - 50s 1s/step - loss: 50.0000 - acc: 0.5000\n"


# ---- Callback and CallbackList -------------------------------------------------------------

def test_callback_legacy_batch_aliases_and_overrides():
    seen = []

    class Legacy(cbm.Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            seen.append(("end", batch, logs["loss"]))

    cb = Legacy()
    assert cb._implements_train_batch_hooks()
    assert not cb._implements_test_batch_hooks() and not cb._implements_predict_batch_hooks()
    cl = cbm.CallbackList([cb])
    cl.on_train_batch_begin(0)
    cl.on_train_batch_end(0, {"loss": 0.5})
    cl.on_test_batch_end(0, {"loss": 9.0})
    assert seen == [("begin", 0), ("end", 0, 0.5)]

    plain = cbm.Callback()
    assert not plain._implements_train_batch_hooks()
    for hook in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end", "on_predict_begin",
                 "on_predict_end"):
        getattr(plain, hook)({})
    for hook in ("on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end", "on_train_batch_begin",
                 "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
                 "on_predict_batch_end"):
        getattr(plain, hook)(0, {})


def test_callbacklist_adds_history_and_progbar_last():
    model = FakeModel()
    user = cbm.EarlyStopping()
    cl = cbm.CallbackList([user], add_history=True, add_progbar=True, model=model, verbose=2, epochs=3, steps=5)
    assert [type(c) for c in cl.callbacks] == [cbm.EarlyStopping, cbm.History, cbm.ProgbarLogger]
    assert model.history is cl.callbacks[1]
    assert all(c.model is model for c in cl.callbacks)
    assert user.params == {"verbose": 2, "epochs": 3, "steps": 5}
    assert cl.callbacks[2].target == 5 and cl.callbacks[2].verbose == 2

    own_history, own_bar = cbm.History(), cbm.ProgbarLogger()
    cl = cbm.CallbackList([[own_bar], own_history], add_history=True, add_progbar=True, model=model, verbose=1,
                          epochs=1, steps=1)
    assert cl.callbacks == [own_bar, own_history] and model.history is own_history
    assert cbm.CallbackList(None).callbacks == []
    assert len(cbm.CallbackList(cbm.History())) == 1


def test_needs_batch_logs(monkeypatch, pipe):
    pipe.install()
    model = FakeModel()

    def needs(callbacks, mode="train", verbose=0, **kw):
        return cbm.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model, verbose=verbose,
                                epochs=2, steps=kw.get("steps", 3)).needs_batch_logs(mode)

    epoch_only = [cbm.EarlyStopping(), cbm.ReduceLROnPlateau(), cbm.ModelCheckpoint("x.h5"), cbm.CSVLogger("x"),
                  cbm.LearningRateScheduler(lambda e: 0.1), cbm.LambdaCallback(on_epoch_end=lambda e, l: None)]
    assert not needs(epoch_only)
    assert not needs(epoch_only, verbose=2)
    assert not needs(epoch_only, verbose=1)  # not a terminal: only the epoch's final line is written
    assert needs(epoch_only, verbose=1, steps=None)  # unknown target: steps are counted from batch hooks
    assert needs([cbm.TerminateOnNaN()])
    assert needs([cbm.ModelCheckpoint("x.h5", save_freq=10)])
    assert needs([cbm.LambdaCallback(on_batch_end=lambda b, l: None)])
    assert needs([cbm.LambdaCallback(on_train_batch_begin=lambda b, l: None)])
    assert not needs([cbm.LambdaCallback(on_batch_end=lambda b, l: None)], "test")
    assert needs([cbm.LambdaCallback(on_test_batch_end=lambda b, l: None)], "test")
    assert needs([cbm.LambdaCallback(on_predict_batch_begin=lambda b, l: None)], "predict")
    monkeypatch.setattr(sys, "stdout", TTY())
    assert needs([], verbose=1) and needs([], "test", verbose=1) and needs([], "predict", verbose=1)
    assert not needs([], verbose=2)
    with pytest.raises(ValueError, match="Unknown mode"):
        needs([], "eval")

    called = []

    class TestOnly(cbm.Callback):
        def on_test_batch_end(self, batch, logs=None):
            called.append(batch)

    cl = cbm.CallbackList([TestOnly()])
    cl.on_train_batch_end(0, {"loss": 1.0})
    cl.on_predict_batch_end(0, {})
    cl.on_test_batch_end(3, {"loss": 1.0})
    assert called == [3]
    cl.append(cbm.TerminateOnNaN())
    assert cl.needs_batch_logs("train")


def test_callbacklist_log_conversion(count_reads):
    received = []

    class Reader(cbm.Callback):
        def on_train_batch_end(self, batch, logs=None):
            received.append(logs)

        def on_epoch_end(self, epoch, logs=None):
            received.append(logs)

    loss = K.convert_to_tensor(0.5)
    cl = cbm.CallbackList([Reader()])
    cl.on_train_batch_end(0, {"loss": loss, "vec": K.convert_to_tensor([1.0, 2.0])})
    cl.on_epoch_end(0, {"loss": loss})
    assert type(received[0]["loss"]) is float and received[0]["loss"] == 0.5
    assert isinstance(received[0]["vec"], np.ndarray) and received[0]["vec"].tolist() == [1.0, 2.0]
    assert type(received[1]["loss"]) is float

    # Callbacks that accept engine values get them untouched (no read).
    count_reads.clear()
    logs = {"loss": loss}
    seen = []

    class Raw(cbm.Callback):
        def __init__(self):
            super().__init__()
            self._supports_tf_logs = True

        def on_train_batch_end(self, batch, l=None):
            seen.append(l)

    cl = cbm.CallbackList([Raw()])
    cl.on_train_batch_end(0, logs)
    assert seen[0] is logs and count_reads == []


def test_epoch_logs_dict_is_shared_so_history_sees_lr():
    model = run_fit([cbm.ReduceLROnPlateau(monitor="loss")], logs_of("loss", [1.0, 0.5]))
    assert model.history.history["lr"] == [np.float32(0.01), np.float32(0.01)]
    assert isinstance(model.history.history["lr"][0], np.float32)


def test_history():
    loss = K.convert_to_tensor(0.25)
    model = run_fit([], [{"loss": loss, "val_loss": 1.0}, {"loss": 0.125, "val_loss": 0.5}])
    h = model.history
    assert isinstance(h, cbm.History)
    assert h.epoch == [0, 1]
    assert h.history == {"loss": [0.25, 0.125], "val_loss": [1.0, 0.5]}
    assert type(h.history["loss"][0]) is float


def test_hooks_called_in_fit_order():
    events = []
    cb = cbm.LambdaCallback(on_train_begin=lambda logs: events.append("train_begin"),
                            on_epoch_begin=lambda e, logs: events.append(f"epoch_begin {e}"),
                            on_batch_begin=lambda b, logs: events.append(f"batch_begin {b}"),
                            on_batch_end=lambda b, logs: events.append(f"batch_end {b} {logs['loss']}"),
                            on_epoch_end=lambda e, logs: events.append(f"epoch_end {e} {logs['loss']}"),
                            on_train_end=lambda logs: events.append(f"train_end {logs['loss']}"),
                            on_test_end=lambda logs: events.append("test_end"))
    run_fit([cb], logs_of("loss", [0.5]), steps=2)
    assert events == ["train_begin", "epoch_begin 0", "batch_begin 0", "batch_end 0 1.0", "batch_begin 1",
                      "batch_end 1 1.0", "epoch_end 0 0.5", "train_end 0.5"]
    cb.on_test_end({})
    assert events[-1] == "test_end"


# ---- ProgbarLogger --------------------------------------------------------------------------

def fit_with_progbar(verbose, epochs=2, steps=3, validation=True):
    model = FakeModel()
    model.metrics_names = ["loss", "mae"]
    cl = cbm.CallbackList([], add_history=True, add_progbar=verbose != 0, model=model, verbose=verbose,
                          epochs=epochs, steps=steps)
    batch_logs = cl.needs_batch_logs()
    cl.on_train_begin()
    for epoch in range(epochs):
        cl.on_epoch_begin(epoch)
        for step in range(steps):
            if batch_logs:
                cl.on_train_batch_begin(step)
                cl.on_train_batch_end(step, {"loss": K.convert_to_tensor(1.0 + step), "mae": 0.0001})
        logs = {"loss": K.convert_to_tensor(2.0), "mae": 0.0001}
        if validation:  # validation inside fit is silent
            cl.on_test_begin()
            for step in range(2):
                cl.on_test_batch_end(step, {"loss": 5.0})
            cl.on_test_end({"loss": 5.0})
            logs.update(val_loss=3.0, val_mae=-0.5)
        cl.on_epoch_end(epoch, logs)
    cl.on_train_end(logs)
    return model


def test_progbarlogger_fit_terminal(clock, tty):
    tty.install()
    fit_with_progbar(1)
    out = tty.getvalue()
    first = "1/3 [=========>....................] - ETA: 0s - loss: 1.0000 - mae: 1.0000e-04"
    final = ("3/3 [==============================] - 0s 0s/step - loss: 2.0000 - mae: 1.0000e-04 - val_loss: 3.0000 - "
             "val_mae: -0.5000\n")
    assert out == ("Epoch 1/2\n\r" + first + "\b" * len(first) + "\r" + final) * 1 + \
        ("Epoch 2/2\n\r" + first + "\b" * len(first) + "\r" + final)


def test_progbarlogger_fit_not_terminal_and_verbose_2(clock, pipe):
    pipe.install()
    fit_with_progbar(1)
    line = ("3/3 [==============================] - 0s 0s/step - loss: 2.0000 - mae: 1.0000e-04 - val_loss: 3.0000 - "
            "val_mae: -0.5000\n")
    assert pipe.getvalue() == "Epoch 1/2\n" + line + "Epoch 2/2\n" + line
    pipe.clear()
    fit_with_progbar(2, epochs=1)
    assert pipe.getvalue() == ("3/3 - 0s - loss: 2.0000 - mae: 1.0000e-04 - val_loss: 3.0000 - "
                               "val_mae: -5.0000e-01 - 0s/epoch - 0s/step\n")
    pipe.clear()
    fit_with_progbar(0)
    assert pipe.getvalue() == ""


def test_progbarlogger_evaluate_and_predict(clock, tty):
    tty.install()
    model = FakeModel()
    cl = cbm.CallbackList(None, add_progbar=True, model=model, verbose=1, epochs=1, steps=2)
    cl.on_test_begin()
    for step in range(2):
        clock.t += 0.5
        cl.on_test_batch_begin(step)
        cl.on_test_batch_end(step, {"loss": K.convert_to_tensor(0.5)})
    cl.on_test_end({"loss": K.convert_to_tensor(0.5)})
    assert tty.getvalue().endswith("\r2/2 [==============================] - 1s 500ms/step - loss: 0.5000\n")
    tty.clear()
    cl = cbm.CallbackList(None, add_progbar=True, model=model, verbose=1, epochs=1, steps=None)
    cl.on_predict_begin()
    for step in range(3):
        clock.t += 0.5
        cl.on_predict_batch_end(step, {"outputs": np.zeros(3)})
    cl.on_predict_end()
    assert tty.getvalue().endswith("\r3/3 [==============================] - 2s 500ms/step\n")


def test_progbarlogger_samples_mode(clock, pipe):
    pipe.install()
    bar = cbm.ProgbarLogger(count_mode="samples")
    cl = cbm.CallbackList([bar], model=FakeModel(), verbose=1, epochs=1, samples=10)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    cl.on_train_batch_end(0, {"size": 8, "loss": 1.0})
    cl.on_train_batch_end(1, {"size": 2, "loss": 1.0})
    cl.on_epoch_end(0, {"loss": 1.0})
    assert pipe.getvalue() == "10/10 [==============================] - 0s 0s/sample - loss: 1.0000\n"
    with pytest.raises(ValueError, match="Unknown `count_mode`"):
        cbm.ProgbarLogger(count_mode="batches")


def test_progbarlogger_does_not_read_tensors_between_draws(clock, tty, count_reads):
    tty.install()
    model = FakeModel()
    cl = cbm.CallbackList([], add_history=True, add_progbar=True, model=model, verbose=1, epochs=1, steps=200)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    for step in range(200):
        clock.t += 0.001  # a draw at most every 50 steps (interval 0.05s)
        cl.on_train_batch_begin(step)
        cl.on_train_batch_end(step, {"loss": K.convert_to_tensor(1.0)})
    reads_in_epoch = len(count_reads)
    assert 1 <= reads_in_epoch <= 5
    cl.on_epoch_end(0, {"loss": K.convert_to_tensor(1.0)})
    cl.on_train_end()
    assert model.history.history["loss"] == [1.0]


# ---- EarlyStopping --------------------------------------------------------------------------

def test_early_stopping_patience_and_restore_best_weights(pipe):
    pipe.install()
    es = cbm.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    model = run_fit([es], logs_of("val_loss", [0.5, 0.4, 0.45, 0.43, 0.41, 0.3]))
    assert model.ran == 4 and es.stopped_epoch == 3 and es.best == 0.4 and es.best_epoch == 1
    assert model.w[0].tolist() == [1.0, 1.0]  # weights of epoch index 1
    assert pipe.getvalue() == "Epoch 4: early stopping\nRestoring model weights from the end of the best epoch: 2.\n"


def test_early_stopping_without_restore_keeps_last_weights():
    model = run_fit([cbm.EarlyStopping(monitor="loss", patience=1)], logs_of("loss", [0.5, 0.4, 0.45, 0.46]))
    assert model.ran == 3 and model.w[0][0] == 2.0


def test_early_stopping_baseline(pipe):
    pipe.install()
    es = cbm.EarlyStopping(monitor="val_accuracy", baseline=0.6, patience=2, restore_best_weights=True, verbose=1)
    model = run_fit([es], logs_of("val_accuracy", [0.5, 0.55, 0.58, 0.59, 0.7]))
    assert model.ran == 5 and model.w[0][0] == 4.0
    assert pipe.getvalue() == "Restoring model weights from the end of the best epoch: 5.\n"
    pipe.clear()
    es = cbm.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True, baseline=0.1, verbose=1)
    model = run_fit([es], logs_of("loss", [0.5, 0.4, 0.45, 0.3]))
    assert model.ran == 3 and model.w[0][0] == 1.0
    assert pipe.getvalue() == "Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 2.\n"


def test_early_stopping_start_from_epoch_min_delta_and_auto_mode():
    model = run_fit([cbm.EarlyStopping(monitor="loss", start_from_epoch=2)], logs_of("loss", [1, 2, 3, 4, 5.0]))
    assert model.ran == 4
    es = cbm.EarlyStopping(monitor="loss", min_delta=-0.1, patience=1, mode="min")
    model = run_fit([es], logs_of("loss", [1.0, 0.95, 0.92, 0.5]))
    assert model.ran == 2 and es.min_delta == -0.1
    for name in ("val_auc", "acc", "val_accuracy"):
        assert cbm.EarlyStopping(monitor=name).monitor_op is np.greater
    assert cbm.EarlyStopping(monitor="val_loss").monitor_op is np.less
    model = run_fit([cbm.EarlyStopping(monitor="val_auc")], logs_of("val_auc", [0.5, 0.6, 0.55, 0.7]))
    assert model.ran == 3
    with pytest.warns(UserWarning, match="EarlyStopping mode bogus is unknown"):
        assert cbm.EarlyStopping(mode="bogus").monitor_op is np.less


def test_early_stopping_tensor_logs_and_missing_monitor():
    model = run_fit([cbm.EarlyStopping(monitor="loss")],
                    logs_of("loss", [K.convert_to_tensor(1.0), K.convert_to_tensor(2.0), K.convert_to_tensor(0.5)]))
    assert model.ran == 2
    with pytest.warns(UserWarning, match=r"Early stopping conditioned on metric `val_loss` which is not available. "
                                         r"Available metrics are: loss,acc"):
        model = run_fit([cbm.EarlyStopping()], [{"loss": 1.0, "acc": 0.5}] * 3)
    assert model.ran == 3


def test_early_stopping_is_reusable():
    es = cbm.EarlyStopping(monitor="loss", patience=0)
    assert run_fit([es], logs_of("loss", [1.0, 2.0, 3.0])).ran == 2
    assert run_fit([es], logs_of("loss", [1.0, 0.5, 0.2])).ran == 3


# ---- ReduceLROnPlateau -------------------------------------------------------------------

def f32(values):
    return [float(np.float32(v)) for v in values]


def test_reduce_lr_on_plateau_patience_cooldown_min_lr(pipe):
    pipe.install()
    cb = cbm.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=1, min_lr=0.002, verbose=1)
    model = run_fit([cb], logs_of("loss", [1.0] * 12))
    # lr used during each epoch
    assert model.lrs == f32([0.01] * 3 + [0.005] * 2 + [0.0025] * 2 + [0.002] * 5)
    assert model.history.history["lr"] == [np.float32(v) for v in [0.01] * 3 + [0.005] * 2 + [0.0025] * 2 +
                                           [0.002] * 5]
    assert pipe.getvalue() == ("\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.004999999888241291.\n"
                               "\nEpoch 5: ReduceLROnPlateau reducing learning rate to 0.0024999999441206455.\n"
                               "\nEpoch 7: ReduceLROnPlateau reducing learning rate to 0.002.\n")


def test_reduce_lr_on_plateau_max_mode_and_min_delta(pipe):
    pipe.install()
    cb = cbm.ReduceLROnPlateau(monitor="val_acc", factor=0.1, patience=1, min_delta=0.05, verbose=1)
    model = run_fit([cb], logs_of("val_acc", [0.5, 0.52, 0.6, 0.61, 0.62, 0.7, 0.71]))
    # float32 arithmetic on the stored lr, as tf-keras
    assert model.lrs == [0.009999999776482582, 0.009999999776482582, 0.0010000000474974513, 0.0010000000474974513,
                         0.00010000000474974513, 1.0000000656873453e-05, 1.0000000656873453e-05]
    assert pipe.getvalue().splitlines()[-1] == ("Epoch 7: ReduceLROnPlateau reducing learning rate to "
                                                "1.0000001111620804e-06.")


def test_reduce_lr_on_plateau_legacy_epsilon_and_errors():
    with pytest.warns(UserWarning, match="`epsilon` argument is deprecated"):
        cb = cbm.ReduceLROnPlateau(monitor="loss", factor=0.2, patience=1, epsilon=0.5)
    assert cb.min_delta == 0.5
    model = run_fit([cb], logs_of("loss", [1.0, 0.6, 0.3, 0.2, 0.1]))
    assert model.lrs == [0.009999999776482582, 0.009999999776482582, 0.0020000000949949026, 0.0020000000949949026,
                         0.0004000000189989805]
    with pytest.raises(ValueError, match="does not support a factor >= 1.0. Got 1.5"):
        cbm.ReduceLROnPlateau(factor=1.5)
    with pytest.warns(UserWarning, match="Learning rate reduction is conditioned on metric `val_loss` which is not "
                                         "available. Available metrics are: loss,lr"):
        run_fit([cbm.ReduceLROnPlateau(patience=0)], logs_of("loss", [1.0, 1.0]))


def test_reduce_lr_on_plateau_learning_rate_attribute_and_tensor_logs():
    class Opt:
        def __init__(self):
            self.learning_rate = K.variable(0.1)

    model = FakeModel()
    model.optimizer = Opt()
    model.optimizer.lr = None
    del model.optimizer.lr
    cb = cbm.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5)
    cl = cbm.CallbackList([cb], model=model)
    cl.on_train_begin()
    for epoch in range(3):
        cl.on_epoch_end(epoch, {"loss": K.convert_to_tensor(1.0)})
    assert float(K.get_value(model.optimizer.learning_rate)) == pytest.approx(0.025)

    class FloatOpt:  # a plain float attribute is set with setattr
        lr = 0.1

    model.optimizer = FloatOpt()
    cl.on_train_begin()
    for epoch in range(2):
        cl.on_epoch_end(epoch, {"loss": 1.0})
    assert model.optimizer.lr == pytest.approx(0.05)


# ---- LearningRateScheduler --------------------------------------------------------------------

def test_learning_rate_scheduler(pipe):
    pipe.install()
    cb = cbm.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr, verbose=1)
    model = run_fit([cb], logs_of("loss", [1.0, 1.0, 1.0]))
    assert model.lrs == f32([0.01, 0.005, 0.0025])
    assert model.history.history["lr"] == [np.float32(0.01), np.float32(0.005), np.float32(0.0025)]
    assert pipe.getvalue() == (
        "\nEpoch 1: LearningRateScheduler setting learning rate to 0.009999999776482582.\n"
        "\nEpoch 2: LearningRateScheduler setting learning rate to 0.004999999888241291.\n"
        "\nEpoch 3: LearningRateScheduler setting learning rate to 0.0024999999441206455.\n")
    model = run_fit([cbm.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))], logs_of("loss", [1.0] * 3))
    assert model.lrs == f32([0.1, 0.05, 0.1 / 3])


def test_learning_rate_scheduler_errors():
    with pytest.raises(ValueError, match='The output of the "schedule" function should be float. Got: 1'):
        run_fit([cbm.LearningRateScheduler(lambda epoch: 1)], logs_of("loss", [1.0]))
    with pytest.raises(ValueError, match="The dtype of `lr` Tensor should be float"):
        run_fit([cbm.LearningRateScheduler(lambda epoch: K.convert_to_tensor(np.int64(1)))], logs_of("loss", [1.0]))
    model = FakeModel()
    model.optimizer = object()
    with pytest.raises(ValueError, match='Optimizer must have a "lr" attribute.'):
        run_fit([cbm.LearningRateScheduler(lambda epoch: 0.1)], logs_of("loss", [1.0]), model=model)
    model = run_fit([cbm.LearningRateScheduler(lambda epoch: K.convert_to_tensor(0.5))], logs_of("loss", [1.0]))
    assert model.lrs == [0.5]


# ---- ModelCheckpoint ---------------------------------------------------------------------------

def test_model_checkpoint_file_names(tmp_path, pipe):
    pipe.install()
    path = tmp_path / "a" / "w.{epoch:02d}-{val_loss:.2f}.h5"
    cb = cbm.ModelCheckpoint(path, save_weights_only=True, verbose=1)
    model = run_fit([cb], logs_of("val_loss", [0.5, 0.456, K.convert_to_tensor(0.7)]))
    assert model.saved == [("weights", "w.01-0.50.h5"), ("weights", "w.02-0.46.h5"), ("weights", "w.03-0.70.h5")]
    assert sorted(os.listdir(tmp_path / "a")) == ["w.01-0.50.h5", "w.02-0.46.h5", "w.03-0.70.h5"]
    d = str(tmp_path / "a")
    assert pipe.getvalue() == (f"\nEpoch 1: saving model to {d}/w.01-0.50.h5\n"
                               f"\nEpoch 2: saving model to {d}/w.02-0.46.h5\n"
                               f"\nEpoch 3: saving model to {d}/w.03-0.70.h5\n")


def test_model_checkpoint_save_best_only(tmp_path, pipe):
    pipe.install()
    cb = cbm.ModelCheckpoint(str(tmp_path / "b.{epoch:02d}.h5"), monitor="val_acc", save_best_only=True, verbose=1)
    model = run_fit([cb], logs_of("val_acc", [0.5, 0.4, 0.6, 0.6]))
    assert model.saved == [("model", "b.01.h5"), ("model", "b.03.h5")]
    d = str(tmp_path)
    assert pipe.getvalue() == (f"\nEpoch 1: val_acc improved from -inf to 0.50000, saving model to {d}/b.01.h5\n"
                               "\nEpoch 2: val_acc did not improve from 0.50000\n"
                               f"\nEpoch 3: val_acc improved from 0.50000 to 0.60000, saving model to {d}/b.03.h5\n"
                               "\nEpoch 4: val_acc did not improve from 0.60000\n")
    # mode='max' with an initial threshold; a fixed file name is overwritten by each better model.
    cb = cbm.ModelCheckpoint(str(tmp_path / "c.h5"), monitor="loss", save_best_only=True, mode="max",
                             initial_value_threshold=0.55)
    model = run_fit([cb], logs_of("loss", [0.5, 0.6, 0.55, 0.7]))
    assert model.saved == [("model", "c.h5"), ("model", "c.h5")] and cb.best == 0.7
    # mode='auto': val_loss is minimized
    cb = cbm.ModelCheckpoint(str(tmp_path / "d{epoch}.h5"), save_best_only=True)
    model = run_fit([cb], logs_of("val_loss", [1.0, 0.5, 0.7, 0.2]))
    assert model.saved == [("model", "d1.h5"), ("model", "d2.h5"), ("model", "d4.h5")]


def test_model_checkpoint_missing_monitor_and_format_error(tmp_path):
    cb = cbm.ModelCheckpoint(str(tmp_path / "f{epoch}.h5"), save_best_only=True)
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available, skipping."):
        model = run_fit([cb], logs_of("loss", [1.0, 1.0]))
    assert model.saved == []
    template = str(tmp_path / "g{epoch}-{val_loss:.2f}.h5")
    with pytest.raises(KeyError) as info:
        run_fit([cbm.ModelCheckpoint(template)], logs_of("loss", [1.0]))
    assert info.value.args[0] == f"Failed to format this callback filepath: \"{template}\". Reason: 'val_loss'"


def test_model_checkpoint_save_freq_batches_and_period(tmp_path):
    cb = cbm.ModelCheckpoint(str(tmp_path / "d{epoch}-{batch}.h5"), save_freq=3)
    assert cb._implements_train_batch_hooks()
    model = run_fit([cb], logs_of("loss", [1.0] * 3), steps=4)
    assert model.saved == [("model", "d1-3.h5"), ("model", "d2-2.h5"), ("model", "d3-1.h5"), ("model", "d3-4.h5")]
    with pytest.warns(UserWarning, match="`period` argument is deprecated"):
        cb = cbm.ModelCheckpoint(str(tmp_path / "e{epoch}.h5"), period=2)
    assert not cb._implements_train_batch_hooks()
    model = run_fit([cb], logs_of("loss", [1.0] * 5))
    assert model.saved == [("model", "e2.h5"), ("model", "e4.h5")]
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        cbm.ModelCheckpoint("x.h5", save_freq="batch")
    with pytest.raises(ValueError, match="does not support the `options` argument"):
        cbm.ModelCheckpoint("x.keras", options=object())


def test_model_checkpoint_directory_path_error(tmp_path):
    class DirModel(FakeModel):
        def save(self, filepath, overwrite=True):
            raise IsADirectoryError(21, "Is a directory")

    with pytest.raises(IOError, match="Please specify a non-directory filepath for ModelCheckpoint"):
        run_fit([cbm.ModelCheckpoint(str(tmp_path))], logs_of("loss", [1.0]), model=DirModel())


def test_model_checkpoint_mode_auto_and_load_on_restart(tmp_path):
    assert cbm.ModelCheckpoint("x.h5", monitor="val_acc").monitor_op is np.greater
    assert cbm.ModelCheckpoint("x.h5", monitor="fmeasure").monitor_op is np.greater
    assert cbm.ModelCheckpoint("x.h5", monitor="loss").monitor_op is np.less
    with pytest.warns(UserWarning, match="ModelCheckpoint mode bad is unknown"):
        cbm.ModelCheckpoint("x.h5", mode="bad")
    (tmp_path / "w01.h5").write_text("x")
    os.utime(tmp_path / "w01.h5", (1, 1))
    (tmp_path / "w02.h5").write_text("x")
    with pytest.warns(UserWarning, match="load_weights_on_restart"):
        cb = cbm.ModelCheckpoint(str(tmp_path / "w{epoch:02d}.h5"), load_weights_on_restart=True)
    model = FakeModel()
    cb.set_model(model)
    cb.on_train_begin()
    assert model.loaded == str(tmp_path / "w02.h5")


# ---- CSVLogger ----------------------------------------------------------------------------------

def test_csv_logger_format_and_append(tmp_path):
    path = tmp_path / "log.csv"
    run_fit([cbm.CSVLogger(path)], [{"loss": 0.5, "acc": 0.25}, {"loss": K.convert_to_tensor(0.25), "acc": 0.125}])
    first = "epoch,acc,loss,val_acc,val_loss\r\n0,0.25,0.5,NA,NA\r\n1,0.125,0.25,NA,NA\r\n"
    assert path.read_bytes().decode() == first
    run_fit([cbm.CSVLogger(str(path), append=True, separator=";")],
            [{"loss": 0.1, "acc": 0.2, "val_loss": 0.3, "val_acc": 0.4}])
    assert path.read_bytes().decode() == first + "0;0.2;0.1;0.4;0.3\r\n"
    run_fit([cbm.CSVLogger(str(path))], [{"loss": 0.5, "val_loss": 0.7, "arr": np.array([1, 2]), "s": "str"},
                                         {"loss": 0.4}])
    assert path.read_bytes().decode() == ('epoch,arr,loss,s,val_loss\r\n0,"""[1, 2]""",0.5,str,0.7\r\n'
                                          '1,NA,0.4,NA,NA\r\n')
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    run_fit([cbm.CSVLogger(str(empty), append=True)], [{"loss": 0.5}])
    assert empty.read_bytes().decode() == "epoch,loss,val_loss\r\n0,0.5,NA\r\n"


def test_csv_logger_float32_values(tmp_path):
    path = tmp_path / "log.csv"
    run_fit([cbm.CSVLogger(path)], [{"loss": K.convert_to_tensor(0.1), "val_loss": np.float32(0.2)}])
    assert path.read_bytes().decode() == "epoch,loss,val_loss\r\n0,0.10000000149011612,0.20000000298023224\r\n"


# ---- TerminateOnNaN and LambdaCallback -------------------------------------------------------------

def test_terminate_on_nan(pipe):
    pipe.install()
    batch_logs = [[{"loss": 1.0}, {"loss": 1.0}], [{"loss": 1.0}, {"loss": K.convert_to_tensor(float("nan"))}],
                  [{"loss": 1.0}, {"loss": 1.0}]]
    model = run_fit([cbm.TerminateOnNaN()], logs_of("loss", [1.0] * 3), batch_logs=batch_logs)
    assert model.ran == 2 and model.stop_training
    assert pipe.getvalue() == "Batch 1: Invalid loss, terminating training\n"
    pipe.clear()
    model = run_fit([cbm.TerminateOnNaN()], logs_of("loss", [1.0] * 2),
                    batch_logs=[[{"loss": np.inf}, {"loss": 1.0}], [{"loss": 1.0}, {"loss": 1.0}]])
    assert model.ran == 1 and pipe.getvalue() == "Batch 0: Invalid loss, terminating training\n"
    model = run_fit([cbm.TerminateOnNaN()], logs_of("loss", [1.0] * 2))
    assert model.ran == 2 and not model.stop_training


def test_lambda_callback():
    calls = []
    cb = cbm.LambdaCallback(on_epoch_begin=lambda epoch, logs: calls.append(("eb", epoch)),
                            on_train_batch_end=lambda batch, logs: calls.append(("tbe", batch)),
                            on_predict_end=lambda logs: calls.append("pe"))
    assert cb._implements_train_batch_hooks() and not cb._implements_test_batch_hooks()
    run_fit([cb], logs_of("loss", [1.0]), steps=2)
    cb.on_predict_end({})
    assert calls == [("eb", 0), ("tbe", 0), ("tbe", 1), "pe"]
    assert not cbm.LambdaCallback(on_train_end=lambda logs: None)._implements_train_batch_hooks()


def test_keras22_metric_names_still_find_their_logs(tmp_path):
    import fastkeras as keras
    """Keras 2.2 logged metrics=['accuracy'] as 'acc'; code of that era monitors 'val_acc', names checkpoints
    '{val_acc:.2f}' and plots history.history['acc']. Those names find the 'accuracy' logs (with a warning for a
    monitor), so such a run still saves its checkpoints and stops early."""
    import warnings
    rng = np.random.default_rng(0)
    x = rng.random((32, 3)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 2, 32), 2)
    model = keras.Sequential([keras.layers.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    stopper = keras.callbacks.EarlyStopping(monitor="val_acc", patience=0, mode="max", baseline=2.0)
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}-{val_acc:.2f}.h5"),
                                                 monitor="val_acc", save_best_only=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0, callbacks=[checkpoint, stopper])
    said = [str(w.message) for w in caught if "Keras 2.3" in str(w.message)]
    assert len(said) == 2  # once per callback
    assert history.epoch == [0, 1]  # the baseline of 2.0 is out of reach: it stopped as early as it may
    assert f"w-01-{history.history['val_accuracy'][0]:.2f}.h5" in [p.name for p in tmp_path.iterdir()]
    assert history.history["acc"] is history.history["accuracy"]
    assert history.history["val_acc"] == history.history["val_accuracy"]
    assert "acc" not in history.history and history.history.get("acc") is None  # only indexing translates
    with pytest.raises(KeyError):
        history.history["val_f1"]
