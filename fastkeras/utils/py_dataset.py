"""Keras 3's ``keras.utils.PyDataset``: a ``Sequence`` that carries its own reading settings.

    class Batches(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)          # workers, use_multiprocessing, max_queue_size
            ...
        def __len__(self):                      # or a `num_batches` property (None: no end)
            ...
        def __getitem__(self, index):           # a batch: x, (x,), (x, y) or (x, y, sample_weight)
            ...

    model.fit(Batches(x, y, 32, workers=4))

``fit``/``evaluate``/``predict`` read it as they read a Keras 2 ``Sequence`` (ahead of the model by an
``OrderedEnqueuer`` when ``workers > 1`` or ``use_multiprocessing``), except that the settings come from the
dataset, ``on_epoch_begin`` runs before each epoch, and a dataset read for fewer steps than it holds
(``steps_per_epoch``) continues where the previous epoch stopped, as in Keras 3.
"""
import warnings

from fastkeras.utils.data_utils import Sequence

__all__ = ["PyDataset", "batch_count", "reads_itself"]

_DEFAULTS = {"_workers": 1, "_use_multiprocessing": False, "_max_queue_size": 10}


class PyDataset(Sequence):
    """Base class of a dataset of batches read by index (see the module docstring).

    Args:
        workers: How many threads (or processes) read batches ahead of the model; 1 reads them in the training
            loop itself.
        use_multiprocessing: Read in worker processes rather than threads: worth it when making a batch is
            Python-heavy work; the dataset must then be picklable (or the platform must fork).
        max_queue_size: How many batches may be read ahead of the model.

    These settings are how ``fit`` reads the dataset; iterating over it by hand reads it in order, one batch at
    a time. Subclasses implement ``__getitem__`` and either ``__len__`` or the ``num_batches`` property.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _setting(self, attribute):
        if attribute not in self.__dict__:
            # A subclass whose __init__ forgot super().__init__(**kwargs): Keras 3 warns and reads with defaults.
            warnings.warn("Your `PyDataset` class should call `super().__init__(**kwargs)` in its constructor. "
                          "`**kwargs` can include `workers`, `use_multiprocessing`, `max_queue_size`. Do not pass "
                          "these arguments to `fit()`, as they will be ignored.", stacklevel=3)
            for name, value in _DEFAULTS.items():
                self.__dict__.setdefault(name, value)
        return self.__dict__[attribute]

    @property
    def workers(self):
        return self._setting("_workers")

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return self._setting("_use_multiprocessing")

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return self._setting("_max_queue_size")

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index) to return a batch.")

    @property
    def num_batches(self):
        """The number of batches, or None for a dataset without end (then give ``fit`` a ``steps_per_epoch``).
        Defaults to ``len(self)`` when the subclass defines ``__len__``."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__` or the `num_batches` "
                                  "property:\n\n@property\ndef num_batches(self):\n  return ...")

    def __len__(self):
        # Keras 3's PyDataset has no len() of its own; this one answers for a subclass that defines only
        # `num_batches`, so that code sizing a Sequence with len() can size it too.
        if type(self).num_batches is PyDataset.num_batches:
            raise TypeError(f"{type(self).__name__} has no len(): it implements neither `__len__` nor "
                            "`num_batches`.")
        count = self.num_batches
        if count is None:
            raise TypeError(f"{type(self).__name__} has no len(): its `num_batches` is None (no end).")
        return count

    def __iter__(self):
        count = self.num_batches
        index = 0
        while count is None or index < count:
            yield self[index]
            index += 1

    def on_epoch_begin(self):
        """Called before each epoch's first batch is read; does nothing unless overridden."""

    def on_epoch_end(self):
        """Called after each epoch; does nothing unless overridden."""


def batch_count(source):
    """How many batches a Sequence or PyDataset holds; None for a PyDataset without end."""
    if isinstance(source, PyDataset):
        return source.num_batches
    return len(source)


def reads_itself(source):
    """Whether ``fit`` reads ``source`` as Keras 3 reads a PyDataset (with its own ``workers``,
    ``use_multiprocessing`` and ``max_queue_size``, calling ``on_epoch_begin``, continuing where a shortened epoch
    stopped): a PyDataset, or a ``Sequence`` whose subclass passed those settings to ``super().__init__``, as code
    written for Keras 3 (where ``Sequence`` is ``PyDataset``) does."""
    return isinstance(source, PyDataset) or (isinstance(source, Sequence)
                                             and getattr(source, "__dict__", {}).get("_reads_itself") is True)


def begin_epoch(source):
    """Keras 3's ``on_epoch_begin`` of a dataset that reads itself, when it has one."""
    hook = getattr(source, "on_epoch_begin", None)
    if callable(hook):
        hook()
