"""A shared vision model: are these two digits the same? (seeds 000, 001, 003, 004).

One small convnet (itself a Model) encodes both 27x27 images, weights and
all; a logistic regression on the two codes says whether they show the same
digit. The "digits" here are generated: ten fixed random stroke patterns, shifted by
up to a pixel and noised (examples/demo.py trains on real handwritten digits).

The seed's head is one logistic unit on the two concatenated codes, so its
logit is a score of the first image plus a score of the second: it cannot
separate "same" from "different" pairs and stays near chance. The script
then trains a second model on the same shared vision model with a hidden
ReLU layer on the codes, which can.

    python examples/shared_vision_model.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Conv2D, MaxPooling2D, Input, Dense, Flatten
from fastkeras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_pairs, epochs = (32, 1) if SMALL else (2000, 5)
rng = np.random.default_rng(0)
prototypes = (rng.random((10, 27, 27)) < 0.15).astype('float32')


def draw(digits):
    """Images of the given digit classes: the class pattern, shifted and noised."""
    shifts = rng.integers(-1, 2, size=(len(digits), 2))
    images = np.stack([np.roll(prototypes[d], tuple(s), axis=(0, 1)) for d, s in zip(digits, shifts)])
    images += 0.3 * rng.standard_normal(images.shape).astype('float32')
    return images[..., None]


def make_pairs(n):
    first = rng.integers(10, size=n)
    same = rng.integers(2, size=n)
    second = np.where(same == 1, first, (first + rng.integers(1, 10, size=n)) % 10)
    return draw(first), draw(second), same[:, None].astype('float32')


# --- the seeds' code ---
# First, define the vision modules
digit_input = Input(shape=(27, 27, 1))
x = Conv2D(64, (3, 3))(digit_input)
x = Conv2D(64, (3, 3))(x)
x = MaxPooling2D((2, 2))(x)
out = Flatten()(x)

vision_model = Model(digit_input, out)

# Then define the tell-digits-apart model
digit_a = Input(shape=(27, 27, 1))
digit_b = Input(shape=(27, 27, 1))

# The vision model will be shared, weights and all
out_a = vision_model(digit_a)
out_b = vision_model(digit_b)

concatenated = keras.layers.concatenate([out_a, out_b])
out = Dense(1, activation='sigmoid')(concatenated)

classification_model = Model([digit_a, digit_b], out)
# --- end of the seeds' code ---

classification_model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
vision_model.summary()
classification_model.summary()

train_a, train_b, train_same = make_pairs(num_pairs)
test_a, test_b, test_same = make_pairs(num_pairs // 4)
verbose = 2 if SMALL else 1
history = classification_model.fit([train_a, train_b], train_same, epochs=epochs, batch_size=32,
                                   validation_split=0.1, verbose=verbose)
loss, accuracy = classification_model.evaluate([test_a, test_b], test_same, verbose=0)
print(f"the seed's model, test accuracy: {accuracy:.3f}")

# Not in the seeds: a hidden layer between the codes and the answer, on the same vision model
# (a third and fourth node of it, weights and all).
hidden = Dense(64, activation='relu')(keras.layers.concatenate([vision_model(digit_a), vision_model(digit_b)]))
comparison_model = Model([digit_a, digit_b], Dense(1, activation='sigmoid')(hidden))
comparison_model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
comparison_model.summary()
comparison_model.fit([train_a, train_b], train_same, epochs=epochs, batch_size=32, validation_split=0.1,
                     verbose=verbose)
loss, hidden_accuracy = comparison_model.evaluate([test_a, test_b], test_same, verbose=0)
print(f"with a hidden layer, test accuracy: {hidden_accuracy:.3f}")

# 27 -> 25 -> 23 (two valid 3x3 convolutions) -> 11 (2x2 pooling); 11 * 11 * 64 = 7744.
assert vision_model.output_shape == (None, 7744), vision_model.output_shape
assert concatenated.shape == (None, 2 * 7744), concatenated.shape
# The vision model appears once among the layers, with two nodes in this graph.
assert len(classification_model.trainable_weights) == 4 + 2
assert np.isfinite(history.history['loss'][-1])
