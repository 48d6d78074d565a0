"""Attention layers (Keras 2's Attention, AdditiveAttention, MultiHeadAttention)."""

__all__ = []
