"""Writes the expected values of tests/layers/test_keras3_layers.py by running real Keras 3.

Keras 3 layers that Keras 2 never had: RMSNormalization, AdaptiveAverage/MaxPooling1D/2D/3D,
GroupQueryAttention (class GroupedQueryAttention), ReversibleEmbedding, TorchModuleWrapper and the image
augmentation layers (read by tests/layers/test_torch_module_wrapper.py and test_image_preprocessing.py too). Rerun
from the repository root with Keras 3.15.1 on its torch backend (TorchModuleWrapper exists only there, and the torch
backend's kernels are the ones fastkeras' numbers should match):

    KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_keras3_layer_fixtures.py

It writes, into tests/fixtures/keras3_layers/:

* ``cases.json``: ``keras_version`` and ``cases``, one per layer case: its ``id``, ``class_name``, Keras 3's
  ``get_config()`` before (``config_unbuilt``) and after the first call (``config``), ``weights`` (name and
  shape, in ``layer.weights`` order), ``n_trainable``, the JSON call keyword arguments (``call_kwargs``), the
  names of the array keyword arguments (``array_kwargs``, stored in ``arrays.npz``), the number of inputs
  passed positionally (``n_inputs``), the number of outputs (``n_outputs``), ``has_mask`` (whether Keras 3
  put a Keras mask on the first output), and ``symbolic`` (the output shapes when called on ``keras.Input``
  tensors with a None batch, or null where the case has array keyword arguments);
* ``arrays.npz``: per case ``<id>/x<i>`` (inputs), ``<id>/kw_<name>`` (array keyword arguments), ``<id>/w<i>``
  (weights, seeded random values set after the first call), ``<id>/y<i>`` (outputs of a second call with
  ``training=False``), ``<id>/mask`` (the Keras mask of the first output, when there is one), ``<id>/cot<i>``
  (seeded cotangents) and, for cases with gradients, the gradients of ``sum_i sum(y_i * cot_i)`` w.r.t. the
  float inputs (``<id>/dx<i>``) and the trainable weights (``<id>/dw<i>``), computed by torch autograd;
* ``image_cases.json``: Keras 3's image augmentation layers (RandomGrayscale, RandomInvert, Solarization,
  AutoContrast, Equalization, RandomPosterization, RandomColorDegeneration, RandomSaturation, RandomHue,
  RandomSharpness, RandomErasing, MixUp, CutMix, Pipeline) called with ``training`` True or False where the result
  does not depend on the random draws (factors pinned to one value or at an extreme, inputs every draw treats
  alike): ``id``, ``class_name``, ``config_unbuilt``, ``config`` (null for the config-only ``config_<class>``
  cases), ``training``, ``labels`` (called on ``{'images', 'labels'}``), ``symbolic``; arrays ``<id>/x0``,
  ``<id>/labels``, ``<id>/y0`` (images out), ``<id>/y_labels`` in ``arrays.npz``;
* ``models.json`` and ``<model>.keras`` / ``<model>.weights.h5`` / ``<model>.npz`` (inputs ``x<i>``, Keras 3's
  ``predict`` outputs ``y<i>``): small functional models saved by Keras 3 (``lm``: a tied-embedding language
  model with masks, grouped-query attention and RMS normalization; ``pool``: adaptive pooling in 1D/2D/3D and
  both data formats; ``augment``: augmentation layers and a Pipeline before a convolution, whose predictions
  only AutoContrast changes); ``torch_wrapper``: a model holding a ``TorchModuleWrapper`` around
  Linear/BatchNorm1d/ReLU, trained by ``fit`` (SGD, no shuffling): ``torch_wrapper.npz`` also holds the
  training data ``train_x``/``train_y``, the initial weights ``w0_<i>`` (``model.get_weights()``), the
  per-epoch ``loss`` and the module's ``state_dict`` after training as ``state/<key>``. Its ``.keras`` file
  carries the module pickled by ``torch.save``, as Keras 3 writes it (fastkeras refuses it in safe mode).
"""
import base64
import json
import os
import zlib

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import keras  # noqa: E402

assert keras.backend.backend() == "torch", "run with KERAS_BACKEND=torch"
L = keras.layers
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras3_layers")
ARRAYS = {}
CASES = []


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode("utf8")))


def np_(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(keras.ops.convert_to_numpy(t))


def plain(value):
    """A config as JSON carries it."""
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else list(o)))


def bools(rng, shape, first_true=True):
    m = rng.random(shape) > 0.35
    if first_true:
        m[..., 0] = True
    return m


def run_case(cid, class_name, ctor, inputs, call_kwargs=None, array_kwargs=None, grads=True, symbolic=True):
    """One layer case: build on ``inputs`` (numpy arrays passed positionally), set seeded weights, call again,
    record outputs, mask, gradients and configs."""
    rng = rng_for(cid)
    call_kwargs = dict(call_kwargs or {})
    array_kwargs = dict(array_kwargs or {})
    layer = getattr(L, class_name)(**ctor)
    config_unbuilt = plain(layer.get_config())
    for i, x in enumerate(inputs):
        ARRAYS[f"{cid}/x{i}"] = x
    for k, v in array_kwargs.items():
        ARRAYS[f"{cid}/kw_{k}"] = v

    def tensors(requires_grad):
        xs = [torch.tensor(x, requires_grad=requires_grad and x.dtype.kind == "f") for x in inputs]
        kws = {k: torch.tensor(v) for k, v in array_kwargs.items()}
        return xs, kws

    xs, kws = tensors(False)
    layer(*xs, **call_kwargs, **kws, training=False)
    weights = [rng.normal(0.0, 0.5, tuple(w.shape)).astype("float32") for w in layer.weights]
    if weights:
        layer.set_weights(weights)
    for i, w in enumerate(weights):
        ARRAYS[f"{cid}/w{i}"] = w
    xs, kws = tensors(grads)
    out = layer(*xs, **call_kwargs, **kws, training=False)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    mask = getattr(outs[0], "_keras_mask", None)
    if mask is not None:
        ARRAYS[f"{cid}/mask"] = np_(mask)
    loss = 0.0
    for i, y in enumerate(outs):
        ARRAYS[f"{cid}/y{i}"] = np_(y)
        cot = rng.normal(size=tuple(y.shape)).astype("float32")
        ARRAYS[f"{cid}/cot{i}"] = cot
        loss = loss + (y * torch.tensor(cot)).sum()
    if grads:
        trainable = layer.trainable_weights
        for w in trainable:
            w.value.grad = None
        loss.backward()
        for i, x in enumerate(xs):
            if x.requires_grad:
                ARRAYS[f"{cid}/dx{i}"] = np_(x.grad)
        for i, w in enumerate(trainable):  # a weight the call does not use has no gradient: zeros
            grad = w.value.grad
            ARRAYS[f"{cid}/dw{i}"] = np.zeros(tuple(w.shape), "float32") if grad is None else np_(grad)
    sym = None
    if symbolic and not array_kwargs:
        sym_layer = getattr(L, class_name).from_config(layer.get_config())
        sym_in = [keras.Input(batch_shape=(None,) + x.shape[1:], dtype=str(x.dtype)) for x in inputs]
        sym_out = sym_layer(*sym_in, **call_kwargs)
        sym_out = list(sym_out) if isinstance(sym_out, (list, tuple)) else [sym_out]
        sym = [list(t.shape) for t in sym_out]
    CASES.append({
        "id": cid, "class_name": class_name, "config_unbuilt": config_unbuilt, "config": plain(layer.get_config()),
        "weights": [[w.path.split("/")[-1], list(w.shape)] for w in layer.weights],
        "n_trainable": len(layer.trainable_weights), "call_kwargs": call_kwargs,
        "array_kwargs": sorted(array_kwargs), "n_inputs": len(inputs), "n_outputs": len(outs),
        "has_mask": mask is not None, "grads": grads, "symbolic": sym,
    })
    print("case", cid)


def normal(rng, *shape):
    return rng.normal(size=shape).astype("float32")


# ---- RMSNormalization ----------------------------------------------------------------------------------------

def rms_cases():
    rng = rng_for("rms")
    run_case("rms_default", "RMSNormalization", {}, [normal(rng, 2, 3, 5)])
    run_case("rms_rank2_eps", "RMSNormalization", {"epsilon": 0.1}, [normal(rng, 4, 6) * 0.2])
    run_case("rms_two_axes", "RMSNormalization", {"axis": [2, 1], "epsilon": 1e-3}, [normal(rng, 2, 3, 4)])
    run_case("rms_last_two_of_4d", "RMSNormalization", {"axis": [-2, -1]}, [normal(rng, 2, 3, 4, 5)])


# ---- adaptive pooling ----------------------------------------------------------------------------------------

def pool_cases():
    rng = rng_for("pool")
    shapes = {1: ((2, 10, 3), 4), 2: ((2, 7, 9, 3), (3, 4)), 3: ((1, 5, 7, 6, 2), (2, 3, 4))}
    for rank, (shape, size) in shapes.items():
        for kind in ("Average", "Max"):
            for fmt in ("channels_last", "channels_first"):
                x = normal(rng, *shape)
                if fmt == "channels_first":
                    x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
                cid = f"adaptive_{kind.lower()}{rank}d_{fmt}"
                run_case(cid, f"Adaptive{kind}Pooling{rank}D", {"output_size": size, "data_format": fmt}, [x])
    # Sizes that divide evenly, larger than the input, an int for a 3D layer.
    run_case("adaptive_average2d_upsample", "AdaptiveAveragePooling2D", {"output_size": (6, 2)},
             [normal(rng, 1, 4, 4, 2)])
    run_case("adaptive_max3d_int", "AdaptiveMaxPooling3D", {"output_size": 2}, [normal(rng, 1, 4, 4, 4, 1)])


# ---- GroupQueryAttention -------------------------------------------------------------------------------------

def gqa_cases():
    rng = rng_for("gqa")
    base = {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}
    q, v = normal(rng, 2, 5, 8), normal(rng, 2, 6, 8)
    run_case("gqa_cross", "GroupQueryAttention", base, [q, v])
    run_case("gqa_cross_scores", "GroupQueryAttention", base, [q, v],
             call_kwargs={"return_attention_scores": True})
    run_case("gqa_key", "GroupQueryAttention", base, [q, v],
             array_kwargs={"key": normal(rng, 2, 6, 7)})
    run_case("gqa_self_causal", "GroupQueryAttention", base, [v, v], call_kwargs={"use_causal_mask": True})
    run_case("gqa_self_causal_scores", "GroupQueryAttention", base, [v, v],
             call_kwargs={"use_causal_mask": True, "return_attention_scores": True})
    masks = {"query_mask": bools(rng, (2, 5)), "value_mask": bools(rng, (2, 6))}
    run_case("gqa_keras_masks", "GroupQueryAttention", base, [q, v], array_kwargs=masks)
    run_case("gqa_keras_masks_scores", "GroupQueryAttention", base, [q, v],
             call_kwargs={"return_attention_scores": True}, array_kwargs=masks)
    run_case("gqa_query_mask_row_masked", "GroupQueryAttention", base, [q, v],
             array_kwargs={"query_mask": np.array([[True, False, True, True, False]] * 2)})
    attention_mask = bools(rng, (2, 5, 6))
    run_case("gqa_attention_mask", "GroupQueryAttention", base, [q, v],
             array_kwargs={"attention_mask": attention_mask})
    run_case("gqa_attention_mask_causal_scores", "GroupQueryAttention", base, [v, v],
             call_kwargs={"use_causal_mask": True, "return_attention_scores": True},
             array_kwargs={"attention_mask": bools(rng, (2, 6, 6))})
    run_case("gqa_mqa_no_bias_gate", "GroupQueryAttention",
             dict(base, num_key_value_heads=1, use_bias=False, use_gate=True), [q, v])
    run_case("gqa_equal_heads_sliding", "GroupQueryAttention",
             dict(base, num_key_value_heads=4, sliding_window=2), [v, v],
             call_kwargs={"use_causal_mask": True})
    run_case("gqa_sliding_scores", "GroupQueryAttention", dict(base, sliding_window=3), [v, v],
             call_kwargs={"return_attention_scores": True})
    run_case("gqa_dropout_inference", "GroupQueryAttention",
             dict(base, dropout=0.5, seed=3, kernel_initializer="he_normal", bias_initializer="ones"), [q, v],
             call_kwargs={"return_attention_scores": True})


# ---- ReversibleEmbedding -------------------------------------------------------------------------------------

def revemb_cases():
    rng = rng_for("revemb")
    ids = rng.integers(0, 11, size=(2, 5)).astype("int32")
    ids[:, -1] = 0
    hidden = normal(rng, 2, 5, 6)
    run_case("revemb_forward", "ReversibleEmbedding", {"input_dim": 11, "output_dim": 6}, [ids])
    run_case("revemb_reverse", "ReversibleEmbedding", {"input_dim": 11, "output_dim": 6}, [hidden],
             call_kwargs={"reverse": True})
    untied = {"input_dim": 11, "output_dim": 6, "tie_weights": False, "mask_zero": True, "logit_soft_cap": 2.0,
              "embeddings_initializer": "glorot_uniform"}
    run_case("revemb_untied_forward_mask", "ReversibleEmbedding", untied, [ids])
    run_case("revemb_untied_reverse_softcap", "ReversibleEmbedding", untied, [hidden * 3.0],
             call_kwargs={"reverse": True})
    run_case("revemb_reverse_dtype", "ReversibleEmbedding",
             {"input_dim": 7, "output_dim": 3, "reverse_dtype": "float32"}, [normal(rng, 4, 3)],
             call_kwargs={"reverse": True})


# ---- image preprocessing (Keras 3.x's augmentation layers) ---------------------------------------------------
# Random layers are checked where their result does not depend on the draws: factors pinned to one value (or at
# their extremes), inputs for which every draw gives the same image, and inference (training=False).

IMAGE_CASES = []


def run_image_case(cid, class_name, ctor, images, training=True, labels=None):
    """Calls the layer on ``images`` (and ``labels``, as {'images', 'labels'}), recording outputs and configs."""
    layer = (L.Pipeline([getattr(L, c)(**k) for c, k in ctor]) if class_name == "Pipeline"
             else getattr(L, class_name)(**ctor))
    config_unbuilt = plain(layer.get_config())
    ARRAYS[f"{cid}/x0"] = images
    data = images if labels is None else {"images": images, "labels": labels}
    if labels is not None:
        ARRAYS[f"{cid}/labels"] = labels
    out = layer(data, training=training)
    if labels is not None:
        ARRAYS[f"{cid}/y0"], ARRAYS[f"{cid}/y_labels"] = np_(out["images"]), np_(out["labels"])
    else:
        ARRAYS[f"{cid}/y0"] = np_(out)
    symbolic = None
    if class_name != "Pipeline" and labels is None:
        again = type(layer).from_config(layer.get_config())
        symbolic = list(again(keras.Input(images.shape[1:] if images.ndim == 4 else images.shape)).shape)
    IMAGE_CASES.append({"id": cid, "class_name": class_name, "config_unbuilt": config_unbuilt,
                        "config": plain(layer.get_config()), "training": training, "labels": labels is not None,
                        "symbolic": symbolic})
    print("image case", cid)


def image_cases():
    rng = rng_for("images")
    img = rng.integers(0, 256, size=(2, 6, 7, 3)).astype("float32")
    unit = img / 255.0
    first = np.ascontiguousarray(np.moveaxis(img, -1, 1))
    for training in (True, False):
        tag = "train" if training else "infer"
        run_image_case(f"grayscale_{tag}", "RandomGrayscale", {"factor": 1.0}, img, training)
        run_image_case(f"invert_{tag}", "RandomInvert", {"factor": (1.0, 1.0)}, img, training)
        run_image_case(f"solarization_{tag}", "Solarization", {"threshold_factor": 0.0}, img, training)
        run_image_case(f"autocontrast_{tag}", "AutoContrast", {}, img * 0.5 + 20.0, training)
        run_image_case(f"equalization_{tag}", "Equalization", {}, img, training)
        run_image_case(f"posterization_{tag}", "RandomPosterization", {"factor": (3, 3)}, img, training)
        run_image_case(f"color_degeneration_{tag}", "RandomColorDegeneration", {"factor": (0.4, 0.4)}, img,
                       training)
        run_image_case(f"saturation_{tag}", "RandomSaturation", {"factor": (0.7, 0.7)}, img, training)
        run_image_case(f"hue_{tag}", "RandomHue", {"factor": (1.0, 1.0)}, img, training)
        run_image_case(f"sharpness_{tag}", "RandomSharpness", {"factor": (0.25, 0.25)}, img, training)
        run_image_case(f"erasing_{tag}", "RandomErasing", {"factor": (1.0, 1.0), "scale": (1.0, 1.0),
                                                            "fill_value": 7.0}, img, training)
        run_image_case(f"mixup_{tag}", "MixUp", {"alpha": 0.4}, img[:1], training,
                       labels=np.array([[0.0, 1.0, 0.0]], "float32"))
        run_image_case(f"cutmix_{tag}", "CutMix", {}, np.repeat(img[:1], 3, axis=0), training,
                       labels=np.repeat(np.array([[0.0, 1.0]], "float32"), 3, axis=0))
        run_image_case(f"pipeline_{tag}", "Pipeline", [("RandomInvert", {"factor": (1.0, 1.0)}),
                                                       ("AutoContrast", {})], img, training)
    # Other settings, training.
    run_image_case("grayscale_cf", "RandomGrayscale", {"factor": 1.0, "data_format": "channels_first"}, first)
    run_image_case("grayscale_never", "RandomGrayscale", {"factor": 0.0}, img)
    run_image_case("grayscale_single", "RandomGrayscale", {"factor": 1.0}, img[0])
    run_image_case("invert_unit_range", "RandomInvert", {"factor": (1.0, 1.0), "value_range": (0, 1)}, unit)
    run_image_case("invert_never", "RandomInvert", {"factor": (0.0, 0.0)}, img)
    extremes = np.where(img > 127, 255.0, 0.0).astype("float32")
    run_image_case("solarization_extremes", "Solarization", {"threshold_factor": 0.9}, extremes)
    run_image_case("solarization_unit_range", "Solarization", {"value_range": (0, 1)}, unit)
    constant = img.copy()
    constant[0, ..., 1] = 40.0
    run_image_case("autocontrast_constant_channel", "AutoContrast", {}, constant)
    run_image_case("autocontrast_unit_range", "AutoContrast", {"value_range": (0, 1)}, unit * 0.5)
    run_image_case("autocontrast_cf", "AutoContrast", {"data_format": "channels_first"}, first)
    run_image_case("autocontrast_single", "AutoContrast", {}, img[1] * 0.3 + 9.0)
    run_image_case("equalization_bins", "Equalization", {"bins": 16}, img)
    run_image_case("equalization_unit_range", "Equalization", {"value_range": (0, 1)}, unit)
    run_image_case("equalization_cf", "Equalization", {"data_format": "channels_first"}, first)
    flat = img.copy()
    flat[..., 2] = 99.0
    run_image_case("equalization_flat_channel", "Equalization", {}, flat)
    run_image_case("posterization_unit_range", "RandomPosterization", {"factor": (6, 6), "value_range": (0, 1)},
                   unit)
    run_image_case("color_degeneration_full", "RandomColorDegeneration", {"factor": (1.0, 1.0)}, img)
    run_image_case("color_degeneration_cf", "RandomColorDegeneration",
                   {"factor": (-0.5, -0.5), "data_format": "channels_first"}, first)
    run_image_case("saturation_zero", "RandomSaturation", {"factor": (0.0, 0.0)}, img)
    run_image_case("saturation_cf", "RandomSaturation", {"factor": (0.3, 0.3), "data_format": "channels_first"},
                   first)
    run_image_case("hue_unit_range", "RandomHue", {"factor": (1.0, 1.0), "value_range": (0, 1)}, unit)
    run_image_case("hue_cf", "RandomHue", {"factor": (1.0, 1.0), "data_format": "channels_first"}, first)
    run_image_case("sharpness_full", "RandomSharpness", {"factor": (1.0, 1.0)}, img)
    run_image_case("sharpness_cf", "RandomSharpness", {"factor": (0.1, 0.1), "data_format": "channels_first"},
                   first)
    run_image_case("erasing_never", "RandomErasing", {"factor": (0.0, 0.0)}, img)
    run_image_case("erasing_clipped_fill", "RandomErasing", {"factor": (1.0, 1.0), "scale": (1.0, 1.0),
                                                             "fill_value": 300.0}, img)
    run_image_case("cutmix_single_image", "CutMix", {}, img[0])
    run_image_case("mixup_single_image", "MixUp", {}, img[0])
    # Configs of the defaults and of number factors.
    for cls, ctor in (("RandomGrayscale", {}), ("RandomInvert", {"factor": 0.3}),
                      ("Solarization", {"addition_factor": 0.2, "threshold_factor": (0.1, 0.6)}),
                      ("RandomPosterization", {"factor": 5}), ("RandomColorDegeneration", {"factor": 0.3}),
                      ("RandomSaturation", {"factor": 0.5}), ("RandomHue", {"factor": 0.25}),
                      ("RandomSharpness", {"factor": 0.5}), ("RandomErasing", {}), ("MixUp", {}), ("CutMix", {}),
                      ("Equalization", {"bins": 32})):
        layer = getattr(L, cls)(**ctor)
        IMAGE_CASES.append({"id": f"config_{cls}", "class_name": cls, "config_unbuilt": plain(layer.get_config()),
                            "config": None, "training": None, "labels": False, "symbolic": None})


# ---- models saved by Keras 3 ---------------------------------------------------------------------------------

def seed_weights(model, name):
    rng = rng_for(name)
    model.set_weights([rng.normal(0.0, 0.4, tuple(w.shape)).astype("float32") for w in model.weights])


def save_model(name, model, inputs, extra=None):
    seed_weights(model, name)
    outputs = model.predict(inputs, verbose=0)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    model.save(os.path.join(OUT_DIR, f"{name}.keras"))
    model.save_weights(os.path.join(OUT_DIR, f"{name}.weights.h5"))
    data = {f"x{i}": x for i, x in enumerate(inputs)}
    data.update({f"y{i}": np.asarray(y) for i, y in enumerate(outputs)})
    data.update(extra or {})
    np.savez(os.path.join(OUT_DIR, f"{name}.npz"), **data)
    print("model", name)
    return {"weights": [[w.path, list(w.shape)] for w in model.weights], "layer_names": [l.name for l in model.layers]}


def lm_model():
    ids = keras.Input((None,), dtype="int32", name="ids")
    tokens = L.ReversibleEmbedding(20, 8, mask_zero=True, name="tokens")
    x = tokens(ids)
    attended = L.GroupQueryAttention(4, 4, 2, name="gqa")(x, x, use_causal_mask=True)
    pooled = L.GlobalAveragePooling1D(name="pooled")(attended)
    h = L.RMSNormalization(name="rms")(L.Add(name="residual")([x, attended]))
    logits = tokens(h, reverse=True)
    model = keras.Model(ids, [logits, pooled], name="lm")
    rng = rng_for("lm_inputs")
    x_ids = rng.integers(1, 20, size=(3, 6)).astype("int32")
    x_ids[0, 4:] = 0
    x_ids[1, 5:] = 0
    return save_model("lm", model, [x_ids])


def pool_model():
    image = keras.Input((9, 11, 3), name="image")
    seq = keras.Input((10, 4), name="seq")
    volume = keras.Input((2, 5, 6, 7), name="volume")  # channels_first: 2 channels
    a = L.AdaptiveAveragePooling2D((3, 4), name="avg2d")(L.Conv2D(4, 3, name="conv")(image))
    b = L.AdaptiveMaxPooling2D(2, data_format="channels_first", name="max2d_cf")(image)
    c = L.AdaptiveMaxPooling1D(3, name="max1d")(seq)
    d = L.AdaptiveAveragePooling1D(5, data_format="channels_first", name="avg1d_cf")(seq)
    e = L.AdaptiveAveragePooling3D((2, 2, 3), data_format="channels_first", name="avg3d_cf")(volume)
    f = L.AdaptiveMaxPooling3D((1, 3, 2), name="max3d")(volume)
    flat = L.Concatenate(name="concat")([L.Flatten()(t) for t in (a, b, c, d, e, f)])
    out = L.Dense(3, name="head")(flat)
    model = keras.Model([image, seq, volume], out, name="pool")
    rng = rng_for("pool_inputs")
    inputs = [normal(rng, 2, 9, 11, 3), normal(rng, 2, 10, 4), normal(rng, 2, 2, 5, 6, 7)]
    return save_model("pool", model, inputs)


def augment_model():
    images = keras.Input((8, 9, 3), name="images")
    x = L.RandomGrayscale(0.5, name="gray")(images)
    x = L.Pipeline([L.RandomInvert(0.5), L.AutoContrast(), L.RandomHue(0.3)], name="pipeline")(x)
    # (Keras 3's Equalization cannot sit in a functional model: its compute_output_spec returns its input.)
    x = L.Conv2D(2, 3, name="conv")(L.Rescaling(1 / 255.0)(x))
    model = keras.Model(images, L.GlobalAveragePooling2D()(x), name="augment")
    rng = rng_for("augment_inputs")
    return save_model("augment", model, [rng.integers(0, 256, size=(3, 8, 9, 3)).astype("float32")])


def torch_wrapper_model():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU())
    inputs = keras.Input((4,), name="features")
    hidden = L.TorchModuleWrapper(module, name="torch_block", output_shape=(None, 6))(inputs)
    out = L.Dense(2, name="head")(hidden)
    model = keras.Model(inputs, out, name="torch_wrapper")
    seed_weights(model, "torch_wrapper")
    rng = rng_for("torch_wrapper_data")
    train_x, train_y = normal(rng, 12, 4), normal(rng, 12, 2)
    w0 = [np.asarray(w) for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(train_x, train_y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    x = normal(rng, 5, 4)
    y = np.asarray(model.predict(x, verbose=0))
    model.save(os.path.join(OUT_DIR, "torch_wrapper.keras"))
    model.save_weights(os.path.join(OUT_DIR, "torch_wrapper.weights.h5"))
    data = {"x0": x, "y0": y, "train_x": train_x, "train_y": train_y,
            "loss": np.asarray(history.history["loss"], "float64")}
    data.update({f"w0_{i}": w for i, w in enumerate(w0)})
    data.update({f"state/{k}": v.detach().cpu().numpy() for k, v in module.state_dict().items()})
    data.update({f"w1_{i}": np.asarray(w) for i, w in enumerate(model.get_weights())})
    np.savez(os.path.join(OUT_DIR, "torch_wrapper.npz"), **data)
    config = model.get_layer("torch_block").get_config()
    print("model torch_wrapper")
    return {"weights": [[w.path, list(w.shape)] for w in model.weights],
            "layer_names": [l.name for l in model.layers],
            "wrapper_config_keys": sorted(config),
            "wrapper_module_is_base64": isinstance(base64.b64decode(config["module"]), bytes),
            "wrapper_output_shape": config["output_shape"]}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    keras.utils.set_random_seed(0)
    rms_cases()
    pool_cases()
    gqa_cases()
    revemb_cases()
    image_cases()
    models = {"lm": lm_model(), "pool": pool_model(), "augment": augment_model(),
              "torch_wrapper": torch_wrapper_model()}
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": CASES}, f,
                  indent=1, sort_keys=True)
    with open(os.path.join(OUT_DIR, "image_cases.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": IMAGE_CASES},
                  f, indent=1, sort_keys=True)
    with open(os.path.join(OUT_DIR, "models.json"), "w") as f:
        json.dump(models, f, indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **ARRAYS)
    print("wrote", len(CASES), "cases,", len(ARRAYS), "arrays")


if __name__ == "__main__":
    main()
