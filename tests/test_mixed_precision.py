"""fastkeras.mixed_precision against tf-keras 2.21 (tests/fixtures/mixed_precision/expected.json, written by
tools/make_mixed_precision_fixtures.py): policies, layers' dtypes under a policy, the seeds' recommended mixed
model, and LossScaleOptimizer's dynamic loss scale step by step. Training runs on the CPU in bfloat16 and
float16; the CUDA checks skip without a GPU."""
import json
import os

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import layers as L
from fastkeras import mixed_precision as mp
from fastkeras import optimizers

torch = pytest.importorskip("torch")

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "mixed_precision", "expected.json")
with open(FIXTURE) as f:
    EXPECTED = json.load(f)


@pytest.fixture(autouse=True)
def float32_global_policy():
    mp.set_global_policy(None)
    yield
    mp.set_global_policy(None)


def dtype_name(x):
    return K.standardize_dtype(x.dtype)


# ---- policies -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED["policies"]))
def test_policy_dtypes_repr_and_config(name):
    want = EXPECTED["policies"][name]
    policy = mp.Policy(name)
    assert policy.compute_dtype == want["compute_dtype"]
    assert policy.variable_dtype == want["variable_dtype"]
    assert repr(policy) == want["repr"]
    assert policy.get_config() == want["config"]
    assert mp.Policy.from_config(policy.get_config()) == policy
    if name != "half":  # tf-keras keeps the alias 'half' in a layer's config; fastkeras writes 'float16'
        assert L.Dense(1, dtype=policy).get_config()["dtype"] == want["layer_config_dtype"]


@pytest.mark.parametrize("case", sorted(EXPECTED["policy_errors"]))
def test_policy_errors(case):
    want = EXPECTED["policy_errors"][case]
    call = {"bad_name": lambda: mp.Policy("not_a_dtype"),
            "float32_vars": lambda: mp.Policy("float16_with_float32_vars"),
            "not_a_string": lambda: mp.Policy(3),
            "global_int": lambda: mp.set_global_policy("int32")}[case]
    with pytest.raises({"ValueError": ValueError, "TypeError": TypeError}[want["type"]]) as info:
        call()
    assert str(info.value) == want["message"]


def test_global_policy_defaults_to_floatx_and_applies_to_new_layers_only():
    assert repr(mp.global_policy()) == EXPECTED["default_global_policy"]
    before = L.Dense(2)
    mp.set_global_policy("mixed_bfloat16")
    assert repr(mp.global_policy()) == '<Policy "mixed_bfloat16">'
    after = L.Dense(2)
    assert before.compute_dtype == "float32" and after.compute_dtype == "bfloat16"
    mp.set_global_policy(None)
    assert repr(mp.global_policy()) == '<Policy "float32">'


LAYER_CASES = {
    "global_mixed_float16": ("mixed_float16", None),
    "global_mixed_bfloat16": ("mixed_bfloat16", None),
    "global_mixed_float16_dtype_float32": ("mixed_float16", "float32"),
    "explicit_mixed_bfloat16": (None, "mixed_bfloat16"),
    "explicit_float64": (None, "float64"),
    "explicit_policy_object": (None, mp.Policy("mixed_float16")),
}


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_layer_dtypes_under_a_policy(case):
    want = EXPECTED["layers"][case]
    global_policy, dtype = LAYER_CASES[case]
    mp.set_global_policy(global_policy)
    layer = L.Dense(3, dtype=dtype) if dtype is not None else L.Dense(3)
    y = layer(np.ones((2, 4), np.float32))
    assert layer.dtype == want["dtype"]
    assert layer.compute_dtype == want["compute_dtype"]
    assert layer.variable_dtype == want["variable_dtype"]
    assert repr(layer.dtype_policy) == want["dtype_policy"]
    assert layer.get_config()["dtype"] == want["config_dtype"]
    assert [dtype_name(w) for w in layer.weights] == want["weight_dtypes"]
    assert dtype_name(y) == want["output_dtype"]
    # The config rebuilds the same policy.
    clone = L.Dense.from_config(layer.get_config())
    assert repr(clone.dtype_policy) == want["dtype_policy"]


def test_keras3_dtype_policy_config_is_understood():
    layer = L.Dense(2, dtype={"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_bfloat16"},
                              "registered_name": None})
    assert layer.compute_dtype == "bfloat16" and layer.dtype == "float32"


# ---- the seeds' recommended mixed model ------------------------------------------------------------------

def recommended_model(policy):
    mp.set_global_policy(policy)
    inputs = keras.Input(shape=(6,), name="x")
    h = L.Dense(8, activation="relu", name="dense_1")(inputs)
    h = L.Dense(3, name="dense_2")(h)
    outputs = L.Activation("softmax", dtype="float32", name="predictions")(h)
    model = keras.Model(inputs, outputs)
    mp.set_global_policy(None)
    return model


def classification_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype("float32")
    y = np.eye(3, dtype="float32")[np.argmax(x[:, :3], axis=1)]
    return x, y


def test_mixed_float16_model_dtypes_and_optimizer_as_keras():
    want = EXPECTED["model"]
    model = recommended_model("mixed_float16")
    assert {layer.name: layer.output.dtype for layer in model.layers} == want["symbolic_output_dtypes"]
    assert repr(model.dtype_policy) == want["model_dtype_policy"]
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x, _ = classification_data(4)
    t = K.convert_to_tensor(x)
    eager = {"x": None}
    for layer in model.layers[1:]:
        t = layer(t)
        eager[layer.name] = dtype_name(t)
    assert eager == want["eager_output_dtypes"]
    assert dtype_name(model(x)) == want["model_output_dtype"]
    assert str(model.predict(x, verbose=0).dtype) == want["predict_dtype"]
    assert [dtype_name(w) for w in model.weights] == want["weight_dtypes"]
    opt = model.optimizer
    assert isinstance(opt, mp.LossScaleOptimizer) is want["optimizer_is_lso"]
    assert type(opt.inner_optimizer).__name__ == want["inner_optimizer_class"]
    assert opt.dynamic is want["dynamic"]
    assert opt.initial_scale == want["initial_scale"]
    assert opt.dynamic_growth_steps == want["dynamic_growth_steps"]
    assert float(opt.loss_scale) == want["loss_scale"]
    config = opt.get_config()
    assert {k: v for k, v in config.items() if k != "inner_optimizer"} == \
        {k: v for k, v in want["config"].items() if k != "inner_optimizer"}
    assert config["inner_optimizer"]["class_name"] == want["config"]["inner_optimizer"]["class_name"]
    assert config["inner_optimizer"]["config"]["learning_rate"] == \
        pytest.approx(want["config"]["inner_optimizer"]["config"]["learning_rate"])


def test_bfloat16_policy_needs_no_loss_scaling():
    model = recommended_model("mixed_bfloat16")
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert not isinstance(model.optimizer, mp.LossScaleOptimizer)
    assert model.layers[1].output.dtype == "bfloat16" and model.output.dtype == "float32"


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_model_trains_with_float32_variables(policy):
    model = recommended_model(policy)
    model.compile(optimizer=optimizers.Adam(0.02), loss="categorical_crossentropy", metrics=["accuracy"])
    x, y = classification_data(96)
    history = model.fit(x, y, batch_size=16, epochs=6, verbose=0).history
    assert history["loss"][-1] < 0.8 * history["loss"][0]
    assert history["accuracy"][-1] > 0.6
    assert all(dtype_name(w) == "float32" for w in model.weights)
    assert all(dtype_name(s) == "float32" for s in model.optimizer.variables[1:])
    prediction = model.predict(x[:5], verbose=0)
    assert prediction.dtype == np.float32
    np.testing.assert_allclose(prediction.sum(axis=1), 1.0, rtol=1e-5)
    if policy == "mixed_float16":
        assert float(model.optimizer.loss_scale) == 2.0 ** 15  # no overflow here: nothing was skipped
        assert int(model.optimizer.dynamic_counter) == 36
        assert int(model.optimizer.iterations) == 36


def test_mixed_sequential_convnet_trains_in_bfloat16():
    mp.set_global_policy("mixed_bfloat16")
    model = keras.Sequential([L.Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), L.MaxPooling2D(),
                              L.Flatten(), L.Dense(2), L.Activation("softmax", dtype="float32")])
    mp.set_global_policy(None)
    assert [layer.compute_dtype for layer in model.layers] == ["bfloat16"] * 4 + ["float32"]
    rng = np.random.default_rng(4)
    x = rng.random((32, 8, 8, 1)).astype("float32")
    y = np.eye(2, dtype="float32")[(x.mean(axis=(1, 2, 3)) > 0.5).astype(int)]
    model.compile(optimizer=optimizers.Adam(0.01), loss="categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x[:2], verbose=0).dtype == np.float32
    assert all(dtype_name(w) == "float32" for w in model.weights)


# ---- LossScaleOptimizer ------------------------------------------------------------------------------------

LS = EXPECTED["loss_scale"]


def run_loss_scale_steps(apply):
    w = K.variable(np.array([1.0, 2.0], np.float32))
    opt = mp.LossScaleOptimizer(optimizers.SGD(0.5), initial_scale=8.0, dynamic_growth_steps=2)
    for want in LS["steps"]:
        grad = np.array([float(v) for v in want["grad"]], np.float32)
        apply(opt, w, grad)
        assert K.to_numpy(w).tolist() == want["w"], want
        assert float(opt.loss_scale) == want["loss_scale"], want
        assert int(opt.dynamic_counter) == want["counter"], want
        assert int(opt.iterations) == want["iterations"], want


def test_loss_scale_apply_gradients_step_by_step_as_keras():
    run_loss_scale_steps(lambda opt, w, g: opt.apply_gradients([(K.convert_to_tensor(g), w)]))


def test_loss_scale_trainer_step_unscales_then_matches_keras():
    # fit() hands step() the gradients of the scaled loss: the same sequence, multiplied by the current scale.
    def step(opt, w, g):
        opt.step([w], [K.convert_to_tensor(g) * opt.loss_scale])
    run_loss_scale_steps(step)


def test_skipped_step_leaves_weights_and_slots_untouched():
    w = K.variable(np.array([1.0, -2.0], np.float32))
    opt = mp.LossScaleOptimizer(optimizers.RMSprop(0.1, momentum=0.5))
    opt.step([w], [K.convert_to_tensor(np.array([1.0, 2.0], np.float32)) * 2.0 ** 15])
    weights, slots = K.to_numpy(w).copy(), [K.to_numpy(v).copy() for v in opt.variables[1:]]
    opt.step([w], [K.convert_to_tensor(np.array([np.nan, 1.0], np.float32))])
    np.testing.assert_array_equal(K.to_numpy(w), weights)
    for before, after in zip(slots, opt.variables[1:]):
        np.testing.assert_array_equal(K.to_numpy(after), before)
    assert float(opt.loss_scale) == 2.0 ** 14 and int(opt.iterations) == 2


def test_loss_scale_floor_is_one():
    w = K.variable(np.zeros(1, np.float32))
    opt = mp.LossScaleOptimizer(optimizers.SGD(), initial_scale=2.0)
    for _ in range(3):
        opt.apply_gradients([(K.convert_to_tensor(np.array([np.inf], np.float32)), w)])
    assert float(opt.loss_scale) == 1.0


def test_scaled_loss_and_unscaled_gradients():
    opt = mp.LossScaleOptimizer(optimizers.SGD(0.5), initial_scale=8.0, dynamic_growth_steps=2)
    assert float(opt.get_scaled_loss(K.constant(3.0))) == LS["scaled_loss_of_3"]
    assert K.to_numpy(opt.get_unscaled_gradients([K.constant([8.0])])[0]).tolist() == LS["unscaled_grad_of_8"]
    assert opt.get_unscaled_gradients([None]) == [None]


def test_fixed_loss_scale_and_defaults():
    fixed = mp.LossScaleOptimizer(optimizers.SGD(0.5), dynamic=False, initial_scale=4.0)
    want = LS["fixed"]
    assert fixed.dynamic is want["dynamic"] and fixed.initial_scale == want["initial_scale"]
    assert fixed.dynamic_growth_steps == want["dynamic_growth_steps"] and fixed.dynamic_counter is None
    assert float(fixed.loss_scale) == want["loss_scale"]
    config = fixed.get_config()
    assert {k: v for k, v in config.items() if k != "inner_optimizer"} == \
        {k: v for k, v in want["config"].items() if k != "inner_optimizer"}
    restored = mp.LossScaleOptimizer.from_config(config)
    assert restored.initial_scale == 4.0 and type(restored.inner_optimizer) is optimizers.SGD
    defaults = mp.LossScaleOptimizer(optimizers.SGD())
    assert defaults.initial_scale == LS["defaults"]["initial_scale"]
    assert defaults.dynamic_growth_steps == LS["defaults"]["dynamic_growth_steps"]
    assert float(defaults.loss_scale) == LS["defaults"]["loss_scale"]
    assert int(defaults.dynamic_counter) == LS["defaults"]["counter"]


def test_loss_scale_optimizer_delegates_to_its_inner_optimizer():
    inner = optimizers.Adam(0.01)
    opt = mp.LossScaleOptimizer(inner)
    assert float(opt.learning_rate) == pytest.approx(0.01)
    opt.learning_rate = 0.5
    assert float(inner.learning_rate) == 0.5
    assert opt.iterations is inner.iterations and opt.beta_1 == inner.beta_1


@pytest.mark.parametrize("case", sorted(LS["errors"]))
def test_loss_scale_optimizer_errors(case):
    want = LS["errors"][case]
    call = {"not_optimizer": lambda: mp.LossScaleOptimizer("sgd"),
            "dynamic_not_bool": lambda: mp.LossScaleOptimizer(optimizers.SGD(), dynamic="yes"),
            "fixed_without_scale": lambda: mp.LossScaleOptimizer(optimizers.SGD(), dynamic=False),
            "fixed_with_growth": lambda: mp.LossScaleOptimizer(optimizers.SGD(), dynamic=False, initial_scale=2.0,
                                                               dynamic_growth_steps=3),
            "wrap_twice": lambda: mp.LossScaleOptimizer(mp.LossScaleOptimizer(optimizers.SGD()))}[case]
    with pytest.raises(TypeError if want["type"] == "TypeError" else ValueError) as info:
        call()
    message = str(info.value)
    if case == "not_optimizer":  # Keras names its own classes; the sentence is the same
        assert message.startswith('"inner_optimizer" must be an instance of') and message.endswith("but got: sgd.")
    elif case == "wrap_twice":
        assert message.startswith("LossScaleOptimizer cannot wrap another LossScaleOptimizer, but got: ")
    else:
        assert message == want["message"]


def test_float16_overflow_is_skipped_in_fit_and_the_scale_backs_off():
    # Targets so large that the scaled gradients (2**15 times about 1e4) overflow float16 on their way back
    # through the float16 Dense: Keras skips such steps and halves the scale until they fit.
    mp.set_global_policy("mixed_float16")
    inputs = keras.Input(shape=(6,))
    outputs = L.Activation("linear", dtype="float32")(L.Dense(3)(inputs))
    model = keras.Model(inputs, outputs)
    mp.set_global_policy(None)
    model.compile(optimizer="sgd", loss="mse")
    x, y = classification_data(16)
    before = model.get_weights()
    opt = model.optimizer
    model.fit(x, y * 1e4, batch_size=16, epochs=1, verbose=0)
    assert float(opt.loss_scale) == 2.0 ** 14 and int(opt.dynamic_counter) == 0
    assert int(opt.iterations) == 1
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.fit(x, y * 1e4, batch_size=16, epochs=20, verbose=0)
    assert float(opt.loss_scale) < 2.0 ** 14
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # steps resumed
    assert all(np.isfinite(w).all() for w in model.get_weights())


# ---- CUDA ----------------------------------------------------------------------------------------------------

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@cuda
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_training_on_cuda_never_syncs_the_host(policy):
    model = recommended_model(policy)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x, y = classification_data(64)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)  # warm-up: slots and metrics are built
    trainer = model._trainer
    bx = [K.convert_to_tensor(x[:16])]
    by = [K.convert_to_tensor(y[:16])]
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for _ in range(3):
            trainer.train_step(bx, by, None)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert all(dtype_name(w) == "float32" for w in model.weights)


@cuda
def test_mixed_float16_convnet_runs_convolutions_in_half_on_cuda():
    mp.set_global_policy("mixed_float16")
    conv = L.Conv2D(8, 3)
    mp.set_global_policy(None)
    out = conv(np.ones((2, 16, 16, 3), np.float32))
    assert out.dtype == torch.float16 and conv.kernel.dtype == torch.float32


def test_tf_keras_serialized_loss_scale_optimizer_loads():
    restored = optimizers.deserialize(EXPECTED["model"]["serialized"])  # class_name 'LossScaleOptimizerV3'
    assert isinstance(restored, mp.LossScaleOptimizer) and type(restored.inner_optimizer) is optimizers.SGD
    assert restored.initial_scale == 2.0 ** 15 and restored.dynamic_growth_steps == 2000
    again = optimizers.deserialize(optimizers.serialize(restored))
    assert isinstance(again, mp.LossScaleOptimizer) and again.get_config() == restored.get_config()


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_mixed_model_saves_and_loads_with_its_policies_and_loss_scaling(tmp_path, suffix):
    model = recommended_model("mixed_float16")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x, y = classification_data(16)
    model.fit(x, y, batch_size=8, verbose=0)
    path = str(tmp_path / f"mixed{suffix}")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [repr(layer.dtype_policy) for layer in loaded.layers] == [repr(layer.dtype_policy) for layer in model.layers]
    assert isinstance(loaded.optimizer, mp.LossScaleOptimizer)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_a_16_bit_loss_is_summed_over_the_epoch_in_float32():
    # With no float32 output layer the loss itself is bfloat16; the epoch's running sum must not be (Keras'
    # loss tracker is float32): 200 bfloat16 batch losses summed in bfloat16 would drift by whole units.
    mp.set_global_policy("mixed_bfloat16")
    model = keras.Sequential([L.Dense(3, activation="softmax", input_shape=(6,))])
    mp.set_global_policy(None)
    assert model.output.dtype == "bfloat16"
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x, y = classification_data(800)
    logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    assert dtype_name(model._trainer._loss_sum) == "float32"
    per_batch = [float(model.evaluate(x[i:i + 4], y[i:i + 4], verbose=0)) for i in range(0, 800, 4)]
    assert logs["loss"] == pytest.approx(np.mean(per_batch), rel=1e-4)


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_stepped_rnn_cells_compute_in_the_compute_dtype(policy):
    """An RNN stepping its cell in a loop (a generic cell, or SimpleRNN under a mask) returns 16-bit outputs, as
    the symbolic output says and tf-keras' 16-bit variable reads give, within two 16-bit steps of rounding of
    the fused kernel's result on the same weights."""
    mp.set_global_policy(policy)
    x = np.random.default_rng(0).normal(size=(3, 5, 4)).astype("float32")
    fused = keras.layers.SimpleRNN(6, return_sequences=True)
    stepped = keras.layers.RNN(keras.layers.SimpleRNNCell(6), return_sequences=True)
    symbolic = stepped(keras.Input((5, 4)))
    fused(x)
    stepped.set_weights(fused.get_weights())
    a, b = fused(x), stepped(x)
    assert symbolic.dtype == str(b.dtype).split(".")[-1] == policy.split("_")[1]
    ulp = 2.0 ** -7 if policy == "mixed_bfloat16" else 2.0 ** -10
    a, b = (keras.backend.get_value(keras.backend.cast(t, "float32")) for t in (a, b))
    np.testing.assert_allclose(b, a, atol=2 * ulp)
    masked = keras.layers.SimpleRNN(6, return_sequences=True)
    masked.build((None, 5, 4))
    masked.set_weights(fused.get_weights())
    out = masked(x, mask=np.array([[True] * 5, [True] * 3 + [False] * 2, [True] * 5]))
    assert str(out.dtype).split(".")[-1] == policy.split("_")[1]
    out = keras.backend.get_value(keras.backend.cast(out, "float32"))
    np.testing.assert_allclose(out[:, :3], a[:, :3], atol=2 * ulp)
