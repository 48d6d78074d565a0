"""Patterns from keras.io's developer guides (guides/*.py in keras-team/keras-io, tf.keras-era versions and
guides/keras_core/), run with ``import fastkeras as keras``, that failed or differed from Keras.

Expected numbers come from tf-keras 2.21 via tools/make_kerasio_guide_fixtures.py.
"""
import json
import os

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import layers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "kerasio_guides")


@pytest.fixture(scope="module")
def k2():
    with open(os.path.join(FIXTURES, "keras2.json")) as f:
        return json.load(f)


def assert_history(got, expected):
    assert sorted(got) == sorted(expected)
    for key, values in expected.items():
        np.testing.assert_allclose(got[key], values, rtol=1e-5, atol=1e-6, err_msg=key)


# ---- training_with_built_in_methods.py -------------------------------------------------------------------

class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_fn = keras.metrics.BinaryAccuracy()

    def call(self, targets, logits, sample_weights=None):
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)
        acc = self.accuracy_fn(targets, logits, sample_weights)
        self.add_metric(acc, name="accuracy")
        return keras.activations.softmax(logits)


def test_add_metric_of_a_metric_result_reports_that_metric_once(k2):
    case = k2["endpoint_add_metric_of_metric_result"]
    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    dense = layers.Dense(10)
    predictions = LogisticEndpoint(name="predictions")(targets, dense(inputs))
    model = keras.Model(inputs=[inputs, targets], outputs=predictions)
    dense.set_weights([np.array(case["kernel"], "float32"), np.array(case["bias"], "float32")])
    model.compile(optimizer=keras.optimizers.SGD(0.5))
    data = {"inputs": np.array(case["x"], "float32"), "targets": np.array(case["t"], "float32")}
    history = model.fit(data, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert_history(history.history, case["history"])  # 'binary_accuracy' only, no 'accuracy' Mean beside it
    assert model.metrics_names == case["metrics_names"]
    np.testing.assert_allclose(model.evaluate(data, verbose=0), case["evaluate"], rtol=1e-5)


@pytest.mark.parametrize("run", range(4))
def test_dict_of_targets_may_leave_an_output_out(k2, run):
    case = k2["dict_targets_leaving_an_output_out"]
    expected = case["runs"][run]
    x, yb = np.array(case["x"], "float32"), np.array(case["yb"], "float32")
    i = keras.Input((4,), name="x")
    model = keras.Model(i, [layers.Dense(1, name="a")(i), layers.Dense(2, name="b")(i)])
    model.set_weights([np.array(w, "float32") for w in case["weights"]])
    model.compile(keras.optimizers.SGD(0.1), loss=expected["loss"], metrics=expected["metrics"])
    history = model.fit(x, {"b": yb}, batch_size=4, shuffle=False, epochs=2, verbose=0)
    assert_history(history.history, expected["history"])
    assert model.metrics_names == expected["metrics_names"]
    np.testing.assert_allclose(model.evaluate(x, {"b": yb}, verbose=0), expected["evaluate"], rtol=1e-5)


# ---- writing_your_own_callbacks.py ----------------------------------------------------------------------

def test_on_predict_batch_end_receives_the_batch_outputs(k2):
    case = k2["predict_batch_end_logs"]
    i = keras.Input((3,))
    model = keras.Model(i, [layers.Dense(1)(i), layers.Dense(2)(i)])
    model.set_weights([np.array(w, "float32") for w in case["weights"]])
    seen = {"one": [], "two": []}

    def record(key):
        def on_predict_batch_end(batch, logs):
            outputs = logs["outputs"]
            seen[key].append({"keys": sorted(logs), "type": type(outputs).__name__,
                              "values": [np.asarray(o) for o in outputs] if key == "two" else np.asarray(outputs)})
        return keras.callbacks.LambdaCallback(on_predict_batch_end=on_predict_batch_end)

    x = np.array(case["x"], "float32")
    keras.Model(i, model.outputs[0]).predict(x, batch_size=2, verbose=0, callbacks=[record("one")])
    model.predict(x, batch_size=2, verbose=0, callbacks=[record("two")])
    for key in ("one", "two"):
        expected = case["batches"][key]
        assert len(seen[key]) == len(expected)
        for got, want in zip(seen[key], expected):
            assert got["keys"] == want["keys"] and got["type"] == want["type"]
            if key == "one":
                np.testing.assert_allclose(got["values"], want["values"], rtol=1e-5, atol=1e-6)
            else:
                for g, w in zip(got["values"], want["values"]):
                    np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


# ---- understanding_masking_and_padding.py ----------------------------------------------------------------

class TemporalSoftmax(keras.layers.Layer):
    def call(self, inputs, mask=None):
        broadcast_float_mask = keras.backend.expand_dims(keras.backend.cast(mask, "float32"), -1)
        inputs_exp = keras.backend.exp(inputs) * broadcast_float_mask
        inputs_sum = keras.backend.sum(inputs * broadcast_float_mask, axis=1, keepdims=True)
        return inputs_exp / inputs_sum


def test_training_given_positionally(k2):
    case = k2["positional_training_argument"]
    inputs = keras.Input(shape=(None,), dtype="int32")
    h = layers.Dense(1)(layers.Embedding(input_dim=10, output_dim=3, mask_zero=True)(inputs))
    model = keras.Model(inputs, TemporalSoftmax()(h))
    model.set_weights([np.array(w, "float32") for w in case["weights"]])
    # The guide's ``model(x, y)``: the second argument is Functional.call's `training`.
    y = model(np.array(case["x"]), np.array(case["extra"], "float32"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(y), case["y"], rtol=1e-5, atol=1e-6)
    bn = layers.BatchNormalization()
    bn_x = np.array(case["bn_x"], "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(bn(bn_x, True)), case["bn_true"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(bn(bn_x, False)), case["bn_false"], rtol=1e-5, atol=1e-5)


def test_rnn_initial_state_given_positionally(k2):
    case = k2["positional_training_argument"]
    lstm = layers.LSTM(4)
    lstm.build((None, 3, 2))
    lstm.set_weights([np.array(w, "float32") for w in case["lstm_weights"]])
    state = [np.array(case["lstm_h"], "float32"), np.array(case["lstm_c"], "float32")]
    y = lstm(np.array(case["lstm_x"], "float32"), state)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(y), case["lstm_y"], rtol=1e-5, atol=1e-6)


def test_training_given_twice_is_a_clear_error():
    with pytest.raises(TypeError, match="multiple values for argument 'training'"):
        layers.Dropout(0.5)(np.ones((2, 3), "float32"), True, training=False)


# ---- serialization_and_saving.py (keras_core) ----------------------------------------------------------

@keras.saving.register_keras_serializable(package="MyLayers", name="KernelMult")
class MyDense(keras.layers.Layer):
    def __init__(self, units, *, kernel_regularizer=None, kernel_initializer=None, nested_model=None, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = units
        self.kernel_regularizer = kernel_regularizer
        self.kernel_initializer = kernel_initializer
        self.nested_model = nested_model

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.hidden_units, "kernel_regularizer": self.kernel_regularizer,
                       "kernel_initializer": self.kernel_initializer, "nested_model": self.nested_model})
        return config


def _without_module(config):
    # tf-keras ran the class in __main__ (module None); here it lives in this test module.
    if isinstance(config, dict):
        return {k: _without_module(v) for k, v in config.items() if k != "module"}
    return config


def test_layer_in_a_custom_config_and_registered_name(k2):
    case = k2["registered_layer_with_nested_layer"]
    layer = MyDense(units=16, kernel_regularizer="l1", kernel_initializer="ones", name="inner")
    config = keras.layers.serialize(MyDense(units=64, nested_model=layer, name="outer"))
    assert _without_module(config) == _without_module(case["config"])  # the inner layer serialized too
    new_layer = keras.layers.deserialize(case["config"])  # found by 'MyLayers>KernelMult', not 'MyDense'
    expected = case["deserialized"]
    assert type(new_layer).__name__ == expected["class"] and new_layer.hidden_units == expected["units"]
    assert new_layer.nested_model == expected["nested_model"]


# ---- customizing_saving_and_serialization.py: Keras 3's saving hooks ---------------------------------------

@keras.saving.register_keras_serializable(package="my_custom_package")
class LayerWithCustomBuild(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return dict(units=self.units, **super().get_config())

    def build(self, input_shape, layer_init):
        super().build(input_shape)
        self._input_shape = input_shape
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=layer_init, trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer=layer_init, trainable=True)
        self.layer_init = layer_init

    def get_build_config(self):
        return {"layer_init": self.layer_init, "input_shape": self._input_shape}

    def build_from_config(self, config):
        self.build(config["input_shape"], config["layer_init"])


@keras.saving.register_keras_serializable(package="my_custom_package")
class ScaledDense(keras.layers.Dense):
    def __init__(self, units, **kwargs):
        super().__init__(units, **kwargs)
        self.scale = 1.0

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store["scale"] = np.array(self.scale, "float32")

    def load_own_variables(self, store):
        self.scale = float(np.asarray(store["scale"]))
        for i, v in enumerate(self.weights):
            v.assign(store[f"{i}"])

    def call(self, inputs):
        return super().call(inputs) * self.scale


def test_keras3_file_with_build_config_and_own_variables_hooks():
    with np.load(os.path.join(FIXTURES, "k3_custom_saving.npz")) as f:
        x, y = f["x"], f["y"]
    restored = keras.models.load_model(os.path.join(FIXTURES, "k3_custom_saving.keras"))
    assert restored.layers[0].layer_init == "random_normal"  # rebuilt by build_from_config
    assert restored.layers[1].scale == 2.5  # restored by load_own_variables, not by the config
    np.testing.assert_allclose(restored.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)


def test_build_config_and_own_variables_hooks_round_trip(tmp_path):
    custom_layer = LayerWithCustomBuild(units=4)
    custom_layer.build(input_shape=(8,), layer_init="ones")
    scaled = ScaledDense(3)
    model = keras.Sequential([custom_layer, scaled])
    x = np.random.RandomState(0).rand(5, 8).astype("float32")
    model(x)
    scaled.scale = 0.5
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    restored = keras.models.load_model(tmp_path / "m.keras")
    assert restored.layers[0].layer_init == "ones" and restored.layers[1].scale == 0.5
    np.testing.assert_allclose(restored.predict(x, verbose=0), expected, rtol=1e-6)
    model.save_weights(tmp_path / "m.weights.h5")
    scaled.scale = 1.0
    model.load_weights(tmp_path / "m.weights.h5")
    assert scaled.scale == 0.5


def test_a_failing_load_own_variables_names_the_layer(tmp_path):
    class Broken(ScaledDense):
        def load_own_variables(self, store):
            raise KeyError("scale")

    model = keras.Sequential([keras.Input((2,)), Broken(1, name="broken")])
    model.save_weights(tmp_path / "b.weights.h5")
    with pytest.raises(Exception, match='layer "broken" could not load its variables'):
        model.load_weights(tmp_path / "b.weights.h5")


# ---- writing_a_custom_training_loop_in_torch.py ----------------------------------------------------------

def test_torch_optimizer_over_model_parameters():
    import torch
    with open(os.path.join(FIXTURES, "keras3.json")) as f:
        case = json.load(f)["torch_optimizer_loop"]
    inputs = keras.Input(shape=(6,))
    x = layers.Dense(8, activation="relu")(inputs)
    model = keras.Model(inputs, layers.Dense(3)(layers.BatchNormalization()(x)))
    model.set_weights([np.array(w, "float32") for w in case["weights"]])
    assert len(list(model.parameters())) == case["n_parameters"]  # every weight, as Keras 3's torch Modules
    x_data, y_data = np.array(case["x"], "float32"), np.array(case["y"], "float32")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for epoch in range(2):
        for start in range(0, 12, 4):
            logits = model(torch.from_numpy(x_data[start:start + 4]))
            loss = loss_fn(logits, torch.from_numpy(y_data[start:start + 4]))
            model.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
    np.testing.assert_allclose(losses, case["losses"], rtol=1e-5)
    for got, want in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    assert [name for name, _ in model.layers[1].named_parameters()][0].endswith("kernel")


# ---- working_with_rnns.py: NestedCell -------------------------------------------------------------------

class Shape(tuple):
    """What tf.TensorShape gives the guide's cell: one state (or output) of a multi-axis shape."""

    def as_list(self):
        return list(self)


class NestedCell(keras.layers.Layer):
    def __init__(self, unit_1, unit_2, unit_3, **kwargs):
        self.unit_1, self.unit_2, self.unit_3 = unit_1, unit_2, unit_3
        self.state_size = [Shape([unit_1]), Shape([unit_2, unit_3])]
        self.output_size = [Shape([unit_1]), Shape([unit_2, unit_3])]
        super().__init__(**kwargs)

    def build(self, input_shapes):
        i1, i2, i3 = input_shapes[0][1], input_shapes[1][1], input_shapes[1][2]
        self.kernel_1 = self.add_weight(shape=(i1, self.unit_1), initializer="uniform", name="kernel_1")
        self.kernel_2_3 = self.add_weight(shape=(i2, i3, self.unit_2, self.unit_3), initializer="uniform",
                                          name="kernel_2_3")

    def call(self, inputs, states):
        input_1, input_2 = keras.tree.flatten(inputs)
        s1, s2 = states
        output_1 = keras.ops.matmul(input_1, self.kernel_1)
        output_2_3 = keras.ops.einsum("bij,ijkl->bkl", input_2, self.kernel_2_3)
        return (output_1, output_2_3), (s1 + output_1, s2 + output_2_3)


def test_rnn_over_a_tuple_of_sequences_with_two_outputs(k2):
    case = k2["nested_rnn_inputs_and_outputs"]
    x1, x2 = np.array(case["x1"], "float32"), np.array(case["x2"], "float32")
    input_1, input_2 = keras.Input((None, x1.shape[-1])), keras.Input((None,) + x2.shape[2:])
    rnn = layers.RNN(NestedCell(2, 2, 3))
    model = keras.Model([input_1, input_2], rnn((input_1, input_2)))
    assert [list(t.shape) for t in model.outputs] == case["output_shapes"]
    assert model.output_names == case["output_names"]
    model.set_weights([np.array(w, "float32") for w in case["weights"]])
    for got, want in zip(model.predict([x1, x2], verbose=0), case["predictions"]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    sequences = layers.RNN(rnn.cell, return_sequences=True)((input_1, input_2))
    assert [list(t.shape) for t in sequences] == case["sequence_shapes"]
    for got, want in zip(keras.Model([input_1, input_2], sequences).predict([x1, x2], verbose=0), case["sequences"]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit([x1, x2], [np.array(case["t1"], "float32"), np.array(case["t2"], "float32")],
                        batch_size=3, epochs=2, shuffle=False, verbose=0)
    assert_history(history.history, case["history"])


# ---- keras_core/training_with_built_in_methods.py ------------------------------------------------------

@pytest.mark.parametrize("kind", ["py_dataset", "dataloader"])
def test_batch_size_given_with_data_that_yields_batches_is_ignored(kind):
    import torch
    with open(os.path.join(FIXTURES, "keras3.json")) as f:
        case = json.load(f)["batch_size_with_batched_data"]
    x, y = np.array(case["x"], "float32"), np.array(case["y"], "float32")

    class ExamplePyDataset(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return int(np.ceil(len(self.x) / float(self.batch_size)))

        def __getitem__(self, idx):
            return (self.x[idx * self.batch_size:(idx + 1) * self.batch_size],
                    self.y[idx * self.batch_size:(idx + 1) * self.batch_size])

    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.set_weights([np.array(w, "float32") for w in case["weights"]])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    if kind == "py_dataset":
        data = ExamplePyDataset(x, y, batch_size=4)
    else:
        data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                           batch_size=4, shuffle=False)
    history = model.fit(data, batch_size=64, validation_data=data, epochs=2, shuffle=False, verbose=0)
    assert_history(history.history, case["histories"][kind])


# ---- sequential_model.py -----------------------------------------------------------------------------------

@pytest.mark.parametrize("attribute", ["weights", "trainable_weights", "non_trainable_weights"])
def test_weights_of_an_unbuilt_sequential_model(k2, attribute):
    case = k2["unbuilt_model_weights"]

    class SubclassedWithoutBuild(keras.Model):
        def __init__(self):
            super().__init__(name="no_build")
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    expected = case[f"sequential_{attribute}"]
    with pytest.raises(ValueError) as info:
        getattr(keras.Sequential([layers.Dense(2), layers.Dense(3)], name="my_sequential"), attribute)
    assert str(info.value) == expected["message"]
    assert len(getattr(SubclassedWithoutBuild(), attribute)) == case[f"subclassed_{attribute}"]["value"]
    model = keras.Sequential([layers.Dense(2), layers.Dense(3)])
    model(np.ones((1, 4), "float32"))
    assert len(model.weights) == case["after_call_weights"]["value"]


# ---- customizing_saving_and_serialization.py: classes without get_config, assets, compile hooks -----------

class WithArgs(keras.layers.Layer):
    def __init__(self, units, activation="relu", name=None):
        super().__init__(name=name)
        self.units = units


class WithKwargs(keras.layers.Layer):
    def __init__(self, units, scale=1.5, **kwargs):
        super().__init__(**kwargs)
        self.units = units


class OtherVarKeyword(keras.layers.Layer):
    def __init__(self, units, **options):
        super().__init__(**options)


class SubModel(keras.Model):
    def __init__(self, hidden, sizes=(2, 3), name=None):
        super().__init__(name=name)
        self.dense = layers.Dense(hidden)

    def call(self, x):
        return self.dense(x)


class NoArgsModel(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(2)

    def call(self, x):
        return self.dense(x)


def test_config_of_classes_without_get_config_holds_their_constructor_arguments(k2):
    expected = k2["auto_config_without_get_config"]
    keras.backend.clear_session()
    made = {"with_args": WithArgs(3, activation="tanh", name="a"), "with_kwargs": WithKwargs(4, name="b"),
            "other_var_keyword": OtherVarKeyword(5, name="c"), "sub_model": SubModel(6, name="d"),
            "no_args_model": NoArgsModel(name="e"), "no_args_model_unnamed": NoArgsModel()}
    for key, obj in made.items():
        assert obj.get_config() == expected[key], key
    rebuilt = WithArgs.from_config(made["with_args"].get_config())
    assert rebuilt.units == 3 and rebuilt.name == "a"

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, inputs):
            return self.d(inputs)

    document = json.loads(Net().to_json())
    assert {"class_name": document["class_name"], "config": document["config"]} == expected["net_to_json"]


@keras.saving.register_keras_serializable(package="my_custom_package")
class LayerWithCustomAssets(keras.layers.Dense):
    def __init__(self, vocab=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.vocab = vocab

    def save_assets(self, inner_path):
        with open(os.path.join(inner_path, "vocabulary.txt"), "w") as f:
            f.write(self.vocab)

    def load_assets(self, inner_path):
        with open(os.path.join(inner_path, "vocabulary.txt"), "r") as f:
            text = f.read()
        self.vocab = text.replace("<unk>", "little")


@keras.saving.register_keras_serializable(package="my_custom_package")
def small_square_sum_loss(y_true, y_pred):
    loss = keras.ops.square(y_pred - y_true)
    loss = loss / 10.0
    return keras.ops.sum(loss, axis=1)


@keras.saving.register_keras_serializable(package="my_custom_package")
def mean_pred(y_true, y_pred):
    return keras.ops.mean(y_pred)


@keras.saving.register_keras_serializable(package="my_custom_package")
class ModelWithCustomCompile(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = keras.layers.Dense(8, activation="relu")
        self.dense2 = keras.layers.Dense(4, activation="softmax")

    def call(self, inputs):
        return self.dense2(self.dense1(inputs))

    def compile(self, optimizer, loss_fn, metrics):
        super().compile(optimizer=optimizer, loss=loss_fn, metrics=metrics)
        self.model_optimizer = optimizer
        self.loss_fn = loss_fn
        self.loss_metrics = metrics

    def get_compile_config(self):
        return {"model_optimizer": self.model_optimizer, "loss_fn": self.loss_fn, "metric": self.loss_metrics}

    def compile_from_config(self, config):
        optimizer = keras.utils.deserialize_keras_object(config["model_optimizer"])
        loss_fn = keras.utils.deserialize_keras_object(config["loss_fn"])
        metrics = keras.utils.deserialize_keras_object(config["metric"])
        self.compile(optimizer=optimizer, loss_fn=loss_fn, metrics=metrics)


def test_keras3_files_with_assets_and_a_subclassed_model_with_compile_hooks():
    with np.load(os.path.join(FIXTURES, "k3_custom_assets_compile.npz")) as f:
        x, assets_y, compile_y = f["x"], f["assets_y"], f["compile_y"]
    restored = keras.models.load_model(os.path.join(FIXTURES, "k3_custom_assets.keras"))
    assert restored.layers[0].vocab == "Mary had a little lamb."  # through load_assets
    np.testing.assert_allclose(restored.predict(x, verbose=0), assets_y, rtol=1e-5, atol=1e-6)
    import warnings
    with warnings.catch_warnings():
        # Keras 3's SGD without momentum saves [iterations, learning rate] only: that state fits
        warnings.filterwarnings("error", message=".*optimizer state does not fit.*")
        restored = keras.models.load_model(os.path.join(FIXTURES, "k3_custom_compile.keras"))
    assert int(keras.backend.get_value(restored.optimizer.iterations)) == 1  # Keras 3 trained one step
    assert isinstance(restored, ModelWithCustomCompile)
    assert restored.loss_fn is small_square_sum_loss and restored.model_optimizer == "SGD"  # compile_from_config
    np.testing.assert_allclose(restored.predict(x, verbose=0), compile_y, rtol=1e-5, atol=1e-6)


def test_assets_and_compile_hooks_round_trip(tmp_path):
    x = np.random.RandomState(0).rand(4, 8).astype("float32")
    model = keras.Sequential([LayerWithCustomAssets(vocab="Mary had a <unk> lamb.", units=5)])
    expected = keras.ops.convert_to_numpy(model(x))
    model.save(tmp_path / "assets.keras")
    restored = keras.models.load_model(tmp_path / "assets.keras")
    assert restored.layers[0].vocab == "Mary had a little lamb."
    np.testing.assert_allclose(restored.predict(x, verbose=0), expected, rtol=1e-6)
    model = ModelWithCustomCompile()
    model.compile(optimizer="SGD", loss_fn=small_square_sum_loss, metrics=["accuracy", mean_pred])
    model.fit(x, np.random.RandomState(1).rand(4, 4).astype("float32"), verbose=0)
    model.save(tmp_path / "compile.keras")
    restored = keras.models.load_model(tmp_path / "compile.keras")
    assert restored.loss_fn is small_square_sum_loss and restored.loss_metrics == ["accuracy", mean_pred]
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


# ---- keras_core/getting_started_with_keras_core.py ----------------------------------------------------------

@pytest.mark.parametrize("kind", ["dataloader", "py_dataset", "generator"])
def test_subclassed_model_compiled_before_building_fits_on_batched_data(kind):
    import torch
    with open(os.path.join(FIXTURES, "keras3.json")) as f:
        case = json.load(f)["subclassed_model_on_batched_data"]
    x, y = np.array(case["x"], "float32"), np.array(case["y"], "float32")

    class MyModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(3, activation="tanh", kernel_initializer=keras.initializers.Constant(0.05))
            self.out = layers.Dense(2, kernel_initializer=keras.initializers.Constant(-0.1))

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[i * 4:(i + 1) * 4], y[i * 4:(i + 1) * 4]

    def generator():
        while True:
            for i in range(3):
                yield x[i * 4:(i + 1) * 4], y[i * 4:(i + 1) * 4]

    model = MyModel()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    if kind == "dataloader":
        data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                           batch_size=4, shuffle=False)
        history = model.fit(data, epochs=2, verbose=0)
    elif kind == "py_dataset":
        history = model.fit(Batches(), epochs=2, shuffle=False, verbose=0)
    else:
        history = model.fit(generator(), steps_per_epoch=3, epochs=2, verbose=0)  # its first batch is not lost
    assert_history(history.history, case[kind]["history"])
    np.testing.assert_allclose(model.predict(x, verbose=0), case[kind]["predictions"], rtol=1e-5, atol=1e-6)
