"""Keras 2's enqueuers: read a ``Sequence`` (or pull a generator) ahead of the consumer, in threads or processes.

An enqueuer owns one producer thread. The producer submits work (``sequence[i]`` or ``next(generator)``) to an
executor (a thread pool, or a process pool when ``use_multiprocessing=True``) and puts the futures, in
submission order, into a bounded queue of ``max_queue_size``; ``get()`` takes them out in that order and waits
for each. So an OrderedEnqueuer yields batches in index order (or a ``random.shuffle`` of the indices, as
tf-keras), whatever the number of workers.

Nothing here can hang: every blocking wait (queue put/get, a future, the end of an epoch) wakes up at least
every ``_POLL`` seconds to look at the stop flag, and ``stop()`` cancels what is queued. An exception raised by
the Sequence or generator reaches the consumer, re-raised by ``get()`` (with its traceback; from a worker
process, the worker's traceback is chained as the cause), and stops the enqueuer.

Processes: a Sequence goes to the workers once per epoch (a new pool each epoch, so that state changed by
``on_epoch_end`` reaches them). Under the 'fork' start method (Linux' default up to Python 3.13) the workers
inherit it; under 'spawn' or 'forkserver' it is pickled, so it must be picklable and its class importable. The
start method is multiprocessing's default unless the enqueuer's ``start_method`` attribute (a fastkeras
addition) names another. A generator cannot be pickled: ``GeneratorEnqueuer(use_multiprocessing=True)`` forks,
each worker pulling from its own copy (seed them differently with ``random_seed``, as in tf-keras), and raises
where 'fork' does not exist. A worker process that dies (killed, out of memory) surfaces as
``BrokenProcessPool`` in ``get()`` rather than a hang.
"""
import itertools
import queue
import random
import threading
from concurrent import futures

from fastkeras.utils.py_dataset import batch_count

__all__ = ["SequenceEnqueuer", "OrderedEnqueuer", "GeneratorEnqueuer"]

_POLL = 0.05  # seconds between looks at the stop flag in every blocking wait
_END = "end"  # queue messages: ("future", f), ("error", exception), ("end", None)

# What each worker process received, by enqueuer uid (several enqueuers may run at once).
_WORKER_SOURCES = {}
_UID_LOCK = threading.Lock()
_NEXT_UID = [0]


def _init_worker(uid, source, seed):
    _WORKER_SOURCES[uid] = source
    if seed is not None:
        import multiprocessing
        import os

        import numpy as np
        # A different seed per worker process, so generator copies do not all draw the same numbers.
        np.random.seed((seed + (multiprocessing.current_process().ident or os.getpid())) % (2 ** 32))


def _worker_getitem(uid, index):
    return _WORKER_SOURCES[uid][index]


class _Exhausted:
    """What a worker returns once the generator is spent (a StopIteration cannot cross a Future cleanly)."""


def _worker_next(uid):
    try:
        return next(_WORKER_SOURCES[uid])
    except StopIteration:
        return _Exhausted


class SequenceEnqueuer:
    """Base class of the enqueuers: ``start(workers, max_queue_size)``, then iterate ``get()``, then ``stop()``.

    ``get()`` is an endless stream for an OrderedEnqueuer (epoch after epoch) and ends when a finite generator
    does for a GeneratorEnqueuer. Subclasses implement ``_run`` (the producer loop) and ``get``.
    """

    start_method = None  # multiprocessing start method for use_multiprocessing=True; None: the default

    def __init__(self, sequence, use_multiprocessing=False):
        self.sequence = sequence
        self.use_multiprocessing = bool(use_multiprocessing)
        with _UID_LOCK:
            self.uid = _NEXT_UID[0]
            _NEXT_UID[0] += 1
        self.workers = 0
        self.queue = None
        self.run_thread = None
        self.stop_signal = None
        self._outstanding = 0  # futures handed to the queue and not yet consumed
        self._consumed = threading.Condition()

    # ---- lifecycle ----------------------------------------------------------------

    def is_running(self):
        return self.stop_signal is not None and not self.stop_signal.is_set()

    def start(self, workers=1, max_queue_size=10):
        """Starts the producer thread and ``workers`` threads or processes; at most ``max_queue_size`` batches
        are requested ahead of the consumer."""
        if self.is_running():
            raise RuntimeError(f"This {type(self).__name__} is already running; stop() it first.")
        self.workers = max(1, int(workers))
        self.queue = queue.Queue(max(1, int(max_queue_size)))
        self.stop_signal = threading.Event()
        self._outstanding = 0
        self.run_thread = threading.Thread(target=self._produce, daemon=True,
                                           name=f"fastkeras-{type(self).__name__}-{self.uid}")
        self.run_thread.start()

    def stop(self, timeout=None):
        """Stops the producer, cancels queued work and waits up to ``timeout`` seconds (None: until done) for
        the producer thread to exit. Work already running in a worker finishes in the background."""
        if self.stop_signal is None:
            return
        self.stop_signal.set()
        self._drain()
        with self._consumed:
            self._consumed.notify_all()
        thread = self.run_thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def __del__(self):
        try:
            if self.is_running():
                self.stop(timeout=0)
        except Exception:  # interpreter shutdown: modules may be half torn down
            pass

    # ---- producer side ------------------------------------------------------------

    def _produce(self):
        try:
            self._run()
        except BaseException as e:  # the consumer re-raises it
            self._put(("error", e), force=True)

    def _run(self):
        raise NotImplementedError

    def _put(self, message, force=False):
        """Puts ``message`` in the queue, waiting for room; False when stopped first (unless ``force``, used for
        the last message, which then waits until the consumer stops too)."""
        while force or not self.stop_signal.is_set():
            try:
                self.queue.put(message, timeout=_POLL)
                return True
            except queue.Full:
                if force and self.stop_signal.is_set():
                    return False
        return False

    def _submit(self, executor, fn, *args):
        with self._consumed:
            self._outstanding += 1
        if not self._put(("future", executor.submit(fn, *args))):
            return False
        return True

    def _wait_until_consumed(self):
        """Blocks until the consumer took every future queued so far (or stop); True when all were taken."""
        with self._consumed:
            while self._outstanding > 0 and not self.stop_signal.is_set():
                self._consumed.wait(_POLL)
            return self._outstanding <= 0

    def _executor(self, source, seed=None):
        if not self.use_multiprocessing:
            return futures.ThreadPoolExecutor(self.workers, thread_name_prefix=f"fastkeras-enqueuer-{self.uid}")
        import multiprocessing
        context = multiprocessing.get_context(self._start_method())
        return futures.ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker,
                                           initargs=(self.uid, source, seed))

    def _start_method(self):
        return self.start_method

    @staticmethod
    def _shutdown(executor, cancel=True):
        # Never waits: a batch being read finishes in the background; queued ones run unless cancelled.
        executor.shutdown(wait=False, cancel_futures=cancel)

    # ---- consumer side ------------------------------------------------------------

    def _drain(self):
        q = self.queue
        if q is None:
            return
        while True:
            try:
                kind, payload = q.get_nowait()
            except queue.Empty:
                return
            if kind == "future":
                payload.cancel()

    def _next_message(self):
        """The next queue message, or None once stopped (or the producer is gone and the queue empty)."""
        while self.is_running():
            try:
                return self.queue.get(timeout=_POLL)
            except queue.Empty:
                if not self.run_thread.is_alive() and self.queue.empty():
                    return None
        return None

    def _result(self, future):
        """The future's value (its exception raised), or ``_Exhausted`` when stopped while waiting."""
        while True:
            try:
                value = future.result(timeout=_POLL)
                break
            except futures.TimeoutError:
                if not self.is_running():
                    future.cancel()
                    return _Exhausted
        with self._consumed:
            self._outstanding -= 1
            self._consumed.notify_all()
        return value

    def get(self):
        """A generator of the enqueued batches (skipping ``None``s), until stopped or exhausted."""
        raise NotImplementedError


class OrderedEnqueuer(SequenceEnqueuer):
    """Reads a ``Sequence`` ahead of the consumer, in index order (or shuffled each epoch with ``random.shuffle``
    when ``shuffle=True``), epoch after epoch, calling the Sequence's ``on_epoch_end`` between epochs (once every
    batch of the epoch was taken by the consumer).

    ``use_multiprocessing=True`` reads with worker processes instead of threads (see the module docstring).
    """

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False):
        super().__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle
        self._single_pass = False  # fit's per-epoch use: one pass, then the stream ends

    def _run(self):
        indices = []
        while not self.stop_signal.is_set():
            count = batch_count(self.sequence)
            if count is None:  # a PyDataset without end: index after index until stopped, never shuffled
                indices = itertools.count()
            elif not isinstance(indices, list) or len(indices) != count:
                indices = list(range(count))
            if not indices and not self._single_pass:
                raise ValueError("The Sequence given to OrderedEnqueuer has no batches (len() is 0).")
            if self.shuffle and count is not None:
                random.shuffle(indices)  # the previous epoch's order shuffled again, as tf-keras
            if self.use_multiprocessing:
                executor, fn, args = self._executor(self.sequence), _worker_getitem, (self.uid,)
            else:
                executor, fn, args = self._executor(None), self.sequence.__getitem__, ()
            try:
                for i in indices:
                    if not self._submit(executor, fn, *args, i):
                        return
                if self._single_pass:
                    self._put((_END, None), force=True)
                    return
                # on_epoch_end may change what __getitem__ returns: only once the consumer has every batch.
                if not self._wait_until_consumed():
                    return
            finally:
                self._shutdown(executor, cancel=self.stop_signal.is_set())
            self.sequence.on_epoch_end()

    def get(self):
        try:
            while True:
                message = self._next_message()
                if message is None:
                    return
                kind, payload = message
                if kind == _END:
                    return
                if kind == "error":
                    raise payload
                value = self._result(payload)
                if value is _Exhausted:
                    return
                if value is not None:
                    yield value
        except BaseException as e:
            if not isinstance(e, GeneratorExit):
                self.stop()
            raise


class GeneratorEnqueuer(SequenceEnqueuer):
    """Pulls a generator ahead of the consumer. With threads, ``next`` is called under a lock (so any generator
    works, one item at a time; with several workers the items may come out of order). With
    ``use_multiprocessing=True`` each worker process pulls from its own forked copy of the generator, its NumPy
    RNG seeded with ``random_seed`` plus the worker's id. ``get()`` ends when the generator does.
    """

    def __init__(self, generator, use_multiprocessing=False, random_seed=None):
        super().__init__(generator, use_multiprocessing)
        self.random_seed = random_seed
        self._lock = threading.Lock()

    def _start_method(self):
        import multiprocessing
        if "fork" not in multiprocessing.get_all_start_methods():
            raise RuntimeError("GeneratorEnqueuer(use_multiprocessing=True) needs the 'fork' start method: a "
                               "generator cannot be sent to a spawned process. Use threads, or a Sequence with "
                               "OrderedEnqueuer.")
        return "fork"

    def _next_locked(self):
        with self._lock:
            try:
                return next(self.sequence)
            except StopIteration:
                return _Exhausted
            except ValueError as e:
                if "generator already executing" in str(e):
                    raise RuntimeError("The generator is being read by another thread as well; an enqueuer needs "
                                       "to be its only reader.") from e
                raise

    def _run(self):
        if self.use_multiprocessing:
            executor = self._executor(self.sequence, self.random_seed)
            fn, args = _worker_next, (self.uid,)
        else:
            executor, fn, args = self._executor(None), self._next_locked, ()
        try:
            while not self.stop_signal.is_set():
                if not self._submit(executor, fn, *args):
                    return
        finally:
            self._shutdown(executor)

    def get(self):
        exhausted = False
        try:
            while True:
                message = self._next_message()
                if message is None:
                    return
                kind, payload = message
                if kind == "error":
                    raise payload
                value = self._result(payload)
                if value is _Exhausted:
                    exhausted = True
                    break
                if value is not None:
                    yield value
        except BaseException as e:
            if not isinstance(e, GeneratorExit):
                self.stop()
            raise
        if exhausted:
            # Futures queued after the first exhausted one may still hold items (several workers race for
            # ``next``); keep those that succeeded, then end the stream.
            self.stop_signal.set()
            leftovers = []
            while True:
                try:
                    kind, payload = self.queue.get_nowait()
                except queue.Empty:
                    break
                if kind == "future":
                    leftovers.append(payload)
            self.stop()
            for f in leftovers:
                try:
                    value = f.result(timeout=10)
                except BaseException:
                    continue
                if value is not _Exhausted and value is not None:
                    yield value


def iterate_sequence_once(sequence, workers=1, use_multiprocessing=False, max_queue_size=10, shuffle=False):
    """One pass over ``sequence`` in index order (shuffled with ``random.shuffle`` if ``shuffle``), read ahead by
    an OrderedEnqueuer (what fit, evaluate and predict use for ``workers > 1``). ``on_epoch_end`` is not called:
    the caller does that, as without workers. Closing the generator early (a ``break``, an exception, Ctrl-C)
    stops the enqueuer."""
    enqueuer = OrderedEnqueuer(sequence, use_multiprocessing=use_multiprocessing, shuffle=shuffle)
    enqueuer._single_pass = True
    enqueuer.start(workers=workers, max_queue_size=max_queue_size)
    try:
        yield from enqueuer.get()
    finally:
        enqueuer.stop()
