"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) and their functions."""
from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer


def _elementwise_shape(layer_name, shape1, shape2):
    """Broadcast shape of two sample shapes (batch excluded), as Keras' merge layers compute it."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        return _elementwise_shape(layer_name, shape2, shape1)
    if not shape2:
        return shape1
    out = list(shape1[:-len(shape2)])
    for i, j in zip(shape1[-len(shape2):], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1:
            out.append(i)
        elif i != j:
            raise ValueError(f'Layer "{layer_name}": inputs have incompatible shapes. Received shapes '
                             f"{tuple(shape1)} and {tuple(shape2)}")
        else:
            out.append(i)
    return tuple(out)


def _expand_after_batch(x, count):
    for _ in range(count):
        x = K.expand_dims(x, 1)
    return x


class _Merge(Layer):
    """Elementwise merge of a list of tensors; shapes broadcast as in Keras 2."""

    _min_inputs = 1
    _broadcasts_ranks = True  # elementwise merges align inputs of different ranks; Concatenate and Dot do not

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_inputs(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f'A merge layer should be called on a list of inputs. Layer "{self.name}" received: '
                             f"{input_shape}")
        if len(input_shape) < self._min_inputs:
            raise ValueError(f'A merge layer should be called on a list of at least {self._min_inputs} inputs. '
                             f'Layer "{self.name}" got {len(input_shape)} inputs. Full input_shape received: '
                             f"{[tuple(s) for s in input_shape]}")

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        out = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = _elementwise_shape(self.name, out, tuple(shape[1:]))
        batches = {s[0] for s in input_shape if s[0] is not None}
        batch = batches.pop() if len(batches) == 1 else None
        return (batch,) + out

    def _output_dtype(self, inputs):
        return inputs[0].dtype

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'A merge layer should be called on a list of inputs. Layer "{self.name}" received: '
                             f"{inputs}")
        inputs = list(inputs)
        if self._broadcasts_ranks:
            ranks = [K.ndim(x) for x in inputs]
            if min(ranks) != max(ranks):
                # Keras 2: an input of lower rank gains axes right after the batch axis, so (batch, 5) merges
                # with (batch, 4, 5) as (batch, 1, 5).
                inputs = [_expand_after_batch(x, max(ranks) - rank) for x, rank in zip(inputs, ranks)]
        return self._merge(inputs)

    def _check_mask_arguments(self, inputs, mask):
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f'Layer "{self.name}": `mask` should be a list. Received: mask={mask}')
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'Layer "{self.name}": `inputs` should be a list. Received: inputs={inputs}')
        if len(mask) != len(inputs):
            raise ValueError(f'Layer "{self.name}": the lists `inputs` and `mask` should have the same length. '
                             f"Received: inputs of length {len(inputs)}, and mask of length {len(mask)}")

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        self._check_mask_arguments(inputs, mask)
        masks = [K.expand_dims(m, 0) for m in mask if m is not None]
        if not masks:
            return None
        return K.all(K.concatenate(masks, axis=0), axis=0, keepdims=False)


class Add(_Merge):
    """Sum of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """``inputs[0] - inputs[1]``; exactly two inputs."""

    def _check_inputs(self, input_shape):
        super()._check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f'A `Subtract` layer should be called on exactly 2 inputs. Layer "{self.name}" '
                             f"received {len(input_shape)} inputs.")

    def _merge(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f'A `Subtract` layer should be called on exactly 2 inputs. Layer "{self.name}" '
                             f"received {len(inputs)} inputs.")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Elementwise product of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(_Merge):
    """Elementwise mean of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


class Maximum(_Merge):
    """Elementwise maximum of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = K.maximum(out, x)
        return out


class Minimum(_Merge):
    """Elementwise minimum of the inputs."""

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = K.minimum(out, x)
        return out


class Concatenate(_Merge):
    """Joins the inputs along ``axis``; every other axis must match."""

    _broadcasts_ranks = False

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        axis = self.axis % rank if rank else 0
        for shape in shapes:
            if len(shape) != rank or any(a is not None and b is not None and a != b
                                         for i, (a, b) in enumerate(zip(shape, shapes[0])) if i != axis and i != 0):
                raise ValueError(f'A `Concatenate` layer requires inputs with matching shapes except for the '
                                 f'concatenation axis. Layer "{self.name}" received: input_shape={shapes}')
        out = list(shapes[0])
        sizes = [s[axis] for s in shapes]
        out[axis] = None if None in sizes else sum(sizes)
        for i in range(1, rank):
            if i != axis and out[i] is None:
                out[i] = next((s[i] for s in shapes if s[i] is not None), None)
        return tuple(out)

    def _merge(self, inputs):
        return K.concatenate(inputs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        self._check_mask_arguments(inputs, mask)
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(K.ones_like(x, dtype="bool"))
            elif m.ndim < x.ndim:
                masks.append(K.expand_dims(m, -1))
            else:
                masks.append(m)
        concatenated = K.concatenate(masks, axis=self.axis)
        return K.all(concatenated, axis=-1, keepdims=False)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(_Merge):
    """Dot product of two samples along ``axes``; ``normalize=True`` gives cosine proximity."""

    _broadcasts_ranks = False

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)) or len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Invalid format for argument `axes`: expected an int or a list/tuple of 2 ints. "
                                 f"Received: axes={axes}")
            axes = list(axes)
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _resolved_axes(self, shape1, shape2):
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % len(shape1), self.axes % len(shape2)]
            return [self.axes, self.axes]
        return [a % len(s) if a < 0 else a for a, s in zip(self.axes, (shape1, shape2))]

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError(f'A `Dot` layer should be called on a list of 2 inputs. Layer "{self.name}" received: '
                             f"{input_shape}")
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        requested = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        if any(not -len(s) <= a < len(s) for a, s in zip(requested, (shape1, shape2))):
            raise ValueError(f'Layer "{self.name}" (Dot): axes={self.axes} is out of range for inputs of shapes '
                             f"{tuple(shape1)} and {tuple(shape2)}.")
        axes = self._resolved_axes(shape1, shape2)
        if shape1[axes[0]] is not None and shape2[axes[1]] is not None and shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(f'Layer "{self.name}": incompatible input shapes: axis values {shape1[axes[0]]} '
                             f"(at axis {axes[0]}) != {shape2[axes[1]]} (at axis {axes[1]}). "
                             f"Full input shapes: {tuple(shape1)}, {tuple(shape2)}")
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        out = shape1 + shape2
        if len(out) == 1:
            out += [1]
        return tuple(out)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def _merge(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f'A `Dot` layer should be called on exactly 2 inputs. Layer "{self.name}" received '
                             f"{len(inputs)} inputs.")
        x1, x2 = inputs
        axes = self._resolved_axes(x1.shape, x2.shape)
        if self.normalize:
            x1 = K.l2_normalize(x1, axis=axes[0])
            x2 = K.l2_normalize(x2, axis=axes[1])
        return K.batch_dot(x1, x2, axes)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def add(inputs, **kwargs):
    """Functional form of ``Add``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of ``Subtract``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of ``Multiply``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of ``Average``."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of ``Maximum``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of ``Minimum``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of ``Concatenate``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """Functional form of ``Dot``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
