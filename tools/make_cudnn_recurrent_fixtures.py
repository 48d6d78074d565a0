"""Keras 2's CuDNNLSTM / CuDNNGRU, for tests/layers/test_cudnn_recurrent.py.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_cudnn_recurrent_fixtures.py

cuDNN layers only run on a GPU in TensorFlow, so their outputs come from the equivalent plain layer (LSTM;
GRU with reset_after=True) whose weights tf-keras' own converter (``hdf5_format._convert_rnn_weights``, what
``load_weights`` uses between the two families) turns into the cuDNN layout. Writes to tests/fixtures/cudnn_recurrent/:

- ``<kind>.npz`` for kind in lstm, lstm_backwards, gru, gru_backwards: ``x``; ``plain_<i>`` the plain layer's
  weights; ``cudnn_<i>`` the same weights in the cuDNN layer's layout; ``y<i>`` the outputs with
  ``return_sequences=True, return_state=True``;
- ``configs.json``: the cuDNN layers' ``get_config()`` and weight shapes after ``build((None, 5, 4))``, and the
  initial bias of a CuDNNLSTM (unit_forget_bias);
- ``<kind>_model.h5`` (kind lstm, gru): a functional model ``Input((5, 4)) -> CuDNN layer(3)`` saved whole with
  ``model.save``, its weights set to ``cudnn_<i>`` of ``<kind>.npz``.
"""
import json
import os

import numpy as np
import tf_keras as keras
from tf_keras.src.layers.rnn import cudnn_gru, cudnn_lstm
from tf_keras.src.saving.legacy import hdf5_format

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "cudnn_recurrent")
UNITS, STEPS, FEATURES = 3, 5, 4


class _Target:
    """What ``_convert_rnn_weights`` reads of its target layer: the class name."""


def _as_cudnn(class_name, weights):
    target = type(class_name, (_Target,), {})()
    return hdf5_format._convert_rnn_weights(target, [np.asarray(w) for w in weights])


def _case(kind, plain_layer, cudnn_name, rng):
    x = rng.normal(size=(2, STEPS, FEATURES)).astype("float32")
    plain_layer.build((None, STEPS, FEATURES))
    weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in plain_layer.get_weights()]
    plain_layer.set_weights(weights)
    outputs = plain_layer(x)
    cudnn = _as_cudnn(cudnn_name, weights)
    arrays = {"x": x}
    arrays.update({f"plain_{i}": w for i, w in enumerate(weights)})
    arrays.update({f"cudnn_{i}": w for i, w in enumerate(cudnn)})
    arrays.update({f"y{i}": np.asarray(o) for i, o in enumerate(outputs)})
    np.savez(os.path.join(OUT, f"{kind}.npz"), **arrays)
    return cudnn


def _whole_model(kind, layer_class, cudnn_weights):
    inputs = keras.Input((STEPS, FEATURES))
    model = keras.Model(inputs, layer_class(UNITS, name=f"cudnn_{kind}")(inputs))
    model.set_weights(cudnn_weights)
    model.save(os.path.join(OUT, f"{kind}_model.h5"))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    seq = dict(return_sequences=True, return_state=True)
    for backwards in (False, True):
        suffix = "_backwards" if backwards else ""
        lstm = _case("lstm" + suffix, keras.layers.LSTM(UNITS, go_backwards=backwards, **seq), "CuDNNLSTM", rng)
        gru = _case("gru" + suffix, keras.layers.GRU(UNITS, reset_after=True, go_backwards=backwards, **seq),
                    "CuDNNGRU", rng)
        if not backwards:
            _whole_model("lstm", cudnn_lstm.CuDNNLSTM, lstm)
            _whole_model("gru", cudnn_gru.CuDNNGRU, gru)
    configs = {}
    for name, cls in (("CuDNNLSTM", cudnn_lstm.CuDNNLSTM), ("CuDNNGRU", cudnn_gru.CuDNNGRU)):
        layer = cls(UNITS, return_sequences=True)
        layer.build((None, STEPS, FEATURES))
        configs[name] = {"config": layer.get_config(), "weights": [[w.name, list(w.shape)] for w in layer.weights],
                         "initial_bias": layer.get_weights()[2].tolist()}
    with open(os.path.join(OUT, "configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
