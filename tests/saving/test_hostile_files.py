"""Hostile model files: each published Keras attack pattern, and more, is refused with a clear error while a
canary shows that no code ran, no module named in the file was imported, and nothing was written.

The canary is a path outside the target directory that every payload tries to create (``os.mkdir``) and a
module on ``sys.path`` whose import would create it. After each refusal the canary must be absent and the
directory tree byte-for-byte as before. The ``control`` tests run the same payloads through the unsafe
routes (``safe_mode=False`` plus a call, ``np.load(allow_pickle=True)``, a plain import) and see the canary
appear, so a canary that stays absent means something.
"""
import base64
import io
import json
import marshal
import os
import sys
import types
import zipfile

import numpy as np
import pytest

from fastkeras import layers as L
from fastkeras.models import Model, load_model, model_from_json, model_from_yaml
from fastkeras.saving import FileFormatError, SavingError, UnsafeFileError, safety

h5py = pytest.importorskip("h5py")

EVIL_MODULE = "fastkeras_evil_canary_module"


class Canary:
    """Where payloads would leave a trace, and the directory tree that must not change."""

    def __init__(self, root):
        self.root = root
        self.target = root / "target"
        self.outside = root / "outside"
        self.target.mkdir()
        self.outside.mkdir()
        self.path = self.outside / "CANARY"
        (self.outside / f"{EVIL_MODULE}.py").write_text(f"import os\nos.mkdir({str(self.path)!r})\n")

    def tree(self):
        out = {}
        for directory, _, files in os.walk(self.root):
            for name in files:
                if "__pycache__" in directory:
                    continue
                full = os.path.join(directory, name)
                with open(full, "rb") as f:
                    out[os.path.relpath(full, self.root)] = f.read()
        return out

    def refused(self, load, error=SavingError, match=None):
        """Runs ``load`` expecting ``error``; checks that nothing ran and nothing was written."""
        before = self.tree()
        with pytest.raises(error, match=match) as info:
            load()
        assert not self.path.exists(), "a payload from the file ran"
        assert EVIL_MODULE not in sys.modules, "a module named in the file was imported"
        assert self.tree() == before, "loading wrote or changed files"
        assert str(info.value), "the error must say what was refused"
        return info.value


@pytest.fixture
def canary(tmp_path, monkeypatch):
    c = Canary(tmp_path)
    monkeypatch.syspath_prepend(str(c.outside))
    yield c
    sys.modules.pop(EVIL_MODULE, None)


# ---- building blocks of hostile files ------------------------------------------------------------------

def evil_code(canary_path):
    """Marshalled bytecode of ``lambda x: (os.mkdir(canary), x)[1]``, base64 as Keras stores it."""
    source = f"lambda x: (__import__('os').mkdir({str(canary_path)!r}), x)[1]"
    code = next(c for c in compile(source, "<evil>", "eval").co_consts if isinstance(c, types.CodeType))
    return base64.b64encode(marshal.dumps(code)).decode("ascii")


def base_model():
    x = L.Input((3,), name="x")
    h = L.Dense(2, activation="relu", name="d")(x)
    return Model(x, L.Lambda(lambda t: t + 1.0, name="lam")(h), name="victim")


def plain_model():
    x = L.Input((3,), name="x")
    return Model(x, L.Dense(2, name="d")(x), name="victim")


def keras_file(canary, model=None, name="m.keras"):
    path = canary.target / name
    (model or plain_model()).save(path)
    return path


def rewrite_archive(path, config_fn=None, add=None, drop=()):
    """Rewrites a .keras archive: ``config_fn(config)`` edits config.json, ``add`` is {name: bytes}."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist() if name not in drop}
    if config_fn is not None:
        config = json.loads(entries["config.json"])
        config_fn(config)
        entries["config.json"] = json.dumps(config).encode()
    entries.update(add or {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def h5_file(canary, model=None, name="m.h5"):
    path = canary.target / name
    (model or plain_model()).save(path)
    return path


def rewrite_h5_config(path, fn, attr="model_config"):
    with h5py.File(path, "a") as f:
        config = json.loads(f.attrs[attr])
        fn(config)
        f.attrs[attr] = json.dumps(config)


def layer_entries(config):
    """Every layer entry of a (possibly nested) model config."""
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("class_name"), str) and isinstance(node.get("config"), dict):
                yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def find_layer(config, class_name):
    return next(e for e in layer_entries(config) if e["class_name"] == class_name)


def set_lambda_bytecode(config, code, keras3):
    entry = find_layer(config, "Lambda")["config"]
    if keras3:
        entry["function"] = {"class_name": "__lambda__", "config": {"code": code, "defaults": None, "closure": None}}
        entry.pop("function_type", None)
    else:
        entry["function"] = [code, None, None]
        entry["function_type"] = "lambda"


# ---- 1. Lambda bytecode in the config, on every path ---------------------------------------------------

@pytest.mark.parametrize("keras3_form", [True, False])
def test_lambda_bytecode_in_keras_archive(canary, keras3_form):
    path = keras_file(canary, base_model())
    rewrite_archive(path, lambda c: set_lambda_bytecode(c, evil_code(canary.path), keras3_form))
    error = canary.refused(lambda: load_model(path), UnsafeFileError, match='Lambda layer "lam".*safe_mode=False')
    assert str(path) in str(error)


def test_lambda_bytecode_in_legacy_h5(canary):
    # CVE-2025-9905: Keras' legacy HDF5 path ignored safe_mode; here it is the same check.
    path = h5_file(canary, base_model())
    rewrite_h5_config(path, lambda c: set_lambda_bytecode(c, evil_code(canary.path), False))
    canary.refused(lambda: load_model(path), UnsafeFileError, match='Lambda layer "lam".*safe_mode=False')


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_lambda_bytecode_in_json_and_yaml(canary, fmt):
    model = base_model()
    config = json.loads(model.to_json())
    set_lambda_bytecode(config, evil_code(canary.path), False)
    if fmt == "json":
        canary.refused(lambda: model_from_json(json.dumps(config)), UnsafeFileError, match='"lam".*safe_mode=False')
    else:
        import yaml
        text = yaml.safe_dump(config)
        canary.refused(lambda: model_from_yaml(text), UnsafeFileError, match='"lam".*safe_mode=False')


def test_control_lambda_payload_runs_when_the_caller_trusts_the_file(canary):
    path = keras_file(canary, base_model())
    rewrite_archive(path, lambda c: set_lambda_bytecode(c, evil_code(canary.path), True))
    try:  # the payload runs while the layer infers its output shape (and fails when it runs twice)
        load_model(path, safe_mode=False)
    except SavingError:
        pass
    assert canary.path.exists()


# ---- 2. configs naming module functions ----------------------------------------------------------------

ATTACK_TARGETS = [("os", "system"), ("builtins", "eval"), ("builtins", "exec"), ("subprocess", "Popen"),
                  ("keras.utils", "get_file"), ("keras.saving", "load_model"), (EVIL_MODULE, "payload")]


@pytest.mark.parametrize("module,name", ATTACK_TARGETS)
def test_class_name_naming_a_function_is_unknown(canary, module, name):
    path = keras_file(canary)
    evil = {"module": module, "class_name": name, "registered_name": f"{module}>{name}", "name": "evil",
            "config": {"name": "evil", "command": f"mkdir {canary.path}", "origin": f"file://{canary.path}"},
            "inbound_nodes": [[["x", 0, 0, {}]]]}
    rewrite_archive(path, lambda c: c["config"]["layers"].insert(1, evil))
    canary.refused(lambda: load_model(path), FileFormatError, match=f"Unknown layer class '{name}'")


@pytest.mark.parametrize("module,name", ATTACK_TARGETS)
def test_top_level_class_naming_a_function(canary, module, name):
    path = h5_file(canary)
    rewrite_h5_config(path, lambda c: c.update(class_name=name, module=module))
    canary.refused(lambda: load_model(path), FileFormatError, match=f"Unknown model class '{name}'")


@pytest.mark.parametrize("fmt", ["keras", "h5"])
@pytest.mark.parametrize("module,name", ATTACK_TARGETS)
def test_function_as_activation(canary, fmt, module, name):
    path = keras_file(canary) if fmt == "keras" else h5_file(canary)
    activation = {"module": module, "class_name": "function", "config": name, "registered_name": "function"}

    def poison(config):
        find_layer(config, "Dense")["config"]["activation"] = activation
    rewrite_archive(path, poison) if fmt == "keras" else rewrite_h5_config(path, poison)
    canary.refused(lambda: load_model(path), FileFormatError, match=f"Unknown activation function.*{name}")


@pytest.mark.parametrize("fmt", ["keras", "h5"])
@pytest.mark.parametrize("field", ["loss", "metrics", "optimizer"])
def test_function_in_the_training_config(canary, fmt, field):
    model = plain_model()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    path = keras_file(canary, model) if fmt == "keras" else h5_file(canary, model)
    evil = {"module": "os", "class_name": "function", "config": "system", "registered_name": "function"}
    if field == "optimizer":
        evil = {"module": "subprocess", "class_name": "Popen", "config": {"args": ["mkdir", str(canary.path)]}}
    if fmt == "keras":
        key = {"optimizer": "optimizer"}.get(field, field)
        rewrite_archive(path, lambda c: c["compile_config"].__setitem__(key, [evil] if field == "metrics" else evil))
    else:
        key = {"optimizer": "optimizer_config"}.get(field, field)
        rewrite_h5_config(path, lambda c: c.__setitem__(key, [evil] if field == "metrics" else evil),
                          attr="training_config")
    canary.refused(lambda: load_model(path), FileFormatError, match="training config.*custom_objects.*compile=False")
    # Without compiling, the same file loads: the architecture and weights are sound.
    load_model(path, compile=False)
    assert not canary.path.exists()


def test_lambda_named_function_is_resolved_only_through_custom_objects(canary):
    path = keras_file(canary, base_model())

    def poison(config):
        entry = find_layer(config, "Lambda")["config"]
        entry["function"] = {"module": "os", "class_name": "function", "config": "system",
                             "registered_name": "function"}
    rewrite_archive(path, poison)
    canary.refused(lambda: load_model(path), FileFormatError, match="function named 'system'.*custom_objects")


@pytest.mark.parametrize("fmt", ["keras", "h5", "json"])
def test_module_fields_are_never_imported(canary, fmt):
    # Every 'module' key names a module whose import would trip the canary; only class names count.
    def poison(config):
        stack = [config]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if "class_name" in node:
                    node["module"] = EVIL_MODULE
                    if node["class_name"] != "Functional":
                        node["registered_name"] = f"{EVIL_MODULE}>payload"
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    if fmt == "json":
        config = json.loads(plain_model().to_json())
        poison(config)
        model = model_from_json(json.dumps(config))
    else:
        path = keras_file(canary) if fmt == "keras" else h5_file(canary)
        rewrite_archive(path, poison) if fmt == "keras" else rewrite_h5_config(path, poison)
        model = load_model(path)
    assert type(model.get_layer("d")).__name__ == "Dense"
    assert not canary.path.exists() and EVIL_MODULE not in sys.modules


def test_control_the_evil_module_trips_the_canary_when_imported(canary):
    __import__(EVIL_MODULE)
    assert canary.path.exists()


# ---- 3. a file cannot switch safe mode off -------------------------------------------------------------

def test_config_entry_setting_safe_mode(canary):
    path = keras_file(canary, base_model())

    def poison(config):
        config["safe_mode"] = False
        find_layer(config, "Lambda")["config"]["safe_mode"] = False
        set_lambda_bytecode(config, evil_code(canary.path), True)
    rewrite_archive(path, poison)
    canary.refused(lambda: load_model(path), UnsafeFileError, match="safe_mode")


def test_config_calling_enable_unsafe_deserialization_first(canary):
    # CVE-2025-1550: a config entry that calls keras.config.enable_unsafe_deserialization before a Lambda.
    path = keras_file(canary, base_model())

    def poison(config):
        config["config"]["layers"].insert(0, {"module": "keras.config", "class_name": "enable_unsafe_deserialization",
                                              "config": {}, "registered_name": None, "name": "unlock",
                                              "inbound_nodes": []})
        set_lambda_bytecode(config, evil_code(canary.path), True)
    rewrite_archive(path, poison)
    canary.refused(lambda: load_model(path), UnsafeFileError, match='Lambda layer "lam"')
    assert safety.in_safe_mode()


def test_metadata_cannot_change_safe_mode(canary):
    path = keras_file(canary, base_model())
    rewrite_archive(path, lambda c: set_lambda_bytecode(c, evil_code(canary.path), True),
                    add={"metadata.json": json.dumps({"keras_version": "3.15.1", "safe_mode": False}).encode()})
    canary.refused(lambda: load_model(path), UnsafeFileError, match='Lambda layer "lam"')


# ---- 4. pickles in NumPy data --------------------------------------------------------------------------

class _Payload:
    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return os.mkdir, (self.path,)


def pickled_npy(canary_path):
    array = np.empty(1, dtype=object)
    array[0] = _Payload(canary_path)
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def pickled_npz(canary_path):
    array = np.empty(1, dtype=object)
    array[0] = _Payload(canary_path)
    buffer = io.BytesIO()
    np.savez(buffer, **{"layers/dense/vars": array})
    return buffer.getvalue()


def test_pickle_in_npz_weights_of_an_archive(canary):
    path = keras_file(canary)
    rewrite_archive(path, add={"model.weights.npz": pickled_npz(canary.path)}, drop=("model.weights.h5",))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="pickled Python objects")


def test_pickle_in_npy_and_npz_files(canary):
    npy, npz = canary.target / "w.npy", canary.target / "w.npz"
    npy.write_bytes(pickled_npy(canary.path))
    npz.write_bytes(pickled_npz(canary.path))
    canary.refused(lambda: safety.load_numpy(str(npy)), UnsafeFileError, match="pickled Python objects")
    canary.refused(lambda: safety.load_numpy(str(npz)), UnsafeFileError, match="pickled Python objects")


def test_control_the_pickle_payload_runs_when_unpickled(canary):
    npy = canary.target / "w.npy"
    npy.write_bytes(pickled_npy(canary.path))
    np.load(npy, allow_pickle=True)
    assert canary.path.exists()


def test_npy_declaring_more_data_than_it_holds(canary):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (2 ** 40,)})
    npy = canary.target / "big.npy"
    npy.write_bytes(header.getvalue() + b"\0" * 64)
    canary.refused(lambda: safety.load_numpy(str(npy)), UnsafeFileError, match="refused before allocating")


# ---- 5. HDF5 tricks ------------------------------------------------------------------------------------

KERNEL = "model_weights/d/d/kernel:0"


def replace_dataset(path, where, make):
    with h5py.File(path, "a") as f:
        del f[where]
        make(f, where)


def test_external_link(canary):
    other = canary.outside / "other.h5"
    with h5py.File(other, "w") as f:
        f["kernel"] = np.zeros((3, 2), "float32")
    path = h5_file(canary)
    replace_dataset(path, KERNEL, lambda f, w: f.__setitem__(w, h5py.ExternalLink(str(other), "/kernel")))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="external link")
    canary.refused(lambda: plain_model().load_weights(path), UnsafeFileError, match="external link")


def test_soft_links(canary):
    path = h5_file(canary)
    replace_dataset(path, KERNEL, lambda f, w: f.__setitem__(w, h5py.SoftLink("/outside_the_weights/kernel")))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="soft link")
    loop = h5_file(canary, name="loop.h5")
    with h5py.File(loop, "a") as f:
        f["model_weights/d/again"] = f["model_weights/d"]  # a hard-link cycle
    canary.refused(lambda: load_model(loop), UnsafeFileError, match="second time")


def test_dataset_stored_in_an_external_raw_file(canary):
    secret = canary.outside / "secret.bin"
    secret.write_bytes(np.arange(6, dtype="float32").tobytes())
    path = h5_file(canary)
    replace_dataset(path, KERNEL, lambda f, w: f.create_dataset(w, (3, 2), "float32",
                                                                external=[(str(secret), 0, 24)]))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="external file")


@pytest.mark.parametrize("dtype", ["string", "object", "compound"])
def test_wrong_dtypes(canary, dtype):
    path = h5_file(canary)

    def make(f, where):
        if dtype == "string":
            f.create_dataset(where, data=np.array([["a", "b"]] * 3, dtype="S1"))
        elif dtype == "object":
            f.create_dataset(where, (3, 2), dtype=h5py.string_dtype())
        else:
            f.create_dataset(where, (3, 2), dtype=np.dtype([("a", "f4"), ("b", "i4")]))
    replace_dataset(path, KERNEL, make)
    canary.refused(lambda: load_model(path), FileFormatError, match="dtype")
    canary.refused(lambda: plain_model().load_weights(path), FileFormatError, match="dtype")


@pytest.mark.parametrize("name", ["m.h5", "w.weights.h5"])
def test_oversized_shapes_refused_before_allocating(canary, name):
    path = canary.target / name
    if name.endswith(".weights.h5"):
        plain_model().save_weights(path)
        where = "layers/dense/vars/0"
    else:
        plain_model().save(path)
        where = KERNEL
    replace_dataset(path, where, lambda f, w: f.create_dataset(w, (2 ** 20, 2 ** 20), "float32", chunks=(64, 64)))
    load = (lambda: plain_model().load_weights(path)) if name.endswith(".weights.h5") else (lambda: load_model(path))
    canary.refused(load, UnsafeFileError, match="refused before allocating")


def test_config_allocating_more_than_the_file_holds(canary):
    path = keras_file(canary)
    rewrite_archive(path, lambda c: find_layer(c, "Dense")["config"].update(units=2 ** 28))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="more than the file can fill")
    config = json.loads(plain_model().to_json())
    find_layer(config, "Dense")["config"]["units"] = 2 ** 40
    canary.refused(lambda: model_from_json(json.dumps(config)), UnsafeFileError, match="refused before allocating")


def test_deep_hdf5_groups(canary):
    path = h5_file(canary)
    with h5py.File(path, "a") as f:
        f.create_group("/".join(["g"] * 100))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="nest more than")


# ---- 6. configs nested or aliased beyond reason --------------------------------------------------------

def test_deeply_nested_json(canary):
    deep = '{"class_name": "Functional", "config": ' + "[" * 100_000 + "]" * 100_000 + "}"
    canary.refused(lambda: model_from_json(deep), UnsafeFileError, match="nests 100001 levels deep")
    path = keras_file(canary)
    rewrite_archive(path, add={"config.json": deep.encode()})
    canary.refused(lambda: load_model(path), UnsafeFileError, match="nests")


def test_deeply_nested_yaml_and_alias_bomb(canary):
    canary.refused(lambda: model_from_yaml("a: " + "[" * 5000 + "]" * 5000), UnsafeFileError, match="nests more")
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
           "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nclass_name: Functional\nconfig: [*c, *c, *c, *c]\n"
    canary.refused(lambda: model_from_yaml(bomb), UnsafeFileError, match="aliases")


def test_yaml_python_tags(canary):
    # CVE-2021-37678: Keras' model_from_yaml used yaml.load; tags that build Python objects stay refused.
    text = f"!!python/object/apply:os.mkdir [{str(canary.path)!r}]"
    canary.refused(lambda: model_from_yaml(text), UnsafeFileError, match="YAML tag")


def test_wide_config_within_depth_but_nested_models(canary):
    # A model nested in a model ... 40 levels: refused by the depth limit, before any layer is built.
    config = json.loads(plain_model().to_json())
    for _ in range(40):
        config = {"class_name": "Sequential", "config": {"name": "s", "layers": [config]}}
    canary.refused(lambda: model_from_json(json.dumps(config)), UnsafeFileError, match="nests")


# ---- 7. zip archives -----------------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ["../../outside/evil.txt", "/tmp/evil.txt", "assets/../../evil.txt",
                                   "..\\evil.txt", "C:/evil.txt"])
def test_zip_slip_entries(canary, entry):
    path = keras_file(canary)
    rewrite_archive(path, add={entry: b"pwned"})
    canary.refused(lambda: load_model(path), UnsafeFileError, match="outside the archive|absolute path")


def test_unexpected_and_duplicate_entries(canary):
    path = keras_file(canary)
    rewrite_archive(path, add={"exploit.py": b"import os"})
    canary.refused(lambda: load_model(path), UnsafeFileError, match="unexpected entry 'exploit.py'")
    dup = keras_file(canary, name="dup.keras")
    with zipfile.ZipFile(dup, "a") as archive:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            archive.writestr("config.json", b"{}")
    canary.refused(lambda: load_model(dup), UnsafeFileError, match="twice")


def test_symlink_entry(canary):
    path = keras_file(canary)
    info = zipfile.ZipInfo("model.weights.npz")
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(info, "/etc/passwd")
    canary.refused(lambda: load_model(path), UnsafeFileError, match="symbolic link")


def test_zip_bomb_ratio(canary):
    path = keras_file(canary)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("model.weights.npz", b"\0" * (8 << 20))
    assert os.path.getsize(path) < 64 << 10
    canary.refused(lambda: load_model(path), UnsafeFileError, match="zip bomb")


def test_zip_entry_over_the_size_limit(canary, monkeypatch):
    path = keras_file(canary)
    monkeypatch.setitem(safety.LIMITS, "max_entry_bytes", 4096)
    canary.refused(lambda: load_model(path), UnsafeFileError, match="model.weights.h5.*more than the limit")


# ---- 8. the saving code itself -------------------------------------------------------------------------

def test_saving_code_has_no_code_execution_primitives():
    """No pickle, eval/exec, dynamic imports or unsafe YAML anywhere in fastkeras.saving; marshal only in the
    module that serves the caller's explicit safe_mode=False; numpy never loads with pickles allowed."""
    import ast

    import fastkeras.saving as package
    directory = os.path.dirname(package.__file__)
    forbidden_modules = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "importlib",
                         "runpy", "code", "pydoc"}
    checked = 0
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".py"):
            continue
        checked += 1
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            tree = ast.parse(f.read(), name)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for module in modules:
                    root = module.split(".")[0]
                    assert root not in forbidden_modules, f"{name} imports {module}"
                    assert root != "marshal" or name == "unsafe.py", f"{name} imports marshal"
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name):
                    assert func.id not in {"eval", "exec", "compile", "__import__"}, f"{name} calls {func.id}"
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    owner, attr = func.value.id, func.attr
                    assert not (owner == "yaml" and attr in {"load", "unsafe_load", "full_load", "load_all"}), \
                        f"{name} calls yaml.{attr}"
                    if owner in ("np", "numpy") and attr == "load":
                        keywords = {k.arg: k.value for k in node.keywords}
                        flag = keywords.get("allow_pickle")
                        assert isinstance(flag, ast.Constant) and flag.value is False, \
                            f"{name} calls np.load without allow_pickle=False"
                    assert not (owner == "marshal" and name != "unsafe.py")
    assert checked >= 10


# ---- 9. Keras 3 compile configs, dtype policies, optimizer state, assets and build configs ------------------

# Callables a function object, a registered name or a class path may name; EVIL_MODULE is importable and trips
# the canary when imported.
CALLABLE_TARGETS = [("os", "system"), ("subprocess", "Popen"), ("builtins", "eval"), ("posixpath", "join"),
                    ("importlib", "import_module"), ("numpy", "load"), ("torch", "load"), ("pickle", "loads"),
                    (EVIL_MODULE, "payload")]


def function_object(module, name):
    return {"module": module, "class_name": "function", "config": name, "registered_name": "function"}


def compiled_model():
    model = plain_model()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.train_on_batch(np.ones((2, 3), "float32"), np.ones((2, 2), "float32"))
    return model


def poison_compile(config, where, module, name):
    """Puts ``module.name`` where a Keras 3 compile_config (or a tf-keras training_config) names a callable."""
    fn = function_object(module, name)
    if where == "loss":
        config["loss"] = fn
    elif where in ("metrics", "weighted_metrics"):
        config[where] = [fn]
    elif where == "metric_fn":
        config["metrics"] = [{"module": "keras.metrics", "class_name": "MeanMetricWrapper",
                              "config": {"name": "m", "dtype": "float32", "fn": fn}, "registered_name": None}]
    elif where == "loss_fn":
        config["loss"] = {"module": "keras.losses", "class_name": "LossFunctionWrapper",
                          "config": {"name": "l", "reduction": "sum_over_batch_size", "fn": fn},
                          "registered_name": None}
    elif where == "reduction":
        config["loss"] = {"module": "keras.losses", "class_name": "MeanSquaredError",
                          "config": {"name": "l", "reduction": fn}, "registered_name": None}
    elif where == "registered_name":
        config["loss"] = {"module": module, "class_name": name, "config": {}, "registered_name": f"{module}>{name}"}
    elif where == "dotted_metric_fn":
        config["metrics"] = [{"module": "keras.metrics", "class_name": "MeanMetricWrapper",
                              "config": {"name": "m", "dtype": "float32", "fn": f"{module}.{name}"},
                              "registered_name": None}]
    elif where == "dotted_loss":
        config["loss"] = f"{module}.{name}"


COMPILE_SPOTS = ["loss", "metrics", "weighted_metrics", "metric_fn", "loss_fn", "reduction", "registered_name",
                 "dotted_metric_fn", "dotted_loss"]


@pytest.mark.parametrize("fmt", ["keras", "h5"])
@pytest.mark.parametrize("where", COMPILE_SPOTS)
@pytest.mark.parametrize("module,name", CALLABLE_TARGETS)
def test_callables_named_in_keras3_compile_configs(canary, fmt, where, module, name):
    # Keras 3 function objects, loss configs with their `fn` and `reduction`, registered names and dotted paths:
    # each resolves through fastkeras' tables and custom_objects only, on the .keras and the .h5 path.
    if fmt == "keras":
        path = keras_file(canary, compiled_model())
        rewrite_archive(path, lambda c: poison_compile(c["compile_config"], where, module, name))
    else:
        path = h5_file(canary, compiled_model())
        rewrite_h5_config(path, lambda c: poison_compile(c, where, module, name), attr="training_config")
    error = canary.refused(lambda: load_model(path), FileFormatError,
                           match="training config.*custom_objects.*compile=False")
    assert str(path) in str(error)


@pytest.mark.parametrize("module,name", [("os", "system"), ("subprocess", "Popen"), (EVIL_MODULE, "payload")])
def test_optimizer_classes_named_in_a_loss_scale_optimizer_or_schedule(canary, module, name):
    evil = {"module": module, "class_name": name, "config": {"args": ["mkdir", str(canary.path)]},
            "registered_name": f"{module}>{name}"}
    for i, poison in enumerate([
            lambda c: c["compile_config"].__setitem__("optimizer", {
                "module": "keras.optimizers", "class_name": "LossScaleOptimizer",
                "config": {"name": "lso", "inner_optimizer": evil}, "registered_name": None}),
            lambda c: c["compile_config"]["optimizer"]["config"].__setitem__("learning_rate", evil),
            lambda c: c["compile_config"]["optimizer"]["config"].__setitem__("learning_rate",
                                                                            function_object(module, name))]):
        path = keras_file(canary, compiled_model(), name=f"o{i}.keras")
        rewrite_archive(path, poison)
        canary.refused(lambda: load_model(path), FileFormatError, match="training config")
    # The same in a tf-keras .h5 file's training_config.
    for i, poison in enumerate([
            lambda c: c.__setitem__("optimizer_config", {"class_name": "LossScaleOptimizer",
                                                         "config": {"inner_optimizer": evil}}),
            lambda c: c["optimizer_config"]["config"].__setitem__("learning_rate", evil),
            lambda c: c["optimizer_config"]["config"].__setitem__("learning_rate", function_object(module, name))]):
        path = h5_file(canary, compiled_model(), name=f"o{i}.h5")
        rewrite_h5_config(path, poison, attr="training_config")
        canary.refused(lambda: load_model(path), FileFormatError, match="training config")


WEIRD_POLICIES = [
    {"module": "os", "class_name": "system", "config": {"name": "float32"}, "registered_name": "os>system"},
    {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "os.system"}, "registered_name": None},
    {"module": "keras", "class_name": "QuantizedDTypePolicy",
     "config": {"name": "int8_from_float32", "source_name": "float32"}, "registered_name": None},
    {"module": "keras", "class_name": "DTypePolicy", "config": {"name": function_object("os", "system")},
     "registered_name": None},
    function_object("builtins", "eval"),
]


@pytest.mark.parametrize("fmt", ["keras", "h5"])
@pytest.mark.parametrize("policy", range(len(WEIRD_POLICIES)))
def test_dtype_policy_naming_a_weird_class(canary, fmt, policy):
    path = keras_file(canary) if fmt == "keras" else h5_file(canary)

    def poison(config):
        find_layer(config, "Dense")["config"]["dtype"] = WEIRD_POLICIES[policy]
    rewrite_archive(path, poison) if fmt == "keras" else rewrite_h5_config(path, poison)
    canary.refused(lambda: load_model(path), FileFormatError, match="dtype|data type|name")


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_dtype_policy_module_is_never_imported(canary, fmt):
    # Only the class name counts: a DTypePolicy "from" a module with side effects is fastkeras' own.
    path = keras_file(canary) if fmt == "keras" else h5_file(canary)

    def poison(config):
        find_layer(config, "Dense")["config"]["dtype"] = {"module": EVIL_MODULE, "class_name": "DTypePolicy",
                                                          "config": {"name": "float32"}, "registered_name": None}
    rewrite_archive(path, poison) if fmt == "keras" else rewrite_h5_config(path, poison)
    assert load_model(path).get_layer("d").dtype == "float32"
    assert not canary.path.exists() and EVIL_MODULE not in sys.modules


def rewrite_archive_weights(path, edit):
    """Edits the model.weights.h5 of a .keras archive with ``edit(h5py.File)``."""
    with zipfile.ZipFile(path) as archive:
        weights = archive.read("model.weights.h5")
    buffer = io.BytesIO(weights)
    with h5py.File(buffer, "a") as f:
        edit(f)
    rewrite_archive(path, add={"model.weights.h5": buffer.getvalue()})


def test_optimizer_variables_with_absurd_shapes_and_counts(canary):
    path = keras_file(canary, compiled_model())

    def huge(f):
        del f["optimizer/vars/2"]
        f.create_dataset("optimizer/vars/2", (2 ** 20, 2 ** 20), "float32", chunks=(64, 64))
    rewrite_archive_weights(path, huge)
    canary.refused(lambda: load_model(path), UnsafeFileError, match="refused before allocating")

    many = keras_file(canary, compiled_model(), name="many.keras")

    def count(f):
        for i in range(len(f["optimizer/vars"]), 2000):
            f.create_dataset(f"optimizer/vars/{i}", data=np.zeros(()))
    rewrite_archive_weights(many, count)
    with pytest.warns(UserWarning, match="does not fit the optimizer"):  # unusual, not harmful: a fresh optimizer
        load_model(many)
    assert not canary.path.exists()


@pytest.mark.parametrize("counter,scale", [(np.float32("inf"), np.float32(2.0)), (np.float32("nan"), np.float32(2.0)),
                                           (np.int64(2 ** 62), np.float32(2.0)), (np.int32(3), np.float32("inf")),
                                           (np.int32(3), np.float32(-1.0))])
def test_loss_scale_optimizer_state_with_non_finite_scalars(canary, counter, scale):
    # int() of these raised OverflowError, ValueError or RuntimeError, without the file's name.
    from fastkeras import mixed_precision, optimizers
    model = plain_model()
    model.compile(optimizer=mixed_precision.LossScaleOptimizer(optimizers.Adam()), loss="mse")
    model.train_on_batch(np.ones((2, 3), "float32"), np.ones((2, 2), "float32"))
    path = keras_file(canary, model)

    def edit(f):
        for i, value in ((2, counter), (3, scale)):
            del f[f"optimizer/vars/{i}"]
            f.create_dataset(f"optimizer/vars/{i}", data=value)
    rewrite_archive_weights(path, edit)
    error = canary.refused(lambda: load_model(path), FileFormatError, match="step_counter.*dynamic_scale")
    assert str(path) in str(error)


class AssetLayer(L.Layer):
    """A layer with Keras 3's asset hooks, as a user's custom_objects would pass it."""

    def save_assets(self, directory):
        with open(os.path.join(directory, "vocab.txt"), "w") as f:
            f.write("a\nb\n")

    def load_assets(self, directory):
        with open(os.path.join(directory, "vocab.txt")) as f:
            self.vocab = f.read().split()

    def call(self, x):
        return x


def asset_model_file(canary, name="assets.keras"):
    x = L.Input((3,), name="x")
    path = canary.target / name
    Model(x, AssetLayer(name="vocab")(x), name="victim").save(path)
    return path


@pytest.mark.parametrize("entries", [
    {"assets/layers/asset_layer/vocab.txt/x": b"1"},                     # a name both a file and a directory
    {"assets/layers/asset_layer/x/y": b"1", "assets/layers/asset_layer/x": b"2"},
    {"assets/layers/asset_layer/" + "a" * 300: b"1"},                    # longer than a file name may be
    {"assets/layers/asset_layer/" + "d/" * 2000 + "f": b"1"},            # makedirs and rmtree recurse per level
])
def test_asset_names_the_file_system_refuses(canary, entries):
    # Raised OSError (FileExistsError, IsADirectoryError, 'File name too long') or RecursionError, unnamed.
    path = asset_model_file(canary)
    rewrite_archive(path, add=entries)
    error = canary.refused(lambda: load_model(path, custom_objects={"AssetLayer": AssetLayer}), SavingError,
                           match="asset")
    assert str(path) in str(error)


@pytest.mark.parametrize("entry", ["assets/../../outside/x", "/assets/x", "assets/layers/asset_layer/../../../x",
                                   "assets\\..\\..\\x"])
def test_asset_path_traversal(canary, entry):
    path = asset_model_file(canary)
    rewrite_archive(path, add={entry: b"pwned"})
    canary.refused(lambda: load_model(path, custom_objects={"AssetLayer": AssetLayer}), UnsafeFileError,
                   match="outside the archive|absolute path")


def test_asset_symlink(canary):
    path = asset_model_file(canary)
    info = zipfile.ZipInfo("assets/layers/asset_layer/link")
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(info, str(canary.path))
    canary.refused(lambda: load_model(path, custom_objects={"AssetLayer": AssetLayer}), UnsafeFileError,
                   match="symbolic link")


def test_assets_no_layer_loads_are_never_read(canary):
    # Every assets/ entry was decompressed into memory on opening, whichever layer (if any) loaded it: 12,000
    # entries of 1 MiB of zeros (13 MB on disk) took 12 GiB. Now an entry is read only into its layer's
    # temporary directory; a corrupt entry nobody asks for stays unread.
    path = asset_model_file(canary)
    rewrite_archive(path, add={"assets/elsewhere/data.bin": b"x" * 1000})
    data = bytearray(path.read_bytes())
    at = data.index(b"x" * 1000)
    data[at:at + 1000] = b"y" * 1000  # the CRC no longer matches
    path.write_bytes(bytes(data))
    model = load_model(path, custom_objects={"AssetLayer": AssetLayer})
    assert model.get_layer("vocab").vocab == ["a", "b"]


def test_many_small_entries_bomb(canary, monkeypatch):
    # Entries up to 1 MiB are spared the per-entry ratio check; the archive as a whole is not.
    monkeypatch.setitem(safety.LIMITS, "max_compression_ratio", 100)
    path = keras_file(canary)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for i in range(8):
            archive.writestr(f"assets/x/{i}", b"\0" * (512 << 10))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="entries expand .* zip bomb")


class SubclassedVictim(Model):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = L.Dense(units)

    def call(self, x):
        return self.dense(x)

    def get_config(self):
        return {"units": self.units, "name": self.name}


@pytest.mark.parametrize("shape,match", [
    ([None, 10 ** 5], "more than the file can fill"),  # weights beyond the file's: the allocation budget
    ([None, 10 ** 12], "stand-in inputs of .* refused before allocating"),
    ({"a": [None, 10 ** 12]}, "stand-in inputs"),
    ([None, -3], "non-negative integers"),
])
def test_gigantic_build_config_of_a_subclassed_model(canary, shape, match):
    # build_from_config ran outside the allocation budget: (None, 10**12) allocated until memory ran out.
    model = SubclassedVictim(name="victim")
    model(np.ones((1, 3), "float32"))
    path = keras_file(canary, model)
    rewrite_archive(path, lambda c: c.__setitem__("build_config", {"input_shape": shape}))
    error = canary.refused(lambda: load_model(path, custom_objects={"SubclassedVictim": SubclassedVictim}),
                           SavingError, match=match)
    assert str(path) in str(error)


def test_gigantic_build_config_of_a_sequential_without_input(canary):
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "build_config": {"input_shape": [None, 10 ** 12]},
              "config": {"name": "s", "layers": [{"module": "keras.layers", "class_name": "Dense",
                                                  "config": {"name": "d", "units": 1000}, "registered_name": None,
                                                  "build_config": {"input_shape": [None, 10 ** 12]}}]}}
    path = keras_file(canary)
    rewrite_archive(path, lambda c: (c.clear(), c.update(config)))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="more than the file can fill")


def test_random_fourier_features_laplacian_refused_before_drawing(canary):
    # The Cauchy samples of a "laplacian" kernel were drawn when the layer built its initializer, before
    # add_weight's size check: output_dim 10**11 asked numpy for 2.4 TB.
    x = L.Input((3,), name="x")
    layer = L.experimental.RandomFourierFeatures(4, kernel_initializer="laplacian", name="rff")
    path = keras_file(canary, Model(x, layer(x), name="victim"))
    rewrite_archive(path, lambda c: find_layer(c, "RandomFourierFeatures")["config"].update(output_dim=10 ** 11))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="'unscaled_kernel'.*more than the file can fill")


@pytest.mark.parametrize("window", ["os.system", function_object("os", "system"),
                                    ["general_gaussian", 1e300, 1e300]])
def test_stft_window_naming_a_callable(canary, window):
    x = L.Input((64, 1), name="x")
    path = keras_file(canary, Model(x, L.STFTSpectrogram(frame_length=16, frame_step=8, name="s")(x)))
    rewrite_archive(path, lambda c: find_layer(c, "STFTSpectrogram")["config"].update(window=window))
    canary.refused(lambda: load_model(path), FileFormatError)


def test_stft_frame_length_beyond_the_weights(canary):
    x = L.Input((64, 1), name="x")
    path = keras_file(canary, Model(x, L.STFTSpectrogram(frame_length=16, frame_step=8, name="s")(x)))
    rewrite_archive(path, lambda c: find_layer(c, "STFTSpectrogram")["config"].update(frame_length=10 ** 9,
                                                                                      fft_length=10 ** 9))
    canary.refused(lambda: load_model(path), UnsafeFileError, match="more than the file can fill")


def test_shared_object_id_cycle(canary):
    def poison(config):
        dense = find_layer(config, "Dense")
        dense["shared_object_id"] = 1
        dense["config"]["kernel_initializer"] = {"module": "keras.initializers", "class_name": "GlorotUniform",
                                                 "config": {"seed": None}, "shared_object_id": 1}
        dense["config"]["kernel_regularizer"] = {"class_name": "__shared_object__", "config": {"shared_object_id": 1}}
    path = keras_file(canary)
    rewrite_archive(path, poison)
    canary.refused(lambda: load_model(path), FileFormatError)


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_nested_compile_configs(canary, fmt):
    # Loss specs nested 45 dicts deep and LossScaleOptimizers wrapping each other: bounded by the depth limit or
    # refused as a config, never a RecursionError.
    loss = "mse"
    for _ in range(45):
        loss = {"a": [loss]}
    if fmt == "keras":
        path = keras_file(canary, compiled_model())
        rewrite_archive(path, lambda c: c["compile_config"].__setitem__("loss", loss))
    else:
        path = h5_file(canary, compiled_model())
        rewrite_h5_config(path, lambda c: c.__setitem__("loss", loss), attr="training_config")
    canary.refused(lambda: load_model(path), SavingError)
    optimizer = {"module": "keras.optimizers", "class_name": "SGD", "config": {"name": "sgd"}, "registered_name": None}
    for _ in range(30):
        optimizer = {"module": "keras.optimizers", "class_name": "LossScaleOptimizer",
                     "config": {"name": "l", "inner_optimizer": optimizer}, "registered_name": None}
    path = keras_file(canary, compiled_model(), name="lso.keras")
    rewrite_archive(path, lambda c: c["compile_config"].__setitem__("optimizer", optimizer))
    canary.refused(lambda: load_model(path), SavingError)


@pytest.mark.parametrize("fmt", ["keras", "h5"])
@pytest.mark.parametrize("dtype", ["S1000000", "U1000000", "V1000000", "object", "complex128", "M8[s]"])
def test_constant_initializer_array_of_a_non_numeric_dtype(canary, fmt, dtype):
    # tf-keras' {'class_name': '__numpy__', 'config': {'value', 'dtype'}} went to np.asarray with the file's
    # dtype: 'S2000000000' took 2 GB per element of a tiny list (6 GB for three).
    init = {"module": "keras.initializers", "class_name": "Constant", "registered_name": None,
            "config": {"value": {"class_name": "__numpy__", "config": {"value": ["a"] * 3, "dtype": dtype}}}}
    path = keras_file(canary) if fmt == "keras" else h5_file(canary)

    def poison(config):
        find_layer(config, "Dense")["config"]["kernel_initializer"] = init
    rewrite_archive(path, poison) if fmt == "keras" else rewrite_h5_config(path, poison)
    canary.refused(lambda: load_model(path), FileFormatError, match=f"Constant initializer.*dtype '{re_escape(dtype)}'")
    from fastkeras.saving import deserialize_keras_object
    with pytest.raises(ValueError, match="dtype"):
        deserialize_keras_object(init["config"]["value"])


def re_escape(text):
    import re
    return re.escape(text)


@pytest.mark.parametrize("fmt", ["keras", "h5"])
@pytest.mark.parametrize("optimizer,key,value", [("rmsprop", "momentum", [1e300] * 3),
                                                 ("rmsprop", "momentum", function_object("os", "system")),
                                                 ("adagrad", "initial_accumulator_value", [1.0]),
                                                 ("adagrad", "initial_accumulator_value", {"a": 1})])
def test_optimizer_config_values_of_the_wrong_kind(canary, fmt, optimizer, key, value):
    # compile() takes them as they are; building the optimizer's slots to restore its state raised TypeError.
    model = plain_model()
    model.compile(optimizer=optimizer, loss="mse")
    model.train_on_batch(np.ones((2, 3), "float32"), np.ones((2, 2), "float32"))
    if fmt == "keras":
        path = keras_file(canary, model)
        rewrite_archive(path, lambda c: c["compile_config"]["optimizer"]["config"].__setitem__(key, value))
    else:
        path = h5_file(canary, model)
        rewrite_h5_config(path, lambda c: c["optimizer_config"]["config"].__setitem__(key, value),
                          attr="training_config")
    error = canary.refused(lambda: load_model(path), FileFormatError, match="optimizer.*compile=False")
    assert str(path) in str(error)


@pytest.mark.parametrize("fmt", ["keras", "h5", "json"])
def test_input_shape_sizing_real_stand_ins(canary, fmt):
    # An op whose output shape depends on values (nonzero) is inferred on real tensors of ones; their size came
    # from the file's InputLayer shape, (83, 10**10) here, and no weight budget covered them.
    from fastkeras import ops
    x = L.Input((4,), name="x")
    model = Model(x, ops.numpy.nonzero(x)[0], name="victim")

    def poison(config):
        entry = find_layer(config, "InputLayer")["config"]
        entry["batch_shape" if "batch_shape" in entry else "batch_input_shape"] = [None, 10 ** 10]
    match = "stand-in inputs .* of shapes .* refused before allocating"
    if fmt == "json":
        config = json.loads(model.to_json())
        poison(config)
        canary.refused(lambda: model_from_json(json.dumps(config)), UnsafeFileError, match=match)
        return
    path = keras_file(canary, model) if fmt == "keras" else h5_file(canary, model)
    rewrite_archive(path, poison) if fmt == "keras" else rewrite_h5_config(path, poison)
    error = canary.refused(lambda: load_model(path), UnsafeFileError, match=match)
    assert str(path) in str(error)


@pytest.mark.parametrize("fmt", ["keras", "h5"])
@pytest.mark.parametrize("case", ["stateful_rnn", "normalization"])
def test_arrays_sized_by_the_input_shape_beside_the_weights(canary, fmt, case):
    # A stateful RNN's states (its fixed batch size times units) and Normalization's given mean and variance
    # (broadcast to the input's kept axes) are not weights, so the file's weights did not bound them: a batch size
    # of 3 * 10**8 in the InputLayer made a 9 GB LSTM state from a 4 kB file.
    if case == "stateful_rnn":
        x = L.Input(batch_shape=(2, 5, 3), name="x")
        model = Model(x, L.LSTM(4, stateful=True, name="rnn")(x), name="victim")
        shape, match = [10 ** 12, 5, 3], 'layer "rnn" needs states of shapes'
    else:
        x = L.Input((4,), name="x")
        model = Model(x, L.Normalization(mean=0.0, variance=1.0, name="norm")(x), name="victim")
        shape, match = [None, 10 ** 12], 'layer "norm" needs its mean and variance'

    def poison(config):
        entry = find_layer(config, "InputLayer")["config"]
        entry["batch_shape" if "batch_shape" in entry else "batch_input_shape"] = shape
    path = keras_file(canary, model) if fmt == "keras" else h5_file(canary, model)
    rewrite_archive(path, poison) if fmt == "keras" else rewrite_h5_config(path, poison)
    error = canary.refused(lambda: load_model(path), UnsafeFileError, match=f"{match}.*refused before allocating")
    assert str(path) in str(error)
