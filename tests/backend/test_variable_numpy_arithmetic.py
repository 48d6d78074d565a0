"""NumPy arrays in arithmetic with weights, as TensorFlow lets a tf.Variable meet them: the result is a tensor
that keeps the gradient (through NumPy it silently had none, so a custom layer's ``kernel * mask`` never
trained), the array taking the variable's dtype."""
import numpy as np
import pytest
import torch

import fastkeras as keras


def _kernel():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    return layer.kernel


@pytest.mark.parametrize("op", [lambda v, a: v * a, lambda v, a: a * v, lambda v, a: v + a, lambda v, a: a - v,
                                lambda v, a: (a + 1.0) / v, lambda v, a: np.maximum(a, v)])
def test_the_result_is_a_tensor_with_the_gradient(op):
    kernel = _kernel()
    mask = np.arange(6, dtype="float64").reshape(3, 2)
    out = op(kernel, mask)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and out.requires_grad
    out.sum().backward()
    assert kernel.grad is not None and kernel.grad.abs().sum() > 0


def test_other_numpy_functions_read_the_value():
    kernel = _kernel()
    out = np.exp(kernel)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, np.exp(kernel.numpy()), rtol=1e-6)


@pytest.mark.parametrize("name, call", [
    ("sum", lambda v: np.sum(v)), ("sum axis", lambda v: np.sum(v, axis=0)), ("mean", lambda v: np.mean(v)),
    ("max", lambda v: np.max(v)), ("min axis", lambda v: np.min(v, axis=1)), ("std", lambda v: np.std(v)),
    ("var", lambda v: np.var(v, ddof=1)), ("transpose", lambda v: np.transpose(v)),
    ("reshape", lambda v: np.reshape(v, (-1,))), ("argmax", lambda v: np.argmax(v)),
    ("concatenate", lambda v: np.concatenate([v, v])), ("percentile", lambda v: np.percentile(v, 50)),
    ("round", lambda v: np.round(v, 2)), ("clip", lambda v: np.clip(v, -0.1, 0.1))])
def test_numpy_reductions_and_reshapes_read_the_value_as_of_a_tf_variable(name, call):
    # NumPy handed these to torch's same-named methods (Tensor.sum(axis=None, out=None)), which refused NumPy's
    # arguments or returned tensors; a tf.Variable gives the function's result on its value.
    kernel = _kernel()
    got = call(kernel)
    assert not isinstance(got, torch.Tensor), name
    np.testing.assert_allclose(got, call(kernel.numpy()), rtol=1e-6)


class MaskedDense(keras.layers.Layer):
    """A custom layer in TensorFlow style: its kernel times a NumPy mask."""

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], 2), initializer="ones")
        self.mask = np.array([[1.0, 0.0]] * input_shape[-1])

    def call(self, inputs):
        return keras.backend.dot(inputs, self.kernel * self.mask)


def test_a_custom_layer_masking_its_kernel_with_numpy_trains():
    model = keras.Sequential([keras.Input((3,)), MaskedDense()])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    before = model.get_weights()[0].copy()
    model.fit(np.ones((8, 3), "float32"), np.zeros((8, 2), "float32"), verbose=0, epochs=2)
    after = model.get_weights()[0]
    assert not np.allclose(after[:, 0], before[:, 0])  # the unmasked column trained
    np.testing.assert_array_equal(after[:, 1], before[:, 1])  # the masked one has no gradient


class ScaleByNumpy(keras.layers.Layer):
    def call(self, inputs):
        return inputs * np.full((3,), 2.0)


def test_a_numpy_array_in_a_differentiated_call_fails_with_advice():
    """On plain tensors torch hands the tensor to NumPy, which cannot keep a gradient: the error says what to do."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3), ScaleByNumpy()])
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="keras.ops.convert_to_tensor"):
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 3), "float32"), verbose=0)
