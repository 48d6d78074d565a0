"""Mixed precision (tf-keras 2.21 ``tf.keras.mixed_precision``): dtype policies and loss scaling.

    from fastkeras import mixed_precision
    mixed_precision.set_global_policy("mixed_float16")   # layers created from now on compute in float16
    ...
    outputs = layers.Activation("softmax", dtype="float32")(x)   # keep the model's output in float32

Layers with a mixed policy keep float32 variables and compute in 16 bits; ``compile`` wraps the optimizer in a
``LossScaleOptimizer`` when the model's policy is 'mixed_float16' (bfloat16 needs no loss scaling).
"""
from fastkeras.mixed_precision.loss_scale_optimizer import LossScaleOptimizer
from fastkeras.mixed_precision.policy import Policy, global_policy, set_global_policy
# Keras 3's names in keras.mixed_precision (its Policy is DTypePolicy; here Policy stays Keras 2's).
from fastkeras.mixed_precision.policy import DTypePolicy, dtype_policy, set_dtype_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy", "set_dtype_policy",
           "set_global_policy"]
