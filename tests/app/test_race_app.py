"""A race from the app (b): variations of the design trained in worker processes, their
curves on the charts as they come, each run in the store (source 'race'); quitting stops the
workers, leaving no process behind. Spawning processes takes seconds on a busy machine: the
waits are long, the runs tiny (the `and` gate, a few epochs)."""

from __future__ import annotations

from engine import RunStore
from tests.ui import ready, wait_for
from tui.controller.racing import RACES
from tui.screens.race import RaceDialog

SPAWN_TIMEOUT = 120.0


async def start_race(pilot, kind: str) -> None:
    app = pilot.app
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(app.screen, RaceDialog))
    for _ in range(list(RACES).index(kind)):
        await pilot.press("down")
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.controller.racing.race is not None, SPAWN_TIMEOUT)


async def test_a_race_of_learning_rates_is_drawn_and_recorded(make_app, runs_store):
    app = make_app(dataset="and", epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await start_race(pilot, "learning rates")
        race = app.controller.racing.race
        await wait_for(pilot, lambda: not race.is_alive, SPAWN_TIMEOUT)
        await pilot.pause(0.3)  # a tick drains the last events
        curves = app.controller.curves()
        assert [c.label for c in curves] == ["lr 0.0001", "lr 0.001", "lr 0.01"]
        assert all([e.epoch for e in c.epochs] == [1, 2, 3] for c in curves)
        legend = str(app.charts.border_subtitle) + str(
            app.charts.query_one("#charts-legend").render())
        assert all(c.label in legend for c in curves)
        rows = RunStore(runs_store).runs()
        assert sorted(r.lr for r in rows) == [0.0001, 0.001, 0.01]
        assert {(r.source, r.status, r.epochs_done) for r in rows} == {("race", "finished", 3)}
        notes = "\n".join(app.log_panel.lines_text)
        assert notes.count("race, lr ") == 3 and notes.count(", test acc ") == 3
        for process in race._processes:  # the collector ends on their last event: they may
            process.join(SPAWN_TIMEOUT)     # still be exiting
        assert all(p.exitcode == 0 for p in race._processes)


async def test_quitting_during_a_race_leaves_no_worker_behind(make_app, runs_store):
    app = make_app(dataset="and", epochs=100_000, pace=20.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await start_race(pilot, "learning rates")
        race = app.controller.racing.race
        await wait_for(pilot, lambda: any(c.epochs for c in app.controller.curves()),
                       SPAWN_TIMEOUT)
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)
    assert all(p.exitcode is not None for p in race._processes)
    assert {r.status for r in RunStore(runs_store).runs()} == {"stopped"}
