"""FTRL-proximal."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """Follow The Regularized Leader (tf-keras 2.21 ``Ftrl``), with L1, L2 and L2-shrinkage regularization.

    Per step, with ``n`` the accumulator, ``z`` the linear slot and ``p = -learning_rate_power``:
    ``z += g' - ((n + g^2)^p - n^p) / lr * w`` (``g' = g + 2 * l2_shrinkage * w``), ``n += g^2``, then
    ``w = (clip(z, -l1, l1) - z) / (n^p / lr + 2 * (l2 + beta / (2 lr)))``. torch.optim has no FTRL.

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.001.
        learning_rate_power: Float <= 0. Defaults to -0.5.
        initial_accumulator_value: Float >= 0, starting value of the accumulators. Defaults to 0.1.
        l1_regularization_strength, l2_regularization_strength, l2_shrinkage_regularization_strength: >= 0.
        beta: Defaults to 0.
        **kwargs: The base optimizer's arguments and Keras 2's ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 jit_compile=True, name="Ftrl", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        for arg, value in (("initial_accumulator_value", initial_accumulator_value),
                           ("l1_regularization_strength", l1_regularization_strength),
                           ("l2_regularization_strength", l2_regularization_strength),
                           ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{arg}` needs to be positive or zero. Received: {arg}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _slot_layout(self):
        return [(("accumulator", float(self.initial_accumulator_value)), ("linear", None))]

    def _step_scalars(self, lr, iteration):
        f = self._host_dtype
        return float(lr), float(f(self.l2_regularization_strength) + f(self.beta) / (f(2) * lr))  # l2 with beta

    def _apply(self, plan, grads, scalars):
        lr, l2 = scalars
        K.ftrl_update(plan.params, grads, plan.slots["accumulator"], plan.slots["linear"], lr,
                      float(self.learning_rate_power), float(self.l1_regularization_strength), l2,
                      float(self.l2_shrinkage_regularization_strength))

    def get_config(self):
        return self._hyper_config(
            learning_rate_power=self.learning_rate_power, initial_accumulator_value=self.initial_accumulator_value,
            l1_regularization_strength=self.l1_regularization_strength,
            l2_regularization_strength=self.l2_regularization_strength,
            l2_shrinkage_regularization_strength=self.l2_shrinkage_regularization_strength, beta=self.beta)
