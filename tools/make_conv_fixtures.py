"""Writes the expected values of tests/layers/test_convolutional.py and test_pooling.py by running real tf-keras.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_conv_fixtures.py

It writes, into tests/fixtures/conv/:

* ``cases.json``: per case its id, class name, tf-keras ``get_config()``, input shape, weight names and
  shapes, the output shapes tf-keras' ``compute_output_shape`` gives for a None batch (and for None spatial
  sizes where the layer allows them), and how the values were computed;
* ``arrays.npz``: per case ``<id>/x`` (input), ``<id>/w<i>`` (weights, seeded random values), ``<id>/y``
  (output), ``<id>/cot`` (a seeded random cotangent), ``<id>/dx`` and ``<id>/dw<i>`` (gradients of
  ``sum(y * cot)`` by tf.GradientTape), and ``<id>/mask`` where the call takes a mask.

TensorFlow's CPU kernels do not run most channels_first convolutions and poolings: such a case is computed on a
channels_last twin of the layer (same weights) with transposed inputs, and its outputs and input gradients are
transposed back. The stored config is the channels_first layer's own.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "conv")
BATCH = 2

# (id, class name, constructor kwargs, input shape without batch[, {"mask": True}])
CASES = [
    # Conv1D
    ("conv1d_valid", "Conv1D", dict(filters=4, kernel_size=3), (9, 3)),
    ("conv1d_same_s2_k4", "Conv1D", dict(filters=4, kernel_size=4, strides=2, padding="same"), (9, 3)),
    ("conv1d_causal_d2", "Conv1D", dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2,
                                        activation="relu"), (9, 3)),
    ("conv1d_groups", "Conv1D", dict(filters=4, kernel_size=3, groups=2, padding="same"), (8, 4)),
    ("conv1d_cf_s2", "Conv1D", dict(filters=4, kernel_size=3, strides=2, data_format="channels_first"), (3, 9)),
    ("conv1d_nobias", "Conv1D", dict(filters=2, kernel_size=2, use_bias=False, padding="same"), (6, 3)),
    # Conv2D
    ("conv2d_valid", "Conv2D", dict(filters=4, kernel_size=3), (7, 6, 3)),
    ("conv2d_same", "Conv2D", dict(filters=4, kernel_size=3, padding="same"), (7, 6, 3)),
    ("conv2d_same_s2", "Conv2D", dict(filters=4, kernel_size=3, strides=2, padding="same"), (8, 7, 3)),
    ("conv2d_same_k2", "Conv2D", dict(filters=4, kernel_size=2, padding="same"), (6, 5, 3)),
    ("conv2d_same_k43_s32", "Conv2D", dict(filters=4, kernel_size=(4, 3), strides=(3, 2), padding="same"),
     (10, 9, 3)),
    ("conv2d_valid_s23", "Conv2D", dict(filters=4, kernel_size=(3, 2), strides=(2, 3)), (9, 8, 3)),
    ("conv2d_dil_same", "Conv2D", dict(filters=4, kernel_size=3, dilation_rate=2, padding="same"), (9, 8, 3)),
    ("conv2d_dil_valid", "Conv2D", dict(filters=4, kernel_size=3, dilation_rate=(2, 1)), (9, 8, 3)),
    ("conv2d_groups", "Conv2D", dict(filters=6, kernel_size=3, groups=3, padding="same"), (6, 5, 6)),
    ("conv2d_cf_same_s2", "Conv2D", dict(filters=4, kernel_size=3, strides=2, padding="same",
                                         data_format="channels_first"), (3, 8, 7)),
    ("conv2d_tanh_nobias", "Conv2D", dict(filters=4, kernel_size=3, activation="tanh", use_bias=False), (6, 6, 3)),
    # Conv3D
    ("conv3d_valid", "Conv3D", dict(filters=3, kernel_size=2), (4, 5, 4, 2)),
    ("conv3d_same_s2", "Conv3D", dict(filters=3, kernel_size=3, strides=2, padding="same"), (4, 5, 6, 2)),
    ("conv3d_cf_same", "Conv3D", dict(filters=3, kernel_size=(2, 3, 2), padding="same",
                                      data_format="channels_first"), (2, 4, 5, 4)),
    # SeparableConv1D / 2D
    ("sepconv1d_valid_dm2", "SeparableConv1D", dict(filters=4, kernel_size=3, depth_multiplier=2), (9, 3)),
    ("sepconv1d_causal_d2", "SeparableConv1D", dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2),
     (9, 3)),
    ("sepconv1d_same_s2", "SeparableConv1D", dict(filters=4, kernel_size=3, strides=2, padding="same"), (10, 3)),
    ("sepconv2d_valid", "SeparableConv2D", dict(filters=4, kernel_size=3), (7, 6, 3)),
    ("sepconv2d_same_s2_dm2", "SeparableConv2D", dict(filters=4, kernel_size=3, strides=2, padding="same",
                                                      depth_multiplier=2), (8, 8, 3)),
    ("sepconv2d_dil_same", "SeparableConv2D", dict(filters=4, kernel_size=3, dilation_rate=2, padding="same"),
     (8, 8, 3)),
    ("sepconv2d_cf", "SeparableConv2D", dict(filters=4, kernel_size=3, padding="same", data_format="channels_first",
                                             activation="relu"), (3, 6, 7)),
    # DepthwiseConv1D / 2D
    ("dwconv1d_same_dm2", "DepthwiseConv1D", dict(kernel_size=3, padding="same", depth_multiplier=2), (9, 3)),
    ("dwconv2d_valid", "DepthwiseConv2D", dict(kernel_size=3), (7, 6, 3)),
    ("dwconv2d_same_s2_dm2", "DepthwiseConv2D", dict(kernel_size=3, strides=2, padding="same", depth_multiplier=2),
     (8, 7, 3)),
    ("dwconv2d_dil_same", "DepthwiseConv2D", dict(kernel_size=3, dilation_rate=2, padding="same"), (8, 8, 3)),
    ("dwconv2d_cf", "DepthwiseConv2D", dict(kernel_size=(3, 2), padding="same", data_format="channels_first"),
     (3, 6, 7)),
    # Conv1D/2D/3DTranspose
    ("tconv2d_valid", "Conv2DTranspose", dict(filters=4, kernel_size=3), (4, 5, 3)),
    ("tconv2d_valid_s2", "Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2), (4, 5, 3)),
    ("tconv2d_same_s2", "Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same"), (4, 5, 3)),
    ("tconv2d_same_s2_k4", "Conv2DTranspose", dict(filters=4, kernel_size=4, strides=2, padding="same"), (4, 5, 3)),
    ("tconv2d_same_k2", "Conv2DTranspose", dict(filters=4, kernel_size=2, padding="same"), (4, 5, 3)),
    ("tconv2d_same_outpad", "Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same",
                                                    output_padding=1), (4, 5, 3)),
    ("tconv2d_same_outpad0", "Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same",
                                                     output_padding=0), (4, 5, 3)),
    ("tconv2d_valid_outpad", "Conv2DTranspose", dict(filters=4, kernel_size=3, strides=(2, 3),
                                                     output_padding=(1, 2)), (4, 5, 3)),
    ("tconv2d_valid_k2_s3", "Conv2DTranspose", dict(filters=4, kernel_size=2, strides=3), (4, 5, 3)),
    ("tconv2d_dil_same", "Conv2DTranspose", dict(filters=4, kernel_size=3, dilation_rate=2, padding="same"),
     (4, 5, 3)),
    ("tconv2d_dil_valid", "Conv2DTranspose", dict(filters=4, kernel_size=3, dilation_rate=2), (4, 5, 3)),
    ("tconv2d_cf_same_s2", "Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same",
                                                   data_format="channels_first", activation="sigmoid"), (3, 4, 5)),
    ("tconv1d_same_s2", "Conv1DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same"), (5, 3)),
    ("tconv1d_valid_outpad", "Conv1DTranspose", dict(filters=4, kernel_size=3, strides=3, output_padding=2), (5, 3)),
    ("tconv3d_same_s2", "Conv3DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same"), (3, 4, 3, 2)),
    ("tconv3d_valid", "Conv3DTranspose", dict(filters=3, kernel_size=2, strides=(1, 2, 1)), (3, 4, 3, 2)),
    # Pooling 1D
    ("maxpool1d_default", "MaxPooling1D", dict(), (9, 3)),
    ("maxpool1d_same_p3s2", "MaxPooling1D", dict(pool_size=3, strides=2, padding="same"), (9, 3)),
    ("maxpool1d_cf", "MaxPooling1D", dict(pool_size=2, data_format="channels_first"), (3, 9)),
    ("avgpool1d_default", "AveragePooling1D", dict(), (9, 3)),
    ("avgpool1d_same_p3s2", "AveragePooling1D", dict(pool_size=3, strides=2, padding="same"), (10, 3)),
    ("avgpool1d_same_p2s1", "AveragePooling1D", dict(pool_size=2, strides=1, padding="same"), (7, 3)),
    # Pooling 2D
    ("maxpool2d_default", "MaxPooling2D", dict(), (7, 6, 3)),
    ("maxpool2d_same_p3s2", "MaxPooling2D", dict(pool_size=3, strides=2, padding="same"), (7, 8, 3)),
    ("maxpool2d_same_p2s1", "MaxPooling2D", dict(pool_size=2, strides=1, padding="same"), (5, 6, 3)),
    ("maxpool2d_same_p3_s23", "MaxPooling2D", dict(pool_size=3, strides=(2, 3), padding="same"), (7, 8, 3)),
    ("maxpool2d_valid_p3s1", "MaxPooling2D", dict(pool_size=3, strides=1), (5, 6, 3)),
    ("maxpool2d_cf_same", "MaxPooling2D", dict(pool_size=3, strides=2, padding="same",
                                               data_format="channels_first"), (3, 7, 8)),
    ("avgpool2d_default", "AveragePooling2D", dict(), (7, 6, 3)),
    ("avgpool2d_same_p3s2", "AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (7, 8, 3)),
    ("avgpool2d_same_p2s1", "AveragePooling2D", dict(pool_size=2, strides=1, padding="same"), (5, 6, 3)),
    ("avgpool2d_same_p4s3", "AveragePooling2D", dict(pool_size=4, strides=3, padding="same"), (8, 10, 3)),
    ("avgpool2d_valid_p3s2", "AveragePooling2D", dict(pool_size=3, strides=2), (7, 8, 3)),
    ("avgpool2d_cf_same", "AveragePooling2D", dict(pool_size=3, strides=2, padding="same",
                                                   data_format="channels_first"), (3, 7, 8)),
    # Pooling 3D
    ("maxpool3d_default", "MaxPooling3D", dict(), (4, 5, 4, 2)),
    ("maxpool3d_same_p3s2", "MaxPooling3D", dict(pool_size=3, strides=2, padding="same"), (4, 5, 6, 2)),
    ("avgpool3d_same_p3s2", "AveragePooling3D", dict(pool_size=3, strides=2, padding="same"), (4, 5, 6, 2)),
    ("avgpool3d_same_p2s1", "AveragePooling3D", dict(pool_size=2, strides=1, padding="same"), (3, 4, 3, 2)),
    ("avgpool3d_cf_valid", "AveragePooling3D", dict(pool_size=2, data_format="channels_first"), (2, 4, 5, 4)),
    # Global pooling
    ("gmaxpool1d", "GlobalMaxPooling1D", dict(), (7, 3)),
    ("gmaxpool1d_cf_keep", "GlobalMaxPooling1D", dict(data_format="channels_first", keepdims=True), (3, 7)),
    ("gavgpool1d", "GlobalAveragePooling1D", dict(), (7, 3)),
    ("gavgpool1d_mask", "GlobalAveragePooling1D", dict(), (7, 3), {"mask": True}),
    ("gavgpool1d_cf_mask", "GlobalAveragePooling1D", dict(data_format="channels_first"), (3, 7), {"mask": True}),
    ("gmaxpool2d", "GlobalMaxPooling2D", dict(), (5, 6, 3)),
    ("gavgpool2d_keep", "GlobalAveragePooling2D", dict(keepdims=True), (5, 6, 3)),
    ("gavgpool2d_cf", "GlobalAveragePooling2D", dict(data_format="channels_first"), (3, 5, 6)),
    ("gmaxpool3d_cf", "GlobalMaxPooling3D", dict(data_format="channels_first"), (2, 3, 4, 3)),
    ("gavgpool3d_keep", "GlobalAveragePooling3D", dict(keepdims=True), (3, 4, 3, 2)),
    # Up-sampling, zero padding, cropping
    ("upsample1d", "UpSampling1D", dict(size=3), (5, 3)),
    ("upsample2d_nearest", "UpSampling2D", dict(size=(2, 3)), (4, 5, 3)),
    ("upsample2d_bilinear", "UpSampling2D", dict(size=(2, 3), interpolation="bilinear"), (4, 5, 3)),
    ("upsample2d_bilinear_cf", "UpSampling2D", dict(size=3, interpolation="bilinear", data_format="channels_first"),
     (3, 4, 5)),
    ("upsample2d_area", "UpSampling2D", dict(size=2, interpolation="area"), (4, 5, 3), {"gradients": False}),
    ("upsample3d", "UpSampling3D", dict(size=(2, 1, 3)), (3, 4, 3, 2)),
    ("zeropad1d", "ZeroPadding1D", dict(padding=(1, 2)), (5, 3)),
    ("zeropad2d", "ZeroPadding2D", dict(padding=((1, 2), (0, 3))), (4, 5, 3)),
    ("zeropad2d_cf", "ZeroPadding2D", dict(padding=2, data_format="channels_first"), (3, 4, 5)),
    ("zeropad3d", "ZeroPadding3D", dict(padding=(1, 0, 2)), (3, 4, 3, 2)),
    ("crop1d", "Cropping1D", dict(cropping=(1, 2)), (7, 3)),
    ("crop2d", "Cropping2D", dict(cropping=((1, 0), (2, 1))), (6, 7, 3)),
    ("crop2d_cf", "Cropping2D", dict(cropping=1, data_format="channels_first"), (3, 6, 7)),
    ("crop3d", "Cropping3D", dict(cropping=((1, 0), (0, 1), (1, 1))), (4, 5, 6, 2)),
]


def jsonable(value):
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def to_last(a, rank):
    """channels_first array -> channels_last."""
    return np.moveaxis(a, 1, -1)


def to_first(a, rank):
    return np.moveaxis(a, -1, 1)


def compute(cls, config, x, rng, mask, gradients=True):
    """(y, cot, dx, weights, dweights, how): direct call first, else a channels_last twin."""
    layer = cls.from_config(config)
    layer.build(x.shape)
    weights = [(rng.standard_normal(w.shape) * 0.5).astype(np.float32) for w in layer.weights]
    layer.set_weights(weights)
    try:
        layer(tf.constant(x), mask=tf.constant(mask)) if mask is not None else layer(tf.constant(x))
        how = "direct"
        twin, x_in, mask_in = layer, x, mask
    except Exception:  # TensorFlow's CPU kernels do not run this channels_first op
        how = "channels_last twin"
        twin = cls.from_config(dict(config, data_format="channels_last", name=config["name"] + "_twin"))
        x_in = to_last(x, x.ndim - 2)
        twin.build(x_in.shape)
        twin.set_weights(weights)
        mask_in = mask
    x_t = tf.constant(x_in)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        y = twin(x_t, mask=tf.constant(mask_in)) if mask_in is not None else twin(x_t)
        y_np = y.numpy()
        y_out = to_first(y_np, y_np.ndim - 2) if how != "direct" and y_np.ndim > 2 else y_np
        cot = rng.standard_normal(y_out.shape).astype(np.float32)
        cot_in = to_last(cot, cot.ndim - 2) if how != "direct" and cot.ndim > 2 else cot
        loss = tf.reduce_sum(y * tf.constant(cot_in))
    if not gradients:  # TensorFlow defines no gradient for this op (ResizeArea)
        return y_out, cot, None, weights, [None] * len(weights), how, layer
    grads = tape.gradient(loss, [x_t] + list(twin.weights))
    dx = grads[0].numpy()
    if how != "direct":
        dx = to_first(dx, dx.ndim - 2)
    dweights = [g.numpy() for g in grads[1:]]
    return y_out, cot, dx, weights, dweights, how, layer


def symbolic_shapes(layer, input_shape, data_format):
    """tf-keras' output shapes for a None batch, and for None spatial sizes where allowed."""
    out = {"batch_none": list(layer.compute_output_shape((None,) + tuple(input_shape)))}
    rank = len(input_shape) - 1
    if data_format == "channels_first":
        spatial_none = (input_shape[0],) + (None,) * rank
    else:
        spatial_none = (None,) * rank + (input_shape[-1],)
    try:
        out["spatial_none"] = [spatial_none, list(layer.compute_output_shape((None,) + spatial_none))]
    except Exception:
        pass
    return jsonable(out)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    arrays, cases = {}, []
    for index, entry in enumerate(CASES):
        case_id, class_name, kwargs, input_shape = entry[:4]
        options = entry[4] if len(entry) > 4 else {}
        rng = np.random.default_rng(1000 + index)
        cls = getattr(keras.layers, class_name)
        config = cls(**kwargs).get_config()
        x = rng.standard_normal((BATCH,) + tuple(input_shape)).astype(np.float32)
        mask = None
        if options.get("mask"):
            steps = input_shape[0] if config.get("data_format") == "channels_last" else input_shape[1]
            mask = np.ones((BATCH, steps), dtype=bool)
            mask[0, -2:] = False
            mask[1, :3] = False
        y, cot, dx, weights, dweights, how, layer = compute(cls, config, x, rng, mask,
                                                                options.get("gradients", True))
        arrays[f"{case_id}/x"] = x
        arrays[f"{case_id}/y"] = y
        if dx is not None:
            arrays[f"{case_id}/cot"] = cot
            arrays[f"{case_id}/dx"] = dx
        if mask is not None:
            arrays[f"{case_id}/mask"] = mask
        for i, (w, dw) in enumerate(zip(weights, dweights)):
            arrays[f"{case_id}/w{i}"] = w
            if dw is not None:
                arrays[f"{case_id}/dw{i}"] = dw
        cases.append({
            "id": case_id,
            "class_name": class_name,
            "config": jsonable(config),
            "input_shape": [BATCH] + list(input_shape),
            "weights": [{"name": w.name.split("/")[-1].split(":")[0], "shape": list(w.shape)} for w in layer.weights],
            "output_shape": list(y.shape),
            "symbolic": symbolic_shapes(layer, input_shape, config.get("data_format", "channels_last")),
            "mask": mask is not None,
            "gradients": dx is not None,
            "computed": how,
        })
        print(f"{case_id:28s} {class_name:24s} {how:20s} y{tuple(y.shape)}")
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump({"tf_keras_version": keras.__version__, "tensorflow_version": tf.__version__, "cases": cases},
                  f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
