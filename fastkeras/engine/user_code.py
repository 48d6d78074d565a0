"""Whether any of the user's own code runs on a model's input tensors.

fit/evaluate/predict slice a batch out of the user's arrays. A slice of a NumPy array (or of the one device
copy made per fit) is a view of it, and a layer that changes its input in place (``inputs -= mean``, idiomatic
with TensorFlow's immutable tensors) would write through the view into the user's data, which Keras never
does. fastkeras' own layers never write into their inputs (tests/engine/test_batch_views.py checks them), so
a batch only needs a private copy when the model holds code that fastkeras did not write: a layer, cell or
model class defined elsewhere, a Lambda's function, a custom activation. For the seeds' models the copy was
a fifth of the step on the CPU (siamese_lstm: 20 against 16 ms, and 10 MiB more peak memory), so it is made
only where it can matter.
"""
import functools
import types


def _is_ours(module):
    return module == "fastkeras" or (module or "").startswith("fastkeras.")


def _foreign_callable(value):
    """Whether ``value`` is code from outside fastkeras: a Python function (or bound method, or partial of
    one), or a callable object such as a wrapped ``torch.nn.ReLU(inplace=True)``. Classes are left out
    (making one touches no tensor), and so are C builtins such as ``torch.relu``, which never write in place
    unless their name says so."""
    while isinstance(value, functools.partial):
        value = value.func
    if isinstance(value, types.MethodType):
        value = value.__func__
    if isinstance(value, types.FunctionType):
        return not _is_ours(value.__module__)
    if isinstance(value, type) or not callable(value):
        return False
    return not _is_ours(type(value).__module__) and type(value).__module__ != "builtins"


# Attribute types that are never callable: most of a layer's attributes (sizes, names, flags, weight lists), so
# skipping them by an exact type test keeps this walk cheap enough for every train_on_batch.
_NEVER_CALLABLE = frozenset((int, float, bool, str, type(None), tuple, list, dict, set))


def _runs_foreign_code(layer):
    if not _is_ours(type(layer).__module__):
        return True
    # A Lambda's function, a custom activation or anything else callable the user handed the layer.
    return any(_foreign_callable(value) for value in vars(layer).values() if type(value) not in _NEVER_CALLABLE)


def may_write_into_inputs(model):
    """Whether ``model`` (or any layer, cell or model inside it) runs code from outside fastkeras, which
    might change its input tensors in place."""
    from fastkeras.engine.training import _flatten_layers
    return any(_runs_foreign_code(layer) for layer in _flatten_layers(model))
