"""The key gate while the app closes: its screens already gone, a settling round must not raise
(seen once under load: ctrl+s while training, the app quitting, `app.screen` raised
ScreenStackError from inside the gate)."""

from __future__ import annotations

from typing import Any

from textual.app import ScreenStackError

from tui.key_gate import KeyGate


class _ClosingApp:
    """An app whose screen stack is empty: what `App.screen` meets while the app shuts down."""

    is_attached = True

    @property
    def screen(self) -> Any:
        raise ScreenStackError("No screens on stack")

    def call_later(self, callback: Any, *args: Any) -> bool:
        return False  # nothing runs any more


def test_a_settling_round_with_no_screen_left_settles_on_the_app_alone() -> None:
    app = _ClosingApp()
    gate = KeyGate(app, waiting=lambda: False)  # type: ignore[arg-type]
    assert gate._nodes() == [app]
    gate._barrier()  # the round ends at once: no node took its callback
    assert gate.idle
