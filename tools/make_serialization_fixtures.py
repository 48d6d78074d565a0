"""Reference output of tf-keras 2.21's public serialization API (``keras.saving.serialize_keras_object``, which
``keras.utils`` also exports, and ``keras.layers/losses/metrics.serialize``), for
tests/saving/test_serialization_lib.py.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_serialization_fixtures.py

Each case names the object (the test builds the same one with fastkeras' API) and records what tf-keras writes
for it. Writes tests/fixtures/serialization/serialized.json.
"""
import json
import os

import numpy as np
import tf_keras as keras

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "serialization")


def built_dense():
    layer = keras.layers.Dense(3, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01), name="built")
    layer.build((None, 4))
    return layer


CASES = {
    "dense": lambda: keras.layers.Dense(3, name="d"),
    "dense_built_regularized": built_dense,
    "conv2d": lambda: keras.layers.Conv2D(2, 3, padding="same", name="c"),
    "adam": lambda: keras.optimizers.Adam(0.1),
    "sgd_momentum": lambda: keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    "exponential_decay": lambda: keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
    "glorot_seeded": lambda: keras.initializers.GlorotUniform(seed=1),
    "l1l2": lambda: keras.regularizers.L1L2(l1=0.01, l2=0.02),
    "max_norm": lambda: keras.constraints.MaxNorm(2),
    "mse_loss": lambda: keras.losses.MeanSquaredError(),
    "cce_logits": lambda: keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    "auc": lambda: keras.metrics.AUC(num_thresholds=20, name="auc20"),
    "mse_function": lambda: keras.losses.mean_squared_error,
    "relu_function": lambda: keras.activations.relu,
    "array": lambda: np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32"),
    "nested": lambda: {"a": [1, 2.5, "x"], "b": keras.regularizers.L1(0.5)},
}


def main():
    out = {}
    for name, make in CASES.items():
        obj = make()
        out[name] = {"saving": keras.saving.serialize_keras_object(obj)}
        for family in ("layers", "losses", "metrics"):
            base = {"layers": keras.layers.Layer, "losses": keras.losses.Loss, "metrics": keras.metrics.Metric}
            if isinstance(obj, base[family]) and not (family == "layers" and isinstance(obj, keras.metrics.Metric)):
                out[name][family] = getattr(keras, family).serialize(obj)
                out[name][family + "_legacy"] = getattr(keras, family).serialize(obj, use_legacy_format=True)
        print(name, sorted(out[name]))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "serialized.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True, default=lambda o: o.item() if hasattr(o, "item") else str(o))


if __name__ == "__main__":
    main()
