"""The seed's convolutional network: two 3x3 convolutions, pooling, a dense classifier (seed 001).

Input: 100x100 RGB images. The seed's comments give (None, 49, 49, 32) after
the pooling and (None, 76832) after Flatten, but its own layers give
(None, 48, 48, 32) and (None, 73728): each valid 3x3 convolution takes 2
pixels (100 -> 98 -> 96) and the 2x2 pooling halves (96 -> 48). This script
prints and checks the shapes the code really gives.

    python examples/convnet.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.models import Sequential
from fastkeras.layers import Dense, Dropout, Flatten
from fastkeras.layers import Conv2D, MaxPooling2D

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (8, 1) if SMALL else (200, 5)

# --- the seed's code ---
model = Sequential()
# input: 100x100 images with 3 channels -> (100, 100, 3) tensors.
# this applies 32 convolution filters of size 3x3 each -> Conv2D(32, (3, 3)).
model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(100, 100, 3)))
model.add(Conv2D(32, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
pooled_shape = model.output_shape   # the seed's comment says (None, 49, 49, 32)
model.add(Flatten())
flat_shape = model.output_shape     # the seed's comment says (None, 76832)
model.add(Dense(256, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))
# --- end of the seed's code ---

print('after pooling:', pooled_shape, ' after Flatten:', flat_shape)
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
model.summary()

x_train = np.random.random((num_samples, 100, 100, 3))
y_train = keras.utils.to_categorical(np.random.randint(10, size=(num_samples, 1)), num_classes=10)
history = model.fit(x_train, y_train, batch_size=8 if SMALL else 32, epochs=epochs, verbose=2 if SMALL else 1)

assert pooled_shape == (None, 48, 48, 32), pooled_shape
assert flat_shape == (None, 73728), flat_shape
assert np.isfinite(history.history['loss'][-1])
