"""Utilities: to_categorical, normalize, summaries, custom-object registration, seeding, image files, data tuples,
interactive logging."""
from fastkeras.saving.serialization import (  # noqa: F401
    CustomObjectScope, custom_object_scope, get_custom_objects, register_keras_serializable,
)
from fastkeras.saving.serialization_lib import deserialize_keras_object, serialize_keras_object  # noqa: F401
from fastkeras.utils.np_utils import normalize, to_categorical  # noqa: F401
from fastkeras.utils.data_utils import Sequence, get_file  # noqa: F401
from fastkeras.utils.enqueuers import GeneratorEnqueuer, OrderedEnqueuer, SequenceEnqueuer  # noqa: F401
from fastkeras.preprocessing.sequence import pad_sequences  # noqa: F401
from fastkeras.utils.vis_utils import model_to_dot, plot_model  # noqa: F401
from fastkeras.utils.plotting import plot_history  # noqa: F401
from fastkeras.utils.random import set_random_seed  # noqa: F401


from fastkeras.utils.layer_utils import print_summary  # noqa: F401
from fastkeras.utils.progbar import Progbar  # noqa: F401
from fastkeras.utils.hdf5_matrix import HDF5Matrix  # noqa: F401
from fastkeras.utils.io_utils import (  # noqa: F401
    disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled,
)
from fastkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401
from fastkeras.utils.data_tuples import pack_x_y_sample_weight, unpack_x_y_sample_weight  # noqa: F401
from fastkeras.utils.ordinal import to_ordinal  # noqa: F401
from fastkeras.utils.source_inputs import get_source_inputs  # noqa: F401
from fastkeras.utils.registry import get_registered_name, get_registered_object  # noqa: F401
from fastkeras.utils.embedding_utils import warmstart_embedding_matrix  # noqa: F401
from fastkeras.utils.dataset_utils import (  # noqa: F401
    image_dataset_from_directory, split_dataset, text_dataset_from_directory, timeseries_dataset_from_array,
)
from fastkeras.utils.audio_dataset import audio_dataset_from_directory  # noqa: F401
# Keras 3's keras.utils names.
from fastkeras.utils.py_dataset import PyDataset  # noqa: F401
from fastkeras.utils.config import Config  # noqa: F401
from fastkeras.utils.session import clear_session  # noqa: F401
from fastkeras.engine.keras_tensor import is_keras_tensor  # noqa: F401
from fastkeras.backend.dtypes import standardize_dtype  # noqa: F401
