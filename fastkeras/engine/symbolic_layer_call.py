"""``layer.call(keras_tensor)``: a layer's computation run directly on symbolic tensors, as Keras 2 code does
(``self.inner.call(x)`` in a custom layer called on ``Input``s, or ``layer.call(Input(...))`` to skip ``__call__``).

tf-keras runs such a call on its symbolic tensors, so every TensorFlow op inside becomes an op layer of the graph
and the layer's variables are captured by those ops: the model computes with them but does not own them (``fit``
leaves them as they are), cannot save them, and an unbuilt layer fails for want of its weights. fastkeras' layers
compute with torch, which cannot run on symbolic tensors, so the whole call is recorded as one op layer,
``LayerCall``, with the same consequences. Models are different: their ``call`` runs on the symbolic tensors
(each inner layer records its node, as in tf-keras), so ``Model(x, model.call(x))`` shows the inner layers.
"""
from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.engine.base_layer import Layer, _call_arguments
from fastkeras.engine.keras_tensor import KerasTensor


class LayerCall(Layer):
    """One ``call`` of another layer, recorded on symbolic tensors: computes ``layer.call(*args, **kwargs)`` with
    the layer's weights as they are when the model runs. The weights stay the layer's: not trained by the model,
    not saved with it."""

    def __init__(self, layer, **kwargs):
        kwargs.setdefault("name", K.unique_object_name(f"{layer.name}.call"))
        super().__init__(**kwargs)
        object.__setattr__(self, "target", layer)  # untracked: its weights are not this model's

    def call(self, inputs, *args, **kwargs):
        return direct_call(self.target)(inputs, *args, **kwargs)

    def get_config(self):
        target = self.target
        if target.weights:
            raise ValueError(
                f'Layer "{self.name}" records {type(target).__name__}.call() of layer "{target.name}" run on symbolic '
                "tensors (layer.call(keras_tensor)): the model computes with that layer's weights but does not own "
                "them, so it cannot be saved (nor can tf-keras save such a model). Call the layer itself, "
                "layer(inputs), to make it and its weights part of the model.")
        from fastkeras.saving.model_config import serialize_layer
        config = super().get_config()
        config["layer"] = serialize_layer(target)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from fastkeras.layers import deserialize
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


def direct_call(layer):
    """``layer.call`` without the check for symbolic inputs: for callers that pass real or shape-only tensors."""
    bound = layer.call
    computes = getattr(getattr(bound, "__func__", None), "_computes", None)
    return computes.__get__(layer) if computes is not None else bound


def record_layer_call(layer, args, kwargs):
    """``layer.call(*args, **kwargs)`` on symbolic tensors: its output as the output of a LayerCall node."""
    _, accepts_training, _ = _call_arguments(type(layer))
    if accepts_training and kwargs.get("training") is None:
        # tf-keras resolves training when it records the ops (the learning phase then, inference by default),
        # so later training steps do not switch the recorded call to training (Dropout stays off).
        kwargs = dict(kwargs, training=bool(K.learning_phase()))
    try:
        return LayerCall(layer)(*args, **kwargs)
    except AttributeError as e:
        if layer.built:
            raise
        inputs = tree.map_structure(lambda t: t, args[0])
        raise AttributeError(
            f'Layer "{layer.name}" ({type(layer).__name__}) is not built, and its call() needs what build() makes '
            f"({e}). layer.call() on symbolic tensors runs the computation only, as in tf-keras: build the layer "
            "first (layer.build(input_shape)), or call the layer itself, layer(inputs), which builds it. "
            f"Received: inputs={inputs}") from e
