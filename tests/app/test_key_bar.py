"""The key bar: the keys that matter in the current state are on screen at 80, 100 and 120
columns, help, quit and the way back to the other view always among them, labels shortened
before keys are left out."""

from __future__ import annotations

import re

import pytest

from tests.app.screen import widget_lines
from tests.ui import ready, trained, wait_for
from tui.widgets.key_bar import Key, fit_keys


def bar(app) -> str:
    return widget_lines(app.key_bar)[0]


def keys_in(text: str) -> list[str]:
    """The keys drawn: each is the first word after two spaces (or the line's start)."""
    return re.findall(r"(?:^ |  )(\S+)", text)


def key(name: str, label: str, short: str, essential: bool = False) -> Key:
    return Key(name, label, short, essential)


KEYS = [key("t", "train more", "more"), key("v", "other view", "view", True),
        key("?", "help", "help", True), key("q", "quit", "quit", True),
        key("^s", "save", "save"), key("n", "next sample", "next"),
        key("m", "misclassified", "wrong"), key("l", "log loss", "log")]


def test_labels_shorten_from_the_least_relevant_before_any_key_goes():
    full = sum(len(k.text) for k in KEYS)
    shown = fit_keys(KEYS, full - 6)  # "misclassified" -> "wrong" and "log loss" -> "log"
    assert [k.key for k in shown] == [k.key for k in KEYS]
    assert [k.long for k in shown] == [True] * 6 + [False] * 2


@pytest.mark.parametrize("width", [20, 30, 45, 60])
def test_help_quit_and_the_other_view_always_stay(width):
    shown = fit_keys(KEYS, width)
    assert {"?", "q", "v"} <= {k.key for k in shown}
    assert sum(len(k.text) for k in shown) <= width or all(not k.short for k in shown)
    if width >= 45:
        assert shown[0].long  # the state's main action keeps its label while it can


def visible(app, *names: str) -> bool:
    drawn = keys_in(bar(app))
    return all(name in drawn for name in names)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 24), (120, 40)])
async def test_the_keys_of_each_state_are_on_screen(make_app, size):
    app = make_app(epochs=40, pace=2)
    compact = size[0] < 100 or size[1] < 30
    back = ("v",) if compact else ()
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        assert visible(app, "t", "?", "q", *back), bar(app)
        assert " t train " in bar(app)
        if size == (120, 40):
            assert visible(app, "^s", "^o", "^p"), bar(app)
        await pilot.press("t")  # training, two epochs a second
        await wait_for(pilot, lambda: "pause" in bar(app))
        assert visible(app, "t", "x", "?", "q", *back), bar(app)
        await pilot.press("t")  # paused
        await wait_for(pilot, lambda: "resume" in bar(app))
        assert visible(app, "t", "s", "x", "?", "q", *back), bar(app)
        app.controller.experiment.runner.set_pace(None)
        await pilot.press("t")
        await trained(pilot)
        await wait_for(pilot, lambda: " t train more " in bar(app))
        assert visible(app, "?", "q", "^s", *back), bar(app)


def test_a_way_back_ranked_last_stays_while_keys_above_it_go():
    """Draw mode: `esc done` comes after the drawing keys; it stays, they give way."""
    keys = [key("t", "train more", "more"), key("↑↓←→", "move", "move"),
            key("0-9", "ink (moves right)", "ink"), key("c", "clear", "clear"),
            key("i", "invert", "invert"), key("esc", "done", "done", True)]
    shown = fit_keys(keys, 30)
    assert shown[0].key == "t" and shown[-1].key == "esc"
    assert len(shown) < len(keys) and sum(len(k.text) for k in shown) <= 30
