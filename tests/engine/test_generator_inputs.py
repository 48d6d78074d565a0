"""Generators and Sequences in fit: Keras 2's *_generator methods, class weights on generator batches, and a
Sequence that can also be next()-ed (ImageDataGenerator's iterators) read by index from batch 0 each epoch."""
import warnings

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((3,)), layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((24, 3)).astype("float32"), rng.integers(0, 2, 24).astype("float32")


def _batches(x, y, sw=None):
    while True:
        for i in range(0, len(x), 8):
            yield (x[i:i + 8], y[i:i + 8]) if sw is None else (x[i:i + 8], y[i:i + 8], sw[i:i + 8])


def test_generator_methods_warn_and_do_what_fit_evaluate_predict_do():
    x, y = _data()
    a, b = _model(), _model()
    with pytest.warns(UserWarning, match="`Model.fit_generator` is deprecated.*`Model.fit`"):
        a.fit_generator(_batches(x, y), steps_per_epoch=3, epochs=2, verbose=0)
    b.fit(_batches(x, y), steps_per_epoch=3, epochs=2, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb)
    with pytest.warns(UserWarning, match="evaluate_generator"):
        loss = a.evaluate_generator(_batches(x, y), steps=3)
    assert np.isclose(loss, a.evaluate(x, y, batch_size=8, verbose=0))
    with pytest.warns(UserWarning, match="predict_generator"):
        out = a.predict_generator((x[i:i + 8] for i in range(0, 24, 8)), steps=3)
    np.testing.assert_allclose(out, a.predict(x, verbose=0), rtol=1e-6)


def test_class_weight_applies_to_generator_batches_as_to_arrays():
    x, y = _data()
    weights = {0: 0.5, 1: 3.0}
    a, b, c = _model(), _model(), _model()
    a.fit(_batches(x, y), steps_per_epoch=3, epochs=1, verbose=0, class_weight=weights, shuffle=False)
    b.fit(x, y, batch_size=8, epochs=1, verbose=0, class_weight=weights, shuffle=False)
    sw = np.where(y == 1, 3.0, 0.5).astype("float32")
    c.fit(_batches(x, y, sw), steps_per_epoch=3, epochs=1, verbose=0)
    for wa, wb, wc in zip(a.get_weights(), b.get_weights(), c.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5)
        np.testing.assert_allclose(wa, wc, rtol=1e-5)


class NextableSequence(keras.utils.Sequence):
    """A Sequence that is also an iterator, as Keras' image iterators are."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y, self.read, self.position = x, y, [], 0

    def __len__(self):
        return 3

    def __getitem__(self, i):
        self.read.append(i)
        return self.x[i * 8:(i + 1) * 8], self.y[i * 8:(i + 1) * 8]

    def __next__(self):
        item = self[self.position % 3]
        self.position += 1
        return item


def test_a_sequence_that_can_be_nexted_restarts_at_batch_zero_each_epoch():
    x, y = _data()
    seq = NextableSequence(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _model().fit(seq, steps_per_epoch=2, epochs=3, verbose=0, shuffle=False)
    assert seq.read == [0, 1, 0, 1, 0, 1]


@pytest.mark.parametrize("workers", [1, 2])
def test_fit_shuffles_a_sequences_batch_order_each_epoch_as_tf_keras(workers):
    """fit(shuffle=True), the default, reads a Sequence's batches in the order Python's random.shuffle gives
    list(range(len)) at each epoch (tf-keras' convention); evaluate and predict read them in order."""
    import random
    x, y = _data()
    seq = NextableSequence(x, y)
    random.seed(7)
    want = []
    for _ in range(3):
        order = list(range(3))
        random.shuffle(order)
        want += order
    model = _model()  # (set_random_seed seeds Python's random too)
    random.seed(7)
    model.fit(seq, epochs=3, verbose=0, workers=workers)
    assert seq.read == want and sorted(want) != want
    seq.read.clear()
    model.evaluate(seq, verbose=0, workers=workers)
    model.predict(seq, verbose=0, workers=workers)
    assert seq.read == [0, 1, 2, 0, 1, 2]
