"""Global configuration shared by every engine: float type, fuzz factor,
image data format and the engine's name.

Read once from ``~/.fastkeras/fastkeras.json`` (the same keys as Keras'
``keras.json``) and from the environment variable ``FASTKERAS_BACKEND``.
"""
import json
import os

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_BACKEND = "torch"

_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")
_DATA_FORMATS = ("channels_first", "channels_last")


def _config_path():
    base = os.environ.get("FASTKERAS_HOME") or os.path.join(os.path.expanduser("~"), ".fastkeras")
    return os.path.join(base, "fastkeras.json")


def _load_config_file():
    global _FLOATX, _EPSILON, _IMAGE_DATA_FORMAT, _BACKEND
    path = _config_path()
    if not os.path.exists(path):
        return
    try:
        with open(path) as f:
            cfg = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"Cannot read the fastkeras configuration file {path}: {e}") from None
    if not isinstance(cfg, dict):
        raise ValueError(f"The fastkeras configuration file {path} must hold a JSON object, got {type(cfg).__name__}.")
    if "floatx" in cfg:
        set_floatx(cfg["floatx"])
    if "epsilon" in cfg:
        set_epsilon(cfg["epsilon"])
    if "image_data_format" in cfg:
        set_image_data_format(cfg["image_data_format"])
    if "backend" in cfg:
        _BACKEND = str(cfg["backend"])


def floatx():
    """The default float type, as a string ('float32' unless changed)."""
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value not in _FLOAT_TYPES:
        raise ValueError(f"Unknown floatx type {value!r}: expected one of {', '.join(_FLOAT_TYPES)}.")
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions (1e-7 unless changed)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """'channels_last' (default) or 'channels_first'."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in _DATA_FORMATS:
        raise ValueError(f"Unknown data_format {data_format!r}: expected 'channels_last' or 'channels_first'.")
    _IMAGE_DATA_FORMAT = str(data_format)


# Keras 1's names for the data formats, which Keras 2.0-2.2 still read through image_dim_ordering().
_DIM_ORDERINGS = {"th": "channels_first", "tf": "channels_last"}


def image_dim_ordering():
    """Keras 1's ``image_data_format()``: 'th' (channels first) or 'tf' (channels last); Keras 2.0-2.2 kept it."""
    return "th" if _IMAGE_DATA_FORMAT == "channels_first" else "tf"


def set_image_dim_ordering(dim_ordering):
    """Keras 1's ``set_image_data_format``: 'th' sets channels_first, 'tf' channels_last (Keras 2.0-2.2 kept it;
    old programs start with ``K.set_image_dim_ordering('th')``)."""
    if dim_ordering not in _DIM_ORDERINGS:
        raise ValueError(f"Unknown dim_ordering {dim_ordering!r}: expected 'th' (channels_first) or 'tf' "
                         "(channels_last).")
    set_image_data_format(_DIM_ORDERINGS[dim_ordering])


def normalize_data_format(value):
    if value is None:
        return image_data_format()
    data_format = str(value).lower()
    if data_format not in _DATA_FORMATS:
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', 'channels_last'. Received: {value!r}")
    return data_format


def backend():
    """The name of the engine in use, e.g. 'torch'."""
    return _BACKEND


_load_config_file()
_BACKEND = os.environ.get("FASTKERAS_BACKEND", _BACKEND)
