"""The step functions of tf-keras' ``Model.make_train_function()`` / ``make_test_function()`` /
``make_predict_function()``, and Keras 2.2-2.3's ``_make_train_function()`` ... names for building them.

Each function takes an iterator of batches (``x``, ``(x, y)`` or ``(x, y, sample_weight)``, as ``fit`` reads
them), runs one step on the next batch and returns what tf-keras' returns: the logs so far (train and test,
whose metrics accumulate over calls until ``reset_metrics()``), or the outputs (predict). The model keeps the
function as ``model.train_function`` (``test_function``, ``predict_function``) until ``force=True`` rebuilds it.
"""
from fastkeras.utils.data_tuples import unpack_x_y_sample_weight


def _train_function(model):
    def train_function(iterator):
        x, y, sample_weight = unpack_x_y_sample_weight(next(iterator))
        return model.train_on_batch(x, y, sample_weight=sample_weight, reset_metrics=False, return_dict=True)
    return train_function


def _test_function(model):
    def test_function(iterator):
        x, y, sample_weight = unpack_x_y_sample_weight(next(iterator))
        return model.test_on_batch(x, y, sample_weight=sample_weight, reset_metrics=False, return_dict=True)
    return test_function


def _predict_function(model):
    def predict_function(iterator):
        x, _, _ = unpack_x_y_sample_weight(next(iterator))
        return model.predict_on_batch(x)
    return predict_function


_BUILDERS = {"train": _train_function, "test": _test_function, "predict": _predict_function}


def make(model, kind, force=False):
    """``model.<kind>_function``, built on first use (or again with ``force``)."""
    attribute = f"{kind}_function"
    existing = model.__dict__.get(attribute)
    if existing is not None and not force:
        return existing
    if kind != "predict" and getattr(model, "_trainer", None) is None:
        raise RuntimeError(f'You must compile model "{model.name}" before make_{kind}_function(): call '
                           "`model.compile(optimizer, loss)` first.")
    function = _BUILDERS[kind](model)
    model.__dict__[attribute] = function
    return function
