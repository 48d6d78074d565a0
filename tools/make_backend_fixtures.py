"""Writes the expected values of tests/backend/test_k_functions.py by running real tf-keras' backend functions.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_backend_fixtures.py

It writes, into tests/fixtures/backend/:

* ``cases.json``: a list of ``{"id", "function", "n_inputs", "kwargs", "n_outputs"}``: the test calls
  ``K.<function>(*inputs, **kwargs)`` and compares its (flattened) outputs with tf-keras';
* ``arrays.npz``: per case ``<id>/in<i>`` (the inputs, seeded random values) and ``<id>/out<j>`` (tf-keras'
  outputs, a nested result flattened in order); ``op_model/x`` and ``op_model/out<i>`` for the model below;
* ``op_model.json``: a functional model tf-keras built from K functions and operators on symbolic tensors
  (TFOpLambda / SlicingOpLambda layers), which fastkeras must load and run to the same outputs.

The inputs are chosen to hit the edges the functions handle specially: probabilities of exactly 0 and 1,
unnormalized probabilities, x equal to a relu threshold, max < min in clip, out-of-range one_hot indices.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tf_keras.src import backend as K  # noqa: E402 - the module behind keras.backend, with all its functions

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "backend")
RNG = np.random.default_rng(20240607)


def normal(*shape):
    return RNG.normal(size=shape).astype("float32")


def uniform(*shape, low=0.0, high=1.0):
    return RNG.uniform(low, high, size=shape).astype("float32")


def probs(*shape, axis=-1):
    p = RNG.uniform(0.05, 1.0, size=shape).astype("float32")
    return (p / p.sum(axis=axis, keepdims=True)).astype("float32")


def ints(high, *shape):
    return RNG.integers(0, high, size=shape).astype("int32")


# Probabilities with exact zeros/ones (clipping) and rows that do not sum to one (renormalization).
EDGE_PROBS = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.9], [1e-9, 0.5, 0.5], [0.6, 0.0, 0.4]], "float32")
EDGE_BINARY = np.array([[0.0, 1.0, 0.5], [1e-9, 0.999999, 0.3]], "float32")
RELU_X = np.array([[-2.0, -1.0, -0.5, 0.0, 0.5], [1.0, 1.5, 2.0, 6.0, 7.5]], "float32")

# (id, K function, inputs, kwargs)
CASES = [
    # ---- dot / batch_dot -----------------------------------------------------------------------------
    ("dot_2d", "dot", [normal(2, 3), normal(3, 4)], {}),
    ("dot_3d_2d", "dot", [normal(2, 3, 4), normal(4, 5)], {}),
    ("dot_2d_3d", "dot", [normal(2, 3), normal(4, 3, 5)], {}),
    ("dot_3d_3d", "dot", [normal(2, 3, 4), normal(2, 4, 5)], {}),
    ("dot_3d_4d", "dot", [normal(2, 3, 4), normal(3, 2, 4, 2)], {}),
    ("batch_dot_2d_2d", "batch_dot", [normal(4, 3), normal(4, 3)], {}),
    ("batch_dot_2d_3d", "batch_dot", [normal(4, 3), normal(4, 3, 5)], {}),
    ("batch_dot_3d_2d", "batch_dot", [normal(4, 2, 3), normal(4, 3)], {}),
    ("batch_dot_3d_3d", "batch_dot", [normal(4, 2, 3), normal(4, 3, 5)], {}),
    ("batch_dot_axes_22", "batch_dot", [normal(4, 2, 3), normal(4, 5, 3)], {"axes": (2, 2)}),
    ("batch_dot_axes_int", "batch_dot", [normal(4, 3, 2), normal(4, 3, 5)], {"axes": 1}),
    ("batch_dot_axes_12", "batch_dot", [normal(4, 20, 1), normal(4, 30, 20)], {"axes": (1, 2)}),
    ("batch_dot_axes_neg", "batch_dot", [normal(4, 2, 3), normal(4, 3, 5)], {"axes": (-1, -2)}),
    ("batch_dot_4d_3d", "batch_dot", [normal(3, 2, 3, 4), normal(3, 4, 5)], {}),
    ("batch_dot_3d_4d_axes", "batch_dot", [normal(3, 2, 4), normal(3, 4, 2, 5)], {"axes": (2, 1)}),
    ("batch_dot_2d_3d_axes", "batch_dot", [normal(4, 3), normal(4, 5, 3)], {"axes": (1, 2)}),
    # ---- crossentropies ----------------------------------------------------------------------------------
    ("cce_probs", "categorical_crossentropy", [probs(4, 3), EDGE_PROBS], {}),
    ("cce_onehot_edges", "categorical_crossentropy",
     [np.eye(3, dtype="float32")[[1, 2, 0, 1]], EDGE_PROBS], {}),
    ("cce_logits", "categorical_crossentropy", [probs(4, 3), normal(4, 3)], {"from_logits": True}),
    ("cce_axis1_3d", "categorical_crossentropy", [probs(2, 3, 4, axis=1), probs(2, 3, 4, axis=1)], {"axis": 1}),
    ("scce_probs", "sparse_categorical_crossentropy", [np.array([1, 2, 0, 1], "int32"), EDGE_PROBS], {}),
    ("scce_probs_col", "sparse_categorical_crossentropy", [np.array([[1], [0], [2], [1]], "int32"), EDGE_PROBS],
     {}),
    ("scce_logits", "sparse_categorical_crossentropy", [ints(3, 4), normal(4, 3)], {"from_logits": True}),
    ("scce_3d", "sparse_categorical_crossentropy", [ints(4, 2, 3), probs(2, 3, 4)], {}),
    ("scce_3d_col", "sparse_categorical_crossentropy", [ints(4, 2, 3, 1), normal(2, 3, 4)],
     {"from_logits": True}),
    ("scce_axis1", "sparse_categorical_crossentropy", [ints(4, 2, 3), normal(2, 4, 3)],
     {"from_logits": True, "axis": 1}),
    ("scce_ignore_class", "sparse_categorical_crossentropy", [np.array([1, -1, 0, 2], "int32"), normal(4, 3)],
     {"from_logits": True, "ignore_class": -1}),
    ("bce_probs", "binary_crossentropy", [np.array([[0, 1, 1], [1, 0, 1]], "float32"), EDGE_BINARY], {}),
    ("bce_soft_targets", "binary_crossentropy", [uniform(3, 4), uniform(3, 4)], {}),
    ("bce_logits", "binary_crossentropy", [uniform(3, 4), normal(3, 4) * 4], {"from_logits": True}),
    ("binary_focal", "binary_focal_crossentropy", [np.array([[0, 1, 1], [1, 0, 1]], "float32"), EDGE_BINARY], {}),
    ("binary_focal_balanced_logits", "binary_focal_crossentropy", [uniform(3, 4), normal(3, 4)],
     {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5, "from_logits": True}),
    ("categorical_focal", "categorical_focal_crossentropy", [np.eye(3, dtype="float32")[[1, 2, 0, 1]], EDGE_PROBS],
     {}),
    ("categorical_focal_logits", "categorical_focal_crossentropy", [probs(4, 3), normal(4, 3)],
     {"from_logits": True, "gamma": 3.0, "alpha": 0.5}),
    # ---- activations -------------------------------------------------------------------------------------
    ("relu_plain", "relu", [RELU_X], {}),
    ("relu_threshold", "relu", [RELU_X], {"threshold": 0.5}),
    ("relu_threshold_alpha", "relu", [RELU_X], {"threshold": 1.5, "alpha": 0.1}),
    ("relu_alpha", "relu", [RELU_X], {"alpha": 0.2}),
    ("relu_max6", "relu", [RELU_X], {"max_value": 6.0}),
    ("relu_alpha_max", "relu", [RELU_X], {"alpha": 0.3, "max_value": 1.0}),
    ("relu_neg_threshold_max", "relu", [RELU_X], {"threshold": -1.0, "max_value": 2.0}),
    ("relu_all", "relu", [RELU_X], {"alpha": 0.5, "max_value": 5.0, "threshold": 1.0}),
    ("hard_sigmoid", "hard_sigmoid", [np.array([[-3.0, -2.5, -1.0, 0.0, 1.0, 2.5, 3.0]], "float32")], {}),
    ("elu_alpha", "elu", [normal(3, 4)], {"alpha": 0.5}),
    ("softmax_axis_tuple", "softmax", [normal(2, 3, 4)], {"axis": (1, 2)}),
    ("softmax_axis1", "softmax", [normal(2, 3, 4)], {"axis": 1}),
    ("softplus", "softplus", [normal(3, 4) * 5], {}),
    ("softsign", "softsign", [normal(3, 4)], {}),
    ("l2_normalize_all", "l2_normalize", [normal(3, 4)], {}),
    ("l2_normalize_axis1", "l2_normalize", [normal(3, 4)], {"axis": 1}),
    ("l2_normalize_axes", "l2_normalize", [normal(2, 3, 4)], {"axis": [1, 2]}),
    ("l2_normalize_zeros", "l2_normalize", [np.zeros((2, 3), "float32")], {"axis": -1}),
    # ---- shape manipulation --------------------------------------------------------------------------------
    ("repeat_elements_axis1", "repeat_elements", [normal(2, 3, 4)], {"rep": 3, "axis": 1}),
    ("repeat_elements_last", "repeat_elements", [normal(2, 3)], {"rep": 2, "axis": -1}),
    ("repeat", "repeat", [normal(2, 3)], {"n": 4}),
    ("resize_nearest", "resize_images", [normal(2, 3, 4, 2)],
     {"height_factor": 2, "width_factor": 3, "data_format": "channels_last"}),
    ("resize_nearest_cf", "resize_images", [normal(2, 2, 3, 4)],
     {"height_factor": 3, "width_factor": 2, "data_format": "channels_first"}),
    ("resize_bilinear", "resize_images", [normal(2, 3, 4, 2)],
     {"height_factor": 2, "width_factor": 2, "data_format": "channels_last", "interpolation": "bilinear"}),
    ("resize_volumes", "resize_volumes", [normal(1, 2, 3, 2, 2)],
     {"depth_factor": 2, "height_factor": 1, "width_factor": 3, "data_format": "channels_last"}),
    ("one_hot_edges", "one_hot", [np.array([[0, 2], [-1, 3]], "int32")], {"num_classes": 3}),
    ("gather_2d_indices", "gather", [normal(5, 3), np.array([[0, 4], [2, 2]], "int32")], {}),
    ("switch_1d_cond", "switch", [np.array([True, False, True, False]), normal(3, 4), normal(3, 4)], {}),
    ("switch_2d_cond", "switch", [np.array([[True, False, True], [False, False, True]]), normal(2, 3, 4),
                                  normal(2, 3, 4)], {}),
    ("switch_same_rank", "switch", [normal(2, 3) > 0, normal(2, 3), normal(2, 3)], {}),
    ("permute_dimensions", "permute_dimensions", [normal(2, 3, 4)], {"pattern": (2, 0, 1)}),
    ("batch_flatten", "batch_flatten", [normal(2, 3, 4)], {}),
    ("flatten", "flatten", [normal(2, 3, 4)], {}),
    ("tile", "tile", [normal(2, 3)], {"n": (2, 3)}),
    ("reverse_axes", "reverse", [normal(2, 3, 4)], {"axes": [0, 2]}),
    ("spatial_2d_padding", "spatial_2d_padding", [normal(1, 2, 3, 2)], {"padding": ((1, 0), (2, 1))}),
    ("temporal_padding", "temporal_padding", [normal(2, 3, 2)], {"padding": (2, 1)}),
    ("bias_add_cf_4d", "bias_add", [normal(2, 3, 4, 5), normal(3)], {"data_format": "channels_first"}),
    ("bias_add_cl_2d_bias", "bias_add", [normal(2, 4, 3), normal(4, 3)], {"data_format": "channels_last"}),
    # a channels_first bias of x's rank - 1 is reshaped (not transposed) to (1, C, ...), as tf-keras does
    ("bias_add_cf_2d_bias", "bias_add", [normal(2, 3, 4, 3), normal(4, 3, 3)], {"data_format": "channels_first"}),
    ("bias_add_cf_3d_bias_square", "bias_add", [normal(2, 3, 3, 3), normal(3, 3, 3)],
     {"data_format": "channels_first"}),
    # ---- elementwise and reductions -------------------------------------------------------------------------
    ("clip_max_below_min", "clip", [normal(3, 4)], {"min_value": 0.5, "max_value": -0.5}),
    ("clip_min_only", "clip", [normal(3, 4)], {"min_value": 0.1, "max_value": None}),
    ("clip_both", "clip", [normal(3, 4)], {"min_value": -0.3, "max_value": 0.4}),
    ("round_half_even", "round", [np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4, 0.6], "float32")], {}),
    ("sqrt_negative", "sqrt", [np.array([-1.0, 0.0, 4.0, 2.0], "float32")], {}),
    ("logsumexp_axis1", "logsumexp", [normal(3, 4) * 10], {"axis": 1}),
    ("logsumexp_keepdims", "logsumexp", [normal(2, 3, 4)], {"axis": -1, "keepdims": True}),
    ("var_axis", "var", [normal(3, 4)], {"axis": 1, "keepdims": True}),
    ("std_all", "std", [normal(3, 4)], {}),
    ("prod_axes", "prod", [uniform(2, 3, 4, low=0.5, high=1.5)], {"axis": [0, 2]}),
    ("max_keepdims", "max", [normal(2, 3, 4)], {"axis": 1, "keepdims": True}),
    ("mean_axes", "mean", [normal(2, 3, 4)], {"axis": (0, 2)}),
    ("argmax_axis0", "argmax", [normal(3, 4)], {"axis": 0}),
    ("cumsum_axis1", "cumsum", [normal(3, 4)], {"axis": 1}),
    ("cumprod_axis0", "cumprod", [uniform(3, 4, low=0.5, high=1.5)], {"axis": 0}),
    ("in_top_k", "in_top_k", [np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [0.2, 0.2, 0.6]], "float32"),
                              np.array([2, 0, 1], "int32")], {"k": 2}),
    # ---- convolution-like -----------------------------------------------------------------------------------
    ("local_conv1d", "local_conv1d", [normal(2, 7, 3), normal(3, 3 * 3, 4)],
     {"kernel_size": (3,), "strides": (2,), "data_format": "channels_last"}),
    ("local_conv2d", "local_conv2d", [normal(2, 5, 4, 3), normal(2 * 2, 2 * 3 * 3, 4)],
     {"kernel_size": (2, 3), "strides": (2, 1), "output_shape": (2, 2), "data_format": "channels_last"}),
    ("local_conv2d_cf", "local_conv2d", [normal(2, 3, 5, 4), normal(2 * 2, 2 * 3 * 3, 4)],
     {"kernel_size": (2, 3), "strides": (2, 1), "output_shape": (2, 2), "data_format": "channels_first"}),
    ("conv2d_same_s2", "conv2d", [normal(2, 5, 6, 3), normal(3, 3, 3, 4)],
     {"strides": (2, 2), "padding": "same", "data_format": "channels_last"}),
    ("pool2d_avg_same", "pool2d", [normal(2, 5, 6, 3)],
     {"pool_size": (2, 2), "strides": (2, 2), "padding": "same", "data_format": "channels_last",
      "pool_mode": "avg"}),
    # ---- CTC ----------------------------------------------------------------------------------------------
    ("ctc_batch_cost", "ctc_batch_cost",
     [np.array([[1, 2, 0], [0, 0, 0]], "int32"), probs(2, 6, 4), np.array([[6], [5]], "int32"),
      np.array([[3], [1]], "int32")], {}),
    ("ctc_decode_greedy", "ctc_decode",
     [probs(2, 6, 4), np.array([6, 4], "int32")], {"greedy": True}),
    ("ctc_decode_beam", "ctc_decode",
     [probs(3, 8, 5), np.array([8, 6, 3], "int32")], {"greedy": False, "beam_width": 10, "top_paths": 3}),
    ("ctc_decode_beam_default", "ctc_decode",
     [probs(2, 12, 4), np.array([12, 9], "int32")], {"greedy": False}),
    ("ctc_decode_beam_narrow", "ctc_decode",
     [probs(2, 10, 6), np.array([10, 10], "int32")], {"greedy": False, "beam_width": 2, "top_paths": 2}),
]

def flatten(result):
    if isinstance(result, (list, tuple)):
        out = []
        for item in result:
            out.extend(flatten(item))
        return out
    return [np.asarray(K.get_value(result) if tf.is_tensor(result) else result)]


def write_op_model(arrays):
    """A functional model built from K functions and operators on symbolic tensors, as tf-keras records it
    (TFOpLambda / SlicingOpLambda layers): its JSON and its outputs on a fixed input. fastkeras must load it."""
    import tf_keras as keras
    x = keras.Input((3,), name="x")
    y = K.sum(K.square(x), axis=1, keepdims=True)
    z = y + 1.0 - K.exp(x) * 2.0
    w = z[:, :2]
    v = K.mean(x, axis=-1, keepdims=True)
    c = K.concatenate([w, x[..., 1:2], K.relu(v), K.clip(v, -0.5, 0.5)], axis=-1)
    p = K.permute_dimensions(K.expand_dims(c), (0, 2, 1))
    model = keras.Model(x, [y, z, c, p])
    data = np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(4, 3)
    arrays["op_model/x"] = data
    for i, out in enumerate(model.predict(data, verbose=0)):
        arrays[f"op_model/out{i}"] = out
    with open(os.path.join(OUT_DIR, "op_model.json"), "w") as f:
        f.write(model.to_json())


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    arrays, cases = {}, []
    for case_id, function, inputs, kwargs in CASES:
        tensors = [tf.constant(x) for x in inputs]
        outputs = flatten(getattr(K, function)(*tensors, **kwargs))
        for i, x in enumerate(inputs):
            arrays[f"{case_id}/in{i}"] = np.asarray(x)
        for j, y in enumerate(outputs):
            arrays[f"{case_id}/out{j}"] = y
        cases.append({"id": case_id, "function": function, "n_inputs": len(inputs), "n_outputs": len(outputs),
                      "kwargs": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}})
    write_op_model(arrays)
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump({"tf_keras_version": "2.21.0", "tensorflow_version": tf.__version__, "epsilon": K.epsilon(),
                   "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} cases to {OUT_DIR}")


if __name__ == "__main__":
    main()
