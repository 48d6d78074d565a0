"""RMSprop."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (tf-keras 2.21 ``RMSprop``).

    ``v = rho * v + (1 - rho) * g^2``; the step is ``lr * g / sqrt(v + epsilon)`` (centered: the denominator
    is ``sqrt(v - a^2 + epsilon)`` with ``a = rho * a + (1 - rho) * g``); with momentum,
    ``mom = momentum * mom + step`` and ``w -= mom``, else ``w -= step``.

    Differs from ``torch.optim.RMSprop``: torch computes ``sqrt(v) + eps`` (epsilon outside the square root,
    which matters early in training and for small gradients) and multiplies its momentum buffer by the learning
    rate at the end instead of storing the scaled step. fastkeras follows Keras.

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.001.
        rho: Discounting factor of the gradient history. Defaults to 0.9.
        momentum: Defaults to 0 (no momentum slot).
        epsilon: Defaults to 1e-7.
        centered: Normalise by the estimated variance of the gradient instead of its second moment.
        **kwargs: The base optimizer's arguments (here ``ema_overwrite_frequency`` defaults to 100, as in
            tf-keras) and Keras 2's ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=100, jit_compile=True, name="RMSprop", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _slot_layout(self):
        layout = [(("velocity", None),)]
        if self.momentum > 0:
            layout.append((("momentum", None),))
        if self.centered:
            layout.append((("average_gradient", None),))
        return layout

    def _apply(self, plan, grads, scalars):
        K.rmsprop_update(plan.params, grads, plan.slots["velocity"], plan.slots.get("momentum"),
                         plan.slots.get("average_gradient"), scalars[0], float(self.rho), float(self.momentum),
                         float(self.epsilon))

    def _update_sparse(self, param, gradient, slots, lr, iteration):
        K.rmsprop_sparse_update(param, gradient, slots["velocity"], slots.get("momentum"),
                                slots.get("average_gradient"), float(lr), float(self.rho), float(self.momentum),
                                float(self.epsilon))

    def get_config(self):
        return self._hyper_config(rho=self.rho, momentum=self.momentum, epsilon=self.epsilon, centered=self.centered)
