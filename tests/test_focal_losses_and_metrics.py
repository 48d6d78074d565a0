"""The focal cross-entropy losses and the F-score, R2, IoU and MeanTensor metrics against real tf-keras 2.21.

Expected values live in tests/fixtures/focal_metrics_utils/ (cases.json + arrays.npz), written by
tools/make_focal_metric_fixtures.py (see its docstring to regenerate them).
"""
import warnings

import numpy as np
import pytest

from fastkeras import backend as K
from fastkeras import losses, metrics

from fixture_cases import case_params, load_cases, tensor_of

DOC, ARRAYS = load_cases("focal_metrics_utils")

RTOL = 1e-5
ATOL = 1e-6


def cases(kind):
    return case_params(DOC, kind)


def tensor(key):
    return tensor_of(ARRAYS, key)


def assert_matches(actual, expected, rtol=RTOL, atol=ATOL):
    actual = np.asarray(K.get_value(actual) if K.is_tensor(actual) else actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} != expected {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * max(1.0, float(np.max(np.abs(expected)))))


# ---- losses -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", cases("loss_fn"))
def test_focal_loss_function_matches_tf_keras(case):
    fn = getattr(losses if case["module"] == "losses" else metrics, case["fn"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        out = fn(tensor(case["y_true"]), tensor(case["y_pred"]), **case["kwargs"])
    assert_matches(out, ARRAYS[case["expected"]])


@pytest.mark.parametrize("case", cases("loss_obj"))
def test_focal_loss_object_matches_tf_keras(case):
    obj = getattr(losses, case["class"])(**case["config"])
    y_true, y_pred = tensor(case["y_true"]), tensor(case["y_pred"])
    assert_matches(obj.call(y_true, y_pred), ARRAYS[case["expected_call"]])
    out = obj(y_true, y_pred, sample_weight=tensor(case["sample_weight"]))
    assert_matches(out, ARRAYS[case["expected"]])
    assert obj.get_config() == case["tf_config"]
    clone = losses.deserialize(losses.serialize(obj))
    assert type(clone) is type(obj) and clone.get_config() == obj.get_config()


@pytest.mark.parametrize("class_name", sorted(DOC["default_loss_configs"]))
def test_focal_loss_defaults_and_lookup_by_name(class_name):
    obj = getattr(losses, class_name)()
    assert obj.get_config() == DOC["default_loss_configs"][class_name]
    assert type(losses.get(class_name)) is type(obj)
    fn_name = obj.get_config()["fn"]
    assert losses.get(fn_name) is getattr(losses, fn_name)
    assert metrics.get(fn_name) is getattr(losses, fn_name)
    wrapper = losses.LossFunctionWrapper.from_config(obj.get_config())
    assert wrapper.fn is getattr(losses, fn_name)


def test_focal_losses_reduce_to_crossentropy_with_gamma_zero():
    rng = np.random.default_rng(0)
    y = K.convert_to_tensor(np.eye(4, dtype="float32")[rng.integers(0, 4, 6)])
    p = K.convert_to_tensor(rng.dirichlet(np.ones(4), 6).astype("float32"))
    assert_matches(losses.binary_focal_crossentropy(y, p, gamma=0.0), K.get_value(losses.binary_crossentropy(y, p)))
    assert_matches(losses.categorical_focal_crossentropy(y, p, gamma=0.0, alpha=1.0),
                   K.get_value(losses.categorical_crossentropy(y, p)))


def test_categorical_focal_uses_the_logits_of_a_softmax_output():
    rng = np.random.default_rng(1)
    logits = K.convert_to_tensor(rng.normal(size=(5, 3)).astype("float32") * 30)
    y = K.convert_to_tensor(np.eye(3, dtype="float32")[rng.integers(0, 3, 5)])
    direct = losses.categorical_focal_crossentropy(y, logits, from_logits=True)
    via_softmax = losses.categorical_focal_crossentropy(y, K.softmax(logits))
    assert_matches(via_softmax, K.get_value(direct))


def test_focal_loss_bad_shapes_name_the_function():
    with pytest.raises(ValueError,
                       match=r"categorical_focal_crossentropy.*y_true.shape=\(4, 3\).*y_pred.shape=\(4, 2\)"):
        losses.categorical_focal_crossentropy(np.zeros((4, 3)), np.ones((4, 2)) / 2)
    with pytest.raises(ValueError, match=r"binary_focal_crossentropy.*y_true.shape=\(4, 3\).*y_pred.shape=\(4, 2\)"):
        losses.binary_focal_crossentropy(np.zeros((4, 3)), np.ones((4, 2)) / 2)
    with pytest.raises(ValueError, match="`axis` must be of type `int`"):
        losses.categorical_focal_crossentropy(np.zeros((4, 3)), np.ones((4, 3)) / 3, axis=True)


def test_compile_with_focal_loss_names_trains():
    import fastkeras as keras
    rng = np.random.default_rng(2)
    x = rng.normal(size=(16, 4)).astype("float32")
    for loss, units, activation, y in (
            ("binary_focal_crossentropy", 1, "sigmoid", rng.integers(0, 2, (16, 1)).astype("float32")),
            ("categorical_focal_crossentropy", 3, "softmax", np.eye(3, dtype="float32")[rng.integers(0, 3, 16)]),
            (losses.BinaryFocalCrossentropy(from_logits=True, apply_class_balancing=True), 2, None,
             rng.integers(0, 2, (16, 2)).astype("float32"))):
        model = keras.Sequential([keras.layers.Dense(units, activation=activation, input_shape=(4,))])
        model.compile(optimizer="sgd", loss=loss)
        history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
        assert np.all(np.isfinite(history.history["loss"]))


# ---- metrics ------------------------------------------------------------------------------------

def update(obj, case, batch):
    sw = tensor(batch["sample_weight"])
    if case["class"] == "MeanTensor":
        obj.update_state(tensor(batch["values"]), sample_weight=sw)
    else:
        obj.update_state(tensor(batch["y_true"]), tensor(batch["y_pred"]), sample_weight=sw)


@pytest.mark.parametrize("case", cases("metric_obj"))
def test_metric_matches_tf_keras_across_batches(case):
    obj = getattr(metrics, case["class"])(**case["config"])
    expected = ARRAYS[case["expected"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, batch in enumerate(case["batches"]):
            update(obj, case, batch)
            assert_matches(obj.result(), expected[i])
    assert obj.get_config() == case["tf_config"]
    # tf-keras' state variables: names, shapes, dtypes and get_weights order
    assert [[v.name, list(v.shape), K.dtype(v)] for v in obj.variables] == case["variables"]
    for w, key in zip(obj.get_weights(), case["weights"]):
        assert_matches(w, ARRAYS[key])
    # a config round trip gives the same metric, starting from zero
    clone = metrics.deserialize(metrics.serialize(obj))
    assert type(clone) is type(obj) and clone.get_config() == obj.get_config()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for batch in case["batches"]:
            update(clone, case, batch)
        assert_matches(clone.result(), expected[-1])
    # state copied through get_weights/set_weights gives the same result
    fresh = metrics.deserialize(metrics.serialize(obj))
    if case["class"] == "MeanTensor":
        update(fresh, case, case["batches"][0])
    elif hasattr(fresh, "build") and not fresh.variables[1:]:
        update(fresh, case, case["batches"][0])
    fresh.set_weights(obj.get_weights())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_matches(fresh.result(), expected[-1])
    obj.reset_state()
    assert all(np.all(w == 0) for w in obj.get_weights())


@pytest.mark.parametrize("class_name", sorted(DOC["default_metrics"]))
def test_metric_defaults(class_name):
    entry = DOC["default_metrics"][class_name]
    obj = getattr(metrics, class_name)(**entry["args"])
    expected = dict(entry["config"])
    if obj.name != expected["name"]:  # a second unnamed instance in this process gets a _N suffix, as in tf-keras
        assert obj.name.startswith(expected["name"] + "_")
        expected["name"] = obj.name
    assert obj.get_config() == expected
    if not entry["args"]:
        assert type(metrics.get(class_name)) is type(obj)


def test_compiled_model_logs_and_evaluates_as_tf_keras():
    import fastkeras as keras
    ev = DOC["evaluate"]
    inputs = keras.Input((5,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    model.set_weights([ARRAYS[ev["kernel"]], ARRAYS[ev["bias"]]])
    model.compile(loss="categorical_focal_crossentropy",
                  metrics=[metrics.F1Score(average="macro"), metrics.FBetaScore(beta=2.0, average="weighted",
                                                                                threshold=0.3),
                           metrics.R2Score(), metrics.OneHotMeanIoU(num_classes=3), metrics.OneHotIoU(3, [0, 2]),
                           "binary_focal_crossentropy", "categorical_focal_crossentropy"])
    x, y = ARRAYS[ev["x"]], ARRAYS[ev["y"]]
    out = model.evaluate(x, y, batch_size=4, return_dict=True, verbose=0)
    assert sorted(out) == sorted(ev["results"])
    for name, value in ev["results"].items():
        assert out[name] == pytest.approx(value, rel=1e-5, abs=1e-6), name
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert sorted(history.history) == ev["fit_log_names"]


def test_sigmoid_model_with_focal_loss_and_weighted_metrics_evaluates_as_tf_keras():
    import fastkeras as keras
    ev = DOC["evaluate_sigmoid"]
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="sigmoid")(inputs))
    model.set_weights([ARRAYS[ev["kernel"]], ARRAYS[ev["bias"]]])
    model.compile(loss=losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=1.5),
                  metrics=[metrics.BinaryIoU(target_class_ids=[1]), metrics.F1Score(average="micro", threshold=0.5),
                           metrics.binary_focal_crossentropy],
                  # tf-keras was given the function (its metrics.get cannot resolve this name); fastkeras'
                  # compile prefixes 'weighted_' to names given as strings only, so the name is passed here
                  weighted_metrics=[metrics.R2Score(name="wr2"), "binary_focal_crossentropy"])
    out = model.evaluate(ARRAYS[ev["x"]], ARRAYS[ev["y"]], sample_weight=ARRAYS[ev["sample_weight"]], batch_size=4,
                         return_dict=True, verbose=0)
    assert sorted(out) == sorted(ev["results"])
    for name, value in ev["results"].items():
        assert out[name] == pytest.approx(value, rel=1e-5, abs=1e-6), name


def test_metric_argument_errors_name_what_was_received():
    with pytest.raises(ValueError, match=r"Invalid `average` argument value.*Received: average=mean"):
        metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match=r"`beta`.*Python float.*Received: beta=2 "):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match=r"0 < threshold <= 1.*Received: threshold=1.5"):
        metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match=r"F1Score expects 2D inputs.*y_pred.shape=\(4,\)"):
        metrics.F1Score().update_state(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match=r"class_aggregation.*Received: class_aggregation=mean"):
        metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match=r"num_regressors.*Received: num_regressors=-1"):
        metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match=r"R2Score expects 2D inputs.*y_pred.shape=\(4, 2, 1\)"):
        metrics.R2Score().update_state(np.ones((4, 2, 1)), np.ones((4, 2, 1)))
    with pytest.raises(ValueError, match=r"Target class id 3 is out of range, which is \[0, 3\)"):
        metrics.IoU(num_classes=3, target_class_ids=[3])
    with pytest.raises(ValueError, match=r"MeanIoU expects `num_classes` to be a positive integer.*'3'"):
        metrics.MeanIoU(num_classes="3")
    with pytest.raises(ValueError, match=r"MeanTensor input values must always have the same shape.*\(2,\).*\(3,\)"):
        m = metrics.MeanTensor()
        m.update_state(np.ones(2))
        m.update_state(np.ones(3))
    with pytest.raises(ValueError, match="MeanTensor does not have any value yet"):
        metrics.MeanTensor().result()
    if K.default_device().type == "cpu":
        with pytest.raises(ValueError, match=r"MeanIoU \(num_classes=3\) expects labels and predictions in \[0, 3\)"
                                             r".*labels \[5\]"):
            metrics.MeanIoU(num_classes=3).update_state([0, 5, 1], [0, 1, 1])
    with pytest.raises(ValueError, match=r"MeanIoU expects one sample weight per label. Received 2 weights for 3"):
        metrics.MeanIoU(num_classes=3).update_state([0, 2, 1], [0, 1, 1], sample_weight=[1.0, 2.0])


def test_iou_ignore_class_outside_the_class_range_is_dropped():
    m = metrics.MeanIoU(num_classes=2, ignore_class=255)
    m.update_state([0, 255, 1, 1], [0, 1, 1, 0])
    assert float(K.get_value(m.result())) == pytest.approx((1 / 2 + 1 / 2) / 2)


def _cuda_available():
    if K.backend() != "torch":
        return False
    import torch
    return torch.cuda.is_available() and K.default_device().type == "cuda"


@pytest.mark.skipif(not _cuda_available(), reason="needs the torch engine on CUDA")
def test_new_metrics_do_not_synchronise_with_the_host():
    import torch
    rng = np.random.default_rng(0)
    probs = K.convert_to_tensor(rng.dirichlet(np.ones(4), size=16).astype("float32"))
    onehot = K.convert_to_tensor(np.eye(4, dtype="float32")[rng.integers(0, 4, 16)])
    labels = K.convert_to_tensor(rng.integers(0, 4, 16))
    sw = K.convert_to_tensor(rng.uniform(size=16).astype("float32"))
    objects = [(metrics.F1Score(average="macro"), onehot, probs), (metrics.FBetaScore(threshold=0.3), onehot, probs),
               (metrics.R2Score(), onehot, probs), (metrics.MeanIoU(4, ignore_class=2), labels, K.argmax(probs)),
               (metrics.OneHotMeanIoU(4), onehot, probs), (metrics.BinaryIoU(), onehot, probs),
               (metrics.MeanMetricWrapper(losses.binary_focal_crossentropy), onehot, probs),
               (metrics.MeanMetricWrapper(losses.categorical_focal_crossentropy), onehot, probs)]
    mean = metrics.MeanTensor()

    def run():
        for obj, y_true, y_pred in objects:
            weights = sw if not isinstance(obj, metrics.BinaryIoU) else None
            obj.update_state(y_true, y_pred, sample_weight=weights)
            obj.update_state(y_true, y_pred)
            obj.result()
        mean.update_state(probs, sample_weight=sw)
        mean.result()
        for obj, _, _ in objects:
            obj.reset_state()
        mean.reset_state()
    run()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        run()
    finally:
        torch.cuda.set_sync_debug_mode("default")
