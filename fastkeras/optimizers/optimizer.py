"""The optimizer base class: tf-keras 2.21's ``tf.keras.optimizers.Optimizer`` API over the backend's kernels.

An optimizer owns its hyper-parameters, a learning rate (a float held in a CPU Variable, or a schedule), an
``iterations`` counter and per-parameter slots. ``step(params, grads)`` is what the trainer calls after
``torch.autograd.grad``: it works out the step's scalars on the host in float32 (as TensorFlow computes them),
then hands whole lists to one backend kernel, so the cost of a step does not grow with Python work per
parameter. ``apply_gradients(zip(grads, vars))`` is the Keras-facing form of the same step.

State for saving: ``variables()`` is ``[iterations]`` followed by the slots in the order tf-keras creates
them, named as tf-keras names them inside ``fit`` ('Adam/m/dense/kernel:0'); ``get_weights`` /
``set_weights`` read and write that list as numpy arrays.
"""
import re
import warnings

import numpy as np

from fastkeras import backend as K
from fastkeras.optimizers import schedules as schedules_module

# How many distinct parameter lists keep a cached step plan (normally one: the model's trainable weights).
_MAX_PLANS = 8

_LEGACY_KWARGS = ("gradient_aggregator", "gradient_transformers")


class CallableList(list):
    """A list that can also be called, so ``optimizer.variables`` and ``optimizer.variables()`` both work."""

    def __call__(self):
        return self


class _StepPlan:
    """What one list of parameters needs at each step, resolved once: its slots, in the list's order."""

    __slots__ = ("params", "slots", "decayed", "averages", "fused", "dense_parts")

    def __init__(self, params, slots, decayed, averages, fused):
        self.params = params
        self.slots = slots
        self.decayed = decayed
        self.averages = averages
        self.fused = fused
        self.dense_parts = {}  # positions of row-sparse gradients -> the plan of the other parameters

    def dense_part(self, sparse_at):
        """The plan restricted to the parameters whose positions are not in ``sparse_at`` (cached)."""
        part = self.dense_parts.get(sparse_at)
        if part is None:
            keep = [i for i in range(len(self.params)) if i not in sparse_at]
            params = [self.params[i] for i in keep]
            part = _StepPlan(params=params, slots={name: [values[i] for i in keep] for name, values in self.slots.items()},
                             decayed=None, averages=None, fused=K.optimizer_fused_layout(params))
            self.dense_parts[sparse_at] = part
        return part


def _variable_base_name(variable):
    name = getattr(variable, "name", None) or "Variable:0"
    return name[:-2] if name.endswith(":0") else name


class Optimizer:
    """Base class of every optimizer.

    Args:
        name: Prefix of the slot names ('Adam' gives 'Adam/m/dense/kernel:0').
        weight_decay: If set, every step first does ``p -= p * weight_decay * learning_rate`` (decoupled
            weight decay, as tf-keras), except for variables given to ``exclude_from_weight_decay``.
        clipnorm: Clip each gradient to this L2 norm.
        clipvalue: Clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: Clip all gradients together to this global L2 norm (not with ``clipnorm``).
        use_ema: Keep an exponential moving average of the weights (slots named 'average').
        ema_momentum: ``average = ema_momentum * average + (1 - ema_momentum) * weight``.
        ema_overwrite_frequency: Every this many steps, copy the averages into the weights (None: only
            ``finalize_variable_values`` does).
        jit_compile: Accepted for compatibility; the config reports False (no XLA here, as tf-keras on CPU).
        **kwargs: ``lr`` (deprecated spelling of ``learning_rate``, with a warning) and ``decay`` (Keras 2's
            legacy time decay ``lr / (1 + decay * iterations)``, which tf-keras 2.21 only accepts in its legacy
            optimizers).
    """

    def __init__(self, name, weight_decay=0, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, jit_compile=True, **kwargs):
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.jit_compile = False
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer > 1 or None. Received: "
                                 f"ema_overwrite_frequency={ema_overwrite_frequency}")
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError("At most one of `clipnorm` and `global_clipnorm` can be set. Received: "
                             f"clipnorm={clipnorm}, global_clipnorm={global_clipnorm}.")
        self._iterations = K.optimizer_host_scalar(0, "int64", "iteration:0")
        self._variables = [self._iterations]
        self._var_list = []
        self._index_dict = {}
        self._slots = {}
        self._averages = []
        self._plans = {}
        self._exclude_from_weight_decay = []
        self._exclude_from_weight_decay_names = []
        self._host_dtype = np.float64 if K.floatx() == "float64" else np.float32
        self._process_kwargs(kwargs)

    def _process_kwargs(self, kwargs):
        kwargs.pop("is_legacy_optimizer", None)
        kwargs.pop("mesh", None)
        self._lr_argument = kwargs.pop("lr", None)
        if self._lr_argument is not None:
            warnings.warn(f"The `lr` argument is deprecated, use `learning_rate` instead (optimizer "
                          f"{type(self).__name__}).", UserWarning, stacklevel=4)
        for key in ("loss_scale_factor", "gradient_accumulation_steps"):  # Keras 3 configs hold them as None
            value = kwargs.pop(key, None)
            if value is not None:
                raise ValueError(f"`{key}` (a Keras 3 optimizer argument) is not supported by fastkeras optimizers "
                                 f"({type(self).__name__}): expected None, received {key}={value!r}.")
        decay = kwargs.pop("decay", 0.0)
        if decay is None or decay < 0:
            raise ValueError(f"decay cannot be less than 0. Received: decay={decay}.")
        self.decay = float(decay)
        for key in kwargs:
            if key in _LEGACY_KWARGS:
                raise ValueError(f"{key} is not supported by fastkeras optimizers; check the docstring of "
                                 f"{type(self).__name__} for valid arguments.")
            raise TypeError(f"{key} is not a valid argument for optimizer {type(self).__name__}: expected one of its "
                            "documented keyword arguments (plus `lr` and `decay` from Keras 2).")

    # ---- learning rate and iterations --------------------------------------------------------

    def _build_learning_rate(self, learning_rate):
        """The Variable holding a float learning rate, or the schedule itself (with a current-rate Variable)."""
        if self._lr_argument is not None:
            learning_rate = self._lr_argument
        if isinstance(learning_rate, schedules_module.LearningRateSchedule):
            self._current_learning_rate = K.optimizer_host_scalar(
                float(learning_rate(0)), "float32", "current_learning_rate:0")
            return learning_rate
        if callable(learning_rate) and not K.is_tensor(learning_rate):
            learning_rate = learning_rate()
        if K.is_tensor(learning_rate):
            learning_rate = K.get_value(learning_rate)
        value = np.asarray(learning_rate)
        if value.shape != () or value.dtype.kind not in "fiu":
            raise ValueError(f"`learning_rate` of optimizer {type(self).__name__} must be a float or a "
                             f"LearningRateSchedule, received {learning_rate!r}.")
        return K.optimizer_host_scalar(float(value), K.floatx(), "learning_rate:0")

    @property
    def learning_rate(self):
        lr = getattr(self, "_learning_rate", None)
        if lr is None:
            raise ValueError("Missing learning rate, please set self.learning_rate at optimizer creation time.")
        if isinstance(lr, schedules_module.LearningRateSchedule):
            return self._current_learning_rate
        return lr

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(learning_rate, schedules_module.LearningRateSchedule):
            if not hasattr(self, "_current_learning_rate"):
                self._current_learning_rate = K.optimizer_host_scalar(
                    float(learning_rate(K.optimizer_scalar_value(self._iterations))), "float32",
                    "current_learning_rate:0")
            self._learning_rate = learning_rate
            return
        if isinstance(self._learning_rate, schedules_module.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not settable. If you "
                            "need the learning rate to be settable, you should instantiate the optimizer with a "
                            "float `learning_rate` argument.")
        value = K.get_value(learning_rate) if K.is_tensor(learning_rate) else learning_rate
        K.optimizer_scalar_assign(self._learning_rate, float(np.asarray(value)))

    # Keras 2 spelling, kept by tf-keras.
    lr = learning_rate

    @property
    def iterations(self):
        """The number of steps taken (an int64 0-d Variable on the CPU)."""
        return self._iterations

    @iterations.setter
    def iterations(self, variable):
        if getattr(self, "_built", False):
            raise RuntimeError("Cannot set `iterations` to a new Variable after the Optimizer weights have been "
                               f"created. Here it is attempting to set `iterations` to {variable}. Usually this "
                               "means you are trying to set `iterations` after calling `apply_gradients()`. Please "
                               "set `iterations` before calling `apply_gradients()`.")
        if K.is_variable(variable):
            self._variables[0] = self._iterations = variable
        else:
            K.optimizer_scalar_assign(self._iterations, int(np.asarray(K.get_value(variable))))

    def _learning_rate_for_step(self, iteration):
        """This step's learning rate as a host float32: the schedule's (recorded in ``learning_rate``) or the
        Variable's, then the legacy ``decay``."""
        f = self._host_dtype
        if isinstance(self._learning_rate, schedules_module.LearningRateSchedule):
            lr = f(self._learning_rate(iteration))
            K.optimizer_scalar_assign(self._current_learning_rate, float(lr))
        else:
            lr = f(K.optimizer_scalar_value(self._learning_rate))
        if self.decay:
            lr = lr / (f(1) + f(self.decay) * f(iteration))
        return lr

    # ---- variables ---------------------------------------------------------------------------

    def _slot_layout(self):
        """Slot groups in tf-keras' creation order: each group is a tuple of (slot name, initial value) pairs
        created for one variable after the other (so 'm' and 'v' of Adam alternate per variable)."""
        return []

    def build(self, var_list):
        """Creates the slots of every variable in ``var_list`` (once; later calls do nothing)."""
        if getattr(self, "_built", False):
            return
        self._var_list = list(var_list)
        self._build_index_dict(self._var_list)
        if self.use_ema:
            self._averages = [self.add_variable_from_reference(v, "average", initial_value=v) for v in var_list]
        self._create_slots(self._var_list)
        if type(self).build is Optimizer.build:
            self._built = True

    def __getstate__(self):
        # Slots are found by the identity of their variables, which a copy (pickle, copy.deepcopy of a model and
        # its optimizer) changes: the copy indexes its own variables again and rebuilds its step plans.
        state = self.__dict__.copy()
        state["_index_dict"] = {}
        state["_plans"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._build_index_dict(self._var_list)

    def _build_index_dict(self, var_list):
        self._index_dict = {self._var_key(v): i for i, v in enumerate(var_list)}

    def _var_key(self, variable):
        return id(variable)

    def _create_slots(self, var_list):
        for group in self._slot_layout():
            for name, _ in group:
                self._slots.setdefault(name, [])
            for variable in var_list:
                for name, initial in group:
                    self._slots[name].append(self.add_variable_from_reference(variable, name, initial_value=initial))

    def _extend(self, new_vars):
        """Slots for variables first seen after building (tf-keras refuses them; appending is harmless)."""
        if type(self).build is not Optimizer.build:
            raise KeyError(f"The optimizer cannot recognize variable {new_vars[0].name}. This usually means you are "
                           "trying to call the optimizer to update different parts of the model separately. Please "
                           "call `optimizer.build(variables)` with the full list of trainable variables before the "
                           "training loop.")
        start = len(self._var_list)
        self._var_list.extend(new_vars)
        self._index_dict.update({self._var_key(v): start + i for i, v in enumerate(new_vars)})
        if self.use_ema:
            self._averages.extend(self.add_variable_from_reference(v, "average", initial_value=v) for v in new_vars)
        self._create_slots(new_vars)

    def add_variable_from_reference(self, model_variable, variable_name, shape=None, initial_value=None):
        """A slot shaped like ``model_variable`` on its device, named '<optimizer>/<variable_name>/<variable>:0'."""
        if shape is not None and tuple(shape) != tuple(model_variable.shape):
            reference = K.zeros(tuple(shape), dtype=K.dtype(model_variable))
        else:
            reference = model_variable
        slot = K.optimizer_slot(reference, f"{self.name}/{variable_name}/{_variable_base_name(model_variable)}:0",
                                initial_value)
        self._variables.append(slot)
        return slot

    def add_variable(self, shape, dtype=None, initializer="zeros", name=None):
        """An optimizer variable not tied to a model variable (tf-keras API for custom optimizers)."""
        from fastkeras import initializers
        init = initializers.get(initializer)
        value = init(tuple(shape or ()), dtype=dtype or K.floatx())
        variable = K.variable(K.get_value(value), dtype=dtype or K.floatx(), name=f"{name or 'Variable'}:0",
                              trainable=False)
        self._variables.append(variable)
        return variable

    @property
    def variables(self):
        """``[iterations, slot, slot, ...]`` in tf-keras' order; callable too (``optimizer.variables()``)."""
        return CallableList(self._variables)

    @property
    def weights(self):
        return CallableList(self._variables)

    def get_weights(self):
        """The values of ``variables()`` as numpy arrays."""
        return K.batch_get_value(self._variables)

    def set_weights(self, weights):
        """Writes numpy arrays (or tensors) into ``variables()``, in the same order; shapes must match."""
        if not getattr(self, "_built", False):
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. Please "
                             "call `optimizer.build(trainable_variables)` to create the optimizer weights before "
                             "calling `set_weights()`.")
        weights = list(weights)
        if len(weights) != len(self._variables):
            names = ", ".join(v.name for v in self._variables[:4]) + (", ..." if len(self._variables) > 4 else "")
            raise ValueError(f"Optimizer {self.name} has {len(self._variables)} variables ({names}) but "
                             f"set_weights() received a list of {len(weights)} arrays.")
        pairs = []
        for variable, weight in zip(self._variables, weights):
            shape = tuple(np.shape(weight)) if not K.is_tensor(weight) else tuple(weight.shape)
            if shape != tuple(variable.shape):
                raise ValueError(f"Optimizer variable {variable.name} has shape {tuple(variable.shape)} not "
                                 f"compatible with provided weight shape {shape}.")
            pairs.append((variable, weight))
        K.batch_set_value(pairs)

    def save_own_variables(self, store):
        """Keras 3's archive hook: ``store['0'], store['1'], ...`` in ``variables()`` order."""
        for i, variable in enumerate(self._variables):
            store[str(i)] = K.get_value(variable)

    def load_own_variables(self, store):
        if len(store.keys()) != len(self._variables):
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it has "
                          f"{len(self._variables)} variables whereas the saved optimizer has {len(store.keys())} "
                          "variables.")
            return
        K.batch_set_value([(v, store[str(i)]) for i, v in enumerate(self._variables)])

    # ---- weight decay and EMA ------------------------------------------------------------------

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Variables (or name patterns, searched with ``re.search``) that weight decay leaves alone."""
        if getattr(self, "_built", False):
            raise ValueError("`exclude_from_weight_decay()` can only be configued before the optimizer is built.")
        self._exclude_from_weight_decay = [self._var_key(v) for v in var_list or []]
        self._exclude_from_weight_decay_names = list(var_names or [])

    def _use_weight_decay(self, variable):
        if self._var_key(variable) in self._exclude_from_weight_decay:
            return False
        return not any(re.search(pattern, getattr(variable, "name", "")) for pattern in
                       self._exclude_from_weight_decay_names)

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, copies the moving averages into the variables (end of training)."""
        if not self.use_ema or not getattr(self, "_built", False):
            return
        var_list = [v for v in var_list if self._var_key(v) in self._index_dict]
        if var_list:
            K.copy_values(var_list, [self._averages[self._index_dict[self._var_key(v)]] for v in var_list])

    # ---- the step --------------------------------------------------------------------------------

    def _plan(self, params):
        key = tuple(map(id, params))
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        if not getattr(self, "_built", False):
            self.build(params)
            self._built = True
        new = [p for p in params if self._var_key(p) not in self._index_dict]
        if new:
            self._extend(new)
        index = [self._index_dict[self._var_key(p)] for p in params]
        plan = _StepPlan(
            params=list(params),
            slots={name: [values[i] for i in index] for name, values in self._slots.items()},
            decayed=[p for p in params if self._use_weight_decay(p)] if self.weight_decay else None,
            averages=[self._averages[i] for i in index] if self.use_ema else None,
            fused=K.optimizer_fused_layout(params))
        if len(self._plans) >= _MAX_PLANS:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    def step(self, params, grads):
        """One update of ``params`` (Variables) from ``grads`` (tensors in the same order, none None).

        The hot path of training: no device value is read, and the work is a fixed number of multi-tensor
        kernels whatever the number of parameters.
        """
        if not params:
            return
        plan = self._plan(params)
        iteration = K.optimizer_scalar_value(self._iterations)
        lr = self._learning_rate_for_step(iteration)
        grads = self._clip_gradients(grads)
        sparse_at = tuple(i for i, g in enumerate(grads) if K.is_row_sparse(g))
        if sparse_at and not self.has_sparse_rule:
            grads, sparse_at = K.densify_gradients(grads), ()
        if plan.decayed:
            K.decay_weights(plan.decayed, float(lr * self._host_dtype(self.weight_decay)))
        if sparse_at:
            self._update_with_sparse(plan, grads, sparse_at, lr, iteration)
        else:
            self._update(plan, grads, lr, iteration)
        if self.use_ema:
            K.ema_update(plan.averages, plan.params, self.ema_momentum)
        self._finish_step(plan, iteration)

    def _finish_step(self, plan, iteration):
        """The host's part after an update: the EMA overwrite on its schedule, and the iteration count."""
        if self.use_ema and self.ema_overwrite_frequency and (iteration + 1) % self.ema_overwrite_frequency == 0:
            K.copy_values(plan.params, plan.averages)
        K.optimizer_scalar_assign(self._iterations, iteration + 1)

    # ---- the update inside a compiled training step (jit_compile) ------------------------------
    # The host works out the step's numbers (learning rate, bias corrections) in float32 as tf-keras does and
    # hands them to the compiled step as one small tensor; the compiled step clips, decays, applies the rule and
    # the EMA; the host then counts the iteration. Same kernels, same numbers as `step`.

    @property
    def updates_in_compiled_step(self):
        """Whether a compiled training step can trace this optimizer's update: a built-in rule (``_apply``),
        not a per-variable ``update_step`` or an overridden ``step``."""
        cls = type(self)
        return cls._apply is not Optimizer._apply and cls._update is Optimizer._update and cls.step is Optimizer.step

    def compiled_step_inputs(self, plan):
        """Host side, before a compiled step: (iteration, the step's numbers as a tensor)."""
        iteration = K.optimizer_scalar_value(self._iterations)
        lr = self._learning_rate_for_step(iteration)
        values = [float(v) for v in self._step_scalars(lr, iteration)]
        if plan.decayed:
            values.append(float(lr * self._host_dtype(self.weight_decay)))
        return iteration, K.optimizer_step_scalars(values, plan.params[0])

    def update_in_compiled_step(self, plan, grads, scalars):
        """Traced inside the compiled step: the update of ``plan`` from ``grads`` with ``scalars`` as made by
        ``compiled_step_inputs``."""
        grads = self._clip_gradients(grads)
        if plan.decayed:
            K.decay_weights(plan.decayed, scalars[-1])
        count = len(scalars) - (1 if plan.decayed else 0)
        self._apply(plan, grads, [scalars[i] for i in range(count)])
        if self.use_ema:
            K.ema_update(plan.averages, plan.params, self.ema_momentum)

    def finish_compiled_step(self, plan, iteration):
        self._finish_step(plan, iteration)

    def _clips_gradients(self):
        return bool((self.clipnorm and self.clipnorm > 0) or (self.global_clipnorm and self.global_clipnorm > 0)
                    or (self.clipvalue and self.clipvalue > 0))

    @property
    def has_sparse_rule(self):
        """Whether this optimizer updates a row-sparse gradient (an Embedding's, on the CPU) in place, row by
        row, instead of making it dense first."""
        return type(self)._update_sparse is not Optimizer._update_sparse

    @property
    def _takes_row_sparse_gradients(self):
        """Whether fit should give Embedding tables row-sparse gradients: the rule updates them row by row, or
        gradients are clipped (tf-keras clips each looked-up row occurrence before summing repeats)."""
        return self.has_sparse_rule or self._clips_gradients()

    def _update_with_sparse(self, plan, grads, sparse_at, lr, iteration):
        part = plan.dense_part(sparse_at)
        if part.params:
            self._update(part, [g for i, g in enumerate(grads) if i not in sparse_at], lr, iteration)
        for i in sparse_at:
            self._update_sparse(plan.params[i], grads[i], {name: values[i] for name, values in plan.slots.items()},
                                lr, iteration)

    def _update_sparse(self, param, gradient, slots, lr, iteration):
        """The update rule for one row-sparse gradient; ``slots`` maps slot names to this parameter's slots.
        Rules without one get dense gradients (see ``has_sparse_rule``)."""
        raise NotImplementedError

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return K.clip_gradients_by_norm(grads, float(self.clipnorm))
        if self.global_clipnorm and self.global_clipnorm > 0:
            return K.clip_gradients_by_global_norm(grads, float(self.global_clipnorm))
        if self.clipvalue and self.clipvalue > 0:
            return K.clip_gradients_by_value(grads, float(self.clipvalue))
        return grads

    def _update(self, plan, grads, lr, iteration):
        """The update rule over the whole plan. Built-in optimizers give ``_step_scalars`` (the step's numbers,
        worked out on the host) and ``_apply`` (one backend kernel over every parameter); custom optimizers
        written the tf-keras way give ``update_step(gradient, variable)``, called per variable."""
        if type(self)._apply is not Optimizer._apply:
            self._apply(plan, grads, self._step_scalars(lr, iteration))
            return
        for gradient, variable in zip(grads, plan.params):
            self.update_step(gradient, variable)

    def _step_scalars(self, lr, iteration):
        """The numbers the rule needs this step, as host floats (float32 arithmetic, as tf-keras)."""
        return (float(lr),)

    def _apply(self, plan, grads, scalars):
        """The rule over ``plan`` with ``scalars`` from ``_step_scalars`` (floats, or 0-d tensors in a compiled
        step)."""
        raise NotImplementedError

    def update_step(self, gradient, variable):
        raise NotImplementedError(f"Optimizer {type(self).__name__} must implement `update_step(gradient, variable)`"
                                  " (or `_update` over all variables at once).")

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False, **kwargs):
        """Applies ``(gradient, variable)`` pairs (None gradients are skipped), then the variables' constraints.

        Returns ``iterations``.
        """
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            return self._iterations
        grads = [g if K.is_tensor(g) else K.convert_to_tensor(g) for g, _ in pairs]
        variables = [v for _, v in pairs]
        for g, v in zip(grads, variables):
            if tuple(g.shape) != tuple(v.shape):
                raise ValueError(f"Gradient of shape {tuple(g.shape)} does not match variable "
                                 f"{getattr(v, 'name', '?')} of shape {tuple(v.shape)}.")
        self.step(variables, grads)
        constrained = [v for v in variables if getattr(v, "constraint", None) is not None]
        if constrained:
            K.copy_values(constrained, [v.constraint(v) for v in constrained])
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Keras 3's form of ``apply_gradients``: the gradients and the variables as two lists in the same order
        (the variables default to those the optimizer was built on)."""
        if trainable_variables is None:
            trainable_variables = getattr(self, "_var_list", None)
            if trainable_variables is None:
                raise ValueError(f"{type(self).__name__}.apply(grads) without `trainable_variables` needs an optimizer "
                                 "already built on its variables (optimizer.build(variables)); pass them as the "
                                 "second argument.")
        grads, trainable_variables = list(grads), list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"{type(self).__name__}.apply received {len(grads)} gradients for "
                             f"{len(trainable_variables)} variables; pass one gradient per variable.")
        return self.apply_gradients(zip(grads, trainable_variables))

    def minimize(self, loss, var_list, tape=None):
        """Computes the gradients of ``loss`` (a tensor, or a callable returning one) and applies them."""
        if callable(var_list):
            var_list = var_list()
        if callable(loss):
            loss = loss()
        self.apply_gradients(zip(K.gradients(loss, list(var_list)), var_list))

    # ---- config ------------------------------------------------------------------------------------

    def _serialize_hyperparameter(self, hyperparameter):
        if isinstance(hyperparameter, schedules_module.LearningRateSchedule):
            return schedules_module.serialize(hyperparameter)
        if K.is_tensor(hyperparameter):
            return float(K.get_value(hyperparameter))
        if callable(hyperparameter):
            return hyperparameter()
        return hyperparameter

    def get_config(self):
        config = {
            "name": self.name,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "jit_compile": self.jit_compile,
            "is_legacy_optimizer": False,
        }
        if self.decay:
            config["decay"] = self.decay
        return config

    def _hyper_config(self, **hypers):
        """The base config, the learning rate, then the subclass' hyper-parameters (tf-keras' key order)."""
        config = self.get_base_config()
        config["learning_rate"] = self._serialize_hyperparameter(self._learning_rate)
        config.update(hypers)
        return config

    def get_base_config(self):
        return Optimizer.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_module.deserialize(config["learning_rate"],
                                                                   custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"
