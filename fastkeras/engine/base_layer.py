"""The Layer: weights made in ``build()``, computation in ``call()``, nodes on symbolic calls.

Calling a layer on KerasTensors records a Node and returns KerasTensors whose
shapes come from ``compute_output_shape``; the default implementation runs
``call`` on shape-only (meta) tensors, so no real arithmetic happens while a
graph is built. Calling it on arrays or engine tensors computes.
"""
import functools
import inspect
import sys
import weakref

import numpy as np

from fastkeras import backend as K
from fastkeras.engine import autocast, tree
from fastkeras.engine.call_context import CONTEXT
from fastkeras.engine.input_spec import InputSpec, assert_input_compatibility
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.engine.node import Node
from fastkeras.mixed_precision import policy as policy_module

_ALLOWED_KWARGS = {"input_dim", "input_shape", "batch_input_shape", "batch_size", "weights",
                   "activity_regularizer", "autocast", "implementation", "dynamic"}

# Placeholder sizes for unknown (None) dimensions during shape inference: two
# distinct primes, so a dimension that follows them is known to be dynamic.
_PROBE_SIZES = (83, 89)

_CALL_SIGNATURES = {}

# Set once a layer with a mixed dtype policy exists: from then on, calls also look for 16-bit inputs that a
# float32 layer must cast. Until then (most programs, always) they skip that check.
_HALF_SEEN = [False]


def _call_arguments(cls):
    """(accepts ``mask``, accepts ``training``, accepts **kwargs) for ``cls.call``; cached per class."""
    found = _CALL_SIGNATURES.get(cls)
    if found is None:
        params = inspect.signature(cls.call).parameters
        var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        found = ("mask" in params, "training" in params, var_kw)
        _CALL_SIGNATURES[cls] = found
    return found


_FIRST_CALL_ARGS = {}


def _first_call_arg(cls):
    """The name of ``cls.call``'s first argument after ``self`` ('inputs', 'logits', ...); cached per class."""
    found = _FIRST_CALL_ARGS.get(cls)
    if found is None:
        positional = [p for p in inspect.signature(cls.call).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        found = positional[1].name if len(positional) > 1 else "inputs"
        _FIRST_CALL_ARGS[cls] = found
    return found


_POSITIONAL_CALL_ARGS = {}


def _positional_call_args(cls):
    """The names of ``cls.call``'s positional arguments after ``self``; cached per class."""
    found = _POSITIONAL_CALL_ARGS.get(cls)
    if found is None:
        found = tuple(p.name for p in inspect.signature(cls.call).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))[1:]
        _POSITIONAL_CALL_ARGS[cls] = found
    return found


def _name_context_arguments(cls, args, kwargs):
    """``training`` or ``mask`` given positionally (keras.io's masking guide calls ``model(x, y)``, whose second
    argument is Functional.call's ``training``) become keywords, as tf-keras reads them, so that the call
    context does not hand the layer a second ``training`` or an implicit ``mask``."""
    names = _positional_call_args(cls)
    if len(args) > len(names):
        return args, kwargs
    for i in range(1, len(args)):
        if names[i] in ("training", "mask"):
            named = dict(zip(names[i:], args[i:]))
            given = [n for n in named if n in kwargs]
            if given:
                raise TypeError(f'Layer "{cls.__name__}": call() got multiple values for argument {given[0]!r} '
                                "(passed both positionally and by keyword).")
            return args[:i], {**kwargs, **named}
    return args, kwargs


_INIT_SIGNATURES = {}
_AUTO_CONFIG_TYPES = (str, int, float, bool, type(None))


def _init_signature(cls):
    """(names of ``cls.__init__``'s positional parameters after self, whether it takes ``**kwargs``); cached."""
    found = _INIT_SIGNATURES.get(cls)
    if found is None:
        spec = inspect.getfullargspec(cls.__init__)
        found = (tuple(spec.args[1:]), spec.varkw == "kwargs")
        _INIT_SIGNATURES[cls] = found
    return found


def record_auto_config(instance, cls, args, kwargs):
    """Keeps the constructor arguments of a class without its own get_config(), when they are plain values, as
    tf-keras 2.13+ and Keras 3 do: get_config() returns them, so such a layer or subclassed model can be saved
    and rebuilt (keras.io's customizing-saving guide saves a model whose __init__ takes no arguments)."""
    if cls.get_config is not Layer.get_config and getattr(cls.get_config, "_auto_config_default", False) is False:
        return
    names, _ = _init_signature(cls)
    config = dict(kwargs)
    config.update(zip(names, args))
    plain = len(args) <= len(names) and \
        all(isinstance(v, _AUTO_CONFIG_TYPES) for v in tree.flatten(list(config.values())))
    # Set either way, so that a copy (made without constructor arguments) takes the original's value.
    object.__setattr__(instance, "_auto_config", config if plain else None)


def with_auto_config(base_config, instance):
    """``base_config`` plus the recorded constructor arguments; the base keys ``__init__`` cannot take (it has
    no ``**kwargs``) are left out, as tf-keras does."""
    auto = instance.__dict__.get("_auto_config")
    if auto is None:
        return base_config
    names, takes_kwargs = _init_signature(type(instance))
    config = {**base_config, **auto}
    if not takes_kwargs:
        for key in set(base_config) - set(names):
            config.pop(key)
    return config


def _attach_masks(outputs, masks):
    flat_out = tree.flatten(outputs)
    flat_masks = tree.flatten(masks) if isinstance(masks, (list, tuple)) else [masks] * len(flat_out)
    for t, m in zip(flat_out, flat_masks):
        if K.is_tensor(t):
            try:
                t._keras_mask = m
            except (AttributeError, RuntimeError):  # a tensor type that takes no attributes
                pass


def _shape_tuple(shape):
    return tuple(None if d is None else int(d) for d in shape)


def _dtype_and_policy(dtype):
    """(variable dtype, or None to follow floatx; the Policy when it is a mixed one, else None) for a layer's
    ``dtype`` argument: None (the global policy), a dtype, a policy name, a Policy or a serialized Policy."""
    if dtype is None:
        if policy_module._global_policy is None:
            return None, None
        dtype = policy_module._global_policy
    if isinstance(dtype, str) and dtype not in policy_module._MIXED:
        return K.standardize_dtype(dtype), None
    policy = policy_module.get_policy(dtype)
    if policy_module.is_mixed(policy):
        return policy.variable_dtype, policy
    return policy.variable_dtype, None


def _is_symbolic_argument(x):
    """Whether a call's first argument is symbolic: a KerasTensor, or a list, tuple or dict starting with one.
    Asked at every call of a layer's ``call``, so it looks no further than the first item."""
    kind = type(x)
    if kind is KerasTensor:
        return True
    if kind is list or kind is tuple:
        return bool(x) and type(x[0]) is KerasTensor
    if kind is dict:
        return bool(x) and type(next(iter(x.values()))) is KerasTensor
    return False


def _recording_symbolic_calls(call):
    """``call`` that, given symbolic tensors (Keras 2's ``layer.call(Input(...))``), records the call as an op
    node of the graph (see symbolic_layer_call) instead of computing on them. On real tensors it costs one type
    check; the functional graph's steps skip even that (``direct_call``)."""
    @functools.wraps(call)
    def call_or_record(self, *args, **kwargs):
        if args and _is_symbolic_argument(args[0]):
            from fastkeras.engine.symbolic_layer_call import record_layer_call
            return record_layer_call(self, args, kwargs)
        return call(self, *args, **kwargs)
    call_or_record._computes = call
    return call_or_record


def _recording_build_shape(build):
    """``build`` that also remembers the first input shape it built for, however it was called (a layer's own
    ``build`` rarely calls ``Layer.build``): the layer's ``build_config`` in saved configs comes from it, as in
    tf-keras, for a layer built by hand as well as by a call."""
    if getattr(build, "_records_build_shape", False):
        return build

    @functools.wraps(build)
    def recording_build(self, *args, **kwargs):
        result = build(self, *args, **kwargs)  # a build() may take no shape (Sequential.build() once it has one)
        input_shape = args[0] if args else kwargs.get("input_shape")
        if getattr(self, "_build_input_shape", None) is None and input_shape is not None:
            self._build_input_shape = input_shape
        return result
    recording_build._records_build_shape = True
    return recording_build


class _TrackedList(list):
    """A list attribute of a layer whose later additions are tracked too, as tf-keras' ListWrapper and Keras 3's
    TrackedList do: keras.io's ``self.blocks = []`` then ``self.blocks.append(Dense(...))`` in ``__init__``
    makes those layers' weights the owner's (they were left out of its weights, training and files)."""

    __slots__ = ("_owner",)
    _tracks_layers = True  # keras.tree walks it as a list

    def __init__(self, values, owner):
        super().__init__(values)
        self._owner = weakref.ref(owner)  # no reference cycle: the owner holds the list, not the other way

    def _track(self, values):
        owner = self._owner()
        if owner is not None:
            owner._track_layers(values)

    def append(self, value):
        super().append(value)
        self._track([value])

    def extend(self, values):
        values = list(values)
        super().extend(values)
        self._track(values)

    def insert(self, index, value):
        super().insert(index, value)
        self._track([value])

    def __setitem__(self, index, value):
        super().__setitem__(index, value)
        self._track(value if isinstance(index, slice) else [value])

    def __iadd__(self, values):
        self.extend(values)
        return self

    def __reduce_ex__(self, protocol):  # copies and pickles are plain lists: the owner is not theirs
        return list, (list(self),)


class Layer:
    """Base class of every layer (and of models).

    Subclasses implement ``build(input_shape)`` (create weights with
    ``add_weight``), ``call(inputs, **kwargs)`` and ``get_config()``; they may
    override ``compute_output_shape`` and ``compute_mask``.
    """

    def __new__(cls, *args, **kwargs):
        instance = object.__new__(cls)
        record_auto_config(instance, cls, args, kwargs)
        return instance

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in vars(cls):
            cls.build = _recording_build_shape(vars(cls)["build"])
        # A model's call() runs on symbolic tensors as it is (its layers record their nodes, as in tf-keras).
        if inspect.isfunction(vars(cls).get("call")) and not getattr(cls, "_runs_call_on_symbolic_inputs", False) \
                and not hasattr(vars(cls)["call"], "_computes"):
            cls.call = _recording_symbolic_calls(vars(cls)["call"])

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs):
        for key in kwargs:
            if key not in _ALLOWED_KWARGS:
                raise TypeError(f"Keyword argument not understood: {key!r} "
                                f"(passed to layer {self.__class__.__name__}).")
        object.__setattr__(self, "_tracked_layers", [])
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._weight_regularizers = []   # (regularizer, variable) pairs, evaluated with the loss
        self._eager_losses = []
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._trainable = bool(trainable)
        self.built = False
        self.supports_masking = False
        self.input_spec = None
        self.stateful = False
        self.dynamic = dynamic
        self._dtype, self._mixed_policy = _dtype_and_policy(dtype)
        if self._mixed_policy is not None:
            _HALF_SEEN[0] = True
        self._autocast = bool(kwargs.get("autocast", True))
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Layer name must be a string, got {type(name).__name__}: {name!r}")
        self.name = name or K.unique_object_name(K.to_snake_case(self.__class__.__name__))
        self._build_input_shape = None

        batch_input_shape = kwargs.get("batch_input_shape")
        if batch_input_shape is None and ("input_shape" in kwargs or "input_dim" in kwargs):
            if "input_shape" in kwargs and kwargs["input_shape"] is not None:
                shape = kwargs["input_shape"]
                shape = (shape,) if isinstance(shape, int) else tuple(shape)
            else:
                shape = (kwargs["input_dim"],)
            batch_input_shape = (kwargs.get("batch_size"),) + shape
        self._batch_input_shape = _shape_tuple(batch_input_shape) if batch_input_shape is not None else None
        self._initial_weights = kwargs.get("weights")
        from fastkeras import regularizers
        self.activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"))

    # ---- attribute tracking ------------------------------------------------

    def __setattr__(self, name, value):
        # Layers assigned as attributes (or in lists) are tracked so that their
        # weights count as this layer's: custom layers and subclassed models.
        if isinstance(value, Layer) and value is not self and name not in ("_outer",):
            tracked = self.__dict__.get("_tracked_layers")
            if tracked is not None and not any(t is value for t in tracked):
                tracked.append(value)
        elif isinstance(value, (list, tuple)) and all(isinstance(v, Layer) for v in value) \
                and not name.startswith("_") and "_tracked_layers" in self.__dict__:
            self._track_layers(value)
            if type(value) is list:  # layers appended later count too
                value = _TrackedList(value, self)
        elif K.is_variable(value) and "_trainable_weights" in self.__dict__:
            # A variable made outside add_weight (``self.w = K.variable(...)``) is the layer's weight too, as
            # tf-keras tracks it: trainable as the variable says.
            if not any(w is value for w in self._trainable_weights + self._non_trainable_weights):
                (self._trainable_weights if value.requires_grad else self._non_trainable_weights).append(value)
        elif getattr(type(value), "_is_keras_metric", False):
            # A Metric kept as an attribute is reported by the model, as tf-keras' and Keras 3's layers track
            # theirs: an endpoint layer's ``self.accuracy.update_state(...)`` in call() shows up in fit's logs.
            own = self.__dict__.setdefault("_tracked_metrics", [])
            if not any(m is value for m in own):
                own.append(value)
        object.__setattr__(self, name, value)

    def _track_layers(self, values):
        tracked = self._tracked_layers
        for v in values:
            if isinstance(v, Layer) and v is not self and not any(t is v for t in tracked):
                tracked.append(v)

    # ---- properties ----------------------------------------------------------

    # Class-level defaults for objects whose __init__ predates these attributes.
    _mixed_policy = None
    _autocast = True

    @property
    def dtype(self):
        """The dtype of the layer's variables (its policy's variable dtype)."""
        return self._dtype or K.floatx()

    @property
    def compute_dtype(self):
        """The dtype the layer computes in and outputs: float16/bfloat16 under a mixed policy."""
        return self._mixed_policy.compute_dtype if self._mixed_policy is not None else self.dtype

    @property
    def variable_dtype(self):
        return self.dtype

    @property
    def dtype_policy(self):
        return self._mixed_policy if self._mixed_policy is not None else policy_module.Policy(self.dtype)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._tracked_layers:
            layer.trainable = value

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        children = [w for layer in self._tracked_layers for w in layer.trainable_weights]
        return _dedup(self._trainable_weights + children)

    @property
    def non_trainable_weights(self):
        if self.trainable:
            children = [w for layer in self._tracked_layers for w in layer.non_trainable_weights]
            return _dedup(self._non_trainable_weights + children)
        children = [w for layer in self._tracked_layers for w in layer.weights]
        return _dedup(self._trainable_weights + self._non_trainable_weights + children)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    def parameters(self, recurse=True):
        """The weights as torch parameters, for ``torch.optim`` (keras.io's torch training-loop guide builds
        ``torch.optim.Adam(model.parameters())``, as Keras 3's torch layers are Modules): every weight, the
        sublayers' too unless ``recurse=False``; non-trainable ones have ``requires_grad=False``."""
        return iter(self.weights if recurse else self._trainable_weights + self._non_trainable_weights)

    def named_parameters(self, prefix="", recurse=True):
        """``(name, parameter)`` pairs of ``parameters()``, named after the weights ('dense/kernel')."""
        for weight in self.parameters(recurse):
            name = getattr(weight, "name", "") or ""
            name = name[:-2] if name.endswith(":0") else name
            yield (f"{prefix}.{name}" if prefix else name), weight

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    @property
    def losses(self):
        """Weight-regularization penalties plus the activity losses of the last eager call (and, as tf-keras lists
        them, symbolic losses added outside call() to a layer that cannot compute them)."""
        own = [reg(w) for reg, w in self._weight_regularizers]
        children = [loss for layer in self._tracked_layers for loss in layer.losses]
        return own + list(self._eager_losses) + self._pending_symbolic_losses + children

    def _regularization_terms(self):
        """(regularizer, weight) pairs of this layer and its sublayers."""
        terms = list(self._weight_regularizers)
        for layer in self._tracked_layers:
            terms.extend(layer._regularization_terms())
        return terms

    @property
    def metrics(self):
        """The metrics this layer and its sublayers report: those of ``add_metric`` (Mean metrics by name) and
        the Metric objects kept as attributes."""
        # One list in the order the metrics came (attributes as they were set, add_metric's at first call), as
        # tf-keras reports them.
        own = list(self.__dict__.get("_tracked_metrics", []))
        return own + [m for layer in self._tracked_layers for m in layer.metrics]

    @property
    def inbound_nodes(self):
        return self._inbound_nodes

    @property
    def outbound_nodes(self):
        return self._outbound_nodes

    # ---- weights ---------------------------------------------------------

    def add_variable(self, *args, **kwargs):
        """A weight, as ``add_weight`` makes it: Keras 3's ``add_variable(shape, initializer, dtype=None,
        trainable=True, autocast=True, regularizer=None, constraint=None, aggregation='none', name=None)``, or
        Keras 2's deprecated alias of ``add_weight`` (name first)."""
        if args and not isinstance(args[0], str):  # Keras 3's order: the shape first
            order = ("shape", "initializer", "dtype", "trainable", "autocast", "regularizer", "constraint",
                     "aggregation", "name")
            kwargs.update(zip(order, args))
            args = ()
        kwargs.pop("autocast", None)
        kwargs.pop("aggregation", None)  # distributed replicas only
        return self.add_weight(*args, **kwargs)

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                   constraint=None, **kwargs):
        """Creates a weight of ``shape`` filled by ``initializer`` and tracks it on this layer."""
        from fastkeras import constraints, initializers, regularizers
        shape = () if shape is None else tuple(int(d) for d in shape)
        # While a model is rebuilt from a file, its config may not allocate more than the file holds.
        from fastkeras.saving.safety import check_allocation
        check_allocation(self.name, name, shape)
        dtype = K.standardize_dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.startswith(("float", "bfloat")) else "zeros"
        initializer = initializers.get(initializer)
        trainable = True if trainable is None else bool(trainable)
        value = initializer(shape, dtype=dtype)
        # A built-in initializer's output is a new tensor: adopt it. A custom one might hand back a tensor
        # it keeps, so that one is copied.
        fresh = type(initializer).__module__ == initializers.__name__ and K.is_tensor(value) \
            and not K.is_variable(value)
        # An unnamed weight is tf.Variable's default "Variable" (tf-keras: 'graph_conv/Variable:0').
        variable = K.variable(value, dtype=dtype, name=f"{self.name}/{'Variable' if name is None else name}:0",
                              trainable=trainable, constraint=constraints.get(constraint), copy=not fresh)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:
            self._weight_regularizers.append((regularizer, variable))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        return variable

    def get_weights(self):
        """The layer's weights as a list of numpy arrays, in ``layer.weights`` order."""
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Loads numpy arrays into the weights; checks every shape before changing any."""
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a weight list of '
                             f"length {len(weights)}, but the layer was expecting {len(params)} weights "
                             f"({[w.name for w in params]}).")
        arrays = []
        for param, value in zip(params, weights):
            value = np.asarray(value)
            if tuple(value.shape) != tuple(param.shape):
                raise ValueError(f'Layer "{self.name}" weight "{param.name}" has shape {tuple(param.shape)}, '
                                 f"but the provided weight has shape {tuple(value.shape)}.")
            arrays.append(value)
        K.batch_set_value(zip(params, arrays))

    def count_params(self):
        if not self.built:
            raise ValueError(f'You tried to call `count_params` on layer "{self.name}", but the layer isn\'t built. '
                             "You can build it manually via: `layer.build(batch_input_shape)`.")
        return int(sum(K.count_params(w) for w in self.weights))

    # ---- the methods subclasses implement ---------------------------------

    def build(self, input_shape):
        self._build_input_shape = input_shape
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    # ---- Keras 3 / tf-keras 2.13+ saving hooks (the .keras and .weights.h5 formats call overrides) ------

    def get_build_config(self):
        """What ``build_from_config`` needs to rebuild the layer before its weights are loaded: the input shape
        it was built for (None while unbuilt)."""
        if self._build_input_shape is None:
            return None
        return {"input_shape": self._build_input_shape}

    def build_from_config(self, config):
        """Builds the layer from ``get_build_config()``'s dict (called when a saved model is loaded)."""
        input_shape = (config or {}).get("input_shape")
        if input_shape is not None and not self.built:
            self._maybe_build(input_shape)

    def save_own_variables(self, store):
        """Writes the layer's own weights (not its sublayers') into ``store`` as ``'0'``, ``'1'``, ...: trainable
        first, then non-trainable."""
        for i, value in enumerate(K.batch_get_value(self._trainable_weights + self._non_trainable_weights)):
            store[str(i)] = value

    def load_own_variables(self, store):
        """Sets the layer's own weights from ``store`` as ``save_own_variables`` wrote it."""
        own = self._trainable_weights + self._non_trainable_weights
        if len(store.keys()) != len(own):
            raise ValueError(f'Layer "{self.name}" expected {len(own)} variables, but received {len(store.keys())} '
                             "variables during loading.")
        K.batch_set_value([(v, store[str(i)]) for i, v in enumerate(own)])

    def compute_mask(self, inputs, mask=None):
        if not self.supports_masking:
            if any(m is not None for m in tree.flatten(mask)):
                raise TypeError(f"Layer {self.name} does not support masking, but was passed an input_mask: {mask}")
            return None
        return mask

    def compute_output_shape(self, input_shape):
        """Output shape(s) for ``input_shape``, found by running ``call`` on shape-only tensors."""
        is_list = isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple))
        shapes = [tuple(s) for s in input_shape] if is_list else [tuple(input_shape)]
        specs = [KerasTensor(s, self.dtype) for s in shapes]
        # _meta_outputs, not _infer_outputs: a subclass's compute_output_shape calling this one through super()
        # must not be called back.
        outputs, _ = self._meta_outputs(specs if is_list else specs[0], (), {})
        out_shapes = [tuple(t.shape) for t in tree.flatten(outputs)]
        return out_shapes if tree.is_nested(outputs) else out_shapes[0]

    def get_config(self):
        dtype = self.dtype if self._mixed_policy is None else policy_module.serialize(self._mixed_policy)
        config = {"name": self.name, "trainable": self.trainable, "dtype": dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if type(self).get_config is Layer.get_config:  # a subclass without its own: its constructor arguments
            return with_auto_config(config, self)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # ---- calling -----------------------------------------------------------

    def __call__(self, *args, **kwargs):
        if not args:
            # The inputs given by keyword, under the name ``call`` gives them (tf-keras and Keras 3 accept both).
            first = _first_call_arg(type(self))
            name = first if first in kwargs else "inputs"
            if name not in kwargs:
                raise TypeError(f'Layer "{self.name}" must be called with its inputs as the first argument '
                                f'(positionally or as `{first}=`).')
            args = (kwargs.pop(name),)
        elif len(args) > 1:
            args, kwargs = _name_context_arguments(type(self), args, kwargs)
        inputs = args[0]
        flat = tree.flatten([args, kwargs])
        if any(isinstance(t, KerasTensor) for t in flat):
            return self._symbolic_call(args, kwargs)
        return self._eager_call(args, kwargs)

    def _eager_call(self, args, kwargs):
        inputs = tree.map_structure(_to_tensor, args[0])
        args = (inputs,) + tuple(args[1:])
        accepts_mask, accepts_training, var_kw = _call_arguments(type(self))
        if accepts_training and kwargs.get("training") is None:
            kwargs["training"] = CONTEXT.training
        elif not accepts_training and not var_kw:
            kwargs.pop("training", None)  # as Keras 2: a call() without `training` never sees it
        masks = [getattr(t, "_keras_mask", None) for t in tree.flatten(inputs)]
        in_mask = kwargs.get("mask")
        if in_mask is None and any(m is not None for m in masks):
            in_mask = tree.unnest_single(masks)
            if accepts_mask:
                kwargs["mask"] = in_mask
        if not self.built:
            self._maybe_build(tree.map_structure(lambda t: _shape_tuple(t.shape), inputs))
        elif self.input_spec is not None:
            # As tf-keras, every call checks its inputs against the layer's spec: a clear error naming the layer
            # rather than a kernel's shape mismatch. (A model's own step calls its layers' call() directly.)
            assert_input_compatibility(self.input_spec, [_shape_tuple(t.shape) for t in tree.flatten(inputs)],
                                       self.name)
        if _HALF_SEEN[0] and not getattr(self, "_is_graph_network", False) \
                and autocast.needs_policy_call(self, tree.flatten(inputs)):
            outputs = autocast.policy_call(self, self.call)(*args, **kwargs)
        else:
            call = self.call
            computes = getattr(call, "_computes", None)  # eager inputs are never symbolic: skip that check
            outputs = computes(self, *args, **kwargs) if computes is not None else call(*args, **kwargs)
        if self.activity_regularizer is not None:
            self._add_activity_loss(outputs)
        # Eager outputs carry their Keras mask too (Embedding(mask_zero=True) feeding an LSTM), as in Keras 2.
        # A functional model's call() attaches its output masks from the same pass: compute_mask would run the
        # whole graph again (every layer twice in predict, a stateful layer's states stepped twice).
        if (in_mask is not None or type(self).compute_mask is not Layer.compute_mask) \
                and not getattr(self, "_is_graph_network", False):
            _attach_masks(outputs, output_mask(self, inputs, in_mask))
        return outputs

    def _maybe_build(self, input_shape):
        if self.built:
            return
        shapes = [tuple(s) for s in input_shape] if _is_shape_list(input_shape) else [tuple(input_shape)]
        assert_input_compatibility(self.input_spec, shapes, self.name)
        if not getattr(self.build, "_is_default", False):  # a subclassed Model's default build: call() builds
            with K.real_tensor_scope():  # weights are real even when built during shape inference
                self.build(input_shape)
        self.built = True
        if self._build_input_shape is None:
            self._build_input_shape = input_shape
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _symbolic_call(self, args, kwargs):
        inputs = args[0]
        flat_inputs = tree.flatten(inputs)
        for t in flat_inputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f'Layer "{self.name}" was called on a mix of symbolic tensors and {type(t).__name__}. '
                                "All inputs of a layer in a functional model must come from `Input` or other layers.")
        shapes = [tuple(t.shape) for t in flat_inputs]
        input_shape = tree.map_structure(lambda t: tuple(t.shape), inputs)
        if self.built:
            assert_input_compatibility(self.input_spec, shapes, self.name)
        else:
            self._maybe_build(input_shape)
        _, accepts_training, var_kw = _call_arguments(type(self))
        if not accepts_training and not var_kw:
            kwargs = {k: v for k, v in kwargs.items() if k != "training"}
        input_masks = [t._keras_mask for t in flat_inputs]
        call_kwargs = dict(kwargs)
        # The mask goes to inference even when call() takes none: compute_mask (and supports_masking)
        # decide what flows on; _meta_outputs strips it from the call itself.
        if "mask" not in call_kwargs and any(m is not None for m in input_masks):
            call_kwargs["mask"] = tree.unnest_single(input_masks)
        if _HALF_SEEN[0]:
            outputs, output_masks = self._infer_outputs(autocast.symbolic_inputs(self, inputs), args[1:],
                                                        call_kwargs)
            autocast.symbolic_outputs(self, outputs)
        else:
            outputs, output_masks = self._infer_outputs(inputs, args[1:], call_kwargs)
        Node(self, call_args=args, call_kwargs=kwargs, outputs=outputs)
        flat_outputs = tree.flatten(outputs)
        for t, m in zip(flat_outputs, output_masks):
            t._keras_mask = m
        return outputs

    def _infer_outputs(self, inputs, extra_args, kwargs):
        """New KerasTensors (and their masks) for a call on symbolic ``inputs``."""
        overridden = type(self).compute_output_shape is not Layer.compute_output_shape
        if overridden:
            input_shape = tree.map_structure(lambda t: tuple(t.shape), inputs)
            out_shape = self.compute_output_shape(input_shape)
            if not _is_shape_or_shapes(out_shape):
                # Not a shape nor a list of shapes (Keras 2 layers written for a default that returned the input
                # shape): infer from call() instead, which is what tf-keras always does.
                return self._meta_outputs(inputs, extra_args, kwargs)
            dtype = self._output_dtype(inputs)
            if _is_shape_list(out_shape):
                outputs = [KerasTensor(s, dtype) for s in out_shape]
            else:
                outputs = KerasTensor(out_shape, dtype)
            masks = self._infer_masks(inputs, extra_args, kwargs, len(tree.flatten(outputs)))
            return outputs, masks
        return self._meta_outputs(inputs, extra_args, kwargs)

    def _output_dtype(self, inputs):
        return self.compute_dtype

    def _infer_masks(self, inputs, extra_args, kwargs, n_outputs):
        if type(self).compute_mask is Layer.compute_mask:
            mask = kwargs.get("mask")
            if not self.supports_masking or mask is None:
                return [None] * n_outputs
            masks = tree.flatten(mask)
            return (masks * n_outputs)[:n_outputs] if len(masks) == 1 else masks[:n_outputs]
        _, masks = self._meta_outputs(inputs, extra_args, kwargs, masks_only=True)
        # One mask per output, whatever compute_mask returned (None, one mask, or a list).
        if len(masks) != n_outputs:
            masks = (masks * n_outputs)[:n_outputs] if len(masks) == 1 else [None] * n_outputs
        return masks

    def _meta_outputs(self, inputs, extra_args, kwargs, masks_only=False):
        unknown = _has_unknown_dims([inputs, extra_args, kwargs])
        try:
            return self._meta_outputs_probed(inputs, extra_args, kwargs, masks_only,
                                             _PROBE_SIZES if unknown else _PROBE_SIZES[:1])
        except ValueError as e:
            if not unknown or "must match the size of tensor" not in str(e):
                raise
        # An unknown size broadcast against a known one (a placeholder added to a variable): probe with 1, which
        # broadcasts as a static shape does (None with 4 gives 4); an output size of 1 stays unknown.
        outputs, masks = self._meta_outputs_probed(inputs, extra_args, kwargs, masks_only, (1,))

        def unknown_ones(t):
            return KerasTensor([None if d == 1 else d for d in t.shape], t.dtype) if isinstance(t, KerasTensor) else t
        masks = [None if m is None else unknown_ones(m) for m in masks]
        return (None if outputs is None else tree.map_structure(unknown_ones, outputs)), masks

    def _meta_outputs_probed(self, inputs, extra_args, kwargs, masks_only, probes):
        """Output specs from running ``call`` on stand-ins whose unknown sizes are each of ``probes`` in turn:
        an output size that differs between the runs is unknown."""
        results = []
        for probe in probes:
            to_meta = lambda t: _meta_like(t, probe) if isinstance(t, KerasTensor) else t  # noqa: E731
            meta_inputs = tree.map_structure(to_meta, inputs)
            meta_args = tree.map_structure(to_meta, tuple(extra_args))
            meta_kwargs = tree.map_structure(to_meta, kwargs)
            accepts_mask, accepts_training, _ = _call_arguments(type(self))
            if accepts_training and meta_kwargs.get("training") is None:
                meta_kwargs["training"] = False
            call_kwargs = meta_kwargs if accepts_mask else {k: v for k, v in meta_kwargs.items() if k != "mask"}

            def run(call_inputs, call_args, call_kwargs, mask_kwargs):
                out = None if masks_only else self.call(call_inputs, *call_args, **call_kwargs)
                return out, output_mask(self, call_inputs, mask_kwargs.get("mask"))
            with K.no_grad():
                try:
                    out, mask = run(meta_inputs, meta_args, call_kwargs, meta_kwargs)
                except Exception as e:  # noqa: BLE001 - retried below, where the real error surfaces
                    # 'meta' tensors refuse to meet real ones (a weight added to the input, noise drawn from
                    # K.shape(x)); fake tensors accept them, at some cost, so they are the fallback. A call
                    # that reads values (.item()) fails on fake tensors too: it goes to real ones at once.
                    if _reads_values(e):
                        out, mask = self._probe_outputs(inputs, extra_args, kwargs, probe, run)
                        results.append((out, mask))
                        continue
                    try:
                        with K.fake_tensor_scope():
                            refake = lambda t: _meta_like(t, probe) if isinstance(t, KerasTensor) else t  # noqa
                            fake_kwargs = tree.map_structure(refake, kwargs)
                            if accepts_training and fake_kwargs.get("training") is None:
                                fake_kwargs["training"] = False
                            fake_call_kwargs = fake_kwargs if accepts_mask else \
                                {k: v for k, v in fake_kwargs.items() if k != "mask"}
                            out, mask = run(tree.map_structure(refake, inputs),
                                            tree.map_structure(refake, tuple(extra_args)), fake_call_kwargs,
                                            fake_kwargs)
                    except (NotImplementedError, RuntimeError):
                        # A call that reads values (a shape turned into a tensor and used as tile repeats):
                        # run it on real tensors of ones, as Keras 3's torch backend falls back to.
                        out, mask = self._probe_outputs(inputs, extra_args, kwargs, probe, run)
            results.append((out, mask))
        (out, mask), (out2, mask2) = results[0], results[-1]

        def spec(a, b):
            if a is None:
                return None
            if not hasattr(a, "shape"):
                raise TypeError(f'Layer "{self.name}" ({type(self).__name__}) returned a {type(a).__name__} '
                                f"({str(a)[:40]!r}) from call(); a layer must return tensors, or lists, tuples or "
                                "dicts of them.")
            shape = [None if da != db else da for da, db in zip(a.shape, b.shape)]
            return KerasTensor(shape, a.dtype)
        masks = [spec(a, b) for a, b in zip(tree.flatten(mask), tree.flatten(mask2))] if mask is not None else []
        if masks_only:
            return None, masks
        outputs = _map_pair(spec, out, out2)
        n = len(tree.flatten(outputs))
        if len(masks) != n:
            masks = (masks * n)[:n] if len(masks) == 1 else [None] * n
        return outputs, masks

    def _probe_outputs(self, inputs, extra_args, kwargs, probe, run):
        """``run`` on real tensors of ones standing in for the symbolic inputs (``K.probe_tensor_scope``)."""
        accepts_mask, accepts_training, _ = _call_arguments(type(self))
        to_real = lambda t: K.probe_tensor(tuple(probe if d is None else d for d in t.shape), t.dtype) \
            if isinstance(t, KerasTensor) else t  # noqa: E731
        # Real memory, in sizes a loaded file's input shapes choose: bounded while a file builds a model.
        from fastkeras.saving.safety import check_stand_ins
        check_stand_ins(self.name, [tuple(probe if d is None else d for d in t.shape)
                                    for t in tree.flatten([inputs, list(extra_args), kwargs])
                                    if isinstance(t, KerasTensor)])
        try:
            with K.probe_tensor_scope():
                real_kwargs = tree.map_structure(to_real, kwargs)
                if accepts_training and real_kwargs.get("training") is None:
                    real_kwargs["training"] = False
                call_kwargs = real_kwargs if accepts_mask else {k: v for k, v in real_kwargs.items() if k != "mask"}
                return run(tree.map_structure(to_real, inputs), tree.map_structure(to_real, tuple(extra_args)),
                           call_kwargs, real_kwargs)
        except (NotImplementedError, RuntimeError) as e:
            raise ValueError(
                f'Could not infer the output shape of layer "{self.name}" ({self.__class__.__name__}) '
                f"for input shape {tree.map_structure(lambda t: tuple(t.shape), inputs)}: {e}. Define "
                "`compute_output_shape` on the layer (or `output_shape` on a Lambda).") from e

    def _add_activity_loss(self, outputs):
        penalty = sum(self.activity_regularizer(t) / t.shape[0] for t in tree.flatten(outputs))
        if K.is_shape_only(penalty):
            return
        if CONTEXT.losses is not None:
            CONTEXT.losses.append(penalty)
        else:
            self._eager_losses = [penalty]

    def add_metric(self, value, name=None, **kwargs):
        """Reports ``value`` (a tensor computed in ``call``) as the metric ``name``: its mean over the batches
        of an epoch, as Keras 2's ``add_metric``. On a functional model, ``value`` may be a symbolic tensor."""
        kwargs.pop("aggregation", None)
        if kwargs:
            raise TypeError(f"Unknown keyword arguments to add_metric on layer \"{self.name}\": {sorted(kwargs)}")
        metric_obj = getattr(value, "_metric_obj", None)
        if metric_obj is not None and not isinstance(value, KerasTensor):
            # The result of calling a Metric (``self.add_metric(self.accuracy_fn(y, p), name="accuracy")``, as
            # keras.io's endpoint-layer guide does): tf-keras reports that metric under its own name, once, and
            # ignores ``name``; its state was updated by the call.
            if self._metric_named(metric_obj.name) is None and not any(m is metric_obj for m in self.metrics):
                self.__dict__.setdefault("_tracked_metrics", []).append(metric_obj)
            return
        if metric_obj is not None:
            name = metric_obj.name  # a Metric's symbolic result (functional models): reported as that metric
        if name is None:
            raise ValueError(f'Layer "{self.name}": please provide a name for your metric like '
                             "`self.add_metric(K.sum(inputs), name='mean_activation')`")
        if isinstance(value, KerasTensor):
            if not getattr(self, "_is_graph_network", False):
                raise ValueError(f'Layer "{self.name}": add_metric() received the symbolic tensor {value!r}; '
                                 "symbolic metrics can be added to a functional Model only.")
            from fastkeras.engine.op_layer import add_symbolic_metric
            add_symbolic_metric(self, value, name)
            return
        if K.is_shape_only(value):
            return  # a call during shape inference
        metric = self._metric_named(name)
        if metric is None:
            from fastkeras import metrics as metrics_module
            metric = metrics_module.Mean(name=name)
            self.__dict__.setdefault("_tracked_metrics", []).append(metric)
        with K.no_grad():
            metric.update_state(K.stop_gradient(value))

    def _metric_named(self, name):
        """This layer's own metric called ``name`` (None if it has none). As in tf-keras, a value added under
        the name of a Metric attribute updates that metric, and two metrics sharing the name are an error:
        their results would overwrite each other in the logs."""
        found = [m for m in self.__dict__.get("_tracked_metrics", ()) if m.name == name]
        if len(found) > 1:
            raise ValueError(f'Layer "{self.name}" has {len(found)} metrics named "{name}"; please give the '
                             "metrics it adds or keeps as attributes different names.")
        return found[0] if found else None

    def add_update(self, updates, inputs=None):
        """Keras 2's registration of state updates (``self.add_update([K.moving_average_update(...)], inputs)``).

        ``K.update``, ``K.moving_average_update`` and their kin write in place when they are called, so such
        updates have already happened when they get here; a zero-argument callable is called now, as tf-keras
        does, unless the layer is frozen (``trainable=False``). ``inputs`` (Keras 2's inputs the updates depend
        on) is accepted for Keras 2 code and has nothing left to decide.
        """
        for update in updates if isinstance(updates, (list, tuple)) else [updates]:
            if callable(update) and not K.is_tensor(update) and self.trainable:
                update()

    @property
    def updates(self):
        """Always empty, as in tf-keras: updates run when the layer runs, there is nothing left to apply."""
        import warnings
        warnings.warn("`layer.updates` will be removed in a future version. This property should not be used, as "
                      "updates are applied automatically.", stacklevel=2)
        return []

    def add_loss(self, losses, inputs=None, **kwargs):
        """Adds a loss tensor (or a list, or a zero-argument callable) to the training objective.

        Inside ``call``: a tensor computed from the call's inputs. Outside: a zero-argument callable (evaluated at
        every step, as a weight penalty), or on a functional model a symbolic tensor computed from the model's
        inputs, added to the graph and evaluated with every training step (Keras 2's
        ``model.add_loss(K.mean(...))``). ``inputs`` (Keras 2's conditional losses) changes nothing, as in
        tf-keras.
        """
        if kwargs:
            raise TypeError(f'Layer "{self.name}": unknown keyword arguments to add_loss(): {sorted(kwargs)}. It takes '
                            "`losses` (and Keras 2's `inputs`, which changes nothing).")
        for loss in losses if isinstance(losses, (list, tuple)) else [losses]:
            if isinstance(loss, KerasTensor):
                if getattr(self, "_is_graph_network", False):
                    from fastkeras.engine.op_layer import add_symbolic_losses
                    add_symbolic_losses(self, [loss])
                else:
                    # tf-keras keeps it too (it shows in `losses`; predict works) and fails when the model trains
                    # or evaluates, which fit/evaluate here refuse at their start (see refuse_symbolic_losses).
                    self.__dict__.setdefault("_symbolic_losses", []).append(loss)
                continue
            if K.is_shape_only(loss):
                continue  # a call during shape inference: nothing to add
            if callable(loss) and not K.is_tensor(loss):
                self._weight_regularizers.append((lambda _w, fn=loss: fn(), None))
            elif CONTEXT.losses is not None:
                CONTEXT.losses.append(loss)
            elif _inside_a_call():
                self._eager_losses = [loss if K.is_tensor(loss) else K.convert_to_tensor(loss, dtype=K.floatx())]
            else:
                # A value computed once would be a constant of every later step: tf-keras refuses it.
                raise ValueError(f'Layer "{self.name}": add_loss() outside call() expects a symbolic tensor (on a '
                                 "functional model) or a zero-argument callable returning the loss; received "
                                 f"{type(loss).__name__} {loss!r}. Please wrap your loss computation in a zero "
                                 "argument `lambda`.")

    @property
    def _pending_symbolic_losses(self):
        """Symbolic losses that add_loss() kept on a layer that is no functional model: nothing computes them."""
        return self.__dict__.get("_symbolic_losses", [])

    # ---- nodes: inputs and outputs of the graph ----------------------------------

    def _node_at(self, node_index, attr):
        if not self._inbound_nodes:
            raise RuntimeError(f'The layer "{self.name}" has never been called and thus has no defined {attr}.')
        if not -len(self._inbound_nodes) <= node_index < len(self._inbound_nodes):
            raise ValueError(f'Asked to get {attr} at node {node_index}, but the layer "{self.name}" has only '
                             f"{len(self._inbound_nodes)} inbound nodes.")
        return self._inbound_nodes[node_index]

    def get_input_at(self, node_index):
        return tree.unnest_single(self._node_at(node_index, "input").input_tensors)

    def get_output_at(self, node_index):
        return tree.unnest_single(self._node_at(node_index, "output").output_tensors)

    def get_input_shape_at(self, node_index):
        return self._node_at(node_index, "input shape").input_shapes

    def get_output_shape_at(self, node_index):
        return self._node_at(node_index, "output shape").output_shapes

    def get_input_mask_at(self, node_index):
        masks = [t._keras_mask for t in self._node_at(node_index, "input mask").input_tensors]
        return tree.unnest_single(masks)

    def get_output_mask_at(self, node_index):
        masks = [t._keras_mask for t in self._node_at(node_index, "output mask").output_tensors]
        return tree.unnest_single(masks)

    def _single_node_value(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f'Layer {self.name} is not connected, no {what} to return.')
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f'Layer {self.name} has multiple inbound nodes, hence the notion of "layer {what}" '
                                 f"is ill-defined. Use `get_{what}_at(node_index)` instead.")
        return self._inbound_nodes[0]

    @property
    def input(self):
        return tree.unnest_single(self._single_node_value("input").input_tensors)

    @property
    def output(self):
        return tree.unnest_single(self._single_node_value("output").output_tensors)

    @property
    def input_mask(self):
        return tree.unnest_single([t._keras_mask for t in self._single_node_value("input").input_tensors])

    @property
    def output_mask(self):
        return tree.unnest_single([t._keras_mask for t in self._single_node_value("output").output_tensors])

    @property
    def input_shape(self):
        return self._shared_shape("input", lambda node: node.input_shapes)

    @property
    def output_shape(self):
        return self._shared_shape("output", lambda node: node.output_shapes)

    def _shared_shape(self, what, get):
        if not self._inbound_nodes:
            if what == "input" and self._batch_input_shape is not None:
                return self._batch_input_shape
            raise AttributeError(f'The layer "{self.name}" has never been called and thus has no defined {what} shape.')
        shapes = {repr(get(node)) for node in self._inbound_nodes}
        if len(shapes) == 1:
            return get(self._inbound_nodes[0])
        raise AttributeError(f'The layer "{self.name}" has multiple inbound nodes, with different {what} shapes. '
                             f"Hence the notion of \"{what} shape\" is ill-defined for the layer. "
                             f"Use `get_{what}_shape_at(node_index)` instead.")

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}, built={self.built}>"


# The methods during which tf-keras' call context is open (a layer built by its first call is inside it too).
_CALL_CONTEXT_METHODS = frozenset({"call", "__call__", "build"})


def _inside_a_call():
    """Whether some layer's ``call`` (or ``__call__``, or the ``build`` it runs) is running: add_loss() then takes a
    computed tensor, as tf-keras accepts one inside its call context only. Asked only for an eager loss outside
    fit/evaluate (which collect losses themselves), so walking the stack costs nothing on the training path."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name in _CALL_CONTEXT_METHODS and isinstance(frame.f_locals.get("self"), Layer):
            return True
        frame = frame.f_back
    return False


def refuse_symbolic_losses(layers):
    """fit/evaluate/train_on_batch cannot compute a symbolic loss that add_loss() kept on a layer which is no
    functional model (tf-keras fails there with a TypeError): refuse it at the start, naming the layer."""
    for layer in layers:
        pending = getattr(layer, "_pending_symbolic_losses", None)
        if pending:
            raise TypeError(f'Layer "{layer.name}" ({type(layer).__name__}) holds the symbolic loss {pending[0]!r}, '
                            "added with add_loss() outside call(), and only a functional model can compute a "
                            "symbolic loss. Add it to the functional model built on these tensors "
                            "(model.add_loss(tensor)), or compute the loss inside the layer's call().")


def output_mask(layer, inputs, mask):
    """The mask ``layer`` passes on for ``inputs`` masked by ``mask``. As in tf-keras, a layer that neither supports
    masking nor defines its own ``compute_mask`` drops the mask (its ``compute_mask`` called directly with a mask
    raises TypeError, as Keras 2's does)."""
    if not layer.supports_masking and type(layer).compute_mask is Layer.compute_mask:
        return None
    return layer.compute_mask(inputs, mask)


def _dedup(weights):
    seen = set()
    out = []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def _is_shape(shape):
    return isinstance(shape, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in shape)


def _is_shape_or_shapes(value):
    return _is_shape(value) or (isinstance(value, (list, tuple)) and all(_is_shape(s) for s in value))


def _is_shape_list(shape):
    return isinstance(shape, list) and len(shape) > 0 and all(isinstance(s, (list, tuple)) or s is None for s in shape) \
        and any(isinstance(s, (list, tuple)) for s in shape)


def _has_unknown_dims(structure):
    return any(isinstance(t, KerasTensor) and None in t.shape for t in tree.flatten(structure))


def _reads_values(error):
    """Whether shape inference failed because ``call`` read a tensor's values (``int(t)``, ``.item()``)."""
    return isinstance(error, RuntimeError) and "cannot be called on meta tensors" in str(error)


def _meta_like(t, probe):
    return K.meta_tensor(tuple(probe if d is None else d for d in t.shape), t.dtype)


def stand_in_shape(t):
    """The shape of a tensor, with the sizes shape inference gives unknown dimensions (``_PROBE_SIZES``) read
    as unknown again when ``t`` is one of its stand-ins: what a layer built on it should record."""
    shape = tuple(t.shape)
    if not K.is_shape_only(t):
        return shape
    return tuple(None if d in _PROBE_SIZES else d for d in shape)


def _map_pair(fn, a, b):
    if isinstance(a, (list, tuple)):
        return type(a)(_map_pair(fn, x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: _map_pair(fn, a[k], b[k]) for k in a}
    return fn(a, b)


def _to_tensor(x):
    if K.is_tensor(x) or x is None:
        return x
    if isinstance(x, KerasTensor):
        return x
    if isinstance(x, np.ndarray):  # a copy: a call changing its input in place must not touch the caller's array
        x = np.array(x)
    return K.convert_to_tensor(x)


__all__ = ["Layer", "InputSpec"]
