"""Keras 3's ``keras.dtype_policies``: the DTypePolicy classes and their (de)serialization.

The classes are Keras 2's ``mixed_precision.Policy`` underneath (``fastkeras/mixed_precision/policy.py``), so a
layer accepts either. Keras 3's quantized policies (int8, float8, int4, GPTQ, AWQ) and ``DTypePolicyMap`` are
not implemented: fastkeras has no quantized layers.
"""
from fastkeras.mixed_precision import policy as _policy
from fastkeras.mixed_precision.policy import DTypePolicy, FloatDTypePolicy

__all__ = ["DTypePolicy", "FloatDTypePolicy", "deserialize", "get", "serialize"]

_CLASSES = {"DTypePolicy": DTypePolicy, "FloatDTypePolicy": FloatDTypePolicy,
            # Keras 2 (tf-keras) files name the same thing Policy.
            "Policy": DTypePolicy}


def serialize(dtype_policy):
    """``{'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': ...}, 'registered_name': None}``, as
    Keras 3 writes a policy (also a plain dtype one)."""
    if not isinstance(dtype_policy, _policy.Policy):
        raise TypeError(f"serialize() expects a DTypePolicy, received {type(dtype_policy).__name__}: "
                        f"{dtype_policy!r}.")
    class_name = "FloatDTypePolicy" if isinstance(dtype_policy, FloatDTypePolicy) else "DTypePolicy"
    return {"module": "keras", "class_name": class_name, "config": dtype_policy.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """A policy from ``serialize``'s output (or tf-keras' ``Policy`` configs). A class outside Keras' own must be
    given in ``custom_objects``. A policy name gives that policy."""
    if isinstance(config, str):
        return DTypePolicy(config)
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise ValueError(f"Could not interpret dtype policy config: {config!r}. Expected "
                         "{'class_name': 'DTypePolicy', 'config': {'name': ...}}.")
    class_name = config.get("class_name")
    cls = (custom_objects or {}).get(class_name) or _CLASSES.get(class_name)
    if cls is None:
        raise ValueError(f"Unknown dtype policy class {class_name!r}: expected one of {sorted(_CLASSES)}, or pass "
                         "the class in `custom_objects`.")
    return cls.from_config(config["config"])


def get(identifier):
    """A DTypePolicy from a policy (returned as it is), a name, a serialized policy, or None (the global
    policy)."""
    if identifier is None:
        return _policy.dtype_policy()
    if isinstance(identifier, _policy.Policy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    raise ValueError("Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. "
                     f"Received: dtype={identifier}")
