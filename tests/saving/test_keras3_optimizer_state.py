"""The optimizer state of `.keras` files in Keras 3's layout, both ways (tests/fixtures/keras3_optimizer_state, from
tools/make_keras3_optimizer_state_fixtures.py with Keras 3.15.1 on torch).

Keras 3 keeps an optimizer's state only when the file holds exactly its list of variables; so fastkeras must write
what Keras 3 writes for the same optimizer after the same steps, and must continue training from Keras 3's files as
Keras 3 does. Keras 3 actually loading fastkeras' files is the script's manual check (``--fastkeras-write`` then
``--keras3-check``).
"""
import importlib.util
import json
import os
import sys
import warnings

import numpy as np
import pytest

import fastkeras as keras

pytest.importorskip("h5py")

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, os.pardir, "fixtures", "keras3_optimizer_state")
TOOL_PATH = os.path.join(HERE, os.pardir, os.pardir, "tools", "make_keras3_optimizer_state_fixtures.py")


def _load_tool():
    spec = importlib.util.spec_from_file_location("make_keras3_optimizer_state_fixtures", TOOL_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


TOOL = _load_tool()
with open(os.path.join(FIXTURES, "cases.json")) as fh:
    SPEC = json.load(fh)
CASES = {case["id"]: case for case in SPEC["cases"]}
STEPS = SPEC["steps"]
ARRAYS = dict(np.load(os.path.join(FIXTURES, "arrays.npz")))

# Values that differ from Keras 3's by design, not by layout (fastkeras follows tf-keras there):
# - EMA averages start at the weights in tf-keras; Keras 3 starts them at zeros and takes the weights at step 1;
# - under mixed_float16, tf-keras' LossScaleOptimizer counts the steps it skips on overflowing gradients in
#   `iterations` (Keras 3 does not): 3 against 1 here, so the one step applied has another bias correction and
#   the weights differ; the slots (one step's moments) differ by float16 rounding only.
VALUE_DIFFERENCES = {
    "adam_ema": {"vars/2", "vars/3"},
    "mixed_float16": {"vars/4", "inner_optimizer/vars/0"},
}
LOOSE = {"mixed_float16": dict(rtol=1e-2, atol=1e-3)}


def _flat(groups):
    return {f"{g}/{k}": v for g, values in groups.items() for k, v in values.items()}


def _file_state(path):
    return _flat(TOOL.h5_groups(path))


@pytest.mark.parametrize("cid", sorted(CASES))
def test_fastkeras_writes_the_state_keras3_writes(cid, tmp_path):
    case = CASES[cid]
    model = TOOL.trained_model(keras, case["optimizer"], case["policy"], ARRAYS)
    for j, w in enumerate(model.get_weights() if cid != "mixed_float16" else []):
        np.testing.assert_allclose(w, ARRAYS[f"{cid}/w_{j}"], rtol=1e-5, atol=1e-6)
    path = str(tmp_path / f"{cid}.keras")
    model.save(path)
    ours = _file_state(path)
    theirs = _file_state(os.path.join(FIXTURES, f"k3_{cid}.keras"))
    assert {k: v.shape for k, v in ours.items()} == {k: v.shape for k, v in theirs.items()}
    assert {k: v.dtype.kind for k, v in ours.items()} == {k: v.dtype.kind for k, v in theirs.items()}
    tolerance = LOOSE.get(cid, dict(rtol=1e-5, atol=1e-5))
    for key, value in theirs.items():
        if key not in VALUE_DIFFERENCES.get(cid, ()):
            np.testing.assert_allclose(ours[key], value, **tolerance, err_msg=f"{cid}: optimizer/{key}")


def _load(cid):
    path = os.path.join(FIXTURES, f"k3_{cid}.keras")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = keras.models.load_model(path)
    assert not [str(w.message) for w in caught if "optimizer" in str(w.message)]
    return model, path


@pytest.mark.parametrize("cid", sorted(CASES))
def test_keras3_file_resumes_training_in_fastkeras(cid):
    model, path = _load(cid)
    inner = "inner_optimizer/" if f"{cid}/state/inner_optimizer/vars/0" in ARRAYS else ""
    assert int(keras.backend.get_value(model.optimizer.iterations)) == int(ARRAYS[f"{cid}/state/{inner}vars/0"])
    model.train_on_batch(ARRAYS[f"x{STEPS}"], ARRAYS[f"y{STEPS}"])
    for j, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, ARRAYS[f"{cid}/next_{j}"], **LOOSE.get(cid, dict(rtol=1e-5, atol=1e-6)),
                                   err_msg=f"{cid}: weight {j} after one more step")


@pytest.mark.parametrize("cid", sorted(CASES))
def test_fastkeras_holds_the_state_of_keras3_files(cid):
    """What fastkeras holds after loading, put in Keras 3's layout again, is the file's state."""
    from fastkeras.saving import keras3_optimizer_state
    model, path = _load(cid)
    held = keras3_optimizer_state.groups(model.optimizer)
    stored = TOOL.h5_groups(path)
    if cid == "mixed_float16":
        # Keras 3 wrote the model's LossScaleOptimizer but compiles the loaded model with its inner Adam alone (and
        # skips the state itself); fastkeras compiles the same way and gives the Adam the inner state.
        assert type(model.optimizer).__name__ == "Adam"
        stored = {"vars": stored["inner_optimizer/vars"]}
    assert sorted(held) == sorted(stored)
    for group, values in stored.items():
        assert len(held[group]) == len(values)
        for i, value in enumerate(values.values()):
            np.testing.assert_allclose(held[group][i], value, rtol=1e-6, err_msg=f"{cid}: optimizer/{group}/{i}")


def test_sgd_without_momentum_keeps_only_iterations_and_learning_rate(tmp_path):
    """Keras 3's SGD(momentum=0) has no slots; tf-keras' `.h5` keeps its momentums (unchanged there)."""
    model = TOOL.trained_model(keras, ["SGD", {"learning_rate": 0.1}], None, ARRAYS)
    model.save(str(tmp_path / "m.keras"))
    assert sorted(_file_state(str(tmp_path / "m.keras"))) == ["vars/0", "vars/1"]
    model.save(str(tmp_path / "m.h5"))
    import h5py
    with h5py.File(str(tmp_path / "m.h5"), "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["optimizer_weights"].attrs["weight_names"]]
    assert len(names) == 3 and "/m/" in names[1] and "/m/" in names[2]


def test_files_of_earlier_fastkeras_releases_still_restore(tmp_path):
    """Before Keras 3's layout, fastkeras wrote [iterations, learning rate, tf-keras' slots] (a LossScaleOptimizer:
    the inner optimizer's list alone); such files keep loading with their state."""
    import h5py
    for spec in (["Nadam", {"learning_rate": 0.01}], ["SGD", {"learning_rate": 0.1}],
                 ["LossScaleOptimizer", {"inner_optimizer": ["Adam", {"learning_rate": 0.01}]}]):
        model = TOOL.trained_model(keras, spec, None, ARRAYS)
        inner = getattr(model.optimizer, "inner_optimizer", model.optimizer)
        old = [np.asarray(v) for v in inner.get_weights()]
        old.insert(1, np.asarray(inner.get_config()["learning_rate"], dtype="float32"))
        path = str(tmp_path / "old.keras")
        model.save(path)
        import io
        import zipfile
        with zipfile.ZipFile(path) as archive:
            entries = {n: archive.read(n) for n in archive.namelist()}
        buffer = io.BytesIO(entries["model.weights.h5"])
        with h5py.File(buffer, "a") as f:
            del f["optimizer"]
            for i, value in enumerate(old):
                f.create_dataset(f"optimizer/vars/{i}", data=value)
        entries["model.weights.h5"] = buffer.getvalue()
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in entries.items():
                archive.writestr(name, data)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loaded = keras.models.load_model(path)
        expected = inner.get_weights()
        got = getattr(loaded.optimizer, "inner_optimizer", loaded.optimizer).get_weights()
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            if spec[0] == "SGD" and np.ndim(a):
                continue  # momentums without momentum: zeros, only the last step in tf-keras
            np.testing.assert_allclose(a, b, rtol=1e-6)
