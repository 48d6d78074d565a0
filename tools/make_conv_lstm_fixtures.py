"""Writes the expected values of tests/layers/test_conv_lstm.py by running real tf-keras.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_conv_lstm_fixtures.py

Every case is a small tf-keras functional model around a ConvLSTM1D/2D/3D layer (masks come from a real
Masking layer on the 4-D/5-D input; symbolic initial states are model inputs). It writes, into
tests/fixtures/conv_lstm/:

* ``cases.json``: per case its id, ``model.to_json()``, the names and shapes of ``model.weights``, which
  inputs are float, whether it is stateful, and the layer configs and weights by layer name;
* ``arrays.npz``: per case ``<id>/in<i>``, ``<id>/w<i>`` (seeded N(0, 0.3^2) weights), ``<id>/out<i>``
  (``model(inputs, training=False)``), ``<id>/cot<i>`` (seeded cotangents) and ``<id>/din<i>`` /
  ``<id>/dw<i>``: gradients of ``sum_i(sum(out_i * cot_i))`` w.r.t. the inputs and weights (tf.GradientTape).
  Stateful cases call the model twice (``first_in*`` -> ``first_out*``, then ``in*`` -> ``out*`` and the
  gradients), then ``reset_states()`` -> ``reset_out*``, then ``reset_states(state*)`` -> ``given_out*``;
* ``next_frame.h5`` (``model.save``, Keras 2 HDF5) of the Keras "next-frame prediction" model
  (ConvLSTM2D(return_sequences) + BatchNormalization + Conv3D) and ``next_frame.npz`` (inputs, predictions).
"""
import json
import os
import shutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "conv_lstm")
BATCH, TIME, CHANNELS = 2, 4, 2
SPATIAL = {1: (6,), 2: (5, 5), 3: (4, 4, 3)}


def shape_of(rank, channels_first=False):
    return (TIME, CHANNELS) + SPATIAL[rank] if channels_first else (TIME,) + SPATIAL[rank] + (CHANNELS,)


def masked(x):
    """Zero (masked by Masking) a whole step, a leading step and some positions of one step."""
    x = x.copy()
    x[0, -1] = 0.0
    x[1, 0] = 0.0
    x[1, 2, :2] = 0.0
    return x


def single(layer_fn, rank=2, mask=False, channels_first=False):
    def build(rng):
        x = keras.Input(shape_of(rank, channels_first))
        h = L.Masking()(x) if mask else x
        data = rng.standard_normal((BATCH,) + shape_of(rank, channels_first)).astype(np.float32)
        return keras.Model(x, layer_fn()(h)), [masked(data) if mask else data]
    return build


def with_initial_state(layer_fn, state_shape, rank=2):
    def build(rng):
        x = keras.Input(shape_of(rank))
        states = [keras.Input(state_shape) for _ in range(2)]
        y = layer_fn()(x, initial_state=states)
        data = [rng.standard_normal((BATCH,) + shape_of(rank)).astype(np.float32)] + \
            [rng.standard_normal((BATCH,) + state_shape).astype(np.float32) for _ in states]
        return keras.Model([x] + states, y), data
    return build


def stateful(layer_fn, rank=2):
    def build(rng):
        x = keras.Input(batch_shape=(BATCH,) + shape_of(rank))
        return keras.Model(x, layer_fn()(x)), [rng.standard_normal((BATCH,) + shape_of(rank)).astype(np.float32)]
    return build


def channels_first_supported():
    try:
        layer = L.ConvLSTM2D(2, 3, data_format="channels_first")
        layer(tf.zeros((1, 2, 2, 5, 5)))
        return True
    except Exception:  # noqa: BLE001 - tf CPU kernels may lack NCHW convolutions
        return False


CASES = [
    ("c2d_same_seq", single(lambda: L.ConvLSTM2D(3, 3, padding="same", return_sequences=True))),
    ("c2d_valid", single(lambda: L.ConvLSTM2D(3, (3, 2)))),
    ("c2d_valid_strides_state", single(lambda: L.ConvLSTM2D(2, 3, strides=(2, 1), return_state=True))),
    ("c2d_same_strides_seq", single(lambda: L.ConvLSTM2D(2, 2, strides=2, padding="same", return_sequences=True))),
    ("c2d_backwards_seq_state", single(lambda: L.ConvLSTM2D(3, 3, padding="same", go_backwards=True,
                                                            return_sequences=True, return_state=True))),
    ("c2d_dilation_relu_nobias", single(lambda: L.ConvLSTM2D(2, 2, dilation_rate=2, activation="relu",
                                                             recurrent_activation="sigmoid", use_bias=False,
                                                             return_sequences=True))),
    ("c2d_even_kernel_same", single(lambda: L.ConvLSTM2D(2, (2, 4), padding="same", unit_forget_bias=False))),
    ("c2d_dropout_inference", single(lambda: L.ConvLSTM2D(2, 3, padding="same", dropout=0.3, recurrent_dropout=0.4,
                                                          return_sequences=True))),
    ("c2d_masked_seq_state", single(lambda: L.ConvLSTM2D(3, 3, padding="same", return_sequences=True,
                                                         return_state=True), mask=True)),
    ("c2d_masked_backwards", single(lambda: L.ConvLSTM2D(2, 3, padding="same", go_backwards=True), mask=True)),
    ("c2d_initial_state", with_initial_state(lambda: L.ConvLSTM2D(3, 3, padding="same", return_sequences=True,
                                                                  return_state=True), (5, 5, 3))),
    ("c2d_stateful", stateful(lambda: L.ConvLSTM2D(2, 3, stateful=True, return_sequences=True))),
    ("c1d_same_seq", single(lambda: L.ConvLSTM1D(3, 3, padding="same", return_sequences=True), rank=1)),
    ("c1d_valid_strides_backwards_state", single(lambda: L.ConvLSTM1D(2, 2, strides=2, go_backwards=True,
                                                                      return_state=True), rank=1)),
    ("c1d_masked", single(lambda: L.ConvLSTM1D(2, 3, padding="same", return_sequences=True), rank=1, mask=True)),
    ("c1d_stateful", stateful(lambda: L.ConvLSTM1D(2, 3, padding="same", stateful=True), rank=1)),
    ("c3d_same_seq", single(lambda: L.ConvLSTM3D(2, 2, padding="same", return_sequences=True), rank=3)),
    ("c3d_valid_strides_state", single(lambda: L.ConvLSTM3D(2, (2, 3, 2), strides=(1, 1, 2), return_state=True),
                                       rank=3)),
    ("c3d_backwards", single(lambda: L.ConvLSTM3D(3, 3, padding="same", go_backwards=True), rank=3)),
]
CHANNELS_FIRST_CASES = [
    ("c2d_channels_first_seq", single(lambda: L.ConvLSTM2D(3, 3, padding="same", data_format="channels_first",
                                                           return_sequences=True), channels_first=True)),
    ("c2d_channels_first_valid_state", single(lambda: L.ConvLSTM2D(2, 3, data_format="channels_first",
                                                                   return_state=True), channels_first=True)),
    ("c1d_channels_first", single(lambda: L.ConvLSTM1D(2, 3, data_format="channels_first", return_sequences=True),
                                  rank=1, channels_first=True)),
    ("c3d_channels_first", single(lambda: L.ConvLSTM3D(2, 2, padding="same", data_format="channels_first"),
                                  rank=3, channels_first=True)),
]


def flat_outputs(y):
    return list(tf.nest.flatten(y))


def forward_and_gradients(model, inputs, rng):
    tensors = [tf.constant(a) for a in inputs]
    with tf.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        outputs = flat_outputs(model(tensors if len(tensors) > 1 else tensors[0], training=False))
        cots = [rng.standard_normal(o.shape).astype(np.float32) for o in outputs]
        loss = tf.add_n([tf.reduce_sum(o * c) for o, c in zip(outputs, cots)])
    grads = tape.gradient(loss, tensors + list(model.weights))
    if any(g is None for g in grads):
        raise RuntimeError("missing gradient")
    grads = [tf.convert_to_tensor(g).numpy() for g in grads]
    return [o.numpy() for o in outputs], cots, grads[:len(tensors)], grads[len(tensors):]


def call(model, inputs):
    tensors = [tf.constant(a) for a in inputs]
    return [o.numpy() for o in flat_outputs(model(tensors if len(tensors) > 1 else tensors[0], training=False))]


def run_case(case_id, builder, index, arrays):
    keras.backend.clear_session()
    tf.keras.utils.set_random_seed(index)
    rng = np.random.default_rng(4000 + index)
    model, inputs = builder(rng)
    weights = [(rng.standard_normal(w.shape) * 0.3).astype(np.float32) for w in model.weights]
    model.set_weights(weights)
    layer = next(layer for layer in model.layers if type(layer).__name__.startswith("ConvLSTM"))
    is_stateful = layer.stateful
    stored_inputs = inputs
    if is_stateful:
        layer.reset_states()
        first = call(model, inputs)
        stored_inputs = [rng.standard_normal(a.shape).astype(np.float32) for a in inputs]
        outputs, cots, dinputs, dweights = forward_and_gradients(model, stored_inputs, rng)
        layer.reset_states()
        reset_out = call(model, inputs)
        given = [rng.standard_normal(s.shape).astype(np.float32) for s in layer.states]
        layer.reset_states(given)
        given_out = call(model, inputs)
        for prefix, values in (("first_out", first), ("reset_out", reset_out), ("state", given),
                               ("given_out", given_out), ("first_in", inputs)):
            for i, a in enumerate(values):
                arrays[f"{case_id}/{prefix}{i}"] = a
    else:
        outputs, cots, dinputs, dweights = forward_and_gradients(model, inputs, rng)
    for prefix, values in (("in", stored_inputs), ("w", weights), ("out", outputs), ("cot", cots),
                           ("din", dinputs), ("dw", dweights)):
        for i, a in enumerate(values):
            arrays[f"{case_id}/{prefix}{i}"] = a
    model_json = model.to_json()
    serialized = {entry["name"]: entry["config"] for entry in json.loads(model_json)["config"]["layers"]}
    return {
        "id": case_id,
        "model_json": model_json,
        "weights": [{"name": w.name, "shape": list(w.shape)} for w in model.weights],
        "n_inputs": len(inputs),
        "n_outputs": len(outputs),
        "stateful": bool(is_stateful),
        "layer": {"name": layer.name, "class_name": type(layer).__name__, "config": serialized[layer.name],
                  "weights": [{"name": w.name, "shape": list(w.shape)} for w in layer.weights]},
    }


def next_frame_model():
    """The Keras example's next-frame predictor, small: ConvLSTM2D(return_sequences) + BatchNormalization
    + Conv3D over (time, rows, cols, 1) frames."""
    inp = keras.Input((None, 8, 8, 1))
    x = L.ConvLSTM2D(4, (3, 3), padding="same", return_sequences=True, activation="relu")(inp)
    x = L.BatchNormalization()(x)
    x = L.ConvLSTM2D(4, (3, 3), padding="same", return_sequences=True, activation="relu")(x)
    x = L.BatchNormalization()(x)
    out = L.Conv3D(1, (3, 3, 3), activation="sigmoid", padding="same")(x)
    model = keras.Model(inp, out, name="next_frame")
    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model


def write_next_frame():
    keras.backend.clear_session()
    tf.keras.utils.set_random_seed(77)
    model = next_frame_model()
    rng = np.random.default_rng(77)
    weights = []
    for w in model.weights:
        value = rng.standard_normal(w.shape) * 0.3
        if "moving_variance" in w.name:
            value = np.abs(value) + 0.5
        weights.append(value.astype(np.float32))
    model.set_weights(weights)
    frames = rng.random((3, 5, 8, 8, 1)).astype(np.float32)
    path = os.path.join(OUT_DIR, "next_frame.h5")
    model.save(path)
    predicted = model.predict(frames, verbose=0)
    np.savez_compressed(os.path.join(OUT_DIR, "next_frame.npz"), input_0=frames, output_0=predicted,
                        weight_names=np.asarray([w.name for w in model.weights]))
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(frames, verbose=0), predicted, rtol=1e-6, atol=1e-6)
    print(f"next_frame.h5 {os.path.getsize(path)} bytes")


def main():
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    cases_to_run = CASES + (CHANNELS_FIRST_CASES if channels_first_supported() else [])
    arrays, cases = {}, []
    for index, (case_id, builder) in enumerate(cases_to_run):
        cases.append(run_case(case_id, builder, index, arrays))
        print(f"{case_id:36s} outputs {cases[-1]['n_outputs']}")
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump({"tf_keras_version": keras.__version__, "tensorflow_version": tf.__version__,
                   "channels_first": len(cases_to_run) > len(CASES), "cases": cases}, f, indent=1)
        f.write("\n")
    write_next_frame()
    total = sum(os.path.getsize(os.path.join(OUT_DIR, n)) for n in os.listdir(OUT_DIR))
    print(f"{len(os.listdir(OUT_DIR))} files, {total} bytes")


if __name__ == "__main__":
    main()
