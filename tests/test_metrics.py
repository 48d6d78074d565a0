"""fastkeras.metrics against values computed by real tf-keras 2.21.

The expected values live in tests/fixtures/losses_metrics/ (cases.json + arrays.npz), written by
tools/make_loss_metric_fixtures.py (see its docstring to regenerate them).
"""

import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras import losses, metrics

from fixture_cases import case_params, load_cases, tensor_of

DOC, ARRAYS = load_cases("losses_metrics")

RTOL = 1e-6
AUC_RTOL = 1e-5
ATOL = 1e-7


def cases(kind):
    return case_params(DOC, kind)


def tensor(key):
    return tensor_of(ARRAYS, key)


def assert_matches(actual, expected, rtol=RTOL, atol=ATOL):
    actual = K.get_value(actual)
    assert actual.shape == expected.shape, f"shape {actual.shape} != expected {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * max(1.0, float(np.max(np.abs(expected)))))


def build(case):
    config = dict(case["config"])
    if case["class"] == "MeanMetricWrapper":
        return metrics.MeanMetricWrapper(metrics.get(config.pop("fn")), **config)
    return getattr(metrics, case["class"])(**config)


def update(obj, case, batch):
    sw = tensor(batch["sample_weight"])
    if case["class"] in ("Mean", "Sum"):
        obj.update_state(tensor(batch["values"]), sample_weight=sw)
    else:
        obj.update_state(tensor(batch["y_true"]), tensor(batch["y_pred"]), sample_weight=sw)


@pytest.mark.parametrize("case", cases("metric_fn"))
def test_metric_function_matches_tf_keras(case):
    out = getattr(metrics, case["fn"])(tensor(case["y_true"]), tensor(case["y_pred"]), **case["kwargs"])
    assert_matches(out, ARRAYS[case["expected"]])


@pytest.mark.parametrize("case", cases("metric_obj"))
def test_metric_object_matches_tf_keras(case):
    obj = build(case)
    expected = ARRAYS[case["expected"]]
    rtol = AUC_RTOL if case["class"] == "AUC" else RTOL
    for i, batch in enumerate(case["batches"]):
        update(obj, case, batch)
        assert_matches(obj.result(), expected[i], rtol=rtol)
    assert obj.get_config() == case["tf_config"]
    # state survives a config round trip only as configuration; the clone starts from zero
    clone = type(obj).from_config(obj.get_config())
    assert clone.get_config() == obj.get_config()
    for batch in case["batches"]:
        update(clone, case, batch)
    assert_matches(clone.result(), expected[-1], rtol=rtol)
    obj.reset_state()
    assert np.all(K.get_value(obj.result()) == 0)


@pytest.mark.parametrize("class_name", sorted(DOC["default_metric_names"]))
def test_default_names_and_configs(class_name):
    K.reset_uids()
    obj = getattr(metrics, class_name)()
    assert obj.name == DOC["default_metric_names"][class_name]
    assert obj.get_config() == DOC["default_metric_configs"][class_name]
    assert obj.dtype == "float32"
    restored = metrics.deserialize(metrics.serialize(obj))
    assert type(restored) is type(obj) and restored.get_config() == obj.get_config()


def test_unnamed_metrics_get_unique_names():
    K.reset_uids()
    assert [metrics.Precision().name for _ in range(3)] == ["precision", "precision_1", "precision_2"]
    assert metrics.AUC().name == "auc"
    assert metrics.MeanMetricWrapper(losses.mse).name == "mean_metric_wrapper"


RULE_IDS = [f"{r['identifier']}-{r['y_true_shape']}-{r['y_pred_shape']}" for r in DOC["accuracy_rule"]]


@pytest.mark.parametrize("rule", DOC["accuracy_rule"], ids=RULE_IDS)
def test_resolve_accuracy_follows_compile_rule(rule):
    for loss in (None, "binary_crossentropy", losses.CategoricalCrossentropy()):
        obj = metrics.resolve_accuracy(rule["identifier"], loss, tuple(rule["y_true_shape"]),
                                       tuple(rule["y_pred_shape"]))
        assert isinstance(obj, metrics.MeanMetricWrapper)
        assert obj._fn.__name__ == rule["fn"] and obj.name == rule["name"]


def test_resolve_accuracy_rejects_other_names():
    with pytest.raises(ValueError, match="resolve_accuracy"):
        metrics.resolve_accuracy("auc", None, (4, 1), (4, 1))


@pytest.mark.parametrize("name,expected", [
    ("accuracy", "accuracy"), ("acc", "accuracy"), ("binary_accuracy", "binary_accuracy"),
    ("categorical_accuracy", "categorical_accuracy"), ("sparse_categorical_accuracy", "sparse_categorical_accuracy"),
    ("top_k_categorical_accuracy", "top_k_categorical_accuracy"),
    ("sparse_top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"), ("mse", "mean_squared_error"),
    ("mae", "mean_absolute_error"), ("mape", "mean_absolute_percentage_error"),
    ("msle", "mean_squared_logarithmic_error"), ("logcosh", "log_cosh"), ("log_cosh", "log_cosh"),
    ("cosine_similarity", "cosine_similarity"), ("cosine_proximity", "cosine_similarity"),
    ("binary_crossentropy", "binary_crossentropy"), ("categorical_crossentropy", "categorical_crossentropy"),
    ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"), ("hinge", "hinge"),
    ("kullback_leibler_divergence", "kl_divergence"), ("poisson", "poisson"),
])
def test_get_function_names(name, expected):
    fn = metrics.get(name)
    assert callable(fn) and not isinstance(fn, metrics.Metric) and fn.__name__ == expected


def test_metric_cosine_similarity_is_positive_and_loss_is_negative():
    y = np.array([[1.0, 2.0, 3.0]])
    assert float(K.get_value(metrics.cosine_similarity(y, y)[0])) == pytest.approx(1.0, rel=1e-6)
    assert float(K.get_value(losses.cosine_similarity(y, y)[0])) == pytest.approx(-1.0, rel=1e-6)


def test_get_classes_instances_and_custom_objects():
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get("Precision"), metrics.Precision)
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    m = metrics.Mean()
    assert metrics.get(m) is m
    restored = metrics.get({"class_name": "AUC", "config": {"num_thresholds": 10, "curve": "PR", "name": "pr_auc"}})
    assert restored.num_thresholds == 10 and restored.curve == "PR" and restored.name == "pr_auc"

    def my_metric(y_true, y_pred):
        return K.mean(y_pred, axis=-1)
    assert metrics.get(my_metric) is my_metric
    assert metrics.deserialize("my_metric", custom_objects={"my_metric": my_metric}) is my_metric
    wrapper = metrics.MeanMetricWrapper(my_metric, name="mine")
    config = metrics.serialize(wrapper)
    assert config == {"module": "keras.metrics", "class_name": "MeanMetricWrapper",
                      "config": {"name": "mine", "dtype": "float32", "fn": "my_metric"}, "registered_name": None}
    assert metrics.serialize(wrapper, use_legacy_format=True) == {
        "class_name": "MeanMetricWrapper", "config": {"name": "mine", "dtype": "float32", "fn": "my_metric"}}
    clone = metrics.deserialize(config, custom_objects={"my_metric": my_metric})
    assert clone._fn is my_metric and clone.name == "mine"


def test_unknown_names_raise():
    with pytest.raises(ValueError, match="Unknown metric function: 'foo'"):
        metrics.get("foo")
    with pytest.raises(ValueError, match="Unknown metric function: 'Foo'"):
        metrics.deserialize({"class_name": "Foo", "config": {}})
    with pytest.raises(ValueError, match="Could not interpret metric identifier: 3"):
        metrics.get(3)
    with pytest.raises(ValueError, match='Invalid AUC curve value: "bad"'):
        metrics.AUC(curve="bad")
    with pytest.raises(ValueError, match="Invalid AUC summation method"):
        metrics.AUC(summation_method="bad")
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        metrics.Precision(thresholds=[1.5])
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)
    with pytest.raises(TypeError, match="bogus"):
        metrics.Mean(bogus=1)


def test_state_lives_in_tensors_on_the_default_device():
    m = metrics.AUC()
    m.update_state([0, 1, 1, 0], [0.1, 0.8, 0.4, 0.3])
    for v in m.variables:
        assert K.is_tensor(v) and v.device.type == K.default_device().type
        assert not v.requires_grad
    assert K.is_tensor(m.result())
    weights = m.get_weights()
    fresh = metrics.AUC()
    fresh.set_weights(weights)
    assert float(K.get_value(fresh.result())) == pytest.approx(float(K.get_value(m.result())))


def test_call_updates_and_returns_result_and_reset_states_alias():
    m = metrics.Mean()
    assert float(K.get_value(m([1.0, 3.0]))) == 2.0
    assert float(K.get_value(m(6.0, sample_weight=2.0))) == pytest.approx(4.0)
    m.reset_states()
    assert float(K.get_value(m.result())) == 0.0
    s = metrics.Sum()
    s.update_state([1.0, 2.0], sample_weight=[1.0, 3.0])
    assert float(K.get_value(s.result())) == 7.0


def test_merge_state():
    a, b = metrics.Precision(), metrics.Precision()
    a.update_state([1, 0, 1], [0.9, 0.8, 0.1])
    b.update_state([1, 1, 0], [0.7, 0.6, 0.2])
    a.merge_state([b])
    assert float(K.get_value(a.result())) == pytest.approx(3 / 4)


def test_metrics_do_not_track_gradients():
    if K.backend() != "torch":
        pytest.skip("torch-specific check")
    y_pred = K.variable(np.array([[0.2, 0.8], [0.6, 0.4]]))
    for m in (metrics.CategoricalAccuracy(), metrics.MeanSquaredError(), metrics.AUC(), metrics.Precision()):
        m.update_state(np.eye(2), y_pred)
        assert not m.result().requires_grad


def test_legacy_reset_states_override_is_called():
    class Counter(metrics.Metric):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.n = self.add_weight("n")
            self.resets = 0

        def update_state(self, values):
            K.update_add(self.n, 1.0)

        def result(self):
            return self.n * 1

        def reset_states(self):
            self.resets += 1
            K.update(self.n, 0.0)

    c = Counter(name="c")
    c.update_state(None)
    c.reset_state()
    assert c.resets == 1 and float(K.get_value(c.result())) == 0.0


def _cuda_available():
    if K.backend() != "torch":
        return False
    import torch
    return torch.cuda.is_available() and K.default_device().type == "cuda"


@pytest.mark.skipif(not _cuda_available(), reason="needs the torch engine on CUDA")
def test_update_state_and_result_do_not_synchronise_with_the_host():
    import torch
    rng = np.random.default_rng(0)
    probs = K.convert_to_tensor(rng.dirichlet(np.ones(4), size=16).astype("float32"))
    onehot = K.convert_to_tensor(np.eye(4, dtype="float32")[rng.integers(0, 4, 16)])
    labels = K.convert_to_tensor(rng.integers(0, 4, (16, 1)))
    sw = K.convert_to_tensor(rng.uniform(size=16).astype("float32"))
    objects = [getattr(metrics, name)() for name in DOC["default_metric_names"] if name not in ("Mean", "Sum")]
    objects += [metrics.AUC(curve="PR"), metrics.AUC(multi_label=True), metrics.AUC(thresholds=[0.2, 0.7]),
                metrics.Precision(top_k=2), metrics.Recall(class_id=1, thresholds=[0.0, 0.5, 1.0]),
                metrics.SparseCategoricalCrossentropy(ignore_class=2), metrics.SensitivityAtSpecificity(0.5),
                metrics.PrecisionAtRecall(0.5, num_thresholds=1), metrics.TopKCategoricalAccuracy(k=2),
                metrics.MeanMetricWrapper(losses.mse)]
    sparse = (metrics.SparseCategoricalAccuracy, metrics.SparseTopKCategoricalAccuracy,
              metrics.SparseCategoricalCrossentropy)
    mean, total = metrics.Mean(), metrics.Sum()

    def run():
        for obj in objects:
            y_true = labels if isinstance(obj, sparse) else onehot
            obj.update_state(y_true, probs, sample_weight=sw)
            obj.update_state(y_true, probs)
            obj.result()
        mean.update_state(probs, sample_weight=sw)
        total.update_state(probs)
        mean.result(), total.result()
        for obj in objects + [mean, total]:
            obj.reset_state()
    run()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        run()
    finally:
        torch.cuda.set_sync_debug_mode("default")
