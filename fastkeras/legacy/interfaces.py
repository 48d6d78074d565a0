"""Keras 1 argument names on Keras 2 layers, converted as multi-backend Keras 2.0-2.3.1 converted them.

``Dense(output_dim=2, init='normal')`` builds ``Dense(units=2, kernel_initializer='normal')`` and warns
``Update your `Dense` call to the Keras 2 API: `Dense(units=2, kernel_initializer="normal")```. tf-keras
dropped the old names (they raise TypeError there), so reading them changes no call that tf-keras runs.

A layer takes its family's conversions through a decorator on ``__init__`` (``@keras1.dense``). A call with
Keras 2 keywords only costs one set test. These decorators read keywords only: a positional form that tf-keras
gives a meaning keeps it (``Conv2D(5, 3, 3)`` has strides=3). Keras 1's positional forms are read where the
call names a Keras 1 class (``Convolution2D(5, 3, 3)``), see ``keras1_class``.

Code written against Keras 2.3.1's ``keras.legacy.interfaces`` finds its names here too
(``generate_legacy_interface``, ``legacy_conv2d_support``, ``conv2d_args_preprocessor``...), with 2.3.1's
protocol: a preprocessor takes ``(args, kwargs)`` with ``self`` as ``args[0]`` and returns
``(args, kwargs, converted)``.
"""
import functools
import inspect
import warnings

import numpy as np

# ---- the tables: (Keras 1 name, Keras 2 name) ---------------------------------------------------------------

_DIM_ORDERING = {"dim_ordering": {"tf": "channels_last", "th": "channels_first", "default": None}}
_CONSUME_LESS = {"consume_less": {"cpu": 0, "mem": 1, "gpu": 2}}

_KERNEL_AND_BIAS = (("init", "kernel_initializer"), ("W_regularizer", "kernel_regularizer"),
                    ("b_regularizer", "bias_regularizer"), ("W_constraint", "kernel_constraint"),
                    ("b_constraint", "bias_constraint"), ("bias", "use_bias"))
DENSE = (("output_dim", "units"),) + _KERNEL_AND_BIAS
DROPOUT = (("p", "rate"),)
SPATIAL_DROPOUT = (("p", "rate"), ("dim_ordering", "data_format"))
GAUSSIAN_NOISE = (("sigma", "stddev"),)
EMBEDDING = (("init", "embeddings_initializer"), ("W_regularizer", "embeddings_regularizer"),
             ("W_constraint", "embeddings_constraint"))
PRELU = (("init", "alpha_initializer"),)
RECURRENT = (("output_dim", "units"), ("init", "kernel_initializer"), ("inner_init", "recurrent_initializer"),
             ("inner_activation", "recurrent_activation"), ("W_regularizer", "kernel_regularizer"),
             ("b_regularizer", "bias_regularizer"), ("U_regularizer", "recurrent_regularizer"),
             ("dropout_W", "dropout"), ("dropout_U", "recurrent_dropout"), ("consume_less", "implementation"))
POOLING1D = (("pool_length", "pool_size"), ("stride", "strides"), ("border_mode", "padding"))
POOLING = (("border_mode", "padding"), ("dim_ordering", "data_format"))
DATA_FORMAT = (("dim_ordering", "data_format"),)
UPSAMPLING1D = (("length", "size"),)
CONV1D = (("nb_filter", "filters"), ("filter_length", "kernel_size"), ("subsample_length", "strides"),
          ("border_mode", "padding")) + _KERNEL_AND_BIAS
CONV = (("nb_filter", "filters"), ("subsample", "strides"), ("border_mode", "padding"),
        ("dim_ordering", "data_format")) + _KERNEL_AND_BIAS
SEPARABLE_CONV = (("nb_filter", "filters"), ("subsample", "strides"), ("border_mode", "padding"),
                  ("dim_ordering", "data_format"), ("b_regularizer", "bias_regularizer"),
                  ("b_constraint", "bias_constraint"), ("bias", "use_bias"))
CONV_LSTM = (("nb_filter", "filters"), ("subsample", "strides"), ("border_mode", "padding"),
             ("dim_ordering", "data_format"), ("init", "kernel_initializer"), ("inner_init", "recurrent_initializer"),
             ("W_regularizer", "kernel_regularizer"), ("U_regularizer", "recurrent_regularizer"),
             ("b_regularizer", "bias_regularizer"), ("inner_activation", "recurrent_activation"),
             ("dropout_W", "dropout"), ("dropout_U", "recurrent_dropout"), ("bias", "use_bias"))
BATCH_NORMALIZATION = (("beta_init", "beta_initializer"), ("gamma_init", "gamma_initializer"))
ATROUS = (("atrous_rate", "dilation_rate"),)

# Keywords that only Keras 2 has: a call naming one is a Keras 2 call, whatever its class name.
_KERAS2_CONV_KEYWORDS = frozenset({"padding", "strides", "data_format"})


def raise_duplicate_arg_error(old_arg, new_arg, layer=None):
    raise TypeError(f"{f'`{layer}`' if layer else 'The layer'} received both the Keras 1 argument `{old_arg}` and "
                    f"its Keras 2 name `{new_arg}`: pass only `{new_arg}`.")


def _name(args):
    """The class name of the layer a preprocessor converts for (None before the layer exists)."""
    return type(args[0]).__name__ if args and args[0] is not None else None


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _chain(*preprocessors):
    def preprocess(args, kwargs):
        converted = []
        for preprocessor in preprocessors:
            args, kwargs, more = preprocessor(args, kwargs)
            converted += more
        return args, kwargs, converted
    return preprocess


# ---- preprocessors: what a rename cannot say ----------------------------------------------------------------
# Each takes and returns args with the layer (or None, before one exists) first. A string in `converted` is
# a sentence the warning adds.

def _kernel_from_dims(dims):
    """Keras 1 gave each kernel dimension its own argument (nb_row, nb_col; kernel_dim1..3), the leading
    ones possibly positional after nb_filter: ``Conv2D(5, 3, nb_col=3)`` has kernel_size (3, 3)."""
    def preprocess(args, kwargs):
        named = tuple(d for d in dims if d in kwargs)
        if not named:
            return args, kwargs, []
        if "kernel_size" in kwargs:
            raise_duplicate_arg_error(named[0], "kernel_size", _name(args))
        leading = tuple(args[2:])
        if named != dims[len(leading):] or not all(_is_int(d) for d in leading):
            raise TypeError(f"Keras 1's kernel dimensions {', '.join(dims)} come in this order, positionally after "
                            f"nb_filter or by keyword; received {list(leading)} positionally and "
                            f"{', '.join(named)} by keyword.")
        kernel_size = leading + tuple(kwargs.pop(d) for d in named)
        if len(args) >= 2:
            args = tuple(args[:2]) + (kernel_size,)
        else:
            kwargs["kernel_size"] = kernel_size
        return args, kwargs, [("kernel_size", "/".join(dims))]
    return preprocess


def _positional_kernel(rank, output_shape_follows=False):
    """Keras 1's ``Convolution2D(nb_filter, nb_row, nb_col)`` (rank ints after nb_filter) -> kernel_size.
    A call that also names padding, strides or data_format is a Keras 2 call and is left alone, so
    ``Convolution2D(64, 3, 2, padding='same')`` keeps tf-keras' strides=2 (Keras 2.3.1 refused it)."""
    def preprocess(args, kwargs):
        dims = tuple(args[2:2 + rank])
        if len(dims) < rank or not all(_is_int(d) for d in dims) or not _KERAS2_CONV_KEYWORDS.isdisjoint(kwargs):
            return args, kwargs, []
        rest = tuple(args[2 + rank:])
        converted = [("kernel_size", "nb_row/nb_col" if rank == 2 else "kernel_dim*")]
        if output_shape_follows and rest and isinstance(rest[0], (tuple, list)):
            rest = rest[1:]
            converted.append(_OUTPUT_SHAPE_NOTE)
        if rest:
            raise TypeError(f"In Keras 1's form (nb_filter and {rank} kernel dimensions positionally), the "
                            f"other arguments go by keyword; received {list(rest)} positionally after them.")
        return tuple(args[:2]) + (dims,), kwargs, converted
    return preprocess


_OUTPUT_SHAPE_NOTE = "(`output_shape` was dropped: Conv2DTranspose computes its output shape.)"


def _drop_output_shape(args, kwargs):
    if "output_shape" not in kwargs:
        return args, kwargs, []
    kwargs.pop("output_shape")
    return args, kwargs, [_OUTPUT_SHAPE_NOTE]


def _drop_embedding_dropout(args, kwargs):
    if "dropout" not in kwargs:
        return args, kwargs, []
    kwargs.pop("dropout")
    return args, kwargs, ["(`dropout` was dropped: put a SpatialDropout1D layer after the Embedding layer for the "
                          "same effect.)"]


def _forget_bias_init(args, kwargs):
    """'one' is ``unit_forget_bias=True``; any other value is ignored, as Keras 2.3.1 did."""
    if "forget_bias_init" not in kwargs:
        return args, kwargs, []
    value = kwargs.pop("forget_bias_init")
    if value in ("one", "ones"):
        if "unit_forget_bias" in kwargs:
            raise_duplicate_arg_error("forget_bias_init", "unit_forget_bias", _name(args))
        kwargs["unit_forget_bias"] = True
        return args, kwargs, [("unit_forget_bias", "forget_bias_init")]
    return args, kwargs, [f"(`forget_bias_init={value!r}` was ignored: `unit_forget_bias=True`, the default, starts "
                          "the forget gate's bias at one.)"]


def _separable_init(args, kwargs):
    """Keras 1's one ``init`` initialized both kernels."""
    if "init" not in kwargs:
        return args, kwargs, []
    for new in ("depthwise_initializer", "pointwise_initializer"):
        if new in kwargs:
            raise_duplicate_arg_error("init", new, _name(args))
    kwargs["depthwise_initializer"] = kwargs["pointwise_initializer"] = kwargs.pop("init")
    return args, kwargs, [("depthwise_initializer/pointwise_initializer", "init")]


def _batchnorm_mode(args, kwargs):
    if "mode" not in kwargs:
        return args, kwargs, []
    mode = kwargs.pop("mode")
    if mode != 0:
        raise TypeError(f"BatchNormalization's `mode` is gone from Keras 2, and with it modes 1 and 2: only mode=0 "
                        f"(the Keras 2 behaviour) is accepted. Received: mode={mode!r}.")
    return args, kwargs, [("mode", None)]


def _sequence_input(args, kwargs):
    """Keras 1's ``input_dim`` (channels) and ``input_length`` (steps) of a sequence -> input_shape."""
    if "input_dim" not in kwargs and "input_length" not in kwargs:
        return args, kwargs, []
    if "input_shape" in kwargs:
        raise_duplicate_arg_error("input_dim" if "input_dim" in kwargs else "input_length", "input_shape",
                                  _name(args))
    kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim", None))
    return args, kwargs, [("input_shape", "input_dim/input_length")]


def _input_length(args, kwargs):
    """On a Keras 2 Conv1D, ``input_dim`` alone keeps tf-keras' meaning; with ``input_length``, which tf-keras
    refuses there, the pair is Keras 1's sequence shape."""
    if "input_length" not in kwargs:
        return args, kwargs, []
    return _sequence_input(args, kwargs)


def _padding_dict(args, kwargs):
    """Keras 1's ``padding={'top_pad': 1, ...}`` -> ((top, bottom), (left, right))."""
    def pairs(padding):
        return ((padding.get("top_pad", 0), padding.get("bottom_pad", 0)),
                (padding.get("left_pad", 0), padding.get("right_pad", 0)))
    keys = {"top_pad", "bottom_pad", "left_pad", "right_pad"}
    padding = kwargs.get("padding")
    if isinstance(padding, dict) and set(padding) <= keys:
        kwargs["padding"] = pairs(padding)
        return args, kwargs, [("padding", "padding dict")]
    if len(args) >= 2 and isinstance(args[1], dict) and set(args[1]) <= keys:
        return (args[0], pairs(args[1])) + tuple(args[2:]), kwargs, [("padding", "padding dict")]
    return args, kwargs, []


# ---- the conversion -----------------------------------------------------------------------------------------

_POSITIONAL_NAMES = {}


def _positional_names(func):
    names = _POSITIONAL_NAMES.get(func)
    if names is None:
        names = tuple(p.name for p in inspect.signature(func).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        _POSITIONAL_NAMES[func] = names
    return names


def _shown(value):
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, np.ndarray):
        return "array"
    text = repr(value)
    return text if len(text) <= 30 else text[:30] + "..."


def _convert(name, func, args, kwargs, renames, values, preprocessor, converted=(), always_warn=False):
    """(args, kwargs) for ``func`` in Keras 2 names, and the warning that shows the Keras 2 call."""
    converted = list(converted)
    if preprocessor is not None:
        args, kwargs, more = preprocessor(args, kwargs)
        converted += more
    for key, table in values.items():
        value = kwargs.get(key)
        if isinstance(value, str) and value in table:
            kwargs[key] = table[value]
    renamed = {old: new for old, new in renames if old in kwargs}
    if renamed:
        positional = _positional_names(func)[:len(args)]
        for old, new in renamed.items():
            if new in kwargs or new in positional:
                raise_duplicate_arg_error(old, new, name)
            converted.append((new, old))
        kwargs = {renamed.get(key, key): value for key, value in kwargs.items()}  # in the order given
    if converted or always_warn:
        call = ", ".join([_shown(a) for a in args[1:]] + [f"{k}={_shown(v)}" for k, v in kwargs.items()])
        notes = "".join(" " + c for c in converted if isinstance(c, str))
        warnings.warn(f"Update your `{name}` call to the Keras 2 API: `{name}({call})`{notes}", UserWarning,
                      stacklevel=3)
    return args, kwargs


def _decorator(renames, values=None, preprocessor=None, watch=(), allowed_positional_args=None,
               object_type="class"):
    """A decorator for ``__init__`` (or a method) that converts the Keras 1 arguments before the call.
    ``watch``: the keywords that can need a conversion besides the renamed ones; None: every call does."""
    renames, values = tuple(renames), dict(values or {})
    if watch is not None:
        watch = frozenset(watch) | {old for old, _ in renames} | set(values)
    most = None if allowed_positional_args is None else len(allowed_positional_args)

    def legacy_support(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if watch is None or (kwargs and not watch.isdisjoint(kwargs)):
                name = type(args[0]).__name__ if object_type == "class" else func.__name__
                args, kwargs = _convert(name, func, args, kwargs, renames, values, preprocessor)
            if most is not None and len(args) > most + 1:
                name = type(args[0]).__name__ if object_type == "class" else func.__name__
                raise TypeError(f"`{name}` takes at most {most} positional arguments "
                                f"{tuple(allowed_positional_args)}; received {list(args[1:])}.")
            return func(*args, **kwargs)

        # getfullargspec (auto-config, has_arg) does not follow __wrapped__: give it the real signature.
        wrapper.__signature__ = inspect.signature(func)
        wrapper._keras1_conversion = (func, renames, values, preprocessor)
        return wrapper
    return legacy_support


# ---- fastkeras' layers: keywords only -----------------------------------------------------------------------

dense = _decorator(DENSE)
dropout = _decorator(DROPOUT)
spatial_dropout = _decorator(SPATIAL_DROPOUT, _DIM_ORDERING)
gaussian_noise = _decorator(GAUSSIAN_NOISE)
embedding = _decorator(EMBEDDING, preprocessor=_drop_embedding_dropout, watch={"dropout"})
prelu = _decorator(PRELU)
recurrent = _decorator(RECURRENT, _CONSUME_LESS)
lstm = _decorator(RECURRENT, _CONSUME_LESS, _forget_bias_init, watch={"forget_bias_init"})
pooling1d = _decorator(POOLING1D)
pooling = _decorator(POOLING, _DIM_ORDERING)
data_format = _decorator(DATA_FORMAT, _DIM_ORDERING)
upsampling1d = _decorator(UPSAMPLING1D)
zero_padding2d = _decorator(DATA_FORMAT, _DIM_ORDERING, _padding_dict, watch=None)
batch_normalization = _decorator(BATCH_NORMALIZATION, preprocessor=_batchnorm_mode, watch={"mode"})
conv1d = _decorator(CONV1D, preprocessor=_input_length, watch={"input_length"})
conv2d = _decorator(CONV, _DIM_ORDERING, _kernel_from_dims(("nb_row", "nb_col")), watch={"nb_row", "nb_col"})
conv2d_transpose = _decorator(CONV, _DIM_ORDERING, _chain(_drop_output_shape, _kernel_from_dims(("nb_row", "nb_col"))),
                              watch={"nb_row", "nb_col", "output_shape"})
separable_conv2d = _decorator(SEPARABLE_CONV, _DIM_ORDERING,
                              _chain(_separable_init, _kernel_from_dims(("nb_row", "nb_col"))),
                              watch={"init", "nb_row", "nb_col"})
conv3d = _decorator(CONV, _DIM_ORDERING, _kernel_from_dims(("kernel_dim1", "kernel_dim2", "kernel_dim3")),
                    watch={"kernel_dim1", "kernel_dim2", "kernel_dim3"})
conv_lstm = _decorator(CONV_LSTM, _DIM_ORDERING, _chain(_forget_bias_init, _kernel_from_dims(("nb_row", "nb_col"))),
                       watch={"forget_bias_init", "nb_row", "nb_col"})


# ---- Keras 1 class names --------------------------------------------------------------------------------------

class _Keras1ClassName(type):
    """The type of a Keras 1 class name: isinstance() and issubclass() answer for the Keras 2 class it makes,
    as they did when the name was a plain alias. A user's subclass of it is an ordinary class."""

    def __instancecheck__(cls, instance):
        keras2_class = cls.__dict__.get("_keras2_class")
        return isinstance(instance, keras2_class) if keras2_class else type.__instancecheck__(cls, instance)

    def __subclasscheck__(cls, subclass):
        keras2_class = cls.__dict__.get("_keras2_class")
        return issubclass(subclass, keras2_class) if keras2_class else type.__subclasscheck__(cls, subclass)


# name: (what its positional form and own keywords mean, its own renames, whether the name itself is gone from
# Keras 2 so that every call warns)
_KERAS1_CLASSES = {
    "Convolution1D": (_sequence_input, (), False),
    "Convolution2D": (_positional_kernel(2), (), False),
    "Convolution3D": (_positional_kernel(3), (), False),
    "SeparableConvolution2D": (_positional_kernel(2), (), False),
    "Deconvolution2D": (_positional_kernel(2, output_shape_follows=True), (), False),
    "AtrousConvolution1D": (_sequence_input, ATROUS, True),
    "AtrousConvolution2D": (_positional_kernel(2), ATROUS, True),
}


def keras1_class(name, keras2_class):
    """The Keras 1 class ``name``: its calls read Keras 1's positional form and keywords and return a
    ``keras2_class`` layer, so ``Convolution2D(5, 3, 3)`` is ``Conv2D(5, (3, 3))`` and is saved as a Conv2D.
    A Keras 1 ``input_dim`` of a 1D convolution is its channels: ``input_shape=(input_length, input_dim)``."""
    preprocessor, renames, always_warn = _KERAS1_CLASSES[name]
    func, own_renames, values, own_preprocessor = keras2_class.__init__._keras1_conversion
    renames = renames + own_renames

    def __new__(cls, *args, **kwargs):
        if cls is not keras1:
            return super(keras1, cls).__new__(cls, *args, **kwargs)
        args, converted = (None,) + args, []
        if preprocessor is not None:
            args, kwargs, converted = preprocessor(args, kwargs)
        args, kwargs = _convert(keras2_class.__name__, func, args, kwargs, renames, values, own_preprocessor,
                                converted, always_warn)
        return keras2_class(*args[1:], **kwargs)

    keras1 = _Keras1ClassName(name, (keras2_class,), {
        "__new__": __new__, "__module__": keras2_class.__module__, "__qualname__": name,
        "_keras2_class": keras2_class,
        "__doc__": f"Keras 1's name for {keras2_class.__name__}: takes Keras 1's arguments (positional forms "
                   f"included) and makes a {keras2_class.__name__} layer."})
    return keras1


# ---- Keras 2.3.1's public names, for code that imports them ----------------------------------------------------

def generate_legacy_interface(allowed_positional_args=None, conversions=None, preprocessor=None,
                              value_conversions=None, object_type="class"):
    """Keras 2.3.1's decorator factory: ``conversions`` as (old, new) pairs, ``value_conversions`` as
    {argument: {old value: new value}}, ``preprocessor(args, kwargs) -> (args, kwargs, converted)``."""
    return _decorator(conversions or (), value_conversions, preprocessor,
                      watch=None if preprocessor is not None else (),
                      allowed_positional_args=allowed_positional_args, object_type=object_type)


def recurrent_args_preprocessor(args, kwargs):
    args, kwargs, converted = _forget_bias_init(args, kwargs)
    if "input_dim" not in kwargs:
        return args, kwargs, converted
    args, kwargs, more = _sequence_input(args, kwargs)
    return args, kwargs, converted + more


def embedding_kwargs_preprocessor(args, kwargs):
    return _drop_embedding_dropout(args, kwargs)


def conv1d_args_preprocessor(args, kwargs):
    if "input_dim" not in kwargs:
        return args, kwargs, []
    return _sequence_input(args, kwargs)


conv2d_args_preprocessor = _chain(_positional_kernel(2), _kernel_from_dims(("nb_row", "nb_col")))
separable_conv2d_args_preprocessor = _chain(_separable_init, conv2d_args_preprocessor)
deconv2d_args_preprocessor = _chain(_drop_output_shape, _positional_kernel(2, output_shape_follows=True),
                                    _kernel_from_dims(("nb_row", "nb_col")))
conv3d_args_preprocessor = _chain(_positional_kernel(3),
                                  _kernel_from_dims(("kernel_dim1", "kernel_dim2", "kernel_dim3")))
convlstm2d_args_preprocessor = _chain(_forget_bias_init, conv2d_args_preprocessor)
batchnorm_args_preprocessor = _batchnorm_mode
zeropadding2d_args_preprocessor = _padding_dict

_FILTERS_KERNEL = ["filters", "kernel_size"]
legacy_dense_support = generate_legacy_interface(["units"], DENSE)
legacy_dropout_support = generate_legacy_interface(["rate", "noise_shape", "seed"], DROPOUT)
legacy_embedding_support = generate_legacy_interface(["input_dim", "output_dim"], EMBEDDING,
                                                     embedding_kwargs_preprocessor)
legacy_pooling1d_support = generate_legacy_interface(["pool_size", "strides", "padding"], POOLING1D)
legacy_prelu_support = generate_legacy_interface(["alpha_initializer"], PRELU)
legacy_gaussiannoise_support = generate_legacy_interface(["stddev"], GAUSSIAN_NOISE)
legacy_recurrent_support = generate_legacy_interface(["units"], RECURRENT, recurrent_args_preprocessor,
                                                     _CONSUME_LESS)
legacy_gaussiandropout_support = generate_legacy_interface(["rate"], DROPOUT)
legacy_pooling2d_support = legacy_pooling3d_support = generate_legacy_interface(
    ["pool_size", "strides", "padding"], POOLING, value_conversions=_DIM_ORDERING)
legacy_global_pooling_support = generate_legacy_interface(conversions=DATA_FORMAT, value_conversions=_DIM_ORDERING)
legacy_upsampling1d_support = generate_legacy_interface(["size"], UPSAMPLING1D)
legacy_upsampling2d_support = legacy_upsampling3d_support = generate_legacy_interface(
    ["size"], DATA_FORMAT, value_conversions=_DIM_ORDERING)
legacy_conv1d_support = generate_legacy_interface(_FILTERS_KERNEL, CONV1D, conv1d_args_preprocessor)
legacy_conv2d_support = generate_legacy_interface(_FILTERS_KERNEL, CONV, conv2d_args_preprocessor, _DIM_ORDERING)
legacy_separable_conv2d_support = generate_legacy_interface(_FILTERS_KERNEL, SEPARABLE_CONV,
                                                            separable_conv2d_args_preprocessor, _DIM_ORDERING)
legacy_deconv2d_support = generate_legacy_interface(_FILTERS_KERNEL, CONV, deconv2d_args_preprocessor, _DIM_ORDERING)
legacy_conv3d_support = generate_legacy_interface(_FILTERS_KERNEL, CONV, conv3d_args_preprocessor, _DIM_ORDERING)
legacy_convlstm2d_support = generate_legacy_interface(_FILTERS_KERNEL, CONV_LSTM, convlstm2d_args_preprocessor,
                                                      _DIM_ORDERING)
legacy_batchnorm_support = generate_legacy_interface([], BATCH_NORMALIZATION, batchnorm_args_preprocessor)
legacy_zeropadding2d_support = generate_legacy_interface(["padding"], DATA_FORMAT, zeropadding2d_args_preprocessor,
                                                         _DIM_ORDERING)
legacy_zeropadding3d_support = generate_legacy_interface(["padding"], DATA_FORMAT, value_conversions=_DIM_ORDERING)
legacy_cropping2d_support = legacy_cropping3d_support = generate_legacy_interface(
    ["cropping"], DATA_FORMAT, value_conversions=_DIM_ORDERING)
legacy_spatialdropout1d_support = generate_legacy_interface(["rate"], DROPOUT)
legacy_spatialdropoutNd_support = generate_legacy_interface(["rate"], SPATIAL_DROPOUT,  # noqa: N816
                                                            value_conversions=_DIM_ORDERING)
