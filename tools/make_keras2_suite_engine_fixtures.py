"""What tf-keras 2.21 gives for the engine, saving and training behaviours that Keras 2's own test suite (tests/
of Keras 2.2.4-2.3, outside tests/keras/layers and tests/keras/backend) exercises and fastkeras had to fix, for
tests/engine/test_keras2_suite_engine.py.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_keras2_suite_engine_fixtures.py

Writes tests/fixtures/keras2_suite_engine/:
- ``cases.npz``, arrays named ``<case>__<what>``:
  - ``pw_<name>__in<i>`` / ``__out<i>``: ``preprocess_weights_for_loading(layer, [in0, in1, ...],
    original_keras_version, original_backend)`` of tf-keras (``tf_keras.src.saving.legacy.hdf5_format``) on the
    layer that ``PW_CASES[name]`` builds (its builder, version and backend are in the test too), with inputs in
    Keras 1's layouts (per-gate LSTM/GRU/ConvLSTM2D weights, channels-first and Keras 1.1 convolution kernels,
    Theano kernels, Bidirectional, TimeDistributed and nested models);
  - ``k1file__w<i>``: the weights (``model.get_weights()``) tf-keras loads from ``keras1_weights.h5`` into the
    model ``keras1_model()`` builds (the test builds the same model);
  - ``two_output_sw__*`` / ``partial_loss__*``: train_on_batch/test_on_batch losses of a two-output model with
    per-output sample weights ``[None, sw]``, and with a loss on one output only (see ``training_cases``);
  - ``act_losses__*``: ``model.losses`` after an eager call of a model with activity regularizers, and the
    gradients of their sum (see ``activity_loss_cases``);
  - ``deconv_length__cases``: transposed-convolution output lengths (see ``utils_cases``);
- ``keras1_weights.h5``: an HDF5 weights file in Keras 1's layout, written here with h5py (no ``keras_version``
  attribute; an LSTM as 12 per-gate arrays ``lstm_1_W_i`` ..., a GRU as 9, a channels-first Conv2D kernel as
  ``(filters, channels, rows, cols)``, a Keras 1.1 Conv1D kernel as ``(filters, input_dim, length, 1)``).
"""
import os
import zlib

import h5py
import numpy as np
import tf_keras as keras
from tf_keras import layers
from tf_keras.src.saving.legacy.hdf5_format import preprocess_weights_for_loading

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras2_suite_engine")


def _rng(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _arrays(name, shapes):
    rng = _rng(name)
    return [rng.standard_normal(s).astype("float32") for s in shapes]


# ---- preprocess_weights_for_loading -----------------------------------------------------------------------

def _built(layer, input_shape):
    keras.Sequential([keras.Input(input_shape), layer])
    return layer


def _nested():
    inner = keras.Sequential([keras.Input((3, 6, 5)), layers.Conv2D(2, (3, 2), data_format="channels_first"),
                              layers.Flatten(), layers.Dense(4)])
    return inner


# name -> (builder, version, backend, shapes of the arrays as stored by that Keras)
PW_CASES = {
    "lstm_k1": (lambda: _built(layers.LSTM(3), (4, 5)), "1", None, [(5, 3), (3, 3), (3,)] * 4),
    "gru_k1": (lambda: _built(layers.GRU(3, reset_after=False), (4, 5)), "1", None, [(5, 3), (3, 3), (3,)] * 3),
    "convlstm_k1": (lambda: _built(layers.ConvLSTM2D(2, (3, 2)), (4, 6, 5, 3)), "1", None,
                    [(3, 2, 3, 2), (3, 2, 2, 2), (2,)] * 4),
    "conv2d_k1_cf": (lambda: _built(layers.Conv2D(2, (3, 2), data_format="channels_first"), (3, 6, 5)), "1", None,
                     [(2, 3, 3, 2), (2,)]),
    "conv2d_k1_cl": (lambda: _built(layers.Conv2D(2, (3, 2)), (6, 5, 3)), "1", None, [(3, 2, 3, 2), (2,)]),
    "conv2dt_k1_cl": (lambda: _built(layers.Conv2DTranspose(2, (3, 2)), (6, 5, 3)), "1", None,
                      [(3, 2, 3, 2), (2,)]),
    "conv2dt_k1_cf": (lambda: _built(layers.Conv2DTranspose(2, (3, 2), data_format="channels_first"), (3, 6, 5)),
                      "1", None, [(2, 3, 3, 2), (2,)]),
    "conv3d_k1_cf": (lambda: _built(layers.Conv3D(2, (3, 2, 2), data_format="channels_first"), (3, 6, 5, 4)), "1",
                     None, [(2, 3, 3, 2, 2), (2,)]),
    "conv1d_k11": (lambda: _built(layers.Conv1D(2, 3), (7, 4)), "1", None, [(2, 4, 3, 1), (2,)]),
    "conv1d_k12": (lambda: _built(layers.Conv1D(2, 3), (7, 4)), "1", None, [(3, 1, 4, 2), (2,)]),
    # a kernel stored as (channels, filters, cols, rows), which Keras 2 transposes whenever the shapes differ
    "conv2d_transposed": (lambda: _built(layers.Conv2D(2, (3, 4)), (6, 5, 3)), "2.2.4", "theano",
                          [(3, 2, 4, 3), (2,)]),
    "bidir_lstm_k1": (lambda: _built(layers.Bidirectional(layers.LSTM(3)), (4, 5)), "1", None,
                      [(5, 3), (3, 3), (3,)] * 8),
    "td_conv2d_k1_cf": (lambda: _built(layers.TimeDistributed(layers.Conv2D(2, (3, 2), data_format="channels_first")),
                                       (4, 3, 6, 5)), "1", None, [(2, 3, 3, 2), (2,)]),
    "td_lstm_k1": (lambda: _built(layers.TimeDistributed(layers.LSTM(3)), (2, 4, 5)), "1", None,
                   [(5, 3), (3, 3), (3,)] * 4),
    "nested_model_k1": (_nested, "1", None, [(2, 3, 3, 2), (2,), (32, 4), (4,)]),
    "lstm_k2": (lambda: _built(layers.LSTM(3), (4, 5)), "2.2.4", "tensorflow", [(5, 12), (3, 12), (12,)]),
}


def preprocess_cases():
    out = {}
    for name, (build, version, backend, shapes) in PW_CASES.items():
        keras.backend.clear_session()
        layer = build()
        inputs = _arrays(name, shapes)
        converted = preprocess_weights_for_loading(layer, [a.copy() for a in inputs], version, backend)
        assert [tuple(w.shape) for w in layer.weights] == [tuple(c.shape) for c in converted], name
        for i, a in enumerate(inputs):
            out[f"pw_{name}__in{i}"] = a
        for i, a in enumerate(converted):
            out[f"pw_{name}__out{i}"] = np.asarray(a, dtype="float32")
    return out


# ---- a Keras 1 weights file -----------------------------------------------------------------------------

def keras1_model():
    return keras.Sequential([
        keras.Input((7, 4)),
        layers.Conv1D(3, 2, name="conv1d_1"),
        layers.LSTM(3, return_sequences=True, name="lstm_1"),
        layers.GRU(2, reset_after=False, name="gru_1"),
        layers.Reshape((2, 1, 1)),
        layers.Conv2D(2, (1, 1), data_format="channels_first", name="convolution2d_1"),
    ])


def write_keras1_file(path):
    rng = _rng("keras1_file")

    def arr(*shape):
        return rng.standard_normal(shape).astype("float32")

    groups = {
        "conv1d_1": [("conv1d_1_W", arr(3, 4, 2, 1)), ("conv1d_1_b", arr(3))],
        "lstm_1": [(f"lstm_1_{k}_{g}", arr(*s)) for g in "icfo"
                   for k, s in (("W", (3, 3)), ("U", (3, 3)), ("b", (3,)))],
        "gru_1": [(f"gru_1_{k}_{g}", arr(*s)) for g in "zrh" for k, s in (("W", (3, 2)), ("U", (2, 2)), ("b", (2,)))],
        "reshape_1": [],
        "convolution2d_1": [("convolution2d_1_W", arr(2, 2, 1, 1)), ("convolution2d_1_b", arr(2))],
    }
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [n.encode("utf8") for n in groups]
        for name, weights in groups.items():
            g = f.create_group(name)
            g.attrs["weight_names"] = [w.encode("utf8") for w, _ in weights]
            for w, value in weights:
                g.create_dataset(w, data=value)


def keras1_file_case():
    keras.backend.clear_session()
    path = os.path.join(OUT, "keras1_weights.h5")
    write_keras1_file(path)
    model = keras1_model()
    model.load_weights(path)
    return {f"k1file__w{i}": w for i, w in enumerate(model.get_weights())}


# ---- training with per-output targets and weights ------------------------------------------------------

def _two_output_model():
    a, b = keras.Input((3,), name="input_a"), keras.Input((3,), name="input_b")
    return keras.Model([a, b], [layers.Dense(4, name="dense_1")(a), layers.Dense(3, name="dense_2")(b)])


def _set_seeded_weights(model, name):
    weights = _arrays(name + "_weights", [tuple(w.shape) for w in model.get_weights()])
    model.set_weights(weights)
    return weights


def training_cases():
    """``two_output_sw``: a two-output model compiled with ``loss='mse', loss_weights=[1, 0.5]`` and SGD(0.1), on
    ``xa``/``xb``/``ya``/``yb`` with ``sample_weight=[None, sw]``: ``train`` (train_on_batch's [loss, dense_1_loss,
    dense_2_loss]), then ``test`` (test_on_batch's, after that step), ``w<i>`` the weights it started from.
    ``partial_loss``: the same model compiled with ``loss={'dense_2': 'mse'}`` and SGD(0.1), given the one target
    ``yb`` (tf-keras takes it as the target of every output; only dense_2 has a loss): ``train``/``test`` the
    losses, ``after<i>`` the weights after the step. ``partial_sw``: a model of two outputs (``output1``,
    ``output2``) with mse metrics on both and a weighted mse on ``output2``, given sample weights for ``output2``
    only (``{'output2': sw}``): ``test`` then ``train`` (the *_on_batch results), ``names`` (metrics_names)."""
    out = {}
    keras.backend.clear_session()
    model = _two_output_model()
    for i, w in enumerate(_set_seeded_weights(model, "two_output_sw")):
        out[f"two_output_sw__w{i}"] = w
    xa, xb, ya, yb = _arrays("two_output_sw_data", [(10, 3), (10, 3), (10, 4), (10, 3)])
    sw = np.abs(_arrays("two_output_sw_sw", [(10,)])[0])
    model.compile(keras.optimizers.SGD(0.1), "mse", loss_weights=[1.0, 0.5])
    out["two_output_sw__train"] = np.array(model.train_on_batch([xa, xb], [ya, yb], sample_weight=[None, sw]))
    out["two_output_sw__test"] = np.array(model.test_on_batch([xa, xb], [ya, yb], sample_weight=[None, sw]))
    out.update({"two_output_sw__xa": xa, "two_output_sw__xb": xb, "two_output_sw__ya": ya, "two_output_sw__yb": yb,
                "two_output_sw__sw": sw})

    keras.backend.clear_session()
    model = _two_output_model()
    for i, w in enumerate(_set_seeded_weights(model, "two_output_sw")):
        out[f"partial_loss__w{i}"] = w
    model.compile(keras.optimizers.SGD(0.1), {"dense_2": "mse"})
    out["partial_loss__train"] = np.array(model.train_on_batch([xa, xb], yb))
    out["partial_loss__test"] = np.array(model.test_on_batch([xa, xb], yb))
    for i, w in enumerate(model.get_weights()):
        out[f"partial_loss__after{i}"] = w

    keras.backend.clear_session()
    inputs = keras.Input((5,), name="input")
    hidden = layers.Dense(5, name="hidden")(inputs)
    model = keras.Model(inputs, [layers.Dense(1, name="output1")(hidden), layers.Dense(1, name="output2")(hidden)])
    for i, w in enumerate(_set_seeded_weights(model, "partial_sw")):
        out[f"partial_sw__w{i}"] = w
    model.compile(keras.optimizers.SGD(0.01), {"output1": "mse", "output2": "mse"},
                  metrics={"output1": ["mse"], "output2": ["mse"]}, weighted_metrics={"output2": ["mse"]})
    x, y1, y2, sw = _arrays("partial_sw_data", [(6, 5), (6, 1), (6, 1), (6,)])
    sw = np.abs(sw)
    out["partial_sw__test"] = np.array(model.test_on_batch(x, {"output1": y1, "output2": y2},
                                                           sample_weight={"output2": sw}))
    out["partial_sw__train"] = np.array(model.train_on_batch(x, {"output1": y1, "output2": y2},
                                                             sample_weight={"output2": sw}))
    out["partial_sw__names"] = np.array(model.metrics_names)
    out.update({"partial_sw__x": x, "partial_sw__y1": y1, "partial_sw__y2": y2, "partial_sw__sw": sw})
    return out


# ---- activity regularization in model.losses after a call ----------------------------------------------

def activity_loss_cases():
    """``act_losses``: ``x`` through a model Dense(3, kernel_regularizer=l2(0.01), activity_regularizer=l1(0.1))
    -> Dense(2, activity_regularizer=l2(0.2)) with seeded weights ``w<i>``, called eagerly under a GradientTape:
    ``losses`` (the values of ``model.losses`` after the call, sorted), ``grad<i>`` (the gradients of their sum
    with respect to the weights)."""
    import tensorflow as tf
    keras.backend.clear_session()
    inputs = keras.Input((4,))
    hidden = layers.Dense(3, kernel_regularizer=keras.regularizers.l2(0.01),
                          activity_regularizer=keras.regularizers.l1(0.1))(inputs)
    model = keras.Model(inputs, layers.Dense(2, activity_regularizer=keras.regularizers.l2(0.2))(hidden))
    out = {}
    for i, w in enumerate(_set_seeded_weights(model, "act_losses")):
        out[f"act_losses__w{i}"] = w
    x = _arrays("act_losses_x", [(5, 4)])[0]
    with tf.GradientTape() as tape:
        model(x)
        total = tf.add_n(model.losses)
    grads = tape.gradient(total, model.trainable_weights)
    out["act_losses__x"] = x
    out["act_losses__losses"] = np.sort(np.array([float(v) for v in model.losses], dtype="float32"))
    for i, g in enumerate(grads):
        out[f"act_losses__grad{i}"] = g.numpy()
    return out


# ---- utils ---------------------------------------------------------------------------------------------

def utils_cases():
    """``deconv_length__cases``: rows ``(dim_size, stride, kernel, padding index in ('same', 'valid', 'full'),
    output_padding or -1 for None, dilation, result)``, the result from tf-keras'
    ``conv_utils.deconv_output_length`` (Keras 2.2's ``deconv_length`` took the same values in that order)."""
    from tf_keras.src.utils import conv_utils
    rows = []
    paddings = ("same", "valid", "full")
    for dim in (None, 1, 6, 32, 224):
        for stride in (1, 2, 3):
            for kernel in (1, 3, 5, 7):
                for p, padding in enumerate(paddings):
                    for output_padding in (None, 0, 1, 2):
                        if output_padding is not None and output_padding >= stride:
                            continue
                        for dilation in (1, 2):
                            value = conv_utils.deconv_output_length(dim, kernel, padding, output_padding, stride,
                                                                    dilation)
                            rows.append([-1 if dim is None else dim, stride, kernel, p,
                                         -1 if output_padding is None else output_padding, dilation,
                                         -1 if value is None else value])
    return {"deconv_length__cases": np.array(rows, dtype="int64")}


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = {}
    cases.update(preprocess_cases())
    cases.update(keras1_file_case())
    cases.update(training_cases())
    cases.update(activity_loss_cases())
    cases.update(utils_cases())
    np.savez_compressed(os.path.join(OUT, "cases.npz"), **cases)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(cases)} arrays, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
