"""Adamax."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax, Adam with the infinity norm (tf-keras 2.21 ``Adamax``).

    ``m += (g - m)(1 - beta_1)``; ``u = max(beta_2 * u, |g|)``; ``w -= lr * m / ((1 - beta_1^t)(u + epsilon))``.

    Differs from ``torch.optim.Adamax``: torch takes ``u = max(beta_2 * u, |g| + eps)`` and divides by ``u``;
    fastkeras adds epsilon to the denominator as Keras does.

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.001.
        beta_1, beta_2: Decay rates (0.9, 0.999).
        epsilon: Defaults to 1e-7.
        **kwargs: The base optimizer's arguments and Keras 2's ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Adamax", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_layout(self):
        return [(("m", None), ("u", None))]

    def _step_scalars(self, lr, iteration):
        f = self._host_dtype
        return (float(lr / (f(1) - f(self.beta_1) ** f(iteration + 1))),)  # the step size

    def _apply(self, plan, grads, scalars):
        K.adamax_update(plan.params, grads, plan.slots["m"], plan.slots["u"], scalars[0], float(self.beta_1),
                        float(self.beta_2), float(self.epsilon))

    def get_config(self):
        return self._hyper_config(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
