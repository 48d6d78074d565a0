"""Reading one batch file of the CIFAR "python version" archives (shared by cifar10 and cifar100)."""
import numpy as np

from fastkeras.datasets._safe_files import load_pickle


def load_batch(fpath, label_key="labels"):
    """``(data, labels)`` of a CIFAR batch: uint8 ``(n, 3, 32, 32)`` images and a list of ints.

    The file is a Python 2 pickle of a dict with byte-string keys; it is read
    with the restricted unpickler (see ``_safe_files``), never plain ``pickle``.
    """
    d = load_pickle(fpath, encoding="bytes")
    if not isinstance(d, dict):
        raise ValueError(f"{fpath} is not a CIFAR batch: it holds a {type(d).__name__}, not a dict.")
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    for key in ("data", label_key):
        if key not in d:
            raise ValueError(f"{fpath} is not a CIFAR batch with {label_key!r}: it lacks the key {key!r} "
                             f"(found {sorted(d)}).")
    data = np.asarray(d["data"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{fpath}: 'data' should be uint8 rows of 3072 pixels, found {data.dtype} {data.shape}.")
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]
