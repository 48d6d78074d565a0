"""A VGG-like convnet (the Keras 2 Sequential guide; seed 001's convnet is its first half).

Two blocks of two 3x3 convolutions, max pooling and dropout, then a dense
classifier with dropout, trained with SGD with Nesterov momentum on random
100x100 RGB images.

    python examples/vgg_convnet.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.models import Sequential
from fastkeras.layers import Dense, Dropout, Flatten
from fastkeras.layers import Conv2D, MaxPooling2D
from fastkeras.optimizers import SGD

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (8, 1) if SMALL else (100, 10)

x_train = np.random.random((num_samples, 100, 100, 3))
y_train = keras.utils.to_categorical(np.random.randint(10, size=(num_samples, 1)), num_classes=10)
x_test = np.random.random((num_samples // 5, 100, 100, 3))
y_test = keras.utils.to_categorical(np.random.randint(10, size=(num_samples // 5, 1)), num_classes=10)

model = Sequential()
# input: 100x100 images with 3 channels -> (100, 100, 3) tensors.
model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(100, 100, 3)))
model.add(Conv2D(32, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))

model.add(Conv2D(64, (3, 3), activation='relu'))
model.add(Conv2D(64, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))

model.add(Flatten())
model.add(Dense(256, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))

sgd = SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd)
model.summary()

history = model.fit(x_train, y_train, batch_size=8 if SMALL else 32, epochs=epochs, verbose=2 if SMALL else 1)
score = model.evaluate(x_test, y_test, batch_size=32, verbose=0)
print('test loss:', score)

# 100 -> 98 -> 96 -> 48 (pool) -> 46 -> 44 -> 22 (pool); 22 * 22 * 64 = 30976.
assert model.layers[3].output_shape == (None, 48, 48, 32)
assert model.layers[8].output_shape == (None, 30976), model.layers[8].output_shape
assert np.isfinite(score) and np.isfinite(history.history['loss'][-1])
