"""Models that override ``train_step``, ``test_step`` or ``predict_step`` (Keras 2's and Keras 3's "customizing
what happens in fit()").

fit/evaluate/predict then call the override once per batch with ``data`` as tf-keras packs it (``x`` alone,
``(x, y)`` or ``(x, y, sample_weight)``; ``x`` one tensor or, for several inputs, a list) and log what it
returns. Inside,
the Keras helpers work as in tf-keras: ``compiled_loss(y, y_pred, sample_weight, regularization_losses)`` (which
also updates the ``loss`` tracker), ``compiled_metrics.update_state(y, y_pred, sample_weight)``,
``compute_loss``/``compute_metrics``, ``optimizer.apply_gradients`` or Keras 3's ``optimizer.apply``, and
``self.metrics`` lists the loss tracker, the compiled metrics and the model's own Metric attributes. Gradients
come from PyTorch's autograd (``loss.backward()`` or ``K.gradients``) where TensorFlow code uses a GradientTape.
"""
from fastkeras import backend as K
from fastkeras import metrics as metrics_module
from fastkeras.engine import io_structure, tree


def overrides(model, method):
    """Whether ``model``'s class replaces Model's ``method``."""
    from fastkeras.engine.training import Model
    return getattr(type(model), method, None) is not getattr(Model, method)


def overrides_hooks(model):
    """Whether the model customizes the default step through ``compute_loss`` or ``compute_metrics`` (which the
    default train/test step of tf-keras 2.11+ and Keras 3 calls) rather than replacing the step."""
    return overrides(model, "compute_loss") or overrides(model, "compute_metrics")


def _compute_loss(model, x, y, y_pred, sample_weight, training):
    import inspect
    kwargs = dict(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
    if "training" in inspect.signature(model.compute_loss).parameters:
        kwargs["training"] = training
    loss = model.compute_loss(**kwargs)
    if overrides(model, "compute_loss"):
        # Keras 3's default step tracks the loss an override returns.
        model._trainer.loss_built = True
        model._trainer.loss_tracker.defer(loss, batch_size_of(y_pred))
    return loss


def batch_size_of(y_pred):
    """The batch size of predictions (a tensor or a structure of them): the loss tracker's weight for a batch."""
    first = tree.flatten(y_pred)[0] if y_pred is not None else None
    return first.shape[0] if K.is_tensor(first) and K.ndim(first) else 1


def hooked_train_step(model, data):
    """The default training step written out in Python, for a model that overrides ``compute_loss`` or
    ``compute_metrics``: forward, ``compute_loss``, gradients, the optimizer, ``compute_metrics``."""
    from fastkeras.utils.data_tuples import unpack_x_y_sample_weight
    x, y, sample_weight = unpack_x_y_sample_weight(data)
    y_pred = model(x, training=True)
    loss = _compute_loss(model, x, y, y_pred, sample_weight, training=True)
    weights = model.trainable_weights
    if weights:
        gradients = K.gradients(loss, weights)
        model.optimizer.apply_gradients(zip(gradients, weights))
    return model.compute_metrics(x, y, y_pred, sample_weight)


def hooked_test_step(model, data):
    from fastkeras.utils.data_tuples import unpack_x_y_sample_weight
    x, y, sample_weight = unpack_x_y_sample_weight(data)
    y_pred = model(x, training=False)
    _compute_loss(model, x, y, y_pred, sample_weight, training=False)
    return model.compute_metrics(x, y, y_pred, sample_weight)


def _structure(values):
    """Per-output batch tensors as Keras hands them to a step: one tensor, or a list."""
    return values[0] if len(values) == 1 else list(values)


def pack_data(model, x, y, sw):
    """The ``data`` argument of a custom step, from the trainer's per-input / per-output lists: packed as
    tf-keras packs arrays (``x`` alone when there are no targets, else ``(x, y)`` or ``(x, y, sample_weight)``)."""
    from fastkeras.engine.torch_trainer import _call_inputs
    from fastkeras.utils.data_tuples import pack_x_y_sample_weight
    in_structure, out_structure = io_structure.structure_of(model, "inputs"), io_structure.structure_of(model, "outputs")
    # A model built on dicts gets its data back in that shape, as the user gave it (tf-keras passes it through).
    inputs = _call_inputs(model, x) if in_structure is None else tree.pack_sequence_as(in_structure, x)
    if y is None or all(t is None for t in y):
        return pack_x_y_sample_weight(inputs)
    shape = _structure if out_structure is None else lambda values: tree.pack_sequence_as(out_structure, values)
    weights = None if sw is None or all(w is None for w in sw) else shape(sw)
    return pack_x_y_sample_weight(inputs, shape(y), weights)


def per_output(value, output_names, what="targets", structure=None):
    """``value`` (one tensor, a list, or a dict by output name, or shaped like ``structure``, the model's nested
    outputs) as a list aligned with the model's outputs."""
    n = len(output_names)
    if value is None:
        return [None] * n
    if structure is not None:
        flat = io_structure.flatten_data(structure, value, "target")
        if flat is not None and len(flat) == n:
            return [v if v is None or K.is_tensor(v) else K.convert_to_tensor(v) for v in flat]
    if isinstance(value, dict):
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"Expected {what} for {n} output(s) {list(output_names)}, received a list of "
                             f"{len(value)}.")
        return [v if v is None or K.is_tensor(v) else K.convert_to_tensor(v) for v in value]
    value = value if K.is_tensor(value) else K.convert_to_tensor(value)
    return [value] * n


def per_input(model, x):
    """``x`` (one tensor, a list, a dict by input name, or shaped like the model's nested inputs) as a list in
    ``model.input_names`` order."""
    structure = io_structure.structure_of(model, "inputs")
    if structure is not None:
        flat = io_structure.flatten_data(structure, x, "input")
        if flat is not None:
            return flat
    if isinstance(x, dict):
        return [x[name] for name in model.input_names]
    return list(x) if isinstance(x, (list, tuple)) else [x]


def flat_logs(logs):
    """A step's returned logs as ``{name: float}``: tensors and metric results read, nested dicts (Keras 3's
    ``compile_metrics`` result) flattened."""
    if not isinstance(logs, dict):
        if logs is None:
            return {}
        logs = {"loss": logs}  # a bare value, as a one-number step returns it
    out = {}
    for name, value in logs.items():
        if isinstance(value, dict):
            out.update(flat_logs(value))
            continue
        value = K.get_value(value) if K.is_tensor(value) else value
        try:
            out[name] = float(value)
        except (TypeError, ValueError):
            out[name] = value  # an array-valued log stays as it is (Keras passes such values on unchanged)
    return out


class LossTracker(metrics_module.Mean):
    """The ``loss`` entry of ``model.metrics``. Under the built-in step it reads the trainer's running loss,
    which the step keeps on the device. In a custom step ``compiled_loss`` updates it (tf-keras), while
    ``compute_loss`` only defers its loss: that counts when the tracker is read or the step ends, unless the step
    updates the tracker itself first (Keras 3's guide does), so a batch is never counted twice."""

    def __init__(self, trainer):
        super().__init__(name="loss")
        self._trainer = trainer
        self._pending = None

    def defer(self, loss, batch_size):
        self._pending = (K.stop_gradient(loss), batch_size)

    def flush(self):
        if self._pending is not None:
            loss, batch_size = self._pending
            self._pending = None
            super().update_state(loss, sample_weight=batch_size)

    def update_state(self, values, sample_weight=None):
        self._pending = None
        return super().update_state(values, sample_weight=sample_weight)

    def reset_state(self):
        self._pending = None
        super().reset_state()

    def result(self):
        self.flush()
        trainer = self._trainer
        if trainer._seen and trainer._loss_sum is not None and float(K.get_value(self.count)) == 0:
            return trainer._loss_sum / trainer._seen
        return super().result()


class OutputLossTracker(metrics_module.Mean):
    """``<output>_loss`` in ``model.metrics`` of a multi-output model: the mean of one output's compiled loss
    (before its loss weight), as tf-keras' ``LossesContainer`` keeps one per output that has a loss. A custom
    step's ``compiled_loss`` (or ``compute_loss``) updates it; under the built-in step it reads the trainer's
    running per-output sums, which stay on the device until read."""

    def __init__(self, trainer, index, output_name):
        super().__init__(name=f"{output_name}_loss")
        self._trainer = trainer
        self._index = index

    def result(self):
        trainer = self._trainer
        sums = trainer._output_loss_sums
        if trainer._seen and sums is not None and sums[self._index] is not None \
                and float(K.get_value(self.count)) == 0:
            return sums[self._index] / trainer._seen
        return super().result()


def output_loss_trackers(trainer):
    """One ``OutputLossTracker`` per output with a compiled loss, when the model has several outputs (tf-keras
    tracks none for a single output: its ``loss`` is that output's loss)."""
    losses = trainer.losses
    if len(losses.losses) < 2:
        return []
    return [OutputLossTracker(trainer, i, name) for i, (name, loss) in enumerate(zip(losses.output_names,
                                                                                      losses.losses))
            if loss is not None]


def loss_trackers(trainer):
    """The ``loss`` tracker and the per-output ones, once a step has computed the compiled loss; none before, as
    tf-keras' LossesContainer lists its metrics only once built."""
    return [trainer.loss_tracker] + trainer.output_loss_trackers if trainer.loss_built else []


class CompiledLoss:
    """``model.compiled_loss``: the compiled losses as one callable, as tf-keras' ``LossesContainer``."""

    def __init__(self, trainer):
        self._trainer = trainer

    @property
    def metrics(self):
        return loss_trackers(self._trainer)

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        total = self.compute(y_true, y_pred, sample_weight, regularization_losses, track_outputs=True)
        self._trainer.loss_tracker.update_state(K.stop_gradient(total), sample_weight=batch_size_of(y_pred))
        return total

    def compute(self, y_true, y_pred, sample_weight=None, regularization_losses=None, track_outputs=False):
        """The total loss. Only with ``track_outputs`` does it update the per-output trackers (never the
        ``loss`` one: its callers decide when that counts)."""
        trainer = self._trainer
        trainer.loss_built = True
        names = trainer.losses.output_names
        structure = io_structure.structure_of(trainer.model, "outputs")
        outputs = per_output(y_pred, names, "predictions", structure)
        total, parts = trainer._loss(outputs, per_output(y_true, names, structure=structure),
                                     None if sample_weight is None else
                                     per_output(sample_weight, names, "sample weights", structure))
        if track_outputs:
            batch_size = batch_size_of(y_pred)
            for tracker in trainer.output_loss_trackers:
                tracker.update_state(K.stop_gradient(parts[tracker._index]), sample_weight=batch_size)
        for extra in regularization_losses or ():
            total = total + extra
        return total

    def reset_state(self):
        for tracker in self.metrics:
            tracker.reset_state()


class CompiledMetrics:
    """``model.compiled_metrics``: the compiled metrics, updated together, as tf-keras' ``MetricsContainer``."""

    def __init__(self, trainer):
        self._trainer = trainer

    @property
    def metrics(self):
        return [obj for _, obj, _, _ in self._trainer.metrics.metrics or []]

    def update_state(self, y_true, y_pred, sample_weight=None):
        trainer = self._trainer
        names = trainer.losses.output_names
        structure = io_structure.structure_of(trainer.model, "outputs")
        targets = per_output(y_true, names, structure=structure)
        outputs = per_output(y_pred, names, "predictions", structure)
        weights = None if sample_weight is None else per_output(sample_weight, names, "sample weights", structure)
        with K.no_grad():
            trainer._build_metrics(targets, outputs)
            trainer._update_metrics(targets, [K.stop_gradient(o) for o in outputs], weights)

    def reset_state(self):
        self._trainer.metrics.reset()


def build_metrics_before_first_step(trainer, y):
    """Compiled metric objects exist before the first custom step runs, so that a step looping over
    ``self.metrics`` (as Keras 3's guide does) finds them: built from the targets' shapes and, where the model
    knows them, its outputs'."""
    model = trainer.model
    outputs = getattr(model, "outputs", None)
    if trainer.metrics.metrics is not None or y is None or not outputs:
        return  # without known outputs the metrics wait for the first real predictions (accuracy needs them)
    target_shapes = [None if t is None else tuple(t.shape) for t in y]
    if len(outputs) != len(target_shapes):
        return
    output_shapes = [(t[0] if t else None,) + tuple(o.shape[1:]) for t, o in zip(target_shapes, outputs)]
    trainer.metrics.build(target_shapes, output_shapes)


def run_predict_step(model, x):
    """``model.predict_step`` on one batch; returns (flat list of output tensors, the structure to rebuild)."""
    out = model.predict_step(pack_data(model, x, None, None))
    return tree.flatten(out), out
