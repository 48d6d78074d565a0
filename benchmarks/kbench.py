"""Time fit() of seed models written against the Keras API (from ../shared/bench, plus stateful_lstm).
usage: kbench.py MODEL [--impl keras|fastkeras] [--steps N] [--bs B] [--jit 0|1] [--policy mixed_bfloat16|...]
                 [--latency-reps N]
Prints one JSON line: ms per training step, predict throughput (batch 256), batch-1 latency of predict() and of
a direct model(x, training=False) call (median and min ms, after 10 warm-up calls), and the peak memory of
building, compiling and fitting the model (warm-up and timed fit) over a baseline taken after the imports and
the data creation (see peakmem.py for what the memory figures mean)."""
import argparse, importlib, json, os, statistics, time
import numpy as np
from peakmem import PeakMemory

p = argparse.ArgumentParser()
p.add_argument("model"); p.add_argument("--impl", default="keras")
p.add_argument("--steps", type=int, default=100); p.add_argument("--bs", type=int, default=32)
p.add_argument("--size", type=int, default=64); p.add_argument("--jit", default="auto")
p.add_argument("--policy", default=None, help="a global dtype policy such as mixed_float16 or mixed_bfloat16")
p.add_argument("--latency-reps", type=int, default=50, help="timed batch-1 predict() and model() calls (0: none)")
a = p.parse_args()
keras = importlib.import_module(a.impl)
if a.policy:
    keras.mixed_precision.set_global_policy(a.policy)
L = keras.layers
rng = np.random.default_rng(0)
n = a.steps * a.bs

def data():
    """The inputs and targets, NumPy, the same for every implementation (seed 0)."""
    onehot = lambda: [np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]]
    bern = lambda: [rng.integers(0, 2, (n, 1)).astype("float32")]
    if a.model == "mlp":
        return [rng.random((n, 784), dtype=np.float32)], onehot()
    if a.model == "headline":
        lab = rng.integers(0, 2, (n, 1)).astype("float32")
        return [rng.integers(1, 10000, (n, 100)).astype("int32"), rng.random((n, 5), dtype=np.float32)], [lab, lab]
    if a.model == "siamese_lstm":
        d = lambda: (rng.random((n, 140, 256)) < 0.01).astype("float32")
        return [d(), d()], bern()
    if a.model == "shared_vision":
        return [rng.random((n, 27, 27, 1), dtype=np.float32) for _ in range(2)], bern()
    if a.model == "convnet":
        return [rng.random((n, 100, 100, 3), dtype=np.float32)], onehot()
    if a.model == "inception":
        return [rng.random((n, a.size, a.size, 3), dtype=np.float32)], onehot()
    if a.model == "stateful_lstm":
        return [rng.random((n, 8, 16), dtype=np.float32)], onehot()
    raise SystemExit("unknown model " + a.model)

def build():
    """The model, its loss(es) and loss weights."""
    if a.model == "mlp":
        i = L.Input(shape=(784,)); x = L.Dense(64, activation="relu")(i); x = L.Dense(64, activation="relu")(x)
        return keras.models.Model(i, L.Dense(10, activation="softmax")(x)), "categorical_crossentropy", None
    if a.model == "headline":
        mi = L.Input(shape=(100,), dtype="int32", name="main_input")
        x = L.Embedding(output_dim=512, input_dim=10000)(mi); lo = L.LSTM(32)(x)
        ao = L.Dense(1, activation="sigmoid", name="aux_output")(lo)
        ai = L.Input(shape=(5,), name="aux_input")
        x = L.concatenate([lo, ai])
        for _ in range(3): x = L.Dense(64, activation="relu")(x)
        mo = L.Dense(1, activation="sigmoid", name="main_output")(x)
        return keras.models.Model([mi, ai], [mo, ao]), ["binary_crossentropy"] * 2, [1.0, 0.2]
    if a.model == "siamese_lstm":
        ta = L.Input(shape=(140, 256)); tb = L.Input(shape=(140, 256)); s = L.LSTM(64)
        x = L.concatenate([s(ta), s(tb)], axis=-1)
        return keras.models.Model([ta, tb], L.Dense(1, activation="sigmoid")(x)), "binary_crossentropy", None
    if a.model == "shared_vision":
        di = L.Input(shape=(27, 27, 1)); x = L.Conv2D(64, (3, 3))(di); x = L.Conv2D(64, (3, 3))(x)
        x = L.MaxPooling2D((2, 2))(x); vm = keras.models.Model(di, L.Flatten()(x))
        da = L.Input(shape=(27, 27, 1)); db = L.Input(shape=(27, 27, 1))
        x = L.concatenate([vm(da), vm(db)])
        return keras.models.Model([da, db], L.Dense(1, activation="sigmoid")(x)), "binary_crossentropy", None
    if a.model == "convnet":
        m = keras.models.Sequential([keras.Input(shape=(100, 100, 3)), L.Conv2D(32, (3, 3), activation="relu"), L.Conv2D(32, (3, 3), activation="relu"),
                                     L.MaxPooling2D(pool_size=(2, 2)), L.Flatten(), L.Dense(256, activation="relu"), L.Dropout(0.5), L.Dense(10, activation="softmax")])
        return m, "categorical_crossentropy", None
    if a.model == "inception":
        s = a.size; ii = L.Input(shape=(s, s, 3))
        t1 = L.Conv2D(64, (1, 1), padding="same", activation="relu")(ii); t1 = L.Conv2D(64, (3, 3), padding="same", activation="relu")(t1)
        t2 = L.Conv2D(64, (1, 1), padding="same", activation="relu")(ii); t2 = L.Conv2D(64, (5, 5), padding="same", activation="relu")(t2)
        t3 = L.MaxPooling2D((3, 3), strides=(1, 1), padding="same")(ii); t3 = L.Conv2D(64, (1, 1), padding="same", activation="relu")(t3)
        x = L.concatenate([t1, t2, t3], axis=-1); x = L.GlobalAveragePooling2D()(x)
        return keras.models.Model(ii, L.Dense(10, activation="softmax")(x)), "categorical_crossentropy", None
    if a.model == "stateful_lstm":
        # Seed 004: stacked stateful LSTM; batch_input_shape fixes the batch size.
        m = keras.models.Sequential([L.LSTM(32, return_sequences=True, stateful=True, batch_input_shape=(a.bs, 8, 16)),
                                     L.LSTM(32, return_sequences=True, stateful=True), L.LSTM(32, stateful=True),
                                     L.Dense(10, activation="softmax")])
        return m, "categorical_crossentropy", None
    raise SystemExit("unknown model " + a.model)

def to_numpy(o):
    """A direct call's output as NumPy (waits for the device, as a user reading the result does)."""
    if isinstance(o, (list, tuple)):
        return [to_numpy(v) for v in o]
    if hasattr(o, "detach"):  # a torch tensor; NumPy has no bfloat16, so widen that one
        o = o.detach().cpu()
        return (o.float() if str(o.dtype) == "torch.bfloat16" else o).numpy()
    return np.asarray(o)

def latency(fn):
    """Median and min wall time of fn() in ms over --latency-reps calls, after 10 warm-up calls."""
    for _ in range(10): fn()
    ts = []
    for _ in range(a.latency_reps):
        t = time.perf_counter(); fn(); ts.append((time.perf_counter() - t) * 1e3)
    return round(statistics.median(ts), 3), round(min(ts), 3)

X, Y = data()
backend = "torch" if a.impl == "fastkeras" else os.environ.get("KERAS_BACKEND", "tensorflow")
mem = PeakMemory(backend if backend in ("torch", "jax") else None)  # baseline: after imports and data
m, loss, lw = build()
kw = {} if a.jit == "auto" else {"jit_compile": a.jit == "1"}
m.compile(optimizer="rmsprop", loss=loss, loss_weights=lw, **kw)
w = max(a.bs * 5, a.bs)
t = time.perf_counter()
m.fit([x[:w] for x in X], [y[:w] for y in Y], batch_size=a.bs, epochs=1, verbose=0, shuffle=False)
warm = time.perf_counter() - t  # 5 steps, compilation included
t = time.perf_counter()
h = m.fit(X, Y, batch_size=a.bs, epochs=1, verbose=0, shuffle=False)
dt = time.perf_counter() - t
memory = mem.stop()  # before predict: the peak of build + compile + warm-up fit + timed fit
pbs = a.bs if a.model == "stateful_lstm" else 256
m.predict([x[:w] for x in X], batch_size=pbs, verbose=0)
t = time.perf_counter(); m.predict(X, batch_size=pbs, verbose=0); pdt = time.perf_counter() - t
b1 = {}
if a.model != "stateful_lstm" and a.latency_reps > 0:  # the stateful seed's batch size is fixed at --bs
    x1 = [x[:1] for x in X]; x1 = x1[0] if len(x1) == 1 else x1  # one sample, the same for every implementation
    b1["predict_b1_ms"], b1["predict_b1_min_ms"] = latency(lambda: m.predict(x1, verbose=0))
    b1["call_b1_ms"], b1["call_b1_min_ms"] = latency(lambda: to_numpy(m(x1, training=False)))
print(json.dumps({"impl": a.impl, "backend": os.environ.get("KERAS_BACKEND", ""), "model": a.model, "bs": a.bs, "jit": a.jit, "policy": a.policy,
                  "ms_per_step": round(dt / a.steps * 1e3, 3), "train_samples_s": round(n / dt), "predict_samples_s": round(n / pdt),
                  "loss": float(h.history["loss"][-1]), "warmup_s": round(warm, 2),
                  "jit_compile_s": getattr(getattr(m, "_trainer", None), "jit_compile_seconds", None),
                  **b1, "latency_reps": a.latency_reps, **memory}))
