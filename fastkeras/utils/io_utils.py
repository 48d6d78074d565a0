"""Interactive logging (Keras 2's ``keras.utils.enable_interactive_logging`` ...).

Enabled (the default), progress bars and messages go to stdout; disabled, each message goes to the
``logging`` logger named 'fastkeras' at INFO level (tf-keras sends them to absl logging), which suits
jobs on servers. The setting is per thread, as in tf-keras.
"""
import logging
import sys
import threading

from fastkeras.utils.h5_dict import H5Dict, load_from_binary_h5py, save_to_binary_h5py  # noqa: F401  (Keras 2.3)
from fastkeras.utils.hdf5_matrix import HDF5Matrix  # noqa: F401  (Keras 2 kept it here)

INTERACTIVE_LOGGING = threading.local()
INTERACTIVE_LOGGING_DEFAULT = True

logger = logging.getLogger("fastkeras")


def enable_interactive_logging():
    """Sends logs (progress bars, messages) to stdout."""
    INTERACTIVE_LOGGING.enable = True


def disable_interactive_logging():
    """Sends logs to the 'fastkeras' ``logging`` logger instead of stdout."""
    INTERACTIVE_LOGGING.enable = False


def is_interactive_logging_enabled():
    """Whether logs go to stdout (True) or to the 'fastkeras' logger (False)."""
    return getattr(INTERACTIVE_LOGGING, "enable", INTERACTIVE_LOGGING_DEFAULT)


def print_msg(message, line_break=True):
    """Writes ``message`` to stdout, or logs it when interactive logging is disabled."""
    if is_interactive_logging_enabled():
        sys.stdout.write(message + "\n" if line_break else message)
        sys.stdout.flush()
    else:
        text = message.replace("\b", "").strip("\r\n")
        if text.strip():
            logger.info(text)


def ask_to_proceed_with_overwrite(filepath):
    """Asks on stdin whether to overwrite ``filepath`` ('y' or 'n', asked again until one of them); True to
    proceed. Saving with ``overwrite=False`` onto an existing file asks this, as Keras does. Where nothing can be
    read from stdin (no terminal, input closed, output captured), raises FileExistsError instead of guessing."""
    answer = _answer(filepath, f"[WARNING] {filepath} already exists - overwrite? [y/n]")
    while answer not in ("y", "n"):
        answer = _answer(filepath, 'Enter "y" (overwrite) or "n" (cancel).')
    if answer == "n":
        return False
    print_msg("[TIP] Next time specify overwrite=True!")
    return True


def _answer(filepath, question):
    try:
        return input(question).strip().lower()
    except (EOFError, OSError) as e:  # OSError: pytest and other harnesses forbid reading a captured stdin
        raise FileExistsError(f"Cannot save to {filepath!r}: the file exists and overwrite=False, and no answer to "
                              f"'overwrite? [y/n]' could be read from stdin ({type(e).__name__}). Pass "
                              "overwrite=True to replace it, or save under another name.") from None


__all__ = ["enable_interactive_logging", "disable_interactive_logging", "is_interactive_logging_enabled",
           "print_msg", "ask_to_proceed_with_overwrite", "HDF5Matrix", "H5Dict", "save_to_binary_h5py",
           "load_from_binary_h5py"]
