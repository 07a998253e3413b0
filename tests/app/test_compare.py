"""The comparison without an app: a race's epochs reach their own curves, also after some of
its runs were unselected on the runs screen; the live run is drawn first and once."""

from __future__ import annotations

from engine import EpochEnd, ModelSpec, RaceEvent, TrainConfig, Variation
from tui.controller.compare import Comparison, Described
from tui.controller.racing import Racing, layers_text
from tui.design import DataShape, Design
from tui.sessions import Preset


class FakeRace:
    def __init__(self, variations, run_ids):
        self.variations, self.run_ids, self.events = variations, run_ids, []
        self.is_alive = True

    def drain(self):
        events, self.events = self.events, []
        return events

    def close(self):
        self.is_alive = False


def epoch(n: int, loss: float) -> EpochEnd:
    return EpochEnd(n, loss, loss, 0.1, 0.01, 100.0, train_acc=0.5, val_acc=0.5)


def design() -> Design:
    data = DataShape("and", 2, 2, "classification", 4, "and")
    config = Preset().config()
    return Design(data, ModelSpec.from_dict(
        {"layers": [{"units": 2, "activation": "softmax"}], "loss": "cross_entropy"}), config)


def test_race_epochs_reach_their_own_curves_after_an_unselection():
    variations = [Variation(name, TrainConfig(optimizer=name)) for name in ("sgd", "adam",
                                                                            "rmsprop")]
    # The first unselected on the runs screen: the others keep their own epochs.
    comparison2 = Comparison()
    racing2 = Racing(comparison2)
    race2 = FakeRace(variations, [7, 8, 9])
    racing2.adopt(race2, design())
    comparison2.raced.pop(7)
    race2.events = [RaceEvent(1, epoch(1, 2.0)), RaceEvent(2, epoch(1, 1.0))]
    racing2.drain()
    curves = comparison2.curves([], None, None)
    assert [(c.key, [e.train_loss for e in c.epochs]) for c in curves] == \
        [(8, [2.0]), (9, [1.0])]
    assert [c.label for c in curves] == ["adam", "rmsprop"]


def test_the_live_run_is_first_and_drawn_once():
    comparison = Comparison()
    racing = Racing(comparison)
    variations = [Variation(f"lr {lr}", TrainConfig(lr=lr)) for lr in (0.1, 0.01)]
    racing.adopt(FakeRace(variations, [3, 4]), design())
    live_design = design()
    live = Described.of_config("and", layers_text(live_design),
                               TrainConfig(lr=0.01).to_dict())
    curves = comparison.curves([epoch(1, 1.0)], live, live_id=4)  # the live run is run 4
    assert [(c.key, c.live) for c in curves] == [(0, True), (3, False)]
    assert [c.label for c in curves] == ["live run: lr 0.01", "lr 0.1"]
