"""``keras.models.experimental`` (tf-keras 2.11+): SharpnessAwareMinimization."""
from fastkeras import backend as K
from fastkeras.engine import tree
from fastkeras.engine.training import Model
from fastkeras.utils.data_tuples import unpack_x_y_sample_weight


def _split(structure, parts):
    """Each tensor of ``structure`` cut into ``parts`` equal slices along the batch axis; a list of structures."""
    flat = tree.flatten(structure)
    size = int(flat[0].shape[0])
    if size % parts:
        raise ValueError(f"SharpnessAwareMinimization cannot split a batch of {size} samples into "
                         f"num_batch_splits={parts} equal parts: the batch size must be divisible by it.")
    step = size // parts
    return [tree.map_structure(lambda t, i=i: t[i * step:(i + 1) * step], structure) for i in range(parts)]


def _concatenate(predictions):
    """The parts' predictions (tensors, or lists of them for several outputs) joined along the batch axis."""
    if K.is_tensor(predictions[0]):
        return K.concatenate(predictions, axis=0)
    return [K.concatenate(list(parts), axis=0) for parts in zip(*predictions)]


class SharpnessAwareMinimization(Model):
    """Sharpness-aware minimization (Foret et al., 2020; tf-keras ``keras.models.experimental``): a model that
    wraps ``model`` and trains it towards flat minima.

    Each training step takes the loss gradient ``g`` at the weights ``w``, moves to ``w + rho * g / ||g||``
    (``||g||`` the global norm of all gradients), takes the gradient there, moves back to ``w`` and hands that
    second gradient to the optimizer. With ``num_batch_splits`` the batch is cut into that many equal parts,
    each with its own perturbation, and their gradients are summed. As in tf-keras, the loss is the compiled loss
    without sample weights or regularization penalties (both losses of a step count in the logged ``loss``), the
    wrapped model is called without a ``training`` argument, and the metrics see the whole batch's predictions
    at ``w``. Calling this model calls ``model``.

    Args:
        model: The model to train.
        rho: The size of the perturbation. Defaults to 0.05.
        num_batch_splits: Into how many parts to split each batch (None: one).
        name: The model's name.
    """

    def __init__(self, model, rho=0.05, num_batch_splits=None, name=None):
        super().__init__(name=name)
        self.model = model
        self.rho = rho
        self.num_batch_splits = num_batch_splits

    def call(self, inputs, **kwargs):
        return self.model(inputs, **kwargs)

    def train_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        if self.num_batch_splits is not None:
            batches = list(zip(_split(x, self.num_batch_splits), _split(y, self.num_batch_splits)))
        else:
            batches = [(x, y)]
        variables = list(self.model.trainable_weights)
        summed, predictions = None, []
        for x_part, y_part in batches:
            y_pred = self.model(x_part)
            gradients = K.gradients(self.compiled_loss(y_part, y_pred), variables)
            predictions.append(y_pred)
            norm = K.sqrt(sum(K.sum(K.square(g)) for g in gradients))
            epsilons = [g * (self.rho / (norm + 1e-12)) for g in gradients]
            for variable, epsilon in zip(variables, epsilons):
                K.update_add(variable, epsilon)
            gradients = K.gradients(self.compiled_loss(y_part, self(x_part)), variables)
            summed = gradients if summed is None else [a + b for a, b in zip(summed, gradients)]
            for variable, epsilon in zip(variables, epsilons):
                K.update_add(variable, -epsilon)
        self.optimizer.apply_gradients(zip(summed, variables))
        y_pred = predictions[0] if len(predictions) == 1 else _concatenate(predictions)
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return {m.name: m.result() for m in self.metrics}

    def get_config(self):
        from fastkeras.saving.serialization import serialize_keras_object
        return {"model": serialize_keras_object(self.model), "rho": self.rho}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from fastkeras import layers
        config = dict(config)
        model = layers.deserialize(config.pop("model"), custom_objects=custom_objects)
        return cls(model, **config)


__all__ = ["SharpnessAwareMinimization"]
