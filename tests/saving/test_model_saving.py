"""Whole-model saving: round trips in every format, files written by tf-keras and Keras 3, training state."""
import json
import os
import zipfile

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import layers as L
from fastkeras.models import Model, Sequential, load_model, save_model

h5py = pytest.importorskip("h5py")

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "fixtures", "saving")
HAS_RECURRENT = hasattr(L, "LSTM") and hasattr(L, "Embedding")
NEEDS_RECURRENT = {"two_in_two_out", "stacked_lstm"}
MODELS = ["mlp", "convnet", "two_in_two_out", "stacked_lstm", "nested"]


def fixture(name):
    return os.path.join(FIXTURES, name)


def as_list(y):
    return [np.asarray(t) for t in y] if isinstance(y, (list, tuple)) else [np.asarray(y)]


def fixture_arrays(stem):
    data = np.load(fixture(stem + ".npz"), allow_pickle=False)
    xs = [data[f"x{i}"] for i in range(sum(k.startswith("x") for k in data.files))]
    ys = [data[f"y{i}"] for i in range(sum(k.startswith("y") for k in data.files))]
    return xs, ys


def skip_without_layers(name):
    if name in NEEDS_RECURRENT and not HAS_RECURRENT:
        pytest.skip("fastkeras.layers has no LSTM/Embedding yet (fastkeras/layers/recurrent.py, embeddings.py)")


def functional_model():
    x = L.Input((5,), name="x")
    h = L.Dense(7, activation="relu", name="h")(x)
    side = L.Dense(3, name="side")(x)
    out = L.Dense(2, activation="softmax", name="out")(L.Concatenate(name="cat")([h, side]))
    return Model(x, out, name="fn")


def randomize(model, seed=0):
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(-1, 1, w.shape).astype(w.dtype) for w in model.get_weights()])


def data(seed=0, n=12):
    rng = np.random.RandomState(seed)
    return rng.normal(size=(n, 5)).astype("float32"), np.eye(2, dtype="float32")[rng.randint(0, 2, n)]


# ---- files written by tf-keras 2.21 and Keras 3.15 -----------------------------------------------------

@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("source", ["k2_{}.h5", "k2_{}.keras", "k3_{}.keras"])
def test_keras_written_models_predict_as_keras_did(name, source):
    skip_without_layers(name)
    stem = source.format(name).rsplit(".", 1)[0]
    xs, expected = fixture_arrays(stem)
    model = load_model(fixture(source.format(name)))
    got = as_list(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, atol=1e-5, rtol=0)
    # The compile arguments and Adam's state (one epoch of 2 steps) came along.
    assert type(model.optimizer).__name__ == "Adam"
    assert int(K.get_value(model.optimizer.iterations)) == 2
    assert np.isclose(model.optimizer.get_config()["learning_rate"], 0.01)


@pytest.mark.parametrize("name", MODELS)
def test_keras3_weights_files_load_into_fastkeras_models(name):
    skip_without_layers(name)
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_saving_fixtures", os.path.join(
        FIXTURES, os.pardir, os.pardir, os.pardir, "tools", "make_saving_fixtures.py"))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    model = tool.BUILDERS[name](keras)
    model.load_weights(fixture(f"k3_{name}.weights.h5"))
    xs, expected = fixture_arrays(f"k3_{name}")
    for g, e in zip(as_list(model.predict(xs if len(xs) > 1 else xs[0], verbose=0)), expected):
        np.testing.assert_allclose(g, e, atol=1e-5, rtol=0)


def test_tf_keras_h5_resumes_training_like_tf_keras():
    # tf-keras trained three more epochs right after writing k2_mlp.h5; fastkeras picks up from the file.
    resume = np.load(fixture("k2_mlp_resume.npz"))
    model = load_model(fixture("k2_mlp.h5"))
    history = model.fit(resume["x"], resume["y"], batch_size=3, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], resume["losses"], rtol=1e-4)


# ---- round trips ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("filename", ["m.keras", "m.h5", "m.hdf5"])
def test_round_trip_reproduces_predictions_exactly(tmp_path, filename):
    model = functional_model()
    randomize(model, 1)
    x, _ = data()
    model.save(tmp_path / filename)
    clone = load_model(tmp_path / filename)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("filename", ["s.keras", "s.h5"])
def test_sequential_and_nested_round_trip(tmp_path, filename):
    inner = Sequential([L.Dense(4, input_shape=(5,), name="a"), L.Dense(3, name="b")], name="inner")
    x = L.Input((5,), name="x")
    model = Model(x, L.Dense(2, name="top")(inner(x)), name="outer")
    randomize(model, 2)
    save_model(model, tmp_path / filename)
    clone = load_model(tmp_path / filename)
    xs, _ = data(3)
    np.testing.assert_array_equal(clone.predict(xs, verbose=0), model.predict(xs, verbose=0))


def test_keras_archive_layout(tmp_path):
    model = functional_model()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(*data(), batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        config = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
        weights = archive.read("model.weights.h5")
    assert metadata["keras_version"].startswith("3.")
    assert config["class_name"] == "Functional" and config["module"] == "keras.src.models.functional"
    assert config["compile_config"]["loss"] == "categorical_crossentropy"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    import io
    with h5py.File(io.BytesIO(weights), "r") as f:
        assert f["layers/dense/vars/0"].shape == (5, 7)   # layers by snake-case class name, model.layers order
        assert f["layers/dense_2/vars/1"].shape == (2,)
        assert "layers/input_layer/vars" in f and "vars" in f
        # Keras 3's optimizer layout: iterations, learning rate, then m and v per variable.
        opt = f["optimizer/vars"]
        assert len(opt) == 2 + 2 * len(model.trainable_weights)
        assert opt["1"][()] == np.float32(model.optimizer.get_config()["learning_rate"])


def test_h5_layout_is_keras_2(tmp_path):
    model = functional_model()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(*data(), batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert json.loads(f.attrs["model_config"])["class_name"] == "Functional"
        training = json.loads(f.attrs["training_config"])
        # tf-keras 2.21 writes the built metrics, one list of configs per output (checked by running it).
        assert training["loss"] == "categorical_crossentropy" and training["metrics"] == [[
            {"class_name": "MeanMetricWrapper",
             "config": {"name": "accuracy", "dtype": "float32", "fn": "categorical_accuracy"}}]]
        assert training["optimizer_config"]["class_name"] == "Custom>Adam"  # as tf-keras 2.21 writes it
        assert f.attrs["keras_version"] == "2.21.0"
        assert f["model_weights/h/h/kernel:0"].shape == (5, 7)
        names = [n.decode() if isinstance(n, bytes) else n for n in f["optimizer_weights"].attrs["weight_names"]]
        assert len(names) == 1 + 2 * len(model.trainable_weights)
        assert f["optimizer_weights"][names[0]].shape == ()


def test_save_weights_suffix_picks_the_layout(tmp_path):
    model = functional_model()
    randomize(model, 4)
    model.save_weights(tmp_path / "w.weights.h5")
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert "layer_names" not in f.attrs and f["layers/dense/vars/0"].shape == (5, 7)
    with h5py.File(tmp_path / "w.h5", "r") as f:
        assert "layer_names" in f.attrs
    for path in ("w.weights.h5", "w.h5"):
        clone = functional_model()
        clone.load_weights(tmp_path / path)
        for a, b in zip(clone.get_weights(), model.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_load_weights_from_a_keras_archive(tmp_path):
    model = functional_model()
    randomize(model, 5)
    model.save(tmp_path / "m.keras")
    clone = functional_model()
    clone.load_weights(tmp_path / "m.keras")
    for a, b in zip(clone.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_uncompiled_and_compile_false(tmp_path):
    model = functional_model()
    model.save(tmp_path / "plain.keras")
    assert load_model(tmp_path / "plain.keras").optimizer is None
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "compiled.h5")
    assert load_model(tmp_path / "compiled.h5", compile=False).optimizer is None
    assert type(load_model(tmp_path / "compiled.h5").optimizer).__name__ == "SGD"


def test_include_optimizer_false(tmp_path):
    model = functional_model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(*data(), batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "m.h5", include_optimizer=False)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert "training_config" not in f.attrs and "optimizer_weights" not in f


@pytest.mark.parametrize("filename", ["m.keras", "m.h5"])
def test_custom_objects(tmp_path, filename):
    class Scale(L.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    def my_loss(y_true, y_pred):
        return K.mean(K.square(y_true - y_pred), axis=-1)

    x = L.Input((3,))
    model = Model(x, Scale(3.0, name="scale")(L.Dense(2)(x)))
    model.compile(optimizer="adam", loss=my_loss)
    model.save(tmp_path / filename)
    with pytest.raises(keras.saving.SavingError, match="Unknown layer class 'Scale'.*custom_objects"):
        load_model(tmp_path / filename)
    with pytest.raises(keras.saving.SavingError, match="my_loss.*custom_objects.*compile=False"):
        load_model(tmp_path / filename, custom_objects={"Scale": Scale})
    clone = load_model(tmp_path / filename, custom_objects={"Scale": Scale, "my_loss": my_loss})
    assert clone.get_layer("scale").factor == 3.0
    xs = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(clone.predict(xs, verbose=0), model.predict(xs, verbose=0))


@pytest.mark.parametrize("filename", ["lam.keras", "lam.h5"])
def test_lambda_bytecode_needs_the_callers_safe_mode_false(tmp_path, filename):
    x = L.Input((3,))
    model = Model(x, L.Lambda(lambda t: t * 2.0 + 1.0, name="affine")(x))
    model.save(tmp_path / filename)
    with pytest.raises(keras.saving.UnsafeFileError, match='Lambda layer "affine".*safe_mode=False'):
        load_model(tmp_path / filename)
    clone = load_model(tmp_path / filename, safe_mode=False)
    np.testing.assert_allclose(clone.predict(np.ones((1, 3), "float32"), verbose=0), [[3.0, 3.0, 3.0]])
    # The trust was for that one call: the next load is safe again.
    with pytest.raises(keras.saving.UnsafeFileError):
        load_model(tmp_path / filename)


def test_bad_extension_and_missing_file(tmp_path):
    model = functional_model()
    # No extension: tf-keras would write a SavedModel directory; fastkeras writes Keras 2.2's HDF5 file (which
    # tf-keras' load_model also reads, by content) and says so.
    with pytest.warns(UserWarning, match="HDF5"):
        model.save(tmp_path / "model")
    assert (tmp_path / "model").is_file()
    x = np.ones((2,) + tuple(model.input_shape[1:]), "float32")
    np.testing.assert_allclose(load_model(tmp_path / "model").predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="SavedModel"):
        model.save(tmp_path / "m", save_format="tf")
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "absent.keras")
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.keras", overwrite=False)


# ---- training resumes exactly --------------------------------------------------------------------------

@pytest.mark.parametrize("filename,optimizer", [("ckpt.keras", "adam"), ("ckpt.h5", "adam"),
                                                ("ckpt.keras", "rmsprop"), ("ckpt.h5", "sgd_momentum")])
def test_resumed_training_equals_uninterrupted_training(tmp_path, filename, optimizer):
    x, y = data(7, n=20)

    def make():
        keras.utils.set_random_seed(11)
        model = functional_model()
        opt = keras.optimizers.SGD(0.05, momentum=0.9) if optimizer == "sgd_momentum" else \
            keras.optimizers.get(optimizer)
        model.compile(optimizer=opt, loss="categorical_crossentropy", metrics=["accuracy"])
        return model

    uninterrupted = make().fit(x, y, batch_size=4, epochs=4, shuffle=False, verbose=0).history["loss"]

    K.clear_session()
    first = make()
    before = first.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
    first.save(tmp_path / filename)
    del first
    resumed = load_model(tmp_path / filename)
    after = resumed.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(before + after, uninterrupted, rtol=1e-6, atol=0)


def test_model_checkpoint_writes_loadable_models(tmp_path):
    x, y = data(8)
    model = functional_model()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    path = str(tmp_path / "ckpt-{epoch:02d}.keras")
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(path)])
    assert sorted(os.listdir(tmp_path)) == ["ckpt-01.keras", "ckpt-02.keras"]
    clone = load_model(tmp_path / "ckpt-02.keras")
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


# ---- corrupt and mismatching files ---------------------------------------------------------------------

@pytest.mark.parametrize("filename", ["m.keras", "m.h5", "w.weights.h5", "w.h5"])
def test_truncated_files_raise_a_clear_error_and_change_nothing(tmp_path, filename):
    model = functional_model()
    randomize(model, 6)
    (model.save if filename.startswith("m.") else model.save_weights)(tmp_path / filename)
    data = (tmp_path / filename).read_bytes()
    target = functional_model()
    before = [np.array(w) for w in target.get_weights()]
    for cut in (0, 7, len(data) // 3, len(data) - 9):
        (tmp_path / filename).write_bytes(data[:cut])
        with pytest.raises(keras.saving.FileFormatError, match=filename.replace(".", r"\.")):
            if filename.startswith("m."):
                load_model(tmp_path / filename)
            else:
                target.load_weights(tmp_path / filename)
        assert all(np.array_equal(a, b) for a, b in zip(target.get_weights(), before))


@pytest.mark.parametrize("filename", ["m.keras", "w.weights.h5"])
def test_mismatching_weights_name_the_file_and_leave_the_model_unchanged(tmp_path, filename):
    other = Sequential([L.Dense(7, input_shape=(5,)), L.Dense(3), L.Dense(2)])
    (other.save if filename.endswith(".keras") else other.save_weights)(tmp_path / filename)
    model = functional_model()
    randomize(model, 7)
    before = [np.array(w) for w in model.get_weights()]
    with pytest.raises(keras.saving.WeightsMismatchError, match=f"{filename}.*mismatch"):
        model.load_weights(tmp_path / filename)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


@pytest.mark.parametrize("source", ["k2_side_losses.h5", "k2_side_losses.keras"])
def test_symbolic_add_loss_and_add_metric_survive_loading_and_saving(source, tmp_path):
    """tf-keras keeps a symbolic model.add_loss/add_metric as AddLoss/AddMetric layers no output depends on;
    loaded, they still add to the loss and report the metric, and they survive fastkeras' own save and reload."""
    data = np.load(fixture("k2_side_losses.npz"))
    model = load_model(fixture(source))
    assert [type(layer).__name__ for layer in model.layers][-2:] == ["AddLoss", "AddMetric"]
    scores = model.evaluate(data["x"], data["y"], verbose=0, return_dict=True)
    np.testing.assert_allclose(scores["loss"], data["loss"], rtol=1e-5)
    np.testing.assert_allclose(scores["hidden_mean"], data["hidden_mean"], rtol=1e-5, atol=1e-7)
    for name in ("again.h5", "again.keras"):
        model.save(tmp_path / name)
        again = load_model(tmp_path / name).evaluate(data["x"], data["y"], verbose=0, return_dict=True)
        np.testing.assert_allclose([again["loss"], again["hidden_mean"]], [scores["loss"], scores["hidden_mean"]],
                                   rtol=1e-6)
    rebuilt = Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    rebuilt.compile(optimizer="sgd", loss="mse")
    rebuilt_scores = rebuilt.evaluate(data["x"], data["y"], verbose=0, return_dict=True)
    np.testing.assert_allclose([rebuilt_scores["loss"], rebuilt_scores["hidden_mean"]],
                               [scores["loss"], scores["hidden_mean"]], rtol=1e-6)
