"""What a new user tripped over in the app: keys sent in a burst while a dataset loads, focus
after the terminal was too small, the log's scrolling keys, adopted weights and the run store."""

from __future__ import annotations

from textual import events

from engine import RunStore
from tests.ui import ready, wait_for
from tui.controller import Controller
from tui.sessions import Preset


def burst(app, *keys: str) -> None:
    """Keys as a terminal sends them in one write: posted at once, nothing waited for between."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_keys_sent_while_a_dataset_loads_act_after_it_in_order(make_app):
    app = make_app()  # iris
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one("#dataset").focus()
        await pilot.pause()
        burst(app, "right", "t")  # wine, then train it at once
        await wait_for(pilot, lambda: app.controller.experiment.dataset.name == "wine"
                       and app.key_gate.idle)
        await wait_for(pilot, lambda: app.controller.state.epoch >= 1)
        assert app.controller.experiment.dataset.name == "wine"


def test_adopted_weights_leave_the_finished_runs_row_as_it_was(tmp_path):
    path = tmp_path / "runs.sqlite"
    controller = Controller(Preset(dataset="iris", epochs=4, seed=0), pace=None, runs_path=path)
    controller.adopt(controller.first_build()())
    controller.train()
    controller.experiment.runner.join(20.0)
    controller.drain()
    assert controller.runs.wait()
    (before,) = RunStore(path).runs()
    edited = controller.snapshot().copy()
    edited.params[:] = 0.0  # every output alike: the test accuracy of a constant guess
    note = controller.adopt_weights(edited)
    controller.experiment.runner.join(20.0)
    controller.experiment.runner._join_scorer()
    controller.drain()
    assert controller.evaluation.accuracy != before.test_accuracy  # the new weights' score
    assert controller.runs.wait()
    (after,) = RunStore(path).runs()
    assert (after.test_accuracy, after.status, after.epochs_done) == (
        before.test_accuracy, "finished", 4)
    assert "unsaved" in note and f"run #{before.id}" in note
    controller.shutdown()


async def test_the_focus_comes_back_when_the_terminal_grows_back(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("up")  # from the layer list to the dataset
        assert app.focused.id == "dataset"
        await pilot.resize_terminal(40, 10)  # "nn-tui needs at least 60x18"
        await pilot.pause()
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: app.focused is not None)
        assert app.focused.id == "dataset"
        await pilot.press("down")
        assert app.focused.id == "layer-rows"


async def test_pgup_and_pgdn_scroll_the_log_and_the_help_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        log = app.log_panel
        for i in range(80):
            log.note(f"line {i}")
        await wait_for(pilot, lambda: log.max_scroll_y > 0 and log.scroll_y == log.max_scroll_y)
        await pilot.press("pageup")
        await wait_for(pilot, lambda: log.scroll_y < log.max_scroll_y)
        log.note("a new line does not pull it back")
        await pilot.pause()
        assert log.scroll_y < log.max_scroll_y
        for _ in range(10):  # 80 lines, a page of about 10: a few presses reach the end
            if log.scroll_y >= log.max_scroll_y:
                break
            await pilot.press("pagedown")
        assert log.scroll_y == log.max_scroll_y and log.auto_scroll  # new lines followed again
        await pilot.press("f1")
        rows = {str(key.render()): str(text.render()) for key, text in zip(
            app.screen.query(".help-key"), app.screen.query(".help-description"), strict=True)}
        assert "scroll the training log" in rows["pgup pgdn"]


def test_the_readme_keys_table_names_the_apps_keys():
    """Every key of the README's table (and of a README proposal waiting in docs/) is a key of
    the app, and every key of the app is in one of them."""
    import re
    from pathlib import Path

    from textual.binding import Binding

    from tui.keys import APP_BINDINGS

    root = Path(__file__).parents[2]
    texts = [(root / "README.md").read_text(), *(p.read_text() for p in
                                                 sorted((root / "docs").glob("readme-*.md")))]
    table: set[str] = set()
    for text in texts:
        _, found, rest = text.partition("| key | what it does |")
        if found:
            lines = rest.splitlines()[2:]
            for line in lines[:next((i for i, ln in enumerate(lines) if not ln.startswith("|")),
                                    len(lines))]:
                table.update(re.findall(r"`([^`]+)`", line.split("|")[1]))
    bindings = Binding.make_bindings(APP_BINDINGS)
    keys = {key for b in bindings for key in (b.key_display or b.key).split()}
    textual_own = {"ctrl+q", "esc"}  # Textual's quit; escape leaves a panel shown alone
    assert table - textual_own == keys, (table - keys, keys - table)


def test_a_share_that_rounds_to_none_or_all_says_so():
    from tui.inside.layers_table import whole_percent

    assert [whole_percent(s) for s in (0.0, 0.003, 0.25, 0.997, 1.0)] == [
        "0%", "<1%", "25%", ">99%", "100%"]


async def test_the_app_opens_the_experiment_the_command_line_built(make_app):
    built = Preset(dataset="xor", seed=0, layers="4:tanh,1:sigmoid").build()
    app = make_app(dataset="xor", first=built)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.controller.experiment is built  # not built a second time
