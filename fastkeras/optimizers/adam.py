"""Adam and AdamW."""
from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam (tf-keras 2.21 ``Adam``).

    ``m += (g - m)(1 - beta_1)``, ``v += (g^2 - v)(1 - beta_2)``, then
    ``w -= alpha * m / (sqrt(v) + epsilon)`` with ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``; with
    ``amsgrad``, the running maximum ``vhat`` of ``v`` replaces ``v`` in the step.

    Differs from ``torch.optim.Adam``: torch adds epsilon to the bias-corrected ``sqrt(v) / sqrt(1 - beta_2^t)``,
    i.e. its epsilon is Keras' times ``sqrt(1 - beta_2^t)`` (Keras' ``adaptive_epsilon=True``). fastkeras keeps
    Keras' epsilon and computes ``alpha`` in float32 as TensorFlow does; it still runs torch's fused Adam kernel
    where it can, with the bias correction taken out of the kernel (see ``K.adam_update``). Defaults are Keras'
    (epsilon 1e-7, not torch's 1e-8).

    Args:
        learning_rate: A float or a ``LearningRateSchedule``. Defaults to 0.001.
        beta_1, beta_2: Decay rates of the first and second moments (0.9, 0.999).
        epsilon: Defaults to 1e-7.
        adaptive_epsilon: Scale epsilon by ``sqrt(1 - beta_2^t)`` (the paper's epsilon-hat; not in the config,
            as in tf-keras).
        amsgrad: Whether to use the AMSGrad variant.
        **kwargs: The base optimizer's arguments and Keras 2's ``lr`` and ``decay``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, adaptive_epsilon=False,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, jit_compile=True, name="Adam", **kwargs):
        super().__init__(name=name, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.adaptive_epsilon = adaptive_epsilon
        self.amsgrad = amsgrad

    def _slot_layout(self):
        layout = [(("m", None), ("v", None))]
        if self.amsgrad:
            layout.append((("vhat", None),))
        return layout

    def _step_scalars(self, lr, iteration):
        f = self._host_dtype
        step = f(iteration + 1)
        beta_2_power = f(self.beta_2) ** step
        alpha = lr * (f(1) - beta_2_power) ** f(0.5) / (f(1) - f(self.beta_1) ** step)
        epsilon = float(self.epsilon)
        if self.adaptive_epsilon:
            epsilon = float(f(epsilon) * (f(1) - beta_2_power) ** f(0.5))
        return float(alpha), epsilon

    def _apply(self, plan, grads, scalars):
        alpha, epsilon = scalars
        f = self._host_dtype
        # The fused kernel cannot take betas that round to 1 in float32 (its own corrections would divide by 0).
        # In a compiled step (tensor scalars) the foreach rule is traced instead, and Inductor fuses it.
        fused = isinstance(alpha, float) and plan.fused and f(self.beta_1) < 1 and f(self.beta_2) < 1
        K.adam_update(plan.params, grads, plan.slots["m"], plan.slots["v"], plan.slots.get("vhat"), alpha,
                      float(self.beta_1), float(self.beta_2), epsilon, fused)

    def get_config(self):
        return self._hyper_config(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon, amsgrad=self.amsgrad)


class AdamW(Adam):
    """Adam with decoupled weight decay (tf-keras 2.21 ``AdamW``): each step first does
    ``w -= w * weight_decay * learning_rate``, then Adam's update (see ``Adam`` for how it relates to torch).
    ``torch.optim.AdamW`` decays the same way; its epsilon differs as for Adam.

    Args:
        learning_rate: Defaults to 0.001.
        weight_decay: Required; defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: As for ``Adam``.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, jit_compile=True, name="AdamW", **kwargs):
        if weight_decay is None:
            raise ValueError("Missing value of `weight_decay` which is required and must be a float value.")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, jit_compile=jit_compile, name=name,
                         **kwargs)
