"""Keras 2's HDF5Matrix: an HDF5 dataset used as a training array, read a batch at a time (the behaviour Keras
2.3.1's io_utils_test.py checks, plus reading shuffled batches)."""
import h5py
import numpy as np
import pytest

import fastkeras as keras
from fastkeras.utils import HDF5Matrix
from fastkeras.utils.io_utils import HDF5Matrix as HDF5MatrixFromIoUtils


@pytest.fixture
def h5_path(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as f:
        f["x"] = rng.normal(size=(200, 10)).astype("float32")
        f["y"] = rng.integers(0, 2, size=(200, 1)).astype("int32")
    yield str(path)
    for f in HDF5Matrix.refs.values():  # let the temporary directory go
        f.close()
    HDF5Matrix.refs.clear()


def _arrays(path):
    with h5py.File(path, "r") as f:
        return f["x"][:], f["y"][:]


def test_it_behaves_like_the_rows_it_covers(h5_path):
    x, y = _arrays(h5_path)
    assert HDF5MatrixFromIoUtils is HDF5Matrix
    part = HDF5Matrix(h5_path, "x", start=50, end=150)
    assert len(part) == 100 and part.shape == (100, 10) and part.ndim == 2 and part.size == 1000
    assert part.dtype == np.float32 and HDF5Matrix(h5_path, "y").dtype == np.int32
    np.testing.assert_array_equal(part[0], x[50])
    np.testing.assert_array_equal(part[10:20], x[60:70])
    np.testing.assert_array_equal(part[:], x[50:150])
    np.testing.assert_array_equal(np.asarray(part), x[50:150])
    # Unsorted and repeated indices (a shuffled batch) come back in the order asked for.
    np.testing.assert_array_equal(part[[7, 2, 7, 0]], x[50:150][[7, 2, 7, 0]])
    np.testing.assert_array_equal(part[np.array([3, 1])], x[50:150][[3, 1]])
    for bad in (100, slice(100, 101), [99, 100], np.array([100]), range(100, 101)):
        with pytest.raises(IndexError):
            part[bad]
    with pytest.raises(TypeError):
        part[None]


def test_the_normalizer_applies_to_what_is_read_and_to_shape_and_dtype(h5_path):
    x, _ = _arrays(h5_path)
    shifted = HDF5Matrix(h5_path, "x", end=150, normalizer=lambda rows: rows + 1)
    np.testing.assert_allclose(shifted[3], x[3] + 1)
    assert HDF5Matrix(h5_path, "x", normalizer=lambda rows: rows[:, ::2]).shape == (200, 5)
    assert HDF5Matrix(h5_path, "x", normalizer=lambda rows: rows.astype(np.uint8)).dtype == np.uint8


def test_bad_arguments_name_the_file_and_dataset(h5_path):
    with pytest.raises(KeyError, match='no dataset "nope"'):
        HDF5Matrix(h5_path, "nope")
    with pytest.raises(ValueError, match="start=0, end=500"):
        HDF5Matrix(h5_path, "x", end=500)


def _model():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("shuffle", [False, "batch", True])
def test_training_on_hdf5_matrices_matches_training_on_the_arrays(h5_path, shuffle):
    x, y = _arrays(h5_path)
    from_arrays = _model()
    np.random.seed(5)
    want = from_arrays.fit(x[:150], y[:150], batch_size=32, epochs=2, shuffle=shuffle, verbose=0).history
    from_file = _model()
    np.random.seed(5)
    got = from_file.fit(HDF5Matrix(h5_path, "x", end=150), HDF5Matrix(h5_path, "y", end=150), batch_size=32,
                        epochs=2, shuffle=shuffle, verbose=0).history
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-6)
    x_test, y_test = HDF5Matrix(h5_path, "x", start=150), HDF5Matrix(h5_path, "y", start=150)
    np.testing.assert_allclose(from_file.predict(x_test, batch_size=32, verbose=0),
                               from_arrays.predict(x[150:], batch_size=32, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(from_file.evaluate(x_test, y_test, batch_size=32, verbose=0),
                               from_arrays.evaluate(x[150:], y[150:], batch_size=32, verbose=0), rtol=1e-6)


def test_fit_reads_one_batch_at_a_time(h5_path):
    sizes = []

    def record(rows):
        sizes.append(len(rows))
        return rows

    data = HDF5Matrix(h5_path, "x", normalizer=record)
    _model().fit(data, HDF5Matrix(h5_path, "y"), batch_size=32, epochs=1, verbose=0)
    # One row to learn the normalized shape and dtype, then the batches: the dataset is never read whole.
    assert max(sizes) == 32 and sum(s for s in sizes if s > 1) == 200
