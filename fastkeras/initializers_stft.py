"""Keras 3's ``keras.initializers.STFT``: the real or imaginary part of a windowed DFT matrix, the kernel of a 1-D
convolution that computes a short-time Fourier transform (STFTSpectrogram's weights).

Named windows come from ``scipy.signal.get_window``, as in Keras 3; scipy is imported only when an STFT
initializer is made or called with a window name, never by ``import fastkeras``.
"""
import math

import numpy as np

from fastkeras import backend as K
from fastkeras.initializers import Initializer


def window_values(window, length, periodic):
    """The ``length`` samples of a named window (symmetric unless ``periodic``), or the given samples."""
    if isinstance(window, str):
        try:
            from scipy.signal import get_window
        except ImportError as e:
            raise ImportError(f"The window {window!r} comes from scipy.signal.get_window, and scipy is not "
                              "installed: `pip install scipy`, or pass the window's samples.") from e
        return np.asarray(get_window(window, length, fftbins=periodic))
    return np.asarray(K.to_numpy(window) if hasattr(window, "detach") else window, dtype="float64")


class STFT(Initializer):
    """A kernel of shape ``(frame_length, input_channels, bins)``: ``cos`` (``side='real'``) or ``sin``
    (``side='imag'``) of ``-2 pi t k / n_fft`` for time ``t`` and bin ``k``, with ``n_fft = 2 * (bins - 1)``,
    times the window and divided by its scale: the root of its energy (``scaling='density'``), its sum
    (``'spectrum'``) or 1 (None). ``window`` is a scipy window name, the samples themselves, or None. Every
    input channel gets the same kernel (Keras 3.15.1 returns a single channel whatever the shape asks for)."""

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"STFT initializer: `side` should be 'real' or 'imag'. Received: side={side!r}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(f"STFT initializer: `scaling` should be None, 'density' or 'spectrum'. "
                             f"Received: scaling={scaling!r}")
        if isinstance(window, str):
            window_values(window, 1, periodic)  # an unknown name fails now, not at the first call
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None, **kwargs):
        frame_length, _, bins = shape
        n_fft = (bins - 1) * 2
        t = np.arange(frame_length, dtype="float64").reshape(frame_length, 1, 1)
        k = np.arange(bins, dtype="float64").reshape(1, 1, bins)
        angle = -2.0 * math.pi * t * k / n_fft
        kernel = np.cos(angle) if self.side == "real" else np.sin(angle)
        if self.window is not None:
            win = window_values(self.window, frame_length, self.periodic)
            if win.shape != (frame_length,):
                raise ValueError(f"STFT initializer: the window should have shape ({frame_length},) (the frame "
                                 f"length); received {win.shape}.")
            scale = {"density": math.sqrt(float(np.sum(win ** 2))), "spectrum": float(np.sum(np.abs(win))),
                     None: 1.0}[self.scaling]
            kernel = kernel * win.reshape(frame_length, 1, 1) / scale
        kernel = np.array(np.broadcast_to(kernel, tuple(shape)))  # the same kernel for every input channel
        return K.constant(kernel, dtype=dtype or K.floatx())

    def get_config(self):
        return {"side": self.side, "window": self.window, "periodic": self.periodic, "scaling": self.scaling}
