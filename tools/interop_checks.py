"""Writing and loading model files with one library at a time, for tools/make_interop_fixtures.py.

A *writer* builds each case of ``interop_models.CASES`` its library can build, trains it one epoch (Adam, so the
files carry optimizer state) and saves ``<lib>_<case>.keras``, ``.h5`` and ``.weights.h5`` with
``<lib>_<case>.npz``: the inputs ``x<i>``, its own predictions ``y<i>`` and its optimizer state ``opt<i>``
(iterations, then the slots: Keras 3's learning-rate variable is left out, as tf-keras and fastkeras have none).

A *reader* loads every file another library wrote, predicts on the stored inputs and compares with the writer's
predictions, and its restored optimizer state with the writer's. ``.weights.h5`` files are loaded into the case
model the reader built itself. Each outcome is one row of the interop matrix. The reader takes its models from
a *catalog*: ``interop_models`` by default, or anything with the same ``CASES`` (``build(keras, lib)``,
``libs``, ``batch_size``) and ``inputs_for(name)`` (tools/make_saving_fixtures.py's check modes pass theirs).
"""
import glob
import json
import os
import sys

import numpy as np

import interop_models
from interop_models import CASES, FK, K2, K3, custom_scale, inputs_for, randomize, targets_for

HERE = os.path.dirname(os.path.abspath(__file__))
FORMATS = (".keras", ".h5", ".weights.h5")
LIBRARY_NAMES = {K2: "tf-keras 2.21", K3: "Keras 3.15.1", FK: "fastkeras"}
PREDICTION_TOLERANCE = 1e-4


def import_library(lib):
    if lib == K2:
        import tf_keras as keras
    elif lib == K3:
        import keras
    else:
        sys.path.insert(0, os.path.dirname(HERE))
        import fastkeras as keras
    custom_scale(keras)  # registered before any file is read
    return keras


def as_list(y):
    return [np.asarray(t) for t in y] if isinstance(y, (list, tuple)) else [np.asarray(y)]


def optimizer_state(lib, model):
    """[iterations, slots...] of a compiled model's optimizer, or None when it has none (yet)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    if lib == FK:
        return [np.asarray(v) for v in optimizer.get_weights()] or None
    if lib == K3 and hasattr(optimizer, "inner_optimizer"):
        optimizer = optimizer.inner_optimizer  # a LossScaleOptimizer: fastkeras' get_weights() is the inner list
    variables = list(optimizer.variables() if callable(optimizer.variables) else optimizer.variables)
    if lib == K3:
        variables = [v for v in variables if v.path.split("/")[-1] != "learning_rate"]
    return [np.asarray(v) for v in variables] or None


def reset_states(model):
    for layer in model.layers:
        reset = getattr(layer, "reset_states", None) or getattr(layer, "reset_state", None)
        if getattr(layer, "stateful", False) and reset is not None:
            reset()


def feed(arrays):
    """One array for a one-input model (Keras 3 warns when a list stands for a single input)."""
    return arrays[0] if len(arrays) == 1 else arrays


def predict(model, name, catalog=interop_models):
    case = catalog.CASES[name]
    reset_states(model)
    inputs = catalog.inputs_for(name)
    return as_list(model.predict(feed(inputs), batch_size=case.batch_size or len(inputs[0]), verbose=0))


# ---------------------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------------------

def trained_model(lib, keras, name):
    case = CASES[name]
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = case.build(keras, lib)
    randomize(model, name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), **case.compile_kwargs(keras, lib))
    model.fit(feed(inputs_for(name)), targets_for(name, model), batch_size=case.batch_size or 2, epochs=1,
              shuffle=False, verbose=0)
    return model


def write_all(lib, directory, names=None):
    """Writes every case ``lib`` can build into ``directory``; returns {case: error} for what failed."""
    keras = import_library(lib)
    os.makedirs(directory, exist_ok=True)
    failures = {}
    for name, case in CASES.items():
        if lib not in case.libs or (names and name not in names):
            continue
        stem = os.path.join(directory, f"{lib}_{name}")
        model = trained_model(lib, keras, name)
        arrays = {f"x{i}": x for i, x in enumerate(inputs_for(name))}
        arrays.update({f"y{i}": y for i, y in enumerate(predict(model, name))})
        arrays.update({f"opt{i}": v for i, v in enumerate(optimizer_state(lib, model) or [])})
        np.savez(stem + ".npz", **arrays)
        for suffix in FORMATS:
            try:
                if suffix == ".weights.h5":
                    model.save_weights(stem + suffix)
                else:
                    model.save(stem + suffix)
            except Exception as e:  # noqa: BLE001 - a report, not a library
                failures[f"{name}{suffix}"] = f"{type(e).__name__}: {str(e)[:300]}"
                if os.path.exists(stem + suffix):
                    os.remove(stem + suffix)
        print(f"{LIBRARY_NAMES[lib]} wrote {name}")
    for what, error in failures.items():
        print(f"  could not write {what}: {error}")
    return failures


# ---------------------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------------------

def _stored(data, prefix):
    return [data[f"{prefix}{i}"] for i in range(sum(1 for k in data.files if k[len(prefix):].isdigit()
                                                    and k.startswith(prefix)))]


def _compare_state(restored, saved):
    if not saved:
        return "none saved"
    if restored is None:
        return "NOT restored"
    if len(restored) == len(saved) and all(a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6)
                                           for a, b in zip(restored, saved)):
        return "restored"
    return f"DIFFERS ({len(restored)} restored, {len(saved)} saved)"


def load_one(lib, keras, path, name, catalog=interop_models):
    """(model, whether the file carries a whole model) for one file, loaded the way a user would."""
    if path.endswith(".weights.h5"):
        if lib not in catalog.CASES[name].libs:
            raise NotImplementedError(f"{LIBRARY_NAMES[lib]} cannot build this case")
        keras.backend.clear_session()
        model = catalog.CASES[name].build(keras, lib)
        model.load_weights(path)
        return model, False
    return keras.models.load_model(path), True


def check_file(lib, keras, path, name, data, catalog=interop_models):
    row = {"file": os.path.basename(path), "case": name, "reader": lib}
    expected = _stored(data, "y")
    try:
        model, whole = load_one(lib, keras, path, name, catalog)
        got = predict(model, name, catalog)
        if len(got) != len(expected):
            raise ValueError(f"{len(got)} outputs, expected {len(expected)}")
        worst = max(float(np.max(np.abs(g - e))) for g, e in zip(got, expected))
        row["max_diff"] = worst
        tolerance = max(PREDICTION_TOLERANCE, getattr(catalog.CASES[name], "tolerance", 0))
        row["status"] = "ok" if worst < tolerance else "WRONG PREDICTIONS"
        if whole:
            row["optimizer"] = _compare_state(optimizer_state(lib, model), _stored(data, "opt"))
            if row["optimizer"].startswith(("NOT", "DIFFERS")) and row["status"] == "ok":
                row["status"] = "optimizer " + row["optimizer"]
    except Exception as e:  # noqa: BLE001 - a report, not a library
        row["status"] = "cannot load"
        row["error"] = f"{type(e).__name__}: {' '.join(str(e).split())[:400]}"
    return row


def check_all(lib, directories, writers=None, catalog=interop_models, formats=FORMATS):
    """Loads, with ``lib``, every file in ``directories`` that another library wrote (``<writer>_<case>.*``
    beside its ``.npz``); returns the rows."""
    keras = import_library(lib)
    rows = []
    for directory in directories:
        for npz in sorted(glob.glob(os.path.join(directory, "*.npz"))):
            stem = npz[:-len(".npz")]
            writer, _, name = os.path.basename(stem).partition("_")
            if writer == lib or name not in catalog.CASES or (writers and writer not in writers):
                continue
            data = np.load(npz, allow_pickle=False)
            for suffix in formats:
                if os.path.exists(stem + suffix):
                    row = check_file(lib, keras, stem + suffix, name, data, catalog)
                    row["writer"] = writer
                    rows.append(row)
                    print(format_row(row), flush=True)
    return rows


def format_row(row):
    text = f"{row['writer']} -> {row['reader']}  {row['file']:<36} {row['status']}"
    if "max_diff" in row:
        text += f" (max |diff| {row['max_diff']:.1e})"
    if "optimizer" in row:
        text += f", optimizer state {row['optimizer']}"
    if "error" in row:
        text += f"\n      {row['error']}"
    return text


def save_rows(rows, path):
    with open(path, "w") as f:
        json.dump(rows, f, indent=1)
