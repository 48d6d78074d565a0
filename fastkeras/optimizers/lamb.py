"""Lamb (Keras 3)."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class Lamb(Optimizer):
    """LAMB (You et al., 2019; Keras 3 ``keras.optimizers.Lamb``): Adam's direction with a layer-wise trust
    ratio, for large-batch training.

    ``m`` and ``v`` are Adam's moments; the direction is ``u = m_hat / (sqrt(v_hat) + epsilon)`` with the
    bias-corrected ``m_hat = m / (1 - beta_1^t)`` and ``v_hat = v / (1 - beta_2^t)``; each variable then moves by
    ``lr * (||w|| / ||u||) * u`` (the ratio is 1 when either norm is 0). The bias corrections are worked out in
    float32 on the host, the rest in one run of foreach kernels over all variables.

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.001.
        beta_1, beta_2: Decay rates of the first and second moments (0.9, 0.999).
        epsilon: Added to the root of the second moment. Defaults to 1e-7.
        **kwargs: The base optimizer's arguments (weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
            ema_momentum, ema_overwrite_frequency, name).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Lamb", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_layout(self):
        return [(("momentum", None), ("velocity", None))]

    def _step_scalars(self, lr, iteration):
        f = self._host_dtype
        step = f(iteration + 1)
        return float(lr), float(f(1) - f(self.beta_1) ** step), float(f(1) - f(self.beta_2) ** step)

    def _apply(self, plan, grads, scalars):
        lr, bias_correction_1, bias_correction_2 = scalars
        K.lamb_update(plan.params, grads, plan.slots["momentum"], plan.slots["velocity"], lr, float(self.beta_1),
                      float(self.beta_2), float(self.epsilon), bias_correction_1, bias_correction_2)

    def get_config(self):
        return self._hyper_config(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
