"""Where the time of one MLP training step goes: fastkeras' step next to the hand-written PyTorch step of
tbench.py (same 784-64-64-10 MLP, batch 32, RMSprop).

    .venv/bin/python benchmarks/profile_step.py time        # us per step, min over repeats (1 thread)
    .venv/bin/python benchmarks/profile_step.py ops         # ATen operators dispatched per step, by name
    .venv/bin/python benchmarks/profile_step.py cprofile    # Python time per step, by fastkeras module
    PATH=.venv/bin:$PATH .venv/bin/python benchmarks/profile_step.py callgrind
                                                            # CPU instructions per step, by library (valgrind)

Instruction counts (callgrind) do not change with the load of the machine, so they are the measure to trust on
a shared computer; the timings are minima over repeated runs, and everything runs on one thread (on a loaded
2-core machine torch's second intra-op thread makes every kernel wait for a descheduled worker).
"""
import collections
import json
import sys
import time

FASTKERAS_SETUP = '''
import numpy as np, torch
torch.set_num_threads(1)
import fastkeras as keras
L = keras.layers
rng = np.random.default_rng(0)
i = L.Input(shape=(784,)); x = L.Dense(64, activation="relu")(i); x = L.Dense(64, activation="relu")(x)
model = keras.models.Model(i, L.Dense(10, activation="softmax")(x))
model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
X = rng.random((64, 784), dtype=np.float32); Y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
model.fit(X, Y, batch_size=32, verbose=0)           # builds metrics, optimizer slots
trainer = model._trainer
bx = [torch.from_numpy(X[:32])]; by = [torch.from_numpy(Y[:32])]
def fastkeras_step():
    trainer.train_step(bx, by, None)
fastkeras_step()
'''

TORCH_SETUP = '''
import torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1); torch.manual_seed(0)
net = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
tx = torch.rand(32, 784); ty = F.one_hot(torch.randint(0, 10, (32,)), 10).float()
def torch_step():
    opt.zero_grad(set_to_none=True); loss = F.cross_entropy(net(tx), ty); loss.backward(); opt.step()
torch_step()
'''


def setup(which):
    scope = {}
    exec(FASTKERAS_SETUP if which == "fastkeras" else TORCH_SETUP, scope)  # noqa: S102 - our own code above
    return scope, scope["fastkeras_step" if which == "fastkeras" else "torch_step"]


def best_us(fn, number=50, repeat=40):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best * 1e6


def measure_time():
    fk_scope, fk_step = setup("fastkeras")
    _, t_step = setup("torch")
    model, np_ = fk_scope["model"], fk_scope["np"]
    x = np_.random.default_rng(1).random((3200, 784), dtype=np_.float32)
    y = np_.eye(10, dtype=np_.float32)[np_.random.default_rng(2).integers(0, 10, 3200)]

    def fit_100_steps():
        model.fit(x, y, batch_size=32, verbose=0, shuffle=False)
    rows = {}
    for _ in range(3):  # interleaved, so that a burst of load hits all three alike
        rows.setdefault("fastkeras train_step", []).append(best_us(fk_step))
        rows.setdefault("PyTorch eager step", []).append(best_us(t_step))
        rows.setdefault("fastkeras fit (per step)", []).append(best_us(fit_100_steps, number=1, repeat=5) / 100)
    print(json.dumps({k: round(min(v), 1) for k, v in rows.items()}))


def count_ops():
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    class Count(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.ops = collections.Counter()

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            self.ops[func.overloadpacket.__name__] += 1
            return func(*args, **(kwargs or {}))

    for which in ("fastkeras", "torch"):
        _, step = setup(which)
        with Count() as counter:
            step()
        views = {"detach", "view", "t", "expand", "unsqueeze", "_reshape_alias", "as_strided"}
        kernels = sum(n for op, n in counter.ops.items() if op not in views)
        print(f"{which}: {sum(counter.ops.values())} ATen calls, {kernels} not views: "
              + ", ".join(f"{op} {n}" for op, n in sorted(counter.ops.items())))
    del torch


def python_profile():
    import cProfile
    import pstats
    _, step = setup("fastkeras")
    profiler = cProfile.Profile()
    steps = 300
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler)
    groups = collections.Counter()
    calls = collections.Counter()
    for (filename, _, name), (_, ncalls, tottime, _, _) in stats.stats.items():
        if "fastkeras/" in filename:
            key = "fastkeras/" + filename.split("fastkeras/")[-1]
        elif "torch/" in filename:
            key = "torch (Python)"
        elif filename == "~" and ("torch" in name or "Tensor" in name or "run_backward" in name or "_foreach" in name):
            key = "torch C calls: kernels, dispatch, autograd"
        else:
            key = "other Python"
        groups[key] += tottime
        calls[key] += ncalls
    total = sum(groups.values())
    print(f"cProfile, {steps} steps (profiling inflates Python time): {1e6 * total / steps:.0f} us per step")
    for key, value in groups.most_common():
        print(f"  {key:52s} {1e6 * value / steps:7.1f} us  {100 * value / total:5.1f}%  {calls[key] / steps:6.1f} calls")


def callgrind():
    from torch.utils.benchmark import Timer
    number = 50
    for which, stmt, code in (("fastkeras", "fastkeras_step()", FASTKERAS_SETUP), ("torch", "torch_step()", TORCH_SETUP)):
        stats = Timer(stmt, setup=code).collect_callgrind(number=number)
        groups = collections.Counter()
        for count, fn in stats.stats(inclusive=False)._data:
            groups[_library_group(fn)] += count
        total = sum(groups.values())
        print(f"{which}: {total / number / 1e6:.2f} M instructions per step")
        for key, value in groups.most_common():
            print(f"  {key:55s} {value / number / 1e3:7.0f} k  {100 * value / total:5.1f}%")


def _library_group(symbol):
    """Which part of the stack a callgrind symbol ('file:function [library]') belongs to."""
    if "mkl_blas" in symbol or "sgemm" in symbol:
        return "GEMM (MKL)"
    if "mkl_vml" in symbol or "vssqrt" in symbol:
        return "vector math (MKL)"
    if "libpython" in symbol:
        return "Python interpreter"
    if "libtorch_python" in symbol:
        return "torch Python bindings"
    if "autograd" in symbol:
        return "autograd engine and nodes"
    if any(k in symbol for k in ("Dispatcher", "OperatorEntry", "KernelFunction", "oxed", "DispatchKey",
                                 "RecordFunction", "StepCallbacks", "ThreadLocalState", "autocast")):
        return "dispatcher, thread-local state"
    if any(k in symbol for k in ("TensorIterator", "at::native", "vectorized_loop", "function_ref", "cpu_kernel",
                                 "Vectorized")):
        return "elementwise kernels, TensorIterator"
    if any(k in symbol for k in ("empty", "TensorImpl", "Storage", "c10::intrusive", "Allocator")):
        return "tensor allocation, metadata"
    if "libc.so" in symbol or "libstdc++" in symbol or "ld-linux" in symbol:
        return "libc/ld: malloc, thread-locals"
    return "other"


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "time"
    {"time": measure_time, "ops": count_ops, "cprofile": python_profile, "callgrind": callgrind}[mode]()
