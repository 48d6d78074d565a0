"""Saving to and loading from URLs: fsspec's in-memory file system stands for a bucket, and Keras 2's
``tf_file_io_proxy`` replaces the file system where saving looks it up."""
from unittest import mock

import fsspec
import numpy as np
import pytest

from fastkeras.layers import Dense
from fastkeras.models import Sequential, load_model, save_model
from fastkeras.utils.test_utils import tf_file_io_proxy


X = np.random.default_rng(0).random((4, 3)).astype("float32")


def small_model():
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile("adam", "mse")
    return model


@pytest.fixture
def bucket():
    fs = fsspec.filesystem("memory")
    fs.mkdir("/test-bucket")
    yield "memory://test-bucket"
    fs.rm("/test-bucket", recursive=True)


def assert_same_predictions(a, b):
    np.testing.assert_allclose(a.predict(X, verbose=0), b.predict(X, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("name", ["m.h5", "m.keras"])
def test_whole_model_through_a_url(bucket, name):
    model = small_model()
    model.save(f"{bucket}/{name}")
    data = fsspec.open(f"{bucket}/{name}", "rb").open().read()
    assert data[:2] == (b"PK" if name.endswith(".keras") else b"\x89H")
    assert_same_predictions(model, load_model(f"{bucket}/{name}"))


@pytest.mark.parametrize("name", ["w.h5", "w.weights.h5"])
def test_weights_through_a_url(bucket, name):
    model, other = small_model(), small_model()
    model.save_weights(f"{bucket}/{name}")
    other.load_weights(f"{bucket}/{name}")
    assert_same_predictions(model, other)


def test_missing_url_and_missing_backend_are_clear(bucket):
    with pytest.raises(FileNotFoundError, match="memory://test-bucket/none.h5"):
        load_model(f"{bucket}/none.h5")
    with pytest.raises(ImportError, match="no usable backend"):
        save_model(small_model(), "nosuchprotocol://bucket/m.h5")


def test_overwrite_false_on_a_url_asks(bucket):
    url = f"{bucket}/m.h5"
    first, second = small_model(), small_model()
    first.save(url)
    with mock.patch("fastkeras.utils.io_utils.ask_to_proceed_with_overwrite", return_value=False) as ask:
        second.save(url, overwrite=False)
    ask.assert_called_once_with(url)
    assert_same_predictions(first, load_model(url))


def test_keras2_gcs_proxy_keeps_files_in_memory():
    model = small_model()
    with tf_file_io_proxy("fastkeras.engine.saving.tf_file_io") as proxy:
        url = proxy.get_filepath("model.h5")
        assert url == "gs://mock-bucket/model.h5"
        save_model(model, url)
        proxy.assert_exists(url)
        restored = load_model(url)
        model.save_weights(proxy.get_filepath("w.h5"))
        other = small_model()
        other.load_weights(proxy.get_filepath("w.h5"))
        proxy.delete_file(url)
        assert not proxy.file_exists(url)
    assert_same_predictions(model, restored)
    assert_same_predictions(model, other)
    with pytest.raises(RuntimeError, match="not started"):
        proxy.file_exists(url)
    with pytest.raises(ValueError, match="file_io_module"):
        tf_file_io_proxy()


def test_model_checkpoint_writes_to_the_bucket_only(bucket, tmp_path, monkeypatch):
    from fastkeras.callbacks import ModelCheckpoint
    monkeypatch.chdir(tmp_path)  # a local folder named after the URL would appear here
    model = small_model()
    model.fit(X, np.zeros((4, 2)), epochs=2, verbose=0,
              callbacks=[ModelCheckpoint(f"{bucket}/ckpt/model-{{epoch:02d}}.h5"),
                         ModelCheckpoint(f"{bucket}/ckpt/w.weights.h5", save_weights_only=True)])
    names = sorted(p.rsplit("/", 1)[-1] for p in fsspec.filesystem("memory").ls("/test-bucket/ckpt", detail=False))
    assert names == ["model-01.h5", "model-02.h5", "w.weights.h5"]
    assert list(tmp_path.iterdir()) == []
    assert_same_predictions(model, load_model(f"{bucket}/ckpt/model-02.h5"))
