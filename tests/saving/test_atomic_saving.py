"""Atomic saving: a process killed mid-save, an error, Ctrl-C or a full disk leave the previous file intact."""
import errno
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers as L
from fastkeras.models import Model, load_model
from fastkeras.saving import atomic

h5py = pytest.importorskip("h5py")
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir))


def model_with(seed):
    x = L.Input((32,), name="x")
    h = L.Dense(64, activation="relu", name="h")(x)
    model = Model(x, L.Dense(8, name="out")(L.Dense(64, name="h2")(h)), name="big")
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(-1, 1, w.shape).astype("float32") for w in model.get_weights()])
    return model


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))


# The child saves a model with other weights and SIGKILLs itself in the middle of writing the file.
CHILD = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {here!r})
    import h5py
    from test_atomic_saving import model_with
    model = model_with(2)
    calls = []
    real = h5py.Group.create_dataset

    def create_dataset_then_die(self, *args, **kwargs):
        out = real(self, *args, **kwargs)
        calls.append(1)
        if len(calls) == 3:
            self.file.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return out

    h5py.Group.create_dataset = create_dataset_then_die
    if {path!r}.endswith(".keras"):
        # The archive's weights are built in memory first; die while the zip entries go to disk.
        import zipfile
        h5py.Group.create_dataset = real
        real_writestr = zipfile.ZipFile.writestr

        def writestr_then_die(self, name, data, *args, **kwargs):
            real_writestr(self, name, data, *args, **kwargs)
            if name == "config.json":
                self.fp.flush()
                os.kill(os.getpid(), signal.SIGKILL)

        zipfile.ZipFile.writestr = writestr_then_die
    if {method!r} == "save":
        model.save({path!r})
    else:
        model.save_weights({path!r})
    print("the save completed; the kill did not happen")
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
@pytest.mark.parametrize("name,method", [("m.keras", "save"), ("m.h5", "save"), ("w.weights.h5", "save_weights")])
def test_process_killed_mid_save_leaves_the_old_file(tmp_path, name, method):
    path = str(tmp_path / name)
    old = model_with(1)
    getattr(old, method)(path)
    before = open(path, "rb").read()
    script = CHILD.format(root=ROOT, here=os.path.dirname(os.path.abspath(__file__)), method=method, path=path)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    assert open(path, "rb").read() == before
    leftover = [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    assert leftover and os.path.getsize(tmp_path / leftover[0]) > 0  # it did die while writing the file
    # What the dead process left is a temporary file beside the target, never a half-written target.
    leftovers = [f for f in os.listdir(tmp_path) if f != name]
    assert all(f.startswith(f".{name}.") and f.endswith(".tmp") for f in leftovers), leftovers
    if method == "save":
        assert same_weights(load_model(path), old)
    else:
        clone = model_with(3)
        clone.load_weights(path)
        assert same_weights(clone, old)


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "w.weights.h5", "w.h5"])
@pytest.mark.parametrize("failure", [RuntimeError("disk exploded"), KeyboardInterrupt()])
def test_error_or_ctrl_c_mid_save_keeps_the_old_file(tmp_path, monkeypatch, name, failure):
    path = tmp_path / name
    save = "save_weights" if "w." in name else "save"
    old = model_with(1)
    getattr(old, save)(path)
    before = path.read_bytes()
    calls = []
    real = h5py.Group.create_dataset

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise failure
        return real(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", failing)
    with pytest.raises(type(failure)):
        getattr(model_with(2), save)(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [name]  # the temporary file was removed


def test_full_disk_at_fsync_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    model_with(1).save(path)
    before = path.read_bytes()

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", no_space)
    with pytest.raises(OSError, match="No space left"):
        model_with(2).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.keras"]


def test_model_checkpoint_failure_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    model = model_with(1)
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 32), "float32"), np.zeros((4, 8), "float32")
    path = tmp_path / "best.keras"
    checkpoint = keras.callbacks.ModelCheckpoint(str(path))
    model.fit(x, y, epochs=1, verbose=0, callbacks=[checkpoint])
    saved = load_model(path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError, match="I/O error"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[checkpoint])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert same_weights(load_model(path), saved)
    assert os.listdir(tmp_path) == ["best.keras"]


def test_whole_model_hdf5_save_creates_missing_directories_as_keras(tmp_path):
    # tf-keras and Keras 3 both create them for model.save('dir/model.h5'); weights files and .keras archives
    # still need an existing directory, as in Keras.
    model = model_with(1)
    path = tmp_path / "new" / "nested" / "model.h5"
    model.save(path)
    assert same_weights(load_model(path), model)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.save(tmp_path / "missing" / "model.keras")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.save_weights(tmp_path / "missing2" / "w.h5")
