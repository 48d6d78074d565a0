"""``warmstart_embedding_matrix`` (Keras 2's ``keras.utils``): an embedding matrix for a new vocabulary that
keeps the rows of the tokens it shares with the old one."""
import numpy as np

from fastkeras import backend as K


def _vocabulary_list(vocab, what):
    if K.is_tensor(vocab):
        vocab = K.get_value(vocab)
    if isinstance(vocab, (np.ndarray, tuple, list)):
        vocab_list = list(vocab)
    elif isinstance(vocab, str):
        try:
            with open(vocab, "r") as f:
                vocab_list = f.read().splitlines()
        except FileNotFoundError:
            raise ValueError(f"Vocabulary file {vocab} does not exist.") from None
    else:
        raise ValueError("Vocabulary is expected to be either a NumPy array, list, 1D tensor or a vocabulary text "
                         f"file. Instead type {type(vocab)} was received for `{what}`.")
    if not vocab_list:
        raise ValueError("Vocabulary is expected to be either a NumPy array, list, 1D tensor or a vocabulary text "
                         f"file with at least one token. Received 0 instead for `{what}`.")
    return vocab_list


def warmstart_embedding_matrix(base_vocabulary, new_vocabulary, base_embeddings, new_embeddings_initializer="uniform"):
    """A ``(len(new_vocabulary), dim)`` matrix: rows of tokens also in ``base_vocabulary`` are copied from
    ``base_embeddings``; the others come from ``new_embeddings_initializer`` (an initializer or its name).
    Returns an engine tensor, as tf-keras returns a tf.Tensor."""
    from fastkeras import initializers

    base_vocabulary = _vocabulary_list(base_vocabulary, "base_vocabulary")
    new_vocabulary = _vocabulary_list(new_vocabulary, "new_vocabulary")
    base = K.get_value(base_embeddings) if K.is_tensor(base_embeddings) else np.asarray(base_embeddings)
    if base.ndim != 2 or base.shape[0] != len(base_vocabulary):
        raise ValueError(f"warmstart_embedding_matrix expects `base_embeddings` of shape (len(base_vocabulary), "
                         f"embedding_dim) = ({len(base_vocabulary)}, dim). Received shape {base.shape}.")
    initializer = initializers.get(new_embeddings_initializer)
    new = initializer(shape=(len(new_vocabulary), base.shape[1]), dtype=str(base.dtype))
    new = np.array(K.get_value(new) if K.is_tensor(new) else new, dtype=base.dtype)
    index = {token: i for i, token in enumerate(base_vocabulary)}
    pairs = [(i, index[token]) for i, token in enumerate(new_vocabulary) if token in index]
    if pairs:
        new_rows, base_rows = zip(*pairs)
        new[list(new_rows)] = base[list(base_rows)]
    return K.convert_to_tensor(new)


__all__ = ["warmstart_embedding_matrix"]
