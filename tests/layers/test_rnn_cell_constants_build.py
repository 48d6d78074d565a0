"""Cells that take constants: tf-keras builds them on the step shape; Keras 2.2-2.3 built them on
``[step shape, *constant shapes]``, and cells written for that refuse the step shape alone. Both kinds build
(the Keras 2 form only when the step shape fails) and compute what their own call() says."""
import numpy as np
import pytest

import fastkeras as keras
from fastkeras import backend as K


class Keras2ConstantsCell(keras.layers.Layer):
    """A cell as Keras 2.3 wrote them: its build() needs the constant's shape."""

    def __init__(self, units, **kwargs):
        self.units = units
        self.state_size = units
        super().__init__(**kwargs)

    def build(self, input_shape):
        if not isinstance(input_shape, list):
            raise TypeError("expects constants shape")
        step_shape, constant_shape = input_shape
        self.input_kernel = self.add_weight(shape=(step_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")
        self.constant_kernel = self.add_weight(shape=(constant_shape[-1], self.units), initializer="uniform",
                                               name="constant_kernel")

    def call(self, inputs, states, constants):
        output = (K.dot(inputs, self.input_kernel) + K.dot(states[0], self.recurrent_kernel)
                  + K.dot(constants[0], self.constant_kernel))
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class StepShapeCell(Keras2ConstantsCell):
    """A cell as tf-keras writes them: built on the step shape alone, the constant's kernel sized in advance."""

    def __init__(self, units, constant_dim, **kwargs):
        self.constant_dim = constant_dim
        super().__init__(units, **kwargs)

    def build(self, input_shape):
        self.seen_shape = input_shape
        super().build([input_shape, (None, self.constant_dim)])


def expected(cell, x, c):
    w, u, v = (K.get_value(t) for t in (cell.input_kernel, cell.recurrent_kernel, cell.constant_kernel))
    h = np.zeros((x.shape[0], cell.units), "float32")
    for t in range(x.shape[1]):
        h = x[:, t] @ w + h @ u + c @ v
    return h


X = np.random.default_rng(0).random((4, 5, 3)).astype("float32")
C = np.random.default_rng(1).random((4, 2)).astype("float32")


@pytest.mark.parametrize("symbolic", [True, False])
def test_a_keras2_cell_is_built_with_the_constant_shapes(symbolic):
    cell = Keras2ConstantsCell(6)
    layer = keras.layers.RNN(cell)
    if symbolic:
        x, c = keras.Input((5, 3)), keras.Input((2,))
        model = keras.Model([x, c], layer(x, constants=c))
        got = model.predict([X, C], verbose=0)
    else:
        got = K.get_value(layer(X, constants=C))
    assert [w.shape for w in cell.weights] == [(3, 6), (6, 6), (2, 6)]  # nothing left from the refused attempt
    np.testing.assert_allclose(got, expected(cell, X, C), rtol=1e-5, atol=1e-6)


def test_a_step_shape_cell_still_gets_the_step_shape():
    cell = StepShapeCell(6, constant_dim=2)
    keras.layers.RNN(cell)(keras.Input((5, 3)), constants=keras.Input((2,)))
    assert tuple(cell.seen_shape) == (None, 3)


def test_stacked_and_bidirectional_keras2_cells():
    x, c = keras.Input((5, 3)), keras.Input((2,))
    stacked = keras.layers.RNN([keras.layers.GRUCell(4), Keras2ConstantsCell(6)])
    model = keras.Model([x, c], stacked(x, constants=c))
    assert model.predict([X, C], verbose=0).shape == (4, 6)
    assert [w.shape for w in stacked.cell.cells[1].weights] == [(4, 6), (6, 6), (2, 6)]

    both = keras.layers.Bidirectional(keras.layers.RNN(Keras2ConstantsCell(6)))
    model = keras.Model([x, c], both(x, constants=c))
    out = model.predict([X, C], verbose=0)
    forward = both.forward_layer.cell
    np.testing.assert_allclose(out[:, :6], expected(forward, X, C), rtol=1e-5, atol=1e-6)
    backward = both.backward_layer.cell
    np.testing.assert_allclose(out[:, 6:], expected(backward, X[:, ::-1], C), rtol=1e-5, atol=1e-6)


def test_a_cell_failing_both_ways_reports_the_step_shape_error():
    class Broken(Keras2ConstantsCell):
        def build(self, input_shape):
            raise ValueError("broken cell")

    with pytest.raises(ValueError, match="broken cell"):
        keras.layers.RNN(Broken(3))(keras.Input((5, 3)), constants=keras.Input((2,)))
