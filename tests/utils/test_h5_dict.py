"""Keras 2.3's ``H5Dict`` and binary HDF5 helpers in ``keras.utils.io_utils``."""
import io
import pathlib

import h5py
import numpy as np
import pytest

from fastkeras.utils.io_utils import H5Dict, load_from_binary_h5py, save_to_binary_h5py


def write_and_read(target):
    array = np.arange(24.0).reshape(2, 3, 4)
    f = H5Dict(target, mode="w")
    f["text"] = "abcd"
    f["names"] = [b"efg", b"hij"]
    f["group"]["inner"]["array"] = array
    f.close()
    f = H5Dict(target, mode="r")
    assert f["text"] == "abcd"
    assert f["names"] == [b"efg", b"hij"]
    assert "group" in f and "inner" in f["group"]
    np.testing.assert_array_equal(f["group"]["inner"]["array"], array)
    with pytest.raises(ValueError, match="read-only"):
        f["missing"]
    f.close()


@pytest.mark.parametrize("kind", ["str", "pathlib", "dict"])
def test_h5dict_over_a_file_or_a_dict(tmp_path, kind):
    target = {"str": str(tmp_path / "d.h5"), "pathlib": pathlib.Path(tmp_path / "d.h5"), "dict": {}}[kind]
    write_and_read(target)
    if kind != "dict":
        with h5py.File(target, "r") as f:  # a plain HDF5 file: attributes and datasets
            assert f.attrs["text"] == "abcd"
            assert f["group/inner/array"].shape == (2, 3, 4)


def test_h5dict_refuses_other_targets():
    with pytest.raises(TypeError, match="file path, an h5py.Group or a dict"):
        H5Dict(42)


def test_binary_h5py_round_trip_through_a_stream(tmp_path):
    data = np.random.default_rng(0).random((3, 5))

    def save(f):
        f["data"] = data
        f["sub/more"] = 2 * data
        f["data"].attrs["note"] = 1

    stream = io.BytesIO()
    save_to_binary_h5py(save, stream)
    assert stream.getvalue().startswith(b"\x89HDF")
    (tmp_path / "x.h5").write_bytes(stream.getvalue())
    with h5py.File(tmp_path / "x.h5", "r") as f:  # the stream holds a whole HDF5 file
        np.testing.assert_array_equal(f["sub/more"][:], 2 * data)
    stream.seek(0)
    got = load_from_binary_h5py(lambda f: (f["data"][:], f["data"].attrs["note"]), stream)
    np.testing.assert_array_equal(got[0], data)
    assert got[1] == 1
