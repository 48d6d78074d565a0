"""fit/evaluate/predict hand a model views of the user's arrays unless the model runs code from outside fastkeras
(fastkeras/engine/user_code.py). That is only safe because no built-in layer writes into its input: these tests
check that claim on every kind of layer, through torch's version counter, which any in-place write to a tensor
or to a view of it increments."""
import numpy as np
import pytest
import torch

import fastkeras as keras
from fastkeras import layers as L
from fastkeras.engine import user_code

# (layer factory, input shape without the batch axis, input dtype); two inputs where the shape is a list.
CASES = [
    (lambda: L.Dense(4), (5,), "float32"),
    (lambda: L.Dense(4, activation="relu", use_bias=False), (5,), "float32"),
    (lambda: L.Dense(4, activation="relu"), (3, 5), "float32"),
    (lambda: L.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c", activation="relu"), (5,), "float32"),
    (lambda: L.Conv1D(3, 2, activation="relu"), (6, 2), "float32"),
    (lambda: L.Conv2D(3, 2, activation="relu"), (5, 5, 2), "float32"),
    (lambda: L.Conv2D(3, 1, activation="relu", data_format="channels_first"), (2, 4, 4), "float32"),
    (lambda: L.Conv3D(2, 2, activation="relu"), (3, 3, 3, 1), "float32"),
    (lambda: L.Conv2DTranspose(2, 2, activation="relu"), (3, 3, 2), "float32"),
    (lambda: L.SeparableConv2D(2, 2, activation="relu"), (4, 4, 2), "float32"),
    (lambda: L.DepthwiseConv2D(2, activation="relu"), (4, 4, 2), "float32"),
    (lambda: L.LocallyConnected1D(2, 2, activation="relu"), (5, 2), "float32"),
    (lambda: L.MaxPooling2D(), (4, 4, 2), "float32"),
    (lambda: L.AveragePooling1D(), (4, 2), "float32"),
    (lambda: L.GlobalMaxPooling2D(), (4, 4, 2), "float32"),
    (lambda: L.GlobalAveragePooling1D(), (4, 2), "float32"),
    (lambda: L.BatchNormalization(), (5,), "float32"),
    (lambda: L.BatchNormalization(), (3, 3, 2), "float32"),
    (lambda: L.LayerNormalization(), (5,), "float32"),
    (lambda: L.UnitNormalization(), (5,), "float32"),
    (lambda: L.Dropout(0.5), (5,), "float32"),
    (lambda: L.SpatialDropout1D(0.5), (4, 3), "float32"),
    (lambda: L.AlphaDropout(0.5), (5,), "float32"),
    (lambda: L.GaussianNoise(0.5), (5,), "float32"),
    (lambda: L.GaussianDropout(0.5), (5,), "float32"),
    (lambda: L.ActivityRegularization(l1=0.1), (5,), "float32"),
    (lambda: L.ReLU(), (5,), "float32"),
    (lambda: L.ReLU(max_value=1.0, threshold=0.2), (5,), "float32"),
    (lambda: L.LeakyReLU(), (5,), "float32"),
    (lambda: L.PReLU(), (5,), "float32"),
    (lambda: L.ELU(), (5,), "float32"),
    (lambda: L.ThresholdedReLU(), (5,), "float32"),
    (lambda: L.Softmax(), (5,), "float32"),
    (lambda: L.Masking(0.0), (4, 3), "float32"),
    (lambda: L.Reshape((5, 1)), (5,), "float32"),
    (lambda: L.Flatten(), (2, 3), "float32"),
    (lambda: L.Permute((2, 1)), (2, 3), "float32"),
    (lambda: L.RepeatVector(2), (3,), "float32"),
    (lambda: L.Cropping1D(1), (4, 2), "float32"),
    (lambda: L.ZeroPadding2D(1), (2, 2, 1), "float32"),
    (lambda: L.UpSampling2D(), (2, 2, 1), "float32"),
    (lambda: L.SimpleRNN(3), (4, 2), "float32"),
    (lambda: L.GRU(3, return_sequences=True), (4, 2), "float32"),
    (lambda: L.LSTM(3), (4, 2), "float32"),
    (lambda: L.LSTM(3, dropout=0.5, recurrent_dropout=0.5), (4, 2), "float32"),
    (lambda: L.Bidirectional(L.LSTM(3)), (4, 2), "float32"),
    (lambda: L.TimeDistributed(L.Dense(3, activation="relu")), (4, 2), "float32"),
    (lambda: L.ConvLSTM2D(2, 2), (3, 4, 4, 1), "float32"),
    (lambda: L.Embedding(10, 3), (4,), "int32"),
    (lambda: L.Embedding(10, 3, mask_zero=True), (4,), "int32"),
    (lambda: L.CategoryEncoding(num_tokens=10, output_mode="multi_hot"), (4,), "int32"),
    (lambda: L.Rescaling(0.5, offset=1.0), (5,), "float32"),
    (lambda: L.Normalization(mean=1.0, variance=4.0), (5,), "float32"),
    (lambda: L.Add(), [(5,), (5,)], "float32"),
    (lambda: L.Subtract(), [(5,), (5,)], "float32"),
    (lambda: L.Multiply(), [(5,), (5,)], "float32"),
    (lambda: L.Average(), [(5,), (5,)], "float32"),
    (lambda: L.Maximum(), [(5,), (5,)], "float32"),
    (lambda: L.Concatenate(), [(5,), (5,)], "float32"),
    (lambda: L.Dot(axes=1), [(5,), (5,)], "float32"),
    (lambda: L.Attention(), [(3, 4), (2, 4)], "float32"),
    (lambda: L.MultiHeadAttention(2, 3), [(3, 4), (2, 4)], "float32"),
] + [(lambda name=name: L.Activation(name), (5,), "float32")
     for name in ("relu", "elu", "selu", "gelu", "softplus", "softsign", "swish", "sigmoid", "hard_sigmoid",
                  "tanh", "exponential", "linear", "softmax", "log_softmax", "relu6", "leaky_relu", "mish")]


def _inputs(shape, dtype):
    shapes = shape if isinstance(shape, list) else [shape]
    if dtype == "int32":
        return [torch.randint(0, 10, (3,) + s, dtype=torch.int32) for s in shapes]
    return [torch.randn((3,) + s, requires_grad=True) for s in shapes]


def _call(layer, tensors, training):
    out = layer(tensors if len(tensors) > 1 else tensors[0], training=training)
    return out if torch.is_tensor(out) else torch.as_tensor(out)


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("training", [True, False])
def test_builtin_layers_never_write_into_their_input(case, training):
    factory, shape, dtype = CASES[case]
    layer = factory()
    tensors = _inputs(shape, dtype)
    versions = [t._version for t in tensors]
    out = _call(layer, tensors, training)
    if training and out.requires_grad:
        out.float().square().sum().backward()
    name = type(layer).__name__
    assert [t._version for t in tensors] == versions, f"{name} wrote into its input"


@pytest.mark.parametrize("case", range(len(CASES)))
def test_models_of_builtin_layers_run_no_user_code(case):
    factory, shape, dtype = CASES[case]
    shapes = shape if isinstance(shape, list) else [shape]
    inputs = [keras.Input(s, dtype=dtype) for s in shapes]
    model = keras.Model(inputs, factory()(inputs if len(inputs) > 1 else inputs[0]))
    assert not user_code.may_write_into_inputs(model)


class Center(L.Layer):
    def call(self, inputs):
        inputs -= keras.ops.mean(inputs, axis=-1, keepdims=True)
        return inputs


class ScaleCell(L.Layer):
    state_size = 2

    def call(self, inputs, states):
        inputs *= 2.0
        return inputs, states


def _sub_one(t):
    return t.sub_(1.0)


@pytest.mark.parametrize("make", [
    lambda i: Center()(i),
    lambda i: L.Lambda(_sub_one)(i),
    lambda i: L.Activation(_sub_one)(i),
    lambda i: L.Dense(2, activation=_sub_one)(L.Reshape((2,))(i)),
    lambda i: L.TimeDistributed(L.Lambda(_sub_one))(L.Reshape((2, 1))(i)),
    lambda i: L.RNN(ScaleCell())(L.Reshape((1, 2))(i)),
    lambda i: keras.Sequential([L.Lambda(_sub_one)])(i),
], ids=["custom layer", "Lambda", "Activation(fn)", "activation=fn", "wrapped Lambda", "custom cell",
        "nested model"])
def test_user_code_anywhere_gets_private_batches(make):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, make(inputs))
    assert user_code.may_write_into_inputs(model)
    model.compile("sgd", "mse")
    x = np.arange(8, dtype="float32").reshape(4, 2)
    y = np.zeros((4,) + tuple(model.output_shape[1:]), "float32")
    keep = x.copy()
    model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    model.train_on_batch(x, y)
    model.test_on_batch(x, y)
    np.testing.assert_array_equal(x, keep)


def test_a_subclassed_model_and_a_torch_module_count_as_user_code():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, x):
            return self.dense(x)

    assert user_code.may_write_into_inputs(Net())

    class Holder(L.Layer):  # stands for a fastkeras wrapper holding the user's torch module
        pass

    Holder.__module__ = "fastkeras.layers.core"
    holder = Holder()
    holder.module = torch.nn.ReLU(inplace=True)
    inputs = keras.Input((2,))
    assert user_code.may_write_into_inputs(keras.Model(inputs, holder(inputs)))


def test_builtin_models_see_views_and_train_as_before():
    """A model of built-in layers is fed views of the data; its results equal a copy-fed run's."""
    x = np.random.default_rng(0).random((8, 3)).astype("float32")
    y = np.random.default_rng(1).random((8, 1)).astype("float32")
    keep = x.copy()
    results = []
    for private in (False, True):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"), L.Dense(1)])
        model.compile("sgd", "mse")
        original = user_code.may_write_into_inputs
        try:
            if private:
                user_code.may_write_into_inputs = lambda m: True
            history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        finally:
            user_code.may_write_into_inputs = original
        results.append((history.history["loss"], model.predict(x, verbose=0)))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
    np.testing.assert_array_equal(x, keep)
