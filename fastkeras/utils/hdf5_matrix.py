"""``HDF5Matrix``: a dataset of an HDF5 file used as a training array without loading it (Keras 2's
``keras.utils.HDF5Matrix``, also ``keras.utils.io_utils.HDF5Matrix``).

``fit``/``evaluate``/``predict`` read such an array one batch of rows at a time (as they do scipy sparse
matrices), so a dataset larger than memory trains. Rows are read with h5py's fancy indexing, which needs
increasing, distinct indices; a shuffled batch is read in sorted order and put back in the order asked for, so
``shuffle=True`` works too (Keras 2 asked for ``shuffle='batch'``, which reads whole contiguous batches and stays
the fastest choice on disk).
"""
import numpy as np


class HDF5Matrix:
    """Rows ``start:end`` of the dataset ``dataset`` in the HDF5 file ``datapath``, optionally passed through
    ``normalizer`` (a function of a NumPy array of rows) when read. Files are opened read-only, once per path."""

    refs = {}  # datapath -> the open h5py.File, shared by every HDF5Matrix on that file

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        import h5py
        datapath = str(datapath)
        f = self.refs.get(datapath)
        if f is None or not f.id.valid:
            f = self.refs[datapath] = h5py.File(datapath, "r")
        if dataset not in f:
            raise KeyError(f'HDF5Matrix: the file "{datapath}" has no dataset "{dataset}"; it has '
                           f"{sorted(f.keys())}.")
        self.data = f[dataset]
        rows = self.data.shape[0] if self.data.shape else 0
        self.start = int(start)
        self.end = rows if end is None else int(end)
        if not 0 <= self.start <= self.end <= rows:
            raise ValueError(f'HDF5Matrix: rows start={start}, end={end} do not lie within the {rows} rows of '
                             f'dataset "{dataset}" in "{datapath}".')
        self.normalizer = normalizer
        self._normalized_sample = None

    def __len__(self):
        return self.end - self.start

    def _check(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"HDF5Matrix: row {index} is out of range for {len(self)} rows.")
        return self.start + int(index)

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if key.stop is not None and key.stop > len(self) or key.start is not None and key.start > len(self):
                raise IndexError(f"HDF5Matrix: rows {key.start}:{key.stop} reach past its {len(self)} rows.")
            rows = self.data[self.start + start:self.start + stop:step] if step > 0 else \
                self.data[self.start:self.end][key]
        elif isinstance(key, (int, np.integer)):
            rows = self.data[self._check(key)]
        else:
            if key is None or isinstance(key, (str, bytes, float)):
                raise TypeError(f"HDF5Matrix indices must be integers, slices or sequences of integers; received "
                                f"{key!r}.")
            index = np.asarray(list(key) if not isinstance(key, np.ndarray) else key)
            if index.dtype == bool:
                index = np.flatnonzero(index)
            if index.size == 0:
                rows = self.data[self.start:self.start]
            else:
                if index.dtype.kind not in "iu":
                    raise TypeError(f"HDF5Matrix indices must be integers; received {index.dtype} indices.")
                if index.min() < 0 or index.max() >= len(self):
                    raise IndexError(f"HDF5Matrix: rows {index.min()}..{index.max()} are out of range for "
                                     f"{len(self)} rows.")
                # h5py reads increasing, distinct indices only: read those, then lay them out as asked.
                unique, inverse = np.unique(index, return_inverse=True)
                rows = self.data[(unique + self.start).tolist()][inverse.reshape(index.shape)]
        return rows if self.normalizer is None else self.normalizer(rows)

    def _sample(self):
        """The first row, normalized: what the normalizer makes of the rows' shape and dtype."""
        if self._normalized_sample is None:
            self._normalized_sample = np.asarray(self.normalizer(self.data[self.start:self.start + 1]))
        return self._normalized_sample

    @property
    def shape(self):
        tail = self.data.shape[1:] if self.normalizer is None or len(self) == 0 else self._sample().shape[1:]
        return (len(self),) + tuple(tail)

    @property
    def dtype(self):
        return self.data.dtype if self.normalizer is None or len(self) == 0 else self._sample().dtype

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))

    def __array__(self, dtype=None, copy=None):
        rows = self[:]
        return np.asarray(rows, dtype=dtype)

    def __repr__(self):
        return f"<HDF5Matrix {self.data.name} rows {self.start}:{self.end} of {self.data.file.filename}>"
