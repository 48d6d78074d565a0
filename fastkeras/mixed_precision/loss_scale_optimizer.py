"""LossScaleOptimizer (tf-keras 2.21 ``tf.keras.mixed_precision.LossScaleOptimizer``): loss scaling for
float16 training, wrapped around any optimizer.

float16 gradients underflow to zero where float32 ones would not; multiplying the loss by a large scale before
differentiating (and the gradients by its inverse after) keeps them representable. With ``dynamic=True`` (the
default) the scale starts at 2**15, halves whenever a step's gradients hold an inf or a NaN (that step's update
is skipped, though ``iterations`` still counts it) and doubles after ``dynamic_growth_steps`` (2000) good steps
in a row, as in Keras 2.

The scale, the good-step counter and the skip decision live on the device: no step reads them back to the host.
``model.compile`` wraps the optimizer in one of these by itself when the model's policy is 'mixed_float16'.

The class is also Keras 3's ``keras.optimizers.LossScaleOptimizer``: it takes Keras 3's arguments
(``LossScaleOptimizer(inner, initial_scale, dynamic_growth_steps, name=...)``) and configs, and has Keras 3's
``scale_loss``, ``dynamic_scale``, ``step_counter`` and ``apply`` (see ``apply`` for how it differs from
``apply_gradients``).
"""
import numbers

from fastkeras import backend as K
from fastkeras.optimizers.optimizer import Optimizer

_DEFAULT_INITIAL_SCALE = 2 ** 15
_DEFAULT_GROWTH_STEPS = 2000


# Keras 3 refuses these base-optimizer arguments on the wrapper (they belong to the inner optimizer) unless they
# have their default value.
_KERAS3_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                         "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                         "loss_scale_factor": None, "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """An optimizer that scales the loss to keep float16 gradients from underflowing.

    Args:
        inner_optimizer: The Optimizer that applies the (unscaled) gradients.
        dynamic: Adjust the scale as training goes (True), or keep ``initial_scale`` fixed (tf-keras). A number
            here is Keras 3's positional ``initial_scale`` (Keras 3's order is ``inner_optimizer,
            initial_scale, dynamic_growth_steps``; it is always dynamic).
        initial_scale: The starting scale; defaults to 2**15 when dynamic, and is required when not.
        dynamic_growth_steps: Finite steps in a row before the scale doubles (dynamic only); defaults to 2000.
        name: Accepted for Keras 3 (its configs hold one); the optimizer answers to the inner one's name.

    In a custom training loop, differentiate ``get_scaled_loss(loss)``, pass the gradients through
    ``get_unscaled_gradients`` and hand them to ``apply_gradients``, as with tf-keras; or, as with Keras 3,
    differentiate ``scale_loss(loss)`` and hand the gradients as they are to ``apply``. ``fit`` does all of it.
    """

    def __init__(self, inner_optimizer, dynamic=True, initial_scale=None, dynamic_growth_steps=None, name=None,
                 **kwargs):
        if isinstance(dynamic, numbers.Real) and not isinstance(dynamic, bool):
            # Keras 3's positional order: (inner_optimizer, initial_scale, dynamic_growth_steps).
            if dynamic_growth_steps is not None and initial_scale is not None:
                raise TypeError("LossScaleOptimizer got a number as its second argument (Keras 3's initial_scale) "
                                f"and both initial_scale={initial_scale!r} and "
                                f"dynamic_growth_steps={dynamic_growth_steps!r}; pass them by keyword.")
            dynamic, initial_scale, dynamic_growth_steps = True, dynamic, (
                initial_scale if dynamic_growth_steps is None else dynamic_growth_steps)
        for key, default in _KERAS3_BASE_DEFAULTS.items():
            if key in kwargs and kwargs.pop(key) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{key}`. Instead, set `{key}` on the "
                                 "`inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError('"inner_optimizer" must be an instance of `fastkeras.optimizers.Optimizer`, but got: '
                            f"{inner_optimizer}.")
        if not isinstance(dynamic, bool):
            raise TypeError('"dynamic" argument to LossScaleOptimizer.__init__ must be a bool, but got: '
                            f"{dynamic!r}")
        if isinstance(inner_optimizer, LossScaleOptimizer):
            raise TypeError(f"LossScaleOptimizer cannot wrap another LossScaleOptimizer, but got: {inner_optimizer}")
        if getattr(inner_optimizer, "_is_wrapped_by_loss_scale_optimizer", False):
            raise ValueError('"inner_optimizer" is already wrapped by a LossScaleOptimizer. An optimizer can only be '
                             "wrapped by a single LossScaleOptimizer")
        # No Optimizer.__init__: everything an optimizer holds belongs to the inner one, as in Keras.
        self.__dict__["_optimizer"] = inner_optimizer
        inner_optimizer._is_wrapped_by_loss_scale_optimizer = True
        if dynamic:
            initial_scale = _DEFAULT_INITIAL_SCALE if initial_scale is None else initial_scale
            dynamic_growth_steps = _DEFAULT_GROWTH_STEPS if dynamic_growth_steps is None else dynamic_growth_steps
        else:
            if initial_scale is None:
                raise ValueError('"initial_scale" must be specified if "dynamic" is False')
            if dynamic_growth_steps is not None:
                raise ValueError('"dynamic_growth_steps" must be None if "dynamic" is False, but got: '
                                 f"{dynamic_growth_steps}")
        self._dynamic = dynamic
        self._initial_scale = float(initial_scale)
        self._growth_steps = int(dynamic_growth_steps) if dynamic else None
        self._scale, self._counter, self._found_nonfinite = K.loss_scale_state(self._initial_scale)
        self._backups = {}
        self._keras3_name = name

    def __getattr__(self, name):
        # Reached only for names this object lacks: the inner optimizer's hyper-parameters and state.
        inner = self.__dict__.get("_optimizer")
        if inner is None:
            raise AttributeError(name)
        return getattr(inner, name)

    # ---- the loss scale ------------------------------------------------------------------------

    @property
    def dynamic(self):
        return self._dynamic

    @property
    def loss_scale(self):
        """The current scale (a float32 0-d tensor, a copy)."""
        return K.identity(self._scale)

    @property
    def dynamic_counter(self):
        """Finite steps since the scale last changed (an int32 0-d tensor), or None when not dynamic."""
        return K.identity(self._counter) if self._dynamic else None

    @property
    def initial_scale(self):
        return self._initial_scale

    @property
    def dynamic_growth_steps(self):
        return self._growth_steps

    @property
    def inner_optimizer(self):
        return self._optimizer

    @property
    def _trainer_loss_scale(self):
        """What the trainer multiplies the loss by before differentiating (a device tensor)."""
        return self._scale

    def get_scaled_loss(self, loss):
        """``loss`` times the scale (a tensor, or a callable returning one)."""
        if callable(loss) and not K.is_tensor(loss):
            return lambda: self.get_scaled_loss(loss())
        return loss * K.cast(self._scale, K.dtype(loss))

    def get_unscaled_gradients(self, grads):
        """Each gradient divided by the scale (None stays None)."""
        inverse = 1.0 / self._scale
        return [None if g is None else g * K.cast(inverse, K.dtype(g)) for g in grads]

    # Keras 3's names for the same things.

    def scale_loss(self, loss):
        """``loss`` times the current scale (Keras 3)."""
        return loss * K.cast(self._scale, K.dtype(loss)) if K.is_tensor(loss) else loss * K.identity(self._scale)

    @property
    def dynamic_scale(self):
        """The current scale (a float32 0-d tensor, a copy; Keras 3's name for ``loss_scale``)."""
        return K.identity(self._scale)

    @property
    def step_counter(self):
        """Finite steps since the scale last changed (an int32 0-d tensor; Keras 3's name)."""
        return K.identity(self._counter)

    # ---- applying gradients ------------------------------------------------------------------

    def step(self, params, grads):
        """The trainer's step: ``grads`` are gradients of the *scaled* loss (fit scaled it). Unscales them in
        place, applies them with the inner optimizer unless one is inf or NaN, and updates the scale; no host
        synchronisation."""
        if not params:
            return
        K.unscale_gradients(grads, self._scale, self._found_nonfinite)
        self._guarded_step(params, grads)

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False, **kwargs):
        """Applies already unscaled gradients (``get_unscaled_gradients``), skipping the update when one is
        not finite; returns ``iterations``."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            return self.iterations
        grads = [g if K.is_tensor(g) else K.convert_to_tensor(g) for g, _ in pairs]
        variables = [v for _, v in pairs]
        if self._dynamic:
            K.find_nonfinite(grads, self._found_nonfinite)
        self._guarded_step(variables, grads)
        constrained = [v for v in variables if getattr(v, "constraint", None) is not None]
        if constrained:
            K.copy_values(constrained, [v.constraint(v) for v in constrained])
        return self.iterations

    def apply(self, grads, trainable_variables=None):
        """Keras 3's step: ``grads`` are gradients of ``scale_loss(loss)``. If they are all finite they are
        divided by the scale and applied by the inner optimizer; otherwise nothing is applied and, as in Keras 3,
        ``iterations`` does not count the step (unlike tf-keras' ``apply_gradients``). Then the scale is updated.
        Deciding on the host takes one device synchronisation per call."""
        if trainable_variables is None:
            trainable_variables = getattr(self._optimizer, "_var_list", None)
            if not trainable_variables:
                raise ValueError("LossScaleOptimizer.apply(grads) without `trainable_variables` needs an optimizer "
                                 "already built on its variables (optimizer.build(variables)); pass them as the "
                                 "second argument.")
        grads, trainable_variables = list(grads), list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"LossScaleOptimizer.apply received {len(grads)} gradients for "
                             f"{len(trainable_variables)} variables; pass one gradient per variable.")
        pairs = [(g if K.is_tensor(g) else K.convert_to_tensor(g), v)
                 for g, v in zip(grads, trainable_variables) if g is not None]
        if not pairs:
            return self.iterations
        K.find_nonfinite([g for g, _ in pairs], self._found_nonfinite)
        if not self._dynamic or not K.to_numpy(self._found_nonfinite).any():
            unscaled = self.get_unscaled_gradients([g for g, _ in pairs])
            self._optimizer.apply_gradients(zip(unscaled, [v for _, v in pairs]))
        if self._dynamic:
            K.update_loss_scale(self._scale, self._counter, self._found_nonfinite, self._growth_steps)
        return self.iterations

    def _guarded_step(self, params, grads):
        if not self._dynamic:
            self._optimizer.step(params, grads)
            return
        # The inner update runs unconditionally; a snapshot of everything it writes is put back on the device
        # when the gradients were not finite. That costs a copy of the weights and slots per step, in exchange
        # for never waiting on the device to decide.
        state = self._state_of(params)
        key = tuple(map(id, state))
        backups = self._backups.get(key)
        if backups is None:
            self._backups.clear()  # one parameter list at a time (a new list, e.g. after unfreezing layers)
        backups = self._backups[key] = K.snapshot_tensors(state, backups)
        self._optimizer.step(params, grads)
        K.restore_if_nonfinite(self._found_nonfinite, state, backups)
        K.update_loss_scale(self._scale, self._counter, self._found_nonfinite, self._growth_steps)

    def _state_of(self, params):
        """The tensors the inner optimizer's step writes: the parameters, their slots and EMA averages."""
        plan = self._optimizer._plan(params)
        state = list(plan.params)
        for slots in plan.slots.values():
            state.extend(slots)
        if plan.averages:
            state.extend(plan.averages)
        return state

    def minimize(self, loss, var_list, tape=None):
        if callable(var_list):
            var_list = var_list()
        scaled = self.get_scaled_loss(loss() if callable(loss) else loss)
        grads = self.get_unscaled_gradients(K.gradients(scaled, list(var_list)))
        self.apply_gradients(zip(grads, var_list))

    # ---- what the inner optimizer owns ------------------------------------------------------------

    @property
    def learning_rate(self):
        return self._optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._optimizer.learning_rate = value

    lr = learning_rate

    @property
    def iterations(self):
        return self._optimizer.iterations

    @iterations.setter
    def iterations(self, variable):
        self._optimizer.iterations = variable

    @property
    def variables(self):
        return self._optimizer.variables

    @property
    def weights(self):
        return self._optimizer.weights

    def build(self, var_list):
        return self._optimizer.build(var_list)

    def get_weights(self):
        return self._optimizer.get_weights()

    def set_weights(self, weights):
        return self._optimizer.set_weights(weights)

    def save_own_variables(self, store):
        return self._optimizer.save_own_variables(store)

    def load_own_variables(self, store):
        return self._optimizer.load_own_variables(store)

    def finalize_variable_values(self, var_list):
        return self._optimizer.finalize_variable_values(var_list)

    # ---- config --------------------------------------------------------------------------------

    def get_config(self):
        from fastkeras import optimizers
        return {"inner_optimizer": optimizers.serialize(self._optimizer), "dynamic": self._dynamic,
                "initial_scale": self._initial_scale, "dynamic_growth_steps": self._growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """From tf-keras' config (``dynamic``, ``initial_scale``, ``dynamic_growth_steps``) or Keras 3's (``name``
        and no ``dynamic``)."""
        from fastkeras import optimizers
        config = dict(config)
        inner = config.pop("inner_optimizer")
        if not isinstance(inner, Optimizer):
            inner = optimizers.deserialize(inner, custom_objects=custom_objects)
        return cls(inner, **config)

    def __repr__(self):
        return f"<LossScaleOptimizer inner={self._optimizer!r} dynamic={self._dynamic}>"


# tf-keras 2.21 names the class it creates for the new optimizers so; configs it writes carry that name.
LossScaleOptimizerV3 = LossScaleOptimizer
