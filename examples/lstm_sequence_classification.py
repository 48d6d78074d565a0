"""Sequence classification with an LSTM (the Keras 2 Sequential guide, not in the seeds).

Word indices below 1024 are embedded in 256 dimensions, an LSTM(128) reads
the sequence, and a sigmoid unit classifies it.

    python examples/lstm_sequence_classification.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.models import Sequential
from fastkeras.layers import Dense, Dropout
from fastkeras.layers import Embedding
from fastkeras.layers import LSTM

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

max_features = 1024
num_samples, seq_length, epochs = (32, 10, 1) if SMALL else (1000, 80, 10)

x_train = np.random.randint(1, max_features, size=(num_samples, seq_length))
y_train = np.random.randint(2, size=(num_samples, 1))
x_test = np.random.randint(1, max_features, size=(num_samples // 4, seq_length))
y_test = np.random.randint(2, size=(num_samples // 4, 1))

model = Sequential()
model.add(Embedding(max_features, output_dim=256))
model.add(LSTM(128))
model.add(Dropout(0.5))
model.add(Dense(1, activation='sigmoid'))

model.compile(loss='binary_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])

history = model.fit(x_train, y_train, batch_size=16, epochs=epochs, verbose=2 if SMALL else 1)
model.summary()   # after fit: the model has no input shape until it first sees data
score = model.evaluate(x_test, y_test, batch_size=16, verbose=0)
print('test loss, test accuracy:', score)

# tf-keras builds a Sequential model first fitted without an input shape with an unknown length.
assert model.layers[0].output_shape[-1] == 256, model.layers[0].output_shape
assert model.output_shape == (None, 1)
assert np.isfinite(history.history['loss'][-1])
