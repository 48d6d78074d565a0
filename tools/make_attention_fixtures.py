"""Writes the expected values of tests/layers/test_attention.py by running real tf-keras.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_attention_fixtures.py

It writes, into tests/fixtures/attention/:

* ``cases.json``: per layer case (EinsumDense, Attention, AdditiveAttention, MultiHeadAttention) its id, class
  name, tf-keras ``get_config()`` before and after the first call, weight names and shapes, the call's keyword
  arguments, which Keras masks the inputs carried, and the symbolic output shapes for a None batch;
* ``arrays.npz``: per case ``<id>/x<i>`` (the inputs), ``<id>/m<i>`` (Keras masks: the ``mask`` list of the
  dense attention layers, the ``_keras_mask`` of MultiHeadAttention's query/value/key), ``<id>/attention_mask``,
  ``<id>/w<i>`` (weights, set to seeded random values after the first call), ``<id>/y`` and ``<id>/scores``
  (outputs, with ``training=False``), ``<id>/cot`` / ``<id>/cot_scores`` (seeded cotangents), and the gradients
  of ``sum(y * cot) + sum(scores * cot_scores)`` (by tf.GradientTape) w.r.t. the inputs (``<id>/dx<i>``) and
  the trainable weights (``<id>/dw<i>``);
* under ``models`` in the same files: small functional models with MultiHeadAttention / Attention /
  AdditiveAttention (masks from ``Embedding(mask_zero=True)``, ``attention_mask`` inputs, causal masks) saved by
  tf-keras as full-model ``<name>.h5`` and ``<name>.keras`` files, with inputs and tf-keras' predictions.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "attention")


def bools(rng, shape, first_true=True):
    """Random booleans with the first step true, so that no row is wholly masked."""
    m = rng.random(shape) > 0.35
    if first_true:
        m[..., 0] = True
    return m


# (id, class name, constructor kwargs, input shapes, call kwargs, options). options: masks (list of mask
# shapes or None per input: the dense layers' `mask` list, MultiHeadAttention's `_keras_mask` attributes),
# attention_mask (shape).
CASES = [
    ("ed_dense", "EinsumDense", dict(equation="ab,bc->ac", output_shape=4, bias_axes="c"), [(3, 5)], {}, {}),
    ("ed_sequence", "EinsumDense", dict(equation="abc,cd->abd", output_shape=(None, 4), bias_axes="d",
                                        activation="tanh"), [(2, 3, 5)], {}, {}),
    ("ed_left_ellipsis", "EinsumDense", dict(equation="...b,bc->...c", output_shape=4, bias_axes="c"),
     [(2, 3, 5)], {}, {}),
    ("ed_right_ellipsis", "EinsumDense", dict(equation="ab...,bc->ac...", output_shape=4, bias_axes="c"),
     [(2, 5, 3)], {}, {}),
    ("ed_heads", "EinsumDense", dict(equation="abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de"),
     [(2, 3, 5)], {}, {}),
    ("ed_partial_bias", "EinsumDense", dict(equation="abc,cde->abde", output_shape=(None, 2, 3), bias_axes="d"),
     [(2, 3, 5)], {}, {}),
    ("ed_combine_no_bias", "EinsumDense", dict(equation="abcd,cde->abe", output_shape=(None, 4), bias_axes=None,
                                               activation="relu"), [(2, 3, 2, 5)], {}, {}),

    ("att_dot", "Attention", {}, [(2, 3, 4), (2, 5, 4)], {}, {}),
    ("att_scale_key", "Attention", dict(use_scale=True), [(2, 3, 4), (2, 5, 6), (2, 5, 4)],
     dict(return_attention_scores=True), {}),
    ("att_concat", "Attention", dict(score_mode="concat"), [(2, 3, 4), (2, 5, 4)], {}, {}),
    ("att_concat_scale", "Attention", dict(score_mode="concat", use_scale=True, dropout=0.3),
     [(2, 3, 4), (2, 5, 4)], dict(return_attention_scores=True), {}),
    ("att_causal", "Attention", {}, [(2, 4, 4), (2, 4, 4)], dict(use_causal_mask=True, return_attention_scores=True),
     {}),
    ("att_masks", "Attention", dict(use_scale=True), [(2, 4, 4), (2, 5, 3), (2, 5, 4)],
     dict(return_attention_scores=True), dict(masks=[(2, 4), (2, 5)])),
    ("att_masks_causal", "Attention", {}, [(2, 4, 4), (2, 4, 4)], dict(use_causal_mask=True),
     dict(masks=[(2, 4), (2, 4)])),
    ("add_default", "AdditiveAttention", {}, [(2, 3, 4), (2, 5, 4)], dict(return_attention_scores=True), {}),
    ("add_no_scale_key", "AdditiveAttention", dict(use_scale=False), [(2, 3, 4), (2, 5, 6), (2, 5, 4)], {}, {}),
    ("add_masks_causal", "AdditiveAttention", {}, [(2, 4, 4), (2, 4, 4)],
     dict(use_causal_mask=True, return_attention_scores=True), dict(masks=[(2, 4), (2, 4)])),

    ("mha_self", "MultiHeadAttention", dict(num_heads=2, key_dim=3), [(2, 4, 6), (2, 4, 6)], {}, {}),
    ("mha_cross_key", "MultiHeadAttention", dict(num_heads=3, key_dim=4, value_dim=5),
     [(2, 4, 6), (2, 5, 7), (2, 5, 8)], dict(return_attention_scores=True), {}),
    ("mha_attention_mask", "MultiHeadAttention", dict(num_heads=2, key_dim=3, dropout=0.2),
     [(2, 4, 6), (2, 5, 6)], dict(return_attention_scores=True), dict(attention_mask=(2, 4, 5))),
    ("mha_causal", "MultiHeadAttention", dict(num_heads=2, key_dim=3), [(2, 4, 6), (2, 4, 6)],
     dict(use_causal_mask=True, return_attention_scores=True), {}),
    ("mha_causal_cross", "MultiHeadAttention", dict(num_heads=2, key_dim=3), [(2, 3, 6), (2, 5, 6)],
     dict(use_causal_mask=True), dict(attention_mask=(2, 3, 5))),
    ("mha_output_shape", "MultiHeadAttention", dict(num_heads=2, key_dim=3, output_shape=(2, 5), use_bias=False),
     [(2, 4, 6), (2, 5, 6)], {}, {}),
    ("mha_output_int", "MultiHeadAttention", dict(num_heads=1, key_dim=4, output_shape=3), [(2, 4, 6), (2, 5, 6)],
     {}, {}),
    ("mha_keras_masks", "MultiHeadAttention", dict(num_heads=2, key_dim=3), [(2, 4, 6), (2, 5, 6)],
     dict(return_attention_scores=True), dict(masks=[(2, 4), (2, 5)])),
    ("mha_keras_masks_key", "MultiHeadAttention", dict(num_heads=2, key_dim=3), [(2, 4, 6), (2, 5, 6), (2, 5, 4)],
     dict(use_causal_mask=True), dict(masks=[None, (2, 5), (2, 5)], attention_mask=(2, 4, 5))),
    ("mha_axes_2d", "MultiHeadAttention", dict(num_heads=2, key_dim=3, attention_axes=(1, 2)),
     [(2, 3, 4, 6), (2, 3, 4, 6)], dict(return_attention_scores=True), {}),
    ("mha_axes_last_step", "MultiHeadAttention", dict(num_heads=2, key_dim=3, attention_axes=2),
     [(2, 3, 4, 6), (2, 3, 5, 6)], dict(return_attention_scores=True), {}),
    ("mha_robust_masking", "MultiHeadAttention", dict(num_heads=2, key_dim=3, softmax_robust_masking=True),
     [(2, 4, 6), (2, 5, 6)], {}, dict(attention_mask=(2, 4, 5))),
]


def make_case(cid, class_name, kwargs, shapes, call_kwargs, options, arrays, seed):
    rng = np.random.default_rng(seed)
    layer = getattr(L, class_name)(name=cid, **kwargs)
    config_unbuilt = layer.get_config()
    xs = [rng.normal(size=s).astype(np.float32) for s in shapes]
    masks = options.get("masks")
    mask_arrays = None if masks is None else [None if s is None else bools(rng, s) for s in masks]
    attention_mask = None
    if "attention_mask" in options:
        attention_mask = bools(rng, options["attention_mask"])

    def inputs_and_kwargs(tensors):
        kw = dict(call_kwargs)
        if attention_mask is not None:
            kw["attention_mask"] = tf.constant(attention_mask)
        if class_name == "EinsumDense":
            return (tensors[0],), {}
        if class_name == "MultiHeadAttention":
            if mask_arrays is not None:
                for t, m in zip(tensors, mask_arrays):
                    if m is not None:
                        t._keras_mask = tf.constant(m)
            args = (tensors[0], tensors[1])
            if len(tensors) > 2:
                kw["key"] = tensors[2]
            return args, kw
        if mask_arrays is not None:
            kw["mask"] = [tf.constant(m) for m in mask_arrays]
        return (list(tensors),), kw

    args, kw = inputs_and_kwargs([tf.constant(x) for x in xs])
    layer(*args, **kw)  # builds
    weights = [rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)
    tensors = [tf.Variable(x) for x in xs]
    with tf.GradientTape() as tape:
        read = [tf.identity(t) for t in tensors]
        args, kw = inputs_and_kwargs(read)
        out = layer(*args, training=False, **kw) if class_name != "EinsumDense" else layer(*args)
        y, scores = (out if isinstance(out, (list, tuple)) else (out, None))
        cot = rng.normal(size=y.shape).astype(np.float32)
        loss = tf.reduce_sum(y * cot)
        if scores is not None:
            cot_scores = rng.normal(size=scores.shape).astype(np.float32)
            loss += tf.reduce_sum(scores * cot_scores)
    grads = tape.gradient(loss, read + list(layer.trainable_weights))
    for i, x in enumerate(xs):
        arrays[f"{cid}/x{i}"] = x
        arrays[f"{cid}/dx{i}"] = np.zeros_like(x) if grads[i] is None else grads[i].numpy()
    if mask_arrays is not None:
        for i, m in enumerate(mask_arrays):
            if m is not None:
                arrays[f"{cid}/m{i}"] = m
    if attention_mask is not None:
        arrays[f"{cid}/attention_mask"] = attention_mask
    for i, w in enumerate(weights):
        arrays[f"{cid}/w{i}"] = w
    for i, (w, g) in enumerate(zip(layer.trainable_weights, grads[len(xs):])):
        arrays[f"{cid}/dw{i}"] = np.zeros(w.shape, np.float32) if g is None else g.numpy()
    arrays[f"{cid}/y"] = y.numpy()
    arrays[f"{cid}/cot"] = cot
    if scores is not None:
        arrays[f"{cid}/scores"] = scores.numpy()
        arrays[f"{cid}/cot_scores"] = cot_scores

    # Symbolic shapes for a None batch, from a fresh layer.
    fresh = getattr(L, class_name).from_config(config_unbuilt)
    sym = [keras.Input(s[1:]) for s in shapes]
    if class_name == "EinsumDense":
        sym_out = fresh(sym[0])
    elif class_name == "MultiHeadAttention":
        skw = {k: v for k, v in call_kwargs.items()}
        if len(sym) > 2:
            skw["key"] = sym[2]
        sym_out = fresh(sym[0], sym[1], **skw)
    else:
        sym_out = fresh(sym, **call_kwargs)
    sym_shapes = [list(t.shape) for t in (sym_out if isinstance(sym_out, (list, tuple)) else [sym_out])]

    return {
        "id": cid, "class_name": class_name, "config_unbuilt": config_unbuilt, "config": layer.get_config(),
        "input_shapes": [list(s) for s in shapes], "call_kwargs": call_kwargs,
        "masks": None if mask_arrays is None else [m is not None for m in mask_arrays],
        "attention_mask": attention_mask is not None,
        "weights": [{"name": w.name, "shape": list(w.shape), "trainable": w.trainable} for w in layer.weights],
        "n_trainable": len(layer.trainable_weights), "has_scores": scores is not None, "symbolic": sym_shapes,
    }


# ---- whole models saved by tf-keras ---------------------------------------------------------------------------

def model_mha_masked():
    """Token sequences through a shared Embedding(mask_zero=True): the query and value masks reach the MHA."""
    q = keras.Input((5,), dtype="int32", name="q_tokens")
    v = keras.Input((6,), dtype="int32", name="v_tokens")
    embed = L.Embedding(20, 8, mask_zero=True, name="embed")
    eq, ev = embed(q), embed(v)
    x = L.MultiHeadAttention(2, 4, name="mha")(eq, ev)
    x = L.LayerNormalization(name="norm")(L.Add(name="residual")([eq, x]))
    x = L.GlobalAveragePooling1D(name="pool")(x)
    return keras.Model([q, v], L.Dense(3, name="head")(x), name="mha_masked")


def model_mha_attention_mask():
    """Self-attention with an attention_mask input, the causal mask and the scores as a second output."""
    x = keras.Input((4, 6), name="x")
    m = keras.Input((4, 4), name="allowed")
    y, scores = L.MultiHeadAttention(2, 3, value_dim=2, output_shape=5, name="self_attention")(
        x, x, attention_mask=m, use_causal_mask=True, return_attention_scores=True)
    y = L.Dense(2, name="out")(y)
    return keras.Model([x, m], [y, scores], name="mha_attention_mask")


def model_dense_attention():
    """Attention and AdditiveAttention on embedded tokens: their masks come from the Embedding."""
    q = keras.Input((4,), dtype="int32", name="q_tokens")
    v = keras.Input((5,), dtype="int32", name="v_tokens")
    embed = L.Embedding(12, 6, mask_zero=True, name="embed")
    eq, ev = embed(q), embed(v)
    a = L.Attention(use_scale=True, name="dot_attention")([eq, ev])
    b = L.AdditiveAttention(name="additive_attention")([eq, ev, ev], use_causal_mask=True)
    x = L.Concatenate(name="concat")([a, b])
    x = L.GlobalAveragePooling1D(name="pool")(x)
    return keras.Model([q, v], L.Dense(2, name="head")(x), name="dense_attention")


def tokens(rng, shape, vocab):
    t = rng.integers(1, vocab, size=shape)
    for row, length in zip(t, rng.integers(1, shape[1] + 1, size=shape[0])):
        row[length:] = 0  # right padding, the Embedding masks it
    return t.astype(np.int32)


def make_models(arrays):
    rng = np.random.default_rng(7)
    entries = []
    for build, inputs in (
        (model_mha_masked, lambda: [tokens(rng, (3, 5), 20), tokens(rng, (3, 6), 20)]),
        (model_mha_attention_mask, lambda: [rng.normal(size=(3, 4, 6)).astype(np.float32),
                                            (rng.random((3, 4, 4)) > 0.3).astype(np.float32)]),
        (model_dense_attention, lambda: [tokens(rng, (3, 4), 12), tokens(rng, (3, 5), 12)]),
    ):
        model = build()
        # Random weights everywhere, biases included, so that nothing passes by accident.
        model.set_weights([rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()])
        xs = inputs()
        preds = model.predict(xs, verbose=0)
        preds = preds if isinstance(preds, list) else [preds]
        model.save(os.path.join(OUT_DIR, f"{model.name}.h5"))
        model.save(os.path.join(OUT_DIR, f"{model.name}.keras"))
        for i, x in enumerate(xs):
            arrays[f"models/{model.name}/x{i}"] = x
        for i, p in enumerate(preds):
            arrays[f"models/{model.name}/y{i}"] = p
        entries.append({"name": model.name, "n_inputs": len(xs), "n_outputs": len(preds),
                        "weight_names": [w.name for w in model.weights]})
    return entries


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    tf.random.set_seed(0)
    arrays = {}
    cases = [make_case(*case, arrays=arrays, seed=i) for i, case in enumerate(CASES)]
    models = make_models(arrays)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump({"tf_keras_version": keras.__version__, "cases": cases, "models": models}, f, indent=1,
                  default=lambda o: o.item() if hasattr(o, "item") else list(o))
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    print(f"wrote {len(cases)} cases and {len(models)} models to {OUT_DIR}")


if __name__ == "__main__":
    main()
