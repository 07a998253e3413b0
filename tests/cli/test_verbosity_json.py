"""Keras' verbosity (`--verbose 0|1|2`, `--quiet`) and JSON for every outcome, errors too."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from tests.cli.runner import NnTui
from tests.cli.test_cli import BAD_INPUTS, TINY, _files
from tui.cli import main as cli
from tui.cli import train_command


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stdout", "expected"), [(io.StringIO(), 2), (_Terminal(), 1)])
def test_the_default_verbosity_is_the_bar_on_a_terminal_and_lines_elsewhere(
        monkeypatch: pytest.MonkeyPatch, stdout: io.StringIO, expected: int) -> None:
    monkeypatch.setattr("sys.stdout", stdout)
    args = cli.build_parser().parse_args(["train"])
    assert train_command.verbosity(args) == expected
    for flags, level in ((["--verbose", "0"], 0), (["--quiet"], 0), (["-q"], 0),
                         (["--verbose", "2"], 2), (["--verbose", "1"], 1)):
        assert train_command.verbosity(cli.build_parser().parse_args(["train", *flags])) == level


@pytest.mark.parametrize("quiet", [("--quiet",), ("--verbose", "0")])
def test_quiet_prints_the_result_only(nn_tui: NnTui, quiet: tuple[str, ...]) -> None:
    result = nn_tui("train", *TINY, *quiet, "--save", "q")
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert len(lines) == 2, lines
    assert re.fullmatch(r"test accuracy \d\.\d{4}  test loss \d+\.\d{4}", lines[0])
    assert lines[1] == "saved saved_models/q.safetensors"


def test_verbose_2_is_a_line_an_epoch_and_the_wall_time(nn_tui: NnTui) -> None:
    result = nn_tui("train", *TINY, "--verbose", "2")
    lines = result.out.splitlines()
    assert len([line for line in lines if re.match(r"epoch +\d/5  loss", line)]) == 5
    assert re.fullmatch(r"5 epochs in \d+\.\d\d s", lines[-2])


def test_verbose_1_into_a_file_draws_the_bar_once_at_the_end(nn_tui: NnTui) -> None:
    """Forced on a pipe, rich prints the bar's last state once (no redraws to pollute a log)."""
    result = nn_tui("train", *TINY, "--verbose", "1")
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert lines[0].startswith("iris: 104 train") and len(lines) == 4, lines
    assert re.match(r"epoch 5/5 ━+ ", lines[1])
    assert "\x1b" not in result.out


def test_quiet_and_verbose_together_are_refused(nn_tui: NnTui) -> None:
    result = nn_tui("train", "--quiet", "--verbose", "2")
    assert result.code == 2 and "not allowed with argument" in result.err
    assert nn_tui("train", "--verbose", "3").code == 2


def test_json_quiet_is_the_done_object_alone(nn_tui: NnTui) -> None:
    result = nn_tui("train", *TINY, "--json", "-q")
    (done,) = [json.loads(line) for line in result.out.splitlines()]
    assert done["event"] == "done" and done["epochs"] == 5
    assert done["seconds"] >= done["epoch_seconds"] > 0


def test_json_never_draws_a_bar(nn_tui: NnTui, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)  # a terminal, still every line JSON
    result = nn_tui("train", *TINY, "--json")
    events = [json.loads(line)["event"] for line in result.out.splitlines()]
    assert events == ["started", *["epoch"] * 5, "finished", "done"]


# The bad inputs of tests/cli/test_cli.py whose command takes --json.
JSON_CASES = [case for case, (args, _) in BAD_INPUTS.items()
              if args[0] in ("train", "evaluate", "info", "fly")]
PREDICT_CASES = {
    "predict without input": (("predict", "m"), "the following arguments are required: --input"),
    "predict missing model": (("predict", "ghost", "--input", "1,2"), "ghost.safetensors"),
    "inspect missing model": (("inspect", "ghost", "--sample", "0"), "ghost.safetensors"),
    "datasets extra": (("datasets", "--all"), "unrecognized arguments: --all"),
}


@pytest.mark.parametrize("case", JSON_CASES + list(PREDICT_CASES))
def test_with_json_an_error_is_one_json_object_on_stdout(nn_tui: NnTui, tmp_path: Path,
                                                         case: str) -> None:
    args, reason = BAD_INPUTS[case] if case in BAD_INPUTS else PREDICT_CASES[case]
    (tmp_path / "bad.csv").write_text("a,b,label\n1,2,x\n3,oops,y\n")
    (tmp_path / "corrupt.safetensors").write_bytes(b"\x40\0\0\0\0\0\0\0{\"__meta")
    (tmp_path / "saved_models").mkdir()
    (tmp_path / "saved_models" / "taken.safetensors").write_bytes(b"someone's model")
    before = _files(tmp_path)
    result = nn_tui(*args, "--json")
    assert result.code == 2, result
    assert result.err == ""
    (line,) = result.out.splitlines()
    error = json.loads(line)
    assert set(error) == {"event", "message"} and error["event"] == "error"
    assert reason in error["message"] and "\n" not in error["message"]
    assert _files(tmp_path) == before


def test_json_after_a_double_dash_is_not_an_option() -> None:
    assert cli.wants_json(["train", "--json"])
    assert not cli.wants_json(["predict", "m", "--", "--json"])
    assert not cli.wants_json(["train"])
