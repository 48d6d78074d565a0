"""keras.utils' image helpers (load_img, img_to_array, array_to_img, save_img) and to_ordinal against tf-keras 2.21.

Expected values live in tests/fixtures/focal_metrics_utils/ (image.png, cases.json, arrays.npz), written by
tools/make_focal_metric_fixtures.py with the same PIL version.
"""
import io
import json
import os
import pathlib
import warnings

import numpy as np
import pytest

pytest.importorskip("PIL")

from PIL import Image  # noqa: E402

import fastkeras  # noqa: E402
from fastkeras import utils  # noqa: E402
from fastkeras.preprocessing import image as preprocessing_image  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "focal_metrics_utils")
IMAGE = os.path.join(FIXTURES, "image.png")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    DOC = json.load(_f)
with np.load(os.path.join(FIXTURES, "arrays.npz")) as _npz:
    ARRAYS = {k: _npz[k] for k in _npz.files}


def image_cases(kind):
    return [pytest.param(c, id=c["id"]) for c in DOC["image_cases"] if c["kind"] == kind]


def _kwargs(case):
    kwargs = {k: v for k, v in case["kwargs"].items() if k not in ("input", "multiplier", "ext")}
    if "target_size" in kwargs:
        kwargs["target_size"] = tuple(kwargs["target_size"])
    return kwargs


@pytest.mark.parametrize("case", image_cases("load_img"))
def test_load_img_matches_tf_keras(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        img = utils.load_img(IMAGE, **_kwargs(case))
    assert img.mode == case["mode"] and list(img.size) == case["size"]
    np.testing.assert_array_equal(np.asarray(img), ARRAYS[case["expected"]])


@pytest.mark.parametrize("case", image_cases("img_to_array") + image_cases("img_to_array_gray"))
def test_img_to_array_matches_tf_keras(case):
    color_mode = "grayscale" if case["kind"] == "img_to_array_gray" else "rgb"
    x = utils.img_to_array(utils.load_img(IMAGE, color_mode=color_mode), **_kwargs(case))
    expected = ARRAYS[case["expected"]]
    assert x.dtype == expected.dtype and x.shape == expected.shape
    np.testing.assert_array_equal(x, expected)


@pytest.mark.parametrize("case", image_cases("array_to_img"))
def test_array_to_img_matches_tf_keras(case):
    x = ARRAYS[f"image/{case['kwargs']['input']}"] * np.float32(case["kwargs"]["multiplier"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # negative floats cast to uint8 with scale=False
        img = utils.array_to_img(x, **_kwargs(case))
    assert img.mode == case["mode"]
    np.testing.assert_array_equal(np.asarray(img), ARRAYS[case["expected"]])


@pytest.mark.parametrize("case", image_cases("save_img"))
def test_save_img_matches_tf_keras(case, tmp_path):
    kwargs = _kwargs(case)
    x = ARRAYS["image/array_input_rgba"] if kwargs.get("scale") is False else ARRAYS["image/array_input"]
    path = tmp_path / f"out.{case['kwargs']['ext']}"
    utils.save_img(str(path), x, **kwargs)
    np.testing.assert_array_equal(np.asarray(Image.open(path)), ARRAYS[case["expected"]])


def test_load_img_accepts_paths_bytes_and_buffers():
    expected = np.asarray(utils.load_img(IMAGE))
    with open(IMAGE, "rb") as f:
        buffer = io.BytesIO(f.read())
    for source in (pathlib.Path(IMAGE), IMAGE.encode(), buffer):
        np.testing.assert_array_equal(np.asarray(utils.load_img(source)), expected)


def test_preprocessing_image_path_and_top_level_exports():
    for name in ("img_to_array", "array_to_img", "load_img", "save_img"):
        assert getattr(preprocessing_image, name) is getattr(utils, name)
        assert getattr(fastkeras.preprocessing.image, name) is getattr(utils, name)


def test_image_errors_say_what_was_expected_and_received():
    with pytest.raises(ValueError, match=r'color_mode must be "grayscale", "rgb", or "rgba".*cmyk'):
        utils.load_img(IMAGE, color_mode="cmyk")
    with pytest.raises(ValueError, match="Invalid interpolation method cubic specified. Supported methods are "
                                         "nearest, bilinear"):
        utils.load_img(IMAGE, target_size=(3, 3), interpolation="cubic")
    with pytest.raises(TypeError, match="path should be path-like or io.BytesIO, not <class 'int'>"):
        utils.load_img(3)
    with pytest.raises(ValueError, match=r"Expected image array to have rank 3 \(single image\). Got array with "
                                         r"shape: \(4, 4\)"):
        utils.array_to_img(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="array_to_img: unsupported channel number 2"):
        utils.array_to_img(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="img_to_array: invalid data_format 'NHWC'"):
        utils.img_to_array(np.zeros((4, 4, 3)), data_format="NHWC")
    with pytest.raises(ValueError, match=r"img_to_array: unsupported image shape \(2, 4, 4, 3\)"):
        utils.img_to_array(np.zeros((2, 4, 4, 3)))


@pytest.mark.parametrize("case", DOC["to_ordinal"])
def test_to_ordinal_matches_tf_keras(case):
    out = utils.to_ordinal(np.array(case["y"]), num_classes=case["num_classes"])
    expected = ARRAYS[case["expected"]]
    assert str(out.dtype) == case["dtype"] and out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)
