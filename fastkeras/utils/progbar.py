"""Keras 2's progress bar (``keras.utils.Progbar``), with lazy reading of engine values.

The text matches tf-keras 2.21: on a terminal (or in a notebook) the bar is
redrawn in place with ``\\r``::

    12/32 [==========>...................] - ETA: 0s - loss: 0.2431 - accuracy: 0.9011

and the last update of an epoch leaves::

    32/32 [==============================] - 0s 2ms/step - loss: 0.2431 - accuracy: 0.9011

When stdout is not a terminal (a log file, a pipe) nothing is written until the
last update of the epoch, which writes that final line once. ``verbose=2``
writes one line per epoch::

    32/32 - 0s - loss: 0.2431 - accuracy: 0.9011 - 61ms/epoch - 2ms/step

Values passed to :meth:`Progbar.update` may be Python numbers, numpy values,
engine tensors or zero-argument callables returning one of those. Tensors and
callables are read (``fastkeras.backend.to_numpy``) only when a line is
actually written, so a fast loop updating the bar every step does not force a
device synchronisation every step: at most one per ``interval`` seconds on a
terminal, one per epoch otherwise.
"""
import os
import sys
import time

import numpy as np

from fastkeras import backend as K
from fastkeras.utils.io_utils import is_interactive_logging_enabled, print_msg


def is_dynamic_display():
    """Whether stdout redraws lines in place: a terminal, a Jupyter kernel or PyCharm's console."""
    stdout = sys.stdout
    try:
        isatty = bool(stdout.isatty()) if hasattr(stdout, "isatty") else False
    except (ValueError, OSError):  # closed or detached stream
        isatty = False
    return isatty or "ipykernel" in sys.modules or "PYCHARM_HOSTED" in os.environ


def _write(message):
    if not is_interactive_logging_enabled():  # keras.utils.disable_interactive_logging(): to the logger
        print_msg(message, line_break=False)
        return
    stream = sys.stdout
    stream.write(message)
    stream.flush()


def read_value(value):
    """A host value for an engine tensor, a callable or a number (0-d arrays become numpy scalars)."""
    if callable(value) and not K.is_tensor(value):
        value = value()
    if K.is_tensor(value):
        value = K.to_numpy(value)
    return value


def _scale(value, factor):
    """``value * factor`` without reading an engine value back to the host."""
    if callable(value) and not K.is_tensor(value):
        value = value()
    if factor == 1:
        return value
    return value * factor


def _format_value(avg, verbose_two=False):
    # tf-keras compares ``abs(avg)`` for verbose=1 but ``avg`` for verbose=2 (so
    # negative values print in scientific notation there); kept as is.
    small = (avg <= 1e-3) if verbose_two else (abs(avg) <= 1e-3)
    return f" {avg:.4e}" if small else f" {avg:.4f}"


class Progbar:
    """Displays a progress bar.

    Args:
        target: Total number of steps expected, None if unknown.
        width: Progress bar width on screen.
        verbose: Verbosity mode, 0 (silent), 1 (verbose), 2 (one line per epoch).
        interval: Minimum visual progress update interval (in seconds).
        stateful_metrics: Iterable of string names of metrics that should *not*
            be averaged over time. Metrics in this list are displayed as-is.
            All others are averaged by the progbar (weighted by the number of
            steps each value covers) before display.
        unit_name: Display name for step counts (usually "step" or "sample").
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None, unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()

        self._dynamic_display = is_dynamic_display()
        self._total_width = 0
        self._seen_so_far = 0
        # name -> [sum of value * steps, steps]; stateful metrics hold [raw value, 1].
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_at_epoch_start = self._start
        self._time_at_epoch_end = None
        self._time_after_first_step = None

    # ---- public API --------------------------------------------------------------

    def update(self, current, values=None, finalize=None):
        """Updates the progress bar.

        Args:
            current: Index of current step (the number of steps done).
            values: List of tuples ``(name, value_for_last_step)`` (or a dict).
                If ``name`` is in ``stateful_metrics``, the value is displayed
                as-is. Else, an average of the metric over time is displayed.
                Values may be engine tensors or callables; they are read only
                when a line is written.
            finalize: Whether this is the last update for the progress bar. If
                ``None``, uses ``current >= self.target``.
        """
        if finalize is None:
            finalize = False if self.target is None else current >= self.target

        if values is None:
            values = ()
        elif isinstance(values, dict):
            values = values.items()
        for k, v in values:
            if k not in self._values_order:
                self._values_order.append(k)
            if k not in self.stateful_metrics:
                # Without a target in the first epoch both on_batch_end and
                # on_epoch_end report the same `current`: count at least one step.
                value_base = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [_scale(v, value_base), value_base]
                else:
                    self._values[k][0] = self._values[k][0] + _scale(v, value_base)
                    self._values[k][1] += value_base
            else:
                # Kept unread: a stateful value is only read when displayed.
                self._values[k] = [v, 1]
        self._seen_so_far = current

        now = time.time()
        if current == self.target:
            self._time_at_epoch_end = now
        if current == 1 and self._time_after_first_step is None:
            # Timing bookkeeping even when no line is written for step 1.
            self._time_after_first_step = now

        if self.verbose == 1:
            if not finalize and (not self._dynamic_display or now - self._last_update < self.interval):
                return
            self._render_verbose_one(current, now, finalize)
            self._last_update = now
        elif self.verbose == 2:
            if finalize:
                self._render_verbose_two(current, now)
            self._last_update = now
        else:
            self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    # ---- rendering -----------------------------------------------------------------

    def _averages(self):
        out = []
        for k in self._values_order:
            total, count = self._values[k]
            total = read_value(total)
            out.append((k, np.mean(total / max(1, count))))
        return out

    def _render_verbose_one(self, current, now, finalize):
        message = ""
        prev_total_width = self._total_width
        if self._dynamic_display:
            message += "\b" * prev_total_width
            message += "\r"

        if self.target is not None:
            numdigits = int(np.log10(max(self.target, 1))) + 1
            bar = ("%" + str(numdigits) + "d/%d [") % (current, self.target)
            prog = float(current) / self.target if self.target else 1.0
            prog_width = int(self.width * prog)
            if prog_width > 0:
                bar += "=" * (prog_width - 1)
                bar += ">" if current < self.target else "="
            bar += "." * (self.width - prog_width)
            bar += "]"
        else:
            bar = "%7d/Unknown" % current

        self._total_width = len(bar)
        message += bar

        time_per_unit = self._estimate_step_duration(current, now)
        if self.target is None or finalize:
            info = f" - {now - self._start:.0f}s"
            info += self._format_time(time_per_unit, self.unit_name)
        else:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                eta_format = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
            elif eta > 60:
                eta_format = "%d:%02d" % (eta // 60, eta % 60)
            else:
                eta_format = "%ds" % eta
            info = f" - ETA: {eta_format}"

        for k, avg in self._averages():
            info += f" - {k}:" + _format_value(avg)

        self._total_width += len(info)
        if self._dynamic_display and prev_total_width > self._total_width:
            info += " " * (prev_total_width - self._total_width)
        if finalize:
            info += "\n"
        _write(message + info)

    def _render_verbose_two(self, current, now):
        target = self.target if self.target is not None else current
        numdigits = int(np.log10(max(target, 1))) + 1
        info = ("%" + str(numdigits) + "d/%d") % (current, target)
        info += f" - {now - self._start:.0f}s"
        for k, avg in self._averages():
            info += f" - {k}:" + _format_value(avg, verbose_two=True)
        epoch_end = self._time_at_epoch_end if self._time_at_epoch_end is not None else now
        time_per_epoch = epoch_end - self._time_at_epoch_start
        avg_time_per_step = time_per_epoch / max(target, 1)
        self._time_at_epoch_start = now
        self._time_at_epoch_end = None
        info += " -" + self._format_time(time_per_epoch, "epoch")
        info += " -" + self._format_time(avg_time_per_step, self.unit_name)
        info += "\n"
        _write(info)

    @staticmethod
    def _format_time(time_per_unit, unit_name):
        """' 2s/step', ' 12ms/step' or ' 350us/step'."""
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
        return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"

    def _estimate_step_duration(self, current, now):
        """Seconds per step, leaving out the first (often slow) step when there are more."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            return (now - self._time_after_first_step) / (current - 1)
        return (now - self._start) / current

    def _update_stateful_metrics(self, stateful_metrics):
        self.stateful_metrics = self.stateful_metrics.union(stateful_metrics)
