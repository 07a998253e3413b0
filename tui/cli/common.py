"""What every command shares: the program's name, the one-line error and the training settings
read from the options. Apart from `main` so a command module never imports the parser."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields

from engine.nn.spec import TrainConfig

PROG = "nn-tui"
AUTO_NAME = ""  # `--save` without a name: one made from the dataset and the layers
CONFIG = TrainConfig()


def fail(message: str, as_json: bool = False) -> int:
    """Prints `nn-tui: error: <first line>` on stderr, or with `as_json` the object
    `{"event": "error", "message": "<first line>"}` on stdout; returns the exit status 2."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    if as_json:
        print(json.dumps({"event": "error", "message": first}), flush=True)
    else:
        print(f"{PROG}: error: {first}", file=sys.stderr)
    return 2


def train_config(args: argparse.Namespace) -> TrainConfig:
    """The TrainConfig the options describe, checked (a bad value raises the engine's error)."""
    settings = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if hasattr(args, f.name)}
    return TrainConfig(**settings).checked()
