"""The options the app (`nn-tui --lr 0.01`) and `nn-tui train` share (`TRAIN_OPTIONS`, with the
data options of `data_options`), added to a parser by `add_train_options` with or without their
defaults, and the help of `train --json`.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from engine.data.datasets import dataset_names
from engine.nn.activations import ACTIVATIONS
from engine.nn.losses import LOSSES
from engine.nn.optimizers import OPTIMIZERS
from tui.cli.common import CONFIG
from tui.cli.data_options import DATA_OPTIONS


def listed(names: Iterable[object]) -> str:
    """`a, b, c`: a registry's names for a --help line."""
    return ", ".join(str(n) for n in names)


# The options shared by the app (`nn-tui --lr 0.01`) and `nn-tui train`: flag -> (default, kwargs).
TRAIN_OPTIONS: dict[str, tuple[object, dict]] = {
    "--dataset": (None, {"metavar": "NAME|PATH",
                         "help": f"a built-in dataset ({listed(dataset_names())}; `nn-tui "
                                 "datasets` says what each teaches), mnist or fashion_mnist "
                                 "(downloaded once), a .csv/.npz file or MNIST's "
                                 "train-images-idx3-ubyte[.gz] (default digits; with a model, "
                                 "the one it was trained on)"}),
    "--layers": (None, {"metavar": "SPEC", "help": "layers after the input, UNITS:ACTIVATION "
                        "comma-separated, e.g. 100:relu,10:softmax; activations: "
                        f"{listed(ACTIVATIONS)} (default: 100 relu units, then an output "
                        "layer that fits the dataset)"}),
    "--loss": (None, {"help": f"{listed(LOSSES)} (default: the one that suits the output "
                      "activation)"}),
    "--optimizer": (CONFIG.optimizer, {"help": listed(OPTIMIZERS)}),
    "--lr": (CONFIG.lr, {"type": float, "metavar": "F", "help": "learning rate"}),
    "--momentum": (CONFIG.momentum, {"type": float, "metavar": "F"}),
    "--l2": (CONFIG.l2, {"type": float, "metavar": "F", "help": "weight decay"}),
    "--batch-size": (CONFIG.batch_size, {"type": int, "metavar": "N",
                                         "help": "0 for the full batch"}),
    "--epochs": (CONFIG.epochs, {"type": int, "metavar": "N"}),
    "--patience": (CONFIG.patience, {"type": int, "metavar": "N",
                                     "help": "early stopping after N epochs without a better "
                                             "validation loss; 0 turns it off"}),
    "--seed": (CONFIG.seed, {"type": int, "metavar": "N"}),
    "--val-size": (0.15, {"type": float, "metavar": "F", "help": "validation fraction"}),
    "--test-size": (0.15, {"type": float, "metavar": "F", "help": "test fraction"}),
    **DATA_OPTIONS,
}


def add_train_options(parser: argparse.ArgumentParser, top_level: bool) -> None:
    """At the top level the options carry their defaults; under `train` they default to
    SUPPRESS, so `nn-tui --lr 0.1 train` and `nn-tui train --lr 0.1` mean the same."""
    for flag, (default, kwargs) in TRAIN_OPTIONS.items():
        kwargs = dict(kwargs)
        if default is not None:
            kwargs["help"] = f"{kwargs.get('help', '')} (default {default})".strip()
        parser.add_argument(flag, default=default if top_level else argparse.SUPPRESS,
                            **kwargs)


JSON_DONE = ('one JSON object a line: "started", then an "epoch" object per epoch, then '
             '"done" with the test scores, "epochs", "seconds" (the wall time of the training '
             'loop, printing included), "epoch_seconds" (the sum of the epochs\' own times), '
             '"params" and "saved"; an error is {"event": "error", "message": ...}, status 2')
