"""Training pace: full speed, or slowed to a number of epochs a person can watch each second.

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
