"""keras.preprocessing.image's augmentation API against tf-keras 2.21 (fixtures from
tools/make_image_generator_fixtures.py)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastkeras as keras
from fastkeras.preprocessing import image

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "image_generator")
with open(os.path.join(FIXTURES, "cases.json")) as f:
    CASES = json.load(f)
ARRAYS = dict(np.load(os.path.join(FIXTURES, "arrays.npz")))


def arr(case, name):
    return ARRAYS[f"{case}/{name}"]


def close(a, b, atol=1e-4):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), rtol=1e-5,
                               atol=atol)


def tuples(value):
    """JSON lists back to tuples where Keras arguments were tuples (sizes, ranges)."""
    return {k: tuple(v) if k in ("target_size", "brightness_range") else v for k, v in value.items()}


# ---- functions -----------------------------------------------------------------------------------------

AFFINE = sorted(k for k, v in CASES.items() if v["kind"] == "affine")


@pytest.mark.parametrize("case", AFFINE)
def test_apply_affine_transform_matches_tf_keras(case):
    kw = CASES[case]["kwargs"]
    close(image.apply_affine_transform(arr("inputs", "first").copy(), **kw), arr(case, "first"))
    close(image.apply_affine_transform(arr("inputs", "last").copy(), row_axis=0, col_axis=1, channel_axis=2, **kw),
          arr(case, "last"))


def test_channel_and_brightness_shifts_match_tf_keras():
    close(image.apply_channel_shift(arr("inputs", "first"), 40.0, 0), arr("channel_shift", "first"))
    close(image.apply_channel_shift(arr("inputs", "last"), -30.0, 2), arr("channel_shift", "last"))
    small, wide = arr("brightness", "small"), arr("brightness", "wide")
    close(image.apply_brightness_shift(small, 1.4, True), arr("brightness", "small_scaled"))
    close(image.apply_brightness_shift(small, 0.6, False), arr("brightness", "small_unscaled"))
    close(image.apply_brightness_shift(wide, 1.2, False), arr("brightness", "wide_unscaled"), atol=1e-3)
    close(image.apply_brightness_shift(wide, 0.8, True), arr("brightness", "wide_scaled"))


RANDOM_FNS = {
    "random_rotation": lambda x: image.random_rotation(x, 35),
    "random_rotation_last": lambda x: image.random_rotation(np.transpose(x, (1, 2, 0)), 35, row_axis=0, col_axis=1,
                                                            channel_axis=2, fill_mode="constant", cval=3.0),
    "random_shift": lambda x: image.random_shift(x, 0.2, 0.3),
    "random_shear": lambda x: image.random_shear(x, 30, fill_mode="reflect"),
    "random_zoom": lambda x: image.random_zoom(x, (0.7, 1.2), interpolation_order=0),
    "random_zoom_one": lambda x: image.random_zoom(x, (1, 1)),
    "random_channel_shift": lambda x: image.random_channel_shift(x, 50.0),
    "random_brightness": lambda x: image.random_brightness(np.transpose(x, (1, 2, 0)), (0.5, 1.5)),
}


@pytest.mark.parametrize("name", sorted(RANDOM_FNS))
def test_random_functions_draw_as_tf_keras(name):
    np.random.seed(CASES[name]["seed"])
    close(RANDOM_FNS[name](arr("inputs", "first").copy()), arr(name, "out"))
    # the same amount of numpy's random stream was consumed
    assert np.random.uniform() == pytest.approx(float(arr(name, "next_draw")))


def test_smart_resize_matches_tf_keras():
    x = arr("smart_resize", "x")
    close(image.smart_resize(x[0], (4, 4)), arr("smart_resize", "bilinear"))
    close(image.smart_resize(x, (5, 3), interpolation="nearest"), arr("smart_resize", "nearest"))
    close(image.smart_resize(x[1], (9, 6), interpolation="bicubic"), arr("smart_resize", "bicubic"), atol=1e-3)
    out = image.smart_resize(x[0].astype("uint8"), (3, 5), interpolation="nearest")
    expected = arr("smart_resize", "uint8_nearest")
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)


def test_smart_resize_numpy_in_numpy_out():
    x = np.arange(5 * 8 * 3, dtype="float32").reshape(5, 8, 3)
    out = image.smart_resize(x, (4, 4))
    assert isinstance(out, np.ndarray) and out.shape == (4, 4, 3)
    # the centred 5x5 crop (columns 1..5) resized: corners come from that window, not the whole image
    assert x[:, 1:6].min() <= out.min() and out.max() <= x[:, 1:6].max()
    batch = image.smart_resize(np.stack([x, x]), (2, 3), interpolation="nearest")
    assert batch.shape == (2, 2, 3, 3) and batch.dtype == np.float32
    with pytest.raises(ValueError, match="2 integers"):
        image.smart_resize(x, (4,))


# ---- the generator: parameters, transforms, fit, standardize ------------------------------------------

GENERATORS = sorted(k for k, v in CASES.items() if v["kind"] == "generator")


def _same_params(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for key, value in theirs.items():
        if value is None:
            assert ours[key] is None, key
        else:
            assert float(ours[key]) == pytest.approx(float(value), rel=1e-6, abs=1e-9), key


@pytest.mark.parametrize("case", GENERATORS)
def test_random_transform_parameters_and_images_match_tf_keras(case):
    spec = CASES[case]
    gen = image.ImageDataGenerator(**tuples(spec["kwargs"]))
    shape = tuple(spec["shape"])
    for seed, expected in zip((1, 2, 3), spec["params"]):
        _same_params(gen.get_random_transform(shape, seed=seed), expected)
    np.random.seed(21)
    for expected in spec["unseeded"]:
        _same_params(gen.get_random_transform(shape), expected)
    x = arr(case, "x")
    for k, seed in enumerate((1, 2, 3)):
        close(gen.random_transform(x.copy(), seed=seed), arr(case, f"out{k}"))
    close(gen.apply_transform(x.copy(), gen.get_random_transform(shape, seed=1)), arr(case, "applied"))


FITS = sorted(k for k, v in CASES.items() if v["kind"] == "fit")


@pytest.mark.parametrize("case", FITS)
def test_fit_statistics_and_standardize_match_tf_keras(case):
    kw = CASES[case]["kwargs"]
    x = arr("fit_data", "x")
    if kw.get("data_format") == "channels_first":
        x = np.transpose(x, (0, 3, 1, 2)).copy()
    with pytest.warns(UserWarning) if ("zca" in case or kw.get("featurewise_std_normalization") and
                                       not kw.get("featurewise_center")) else _no_warning():
        gen = image.ImageDataGenerator(**kw)
    gen.fit(x)
    for attr in ("mean", "std", "zca_whitening_matrix"):
        key = f"{case}/{attr}"
        if key in ARRAYS:
            close(getattr(gen, attr), ARRAYS[key], atol=1e-4 if attr != "zca_whitening_matrix" else 2e-3)
        else:
            assert getattr(gen, attr) is None
    close(gen.standardize(x.copy()), arr(case, "standardized"), atol=2e-3)
    close(gen.standardize(x[0].copy()), arr(case, "one"), atol=2e-3)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_fit_with_augmentation_matches_tf_keras():
    spec = CASES["fit_augment"]
    gen = image.ImageDataGenerator(**spec["kwargs"])
    gen.fit(arr("fit_data", "x"), **spec["fit"])
    close(gen.mean, arr("fit_augment", "mean"))
    close(gen.std, arr("fit_augment", "std"))


def test_standardize_before_fit_warns_and_constructor_checks():
    gen = image.ImageDataGenerator(featurewise_center=True)
    x = np.ones((4, 4, 3), "float32")
    with pytest.warns(UserWarning, match="hasn't been fit"):
        out = gen.standardize(x.copy())
    np.testing.assert_array_equal(out, x)
    gen = image.ImageDataGenerator(preprocessing_function=lambda a: a * 2, rescale=0.5)
    np.testing.assert_array_equal(gen.standardize(x.copy()), x)
    with pytest.raises(ValueError, match="data_format"):
        image.ImageDataGenerator(data_format="channels_middle")
    with pytest.raises(ValueError, match="validation_split"):
        image.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match="zoom_range"):
        image.ImageDataGenerator(zoom_range=(0.5, 1, 2))
    with pytest.raises(ValueError, match="brightness_range"):
        image.ImageDataGenerator(brightness_range=0.5)
    with pytest.raises(ValueError, match="rank 4"):
        image.ImageDataGenerator(featurewise_center=True).fit(np.zeros((4, 4, 3)))
    assert image.ImageDataGenerator(zoom_range=0.2).zoom_range == pytest.approx([0.8, 1.2])
    with pytest.raises(ValueError, match="distinct"):
        image.apply_affine_transform(x, theta=10, row_axis=0, col_axis=0, channel_axis=2)


# ---- flow ----------------------------------------------------------------------------------------------

def _parts(batch):
    if not isinstance(batch, tuple):
        batch = (batch,)
    flat = []
    for part in batch:
        flat.extend(part if isinstance(part, list) else [part])
    return flat


def _check_batches(case, it, n_parts, epochs=2, atol=1e-3):
    for epoch in range(epochs):
        for b in range(len(it)):
            parts = _parts(it[b])
            assert len(parts) == n_parts
            for k, p in enumerate(parts):
                close(p, ARRAYS[f"{case}/get/{epoch}/{b}/{k}"], atol=atol)
        it.on_epoch_end()


def _flow(spec):
    data = {k: arr("flow_data", k) for k in ("x", "y", "w", "misc0", "misc1")}
    gen = image.ImageDataGenerator(**tuples(spec["generator"]))
    opts = dict(spec["flow"])
    misc = opts.pop("misc", False)
    weights = opts.pop("with_weights", False)
    no_y = opts.pop("no_y", False)
    x = (data["x"], [data["misc0"], data["misc1"]]) if misc else data["x"]
    return lambda: gen.flow(x, None if no_y else data["y"], sample_weight=data["w"] if weights else None, **opts)


FLOWS = sorted(k for k, v in CASES.items() if v["kind"] == "flow")


@pytest.mark.parametrize("case", FLOWS)
def test_flow_batches_match_tf_keras(case):
    spec = CASES[case]
    make = _flow(spec)
    it = make()
    assert len(it) == spec["batches"]
    _check_batches(case, it, spec["parts"])
    it = make()
    for k in range(spec["nexts"]):
        for j, p in enumerate(_parts(next(it))):
            close(p, ARRAYS[f"{case}/next/{k}/{j}"], atol=1e-3)


def test_flow_errors():
    gen = image.ImageDataGenerator(validation_split=0.5)
    x = np.zeros((4, 3, 3, 3))
    with pytest.raises(ValueError, match="same length"):
        gen.flow(x, np.zeros(3))
    with pytest.raises(ValueError, match="different number of classes"):
        gen.flow(x, np.array([0, 0, 1, 1]), subset="training")
    with pytest.raises(ValueError, match="Invalid subset"):
        gen.flow(x, np.zeros(4), subset="test")
    with pytest.raises(ValueError, match="rank 4"):
        gen.flow(np.zeros((4, 3, 3)))
    with pytest.raises(ValueError, match="has length"):
        gen.flow(x, batch_size=2)[2]


# ---- flow_from_directory -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    for rel in CASES["tree"]["files"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(ARRAYS[f"tree/{rel}"].tobytes())
    for rel, target in CASES["tree"]["links"]:
        os.symlink(target, root / rel)
    return str(root)


DIRS = sorted(k for k, v in CASES.items() if v["kind"] == "directory")


@pytest.mark.parametrize("case", DIRS)
def test_flow_from_directory_matches_tf_keras(case, tree, capsys):
    spec = CASES[case]
    gen = image.ImageDataGenerator(**tuples(spec["generator"]))
    it = gen.flow_from_directory(tree, **tuples(spec["flow"]))
    assert f"Found {spec['samples']} images belonging to {spec['num_classes']} classes." in capsys.readouterr().out
    assert it.filenames == spec["filenames"]
    assert it.classes.tolist() == spec["classes"] and it.classes.dtype == np.int32
    assert it.class_indices == spec["class_indices"]
    assert it.samples == spec["samples"] and it.num_classes == spec["num_classes"]
    assert list(it.image_shape) == spec["image_shape"]
    assert it.filepaths == [os.path.join(tree, f) for f in spec["filenames"]]
    assert len(it) == spec["batches"]
    _check_batches(case, it, spec["parts"])


def test_save_to_dir_writes_one_file_per_image(tree, tmp_path):
    it = image.ImageDataGenerator().flow_from_directory(tree, target_size=(4, 4), batch_size=5, shuffle=False,
                                                        save_to_dir=str(tmp_path), save_prefix="aug",
                                                        save_format="jpeg")
    it[0]
    names = sorted(os.listdir(tmp_path))
    assert sorted(n.rsplit("_", 1)[0] for n in names) == CASES["dir_save"]["files"]
    assert all(n.endswith(".jpeg") for n in names)


def test_directory_iterator_errors(tree):
    gen = image.ImageDataGenerator()
    with pytest.raises(ValueError, match="class_mode"):
        gen.flow_from_directory(tree, class_mode="raw")
    with pytest.raises(ValueError, match="color mode"):
        gen.flow_from_directory(tree, color_mode="cmyk")
    with pytest.raises(ValueError, match="subset"):
        gen.flow_from_directory(tree, subset="test")


def test_flow_from_dataframe_needs_pandas(tree):
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            image.ImageDataGenerator().flow_from_dataframe(object(), tree)
        return
    import pandas as pd
    df = pd.DataFrame({"filename": ["cats/c0.png", "dogs/d0.png", "dogs/missing.png"], "class": ["c", "d", "d"]})
    with pytest.warns(UserWarning, match="invalid image filename"):
        it = image.ImageDataGenerator().flow_from_dataframe(df, tree, target_size=(3, 3), shuffle=False)
    x, y = it[0]
    assert x.shape == (2, 3, 3, 3) and y.tolist() == [[1, 0], [0, 1]]


# ---- training with the iterators -----------------------------------------------------------------------

def test_model_fit_on_flow_and_directory_iterators(tree):
    keras.utils.set_random_seed(0) if hasattr(keras.utils, "set_random_seed") else None
    model = keras.Sequential([keras.layers.Input((6, 5, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    gen = image.ImageDataGenerator(rotation_range=10, horizontal_flip=True, rescale=1 / 255.0, validation_split=0.3)
    x, y = arr("flow_data", "x"), arr("flow_data", "y")
    history = model.fit(gen.flow(x, y, batch_size=4, subset="training"), epochs=2, verbose=0,
                        validation_data=gen.flow(x, y, batch_size=4, subset="validation"))
    assert len(history.history["loss"]) == 2 and "val_loss" in history.history
    assert np.isfinite(history.history["loss"]).all()

    train = gen.flow_from_directory(tree, target_size=(6, 5), class_mode="sparse", batch_size=3, subset="training")
    val = gen.flow_from_directory(tree, target_size=(6, 5), class_mode="sparse", batch_size=3, subset="validation")
    history = model.fit(train, validation_data=val, steps_per_epoch=2, epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert model.predict(gen.flow(x, batch_size=4, shuffle=False), verbose=0).shape == (10, 3)
    assert len(model.evaluate(val, verbose=0)) == 2


def test_iterators_are_sequences_and_endless_iterators():
    it = image.ImageDataGenerator().flow(np.zeros((5, 2, 2, 1)), np.arange(5), batch_size=2, shuffle=False)
    assert isinstance(it, keras.utils.Sequence)
    assert [len(next(it)[1]) for _ in range(4)] == [2, 2, 1, 2]
    assert iter(it) is it


def test_import_fastkeras_loads_neither_scipy_nor_pil():
    code = ("import sys, fastkeras, fastkeras.preprocessing.image; "
            "print('scipy' in sys.modules, 'PIL' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_exported_names():
    for name in ("ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
                 "apply_affine_transform", "apply_brightness_shift", "apply_channel_shift", "random_rotation",
                 "random_shift", "random_shear", "random_zoom", "random_brightness", "random_channel_shift",
                 "smart_resize", "load_img", "img_to_array", "array_to_img", "save_img"):
        assert hasattr(keras.preprocessing.image, name), name
