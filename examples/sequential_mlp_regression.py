"""A Sequential MLP for regression (a common Keras 2 pattern, not in the seeds).

Predicts a noisy smooth function of 13 features (the width of Boston
housing) with mean squared error, reporting mean absolute error; the
features are normalised with keras.utils.normalize.

    python examples/sequential_mlp_regression.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.models import Sequential
from fastkeras.layers import Dense

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (64, 1) if SMALL else (2000, 30)

features = np.random.standard_normal((num_samples, 13))
targets = np.sin(features[:, :3]).sum(axis=1, keepdims=True) + 0.1 * np.random.standard_normal((num_samples, 1))
features = keras.utils.normalize(features, axis=0)

model = Sequential()
model.add(Dense(64, activation='relu', input_shape=(13,)))
model.add(Dense(64, activation='relu'))
model.add(Dense(1))
model.compile(optimizer='rmsprop', loss='mse', metrics=['mae'])
model.summary()

history = model.fit(features, targets, epochs=epochs, batch_size=32, validation_split=0.2,
                    verbose=2 if SMALL else 1)
mse, mae = model.evaluate(features, targets, verbose=0)
print(f'mse {mse:.4f}, mae {mae:.4f}')

assert model.output_shape == (None, 1)
assert {'loss', 'mae', 'val_loss', 'val_mae'} <= set(history.history), sorted(history.history)
assert np.isfinite(mse) and mae >= 0.0
