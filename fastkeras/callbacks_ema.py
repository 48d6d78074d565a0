"""SwapEMAWeights (Keras 3): evaluates and predicts with an optimizer's moving average of the weights."""
from fastkeras import backend as K
from fastkeras.callbacks import Callback


class SwapEMAWeights(Callback):
    """Puts the moving average of the weights kept by an optimizer with ``use_ema=True`` into the model while it
    is evaluated (``fit``'s validation, ``evaluate``) or predicts, and the trained weights back afterwards.

    The weights and the averages trade places, so nothing is lost; training always continues from the trained
    weights. With ``swap_on_epoch=True`` the averages are also in the model between the end of an epoch and the
    start of the next (for the callbacks after this one, e.g. ModelCheckpoint, to save them); after the last
    epoch they stay, and become the averages too.

    As in Keras 3.15, ``predict`` leaves the averages in the model (its end hook only swaps back when they are
    not there), and the next ``evaluate`` or epoch end swaps them out again.

    Args:
        swap_on_epoch: Whether to swap the averages in at each epoch's end as well. Defaults to False.

    Raises:
        ValueError: if the model's optimizer (the inner one of a LossScaleOptimizer) does not keep averages.
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _optimizer_with_averages(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        averages = getattr(optimizer, "_averages", None)
        if not getattr(optimizer, "use_ema", False) or not averages:
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. Received: "
                             f"use_ema={getattr(optimizer, 'use_ema', None)}"
                             + ("" if not getattr(optimizer, "use_ema", False) else
                                " (the optimizer has not been built on the model's weights yet: fit first)"))
        return optimizer

    def _swap(self):
        optimizer = self._optimizer_with_averages()
        variables, averages = list(optimizer._var_list), list(optimizer._averages)
        trained = K.snapshot_tensors(variables)
        K.copy_values(variables, averages)
        K.copy_values(averages, trained)

    def _finalize(self):
        optimizer = self._optimizer_with_averages()
        K.copy_values(list(optimizer._averages), list(optimizer._var_list))

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True
            if epoch == self.params["epochs"] - 1:
                self._finalize()

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_predict_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def on_predict_end(self, logs=None):
        # Keras 3.15 tests the flag the wrong way round here, so this never swaps back (see the class docstring).
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False
