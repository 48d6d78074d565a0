"""Writes tests/fixtures/vis/dot_graphs.json: what tf-keras 2.21's ``model_to_dot`` builds for a few models.

Rerun (from the repository root, with the tf-keras environment plus ``pip install pydot==4.0.1``):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_vis_fixtures.py

Per model: its ``to_json()`` (the test rebuilds it with fastkeras' ``model_from_json``), and per option set
the graph's attributes, node defaults, every node (its label, and which layer it is, by name path:
``inner/dense`` for a layer of nested model ``inner``), every edge (as layer name paths), and every
cluster (name, attributes, the layers it holds). tf-keras names nodes by ``id(layer)``, which no two
processes share, so the fixture names them by layer instead.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tf_keras as keras  # noqa: E402
from tf_keras.src.utils import vis_utils  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "vis", "dot_graphs.json")
L = keras.layers


def two_inputs():
    main = keras.Input(shape=(100,), dtype="int32", name="main_input")
    x = L.Embedding(output_dim=8, input_dim=1000, input_length=100)(main)
    x = L.Flatten()(x)
    aux_out = L.Dense(1, activation="sigmoid", name="aux_output")(x)
    aux = keras.Input(shape=(5,), name="aux_input")
    x = L.concatenate([x, aux])
    x = L.Dense(16, activation="relu")(x)
    out = L.Dense(1, activation="sigmoid", name="main_output")(x)
    return keras.Model(inputs=[main, aux], outputs=[out, aux_out])


def sequential():
    return keras.Sequential([L.Dense(4, input_shape=(3,), activation="tanh"), L.Dropout(0.5), L.Dense(2)],
                            name="seq")


def nested():
    i = keras.Input(shape=(6,))
    inner = keras.Model(i, L.Dense(3, name="inner_dense_2")(L.Dense(4, name="inner_dense_1")(i)), name="inner")
    a = keras.Input(shape=(6,), name="a")
    b = keras.Input(shape=(6,), name="b")
    merged = L.concatenate([inner(a), inner(b)], name="merged")
    out = L.Dense(1, name="out")(merged)
    model = keras.Model([a, b], out, name="outer")
    model.get_layer("inner").trainable = False
    return model


def wrapped():
    frames = keras.Input(shape=(4, 6), name="frames")
    x = L.TimeDistributed(L.Dense(3, name="per_frame"), name="td")(frames)
    x = L.Flatten(name="flat")(x)
    return keras.Model(frames, L.Dense(2, name="head")(x), name="wrapped")


MODELS = {"two_inputs": two_inputs, "sequential": sequential, "nested": nested, "wrapped": wrapped}
OPTIONS = [
    {},
    {"show_shapes": True},
    {"show_shapes": True, "show_dtype": True, "rankdir": "LR", "dpi": 72},
    {"show_layer_names": False},
    {"show_layer_activations": True, "show_trainable": True},
    {"expand_nested": True, "show_shapes": True},
]


def layer_paths(model, prefix=""):
    """id(layer) -> name path, through nested models and wrappers."""
    paths = {}
    layers = model._self_tracked_trackables if isinstance(model, keras.Sequential) else model.layers
    for layer in layers:
        path = prefix + layer.name
        paths[str(id(layer))] = path
        if isinstance(layer, keras.Model):
            paths.update(layer_paths(layer, path + "/"))
        if isinstance(getattr(layer, "layer", None), keras.layers.Layer):
            paths[str(id(layer.layer))] = path + "/" + layer.layer.name
    return paths


def attributes(obj):
    return {k: (v if isinstance(v, (str, int, float, bool)) else str(v)) for k, v in obj.get_attributes().items()}


def describe(dot, paths):
    nodes = [{"layer": paths.get(n.get_name(), n.get_name()), "label": n.get("label")} for n in dot.get_nodes()
             if n.get_name() not in ("node", "edge", "graph")]
    edges = [[paths.get(e.get_source(), e.get_source()), paths.get(e.get_destination(), e.get_destination())]
             for e in dot.get_edges()]
    clusters = [{"name": s.get_name(), "attributes": attributes(s), **describe(s, paths)} for s in dot.get_subgraphs()]
    return {"nodes": nodes, "edges": edges, "clusters": clusters}


def main():
    fixtures = {}
    for name, build in MODELS.items():
        keras.backend.clear_session()
        model = build()
        paths = layer_paths(model)
        cases = []
        for options in OPTIONS:
            dot = vis_utils.model_to_dot(model, **options)
            defaults = dot.get_node_defaults()
            cases.append({"options": options, "graph_attributes": attributes(dot),
                          "node_defaults": defaults[0] if defaults else {}, **describe(dot, paths)})
        fixtures[name] = {"json": model.to_json(), "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(fixtures, f, indent=1)
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
