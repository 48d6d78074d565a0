"""Lamb and keras.optimizers.LossScaleOptimizer against Keras 3.15.1, and tf-keras' keras.optimizers.experimental.

Expected values come from tests/fixtures/keras3_training_api (tools/make_keras3_training_api_fixtures.py):
Lamb (Keras 3 on jax) applies five fixed gradient steps to three variables (one of them zeros, where the trust
ratio falls back to 1) and the variables after every step are compared; LossScaleOptimizer (Keras 3 on torch,
whose ``apply`` cannot run eagerly on jax) applies six steps of scaled gradients, one holding an inf and one a
NaN, and the variables, scale, counter and iterations after every step are compared. keras2.json lists what
tf-keras 2.21's ``optimizers.experimental`` holds.
"""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import backend as K
from fastkeras import layers, mixed_precision, optimizers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras3_training_api")
with open(os.path.join(FIXTURES, "keras3.json")) as _f:
    EXPECTED = json.load(_f)["optimizers"]
with open(os.path.join(FIXTURES, "keras3_torch.json")) as _f:
    LSO = json.load(_f)["loss_scale_optimizer"]
with open(os.path.join(FIXTURES, "keras2.json")) as _f:
    KERAS2 = json.load(_f)
ARRAYS = np.load(os.path.join(FIXTURES, "keras3.npz"))
LSO_ARRAYS = np.load(os.path.join(FIXTURES, "keras3_torch.npz"))
LAMB_CASES = EXPECTED["lamb_cases"]
# Base-optimizer keys both configs have (Keras 3 adds loss_scale_factor and gradient_accumulation_steps, tf-keras
# style configs jit_compile and is_legacy_optimizer).
SHARED_KEYS = ("learning_rate", "beta_1", "beta_2", "epsilon", "weight_decay", "clipnorm", "clipvalue",
               "global_clipnorm", "use_ema", "ema_momentum", "ema_overwrite_frequency")


def lamb_variables():
    return [K.variable(ARRAYS[f"opt/var/{j}"], name=f"v{j}") for j in range(3)]


@pytest.mark.parametrize("case", LAMB_CASES, ids=[c["id"] for c in LAMB_CASES])
@pytest.mark.parametrize("api", ["apply", "apply_gradients"])
def test_lamb_steps_match_keras3(case, api):
    variables = lamb_variables()
    optimizer = optimizers.Lamb(**case["kwargs"])
    for step in range(5):
        grads = [K.constant(ARRAYS[f"opt/grad/{step}/{j}"]) for j in range(3)]
        if api == "apply":
            optimizer.apply(grads, variables)
        else:
            optimizer.apply_gradients(zip(grads, variables))
        for j, v in enumerate(variables):
            np.testing.assert_allclose(K.to_numpy(v), ARRAYS[f"opt/{case['id']}/{step}/{j}"], rtol=2e-6, atol=2e-7,
                                       err_msg=f"step {step} variable {j}")
    assert int(K.get_value(optimizer.iterations)) == 5


@pytest.mark.parametrize("case", LAMB_CASES, ids=[c["id"] for c in LAMB_CASES])
def test_lamb_config(case):
    keras3_config = case["config"]
    optimizer = optimizers.Lamb.from_config(keras3_config)  # Keras 3's config loads as it is
    config = optimizer.get_config()
    for key in SHARED_KEYS:
        assert config[key] == pytest.approx(keras3_config[key]) if isinstance(keras3_config[key], float) \
            else config[key] == keras3_config[key], key
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(again) is optimizers.Lamb and again.get_config() == config


def test_lamb_by_name_and_in_fit():
    assert isinstance(optimizers.get("lamb"), optimizers.Lamb)
    assert isinstance(optimizers.get("Lamb"), optimizers.Lamb)
    assert "Lamb" in optimizers.__all__
    assert optimizers.Lamb().get_config()["learning_rate"] == pytest.approx(
        EXPECTED["lamb_default_config"]["learning_rate"])
    model = fastkeras.Sequential([layers.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="lamb", loss="mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    names = [v.name for v in model.optimizer.variables]
    assert names[0] == "iteration:0" and any("/momentum/" in n for n in names) and \
        any("/velocity/" in n for n in names)


def test_keras3_only_arguments_are_refused_unless_none():
    assert isinstance(optimizers.Adam(loss_scale_factor=None, gradient_accumulation_steps=None), optimizers.Adam)
    with pytest.raises(ValueError, match="gradient_accumulation_steps.*received gradient_accumulation_steps=4"):
        optimizers.Lamb(gradient_accumulation_steps=4)


# ---- LossScaleOptimizer --------------------------------------------------------------------------

def make_loss_scale_optimizer(case):
    inner_name, inner_kwargs = case["inner"]
    return optimizers.LossScaleOptimizer(getattr(optimizers, inner_name)(**inner_kwargs), **case["kwargs"])


@pytest.mark.parametrize("case", LSO["cases"], ids=[c["id"] for c in LSO["cases"]])
def test_loss_scale_optimizer_steps_match_keras3(case):
    variables = [K.variable(LSO_ARRAYS[f"lso/var/{j}"], name=f"v{j}") for j in range(2)]
    optimizer = make_loss_scale_optimizer(case)
    assert float(K.to_numpy(optimizer.scale_loss(3.0))) == case["scale_loss_3_before_build"]
    for step, want in enumerate(case["steps"]):
        grads = [LSO_ARRAYS[f"lso/{case['id']}/grad/{step}/{j}"] for j in range(2)]
        optimizer.apply(grads, variables)
        for j, v in enumerate(variables):
            np.testing.assert_allclose(K.to_numpy(v), LSO_ARRAYS[f"lso/{case['id']}/{step}/{j}"], rtol=1e-6,
                                       atol=1e-7, err_msg=f"step {step} variable {j}")
        assert float(K.to_numpy(optimizer.dynamic_scale)) == want["dynamic_scale"], step
        assert int(K.to_numpy(optimizer.step_counter)) == want["step_counter"], step
        assert int(K.get_value(optimizer.iterations)) == want["iterations"], step
        assert float(K.to_numpy(optimizer.scale_loss(K.constant(3.0)))) == want["scale_loss_3"], step


@pytest.mark.parametrize("case", LSO["cases"], ids=[c["id"] for c in LSO["cases"]])
def test_loss_scale_optimizer_reads_keras3_configs(case):
    for source in (case["config"], case["serialized"]):
        if "class_name" in source:
            restored = optimizers.deserialize(source)
        else:
            restored = optimizers.LossScaleOptimizer.from_config(source)
        assert isinstance(restored, optimizers.LossScaleOptimizer)
        assert restored.initial_scale == case["config"]["initial_scale"]
        assert restored.dynamic_growth_steps == case["config"]["dynamic_growth_steps"]
        assert restored.dynamic
        assert type(restored.inner_optimizer).__name__ == case["inner"][0]
        assert restored.learning_rate.item() == pytest.approx(case["inner"][1]["learning_rate"])


def test_loss_scale_optimizer_is_the_mixed_precision_class():
    assert optimizers.LossScaleOptimizer is mixed_precision.LossScaleOptimizer
    assert "LossScaleOptimizer" in optimizers.__all__
    optimizer = optimizers.LossScaleOptimizer(optimizers.SGD(), initial_scale=4.0, dynamic_growth_steps=3,
                                              name="lso")
    assert optimizer.dynamic and optimizer.initial_scale == 4.0 and optimizer.dynamic_growth_steps == 3
    # tf-keras' arguments still work
    fixed = optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic=False, initial_scale=16.0)
    assert not fixed.dynamic and float(K.to_numpy(fixed.dynamic_scale)) == 16.0


def test_loss_scale_optimizer_errors_as_keras3():
    with pytest.raises(ValueError) as info:
        optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0)
    assert str(info.value) == LSO["errors"]["clipnorm"]
    assert isinstance(optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=None), optimizers.LossScaleOptimizer)
    with pytest.raises(ValueError, match="does not support arguments: `foo`"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), foo=1)


def test_loss_scale_optimizer_apply_in_a_custom_loop():
    """Keras 3's custom loop: differentiate scale_loss(loss), hand the raw gradients to apply."""
    w = K.variable(np.array([1.0, -2.0], "float32"))
    optimizer = optimizers.LossScaleOptimizer(optimizers.SGD(0.5), initial_scale=64.0)
    loss = K.sum(K.square(w))
    (grad,) = K.gradients(optimizer.scale_loss(loss), [w])
    optimizer.apply([grad], [w])
    np.testing.assert_allclose(K.to_numpy(w), [0.0, 0.0], atol=1e-7)  # w - 0.5 * 2w


# ---- keras.optimizers.experimental ------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(KERAS2["optimizers_experimental"]))
def test_experimental_namespace_as_tf_keras(name):
    want = KERAS2["optimizers_experimental"][name]
    cls = getattr(optimizers.experimental, name)
    assert cls.__name__ == want["class"]
    assert (cls is getattr(optimizers, name)) == want["is_current"]
    assert name in dir(optimizers.experimental)


def test_experimental_namespace_holds_nothing_else():
    assert sorted(optimizers.experimental.__all__) == sorted(KERAS2["optimizers_experimental"])
    with pytest.raises(AttributeError, match="Lion"):
        optimizers.experimental.Lion  # noqa: B018 - tf-keras has no experimental.Lion either
    from fastkeras.optimizers.experimental import AdamW
    assert AdamW is optimizers.AdamW
