"""Writes tests/fixtures/keras3_datasets/: a tiny Keras cache holding ``california_housing.npz`` (Keras 3's file
name and keys ``x``/``y``; 700 made-up rows, so that ``version='small'`` really cuts to 600) and what Keras 3.15.1's
``keras.datasets.california_housing.load_data`` returns from it. Read by tests/datasets/test_keras3_datasets.py.

Rerun from the repository root (the backend does not matter; the loader is NumPy only):

    KERAS_BACKEND=numpy /work/k3venv/bin/python tools/make_keras3_dataset_fixtures.py

Keras checks its published hash, which this small file cannot match, so the script replaces ``validate_file``
with one that accepts it. ``expected.json`` holds ``sha256`` (of the cache file) and ``cases``: each ``kwargs``
and the result, arrays as ``dtype``, ``shape`` and the sha256 of their C-ordered bytes (plus ``first_row`` of
``x_train`` and ``y_train``'s first values, readable in a failure).
"""
import hashlib
import json
import os
import shutil
import tempfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras3_datasets")
DATASETS = os.path.join(OUT, "keras_home", "datasets")


def encode(value):
    import numpy as np
    if isinstance(value, np.ndarray):
        return {"sha256": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(),
                "dtype": str(value.dtype), "shape": list(value.shape)}
    return [encode(v) for v in value]


def write_cache():
    import numpy as np
    rng = np.random.RandomState(0)
    x = np.round(rng.rand(700, 8) * 100, 3).astype("float32")
    y = np.round(rng.rand(700) * 500000).astype("float32")
    np.savez(os.path.join(DATASETS, "california_housing.npz"), x=x, y=y)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(DATASETS)
    write_cache()
    with open(os.path.join(DATASETS, "california_housing.npz"), "rb") as f:
        file_sha = hashlib.sha256(f.read()).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(os.path.join(OUT, "keras_home"), os.path.join(tmp, "home"))
        os.environ["KERAS_HOME"] = os.path.join(tmp, "home")  # Keras 3 reads it when first imported
        import keras
        from keras.src.utils import file_utils
        file_utils.validate_file = lambda *args, **kwargs: True
        cases = []
        for kwargs in ({}, {"version": "small"}, {"version": "small", "test_split": 0.5, "seed": 1},
                       {"test_split": 0.0, "seed": 7}):
            (x_train, y_train), (x_test, y_test) = keras.datasets.california_housing.load_data(**kwargs)
            cases.append({"kwargs": kwargs, "result": encode([[x_train, y_train], [x_test, y_test]]),
                          "first_row": x_train[0].tolist(), "first_targets": y_train[:5].tolist()})
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "sha256": file_sha, "cases": cases}, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
