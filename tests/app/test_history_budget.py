"""A day-long run keeps a bounded history: past a budget of epochs the older ones are thinned
(every k-th kept, and always the first, the best and the latest), so memory stays flat while
the charts still span the whole run. Fed through the controller, no app and no thread."""

from __future__ import annotations

from types import SimpleNamespace

from engine import EpochEnd, EpochHistory, Started
from tui.controller import Controller
from tui.controller.state import TrainState
from tui.sessions import Preset

EPOCHS = 100_000
BATCH = 500  # events a drain hands over, as a fast run's tick does


def epoch(n: int, val_loss: float) -> EpochEnd:
    return EpochEnd(n, 0.5, val_loss, 1e-3, 0.01, 1000.0, train_acc=0.8, val_acc=0.7)


class FedRunner:
    """Stands for the training runner: `drain` hands over what the test queued."""

    def __init__(self) -> None:
        self.queued: list = []

    def drain(self) -> list:
        events, self.queued = self.queued, []
        return events


def test_100k_epochs_through_the_controller_stay_within_the_budget():
    controller = Controller(Preset(dataset="iris", seed=0), pace=None)
    controller.adopt(controller.first_build()())  # the history starts as the app's does
    runner = FedRunner()
    controller.experiment = SimpleNamespace(runner=runner)  # from here only its runner is read
    controller.state = TrainState("idle")
    best = 61_234
    runner.queued = [Started(0, EPOCHS, 100, 32)]
    longest = 0
    for start in range(1, EPOCHS + 1, BATCH):
        runner.queued += [epoch(n, 0.1 if n == best else 1.0 + 1 / n)
                          for n in range(start, start + BATCH)]
        controller.drain()
        longest = max(longest, len(controller.history))
    history = controller.history
    epochs = [e.epoch for e in history]
    assert longest <= EpochHistory.BUDGET and len(history) <= EpochHistory.BUDGET
    assert epochs[0] == 1 and epochs[-1] == EPOCHS and best in epochs
    assert epochs == sorted(epochs) and len(set(epochs)) == len(epochs)
    assert len(history) > EpochHistory.BUDGET // 4  # thinned, not emptied: the charts have
    assert controller.state.epoch == EPOCHS         # enough points across the whole run
