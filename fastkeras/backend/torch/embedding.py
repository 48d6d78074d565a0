"""Table lookups on PyTorch: ``K.embedding_lookup`` behind the Embedding layer."""
import torch
import torch.nn.functional as F

from fastkeras.backend.torch.core import convert_to_tensor


def embedding_lookup(table, ids, sparse_grad=False):
    """Rows of ``table`` (input_dim, output_dim) picked by integer ``ids`` of any shape.

    Float ids are truncated to integers, as Keras casts them to int32. The gradient with respect to
    ``table`` is dense (a table-sized scatter-add), or with ``sparse_grad`` a sparse COO tensor holding only
    the looked-up rows, which optimizers with a row-wise rule apply without touching the rest of the table.
    """
    ids = convert_to_tensor(ids)
    if ids.dtype not in (torch.int64, torch.int32):
        ids = ids.long()
    return F.embedding(ids, table, sparse=sparse_grad)
