"""What the training log shows, as pure functions: which epochs of a run (a steady, round stride,
always the first and the last epoch, never a whole run in one line) and how its lines are laid
out (fixed columns, whole numbers, long lines wrapped under their text)."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from engine import EpochEnd, Finished, Started, TrainConfig
from tui.log_lines import epoch_line, event_line, fixed, schedule_note
from tui.relay import Relay, nice_floor, run_stride


def epoch(n: int, loss: float = 0.31416, **figures: float) -> EpochEnd:
    defaults = dict(val_loss=0.351, lr=1e-3, seconds=0.01, samples_per_sec=1234.0,
                    train_acc=0.912, val_acc=0.902)
    return EpochEnd(n, loss, **{**defaults, **figures})


def logged(batches, pace=None) -> list[int]:
    """The epochs the log shows when the relay takes `batches` 0.1 s apart."""
    relay = Relay(interval=0.1)
    shown = []
    for i, batch in enumerate(batches):
        lines = relay.take(batch, 1.0 + 0.1 * i, pace).lines
        shown += [e.epoch for e in lines if isinstance(e, EpochEnd)]
    return shown


def test_a_run_that_ends_between_two_looks_is_logged_as_a_sample_not_one_line():
    """iris at full speed: 200 epochs, Started and Finished in one batch. It used to log
    `epoch 200` alone."""
    run = [Started(0, 200, 104, 32), *(epoch(n) for n in range(1, 201)), Finished(200)]
    assert logged([run]) == [1, *range(20, 201, 20)]


def test_a_long_fast_run_keeps_its_first_epoch_a_round_steady_stride_and_its_last():
    """The people run: 1000 epochs at thousands a second, drained in batches of 250."""
    events = [Started(0, 1000, 4, 4), *(epoch(n) for n in range(1, 1001)), Finished(1000)]
    shown = logged([events[i:i + 250] for i in range(0, len(events), 250)])
    assert shown[0] == 1 and shown[-1] == 1000
    gaps = {b - a for a, b in pairwise(shown[1:])}
    assert gaps == {100}, gaps  # steady, round (a tenth of the run), never 800 epochs skipped
    assert all(n % 100 == 0 for n in shown[1:])


def test_a_continued_run_logs_its_own_first_and_last_epoch():
    events = [Started(60, 90, 104, 32), *(epoch(n) for n in range(61, 91)), Finished(90)]
    shown = logged([events])
    assert shown[0] == 61 and shown[-1] == 90 and all(n % 2 == 0 for n in shown[1:])


def test_the_stride_never_shrinks_while_the_rate_wobbles():
    relay = Relay(interval=0.1)
    relay.take([Started(0, 100_000, 4, 4)], 1.0)
    strides = []
    for i, count in enumerate([400, 50, 400, 20, 400]):  # epochs per 0.1 s batch
        first = 1 + sum([400, 50, 400, 20, 400][:i])
        relay.take([epoch(n) for n in range(first, first + count)], 1.1 + 0.1 * i)
        strides.append(relay.stride)
    assert strides == sorted(strides) and strides[0] > 1


@pytest.mark.parametrize(("rate", "length", "stride"), [
    (15, 60, 5), (15, 20, 2), (5000, 200, 20), (5000, 1000, 100), (5000, 10**6, 2000),
    (1, 5, 1), (60, 0, 20)])
def test_the_stride_is_readable_but_at_most_a_tenth_of_the_run(rate, length, stride):
    assert run_stride(rate, length) == stride
    assert nice_floor(stride) == stride  # always 1, 2, 5, 10, 20, 50...


def test_epoch_lines_keep_their_columns_whatever_the_figures():
    lines = [epoch_line(epoch(5), last_epoch=200), epoch_line(epoch(50, 12.3456), last_epoch=200),
             epoch_line(epoch(200, 1234.5678, val_loss=56.789, samples_per_sec=126_000),
                        last_epoch=200)]
    for label in ("loss", "acc", "val_loss", "val_acc", "samples/s"):
        columns = {line.index(f" {label} ") if label != "samples/s" else line.index(label)
                   for line in lines}
        assert len(columns) == 1, (label, lines)
    assert "loss 12.346" in lines[1] and "loss 1234.6" in lines[2]  # fewer decimals, same width


@pytest.mark.parametrize("width", [12, 20, 31, 35, 45, 60, 90])
def test_an_epoch_line_fits_its_width_and_never_cuts_a_number(width):
    event = epoch(57, 0.0201, val_loss=0.0963, train_acc=0.998, val_acc=0.97)
    line = epoch_line(event, width, last_epoch=60)
    assert len(line) <= width
    rate = re.search(r" +(\S+) samples/s$", line)
    assert rate is None or rate.group(1) == "1.2k"
    figures = re.findall(r"([a-z_]+) +(\S+)", line.removesuffix(rate.group(0) if rate else ""))
    assert figures[0] == ("epoch", "57")
    wanted = {"loss": "0.0201", "acc": "0.998", "val_loss": "0.096", "val_acc": "0.970"}
    for label, value in figures[1:]:
        assert value == wanted[label], (label, value, line)


def test_fixed_width_numbers_give_up_decimals_before_width():
    assert [fixed(v, 6, 4) for v in (0.31416, 12.3456, 1234.5678, 123456.7)] == \
        ["0.3142", "12.346", "1234.6", "123457"]
    assert fixed(float("nan"), 6, 4) == "   nan" and fixed(-0.5, 6, 3) == "-0.500"


def test_a_long_event_line_wraps_under_its_text_with_words_whole():
    text = "continuing with cosine restarted over 60 epochs, lr 0.001 → 0"
    lines = event_line(text, "12:00:00", width=44).split("\n")
    assert len(lines) > 1 and all(len(line) <= 44 for line in lines)
    assert lines[0].startswith("12:00:00  continuing")
    assert all(line.startswith(" " * 10) and line[10] != " " for line in lines[1:])
    assert " ".join(lines).split() == f"12:00:00 {text}".split()  # every word whole, in order


def test_a_narrow_log_wraps_without_the_indent():
    text = "continuing with cosine restarted over 60 epochs, lr 0.001 → 0"
    lines = event_line(text, "12:00:00", width=24).split("\n")
    assert all(len(line) <= 24 and not line.startswith(" ") for line in lines)
    assert " ".join(lines).split() == f"12:00:00 {text}".split()


def test_a_run_says_which_lr_schedule_it_follows():
    cosine = TrainConfig(lr=0.001, schedule="cosine")
    assert schedule_note(TrainConfig(), Started(0, 60, 100, 32)) is None  # constant: nothing
    assert schedule_note(cosine, Started(0, 60, 100, 32)) == \
        "training with cosine over 60 epochs, lr 0.001 → 6.9e-07"
    assert schedule_note(cosine, Started(60, 120, 100, 32)) == \
        "continuing with cosine restarted over 60 epochs, lr 0.001 → 6.9e-07"
    step = TrainConfig(lr=0.1, schedule="step", schedule_options={"every": 2, "gamma": 0.5})
    assert schedule_note(step, Started(4, 8, 100, 32)).endswith("lr 0.1 → 0.05")
