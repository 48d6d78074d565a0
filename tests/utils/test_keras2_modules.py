"""Keras 2's utility modules under their import paths (``keras.utils.conv_utils``, ``keras.utils.generic_utils``,
``keras.utils.test_utils``, ``keras.testing_infra.test_utils``), checked against tf-keras 2.21
(tests/fixtures/utils_modules/expected.json, from tools/make_utils_module_fixtures.py)."""
import json
import os

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers
from fastkeras.utils import conv_utils, generic_utils

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "fixtures", "utils_modules", "expected.json")) as f:
    EXPECTED = json.load(f)


def _cases(name):
    return [pytest.param(case[:-1], case[-1], id="-".join(map(str, case[:-1]))) for case in EXPECTED[name]]


@pytest.mark.parametrize("args,expected", _cases("conv_output_length"))
def test_conv_output_length_matches_tf_keras(args, expected):
    assert conv_utils.conv_output_length(*args) == expected


@pytest.mark.parametrize("args,expected", _cases("conv_input_length"))
def test_conv_input_length_matches_tf_keras(args, expected):
    assert conv_utils.conv_input_length(*args) == expected


@pytest.mark.parametrize("args,expected", _cases("deconv_output_length"))
def test_deconv_output_length_matches_tf_keras(args, expected):
    assert conv_utils.deconv_output_length(*args) == expected


def test_convert_data_format_and_bad_padding():
    for data_format, ndim, expected in EXPECTED["convert_data_format"]:
        assert conv_utils.convert_data_format(data_format, ndim) == expected
    with pytest.raises(ValueError, match="rank"):
        conv_utils.convert_data_format("channels_last", 2)
    with pytest.raises(ValueError, match="padding"):
        conv_utils.conv_output_length(5, 3, "reflect", 1)
    assert conv_utils.normalize_data_format("Channels_First") == "channels_first"
    assert conv_utils.normalize_tuple(2, 3, "strides") == (2, 2, 2)


def test_convert_kernel_flips_the_spatial_axes_only():
    kernel = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    flipped = conv_utils.convert_kernel(kernel)
    np.testing.assert_array_equal(flipped, kernel[::-1, ::-1, :, :])
    np.testing.assert_array_equal(conv_utils.convert_kernel(flipped), kernel)


def test_convert_all_kernels_in_model_flips_conv_kernels_in_place():
    """Keras 2's layer_utils.convert_all_kernels_in_model: conv kernels flipped, other weights untouched."""
    from fastkeras.utils.layer_utils import convert_all_kernels_in_model
    model = keras.Sequential([keras.Input((6, 6, 2)), layers.Conv2D(3, (3, 2)), layers.Flatten(), layers.Dense(2)])
    kernel, bias = model.layers[0].get_weights()
    dense = model.layers[2].get_weights()[0].copy()
    convert_all_kernels_in_model(model)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], conv_utils.convert_kernel(kernel))
    np.testing.assert_array_equal(model.layers[0].get_weights()[1], bias)
    np.testing.assert_array_equal(model.layers[2].get_weights()[0], dense)
    convert_all_kernels_in_model(model)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], kernel)


@pytest.mark.parametrize("source,target", [("channels_last", "channels_first"), ("channels_first", "channels_last")])
def test_convert_dense_weights_data_format_keeps_the_outputs_across_layouts(source, target):
    """A Dense after Flatten computes the same outputs once its rows follow the other layout's flattening."""
    from fastkeras.utils.layer_utils import convert_dense_weights_data_format

    def model(shape, data_format):
        return keras.Sequential([keras.Input(shape), layers.Conv2D(2, (4, 3), data_format=data_format),
                                 layers.Flatten(), layers.Dense(5)])

    first = model((5, 5, 3) if source == "channels_last" else (3, 5, 5), source)
    second = model((3, 5, 5) if source == "channels_last" else (5, 5, 3), target)
    x = np.random.default_rng(0).random((2,) + tuple(first.input_shape[1:])).astype("float32")
    expected = first.predict(x, verbose=0)
    feature_map = (2, 2, 3) if target == "channels_first" else (2, 3, 2)  # the conv output in the target layout
    convert_dense_weights_data_format(first.layers[2], feature_map, target)
    second.set_weights(first.get_weights())
    moved = np.transpose(x, (0, 3, 1, 2) if target == "channels_first" else (0, 2, 3, 1))
    np.testing.assert_allclose(second.predict(moved, verbose=0), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="product"):
        convert_dense_weights_data_format(first.layers[2], (2, 2, 2), target)


def test_objectives_is_the_losses_module_under_keras_1_name():
    from fastkeras import objectives
    assert objectives.categorical_crossentropy is keras.losses.categorical_crossentropy
    assert objectives.get("mse") is keras.losses.get("mse")


def test_make_batches_and_slice_arrays_match_tf_keras():
    for size, batch_size, expected in EXPECTED["make_batches"]:
        assert [list(p) for p in generic_utils.make_batches(size, batch_size)] == expected
    arange = np.arange(10)
    cases = {"list_range": ([arange, None, arange * 2], 2, 5),
             "list_indices": ([arange, arange * 3], [1, 4, 8], None),
             "array_indices": (arange, np.array([0, 9, 2]), None)}
    for name, expected in EXPECTED["slice_arrays"]:
        if name not in cases:  # tf-keras gives [None] for one array sliced by ints; the rows are returned here
            continue
        result = generic_utils.slice_arrays(*cases[name])
        got = [None if r is None else r.tolist() for r in result] if isinstance(result, list) else result.tolist()
        assert got == expected, name
    np.testing.assert_array_equal(generic_utils.slice_arrays(arange, 3, 7), arange[3:7])


def test_generic_utils_argument_helpers():
    assert generic_utils.has_arg(layers.Dense.__init__, "units")
    assert not generic_utils.has_arg(lambda a: a, "b")
    assert generic_utils.has_arg(lambda a, **kw: a, "b", accept_all=True)
    assert generic_utils.to_list((1, 2)) == [(1, 2)]
    assert generic_utils.to_list((1, 2), allow_tuple=True) == [1, 2]
    assert generic_utils.unpack_singleton([5]) == 5
    assert generic_utils.is_all_none({"a": [None, (None,)]}) and not generic_utils.is_all_none([None, 0])
    with pytest.raises(TypeError, match="bogus"):
        generic_utils.validate_kwargs({"bogus": 1}, {"units"})
    with pytest.raises(ValueError, match="nope"):
        generic_utils.check_for_unexpected_keys("outputs", {"nope": 1}, ["out"])
    assert generic_utils.get_custom_objects() is keras.utils.get_custom_objects()
    assert generic_utils.to_snake_case("MyDenseLayer") == "my_dense_layer"


def test_func_dump_and_func_load_round_trip_a_closure():
    def make(offset):
        return lambda x, scale=2: x * scale + offset

    code, defaults, closure = generic_utils.func_dump(make(3))
    assert isinstance(code, str) and defaults == (2,) and closure == (3,)
    rebuilt = generic_utils.func_load(code, defaults, closure)
    assert rebuilt(5) == 13
    assert generic_utils.func_load((code, defaults, closure))(1, scale=10) == 13


def test_lambda_layer_config_still_stores_keras_2_triple():
    config = layers.Lambda(lambda t: t + 1).get_config()
    assert config["function_type"] == "lambda" and len(config["function"]) == 3


# ---- training a model with nothing to train --------------------------------------------------------------------

def _masking_model():
    inputs = keras.Input((2, 3))
    model = keras.Model(inputs, layers.Masking()(inputs))
    model.compile("rmsprop", "mse", metrics=["mae"])
    return model


def test_a_model_without_trainable_weights_trains_like_tf_keras():
    expected = EXPECTED["no_trainable_weights"]
    x, y = np.array(expected["x"], "float32"), np.array(expected["y"], "float32")
    model = _masking_model()
    logs = model.train_on_batch(x, y, return_dict=True)
    for key, value in expected["train_on_batch"].items():
        assert logs[key] == pytest.approx(value, rel=1e-5), key
    history = model.fit(x, y, batch_size=3, epochs=2, verbose=0, shuffle=False).history
    for key, values in expected["fit"].items():
        np.testing.assert_allclose(history[key], values, rtol=1e-5)
    assert int(keras.backend.get_value(model.optimizer.iterations)) == expected["iterations"]


def test_frozen_model_fit_leaves_weights_and_optimizer_untouched():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.layers[0].trainable = False
    model.compile("sgd", "mse")
    before = model.get_weights()
    model.fit(np.ones((4, 3)), np.zeros((4, 2)), epochs=2, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ---- layer_test, as Keras 2's and tf-keras' test suites call it ------------------------------------------------

def test_keras_2_layer_test_runs_layers_through_every_api():
    from fastkeras.utils.test_utils import get_test_data, keras_test, layer_test

    @keras_test
    def run():
        out = layer_test(layers.Dense, kwargs={"units": 3}, input_shape=(None, None, 2))
        assert out.shape[-1] == 3
        layer_test(layers.Conv2D, kwargs={"filters": 2, "kernel_size": 3, "padding": "same"},
                   input_shape=(2, 5, 5, 3))
        layer_test(layers.Embedding, kwargs={"input_dim": 10, "output_dim": 4}, input_shape=(3, 2),
                   input_dtype="int32", expected_output_dtype="float32")
        layer_test(layers.LSTM, kwargs={"units": 3, "stateful": True}, input_shape=(2, 3, 5),
                   fixed_batch_size=True)
        data = np.arange(6, dtype="float32").reshape(2, 3)
        layer_test(layers.Activation, kwargs={"activation": "relu"}, input_data=data - 2,
                   expected_output=np.maximum(data - 2, 0))
    run()
    (x_train, y_train), (x_test, y_test) = get_test_data(num_train=20, num_test=5, input_shape=(4,),
                                                         classification=True, num_classes=3)
    assert x_train.shape == (20, 4) and y_test.shape == (5,) and set(np.unique(y_train)) <= {0, 1, 2}
    (_, y_reg), _ = get_test_data(10, 2, input_shape=(4,), output_shape=(2,), classification=False)
    assert y_reg.shape == (10, 2)


class _WrongShapeLayer(layers.Layer):
    def call(self, inputs):
        return inputs[:, :1]

    def compute_output_shape(self, input_shape):
        return input_shape  # says the width is unchanged: layer_test must notice


def test_layer_test_reports_a_layer_whose_declared_shape_is_wrong():
    from fastkeras.testing_infra import test_utils
    with pytest.raises(AssertionError, match="_WrongShapeLayer.*output_shape"):
        test_utils.layer_test(_WrongShapeLayer, input_shape=(2, 3))
    with pytest.raises(AssertionError, match="supports_masking"):
        test_utils.layer_test(layers.Dense, kwargs={"units": 2}, input_shape=(2, 3), supports_masking=False)
    with pytest.raises(AssertionError):
        test_utils.layer_test(layers.Dense, kwargs={"units": 2}, input_shape=(2, 3), expected_output_shape=(None, 4))


def test_tf_keras_testing_infra_helpers():
    from fastkeras.testing_infra import test_utils
    (x, y), _ = test_utils.get_test_data(12, 4, (5,), 3, random_seed=1)
    assert x.dtype == np.float32 and x.shape == (12, 5) and y.max() < 3
    with test_utils.model_type_scope("sequential"):
        assert isinstance(test_utils.get_small_mlp(4, 3, 5), keras.Sequential)
    with test_utils.model_type_scope("subclass"), test_utils.run_eagerly_scope(True):
        model = test_utils.get_small_mlp(4, 3, 5)
        assert test_utils.should_run_eagerly()
        model.compile("adam", "sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="model_type_scope"):
        test_utils.get_model_type()


# ---- compile config (tf-keras 2.13+'s get_compile_config / compile_from_config) --------------------------------

def test_compile_config_round_trip_as_tf_keras():
    want = EXPECTED["compile_config"]
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    assert model.get_compile_config() == want["before"]
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"], loss_weights=[1.0])
    config = model.get_compile_config()
    assert set(config) == set(want["after"])
    for key in ("loss", "metrics", "loss_weights", "weighted_metrics", "run_eagerly", "steps_per_execution",
                "jit_compile"):
        assert config[key] == want["after"][key], key
    assert config["optimizer"]["class_name"] == want["after"]["optimizer"]["class_name"]
    assert config["optimizer"]["config"]["learning_rate"] == pytest.approx(
        want["after"]["optimizer"]["config"]["learning_rate"])
    assert model.run_eagerly is want["run_eagerly"]
    rebuilt = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    rebuilt.compile_from_config(json.loads(json.dumps(config)))
    assert type(rebuilt.optimizer).__name__ == want["rebuilt"]["optimizer"]
    assert float(keras.backend.get_value(rebuilt.optimizer.learning_rate)) == pytest.approx(
        want["rebuilt"]["learning_rate"])
    assert rebuilt.loss == want["rebuilt"]["loss"]
    model.run_eagerly = True
    assert model.run_eagerly is True


def test_auc_curve_and_summation_are_keras_2_enums_and_strings():
    from fastkeras.utils import metrics_utils
    auc = keras.metrics.AUC(curve="pr", summation_method="Majoring")
    assert auc.curve == metrics_utils.AUCCurve.PR and auc.curve == "PR"
    assert auc.summation_method == metrics_utils.AUCSummationMethod.MAJORING
    config = auc.get_config()
    assert config["curve"] == "PR" and type(config["curve"]) is str
    assert config["summation_method"] == "majoring" and type(config["summation_method"]) is str
    rebuilt = keras.metrics.AUC.from_config(config)
    assert rebuilt.curve is metrics_utils.AUCCurve.PR
    assert keras.metrics.AUC(curve=metrics_utils.AUCCurve.ROC).curve == "ROC"
    with pytest.raises(ValueError, match="Invalid AUC curve"):
        keras.metrics.AUC(curve="bogus")


# ---- keras.utils.losses_utils (Keras 2.3's and tf-keras' import path for the reduction helpers) ----------

LOSSES_UTILS = EXPECTED["losses_utils"]


@pytest.mark.parametrize("losses,weights,reduction,expected", LOSSES_UTILS["compute_weighted_loss"])
def test_losses_utils_compute_weighted_loss_matches_tf_keras(losses, weights, reduction, expected):
    from fastkeras.utils import losses_utils
    value = losses_utils.compute_weighted_loss(
        np.array(losses, "float32"), None if weights is None else np.array(weights, "float32"),
        reduction=reduction)
    np.testing.assert_allclose(keras.backend.eval(value), expected, rtol=1e-6)


@pytest.mark.parametrize("pred,weights,pred_after,weights_after", LOSSES_UTILS["squeeze_or_expand_dimensions"])
def test_losses_utils_squeeze_or_expand_dimensions_matches_tf_keras(pred, weights, pred_after, weights_after):
    from fastkeras.utils import losses_utils
    y, _, w = losses_utils.squeeze_or_expand_dimensions(
        keras.backend.zeros(tuple(pred)), None, keras.backend.zeros(tuple(weights)))
    assert [list(y.shape), list(w.shape)] == [pred_after, weights_after]


@pytest.mark.parametrize("dtypes,expected", LOSSES_UTILS["cast_losses_to_common_dtype"])
def test_losses_utils_cast_losses_to_common_dtype_matches_tf_keras(dtypes, expected):
    from fastkeras.utils import losses_utils
    cast = losses_utils.cast_losses_to_common_dtype([keras.backend.zeros((), dtype=d) for d in dtypes])
    assert [keras.backend.dtype(c) for c in cast] == expected


def test_losses_utils_reduction_is_the_losses_enum():
    from fastkeras.utils import losses_utils
    assert losses_utils.Reduction is keras.losses.Reduction
    assert keras.losses.MeanSquaredError(reduction=losses_utils.Reduction.SUM).reduction == "sum"
    assert losses_utils.scale_loss_for_distribution(3.0) == 3.0


def test_keras23_callbacks_module_path():
    """Keras 2.3 kept its callbacks in keras/callbacks/callbacks.py."""
    from fastkeras.callbacks.callbacks import EarlyStopping, ModelCheckpoint
    assert EarlyStopping is keras.callbacks.EarlyStopping and ModelCheckpoint is keras.callbacks.ModelCheckpoint
