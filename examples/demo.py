"""The main job: a Keras 2 functional model trained on real handwritten digits.

The 8x8 digits ship inside scikit-learn, so nothing is downloaded. Prints the
model summary and Keras' progress bar, reports test accuracy, and writes the
weights and the model config to output/.
"""
import argparse
import os
import time

import numpy as np
from sklearn.datasets import load_digits

import fastkeras as keras
from fastkeras.layers import Dense, Dropout, Input
from fastkeras.models import Model


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--out", default="output")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)

    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    y = keras.utils.to_categorical(digits.target, num_classes=10)
    order = np.random.permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    x_train, y_train, x_test, y_test = x[:split], y[:split], x[split:], y[split:]

    inputs = Input(shape=(64,), name="pixels")
    h = Dense(128, activation="relu")(inputs)
    h = Dropout(0.2)(h)
    h = Dense(64, activation="relu")(h)
    outputs = Dense(10, activation="softmax", name="digit")(h)
    model = Model(inputs, outputs, name="digits_mlp")
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    model.summary()

    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=32, validation_split=0.1, verbose=2)
    print(f"trained in {time.perf_counter() - start:.1f} s")
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")

    os.makedirs(args.out, exist_ok=True)
    model.save_weights(os.path.join(args.out, "digits_mlp.weights.h5"))
    with open(os.path.join(args.out, "digits_mlp.json"), "w") as f:
        f.write(model.to_json())
    print(f"wrote {args.out}/digits_mlp.weights.h5 and {args.out}/digits_mlp.json")


if __name__ == "__main__":
    main()
