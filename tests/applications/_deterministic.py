"""The deterministic weights and inputs that tools/make_applications_fixtures2.py, 3 and 4 gave tf-keras'
models, repeated here so that the tests give fastkeras' models the same (no weight file is stored).

The three scripts write one formula; two special cases were added as models needed them (a Normalization
layer's ``count``, a depthwise kernel not named so: ``(kh, kw, 1, channels)``) and neither meets a weight of the
other scripts' models."""
import numpy as np


def det_weight(i, name, shape, dtype):
    """The deterministic value of weight number ``i`` (in ``model.weights`` order)."""
    n = int(np.prod(shape)) if shape else 1
    u = np.sin(np.arange(n, dtype=np.float64) * 12.9898 + 78.233 * (i + 1)) * 43758.5453
    t = 2.0 * (u - np.floor(u)) - 1.0
    if "count" in name:
        return np.full(shape, 10, dtype)
    if "variance" in name:
        v = 0.6 + 0.4 * t * t
    elif "gamma" in name:
        v = 0.9 + 0.2 * t
    elif "kernel" in name and len(shape) >= 2:
        if "depthwise" in name or (len(shape) == 4 and shape[2] == 1):
            v = t * np.sqrt(3.0 / int(np.prod(shape[:2])))
        else:
            v = t * np.sqrt(6.0 / int(np.prod(shape[:-1])))
    else:
        v = 0.1 * t
    return v.reshape(shape).astype(dtype)


def det_input(shape, kind="pixels"):
    """A smooth input: pixels in [0, 255], or values in [-1, 1] for any other ``kind``."""
    n = int(np.prod(shape))
    t = np.sin(np.arange(n, dtype=np.float64) * 0.0137).reshape(shape)
    return (127.5 + 127.5 * t if kind == "pixels" else t).astype("float32")


def set_det_weights(model):
    model.set_weights([det_weight(i, w.name, tuple(w.shape), np.dtype(str(w.dtype).replace("torch.", "")))
                       for i, w in enumerate(model.weights)])
