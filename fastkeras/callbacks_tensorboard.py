"""Keras 2's ``TensorBoard`` callback, writing event files TensorBoard reads (``tensorboard --logdir logs``).

Layout and tags are tf-keras 2.x's: ``<log_dir>/train`` and
``<log_dir>/validation`` runs; ``epoch_<metric>`` at step = epoch in each
(validation metrics lose their ``val_`` prefix); ``evaluation_<metric>_vs_iterations``
at step = optimizer iterations after each validation; ``batch_<metric>`` every
``update_freq`` batches; ``<weight name>/histogram`` every ``histogram_freq``
epochs; and, with ``write_graph``, the model's JSON under the tag ``keras``,
which TensorBoard's graph dashboard draws as the model's conceptual graph.
"""
import os
import time
import warnings

import numpy as np

from fastkeras import backend as K
from fastkeras.callbacks import Callback
from fastkeras.utils import tfevents
from fastkeras.utils.progbar import read_value

__all__ = ["TensorBoard"]

# Keras 2 arguments that TF2 Keras ignores with a warning.
_IGNORED_KWARGS = {
    "write_grads": "`write_grads` will be ignored in TensorFlow 2.0 for the `TensorBoard` Callback.",
    "batch_size": "`batch_size` is no longer needed in the `TensorBoard` Callback and will be ignored in "
                  "TensorFlow 2.0.",
    "embeddings_layer_names": "`embeddings_layer_names` is not supported in TensorFlow 2.0. Instead, all "
                              "`Embedding` layers will be visualized.",
    "embeddings_data": "`embeddings_data` is not supported in TensorFlow 2.0. Instead, all `Embedding` "
                       "variables will be visualized.",
}


def _scalar(value):
    value = read_value(value)
    return float(np.asarray(K.to_numpy(value) if K.is_tensor(value) else value))


def _given(value):
    """Whether a Keras 1 argument was set: any array counts (``embeddings_data=x_test``, whose truth value numpy
    refuses; tf-keras 2.21 crashes on it there)."""
    try:
        return bool(value)
    except ValueError:
        return True


class TensorBoard(Callback):
    """Logs losses, metrics, weight histograms and the model graph for TensorBoard.

    Args:
        log_dir: folder of the logs; runs go to its ``train`` and ``validation`` subfolders.
        histogram_freq: every how many epochs to write a histogram of every weight (0: never).
        write_graph: write the model's config (drawn by TensorBoard's graph dashboard).
        write_steps_per_second: also log training speed (``batch_steps_per_second``, ``epoch_steps_per_second``).
        update_freq: 'epoch', 'batch' or an int N: also log the running batch metrics every N batches.
        write_images, profile_batch, embeddings_freq, embeddings_metadata: accepted for Keras 2 code; images,
            profiling and embeddings are not written (a warning says so when they are asked for).
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None, **kwargs):
        super().__init__()
        self._supports_tf_logs = True  # batch logs are read only when a batch is written
        unknown = set(kwargs) - set(_IGNORED_KWARGS)
        if unknown:
            raise ValueError(f"Unrecognized arguments in `TensorBoard` Callback: {unknown}. Supported kwargs are: "
                             f"{set(_IGNORED_KWARGS)}")
        for key in kwargs:
            if _given(kwargs[key]):
                warnings.warn(_IGNORED_KWARGS[key], stacklevel=2)
        if update_freq != "epoch" and update_freq != "batch" and not (isinstance(update_freq, int) and
                                                                      update_freq > 0):
            raise ValueError(f"`update_freq` must be 'epoch', 'batch' or a positive integer, received "
                             f"{update_freq!r}.")
        for name, asked, what in (("write_images", write_images, "weight images"),
                                  ("profile_batch", profile_batch, "profiles"),
                                  ("embeddings_freq", embeddings_freq, "embeddings")):
            if asked:
                warnings.warn(f"fastkeras' TensorBoard callback does not write {what}; "
                              f"`{name}={asked!r}` is ignored (scalars, histograms and the graph are written).",
                              stacklevel=2)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._global_train_batch = 0
        self._train_step = 0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._previous_epoch_iterations = 0

    # ---- writers -------------------------------------------------------------------------------------

    def _writer(self, run):
        if run not in self._writers:
            self._writers[run] = tfevents.EventFileWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    def _write(self, run, step, summary_values):
        # One value per event, as tf.summary writes them.
        for value in summary_values:
            self._writer(run).write(step, [value])

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def set_model(self, model):
        self.model = model
        self._close_writers()  # a new model starts new files, as Keras resets its writers
        if self.write_graph:
            self._write_keras_model_summary()

    def _write_keras_model_summary(self):
        model = self.model
        if not (getattr(model, "_is_graph_network", False) or type(model).__name__ == "Sequential"):
            return
        try:
            config = model.to_json()
        except Exception as e:  # noqa: BLE001 - a model that cannot be serialized is simply not drawn
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {e}", stacklevel=3)
            return
        self._writer("train").write(0, [tfevents.keras_model_summary("keras", config)])

    # ---- hooks ---------------------------------------------------------------------------------------

    def _implements_train_batch_hooks(self):
        return self.update_freq != "epoch" or self.write_steps_per_second

    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        return None if iterations is None else int(np.asarray(K.get_value(iterations)))

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._train_step = 0
        self._previous_epoch_iterations = 0

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        self._train_step += 1
        if self.update_freq == "epoch" or self._train_step % self.update_freq:
            return
        values = []
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            values.append(tfevents.scalar_summary("batch_steps_per_second", 1.0 / elapsed if elapsed > 0 else 0.0))
        for name, value in (logs or {}).items():
            values.append(tfevents.scalar_summary("batch_" + name, _scalar(value)))
        self._write("train", self._train_step, values)

    def on_test_end(self, logs=None):
        iterations = self._iterations()
        if iterations is None or not logs:
            return
        self._write("validation", iterations, [
            tfevents.scalar_summary(f"evaluation_{name}_vs_iterations", _scalar(value))
            for name, value in logs.items()])

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = self._iterations() or 0
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    # ---- what is written -------------------------------------------------------------------------------

    def _learning_rate_log(self):
        """The scheduled learning rate, logged as Keras does when the optimizer follows a schedule."""
        optimizer = getattr(self.model, "optimizer", None)
        schedule = getattr(optimizer, "_learning_rate", None)
        from fastkeras.optimizers.schedules import LearningRateSchedule
        if isinstance(schedule, LearningRateSchedule):
            return {"learning_rate": schedule(self._iterations() or 0)}
        return {}

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[len("val_"):]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs.update(self._learning_rate_log())
        if self.write_steps_per_second:
            elapsed = time.time() - self._epoch_start_time
            steps = (self._iterations() or 0) - self._previous_epoch_iterations
            train_logs["steps_per_second"] = steps / elapsed if elapsed > 0 else 0.0
        for run, run_logs in (("train", train_logs), ("validation", val_logs)):
            self._write(run, epoch, [tfevents.scalar_summary("epoch_" + name, _scalar(value))
                                     for name, value in run_logs.items()])

    def _log_weights(self, epoch):
        values = []
        for layer in self.model.layers:
            for weight in layer.weights:
                tag = weight.name.replace(":", "_") + "/histogram"
                values.append(tfevents.histogram_summary(tag, K.get_value(weight)))
        self._write("train", epoch, values)
