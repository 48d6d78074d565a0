"""``keras.backend.load_backend``: Keras 2.3's module that chose the backend and held its functions (its tests do
``from keras.backend import load_backend``); here the same K function set as ``keras.backend``, set on that
package when it was imported."""
from fastkeras.backend import *  # noqa: F401,F403
from fastkeras.backend import backend  # noqa: F401
