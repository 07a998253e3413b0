"""Thread control: pause, resume, step, stop and reset from another thread while training runs,
with no lost or duplicated epochs and a snapshot that stays consistent; and the runner's
`Evaluated` events, the test-split scores the app's panels show (never computed on the UI
thread)."""

import threading
import time

import numpy as np
import pytest

from engine import EpochEnd, Evaluated, Network, TrainConfig
from engine.experiment import Experiment
from engine.train import runner as runner_module
from engine.train.quick_switches import SWITCH_SECONDS

TIMEOUT = 20.0


def _session(epochs: int = 200, **config) -> Experiment:
    return Experiment.create("moons", layers="16:tanh,2:softmax",
                          config=TrainConfig(epochs=epochs, lr=0.01, **config))


def _wait_for(predicate, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def _epochs(events) -> list[int]:
    return [e.epoch for e in events if isinstance(e, EpochEnd)]


def _collect(runner, until) -> list:
    events: list = []
    _wait_for(lambda: events.extend(runner.drain()) or until(events))
    return events


def test_pause_resume_stop_lose_and_duplicate_no_epoch():
    runner = _session().runner
    runner.set_pace(500)  # slow enough that pause lands mid-run on any machine
    runner.start()
    events = _collect(runner, lambda ev: len(_epochs(ev)) >= 5)
    runner.pause()
    events += _collect(runner, lambda ev: bool(ev) and ev[-1].kind == "paused")
    assert runner.state == "paused"
    paused_at = runner.epoch
    time.sleep(0.05)
    assert runner.epoch == paused_at  # nothing runs while paused
    runner.resume()
    events += _collect(runner, lambda ev: runner.epoch >= paused_at + 5)
    runner.stop()
    events += runner.drain()
    kinds = [e.kind for e in events]
    assert kinds[0] == "started" and kinds[-1] == "stopped"
    assert "paused" in kinds and "resumed" in kinds
    assert _epochs(events) == list(range(1, runner.epoch + 1))
    assert [e.epoch for e in runner.trainer.history] == list(range(1, runner.epoch + 1))
    assert not runner.is_alive


def test_step_runs_exactly_one_epoch_each_time():
    runner = _session().runner
    runner.step()
    events = _collect(runner, lambda ev: ev and ev[-1].kind == "paused")
    runner.step()
    runner.step()
    events += _collect(runner, lambda ev: len(_epochs(events + ev)) == 3
                       and ev[-1].kind == "paused")
    assert _epochs(events) == [1, 2, 3]
    assert runner.epoch == 3
    runner.stop()


def test_stop_keeps_the_weights_and_a_new_start_continues_the_numbering():
    runner = _session(epochs=4).runner
    runner.start()
    runner.join(TIMEOUT)
    assert runner.state == "finished"
    kept = runner.trainer.network.params.copy()
    runner.start()
    runner.join(TIMEOUT)
    events = runner.drain()
    assert _epochs(events) == list(range(1, 9))
    assert not np.array_equal(kept, runner.trainer.network.params)
    assert [e.kind for e in events].count("finished") == 2


def test_reset_while_running_gives_the_initial_weights_back():
    session = _session(epochs=100_000)
    initial = session.network.params.copy()
    runner = session.runner
    runner.start()
    _wait_for(lambda: runner.epoch > 3)
    runner.reset()
    assert not runner.is_alive and runner.epoch == 0 and runner.trainer.history == []
    np.testing.assert_array_equal(runner.trainer.network.params, initial)
    events = _collect(runner, lambda ev: any(e.kind == "reset" for e in ev)
                      and ev[-1].kind == "evaluated")
    kinds = [e.kind for e in events if e.kind != "evaluated"]
    assert kinds[-2:] == ["stopped", "reset"]
    fresh = events[-1]  # the re-drawn weights scored, from another thread
    assert fresh.epoch == 0
    assert fresh.accuracy == session.evaluate("test").accuracy


def test_snapshots_are_read_only_and_consistent_while_training():
    runner = _session(epochs=100_000).runner
    runner.start()
    seen = []
    try:
        for _ in range(30):
            snap = runner.trainer.snapshot()
            assert isinstance(snap, Network)
            with pytest.raises(ValueError):
                snap.layers[0].W[0, 0] = 1.0
            probs = snap.predict_proba(np.zeros((3, 2)))
            np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
            seen.append(snap.params.copy())
            time.sleep(0.002)
    finally:
        runner.stop()
    assert any(not np.array_equal(seen[0], s) for s in seen)  # it followed training


def test_control_from_many_threads_at_once_never_breaks_the_trainer():
    runner = _session(epochs=100_000).runner
    runner.start()
    actions = [runner.pause, runner.resume, runner.step, lambda: runner.trainer.update(lr=0.02)]

    def hammer(seed: int) -> None:
        rng = np.random.default_rng(seed)
        for _ in range(200):
            actions[rng.integers(len(actions))]()

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    runner.resume()
    _wait_for(lambda: runner.epoch > 5)
    runner.stop()
    events = runner.drain()
    assert _epochs(events) == list(range(1, runner.epoch + 1))
    assert runner.trainer.config.lr == 0.02


def test_a_slow_consumer_never_slows_the_trainer():
    runner = _session(epochs=300).runner
    runner.start()  # nobody drains until the end
    runner.join(TIMEOUT)
    assert runner.state == "finished"
    assert _epochs(runner.drain()) == list(range(1, 301))


def test_an_error_inside_the_thread_becomes_an_event_not_a_silent_death():
    session = _session(epochs=100)
    runner = session.runner
    kept = runner.trainer.network.params.copy()

    def broken_step(*args, **kwargs):
        raise MemoryError("no room for the batch")

    runner.trainer.step.run_batches = broken_step  # the backend's step (numba or numpy)
    runner.start()
    runner.join(TIMEOUT)
    last = runner.drain()[-1]
    assert last.kind == "failed" and "MemoryError" in last.text
    assert runner.state == "failed" and not runner.is_alive
    np.testing.assert_array_equal(runner.trainer.network.params, kept)


# -- evaluations --------------------------------------------------------------------------


def _evaluations(events) -> list[Evaluated]:
    return [e for e in events if isinstance(e, Evaluated)]


def test_start_publishes_started_before_it_returns():
    runner = _session(epochs=100_000).runner
    runner.start()
    try:
        first = runner.drain()
        assert first and first[0].kind == "started"
    finally:
        runner.stop()


def test_the_last_epoch_is_scored_on_the_test_split_before_the_end_is_told():
    session = _session(epochs=12)
    runner = session.runner
    runner.set_evaluation_rate(1e-6)  # none but the first epoch's and the last one's
    runner.start()
    runner.join(TIMEOUT)
    events = runner.drain()
    evaluated = _evaluations(events)
    assert [e.epoch for e in evaluated] == [1, 12]
    assert events[-2] is evaluated[-1] and events[-1].kind == "finished"
    expected = session.evaluate("test")
    last = evaluated[-1]
    assert last.n == expected.n == len(session.dataset.X_test)
    assert last.accuracy == expected.accuracy and last.r2 is None
    np.testing.assert_array_equal(last.confusion, expected.confusion)
    np.testing.assert_allclose(last.probabilities,
                               session.network.predict_proba(session.dataset.X_test))
    for array in (last.confusion, last.probabilities):
        with pytest.raises(ValueError):
            array[0, 0] = 0


def test_evaluations_follow_the_rate_asked_for():
    runner = _session(epochs=6).runner
    runner.set_evaluation_rate(1e9)  # every epoch
    runner.start()
    runner.join(TIMEOUT)
    assert [e.epoch for e in _evaluations(runner.drain())] == [1, 2, 3, 4, 5, 6]


def test_a_pause_and_a_stop_are_scored_first():
    runner = _session(epochs=100_000).runner
    runner.set_evaluation_rate(1e-6)
    runner.step()
    events = _collect(runner, lambda ev: bool(ev) and ev[-1].kind == "paused")
    assert [e.kind for e in events][-2:] == ["evaluated", "paused"]
    assert events[-2].epoch == runner.epoch == 1
    runner.step()
    events = _collect(runner, lambda ev: bool(ev) and ev[-1].kind == "paused")
    assert [(e.kind, e.epoch) for e in events][-2:] == [("evaluated", 2), ("paused", 2)]
    runner.resume()
    _wait_for(lambda: runner.epoch > 4)
    runner.stop()
    events = runner.drain()
    assert [e.kind for e in events][-2:] == ["evaluated", "stopped"]
    assert events[-2].epoch == runner.epoch


def test_regression_is_scored_with_r2():
    session = Experiment.create("sine", layers="8:tanh,1:linear",
                                config=TrainConfig(epochs=3, lr=0.01))
    session.runner.start()
    session.runner.join(TIMEOUT)
    last = _evaluations(session.runner.drain())[-1]
    assert last.accuracy is None and last.confusion is None
    assert last.r2 == pytest.approx(session.evaluate("test").r2)
    assert last.probabilities.shape == (len(session.dataset.X_test), 1)


def test_weights_outside_a_run_are_scored_off_the_calling_thread(monkeypatch):
    threads: list[str] = []
    scored = runner_module.evaluate

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return scored(*args, **kwargs)

    monkeypatch.setattr(runner_module, "evaluate", spy)
    session = _session(epochs=3)
    runner = session.runner
    runner.request_evaluation()
    runner.start()  # waits in the training thread for the scores asked for first
    runner.join(TIMEOUT)
    evaluated = _evaluations(runner.drain())
    assert evaluated[0].epoch == 0
    assert threading.main_thread().name not in threads
    runner.request_evaluation()  # the same weights again: scored once only
    runner.join(TIMEOUT)
    assert _evaluations(runner.drain()) == []


def test_the_gil_comes_back_quickly_while_runs_go_on_and_as_it_was_after_the_last():
    """The training thread needs the GIL briefly between epochs; while a run goes on, CPython's
    switch interval is short, so that a UI drawing in Python does not hold it up 5 ms each
    time. Process-wide: it comes back as it was only when the last of two runs ends."""
    import sys

    before = sys.getswitchinterval()
    first, second = _session().runner, _session().runner
    first.set_pace(1000)
    second.set_pace(1000)
    try:
        first.start()
        _wait_for(lambda: first.epoch >= 1)
        assert sys.getswitchinterval() == SWITCH_SECONDS < before
        second.start()
        _wait_for(lambda: second.epoch >= 1)
        first.stop()
        assert sys.getswitchinterval() == SWITCH_SECONDS  # the second runs on
        second.pause()
        _wait_for(lambda: second.state == "paused")
        assert sys.getswitchinterval() == SWITCH_SECONDS  # paused, not ended
    finally:
        first.stop()
        second.stop()
    assert sys.getswitchinterval() == before
