"""The `nn-tui` command: the app by default, and headless `train`, `evaluate` and `info`.

Formatting only: the training loop is `Trainer.run()`, whose events are printed as aligned lines
or as JSON, one object a line. Bad input of any kind ends with status 2 and one line on stderr,
`nn-tui: error: <reason>`, the reason being the engine's own message.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import fields
from typing import NoReturn, TextIO

from engine.errors import EngineError, ModelFileError
from engine.events import EpochEnd, Event
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS
from engine.persistence import load_network, model_path, suggest_name
from engine.schedules import SCHEDULES
from engine.session import Evaluation, Session
from engine.spec import TrainConfig, parse_layers

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
    return parser


def _config(args: argparse.Namespace) -> TrainConfig:
    settings = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if hasattr(args, f.name)}
    return TrainConfig(**settings).checked()


# ---------------------------------------------------------------- formatting


def _clean(value: object) -> object:
    """NaN and inf become null: JSON has no words for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _emit_json(obj: dict) -> None:
    print(json.dumps(_clean(obj)), flush=True)


def _num(value: float | None, spec: str, width: int) -> str:
    text = "-" if value is None else format(value, spec)
    return text.rjust(width)


def _rate(per_second: float) -> str:
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if per_second >= limit:
            return f"{per_second / limit:.1f}{suffix}"
    return f"{per_second:.0f}"


# Columns of an epoch line: (label, EpochEnd field, format, width).
CLASS_COLUMNS = (("loss", "train_loss", ".4f", 7), ("acc", "train_acc", ".3f", 5),
                 ("val_loss", "val_loss", ".4f", 7), ("val_acc", "val_acc", ".3f", 5))
REGRESSION_COLUMNS = (("loss", "train_loss", ".4f", 7), ("r2", "train_r2", ".3f", 6),
                      ("val_loss", "val_loss", ".4f", 7), ("val_r2", "val_r2", ".3f", 6),
                      ("val_mae", "val_mae", ".4f", 7))


def epoch_line(event: EpochEnd, total: int) -> str:
    """`epoch   1/60  loss  0.4123  acc 0.912  val_loss  0.3510  val_acc 0.902  lr 0.001 ...`"""
    width = max(3, len(str(total)))
    columns = REGRESSION_COLUMNS if event.is_regression else CLASS_COLUMNS
    parts = [f"epoch {event.epoch:>{width}}/{total}"]
    parts += [f"{label} {_num(getattr(event, key), spec, w)}" for label, key, spec, w in columns]
    parts += [f"lr {event.lr:<7.3g}", f"{_rate(event.samples_per_sec):>6} samples/s"]
    return "  ".join(parts)


def _text(event: Event, total: int) -> str:
    return event.text


# Human output per event kind; kinds not listed (started, finished) print nothing.
HUMAN_FORMATTERS: dict[str, Callable[[Event, int], str]] = {
    "epoch": epoch_line,
    "early_stopped": _text,
    "diverged": _text,
    "stopped": _text,
}


class _Bar:
    """Epochs done / total on one stderr line, redrawn in place; only on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.on = stream.isatty()

    def draw(self, done: int, total: int, width: int = 30) -> None:
        if self.on and total:
            filled = width * done // total
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            self.stream.flush()

    def clear(self) -> None:
        if self.on:
            self.stream.write("\r\033[K")
            self.stream.flush()


class HumanOutput:
    def __init__(self) -> None:
        self.total = 0
        self.bar = _Bar(sys.stderr)

    def header(self, session: Session) -> None:
        ds, net, cfg = session.dataset, session.network, session.config
        outputs = _count(ds.n_outputs, "class" if ds.is_classification else "output")
        layers = " -> ".join([str(net.n_inputs), *(f"{layer.n_out} {layer.activation}"
                                                   for layer in net.layers)])
        sizes = f"{len(ds.X_train)} train, {len(ds.X_val)} val, {len(ds.X_test)} test"
        print(f"{ds.name}: {sizes}, {_count(ds.n_features, 'feature')} -> {outputs} | {layers}, "
              f"{net.n_params:,} params, {net.loss.name}, {cfg.optimizer} lr {cfg.lr:g}",
              flush=True)

    def event(self, event: Event) -> None:
        if event.kind == "started":
            self.total = event.target_epoch
        formatter = HUMAN_FORMATTERS.get(event.kind)
        if formatter is not None:
            self.bar.clear()
            print(formatter(event, self.total), flush=True)
            self.bar.draw(event.epoch, self.total)

    def done(self, summary: dict, evaluation: Evaluation) -> None:
        self.bar.clear()
        print(_scores_line("test", evaluation))
        if summary["saved"]:
            print(f"saved {summary['saved']}")

    def interrupted(self, epoch: int) -> None:
        self.bar.clear()


class JsonOutput:
    def header(self, session: Session) -> None:
        """The header is in the `started` event and the final `done` object."""

    def event(self, event: Event) -> None:
        _emit_json(event.to_dict())

    def done(self, summary: dict, evaluation: Evaluation) -> None:
        _emit_json(summary)

    def interrupted(self, epoch: int) -> None:
        """Nothing on stdout; the message goes to stderr."""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}{'es' if noun.endswith('s') else 's'}"


def _scores(evaluation: Evaluation) -> list[tuple[str, float | None]]:
    keys = ("accuracy", "loss") if evaluation.r2 is None else ("r2", "mae", "loss")
    return [(key, getattr(evaluation, key)) for key in keys]


def _scores_line(prefix: str, evaluation: Evaluation) -> str:
    return "  ".join(f"{prefix} {key} {_num(value, '.4f', 0)}"
                     for key, value in _scores(evaluation))


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
    session = Session.create(args.dataset or "digits", args.layers, args.loss, config,
                             val_size=args.val_size, test_size=args.test_size)
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
    saved = session.save(str(target)) if target is not None else None
    summary: dict[str, object] = {"event": "done"}
    if session.dataset.is_classification:
        summary["test_accuracy"] = test.accuracy
    else:
        summary.update(test_r2=test.r2, test_mae=test.mae)
    summary.update(test_loss=test.loss, epochs=session.trainer.epoch, seconds=seconds,
                   params=session.network.n_params, saved=saved)
    out.done(summary, test)
    return 0


def confusion_table(matrix: Iterable[Iterable[int]], names: list[str]) -> str:
    """Rows are the true class, columns the predicted one, each headed by its class name."""
    rows = [[str(int(v)) for v in row] for row in matrix]
    head = max([len(n) for n in names] + [4])
    widths = [max(len(name), *(len(row[j]) for row in rows)) for j, name in enumerate(names)]
    lines = [" " * head + "  " + "  ".join(n.rjust(w) for n, w in zip(names, widths, strict=True))]
    for name, row in zip(names, rows, strict=True):
        cells = "  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True))
        lines.append(f"{name.ljust(head)}  {cells}")
    return "\n".join(lines)


def cmd_evaluate(args: argparse.Namespace) -> int:
    session = Session.load(model_path(args.model), dataset=getattr(args, "dataset", None))
    test = session.evaluate("test")
    names = [str(n) for n in session.dataset.class_names]
    if args.json:
        _emit_json({"event": "evaluate", "model": session.name, "dataset": session.dataset.name,
                    **test.to_dict(), "class_names": names})
        return 0
    print(f"{session.name} on {session.dataset.name}, test split ({test.n} samples)")
    print(_scores_line("test", test))
    if test.confusion is not None:
        print("confusion matrix (rows: true class, columns: predicted)")
        print(confusion_table(test.confusion, names))
    return 0


def _summary(path: str) -> dict:
    """`info`'s figures as a dict (the --json output; the table is printed from it)."""
    net, meta = load_network(path)
    layers = [{"name": f"dense_{i}", "units": layer.n_out, "activation": layer.activation,
               "output_shape": [None, layer.n_out], "params": layer.n_params}
              for i, layer in enumerate(net.layers)]
    dataset = meta.get("dataset") if isinstance(meta.get("dataset"), dict) else {}
    return {
        "model": path, "layers": layers, "total_params": net.n_params, "n_inputs": net.n_inputs,
        "dtype": net.dtype.name, "loss": net.loss.name,
        "optimizer": meta.get("optimizer") or {}, "train": meta.get("train") or {},
        "dataset": {key: dataset.get(key) for key in ("name", "task", "source", "sizes")},
        "epochs_trained": meta.get("epochs_trained"), "test": meta.get("test") or {},
        "created_at": meta.get("created_at"),
    }


def _settings(settings: dict, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f"{k} {v}" for k, v in settings.items() if k not in skip)


def cmd_info(args: argparse.Namespace) -> int:
    info = _summary(str(model_path(args.model)))
    if args.json:
        _emit_json({"event": "info", **info})
        return 0
    rows = [("Layer (type)", "Output shape", "Activation", "Param #")]
    rows += [(f"{d['name']} (Dense)", f"(None, {d['units']})", d["activation"], f"{d['params']:,}")
             for d in info["layers"]]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    rule = "-" * (sum(widths) + 6)

    def line(row: tuple[str, ...]) -> str:
        return "  ".join([*(c.ljust(w) for c, w in zip(row[:3], widths, strict=False)),
                          row[3].rjust(widths[3])])

    optimizer = dict(info["optimizer"])
    train = info["train"]
    ds, test = info["dataset"], info["test"]
    sizes = ds.get("sizes") or {}
    print(f"Model: {info['model']}", rule, line(rows[0]), rule, *map(line, rows[1:]), rule,
          sep="\n")
    print(f"Total params: {info['total_params']:,}")
    print(f"Inputs: {info['n_inputs']} ({info['dtype']})")
    print(f"Loss: {info['loss']}")
    print(f"Optimizer: {optimizer.pop('name', train.get('optimizer', '?'))} "
          f"({_settings(optimizer)})")
    skip = ("optimizer", "dtype", "momentum", "nesterov", "schedule_options")  # shown above
    print(f"Training: {_settings(train, skip=skip)}")
    print(f"Dataset: {ds.get('name', '?')} ({ds.get('source', '?')}; "
          f"{_settings(sizes) or 'sizes unknown'})")
    print(f"Epochs trained: {info['epochs_trained']}")
    scores = {k: test[k] for k in ("accuracy", "r2", "mae", "loss") if k in test}
    print(f"Test scores: {_settings({k: _num(v, '.4f', 0) for k, v in scores.items()}) or '-'}")
    print(f"Created: {info['created_at'] or '?'}")
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
    try:
        from tui.app import run_app
    except ImportError as exc:
        if (exc.name or "").split(".")[0] != "tui":
            raise
        print(f"the app is not built yet; try `{PROG} train`")
        return 0
    return int(run_app(args) or 0)


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_app,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "info": cmd_info,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
