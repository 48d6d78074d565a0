"""The torch training loop behind compile/fit/evaluate/predict and the *_on_batch methods.

Hot-path rules: data goes to the device once per fit (or per batch for
iterators); a step never reads a value back to the host; losses and metrics
accumulate in device tensors and are read when the progress bar renders or a
callback asks; gradients come from one ``torch.autograd.grad`` call and one
foreach optimizer step.
"""
import contextlib
import math
import numbers
import random
import time
import warnings

import numpy as np
import torch

from fastkeras import backend as K
from fastkeras import callbacks as callbacks_module
from fastkeras.engine import custom_step, data_adapter, tree, user_code
from fastkeras.engine.call_context import CONTEXT
from fastkeras.engine.io_structure import structure_of
from fastkeras.engine.base_layer import refuse_symbolic_losses
from fastkeras.utils.data_tuples import unpack_x_y_sample_weight
from fastkeras.utils.data_utils import Sequence
from fastkeras.utils.py_dataset import PyDataset, batch_count, begin_epoch, reads_itself


class _Batches:
    """Batches of in-memory arrays (numpy or tensors), moved to the device once."""

    def __init__(self, arrays_list, batch_size, shuffle, device, private_inputs=True):
        self.n = int(next(a.shape[0] for arrays in arrays_list if arrays for a in arrays if a is not None))
        # Whether each batch's inputs (arrays_list[0]) must be copies rather than views of the data: only when
        # the model runs code that might write into them (see user_code.py). Targets and sample weights are
        # always copied: custom losses and metrics see them, and they are small.
        self.private_inputs = private_inputs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        # A scipy sparse matrix stays on the host and is densified one batch at a time, as Keras 2 fed them; an
        # HDF5Matrix stays in its file and is read one batch at a time.
        self.arrays_list = [None if arrays is None else
                            [a if a is None or data_adapter.reads_rows_lazily(a) else
                             _to_device(a, device, private=False) for a in arrays]
                            for arrays in arrays_list]
        self._has_sparse = any(data_adapter.reads_rows_lazily(a) for arrays in self.arrays_list if arrays
                               for a in arrays)
        self.steps = max(1, math.ceil(self.n / batch_size)) if self.n else 0

    def __iter__(self):
        n, bs = self.n, self.batch_size
        if self.shuffle == "batch":
            order = np.arange(self.steps)
            np.random.shuffle(order)
            index = None
        elif self.shuffle:
            index = np.arange(n)
            np.random.shuffle(index)
            index_t = torch.as_tensor(index)
        else:
            index = None
        for step in range(self.steps):
            b = order[step] if self.shuffle == "batch" else step
            start, stop = b * bs, min(n, (b + 1) * bs)
            if self._has_sparse:
                rows = slice(start, stop) if index is None else index[start:stop]
                yield [None if arrays is None else [None if a is None else self._rows(a, rows) for a in arrays]
                       for arrays in self.arrays_list]
            elif index is None:  # a copy where a layer changing its input in place could reach the data
                yield [None if arrays is None else
                       [None if a is None else (a[start:stop].clone() if k or self.private_inputs else a[start:stop])
                        for a in arrays]
                       for k, arrays in enumerate(self.arrays_list)]
            else:
                idx = index_t[start:stop]
                yield [None if arrays is None else [None if a is None else a[idx.to(a.device)] for a in arrays]
                       for arrays in self.arrays_list]

    def _rows(self, a, rows):
        if data_adapter.reads_rows_lazily(a):
            return _to_device(data_adapter.read_rows(a, rows), self.device)
        return a[rows].clone() if isinstance(rows, slice) else a[torch.as_tensor(rows).to(a.device)]

    def __len__(self):
        return self.steps


def _to_device(a, device, private=True):
    """``a`` as a tensor on ``device`` (float64 as floatx, bool as float32).

    ``private``: the tensor never shares memory with the caller's array, so a layer that changes its input in
    place (``inputs -= mean`` in a custom layer, idiomatic with TensorFlow's immutable tensors) cannot write
    into the user's data, which Keras never does.
    """
    source = a
    if isinstance(a, torch.Tensor):
        t = a
    else:
        if data_adapter.is_scipy_sparse(a):
            a = a.toarray()
        a = np.asarray(a)
        if a.dtype == np.float64:
            a = a.astype(K.floatx())
        elif a.dtype == np.bool_:
            a = a.astype(np.float32)
        t = torch.from_numpy(np.ascontiguousarray(a))
    if t.is_floating_point() and t.dtype != K.torch_dtype(None) and t.dtype == torch.float64:
        t = t.to(K.torch_dtype(None))
    t = t.to(device, non_blocking=True)
    if private and t.device.type == "cpu" and _aliases(t, source):
        t = t.clone()
    return t


def _aliases(t, source):
    """Whether the CPU tensor ``t`` may share memory with ``source`` (a numpy array, a tensor or a list)."""
    if isinstance(source, torch.Tensor):
        return source.device.type == "cpu" and t.untyped_storage().data_ptr() == source.untyped_storage().data_ptr()
    return isinstance(source, np.ndarray) and np.may_share_memory(t.numpy(), source)


class _IteratorBatches:
    """Batches from a generator, a Keras Sequence or PyDataset, or a torch DataLoader.

    ``keep_position`` (fit's training data): a PyDataset read for ``steps`` batches an epoch continues where the
    previous epoch stopped, starting a new pass once one is spent, as Keras 3 reads it.
    """

    def __init__(self, source, steps, model, device, with_targets=True, workers=1, use_multiprocessing=False,
                 max_queue_size=10, class_weight=None, shuffle=False, keep_position=False):
        self.source = source
        # fit's shuffle=True reads a Sequence's batches in a new random order each epoch, with Python's
        # random.shuffle as tf-keras does (so random.seed reproduces its order).
        self.shuffle = bool(shuffle)
        self.class_weight = class_weight  # weights each batch's samples by their class, as for arrays
        self.steps = steps
        self.model = model
        self.device = device
        self.with_targets = with_targets
        if reads_itself(source):
            workers, use_multiprocessing, max_queue_size = _py_dataset_reading(
                source, workers, use_multiprocessing, max_queue_size)
        # A Sequence read ahead by an OrderedEnqueuer (as Keras 2: workers > 1, or processes); same batch order.
        self.prefetch = (workers, use_multiprocessing, max_queue_size) \
            if workers > 1 or (workers > 0 and use_multiprocessing) else None
        self.keep_position = keep_position and reads_itself(source) and steps is not None
        if steps is None and reads_itself(source):
            self.steps = batch_count(source)
            if self.steps is None:
                raise ValueError(f"{type(source).__name__} has no end (its `num_batches` is None): give "
                                 "`steps_per_epoch` to fit (`steps` to evaluate and predict, `validation_steps` "
                                 "for validation data) to say how many batches make one epoch.")
        elif steps is None and hasattr(source, "__len__"):
            self.steps = len(source)
        if steps is None and _is_infinite(source):
            raise ValueError(f"The data ({source!r}) repeat without end (`.repeat()`): give `steps_per_epoch` to "
                             "fit (`steps` to evaluate and predict, `validation_steps` for validation data) to say "
                             "how many batches make one pass.")
        self._iterator = None

    def __len__(self):
        return self.steps or 0

    def _items(self):
        src = self.source
        # A Keras Sequence is read by index from its start each epoch, even one that can also be next()-ed (the
        # iterators of ImageDataGenerator): a shortened epoch (steps_per_epoch) then restarts at batch 0.
        if isinstance(src, Sequence) or hasattr(src, "__getitem__") and hasattr(src, "__len__") \
                and not isinstance(src, (list, tuple)) and not hasattr(src, "__next__") \
                and not isinstance(src, torch.utils.data.DataLoader):
            if self.prefetch is not None:
                from fastkeras.utils.enqueuers import iterate_sequence_once
                yield from iterate_sequence_once(src, *self.prefetch, shuffle=self.shuffle)
                return
            count = batch_count(src)
            if count is None:  # a PyDataset without end
                yield from _endless_batches(src)
                return
            order = list(range(count))
            if self.shuffle:
                random.shuffle(order)
            for i in order:
                yield src[i]
            return
        if isinstance(src, torch.utils.data.DataLoader) or not hasattr(src, "__next__"):
            yield from iter(src)
            return
        while True:  # a generator: keep pulling across epochs
            try:
                yield next(src)
            except StopIteration:
                return

    def _resumed_items(self):
        """One epoch of a PyDataset that keeps its position: the rest of the pass the last epoch stopped in, or
        a new pass once that one is spent (never an empty epoch; a short one at the end of a pass)."""
        while True:
            fresh = self._iterator is None
            if fresh:
                self._iterator = self._items()
            produced = False
            for item in self._iterator:  # a break upstream leaves self._iterator open for the next epoch
                produced = True
                yield item
            self._iterator = None
            if produced or fresh:
                return

    def __iter__(self):
        if reads_itself(self.source):
            begin_epoch(self.source)
        if self.keep_position:
            items = self._resumed_items()
            try:
                yield from self._standardized(items)
            finally:
                items.close()  # this epoch's view only: the pass itself stays open in self._iterator
            self.source.on_epoch_end()
            return
        generator = hasattr(self.source, "__next__") and not isinstance(self.source, Sequence)
        items = self._items() if (self._iterator is None or not generator) else self._iterator
        if generator:  # one stream across epochs: each epoch continues where the last one stopped
            self._iterator = items
        try:
            yield from self._standardized(items)
        finally:
            if items is not self._iterator:
                items.close()  # stops an enqueuer at once when the loop ends early (break, error, Ctrl-C)
        if hasattr(self.source, "on_epoch_end"):  # a Keras Sequence reshuffles here
            self.source.on_epoch_end()

    def _standardized(self, items):
        produced = 0
        for item in items:
            if isinstance(item, dict) or not isinstance(item, (list, tuple)):
                item = (item,)
            x, y, sw = unpack_x_y_sample_weight(tuple(item))  # more than (x, y, sample_weight): tf-keras' ValueError
            if not self.with_targets:
                y = sw = None
            model = self.model
            xs = data_adapter.standardize(x, model.input_names, "input", model.name,
                                          structure=structure_of(model, "inputs"))
            ys = data_adapter.standardize(y, model.output_names, "target", model.name, broadcast=True,
                                          structure=structure_of(model, "outputs")) if y is not None else None
            sws = data_adapter.standardize(sw, model.output_names, "sample_weight", model.name,
                                           structure=structure_of(model, "outputs")) if sw is not None else None
            if self.class_weight is not None and ys is not None:
                cw = data_adapter.class_weights_to_sample_weights(ys[0], self.class_weight)
                sws = [cw if s is None else np.asarray(K.to_numpy(s)) * cw for s in (sws or [None] * len(ys))]
            yield [None if arrays is None else [None if a is None else _to_device(a, self.device) for a in arrays]
                   for arrays in (xs, ys, sws)]
            produced += 1
            if self.steps is not None and produced >= self.steps:
                break


def _endless_batches(dataset):
    index = 0
    while True:
        yield dataset[index]
        index += 1


def _py_dataset_reading(dataset, workers, use_multiprocessing, max_queue_size):
    """How a PyDataset (or a Sequence given Keras 3's settings) is read: its own settings (Keras 3); fit's Keras 2
    arguments, if given, are ignored."""
    if (workers, use_multiprocessing, max_queue_size) != (1, False, 10):
        kind = "a PyDataset" if isinstance(dataset, PyDataset) else "a Sequence given Keras 3's reading settings"
        warnings.warn(f"{type(dataset).__name__} is {kind}: it is read with its own `workers`, "
                      "`use_multiprocessing` and `max_queue_size` (pass them to its `super().__init__`); the "
                      f"ones given here (workers={workers}, use_multiprocessing={use_multiprocessing}, "
                      f"max_queue_size={max_queue_size}) are ignored.", stacklevel=4)
    return dataset.workers, dataset.use_multiprocessing, dataset.max_queue_size


def _is_infinite(source):
    """tf.data's INFINITE_CARDINALITY (-1) on a dataset that reports its cardinality."""
    cardinality = getattr(source, "cardinality", None)
    if not callable(cardinality) or hasattr(source, "__len__"):
        return False
    try:
        return int(np.asarray(cardinality())) == -1
    except (TypeError, ValueError):
        return False


class Trainer:
    """Owns the compiled state of one model: losses, metrics, optimizer, and the step functions."""

    def __init__(self, model, optimizer, loss_container, metrics_container, jit_compile=False):
        self.model = model
        self.optimizer = optimizer
        self.losses = loss_container
        self.metrics = metrics_container
        # jit_compile=None (the default) means eager: see _JIT_DEFAULT for the measurements behind it.
        self.jit_compile = _JIT_DEFAULT if jit_compile is None else bool(jit_compile)
        self.device = K.default_device()
        if self.device.type == "cpu":
            K.retain_freed_host_memory()  # same-sized tensors every step: no page faults (see host_memory.py)
        self._params = None
        self._no_loss = False  # set by prepare(): compiled with neither a loss nor add_loss (see require_loss)
        self._loss_scale = None
        self._jit_train = None     # the compiled training body, made after the first (eager) step
        self._jit_test = None
        self._jit_batch = None     # the batch size the compiled bodies were traced for
        self._jit_off = None       # why compilation was abandoned (warned once), or None
        self._jit_plan = None      # the optimizer's plan when the compiled step also updates the weights
        self._step_params = None   # the parameters the last eager step updated (those with a gradient)
        self.jit_compile_seconds = None  # wall time of the first compiled call (tracing + compiling)
        # A subclass's own train_step/test_step/predict_step runs instead of the built-in step (custom_step.py).
        self.custom = {name: custom_step.overrides(model, name) for name in ("train_step", "test_step",
                                                                             "predict_step")}
        if custom_step.overrides_hooks(model):  # the default step, in Python, calling the overridden hooks
            self.custom["train_step"] = self.custom["test_step"] = True
        self._custom_logs = None   # what the last custom step returned, as floats
        self.loss_tracker = custom_step.LossTracker(self)
        self.output_loss_trackers = custom_step.output_loss_trackers(self)
        # Whether a step has computed the compiled loss (a built-in step, compiled_loss, compute_loss): tf-keras
        # lists the loss trackers in model.metrics only from then on, so a custom test_step returning
        # {m.name: m.result() for m in self.metrics} without them reports no 'loss' (keras.io's distillers).
        self.loss_built = False
        self._reset_accumulators()

    # ---- accumulation on the device -------------------------------------------

    def _reset_accumulators(self):
        self._loss_sum = None
        self._output_loss_sums = None
        self._seen = 0

    def _accumulate(self, total, output_losses, batch_size):
        self.loss_built = True
        if self._loss_sum is None:
            # A 16-bit loss (mixed precision) is summed in float32, as Keras' loss tracker does: an epoch's sum
            # in bfloat16 would keep three significant digits.
            self._loss_sum = _widen(total.detach()) * batch_size
        else:  # one in-place kernel; results() hands out new tensors, so nothing outside sees this change
            self._loss_sum.add_(total.detach(), alpha=batch_size)
        if len(self.losses.losses) > 1:
            parts = [None if l is None else _widen(l.detach()) * batch_size for l in output_losses]
            if self._output_loss_sums is None:
                self._output_loss_sums = parts
            else:
                self._output_loss_sums = [a if b is None else a + b for a, b in zip(self._output_loss_sums, parts)]
        self._seen += batch_size

    def results(self):
        """Epoch-to-date logs as device tensors (read them with float()); under a custom step, what it returned."""
        if self._custom_logs is not None:
            return dict(self._custom_logs)
        return self._builtin_results()

    def _builtin_results(self):
        logs = {}
        if self._loss_sum is not None:
            logs["loss"] = self._loss_sum / self._seen
            if self._output_loss_sums is not None:
                for name, fn, value in zip(self.losses.output_names, self.losses.losses, self._output_loss_sums):
                    if value is not None:
                        logs[f"{name}_loss"] = value / self._seen
                    elif fn is not None:  # a loss whose output got no target: tf-keras logs its tracker's 0
                        logs[f"{name}_loss"] = torch.zeros_like(self._loss_sum)
        for _, obj, name, _ in self.metrics.metrics or []:
            logs[name] = obj.result()
        for metric in self._added_metrics():
            logs[metric.name] = metric.result()
        return logs

    def _added_metrics(self):
        """Metrics the model's layers report through add_metric (Mean of a value computed in call)."""
        compiled = {id(obj) for _, obj, _, _ in self.metrics.metrics or []}
        compiled.update(id(t) for t in [self.loss_tracker] + self.output_loss_trackers)
        return [m for m in self.model.metrics if id(m) not in compiled]

    def reset_metrics(self):
        self._reset_accumulators()
        self._custom_logs = None
        self.loss_tracker.reset_state()
        for tracker in self.output_loss_trackers:
            tracker.reset_state()
        self.metrics.reset()
        for metric in self._added_metrics():
            metric.reset_state()

    # ---- one step ---------------------------------------------------------------

    def trainable_params(self):
        # May be empty (every layer frozen, or none has weights): then a training step computes the loss and the
        # metrics and updates nothing, as in Keras.
        return list(self.model.trainable_weights)

    def _forward(self, x, training):
        model = self.model
        if hasattr(model, "_run") and getattr(model, "_is_graph_network", False) and not model._has_masks:
            return model._run(x, training)
        inputs = _call_inputs(model, x)
        outputs = model.call(inputs, training=training) if _accepts_training(model) else model.call(inputs)
        return _flat_outputs(model, outputs)

    def _loss(self, outputs, y, sw):
        total = None
        parts = []
        for i, (loss_obj, weight) in enumerate(zip(self.losses.losses, self.losses.weights)):
            if loss_obj is None or y[i] is None:
                parts.append(None)
                continue
            y_true, weights = _match_rank(y[i], outputs[i], None if sw is None else sw[i])
            value = loss_obj(y_true, outputs[i], weights)
            parts.append(value)
            term = value if weight == 1.0 else value * weight
            total = term if total is None else total + term
        if total is None:  # no compiled loss: the model's own losses (add_loss) are the objective
            total = outputs[0].new_zeros(())
        return total, parts

    def _regularization(self, collected):
        terms = self._reg_terms
        if not terms and not collected:  # the common case: nothing to add, no list to build
            return None
        extra = [reg(w) if w is not None else reg(None) for reg, w in terms]
        extra.extend(collected or ())
        if not extra:
            return None
        out = extra[0]
        for t in extra[1:]:
            out = out + t
        return out

    def prepare(self, training=True):
        # A model left for its own steps to build (Model._build_unless_own_steps_will) has no weights to list
        # yet; those steps use none of what is gathered here from them.
        unbuilt = self.model.__dict__.get("_built_by_own_steps") and not self.model.built
        params = [] if unbuilt else self.trainable_params()
        if self._jit_plan is not None and [id(p) for p in params] != [id(p) for p in self._params]:
            # Trainable weights changed since the whole step was compiled with the optimizer's plan for the old
            # ones: compile again after the next eager step.
            self._jit_train = self._jit_test = self._jit_plan = None
        self._params = params
        self._reg_terms = [] if unbuilt else self.model._regularization_terms()
        self._constrained = [] if unbuilt else \
            [w for w in self.model.weights if getattr(w, "constraint", None) is not None]
        layers = _all_layers(self.model)
        refuse_symbolic_losses(layers + [self.model])
        self._collect_losses = _has_activity_losses(self.model, layers)
        # Whether *_on_batch must copy their inputs (see user_code.py): worked out with the other walks over the
        # layers here, not on every call.
        self.private_inputs = user_code.may_write_into_inputs(self.model)
        self._no_loss = all(loss is None for loss in self.losses.losses) and not self._collect_losses \
            and not self._reg_terms and not (self.custom["train_step"] or self.custom["test_step"])
        if training:
            self.require_loss()
        # A LossScaleOptimizer (mixed_float16) wants the gradients of the scaled loss: its device-side scale.
        self._loss_scale = getattr(self.optimizer, "_trainer_loss_scale", None)
        # Row-sparse Embedding gradients on the CPU, for optimizers that apply them row by row (a large table
        # then costs its looked-up rows plus one decay pass, not a table-sized gradient and update) or clip them
        # as tf-keras does. On a GPU the dense update is a few bandwidth-bound kernels, cheaper than sorting rows.
        self._sparse_table_grads = (self.device.type == "cpu" and self._loss_scale is None
                                    and getattr(self.optimizer, "_takes_row_sparse_gradients", False))

    def require_loss(self):
        # Only training needs a loss: tf-keras evaluates a model compiled with metrics alone (loss 0.0 beside
        # the metrics; keras.io's knowledge-distillation recipe evaluates its student so) and refuses to fit it.
        if self._no_loss:
            raise ValueError(f'No loss found for model "{self.model.name}": compile() was given no `loss` and the '
                             "model adds none with add_loss(). Pass `loss=` to compile().")

    # The part of a step that jit_compile compiles: forward, loss and gradients. The optimizer update stays
    # outside (its scalars are worked out on the host in float32 as Keras does, and its foreach kernels are
    # already a fixed handful per step).

    def _train_body(self, x, y, sw):
        outputs = self._forward(x, True)
        total, parts = self._loss(outputs, y, sw)
        reg = self._regularization(CONTEXT.losses)
        if reg is not None:
            total = total + reg
        target = total
        if total.dim():
            # An add_loss() of one value per sample (keras.io's captcha OCR adds ctc_batch_cost's (batch, 1)
            # losses): tf-keras differentiates their sum and reports their mean.
            target, total = total.sum(), total.mean()
        if not self._params:
            return total, parts, outputs, ()
        if self._loss_scale is not None:
            target = target.float() * self._loss_scale
        grads = torch.autograd.grad(target, self._params, allow_unused=True)
        return total, parts, outputs, grads

    def _test_body(self, x, y, sw):
        outputs = self._forward(x, False)
        total, parts = self._loss(outputs, y, sw)
        reg = self._regularization(CONTEXT.losses)
        if reg is not None:
            total = total + reg
        if total.dim():  # per-sample add_loss() values: their mean, as tf-keras reports them
            total = total.mean()
        return total, parts, outputs

    def _compiled_train_body(self, x, y, sw):
        total, parts, outputs, grads = self._train_body(x, y, sw)
        # A compiled graph may not return tensors whose autograd history its own backward consumed.
        return total.detach(), [None if p is None else p.detach() for p in parts], [o.detach() for o in outputs], \
            grads

    def _compiled_train_step(self, x, y, sw, scalars):
        """The whole step as one graph: forward, loss, gradients and the optimizer's update (its scalars, from
        the host, are the graph's input ``scalars``). Metrics and constraints stay outside."""
        total, parts, outputs, grads = self._train_body(x, y, sw)
        self.optimizer.update_in_compiled_step(self._jit_plan, [g for g in grads if g is not None], scalars)
        return total.detach(), [None if p is None else p.detach() for p in parts], [o.detach() for o in outputs]

    def _custom_step(self, method, x, y, sw):
        """The model's own ``train_step``/``test_step`` on one batch; its returned logs become the results."""
        custom_step.build_metrics_before_first_step(self, y)
        data = custom_step.pack_data(self.model, x, y, sw)
        if method == "train_step":
            logs = self.model.train_step(data)
        else:
            with torch.no_grad():
                logs = self.model.test_step(data)
        self.loss_tracker.flush()  # a loss compute_loss deferred and nothing read: it still counts
        self._custom_logs = custom_step.flat_logs(logs)

    def builtin_step_logs(self, data, training):
        """Model.train_step / test_step's default: the built-in step on ``data``, returning the logs."""
        from fastkeras.utils.data_tuples import unpack_x_y_sample_weight
        x, y, sw = unpack_x_y_sample_weight(data)
        names = self.losses.output_names
        as_list = lambda values: None if values is None else [  # noqa: E731
            None if v is None else _to_device(v, self.device) for v in values]
        structure = structure_of(self.model, "outputs")
        xs = as_list(custom_step.per_input(self.model, x))
        ys = None if y is None else as_list(custom_step.per_output(y, names, structure=structure))
        sws = None if sw is None else as_list(custom_step.per_output(sw, names, "sample weights", structure))
        if self._params is None:
            self.prepare(training)
        if training:
            self.require_loss()
            self._builtin_train_step(xs, ys, sws)
        else:
            self._builtin_test_step(xs, ys, sws)
        return self._builtin_results()

    def train_step(self, x, y, sw):
        if self.custom["train_step"]:
            return self._custom_step("train_step", x, y, sw)
        return self._builtin_train_step(x, y, sw)

    def _builtin_train_step(self, x, y, sw):
        if y is None:  # a model trained only on its add_loss() losses
            y = [None] * len(self.losses.losses)
        CONTEXT.training = True
        CONTEXT.losses = [] if self._collect_losses else None
        try:
            result = None
            if self._jit_train is not None and x[0].shape[0] == self._jit_batch:
                if self._jit_plan is not None:
                    result = self._run_whole_step(x, y, sw)
                else:
                    result = self._run_compiled("_jit_train", x, y, sw)
            if result is None:
                CONTEXT.sparse_table_grads = self._sparse_table_grads
                result = self._train_body(x, y, sw)
        except RuntimeError as e:
            if "Can't call numpy() on Tensor that requires grad" in str(e):
                raise TypeError(_NUMPY_IN_GRADIENT_PATH) from e
            raise
        finally:
            CONTEXT.training = None
            CONTEXT.losses = None
            CONTEXT.sparse_table_grads = False
        total, parts, outputs = result[:3]
        if self.metrics.metrics is None:
            self._build_metrics(y, outputs)
        if len(result) == 4 and self._params:  # the gradients: the optimizer's update is still to do
            params, grads = _drop_unused(self._params, result[3])
            self._step_params = params
            self.optimizer.step(params, grads)
        if self._constrained:
            with torch.no_grad():
                for w in self._constrained:
                    w.copy_(w.constraint(w))
        batch_size = int(x[0].shape[0])
        self._accumulate(total, parts, batch_size)
        if self.metrics.metrics:
            with torch.no_grad():
                self._update_metrics(y, outputs, sw)
        if self.jit_compile and self._jit_train is None and self._jit_off is None:
            self._start_jit(batch_size)  # after one eager step: metrics, optimizer slots and shapes exist
        return total

    def test_step(self, x, y, sw):
        if self.custom["test_step"]:
            return self._custom_step("test_step", x, y, sw)
        return self._builtin_test_step(x, y, sw)

    def _builtin_test_step(self, x, y, sw):
        if y is None:
            y = [None] * len(self.losses.losses)
        with torch.no_grad():
            CONTEXT.training = False
            CONTEXT.losses = [] if self._collect_losses else None
            try:
                result = None
                if self._jit_test is not None and x[0].shape[0] == self._jit_batch:
                    result = self._run_compiled("_jit_test", x, y, sw)
                total, parts, outputs = result if result is not None else self._test_body(x, y, sw)
            finally:
                CONTEXT.training = None
                CONTEXT.losses = None
            if self.metrics.metrics is None:
                self._build_metrics(y, outputs)
            self._accumulate(total, parts, int(x[0].shape[0]))
            if self.metrics.metrics:
                self._update_metrics(y, outputs, sw)
        return total

    def _build_metrics(self, y, outputs):
        if self.metrics.metrics is None:
            self.metrics.build([None if t is None else tuple(t.shape) for t in y], [tuple(o.shape) for o in outputs])

    def _update_metrics(self, y, outputs, sw):
        for i, obj, _, weighted in self.metrics.metrics:
            if y[i] is None:
                continue
            y_true, weights = _match_rank(y[i], outputs[i], sw[i] if (weighted and sw is not None) else None)
            mask = getattr(outputs[i], "_keras_mask", None)
            if mask is not None:  # masked steps of a sequence output do not count, as in Keras 2
                weights = _mask_as_weights(mask, weights, outputs[i].dtype)
            obj.update_state(y_true, outputs[i], sample_weight=weights)

    # ---- jit_compile ------------------------------------------------------------------

    def _start_jit(self, batch_size):
        reason = K.jit_available() or _jit_unsupported_reason(self.model)
        if reason is not None:
            self._abandon_jit(reason)
            return
        self._jit_batch = batch_size
        if getattr(self.optimizer, "updates_in_compiled_step", False) and self._step_params:
            # The optimizer's update joins the graph: one compiled call per step (see _compiled_train_step).
            self._jit_plan = self.optimizer._plan(self._step_params)
            self._jit_train = K.compile_step(self._compiled_train_step, f"train_step_{self.model.name}")
        else:
            self._jit_train = K.compile_step(self._compiled_train_body, f"train_step_{self.model.name}")
        self._jit_test = K.compile_step(self._test_body, f"test_step_{self.model.name}")
        self._jit_first = {"_jit_train", "_jit_test"}

    def _run_whole_step(self, x, y, sw):
        iteration, scalars = self.optimizer.compiled_step_inputs(self._jit_plan)
        result = self._run_compiled("_jit_train", x, y, sw, scalars)
        if result is not None:
            self.optimizer.finish_compiled_step(self._jit_plan, iteration)
        return result

    def _run_compiled(self, which, *args):
        """The compiled step's result, or None when it could not be compiled (the caller then runs eagerly)."""
        first = which in self._jit_first
        start = time.perf_counter() if first else None
        try:
            result = getattr(self, which)(*args)
        except Exception as e:  # noqa: BLE001 - any failure to compile means: run this model eagerly
            self._abandon_jit(K.compile_error_reason(e))
            return None
        if first:
            self._jit_first.discard(which)
            if which == "_jit_train":
                self.jit_compile_seconds = time.perf_counter() - start
        return result

    def _abandon_jit(self, reason):
        self._jit_train = self._jit_test = None
        self._jit_plan = None
        self._jit_off = reason
        warnings.warn(f'jit_compile=True: model "{self.model.name}" runs eagerly instead, because {reason}',
                      stacklevel=6)  # the user's fit() or evaluate() call


# What jit_compile=None means: eager. Measured on the seeds' models (benchmarks/run.py --jit, CPU,
# docs/benchmarks.md): compiling the MLP's whole step takes 9 s cold (2 s with a warm Inductor cache) and saves
# 0.16 of 0.34 ms per step, so it pays back after ~60,000 steps, far more than a few epochs; the convnet's and
# the Inception block's take ~8 s and pay back after a few hundred steps; Embedding models are slower compiled
# (no row-sparse update) and LSTM models may not compile at all. A few epochs of a small model, the common case,
# are faster eager, and eager never pauses or falls back with a warning: long convnet fits opt in.
_JIT_DEFAULT = False


def _jit_unsupported_reason(model):
    """Why torch.compile cannot take this model's step as one graph (None when it may try)."""
    for layer in [model] + _all_layers(model):
        if getattr(layer, "stateful", False):
            return (f'layer "{layer.name}" is stateful: its state carries over between batches in Python, '
                    "outside a compiled graph")
    if getattr(model, "_has_masks", False):
        return "its layers pass Keras masks along as Python attributes of tensors, which a compiled graph drops"
    return None


def _widen(t):
    return t.float() if t.dtype in (torch.float16, torch.bfloat16) else t


def _needs_targets(trainer, step):
    """Whether the built-in ``step`` ('train_step' or 'test_step') needs targets: a compiled loss does, unless
    the model has its own step, which decides (keras.io's diffusion models compile a loss and fit on images
    alone)."""
    return not trainer.custom[step] and any(loss is not None for loss in trainer.losses.losses)


def _match_rank(y_true, y_pred, sample_weight):
    """tf-keras' match_dtype_and_rank (compile_utils), rank part: against a 2-D output, 1-D targets and
    1-D sample weights become columns, so a per-sample loss such as binary cross-entropy of a (batch, 1)
    output keeps its batch dimension and meets weights of the same shape."""
    if y_pred.dim() == 2:
        if y_true is not None and y_true.dim() == 1:
            y_true = y_true.unsqueeze(-1)
        if sample_weight is not None and sample_weight.dim() == 1:
            sample_weight = sample_weight.unsqueeze(-1)
    return y_true, sample_weight


def _mask_as_weights(mask, sample_weight, dtype):
    mask = K.cast(mask, dtype)
    if sample_weight is None:
        return mask
    sample_weight = K.cast(sample_weight, dtype)
    while K.ndim(sample_weight) < K.ndim(mask):
        sample_weight = K.expand_dims(sample_weight, -1)
    return mask * sample_weight


def _drop_unused(params, grads):
    if all(g is not None for g in grads):
        return params, list(grads)
    pairs = [(p, g) for p, g in zip(params, grads) if g is not None]
    return [p for p, _ in pairs], [g for _, g in pairs]


def _call_inputs(model, xs):
    """The batch arrays ``xs`` (in ``input_names`` order) as a subclassed model's ``call`` takes them: a dict
    when it was built from a dict of inputs, else one array or the list."""
    keys = getattr(model, "_call_input_keys", None)
    if keys is not None:
        return dict(zip(keys, xs))
    return xs if len(xs) > 1 else xs[0]


def _accepts_training(model):
    from fastkeras.engine.base_layer import _call_arguments
    return _call_arguments(type(model))[1]


def _all_layers(model):
    """Every layer inside ``model``: nested models and wrapped layers included."""
    found, stack = [], list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop()
        found.append(layer)
        stack.extend(getattr(layer, "layers", None) or [])
        inner = getattr(layer, "layer", None)
        if inner is not None and not callable(getattr(type(layer), "layer", None)):
            stack.append(inner)
    return found


def _call_function(layer):
    """The function of ``layer``'s class that computes its call (under the check for symbolic inputs)."""
    fn = type(layer).call
    return getattr(fn, "_computes", fn)


def _call_code(layer):
    return _call_function(layer).__code__


def _has_activity_losses(model, layers):
    """Whether a step must collect losses computed during the forward pass (``layers``: ``_all_layers(model)``)."""
    if any(getattr(layer, "activity_regularizer", None) is not None for layer in layers):
        return True
    # Custom layers may call add_loss() inside call(); collecting costs one list per step.
    from fastkeras.engine.base_layer import Layer
    return any(type(layer).call is not Layer.call and "add_loss" in _call_code(layer).co_names
               for layer in layers if hasattr(_call_function(layer), "__code__")) or \
        (not getattr(model, "_is_graph_network", False))


# ---- the public loops --------------------------------------------------------------

def _targets_of_outputs_with_loss(trainer, y, n_outputs):
    """Keras 2 took targets for the outputs that have a loss only (``loss={'out_b': 'mse'}``, ``y=[y_b]``): such a
    list, shorter than the outputs and as long as the outputs with a loss, goes to those outputs."""
    if trainer is None or n_outputs < 2 or not isinstance(y, (list, tuple)):
        return y
    with_loss = [i for i, loss in enumerate(trainer.losses.losses) if loss is not None]
    if not len(y) == len(with_loss) < n_outputs:
        return y
    full = [None] * n_outputs
    for i, target in zip(with_loss, y):
        full[i] = target
    return full


def _check_class_weight(model, class_weight):
    """tf-keras' rules, checked before anything trains: a weight for every class, and a single-output model."""
    data_adapter.check_class_weight_keys(class_weight)
    if len(model.output_names) > 1:  # (Keras 2.2 took one dict per output)
        raise ValueError(f'`class_weight` is only supported for Models with a single output; model '
                         f'"{model.name}" has {len(model.output_names)} ({model.output_names}). Pass '
                         "`sample_weight` per output instead.")


def _standardize_all(model, trainer, x, y, sample_weight, class_weight, check_targets=True, weigh_classes=True):
    xs = data_adapter.standardize(x, model.input_names, "input", model.name, structure=structure_of(model, "inputs"))
    y = _targets_of_outputs_with_loss(trainer, y, len(model.output_names))
    ys = data_adapter.standardize(y, model.output_names, "target", model.name, broadcast=True,
                                  structure=structure_of(model, "outputs")) if y is not None else None
    sws = None
    if sample_weight is not None:
        if isinstance(sample_weight, dict) or (isinstance(sample_weight, (list, tuple)) and
                                               len(model.output_names) > 1):
            sws = data_adapter.standardize(sample_weight, model.output_names, "sample_weight", model.name,
                                           structure=structure_of(model, "outputs"))
        else:
            sws = [np.asarray(sample_weight) if not K.is_tensor(sample_weight) else sample_weight] * \
                len(model.output_names)
    if class_weight is not None:
        _check_class_weight(model, class_weight)
        if ys is None:
            raise ValueError("`class_weight` needs targets `y`.")
    data_adapter.check_cardinality(xs, ys, sws)
    data_adapter.check_sample_weights(ys, sws, model.output_names)
    if getattr(model, "inputs", None) is not None:  # (none yet: a model whose own steps build what they call)
        xs = data_adapter.check_input_shapes(model, xs)
    if ys is not None and check_targets and trainer is not None:
        data_adapter.check_targets(model, ys, trainer.losses.losses)
    if class_weight is not None and weigh_classes:
        sws = _with_class_weights(ys, sws, class_weight)
    return xs, ys, sws


def _with_class_weights(ys, sws, class_weight):
    """The sample weights times each sample's class weight (the only output's targets say the class)."""
    cw = data_adapter.class_weights_to_sample_weights(ys[0], class_weight)
    return [cw if s is None else np.asarray(s) * cw for s in (sws or [None] * len(ys))]


def _epoch_logs(trainer, prefix=""):
    return {prefix + k: float(v) if K.is_tensor(v) or isinstance(v, (int, float, np.number)) else v
            for k, v in trainer.results().items()}


def _is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _batch_size(value, name="batch_size"):
    """``value`` as a positive int (None: Keras' default of 32). 0 is refused rather than read as "not given"."""
    if value is None:
        return 32
    if not _is_integer(value) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer, received {value!r}.")
    return int(value)


def fit(model, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
        validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
        steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1,
        max_queue_size=10, workers=1, use_multiprocessing=False):
    trainer = _require_compiled(model, "fit")
    if x is None:
        raise ValueError("fit() needs training data `x` (and targets `y`).")
    iterator_input = data_adapter.is_iterator_input(x)
    # A generator, Sequence, PyDataset or DataLoader yields its own batches: tf-keras and Keras 3 ignore
    # `batch_size` then (keras.io's Keras 3 training guide passes batch_size=64 with a PyDataset).
    batch_size = _batch_size(batch_size)
    validation_batch_size = None if validation_batch_size is None else \
        _batch_size(validation_batch_size, "validation_batch_size")
    if not _is_integer(epochs) or epochs < 0:
        raise ValueError(f"`epochs` must be a non-negative integer, received {epochs!r}.")
    epochs = int(epochs)
    val_batches = None
    if iterator_input:
        if y is not None:
            raise ValueError("`y` must be None when `x` is a generator, Sequence or DataLoader (it yields targets).")
        if class_weight is not None:
            _check_class_weight(model, class_weight)
        batches = _IteratorBatches(x, steps_per_epoch, model, trainer.device, workers=workers,
                                   use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size,
                                   class_weight=class_weight, shuffle=shuffle, keep_position=True)
        _ensure_built_from_iterator(model, batches)
    else:
        if y is None:
            if _needs_targets(trainer, "train_step"):
                raise ValueError(f'fit() needs targets `y` for model "{model.name}" (outputs {model.output_names}).')
        _ensure_built(model, x)
        # Class weights weigh the training samples only, as in tf-keras: the validation split keeps the
        # sample weights it was given.
        split = validation_split and validation_data is None
        xs, ys, sws = _standardize_all(model, trainer, x, y, sample_weight, class_weight, weigh_classes=not split)
        if split:
            (xs, ys, sws), (vx, vy, vsw) = data_adapter.split_validation([xs, ys, sws], validation_split)
            if class_weight is not None:
                sws = _with_class_weights(ys, sws, class_weight)
            val_batches = _Batches([vx, vy, vsw], validation_batch_size or batch_size, False, trainer.device,
                                   user_code.may_write_into_inputs(model))
        batches = _Batches([xs, ys, sws], batch_size, shuffle, trainer.device, user_code.may_write_into_inputs(model))
        if not batches.n:  # as tf-keras, before any callback runs or any weight changes
            raise ValueError(f'fit() received no data for model "{model.name}": the training input has zero '
                             f"samples{' after the validation split' if split else ''}.")
        if steps_per_epoch is not None:
            batches.steps = min(batches.steps, steps_per_epoch)
    # keras.config.set_max_epochs / set_max_steps_per_epoch: caps on every fit (a debugging aid, as in Keras 3).
    from fastkeras import config
    if config.max_epochs() is not None:
        epochs = min(epochs, config.max_epochs())
    if config.max_steps_per_epoch() is not None:
        batches.steps = min(batches.steps or config.max_steps_per_epoch(), config.max_steps_per_epoch())
    if validation_data is not None:
        reading = dict(workers=workers, use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)
        val_batches = _validation_batches(model, trainer, validation_data, validation_batch_size or batch_size,
                                          validation_steps, reading)

    trainer.prepare()
    cbs = callbacks_module.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                                        verbose=verbose, epochs=epochs, steps=len(batches) or None)
    model.stop_training = False
    # Batch hooks (and the device reads their logs may need) only when some callback listens.
    train_hooks = cbs.needs_batch_logs("train")
    cbs.on_train_begin()
    # BackupAndRestore found an interrupted run's backup in on_train_begin: continue at its epoch and step. As in
    # tf-keras, a resumed epoch counts its steps from that step on and runs only the steps left, on the data's
    # first batches.
    initial_epoch, initial_step = model.__dict__.pop("_resume_at", (initial_epoch, 0))
    logs = {}
    try:
        for epoch in range(initial_epoch, epochs):
            trainer.reset_metrics()
            cbs.on_epoch_begin(epoch)
            first_step, initial_step = initial_step, 0
            steps_done = first_step
            for step, (bx, by, bsw) in enumerate(batches, start=first_step):
                if first_step and batches.steps and step >= batches.steps:
                    break
                if train_hooks:
                    cbs.on_train_batch_begin(step)
                trainer.train_step(bx, by, bsw)
                steps_done = step + 1
                if train_hooks:
                    cbs.on_train_batch_end(step, trainer.results())
                if model.stop_training:
                    break
            if not batches.steps:
                batches.steps = steps_done
            logs = _epoch_logs(trainer)
            if val_batches is not None and _should_validate(epoch, validation_freq):
                cbs.on_test_begin()
                val_logs = _run_evaluation(model, trainer, val_batches, cbs)
                cbs.on_test_end(val_logs)
                logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by the user (Ctrl-C); the model keeps the weights of the last "
                      "completed step.")
        cbs.on_train_end(logs)
        raise
    # Optimizers keeping an average of the weights (use_ema) write it into the model at the end, as Keras.
    finalize = getattr(trainer.optimizer, "finalize_variable_values", None)
    if finalize is not None:
        finalize(trainer._params)
    cbs.on_train_end(logs)
    return model.history


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int):
        if validation_freq < 1:
            raise ValueError(f"`validation_freq` must be a positive integer, received {validation_freq}.")
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq


def _validation_batches(model, trainer, validation_data, batch_size, steps, reading=None):
    if data_adapter.is_iterator_input(validation_data):
        return _IteratorBatches(validation_data, steps, model, trainer.device, **(reading or {}))
    # (x_val,) too, as tf-keras unpacks it: a model whose losses come from add_loss (keras.io's captcha OCR, an
    # endpoint CTC layer) has no targets to validate against.
    if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (1, 2, 3):
        raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or `(x_val, y_val, val_sample_weights)`"
                         f" (or `(x_val,)` for a model without targets), received {type(validation_data).__name__}"
                         f" of length {len(validation_data) if hasattr(validation_data, '__len__') else '?'}.")
    vx = validation_data[0]
    vy = validation_data[1] if len(validation_data) > 1 else None
    vsw = validation_data[2] if len(validation_data) == 3 else None
    xs, ys, sws = _standardize_all(model, trainer, vx, vy, vsw, None)
    if ys is None and _needs_targets(trainer, "test_step"):
        raise ValueError(f'`validation_data` has no targets `y_val`, which the compiled loss of model "{model.name}" '
                         "needs: pass `(x_val, y_val)`.")
    return _Batches([xs, ys, sws], batch_size, False, trainer.device, user_code.may_write_into_inputs(model))


def _run_evaluation(model, trainer, batches, cbs):
    trainer.reset_metrics()
    test_hooks = cbs is not None and cbs.needs_batch_logs("test")
    for step, (bx, by, bsw) in enumerate(batches):
        if test_hooks:
            cbs.on_test_batch_begin(step)
        trainer.test_step(bx, by, bsw)
        if test_hooks:
            cbs.on_test_batch_end(step, trainer.results())
    return _epoch_logs(trainer)


def evaluate(model, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None, callbacks=None,
             return_dict=False, max_queue_size=10, workers=1, use_multiprocessing=False, **kwargs):
    trainer = _require_compiled(model, "evaluate")
    if x is None:
        raise ValueError("evaluate() needs input data `x`.")
    if data_adapter.is_iterator_input(x):
        batches = _IteratorBatches(x, steps, model, trainer.device, workers=workers,
                                   use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)
    else:
        _ensure_built(model, x)
        xs, ys, sws = _standardize_all(model, trainer, x, y, sample_weight, None)
        if ys is None and _needs_targets(trainer, "test_step"):
            raise ValueError(f'evaluate() needs targets `y` for model "{model.name}".')
        batches = _Batches([xs, ys, sws], _batch_size(batch_size), False, trainer.device,
                           user_code.may_write_into_inputs(model))
        if not batches.n:
            raise ValueError(f'evaluate() received no data for model "{model.name}": the input has zero samples.')
        if steps is not None:
            batches.steps = min(batches.steps, steps)
    trainer.prepare(training=False)
    cbs = callbacks_module.CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=model,
                                        verbose=verbose, epochs=1, steps=len(batches) or None)
    cbs.on_test_begin()
    logs = _run_evaluation(model, trainer, batches, cbs)
    cbs.on_test_end(logs)
    return _format_results(trainer, logs, return_dict)


def _format_results(trainer, logs, return_dict):
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def predict(model, x, batch_size=None, verbose=0, steps=None, callbacks=None, max_queue_size=10, workers=1,
            use_multiprocessing=False, **kwargs):
    if x is None:
        raise ValueError("predict() needs input data `x`.")
    device = K.default_device()
    if device.type == "cpu":
        K.retain_freed_host_memory()
    if data_adapter.is_iterator_input(x):
        batches = _IteratorBatches(x, steps, model, device, with_targets=False, workers=workers,
                                   use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)
    else:
        _ensure_built(model, x)
        xs = data_adapter.standardize(x, model.input_names, "input", model.name, structure=structure_of(model, "inputs"))
        data_adapter.check_cardinality(xs, None, None)
        xs = data_adapter.check_input_shapes(model, xs)
        batches = _Batches([xs, None, None], _batch_size(batch_size), False, device, user_code.may_write_into_inputs(model))
        if steps is not None:
            batches.steps = min(batches.steps, steps)
    cbs = callbacks_module.CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=model,
                                        verbose=verbose, epochs=1, steps=len(batches) or None)
    cbs.on_predict_begin()
    chunks = structure = None
    custom = custom_step.overrides(model, "predict_step")
    # On the CPU, predict lets glibc reuse even large blocks: no gradient graph keeps them alive (host_memory.py).
    host_memory = K.inference_host_memory() if device.type == "cpu" else contextlib.nullcontext()
    with host_memory, torch.inference_mode():
        for step, (bx, _, _) in enumerate(batches):
            cbs.on_predict_batch_begin(step)
            if custom:
                outs, structure = custom_step.run_predict_step(model, bx)
            else:
                outs = _forward_inference(model, bx)
            chunks = [[o] for o in outs] if chunks is None else [c + [o] for c, o in zip(chunks, outs)]
            # The batch's predictions, as tf-keras and Keras 3 hand them to callbacks (keras.io's callbacks
            # guide); read back to numpy only for callbacks that do not take engine values.
            if custom:
                batch_outputs = tree.pack_sequence_as(structure, outs)
            else:
                batch_outputs = outs[0] if len(outs) == 1 else list(outs)
            cbs.on_predict_batch_end(step, {"outputs": batch_outputs})
    cbs.on_predict_end()
    if chunks is None:
        raise ValueError("predict() received no data: the input has zero samples or the iterator yielded nothing.")
    results = [K.to_numpy(torch.cat([K.convert_to_tensor(o) for o in c], 0)) for c in chunks]
    if custom:  # what predict_step returned (a tensor, a list, a dict ...), batches joined
        return tree.pack_sequence_as(structure, results)
    return _pack_predictions(model, results)


def _pack_predictions(model, results):
    """Predictions in the structure of the model's outputs where that is more than a flat list, as
    tf-keras and Keras 3 return them: a dict for dict outputs, nested lists for nested ones (keras.io's
    involution example predicts ``Model(x, [layer.output ...])`` of layers returning pairs and unpacks them)."""
    structure = structure_of(model, "outputs")
    if structure is not None:
        return tree.pack_sequence_as(structure, results)
    return results[0] if len(results) == 1 else results


def _forward_inference(model, x):
    CONTEXT.training = False
    try:
        if getattr(model, "_is_graph_network", False) and not model._has_masks:
            return model._run(x, False)
        out = model(_call_inputs(model, x))
    finally:
        CONTEXT.training = None
    return _flat_outputs(model, out)


# torch's words when a layer's call mixes a NumPy array into a computation that is being differentiated
# (TensorFlow converts the array; torch hands the tensor to NumPy instead), said in a Keras user's terms.
_NUMPY_IN_GRADIENT_PATH = (
    "A NumPy array met a tensor in the training step (e.g. `inputs * numpy_array` or `np.concatenate` of tensors "
    "in a layer's call(); the line is in the traceback above). TensorFlow converts such arrays, but fastkeras runs "
    "on torch, where NumPy cannot take part in a computation that is differentiated. Make the array a tensor once "
    "(`keras.ops.convert_to_tensor(array)` or `keras.backend.constant(array)`, e.g. in build()) and use "
    "`keras.ops` functions on tensors.")


def _flat_outputs(model, outputs):
    """A model's call result as a list in ``model.outputs`` order: a dict by output name (a subclassed model's),
    else in tf.nest order (a functional model's own structure)."""
    if isinstance(outputs, dict) and all(name in outputs for name in model.output_names):
        return [outputs[name] for name in model.output_names]
    return tree.flatten(outputs)


def train_on_batch(model, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True, return_dict=False):
    trainer = _require_compiled(model, "train_on_batch")
    _ensure_built(model, x)
    xs, ys, sws = _standardize_all(model, trainer, x, y, sample_weight, class_weight)
    if ys is None and _needs_targets(trainer, "train_step"):
        raise ValueError("train_on_batch() needs targets `y`.")
    if reset_metrics:
        trainer.reset_metrics()
    if trainer._params is None or reset_metrics:
        trainer.prepare()
    trainer.require_loss()  # prepared by evaluate or test_on_batch, which need none
    bx, by, bsw = _batch_on_device(trainer, xs, ys, sws)
    trainer.train_step(bx, by, bsw)
    return _format_results(trainer, _epoch_logs(trainer), return_dict)


def test_on_batch(model, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
    trainer = _require_compiled(model, "test_on_batch")
    _ensure_built(model, x)
    xs, ys, sws = _standardize_all(model, trainer, x, y, sample_weight, None)
    if ys is None and _needs_targets(trainer, "test_step"):
        raise ValueError("test_on_batch() needs targets `y`.")
    if reset_metrics:
        trainer.reset_metrics()
    trainer.prepare(training=False)
    bx, by, bsw = _batch_on_device(trainer, xs, ys, sws)
    trainer.test_step(bx, by, bsw)
    return _format_results(trainer, _epoch_logs(trainer), return_dict)


def _batch_on_device(trainer, xs, ys, sws):
    """One batch's inputs, targets and sample weights as tensors on the trainer's device; the inputs may stay
    views of the caller's arrays when the model cannot write into them (decided in ``prepare``)."""
    return [None if arrays is None else
            [None if a is None else _to_device(a, trainer.device, private=bool(k) or trainer.private_inputs)
             for a in arrays]
            for k, arrays in enumerate((xs, ys, sws))]


def predict_on_batch(model, x):
    _ensure_built(model, x)
    xs = data_adapter.standardize(x, model.input_names, "input", model.name, structure=structure_of(model, "inputs"))
    xs = data_adapter.check_input_shapes(model, xs)
    device = K.default_device()
    with torch.inference_mode():
        outs = _forward_inference(model, [_to_device(a, device) for a in xs])
    return _pack_predictions(model, [K.to_numpy(o) for o in outs])


def _require_compiled(model, method):
    trainer = getattr(model, "_trainer", None)
    if trainer is None:
        raise RuntimeError(f'You must compile model "{model.name}" before {"training" if method in ("fit", "train_on_batch") else "testing"}'
                           f" it: call `model.compile(optimizer, loss)` before `{method}()`.")
    return trainer


def _ensure_built(model, x):
    """Builds a Sequential model that has no input shape yet from the first data it gets."""
    if model.built and getattr(model, "_is_graph_network", True) or model.__dict__.get("_built_by_own_steps"):
        return  # (a model whose own steps build what they call: Model._build_unless_own_steps_will)
    first = x
    while isinstance(first, (list, tuple)):
        first = first[0]
    if isinstance(first, dict):
        first = next(iter(first.values()))
    shape = tuple(np.shape(first)) if not K.is_tensor(first) else tuple(first.shape)
    model.build((None,) + shape[1:])


def peek_batch(data):
    """(the first batch of ``data``, data to read from the start): a DataLoader or an indexed Sequence/PyDataset
    is read again from its start anyway; a generator gets its first batch back in front of the rest."""
    import itertools
    if isinstance(data, torch.utils.data.DataLoader) or \
            (not hasattr(data, "__next__") and not hasattr(data, "__getitem__") and hasattr(data, "__iter__")):
        return next(iter(data), None), data
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and not hasattr(data, "__next__"):
        return (data[0] if len(data) else None), data
    if hasattr(data, "__next__"):
        try:
            first = next(data)
        except StopIteration:
            return None, data
        return first, itertools.chain([first], data)
    return None, data


def _ensure_built_from_iterator(model, batches):
    if model.built and (getattr(model, "_is_graph_network", True) or getattr(model, "outputs", None) is not None):
        return  # a subclassed model built from the first batch (Model._ensure_ready) counts too
    raise ValueError(f'Model "{model.name}" has no input shape yet; build it (model.build(input_shape) or give the '
                     "first layer an `input_shape`) before fitting on a generator.")
