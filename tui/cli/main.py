"""The `nn-tui` command line: the parser and the dispatch. Without a command it opens the app;
each command lives in a module of its own (`train_command`, `model_commands`, `datasets_command`,
`app_command`), the options the app shares with `train` in `train_options`, and `tui.cli.output`
prints what they produce.

Bad input of any kind ends with status 2 and one line on stderr, `nn-tui: error: <reason>`, the
reason being the engine's own message; with `--json`, that line is `{"event": "error",
"message": "<reason>"}` on stdout instead, so a script reads every outcome as JSON.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from importlib import metadata
from typing import NoReturn

import tui
from engine.data.datasets import dataset_names
from engine.data.fetch import FETCHABLE, fetch
from engine.errors import EngineError
from engine.nn.schedules import SCHEDULES
from engine.nn.spec import BACKEND_NAMES
from tui.cli import runs as runs_cli
from tui.cli import sweep as sweep_cli
from tui.cli.app_command import cmd_app
from tui.cli.common import AUTO_NAME, CONFIG, PROG, fail
from tui.cli.datasets_command import cmd_datasets
from tui.cli.model_commands import cmd_evaluate, cmd_info, cmd_inspect, cmd_predict
from tui.cli.output import download_bar, emit_json
from tui.cli.train_command import cmd_train
from tui.cli.train_options import JSON_DONE, add_train_options, listed


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage itself is in --help)."""

    json_errors = False

    def error(self, message: str) -> NoReturn:
        flag = message.removeprefix("argument ").partition(":")[0]
        if message.endswith("expected one argument") and flag in VALUE_FORMS:
            message += f", e.g. {flag} {VALUE_FORMS[flag]}"
        fail(f"{message} (see {self.prog} --help)", as_json=self.json_errors)
        raise SystemExit(2)


class _JsonParser(_Parser):
    """The command line asked for JSON: a usage error is a JSON object too. Its subcommands'
    parsers are of its class (argparse's default), so theirs are as well."""

    json_errors = True


def version() -> str:
    """The installed distribution's version; the package's own when run from a checkout."""
    try:
        return metadata.version("nn-tui")
    except metadata.PackageNotFoundError:
        return tui.__version__


def build_parser(json_errors: bool = False) -> argparse.ArgumentParser:
    """The whole command line. `json_errors`: usage errors as a JSON object on stdout."""
    kind = _JsonParser if json_errors else _Parser
    parser = kind(prog=PROG, description="Design, train and look inside a small neural "
                  "network. Without a command, opens the app.")
    parser.add_argument("--version", action="version", version=f"{PROG} {version()}")
    add_train_options(parser, top_level=True)
    parser.add_argument("--model", metavar="MODEL", help="open a saved model in the app")
    runs_cli.add_runs_option(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser("train", help="train a network without the app")
    add_train_options(train, top_level=False)
    train.add_argument("--nesterov", action="store_true", help="Nesterov momentum")
    train.add_argument("--schedule", default=CONFIG.schedule,
                       help=f"learning-rate schedule: {listed(SCHEDULES)} (default "
                            f"{CONFIG.schedule})")
    train.add_argument("--dtype", default=CONFIG.dtype, help="float32 or float64 (default "
                       f"{CONFIG.dtype})")
    train.add_argument("--backend", default=CONFIG.backend, choices=BACKEND_NAMES,
                       help="who runs the steps: numba (compiled), numpy, auto (default)")
    train.add_argument("--threads", type=int, default=0, metavar="N", help="BLAS threads "
                       "(default 0: 1 for small products, else the cores left free)")
    train.add_argument("--save", nargs="?", const=AUTO_NAME, metavar="NAME",
                       help="save to saved_models/NAME.safetensors (or a path); without NAME, "
                            "a name made from the dataset and layers")
    train.add_argument("--json", action="store_true", help=JSON_DONE)
    loud = train.add_mutually_exclusive_group()
    loud.add_argument("--verbose", type=int, choices=(0, 1, 2), metavar="{0,1,2}",
                      help="as Keras' fit: 0 only the result, 1 a live progress bar with the "
                           "ETA and the latest scores, 2 one line an epoch (default 1 on a "
                           "terminal, 2 into a file or a pipe)")
    loud.add_argument("--quiet", "-q", dest="verbose", action="store_const", const=0,
                      help="the same as --verbose 0")
    runs_cli.add_runs_option(train)

    listing = commands.add_parser(
        "datasets", help="the built-in datasets, mnist and fashion_mnist, and what each teaches")
    listing.add_argument("--json", action="store_true",
                         help='one object a line: {"name", "task", "samples", "features", '
                              '"classes" or "targets", "about"}; mnist and fashion_mnist '
                              'add "fetched" (in the cache) and "download_mb"')

    evaluate = commands.add_parser("evaluate", help="score a saved model on its test split")
    evaluate.add_argument("model", metavar="MODEL", help="a name in saved_models/ or a path")
    evaluate.add_argument("--dataset", default=argparse.SUPPRESS, metavar="NAME|PATH",
                          help="another dataset that fits the model: a built-in "
                               f"({listed(dataset_names())}) or a .csv/.npz file (default: "
                               "its own)")
    evaluate.add_argument("--json", action="store_true")

    info = commands.add_parser("info", help="summarise a saved model")
    info.add_argument("model", metavar="MODEL", help="a name in saved_models/ or a path")
    info.add_argument("--json", action="store_true")

    predict = commands.add_parser(
        "predict", help="the network's output for inputs you type",
        description="The network's output for each --input, with the predicted class (or the "
                    "predicted values, for regression). Inputs are raw feature values, as in "
                    "the dataset (digits pixels 0..16, iris lengths in cm): the input scaling "
                    "saved with the model is applied before the network sees them, as in "
                    "training. people and the logic gates have no scaling; nor does a file "
                    "saved with Network.save alone, whose classes go by index.")
    predict.add_argument("model", metavar="MODEL", help="a name in saved_models/ or a path")
    predict.add_argument("--input", action="append", required=True, metavar="X1,X2,...",
                         help="one sample's raw feature values, comma-separated (e.g. -7,-3); "
                              "repeat for more samples")
    predict.add_argument("--json", action="store_true",
                         help='one object a line: {"input", "output", "predicted"}; predicted '
                              "is the class name (its index if the model names no classes), "
                              "or for regression a list of values in the dataset's units")

    inspect = commands.add_parser(
        "inspect", help="one sample's forward and backward pass, every number",
        description="One forward and backward pass for one sample: each layer's z, a, "
                    "delta = dL/dz, dW (in, out) and db, and the loss the model was trained "
                    "with, on that sample alone. Either --input and --target (raw values, "
                    "scaled with the model's saved scaling, as predict does), or --sample N: "
                    "sample N (counted from 1, as the app's sample viewer counts) of the test "
                    "split of --dataset (default: the dataset "
                    "the model was trained on, split as in training: the split evaluate "
                    "scores), taken after scaling, exactly as the network sees it.")
    inspect.add_argument("model", metavar="MODEL", help="a name in saved_models/ or a path")
    inspect.add_argument("--input", metavar="X1,X2,...",
                         help="one sample's raw feature values, comma-separated")
    inspect.add_argument("--target", metavar="Y",
                         help="its true class (name or index 0..classes-1) or, for regression, "
                              "its true values in the dataset's units, comma-separated")
    inspect.add_argument("--dataset", metavar="NAME|PATH",
                         help="with --sample: a dataset that fits the model, a built-in "
                              f"({listed(dataset_names())}) or a .csv/.npz file (default: its "
                              "own)")
    inspect.add_argument("--sample", type=int, metavar="N",
                         help="sample N of the dataset's test split, counted from 1 as in the "
                              "app's viewer (people and the logic gates: the whole table, in "
                              "order)")
    inspect.add_argument("--json", action="store_true",
                         help='one object: {"loss", "output", "layers": [{"z", "a", "delta", '
                              '"dW", "db"}, ...], ...}')
    runs_cli.add_parser(commands)
    sweep_cli.add_parser(commands, add_train_options)
    return parser


# Options whose value may start with a minus sign (`--input -7,-3`, or a mistyped `--layers
# -5:relu`), which argparse would take for an option: `main` glues such a value to its flag
# (`--input=-7,-3`) first, so the value itself is checked and its fault named. A value starting
# with `--` is an option (the value was forgotten) and is left for argparse to say so.
NUMBER_OPTIONS = ("--input", "--target", "--layers")

# How each such value is written: the example when argparse finds none after the flag.
VALUE_FORMS = {"--input": "-7,-3", "--target": "2", "--layers": "100:relu,10:softmax"}


def _glue_negative_values(argv: list[str]) -> list[str]:
    glued: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            glued += [token, *tokens]
            break
        if token in NUMBER_OPTIONS:
            value = next(tokens, None)
            if value is not None and value.startswith("-") and not value.startswith("--") \
                    and value != "-h" and (token != "--layers" or value[1:2].isdigit()):
                token = f"{token}={value}"
            elif value is not None:
                glued.append(token)
                token = value
        glued.append(token)
    return glued


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_app,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "info": cmd_info,
    "predict": cmd_predict,
    "inspect": cmd_inspect,
    "datasets": cmd_datasets,
    "runs": runs_cli.cmd_runs,
    "sweep": sweep_cli.cmd_sweep,
}


def wants_json(argv: list[str]) -> bool:
    """Whether `--json` is among the options (before a `--`): errors are then JSON too."""
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in options


def _show_download(file: str, done: int, total: int) -> None:
    print("\r" + download_bar(file, done, total), end="", file=sys.stderr, flush=True)
    if total and done >= total:
        print(file=sys.stderr)


def _fetch_first(args: argparse.Namespace) -> None:
    """mnist and fashion_mnist are downloaded here, with a bar on stderr, before anything
    starts; later runs find them in the cache."""
    name = getattr(args, "dataset", None)
    if name in FETCHABLE:
        fetch(name, _show_download if sys.stderr.isatty() else None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    as_json = wants_json(argv)
    args = build_parser(json_errors=as_json).parse_args(_glue_negative_values(argv))
    try:
        _fetch_first(args)
        return COMMANDS[args.command](args)
    except EngineError as exc:
        return fail(str(exc), as_json=as_json)
    except KeyboardInterrupt:
        if as_json:
            emit_json({"event": "interrupted"})
        print("interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        return fail("not enough memory for this network or dataset", as_json=as_json)
    except BrokenPipeError:  # `nn-tui train --json | head`: the reader left; so do we
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
