"""Keras 3's audio front ends: STFTSpectrogram (a short-time Fourier transform as a 1-D convolution with STFT
kernels, trainable like any weight) and MelSpectrogram (a fixed mel-scaled power spectrogram, in decibels by
default)."""
import math
import warnings

import numpy as np

from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.input_spec import InputSpec
from fastkeras.initializers_stft import STFT, window_values

__all__ = ["STFTSpectrogram", "MelSpectrogram"]

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


def _ops(group):
    # keras.ops load on first use (importing them here would slow `import fastkeras`).
    import importlib
    return importlib.import_module(f"fastkeras.ops.{group}")


class STFTSpectrogram(Layer):
    """Spectrogram of each channel of ``(batch, time, channels)`` signals (``channels_first``:
    ``(batch, channels, time)``): frames of ``frame_length`` samples every ``frame_step`` (default half a frame),
    windowed and transformed with ``fft_length`` bins (default the next power of two), as a strided convolution
    with ``padding`` 'valid' or 'same'. ``mode``: 'real'/'imag' parts, 'stft' (both, real bins first),
    'angle', 'psd' (power, non-edge bins doubled), 'magnitude', or 'log' (of the magnitude).

    Output ``(batch, frames, channels * freq)`` (each channel's bins together), or with ``expand_dims``
    ``(batch, frames, freq, channels)``; ``channels_first``: ``(batch, channels * freq, frames)`` or
    ``(batch, channels, frames, freq)``. The kernels (``real_kernel``, ``imag_kernel``) start as the exact
    transform and are trainable weights.
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann",
                 periodic=False, scaling="density", padding="valid", expand_dims=False, data_format=None, **kwargs):
        name = kwargs.get("name") or "stft_spectrogram"
        if frame_step is not None and not 1 <= frame_step <= frame_length:
            raise ValueError(f'Layer "{name}" (STFTSpectrogram): `frame_step` should be a positive integer not '
                             f"greater than `frame_length`. Received: frame_step={frame_step}, "
                             f"frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError(f'Layer "{name}" (STFTSpectrogram): `fft_length` should be at least `frame_length`. '
                             f"Received: fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and fft_length & (fft_length - 1):
            warnings.warn(f"STFTSpectrogram: `fft_length` is best a power of two. Received: fft_length={fft_length}")
        if mode not in _MODES:
            raise ValueError(f'Layer "{name}" (STFTSpectrogram): `mode` should be one of {", ".join(_MODES)}. '
                             f"Received: mode={mode!r}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(f'Layer "{name}" (STFTSpectrogram): `scaling` should be None, \'density\' or '
                             f"'spectrum'. Received: scaling={scaling!r}")
        if padding not in ("valid", "same"):
            raise ValueError(f'Layer "{name}" (STFTSpectrogram): `padding` should be \'valid\' or \'same\'. '
                             f"Received: padding={padding!r}")
        if isinstance(window, str):
            window_values(window, 1, periodic)  # an unknown window name fails here
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    @property
    def _step(self):
        return self.frame_step or self.frame_length // 2

    @property
    def _bins(self):
        return (self.fft_length or 2 ** int(math.ceil(math.log2(self.frame_length)))) // 2 + 1

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._bins)
        for side in ("real", "imag"):
            if self.mode != ("imag" if side == "real" else "real"):
                setattr(self, f"{side}_kernel", self.add_weight(
                    name=f"{side}_kernel", shape=shape,
                    initializer=STFT(side, self.window, self.scaling, self.periodic)))
        self.built = True

    def _transform(self, inputs, kernel):
        """(batch, channels, bins, frames): every channel convolved on its own."""
        if self.data_format == "channels_last":
            channels = inputs.shape[2]
            signals = K.reshape(K.permute_dimensions(inputs, (0, 2, 1)), (-1, inputs.shape[1], 1))
        else:
            channels = inputs.shape[1]
            signals = K.reshape(inputs, (-1, 1, inputs.shape[2]))
        out = _ops("nn").conv(signals, K.cast(kernel, K.dtype(inputs)), strides=self._step, padding=self.padding,
                              data_format=self.data_format)
        if self.data_format == "channels_last":
            out = K.permute_dimensions(out, (0, 2, 1))
        return K.reshape(out, (-1, channels, out.shape[1], out.shape[2]))

    def _arrange(self, x):
        """(batch, channels, freq, frames) to the layer's output layout."""
        _, channels, freq, frames = x.shape
        if self.expand_dims:
            order = (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2)
            return K.permute_dimensions(x, order)
        x = K.reshape(x, (-1, channels * freq, frames))
        return K.permute_dimensions(x, (0, 2, 1)) if self.data_format == "channels_last" else x

    def call(self, inputs):
        dtype = K.dtype(inputs)
        if dtype not in ("float16", "float32", "float64"):
            raise TypeError(f'Layer "{self.name}" (STFTSpectrogram) takes float16, float32 or float64 signals; '
                            f"received {dtype}.")
        real = self._transform(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._transform(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._arrange(real)
        if self.mode == "imag":
            return self._arrange(imag)
        if self.mode == "angle":
            return self._arrange(_ops("numpy").arctan2(imag, real))
        if self.mode == "stft":
            return self._arrange(K.concatenate([real, imag], axis=2))
        power = real * real + imag * imag
        if self.mode == "psd":
            # one-sided power: the bins between DC and Nyquist count twice
            inner = _ops("numpy").pad(power[:, :, 1:-1, :], [[0, 0], [0, 0], [1, 1], [0, 0]])
            return self._arrange(power + inner)
        magnitude = self._arrange(K.sqrt(K.maximum(power, K.epsilon())))
        if self.mode == "magnitude":
            return magnitude
        return K.log(K.maximum(magnitude, K.epsilon()))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            batch, length, channels = input_shape
        else:
            batch, channels, length = input_shape
        freq = self._bins * (2 if self.mode == "stft" else 1)
        frames = None
        if length is not None:
            frames = (-(-length // self._step) if self.padding == "same"
                      else (length - self.frame_length) // self._step + 1)
        if self.expand_dims:
            return (batch, frames, freq, channels) if self.data_format == "channels_last" else \
                (batch, channels, frames, freq)
        features = None if channels is None else channels * freq
        return (batch, frames, features) if self.data_format == "channels_last" else (batch, features, frames)

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "frame_length": self.frame_length, "frame_step": self.frame_step,
                       "fft_length": self.fft_length, "window": self.window, "periodic": self.periodic,
                       "scaling": self.scaling, "padding": self.padding, "data_format": self.data_format,
                       "expand_dims": self.expand_dims})
        return config


# The HTK mel scale: mel = 1127 ln(1 + f / 700).
def _hertz_to_mel(hertz):
    return 1127.0 * np.log(1.0 + hertz / np.float32(700.0))


class MelSpectrogram(Layer):
    """Mel power spectrogram of ``(batch, samples)`` signals (or one ``(samples,)`` signal): centred frames of
    ``sequence_length`` samples (default ``fft_length``) every ``sequence_stride``, windowed, transformed with
    ``fft_length`` bins; magnitudes raised to ``mag_exp``, mapped to ``num_mel_bins`` triangular HTK mel bands
    between ``min_freq`` and ``max_freq`` (default Nyquist), then, with ``power_to_db``, in decibels relative to
    ``ref_power`` (floored at ``min_power``) and clipped to ``top_db`` below the largest value of the whole call.
    Output ``(batch, num_mel_bins, frames)``. No weights."""

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                 sampling_rate=16000, num_mel_bins=128, min_freq=20.0, max_freq=None, power_to_db=True, top_db=80.0,
                 mag_exp=2.0, min_power=1e-10, ref_power=1.0, **kwargs):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError(f"MelSpectrogram: `fft_length` should be at least `sequence_length`. Received: "
                             f"sequence_length={self.sequence_length}, fft_length={self.fft_length}")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)

    def call(self, inputs):
        # The transform runs in float32 or float64 (as Keras 3, whose backends' stft take only those).
        dtype = self.compute_dtype if self.compute_dtype in ("float32", "float64") else "float32"
        signal = K.cast(K.convert_to_tensor(inputs), dtype)
        real, imag = _ops("math").stft(signal, sequence_length=self.sequence_length,
                                       sequence_stride=self.sequence_stride, fft_length=self.fft_length,
                                       window=self.window, center=True)
        spectrum = K.pow(K.sqrt(real * real + imag * imag), self.mag_exp)
        weights = self.linear_to_mel_weight_matrix(self.num_mel_bins, spectrum.shape[-1], self.sampling_rate,
                                                   self.min_freq, self.max_freq, dtype=dtype)
        mel = _ops("numpy").tensordot(spectrum, K.constant(weights, dtype=dtype), axes=1)
        if self.power_to_db:
            mel = self._decibels(mel)
        return K.cast(_ops("numpy").swapaxes(mel, -1, -2), self.compute_dtype)

    def _decibels(self, power):
        db = 10.0 * _ops("numpy").log10(K.maximum(power, self.min_power))
        db = db - 10.0 * math.log10(max(abs(self.ref_power), self.min_power))
        return K.maximum(db, K.max(db) - self.top_db)

    def linear_to_mel_weight_matrix(self, num_mel_bins=20, num_spectrogram_bins=129, sampling_rate=8000,
                                    lower_edge_hertz=125.0, upper_edge_hertz=3800.0, dtype="float32"):
        """``(num_spectrogram_bins, num_mel_bins)`` weights of triangular bands, linear in mel, each rising from
        the previous band's centre to its own and falling to the next one's; the DC bin gets no weight."""
        float_ = np.dtype(dtype).type
        nyquist = float_(sampling_rate) / float_(2.0)
        bin_mels = _hertz_to_mel(np.linspace(float_(0.0), nyquist, num_spectrogram_bins, dtype=dtype)[1:])[:, None]
        edges = np.linspace(_hertz_to_mel(float_(lower_edge_hertz)), _hertz_to_mel(float_(upper_edge_hertz)),
                            num_mel_bins + 2, dtype=dtype)
        lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
        rising = (bin_mels - lower) / (center - lower)
        falling = (upper - bin_mels) / (upper - center)
        weights = np.maximum(float_(0.0), np.minimum(rising, falling))
        return np.pad(weights, [[1, 0], [0, 0]]).astype(dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        length = input_shape[-1]
        # centred frames of fft_length samples (a shorter window is padded to it), fft_length // 2 samples of
        # padding on each side
        frames = None if length is None else \
            (length + 2 * (self.fft_length // 2) - self.fft_length) // self.sequence_stride + 1
        return (*input_shape[:-1], self.num_mel_bins, frames)

    def get_config(self):
        config = super().get_config()
        config.update({"fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                       "sequence_length": self.sequence_length, "window": self.window,
                       "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                       "min_freq": self.min_freq, "max_freq": self.max_freq, "power_to_db": self.power_to_db,
                       "top_db": self.top_db, "mag_exp": self.mag_exp, "min_power": self.min_power,
                       "ref_power": self.ref_power})
        return config
