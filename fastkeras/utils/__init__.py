"""Utilities: to_categorical, normalize, summaries, custom-object registration, seeding."""
from fastkeras.saving.serialization import (  # noqa: F401
    CustomObjectScope, custom_object_scope, get_custom_objects, register_keras_serializable,
    serialize_keras_object, deserialize_keras_object,
)
from fastkeras.utils.np_utils import normalize, to_categorical  # noqa: F401
from fastkeras.utils.data_utils import Sequence, get_file  # noqa: F401
from fastkeras.preprocessing.sequence import pad_sequences  # noqa: F401
from fastkeras.utils.vis_utils import model_to_dot, plot_model  # noqa: F401
from fastkeras.utils.plotting import plot_history  # noqa: F401
from fastkeras.utils.random import set_random_seed  # noqa: F401


from fastkeras.utils.layer_utils import print_summary  # noqa: F401
from fastkeras.utils.progbar import Progbar  # noqa: F401
