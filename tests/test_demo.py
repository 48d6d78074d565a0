"""The README's main job (examples/demo.py) at a tiny size: it trains, reports accuracy and writes its files."""
import os
import runpy
import sys

import pytest

DEMO = os.path.join(os.path.dirname(__file__), "..", "examples", "demo.py")


def test_demo_trains_and_writes_model_and_pictures(tmp_path, monkeypatch, capsys):
    pytest.importorskip("sklearn")
    monkeypatch.setattr(sys, "argv", ["demo.py", "--epochs", "1", "--pairs", "600", "--out", str(tmp_path)])
    runpy.run_path(DEMO, run_name="__main__")
    out = capsys.readouterr().out
    assert "Total params" in out and "test accuracy" in out and "predictions match" in out
    for name in ("same_digit_model.keras", "same_digit_model.h5", "training_curves.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    if "skipped the model graph" not in out:  # Graphviz present
        assert (tmp_path / "model.png").stat().st_size > 0
