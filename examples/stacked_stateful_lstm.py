"""A stack of three stateful LSTMs (seed 001).

With stateful=True the last state of sample i in one batch is the first
state of sample i in the next batch, so a long sequence can be fed in
consecutive pieces. Stateful layers need the full batch_input_shape, data
whose size is a multiple of the batch size, and shuffle=False; reset_states()
forgets the carried state (here: before every epoch, as for a new pass
over the sequences).

    python examples/stacked_stateful_lstm.py [--small]
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

train_batches, epochs = (2, 1) if SMALL else (10, 5)

# --- the seed's code ---
data_dim = 16
timesteps = 8
num_classes = 10
batch_size = 32

# Expected input batch shape: (batch_size, timesteps, data_dim)
# Note that we have to provide the full batch_input_shape since the network is stateful.
# the sample of index i in batch k is the follow-up for the sample i in batch k-1.
model = Sequential()
model.add(LSTM(32, return_sequences=True, stateful=True,
               batch_input_shape=(batch_size, timesteps, data_dim)))
model.add(LSTM(32, return_sequences=True, stateful=True))
model.add(LSTM(32, stateful=True))
model.add(Dense(10, activation='softmax'))

model.compile(loss='categorical_crossentropy',
              optimizer='rmsprop',
              metrics=['accuracy'])
model.summary()

# Generate dummy training data
x_train = np.random.random((batch_size * train_batches, timesteps, data_dim))
y_train = np.random.random((batch_size * train_batches, num_classes))

# Generate dummy validation data
x_val = np.random.random((batch_size * 3, timesteps, data_dim))
y_val = np.random.random((batch_size * 3, num_classes))
# --- end of the seed's code ---

# The seed calls fit once with epochs=5; one epoch per call with reset_states() in
# between starts every pass over the sequences from a zero state.
for epoch in range(epochs):
    model.reset_states()
    history = model.fit(x_train, y_train,
                        batch_size=batch_size, epochs=1, shuffle=False,
                        validation_data=(x_val, y_val), verbose=2 if SMALL else 1)

assert model.input_shape == (batch_size, timesteps, data_dim), model.input_shape
assert [layer.output_shape for layer in model.layers] == [
    (batch_size, timesteps, 32), (batch_size, timesteps, 32), (batch_size, 32), (batch_size, 10)]
assert np.isfinite(history.history['loss'][-1]) and 'val_loss' in history.history

# The state carries over from call to call until reset_states().
model.reset_states()
once = model.predict(x_val[:batch_size], batch_size=batch_size, verbose=0)
again = model.predict(x_val[:batch_size], batch_size=batch_size, verbose=0)
assert not np.allclose(once, again), 'the second call should start from the state the first one left'
model.reset_states()
assert not any(np.any(keras.backend.get_value(state)) for state in model.layers[0].states)
np.testing.assert_allclose(model.predict(x_val[:batch_size], batch_size=batch_size, verbose=0), once,
                           rtol=1e-5, atol=1e-6)
