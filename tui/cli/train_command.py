"""`nn-tui train`: the run headless. The loop is `Trainer.run()`; `tui.cli.output` prints its
events. A trained run whose save fails is kept under another name, said in one line, status 1."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from engine.errors import ModelFileError
from engine.experiment import Evaluation, Experiment
from engine.io.model_folder import MAX_FILE_NAME, MODELS_DIR, SUFFIX, model_path, suggest_name
from engine.runs.recorder import RunRecorder
from engine.train.events import EpochEnd, Event
from tui.cli import runs as runs_cli
from tui.cli.common import AUTO_NAME, PROG, train_config
from tui.cli.output import HumanOutput, JsonOutput, Output


def verbosity(args: argparse.Namespace) -> int:
    """`--verbose`, or Keras' default: the bar (1) on a terminal, a line an epoch (2) into a
    file or a pipe, where a redrawn bar would be noise."""
    if args.verbose is not None:
        return int(args.verbose)
    return 1 if sys.stdout.isatty() else 2


def _output(args: argparse.Namespace) -> Output:
    verbose = verbosity(args)
    if args.json:
        return JsonOutput(verbose)
    if verbose == 1:
        from tui.cli.progress import ProgressOutput  # rich only when a bar is drawn

        return ProgressOutput()
    return HumanOutput(verbose)


def _train(events: Iterable[Event], on_event: Callable[[Event], None]) -> tuple[float, float]:
    """Feeds every event to `on_event`. Returns the wall time of the whole loop (training and
    printing) and the sum of the epochs' own times (training only)."""
    start = time.perf_counter()
    epoch_seconds = 0.0
    for event in events:
        if isinstance(event, EpochEnd):
            epoch_seconds += event.seconds
        on_event(event)
    return time.perf_counter() - start, epoch_seconds


def cmd_train(args: argparse.Namespace) -> int:
    config = train_config(args)
    target = model_path(args.save) if args.save else None
    if target is not None and target.exists():  # before training, not after
        raise ModelFileError(f"{target}: already exists (choose another name)")
    session = Experiment.create(args.dataset or "digits", args.layers, args.loss, config,
                                val_size=args.val_size, test_size=args.test_size,
                                noise=args.noise, features=args.features or ())
    if args.save == AUTO_NAME:
        target = model_path(suggest_name(session.dataset.name, session.spec.layers_text))
    out = _output(args)
    recorder = RunRecorder.for_experiment(runs_cli.open_store(args), session, source="cli")
    out.header(session)
    try:
        seconds, epoch_seconds = _train(session.trainer.run(),
                                        lambda e: (out.event(e), recorder.on_event(e)))
    except KeyboardInterrupt:
        recorder.close("stopped")
        out.interrupted(session.trainer.epoch)
        print(f"interrupted at epoch {session.trainer.epoch}", file=sys.stderr)
        return 130
    test = session.evaluate("test", confusion=False)  # train prints no confusion counts
    saved, save_error = _save(session, target, test) if target is not None else (None, None)
    summary: dict[str, object] = {"event": "done"}
    if session.dataset.is_classification:
        summary["test_accuracy"] = test.accuracy
    else:
        summary.update(test_r2=test.r2, test_mae=test.mae)
    summary.update(test_loss=test.loss, epochs=session.trainer.epoch, seconds=seconds,
                   epoch_seconds=epoch_seconds, params=session.network.n_params, saved=saved)
    if save_error is not None:
        summary["save_error"] = save_error
    recorder.close(test_accuracy=test.accuracy if test.r2 is None else test.r2, seconds=seconds,
                   model_file=saved)
    out.done(summary, test)
    if save_error is None:
        return 0
    kept = f"the model is kept in {saved} instead" if saved else "the model is not saved"
    print(f"{PROG}: error: {save_error}; {kept}", file=sys.stderr)
    return 1


def _save(session: Experiment, target: Path, test: Evaluation) -> tuple[str | None, str | None]:
    """Saves the finished run to `target`; if that write fails (full disk, unwritable folder, a
    file that appeared there while training), to a free name in saved_models/ here, then in the
    system's temp folder: minutes of training are not thrown away over a path. Returns the path
    written, if any, and why `target` failed, if it did."""
    try:
        return session.save(str(target), test=test), None
    except (ModelFileError, OSError) as exc:
        error = str(exc).strip().splitlines()[0] if str(exc).strip() else "cannot write"
    for folder in (MODELS_DIR, Path(tempfile.gettempdir())):
        fallback = _free_path(folder, target)
        try:
            return session.save(str(fallback), test=test), error
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
