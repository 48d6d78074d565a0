"""Adadelta."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta (tf-keras 2.21 ``Adadelta``).

    ``Eg = rho * Eg + (1 - rho) * g^2``; ``delta = sqrt(Ed + eps) / sqrt(Eg + eps) * g``;
    ``Ed = rho * Ed + (1 - rho) * delta^2``; ``w -= lr * delta``. This is also ``torch.optim.Adadelta``'s rule;
    only the defaults differ (Keras: learning rate 0.001, rho 0.95, epsilon 1e-7; torch: 1.0, 0.9, 1e-6).

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.001.
        rho: Decay rate. Defaults to 0.95.
        epsilon: Defaults to 1e-7.
        **kwargs: The base optimizer's arguments and Keras 2's ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 jit_compile=True, name="Adadelta", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.rho = rho
        self.epsilon = epsilon

    def _slot_layout(self):
        return [(("accumulated_grad", None), ("accumulated_delta_var", None))]

    def _apply(self, plan, grads, scalars):
        K.adadelta_update(plan.params, grads, plan.slots["accumulated_grad"], plan.slots["accumulated_delta_var"],
                          scalars[0], float(self.rho), float(self.epsilon))

    def get_config(self):
        return self._hyper_config(rho=self.rho, epsilon=self.epsilon)
