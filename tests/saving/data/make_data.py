"""Writes the tf-keras reference files used by tests/saving (run with a tf-keras 2.x environment).

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tests/saving/data/make_data.py

For each model: <name>.json (model.to_json()), <name>.keras2.h5 (model.save_weights in the legacy
Keras 2 HDF5 layout), <name>.weights.h5 (model.save_weights; tf-keras uses its object-path layout for
this suffix), <name>.npz (input_i / output_i arrays). 'outer' is also saved whole as outer.full.h5.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

L = keras.layers
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(0)


def outer():
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    shared = L.Dense(5, activation="tanh", name="shared")
    inner_in = keras.Input((5,), name="inner_in")
    inner = keras.Model(inner_in, L.Dense(2, name="inner_d")(inner_in), name="inner")
    x = shared(a)
    y = shared(L.Dense(4, name="pre")(b))
    z = L.Concatenate(name="cat")([x, y])
    z = L.Dense(5, activation="relu", name="d5")(z)
    return keras.Model({"a": a, "b": b}, [inner(z), inner(x)], name="outer"), \
        {"a": rng.rand(3, 4).astype("float32"), "b": rng.rand(3, 3).astype("float32")}


def seq():
    model = keras.Sequential([L.Dense(6, activation="relu", input_shape=(4,), name="s1"),
                              L.Dropout(0.5, name="drop"),
                              L.Dense(3, activation="softmax", name="s2")], name="seq")
    return model, [rng.rand(3, 4).astype("float32")]


def seq_in_functional():
    inner = keras.Sequential([L.Dense(3, name="q1"), L.Dense(2, name="q2")], name="inner_seq")
    i = keras.Input((4,), name="i")
    h = inner(i)
    h2 = inner(L.Dense(4, name="pre4")(i))
    out = L.Add(name="add")([h, h2])
    return keras.Model(i, out, name="seq_in_functional"), [rng.rand(3, 4).astype("float32")]


def main():
    for make in (outer, seq, seq_in_functional):
        model, inputs = make()
        name = make.__name__
        with open(os.path.join(HERE, f"{name}.json"), "w") as f:
            f.write(model.to_json())
        model.save_weights(os.path.join(HERE, f"{name}.weights.h5"))
        model.save_weights(os.path.join(HERE, f"{name}.keras2.h5"))
        outputs = model.predict(inputs, verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        flat_inputs = [inputs[k] for k in sorted(inputs)] if isinstance(inputs, dict) else inputs
        arrays = {f"input_{i}": x for i, x in enumerate(flat_inputs)}
        arrays.update({f"output_{i}": y for i, y in enumerate(outputs)})
        np.savez(os.path.join(HERE, f"{name}.npz"), **arrays)
        if name == "outer":
            model.save(os.path.join(HERE, "outer.full.h5"))


if __name__ == "__main__":
    main()
