"""Models and weights saved to and loaded from objects (binary file objects, h5py files and groups), Keras 2's
``load_weights(reshape=True)``, and the question ``overwrite=False`` asks before replacing a file."""
import io
from unittest import mock

import h5py
import numpy as np
import pytest

import fastkeras as keras
from fastkeras.layers import Conv2D, Dense, Flatten, Lambda
from fastkeras.models import Sequential, load_model, save_model
from fastkeras.saving.errors import FileFormatError, UnsafeFileError


X = np.random.default_rng(0).random((4, 3)).astype("float32")


def small_model():
    model = Sequential([Dense(4, input_shape=(3,), activation="relu"), Dense(2)])
    model.compile("adam", "mse")
    model.train_on_batch(X, np.ones((4, 2)))  # optimizer state to carry
    return model


def assert_same_predictions(a, b):
    np.testing.assert_allclose(a.predict(X, verbose=0), b.predict(X, verbose=0), rtol=1e-6)


def test_save_into_a_bytes_buffer_writes_hdf5_and_loads_back():
    model = small_model()
    buffer = io.BytesIO()
    save_model(model, buffer)
    assert buffer.getvalue().startswith(b"\x89HDF\r\n\x1a\n")  # Keras 2 wrote the HDF5 file into the stream
    buffer.seek(0)
    restored = load_model(buffer)
    assert_same_predictions(model, restored)
    assert restored.optimizer.iterations.numpy() == 1


def test_save_format_keras_writes_the_archive_into_the_stream():
    model = small_model()
    buffer = io.BytesIO()
    model.save(buffer, save_format="keras")
    assert buffer.getvalue().startswith(b"PK")
    restored = load_model(io.BytesIO(buffer.getvalue()))
    assert_same_predictions(model, restored)


def test_open_binary_files_in_both_directions(tmp_path):
    model = small_model()
    path = tmp_path / "model.bin"
    with open(path, "wb") as f:
        save_model(model, f)
    with open(path, "rb") as f:
        restored = load_model(f)
    assert_same_predictions(model, restored)


def test_h5py_group_holds_a_model(tmp_path):
    model = small_model()
    with h5py.File(tmp_path / "many.h5", "w") as f:
        save_model(model, f.create_group("first"))
        save_model(model, f.create_group("second"), include_optimizer=False)
    with h5py.File(tmp_path / "many.h5", "r") as f:
        restored = load_model(f["first"])
        assert sorted(f) == ["first", "second"]
    assert_same_predictions(model, restored)


def test_stream_errors_name_the_problem():
    with pytest.raises(TypeError, match="binary mode"):
        load_model(io.StringIO("not bytes"))
    with pytest.raises(FileFormatError, match="empty"):
        load_model(io.BytesIO())
    with pytest.raises(FileFormatError, match="neither a .keras"):
        load_model(io.BytesIO(b"hello, world"))
    with pytest.raises(TypeError, match="binary mode"):
        save_model(small_model(), io.StringIO())
    with pytest.raises(TypeError, match="filepath should be a path"):
        load_model(12)


def test_a_stream_gets_the_same_safety_checks_as_a_path():
    model = Sequential([Lambda(lambda t: t * 2, input_shape=(3,))])
    buffer = io.BytesIO()
    save_model(model, buffer)
    with pytest.raises(UnsafeFileError, match="Python bytecode"):
        load_model(io.BytesIO(buffer.getvalue()))
    restored = load_model(io.BytesIO(buffer.getvalue()), safe_mode=False)
    np.testing.assert_allclose(restored.predict(X, verbose=0), 2 * X, rtol=1e-6)


def test_weights_into_a_stream_and_an_h5py_group(tmp_path):
    model = small_model()
    buffer = io.BytesIO()
    model.save_weights(buffer)
    other = small_model()
    other.load_weights(io.BytesIO(buffer.getvalue()))
    assert_same_predictions(model, other)

    archive = io.BytesIO()
    model.save(archive, save_format="keras")
    fourth = small_model()
    fourth.load_weights(io.BytesIO(archive.getvalue()))  # a whole .keras archive gives its weights too
    assert_same_predictions(model, fourth)

    third = small_model()
    with h5py.File(tmp_path / "w.h5", "w") as f:
        model.save_weights(f.create_group("weights"))
    with h5py.File(tmp_path / "w.h5", "r") as f:
        third.load_weights(f["weights"])
    assert_same_predictions(model, third)


def test_load_weights_reshape_fits_arrays_of_the_same_size(tmp_path):
    dense = Sequential([Conv2D(2, (1, 1), input_shape=(1, 1, 1), name="a"), Flatten(), Dense(3, name="b")])
    dense.save_weights(tmp_path / "w.h5")
    conv = Sequential([Conv2D(2, (1, 1), input_shape=(1, 1, 1), name="a"), Conv2D(3, (1, 1), name="b")])
    before = conv.get_weights()
    with pytest.raises(ValueError, match=r"has shape \(1, 1, 2, 3\), but the saved weight .* has shape \(2, 3\)"):
        conv.load_weights(tmp_path / "w.h5")
    for w, b in zip(conv.get_weights(), before):
        np.testing.assert_array_equal(w, b)  # nothing assigned
    for by_name in (False, True):
        conv.load_weights(tmp_path / "w.h5", by_name=by_name, reshape=True)
        x = np.random.default_rng(1).random((5, 1, 1, 1)).astype("float32")
        np.testing.assert_allclose(conv.predict(x, verbose=0).reshape(5, 3), dense.predict(x, verbose=0),
                                   rtol=1e-5)
    smaller = Sequential([Conv2D(2, (1, 1), input_shape=(1, 1, 1), name="a"), Conv2D(4, (1, 1), name="b")])
    with pytest.raises(ValueError, match="Shape mismatch"):  # sizes differ: reshape cannot help
        smaller.load_weights(tmp_path / "w.h5", reshape=True)


@pytest.mark.parametrize("where", ["fastkeras.engine.saving.ask_to_proceed_with_overwrite",
                                   "fastkeras.utils.io_utils.ask_to_proceed_with_overwrite"])
@pytest.mark.parametrize("suffix", [".h5", ".keras", ".weights.h5"])
def test_overwrite_false_asks_before_replacing(tmp_path, where, suffix):
    path = tmp_path / f"m{suffix}"
    first, second = small_model(), small_model()

    def save(model):
        if suffix == ".weights.h5":
            model.save_weights(path, overwrite=False)
        else:
            model.save(path, overwrite=False)

    save(first)  # nothing there yet: no question
    original = path.read_bytes()
    with mock.patch(where) as ask:
        ask.return_value = False
        save(second)
        ask.assert_called_once_with(str(path))
        assert path.read_bytes() == original  # declined: the file stays as it was
        ask.return_value = True
        save(second)
        assert ask.call_count == 2
    assert path.read_bytes() != original
    if suffix == ".weights.h5":
        restored = small_model()
        restored.load_weights(path)
    else:
        restored = load_model(path)
    assert_same_predictions(second, restored)


def test_overwrite_false_without_an_answer_keeps_the_file(tmp_path):
    path = tmp_path / "m.h5"
    small_model().save(path)
    original = path.read_bytes()
    with mock.patch("builtins.input", side_effect=EOFError):
        with pytest.raises(FileExistsError, match="overwrite=False"):
            small_model().save(path, overwrite=False)
    assert path.read_bytes() == original
    with mock.patch("builtins.input", side_effect=["maybe", "y"]):
        keras.models.save_model(small_model(), path, overwrite=False)
    assert path.read_bytes() != original
