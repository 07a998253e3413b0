"""The training log's text: one line per epoch, cut down to the fields that fit the log's width,
and one timestamped line per event. Pure functions, tested without an app.

Epoch lines keep fixed columns: every figure has a fixed width (`fixed` gives up decimals before
it gives up width, so a loss of 12.3456 reads 12.346 in the column 0.3142 uses) and the epoch is
right-aligned to the run's last epoch, so the lines of a run stay aligned however they grow. An
event line too long for the log wraps under its text, not under its timestamp.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from engine import SCHEDULES, EpochEnd, Event, Started, TrainConfig
from tui.numbers import WIDEST_COMPACT, compact_number


def fixed(value: float, width: int, decimals: int) -> str:
    """`value` right-aligned in `width` columns with up to `decimals` decimals: fewer decimals
    when it would not fit (12.3456 -> "12.346" in 6), and only a number with more digits than
    `width` before its point grows past it (in e-notation beyond a million)."""
    if not math.isfinite(value):
        return f"{value}".rjust(width)
    for places in range(decimals, -1, -1):
        text = f"{value:.{places}f}"
        if len(text) <= width:
            return text.rjust(width)
    return (text if abs(value) < 1e6 else f"{value:.1e}").rjust(width)


@dataclass(frozen=True)
class Field:
    """One figure of an epoch line: its label, how to read it, its width and decimals."""

    label: str
    read: Callable[[EpochEnd], float | None]
    width: int
    decimals: int

    def text(self, event: EpochEnd) -> str | None:
        value = self.read(event)
        return None if value is None else f"{self.label} {fixed(value, self.width, self.decimals)}"


FIGURES: dict[str, Field] = {field.label: field for field in (
    Field("loss", lambda e: e.train_loss, 6, 4),
    Field("acc", lambda e: e.train_acc, 5, 3),
    Field("r2", lambda e: e.train_r2, 6, 3),
    Field("val_loss", lambda e: e.val_loss, 5, 3),
    Field("val_acc", lambda e: e.val_acc, 5, 3),
    Field("val_r2", lambda e: e.val_r2, 6, 3),
    Field("val_mae", lambda e: e.val_mae, 7, 3),
)}


def _epoch(event: EpochEnd, digits: int) -> str:
    return f"epoch {event.epoch:>{digits}}"


def _rate(event: EpochEnd) -> str:
    return f"{compact_number(event.samples_per_sec):>{len(WIDEST_COMPACT)}} samples/s"


# Line layouts from the fullest to the most compact; the first that fits the width is used.
# Each is (separator, figures, with the rate); the epoch always comes first.
EPOCH_LAYOUTS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("  ", ("loss", "acc", "r2", "val_loss", "val_acc", "val_r2", "val_mae"), True),
    (" ", ("loss", "acc", "r2", "val_loss", "val_acc", "val_r2", "val_mae"), False),
    (" ", ("loss", "acc", "r2", "val_acc", "val_r2"), False),
    (" ", ("loss", "val_acc", "val_r2"), False),
    (" ", ("val_acc", "val_r2"), False),
    (" ", ("loss",), False),
    (" ", (), False),
)


def _line(event: EpochEnd, layout: tuple[str, tuple[str, ...], bool], digits: int) -> str:
    separator, names, rate = layout
    parts = [_epoch(event, digits), *(FIGURES[name].text(event) for name in names)]
    if rate:
        parts.append(_rate(event))
    return separator.join(part for part in parts if part is not None)


def epoch_line(event: EpochEnd, width: int = 200, last_epoch: int = 0) -> str:
    """`epoch  20  loss 0.3142  acc 0.912  val_loss 0.351  val_acc 0.902   1.2k samples/s`,
    or a shorter layout when that does not fit in `width` columns. The epoch is right-aligned
    to `last_epoch`'s digits (at least three), so that a run's lines share their columns."""
    digits = max(3, len(str(last_epoch)), len(str(event.epoch)))
    return next((line for line in (_line(event, layout, digits) for layout in EPOCH_LAYOUTS)
                 if len(line) <= width), _line(event, EPOCH_LAYOUTS[-1], digits))


def event_line(event: Event | str, timestamp: str, width: int = 0) -> str:
    """`12:03:44  started: training to epoch 60 on 1257 samples`; with a `width`, a longer text
    is wrapped to it, each further line indented under the text (words are never split; in a
    narrow log, under the timestamp, so that the text keeps some room)."""
    text = event if isinstance(event, str) else event.text
    line = f"{timestamp}  {text}"
    indent = len(timestamp) + 2 if width >= 40 else 0
    if width <= 10 or len(line) <= width:
        return line
    return "\n".join(textwrap.wrap(line, width, subsequent_indent=" " * indent,
                                   break_long_words=False, break_on_hyphens=False))


def schedule_note(config: TrainConfig, started: Started) -> str | None:
    """What lr schedule a run follows, said when it starts (None for a constant lr): each run
    follows it over its own epochs, so a continued run restarts it. `continuing with cosine
    restarted over 60 epochs, lr 0.001 → 6.9e-07` (the lr of the run's first and last epochs)."""
    length = started.target_epoch - started.epoch
    if config.schedule == "constant" or config.schedule not in SCHEDULES or length < 1:
        return None
    schedule = SCHEDULES[config.schedule]
    try:
        first = schedule(config.lr, 0, length, **config.schedule_options)
        last = schedule(config.lr, length - 1, length, **config.schedule_options)
    except (TypeError, ValueError, ArithmeticError):  # options of another schedule: say less
        return f"lr schedule {config.schedule} over {length} epochs"
    lr = f"lr {first:g} → {last:.2g}"
    if started.epoch == 0:
        return f"training with {config.schedule} over {length} epochs, {lr}"
    return f"continuing with {config.schedule} restarted over {length} epochs, {lr}"
