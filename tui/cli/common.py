"""What every command shares: the program's name, the one-line error and the training settings
read from the options. Apart from `main` so a command module never imports the parser."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields

from engine.nn.spec import TrainConfig

PROG = "nn-tui"
AUTO_NAME = ""  # `--save` without a name: one made from the dataset and the layers
CONFIG = TrainConfig()


def fail(message: str) -> int:
    """Prints `nn-tui: error: <first line>` on stderr; returns the exit status 2."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    print(f"{PROG}: error: {first}", file=sys.stderr)
    return 2


def train_config(args: argparse.Namespace) -> TrainConfig:
    """The TrainConfig the options describe, checked (a bad value raises the engine's error)."""
    settings = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if hasattr(args, f.name)}
    return TrainConfig(**settings).checked()
