"""The classic Keras 2 (2.2-2.4) text and sequence example programs, with only the import changed.

Each test is a shrunken copy of one of keras-team/keras' ``examples/*.py`` (addition_rnn, babi_memnn,
babi_rnn, imdb_*, lstm_seq2seq(_restore), lstm_stateful, lstm_text_generation, reuters_mlp(_relu_vs_selu),
conv_lstm, cnn_seq2seq, mnist_hierarchical_rnn, mnist_irnn, pretrained_word_embeddings): the same layers,
calls and module paths on small synthetic data of the datasets' shapes and dtypes. They check that the
program runs and trains (finite, falling loss, right shapes) and that the Keras 2 API it leans on is there.
"""
import warnings

import numpy as np
import pytest

import fastkeras as keras
from fastkeras import initializers
from fastkeras.layers import (LSTM, Activation, Concatenate, Conv1D, Convolution1D, Dense, Dot, Dropout, Embedding,
                              GlobalAveragePooling1D, GlobalMaxPooling1D, Input, MaxPooling1D, Permute, RepeatVector,
                              SimpleRNN, TimeDistributed, add, concatenate, dot)
from fastkeras.models import Model, Sequential, load_model
from fastkeras.preprocessing import sequence
from fastkeras.preprocessing.text import Tokenizer


def _falls(history, key="loss"):
    losses = history.history[key]
    return all(np.isfinite(losses)) and losses[-1] < losses[0]


def _fake_imdb(num_words, n, rng):
    """``imdb.load_data``'s shapes: an object array of int lists and int64 labels (learnable: the label
    decides whether a review uses low or high word ids)."""
    xs = np.empty(n, dtype=object)
    ys = rng.randint(0, 2, size=n).astype("int64")
    for i in range(n):
        low, high = (2, num_words // 2) if ys[i] else (num_words // 2, num_words)
        xs[i] = [1] + [int(w) for w in rng.randint(low, high, size=rng.randint(5, 40))]
    return xs, ys


# ---- Keras 2's module paths ---------------------------------------------------------------------------------

def test_keras2_layer_module_paths():
    # reuters_mlp_relu_vs_selu: `from keras.layers.noise import AlphaDropout`;
    # conv_lstm: `from keras.layers.convolutional_recurrent import ConvLSTM2D`.
    from fastkeras.layers.noise import AlphaDropout, GaussianDropout, GaussianNoise
    from fastkeras.layers.convolutional_recurrent import ConvLSTM2D
    from fastkeras.layers.local import LocallyConnected1D, LocallyConnected2D
    # Keras 2's core, convolutional and wrappers modules held these too.
    from fastkeras.layers.core import ActivityRegularization, Masking, SpatialDropout1D, SpatialDropout2D
    from fastkeras.layers.convolutional import (AveragePooling2D, Cropping2D, Deconv2D, Deconvolution3D,
                                                MaxPooling1D as ConvModuleMaxPooling1D, MaxPooling2D,
                                                UpSampling2D, ZeroPadding1D, ZeroPadding2D)
    from fastkeras.layers.wrappers import Bidirectional
    L = keras.layers
    pairs = [(AlphaDropout, L.AlphaDropout), (GaussianDropout, L.GaussianDropout), (GaussianNoise, L.GaussianNoise),
             (ConvLSTM2D, L.ConvLSTM2D), (LocallyConnected1D, L.LocallyConnected1D),
             (LocallyConnected2D, L.LocallyConnected2D), (ActivityRegularization, L.ActivityRegularization),
             (Masking, L.Masking), (SpatialDropout1D, L.SpatialDropout1D), (SpatialDropout2D, L.SpatialDropout2D),
             (AveragePooling2D, L.AveragePooling2D), (Cropping2D, L.Cropping2D), (MaxPooling2D, L.MaxPooling2D),
             (ConvModuleMaxPooling1D, L.MaxPooling1D), (UpSampling2D, L.UpSampling2D),
             (ZeroPadding1D, L.ZeroPadding1D), (ZeroPadding2D, L.ZeroPadding2D), (Bidirectional, L.Bidirectional),
             (Deconv2D, L.Conv2DTranspose), (Deconvolution3D, L.Conv3DTranspose)]
    for legacy, current in pairs:
        assert legacy is current, (legacy, current)
    assert L.Deconv2D is L.Conv2DTranspose and L.Deconv3D is L.Conv3DTranspose
    # The package namespace keeps no loop variables from setting them.
    assert not [name for name in vars(L) if name.startswith("_") and not name.startswith("__")]


# ---- Sequential.predict_classes / predict_proba (addition_rnn) ----------------------------------------------

def test_predict_classes_softmax_is_argmax_sigmoid_is_threshold():
    x = np.random.RandomState(0).rand(7, 4).astype("float32")
    multi = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    with pytest.warns(UserWarning, match="predict_classes"):
        classes = multi.predict_classes(x, verbose=0)
    np.testing.assert_array_equal(classes, multi.predict(x).argmax(axis=-1))
    assert classes.shape == (7,)

    binary = Sequential([Dense(1, activation="sigmoid", input_shape=(4,), bias_initializer="ones")])
    with pytest.warns(UserWarning):
        classes = binary.predict_classes(x)
    assert classes.dtype == np.int32 and classes.shape == (7, 1)
    np.testing.assert_array_equal(classes, (binary.predict(x) > 0.5).astype("int32"))

    with pytest.warns(UserWarning, match="predict_proba"):
        np.testing.assert_allclose(multi.predict_proba(x), multi.predict(x))
    linear = Sequential([Dense(2, input_shape=(4,), kernel_initializer="ones",
                               bias_initializer=initializers.Constant(-9.0))])
    with pytest.warns(UserWarning) as record:
        linear.predict_proba(x)
    assert any("invalid probability values" in str(w.message) for w in record)


def test_addition_rnn():
    chars, maxlen, digits = "0123456789+ ", 7, 3
    rng = np.random.RandomState(0)
    x = np.zeros((64, maxlen, len(chars)), dtype=bool)   # the example's one-hot bool arrays
    y = np.zeros((64, digits + 1, len(chars)), dtype=bool)
    x[np.arange(64)[:, None], np.arange(maxlen), rng.randint(0, 12, (64, maxlen))] = True
    y[np.arange(64)[:, None], np.arange(digits + 1), rng.randint(0, 12, (64, digits + 1))] = True
    model = Sequential()
    model.add(keras.layers.LSTM(16, input_shape=(maxlen, len(chars))))
    model.add(RepeatVector(digits + 1))
    model.add(keras.layers.LSTM(16, return_sequences=True))
    model.add(keras.layers.TimeDistributed(keras.layers.Dense(len(chars), activation="softmax")))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x[:56], y[:56], batch_size=16, epochs=3, validation_data=(x[56:], y[56:]), verbose=0)
    assert _falls(history) and set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        preds = model.predict_classes(x[np.array([3])], verbose=0)
    assert preds.shape == (1, digits + 1) and preds.max() < len(chars)


# ---- bAbI ---------------------------------------------------------------------------------------------------

def test_babi_memnn():
    story_maxlen, query_maxlen, vocab_size = 18, 4, 12
    rng = np.random.RandomState(1)
    stories = sequence.pad_sequences([list(rng.randint(1, vocab_size, rng.randint(6, 18))) for _ in range(64)],
                                     maxlen=story_maxlen)
    queries = rng.randint(1, vocab_size, (64, query_maxlen))
    answers = queries[:, 2]     # learnable: the answer is the query's third word
    input_sequence, question = Input((story_maxlen,)), Input((query_maxlen,))
    input_encoder_m = Sequential([Embedding(input_dim=vocab_size, output_dim=16), Dropout(0.3)])
    input_encoder_c = Sequential([Embedding(input_dim=vocab_size, output_dim=query_maxlen), Dropout(0.3)])
    question_encoder = Sequential([Embedding(input_dim=vocab_size, output_dim=16, input_length=query_maxlen),
                                   Dropout(0.3)])
    input_encoded_m = input_encoder_m(input_sequence)
    input_encoded_c = input_encoder_c(input_sequence)
    question_encoded = question_encoder(question)
    match = Activation("softmax")(dot([input_encoded_m, question_encoded], axes=(2, 2)))
    response = Permute((2, 1))(add([match, input_encoded_c]))
    answer = concatenate([response, question_encoded])
    answer = Activation("softmax")(Dense(vocab_size)(Dropout(0.3)(LSTM(8)(answer))))
    model = Model([input_sequence, question], answer)
    assert match.shape == (None, story_maxlen, query_maxlen) and response.shape == (None, query_maxlen, story_maxlen)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([stories, queries], answers, batch_size=16, epochs=3, verbose=0,
                        validation_data=([stories[:8], queries[:8]], answers[:8]))
    assert _falls(history) and "val_accuracy" in history.history


def test_babi_rnn():
    from fastkeras.layers import recurrent
    from fastkeras.layers.embeddings import Embedding as LegacyPathEmbedding
    assert LegacyPathEmbedding is Embedding
    rng = np.random.RandomState(2)
    x, xq = rng.randint(0, 10, (40, 12)), rng.randint(0, 10, (40, 4))
    y = keras.utils.to_categorical(xq[:, 0], 10)
    sentence = keras.layers.Input(shape=(12,), dtype="int32")
    encoded_sentence = recurrent.LSTM(8)(keras.layers.Embedding(10, 6)(sentence))
    question = keras.layers.Input(shape=(4,), dtype="int32")
    encoded_question = recurrent.LSTM(8)(keras.layers.Embedding(10, 6)(question))
    preds = keras.layers.Dense(10, activation="softmax")(keras.layers.concatenate([encoded_sentence,
                                                                                    encoded_question]))
    model = Model([sentence, question], preds)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([x, xq], y, batch_size=16, epochs=3, validation_split=0.05, verbose=0)
    assert _falls(history)
    loss, acc = model.evaluate([x, xq], y, batch_size=16, verbose=0)
    assert np.isfinite(loss) and 0.0 <= acc <= 1.0


# ---- IMDB family --------------------------------------------------------------------------------------------

def _imdb_models(max_features, maxlen):
    return {
        "imdb_lstm": [Embedding(max_features, 8), LSTM(8, dropout=0.2, recurrent_dropout=0.2),
                      Dense(1, activation="sigmoid")],
        "imdb_bidirectional_lstm": [Embedding(max_features, 8, input_length=maxlen),
                                    keras.layers.Bidirectional(LSTM(4)), Dropout(0.5),
                                    Dense(1, activation="sigmoid")],
        "imdb_cnn": [Embedding(max_features, 8, input_length=maxlen), Dropout(0.2),
                     Conv1D(8, 3, padding="valid", activation="relu", strides=1), GlobalMaxPooling1D(),
                     Dense(8), Dropout(0.2), Activation("relu"), Dense(1), Activation("sigmoid")],
        "imdb_cnn_lstm": [Embedding(max_features, 8, input_length=maxlen), Dropout(0.25),
                          Conv1D(8, 5, padding="valid", activation="relu", strides=1), MaxPooling1D(pool_size=4),
                          LSTM(6), Dense(1), Activation("sigmoid")],
        "imdb_fasttext": [Embedding(max_features, 8, input_length=maxlen), GlobalAveragePooling1D(),
                          Dense(1, activation="sigmoid")],
    }


@pytest.mark.parametrize("name", ["imdb_lstm", "imdb_bidirectional_lstm", "imdb_cnn", "imdb_cnn_lstm",
                                  "imdb_fasttext"])
def test_imdb_examples(name):
    max_features, maxlen = 200, 24
    rng = np.random.RandomState(3)
    (x_train, y_train), (x_test, y_test) = _fake_imdb(max_features, 64, rng), _fake_imdb(max_features, 16, rng)
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
    assert x_train.shape == (64, maxlen) and x_train.dtype == np.int32
    model = Sequential(_imdb_models(np.int64(max_features), maxlen)[name])   # fasttext's max_features is np.int64
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.01), metrics=["accuracy"])
    # imdb_bidirectional_lstm passes validation_data as a list.
    history = model.fit(x_train, y_train, batch_size=16, epochs=3, validation_data=[x_test, y_test], verbose=0)
    assert _falls(history)
    score, acc = model.evaluate(x_test, y_test, batch_size=16, verbose=0)
    assert np.isfinite(score) and 0.0 <= acc <= 1.0


def test_imdb_fasttext_ngrams_widen_the_vocabulary():
    # The example adds bigram ids above max_features and sizes the Embedding with np.max(...) + 1.
    token_indice = {(1, 3): 21, (4, 5): 22}
    max_features = np.max(list(token_indice.values())) + 1
    x = sequence.pad_sequences([[1, 3, 4, 5, 21, 22], [4, 5, 22]], maxlen=8)
    model = Sequential([Embedding(max_features, 4, input_length=8), GlobalAveragePooling1D(),
                        Dense(1, activation="sigmoid")])
    assert model.predict(x).shape == (2, 1)
    assert model.get_config()["layers"][1]["config"]["input_dim"] == 23


# ---- character-level seq2seq, trained then restored from its .h5 ---------------------------------------------

def test_lstm_seq2seq_and_restore(tmp_path):
    rng = np.random.RandomState(4)
    num_encoder_tokens, num_decoder_tokens, latent_dim = 6, 7, 8
    encoder_input_data = np.eye(num_encoder_tokens, dtype="float32")[rng.randint(0, 6, (32, 5))]
    decoder_input_data = np.eye(num_decoder_tokens, dtype="float32")[rng.randint(0, 7, (32, 6))]
    decoder_target_data = np.roll(decoder_input_data, -1, axis=1)

    encoder_inputs = Input(shape=(None, num_encoder_tokens))
    encoder = LSTM(latent_dim, return_state=True)
    encoder_outputs, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = Input(shape=(None, num_decoder_tokens))
    decoder_lstm = LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = Dense(num_decoder_tokens, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = Model([encoder_inputs, decoder_inputs], decoder_outputs)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([encoder_input_data, decoder_input_data], decoder_target_data, batch_size=8, epochs=3,
                        validation_split=0.2, verbose=0)
    assert _falls(history)
    model.save(str(tmp_path / "s2s.h5"))

    # lstm_seq2seq's sampling models: the trained layers called again on new inputs.
    encoder_model = Model(encoder_inputs, encoder_states)
    state_inputs = [Input(shape=(latent_dim,)), Input(shape=(latent_dim,))]
    outputs, h, c = decoder_lstm(decoder_inputs, initial_state=state_inputs)
    decoder_model = Model([decoder_inputs] + state_inputs, [decoder_dense(outputs), h, c])

    # lstm_seq2seq_restore: the same models rebuilt from the loaded file's layers.
    restored = load_model(str(tmp_path / "s2s.h5"))
    assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
    _, state_h_enc, state_c_enc = restored.layers[2].output
    restored_encoder = Model(restored.input[0], [state_h_enc, state_c_enc])
    r_inputs = [Input(shape=(latent_dim,), name="input_3"), Input(shape=(latent_dim,), name="input_4")]
    r_outputs, r_h, r_c = restored.layers[3](restored.input[1], initial_state=r_inputs)
    restored_decoder = Model([restored.input[1]] + r_inputs, [restored.layers[4](r_outputs), r_h, r_c])

    input_seq = encoder_input_data[:1]
    states, restored_states = encoder_model.predict(input_seq), restored_encoder.predict(input_seq)
    np.testing.assert_allclose(restored_states[0], states[0], rtol=1e-6, atol=1e-6)
    target_seq = np.zeros((1, 1, num_decoder_tokens))
    target_seq[0, 0, 0] = 1.0
    for _ in range(3):   # decode_sequence's loop: feed back the argmax token and the states
        output_tokens, h_value, c_value = decoder_model.predict([target_seq] + states)
        r_tokens, r_h_value, r_c_value = restored_decoder.predict([target_seq] + restored_states)
        np.testing.assert_allclose(r_tokens, output_tokens, rtol=1e-5, atol=1e-6)
        assert output_tokens.shape == (1, 1, num_decoder_tokens) and h_value.shape == (1, latent_dim)
        target_seq = np.zeros((1, 1, num_decoder_tokens))
        target_seq[0, 0, np.argmax(output_tokens[0, -1, :])] = 1.0
        states, restored_states = [h_value, c_value], [r_h_value, r_c_value]


def test_cnn_seq2seq(tmp_path):
    rng = np.random.RandomState(5)
    enc = np.eye(5, dtype="float32")[rng.randint(0, 5, (24, 7))]
    dec = np.eye(6, dtype="float32")[rng.randint(0, 6, (24, 9))]
    target = np.roll(dec, -1, axis=1)
    encoder_inputs = Input(shape=(None, 5))
    x_encoder = Convolution1D(16, kernel_size=3, activation="relu", padding="causal")(encoder_inputs)
    x_encoder = Convolution1D(16, kernel_size=3, activation="relu", padding="causal", dilation_rate=2)(x_encoder)
    decoder_inputs = Input(shape=(None, 6))
    x_decoder = Convolution1D(16, kernel_size=3, activation="relu", padding="causal")(decoder_inputs)
    x_decoder = Convolution1D(16, kernel_size=3, activation="relu", padding="causal", dilation_rate=4)(x_decoder)
    attention = Activation("softmax")(Dot(axes=[2, 2])([x_decoder, x_encoder]))
    context = Dot(axes=[2, 1])([attention, x_encoder])
    combined = Concatenate(axis=-1)([context, x_decoder])
    outputs = Convolution1D(8, kernel_size=3, activation="relu", padding="causal")(combined)
    outputs = Dense(6, activation="softmax")(outputs)
    model = Model([encoder_inputs, decoder_inputs], outputs)
    assert attention.shape == (None, None, None) and context.shape == (None, None, 16)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    history = model.fit([enc, dec], target, batch_size=8, epochs=3, validation_split=0.2, verbose=0)
    assert _falls(history)
    model.save(str(tmp_path / "cnn_s2s.h5"))
    predict = model.predict([enc[:4], dec[:4]]).argmax(axis=-1)
    assert predict.shape == (4, 9)
    np.testing.assert_allclose(load_model(str(tmp_path / "cnn_s2s.h5")).predict([enc[:4], dec[:4]]),
                               model.predict([enc[:4], dec[:4]]), rtol=1e-5, atol=1e-6)
    # Keras 2.2 sized predict by the first input when the inputs disagreed; tf-keras refuses, as we do.
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.predict([enc[:4], dec])


# ---- lstm_stateful -----------------------------------------------------------------------------------------

def test_lstm_stateful():
    rng = np.random.RandomState(6)
    data = rng.uniform(-0.1, 0.1, 41)
    expected = (data[1:] + data[:-1]) / 2      # the 2-point moving average
    x, y = data[1:, None, None], expected[:, None]
    x_train, y_train, x_test, y_test = x[:32], y[:32], x[32:], y[32:]

    def create_model(stateful):
        model = Sequential()
        model.add(LSTM(8, input_shape=(1, 1), batch_size=1, stateful=stateful))
        model.add(Dense(1))
        model.compile(loss="mse", optimizer="adam")
        return model

    model_stateful = create_model(stateful=True)
    losses = []
    for _ in range(2):
        history = model_stateful.fit(x_train, y_train, batch_size=1, epochs=1, verbose=0,
                                     validation_data=(x_test, y_test), shuffle=False)
        losses.append(history.history["loss"][0])
        model_stateful.reset_states()
    assert np.all(np.isfinite(losses))
    predicted_stateful = model_stateful.predict(x_test, batch_size=1)
    model_stateless = create_model(stateful=False)
    model_stateless.fit(x_train, y_train, batch_size=1, epochs=2, verbose=0, validation_data=(x_test, y_test),
                        shuffle=False)
    predicted_stateless = model_stateless.predict(x_test, batch_size=1)
    assert predicted_stateful.shape == predicted_stateless.shape == (8, 1)
    assert np.all(np.isfinite(predicted_stateful)) and np.all(np.isfinite(predicted_stateless))


# ---- lstm_text_generation ----------------------------------------------------------------------------------

def test_lstm_text_generation_callback_samples():
    from fastkeras.callbacks import LambdaCallback
    from fastkeras.optimizers import RMSprop
    rng = np.random.RandomState(7)
    text = " ".join(["the", "will", "to", "power", "is"][k] for k in rng.randint(0, 5, 80))
    chars = sorted(set(text))
    maxlen, step = 10, 3
    sentences = [text[i: i + maxlen] for i in range(0, len(text) - maxlen, step)]
    next_chars = [text[i + maxlen] for i in range(0, len(text) - maxlen, step)]
    x = np.zeros((len(sentences), maxlen, len(chars)), dtype=bool)
    y = np.zeros((len(sentences), len(chars)), dtype=bool)
    for i, sentence in enumerate(sentences):
        for t, char in enumerate(sentence):
            x[i, t, chars.index(char)] = 1
        y[i, chars.index(next_chars[i])] = 1
    model = Sequential([LSTM(16, input_shape=(maxlen, len(chars))), Dense(len(chars), activation="softmax")])
    with pytest.warns(UserWarning, match="lr"):
        optimizer = RMSprop(lr=0.01)
    assert np.isclose(float(keras.backend.get_value(optimizer.learning_rate)), 0.01)   # Keras 2's `lr` is honoured
    model.compile(loss="categorical_crossentropy", optimizer=optimizer)
    generated = []

    def on_epoch_end(epoch, _):
        preds = model.predict(x[:1].astype("float64"), verbose=0)[0]
        preds = np.log(np.asarray(preds).astype("float64")) / 0.5
        preds = np.exp(preds) / np.sum(np.exp(preds))
        generated.append(chars[int(np.argmax(np.random.multinomial(1, preds, 1)))])

    history = model.fit(x, y, batch_size=32, epochs=3, callbacks=[LambdaCallback(on_epoch_end=on_epoch_end)],
                        verbose=0)
    assert _falls(history) and len(generated) == 3 and list(history.history) == ["loss"]


# ---- Reuters MLPs ------------------------------------------------------------------------------------------

def _fake_reuters(max_words, n, rng):
    ys = rng.randint(0, 5, size=n)
    xs = [[int(w) for w in rng.randint(1, max_words, 10)] + [3 + 7 * int(label) + k for k in range(4)]
          for label in ys]
    return xs, ys


def test_reuters_mlp():
    max_words = 100
    rng = np.random.RandomState(8)
    x_train, y_train = _fake_reuters(max_words, 64, rng)
    tokenizer = Tokenizer(num_words=max_words)
    x_train = tokenizer.sequences_to_matrix(x_train, mode="binary")
    num_classes = np.max(y_train) + 1
    y_train = keras.utils.to_categorical(y_train, num_classes)
    assert x_train.shape == (64, max_words) and y_train.shape == (64, num_classes)
    model = Sequential([Dense(32, input_shape=(max_words,)), Activation("relu"), Dropout(0.5),
                        Dense(num_classes), Activation("softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=3, validation_split=0.1, verbose=0)
    assert _falls(history)
    score = model.evaluate(x_train, y_train, batch_size=16, verbose=0)
    assert len(score) == 2 and np.isfinite(score[0])


def test_reuters_mlp_relu_vs_selu():
    from fastkeras.layers.noise import AlphaDropout
    max_words, num_classes = 100, 5
    rng = np.random.RandomState(9)
    xs, ys = _fake_reuters(max_words, 64, rng)
    x_train = Tokenizer(num_words=max_words).sequences_to_matrix(xs, mode="binary")
    y_train = keras.utils.to_categorical(ys, num_classes)

    def create_network(n_dense, dense_units, activation, dropout, dropout_rate, kernel_initializer, optimizer):
        model = Sequential()
        model.add(Dense(dense_units, input_shape=(max_words,), kernel_initializer=kernel_initializer))
        model.add(Activation(activation))
        model.add(dropout(dropout_rate))
        for _ in range(n_dense - 1):
            model.add(Dense(dense_units, kernel_initializer=kernel_initializer))
            model.add(Activation(activation))
            model.add(dropout(dropout_rate))
        model.add(Dense(num_classes))
        model.add(Activation("softmax"))
        model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
        return model

    for network in ({"activation": "relu", "dropout": Dropout, "dropout_rate": 0.5,
                     "kernel_initializer": "glorot_uniform"},
                    {"activation": "selu", "dropout": AlphaDropout, "dropout_rate": 0.1,
                     "kernel_initializer": "lecun_normal"}):
        model = create_network(n_dense=3, dense_units=16, optimizer="sgd", **network)
        history = model.fit(x_train, y_train, batch_size=16, epochs=2, validation_split=0.1, verbose=0)
        assert len(history.history["val_loss"]) == 2 and np.all(np.isfinite(history.history["loss"]))
        assert np.isfinite(model.evaluate(x_train, y_train, batch_size=16, verbose=0)[0])


# ---- conv_lstm ---------------------------------------------------------------------------------------------

def test_conv_lstm_next_frame():
    from fastkeras.layers.convolutional import Conv3D
    from fastkeras.layers.convolutional_recurrent import ConvLSTM2D
    from fastkeras.layers.normalization import BatchNormalization
    seq = Sequential()
    seq.add(ConvLSTM2D(filters=4, kernel_size=(3, 3), input_shape=(None, 8, 8, 1), padding="same",
                       return_sequences=True))
    seq.add(BatchNormalization())
    seq.add(Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same",
                   data_format="channels_last"))
    seq.compile(loss="binary_crossentropy", optimizer="adadelta")
    rng = np.random.RandomState(10)
    movies = (rng.rand(6, 4, 8, 8, 1) > 0.8).astype(float)   # float64, as np.float in the example
    history = seq.fit(movies[:5], np.roll(movies[:5], 1, axis=2), batch_size=5, epochs=1, validation_split=0.2,
                      verbose=0)
    assert np.isfinite(history.history["val_loss"][0])
    track = movies[5][:2]
    for _ in range(2):   # feed the prediction of the next frame back in
        new_pos = seq.predict(track[np.newaxis, ::, ::, ::, ::])
        track = np.concatenate((track, new_pos[::, -1, ::, ::, ::]), axis=0)
    assert track.shape == (4, 8, 8, 1) and np.all((track >= 0) & (track <= 1))


# ---- MNIST as sequences ------------------------------------------------------------------------------------

def _fake_mnist(n, rng):
    y = rng.randint(0, 10, size=n).astype("uint8")
    x = rng.randint(0, 60, size=(n, 28, 28)).astype("uint8")
    x[np.arange(n), 2 + 2 * y] = 255     # a bright row says the digit
    return x, y


def test_mnist_hierarchical_rnn():
    x_train, y_train = _fake_mnist(32, np.random.RandomState(11))
    x_train = x_train.reshape(x_train.shape[0], 28, 28, 1).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, 10)
    row, col, pixel = x_train.shape[1:]
    x = Input(shape=(row, col, pixel))
    encoded_rows = TimeDistributed(LSTM(8))(x)
    encoded_columns = LSTM(8)(encoded_rows)
    model = Model(x, Dense(10, activation="softmax")(encoded_columns))
    assert encoded_rows.shape == (None, 28, 8)
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0, validation_data=(x_train, y_train))
    assert _falls(history)
    assert len(model.evaluate(x_train, y_train, verbose=0)) == 2


def test_mnist_irnn():
    from fastkeras.optimizers import RMSprop
    x_train, y_train = _fake_mnist(32, np.random.RandomState(12))
    x_train = x_train.reshape(x_train.shape[0], -1, 1).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, 10)
    model = Sequential()
    model.add(SimpleRNN(12, kernel_initializer=initializers.RandomNormal(stddev=0.001),
                        recurrent_initializer=initializers.Identity(gain=1.0), activation="relu",
                        input_shape=x_train.shape[1:]))
    model.add(Dense(10))
    model.add(Activation("softmax"))
    np.testing.assert_array_equal(model.layers[0].get_weights()[1], np.eye(12, dtype="float32"))
    with pytest.warns(UserWarning):
        rmsprop = RMSprop(lr=1e-6)
    model.compile(loss="categorical_crossentropy", optimizer=rmsprop, metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=1, verbose=0, validation_data=(x_train, y_train))
    assert np.isfinite(history.history["loss"][0])
    assert x_train.shape[1:] == (784, 1)


# ---- pretrained_word_embeddings ----------------------------------------------------------------------------

def test_pretrained_word_embeddings_stay_frozen():
    from fastkeras.initializers import Constant
    from fastkeras.preprocessing.sequence import pad_sequences
    from fastkeras.utils import to_categorical
    rng = np.random.RandomState(13)
    words = [f"w{i}" for i in range(40)]
    texts, labels = [], []
    for label in range(3):
        for _ in range(8):
            texts.append(" ".join(words[label * 12 + k] for k in rng.randint(0, 12, 60)))
            labels.append(label)
    tokenizer = Tokenizer(num_words=30)
    tokenizer.fit_on_texts(texts)
    data = pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=100)
    labels = to_categorical(np.asarray(labels))
    num_words = min(30, len(tokenizer.word_index)) + 1
    embedding_matrix = rng.randn(num_words, 8)          # float64, as the example builds it
    embedding_layer = Embedding(num_words, 8, embeddings_initializer=Constant(embedding_matrix),
                                input_length=100, trainable=False)
    sequence_input = Input(shape=(100,), dtype="int32")
    x = Conv1D(8, 5, activation="relu")(embedding_layer(sequence_input))
    x = MaxPooling1D(5)(x)
    x = Conv1D(8, 5, activation="relu")(x)
    x = GlobalMaxPooling1D()(x)
    x = Dense(8, activation="relu")(x)
    model = Model(sequence_input, Dense(labels.shape[1], activation="softmax")(x))
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["acc"])
    history = model.fit(data, labels, batch_size=8, epochs=2, validation_data=(data[:6], labels[:6]), verbose=0)
    assert set(history.history) == {"loss", "acc", "val_loss", "val_acc"}
    np.testing.assert_allclose(embedding_layer.get_weights()[0], embedding_matrix.astype("float32"))
    assert len(model.trainable_weights) == 8 and len(model.non_trainable_weights) == 1
