"""Adafactor."""
import numpy as np

from fastkeras import backend as K
from fastkeras.optimizers import schedules as schedules_module
from fastkeras.optimizers.optimizer import Optimizer


class Adafactor(Optimizer):
    """Adafactor (tf-keras 2.21 ``Adafactor``): second moments of a matrix kept as their row and column means
    (memory ``O(rows + columns)``), steps scaled by the weights' RMS.

    At step ``t`` (from 1): ``rho_t = min(lr, 1 / sqrt(t))`` (with ``relative_step`` and a constant learning
    rate, ``lr`` is first capped the same way); ``beta_2_t = 1 - t^beta_2_decay``; ``g2 = g^2 + epsilon_1``. A
    variable of rank >= 2 keeps ``r`` (mean of ``g2`` over the last axis) and ``c`` (over the one before),
    decayed by ``beta_2_t``, and ``v = r / mean(r)`` (outer) ``c``; a vector keeps ``v`` itself. The update is
    ``u = g / sqrt(v)``, clipped to RMS ``clip_threshold``, and ``w -= max(epsilon_2, rms(w)) * rho_t * u``.
    Slots are named as tf-keras' (``Adafactor/r/kernel:0``, ``Adafactor/c/kernel:0``, ``Adafactor/v/kernel:0``;
    vectors only ``v``), in its order. torch.optim's Adafactor follows the later "big vision" variant, so it is
    not used.

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.001.
        beta_2_decay: Exponent of the second-moment decay. Defaults to -0.8.
        epsilon_1: Added to the squared gradients. Defaults to 1e-30.
        epsilon_2: Lower bound of the weights' RMS in the step size. Defaults to 1e-3.
        clip_threshold: RMS the update is clipped to. Defaults to 1.0.
        relative_step: Cap a constant learning rate by ``1 / sqrt(t)``. Defaults to True.
        **kwargs: The base optimizer's arguments and Keras 2's ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                 relative_step=True, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, jit_compile=True, name="Adafactor",
                 **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def _slot_layout(self):
        return [(("r", None), ("c", None), ("v", None))]

    def _create_slots(self, var_list):
        # Per variable: r and c (rank >= 2 only; None keeps the lists aligned with the variables), then v.
        for name in ("r", "c", "v"):
            self._slots.setdefault(name, [])
        for variable in var_list:
            if len(variable.shape) >= 2:
                # Slicing gives a reference of the factored shape on the variable's device and dtype.
                self._slots["r"].append(self._factored_slot(variable, "r", variable[..., 0]))
                self._slots["c"].append(self._factored_slot(variable, "c", variable[..., 0, :]))
            else:
                self._slots["r"].append(None)
                self._slots["c"].append(None)
            self._slots["v"].append(self.add_variable_from_reference(variable, "v"))

    def _factored_slot(self, variable, name, reference):
        from fastkeras.optimizers.optimizer import _variable_base_name
        slot = K.optimizer_slot(reference, f"{self.name}/{name}/{_variable_base_name(variable)}:0")
        self._variables.append(slot)
        return slot

    def _step_scalars(self, lr, iteration):
        f = np.float32 if self._host_dtype is np.float32 else self._host_dtype
        step = f(iteration + 1)
        rsqrt_step = f(1) / np.sqrt(step)
        lr = f(lr)
        if self.relative_step and not isinstance(self._learning_rate, schedules_module.LearningRateSchedule):
            lr = min(lr, rsqrt_step)
        rho_t = min(lr, rsqrt_step)
        beta_2_t = f(1) - np.power(step, f(self.beta_2_decay))
        return float(rho_t), float(beta_2_t)

    def _apply(self, plan, grads, scalars):
        rho_t, beta_2_t = scalars
        K.adafactor_update(plan.params, grads, plan.slots["r"], plan.slots["c"], plan.slots["v"], rho_t, beta_2_t,
                           float(self.epsilon_1), float(self.epsilon_2), float(self.clip_threshold))

    def get_config(self):
        return self._hyper_config(beta_2_decay=self.beta_2_decay, epsilon_1=self.epsilon_1,
                                  epsilon_2=self.epsilon_2, clip_threshold=self.clip_threshold,
                                  relative_step=self.relative_step)
