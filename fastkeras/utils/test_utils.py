"""Keras 2.2/2.3's ``keras.utils.test_utils``: ``layer_test``, ``get_test_data`` with that era's signature, and
``keras_test``, so layer tests written against standalone Keras 2 run on fastkeras."""
import functools

import numpy as np

from fastkeras.testing_infra.test_utils import layer_test  # noqa: F401


def get_test_data(num_train=1000, num_test=500, input_shape=(10,), output_shape=(2,), classification=True,
                  num_classes=2):
    """``(x_train, y_train), (x_test, y_test)``. Classification: integer labels in ``[0, num_classes)`` and
    samples drawn around their label; otherwise float targets of ``output_shape`` near each sample's centre."""
    count = num_train + num_test
    input_shape, output_shape = tuple(input_shape), tuple(output_shape)
    if classification:
        y = np.random.randint(0, num_classes, size=(count,))
        centres = y
    else:
        centres = np.random.random((count,))
        y = np.random.normal(loc=centres.reshape((count,) + (1,) * len(output_shape)), scale=0.7,
                             size=(count,) + output_shape)
    x = np.random.normal(loc=centres.reshape((count,) + (1,) * len(input_shape)), scale=0.7,
                         size=(count,) + input_shape)
    return (x[:num_train], y[:num_train]), (x[num_train:], y[num_train:])


def keras_test(func):
    """Decorator: run the test, then clear the session (layer-name counters and cached state)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from fastkeras import backend as K
        try:
            return func(*args, **kwargs)
        finally:
            K.clear_session()
    return wrapper
