"""Objects to and from ``{'class_name': ..., 'config': ...}`` through registries only.

A name in a file resolves in this order: the caller's ``custom_objects``, the
objects registered with ``register_keras_serializable`` or made visible by
``custom_object_scope``, then the module's own table of built-ins. Nothing is
imported, evaluated or unpickled on the way.
"""
import inspect
import threading

_GLOBAL_CUSTOM_OBJECTS = {}
_SCOPE = threading.local()


def _scoped_objects():
    merged = {}
    for scope in getattr(_SCOPE, "stack", []):
        merged.update(scope)
    return merged


class CustomObjectScope:
    """``with custom_object_scope({'MyLayer': MyLayer}):`` makes the names visible to deserialization."""

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for objects in custom_objects:
            self.custom_objects.update(objects or {})

    def __enter__(self):
        if not hasattr(_SCOPE, "stack"):
            _SCOPE.stack = []
        _SCOPE.stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _SCOPE.stack.pop()


custom_object_scope = CustomObjectScope


def get_custom_objects():
    """The global registry dict (Keras 2's ``get_custom_objects``); assigning into it registers."""
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """Class or function decorator: registers the object as ``'package>name'``."""
    def decorator(obj):
        registered_name = f"{package}>{name or obj.__name__}"
        if hasattr(obj, "get_config") is False and isinstance(obj, type):
            raise ValueError(f"Cannot register {obj.__name__}: a class needs a get_config method to be serializable.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = obj
        obj._keras_registered_name = registered_name
        return obj
    return decorator


def get_registered_name(obj):
    """The name ``obj`` (a class or function) was registered under, else its own name.

    Only ``obj``'s own registration counts: a subclass of a registered class is not registered by inheritance.
    """
    own = vars(obj).get("_keras_registered_name") if hasattr(obj, "__dict__") else None
    return own or getattr(obj, "__name__", obj.__class__.__name__)


def lookup(name, module_objects, custom_objects=None):
    """The object a class or function name stands for, or None."""
    if not isinstance(name, str):
        return None
    for table in (custom_objects or {}, _scoped_objects(), _GLOBAL_CUSTOM_OBJECTS):
        if name in table:
            return table[name]
    if name in module_objects:
        return module_objects[name]
    # 'Custom>MyLayer' was registered; a file written elsewhere may name just 'MyLayer', or vice versa.
    short = name.split(">")[-1]
    for table in (custom_objects or {}, _scoped_objects(), _GLOBAL_CUSTOM_OBJECTS):
        for key, value in table.items():
            if key.split(">")[-1] == short:
                return value
    return None


def serialize_keras_object(obj):
    if obj is None:
        return None
    if hasattr(obj, "get_config"):
        return {"class_name": get_registered_name(obj.__class__), "config": obj.get_config()}
    if hasattr(obj, "__name__"):
        return get_registered_name(obj)
    raise ValueError(f"Cannot serialize {obj!r}: it has neither get_config() nor a name.")


def serialize_function(fn):
    """A function in tf-keras 2.13+'s format: a built-in (or unregistered) one by its name under 'builtins', a
    registered one under its module and registered name."""
    registered = get_registered_name(fn)
    if registered == fn.__name__:
        return {"module": "builtins", "class_name": "function", "config": fn.__name__, "registered_name": "function"}
    return {"module": fn.__module__, "class_name": "function", "config": registered, "registered_name": registered}


def serialize_with_module(obj, public_module, builtins):
    """``obj`` (an instance of a family such as losses or metrics, or a function) in tf-keras 2.13+'s format:
    a built-in class under ``public_module`` ('keras.losses'), another class under its own module and
    registered name."""
    if obj is None:
        return None
    if not hasattr(obj, "get_config") and callable(obj) and hasattr(obj, "__name__"):
        return serialize_function(obj)
    cls = type(obj)
    builtin = builtins.get(cls.__name__) is cls
    module = public_module if builtin else (None if cls.__module__ == "__main__" else cls.__module__)
    return {"module": module, "class_name": cls.__name__, "config": obj.get_config(),
            "registered_name": None if builtin else get_registered_name(cls)}


def deserialize_keras_object(identifier, module_objects, custom_objects=None, kind="object"):
    """An instance (from a config dict) or a function/class (from a name)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(f"Improper config format for {kind}: expected keys 'class_name' and 'config', "
                             f"got {sorted(identifier)}.")
        class_name = identifier["class_name"]
        # tf-keras 2.13+ and Keras 3 find a registered class by the name it was registered under
        # ('MyLayers>KernelMult' for class MyDense in keras.io's saving guide), then by its class name.
        registered = identifier.get("registered_name")
        cls = lookup(registered, {}, custom_objects) if isinstance(registered, str) else None
        if not isinstance(cls, type):
            cls = lookup(class_name, module_objects, custom_objects)
        if cls is None or not isinstance(cls, type):
            raise ValueError(f"Unknown {kind}: '{class_name}'. Please ensure you are using a `fastkeras` {kind} "
                             "or pass the class in `custom_objects` (or register it with "
                             "`fastkeras.utils.register_keras_serializable`).")
        config = identifier["config"]
        if not isinstance(config, dict):
            raise ValueError(f"The config of {kind} '{class_name}' must be a dict, got {type(config).__name__}.")
        if not hasattr(cls, "from_config"):
            return cls(**config)
        if "custom_objects" in inspect.signature(cls.from_config).parameters:
            return cls.from_config(config, custom_objects=custom_objects)
        with CustomObjectScope(custom_objects or {}):
            return cls.from_config(config)
    if isinstance(identifier, str):
        obj = lookup(identifier, module_objects, custom_objects)
        if obj is None:
            raise ValueError(f"Unknown {kind}: '{identifier}'. Please ensure it is spelled as in Keras or pass it "
                             "in `custom_objects`.")
        return obj
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")
