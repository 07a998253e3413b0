"""Learning-rate schedules: `(base_lr, epoch, total_epochs, **options) -> lr`, epoch from 0."""

from __future__ import annotations

import math
from collections.abc import Callable

Schedule = Callable[..., float]


def constant(base_lr: float, epoch: int, total: int) -> float:
    """lr = base_lr throughout."""
    return base_lr


def step(base_lr: float, epoch: int, total: int, every: int = 20, gamma: float = 0.5) -> float:
    """lr = base_lr * gamma^(epoch // every): halved every 20 epochs by default."""
    return base_lr * gamma ** (epoch // max(1, every))


def cosine(base_lr: float, epoch: int, total: int, min_lr: float = 0.0) -> float:
    """lr from base_lr down to min_lr along half a cosine over the `total` epochs."""
    progress = min(1.0, epoch / max(1, total))
    return min_lr + 0.5 * (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress))


SCHEDULES: dict[str, Schedule] = {"constant": constant, "step": step, "cosine": cosine}
"""Every schedule by name: `(base_lr, epoch, total_epochs, **options) -> lr`, a float (no
arrays: the optimizer scales its whole-buffer step by it)."""
