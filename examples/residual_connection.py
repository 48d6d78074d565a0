"""A residual connection on a convolution layer: z = x + conv(x) (seeds 000, 003, 004).

See "Deep Residual Learning for Image Recognition" (He et al.). The 3x3
convolution keeps the 3 channels of the input so that the two can be added.

    python examples/residual_connection.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Conv2D, Input, Flatten, Dense
from fastkeras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny data and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

num_samples, epochs = (8, 1) if SMALL else (256, 5)

# --- the seeds' code ---
# input tensor for a 3-channel 256x256 image
x = Input(shape=(256, 256, 3))
# 3x3 conv with 3 output channels (same as input channels)
y = Conv2D(3, (3, 3), padding='same')(x)
# this returns x + y.
z = keras.layers.add([x, y])
# --- end of the seeds' code ---

# First the block alone: with the convolution's weights at zero it is the identity.
block = Model(x, z)
block.summary()
images = np.random.random((num_samples, 256, 256, 3)).astype('float32')
conv = block.layers[1]
saved = conv.get_weights()
conv.set_weights([np.zeros_like(w) for w in saved])
np.testing.assert_allclose(block.predict(images[:2], verbose=0), images[:2], rtol=1e-6)
conv.set_weights(saved)

# Not in the seeds: a binary head so that there is something to fit.
out = Dense(1, activation='sigmoid')(Flatten()(z))
model = Model(x, out)
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
model.summary()
labels = np.random.randint(2, size=(num_samples, 1))
history = model.fit(images, labels, epochs=epochs, batch_size=8, verbose=2 if SMALL else 1)

assert y.shape == (None, 256, 256, 3) and z.shape == (None, 256, 256, 3), (y.shape, z.shape)
assert np.isfinite(history.history['loss'][-1])
