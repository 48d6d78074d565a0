"""Keras 1 argument names, accepted with a warning as multi-backend Keras 2.0-2.3.1 accepted them
(fastkeras.legacy.interfaces). Each case builds a layer with the old names and one with the Keras 2 names and
compares their configs, the assertion Keras 2.3.1's own keras/legacy/interface_test.py makes."""
import inspect
import json
import warnings

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers as L
from fastkeras.legacy import interfaces
from fastkeras.legacy.layers import Highway, MaxoutDense

CASES = {
    # core
    "dense": (lambda: L.Dense(input_dim=3, output_dim=2, name="d"), lambda: L.Dense(2, input_shape=(3,), name="d")),
    "dense_weights": (
        lambda: L.Dense(2, bias=False, init="normal", W_regularizer="l1", W_constraint="maxnorm", name="d"),
        lambda: L.Dense(2, use_bias=False, kernel_initializer="normal", kernel_regularizer="l1",
                        kernel_constraint="max_norm", name="d")),
    "dense_bias": (
        lambda: L.Dense(2, bias=True, b_regularizer="l1", b_constraint="maxnorm", name="d"),
        lambda: L.Dense(2, use_bias=True, bias_regularizer="l1", bias_constraint="max_norm", name="d")),
    "dropout": (lambda: L.Dropout(p=0.3, name="d"), lambda: L.Dropout(0.3, name="d")),
    "gaussian_dropout": (lambda: L.GaussianDropout(p=0.6, name="d"), lambda: L.GaussianDropout(0.6, name="d")),
    "gaussian_noise": (lambda: L.GaussianNoise(sigma=0.5, name="d"), lambda: L.GaussianNoise(stddev=0.5, name="d")),
    "spatial_dropout1d": (lambda: L.SpatialDropout1D(p=0.6, name="d"), lambda: L.SpatialDropout1D(0.6, name="d")),
    "spatial_dropout2d": (lambda: L.SpatialDropout2D(p=0.5, dim_ordering="th", name="d"),
                          lambda: L.SpatialDropout2D(0.5, data_format="channels_first", name="d")),
    "spatial_dropout3d": (lambda: L.SpatialDropout3D(p=0.5, dim_ordering="tf", name="d"),
                          lambda: L.SpatialDropout3D(0.5, data_format="channels_last", name="d")),
    "embedding": (
        lambda: L.Embedding(input_dim=4, output_dim=2, init="normal", W_regularizer="l1", W_constraint="maxnorm",
                            name="d"),
        lambda: L.Embedding(4, 2, embeddings_initializer="normal", embeddings_regularizer="l1",
                            embeddings_constraint="max_norm", name="d")),
    "embedding_dropout": (lambda: L.Embedding(1, 1, dropout=0.2, name="d"), lambda: L.Embedding(1, 1, name="d")),
    "prelu": (lambda: L.PReLU(init="zero", name="d"), lambda: L.PReLU("zeros", name="d")),
    "batchnorm": (lambda: L.BatchNormalization(mode=0, beta_init="one", gamma_init="uniform", name="d"),
                  lambda: L.BatchNormalization(beta_initializer="ones", gamma_initializer="uniform", name="d")),
    # recurrent
    "lstm_output_dim": (lambda: L.LSTM(input_shape=[3, 5], output_dim=2, name="d"),
                        lambda: L.LSTM(2, input_shape=[3, 5], name="d")),
    "lstm_consume_less_mem": (lambda: L.LSTM(input_dim=5, input_length=3, output_dim=2, consume_less="mem", name="d"),
                              lambda: L.LSTM(2, input_shape=[3, 5], implementation=1, name="d")),
    "lstm_consume_less_gpu": (lambda: L.LSTM(2, input_dim=5, consume_less="gpu", name="d"),
                              lambda: L.LSTM(2, input_shape=[None, 5], implementation=2, name="d")),
    "lstm_consume_less_cpu": (lambda: L.LSTM(2, consume_less="cpu", name="d"),
                              lambda: L.LSTM(2, implementation=0, name="d")),
    "lstm_weights": (
        lambda: L.LSTM(2, init="normal", inner_init="glorot_uniform", forget_bias_init="one",
                       inner_activation="hard_sigmoid", W_regularizer="l1", U_regularizer="l1", b_regularizer="l1",
                       dropout_W=0.1, dropout_U=0.1, name="d"),
        lambda: L.LSTM(2, kernel_initializer="normal", recurrent_initializer="glorot_uniform", unit_forget_bias=True,
                       recurrent_activation="hard_sigmoid", kernel_regularizer="l1", recurrent_regularizer="l1",
                       bias_regularizer="l1", dropout=0.1, recurrent_dropout=0.1, name="d")),
    # Keras 2.3.1 ignores a forget_bias_init other than 'one' (its test expects unit_forget_bias=True).
    "lstm_forget_bias_zero": (lambda: L.LSTM(2, forget_bias_init="zero", name="d"),
                              lambda: L.LSTM(2, unit_forget_bias=True, name="d")),
    "simple_rnn": (
        lambda: L.SimpleRNN(output_dim=2, init="normal", inner_init="glorot_uniform", W_regularizer="l1",
                            U_regularizer="l1", b_regularizer="l1", dropout_W=0.1, dropout_U=0.1, name="d"),
        lambda: L.SimpleRNN(2, kernel_initializer="normal", recurrent_initializer="glorot_uniform",
                            kernel_regularizer="l1", recurrent_regularizer="l1", bias_regularizer="l1", dropout=0.1,
                            recurrent_dropout=0.1, name="d")),
    "gru": (
        lambda: L.GRU(2, init="normal", inner_init="glorot_uniform", inner_activation="hard_sigmoid",
                      W_regularizer="l1", U_regularizer="l1", b_regularizer="l1", dropout_W=0.1, dropout_U=0.1,
                      name="d"),
        lambda: L.GRU(2, kernel_initializer="normal", recurrent_initializer="glorot_uniform",
                      recurrent_activation="hard_sigmoid", kernel_regularizer="l1", recurrent_regularizer="l1",
                      bias_regularizer="l1", dropout=0.1, recurrent_dropout=0.1, name="d")),
    # pooling
    "max_pooling1d": (lambda: L.MaxPooling1D(pool_length=2, stride=1, border_mode="same", name="d"),
                      lambda: L.MaxPooling1D(pool_size=2, strides=1, padding="same", name="d")),
    "avg_pooling1d": (lambda: L.AveragePooling1D(pool_length=3, border_mode="valid", name="d"),
                      lambda: L.AveragePooling1D(3, padding="valid", name="d")),
    "max_pooling2d_th": (lambda: L.MaxPooling2D((2, 2), border_mode="valid", dim_ordering="th", name="d"),
                         lambda: L.MaxPooling2D(2, padding="valid", data_format="channels_first", name="d")),
    "avg_pooling2d_default": (lambda: L.AveragePooling2D((2, 2), dim_ordering="default", name="d"),
                              lambda: L.AveragePooling2D((2, 2), name="d")),
    "max_pooling3d_tf": (lambda: L.MaxPooling3D(border_mode="same", dim_ordering="tf", name="d"),
                         lambda: L.MaxPooling3D(padding="same", data_format="channels_last", name="d")),
    "avg_pooling3d_th": (lambda: L.AveragePooling3D(dim_ordering="th", name="d"),
                         lambda: L.AveragePooling3D(data_format="channels_first", name="d")),
    "global_max_pooling2d": (lambda: L.GlobalMaxPooling2D(dim_ordering="th", name="d"),
                             lambda: L.GlobalMaxPooling2D(data_format="channels_first", name="d")),
    "global_avg_pooling2d": (lambda: L.GlobalAveragePooling2D(dim_ordering="default", name="d"),
                             lambda: L.GlobalAveragePooling2D(name="d")),
    "global_max_pooling3d": (lambda: L.GlobalMaxPooling3D(dim_ordering="tf", name="d"),
                             lambda: L.GlobalMaxPooling3D(data_format="channels_last", name="d")),
    "global_avg_pooling3d": (lambda: L.GlobalAveragePooling3D(dim_ordering="th", name="d"),
                             lambda: L.GlobalAveragePooling3D(data_format="channels_first", name="d")),
    # reshaping
    "upsampling1d": (lambda: L.UpSampling1D(length=3, name="d"), lambda: L.UpSampling1D(3, name="d")),
    "upsampling2d": (lambda: L.UpSampling2D((2, 2), dim_ordering="th", name="d"),
                     lambda: L.UpSampling2D((2, 2), data_format="channels_first", name="d")),
    "upsampling3d": (lambda: L.UpSampling3D((2, 2, 2), dim_ordering="tf", name="d"),
                     lambda: L.UpSampling3D((2, 2, 2), data_format="channels_last", name="d")),
    "zero_padding2d_dict": (
        lambda: L.ZeroPadding2D(padding={"right_pad": 4, "bottom_pad": 2, "top_pad": 1, "left_pad": 3},
                                dim_ordering="tf", name="d"),
        lambda: L.ZeroPadding2D(((1, 2), (3, 4)), data_format="channels_last", name="d")),
    "zero_padding2d_positional_dict": (lambda: L.ZeroPadding2D({"top_pad": 1, "left_pad": 2}, name="d"),
                                       lambda: L.ZeroPadding2D(((1, 0), (2, 0)), name="d")),
    "zero_padding3d": (lambda: L.ZeroPadding3D((2, 2, 2), dim_ordering="th", name="d"),
                       lambda: L.ZeroPadding3D((2, 2, 2), data_format="channels_first", name="d")),
    "cropping2d": (lambda: L.Cropping2D(dim_ordering="th", name="d"),
                   lambda: L.Cropping2D(data_format="channels_first", name="d")),
    "cropping3d": (lambda: L.Cropping3D(dim_ordering="tf", name="d"),
                   lambda: L.Cropping3D(data_format="channels_last", name="d")),
    # convolutions: Keras 1 keywords on the Keras 2 names
    "conv1d": (
        lambda: L.Conv1D(nb_filter=5, filter_length=3, init="normal", subsample_length=2, border_mode="valid",
                         W_regularizer="l1", b_regularizer="l2", W_constraint="maxnorm", b_constraint="unitnorm",
                         bias=True, name="d"),
        lambda: L.Conv1D(5, 3, kernel_initializer="normal", strides=2, padding="valid", kernel_regularizer="l1",
                         bias_regularizer="l2", kernel_constraint="max_norm", bias_constraint="unit_norm", name="d")),
    "conv1d_input_length": (lambda: L.Conv1D(5, 3, input_dim=3, input_length=4, name="d"),
                            lambda: L.Conv1D(5, 3, input_shape=(4, 3), name="d")),
    "conv2d_nb_col": (lambda: L.Conv2D(5, 3, nb_col=2, name="d"), lambda: L.Conv2D(5, (3, 2), name="d")),
    "conv2d_nb_row_nb_col": (lambda: L.Conv2D(nb_filter=5, nb_row=3, nb_col=2, name="d"),
                             lambda: L.Conv2D(5, (3, 2), name="d")),
    "conv2d_weights": (
        lambda: L.Conv2D(5, (3, 3), init="normal", subsample=(2, 2), border_mode="same", dim_ordering="th",
                         W_regularizer="l1", b_regularizer="l2", W_constraint="maxnorm", b_constraint="unitnorm",
                         name="d"),
        lambda: L.Conv2D(5, (3, 3), kernel_initializer="normal", strides=(2, 2), padding="same",
                         data_format="channels_first", kernel_regularizer="l1", bias_regularizer="l2",
                         kernel_constraint="max_norm", bias_constraint="unit_norm", name="d")),
    "separable_conv2d": (
        lambda: L.SeparableConv2D(5, 3, nb_col=3, init="normal", subsample=(2, 2), border_mode="valid",
                                  dim_ordering="th", depthwise_regularizer="l1", b_regularizer="l2",
                                  depthwise_constraint="maxnorm", b_constraint="unitnorm", name="d"),
        lambda: L.SeparableConv2D(5, (3, 3), depthwise_initializer="normal", pointwise_initializer="normal",
                                  strides=(2, 2), padding="valid", data_format="channels_first",
                                  depthwise_regularizer="l1", bias_regularizer="l2",
                                  depthwise_constraint="max_norm", bias_constraint="unit_norm", name="d")),
    "conv2d_transpose": (
        lambda: L.Conv2DTranspose(5, nb_row=3, nb_col=3, output_shape=(None, 6, 7, 5), subsample=(2, 2),
                                  border_mode="same", name="d"),
        lambda: L.Conv2DTranspose(5, (3, 3), strides=(2, 2), padding="same", name="d")),
    "conv3d_kernel_dim3": (lambda: L.Conv3D(5, 3, 3, kernel_dim3=4, name="d"),
                           lambda: L.Conv3D(5, (3, 3, 4), name="d")),
    "conv3d_kernel_dims": (
        lambda: L.Conv3D(5, kernel_dim1=3, kernel_dim2=3, kernel_dim3=4, subsample=(2, 2, 2), dim_ordering="th",
                         init="normal", name="d"),
        lambda: L.Conv3D(5, (3, 3, 4), strides=(2, 2, 2), data_format="channels_first",
                         kernel_initializer="normal", name="d")),
    "conv_lstm2d": (
        lambda: L.ConvLSTM2D(5, nb_row=3, nb_col=3, init="normal", inner_init="uniform", forget_bias_init="one",
                             inner_activation="relu", subsample=(2, 2), border_mode="valid", dim_ordering="th",
                             W_regularizer="l1", U_regularizer="l2", b_regularizer="l2", dropout_W=0.2,
                             dropout_U=0.1, name="d"),
        lambda: L.ConvLSTM2D(5, (3, 3), kernel_initializer="normal", recurrent_initializer="uniform",
                             unit_forget_bias=True, recurrent_activation="relu", strides=(2, 2), padding="valid",
                             data_format="channels_first", kernel_regularizer="l1", recurrent_regularizer="l2",
                             bias_regularizer="l2", dropout=0.2, recurrent_dropout=0.1, name="d")),
    "locally_connected1d": (lambda: L.LocallyConnected1D(nb_filter=2, filter_length=3, subsample_length=1, name="d"),
                            lambda: L.LocallyConnected1D(2, 3, strides=1, name="d")),
    "locally_connected2d": (lambda: L.LocallyConnected2D(2, nb_row=3, nb_col=2, dim_ordering="tf", name="d"),
                            lambda: L.LocallyConnected2D(2, (3, 2), data_format="channels_last", name="d")),
    # Keras 1 class names: their positional forms too
    "convolution1d": (lambda: L.Convolution1D(5, filter_length=3, input_dim=3, input_length=4, name="d"),
                      lambda: L.Conv1D(5, 3, input_shape=(4, 3), name="d")),
    "convolution1d_input_dim": (lambda: L.Convolution1D(5, 3, input_dim=3, name="d"),
                                lambda: L.Conv1D(5, 3, input_shape=(None, 3), name="d")),
    "convolution2d": (
        lambda: L.Convolution2D(5, 3, 3, init="normal", subsample=(2, 2), border_mode="valid", dim_ordering="th",
                                name="d"),
        lambda: L.Conv2D(5, (3, 3), kernel_initializer="normal", strides=(2, 2), padding="valid",
                         data_format="channels_first", name="d")),
    "convolution3d": (lambda: L.Convolution3D(5, 3, 3, 4, name="d"), lambda: L.Conv3D(5, (3, 3, 4), name="d")),
    "separable_convolution2d": (lambda: L.SeparableConvolution2D(5, 3, 3, init="normal", name="d"),
                                lambda: L.SeparableConv2D(5, (3, 3), depthwise_initializer="normal",
                                                          pointwise_initializer="normal", name="d")),
    "deconvolution2d": (lambda: L.Deconvolution2D(5, 3, 3, (None, 6, 7, 5), name="d"),
                        lambda: L.Conv2DTranspose(5, (3, 3), name="d")),
    "deconvolution2d_output_shape": (lambda: L.Deconvolution2D(5, 3, nb_col=3, output_shape=(None, 6, 7, 5), name="d"),
                                     lambda: L.Conv2DTranspose(5, (3, 3), name="d")),
    "atrous_convolution1d": (
        lambda: L.AtrousConvolution1D(5, 3, atrous_rate=2, init="normal", border_mode="same", name="d"),
        lambda: L.Conv1D(5, 3, dilation_rate=2, kernel_initializer="normal", padding="same", name="d")),
    "atrous_convolution2d": (
        lambda: L.AtrousConvolution2D(5, 3, 3, atrous_rate=(2, 2), W_regularizer="l1", dim_ordering="th",
                                      name="d"),
        lambda: L.Conv2D(5, (3, 3), dilation_rate=(2, 2), kernel_regularizer="l1", data_format="channels_first",
                         name="d")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_old_names_build_the_new_names_layer(case):
    old, new = CASES[case]
    with pytest.warns(UserWarning, match=r"Update your `\w+` call to the Keras 2 API: `\w+\(.*\)`"):
        old_layer = old()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the Keras 2 names convert nothing and warn nothing
        new_layer = new()
    assert type(old_layer) is type(new_layer)
    assert json.dumps(old_layer.get_config()) == json.dumps(new_layer.get_config())


def test_the_warning_shows_the_keras2_call():
    with pytest.warns(UserWarning) as record:
        L.Dense(output_dim=2, init="normal", name="d")
    assert [str(w.message) for w in record] == [
        'Update your `Dense` call to the Keras 2 API: `Dense(units=2, kernel_initializer="normal", name="d")`']
    assert record[0].filename == __file__  # it points at the caller's line
    with pytest.warns(UserWarning) as record:
        L.Convolution2D(8, 3, 3, border_mode="same")
    assert str(record[0].message) == 'Update your `Conv2D` call to the Keras 2 API: `Conv2D(8, (3, 3), padding="same")`'


def test_dropped_arguments_are_named_in_the_warning():
    with pytest.warns(UserWarning, match="`dropout` was dropped: put a SpatialDropout1D"):
        L.Embedding(3, 2, dropout=0.5)
    with pytest.warns(UserWarning, match="`forget_bias_init='zero'` was ignored"):
        L.LSTM(2, forget_bias_init="zero")
    with pytest.warns(UserWarning, match="`output_shape` was dropped"):
        L.Deconvolution2D(5, 3, 3, (None, 6, 7, 5))


def test_the_atrous_names_always_warn():
    with pytest.warns(UserWarning, match=r"Update your `Conv2D` call .*`Conv2D\(5, \(3, 3\), dilation_rate=2\)`"):
        layer = L.AtrousConvolution2D(5, (3, 3), dilation_rate=2)
    assert type(layer) is L.Conv2D


def test_keras2_names_keep_the_tf_keras_meaning_of_positional_arguments():
    # tf-keras reads Conv2D(5, 3, 3) as strides=3: the Keras 2 class names keep that, silently.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert L.Conv2D(5, 3, 3).strides == (3, 3)
        assert L.ConvLSTM2D(5, 3, 3).strides == (3, 3)
        assert L.SeparableConv2D(5, 3, 3).strides == (3, 3)
        assert L.Conv3D(5, 3, 3).strides == (3, 3, 3)
        assert L.Dense(2, "relu").get_config()["activation"] == "relu"
        # A Keras 1 class name with padding, strides or data_format is a Keras 2 call too.
        layer = L.Convolution2D(5, 3, 2, padding="same")
        assert layer.kernel_size == (3, 3) and layer.strides == (2, 2)
        assert L.Convolution2D(5, (3, 3), (2, 2)).strides == (2, 2)
        assert L.Convolution1D(16, kernel_size=3, padding="causal").kernel_size == (3,)
    with pytest.warns(UserWarning):
        layer = L.Convolution2D(5, 3, 2)
    assert layer.kernel_size == (3, 2) and layer.strides == (1, 1)


def test_unknown_keywords_still_raise():
    with pytest.raises(TypeError, match="Keyword argument not understood: 'foo'"):
        L.Dense(2, foo=1)
    with pytest.raises(TypeError, match="Keyword argument not understood: 'nb_rows'"):
        L.Conv2D(2, 3, nb_rows=3)
    with pytest.raises(TypeError, match="Keyword argument not understood: 'forget_bias_init'"):
        L.GRU(2, forget_bias_init="one")  # Keras 1's GRU had none
    with pytest.raises(TypeError, match="Keyword argument not understood: 'dim_ordering'"):
        L.Flatten(dim_ordering="th")  # not a Keras 1 argument of Flatten


@pytest.mark.parametrize("build, old, new", [
    (lambda: L.Dense(output_dim=2, units=2), "output_dim", "units"),
    (lambda: L.Dense(2, output_dim=2), "output_dim", "units"),
    (lambda: L.Dropout(0.5, p=0.5), "p", "rate"),
    (lambda: L.Conv2D(2, 3, border_mode="same", padding="same"), "border_mode", "padding"),
    (lambda: L.MaxPooling2D(dim_ordering="th", data_format="channels_first"), "dim_ordering", "data_format"),
    (lambda: L.Conv2D(2, kernel_size=3, nb_row=3, nb_col=3), "nb_row", "kernel_size"),
    (lambda: L.Conv1D(2, 3, input_dim=3, input_length=4, input_shape=(4, 3)), "input_dim", "input_shape"),
    (lambda: L.LSTM(2, forget_bias_init="one", unit_forget_bias=False), "forget_bias_init", "unit_forget_bias"),
    (lambda: L.SeparableConv2D(2, 3, init="ones", depthwise_initializer="zeros"), "init", "depthwise_initializer"),
])
def test_a_keras1_name_with_its_keras2_name_is_refused(build, old, new):
    with pytest.raises(TypeError, match=f"the Keras 1 argument `{old}` and its Keras 2 name `{new}`"):
        build()


def test_other_refusals():
    with pytest.raises(TypeError, match="modes 1 and 2"):
        L.BatchNormalization(mode=1)
    with pytest.raises(TypeError, match="nb_row, nb_col come in this order"):
        L.Conv2D(2, nb_row=3)
    with pytest.raises(TypeError, match="the other arguments go by keyword"):
        L.Convolution2D(2, 3, 3, "normal")


def test_keras1_class_names_make_and_save_the_keras2_layers(tmp_path):
    with pytest.warns(UserWarning):
        layer = L.Convolution2D(4, 3, 3, border_mode="same")
    assert type(layer) is L.Conv2D
    assert isinstance(layer, L.Convolution2D) and isinstance(L.Conv2D(2, 3), L.Convolution2D)
    assert issubclass(L.Conv2D, L.Convolution2D) and not isinstance(L.Dense(2), L.Convolution2D)
    model = keras.Sequential([keras.Input((5, 5, 2)), layer])
    assert '"Conv2D"' in model.to_json() and "Convolution2D" not in model.to_json()
    model.save(tmp_path / "m.h5")
    restored = keras.models.load_model(tmp_path / "m.h5")
    assert type(restored.layers[0]) is L.Conv2D
    # A Keras 1 config names the Keras 1 class and arguments: it loads too.
    with pytest.warns(UserWarning, match="Update your `Conv2D` call"):
        rebuilt = L.deserialize({"class_name": "Convolution2D",
                                 "config": {"nb_filter": 4, "nb_row": 3, "nb_col": 3, "border_mode": "same"}})
    assert type(rebuilt) is L.Conv2D and rebuilt.kernel_size == (3, 3) and rebuilt.padding == "same"


def test_a_subclass_of_a_keras1_class_name_is_an_ordinary_subclass():
    class MyConv(L.Convolution2D):
        pass

    layer = MyConv(2, 3)
    assert type(layer) is MyConv and isinstance(layer, L.Conv2D) and isinstance(layer, MyConv)
    assert not isinstance(L.Conv2D(2, 3), MyConv)


def test_decorated_constructors_keep_their_signature():
    assert inspect.getfullargspec(L.Dense.__init__).args[:3] == ["self", "units", "activation"]
    assert list(inspect.signature(L.Conv2D).parameters)[:2] == ["filters", "kernel_size"]


def _train(build):
    keras.utils.set_random_seed(7)
    model = build()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 6, 6, 2)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 16)]
    history = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    return history, model.predict(x, verbose=0)


def test_a_model_built_with_keras1_names_trains_as_the_keras2_one():
    def keras1():
        return keras.Sequential([
            L.Convolution2D(4, 3, 3, init="he_normal", border_mode="same", input_shape=(6, 6, 2)),
            L.MaxPooling2D(border_mode="valid", dim_ordering="tf"),
            L.Dropout(p=0.2),
            L.Flatten(),
            L.Dense(output_dim=3, init="glorot_normal", W_regularizer="l2", activation="softmax")])

    def keras2():
        return keras.Sequential([
            L.Conv2D(4, (3, 3), kernel_initializer="he_normal", padding="same", input_shape=(6, 6, 2)),
            L.MaxPooling2D(padding="valid", data_format="channels_last"),
            L.Dropout(rate=0.2),
            L.Flatten(),
            L.Dense(units=3, kernel_initializer="glorot_normal", kernel_regularizer="l2", activation="softmax")])

    with pytest.warns(UserWarning):
        old_history, old_predictions = _train(keras1)
    new_history, new_predictions = _train(keras2)
    np.testing.assert_array_equal(old_history, new_history)
    np.testing.assert_array_equal(old_predictions, new_predictions)


def test_a_recurrent_model_built_with_keras1_names_predicts_as_the_keras2_one():
    x = np.random.default_rng(1).integers(1, 10, size=(4, 5))
    keras.utils.set_random_seed(3)
    with pytest.warns(UserWarning):
        old = keras.Sequential([L.Embedding(10, 4, init="uniform", input_length=5),
                                L.LSTM(output_dim=3, inner_activation="hard_sigmoid", forget_bias_init="one")])
    keras.utils.set_random_seed(3)
    new = keras.Sequential([L.Embedding(10, 4, embeddings_initializer="uniform", input_length=5),
                            L.LSTM(units=3, recurrent_activation="hard_sigmoid", unit_forget_bias=True)])
    np.testing.assert_array_equal(old.predict(x, verbose=0), new.predict(x, verbose=0))


# ---- Keras 2.3.1's public names, for code that imports keras.legacy.interfaces ---------------------------------

def test_generate_legacy_interface_on_a_custom_layer():
    legacy_support = interfaces.generate_legacy_interface(allowed_positional_args=["units"],
                                                          conversions=[("output_dim", "units")])

    class Scale(keras.layers.Layer):
        @legacy_support
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

    with pytest.warns(UserWarning, match=r"`Scale\(units=3\)`"):
        assert Scale(output_dim=3).units == 3
    with pytest.raises(TypeError, match="at most 1 positional"):
        Scale(3, 4)


def test_legacy_conv2d_support_reads_the_positional_form_as_keras_231_did():
    class MyConv(L.Conv2D):
        @interfaces.legacy_conv2d_support
        def __init__(self, filters, kernel_size, **kwargs):
            super().__init__(filters, kernel_size, **kwargs)

    with pytest.warns(UserWarning):
        layer = MyConv(4, 3, 3, subsample=(2, 2))
    assert layer.kernel_size == (3, 3) and layer.strides == (2, 2)


# ---- Highway and MaxoutDense (keras.legacy.layers) ---------------------------------------------------------------

def test_maxout_dense_is_the_max_of_its_projections():
    layer = MaxoutDense(3, nb_feature=2, input_dim=4)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    out = keras.backend.to_numpy(layer(x))
    W, b = layer.get_weights()
    assert W.shape == (2, 4, 3) and b.shape == (2, 3)
    np.testing.assert_allclose(out, np.max(np.einsum("ni,fio->nfo", x, W) + b, axis=1), rtol=1e-5, atol=1e-6)


def test_highway_mixes_the_transform_and_the_input():
    layer = Highway(activation="tanh", input_dim=3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3)).astype("float32")
    layer.build((None, 3))
    layer.set_weights([rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3,)),
                       rng.normal(size=(3,))])
    W, W_carry, b, b_carry = layer.get_weights()
    gate = 1 / (1 + np.exp(-(x @ W_carry + b_carry)))
    expected = np.tanh(x @ W + b) * gate + (1 - gate) * x
    np.testing.assert_allclose(keras.backend.to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-6)
    assert [w.name.split("/")[-1].split(":")[0] for w in layer.weights] == ["W", "W_carry", "b", "b_carry"]


def test_highway_and_maxout_dense_take_keras1_arguments_and_save(tmp_path):
    model = keras.Sequential([
        Highway(input_dim=4, W_regularizer="l2", b_constraint="maxnorm", bias=True),
        MaxoutDense(2, nb_feature=3, init="he_normal", bias=False)])
    config = model.layers[1].get_config()
    assert config["output_dim"] == 2 and config["nb_feature"] == 3 and config["bias"] is False
    assert config["init"]["class_name"] == "HeNormal"
    assert len(model.losses) == 1
    assert [w.shape for w in model.layers[1].get_weights()] == [(3, 4, 2)]
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    model.save(tmp_path / "m.h5")
    restored = keras.models.load_model(tmp_path / "m.h5")
    assert [type(layer) for layer in restored.layers] == [Highway, MaxoutDense]
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert json.dumps(restored.layers[0].get_config()) == json.dumps(model.layers[0].get_config())
