"""Model: a Layer with the model API (summary, weights files, configs, and the training methods).

``Model(inputs, outputs)`` builds a functional graph (``Functional``);
``class MyModel(Model)`` with its own ``call`` is a subclassed model.
"""
import warnings

import numpy as np

from fastkeras.engine import custom_step, step_functions, tree
from fastkeras.engine.io_structure import by_output_name, pseudo_names, structure_of
from fastkeras.engine.base_layer import Layer, _dedup, record_auto_config, with_auto_config


def _revivable_as_functional(cls):
    """Whether ``cls(inputs=..., outputs=..., name=...)`` builds a functional model (tf-keras' test: Model or
    Functional itself, or a constructor taking the functional arguments or *args and **kwargs)."""
    import inspect
    from fastkeras.engine.functional import Functional
    if cls in (Model, Functional):
        return True
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    kinds = {p.kind for p in parameters}
    return names[:2] == ["inputs", "outputs"] or {inspect.Parameter.VAR_POSITIONAL,
                                                  inspect.Parameter.VAR_KEYWORD} <= kinds


def _is_functional_init(args, kwargs):
    kwargs = _keras1_model_kwargs(kwargs)
    return len(args) == 2 or (len(args) == 1 and "outputs" in kwargs) or ("inputs" in kwargs and "outputs" in kwargs)


def _keras1_model_kwargs(kwargs, warn=False):
    """Keras 1's ``Model(input=..., output=...)`` as ``inputs``/``outputs``: Keras 2.0-2.3 took them with a warning."""
    if "input" not in kwargs and "output" not in kwargs:
        return kwargs
    kwargs = dict(kwargs)
    for old, new in (("input", "inputs"), ("output", "outputs")):
        if old in kwargs:
            if new in kwargs:
                raise TypeError(f"Model received both `{old}` (the Keras 1 name) and `{new}`; pass `{new}` only.")
            kwargs[new] = kwargs.pop(old)
    if warn:
        warnings.warn("Update your `Model` call to the Keras 2 API: `Model(inputs=..., outputs=...)` (Keras 1's "
                      "`input`/`output` arguments are accepted for now).", UserWarning, stacklevel=3)
    return kwargs


def _inject_functional(cls):
    """Makes a Model subclass a functional one, as tf-keras does when it is constructed with ``(inputs,
    outputs)`` (the "customizing fit()" guide's ``CustomModel(inputs, outputs)`` with its own ``train_step``):
    Model among its bases becomes Functional, so the class keeps its methods and gains the graph."""
    from fastkeras.engine.functional import Functional
    if cls is Model:
        return Functional
    if issubclass(cls, Functional) or not issubclass(cls, Model):
        return cls
    cls.__bases__ = tuple(_inject_functional(base) for base in cls.__bases__)
    return cls


class Model(Layer):
    """Groups layers into an object with training and inference features."""

    # model.call(keras_tensor) runs the model's own code: its layers record their nodes, as in tf-keras.
    _runs_call_on_symbolic_inputs = True

    def __new__(cls, *args, **kwargs):
        if cls is Model and _is_functional_init(args, kwargs):
            from fastkeras.engine.functional import Functional
            return object.__new__(Functional)
        instance = object.__new__(cls)
        record_auto_config(instance, cls, args, kwargs)
        return instance

    def __init__(self, *args, **kwargs):
        kwargs = _keras1_model_kwargs(kwargs, warn=True)
        if _is_functional_init(args, kwargs) and not hasattr(self, "_init_graph_network"):
            # A subclass handing (inputs, outputs) to Model.__init__ becomes functional (tf-keras does the same).
            from fastkeras.engine.functional import Functional
            _inject_functional(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        allowed = {"name", "trainable", "dtype", "dynamic", "autocast"}
        unknown = [k for k in kwargs if k not in allowed | {"inputs", "outputs"}]
        if unknown:
            raise TypeError(f"Keyword argument not understood: {unknown[0]!r} (passed to Model).")
        super().__init__(name=kwargs.get("name"), trainable=kwargs.get("trainable", True),
                         dtype=kwargs.get("dtype"))
        self._is_graph_network = False
        self.optimizer = None
        self.compiled_loss = None
        self.stop_training = False
        self.history = None

    # ---- layers and weights ----------------------------------------------------

    @property
    def layers(self):
        return [layer for layer in self._tracked_layers]

    def get_layer(self, name=None, index=None):
        """A layer by ``name`` or by ``index`` in ``model.layers`` (index wins if both are given)."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
        layers = self.layers
        if index is not None:
            if not isinstance(index, int):
                raise TypeError(f"get_layer index must be an int, received {type(index).__name__}: {index!r}.")
            if len(layers) <= index or index < -len(layers):
                raise ValueError(f'Was asked to retrieve layer at index {index} but model "{self.name}" only has '
                                 f"{len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f'No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}.')
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def _layers_for_weights(self):
        return self.layers

    def _assert_weights_created(self):
        # As tf-keras: a model whose class defines build() (Sequential, or a subclass with its own build) has no
        # weights to list before it is built; an empty list would hide that (keras.io's Sequential guide:
        # "calling `model.weights` results in an error stating just this"). Keras 3 returns [] instead.
        if not self.built and "build" in type(self).__dict__ and type(self) is not Model:
            raise ValueError(f"Weights for model '{self.name}' have not yet been created. Weights are created when "
                             "the model is first called on inputs or `build()` is called with an `input_shape`.")

    @property
    def trainable_weights(self):
        self._assert_weights_created()
        if not self.trainable:
            return []
        return _dedup([w for layer in self._layers_for_weights() for w in layer.trainable_weights]
                      + self._trainable_weights)

    @property
    def non_trainable_weights(self):
        self._assert_weights_created()
        if not self.trainable:
            return self.weights
        return _dedup([w for layer in self._layers_for_weights() for w in layer.non_trainable_weights]
                      + self._non_trainable_weights)

    @property
    def weights(self):
        """Every weight, layer by layer (Keras 2's order for models)."""
        self._assert_weights_created()
        return _dedup([w for layer in self._layers_for_weights() for w in layer.weights]
                      + self._trainable_weights + self._non_trainable_weights)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self.__dict__.get("_layers", ()) or ():
            layer.trainable = value
        for layer in self._tracked_layers:
            layer.trainable = value

    def _get_trainable_state(self):
        """``(layer, trainable)`` for the model and every layer inside it, nested ones included."""
        return [(layer, layer._trainable) for layer in _flatten_layers(self)]

    def _set_trainable_state(self, state):
        # Each flag on its own layer, so a model's setter does not overwrite its sublayers' own flags.
        for layer, trainable in state:
            layer._trainable = trainable

    def _regularization_terms(self):
        terms = list(self._weight_regularizers)
        for layer in self._layers_for_weights():
            terms.extend(layer._regularization_terms())
        return terms

    @property
    def losses(self):
        out = [reg(w) for reg, w in self._weight_regularizers] + list(self._eager_losses) + \
            self._pending_symbolic_losses
        for layer in self._layers_for_weights():
            out.extend(layer.losses)
        return out

    @property
    def metrics(self):
        """The loss tracker and compiled metrics (once fit/evaluate has built them, as tf-keras), then the
        metrics of add_metric and the Metric objects kept as attributes, the model's and its layers'."""
        trainer = self.__dict__.get("_trainer")
        compiled = []
        if trainer is not None and trainer.metrics.metrics is not None:  # as tf-keras: the loss first, once built
            compiled = custom_step.loss_trackers(trainer) + [obj for _, obj, _, _ in trainer.metrics.metrics]
        return _dedup(compiled + self._uncompiled_metrics())

    def _uncompiled_metrics(self):
        """The metrics of add_metric and the Metric attributes, the model's and its layers': a nested model
        brings these, not its own compiled loss and metrics (as tf-keras)."""
        added = list(self.__dict__.get("_tracked_metrics", []))
        for layer in self._layers_for_weights():
            added += layer._uncompiled_metrics() if isinstance(layer, Model) else layer.metrics
        return added

    @property
    def state_updates(self):
        return []

    def reset_states(self):
        for layer in self.layers:
            if hasattr(layer, "reset_states") and getattr(layer, "stateful", False):
                layer.reset_states()

    # ---- training API (the torch trainer runs it) ------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, sample_weight_mode=None,
                weighted_metrics=None, run_eagerly=None, steps_per_execution=None, jit_compile=None, **kwargs):
        """Configures training: optimizer, loss per output, loss weights and metrics."""
        from fastkeras import optimizers
        from fastkeras.engine.compile_utils import LossContainer, MetricsContainer
        from fastkeras.engine.torch_trainer import Trainer
        unknown = [k for k in kwargs if k not in ("target_tensors", "distribute", "pss_evaluation_shards",
                                                  "from_serialized")]
        if unknown:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {unknown}.")
        if kwargs.get("target_tensors") is not None:  # Keras 2's graph-mode feed; tf-keras refuses it too
            raise ValueError("`target_tensors` argument is not supported when executing eagerly. Received: "
                             f"{kwargs['target_tensors']}. Pass the targets to fit() as `y` instead.")
        if run_eagerly and jit_compile:
            raise ValueError("You cannot enable `run_eagerly` and `jit_compile` at the same time.")
        self.__dict__["_run_eagerly"] = bool(run_eagerly)
        for kind in ("train", "test", "predict"):  # built again for the new configuration, as tf-keras does
            self.__dict__.pop(f"{kind}_function", None)
        if _is_subclassed(self) and getattr(self, "outputs", None) is None \
                and not self.__dict__.get("_built_by_own_steps"):
            # A subclassed model learns its outputs when built (by the first fit/evaluate/predict): compile then.
            self.optimizer = optimizers.get(optimizer)
            self.loss, self.loss_weights = loss, loss_weights
            self._compile_args = dict(loss=loss, metrics=metrics, loss_weights=loss_weights,
                                      weighted_metrics=weighted_metrics, jit_compile=jit_compile,
                                      run_eagerly=run_eagerly, steps_per_execution=steps_per_execution)
            if kwargs.get("from_serialized"):
                self._compile_args["from_serialized"] = True
            self._deferred_compile = True
            self._trainer = None
            self._compiled_trainable_state = self._get_trainable_state()
            return
        self._deferred_compile = False
        if not self.built:
            output_names = getattr(self, "output_names", None) or ["output_1"]
        else:
            output_names = self.output_names if hasattr(self, "output_names") else ["output_1"]
        self.optimizer = optimizers.get(optimizer)
        if self.dtype_policy.name == "mixed_float16":
            from fastkeras.mixed_precision import LossScaleOptimizer
            if not isinstance(self.optimizer, LossScaleOptimizer):
                # As Keras 2: float16 gradients need loss scaling to train as well as float32 ones.
                self.optimizer = LossScaleOptimizer(self.optimizer)
        structure = structure_of(self, "outputs") if self.built else None
        if structure is not None:
            # Given in the shape of the model's outputs (keyed by its dict's keys): taken as a dict by output name.
            shaped = []
            for value, is_metrics in ((loss, False), (loss_weights, False), (metrics, True), (weighted_metrics, True)):
                by_name = by_output_name(structure, value, output_names, leaf_takes_list=is_metrics)
                shaped.append(value if by_name is None else by_name)
        else:
            shaped = (loss, loss_weights, metrics, weighted_metrics)
        losses = LossContainer(shaped[0], shaped[1], output_names)
        metrics_container = MetricsContainer(shaped[2], shaped[3], output_names, losses,
                                             from_serialized=bool(kwargs.get("from_serialized")))
        self.loss = loss
        self.loss_weights = loss_weights
        self._compile_args = dict(loss=loss, metrics=metrics, loss_weights=loss_weights,
                                  weighted_metrics=weighted_metrics, jit_compile=jit_compile,
                                  run_eagerly=run_eagerly, steps_per_execution=steps_per_execution)
        if kwargs.get("from_serialized"):  # a recompile (deferred Sequential) keeps the file's metric names
            self._compile_args["from_serialized"] = True
        self._trainer = Trainer(self, self.optimizer, losses, metrics_container, jit_compile=jit_compile)
        # What a custom train_step uses: tf-keras' callable loss container and updatable metrics container.
        self.compiled_loss = custom_step.CompiledLoss(self._trainer)
        self.compiled_metrics = custom_step.CompiledMetrics(self._trainer)
        self._compiled_trainable_state = self._get_trainable_state()

    def _recompile_for_outputs(self):
        """A deferred Sequential learns its output names only when built; compile again then."""
        args = getattr(self, "_compile_args", None)
        if args is not None and self._trainer.losses.output_names != list(self.output_names):
            optimizer = self.optimizer
            Model.compile(self, optimizer=optimizer, **args)  # not an override with its own signature

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1, **kwargs):
        """Trains for ``epochs`` passes over ``x``/``y`` and returns a History."""
        if "nb_epoch" in kwargs:
            import warnings
            warnings.warn("The `nb_epoch` argument in `fit` has been renamed `epochs`.", DeprecationWarning,
                          stacklevel=2)
            epochs = kwargs.pop("nb_epoch")
        reading = {key: kwargs.pop(key) for key in ("max_queue_size", "workers", "use_multiprocessing")
                   if key in kwargs}  # how a Sequence is read: ahead, by an OrderedEnqueuer, when workers > 1
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments to fit(): {sorted(kwargs)}")
        from fastkeras.engine import torch_trainer
        x = self._ensure_ready(x)
        with RespectCompiledTrainableState(self):
            return torch_trainer.fit(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                                     callbacks=callbacks, validation_split=validation_split,
                                     validation_data=validation_data, shuffle=shuffle, class_weight=class_weight,
                                     sample_weight=sample_weight, initial_epoch=initial_epoch,
                                     steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                                     validation_batch_size=validation_batch_size, validation_freq=validation_freq,
                                     **reading)

    def _ensure_ready(self, x):
        """Builds (and finishes a deferred compile of) a model that has not seen data yet; returns ``x``, or a
        generator that yields the batch read to build the model before the rest."""
        from fastkeras.engine import torch_trainer
        from fastkeras.engine import data_adapter
        if x is not None and _is_subclassed(self) and getattr(self, "outputs", None) is None \
                and not data_adapter.is_iterator_input(x):
            self._build_unless_own_steps_will(_batch_shapes(x))  # one shape per input array: it may take several
        elif x is not None and _is_subclassed(self) and getattr(self, "outputs", None) is None:
            # A subclassed model fed a DataLoader, PyDataset, Sequence or generator (keras.io's Keras 3 getting-
            # started guide): built from the first batch's inputs, as tf-keras and Keras 3 peek at it.
            first, x = torch_trainer.peek_batch(x)
            if first is not None:
                from fastkeras.utils.data_tuples import unpack_x_y_sample_weight
                batch = first if isinstance(first, (list, tuple)) and not isinstance(first, dict) else (first,)
                inputs = unpack_x_y_sample_weight(tuple(batch))[0]
                self._build_unless_own_steps_will(_batch_shapes(inputs))
        elif x is not None and not self.built:
            if not data_adapter.is_iterator_input(x):
                torch_trainer._ensure_built(self, x)
        if getattr(self, "_deferred_compile", False) and (getattr(self, "outputs", None) is not None
                                                          or self.__dict__.get("_built_by_own_steps")):
            Model.compile(self, optimizer=self.optimizer, **self._compile_args)  # as above
        if self.built and getattr(self, "_trainer", None) is not None:
            self._recompile_for_outputs()
        return x

    def _build_unless_own_steps_will(self, input_shape):
        """Builds the model for its data; a model with its own train_step/test_step whose ``call`` does not take
        the data as fit gives it is left to its steps, which build what they call, as tf-keras builds nothing
        before them (keras.io's speech transformer calls ``self([source, target[:, :-1]])`` on a dict batch)."""
        try:
            self.build(input_shape)
        except Exception:  # noqa: BLE001 - a model without its own steps re-raises; the others' steps show theirs
            if not (custom_step.overrides(self, "train_step") or custom_step.overrides(self, "test_step")):
                raise
            self.built = False
            self.__dict__["_built_by_own_steps"] = True  # compile() stops waiting for the outputs
            # The steps get the data as given: a dict by its keys, several arrays as a list.
            if isinstance(input_shape, dict):
                self.input_names = list(input_shape)
                self._call_input_keys = list(input_shape)
            else:
                several = isinstance(input_shape, list) and all(isinstance(s, (list, tuple)) for s in input_shape)
                self.input_names = [f"input_{i + 1}" for i in range(len(input_shape) if several else 1)]
            self.output_names = ["output_1"]  # what compile() assumes of a model it cannot see the outputs of

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None, callbacks=None,
                 return_dict=False, **kwargs):
        """Loss (and metrics) on the given data, batch by batch."""
        from fastkeras.engine import torch_trainer
        x = self._ensure_ready(x)
        return torch_trainer.evaluate(self, x, y, batch_size=batch_size, verbose=verbose,
                                      sample_weight=sample_weight, steps=steps, callbacks=callbacks,
                                      return_dict=return_dict, **_reading_kwargs(kwargs))

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None, **kwargs):
        """Model outputs for ``x`` as numpy arrays (a list for several outputs)."""
        from fastkeras.engine import torch_trainer
        x = self._ensure_ready(x)
        return torch_trainer.predict(self, x, batch_size=batch_size, verbose=verbose, steps=steps,
                                     callbacks=callbacks, **_reading_kwargs(kwargs))

    # Keras 2's generator methods: deprecated there in favour of fit/evaluate/predict, which take generators and
    # Sequences themselves, and kept for the tutorials that call them.
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0,
                      **keras1_kwargs):
        """``fit`` on a generator or Sequence (deprecated name)."""
        _warn_deprecated("fit_generator", "fit")
        if keras1_kwargs:
            given = _keras1_generator_kwargs("fit_generator", generator, keras1_kwargs, dict(
                steps_per_epoch=steps_per_epoch, epochs=epochs, validation_steps=validation_steps,
                max_queue_size=max_queue_size, workers=workers, use_multiprocessing=use_multiprocessing))
            steps_per_epoch, epochs, validation_steps = (given["steps_per_epoch"], given["epochs"],
                                                         given["validation_steps"])
            max_queue_size, workers, use_multiprocessing = (given["max_queue_size"], given["workers"],
                                                            given["use_multiprocessing"])
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                        validation_freq=validation_freq, class_weight=class_weight, max_queue_size=max_queue_size,
                        workers=workers, use_multiprocessing=use_multiprocessing, shuffle=shuffle,
                        initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0, **keras1_kwargs):
        """``evaluate`` on a generator or Sequence (deprecated name)."""
        _warn_deprecated("evaluate_generator", "evaluate")
        if keras1_kwargs:
            given = _keras1_generator_kwargs("evaluate_generator", generator, keras1_kwargs, dict(
                steps=steps, max_queue_size=max_queue_size, workers=workers, use_multiprocessing=use_multiprocessing))
            steps, max_queue_size = given["steps"], given["max_queue_size"]
            workers, use_multiprocessing = given["workers"], given["use_multiprocessing"]
        return self.evaluate(generator, steps=steps, callbacks=callbacks, max_queue_size=max_queue_size,
                             workers=workers, use_multiprocessing=use_multiprocessing, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0, **keras1_kwargs):
        """``predict`` on a generator or Sequence (deprecated name)."""
        _warn_deprecated("predict_generator", "predict")
        if keras1_kwargs:
            given = _keras1_generator_kwargs("predict_generator", generator, keras1_kwargs, dict(
                steps=steps, max_queue_size=max_queue_size, workers=workers, use_multiprocessing=use_multiprocessing))
            steps, max_queue_size = given["steps"], given["max_queue_size"]
            workers, use_multiprocessing = given["workers"], given["use_multiprocessing"]
        return self.predict(generator, steps=steps, callbacks=callbacks, max_queue_size=max_queue_size,
                            workers=workers, use_multiprocessing=use_multiprocessing, verbose=verbose)

    # tf-keras' step functions (None until built): make_train_function() ...
    train_function = test_function = predict_function = None

    def make_train_function(self, force=False):
        """tf-keras' one training step on the next batch of an iterator, kept as ``model.train_function``."""
        return step_functions.make(self, "train", force)

    def make_test_function(self, force=False):
        return step_functions.make(self, "test", force)

    def make_predict_function(self, force=False):
        return step_functions.make(self, "predict", force)

    def _make_train_function(self):
        """Keras 2.2-2.3's name: builds ``model.train_function`` (Keras 2 deployment code calls these up front)."""
        self.make_train_function()

    def _make_test_function(self):
        self.make_test_function()

    def _make_predict_function(self):
        self.make_predict_function()

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        """One gradient update on one batch; returns the loss (and metrics)."""
        from fastkeras.engine import torch_trainer
        x = self._ensure_ready(x)
        with RespectCompiledTrainableState(self):
            return torch_trainer.train_on_batch(self, x, y, sample_weight=sample_weight, class_weight=class_weight,
                                                reset_metrics=reset_metrics, return_dict=return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """Loss (and metrics) on one batch, without updating weights."""
        from fastkeras.engine import torch_trainer
        x = self._ensure_ready(x)
        return torch_trainer.test_on_batch(self, x, y, sample_weight=sample_weight, reset_metrics=reset_metrics,
                                           return_dict=return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch, as numpy."""
        from fastkeras.engine import torch_trainer
        x = self._ensure_ready(x)
        return torch_trainer.predict_on_batch(self, x)

    @property
    def run_eagerly(self):
        """tf-keras' flag (False unless set). Steps always run eagerly here; ``compile(jit_compile=True)``
        is what compiles them."""
        return bool(self.__dict__.get("_run_eagerly", False))

    @run_eagerly.setter
    def run_eagerly(self, value):
        self.__dict__["_run_eagerly"] = bool(value)

    def get_compile_config(self):
        """The arguments ``compile`` was given, serialized (what a ``.keras`` file stores), or None before
        compile."""
        from fastkeras.saving import training_config
        config = training_config.keras_compile_config(self)
        if config is not None:
            args = self._compile_args
            config.update(run_eagerly=args.get("run_eagerly"), steps_per_execution=args.get("steps_per_execution"))
        return config

    def compile_from_config(self, config):
        """Compiles the model as ``get_compile_config()`` described it."""
        from fastkeras.saving import training_config
        training_config.compile_from_config(self, config, None, f'the compile config of model "{self.name}"',
                                            keras_format=True)

    # ---- the steps fit/evaluate/predict run: override them to customize training (engine/custom_step.py) --------

    def train_step(self, data):
        """One training step on a batch ``data`` (``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``); returns the
        logs. fit calls a subclass's override once per batch; this default is the built-in step."""
        from fastkeras.engine.torch_trainer import _require_compiled
        trainer = _require_compiled(self, "fit")
        if custom_step.overrides_hooks(self):
            return custom_step.hooked_train_step(self, data)
        return trainer.builtin_step_logs(data, training=True)

    def test_step(self, data):
        """One evaluation step on a batch ``data``; returns the logs. evaluate calls a subclass's override."""
        from fastkeras.engine.torch_trainer import _require_compiled
        trainer = _require_compiled(self, "evaluate")
        if custom_step.overrides_hooks(self):
            return custom_step.hooked_test_step(self, data)
        return trainer.builtin_step_logs(data, training=False)

    def predict_step(self, data):
        """The model's outputs on a batch ``data``; predict calls a subclass's override and joins what it
        returns over the batches."""
        from fastkeras.utils.data_tuples import unpack_x_y_sample_weight
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of ``y_pred`` against ``y``, plus the model's own losses (weight regularization,
        ``add_loss``). The ``loss`` entry of ``metrics`` counts it once: when read (tf-keras' pattern, then
        ``compute_metrics``), or not at all if the step updates that metric itself (Keras 3's guide)."""
        del x, training
        if self.compiled_loss is None:
            raise RuntimeError(f'compute_loss() needs a compiled model: call model.compile() on "{self.name}" first.')
        loss = self.compiled_loss.compute(y, y_pred, sample_weight, regularization_losses=self.losses,
                                          track_outputs=True)  # as tf-keras, whose compute_loss calls compiled_loss
        self._trainer.loss_tracker.defer(loss, custom_step.batch_size_of(y_pred))
        return loss

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics with a batch and returns ``get_metrics_result()``."""
        del x
        if self.compiled_metrics is None:
            raise RuntimeError(f'compute_metrics() needs a compiled model: call model.compile() on "{self.name}" '
                               "first.")
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        """``{name: result}`` of every metric in ``metrics`` (a metric whose result is a dict adds its entries)."""
        logs = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[metric.name] = result
        return logs

    def zero_grad(self, set_to_none=True):
        """Clears the gradients PyTorch accumulated on the weights (before ``loss.backward()`` in a custom step)."""
        for weight in _weights_so_far(self):
            if weight.grad is not None:
                if set_to_none:
                    weight.grad = None
                else:
                    weight.grad.zero_()

    def reset_metrics(self):
        trainer = getattr(self, "_trainer", None)
        if trainer is not None:
            trainer.reset_metrics()

    @property
    def metrics_names(self):
        """Names of the values evaluate() returns, in order."""
        trainer = getattr(self, "_trainer", None)
        if trainer is None:
            return []
        names = ["loss"]
        if len(trainer.losses.losses) > 1:
            names += [f"{n}_loss" for n, l in zip(trainer.losses.output_names, trainer.losses.losses) if l is not None]
        names += [m[2] for m in trainer.metrics.metrics or []]
        names += [m.name for m in trainer._added_metrics()]
        return names

    # ---- description --------------------------------------------------------------

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        """Prints Keras 2's table of layers, output shapes and parameter counts."""
        from fastkeras.utils.layer_utils import print_summary
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                             "calling the model on a batch of data.")
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable, layer_range=layer_range)

    def get_config(self):
        # A subclassed model's config is what its constructor received: its own get_config(), or the plain
        # constructor arguments recorded when it was made (tf-keras 2.13+ and Keras 3).
        if self.__dict__.get("_auto_config") is not None:
            return with_auto_config(Layer.get_config(self), self)
        return {"name": self.name, "trainable": self.trainable}
    get_config._auto_config_default = True

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from ``get_config()``'s output: a functional config (layers, their connections, inputs and
        outputs) is rebuilt as a functional model, as ``Model(inputs, outputs)`` of this class; any other config
        is passed to the constructor, as for a layer."""
        from fastkeras.engine.functional import Functional
        from fastkeras.saving.model_config import functional_from_config
        functional_keys = ("layers", "input_layers", "output_layers")
        if isinstance(config, dict) and _revivable_as_functional(cls) and \
                (issubclass(cls, Functional) or any(k in config for k in functional_keys)):
            return functional_from_config(cls, config, custom_objects)  # names any missing key clearly
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(f"Unable to revive model {cls.__name__} from config: {e}. A subclassed model's "
                            "get_config() must return every argument its constructor needs, and from_config() "
                            "must accept that dict.") from e

    def to_json(self, **kwargs):
        from fastkeras.saving.model_config import model_to_json
        return model_to_json(self, **kwargs)

    def to_yaml(self, **kwargs):
        from fastkeras.saving.model_config import model_to_yaml
        return model_to_yaml(self, **kwargs)

    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None, signatures=None, options=None,
             save_traces=True):
        """Saves the whole model ('.keras' or '.h5'), atomically; see ``fastkeras.saving.save_model``."""
        from fastkeras.saving.saving_api import save_model
        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer, save_format=save_format)

    def save_weights(self, filepath, overwrite=True, save_format=None, options=None):
        from fastkeras.saving.hdf5_weights import save_weights
        save_weights(self, filepath, overwrite=overwrite, save_format=save_format)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, options=None, reshape=False):
        from fastkeras.saving.hdf5_weights import load_weights
        return load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch, reshape=reshape)

    def count_params(self):
        return int(sum(int(w.numel()) for w in self.weights))

    def build_from_config(self, config):
        """Builds the model from ``get_build_config()``'s input shape: for a subclassed model, its call() runs
        once on shape-only tensors (Keras 3 does the same when loading a .keras file)."""
        input_shape = (config or {}).get("input_shape")
        if input_shape is not None and not self.built:
            self.build(input_shape)

    def build(self, input_shape):
        """Builds a subclassed model for inputs of ``input_shape`` (a tuple, a list of tuples, or a dict of tuples
        when ``call`` takes a dict, as ``fit({"inputs": ..., "targets": ...})`` gives it).

        ``call`` runs once on shape-only tensors, so every layer it uses creates its weights; the model then
        knows its symbolic ``inputs`` / ``outputs`` and their names ('input_1', 'output_1', ...) as Keras 2 does.
        """
        if self.built and getattr(self, "inputs", None) is not None:
            return
        if input_shape is None:
            raise ValueError("Input shape must be defined when calling `build()` on a `Model` subclass.")
        from fastkeras.engine.keras_tensor import KerasTensor
        call_kwargs = {"training": False} if _accepts_training(self) else {}
        if isinstance(input_shape, dict):
            named = {k: KerasTensor(tuple(s), self.dtype) for k, s in input_shape.items()}
            outputs, _ = self._meta_outputs(named, (), call_kwargs)
            self._set_symbolic_io(list(named.values()), outputs)
            self.input_names = list(named)
            self._call_input_keys = list(named)
            self._build_input_shape = input_shape
            self.built = True
            return
        multiple = isinstance(input_shape, (list, tuple)) and bool(input_shape) and \
            all(isinstance(s, (list, tuple)) for s in input_shape)
        shapes = [tuple(s) for s in input_shape] if multiple else [tuple(input_shape)]
        specs = [KerasTensor(s, self.dtype) for s in shapes]
        outputs, _ = self._meta_outputs(specs if multiple else specs[0], (), call_kwargs)
        self._set_symbolic_io(specs, outputs)
        self._build_input_shape = input_shape
        self.built = True

    build._is_default = True  # Layer.__call__ builds by calling; only an explicit build() runs it

    def _set_symbolic_io(self, inputs, outputs):
        """``inputs``/``outputs`` and their names for a subclassed model (Keras 2 names them input_1, output_1, or
        by the keys of the dict ``call`` returns); the structure of the outputs shapes targets and predictions."""
        self.inputs = list(inputs)
        self.outputs = tree.flatten(outputs)
        self._nested_outputs = outputs
        self.input_names = [f"input_{i + 1}" for i in range(len(self.inputs))]
        self.output_names = pseudo_names(outputs, "output_")


def _weights_so_far(layer):
    """The weights ``layer`` and its sublayers have created so far. Keras 3's zero_grad clears what exists: a
    custom step calls it before its first forward, when a nested Sequential without an input is not built yet
    and its ``weights`` raise (as tf-keras)."""
    try:
        return layer.weights
    except ValueError:
        children = layer._layers_for_weights() if isinstance(layer, Model) else layer._tracked_layers
        return _dedup([w for child in children for w in _weights_so_far(child)]
                      + layer._trainable_weights + layer._non_trainable_weights)


def _reading_kwargs(kwargs):
    """Keras 2's ``workers``/``use_multiprocessing``/``max_queue_size`` among evaluate/predict's keywords."""
    return {key: kwargs[key] for key in ("max_queue_size", "workers", "use_multiprocessing") if key in kwargs}


def _flatten_layers(layer):
    """``layer`` and every layer it holds, depth first, each once."""
    found, seen, stack = [], set(), [layer]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found.append(current)
        children = list(current.__dict__.get("_layers", ()) or ()) + list(current.__dict__.get("_tracked_layers", ()))
        stack.extend(reversed(children))
    return found


class RespectCompiledTrainableState:
    """Keras 2 trains with the ``trainable`` flags that layers had at ``compile()``: a GAN compiles its
    discriminator, sets ``discriminator.trainable = False`` and builds the combined model, yet
    ``discriminator.train_on_batch`` still updates the discriminator. Inside this scope (``fit`` and
    ``train_on_batch``) every layer gets its compile-time flag back; on exit the current flags return."""

    def __init__(self, model):
        self.model = model
        self.current = None

    def __enter__(self):
        compiled = getattr(self.model, "_compiled_trainable_state", None)
        if compiled and any(layer._trainable != trainable for layer, trainable in compiled):
            self.current = self.model._get_trainable_state()
            self.model._set_trainable_state(compiled)
        return self

    def __exit__(self, *exc):
        if self.current is not None:
            self.model._set_trainable_state(self.current)
            self.current = None
        return False


def _is_subclassed(model):
    """True for ``class MyModel(Model)`` with its own call(), False for Functional and Sequential models."""
    from fastkeras.engine.functional import Functional
    from fastkeras.engine.sequential import Sequential
    return not isinstance(model, (Functional, Sequential))


def _batch_shapes(x):
    """Input shapes with a None batch axis from data: a tuple, or a list of tuples for several arrays."""
    def shape(a):
        return (None,) + tuple(a.shape[1:] if hasattr(a, "shape") else np.shape(a)[1:])
    if isinstance(x, dict):
        return {k: shape(a) for k, a in x.items()}
    if isinstance(x, (list, tuple)) and x and all(hasattr(a, "shape") for a in x):
        return [shape(a) for a in x] if len(x) > 1 else shape(x[0])
    return shape(x)


def _accepts_training(model):
    from fastkeras.engine.base_layer import _call_arguments
    return _call_arguments(type(model))[1]


# Keras 1's names for the generator methods' arguments, which Keras 2.0-2.3 still took (with a warning).
_KERAS1_GENERATOR_ARGS = {"samples_per_epoch": "steps_per_epoch", "nb_epoch": "epochs",
                          "nb_val_samples": "validation_steps", "val_samples": "steps", "nb_worker": "workers",
                          "pickle_safe": "use_multiprocessing", "max_q_size": "max_queue_size"}


def _keras1_generator_kwargs(method, generator, keras1_kwargs, given):
    """``given`` (the Keras 2 arguments of ``method``) updated from Keras 1 spellings in ``keras1_kwargs``."""
    import warnings
    given = dict(given)
    for old, value in keras1_kwargs.items():
        new = _KERAS1_GENERATOR_ARGS.get(old)
        if new is None or new not in given:
            raise TypeError(f"{method}() got an unexpected keyword argument {old!r}.")
        if old == "samples_per_epoch" and getattr(generator, "batch_size", None):
            # Keras 1 counted samples, Keras 2 counts batches: a generator that knows its batch size converts.
            value = value // generator.batch_size
        given[new] = value
    warnings.warn(f"Update your `{method}` call to the Keras 2 API: "
                  + ", ".join(f"`{_KERAS1_GENERATOR_ARGS[k]}` for `{k}`" for k in keras1_kwargs)
                  + ". Keras 2's steps count batches where Keras 1's samples counted samples.", UserWarning,
                  stacklevel=3)
    return given


def _warn_deprecated(old_name, new_name):
    import warnings
    warnings.warn(f"`Model.{old_name}` is deprecated and will be removed in a future version. Please use "
                  f"`Model.{new_name}`, which supports generators.", UserWarning, stacklevel=3)
