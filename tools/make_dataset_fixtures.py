"""Writes tests/fixtures/datasets/: a tiny Keras cache in Keras' own file formats, and what tf-keras 2.21 loads from it.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_dataset_fixtures.py

* ``keras_home/datasets/``: small files with the names and formats Keras downloads (mnist.npz, the four
  fashion-mnist IDX .gz files, cifar-10-batches-py.tar.gz and cifar-100-python.tar.gz holding protocol-2
  pickles with byte-string keys as in the originals, imdb.npz / reuters.npz with object arrays of int lists,
  the two word-index JSON files, boston_housing.npz). Pixel values follow simple formulas so the archives
  stay small.
* ``expected.json``: tf-keras' ``load_data(...)`` results (arrays of more than 256 values as dtype, shape and
  the sha256 of their C-ordered bytes) on a copy of that cache for several argument sets
  (tf-keras checks Keras' published hashes, which these small files cannot match, so the script replaces
  ``validate_file`` with one that accepts them), the sha256 of every file, and, for cifar10 (whose tf-keras
  loader preallocates 50,000 images), tf-keras' ``load_batch`` of each batch file.
"""
import gzip
import hashlib
import io
import json
import os
import pickle
import shutil
import struct
import tarfile
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras  # noqa: E402,F401
from tf_keras.src.datasets import (  # noqa: E402
    boston_housing, cifar, cifar100, fashion_mnist, imdb, mnist, reuters,
)
from tf_keras.src.utils import data_utils  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "datasets")
HOME = os.path.join(OUT, "keras_home")
DATASETS = os.path.join(HOME, "datasets")


def images(n, shape, offset):
    """Deterministic, compressible uint8 images."""
    idx = np.indices((n,) + shape).sum(axis=0)
    return ((idx * 7 + offset) % 256).astype(np.uint8)


def write_mnist():
    rng = np.random.RandomState(0)
    np.savez_compressed(os.path.join(DATASETS, "mnist.npz"),
                        x_train=images(8, (28, 28), 1), y_train=rng.randint(0, 10, 8).astype(np.uint8),
                        x_test=images(4, (28, 28), 2), y_test=rng.randint(0, 10, 4).astype(np.uint8))


def gz(path, payload):
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(payload)


def write_fashion():
    folder = os.path.join(DATASETS, "fashion-mnist")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.RandomState(1)
    for prefix, n, offset in (("train", 6, 3), ("t10k", 3, 4)):
        labels = rng.randint(0, 10, n).astype(np.uint8)
        gz(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), struct.pack(">II", 2049, n) + labels.tobytes())
        gz(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"),
           struct.pack(">IIII", 2051, n, 28, 28) + images(n, (28, 28), offset).tobytes())


def tar_folder(name, files):
    """``<name>.tar.gz`` holding folder ``name/`` with ``files`` ({file: bytes}), as Keras' get_file stores it."""
    with open(os.path.join(DATASETS, name + ".tar.gz"), "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped, tarfile.open(fileobj=zipped, mode="w") as tar:
        for fname, payload in sorted(files.items()):
            info = tarfile.TarInfo(f"{name}/{fname}")
            info.size = len(payload)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(payload))


def batch_pickle(d):
    return pickle.dumps({k.encode(): v for k, v in d.items()}, protocol=2)


def write_cifar():
    rng = np.random.RandomState(2)
    files = {}
    for i in range(1, 6):
        files[f"data_batch_{i}"] = batch_pickle({
            "batch_label": f"training batch {i} of 5".encode(), "labels": rng.randint(0, 10, 2).tolist(),
            "data": images(2, (3072,), 10 * i), "filenames": [b"a.png", b"b.png"]})
    files["test_batch"] = batch_pickle({"batch_label": b"testing batch 1 of 1", "labels": rng.randint(0, 10, 3).tolist(),
                                        "data": images(3, (3072,), 99), "filenames": [b"c.png"] * 3})
    files["batches.meta"] = batch_pickle({"label_names": [b"airplane"], "num_cases_per_batch": 2})
    tar_folder("cifar-10-batches-py", files)
    files = {}
    for split, n, offset in (("train", 6, 5), ("test", 4, 6)):
        files[split] = batch_pickle({
            "batch_label": split.encode(), "fine_labels": rng.randint(0, 100, n).tolist(),
            "coarse_labels": rng.randint(0, 20, n).tolist(), "data": images(n, (3072,), offset),
            "filenames": [b"x.png"] * n})
    files["meta"] = batch_pickle({"fine_label_names": [b"apple"], "coarse_label_names": [b"fruit"]})
    tar_folder("cifar-100-python", files)


def word_lists(rng, n, vocab, max_len):
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = rng.randint(1, vocab, rng.randint(1, max_len)).tolist()
    return out


def write_word_datasets():
    rng = np.random.RandomState(3)
    np.savez(os.path.join(DATASETS, "imdb.npz"),
             x_train=word_lists(rng, 12, 40, 25), y_train=rng.randint(0, 2, 12),
             x_test=word_lists(rng, 10, 40, 25), y_test=rng.randint(0, 2, 10))
    np.savez(os.path.join(DATASETS, "reuters.npz"), x=word_lists(rng, 20, 30, 20), y=rng.randint(0, 46, 20))
    for name in ("imdb", "reuters"):
        with open(os.path.join(DATASETS, f"{name}_word_index.json"), "w") as f:
            json.dump({"the": 1, "and": 2, "film" if name == "imdb" else "said": 3}, f)
    np.savez(os.path.join(DATASETS, "boston_housing.npz"), x=rng.rand(30, 13) * 10, y=rng.rand(30) * 50)


def encode(value):
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"object_lists": [list(map(int, v)) for v in value], "shape": list(value.shape)}
        if value.size > 256:  # images: the sha256 of the C-ordered bytes keeps the fixture small but exact
            return {"sha256": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(),
                    "dtype": str(value.dtype), "shape": list(value.shape)}
        return {"array": value.tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    return value


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(DATASETS)
    write_mnist()
    write_fashion()
    write_cifar()
    write_word_datasets()

    hashes = {os.path.relpath(os.path.join(root, f), DATASETS): sha256(os.path.join(root, f))
              for root, _, files in os.walk(DATASETS) for f in files}
    data_utils.validate_file = lambda *args, **kwargs: True  # accept the small files in place of Keras' own

    expected = {"sha256": hashes, "cases": []}
    with tempfile.TemporaryDirectory() as tmp:
        home = os.path.join(tmp, "home")
        shutil.copytree(HOME, home)

        def case(module, loader, kwargs):
            expected["cases"].append({"module": module, "kwargs": kwargs,
                                      "result": encode(loader(cache_dir=home, **kwargs))})

        case("mnist", mnist.load_data, {})
        case("fashion_mnist", fashion_mnist.load_data, {})
        for kwargs in ({}, {"label_mode": "coarse"}):
            case("cifar100", cifar100.load_data, kwargs)
        for kwargs in ({}, {"num_words": 20, "skip_top": 2}, {"maxlen": 10, "seed": 7},
                       {"start_char": None, "oov_char": None, "index_from": 1, "num_words": 15},
                       {"start_char": 5, "oov_char": 9, "index_from": 10, "skip_top": 14}):
            case("imdb", imdb.load_data, kwargs)
        for kwargs in ({}, {"num_words": 15, "test_split": 0.3}, {"maxlen": 8, "seed": 1, "oov_char": None,
                                                                   "skip_top": 5}):
            case("reuters", reuters.load_data, kwargs)
        for kwargs in ({}, {"test_split": 0.5, "seed": 1}, {"test_split": 0.0}):
            case("boston_housing", boston_housing.load_data, kwargs)
        cifar_folder = data_utils.get_file("cifar-10-batches-py", origin="https://www.cs.toronto.edu/~kriz/"
                                           "cifar-10-python.tar.gz", untar=True, file_hash="0" * 64, cache_dir=home)
        expected["cifar10_batches"] = {
            name: encode(cifar.load_batch(os.path.join(cifar_folder, name)))
            for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]}
        expected["reuters_label_names"] = list(reuters.get_label_names())
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT}: {total} bytes")


if __name__ == "__main__":
    main()
