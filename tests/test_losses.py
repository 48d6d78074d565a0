"""fastkeras.losses against values computed by real tf-keras 2.21.

The expected values live in tests/fixtures/losses_metrics/ (cases.json + arrays.npz), written by
tools/make_loss_metric_fixtures.py (see its docstring to regenerate them).
"""
import warnings

import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras import losses

from fixture_cases import case_params, load_cases, tensor_of

DOC, ARRAYS = load_cases("losses_metrics")

RTOL = 1e-6
ATOL = 1e-7


def cases(kind):
    return case_params(DOC, kind)


def tensor(key):
    return tensor_of(ARRAYS, key)


def assert_matches(actual, expected, rtol=RTOL, atol=ATOL):
    actual = K.get_value(actual)
    assert actual.shape == expected.shape, f"shape {actual.shape} != expected {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * max(1.0, float(np.max(np.abs(expected)))))


@pytest.mark.parametrize("case", cases("loss_fn"))
def test_loss_function_matches_tf_keras(case):
    fn = getattr(losses, case["fn"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        out = fn(tensor(case["y_true"]), tensor(case["y_pred"]), **case["kwargs"])
    assert_matches(out, ARRAYS[case["expected"]])


@pytest.mark.parametrize("case", cases("loss_obj"))
def test_loss_object_matches_tf_keras(case):
    obj = getattr(losses, case["class"])(**case["config"])
    y_true, y_pred = tensor(case["y_true"]), tensor(case["y_pred"])
    assert_matches(obj.call(y_true, y_pred), ARRAYS[case["expected_call"]])
    if case.get("mask"):
        y_pred._keras_mask = tensor(case["mask"])  # as the engine marks a masked layer output
    out = obj(y_true, y_pred, sample_weight=tensor(case["sample_weight"]))
    assert_matches(out, ARRAYS[case["expected"]])
    assert obj.get_config() == case["tf_config"]


@pytest.mark.parametrize("class_name", sorted(DOC["default_loss_configs"]))
def test_default_configs_and_round_trip(class_name):
    cls = getattr(losses, class_name)
    obj = cls()
    assert obj.get_config() == DOC["default_loss_configs"][class_name]
    clone = cls.from_config(obj.get_config())
    assert type(clone) is cls and clone.get_config() == obj.get_config()
    restored = losses.deserialize(losses.serialize(obj))
    assert type(restored) is cls and restored.get_config() == obj.get_config()


def test_config_round_trip_keeps_arguments():
    obj = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, axis=1, reduction="sum", name="cce")
    config = losses.serialize(obj)  # tf-keras 2.21's format
    inner = {"reduction": "sum", "name": "cce", "from_logits": True, "label_smoothing": 0.2, "axis": 1,
             "fn": "categorical_crossentropy"}
    assert config == {"module": "keras.losses", "class_name": "CategoricalCrossentropy", "config": inner,
                      "registered_name": None}
    assert losses.deserialize(config).get_config() == obj.get_config()
    legacy = losses.serialize(obj, use_legacy_format=True)
    assert legacy == {"class_name": "CategoricalCrossentropy", "config": inner}
    assert losses.deserialize(legacy).get_config() == obj.get_config()
    huber = losses.get({"class_name": "Huber", "config": {"delta": 2.0, "reduction": "none", "name": "h"}})
    assert isinstance(huber, losses.Huber) and huber._fn_kwargs == {"delta": 2.0} and huber.reduction == "none"
    # tf-keras' newer format, with 'module' and 'registered_name'
    assert isinstance(losses.get({"module": "keras.losses", "class_name": "MeanSquaredError", "registered_name": None,
                                  "config": {"reduction": "auto", "name": "mean_squared_error",
                                             "fn": "mean_squared_error"}}), losses.MeanSquaredError)
    assert losses.get({"module": "builtins", "class_name": "function", "config": "mean_squared_error",
                       "registered_name": "function"}) is losses.mean_squared_error


def test_loss_function_wrapper_config_round_trip():
    wrapper = losses.LossFunctionWrapper(losses.huber, reduction="sum", name="wrapped", delta=0.5)
    config = wrapper.get_config()
    assert config == {"reduction": "sum", "name": "wrapped", "delta": 0.5, "fn": "huber"}
    restored = losses.LossFunctionWrapper.from_config(config)
    assert restored.fn is losses.huber and restored.get_config() == config
    y_true, y_pred = np.array([[0.0, 3.0]]), np.array([[1.0, 0.0]])
    np.testing.assert_allclose(K.get_value(restored(y_true, y_pred)),
                               K.get_value(losses.Huber(delta=0.5, reduction="sum")(y_true, y_pred)), rtol=1e-6)


@pytest.mark.parametrize("name,expected", [
    ("mse", "mean_squared_error"), ("MSE", "mean_squared_error"), ("mean_squared_error", "mean_squared_error"),
    ("mae", "mean_absolute_error"), ("mape", "mean_absolute_percentage_error"),
    ("msle", "mean_squared_logarithmic_error"), ("kld", "kl_divergence"), ("KLD", "kl_divergence"),
    ("kullback_leibler_divergence", "kl_divergence"), ("logcosh", "log_cosh"), ("huber_loss", "huber"),
    ("bce", "binary_crossentropy"), ("cosine_proximity", "cosine_similarity"),
    ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"), ("hinge", "hinge"),
    ("squared_hinge", "squared_hinge"), ("categorical_hinge", "categorical_hinge"), ("poisson", "poisson"),
])
def test_get_function_names(name, expected):
    fn = losses.get(name)
    assert callable(fn) and fn.__name__ == expected


def test_get_class_names_functions_and_instances():
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    obj = losses.Huber(delta=3.0)
    assert losses.get(obj) is obj
    assert losses.get(losses.poisson) is losses.poisson
    assert losses.get(None) is None

    def my_loss(y_true, y_pred):
        return K.mean(y_pred - y_true, axis=-1)
    assert losses.get(my_loss) is my_loss
    assert losses.deserialize("my_loss", custom_objects={"my_loss": my_loss}) is my_loss
    assert losses.serialize(losses.mse) == {"module": "builtins", "class_name": "function",
                                            "config": "mean_squared_error", "registered_name": "function"}
    assert losses.serialize(losses.mse, use_legacy_format=True) == "mean_squared_error"
    assert losses.deserialize(losses.serialize(losses.mse)) is losses.mean_squared_error


def test_unknown_names_raise():
    with pytest.raises(ValueError, match="Unknown loss function: 'foo'"):
        losses.get("foo")
    with pytest.raises(ValueError, match="Unknown loss function: 'Foo'"):
        losses.deserialize({"class_name": "Foo", "config": {}})
    with pytest.raises(ValueError, match="Could not interpret loss function identifier: 3"):
        losses.get(3)
    with pytest.raises(ValueError, match="Invalid Reduction Key: bad"):
        losses.MeanSquaredError(reduction="bad")
    with pytest.raises(ValueError, match="`axis` must be of type `int`"):
        losses.categorical_crossentropy(np.eye(3), np.eye(3), axis=True)


def test_reductions_by_hand():
    y_true = np.array([[0.0, 1.0], [0.0, 0.0]], dtype="float32")
    y_pred = np.array([[1.0, 1.0], [1.0, 0.0]], dtype="float32")
    assert float(K.get_value(losses.MeanSquaredError()(y_true, y_pred))) == pytest.approx(0.5)
    assert float(K.get_value(losses.MeanSquaredError()(y_true, y_pred, sample_weight=[0.7, 0.3]))) == \
        pytest.approx(0.25)
    assert float(K.get_value(losses.MeanSquaredError(reduction="sum")(y_true, y_pred))) == pytest.approx(1.0)
    np.testing.assert_allclose(K.get_value(losses.MeanSquaredError(reduction="none")(y_true, y_pred)), [0.5, 0.5])
    # the weighted sum is divided by the number of elements, not by the sum of the weights
    out = losses.compute_weighted_loss(K.convert_to_tensor(np.array([1.0, 2.0, 3.0, 4.0], dtype="float32")),
                                       sample_weight=np.array([1.0, 0.0, 0.0, 1.0]))
    assert float(K.get_value(out)) == pytest.approx(1.25)
    empty = losses.compute_weighted_loss(K.zeros((0,)))
    assert float(K.get_value(empty)) == 0.0


def test_sample_weight_that_cannot_be_squeezed_raises():
    # tf-keras: (4,) labels with (4, 1) predictions give a scalar per-batch loss, which a (4,) weight cannot match
    with pytest.raises(ValueError, match="squeeze"):
        losses.MeanSquaredError()(np.zeros(4), np.ones((4, 1)), sample_weight=np.ones(4))


def test_sparse_labels_out_of_range_give_nan_without_host_check():
    out = K.get_value(losses.sparse_categorical_crossentropy(np.array([0, 3, -2]), np.full((3, 3), 1 / 3)))
    assert np.isfinite(out[0]) and np.isnan(out[1]) and np.isnan(out[2])


def test_ignore_class_carries_mask_for_the_training_loop():
    labels = np.array([0, 2, 1, 2])
    probs = np.full((4, 3), 1 / 3, dtype="float32")
    per_sample = losses.SparseCategoricalCrossentropy(ignore_class=2).call(labels, probs)
    mask = K.get_value(losses.get_mask(per_sample))
    np.testing.assert_array_equal(mask, [True, False, True, False])
    np.testing.assert_allclose(K.get_value(per_sample), [np.log(3), 0, np.log(3), 0], rtol=1e-6)
    sw = losses.apply_valid_mask(per_sample, None, losses.get_mask(per_sample), "sum_over_batch_size")
    reduced = losses.compute_weighted_loss(per_sample, sw, "sum_over_batch_size")
    assert float(K.get_value(reduced)) == pytest.approx(np.log(3), rel=1e-6)


@pytest.mark.skipif(K.backend() != "torch", reason="uses torch autograd")
def test_gradients_flow_from_logits():
    logits = K.variable(np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 30.0]]))
    loss = losses.CategoricalCrossentropy(from_logits=True)(np.eye(3)[[0, 1]], logits)
    loss.backward()
    grad = K.get_value(logits.grad)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, atol=1e-6)


def test_categorical_crossentropy_warns_on_single_class():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((2, 1)), np.ones((2, 1)))


def _cuda_available():
    if K.backend() != "torch":
        return False
    import torch
    return torch.cuda.is_available() and K.default_device().type == "cuda"


@pytest.mark.skipif(not _cuda_available(), reason="needs the torch engine on CUDA")
def test_losses_do_not_synchronise_with_the_host():
    import torch
    rng = np.random.default_rng(0)
    probs = K.convert_to_tensor(rng.dirichlet(np.ones(5), size=8).astype("float32"))
    onehot = K.convert_to_tensor(np.eye(5, dtype="float32")[rng.integers(0, 5, 8)])
    labels = K.convert_to_tensor(rng.integers(0, 5, 8))
    sw = K.convert_to_tensor(rng.uniform(size=8).astype("float32"))
    objects = [getattr(losses, name)() for name in DOC["default_loss_configs"]]
    objects += [losses.SparseCategoricalCrossentropy(ignore_class=3), losses.BinaryCrossentropy(from_logits=True),
                losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)]

    def run():
        for obj in objects:
            y_true = labels if isinstance(obj, losses.SparseCategoricalCrossentropy) else onehot
            obj.call(y_true, probs)
            obj(y_true, probs, sample_weight=sw)
    run()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        run()
    finally:
        torch.cuda.set_sync_debug_mode("default")
