"""Nadam."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class Nadam(Optimizer):
    """Adam with Nesterov momentum (tf-keras 2.21 ``Nadam``).

    Adam's moments ``m`` and ``v``; with the momentum schedule ``u_t = beta_1 (1 - 0.5 * 0.96^t)`` and its
    running product ``U_t``: ``m_hat = u_{t+1} m / (1 - U_{t+1}) + (1 - u_t) g / (1 - U_t)``,
    ``v_hat = v / (1 - beta_2^t)``, ``w -= lr * m_hat / (sqrt(v_hat) + epsilon)``.

    Differs from ``torch.optim.NAdam``: torch's schedule is ``0.96^(0.004 t)`` (its ``momentum_decay``), a much
    slower warm-up, and its epsilon is added the same way but to a differently corrected ``v``.

    Differs from tf-keras' ``fit`` in graph mode: there a trace-time Python counter makes tf-keras multiply
    ``U_t`` by ``u_t`` once per variable per step, so its numbers depend on how many weights a model has.
    fastkeras follows the documented rule above, which is what tf-keras computes when run eagerly.

    The product ``U_t`` is not among ``variables()`` (tf-keras keeps it outside its variable list too); fastkeras
    recomputes it from ``iterations`` whenever they disagree, so restored weights continue exactly.

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.001.
        beta_1, beta_2: Decay rates (0.9, 0.999).
        epsilon: Defaults to 1e-7.
        **kwargs: The base optimizer's arguments and Keras 2's ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="Nadam", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        # (step, U_step): the momentum-schedule product up to that step.
        self._u_product = (0, self._host_dtype(1))

    def _slot_layout(self):
        return [(("m", None), ("v", None))]

    def _momentum_at(self, step):
        f = self._host_dtype
        return f(self.beta_1) * (f(1) - f(0.5) * f(0.96) ** f(step))

    def _u_product_at(self, step):
        done, product = self._u_product
        if done > step:
            done, product = 0, self._host_dtype(1)
        for s in range(done + 1, step + 1):
            product = product * self._momentum_at(s)
        self._u_product = (step, product)
        return product

    def _step_scalars(self, lr, iteration):
        f = self._host_dtype
        step = iteration + 1
        u_t, u_next = self._momentum_at(step), self._momentum_at(step + 1)
        u_product = self._u_product_at(step)
        u_product_next = u_product * u_next
        m_scale = u_next / (f(1) - u_product_next)
        g_scale = (f(1) - u_t) / (f(1) - u_product)
        v_divisor = f(1) - f(self.beta_2) ** f(step)
        return float(lr), float(m_scale), float(g_scale), float(v_divisor)

    def _apply(self, plan, grads, scalars):
        lr, m_scale, g_scale, v_divisor = scalars
        K.nadam_update(plan.params, grads, plan.slots["m"], plan.slots["v"], lr, float(self.beta_1),
                       float(self.beta_2), float(self.epsilon), m_scale, g_scale, v_divisor)

    def get_config(self):
        return self._hyper_config(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)

