"""model.summary() prints what tf-keras 2.x prints, character for character.

The expected texts in tests/fixtures/summaries/ come from real tf-keras
(tools/make_summary_fixtures.py); the same builder functions make each model
here with fastkeras.
"""
import importlib.util
import os

import numpy as np
import pytest

import fastkeras as keras
from fastkeras.utils import layer_utils

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "summaries")


def _load_builders():
    spec = importlib.util.spec_from_file_location("make_summary_fixtures",
                                                  os.path.join(ROOT, "tools", "make_summary_fixtures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fixtures = _load_builders()


def _expected(name):
    with open(os.path.join(FIXTURES, name + ".txt"), encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("name,builder,kwargs", [pytest.param(*case, id=case[0]) for case in fixtures.CASES])
def test_summary_matches_tf_keras(name, builder, kwargs):
    model = fixtures.build(keras, builder)
    assert fixtures.summary_text(model, **kwargs) == _expected(name)


def test_every_fixture_has_a_case():
    on_disk = {f[:-4] for f in os.listdir(FIXTURES) if f.endswith(".txt")}
    assert on_disk == {case[0] for case in fixtures.CASES}


def test_print_fn_gets_one_string_per_line():
    model = fixtures.build(keras, "two_in_two_out")
    calls = []
    model.summary(print_fn=lambda *args, **kwargs: calls.append((args, kwargs)))
    assert all(len(args) == 1 and isinstance(args[0], str) and not kwargs for args, kwargs in calls)
    assert all("\n" not in args[0] for args, _ in calls)
    assert "\n".join(args[0] for args, _ in calls) + "\n" == _expected("two_in_two_out")


def test_default_prints_to_stdout(capsys):
    model = fixtures.build(keras, "mlp_functional")
    assert model.summary() is None
    assert capsys.readouterr().out == _expected("mlp_functional")


def test_print_summary_function_and_utils_alias(capsys):
    model = fixtures.build(keras, "mlp_sequential")
    lines = []
    layer_utils.print_summary(model, print_fn=lines.append)
    assert "\n".join(lines) + "\n" == _expected("mlp_sequential")
    keras.utils.print_summary(model)
    assert capsys.readouterr().out == _expected("mlp_sequential")


@pytest.mark.parametrize("line_length", [65, 98, 120])
def test_line_length_sets_every_rule_and_row(line_length):
    model = fixtures.build(keras, "two_in_two_out")
    lines = []
    model.summary(line_length=line_length, print_fn=lines.append)
    table = [line for line in lines[1:] if not line.startswith(("Total", "Trainable", "Non-trainable"))]
    assert {len(line) for line in table} == {line_length}
    assert lines[1] == "_" * line_length and lines[-1] == "_" * line_length
    assert lines.count("=" * line_length) == 2


def test_relative_and_absolute_positions_agree():
    model = fixtures.build(keras, "mlp_functional")
    relative, absolute = [], []
    model.summary(line_length=80, positions=[0.375, 0.75, 1.0], print_fn=relative.append)
    model.summary(line_length=80, positions=[30, 60, 80], print_fn=absolute.append)
    assert relative == absolute
    assert "\n".join(absolute) + "\n" == _expected("mlp_functional_absolute_positions")


def test_positions_list_is_not_modified():
    model = fixtures.build(keras, "mlp_functional")
    positions = [30, 60, 80]
    model.summary(line_length=80, positions=positions, show_trainable=True, print_fn=lambda line: None)
    assert positions == [30, 60, 80]


def test_model_kind_decides_columns():
    chain = fixtures.build(keras, "mlp_functional")
    assert layer_utils._is_sequential_like(chain)
    graph = fixtures.build(keras, "two_in_two_out")
    assert not layer_utils._is_sequential_like(graph)
    shared = fixtures.build(keras, "shared_different_shapes")
    assert not layer_utils._is_sequential_like(shared)
    assert layer_utils._is_sequential_like(fixtures.build(keras, "mlp_sequential"))


def test_shared_layer_reused_in_a_chain_is_not_sequential_like():
    keras.backend.clear_session()
    inputs = keras.Input(shape=(4,))
    dense = keras.layers.Dense(4)
    model = keras.Model(inputs, dense(dense(inputs)))
    assert not layer_utils._is_sequential_like(model)
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[2].rstrip().endswith("Connected to")
    assert " dense (Dense)               (None, 4)                    20        ['input_1[0][0]',             " \
        in lines
    assert "                                                                     'dense[0][0]']               " \
        in lines


def test_layer_range_errors():
    model = fixtures.build(keras, "mlp_functional")
    with pytest.raises(ValueError, match="length 2"):
        model.summary(layer_range=["dense"])
    with pytest.raises(ValueError, match="string type only"):
        model.summary(layer_range=[0, 1])
    with pytest.raises(ValueError, match="do not match"):
        model.summary(layer_range=["nope", "dense"])
    assert layer_utils.get_layer_index_bound_by_layer_name(model, None) == [0, 4]
    assert layer_utils.get_layer_index_bound_by_layer_name(model, ["input", "dense$"]) == [0, 2]


def test_unbuilt_sequential_cannot_summarize():
    model = keras.Sequential([keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()


def test_count_params_counts_each_weight_once():
    model = fixtures.build(keras, "mlp_functional")
    weights = model.weights
    assert layer_utils.count_params(weights) == 55050
    assert layer_utils.count_params(weights + weights[:2]) == 55050
    assert layer_utils.count_params([np.zeros((3, 4)), np.zeros(5)]) == 17
    assert layer_utils.count_params([]) == 0
    assert isinstance(layer_utils.count_params(weights), int)
    assert layer_utils.weight_memory_size(weights) == 55050 * 4


@pytest.mark.parametrize("size,text", [
    (0, "0.00 Byte"), (760, "760.00 Byte"), (1023, "1023.00 Byte"), (1024, "1.00 KB"), (220200, "215.04 KB"),
    (5 * 1024 ** 2, "5.00 MB"), (3 * 1024 ** 3, "3.00 GB"), (1024 ** 6, "1.00 PB"),
    (1024 ** 7, "1024.00 PB"), (1023.999 * 1024, "1024.00 KB"),
])
def test_readable_memory_size(size, text):
    assert layer_utils.readable_memory_size(size) == text


def test_non_trainable_weights_are_reported():
    model = fixtures.build(keras, "frozen_sequential")
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[-4:-1] == ["Total params: 130 (520.00 Byte)", "Trainable params: 58 (232.00 Byte)",
                            "Non-trainable params: 72 (288.00 Byte)"]
