"""`KeyBar`: the keys that apply right now, on one line at the bottom, the ones that matter most
in the current state first.

Which state it is comes from the keys themselves (`check_action` enables "pause" only while a
run trains, "train more" only once trained...), and each state has its own ranking (`RANKS`):
while training, pause / stop / the other view / quit come first; in design, train and the
focused field's keys. When they do not all fit, the labels shorten from the least relevant key
up ("next sample" -> "next"), then the least relevant keys go, but help (`?`), the way back to
the other view (`v`, small terminals), quit (`q`) and a focused widget's way out of a mode
(`esc`) always stay. `fit_keys` is that rule as a
pure function, tested without an app.

Textual's Footer rebuilds a widget per key on every focus change, which costs more than the
change itself; this bar is one line of text, redrawn when the bindings change, and when the app
finds on a tick that the keys that apply are no longer those drawn (`follow`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

WIDGET = "<widget>"  # where the focused widget's own keys go in a ranking
ESSENTIAL = frozenset({"help", "switch_view", "quit"})
_REST = ("save", "open", "runs", "race", "command_palette")
RANKS: dict[str, tuple[str, ...]] = {
    "running": ("pause", "stop", "switch_view", "help", "quit", "step", "faster", "slower",
                "log_scale", WIDGET, "next_sample", "next_misclassified", "draw", *_REST),
    "paused": ("resume", "step", "stop", "switch_view", "help", "quit", WIDGET, "save",
               "next_misclassified", "next_sample", "draw", "log_scale", "faster", "slower",
               "open", "command_palette"),
    "trained": ("continue_training", "stop", "switch_view", "help", "quit", WIDGET, "save",
                "reinitialise", "next_misclassified", "next_sample", "draw", "log_scale", "open",
                "runs", "race", "command_palette", "step", "faster", "slower"),
    "design": ("train", "stop", "switch_view", "help", "quit", "open", "save", "command_palette",
               WIDGET, "runs", "race", "step", "next_sample", "draw", "log_scale", "faster",
               "slower", "reinitialise"),
}
# The state, from the first of these actions that is enabled ("design" when none is).
STATE_OF = (("pause", "running"), ("resume", "paused"), ("continue_training", "trained"),
            ("train", "design"))
SHORT_LABELS = {
    "continue_training": "more", "step": "step", "reinitialise": "reinit",
    "next_sample": "next", "next_misclassified": "wrong", "log_scale": "log",
    "slower": "slow", "faster": "fast", "switch_view": "view", "command_palette": "cmds",
    "next choice": "choice", "add layer": "add", "delete layer": "del", "type units": "units",
    "move up": "up", "move down": "down", "leave field": "leave", "ink (moves right)": "ink",
}


@dataclass(frozen=True)
class Key:
    """One entry of the bar: the key as shown, its label and a shorter one, and whether it
    must stay whatever the width."""

    key: str
    label: str
    short: str
    essential: bool = False
    long: bool = True  # the label in use is the long one

    @property
    def text(self) -> str:
        label = self.label if self.long else self.short
        return f" {self.key} {label} " if label else f" {self.key} "


def _width(keys: Sequence[Key]) -> int:
    return sum(len(key.text) for key in keys)


def fit_keys(keys: Sequence[Key], width: int) -> list[Key]:
    """The keys (most relevant first) that fit in `width` columns. The keys ranked below the
    last essential one shorten their labels first, from the least relevant up, then the least
    relevant of them go; only then do the keys above shorten theirs (the first key, the state's
    main action, keeps its label), and the room left gives the most relevant back their long
    labels. Essential keys always stay, as bare keys if need be."""
    shown = [replace(key, long=True) for key in keys]
    top = max((i + 1 for i, key in enumerate(shown) if key.essential), default=1)

    def shorten(indices: range) -> bool:
        for i in reversed(indices):
            if _width(shown) <= width:
                return True
            shown[i] = replace(shown[i], long=False)
        return _width(shown) <= width

    if shorten(range(top, len(shown))):
        return shown
    while _width(shown) > width and len(shown) > top:
        shown.pop()
    if shorten(range(1, len(shown))):
        return shown
    while _width(shown) > width and any(not key.essential for key in shown[1:]):
        del shown[max(i for i, key in enumerate(shown) if i and not key.essential)]
    for i, key in enumerate(shown):
        longer = [*shown[:i], replace(key, long=True), *shown[i + 1:]]
        if _width(longer) <= width:
            shown = longer
    if _width(shown) > width:  # even the essentials' short labels do not fit: keys only
        shown = [replace(key, short="", long=False) for key in shown]
    return shown


def ranked(state: str, entries: dict[str, Key], widget_actions: Sequence[str]) -> list[Key]:
    """`entries` (by action) in the order of the state's ranking; the focused widget's keys
    at the ranking's WIDGET place, and anything the ranking does not name at the end."""
    order: list[str] = []
    for name in RANKS[state]:
        order += list(widget_actions) if name == WIDGET else [name]
    order += [action for action in entries if action not in order]
    return [entries[action] for action in dict.fromkeys(order) if action in entries]


def state_of(enabled: set[str]) -> str:
    return next((state for action, state in STATE_OF if action in enabled), "design")


class KeyBar(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drawn: list[Key] | None = None

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

    def all_keys(self) -> list[Key]:
        """Every shown, enabled key, ranked for the current state. Several keys of a widget in
        one binding group (the draw mode's arrows) make one entry."""
        entries: dict[str, Key] = {}
        widget_actions: list[str] = []
        enabled: set[str] = set()
        for node, binding, is_enabled, _ in self.screen.active_bindings.values():
            if not (binding.show and is_enabled):
                continue
            enabled.add(binding.action)
            shown = (binding.key_display or self.app.get_key_display(binding)).split()[0]
            name = binding.action
            if binding.group is not None and not isinstance(node, App):
                name = f"group:{binding.group.description}"
                if name in entries:
                    entries[name] = replace(entries[name], key=entries[name].key + shown)
                    continue
                label = binding.group.description
            else:
                label = binding.description
            if name in entries:
                continue
            way_back = "escape" in binding.key.split(",")  # leaves a mode: like v, it stays
            entries[name] = Key(shown, label, SHORT_LABELS.get(name, SHORT_LABELS.get(
                label, label.split()[0] if label else "")), name in ESSENTIAL or way_back)
            if not isinstance(node, App):
                widget_actions.append(name)
        keys = ranked(state_of(enabled), entries, widget_actions)
        if self.screen.maximized is not None:  # a panel shown alone: escape brings the rest
            keys.insert(1, Key("esc", "back", "back", essential=True))
        return keys

    def shown_keys(self) -> list[Key]:
        """The keys drawn at the bar's width, most relevant first."""
        return fit_keys(self.all_keys(), max(self.size.width, 1))

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        text = Text(no_wrap=True, overflow="crop", end="")
        self._drawn = self.shown_keys()
        for key in self._drawn:
            label = key.label if key.long else key.short
            text.append(f" {key.key} ", key_style)
            if label:
                text.append(f"{label} ", description_style)
        return text
