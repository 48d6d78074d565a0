"""Keras 2's categorical and text preprocessing layers: CategoryEncoding, Discretization, Hashing, IntegerLookup,
StringLookup and TextVectorization, with tf-keras 2's arguments, configs and ``adapt`` results.

torch has no string tensors, so string inputs (a ``str``, a list of them, or a NumPy array of dtype str/object)
are processed eagerly in Python and NumPy; the layers return engine tensors (integer indices or float encodings).
The usual Keras pattern of vectorizing text before the model (``model.fit(vectorize_layer(x_train), y)``) works as
is; a symbolic ``Input(dtype='string')`` cannot exist in fastkeras, and a string layer called on a symbolic tensor
says so. The numeric layers (CategoryEncoding, Discretization, Hashing on integers, IntegerLookup) also run inside
a model on integer or float tensors.

Hashing uses TensorFlow's hashes, reimplemented here: FarmHash Fingerprint64 (``tf.strings.to_hash_bucket_fast``)
without a salt and SipHash-2-4 keyed by the salt (``to_hash_bucket_strong``) with one; integers are hashed through
their decimal string, as tf-keras does.
"""
import collections
import re

import numpy as np

from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.layers.preprocessing import PreprocessingLayer, _adapt_batches

__all__ = ["CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "StringLookup", "TextVectorization"]

INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF = "int", "one_hot", "multi_hot", "count", "tf_idf"
_MASK64 = (1 << 64) - 1
_INT64_MAX = np.iinfo(np.int64).max


def _check_arg(layer_name, arg_name, value, allowed):
    if value not in allowed:
        raise ValueError(f"The `{arg_name}` argument of {layer_name} must be one of "
                         f"{', '.join(repr(a) for a in allowed)}. Received: {arg_name}={value!r}")


def _listify(value):
    if value is None:
        return None
    if K.is_tensor(value):
        value = K.to_numpy(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in value] if isinstance(value, (list, tuple)) \
        else value


# ---- TensorFlow's string hashes ------------------------------------------------------------------------------

_K0, _K1, _K2 = 0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f


def _f64(s, i):
    return int.from_bytes(s[i:i + 8], "little")


def _f32(s, i):
    return int.from_bytes(s[i:i + 4], "little")


def _rot(v, shift):
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _MASK64


def _smix(v):
    return v ^ (v >> 47)


def _len16(u, v, mul):
    a = ((u ^ v) * mul) & _MASK64
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK64
    b ^= b >> 47
    return (b * mul) & _MASK64


def _weak32(s, i, a, b):
    w, x, y, z = _f64(s, i), _f64(s, i + 8), _f64(s, i + 16), _f64(s, i + 24)
    a = (a + w) & _MASK64
    b = _rot((b + a + z) & _MASK64, 21)
    c = a
    a = (a + x + y) & _MASK64
    b = (b + _rot(a, 44)) & _MASK64
    return (a + z) & _MASK64, (b + c) & _MASK64


def fingerprint64(s):
    """FarmHash ``Fingerprint64`` (farmhashna::Hash64) of the bytes ``s``: TensorFlow's ``Fingerprint64``."""
    n = len(s)
    M = _MASK64
    if n <= 16:
        if n >= 8:
            mul = _K2 + n * 2
            a = (_f64(s, 0) + _K2) & M
            b = _f64(s, n - 8)
            c = (_rot(b, 37) * mul + a) & M
            d = ((_rot(a, 25) + b) * mul) & M
            return _len16(c, d, mul)
        if n >= 4:
            mul = _K2 + n * 2
            return _len16((n + (_f32(s, 0) << 3)) & M, _f32(s, n - 4), mul)
        if n > 0:
            y = s[0] + (s[n >> 1] << 8)
            z = n + (s[n - 1] << 2)
            return (_smix(((y * _K2) ^ (z * _K0)) & M) * _K2) & M
        return _K2
    if n <= 32:
        mul = _K2 + n * 2
        a = (_f64(s, 0) * _K1) & M
        b = _f64(s, 8)
        c = (_f64(s, n - 8) * mul) & M
        d = (_f64(s, n - 16) * _K2) & M
        return _len16((_rot((a + b) & M, 43) + _rot(c, 30) + d) & M, (a + _rot((b + _K2) & M, 18) + c) & M, mul)
    if n <= 64:
        mul = _K2 + n * 2
        a = (_f64(s, 0) * _K2) & M
        b = _f64(s, 8)
        c = (_f64(s, n - 8) * mul) & M
        d = (_f64(s, n - 16) * _K2) & M
        y = (_rot((a + b) & M, 43) + _rot(c, 30) + d) & M
        z = _len16(y, (a + _rot((b + _K2) & M, 18) + c) & M, mul)
        e = (_f64(s, 16) * mul) & M
        f = _f64(s, 24)
        g = ((y + _f64(s, n - 32)) * mul) & M
        h = ((z + _f64(s, n - 24)) * mul) & M
        return _len16((_rot((e + f) & M, 43) + _rot(g, 30) + h) & M, (e + _rot((f + a) & M, 18) + g) & M, mul)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & M
    z = (_smix((y * _K2 + 113) & M) * _K2) & M
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _f64(s, 0)) & M
    end = ((n - 1) // 64) * 64
    last64 = n - 64
    i = 0
    while True:
        x = (_rot((x + y + v0 + _f64(s, i + 8)) & M, 37) * _K1) & M
        y = (_rot((y + v1 + _f64(s, i + 48)) & M, 42) * _K1) & M
        x ^= w1
        y = (y + v0 + _f64(s, i + 40)) & M
        z = (_rot((z + w0) & M, 33) * _K1) & M
        v0, v1 = _weak32(s, i, (v1 * _K1) & M, (x + w0) & M)
        w0, w1 = _weak32(s, i + 32, (z + w1) & M, (y + _f64(s, i + 16)) & M)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xff) << 1)
    i = last64
    w0 = (w0 + ((n - 1) & 63)) & M
    v0 = (v0 + w0) & M
    w0 = (w0 + v0) & M
    x = (_rot((x + y + v0 + _f64(s, i + 8)) & M, 37) * mul) & M
    y = (_rot((y + v1 + _f64(s, i + 48)) & M, 42) * mul) & M
    x ^= (w1 * 9) & M
    y = (y + v0 * 9 + _f64(s, i + 40)) & M
    z = (_rot((z + w0) & M, 33) * mul) & M
    v0, v1 = _weak32(s, i, (v1 * mul) & M, (x + w0) & M)
    w0, w1 = _weak32(s, i + 32, (z + w1) & M, (y + _f64(s, i + 16)) & M)
    z, x = x, z
    return _len16((_len16(v0, w0, mul) + _smix(y) * _K0 + z) & M, (_len16(v1, w1, mul) + x) & M, mul)


def siphash24(key, s):
    """SipHash-2-4 of the bytes ``s`` with ``key`` = (k0, k1), 64-bit output: TensorFlow's ``StrongKeyedHash``."""
    M = _MASK64
    k0, k1 = key[0] & M, key[1] & M
    v0, v1, v2, v3 = k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573

    def rounds(v0, v1, v2, v3, count):
        for _ in range(count):
            v0 = (v0 + v1) & M
            v1 = _rot(v1, 64 - 13) ^ v0
            v0 = _rot(v0, 32)
            v2 = (v2 + v3) & M
            v3 = _rot(v3, 64 - 16) ^ v2
            v0 = (v0 + v3) & M
            v3 = _rot(v3, 64 - 21) ^ v0
            v2 = (v2 + v1) & M
            v1 = _rot(v1, 64 - 17) ^ v2
            v2 = _rot(v2, 32)
        return v0, v1, v2, v3

    n = len(s)
    full = n - n % 8
    for i in range(0, full, 8):
        m = _f64(s, i)
        v3 ^= m
        v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
        v0 ^= m
    last = int.from_bytes(s[full:] + bytes(8 - (n - full)), "little") | ((n & 0xff) << 56)
    v3 ^= last
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
    v0 ^= last
    v2 ^= 0xff
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 4)
    return v0 ^ v1 ^ v2 ^ v3


def _hash_buckets(values, num_buckets, salt=None):
    """``tf.strings.to_hash_bucket_fast`` (salt None) or ``to_hash_bucket_strong(key=salt)`` of a NumPy array of
    str (or integers, hashed through their decimal strings, as ``tf.as_string`` writes them)."""
    flat = values.reshape(-1)
    out = np.empty(flat.shape, np.int64)
    for i, v in enumerate(flat):
        b = v.encode("utf-8") if isinstance(v, str) else (v if isinstance(v, bytes) else str(int(v)).encode())
        out[i] = (fingerprint64(b) if salt is None else siphash24(salt, b)) % num_buckets
    return out.reshape(values.shape)


# ---- inputs ------------------------------------------------------------------------------------------------

def _is_string_data(x):
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "USO"
    if isinstance(x, (list, tuple)):
        flat = x
        while isinstance(flat, (list, tuple)) and flat:
            flat = flat[0]
        return isinstance(flat, (str, bytes)) or (isinstance(x, (list, tuple)) and len(x) == 0)
    return False


def _string_array(layer, x):
    """``x`` (str, bytes, nested lists of them, or an array of dtype str/bytes/object) as an object array of str."""
    if isinstance(x, (str, bytes)):
        x = [x]
        scalar = True
    else:
        scalar = False
    array = np.asarray(x, dtype=object)
    if array.dtype.kind != "O":
        array = array.astype(object)
    flat = array.reshape(-1)
    for i, v in enumerate(flat):
        if isinstance(v, bytes):
            flat[i] = v.decode("utf-8")
        elif isinstance(v, np.str_):
            flat[i] = str(v)
        elif not isinstance(v, str):
            raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}) expects strings. Received an element '
                             f"of type {type(v).__name__}: {v!r}.")
    return (array.reshape(()) if scalar else array), scalar


def _refuse_symbolic(layer, inputs, what="strings"):
    raise TypeError(f'Layer "{layer.name}" ({type(layer).__name__}) processes {what}, which fastkeras cannot hold '
                    "in a symbolic tensor (torch has no string tensors, so there is no `Input(dtype='string')`). "
                    f"Apply the layer to the raw text before the model instead: `x = {layer.name}(texts)` (a str, a "
                    "list of str or a NumPy array of strings), then feed the integer/float result to the model, "
                    f"e.g. `model.fit({layer.name}(x_train), y_train)`. Received: a symbolic tensor "
                    f"{getattr(inputs, 'shape', None)} of dtype {getattr(inputs, 'dtype', None)}.")


def _numpy_input(x):
    return K.to_numpy(x) if K.is_tensor(x) else np.asarray(x)


def _ragged_rows(x):
    """The rows of a ragged batch written as Python lists (what ``tf.ragged.constant`` takes: lists of unequal
    lengths, e.g. the label sets of keras.io's multi-label classification), or None for anything else."""
    if not isinstance(x, (list, tuple)) or not x:
        return None
    if not all(isinstance(row, (list, tuple, np.ndarray)) for row in x):
        return None
    if len({len(row) for row in x}) == 1:
        return None  # rectangular: an ordinary 2-D batch
    if any(np.ndim(value) for row in x for value in row):
        return None
    return [list(row) for row in x]


# ---- encoding (tf-keras' preprocessing_utils.encode_categorical_inputs) ----------------------------------

def _encode(layer, indices, output_mode, depth, count_weights=None, idf_weights=None):
    """Integer ``indices`` (an engine tensor) as ``output_mode`` of ``depth`` classes in the layer's dtype."""
    dtype = layer.compute_dtype
    if output_mode == INT:
        return K.cast(indices, dtype)
    original_shape = tuple(indices.shape)
    x = indices
    if x.ndim == 0:
        x = K.expand_dims(x, -1)
    if output_mode == ONE_HOT and x.shape[-1] != 1:
        x = K.expand_dims(x, -1)
    if x.ndim > 2:
        raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}): when output_mode is not `\'int\'`, the '
                         f"maximum supported output rank is 2. Received output_mode={output_mode!r} and input shape "
                         f"{original_shape}, which would result in output rank {x.ndim}.")
    hot = K.one_hot(K.cast(x, "int64"), int(depth))  # (..., n, depth); out-of-range indices give zeros
    if output_mode in (ONE_HOT, MULTI_HOT):
        out = K.max(hot, axis=-2)
    else:
        if count_weights is not None:
            hot = hot * K.expand_dims(K.cast(K.convert_to_tensor(count_weights), K.dtype(hot)), -1)
        out = K.sum(hot, axis=-2)
    out = K.cast(out, dtype)
    if output_mode == TF_IDF:
        out = out * K.cast(K.convert_to_tensor(np.asarray(idf_weights, np.float32)), dtype)
    return out


def _encoded_shape(layer, input_shape, output_mode, depth):
    shape = tuple(input_shape)
    if output_mode == INT:
        return shape
    if not shape:
        return (depth,)
    if output_mode == ONE_HOT and shape[-1] != 1:
        shape = shape + (1,)
    if len(shape) > 2:
        raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}): when output_mode is not `\'int\'`, the '
                         f"maximum supported output rank is 2. Received output_mode={output_mode!r} and input shape "
                         f"{tuple(input_shape)}, which would result in output rank {len(shape)}.")
    return shape[:-1] + (depth,)


def _default_dtype(kwargs, output_mode):
    if kwargs.get("dtype") is None:
        kwargs["dtype"] = "int64" if output_mode == INT else K.floatx()
    elif output_mode == INT and not K.standardize_dtype(kwargs["dtype"]).startswith(("int", "uint")):
        kwargs["dtype"] = "int64"
    return kwargs


def _record_adapt_shape(layer, batch):
    if not layer.built:
        if layer._batch_input_shape is None:
            layer._batch_input_shape = (None,) * np.ndim(batch)  # as tf-keras' adapt records it
        layer.built = True


# ---- CategoryEncoding ----------------------------------------------------------------------------------------

class CategoryEncoding(Layer):
    """Integer indices in ``[0, num_tokens)`` as one-hot, multi-hot or count vectors.

    Shape: ``(batch, n)`` -> ``(batch, num_tokens)`` (multi_hot, count); ``(batch,)`` or ``(batch, 1)`` ->
    ``(batch, num_tokens)`` (one_hot); a rank-1 input to multi_hot/count is one sample: ``(num_tokens,)``.
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        if "max_tokens" in kwargs:  # tf-keras' deprecated name
            num_tokens = kwargs.pop("max_tokens")
        if output_mode == "binary":
            output_mode = MULTI_HOT
        super().__init__(**kwargs)
        _check_arg("CategoryEncoding", "output_mode", output_mode, (COUNT, ONE_HOT, MULTI_HOT))
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotImplementedError('Layer "CategoryEncoding": sparse=True is not supported by fastkeras (no '
                                      "sparse tensors); use sparse=False for a dense output.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        if K.dtype(inputs).startswith("float"):
            inputs = K.cast(inputs, "int64")
        values = K.to_numpy(inputs)
        if values.size and (values.min() < 0 or values.max() >= self.num_tokens):
            raise ValueError(f'Layer "{self.name}" (CategoryEncoding): input values must be in the range 0 <= '
                             f"values < num_tokens with num_tokens={self.num_tokens}. Received values from "
                             f"{values.min()} to {values.max()}.")
        if count_weights is not None and self.output_mode != COUNT:
            raise ValueError(f'Layer "{self.name}" (CategoryEncoding): `count_weights` is not used when '
                             f"`output_mode` is not `'count'`. Received output_mode={self.output_mode!r}.")
        return _encode(self, inputs, self.output_mode, self.num_tokens, count_weights=count_weights)

    def compute_output_shape(self, input_shape):
        return _encoded_shape(self, input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode, "sparse": self.sparse})
        return config


# ---- Discretization ------------------------------------------------------------------------------------------

def _summarize(values, epsilon):
    values = np.sort(values.reshape(-1).astype(np.float32))
    elements = np.float32(values.size)
    increment = int(elements / np.float32(1.0 / epsilon))
    step = max(increment, 1)
    boundaries = values[increment::step]
    return np.stack([boundaries, np.ones_like(boundaries) * np.float32(step)])


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype(np.float32)


class Discretization(PreprocessingLayer):
    """Buckets values by ``bin_boundaries`` (``x < b[0]`` -> 0, ``b[i-1] <= x < b[i]`` -> i), or by ``num_bins``
    quantile boundaries learned by ``adapt`` with tf-keras' summary (same boundaries as tf-keras).

    Shape: any; unchanged for ``output_mode='int'``, else encoded as CategoryEncoding does.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False,
                 **kwargs):
        if "bins" in kwargs:
            bins = kwargs.pop("bins")
            if isinstance(bins, int) and num_bins is None:
                num_bins = bins
            elif bin_boundaries is None:
                bin_boundaries = bins
        super().__init__(**_default_dtype(kwargs, output_mode))
        _check_arg("Discretization", "output_mode", output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT))
        if sparse:
            raise NotImplementedError('Layer "Discretization": sparse=True is not supported by fastkeras.')
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. You passed `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. You passed "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        bin_boundaries = _listify(bin_boundaries)
        self.input_bin_boundaries = bin_boundaries
        self.bin_boundaries = bin_boundaries if bin_boundaries is not None else []
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self._summary = np.zeros((2, 0), np.float32)

    def call(self, inputs):
        x = inputs if K.dtype(inputs).startswith("float") else K.cast(inputs, "float64")
        if self.bin_boundaries:
            bounds = K.cast(K.convert_to_tensor(np.asarray(self.bin_boundaries, np.float32)), K.dtype(x))
            indices = K.sum(K.cast(K.greater_equal(K.expand_dims(x, -1), bounds), "int64"), axis=-1)
        else:
            indices = K.cast(K.zeros_like(x), "int64")
        return _encode(self, indices, self.output_mode, len(self.bin_boundaries) + 1)

    def adapt(self, data, batch_size=None, steps=None):
        """Learns ``num_bins - 1`` quantile boundaries of ``data`` (an array or iterable of batches)."""
        if self.input_bin_boundaries is not None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                             f"use `num_bins` instead. You passed `bin_boundaries={self.input_bin_boundaries}`.")
        self.reset_state()
        for batch in _adapt_batches(data, batch_size, steps):
            batch = _numpy_input(batch)
            _record_adapt_shape(self, batch)
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        summary = _summarize(_numpy_input(data).astype(np.float32), self.epsilon)
        merged = np.concatenate((summary, self._summary), axis=1)
        merged = merged[:, np.argsort(merged[0], kind="stable")]
        self._summary = _compress(merged, self.epsilon)

    def finalize_state(self):
        if self.input_bin_boundaries is not None:
            return
        if self.num_bins is None:
            raise ValueError(f'Layer "{self.name}" (Discretization): `adapt` needs `num_bins`. Received '
                             "num_bins=None.")
        self.bin_boundaries = [float(b) for b in _compress(self._summary, 1.0 / self.num_bins)[0, :-1]]

    def reset_state(self):
        self._summary = np.zeros((2, 0), np.float32)

    def compute_output_shape(self, input_shape):
        return _encoded_shape(self, input_shape, self.output_mode, len(self.bin_boundaries) + 1)

    def get_config(self):
        config = super().get_config()
        config.update({"bin_boundaries": self.input_bin_boundaries, "num_bins": self.num_bins,
                       "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse})
        return config


# ---- Hashing -------------------------------------------------------------------------------------------------

class Hashing(Layer):
    """Hashes strings or integers into ``num_bins`` bins with TensorFlow's hashes (FarmHash Fingerprint64, or
    SipHash-2-4 keyed by ``salt``), so the bins are tf-keras'. ``mask_value`` goes to bin 0, the rest to
    ``[1, num_bins)``.

    Shape: any; unchanged for ``output_mode='int'``, else encoded as CategoryEncoding does.
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
                             f"num_bins={num_bins}.")
        super().__init__(**_default_dtype(kwargs, output_mode))
        _check_arg("Hashing", "output_mode", output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT))
        if sparse:
            raise NotImplementedError('Layer "Hashing": sparse=True is not supported by fastkeras.')
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a "
                                 f"single integer. Received: salt={salt}.")

    def __call__(self, inputs, *args, **kwargs):
        if _is_string_data(inputs):
            values, _ = _string_array(self, inputs)
            self.built = True
            return self._encode_bins(self._bins(values))
        if isinstance(inputs, KerasTensor) and not K.dtype(inputs).startswith(("int", "uint")):
            raise TypeError(f'Layer "{self.name}" (Hashing) hashes integers or strings. Received a symbolic '
                            f"tensor of dtype {inputs.dtype}.")
        return super().__call__(inputs, *args, **kwargs)

    def _bins(self, values):
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == self.mask_value
        out = _hash_buckets(values, bins, self.salt)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        return out

    def _encode_bins(self, bins):
        return _encode(self, K.convert_to_tensor(np.asarray(bins, np.int64)), self.output_mode, self.num_bins)

    def call(self, inputs):
        values = K.to_numpy(inputs)
        if values.dtype.kind not in "iu":
            raise ValueError(f'Layer "{self.name}" (Hashing) hashes integers or strings. Received values of dtype '
                             f"{values.dtype}.")
        return self._encode_bins(self._bins(values))

    def compute_output_shape(self, input_shape):
        return _encoded_shape(self, input_shape, self.output_mode, self.num_bins)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                       "output_mode": self.output_mode, "sparse": self.sparse})
        return config


# ---- IndexLookup: IntegerLookup and StringLookup --------------------------------------------------------------

class _IndexLookup(PreprocessingLayer):
    """tf-keras' IndexLookup: a vocabulary (given, or learned by ``adapt`` by descending frequency, ties by
    descending token), ``num_oov_indices`` OOV indices (hashed when more than one), an optional mask token."""

    _is_string = False

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False,
                 **kwargs):
        cls = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                             f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if output_mode == "binary":
            output_mode = MULTI_HOT
        if output_mode == "tf-idf":
            output_mode = TF_IDF
        _check_arg(cls, "output_mode", output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF))
        if invert and output_mode != INT:
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise NotImplementedError(f'Layer "{cls}": sparse=True is not supported by fastkeras.')
        if idf_weights is not None and output_mode != TF_IDF:
            raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             f"idf_weights={idf_weights} and output_mode={output_mode}")
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        frozen_vocab_size = kwargs.pop("vocabulary_size", None)  # a config's, as tf-keras keeps it
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == INT else K.floatx()
        super().__init__(**kwargs)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._tokens = []
        self._index = {}
        self._idf_weights = None
        self._set_tokens([])
        self._frozen_vocab_size = frozen_vocab_size
        self.reset_state()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- vocabulary --

    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == INT else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _clean_token(self, token):
        if self._is_string:
            return token.decode("utf-8") if isinstance(token, bytes) else str(token)
        return int(token)

    def vocabulary_size(self):
        """The size of the vocabulary, mask and OOV indices included."""
        return self._token_start_index() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary, index i holding the token the layer maps to i (mask and OOV tokens included unless
        ``include_special_tokens=False``)."""
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == INT:
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index():]
        return vocab

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (a list, array or a text file path with one token per line) and, for tf_idf, the
        idf weights (one per token, or per index with the special tokens' first)."""
        cls = type(self).__name__
        if self.output_mode == TF_IDF:
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                             f"output_mode={self.output_mode} and idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().split("\n")
            if vocabulary and vocabulary[-1] == "":
                vocabulary = vocabulary[:-1]
        tokens = [self._clean_token(t) for t in _listify(vocabulary)]
        if idf_weights is not None:
            idf_weights = np.asarray(_listify(idf_weights), np.float32)
        # A vocabulary may start with the special tokens, as get_vocabulary() returns them.
        token_start = self._token_start_index()
        special = [self.oov_token] * token_start
        if self.mask_token is not None and self.output_mode == INT:
            special[0] = self.mask_token
        if token_start and tokens[:token_start] == special:
            tokens = tokens[token_start:]
            had_special = True
        else:
            had_special = False
        if len(set(tokens)) != len(tokens):
            repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                             f"`vocabulary` does not need to include the OOV and mask tokens. Either remove all "
                             f"mask and OOV tokens, or include them only at the start of the vocabulary in "
                             f"precisely this order: {special}. Received: mask_token={self.mask_token} at "
                             f"vocabulary index {tokens.index(self.mask_token)}")
        if not self.invert and self.num_oov_indices and self.oov_token in tokens:
            raise ValueError(f"Found reserved OOV token at unexpected location in `vocabulary`. Note that passed "
                             f"`vocabulary` does not need to include the OOV and mask tokens. Either remove all "
                             f"mask and OOV tokens, or include them only at the start of the vocabulary in "
                             f"precisely this order: {special}. Received: oov_token={self.oov_token} at "
                             f"vocabulary index {tokens.index(self.oov_token)}")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. Passed vocab size "
                             f"is {token_start + len(tokens)}, max vocab size is {self.max_tokens}.")
        if self.output_mode == TF_IDF:
            if had_special and len(idf_weights) == token_start + len(tokens):
                idf_weights = idf_weights[token_start:]
            if len(idf_weights) != len(tokens):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{len(idf_weights)}; len(vocabulary) is {len(tokens)}")
            front = np.full((token_start,), idf_weights.mean() if len(idf_weights) else 0.0, np.float32)
            self._set_idf(np.concatenate([front, idf_weights]).astype(np.float32))
        self._set_tokens(tokens)

    def _set_tokens(self, tokens):
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: i + start for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()
        if not self._is_string:
            self._sorted_keys = np.asarray(self._tokens, np.int64)
            order = np.argsort(self._sorted_keys, kind="stable")
            self._sorted_keys = self._sorted_keys[order]
            self._sorted_values = (order + start).astype(np.int64)

    def _set_idf(self, weights):
        if self.pad_to_max_tokens and self.max_tokens is not None and len(weights) < self.max_tokens:
            weights = np.concatenate([weights, np.zeros(self.max_tokens - len(weights), np.float32)])
        self._idf_weights = weights

    # -- adapt --

    @property
    def is_adapted(self):
        return bool(self.__dict__.get("_is_adapted", False))

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (by descending frequency, ties by descending token, as tf-keras) and, for
        tf_idf, the idf weights from ``data``: an array, a list of tokens, or an iterable of batches."""
        ragged = _ragged_rows(data) is not None
        if self._is_string and _is_string_data(data) and not ragged:
            data, _ = _string_array(self, data)
        self.reset_state()
        for batch in ([data] if ragged else _adapt_batches(data, batch_size, steps)):
            self.update_state(batch)
        self.finalize_state()
        self._is_adapted = True

    def _adapt_rows(self, data):
        rows = _ragged_rows(data)
        if rows is not None:  # one document per row, as tf-keras adapts a RaggedTensor
            _record_adapt_shape(self, np.empty((0, 0)))
            return [[self._clean_token(t) for t in self._row_values(row).reshape(-1)] for row in rows]
        if self._is_string:
            data, _ = _string_array(self, data)
        else:
            data = _numpy_input(data)
            if data.dtype.kind not in "iu":
                raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) adapts on integers. Received data '
                                 f"of dtype {data.dtype}.")
        _record_adapt_shape(self, data)
        if data.ndim == 0:
            data = data.reshape(1)
        if data.ndim == 1:
            data = data.reshape(1, -1)  # a 1-D batch is one document
        return [[self._clean_token(t) for t in row.reshape(-1)] for row in data]

    def update_state(self, data):
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt {type(self).__name__} layer after setting a static vocabulary via init "
                             "argument or `set_vocabulary`.")
        self._update_rows(self._adapt_rows(data))

    def _update_rows(self, rows):
        for row in rows:
            self._token_counts.update(row)
            if self.output_mode == TF_IDF:
                self._document_counts.update(set(row))
                self._num_documents += 1

    def finalize_state(self):
        if self._has_input_vocabulary or not self._token_counts:
            return
        counts = self._token_counts
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        tokens = list(counts)
        keys = np.array([t.encode("utf-8") for t in tokens], dtype=object) if self._is_string else \
            np.asarray(tokens, np.int64)
        freqs = np.asarray([counts[t] for t in tokens], np.int64)
        order = np.lexsort((keys, freqs))[::-1] if tokens else np.zeros(0, np.int64)
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start_index()]
        tokens = [tokens[i] for i in order]
        if self.output_mode == TF_IDF:
            doc_counts = np.asarray([self._document_counts[t] for t in tokens], np.int64)
            idf = np.log(1 + self._num_documents / (1 + doc_counts)).astype(np.float32)
            mean = np.mean(idf, dtype=np.float32) if len(idf) else np.float32(np.nan)
            front = np.full((self._token_start_index(),), mean, np.float32)
            self._set_idf(np.concatenate([front, idf]))
        self._set_tokens(tokens)

    def reset_state(self):
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    # -- call --

    def _lookup(self, values):
        """NumPy int64 indices of the NumPy array ``values`` (mask, OOV and num_oov_indices=0 as tf-keras)."""
        start = self._oov_start_index()
        default = start if self.num_oov_indices == 1 else -1
        if self._is_string:
            flat = values.reshape(-1)
            out = np.fromiter((self._index.get(v, default) for v in flat), np.int64, len(flat)).reshape(values.shape)
        else:
            values = values.astype(np.int64)
            out = np.full(values.shape, default, np.int64)
            if len(self._sorted_keys):
                pos = np.clip(np.searchsorted(self._sorted_keys, values), 0, len(self._sorted_keys) - 1)
                found = self._sorted_keys[pos] == values
                out = np.where(found, self._sorted_values[pos], default)
        if self.mask_token is not None:
            out = np.where(values == self.mask_token, 0 if self.output_mode == INT else _INT64_MAX, out)
        if self.num_oov_indices == 0:
            missing = out == -1
            if missing.any():
                raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): when `num_oov_indices=0` all '
                                 f"inputs should be in vocabulary, found OOV values {values[missing].tolist()}, "
                                 "consider setting `num_oov_indices=1`.")
        elif self.num_oov_indices > 1:
            oov = out == -1
            if oov.any():
                if self._is_string:
                    hashed = _hash_buckets(values[oov], self.num_oov_indices)
                else:
                    hashed = np.mod(values[oov], self.num_oov_indices)
                out[oov] = hashed + start
        return out

    def _invert(self, values):
        values = values.astype(np.int64)
        start = self._token_start_index()
        vocab = np.asarray(list(self._tokens), dtype=object if self._is_string else np.int64)
        inside = (values >= start) & (values < start + len(self._tokens))
        picked = vocab[np.clip(values - start, 0, max(len(vocab) - 1, 0))] if len(vocab) else \
            np.zeros(values.shape, object if self._is_string else np.int64)
        out = np.where(inside, picked, self.oov_token)
        if self.mask_token is not None:
            out = np.where(values == 0, self.mask_token, out)
        return out.astype(object) if self._is_string else out.astype(np.int64)

    def _check_ready(self):
        if self.output_mode != INT and not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you "
                               f"must set the layer's vocabulary before calling it. Either pass a `vocabulary` "
                               f"argument to the layer, or call `adapt` with some sample data.")
        if self.output_mode == TF_IDF and self._idf_weights is None:
            raise RuntimeError(f'Layer "{self.name}": output_mode="tf_idf" needs idf weights: call `adapt` or '
                               "pass `idf_weights` with the vocabulary.")

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _encode_indices(self, indices):
        indices = K.convert_to_tensor(np.asarray(indices, np.int64))
        if self.output_mode == INT:
            return K.cast(indices, self.compute_dtype)
        idf = self._idf_weights
        if idf is not None and len(idf) < self._depth():
            idf = np.concatenate([idf, np.zeros(self._depth() - len(idf), np.float32)])
        return _encode(self, indices, self.output_mode, self._depth(), idf_weights=idf)

    def _row_values(self, row):
        if self._is_string:
            return _string_array(self, row)[0].reshape(-1)
        values = _numpy_input(row).reshape(-1)
        if len(values) and values.dtype.kind not in "iu":
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) expects integer inputs. Received values '
                             f"of dtype {values.dtype}.")
        return values.astype(np.int64)

    def _encode_ragged(self, rows):
        """A ragged batch (rows of unequal lengths) as one multi_hot/count/tf_idf vector per row, as tf-keras
        encodes a RaggedTensor; 'int' and 'one_hot' would give ragged outputs, which torch has no tensor for."""
        if self.output_mode in (INT, ONE_HOT) or self.invert:
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) received rows of unequal lengths '
                             f"{[len(row) for row in rows]}, with output_mode={self.output_mode!r}"
                             f"{' and invert=True' if self.invert else ''}: the output would be ragged, and "
                             "fastkeras has no ragged tensors. Pad the rows to one length (e.g. with the mask "
                             "token, or keras.utils.pad_sequences for integers), or use output_mode='multi_hot', "
                             "'count' or 'tf_idf', which give one vector per row.")
        indices = [self._lookup(self._row_values(row)) for row in rows]
        depth = self._depth()
        padded = np.full((len(rows), max(1, max(len(i) for i in indices))), depth, np.int64)  # depth: no class
        for r, row in enumerate(indices):
            padded[r, :len(row)] = row
        return self._encode_indices(padded)

    def compute_output_shape(self, input_shape):
        return _encoded_shape(self, input_shape, self.output_mode, self._depth())

    def get_config(self):
        config = super().get_config()
        config.update({
            "invert": self.invert, "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token, "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights), "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
        })
        return config


class IntegerLookup(_IndexLookup):
    """Maps integers to contiguous indices of a vocabulary (given, or learned by ``adapt``); ``invert=True`` maps
    indices back to the integers. OOV values go to index ``num_oov_indices`` (hashed by ``value mod
    num_oov_indices`` when there are several), ``mask_token`` to 0.

    Shape: any; unchanged for ``output_mode='int'``, else encoded as CategoryEncoding does.
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, **kwargs):
        if vocabulary_dtype not in ("int64", "int32"):
            raise ValueError(f"`vocabulary_dtype` must be an integer dtype ('int64'). Received: "
                             f"vocabulary_dtype={vocabulary_dtype}")
        if num_oov_indices < 0:
            raise ValueError("The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if mask_token is not None:
            mask_token = int(mask_token)
        if oov_token is not None:
            oov_token = int(oov_token)
        if isinstance(vocabulary, np.ndarray) and vocabulary.dtype.kind not in "iu":
            raise ValueError(f'Layer "IntegerLookup": the vocabulary must be integers. Received an array of dtype '
                             f"{vocabulary.dtype}.")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary_dtype=vocabulary_dtype, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def call(self, inputs):
        self._check_ready()
        values = K.to_numpy(inputs)
        if values.dtype.kind not in "iu":
            raise ValueError(f'Layer "{self.name}" (IntegerLookup) expects integer inputs. Received values of '
                             f"dtype {values.dtype}. Cast them to int64, or use StringLookup for strings.")
        if self.invert:
            return K.convert_to_tensor(self._invert(values))
        return self._encode_indices(self._lookup(values))

    def __call__(self, inputs, *args, **kwargs):
        if _is_string_data(inputs):
            raise ValueError(f'Layer "{self.name}" (IntegerLookup) expects integer inputs. Received strings; use '
                             "StringLookup for string vocabularies.")
        rows = _ragged_rows(inputs)
        if rows is not None:
            self._check_ready()
            self.built = True
            return self._encode_ragged(rows)
        return super().__call__(inputs, *args, **kwargs)


class StringLookup(_IndexLookup):
    """Maps strings to contiguous indices of a vocabulary (given, or learned by ``adapt``); ``invert=True`` maps
    indices back to strings (a NumPy array of str). OOV strings go to index ``num_oov_indices`` (hashed with
    FarmHash when there are several, as tf-keras), ``mask_token`` to 0.

    Takes str, lists of str or NumPy string arrays eagerly (torch has no string tensors). Shape: any; unchanged
    for ``output_mode='int'``, else encoded as CategoryEncoding does.
    """

    _is_string = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, encoding="utf-8", invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary_dtype="string", vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, KerasTensor):
            _refuse_symbolic(self, inputs, "strings" if not self.invert else "indices into strings")
        self._check_ready()
        self.built = True
        if self.invert:
            values = _numpy_input(inputs)
            if values.dtype.kind not in "iu":
                raise ValueError(f'Layer "{self.name}" (StringLookup, invert=True) expects integer indices. '
                                 f"Received values of dtype {values.dtype}.")
            return self._invert(values)
        if not _is_string_data(inputs):
            raise ValueError(f'Layer "{self.name}" (StringLookup) expects strings: a str, a list of str or a NumPy '
                             f"array of strings. Received: {type(inputs).__name__}"
                             f"{' of dtype ' + str(K.dtype(inputs)) if K.is_tensor(inputs) else ''}.")
        rows = _ragged_rows(inputs)
        if rows is not None:
            return self._encode_ragged(rows)
        values, _ = _string_array(self, inputs)
        return self._encode_indices(self._lookup(values))

    def call(self, inputs):
        return self(inputs)

    def get_config(self):
        config = super().get_config()
        del config["vocabulary_dtype"]
        config["encoding"] = self.encoding
        return config


# ---- TextVectorization ---------------------------------------------------------------------------------------

DEFAULT_STRIP_REGEX = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_STRIP = re.compile(DEFAULT_STRIP_REGEX)


class TextVectorization(PreprocessingLayer):
    """Text to integer sequences or to multi-hot / count / tf-idf vectors: standardize (lowercase, strip
    punctuation), split (whitespace or characters), n-grams, then a StringLookup whose vocabulary is given or
    learned by ``adapt`` (by descending frequency, ties by descending token, as tf-keras).

    Takes str, lists of str or NumPy string arrays of shape ``(batch,)`` or ``(batch, 1)`` eagerly (torch has no
    string tensors) and returns an engine tensor: int64 ``(batch, output_sequence_length or longest)`` for 'int',
    float ``(batch, vocabulary_size)`` otherwise. A callable ``standardize`` receives the NumPy object array of
    str and returns one of the same shape; a callable ``split`` receives one str and returns its list of tokens
    (tf-keras passes both string tensors). ``sparse`` and ``ragged`` outputs are not supported (no such torch
    tensors).
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", **kwargs):
        if kwargs.get("dtype") not in (None, "string"):
            raise ValueError(f"`TextVectorization` may only have a dtype of string. Received dtype: "
                             f"{kwargs['dtype']}.")
        kwargs.pop("dtype", None)
        if not (standardize is None or callable(standardize)):
            _check_arg("TextVectorization", "standardize", standardize,
                       ("lower_and_strip_punctuation", "lower", "strip_punctuation"))
        if not (split is None or callable(split)):
            _check_arg("TextVectorization", "split", split, ("whitespace", "character"))
        if output_mode == "binary":
            output_mode = MULTI_HOT
        if output_mode == "tf-idf":
            output_mode = TF_IDF
        _check_arg("TextVectorization", "output_mode", output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF, None))
        if not (ngrams is None or isinstance(ngrams, int) or
                (isinstance(ngrams, (tuple, list)) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if output_mode == INT and not (output_sequence_length is None or
                                       (isinstance(output_sequence_length, int) and output_sequence_length > 0)):
            raise ValueError("`output_sequence_length` must be either None or an integer when `output_mode` is "
                             f"'int'. Received: output_sequence_length={output_sequence_length}")
        if output_mode != INT and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
                             f"output_sequence_length={output_sequence_length}.")
        if ragged:
            raise NotImplementedError('Layer "TextVectorization": ragged=True is not supported by fastkeras (no '
                                      "ragged tensors); use output_sequence_length or the default padding.")
        if output_mode == ONE_HOT and split is not None:
            raise ValueError("When using `output_mode='one_hot'` the `split` argument must be None (one token per "
                             f"input). Received: split={split!r}.")
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(**kwargs)
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else \
            (tuple(ngrams) if ngrams is not None else None)
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._pad_to_max_tokens = pad_to_max_tokens
        self._sparse = sparse
        self._ragged = ragged
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="",
            output_mode=output_mode if output_mode is not None else INT, sparse=sparse,
            has_input_vocabulary=self._has_input_vocabulary, encoding=encoding, vocabulary_size=vocabulary_size,
            name=f"{self.name}_lookup")

    # -- text to tokens --

    def _standardize_text(self, text):
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _STRIP.sub("", text)
        return text

    def _tokens(self, text):
        if self._split == "whitespace":
            tokens = text.split()
        elif self._split == "character":
            tokens = list(text)
        else:
            tokens = self._split(text)
        if self._ngrams is None:
            return list(tokens)
        grams = []
        for width in self._ngrams:
            grams.extend(" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1))
        return grams

    def _preprocess(self, inputs):
        """The rows of tokens (split) or the array of standardized strings (split=None) of ``inputs``."""
        array, _ = _string_array(self, inputs)
        if callable(self._standardize):
            array = np.asarray(self._standardize(array), dtype=object)
        else:
            array = np.vectorize(self._standardize_text, otypes=[object])(array) if array.size else array
        if self._split is None:
            if self._ngrams is not None:
                raise NotImplementedError(f'Layer "{self.name}" (TextVectorization): ngrams without split is not '
                                          "supported by fastkeras.")
            return array, False
        if array.ndim > 1:
            if array.shape[-1] != 1:
                raise ValueError("When using `TextVectorization` to tokenize strings, the input rank must be 1 or "
                                 f"the last shape dimension must be 1. Received: inputs.shape={array.shape} with "
                                 f"rank={array.ndim}")
            array = array[..., 0]
        if array.ndim == 0:
            array = array.reshape(1)
        if array.ndim != 1:
            raise ValueError(f'Layer "{self.name}" (TextVectorization) expects a batch of strings of shape '
                             f"(batch,) or (batch, 1). Received shape {array.shape}.")
        return [self._tokens(t) for t in array], True

    # -- vocabulary --

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and idf weights for tf_idf) from ``data``: strings (a list or array of texts)
        or an iterable of batches of them."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt {type(self).__name__} layer after setting a static vocabulary via init "
                             "argument or `set_vocabulary`.")
        if _is_string_data(data):
            data, _ = _string_array(self, data)
        self.reset_state()
        for batch in _adapt_batches(data, batch_size, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        if not self.built:
            if self._batch_input_shape is None:
                self._batch_input_shape = (None,) * max(np.ndim(data), 1)
            self.built = True
        rows, split = self._preprocess(data)
        if not split:  # whole strings are the tokens; as in tf-keras a 1-D batch is one document
            rows = np.asarray(rows, dtype=object)
            rows = [list(rows.reshape(-1))] if rows.ndim <= 1 else [list(r.reshape(-1)) for r in rows]
        self._lookup_layer._update_rows(rows)

    def finalize_state(self):
        self._lookup_layer.finalize_state()
        self._lookup_layer._is_adapted = True

    def reset_state(self):
        self._lookup_layer.reset_state()

    @property
    def is_adapted(self):
        return self._lookup_layer.is_adapted

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # -- call --

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, KerasTensor):
            _refuse_symbolic(self, inputs)
        if not _is_string_data(inputs):
            raise ValueError(f'Layer "{self.name}" (TextVectorization) expects strings: a str, a list of str or a '
                             f"NumPy array of strings. Received: {type(inputs).__name__}"
                             f"{' of dtype ' + str(K.dtype(inputs)) if K.is_tensor(inputs) else ''}.")
        self.built = True
        processed, split = self._preprocess(inputs)
        if self._output_mode is None:
            return processed
        lookup = self._lookup_layer
        lookup._check_ready()
        if not split:
            return lookup._encode_indices(lookup._lookup(np.asarray(processed, dtype=object)))
        if self._output_mode != INT:
            length = max((len(r) for r in processed), default=0)
            indices = np.full((len(processed), length), -1, np.int64)
            for i, row in enumerate(processed):
                if row:
                    indices[i, :len(row)] = lookup._lookup(np.asarray(row, dtype=object))
            return lookup._encode_indices(indices)
        length = self._output_sequence_length
        if length is None:
            length = max((len(r) for r in processed), default=0)
        indices = np.zeros((len(processed), length), np.int64)
        for i, row in enumerate(processed):
            row = row[:length]
            if row:
                indices[i, :len(row)] = lookup._lookup(np.asarray(row, dtype=object))
        return K.convert_to_tensor(indices)

    def call(self, inputs):
        return self(inputs)

    def compute_output_shape(self, input_shape):
        if self._output_mode == INT:
            return (input_shape[0], self._output_sequence_length)
        return (input_shape[0], self._lookup_layer._depth())

    def get_config(self):
        config = super().get_config()
        config["dtype"] = "string"
        config.update({
            "max_tokens": self._lookup_layer.max_tokens, "standardize": self._standardize, "split": self._split,
            "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length, "pad_to_max_tokens": self._pad_to_max_tokens,
            "sparse": self._sparse, "ragged": self._ragged,
            "vocabulary": _listify(self._lookup_layer.input_vocabulary),
            "idf_weights": _listify(self._lookup_layer.input_idf_weights),
            "encoding": self._encoding, "vocabulary_size": self._lookup_layer.vocabulary_size(),
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)
