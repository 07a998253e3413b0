"""`--features` and `--noise` (issue 8): the editor's data options on the command line of `train`
and of the app's preset."""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pytest

from engine import EXTRA_FEATURES, load_dataset
from tests.cli.runner import NnTui
from tui.cli import main as cli
from tui.cli.data_options import parse_features
from tui.sessions import Preset

MOONS = ("--dataset", "moons", "--layers", "4:tanh,2:softmax", "--epochs", "1")


def _objects(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def _first_epoch(out: str) -> dict:
    return next(o for o in _objects(out) if o["event"] == "epoch")


@pytest.mark.parametrize(("text", "names"), [
    ("x1^2,x1*x2", ("x1^2", "x1*x2")),
    ("x1·x2,x1²", ("x1^2", "x1*x2")),  # as the editor shows them; Playground's order
    ("sin x2, sinx1,x2^2,x2^2", ("x2^2", "sin x1", "sin x2")),  # each once
    ("x1,x2,x2²", ("x2^2",)),  # the base coordinates are always there
    ("", ()),
])
def test_features_are_read_as_the_editor_names_them(text: str, names: tuple[str, ...]) -> None:
    assert parse_features(text) == names


def test_train_with_features_feeds_the_network_the_extra_inputs(nn_tui: NnTui) -> None:
    result = nn_tui("train", *MOONS, "--features", "x1^2,x1*x2,sin x2", "--json")
    assert result.code == 0, result.err
    done = _objects(result.out)[-1]
    assert done["params"] == 5 * 4 + 4 + 4 * 2 + 2  # 5 inputs: x1, x2 and the three extras
    human = nn_tui("train", *MOONS, "--features", "x1^2,x1*x2,sin x2")
    assert "5 features" in human.out.splitlines()[0]


def test_train_with_noise_trains_on_that_data(nn_tui: NnTui) -> None:
    """The noise reaches the dataset: the first epoch's loss differs from the default noise's,
    and equals what the same data loaded with that noise gives."""
    quiet = _first_epoch(nn_tui("train", *MOONS, "--noise", "0", "--json").out)
    again = _first_epoch(nn_tui("train", *MOONS, "--noise", "0.0", "--json").out)
    default = _first_epoch(nn_tui("train", *MOONS, "--json").out)
    assert quiet["train_loss"] == again["train_loss"]
    assert quiet["train_loss"] != default["train_loss"]
    assert load_dataset("moons", noise=0.0).noise == 0.0


@pytest.mark.parametrize(("args", "reason"), [
    (("train", "--dataset", "moons", "--features", "x1^2,x3"),
     f"unknown input feature 'x3' (choose from {', '.join(EXTRA_FEATURES)}"),
    (("--dataset", "moons", "--features", "cos x1"), "unknown input feature 'cos x1'"),
    (("train", "--dataset", "iris", "--noise", "0.2"),
     "--noise: only the generated sets take it (moons, circles, xor, spiral, sine), not iris"),
    (("--noise", "0.2"), "not digits"),  # the app's preset: digits by default
    (("train", "--dataset", "moons", "--noise", "-1"), "must be a finite number >= 0"),
    (("train", "--dataset", "sine", "--noise", "lots"), "'lots' is not a number"),
    (("train", "--dataset", "iris", "--features", "x1^2"), "made from 2 coordinates"),
    (("--model", "m", "--features", "x1^2"), "not with --model"),
])
def test_bad_data_options_exit_2_in_one_line(nn_tui: NnTui, args: tuple[str, ...],
                                             reason: str) -> None:
    result = nn_tui(*args)
    assert result.code == 2, result
    assert len(result.err.splitlines()) == 1 and result.err.startswith("nn-tui: error: ")
    assert reason in result.err, result.err
    assert result.out == ""


def test_the_app_preset_gets_the_data_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    fake = types.ModuleType("tui.app")
    fake.run_app = lambda args: seen.append(args) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tui.app", fake)
    assert cli.main(["--dataset", "circles", "--features", "x1²,x2²", "--noise", "0.02",
                     "--layers", "2:sigmoid"]) == 0
    preset = Preset.from_namespace(seen[0])  # type: ignore[arg-type]
    assert (preset.features, preset.noise) == (("x1^2", "x2^2"), 0.02)
    experiment = preset.build()
    data = experiment.dataset
    assert data.input_features == ("x1", "x2", "x1^2", "x2^2") and data.noise == 0.02
    assert experiment.network.n_inputs == 4
    np.testing.assert_allclose(data.X_train[:, 2], data.X_train[:, 0] ** 2)
