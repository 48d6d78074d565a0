"""Stochastic gradient descent, with optional (Nesterov) momentum."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent with momentum (tf-keras 2.21 ``SGD``).

    ``m = momentum * m - learning_rate * g``, then ``w += m``; with ``nesterov=True``,
    ``w += momentum * m - learning_rate * g``. With ``momentum=0`` this is ``w -= learning_rate * g`` (and ``m``
    holds the last step, as in tf-keras, which always keeps the slot).

    Differs from ``torch.optim.SGD``: torch accumulates ``buf = momentum * buf + g`` and steps
    ``w -= lr * buf``, so a learning rate that changes during training (schedules, ReduceLROnPlateau) acts on
    past gradients there and not here; fastkeras follows Keras.

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.01.
        momentum: Float in [0, 1]. Defaults to 0.
        nesterov: Whether to apply Nesterov momentum.
        **kwargs: The base optimizer's arguments (``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``, ``name``) and Keras 2's
            ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 jit_compile=True, name="SGD", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.momentum = momentum
        self.nesterov = nesterov
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")

    def _slot_layout(self):
        return [(("m", None),)]

    def _apply(self, plan, grads, scalars):
        K.sgd_update(plan.params, grads, plan.slots["m"], scalars[0], float(self.momentum), bool(self.nesterov))

    def _update_sparse(self, param, gradient, slots, lr, iteration):
        K.sgd_sparse_update(param, gradient, slots["m"], float(lr), float(self.momentum), bool(self.nesterov))

    def get_config(self):
        return self._hyper_config(momentum=self.momentum, nesterov=self.nesterov)
