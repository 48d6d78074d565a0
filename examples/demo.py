"""The main job: the seeds' "are these two digits the same?" model, trained on real handwritten digits.

A shared vision model (two Conv2D layers, max pooling, Flatten) reads both
digits of a pair; its two encodings are concatenated and a small classifier
says whether the digits are the same. The 8x8 digits ship inside scikit-learn,
so nothing is downloaded. The script prints the model summary and Keras'
progress bar, reports test accuracy, and writes to the output folder the saved
model (.keras and .h5), a PNG of the model graph and a PNG of the training
curves. It uses the GPU when there is one.
"""
import argparse
import os
import time

import numpy as np
from sklearn.datasets import load_digits

import fastkeras as keras
from fastkeras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D, concatenate
from fastkeras.models import Model


def make_pairs(images, labels, n_pairs, rng):
    """Half the pairs show the same digit twice (different handwriting), half two different digits."""
    by_class = [np.flatnonzero(labels == c) for c in range(10)]
    first = rng.integers(0, len(images), n_pairs)
    same = rng.random(n_pairs) < 0.5
    second = np.empty(n_pairs, dtype=np.int64)
    for i, (a, s) in enumerate(zip(first, same)):
        if s:
            second[i] = rng.choice(by_class[labels[a]])
        else:
            other = (labels[a] + rng.integers(1, 10)) % 10
            second[i] = rng.choice(by_class[other])
    return images[first], images[second], same.astype("float32")[:, None]


def build_model():
    # The shared vision model of the seeds, sized for 8x8 digits.
    digit_input = Input(shape=(8, 8, 1))
    x = Conv2D(32, (3, 3), activation="relu", padding="same")(digit_input)
    x = Conv2D(32, (3, 3), activation="relu")(x)
    x = MaxPooling2D((2, 2))(x)
    out = Flatten()(x)
    vision_model = Model(digit_input, out, name="vision_model")

    digit_a = Input(shape=(8, 8, 1), name="digit_a")
    digit_b = Input(shape=(8, 8, 1), name="digit_b")
    # The vision model is shared: its weights serve both digits.
    concatenated = concatenate([vision_model(digit_a), vision_model(digit_b)])
    hidden = Dense(64, activation="relu")(concatenated)
    out = Dense(1, activation="sigmoid", name="same_digit")(hidden)
    return Model([digit_a, digit_b], out, name="same_digit_model")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--pairs", type=int, default=24000, help="training pairs")
    parser.add_argument("--out", default="output")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)

    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[..., None]
    labels = digits.target
    # Separate writers' digits for training and testing: split the images, then pair within each split.
    order = rng.permutation(len(images))
    split = int(0.8 * len(images))
    train_idx, test_idx = order[:split], order[split:]
    xa, xb, y = make_pairs(images[train_idx], labels[train_idx], args.pairs, rng)
    ta, tb, ty = make_pairs(images[test_idx], labels[test_idx], max(2000, args.pairs // 5), rng)

    model = build_model()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    model.summary()

    start = time.perf_counter()
    history = model.fit([xa, xb], y, epochs=args.epochs, batch_size=64, validation_split=0.1)
    print(f"trained in {time.perf_counter() - start:.1f} s on {keras.backend.default_device()}")
    loss, accuracy = model.evaluate([ta, tb], ty, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f} on {len(ty)} unseen pairs")

    os.makedirs(args.out, exist_ok=True)
    written = []
    for name in ("same_digit_model.keras", "same_digit_model.h5"):
        path = os.path.join(args.out, name)
        model.save(path)
        written.append(path)
    restored = keras.models.load_model(written[0])
    same = np.allclose(restored.predict([ta[:64], tb[:64]], verbose=0), model.predict([ta[:64], tb[:64]], verbose=0),
                       atol=1e-6)
    print(f"reloaded {written[0]}: predictions {'match' if same else 'DIFFER'}")
    for what, path, draw in (
            ("model graph", os.path.join(args.out, "model.png"),
             lambda p: keras.utils.plot_model(model, to_file=p, show_shapes=True, expand_nested=True)),
            ("training curves", os.path.join(args.out, "training_curves.png"),
             lambda p: keras.utils.plot_history(history, to_file=p))):
        try:
            draw(path)
            written.append(path)
        except ImportError as e:  # Graphviz or matplotlib missing: say so, keep the rest.
            print(f"skipped the {what}: {e}")
    print("wrote " + ", ".join(written))


if __name__ == "__main__":
    main()
