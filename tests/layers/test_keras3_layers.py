"""Keras 3 layers Keras 2 never had (RMSNormalization, AdaptiveAverage/MaxPooling1D/2D/3D, GroupQueryAttention,
ReversibleEmbedding) against Keras 3.15.1 on torch (fixtures from tools/make_keras3_layer_fixtures.py): outputs
within 1e-5, gradients w.r.t. inputs and weights within 1e-4, Keras masks, configs, weight names/shapes/order,
symbolic shapes, and models saved by Keras 3 (``.keras``, ``.weights.h5``); plus fastkeras' own round trips
and the errors for bad arguments. TorchModuleWrapper is in test_torch_module_wrapper.py."""
import json
import os
import warnings

import numpy as np
import pytest
import torch

from fastkeras import backend as K
from fastkeras import layers, models
from fastkeras.layers import Input, deserialize
from fastkeras.saving.keras3_config import from_keras3

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras3_layers")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    FIXTURE = json.load(_f)
with open(os.path.join(FIXTURES, "models.json")) as _f:
    MODELS = json.load(_f)
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
CASES = [c for c in FIXTURE["cases"] if c["class_name"] != "TorchModuleWrapper"]


def plain(config):
    """A config as JSON carries it (tuples as lists)."""
    return json.loads(json.dumps(config, default=lambda o: o.item() if hasattr(o, "item") else list(o)))


def keras3_config(config):
    """A Keras 3 layer config in the dialect fastkeras writes (dtype policies as names, Keras 3-only keys at
    their neutral values dropped), as reading a Keras 3 file does."""
    return from_keras3({"class_name": "X", "config": config})["config"]


def case_call(case, requires_grad=False):
    """(positional inputs, keyword arguments, the float input tensors) for calling the case's layer."""
    cid = case["id"]
    xs = [K.convert_to_tensor(ARRAYS[f"{cid}/x{i}"]) for i in range(case["n_inputs"])]
    if requires_grad:
        xs = [x.requires_grad_(True) if x.is_floating_point() else x for x in xs]
    kwargs = dict(case["call_kwargs"])
    kwargs.update({k: K.convert_to_tensor(ARRAYS[f"{cid}/kw_{k}"]) for k in case["array_kwargs"]})
    return xs, kwargs, [x for x in xs if x.is_floating_point()]


def build_case_layer(case):
    layer = deserialize({"class_name": case["class_name"], "config": keras3_config(case["config_unbuilt"])})
    xs, kwargs, _ = case_call(case)
    layer(*xs, **kwargs)
    return layer


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_keras3(case):
    cid = case["id"]
    layer = build_case_layer(case)
    assert [w.name.split("/")[-1].split(":")[0] for w in layer.weights] == [n for n, _ in case["weights"]]
    assert [list(w.shape) for w in layer.weights] == [s for _, s in case["weights"]]
    assert len(layer.trainable_weights) == case["n_trainable"]
    layer.set_weights([ARRAYS[f"{cid}/w{i}"] for i in range(len(case["weights"]))])
    xs, kwargs, float_xs = case_call(case, requires_grad=True)
    out = layer(*xs, training=False, **kwargs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    assert len(outs) == case["n_outputs"]
    loss = 0.0
    for i, y in enumerate(outs):
        np.testing.assert_allclose(K.to_numpy(y), ARRAYS[f"{cid}/y{i}"], rtol=1e-5, atol=1e-5,
                                   err_msg=f"{cid}: output {i}")
        loss = loss + K.sum(y * K.convert_to_tensor(ARRAYS[f"{cid}/cot{i}"]))
    mask = getattr(outs[0], "_keras_mask", None)
    assert (mask is not None) == case["has_mask"]
    if mask is not None:
        np.testing.assert_array_equal(K.to_numpy(mask), ARRAYS[f"{cid}/mask"])
    if case["grads"]:
        trainable = list(layer.trainable_weights)
        grads = torch.autograd.grad(loss, float_xs + trainable, allow_unused=True)
        for i, (x, g) in enumerate(zip(float_xs, grads)):
            got = np.zeros(tuple(x.shape), np.float32) if g is None else K.to_numpy(g)
            np.testing.assert_allclose(got, ARRAYS[f"{cid}/dx{i}"], rtol=1e-4, atol=1e-4,
                                       err_msg=f"{cid}: gradient of input {i}")
        for i, (w, g) in enumerate(zip(trainable, grads[len(float_xs):])):
            got = np.zeros(tuple(w.shape), np.float32) if g is None else K.to_numpy(g)
            np.testing.assert_allclose(got, ARRAYS[f"{cid}/dw{i}"], rtol=1e-4, atol=1e-4,
                                       err_msg=f"{cid}: gradient of {w.name}")
    assert plain(layer.get_config()) == keras3_config(case["config"])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_config_round_trip_and_symbolic_shapes(case):
    cls = case["class_name"]
    layer = deserialize({"class_name": cls, "config": keras3_config(case["config_unbuilt"])})
    assert plain(layer.get_config()) == keras3_config(case["config_unbuilt"])
    if case["symbolic"] is not None:
        sym = [Input(batch_shape=(None,) + ARRAYS[f"{case['id']}/x{i}"].shape[1:],
                     dtype=str(ARRAYS[f"{case['id']}/x{i}"].dtype)) for i in range(case["n_inputs"])]
        out = layer(*sym, **case["call_kwargs"])
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        assert [list(t.shape) for t in outs] == case["symbolic"]
    again = deserialize({"class_name": cls, "config": plain(layer.get_config())})
    assert plain(again.get_config()) == plain(layer.get_config())


# ---- whole models saved by Keras 3 -------------------------------------------------------------------------------

def model_arrays(name):
    data = np.load(os.path.join(FIXTURES, f"{name}.npz"))
    xs = [data[f"x{i}"] for i in range(sum(k.startswith("x") and k[1:].isdigit() for k in data.files))]
    ys = [data[f"y{i}"] for i in range(sum(k.startswith("y") and k[1:].isdigit() for k in data.files))]
    return xs, ys


def check_predictions(model, name, atol=1e-5):
    xs, ys = model_arrays(name)
    preds = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    preds = preds if isinstance(preds, list) else [preds]
    assert len(preds) == len(ys)
    for got, want in zip(preds, ys):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=atol, err_msg=name)


@pytest.mark.filterwarnings("ignore:.*does not support masking")
@pytest.mark.parametrize("name", ["lm", "pool", "augment"])
def test_loads_keras3_model_files(name, tmp_path):
    model = models.load_model(os.path.join(FIXTURES, f"{name}.keras"), compile=False)
    assert [l.name for l in model.layers] == MODELS[name]["layer_names"]
    # Keras 3's variable paths, with TensorFlow's ':0' as fastkeras' weight names carry it.
    assert [w.name for w in model.weights] == [f"{path}:0" for path, _ in MODELS[name]["weights"]]
    assert [list(w.shape) for w in model.weights] == [s for _, s in MODELS[name]["weights"]]
    check_predictions(model, name)
    # The weights file alone, into the model rebuilt from its config.
    rebuilt = models.Model.from_config(model.get_config())
    rebuilt.load_weights(os.path.join(FIXTURES, f"{name}.weights.h5"))
    check_predictions(rebuilt, name)
    # Saved again by fastkeras, reloaded: the same predictions.
    for suffix in (".keras", ".h5"):
        path = str(tmp_path / f"again{suffix}")
        model.save(path)
        check_predictions(models.load_model(path, compile=False), name)
    path = str(tmp_path / "again.weights.h5")
    model.save_weights(path)
    rebuilt = models.Model.from_config(model.get_config())
    rebuilt.load_weights(path)
    check_predictions(rebuilt, name)


@pytest.mark.filterwarnings("ignore:.*does not support masking")
def test_lm_masks_reach_attention_and_pooling():
    model = models.load_model(os.path.join(FIXTURES, "lm.keras"), compile=False)
    # The masked value makes the node record [query, value], so that both masks reach the layer.
    query, value = model.get_layer("gqa").get_input_at(0)
    assert list(query._keras_mask.shape) == [None, None] and value._keras_mask is not None
    pooled_in = model.get_layer("pooled").input
    assert pooled_in._keras_mask is not None
    # The logits come from the reverse call (no mask); RMSNormalization drops the residual's mask.
    assert model.outputs[0]._keras_mask is None


# ---- RMSNormalization ----------------------------------------------------------------------------------------

def test_rms_normalization_axis_becomes_list_when_built():
    layer = layers.RMSNormalization()
    assert layer.get_config()["axis"] == -1
    layer.build((2, 3))
    assert layer.get_config()["axis"] == [-1]
    assert layer.scale.name == f"{layer.name}/scale:0"


def test_rms_normalization_middle_axis_scales_along_it():
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    layer = layers.RMSNormalization(axis=1, epsilon=1e-3)
    layer.build(x.shape)
    scale = np.arange(1, 4, dtype="float32")
    layer.set_weights([scale])
    want = x / np.sqrt(np.mean(x ** 2, axis=1, keepdims=True) + 1e-3) * scale[None, :, None]
    np.testing.assert_allclose(K.to_numpy(layer(x)), want, rtol=1e-5, atol=1e-6)


def test_rms_normalization_half_precision_computes_in_float32():
    x = K.cast(K.convert_to_tensor(np.array([[300.0, 400.0]], "float32")), "float16")
    y = layers.RMSNormalization(dtype="float16")(x)
    assert K.dtype(y) == "float16"
    np.testing.assert_allclose(K.to_numpy(y).astype("float32"), [[300 / 353.55, 400 / 353.55]], rtol=1e-3)


def test_rms_normalization_errors():
    with pytest.raises(ValueError, match='RMSNormalization layer "rms_bad".*axis 3 is out of bounds.*rank 3'):
        layers.RMSNormalization(axis=3, name="rms_bad").build((2, 3, 4))
    with pytest.raises(TypeError, match="`axis` must be an int or a non-empty list of ints.*'a'"):
        layers.RMSNormalization(axis="a")
    with pytest.raises(ValueError, match="must have a known size"):
        layers.RMSNormalization()(Input((None, None)))


def test_keras3_layers_drop_masks_with_a_warning():
    ids = Input((4,), dtype="int32")
    x = layers.Embedding(5, 3, mask_zero=True)(ids)
    with pytest.warns(UserWarning, match="does not support masking"):
        y = layers.RMSNormalization()(x)
    assert y._keras_mask is None
    with pytest.warns(UserWarning, match="does not support masking"):
        y = layers.AdaptiveAveragePooling1D(2)(x)
    assert y._keras_mask is None


# ---- adaptive pooling ----------------------------------------------------------------------------------------

def test_adaptive_pooling_arguments():
    assert layers.AdaptiveMaxPooling2D(3).output_size == (3, 3)
    assert layers.AdaptiveAveragePooling3D([1, 2, 3]).get_config()["output_size"] == (1, 2, 3)
    assert layers.AdaptiveAveragePooling1D(4, data_format="channels_first").data_format == "channels_first"
    with pytest.raises(TypeError, match=r"AdaptiveAveragePooling2D layer .*`output_size` must be an integer or a "
                                        r"tuple of 2 integers \(height, width\); received output_size=\(1, 2, 3\)"):
        layers.AdaptiveAveragePooling2D((1, 2, 3))
    with pytest.raises(ValueError, match="must be positive"):
        layers.AdaptiveMaxPooling1D(0)
    with pytest.raises(ValueError, match="invalid data_format 'nchw'"):
        layers.AdaptiveMaxPooling1D(2, data_format="nchw")
    with pytest.raises(ValueError, match=r"AdaptiveMaxPooling2D layer \"p\" expects inputs of rank 4, \(batch, "
                                         r"height, width, channels\) .*received an input of shape \(None, 5, 3\)"):
        layers.AdaptiveMaxPooling2D(2, name="p")(Input((5, 3)))


def test_adaptive_pooling_follows_image_data_format():
    K.set_image_data_format("channels_first")
    try:
        layer = layers.AdaptiveAveragePooling2D(2)
    finally:
        K.set_image_data_format("channels_last")
    assert layer.data_format == "channels_first"
    assert tuple(layer(Input((3, 8, 8))).shape) == (None, 3, 2, 2)


def test_adaptive_pooling_unknown_spatial_sizes():
    out = layers.AdaptiveMaxPooling2D((2, 3))(Input((None, None, 4)))
    assert tuple(out.shape) == (None, 2, 3, 4)
    inputs = Input((None, None, 4))
    model = models.Model(inputs, layers.AdaptiveMaxPooling2D((2, 3))(inputs))
    x = np.random.default_rng(1).normal(size=(2, 7, 5, 4)).astype("float32")
    assert model.predict(x, verbose=0).shape == (2, 2, 3, 4)


# ---- GroupQueryAttention -------------------------------------------------------------------------------------

def qv(seed=0, tq=5, tv=6, dim=8):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, tq, dim)).astype("float32"), rng.normal(size=(2, tv, dim)).astype("float32")


def test_gqa_names_and_weight_order():
    layer = layers.GroupQueryAttention(4, 4, 2, use_gate=True)
    assert layer.name.startswith("grouped_query_attention")
    q, v = qv()
    layer(q, v)
    assert [w.name.split("/", 1)[1] for w in layer.weights] == [
        f"{sub}/{kind}:0" for sub in ("query", "key", "gate", "value", "attention_output") for kind in ("kernel", "bias")]
    assert layer.count_params() == 2 * (8 * 16 + 16) + 2 * (8 * 8 + 8) + 16 * 8 + 8
    built = layers.GroupQueryAttention(4, 4, 2)
    built.build((None, 5, 8), (None, 6, 8))
    assert len(built.weights) == 8


def test_gqa_dropout_only_in_training():
    q, v = qv(1)
    layer = layers.GroupQueryAttention(4, 4, 2, dropout=0.5, seed=7)
    inference = [K.to_numpy(t) for t in layer(q, v, return_attention_scores=True, training=False)]
    again = [K.to_numpy(t) for t in layer(q, v, return_attention_scores=True)]
    np.testing.assert_array_equal(inference[0], again[0])
    out, scores = layer(q, v, return_attention_scores=True, training=True)
    # The returned scores are the softmax before dropout, as in Keras 3; the output used dropped weights.
    np.testing.assert_allclose(K.to_numpy(scores), inference[1], rtol=1e-6, atol=1e-7)
    assert not np.allclose(K.to_numpy(out), inference[0])
    np.testing.assert_allclose(inference[1].sum(-1), 1.0, atol=1e-5)


def test_gqa_keras_masks_of_eager_tensors():
    """Masks carried by eager tensors (from an Embedding with mask_zero) fill query_mask/value_mask."""
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]], "int32")
    emb = layers.Embedding(8, 8, mask_zero=True)
    x = emb(ids)
    assert x._keras_mask is not None
    layer = layers.GroupQueryAttention(2, 4, 1)
    auto = layer(x, x)
    mask = K.convert_to_tensor(ids != 0)
    explicit = layer(x * 1.0, x * 1.0, query_mask=mask, value_mask=mask)
    np.testing.assert_allclose(K.to_numpy(auto), K.to_numpy(explicit), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(K.to_numpy(auto._keras_mask), ids != 0)
    unmasked = layer(x * 1.0, x * 1.0)
    assert not np.allclose(K.to_numpy(unmasked), K.to_numpy(auto))


def test_gqa_trains_in_a_functional_model(tmp_path):
    ids = Input((6,), dtype="int32")
    x = layers.Embedding(12, 8, mask_zero=True)(ids)
    x = layers.GroupQueryAttention(4, 4, 2, dropout=0.1)(x, x, use_causal_mask=True)
    out = layers.Dense(1)(layers.GlobalAveragePooling1D()(x))
    model = models.Model(ids, out)
    model.compile("adam", "mse")
    rng = np.random.default_rng(0)
    data, target = rng.integers(0, 12, size=(16, 6)).astype("int32"), rng.normal(size=(16, 1)).astype("float32")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(data, target, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    # Every weight moves but the key bias, which shifts all scores of a query alike (no gradient).
    moved = [w.name for w, a, b in zip(model.weights, before, model.get_weights()) if not np.allclose(a, b)]
    assert moved == [w.name for w in model.weights if "key/bias" not in w.name]
    path = str(tmp_path / "gqa.keras")
    model.save(path)
    loaded = models.load_model(path, compile=False)
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0), rtol=1e-5,
                               atol=1e-6)


def test_gqa_errors():
    with pytest.raises(ValueError, match="`num_query_heads` must be divisible by `num_key_value_heads`; received "
                                         "num_query_heads=4, num_key_value_heads=3"):
        layers.GroupQueryAttention(2, 4, 3)
    with pytest.raises(ValueError, match="`sliding_window` must be None or a positive integer; received "
                                         "sliding_window=0"):
        layers.GroupQueryAttention(2, 4, 2, sliding_window=0)
    with pytest.raises(ValueError, match="dropout is not supported with flash attention"):
        layers.GroupQueryAttention(2, 4, 2, dropout=0.1, flash_attention=True)
    q, v = qv()
    with pytest.raises(ValueError, match="returning attention scores is not supported with flash attention"):
        layers.GroupQueryAttention(2, 4, 2, flash_attention=True)(q, v, return_attention_scores=True)
    with pytest.raises(ValueError, match="must be called with `query` and `value`"):
        layers.GroupQueryAttention(2, 4, 2)(q)
    with pytest.raises(ValueError, match=r"expects query of rank 3, \(batch_size, steps, dim\); received query of "
                                         r"shape \(2, 8\)"):
        layers.GroupQueryAttention(2, 4, 2)(q[:, 0], v)
    layer = layers.GroupQueryAttention(2, 4, 2)
    layer(q, v)
    with pytest.raises(ValueError, match="was built for value of shape .* cannot take value of shape"):
        layer(q, v[..., :4])
    with pytest.raises(ValueError, match="The last dimension of `query_shape` and `value_shape` must be equal"):
        layers.GroupQueryAttention(2, 4, 2)(Input((5, 8)), Input((6, 4)))


# ---- ReversibleEmbedding -------------------------------------------------------------------------------------

def test_reversible_embedding_shared_in_a_functional_model(tmp_path):
    ids = Input((None,), dtype="int32")
    tokens = layers.ReversibleEmbedding(10, 4, mask_zero=True, tie_weights=False, logit_soft_cap=5.0)
    hidden = tokens(ids)
    assert hidden._keras_mask is not None and tuple(hidden.shape) == (None, None, 4)
    logits = tokens(layers.Dense(4)(hidden), reverse=True)
    assert logits._keras_mask is None and tuple(logits.shape) == (None, None, 10)
    model = models.Model(ids, logits)
    assert [w.name for w in tokens.weights] == [f"{tokens.name}/embeddings:0", f"{tokens.name}/reverse_embeddings:0"]
    model.compile("sgd", "sparse_categorical_crossentropy")
    data = np.array([[1, 2, 3, 0], [4, 5, 0, 0]], "int32")
    model.fit(data, data, epochs=1, verbose=0)
    y = model.predict(data, verbose=0)
    assert y.shape == (2, 4, 10) and np.abs(y).max() <= 5.0
    for suffix in (".keras", ".h5"):
        path = str(tmp_path / f"rev{suffix}")
        model.save(path)
        np.testing.assert_allclose(models.load_model(path, compile=False).predict(data, verbose=0), y, rtol=1e-5,
                                   atol=1e-6)


def test_reversible_embedding_config_has_no_input_shape():
    config = layers.ReversibleEmbedding(5, 3).get_config()
    assert "batch_input_shape" not in config and "input_length" not in config
    assert layers.ReversibleEmbedding(5, 3, input_shape=(7,)).get_config()["batch_input_shape"] == (None, 7)
    with pytest.raises(NotImplementedError, match="quantization"):
        layers.ReversibleEmbedding(5, 3, quantization_config={"mode": "int8"})
    layer = layers.ReversibleEmbedding(5, 3)
    with pytest.raises(ValueError, match=r"reverse=True expects inputs whose last axis has output_dim=3 entries; "
                                         r"received shape \(2, 4\)"):
        layer(np.zeros((2, 4), "float32"), reverse=True)
