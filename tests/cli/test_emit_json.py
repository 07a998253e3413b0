"""`emit_json` writes a JSON line in one write: a reader of a pipe never sees the object without
its newline (two writes can reach the reader apart)."""

from __future__ import annotations

import io
import json

import pytest

from tui.cli.output import emit_json


class Writes(io.StringIO):
    """A stdout that keeps every write apart."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_one_line_is_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    out = Writes()
    monkeypatch.setattr("sys.stdout", out)
    emit_json({"event": "epoch", "loss": float("nan"), "n": 3})
    assert len(out.writes) == 1
    (line,) = out.writes
    assert line.endswith("\n") and line.count("\n") == 1
    assert json.loads(line) == {"event": "epoch", "loss": None, "n": 3}
