"""Dataset utilities against tf-keras 2.21 (fixtures from tools/make_dataset_utils_fixtures.py)."""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import layers
from fastkeras.utils import dataset_utils

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "dataset_utils")
IMAGES = os.path.join(FIXTURES, "images")
TEXTS = os.path.join(FIXTURES, "texts")

with open(os.path.join(FIXTURES, "cases.json")) as f:
    CASES = json.load(f)
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))


def _run(case):
    kwargs = dict(case["kwargs"])
    kind = case["kind"]
    if kind.startswith("timeseries"):
        data = np.arange(100, dtype="float32") * 1.5
        if kind == "timeseries2d":
            data = np.arange(60 * 3, dtype="float32").reshape(60, 3)
        targets = data * 10
        if kwargs.pop("no_targets", False):
            targets = None
        if kwargs.pop("short_targets", False):
            targets = targets[:30]
        return fastkeras.utils.timeseries_dataset_from_array(data, targets, **kwargs), None
    if "image_size" in kwargs:
        kwargs["image_size"] = tuple(kwargs["image_size"])
    if kind == "image":
        ds = fastkeras.utils.image_dataset_from_directory(IMAGES, **kwargs)
        directory = IMAGES
    else:
        ds = fastkeras.utils.text_dataset_from_directory(TEXTS, **kwargs)
        directory = TEXTS
    ds = ds[case["part"]] if isinstance(ds, list) else ds
    return ds, directory


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_tf_keras(case):
    ds, directory = _run(case)
    assert len(ds) == case["num_batches"]
    if case["class_names"] is not None:
        assert ds.class_names == case["class_names"]
    if case["file_paths"] is not None:
        assert [os.path.relpath(p, directory) for p in ds.file_paths] == case["file_paths"]
    batches = list(ds)
    assert len(batches) == case["num_batches"]
    if case["kind"] == "text":
        texts = [[t.decode("latin-1") for t in b[0]] for b in batches]
        labels = [b[1].tolist() for b in batches]
        if case["shuffled"]:
            assert sorted(sum(texts, [])) == sorted(sum(case["texts"], []))
        else:
            assert texts == case["texts"]
            assert labels == case["labels"]
        return
    if case["shuffled"]:  # tf.data's buffered shuffle draws from TensorFlow's RNG: compare the set of samples
        return
    for b, batch in enumerate(batches):
        parts = batch if isinstance(batch, tuple) else (batch,)
        for j, a in enumerate(parts):
            expected = ARRAYS[f"{case['id']}/{b}/{j}"]
            assert a.shape == expected.shape
            assert a.dtype == expected.dtype, (a.dtype, expected.dtype)
            np.testing.assert_allclose(a, expected, rtol=1e-6, atol=1e-4)


def test_shuffled_image_samples_are_the_files():
    ds = fastkeras.utils.image_dataset_from_directory(IMAGES, image_size=(2, 2), seed=1337, validation_split=0.25,
                                                      subset="training", batch_size=4)
    plain = fastkeras.utils.image_dataset_from_directory(IMAGES, image_size=(2, 2), shuffle=False, batch_size=32)
    by_path = {p: (x, y) for p, x, y in zip(plain.file_paths, *plain[0])}
    batches = list(ds)
    xs = np.concatenate([b[0] for b in batches])
    ys = np.concatenate([b[1] for b in batches])
    expected = [by_path[p] for p in ds.file_paths]
    key = lambda pair: (int(pair[1]), pair[0].tobytes())  # noqa: E731
    assert sorted(key((x, y)) for x, y in zip(xs, ys)) == sorted(key(e) for e in expected)
    # each epoch reshuffles, with the same samples
    again = np.concatenate([b[1] for b in ds])
    assert sorted(again.tolist()) == sorted(ys.tolist())


def test_split_dataset_matches_tf_keras():
    with open(os.path.join(FIXTURES, "split.json")) as f:
        splits = json.load(f)
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10)
    for sid, entry in splits.items():
        left, right = fastkeras.utils.split_dataset((x, y), **entry["kwargs"])
        assert [int(e[1]) for e in left] == entry["left"], sid
        assert [int(e[1]) for e in right] == entry["right"], sid
        for e in left:
            np.testing.assert_array_equal(e[0], x[int(e[1])])


def test_split_of_a_batched_dataset_is_batched():
    ds = fastkeras.utils.timeseries_dataset_from_array(np.arange(30.0), np.arange(30.0), 3, batch_size=5)
    left, right = fastkeras.utils.split_dataset(ds, left_size=0.5)
    assert len(left) == 3 and len(right) == 3  # 14 samples each, batches of 5
    assert left[0][0].shape == (5, 3)
    with pytest.raises(ValueError, match="left_size"):
        fastkeras.utils.split_dataset(ds, left_size=100)


def test_dataset_methods_and_keras_io_idioms():
    ds = fastkeras.utils.image_dataset_from_directory(IMAGES, image_size=(4, 4), batch_size=5, shuffle=False)
    for images, labels in ds.take(1):
        assert images.shape == (5, 4, 4, 3) and labels.shape == (5,)
        assert images[0].numpy().astype("uint8").shape == (4, 4, 3)
    assert len(ds.take(2)) == 2 and len(ds.skip(1)) == 2
    assert ds.cache().prefetch(buffer_size=2) is not None
    samples = list(ds.unbatch())
    assert len(samples) == 12 and samples[0][0].shape == (4, 4, 3)
    rebatched = ds.unbatch().batch(4, drop_remainder=True)
    assert len(rebatched) == 3
    np.testing.assert_array_equal(rebatched[1][0], np.concatenate([ds[0][0], ds[1][0]])[4:8])
    scaled = ds.map(lambda x, y: (x / 255.0, y))
    np.testing.assert_allclose(scaled[0][0], ds[0][0] / 255.0)
    assert scaled.class_names == ["birds", "cats", "dogs"]
    shuffled = ds.unbatch().shuffle(100, seed=1)
    assert sorted(int(s[1]) for s in shuffled) == sorted(int(s[1]) for s in ds.unbatch())
    assert len(list(ds.as_numpy_iterator())) == 3


def test_fit_evaluate_predict_accept_the_dataset():
    train, val = fastkeras.utils.image_dataset_from_directory(IMAGES, image_size=(8, 8), batch_size=4, seed=3,
                                                              validation_split=0.25, subset="both")
    model = fastkeras.Sequential([layers.Input((8, 8, 3)), layers.Rescaling(1.0 / 255), layers.Flatten(),
                                  layers.Dense(len(train.class_names))])
    model.compile(optimizer="adam",
                  loss=fastkeras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(train.cache().prefetch(2), validation_data=val, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and "val_accuracy" in history.history
    loss, acc = model.evaluate(val, verbose=0)
    assert np.isfinite(loss)
    assert model.predict(val, verbose=0).shape == (3, 3)
    assert model.predict(val.map(lambda x, y: x), verbose=0).shape == (3, 3)


def test_fit_on_a_timeseries_dataset():
    data = np.random.RandomState(0).randn(200, 2).astype("float32")
    ds = fastkeras.utils.timeseries_dataset_from_array(data, data[10:, 0], sequence_length=10, batch_size=16,
                                                       shuffle=True, seed=0)
    model = fastkeras.Sequential([layers.Input((10, 2)), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(ds, epochs=2, verbose=0)
    assert len(ds) == -(-190 // 16)


def test_errors_as_tf_keras():
    with pytest.raises(ValueError, match="you must provide a `seed`"):
        fastkeras.utils.image_dataset_from_directory(IMAGES, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="exactly 2"):
        fastkeras.utils.image_dataset_from_directory(IMAGES, label_mode="binary")
    with pytest.raises(ValueError, match="did not match"):
        fastkeras.utils.image_dataset_from_directory(IMAGES, class_names=["a", "b"])
    with pytest.raises(ValueError, match="sequence_stride"):
        fastkeras.utils.timeseries_dataset_from_array(np.arange(10), None, 3, sequence_stride=0)


def test_exposed_under_preprocessing():
    assert fastkeras.preprocessing.image_dataset_from_directory is dataset_utils.image_dataset_from_directory
    assert fastkeras.preprocessing.timeseries_dataset_from_array is dataset_utils.timeseries_dataset_from_array
    assert fastkeras.preprocessing.text_dataset_from_directory is dataset_utils.text_dataset_from_directory


def test_repeat_without_count_runs_on_across_epochs_like_tf_data():
    """``ds.repeat()`` is endless: fit takes ``steps_per_epoch`` batches an epoch, carrying on where the last
    epoch stopped (tf.data's behaviour), and refuses to start without it."""
    x = np.arange(40, dtype="float32").reshape(20, 2)
    ds = dataset_utils.from_tensor_slices((x, x[:, :1])).batch(8)  # 3 batches: 8, 8, 4 samples
    endless = ds.repeat()
    assert int(endless.cardinality()) == -1
    firsts = [float(next(endless)[0][0, 0]) for _ in range(5)]
    assert firsts == [0.0, 16.0, 32.0, 0.0, 16.0]
    assert len(ds.repeat(2)) == 6 and len(ds.repeat().take(7)) == 7

    seen = []

    class FirstValues(fastkeras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)

    model = fastkeras.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    endless = ds.repeat()
    history = model.fit(endless, steps_per_epoch=4, epochs=2, verbose=0, callbacks=[FirstValues()])
    assert seen == [0, 1, 2, 3, 0, 1, 2, 3] and len(history.history["loss"]) == 2
    assert float(next(endless)[0][0, 0]) == 32.0  # 8 batches drawn: the 9th is the third of a pass
    with pytest.raises(ValueError, match="repeat without end.*steps_per_epoch"):
        model.fit(ds.repeat(), epochs=1, verbose=0)
    with pytest.raises(NotImplementedError, match="`batch\\(\\)` first and `repeat\\(\\)` last"):
        ds.unbatch().repeat().batch(4)
