"""What ``compile`` was given, resolved per model output: loss objects, loss weights, metrics, log names."""
from fastkeras import losses as losses_module
from fastkeras import metrics as metrics_module
from fastkeras.backend.common import fresh_object_names


def _per_output(value, output_names, what):
    """A list aligned with ``output_names`` from one value (shared), a list, or a dict by output name."""
    n = len(output_names)
    if isinstance(value, dict):
        unknown = [k for k in value if k not in output_names]
        if unknown:
            raise ValueError(f'Unknown entry in {what} dictionary: "{unknown[0]}". Only expected the following keys: '
                             f"{list(output_names)}")
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"When passing a list as {what}, it should have one entry per model output. The model has "
                             f"{n} output(s) ({list(output_names)}), but you passed {what}={list(value)}")
        return list(value)
    return [value] * n


def loss_name(loss):
    """The Keras name of a loss object or function ('categorical_crossentropy', ...)."""
    fn = getattr(loss, "fn", None)
    if fn is not None and hasattr(fn, "__name__"):
        return fn.__name__
    return getattr(loss, "__name__", None) or getattr(loss, "name", type(loss).__name__)


class LossContainer:
    """Loss objects and weights per output; ``None`` for outputs that are not trained."""

    def __init__(self, loss, loss_weights, output_names):
        # loss=None is allowed (Keras 2): a model may train on the losses it adds itself (add_loss); fit
        # raises if there is no loss at all.
        entries = _per_output(loss, output_names, "loss")
        weights = _per_output(1.0 if loss_weights is None else loss_weights, output_names, "loss_weights")
        self.losses = []
        for name, entry in zip(output_names, entries):
            if entry is None:
                self.losses.append(None)
                continue
            obj = losses_module.get(entry)
            if not hasattr(obj, "call") or not isinstance(obj, losses_module.Loss):
                obj = losses_module.LossFunctionWrapper(obj, name=getattr(obj, "__name__", "loss"))
            obj._fn_name = loss_name(obj)
            self.losses.append(obj)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.output_names = list(output_names)


class MetricsContainer:
    """Metric objects per output, built on the first batch when target shapes are known.

    ``from_serialized`` (tf-keras' compile argument of the same name, which its ``.h5`` loader passes): metric
    objects read from a file already carry their final log names ('out0_mae', 'weighted_mae'), so those are
    kept as they are instead of being prefixed again. Names and functions still get the usual naming, which
    also keeps old files whose multi-output configs list bare names loadable."""

    def __init__(self, metrics, weighted_metrics, output_names, loss_container, from_serialized=False):
        self._specs = _per_output_metrics(metrics, output_names)
        self._weighted_specs = _per_output_metrics(weighted_metrics, output_names)
        self.output_names = list(output_names)
        self.loss_container = loss_container
        self.from_serialized = from_serialized
        self.metrics = None           # [(output index, metric object, log name, weighted)]

    def build(self, y_true_shapes, y_pred_shapes):
        if self.metrics is not None:
            return
        multi = len(self.output_names) > 1
        objects = {}  # (weighted, output index) -> [(metric object, base name)]
        with fresh_object_names():  # metrics named by string count their names afresh, as in tf-keras
            for weighted, specs in ((False, self._specs), (True, self._weighted_specs)):
                for i, output_specs in enumerate(specs):
                    objects[weighted, i] = [_metric_object(spec, self.loss_container.losses[i], y_true_shapes[i],
                                                           y_pred_shapes[i]) for spec in output_specs]
        # Log names as tf-keras gives them, output by output: the output's name first on a multi-output model,
        # and "weighted_" only where a weighted metric's name would repeat an unweighted one's.
        names, log_names = set(), {}
        for i, output in enumerate(self.output_names):
            for k, (_, base) in enumerate(objects[False, i]):
                name = base if self._keeps_name(self._specs[i][k]) else f"{output}_{base}" if multi else base
                if name in names:
                    raise ValueError(f"Found two metrics with the same name: {name}. All the metrics added to the "
                                     "model need to have unique names.")
                names.add(name)
                log_names[False, i, k] = name
            for k, (_, base) in enumerate(objects[True, i]):
                if self._keeps_name(self._weighted_specs[i][k]):
                    name = base
                elif multi:
                    name = f"{output}_weighted_{base}" if f"{output}_{base}" in names else f"{output}_{base}"
                else:
                    name = f"weighted_{base}" if base in names else base
                if name in names:
                    raise ValueError(f"Found two weighted metrics with the same name: {name}. All the metrics added "
                                     "to the model need to have unique names.")
                names.add(name)
                log_names[True, i, k] = name
        # Logged in tf-keras' order: output by output, its metrics and then its weighted metrics.
        self.metrics = [(i, obj, log_names[weighted, i, k], weighted)
                        for i in range(len(self.output_names)) for weighted in (False, True)
                        for k, (obj, _) in enumerate(objects[weighted, i])]
        # tf-keras renames each metric to its log name ('b_mae' on a multi-output model), so a custom step's
        # `{m.name: m.result() for m in self.metrics}` logs what the built-in step does. An object compiled for
        # several outputs keeps its own name: no single log name is its.
        uses = {}
        for _, obj, _, _ in self.metrics:
            uses[id(obj)] = uses.get(id(obj), 0) + 1
        for _, obj, name, _ in self.metrics:
            if uses[id(obj)] == 1 and getattr(obj, "name", name) != name:
                obj.name = name

    def _keeps_name(self, spec):
        return self.from_serialized and isinstance(spec, metrics_module.Metric)

    def reset(self):
        for _, obj, _, _ in self.metrics or []:
            obj.reset_state()


def _per_output_metrics(metrics, output_names):
    if metrics is None:
        return [[] for _ in output_names]
    if isinstance(metrics, dict):
        unknown = [k for k in metrics if k not in output_names]
        if unknown:
            raise ValueError(f'Unknown entry in metrics dictionary: "{unknown[0]}". Only expected the following keys: '
                             f"{list(output_names)}")
        return [_as_list(metrics.get(name)) for name in output_names]
    if isinstance(metrics, (list, tuple)):
        if metrics and all(isinstance(m, (list, tuple)) for m in metrics):
            if len(metrics) != len(output_names):
                raise ValueError(f"When passing a list of lists as metrics, it should have one entry per model output. "
                                 f"The model has {len(output_names)} outputs, but you passed {len(metrics)}.")
            return [list(m) for m in metrics]
        return [list(metrics) for _ in output_names]
    return [[metrics] for _ in output_names]


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _metric_object(spec, loss, y_true_shape, y_pred_shape):
    """(stateful metric object, base log name) for one metric spec."""
    if isinstance(spec, str) and spec in ("accuracy", "acc", "crossentropy", "ce"):
        obj = metrics_module.resolve_accuracy(spec, loss, y_true_shape, y_pred_shape)
        return obj, spec
    obj = metrics_module.get(spec)
    if isinstance(obj, metrics_module.Metric):
        return obj, obj.name
    name = spec if isinstance(spec, str) else getattr(obj, "__name__", "metric")
    return metrics_module.MeanMetricWrapper(obj, name=name), name
