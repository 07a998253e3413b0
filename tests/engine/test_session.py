"""The session keeps the settings in force (live changes included) and can change settings
without losing the trained weights."""

import numpy as np

from engine import EpochEnd, Experiment, TrainConfig


def _trained(epochs: int = 3) -> Experiment:
    session = Experiment.create("iris", config=TrainConfig(epochs=epochs, lr=0.01))
    list(session.trainer.run())
    return session


def test_live_changes_are_what_the_session_saves():
    session = _trained()
    session.trainer.update(lr=0.05, l2=0.001, batch_size=8, patience=4)
    list(session.trainer.run(1))
    assert session.metadata()["train"]["lr"] == 0.05
    assert session.config.l2 == 0.001 and session.config.patience == 4


def test_with_settings_keeps_weights_epochs_and_history():
    session = _trained()
    twin = session.with_settings(TrainConfig(optimizer="sgd", lr=0.1, epochs=2))
    np.testing.assert_array_equal(twin.network.params, session.network.params)
    assert twin.trainer.epoch == 3 and len(twin.trainer.history) == 3
    epochs = [e.epoch for e in twin.trainer.run() if isinstance(e, EpochEnd)]
    assert epochs == [4, 5]
    assert twin.config.optimizer == "sgd"
