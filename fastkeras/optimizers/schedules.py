"""Learning-rate schedules: tf-keras 2.21's ``tf.keras.optimizers.schedules``, same arguments, configs and values.

A schedule maps a step (a number, or a 0-d tensor such as ``optimizer.iterations``) to a learning rate. The
value is computed on the host in float32, the dtype TensorFlow uses for a Python-float initial learning rate,
and returned as a numpy float32 scalar; optimizers evaluate their schedule once per step, on the host.
"""
import math

import numpy as np

from fastkeras import backend as K
from fastkeras.saving import serialization

_MODULE = "keras.optimizers.schedules"
_F = np.float32


def _step_value(step):
    if K.is_tensor(step):
        step = K.get_value(step)
    return _F(np.asarray(step, dtype=np.float64))


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{self.__class__.__name__}' must override "
                                  "`__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{self.__class__.__name__}' must override `get_config()` "
                                  "in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (integer division with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _step_value(step) / _F(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _F(self.initial_learning_rate) * np.power(_F(self.decay_rate), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to and including ``boundaries[0]``, ``values[1]`` up to ``boundaries[1]``, ..."""

    def __init__(self, boundaries, values, name=None):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                             f"{len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        x = K.get_value(step) if K.is_tensor(step) else step
        x = np.asarray(x)
        index = len(self.boundaries)
        for i, boundary in enumerate(self.boundaries):
            if x <= boundary:
                index = i
                break
        value = self.values[index]
        return _F(value) if isinstance(value, float) else np.asarray(value)[()]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``, held at ``end`` after ``decay_steps``
    (with ``cycle``, ``decay_steps`` grows to the next multiple of itself instead)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        initial, end = _F(self.initial_learning_rate), _F(self.end_learning_rate)
        step = _step_value(step)
        decay_steps = _F(self.decay_steps)
        if self.cycle:
            multiplier = _F(1.0) if step == 0 else np.ceil(step / decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return (initial - end) * np.power(_F(1) - p, _F(self.power)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (integer division with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _step_value(step) / _F(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _F(self.initial_learning_rate) / (_F(1) + _F(self.decay_rate) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` (or, after a linear warmup of ``warmup_steps``, from
    ``warmup_target``) to ``alpha`` times that over ``decay_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None, warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay(self, step, decay_steps, decay_from):
        completed = step / decay_steps
        cosine = _F(0.5) * (_F(1) + np.cos(_F(math.pi) * completed))
        # (1 - alpha) in double, then float32, as TensorFlow mixes a Python float into a float32 tensor.
        return decay_from * (_F(1 - self.alpha) * cosine + _F(self.alpha))

    def __call__(self, step):
        initial = _F(self.initial_learning_rate)
        decay_steps = _F(self.decay_steps)
        step = _step_value(step)
        if self.warmup_target is None:
            return self._decay(min(step, decay_steps), decay_steps, initial)
        target, warmup_steps = _F(self.warmup_target), _F(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return (target - initial) * (step / warmup_steps) + initial
        return self._decay(step - warmup_steps, decay_steps, target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods of ``first_decay_steps * t_mul**i`` steps whose peak is
    ``initial_learning_rate * m_mul**i``."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name=None):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        t_mul, m_mul, alpha = _F(self._t_mul), _F(self._m_mul), _F(self.alpha)
        completed = _step_value(step) / _F(self.first_decay_steps)
        if t_mul == 1:
            restart = np.floor(completed)
            completed = completed - restart
        else:
            restart = np.floor(np.log(_F(1) - completed * (_F(1) - t_mul)) / np.log(t_mul))
            done = (_F(1) - t_mul ** restart) / (_F(1) - t_mul)
            completed = (completed - done) / t_mul ** restart
        cosine = _F(0.5) * m_mul ** restart * (_F(1) + np.cos(_F(math.pi) * completed))
        return _F(self.initial_learning_rate) * ((_F(1) - alpha) * cosine + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


ALL_OBJECTS = {cls.__name__: cls for cls in (LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay,
                                             PolynomialDecay, InverseTimeDecay, CosineDecay, CosineDecayRestarts)}
_BUILTIN = frozenset(ALL_OBJECTS.values())


def serialize(learning_rate_schedule, use_legacy_format=False):
    """``{'module': 'keras.optimizers.schedules', 'class_name', 'config', 'registered_name'}`` (tf-keras 2.21)."""
    cls = type(learning_rate_schedule)
    config = learning_rate_schedule.get_config()
    if use_legacy_format:
        return {"class_name": cls.__name__, "config": config}
    if cls in _BUILTIN:
        return {"module": _MODULE, "class_name": cls.__name__, "config": config, "registered_name": None}
    return {"module": None if cls.__module__ == "__main__" else cls.__module__, "class_name": cls.__name__,
            "config": config, "registered_name": serialization.get_registered_name(cls)}


def deserialize(config, custom_objects=None, use_legacy_format=False):
    """A schedule from its serialized dict (class names resolve through the registry, never by import)."""
    if not isinstance(config, dict):
        raise ValueError(f"Could not interpret learning rate schedule config: {config!r}")
    entry = {"class_name": config.get("registered_name") or config.get("class_name"),
             "config": config.get("config", {})}
    if serialization.lookup(entry["class_name"], ALL_OBJECTS, custom_objects) is None:
        entry["class_name"] = config.get("class_name")
    return serialization.deserialize_keras_object(entry, ALL_OBJECTS, custom_objects,
                                                  kind="learning rate schedule")


__all__ = list(ALL_OBJECTS) + ["serialize", "deserialize"]
