"""compile(jit_compile=True): a training step (forward, loss, backward and, for the built-in optimizers, the
update) compiled with torch.compile, the same numbers as eager execution, and a warned fallback to eager where a
model cannot be compiled as one graph.

Each compiled model costs a few seconds of torch.compile on the CPU, so the file compiles only a few.
"""
import warnings

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K
from fastkeras import layers as L
from fastkeras.models import Model, Sequential

torch = pytest.importorskip("torch")


def two_output_model():
    main_input = L.Input(shape=(10,), name="main_input")
    x = L.Dense(8, activation="relu")(main_input)
    aux_output = L.Dense(1, activation="sigmoid", name="aux_output")(x)
    aux_input = L.Input(shape=(5,), name="aux_input")
    x = L.concatenate([x, aux_input])
    x = L.Dense(16, activation="relu", kernel_regularizer="l2")(x)
    main_output = L.Dense(1, activation="sigmoid", name="main_output")(x)
    return Model(inputs=[main_input, aux_input], outputs=[main_output, aux_output])


def two_output_data(n=72, seed=0):  # 72 = two batches of 32 and a last one of 8, which runs eagerly
    rng = np.random.default_rng(seed)
    head = rng.random((n, 10)).astype("float32")
    extra = rng.random((n, 5)).astype("float32")
    labels = (head.sum(1, keepdims=True) > 5).astype("float32")
    return [head, extra], [labels, labels]


def fit_both_ways(build, x, y, compile_kwargs, fit_kwargs, evaluate=False):
    """(eager, compiled) results of the same model, from the same weights and data order."""
    results = []
    weights = None
    for jit in (False, True):
        keras.utils.set_random_seed(7)
        model = build()
        if weights is None:
            weights = model.get_weights()
        model.set_weights(weights)
        model.compile(jit_compile=jit, **compile_kwargs)
        history = model.fit(x, y, verbose=0, **fit_kwargs).history
        scores = model.evaluate(x, y, verbose=0, return_dict=True) if evaluate else None
        results.append((model, history, scores))
    return results


def assert_same_history(a, b, rtol=1e-5, atol=1e-6):
    assert set(a) == set(b)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=rtol, atol=atol, err_msg=key)


def test_default_jit_compile_none_is_eager():
    model = Sequential([L.Dense(3, input_shape=(4,))])
    model.compile("sgd", "mse")
    assert model._trainer.jit_compile is False
    model.fit(np.ones((8, 4), "float32"), np.ones((8, 3), "float32"), verbose=0)
    assert model._trainer._jit_train is None and model._trainer.jit_compile_seconds is None


def test_compiled_functional_model_matches_eager_in_fit_and_evaluate():
    x, y = two_output_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning: the model compiles as one graph
        (eager, h_eager, s_eager), (jitted, h_jit, s_jit) = fit_both_ways(
            two_output_model, x, y,
            dict(optimizer="rmsprop", loss="binary_crossentropy", loss_weights=[1.0, 0.2], metrics=["accuracy"]),
            dict(epochs=2, batch_size=32, shuffle=False, validation_data=(x, y)), evaluate=True)
    trainer = jitted._trainer
    assert trainer.jit_compile_seconds is not None and trainer.jit_compile_seconds > 0
    assert trainer._jit_train is not None and trainer._jit_off is None
    assert "val_main_output_accuracy" in h_jit
    assert_same_history(h_eager, h_jit)
    assert_same_history({k: [v] for k, v in s_eager.items()}, {k: [v] for k, v in s_jit.items()})
    for a, b in zip(eager.get_weights(), jitted.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert jitted.optimizer.iterations.item() == eager.optimizer.iterations.item() == 6


def test_compiled_sequential_convnet_trains_like_eager():
    def convnet():
        return Sequential([L.Conv2D(4, 3, activation="relu", input_shape=(8, 8, 2)), L.MaxPooling2D(),
                           L.Flatten(), L.Dense(3, activation="softmax")])
    rng = np.random.default_rng(1)
    x = rng.random((32, 8, 8, 2)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 32)]
    (eager, h_eager, _), (jitted, h_jit, _) = fit_both_ways(
        convnet, x, y, dict(optimizer="adam", loss="categorical_crossentropy"),
        dict(epochs=3, batch_size=16, shuffle=False))
    assert jitted._trainer.jit_compile_seconds is not None
    assert_same_history(h_eager, h_jit, rtol=1e-4)
    assert h_jit["loss"][-1] < h_jit["loss"][0]


def test_stateful_rnn_runs_eagerly_with_one_warning():
    def stateful():
        return Sequential([L.LSTM(4, stateful=True, batch_input_shape=(4, 3, 2)), L.Dense(1)])
    x = np.random.default_rng(2).random((16, 3, 2)).astype("float32")
    y = x[:, -1, :1]
    with pytest.warns(UserWarning, match=r'jit_compile=True: model "sequential.*" runs eagerly instead, because '
                                         r'layer "lstm.*" is stateful') as record:
        (_, h_eager, _), (jitted, h_jit, _) = fit_both_ways(
            stateful, x, y, dict(optimizer="sgd", loss="mse"), dict(epochs=2, batch_size=4, shuffle=False))
    assert sum("jit_compile" in str(w.message) for w in record) == 1
    assert jitted._trainer._jit_train is None and "stateful" in jitted._trainer._jit_off
    assert_same_history(h_eager, h_jit)


def test_seeded_dropout_breaks_the_graph_and_falls_back_with_the_reason():
    def with_seeded_dropout():
        inputs = L.Input(shape=(6,))
        x = L.Dropout(0.5, seed=3)(L.Dense(8)(inputs))
        return Model(inputs, L.Dense(1)(x))
    x = np.random.default_rng(3).random((16, 6)).astype("float32")
    y = x[:, :1]
    with pytest.warns(UserWarning, match="runs eagerly instead, because") as record:
        (_, h_eager, _), (jitted, h_jit, _) = fit_both_ways(
            with_seeded_dropout, x, y, dict(optimizer="sgd", loss="mse"), dict(epochs=2, batch_size=8, shuffle=False))
    message = next(str(w.message) for w in record if "jit_compile" in str(w.message))
    assert len(message) < 700  # one readable reason, not a compiler traceback
    assert jitted._trainer._jit_off is not None
    # The seeded masks come from the same per-call seeds as in the eager run: identical training.
    assert_same_history(h_eager, h_jit)


def test_run_eagerly_with_jit_compile_is_refused_as_keras_does():
    model = Sequential([L.Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match="You cannot enable `run_eagerly` and `jit_compile` at the same time."):
        model.compile("sgd", "mse", run_eagerly=True, jit_compile=True)


def test_compile_step_keeps_one_cache_per_model():
    # Dynamo caches compiled graphs per code object; each model's step gets its own, so many compiled models in
    # one process never share (and exhaust) one recompile limit.
    from torch._dynamo.eval_frame import _debug_get_cache_entry_list

    class Holder:
        def body(self, x):
            return x * 2 + 1

    step_a = K.compile_step(Holder().body, "step_a")
    step_b = K.compile_step(Holder().body, "step_b")
    assert step_a.code is not step_b.code and step_a.code is not Holder.body.__code__
    assert step_a.code.co_name.startswith("step_a_") and step_a.code.co_name != K.compile_step(
        Holder().body, "step_a").code.co_name  # unique names: Dynamo keys its shape memory on them too
    np.testing.assert_allclose(K.to_numpy(step_a(torch.ones(3))), [3.0, 3.0, 3.0])
    assert len(_debug_get_cache_entry_list(step_a.code)) == 1
    assert len(_debug_get_cache_entry_list(step_b.code)) == 0
    assert len(_debug_get_cache_entry_list(Holder.body.__code__)) == 0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_compiled_step_on_cuda_matches_eager():
    x, y = two_output_data()
    (_, h_eager, _), (_, h_jit, _) = fit_both_ways(
        two_output_model, x, y, dict(optimizer="adam", loss="binary_crossentropy"),
        dict(epochs=2, batch_size=32, shuffle=False))
    assert_same_history(h_eager, h_jit, rtol=1e-4, atol=1e-5)


def test_whole_step_with_schedule_decay_ema_and_clipping_matches_eager_without_recompiling():
    """The optimizer's update inside the compiled step: a learning rate that changes every step (a schedule),
    decoupled weight decay, EMA with its overwrite and clipping give eager's weights, from one compiled graph."""
    import torch._dynamo.utils as dynamo_utils

    def build():
        i = L.Input((6,))
        return Model(i, L.Dense(2)(L.Dense(5, activation="tanh")(i)))

    def optimizer():
        schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.7)
        return keras.optimizers.AdamW(schedule, weight_decay=0.01, use_ema=True, ema_overwrite_frequency=3,
                                      clipnorm=0.5)
    rng = np.random.default_rng(3)
    x, y = rng.random((64, 6)).astype("float32"), rng.random((64, 2)).astype("float32")
    results = []
    for jit in (False, True):
        keras.utils.set_random_seed(7)
        model = build()
        model.compile(optimizer=optimizer(), loss="mse", jit_compile=jit)
        graphs_before = dynamo_utils.counters["stats"]["unique_graphs"]
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
        results.append((model, history, dynamo_utils.counters["stats"]["unique_graphs"] - graphs_before))
    (eager, h_eager, _), (jitted, h_jit, graphs) = results
    assert jitted._trainer._jit_plan is not None  # the update ran inside the graph
    assert graphs == 1, f"{graphs} graphs compiled for 16 steps with 16 learning rates"
    assert_same_history(h_eager, h_jit, rtol=1e-5)
    for a, b in zip(eager.get_weights() + eager.optimizer.get_weights(),
                    jitted.get_weights() + jitted.optimizer.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
