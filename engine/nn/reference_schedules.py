"""The reference learning-rate schedules (see `engine.nn.reference`): constant, step and
cosine, each a formula of the epoch."""

from __future__ import annotations

import math
from collections.abc import Callable

Schedule = Callable[..., float]


# `schedule(base_lr, epoch, total_epochs, **options) -> lr`, with epochs counted from 0.


def constant(base_lr: float, epoch: int, total: int) -> float:
    """lr = base_lr, every epoch."""
    return base_lr


def step(base_lr: float, epoch: int, total: int, every: int = 20, gamma: float = 0.5) -> float:
    """Step decay: lr = base_lr * gamma^floor(epoch / every) (every < 1 counts as 1)."""
    every = max(1, every)
    return base_lr * gamma ** math.floor(epoch / every)


def cosine(base_lr: float, epoch: int, total: int, min_lr: float = 0.0) -> float:
    """Cosine annealing from base_lr at epoch 0 to min_lr at epoch `total` (and after):

        lr = min_lr + (base_lr - min_lr) (1 + cos(pi p)) / 2,   p = min(1, epoch / total)
    """
    progress = min(1.0, epoch / max(1, total))
    return min_lr + (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress)) / 2


SCHEDULES: dict[str, Schedule] = {"constant": constant, "step": step, "cosine": cosine}
