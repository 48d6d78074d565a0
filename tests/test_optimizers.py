"""Optimizers, learning-rate schedules and the optimizer state API against tf-keras 2.21.

Expected values come from tests/fixtures/optimizers (written by tools/make_optimizer_fixtures.py with real
tf-keras): each case applies 5 fixed gradient steps to 3 variables; the variables after every step, the
optimizer's variables (names, order, values) at the end and ``get_config()`` are compared. A tiny Dense model
trained with ``fit`` checks the same through the trainer.
"""
import json
import os
import warnings

import numpy as np
import pytest

import fastkeras
from fastkeras import backend as K
from fastkeras import callbacks, optimizers
from fastkeras.backend.torch import optimizer_kernels
from fastkeras.optimizers import schedules

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "optimizers")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    CASES = json.load(_f)["cases"]
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
with open(os.path.join(FIXTURES, "schedules.json")) as _f:
    SCHEDULES = json.load(_f)["schedules"]
with open(os.path.join(FIXTURES, "fit.json")) as _f:
    FIT_CASES = json.load(_f)["cases"]
FIT_ARRAYS = np.load(os.path.join(FIXTURES, "fit.npz"))

CASE_BY_ID = {c["id"]: c for c in CASES}
STEPS = 5
TOL = dict(rtol=1e-6, atol=1e-6)


def make_optimizer(case):
    kwargs = dict(case["kwargs"])
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = schedules.deserialize(kwargs["learning_rate"])
    return getattr(optimizers, case["class_name"])(**kwargs)


def make_variables(case):
    return [K.variable(ARRAYS[f"{case['id']}/init/{i}"], name=v["name"] + ":0")
            for i, v in enumerate(case["variables"])]


def grads_at(case, step):
    return [K.constant(ARRAYS[f"{case['id']}/grad/{step}/{i}"]) for i in range(len(case["variables"]))]


@pytest.fixture(params=["fused", "foreach"])
def adam_path(request, monkeypatch):
    """Runs a test on both of Adam's paths (torch's fused kernel with Keras' epsilon, and plain foreach ops)."""
    if request.param == "fused" and not optimizer_kernels.FUSED_ADAM:
        pytest.skip("this torch has no fused Adam kernel")
    monkeypatch.setattr(optimizer_kernels, "FUSED_ADAM", request.param == "fused")
    return request.param


# ---- updates against tf-keras -------------------------------------------------------------------

def check_updates(case):
    optimizer = make_optimizer(case)
    variables = make_variables(case)
    for step in range(STEPS):
        optimizer.apply_gradients(zip(grads_at(case, step), variables))
        for i, v in enumerate(variables):
            np.testing.assert_allclose(K.get_value(v), ARRAYS[f"{case['id']}/var/{step}/{i}"], **TOL,
                                       err_msg=f"{case['id']}: variable {i} after step {step + 1}")
    assert int(K.get_value(optimizer.iterations)) == case["iterations"]
    if case["legacy"]:
        return
    assert [v.name for v in optimizer.variables()] == [v["name"] for v in case["optimizer_variables"]]
    for j, value in enumerate(optimizer.get_weights()):
        np.testing.assert_allclose(value, ARRAYS[f"{case['id']}/opt/{j}"], **TOL,
                                   err_msg=f"{case['id']}: optimizer variable {case['optimizer_variables'][j]}")
    np.testing.assert_allclose(K.get_value(optimizer.learning_rate), case["learning_rate_after"], rtol=1e-6)


@pytest.mark.parametrize("case", [c for c in CASES if c["class_name"] not in ("Adam", "AdamW")],
                         ids=lambda c: c["id"])
def test_updates_match_tf_keras(case):
    check_updates(case)


@pytest.mark.parametrize("case", [c for c in CASES if c["class_name"] in ("Adam", "AdamW")], ids=lambda c: c["id"])
def test_adam_updates_match_tf_keras(case, adam_path):
    check_updates(case)


def test_fused_and_foreach_adam_agree(monkeypatch):
    case = CASE_BY_ID["adam_amsgrad"]
    results = []
    for fused in (True, False):
        monkeypatch.setattr(optimizer_kernels, "FUSED_ADAM", fused)
        optimizer, variables = make_optimizer(case), make_variables(case)
        for step in range(STEPS):
            optimizer.apply_gradients(zip(grads_at(case, step), variables))
        results.append([K.get_value(v) for v in variables] + optimizer.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_fused_adam_skips_non_contiguous_gradients():
    # The fused kernel reads tensors as flat memory; a transposed gradient must take the foreach path.
    case = CASE_BY_ID["adam"]
    optimizer, variables = make_optimizer(case), make_variables(case)
    for step in range(STEPS):
        grads = grads_at(case, step)
        grads[0] = K.transpose(K.constant(np.ascontiguousarray(K.get_value(grads[0]).T)))
        assert not grads[0].is_contiguous()
        optimizer.step(variables, grads)
    np.testing.assert_allclose(K.get_value(variables[0]), ARRAYS["adam/var/4/0"], **TOL)


# ---- configs --------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", [c for c in CASES if not c["legacy"]], ids=lambda c: c["id"])
def test_config_matches_tf_keras(case):
    optimizer = make_optimizer(case)
    assert optimizer.get_config() == case["config"]
    assert optimizers.serialize(optimizer) == case["serialized"]
    again = optimizers.deserialize(json.loads(json.dumps(case["serialized"])))
    assert type(again) is type(optimizer)
    assert again.get_config() == case["config"]


def test_from_tf_keras_config_trains_the_same():
    case = CASE_BY_ID["rmsprop_centered_momentum"]
    optimizer = optimizers.get({"class_name": case["class_name"], "config": case["config"]})
    variables = make_variables(case)
    for step in range(STEPS):
        optimizer.apply_gradients(zip(grads_at(case, step), variables))
    np.testing.assert_allclose(K.get_value(variables[2]), ARRAYS[f"{case['id']}/var/4/2"], **TOL)


def test_keras2_configs_with_lr_and_decay_load():
    # What Keras 2.2-2.10 wrote into HDF5 training configs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sgd = optimizers.deserialize({"class_name": "SGD", "config": {"lr": 0.02, "momentum": 0.9, "decay": 1e-6,
                                                                      "nesterov": True}})
        adam = optimizers.deserialize({"class_name": "Adam", "config": {
            "name": "Adam", "learning_rate": 0.002, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
            "amsgrad": False, "is_legacy_optimizer": True}})
    assert isinstance(sgd, optimizers.SGD) and sgd.nesterov and sgd.decay == 1e-6
    np.testing.assert_allclose(K.get_value(sgd.lr), 0.02)
    assert sgd.get_config()["decay"] == 1e-6
    np.testing.assert_allclose(K.get_value(adam.learning_rate), 0.002)
    assert "decay" not in adam.get_config()


def test_schedule_config_round_trip_through_optimizer():
    optimizer = make_optimizer(CASE_BY_ID["rmsprop_cosine_warmup"])
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert isinstance(again._learning_rate, schedules.CosineDecay)
    assert again.get_config() == optimizer.get_config()


# ---- identifiers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,cls", [("adam", optimizers.Adam), ("Adam", optimizers.Adam),
                                      ("rmsprop", optimizers.RMSprop), ("RMSprop", optimizers.RMSprop),
                                      ("sgd", optimizers.SGD), ("SGD", optimizers.SGD),
                                      ("adagrad", optimizers.Adagrad), ("Adadelta", optimizers.Adadelta),
                                      ("adamax", optimizers.Adamax), ("nadam", optimizers.Nadam),
                                      ("Ftrl", optimizers.Ftrl), ("adamw", optimizers.AdamW),
                                      ("lion", optimizers.Lion)])
def test_get_by_name(name, cls):
    optimizer = optimizers.get(name)
    assert type(optimizer) is cls
    assert optimizer.name == cls.__name__


def test_get_instance_and_dict():
    adam = optimizers.Adam(0.01)
    assert optimizers.get(adam) is adam
    sgd = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.3, "momentum": 0.5}})
    assert isinstance(sgd, optimizers.SGD) and sgd.momentum == 0.5
    np.testing.assert_allclose(K.get_value(sgd.learning_rate), 0.3)


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamm'") as info:
        optimizers.get("adamm")
    for name in ("Adam", "RMSprop", "SGD", "Nadam"):
        assert repr(name) in str(info.value)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 42"):
        optimizers.get(42)


def test_custom_optimizer_class_through_custom_objects():
    class MySGD(optimizers.SGD):
        pass

    opt = optimizers.deserialize({"class_name": "MySGD", "config": {"learning_rate": 0.1}},
                                 custom_objects={"MySGD": MySGD})
    assert type(opt) is MySGD


def test_legacy_names():
    assert optimizers.legacy.Adam is optimizers.Adam
    assert optimizers.legacy.SGD is optimizers.SGD
    with pytest.raises(AttributeError):
        optimizers.legacy.AdamW  # noqa: B018 - tf-keras' legacy module has no AdamW either


def test_bad_arguments():
    with pytest.raises(TypeError, match="not a valid argument"):
        optimizers.Adam(betaa=0.3)
    with pytest.raises(ValueError, match="At most one of `clipnorm` and `global_clipnorm`"):
        optimizers.SGD(clipnorm=1.0, global_clipnorm=1.0)
    with pytest.raises(ValueError, match="`momentum` must be between"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="decay cannot be less than 0"):
        optimizers.SGD(decay=-1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate="fast")


# ---- learning rate and iterations -------------------------------------------------------------------

def test_lr_is_a_cpu_float32_variable_read_and_written_with_K():
    optimizer = optimizers.Adam()
    assert optimizer.lr is optimizer.learning_rate
    assert K.is_variable(optimizer.lr) and optimizer.lr.device.type == "cpu"
    assert K.get_value(optimizer.lr).dtype == np.float32 and K.get_value(optimizer.lr).shape == ()
    assert K.get_value(optimizer.lr) == np.float32(0.001)
    K.set_value(optimizer.lr, 0.01)
    assert K.get_value(optimizer.learning_rate) == np.float32(0.01)
    optimizer.learning_rate = 0.5
    assert K.get_value(optimizer.lr) == np.float32(0.5)
    optimizer.lr = 0.25
    assert optimizer.get_config()["learning_rate"] == float(np.float32(0.25))


def test_new_learning_rate_applies_at_the_next_step():
    optimizer = optimizers.SGD(0.1)
    w = K.variable(np.ones(3, np.float32), name="w:0")
    optimizer.apply_gradients([(K.constant(np.ones(3, np.float32)), w)])
    np.testing.assert_allclose(K.get_value(w), 0.9, rtol=1e-6)
    K.set_value(optimizer.lr, 0.5)
    optimizer.apply_gradients([(K.constant(np.ones(3, np.float32)), w)])
    np.testing.assert_allclose(K.get_value(w), 0.4, rtol=1e-6)


def test_callbacks_read_and_write_the_learning_rate():
    optimizer = optimizers.RMSprop(0.01)
    assert callbacks.get_learning_rate(optimizer) == np.float32(0.01)
    callbacks.set_learning_rate(optimizer, np.float32(0.002))
    assert K.get_value(optimizer.lr) == np.float32(0.002)


def test_schedule_learning_rate_is_not_settable():
    optimizer = optimizers.SGD(schedules.ExponentialDecay(0.1, 2, 0.5))
    assert K.get_value(optimizer.lr) == np.float32(0.1)
    with pytest.raises(TypeError, match="not settable"):
        optimizer.lr = 0.3
    optimizer.learning_rate = schedules.InverseTimeDecay(0.2, 1, 1.0)  # a new schedule replaces the old one
    w = K.variable(np.zeros(2, np.float32), name="w:0")
    optimizer.apply_gradients([(K.constant(np.ones(2, np.float32)), w)])
    assert K.get_value(optimizer.lr) == np.float32(0.2)


def test_lr_keyword_is_a_deprecated_alias_of_learning_rate():
    with pytest.warns(UserWarning, match="`lr` argument is deprecated"):
        optimizer = optimizers.SGD(lr=0.5, momentum=0.9)
    assert K.get_value(optimizer.learning_rate) == np.float32(0.5)
    assert optimizer.get_config()["learning_rate"] == 0.5
    with pytest.warns(UserWarning):
        adam = optimizers.Adam(lr=0.02)
    assert K.get_value(adam.lr) == np.float32(0.02)


def test_iterations_count_steps():
    optimizer = optimizers.Adam()
    iterations = optimizer.iterations
    assert K.get_value(iterations).dtype == np.int64 and K.get_value(iterations) == 0
    w = K.variable(np.ones((2, 2), np.float32), name="w:0")
    for _ in range(3):
        optimizer.step([w], [K.constant(np.ones((2, 2), np.float32))])
    assert K.get_value(optimizer.iterations) == 3
    assert optimizer.iterations is optimizer.variables()[0]
    with pytest.raises(RuntimeError, match="Cannot set `iterations`"):
        optimizer.iterations = K.variable(0, dtype="int64")


# ---- state ---------------------------------------------------------------------------------------------

def test_slots_are_created_lazily_or_by_build():
    case = CASE_BY_ID["rmsprop_centered_momentum"]
    lazy = make_optimizer(case)
    assert [v.name for v in lazy.variables()] == ["iteration:0"]
    assert lazy.variables == lazy.variables()
    variables = make_variables(case)
    lazy.apply_gradients(zip(grads_at(case, 0), variables))
    built = make_optimizer(case)
    built.build(variables)
    built.build(variables)  # a second build does nothing
    names = [v["name"] for v in case["optimizer_variables"]]
    assert [v.name for v in lazy.variables()] == names == [v.name for v in built.variables()]
    assert [tuple(v.shape) for v in built.variables()] == [tuple(v["shape"]) for v in case["optimizer_variables"]]
    assert all(v.device == variables[0].device for v in built.variables()[1:])
    assert not any(v.requires_grad for v in built.variables())


@pytest.mark.parametrize("case_id", ["adam_amsgrad", "nadam", "sgd_momentum", "ftrl_regularized", "adamax"])
def test_get_set_weights_round_trip_continues_training(case_id):
    """Weights copied after 3 steps into a fresh optimizer give tf-keras' values after 5 (Nadam recomputes its
    momentum-schedule product from ``iterations``)."""
    case = CASE_BY_ID[case_id]
    first, variables = make_optimizer(case), make_variables(case)
    for step in range(3):
        first.apply_gradients(zip(grads_at(case, step), variables))
    state = first.get_weights()
    second = make_optimizer(case)
    second.build(variables)
    second.set_weights(state)
    for a, b in zip(second.get_weights(), state):
        np.testing.assert_array_equal(a, b)
    for step in range(3, STEPS):
        second.apply_gradients(zip(grads_at(case, step), variables))
    for i, v in enumerate(variables):
        np.testing.assert_allclose(K.get_value(v), ARRAYS[f"{case_id}/var/4/{i}"], **TOL)


def test_set_weights_errors():
    optimizer = optimizers.Adam()
    w = K.variable(np.ones((2, 3), np.float32), name="dense/kernel:0")
    with pytest.raises(ValueError, match="has not yet been built"):
        optimizer.set_weights([np.array(0)])
    optimizer.build([w])
    with pytest.raises(ValueError, match="has 3 variables .* received a list of 2"):
        optimizer.set_weights([np.array(0), np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"Adam/v/dense/kernel:0 has shape \(2, 3\) not compatible with provided "
                                         r"weight shape \(3, 2\)"):
        optimizer.set_weights([np.array(0), np.zeros((2, 3)), np.zeros((3, 2))])


def test_save_and_load_own_variables():
    case = CASE_BY_ID["adam"]
    first, variables = make_optimizer(case), make_variables(case)
    first.apply_gradients(zip(grads_at(case, 0), variables))
    store = {}
    first.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(7)]
    second = make_optimizer(case)
    second.build(variables)
    second.load_own_variables(store)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_variables_seen_later_get_slots_appended():
    optimizer = optimizers.Adam()
    a = K.variable(np.ones(2, np.float32), name="a:0")
    b = K.variable(np.ones(3, np.float32), name="b:0")
    optimizer.step([a], [K.constant(np.ones(2, np.float32))])
    optimizer.step([a, b], [K.constant(np.ones(2, np.float32)), K.constant(np.ones(3, np.float32))])
    assert [v.name for v in optimizer.variables()] == ["iteration:0", "Adam/m/a:0", "Adam/v/a:0", "Adam/m/b:0",
                                                       "Adam/v/b:0"]
    assert K.get_value(optimizer.variables()[3]).tolist() == pytest.approx([0.1] * 3)


def test_apply_gradients_skips_none_and_applies_constraints():
    optimizer = optimizers.SGD(1.0)
    a = K.variable(np.ones(2, np.float32), name="a:0")
    b = K.variable(np.ones(2, np.float32), name="b:0")
    b.constraint = lambda x: K.clip(x, 0.5, 2.0)
    optimizer.apply_gradients([(None, a), (K.constant(np.ones(2, np.float32)), b)])
    assert K.get_value(a).tolist() == [1.0, 1.0]
    assert K.get_value(b).tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="does not match variable a:0"):
        optimizer.apply_gradients([(K.constant(np.ones(3, np.float32)), a)])


def test_exclude_from_weight_decay():
    optimizer = optimizers.SGD(0.1, weight_decay=0.5)
    kernel = K.variable(np.ones(2, np.float32), name="dense/kernel:0")
    bias = K.variable(np.ones(2, np.float32), name="dense/bias:0")
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.apply_gradients([(K.constant(np.zeros(2, np.float32)), kernel),
                               (K.constant(np.zeros(2, np.float32)), bias)])
    np.testing.assert_allclose(K.get_value(kernel), 0.95, rtol=1e-6)
    np.testing.assert_allclose(K.get_value(bias), 1.0)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        optimizer.exclude_from_weight_decay(var_names=["kernel"])


def test_ema_finalize_copies_the_averages():
    case = CASE_BY_ID["adam_ema"]
    optimizer, variables = make_optimizer(case), make_variables(case)
    for step in range(STEPS):
        optimizer.apply_gradients(zip(grads_at(case, step), variables))
    optimizer.finalize_variable_values(variables)
    for i, v in enumerate(variables):
        np.testing.assert_allclose(K.get_value(v), ARRAYS[f"adam_ema/opt/{1 + i}"], **TOL)


def test_minimize_with_a_callable_loss():
    optimizer = optimizers.SGD(0.1)
    w = K.variable(np.array([1.0, -2.0], np.float32), name="w:0")
    optimizer.minimize(lambda: K.sum(w * w), [w])
    np.testing.assert_allclose(K.get_value(w), [0.8, -1.6], rtol=1e-6)


def test_custom_optimizer_with_update_step():
    class HalfStep(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, name="HalfStep", **kwargs):
            super().__init__(name=name, **kwargs)
            self._learning_rate = self._build_learning_rate(learning_rate)

        def update_step(self, gradient, variable):
            variable.assign(K.get_value(variable) - 0.5 * K.get_value(self.learning_rate) * K.get_value(gradient))

    optimizer = HalfStep()
    w = K.variable(np.ones(2, np.float32), name="w:0")
    optimizer.apply_gradients([(K.constant(np.ones(2, np.float32)), w)])
    np.testing.assert_allclose(K.get_value(w), 0.95, rtol=1e-6)
    assert K.get_value(optimizer.iterations) == 1


def test_optimizers_package_does_not_import_torch():
    package = os.path.dirname(optimizers.__file__)
    for name in os.listdir(package):
        if name.endswith(".py"):
            with open(os.path.join(package, name)) as f:
                source = f.read()
            assert "import torch" not in source and "from torch" not in source, name


# ---- schedules ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", SCHEDULES, ids=lambda c: f"{c['class_name']}-{len(c['config'])}-"
                                                          f"{sorted(c['config'].items())[0]}")
def test_schedule_values_match_tf_keras(case):
    schedule = getattr(schedules, case["class_name"])(**case["config"])
    values = [schedule(step) for step in case["steps"]]
    np.testing.assert_allclose(np.array(values, np.float64), case["values"], rtol=2e-6, atol=1e-9)
    assert schedule.get_config() == case["config"]
    assert schedules.serialize(schedule) == case["serialized"]
    again = schedules.deserialize(case["serialized"])
    assert type(again) is type(schedule) and again.get_config() == case["config"]


def test_schedule_accepts_iterations_variable():
    optimizer = optimizers.SGD()
    K.set_value(optimizer.iterations, 6)
    schedule = schedules.ExponentialDecay(0.1, 3, 0.5)
    np.testing.assert_allclose(schedule(optimizer.iterations), 0.025, rtol=1e-6)
    with pytest.raises(ValueError, match="boundaries should be 1 less"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1])


# ---- end to end: model.fit ----------------------------------------------------------------------------

@pytest.mark.parametrize("case", FIT_CASES, ids=lambda c: c["id"])
def test_fit_matches_tf_keras(case):
    model = fastkeras.Sequential([fastkeras.layers.Dense(3, activation="tanh", input_shape=(4,)),
                                  fastkeras.layers.Dense(2)])
    model.set_weights([FIT_ARRAYS[f"init/{i}"] for i in range(4)])
    identifier = case["identifier"]
    optimizer = identifier if isinstance(identifier, str) else getattr(optimizers, identifier[0])(**identifier[1])
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(FIT_ARRAYS["x"], FIT_ARRAYS["y"], batch_size=4, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"][0], case["loss"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, FIT_ARRAYS[f"{case['id']}/final/{i}"], rtol=1e-5, atol=1e-5)
    assert model.optimizer.get_config() == case["config"]
    assert [v.name for v in model.optimizer.variables()] == [v["name"] for v in case["optimizer_variables"]]
    for j, value in enumerate(model.optimizer.get_weights()):
        np.testing.assert_allclose(value, FIT_ARRAYS[f"{case['id']}/opt/{j}"], rtol=1e-5, atol=1e-6)
    assert K.get_value(model.optimizer.iterations) == case["iterations"]


COMPILED_STEP_CASES = {
    "sgd_nesterov": lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "rmsprop_centered": lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adam_amsgrad": lambda: optimizers.Adam(0.01, amsgrad=True),
    "adamw_ema": lambda: optimizers.AdamW(0.01, weight_decay=0.1, use_ema=True, ema_overwrite_frequency=2),
    "adagrad": lambda: optimizers.Adagrad(0.1),
    "adadelta": lambda: optimizers.Adadelta(1.0),
    "adamax": lambda: optimizers.Adamax(0.01),
    "nadam": lambda: optimizers.Nadam(0.01),
    "ftrl": lambda: optimizers.Ftrl(0.1, l1_regularization_strength=0.01, l2_shrinkage_regularization_strength=0.1,
                                    beta=0.5),
    "lion": lambda: optimizers.Lion(0.01),
    "sgd_global_clipnorm": lambda: optimizers.SGD(0.1, global_clipnorm=0.1),
}


@pytest.mark.parametrize("case", sorted(COMPILED_STEP_CASES))
def test_compiled_step_path_gives_the_eager_update(case):
    """The pieces a compiled training step traces (the step's numbers as one tensor, then the rule with tensor
    scalars), run eagerly here, give `step`'s update with Python numbers."""
    import torch
    rng = np.random.default_rng(0)
    start = [rng.standard_normal(s).astype("float32") for s in ((4, 3), (3,))]
    grads = [[torch.tensor(rng.standard_normal(w.shape).astype("float32")) for w in start] for _ in range(4)]
    finals = []
    for compiled_path in (False, True):
        params = [K.variable(w) for w in start]
        optimizer = COMPILED_STEP_CASES[case]()
        assert optimizer.updates_in_compiled_step
        for step_grads in grads:
            if compiled_path:
                plan = optimizer._plan(params)
                iteration, scalars = optimizer.compiled_step_inputs(plan)
                assert isinstance(scalars, torch.Tensor)
                optimizer.update_in_compiled_step(plan, list(step_grads), scalars)
                optimizer.finish_compiled_step(plan, iteration)
            else:
                optimizer.step(params, list(step_grads))
        finals.append([K.get_value(p) for p in params] + optimizer.get_weights())
    for eager, traced in zip(*finals):
        np.testing.assert_allclose(traced, eager, rtol=1e-6, atol=1e-7)


def test_custom_update_step_optimizer_stays_out_of_compiled_steps():
    class Custom(optimizers.Optimizer):
        def update_step(self, gradient, variable):
            variable.assign_sub(0.1 * gradient)
    assert not Custom(name="custom").updates_in_compiled_step
