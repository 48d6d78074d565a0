"""What the fuzzer's two sides agree on: a case's compile arguments, callbacks and sample weights, written as
JSON by generate.py (tf-keras) and rebuilt with whichever library runs (``k`` is ``tf_keras`` or
``fastkeras``). Nothing here imports either library."""
import math
import os

DEFAULT_DIR = os.environ.get("FASTKERAS_FUZZ_DIR", "/tmp/fastkeras_fuzz")
# Relative prediction errors tolerated per family (mixed precision rounds differently in each library).
TOLERANCES = {"mixed_bfloat16": 3e-2, "mixed_float16": 1e-2}


def _object(k, module, value):
    """A name stays a name (compile resolves it); {'class_name', 'config'} becomes the library's object."""
    return getattr(k, module).deserialize(value) if isinstance(value, dict) else value


def compile_kwargs(k, spec, output_names):
    """compile() arguments from a case's ``compile`` entry, in the form the case chose (one value, a list per
    output or a dict by output name)."""
    losses = [_object(k, "losses", x) for x in spec["loss"]]
    metrics = [[_object(k, "metrics", x) for x in per_output] for per_output in spec["metrics"]]
    form = spec["form"]
    if form == "dict":
        kwargs = dict(loss=dict(zip(output_names, losses)), metrics=dict(zip(output_names, metrics)))
    elif form == "list":
        kwargs = dict(loss=losses, metrics=metrics)
    else:
        kwargs = dict(loss=losses[0], metrics=metrics[0])
    if "loss_weights" in spec:
        weights = spec["loss_weights"]
        kwargs["loss_weights"] = dict(zip(output_names, weights)) if spec["loss_weights_form"] == "dict" else weights
    if "weighted_metrics" in spec:
        weighted = spec["weighted_metrics"]
        kwargs["weighted_metrics"] = weighted if len(output_names) == 1 else {n: list(weighted) for n in output_names}
    optimizer = spec["optimizer"]
    kwargs["optimizer"] = k.optimizers.get(optimizer) if isinstance(optimizer, dict) else optimizer
    return kwargs


def callbacks(k, specs):
    """EarlyStopping / ReduceLROnPlateau / LearningRateScheduler from a case's ``fit.callbacks`` entry."""
    made = []
    for c in specs:
        if c["kind"] == "early_stopping":
            made.append(k.callbacks.EarlyStopping(monitor=c["monitor"], patience=c["patience"],
                                                  min_delta=c["min_delta"],
                                                  restore_best_weights=c["restore_best_weights"]))
        elif c["kind"] == "reduce_lr":
            made.append(k.callbacks.ReduceLROnPlateau(monitor=c["monitor"], factor=c["factor"], patience=c["patience"],
                                                      min_delta=c["min_delta"], cooldown=c["cooldown"],
                                                      min_lr=c["min_lr"]))
        else:
            made.append(k.callbacks.LearningRateScheduler(SCHEDULES[c["rule"]]))
    return made


SCHEDULES = {
    "halve_after_first_epoch": lambda epoch, lr: lr * 0.5 if epoch >= 1 else lr,
    "exponential": lambda epoch, lr: float(lr * math.exp(-0.3)),
}


def fit_kwargs(k, fit_spec):
    kwargs = dict(epochs=fit_spec["epochs"], batch_size=fit_spec["batch_size"],
                  validation_split=fit_spec["validation_split"], shuffle=False, verbose=0,
                  callbacks=callbacks(k, fit_spec["callbacks"]))
    if fit_spec.get("class_weight"):
        kwargs["class_weight"] = {int(c): w for c, w in fit_spec["class_weight"].items()}
    return kwargs


def model_arguments(case, arrays):
    """(x, y, sample_weight) as the case passes them: single arrays for one input or output, lists otherwise,
    sample weights for all outputs, for the first only (a dict), or none."""
    xs = [arrays[f"x{i}"] for i in range(len(case["input_names"]))]
    ys = [arrays[f"y{i}"] for i in range(case["n_outputs"])]
    weights = [arrays[f"sw{i}"] if f"sw{i}" in arrays else None for i in range(len(ys))]
    mode = case["sample_weight_mode"]
    if mode == "none":
        sample_weight = None
    elif len(ys) == 1:
        sample_weight = weights[0]
    elif mode == "first":
        sample_weight = {case["output_names"][0]: weights[0]}
    else:
        sample_weight = weights
    return (xs if len(xs) > 1 else xs[0]), (ys if len(ys) > 1 else ys[0]), sample_weight


def flat_predictions(outputs, n_outputs):
    """All outputs of a predict() call side by side, one row per sample, float32 (numpy has no bfloat16)."""
    import numpy as np
    outputs = outputs if n_outputs > 1 else [outputs]
    return np.concatenate([np.asarray(o).astype("float32").reshape(len(o), -1) for o in outputs], 1)
