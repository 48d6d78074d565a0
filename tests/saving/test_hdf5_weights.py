"""Weights in Keras 2's HDF5 layout: the file written, loading (topological and by name), errors, atomicity."""
import os

import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras.layers import Concatenate, Dense, Input, Layer
from fastkeras.models import Model, Sequential, model_from_json
from fastkeras.saving import hdf5_weights

h5py = pytest.importorskip("h5py")

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")


def randomize(model, seed=0):
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(-1, 1, w.shape).astype("float32") for w in model.get_weights()])


def snapshot(obj):
    """Copies of the weights (``get_weights`` arrays may share memory with the live weights)."""
    return [np.array(w, copy=True) for w in obj.get_weights()]


def names(attr):
    return [n.decode("utf8") if hasattr(n, "decode") else str(n) for n in attr]


def same_weights(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def functional_with_nested(prefix=""):
    inner_in = Input((3,), name=prefix + "inner_in")
    inner = Model(inner_in, Dense(2, name=prefix + "inner_d")(Dense(3, name=prefix + "inner_c")(inner_in)),
                  name=prefix + "inner")
    x = Input((4,), name=prefix + "x")
    h = Dense(3, name=prefix + "h")(x)
    out = Concatenate(name=prefix + "cat")([inner(h), Dense(2, name=prefix + "side")(x)])
    return Model(x, out, name=prefix + "model")


def sequential():
    return Sequential([Dense(4, input_shape=(3,), name="a"), Dense(2, name="b")], name="seq")


class WithState(Layer):
    """A non-trainable weight created before the trainable one: files hold trainable weights first."""

    def build(self, input_shape):
        self.state = self.add_weight("state", (2,), initializer="ones", trainable=False)
        self.w = self.add_weight("w", (input_shape[-1], 2))
        self.built = True

    def call(self, inputs):
        return K.dot(inputs, self.w) + self.state

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (2,)


# ---- the file written -----------------------------------------------------------------------------------

def test_layout_matches_keras_2(tmp_path):
    model = functional_with_nested()
    path = tmp_path / "w.h5"
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert names(f.attrs["layer_names"]) == [layer.name for layer in model.layers]
        assert names([f.attrs["backend"]]) == ["torch"]
        assert names([f.attrs["keras_version"]]) == ["2.21.0"]
        assert names(f["h"].attrs["weight_names"]) == ["h/kernel:0", "h/bias:0"]
        assert f["h/h/kernel:0"].shape == (4, 3)
        assert len(f["x"].attrs["weight_names"]) == 0 and len(f["cat"].attrs["weight_names"]) == 0
        # A nested model is one group holding all of its weights.
        assert names(f["inner"].attrs["weight_names"]) == [
            "inner_c/kernel:0", "inner_c/bias:0", "inner_d/kernel:0", "inner_d/bias:0"]
        np.testing.assert_array_equal(f["inner/inner_d/kernel:0"][()], K.to_numpy(
            model.get_layer("inner").get_layer("inner_d").kernel))
        assert "top_level_model_weights" in f
        assert sorted(f.keys()) == sorted([layer.name for layer in model.layers] + ["top_level_model_weights"])


def test_trainable_weights_come_first(tmp_path):
    x = Input((3,), name="x")
    model = Model(x, WithState(name="ws")(x))
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5", "r") as f:
        assert names(f["ws"].attrs["weight_names"]) == ["ws/w:0", "ws/state:0"]
    x2 = Input((3,), name="x")
    clone = Model(x2, WithState(name="ws")(x2))
    randomize(model, 3)
    model.save_weights(tmp_path / "w.h5")
    clone.load_weights(tmp_path / "w.h5")
    assert same_weights(clone.get_weights(), model.get_weights())


# ---- round trips -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [functional_with_nested, sequential])
def test_round_trip(tmp_path, make):
    model = make()
    randomize(model, 1)
    path = str(tmp_path / "weights.h5")
    model.save_weights(path)
    clone = make()
    assert not same_weights(clone.get_weights(), model.get_weights())
    clone.load_weights(path)
    assert same_weights(clone.get_weights(), model.get_weights())
    x = np.random.RandomState(0).rand(2, model.inputs[0].shape[-1]).astype("float32")
    np.testing.assert_allclose(K.to_numpy(clone(x)), K.to_numpy(model(x)), rtol=1e-6)


def test_topological_loading_ignores_layer_names(tmp_path):
    model = functional_with_nested()
    randomize(model, 2)
    model.save_weights(tmp_path / "w.h5")
    renamed = functional_with_nested(prefix="other_")
    renamed.load_weights(tmp_path / "w.h5")
    assert same_weights(renamed.get_weights(), model.get_weights())


def test_overwrite_true_replaces(tmp_path):
    model = sequential()
    path = tmp_path / "w.h5"
    model.save_weights(path)
    randomize(model, 4)
    model.save_weights(path)
    clone = sequential()
    clone.load_weights(path)
    assert same_weights(clone.get_weights(), model.get_weights())


# ---- by name -------------------------------------------------------------------------------------------------

def test_by_name_loads_matching_layers_only(tmp_path):
    source = sequential()
    randomize(source, 5)
    source.save_weights(tmp_path / "w.h5")
    x = Input((3,), name="in")
    target = Model(x, Dense(7, name="new")(Dense(4, name="a")(x)))
    before_new = snapshot(target.get_layer("new"))
    target.load_weights(tmp_path / "w.h5", by_name=True)
    assert same_weights(target.get_layer("a").get_weights(), source.get_layer("a").get_weights())
    assert same_weights(target.get_layer("new").get_weights(), before_new)


def test_by_name_mismatch_raises_and_changes_nothing(tmp_path):
    source = sequential()
    randomize(source, 6)
    source.save_weights(tmp_path / "w.h5")
    target = Sequential([Dense(4, input_shape=(3,), name="a"), Dense(5, name="b")])
    before = snapshot(target)
    with pytest.raises(ValueError) as e:
        target.load_weights(tmp_path / "w.h5", by_name=True)
    message = str(e.value)
    assert "b/kernel:0" in message and "(4, 5)" in message and "(4, 2)" in message and "w.h5" in message
    assert same_weights(target.get_weights(), before)


def test_by_name_skip_mismatch(tmp_path):
    source = sequential()
    randomize(source, 7)
    source.save_weights(tmp_path / "w.h5")
    target = Sequential([Dense(4, input_shape=(3,), name="a"), Dense(5, name="b")])
    b_before = snapshot(target.get_layer("b"))
    with pytest.warns(UserWarning, match="Skipping"):
        target.load_weights(tmp_path / "w.h5", by_name=True, skip_mismatch=True)
    assert same_weights(target.get_layer("a").get_weights(), source.get_layer("a").get_weights())
    # The kernel's shape differs; the bias (shape (5,) vs (2,)) too: layer b keeps its weights.
    assert same_weights(target.get_layer("b").get_weights(), b_before)


def test_by_name_skip_mismatch_on_weight_count(tmp_path):
    source = sequential()
    source.save_weights(tmp_path / "w.h5")
    target = Sequential([Dense(4, input_shape=(3,), name="a", use_bias=False)])
    before = snapshot(target)
    with pytest.raises(ValueError, match="Weight count mismatch.*\"a\""):
        target.load_weights(tmp_path / "w.h5", by_name=True)
    with pytest.warns(UserWarning, match="Weight count mismatch"):
        target.load_weights(tmp_path / "w.h5", by_name=True, skip_mismatch=True)
    assert same_weights(target.get_weights(), before)


def test_skip_mismatch_needs_by_name(tmp_path):
    model = sequential()
    model.save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="by_name"):
        model.load_weights(tmp_path / "w.h5", skip_mismatch=True)


# ---- errors leave the model unchanged ---------------------------------------------------------------------------

def test_layer_count_mismatch(tmp_path):
    sequential().save_weights(tmp_path / "w.h5")
    target = Sequential([Dense(4, input_shape=(3,)), Dense(2), Dense(1)])
    before = snapshot(target)
    with pytest.raises(ValueError, match="Layer count mismatch.*2 layers into model.*3 layers with weights"):
        target.load_weights(tmp_path / "w.h5")
    assert same_weights(target.get_weights(), before)


def test_weight_count_mismatch(tmp_path):
    sequential().save_weights(tmp_path / "w.h5")
    target = Sequential([Dense(4, input_shape=(3,), name="p"), Dense(2, use_bias=False, name="q")])
    before = snapshot(target)
    with pytest.raises(ValueError, match=r"Weight count mismatch for layer #1 \(named \"q\".*\"b\" in the file"):
        target.load_weights(tmp_path / "w.h5")
    assert same_weights(target.get_weights(), before)


def test_shape_mismatch_names_everything_and_changes_nothing(tmp_path):
    path = tmp_path / "w.h5"
    sequential().save_weights(path)
    # The first layer matches, the second does not: the first must not be assigned either.
    target = Sequential([Dense(4, input_shape=(3,), name="a"), Dense(3, name="b")])
    before = snapshot(target)
    with pytest.raises(ValueError) as e:
        target.load_weights(path)
    message = str(e.value)
    for part in ('"b"', "b/kernel:0", "(4, 3)", "(4, 2)", str(path)):
        assert part in message
    assert same_weights(target.get_weights(), before)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        sequential().load_weights(tmp_path / "nope.h5")


def test_not_an_hdf5_file(tmp_path):
    path = tmp_path / "weights.h5"
    path.write_text("definitely not hdf5")
    with pytest.raises(ValueError, match="weights.h5.*not an HDF5 file"):
        sequential().load_weights(path)


def test_hdf5_file_that_is_not_a_weights_file(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.zeros(3))
    with pytest.raises(ValueError, match="other.h5.*not a Keras weights file"):
        sequential().load_weights(path)


def test_unbuilt_model(tmp_path):
    sequential().save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="before it is built"):
        Sequential([Dense(2)]).load_weights(tmp_path / "w.h5")


def test_overwrite_false(tmp_path):
    path = tmp_path / "w.h5"
    path.write_bytes(b"old contents")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        sequential().save_weights(path, overwrite=False)
    assert path.read_bytes() == b"old contents"
    sequential().save_weights(tmp_path / "fresh.h5", overwrite=False)
    assert (tmp_path / "fresh.h5").exists()


class TwinWeights(Layer):
    def build(self, input_shape):
        self.a = self.add_weight("w", (1,))
        self.b = self.add_weight("w", (1,))
        self.built = True


def test_duplicate_weight_names_are_refused_before_writing(tmp_path):
    x = Input((1,), name="x")
    model = Model(x, TwinWeights(name="twin")(x))
    with pytest.raises(ValueError, match="twin.*'twin/w:0'"):
        model.save_weights(tmp_path / "w.h5")
    assert os.listdir(tmp_path) == []


def test_unsupported_save_format(tmp_path):
    with pytest.raises(ValueError, match="save_format"):
        sequential().save_weights(tmp_path / "w", save_format="tf")
    assert not (tmp_path / "w").exists()


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        sequential().save_weights(tmp_path / "no" / "such" / "w.h5")


# ---- atomic saving -------------------------------------------------------------------------------------------------

def test_failed_save_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "w.h5"
    model = sequential()
    randomize(model, 8)
    model.save_weights(path)
    saved = snapshot(model)

    real_write = hdf5_weights._write_weights

    def write_half_then_fail(f, layers, groups):
        real_write(f, layers, groups)
        f.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr(hdf5_weights, "_write_weights", write_half_then_fail)
    randomize(model, 9)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save_weights(path)
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["w.h5"]  # no temporary file left behind
    clone = sequential()
    clone.load_weights(path)
    assert same_weights(clone.get_weights(), saved)


def test_failed_rename_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "w.h5"
    model = sequential()
    model.save_weights(path)
    old = path.read_bytes()

    def failing_replace(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(hdf5_weights.os, "replace", failing_replace)
    with pytest.raises(OSError, match="rename failed"):
        model.save_weights(path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["w.h5"]


# ---- other layouts ------------------------------------------------------------------------------------------------

def test_full_model_file_with_model_weights_group(tmp_path):
    model = functional_with_nested()
    randomize(model, 10)
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5", "r") as src, h5py.File(tmp_path / "full.h5", "w") as dst:
        dst.attrs["model_config"] = b"{}"
        src.copy(src["/"], dst, name="model_weights")
        for key, value in src.attrs.items():
            dst["model_weights"].attrs[key] = value
    clone = functional_with_nested()
    clone.load_weights(tmp_path / "full.h5")
    assert same_weights(clone.get_weights(), model.get_weights())


def test_tf_keras_legacy_file_with_nested_sequential():
    with open(os.path.join(DATA, "seq_in_functional.json")) as f:
        model = model_from_json(f.read())
    model.load_weights(os.path.join(DATA, "seq_in_functional.keras2.h5"))
    with h5py.File(os.path.join(DATA, "seq_in_functional.keras2.h5"), "r") as f:
        np.testing.assert_array_equal(f["inner_seq/q2/kernel:0"][()],
                                      K.to_numpy(model.get_layer("inner_seq").get_layer("q2").kernel))


def test_tf_keras_object_path_layout_errors():
    # tf-keras writes '*.weights.h5' as layers/<class>/vars/<i>; a model that does not fit is refused whole.
    x = Input((4,), name="i")
    wrong = Model(x, Dense(3, name="only")(x))
    before = snapshot(wrong)
    with pytest.raises(ValueError, match="seq_in_functional.weights.h5"):
        wrong.load_weights(os.path.join(DATA, "seq_in_functional.weights.h5"))
    assert same_weights(wrong.get_weights(), before)
    with pytest.raises(ValueError, match="by_name=False"):
        wrong.load_weights(os.path.join(DATA, "seq_in_functional.weights.h5"), by_name=True)


def test_long_attribute_lists_are_chunked(tmp_path):
    names = [f"layer_{i:05d}_" + "x" * 200 for i in range(400)]
    with h5py.File(tmp_path / "a.h5", "w") as f:
        hdf5_weights._write_string_list(f, "layer_names", names)
        assert "layer_names" not in f.attrs and "layer_names0" in f.attrs
        assert hdf5_weights._read_string_list(f, "layer_names") == names
