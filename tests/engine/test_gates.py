"""The logic gates' truth tables (`and`, `or`, `xor4`) and the classic result they exist for: one
sigmoid neuron draws one line, which separates AND's and OR's classes but never XOR's; a hidden
layer of two sigmoid units is enough for XOR.

Full batch, plain SGD, float64: four rows, so each run of a few thousand epochs takes well under
a second."""

from __future__ import annotations

import numpy as np
import pytest

from engine import ModelSpec, Network, load_dataset, parse_layers

TABLES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor4": [0, 1, 1, 0]}
ROWS = [[0, 0], [0, 1], [1, 0], [1, 1]]
SPLITS = ("train", "val", "test")


def trained(dataset: str, layers: str, seed: int = 0, epochs: int = 3000) -> tuple[Network,
                                                                                    float]:
    """A network of `layers` trained on the gate's table; returns it and its accuracy there."""
    ds = load_dataset(dataset)
    net = Network.from_spec(ModelSpec(parse_layers(layers), "mse"), ds.n_features, seed=seed,
                            dtype="float64")
    net.fit(ds.X_train, ds.y_train, epochs=epochs, optimizer="sgd", lr=2.0, batch_size=0)
    accuracy = float((net.predict(ds.X_train) == ds.y_train).mean())
    return net, accuracy


@pytest.mark.parametrize("name", TABLES)
def test_every_split_is_the_whole_truth_table_unscaled(name: str) -> None:
    ds = load_dataset(name)
    assert (ds.name, ds.task, ds.source) == (name, "classification", "builtin")
    assert ds.feature_names == ("x1", "x2") and ds.class_names == ("0", "1")
    assert ds.scaling == {"kind": "none"} and ds.target_scaling == {"kind": "none"}
    for split in SPLITS:
        X, y = getattr(ds, f"X_{split}"), getattr(ds, f"y_{split}")
        np.testing.assert_array_equal(X, ROWS)
        np.testing.assert_array_equal(y, TABLES[name])
        assert X.dtype == np.float64 and y.dtype == np.int64
        assert not X.flags.writeable and not y.flags.writeable


def test_a_hidden_layer_of_two_learns_xor() -> None:
    net, accuracy = trained("xor4", "2:sigmoid,1:sigmoid")
    assert accuracy == 1.0
    out = net.predict_proba(np.array(ROWS, dtype=float)).ravel()
    assert (out[[0, 3]] < 0.2).all() and (out[[1, 2]] > 0.8).all(), out  # with a margin


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_neuron_cannot_learn_xor(seed: int) -> None:
    """No line puts (0,1) and (1,0) on one side and (0,0), (1,1) on the other: at best 3 of 4."""
    _, accuracy = trained("xor4", "1:sigmoid", seed=seed)
    assert accuracy <= 0.75


@pytest.mark.parametrize("name", ["and", "or"])
def test_one_neuron_learns_and_and_or(name: str) -> None:
    _, accuracy = trained(name, "1:sigmoid")
    assert accuracy == 1.0
