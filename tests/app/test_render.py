"""The pure renderers in tui.render: images, probability bars, feature lists, confusion tables."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from tui.render import (
    CURSOR_MARK,
    FULL_BLOCK,
    PARTIAL_BLOCKS,
    SHADES,
    STEPS_PER_CELL,
    TRUE_MARK,
    feature_lines,
    format_percent,
    image_to_blocks,
    probability_bars,
    verdict,
)
from tui.render_confusion import ConfusionStyles, confusion_lines

DIGITS = tuple(str(d) for d in range(10))


def bar_steps(line: Text) -> int:
    """Bar length of one line in eighths of a cell."""
    return sum(STEPS_PER_CELL if ch == FULL_BLOCK else PARTIAL_BLOCKS.index(ch)
               for ch in line.plain if ch == FULL_BLOCK or ch in PARTIAL_BLOCKS[1:])


# ---------------------------------------------------------------- images


def test_image_is_eight_lines_of_sixteen_cells() -> None:
    lines = image_to_blocks(np.linspace(0, 1, 64))
    assert len(lines) == 8
    assert all(line.cell_len == 16 for line in lines)


def test_flat_and_square_pixels_render_the_same() -> None:
    pixels = np.random.default_rng(0).random(64)
    flat = [line.plain for line in image_to_blocks(pixels)]
    square = [line.plain for line in image_to_blocks(pixels.reshape(8, 8))]
    assert flat == square


def test_dark_and_bright_pixels_differ() -> None:
    pixels = np.zeros(64)
    pixels[1] = 1.0
    first = image_to_blocks(pixels)[0].plain
    assert first[0:2] != first[2:4]
    assert first[2:4] == SHADES[-1].glyph * 2


def test_monochrome_has_no_styles_but_distinguishes_every_shade() -> None:
    levels = np.array([shade.floor for shade in SHADES] + [0.0] * (64 - len(SHADES)))
    lines = image_to_blocks(levels, color=False)
    assert all(not line.spans and not line.style for line in lines)
    cells = [lines[0].plain[i:i + 2] for i in range(0, 2 * len(SHADES), 2)]
    assert len(set(cells)) == len(SHADES)


def test_color_mode_styles_the_cells() -> None:
    assert any(line.spans for line in image_to_blocks(np.linspace(0, 1, 64), color=True))


def test_cursor_is_marked_even_in_monochrome_and_keeps_the_pixels_shade() -> None:
    for shade in SHADES:
        pixels = np.full(64, shade.floor)
        for color in (True, False):
            lines = image_to_blocks(pixels, cursor=(2, 3), color=color)
            assert lines[2].plain[6:8] == CURSOR_MARK + shade.glyph
            assert CURSOR_MARK not in "".join(line.plain for i, line in enumerate(lines)
                                              if i != 2)


# ---------------------------------------------------------------- bars


def test_bars_one_line_per_class_longest_on_argmax() -> None:
    probs = np.array([0.01, 0.02, 0.03, 0.873, 0.017, 0.01, 0.01, 0.01, 0.01, 0.0])
    lines = probability_bars(probs, DIGITS, width=40, predicted=3, true_label=5)
    assert len(lines) == 10
    steps = [bar_steps(line) for line in lines]
    assert max(steps) == steps[3]
    assert "87.3%" in lines[3].plain
    assert lines[3].plain.startswith("3 ")
    assert all(line.cell_len <= 40 for line in lines)


def test_true_label_marked_only_on_its_line() -> None:
    probs = np.full(10, 0.1)
    lines = probability_bars(probs, DIGITS, width=40, predicted=0, true_label=7)
    marked = [i for i, line in enumerate(lines) if TRUE_MARK.strip() in line.plain]
    assert marked == [7]


def test_percentages_right_aligned() -> None:
    probs = np.array([0.5, 0.25, 0.125, 0.125])
    lines = probability_bars(probs, ("a", "b", "c", "d"), width=30, predicted=0, true_label=None)
    ends = {line.plain.rstrip().rindex("%") for line in lines}
    assert len(ends) == 1


def test_argmax_line_is_styled() -> None:
    lines = probability_bars(np.array([0.2, 0.8]), ("no", "yes"), 30, predicted=1,
                             true_label=None)
    assert any(span.style == "bold" for span in lines[1].spans)
    assert not any(span.style == "bold" for span in lines[0].spans)


def test_max_lines_keeps_predicted_and_true() -> None:
    probs = np.array([0.3, 0.25, 0.2, 0.1, 0.05, 0.04, 0.03, 0.02, 0.01, 0.0])
    lines = probability_bars(probs, DIGITS, 40, predicted=0, true_label=9, max_lines=4)
    assert [line.plain[0] for line in lines] == ["0", "1", "9", "+"]  # the last: "+7 more"


def test_tiny_and_near_certain_percentages() -> None:
    assert format_percent(0.0) == "0.0%"
    assert format_percent(1e-9) == "<0.1%"
    assert format_percent(0.99999) == ">99.9%"
    assert format_percent(1.0) == "100.0%"
    assert format_percent(0.8734) == "87.3%"
    assert format_percent(float("nan")) == "n/a"


def test_long_class_names_are_truncated_to_fit() -> None:
    names = ("a very long class name indeed", "b")
    lines = probability_bars(np.array([0.4, 0.6]), names, width=24, predicted=1,
                             true_label=0)
    assert all(line.cell_len <= 24 for line in lines)
    assert "…" in lines[0].plain


@st.composite
def probability_vectors(draw: st.DrawFn) -> np.ndarray:
    k = draw(st.integers(2, 10))
    raw = draw(st.lists(st.floats(0, 1, allow_nan=False), min_size=k, max_size=k))
    weights = np.asarray(raw) + 1e-12
    return weights / weights.sum()


@settings(max_examples=150, deadline=None)
@given(probs=probability_vectors(), width=st.integers(12, 100),
       true_label=st.integers(0, 9))
def test_bar_length_monotone_and_width_kept(probs: np.ndarray, width: int,
                                            true_label: int) -> None:
    names = DIGITS[:len(probs)]
    lines = probability_bars(probs, names, width, int(np.argmax(probs)),
                             true_label % len(probs))
    assert len(lines) == len(probs)
    assert all(line.cell_len <= width for line in lines)
    steps = [bar_steps(line) for line in lines]
    order = np.argsort(probs, kind="stable")
    assert all(steps[a] <= steps[b] for a, b in pairwise(order))


def test_verdict() -> None:
    assert verdict(3, 3) == "✓ correct"
    assert verdict(7, 3) == "✗ wrong (true 3)"
    assert verdict(0, 1, ("cat", "dog")) == "✗ wrong (true dog)"


# ---------------------------------------------------------------- features and confusion


def test_feature_lines_fit_and_say_how_many_are_hidden() -> None:
    names = tuple(f"feature number {i}" for i in range(13))
    lines = feature_lines(names, np.arange(13) * 1.5, width=20, rows=5)
    assert len(lines) == 5
    assert lines[-1].plain == "… 9 more"
    assert all(line.cell_len <= 20 for line in lines)
    assert lines[1].plain.endswith("1.5")


def test_confusion_fits_38_columns_with_styled_diagonal() -> None:
    matrix = np.diag(np.full(10, 27))
    matrix[3, 5] = 2
    styles = ConfusionStyles(correct="green", error="red", zero="dim", header="bold")
    lines = confusion_lines(matrix, DIGITS, width=38, styles=styles)
    assert lines[0].plain == "confusion (test, n=272) acc 0.993"
    assert len(lines) == 12
    assert all(line.cell_len <= 38 for line in lines)
    row3 = lines[2 + 3]

    def style_at(column: int) -> str:
        return next(str(s.style) for s in row3.spans if s.start <= column < s.end)

    cell = (row3.cell_len - 3) // 10
    assert row3.plain[3 + 5 * cell:3 + 6 * cell].strip() == "2"
    assert style_at(3 + 5 * cell + cell - 1) == "red"
    assert style_at(3 + 3 * cell + cell - 1) == "green"
    assert style_at(3 + 0 * cell + cell - 1) == "dim"


def test_confusion_with_long_class_names_cuts_the_names_not_the_matrix() -> None:
    """Fashion-MNIST's names in the 35 columns of the 120x40 layout: every count shows."""
    names = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
             "Sneaker", "Bag", "Ankle boot")
    matrix = np.diag(np.full(10, 9)) + 1
    lines = [line.plain for line in confusion_lines(matrix, names, 35)]
    assert all(len(line) <= 35 for line in lines)
    assert lines[2].startswith("T-sh… 10") and lines[-1].startswith("Ankl…")
    assert [int(v) for v in lines[2].split()[1:]] == [10, *([1] * 9)]
