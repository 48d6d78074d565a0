"""The headline model: two inputs, two outputs, an auxiliary loss (seeds 000-004).

Predicts from a news headline (100 word indices, vocabulary of 10000) plus 5
extra features whether it will be popular. The LSTM gets a second,
auxiliary output whose loss counts 0.2, so the Embedding and LSTM keep
learning even when the main loss is high. Compiled and trained twice: with
lists (loss_weights=[1., 0.2]) and with dicts keyed by the layer names.

    python examples/multi_input_multi_output.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Input, Embedding, LSTM, Dense
from fastkeras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (64, 1) if SMALL else (320, 50)
verbose = 2 if SMALL else 1
headline_data = np.random.randint(1, 10000, size=(num_samples, 100)).astype('int32')
additional_data = np.random.random((num_samples, 5))
labels = np.random.randint(2, size=(num_samples, 1))

# --- the seeds' code ---
# Headline input: meant to receive sequences of 100 integers, between 1 and 10000.
# Note that we can name any layer by passing it a "name" argument.
main_input = Input(shape=(100,), dtype='int32', name='main_input')

# This embedding layer will encode the input sequence
# into a sequence of dense 512-dimensional vectors.
x = Embedding(output_dim=512, input_dim=10000, input_length=100)(main_input)
embedded = x

# A LSTM will transform the vector sequence into a single vector,
# containing information about the entire sequence
lstm_out = LSTM(32)(x)

auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)

auxiliary_input = Input(shape=(5,), name='aux_input')
x = keras.layers.concatenate([lstm_out, auxiliary_input])

# We stack a deep densely-connected network on top
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)

# And finally we add the main logistic regression layer
main_output = Dense(1, activation='sigmoid', name='main_output')(x)

model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])

model.compile(optimizer='rmsprop', loss='binary_crossentropy',
              loss_weights=[1., 0.2])
model.summary()

history = model.fit([headline_data, additional_data], [labels, labels],
                    epochs=epochs, batch_size=32, verbose=verbose)

# Because the inputs and outputs are named, dicts work as well:
model.compile(optimizer='rmsprop',
              loss={'main_output': 'binary_crossentropy', 'aux_output': 'binary_crossentropy'},
              loss_weights={'main_output': 1., 'aux_output': 0.2})

# And trained it via:
dict_history = model.fit({'main_input': headline_data, 'aux_input': additional_data},
                         {'main_output': labels, 'aux_output': labels},
                         epochs=epochs, batch_size=32, verbose=verbose)

# Prediction, with a dict or with a list (seed 003):
pred = model.predict({'main_input': headline_data, 'aux_input': additional_data}, verbose=0)
pred_from_list = model.predict([headline_data, additional_data], verbose=0)
# --- end of the seeds' code ---

assert embedded.shape == (None, 100, 512), embedded.shape
assert lstm_out.shape == (None, 32), lstm_out.shape
assert [p.shape for p in pred] == [(num_samples, 1), (num_samples, 1)]
np.testing.assert_allclose(pred[0], pred_from_list[0], rtol=1e-6)
np.testing.assert_allclose(pred[1], pred_from_list[1], rtol=1e-6)
for h in (history, dict_history):
    logs = h.history
    assert {'loss', 'main_output_loss', 'aux_output_loss'} <= set(logs), sorted(logs)
    # The total is the weighted sum of the two output losses (no regularizers here).
    np.testing.assert_allclose(logs['loss'][-1],
                               logs['main_output_loss'][-1] + 0.2 * logs['aux_output_loss'][-1], rtol=1e-4)
