"""Adagrad."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (tf-keras 2.21 ``Adagrad``): ``acc += g^2``; ``w -= lr * g / sqrt(acc + epsilon)``.

    Differs from ``torch.optim.Adagrad``: torch divides by ``sqrt(acc) + eps`` and starts the accumulator at
    0; Keras puts epsilon inside the square root and starts at ``initial_accumulator_value`` (0.1), which is
    what fastkeras does.

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.001.
        initial_accumulator_value: Starting value of the accumulators. Defaults to 0.1.
        epsilon: Defaults to 1e-7.
        **kwargs: The base optimizer's arguments and Keras 2's ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Adagrad", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_layout(self):
        return [(("accumulator", float(self.initial_accumulator_value)),)]

    def _apply(self, plan, grads, scalars):
        K.adagrad_update(plan.params, grads, plan.slots["accumulator"], scalars[0], float(self.epsilon))

    def _update_sparse(self, param, gradient, slots, lr, iteration):
        K.adagrad_sparse_update(param, gradient, slots["accumulator"], float(lr), float(self.epsilon))

    def get_config(self):
        return self._hyper_config(initial_accumulator_value=self.initial_accumulator_value, epsilon=self.epsilon)
