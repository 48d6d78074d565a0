"""Layer "nodes": the output and input shape of a layer called more than once (seeds 000-004).

Every call of a layer on a tensor adds a node to it. With one node,
`layer.output` and `layer.input_shape` are clear; with several, `.output`
raises AttributeError and `get_output_at(node_index)` /
`get_input_shape_at(node_index)` say which call is meant. The last part
trains a model that uses both nodes of the shared LSTM.

    python examples/layer_nodes.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Input, LSTM, Dense, Conv2D
from fastkeras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

# --- the seeds' code ---
# One node: `.output` is that node's output.
a = Input(shape=(140, 256))

lstm = LSTM(32)
encoded_a = lstm(a)

assert lstm.output == encoded_a

# Two nodes: `.output` is ill-defined.
a = Input(shape=(140, 256))
b = Input(shape=(140, 256))

lstm = LSTM(32)
encoded_a = lstm(a)
encoded_b = lstm(b)

try:
    lstm.output
except AttributeError as error:
    # Layer lstm_1 has multiple inbound nodes, hence the notion of "layer output"
    # is ill-defined. Use `get_output_at(node_index)` instead.
    print('AttributeError:', error)
    multiple_nodes_error = str(error)
else:
    raise AssertionError('lstm.output on a layer with two nodes should raise AttributeError')

assert lstm.get_output_at(0) == encoded_a
assert lstm.get_output_at(1) == encoded_b

# The same for input_shape / output_shape when the nodes' shapes differ.
a = Input(shape=(32, 32, 3))
b = Input(shape=(64, 64, 3))

conv = Conv2D(16, (3, 3), padding='same')
conved_a = conv(a)

# Only one input so far, the following will work:
assert conv.input_shape == (None, 32, 32, 3)

conved_b = conv(b)
# now the `.input_shape` property wouldn't work, but this does:
assert conv.get_input_shape_at(0) == (None, 32, 32, 3)
assert conv.get_input_shape_at(1) == (None, 64, 64, 3)
# --- end of the seeds' code ---

assert 'multiple inbound nodes' in multiple_nodes_error and 'get_output_at' in multiple_nodes_error
try:
    conv.input_shape
except AttributeError as error:
    print('AttributeError:', error)
else:
    raise AssertionError('conv.input_shape with two differently shaped nodes should raise AttributeError')
assert conv.get_output_shape_at(0) == (None, 32, 32, 16)
assert conv.get_output_shape_at(1) == (None, 64, 64, 16)

# Not in the seeds: train a model that goes through both nodes of the shared LSTM (the
# tweet pairs of shared_lstm_tweets.py with random data).
num_samples, timesteps = (16, 12) if SMALL else (256, 140)
a = Input(shape=(timesteps, 256), name='tweet_a')
b = Input(shape=(timesteps, 256), name='tweet_b')
lstm = LSTM(32)
same_author = Dense(1, activation='sigmoid')(keras.layers.concatenate([lstm(a), lstm(b)]))
model = Model([a, b], same_author)
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
model.summary()
data_a = np.random.random((num_samples, timesteps, 256))
data_b = np.random.random((num_samples, timesteps, 256))
labels = np.random.randint(2, size=(num_samples, 1))
history = model.fit([data_a, data_b], labels, epochs=1 if SMALL else 5, verbose=2 if SMALL else 1)
assert lstm.get_input_shape_at(0) == lstm.get_input_shape_at(1) == (None, timesteps, 256)
# Both nodes have the same shapes, so the layer-level shape is well defined again.
assert lstm.input_shape == (None, timesteps, 256) and lstm.output_shape == (None, 32)
assert np.isfinite(history.history['loss'][-1])
