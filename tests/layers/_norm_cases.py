"""Shared runner for the tf-keras fixtures in tests/fixtures/norm (written by tools/make_norm_fixtures.py).

Each case rebuilds the layer from tf-keras' own config, builds it by a first inference call (as the fixture
script did), loads the fixture's weights and, per phase (``training`` True / False / not passed), compares the
output, the gradients of ``sum(output * cotangent)`` w.r.t. the input and the trainable weights, every weight
after the call (BatchNormalization's moving statistics) and the output mask.
"""
import json
import os

import numpy as np
import torch

from fastkeras import backend as K
from fastkeras.layers import Input, deserialize

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "norm")
with open(os.path.join(FIXTURES, "cases.json")) as _f:
    FIXTURE = json.load(_f)
ARRAYS = np.load(os.path.join(FIXTURES, "arrays.npz"))
PHASE_TRAINING = {"train": True, "infer": False, "call": None}


def cases_of(*class_names):
    return [c for c in FIXTURE["cases"] if c["class_name"] in class_names]


def case_ids(cases):
    return [c["id"] for c in cases]


def plain(config):
    """A config as JSON would carry it (tuples as lists), to compare with tf-keras' JSON."""
    return json.loads(json.dumps(config, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def build_case_layer(case):
    config = dict(case["config_unbuilt"], **case["constructor_extra"])
    layer = deserialize({"class_name": case["class_name"], "config": config})
    cid = case["id"]
    layer(K.convert_to_tensor(ARRAYS[f"{cid}/x"]))
    return layer


def check_case(case):
    cid = case["id"]
    layer = build_case_layer(case)
    assert [w.name for w in layer.weights] == [w["name"] for w in case["weights"]]
    assert [tuple(w.shape) for w in layer.weights] == [tuple(w["shape"]) for w in case["weights"]]
    assert len(layer.trainable_weights) == case["n_trainable"]
    initial = [ARRAYS[f"{cid}/w{i}"] for i in range(len(case["weights"]))]
    for phase in case["phases"]:
        key = f"{cid}/{phase}"
        layer.set_weights(initial)
        x = K.convert_to_tensor(ARRAYS[f"{cid}/x"]).requires_grad_(True)
        kwargs = {}
        if PHASE_TRAINING[phase] is not None:
            kwargs["training"] = PHASE_TRAINING[phase]
        if case["mask"]:
            kwargs["mask"] = K.convert_to_tensor(ARRAYS[f"{cid}/mask"])
        y = layer(x, **kwargs)
        np.testing.assert_allclose(K.to_numpy(y), ARRAYS[f"{key}/y"], rtol=1e-5, atol=1e-5,
                                   err_msg=f"{cid} ({phase}): output")
        cot = K.convert_to_tensor(ARRAYS[f"{key}/cot"])
        trainable = list(layer.trainable_weights)
        grads = torch.autograd.grad(K.sum(y * cot), [x] + trainable, allow_unused=True)
        np.testing.assert_allclose(K.to_numpy(grads[0]), ARRAYS[f"{key}/dx"], rtol=1e-4, atol=1e-4,
                                   err_msg=f"{cid} ({phase}): input gradient")
        for i, (w, g) in enumerate(zip(trainable, grads[1:])):
            got = np.zeros(tuple(w.shape), np.float32) if g is None else K.to_numpy(g)
            np.testing.assert_allclose(got, ARRAYS[f"{key}/dw{i}"], rtol=1e-4, atol=1e-4,
                                       err_msg=f"{cid} ({phase}): gradient of {w.name}")
        for i, w in enumerate(layer.weights):
            np.testing.assert_allclose(K.to_numpy(w), ARRAYS[f"{key}/after{i}"], rtol=1e-5, atol=1e-6,
                                       err_msg=f"{cid} ({phase}): {w.name} after the call")
        if f"{key}/out_mask" in ARRAYS:
            out_mask = layer.compute_mask(x, kwargs["mask"])
            np.testing.assert_array_equal(K.to_numpy(out_mask), ARRAYS[f"{key}/out_mask"])
    config = plain(layer.get_config())
    want = dict(case["config"])
    if want.get("virtual_batch_size") is not None:
        # tf-keras writes a built ghost-batch layer's axes shifted by one (axes of its internal view) and then
        # cannot rebuild the layer from that config; fastkeras writes the input's axes and reads tf-keras' where
        # the shift shows (an axis one past the input's rank: the default axis=-1 always does).
        want["axis"] = [a - 1 for a in want["axis"]]
    if want.get("virtual_batch_size") is not None and len(case["input_shape"]) in case["config"]["axis"]:
        from_tf_keras = deserialize({"class_name": case["class_name"], "config": case["config"]})
        from_tf_keras(K.convert_to_tensor(ARRAYS[f"{cid}/x"]))
        assert [tuple(w.shape) for w in from_tf_keras.weights] == [tuple(w["shape"]) for w in case["weights"]]
    assert list(config) == list(want)
    assert config == want


def check_configs(case):
    """tf-keras' config before building survives a round trip; after building it is tf-keras' built config."""
    layer = deserialize({"class_name": case["class_name"], "config": case["config_unbuilt"]})
    assert plain(layer.get_config()) == case["config_unbuilt"]
    again = deserialize({"class_name": case["class_name"], "config": plain(layer.get_config())})
    assert plain(again.get_config()) == case["config_unbuilt"]


def check_symbolic(case):
    layer = deserialize({"class_name": case["class_name"], "config": case["config_unbuilt"]})
    y = layer(Input(tuple(case["input_shape"][1:])))
    assert tuple(y.shape) == tuple(case["symbolic"])
    assert tuple(layer.compute_output_shape((None,) + tuple(case["input_shape"][1:]))) == tuple(case["symbolic"])
