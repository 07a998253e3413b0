"""Playground's extra inputs on a dataset (`load_dataset(features=...)`), the noise a generated set
carries, and a model trained with extra inputs saved and opened again."""

from __future__ import annotations

import numpy as np
import pytest

from engine import DatasetError, Experiment, TrainConfig, load_dataset
from engine.data.features import EXTRA_FEATURES, expand_features, with_features


def test_extra_inputs_are_appended_to_every_split_from_the_coordinates():
    plain = load_dataset("moons", seed=3)
    wide = load_dataset("moons", seed=3, features=["sin x2", "x1^2"])
    assert wide.input_features == ("x1", "x2", "x1^2", "sin x2")  # Playground's order
    assert wide.feature_names == ("x1", "x2", "x1^2", "sin x2")
    for split in ("train", "val", "test"):
        base, X = getattr(plain, f"X_{split}"), getattr(wide, f"X_{split}")
        assert X.shape == (len(base), 4) and not X.flags.writeable
        np.testing.assert_array_equal(X[:, :2], base)
        np.testing.assert_allclose(X[:, 2], base[:, 0] ** 2)
        np.testing.assert_allclose(X[:, 3], np.sin(base[:, 1]))
    np.testing.assert_array_equal(wide.y_train, plain.y_train)


def test_no_extras_leave_the_dataset_as_it_is():
    plain = load_dataset("circles")
    assert with_features(plain, ()) is plain
    assert plain.input_features == ()
    assert load_dataset("circles", features=None).n_features == 2


@pytest.mark.parametrize(("name", "features", "reason"), [
    ("iris", ["x1^2"], "2 coordinates"),
    ("moons", ["x3"], "unknown input feature"),
    ("moons", ["x1"], "unknown input feature"),  # the base coordinates are always there
    ("moons", "x1^2", "list of names"),
    ("moons", [3], "list of names"),
    ("moons", {"x1^2": 1}, "list of names"),
])
def test_features_that_cannot_be_made_are_refused_with_the_reason(name, features, reason):
    with pytest.raises(DatasetError, match=reason):
        load_dataset(name, features=features)


def test_the_expansion_is_the_one_the_maps_use():
    from engine.inside import input_maps

    assert input_maps.expand_features is expand_features
    assert set(EXTRA_FEATURES) == {"x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"}


def test_generated_sets_carry_their_noise_and_fixed_ones_none():
    assert load_dataset("moons").noise == 0.1
    assert load_dataset("moons", noise=0.3).noise == 0.3
    assert load_dataset("spiral", noise=0.0).noise == 0.0
    assert load_dataset("iris").noise is None


def test_a_model_with_extra_inputs_reopens_with_them(tmp_path):
    config = TrainConfig(epochs=2, seed=1)
    experiment = Experiment.create("circles", layers="2:softmax", config=config, noise=0.2,
                                   features=["x1^2", "x2^2"])
    assert experiment.network.n_inputs == 4
    for _ in experiment.trainer.run(2):
        pass
    path = experiment.save(str(tmp_path / "ring.safetensors"))
    again = Experiment.load(path)
    assert again.dataset.input_features == ("x1", "x2", "x1^2", "x2^2")
    assert again.dataset.noise == 0.2
    np.testing.assert_array_equal(again.dataset.X_test, experiment.dataset.X_test)
    assert again.evaluate().accuracy == experiment.evaluate().accuracy
