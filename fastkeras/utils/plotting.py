"""Training curves: ``plot_history(model.fit(...), "curves.png")``.

matplotlib is imported inside the functions, never by ``import fastkeras``,
and only its object-oriented API is used (a Figure with an Agg canvas), so
drawing a file neither needs a display nor changes pyplot's global backend.
"""
import os

__all__ = ["history_figure", "plot_history"]


def _matplotlib():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise ImportError("plot_history needs matplotlib, which is not installed. Install it with "
                          "`pip install matplotlib` (fastkeras pins it in requirements.txt).") from None
    return Figure, FigureCanvasAgg, MaxNLocator


def _series(history):
    """(epochs, {name: values}) from a History callback, or a plain ``{name: values}`` dict."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"plot_history expects the History returned by `fit` (or its `.history` dict), received "
                        f"{type(history).__name__}.")
    logs = {k: [float(v) for v in values] for k, values in logs.items()}
    if not logs or not any(logs.values()):
        raise ValueError("plot_history: the history holds no values (was `fit` run for at least one epoch?).")
    epochs = list(getattr(history, "epoch", []) or [])
    longest = max(len(v) for v in logs.values())
    if len(epochs) != longest:
        epochs = list(range(longest))
    return epochs, logs


def history_figure(history, metrics=None, title=None, dpi=96):
    """A matplotlib Figure with one panel per metric: the training curve and, when logged, its ``val_`` twin.

    ``metrics``: names to draw (default: every logged name that does not start with ``val_``).
    """
    Figure, FigureCanvasAgg, MaxNLocator = _matplotlib()
    epochs, logs = _series(history)
    names = list(metrics) if metrics is not None else [k for k in logs if not k.startswith("val_")]
    # A name logged only for validation still gets a panel.
    names += [k[4:] for k in logs if metrics is None and k.startswith("val_") and k[4:] not in logs]
    unknown = [n for n in names if n not in logs and "val_" + n not in logs]
    if unknown:
        raise ValueError(f"plot_history: {unknown} were not logged; the history has {sorted(logs)}.")
    columns = min(len(names), 3)
    rows = (len(names) + columns - 1) // columns
    figure = Figure(figsize=(4.5 * columns, 3.4 * rows), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    x_axis = [e + 1 for e in epochs]  # Keras' progress bar counts epochs from 1
    for i, name in enumerate(names):
        axes = figure.add_subplot(rows, columns, i + 1)
        for key, label, style in ((name, "training", "-o"), ("val_" + name, "validation", "--s")):
            if key in logs:
                values = logs[key]
                axes.plot(x_axis[-len(values):], values, style, markersize=3, label=label)
        axes.set_title(name)
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(True, alpha=0.3)
        axes.legend()
    if title:
        figure.suptitle(title)
    return figure


def plot_history(history, to_file="history.png", metrics=None, title=None, dpi=96):
    """Draws the loss and metric curves of ``history`` into ``to_file`` (png, svg, pdf, ...); returns the path."""
    figure = history_figure(history, metrics=metrics, title=title, dpi=dpi)
    to_file = os.fspath(to_file)
    folder = os.path.dirname(to_file)
    if folder:
        os.makedirs(folder, exist_ok=True)
    figure.savefig(to_file)
    return to_file
