"""EinsumDense, Attention, AdditiveAttention and MultiHeadAttention against tf-keras 2.21 (fixtures from
tools/make_attention_fixtures.py): outputs and attention scores within 1e-5, gradients w.r.t. inputs and weights
within 1e-4, configs, weight names/shapes/order, symbolic shapes, Keras masks, and .h5 models written by
tf-keras; plus round trips through fastkeras' own files and the errors for bad inputs."""
import json
import os

import numpy as np
import pytest
import torch

from fastkeras import backend as K
from fastkeras import layers, models
from fastkeras.layers import Input, deserialize

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "attention")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    FIXTURE = json.load(_f)
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
CASES = FIXTURE["cases"]


def plain(config):
    """A config as JSON carries it (tuples as lists), to compare with tf-keras' JSON."""
    return json.loads(json.dumps(config, default=lambda o: o.item() if hasattr(o, "item") else list(o)))


def case_inputs(case, requires_grad=False):
    """(positional args, keyword args, input tensors) for calling the case's layer as the fixture did."""
    cid, cls = case["id"], case["class_name"]
    xs = [K.convert_to_tensor(ARRAYS[f"{cid}/x{i}"]).requires_grad_(requires_grad)
          for i in range(len(case["input_shapes"]))]
    kwargs = dict(case["call_kwargs"])
    if case["attention_mask"]:
        kwargs["attention_mask"] = K.convert_to_tensor(ARRAYS[f"{cid}/attention_mask"])
    masks = None
    if case["masks"] is not None:
        masks = [K.convert_to_tensor(ARRAYS[f"{cid}/m{i}"]) if present else None
                 for i, present in enumerate(case["masks"])]
    if cls == "EinsumDense":
        return (xs[0],), {}, xs
    if cls == "MultiHeadAttention":
        # Eager tensors carry their Keras masks as attributes, as in Keras 2.
        call_args = [x * 1.0 for x in xs]  # non-leaf copies: the attribute must not stick to the leaves
        if masks is not None:
            for t, m in zip(call_args, masks):
                if m is not None:
                    t._keras_mask = m
        if len(xs) > 2:
            kwargs["key"] = call_args[2]
        return (call_args[0], call_args[1]), kwargs, xs
    if masks is not None:
        kwargs["mask"] = masks
    return (list(xs),), kwargs, xs


def build_case_layer(case):
    layer = deserialize({"class_name": case["class_name"], "config": case["config_unbuilt"]})
    args, kwargs, _ = case_inputs(case)
    layer(*args, **kwargs)
    return layer


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_tf_keras(case):
    cid = case["id"]
    layer = build_case_layer(case)
    assert [w.name for w in layer.weights] == [w["name"] for w in case["weights"]]
    assert [tuple(w.shape) for w in layer.weights] == [tuple(w["shape"]) for w in case["weights"]]
    assert len(layer.trainable_weights) == case["n_trainable"]
    layer.set_weights([ARRAYS[f"{cid}/w{i}"] for i in range(len(case["weights"]))])
    args, kwargs, xs = case_inputs(case, requires_grad=True)
    if case["class_name"] != "EinsumDense":
        kwargs["training"] = False
    out = layer(*args, **kwargs)
    y, scores = out if isinstance(out, (list, tuple)) else (out, None)
    assert (scores is not None) == case["has_scores"]
    np.testing.assert_allclose(K.to_numpy(y), ARRAYS[f"{cid}/y"], rtol=1e-5, atol=1e-5, err_msg=f"{cid}: output")
    loss = K.sum(y * K.convert_to_tensor(ARRAYS[f"{cid}/cot"]))
    if scores is not None:
        np.testing.assert_allclose(K.to_numpy(scores), ARRAYS[f"{cid}/scores"], rtol=1e-5, atol=1e-5,
                                   err_msg=f"{cid}: attention scores")
        loss = loss + K.sum(scores * K.convert_to_tensor(ARRAYS[f"{cid}/cot_scores"]))
    trainable = list(layer.trainable_weights)
    grads = torch.autograd.grad(loss, xs + trainable, allow_unused=True)
    for i, (x, g) in enumerate(zip(xs, grads)):
        got = np.zeros(tuple(x.shape), np.float32) if g is None else K.to_numpy(g)
        np.testing.assert_allclose(got, ARRAYS[f"{cid}/dx{i}"], rtol=1e-4, atol=1e-4,
                                   err_msg=f"{cid}: gradient of input {i}")
    for i, (w, g) in enumerate(zip(trainable, grads[len(xs):])):
        got = np.zeros(tuple(w.shape), np.float32) if g is None else K.to_numpy(g)
        np.testing.assert_allclose(got, ARRAYS[f"{cid}/dw{i}"], rtol=1e-4, atol=1e-4,
                                   err_msg=f"{cid}: gradient of {w.name}")
    config = plain(layer.get_config())
    assert list(config) == list(case["config"])
    assert config == case["config"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_config_round_trip_and_symbolic_shapes(case):
    cls = case["class_name"]
    layer = deserialize({"class_name": cls, "config": case["config_unbuilt"]})
    assert plain(layer.get_config()) == case["config_unbuilt"]
    sym = [Input(tuple(s[1:])) for s in case["input_shapes"]]
    kwargs = dict(case["call_kwargs"])
    if cls == "EinsumDense":
        out = layer(sym[0])
    elif cls == "MultiHeadAttention":
        if len(sym) > 2:
            kwargs["key"] = sym[2]
        out = layer(sym[0], sym[1], **kwargs)
    else:
        out = layer(sym, **kwargs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    assert [list(t.shape) for t in outs] == case["symbolic"]
    none_batch = [(None,) + tuple(s[1:]) for s in case["input_shapes"]]
    if cls == "EinsumDense":
        assert list(layer.compute_output_shape(none_batch[0])) == case["symbolic"][0]
    elif cls == "MultiHeadAttention":
        key_shape = none_batch[2] if len(none_batch) > 2 else None
        if none_batch[0][-1] == none_batch[1][-1]:  # Keras refuses to answer otherwise
            assert list(layer.compute_output_shape(none_batch[0], none_batch[1], key_shape)) == case["symbolic"][0]
    else:
        assert list(layer.compute_output_shape(none_batch)) == case["symbolic"][0]
    # A built layer's config rebuilds the same layer: MultiHeadAttention's records its input shapes, so the
    # copy has its weights at once.
    again = deserialize({"class_name": cls, "config": plain(layer.get_config())})
    assert plain(again.get_config()) == plain(layer.get_config())
    if cls == "MultiHeadAttention":
        assert [w.name for w in again.weights] == [w["name"] for w in case["weights"]]
        assert [tuple(w.shape) for w in again.weights] == [tuple(w["shape"]) for w in case["weights"]]


def test_tf_keras_config_builds_mha_weights():
    case = next(c for c in CASES if c["id"] == "mha_cross_key")
    layer = deserialize({"class_name": "MultiHeadAttention", "config": case["config"]})
    assert [w.name for w in layer.weights] == [w["name"] for w in case["weights"]]


# ---- whole models written by tf-keras ----------------------------------------------------------------------------

MODELS = FIXTURE["models"]


def model_inputs(entry):
    return [ARRAYS[f"models/{entry['name']}/x{i}"] for i in range(entry["n_inputs"])]


def model_outputs(entry):
    return [ARRAYS[f"models/{entry['name']}/y{i}"] for i in range(entry["n_outputs"])]


def check_predictions(model, entry):
    preds = model.predict(model_inputs(entry), verbose=0)
    preds = preds if isinstance(preds, list) else [preds]
    for got, want in zip(preds, model_outputs(entry)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5, err_msg=entry["name"])


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
@pytest.mark.parametrize("entry", MODELS, ids=[m["name"] for m in MODELS])
def test_loads_tf_keras_files(entry, suffix, tmp_path):
    model = models.load_model(os.path.join(FIXTURES, entry["name"] + suffix), compile=False)
    assert [w.name for w in model.weights] == entry["weight_names"]
    check_predictions(model, entry)
    # Saved again by fastkeras, and reloaded: the same predictions.
    path = str(tmp_path / ("again" + suffix))
    models.save_model(model, path)
    check_predictions(models.load_model(path, compile=False), entry)


def test_functional_mha_saved_and_reloaded(tmp_path):
    tokens = Input((6,), dtype="int32")
    extra = Input((4, 8))
    embedded = layers.Embedding(30, 8, mask_zero=True)(tokens)
    x, scores = layers.MultiHeadAttention(2, 4, value_dim=3, dropout=0.1)(
        embedded, extra, return_attention_scores=True, use_causal_mask=True)
    x = layers.GlobalAveragePooling1D()(x)
    model = models.Model([tokens, extra], [layers.Dense(2)(x), scores])
    rng = np.random.default_rng(0)
    data = [np.array([[3, 4, 5, 0, 0, 0], [1, 2, 3, 4, 5, 6]], np.int32), rng.normal(size=(2, 4, 8)).astype("f4")]
    before = model.predict(data, verbose=0)
    path = str(tmp_path / "mha.h5")
    models.save_model(model, path)
    loaded = models.load_model(path, compile=False)
    after = loaded.predict(data, verbose=0)
    for a, b in zip(before, after):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert [w.name for w in loaded.weights] == [w.name for w in model.weights]
    # Masked query steps: tf-keras zeroes none of the output, but the causal and padding masks shape the scores.
    assert np.allclose(after[1].sum(-1), 1.0, atol=1e-5)


def test_functional_value_mask_reaches_mha(tmp_path):
    """A value masked by an Embedding changes what a functional model computes, as in tf-keras."""
    q = Input((3, 4))
    tokens = Input((5,), dtype="int32")
    v = layers.Embedding(10, 4, mask_zero=True)(tokens)
    mha = layers.MultiHeadAttention(1, 2)
    model = models.Model([q, tokens], mha(q, v))
    rng = np.random.default_rng(1)
    qv = rng.normal(size=(1, 3, 4)).astype("f4")
    padded = np.array([[1, 2, 0, 0, 0]], np.int32)
    got = model.predict([qv, padded], verbose=0)
    # The same as attending over the two real steps only.
    emb = model.layers[1] if isinstance(model.layers[1], layers.Embedding) else model.layers[2]
    values = K.convert_to_tensor(K.to_numpy(emb(K.convert_to_tensor(padded[:, :2]))))
    want = K.to_numpy(mha(K.convert_to_tensor(qv), values))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    path = str(tmp_path / "value_mask.h5")
    models.save_model(model, path)
    np.testing.assert_allclose(models.load_model(path, compile=False).predict([qv, padded], verbose=0), got,
                               rtol=1e-6, atol=1e-6)


# ---- behaviour ---------------------------------------------------------------------------------------------------

def test_dropout_only_in_training():
    rng = np.random.default_rng(2)
    q = K.convert_to_tensor(rng.normal(size=(2, 6, 8)).astype("f4"))
    for layer, call in ((layers.MultiHeadAttention(2, 4, dropout=0.5), lambda lay, t: lay(q, q, training=t)),
                        (layers.Attention(dropout=0.5), lambda lay, t: lay([q, q], training=t)),
                        (layers.AdditiveAttention(dropout=0.5), lambda lay, t: lay([q, q], training=t))):
        a, b = K.to_numpy(call(layer, False)), K.to_numpy(call(layer, False))
        np.testing.assert_array_equal(a, b)
        assert not np.allclose(K.to_numpy(call(layer, True)), a)


def test_mha_output_mask_is_query_mask():
    tokens = Input((5,), dtype="int32")
    x = layers.Embedding(10, 4, mask_zero=True)(tokens)
    y = layers.MultiHeadAttention(2, 2)(x, x)
    assert y._keras_mask is not None and tuple(y._keras_mask.shape) == (None, 5)
    a = layers.Attention()([x, x])
    assert a._keras_mask is not None and tuple(a._keras_mask.shape) == (None, 5)


def test_einsum_dense_dense_equivalent():
    x = np.random.default_rng(3).normal(size=(4, 5)).astype("f4")
    ed = layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="c")
    dense = layers.Dense(3)
    ed(x), dense(x)
    dense.set_weights(ed.get_weights())
    np.testing.assert_allclose(K.to_numpy(ed(x)), K.to_numpy(dense(x)), rtol=1e-6, atol=1e-6)


# ---- errors --------------------------------------------------------------------------------------------------------

def test_errors_name_layer_expected_and_received():
    with pytest.raises(ValueError, match=r'"bad_eq".*invalid einsum equation'):
        layers.EinsumDense("ab->b", output_shape=3, name="bad_eq")(Input((4,)))
    with pytest.raises(ValueError, match=r'"ed".*rank 2.*\(None, 3, 4\)'):
        layers.EinsumDense("ab,bc->ac", output_shape=3, name="ed")(Input((3, 4)))
    with pytest.raises(ValueError, match=r'"ed2".*bias dimension'):
        layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="x", name="ed2")(Input((4,)))
    with pytest.raises(ValueError, match=r'"att".*list of inputs'):
        layers.Attention(name="att")(Input((3, 4)))
    with pytest.raises(ValueError, match=r'"att2".*last dimension of query and key.*\(None, 3, 4\).*\(None, 5, 6\)'):
        layers.Attention(name="att2")([Input((3, 4)), Input((5, 6))])
    with pytest.raises(ValueError, match=r'"att3".*rank 3.*\(None, 4\)'):
        layers.AdditiveAttention(name="att3")([Input((4,)), Input((5, 4))])
    with pytest.raises(ValueError, match=r'"att4".*length 2 or 3'):
        layers.Attention(name="att4")([Input((3, 4))])
    with pytest.raises(ValueError, match=r"score_mode=bad"):
        layers.Attention(score_mode="bad")
    with pytest.raises(ValueError, match=r'"mha".*rank 3 or more.*\(None, 4\)'):
        layers.MultiHeadAttention(2, 3, name="mha")(Input((4,)), Input((4,)))
    with pytest.raises(ValueError, match=r'"mha2".*`value` and `key`.*\(None, 5, 6\).*\(None, 4, 6\)'):
        layers.MultiHeadAttention(2, 3, name="mha2")(Input((3, 6)), Input((5, 6)), key=Input((4, 6)))
    mha = layers.MultiHeadAttention(2, 3, name="mha3")
    mha(Input((3, 6)), Input((5, 6)))
    with pytest.raises(ValueError, match=r'"mha3" was built for query of shape \(None, 3, 6\).*\(None, 3, 7\)'):
        mha(Input((3, 7)), Input((5, 6)))
    with pytest.raises(ValueError, match=r'"mha4" must be called with `query` and `value`'):
        layers.MultiHeadAttention(2, 3, name="mha4")(Input((3, 6)))
    with pytest.raises(ValueError, match=r'"mha5": `attention_axes` must name step axes.*between 1 and 1.*\(3,\)'):
        layers.MultiHeadAttention(2, 3, attention_axes=3, name="mha5")(Input((3, 6)), Input((5, 6)))
    with pytest.raises(ValueError, match=r"last dimension of `query_shape` and `value_shape`"):
        layers.MultiHeadAttention(2, 3).compute_output_shape((None, 3, 6), (None, 5, 7))


@pytest.mark.parametrize("equation,x_shape,w_shape", [
    ("abc,cde->abde", (2, 3, 4), (4, 5, 6)), ("abcd,cde->abe", (2, 3, 4, 5), (4, 5, 6)),
    ("aecd,abcd->acbe", (2, 7, 3, 4), (2, 5, 3, 4)), ("acbe,aecd->abcd", (2, 3, 5, 7), (2, 7, 3, 4)),
    ("...b,bc->...c", (2, 3, 4), (4, 5)), ("ab...,bc->ac...", (2, 4, 3, 6), (4, 5)),
    ("abc,bd->ad", (2, 3, 4), (3, 5)), ("abcd,aecd->acbe", (2, 1, 3, 4), (1, 5, 3, 4)),
])
def test_einsum_as_matmul_matches_numpy(equation, x_shape, w_shape):
    from fastkeras.layers.einsum_dense import einsum
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=x_shape), rng.normal(size=w_shape)
    got = K.to_numpy(einsum(equation, K.convert_to_tensor(x), K.convert_to_tensor(w)))
    np.testing.assert_allclose(got, np.einsum(equation, x, w), rtol=1e-5, atol=1e-5)
