"""model_to_dot / plot_model against tf-keras 2.21's graphs (tests/fixtures/vis, tools/make_vis_fixtures.py).

Each fixture model is rebuilt from tf-keras' own JSON; the dot graph must have the same attributes, node
labels, edges and clusters. Rendering tests need Graphviz's `dot` and are skipped without it.
"""
import json
import os
import shutil

import pytest

import fastkeras as keras
from fastkeras.utils import vis_utils

pydot = pytest.importorskip("pydot")

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "vis", "dot_graphs.json")
with open(FIXTURE) as _f:
    GRAPHS = json.load(_f)
CASES = [(name, i) for name, g in GRAPHS.items() for i in range(len(g["cases"]))]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def layer_paths(model, prefix=""):
    paths = {}
    for layer in model._layers:
        path = prefix + layer.name
        paths[str(id(layer))] = path
        if getattr(layer, "_is_graph_network", False):
            paths.update(layer_paths(layer, path + "/"))
        inner = getattr(layer, "layer", None)
        if inner is not None:
            paths[str(id(inner))] = path + "/" + inner.name
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


@pytest.mark.parametrize("name,index", CASES, ids=[f"{n}-{json.dumps(GRAPHS[n]['cases'][i]['options'])}"
                                                   for n, i in CASES])
def test_model_to_dot_matches_keras(name, index):
    expected = GRAPHS[name]["cases"][index]
    model = keras.models.model_from_json(GRAPHS[name]["json"])
    dot = vis_utils.model_to_dot(model, **expected["options"])
    assert attributes(dot) == expected["graph_attributes"]
    defaults = dot.get_node_defaults()
    assert (defaults[0] if defaults else {}) == expected["node_defaults"]
    got = describe(dot, layer_paths(model))
    assert got["nodes"] == expected["nodes"]
    assert got["edges"] == expected["edges"]
    assert got["clusters"] == expected["clusters"]


def two_input_model():
    main = keras.Input(shape=(20,), dtype="int32", name="main_input")
    x = keras.layers.Embedding(100, 8)(main)
    x = keras.layers.Flatten()(x)
    aux_out = keras.layers.Dense(1, activation="sigmoid", name="aux_output")(x)
    aux = keras.Input(shape=(5,), name="aux_input")
    x = keras.layers.concatenate([x, aux])
    x = keras.layers.Dense(16, activation="relu")(x)
    out = keras.layers.Dense(1, activation="sigmoid", name="main_output")(x)
    return keras.Model([main, aux], [out, aux_out])


@needs_dot
def test_plot_model_writes_png_svg_and_dot(tmp_path):
    model = two_input_model()
    png = tmp_path / "sub" / "model.png"
    keras.utils.plot_model(model, to_file=str(png), show_shapes=True)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "model.svg"
    keras.utils.plot_model(model, to_file=svg, show_shapes=True, rankdir="LR")
    text = svg.read_text()
    for name in ("main_input", "aux_input", "embedding", "concatenate", "main_output", "aux_output", "(None, 165)"):
        assert name in text
    keras.utils.plot_model(model, to_file=str(tmp_path / "model"))  # no extension: png
    assert (tmp_path / "model").read_bytes()[:4] == b"\x89PNG"


@needs_dot
def test_plot_model_dpi_changes_the_bitmap_size(tmp_path):
    import struct
    model = two_input_model()
    sizes = []
    for dpi in (48, 96):
        path = tmp_path / f"m{dpi}.png"
        keras.utils.plot_model(model, to_file=str(path), dpi=dpi)
        sizes.append(struct.unpack(">II", path.read_bytes()[16:24]))
    assert sizes[1][0] > 1.5 * sizes[0][0] and sizes[1][1] > 1.5 * sizes[0][1]


def test_missing_pydot_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(vis_utils, "_pydot", lambda: None)
    model = two_input_model()
    with pytest.raises(ImportError, match=r"plot_model needs the Python package pydot.*pip install pydot"):
        keras.utils.plot_model(model, to_file=str(tmp_path / "m.png"))
    with pytest.raises(ImportError, match="model_to_dot needs the Python package pydot"):
        keras.utils.model_to_dot(model)
    assert not vis_utils.check_pydot() and not vis_utils.check_graphviz()


def test_missing_graphviz_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(vis_utils.shutil, "which", lambda name: None)
    model = two_input_model()
    with pytest.raises(ImportError, match=r"Graphviz.s `dot` program .*apt-get install graphviz"):
        keras.utils.plot_model(model, to_file=str(tmp_path / "m.png"))
    assert not (tmp_path / "m.png").exists()
    assert keras.utils.model_to_dot(model) is not None  # building the graph needs only pydot


def test_unbuilt_model_and_bad_layer_range():
    seq = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="This model has not yet been built"):
        keras.utils.model_to_dot(seq)
    model = two_input_model()
    with pytest.raises(ValueError, match="layer_range must be of shape"):
        keras.utils.model_to_dot(model, layer_range=["dense"])
    with pytest.raises(ValueError, match="layer_range should contain string type only"):
        keras.utils.model_to_dot(model, layer_range=[0, 1])


def test_layer_range_draws_part_of_the_model():
    model = two_input_model()
    dot = keras.utils.model_to_dot(model, layer_range=["flatten", "dense"])
    labels = [n.get("label") for n in dot.get_nodes() if n.get_name() != "node"]
    assert labels == ["flatten|Flatten", "aux_input|InputLayer", "concatenate|Concatenate", "dense|Dense"]
    names = {str(id(layer)): layer.name for layer in model.layers}
    edges = [(names[e.get_source()], names[e.get_destination()]) for e in dot.get_edges()]
    assert edges == [("flatten", "concatenate"), ("aux_input", "concatenate"), ("concatenate", "dense")]
