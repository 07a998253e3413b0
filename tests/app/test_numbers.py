"""The one number formatter (`tui.numbers`), and the three places that show numbers with it:
the log's epoch lines, the command line's epoch lines and the layer list's parameter counts."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from engine import EpochEnd
from tui.cli.output import epoch_line as cli_epoch_line
from tui.log_lines import epoch_line as log_epoch_line
from tui.numbers import WIDEST_COMPACT, compact_number, format_number, score_text
from tui.widgets.layer_list import LayerRows

EXAMPLES = {
    0: "0", 950: "950", 999.4: "999", 999.6: "1k", 1234: "1.2k", 12_345: "12.3k",
    99_900: "99.9k", 99_960: "100k", 125_700: "126k", 650_000: "650k", 999_999: "1M",
    1_000_010: "1M", 2.5e6: "2.5M", 6_500_000: "6.5M", 3.2e9: "3.2G",
}
SUFFIX_POWER = {"k": 3, "M": 6, "G": 9}


def read_back(text: str) -> float:
    power = SUFFIX_POWER.get(text[-1], 0)
    return float(text[:-1] if power else text) * 10 ** power


def test_compact_numbers():
    assert {value: compact_number(value) for value in EXAMPLES} == EXAMPLES
    assert compact_number(float("nan")) == "nan"


@given(st.floats(min_value=0, max_value=999e9))
def test_compact_numbers_are_short_and_close(value: float):
    text = compact_number(value)
    assert len(text) <= len(WIDEST_COMPACT)
    assert math.isclose(read_back(text), value, rel_tol=0.05, abs_tol=0.5)


@given(st.floats(min_value=0, max_value=999e9), st.floats(min_value=0, max_value=999e9))
def test_compact_numbers_keep_their_order(a: float, b: float):
    low, high = sorted((a, b))
    assert read_back(compact_number(low)) <= read_back(compact_number(high))


def test_format_number_and_score_text():
    assert [format_number(v) for v in (0.7312, 151.23, 12345.0)] == ["0.7312", "151.2", "1.234e+04"]
    assert score_text(0.9531, None) == "test acc 0.953"
    assert score_text(None, 0.8712) == "test R² 0.871"
    assert score_text(None, None) == "test R² nan"


def test_every_place_shows_rates_and_counts_the_same_way():
    event = EpochEnd(7, 0.4, None, 1e-3, 0.01, 125_700.0, train_acc=0.9)
    assert log_epoch_line(event).endswith("  126k samples/s")
    assert cli_epoch_line(event, 60).endswith("  126k samples/s")
    assert LayerRows._params(6_500_010, 5) == " 6.5M"
    assert LayerRows._params(6_500_010, 20) == "6,500,010".rjust(20)
