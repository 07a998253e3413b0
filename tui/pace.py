"""Training pace: full speed, or slowed to a number of epochs a person can watch each second, and
how often the views follow a run at each speed.

A default digits run takes well under a second at full speed; the default pace stretches its 60
epochs over about four seconds. `[` and `]` step through `PACES`.
"""

from __future__ import annotations

Pace = float | None  # epochs per second; None is full speed

PACES: tuple[Pace, ...] = (1, 2, 5, 15, 30, 60, 120, None)
DEFAULT_PACE: Pace = 15


def slower(pace: Pace) -> Pace:
    index = PACES.index(pace) if pace in PACES else PACES.index(DEFAULT_PACE)
    return PACES[max(index - 1, 0)]


def faster(pace: Pace) -> Pace:
    index = PACES.index(pace) if pace in PACES else PACES.index(DEFAULT_PACE)
    return PACES[min(index + 1, len(PACES) - 1)]


def pace_label(pace: Pace) -> str:
    if pace is None:
        return "full speed"
    return f"{pace:g} epoch/s" if pace == 1 else f"{pace:g} epochs/s"


# How often the views follow a run, by speed. At full speed every bit of UI work takes the GIL
# from the training thread (a redraw costs ~25 ms, mostly plotext), so the app looks less often,
# and the runner scores the test split no more often than the views can show it.
DRAIN_SECONDS = {"paced": 0.1, "full speed": 0.25}  # events drained: the log and status line
# Charts, viewer and confusion matrix redrawn (and the test split scored): three times a second is
# as live as a person follows them, and each redraw sends the terminal what changed.
VIEW_SECONDS = {"paced": 0.33, "full speed": 1.0}
# Each line the log shows scrolls it, and a scroll sends the terminal every row of the log: while
# a run goes on, its epoch lines are written together at most this often (an event, a pause or
# the end at once).
LOG_SECONDS = {"paced": 0.5, "full speed": 1.0}


def speed(pace: Pace) -> str:
    """"paced" or "full speed": the key of DRAIN_SECONDS, VIEW_SECONDS and LOG_SECONDS."""
    return "paced" if pace else "full speed"
