"""``keras.objectives``: Keras 1's name for the losses module, which Keras 2.0-2.3 kept as an alias
(``from keras.objectives import categorical_crossentropy`` in older programs)."""
from fastkeras.losses import *  # noqa: F401,F403
from fastkeras.losses import deserialize, get, serialize  # noqa: F401
