"""Training and inference leave no reference cycles that hold tensors: such a cycle keeps a step's activations
alive until Python's cyclic garbage collector happens to run, which raises the memory a fit needs."""
import gc

import numpy as np
import torch
from torch._subclasses.fake_tensor import is_fake

import fastkeras as keras
from fastkeras import layers


def _tensors_in_cycles(run):
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run()
        gc.collect()
        # Fake tensors (torch.compile's tracing stand-ins, freed when its caches let go of them) own no memory.
        found = [o for o in gc.garbage if isinstance(o, torch.Tensor) and not is_fake(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return found


def test_fit_evaluate_predict_of_nested_and_multi_output_models_leave_no_tensor_cycles():
    rng = np.random.default_rng(0)
    digit = layers.Input(shape=(9, 9, 1))
    features = layers.Flatten()(layers.MaxPooling2D()(layers.Conv2D(4, 3, activation="relu")(digit)))
    vision = keras.Model(digit, features)  # a model called as a layer, on two inputs
    a, b = layers.Input(shape=(9, 9, 1)), layers.Input(shape=(9, 9, 1))
    merged = layers.concatenate([vision(a), vision(b)])
    model = keras.Model([a, b], [layers.Dense(1, activation="sigmoid", name="same")(merged),
                                 layers.Dense(3, activation="softmax", name="which")(merged)])
    model.compile("rmsprop", ["binary_crossentropy", "categorical_crossentropy"], metrics=["accuracy"])
    x = [rng.random((64, 9, 9, 1), dtype=np.float32) for _ in range(2)]
    y = [rng.integers(0, 2, (64, 1)).astype("float32"), np.eye(3, dtype="float32")[rng.integers(0, 3, 64)]]
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)  # first fit: builds and warms caches

    def run():
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_split=0.25)
        model.evaluate(x, y, verbose=0)
        model.predict(x, verbose=0)
        model.train_on_batch([v[:16] for v in x], [v[:16] for v in y])

    leaked = _tensors_in_cycles(run)
    assert not leaked, f"{len(leaked)} tensors held only by reference cycles, e.g. shape {tuple(leaked[0].shape)}"
