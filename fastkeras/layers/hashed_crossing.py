"""``HashedCrossing``: crosses scalar categorical features (strings or integers) into ``num_bins`` hash bins.

The bins are tf-keras' (``tf.sparse.cross_hashed``): each feature becomes a 64-bit value (FarmHash Fingerprint64
of a string's UTF-8 bytes; an integer's own two's-complement bits, not a hash of its text as in ``Hashing``), the
values are folded left to right with TensorFlow's ``FingerprintCat64`` starting from the key ``0xDECAFCAFFE``,
and the result modulo ``num_bins`` (as unsigned 64-bit numbers) is the bin.

Like the other lookup layers it runs host-side on NumPy: strings never enter a model (torch has no string
tensors); integer inputs also work inside a model (``Input(dtype='int64')``).
"""
import numpy as np

from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.layers.preprocessing_lookup import (
    INT, ONE_HOT, _check_arg, _encode, _encoded_shape, _is_string_data, _string_array, fingerprint64,
)

__all__ = ["HashedCrossing"]

_CROSS_KEY = 0xDECAFCAFFE           # sparse_ops' default hash_key for cross_hashed
_CAT_MUL = np.uint64(0xc6a4a7935bd1e995)
_SHIFT = np.uint64(47)


def _shift_mix(x):
    return x ^ (x >> _SHIFT)


def fingerprint_cat64(fp1, fp2):
    """TensorFlow's ``FingerprintCat64`` on uint64 NumPy arrays (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        out = fp1 ^ _CAT_MUL
        out = out ^ (_shift_mix(fp2 * _CAT_MUL) * _CAT_MUL)
        out = out * _CAT_MUL
        out = _shift_mix(out) * _CAT_MUL
        return _shift_mix(out)


def _feature_values(layer, x):
    """One crossing input as a NumPy array: of str (object dtype) or of integers."""
    if isinstance(x, KerasTensor):
        raise TypeError(f'Layer "{layer.name}" (HashedCrossing) was called on a mix of symbolic and concrete '
                        "inputs; pass all of them symbolic (in a model) or all concrete.")
    if _is_string_data(x):
        return _string_array(layer, x)[0]
    values = K.to_numpy(x) if K.is_tensor(x) else np.asarray(x)
    if values.dtype.kind not in "iu":
        raise ValueError(f'Layer "{layer.name}": all `HashedCrossing` inputs should have an integer or string '
                         f"dtype. Received an input of dtype {values.dtype} and shape {values.shape}.")
    return values


def _fingerprints(values):
    """The 64-bit value of each feature: Fingerprint64 of a string, the bits of an integer."""
    flat = values.reshape(-1)
    if values.dtype.kind == "O":
        return np.array([fingerprint64(v.encode("utf-8")) for v in flat], dtype=np.uint64)
    return flat.astype(np.int64).view(np.uint64)


class HashedCrossing(Layer):
    """Crosses two or more categorical features into ``num_bins`` bins with the hashing trick.

    Called on a list or tuple of inputs, all of one shape: ``()``, ``(batch,)`` or ``(batch, 1)``, each of
    strings or integers (they may differ). ``output_mode='int'`` gives the bins with that shape;
    ``'one_hot'`` gives ``(batch, num_bins)`` (``(num_bins,)`` for scalars).
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, **kwargs):
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) or num_bins <= 0:
            raise ValueError(f"The `num_bins` of `HashedCrossing` must be a positive integer. Received: "
                             f"num_bins={num_bins!r}")
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == INT else K.floatx()
        super().__init__(**kwargs)
        if output_mode == INT and not self.compute_dtype.startswith(("int", "uint")):
            raise ValueError("When `output_mode='int'`, `dtype` of `HashedCrossing` should be an integer type. "
                             f"Received: dtype={kwargs['dtype']}")
        _check_arg("HashedCrossing", "output_mode", output_mode, (INT, ONE_HOT))
        if sparse:
            raise NotImplementedError('Layer "HashedCrossing": sparse=True is not supported by fastkeras (no '
                                      "sparse tensors); use sparse=False for a dense output.")
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = sparse

    def _check_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'Layer "{self.name}": `HashedCrossing` should be called on a list or tuple of '
                             f"inputs. Received: inputs={inputs!r}")
        if len(inputs) < 2:
            raise ValueError(f'Layer "{self.name}": `HashedCrossing` should be called on at least two inputs. '
                             f"Received {len(inputs)}: inputs={inputs!r}")

    def _check_shapes(self, shapes):
        first = tuple(shapes[0])
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            raise ValueError(f'Layer "{self.name}": all `HashedCrossing` inputs should have shape `()`, '
                             f"`(batch_size,)` or `(batch_size, 1)`. Received shapes {[tuple(s) for s in shapes]}.")
        if any(tuple(s) != first for s in shapes[1:]):
            raise ValueError(f'Layer "{self.name}": all `HashedCrossing` inputs should have equal shape. '
                             f"Received shapes {[tuple(s) for s in shapes]}.")

    def __call__(self, inputs, *args, **kwargs):
        self._check_inputs(inputs)
        if any(isinstance(x, KerasTensor) for x in inputs):
            for x in inputs:
                if not isinstance(x, KerasTensor) or not K.dtype(x).startswith(("int", "uint")):
                    received = [(getattr(t, "shape", None), getattr(t, "dtype", type(t).__name__)) for t in inputs]
                    raise TypeError(f'Layer "{self.name}" (HashedCrossing): in a model, every input must be a '
                                    "symbolic integer tensor (strings cannot be symbolic in fastkeras: cross "
                                    f"string features before the model). Received (shape, dtype): {received}")
            self._check_shapes([tuple(x.shape) for x in inputs])
            return super().__call__(list(inputs), *args, **kwargs)
        self.built = True
        return self.call(inputs)

    def call(self, inputs):
        self._check_inputs(inputs)
        columns = [_feature_values(self, x) for x in inputs]
        self._check_shapes([c.shape for c in columns])
        hashed = np.full(columns[0].size, _CROSS_KEY, dtype=np.uint64)
        for column in columns:
            hashed = fingerprint_cat64(hashed, _fingerprints(column))
        bins = (hashed % np.uint64(self.num_bins)).astype(np.int64).reshape(columns[0].shape)
        return _encode(self, K.convert_to_tensor(bins), self.output_mode, self.num_bins)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        return _encoded_shape(self, tuple(input_shape[0]), self.output_mode, self.num_bins)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse})
        return config
