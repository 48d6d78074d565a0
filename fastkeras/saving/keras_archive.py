"""Whole models in the ``.keras`` zip archive of Keras 3 (also written by tf-keras 2.13+).

Entries: ``metadata.json`` (``keras_version``, ``date_saved``), ``config.json``
(the model's serialized config with ``compile_config``) and
``model.weights.h5`` (the object-path weights layout, ``object_weights``, with
the optimizer under ``optimizer/`` in Keras 3's layout, ``keras3_optimizer_state``).
fastkeras writes the config in Keras 3's dialect (``keras3_config``) so Keras 3
loads the file, and reads both dialects: Keras 3's (metadata version 3.x) and
tf-keras' (2.x).

Files a layer writes with ``save_assets(directory)`` go under
``assets/<its object path>/``, as Keras 3 stores them; a layer with
``load_assets(directory)`` gets them back in a temporary directory.

Reading never extracts the archive: the directory is checked first
(``zip_checks``: no ``..`` or absolute names, no links, bounded sizes, only the
three entries above, ``assets/`` files, or ``model.weights.npz``, which is
refused when it holds pickles), then each entry is read into memory within its
size limit. Assets are not: a layer's own are copied, entry by entry, into a
temporary directory for its load_assets(), and no other is ever decompressed.
"""
import datetime
import io
import json
import os
import tempfile
import zipfile

from fastkeras.saving import h5_checks, keras3_config, keras3_optimizer_state, object_weights, safety, training_config
from fastkeras.saving.atomic import atomic_write, confirm_overwrite
from fastkeras.saving.errors import FileFormatError, UnsafeFileError, in_file
from fastkeras.saving.model_building import build_model
from fastkeras.saving.zip_checks import check_zip_entries

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS_H5 = "model.weights.h5"
WEIGHTS_NPZ = "model.weights.npz"
# Files a layer writes with save_assets() (a vocabulary ...), under its object path, as Keras 3 stores them.
ASSETS = "assets/"
# Directories an asset's path may nest (real assets sit one or two levels below their layer's path).
_MAX_ASSET_DEPTH = 64
# The Keras 3 release whose format fastkeras writes (and checks against in tools/make_saving_fixtures.py).
KERAS3_FORMAT_VERSION = "3.15.1"


# ---------------------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------------------

def _config_json(model, include_optimizer):
    from fastkeras.saving.model_config import _json_default, _model_document, keras3_node_format, serialize_layer
    _model_document(model)  # refuses subclassed models without get_config, with its clear message
    with keras3_node_format():
        config = serialize_layer(model)
    custom_compile = include_optimizer and _overrides(model, "get_compile_config")
    if include_optimizer and not custom_compile:
        compile_config = training_config.keras_compile_config(model)
        if compile_config is not None:
            config["compile_config"] = keras3_config.compile_config_to_keras3(compile_config)
    config = json.loads(json.dumps(config, default=_json_default))
    config = keras3_config.to_keras3(config)
    if custom_compile:
        # A model's own get_compile_config() (keras.io's customizing-saving guide): stored serialized, as Keras
        # 3 stores it, for its compile_from_config() to read back.
        from fastkeras.saving.serialization_lib import serialize_keras_object
        compile_config = model.get_compile_config()
        if compile_config is not None:
            config["compile_config"] = json.loads(json.dumps(serialize_keras_object(compile_config),
                                                             default=_json_default))
    return json.dumps(config)


def _overrides(model, method):
    from fastkeras.engine.training import Model
    return getattr(type(model), method) is not getattr(Model, method)


def _weights_bytes(model, include_optimizer):
    h5py = h5_checks.h5py_module()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        object_weights.write(f, model, keras3_optimizer_state.groups(getattr(model, "optimizer", None))
                             if include_optimizer else None)
    return buffer.getvalue()


def _assets_entries(model):
    """[(archive name, bytes)] of the files that the layers defining save_assets() write into a directory."""
    from fastkeras.saving.object_weights import layer_paths
    entries = []
    for path, layer in layer_paths(model):
        if not callable(getattr(layer, "save_assets", None)):
            continue
        with tempfile.TemporaryDirectory() as directory:
            layer.save_assets(directory)
            for root, _, files in os.walk(directory):
                for name in sorted(files):
                    full = os.path.join(root, name)
                    relative = os.path.relpath(full, directory).replace(os.sep, "/")
                    with open(full, "rb") as fh:
                        entries.append((f"{ASSETS}{path}/{relative}" if path else f"{ASSETS}{relative}", fh.read()))
    return entries


def _write_assets(archive, infos, prefix, directory, label):
    """Copies the entries ``infos`` (names under ``prefix``) into ``directory``, one at a time within the entry
    size limit. The names were checked with the archive's directory (no '..', no absolute paths, no links); what
    the file system still refuses (a name both a file and a directory, names too long or too deep) is the
    file's fault and named as such."""
    limit = safety.LIMITS["max_entry_bytes"]
    for info in infos:
        relative = [part for part in info.filename[len(prefix):].split("/") if part not in ("", ".")]
        if not relative:
            continue
        if len(relative) > _MAX_ASSET_DEPTH:
            # os.makedirs and the temporary directory's cleanup recurse once per level.
            raise in_file(UnsafeFileError, label, f"the asset {info.filename[:200]!r}... nests {len(relative)} "
                          f"directories deep, more than the limit of {_MAX_ASSET_DEPTH}; refused.")
        try:
            target = os.path.join(directory, *relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(info) as member, open(target, "wb") as fh:
                copied = 0
                while True:
                    chunk = member.read(2 ** 20)
                    if not chunk:
                        break
                    copied += len(chunk)
                    if copied > limit:
                        raise in_file(UnsafeFileError, label, f"the archive entry {info.filename!r} decompresses "
                                      "beyond its limit; refused.")
                    fh.write(chunk)
        except (OSError, RecursionError, ValueError, EOFError, zipfile.BadZipFile) as e:
            if isinstance(e, (FileFormatError, UnsafeFileError)):
                raise
            raise in_file(FileFormatError, label, f"cannot unpack the asset {info.filename!r} into a temporary "
                          f"directory ({type(e).__name__}: {e}).") from None


def _load_assets(model, filepath, assets, label):
    """Hands each layer defining load_assets() a directory holding the files stored under its path (``assets``:
    {name: ZipInfo} of the archive at ``filepath``, read only for the layers that load them)."""
    from fastkeras.saving.object_weights import layer_paths
    for path, layer in layer_paths(model):
        if not callable(getattr(layer, "load_assets", None)):
            continue
        prefix = f"{ASSETS}{path}/" if path else ASSETS
        mine = [info for name, info in assets.items()
                if name.startswith(prefix) and not (path == "" and "/" in name[len(prefix):])]
        with tempfile.TemporaryDirectory() as directory:
            if mine:
                with open(filepath, "rb") as fh, zipfile.ZipFile(fh) as archive:
                    _write_assets(archive, mine, prefix, directory, label)
            try:
                layer.load_assets(directory)
            except Exception as e:  # noqa: BLE001 - the layer's own code: say which file and what failed
                raise in_file(FileFormatError, label, f"layer \"{layer.name}\" could not load its assets from "
                              f"{prefix!r} (its load_assets raised {type(e).__name__}: {e}).") from e


def _entries(model, include_optimizer):
    """[(entry name, bytes)] of the archive, all gathered (and checked) before any file is touched."""
    from fastkeras import __version__
    config = _config_json(model, include_optimizer)
    weights = _weights_bytes(model, include_optimizer)
    assets = _assets_entries(model)
    metadata = json.dumps({"keras_version": KERAS3_FORMAT_VERSION, "fastkeras_version": __version__,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    return [(METADATA, metadata), (CONFIG, config), (WEIGHTS_H5, weights)] + list(assets)


def _write_entries(f, entries):
    with zipfile.ZipFile(f, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)


def save(model, filepath, overwrite=True, include_optimizer=True):
    filepath = os.fspath(filepath)
    entries = _entries(model, include_optimizer)
    overwrite = confirm_overwrite(filepath, overwrite)
    if overwrite is None:
        return  # the user declined to replace the existing file
    with atomic_write(filepath, overwrite) as f:
        _write_entries(f, entries)


def archive_bytes(model, include_optimizer=True):
    """The whole ``.keras`` archive as bytes (``save_model`` into a binary file object)."""
    buffer = io.BytesIO()
    _write_entries(buffer, _entries(model, include_optimizer))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------------------

def _read_entry(archive, info, label, limit):
    if info.file_size > limit:
        raise in_file(UnsafeFileError, label, f"the archive entry {info.filename!r} is {info.file_size} bytes, more "
                      f"than the limit of {limit}; refused.")
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as e:
        raise in_file(FileFormatError, label, f"cannot read the archive entry {info.filename!r} (corrupt or "
                      f"truncated?): {e}") from None
    if len(data) > limit:
        raise in_file(UnsafeFileError, label, f"the archive entry {info.filename!r} decompresses beyond its limit; "
                      "refused.")
    return data


class _Archive:
    """The checked entries of a ``.keras`` file, read into memory."""

    def __init__(self, filepath, label=None):
        self.path = os.fspath(filepath)
        self.label = label or self.path
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"No file or directory found at {self.label!r}.")
        if os.path.isdir(self.path):
            raise IsADirectoryError(f"{self.label!r} is a directory; a .keras model is a zip file (TensorFlow "
                                    "SavedModel directories are not supported).")
        try:
            with open(self.path, "rb") as fh, zipfile.ZipFile(fh) as archive:
                infos = check_zip_entries(archive, self.label, allowed={CONFIG, METADATA, WEIGHTS_H5, WEIGHTS_NPZ},
                                          allowed_prefixes=(ASSETS,))
                by_name = {info.filename: info for info in infos}
                if CONFIG not in by_name:
                    raise in_file(FileFormatError, self.label, f"the archive has no {CONFIG}, so it is not a .keras "
                                  f"model (entries: {sorted(by_name)}).")
                config_limit = safety.LIMITS["max_config_bytes"]
                self.config_bytes = _read_entry(archive, by_name[CONFIG], self.label, config_limit)
                self.metadata_bytes = _read_entry(archive, by_name[METADATA], self.label, config_limit) \
                    if METADATA in by_name else None
                entry_limit = safety.LIMITS["max_entry_bytes"]
                self.npz_bytes = _read_entry(archive, by_name[WEIGHTS_NPZ], self.label, entry_limit) \
                    if WEIGHTS_NPZ in by_name else None
                self.weights_bytes = _read_entry(archive, by_name[WEIGHTS_H5], self.label, entry_limit) \
                    if WEIGHTS_H5 in by_name else None
                # Assets stay in the archive until a layer's load_assets() asks for them: read here, every
                # entry of a file (say 12,000 small entries of 1 MiB each, ~1000:1 compressed) would be held in
                # memory at once, whether or not any layer loads assets.
                self.assets = {name: info for name, info in by_name.items() if name.startswith(ASSETS)}
        except zipfile.BadZipFile as e:
            raise in_file(FileFormatError, self.label, f"not a valid .keras (zip) file: {e}") from None
        except (OSError, EOFError, ValueError) as e:
            if isinstance(e, (FileFormatError, UnsafeFileError)):
                raise
            raise in_file(FileFormatError, self.label, f"cannot read the .keras (zip) file: {e}") from None

    def weights_file(self):
        """The checked ``model.weights.h5`` as an open h5py file."""
        where = f"{self.label}:{WEIGHTS_H5}"
        if self.weights_bytes is None:
            if self.npz_bytes is not None:
                safety.load_numpy(self.npz_bytes, f"{self.label}:{WEIGHTS_NPZ}")
                raise in_file(FileFormatError, self.label, f"weights stored as {WEIGHTS_NPZ} are not supported; "
                              f"fastkeras reads {WEIGHTS_H5}.")
            raise in_file(FileFormatError, self.label, f"the archive has no {WEIGHTS_H5}.")
        return h5_checks.open_checked(io.BytesIO(self.weights_bytes), where)

    def config(self):
        config = safety.load_json(self.config_bytes, self.label, CONFIG)
        if not isinstance(config, dict):
            raise in_file(FileFormatError, self.label, f"{CONFIG} should hold a JSON object, got "
                          f"{type(config).__name__}.")
        safety.scan_config(config, self.label)
        if self._is_keras3(config):
            try:
                config = keras3_config.from_keras3(config)
            except (ValueError, TypeError, KeyError, IndexError) as e:
                raise in_file(FileFormatError, self.label, f"cannot read the Keras 3 model config: {e}") from None
        return config

    def _is_keras3(self, config):
        version = None
        if self.metadata_bytes is not None:
            metadata = safety.load_json(self.metadata_bytes, self.label, METADATA)
            version = metadata.get("keras_version") if isinstance(metadata, dict) else None
        if isinstance(version, str) and version[:1].isdigit():
            return not version.startswith(("1.", "2."))
        return not str(config.get("module", "")).startswith("tf_keras")


def load(filepath, custom_objects=None, compile=True, label=None):
    """A model from a ``.keras`` file; ``label`` names it in messages when ``filepath`` is a temporary copy."""
    from fastkeras import backend as K
    archive = _Archive(filepath, label)
    label = archive.label
    config = archive.config()
    compile_config = config.pop("compile_config", None)
    with archive.weights_file() as f:
        with h5_checks.reading(label):
            stored = sum(h5_checks.stored_elements(f[key]) for key in ("layers", "vars") if key in f)
        model = build_model(config, custom_objects, label, stored_elements=stored,
                            build_config=config.get("build_config"))
        assignments = object_weights.read_assignments(f, model, label)
        optimizer_groups = object_weights.read_optimizer_groups(f, label) if compile and compile_config else None
    K.batch_set_value(assignments)
    if archive.assets:
        _load_assets(model, archive.path, archive.assets, label)
    if compile and compile_config:
        if _overrides(model, "compile_from_config"):
            from fastkeras.saving.serialization import CustomObjectScope
            try:
                with CustomObjectScope(custom_objects or {}):
                    model.compile_from_config(compile_config)
            except Exception as e:  # noqa: BLE001 - the model's own code: say which file and what failed
                raise in_file(FileFormatError, label, f"model \"{model.name}\" could not compile from the file's "
                              f"compile_config (its compile_from_config raised {type(e).__name__}: {e}). Load with "
                              "`compile=False` to skip it.") from e
        else:
            training_config.compile_from_config(model, compile_config, custom_objects, label, keras_format=True)
        if optimizer_groups and getattr(model, "optimizer", None) is not None:
            with training_config.restoring_optimizer_state(label):
                keras3_optimizer_state.restore(model, optimizer_groups, label)
    return model


def read_weight_assignments(filepath, model, skip_mismatch=False):
    """[(variable, array)] for ``model.load_weights('m.keras')``."""
    archive = _Archive(filepath)
    with archive.weights_file() as f:
        return object_weights.read_assignments(f, model, archive.label, skip_mismatch)
