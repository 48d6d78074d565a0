"""OrderedEnqueuer / GeneratorEnqueuer (orders from tf-keras 2.21: tools/make_enqueuer_audio_fixtures.py) and
fit/evaluate/predict reading a Sequence with workers > 1."""
import faulthandler
import json
import multiprocessing
import os
import random
import threading
import time

import numpy as np
import pytest

import fastkeras as keras
from fastkeras.utils import enqueuers

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "enqueuer_audio")
with open(os.path.join(FIXTURES, "enqueuers.json")) as f:
    REF = json.load(f)

# Every wait in these tests is bounded by this many seconds; a test still running after twice that is a hang, and
# the watchdog below ends the run with every thread's traceback instead of hanging it.
LIMIT = 60


@pytest.fixture(autouse=True)
def watchdog():
    faulthandler.dump_traceback_later(2 * LIMIT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


class IndexSequence(keras.utils.Sequence):
    """Batch i is [i, i, epoch]: the epoch counter shows whether on_epoch_end reached the reader."""

    def __init__(self, n, fail_at=None, delay=0.0):
        self.n = n
        self.fail_at = fail_at
        self.delay = delay
        self.epochs_ended = 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.delay:
            time.sleep(self.delay * ((i * 7) % 3))  # later indices sometimes finish first
        if i == self.fail_at:
            raise KeyError(f"batch {i} is broken")
        return np.array([i, i, self.epochs_ended], dtype="int64")

    def on_epoch_end(self):
        self.epochs_ended += 1


def _take(enqueuer, count):
    stream = enqueuer.get()
    return [next(stream) for _ in range(count)]


def _no_enqueuer_threads_left(timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not [t for t in threading.enumerate() if t.name.startswith("fastkeras-")]:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("workers", [1, 3])
@pytest.mark.parametrize("shuffle", [False, True])
def test_ordered_enqueuer_order_matches_tf_keras(workers, shuffle):
    n, epochs = REF["n"], REF["epochs"]
    seq = IndexSequence(n, delay=0.002)
    random.seed(REF["seed"])
    enqueuer = keras.utils.OrderedEnqueuer(seq, shuffle=shuffle)
    enqueuer.start(workers=workers, max_queue_size=3)
    assert enqueuer.is_running()
    got = _take(enqueuer, n * epochs)
    enqueuer.stop(timeout=LIMIT)
    assert not enqueuer.is_running()
    expected = REF["shuffled" if shuffle else "ordered"]
    assert expected == REF["shuffled_workers3" if shuffle else "ordered_workers3"]
    assert [int(b[0]) for b in got] == expected
    # on_epoch_end ran between epochs, after the epoch's last batch was read
    assert [int(b[2]) for b in got] == [e for e in range(epochs) for _ in range(n)]
    assert seq.epochs_ended in (epochs - 1, epochs)
    assert _no_enqueuer_threads_left()


def test_api_names_match_tf_keras():
    for name, methods in REF["api"].items():
        cls = getattr(keras.utils, name)
        assert sorted(m for m in dir(cls) if not m.startswith("_") and m != "start_method") == methods
    assert issubclass(keras.utils.OrderedEnqueuer, keras.utils.SequenceEnqueuer)
    assert issubclass(keras.utils.GeneratorEnqueuer, keras.utils.SequenceEnqueuer)


def test_ordered_enqueuer_processes_fork():
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    seq = IndexSequence(5, delay=0.002)
    random.seed(REF["seed"])
    enqueuer = keras.utils.OrderedEnqueuer(seq, use_multiprocessing=True, shuffle=True)
    enqueuer.start_method = "fork"
    enqueuer.start(workers=2, max_queue_size=4)
    got = _take(enqueuer, 10)
    enqueuer.stop(timeout=LIMIT)
    random.seed(REF["seed"])
    order = list(range(5))
    expected = []
    for _ in range(2):
        random.shuffle(order)
        expected += order
    assert [int(b[0]) for b in got] == expected
    # a new pool each epoch: the workers see the state on_epoch_end left
    assert [int(b[2]) for b in got] == [0] * 5 + [1] * 5


def test_ordered_enqueuer_processes_spawn():
    # Spawned workers import the Sequence's module (this one) and fastkeras: the slowest start, kept to one.
    seq = IndexSequence(3)
    enqueuer = keras.utils.OrderedEnqueuer(seq, use_multiprocessing=True)
    enqueuer.start_method = "spawn"
    enqueuer.start(workers=1, max_queue_size=2)
    try:
        got = _take(enqueuer, 3)
    finally:
        enqueuer.stop(timeout=LIMIT)
    assert [b.tolist() for b in got] == [[0, 0, 0], [1, 1, 0], [2, 2, 0]]


@pytest.mark.parametrize("use_multiprocessing", [False, True])
def test_sequence_error_reaches_consumer_with_traceback(use_multiprocessing):
    seq = IndexSequence(6, fail_at=3)
    enqueuer = keras.utils.OrderedEnqueuer(seq, use_multiprocessing=use_multiprocessing)
    if use_multiprocessing:
        enqueuer.start_method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    enqueuer.start(workers=2, max_queue_size=2)
    got = []
    with pytest.raises(KeyError, match="batch 3 is broken") as info:
        for batch in enqueuer.get():
            got.append(int(batch[0]))
    assert got == [0, 1, 2]
    assert not enqueuer.is_running()
    if use_multiprocessing:  # the worker's traceback, chained as the cause
        assert "__getitem__" in str(info.value.__cause__) and "batch 3 is broken" in str(info.value.__cause__)
    else:
        frames = [entry.name for entry in info.traceback]
        assert "__getitem__" in frames
    enqueuer.run_thread.join(LIMIT)
    assert not enqueuer.run_thread.is_alive()


def test_stop_while_producer_blocked_on_full_queue_and_early_break():
    seq = IndexSequence(50)
    enqueuer = keras.utils.OrderedEnqueuer(seq)
    enqueuer.start(workers=2, max_queue_size=2)
    for k, _ in enumerate(enqueuer.get()):
        if k == 1:
            break
    time.sleep(0.1)  # the producer is now waiting for room in the queue
    t0 = time.time()
    enqueuer.stop(timeout=LIMIT)
    assert time.time() - t0 < 5
    assert not enqueuer.run_thread.is_alive()
    assert _no_enqueuer_threads_left()
    # a stopped enqueuer's stream ends at once, and it can start again
    assert list(enqueuer.get()) == []
    enqueuer.start(workers=1, max_queue_size=1)
    assert int(next(enqueuer.get())[0]) == 0
    enqueuer.stop(timeout=LIMIT)


def test_keyboard_interrupt_in_consumer_stops_the_enqueuer():
    seq = IndexSequence(20)
    enqueuer = keras.utils.OrderedEnqueuer(seq)
    enqueuer.start(workers=2, max_queue_size=3)
    stream = enqueuer.get()
    next(stream)
    with pytest.raises(KeyboardInterrupt):
        stream.throw(KeyboardInterrupt)
    assert not enqueuer.is_running()
    enqueuer.run_thread.join(LIMIT)
    assert not enqueuer.run_thread.is_alive()


def test_empty_sequence_raises_instead_of_spinning():
    enqueuer = keras.utils.OrderedEnqueuer(IndexSequence(0))
    enqueuer.start()
    with pytest.raises(ValueError, match="no batches"):
        next(enqueuer.get())


def test_generator_enqueuer_finite_generator():
    def gen():
        for i in range(5):
            yield (np.full((1,), i),)

    enqueuer = keras.utils.GeneratorEnqueuer(gen())
    enqueuer.start(workers=1, max_queue_size=2)
    got = [int(item[0][0]) for item in enqueuer.get()]
    enqueuer.stop(timeout=LIMIT)
    assert got == REF["generator_finite"]


def test_generator_enqueuer_threads_share_one_generator_safely():
    def gen():
        for i in range(200):
            yield i

    enqueuer = keras.utils.GeneratorEnqueuer(gen())
    enqueuer.start(workers=4, max_queue_size=5)
    got = list(enqueuer.get())
    enqueuer.stop(timeout=LIMIT)
    assert sorted(got) == list(range(200))  # every item once, none lost at the end


def test_generator_enqueuer_error_and_infinite_stop():
    def broken():
        yield 1
        raise RuntimeError("generator broke")

    enqueuer = keras.utils.GeneratorEnqueuer(broken())
    enqueuer.start(workers=1, max_queue_size=1)
    with pytest.raises(RuntimeError, match="generator broke"):
        list(enqueuer.get())
    assert not enqueuer.is_running()

    def endless():
        i = 0
        while True:
            yield i
            i += 1

    enqueuer = keras.utils.GeneratorEnqueuer(endless())
    enqueuer.start(workers=2, max_queue_size=3)
    stream = enqueuer.get()
    assert [next(stream) for _ in range(3)] == [0, 1, 2] or len({next(stream) for _ in range(3)}) == 3
    enqueuer.stop(timeout=LIMIT)
    assert not enqueuer.run_thread.is_alive()


def test_generator_enqueuer_processes_each_worker_forks_a_copy():
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")

    def gen():
        for i in range(4):
            yield i

    enqueuer = keras.utils.GeneratorEnqueuer(gen(), use_multiprocessing=True, random_seed=3)
    enqueuer.start(workers=1, max_queue_size=2)
    got = list(enqueuer.get())
    enqueuer.stop(timeout=LIMIT)
    assert got == [0, 1, 2, 3]


# ---- fit / evaluate / predict with workers ------------------------------------------------------------


class RegressionSequence(keras.utils.Sequence):
    def __init__(self, n=6, delay=0.0):
        self.n = n
        self.delay = delay
        self.order = np.arange(n)
        self.epochs_ended = 0
        self.reads = []

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.reads.append(i)
        if self.delay:
            time.sleep(self.delay * ((i * 5) % 3))
        rng = np.random.RandomState(int(self.order[i]))
        return rng.rand(4, 3).astype("float32"), rng.rand(4, 1).astype("float32")

    def on_epoch_end(self):
        self.epochs_ended += 1
        self.order = self.order[::-1].copy()  # what the next epoch reads depends on this having run


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def _train(**reading):
    model = _model()
    seq, val = RegressionSequence(delay=0.002), RegressionSequence()
    history = model.fit(seq, epochs=3, verbose=0, validation_data=val, **reading)
    pred = model.predict(RegressionSequence(), **reading)
    loss = model.evaluate(RegressionSequence(), verbose=0, **reading)
    return history.history, seq.epochs_ended, val.epochs_ended, pred, loss


def test_fit_with_workers_matches_workers_1():
    reference = _train()
    assert reference[1] == 3
    for reading in (dict(workers=3, max_queue_size=2), dict(workers=2, use_multiprocessing=True)):
        if reading.get("use_multiprocessing") and "fork" not in multiprocessing.get_all_start_methods():
            continue
        got = _train(**reading)
        assert got[0] == reference[0]
        assert got[1:3] == reference[1:3]
        np.testing.assert_array_equal(got[3], reference[3])
        assert got[4] == reference[4]
    assert _no_enqueuer_threads_left()


def test_fit_with_workers_reads_ahead_in_threads():
    seq = RegressionSequence()
    main = threading.get_ident()
    readers = set()
    original = seq.__getitem__

    def spy(i):
        readers.add(threading.get_ident())
        return original(i)

    seq.__getitem__ = spy  # instance attribute: OrderedEnqueuer calls sequence.__getitem__
    model = _model()
    model.fit(seq, epochs=1, verbose=0, workers=2)
    assert readers and main not in readers


def test_fit_early_stop_and_steps_per_epoch_leave_nothing_running():
    model = _model()
    seq = RegressionSequence(n=30)
    stopper = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: setattr(model, "stop_training", batch == 2))
    model.fit(seq, epochs=5, verbose=0, workers=3, max_queue_size=4, callbacks=[stopper])
    assert _no_enqueuer_threads_left()
    model.fit(seq, epochs=2, steps_per_epoch=4, verbose=0, workers=2)
    assert _no_enqueuer_threads_left()


def test_fit_error_in_sequence_with_workers():
    class Broken(RegressionSequence):
        def __getitem__(self, i):
            if i == 2:
                raise ValueError("bad batch 2")
            return super().__getitem__(i)

    model = _model()
    with pytest.raises(ValueError, match="bad batch 2"):
        model.fit(Broken(), epochs=2, verbose=0, workers=2)
    assert _no_enqueuer_threads_left()


def test_iterate_sequence_once_close_stops():
    stream = enqueuers.iterate_sequence_once(IndexSequence(100), workers=2, max_queue_size=3)
    assert int(next(stream)[0]) == 0
    stream.close()
    assert _no_enqueuer_threads_left()
