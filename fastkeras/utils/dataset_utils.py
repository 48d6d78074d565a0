"""Dataset utilities of tf-keras 2.21 (``timeseries_dataset_from_array``, ``image_dataset_from_directory``,
``text_dataset_from_directory``, ``split_dataset``) returning a ``Dataset`` of NumPy batches instead of a
``tf.data.Dataset``.

A ``Dataset`` is a Keras ``Sequence``: ``fit``/``evaluate``/``predict`` read it by index and call
``on_epoch_end`` (which reshuffles a shuffled dataset), and ``for x, y in ds`` iterates it again and again.

What matches tf-keras: the samples and targets of every timeseries window and their order (unshuffled); the
file list, its order and labels, ``class_names`` and ``file_paths``; the file list shuffled with a ``seed`` (tf-keras
shuffles it with NumPy's ``RandomState(seed)``, as here) and therefore the ``validation_split`` subsets; the
``split_dataset`` shuffle (Python's ``random.seed(seed)``, as tf-keras); the pixels of ``'bilinear'`` and
``'nearest'`` resizing (TensorFlow's half-pixel-centre kernels, reimplemented). What cannot match: tf.data's
buffered shuffle of samples (``shuffle(buffer_size=batch_size * 8, seed)``), which draws from TensorFlow's own
RNG; here a shuffled dataset is a full permutation of its samples drawn from ``np.random.RandomState(seed)`` and
redrawn each epoch, as tf.data reshuffles each iteration. JPEG pixels come from Pillow's decoder, which can differ
from libjpeg-turbo's by a level or so; PNG, BMP and GIF decode identically.
"""
import os
import random
import warnings

import numpy as np

from fastkeras.utils import io_utils
from fastkeras.utils.data_utils import Sequence

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


class Array(np.ndarray):
    """A NumPy array with ``.numpy()``, so that tf.data idioms (``images[i].numpy().astype('uint8')``) run."""

    def numpy(self):
        array = np.asarray(self)
        return array[()] if array.ndim == 0 else array  # a 0-d tensor's .numpy() is a NumPy scalar

    def __getitem__(self, key):
        # One element of a batch is a tensor in tf.data (``y[0].numpy()``, as keras.io's weather forecasting
        # prints its targets); NumPy would give a bare scalar.
        item = super().__getitem__(key)
        if isinstance(item, np.generic):
            return np.asarray(item).view(Array)
        return item

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self)))


def _wrap(a):
    a = np.asarray(a)
    return a.view(Array)


def _structure_map(fn, element):
    if isinstance(element, tuple):
        return tuple(_structure_map(fn, e) for e in element)
    if isinstance(element, list):
        return [_structure_map(fn, e) for e in element]
    if isinstance(element, dict):
        return {k: _structure_map(fn, v) for k, v in element.items()}
    return fn(element)


def _stack(samples):
    first = samples[0]
    if isinstance(first, (tuple, list)):
        out = [_stack([s[i] for s in samples]) for i in range(len(first))]
        return tuple(out) if isinstance(first, tuple) else out
    if isinstance(first, dict):
        return {k: _stack([s[k] for s in samples]) for k in first}
    if isinstance(first, (bytes, str)):
        out = np.empty(len(samples), dtype=object)
        out[:] = samples
        return _wrap(out)
    return _wrap(np.stack([np.asarray(s) for s in samples]))


def _rows(batch):
    """The samples of one batch, split along axis 0."""
    if isinstance(batch, (tuple, list)):
        parts = [_rows(b) for b in batch]
        return [tuple(p[i] for p in parts) if isinstance(batch, tuple) else [p[i] for p in parts]
                for i in range(len(parts[0]))]
    if isinstance(batch, dict):
        parts = {k: _rows(v) for k, v in batch.items()}
        n = len(next(iter(parts.values())))
        return [{k: v[i] for k, v in parts.items()} for i in range(n)]
    return [_wrap(r) if isinstance(r, np.ndarray) else r for r in batch]


class Dataset(Sequence):
    """A re-iterable, indexable sequence of elements: batches ``(x, y)`` of NumPy arrays, or single samples
    when unbatched.

    The tf.data methods that keras.io code uses: ``take``, ``skip``, ``map``, ``batch``, ``unbatch``,
    ``shuffle`` (a full permutation, redrawn each epoch), ``filter``, ``concatenate``, ``as_numpy_iterator``, and
    ``repeat`` and ``cache``/``prefetch`` (which change nothing: the data are in memory or read on demand).
    """

    def __init__(self, length, element_fn, parent=None, batch_size=None, class_names=None, file_paths=None):
        self._length = int(length)
        self._element_fn = element_fn
        self._parent = parent
        self._batch_size = batch_size
        inherited = parent if parent is not None else None
        self.class_names = class_names if class_names is not None else getattr(inherited, "class_names", None)
        self.file_paths = file_paths if file_paths is not None else getattr(inherited, "file_paths", None)

    def __len__(self):
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            raise TypeError("Dataset indices must be integers; use .take(n) / .skip(n) for a part.")
        index = int(index)
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(f"Dataset index {index} out of range for a dataset of {self._length} elements.")
        return self._element_fn(index)

    def __iter__(self):
        for index in range(self._length):
            yield self._element_fn(index)
        self.on_epoch_end()  # tf.data reshuffles at each new iteration

    def on_epoch_end(self):
        if self._parent is not None:
            self._parent.on_epoch_end()

    def __repr__(self):
        kind = f"batches of {self._batch_size}" if self._batch_size else "samples"
        return f"<Dataset: {self._length} {kind}>"

    def cardinality(self):
        """The number of elements, as a 0-d array (``ds.cardinality().numpy()`` works as with tf.data)."""
        return _wrap(np.int64(self._length))

    def as_numpy_iterator(self):
        return iter(self)

    def take(self, count):
        n = self._length if count is None or count < 0 else min(int(count), self._length)
        return Dataset(n, self._element_fn, parent=self, batch_size=self._batch_size)

    def skip(self, count):
        count = min(max(int(count), 0), self._length)
        return Dataset(self._length - count, lambda i: self._element_fn(i + count), parent=self,
                       batch_size=self._batch_size)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """``map_func`` applied to each element (unpacked as tf.data does when the element is a tuple)."""
        def element(i):
            e = self._element_fn(i)
            out = map_func(*e) if isinstance(e, tuple) else map_func(e)
            return _structure_map(lambda a: _wrap(a) if isinstance(a, np.ndarray) else a, out)
        return Dataset(self._length, element, parent=self, batch_size=self._batch_size)

    def filter(self, predicate, name=None):
        keep = [i for i in range(self._length)
                if bool(predicate(*self[i]) if isinstance(self[i], tuple) else predicate(self[i]))]
        return Dataset(len(keep), lambda i: self._element_fn(keep[i]), parent=self, batch_size=self._batch_size)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        batch_size = int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer, received {batch_size}.")
        n = self._length // batch_size if drop_remainder else -(-self._length // batch_size)

        def element(i):
            stop = min(self._length, (i + 1) * batch_size)
            return _stack([self._element_fn(j) for j in range(i * batch_size, stop)])
        return Dataset(n, element, parent=self, batch_size=batch_size)

    def unbatch(self, name=None):
        """The samples of every batch, in order (each batch is read when its samples are)."""
        sizes = []
        for i in range(self._length):
            e = self._element_fn(i)
            while isinstance(e, (tuple, list)):
                e = e[0]
            if isinstance(e, dict):
                e = next(iter(e.values()))
            sizes.append(len(e))
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        cache = {}

        def element(k):
            b = int(np.searchsorted(starts, k, side="right") - 1)
            if b not in cache:
                cache.clear()
                cache[b] = _rows(self._element_fn(b))
            return cache[b][k - starts[b]]
        return Dataset(int(starts[-1]), element, parent=self)

    def shuffle(self, buffer_size=None, seed=None, reshuffle_each_iteration=True, name=None):
        """A permutation of the elements from ``np.random.RandomState(seed)`` (all of them, whatever
        ``buffer_size``), redrawn at each epoch unless ``reshuffle_each_iteration=False``."""
        return _Shuffled(self, seed, reshuffle_each_iteration)

    def concatenate(self, other):
        n = self._length
        return Dataset(n + len(other), lambda i: self._element_fn(i) if i < n else other[i - n], parent=self,
                       batch_size=self._batch_size)

    def cache(self, filename="", name=None):
        """Keeps each element once computed (in memory; ``filename`` is ignored)."""
        store = {}

        def element(i):
            if i not in store:
                store[i] = self._element_fn(i)
            return store[i]
        return Dataset(self._length, element, parent=self, batch_size=self._batch_size)

    def prefetch(self, buffer_size=None, name=None):
        return self

    def repeat(self, count=None, name=None):
        """``repeat(n)``: the elements n times over; ``repeat()``: without end, as tf.data's (``fit`` then needs
        ``steps_per_epoch`` and carries on from where the previous epoch stopped)."""
        if count is None or count < 0:
            return _Repeated(self)
        n = self._length
        return Dataset(n * int(count), lambda i: self._element_fn(i % n), parent=self, batch_size=self._batch_size)


class _Repeated:
    """A dataset's elements over and over without end (``ds.repeat()``): an iterator, read by ``fit`` as a
    generator, that starts a new pass (and a shuffled parent's new order) each time it runs out."""

    def __init__(self, parent):
        self._parent = parent
        self._position = 0
        self.class_names = getattr(parent, "class_names", None)
        self.file_paths = getattr(parent, "file_paths", None)

    def __iter__(self):
        return self

    def __next__(self):
        n = len(self._parent)
        if n == 0:
            raise StopIteration
        index = self._position % n
        if index == 0 and self._position:
            self._parent.on_epoch_end()
        self._position += 1
        return self._parent[index]

    def __repr__(self):
        return f"<Dataset: {self._parent!r} repeated without end>"

    def cardinality(self):
        """-1, tf.data's INFINITE_CARDINALITY."""
        return _wrap(np.int64(-1))

    def as_numpy_iterator(self):
        return self

    def take(self, count):
        n = len(self._parent)
        if count is None or count < 0:
            return self
        return Dataset(int(count), lambda i: self._parent[i % n], parent=self._parent,
                       batch_size=getattr(self._parent, "_batch_size", None))

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        return _Repeated(self._parent.map(map_func))

    def prefetch(self, buffer_size=None, name=None):
        return self

    def repeat(self, count=None, name=None):
        return self

    def __getattr__(self, name):
        if name in ("batch", "unbatch", "shuffle", "filter", "skip", "cache", "concatenate"):
            raise NotImplementedError(f"`{name}()` after `repeat()` is not supported by fastkeras' datasets: call "
                                      f"`{name}()` first and `repeat()` last.")
        raise AttributeError(name)


class _Shuffled(Dataset):
    def __init__(self, parent, seed, reshuffle_each_iteration=True):
        self._rng = np.random.RandomState(seed if seed is not None else np.random.randint(1e6))
        self._reshuffle = reshuffle_each_iteration
        self._order = self._rng.permutation(len(parent))
        super().__init__(len(parent), lambda i: parent[int(self._order[i])], parent=parent,
                         batch_size=parent._batch_size if isinstance(parent, Dataset) else None)

    def on_epoch_end(self):
        if self._reshuffle:
            self._order = self._rng.permutation(self._length)
        super().on_epoch_end()


def from_tensor_slices(tensors):
    """A dataset of the samples (rows) of an array, a tuple/list of arrays or a dict of arrays."""
    def n_rows(t):
        if isinstance(t, (tuple, list)):
            return n_rows(t[0])
        if isinstance(t, dict):
            return n_rows(next(iter(t.values())))
        return len(t)
    tensors = _structure_map(np.asarray, tensors)
    if isinstance(tensors, list):
        tensors = tuple(tensors)
    return Dataset(n_rows(tensors), lambda i: _structure_map(lambda a: _wrap(a[i]) if a.ndim > 1 else a[i], tensors))


def _check_finite_seq(data):
    return np.asarray(data) if not hasattr(data, "shape") else data


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """Sliding windows over ``data`` (axis 0 is time), as tf-keras: window ``i`` holds
    ``data[start + p, start + p + r, ..., start + p + (sequence_length - 1) * r]`` with ``p = i * stride`` and
    target ``targets[start + p]``. Yields batches ``(windows, targets)``, or windows alone when ``targets`` is
    None; single samples when ``batch_size`` is None."""
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= len(data):
            raise ValueError("`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {len(data)}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError("`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= len(data):
            raise ValueError("`end_index` must be lower than the length of the data. Received: "
                             f"end_index={end_index}, for data of length {len(data)}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be higher than 0. Received: sampling_rate={sampling_rate}")
    if sampling_rate >= len(data):
        raise ValueError("`sampling_rate` must be lower than the length of the data. Received: "
                         f"sampling_rate={sampling_rate}, for data of length {len(data)}")
    if sequence_stride <= 0:
        raise ValueError(f"`sequence_stride` must be higher than 0. Received: sequence_stride={sequence_stride}")
    if sequence_stride >= len(data):
        raise ValueError("`sequence_stride` must be lower than the length of the data. Received: "
                         f"sequence_stride={sequence_stride}, for data of length {len(data)}")
    data = np.asarray(data)
    if start_index is None:
        start_index = 0
    if end_index is None:
        end_index = len(data)
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        num_seqs = min(num_seqs, len(targets))
    start_positions = np.arange(0, num_seqs, sequence_stride)
    steps = data[start_index:end_index]
    target_steps = targets[start_index:end_index] if targets is not None else None
    offsets = np.arange(sequence_length) * sampling_rate

    def sample(i):
        window = _wrap(steps[start_positions[i] + offsets])
        if target_steps is None:
            return window
        t = target_steps[start_positions[i]]
        return window, _wrap(t) if isinstance(t, np.ndarray) else t

    dataset = Dataset(len(start_positions), sample)
    if shuffle:
        dataset = dataset.shuffle(seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` argument, "
                         "to make sure that there is no overlap between the training and validation subset.")


def _iter_valid_files(directory, follow_links, formats):
    # tf.io.gfile.walk, which tf-keras uses when follow_links=False, enters symlinked folders all the same.
    walk = os.walk(directory, followlinks=True)
    for root, _, files in sorted(walk, key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None, follow_links=False):
    """``(file_paths, labels, class_names)`` as tf-keras lists them: class folders in alphanumeric order, files
    in each sorted by folder then name, and, when ``shuffle``, both lists permuted by
    ``np.random.RandomState(seed)``."""
    if labels != "inferred":
        subdirs = [""]
        class_names = subdirs
    else:
        subdirs = []
        for subdir in sorted(os.listdir(directory)):
            if os.path.isdir(os.path.join(directory, subdir)) and not subdir.startswith("."):
                subdirs.append(subdir.rstrip("/"))
        if not class_names:
            class_names = subdirs
        elif set(class_names) != set(subdirs):
            raise ValueError("The `class_names` passed did not match the names of the subdirectories of the target "
                             f"directory. Expected: {subdirs}, but received: {class_names}")
    class_indices = dict(zip(class_names, range(len(class_names))))
    filenames, labels_list = [], []
    for subdir in subdirs:
        dirpath = os.path.join(directory, subdir)
        dirname = os.path.basename(dirpath)
        partial = []
        for root, fname in _iter_valid_files(dirpath, follow_links, formats):
            partial.append(class_indices[dirname])
            filenames.append(os.path.join(dirname, os.path.relpath(os.path.join(root, fname), dirpath)))
        labels_list.append(partial)
    if labels not in ("inferred", None):
        if len(labels) != len(filenames):
            raise ValueError("Expected the lengths of `labels` to match the number of files in the target directory. "
                             f"len(labels) is {len(labels)} while we found {len(filenames)} files in directory "
                             f"{directory}.")
        class_names = sorted(set(labels))
    else:
        labels = np.zeros((len(filenames),), dtype="int32")
        labels[:] = [label for partial in labels_list for label in partial]
    if labels is None:
        io_utils.print_msg(f"Found {len(filenames)} files.")
    else:
        io_utils.print_msg(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, fname) for fname in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(samples, labels, validation_split, subset):
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        io_utils.print_msg(f"Using {len(samples) - num_val_samples} files for training.")
        samples = samples[:-num_val_samples]
        labels = labels[:-num_val_samples]
    elif subset == "validation":
        io_utils.print_msg(f"Using {num_val_samples} files for validation.")
        samples = samples[-num_val_samples:]
        labels = labels[-num_val_samples:]
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')
    return samples, labels


def _encode_label(label, label_mode, num_classes):
    if label_mode == "binary":
        return _wrap(np.array([label], dtype="float32"))
    if label_mode == "categorical":
        out = np.zeros((num_classes,), dtype="float32")
        out[int(label)] = 1.0
        return _wrap(out)
    return np.int32(label)


def _check_labels_args(labels, label_mode, class_names, what):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size as the number of "
                f"{what} files in the target directory. If you wish to infer the labels from the subdirectory names "
                'in the target directory, pass `labels="inferred"`. If you wish to get a dataset that only contains '
                f"{'images' if what == 'image' else 'text samples'} (no labels), pass `labels=None`. "
                f"Received: labels={labels}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. Received: '
                             f"labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")


def _finish(paths, labels, label_mode, class_names, load, batch_size, shuffle, seed, file_paths_attr=True):
    num_classes = len(class_names)

    def sample(i):
        x = load(paths[i])
        if not label_mode:
            return x
        return x, _encode_label(labels[i], label_mode, num_classes)

    dataset = Dataset(len(paths), sample)
    if shuffle:
        dataset = dataset.shuffle(seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    dataset.class_names = class_names
    if file_paths_attr:
        dataset.file_paths = paths
    return dataset


def _subsets(paths, labels, validation_split, subset, what):
    if subset == "both":
        train = get_training_or_validation_split(paths, labels, validation_split, "training")
        val = get_training_or_validation_split(paths, labels, validation_split, "validation")
        if not train[0]:
            raise ValueError(f"No training {what} found in directory.")
        if not val[0]:
            raise ValueError(f"No validation {what} found in directory.")
        return [train, val]
    return [get_training_or_validation_split(paths, labels, validation_split, subset)]


# --- image resizing as TensorFlow's ResizeBilinear / ResizeNearestNeighbor (half_pixel_centers=True) ---

def _bilinear_weights(out_size, in_size):
    scale = np.float32(in_size) / np.float32(out_size)
    pos = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(pos)
    lower = np.maximum(floor.astype(np.int64), 0)
    upper = np.minimum(np.ceil(pos).astype(np.int64), in_size - 1)
    return lower, upper, (pos - floor).astype(np.float32)


def _resize_bilinear(img, size):
    img = img.astype(np.float32)
    y0, y1, ly = _bilinear_weights(size[0], img.shape[0])
    x0, x1, lx = _bilinear_weights(size[1], img.shape[1])
    lx = lx[None, :, None]
    top = img[y0][:, x0] + (img[y0][:, x1] - img[y0][:, x0]) * lx
    bottom = img[y1][:, x0] + (img[y1][:, x1] - img[y1][:, x0]) * lx
    return top + (bottom - top) * ly[:, None, None]


def _resize_nearest(img, size):
    def index(out_size, in_size):
        scale = np.float32(in_size) / np.float32(out_size)
        pos = np.floor((np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale).astype(np.int64)
        return np.minimum(pos, in_size - 1)
    return img[index(size[0], img.shape[0])][:, index(size[1], img.shape[1])]  # keeps uint8, as TensorFlow


_PIL_METHODS = {"bicubic": "BICUBIC", "area": "BOX", "lanczos3": "LANCZOS", "lanczos5": "LANCZOS",
                "gaussian": "BILINEAR", "mitchellcubic": "BICUBIC"}


def _resize(img, size, interpolation):
    if interpolation == "bilinear":
        return _resize_bilinear(img, size)
    if interpolation == "nearest":
        return _resize_nearest(img, size)
    from PIL import Image  # other methods: Pillow's nearest equivalent (values differ slightly from TensorFlow's)
    channels = [Image.fromarray(img[..., c].astype(np.float32), mode="F").resize(
        (size[1], size[0]), getattr(Image, _PIL_METHODS[interpolation])) for c in range(img.shape[-1])]
    return np.stack([np.asarray(c, dtype=np.float32) for c in channels], axis=-1)


def _load_image(path, image_size, num_channels, interpolation, crop_to_aspect_ratio):
    from PIL import Image
    with Image.open(path) as pil:
        pil.seek(0)  # the first frame of an animation, as expand_animations=False
        mode = {1: "L", 3: "RGB", 4: "RGBA"}[num_channels]
        if num_channels == 1 and pil.format == "PNG" and pil.mode not in ("L", "I;16", "I"):
            # libpng's rgb_to_gray as TensorFlow sets it up (0.299, 0.587 in 1/32768, truncated), not Pillow's
            rgb = np.asarray(pil.convert("RGB")).astype(np.uint32)
            pil = Image.fromarray(((9798 * rgb[..., 0] + 19235 * rgb[..., 1] + 3735 * rgb[..., 2]) >> 15)
                                  .astype(np.uint8), mode="L")
        if pil.mode == "P" or (pil.mode in ("L", "LA", "I;16") and num_channels != 1):
            pil = pil.convert("RGBA" if num_channels == 4 else "RGB")
        img = np.asarray(pil.convert(mode) if pil.mode != mode else pil)
    if img.ndim == 2:
        img = img[..., None]
    if crop_to_aspect_ratio:
        height, width = img.shape[0], img.shape[1]
        th, tw = image_size
        crop_h = min(height, int(np.float32(width * th) / np.float32(tw)))
        crop_w = min(width, int(np.float32(height * tw) / np.float32(th)))
        h0 = int(np.float32(height - crop_h) / 2)
        w0 = int(np.float32(width - crop_w) / 2)
        img = img[h0:h0 + crop_h, w0:w0 + crop_w]
    return _wrap(_resize(img, image_size, interpolation))


_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, **kwargs):
    """Batches ``(images, labels)`` from class sub-folders of image files (tf-keras 2.21's signature and
    behaviour): images float32 ``(batch, height, width, channels)``; labels int32 ``(batch,)`` ('int'), float32
    one-hot ('categorical') or float32 ``(batch, 1)`` ('binary'). ``subset='both'`` returns ``[train, val]``.
    The dataset has ``.class_names`` and ``.file_paths``."""
    if "smart_resize" in kwargs:
        crop_to_aspect_ratio = kwargs.pop("smart_resize")
    if kwargs:
        raise TypeError(f"Unknown keywords argument(s): {tuple(kwargs.keys())}")
    _check_labels_args(labels, label_mode, class_names, "image")
    if labels is None or label_mode is None:
        labels = None
        label_mode = None
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}
    if color_mode not in channels:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    interpolation = str(interpolation).lower()
    if interpolation not in _INTERPOLATIONS:
        raise NotImplementedError(f"Value not recognized for `interpolation`: {interpolation}. Supported "
                                  f"interpolation methods: {', '.join(_INTERPOLATIONS)}")
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats=ALLOWLIST_FORMATS,
                                                 class_names=class_names, shuffle=shuffle, seed=seed,
                                                 follow_links=follow_links)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")
    image_size = tuple(image_size)

    def load(path):
        return _load_image(path, image_size, channels[color_mode], interpolation, crop_to_aspect_ratio)

    parts = _subsets(paths, labels, validation_split, subset, "images")
    if subset != "both" and not parts[0][0]:
        raise ValueError(f"No images found in directory {directory}. Allowed formats: {ALLOWLIST_FORMATS}")
    datasets = [_finish(p, lab, label_mode, class_names, load, batch_size, shuffle and k == 0, seed)
                for k, (p, lab) in enumerate(parts)]
    return datasets if subset == "both" else datasets[0]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False):
    """Batches ``(texts, labels)`` from class sub-folders of ``.txt`` files (tf-keras 2.21): the texts are a
    NumPy object array of ``bytes`` (as tf.data's ``.numpy()`` gives), cut to ``max_length`` bytes when set.
    ``subset='both'`` returns ``[train, val]``; the dataset has ``.class_names``."""
    _check_labels_args(labels, label_mode, class_names, "text")
    if labels is None or label_mode is None:
        labels = None
        label_mode = None
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats=(".txt",), class_names=class_names,
                                                 shuffle=shuffle, seed=seed, follow_links=follow_links)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")

    def load(path):
        with open(path, "rb") as f:
            text = f.read()
        return text[:max_length] if max_length is not None else text

    parts = _subsets(paths, labels, validation_split, subset, "text files")
    if subset != "both" and not parts[0][0]:
        raise ValueError(f"No text files found in directory {directory}. Allowed format: .txt")
    datasets = [_finish(p, lab, label_mode, class_names, load, batch_size, shuffle and k == 0, seed,
                        file_paths_attr=False) for k, (p, lab) in enumerate(parts)]
    return datasets if subset == "both" else datasets[0]


def _rescale_dataset_split_sizes(left_size, right_size, total_length):
    lt, rt = type(left_size), type(right_size)
    if (left_size is not None and lt not in [int, float]) and (right_size is not None and rt not in [int, float]):
        raise TypeError("Invalid `left_size` and `right_size` Types. Expected: integer or float or None, Received: "
                        f"type(left_size)={lt} and type(right_size)={rt}")
    if left_size is not None and lt not in [int, float]:
        raise TypeError(f"Invalid `left_size` Type. Expected: int or float or None, Received: type(left_size)={lt}.")
    if right_size is not None and rt not in [int, float]:
        raise TypeError(f"Invalid `right_size` Type. Expected: int or float or None,Received: type(right_size)={rt}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split sizes must be "
                         "non-zero.")
    if lt == int and (left_size <= 0 or left_size >= total_length) or lt == float and (left_size <= 0 or
                                                                                        left_size >= 1):
        raise ValueError(f"`left_size` should be either a positive integer smaller than {total_length}, or a float "
                         f"within the range `[0, 1]`. Received: left_size={left_size}")
    if rt == int and (right_size <= 0 or right_size >= total_length) or rt == float and (right_size <= 0 or
                                                                                          right_size >= 1):
        raise ValueError(f"`right_size` should be either a positive integer and smaller than {total_length} or a "
                         f"float within the range `[0, 1]`. Received: right_size={right_size}")
    if rt == lt == float and right_size + left_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be less than or equal "
                         "to 1.")
    if lt == float:
        left_size = round(left_size * total_length)
    elif lt == int:
        left_size = float(left_size)
    if rt == float:
        right_size = round(right_size * total_length)
    elif rt == int:
        right_size = float(right_size)
    if left_size is None:
        left_size = total_length - right_size
    elif right_size is None:
        right_size = total_length - left_size
    if left_size + right_size > total_length:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the {total_length}. "
                         f"Received: left_size + right_size = {left_size + right_size}and total_length = "
                         f"{total_length}")
    for split, side in [(left_size, "left"), (right_size, "right")]:
        if split == 0:
            raise ValueError(f"With `dataset` of length={total_length}, `left_size`={left_size} and "
                             f"`right_size`={right_size}.Resulting {side} side dataset split will be empty. Adjust "
                             "any of the aforementioned parameters")
    return int(left_size), int(right_size)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Two datasets of samples, the first ``left_size`` and the last ``right_size`` (ints, or floats as
    fractions) of ``dataset``: a NumPy array, a list/tuple of arrays (aligned rows) or a ``Dataset`` (unbatched
    first; the splits are batched again with its batch size). ``shuffle`` permutes the samples first with
    Python's ``random.seed(seed)``, as tf-keras."""
    if not isinstance(dataset, (Dataset, list, tuple, np.ndarray)):
        raise TypeError("The `dataset` argument must be either a `Dataset` object or a list/tuple of arrays. "
                        f"Received: dataset={dataset} of type {type(dataset)}")
    if right_size is None and left_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. Received: "
                         "left_size=None and right_size=None")
    batch_size = None
    if isinstance(dataset, Dataset):
        batch_size = dataset._batch_size
        samples = list(dataset.unbatch() if batch_size else dataset)
    elif isinstance(dataset, np.ndarray):
        samples = list(dataset)
    else:
        if len(dataset) == 0:
            raise ValueError("Received an empty list dataset. Please provide a non-empty list of arrays.")
        if not isinstance(dataset[0], np.ndarray):
            raise ValueError(f"Expected a list of `numpy.ndarray` objects,Received: {type(dataset[0])}")
        for i, element in enumerate(dataset):
            if np.array(element).shape[0] != dataset[0].shape[0]:
                raise ValueError("Received a list of NumPy arrays with different lengths. Mismatch found at index "
                                 f"{i}, Expected shape={dataset[0].shape} Received shape={np.array(element).shape}."
                                 "Please provide a list of NumPy arrays with the same length.")
        samples = [tuple(np.asarray(a) for a in row) for row in zip(*dataset)]
    if not samples:
        raise ValueError("Received an empty Dataset. `dataset` must be a non-empty list/tuple of `numpy.ndarray` "
                         "objects or `Dataset` objects.")
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.seed(seed)
        random.shuffle(samples)
    left_size, right_size = _rescale_dataset_split_sizes(left_size, right_size, len(samples))
    left, right = samples[:left_size], samples[-right_size:]
    out = []
    for part in (left, right):
        ds = Dataset(len(part), lambda i, part=part: part[i])
        if batch_size is not None:
            ds = ds.batch(batch_size)
        out.append(ds)
    return tuple(out)


__all__ = ["Dataset", "timeseries_dataset_from_array", "image_dataset_from_directory",
           "text_dataset_from_directory", "split_dataset"]
