"""Which configuration keys Keras 3.15.1's layer constructors take, for tests/saving/test_keras3_config_keys.py: a
layer fastkeras writes into a ``.keras`` file must carry no key that Keras 3's constructor of that class refuses
('Unrecognized keyword arguments passed to SeparableConv1D: kernel_initializer ...'), and fastkeras writes the
keys of tf-keras' configs (translated), so those are the candidates. Two steps, tf-keras first:

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_keras3_config_keys_fixtures.py --keras2
    KERAS_BACKEND=torch /work/k3venv/bin/python tools/make_keras3_config_keys_fixtures.py --keras3

``--keras2`` writes tests/fixtures/interop/k2_config_keys.json: ``{class_name: tf-keras' get_config() keys}``.
``--keras3`` writes tests/fixtures/interop/k3_config_keys.json: ``{class_name: {"config": Keras 3's get_config()
keys, "refused": the tf-keras keys Keras 3's constructor refuses as unknown arguments}}``, each tf-keras key
tried alone with tf-keras' value (a value Keras 3 rejects for another reason still counts as taken).
The test builds the same layers in fastkeras (the same ``LAYERS`` table, with ``build_layer``), saves each in a
small model and reads the keys from the archive.
"""
import json
import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "interop")
K2_OUT = os.path.join(FIXTURES, "k2_config_keys.json")
K3_OUT = os.path.join(FIXTURES, "k3_config_keys.json")

# (class name, constructor arguments, input shape without the batch axis; None: a layer of two inputs, each
# of shape (5, 4), called as layer(a, b) or layer([a, b]))
LAYERS = [
    ("Dense", {"units": 3}, (4,)),
    ("Conv1D", {"filters": 2, "kernel_size": 3}, (7, 3)),
    ("Conv2D", {"filters": 2, "kernel_size": 3}, (7, 7, 3)),
    ("Conv3D", {"filters": 2, "kernel_size": 2}, (4, 4, 4, 2)),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 3}, (7, 3)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3}, (7, 7, 3)),
    ("Conv3DTranspose", {"filters": 2, "kernel_size": 2}, (4, 4, 4, 2)),
    ("SeparableConv1D", {"filters": 2, "kernel_size": 3}, (7, 3)),
    ("SeparableConv2D", {"filters": 2, "kernel_size": 3}, (7, 7, 3)),
    ("DepthwiseConv1D", {"kernel_size": 3}, (7, 3)),
    ("DepthwiseConv2D", {"kernel_size": 3}, (7, 7, 3)),
    ("ConvLSTM1D", {"filters": 2, "kernel_size": 2}, (3, 5, 2)),
    ("ConvLSTM2D", {"filters": 2, "kernel_size": 2}, (3, 5, 5, 2)),
    ("LSTM", {"units": 3}, (5, 2)),
    ("GRU", {"units": 3}, (5, 2)),
    ("SimpleRNN", {"units": 3}, (5, 2)),
    ("Embedding", {"input_dim": 10, "output_dim": 3}, (5,)),
    ("BatchNormalization", {}, (4,)),
    ("LayerNormalization", {}, (4,)),
    ("GroupNormalization", {"groups": 2}, (4,)),
    ("UnitNormalization", {}, (4,)),
    ("Dropout", {"rate": 0.5}, (4,)),
    ("SpatialDropout1D", {"rate": 0.5}, (5, 2)),
    ("SpatialDropout2D", {"rate": 0.5}, (5, 5, 2)),
    ("SpatialDropout3D", {"rate": 0.5}, (3, 3, 3, 2)),
    ("GaussianNoise", {"stddev": 0.1}, (4,)),
    ("GaussianDropout", {"rate": 0.1}, (4,)),
    ("AlphaDropout", {"rate": 0.1}, (4,)),
    ("ActivityRegularization", {"l1": 0.01}, (4,)),
    ("Activation", {"activation": "relu"}, (4,)),
    ("LeakyReLU", {}, (4,)),
    ("PReLU", {}, (4,)),
    ("ELU", {}, (4,)),
    ("ReLU", {"max_value": 6.0}, (4,)),
    ("Softmax", {}, (4,)),
    ("Flatten", {}, (2, 2)),
    ("Reshape", {"target_shape": (4,)}, (2, 2)),
    ("Permute", {"dims": (2, 1)}, (2, 3)),
    ("RepeatVector", {"n": 2}, (4,)),
    ("Masking", {}, (5, 2)),
    ("Cropping1D", {"cropping": 1}, (5, 2)),
    ("Cropping2D", {"cropping": 1}, (5, 5, 2)),
    ("ZeroPadding1D", {"padding": 1}, (5, 2)),
    ("ZeroPadding2D", {"padding": 1}, (5, 5, 2)),
    ("UpSampling1D", {"size": 2}, (5, 2)),
    ("UpSampling2D", {"size": 2}, (5, 5, 2)),
    ("MaxPooling1D", {"pool_size": 2}, (6, 2)),
    ("MaxPooling2D", {"pool_size": 2}, (6, 6, 2)),
    ("AveragePooling1D", {"pool_size": 2}, (6, 2)),
    ("AveragePooling2D", {"pool_size": 2}, (6, 6, 2)),
    ("GlobalAveragePooling1D", {}, (6, 2)),
    ("GlobalMaxPooling2D", {}, (6, 6, 2)),
    ("Rescaling", {"scale": 0.5}, (4,)),
    ("Resizing", {"height": 4, "width": 4}, (6, 6, 2)),
    ("CenterCrop", {"height": 4, "width": 4}, (6, 6, 2)),
    ("Cropping3D", {"cropping": 1}, (4, 4, 4, 2)),
    ("ZeroPadding3D", {"padding": 1}, (3, 3, 3, 2)),
    ("UpSampling3D", {"size": 2}, (2, 2, 2, 2)),
    ("MaxPooling3D", {"pool_size": 2}, (4, 4, 4, 2)),
    ("AveragePooling3D", {"pool_size": 2}, (4, 4, 4, 2)),
    ("GlobalMaxPooling1D", {}, (6, 2)),
    ("GlobalAveragePooling2D", {}, (6, 6, 2)),
    ("GlobalAveragePooling3D", {}, (4, 4, 4, 2)),
    ("Normalization", {"mean": 0.5, "variance": 2.0}, (4,)),
    ("RandomFlip", {}, (6, 6, 3)),
    ("RandomRotation", {"factor": 0.1}, (6, 6, 3)),
    ("RandomZoom", {"height_factor": 0.1}, (6, 6, 3)),
    ("RandomContrast", {"factor": 0.1}, (6, 6, 3)),
    ("RandomCrop", {"height": 4, "width": 4}, (6, 6, 3)),
    ("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.1}, (6, 6, 3)),
    ("Bidirectional", {}, (5, 2)),
    ("TimeDistributed", {}, (5, 2)),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 2}, None),
    ("Attention", {}, None),
    ("CategoryEncoding", {"num_tokens": 5}, (3,)),
    ("Discretization", {"bin_boundaries": [0.0, 1.0]}, (4,)),
]


def build_layer(keras, class_name, kwargs):
    if class_name == "Bidirectional":
        return keras.layers.Bidirectional(keras.layers.LSTM(3), **kwargs)
    if class_name == "TimeDistributed":
        return keras.layers.TimeDistributed(keras.layers.Dense(3), **kwargs)
    return getattr(keras.layers, class_name)(**kwargs)


def keras2():
    import tf_keras as keras
    configs = {}
    for class_name, kwargs, _ in LAYERS:
        config = build_layer(keras, class_name, kwargs).get_config()
        configs[class_name] = {k: keras.saving.serialize_keras_object(v) if hasattr(v, "get_config") else v
                               for k, v in config.items()}
    with open(K2_OUT, "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True, default=str)


def keras3():
    import keras
    with open(K2_OUT) as f:
        k2 = json.load(f)
    out = {}
    for class_name, kwargs, _ in LAYERS:
        cls = getattr(keras.layers, class_name)
        own = build_layer(keras, class_name, kwargs).get_config()
        refused = []
        for key, value in k2[class_name].items():
            if key in own or key in kwargs:
                continue
            try:
                cls(**kwargs, **{key: value})
            except Exception as e:  # only "unknown argument" counts: other complaints mean the key was taken
                if "nrecognized keyword argument" in str(e) or "unexpected keyword argument" in str(e):
                    refused.append(key)
        out[class_name] = {"config": sorted(own), "refused": sorted(refused)}
    with open(K3_OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    import sys
    keras2() if "--keras2" in sys.argv else keras3()
