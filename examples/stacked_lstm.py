"""Three stacked LSTMs for sequence classification (the Keras 2 Sequential guide, not in the seeds).

The first two LSTMs return their whole output sequence so that the next one
can read it; the last returns only its final output, classified into 10
classes. stacked_stateful_lstm.py is the stateful version (seed 001).

    python examples/stacked_lstm.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.models import Sequential
from fastkeras.layers import LSTM, Dense

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

data_dim = 16
timesteps = 8
num_classes = 10
num_samples, epochs = (64, 1) if SMALL else (1000, 5)

# expected input data shape: (batch_size, timesteps, data_dim)
model = Sequential()
model.add(LSTM(32, return_sequences=True,
               input_shape=(timesteps, data_dim)))  # returns a sequence of vectors of dimension 32
model.add(LSTM(32, return_sequences=True))  # returns a sequence of vectors of dimension 32
model.add(LSTM(32))  # return a single vector of dimension 32
model.add(Dense(10, activation='softmax'))

model.compile(loss='categorical_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])
model.summary()

# Generate dummy training data
x_train = np.random.random((num_samples, timesteps, data_dim))
y_train = np.random.random((num_samples, num_classes))

# Generate dummy validation data
x_val = np.random.random((num_samples // 10, timesteps, data_dim))
y_val = np.random.random((num_samples // 10, num_classes))

history = model.fit(x_train, y_train,
                    batch_size=64, epochs=epochs,
                    validation_data=(x_val, y_val), verbose=2 if SMALL else 1)

assert [layer.output_shape for layer in model.layers] == [
    (None, timesteps, 32), (None, timesteps, 32), (None, 32), (None, 10)]
assert np.isfinite(history.history['loss'][-1]) and 'val_accuracy' in history.history
