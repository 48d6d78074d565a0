"""Video question answering: the visual QA model's parts reused on video (seeds 000, 003, 004).

The image encoder of visual_qa.py, wrapped in TimeDistributed, encodes every
frame of a 100-frame video; an LSTM turns the frame codes into one vector.
The question encoder becomes a Model of its own and is called on a new
question input, reusing its weights. A softmax over 1000 answers sits on top.

At the seeds' size (100 frames of 224x224) a run needs a GPU with a lot of
memory; --small uses 4 frames of 32x32 and 10-word questions.

    python examples/video_qa.py [--small]
"""
import argparse
import os

import numpy as np

import fastkeras as keras
from fastkeras.layers import Conv2D, MaxPooling2D, Flatten
from fastkeras.layers import Input, LSTM, Embedding, Dense
from fastkeras.layers import TimeDistributed
from fastkeras.models import Model, Sequential

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--small", action="store_true", help="tiny videos and one epoch (what the tests run)")
SMALL = parser.parse_args().small or os.environ.get("FASTKERAS_EXAMPLE_SMALL") == "1"
keras.utils.set_random_seed(0)

frames, size, question_length, num_samples = (4, 32, 10, 2) if SMALL else (100, 224, 100, 4)

# The visual QA model's encoders, as in visual_qa.py.
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

question_input = Input(shape=(question_length,), dtype='int32')
embedded_question = Embedding(input_dim=10000, output_dim=256, input_length=question_length)(question_input)
encoded_question = LSTM(256)(embedded_question)

# --- the seeds' code ---
video_input = Input(shape=(frames, size, size, 3))
# This is our video encoded via the previously trained vision_model (weights are reused)
encoded_frame_sequence = TimeDistributed(vision_model)(video_input)  # the output will be a sequence of vectors
encoded_video = LSTM(256)(encoded_frame_sequence)  # the output will be a vector

# This is a model-level representation of the question encoder, reusing the same weights as before:
question_encoder = Model(inputs=question_input, outputs=encoded_question)

# Let's use it to encode the question:
video_question_input = Input(shape=(question_length,), dtype='int32')
encoded_video_question = question_encoder(video_question_input)

# And this is our video question answering model:
merged = keras.layers.concatenate([encoded_video, encoded_video_question])
output = Dense(1000, activation='softmax')(merged)
video_qa_model = Model(inputs=[video_input, video_question_input], outputs=output)
# --- end of the seeds' code ---

video_qa_model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
video_qa_model.summary()

videos = np.random.random((num_samples, frames, size, size, 3)).astype('float32')
questions = np.random.randint(1, 10000, size=(num_samples, question_length)).astype('int32')
answers = keras.utils.to_categorical(np.random.randint(1000, size=(num_samples, 1)), num_classes=1000)
history = video_qa_model.fit([videos, questions], answers, epochs=1, batch_size=2, verbose=2 if SMALL else 1)

frame_code_width = vision_model.output_shape[-1]
assert encoded_frame_sequence.shape == (None, frames, frame_code_width), encoded_frame_sequence.shape
assert encoded_video.shape == (None, 256) and encoded_video_question.shape == (None, 256)
assert video_qa_model.output_shape == (None, 1000), video_qa_model.output_shape
# The encoders' weights are shared, not copied: every weight of the vision model and the
# question encoder is a weight of the video QA model.
shared = {id(w) for w in vision_model.weights + question_encoder.weights}
assert shared <= {id(w) for w in video_qa_model.weights}
assert np.isfinite(history.history['loss'][-1])
