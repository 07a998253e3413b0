"""`MainScreen`: the app's first screen, the one the workbench is on."""

from __future__ import annotations

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget


class MainScreen(Screen[None]):
    """A focus move repaints what it changes, not the whole screen: the widgets that gain and
    lose the focus (their `:focus` styles), the panel that holds it (its border, from
    `Workbench`) and the key bar (new bindings). Textual's `Screen.focused` repaints the whole
    screen at every move, every panel and chart drawn again: 50-90 ms of CPU a tab here."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
