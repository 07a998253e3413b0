"""The lr schedule and nesterov in the app: the editor shows and edits them, they wait for the
next run like the epochs, and "train more" on a cosine-trained model trains (its schedule starts
again over the new run) and the log says so."""

from __future__ import annotations

import pytest

from engine import SpecError
from tests.app.test_controller import controller_for, settle
from tests.ui import ready, trained, wait_for
from tui import edits
from tui.design import change_kind, changed_fields


def test_the_schedule_waits_for_the_next_run_and_train_more_restarts_it():
    controller = controller_for(epochs=4, lr=0.01)
    design = edits.with_schedule_cycled(edits.with_schedule_cycled(controller.design, 1), 1)
    assert design.config.schedule == "cosine"
    fields = changed_fields(controller.design, design)
    change = controller.change(design, fields)
    assert change_kind(fields) == "next_run" and change.question is None
    old = controller.experiment
    assert change.carry_out().note == "lr schedule cosine for the next run"
    assert controller.experiment is old and old.config.schedule == "constant"
    controller.train()
    settle(controller)
    assert controller.experiment.config.schedule == "cosine"
    assert controller.experiment.network is old.network  # the weights went along
    first = [e.lr for e in controller.history]
    assert first[0] == 0.01 and first == sorted(first, reverse=True)
    controller.train()  # train more: the schedule starts again over these 4 epochs
    settle(controller)
    more = [e.lr for e in controller.history[4:]]
    assert [e.epoch for e in controller.history] == list(range(1, 9))
    assert more == first and more[0] > 0


def test_nesterov_belongs_to_momentum_and_reaches_the_next_run():
    controller = controller_for(epochs=2)
    with pytest.raises(SpecError, match="nesterov applies to the momentum optimizer"):
        edits.with_nesterov_toggled(controller.design)  # adam
    controller.change(momentum := controller.design.with_config(optimizer="momentum"),
                      frozenset({"optimizer"})).carry_out()
    design = edits.with_nesterov_toggled(momentum)
    assert edits.nesterov_text(design.config) == "on"
    outcome = controller.change(design, changed_fields(momentum, design)).carry_out()
    assert outcome.note == "nesterov on for the next run"
    assert controller.experiment.trainer.optimizer.nesterov is False
    controller.train()
    settle(controller)
    assert controller.experiment.trainer.optimizer.nesterov is True
    assert controller.state.epoch == 2


async def test_the_editor_edits_the_schedule_and_nesterov(make_app):
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        schedule = app.editor.query_one("#schedule")
        assert str(schedule.render()) == "◂ constant ▸"
        schedule.focus()
        await pilot.press("right", "right")
        assert app.controller.design.config.schedule == "cosine"
        assert str(schedule.render()) == "◂ cosine ▸"
        assert "lr schedule cosine for the next run" in app.log_panel.lines_text[-1]
        nesterov = app.editor.query_one("#nesterov")
        nesterov.focus()
        await pilot.press("right")
        assert "nesterov applies to the momentum optimizer" in str(
            app.editor.query_one("#reason").render())
        app.editor.query_one("#optimizer").focus()
        await pilot.press("left")  # adam -> rmsprop -> momentum
        await wait_for(pilot, lambda: app.controller.design.config.optimizer == "rmsprop")
        await pilot.press("left")
        await wait_for(pilot, lambda: app.controller.design.config.optimizer == "momentum")
        nesterov.focus()
        await pilot.press("right")
        assert app.controller.design.config.nesterov and str(nesterov.render()) == "◂ on ▸"
        await pilot.press("t")
        await trained(pilot)
        assert app.controller.experiment.config.nesterov
        assert any("training with cosine over 3 epochs, lr 0.001" in line
                   for line in app.log_panel.lines_text)
        await pilot.press("t")  # train more
        await trained(pilot)
        assert any("continuing with cosine restarted over 3 epochs, lr 0.001 →" in line
                   for line in app.log_panel.lines_text)
        assert app.controller.history[3].lr == 0.001  # the continued run's first epoch
