"""Training behaviour on tiny data: the classic intro's result, determinism, divergence, early
stopping and live hyperparameter changes, all by iterating the trainer's generator."""

import numpy as np
import pytest

from engine import (
    LIVE_SETTINGS,
    Dense,
    Diverged,
    EarlyStopped,
    EpochEnd,
    Finished,
    LayerSpec,
    Network,
    SpecError,
    Started,
    TrainConfig,
    TrainData,
    Trainer,
)
from engine.data.datasets import load_dataset
from engine.experiment import Experiment


def _digits_trainer(**config) -> Trainer:
    session = Experiment.create("digits", config=TrainConfig(**config))
    return session.trainer


def test_people_2_2_1_sigmoid_network_learns_the_classic_intro():
    people = load_dataset("people")
    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse", seed=0)
    net.fit(people.X_train, people.y_train, epochs=1000, optimizer="sgd", lr=0.1, batch_size=1)
    emily, frank = net.predict_proba(np.array([[-7.0, -3.0], [20.0, 2.0]]))[:, 0]
    assert emily > 0.9
    assert frank < 0.1


def test_default_digits_run_learns():
    events = list(_digits_trainer(epochs=15).run())
    assert isinstance(events[0], Started) and isinstance(events[-1], Finished)
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == list(range(1, 16))
    assert epochs[-1].train_loss < epochs[0].train_loss / 3
    assert epochs[-1].val_acc > 0.93


def test_same_seed_gives_bit_identical_runs():
    def run(seed: int) -> list[float]:  # iris: four shuffled mini-batches an epoch are enough
        config = TrainConfig(epochs=3, seed=seed, dtype="float64")
        trainer = Experiment.create("iris", config=config).trainer
        losses = [e.train_loss for e in trainer.run() if isinstance(e, EpochEnd)]
        return [*losses, *trainer.network.params[:50].tolist()]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_a_diverging_run_stops_with_a_reason_and_keeps_finite_weights():
    trainer = _digits_trainer(optimizer="sgd", lr=50.0, epochs=30)
    events = list(trainer.run())
    last = events[-1]
    assert isinstance(last, Diverged)
    assert "diverged at epoch" in last.text and "smaller learning rate" in last.text
    assert last.loss in ("nan", "inf") or float(last.loss) > 100
    assert np.all(np.isfinite(trainer.network.params))
    assert trainer.epoch == last.epoch - 1


def test_early_stopping_restores_the_best_weights():
    session = Experiment.create("iris", layers="32:relu,3:softmax",
                             config=TrainConfig(lr=0.05, epochs=400, patience=5, batch_size=8))
    events = list(session.trainer.run())
    stop = events[-1]
    assert isinstance(stop, EarlyStopped)
    epochs = {e.epoch: e for e in events if isinstance(e, EpochEnd)}
    assert stop.epoch - stop.best_epoch == 5
    assert stop.best_val_loss == min(e.val_loss for e in epochs.values())
    restored = session.evaluate("val").loss
    assert restored == pytest.approx(epochs[stop.best_epoch].val_loss, rel=1e-5)


def test_a_nan_loss_counts_as_divergence():
    session = Experiment.create("sine", layers="8:relu,1:linear",
                             config=TrainConfig(optimizer="sgd", lr=1e30, epochs=5))
    last = list(session.trainer.run())[-1]
    assert isinstance(last, Diverged) and last.epoch == 1
    assert np.all(np.isfinite(session.network.params))


def test_live_changes_apply_at_the_next_epoch():
    trainer = _digits_trainer(epochs=4, batch_size=64)
    run = trainer.run()
    next(run)  # Started
    first = next(run)
    trainer.update(lr=0.01, batch_size=0)
    second = next(run)
    assert (first.lr, second.lr) == (0.001, 0.01)
    assert trainer.config.batch_size == 0


def test_live_changes_are_checked():
    trainer = _digits_trainer(epochs=1)
    with pytest.raises(SpecError, match="learning rate"):
        trainer.update(lr=-1.0)
    with pytest.raises(SpecError, match="cannot change"):
        trainer.update(epochs=3)


def test_every_live_setting_can_change_and_the_refusal_lists_them_in_order():
    trainer = _digits_trainer(epochs=1)
    values = {"lr": 0.02, "momentum": 0.5, "l2": 0.001, "batch_size": 16, "patience": 2}
    assert tuple(values) == LIVE_SETTINGS
    trainer.update(**values)
    list(trainer.run())
    assert {name: getattr(trainer.config, name) for name in LIVE_SETTINGS} == values
    with pytest.raises(SpecError, match=r"\(only lr, momentum, l2, batch_size, patience\)"):
        trainer.update(optimizer="sgd")


def test_fit_takes_plain_lists_and_create_takes_layer_specs():
    net = Network([Dense(2, 4, "tanh"), Dense(4, 2, "softmax")], seed=1)
    history = net.fit([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0], epochs=2,
                      optimizer="sgd", lr=0.1, batch_size=0, momentum=0.5, l2=0.01)
    assert [row["epoch"] for row in history] == [1, 2]
    session = Experiment.create("iris", layers=[LayerSpec(8, "relu"), LayerSpec(3, "softmax")])
    assert [layer.n_out for layer in session.network.layers] == [8, 3]
    assert session.spec.loss == "cross_entropy"


def test_regression_reports_r2_instead_of_accuracy():
    session = Experiment.create("sine", layers="16:tanh,1:linear",
                             config=TrainConfig(lr=0.01, epochs=40))
    epochs = [e for e in session.trainer.run() if isinstance(e, EpochEnd)]
    assert epochs[-1].train_acc is None and epochs[-1].val_acc is None
    assert epochs[-1].val_r2 > 0.8 and epochs[-1].val_mae is not None
    assert session.evaluate("test").r2 > 0.8


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam"])
def test_every_optimizer_lowers_the_loss(optimizer):
    lr = {"sgd": 0.5, "momentum": 0.1, "rmsprop": 0.003, "adam": 0.003}[optimizer]
    session = Experiment.create("moons", layers="16:tanh,2:softmax",
                             config=TrainConfig(optimizer=optimizer, lr=lr, epochs=30))
    epochs = [e for e in session.trainer.run() if isinstance(e, EpochEnd)]
    assert epochs[-1].train_loss < 0.7 * epochs[0].train_loss


def test_nesterov_and_schedules_run():
    config = TrainConfig(optimizer="momentum", nesterov=True, lr=0.1, epochs=6, schedule="step",
                         schedule_options={"every": 2, "gamma": 0.5})
    session = Experiment.create("moons", layers="8:relu,2:softmax", config=config)
    lrs = [e.lr for e in session.trainer.run() if isinstance(e, EpochEnd)]
    assert lrs == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]


def test_bad_layer_and_data_combinations_are_refused_with_a_reason():
    with pytest.raises(SpecError, match="needs 3"):
        Experiment.create("iris", layers="10:relu,4:softmax")
    with pytest.raises(SpecError, match="softmax output"):
        Experiment.create("iris", layers="10:relu,3:sigmoid", loss="cross_entropy")
    with pytest.raises(SpecError, match="at least 1 unit"):
        Experiment.create("iris", layers="0:relu,3:softmax")


def test_trainer_refuses_an_empty_training_set():
    net = Network([Dense(2, 2, "softmax")], seed=0)
    data = TrainData.from_arrays(np.zeros((0, 2)), np.zeros(0, dtype=int), classification=True)
    with pytest.raises(SpecError, match="no training samples"):
        Trainer(net, data, TrainConfig())


def test_a_continued_cosine_run_restarts_its_schedule_over_its_own_epochs():
    """"Train more" after a cosine run used to train at lr 0 (the schedule had reached its
    planned end): each run now follows the schedule over its own epochs (a warm restart)."""
    config = TrainConfig(lr=0.01, epochs=4, schedule="cosine")
    session = Experiment.create("moons", layers="8:relu,2:softmax", config=config)
    first = [e.lr for e in session.trainer.run() if isinstance(e, EpochEnd)]
    more = [e.lr for e in session.trainer.run(6) if isinstance(e, EpochEnd)]
    assert first[0] == more[0] == 0.01  # each run starts at the base rate
    assert all(lr > 0 for lr in more) and more == sorted(more, reverse=True)
    assert more[-1] < 0.01 * 0.1  # and anneals over its own 6 epochs, not the config's 4
    assert first == [0.01 * 0.5 * (1 + np.cos(np.pi * i / 4)) for i in range(4)]


def test_a_run_of_other_length_than_the_config_spans_its_schedule_over_its_epochs():
    """The app trains the editor's epochs, which may differ from the config the trainer was
    built with: the schedule follows the run that is actually asked for."""
    session = Experiment.create("moons", layers="8:relu,2:softmax",
                                config=TrainConfig(lr=0.1, epochs=60, schedule="cosine"))
    lrs = [e.lr for e in session.trainer.run(4) if isinstance(e, EpochEnd)]
    assert lrs == [0.1 * 0.5 * (1 + np.cos(np.pi * i / 4)) for i in range(4)]
