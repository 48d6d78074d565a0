"""Visual question answering: an image and a question in, a one-word answer out (seeds 000, 001, 003, 004).

A Sequential VGG-like convnet encodes the image, an Embedding + LSTM encodes
the question (up to 100 word indices below 10000), and a softmax over 1000
candidate answers sits on the two codes. Trained on random images,
questions and answers.

At the seeds' size (224x224 images, a 160000-wide image code, 160M weights
in the answer layer) a run wants a GPU; --small uses 32x32 images and
10-word questions.

    python examples/visual_qa.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Conv2D, MaxPooling2D, Flatten
from fastkeras.layers import Input, LSTM, Embedding, Dense
from fastkeras.models import Model, Sequential

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny images and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

size, question_length, num_samples = (32, 10, 8) if SMALL else (224, 100, 32)

# --- the seeds' code ---
# First, let's define a vision model using a Sequential model.
# This model will encode an image into a vector.
vision_model = Sequential()
vision_model.add(Conv2D(64, (3, 3), activation='relu', padding='same', input_shape=(size, size, 3)))
vision_model.add(Conv2D(64, (3, 3), activation='relu'))
vision_model.add(MaxPooling2D((2, 2)))
vision_model.add(Conv2D(128, (3, 3), activation='relu', padding='same'))
vision_model.add(Conv2D(128, (3, 3), activation='relu'))
vision_model.add(MaxPooling2D((2, 2)))
vision_model.add(Conv2D(256, (3, 3), activation='relu', padding='same'))
vision_model.add(Conv2D(256, (3, 3), activation='relu'))
vision_model.add(Conv2D(256, (3, 3), activation='relu'))
vision_model.add(MaxPooling2D((2, 2)))
vision_model.add(Flatten())

# Now let's get a tensor with the output of our vision model:
image_input = Input(shape=(size, size, 3))
encoded_image = vision_model(image_input)

# Next, let's define a language model to encode the question into a vector.
# Each question will be at most 100 word long,
# and we will index words as integers from 1 to 9999.
question_input = Input(shape=(question_length,), dtype='int32')
embedded_question = Embedding(input_dim=10000, output_dim=256, input_length=question_length)(question_input)
encoded_question = LSTM(256)(embedded_question)

# Let's concatenate the question vector and the image vector:
merged = keras.layers.concatenate([encoded_question, encoded_image])

# And let's train a logistic regression over 1000 words on top:
output = Dense(1000, activation='softmax')(merged)

# This is our final model:
vqa_model = Model(inputs=[image_input, question_input], outputs=output)
# --- end of the seeds' code ---

# The next stage would be training this model on actual data; here, random data.
vqa_model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
vision_model.summary()
vqa_model.summary()

images = np.random.random((num_samples, size, size, 3)).astype('float32')
questions = np.random.randint(1, 10000, size=(num_samples, question_length)).astype('int32')
answers = keras.utils.to_categorical(np.random.randint(1000, size=(num_samples, 1)), num_classes=1000)
history = vqa_model.fit([images, questions], answers, epochs=1, batch_size=8, verbose=2 if SMALL else 1)


def vision_code_width(size):
    """Width of the vision model's flat output: same conv keeps the size, valid 3x3 takes 2, pooling halves."""
    size = (size - 2) // 2            # conv(same), conv(valid), pool
    size = (size - 2) // 2            # conv(same), conv(valid), pool
    size = (size - 4) // 2            # conv(same), conv(valid), conv(valid), pool
    return size * size * 256


assert vision_code_width(224) == 160000
assert encoded_image.shape == (None, vision_code_width(size)), encoded_image.shape
assert encoded_question.shape == (None, 256), encoded_question.shape
assert vqa_model.output_shape == (None, 1000), vqa_model.output_shape
assert np.isfinite(history.history['loss'][-1])
