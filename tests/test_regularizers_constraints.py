"""fastkeras.regularizers and fastkeras.constraints against numpy formulas and Keras 2's configs."""
import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras import constraints, regularizers
from fastkeras.saving.serialization import get_custom_objects, register_keras_serializable

RNG = np.random.RandomState(3537)
W = RNG.uniform(-50.0, 50.0, (30, 20))
W[0, 0] = 0.0
EPS = 1e-7  # K.epsilon(), which Keras 2 adds to every norm denominator
F32 = float(np.float32(0.01))  # Keras 2 keeps penalty factors in floatx: 0.01 -> 0.009999999776482582


def value(fn, x, dtype="float64"):
    out = fn(K.constant(x, dtype=dtype))
    assert K.is_tensor(out)
    return K.to_numpy(out)


# ---- regularizers -------------------------------------------------------------------------------------------

def test_penalties_match_numpy():
    l1_want = 0.3 * np.abs(W).sum()
    l2_want = 0.2 * np.square(W).sum()
    for reg, want in [(regularizers.L1(0.3), l1_want), (regularizers.L2(0.2), l2_want),
                      (regularizers.L1L2(l1=0.3, l2=0.2), l1_want + l2_want),
                      (regularizers.L1L2(l2=0.2), l2_want), (regularizers.l1_l2(0.3, 0.2), l1_want + l2_want),
                      (regularizers.l1(0.3), l1_want), (regularizers.l2(l=0.2), l2_want)]:
        got = value(reg, W)
        assert got.shape == ()  # a scalar tensor
        np.testing.assert_allclose(got, want, rtol=1e-6)  # factors rounded to float32, as in Keras 2


def test_float32_penalty_and_zero_penalty():
    x = K.constant(W, dtype="float32")
    np.testing.assert_allclose(K.to_numpy(regularizers.L2(0.01)(x)), F32 * np.square(W).sum(), rtol=1e-5)
    zero = regularizers.L1L2()(x)
    assert K.is_tensor(zero) and K.dtype(zero) == "float32" and float(K.to_numpy(zero)) == 0.0


def test_defaults_and_configs():
    assert regularizers.L1().get_config() == {"l1": F32}
    assert regularizers.L2().get_config() == {"l2": F32}
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.l1_l2().get_config() == {"l1": F32, "l2": F32}
    assert regularizers.l1().get_config() == {"l1": F32}
    assert regularizers.L1(l=0.5).get_config() == {"l1": 0.5}  # old argument name
    assert regularizers.L1L2(l1=None, l2=0.5).get_config() == {"l1": 0.0, "l2": 0.5}
    assert regularizers.OrthogonalRegularizer().get_config() == {"factor": F32, "mode": "rows"}
    with pytest.raises(TypeError, match="Argument\\(s\\) not recognized"):
        regularizers.L2(l2=0.1, foo=1)
    for bad in (float("nan"), float("inf"), "0.1", np.float32(0.1)):
        with pytest.raises(ValueError, match="is not a valid regularization penalty number"):
            regularizers.L1L2(l1=bad)


@pytest.mark.parametrize("name,cls,config", [
    ("l1", regularizers.L1, {"l1": F32}), ("l2", regularizers.L2, {"l2": F32}),
    ("l1_l2", regularizers.L1L2, {"l1": F32, "l2": F32}), ("L1L2", regularizers.L1L2, {"l1": 0.0, "l2": 0.0}),
    ("L1", regularizers.L1, {"l1": F32}), ("L2", regularizers.L2, {"l2": F32}),
    ("orthogonal_regularizer", regularizers.OrthogonalRegularizer, {"factor": F32, "mode": "rows"}),
])
def test_regularizer_names(name, cls, config):
    reg = regularizers.get(name)
    assert type(reg) is cls and reg.get_config() == config


@pytest.mark.parametrize("reg", [regularizers.L1(0.25), regularizers.L2(0.5), regularizers.L1L2(0.125, 0.75),
                                 regularizers.OrthogonalRegularizer(0.5, "columns")], ids=lambda r: type(r).__name__)
def test_regularizer_round_trip(reg):
    name = type(reg).__name__
    entry = regularizers.serialize(reg)
    assert entry == {"module": "keras.regularizers", "class_name": name, "config": reg.get_config(),
                     "registered_name": None}
    assert regularizers.serialize(reg, use_legacy_format=True) == {"class_name": name, "config": reg.get_config()}
    for form in (entry, {"class_name": name, "config": reg.get_config()}):
        clone = regularizers.get(form)
        assert type(clone) is type(reg) and clone.get_config() == reg.get_config()
    np.testing.assert_allclose(value(regularizers.get(entry), W), value(reg, W), rtol=1e-12)


def test_regularizer_get_identifiers():
    assert regularizers.get(None) is None
    reg = regularizers.L2(0.1)
    assert regularizers.get(reg) is reg

    def custom(x):
        return K.sum(x)

    assert regularizers.get(custom) is custom
    assert regularizers.deserialize("custom", custom_objects={"custom": custom}) is custom
    with pytest.raises(ValueError, match="Unknown regularizer: 'l3'"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        regularizers.get(0.1)
    for evil in ("math", "os.system", {"module": "os", "class_name": "system", "config": {}}):
        with pytest.raises(ValueError, match="Unknown regularizer"):
            regularizers.get(evil)
    with pytest.raises(NotImplementedError):
        regularizers.Regularizer().get_config()
    assert regularizers.Regularizer()(K.constant(W)) == 0.0


def test_orthogonal_regularizer_matches_numpy():
    x = RNG.randn(6, 4)
    for mode, axis in (("rows", 1), ("columns", 0)):
        n = x / np.sqrt(np.sum(x ** 2, axis=axis, keepdims=True))
        gram = n @ n.T if mode == "rows" else n.T @ n
        size = gram.shape[0]
        off_diagonal = np.abs(gram - np.diag(np.diag(gram))).sum()
        want = 0.5 * 0.5 * off_diagonal / (size * (size - 1) / 2.0)
        np.testing.assert_allclose(value(regularizers.OrthogonalRegularizer(0.5, mode), x), want, rtol=1e-6)
    assert float(value(regularizers.OrthogonalRegularizer(1.0), np.eye(4))) == 0.0
    with pytest.raises(ValueError, match="must have rank 2"):
        regularizers.OrthogonalRegularizer()(K.constant(np.ones((2, 2, 2))))
    with pytest.raises(ValueError, match="Invalid value for argument `mode`"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


def test_custom_regularizer_registered():
    registry = get_custom_objects()
    try:
        @register_keras_serializable(package="RegTest")
        class Sum(regularizers.Regularizer):
            def __init__(self, k=1.0):
                self.k = k

            def __call__(self, x):
                return self.k * K.sum(x)

            def get_config(self):
                return {"k": self.k}

        entry = regularizers.serialize(Sum(2.0))
        assert entry["registered_name"] == "RegTest>Sum" and entry["class_name"] == "Sum"
        clone = regularizers.get(entry)
        assert isinstance(clone, Sum) and clone.k == 2.0
    finally:
        registry.pop("RegTest>Sum", None)


# ---- constraints ---------------------------------------------------------------------------------------------

def np_norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def test_max_norm():
    for m in (0.1, 0.5, 3, 8, 1e-7):
        out = value(constraints.MaxNorm(m), W)
        norms = np_norms(W, 0)
        np.testing.assert_allclose(out, W * np.clip(norms, 0, m) / (EPS + norms), rtol=1e-12)
        assert np.all(np_norms(out, 0) < m)
    # Keras 2's own explicit example (columns scaled down to norm 2, the short one kept).
    x = np.array([[0, 0, 0], [1.0, 0, 0], [3, 0, 0], [3, 3, 3]]).T
    want = np.array([[0, 0, 0], [1.0, 0, 0], [2.0, 0, 0], [2.0 / np.sqrt(3)] * 3]).T
    np.testing.assert_allclose(value(constraints.max_norm(2.0), x), want, rtol=1e-5)
    kernel = RNG.randn(3, 3, 4, 5)
    out = value(constraints.MaxNorm(1.5, axis=[0, 1, 2]), kernel)
    norms = np_norms(kernel, (0, 1, 2))
    np.testing.assert_allclose(out, kernel * np.clip(norms, 0, 1.5) / (EPS + norms), rtol=1e-12)


def test_non_neg():
    out = value(constraints.NonNeg(), W, dtype="float32")
    np.testing.assert_array_equal(out, np.where(W >= 0, W, 0.0).astype("float32"))
    assert np.all(out.min(axis=1) == 0.0)


def test_unit_norm():
    for axis in (0, 1, [0, 1]):
        out = value(constraints.UnitNorm(axis=axis), W)
        np.testing.assert_allclose(out, W / (EPS + np_norms(W, tuple(np.atleast_1d(axis)))), rtol=1e-12)
    unit = np.array([[0.6], [0.8]])  # norm 1: the epsilon is visible
    np.testing.assert_allclose(value(constraints.unit_norm(), unit), unit / (1.0 + EPS), rtol=1e-15)


def test_min_max_norm():
    norms = np_norms(W, 0)
    for lo, hi, rate in ((0.1, 0.2, 1.0), (50.0, 100.0, 1.0), (80.0, 120.0, 0.5), (0.0, 1.0, 0.0)):
        out = value(constraints.MinMaxNorm(lo, hi, rate), W)
        desired = rate * np.clip(norms, lo, hi) + (1 - rate) * norms
        np.testing.assert_allclose(out, W * desired / (EPS + norms), rtol=1e-12)
    out_norms = np_norms(value(constraints.min_max_norm(min_value=3.0, max_value=6.0), W), 0)
    assert np.all(out_norms >= 3.0 - 1e-5) and np.all(out_norms <= 6.0 + 1e-5)


def radial_reference(kernel2d):
    """tf-keras' construction written out: a core from kernel[s-1, s-1], then one padded ring per step."""
    size = kernel2d.shape[0]
    s = size // 2
    if size % 2:
        out, first = np.full((1, 1), kernel2d[s - 1, s - 1]), 0
    else:
        out, first = np.full((2, 2), kernel2d[s - 1, s - 1]), 1
    for i in range(first, s):
        out = np.pad(out, 1, constant_values=kernel2d[s + i, s + i])
    return out


@pytest.mark.parametrize("size", [2, 3, 4, 5, 6, 7])
def test_radial_constraint(size):
    kernel = RNG.rand(size, size, 2, 3)
    out = value(constraints.RadialConstraint(), kernel)
    assert out.shape == kernel.shape
    for c in range(2):
        for k in range(3):
            np.testing.assert_array_equal(out[:, :, c, k], radial_reference(kernel[:, :, c, k]))
    assert len(set(out[..., 0, 0].ravel().tolist())) == (size + 1) // 2  # one value per ring


def test_radial_constraint_documented_layout_and_errors():
    kernel = np.arange(16.0).reshape(4, 4, 1, 1)  # v_ij = 4 i + j
    out = value(constraints.radial_constraint(), kernel)[..., 0, 0]
    v11, v33 = 5.0, 15.0
    want = np.full((4, 4), v33)
    want[1:3, 1:3] = v11
    np.testing.assert_array_equal(out, want)
    with pytest.raises(ValueError, match="must have rank 4"):
        constraints.RadialConstraint()(K.constant(np.ones((3, 3))))


KERAS_CONSTRAINT_CONFIGS = {
    "MaxNorm": {"max_value": 2, "axis": 0}, "NonNeg": {}, "UnitNorm": {"axis": 0},
    "MinMaxNorm": {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}, "RadialConstraint": {},
}


@pytest.mark.parametrize("name", sorted(KERAS_CONSTRAINT_CONFIGS))
def test_constraint_configs(name):
    cls = getattr(constraints, name)
    config = cls().get_config()
    assert config == KERAS_CONSTRAINT_CONFIGS[name]
    entry = constraints.serialize(cls())
    assert entry == {"module": "keras.constraints", "class_name": name, "config": config, "registered_name": None}
    assert constraints.serialize(cls(), use_legacy_format=True) == {"class_name": name, "config": config}
    for form in (entry, {"class_name": name, "config": config}):
        clone = constraints.deserialize(form)
        assert type(clone) is cls and clone.get_config() == config
    custom = cls.from_config(config)
    assert type(custom) is cls


@pytest.mark.parametrize("alias,name", [
    ("max_norm", "MaxNorm"), ("non_neg", "NonNeg"), ("unit_norm", "UnitNorm"), ("min_max_norm", "MinMaxNorm"),
    ("radial_constraint", "RadialConstraint"), ("maxnorm", "MaxNorm"), ("nonneg", "NonNeg"),
    ("unitnorm", "UnitNorm"),
])
def test_constraint_aliases(alias, name):
    cls = getattr(constraints, name)
    assert getattr(constraints, alias) is cls
    assert type(constraints.get(alias)) is cls and type(constraints.get(name)) is cls


def test_constraint_get_identifiers():
    assert constraints.get(None) is None
    c = constraints.MaxNorm(3.0, axis=[0, 1])
    assert constraints.get(c) is c
    clone = constraints.get(constraints.serialize(c))
    assert clone.get_config() == {"max_value": 3.0, "axis": [0, 1]}

    def clip(w):
        return K.clip(w, -1.0, 1.0)

    assert constraints.get(clip) is clip
    with pytest.raises(ValueError, match="Unknown constraint: 'max'"):
        constraints.get("max")
    with pytest.raises(ValueError, match="Could not interpret constraint function identifier"):
        constraints.get(3)
    for evil in ("os.system", "np", {"module": "os", "class_name": "system", "config": {}}):
        with pytest.raises(ValueError, match="Unknown constraint"):
            constraints.get(evil)
    assert value(constraints.Constraint(), W).tolist() == W.tolist()
