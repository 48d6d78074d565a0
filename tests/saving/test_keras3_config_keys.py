"""Layers written into a .keras file carry no key Keras 3.15.1's constructors refuse (tf-keras' config keys that
Keras 3 takes as unknown arguments, from tools/make_keras3_config_keys_fixtures.py, whose LAYERS table is built
here too): Keras 3 refuses the whole archive otherwise ('Unrecognized keyword arguments passed to
SeparableConv1D: kernel_initializer ...')."""
import json
import os
import zipfile

import pytest

import fastkeras as keras
from fixture_cases import load_tool_script

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "fixtures", "interop", "k3_config_keys.json")) as _f:
    K3_KEYS = json.load(_f)


SCRIPT = load_tool_script("make_keras3_config_keys_fixtures")


@pytest.mark.parametrize("class_name, kwargs, shape", SCRIPT.LAYERS, ids=[c for c, _, _ in SCRIPT.LAYERS])
def test_written_layer_config_has_only_keys_keras3_takes(tmp_path, class_name, kwargs, shape):
    layer = SCRIPT.build_layer(keras, class_name, kwargs)
    if shape is None:  # a layer of two inputs
        a, b = keras.Input((5, 4)), keras.Input((5, 4))
        model = keras.Model([a, b], layer(a, b) if class_name == "MultiHeadAttention" else layer([a, b]))
    else:
        dtype = "int32" if class_name in ("Embedding", "CategoryEncoding") else "float32"
        model = keras.Sequential([keras.Input(shape, dtype=dtype), layer])
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    (written,) = [e["config"] for e in config["config"]["layers"] if e["class_name"] == class_name]
    refused = sorted(set(written) & set(K3_KEYS[class_name]["refused"]))
    assert not refused, f"{class_name} writes keys Keras 3 refuses: {refused}"
