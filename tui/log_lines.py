"""The training log's text: one line per epoch, cut down to the fields that fit the log's width,
and one timestamped line per event. Pure functions, tested without an app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from engine import EpochEnd, Event
from tui.numbers import compact_number


def _figure(label: str, value: float | None, digits: int) -> str | None:
    return None if value is None else f"{label} {value:.{digits}f}"


# Each field of an epoch line, by name: (event, figure) -> text or None when it does not apply.
EPOCH_FIELDS: dict[str, Callable[[EpochEnd], str | None]] = {
    "epoch": lambda e: f"epoch {e.epoch}",
    "loss": lambda e: _figure("loss", e.train_loss, 4),
    "acc": lambda e: _figure("acc", e.train_acc, 3),
    "r2": lambda e: _figure("r2", e.train_r2, 3),
    "val_loss": lambda e: _figure("val_loss", e.val_loss, 3),
    "val_acc": lambda e: _figure("val_acc", e.val_acc, 3),
    "val_r2": lambda e: _figure("val_r2", e.val_r2, 3),
    "val_mae": lambda e: _figure("val_mae", e.val_mae, 3),
    "rate": lambda e: f"{compact_number(e.samples_per_sec)} samples/s",
}

# Line layouts from the fullest to the most compact; the first that fits the width is used.
EPOCH_LAYOUTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("  ", ("epoch", "loss", "acc", "r2", "val_loss", "val_acc", "val_r2", "val_mae", "rate")),
    (" ", ("epoch", "loss", "acc", "r2", "val_loss", "val_acc", "val_r2", "val_mae")),
    (" ", ("epoch", "loss", "acc", "r2", "val_acc", "val_r2")),
    (" ", ("epoch", "loss", "val_acc", "val_r2")),
)


WIDEST_RATE = 99_900.0  # "99.9k": the longest text compact_number gives


def _line(event: EpochEnd, layout: tuple[str, tuple[str, ...]]) -> str:
    separator, names = layout
    parts = (EPOCH_FIELDS[name](event) for name in names)
    return separator.join(part for part in parts if part is not None)


def epoch_line(event: EpochEnd, width: int = 200) -> str:
    """`epoch 20  loss 0.3142  acc 0.912  val_loss 0.351  val_acc 0.902  1.2k samples/s`,
    or a shorter layout when that does not fit in `width` columns. The layout is chosen as if
    the epoch had three digits and the rate its widest text, so that lines keep one layout as
    a run goes on."""
    probe = replace(event, epoch=max(event.epoch, 100), samples_per_sec=WIDEST_RATE)
    layout = next((layout for layout in EPOCH_LAYOUTS if len(_line(probe, layout)) <= width),
                  EPOCH_LAYOUTS[-1])
    return _line(event, layout)


def event_line(event: Event | str, timestamp: str) -> str:
    """`12:03:44  started: training to epoch 60 on 1257 samples`."""
    text = event if isinstance(event, str) else event.text
    return f"{timestamp}  {text}"
