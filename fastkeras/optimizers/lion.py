"""Lion."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """Lion, sign momentum (tf-keras 2.21 ``Lion``): ``w -= lr * sign(beta_1 m + (1 - beta_1) g)``, then
    ``m = beta_2 m + (1 - beta_2) g``. torch.optim has no Lion.

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.0001.
        beta_1: In (0, 1]; mixes the gradient into the step's direction. Defaults to 0.9.
        beta_2: Decay rate of the momentum. Defaults to 0.99.
        **kwargs: The base optimizer's arguments and Keras 2's ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.0001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 jit_compile=True, name="Lion", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(f"`beta_1`={beta_1} must be between ]0, 1]. Otherwise, the optimizer degenerates to "
                             "SignSGD.")

    def _slot_layout(self):
        return [(("m", None),)]

    def _apply(self, plan, grads, scalars):
        K.lion_update(plan.params, grads, plan.slots["m"], scalars[0], float(self.beta_1), float(self.beta_2))

    def get_config(self):
        return self._hyper_config(beta_1=self.beta_1, beta_2=self.beta_2)
