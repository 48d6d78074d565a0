"""Keras 2.2/2.3's ``keras.utils.test_utils``: ``layer_test``, ``get_test_data`` with that era's signature, and
``keras_test``, so layer tests written against standalone Keras 2 run on fastkeras."""
import functools

import numpy as np

from fastkeras.testing_infra import test_utils as _testing_infra


def layer_test(layer_cls, kwargs=None, input_shape=None, input_dtype=None, input_data=None, expected_output=None,
               expected_output_dtype=None, fixed_batch_size=False, **options):
    """Keras 2's ``layer_test``: ``testing_infra.test_utils.layer_test`` with Keras 2's default input dtype,
    ``K.floatx()`` rather than float32, so a test run under ``K.set_floatx('float64')`` builds float64 inputs and
    expects float64 outputs. Further tf-keras options (``expected_output_shape``, ``custom_objects`` ...) pass
    through."""
    if input_data is None and not input_dtype:
        from fastkeras import backend as K
        input_dtype = K.floatx()
    return _testing_infra.layer_test(layer_cls, kwargs=kwargs, input_shape=input_shape, input_dtype=input_dtype,
                                     input_data=input_data, expected_output=expected_output,
                                     expected_output_dtype=expected_output_dtype,
                                     fixed_batch_size=fixed_batch_size, **options)


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
