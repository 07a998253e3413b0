"""Numbers as short text, one rule everywhere: the app's log and layer list, and the command
line's epoch lines, all show 1.2k, 126k, 6.5M the same way.

The standard library only (no Rich, no NumPy), so `nn-tui train` imports it without loading
anything of the interface.
"""

from __future__ import annotations

import math

SI_SUFFIXES = ("", "k", "M", "G")
WIDEST_COMPACT = "99.9k"  # the longest text compact_number gives below a billion


def _mantissa(value: float) -> str:
    """One decimal below 100 (a trailing .0 dropped), none from there up: 1.2, 2, 99.9, 126."""
    if abs(value) >= 99.95:
        return f"{value:.0f}"
    return f"{value:.1f}".removesuffix(".0")


def compact_number(value: float) -> str:
    """A count or a rate at a glance, at most five characters below a billion: 950, 1.2k,
    99.9k, 126k, 6.5M, 2.5G. Whole numbers below 1000 stay whole; a figure that rounds up to
    the next suffix takes it (999,999 is 1M, not 1000k)."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) < 999.5:
        return f"{value:.0f}"
    for power, suffix in enumerate(SI_SUFFIXES[1:-1], start=1):
        text = _mantissa(value / 1000.0 ** power)
        if abs(float(text)) < 1000:
            return text + suffix
    return _mantissa(value / 1000.0 ** (len(SI_SUFFIXES) - 1)) + SI_SUFFIXES[-1]


def format_number(value: float) -> str:
    """A measured value to four significant figures: 0.731, 151.2, 1.2e+04."""
    return f"{value:.4g}"


def score_text(accuracy: float | None, r2: float | None, same_rows: bool = False) -> str:
    """The status line's score: `test acc 0.953`, or `test R² 0.871` for regression;
    `train=test acc 1.000` when the test split is the training rows (people, the gates)."""
    split = "train=test" if same_rows else "test"
    if accuracy is not None:
        return f"{split} acc {accuracy:.3f}"
    return f"{split} R² {r2 if r2 is not None else math.nan:.3f}"


def step_number(value: float) -> str:
    """A number of the forward and backward pass: 4 decimals, as the tutorials print them
    (0.7216), or 4 significant digits where 4 decimals would hide it (3.172e-05); -0 reads 0."""
    value = float(value) + 0.0
    if not math.isfinite(value):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:.4f}"
    return f"{value:.3e}"
