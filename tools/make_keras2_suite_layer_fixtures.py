"""What tf-keras 2.21 gives for the layer behaviours Keras 2's own layer tests (tests/keras/layers/ of Keras
2.2.4-2.3) exercise and fastkeras had to fix, for tests/layers/test_keras2_suite_layers.py.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_keras2_suite_layer_fixtures.py

Writes tests/fixtures/keras2_suite_layers/cases.npz, arrays named ``<case>__<what>``:
- ``merge_<op>__x1`` ... ``__y``: an elementwise merge layer (add, subtract, multiply, average, maximum, minimum)
  on inputs of different ranks (``(batch, 4, 5)`` with ``(batch, 5)``; ``add3`` and ``maximum3`` also take a
  ``(batch, 3, 4, 5)`` input first), which Keras aligns by adding axes after the batch axis;
- ``concat_growing__x`` / ``__y``: a model concatenating a list of tensors that the caller keeps appending to
  after each call (Keras 2's merge test);
- ``td_masking__x`` / ``__mask0`` / ``__mask1``: ``TimeDistributed(Masking)`` then ``TimeDistributed(Dense)``
  on ``(None, 4)`` steps, their ``compute_mask`` called on the symbolic model input and evaluated with
  ``K.function``; ``td_embedding__x`` / ``__mask0`` ... ``__mask2``: the same for TimeDistributed Embedding
  (``mask_zero``) and SimpleRNNs on ``(None, None)`` inputs;
- ``stacked_reverse__shapes`` / ``stacked_natural__shapes``: ``RNN(StackedRNNCells([LSTMCell(3), LSTMCell(6)],
  reverse_state_order=...), return_state=True, return_sequences=True).compute_output_shape((None, 5, 4))`` as
  rows of ``(rank, d0, d1, d2)`` with -1 for None;
- ``initial_state_symbolic__shape``: ``K.int_shape`` of ``RNN(cell).get_initial_state(Input((None, 6)))`` for a
  cell of state size 5 (-1 for None);
- ``late_state_size__x`` / ``__s0`` / ``__y_unroll<0|1>`` / ``__s_unroll<0|1>``: a cell that sets its
  ``state_size`` and ``output_size`` in ``build()`` (output twice the input), run by ``RNN(return_state=True)``
  on Masking'd inputs (sample 0's last step masked) from a symbolic initial state (Keras 2.3's masking tests).
"""
import os
import zlib

import numpy as np
import tf_keras as keras
from tf_keras import layers, models

K = keras.backend
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras2_suite_layers")


def _data(name, shape):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    return rng.normal(size=shape).astype("float32")


def merge_cases(out):
    ops = {"add": layers.add, "subtract": layers.subtract, "multiply": layers.multiply,
           "average": layers.average, "maximum": layers.maximum, "minimum": layers.minimum}
    for name, op in ops.items():
        i1, i2 = layers.Input((4, 5)), layers.Input((5,))
        model = models.Model([i1, i2], op([i1, i2]))
        x1, x2 = _data(name + "1", (2, 4, 5)), _data(name + "2", (2, 5))
        out[f"merge_{name}__x1"], out[f"merge_{name}__x2"] = x1, x2
        out[f"merge_{name}__y"] = model.predict([x1, x2], verbose=0)
    for name, op in (("add3", layers.add), ("maximum3", layers.maximum)):
        i0, i1, i2 = layers.Input((3, 4, 5)), layers.Input((4, 5)), layers.Input((5,))
        model = models.Model([i0, i1, i2], op([i0, i1, i2]))
        xs = [_data(name + str(k), shape) for k, shape in enumerate([(2, 3, 4, 5), (2, 4, 5), (2, 5)])]
        for k, x in enumerate(xs):
            out[f"merge_{name}__x{k}"] = x
        out[f"merge_{name}__y"] = model.predict(xs, verbose=0)


def concat_growing(out):
    x_i = layers.Input(shape=(None, None))
    x_list, x = [x_i], x_i
    for _ in range(4):
        x_list.append(x)
        x = layers.concatenate(x_list, axis=1)
    model = models.Model(x_i, x)
    x = _data("concat", (2, 2, 3))
    out["concat_growing__x"] = x
    out["concat_growing__y"] = model.predict(x, verbose=0)


def time_distributed_masks(out):
    model = models.Sequential()
    model.add(layers.TimeDistributed(layers.Masking(mask_value=0.0), input_shape=(None, 4)))
    model.add(layers.TimeDistributed(layers.Dense(5)))
    x = np.random.default_rng(1).integers(1, 5, size=(6, 3, 4)).astype("float32")
    for i in range(4):
        x[i, i:, :] = 0.0
    masks = [model.layers[0].compute_mask(model.input)]
    masks.append(model.layers[1].compute_mask(model.layers[1].input, masks[-1]))
    values = K.function([model.input], masks)([x])
    out["td_masking__x"] = x
    for k, v in enumerate(values):
        out[f"td_masking__mask{k}"] = np.asarray(v)

    model = models.Sequential()
    model.add(layers.TimeDistributed(layers.Embedding(5, 6, mask_zero=True), input_shape=(None, None)))
    model.add(layers.TimeDistributed(layers.SimpleRNN(7, return_sequences=True)))
    model.add(layers.TimeDistributed(layers.SimpleRNN(8, return_sequences=False)))
    model.add(layers.SimpleRNN(1, return_sequences=False))
    x = np.random.default_rng(2).integers(1, 5, size=(5, 3, 4)).astype("int32")
    for i in range(4):
        x[i, i:, i:] = 0
    masks = [model.layers[0].compute_mask(model.input)]
    for layer in model.layers[1:]:
        masks.append(layer.compute_mask(layer.input, masks[-1]))
    assert masks[-1] is None
    values = K.function([model.input], masks[:-1])([x])
    out["td_embedding__x"] = x
    for k, v in enumerate(values):
        out[f"td_embedding__mask{k}"] = np.asarray(v)


def _shape_rows(shapes):
    rows = []
    for shape in shapes:
        dims = [-1 if d is None else int(d) for d in shape]
        rows.append([len(dims)] + dims + [0] * (3 - len(dims)))
    return np.array(rows, dtype="int64")


def stacked_cells(out):
    for name, reverse in (("natural", False), ("reverse", True)):
        cells = [layers.LSTMCell(3), layers.LSTMCell(6)]
        stacked = layers.StackedRNNCells(cells, reverse_state_order=reverse)
        layer = layers.RNN(stacked, return_state=True, return_sequences=True)
        shapes = [tuple(s) for s in layer.compute_output_shape((None, 5, 4))]
        out[f"stacked_{name}__shapes"] = _shape_rows(shapes)


class PlusOneRNNCell(layers.Layer):
    def __init__(self, num_unit, **kwargs):
        self.state_size = num_unit
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.output_size = input_shape[-1]

    def call(self, inputs, states):
        return inputs + 1, [states[0] + 1]


def symbolic_initial_state(out):
    x = keras.Input((None, 6))
    layer = layers.RNN(PlusOneRNNCell(5))
    layer(x)
    states = layer.get_initial_state(x)
    out["initial_state_symbolic__shape"] = _shape_rows([K.int_shape(s) for s in states])


class LateStateSizeCell(layers.Layer):
    def __init__(self, **kwargs):
        self.state_size = None
        self.output_size = None
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.state_size = input_shape[-1]
        self.output_size = input_shape[-1] * 2

    def call(self, inputs, states):
        return layers.concatenate([inputs] * 2), [s + 1 for s in states]


def late_state_size(out):
    x_vals = _data("late_x", (3, 4, 5))
    x_vals[0, -1, :] = 0
    s_vals = _data("late_s", (3, 5))
    out["late_state_size__x"], out["late_state_size__s0"] = x_vals, s_vals
    for unroll in (0, 1):
        x = layers.Input((4, 5))
        s0 = layers.Input((5,))
        y, s = layers.RNN(LateStateSizeCell(), return_state=True, unroll=bool(unroll))(
            layers.Masking()(x), initial_state=s0)
        y_vals, s_final = models.Model([x, s0], [y, s]).predict([x_vals, s_vals], verbose=0)
        out[f"late_state_size__y_unroll{unroll}"], out[f"late_state_size__s_unroll{unroll}"] = y_vals, s_final


def main():
    os.makedirs(OUT, exist_ok=True)
    out = {}
    for make in (merge_cases, concat_growing, time_distributed_masks, stacked_cells, symbolic_initial_state,
                 late_state_size):
        keras.utils.set_random_seed(0)
        K.clear_session()
        make(out)
    path = os.path.join(OUT, "cases.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {len(out)} arrays to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
