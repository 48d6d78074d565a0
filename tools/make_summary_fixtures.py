"""Writes tests/fixtures/summaries/*.txt: what tf-keras 2.x prints for ``model.summary()``.

Run with the reference Keras installation:

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_summary_fixtures.py

Each builder below takes the Keras module (``tf_keras`` here, ``fastkeras`` in
tests/utils/test_summary.py) and builds the same model with either, so the
test rebuilds every model in fastkeras and compares its summary with the
fixture character for character. Builders must not use anything
TensorFlow-specific; the layer names depend on the global name counters, so
every case starts from ``keras.backend.clear_session()``.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_DIR = os.path.join(HERE, os.pardir, "tests", "fixtures", "summaries")


def mlp_functional(keras):
    """The seeds' MNIST MLP: 784 -> 64 relu -> 64 relu -> 10 softmax."""
    layers = keras.layers
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def mlp_sequential(keras):
    layers = keras.layers
    return keras.Sequential([layers.Dense(32, input_dim=100), layers.Dense(10)])


def two_in_two_out(keras):
    """Two inputs, a Dense shared by both branches, concatenate, two outputs."""
    layers = keras.layers
    a = keras.Input(shape=(16,), name="a")
    b = keras.Input(shape=(8,), name="b")
    shared = layers.Dense(4, name="shared")
    left = shared(layers.Dense(5)(a))
    right = shared(layers.Dense(5)(b))
    merged = layers.concatenate([left, right])
    out_1 = layers.Dense(1, activation="sigmoid", name="main_output")(merged)
    out_2 = layers.Dense(3, name="aux_output")(merged)
    return keras.Model(inputs=[a, b], outputs=[out_1, out_2], name="two_in_two_out")


def nested(keras):
    """A functional model called on two inputs, then merged; a Sequential head on top."""
    layers = keras.layers
    x = keras.Input(shape=(8,))
    inner = keras.Model(x, layers.Dense(4)(layers.Dense(6, activation="relu")(x)), name="inner")
    a = keras.Input(shape=(8,))
    b = keras.Input(shape=(8,))
    added = layers.add([inner(a), inner(b)])
    head = keras.Sequential([layers.Dense(3), layers.Dropout(0.5)], name="head")
    return keras.Model([a, b], head(added), name="siamese")


def deeply_nested(keras):
    """Sequential in Sequential in Sequential, with a frozen part."""
    layers = keras.layers
    core = keras.Sequential([layers.Dense(5, input_shape=(3,)), layers.Dense(2)], name="core")
    middle = keras.Sequential([core, layers.Dense(7)], name="middle")
    model = keras.Sequential([layers.Dense(3, input_shape=(4,)), middle, layers.Dense(1)], name="outer")
    core.trainable = False
    return model


def reshape_model(keras):
    """Dropout, Flatten, Reshape, Permute, RepeatVector: unknown and known dimensions."""
    layers = keras.layers
    inputs = keras.Input(shape=(4, 6))
    x = layers.Flatten()(inputs)
    x = layers.Dropout(0.25)(x)
    x = layers.Dense(12, activation="relu")(x)
    x = layers.Reshape((3, 4))(x)
    x = layers.Permute((2, 1))(x)
    x = layers.Flatten()(x)
    x = layers.RepeatVector(2)(x)
    x = layers.Reshape((-1,))(x)
    x = layers.Activation("tanh")(x)
    return keras.Model(inputs, x, name="reshaper")


def shared_different_shapes(keras):
    """A layer called on inputs of different ranks: its output shape is "multiple"."""
    layers = keras.layers
    a = keras.Input(shape=(8,), name="flat_in")
    b = keras.Input(shape=(3, 8), name="seq_in")
    dense = layers.Dense(4, name="shared_dense")
    ya = dense(a)
    yb = layers.Flatten()(dense(b))
    return keras.Model([a, b], layers.concatenate([ya, yb], axis=-1))


def long_names(keras):
    """Names and multi-output shapes long enough to wrap within their columns."""
    layers = keras.layers
    inputs = keras.Input(shape=(10,), name="an_input_with_a_rather_long_name")
    x = layers.Dense(1000, name="a_dense_layer_whose_name_does_not_fit_in_its_column")(inputs)
    y = layers.Dense(2000, name="second")(inputs)
    z = layers.Dense(3000, name="third")(inputs)
    merged = layers.Concatenate(name="concatenate_everything_together_in_one_place")([x, y, z, x])
    return keras.Model(inputs, [merged, y], name="long_names")


def single_output_list(keras):
    """A model whose outputs are a one-element list, nested in a chain."""
    layers = keras.layers
    x = keras.Input(shape=(5,))
    inner = keras.Model(x, [layers.Dense(2)(x)], name="listed")
    y = keras.Input(shape=(5,))
    hidden = inner(y)
    if isinstance(hidden, list):
        # tf-keras unwraps a one-tensor output list; fastkeras (for now) returns the list.
        hidden = hidden[0]
    return keras.Model(y, layers.Dense(1)(hidden), name="chain")


def frozen_sequential(keras):
    layers = keras.layers
    model = keras.Sequential(name="frozen")
    model.add(layers.Dense(8, input_shape=(4,), name="first"))
    model.add(layers.Dense(8, name="second"))
    model.add(layers.Dense(2, name="third"))
    model.get_layer("second").trainable = False
    return model


def multi_output_lambda(keras):
    """A layer with two output tensors: a list shape and a '[0][1]' connection."""
    layers = keras.layers
    inputs = keras.Input(shape=(4,))
    first, second = layers.Lambda(lambda t: [t, t * 2.0])(inputs)
    outputs = layers.Dense(2)(second)
    merged = layers.concatenate([first, outputs])
    return keras.Model(inputs, [merged, outputs], name="two_outputs")


def dict_output_nested(keras):
    """A nested model with dict outputs: the shape cell is a dict, outputs numbered by sorted key."""
    layers = keras.layers
    x = keras.Input(shape=(4,), name="x")
    inner = keras.Model(x, {"p": layers.Dense(2)(x), "q": layers.Dense(3)(x)}, name="dictout")
    y = keras.Input(shape=(4,))
    parts = inner(y)
    return keras.Model(y, layers.concatenate([parts["q"], parts["p"]]))


def subclassed(keras):
    """A subclassed model run once on data: no graph, so shapes are "multiple"; a never-called layer."""
    import numpy as np
    layers = keras.layers

    class TwoLayers(keras.Model):
        def __init__(self):
            super().__init__(name="two_layers")
            self.hidden = layers.Dense(4, activation="relu")
            self.spare = layers.Dense(7)
            self.head = layers.Dense(2)

        def call(self, inputs):
            return self.head(self.hidden(inputs))

    model = TwoLayers()
    model(np.zeros((3, 5), dtype="float32"))
    return model


BUILDERS = {f.__name__: f for f in (mlp_functional, mlp_sequential, two_in_two_out, nested, deeply_nested,
                                     reshape_model, shared_different_shapes, long_names, single_output_list,
                                     frozen_sequential, multi_output_lambda, dict_output_nested, subclassed)}

# (fixture name, builder name, summary() keyword arguments)
CASES = [
    ("mlp_functional", "mlp_functional", {}),
    ("mlp_functional_narrow", "mlp_functional", {"line_length": 50}),
    ("mlp_functional_positions", "mlp_functional", {"positions": [0.3, 0.6, 1.0]}),
    ("mlp_functional_absolute_positions", "mlp_functional", {"line_length": 80, "positions": [30, 60, 80]}),
    ("mlp_functional_trainable", "mlp_functional", {"show_trainable": True}),
    ("mlp_functional_range", "mlp_functional", {"layer_range": ["dense", "dense_1"]}),
    ("mlp_functional_range_reversed", "mlp_functional", {"layer_range": ["dense_2", "dense_1"]}),
    ("mlp_sequential", "mlp_sequential", {}),
    ("mlp_sequential_trainable", "mlp_sequential", {"show_trainable": True}),
    ("two_in_two_out", "two_in_two_out", {}),
    ("two_in_two_out_narrow", "two_in_two_out", {"line_length": 60}),
    ("two_in_two_out_wide", "two_in_two_out", {"line_length": 120, "positions": [0.25, 0.5, 0.6, 1.0]}),
    ("two_in_two_out_trainable", "two_in_two_out", {"show_trainable": True}),
    ("two_in_two_out_range", "two_in_two_out", {"layer_range": ["shared", "main.*"]}),
    ("nested", "nested", {}),
    ("nested_expanded", "nested", {"expand_nested": True}),
    ("nested_expanded_trainable", "nested", {"expand_nested": True, "show_trainable": True}),
    ("deeply_nested", "deeply_nested", {}),
    ("deeply_nested_expanded", "deeply_nested", {"expand_nested": True, "show_trainable": True}),
    ("deeply_nested_expanded_narrow", "deeply_nested", {"expand_nested": True, "line_length": 40}),
    ("reshape_model", "reshape_model", {}),
    ("shared_different_shapes", "shared_different_shapes", {}),
    ("long_names", "long_names", {}),
    ("long_names_narrow", "long_names", {"line_length": 70}),
    ("single_output_list", "single_output_list", {"expand_nested": True}),
    ("frozen_sequential", "frozen_sequential", {"show_trainable": True}),
    ("multi_output_lambda", "multi_output_lambda", {}),
    ("dict_output_nested", "dict_output_nested", {"expand_nested": True}),
    ("subclassed", "subclassed", {"show_trainable": True}),
]


def build(keras, builder_name):
    keras.backend.clear_session()
    return BUILDERS[builder_name](keras)


def summary_text(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines) + "\n"


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tf_keras as keras

    os.makedirs(FIXTURE_DIR, exist_ok=True)
    for name, builder_name, kwargs in CASES:
        model = build(keras, builder_name)
        with open(os.path.join(FIXTURE_DIR, name + ".txt"), "w", encoding="utf-8") as f:
            f.write(summary_text(model, **kwargs))
    print(f"wrote {len(CASES)} summaries to {os.path.normpath(FIXTURE_DIR)} (tf_keras {keras.__version__})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
