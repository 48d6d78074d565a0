"""Every script in examples/ runs in small mode, prints its summary, and builds the shapes the seeds state.

The examples run in this process through runpy (one torch import instead of
one per script); one test runs a script as a real subprocess, the way a
user would.
"""
import os
import pathlib
import runpy
import subprocess
import sys

import pytest

EXAMPLES_DIR = pathlib.Path(__file__).resolve().parent.parent / "examples"
OWNED_ELSEWHERE = {"demo"}   # the README's main command, tested with the demo
EXAMPLES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.py")
                  if p.stem not in OWNED_ELSEWHERE and not p.stem.startswith("_"))


def run_example(name, monkeypatch, *args):
    """Runs examples/<name>.py as __main__ with the given command-line arguments; returns its globals."""
    path = EXAMPLES_DIR / f"{name}.py"
    monkeypatch.setattr(sys, "argv", [str(path), *args])
    monkeypatch.delenv("FASTKERAS_EXAMPLE_SMALL", raising=False)
    return runpy.run_path(str(path), run_name="__main__")


# Shapes the seeds state in their comments or asserts, checked on the script's own tensors.
def check_functional_mlp(ns):
    assert ns["model"].output_shape == (None, 10)
    assert ns["y"].shape == (None, 10)           # "returns the 10-way softmax we defined above"


def check_time_distributed_video(ns):
    # "the output of the layer below will be a sequence of 20 vectors of size 10"
    assert ns["input_sequences"].shape == (None, 20, 784)
    assert ns["processed_sequences"].shape == (None, 20, 10)


def check_multi_input_multi_output(ns):
    assert ns["main_input"].shape == (None, 100)
    assert ns["embedded"].shape == (None, 100, 512)   # "a sequence of dense 512-dimensional vectors"
    assert ns["lstm_out"].shape == (None, 32)
    model = ns["model"]
    assert model.input_names == ["main_input", "aux_input"]
    assert model.output_names == ["main_output", "aux_output"]
    assert model.output_shape == [(None, 1), (None, 1)]


def check_shared_lstm_tweets(ns):
    assert ns["tweet_a"].shape == (None, 140, 256)
    assert ns["encoded_a"].shape == ns["encoded_b"].shape == (None, 64)   # "a vector of size 64"


def check_layer_nodes(ns):
    # The seeds: "Layer lstm_1 has multiple inbound nodes, hence the notion of "layer output" is
    # ill-defined. Use `get_output_at(node_index)` instead."
    message = ns["multiple_nodes_error"]
    assert "lstm_1" in message and "multiple inbound nodes" in message and "get_output_at" in message
    conv = ns["conv"]
    assert conv.get_input_shape_at(0) == (None, 32, 32, 3)
    assert conv.get_input_shape_at(1) == (None, 64, 64, 3)


def check_inception_block(ns):
    size = ns["size"]
    # axis=1 as in the seeds: with channels_last the three towers stack along the rows.
    assert ns["output"].shape == (None, 3 * size, size, 64)


def check_residual_connection(ns):
    assert ns["z"].shape == (None, 256, 256, 3)    # "this returns x + y"


def check_shared_vision_model(ns):
    assert ns["vision_model"].output_shape == (None, 11 * 11 * 64)
    assert ns["classification_model"].output_shape == (None, 1)


def check_visual_qa(ns):
    assert ns["encoded_question"].shape == (None, 256)
    assert ns["vqa_model"].output_shape == (None, 1000)   # "a logistic regression over 1000 words"
    assert ns["vision_code_width"](224) == 160000


def check_video_qa(ns):
    assert ns["encoded_frame_sequence"].shape[:2] == (None, ns["frames"])   # "a sequence of vectors"
    assert ns["encoded_video"].shape == (None, 256)                         # "a vector"
    assert ns["video_qa_model"].output_shape == (None, 1000)


def check_sequential_mlp_multiclass(ns):
    assert ns["model"].input_shape == (None, 100)
    assert ns["model"].output_shape == (None, 10)


def check_convnet(ns):
    # Seed 001's comments say (None, 49, 49, 32) and (None, 76832); its code gives these
    # (shared/DESIGN.md, "Where the seeds and Keras disagree").
    assert ns["pooled_shape"] == (None, 48, 48, 32)
    assert ns["flat_shape"] == (None, 73728)


def check_stacked_stateful_lstm(ns):
    # "Expected input batch shape: (batch_size, timesteps, data_dim)"
    assert ns["model"].input_shape == (32, 8, 16)
    assert ns["model"].output_shape == (32, 10)


def check_stacked_lstm(ns):
    assert ns["model"].input_shape == (None, 8, 16)
    assert ns["model"].output_shape == (None, 10)


SEED_SHAPE_CHECKS = {name[len("check_"):]: check for name, check in globals().items()
                     if name.startswith("check_")}


def test_every_shape_check_names_an_example():
    assert set(SEED_SHAPE_CHECKS) <= set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_in_small_mode(name, monkeypatch, capsys):
    namespace = run_example(name, monkeypatch, "--small")
    printed = capsys.readouterr().out
    assert namespace["SMALL"] is True
    assert "Total params:" in printed, f"{name} should print its model summary"
    assert " - loss: " in printed, f"{name} should train with fit and print the epoch's loss"
    check = SEED_SHAPE_CHECKS.get(name)
    if check is not None:
        check(namespace)


def test_small_mode_from_environment_variable(monkeypatch, capsys):
    path = EXAMPLES_DIR / "sequential_mlp_binary.py"
    monkeypatch.setattr(sys, "argv", [str(path)])
    monkeypatch.setenv("FASTKERAS_EXAMPLE_SMALL", "1")
    namespace = runpy.run_path(str(path), run_name="__main__")
    assert namespace["SMALL"] is True and namespace["num_samples"] == 64


def test_example_runs_as_a_script():
    env = dict(os.environ, FASTKERAS_EXAMPLE_SMALL="1", FASTKERAS_DEVICE="cpu")
    result = subprocess.run([sys.executable, str(EXAMPLES_DIR / "functional_mlp.py")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Total params:" in result.stdout


def test_readme_lists_every_example():
    readme = (EXAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    missing = [name for name in EXAMPLES if f"`{name}.py`" not in readme]
    assert not missing, f"examples/README.md does not list {missing}"
