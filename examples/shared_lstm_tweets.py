"""Shared layer: one LSTM encodes both tweets of a pair (seeds 000-004).

Do two tweets come from the same author? Each tweet is a (140, 256) one-hot
matrix of characters (seeds 002-004 use 280 characters; seeds 000-001 use
140). The same LSTM instance, weights and all, encodes both, and a logistic
regression on the two codes gives the probability.

    python examples/shared_lstm_tweets.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Input, LSTM, Dense
from fastkeras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (32, 1) if SMALL else (512, 10)


def one_hot_tweets(n):
    """n random tweets of 140 characters, each character one-hot over 256."""
    chars = np.random.randint(256, size=(n, 140))
    return np.eye(256, dtype='float32')[chars]


data_a = one_hot_tweets(num_samples)
data_b = one_hot_tweets(num_samples)
labels = np.random.randint(2, size=(num_samples, 1))

# --- the seeds' code ---
tweet_a = Input(shape=(140, 256))
tweet_b = Input(shape=(140, 256))

# This layer can take as input a matrix
# and will return a vector of size 64
shared_lstm = LSTM(64)

# When we reuse the same layer instance
# multiple times, the weights of the layer
# are also being reused
# (it is effectively *the same* layer)
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_b)

# We can then concatenate the two vectors:
merged_vector = keras.layers.concatenate([encoded_a, encoded_b], axis=-1)

# And add a logistic regression on top
predictions = Dense(1, activation='sigmoid')(merged_vector)

# We define a trainable model linking the
# tweet inputs to the predictions
model = Model(inputs=[tweet_a, tweet_b], outputs=predictions)

model.compile(optimizer='rmsprop',
              loss='binary_crossentropy',
              metrics=['accuracy'])
model.summary()
history = model.fit([data_a, data_b], labels, epochs=epochs, verbose=2 if SMALL else 1)
# --- end of the seeds' code ---

assert encoded_a.shape == (None, 64) and encoded_b.shape == (None, 64)
assert merged_vector.shape == (None, 128), merged_vector.shape
# One LSTM, one set of weights: kernel, recurrent_kernel, bias.
assert len(shared_lstm.weights) == 3 and len(model.trainable_weights) == 5
assert np.isfinite(history.history['loss'][-1])
