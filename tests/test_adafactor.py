"""Adafactor against tf-keras 2.21 (fixtures from tools/make_dataset_utils_fixtures.py)."""
import json
import os

import numpy as np
import pytest

import fastkeras
from fastkeras import backend as K
from fastkeras import optimizers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "dataset_utils")
with open(os.path.join(FIXTURES, "adafactor.json")) as f:
    SPEC = json.load(f)
ARRAYS = np.load(os.path.join(FIXTURES, "adafactor.npz"))
CASES = SPEC["cases"]
STEPS = 5


def _make(kwargs):
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = optimizers.schedules.deserialize(kwargs["learning_rate"])
    return optimizers.Adafactor(**kwargs)


def _variables():
    return [K.variable(ARRAYS[f"init/{i}"], name=name.split("/")[1])
            for i, (name, _) in enumerate(SPEC["variables"])]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_steps_match_tf_keras(case):
    opt = _make(case["kwargs"])
    variables = _variables()
    for step in range(STEPS):
        grads = [K.constant(ARRAYS[f"grad/{step}/{i}"]) for i in range(len(variables))]
        opt.apply_gradients(zip(grads, variables))
        for i, v in enumerate(variables):
            np.testing.assert_allclose(K.get_value(v), ARRAYS[f"{case['id']}/var/{step}/{i}"], rtol=1e-5, atol=1e-5,
                                       err_msg=f"step {step} variable {i}")
    names = [v.name for v in opt.variables()]
    assert names == case["opt_variables"]
    assert [list(v.shape) for v in opt.variables()] == case["opt_shapes"]
    for j, value in enumerate(opt.get_weights()):
        np.testing.assert_allclose(value, ARRAYS[f"{case['id']}/opt/{j}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_config_matches_tf_keras(case):
    config = _make(case["kwargs"]).get_config()
    expected = case["config"]
    assert list(config) == list(expected)
    for key, value in expected.items():
        if key == "learning_rate" and isinstance(value, str):
            assert float(config[key]) == pytest.approx(float(value))
        elif key == "learning_rate" and isinstance(value, dict):
            assert config[key]["class_name"] == value["class_name"]
            assert config[key]["config"] == pytest.approx(value["config"])
        else:
            assert config[key] == value, key
    restored = optimizers.Adafactor.from_config(config)
    assert restored.get_config()["clip_threshold"] == config["clip_threshold"]
    assert optimizers.serialize(_make(case["kwargs"]))["class_name"] == "Adafactor"
    assert isinstance(optimizers.get("adafactor"), optimizers.Adafactor)


def test_kernel_takes_tensor_scalars():
    """In a compiled step the step's numbers arrive as 0-d tensors: same result as floats."""
    import torch
    opt = optimizers.Adafactor(learning_rate=0.05)
    variables = _variables()
    grads = [torch.as_tensor(ARRAYS[f"grad/0/{i}"]) for i in range(len(variables))]
    opt.build(variables)
    plan = opt._plan(variables)
    scalars = opt._step_scalars(0.05, 0)
    copies = [torch.tensor(K.get_value(v)) for v in variables]
    slots = {k: [None if s is None else s.detach().clone() for s in vals] for k, vals in plan.slots.items()}
    opt._apply(plan, grads, scalars)
    K.adafactor_update(copies, grads, slots["r"], slots["c"], slots["v"], torch.tensor(scalars[0]),
                       torch.tensor(scalars[1]), 1e-30, 1e-3, 1.0)
    for v, c in zip(variables, copies):
        np.testing.assert_allclose(K.get_value(v), c.numpy(), rtol=1e-6, atol=1e-7)


def test_fit_with_adafactor():
    rng = np.random.RandomState(0)
    x = rng.randn(32, 4).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = fastkeras.Sequential([fastkeras.layers.Input((4,)), fastkeras.layers.Dense(3),
                                  fastkeras.layers.Dense(1)])
    model.compile(optimizer="adafactor", loss="mse")
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    names = [v.name.split("/")[1] for v in model.optimizer.variables()[1:]]
    assert names == ["r", "c", "v", "v", "r", "c", "v", "v"]  # kernels factored, biases not
