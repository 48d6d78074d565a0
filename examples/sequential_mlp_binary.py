"""A Sequential MLP for binary classification (the Keras 2 Sequential guide, not in the seeds).

Two Dense(64) layers with dropout on 20-dimensional vectors, one sigmoid
unit, binary cross-entropy.

    python examples/sequential_mlp_binary.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.models import Sequential
from fastkeras.layers import Dense, Dropout

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (64, 1) if SMALL else (1000, 20)

# Dummy data: 20 random features, a random 0/1 label.
x_train = np.random.random((num_samples, 20))
y_train = np.random.randint(2, size=(num_samples, 1))
x_test = np.random.random((num_samples // 10, 20))
y_test = np.random.randint(2, size=(num_samples // 10, 1))

model = Sequential()
model.add(Dense(64, input_dim=20, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(64, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(1, activation='sigmoid'))

model.compile(loss='binary_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])
model.summary()

history = model.fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=2 if SMALL else 1)
score = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
print('test loss, test accuracy:', score)

assert model.output_shape == (None, 1)
assert 0.0 <= score[1] <= 1.0
assert np.isfinite(history.history['loss'][-1])
