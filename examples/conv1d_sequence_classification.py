"""Sequence classification with 1D convolutions (the Keras 2 Sequential guide, not in the seeds).

Sequences of 64 steps with 100 features each go through two pairs of
Conv1D layers with max pooling in between, global average pooling, dropout
and a sigmoid unit.

    python examples/conv1d_sequence_classification.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.models import Sequential
from fastkeras.layers import Dense, Dropout
from fastkeras.layers import Conv1D, GlobalAveragePooling1D, MaxPooling1D

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

seq_length = 64
num_samples, epochs = (32, 1) if SMALL else (1000, 10)

x_train = np.random.random((num_samples, seq_length, 100))
y_train = np.random.randint(2, size=(num_samples, 1))
x_test = np.random.random((num_samples // 4, seq_length, 100))
y_test = np.random.randint(2, size=(num_samples // 4, 1))

model = Sequential()
model.add(Conv1D(64, 3, activation='relu', input_shape=(seq_length, 100)))
model.add(Conv1D(64, 3, activation='relu'))
model.add(MaxPooling1D(3))
model.add(Conv1D(128, 3, activation='relu'))
model.add(Conv1D(128, 3, activation='relu'))
model.add(GlobalAveragePooling1D())
model.add(Dropout(0.5))
model.add(Dense(1, activation='sigmoid'))

model.compile(loss='binary_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])
model.summary()

history = model.fit(x_train, y_train, batch_size=16, epochs=epochs, verbose=2 if SMALL else 1)
score = model.evaluate(x_test, y_test, batch_size=16, verbose=0)
print('test loss, test accuracy:', score)

# 64 -> 62 -> 60 (valid convolutions) -> 20 (pooling by 3) -> 18 -> 16.
assert model.layers[2].output_shape == (None, 20, 64), model.layers[2].output_shape
assert model.layers[4].output_shape == (None, 16, 128), model.layers[4].output_shape
assert np.isfinite(history.history['loss'][-1])
