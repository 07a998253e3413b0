"""config.toml applied to the running app: its theme and keys (the pace went in when the app was
made), each problem one notification; from then on a theme picked in the palette is remembered in
the file."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.app import App
from textual.theme import Theme

from tui.keys import KEYMAP_IDS
from tui.settings import LoadedSettings, save_theme


def apply_settings(app: App[Any], loaded: LoadedSettings | None) -> None:
    """The theme and keys of `loaded` (None: no file read, none written)."""
    if loaded is None:
        return
    problems = [loaded.problem]
    chosen = loaded.settings
    if chosen.theme is not None and chosen.theme in app.available_themes:
        app.theme = chosen.theme
    elif chosen.theme is not None:
        problems.append(f"{loaded.path}: unknown theme {chosen.theme!r}")
    unknown = sorted(set(chosen.keys) - KEYMAP_IDS)
    if unknown:
        problems.append(f"{loaded.path}: [keys] unknown action {unknown[0]!r}")
    app.set_keymap(dict(chosen.keys))
    for problem in filter(None, problems):
        app.notify(problem, severity="warning", timeout=8)
    app.theme_changed_signal.subscribe(app, partial(_remember_theme, app, loaded))


def _remember_theme(app: App[Any], loaded: LoadedSettings, theme: Theme) -> None:
    if problem := save_theme(loaded, theme.name):
        app.notify(problem, severity="warning", timeout=6)
