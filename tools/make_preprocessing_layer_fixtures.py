"""Writes the expected values of tests/layers/test_preprocessing_layers.py by running real tf-keras.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_preprocessing_layer_fixtures.py

It writes, into tests/fixtures/preprocessing_layers/:

* ``cases.json``: per case its id, class name, tf-keras ``get_config()`` (of the unbuilt layer and after the
  call), whether it was called with ``training=True``, the input shape, the symbolic output shape for a None
  batch, and the weights' names and shapes;
* ``arrays.npz``: per case ``<id>/x`` and ``<id>/y`` (the output); for layers with gradients (Unit- and
  GroupNormalization) ``<id>/w<i>`` (weights set before the call), ``<id>/cot`` (a seeded cotangent) and
  ``<id>/dx``, ``<id>/dw<i>`` (gradients of ``sum(y * cot)`` by tf.GradientTape); for Normalization.adapt
  cases ``<id>/adapt`` (the data, or ``<id>/adapt<i>`` per batch of an iterable) and ``<id>/after<i>`` (the
  weights after adapt);
* ``rescale_normalize.h5``: a functional model Rescaling -> Normalization (adapted) -> Dense saved by tf-keras'
  ``model.save`` in HDF5, and ``augment_pipeline.h5`` / ``.keras``: every layer of this family in one model, with
  ``<model>/x`` and ``<model>/y`` (its predictions) in arrays.npz.

Random augmentation layers are called in training mode with a factor whose range is a single value (e.g.
``RandomRotation(factor=(0.125, 0.125))``), so the transformation is fixed and TensorFlow's random draws do not
matter.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                       "preprocessing_layers")


def jsonable(value):
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else
                                 (list(o) if isinstance(o, (tuple, list)) else str(o))))


def image(rng, shape, low=0.0, high=255.0):
    return rng.uniform(low, high, size=shape).astype("float32")


# (id, factory, input, options). options: training=True (call in training mode), grads=True (gradients by
# tf.GradientTape; such cases are called without ``training``, which tf-keras' augmentation layers take as True),
# adapt=<array or list of batches>, adapt_kwargs.
def cases(rng):
    img = lambda *s: image(rng, s)  # noqa: E731
    return [
        # Rescaling
        ("rescaling_255", lambda: L.Rescaling(1.0 / 255), img(2, 4, 5, 3), {}),
        ("rescaling_offset", lambda: L.Rescaling(2.0, offset=-1.0), img(3, 6), {"grads": True}),
        ("rescaling_uint8", lambda: L.Rescaling(1.0 / 127.5, offset=-1), img(2, 3, 3, 1).astype("uint8"), {}),
        # Resizing
        ("resize_bilinear_down", lambda: L.Resizing(5, 7), img(2, 8, 11, 3), {"grads": True}),
        ("resize_bilinear_up", lambda: L.Resizing(9, 7), img(2, 4, 5, 2), {}),
        ("resize_bilinear_mixed", lambda: L.Resizing(3, 12), img(1, 7, 5, 1), {}),
        ("resize_nearest_down", lambda: L.Resizing(5, 3, interpolation="nearest"), img(2, 8, 7, 2), {}),
        ("resize_nearest_up", lambda: L.Resizing(9, 11, interpolation="nearest"), img(2, 4, 5, 2),
         {"grads": True}),
        ("resize_bicubic_down", lambda: L.Resizing(5, 4, interpolation="bicubic"), img(2, 9, 10, 2), {"grads": True}),
        ("resize_bicubic_up", lambda: L.Resizing(10, 9, interpolation="bicubic"), img(2, 4, 5, 2), {"grads": True}),
        ("resize_area_down", lambda: L.Resizing(4, 3, interpolation="area"), img(2, 8, 7, 2), {}),
        ("resize_crop_aspect_wide", lambda: L.Resizing(5, 5, crop_to_aspect_ratio=True), img(2, 8, 12, 3),
         {"grads": True}),
        ("resize_crop_aspect_tall", lambda: L.Resizing(4, 6, crop_to_aspect_ratio=True), img(2, 9, 5, 1), {}),
        ("resize_unbatched", lambda: L.Resizing(6, 4), img(5, 3, 2), {}),
        # CenterCrop
        ("center_crop", lambda: L.CenterCrop(5, 6), img(2, 8, 10, 3), {}),
        ("center_crop_odd", lambda: L.CenterCrop(3, 4), img(2, 8, 9, 1), {}),
        ("center_crop_upsize", lambda: L.CenterCrop(6, 5), img(2, 4, 4, 2), {"grads": True}),
        ("center_crop_unbatched", lambda: L.CenterCrop(2, 3), img(5, 6, 2), {}),
        # Normalization
        ("norm_adapt", lambda: L.Normalization(), rng.normal(3.0, 2.0, (4, 3)).astype("float32"),
         {"adapt": rng.normal(3.0, 2.0, (70, 3)).astype("float32")}),
        ("norm_adapt_batch_size", lambda: L.Normalization(), rng.normal(1.0, 3.0, (4, 3)).astype("float32"),
         {"adapt": rng.normal(1.0, 3.0, (50, 3)).astype("float32"), "adapt_kwargs": {"batch_size": 7}}),
        ("norm_adapt_axis_none", lambda: L.Normalization(axis=None), rng.normal(size=(3, 4)).astype("float32"),
         {"adapt": rng.normal(2.0, 1.5, (40, 4)).astype("float32")}),
        ("norm_adapt_axes_12", lambda: L.Normalization(axis=(1, 2)), rng.normal(size=(2, 3, 4)).astype("float32"),
         {"adapt": rng.normal(-1.0, 0.5, (20, 3, 4)).astype("float32")}),
        ("norm_adapt_image_channels", lambda: L.Normalization(), img(2, 4, 4, 3),
         {"adapt": img(10, 4, 4, 3)}),
        ("norm_adapt_batches", lambda: L.Normalization(), rng.normal(size=(3, 2)).astype("float32"),
         {"adapt": [rng.normal(i, 1.0 + i, (n, 2)).astype("float32") for i, n in enumerate((5, 8, 3))]}),
        ("norm_adapt_invert", lambda: L.Normalization(invert=True), rng.normal(size=(3, 2)).astype("float32"),
         {"adapt": rng.normal(5.0, 2.0, (30, 2)).astype("float32")}),
        ("norm_static", lambda: L.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.25, 1.0]),
         rng.normal(size=(4, 3)).astype("float32"), {}),
        ("norm_static_scalar", lambda: L.Normalization(mean=3.0, variance=2.0),
         rng.normal(size=(4, 1)).astype("float32"), {}),
        ("norm_static_invert", lambda: L.Normalization(axis=None, mean=2.0, variance=9.0, invert=True),
         rng.normal(size=(2, 3, 2)).astype("float32"), {}),
        # UnitNormalization / GroupNormalization / Identity
        ("unit_norm", lambda: L.UnitNormalization(), rng.normal(size=(3, 5)).astype("float32"), {"grads": True}),
        ("unit_norm_axes", lambda: L.UnitNormalization(axis=[1, 2]), rng.normal(size=(2, 3, 4)).astype("float32"),
         {"grads": True}),
        ("unit_norm_axis1", lambda: L.UnitNormalization(axis=1), rng.normal(size=(2, 3, 4)).astype("float32"),
         {"grads": True}),
        ("group_norm", lambda: L.GroupNormalization(groups=2), rng.normal(size=(3, 5, 4)).astype("float32"),
         {"grads": True}),
        ("group_norm_image", lambda: L.GroupNormalization(groups=3, epsilon=1e-2),
         rng.normal(size=(2, 4, 3, 6)).astype("float32"), {"grads": True}),
        ("group_norm_channels_first", lambda: L.GroupNormalization(groups=2, axis=1),
         rng.normal(size=(2, 4, 3, 3)).astype("float32"), {"grads": True}),
        ("group_norm_instance", lambda: L.GroupNormalization(groups=-1), rng.normal(size=(2, 6, 3)).astype("float32"),
         {"grads": True}),
        ("group_norm_layer", lambda: L.GroupNormalization(groups=1, center=False),
         rng.normal(size=(2, 4, 6)).astype("float32"), {"grads": True}),
        ("group_norm_no_scale", lambda: L.GroupNormalization(groups=4, scale=False),
         rng.normal(size=(3, 8)).astype("float32"), {"grads": True}),
        ("identity", lambda: L.Identity(), rng.normal(size=(2, 3)).astype("float32"), {}),
        # Random layers at inference (identity, or a resize for RandomCrop) ...
        ("random_flip_infer", lambda: L.RandomFlip(), img(2, 4, 5, 3), {}),
        ("random_crop_infer", lambda: L.RandomCrop(4, 3), img(2, 6, 6, 2), {}),
        ("random_crop_infer_unbatched", lambda: L.RandomCrop(5, 3, seed=2), img(6, 4, 1), {}),
        ("random_rotation_infer", lambda: L.RandomRotation(0.2), img(2, 5, 5, 1), {}),
        ("random_zoom_infer", lambda: L.RandomZoom(0.2, 0.3), img(2, 5, 5, 1), {}),
        ("random_translation_infer", lambda: L.RandomTranslation(0.1, 0.2), img(2, 5, 5, 1), {}),
        ("random_contrast_infer", lambda: L.RandomContrast(0.3), img(2, 5, 5, 1), {}),
        ("random_brightness_infer", lambda: L.RandomBrightness(0.3), img(2, 5, 5, 1), {}),
        ("random_height_infer", lambda: L.RandomHeight(0.3), img(2, 5, 5, 1), {}),
        ("random_width_infer", lambda: L.RandomWidth((-0.2, 0.4), interpolation="nearest"), img(2, 5, 5, 1), {}),
        # ... and in training, with a fixed transformation.
        ("rotation_45_reflect", lambda: L.RandomRotation((0.125, 0.125)), img(2, 6, 7, 2), {"training": True}),
        ("rotation_30_wrap", lambda: L.RandomRotation((1 / 12, 1 / 12), fill_mode="wrap"), img(1, 7, 6, 1),
         {"training": True}),
        ("rotation_neg_constant", lambda: L.RandomRotation((-0.1, -0.1), fill_mode="constant", fill_value=3.0),
         img(2, 5, 6, 2), {"training": True}),
        ("rotation_nearest_fill_nearest", lambda: L.RandomRotation((0.07, 0.07), fill_mode="nearest",
                                                                   interpolation="nearest"),
         img(1, 8, 8, 1), {"training": True}),
        ("rotation_unbatched", lambda: L.RandomRotation((0.25, 0.25)), img(5, 4, 1), {"training": True}),
        ("zoom_in", lambda: L.RandomZoom((-0.3, -0.3)), img(2, 7, 6, 2), {"training": True}),
        ("zoom_out_reflect", lambda: L.RandomZoom((0.6, 0.6), (0.4, 0.4)), img(1, 6, 7, 1), {"training": True}),
        ("zoom_out_wrap", lambda: L.RandomZoom((0.5, 0.5), fill_mode="wrap"), img(1, 6, 6, 1), {"training": True}),
        ("zoom_constant_nearest", lambda: L.RandomZoom((0.3, 0.3), (-0.2, -0.2), fill_mode="constant",
                                                       interpolation="nearest"), img(2, 6, 5, 1),
         {"training": True}),
        ("translation_reflect", lambda: L.RandomTranslation((0.3, 0.3), (-0.25, -0.25)), img(2, 7, 8, 2),
         {"training": True}),
        ("translation_far_reflect", lambda: L.RandomTranslation((-0.9, -0.9), (0.8, 0.8)), img(1, 5, 6, 1),
         {"training": True}),
        ("translation_wrap", lambda: L.RandomTranslation((0.45, 0.45), (0.15, 0.15), fill_mode="wrap"),
         img(1, 6, 6, 1), {"training": True}),
        ("translation_nearest", lambda: L.RandomTranslation((-0.4, -0.4), (0.33, 0.33), fill_mode="nearest"),
         img(1, 6, 7, 1), {"training": True}),
        ("translation_constant_nearest", lambda: L.RandomTranslation((0.2, 0.2), (-0.3, -0.3), fill_mode="constant",
                                                                    interpolation="nearest", fill_value=-1.0),
         img(2, 5, 7, 1), {"training": True}),
        ("height_fixed", lambda: L.RandomHeight((0.5, 0.5)), img(2, 4, 5, 2), {"training": True, "grads": True}),
        ("height_fixed_nearest", lambda: L.RandomHeight((-0.25, -0.25), interpolation="nearest"), img(2, 8, 5, 1),
         {"training": True}),
        ("width_fixed", lambda: L.RandomWidth((0.6, 0.6)), img(2, 4, 5, 2), {"training": True}),
        ("width_fixed_bicubic", lambda: L.RandomWidth((-0.4, -0.4), interpolation="bicubic"), img(1, 4, 10, 1),
         {"training": True}),
        ("brightness_fixed", lambda: L.RandomBrightness((0.2, 0.2)), img(2, 4, 4, 3),
         {"training": True, "grads": True}),
        ("brightness_fixed_range", lambda: L.RandomBrightness((-0.5, -0.5), value_range=(1.0, 0.0)),
         image(rng, (2, 3, 3, 1), 0.0, 1.0), {"training": True}),
        ("crop_training_full", lambda: L.RandomCrop(4, 5), img(2, 4, 5, 1), {"training": True}),
        ("crop_training_upsize", lambda: L.RandomCrop(6, 7), img(2, 4, 5, 1), {"training": True}),
        ("flip_config_horizontal", lambda: L.RandomFlip("horizontal", seed=3), img(2, 4, 5, 1), {}),
        ("flip_config_vertical", lambda: L.RandomFlip("vertical"), img(2, 4, 5, 1), {}),
        ("contrast_config_pair", lambda: L.RandomContrast((0.1, 0.5), seed=4), img(2, 4, 5, 1), {}),
    ]


def run_case(cid, factory, x, options, rng, arrays):
    layer = factory()
    config_unbuilt = layer.get_config()
    arrays[f"{cid}/x"] = x
    case = {"id": cid, "class_name": type(layer).__name__, "config_unbuilt": jsonable(config_unbuilt),
            "training": bool(options.get("training", False)), "input_shape": list(x.shape),
            "grads": bool(options.get("grads", False)), "adapt_kwargs": options.get("adapt_kwargs", {})}
    adapt = options.get("adapt")
    if adapt is not None:
        if isinstance(adapt, list):
            case["adapt_batches"] = len(adapt)
            for i, batch in enumerate(adapt):
                arrays[f"{cid}/adapt{i}"] = batch
            data = tf.data.Dataset.from_generator(lambda: iter(adapt),
                                                  output_signature=tf.TensorSpec((None,) + adapt[0].shape[1:]))
        else:
            arrays[f"{cid}/adapt"] = adapt
            data = adapt
        layer.adapt(data, **options.get("adapt_kwargs", {}))
        for i, w in enumerate(layer.weights):
            arrays[f"{cid}/after{i}"] = w.numpy()
        case["config_adapted"] = jsonable(layer.get_config())
    tensor = tf.constant(x)
    if options.get("grads"):
        layer(tensor)  # build
        weights = []
        for w in layer.weights:
            value = rng.normal(1.0, 0.5, w.shape).astype("float32")
            w.assign(value)
            weights.append(value)
        for i, value in enumerate(weights):
            arrays[f"{cid}/w{i}"] = value
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            y = layer(tensor)
            cot = rng.normal(size=y.shape).astype("float32")
            loss = tf.reduce_sum(y * cot)
        grads = tape.gradient(loss, [tensor] + list(layer.trainable_weights))
        arrays[f"{cid}/cot"] = cot
        arrays[f"{cid}/dx"] = grads[0].numpy()
        for i, g in enumerate(grads[1:]):
            arrays[f"{cid}/dw{i}"] = g.numpy()
    else:
        y = layer(tensor, training=True) if options.get("training") else layer(tensor, training=False)
    arrays[f"{cid}/y"] = y.numpy()
    case["output_dtype"] = y.dtype.name
    case["weights"] = [{"name": w.name, "shape": list(w.shape), "dtype": w.dtype.name} for w in layer.weights]
    case["config"] = jsonable(layer.get_config())
    symbolic = factory()
    if adapt is None:
        out = symbolic(keras.Input(x.shape[1:], dtype=x.dtype.name))
        case["symbolic_output_shape"] = list(out.shape)
        case["symbolic_output_dtype"] = out.dtype.name
    return case


def model_case(rng, arrays):
    inputs = keras.Input((6,), name="pixels")
    x = L.Rescaling(1.0 / 255, offset=-0.5, name="rescale")(inputs)
    norm = L.Normalization(name="norm")
    x = norm(x)
    outputs = L.Dense(3, name="head")(x)
    model = keras.Model(inputs, outputs, name="rescale_normalize")
    norm.adapt((rng.uniform(0, 255, (64, 6)).astype("float32") / 255 - 0.5) * 3 + 1)
    path = os.path.join(OUT_DIR, "rescale_normalize.h5")
    model.save(path, save_format="h5")
    x = rng.uniform(0, 255, (5, 6)).astype("float32")
    arrays["rescale_normalize/x"] = x
    arrays["rescale_normalize/y"] = model.predict(x, verbose=0)
    return {"name": "rescale_normalize", "weights": [w.name for w in model.weights],
            "config": jsonable(model.get_config()), "files": ["rescale_normalize.h5"]}


def augment_model_case(rng, arrays):
    """Every layer of this family in one functional model (random layers are identity in predict), saved by
    tf-keras both as HDF5 and as a .keras archive."""
    inputs = keras.Input((8, 8, 3), name="image")
    x = L.Rescaling(1 / 255.0, name="rescale")(inputs)
    norm = L.Normalization(name="norm")
    x = norm(x)
    for layer in (L.RandomFlip(name="flip"), L.RandomRotation(0.1, name="rotate"), L.RandomZoom(0.1, name="zoom"),
                  L.RandomTranslation(0.1, 0.1, name="shift"), L.RandomContrast(0.2, name="contrast"),
                  L.RandomBrightness(0.1, value_range=(-5.0, 5.0), name="brightness"),
                  L.Resizing(7, 7, interpolation="bicubic", name="resize"), L.CenterCrop(5, 5, name="crop"),
                  L.GroupNormalization(3, name="group_norm"), L.UnitNormalization(name="unit_norm"),
                  L.Identity(name="identity"), L.Flatten(name="flatten"), L.Dense(2, name="head")):
        x = layer(x)
    model = keras.Model(inputs, x, name="augment_pipeline")
    norm.adapt(rng.uniform(0, 1, (20, 8, 8, 3)).astype("float32"))
    group_norm = model.get_layer("group_norm")
    group_norm.set_weights([rng.normal(1.0, 0.3, w.shape).astype("float32") for w in group_norm.weights])
    model.save(os.path.join(OUT_DIR, "augment_pipeline.h5"), save_format="h5")
    model.save(os.path.join(OUT_DIR, "augment_pipeline.keras"))
    x = rng.uniform(0, 255, (3, 8, 8, 3)).astype("float32")
    arrays["augment_pipeline/x"] = x
    arrays["augment_pipeline/y"] = model.predict(x, verbose=0)
    return {"name": "augment_pipeline", "weights": [w.name for w in model.weights],
            "files": ["augment_pipeline.h5", "augment_pipeline.keras"]}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    tf.random.set_seed(0)
    rng = np.random.default_rng(20261130)
    arrays = {}
    out = {"cases": [run_case(cid, factory, x, options, rng, arrays)
                     for cid, factory, x, options in cases(rng)]}
    out["models"] = [model_case(rng, arrays), augment_model_case(rng, arrays)]
    out["versions"] = {"tensorflow": tf.__version__, "tf_keras": keras.__version__}
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=False)
    np.savez_compressed(os.path.join(OUT_DIR, "arrays.npz"), **arrays)
    print(f"wrote {len(out['cases'])} cases, {len(arrays)} arrays to {OUT_DIR}")


if __name__ == "__main__":
    main()
