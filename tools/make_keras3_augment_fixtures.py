"""Writes tests/fixtures/keras3_augment/ (read by tests/layers/test_keras3_augment_more.py) by running Keras 3.15.1
on its torch backend: the augmentation layers RandomColorJitter, RandomGaussianBlur, RandomShear,
RandomPerspective, RandomElasticTransform, RandAugment, AugMix and MaxNumBoundingBoxes, and the ops
``keras.ops.image.sobel_edges``, ``map_coordinates``, ``perspective_transform``, ``gaussian_blur``, ``ssim``, ``extract_patches_3d``,
``scale_and_translate`` and ``elastic_transform`` (with ``alpha=0``, where the draws do not matter). Rerun from the
repository root:

    KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_keras3_augment_fixtures.py

RandAugment and AugMix are checked in inference, with no operations and with chains of depth 0 only; their
random outputs were compared by hand with Keras 3.15.1 on jax (the mean absolute change over 300 calls agrees
within the sampling error; on torch, Keras 3.15.1's RandAugment/AugMix also add the brightness shift of operations
not drawn, as RandomBrightness adds in place). Random layers are called where the result does not depend on the
draws (factors pinned to one value, or a
probability of 0 or 1, inference). RandomShear draws a random sign per image even with pinned factors, so its
cases store Keras 3's image for both signs (``<id>/y_plus``, ``<id>/y_minus``, made by the layer's own
``transform_images`` with the shear given) and the test accepts either per image.

* ``cases.json``: ``keras_version``, ``backend`` and ``cases``: each ``id``, ``kind`` (``layer``, ``shear``,
  ``boxes``, ``op`` or ``config``), and for layers ``class_name``, ``config_unbuilt``, ``config``,
  ``training``; for ops ``op`` (name under ``keras.ops.image``), ``kwargs`` (JSON) and ``n_args`` (array
  positional arguments ``<id>/a<i>``);
* ``arrays.npz``: ``<id>/x0`` (images), ``<id>/y0`` (Keras 3's output), ``<id>/boxes``/``<id>/box_labels`` and
  their outputs ``<id>/y_boxes``/``<id>/y_box_labels``, ``<id>/a<i>`` (op arguments).
"""
import json
import os
import zlib

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import keras  # noqa: E402

assert keras.backend.backend() == "torch", "run with KERAS_BACKEND=torch"
L = keras.layers
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras3_augment")
ARRAYS, CASES = {}, []


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def np_(t):
    return keras.ops.convert_to_numpy(t)


def plain(value):
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else list(o)))


def layer_case(cid, class_name, ctor, images, training=True):
    layer = getattr(L, class_name)(**ctor)
    config_unbuilt = plain(layer.get_config())
    ARRAYS[f"{cid}/x0"] = images
    ARRAYS[f"{cid}/y0"] = np_(layer(images, training=training))
    CASES.append({"id": cid, "kind": "layer", "class_name": class_name, "config_unbuilt": config_unbuilt,
                  "config": plain(layer.get_config()), "training": training})


def config_case(class_name, ctor):
    layer = getattr(L, class_name)(**ctor)
    CASES.append({"id": f"config_{class_name}_{len(CASES)}", "kind": "config", "class_name": class_name,
                  "config_unbuilt": plain(layer.get_config())})


def shear_case(cid, ctor, images):
    """Keras 3's sheared images for the positive and the negative sign of the pinned factors."""
    layer = L.RandomShear(**ctor)
    sx, sy = layer.x_factor[0], layer.y_factor[0]
    assert layer.x_factor[0] == layer.x_factor[1] and layer.y_factor[0] == layer.y_factor[1]
    n = images.shape[0]
    for sign, key in ((1.0, "y_plus"), (-1.0, "y_minus")):
        shear = np.tile(np.array([[sx * sign, sy * sign]], "float32"), (n, 1))
        ARRAYS[f"{cid}/{key}"] = np_(layer.transform_images(keras.ops.convert_to_tensor(images),
                                                            {"shear_factor": keras.ops.convert_to_tensor(shear),
                                                             "input_shape": images.shape}))
    ARRAYS[f"{cid}/x0"] = images
    CASES.append({"id": cid, "kind": "shear", "class_name": "RandomShear",
                  "config_unbuilt": plain(layer.get_config()), "config": plain(layer.get_config()),
                  "training": True})


def boxes_case(cid, ctor, images, boxes, labels):
    layer = L.MaxNumBoundingBoxes(**ctor)
    out = layer({"images": images, "bounding_boxes": {"boxes": boxes, "labels": labels}})
    ARRAYS[f"{cid}/x0"], ARRAYS[f"{cid}/boxes"], ARRAYS[f"{cid}/box_labels"] = images, boxes, labels
    ARRAYS[f"{cid}/y0"] = np_(out["images"])
    ARRAYS[f"{cid}/y_boxes"] = np_(out["bounding_boxes"]["boxes"])
    ARRAYS[f"{cid}/y_box_labels"] = np_(out["bounding_boxes"]["labels"])
    CASES.append({"id": cid, "kind": "boxes", "class_name": "MaxNumBoundingBoxes",
                  "config_unbuilt": plain(layer.get_config()), "config": plain(layer.get_config()),
                  "training": True})


def op_case(cid, op, args, **kwargs):
    for i, a in enumerate(args):
        ARRAYS[f"{cid}/a{i}"] = a
    ARRAYS[f"{cid}/y0"] = np_(getattr(keras.ops.image, op)(*args, **kwargs))
    CASES.append({"id": cid, "kind": "op", "op": op, "kwargs": kwargs, "n_args": len(args)})


def layers_cases():
    img = rng_for("images").integers(0, 256, size=(2, 6, 7, 3)).astype("float32")
    unit = img / 255.0
    first = np.ascontiguousarray(np.moveaxis(img, -1, 1))
    # RandomColorJitter: brightness pinned (a pair), contrast pinned to 1.5 by the pair (-0.5, 0.5) (Keras 3
    # reads a pair (a, b) as [1 - a, 1 + b]), saturation pinned, hue at 1 (half a turn either way: one result).
    for tag, training in (("train", True), ("infer", False)):
        layer_case(f"jitter_all_{tag}", "RandomColorJitter",
                   {"brightness_factor": (0.1, 0.1), "contrast_factor": (-0.5, 0.5), "saturation_factor": (0.7, 0.7),
                    "hue_factor": (1.0, 1.0)}, img, training)
    layer_case("jitter_brightness", "RandomColorJitter", {"brightness_factor": (-0.3, -0.3)}, img)
    layer_case("jitter_contrast", "RandomColorJitter", {"contrast_factor": (-0.5, 0.5)}, img)
    layer_case("jitter_saturation", "RandomColorJitter", {"saturation_factor": (0.3, 0.3)}, img)
    layer_case("jitter_hue_unit", "RandomColorJitter", {"hue_factor": (1.0, 1.0), "value_range": (0, 1)}, unit)
    # Keras 3.15.1 builds the jitter's contrast, saturation and hue steps without its data_format, so on
    # channels_first images they work on the wrong axes; fastkeras does not copy that: brightness only here.
    layer_case("jitter_cf", "RandomColorJitter", {"brightness_factor": (0.2, 0.2), "data_format": "channels_first"},
               first)
    layer_case("jitter_none", "RandomColorJitter", {}, img)
    # RandomGaussianBlur: always applied (factor (1, 1)) with pinned deviations, or never.
    for tag, training in (("train", True), ("infer", False)):
        layer_case(f"blur_{tag}", "RandomGaussianBlur", {"factor": (1.0, 1.0), "sigma": (0.8, 0.8)}, img, training)
    # (Keras 3.15.1 on torch fails on a non-square kernel_size such as (3, 5), so only square ones here.)
    layer_case("blur_kernel_5", "RandomGaussianBlur", {"factor": (1.0, 1.0), "kernel_size": 5,
                                                        "sigma": (0.5, 0.5)}, img)
    layer_case("blur_never", "RandomGaussianBlur", {"factor": (0.0, 0.0)}, img)
    layer_case("blur_cf", "RandomGaussianBlur", {"factor": (1.0, 1.0), "sigma": (0.6, 0.6),
                                                  "data_format": "channels_first"}, first)
    # RandomShear
    shear_case("shear_x", {"x_factor": (0.3, 0.3)}, img)
    shear_case("shear_xy_nearest", {"x_factor": (0.2, 0.2), "y_factor": (0.4, 0.4), "interpolation": "nearest",
                                    "fill_mode": "constant", "fill_value": 5.0}, img)
    shear_case("shear_y_wrap", {"y_factor": (0.5, 0.5), "fill_mode": "wrap"}, img)
    layer_case("shear_zero", "RandomShear", {}, img)
    layer_case("shear_infer", "RandomShear", {"x_factor": 0.5}, img, False)
    # RandomPerspective
    layer_case("perspective_scale_zero", "RandomPerspective", {"scale": 0.0}, img)
    layer_case("perspective_never", "RandomPerspective", {"factor": (0.0, 0.0)}, img)
    layer_case("perspective_infer", "RandomPerspective", {}, img, False)
    # RandomElasticTransform (and ops.image.elastic_transform with alpha 0, below)
    layer_case("elastic_scale_zero", "RandomElasticTransform", {"scale": 0.0}, img * 2.0)
    layer_case("elastic_never", "RandomElasticTransform", {"factor": (0.0, 0.0), "value_range": (0, 1)}, unit)
    layer_case("elastic_infer", "RandomElasticTransform", {}, img, False)
    # RandAugment and AugMix: inference, no operations, chains of depth 0 (the mix of unchanged copies)
    layer_case("randaugment_infer", "RandAugment", {}, img, False)
    layer_case("randaugment_no_ops", "RandAugment", {"num_ops": 0}, img)
    layer_case("augmix_infer", "AugMix", {}, img, False)
    layer_case("augmix_depth_zero", "AugMix", {"chain_depth": 0, "value_range": (0, 1)}, unit)
    # MaxNumBoundingBoxes
    rng = rng_for("boxes")
    boxes = rng.integers(0, 6, size=(2, 3, 4)).astype("float32")
    labels = rng.integers(0, 5, size=(2, 3)).astype("int32")
    boxes_case("boxes_pad", {"max_number": 5, "bounding_box_format": "xyxy"}, img, boxes, labels)
    boxes_case("boxes_cut", {"max_number": 2, "fill_value": 0, "bounding_box_format": "xyxy"}, img, boxes, labels)
    boxes_case("boxes_single", {"max_number": 4, "bounding_box_format": "xywh"}, img[0], boxes[0], labels[0])
    for cls, ctor in (("RandomColorJitter", {}), ("RandomColorJitter", {"brightness_factor": 0.2,
                                                                        "contrast_factor": 0.3,
                                                                        "saturation_factor": [0.2, 0.8],
                                                                        "hue_factor": 0.1, "seed": 4,
                                                                        "value_range": [0, 1]}),
                      ("RandomGaussianBlur", {}), ("RandomGaussianBlur", {"factor": 0.4, "kernel_size": 5,
                                                                          "sigma": 0.3}),
                      ("RandomShear", {}), ("RandomShear", {"x_factor": 0.2, "y_factor": [0.1, 0.3]}),
                      ("RandomPerspective", {}), ("RandomPerspective", {"factor": 0.5, "scale": 0.3,
                                                                        "interpolation": "nearest"}),
                      ("RandomElasticTransform", {}),
                      ("RandomElasticTransform", {"factor": 0.3, "scale": (0.2, 0.6), "interpolation": "nearest",
                                                  "fill_mode": "wrap", "fill_value": 1.0, "value_range": (0, 1)}),
                      ("RandAugment", {}), ("RandAugment", {"value_range": (0, 1), "num_ops": 3, "factor": (0.2, 0.7),
                                                            "interpolation": "nearest", "seed": 2}),
                      ("AugMix", {}), ("AugMix", {"num_chains": 2, "chain_depth": 4, "factor": 0.6, "alpha": 0.5,
                                                  "all_ops": False, "seed": 1}),
                      ("MaxNumBoundingBoxes", {"max_number": 3}),
                      ("MaxNumBoundingBoxes", {"max_number": 3, "fill_value": 0, "bounding_box_format": "xyxy"})):
        config_case(cls, ctor)


def op_cases():
    rng = rng_for("ops")
    img = rng.normal(size=(2, 5, 6, 3)).astype("float32")
    # data_format given: Keras 3.15.1's torch gaussian_blur reads None as channels_first.
    op_case("blur", "gaussian_blur", [img], kernel_size=(5, 5), sigma=(0.7, 1.3), data_format="channels_last")
    op_case("blur_cf_single", "gaussian_blur", [np.ascontiguousarray(np.moveaxis(img[0], -1, 0))], kernel_size=(3, 3),
            sigma=(0.9, 0.9), data_format="channels_first")
    op_case("sobel", "sobel_edges", [img])
    op_case("sobel_cf", "sobel_edges", [np.ascontiguousarray(np.moveaxis(img, -1, 1))],
            data_format="channels_first")
    start = np.array([[0, 0], [5, 0], [0, 4], [5, 4]], "float32")
    end = np.array([[0.5, 0.2], [4.6, 0.4], [0.1, 3.5], [5.2, 3.9]], "float32")
    op_case("perspective", "perspective_transform", [img, start, end])
    op_case("perspective_nearest_fill", "perspective_transform", [img, start, end], interpolation="nearest",
            fill_value=2.0)
    ends = np.stack([end, start + rng.uniform(-1, 1, size=(4, 2)).astype("float32")])
    op_case("perspective_batch_points", "perspective_transform", [img, np.stack([start, start]), ends])
    op_case("perspective_cf", "perspective_transform", [np.ascontiguousarray(np.moveaxis(img, -1, 1)), start, end],
            data_format="channels_first")
    op_case("perspective_single", "perspective_transform", [img[0], start, end])
    plane = rng.normal(size=(5, 6)).astype("float32")
    coords = np.stack([rng.uniform(-2.5, 7.5, size=(4, 7)), rng.uniform(-2.5, 8.5, size=(4, 7))]).astype("float32")
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        for order in (0, 1):
            op_case(f"map_{mode}_{order}", "map_coordinates", [plane, coords], order=order, fill_mode=mode,
                    fill_value=-3.0)
    volume = rng.normal(size=(3, 4, 5)).astype("float32")
    coords3 = np.stack([rng.uniform(-1, 3, 6), rng.uniform(-1, 4, 6), rng.uniform(-1, 5, 6)]).astype("float32")
    op_case("map_3d", "map_coordinates", [volume, coords3], order=1)
    # Inputs on a coarse grid compress well and keep the fixture small.
    a = (rng.integers(0, 33, size=(2, 12, 11, 3)) / 32).astype("float32")
    b = np.clip(a + rng.integers(-3, 4, size=a.shape) / 32, 0, 1).astype("float32")
    op_case("ssim", "ssim", [a, b])
    op_case("ssim_options", "ssim", [a * 255, b * 255], max_val=255.0, filter_size=5, filter_sigma=1.0, k1=0.02,
            k2=0.05)
    op_case("ssim_single_cf", "ssim", [np.ascontiguousarray(np.moveaxis(a[0], -1, 0)),
                                       np.ascontiguousarray(np.moveaxis(b[0], -1, 0))], data_format="channels_first")
    volumes = (rng.integers(-16, 17, size=(2, 4, 5, 6, 2)) / 8).astype("float32")
    op_case("patches3d", "extract_patches_3d", [volumes], size=2)
    op_case("patches3d_same", "extract_patches_3d", [volumes], size=(2, 3, 2), strides=(1, 2, 3), padding="same")
    op_case("patches3d_dilated", "extract_patches_3d", [volumes], size=(2, 2, 2), strides=1, dilation_rate=2)
    op_case("patches3d_cf_single", "extract_patches_3d", [np.ascontiguousarray(np.moveaxis(volumes[0], -1, 0))],
            size=(2, 2, 3), data_format="channels_first")
    small = (rng.integers(0, 65, size=(2, 5, 6, 3)) / 8).astype("float32")
    op_case("scale_translate_up", "scale_and_translate", [small], output_shape=(2, 8, 9, 3), scale=[1.6, 1.5],
            translation=[0.2, -0.1], spatial_dims=(1, 2), method="bilinear")
    op_case("scale_translate_down_cubic", "scale_and_translate", [small], output_shape=(2, 3, 4, 3),
            scale=[0.6, 0.7], translation=[0.0, 0.3], spatial_dims=(1, 2), method="bicubic")
    op_case("scale_translate_down_no_antialias", "scale_and_translate", [small], output_shape=(2, 3, 4, 3),
            scale=[0.6, 0.7], translation=[0.0, 0.3], spatial_dims=(1, 2), method="linear", antialias=False)
    op_case("scale_translate_lanczos3", "scale_and_translate", [small], output_shape=(2, 7, 6, 3),
            scale=[1.3, 1.0], translation=[-0.5, 1.0], spatial_dims=(1, 2), method="lanczos3")
    op_case("scale_translate_lanczos5_one_axis", "scale_and_translate", [small], output_shape=(2, 5, 4, 3),
            scale=[0.8], translation=[0.1], spatial_dims=(2,), method="lanczos5")
    op_case("scale_translate_int", "scale_and_translate", [(small * 8).astype("int32")], output_shape=(2, 7, 8, 3),
            scale=[1.4, 1.3], translation=[0.0, 0.0], spatial_dims=(1, 2), method="cubic")
    op_case("elastic_alpha_zero", "elastic_transform", [small], alpha=0.0, sigma=1.5, fill_mode="constant",
            fill_value=2.0)
    line = np.arange(6, dtype="int32") * 10
    op_case("map_int_1d", "map_coordinates", [line, np.array([[0.4, 1.5, 2.6, 5.5, -0.5]], "float32")], order=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(0)
    layers_cases()
    op_cases()
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": CASES}, f,
                  indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(OUT, "arrays.npz"), **ARRAYS)
    print("wrote", len(CASES), "cases,", len(ARRAYS), "arrays,",
          sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT)), "bytes")


if __name__ == "__main__":
    main()
