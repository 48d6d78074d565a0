"""How tf-keras 2.21's BackupAndRestore resumes an interrupted fit with an integer save_freq, for
tests/test_backup_and_restore.py.

Run with real Keras 2 (tensorflow-cpu + tf-keras 2.21):

    TF_CPP_MIN_LOG_LEVEL=3 /work/kvenv/bin/python tools/make_backup_and_restore_fixtures.py

A 40-sample regression (5 batches of 8 an epoch, no shuffling) is fitted for 4 epochs and interrupted at the
start of epoch 2; a fresh model then fits again with the same backup folder. Recorded per save_freq: the epoch
and batch the backup holds, the (epoch, batch) pairs the resumed fit runs and the optimizer's step count at its
end. Writes tests/fixtures/backup_and_restore/integer_save_freq.json.
"""
import json
import os
import tempfile

import numpy as np
import tf_keras as keras

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "backup_and_restore")


class Interrupt(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2:
            raise RuntimeError("interrupted")


class Steps(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self.seen.append([int(self.epoch), int(batch)])


def model():
    keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    m.compile(optimizer="adam", loss="mse")
    return m


def main():
    rng = np.random.RandomState(0)
    x = rng.randn(40, 3).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3).astype("float32")
    out = {}
    for save_freq in (3, 5):
        with tempfile.TemporaryDirectory() as folder:
            try:
                model().fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0,
                            callbacks=[keras.callbacks.BackupAndRestore(folder, save_freq=save_freq,
                                                                        delete_checkpoint=False), Interrupt()])
            except RuntimeError:
                pass
            state = keras.callbacks.BackupAndRestore(folder, save_freq=save_freq)
            resumed, steps = model(), Steps()
            resumed.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0, callbacks=[state, steps])
            out[str(save_freq)] = {"resumed_steps": steps.seen,
                                   "iterations_at_end": int(resumed.optimizer.iterations.numpy())}
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "integer_save_freq.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
