"""Reference results of keras.ops calls from real Keras 3 (numpy backend), for tests/test_ops.py.

Run with Keras 3.15.1:  KERAS_BACKEND=numpy /work/k3venv/bin/python tools/make_ops_fixtures.py
Writes tests/fixtures/ops/cases.json (each call: op path, arguments, output dtypes and shapes) and
tests/fixtures/ops/arrays.npz (input and output arrays, keyed by case).
"""
import json
import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "numpy")
import keras  # noqa: E402
from keras import ops  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "ops")
rng = np.random.RandomState(0)


def f(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, shape).astype("float32")


def i(*shape, lo=0, hi=5):
    return rng.randint(lo, hi, shape).astype("int32")


A, B = f(2, 3), f(2, 3)
M, N = f(3, 4), f(4, 2)
P = f(2, 3, 4)
POS = f(2, 3, lo=0.1, hi=3.0)
UNIT = f(2, 3, lo=-0.9, hi=0.9)
I = i(2, 3)
IMG = f(2, 6, 8, 3, lo=0.0, hi=1.0)
SPD = (lambda m: m @ m.T + 3 * np.eye(3, dtype="float32"))(f(3, 3))

CASES = []


def case(op, *args, **kwargs):
    CASES.append((op, args, kwargs))


for name in ("add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum", "power", "arctan2",
             "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logaddexp", "hypot",
             "floor_divide", "mod"):
    case("numpy." + name, A if name != "power" else POS, B)
case("numpy.add", A, 1.5)
case("numpy.add", I, 2)
case("numpy.add", I, 0.5)
case("numpy.multiply", I, I)
case("numpy.divide", I, I + 1)
case("numpy.subtract", 3.0, A)
for name in ("abs", "negative", "square", "sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh",
             "sinh", "cosh", "arcsin", "arctan", "arcsinh", "sign", "floor", "ceil", "round", "trunc",
             "reciprocal", "isnan", "isinf", "isfinite", "exp2", "log2", "log10", "cbrt", "logical_not",
             "sinc", "deg2rad"):
    arg = POS if name in ("sqrt", "log", "log1p", "log2", "log10", "reciprocal") else (
        UNIT if name in ("arcsin",) else A)
    case("numpy." + name, arg)
case("numpy.sqrt", I)
case("numpy.abs", I - 2)
case("numpy.square", I)
for name in ("sum", "mean", "max", "min", "prod", "std", "var", "any", "all", "amax", "amin", "ptp", "median"):
    case("numpy." + name, P)
    case("numpy." + name, P, axis=1)
    case("numpy." + name, P, axis=(0, 2), keepdims=True)
case("numpy.sum", I)
case("numpy.sum", I > 2)
case("numpy.mean", I, axis=0)
case("numpy.prod", I, axis=1)
for name in ("argmax", "argmin"):
    case("numpy." + name, P)
    case("numpy." + name, P, axis=-1)
    case("numpy." + name, P, axis=1, keepdims=True)
case("numpy.argsort", P, axis=-1)
case("numpy.sort", P, axis=1)
case("numpy.cumsum", P, axis=1)
case("numpy.cumsum", I)
case("numpy.cumprod", A, axis=0)
case("numpy.count_nonzero", I)
case("numpy.count_nonzero", I, axis=1)
case("numpy.quantile", P, 0.3, axis=1)
case("numpy.percentile", P, [10.0, 90.0])
case("numpy.logical_and", A > 0, B > 0)
case("numpy.logical_or", A > 0, B > 0)
case("numpy.logical_xor", A > 0, B > 0)
case("numpy.clip", A, -0.5, 0.5)
case("numpy.clip", I, 1, 3)
case("numpy.where", A > 0, A, B)
case("numpy.where", A > 0, A, 0.0)
case("numpy.matmul", M, N)
case("numpy.matmul", P, f(4, 5))
case("numpy.matmul", i(2, 3), i(3, 2))
case("numpy.dot", M, N)
case("numpy.dot", f(3), f(3))
case("numpy.einsum", "ij,jk->ik", M, N)
case("numpy.einsum", "bij->bji", P)
case("numpy.tensordot", P, f(4, 3), axes=1)
case("numpy.tensordot", P, f(3, 4, 2), axes=([1, 2], [0, 1]))
case("numpy.outer", f(3), f(4))
case("numpy.inner", f(3), f(3))
case("numpy.cross", f(4, 3), f(4, 3))
case("numpy.trace", M)
case("numpy.diag", f(3))
case("numpy.diag", M, k=1)
case("numpy.diagonal", P, axis1=1, axis2=2)
case("numpy.kron", f(2, 2), f(2, 3))
case("numpy.reshape", P, (4, -1))
case("numpy.transpose", P)
case("numpy.transpose", P, (1, 0, 2))
case("numpy.expand_dims", A, 1)
case("numpy.expand_dims", A, (0, 3))
case("numpy.squeeze", f(2, 1, 3, 1))
case("numpy.squeeze", f(2, 1, 3, 1), axis=1)
case("numpy.concatenate", [A, B], axis=0)
case("numpy.concatenate", [A, B], axis=-1)
case("numpy.concatenate", [A, I], axis=0)
case("numpy.stack", [A, B], axis=1)
case("numpy.hstack", [A, B])
case("numpy.vstack", [A, B])
case("numpy.append", A, B)
case("numpy.append", A, B, axis=0)
case("numpy.split", f(6, 2), 3)
case("numpy.split", f(6, 2), [1, 4])
case("numpy.array_split", f(7, 2), 3)
case("numpy.tile", A, (2, 1))
case("numpy.tile", A, 2)
case("numpy.repeat", A, 2)
case("numpy.repeat", A, 2, axis=1)
case("numpy.repeat", A, [1, 2], axis=0)
case("numpy.broadcast_to", f(3), (2, 3))
case("numpy.flip", A, axis=1)
case("numpy.flip", A)
case("numpy.roll", A, 1, axis=1)
case("numpy.roll", A, 2)
case("numpy.moveaxis", P, 0, -1)
case("numpy.swapaxes", P, 0, 2)
case("numpy.pad", A, ((1, 0), (2, 1)))
case("numpy.pad", A, ((1, 1), (1, 1)), mode="reflect")
case("numpy.pad", A, ((1, 1), (2, 2)), mode="symmetric")
case("numpy.pad", A, ((1, 1), (1, 1)), mode="edge")
case("numpy.pad", A, 1, constant_values=3.0)
case("numpy.take", P, np.array([2, 0], "int32"), axis=1)
case("numpy.take", P, np.array([[1, 5], [0, 3]], "int32"))
case("numpy.take", A, np.array([-1], "int32"), axis=1)
case("numpy.take_along_axis", P, np.argsort(P, axis=1).astype("int32"), axis=1)
case("numpy.tril", M)
case("numpy.triu", M, k=1)
case("numpy.ravel", P)
case("numpy.diff", P, axis=1)
case("numpy.zeros", (2, 3))
case("numpy.ones", (2,), dtype="int32")
case("numpy.full", (2, 2), 3.0)
case("numpy.full", (2, 2), 3)
case("numpy.zeros_like", I)
case("numpy.ones_like", A)
case("numpy.full_like", A, 7)
case("numpy.arange", 5)
case("numpy.arange", 1, 7, 2)
case("numpy.arange", 0.0, 1.0, 0.25)
case("numpy.arange", 3, dtype="float32")
case("numpy.linspace", 0.0, 1.0, 5)
case("numpy.linspace", 0, 10, 4, endpoint=False)
case("numpy.eye", 3)
case("numpy.eye", 3, 4, k=1)
case("numpy.identity", 2)
case("numpy.tri", 3)
case("numpy.logspace", 0.0, 2.0, 3)
case("numpy.isclose", A, A + 1e-7)
case("numpy.nan_to_num", np.array([1.0, np.nan, np.inf, -np.inf], "float32"))
case("numpy.nanmean", np.array([[1.0, np.nan], [3.0, 4.0]], "float32"), axis=1)
case("numpy.nansum", np.array([[1.0, np.nan], [3.0, 4.0]], "float32"))
case("numpy.searchsorted", np.array([1.0, 2.0, 3.0], "float32"), np.array([0.5, 2.0, 2.5], "float32"))
case("numpy.digitize", np.array([0.2, 1.4, 2.6], "float32"), np.array([0.0, 1.0, 2.0], "float32"))
case("numpy.bincount", np.array([0, 1, 1, 3], "int32"))
case("numpy.average", P, axis=1, weights=np.array([1.0, 2.0, 3.0], "float32"))
case("numpy.vdot", f(3), f(3))
case("numpy.select", [A > 1, A < -1], [A, B])
case("numpy.heaviside", A, 0.5)
case("numpy.signbit", A)
case("numpy.isin", I, np.array([1, 3], "int32"))
case("numpy.correlate", f(5), f(3))
case("numpy.correlate", f(5), f(3), mode="same")
case("numpy.correlate", f(5), f(3), mode="full")
case("numpy.rot90", A)
case("numpy.trapezoid", P)
# core
case("core.cast", A, "int32")
case("core.cast", I, "float32")
case("core.slice", P, (0, 1, 1), (2, 2, 2))
case("core.slice_update", P, (0, 1, 1), f(1, 2, 2))
case("core.scatter", np.array([[0, 1], [1, 2], [0, 1]], "int32"), np.array([1.0, 2.0, 3.0], "float32"), (2, 3))
case("core.scatter_update", A, np.array([[0, 1], [1, 2]], "int32"), np.array([9.0, 8.0], "float32"))
case("core.stop_gradient", A)
case("core.unstack", P, axis=1)
case("core.convert_to_tensor", [1.0, 2.0])
case("core.convert_to_tensor", [1, 2])
case("core.saturate_cast", np.array([-3.0, 100.0, 300.0], "float32"), "uint8")
# nn
for name in ("relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "elu", "selu", "leaky_relu",
             "hard_sigmoid", "hard_silu", "log_sigmoid", "tanh_shrink", "hard_tanh", "celu", "sparse_plus",
             "squareplus", "sparse_sigmoid"):
    case("nn." + name, P * 3)
case("nn.gelu", P)
case("nn.gelu", P, approximate=False)
case("nn.softmax", P)
case("nn.softmax", P, axis=1)
case("nn.log_softmax", P)
case("nn.glu", f(2, 4))
case("nn.one_hot", np.array([0, 2, 1, 1], "int32"), 3)
case("nn.one_hot", np.array([[0, 2], [1, 1]], "int32"), 3, axis=1)
case("nn.multi_hot", np.array([[0, 2], [1, 1]], "int32"), 4)
case("nn.binary_crossentropy", (A > 0).astype("float32"), POS / 3.1)
case("nn.binary_crossentropy", (A > 0).astype("float32"), A, from_logits=True)
case("nn.categorical_crossentropy", np.eye(3, dtype="float32")[[0, 2]], A, from_logits=True)
case("nn.categorical_crossentropy", np.eye(3, dtype="float32")[[0, 2]], POS)
case("nn.sparse_categorical_crossentropy", np.array([0, 2], "int32"), A, from_logits=True)
case("nn.sparse_categorical_crossentropy", np.array([1, 2], "int32"), POS)
case("nn.moments", P, axes=[0, 1])
case("nn.moments", P, axes=[2], keepdims=True)
case("nn.batch_normalization", P, f(4), POS[0].repeat(2)[:4] if False else f(4, lo=0.5, hi=2.0), axis=-1,
     offset=f(4), scale=f(4))
case("nn.normalize", P)
case("nn.normalize", P, axis=1, order=1)
case("nn.layer_normalization", P)
case("nn.rms_normalization", P)
case("nn.conv", f(2, 7, 7, 3), f(3, 3, 3, 4))
case("nn.conv", f(2, 7, 7, 3), f(3, 3, 3, 4), strides=2, padding="same")
case("nn.conv", f(2, 9, 3), f(3, 3, 2), dilation_rate=2)
case("nn.conv", f(2, 8, 8, 4), f(3, 3, 2, 6), padding="same")
case("nn.depthwise_conv", f(2, 7, 7, 3), f(3, 3, 3, 2), padding="same")
case("nn.separable_conv", f(2, 7, 7, 3), f(3, 3, 3, 2), f(1, 1, 6, 4), strides=2)
case("nn.conv_transpose", f(2, 4, 4, 3), f(3, 3, 5, 3), strides=2)
case("nn.conv_transpose", f(2, 4, 4, 3), f(3, 3, 5, 3), strides=2, padding="same")
case("nn.conv_transpose", f(2, 5, 3), f(3, 2, 3), strides=2, output_padding=1)
case("nn.max_pool", f(2, 7, 7, 3), (2, 2), strides=(2, 2))
case("nn.max_pool", f(2, 7, 7, 3), 3, strides=2, padding="same")
case("nn.average_pool", f(2, 7, 7, 3), 2, padding="same")
case("nn.depth_to_space", f(1, 2, 2, 8), 2)
case("nn.space_to_depth", f(1, 4, 4, 2), 2)
case("nn.dot_product_attention", f(2, 4, 2, 3), f(2, 5, 2, 3), f(2, 5, 2, 3))
case("nn.ctc_loss", np.array([[1, 2, 0], [2, 0, 0]], "int32"), f(2, 6, 4), np.array([2, 1], "int32"),
     np.array([6, 5], "int32"))
case("nn.psnr", IMG[0], IMG[1], 1.0)
# math
case("math.logsumexp", P)
case("math.logsumexp", P, axis=1, keepdims=True)
case("math.top_k", P, 2)
case("math.in_top_k", np.array([0, 2], "int32"), A, 2)
case("math.segment_sum", f(5, 2), np.array([0, 0, 1, 2, 2], "int32"))
case("math.segment_sum", f(5, 2), np.array([0, 0, 1, 2, 2], "int32"), num_segments=4)
case("math.segment_max", f(5, 2), np.array([0, 0, 1, 2, 2], "int32"), num_segments=3)
case("math.rsqrt", POS)
case("math.erf", A)
case("math.erfinv", UNIT)
case("math.extract_sequences", f(2, 10), 4, 3)
case("math.fft", (f(2, 8), f(2, 8)))
case("math.rfft", f(2, 8))
case("math.rfft", f(2, 8), fft_length=6)
case("math.irfft", (f(2, 5), f(2, 5)))
case("math.stft", f(2, 32), 8, 4, 8)
case("math.stft", f(32), 6, 3, 8, window="hamming", center=False)
case("math.logdet", SPD)
# linalg
case("linalg.inv", SPD)
case("linalg.det", SPD)
case("linalg.solve", SPD, f(3, 2))
case("linalg.cholesky", SPD)
case("linalg.norm", A)
case("linalg.norm", P, axis=-1)
case("linalg.norm", A, ord=1, axis=1)
case("linalg.norm", M, ord="fro", axis=(0, 1))
case("linalg.norm", M, ord=1, axis=(0, 1), keepdims=True)
case("linalg.solve_triangular", np.tril(SPD), f(3, 2), lower=True)
case("linalg.pinv", M)
case("linalg.svd", M, compute_uv=False)
case("linalg.eigh", SPD)
case("linalg.lstsq", M.T, f(4, 2))
# image
case("image.resize", IMG, (3, 4))
case("image.resize", IMG, (12, 10))
case("image.resize", IMG, (3, 4), antialias=True)
case("image.resize", IMG, (4, 6), interpolation="nearest")
case("image.resize", IMG, (12, 16), interpolation="nearest")
case("image.resize", IMG, (4, 4), crop_to_aspect_ratio=True)
case("image.resize", IMG, (4, 4), pad_to_aspect_ratio=True)
case("image.rgb_to_grayscale", IMG)
case("image.rgb_to_hsv", IMG)
case("image.hsv_to_rgb", IMG)
case("image.extract_patches", IMG, 2)
case("image.extract_patches", IMG, (3, 2), strides=(2, 3), padding="same")
case("image.affine_transform", IMG, np.tile(np.array([1.0, 0.1, 0.5, 0.05, 1.0, -0.3, 0.0, 0.0], "float32"), (2, 1)))
case("image.affine_transform", IMG, np.tile(np.array([0.93, 0.0, 1.01, 0.0, 1.07, -1.03, 0.0, 0.0], "float32"), (2, 1)),
     interpolation="nearest", fill_mode="nearest")
case("image.crop_images", IMG, top_cropping=1, left_cropping=2, target_height=3, target_width=4)
case("image.pad_images", IMG, top_padding=1, left_padding=2, target_height=8, target_width=11)


def main():
    arrays, cases = {}, []

    def encode(value, key):
        if isinstance(value, np.ndarray):
            arrays[key] = value.copy()  # numpy-backend ops may write into their inputs (slice_update)
            return {"array": key}
        if isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
            return {"list" if isinstance(value, list) else "tuple":
                    [encode(v, f"{key}_{j}") for j, v in enumerate(value)]}
        if isinstance(value, tuple):
            return {"tuple": [encode(v, f"{key}_{j}") for j, v in enumerate(value)]}
        return value

    for n, (op, args, kwargs) in enumerate(CASES):
        group, name = op.split(".")
        fn = getattr(getattr(ops, group, ops), name)
        encoded = ([encode(a, f"c{n}_a{j}") for j, a in enumerate(args)],
                   {k: encode(v, f"c{n}_k{k}") for k, v in kwargs.items()})
        args = tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)
        try:
            out = fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - report and leave the case out
            print("skipped", op, type(e).__name__, e)
            continue
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        entry = {"op": op, "args": encoded[0], "kwargs": encoded[1],
                 "multi": isinstance(out, (list, tuple)), "dtypes": [], "shapes": [], "outputs": []}
        for j, o in enumerate(outs):
            o = ops.convert_to_numpy(o)
            arrays[f"c{n}_out{j}"] = np.asarray(o)
            entry["outputs"].append(f"c{n}_out{j}")
            entry["dtypes"].append(keras.backend.standardize_dtype(np.asarray(o).dtype))
            entry["shapes"].append(list(np.shape(o)))
        cases.append(entry)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "cases.json"), "w") as fh:
        json.dump({"keras": keras.__version__, "backend": keras.backend.backend(), "cases": cases}, fh, indent=0)
    np.savez_compressed(os.path.join(OUT, "arrays.npz"), **arrays)
    print(f"{len(cases)} cases, {len(arrays)} arrays -> {OUT}")


if __name__ == "__main__":
    main()
