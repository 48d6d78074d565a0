"""Keras 1's ``Model(input=..., output=...)``, which Keras 2.0-2.3 accepted with a warning (Keras 2.3.1's own
suite builds models so); tf-keras refuses it, so accepting it changes nothing that worked."""
import numpy as np
import pytest

import fastkeras as keras


def _graph():
    a = keras.Input((4,), name="a")
    return a, keras.layers.Dense(2, name="d")(a)


def test_input_and_output_build_the_same_model_with_a_warning():
    a, out = _graph()
    with pytest.warns(UserWarning, match="Keras 2 API"):
        old = keras.Model(input=a, output=out)
    new = keras.Model(inputs=a, outputs=out)
    assert old.get_config()["input_layers"] == new.get_config()["input_layers"]
    assert old.get_config()["output_layers"] == new.get_config()["output_layers"]
    x = np.ones((3, 4), "float32")
    np.testing.assert_array_equal(old.predict(x, verbose=0), new.predict(x, verbose=0))
    with pytest.warns(UserWarning):
        listed = keras.models.Model(input=[a], output=[out], name="listed")
    assert listed.name == "listed" and listed.output_shape == (None, 2)


def test_both_spellings_at_once_are_refused():
    a, out = _graph()
    with pytest.raises(TypeError, match="`input`.*`inputs`"):
        keras.Model(inputs=a, input=a, output=out)


def _endless():
    rng = np.random.default_rng(0)
    while True:
        x = rng.normal(size=(4, 3)).astype("float32")
        yield x, x.sum(axis=1, keepdims=True)


def _compiled():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_generator_methods_take_keras1_argument_names():
    """Keras 2.0-2.3's generator methods converted Keras 1's spellings with a warning."""
    model = _compiled()
    with pytest.warns(UserWarning, match="`epochs` for `nb_epoch`"):
        history = model.fit_generator(_endless(), samples_per_epoch=3, nb_epoch=2, validation_data=_endless(),
                                      nb_val_samples=2, nb_worker=1, max_q_size=4, verbose=0)
    assert history.params["epochs"] == 2 and history.params["steps"] == 3
    assert sorted(history.history) == ["loss", "val_loss"] and len(history.history["loss"]) == 2
    with pytest.warns(UserWarning, match="`steps` for `val_samples`"):
        assert model.predict_generator(_endless(), val_samples=2).shape == (8, 1)
    with pytest.warns(UserWarning, match="`steps` for `val_samples`"):
        assert np.isfinite(model.evaluate_generator(_endless(), val_samples=2))


def test_samples_per_epoch_is_divided_by_a_known_batch_size():
    class Batches(keras.utils.Sequence):
        batch_size = 4

        def __len__(self):
            return 10

        def __getitem__(self, i):
            x = np.full((4, 3), i, "float32")
            return x, x[:, :1]

    model = _compiled()
    with pytest.warns(UserWarning):
        history = model.fit_generator(Batches(), samples_per_epoch=20, verbose=0)
    assert history.params["steps"] == 5


def test_unknown_generator_arguments_are_still_refused():
    with pytest.raises(TypeError, match="unexpected keyword argument 'nb_epochs'"):
        _compiled().fit_generator(_endless(), nb_epochs=2)
