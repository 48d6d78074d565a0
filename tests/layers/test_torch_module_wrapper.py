"""TorchModuleWrapper against Keras 3.15.1 on torch (fixtures from tools/make_keras3_layer_fixtures.py): a model
around Linear/BatchNorm1d/ReLU trained by fit as Keras 3 trains it, Keras 3's weight files (the module's
state_dict by key) and ``.keras`` files (the module pickled), and safe mode: a pickled module in a file is
never unpickled unless the caller passes ``safe_mode=False``."""
import base64
import io
import json
import os

import numpy as np
import pytest
import torch

from fastkeras import backend as K
from fastkeras import layers, models, optimizers
from fastkeras.saving.errors import UnsafeFileError
from fastkeras.saving.safety import safe_mode_scope

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras3_layers")
DATA = np.load(os.path.join(FIXTURES, "torch_wrapper.npz"))
with open(os.path.join(FIXTURES, "models.json")) as _f:
    EXPECTED = json.load(_f)["torch_wrapper"]
KERAS_FILE = os.path.join(FIXTURES, "torch_wrapper.keras")


def block():
    return torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU())


def build_model(module=None, output_shape=(None, 6)):
    inputs = layers.Input((4,), name="features")
    wrapper = layers.TorchModuleWrapper(module or block(), name="torch_block", output_shape=output_shape)
    out = layers.Dense(2, name="head")(wrapper(inputs))
    return models.Model(inputs, out, name="torch_wrapper")


def state_of(model):
    return {k: v.detach().cpu().numpy() for k, v in model.get_layer("torch_block").module.state_dict().items()}


def check_state(model):
    state = state_of(model)
    expected = {k[len("state/"):]: DATA[k] for k in DATA.files if k.startswith("state/")}
    assert sorted(state) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(state[key], value, rtol=1e-5, atol=1e-6, err_msg=key)


def test_fit_trains_the_module_as_keras3_does():
    model = build_model()
    n = len(model.weights)
    assert [list(w.shape) for w in model.weights] == [s for _, s in EXPECTED["weights"]]
    model.set_weights([DATA[f"w0_{i}"] for i in range(n)])
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    history = model.fit(DATA["train_x"], DATA["train_y"], batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], DATA["loss"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, DATA[f"w1_{i}"], rtol=1e-5, atol=1e-6)
    check_state(model)  # running statistics too: the module ran in train mode in fit
    # predict runs the module in eval mode (BatchNorm on its running statistics), as Keras 3's predict does.
    np.testing.assert_allclose(model.predict(DATA["x0"], verbose=0), DATA["y0"], rtol=1e-5, atol=1e-6)


def test_parameters_are_the_modules_own():
    module = block()
    wrapper = layers.TorchModuleWrapper(module)
    assert [id(w) for w in wrapper.weights] == [id(p) for p in module.parameters()]
    assert [w.name for w in wrapper.weights] == [f"{wrapper.name}/{k}:0" for k in ("0.weight", "0.bias",
                                                                                 "1.weight", "1.bias")]
    wrapper.set_weights([np.full(tuple(w.shape), 0.5, "float32") for w in wrapper.weights])
    assert float(module[0].weight.detach()[0, 0]) == 0.5
    module[1].bias.requires_grad_(False)
    frozen = layers.TorchModuleWrapper(module)
    assert [w.name.split("/")[1] for w in frozen.non_trainable_weights] == ["1.bias:0"]
    assert frozen.count_params() == 4 * 6 + 6 + 6 + 6
    # A direct call runs in train mode (Keras 3); training=False in eval mode.
    frozen(np.ones((3, 4), "float32"))
    assert module.training and int(module[1].num_batches_tracked) == 1
    frozen(np.ones((3, 4), "float32"), training=False)
    assert not module.training and int(module[1].num_batches_tracked) == 1


def test_shape_inference_without_output_shape():
    inputs = layers.Input((4,))
    out = layers.TorchModuleWrapper(block())(inputs)
    assert tuple(out.shape) == (None, 6)
    conv = layers.TorchModuleWrapper(torch.nn.Conv2d(3, 5, 3))(layers.Input((3, 9, 9)))
    assert tuple(conv.shape) == (None, 5, 7, 7)


def test_loads_keras3_weights_file():
    model = build_model()
    model.load_weights(os.path.join(FIXTURES, "torch_wrapper.weights.h5"))
    check_state(model)
    np.testing.assert_allclose(model.predict(DATA["x0"], verbose=0), DATA["y0"], rtol=1e-5, atol=1e-6)


def test_weights_file_round_trip_holds_buffers(tmp_path):
    model = build_model()
    model.load_weights(os.path.join(FIXTURES, "torch_wrapper.weights.h5"))
    path = str(tmp_path / "again.weights.h5")
    model.save_weights(path)
    fresh = build_model()
    fresh.load_weights(path)
    check_state(fresh)
    import h5py
    with h5py.File(path, "r") as f:
        assert sorted(f["layers/torch_module_wrapper/vars"]) == sorted(
            k[len("state/"):] for k in DATA.files if k.startswith("state/"))
    other = build_model(torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU()))
    with pytest.raises(ValueError, match="the state at 'layers/torch_module_wrapper/vars' does not match"):
        other.load_weights(path)


def test_keras3_model_file_refused_in_safe_mode(monkeypatch):
    def no_unpickling(*args, **kwargs):
        raise AssertionError("torch.load must not run in safe mode")
    monkeypatch.setattr(torch, "load", no_unpickling)
    with pytest.raises(UnsafeFileError, match='TorchModuleWrapper layer "torch_block" stores its torch module '
                                              r"pickled \(torch.save\).*refused in safe mode.*safe_mode=False"):
        models.load_model(KERAS_FILE)
    config = build_model().get_layer("torch_block").get_config()
    with pytest.raises(UnsafeFileError, match="refused in safe mode"):
        layers.deserialize({"class_name": "TorchModuleWrapper", "config": config})
    with pytest.raises(UnsafeFileError, match="refused in safe mode"):
        layers.TorchModuleWrapper.from_config(config)


def test_keras3_model_file_loads_outside_safe_mode(tmp_path):
    model = models.load_model(KERAS_FILE, safe_mode=False, compile=False)
    assert [l.name for l in model.layers] == EXPECTED["layer_names"]
    check_state(model)
    np.testing.assert_allclose(model.predict(DATA["x0"], verbose=0), DATA["y0"], rtol=1e-5, atol=1e-6)
    for suffix in (".keras", ".h5"):
        path = str(tmp_path / f"again{suffix}")
        model.save(path)
        with pytest.raises(UnsafeFileError, match="TorchModuleWrapper"):
            models.load_model(path)
        again = models.load_model(path, safe_mode=False, compile=False)
        np.testing.assert_allclose(again.predict(DATA["x0"], verbose=0), DATA["y0"], rtol=1e-5, atol=1e-6)


def test_config_matches_keras3_and_pickles_plain_torch():
    wrapper = build_model().get_layer("torch_block")
    config = wrapper.get_config()
    assert sorted(config) == EXPECTED["wrapper_config_keys"]
    assert config["output_shape"] == EXPECTED["wrapper_output_shape"]
    raw = base64.b64decode(config["module"])
    assert b"fastkeras" not in raw  # plain torch (and Keras 3) can unpickle it
    module = torch.load(io.BytesIO(raw), weights_only=False)
    assert type(module[0].weight) is torch.nn.Parameter
    assert type(wrapper.module[0].weight) is K.Variable  # the wrapped module's parameters are untouched
    assert wrapper.module[0].weight.name == "torch_block/0.weight:0"
    with safe_mode_scope(False):
        again = layers.TorchModuleWrapper.from_config(config)
    np.testing.assert_array_equal(K.to_numpy(again.weights[0]), K.to_numpy(wrapper.weights[0]))


def test_errors():
    with pytest.raises(TypeError, match='TorchModuleWrapper layer "w" expects a torch.nn.Module; received int'):
        layers.TorchModuleWrapper(3, name="w")
    with pytest.raises(ValueError, match="lazy modules must be initialized"):
        layers.TorchModuleWrapper(torch.nn.LazyLinear(3))
