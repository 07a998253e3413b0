"""`nn-tui` without a command: check the options here, then open the app with them."""

from __future__ import annotations

import argparse

from engine.data.fetch import FETCHABLE
from engine.io.model_folder import model_path
from engine.io.model_reader import load_network
from engine.nn.spec import parse_layers
from tui.cli.common import train_config
from tui.sessions import Preset
from tui.settings import load_settings


def cmd_app(args: argparse.Namespace) -> int:
    """Checks the options as `nn-tui train` would, before Textual starts (a bad one is one
    line and status 2, not an app that falls back to digits), then hands them to the app
    (`tui.app.run_app`) with the experiment they describe, built once."""
    train_config(args)
    if args.layers:
        parse_layers(args.layers)
    if args.model:
        args.model = str(model_path(args.model))
        load_network(args.model)  # a missing or damaged file fails here, in one line
    elif args.dataset is None:  # the command line's, else config.toml's, else digits
        args.dataset = load_settings().settings.dataset or "digits"
    # The dataset, the layers against it and the loss: the app takes this experiment as its
    # first. (mnist's 70 000 images are left to the app's loading screen; they were fetched.)
    args.first = None if args.dataset in FETCHABLE else Preset.from_namespace(args).build()
    from tui.app import run_app  # here, not at the top: `train` and `info` never load Textual

    return int(run_app(args) or 0)
