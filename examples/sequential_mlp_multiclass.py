"""A Sequential MLP for 10-class classification on dummy data (seed 001).

Dense(32, relu) on 100-dimensional vectors, then a 10-way softmax; labels
are one-hot encoded with keras.utils.to_categorical. Evaluated on a held-out
set of the same kind.

    python examples/sequential_mlp_multiclass.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.models import Sequential
from fastkeras.layers import Dense, Activation  # noqa: F401  (the seed imports Activation too)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (64, 1) if SMALL else (1000, 10)

# --- the seed's code ---
# For a single-input model with 10 classes (categorical classification):
model = Sequential()
# Dense(32) is a fully-connected layer with 32 hidden units.
# in the first layer, you must specify the expected input data shape:
# here, 100-dimensional vectors.
model.add(Dense(32, activation='relu', input_dim=100))
model.add(Dense(10, activation='softmax'))
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
model.summary()

# Generate dummy data
data = np.random.random((num_samples, 100))
labels = np.random.randint(10, size=(num_samples, 1))

# Convert labels to categorical one-hot encoding
one_hot_labels = keras.utils.to_categorical(labels, num_classes=10)

# Train the model, iterating on the data in batches of 32 samples
history = model.fit(data, one_hot_labels, epochs=epochs, batch_size=32, verbose=2 if SMALL else 1)

x_test = np.random.random((num_samples // 4, 100))
y_test = keras.utils.to_categorical(np.random.randint(10, size=(num_samples // 4, 1)), num_classes=10)
score = model.evaluate(x_test, y_test, batch_size=32)
# --- end of the seed's code ---

print('test loss, test accuracy:', score)
assert one_hot_labels.shape == (num_samples, 10)
assert model.output_shape == (None, 10), model.output_shape
assert len(score) == 2 and 0.0 <= score[1] <= 1.0
assert np.isfinite(history.history['loss'][-1])
