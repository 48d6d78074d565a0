"""fastkeras.initializers: statistics of large samples, seeds, orthogonality and Keras 2's configs."""
import math
import random
import warnings

import numpy as np
import pytest

import fastkeras
from fastkeras import backend as K
from fastkeras import initializers
from fastkeras.saving.serialization import get_custom_objects, register_keras_serializable

N = 200_000  # samples for the statistical checks: standard errors well under the tolerances used
TRUNC_STD = 0.87962566103423978  # std of a unit normal truncated to [-2, 2]


def sample(init, shape, dtype=None):
    out = init(shape, dtype=dtype)
    assert K.is_tensor(out) and tuple(out.shape) == tuple(shape)
    assert out.device.type == K.default_device().type  # 'cuda' and 'cuda:0' are the same place
    assert K.dtype(out) == (dtype or K.floatx())
    return K.to_numpy(out).astype("float64")


# ---- deterministic initializers -------------------------------------------------------------------------

def test_zeros_ones_constant():
    assert np.array_equal(sample(initializers.Zeros(), (2, 3)), np.zeros((2, 3)))
    assert np.array_equal(sample(initializers.Ones(), (4,)), np.ones(4))
    assert np.array_equal(sample(initializers.Constant(2.5), (2, 2), "float64"), np.full((2, 2), 2.5))
    assert np.array_equal(sample(initializers.Zeros(), (3,), "int32"), np.zeros(3))
    assert np.array_equal(sample(initializers.Ones(), (2, 2), "int64"), np.ones((2, 2)))
    assert np.array_equal(sample(initializers.Constant(7), (3,), "int32"), [7, 7, 7])
    assert sample(initializers.Constant(3.0), ()).shape == ()
    values = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert np.array_equal(sample(initializers.Constant(values), (3, 2)), values)
    assert np.array_equal(sample(initializers.Constant(np.arange(6.0)), (2, 3)), np.arange(6.0).reshape(2, 3))
    assert np.array_equal(sample(initializers.Constant([4.0]), (2, 2)), np.full((2, 2), 4.0))
    with pytest.raises(TypeError):
        initializers.Constant([1.0, 2.0])((3, 3))


def test_identity():
    assert np.array_equal(sample(initializers.Identity(), (3, 3)), np.eye(3))
    assert np.array_equal(sample(initializers.Identity(gain=2.0), (2, 4)), 2.0 * np.eye(2, 4))
    assert np.array_equal(sample(initializers.Identity(), (4, 2), "float64"), np.eye(4, 2))
    with pytest.raises(ValueError, match="only be used for 2D matrices"):
        initializers.Identity()((2, 2, 2))


# ---- random initializers: statistics --------------------------------------------------------------------

def test_random_uniform():
    x = sample(initializers.RandomUniform(-0.3, 0.7, seed=1), (N,))
    assert x.min() >= -0.3 and x.max() < 0.7
    assert abs(x.mean() - 0.2) < 0.005 and abs(x.std() - 1.0 / math.sqrt(12)) < 0.005
    x = sample(initializers.RandomUniform(seed=2), (400, 500))
    assert x.min() >= -0.05 and x.max() < 0.05 and abs(x.std() - 0.1 / math.sqrt(12)) < 0.0005


def test_random_uniform_integers():
    x = sample(initializers.RandomUniform(-2, 5, seed=3), (20_000,), "int32")
    assert set(np.unique(x).tolist()) == set(range(-2, 5))  # [minval, maxval), every value drawn
    counts = np.bincount((x + 2).astype(int))
    assert counts.min() > 2_500  # about 2857 each


def test_random_normal():
    x = sample(initializers.RandomNormal(mean=1.0, stddev=2.0, seed=4), (N,))
    assert abs(x.mean() - 1.0) < 0.03 and abs(x.std() - 2.0) < 0.03
    x = sample(initializers.RandomNormal(seed=5), (N,), "float64")
    assert abs(x.mean()) < 0.001 and abs(x.std() - 0.05) < 0.001


def test_truncated_normal():
    x = sample(initializers.TruncatedNormal(mean=0.5, stddev=2.0, seed=6), (N,))
    assert x.min() >= 0.5 - 4.0 - 1e-6 and x.max() <= 0.5 + 4.0 + 1e-6  # within two standard deviations
    assert abs(x.mean() - 0.5) < 0.03 and abs(x.std() - 2.0 * TRUNC_STD) < 0.03
    assert x.min() < 0.5 - 3.9 and x.max() > 0.5 + 3.9  # truncated, not clipped narrower


CONV_SHAPE = (3, 3, 40, 60)  # receptive field 9: fan_in 360, fan_out 540


@pytest.mark.parametrize("mode,n", [("fan_in", 360), ("fan_out", 540), ("fan_avg", 450)])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform", "normal"])
def test_variance_scaling(mode, n, distribution):
    scale = 3.0
    init = initializers.VarianceScaling(scale=scale, mode=mode, distribution=distribution, seed=7)
    x = sample(init, CONV_SHAPE)
    target = math.sqrt(scale / n)  # the standard deviation of the samples, whatever the distribution
    assert abs(x.std() - target) / target < 0.02 and abs(x.mean()) < 0.05 * target
    if distribution in ("truncated_normal", "normal"):
        assert init.distribution == "truncated_normal"
        assert np.abs(x).max() <= 2.0 * target / TRUNC_STD * (1 + 1e-6)
    elif distribution == "uniform":
        limit = math.sqrt(3.0 * scale / n)
        assert np.abs(x).max() <= limit and np.abs(x).max() > 0.99 * limit
    else:
        assert np.abs(x).max() > 3.0 * target  # normal tails are not truncated


@pytest.mark.parametrize("shape,fans", [((), (1, 1)), ((700,), (700, 700)), ((200, 300), (200, 300)),
                                        ((5, 30, 40), (150, 200))])
def test_fans(shape, fans):
    fan_in, fan_out = fans
    x = sample(initializers.VarianceScaling(1.0, "fan_in", "untruncated_normal", seed=8), shape)
    if x.size > 1000:
        assert abs(x.std() - math.sqrt(1.0 / fan_in)) / math.sqrt(1.0 / fan_in) < 0.05
    x = sample(initializers.VarianceScaling(1.0, "fan_out", "uniform", seed=9), shape)
    assert np.abs(x).max() <= math.sqrt(3.0 / fan_out)


NAMED = {
    # class: (expected std, expected uniform limit or None) for a (fan_in, fan_out) = (300, 500) kernel
    initializers.GlorotUniform: (math.sqrt(2.0 / 800), math.sqrt(6.0 / 800)),
    initializers.GlorotNormal: (math.sqrt(2.0 / 800), None),
    initializers.HeUniform: (math.sqrt(2.0 / 300), math.sqrt(6.0 / 300)),
    initializers.HeNormal: (math.sqrt(2.0 / 300), None),
    initializers.LecunUniform: (math.sqrt(1.0 / 300), math.sqrt(3.0 / 300)),
    initializers.LecunNormal: (math.sqrt(1.0 / 300), None),
}


@pytest.mark.parametrize("cls", list(NAMED), ids=lambda c: c.__name__)
def test_named_variance_scaling(cls):
    std, limit = NAMED[cls]
    x = sample(cls(seed=10), (300, 500))
    assert abs(x.std() - std) / std < 0.02
    if limit is None:
        assert np.abs(x).max() <= 2.0 * std / TRUNC_STD * (1 + 1e-6)
    else:
        assert np.abs(x).max() <= limit and np.abs(x).max() > 0.99 * limit
    assert isinstance(cls(), initializers.VarianceScaling)
    assert cls(seed=3).get_config() == {"seed": 3}


# ---- orthogonal -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(64, 64), (100, 30), (30, 100), (3, 3, 4, 8), (2, 50)])
def test_orthogonal(shape):
    gain = 1.5
    q = sample(initializers.Orthogonal(gain=gain, seed=11), shape).reshape(-1, shape[-1])
    rows, cols = q.shape
    gram = q.T @ q if rows >= cols else q @ q.T
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(min(rows, cols)), atol=1e-4)
    assert K.dtype(initializers.Orthogonal(seed=1)((4, 4), dtype="float64")) == "float64"
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal()((5,))


# ---- seeds --------------------------------------------------------------------------------------------------

RANDOM_CLASSES = [initializers.RandomUniform, initializers.RandomNormal, initializers.TruncatedNormal,
                  initializers.VarianceScaling, initializers.Orthogonal, initializers.GlorotUniform,
                  initializers.HeNormal]


@pytest.mark.parametrize("cls", RANDOM_CLASSES, ids=lambda c: c.__name__)
def test_seeded_is_deterministic(cls):
    a = sample(cls(seed=42), (20, 30))
    assert np.array_equal(a, sample(cls(seed=42), (20, 30)))  # another instance with the same seed
    init = cls(seed=42)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a seeded initializer called twice does not warn
        assert np.array_equal(sample(init, (20, 30)), sample(init, (20, 30)))
    assert not np.array_equal(a, sample(cls(seed=43), (20, 30)))


@pytest.mark.parametrize("cls", RANDOM_CLASSES, ids=lambda c: c.__name__)
def test_unseeded(cls):
    a, b = cls(), cls()
    first = sample(a, (20, 30))
    assert not np.array_equal(first, sample(b, (20, 30)))  # distinct instances, distinct values
    with pytest.warns(UserWarning, match="is unseeded and being called multiple times"):
        again = sample(a, (20, 30))
    assert np.array_equal(first, again)  # tf-keras: an instance keeps the seed it drew
    fastkeras.utils.set_random_seed(99)
    c = sample(cls(), (20, 30))
    fastkeras.utils.set_random_seed(99)
    assert np.array_equal(c, sample(cls(), (20, 30)))  # reproducible under set_random_seed


def test_dtypes():
    for dtype in ("float16", "bfloat16", "float32", "float64"):
        for init in (initializers.GlorotUniform(seed=1), initializers.TruncatedNormal(seed=1),
                     initializers.RandomNormal(seed=1), initializers.Identity(), initializers.Orthogonal(seed=1)):
            assert K.dtype(init((8, 8), dtype=dtype)) == dtype
    for init in (initializers.RandomNormal(), initializers.TruncatedNormal(), initializers.GlorotNormal(),
                 initializers.Orthogonal(), initializers.Identity()):
        with pytest.raises(ValueError, match="Expected floating point type"):
            init((2, 2), dtype="int32")
    with pytest.raises(ValueError, match="Expected float or integer dtype"):
        initializers.RandomUniform()((2,), dtype="bool")
    with pytest.raises(TypeError, match="Unknown keyword arguments"):
        initializers.Zeros()((2,), foo=1)


def test_floatx_is_the_default():
    K.set_floatx("float64")
    try:
        for init in (initializers.Zeros(), initializers.Constant(1.0), initializers.GlorotUniform(seed=1),
                     initializers.Identity()):
            assert K.dtype(init((3, 3))) == "float64"
    finally:
        K.set_floatx("float32")


def test_variance_scaling_validation():
    with pytest.raises(ValueError, match="`scale` must be positive float"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="Invalid `mode` argument"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="Invalid `distribution` argument"):
        initializers.VarianceScaling(distribution="cauchy")
    assert initializers.VarianceScaling(distribution="Uniform").distribution == "uniform"


# ---- configs, lookup and serialization ------------------------------------------------------------------------

KERAS_CONFIG_KEYS = {
    "Zeros": set(), "Ones": set(), "Constant": {"value"}, "RandomUniform": {"minval", "maxval", "seed"},
    "RandomNormal": {"mean", "stddev", "seed"}, "TruncatedNormal": {"mean", "stddev", "seed"},
    "VarianceScaling": {"scale", "mode", "distribution", "seed"}, "Orthogonal": {"gain", "seed"},
    "Identity": {"gain"}, "GlorotUniform": {"seed"}, "GlorotNormal": {"seed"}, "HeNormal": {"seed"},
    "HeUniform": {"seed"}, "LecunNormal": {"seed"}, "LecunUniform": {"seed"},
}


@pytest.mark.parametrize("name", sorted(KERAS_CONFIG_KEYS))
def test_config_keys_and_round_trip(name):
    cls = getattr(initializers, name)
    init = cls()
    config = init.get_config()
    assert set(config) == KERAS_CONFIG_KEYS[name]
    clone = cls.from_config(dict(config, dtype="float32"))  # from_config drops a stray dtype, as Keras 2 does
    assert type(clone) is cls and clone.get_config() == config
    entry = initializers.serialize(init)
    assert entry == {"module": "keras.initializers", "class_name": name, "config": config, "registered_name": None}
    assert initializers.serialize(init, use_legacy_format=True) == {"class_name": name, "config": config}
    for form in (entry, {"class_name": name, "config": config}):
        rebuilt = initializers.deserialize(form)
        assert type(rebuilt) is cls and rebuilt.get_config() == config


def test_default_configs():
    assert initializers.RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    assert initializers.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert initializers.TruncatedNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert initializers.VarianceScaling().get_config() == {"scale": 1.0, "mode": "fan_in",
                                                           "distribution": "truncated_normal", "seed": None}
    assert initializers.Orthogonal().get_config() == {"gain": 1.0, "seed": None}
    assert initializers.Identity().get_config() == {"gain": 1.0}
    assert initializers.Constant().get_config() == {"value": 0}


ALIASES = {
    "zeros": "Zeros", "zero": "Zeros", "ones": "Ones", "one": "Ones", "constant": "Constant",
    "uniform": "RandomUniform", "random_uniform": "RandomUniform", "normal": "RandomNormal",
    "random_normal": "RandomNormal", "truncated_normal": "TruncatedNormal", "glorot_uniform": "GlorotUniform",
    "glorot_normal": "GlorotNormal", "he_normal": "HeNormal", "he_uniform": "HeUniform",
    "lecun_normal": "LecunNormal", "lecun_uniform": "LecunUniform", "orthogonal": "Orthogonal",
    "identity": "Identity", "variance_scaling": "VarianceScaling", "GlorotUniformV2": "GlorotUniform",
    "glorot_uniformV2": "GlorotUniform", "ZerosV2": "Zeros",
    # Keras 3.15's longer names (keras.initializers.IdentityInitializer is its Identity class).
    "IdentityInitializer": "Identity", "OrthogonalInitializer": "Orthogonal",
}


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_aliases(alias):
    cls = getattr(initializers, ALIASES[alias])
    init = initializers.get(alias)
    assert type(init) is cls and init is not initializers.get(alias)  # a new instance each time
    assert type(initializers.get(ALIASES[alias])) is cls
    if alias in ALIASES.values() or "V2" in alias:
        return
    assert getattr(initializers, alias) is cls  # module-level shortcut


def test_get_identifiers():
    assert initializers.get(None) is None
    init = initializers.HeNormal(seed=1)
    assert initializers.get(init) is init
    assert type(initializers.get(initializers.Orthogonal)) is initializers.Orthogonal  # a class is instantiated

    def fn(shape, dtype=None):
        return K.zeros(shape, dtype=dtype)

    assert initializers.get(fn) is fn
    rebuilt = initializers.get({"class_name": "RandomNormal", "config": {"mean": 1.0, "stddev": 2.0, "seed": 5}})
    assert rebuilt.get_config() == {"mean": 1.0, "stddev": 2.0, "seed": 5}
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        initializers.get(12)
    with pytest.raises(ValueError, match="Unknown initializer: 'glorot'"):
        initializers.get("glorot")
    for evil in ("os.system", {"module": "os", "class_name": "system", "config": {}}, "__import__"):
        with pytest.raises(ValueError, match="Unknown initializer"):
            initializers.get(evil)


def test_constant_array_values():
    value = np.array([1.0, 2.0, 3.0], dtype="float32")
    entry = initializers.serialize(initializers.Constant(value))
    assert entry["config"]["value"] == {"class_name": "__numpy__", "config": {"value": [1.0, 2.0, 3.0],
                                                                                "dtype": "float32"}}
    rebuilt = initializers.deserialize(entry)
    assert np.array_equal(sample(rebuilt, (3,)), [1.0, 2.0, 3.0])
    assert initializers.serialize(initializers.Constant(np.float32(0.5)))["config"] == {"value": 0.5}


def test_custom_initializer_registered():
    registry = get_custom_objects()
    try:
        @register_keras_serializable(package="InitTest")
        class Twos(initializers.Initializer):
            def __init__(self, scale=1.0):
                self.scale = scale

            def __call__(self, shape, dtype=None, **kwargs):
                return K.ones(shape, dtype=dtype) * (2.0 * self.scale)

            def get_config(self):
                return {"scale": self.scale}

        entry = initializers.serialize(Twos(3.0))
        assert entry == {"module": __name__, "class_name": "Twos", "config": {"scale": 3.0},
                         "registered_name": "InitTest>Twos"}
        assert initializers.serialize(Twos(), use_legacy_format=True)["class_name"] == "InitTest>Twos"
        rebuilt = initializers.get(entry)
        assert isinstance(rebuilt, Twos) and np.array_equal(sample(rebuilt, (2,)), [6.0, 6.0])
        assert isinstance(initializers.get("InitTest>Twos"), Twos)
    finally:
        registry.pop("InitTest>Twos", None)


def test_unseeded_seed_comes_from_python_random():
    random.seed(5)
    a = sample(initializers.GlorotUniform(), (4, 4))
    random.seed(5)
    assert np.array_equal(a, sample(initializers.GlorotUniform(), (4, 4)))
