"""Reading a tf-keras fixture folder of the "cases.json + arrays.npz" layout (tools/make_*_fixtures.py), and
importing a fixture script whose case tables and model builders a test shares."""
import importlib.util
import json
import os

import numpy as np
import pytest

from fastkeras import backend as K

FIXTURE_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def load_tool_script(name):
    """``tools/<name>.py`` as a module, for the tables and builders it keeps beside its Keras runs (the scripts
    import Keras only inside their functions, so this needs neither tf-keras nor Keras 3)."""
    path = os.path.join(os.path.dirname(FIXTURE_ROOT), "..", "tools", name + ".py")
    spec = importlib.util.spec_from_file_location(name, path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def load_cases(folder):
    """(the cases.json document, the arrays of arrays.npz by key) of ``tests/fixtures/<folder>``."""
    path = os.path.join(FIXTURE_ROOT, folder)
    with open(os.path.join(path, "cases.json")) as f:
        doc = json.load(f)
    with np.load(os.path.join(path, "arrays.npz")) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return doc, arrays


def case_params(doc, kind):
    """The cases of one kind as pytest parameters named by their ids."""
    return [pytest.param(c, id=c["id"]) for c in doc["cases"] if c["kind"] == kind]


def tensor_of(arrays, key):
    return None if key is None else K.convert_to_tensor(arrays[key])
