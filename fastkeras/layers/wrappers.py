"""Layer wrappers: the ``Wrapper`` base and ``TimeDistributed``.

``TimeDistributed(layer)`` applies ``layer`` (any layer, or a whole model) to
every step of the second axis. It folds time into the batch, runs the inner
layer once on ``(batch * time, ...)`` and unfolds the result, so the inner
layer's weights are shared across steps and its fastest kernel runs once.
"""
import copy

from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.engine import base_layer
from fastkeras.engine.base_layer import Layer, _call_arguments
from fastkeras.engine.input_spec import InputSpec
from fastkeras.engine.keras_tensor import KerasTensor


class Wrapper(Layer):
    """Base class of layers that wrap another layer (``self.layer``), whose weights become theirs.

    The config holds the inner layer's full entry under ``"layer"``, in tf-keras'
    format (``module``, ``class_name``, ``config``, ``registered_name``,
    ``build_config``).
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer!r} supplied to wrapper is not a supported layer type. Please ensure "
                             "wrapped layer is a valid fastkeras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self._build_inner(input_shape)
        self.built = True

    def _build_inner(self, input_shape):
        self.layer._maybe_build(input_shape)
        # tf-keras builds the inner layer inside the wrapper's name scope: 'time_distributed/kernel:0'.
        prefix = self.layer.name + "/"
        for weight in self.layer.weights:
            if weight.name.startswith(prefix):
                weight.name = f"{self.name}/{weight.name[len(prefix):]}"

    def get_config(self):
        from fastkeras.saving.model_config import serialize_layer
        config = super().get_config()
        config["layer"] = serialize_layer(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from fastkeras.saving.model_config import deserialize_layer
        config = copy.deepcopy(config)
        if "layer" not in config:
            raise ValueError(f"The config of a {cls.__name__} layer needs a 'layer' entry (the wrapped layer); "
                             f"received keys {sorted(config)}.")
        layer = deserialize_layer(config.pop("layer"), custom_objects=custom_objects,
                                  where=f"the layer wrapped by {cls.__name__} '{config.get('name')}'")
        return cls(layer, **config)


def _fold(t):
    """``(batch, time, ...)`` -> ``(batch * time, ...)``: a view for contiguous inputs."""
    return K.reshape(t, (-1,) + tuple(t.shape[2:]))


class TimeDistributed(Wrapper):
    """Applies ``layer`` to every temporal slice of its input.

    Shape: ``(batch, time, ...)`` -> ``(batch, time, ...layer output without batch...)``;
    e.g. ``TimeDistributed(Dense(8))`` maps ``(32, 10, 16)`` to ``(32, 10, 8)``, and
    ``TimeDistributed(vision_model)`` turns an image model into a video model.
    A mask of shape ``(batch, time)`` is passed to the inner layer folded the same
    way. A stateful inner layer runs step by step instead, keeping its batch size.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a `fastkeras.layers.Layer` instance. "
                             f"Received: {layer!r}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    # ---- shapes ------------------------------------------------------------------

    @staticmethod
    def _inner_shape(shape):
        return (shape[0],) + tuple(shape[2:])

    def build(self, input_shape):
        shapes = input_shape if _is_shape_list(input_shape) else [input_shape]
        if any(len(s) < 3 for s in shapes):
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape ` with at least 3 dimensions, "
                             f"received: {input_shape}")
        specs = [InputSpec(shape=(None, None) + tuple(s[2:])) for s in shapes]
        self.input_spec = specs if _is_shape_list(input_shape) else specs[0]
        inner = [self._inner_shape(s) for s in shapes]
        # Recorded first: the shape-recording build of Wrapper would keep the inner layer's shape, and the saved
        # build_config must hold the wrapper's own input shape (Keras 3 rebuilds a TimeDistributed from it).
        self._build_input_shape = input_shape
        super().build(inner if _is_shape_list(input_shape) else inner[0])

    def compute_output_shape(self, input_shape):
        is_list = _is_shape_list(input_shape)
        shapes = input_shape if is_list else [input_shape]
        inner = [self._inner_shape(tuple(s)) for s in shapes]
        out = self.layer.compute_output_shape(inner if is_list else inner[0])
        steps = tuple(shapes[0])[1]
        if _is_shape_list(out):
            return [(s[0], steps) + tuple(s[1:]) for s in out]
        return (out[0], steps) + tuple(out[1:])

    def _output_dtype(self, inputs):
        return self.layer._output_dtype(inputs)

    # ---- calling ---------------------------------------------------------------------

    def call(self, inputs, training=None, mask=None):
        accepts_mask, accepts_training, _ = _call_arguments(type(self.layer))
        kwargs = {"training": training} if accepts_training else {}
        first = tree.flatten(inputs)[0]
        batch, steps = first.shape[0], first.shape[1]
        if getattr(self.layer, "stateful", False):
            return self._call_step_by_step(inputs, mask, kwargs, accepts_mask, steps)
        if accepts_mask and mask is not None:
            kwargs["mask"] = _fold(mask)
        outputs = self.layer(tree.map_structure(_fold, inputs), **kwargs)
        return tree.map_structure(lambda t: K.reshape(t, (batch, steps) + tuple(t.shape[1:])), outputs)

    def _call_step_by_step(self, inputs, mask, kwargs, accepts_mask, steps):
        """Keras' loop for layers whose state is tied to the batch size: masked steps repeat the last output."""
        per_step, previous = [], None
        for step in range(steps):
            step_kwargs = dict(kwargs)
            step_mask = None if mask is None else mask[:, step]
            if accepts_mask and step_mask is not None:
                step_kwargs["mask"] = step_mask
            out = tree.flatten(self.layer(tree.map_structure(lambda t: t[:, step], inputs), **step_kwargs))
            if step_mask is not None:
                previous = previous or [K.zeros_like(o) for o in out]
                out = [_where_step(step_mask, o, p) for o, p in zip(out, previous)]
            previous = out
            per_step.append(out)
        stacked = [K.stack([out[i] for out in per_step], axis=1) for i in range(len(per_step[0]))]
        return stacked[0] if len(stacked) == 1 else stacked

    def compute_mask(self, inputs, mask=None):
        if getattr(self.layer, "stateful", False):
            return mask
        first = tree.flatten(inputs)[0]
        if isinstance(first, KerasTensor):
            # Keras 2 code asks for the mask of symbolic inputs (`td.compute_mask(model.input)`) and evaluates
            # it with K.function; folding time into the batch needs sizes known only when the graph runs.
            _, probed = self._meta_outputs(inputs, (), {"mask": mask}, masks_only=True)  # is there a mask at all?
            if all(m is None for m in probed):
                return None
            return _MaskNode(self.compute_mask, mask is not None)(inputs if mask is None else [inputs, mask])
        batch, steps = first.shape[0], first.shape[1]
        inner_mask = None if mask is None else _fold(mask)
        output_mask = base_layer.output_mask(self.layer, tree.map_structure(_fold, inputs), inner_mask)
        if output_mask is None:
            if mask is None:
                return None
            # The inner layer drops masks: a step stays masked as a whole.
            output_mask = mask
            while output_mask.ndim > 2:
                output_mask = K.any(output_mask, axis=-1)
            return output_mask
        return tree.map_structure(lambda m: K.reshape(m, (batch, steps) + tuple(m.shape[1:])), output_mask)


class _MaskNode(Layer):
    """A graph node whose output is ``compute_mask(inputs[, mask])`` computed on the tensors the graph runs."""

    def __init__(self, compute_mask, with_mask, **kwargs):
        kwargs.setdefault("name", K.unique_object_name("compute_mask"))
        super().__init__(**kwargs)
        self._compute_mask = compute_mask  # a bound method, not a tracked sublayer
        self._with_mask = with_mask

    def call(self, inputs):
        return self._compute_mask(*inputs) if self._with_mask else self._compute_mask(inputs)


def _where_step(step_mask, output, previous):
    keep = K.reshape(K.cast(step_mask, "bool"), (-1,) + (1,) * (output.ndim - 1))
    return K.where(keep, output, previous)


def _is_shape_list(shape):
    return isinstance(shape, list) and len(shape) > 0 and all(isinstance(s, (list, tuple)) for s in shape)
