"""`EpochHistory`: a list of epochs that stays within its budget by thinning the older ones,
always keeping the first, the best and the latest; the trainer's history is one."""

from __future__ import annotations

from itertools import pairwise

import pytest

from engine import EpochEnd, EpochHistory, Experiment, SpecError, TrainConfig


def epoch(n: int, val_loss: float | None = 1.0, train_loss: float = 1.0) -> EpochEnd:
    return EpochEnd(n, train_loss, val_loss, 1e-3, 0.01, 1000.0)


def test_below_the_budget_it_is_a_plain_list():
    history = EpochHistory(budget=16)
    for n in range(1, 17):
        history.append(epoch(n))
    assert [e.epoch for e in history] == list(range(1, 17))
    assert history == [epoch(n) for n in range(1, 17)]


def test_past_the_budget_older_epochs_are_thinned_evenly():
    history = EpochHistory(budget=16)
    for n in range(1, 1001):
        history.append(epoch(n, val_loss=2.0 - n / 1000 if n != 333 else 0.01))
        assert len(history) <= 16
    epochs = [e.epoch for e in history]
    assert epochs[0] == 1 and epochs[-1] == 1000 and 333 in epochs
    assert epochs == sorted(epochs)
    gaps = {b - a for a, b in pairwise(epochs)}
    assert max(gaps) <= 4 * 1000 // 16  # spread over the whole run, not bunched at one end


def test_the_best_falls_back_to_the_training_loss_without_validation():
    history = EpochHistory(budget=8)
    for n in range(1, 500):
        history.append(epoch(n, val_loss=None, train_loss=0.001 if n == 77 else 1.0))
    assert 77 in [e.epoch for e in history]


def test_a_list_handed_in_is_kept_within_the_budget():
    history = EpochHistory([epoch(n) for n in range(1, 101)], budget=10)
    epochs = [e.epoch for e in history]
    assert len(history) <= 10 and epochs[0] == 1 and epochs[-1] == 100


def test_a_budget_too_small_to_keep_first_best_and_latest_is_refused():
    with pytest.raises(SpecError, match="budget"):
        EpochHistory(budget=3)


def test_the_trainers_history_is_bounded_even_when_replaced():
    session = Experiment.create("iris", "4:relu,3:softmax", config=TrainConfig(epochs=3))
    trainer = session.trainer
    assert isinstance(trainer.history, EpochHistory)
    trainer.history = [epoch(n) for n in range(1, 3)]  # as loading a model sets it
    assert isinstance(trainer.history, EpochHistory) and len(trainer.history) == 2
    trainer.reset()
    assert isinstance(trainer.history, EpochHistory) and len(trainer.history) == 0
    list(trainer.run())
    assert [e.epoch for e in trainer.history] == [1, 2, 3]
