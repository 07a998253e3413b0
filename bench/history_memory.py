"""Memory a long run's history holds: N simulated epochs, each an `EpochEnd` as the trainer
makes it, appended to the trainer's history and handed to the app's controller through a
stand-in runner, as a full-speed run does. `tracemalloc` counts what is still held afterwards.
Before the budget (one record per epoch kept for ever) it grew about 12 MB a minute at full
speed; with `EpochHistory` it is flat past the budget.

    python bench/history_memory.py [--epochs 20000,200000]

`make bench` runs it as section 'f'. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import EpochEnd, EpochHistory, Started
from tui.controller import Controller
from tui.controller.state import TrainState

DEFAULT_EPOCHS = (20_000, 200_000)
DRAIN = 500  # epochs a drain hands over (a fast run, at the app's tick)


class _Runner:
    def __init__(self) -> None:
        self.queued: list = []

    def drain(self) -> list:
        events, self.queued = self.queued, []
        return events


def held_bytes(epochs: int) -> tuple[int, int]:
    """(bytes still held after `epochs` epochs, epochs kept by the controller)."""
    tracemalloc.start()
    trainer_history = EpochHistory()
    controller = Controller()
    runner = _Runner()
    controller.experiment = SimpleNamespace(runner=runner)  # only its runner is read
    controller.state = TrainState("idle")
    runner.queued.append(Started(0, epochs, 1257, 32))
    for n in range(1, epochs + 1):
        event = EpochEnd(n, 1.0 / n, 1.1 / n, 1e-3, 0.004, 300_000.0, train_acc=0.9,
                         val_acc=0.88)
        trainer_history.append(event)
        runner.queued.append(event)
        if n % DRAIN == 0:
            controller.drain()
    controller.drain()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return held, len(controller.history)


def report(epoch_counts: tuple[int, ...] = DEFAULT_EPOCHS) -> list[str]:
    lines = [f"history memory (budget {EpochHistory.BUDGET} epochs; tracemalloc, bytes held):"]
    for epochs in epoch_counts:
        held, kept = held_bytes(epochs)
        lines.append(f"  {epochs:>9,} epochs: {held / 1e6:6.2f} MB held, {kept:,} epochs kept")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", default=",".join(map(str, DEFAULT_EPOCHS)))
    args = parser.parse_args(argv)
    for line in report(tuple(int(n) for n in args.epochs.split(",") if n)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
