"""Row-sparse Embedding gradients in fit (CPU): the same training as the dense gradients, for every rule.

The parity with tf-keras' sparse branches is in test_training_parity.py; here the row-sparse path is compared
with the dense one on what the fixtures do not cover: a table shared by two inputs (two sparse gradients summed),
a table with a regularizer (sparse plus dense: autograd makes it dense), momentum slots, and an optimizer
without a row rule.
"""

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import optimizers
from fastkeras.engine import torch_trainer

L = keras.layers

OPTIMIZERS = {
    "rmsprop": lambda: optimizers.RMSprop(0.01),
    "rmsprop_momentum": lambda: optimizers.RMSprop(0.01, momentum=0.9),
    "rmsprop_centered": lambda: optimizers.RMSprop(0.01, centered=True, momentum=0.5),
    "sgd": lambda: optimizers.SGD(0.05),
    "sgd_momentum": lambda: optimizers.SGD(0.01, momentum=0.9),
    "sgd_nesterov": lambda: optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    "adagrad": lambda: optimizers.Adagrad(0.1),
    "adam": lambda: optimizers.Adam(0.01),
}


def train(make_optimizer, sparse, monkeypatch, regularizer=None):
    prepare = torch_trainer.Trainer.prepare

    def prepare_with_choice(self):
        prepare(self)
        self._sparse_table_grads = self._sparse_table_grads and sparse
    monkeypatch.setattr(torch_trainer.Trainer, "prepare", prepare_with_choice)
    a, b = L.Input((6,), dtype="int32"), L.Input((3,), dtype="int32")
    table = L.Embedding(50, 4, embeddings_regularizer=regularizer)
    x = L.concatenate([L.Flatten()(table(a)), L.Flatten()(table(b))])
    model = keras.Model([a, b], L.Dense(1)(x))
    optimizer = make_optimizer()
    model.compile(optimizer, "mse")
    rng = np.random.default_rng(5)
    model.set_weights([0.3 * rng.standard_normal(w.shape).astype("float32") for w in model.get_weights()])
    data = np.random.default_rng(1)
    xs = [data.integers(0, 10, (64, 6)).astype("int32"), data.integers(0, 50, (64, 3)).astype("int32")]
    model.fit(xs, data.random((64, 1)).astype("float32"), batch_size=16, epochs=3, verbose=0, shuffle=False)
    return model.get_weights(), [K.to_numpy(v) for v in optimizer.variables]


@pytest.mark.parametrize("regularizer", [None, "l2"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_row_sparse_training_equals_dense(name, regularizer, monkeypatch):
    sparse_weights, sparse_slots = train(OPTIMIZERS[name], True, monkeypatch, regularizer)
    dense_weights, dense_slots = train(OPTIMIZERS[name], False, monkeypatch, regularizer)
    for got, want in zip(sparse_weights + sparse_slots, dense_weights + dense_slots):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


def test_fit_gives_the_table_a_row_sparse_gradient_only_on_the_cpu_path(monkeypatch):
    seen = []
    step = optimizers.RMSprop.step

    def spy(self, params, grads):
        seen.append([K.is_row_sparse(g) for g in grads])
        return step(self, params, grads)
    monkeypatch.setattr(optimizers.RMSprop, "step", spy)
    ids = L.Input((4,), dtype="int32")
    model = keras.Model(ids, L.Dense(1)(L.Flatten()(L.Embedding(30, 2)(ids))))
    model.compile("rmsprop", "mse")
    model.fit(np.arange(32).reshape(8, 4) % 30, np.ones((8, 1)), batch_size=8, verbose=0)
    expected = K.default_device().type == "cpu"
    assert seen == [[expected, False, False]]
    # Outside fit (a user's own gradient computation) the table's gradient stays dense.
    grads = K.gradients(K.sum(model(np.zeros((1, 4), "int32"))), model.trainable_weights)
    assert not any(K.is_row_sparse(g) for g in grads)


def test_optimizer_without_row_rule_gets_dense_gradients(monkeypatch):
    got = []

    class PlainSGD(optimizers.Optimizer):
        def __init__(self):
            super().__init__(name="PlainSGD", clipvalue=10.0)  # clipping asks fit for row-sparse gradients
            self._learning_rate = self._build_learning_rate(0.1)

        def update_step(self, gradient, variable):
            got.append(K.is_row_sparse(gradient))
            variable.assign_sub(0.1 * gradient)
    ids = L.Input((4,), dtype="int32")
    model = keras.Model(ids, L.Dense(1)(L.Flatten()(L.Embedding(30, 2)(ids))))
    model.compile(PlainSGD(), "mse")
    model.fit(np.arange(32).reshape(8, 4) % 30, np.ones((8, 1)), batch_size=8, verbose=0)
    assert got and not any(got)
