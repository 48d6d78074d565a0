"""Writes tests/fixtures/dataset_utils/ by running real tf-keras 2.21 (dataset utilities and Adafactor).

Rerun (from the repository root, with the tf-keras environment, not fastkeras' .venv):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_dataset_utils_fixtures.py

It writes, into tests/fixtures/dataset_utils/:

* ``images/``: a tiny image tree (two classes, PNG files of odd sizes, RGB, grayscale and RGBA, one in a nested
  folder, a symlink to a folder, a hidden folder and a non-image file that must be skipped) and ``texts/``: a tiny text tree;
* ``cases.json`` / ``arrays.npz``: per case its function, kwargs, the number of batches, the file paths relative
  to the directory (in dataset order), ``class_names``, and the arrays of every batch
  (``<case>/<batch>/<k>``; texts as their JSON-listed bytes decoded as latin-1);
* ``adafactor.json`` / ``adafactor.npz``: Adafactor cases: config, optimizer variable names and shapes, the
  weights after each of 5 steps from fixed weights and gradients, and the optimizer variables at the end.
"""
import json
import os
import shutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "dataset_utils")
IMAGES = os.path.join(OUT, "images")
TEXTS = os.path.join(OUT, "texts")


def write_trees():
    rng = np.random.RandomState(0)
    for d in (IMAGES, TEXTS):
        shutil.rmtree(d, ignore_errors=True)
    files = [("cats/c0.png", (7, 5, 3)), ("cats/c1.png", (6, 9, 3)), ("cats/c2.png", (8, 8, 1)),
             ("cats/sub/c3.png", (5, 7, 3)), ("dogs/d0.png", (9, 6, 3)), ("dogs/d1.png", (4, 4, 4)),
             ("dogs/d2.png", (10, 3, 3)), ("dogs/d3.png", (6, 6, 3)), ("birds/b0.png", (5, 5, 3)),
             ("birds/b1.png", (3, 8, 3)), (".hidden/h0.png", (4, 4, 3))]
    for rel, shape in files:
        path = os.path.join(IMAGES, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pixels = rng.randint(0, 256, size=shape).astype("uint8")
        tf.io.write_file(path, tf.io.encode_png(pixels))
    os.symlink(os.path.join("..", "birds"), os.path.join(IMAGES, "dogs", "linked"))
    with open(os.path.join(IMAGES, "cats", "notes.txt"), "w") as f:
        f.write("not an image")
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    for k in range(7):
        label = "neg" if k % 2 else "pos"
        path = os.path.join(TEXTS, label, f"t{k}.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(" ".join(rng.choice(words, size=3 + k)))
    with open(os.path.join(TEXTS, "pos", "skip.md"), "w") as f:
        f.write("not a txt file")


def batches_of(ds):
    out = []
    for batch in ds:
        parts = batch if isinstance(batch, tuple) else (batch,)
        out.append([p.numpy() for p in parts])
    return out


CASES = [
    ("ts_basic", "timeseries", dict(sequence_length=10, sequence_stride=3, sampling_rate=2, batch_size=8)),
    ("ts_no_targets", "timeseries", dict(sequence_length=4, batch_size=5, no_targets=True)),
    ("ts_start_end", "timeseries", dict(sequence_length=5, sampling_rate=3, start_index=7, end_index=80,
                                        batch_size=16)),
    ("ts_2d", "timeseries2d", dict(sequence_length=6, sequence_stride=4, batch_size=4)),
    ("ts_short_targets", "timeseries", dict(sequence_length=10, batch_size=32, short_targets=True)),
    ("img_rgb", "image", dict(image_size=(4, 6), batch_size=3, shuffle=False)),
    ("img_nearest", "image", dict(image_size=(5, 3), batch_size=4, shuffle=False, interpolation="nearest")),
    ("img_crop", "image", dict(image_size=(4, 4), batch_size=5, shuffle=False, crop_to_aspect_ratio=True)),
    ("img_gray_cat", "image", dict(image_size=(3, 3), batch_size=10, shuffle=False, color_mode="grayscale",
                                   label_mode="categorical")),
    ("img_rgba_nolabel", "image", dict(image_size=(2, 3), batch_size=4, shuffle=False, color_mode="rgba",
                                       label_mode=None)),
    ("img_class_names", "image", dict(image_size=(2, 2), batch_size=32, shuffle=False,
                                      class_names=["dogs", "birds", "cats"])),
    ("img_follow", "image", dict(image_size=(2, 2), batch_size=32, shuffle=False, follow_links=True)),
    ("img_val_train", "image", dict(image_size=(2, 2), batch_size=32, shuffle=False, validation_split=0.3,
                                    subset="training")),
    ("img_val_val", "image", dict(image_size=(2, 2), batch_size=32, shuffle=False, validation_split=0.3,
                                  subset="validation")),
    # Shuffled: only the file lists (and hence the subsets) are comparable, not the order of the batches.
    ("img_seed_both", "image", dict(image_size=(2, 2), batch_size=32, shuffle=True, seed=1337,
                                    validation_split=0.25, subset="both")),
    ("img_seed_train", "image", dict(image_size=(2, 2), batch_size=32, shuffle=True, seed=7,
                                     validation_split=0.4, subset="training")),
    ("txt_int", "text", dict(batch_size=3, shuffle=False)),
    ("txt_binary_max", "text", dict(batch_size=4, shuffle=False, label_mode="binary", max_length=9)),
    ("txt_val_val", "text", dict(batch_size=8, shuffle=False, validation_split=0.5, subset="validation")),
    ("txt_seed_both", "text", dict(batch_size=8, shuffle=True, seed=3, validation_split=0.3, subset="both")),
]


def run_case(kind, kwargs):
    kwargs = dict(kwargs)
    if kind.startswith("timeseries"):
        data = np.arange(100, dtype="float32") * 1.5
        if kind == "timeseries2d":
            data = np.arange(60 * 3, dtype="float32").reshape(60, 3)
        targets = data * 10
        if kwargs.pop("no_targets", False):
            targets = None
        if kwargs.pop("short_targets", False):
            targets = targets[:30]
        ds = keras.utils.timeseries_dataset_from_array(data, targets, **kwargs)
        return [(ds, None, None)]
    if kind == "image":
        ds = keras.utils.image_dataset_from_directory(IMAGES, **kwargs)
        directory = IMAGES
    else:
        ds = keras.utils.text_dataset_from_directory(TEXTS, **kwargs)
        directory = TEXTS
    dss = ds if isinstance(ds, list) else [ds]
    return [(d, d.class_names, [os.path.relpath(p, directory) for p in getattr(d, "file_paths", [])] or None)
            for d in dss]


def datasets():
    cases, arrays = [], {}
    for case_id, kind, kwargs in CASES:
        for k, (ds, class_names, file_paths) in enumerate(run_case(kind, kwargs)):
            cid = case_id if k == 0 else f"{case_id}_{k}"
            shuffled = kwargs.get("shuffle", False)
            batches = batches_of(ds)
            entry = {"id": cid, "kind": kind, "kwargs": kwargs, "part": k, "num_batches": len(batches),
                     "class_names": class_names, "file_paths": file_paths, "shuffled": bool(shuffled)}
            if kind == "text":
                # text file paths are not an attribute in tf-keras: list the texts (order-free when shuffled)
                entry["texts"] = [[t.decode("latin-1") for t in b[0]] for b in batches]
                entry["labels"] = [b[1].tolist() for b in batches] if len(batches[0]) > 1 else None
            else:
                for b, parts in enumerate(batches):
                    for j, a in enumerate(parts):
                        arrays[f"{cid}/{b}/{j}"] = a
            cases.append(entry)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    np.savez_compressed(os.path.join(OUT, "arrays.npz"), **arrays)

    # split_dataset on arrays, shuffled with a seed (Python's random) and not
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10)
    splits = {}
    for sid, kwargs in [("plain", dict(left_size=0.7)), ("seeded", dict(left_size=4, right_size=3, shuffle=True,
                                                                         seed=11))]:
        left, right = keras.utils.split_dataset((x, y), **kwargs)
        splits[sid] = {"kwargs": kwargs, "left": [int(e[1].numpy()) for e in left],
                       "right": [int(e[1].numpy()) for e in right]}
    with open(os.path.join(OUT, "split.json"), "w") as f:
        json.dump(splits, f, indent=1)


ADAFACTOR_VARS = [("dense/kernel", (3, 4)), ("dense/bias", (4,)), ("conv2d/kernel", (2, 2, 1, 3))]
ADAFACTOR_CASES = [
    ("default", {}),
    ("lr_abs", dict(learning_rate=0.01, relative_step=False, clip_threshold=0.5)),
    ("big_lr", dict(learning_rate=0.5, beta_2_decay=-0.5, epsilon_2=0.1)),
    ("small_clip", dict(learning_rate=0.05, clip_threshold=0.1, epsilon_1=1e-3)),
    ("schedule", dict(learning_rate={"class_name": "ExponentialDecay",
                                     "config": {"initial_learning_rate": 0.1, "decay_steps": 2,
                                                "decay_rate": 0.5}})),
]


def adafactor():
    rng = np.random.RandomState(42)
    init = [rng.randn(*shape).astype("float32") * 0.5 for _, shape in ADAFACTOR_VARS]
    grads = [[rng.randn(*shape).astype("float32") for _, shape in ADAFACTOR_VARS] for _ in range(5)]
    arrays = {f"init/{i}": a for i, a in enumerate(init)}
    for s, gs in enumerate(grads):
        for i, g in enumerate(gs):
            arrays[f"grad/{s}/{i}"] = g
    cases = []
    for cid, kwargs in ADAFACTOR_CASES:
        kw = dict(kwargs)
        if isinstance(kw.get("learning_rate"), dict):
            kw["learning_rate"] = keras.optimizers.schedules.deserialize(kw["learning_rate"])
        opt = keras.optimizers.Adafactor(**kw)
        variables = [tf.Variable(a, name=n.split("/")[1]) for a, (n, _) in zip(init, ADAFACTOR_VARS)]
        for s, gs in enumerate(grads):
            opt.apply_gradients(zip([tf.constant(g) for g in gs], variables))
            for i, v in enumerate(variables):
                arrays[f"{cid}/var/{s}/{i}"] = v.numpy()
        names = [v.name for v in opt.variables]
        for j, v in enumerate(opt.variables):
            arrays[f"{cid}/opt/{j}"] = np.asarray(v.numpy())
        cfg = opt.get_config()
        cases.append({"id": cid, "kwargs": kwargs, "config": json.loads(json.dumps(cfg, default=str)),
                      "serialized": json.loads(json.dumps(keras.optimizers.serialize(opt), default=str)),
                      "opt_variables": names, "opt_shapes": [list(v.shape) for v in opt.variables]})
    with open(os.path.join(OUT, "adafactor.json"), "w") as f:
        json.dump({"variables": [[n, list(s)] for n, s in ADAFACTOR_VARS], "cases": cases}, f, indent=1)
    np.savez_compressed(os.path.join(OUT, "adafactor.npz"), **arrays)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write_trees()
    datasets()
    adafactor()
    print("wrote", OUT)
