"""EinsumDense: a dense layer written as an einsum equation (the projections inside MultiHeadAttention)."""

__all__ = []
