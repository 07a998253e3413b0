"""`finite_number`, the one reading of a number a person wrote, and its two readers: a CSV file's
field and a typed input say the same words about the same bad text."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import DatasetError, NumberError, finite_number
from engine.data.csv_reader import read_csv
from tui.model_inputs import InputError, parse_numbers

GOOD = {"2": 2.0, " -1.5 ": -1.5, "1e3": 1000.0}
BAD = {"abc": "is not a number", "1,5": "is not a number", "inf": "is not a finite number",
       "-inf": "is not a finite number", "nan": "is not a finite number"}


@pytest.mark.parametrize(("text", "value"), GOOD.items())
def test_numbers_read_as_float(text: str, value: float) -> None:
    assert finite_number(text) == value


@pytest.mark.parametrize(("text", "why"), BAD.items())
def test_not_numbers_say_why(text: str, why: str) -> None:
    with pytest.raises(NumberError, match=f"^{why}$"):
        finite_number(text)


@pytest.mark.parametrize("text", ["abc", "inf", "nan"])
def test_csv_and_typed_inputs_say_the_same(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"x,y\n1,0\n{text},1\n2,0\n")
    with pytest.raises(DatasetError) as in_file:
        read_csv(path, "bad.csv")
    with pytest.raises(InputError) as typed:
        parse_numbers(text, "--input", 1)
    why = BAD[text]
    assert str(in_file.value).endswith(f"{text!r} {why}")
    assert str(typed.value).endswith(f"{text!r} {why}")
