"""fastkeras.datasets on a tiny Keras cache (tests/fixtures/datasets, tools/make_dataset_fixtures.py).

The cache files have Keras' names and formats; the expected results are what tf-keras 2.21 loaded from
them. Every test works in a temporary KERAS_HOME and never touches the network: downloads are served from
file:// URLs, and "no network" is a URLError raised in place of the download.
"""
import hashlib
import json
import os
import pickle
import shutil
import urllib.error

import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras.datasets import boston_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters
from fastkeras.datasets._safe_files import UnsafePickleError, load_npz, load_pickle
from fastkeras.utils import data_utils

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "datasets")
FIXTURE_DATASETS = os.path.join(FIXTURES, "keras_home", "datasets")
with open(os.path.join(FIXTURES, "expected.json")) as _f:
    EXPECTED = json.load(_f)
MODULES = {"mnist": mnist, "fashion_mnist": fashion_mnist, "cifar10": cifar10, "cifar100": cifar100, "imdb": imdb,
           "reuters": reuters, "boston_housing": boston_housing}
# The hash constant each module checks, and the fixture file it guards.
HASHED = [(mnist, "FILE_HASH", "mnist.npz"), (imdb, "FILE_HASH", "imdb.npz"), (reuters, "FILE_HASH", "reuters.npz"),
          (boston_housing, "FILE_HASH", "boston_housing.npz"), (cifar10, "FILE_HASH", "cifar-10-batches-py.tar.gz"),
          (cifar100, "FILE_HASH", "cifar-100-python.tar.gz")]


def fixture_sha(name):
    return EXPECTED["sha256"][name]


@pytest.fixture
def no_network(monkeypatch):
    """Every download fails as it does offline; the calls are recorded."""
    calls = []

    def offline(url, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    monkeypatch.setattr(data_utils.urllib.request, "urlopen", offline)
    return calls


@pytest.fixture
def keras_home(tmp_path, monkeypatch, no_network):
    """A KERAS_HOME holding the fixture cache, with the modules' hashes set to the small files' hashes."""
    home = tmp_path / "keras_home"
    shutil.copytree(os.path.join(FIXTURES, "keras_home"), home)
    monkeypatch.setenv("KERAS_HOME", str(home))
    for module, attr, name in HASHED:
        monkeypatch.setattr(module, attr, fixture_sha(name))
    return home


def decode_check(got, enc, what):
    if "object_lists" in enc:
        assert isinstance(got, np.ndarray) and got.dtype == object and got.ndim == 1, what
        assert [list(map(int, x)) for x in got] == enc["object_lists"], what
        return
    got = np.asarray(got)
    assert str(got.dtype) == enc["dtype"], what
    assert list(got.shape) == enc["shape"], what
    if "sha256" in enc:
        assert hashlib.sha256(np.ascontiguousarray(got).tobytes()).hexdigest() == enc["sha256"], what
    else:
        np.testing.assert_array_equal(got, np.array(enc["array"], dtype=enc["dtype"]).reshape(enc["shape"]),
                                      err_msg=what)


@pytest.mark.parametrize("case", EXPECTED["cases"], ids=lambda c: f"{c['module']}-{json.dumps(c['kwargs'])}")
def test_load_data_matches_keras(keras_home, no_network, case):
    (x_train, y_train), (x_test, y_test) = MODULES[case["module"]].load_data(**case["kwargs"])
    for got, enc, what in zip((x_train, y_train, x_test, y_test), [*case["result"][0], *case["result"][1]],
                              ("x_train", "y_train", "x_test", "y_test")):
        decode_check(got, enc, what)
    assert no_network == []


def test_cifar10_matches_keras_batches(keras_home):
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    batches = EXPECTED["cifar10_batches"]
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1) and y_test.dtype == np.uint8
    for i in range(5):
        data_enc, labels = batches[f"data_batch_{i + 1}"]
        # Keras' batches are (n, 3, 32, 32); channels_last moves the channel axis last.
        decode_check(x_train[2 * i:2 * i + 2].transpose(0, 3, 1, 2), data_enc, f"batch {i + 1}")
        assert y_train[2 * i:2 * i + 2, 0].tolist() == labels
    decode_check(x_test.transpose(0, 3, 1, 2), batches["test_batch"][0], "test_batch")
    assert y_test[:, 0].tolist() == batches["test_batch"][1]


def test_cifar_channels_first(keras_home):
    K.set_image_data_format("channels_first")
    try:
        (x_train, _), (x_test, _) = cifar10.load_data()
        (x100, _), _ = cifar100.load_data()
    finally:
        K.set_image_data_format("channels_last")
    assert x_train.shape == (10, 3, 32, 32) and x_test.shape == (3, 3, 32, 32) and x100.shape == (6, 3, 32, 32)
    decode_check(x_train[:2], EXPECTED["cifar10_batches"]["data_batch_1"][0], "channels_first")


def test_cifar_uses_an_already_extracted_folder_without_the_archive(keras_home):
    cifar100.load_data()  # extracts the archive
    os.remove(keras_home / "datasets" / "cifar-100-python.tar.gz")
    (x_train, _), _ = cifar100.load_data()
    assert x_train.shape == (6, 32, 32, 3)


def test_cifar100_label_mode_is_checked(keras_home):
    with pytest.raises(ValueError, match='`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode=x'):
        cifar100.load_data(label_mode="x")


def test_word_indexes_and_label_names(keras_home, monkeypatch):
    monkeypatch.setattr(imdb, "WORD_INDEX_HASH", hashlib.md5(
        (keras_home / "datasets" / "imdb_word_index.json").read_bytes()).hexdigest())
    monkeypatch.setattr(reuters, "WORD_INDEX_HASH", hashlib.md5(
        (keras_home / "datasets" / "reuters_word_index.json").read_bytes()).hexdigest())
    assert imdb.get_word_index() == {"the": 1, "and": 2, "film": 3}
    assert reuters.get_word_index() == {"the": 1, "and": 2, "said": 3}
    assert list(reuters.get_label_names()) == EXPECTED["reuters_label_names"]


def test_nb_words_and_unknown_kwargs(keras_home):
    with pytest.warns(UserWarning, match="renamed `num_words`"):
        (x, _), _ = imdb.load_data(nb_words=20, skip_top=2)
    expected = next(c for c in EXPECTED["cases"] if c["module"] == "imdb" and c["kwargs"].get("num_words") == 20)
    decode_check(x, expected["result"][0][0], "nb_words")
    with pytest.raises(TypeError, match="Unrecognized keyword arguments for reuters.load_data: {'foo': 1}"):
        reuters.load_data(foo=1)


def test_imdb_maxlen_too_small(keras_home):
    with pytest.raises(ValueError, match="no sequence was kept. Increase maxlen"):
        imdb.load_data(maxlen=2)


def test_boston_test_split_is_checked(keras_home):
    with pytest.raises(ValueError, match=r"`test_split` must be in \[0, 1\)"):
        boston_housing.load_data(test_split=1.0)


def test_cache_dir_argument_and_home_default(tmp_path, monkeypatch, no_network):
    shutil.copytree(FIXTURE_DATASETS, tmp_path / "elsewhere" / "datasets")
    monkeypatch.setattr(mnist, "FILE_HASH", fixture_sha("mnist.npz"))
    (x, _), _ = mnist.load_data(cache_dir=str(tmp_path / "elsewhere"))
    assert x.shape == (8, 28, 28)
    # Without KERAS_HOME the cache is ~/.keras.
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    os.makedirs(tmp_path / "user" / ".keras")
    shutil.copytree(FIXTURE_DATASETS, tmp_path / "user" / ".keras" / "datasets")
    (x, _), _ = mnist.load_data()
    assert x.shape == (8, 28, 28)
    assert data_utils.keras_home() == str(tmp_path / "user" / ".keras")


# ---- missing files, downloads -------------------------------------------------------------------------------


def test_missing_file_offline_says_which_file_to_put_where(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    with pytest.raises(data_utils.FetchError) as info:
        mnist.load_data()
    message = str(info.value)
    target = os.path.join(str(tmp_path / "home"), "datasets", "mnist.npz")
    assert "URL fetch failure on https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in message
    assert "Temporary failure in name resolution" in message
    assert "The file mnist.npz is not in the Keras cache" in message
    assert f"put it at {target}" in message
    assert no_network == [mnist.ORIGIN]
    assert os.listdir(tmp_path / "home" / "datasets") == []  # no partial file left behind


def test_missing_archive_offline_names_archive_and_folder(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(data_utils.FetchError) as info:
        cifar10.load_data()
    assert f"put it at {tmp_path / 'datasets' / 'cifar-10-batches-py.tar.gz'}" in str(info.value)
    assert f"or put the folder it unpacks to at {tmp_path / 'datasets' / 'cifar-10-batches-py'}" in str(info.value)
    with pytest.raises(data_utils.FetchError, match="fashion-mnist"):
        fashion_mnist.load_data()


def test_stale_file_offline_reports_the_hash_mismatch(keras_home, monkeypatch, capsys):
    monkeypatch.setattr(boston_housing, "FILE_HASH", "0" * 64)
    with pytest.raises(data_utils.FetchError, match="does not match its expected sha256 hash"):
        boston_housing.load_data()
    assert "will re-download the data" in capsys.readouterr().out


def serve_from(monkeypatch, folder):
    """Points every loader's origin at file:// URLs of ``folder`` (urllib reads them like http)."""
    base = "file://" + str(folder) + "/"
    for module in (mnist,):
        monkeypatch.setattr(module, "ORIGIN", base + "mnist.npz")
    for module in (imdb, reuters):
        monkeypatch.setattr(module, "BASE", base)
    monkeypatch.setattr(fashion_mnist, "BASE", base + "fashion-mnist/")
    monkeypatch.setattr(cifar10, "ORIGIN", base + "cifar-10-batches-py.tar.gz")


def test_download_checks_the_hash_and_lands_atomically(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    serve_from(monkeypatch, FIXTURE_DATASETS)
    monkeypatch.setattr(mnist, "FILE_HASH", fixture_sha("mnist.npz"))
    monkeypatch.setattr(cifar10, "FILE_HASH", fixture_sha("cifar-10-batches-py.tar.gz"))
    (x, _), _ = mnist.load_data()
    assert x.shape == (8, 28, 28)
    assert sorted(os.listdir(tmp_path / "home" / "datasets")) == ["mnist.npz"]
    (x, _), _ = cifar10.load_data()
    assert x.shape == (10, 32, 32, 3)
    assert sorted(os.listdir(tmp_path / "home" / "datasets")) == \
        ["cifar-10-batches-py", "cifar-10-batches-py.tar.gz", "mnist.npz"]
    (x, _), _ = fashion_mnist.load_data()  # no hash in Keras for these
    assert x.shape == (6, 28, 28)


def test_download_with_wrong_hash_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    serve_from(monkeypatch, FIXTURE_DATASETS)
    monkeypatch.setattr(mnist, "FILE_HASH", "f" * 64)
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected. The sha256 file hash"):
        mnist.load_data()
    assert os.listdir(tmp_path / "home" / "datasets") == []


def test_get_file_md5_hash_and_extract(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    (src / "words.json").write_text('{"a": 1}')
    md5 = hashlib.md5(b'{"a": 1}').hexdigest()
    path = data_utils.get_file("w.json", origin=f"file://{src}/words.json", md5_hash=md5,
                               cache_dir=str(tmp_path / "cache"))
    assert path == str(tmp_path / "cache" / "datasets" / "w.json")
    assert data_utils.validate_file(path, md5) and not data_utils.validate_file(path, "0" * 32)
    path = data_utils.get_file(origin="file://" + os.path.join(FIXTURE_DATASETS, "cifar-100-python.tar.gz"),
                               extract=True, cache_dir=str(tmp_path / "cache"), cache_subdir="x")
    assert os.path.exists(os.path.join(os.path.dirname(path), "cifar-100-python", "train"))


def test_archive_members_outside_the_cache_are_refused(tmp_path, monkeypatch):
    import io
    import tarfile
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(ValueError, match="would be written outside"):
        data_utils.get_file("evil", origin=f"file://{evil}", untar=True, cache_dir=str(tmp_path / "cache"))
    assert not (tmp_path / "cache" / "escaped.txt").exists()
    assert not (tmp_path / "cache" / "datasets" / "evil").exists()


# ---- the restricted unpickler ---------------------------------------------------------------------------------


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_object_array_with_code_is_refused(tmp_path, keras_home):
    evil = np.empty(2, dtype=object)
    evil[0] = [1, 2]
    evil[1] = _RunsCode()
    path = keras_home / "datasets" / "imdb.npz"
    np.savez(path, x_train=evil, y_train=np.zeros(2), x_test=evil, y_test=np.zeros(2))
    with pytest.raises(UnsafePickleError, match=r"imdb.npz \(array 'x_train'\): its pickle asks for posix.system"):
        load_npz(str(path))


def test_cifar_pickle_with_code_is_refused(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _RunsCode()}, protocol=2))
    with pytest.raises(UnsafePickleError, match="posix.system"):
        load_pickle(str(path))
    path.write_bytes(pickle.dumps({b"x": pickle.loads}, protocol=2))
    with pytest.raises(UnsafePickleError, match=r"asks for _?pickle\.loads"):
        load_pickle(str(path))


def test_codecs_encode_only_for_latin1(tmp_path):
    import codecs
    path = tmp_path / "p"

    class Encodes:
        def __reduce__(self):
            return (codecs.encode, ("abc", "rot13"))
    path.write_bytes(pickle.dumps(Encodes(), protocol=2))
    with pytest.raises(UnsafePickleError, match="only latin1"):
        load_pickle(str(path))


def test_python2_module_names_are_understood(tmp_path):
    """Keras' files come from Python 2 numpy: protocol-2 pickles naming numpy.core.multiarray."""
    import io
    import zipfile
    lists = np.empty(2, dtype=object)
    lists[0] = [1, 2, 3]
    lists[1] = [4]
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(lists))
    payload = pickle.dumps(lists, protocol=2)
    old = payload.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert old != payload
    path = tmp_path / "old.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.npy", buf.getvalue() + old)
        z.writestr("y.npy", _npy_bytes(np.arange(2)))
    arrays = load_npz(str(path))
    assert [list(v) for v in arrays["x"]] == [[1, 2, 3], [4]]
    np.testing.assert_array_equal(arrays["y"], [0, 1])


def _npy_bytes(array):
    import io
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def test_corrupt_files_get_clear_errors(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="bad.npz is not a valid .npz file"):
        load_npz(str(bad))
    with pytest.raises(ValueError, match="is not a readable pickle file"):
        load_pickle(str(bad))


class _Py2Dtype:
    """Pickles like numpy's dtype did under Python 2: its strings come back as bytes with encoding='bytes'."""

    def __reduce__(self):
        return (np.dtype, (b"u1", False, True), (3, b"|", None, None, None, -1, -1, 0))


class _Py2Array:
    def __init__(self, raw, n):
        self.raw, self.n = raw, n

    def __reduce__(self):
        reconstruct = (getattr(np, "_core", None) or np.core).multiarray._reconstruct
        return (reconstruct, (np.ndarray, (0,), b"b"), (1, (self.n, 3072), _Py2Dtype(), False, self.raw))


def test_cifar_batch_as_python2_numpy_wrote_it(tmp_path):
    from fastkeras.datasets.cifar import load_batch
    raw = bytes(range(256)) * 24
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _Py2Array(raw, 2), b"labels": [3, 4], b"batch_label": b"x"}, protocol=2))
    data, labels = load_batch(str(path))
    assert data.dtype == np.uint8 and data.shape == (2, 3, 32, 32)
    np.testing.assert_array_equal(data.reshape(-1), np.frombuffer(raw, np.uint8))
    assert labels == [3, 4]
    with pytest.raises(ValueError, match="lacks the key 'fine_labels'"):
        load_batch(str(path), label_key="fine_labels")
