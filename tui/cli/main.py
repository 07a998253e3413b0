"""The `nn-tui` command: the app by default, and headless `train`, `evaluate`, `info`, `predict`
(the network's output for inputs typed on the command line) and `inspect` (one sample's forward
and backward pass, every number of backprop).

Options and commands only: the training loop is `Trainer.run()`, and `tui.cli.output` prints its
events as aligned lines or as JSON, one object a line. Bad input of any kind ends with status 2 and
one line on stderr, `nn-tui: error: <reason>`, the reason being the engine's own message. A
trained run whose save fails is kept under another name, said in one such line, with status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import NoReturn

import numpy as np

from engine.errors import EngineError, ModelFileError
from engine.experiment import Experiment
from engine.inside.step_trace import trace_step
from engine.io.model_file import load_network
from engine.io.model_folder import MAX_FILE_NAME, MODELS_DIR, SUFFIX, model_path, suggest_name
from engine.nn.losses import LOSSES
from engine.nn.optimizers import OPTIMIZERS
from engine.nn.schedules import SCHEDULES
from engine.nn.spec import TrainConfig, parse_layers
from engine.train.events import Event
from tui.cli.data_options import DATA_OPTIONS, check_data_options
from tui.cli.inside_output import (
    prediction_dict,
    prediction_line,
    trace_dict,
    trace_lines,
    vector,
)
from tui.cli.model_inputs import InputError, SavedModel, dataset_sample
from tui.cli.output import (
    HumanOutput,
    JsonOutput,
    emit_json,
    info_summary,
    print_evaluation,
    print_info,
)

PROG = "nn-tui"
AUTO_NAME = ""  # `--save` without a name: one made from the dataset and the layers
CONFIG = TrainConfig()


def _fail(message: str) -> int:
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    print(f"{PROG}: error: {first}", file=sys.stderr)
    return 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage itself is in --help)."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see {self.prog} --help)")
        raise SystemExit(2)


# ---------------------------------------------------------------- options

# The options shared by the app (`nn-tui --lr 0.01`) and `nn-tui train`: flag -> (default, kwargs).
TRAIN_OPTIONS: dict[str, tuple[object, dict]] = {
    "--dataset": (None, {"metavar": "NAME|PATH",
                         "help": "a built-in dataset or a .csv/.npz file (default digits; "
                                 "with a model, the one it was trained on)"}),
    "--layers": (None, {"metavar": "SPEC", "help": "layers after the input, e.g. "
                        "100:relu,10:softmax (default: 100 relu units, then an output layer "
                        "that fits the dataset)"}),
    "--loss": (None, {"help": f"{', '.join(LOSSES)} (default: the one that suits the output "
                      "activation)"}),
    "--optimizer": (CONFIG.optimizer, {"help": f"{', '.join(OPTIMIZERS)}"}),
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


def _add_train_options(parser: argparse.ArgumentParser, top_level: bool) -> None:
    """At the top level the options carry their defaults; under `train` they default to
    SUPPRESS, so `nn-tui --lr 0.1 train` and `nn-tui train --lr 0.1` mean the same."""
    for flag, (default, kwargs) in TRAIN_OPTIONS.items():
        kwargs = dict(kwargs)
        if default is not None:
            kwargs["help"] = f"{kwargs.get('help', '')} (default {default})".strip()
        parser.add_argument(flag, default=default if top_level else argparse.SUPPRESS,
                            **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Design, train and look inside a small neural "
                     "network. Without a command, opens the app.")
    _add_train_options(parser, top_level=True)
    parser.add_argument("--model", metavar="MODEL", help="open a saved model in the app")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser("train", help="train a network without the app")
    _add_train_options(train, top_level=False)
    train.add_argument("--nesterov", action="store_true", help="Nesterov momentum")
    train.add_argument("--schedule", default=CONFIG.schedule,
                       help=f"learning-rate schedule: {', '.join(SCHEDULES)} (default "
                            f"{CONFIG.schedule})")
    train.add_argument("--dtype", default=CONFIG.dtype, help="float32 or float64 (default "
                       f"{CONFIG.dtype})")
    train.add_argument("--save", nargs="?", const=AUTO_NAME, metavar="NAME",
                       help="save to saved_models/NAME.safetensors (or a path); without NAME, "
                            "a name made from the dataset and layers")
    train.add_argument("--json", action="store_true", help="one JSON object a line")

    evaluate = commands.add_parser("evaluate", help="score a saved model on its test split")
    evaluate.add_argument("model", metavar="MODEL", help="a name in saved_models/ or a path")
    evaluate.add_argument("--dataset", default=argparse.SUPPRESS, metavar="NAME|PATH",
                          help="another dataset that fits the model (default: its own)")
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
                    "sample N (from 0) of the test split of --dataset (default: the dataset "
                    "the model was trained on, split as in training: the split evaluate "
                    "scores), taken after scaling, exactly as the network sees it.")
    inspect.add_argument("model", metavar="MODEL", help="a name in saved_models/ or a path")
    inspect.add_argument("--input", metavar="X1,X2,...",
                         help="one sample's raw feature values, comma-separated")
    inspect.add_argument("--target", metavar="Y",
                         help="its true class (name or index 0..classes-1) or, for regression, "
                              "its true values in the dataset's units, comma-separated")
    inspect.add_argument("--dataset", metavar="NAME|PATH",
                         help="with --sample: a dataset that fits the model (default: its own)")
    inspect.add_argument("--sample", type=int, metavar="N",
                         help="sample N (from 0) of the dataset's test split (people and the "
                              "logic gates: the whole table, in order)")
    inspect.add_argument("--json", action="store_true",
                         help='one object: {"loss", "output", "layers": [{"z", "a", "delta", '
                              '"dW", "db"}, ...], ...}')
    return parser


# Options whose value may start with a minus sign (`--input -7,-3`), which argparse would take
# for an option: `main` glues such a value to its flag (`--input=-7,-3`) first. A value starting
# with `--` is an option (the value was forgotten) and is left for argparse to say so.
NUMBER_OPTIONS = ("--input", "--target")


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
                    and value != "-h":
                token = f"{token}={value}"
            elif value is not None:
                glued.append(token)
                token = value
        glued.append(token)
    return glued


def _config(args: argparse.Namespace) -> TrainConfig:
    settings = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if hasattr(args, f.name)}
    check_data_options(args)
    return TrainConfig(**settings).checked()


# ---------------------------------------------------------------- commands


def _timed(events: Iterable[Event], on_event: Callable[[Event], None]) -> float:
    """Feeds every event to `on_event`; returns the seconds spent producing them (training)."""
    iterator = iter(events)
    seconds = 0.0
    while True:
        start = time.perf_counter()
        event = next(iterator, None)
        seconds += time.perf_counter() - start
        if event is None:
            return seconds
        on_event(event)


def cmd_train(args: argparse.Namespace) -> int:
    config = _config(args)
    target = model_path(args.save) if args.save else None
    if target is not None and target.exists():  # before training, not after
        raise ModelFileError(f"{target}: already exists (choose another name)")
    session = Experiment.create(args.dataset or "digits", args.layers, args.loss, config,
                             val_size=args.val_size, test_size=args.test_size,
                             noise=args.noise, features=args.features or ())
    if args.save == AUTO_NAME:
        target = model_path(suggest_name(session.dataset.name, session.spec.layers_text))
    out = JsonOutput() if args.json else HumanOutput()
    out.header(session)
    try:
        seconds = _timed(session.trainer.run(), out.event)
    except KeyboardInterrupt:
        out.interrupted(session.trainer.epoch)
        print(f"interrupted at epoch {session.trainer.epoch}", file=sys.stderr)
        return 130
    test = session.evaluate("test")
    saved, save_error = _save(session, target) if target is not None else (None, None)
    summary: dict[str, object] = {"event": "done"}
    if session.dataset.is_classification:
        summary["test_accuracy"] = test.accuracy
    else:
        summary.update(test_r2=test.r2, test_mae=test.mae)
    summary.update(test_loss=test.loss, epochs=session.trainer.epoch, seconds=seconds,
                   params=session.network.n_params, saved=saved)
    if save_error is not None:
        summary["save_error"] = save_error
    out.done(summary, test)
    if save_error is None:
        return 0
    kept = f"the model is kept in {saved} instead" if saved else "the model is not saved"
    print(f"{PROG}: error: {save_error}; {kept}", file=sys.stderr)
    return 1


def _save(session: Experiment, target: Path) -> tuple[str | None, str | None]:
    """Saves the finished run to `target`; if that write fails (full disk, unwritable folder, a
    file that appeared there while training), to a free name in saved_models/ here, then in the
    system's temp folder: minutes of training are not thrown away over a path. Returns the path
    written, if any, and why `target` failed, if it did."""
    try:
        return session.save(str(target)), None
    except (ModelFileError, OSError) as exc:
        error = str(exc).strip().splitlines()[0] if str(exc).strip() else "cannot write"
    for folder in (MODELS_DIR, Path(tempfile.gettempdir())):
        fallback = _free_path(folder, target)
        try:
            return session.save(str(fallback)), error
        except (ModelFileError, OSError):
            continue
    return None, error


def _free_path(folder: Path, target: Path) -> Path:
    """`folder/NAME.safetensors`, NAME being the target's, then `NAME-2`, `NAME-3`...: the first
    that neither exists nor is the target that just failed."""
    stem = target.name.removesuffix(SUFFIX)[: MAX_FILE_NAME - len(SUFFIX) - 8]  # room for "-N"
    path, n = folder / f"{stem}{SUFFIX}", 1
    while path.exists() or path.absolute() == target.absolute():
        n += 1
        path = folder / f"{stem}-{n}{SUFFIX}"
    return path


def cmd_evaluate(args: argparse.Namespace) -> int:
    session = Experiment.load(model_path(args.model), dataset=getattr(args, "dataset", None))
    test = session.evaluate("test")
    names = [str(n) for n in session.dataset.class_names]
    if args.json:
        emit_json({"event": "evaluate", "model": session.name, "dataset": session.dataset.name,
                   **test.to_dict(), "class_names": names})
        return 0
    print_evaluation(session.name, session.dataset.name, test, names)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    path = str(model_path(args.model))
    info = info_summary(path, *load_network(path))
    if args.json:
        emit_json({"event": "info", **info})
        return 0
    print_info(info)
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    model = SavedModel.open(str(model_path(args.model)))
    rows = [model.sample(text) for text in args.input]  # every input checked before any output
    raw = np.array([r for r, _ in rows])
    with np.errstate(all="ignore"):
        outputs = model.network.predict_proba(np.array([seen for _, seen in rows]))
    if not np.isfinite(outputs).all():
        bad = int(np.flatnonzero(~np.isfinite(outputs).all(axis=1))[0])
        raise InputError(f"--input {args.input[bad]!r}: the network's output overflows (an "
                         "input far outside what it was trained on?)")
    for values, output in zip(raw, outputs, strict=True):
        predicted = model.predicted(output)
        if args.json:
            emit_json(prediction_dict(values, output, predicted))
        else:
            print(prediction_line(values, output, predicted))
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    by_input = args.input is not None or args.target is not None
    by_sample = args.sample is not None or args.dataset is not None
    if by_input == by_sample:
        raise InputError("inspect needs either --input and --target, or --sample N (with "
                         "--dataset, or the model's own)")
    model = SavedModel.open(str(model_path(args.model)))
    if by_input:
        if args.input is None or args.target is None:
            raise InputError(f"{'--target' if args.input is not None else '--input'} is "
                             "missing (inspect --input X1,X2,... --target Y)")
        raw, x = model.sample(args.input)
        y = model.target(args.target)
        scaled = ("no input scaling" if np.array_equal(raw, x) else
                  "scaled with the model's input scaling")
        sample = f"--input {args.input} ({scaled}), target {args.target}"
    else:
        if args.sample is None:
            raise InputError("--dataset needs --sample N (which test sample to inspect)")
        picked = dataset_sample(model, args.dataset, args.sample)
        x, y = picked.x, picked.y
        target = (model.class_name(int(y[0])) if model.is_classifier else
                  vector(model.targets.undo(np.asarray(y[0], dtype=np.float64))))
        sample = (f"{picked.dataset} test sample {picked.index} (as the network sees it: "
                  f"after scaling), target {target}")
    with np.errstate(all="ignore"):
        trace = trace_step(model.network, x, y, lr=0.0)
    arrays = [a for layer in trace.layers for a in (layer.z, layer.a, layer.dW, layer.db)]
    if not (np.isfinite(trace.loss_before) and all(np.isfinite(a).all() for a in arrays)):
        raise InputError("the numbers overflow for this sample (an input far outside what the "
                         "network was trained on?)")
    if args.json:
        emit_json(trace_dict(trace))
        return 0
    net = model.network
    layers = " -> ".join([str(net.n_inputs), *(f"{layer.n_out} {layer.activation}"
                                               for layer in net.layers)])
    print("\n".join(trace_lines(trace, f"{model.path}: {layers}, loss {trace.loss_name}",
                                sample)))
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    """Checks the options, then hands them to the app (`tui.app.run_app`)."""
    _config(args)
    if args.layers:
        parse_layers(args.layers)
    if args.model:
        args.model = str(model_path(args.model))
        load_network(args.model)  # a missing or damaged file fails here, in one line
    elif args.dataset is None:
        args.dataset = "digits"
    from tui.app import run_app  # here, not at the top: `train` and `info` never load Textual

    return int(run_app(args) or 0)


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_app,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "info": cmd_info,
    "predict": cmd_predict,
    "inspect": cmd_inspect,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(_glue_negative_values(sys.argv[1:] if argv is None
                                                           else list(argv)))
    try:
        return COMMANDS[args.command](args)
    except EngineError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        return _fail("not enough memory for this network or dataset")
    except BrokenPipeError:  # `nn-tui train --json | head`: the reader left; so do we
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
