"""Sequential: a linear stack of layers, built as a functional graph once its input shape is known."""
import warnings

from fastkeras.engine import tree
from fastkeras.engine.base_layer import Layer, stand_in_shape
from fastkeras.engine.functional import Functional
from fastkeras.engine.input_layer import Input, InputLayer
from fastkeras.engine.keras_tensor import KerasTensor
from fastkeras.engine.training import Model


class Sequential(Functional):
    """``Sequential([Dense(32, input_dim=100), Dense(10)])`` or ``model.add(layer)`` one at a time.

    The first layer's ``input_shape``/``input_dim``/``batch_input_shape`` (or an
    ``InputLayer``/``Input``) fixes the input; without one the model is built on
    the first data it sees. ``model.layers`` omits the input layer, as in Keras 2.
    """

    def __init__(self, layers=None, name=None):
        Model.__init__(self, name=name)
        self._stack = []          # the layers added, the InputLayer first when there is one
        self._is_graph_network = False
        self.built = False
        self.inputs, self.outputs = [], []
        self._layers = []
        for layer in layers or []:
            self.add(layer)

    # ---- building -------------------------------------------------------------

    def add(self, layer):
        """Appends a layer (or an ``Input`` tensor) on top of the stack."""
        if isinstance(layer, KerasTensor):
            origin = layer._keras_history[0]
            if not isinstance(origin, InputLayer):
                raise TypeError("The added layer must be an instance of class Layer. Received a symbolic tensor that "
                                f"was not created by `Input`: {layer}.")
            layer = origin
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Received: layer={layer!r} "
                            f"of type {type(layer).__name__}.")
        if isinstance(layer, InputLayer) and self._stack:
            raise ValueError(f"An InputLayer can only be the first layer of Sequential model '{self.name}'.")
        names = [existing.name for existing in self._stack]
        if layer.name in names:
            raise ValueError(f'All layers added to a Sequential model should have unique names. Name "{layer.name}" '
                             f"is already the name of a layer in this model. Update the `name` argument to pass a "
                             "unique name.")
        if self.built and self._is_graph_network:
            # Extend the existing graph by one call: earlier layers keep their single node.
            x = self._call_single_output(layer, self.outputs[0])
            self._stack.append(layer)
            self._init_graph_network(self.inputs[0], x)
            return
        self._stack.append(layer)
        source = self._input_source()
        if source is not None:
            try:
                self._build_graph(source)
            except Exception:
                self._stack.pop()
                raise

    def pop(self):
        """Removes the last layer."""
        layers = self._stacked_layers()
        if not layers:
            raise TypeError("There are no layers in the model.")
        removed = layers[-1]
        self._stack.remove(removed)
        if not self.built:
            return
        remaining = self._stacked_layers()
        if not remaining:
            self.built = False
            self._is_graph_network = False
            self.inputs, self.outputs, self._layers = [], [], []
            return
        remaining[-1]._outbound_nodes = []
        self._init_graph_network(self.inputs[0], remaining[-1].get_output_at(-1))

    def _input_source(self):
        """The InputLayer the stack starts from, creating one from the first layer's input shape."""
        first = self._stack[0]
        if isinstance(first, InputLayer):
            return first
        shape = getattr(first, "_batch_input_shape", None)
        if shape is None and isinstance(first, Functional) and first.built and first.inputs:
            shape = tuple(first.inputs[0].shape)
        if shape is None:
            return None
        dtype = first._dtype if getattr(first, "_dtype", None) else None
        return Input(batch_shape=tuple(shape), dtype=dtype, name=f"{first.name}_input")._keras_history[0]

    @staticmethod
    def _call_single_output(layer, x):
        y = layer(x)
        if isinstance(y, (list, tuple, dict)):
            raise ValueError("All layers in a Sequential model should have a single output tensor. For multi-output "
                             f"layers, use the functional API (layer '{layer.name}' returned {len(y)} outputs).")
        return y

    def _build_graph(self, source):
        inputs = source._inbound_nodes[0].outputs
        x = inputs
        for layer in self._stack:
            if layer is not source:
                x = self._call_single_output(layer, x)
        self._input_layer = source
        self._init_graph_network(inputs, x)
        self._is_graph_network = True

    def build(self, input_shape=None):
        """Builds the graph for ``input_shape`` (batch dimension included) when no layer declared one."""
        if input_shape is None:
            if self.built:
                return
            raise ValueError(f"You must provide an `input_shape` argument to build Sequential model '{self.name}'.")
        if self.built and self._is_graph_network:
            return
        if not self._stack:
            raise ValueError(f"Sequential model '{self.name}' has no layers to build.")
        shape = tuple(input_shape)
        source = Input(batch_shape=(None,) + shape[1:], name=f"{self._stack[0].name}_input")._keras_history[0]
        self._build_graph(source)

    def __call__(self, *args, **kwargs):
        first = tree.flatten(args[0])[0] if args else None
        if hasattr(first, "shape"):
            # First called inside a layer's call while shape inference runs it (keras.io's transformer blocks:
            # self.dense_proj = Sequential([Dense, Dense]) on sequences of unknown length): built for the unknown
            # sizes, not for the stand-in's.
            shape = tuple(first.shape) if isinstance(first, KerasTensor) else stand_in_shape(first)
            if not self.built:
                self.build(shape)
                self._inferred_input_shape = (None,) + tuple(shape[1:])
            else:
                self._relax_inferred_input_shape(shape)
        return super().__call__(*args, **kwargs)

    def _relax_inferred_input_shape(self, shape):
        """A Sequential built from its first call (no Input) takes later inputs of the same rank and other sizes:
        as tf-keras, its input shape relaxes to None where they differ, and its graph is built again (keras.io's
        speech transformer feeds its decoder's feed-forward block training sequences, then one token at a time)."""
        inferred = self.__dict__.get("_inferred_input_shape")
        if inferred is None or len(shape) != len(inferred):
            return
        relaxed = tuple(None if a is None or a != b else a for a, b in zip(inferred, (None,) + tuple(shape[1:])))
        if relaxed != inferred:
            self._inferred_input_shape = relaxed
            self._build_graph(Input(batch_shape=relaxed, name=f"{self._stack[0].name}_input")._keras_history[0])

    # ---- Keras 2 attributes ---------------------------------------------------------

    @property
    def layers(self):
        stacked = self._stacked_layers()
        if not self._is_graph_network or not self.__dict__.get("_side_outputs"):
            return stacked
        # After the stack, the layers add_loss/add_metric of symbolic tensors attached, as tf-keras lists them.
        known = set(map(id, self._stack))
        return stacked + [layer for layer in self._layers if id(layer) not in known
                          and not isinstance(layer, InputLayer)]

    def _stacked_layers(self):
        return [layer for layer in self._stack if not isinstance(layer, InputLayer)]

    def _init_graph_network(self, inputs, outputs):
        # A new stack drops what add_loss/add_metric attached to the old graph, as tf-keras' add() and pop() do.
        self.__dict__.pop("_side_outputs", None)
        super()._init_graph_network(inputs, outputs)

    @property
    def _graph_layers(self):
        """The layers with the InputLayer first, as the config lists them."""
        return list(self._layers) if self._is_graph_network else list(self._stack)

    def _layers_for_weights(self):
        return self.layers

    @property
    def input_shape(self):
        if not self.built:
            raise AttributeError(f"Sequential model '{self.name}' has not been built yet: it has no input shape.")
        return super().input_shape

    @property
    def output_shape(self):
        if not self.built:
            raise AttributeError(f"Sequential model '{self.name}' has not been built yet: it has no output shape.")
        return super().output_shape

    # ---- Keras 2's class predictions (deprecated by tf.keras, removed in 2.6; the classic examples call them) ----

    def predict_proba(self, x, batch_size=32, verbose=0):
        """``predict``'s probabilities, with a warning when they leave [0, 1] (no softmax/sigmoid at the end)."""
        warnings.warn("`model.predict_proba()` is deprecated. Please use `model.predict()` instead.",
                      UserWarning, stacklevel=2)
        preds = self.predict(x, batch_size=batch_size, verbose=verbose)
        if preds.min() < 0.0 or preds.max() > 1.0:
            warnings.warn("Network returning invalid probability values. The last layer might not already be a "
                          "softmax/sigmoid.", UserWarning, stacklevel=2)
        return preds

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class indices: the argmax of the last axis, or ``int32`` ``proba > 0.5`` for a single sigmoid unit."""
        warnings.warn("`model.predict_classes()` is deprecated. Please use instead: "
                      "`np.argmax(model.predict(x), axis=-1)` if your model does multi-class classification "
                      "(e.g. if it uses a `softmax` last-layer activation); "
                      "`(model.predict(x) > 0.5).astype(\"int32\")` if your model does binary classification "
                      "(e.g. if it uses a `sigmoid` last-layer activation).", UserWarning, stacklevel=2)
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def get_config(self):
        from fastkeras.saving.model_config import sequential_config
        return sequential_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from fastkeras.saving.model_config import sequential_from_config
        return sequential_from_config(cls, config, custom_objects)
