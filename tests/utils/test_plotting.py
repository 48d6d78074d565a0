"""plot_history: one panel per metric with its validation twin, written without a display."""
import struct
import subprocess
import sys

import pytest

from fastkeras.utils import plotting, plot_history

pytest.importorskip("matplotlib")


class FakeHistory:
    """What ``fit`` returns: ``.epoch`` and ``.history``."""

    def __init__(self, logs, epoch=None):
        self.history = logs
        self.epoch = epoch if epoch is not None else list(range(len(next(iter(logs.values())))))


LOGS = {"loss": [1.0, 0.7, 0.5], "accuracy": [0.5, 0.6, 0.8], "val_loss": [1.1, 0.9, 0.8],
        "val_accuracy": [0.4, 0.5, 0.7]}


def test_panels_and_curves():
    figure = plotting.history_figure(FakeHistory(LOGS))
    axes = figure.get_axes()
    assert [a.get_title() for a in axes] == ["loss", "accuracy"]
    lines = {(a.get_title(), line.get_label()): (list(line.get_xdata()), list(line.get_ydata()))
             for a in axes for line in a.get_lines()}
    assert lines[("loss", "training")] == ([1, 2, 3], LOGS["loss"])
    assert lines[("loss", "validation")] == ([1, 2, 3], LOGS["val_loss"])
    assert lines[("accuracy", "validation")] == ([1, 2, 3], LOGS["val_accuracy"])
    assert all(a.get_xlabel() == "epoch" for a in axes)


def test_initial_epoch_and_selected_metrics():
    figure = plotting.history_figure(FakeHistory({"loss": [0.5, 0.4]}, epoch=[5, 6]), metrics=["loss"])
    (line,) = figure.get_axes()[0].get_lines()
    assert list(line.get_xdata()) == [6, 7]
    with pytest.raises(ValueError, match=r"\['acc'\] were not logged; the history has \['loss'\]"):
        plotting.history_figure({"loss": [1.0]}, metrics=["acc"])


def test_writes_png_and_accepts_a_plain_dict(tmp_path):
    path = plot_history(LOGS, tmp_path / "out" / "curves.png", title="run", dpi=50)
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (450, 170)  # 2 panels of 4.5 x 3.4 inches at 50 dpi
    svg = plot_history(FakeHistory(LOGS), str(tmp_path / "curves.svg"))
    assert "<svg" in open(svg).read()


def test_bad_input_is_explained():
    with pytest.raises(TypeError, match="expects the History returned by `fit`"):
        plot_history([1, 2])
    with pytest.raises(ValueError, match="holds no values"):
        plot_history({"loss": []})


def test_fastkeras_import_does_not_import_matplotlib():
    # (pydot may be there: torch.fx imports it whenever it is installed.)
    code = "import sys, fastkeras; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False"]


def test_missing_matplotlib_is_named(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match="plot_history needs matplotlib.*pip install matplotlib"):
        plot_history(LOGS, "x.png")
