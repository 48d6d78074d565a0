"""keras.random (Keras 3) on fastkeras: shapes, dtypes, seeding and statistics (not Keras 3's exact numbers,
which differ per backend)."""
import numpy as np
import pytest
import torch

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import ops

random = keras.random
DRAWS = {
    "normal": lambda shape, seed: random.normal(shape, mean=1.0, stddev=2.0, seed=seed),
    "uniform": lambda shape, seed: random.uniform(shape, minval=-1.0, maxval=3.0, seed=seed),
    "truncated_normal": lambda shape, seed: random.truncated_normal(shape, stddev=0.5, seed=seed),
    "randint": lambda shape, seed: random.randint(shape, 2, 9, seed=seed),
    "gamma": lambda shape, seed: random.gamma(shape, alpha=2.5, seed=seed),
    "beta": lambda shape, seed: random.beta(shape, alpha=2.0, beta=5.0, seed=seed),
    "binomial": lambda shape, seed: random.binomial(shape, counts=10, probabilities=0.3, seed=seed),
}
DTYPES = {"randint": torch.int32}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_shape_dtype_and_int_seed(name):
    draw = DRAWS[name]
    a, b = draw((4, 5), 7), draw((4, 5), 7)
    assert tuple(a.shape) == (4, 5) and a.dtype == DTYPES.get(name, torch.float32)
    assert a.device == K.default_device()
    assert torch.equal(a, b), "the same int seed must give the same numbers"
    assert not torch.equal(draw((4, 5), 7), draw((4, 5), 8))


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_seed_generator_draws_anew_and_replays(name):
    draw = DRAWS[name]
    g1, g2 = random.SeedGenerator(42), random.SeedGenerator(42)
    first, second = draw((64,), g1), draw((64,), g1)
    assert not torch.equal(first, second)
    assert torch.equal(first, draw((64,), g2)) and torch.equal(second, draw((64,), g2))


def test_statistics():
    n = (20000,)
    x = K.to_numpy(random.normal(n, mean=1.0, stddev=2.0, seed=1))
    assert abs(x.mean() - 1.0) < 0.06 and abs(x.std() - 2.0) < 0.06
    u = K.to_numpy(random.uniform(n, minval=-1.0, maxval=3.0, seed=1))
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.05
    t = K.to_numpy(random.truncated_normal(n, mean=0.5, stddev=0.5, seed=1))
    assert t.min() >= -0.5 - 1e-6 and t.max() <= 1.5 + 1e-6 and abs(t.mean() - 0.5) < 0.02
    r = K.to_numpy(random.randint(n, 2, 9, seed=1))
    assert r.min() == 2 and r.max() == 8
    g = K.to_numpy(random.gamma(n, alpha=2.5, seed=1))
    assert g.min() > 0 and abs(g.mean() - 2.5) < 0.08 and abs(g.var() - 2.5) < 0.25
    small = K.to_numpy(random.gamma(n, alpha=0.5, seed=2))
    assert abs(small.mean() - 0.5) < 0.03
    b = K.to_numpy(random.beta(n, alpha=2.0, beta=5.0, seed=1))
    assert 0 < b.min() and b.max() < 1 and abs(b.mean() - 2.0 / 7.0) < 0.01
    k = K.to_numpy(random.binomial(n, counts=10, probabilities=0.3, seed=1))
    assert set(np.unique(k)) <= set(range(11)) and abs(k.mean() - 3.0) < 0.06


def test_categorical():
    logits = np.log(np.array([[0.7, 0.2, 0.1], [0.0001, 0.0001, 0.9998]], "float32"))
    s = random.categorical(logits, 5000, seed=3)
    assert tuple(s.shape) == (2, 5000) and s.dtype == torch.int32
    freq = np.bincount(K.to_numpy(s[0]), minlength=3) / 5000
    np.testing.assert_allclose(freq, [0.7, 0.2, 0.1], atol=0.03)
    assert (K.to_numpy(s[1]) == 2).mean() > 0.99
    assert torch.equal(s, random.categorical(logits, 5000, seed=3))


def test_dropout_and_shuffle():
    x = ops.ones((200, 50))
    y = random.dropout(x, 0.3, seed=1)
    kept = K.to_numpy(y) != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(K.to_numpy(y)[kept], 1 / 0.7, rtol=1e-6)
    assert torch.equal(y, random.dropout(x, 0.3, seed=1))
    z = K.to_numpy(random.dropout(x, 0.5, noise_shape=(1, 50), seed=2))
    assert (z == z[:1]).all(), "noise_shape broadcasts one mask over the batch"
    v = ops.arange(10)
    s = random.shuffle(v, seed=4)
    assert sorted(K.to_numpy(s).tolist()) == list(range(10)) and torch.equal(s, random.shuffle(v, seed=4))
    m = ops.reshape(ops.arange(12), (3, 4))
    cols = K.to_numpy(random.shuffle(m, axis=1, seed=5))
    assert sorted(cols[0].tolist()) == [0, 1, 2, 3] and (cols[1] - cols[0] == 4).all()


def test_unseeded_draws_follow_torch_global_seed():
    torch.manual_seed(11)
    a = random.normal((3,))
    torch.manual_seed(11)
    assert torch.equal(a, random.normal((3,)))


def test_bad_seed_is_refused():
    with pytest.raises(ValueError, match="seed"):
        random.normal((2,), seed="abc")
    with pytest.raises(ValueError, match="seed"):
        random.SeedGenerator(1.5)


def test_random_in_a_custom_layer_trains():
    class NoisyDense(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.dense = keras.layers.Dense(units)
            self.seed_generator = random.SeedGenerator(1337)

        def call(self, inputs, training=None):
            if training:
                inputs = inputs + random.normal(ops.shape(inputs), stddev=0.01, seed=self.seed_generator)
            return self.dense(inputs)

    x = np.random.RandomState(0).rand(64, 3).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32")
    model = keras.Sequential([keras.Input((3,)), NoisyDense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.5
