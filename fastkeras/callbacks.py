"""Keras 2 callbacks: the ``Callback`` protocol, ``CallbackList`` and the built-in callbacks.

The training loop drives a :class:`CallbackList` exactly as tf-keras 2.x's
``fit`` does::

    callbacks = CallbackList(user_callbacks, add_history=True, add_progbar=verbose != 0,
                             model=model, verbose=verbose, epochs=epochs, steps=steps_per_epoch)
    train_batch_logs = callbacks.needs_batch_logs("train")
    callbacks.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        callbacks.on_epoch_begin(epoch)
        for step, batch in enumerate(batches):
            if train_batch_logs:
                callbacks.on_train_batch_begin(step)
            ...train step...
            if train_batch_logs:
                callbacks.on_train_batch_end(step, logs)   # engine tensors are fine
            if model.stop_training: break
        callbacks.on_epoch_end(epoch, epoch_logs)
        if model.stop_training: break
    callbacks.on_train_end(epoch_logs)

Log values may be engine tensors (or zero-argument callables returning one):
callbacks that declare ``_supports_tf_logs = True`` (the progress bar,
ModelCheckpoint, TerminateOnNaN) receive them as they are and read them only
when needed; every other callback receives Python numbers (numpy arrays for
non-scalars), as in tf-keras.
"""
import collections
import collections.abc
import csv
import io
import os
import re
import string
import time
import warnings

import numpy as np

from fastkeras import backend as K
from fastkeras.saving import remote
from fastkeras.utils.io_utils import print_msg  # stdout, or the logger when interactive logging is off
from fastkeras.utils.progbar import Progbar, is_dynamic_display, read_value

__all__ = [
    "Callback", "CallbackList", "BaseLogger", "History", "ProgbarLogger", "ModelCheckpoint", "EarlyStopping",
    "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger", "TerminateOnNaN", "LambdaCallback", "TensorBoard",
    "BackupAndRestore", "RemoteMonitor", "SwapEMAWeights", "experimental",
]


# ---- helpers ---------------------------------------------------------------------------



def _warn(message):
    warnings.warn(message, stacklevel=3)


# Keras 2.0-2.2 logged metrics=['accuracy'] as 'acc' (and 'crossentropy' as 'ce'); Keras 2.3 and tf-keras log the
# name as given. Code of that era reads history.history['acc'] and monitors 'val_acc'.
_KERAS22_SUFFIXES = (("acc", "accuracy"), ("ce", "crossentropy"))


def keras22_metric_name(name, available):
    """The logged name that Keras 2.2's ``name`` ('acc', 'val_acc', 'out_acc', 'ce' ...) stands for, when only
    the Keras 2.3+ name is in ``available``; else None."""
    if not isinstance(name, str):
        return None
    for old, new in _KERAS22_SUFFIXES:
        if name == old or name.endswith("_" + old):
            renamed = name[:-len(old)] + new
            if renamed in available:
                return renamed
    return None


class _HistoryDict(dict):
    """``history.history``: a plain dict, but indexing it with Keras 2.2's names ('acc', 'val_acc') finds the
    lists logged under Keras 2.3+'s ('accuracy', 'val_accuracy'), so plotting code of that era keeps working."""

    def __missing__(self, key):
        renamed = keras22_metric_name(key, self)
        if renamed is None:
            raise KeyError(key)
        return self[renamed]


def _monitored(callback, logs):
    """``logs[callback.monitor]``, or the value Keras 2.2's name for it stands for (said once per callback)."""
    value = logs.get(callback.monitor)
    if value is None:
        renamed = keras22_metric_name(callback.monitor, logs)
        if renamed is not None:
            if not getattr(callback, "_said_keras22_name", False):
                callback._said_keras22_name = True
                _warn(f"{type(callback).__name__}: monitoring `{renamed}` for `{callback.monitor}`: Keras 2.3 and "
                      f"later log the metric as `{renamed}`. Pass monitor='{renamed}' to silence this.")
            value = logs.get(renamed)
    return value


def _to_python(value):
    """Python scalar for a scalar tensor / numpy value / callable, numpy array otherwise."""
    value = read_value(value)
    if isinstance(value, (np.ndarray, np.generic)):
        return value.item() if np.ndim(value) == 0 else value
    return value


def _sync_logs(logs):
    """A copy of ``logs`` with every engine value read back to the host."""
    if isinstance(logs, dict):
        return {k: _sync_logs(v) for k, v in logs.items()}
    if isinstance(logs, (list, tuple)):
        return type(logs)(_sync_logs(v) for v in logs)
    return _to_python(logs)


def _numpy_scalar(value):
    """``K.get_value`` result as tf-keras gives it: a numpy scalar (np.float32) for 0-d values."""
    value = K.get_value(value)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def _flatten(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, CallbackList):
        return list(callbacks.callbacks)
    if isinstance(callbacks, (list, tuple)):
        out = []
        for cb in callbacks:
            out.extend(_flatten(cb))
        return out
    return [callbacks]


def _default(method):
    """Marks a hook of the base class, to detect which hooks a subclass overrides."""
    method._is_default = True
    return method


def _is_default(method):
    return getattr(method, "_is_default", False)


# ---- learning rate access --------------------------------------------------------------

def _optimizer(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("The model has no optimizer: compile it before using a learning-rate callback.")
    return optimizer


def _lr_attribute(optimizer):
    for name in ("lr", "learning_rate"):
        if hasattr(optimizer, name):
            return name
    if hasattr(optimizer, "param_groups"):  # a raw torch optimizer
        return None
    raise ValueError('Optimizer must have a "lr" attribute.')


def get_learning_rate(optimizer):
    """The optimizer's learning rate as a numpy scalar (``K.get_value(optimizer.lr)``)."""
    name = _lr_attribute(optimizer)
    if name is None:
        return np.float32(optimizer.param_groups[0]["lr"])
    return _numpy_scalar(getattr(optimizer, name))


def set_learning_rate(optimizer, value):
    """Writes ``value`` into ``optimizer.lr`` (or ``learning_rate``) in place (``K.set_value``)."""
    name = _lr_attribute(optimizer)
    if name is None:
        for group in optimizer.param_groups:
            group["lr"] = float(value)
        return
    current = getattr(optimizer, name)
    if K.is_tensor(current) or K.is_variable(current):
        K.set_value(current, np.asarray(K.get_value(value)).reshape(tuple(current.shape)))
    else:
        setattr(optimizer, name, float(np.asarray(K.get_value(value))))


# ---- the container ----------------------------------------------------------------------

_MODES = ("train", "test", "predict")


class CallbackList:
    """Container abstracting a list of callbacks.

    Args:
        callbacks: List of ``Callback`` instances (nested lists are flattened).
        add_history: Whether a ``History`` callback should be added, if one does
            not already exist in the ``callbacks`` list (appended after them).
        add_progbar: Whether a ``ProgbarLogger`` callback should be added, if
            one does not already exist (appended last, ``count_mode="steps"``).
        model: The ``Model`` these callbacks are used with.
        **params: If provided, passed to each callback via ``set_params``
            (``fit`` passes ``verbose``, ``epochs`` and ``steps``).
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        self.callbacks = _flatten(callbacks)
        self._add_default_callbacks(add_history, add_progbar)
        self.model = None
        self.params = {}
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)
        self._refresh_flags()

        # Hook timing check (as tf-keras): only when a user-defined callback is present.
        self._check_timing = any(type(cb).__module__ != __name__ for cb in self.callbacks)
        self._num_batches_for_timing_check = 5
        self._hook_times = {}
        self._batch_start_time = None
        self._batch_times = []

    def _add_default_callbacks(self, add_history, add_progbar):
        self._progbar = None
        self._history = None
        for cb in self.callbacks:
            if isinstance(cb, ProgbarLogger):
                self._progbar = cb
            elif isinstance(cb, History):
                self._history = cb
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger(count_mode="steps")
            self.callbacks.append(self._progbar)

    def _refresh_flags(self):
        cbs = self.callbacks
        self._supports_tf_logs = all(getattr(cb, "_supports_tf_logs", False) for cb in cbs)
        implements = {
            "train": [cb._implements_train_batch_hooks() for cb in cbs],
            "test": [cb._implements_test_batch_hooks() for cb in cbs],
            "predict": [cb._implements_predict_batch_hooks() for cb in cbs],
        }
        self._should_call_batch_hooks = {mode: any(flags) for mode, flags in implements.items()}
        self._batch_hooks_support_tf_logs = all(
            getattr(cb, "_supports_tf_logs", False)
            for i, cb in enumerate(cbs) if any(implements[mode][i] for mode in _MODES))

    # ---- queries for the training loop ------------------------------------------------

    def needs_batch_logs(self, mode="train"):
        """Whether any callback overrides a batch hook of ``mode`` ('train', 'test' or 'predict').

        When False the ``on_{mode}_batch_{begin,end}`` calls are no-ops and the
        loop can skip them, and skip computing the batch logs.
        """
        if mode not in _MODES:
            raise ValueError(f"Unknown mode {mode!r}: expected one of {', '.join(_MODES)}.")
        return self._should_call_batch_hooks[mode]

    @property
    def _should_call_train_batch_hooks(self):
        return self._should_call_batch_hooks["train"]

    @property
    def _should_call_test_batch_hooks(self):
        return self._should_call_batch_hooks["test"]

    @property
    def _should_call_predict_batch_hooks(self):
        return self._should_call_batch_hooks["predict"]

    # ---- configuration -----------------------------------------------------------------

    def append(self, callback):
        self.callbacks.append(callback)
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)
        self._refresh_flags()
        if type(callback).__module__ != __name__:
            self._check_timing = True

    def set_params(self, params):
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)
        self._refresh_flags()

    def set_model(self, model):
        self.model = model
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    # ---- logs --------------------------------------------------------------------------

    def _process_logs(self, logs, is_batch_hook=False):
        """Engine values -> Python numbers, unless every receiving callback accepts engine values."""
        if logs is None:
            return {}
        if self._supports_tf_logs:
            return logs
        if is_batch_hook and self._batch_hooks_support_tf_logs:
            return logs
        return _sync_logs(logs)

    # ---- batch hooks -------------------------------------------------------------------

    def _call_batch_hook(self, mode, hook, batch, logs=None):
        if not self.callbacks:
            return
        if hook == "begin":
            self._call_batch_hook_helper(f"on_{mode}_batch_begin", batch, self._process_logs(logs, True))
            if self._check_timing:
                self._batch_start_time = time.time()
        elif hook == "end":
            # Reading engine values (a device sync) counts as batch time, not as hook time.
            logs = self._process_logs(logs, is_batch_hook=True)
            if self._check_timing and batch >= 1 and self._batch_start_time is not None:
                self._batch_times.append(time.time() - self._batch_start_time)
            self._call_batch_hook_helper(f"on_{mode}_batch_end", batch, logs)
            if self._check_timing and len(self._batch_times) >= self._num_batches_for_timing_check:
                self._report_slow_hooks(mode)
        else:
            raise ValueError(f'Unrecognized hook: {hook}. Expected values are ["begin", "end"]')

    def _report_slow_hooks(self, mode):
        begin_hook_name, end_hook_name = f"on_{mode}_batch_begin", f"on_{mode}_batch_end"
        avg_batch_time = sum(self._batch_times) / len(self._batch_times)
        warning_msg = ("Callback method `{hook}` is slow compared to the batch time (batch time: {batch_time:.4f}s "
                       "vs `{hook}` time: {hook_time:.4f}s). Check your callbacks.")
        for name in (begin_hook_name, end_hook_name):
            times = self._hook_times.get(name)
            if times:
                avg_hook_time = sum(times) / len(times)
                if avg_hook_time > avg_batch_time:
                    _warn(warning_msg.format(hook=name, batch_time=avg_batch_time, hook_time=avg_hook_time))
        self._check_timing = False
        self._batch_start_time = None
        self._batch_times = []
        self._hook_times = {}

    def _call_batch_hook_helper(self, hook_name, batch, logs):
        if self._check_timing:
            start_time = time.time()
        for callback in self.callbacks:
            getattr(callback, hook_name)(batch, logs)
        if self._check_timing:
            self._hook_times.setdefault(hook_name, []).append(time.time() - start_time)

    def on_batch_begin(self, batch, logs=None):
        if self._should_call_batch_hooks["train"]:
            self._call_batch_hook("train", "begin", batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        if self._should_call_batch_hooks["train"]:
            self._call_batch_hook("train", "end", batch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        if self._should_call_batch_hooks["train"]:
            self._call_batch_hook("train", "begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        if self._should_call_batch_hooks["train"]:
            self._call_batch_hook("train", "end", batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        if self._should_call_batch_hooks["test"]:
            self._call_batch_hook("test", "begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        if self._should_call_batch_hooks["test"]:
            self._call_batch_hook("test", "end", batch, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        if self._should_call_batch_hooks["predict"]:
            self._call_batch_hook("predict", "begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        if self._should_call_batch_hooks["predict"]:
            self._call_batch_hook("predict", "end", batch, logs=logs)

    # ---- epoch and run hooks (one processed logs dict shared by every callback) -------

    def _call_all(self, hook_name, *args, logs=None):
        logs = self._process_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook_name)(*args, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call_all("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call_all("on_epoch_end", epoch, logs=logs)

    def on_train_begin(self, logs=None):
        self._call_all("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call_all("on_train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._call_all("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call_all("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._call_all("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call_all("on_predict_end", logs=logs)


# ---- the base class -------------------------------------------------------------------

class Callback:
    """Abstract base class used to build new callbacks.

    Attributes:
        params: Dict. Training parameters (``verbose``, ``epochs``, ``steps``).
        model: The model being trained.

    Subclasses override the hooks they need; batch hooks that are not
    overridden are never called (and the loop can skip computing batch logs).
    ``on_train_batch_begin``/``on_train_batch_end`` call the legacy
    ``on_batch_begin``/``on_batch_end`` unless overridden.
    """

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}
        self._chief_worker_only = None
        self._supports_tf_logs = False

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    @_default
    def on_batch_begin(self, batch, logs=None):
        """A backwards compatibility alias for `on_train_batch_begin`."""

    @_default
    def on_batch_end(self, batch, logs=None):
        """A backwards compatibility alias for `on_train_batch_end`."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch (training only)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch; ``logs`` holds the epoch's metrics (``val_`` ones too)."""

    @_default
    def on_train_batch_begin(self, batch, logs=None):
        """Called at the beginning of a training batch in `fit`."""
        self.on_batch_begin(batch, logs=logs)

    @_default
    def on_train_batch_end(self, batch, logs=None):
        """Called at the end of a training batch; ``logs`` holds the epoch-to-date metrics."""
        self.on_batch_end(batch, logs=logs)

    @_default
    def on_test_batch_begin(self, batch, logs=None):
        """Called at the beginning of a batch in `evaluate` (and validation)."""

    @_default
    def on_test_batch_end(self, batch, logs=None):
        """Called at the end of a batch in `evaluate` (and validation)."""

    @_default
    def on_predict_batch_begin(self, batch, logs=None):
        """Called at the beginning of a batch in `predict`."""

    @_default
    def on_predict_batch_end(self, batch, logs=None):
        """Called at the end of a batch in `predict`."""

    def on_train_begin(self, logs=None):
        """Called at the beginning of training."""

    def on_train_end(self, logs=None):
        """Called at the end of training; ``logs`` holds the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Called at the beginning of evaluation or validation."""

    def on_test_end(self, logs=None):
        """Called at the end of evaluation or validation."""

    def on_predict_begin(self, logs=None):
        """Called at the beginning of prediction."""

    def on_predict_end(self, logs=None):
        """Called at the end of prediction."""

    def _implements_train_batch_hooks(self):
        """Whether this callback should be called for each train batch."""
        return not (_is_default(self.on_batch_begin) and _is_default(self.on_batch_end)
                    and _is_default(self.on_train_batch_begin) and _is_default(self.on_train_batch_end))

    def _implements_test_batch_hooks(self):
        return not (_is_default(self.on_test_batch_begin) and _is_default(self.on_test_batch_end))

    def _implements_predict_batch_hooks(self):
        return not (_is_default(self.on_predict_batch_begin) and _is_default(self.on_predict_batch_end))


# ---- loggers ------------------------------------------------------------------------

class BaseLogger(Callback):
    """Accumulates epoch averages of metrics from batch logs (``size``-weighted).

    Kept for API compatibility: the fastkeras loop already reports epoch averages.
    """

    def __init__(self, stateful_metrics=None):
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        batch_size = logs.get("size", 0)
        num_steps = logs.get("num_steps", 1)
        self.seen += batch_size * num_steps
        for k, v in logs.items():
            if k in self.stateful_metrics:
                self.totals[k] = v
            elif k in self.totals:
                self.totals[k] += v * batch_size
            else:
                self.totals[k] = v * batch_size

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            for k in self.params.get("metrics", list(self.totals)):
                if k in self.totals:
                    logs[k] = self.totals[k] if k in self.stateful_metrics else self.totals[k] / self.seen


class TerminateOnNaN(Callback):
    """Callback that terminates training when a NaN (or infinite) loss is encountered."""

    def __init__(self):
        super().__init__()
        self._supports_tf_logs = True

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        loss = logs.get("loss")
        if loss is not None:
            loss = _to_python(loss)
            if np.isnan(loss) or np.isinf(loss):
                print_msg(f"Batch {batch}: Invalid loss, terminating training")
                self.model.stop_training = True


class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout with a :class:`~fastkeras.utils.progbar.Progbar`.

    Args:
        count_mode: One of ``"steps"`` or ``"samples"``: whether the progress
            bar counts steps (batches) or samples (batch logs' ``size``) seen.
        stateful_metrics: Iterable of names of metrics that should *not* be
            averaged over an epoch (displayed as-is). The model's metric names
            (``model.metrics_names``, which fit reports as epoch-to-date
            averages) are always added.
    """

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        self._supports_tf_logs = True
        if count_mode == "samples":
            self.use_steps = False
        elif count_mode == "steps":
            self.use_steps = True
        else:
            raise ValueError(f'Unknown `count_mode`: {count_mode}. Expected values are ["samples", "steps"]')
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._call_batch_hooks = True
        self._called_in_fit = False

    def set_params(self, params):
        self.params = params
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        if self.use_steps and "steps" in params:
            self.target = params["steps"]
        elif not self.use_steps and "samples" in params:
            self.target = params["samples"]
        else:
            self.target = None  # inferred at the end of the first epoch
        # Per-batch updates are only drawn with verbose=1 on a display that
        # redraws in place; otherwise only the epoch's last line is written and
        # batch logs are needed only to count the steps of an unknown target.
        self._call_batch_hooks = self.verbose == 1 and (self.target is None or is_dynamic_display())

    def _model_metric_names(self):
        names = set()
        model = self.model
        if model is None:
            return names
        try:
            names.update(m.name for m in (getattr(model, "metrics", None) or []) if hasattr(m, "name"))
        except Exception:  # noqa: BLE001 - a model without compiled metrics
            pass
        try:
            names.update(n for n in (getattr(model, "metrics_names", None) or []) if isinstance(n, str))
        except Exception:  # noqa: BLE001
            pass
        return names

    def on_train_begin(self, logs=None):
        # When this logger is called inside `fit`, validation is silent.
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._batch_update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._batch_update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._batch_update_progbar(batch, None)  # prediction outputs are not displayed

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        self.stateful_metrics = set(self.stateful_metrics) | self._model_metric_names()
        if self.progbar is None:
            self.progbar = Progbar(target=self.target, verbose=self.verbose, stateful_metrics=self.stateful_metrics,
                                   unit_name="step" if self.use_steps else "sample")
        self.progbar._update_stateful_metrics(self.stateful_metrics)

    def _implements_train_batch_hooks(self):
        return self._call_batch_hooks

    def _implements_test_batch_hooks(self):
        return self._call_batch_hooks

    def _implements_predict_batch_hooks(self):
        return self._call_batch_hooks

    def _batch_update_progbar(self, batch, logs=None):
        logs = logs or {}
        if self.progbar is None:
            self._maybe_init_progbar()
        if self.use_steps:
            self.seen = batch + 1  # one-indexed
        else:
            logs = dict(logs)
            batch_size = _to_python(logs.pop("size", 0))
            num_steps = _to_python(logs.pop("num_steps", 1))
            logs.pop("batch", None)
            self.seen += num_steps * batch_size
        if self.verbose == 1:
            # Values stay engine tensors: the Progbar reads them only when it draws.
            self.progbar.update(self.seen, list(logs.items()), finalize=False)

    def _finalize_progbar(self, logs):
        logs = dict(logs or {})
        if not self.use_steps:
            logs.pop("size", None)
            logs.pop("num_steps", None)
            logs.pop("batch", None)
        if self.progbar is None:
            self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list(logs.items()), finalize=True)


class History(Callback):
    """Records the epoch logs: ``history.history[name]`` is the list of per-epoch values.

    fit adds one automatically and returns it (also as ``model.history``).
    """

    def __init__(self):
        super().__init__()
        self.history = _HistoryDict()
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        # Set the latest state on the model after each epoch.
        if self.model is not None:
            self.model.history = self


# ---- checkpoints and training control -----------------------------------------------

class ModelCheckpoint(Callback):
    """Saves the model or its weights after every epoch (or every ``save_freq`` batches).

    Args:
        filepath: Path of the file to write; may hold ``str.format`` fields filled
            with ``epoch`` (1-based), ``batch`` (1-based, batch saving) and the
            logs' keys, e.g. ``weights.{epoch:02d}-{val_loss:.2f}.h5``.
        monitor: Metric name compared when ``save_best_only`` (``val_`` prefix
            for validation metrics).
        verbose: 0 silent, 1 prints a message when saving.
        save_best_only: Only save when ``monitor`` improves on the best so far.
        save_weights_only: ``model.save_weights(filepath, overwrite=True)``
            instead of ``model.save(filepath, overwrite=True)``.
        mode: 'auto', 'min' or 'max'; 'auto' maximizes names containing "acc"
            or starting with "fmeasure", minimizes the rest.
        save_freq: 'epoch' or an integer number of batches.
        options: Accepted for API compatibility (not used by the torch engine).
        initial_value_threshold: Initial "best" value for ``save_best_only``.
        period: Legacy: save every ``period`` epochs.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", options=None, initial_value_threshold=None, **kwargs):
        super().__init__()
        self._supports_tf_logs = True
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = os.fspath(filepath) if isinstance(filepath, os.PathLike) else filepath
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.epochs_since_last_save = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = -1
        self._current_epoch = 0
        self.best = initial_value_threshold

        if (not save_weights_only and isinstance(self.filepath, str) and self.filepath.endswith(".keras")
                and options is not None):
            raise ValueError("The native TF-Keras format does not support the `options` argument. Please remove the "
                             "`options` argument, or use the SavedModel format by removing the `.keras` extension "
                             "from the model filepath.")
        self._options = options

        if "load_weights_on_restart" in kwargs:
            self.load_weights_on_restart = kwargs.pop("load_weights_on_restart")
            _warn("`load_weights_on_restart` argument is deprecated. Please use `model.load_weights()` for loading "
                  "weights before the start of `model.fit()`.")
        else:
            self.load_weights_on_restart = False

        if "period" in kwargs:
            self.period = kwargs.pop("period")
            _warn("`period` argument is deprecated. Please use `save_freq` to specify the frequency in number of "
                  "batches seen.")
        else:
            self.period = 1
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to ModelCheckpoint: {kwargs}")

        if mode not in ["auto", "min", "max"]:
            _warn(f"ModelCheckpoint mode {mode} is unknown, fallback to auto mode.")
            mode = "auto"
        if mode == "min":
            self.monitor_op = np.less
        elif mode == "max":
            self.monitor_op = np.greater
        elif "acc" in self.monitor or self.monitor.startswith("fmeasure"):
            self.monitor_op = np.greater
        else:
            self.monitor_op = np.less
        if self.best is None:
            self.best = np.inf if self.monitor_op is np.less else -np.inf

        if self.save_freq != "epoch" and not isinstance(self.save_freq, int):
            raise ValueError(f'Unrecognized save_freq: {self.save_freq}. Expected save_freq are "epoch" or integer')
        self._chief_worker_only = False

    def on_train_begin(self, logs=None):
        if self.load_weights_on_restart:
            filepath_to_load = self._get_most_recently_modified_file_matching_pattern(self.filepath)
            if filepath_to_load is not None and self._checkpoint_exists(filepath_to_load):
                try:
                    self.model.load_weights(filepath_to_load)
                except (IOError, ValueError) as e:
                    raise ValueError(f"Error loading file from {filepath_to_load}. Reason: {e}")

    def _implements_train_batch_hooks(self):
        # Only called per batch when saving on batch.
        return self.save_freq != "epoch"

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_since_last_save += 1
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:  # a new epoch
            add_batches = batch + 1
        else:
            add_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add_batches
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self, epoch, batch, logs):
        logs = logs or {}
        if not (isinstance(self.save_freq, int) or self.epochs_since_last_save >= self.period):
            return
        logs = _sync_logs(logs)  # read engine values only when saving
        self.epochs_since_last_save = 0
        filepath = self._get_file_path(epoch, batch, logs)
        dirname = os.path.dirname(filepath)
        if dirname and not remote.is_remote(filepath) and not os.path.exists(dirname):
            os.makedirs(dirname, exist_ok=True)
        try:
            if self.save_best_only:
                current = _monitored(self, logs)
                if current is None:
                    _warn(f"Can save best model only with {self.monitor} available, skipping.")
                elif self.monitor_op(current, self.best):
                    if self.verbose > 0:
                        print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                                   f"{current:.5f}, saving model to {filepath}")
                    self.best = current
                    self._save_handler(filepath)
                elif self.verbose > 0:
                    print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
            else:
                if self.verbose > 0:
                    print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
                self._save_handler(filepath)
        except IsADirectoryError:
            raise IOError("Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing "
                          f"directory: {filepath}")
        except IOError as e:
            if e.args and "is a directory" in str(e.args[0]).lower():
                raise IOError("Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
                              f"existing directory: {filepath}")
            raise

    def _save_handler(self, filepath):
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def _get_file_path(self, epoch, batch, logs):
        """The checkpoint path: ``filepath`` formatted with epoch/batch (1-based) and the logs."""
        logs = dict(logs)
        for _, field, _, _ in string.Formatter().parse(self.filepath):
            name = (field or "").split(".")[0].split("[")[0]
            renamed = keras22_metric_name(name, logs) if name not in logs else None
            if renamed is not None:  # 'weights-{val_acc:.2f}.h5', written for Keras 2.2's log names
                logs[name] = logs[renamed]
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}')

    @staticmethod
    def _checkpoint_exists(filepath):
        return os.path.exists(filepath) or os.path.exists(filepath + ".index")

    @staticmethod
    def _get_most_recently_modified_file_matching_pattern(pattern):
        """The most recently modified file whose name matches ``pattern`` (format fields as wildcards)."""
        dir_name = os.path.dirname(pattern)
        base_name = os.path.basename(pattern)
        base_name_regex = "^" + re.sub(r"{.*}", r".*", base_name) + "$"
        latest_mod_time = 0
        file_path_with_latest_mod_time = None
        n_file_with_latest_mod_time = 0
        file_path_with_largest_file_name = None
        if os.path.exists(dir_name or "."):
            for file_name in os.listdir(dir_name or "."):
                if re.match(base_name_regex, file_name):
                    file_path = os.path.join(dir_name, file_name)
                    mod_time = os.path.getmtime(file_path)
                    if file_path_with_largest_file_name is None or file_path > file_path_with_largest_file_name:
                        file_path_with_largest_file_name = file_path
                    if mod_time > latest_mod_time:
                        latest_mod_time = mod_time
                        file_path_with_latest_mod_time = file_path
                        n_file_with_latest_mod_time = 1
                    elif mod_time == latest_mod_time:
                        n_file_with_latest_mod_time += 1
        if n_file_with_latest_mod_time == 1:
            return file_path_with_latest_mod_time
        return file_path_with_largest_file_name


class EarlyStopping(Callback):
    """Stop training when a monitored metric has stopped improving.

    Args:
        monitor: Quantity to be monitored.
        min_delta: Minimum change in the monitored quantity to qualify as an
            improvement (absolute value).
        patience: Number of epochs with no improvement after which training stops.
        verbose: 0 silent, 1 prints a message when stopping / restoring.
        mode: 'auto', 'min' or 'max'; 'auto' maximizes names ending in "acc",
            "accuracy" or "auc", minimizes the rest.
        baseline: Training stops if the model doesn't improve over the baseline.
        restore_best_weights: Restore the weights of the best epoch at the end
            of training (if no epoch improves on ``baseline``, the best of the
            epochs that ran).
        start_from_epoch: Number of warm-up epochs before monitoring starts.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.start_from_epoch = start_from_epoch

        if mode not in ["auto", "min", "max"]:
            _warn(f"EarlyStopping mode {mode} is unknown, fallback to auto mode.")
            mode = "auto"
        if mode == "min":
            self.monitor_op = np.less
        elif mode == "max":
            self.monitor_op = np.greater
        elif self.monitor.endswith("acc") or self.monitor.endswith("accuracy") or self.monitor.endswith("auc"):
            self.monitor_op = np.greater
        else:
            self.monitor_op = np.less
        if self.monitor_op is np.greater:
            self.min_delta *= 1
        else:
            self.min_delta *= -1
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        # Allow instances to be re-used.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Restore the weights after the first epoch if no progress is ever made.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Only restart wait if we beat both the baseline and our previous best.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        # Only check after the first epoch.
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        logs = logs or {}
        monitor_value = _monitored(self, logs)
        if monitor_value is None:
            _warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                  f"Available metrics are: {','.join(list(logs.keys()))}")
            return None
        return _to_python(monitor_value)

    def _is_improvement(self, monitor_value, reference_value):
        return self.monitor_op(monitor_value - self.min_delta, reference_value)


class LearningRateScheduler(Callback):
    """Sets the learning rate at the beginning of every epoch from ``schedule``.

    Args:
        schedule: ``schedule(epoch, lr) -> new_lr`` (epoch 0-based, lr a float),
            or the legacy ``schedule(epoch) -> new_lr``. Must return a float.
        verbose: 0 quiet, 1 prints a message at each update.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = _optimizer(self.model)
        _lr_attribute(optimizer)  # raises 'Optimizer must have a "lr" attribute.'
        try:  # new API
            lr = float(get_learning_rate(optimizer))
            lr = self.schedule(epoch, lr)
        except TypeError:  # old API: schedule(epoch)
            lr = self.schedule(epoch)
        if K.is_tensor(lr):
            if np.asarray(K.to_numpy(lr)).dtype.kind != "f":
                raise ValueError(f"The dtype of `lr` Tensor should be float. Got: {lr.dtype}")
        elif not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError(f'The output of the "schedule" function should be float. Got: {lr}')
        set_learning_rate(optimizer, K.get_value(lr))
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["lr"] = get_learning_rate(_optimizer(self.model))


class ReduceLROnPlateau(Callback):
    """Reduce the learning rate when a metric has stopped improving.

    Args:
        monitor: Quantity to be monitored.
        factor: ``new_lr = lr * factor`` (must be < 1).
        patience: Number of epochs with no improvement after which the
            learning rate is reduced.
        verbose: 0 quiet, 1 prints a message at each reduction.
        mode: 'auto', 'min' or 'max'; 'auto' maximizes names containing "acc".
        min_delta: Threshold for measuring the new optimum (legacy name ``epsilon``).
        cooldown: Number of epochs to wait before resuming normal operation
            after a reduction.
        min_lr: Lower bound on the learning rate.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0, **kwargs):
        super().__init__()
        self.monitor = monitor
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Got {factor}")
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            _warn("`epsilon` argument is deprecated and will be removed, use `min_delta` instead.")
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to ReduceLROnPlateau: {kwargs}")
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0
        self.best = 0
        self.mode = mode
        self.monitor_op = None
        self._reset()

    def _reset(self):
        """Resets the wait and cooldown counters."""
        if self.mode not in ["auto", "min", "max"]:
            _warn(f"Learning rate reduction mode {self.mode} is unknown, fallback to auto mode.")
            self.mode = "auto"
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = _optimizer(self.model)
        logs["lr"] = get_learning_rate(optimizer)
        current = _monitored(self, logs)
        if current is None:
            _warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not available. "
                  f"Available metrics are: {','.join(list(logs.keys()))}")
            return
        current = _to_python(current)
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = get_learning_rate(optimizer)
                if old_lr > np.float32(self.min_lr):
                    new_lr = old_lr * self.factor
                    new_lr = max(new_lr, self.min_lr)
                    set_learning_rate(optimizer, new_lr)
                    if self.verbose > 0:
                        print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0


class CSVLogger(Callback):
    """Streams epoch results to a CSV file: header ``epoch,<sorted log keys>``, one row per epoch.

    Args:
        filename: Filename of the CSV file, e.g. ``'run/log.csv'``.
        separator: 1-character string separating the fields.
        append: True appends to an existing file (no second header if it is
            not empty); False overwrites it.
    """

    def __init__(self, filename, separator=",", append=False):
        self.sep = separator
        self.filename = os.fspath(filename) if isinstance(filename, os.PathLike) else filename
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None
        super().__init__()

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r", newline="") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        # csv's excel dialect ends rows with "\r\n", written as is (as tf-keras does).
        self.csv_file = open(self.filename, mode, newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}

        def handle_value(k):
            k = _to_python(k)
            is_zero_dim_ndarray = isinstance(k, np.ndarray) and k.ndim == 0
            if isinstance(k, str):
                return k
            if isinstance(k, collections.abc.Iterable) and not is_zero_dim_ndarray:
                return f"\"[{', '.join(map(str, k))}]\""
            return k

        if self.keys is None:
            self.keys = sorted(logs.keys())
            # With validation_freq > 1 the first epoch has no `val_` keys: add them to the header.
            if not any(key.startswith("val_") for key in self.keys):
                self.keys.extend(["val_" + k for k in self.keys])

        if not self.writer:
            class CustomDialect(csv.excel):
                delimiter = self.sep

            fieldnames = ["epoch"] + self.keys
            self.writer = csv.DictWriter(self.csv_file, fieldnames=fieldnames, dialect=CustomDialect)
            if self.append_header:
                self.writer.writeheader()

        row_dict = collections.OrderedDict({"epoch": epoch})
        row_dict.update((key, handle_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row_dict)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """Callback built from functions called at the matching hooks.

    ``on_epoch_begin``/``on_epoch_end`` take ``(epoch, logs)``,
    ``on_batch_begin``/``on_batch_end`` take ``(batch, logs)``,
    ``on_train_begin``/``on_train_end`` take ``(logs)``. Other hooks
    (``on_train_batch_end=...``, ``on_test_end=...``) can be given as keywords.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        if on_epoch_begin is not None:
            self.on_epoch_begin = on_epoch_begin
        if on_epoch_end is not None:
            self.on_epoch_end = on_epoch_end
        if on_batch_begin is not None:
            self.on_batch_begin = on_batch_begin
        if on_batch_end is not None:
            self.on_batch_end = on_batch_end
        if on_train_begin is not None:
            self.on_train_begin = on_train_begin
        if on_train_end is not None:
            self.on_train_end = on_train_end


def _backup_optimizer(model):
    """The model's fastkeras optimizer (one with get_weights/set_weights), else None."""
    optimizer = getattr(model, "optimizer", None)
    return optimizer if hasattr(optimizer, "get_weights") and hasattr(optimizer, "set_weights") else None


def _has_schedule(optimizer):
    from fastkeras.optimizers.schedules import LearningRateSchedule
    return isinstance(getattr(optimizer, "_learning_rate", None), LearningRateSchedule)


class BackupAndRestore(Callback):
    """Backs up the training state so that an interrupted ``fit`` resumes where it stopped (tf-keras 2.21).

    At the end of every epoch (``save_freq='epoch'``) or every ``save_freq`` batches it writes the model's
    weights, the optimizer's variables and learning rate, and the epoch reached to
    ``backup_dir/training_state.npz`` (atomically: a crash mid-write leaves the previous backup). When a
    ``fit`` given this callback starts and finds a backup, it loads it and continues at the next epoch, so a run
    killed at epoch 7 of 10 and started again trains epochs 7 to 9 from the weights and optimizer state of the
    end of epoch 6. When ``fit`` ends normally the backup is deleted (``delete_checkpoint=True``); an exception
    or Ctrl-C keeps it.

    With an integer ``save_freq``, a backup taken mid-epoch resumes that epoch at the step after the backup: as in
    tf-keras, the resumed epoch runs only its remaining steps (numbered from there, on the data's first batches).

    Differs from tf-keras: ``save_before_preemption`` (a multi-worker TensorFlow feature) is not available. The
    file is an ``.npz`` of plain arrays, not a TensorFlow checkpoint.

    Args:
        backup_dir: Folder for the backup (created if missing); not shared with other ``fit`` runs.
        save_freq: ``'epoch'``, or an integer number of batches between backups.
        delete_checkpoint: Delete the backup when training ends normally.
        save_before_preemption: Must be False here.
    """

    FILENAME = "training_state.npz"

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True, save_before_preemption=False):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self._supports_tf_logs = True
        if not save_freq and not save_before_preemption:
            raise ValueError("Either `save_freq` or `save_before_preemption` must be set.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 0):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}. Expected 'epoch' or a positive integer.")
        if save_before_preemption:
            raise NotImplementedError("`save_before_preemption=True` needs TensorFlow's preemption watcher (multi-"
                                      "worker training); fastkeras backs up on `save_freq` only.")
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self.save_before_preemption = save_before_preemption
        self._batches_count = 0
        self._current_epoch = 0
        self._chief_worker_only = False

    @property
    def _path(self):
        if remote.is_remote(self.backup_dir):  # a bucket (gs://, s3://...), as tf-keras backs up through gfile
            return remote.join(self.backup_dir, self.FILENAME)
        return os.path.join(self.backup_dir, self.FILENAME)

    def _read_backup(self):
        """The backup's arrays, or None when there is none."""
        if remote.is_remote(self._path):
            if not remote.exists(self._path):
                return None
            source = io.BytesIO(remote.read_bytes(self._path))
        elif os.path.exists(self._path):
            source = self._path
        else:
            return None
        with np.load(source, allow_pickle=False) as store:
            return {k: store[k] for k in store.files}

    def _implements_train_batch_hooks(self):
        return self.save_freq != "epoch"

    def on_train_begin(self, logs=None):
        self._batches_count = 0
        optimizer = _backup_optimizer(self.model)
        if getattr(self.model, "built", True) and optimizer is not None and callable(getattr(optimizer, "build", None)) \
                and not getattr(optimizer, "_built", False):
            optimizer.build(self.model.trainable_weights)
        state = self._read_backup()
        if state is None:
            return
        n_model = int(state["num_model_weights"])
        self.model.set_weights([state[f"model/{i}"] for i in range(n_model)])
        if optimizer is not None and int(state["num_optimizer_weights"]):
            weights = [state[f"optimizer/{i}"] for i in range(int(state["num_optimizer_weights"]))]
            try:
                optimizer.set_weights(weights)
            except ValueError as e:
                _warn(f"BackupAndRestore could not restore the optimizer's state from {self._path}: {e}")
        if optimizer is not None and "learning_rate" in state:
            try:
                set_learning_rate(optimizer, float(state["learning_rate"]))
            except (TypeError, ValueError, AttributeError):
                pass
        epoch, batch = int(state["epoch"]), int(state["batch"])
        steps = self.params.get("steps")
        # An epoch-end backup (batch -1), or one taken at the last batch, resumes at the next epoch; one taken
        # mid-epoch at the step after it.
        if batch < 0 or (steps and batch >= steps - 1):
            resume = (epoch + 1, 0)
        else:
            resume = (epoch, batch + 1)
        self.model._resume_at = resume  # read (and removed) by fit right after on_train_begin

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq != "epoch":
            self._batches_count += 1
            if self._batches_count >= self.save_freq:
                self._batches_count = 0
                self._backup(self._current_epoch, batch)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._backup(epoch, -1)

    def on_train_end(self, logs=None):
        import sys
        interrupted = sys.exc_info()[0] is not None  # fit calls on_train_end while handling a Ctrl-C
        if self.delete_checkpoint and not interrupted and remote.is_remote(self.backup_dir):
            if remote.exists(self._path):
                remote.delete(self._path)
            return
        if self.delete_checkpoint and not interrupted and os.path.isdir(self.backup_dir):
            import shutil
            shutil.rmtree(self.backup_dir, ignore_errors=True)

    def _backup(self, epoch, batch):
        from fastkeras.saving.atomic import atomic_path
        state = {"epoch": np.int64(epoch), "batch": np.int64(batch)}
        weights = self.model.get_weights()
        state["num_model_weights"] = np.int64(len(weights))
        state.update({f"model/{i}": np.asarray(w) for i, w in enumerate(weights)})
        optimizer = _backup_optimizer(self.model)
        opt_weights = optimizer.get_weights() if optimizer is not None and getattr(optimizer, "_built", False) \
            else []
        state["num_optimizer_weights"] = np.int64(len(opt_weights))
        state.update({f"optimizer/{i}": np.asarray(w) for i, w in enumerate(opt_weights)})
        if optimizer is not None and not _has_schedule(optimizer):
            try:
                state["learning_rate"] = np.float64(get_learning_rate(optimizer))
            except (TypeError, ValueError, AttributeError):
                pass
        if remote.is_remote(self.backup_dir):
            buffer = io.BytesIO()
            np.savez(buffer, **state)
            remote.write_bytes(self._path, buffer.getvalue())  # one piece: the old backup or the new one
            return
        os.makedirs(self.backup_dir, exist_ok=True)
        with atomic_path(self._path) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **state)


# TensorBoard lives in its own module (it brings an event-file writer); imported last because it subclasses
# Callback from this module.
from fastkeras.callbacks_tensorboard import TensorBoard  # noqa: E402,F401
from fastkeras.callbacks_remote import RemoteMonitor  # noqa: E402,F401
from fastkeras.callbacks_ema import SwapEMAWeights  # noqa: E402,F401  (Keras 3)
from fastkeras import callbacks_experimental as experimental  # noqa: E402,F401  (tf-keras' callbacks.experimental)

# This module is not a package: registering the submodule's dotted name lets
# `from fastkeras.callbacks.experimental import BackupAndRestore` work as it does with tf-keras.
import sys  # noqa: E402
sys.modules[__name__ + ".experimental"] = experimental
# Keras 2.3 kept the callbacks in keras/callbacks/callbacks.py (`from keras.callbacks.callbacks import
# EarlyStopping`): that path names this module.
sys.modules[__name__ + ".callbacks"] = sys.modules[__name__]
