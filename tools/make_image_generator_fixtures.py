"""Writes tests/fixtures/image_generator/ by running real tf-keras 2.21's ``keras.preprocessing.image``.

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_image_generator_fixtures.py

It writes, into tests/fixtures/image_generator/:

* ``cases.json``: per case its kind and arguments, and (for generators) the transform parameters, the
  filenames, classes and class indices that tf-keras reported;
* ``arrays.npz``: the inputs and outputs of every case (``<case>/<name>``), and the image tree: one entry
  ``tree/<relative path>`` per file holding its bytes (PNG and JPEG files encoded here, so the test rebuilds
  byte-identical files and decodes them with its own PIL).

The image tree is built in a temporary folder: three classes, PNG and JPEG files of odd sizes (RGB,
grayscale, RGBA), a nested folder, a non-image file, an upper-case extension and a symlinked folder.
"""
import json
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from PIL import Image  # noqa: E402

image = keras.preprocessing.image
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "image_generator")

cases = {}
arrays = {}


def put(case, **named):
    for name, value in named.items():
        arrays[f"{case}/{name}"] = np.asarray(value)


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, np.floating):
        return float(value)
    return value


def image_of(shape, seed):
    return np.random.RandomState(seed).uniform(0, 255, size=shape).astype("float32")


# ---- functions -----------------------------------------------------------------------------------------

def function_cases():
    img_first = image_of((3, 12, 10), 0)            # channels_first: the functions' default axes
    img_last = np.transpose(img_first, (1, 2, 0))   # channels_last
    put("inputs", first=img_first, last=img_last)
    affine = [
        ("rot", dict(theta=25)),
        ("shift", dict(tx=2.5, ty=-1.5)),
        ("shear", dict(shear=20)),
        ("zoom", dict(zx=0.8, zy=1.3)),
        ("all", dict(theta=-40, tx=1.0, ty=2.0, shear=10, zx=1.2, zy=0.9)),
        ("const", dict(theta=30, fill_mode="constant", cval=7.0)),
        ("reflect", dict(theta=30, tx=3, fill_mode="reflect")),
        ("wrap", dict(theta=30, ty=4, fill_mode="wrap")),
        ("order0", dict(theta=17, zx=0.7, order=0)),
        ("order3", dict(theta=17, zx=0.7, order=3)),
        ("identity", dict()),
    ]
    for name, kw in affine:
        case = f"affine_{name}"
        cases[case] = dict(kind="affine", kwargs=kw)
        put(case, first=image.apply_affine_transform(img_first.copy(), **kw),
            last=image.apply_affine_transform(img_last.copy(), row_axis=0, col_axis=1, channel_axis=2, **kw))

    cases["channel_shift"] = dict(kind="channel_shift")
    put("channel_shift", first=image.apply_channel_shift(img_first, 40.0, 0),
        last=image.apply_channel_shift(img_last, -30.0, 2))

    small = img_last[:, :, :3] * 0.5 + 10
    wide = img_last * 3 - 100        # outside [0, 255]: rescaled through PIL and back
    cases["brightness"] = dict(kind="brightness")
    put("brightness", small=small, wide=wide,
        small_scaled=image.apply_brightness_shift(small, 1.4, True),
        small_unscaled=image.apply_brightness_shift(small, 0.6, False),
        wide_unscaled=image.apply_brightness_shift(wide, 1.2, False),
        wide_scaled=image.apply_brightness_shift(wide, 0.8, True))

    randoms = [
        ("random_rotation", lambda x: image.random_rotation(x, 35)),
        ("random_rotation_last", lambda x: image.random_rotation(np.transpose(x, (1, 2, 0)), 35, row_axis=0,
                                                                  col_axis=1, channel_axis=2, fill_mode="constant",
                                                                  cval=3.0)),
        ("random_shift", lambda x: image.random_shift(x, 0.2, 0.3)),
        ("random_shear", lambda x: image.random_shear(x, 30, fill_mode="reflect")),
        ("random_zoom", lambda x: image.random_zoom(x, (0.7, 1.2), interpolation_order=0)),
        ("random_zoom_one", lambda x: image.random_zoom(x, (1, 1))),
        ("random_channel_shift", lambda x: image.random_channel_shift(x, 50.0)),
        ("random_brightness", lambda x: image.random_brightness(np.transpose(x, (1, 2, 0)), (0.5, 1.5))),
    ]
    rs = np.random.RandomState(4).uniform(0, 255, size=(2, 7, 11, 3)).astype("float32")
    cases["smart_resize"] = dict(kind="smart_resize")
    put("smart_resize", x=rs, bilinear=image.smart_resize(rs[0], (4, 4)),
        nearest=image.smart_resize(rs, (5, 3), interpolation="nearest"),
        bicubic=image.smart_resize(rs[1], (9, 6), interpolation="bicubic"),
        uint8_nearest=image.smart_resize(rs[0].astype("uint8"), (3, 5), interpolation="nearest"))

    for name, fn in randoms:
        np.random.seed(11)
        out = fn(img_first.copy())
        cases[name] = dict(kind="random", seed=11)
        put(name, out=out, next_draw=np.random.uniform())  # how much of the stream the function consumed


# ---- ImageDataGenerator: parameters, transforms, standardize, fit --------------------------------------

GENERATORS = {
    "rot_shift": dict(rotation_range=30, width_shift_range=0.2, height_shift_range=0.1, fill_mode="nearest"),
    "int_shift": dict(width_shift_range=3, height_shift_range=2, horizontal_flip=True, vertical_flip=True),
    "list_shift": dict(width_shift_range=[-2, 0, 1], height_shift_range=[0.1, 0.3], shear_range=15),
    "zoom_float": dict(zoom_range=0.25, channel_shift_range=20.0, fill_mode="constant", cval=5.0),
    "zoom_pair": dict(zoom_range=[0.8, 1.1], brightness_range=(0.7, 1.3), horizontal_flip=True),
    "everything": dict(rotation_range=20, width_shift_range=0.1, height_shift_range=0.15, shear_range=10,
                       zoom_range=0.2, channel_shift_range=10.0, horizontal_flip=True, vertical_flip=True,
                       brightness_range=[0.8, 1.2], fill_mode="reflect", interpolation_order=2),
    "first": dict(rotation_range=45, width_shift_range=0.3, zoom_range=0.1, horizontal_flip=True,
                  data_format="channels_first", fill_mode="wrap"),
    "plain": dict(),
}


def generator_cases():
    for name, kw in GENERATORS.items():
        gen = image.ImageDataGenerator(**kw)
        shape = (3, 12, 10) if kw.get("data_format") == "channels_first" else (12, 10, 3)
        x = image_of(shape, 5)
        params = [gen.get_random_transform(shape, seed=s) for s in (1, 2, 3)]
        np.random.seed(21)
        unseeded = [gen.get_random_transform(shape) for _ in range(3)]
        outs = [gen.random_transform(x.copy(), seed=s) for s in (1, 2, 3)]
        applied = gen.apply_transform(x.copy(), params[0])
        case = f"gen_{name}"
        cases[case] = dict(kind="generator", kwargs=kw, shape=shape, params=jsonable(params),
                           unseeded=jsonable(unseeded))
        put(case, x=x, out0=outs[0], out1=outs[1], out2=outs[2], applied=applied)


def fit_cases():
    rng = np.random.RandomState(3)
    x = rng.uniform(0, 255, size=(6, 4, 5, 3)).astype("float32")
    put("fit_data", x=x)
    configs = {
        "center": dict(featurewise_center=True),
        "std": dict(featurewise_std_normalization=True),
        "center_std_rescale": dict(featurewise_center=True, featurewise_std_normalization=True, rescale=1 / 255.0),
        "zca": dict(zca_whitening=True),
        "zca_eps": dict(zca_whitening=True, zca_epsilon=0.1, rescale=0.01),
        "samplewise": dict(samplewise_center=True, samplewise_std_normalization=True, rescale=2.0),
        "first": dict(featurewise_center=True, featurewise_std_normalization=True, data_format="channels_first"),
    }
    for name, kw in configs.items():
        gen = image.ImageDataGenerator(**kw)
        data = np.transpose(x, (0, 3, 1, 2)).copy() if kw.get("data_format") == "channels_first" else x
        gen.fit(data)
        case = f"fit_{name}"
        cases[case] = dict(kind="fit", kwargs=kw)
        out = {"standardized": gen.standardize(data.copy())}
        for attr in ("mean", "std", "zca_whitening_matrix"):
            if getattr(gen, attr) is not None:
                out[attr] = getattr(gen, attr)
        out["one"] = gen.standardize(data[0].copy())
        put(case, **out)
    gen = image.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                                   rotation_range=30, horizontal_flip=True, zoom_range=0.2)
    gen.fit(x, augment=True, rounds=2, seed=9)
    cases["fit_augment"] = dict(kind="fit_augment", kwargs=dict(featurewise_center=True,
                                featurewise_std_normalization=True, rotation_range=30, horizontal_flip=True,
                                zoom_range=0.2), fit=dict(augment=True, rounds=2, seed=9))
    put("fit_augment", mean=gen.mean, std=gen.std)


# ---- flow ----------------------------------------------------------------------------------------------

def batch_arrays(batch):
    """A batch as a flat list of arrays (x, [misc...], y, sample_weight)."""
    if not isinstance(batch, tuple):
        batch = (batch,)
    flat = []
    for part in batch:
        if isinstance(part, list):
            flat.extend(part)
        else:
            flat.append(part)
    return flat


def record_iterator(case, it, epochs=2):
    """The batches of ``epochs`` epochs read by index, with on_epoch_end between epochs."""
    n_parts = None
    for epoch in range(epochs):
        for b in range(len(it)):
            parts = batch_arrays(it[b])
            n_parts = len(parts)
            for k, p in enumerate(parts):
                arrays[f"{case}/get/{epoch}/{b}/{k}"] = p
        it.on_epoch_end()
    return n_parts


FLOW_CASES = [
    ("flow_plain", dict(), dict(batch_size=4, shuffle=False)),
    ("flow_shuffle", dict(), dict(batch_size=3, shuffle=True, seed=7, with_weights=True)),
    ("flow_aug", dict(rotation_range=20, width_shift_range=0.2, horizontal_flip=True, rescale=1 / 255.0,
                      brightness_range=(0.5, 1.5)),
     dict(batch_size=4, shuffle=True, seed=3)),
    ("flow_misc", dict(zoom_range=0.2), dict(batch_size=4, shuffle=True, seed=1, misc=True)),
    ("flow_no_y", dict(channel_shift_range=30.0), dict(batch_size=5, shuffle=True, seed=2, no_y=True)),
    ("flow_val", dict(validation_split=0.3, shear_range=20), dict(batch_size=2, shuffle=True, seed=4,
                                                                    subset="validation")),
    ("flow_train", dict(validation_split=0.3, shear_range=20), dict(batch_size=3, shuffle=True, seed=4,
                                                                      subset="training")),
]


def flow_cases():
    rng = np.random.RandomState(8)
    x = rng.uniform(0, 255, size=(10, 6, 5, 3)).astype("float32")
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 1])
    w = rng.uniform(size=10).astype("float32")
    misc = [np.arange(10) * 10, rng.uniform(size=(10, 2))]
    put("flow_data", x=x, y=y, w=w, misc0=misc[0], misc1=misc[1])
    for name, gen_kw, flow_kw in FLOW_CASES:
        gen = image.ImageDataGenerator(**gen_kw)
        opts = dict(flow_kw)
        with_weights = opts.pop("with_weights", False)
        use_misc = opts.pop("misc", False)
        no_y = opts.pop("no_y", False)
        it = gen.flow((x, misc) if use_misc else x, None if no_y else y,
                      sample_weight=w if with_weights else None, **opts)
        n_parts = record_iterator(name, it)
        nexts = []
        it2 = gen.flow((x, misc) if use_misc else x, None if no_y else y,
                       sample_weight=w if with_weights else None, **opts)
        for k in range(len(it2) + 2):
            for j, p in enumerate(batch_arrays(next(it2))):
                arrays[f"{name}/next/{k}/{j}"] = p
            nexts.append(k)
        cases[name] = dict(kind="flow", generator=gen_kw, flow=flow_kw, parts=n_parts, batches=len(it),
                           nexts=len(nexts))


# ---- flow_from_directory -------------------------------------------------------------------------------

TREE = [  # (relative path, (height, width, channels) or None for a non-image, format)
    ("cats/c0.png", (7, 5, 3)), ("cats/c1.jpg", (6, 9, 3)), ("cats/c2.png", (8, 8, 1)),
    ("cats/sub/c3.png", (5, 7, 3)), ("cats/notes.txt", None), ("cats/C4.PNG", (6, 6, 3)),
    ("dogs/d0.png", (9, 6, 3)), ("dogs/d1.png", (4, 4, 4)), ("dogs/d2.jpeg", (10, 3, 3)),
    ("dogs/d3.png", (6, 6, 3)), ("dogs/a_first.bmp", (5, 5, 3)),
    ("birds/b0.png", (5, 5, 3)), ("birds/b1.png", (3, 8, 3)), ("birds/b2.jpg", (8, 8, 3)),
]
LINKS = [("dogs/linked", "../birds")]  # a folder symlink, followed only with follow_links=True


def write_tree(root):
    rng = np.random.RandomState(0)
    for rel, shape in TREE:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if shape is None:
            with open(path, "w") as f:
                f.write("not an image")
        else:
            pixels = rng.randint(0, 256, size=shape).astype("uint8")
            mode = {1: "L", 3: "RGB", 4: "RGBA"}[shape[2]]
            img = Image.fromarray(pixels[:, :, 0] if shape[2] == 1 else pixels, mode)
            ext = rel.rsplit(".", 1)[1].lower()
            img.save(path, format={"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "bmp": "BMP"}[ext])
        with open(path, "rb") as f:
            arrays[f"tree/{rel}"] = np.frombuffer(f.read(), dtype=np.uint8)
    for rel, target in LINKS:
        os.symlink(target, os.path.join(root, rel))


DIR_CASES = [
    ("dir_categorical", dict(), dict(target_size=(6, 5), batch_size=4, shuffle=False)),
    ("dir_binary_classes", dict(), dict(target_size=(4, 4), classes=["dogs", "cats"], class_mode="binary",
                                        batch_size=5, shuffle=False)),
    ("dir_sparse_shuffle", dict(rotation_range=30, horizontal_flip=True, rescale=1 / 255.0),
     dict(target_size=(5, 6), class_mode="sparse", batch_size=3, shuffle=True, seed=12,
          interpolation="bilinear")),
    ("dir_input_gray", dict(), dict(target_size=(4, 3), color_mode="grayscale", class_mode="input", batch_size=6,
                                    shuffle=False)),
    ("dir_none_rgba", dict(), dict(target_size=(3, 3), color_mode="rgba", class_mode=None, batch_size=7,
                                   shuffle=False, interpolation="bicubic")),
    ("dir_follow", dict(), dict(target_size=(4, 4), follow_links=True, batch_size=8, shuffle=True, seed=1)),
    ("dir_aspect", dict(), dict(target_size=(4, 6), keep_aspect_ratio=True, batch_size=16, shuffle=False,
                                interpolation="bilinear")),
    ("dir_val", dict(validation_split=0.4), dict(target_size=(4, 4), subset="validation", batch_size=3,
                                                  shuffle=False)),
    ("dir_train", dict(validation_split=0.4, zoom_range=0.3), dict(target_size=(4, 4), subset="training",
                                                                    batch_size=3, shuffle=True, seed=5)),
    ("dir_first", dict(data_format="channels_first", width_shift_range=2),
     dict(target_size=(5, 4), batch_size=4, shuffle=True, seed=6, class_mode="sparse")),
]


def directory_cases(root):
    for name, gen_kw, flow_kw in DIR_CASES:
        gen = image.ImageDataGenerator(**gen_kw)
        it = gen.flow_from_directory(root, **flow_kw)
        n_parts = record_iterator(name, it)
        cases[name] = dict(kind="directory", generator=gen_kw, flow=flow_kw, parts=n_parts, batches=len(it),
                           filenames=it.filenames, classes=it.classes.tolist(), class_indices=it.class_indices,
                           samples=it.samples, num_classes=it.num_classes, image_shape=list(it.image_shape))
    # save_to_dir: how many files, which prefixes
    save = tempfile.mkdtemp()
    try:
        gen = image.ImageDataGenerator()
        it = gen.flow_from_directory(root, target_size=(4, 4), batch_size=5, shuffle=False, save_to_dir=save,
                                     save_prefix="aug", save_format="jpeg")
        it[0]
        cases["dir_save"] = dict(kind="save", files=sorted(f.rsplit("_", 1)[0] for f in os.listdir(save)))
    finally:
        shutil.rmtree(save)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    function_cases()
    generator_cases()
    fit_cases()
    flow_cases()
    root = tempfile.mkdtemp()
    try:
        write_tree(root)
        directory_cases(root)
    finally:
        shutil.rmtree(root)
    cases["tree"] = dict(kind="tree", files=[rel for rel, _ in TREE], links=LINKS)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(jsonable(cases), f, indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(OUT, "arrays.npz"), **arrays)
    print("wrote", len(cases), "cases,", len(arrays), "arrays")


if __name__ == "__main__":
    main()
