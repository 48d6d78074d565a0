"""Embedding: integer ids to dense vectors, with an optional padding mask (``mask_zero``)."""
import numpy as np
from fastkeras import backend as K
from fastkeras import constraints, initializers, regularizers
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.call_context import CONTEXT
from fastkeras.legacy import interfaces as keras1


class Embedding(Layer):
    """Looks up row ``i`` of an ``(input_dim, output_dim)`` table for every id ``i``.

    Shape: ``(batch, d1, ...)`` integer ids -> ``(batch, d1, ..., output_dim)``. ``input_length`` fixes
    the sequence length in the output shape (and the input shape of a first layer), as in Keras 2.
    ``mask_zero=True`` makes id 0 padding: the layer emits the mask ``ids != 0`` for the layers after it.
    """

    @keras1.embedding
    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None,
                 **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            # Keras 2 always records the input shape of an Embedding: (input_length,) or (None,).
            if isinstance(input_length, (list, tuple)):
                kwargs["input_shape"] = tuple(input_length)
            else:
                kwargs["input_shape"] = (input_length or None,)
        if kwargs.pop("sparse", False):
            raise ValueError("Embedding(sparse=True) is not supported by fastkeras: outputs are dense tensors.")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if input_dim <= 0 or output_dim <= 0:
            raise ValueError("Both `input_dim` and `output_dim` should be positive, "
                             f"Received input_dim = {input_dim} and output_dim = {output_dim}")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length

    def build(self, input_shape=None):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        # In fit's step (see CallContext.sparse_table_grads) the table's gradient holds only the looked-up rows.
        try:
            return K.embedding_lookup(self.embeddings, inputs, sparse_grad=CONTEXT.sparse_table_grads)
        except IndexError:
            raise _index_out_of_range(self, inputs) from None

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return K.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.input_length is None:
            return input_shape + (self.output_dim,)
        lengths = list(self.input_length) if isinstance(self.input_length, (list, tuple)) else [self.input_length]
        if len(lengths) != len(input_shape) - 1:
            raise ValueError(f'"input_length" is {self.input_length}, but received input has shape {input_shape}')
        for i, (expected, got) in enumerate(zip(lengths, input_shape[1:])):
            if expected is not None and got is not None and expected != got:
                raise ValueError(f'"input_length" is {self.input_length}, but received input has shape '
                                 f"{input_shape}")
            if expected is None:
                lengths[i] = got
        return (input_shape[0],) + tuple(lengths) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "input_length": self.input_length,
        })
        return config


def _index_out_of_range(layer, indices):
    """The error for indices outside the table (torch's own says only "index out of range in self"), naming the
    layer, the first bad index and where it is, as TensorFlow's lookup error does."""
    indices = K.to_numpy(indices) if K.is_tensor(indices) else np.asarray(indices)
    bad = np.argwhere((indices < 0) | (indices >= layer.input_dim))
    where = tuple(int(i) for i in bad[0]) if len(bad) else ()
    value = indices[where] if len(bad) else "?"
    return ValueError(f'Layer "{layer.name}" (Embedding): input index {value} at position {list(where)} is out of '
                      f"range: indices must be in [0, {layer.input_dim}) (input_dim={layer.input_dim}).")
