"""`KeyBar`: the keys that apply right now, on one line at the bottom: the app's training keys
and help first (as `check_action` allows), then those of the focused widget, then the app's
other keys, as many as fit.

Textual's Footer rebuilds a widget per key on every focus change, which costs more than the
change itself; this bar is one line of text, redrawn when the bindings change, and when the app
finds on a tick that the keys that apply are no longer those drawn (`follow`).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

FIRST = frozenset({"train", "pause", "resume", "continue_training", "step", "stop", "help"})


class KeyBar(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drawn: list[tuple[str, str]] | None = None

    def follow(self) -> None:
        """Redraws if the keys that apply differ from those drawn. A trainer may start and
        finish between two looks of the app (a short run at full speed), and then nothing else
        says that the keys changed."""
        if self.shown_keys() != self._drawn:
            self.refresh()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen:
            self.refresh()

    def shown_keys(self) -> list[tuple[str, str]]:
        """(key, description) per shown action, in the order described above."""
        active = list(self.screen.active_bindings.values())
        first = [a for a in active if isinstance(a.node, App) and a.binding.action in FIRST]
        ordered = [*first, *(a for a in active if not isinstance(a.node, App)),
                   *(a for a in active if isinstance(a.node, App) and a not in first)]
        keys: dict[str, tuple[str, str]] = {}
        for _node, binding, enabled, _ in ordered:
            if binding.show and enabled and binding.action not in keys:
                keys[binding.action] = (binding.key_display or self.app.get_key_display(binding),
                                        binding.description)
        return list(keys.values())

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        self._drawn = self.shown_keys()
        for key, description in self._drawn:
            text.append(f" {key} ", key_style)
            text.append(f"{description} ", description_style)
        return text
