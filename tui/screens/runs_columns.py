"""The runs screen's columns (`COLUMNS`): each one's header, its text for a run, the value it
sorts by and how useful it is; `arranged` sorts and filters the rows, `fitting` picks the
columns a terminal's width holds whole (the least useful left out, never one cut)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from engine import RunRow


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None or not math.isfinite(value) else format(value, fmt)


def _score(row: RunRow) -> str:
    if row.test_accuracy is None:
        return "–"
    return f"R² {row.test_accuracy:.3f}" if row.is_regression else f"{row.test_accuracy:.3f}"


@dataclass(frozen=True)
class Column:
    """A column: its header, its text for a row, the value it sorts by, and how useful it is
    (`keep`: in a narrow terminal the least useful columns go first, whole)."""

    header: str
    text: Callable[[RunRow], str]
    key: Callable[[RunRow], Any]
    right: bool = False
    keep: int = 50


def _none_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


COLUMNS: tuple[Column, ...] = (
    Column("id", lambda r: f"{SELECTED_MARK} {r.id}", lambda r: r.id, right=True, keep=100),
    Column("date (UTC)", lambda r: r.started[5:16].replace("T", " "), lambda r: r.started,
           keep=30),
    Column("dataset", lambda r: r.dataset, lambda r: r.dataset, keep=90),
    Column("optimizer", lambda r: r.optimizer, lambda r: r.optimizer, keep=85),
    Column("lr", lambda r: f"{r.lr:g}", lambda r: r.lr, right=True, keep=80),
    Column("batch", lambda r: str(r.batch_size) if r.batch_size else "all",
           lambda r: r.batch_size, right=True, keep=55),
    Column("epochs", lambda r: str(r.epochs_done), lambda r: r.epochs_done, right=True,
           keep=65),
    Column("val loss", lambda r: _num(r.best_val_loss, ".4f"),
           lambda r: _none_last(r.best_val_loss), right=True, keep=70),
    Column("test", _score, lambda r: _none_last(r.test_accuracy), right=True, keep=75),
    Column("secs", lambda r: _num(r.seconds, ".1f"), lambda r: r.seconds, right=True,
           keep=20),
    Column("status", lambda r: STATUS_TEXT.get(r.status, r.status), lambda r: r.status,
           keep=60),
    Column("layers", lambda r: r.layers, lambda r: r.layers, keep=40),
    Column("from", lambda r: r.source, lambda r: r.source, keep=10),
)
CELL_PADDING = 1  # the table's blank columns on each side of a cell (DataTable's default)
SORT_MARK = 2  # " ↓" after the sorted column's header


def fitting(rows: Sequence[RunRow], width: int, sort_column: int) -> list[int]:
    """The columns (indices into COLUMNS) that fit in `width` cells, each whole, header and
    all, the most useful first: the least useful are those left out. The id and the sorted
    column always stay."""
    widths = [max([len(column.header) + (SORT_MARK if i == sort_column else 0),
                   *(len(column.text(row)) for row in rows)]) + 2 * CELL_PADDING
              for i, column in enumerate(COLUMNS)]
    kept = {0, sort_column}
    for index in sorted(range(len(COLUMNS)), key=lambda i: -COLUMNS[i].keep):
        if index not in kept and sum(widths[i] for i in kept) + widths[index] <= width:
            kept.add(index)  # (a narrow column may still fit where a wider one did not)
    return sorted(kept)
STATUS_TEXT = {"early_stopped": "early stop"}
SELECTED_MARK = "●"  # the first cell of a selected row (a glyph: reads without colour)


def arranged(rows: Sequence[RunRow], column: int, descending: bool,
             dataset: str | None) -> list[RunRow]:
    """`rows` of `dataset` (all for None), sorted by `column` (ties: newest first)."""
    kept = [row for row in rows if dataset is None or row.dataset == dataset]
    kept.sort(key=lambda row: -row.id)
    return sorted(kept, key=lambda row: COLUMNS[column].key(row), reverse=descending)
