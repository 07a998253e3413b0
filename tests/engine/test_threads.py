"""BLAS threads: the policy (1 thread for small products and on a machine whose other cores are
taken), `TrainConfig.threads` as an override, the limit held during a run and given back."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from engine.errors import SpecError
from engine.network import Network
from engine.nn.spec import LayerSpec, ModelSpec, TrainConfig
from engine.train import threads
from engine.train.events import EpochEnd
from engine.train.runner import TrainingRunner
from engine.train.threads import BlasThreads, policy_threads
from engine.train.train_data import TrainData
from engine.train.trainer import Trainer

MNIST = (784, 256, 128, 10)
DIGITS = (64, 100, 10)


def blas_now() -> set[int]:
    return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}


@pytest.mark.parametrize(("batch", "widths", "free", "expected"), [
    (32, MNIST, 2.0, 1),     # batch <= 64: small products, whatever the layers
    (64, MNIST, 2.0, 1),
    (128, DIGITS, 2.0, 1),   # narrow layers: small products at batch 128 too
    (128, MNIST, 2.0, 2),    # large products, two free cores
    (128, MNIST, 1.0, 1),    # another process holds one of the two cores
    (128, MNIST, 1.6, 1),
    (128, MNIST, 1.8, 2),
    (4096, MNIST, 8.0, 2),   # never more than the cores
    (128, MNIST, 0.0, 1),    # at least one
])
def test_policy(batch: int, widths: tuple[int, ...], free: float, expected: int) -> None:
    assert policy_threads(batch, widths, free, cores=2) == expected


def test_a_busy_neighbour_takes_the_second_thread_away(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large products: the count follows the free cores measured during the run."""
    free = iter([2.0, 1.0, 2.0])
    monkeypatch.setattr(threads.FreeCores, "measure", lambda self, cores: next(free))
    monkeypatch.setattr(threads, "RECHECK_SECONDS", 0.0)
    plan = BlasThreads(0, MNIST)
    plan.cores = 2
    # 1 until the machine was watched (the first epoch), then the free cores each time.
    assert [plan.choose(128) for _ in range(4)] == [1, 2, 1, 2]
    assert plan.choose(32) == 1  # small batch: no measuring at all (the iterator is spent)


def test_a_reserved_core_is_left_to_the_process_s_other_threads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's runner reserves a core for its UI thread: two free cores give one BLAS thread,
    and the background runner asks for that reserve."""
    monkeypatch.setattr(threads.FreeCores, "measure", lambda self, cores: 2.0)
    monkeypatch.setattr(threads, "RECHECK_SECONDS", 0.0)
    plan = BlasThreads(0, MNIST, reserve=1)
    plan.cores = 2
    assert [plan.choose(128) for _ in range(3)] == [1, 1, 1]
    trainer = _trainer(0, 32)
    assert trainer.reserved_cores == 0  # headless: every free core
    TrainingRunner(trainer)
    assert trainer.reserved_cores == 1


def _trainer(threads_wanted: int, batch: int) -> Trainer:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 5)), rng.integers(0, 3, size=200)
    net = Network.from_spec(ModelSpec((LayerSpec(8, "relu"), LayerSpec(3, "softmax"))), 5)
    config = TrainConfig(epochs=2, batch_size=batch, threads=threads_wanted)
    return Trainer(net, TrainData.from_arrays(X, y, classification=True), config)


@pytest.mark.parametrize(("wanted", "batch", "during"), [(1, 32, 1), (2, 32, 2), (0, 32, 1),
                                                          (0, 128, 1)])
def test_the_run_holds_its_count_and_gives_the_old_one_back(wanted: int, batch: int,
                                                            during: int) -> None:
    """An explicit count, or the policy's 1 for a small network; the setting from before the
    run (here 2, then 1, so that each case changes it) comes back when it ends."""
    before = 1 if during == 2 else 2
    with threadpool_limits(limits=before, user_api="blas"):
        trainer = _trainer(wanted, batch)
        seen = [blas_now() for event in trainer.run() if isinstance(event, EpochEnd)]
        assert seen == [{during}, {during}]
        assert trainer.blas_threads == during
        assert blas_now() == {before}


def test_a_run_closed_early_gives_the_count_back_too() -> None:
    with threadpool_limits(limits=2, user_api="blas"):
        run = _trainer(1, 32).run()
        next(run), next(run)  # Started, the first epoch
        assert blas_now() == {1}
        run.close()
        assert blas_now() == {2}


def test_threads_out_of_range_are_refused() -> None:
    with pytest.raises(SpecError, match="threads must be"):
        TrainConfig(threads=-1).checked()


def test_a_run_in_a_thread_leaves_no_hold_on_that_thread() -> None:
    """threadpoolctl keeps the first thread that set OpenBLAS's count until another takes
    over: the run's thread, and everything it referenced (in the app, the app), outlived it."""
    from threadpoolctl import OpenBLASController

    state = OpenBLASController._SHARED_STATE
    with BlasThreads(2, DIGITS) as limit:  # this test's thread has had the control
        limit.apply(64)
    assert state.controlling_thread is None

    def run() -> None:
        with BlasThreads(1, DIGITS) as held:
            held.apply(64)
            assert state.controlling_thread in (None, threading.current_thread())

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert state.controlling_thread is None
