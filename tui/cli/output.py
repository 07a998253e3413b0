"""What `nn-tui train/evaluate/info` print: aligned human lines or JSON, one object a line.

Kept apart from `cli`, which parses options and runs commands, so the look of the output (epoch
columns, the confusion and info tables, the per-event formatters) can change without touching
how a command works, and can be tested without running one.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable
from typing import Protocol

from engine.experiment import Evaluation, Experiment
from engine.network import Network
from engine.train.events import EpochEnd, Event
from tui.numbers import compact_number


def _clean(value: object) -> object:
    """NaN and inf become null: JSON has no words for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def emit_json(obj: dict) -> None:
    """One object a line, in one write: `print` writes the newline apart, and a reader of a pipe
    could see the line without it."""
    sys.stdout.write(json.dumps(_clean(obj)) + "\n")
    sys.stdout.flush()


def download_bar(file: str, done: int, total: int, width: int = 30) -> str:
    """`train-images-idx3-ubyte.gz  [########------]  4.1/9.9 MB`; without a total, bytes only."""
    mb = f"{done / 1e6:.1f}"
    if total <= 0:
        return f"{file}  {mb} MB"
    filled = min(width, done * width // total)
    return f"{file}  [{'#' * filled}{'-' * (width - filled)}]  {mb}/{total / 1e6:.1f} MB"


def _num(value: float | None, spec: str, width: int) -> str:
    text = "-" if value is None else format(value, spec)
    return text.rjust(width)


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
    parts += [f"lr {event.lr:<7.3g}", f"{compact_number(event.samples_per_sec):>6} samples/s"]
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


def scores_text(event: EpochEnd) -> str:
    """`loss 0.4123  acc 0.912  val_loss 0.3510  val_acc 0.902`: an epoch's figures, unpadded
    (the progress bar's tail)."""
    columns = REGRESSION_COLUMNS if event.is_regression else CLASS_COLUMNS
    return "  ".join(f"{label} {_num(getattr(event, key), spec, 0)}"
                     for label, key, spec, _ in columns)


class Output(Protocol):
    """What `train` feeds its output: the run's header, each event, the result, a Ctrl-C."""

    def header(self, session: Experiment) -> None: ...
    def event(self, event: Event) -> None: ...
    def done(self, summary: dict, evaluation: Evaluation) -> None: ...
    def interrupted(self, epoch: int) -> None: ...


class HumanOutput:
    """Keras' verbosity: 2 prints the header, one line an epoch and the result; 0 the result
    only (the test scores and where the model went). 1 is `ProgressOutput`."""

    def __init__(self, verbose: int = 2) -> None:
        self.total = 0
        self.verbose = verbose

    def header(self, session: Experiment) -> None:
        if self.verbose:
            print(header_line(session), flush=True)

    def event(self, event: Event) -> None:
        if event.kind == "started":
            self.total = event.target_epoch
        formatter = HUMAN_FORMATTERS.get(event.kind)
        if formatter is not None and self.verbose:
            self.say(formatter(event, self.total))

    def say(self, line: str) -> None:
        print(line, flush=True)

    def done(self, summary: dict, evaluation: Evaluation) -> None:
        if self.verbose:
            print(f"{_count(int(summary['epochs']), 'epoch')} in {summary['seconds']:.2f} s")
        print(scores_line("test", evaluation))
        if summary["saved"]:
            print(f"saved {summary['saved']}")

    def interrupted(self, epoch: int) -> None:
        """The message goes to stderr (the command prints it)."""


def header_line(session: Experiment) -> str:
    """`digits: 1257 train, 270 val, 270 test, 64 features -> 10 classes | 64 -> ...`"""
    ds, net, cfg = session.dataset, session.network, session.config
    outputs = _count(ds.n_outputs, "class" if ds.is_classification else "output")
    layers = " -> ".join([str(net.n_inputs), *(f"{layer.n_out} {layer.activation}"
                                               for layer in net.layers)])
    sizes = f"{len(ds.X_train)} train, {len(ds.X_val)} val, {len(ds.X_test)} test"
    return (f"{ds.name}: {sizes}, {_count(ds.n_features, 'feature')} -> {outputs} | {layers}, "
            f"{net.n_params:,} params, {net.loss.name}, {cfg.optimizer} lr {cfg.lr:g}")


class JsonOutput:
    """One JSON object a line: every event at verbose 1 and 2, the `done` object alone at 0."""

    def __init__(self, verbose: int = 2) -> None:
        self.verbose = verbose

    def header(self, session: Experiment) -> None:
        """The header is in the `started` event and the final `done` object."""

    def event(self, event: Event) -> None:
        if self.verbose:
            emit_json(event.to_dict())

    def done(self, summary: dict, evaluation: Evaluation) -> None:
        emit_json(summary)

    def interrupted(self, epoch: int) -> None:
        emit_json({"event": "interrupted", "epoch": epoch})


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}{'es' if noun.endswith('s') else 's'}"


def _scores(evaluation: Evaluation) -> list[tuple[str, float | None]]:
    keys = ("accuracy", "loss") if evaluation.r2 is None else ("r2", "mae", "loss")
    return [(key, getattr(evaluation, key)) for key in keys]


def scores_line(prefix: str, evaluation: Evaluation) -> str:
    return "  ".join(f"{prefix} {key} {_num(value, '.4f', 0)}"
                     for key, value in _scores(evaluation))

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


def print_evaluation(model: str, dataset: str, test: Evaluation, names: list[str]) -> None:
    """`evaluate`'s human output: the scores, then the confusion table for classes."""
    print(f"{model} on {dataset}, test split ({test.n} samples)")
    print(scores_line("test", test))
    if test.confusion is not None:
        print("confusion matrix (rows: true class, columns: predicted)")
        print(confusion_table(test.confusion, names))


def info_summary(path: str, net: Network, meta: dict) -> dict:
    """`info`'s figures as a dict (the --json output; the table is printed from it)."""
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


def print_info(info: dict) -> None:
    """`info`'s human output: a Keras-style layer table, then one line per fact."""
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
