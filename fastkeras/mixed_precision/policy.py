"""Dtype policies (tf-keras 2.21 ``tf.keras.mixed_precision.Policy``): the dtype a layer computes in and the
dtype of its variables.

``'mixed_float16'`` and ``'mixed_bfloat16'`` compute in 16 bits and keep float32 variables; any dtype name
(``'float32'``, ``'float64'``, ``'bfloat16'``...) computes and stores in that dtype. Layers take the global
policy when they are created without a ``dtype``; ``set_global_policy`` changes it for layers created after.
"""
import contextlib

from fastkeras import backend as K

_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}
_FLOATING = ("float16", "bfloat16", "float32", "float64")

_global_policy = None


class Policy:
    """A dtype policy: ``Policy('mixed_float16')`` computes in float16 with float32 variables.

    Args:
        name: ``'mixed_float16'``, ``'mixed_bfloat16'``, or a dtype name such as ``'float32'``.

    Attributes:
        name: The policy's name.
        compute_dtype: The dtype of a layer's computations and outputs.
        variable_dtype: The dtype of a layer's variables.
    """

    def __init__(self, name):
        if not isinstance(name, str):
            if hasattr(name, "is_floating_point") or type(name).__name__ in ("dtype", "DType"):
                raise TypeError(f"'name' must be a string, not a DType. Instead, pass DType.name. Received: "
                                f"name={K.standardize_dtype(name)}")
            raise TypeError(f"'name' must be a string, but got: {name}")
        self._name = name
        self._compute_dtype, self._variable_dtype = _parse_name(name)

    @property
    def variable_dtype(self):
        return self._variable_dtype

    @property
    def compute_dtype(self):
        return self._compute_dtype

    @property
    def name(self):
        return self._name

    def __repr__(self):
        return f'<Policy "{self._name}">'

    def __eq__(self, other):
        return type(other) is type(self) and other.name == self.name

    def __hash__(self):
        return hash((type(self), self._name))

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = {k: v for k, v in config.items() if k != "loss_scale"}  # older Keras wrote a loss scale here
        return cls(**config)


def _parse_name(name):
    """(compute dtype, variable dtype) of a policy name."""
    if name.endswith("_float32_vars"):
        message = "Policies ending in '_float32_vars' have been removed from TensorFlow."
        if name in ("infer_float32_vars", "infer_with_float32_vars"):
            message += " Please use the 'mixed_float16' or 'mixed_bfloat16' policy instead."
        elif name == "float16_with_float32_vars":
            message += " Please use the 'mixed_float16' policy instead."
        elif name == "bfloat16_with_float32_vars":
            message += " Please use the 'mixed_bfloat16' policy instead."
        raise ValueError(f"{message} Got policy name: '{name}'")
    if name in _MIXED:
        return _MIXED[name]
    if name == "_infer":
        return None, None
    dtype = _dtype_name(name)
    if dtype is None:
        raise ValueError(f"Cannot convert value {name} to a mixed precision Policy. Valid policies include "
                         "'mixed_float16', 'mixed_bfloat16', and the name of any dtype such as 'float32'.")
    return dtype, dtype


def _dtype_name(name):
    try:
        return K.standardize_dtype(name)
    except (TypeError, ValueError, KeyError):
        return None


def global_policy():
    """The policy layers take when created without a ``dtype``: the one ``set_global_policy`` set, else
    ``Policy(floatx())``."""
    if _global_policy is None:
        return Policy(K.floatx())
    return _global_policy


def set_global_policy(policy):
    """Sets the global policy: a Policy or a name (``'mixed_float16'``, ``'mixed_bfloat16'``, ``'float32'``),
    or None to go back to ``floatx()``. Only floating-point policies can be global."""
    global _global_policy
    if policy is not None and not isinstance(policy, Policy):
        policy = Policy(policy)
    if policy is not None and policy.compute_dtype is not None and policy.compute_dtype not in _FLOATING:
        raise ValueError('set_global_policy can only be used to set the global policy to floating-point policies, '
                         f'such as "float32" and "mixed_float16", but got policy: {policy.name}')
    _global_policy = policy


@contextlib.contextmanager
def policy_scope(policy):
    """Sets the global policy inside a ``with`` block."""
    previous = _global_policy
    try:
        set_global_policy(policy)
        yield
    finally:
        set_global_policy(previous)


def get_policy(identifier):
    """A Policy from a Policy, a name, a dtype, a serialized policy (dict), or None (the global policy)."""
    if isinstance(identifier, Policy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier in _MIXED:
        return Policy(identifier)
    if identifier:
        return Policy(K.standardize_dtype(identifier))
    return global_policy()


def is_mixed(policy):
    return policy.compute_dtype != policy.variable_dtype


def serialize(policy):
    """A dtype name for a policy that is just a dtype, else ``{'module', 'class_name', 'config',
    'registered_name'}`` as tf-keras 2.21 writes it."""
    if type(policy) is Policy and (policy.name == "_infer" or _dtype_name(policy.name) is not None) \
            and policy.name not in _MIXED:
        return None if policy.name == "_infer" else policy.name
    return {"module": "keras.mixed_precision", "class_name": "Policy", "config": policy.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """A Policy from ``serialize``'s output, or from Keras 3's ``DTypePolicy`` configs."""
    if isinstance(config, str):
        return get_policy(config)
    if config is None:
        return Policy("_infer")
    if not isinstance(config, dict) or "config" not in config or not isinstance(config["config"], dict):
        raise ValueError(f"Could not interpret dtype policy config: {config!r}. Expected a dtype name or "
                         "{'class_name': 'Policy', 'config': {'name': ...}}.")
    class_name = config.get("class_name")
    if class_name not in ("Policy", "PolicyV1", "DTypePolicy", "FloatDTypePolicy"):
        cls = (custom_objects or {}).get(class_name)
        if cls is None:
            raise ValueError(f"Unknown dtype policy: {class_name!r}. Expected 'Policy' (or pass the class in "
                             "`custom_objects`).")
        return cls.from_config(config["config"])
    return Policy.from_config(config["config"])


class DTypePolicy(Policy):
    """Keras 3's dtype policy (``keras.DTypePolicy``, ``keras.dtype_policies.DTypePolicy``): Keras 2's Policy
    with Keras 3's constructor (``name`` defaults to floatx), repr and equality, so that a layer takes either.

    Args:
        name: 'mixed_float16', 'mixed_bfloat16', or a dtype name such as 'float32'; None means floatx().
    """

    quantization_mode = None  # Keras 3's quantized policies are not implemented: always a float policy

    def __init__(self, name=None):
        if name is None:
            name = K.floatx()
        if not isinstance(name, str):
            raise TypeError(f"'name' must be a string, such as 'mixed_float16'. Received: name={name} (of type "
                            f"{type(name)})")
        try:
            super().__init__(name)
        except ValueError:
            raise ValueError(f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies include "
                             "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as "
                             "'float32'.") from None

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'

    def __eq__(self, other):
        # DTypePolicy and FloatDTypePolicy of one name are equal, as in Keras 3.
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(("DTypePolicy", self.name))

    def convert_input(self, x, autocast, dtype):
        """``x`` as a tensor, cast to ``dtype`` when ``autocast`` and both are floating point (how a layer of this
        policy takes its inputs)."""
        x = K.convert_to_tensor(x)
        dtype = K.standardize_dtype(dtype)
        if autocast and x.is_floating_point() and dtype in _FLOATING and K.standardize_dtype(x.dtype) != dtype:
            return K.cast(x, dtype)
        return x


class FloatDTypePolicy(DTypePolicy):
    """Keras 3's older name for a float policy; configs still name it, so it stays a class of its own."""


def dtype_policy():
    """The global policy as a Keras 3 DTypePolicy (``keras.config.dtype_policy()``)."""
    policy = global_policy()
    return policy if isinstance(policy, DTypePolicy) else DTypePolicy(policy.name)


def set_dtype_policy(policy):
    """Keras 3's ``keras.config.set_dtype_policy``: a policy name or a DTypePolicy becomes the global policy.
    Only floating-point policies can be global (as ``set_global_policy``)."""
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    if not isinstance(policy, Policy):
        raise ValueError("Invalid `policy` argument. Expected the string name of a policy (such as "
                         f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy} (of type "
                         f"{type(policy)})")
    set_global_policy(policy)
