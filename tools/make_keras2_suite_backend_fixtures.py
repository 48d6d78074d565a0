"""Writes what tests/backend/test_keras2_suite_backend.py expects, by running real tf-keras' backend functions.

The cases are the K functions Keras 2.3's own backend test suite (tests/keras/backend/backend_test.py) exercises
where fastkeras had to change, or where that suite cannot compare on a PyTorch engine (its Theano-only and
TensorFlow-only checks, and its numpy reference for batch normalization and in_top_k ties).

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_keras2_suite_backend_fixtures.py

It writes, into tests/fixtures/keras2_suite_backend/:

* ``arrays.npz``: inputs and tf-keras' outputs, keyed ``<case>/<name>``:
  ``arange/<i>`` (the calls in ``ARANGE_CALLS``), ``sparse/{w,dot,concat_last,concat_first,dense}`` (the csr
  matrix of ``SPARSE_COO``), ``in_top_k/{predictions,targets,k<k>}``, ``ctc_greedy/{inputs,input_length,decoded,
  log_prob}``, ``batch_norm/<i>/{x,mean,var,beta,gamma,out}`` (``BATCH_NORM_CASES``),
  ``bilinear/<data_format>_<factor>/{x,out}``, ``bias_add_default/{x,bias,out}`` (data_format=None under a
  channels_first image_data_format);
* ``expected.json``: ``raises`` (for each call in ``RAISING_CALLS``, the exception class tf-keras raised, or
  null), ``arange_dtypes`` (``K.dtype(K.arange(10, dtype=d))`` per dtype), ``sparse_is_sparse`` and
  ``sparse_concat_is_sparse``, ``scalar_placeholder_shape``, ``sparse_int_shape``, ``symbolic_broadcast_shapes`` (``[placeholder shape,
  variable shape, op, result's K.int_shape]`` for ``SYMBOLIC_BROADCASTS``), and
  ``batch_norm_via_tf_nn`` (the batch-norm cases computed with ``tf.nn.batch_normalization``, Keras 2.3's path,
  because tf-keras 2.21's own call fails there on a CPU).
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import scipy.sparse as sparse  # noqa: E402
import tensorflow as tf  # noqa: E402
from tf_keras import backend as K  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                       "keras2_suite_backend")
RNG = np.random.default_rng(20261130)

# (start, stop, step); "t:<int>" is a scalar int32 tensor.
ARANGE_CALLS = [(-20, None, 1), (0, None, 1), (1, None, 1), (10, None, 1), (0, 5, 1), (-5, 5, 2), (0, 1, 2),
                (10, 0, -3), ("t:1", None, 1), ("t:-1", None, 1), ("t:3", "t:9", "t:2")]
SPARSE_COO = (np.array([0, 7, 2, 3], "float32"), np.array([0, 2, 2, 3]), np.array([4, 3, 2, 3]), (4, 5))
BATCH_NORM_CASES = [((3, 2, 4, 5), 1), ((3, 2, 4, 5), -1), ((3, 2, 4), 1), ((3, 2, 4), -1)]
# (placeholder shape, variable shape, op) for the static shapes of symbolic broadcasting
SYMBOLIC_BROADCASTS = [((None, None), (4, 2), "add"), ((None, 1), (1, 3), "multiply"),
                       ((None, None, 3), (5, 1, 3), "add"), ((None, 2), (2,), "maximum"),
                       ((None, None), (1, 1), "add")]
# name -> K call on fixed inputs that Keras 2 rejects
RAISING_CALLS = {
    "dropout_negative": lambda: K.dropout(K.variable(np.ones((3, 3))), level=-0.5),
    "dropout_one": lambda: K.dropout(K.variable(np.ones((3, 3))), level=1.0),
    "dropout_zero": lambda: K.dropout(K.variable(np.ones((3, 3))), level=0.0),
    "bias_add_bad_format": lambda: K.bias_add(K.variable(np.ones((2, 3, 4))), K.variable(np.ones(4)),
                                              data_format="channels_middle"),
}


def scalar_or_tensor(v):
    return K.constant(int(v[2:]), dtype="int32") if isinstance(v, str) else v


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    arrays, expected = {}, {}

    for i, (start, stop, step) in enumerate(ARANGE_CALLS):
        args = [scalar_or_tensor(start)] + ([scalar_or_tensor(stop)] if stop is not None else [])
        arrays[f"arange/{i}"] = K.eval(K.arange(*args, step=scalar_or_tensor(step)))
    expected["arange_dtypes"] = {d: K.dtype(K.arange(10, dtype=d)) for d in ("int32", "int64", "float32", "float64")}

    data, rows, cols, shape = SPARSE_COO
    csr = sparse.csr_matrix((data, (rows, cols)), shape=shape)
    w = RNG.random((5, 4)).astype("float32")
    v = K.variable(csr)
    expected["sparse_is_sparse"] = bool(K.is_sparse(v))
    expected["sparse_int_shape"] = list(K.int_shape(v))
    arrays["sparse/w"] = w
    arrays["sparse/dot"] = K.eval(K.dot(v, K.variable(w)))
    concat = K.concatenate([K.variable(csr), K.variable(csr)])
    expected["sparse_concat_is_sparse"] = bool(K.is_sparse(concat))
    arrays["sparse/concat_last"] = K.eval(concat)
    arrays["sparse/concat_first"] = K.eval(K.concatenate([K.variable(csr), K.variable(csr)], axis=0))
    arrays["sparse/dense"] = K.eval(K.to_dense(v))

    # Half of each row tied with class 0, the target: TensorFlow counts ties at the boundary as in the top k.
    predictions = RNG.random((20, 10)).astype("float32")
    for row in predictions:
        row[RNG.choice(10, size=5, replace=False)] = row[0]
    targets = np.zeros(20, "int32")
    arrays["in_top_k/predictions"], arrays["in_top_k/targets"] = predictions, targets
    for k in range(1, 11):
        arrays[f"in_top_k/k{k}"] = K.eval(K.in_top_k(K.variable(predictions), K.variable(targets, dtype="int32"), k))

    # Keras 2.3's test_ctc_decode_greedy input (two sequences of lengths 4 and 5, 6 steps, 4 classes).
    m0 = np.asarray([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.4, 0.6], [0.0, 0.0, 0.4, 0.6], [0.0, 0.9, 0.1, 0.0],
                     [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], "float32")
    m1 = np.asarray([[0.1, 0.9, 0.0, 0.0], [0.0, 0.9, 0.1, 0.0], [0.0, 0.0, 0.1, 0.9], [0.0, 0.9, 0.1, 0.1],
                     [0.9, 0.1, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], "float32")
    inputs = np.stack([m0, m1])
    input_length = np.array([4, 5], "int32")
    decoded, log_prob = K.ctc_decode(K.variable(inputs), K.variable(input_length), greedy=True)
    arrays["ctc_greedy/inputs"], arrays["ctc_greedy/input_length"] = inputs, input_length
    arrays["ctc_greedy/decoded"], arrays["ctc_greedy/log_prob"] = K.eval(decoded[0]), K.eval(log_prob)

    for i, (x_shape, axis) in enumerate(BATCH_NORM_CASES):
        other = [1] * len(x_shape)
        other[axis] = x_shape[axis]
        vals = {"x": RNG.random(x_shape).astype("float32")}
        vals.update({n: RNG.random(tuple(other)).astype("float32") for n in ("mean", "var", "beta", "gamma")})
        args = [K.variable(vals[n]) for n in ("x", "mean", "var", "beta", "gamma")]
        try:
            out = K.batch_normalization(*args, axis=axis)
        except tf.errors.InvalidArgumentError:
            # tf-keras 2.21 on a CPU sends 4D channels_first input to fused_batch_norm without squeezing the
            # broadcast-shaped parameters (its own bug); Keras 2.3 took tf.nn.batch_normalization there.
            out = tf.nn.batch_normalization(*args[:3], args[3], args[4], 1e-3)
            expected.setdefault("batch_norm_via_tf_nn", []).append(i)
        for n, a in vals.items():
            arrays[f"batch_norm/{i}/{n}"] = a
        arrays[f"batch_norm/{i}/out"] = K.eval(out)

    x = RNG.random((2, 3, 4, 5)).astype("float32")
    for data_format in ("channels_first", "channels_last"):
        for factor in (2, 4):
            key = f"bilinear/{data_format}_{factor}"
            arrays[f"{key}/x"] = x
            arrays[f"{key}/out"] = K.eval(K.resize_images(K.variable(x), factor, factor, data_format,
                                                          interpolation="bilinear"))

    x, bias = RNG.random((2, 3, 4)).astype("float32"), RNG.random(3).astype("float32")
    K.set_image_data_format("channels_first")
    try:
        arrays["bias_add_default/out"] = K.eval(K.bias_add(K.variable(x), K.variable(bias)))
    finally:
        K.set_image_data_format("channels_last")
    arrays["bias_add_default/x"], arrays["bias_add_default/bias"] = x, bias

    expected["raises"] = {}
    for name, call in RAISING_CALLS.items():
        try:
            call()
            expected["raises"][name] = None
        except Exception as e:  # noqa: BLE001 - the class is what is recorded
            expected["raises"][name] = type(e).__name__
    expected["scalar_placeholder_shape"] = list(K.int_shape(K.placeholder(shape=())))
    # Static shapes of a placeholder with unknown sizes broadcast against a variable (the suite's
    # check_two_tensor_operation mixes the two).
    expected["symbolic_broadcast_shapes"] = []
    for placeholder_shape, variable_shape, op in SYMBOLIC_BROADCASTS:
        p, v = K.placeholder(shape=placeholder_shape), K.variable(np.ones(variable_shape, "float32"))
        result = {"add": lambda: v + p, "multiply": lambda: p * v, "maximum": lambda: K.maximum(p, v)}[op]()
        expected["symbolic_broadcast_shapes"].append(
            [list(placeholder_shape), list(variable_shape), op, list(K.int_shape(result))])

    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **{k: np.asarray(v) for k, v in arrays.items()})
    with open(os.path.join(OUT_DIR, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(arrays)} arrays and expected.json to {os.path.normpath(OUT_DIR)}")


if __name__ == "__main__":
    main()
