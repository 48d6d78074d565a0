"""Fuzzing configs (JSON, YAML, the configs inside .keras and .h5 files) and weight files: whatever the
mutation, loading either works or raises a ``SavingError`` (never another exception, never a crash), and a
failed ``load_weights`` leaves the model's weights as they were."""
import io
import json
import os
import tempfile
import zipfile
from unittest import mock

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fastkeras import backend as K  # noqa: E402
from fastkeras import layers as L  # noqa: E402
from fastkeras.models import Model, Sequential, load_model, model_from_json, model_from_yaml  # noqa: E402
from fastkeras.saving import SavingError, safety  # noqa: E402

h5py = pytest.importorskip("h5py")

# FASTKERAS_FUZZ_EXAMPLES=2000 (and FASTKERAS_FUZZ_RANDOM=1) for a longer hunt than CI's fixed, quick run.
FUZZ = settings(max_examples=int(os.environ.get("FASTKERAS_FUZZ_EXAMPLES", 40)), deadline=None,
                derandomize=not os.environ.get("FASTKERAS_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# A fuzzed config may legitimately ask for big weights; keep what it may allocate small in these tests.
SMALL_BUDGET = mock.patch.dict(safety.LIMITS, {"max_config_elements": 200_000})


def base_model():
    x = L.Input((4,), name="x")
    h = L.Dense(5, activation="relu", name="h")(x)
    h = L.BatchNormalization(name="bn")(h) if hasattr(L, "BatchNormalization") else h
    side = Sequential([L.Dense(3, input_shape=(4,), name="s1"), L.Dropout(0.5, name="drop")], name="side")(x)
    out = L.Dense(2, activation="softmax", name="out")(L.Concatenate(name="cat")([h, side]))
    model = Model(x, out, name="fuzz")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(np.ones((4, 4), "float32"), np.eye(2, dtype="float32")[[0, 1, 0, 1]], verbose=0)
    return model


_STATE = {}


def files():
    """The base model saved once in every format: {name: bytes}."""
    if not _STATE:
        model = base_model()
        with tempfile.TemporaryDirectory() as d:
            for name in ("m.keras", "m.h5"):
                model.save(os.path.join(d, name))
            for name in ("w.weights.h5", "w.h5"):
                model.save_weights(os.path.join(d, name))
            _STATE.update({name: open(os.path.join(d, name), "rb").read() for name in os.listdir(d)})
        _STATE["json"] = model.to_json()
        _STATE["model"] = model
    return _STATE


# ---- config mutations ----------------------------------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), st.sampled_from([2 ** 40, -2 ** 31, 0]),
                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                         st.sampled_from(["Dense", "Functional", "Sequential", "InputLayer", "__lambda__", "lambda",
                                          "function", "os", "system", "relu", "x", "h", "cat", "safe_mode",
                                          "float32", "int8", "valid", "channels_first", "Custom>Dense"]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=6), inner,
                                                                                 max_size=4)), max_leaves=8)


def nodes(config):
    """(container, key) for every value in the config, in a stable order."""
    out, stack = [], [config]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            out.append((node, key))
            stack.append(value)
    return out


@st.composite
def mutated_configs(draw, original):
    config = json.loads(json.dumps(original))
    for _ in range(draw(st.integers(1, 4))):
        places = nodes(config)
        if not places:
            break
        container, key = places[draw(st.integers(0, len(places) - 1))]
        action = draw(st.sampled_from(["replace", "delete", "duplicate", "swap_type"]))
        if action == "delete":
            del container[key]
        elif action == "duplicate" and isinstance(container, list):
            container.insert(key, json.loads(json.dumps(container[key])))
        elif action == "swap_type":
            value = container[key]
            container[key] = [value] if not isinstance(value, list) else (value[0] if value else {})
        else:
            container[key] = draw(json_values)
    return config


def check_config_load(load):
    try:
        with SMALL_BUDGET:
            load()
    except SavingError:
        pass


def base_config():
    return json.loads(files()["json"])


@FUZZ
@given(st.data())
def test_fuzz_model_from_json(data):
    config = data.draw(mutated_configs(base_config()))
    check_config_load(lambda: model_from_json(json.dumps(config)))


@FUZZ
@given(st.data())
def test_fuzz_model_from_yaml(data):
    yaml = pytest.importorskip("yaml")
    text = yaml.safe_dump(data.draw(mutated_configs(base_config())), sort_keys=False)
    # Text-level damage too: YAML syntax, tags, anchors.
    for _ in range(data.draw(st.integers(0, 3))):
        position = data.draw(st.integers(0, len(text)))
        text = text[:position] + data.draw(st.sampled_from(["!!python/name:os.system ", "&a ", "*a", "[", "]",
                                                            ": ", "\n  - ", "'", "{", "\t"])) + text[position:]
    check_config_load(lambda: model_from_yaml(text))


def keras_with_config(config_bytes):
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(files()["m.keras"])) as src, zipfile.ZipFile(buffer, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, config_bytes if name == "config.json" else src.read(name))
    return buffer.getvalue()


@FUZZ
@given(st.data())
def test_fuzz_keras_archive_config(data):
    with zipfile.ZipFile(io.BytesIO(files()["m.keras"])) as archive:
        original = json.loads(archive.read("config.json"))
    config = data.draw(mutated_configs(original))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.keras")
        with open(path, "wb") as f:
            f.write(keras_with_config(json.dumps(config).encode()))
        check_config_load(lambda: load_model(path))


@FUZZ
@given(st.data(), st.sampled_from(["model_config", "training_config"]))
def test_fuzz_h5_configs(data, attribute):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.h5")
        with open(path, "wb") as f:
            f.write(files()["m.h5"])
        with h5py.File(path, "a") as f:
            config = data.draw(mutated_configs(json.loads(f.attrs[attribute])))
            f.attrs[attribute] = json.dumps(config)
        check_config_load(lambda: load_model(path))


# ---- weight files --------------------------------------------------------------------------------------

@st.composite
def damaged(draw, original):
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]
    return bytes(data)


def snapshot(model):
    return [np.array(w, copy=True) for w in model.get_weights()]


@FUZZ
@given(st.data(), st.sampled_from(["m.keras", "m.h5", "w.weights.h5", "w.h5"]))
def test_fuzz_damaged_files(data, name):
    payload = data.draw(damaged(files()[name]))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(payload)
        if name.startswith("m."):
            check_config_load(lambda: load_model(path))
            return
        model = files()["model"]
        before = snapshot(model)
        try:
            model.load_weights(path)
        except SavingError:
            after = snapshot(model)
            assert all(np.array_equal(a, b) for a, b in zip(before, after)), "a failed load changed weights"


@FUZZ
@given(st.data(), st.sampled_from(["w.weights.h5", "w.h5", "m.h5"]))
def test_fuzz_weight_file_structure(data, name):
    """Datasets replaced by others of random shape and dtype, removed, or renamed; attributes scrambled."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(files()[name])
        with h5py.File(path, "a") as f:
            datasets = []
            f.visititems(lambda n, obj: datasets.append(n) if isinstance(obj, h5py.Dataset) else None)
            groups = []
            f.visititems(lambda n, obj: groups.append(n) if isinstance(obj, h5py.Group) else None)
            for _ in range(data.draw(st.integers(1, 3))):
                action = data.draw(st.sampled_from(["reshape", "retype", "delete", "attr", "delete_group"]))
                if action == "delete_group" and groups:
                    target = data.draw(st.sampled_from(groups))
                    if target in f:
                        del f[target]
                    continue
                target = data.draw(st.sampled_from(datasets))
                if target not in f:
                    continue
                if action == "delete":
                    del f[target]
                elif action == "attr":
                    obj = f[target].parent
                    key = data.draw(st.sampled_from(["weight_names", "layer_names", "model_config", "x"]))
                    obj.attrs[key] = data.draw(st.sampled_from([np.arange(3), b"zz", "[]", np.zeros((2, 2))]))
                else:
                    shape = tuple(data.draw(st.lists(st.integers(0, 5), max_size=3)))
                    dtype = data.draw(st.sampled_from(["float32", "float64", "int8", "bool", "S3"])) \
                        if action == "retype" else f[target].dtype
                    del f[target]
                    f.create_dataset(target, data=np.zeros(shape, dtype=dtype))
        if name.startswith("m."):
            check_config_load(lambda: load_model(path))
            return
        model = files()["model"]
        before = snapshot(model)
        try:
            model.load_weights(path)
        except SavingError:
            assert all(np.array_equal(a, b) for a, b in zip(before, snapshot(model)))
