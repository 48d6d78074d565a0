"""TorchModuleWrapper (Keras 3): a ``torch.nn.Module`` used as a layer, its parameters the layer's weights."""
import base64
import contextlib
import io

from fastkeras import backend as K
from fastkeras.engine.base_layer import Layer
from fastkeras.engine.keras_tensor import KerasTensor

__all__ = ["TorchModuleWrapper"]


def _torch():
    import torch  # the wrapped module is torch's by definition; imported only when one is wrapped
    return torch


@contextlib.contextmanager
def _as_plain_parameters(module):
    """The module's parameters as plain ``torch.nn.Parameter`` objects for the duration (what ``torch.save``
    pickles must not name fastkeras' classes, so that Keras 3 and plain torch can load it)."""
    torch = _torch()
    changed = []
    for p in module.parameters():
        if type(p) is K.Variable:
            changed.append((p, dict(p.__dict__)))
            p.__class__ = torch.nn.Parameter
            p.__dict__.clear()
    try:
        yield
    finally:
        for p, attributes in changed:
            p.__class__ = K.Variable
            p.__dict__.update(attributes)


class TorchModuleWrapper(Layer):
    """Wraps ``module`` (a ``torch.nn.Module``) as a layer: its parameters become the layer's weights (trainable
    as their ``requires_grad`` says), so ``fit`` trains them, ``get_weights``/``set_weights`` read and write
    them, and Keras 3 weight files store the module's whole ``state_dict`` (parameters and buffers, by key).

    The parameter objects stay the module's own: the module sees every update. They are made fastkeras weights
    in place (a subclass of ``torch.nn.Parameter`` carrying a Keras name).

    Calls go to ``module(*args, **kwargs)`` in train mode, or eval mode when ``training`` is False (``predict``,
    ``evaluate``), as Keras 3 does; a direct call with no ``training`` runs in train mode, as in Keras 3.
    ``output_shape`` (with the batch axis) spares shape inference, which otherwise runs the module on shape-only
    tensors.

    The config stores the module pickled by ``torch.save`` (base64), as Keras 3 writes it. Rebuilding a layer
    from such a config unpickles it, which can run code: refused in safe mode (the default), allowed with
    ``safe_mode=False`` or after ``keras.config.enable_unsafe_deserialization()``.
    """

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        super().__init__(name=name, **kwargs)
        torch = _torch()
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f'TorchModuleWrapper layer "{self.name}" expects a torch.nn.Module; received '
                            f"{type(module).__name__}: {module!r}.")
        if isinstance(module, torch.nn.modules.lazy.LazyModuleMixin) and module.has_uninitialized_params():
            raise ValueError(f'TorchModuleWrapper layer "{self.name}": lazy modules must be initialized (called '
                             f"once) before they are wrapped; received the uninitialized module {module}.")
        self.module = module.to(K.default_device())
        self._module_output_shape = None if output_shape is None else tuple(output_shape)
        self._track_module_parameters()
        self.built = True

    def _track_module_parameters(self):
        torch = _torch()
        for name, p in self.module.named_parameters():
            if type(p) is torch.nn.Parameter:
                p.__class__ = K.Variable
            elif not isinstance(p, K.Variable):
                raise TypeError(f'TorchModuleWrapper layer "{self.name}": parameter {name!r} is a '
                                f"{type(p).__name__}; only torch.nn.Parameter objects can become weights.")
            p.name = f"{self.name}/{name}:0"
            p.constraint = None
            (self._trainable_weights if p.requires_grad else self._non_trainable_weights).append(p)

    def parameters(self, recurse=True):
        return self.module.parameters(recurse=recurse)

    def call(self, *args, training=None, **kwargs):
        self.module.train(training is not False)
        return self.module(*args, **kwargs)

    def _infer_outputs(self, inputs, extra_args, kwargs):
        if self._module_output_shape is None:
            return self._meta_outputs(inputs, extra_args, kwargs)
        return KerasTensor(self._module_output_shape, self.compute_dtype), [None]

    def compute_output_shape(self, input_shape):
        if self._module_output_shape is not None:
            return self._module_output_shape
        return super().compute_output_shape(input_shape)

    # ---- Keras 3 weight files: the module's state_dict by key --------------------------------------------------

    def _saved_state(self):
        """{state_dict key: the module's own tensor} (parameters and persistent buffers)."""
        return dict(self.module.state_dict(keep_vars=True))

    # ---- config --------------------------------------------------------------------------------------------------

    def get_config(self):
        config = super().get_config()
        buffer = io.BytesIO()
        with _as_plain_parameters(self.module):
            _torch().save(self.module, buffer)
        config.update({"module": base64.b64encode(buffer.getvalue()).decode("ascii"),
                       "output_shape": None if self._module_output_shape is None else
                       list(self._module_output_shape)})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("module"), str):
            from fastkeras.saving.unsafe import load_torch_module
            config["module"] = load_torch_module(config["module"], config.get("name"))
        return cls(**config)
