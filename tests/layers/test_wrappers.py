"""TimeDistributed against tf-keras 2.21 (fixtures from tools/make_norm_fixtures.py): of a Dense, a Conv2D, a
BatchNormalization, a functional model and a Sequential convnet, with masks; a tf-keras HDF5 file of a video
model; the seeds' video question-answering model; training, configs and errors."""
import json
import os

import numpy as np
import pytest

import fastkeras.layers as layers_module
from _norm_cases import ARRAYS, FIXTURE, FIXTURES, case_ids, cases_of, check_case, check_configs, check_symbolic, plain
from fastkeras import backend as K
from fastkeras import layers
from fastkeras.engine.base_layer import Layer
from fastkeras.layers import BatchNormalization, Dense, Input, TimeDistributed, deserialize
from fastkeras.layers.wrappers import Wrapper
from fastkeras.models import Model, Sequential, model_from_json

CASES = cases_of("TimeDistributed")
# Wrapped models: their nested InputLayer config is the engine's (see test_wrapped_model_config_matches_tf_keras).
LAYER_CASES = [c for c in CASES if c["config"]["layer"]["class_name"] not in ("Functional", "Sequential")]
MODEL_CASES = [c for c in CASES if c not in LAYER_CASES]
MODELS = {m["name"]: m for m in FIXTURE["models"]}


@pytest.mark.parametrize("case", LAYER_CASES, ids=case_ids(LAYER_CASES))
def test_matches_tf_keras(case):
    check_case(case)


@pytest.mark.parametrize("case", LAYER_CASES, ids=case_ids(LAYER_CASES))
def test_config_round_trip(case):
    check_configs(case)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_symbolic_shape(case):
    check_symbolic(case)


@pytest.mark.parametrize("case", MODEL_CASES, ids=case_ids(MODEL_CASES))
def test_wrapped_model_outputs_and_gradients_match_tf_keras(case):
    """A whole model inside TimeDistributed: outputs, gradients, weights and config."""
    check_case(case)


@pytest.mark.parametrize("case", MODEL_CASES, ids=case_ids(MODEL_CASES))
def test_wrapped_model_config_matches_tf_keras(case):
    check_configs(case)


# ---- files and models ---------------------------------------------------------------------------------------------

def video_model_in_code():
    """tools/make_norm_fixtures.py's td_video, written with fastkeras' API and tf-keras' layer names."""
    names = [entry["config"]["name"] for entry in MODELS["td_video"]["config"]["config"]["layers"]][1:]
    frames = Input((3, 6, 6, 2))
    x = TimeDistributed(layers.Conv2D(3, 3), name=names[0])(frames)
    x = TimeDistributed(BatchNormalization(), name=names[1])(x)
    x = TimeDistributed(layers.Flatten(), name=names[2])(x)
    x = TimeDistributed(Dense(4), name=names[3])(x)
    x = layers.PReLU(name=names[4])(x)
    x = layers.LayerNormalization(name=names[5])(x)
    x = layers.GlobalAveragePooling1D(name=names[6])(x)
    return Model(frames, Dense(2, name=names[7])(x), name="td_video")


@pytest.mark.parametrize("build", ["from_tf_keras_json", "in_code"])
def test_tf_keras_hdf5_weights_of_a_video_model_reproduce_predictions(build):
    spec = MODELS["td_video"]
    model = model_from_json(json.dumps(spec["config"])) if build == "from_tf_keras_json" else video_model_in_code()
    assert model.output_shape == tuple(spec["output_shape"])
    assert [(w.name, list(w.shape)) for w in model.weights] == [(w["name"], w["shape"]) for w in spec["weights"]]
    model.load_weights(os.path.join(FIXTURES, "td_video.weights.h5"))
    predictions = model.predict(ARRAYS["td_video/x"], verbose=0)
    np.testing.assert_allclose(predictions, ARRAYS["td_video/predictions"], rtol=1e-5, atol=1e-6)


def seeds_vision_model():
    """The seeds' VGG-like image encoder (Sequential)."""
    vision_model = Sequential()
    vision_model.add(layers.Conv2D(64, (3, 3), activation="relu", padding="same", input_shape=(224, 224, 3)))
    vision_model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    vision_model.add(layers.MaxPooling2D((2, 2)))
    vision_model.add(layers.Conv2D(128, (3, 3), activation="relu", padding="same"))
    vision_model.add(layers.Conv2D(128, (3, 3), activation="relu"))
    vision_model.add(layers.MaxPooling2D((2, 2)))
    vision_model.add(layers.Conv2D(256, (3, 3), activation="relu", padding="same"))
    vision_model.add(layers.Conv2D(256, (3, 3), activation="relu"))
    vision_model.add(layers.Conv2D(256, (3, 3), activation="relu"))
    vision_model.add(layers.MaxPooling2D((2, 2)))
    vision_model.add(layers.Flatten())
    return vision_model


def test_seeds_time_distributed_vision_model_shapes():
    vision_model = seeds_vision_model()
    assert vision_model.output_shape == (None, 160000)
    video_input = Input(shape=(100, 224, 224, 3))
    wrapper = TimeDistributed(vision_model)
    encoded_frame_sequence = wrapper(video_input)
    assert tuple(encoded_frame_sequence.shape) == (None, 100, 160000)
    # The weights are the vision model's own: reused, not copied.
    assert [id(w) for w in wrapper.weights] == [id(w) for w in vision_model.weights]
    assert wrapper.count_params() == vision_model.count_params()


@pytest.mark.skipif(not hasattr(layers_module, "LSTM") or not hasattr(layers_module, "Embedding"),
                    reason="needs the LSTM and Embedding layers")
def test_seeds_video_question_answering_model_builds():
    """The seeds' video QA model, verbatim (about 170 million weights, so it is only built)."""
    vision_model = seeds_vision_model()
    question_input = Input(shape=(100,), dtype="int32")
    embedded_question = layers_module.Embedding(input_dim=10000, output_dim=256, input_length=100)(question_input)
    encoded_question = layers_module.LSTM(256)(embedded_question)

    video_input = Input(shape=(100, 224, 224, 3))
    encoded_frame_sequence = TimeDistributed(vision_model)(video_input)
    encoded_video = layers_module.LSTM(256)(encoded_frame_sequence)
    question_encoder = Model(inputs=question_input, outputs=encoded_question)
    video_question_input = Input(shape=(100,), dtype="int32")
    encoded_video_question = question_encoder(video_question_input)
    merged = layers.concatenate([encoded_video, encoded_video_question])
    output = Dense(1000, activation="softmax")(merged)
    video_qa_model = Model(inputs=[video_input, video_question_input], outputs=output)
    assert tuple(encoded_frame_sequence.shape) == (None, 100, 160000)
    assert tuple(encoded_video.shape) == (None, 256)
    assert video_qa_model.output_shape == (None, 1000)
    assert video_qa_model.input_shape == [(None, 100, 224, 224, 3), (None, 100)]


def test_seeds_time_distributed_classifier_over_sequences():
    """Seed: ``processed_sequences = TimeDistributed(model)(input_sequences)`` with a 10-way softmax model."""
    x = Input(shape=(784,))
    y = Dense(10, activation="softmax")(Dense(64, activation="relu")(x))
    model = Model(inputs=x, outputs=y)
    input_sequences = Input(shape=(20, 784))
    processed_sequences = TimeDistributed(model)(input_sequences)
    assert tuple(processed_sequences.shape) == (None, 20, 10)
    data = np.random.default_rng(0).standard_normal((2, 20, 784)).astype("float32")
    out = K.to_numpy(Model(input_sequences, processed_sequences)(data))
    np.testing.assert_allclose(out[1, 7], K.to_numpy(model(data[1, 7][None]))[0], rtol=1e-5, atol=1e-6)


def test_model_with_time_distributed_submodel_trains():
    frame = Input((6,))
    encoder = Model(frame, Dense(4, activation="tanh")(frame))
    frames = Input((5, 6))
    encoded = TimeDistributed(encoder)(frames)
    outputs = Dense(1)(layers.GlobalAveragePooling1D()(encoded))
    model = Model(frames, outputs)
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 5, 6)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None]
    kernel = encoder.get_weights()[0].copy()
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert not np.allclose(encoder.get_weights()[0], kernel)  # the shared encoder itself was trained


def test_masks_pass_through_time_distributed():
    inputs = Input((4, 3))
    masked = layers.Masking()(inputs)
    out = TimeDistributed(Dense(2))(masked)
    assert tuple(out._keras_mask.shape) == (None, 4)
    x = np.ones((2, 4, 3), "float32")
    x[0, 1] = 0
    wrapper = TimeDistributed(Dense(2))
    mask = K.to_numpy(wrapper.compute_mask(K.convert_to_tensor(x), K.convert_to_tensor(x[..., 0] != 0)))
    np.testing.assert_array_equal(mask, [[True, False, True, True], [True] * 4])


class _StepCounter(Layer):
    """A toy stateful layer: adds how many batches it has seen (a state tied to the batch)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stateful = True
        self.seen = 0

    def call(self, inputs):
        self.seen += 1
        return inputs + self.seen

    def compute_output_shape(self, input_shape):
        return input_shape


def test_stateful_inner_layer_runs_step_by_step():
    x = np.zeros((2, 3, 4), "float32")
    y = K.to_numpy(TimeDistributed(_StepCounter())(x))
    np.testing.assert_array_equal(y[:, :, 0], [[1, 2, 3], [1, 2, 3]])
    mask = np.array([[True, False, True], [True, True, True]])
    y = K.to_numpy(TimeDistributed(_StepCounter())(x, mask=mask))
    np.testing.assert_array_equal(y[:, :, 0], [[1, 1, 3], [1, 2, 3]])  # a masked step repeats the last output


def test_config_round_trip_keeps_the_inner_layer():
    wrapper = TimeDistributed(Dense(3, activation="relu", name="inner"), name="td")
    wrapper(Input((4, 5)))
    config = wrapper.get_config()
    assert config["layer"]["class_name"] == "Dense"
    assert config["layer"]["build_config"] == {"input_shape": (None, 5)}
    rebuilt = deserialize({"class_name": "TimeDistributed", "config": plain(config)})
    assert isinstance(rebuilt.layer, Dense) and rebuilt.layer.units == 3 and rebuilt.name == "td"
    assert tuple(rebuilt(Input((7, 5))).shape) == (None, 7, 3)
    assert [w.name for w in rebuilt.weights] == ["td/kernel:0", "td/bias:0"]


def test_trainable_flag_reaches_the_inner_layer():
    wrapper = TimeDistributed(BatchNormalization())
    wrapper(Input((3, 4)))
    assert len(wrapper.trainable_weights) == 2 and len(wrapper.non_trainable_weights) == 2
    wrapper.trainable = False
    assert wrapper.layer.trainable is False
    assert wrapper.trainable_weights == [] and len(wrapper.non_trainable_weights) == 4


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="Please initialize `TimeDistributed` layer"):
        TimeDistributed(lambda x: x)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        TimeDistributed(Dense(2))(Input((4,)))
    with pytest.raises(ValueError, match="wrapper"):
        Wrapper("dense")
    wrapper = TimeDistributed(Dense(2))
    wrapper(Input((3, 4)))
    with pytest.raises(ValueError, match="incompatible"):
        wrapper(Input((3, 5)))
