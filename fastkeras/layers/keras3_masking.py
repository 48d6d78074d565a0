"""What a Keras 3 layer without mask support does with a Keras mask: drops it, with a warning (Keras 2 layers
raise instead, see ``Layer.compute_mask``)."""
import warnings

from fastkeras.engine import tree


def drop_mask(layer, mask):
    """None, after warning when ``mask`` holds a mask that ``layer`` cannot carry on."""
    if any(m is not None for m in tree.flatten(mask)):
        warnings.warn(f'Layer "{layer.name}" ({type(layer).__name__}) was given an input with a Keras mask, but it '
                      "does not support masking: the mask stops here and the layers after it will not see it.",
                      stacklevel=3)
    return None
