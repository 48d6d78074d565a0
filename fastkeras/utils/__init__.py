"""Utilities: to_categorical, normalize, summaries, custom-object registration, seeding."""
from fastkeras.saving.serialization import (  # noqa: F401
    CustomObjectScope, custom_object_scope, get_custom_objects, register_keras_serializable,
    serialize_keras_object, deserialize_keras_object,
)
from fastkeras.utils.np_utils import normalize, to_categorical  # noqa: F401
from fastkeras.utils.data_utils import Sequence, get_file  # noqa: F401
from fastkeras.preprocessing.sequence import pad_sequences  # noqa: F401
from fastkeras.utils.random import set_random_seed  # noqa: F401


def print_summary(model, line_length=None, positions=None, print_fn=None):
    from fastkeras.utils.layer_utils import print_summary as _print_summary
    return _print_summary(model, line_length=line_length, positions=positions, print_fn=print_fn)
