"""`nn-tui runs`: the run store's table (`--json`, `--csv FILE`), `runs show ID` (its epochs) and
`runs rm ID`; and the store every command records into (`--runs PATH`, `$NN_TUI_RUNS`, else
runs/runs.sqlite here)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import RunStoreError
from engine.runs.rows import EpochRow, RunRow
from engine.runs.store import RunStore
from tui.cli.output import emit_json

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

# The columns of `runs --json` and `--csv`, in order (spec and config are JSON text in a CSV).
RUN_FIELDS = ("id", "started", "status", "dataset", "layers", "optimizer", "lr", "batch_size",
              "seed", "epochs_done", "best_val_loss", "test_accuracy", "is_regression",
              "seconds", "model_file", "source", "final_train_loss", "final_val_loss",
              "final_val_score", "nn_tui_version", "numpy_version", "spec", "config")


def add_runs_option(parser: argparse.ArgumentParser, top_level: bool = False) -> None:
    """`--runs PATH`; below the top level it defaults to SUPPRESS, so that `nn-tui --runs X
    train` and `nn-tui train --runs X` mean the same."""
    parser.add_argument("--runs", metavar="PATH",
                        default=None if top_level else argparse.SUPPRESS,
                        help="the run store (default $NN_TUI_RUNS, else runs/runs.sqlite)")


def store_path(args: argparse.Namespace) -> Path:
    return Path(args.runs) if getattr(args, "runs", None) else RunStore.default_path()


def open_store(args: argparse.Namespace) -> RunStore:
    return RunStore(store_path(args))


def add_parser(commands: Any) -> None:
    runs = commands.add_parser(
        "runs", help="the recorded training runs",
        description="Every training run (app, train, sweep) is recorded in the run store. "
                    "Without a command: the table, newest first.")
    add_runs_option(runs)
    runs.add_argument("--dataset", metavar="NAME", default=argparse.SUPPRESS,
                      help="only the runs on this dataset")
    runs.add_argument("--json", action="store_true", help="one JSON object a run")
    runs.add_argument("--csv", metavar="FILE",
                      help="write the table to FILE as CSV (and print only where it went)")
    sub = runs.add_subparsers(dest="runs_command", metavar="show|rm")
    show = sub.add_parser("show", help="one run's epochs")
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="one JSON object an epoch")
    add_runs_option(show)
    rm = sub.add_parser("rm", help="remove a run and its epochs")
    rm.add_argument("id", type=int, metavar="ID")
    add_runs_option(rm)


def cmd_runs(args: argparse.Namespace) -> int:
    path = store_path(args)
    if not path.exists():  # reading makes no store
        if getattr(args, "runs_command", None) is not None:
            raise RunStoreError(f"{path}: no run store here (nothing recorded yet)")
        rows: list[RunRow] = []
    else:
        with RunStore(path) as store:
            handler = SUBCOMMANDS.get(getattr(args, "runs_command", None))
            if handler is not None:
                return handler(store, args)
            rows = store.runs(getattr(args, "dataset", None))
    if args.csv:
        write_csv(Path(args.csv), rows)
        if not args.json:  # the table went to the file: say where, not the table again
            print(f"wrote {len(rows)} run{'s' if len(rows) != 1 else ''} to {args.csv}")
            return 0
    if args.json:
        for row in rows:
            emit_json(run_dict(row))
    else:
        print_runs(rows, path)
    return 0


def run_dict(row: RunRow) -> dict[str, Any]:
    data = row.to_dict()
    return {key: data[key] for key in RUN_FIELDS}


def write_csv(path: Path, rows: list[RunRow]) -> None:
    """The table as CSV, written atomically (a temp file beside it, then renamed)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(RUN_FIELDS)
    for row in rows:
        data = run_dict(row)
        writer.writerow([json.dumps(data[k]) if k in ("spec", "config") else
                         "" if data[k] is None else data[k] for k in RUN_FIELDS])
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".",
                                    prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", newline="") as file:
            file.write(text.getvalue())
        os.replace(temp, path)
    except OSError as exc:
        raise RunStoreError(f"{path}: cannot write ({exc.strerror or exc})") from None


def score(value: float | None, regression: bool) -> str:
    if value is None:
        return "-"
    return f"R² {value:.3f}" if regression else f"{value:.3f}"


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def console() -> Console:
    """Plain text when piped (no colour, a width that cuts nothing). rich is imported here, not
    at the top: the headless commands that print no table never load a UI library."""
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(file=sys.stdout, width=None if tty else 200, highlight=False,
                   no_color=not tty)


def new_table(**options: Any) -> Table:
    from rich.table import Table

    return Table(box=None, pad_edge=False, header_style="bold", **options)


def print_runs(rows: list[RunRow], path: Path) -> None:
    if not rows:
        print(f"no runs recorded in {path}")
        return
    table = new_table()
    for name, justify in (("id", "right"), ("started", "left"), ("status", "left"),
                          ("dataset", "left"), ("layers", "left"), ("optimizer", "left"),
                          ("lr", "right"), ("batch", "right"), ("seed", "right"),
                          ("epochs", "right"), ("best val_loss", "right"),
                          ("test", "right"), ("seconds", "right"), ("from", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        table.add_row(str(r.id), r.started.replace("+00:00", "Z"), r.status, r.dataset,
                      r.layers, r.optimizer, f"{r.lr:g}", str(r.batch_size), str(r.seed),
                      str(r.epochs_done), _num(r.best_val_loss, ".4f"),
                      score(r.test_accuracy, r.is_regression), f"{r.seconds:.1f}", r.source)
    console().print(table)


def cmd_show(store: RunStore, args: argparse.Namespace) -> int:
    run = store.run(args.id)
    epochs = store.epochs(args.id)
    if args.json:
        for epoch in epochs:
            emit_json({"run": run.id, **epoch.to_dict()})
        return 0
    print(f"run {run.id}: {run.dataset} {run.layers}, {run.optimizer} lr {run.lr:g}, batch "
          f"{run.batch_size}, seed {run.seed}; {run.status} after {run.epochs_done} epochs, "
          f"test {score(run.test_accuracy, run.is_regression)}"
          + (f", saved {run.model_file}" if run.model_file else ""))
    print_epochs(epochs, run.is_regression)
    return 0


def print_epochs(epochs: list[EpochRow], regression: bool) -> None:
    name = "r2" if regression else "acc"
    table = new_table()
    for column in ("epoch", "loss", name, "val_loss", f"val_{name}", "lr", "seconds"):
        table.add_column(column, justify="right")
    for e in epochs:
        table.add_row(str(e.epoch), _num(e.train_loss, ".4f"), _num(e.train_score, ".3f"),
                      _num(e.val_loss, ".4f"), _num(e.val_score, ".3f"), f"{e.lr:.3g}",
                      f"{e.seconds:.3f}")
    console().print(table)


def cmd_rm(store: RunStore, args: argparse.Namespace) -> int:
    store.delete(args.id)
    print(f"removed run {args.id} from {store.path}")
    return 0


SUBCOMMANDS: dict[str | None, Callable[[RunStore, argparse.Namespace], int]] = {
    "show": cmd_show,
    "rm": cmd_rm,
}
