"""What tf-keras 2.21's utility modules return (``utils.conv_utils`` shape arithmetic, ``utils.generic_utils``
helpers) and what a training step does on a model with nothing to train, for tests/utils/test_keras2_modules.py.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_utils_module_fixtures.py

Writes tests/fixtures/utils_modules/expected.json:
- ``conv_output_length`` / ``conv_input_length`` / ``deconv_output_length``: lists of
  ``[args..., result]`` over a grid of lengths, filter sizes, paddings, strides, dilations and output paddings;
- ``convert_data_format``: ``[data_format, ndim, result]``;
- ``make_batches``: ``[size, batch_size, result]``; ``slice_arrays``: cases as ``[case, result]``;
- ``no_trainable_weights``: ``train_on_batch`` and ``fit`` logs of a Masking-only model on fixed data
  (``x``, ``y`` are stored with them);
- ``compile_config``: ``get_compile_config()`` before and after compiling a small model, ``run_eagerly``, and
  the optimizer, learning rate and loss a second model gets from ``compile_from_config``;
- ``losses_utils``: ``compute_weighted_loss`` of fixed losses under each reduction with and without
  weights of several ranks (``[losses, weights, reduction, result]``), ``squeeze_or_expand_dimensions``
  shapes, and the dtypes ``cast_losses_to_common_dtype`` gives for mixed float dtypes.
"""
import json
import os

import numpy as np
import tf_keras as keras
import tensorflow as tf
from tf_keras.src.utils import conv_utils, generic_utils, losses_utils

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "utils_modules")


def shape_arithmetic():
    out = {"conv_output_length": [], "conv_input_length": [], "deconv_output_length": []}
    for length in (1, 5, 8, 13, None):
        for size in (1, 2, 3, 5):
            for stride in (1, 2, 3):
                for padding in ("valid", "same", "full", "causal"):
                    for dilation in (1, 2):
                        value = conv_utils.conv_output_length(length, size, padding, stride, dilation)
                        out["conv_output_length"].append([length, size, padding, stride, dilation, value])
                if length is None:
                    continue
                for padding in ("valid", "same", "full"):
                    out["conv_input_length"].append(
                        [length, size, padding, stride, conv_utils.conv_input_length(length, size, padding, stride)])
                    for output_padding in (None, 0, 1):
                        if output_padding is not None and output_padding >= stride:
                            continue
                        for dilation in (1, 2):
                            value = conv_utils.deconv_output_length(length, size, padding, output_padding, stride,
                                                                    dilation)
                            out["deconv_output_length"].append(
                                [length, size, padding, output_padding, stride, dilation, value])
    out["convert_data_format"] = [[f, n, conv_utils.convert_data_format(f, n)]
                                  for f in ("channels_last", "channels_first") for n in (3, 4, 5)]
    return out


def generic():
    arange = np.arange(10)
    cases = {
        "list_range": ([arange, None, arange * 2], 2, 5),
        "array_range": (arange, 3, 7),
        "list_indices": ([arange, arange * 3], [1, 4, 8], None),
        "array_indices": (arange, np.array([0, 9, 2]), None),
    }
    slices = []
    for name, (arrays, start, stop) in cases.items():
        result = generic_utils.slice_arrays(arrays, start, stop)
        as_lists = [None if r is None else r.tolist() for r in result] if isinstance(result, list) else \
            result.tolist()
        slices.append([name, as_lists])
    return {"make_batches": [[n, b, [list(p) for p in generic_utils.make_batches(n, b)]]
                             for n, b in ((10, 3), (9, 3), (1, 5), (0, 4), (32, 32))],
            "slice_arrays": slices}


def no_trainable_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 2, 3)).astype("float32")
    y = rng.normal(size=(6, 2, 3)).astype("float32")
    inputs = keras.Input((2, 3))
    model = keras.Model(inputs, keras.layers.Masking()(inputs))
    model.compile("rmsprop", "mse", metrics=["mae"])
    batch = model.train_on_batch(x, y, return_dict=True)
    history = model.fit(x, y, batch_size=3, epochs=2, verbose=0, shuffle=False).history
    return {"x": x.tolist(), "y": y.tolist(), "train_on_batch": {k: float(v) for k, v in batch.items()},
            "fit": {k: [float(v) for v in vs] for k, vs in history.items()},
            "iterations": int(model.optimizer.iterations.numpy())}


def compile_config():
    """get_compile_config() before and after compile, run_eagerly, and what compile_from_config rebuilds."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    before = model.get_compile_config()
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"], loss_weights=[1.0])
    config = model.get_compile_config()
    rebuilt = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    rebuilt.compile_from_config(config)
    return {"before": before, "after": config, "run_eagerly": model.run_eagerly,
            "rebuilt": {"optimizer": type(rebuilt.optimizer).__name__,
                        "learning_rate": float(rebuilt.optimizer.learning_rate.numpy()), "loss": rebuilt.loss}}


def losses_utils_cases():
    losses = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "float32")
    weighted = []
    for weights in (None, 2.0, [1.0, 0.0], [[1.0], [0.5]], [[1.0, 0.0, 2.0], [0.5, 0.5, 0.0]]):
        for reduction in ("none", "sum", "sum_over_batch_size", "auto"):
            value = losses_utils.compute_weighted_loss(
                tf.constant(losses), None if weights is None else tf.constant(weights, "float32"),
                reduction=reduction)
            weighted.append([losses.tolist(), weights, reduction, np.asarray(value).tolist()])
    shapes = []
    for pred, weights in (((4, 3), (4,)), ((4, 3), (4, 3, 1)), ((4, 1), (4,)), ((4,), (4, 1)), ((4, 3), ())):
        y, _, w = losses_utils.squeeze_or_expand_dimensions(tf.zeros(pred), None, tf.zeros(weights))
        shapes.append([list(pred), list(weights), list(y.shape), list(w.shape)])
    casts = []
    for dtypes in (("float16", "float32"), ("float16", "bfloat16"), ("float64", "float32", "float16"),
                   ("int32", "float16"), ("int32", "int64")):
        cast = losses_utils.cast_losses_to_common_dtype([tf.zeros((), d) for d in dtypes])
        casts.append([list(dtypes), [c.dtype.name for c in cast]])
    return {"compute_weighted_loss": weighted, "squeeze_or_expand_dimensions": shapes,
            "cast_losses_to_common_dtype": casts}


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {**shape_arithmetic(), **generic(), "no_trainable_weights": no_trainable_weights(),
                "compile_config": compile_config(), "losses_utils": losses_utils_cases()}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=0)
    print("wrote", os.path.join(OUT, "expected.json"))


if __name__ == "__main__":
    main()
