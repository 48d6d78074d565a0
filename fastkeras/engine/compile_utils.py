"""What ``compile`` was given, resolved per model output: loss objects, loss weights, metrics, log names."""
from fastkeras import losses as losses_module
from fastkeras import metrics as metrics_module


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
    """Metric objects per output, built on the first batch when target shapes are known."""

    def __init__(self, metrics, weighted_metrics, output_names, loss_container):
        self._specs = _per_output_metrics(metrics, output_names)
        self._weighted_specs = _per_output_metrics(weighted_metrics, output_names)
        self.output_names = list(output_names)
        self.loss_container = loss_container
        self.metrics = None           # [(output index, metric object, log name, weighted)]

    def build(self, y_true_shapes, y_pred_shapes):
        if self.metrics is not None:
            return
        built = []
        multi = len(self.output_names) > 1
        for weighted, specs in ((False, self._specs), (True, self._weighted_specs)):
            for i, output_specs in enumerate(specs):
                for spec in output_specs:
                    obj, base_name = _metric_object(spec, self.loss_container.losses[i], y_true_shapes[i],
                                                    y_pred_shapes[i])
                    name = ("weighted_" if weighted and base_name == _spec_name(spec) and
                            isinstance(spec, str) else "") + base_name
                    log_name = f"{self.output_names[i]}_{name}" if multi else name
                    built.append((i, obj, log_name, weighted))
        names = [b[2] for b in built]
        for k, entry in enumerate(built):
            if names.count(entry[2]) > 1:
                built[k] = entry[:2] + (f"{entry[2]}_{names[:k].count(entry[2])}" if names[:k].count(entry[2])
                                        else entry[2],) + entry[3:]
        self.metrics = built

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


def _spec_name(spec):
    return spec if isinstance(spec, str) else getattr(spec, "name", None) or getattr(spec, "__name__", "metric")


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
