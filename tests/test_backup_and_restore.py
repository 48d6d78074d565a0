"""BackupAndRestore: an interrupted fit, restarted with the same callback, continues as if never stopped."""
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import callbacks, layers


class Interrupt(callbacks.Callback):
    def __init__(self, at_epoch, hook="begin"):
        super().__init__()
        self.at_epoch = at_epoch
        self.hook = hook

    def on_epoch_begin(self, epoch, logs=None):
        if self.hook == "begin" and epoch == self.at_epoch:
            raise RuntimeError("interrupted")


class Epochs(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_begin(self, epoch, logs=None):
        self.seen.append(epoch)


def _data():
    rng = np.random.RandomState(0)
    x = rng.randn(40, 3).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3).astype("float32")


def _model(optimizer="adam"):
    fastkeras.utils.set_random_seed(1)
    model = fastkeras.Sequential([layers.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def test_resumes_at_the_interrupted_epoch_with_weights_and_optimizer_state(tmp_path):
    x, y = _data()
    reference = _model()
    reference.fit(x, y, batch_size=8, epochs=5, shuffle=False, verbose=0)

    backup_dir = str(tmp_path / "backup")
    model = _model()
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(x, y, batch_size=8, epochs=5, shuffle=False, verbose=0,
                  callbacks=[callbacks.BackupAndRestore(backup_dir), Interrupt(3)])
    assert os.path.exists(os.path.join(backup_dir, "training_state.npz"))
    assert [f for f in os.listdir(backup_dir) if f.endswith(".tmp")] == []

    # a fresh model object, as after a process restart
    restarted = _model()
    epochs = Epochs()
    history = restarted.fit(x, y, batch_size=8, epochs=5, shuffle=False, verbose=0,
                            callbacks=[callbacks.BackupAndRestore(backup_dir), epochs])
    assert epochs.seen == [3, 4]
    assert history.epoch == [3, 4]
    assert int(restarted.optimizer.iterations.numpy()) == reference.optimizer.iterations.numpy() == 25
    for got, want in zip(restarted.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    for got, want in zip(restarted.optimizer.get_weights(), reference.optimizer.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert not os.path.exists(backup_dir)  # deleted after the successful fit


def test_keeps_the_backup_when_asked_or_interrupted(tmp_path):
    x, y = _data()
    backup_dir = str(tmp_path / "b")
    model = _model("sgd")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.BackupAndRestore(backup_dir, delete_checkpoint=False)])
    assert os.path.exists(os.path.join(backup_dir, "training_state.npz"))
    # a later fit with the same backup and epochs already done trains nothing more
    again = _model("sgd")
    seen = Epochs()
    again.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.BackupAndRestore(backup_dir), seen])
    assert seen.seen == []
    for got, want in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)

    class CtrlC(callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    other = str(tmp_path / "c")
    with pytest.warns(UserWarning), pytest.raises(KeyboardInterrupt):
        _model("sgd").fit(x, y, epochs=3, verbose=0, callbacks=[callbacks.BackupAndRestore(other), CtrlC()])
    assert os.path.exists(os.path.join(other, "training_state.npz"))


class Steps(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self.seen.append([self.epoch, batch])


def test_integer_save_freq_resumes_mid_epoch_as_tf_keras(tmp_path):
    """The steps a resumed fit runs, and the optimizer's step count, are tf-keras 2.21's
    (tools/make_backup_and_restore_fixtures.py)."""
    import json
    with open(os.path.join(os.path.dirname(__file__), "fixtures", "backup_and_restore",
                           "integer_save_freq.json")) as f:
        want = json.load(f)
    x, y = _data()
    for save_freq, saved in [(3, (1, 3)), (5, (1, 4))]:
        backup_dir = str(tmp_path / f"b{save_freq}")
        cb = callbacks.BackupAndRestore(backup_dir, save_freq=save_freq, delete_checkpoint=False)
        with pytest.raises(RuntimeError):
            _model().fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0, callbacks=[cb, Interrupt(2)])
        with np.load(os.path.join(backup_dir, "training_state.npz")) as state:
            # 5 batches an epoch, the batch count running on across epochs (as tf-keras)
            assert (int(state["epoch"]), int(state["batch"])) == saved
        steps, resumed = Steps(), _model()
        resumed.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0,
                    callbacks=[callbacks.BackupAndRestore(backup_dir, save_freq=save_freq), steps])
        assert steps.seen == want[str(save_freq)]["resumed_steps"]
        assert int(resumed.optimizer.iterations.numpy()) == want[str(save_freq)]["iterations_at_end"]


def test_arguments():
    with pytest.raises(ValueError, match="Either `save_freq`"):
        callbacks.BackupAndRestore("/tmp/x", save_freq=None)
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.BackupAndRestore("/tmp/x", save_freq="batch")
    cb = callbacks.BackupAndRestore("/tmp/x")
    assert cb.save_freq == "epoch" and cb.delete_checkpoint is True
    assert not cb._implements_train_batch_hooks()
    assert callbacks.BackupAndRestore("/tmp/x", save_freq=2)._implements_train_batch_hooks()


def test_a_bucket_url_holds_the_backup():
    """backup_dir may be a URL (fsspec's in-memory file system here), as tf-keras backs up to gs:// buckets."""
    import fsspec
    x, y = _data()
    reference = _model()
    reference.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0)
    memory = fsspec.filesystem("memory")
    backup_dir = "memory://fastkeras-backup-test/run"
    model = _model()
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0,
                  callbacks=[callbacks.BackupAndRestore(backup_dir), Interrupt(2)])
    assert memory.exists("/fastkeras-backup-test/run/training_state.npz")
    assert not os.path.exists("memory:")  # nothing written to a local folder named like the URL
    restarted = _model()
    epochs = Epochs()
    restarted.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0,
                  callbacks=[callbacks.BackupAndRestore(backup_dir), epochs])
    assert epochs.seen == [2, 3]
    for got, want in zip(restarted.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert not memory.exists("/fastkeras-backup-test/run/training_state.npz")
