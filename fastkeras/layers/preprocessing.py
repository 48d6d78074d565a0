"""Keras 2's preprocessing layers that work on tensors inside a model (rescaling, resizing, cropping,
normalization, image augmentation)."""

__all__ = []
