"""The engine: symbolic tensors, Node, Layer, InputLayer, Functional, Sequential, Model and the torch trainer.

As ``keras.engine`` it also gives the names Keras 2.2-2.4's package exported (``from keras.engine import Input,
Layer``), the same objects as ``keras.layers``' and ``keras.models``'. They are looked up on first use: importing
any engine module runs this file first, before the modules those names live in can be imported.
"""


def __getattr__(name):
    if name in ("Input", "InputLayer"):
        from fastkeras.engine import input_layer
        return getattr(input_layer, name)
    if name == "InputSpec":
        from fastkeras.engine.input_spec import InputSpec
        return InputSpec
    if name == "Layer":
        from fastkeras.engine.base_layer import Layer
        return Layer
    if name == "Model":
        from fastkeras.engine.training import Model
        return Model
    if name == "get_source_inputs":
        from fastkeras.utils.source_inputs import get_source_inputs
        return get_source_inputs
    raise AttributeError(f"module 'fastkeras.engine' has no attribute {name!r}")
