"""ImageNet helpers shared by the applications: input preprocessing, prediction decoding, input-shape checks,
padding for strided convolutions, and fetching/loading Keras' published weight files.
"""
import json
import os
import warnings

import numpy as np

from fastkeras import activations
from fastkeras import backend as K
from fastkeras.utils.data_utils import FetchError, get_file

CLASS_INDEX = None
CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

# Per-channel statistics of ImageNet, for the 'caffe' (BGR means) and 'torch' (RGB mean/std) modes.
_CAFFE_MEAN = [103.939, 116.779, 123.68]
_TORCH_MEAN = [0.485, 0.456, 0.406]
_TORCH_STD = [0.229, 0.224, 0.225]


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocesses a batch of images (numpy array or tensor, 3D or 4D, 3 channels, values in [0, 255]).

    mode: 'caffe' (RGB -> BGR, then subtract the ImageNet channel means, no scaling), 'tf' (scale to [-1, 1])
    or 'torch' (scale to [0, 1], then normalize each channel by the ImageNet mean and std).
    A float numpy array is modified in place, as in Keras.
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}")
    if data_format is None:
        data_format = K.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        return _preprocess_numpy_input(x, data_format, mode)
    return _preprocess_symbolic_input(x, data_format, mode)


def decode_predictions(preds, top=5):
    """Decodes a batch of ImageNet predictions (shape (samples, 1000)) into lists of
    ``(class_name, class_description, score)`` tuples, the ``top`` best first.

    The class index is ``imagenet_class_index.json`` in the Keras cache (``$KERAS_HOME/models``), downloaded
    from Keras' URL when absent.
    """
    global CLASS_INDEX
    preds = np.asarray(preds) if not hasattr(preds, "shape") else preds
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Found array with shape: {tuple(preds.shape)}")
    if CLASS_INDEX is None:
        fpath = _fetch_model_file("imagenet_class_index.json", CLASS_INDEX_PATH, CLASS_INDEX_HASH,
                                  what="the ImageNet class index")
        with open(fpath) as f:
            CLASS_INDEX = json.load(f)
    preds = np.asarray(preds.detach().cpu().numpy() if hasattr(preds, "detach") else preds)
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        result = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in top_indices]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results


def _preprocess_numpy_input(x, data_format, mode):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(K.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        if data_format == "channels_first":
            x = x[::-1, ...] if x.ndim == 3 else x[:, ::-1, ...]
        else:
            x = x[..., ::-1]
        mean, std = _CAFFE_MEAN, None
    for c in range(3):
        if data_format == "channels_first":
            index = (c,) if x.ndim == 3 else (slice(None), c)
        else:
            index = (Ellipsis, c)
        x[index] -= mean[c]
        if std is not None:
            x[index] /= std[c]
    return x


def _preprocess_symbolic_input(x, data_format, mode):
    if mode == "tf":
        x = x / 127.5
        return x - 1.0
    if mode == "torch":
        x = x / 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        channel_axis = (0 if K.ndim(x) == 3 else 1) if data_format == "channels_first" else -1
        x = K.reverse(x, channel_axis)  # RGB -> BGR
        mean, std = _CAFFE_MEAN, None
    mean_tensor = K.constant(-np.array(mean))
    if K.dtype(x) != K.dtype(mean_tensor):
        mean_tensor = K.cast(mean_tensor, K.dtype(x))
    x = K.bias_add(x, mean_tensor, data_format=data_format)
    if std is not None:
        std_tensor = K.constant(np.array(std), dtype=K.dtype(x))
        if data_format == "channels_first":
            std_tensor = K.reshape(std_tensor, (-1, 1, 1))
        x = x / std_tensor
    return x


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten, weights=None):
    """The model's input shape: ``input_shape`` checked against the model's limits, or its default."""
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if data_format == "channels_first" else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was passed an "
                          f"input_shape with {channels} input channels.", stacklevel=2)
        if data_format == "channels_first":
            default_shape = (input_shape[0], default_size, default_size)
        else:
            default_shape = (default_size, default_size, input_shape[-1])
    elif data_format == "channels_first":
        default_shape = (3, default_size, default_size)
    else:
        default_shape = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        if data_format == "channels_first":
            channels, rows, cols = input_shape
        else:
            rows, cols, channels = input_shape
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        if (rows is not None and rows < min_size) or (cols is not None and cols < min_size):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if data_format == "channels_first" else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size):
    """The ((top, bottom), (left, right)) zero padding that makes a stride-2 'valid' convolution of
    ``kernel_size`` on ``inputs`` behave like TensorFlow's 'same' padding."""
    img_dim = 2 if K.image_data_format() == "channels_first" else 1
    input_size = K.int_shape(inputs)[img_dim:img_dim + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    if input_size[0] is None:
        adjust = (1, 1)
    else:
        adjust = (1 - input_size[0] % 2, 1 - input_size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """Pretrained weights allow only a softmax or linear (None) classifier."""
    if weights is None:
        return
    classifier_activation = activations.get(classifier_activation)
    if classifier_activation not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the `classifier_activation` "
                         "argument when using pretrained weights, with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")


# --- shared by the model builders -------------------------------------------------------------------------


def check_weights_arg(weights, include_top, classes):
    """tf-keras' checks of the ``weights`` / ``classes`` arguments common to every application."""
    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `imagenet` "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.  "
                         f"Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be '
                         f"1000.  Received `classes={classes}`")


def model_input(input_tensor, input_shape):
    """The model's input layer tensor: a new Input of ``input_shape``, or ``input_tensor`` (wrapped in an
    Input when it is not a Keras tensor)."""
    from fastkeras import layers

    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not K.is_keras_tensor(input_tensor):
        return layers.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def source_inputs(input_tensor, img_input):
    """The inputs of the model: the sources of ``input_tensor`` when one was given (so that the model
    takes them), else ``img_input``."""
    if input_tensor is not None and K.is_keras_tensor(input_tensor):
        from fastkeras.utils.source_inputs import get_source_inputs
        return get_source_inputs(input_tensor)
    return img_input  # a new Input, or the one wrapping a concrete input_tensor


def fetch_weights(file_name, origin, file_hash):
    """The path of a published Keras weight file, from the Keras cache ($KERAS_HOME/models) or downloaded.

    Offline and not cached, this raises an error naming the file, its URL and where to put it.
    """
    return _fetch_model_file(file_name, origin, file_hash, what="the pretrained weights file",
                             alternative=", or pass `weights=<path to the file>`")


def _fetch_model_file(file_name, origin, file_hash, what, alternative=""):
    try:
        return get_file(file_name, origin, cache_subdir="models", file_hash=file_hash)
    except FetchError as e:
        raise FetchError(f"Could not obtain {what} {file_name} (from {origin}). Put it in the Keras cache folder "
                         f"$KERAS_HOME/models (default ~/.keras/models){alternative}.\n{e}") from e
