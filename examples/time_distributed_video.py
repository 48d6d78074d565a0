"""From image classifier to video classifier in one line: TimeDistributed(model) (seeds 000, 003, 004).

The functional MLP classifies one 784-dimensional frame; wrapped in
TimeDistributed it classifies each of the 20 frames of a sequence, with the
same weights.

    python examples/time_distributed_video.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Input, Dense, TimeDistributed
from fastkeras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (32, 1) if SMALL else (500, 5)

# The per-frame classifier: the functional MLP of the seeds.
inputs = Input(shape=(784,))
x = Dense(64, activation='relu')(inputs)
x = Dense(64, activation='relu')(x)
predictions = Dense(10, activation='softmax')(x)
model = Model(inputs=inputs, outputs=predictions)

# --- the seeds' code ---
# Input tensor for sequences of 20 timesteps,
# each containing a 784-dimensional vector
input_sequences = Input(shape=(20, 784))

# This applies our previous model to every timestep in the input sequences.
# the output of the previous model was a 10-way softmax,
# so the output of the layer below will be a sequence of 20 vectors of size 10.
processed_sequences = TimeDistributed(model)(input_sequences)
# --- end of the seeds' code ---

# Not in the seeds: a model around the sequence output, so that there is something to fit.
video_model = Model(input_sequences, processed_sequences)
video_model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
video_model.summary()

videos = np.random.random((num_samples, 20, 784))
frame_labels = keras.utils.to_categorical(np.random.randint(10, size=(num_samples, 20)), num_classes=10)
history = video_model.fit(videos, frame_labels, epochs=epochs, batch_size=16, verbose=2 if SMALL else 1)

assert processed_sequences.shape == (None, 20, 10), processed_sequences.shape
assert np.isfinite(history.history['loss'][-1])
# The wrapped model's weights are the video model's weights: frame 3 of a video is classified
# exactly as the frame alone.
np.testing.assert_allclose(video_model.predict(videos[:4], verbose=0)[:, 3],
                           model.predict(videos[:4, 3], verbose=0), rtol=1e-5, atol=1e-6)
