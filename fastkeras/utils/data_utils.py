"""Keras 2's ``keras.utils.data_utils``: the ``Sequence`` base class and ``get_file`` (the download cache).

The cache is Keras' own: ``$KERAS_HOME`` (default ``~/.keras``) holds
``datasets/<file>``, so files that Keras (or a person) already put there are
used as they are. A download goes to a temporary file in the cache folder, is
checked against its sha256/md5 hash, and only then renamed into place, so an
interrupted or corrupt download never looks like a cached file. Archives are
extracted only after every member was checked to stay inside the cache folder.
"""
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

__all__ = ["Sequence", "get_file", "validate_file", "keras_home", "FetchError"]

# Seconds to wait for a server before deciding the network is unreachable.
DOWNLOAD_TIMEOUT = 30


class Sequence:
    """Base class for a dataset that hands out batches by index: ``fit(MySequence(...))``.

    Implement ``__getitem__(index)`` (the batch: ``x``, ``(x, y)`` or
    ``(x, y, sample_weight)``) and ``__len__`` (the number of batches);
    ``on_epoch_end`` runs after each epoch (shuffle there). Unlike a generator,
    a Sequence can be read in any order and more than once.
    """

    def __init__(self, workers=None, use_multiprocessing=None, max_queue_size=None):
        # Keras 3's Sequence is its PyDataset: a subclass written for Keras 3 passes these reading settings to
        # super().__init__, and fit then reads it as Keras 3 reads a PyDataset (see py_dataset.reads_itself).
        # Without them it stays a Keras 2 Sequence, read with fit's own `workers` and `use_multiprocessing`.
        self.workers = 1 if workers is None else workers
        self.use_multiprocessing = bool(use_multiprocessing)
        self.max_queue_size = 10 if max_queue_size is None else max_queue_size
        if (workers, use_multiprocessing, max_queue_size) != (None, None, None):
            self._reads_itself = True

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index) to return a batch.")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__() to return the number of batches.")

    def on_epoch_end(self):
        """Called at the end of every epoch; does nothing unless overridden."""

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


class FetchError(Exception):
    """A file is neither in the Keras cache nor downloadable; the message says where to put it."""


def keras_home():
    """``$KERAS_HOME`` when set, else ``~/.keras`` (Keras' configuration and cache folder)."""
    return os.path.expanduser(os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))


def _hasher(algorithm, file_hash=None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()
    raise ValueError(f"Unknown hash algorithm {algorithm!r}: expected 'auto', 'sha256' or 'md5'.")


def _hash_file(path, algorithm="sha256", chunk_size=65535):
    """The hex digest of the file: ``algorithm`` is 'sha256', 'md5' ('auto': sha256), as Keras 2 and tf-keras take
    it, or a hashlib object."""
    hasher = _hasher("sha256" if algorithm == "auto" else algorithm) if isinstance(algorithm, str) else algorithm
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """True when the file's sha256 (64 hex digits) or md5 hash equals ``file_hash``."""
    return _hash_file(fpath, _hasher(algorithm, file_hash), chunk_size) == str(file_hash)


def _algorithm_name(algorithm, file_hash):
    return _hasher(algorithm, file_hash).name


def _cache_folder(cache_dir, cache_subdir):
    """The folder files go in; Keras falls back to /tmp/.keras when the cache cannot be written."""
    base = os.path.expanduser(cache_dir) if cache_dir else keras_home()
    return os.path.join(base, cache_subdir), os.path.join(tempfile.gettempdir(), ".keras", cache_subdir)


def _download(origin, target, file_hash, algorithm, show_progress=True):
    """Fetches ``origin`` into a temporary file beside ``target``, checks it, then renames it into place."""
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    hasher = _hasher(algorithm, file_hash) if file_hash is not None else None
    fd, partial = tempfile.mkstemp(prefix=os.path.basename(target) + ".", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin, timeout=DOWNLOAD_TIMEOUT) as response:
            total = response.headers.get("Content-Length")
            progbar = None
            if show_progress:
                from fastkeras.utils.progbar import Progbar
                progbar = Progbar(int(total) if total and total.isdigit() else None)
            done = 0
            for chunk in iter(lambda: response.read(1 << 16), b""):
                out.write(chunk)
                if hasher is not None:
                    hasher.update(chunk)
                done += len(chunk)
                if progbar is not None:
                    progbar.update(done)
        if hasher is not None and hasher.hexdigest() != str(file_hash):
            raise ValueError(f"Incomplete or corrupted file detected. The {hasher.name} file hash of the file "
                             f"downloaded from {origin} does not match the expected value of {file_hash}; nothing "
                             f"was written to {target}.")
        os.replace(partial, target)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def _check_members(names, root, archive):
    root = os.path.realpath(root)
    for name in names:
        dest = os.path.realpath(os.path.join(root, name))
        if os.path.isabs(name) or not (dest == root or dest.startswith(root + os.sep)):
            raise ValueError(f"Refusing to extract {archive}: its member {name!r} would be written outside "
                             f"{root}.")


def _extract_archive(path, folder, archive_format="auto"):
    """Extracts a tar or zip archive into ``folder``; True when ``path`` was an archive of an allowed format."""
    formats = {"auto": ("tar", "zip"), None: ()}.get(archive_format, archive_format)
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    if "tar" in formats and tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            members = archive.getmembers()
            _check_members([m.name for m in members], folder, path)
            for m in members:
                if not (m.isfile() or m.isdir()):
                    raise ValueError(f"Refusing to extract {path}: its member {m.name!r} is a link or device, "
                                     "not a plain file or folder.")
            # The "data" filter also drops permission bits and owners we have no use for.
            archive.extractall(folder, filter="data") if hasattr(tarfile, "data_filter") \
                else archive.extractall(folder)
        return True
    if "zip" in formats and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            _check_members(archive.namelist(), folder, path)
            archive.extractall(folder)
        return True
    return False


def _missing_file_message(fname, origin, where, reason, stale_hash=None, untar_folder=None, cache_subdir="datasets"):
    lines = [f"URL fetch failure on {origin}: {reason}"]
    if stale_hash:
        lines.append(f"The cached file {where} does not match its expected {stale_hash} hash (incomplete or "
                     "outdated), and a fresh copy could not be downloaded.")
    else:
        lines.append(f"The file {fname} is not in the Keras cache and could not be downloaded.")
    lines.append(f"Download {origin} on a machine with network access and put it at {where}")
    if untar_folder:
        lines.append(f"(or put the folder it unpacks to at {untar_folder})")
    if os.path.isabs(cache_subdir):
        lines.append(f"The cache folder is {cache_subdir}.")
    else:
        lines.append(f"The cache folder is $KERAS_HOME/{cache_subdir}, or ~/.keras/{cache_subdir} when KERAS_HOME is "
                     "not set.")
    return "\n".join(lines)


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None):
    """The path of ``fname`` in the Keras cache, downloading it from ``origin`` when it is absent.

    A cached file whose hash does not match ``file_hash`` is fetched again.
    ``untar=True`` (Keras 1 style) stores ``<fname>.tar.gz`` and returns the
    folder it unpacks to; a folder already unpacked there is used as it is.
    ``extract=True`` unpacks a tar or zip archive beside the file.
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. Please specify the "
                         "`fname` as the input param.")

    folder, fallback = _cache_folder(cache_dir, cache_subdir)
    if not os.path.isdir(folder):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            folder = fallback
    elif not os.access(folder, os.W_OK):
        names = [fname, fname + ".tar.gz", fname[:-len(".tar.gz")] if fname.endswith(".tar.gz") else fname]
        if not any(os.path.exists(os.path.join(folder, n)) for n in names):
            folder = fallback  # read-only cache without the file: download where we can write

    untar_folder = None
    if untar:
        stem = fname[:-len(".tar.gz")] if fname.endswith(".tar.gz") else fname
        untar_folder = os.path.join(folder, stem)
        fpath = untar_folder + ".tar.gz"
        if os.path.isdir(untar_folder):
            return untar_folder
    else:
        fpath = os.path.join(folder, fname)

    stale_hash = None
    if os.path.exists(fpath) and file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
        stale_hash = _algorithm_name(hash_algorithm, file_hash)
        print(f"A local file was found, but it seems to be incomplete or outdated because the {stale_hash} file "
              f"hash does not match the original value of {file_hash} so we will re-download the data.")
    if not os.path.exists(fpath) or stale_hash:
        print(f"Downloading data from {origin}")
        try:
            _download(origin, fpath, file_hash, hash_algorithm)
        except urllib.error.HTTPError as e:
            raise FetchError(_missing_file_message(fname, origin, fpath, f"{e.code} -- {e.msg}", stale_hash,
                                                   untar_folder, cache_subdir)) from e
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", None) or e
            raise FetchError(_missing_file_message(fname, origin, fpath, f"{getattr(e, 'errno', None)} -- {reason}",
                                                   stale_hash, untar_folder, cache_subdir)) from e

    if untar:
        _extract_into(fpath, folder, untar_folder, "tar")
        return untar_folder
    if extract:
        _extract_archive(fpath, folder, archive_format)
    return fpath


def _extract_into(archive_path, folder, expected, archive_format):
    """Unpacks into a scratch folder first, so a failed extraction leaves no half-written ``expected`` folder."""
    scratch = tempfile.mkdtemp(prefix=".extract-", dir=folder)
    try:
        if not _extract_archive(archive_path, scratch, archive_format):
            raise ValueError(f"{archive_path} is not a {archive_format} archive.")
        for name in os.listdir(scratch):
            target = os.path.join(folder, name)
            if not os.path.exists(target):
                os.replace(os.path.join(scratch, name), target)
        if not os.path.isdir(expected):
            # Keras 2 and tf-keras return the expected path all the same (what the archive held is beside it).
            warnings.warn(f"{archive_path} did not unpack to the folder {os.path.basename(expected)}/ that was "
                          f"expected; its contents are in {folder}.", stacklevel=3)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
