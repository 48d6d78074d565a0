"""Second round of keras.io example programs run with ``import fastkeras as keras``: the patterns that failed or
differed, each reproduced compactly. Keras 3's ``LeakyReLU(negative_slope=...)`` (DCGAN), ``array_to_img`` of a
model's output (DCGAN's monitor callback), a kernel mask sized by ``kernel.get_shape()`` and applied with
``assign`` inside ``call`` (PixelCNN), one element of a dataset batch with ``.numpy()`` (weather forecasting).

Expected numbers come from Keras 3.15.1 (``jax.npz``) and tf-keras 2.21 (``keras2.npz``) via
tools/make_kerasio_example_fixtures.py.
"""
import os

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers, ops

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "kerasio_examples")


def _load(backend):
    with np.load(os.path.join(FIXTURES, f"{backend}.npz")) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture(scope="module")
def k3():
    return _load("jax")


@pytest.fixture(scope="module")
def k2():
    return _load("keras2")


# ---- generative/dcgan_overriding_train_step.py: LeakyReLU(negative_slope=0.2) ----------------------------------

def test_leaky_relu_takes_keras3_negative_slope(k3):
    x = k3["leaky_x"]
    np.testing.assert_allclose(ops.convert_to_numpy(layers.LeakyReLU(negative_slope=0.2)(x)), k3["leaky_slope"],
                               rtol=1e-6)
    # Keras 3: alpha wins when both are given; positional is the slope
    np.testing.assert_allclose(ops.convert_to_numpy(layers.LeakyReLU(alpha=0.1, negative_slope=0.2)(x)),
                               k3["leaky_both"], rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(layers.LeakyReLU(0.25)(x)), k3["leaky_positional"], rtol=1e-6)
    layer = layers.LeakyReLU(negative_slope=0.2)
    assert layer.get_config()["alpha"] == pytest.approx(0.2)  # Keras 2's config key
    assert "negative_slope" not in layer.get_config()
    clone = layers.LeakyReLU.from_config({"name": "l", "negative_slope": 0.2})  # a Keras 3 config
    assert clone.alpha == pytest.approx(0.2)
    with pytest.raises(ValueError, match="negative_slope.*Received: negative_slope=-1"):
        layers.LeakyReLU(negative_slope=-1)
    with pytest.raises(TypeError, match="negative_slop"):
        layers.LeakyReLU(negative_slop=0.2)


# ---- generative/dcgan_overriding_train_step.py: GANMonitor's array_to_img(generated_images[i]) ---------------------

def test_array_to_img_of_a_model_output(k2):
    pytest.importorskip("PIL")
    generator = keras.Sequential([keras.Input((2,)), layers.Dense(3 * 3 * 3), layers.Reshape((3, 3, 3))])
    generator.set_weights([k2["img_weight0"], k2["img_weight1"]])
    images = generator(k2["img_z"]) * 255  # a tensor that requires grad
    img = keras.utils.array_to_img(images[1])
    np.testing.assert_allclose(np.asarray(img).astype("float32"), k2["img_pixels"], atol=1)


# ---- generative/pixelcnn.py: kernel.get_shape() in build, kernel.assign(kernel * mask) in call --------------------

class PixelConvLayer(layers.Layer):
    def __init__(self, mask_type, **kwargs):
        super().__init__()
        self.mask_type = mask_type
        self.conv = layers.Conv2D(**kwargs)

    def build(self, input_shape):
        self.conv.build(input_shape)
        kernel_shape = self.conv.kernel.get_shape()
        self.mask = np.zeros(shape=kernel_shape)
        self.mask[: kernel_shape[0] // 2, ...] = 1.0
        self.mask[kernel_shape[0] // 2, : kernel_shape[1] // 2, ...] = 1.0
        if self.mask_type == "B":
            self.mask[kernel_shape[0] // 2, kernel_shape[1] // 2, ...] = 1.0

    def call(self, inputs):
        self.conv.kernel.assign(self.conv.kernel * self.mask)
        return self.conv(inputs)


def test_pixelcnn_mask_from_get_shape_trains_as_tf_keras(k2):
    inputs = keras.Input((5, 5, 1))
    conv = PixelConvLayer(mask_type="A", filters=2, kernel_size=3, padding="same")
    outputs = layers.Conv2D(1, 1, activation="sigmoid")(conv(inputs))
    model = keras.Model(inputs, outputs)
    model.set_weights([k2[f"pixelcnn_weight{i}"] for i in range(4)])
    shape = conv.conv.kernel.get_shape()
    assert shape.as_list() == k2["pixelcnn_shape"].tolist() and shape == (3, 3, 1, 2)
    np.testing.assert_array_equal(conv.mask, k2["pixelcnn_mask"])
    x = k2["pixelcnn_x"]
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy")
    history = model.fit(x, x, batch_size=4, epochs=2, verbose=0)
    np.testing.assert_allclose(history.history["loss"], k2["pixelcnn_loss"], rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(conv.conv.kernel), k2["pixelcnn_kernel"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), k2["pixelcnn_predict"], rtol=1e-5, atol=1e-6)


# ---- timeseries/timeseries_weather_forecasting.py: y[0].numpy() of a dataset batch ---------------------------------

def test_dataset_batch_elements_have_numpy(k2):
    dataset = keras.utils.timeseries_dataset_from_array(k2["series_data"], k2["series_targets"], sequence_length=4,
                                                         sampling_rate=2, batch_size=5)
    x, y = next(iter(dataset))
    first = y[0].numpy()
    assert isinstance(first, np.generic) and first == k2["series_y0"]
    assert float(y[0]) == pytest.approx(float(k2["series_y0"]))
    np.testing.assert_array_equal(x[0][:, 1].numpy(), k2["series_x0_col1"])
    np.testing.assert_array_equal(np.array([v.numpy() for v in y]), k2["series_rows"])
    assert isinstance(x.numpy(), np.ndarray) and x.numpy().shape == (5, 4, 3)


# ---- nlp/multi_label_classification.py: StringLookup(output_mode="multi_hot") on label sets of unequal lengths -----

@pytest.mark.parametrize("mode", ["multi_hot", "count", "tf_idf"])
def test_lookup_on_ragged_label_sets(k2, mode):
    terms = [["cs.LG", "cs.CV"], ["cs.LG"], ["stat.ML", "cs.LG", "cs.CL"], ["cs.CV", "cs.CV"], ["q-bio"]]
    queries = [["cs.CL"], ["cs.CV", "new", "cs.LG"], ["stat.ML", "stat.ML"]]
    lookup = layers.StringLookup(output_mode=mode)
    lookup.adapt(terms)  # tf.ragged.constant(terms) in the example
    assert lookup.get_vocabulary() == k2[f"ragged_{mode}_vocab"].tolist()
    for name, data in (("terms", terms), ("queries", queries), ("one", [terms[0]])):
        np.testing.assert_allclose(ops.convert_to_numpy(lookup(data)), k2[f"ragged_{mode}_{name}"], rtol=1e-6)


def test_integer_lookup_on_ragged_rows_and_ragged_outputs_refused(k2):
    ints = layers.IntegerLookup(output_mode="multi_hot")
    ints.adapt([[1, 2], [3], [2, 2, 5]])
    assert ints.get_vocabulary() == k2["ragged_int_vocab"].tolist()
    np.testing.assert_array_equal(ops.convert_to_numpy(ints([[1, 2], [3], [7, 7, 7], [5]])), k2["ragged_int_out"])
    lookup = layers.StringLookup()  # output_mode="int": tf-keras gives a RaggedTensor
    lookup.adapt([["a", "b"], ["a"]])
    np.testing.assert_array_equal(ops.convert_to_numpy(lookup([["a", "b"], ["b", "a"]])), [[1, 2], [2, 1]])
    with pytest.raises(ValueError, match=r'"string_lookup.*unequal lengths \[2, 1\].*output_mode=\'int\'.*ragged'):
        lookup([["a", "b"], ["a"]])
    with pytest.raises(ValueError, match="expects strings"):
        layers.StringLookup(output_mode="multi_hot", vocabulary=["a"])([["a", "b"], [3]])


# ---- timeseries/timeseries_traffic_forecasting.py: GraphConv's self.add_weight(shape=..., trainable=True) ----------

def test_weight_added_without_a_name_is_named_as_tf_keras(k2):
    class GraphConv(layers.Layer):
        def build(self, input_shape):
            self.weight = self.add_weight(shape=(input_shape[-1], 2), trainable=True)
            self.scale = self.add_weight(shape=(), initializer="ones", trainable=False)

        def call(self, x):
            return x @ self.weight * self.scale

    layer = GraphConv(name="graph_conv")
    layer(np.ones((1, 3), "float32"))  # built by its call, in the layer's name scope
    assert [w.name for w in layer.weights] == k2["unnamed_weight_names"].tolist()  # 'graph_conv/Variable:0'
