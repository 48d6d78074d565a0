"""LeakyReLU, PReLU, ELU, ThresholdedReLU, ReLU and Softmax against tf-keras 2.21
(fixtures from tools/make_norm_fixtures.py), plus argument errors, masks and shapes."""
import numpy as np
import pytest

from _norm_cases import case_ids, cases_of, check_case, check_configs, check_symbolic
from fastkeras import backend as K
from fastkeras import layers
from fastkeras.layers import ELU, Input, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from fastkeras.models import Sequential

CASES = cases_of("LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "ReLU", "Softmax")


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_matches_tf_keras(case):
    check_case(case)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_config_round_trip_and_symbolic_shape(case):
    check_configs(case)
    check_symbolic(case)


def test_numbers_are_kept_as_float32_like_keras():
    assert LeakyReLU().get_config()["alpha"] == float(np.float32(0.3))
    config = ReLU(max_value=6, negative_slope=0.1).get_config()
    assert (config["max_value"], config["negative_slope"], config["threshold"]) == (6.0, float(np.float32(0.1)), 0.0)
    assert ReLU().get_config()["max_value"] is None


def test_prelu_weight_shapes_and_input_check():
    prelu = PReLU(shared_axes=[1, 2], name="p")
    prelu.build((None, 6, 5, 3))
    assert [(w.name, tuple(w.shape)) for w in prelu.weights] == [("p/alpha:0", (1, 1, 3))]
    with pytest.raises(ValueError, match="expected axis 3 of input shape to have value 3"):
        prelu(Input((6, 5, 4)))
    # Shared axes may have any size, so a model accepts other image sizes.
    assert tuple(prelu(Input((9, 2, 3))).shape) == (None, 9, 2, 3)
    with pytest.raises(ValueError, match="shared_axes"):
        PReLU(shared_axes=[3]).build((None, 4, 5))


def test_softmax_mask_removes_positions():
    x = np.random.default_rng(0).standard_normal((2, 5)).astype("float32")
    mask = np.array([[1, 1, 0, 1, 0], [1, 1, 1, 1, 1]], bool)
    y = K.to_numpy(Softmax()(x, mask=mask))
    expected = np.where(mask, np.exp(x), 0)
    np.testing.assert_allclose(y, expected / expected.sum(axis=1, keepdims=True), rtol=1e-6, atol=1e-7)
    robust = K.to_numpy(Softmax(robust_masking=True)(x, mask=mask))
    np.testing.assert_allclose(robust, y, rtol=1e-6, atol=1e-7)
    assert Softmax(robust_masking=True).get_config()["robust_masking"] is True


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative value"):
        ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope"):
        ReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="threshold"):
        ReLU(threshold=-1)
    with pytest.raises(ValueError, match="theta value of a Thresholded ReLU layer should be >=0"):
        ThresholdedReLU(theta=-0.5)
    with pytest.raises(ValueError, match="cannot be None"):
        LeakyReLU(alpha=None)
    with pytest.raises(ValueError, match="cannot be None"):
        ELU(alpha=None)


def test_activation_layers_train():
    model = Sequential([layers.Dense(8, input_shape=(4,)), LeakyReLU(), layers.Dense(8), PReLU(), ELU(),
                        layers.Dense(3), ReLU(max_value=6.0), layers.Dense(3), Softmax()])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = np.random.default_rng(1).standard_normal((16, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[np.arange(16) % 3]
    alpha_before = model.layers[3].get_weights()[0].copy()
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert not np.allclose(model.layers[3].get_weights()[0], alpha_before)


def test_softmax_passes_the_mask_on():
    masked = layers.Masking()(Input((5, 4)))
    assert Softmax()(masked)._keras_mask is not None


def test_elementwise_activations_pass_the_mask_on():
    inputs = Input((5, 4))
    masked = layers.Masking()(inputs)
    for layer in (LeakyReLU(), ELU(), ThresholdedReLU(), ReLU(), Softmax(), PReLU()):
        assert layer(masked)._keras_mask is not None, layer.name
