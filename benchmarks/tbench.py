"""The same seed models hand-written in PyTorch, as a PyTorch expert would: NCHW, cuDNN LSTM.
usage: tbench.py MODEL [--steps N] [--bs B] [--compile 0|1] [--device cpu|cuda] [--latency-reps N].
Prints one JSON line: ms per training step, the peak memory of building the network and running the training
loop (see peakmem.py), and (eager only) the batch-1 latency of an eval-mode, no-grad forward call."""
import argparse, json, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F
from peakmem import PeakMemory

p = argparse.ArgumentParser()
p.add_argument("model"); p.add_argument("--steps", type=int, default=100); p.add_argument("--bs", type=int, default=32)
p.add_argument("--size", type=int, default=64); p.add_argument("--compile", type=int, default=0)
p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
p.add_argument("--latency-reps", type=int, default=50, help="timed batch-1 forward calls (0: none)")
a = p.parse_args(); dev = torch.device(a.device); torch.manual_seed(0); n = a.steps * a.bs
g = lambda *s: torch.rand(*s, device=dev)
onehot = lambda: F.one_hot(torch.randint(0, 10, (n,), device=dev), 10).float()
bern = lambda: torch.randint(0, 2, (n, 1), device=dev).float()

class MLP(nn.Module):
    def __init__(s): super().__init__(); s.f = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    def forward(s, x): return s.f(x)
class Headline(nn.Module):
    def __init__(s):
        super().__init__(); s.emb = nn.Embedding(10000, 512); s.lstm = nn.LSTM(512, 32, batch_first=True); s.aux = nn.Linear(32, 1)
        s.top = nn.Sequential(nn.Linear(37, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    def forward(s, t, x):
        h = s.lstm(s.emb(t))[1][0][-1]; return s.top(torch.cat([h, x], 1)), s.aux(h)
class Siamese(nn.Module):
    def __init__(s): super().__init__(); s.lstm = nn.LSTM(256, 64, batch_first=True); s.out = nn.Linear(128, 1)
    def forward(s, a, b): return s.out(torch.cat([s.lstm(a)[1][0][-1], s.lstm(b)[1][0][-1]], 1))
class Vision(nn.Module):
    def __init__(s): super().__init__(); s.v = nn.Sequential(nn.Conv2d(1, 64, 3), nn.Conv2d(64, 64, 3), nn.MaxPool2d(2), nn.Flatten()); s.out = nn.Linear(2 * 64 * 11 * 11, 1)
    def forward(s, a, b): return s.out(torch.cat([s.v(a), s.v(b)], 1))
class Convnet(nn.Module):
    def __init__(s):
        super().__init__()
        s.f = nn.Sequential(nn.Conv2d(3, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(32 * 48 * 48, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
    def forward(s, x): return s.f(x)
class Inception(nn.Module):
    def __init__(s):
        super().__init__(); c = lambda i, o, k: nn.Sequential(nn.Conv2d(i, o, k, padding=k // 2), nn.ReLU())
        s.t1 = nn.Sequential(c(3, 64, 1), c(64, 64, 3)); s.t2 = nn.Sequential(c(3, 64, 1), c(64, 64, 5))
        s.t3 = nn.Sequential(nn.MaxPool2d(3, 1, 1), c(3, 64, 1)); s.out = nn.Linear(192, 10)
    def forward(s, x): return s.out(torch.cat([s.t1(x), s.t2(x), s.t3(x)], 1).mean((2, 3)))

class Stateful(nn.Module):
    """Three stacked LSTMs whose state carries over from batch to batch (detached), as Keras' stateful=True."""
    def __init__(s): super().__init__(); s.l1 = nn.LSTM(16, 32, batch_first=True); s.l2 = nn.LSTM(32, 32, batch_first=True); s.l3 = nn.LSTM(32, 32, batch_first=True); s.out = nn.Linear(32, 10); s.h = [None] * 3
    def forward(s, x):
        for i, l in enumerate((s.l1, s.l2, s.l3)):
            x, st = l(x, s.h[i]); s.h[i] = tuple(v.detach() for v in st)
        return s.out(x[:, -1])

bce = F.binary_cross_entropy_with_logits
# The data first, then the baseline of the memory measurement, then the network (as kbench.py).
if a.model == "mlp": X, Y, lf = [g(n, 784)], [onehot()], lambda o, y: F.cross_entropy(o, y[0])
elif a.model == "headline":
    X = [torch.randint(1, 10000, (n, 100), device=dev), g(n, 5)]; lab = bern(); Y = [lab]
    lf = lambda o, y: bce(o[0], y[0]) + 0.2 * bce(o[1], y[0])
elif a.model == "siamese_lstm": X, Y, lf = [(g(n, 140, 256) < 0.01).float() for _ in range(2)], [bern()], lambda o, y: bce(o, y[0])
elif a.model == "shared_vision": X, Y, lf = [g(n, 1, 27, 27) for _ in range(2)], [bern()], lambda o, y: bce(o, y[0])
elif a.model == "convnet": X, Y, lf = [g(n, 3, 100, 100)], [onehot()], lambda o, y: F.cross_entropy(o, y[0])
elif a.model == "inception": X, Y, lf = [g(n, 3, a.size, a.size)], [onehot()], lambda o, y: F.cross_entropy(o, y[0])
elif a.model == "stateful_lstm": X, Y, lf = [g(n, 8, 16)], [onehot()], lambda o, y: F.cross_entropy(o, y[0])
else: raise SystemExit("unknown model " + a.model)
channels_last = dev.type == "cuda" and X[0].dim() == 4
if channels_last: X = [x.contiguous(memory_format=torch.channels_last) for x in X]
# torch.optim imports some 800 modules (torch._dynamo, ~70 MiB) when the first optimizer is made: an import, so
# before the baseline, as fastkeras' and Keras 3's imports are.
torch.optim.RMSprop([torch.zeros(1, requires_grad=True)])
mem = PeakMemory("torch" if dev.type == "cuda" else None)  # baseline: after imports and data
net = {"mlp": MLP, "headline": Headline, "siamese_lstm": Siamese, "shared_vision": Vision, "convnet": Convnet,
       "inception": Inception, "stateful_lstm": Stateful}[a.model]().to(dev)
if channels_last: net = net.to(memory_format=torch.channels_last)
opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
fwd = torch.compile(net) if a.compile else net
def step(i):
    xb = [x[i:i + a.bs] for x in X]; yb = [y[i:i + a.bs] for y in Y]
    opt.zero_grad(set_to_none=True); l = lf(fwd(*xb), yb); l.backward(); opt.step(); return l
sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
t0 = time.perf_counter()
for i in range(0, 5 * a.bs, a.bs): step(i)
sync(); warm = time.perf_counter() - t0
t = time.perf_counter()
for i in range(0, n, a.bs): l = step(i)
sync(); dt = time.perf_counter() - t
memory = mem.stop()  # the peak of building the network and optimizer, the warm-up and the timed loop
b1 = {}
if a.model != "stateful_lstm" and not a.compile and a.latency_reps > 0:
    # The reference for a direct model(x, training=False) call: eval mode, no autograd, one sample, result on the host.
    net.eval(); x1 = [x[:1] for x in X]
    def call():
        with torch.no_grad():
            o = net(*x1)
        return [v.cpu().numpy() for v in o] if isinstance(o, tuple) else o.cpu().numpy()
    for _ in range(10): call()
    ts = []
    for _ in range(a.latency_reps):
        t = time.perf_counter(); call(); ts.append((time.perf_counter() - t) * 1e3)
    b1 = {"call_b1_ms": round(statistics.median(ts), 3), "call_b1_min_ms": round(min(ts), 3), "latency_reps": a.latency_reps}
print(json.dumps({"impl": "torch-compiled" if a.compile else "torch-eager", "device": a.device, "model": a.model, "bs": a.bs,
                  "ms_per_step": round(dt / a.steps * 1e3, 3), "train_samples_s": round(n / dt), "warmup_s": round(warm, 2), "loss": float(l.detach()),
                  **b1, **memory}))
