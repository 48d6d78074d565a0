"""The smallest functional model: one Input, one Dense (seed 001).

Model(inputs=a, outputs=b) with b = Dense(32)(a), trained as a linear
regression onto a fixed random linear map, then inspected with the model
methods seed 001 lists (get_config, get_layer, get/set_weights, to_json).

    python examples/functional_single_dense.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.models import Model, model_from_json
from fastkeras.layers import Input, Dense

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (64, 1) if SMALL else (2000, 20)

# --- the seed's code ---
a = Input(shape=(32,))
b = Dense(32)(a)
model = Model(inputs=a, outputs=b)
# --- end of the seed's code ---

model.compile(optimizer='rmsprop', loss='mse', metrics=['mae'])
model.summary()
true_map = np.random.standard_normal((32, 32)) / np.sqrt(32)
data = np.random.standard_normal((num_samples, 32))
history = model.fit(data, data @ true_map, epochs=epochs, batch_size=32, verbose=2 if SMALL else 1)

# The model methods listed in seed 001.
config = model.get_config()
dense = model.get_layer(index=1)
assert model.get_layer(dense.name) is dense
weights = model.get_weights()
clone = model_from_json(model.to_json())
clone.set_weights(weights)
np.testing.assert_allclose(clone.predict(data[:4], verbose=0), model.predict(data[:4], verbose=0), rtol=1e-6)

assert [w.shape for w in weights] == [(32, 32), (32,)]
assert config['layers'][1]['class_name'] == 'Dense' and model.output_shape == (None, 32)
assert np.isfinite(history.history['loss'][-1])
