"""Writes the expected values of tests/layers/test_normalization.py, test_noise.py, test_advanced_activations.py
and test_wrappers.py by running real tf-keras.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_norm_fixtures.py

It writes, into tests/fixtures/norm/:

* ``cases.json``: per layer case its id, class name, tf-keras ``get_config()`` before and after building,
  input shape, weight names and shapes, trainable flags, the phases computed (``training`` True/False/None),
  the symbolic output shape for a None batch, and whether a mask was passed;
* ``arrays.npz``: per case ``<id>/x``, ``<id>/mask`` (if any), ``<id>/w<i>`` (the weights set before each
  phase), and per phase ``<id>/<phase>/y``, ``/cot`` (a seeded random cotangent), ``/dx`` and ``/dw<i>``
  (gradients of ``sum(y * cot)`` w.r.t. the input and the trainable weights, by tf.GradientTape),
  ``/after<i>`` (every weight after the call: BatchNormalization's moving statistics) and ``/out_mask``;
* in the same two files, under ``noise`` and ``models``: the noise layers' configs, AlphaDropout's constants
  recovered from a training-mode call, ActivityRegularization's loss; small models with BatchNormalization /
  TimeDistributed trained a few steps (configs, inputs, predictions, and ``<model>.weights.h5`` in the classic
  Keras 2 HDF5 layout written by ``save_weights``), models after one ``train_on_batch`` (weights before and
  after, loss) and an ActivityRegularization model's ``evaluate`` loss.
"""
import collections.abc
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "norm")

BOTH = (True, False)


def functional_mlp():
    inputs = keras.Input((6,))
    hidden = L.Dense(4, activation="tanh")(inputs)
    return keras.Model(inputs, L.Dense(3)(hidden), name="frame_mlp")


def sequential_convnet():
    return keras.Sequential([L.Conv2D(2, 3, input_shape=(6, 6, 1)), L.MaxPooling2D(), L.Flatten()],
                            name="frame_convnet")


# (id, factory, input shape with batch, phases[, options]); options: mask=True, mask_shape=..., and
# constructor_extra: arguments the factory passed that the config does not hold.
CASES = [
    # BatchNormalization: the fused route (4D/5D, channel axis 1 or last) and the composed route.
    ("bn_2d", lambda: L.BatchNormalization(), (6, 5), BOTH),
    ("bn_2d_momentum_eps", lambda: L.BatchNormalization(momentum=0.9, epsilon=1e-2), (6, 5), BOTH),
    ("bn_3d_last", lambda: L.BatchNormalization(), (3, 4, 5), BOTH),
    ("bn_3d_axis1", lambda: L.BatchNormalization(axis=1), (3, 4, 5), BOTH),
    ("bn_4d_last", lambda: L.BatchNormalization(), (3, 4, 5, 6), BOTH),
    ("bn_4d_channels_first", lambda: L.BatchNormalization(axis=1), (3, 6, 4, 5), BOTH),
    ("bn_4d_no_scale_center", lambda: L.BatchNormalization(center=False, scale=False, momentum=0.8), (3, 4, 5, 2),
     BOTH),
    ("bn_4d_no_scale", lambda: L.BatchNormalization(scale=False), (3, 4, 5, 2), BOTH),
    ("bn_4d_axis2", lambda: L.BatchNormalization(axis=2), (3, 4, 5, 2), BOTH),
    ("bn_4d_multi_axis", lambda: L.BatchNormalization(axis=[1, 3]), (3, 4, 5, 2), BOTH),
    # `fused` is not part of the config: the test passes it to the constructor as tf-keras' case did.
    ("bn_4d_fused_false", lambda: L.BatchNormalization(fused=False), (3, 4, 5, 2), BOTH,
     {"constructor_extra": {"fused": False}}),
    ("bn_5d_last", lambda: L.BatchNormalization(), (2, 3, 4, 3, 4), BOTH),
    ("bn_5d_axis1", lambda: L.BatchNormalization(axis=1), (2, 4, 3, 4, 3), BOTH),
    ("bn_5d_axis2", lambda: L.BatchNormalization(axis=2), (2, 3, 4, 3, 2), BOTH),
    ("bn_3d_mask", lambda: L.BatchNormalization(), (3, 5, 4), (True,), {"mask": True}),
    ("bn_frozen", lambda: _frozen(L.BatchNormalization()), (6, 5), (True,)),
    ("bn_regularized", lambda: L.BatchNormalization(beta_regularizer="l2", gamma_regularizer="l1",
                                                    beta_constraint="non_neg", gamma_constraint="max_norm",
                                                    moving_variance_initializer="glorot_uniform"), (6, 3), (False,)),
    # LayerNormalization
    ("ln_2d", lambda: L.LayerNormalization(), (4, 6), (None,)),
    ("ln_3d_last", lambda: L.LayerNormalization(), (3, 4, 5), (None,)),
    ("ln_3d_axis1", lambda: L.LayerNormalization(axis=1), (3, 4, 5), (None,)),
    ("ln_3d_axes12", lambda: L.LayerNormalization(axis=[1, 2]), (3, 4, 5), (None,)),
    ("ln_3d_axes21", lambda: L.LayerNormalization(axis=[2, 1]), (3, 4, 5), (None,)),
    ("ln_4d_axes_neg", lambda: L.LayerNormalization(axis=[-2, -1]), (2, 3, 4, 5), (None,)),
    ("ln_4d_axes13", lambda: L.LayerNormalization(axis=[1, 3]), (2, 3, 4, 5), (None,)),
    ("ln_small_eps", lambda: L.LayerNormalization(epsilon=1e-6), (3, 4, 5), (None,)),
    ("ln_no_center_scale", lambda: L.LayerNormalization(center=False, scale=False), (3, 5), (None,)),
    ("ln_no_center", lambda: L.LayerNormalization(center=False, gamma_regularizer="l1"), (3, 5), (None,)),
    # Advanced activations
    ("leaky_relu_default", lambda: L.LeakyReLU(), (3, 7), (None,)),
    ("leaky_relu_0.1", lambda: L.LeakyReLU(alpha=0.1), (3, 4, 5), (None,)),
    ("prelu_default", lambda: L.PReLU(), (3, 7), (None,)),
    ("prelu_shared_12", lambda: L.PReLU(shared_axes=[1, 2]), (2, 4, 5, 3), (None,)),
    ("prelu_shared_1", lambda: L.PReLU(shared_axes=1, alpha_initializer="ones", alpha_regularizer="l2",
                                       alpha_constraint="non_neg"), (2, 4, 3), (None,)),
    ("elu_default", lambda: L.ELU(), (3, 7), (None,)),
    ("elu_0.5", lambda: L.ELU(alpha=0.5), (3, 4, 5), (None,)),
    ("thresholded_relu_default", lambda: L.ThresholdedReLU(), (3, 7), (None,)),
    ("thresholded_relu_0.3", lambda: L.ThresholdedReLU(theta=0.3), (3, 7), (None,)),
    ("relu_default", lambda: L.ReLU(), (3, 7), (None,)),
    ("relu_6", lambda: L.ReLU(max_value=6), (3, 7), (None,)),
    ("relu_max_slope_threshold", lambda: L.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.25), (4, 7),
     (None,)),
    ("relu_slope", lambda: L.ReLU(negative_slope=0.2), (4, 7), (None,)),
    ("relu_threshold", lambda: L.ReLU(threshold=0.5), (4, 7), (None,)),
    ("softmax_default", lambda: L.Softmax(), (3, 7), (None,)),
    ("softmax_axis1", lambda: L.Softmax(axis=1), (2, 4, 5), (None,)),
    ("softmax_axes12", lambda: L.Softmax(axis=[1, 2]), (2, 4, 5), (None,)),
    ("softmax_mask", lambda: L.Softmax(), (2, 3, 5), (None,), {"mask": True, "mask_shape": (2, 3, 5)}),
    # Wrappers
    ("td_dense", lambda: L.TimeDistributed(L.Dense(4)), (2, 3, 5), (None,)),
    ("td_dense_mask", lambda: L.TimeDistributed(L.Dense(4, activation="relu")), (2, 4, 5), (None,),
     {"mask": True}),
    ("td_conv2d", lambda: L.TimeDistributed(L.Conv2D(3, 3, padding="same")), (2, 3, 6, 5, 2), (None,)),
    ("td_functional", lambda: L.TimeDistributed(functional_mlp()), (2, 3, 6), (None,)),
    ("td_sequential_convnet", lambda: L.TimeDistributed(sequential_convnet()), (2, 3, 6, 6, 1), (None,)),
    ("td_batchnorm", lambda: L.TimeDistributed(L.BatchNormalization()), (2, 3, 4), BOTH),
    ("td_dropout", lambda: L.TimeDistributed(L.Dropout(0.5)), (2, 3, 4), (False,)),
    # BatchNormalization's TensorFlow-only options: batch renormalization and virtual ("ghost") batches.
    ("bn_renorm_2d", lambda: L.BatchNormalization(renorm=True), (6, 5), BOTH),
    ("bn_renorm_clipped_4d", lambda: L.BatchNormalization(renorm=True, renorm_momentum=0.9, momentum=0.8,
                                                          renorm_clipping={"rmin": 0.8, "rmax": 1.25, "dmax": 0.2}),
     (3, 4, 5, 2), BOTH),
    ("bn_renorm_no_scale", lambda: L.BatchNormalization(renorm=True, scale=False, renorm_clipping={"rmax": 1.1}),
     (6, 3), BOTH),
    ("bn_renorm_mask", lambda: L.BatchNormalization(renorm=True), (3, 5, 4), (True,), {"mask": True}),
    ("bn_virtual_2d", lambda: L.BatchNormalization(virtual_batch_size=3), (6, 5), BOTH),
    ("bn_virtual_4d", lambda: L.BatchNormalization(virtual_batch_size=2, momentum=0.9), (4, 3, 3, 2), BOTH),
    ("bn_virtual_axis1", lambda: L.BatchNormalization(axis=1, virtual_batch_size=2), (4, 3, 5), BOTH),
    ("bn_virtual_renorm", lambda: L.BatchNormalization(virtual_batch_size=2, renorm=True,
                                                       renorm_clipping={"dmax": 0.5}), (6, 4), BOTH),
]

# Noise and regularization layers: configs (and inference identity) only; their randomness is tested by statistics.
NOISE_CONFIGS = [
    ("gaussian_noise", lambda: L.GaussianNoise(0.3)),
    ("gaussian_noise_seed", lambda: L.GaussianNoise(0.1, seed=3)),
    ("gaussian_dropout", lambda: L.GaussianDropout(0.2)),
    ("alpha_dropout", lambda: L.AlphaDropout(0.2, noise_shape=(None, 1), seed=5)),
    ("spatial_dropout1d", lambda: L.SpatialDropout1D(0.3)),
    ("spatial_dropout2d_cf", lambda: L.SpatialDropout2D(0.3, data_format="channels_first")),
    ("spatial_dropout3d", lambda: L.SpatialDropout3D(0.4, seed=2)),
    ("activity_regularization", lambda: L.ActivityRegularization(l1=0.01, l2=0.02)),
]


def _frozen(layer):
    layer.trainable = False
    return layer


def _json_default(o):
    # tf-keras tracks a dict attribute (renorm_clipping) as a mapping wrapper; its JSON encoder writes a dict.
    if isinstance(o, collections.abc.Mapping):
        return dict(o)
    if hasattr(o, "item"):
        return o.item()
    return list(o) if hasattr(o, "__iter__") else str(o)


def jsonable(value):
    return json.loads(json.dumps(value, default=_json_default))


def initial_weights(layer, rng):
    values = []
    for w in layer.weights:
        name = w.name.split("/")[-1]
        if "variance" in name or "stddev" in name:
            values.append(rng.uniform(0.5, 1.5, w.shape).astype(np.float32))
        elif "gamma" in name:
            values.append((1.0 + 0.3 * rng.standard_normal(w.shape)).astype(np.float32))
        else:
            values.append((0.5 * rng.standard_normal(w.shape)).astype(np.float32))
    return values


def make_mask(shape, rng):
    mask = rng.uniform(size=shape) > 0.3
    mask[0, 0] = True
    mask[-1, -1] = False
    return mask


def phase_name(training):
    return {True: "train", False: "infer", None: "call"}[training]


def run_phase(layer, weights, x, mask, training, rng, arrays, prefix):
    layer.set_weights(weights)
    kwargs = {}
    if training is not None:
        kwargs["training"] = training
    if mask is not None:
        kwargs["mask"] = tf.constant(mask)
    x_t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        y = layer(x_t, **kwargs)
        cot = rng.standard_normal(y.shape).astype(np.float32)
        loss = tf.reduce_sum(y * tf.constant(cot))
    grads = tape.gradient(loss, [x_t] + list(layer.trainable_weights))
    arrays[f"{prefix}/y"] = y.numpy()
    arrays[f"{prefix}/cot"] = cot
    arrays[f"{prefix}/dx"] = grads[0].numpy()
    for i, g in enumerate(grads[1:]):
        arrays[f"{prefix}/dw{i}"] = np.zeros(layer.trainable_weights[i].shape, np.float32) if g is None \
            else tf.convert_to_tensor(g).numpy()
    for i, w in enumerate(layer.get_weights()):
        arrays[f"{prefix}/after{i}"] = w
    if mask is not None:
        out_mask = layer.compute_mask(x_t, tf.constant(mask))
        if out_mask is not None:
            arrays[f"{prefix}/out_mask"] = out_mask.numpy()


def layer_cases(arrays):
    cases = []
    for index, entry in enumerate(CASES):
        case_id, factory, input_shape, phases = entry[:4]
        options = entry[4] if len(entry) > 4 else {}
        rng = np.random.default_rng(2000 + index)
        layer = factory()
        unbuilt_config = layer.get_config()
        x = rng.standard_normal(input_shape).astype(np.float32)
        mask = make_mask(options.get("mask_shape", input_shape[:2]), rng) if options.get("mask") else None
        # Built by a first (inference) call, so weights get the names tf-keras gives them in use
        # ('time_distributed/kernel:0'); a bare build() outside __call__ has no name scope.
        layer(tf.constant(x))
        weights = initial_weights(layer, rng)
        arrays[f"{case_id}/x"] = x
        if mask is not None:
            arrays[f"{case_id}/mask"] = mask
        for i, w in enumerate(weights):
            arrays[f"{case_id}/w{i}"] = w
        for training in phases:
            run_phase(layer, weights, x, mask, training, rng, arrays, f"{case_id}/{phase_name(training)}")
        cases.append({
            "id": case_id,
            "class_name": type(layer).__name__,
            "config_unbuilt": jsonable(unbuilt_config),
            "config": jsonable(layer.get_config()),
            "input_shape": list(input_shape),
            "weights": [{"name": w.name, "shape": list(w.shape), "trainable": any(w is t for t in
                                                                                   layer.trainable_weights)}
                        for w in layer.weights],
            "n_trainable": len(layer.trainable_weights),
            "phases": [phase_name(t) for t in phases],
            "mask": mask is not None,
            "constructor_extra": options.get("constructor_extra", {}),
            "symbolic": jsonable(layer.compute_output_shape((None,) + tuple(input_shape[1:]))),
        })
        print(f"{case_id:28s} {type(layer).__name__:22s} phases={[phase_name(t) for t in phases]}")
    return cases


def noise_cases(arrays):
    cases = []
    for case_id, factory in NOISE_CONFIGS:
        layer = factory()
        cases.append({"id": case_id, "class_name": type(layer).__name__, "config": jsonable(layer.get_config())})
    # AlphaDropout's affine constants, read back from a training call of real tf-keras.
    rate = 0.3
    x = np.random.default_rng(7).standard_normal((200, 50)).astype(np.float32)
    y = L.AlphaDropout(rate, seed=1)(x, training=True).numpy()
    values, counts = np.unique(np.round(y, 6), return_counts=True)
    dropped_value = float(values[np.argmax(counts)])
    kept = np.abs(y - dropped_value) > 1e-5
    a, b = np.polyfit(x[kept].astype(np.float64), y[kept].astype(np.float64), 1)
    arrays["alpha_dropout/constants"] = np.array([rate, a, b, dropped_value], np.float64)
    # ActivityRegularization: the loss a call adds.
    layer = L.ActivityRegularization(l1=0.01, l2=0.02)
    x = np.random.default_rng(8).standard_normal((4, 3)).astype(np.float32)
    layer(x)
    arrays["activity_regularization/x"] = x
    arrays["activity_regularization/loss"] = np.float32(layer.losses[0].numpy())
    return cases


def bn_convnet():
    inputs = keras.Input((8, 8, 3))
    x = L.Conv2D(4, 3, activation="relu")(inputs)
    x = L.BatchNormalization()(x)
    x = L.MaxPooling2D()(x)
    x = L.Conv2D(6, 3, padding="same")(x)
    x = L.BatchNormalization(center=False, momentum=0.9)(x)
    x = L.Flatten()(x)
    x = L.Dense(5)(x)
    x = L.BatchNormalization()(x)
    x = L.LeakyReLU()(x)
    x = L.Dropout(0.2)(x)
    outputs = L.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="bn_convnet")


def td_video_model():
    frames = keras.Input((3, 6, 6, 2))
    x = L.TimeDistributed(L.Conv2D(3, 3))(frames)
    x = L.TimeDistributed(L.BatchNormalization())(x)
    x = L.TimeDistributed(L.Flatten())(x)
    x = L.TimeDistributed(L.Dense(4))(x)
    x = L.PReLU()(x)
    x = L.LayerNormalization()(x)
    x = L.GlobalAveragePooling1D()(x)
    return keras.Model(frames, L.Dense(2)(x), name="td_video")


def model_fixtures(arrays):
    models = []
    for name, factory, x_shape, n_out in (("bn_convnet", bn_convnet, (16, 8, 8, 3), 3),
                                          ("td_video", td_video_model, (10, 3, 6, 6, 2), 2)):
        rng = np.random.default_rng(len(name))
        model = factory()
        x = rng.standard_normal(x_shape).astype(np.float32)
        y = rng.standard_normal((x_shape[0], n_out)).astype(np.float32)
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        model.fit(x, y, epochs=3, batch_size=4, verbose=0)
        path = os.path.join(OUT_DIR, f"{name}.weights.h5")
        # A name ending in .h5 with save_format="h5" gives tf-keras' classic (Keras 2) HDF5 layout.
        model.save_weights(path, save_format="h5")
        arrays[f"{name}/x"] = x[:5]
        arrays[f"{name}/predictions"] = model.predict(x[:5], verbose=0)
        models.append({"name": name, "config": json.loads(model.to_json()),
                       "weights": [{"name": w.name, "shape": list(w.shape)} for w in model.weights],
                       "output_shape": list(model.output_shape)})

    # One train_on_batch step: BatchNormalization updates its moving statistics inside fit.
    for name, shape, build in (("bn_fit_dense", (8, 4), lambda i: L.Dense(5)(i)),
                               ("bn_fit_conv", (6, 5, 5, 2), lambda i: L.Conv2D(3, 3)(i))):
        rng = np.random.default_rng(len(name) + 100)
        inputs = keras.Input(shape[1:])
        x = L.BatchNormalization(momentum=0.9)(build(inputs))
        if len(shape) > 2:
            x = L.Flatten()(x)
        model = keras.Model(inputs, L.Dense(1)(x), name=name)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        weights = initial_weights(model, rng)
        model.set_weights(weights)
        x = rng.standard_normal(shape).astype(np.float32)
        y = rng.standard_normal((shape[0], 1)).astype(np.float32)
        loss = model.train_on_batch(x, y)
        arrays[f"{name}/x"] = x
        arrays[f"{name}/y"] = y
        arrays[f"{name}/loss"] = np.float32(loss)
        for i, (before, after) in enumerate(zip(weights, model.get_weights())):
            arrays[f"{name}/before{i}"] = before
            arrays[f"{name}/after{i}"] = after
        models.append({"name": name, "config": json.loads(model.to_json()),
                       "weights": [{"name": w.name, "shape": list(w.shape)} for w in model.weights]})

    # ActivityRegularization counted in evaluate()'s loss.
    rng = np.random.default_rng(300)
    model = keras.Sequential([L.Dense(3, input_shape=(4,)), L.ActivityRegularization(l1=0.01, l2=0.02)],
                             name="activity_model")
    model.compile(optimizer="sgd", loss="mse")
    weights = initial_weights(model, rng)
    model.set_weights(weights)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.standard_normal((8, 3)).astype(np.float32)
    arrays["activity_model/x"] = x
    arrays["activity_model/y"] = y
    arrays["activity_model/loss"] = np.float32(model.evaluate(x, y, batch_size=8, verbose=0))
    for i, w in enumerate(weights):
        arrays[f"activity_model/w{i}"] = w
    models.append({"name": "activity_model", "config": json.loads(model.to_json())})
    return models


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    keras.utils.set_random_seed(0)
    arrays = {}
    cases = layer_cases(arrays)
    noise = noise_cases(arrays)
    models = model_fixtures(arrays)
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump({"tf_keras_version": keras.__version__, "tensorflow_version": tf.__version__, "cases": cases,
                   "noise": noise, "models": models}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
