"""The app's pure rules, without an app: which epochs the log shows, how an epoch line shrinks
to fit, the pace steps, and what a design change costs."""

from __future__ import annotations

import numpy as np
import pytest

from engine import EpochEnd, Evaluated, Finished, LayerSpec, ModelSpec, Paused, SpecError, Started
from engine import TrainConfig as Config
from tui import edits
from tui.design import DataShape, Design, change_kind, changed_fields
from tui.log_lines import epoch_line
from tui.numbers import compact_number
from tui.pace import DEFAULT_PACE, PACES, faster, pace_label, slower
from tui.relay import Relay, nice_stride

IRIS = DataShape("iris", 4, 3, "classification", 104, "iris")


def epoch(n: int, **figures: float) -> EpochEnd:
    defaults = dict(train_loss=0.31416, val_loss=0.351, lr=1e-3, seconds=0.01,
                    samples_per_sec=1234.0, train_acc=0.912, val_acc=0.902)
    return EpochEnd(n, **{**defaults, **figures})


def design() -> Design:
    spec = ModelSpec((LayerSpec(100, "relu"), LayerSpec(3, "softmax")), "cross_entropy")
    return Design(IRIS, spec, Config())


def test_epoch_line_has_the_issue_layout_and_shrinks_to_fit():
    line = epoch_line(epoch(20))
    assert line == ("epoch  20  loss 0.3142  acc 0.912  val_loss 0.351  val_acc 0.902   "
                    "1.2k samples/s")
    assert epoch_line(epoch(20), width=40) == "epoch  20 loss 0.3142 val_acc 0.902"
    regression = epoch(3, train_acc=None, val_acc=None, train_r2=0.8, val_r2=0.75, val_mae=2.5)
    assert " r2  0.800" in epoch_line(regression) and "val_mae   2.500" in epoch_line(regression)
    assert [compact_number(v) for v in (950, 1234, 99_900, 125_700, 2.5e6)] == \
        ["950", "1.2k", "99.9k", "126k", "2.5M"]


def test_the_log_stride_keeps_lines_readable():
    assert [nice_stride(rate) for rate in (1, 4, 15, 60, 300, 5000)] == [1, 1, 5, 20, 100, 2000]


def test_relay_logs_every_stride_and_the_last_epoch_before_a_pause():
    relay = Relay(interval=0.1)
    first = relay.take([Started(0, 60, 100, 32), *(epoch(n) for n in range(1, 8))], 1.0, pace=15)
    assert [e.epoch for e in first.lines if isinstance(e, EpochEnd)] == [1, 5]  # first, stride
    later = relay.take([epoch(8), Paused(8)], 1.1, pace=15)
    assert [type(e).__name__ for e in later.lines] == ["EpochEnd", "Paused"]  # epoch 8 too
    done = relay.take([Finished(8)], 1.2, pace=15)
    assert [type(e).__name__ for e in done.lines] == ["Finished"] and not done.epochs


def test_relay_leaves_the_scores_to_the_views():
    relay = Relay(interval=0.1)
    scores = Evaluated(7, 3, 1.0, None, np.eye(3, dtype=np.int64), np.eye(3))
    batch = relay.take([Started(0, 60, 100, 32), *(epoch(n) for n in range(1, 8)), scores],
                       1.0, pace=15)
    assert [type(e).__name__ for e in batch.lines] == ["Started", "EpochEnd", "EpochEnd"]
    assert [e.epoch for e in batch.lines[1:]] == [1, 5]  # the first epoch, then each fifth
    later = relay.take([Paused(7)], 1.1, pace=15)
    assert [getattr(e, "epoch", None) for e in later.lines] == [7, 7]  # epoch 7, then paused


def test_pace_steps_from_one_epoch_a_second_to_full_speed():
    assert slower(PACES[0]) == PACES[0] and faster(None) is None
    assert faster(DEFAULT_PACE) > DEFAULT_PACE and slower(DEFAULT_PACE) < DEFAULT_PACE
    assert pace_label(None) == "full speed" and pace_label(15) == "15 epochs/s"


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda d: edits.with_typed_value(d, "lr", "-1"), "learning rate must be > 0"),
    (lambda d: edits.with_typed_value(d, "batch_size", "x"), "'x' is not a whole number"),
    (lambda d: edits.with_units(d, 0, "0"), "at least 1 unit"),
    (lambda d: edits.with_units(d, 1, "5"), "the output layer has 5 units but the dataset"),
    (lambda d: edits.with_layer_deleted(d, 1), "the output layer stays"),
    (lambda d: edits.with_layer_moved(d, 0, -1), "already at the top"),
])
def test_a_refused_edit_says_why(edit, reason):
    with pytest.raises(SpecError, match=reason):
        edit(design())


def test_cycling_skips_what_does_not_fit_and_the_loss_follows_the_output():
    hidden = edits.with_activation_cycled(design(), 0, -1)  # relu -> tanh, never softmax
    assert hidden.layers[0].activation == "tanh"
    output = edits.with_activation_cycled(design(), 1, 1)  # softmax -> sigmoid (tanh refused)
    assert output.layers[1].activation == "sigmoid"
    assert output.spec.loss == "binary_cross_entropy"


def test_a_new_dataset_refits_the_output_layer():
    wine_like = DataShape("diabetes", 10, 1, "regression", 300, "diabetes")
    moved = design().for_dataset(wine_like)
    assert moved.spec.layers_text == "100:relu,1:linear" and moved.spec.loss == "mse"


def test_what_a_change_costs():
    base = design()
    assert change_kind(changed_fields(base, base.with_config(lr=0.1))) == "live"
    assert change_kind(changed_fields(base, base.with_config(epochs=5))) == "next_run"
    assert change_kind(changed_fields(base, base.with_config(optimizer="sgd"))) == "carry"
    assert change_kind(changed_fields(base, edits.with_layer_added(base, 0))) == "rebuild"
    assert change_kind(changed_fields(base, base.with_config(seed=4))) == "reload"
