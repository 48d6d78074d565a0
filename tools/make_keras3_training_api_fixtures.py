"""Reference results for the training-API names fastkeras takes from Keras 3 (and a few tf-keras 2.11-2.15
namespaces): activations, losses, metrics, optimizers and callbacks. Read by tests/test_keras3_*.py.

Three modes, each run with the Python that has the library it needs:

  Keras 3.15.1, jax backend (so the reference does not share fastkeras' torch kernels):
      KERAS_BACKEND=jax /work/k3venv/bin/python tools/make_keras3_training_api_fixtures.py --keras3

  Keras 3.15.1, torch backend, for LossScaleOptimizer (its apply() cannot run eagerly on jax) and
  SwapEMAWeights (on jax it reads weight buffers that fit has donated):
      KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_keras3_training_api_fixtures.py --keras3-torch

  tf-keras 2.21 (the experimental namespaces old code imports):
      TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_keras3_training_api_fixtures.py --keras2

Files in tests/fixtures/keras3_training_api/:

``keras3.npz`` (float32 arrays unless said), keys:
  ``act/x``                            the activations' input, (4, 6)
  ``act/<i>``                          output of ACTIVATION_CASES[i] (name, kwargs) on ``act/x``
  ``act_model/x``, ``act_model/y``     input and predictions of ``activations_model.keras``
  ``loss/<input name>``                inputs of the loss cases (int32 labels, float32 values)
  ``loss/<case id>``                   output of a loss case (function or class call, see keras3.json)
  ``loss/circle_with_refs``            ``circle(emb_labels, emb, ref_labels, ref_emb, gamma=6)``
  ``fit/<loss>/{x,y,kernel,bias}``     data and initial Dense weights of the compile cases (FIT_CASES)
  ``metric/<batch>/{y_true,y_pred,sample_weight}``  three batches of (n, 5) values
  ``metric/<case id>``                 a metric function's output, or a metric's result() after each batch
  ``metric_fit/{x,y,kernel,bias}``     the compiled metrics' linear model and data
  ``opt/var/<j>``, ``opt/grad/<step>/<j>``  three variables and five steps of gradients (variable 2 is zeros)
  ``opt/<case id>/<step>/<j>``         Lamb: variable j after step ``step`` (0-based)

``keras3.json``:
  ``activations``: ``cases`` ([name, kwargs]), ``serialized`` (name -> serialize(get(name))),
      ``dense_activation`` (name -> Dense(3, activation=name).get_config()['activation'])
  ``losses``: ``cases`` ({id, kind: 'fn'|'class', name, kwargs, inputs: [y_true, y_pred], sample_weight}),
      ``config_kwargs``/``configs``/``serialized`` (class name -> constructor arguments, get_config(),
      keras.losses.serialize), ``errors``, ``fit`` (loss -> {evaluate, history})
  ``metrics``: ``cases`` ({id, kind, name, kwargs, sample_weight: bool}), ``configs`` (built with
      name='corr', axis=0), ``default_configs``, ``fit`` (evaluate_batch_8, evaluate_batch_3, history)
  ``optimizers``: ``lamb_cases`` ({id, kwargs, config}), ``lamb_default_config``

``keras3_torch.npz`` / ``keras3_torch.json`` (torch backend): ``lso/var/<j>``, ``lso/<case>/grad/<step>/<j>`` (the
scaled gradients given to ``apply``), ``lso/<case>/<step>/<j>`` (variable j after the step);
``loss_scale_optimizer.cases`` ({id, inner: [class, kwargs], kwargs, steps: [{dynamic_scale, step_counter,
iterations, scale_loss_3}], scale_loss_3_before_build, config, serialized}) and ``errors``;
``ema/{x,y,sample_weight,x_val,y_val,kernel,bias}`` (SwapEMAWeights' data and initial weights),
``ema/<case>/{weights,trained,after_evaluate,after_predict,after_second_evaluate}/<k>`` (model weights after
fit, after two more train_on_batch steps, then after evaluate, predict and evaluate with the callback),
``ema/<case>/predict``; ``swap_ema``: case -> {callback_kwargs, history, evaluate, evaluate_again},
``error_without_ema``.

``activations_model.keras``: a Keras 3 Sequential whose Dense layers use the new activations.

``keras2.json``, ``keras2.npz``: ``optimizers_experimental`` (name -> the class it is, by name, and whether it
is ``tf_keras.optimizers.<name>``), ``callbacks_experimental`` (the BackupAndRestore subclass' name and bases);
``sharpness_aware_minimization``: case -> {kwargs, history, evaluate, config_keys, rho} for
``models.experimental.SharpnessAwareMinimization`` around a Dense(4, tanh)-Dense(2) model trained by SGD(0.1)
on mse (metric mae), with ``sam/{x,y}``, ``sam/init/<k>`` (the initial weights), ``sam/<case>/weights/<k>`` and
``sam/<case>/predict`` in keras2.npz.
"""
import argparse
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, os.pardir, "tests", "fixtures", "keras3_training_api"))

ACTIVATION_CASES = [
    ("celu", {}), ("celu", {"alpha": 0.5}), ("glu", {}), ("glu", {"axis": 0}), ("hard_shrink", {}),
    ("hard_shrink", {"threshold": 1.0}), ("hard_silu", {}), ("hard_swish", {}), ("hard_tanh", {}),
    ("log_sigmoid", {}), ("soft_shrink", {}), ("soft_shrink", {"threshold": 1.0}), ("sparse_plus", {}),
    ("sparse_sigmoid", {}), ("sparsemax", {}), ("sparsemax", {"axis": 0}), ("squareplus", {}),
    ("squareplus", {"b": 1.0}), ("tanh_shrink", {}), ("threshold", {"threshold": 0.3, "default_value": -1.0}),
]
NEW_ACTIVATIONS = sorted({name for name, _ in ACTIVATION_CASES})
# The new activations a Dense layer can use with its default arguments (glu halves the units, threshold has
# required arguments).
# (Not sparsemax: Keras 3.15.1's computes its threshold from the sum of the sorted cumulative sums instead of the
# k-th one, so its rows do not sum to 1 once two or more entries are positive; fastkeras follows the definition.)
MODEL_ACTIVATIONS = ["celu", "hard_silu", "squareplus", "log_sigmoid", "sparse_plus", "hard_tanh", "soft_shrink",
                     "tanh_shrink"]
REDUCTIONS = ["sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight"]


def f32(a):
    return np.asarray(a, dtype="float32")


class Writer:
    def __init__(self):
        self.arrays = {}
        self.json = {}

    def put(self, key, value):
        assert key not in self.arrays, key
        self.arrays[key] = np.asarray(value)

    def save(self, name):
        os.makedirs(OUT, exist_ok=True)
        if self.arrays:
            np.savez_compressed(os.path.join(OUT, name + ".npz"), **self.arrays)
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(self.json, f, indent=1, sort_keys=True)
            f.write("\n")


def plain(value):
    """A config as plain JSON values (numpy scalars and tuples made lists)."""
    return json.loads(json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


# ---------------------------------------------------------------------------------------------------------
# Keras 3
# ---------------------------------------------------------------------------------------------------------

def keras3_activations(keras, w, rng):
    x = f32(rng.uniform(-3, 3, (4, 6)))
    w.put("act/x", x)
    for i, (name, kwargs) in enumerate(ACTIVATION_CASES):
        w.put(f"act/{i}", keras.ops.convert_to_numpy(getattr(keras.activations, name)(x, **kwargs)))
    serialized = {name: keras.activations.serialize(keras.activations.get(name)) for name in NEW_ACTIVATIONS}
    dense = {name: keras.layers.Dense(3, activation=name).get_config()["activation"] for name in NEW_ACTIVATIONS}
    w.json["activations"] = {"cases": [[n, k] for n, k in ACTIVATION_CASES], "serialized": serialized,
                             "dense_activation": dense}
    # A saved model using them: Keras 3 writes the names into the layer configs.
    layers = [keras.Input((5,))]
    for i, name in enumerate(MODEL_ACTIVATIONS):
        layers.append(keras.layers.Dense(5 if i < len(MODEL_ACTIVATIONS) - 1 else 4, activation=name,
                                         name=f"dense_{name}"))
    model = keras.Sequential(layers, name="activations_model")
    for layer in model.layers:
        kernel, bias = layer.get_weights()
        layer.set_weights([f32(rng.normal(0, 0.8, kernel.shape)), f32(rng.normal(0, 0.3, bias.shape))])
    mx = f32(rng.normal(0, 1.5, (6, 5)))
    w.put("act_model/x", mx)
    w.put("act_model/y", model.predict(mx, verbose=0))
    model.save(os.path.join(OUT, "activations_model.keras"))


def _unit(a):
    return f32(a / np.linalg.norm(a, axis=-1, keepdims=True))


def keras3_losses(keras, w, rng):
    inputs = {
        "seg_true": f32(rng.uniform(size=(3, 4, 4, 1)) > 0.5),
        "seg_pred": f32(rng.uniform(size=(3, 4, 4, 1))),
        "sw3": f32([0.5, 1.0, 2.0]),
        "emb": _unit(rng.normal(size=(8, 5))),
        "emb_labels": np.array([0, 1, 0, 2, 1, 2, 0, 3], dtype="int32"),
        "ref_emb": _unit(rng.normal(size=(5, 5))),
        "ref_labels": np.array([0, 1, 2, 3, 1], dtype="int32"),
        "sw8": f32(rng.uniform(0.2, 2.0, size=(8,))),
        "ctc_true": np.array([[1, 2, 3, 0], [2, 2, 0, 0], [4, 1, 3, 2]], dtype="int32"),
        "ctc_pred": f32(rng.normal(size=(3, 10, 5))),
        "cls_labels": np.array([0, 2, 1, 3, 3, 0], dtype="int32"),
        "cls_labels_col": np.array([[0], [2], [1], [3], [3], [0]], dtype="int32"),
        "cls_probs": None,
        "sw6": f32(rng.uniform(0.2, 2.0, size=(6,))),
    }
    logits = rng.normal(size=(6, 4))
    inputs["cls_probs"] = f32(np.exp(logits) / np.exp(logits).sum(-1, keepdims=True))
    for key, value in inputs.items():
        w.put(f"loss/{key}", value)

    cases = []

    def case(kind, name, kwargs, y_true, y_pred, sample_weight=None, call_kwargs=None):
        cid = f"{len(cases):02d}_{name}"
        yt, yp = inputs[y_true], inputs[y_pred]
        if kind == "fn":
            out = getattr(keras.losses, name)(yt, yp, **kwargs)
        else:
            loss = getattr(keras.losses, name)(**kwargs)
            sw = None if sample_weight is None else inputs[sample_weight]
            out = loss(yt, yp, sample_weight=sw)
        w.put(f"loss/{cid}", keras.ops.convert_to_numpy(out))
        cases.append({"id": cid, "kind": kind, "name": name, "kwargs": kwargs, "inputs": [y_true, y_pred],
                      "sample_weight": sample_weight})

    seg = ("seg_true", "seg_pred")
    case("fn", "dice", {}, *seg)
    case("fn", "dice", {"axis": [1, 2, 3]}, *seg)
    case("fn", "tversky", {}, *seg)
    case("fn", "tversky", {"alpha": 0.3, "beta": 0.7, "axis": [1, 2, 3]}, *seg)
    case("class", "Dice", {}, *seg)
    case("class", "Dice", {}, *seg, sample_weight="sw3")
    for reduction in REDUCTIONS:
        case("class", "Dice", {"axis": [1, 2, 3], "reduction": reduction}, *seg)
        case("class", "Dice", {"axis": [1, 2, 3], "reduction": reduction}, *seg, sample_weight="sw3")
    case("class", "Tversky", {"alpha": 0.7, "beta": 0.3}, *seg)
    case("class", "Tversky", {"alpha": 0.7, "beta": 0.3, "axis": [1, 2, 3]}, *seg, sample_weight="sw3")
    case("class", "Tversky", {"axis": [1, 2], "reduction": "sum"}, *seg)

    emb = ("emb_labels", "emb")
    case("fn", "circle", {}, *emb)
    case("fn", "circle", {"gamma": 2.0, "margin": 0.25}, *emb)
    case("fn", "circle", {"remove_diagonal": False, "gamma": 4.0}, *emb)
    case("class", "Circle", {}, *emb)
    case("class", "Circle", {"gamma": 3.0, "margin": 0.3}, *emb)
    for reduction in REDUCTIONS:
        case("class", "Circle", {"gamma": 3.0, "reduction": reduction}, *emb, sample_weight="sw8")
    case("class", "Circle", {"remove_diagonal": False, "gamma": 5.0}, *emb)
    # The function with reference embeddings (the class has no way to pass them).
    ref_out = keras.losses.circle(inputs["emb_labels"], inputs["emb"], ref_labels=inputs["ref_labels"],
                                  ref_embeddings=inputs["ref_emb"], gamma=6.0)
    w.put("loss/circle_with_refs", keras.ops.convert_to_numpy(ref_out))

    ctc = ("ctc_true", "ctc_pred")
    case("fn", "ctc", {}, *ctc)
    case("class", "CTC", {}, *ctc)
    case("class", "CTC", {"reduction": "sum"}, *ctc)
    case("class", "CTC", {}, *ctc, sample_weight="sw3")

    cls = ("cls_labels", "cls_probs")
    case("fn", "categorical_generalized_cross_entropy", {"q": 0.5}, *cls)
    case("fn", "categorical_generalized_cross_entropy", {"q": 0.8}, *cls)
    case("class", "CategoricalGeneralizedCrossEntropy", {}, *cls)
    case("class", "CategoricalGeneralizedCrossEntropy", {"q": 0.3}, *cls, sample_weight="sw6")
    case("class", "CategoricalGeneralizedCrossEntropy", {"q": 0.3, "reduction": None}, *cls)
    # Labels of shape (n, 1): Keras 3 broadcasts them against the (n, classes) probabilities.
    case("class", "CategoricalGeneralizedCrossEntropy", {}, "cls_labels_col", "cls_probs")

    config_kwargs = {
        "Dice": {"axis": [1, 2], "reduction": "sum", "name": "my_dice"},
        "Tversky": {"alpha": 0.2, "beta": 0.8, "axis": None},
        "Circle": {"gamma": 32.0, "margin": 0.2, "remove_diagonal": False},
        "CTC": {"reduction": "mean"},
        "CategoricalGeneralizedCrossEntropy": {"q": 0.6},
    }
    configs, serialized = {}, {}
    for name, kwargs in config_kwargs.items():
        loss = getattr(keras.losses, name)(**kwargs)
        configs[name] = plain(loss.get_config())
        serialized[name] = plain(keras.losses.serialize(loss))
    errors = {}
    try:
        keras.losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    except ValueError as e:
        errors["cgce_q"] = str(e)
    try:
        keras.losses.ctc(inputs["ctc_true"][:, :, None], inputs["ctc_pred"])
    except ValueError as e:
        errors["ctc_true_rank"] = str(e)
    try:
        keras.losses.ctc(inputs["ctc_true"], inputs["ctc_pred"][0])
    except ValueError as e:
        errors["ctc_pred_rank"] = str(e)
    w.json["losses"] = {"cases": cases, "config_kwargs": config_kwargs, "configs": configs,
                        "serialized": serialized, "errors": errors, "fit": keras3_loss_fit(keras, w, rng)}


def _dense_model(keras, in_shape, units, activation, extra=None):
    inputs = keras.Input(in_shape)
    x = keras.layers.Dense(units, activation=activation, name="dense")(inputs)
    if extra == "unit_norm":
        x = keras.layers.UnitNormalization(name="unit_norm")(x)
    return keras.Model(inputs, x)


FIT_CASES = {
    # loss name -> (input shape, units, activation, extra layer, x, y)
    "Dice": ((3,), 4, "sigmoid", None),
    "Tversky": ((3,), 4, "sigmoid", None),
    "CategoricalGeneralizedCrossEntropy": ((3,), 4, "softmax", None),
    "Circle": ((3,), 4, None, "unit_norm"),
    "CTC": ((10, 3), 5, None, None),
}


def keras3_loss_fit(keras, w, rng):
    results = {}
    for name, (in_shape, units, activation, extra) in FIT_CASES.items():
        x = f32(rng.normal(size=(8,) + in_shape))
        if name in ("Dice", "Tversky"):
            y = f32(rng.uniform(size=(8, units)) > 0.5)
        elif name == "CategoricalGeneralizedCrossEntropy":
            y = rng.randint(0, units, size=(8,)).astype("int32")
        elif name == "Circle":
            y = np.array([0, 1, 0, 1, 2, 2, 0, 1], dtype="int32")
        else:
            y = np.array([[1, 2, 0], [3, 3, 1], [4, 0, 0], [2, 1, 4], [1, 0, 0], [4, 4, 2], [3, 1, 0],
                          [2, 0, 0]], dtype="int32")
        model = _dense_model(keras, in_shape, units, activation, extra)
        kernel = f32(rng.normal(0, 0.7, (in_shape[-1], units)))
        bias = f32(rng.normal(0, 0.2, (units,)))
        model.get_layer("dense").set_weights([kernel, bias])
        for key, value in (("x", x), ("y", y), ("kernel", kernel), ("bias", bias)):
            w.put(f"fit/{name}/{key}", value)
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss=getattr(keras.losses, name)())
        evaluated = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
        history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
        results[name] = {"evaluate": plain(evaluated), "history": plain(history)}
    return results


def keras3_metrics(keras, w, rng):
    batches = []
    for b, n in enumerate((4, 3, 5)):
        y_true = f32(rng.normal(size=(n, 5)))
        y_pred = f32(y_true * rng.uniform(0.2, 1.5, size=(n, 1)) + rng.normal(0, 0.6, size=(n, 5)))
        sw = f32(rng.uniform(0.1, 2.0, size=(n,)))
        batches.append((y_true, y_pred, sw))
        w.put(f"metric/{b}/y_true", y_true)
        w.put(f"metric/{b}/y_pred", y_pred)
        w.put(f"metric/{b}/sample_weight", sw)
    cases = []

    def fn_case(name, kwargs):
        cid = f"{len(cases):02d}_{name}"
        y_true, y_pred, _ = batches[0]
        w.put(f"metric/{cid}", keras.ops.convert_to_numpy(getattr(keras.metrics, name)(y_true, y_pred, **kwargs)))
        cases.append({"id": cid, "kind": "fn", "name": name, "kwargs": kwargs, "sample_weight": False})

    def class_case(name, kwargs, weighted):
        cid = f"{len(cases):02d}_{name}"
        metric = getattr(keras.metrics, name)(**kwargs)
        results = []
        for y_true, y_pred, sw in batches:
            metric.update_state(y_true, y_pred, sample_weight=sw if weighted else None)
            results.append(float(metric.result()))
        w.put(f"metric/{cid}", f32(results))
        cases.append({"id": cid, "kind": "class", "name": name, "kwargs": kwargs, "sample_weight": weighted})

    for name in ("pearson_correlation", "concordance_correlation"):
        fn_case(name, {})
        fn_case(name, {"axis": 0})
    fn_case("huber", {})
    fn_case("huber", {"delta": 0.5})
    for name in ("PearsonCorrelation", "ConcordanceCorrelation"):
        class_case(name, {}, False)
        class_case(name, {}, True)
        class_case(name, {"axis": 0}, False)
    configs = {name: plain(getattr(keras.metrics, name)(name="corr", axis=0).get_config())
               for name in ("PearsonCorrelation", "ConcordanceCorrelation")}
    defaults = {name: plain(getattr(keras.metrics, name)().get_config())
                for name in ("PearsonCorrelation", "ConcordanceCorrelation")}
    # In compile: a linear model evaluated in one batch and in batches of 3, 3 and 2 (the metrics average the
    # per-sample coefficients over all samples).
    x = f32(rng.normal(size=(8, 3)))
    y = f32(rng.normal(size=(8, 5)))
    kernel = f32(rng.normal(size=(3, 5)))
    bias = f32(rng.normal(0, 0.3, size=(5,)))
    for key, value in (("x", x), ("y", y), ("kernel", kernel), ("bias", bias)):
        w.put(f"metric_fit/{key}", value)
    model = _dense_model(keras, (3,), 5, None)
    model.get_layer("dense").set_weights([kernel, bias])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse",
                  metrics=[keras.metrics.PearsonCorrelation(name="pcc"), "concordance_correlation"])
    fit = {f"evaluate_batch_{b}": plain(model.evaluate(x, y, batch_size=b, verbose=0, return_dict=True))
           for b in (8, 3)}
    fit["history"] = plain(model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history)
    w.json["metrics"] = {"cases": cases, "configs": configs, "default_configs": defaults, "fit": fit}


LAMB_CASES = [
    {},
    {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4},
    {"learning_rate": 0.05, "weight_decay": 0.1},
    {"learning_rate": 0.02, "clipnorm": 0.5},
    {"learning_rate": 0.02, "global_clipnorm": 1.0},
]


def keras3_optimizers(keras, w, rng):
    init = [f32(rng.normal(size=(3, 2))), f32(rng.normal(size=(2,))), f32(np.zeros((2,)))]
    for j, value in enumerate(init):
        w.put(f"opt/var/{j}", value)
    grads = [[f32(rng.normal(size=v.shape)) for v in init] for _ in range(5)]
    for step, step_grads in enumerate(grads):
        for j, g in enumerate(step_grads):
            w.put(f"opt/grad/{step}/{j}", g)
    lamb_cases = []
    for i, kwargs in enumerate(LAMB_CASES):
        cid = f"lamb_{i}"
        variables = [keras.Variable(v) for v in init]
        optimizer = keras.optimizers.Lamb(**kwargs)
        for step, step_grads in enumerate(grads):
            optimizer.apply(step_grads, variables)
            for j, v in enumerate(variables):
                w.put(f"opt/{cid}/{step}/{j}", keras.ops.convert_to_numpy(v))
        lamb_cases.append({"id": cid, "kwargs": kwargs, "config": plain(optimizer.get_config())})

    w.json["optimizers"] = {"lamb_cases": lamb_cases,
                            "lamb_default_config": plain(keras.optimizers.Lamb().get_config())}


def keras3_loss_scale(keras, w, rng):
    init = [f32(rng.normal(size=(3, 2))), f32(rng.normal(size=(2,)))]
    for j, value in enumerate(init):
        w.put(f"lso/var/{j}", value)
    lso_cases = []
    for cid, inner, kwargs in (("lso_sgd", ("SGD", {"learning_rate": 0.1}), {"initial_scale": 8.0,
                                                                               "dynamic_growth_steps": 2}),
                               ("lso_adam", ("Adam", {"learning_rate": 0.01}), {"initial_scale": 4.0,
                                                                                 "dynamic_growth_steps": 2}),
                               ("lso_default", ("SGD", {"learning_rate": 0.1}), {})):
        variables = [keras.Variable(v) for v in init]
        optimizer = keras.optimizers.LossScaleOptimizer(getattr(keras.optimizers, inner[0])(**inner[1]), **kwargs)
        steps = []
        scale_before = float(optimizer.scale_loss(3.0))
        for step in range(6):
            step_grads = [f32(rng.normal(size=v.shape) * 4.0) for v in init]
            if step == 2:
                step_grads[1][0] = np.inf
            if step == 4:
                step_grads[0][1, 1] = np.nan
            for j, g in enumerate(step_grads):
                w.put(f"lso/{cid}/grad/{step}/{j}", g)
            optimizer.apply(step_grads, variables)
            for j, v in enumerate(variables):
                w.put(f"lso/{cid}/{step}/{j}", keras.ops.convert_to_numpy(v))
            steps.append({"dynamic_scale": float(optimizer.dynamic_scale), "step_counter":
                          int(optimizer.step_counter), "iterations": int(optimizer.iterations),
                          "scale_loss_3": float(optimizer.scale_loss(3.0))})
        lso_cases.append({"id": cid, "inner": inner, "kwargs": kwargs, "steps": steps,
                          "scale_loss_3_before_build": scale_before, "config": plain(optimizer.get_config()),
                          "serialized": plain(keras.optimizers.serialize(optimizer))})
    errors = {}
    try:
        keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(), dynamic=False)
    except ValueError as e:
        errors["dynamic_false"] = str(e)
    try:
        keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(), clipnorm=1.0)
    except ValueError as e:
        errors["clipnorm"] = str(e)
    w.json["loss_scale_optimizer"] = {"cases": lso_cases, "errors": errors}


def keras3_swap_ema(keras, w, rng):
    x = f32(rng.normal(size=(12, 3)))
    y = f32(rng.normal(size=(12, 2)))
    # The first batch weighs nothing, so the first step leaves the weights as they are: from there on Keras 3's
    # moving average (which starts from the first step's weights) and tf-keras' (which starts from the initial
    # weights) are the same numbers, and the callback is checked rather than that difference.
    sw = f32([0.0] * 4 + [1.0] * 8)
    x_val = f32(rng.normal(size=(5, 3)))
    y_val = f32(rng.normal(size=(5, 2)))
    kernel = f32(rng.normal(size=(3, 2)))
    bias = f32(rng.normal(size=(2,)))
    for key, value in (("x", x), ("y", y), ("sample_weight", sw), ("x_val", x_val), ("y_val", y_val),
                       ("kernel", kernel), ("bias", bias)):
        w.put(f"ema/{key}", value)
    results = {}
    for case, callback_kwargs in (("no_callback", None), ("swap_on_epoch", {"swap_on_epoch": True}),
                                  ("swap_for_evaluation", {"swap_on_epoch": False})):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")])
        model.set_weights([kernel, bias])
        model.compile(optimizer=keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5), loss="mse")
        callbacks = [] if callback_kwargs is None else [keras.callbacks.SwapEMAWeights(**callback_kwargs)]
        history = model.fit(x, y, sample_weight=sw, batch_size=4, epochs=3, shuffle=False, verbose=0,
                            validation_data=(x_val, y_val), callbacks=callbacks).history
        for k, value in enumerate(model.get_weights()):
            w.put(f"ema/{case}/weights/{k}", value)
        # fit ends with the averages written into the weights; two more steps make them differ again.
        for start in (4, 8):
            model.train_on_batch(x[start:start + 4], y[start:start + 4])
        for k, value in enumerate(model.get_weights()):
            w.put(f"ema/{case}/trained/{k}", value)
        evaluated = model.evaluate(x_val, y_val, verbose=0, callbacks=callbacks)
        for k, value in enumerate(model.get_weights()):
            w.put(f"ema/{case}/after_evaluate/{k}", value)
        w.put(f"ema/{case}/predict", model.predict(x_val, verbose=0, callbacks=callbacks))
        for k, value in enumerate(model.get_weights()):
            w.put(f"ema/{case}/after_predict/{k}", value)
        evaluated_again = model.evaluate(x_val, y_val, verbose=0, callbacks=callbacks)
        for k, value in enumerate(model.get_weights()):
            w.put(f"ema/{case}/after_second_evaluate/{k}", value)
        results[case] = {"callback_kwargs": callback_kwargs, "history": plain(history),
                         "evaluate": float(evaluated), "evaluate_again": float(evaluated_again)}
    try:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, epochs=1, verbose=0, validation_data=(x_val, y_val),
                  callbacks=[keras.callbacks.SwapEMAWeights()])
    except ValueError as e:
        results["error_without_ema"] = str(e)
    w.json["swap_ema"] = results


def make_keras3():
    os.makedirs(OUT, exist_ok=True)
    import keras
    assert keras.__version__ == "3.15.1", keras.__version__
    keras.utils.set_random_seed(0)
    w = Writer()
    rng = np.random.RandomState(0)
    w.json["keras_version"] = keras.__version__
    w.json["backend"] = keras.backend.backend()
    keras3_activations(keras, w, rng)
    keras3_losses(keras, w, rng)
    keras3_metrics(keras, w, rng)
    keras3_optimizers(keras, w, rng)
    w.save("keras3")


def make_keras3_torch():
    import keras
    assert keras.__version__ == "3.15.1", keras.__version__
    # Keras 3's LossScaleOptimizer.apply updates its state inside ops.cond, which the jax backend cannot do
    # outside a traced step, and SwapEMAWeights reads weights whose buffers jax's fit has donated: these parts
    # run on the torch backend.
    assert keras.backend.backend() == "torch", "run the --keras3-torch mode with KERAS_BACKEND=torch"
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(0)
    w = Writer()
    w.json["keras_version"] = keras.__version__
    w.json["backend"] = keras.backend.backend()
    keras3_loss_scale(keras, w, np.random.RandomState(1))
    keras3_swap_ema(keras, w, np.random.RandomState(2))
    w.save("keras3_torch")


# ---------------------------------------------------------------------------------------------------------
# tf-keras
# ---------------------------------------------------------------------------------------------------------

def make_keras2():
    import tf_keras
    w = Writer()
    w.json["tf_keras_version"] = tf_keras.__version__
    names = [n for n in dir(tf_keras.optimizers.experimental) if not n.startswith("_")]
    w.json["optimizers_experimental"] = {
        n: {"class": getattr(tf_keras.optimizers.experimental, n).__name__,
            "is_current": getattr(tf_keras.optimizers.experimental, n) is getattr(tf_keras.optimizers, n)}
        for n in names}
    cls = tf_keras.callbacks.experimental.BackupAndRestore
    w.json["callbacks_experimental"] = {
        "names": [n for n in dir(tf_keras.callbacks.experimental) if not n.startswith("_")],
        "BackupAndRestore": {"class": cls.__name__, "bases": [b.__name__ for b in cls.__mro__[1:3]]}}
    keras2_sharpness_aware_minimization(tf_keras, w)
    w.save("keras2")


def keras2_sharpness_aware_minimization(keras, w):
    """tf-keras' models.experimental.SharpnessAwareMinimization wrapped around a small Dense model."""
    import tensorflow as tf
    rng = np.random.RandomState(3)
    x = f32(rng.normal(size=(12, 3)))
    y = f32(rng.normal(size=(12, 2)))
    weights = [f32(rng.normal(size=(3, 4))), f32(rng.normal(0, 0.3, size=(4,))), f32(rng.normal(size=(4, 2))),
               f32(rng.normal(0, 0.3, size=(2,)))]
    for key, value in (("x", x), ("y", y)):
        w.put(f"sam/{key}", value)
    for k, value in enumerate(weights):
        w.put(f"sam/init/{k}", value)
    cases = {}
    for case, kwargs in (("default", {}), ("rho_splits", {"rho": 0.2, "num_batch_splits": 2})):
        keras.utils.set_random_seed(0)
        tf.keras.backend.clear_session() if hasattr(tf.keras.backend, "clear_session") else None
        inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                                  keras.layers.Dense(2)])
        inner.set_weights(weights)
        sam = keras.models.experimental.SharpnessAwareMinimization(inner, **kwargs)
        sam.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
        history = sam.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
        for k, value in enumerate(inner.get_weights()):
            w.put(f"sam/{case}/weights/{k}", value)
        w.put(f"sam/{case}/predict", sam.predict(x, verbose=0))
        cases[case] = {"kwargs": kwargs, "history": plain(history),
                       "evaluate": plain(sam.evaluate(x, y, verbose=0, return_dict=True)),
                       "config_keys": sorted(sam.get_config()), "rho": sam.get_config()["rho"]}
    w.json["sharpness_aware_minimization"] = cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--keras3", action="store_true")
    group.add_argument("--keras3-torch", action="store_true")
    group.add_argument("--keras2", action="store_true")
    args = parser.parse_args()
    if args.keras3:
        make_keras3()
    elif args.keras3_torch:
        make_keras3_torch()
    else:
        make_keras2()
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
