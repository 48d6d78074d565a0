"""The functional API's first model: a fully connected network (seeds 000-004).

Three Dense layers built with Input/Model instead of Sequential, trained on
random vectors; then the trained model is called on a new Input like a layer,
which reuses its weights.

    python examples/functional_mlp.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Input, Dense
from fastkeras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (64, 1) if SMALL else (1000, 10)
data = np.random.random((num_samples, 784))
labels = keras.utils.to_categorical(np.random.randint(10, size=(num_samples, 1)), num_classes=10)

# --- the seeds' code ---
# This returns a tensor
inputs = Input(shape=(784,))

# a layer instance is callable on a tensor, and returns a tensor
x = Dense(64, activation='relu')(inputs)
x = Dense(64, activation='relu')(x)
predictions = Dense(10, activation='softmax')(x)

# This creates a model that includes
# the Input layer and three Dense layers
model = Model(inputs=inputs, outputs=predictions)
model.compile(optimizer='rmsprop',
              loss='categorical_crossentropy',
              metrics=['accuracy'])
model.summary()
history = model.fit(data, labels, epochs=epochs, verbose=2 if SMALL else 1)  # starts training

# All models are callable, just like layers: this reuses the architecture and the weights.
x = Input(shape=(784,))
# This works, and returns the 10-way softmax we defined above.
y = model(x)
# --- end of the seeds' code ---

assert y.shape == (None, 10), y.shape
assert np.isfinite(history.history['loss'][-1])
# Calling the model on a new input changes nothing in its weights: same predictions both ways.
reused = Model(x, y)
np.testing.assert_allclose(reused.predict(data[:8], verbose=0), model.predict(data[:8], verbose=0), rtol=1e-6)
