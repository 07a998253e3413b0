"""`nn-tui predict` and `nn-tui inspect`, run in-process (`tests.cli.runner`).

The numbers are checked against things computed here independently of the CLI: the tutorial's
published 0.7216, the network's own `predict_proba` on the dataset's scaled rows, and central
finite differences of the loss on the one sample (each weight nudged up and down in the loaded
network) for every gradient `inspect --json` prints.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris

from engine import Dense, Experiment, Network, TrainConfig
from tests.cli.runner import NnTui
from tui.cli import main as cli

PEOPLE_221 = ("--layers", "2:sigmoid,1:sigmoid", "--loss", "mse")


def _trained(folder: Path, name: str, dataset: str, layers: str, loss: str | None = None,
             **config: object) -> str:
    """A model trained on `dataset` and saved with its metadata, as `nn-tui train` saves it."""
    session = Experiment.create(dataset, layers, loss, TrainConfig(**config))  # type: ignore[arg-type]
    for _ in session.trainer.run():
        pass
    return session.save(str(folder / f"{name}.safetensors"))


def _tutorial_network() -> Network:
    """The tutorial's 2-2-1 sigmoid network: every neuron's weights [0, 1], biases 0. In the
    engine's (in, out) orientation W1 = [[0, 0], [1, 1]]: both hidden units weigh x2 by 1."""
    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse", dtype="float64")
    net.layers[0].W[...] = [[0.0, 0.0], [1.0, 1.0]]
    net.layers[1].W[...] = [[0.0], [1.0]]
    net.layers[0].b[...] = 0.0
    net.layers[1].b[...] = 0.0
    return net


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Paths of small saved models, trained once for the module (a few seconds in all)."""
    folder = tmp_path_factory.mktemp("models")
    bare = str(folder / "tutorial.safetensors")
    _tutorial_network().save(bare)  # weights and architecture only: no dataset, no class names
    bad_scaling = _tutorial_network()
    huge = Network([Dense(2, 1, "linear")], loss="mse")  # float32: 1e30 * 1e10 overflows
    huge.layers[0].W[...] = 1e30
    return {
        "huge": huge.save(folder / "huge.safetensors"),
        "people": _trained(folder, "people", "people", "2:sigmoid,1:sigmoid", "mse",
                           optimizer="sgd", lr=0.1, batch_size=1, epochs=30),
        "people64": _trained(folder, "people64", "people", "2:sigmoid,1:sigmoid", "mse",
                             optimizer="sgd", lr=0.1, batch_size=1, epochs=30, dtype="float64"),
        "iris": _trained(folder, "iris", "iris", "8:tanh,3:softmax", epochs=5),
        "digits64": _trained(folder, "digits64", "digits", "100:relu,10:softmax", epochs=2,
                             dtype="float64"),
        "diabetes": _trained(folder, "diabetes", "diabetes", "8:relu,1:linear", "mse", epochs=3),
        "bare": bare,
        "weird_scaling": bad_scaling.save(folder / "weird.safetensors", metadata={
            "dataset": {"name": "x", "scaling": {"kind": "weird"}}}),
        "short_mean": bad_scaling.save(folder / "short.safetensors", metadata={
            "dataset": {"name": "x", "scaling": {"kind": "standard", "mean": [1, 2, 3],
                                                 "scale": [1, 1]}}}),
    }


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# ---------------------------------------------------------------- the tutorial's numbers


def test_the_tutorial_network_outputs_0_7216(nn_tui: NnTui, models: dict[str, str]) -> None:
    """h1 = h2 = sigmoid(0·2 + 1·3) = 0.9526, o1 = sigmoid(0·h1 + 1·h2) = 0.7216: a file saved
    with `Network.save` alone, so no scaling and classes by index."""
    result = nn_tui("predict", models["bare"], "--input", "2,3")
    assert result.code == 0, result.err
    assert result.out == "input [2, 3]  output [0.7216]  predicted 1\n"
    (line,) = _json_lines(nn_tui("predict", models["bare"], "--input", "2,3", "--json").out)
    assert line["input"] == [2.0, 3.0] and line["predicted"] == 1
    assert round(line["output"][0], 4) == 0.7216

    traced = nn_tui("inspect", models["bare"], "--input", "2,3", "--target", "1")
    assert traced.code == 0, traced.err
    for text in ("h1 = sigmoid(w1·x1 + w2·x2 + b1)   = sigmoid(3.0000) = 0.9526",
                 "h2 = sigmoid(w3·x1 + w4·x2 + b2)   = sigmoid(3.0000) = 0.9526",
                 "o1 = sigmoid(w5·h1 + w6·h2 + b3)   = sigmoid(0.9526) = 0.7216"):
        assert text in traced.out


def test_a_people_model_trained_by_the_cli_says_emily_is_female(nn_tui: NnTui) -> None:
    trained = nn_tui("train", "--dataset", "people", *PEOPLE_221, "--optimizer", "sgd", "--lr",
                     "0.1", "--batch-size", "1", "--epochs", "1000", "--save", "p")
    assert trained.code == 0, trained.err
    result = nn_tui("predict", "p", "--input", "-7,-3", "--input", "20,2")  # Emily, Frank
    assert result.code == 0, result.err
    emily, frank = result.out.splitlines()
    found = re.fullmatch(r"input \[-7, -3\]  output \[(\d\.\d{4})\]  predicted female", emily)
    assert found and float(found.group(1)) > 0.9, emily
    assert frank.endswith("predicted male")
    as_json = _json_lines(nn_tui("predict", "p", "--input=-7,-3", "--json").out)
    assert as_json[0]["predicted"] == "female" and as_json[0]["output"][0] > 0.9


# ---------------------------------------------------------------- predict


@pytest.mark.parametrize(("model", "raw_rows"), [
    ("iris", lambda: load_iris().data),  # standardised: (x - mean) / scale
    ("digits64", lambda: load_digits().data),  # pixels 0..16, divided by 16
])
def test_predict_takes_raw_values_and_scales_them_like_training(
        nn_tui: NnTui, models: dict[str, str], model: str, raw_rows: object) -> None:
    session = Experiment.load(models[model])
    rows = raw_rows()[:3]  # type: ignore[operator]
    args = [f"--input={','.join(f'{v:g}' for v in row)}" for row in rows]
    result = nn_tui("predict", models[model], *args, "--json")
    assert result.code == 0, result.err
    lines = _json_lines(result.out)
    scaling = session.dataset.scaling
    seen = ((rows - np.array(scaling["mean"])) / np.array(scaling["scale"])
            if scaling["kind"] == "standard" else rows / scaling["by"])
    expected = session.network.predict_proba(seen)
    np.testing.assert_allclose([line["output"] for line in lines], expected, rtol=1e-6)
    names = session.dataset.class_names
    assert [line["predicted"] for line in lines] == [names[k] for k in expected.argmax(axis=1)]
    np.testing.assert_array_equal([line["input"] for line in lines], rows)


def test_predict_gives_regression_values_in_the_datasets_units(nn_tui: NnTui,
                                                               models: dict[str, str]) -> None:
    session = Experiment.load(models["diabetes"])
    row = [50, 1, 25, 90, 200, 100, 50, 4, 5, 90]
    (line,) = _json_lines(nn_tui("predict", models["diabetes"], "--input",
                                 ",".join(map(str, row)), "--json").out)
    target = session.dataset.target_scaling
    assert target["kind"] == "standard"
    np.testing.assert_allclose(line["predicted"],
                               np.array(line["output"]) * target["scale"] + target["mean"])
    human = nn_tui("predict", models["diabetes"], "--input", " ".join(map(str, row))).out
    assert human.rstrip().endswith(f"predicted [{line['predicted'][0]:.4f}]")


# -------------------------------------------------------- inspect against finite differences


def _finite_difference(net: Network, x: np.ndarray, y: np.ndarray, layer: int, kind: str,
                       i: int, j: int, eps: float = 1e-6) -> float:
    """dL/d(parameter) by central differences: the weight W[i, j] (or bias b[j]) of `layer`
    nudged by ±eps in the loaded network, the loss recomputed on the one sample."""
    values = net.layers[layer].W if kind == "W" else net.layers[layer].b
    at = (i, j) if kind == "W" else (j,)
    old = float(values[at])
    values[at] = old + eps
    up = net.loss_value(x, y)
    values[at] = old - eps
    down = net.loss_value(x, y)
    values[at] = old
    return (up - down) / (2 * eps)


def _check_against_finite_differences(traced: dict, net: Network, x: np.ndarray, y: np.ndarray,
                                      coordinates: list[tuple[int, str, int, int]]) -> None:
    assert traced["loss"] == pytest.approx(net.loss_value(x, y), rel=1e-12)
    np.testing.assert_allclose(traced["output"], net.predict_proba(x)[0], rtol=1e-12)
    np.testing.assert_allclose(traced["input"], x[0])
    assert len(traced["layers"]) == len(net.layers)
    for layer, kind, i, j in coordinates:
        printed = traced["layers"][layer]["dW"][i][j] if kind == "W" else \
            traced["layers"][layer]["db"][j]
        expected = _finite_difference(net, x, y, layer, kind, i, j)
        assert printed == pytest.approx(expected, rel=1e-5, abs=1e-10), (layer, kind, i, j)
    for index, entry in enumerate(traced["layers"]):  # one sample: db = delta, dW = a_prev δ
        a_prev = traced["input"] if index == 0 else traced["layers"][index - 1]["a"]
        np.testing.assert_allclose(entry["db"], entry["delta"])
        np.testing.assert_allclose(entry["dW"], np.outer(a_prev, entry["delta"]), rtol=1e-12)
        assert len(entry["z"]) == len(entry["a"]) == len(entry["db"]) == net.layers[index].n_out


def test_inspect_matches_finite_differences_on_a_2_2_1_model(nn_tui: NnTui,
                                                             models: dict[str, str]) -> None:
    result = nn_tui("inspect", models["people64"], "--input", "-7,-3", "--target", "female",
                    "--json")
    assert result.code == 0, result.err
    traced = json.loads(result.out)
    net = Network.load(models["people64"])
    every = [(layer, "W", i, j) for layer, d in enumerate(net.layers)
             for i in range(d.n_in) for j in range(d.n_out)]
    every += [(layer, "b", 0, j) for layer, d in enumerate(net.layers) for j in range(d.n_out)]
    assert len(every) == 9  # w1..w6, b1..b3
    _check_against_finite_differences(traced, net, np.array([[-7.0, -3.0]]), np.array([1]),
                                      every)
    assert traced["target"] == [1.0] and traced["loss_function"] == "mse"


def test_inspect_matches_finite_differences_on_a_digits_model(nn_tui: NnTui,
                                                              models: dict[str, str]) -> None:
    result = nn_tui("inspect", models["digits64"], "--sample", "6", "--json")  # counted from 1
    assert result.code == 0, result.err
    traced = json.loads(result.out)
    session = Experiment.load(models["digits64"])
    x, y = session.dataset.X_test[5:6], session.dataset.y_test[5:6]
    rng = np.random.default_rng(0)
    net = session.network
    picked = [(0, "W", int(i), int(j)) for i, j in zip(rng.integers(0, 64, 25),
                                                      rng.integers(0, 100, 25))]
    picked += [(0, "W", int(i), int(np.argmax(np.abs(traced["layers"][0]["delta"]))))
               for i in np.flatnonzero(x[0])[:5]]  # where the gradient is surely not 0
    picked += [(1, "W", int(i), int(j)) for i, j in zip(rng.integers(0, 100, 15),
                                                       rng.integers(0, 10, 15))]
    picked += [(0, "b", 0, int(j)) for j in rng.integers(0, 100, 10)]
    picked += [(1, "b", 0, j) for j in range(10)]
    _check_against_finite_differences(traced, net, x, y, picked)
    assert traced["target"] == np.eye(10)[y[0]].tolist()
    assert traced["loss_function"] == "cross_entropy"


# ---------------------------------------------------------------- inspect, read by a person


def test_inspect_of_a_2_2_1_model_uses_the_tutorials_names(nn_tui: NnTui,
                                                           models: dict[str, str]) -> None:
    args = ("inspect", models["people"], "--input", "-7,-3", "--target", "1")
    traced = json.loads(nn_tui(*args, "--json").out)
    text = nn_tui(*args).out
    lines = text.splitlines()
    assert lines[0].endswith("people.safetensors: 2 -> 2 sigmoid -> 1 sigmoid, loss mse")
    assert "--input -7,-3 (no input scaling), target 1" in lines[1]
    hidden, output = traced["layers"]
    for formula, values in (("z1 = a0 @ W1 + b1", hidden["z"]), ("a2 = sigmoid(z2)", output["a"]),
                            ("δ1 = dL/da1 * sigmoid'(z1)", hidden["delta"]),
                            ("db2 = Σ_rows δ2", output["db"])):
        line = next(line for line in lines if line.strip().startswith(formula))
        shown = re.findall(r"-?\d\.\d{3,4}(?:e[-+]\d+)?", line.split(formula)[1])
        np.testing.assert_allclose([float(v) for v in shown], values, rtol=1e-3, atol=1e-4)
    net = Network.load(models["people"])
    w6 = float(net.layers[1].W[1, 0])
    line = next(line for line in lines if line.strip().startswith("w6 = "))
    assert re.fullmatch(r"  w6 = (\S+) +dL/dw6 = (\S+)", line), line
    value, grad = line.split()[2], line.split()[-1]
    assert float(value) == pytest.approx(w6, abs=1e-4)
    assert float(grad) == pytest.approx(output["dW"][1][0], abs=5e-5)  # 4 decimals
    assert "loss\n    L = mean((a − y)²) over all n·k outputs" in text


def test_inspect_of_a_big_layer_is_compact(nn_tui: NnTui, models: dict[str, str]) -> None:
    result = nn_tui("inspect", models["digits64"], "--sample", "1")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "digits test sample 1 " in lines[1]
    z1 = next(line for line in lines if line.strip().startswith("z1 = "))
    assert "(100 values, min" in z1 and z1.count(",") < 12
    dW1 = next(line for line in lines if line.strip().startswith("dW1 = "))
    assert re.search(r"\(64, 100\): min \S+, max \S+, mean \|·\| \S+, largest dW1\[\d+,\d+\]",
                     dW1)
    a2 = next(line for line in lines if line.strip().startswith("a2 = softmax(z2)"))
    assert len(re.findall(r"\d\.\d{4}", a2)) == 10  # 10 units: every value
    # no tutorial names on a big network (the model path may contain "w1": popen-gw1)
    assert "dL/dw1" not in result.out and "h1 = " not in result.out
    assert max(len(line) for line in lines) < 200


def test_inspect_a_bare_network_on_a_dataset_that_fits(nn_tui: NnTui,
                                                       models: dict[str, str]) -> None:
    traced = json.loads(nn_tui("inspect", models["bare"], "--dataset", "xor4", "--sample", "4",
                               "--json").out)
    assert traced["input"] == [1.0, 1.0] and traced["target"] == [0.0]


# ---------------------------------------------------------------- bad input

# case -> (arguments after the model's path, the model, a piece of the one-line reason)
BAD = {
    "missing model": (("predict", "ghost", "--input", "1,2"), None,
                      "ghost.safetensors: no such file"),
    "corrupt model": (("predict", "corrupt.safetensors", "--input", "1,2"), None, "truncated"),
    "corrupt model inspect": (("inspect", "corrupt.safetensors", "--input", "1,2", "--target",
                               "0"), None, "truncated"),
    "too few inputs": (("predict", "--input", "1"), "people",
                       "--input '1': the model takes 2 inputs, got 1"),
    "too many inputs": (("predict", "--input", "1,2", "--input", "1,2,3"), "people",
                        "the model takes 2 inputs, got 3"),
    "not a number": (("predict", "--input", "1,abc"), "people", "'abc' is not a number"),
    "nan": (("predict", "--input", "nan,1"), "people", "'nan' is not a finite number"),
    "inf": (("predict", "--input", "1,-inf"), "people", "'-inf' is not a finite number"),
    "overflow": (("predict", "--input", "1e400,1"), "people", "'1e400' is not a finite number"),
    "too big for float32": (("predict", "--input", "1e39,1"), "people", "too large"),
    "empty input": (("predict", "--input", ""), "people", "--input is empty"),
    "output overflows": (("predict", "--input", "1,2", "--input", "1e10,1e10"), "huge",
                         "--input '1e10,1e10': the network's output overflows"),
    "inspect overflows": (("inspect", "--input", ",".join(["1e37"] * 10), "--target", "1"),
                          "diabetes", "the numbers overflow for this sample"),
    "no input": (("predict",), "people", "the following arguments are required: --input"),
    "input without value": (("predict", "--input", "--input", "1,2"), "people",
                            "argument --input: expected one argument"),
    "inspect wrong length": (("inspect", "--input", "1,2,3", "--target", "1"), "people",
                             "the model takes 2 inputs, got 3"),
    "inspect nan": (("inspect", "--input", "1,nan", "--target", "1"), "people",
                    "not a finite number"),
    "target too big": (("inspect", "--input", "1,2", "--target", "2"), "people",
                       "--target '2': not a class of this model (0..1 or one of male, female)"),
    "target negative": (("inspect", "--input", "1,2", "--target", "-1"), "people",
                        "not a class of this model"),
    "target unknown name": (("inspect", "--input", "1,2", "--target", "cat"), "people",
                            "--target 'cat': not a class"),
    "bare target": (("inspect", "--input", "1,2", "--target", "5"), "bare",
                    "not a class of this model (0..1)"),
    "regression target count": (("inspect", "--input", "1,2,3,4,5,6,7,8,9,10", "--target",
                                 "1,2"), "diabetes", "the model takes 1 target value, got 2"),
    "regression target nan": (("inspect", "--input", "1,2,3,4,5,6,7,8,9,10", "--target",
                               "nan"), "diabetes", "not a finite number"),
    "no target": (("inspect", "--input", "1,2"), "people", "--target is missing"),
    "no input for target": (("inspect", "--target", "1"), "people", "--input is missing"),
    "input and sample": (("inspect", "--input", "1,2", "--target", "1", "--sample", "0"),
                         "people", "either --input and --target, or --sample"),
    "nothing to inspect": (("inspect",), "people", "either --input and --target, or --sample"),
    "dataset without sample": (("inspect", "--dataset", "people"), "people",
                               "--dataset needs --sample"),
    "sample too big": (("inspect", "--sample", "5"), "people",
                       "--sample 5: people's test split has 4 samples (1..4, counted from 1)"),
    "sample 0": (("inspect", "--sample", "0"), "people", "(1..4, counted from 1)"),
    "sample negative": (("inspect", "--sample", "-1"), "people", "--sample -1"),
    "sample not a number": (("inspect", "--sample", "two"), "people", "invalid int value"),
    "dataset does not fit": (("inspect", "--dataset", "iris", "--sample", "0"), "people",
                             "does not fit iris"),
    "dataset unknown": (("inspect", "--dataset", "nope", "--sample", "0"), "people",
                        "unknown dataset 'nope'"),
    "bare model, no dataset": (("inspect", "--sample", "0"), "bare", "names no dataset"),
    "bare model, misfit": (("inspect", "--dataset", "iris", "--sample", "0"), "bare",
                           "the model takes 2 inputs but iris has 4 features"),
    "unknown scaling": (("predict", "--input", "1,2"), "weird_scaling",
                        "unknown input scaling 'weird'"),
    "broken scaling": (("inspect", "--input", "1,2", "--target", "1"), "short_mean",
                       "broken input scaling ('mean' has 3 numbers, the model 2)"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_exits_2_with_one_line(nn_tui: NnTui, tmp_path: Path, models: dict[str, str],
                                         case: str) -> None:
    args, model, reason = BAD[case]
    (tmp_path / "corrupt.safetensors").write_bytes(b"\x40\0\0\0\0\0\0\0{\"__meta")
    if model is not None:
        args = (args[0], models[model], *args[1:])
    result = nn_tui(*args)
    assert result.code == 2, result
    assert len(result.err.splitlines()) == 1 and result.err.endswith("\n"), result.err
    assert result.err.startswith("nn-tui: error: ") and "Traceback" not in result.err
    assert reason in result.err
    assert result.out == ""


# ---------------------------------------------------------------- the commands themselves


@pytest.mark.parametrize(("command", "words"), [
    ("predict", ("raw feature values", "scaling saved with the model", "Network.save")),
    ("inspect", ("test split", "exactly as the network sees it", "delta = dL/dz")),
])
def test_help(nn_tui: NnTui, command: str, words: tuple[str, ...]) -> None:
    result = nn_tui(command, "--help")
    assert result.code == 0 and result.err == ""
    flat = " ".join(result.out.split())
    for word in words:
        assert word in flat


def test_the_commands_are_registered() -> None:
    assert cli.COMMANDS["predict"] is cli.cmd_predict
    assert cli.COMMANDS["inspect"] is cli.cmd_inspect
    top = " ".join(cli.build_parser().format_help().split())
    assert "predict" in top and "inspect" in top


def test_a_value_with_a_minus_sign_stays_with_its_flag() -> None:
    glued = cli._glue_negative_values(["predict", "m", "--input", "-7,-3", "--input", "1,2",
                                       "--target", "-1", "--input", "--json", "--input", "-h",
                                       "--", "--input", "-1"])
    assert glued == ["predict", "m", "--input=-7,-3", "--input", "1,2", "--target=-1",
                     "--input", "--json", "--input", "-h", "--", "--input", "-1"]


def test_inspect_names_a_regression_target_in_the_datasets_units(nn_tui: NnTui,
                                                                 models: dict[str, str]) -> None:
    session = Experiment.load(models["diabetes"])
    result = nn_tui("inspect", models["diabetes"], "--sample", "3")  # counted from 1
    assert result.code == 0, result.err
    target = float(session.dataset.unscale_targets(session.dataset.y_test[2:3])[0, 0])
    assert f"diabetes test sample 3 (as the network sees it: after scaling), target " \
           f"[{target:.4f}]" in result.out.splitlines()[1]
    y_line = result.out.splitlines()[3]  # the target as the loss sees it: scaled
    assert y_line.split()[0] == "y" and f"{session.dataset.y_test[2, 0]:.4f}" in y_line
