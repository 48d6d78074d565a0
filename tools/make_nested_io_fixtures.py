"""What tf-keras 2.21 does with functional models built on dicts and nested lists of inputs and outputs, for
tests/engine/test_nested_io.py.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_nested_io_fixtures.py

Every model is built by ``build(keras, case)`` below, which the test imports and runs on fastkeras, so both sides
build the same graph. Weights are set per layer from a seed of the layer's name. Writes
tests/fixtures/nested_io/:
- ``keras2.json``: per case of ``CASES``: ``input_names``, ``output_names``, ``output_shapes`` (model.outputs in
  order), ``layers`` (names), ``input_layers`` and ``output_layers`` of ``get_config()`` (keys in their order),
  ``predict_keys`` (the structure of ``predict``'s result: dict keys in order, or list lengths), ``history`` (a
  two-epoch SGD fit, unshuffled), ``evaluate`` (the list) and ``metrics_names``, ``evaluate_dict``,
  ``train_on_batch`` (the list), and ``weighted_evaluate`` (evaluate with sample weights given in the outputs'
  shape).
  Per case of ``SUBCLASSED_CASES`` (subclassed models whose ``call`` returns a dict, or a list holding one,
  from ``build_subclassed``): ``predict_keys``, ``history``, ``evaluate`` and ``metrics_names``.
- ``keras2.npz``: ``<case>/predict/<i>``: the predictions flattened in tf.nest order.
"""
import json
import os
import zlib

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "nested_io")
CASES = ("dict_in_nested_dict_out", "nested_list_out", "dict_out_named_as_layers")
N = 8


def _rng(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def build(keras, case):
    """The model of ``case`` and its compile arguments, data and per-output sample weights (all shaped as the
    model's inputs and outputs)."""
    layers = keras.layers
    rng = _rng(case)
    if case == "dict_in_nested_dict_out":
        x = keras.Input((4,), name="x_in")
        y = keras.Input((2,), name="y_in")
        h = layers.Dense(5, activation="tanh", name="shared")(x)
        outputs = {"z": layers.Dense(2, name="zz")(h),
                   "b": [layers.Dense(3, name="b1")(layers.Concatenate(name="cat")([h, y])),
                         layers.Dense(1, name="b2")(h)],
                   "a": layers.Dense(1, activation="sigmoid", name="aa")(h)}
        model = keras.Model({"yin": y, "xin": x}, outputs)
        compile_args = dict(loss={"z": "mse", "b": ["mse", "mae"], "a": "binary_crossentropy"},
                            loss_weights={"z": 0.5, "b": [1.0, 2.0], "a": 1.0},
                            metrics={"z": ["mae"], "b": [["mse"], ["mae"]], "a": ["accuracy"]})
        data_x = {"xin": rng.normal(size=(N, 4)).astype("float32"), "yin": rng.normal(size=(N, 2)).astype("float32")}
        data_y = {"z": rng.normal(size=(N, 2)).astype("float32"),
                  "b": [rng.normal(size=(N, 3)).astype("float32"), rng.normal(size=(N, 1)).astype("float32")],
                  "a": (rng.random(size=(N, 1)) > 0.5).astype("float32")}
        weights = {"z": rng.random(N).astype("float32"), "b": [np.ones(N, "float32"), rng.random(N).astype("float32")],
                   "a": np.ones(N, "float32")}
    elif case == "nested_list_out":
        x = keras.Input((3,), name="x")
        h = layers.Dense(4, activation="relu", name="h")(x)
        model = keras.Model(x, [layers.Dense(2, name="first")(h),
                                [layers.Dense(1, name="second")(h), layers.Dense(3, name="third")(h)]])
        compile_args = dict(loss=["mse", ["mae", "mse"]], loss_weights=[1.0, [0.5, 0.25]])
        data_x = rng.normal(size=(N, 3)).astype("float32")
        data_y = [rng.normal(size=(N, 2)).astype("float32"),
                  [rng.normal(size=(N, 1)).astype("float32"), rng.normal(size=(N, 3)).astype("float32")]]
        weights = [np.ones(N, "float32"), [rng.random(N).astype("float32"), np.ones(N, "float32")]]
    elif case == "dict_out_named_as_layers":
        x = keras.Input((3,), name="x")
        h = layers.Dense(4, activation="relu", name="h")(x)
        model = keras.Model(x, {"score": layers.Dense(1, name="score")(h), "class": layers.Dense(
            3, activation="softmax", name="class")(h)})
        compile_args = dict(loss={"score": "mse", "class": "sparse_categorical_crossentropy"},
                            metrics={"class": "accuracy"})
        data_x = rng.normal(size=(N, 3)).astype("float32")
        data_y = {"score": rng.normal(size=(N, 1)).astype("float32"), "class": rng.integers(0, 3, size=(N, 1))}
        weights = {"score": rng.random(N).astype("float32"), "class": np.ones(N, "float32")}
    else:
        raise ValueError(case)
    for layer in model.layers:
        if layer.weights:
            wrng = _rng(layer.name)
            layer.set_weights([wrng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.get_weights()])
    return model, compile_args, data_x, data_y, weights


SUBCLASSED_CASES = ("subclassed_dict_out", "subclassed_nested_out")


def build_subclassed(keras, case):
    """A subclassed model whose call returns a dict (or a list holding a dict), its compile arguments, data and
    targets in that shape. Weights are set after a first call, per layer attribute name."""
    layers = keras.layers
    rng = _rng(case)

    class DictOut(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(4, activation="tanh")
            self.score = layers.Dense(1)
            self.label = layers.Dense(3, activation="softmax")

        def call(self, x):
            h = self.hidden(x)
            if case == "subclassed_dict_out":
                return {"score": self.score(h), "label": self.label(h)}
            return [self.score(h), {"label": self.label(h), "again": self.score(h) * 2.0}]

    model = DictOut()
    x = rng.normal(size=(N, 3)).astype("float32")
    model(x[:1])
    for attr in ("hidden", "score", "label"):
        layer = getattr(model, attr)
        wrng = _rng(attr)
        layer.set_weights([wrng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.get_weights()])
    score, label = rng.normal(size=(N, 1)).astype("float32"), rng.integers(0, 3, size=(N, 1))
    if case == "subclassed_dict_out":
        compile_args = dict(loss={"score": "mse", "label": "sparse_categorical_crossentropy"},
                            metrics={"label": ["accuracy"]})
        y = {"score": score, "label": label}
    else:
        compile_args = dict(loss=["mse", {"label": "sparse_categorical_crossentropy", "again": "mae"}])
        y = [score, {"label": label, "again": score}]
    return model, compile_args, x, y


def record_subclassed(keras, case):
    model, compile_args, x, y = build_subclassed(keras, case)
    predictions = model.predict(x, verbose=0)
    out = {"predict_keys": structure_keys(predictions)}
    arrays = {f"{case}/predict/{i}": np.asarray(p) for i, p in enumerate(flatten(predictions))}
    model.compile(optimizer=keras.optimizers.SGD(0.05), **compile_args)
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    out["history"] = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    out["evaluate"] = [float(v) for v in model.evaluate(x, y, batch_size=4, verbose=0)]
    out["metrics_names"] = list(model.metrics_names)
    return out, arrays


def structure_keys(value):
    """The shape of a nested result: dict keys in their order, list lengths, '*' for an array."""
    if isinstance(value, dict):
        return {"dict": [[k, structure_keys(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return {"list": [structure_keys(v) for v in value]}
    return "*"


def flatten(value):
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in flatten(value[k])]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in flatten(v)]
    return [value]


def record(keras, case):
    model, compile_args, data_x, data_y, weights = build(keras, case)
    config = model.get_config()
    out = {"input_names": list(model.input_names), "output_names": list(model.output_names),
           "output_shapes": [list(t.shape)[1:] for t in model.outputs],
           "layers": [layer.name for layer in model.layers],
           "input_layers": config["input_layers"], "output_layers": config["output_layers"]}
    predictions = model.predict(data_x, verbose=0)
    out["predict_keys"] = structure_keys(predictions)
    arrays = {f"{case}/predict/{i}": np.asarray(p) for i, p in enumerate(flatten(predictions))}
    model.compile(optimizer=keras.optimizers.SGD(0.05), **compile_args)
    history = model.fit(data_x, data_y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    out["history"] = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    out["evaluate"] = [float(v) for v in model.evaluate(data_x, data_y, batch_size=4, verbose=0)]
    out["metrics_names"] = list(model.metrics_names)
    out["evaluate_dict"] = {k: float(v) for k, v in
                            model.evaluate(data_x, data_y, batch_size=4, verbose=0, return_dict=True).items()}
    out["weighted_evaluate"] = [float(v) for v in model.evaluate(data_x, data_y, sample_weight=weights, batch_size=4,
                                                                 verbose=0)]
    out["train_on_batch"] = [float(v) for v in model.train_on_batch(data_x, data_y)]
    return out, arrays


def main():
    import tf_keras as keras
    os.makedirs(OUT, exist_ok=True)
    results, arrays = {}, {}
    for case in CASES:
        results[case], case_arrays = record(keras, case)
        arrays.update(case_arrays)
    for case in SUBCLASSED_CASES:
        results[case], case_arrays = record_subclassed(keras, case)
        arrays.update(case_arrays)
    with open(os.path.join(OUT, "keras2.json"), "w") as f:
        json.dump(results, f, indent=1)  # unsorted: the order of dict keys is part of what is recorded
    np.savez(os.path.join(OUT, "keras2.npz"), **arrays)


if __name__ == "__main__":
    main()
