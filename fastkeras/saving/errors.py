"""The errors saving and loading raise: every one a ValueError, so ``except ValueError`` keeps working.

``SavingError`` is the root. Loading a file raises one of its subclasses, and
only those, whatever the file holds: the fuzz tests check that.
"""


class SavingError(ValueError):
    """A model or weights file could not be written or read."""


class UnsafeFileError(SavingError):
    """The file asks for something fastkeras never does while loading (run code, follow a link out,
    unpickle, allocate without bound)."""


class FileFormatError(SavingError):
    """The file is not a well-formed model or weights file: corrupt, truncated, or holding a config or
    values that do not make a model."""


class WeightsMismatchError(SavingError):
    """The file is well formed but its weights do not fit the model (counts, shapes, dtypes)."""


def in_file(error_cls, filepath, message):
    """``error_cls`` with the message prefixed by the file it concerns."""
    return error_cls(f"{filepath!s}: {message}") if filepath else error_cls(message)
