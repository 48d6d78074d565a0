"""keras.random on PyTorch. An int seed gives the same numbers on every call; a SeedGenerator gives a new,
reproducible draw on each call; no seed draws from torch's global generator."""
import numpy as np
import torch

from fastkeras.backend.config import floatx
from fastkeras.backend.torch.core import default_device, torch_dtype
from fastkeras.backend.torch.keras_ops._common import tensor


class SeedGenerator:
    """A stream of seeds: the same initial ``seed`` gives the same sequence of random tensors.

    ``keras.random.SeedGenerator(1337)`` then ``keras.random.normal(shape, seed=generator)``, as in Keras 3.
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is None:
            seed = int(np.random.randint(0, 2 ** 31 - 1))
        if not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self.initial_seed = int(seed)
        self.name = name or "seed_generator"
        self.state = np.array([self.initial_seed, 0], dtype=np.int64)

    def next(self, ordered=True):
        seed = (self.initial_seed * 1_000_003 + int(self.state[1]) * 7919 + 17) % (2 ** 63 - 1)
        self.state[1] += 1
        return seed

    def get_config(self):
        return {"seed": self.initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator seed={self.initial_seed} draws={int(self.state[1])}>"


def draw_seed(seed):
    """An int seed for this draw, or None for torch's global generator."""
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, torch.Tensor):
        return int(seed.reshape(-1)[0].item())
    if isinstance(seed, (tuple, list, np.ndarray)):
        return int(np.asarray(seed).reshape(-1)[0])
    if isinstance(seed, (int, np.integer)):
        return int(seed)
    raise ValueError(f"Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
                     f"Received: seed={seed} (of type {type(seed)})")


def _generator(seed):
    seed = draw_seed(seed)
    if seed is None:
        return None
    g = torch.Generator(device=default_device())
    g.manual_seed(seed)
    return g


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _float(dtype):
    t = torch_dtype(dtype if dtype is not None else floatx())
    if not t.is_floating_point:
        raise ValueError(f"Expected a floating dtype, received {dtype!r}.")
    return t


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    out = torch.empty(_shape(shape), dtype=_float(dtype), device=default_device())
    return out.normal_(generator=_generator(seed)) * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    out = torch.empty(_shape(shape), dtype=_float(dtype), device=default_device())
    return out.uniform_(generator=_generator(seed)) * (maxval - minval) + minval


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until within two standard deviations of the mean."""
    g = _generator(seed)
    shape = _shape(shape)
    dtype = _float(dtype)
    out = torch.empty(shape, dtype=dtype, device=default_device()).normal_(generator=g)
    bad = out.abs() > 2
    while bool(bad.any()):
        fresh = torch.empty(shape, dtype=dtype, device=default_device()).normal_(generator=g)
        out = torch.where(bad, fresh, out)
        bad = out.abs() > 2
    return out * stddev + mean


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return torch.randint(int(minval), int(maxval), _shape(shape), generator=_generator(seed),
                         device=default_device(), dtype=torch.int64).to(torch_dtype(dtype))


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = tensor(logits)
    probs = torch.softmax(logits.float(), dim=-1)
    out = torch.multinomial(probs, int(num_samples), replacement=True, generator=_generator(seed))
    return out.to(torch_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    inputs = tensor(inputs)
    if rate == 0:
        return inputs
    shape = tuple(inputs.shape) if noise_shape is None else tuple(
        inputs.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    keep = torch.empty(shape, dtype=inputs.dtype, device=inputs.device).uniform_(generator=_generator(seed)) >= rate
    return torch.where(keep, inputs / (1.0 - rate), torch.zeros((), dtype=inputs.dtype, device=inputs.device))


def shuffle(x, axis=0, seed=None):
    x = tensor(x)
    perm = torch.randperm(x.shape[axis], generator=_generator(seed), device=default_device())
    return torch.index_select(x, axis, perm.to(x.device))


def gamma(shape, alpha, dtype=None, seed=None):
    """Gamma(alpha, 1) samples (Marsaglia and Tsang, seeded; alpha < 1 boosted by U ** (1 / alpha))."""
    dtype = _float(dtype)
    g = _generator(seed)
    shape = _shape(shape)
    dev = default_device()
    a = torch.as_tensor(alpha, dtype=torch.float64, device=dev).expand(shape)
    boost = a < 1
    d = torch.where(boost, a + 1, a) - 1.0 / 3.0
    c = 1.0 / torch.sqrt(9.0 * d)
    out = torch.zeros(shape, dtype=torch.float64, device=dev)
    todo = torch.ones(shape, dtype=torch.bool, device=dev)
    while bool(todo.any()):
        z = torch.empty(shape, dtype=torch.float64, device=dev).normal_(generator=g)
        u = torch.empty(shape, dtype=torch.float64, device=dev).uniform_(generator=g)
        v = (1 + c * z) ** 3
        ok = (v > 0) & (torch.log(u.clamp_min(1e-300)) < 0.5 * z ** 2 + d - d * v + d * torch.log(v.clamp_min(1e-300)))
        take = todo & ok
        out = torch.where(take, d * v, out)
        todo = todo & ~ok
    if bool(boost.any()):
        u = torch.empty(shape, dtype=torch.float64, device=dev).uniform_(generator=g)
        out = torch.where(boost, out * u ** (1.0 / a), out)
    return out.to(dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float(dtype)
    seed = draw_seed(seed)
    x = gamma(shape, alpha, "float64", seed=seed)
    y = gamma(shape, beta, "float64", seed=None if seed is None else seed + 1)
    return (x / (x + y)).to(dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float(dtype)
    shape = _shape(shape)
    dev = default_device()
    counts_t = torch.as_tensor(tensor(counts).cpu().numpy() if isinstance(counts, torch.Tensor) else counts,
                               dtype=torch.float32, device=dev).expand(shape)
    probs_t = torch.as_tensor(tensor(probabilities).cpu().numpy() if isinstance(probabilities, torch.Tensor)
                              else probabilities, dtype=torch.float32, device=dev).expand(shape)
    dist = torch.distributions.Binomial(total_count=counts_t, probs=probs_t, validate_args=False)
    g = _generator(seed)
    if g is None:
        return dist.sample().to(dtype)
    # torch.distributions draws from the global generator: seed a private fork of it for this draw
    devices = [dev] if dev.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(g.initial_seed())
        return dist.sample().to(dtype)


__all__ = ["SeedGenerator", "normal", "uniform", "truncated_normal", "randint", "categorical", "dropout",
           "shuffle", "gamma", "beta", "binomial"]
