"""`--features` and `--noise`: the data options the app's editor offers (Playground's extra inputs
for 2-D data, the noise of a generated set), on the command line of `nn-tui train` and of the app
(`nn-tui --dataset moons --features x1^2,x1*x2 --noise 0.3`).

`DATA_OPTIONS` joins `tui.cli.train_options.TRAIN_OPTIONS`; `parse_features` is its argparse type
(a bad name is a usage error: one line listing the valid names, status 2), and `check_data_options`
raises a one-line DatasetError when `--noise` is given for a set that is not generated. The
features are spelled as the editor shows them (`x1²`, `x1·x2`) or in plain ASCII (`x1^2`,
`x1*x2`, `sin x1` or `sinx1`); x1 and x2 are always inputs and may be named too.
"""

from __future__ import annotations

import argparse

from engine.data.features import BASE, EXTRA_FEATURES
from engine.errors import DatasetError

GENERATED = ("moons", "circles", "xor", "spiral", "sine")  # the sets `--noise` shapes
SHOWN = {"x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2"}  # as the editor writes them


def _key(name: str) -> str:
    """A name as compared: no spaces, the editor's ² and · as ^2 and *."""
    return "".join(name.split()).replace("²", "^2").replace("·", "*").lower()


KNOWN = {_key(n): n for n in (*BASE, *EXTRA_FEATURES)}


def parse_features(text: str) -> tuple[str, ...]:
    """`x1^2,x1*x2,sin x1` -> the extra inputs in Playground's order, each once (x1 and x2 are
    dropped: always there). ArgumentTypeError names the valid ones."""
    names = [part for part in (p.strip() for p in text.split(",")) if part]
    chosen: set[str] = set()
    for name in names:
        known = KNOWN.get(_key(name))
        if known is None:
            valid = ", ".join(EXTRA_FEATURES)
            raise argparse.ArgumentTypeError(f"unknown input feature '{name}' (choose from "
                                             f"{valid}, comma-separated)")
        chosen.add(known)
    return tuple(n for n in EXTRA_FEATURES if n in chosen)


def parse_noise(text: str) -> float:
    """A noise level: a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0 (got {text})")
    return value


DATA_OPTIONS: dict[str, tuple[object, dict]] = {
    "--features": (None, {"type": parse_features, "metavar": "NAMES",
                        "help": "Playground's extra inputs for 2-D data, comma-separated: "
                                f"{','.join(EXTRA_FEATURES)} (quote the sin ones)"}),
    "--noise": (None, {"type": parse_noise, "metavar": "F",
                       "help": f"the noise of a generated set ({', '.join(GENERATED)}; "
                               "default: the set's own)"}),
}


def check_data_options(args: argparse.Namespace) -> None:
    """Raises DatasetError (one line) when these options cannot go together. Whether a dataset
    has the 2 coordinates `--features` needs is known once it is loaded (`load_dataset` says)."""
    noise, features = getattr(args, "noise", None), getattr(args, "features", None)
    if getattr(args, "model", None) and (noise is not None or features):
        raise DatasetError("--noise and --features shape a new dataset: not with --model (it "
                           "keeps its own)")
    dataset = getattr(args, "dataset", None) or "digits"
    if noise is not None and dataset not in GENERATED:
        raise DatasetError(f"--noise: only the generated sets take it ({', '.join(GENERATED)}), "
                           f"not {dataset}")
