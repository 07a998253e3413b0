"""What a sweep varies, as a person writes it: `--grid lr=0.001,0.01` (a setting and its values)
and `--seeds 0-4`, read and checked (`SpecError` naming the option) before any job is made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.errors import SpecError


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, not {text!r}")


# What a grid may vary -> how its values are read. TrainConfig's fields, and the model's.
GRID_KEYS: dict[str, Callable[[str], Any]] = {
    "lr": float, "momentum": float, "l2": float, "batch_size": int, "epochs": int,
    "patience": int, "optimizer": str, "schedule": str, "nesterov": _bool, "dtype": str,
    "layers": str, "loss": str,
}
MODEL_KEYS = ("layers", "loss")
MAX_JOBS = 10_000


def parse_grid(text: str) -> tuple[str, tuple[Any, ...]]:
    """`"lr=0.001,0.01"` -> ("lr", (0.001, 0.01)). Values are split on `;` when there is one
    (`"layers=32:relu,3:softmax;8:relu,3:softmax"`), else on `,`."""
    key, sep, values = text.partition("=")
    key = key.strip().replace("-", "_")
    if not sep or not key:
        raise SpecError(f"--grid {text!r}: expected NAME=V1,V2 (e.g. lr=0.001,0.01)")
    if key not in GRID_KEYS:
        raise SpecError(f"--grid {text!r}: cannot vary '{key}' (choose from "
                        f"{', '.join(GRID_KEYS)})")
    parts = [v.strip() for v in values.split(";" if ";" in values else ",")]
    if not all(parts):
        raise SpecError(f"--grid {text!r}: an empty value")
    try:
        parsed = tuple(dict.fromkeys(GRID_KEYS[key](v) for v in parts))
    except ValueError as exc:
        raise SpecError(f"--grid {text!r}: {exc}") from None
    return key, parsed


def parse_seeds(text: str) -> tuple[int, ...]:
    """`"0-4"` -> (0, 1, 2, 3, 4); `"1,5,7"` and `"3"` as written."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            low, dash, high = part.strip().partition("-")
            first, last = int(low), int(high) if dash else int(low)
            if last < first or first < 0:
                raise ValueError
            seeds.extend(range(first, last + 1))
    except ValueError:
        raise SpecError(f"--seeds {text!r}: expected e.g. 0-4 or 1,5,7 (seeds >= 0)") from None
    if len(seeds) > MAX_JOBS:
        raise SpecError(f"--seeds {text!r}: more than {MAX_JOBS} seeds")
    return tuple(dict.fromkeys(seeds))
