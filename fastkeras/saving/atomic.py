"""Atomic file replacement: a save either completes or leaves the previous file as it was.

The new content goes to a temporary file in the target's directory (same file
system, so the final ``os.replace`` is an atomic rename), is flushed and
fsynced, then renamed over the target; the directory is fsynced so the rename
survives a power loss. A crash, Ctrl-C or full disk before the rename leaves
the old file intact (and at worst a stray ``.<name>.*.tmp`` file).
"""
import contextlib
import os


def _check_target(filepath, overwrite, make_directories=False):
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"Cannot save to {filepath!r}: it is a directory.")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"Cannot save to {filepath!r}: the file exists and overwrite=False.")
    directory = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(directory):
        if not make_directories:
            raise FileNotFoundError(f"Cannot save to {filepath!r}: the directory {directory!r} does not exist.")
        os.makedirs(directory, exist_ok=True)
    return directory


def _fsync_file(path):
    """Pushes the file's data to disk; a failure (a full disk, an I/O error) aborts the save."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory):
    """Makes the rename durable where the platform allows it (some cannot fsync directories)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def confirm_overwrite(filepath, overwrite):
    """Keras' rule for ``overwrite=False``: when ``filepath`` exists, the user is asked whether to replace it.

    Returns the ``overwrite`` a save should go on with (True once the user agreed), or None when the user
    declined, and the save does nothing. Where no answer can be read (no terminal, stdin closed), the
    question raises FileExistsError and the existing file stays as it was.
    """
    filepath = os.fspath(filepath)
    if overwrite or not os.path.isfile(filepath):
        return overwrite
    # Looked up where Keras 2 kept the question (keras.engine.saving), which hands it to io_utils', so code that
    # replaces either one (to answer it in tests or GUIs) is asked.
    from fastkeras.engine import saving as keras2_saving
    return True if keras2_saving.ask_to_proceed_with_overwrite(filepath) else None


@contextlib.contextmanager
def atomic_path(filepath, overwrite=True, make_directories=False):
    """Yields a temporary path next to ``filepath``; on success its content replaces ``filepath``.

    The caller writes (and closes) the temporary file inside the block. ``make_directories`` creates missing
    parent directories first (Keras does so for whole-model HDF5 files) instead of refusing.
    """
    filepath = os.fspath(filepath)
    directory = _check_target(filepath, overwrite, make_directories)
    base = os.path.basename(filepath)
    tmp = None
    for attempt in range(1000):
        candidate = os.path.join(directory, f".{base}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        tmp = candidate
        break
    if tmp is None:
        raise FileExistsError(f"Cannot create a temporary file next to {filepath!r}.")
    try:
        yield tmp
        _fsync_file(tmp)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"Cannot save to {filepath!r}: the file exists and overwrite=False.")
        os.replace(tmp, filepath)
        tmp = None
        _fsync_directory(directory)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.remove(tmp)


@contextlib.contextmanager
def atomic_write(filepath, overwrite=True):
    """Yields a binary file object; its content replaces ``filepath`` once the block completes."""
    with atomic_path(filepath, overwrite) as tmp:
        with open(tmp, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
