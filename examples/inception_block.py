"""An Inception module: three parallel convolution towers, concatenated (seeds 000, 001, 003, 004).

See "Going Deeper with Convolutions" (Szegedy et al.). The seeds concatenate
with axis=1, written for channels_first images; with Keras' default
channels_last the towers are stacked along the image rows, giving
(None, 3 * 256, 256, 64). The code is kept as the seeds write it; axis=-1
would stack the channels instead, giving (None, 256, 256, 192).

    python examples/inception_block.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Conv2D, MaxPooling2D, Input, GlobalAveragePooling2D, Dense
from fastkeras.models import Model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny images and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

# The seeds' images are 256x256; a 5x5 convolution with 64 filters on those costs
# about 7 GFLOP per image, so the small run uses 24x24 images.
size, num_samples, epochs = (24, 8, 1) if SMALL else (256, 64, 2)

# --- the seeds' code ---
input_img = Input(shape=(size, size, 3))

tower_1 = Conv2D(64, (1, 1), padding='same', activation='relu')(input_img)
tower_1 = Conv2D(64, (3, 3), padding='same', activation='relu')(tower_1)

tower_2 = Conv2D(64, (1, 1), padding='same', activation='relu')(input_img)
tower_2 = Conv2D(64, (5, 5), padding='same', activation='relu')(tower_2)

tower_3 = MaxPooling2D((3, 3), strides=(1, 1), padding='same')(input_img)
tower_3 = Conv2D(64, (1, 1), padding='same', activation='relu')(tower_3)

output = keras.layers.concatenate([tower_1, tower_2, tower_3], axis=1)
# --- end of the seeds' code ---

# Not in the seeds: a 10-class head so that there is something to fit.
pooled = GlobalAveragePooling2D()(output)
predictions = Dense(10, activation='softmax')(pooled)
model = Model(input_img, predictions)
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
model.summary()

images = np.random.random((num_samples, size, size, 3))
labels = keras.utils.to_categorical(np.random.randint(10, size=(num_samples, 1)), num_classes=10)
history = model.fit(images, labels, epochs=epochs, batch_size=8, verbose=2 if SMALL else 1)

for tower in (tower_1, tower_2, tower_3):
    assert tower.shape == (None, size, size, 64), tower.shape
assert output.shape == (None, 3 * size, size, 64), output.shape
assert np.isfinite(history.history['loss'][-1])
