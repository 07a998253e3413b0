"""`nn-tui sweep`: the product of `--grid`s and `--seeds`, each a run trained by a local pool of
worker processes (`--workers N`) or a Dask cluster (`--scheduler tcp://HOST:PORT`) and recorded
in this machine's run store as it comes back: a progress line per run, then the summary (mean
± std over the seeds of each setting, the best first). Ctrl+C stops it, keeping finished runs.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from engine.errors import SpecError
from engine.nn.spec import TrainConfig
from engine.runs.executors import Outcome, run_dask, run_local
from engine.runs.grid import parse_grid, parse_seeds
from engine.runs.rows import RunRow
from engine.runs.store import RunStore
from engine.runs.sweep import Job, make_jobs, record_result
from engine.runs.worker_processes import start_workers_early
from tui.cli.output import emit_json
from tui.cli.runs import add_runs_option, console, new_table, open_store, run_dict, score

CONFIG = TrainConfig()


def add_parser(commands: Any,
               add_train_options: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    sweep = commands.add_parser(
        "sweep", help="train the product of grids and seeds, in parallel",
        description="Trains every combination of the --grid values, for every seed, each run "
                    "recorded in the run store; then prints mean ± std over the seeds of each "
                    "setting, the best first. The train options set what no grid varies.")
    add_train_options(sweep, False)
    sweep.add_argument("--schedule", default=argparse.SUPPRESS, help="learning-rate schedule")
    sweep.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2",
                       help="a setting and its values, e.g. lr=0.001,0.01 or optimizer=adam,sgd "
                            "(layers: separate the values with ';'); repeat for a product")
    sweep.add_argument("--seeds", metavar="0-4", help="seeds, e.g. 0-4 or 1,5,7 (default: "
                       "--seed)")
    sweep.add_argument("--workers", type=int, metavar="N",
                       help=f"local worker processes (default: the cores, {os.cpu_count()})")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="a Dask scheduler, e.g. tcp://10.0.0.5:8786, instead of local "
                            "workers (pip install 'nn-tui[cluster]')")
    sweep.add_argument("--json", action="store_true",
                       help="one JSON object a run, then one a setting")
    add_runs_option(sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    grids = [parse_grid(text) for text in args.grid]
    seeds = parse_seeds(args.seeds) if args.seeds else (int(getattr(args, "seed", 0)),)
    if args.workers is not None and args.workers < 1:
        raise SpecError(f"--workers must be >= 1 (got {args.workers})")
    if args.scheduler is None:
        start_workers_early()  # its imports overlap with the checks below
    base = TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)
                          if hasattr(args, f.name) and f.name != "seed"}).checked()
    jobs = make_jobs(getattr(args, "dataset", None) or "digits", base, grids, seeds,
                     getattr(args, "layers", None), getattr(args, "loss", None),
                     getattr(args, "val_size", 0.15), getattr(args, "test_size", 0.15))
    store = open_store(args)  # a bad store fails before any training
    outcomes = (run_dask(jobs, args.scheduler) if args.scheduler else
                run_local(jobs, args.workers or os.cpu_count() or 1))
    progress = Progress(len(jobs), args.json)
    start = time.perf_counter()
    try:
        with contextlib.closing(outcomes):
            for outcome in outcomes:
                progress.add(outcome, store.run(_record(store, outcome)))
    except KeyboardInterrupt:
        progress.interrupted = True
    finally:
        store.close()
    progress.summary(time.perf_counter() - start)
    return 130 if progress.interrupted else 0


def _record(store: RunStore, outcome: Outcome) -> int:
    return record_result(store, outcome.job, outcome.result, outcome.error)


@dataclass
class Group:
    """The runs of one grid point, over its seeds."""

    label: str
    point: dict[str, Any]
    rows: list[RunRow] = field(default_factory=list)

    def figures(self, name: str) -> list[float]:
        values = (getattr(row, name) for row in self.rows if row.status != "failed")
        return [v for v in values if v is not None and math.isfinite(v)]

    def mean_std(self, name: str) -> tuple[float | None, float | None]:
        values = self.figures(name)
        if not values:
            return None, None
        return statistics.fmean(values), statistics.pstdev(values) if len(values) > 1 else 0.0

    def sort_key(self) -> tuple[bool, float, float]:
        """Best first: the higher test score, then the lower validation loss; none last."""
        test, _ = self.mean_std("test_accuracy")
        val, _ = self.mean_std("best_val_loss")
        return (test is None, -(test or 0.0), val if val is not None else math.inf)


class Progress:
    """The live lines (one a finished run) and the summary at the end."""

    def __init__(self, total: int, as_json: bool) -> None:
        self.total, self.json = total, as_json
        self.done = 0
        self.interrupted = False
        self.groups: dict[tuple[tuple[str, Any], ...], Group] = {}

    def add(self, outcome: Outcome, row: RunRow) -> None:
        self.done += 1
        job: Job = outcome.job
        group = self.groups.setdefault(job.point, Group(job.label, dict(job.point)))
        group.rows.append(row)
        if self.json:
            emit_json({"event": "run", "config": dict(job.point), "error": outcome.error,
                       **run_dict(row)})
            return
        width = len(str(self.total))
        status = f"failed ({outcome.error})" if outcome.error else row.status
        test = score(row.test_accuracy, row.is_regression)
        print(f"[{self.done:>{width}}/{self.total}] run {row.id}  {job.label}  seed {row.seed}"
              f"  {status}  {row.epochs_done} epochs  best val_loss "
              f"{_num(row.best_val_loss, '.4f')}  test {test}  {row.seconds:.1f} s", flush=True)

    def summary(self, seconds: float) -> None:
        groups = sorted(self.groups.values(), key=Group.sort_key)
        if self.json:
            for group in groups:
                test, test_sd = group.mean_std("test_accuracy")
                val, val_sd = group.mean_std("best_val_loss")
                emit_json({"event": "summary", "config": group.point, "runs": len(group.rows),
                           "failed": sum(r.status == "failed" for r in group.rows),
                           "test_accuracy_mean": test, "test_accuracy_std": test_sd,
                           "best_val_loss_mean": val, "best_val_loss_std": val_sd,
                           "seconds_mean": group.mean_std("seconds")[0]})
            emit_json({"event": "done", "runs": self.done, "of": self.total,
                       "interrupted": self.interrupted, "seconds": seconds})
            return
        if self.interrupted:
            print(f"interrupted: {self.done} of {self.total} runs finished and recorded",
                  file=sys.stderr)
        if not groups:
            return
        regression = any(r.is_regression for g in groups for r in g.rows)
        table = new_table(title=f"{self.done} runs in {seconds:.1f} s, best first",
                          title_justify="left")
        for name in ("setting", "runs", "R² test" if regression else "test acc",
                     "best val_loss", "seconds"):
            table.add_column(name, justify="left" if name == "setting" else "right")
        for group in groups:
            failed = sum(r.status == "failed" for r in group.rows)
            table.add_row(group.label, f"{len(group.rows)}" + (f" ({failed} failed)"
                                                                 if failed else ""),
                          _pm(group, "test_accuracy", ".3f"),
                          _pm(group, "best_val_loss", ".4f"),
                          _num(group.mean_std("seconds")[0], ".1f"))
        print()
        console().print(table)


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _pm(group: Group, name: str, spec: str) -> str:
    """`0.953 ± 0.004` over the group's seeds; the mean alone from one run (a spread of one
    value says nothing)."""
    mean, std = group.mean_std(name)
    if mean is None:
        return "-"
    spread = f" ± {std or 0.0:{spec}}" if len(group.figures(name)) > 1 else ""
    return f"{mean:{spec}}{spread}"
