"""``get_registered_object``: a name looked up in the registered custom objects (Keras 2's ``keras.utils``)."""
from fastkeras.saving import serialization as _serialization
from fastkeras.saving.serialization import get_registered_name  # noqa: F401 - exported beside it


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered as ``name``: in an active ``custom_object_scope``, then the global registry
    (``register_keras_serializable``, ``get_custom_objects()``), then ``custom_objects``, then
    ``module_objects``; None when no table has it."""
    scoped = _serialization._scoped_objects()
    if name in scoped:
        return scoped[name]
    if name in _serialization.get_custom_objects():
        return _serialization.get_custom_objects()[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


__all__ = ["get_registered_name", "get_registered_object"]
