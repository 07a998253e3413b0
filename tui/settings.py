"""The settings that outlive a session: the pace, the theme, the dataset to open on and key
overrides, in `config.toml` in the user's config folder (`NN_TUI_CONFIG` names another file).

A person edits the file; the app only ever changes its `theme = ...` line (the palette's theme
is remembered), by an atomic write, and never writes a file it could not read: a broken file
gives one line (naming the file) for a notification, the defaults are used, and the file stays
as it was for the person to fix. Plain Python, no Textual: tested without an app.

    pace = 15             # epochs per second, one of 1 2 5 15 30 60 120, or "full"
    theme = "nord"        # a Textual theme (the command palette's "Change theme")
    dataset = "iris"      # opened when the command line names none
    [keys]                # Textual keymap: an action = its keys, comma-separated
    train = "g"
    next_sample = "j,n"
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from tui.pace import DEFAULT_PACE, PACES, Pace

ENV_VAR = "NN_TUI_CONFIG"
FILE_NAME = "config.toml"
FULL_SPEED = "full"  # the pace None, as a person writes it


def config_path() -> Path:
    """`$NN_TUI_CONFIG`, else config.toml in the user's config folder (platformdirs)."""
    named = os.environ.get(ENV_VAR)
    if named:
        return Path(named).expanduser()
    import platformdirs  # here: only the app's start needs it

    return Path(platformdirs.user_config_dir("nn-tui")) / FILE_NAME


@dataclass(frozen=True)
class Settings:
    pace: Pace = DEFAULT_PACE
    theme: str | None = None
    dataset: str | None = None
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


class SettingsError(ValueError):
    """What is wrong with the file, in one line."""


def _pace(value: object) -> Pace:
    if value == FULL_SPEED:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value in PACES:
        return value
    choices = " ".join(f"{p:g}" for p in PACES if p is not None)
    raise SettingsError(f"pace must be one of {choices} or \"{FULL_SPEED}\", got {value!r}")


def _text(key: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f"{key} must be a name in quotes, got {value!r}")
        return value.strip()

    return check


def _keys(value: object) -> Mapping[str, str]:
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()):
        raise SettingsError('[keys] must map actions to keys in quotes, e.g. train = "g"')
    return MappingProxyType(dict(value))


# Each key of the file and how its value is checked (a registry: a new setting is a line here).
FIELDS: dict[str, Callable[[object], object]] = {
    "pace": _pace, "theme": _text("theme"), "dataset": _text("dataset"), "keys": _keys,
}


def parse_settings(text: str) -> Settings:
    """The settings in a file's text; SettingsError says what is wrong (the first thing)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise SettingsError(f"unknown setting {unknown[0]!r} (known: {', '.join(FIELDS)})")
    checked = {key: FIELDS[key](value) for key, value in data.items()}
    return Settings(**checked)  # type: ignore[arg-type]  # each value checked by its FIELDS entry


@dataclass(frozen=True)
class LoadedSettings:
    """The settings in force, where they came from, and the problem with the file if any (then
    the settings are the defaults and the file is never written)."""

    settings: Settings
    path: Path
    problem: str | None = None

    @property
    def writable(self) -> bool:
        return self.problem is None


def load_settings(path: Path | None = None) -> LoadedSettings:
    """Never raises: a missing file is the defaults; a broken one the defaults and a problem."""
    path = config_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedSettings(Settings(), path)
    except (OSError, UnicodeDecodeError) as exc:
        return LoadedSettings(Settings(), path, f"{path}: cannot read ({_reason(exc)}); "
                                                "using the defaults")
    try:
        return LoadedSettings(parse_settings(text), path)
    except SettingsError as exc:
        return LoadedSettings(Settings(), path, f"{path}: {exc}; using the defaults (the file "
                                                "is left as it is)")


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc).splitlines()[0]


THEME_LINE = re.compile(r"^\s*theme\s*=")
# The comment after a quoted value (`theme = "nord"  # a dark one`), kept when the value changes.
COMMENT = re.compile(r"^\s*theme\s*=\s*(?:\"[^\"\\]*\"|'[^']*')(\s*#.*)$")
TABLE_LINE = re.compile(r"^\s*\[")


def with_theme(text: str, theme: str) -> str:
    """The file's text with `theme = "..."` set: its line replaced where there is one (the
    person's comments and order kept), else added before the first [table]."""
    line = f"theme = {json.dumps(theme)}"  # a TOML basic string: JSON's escapes are TOML's
    lines = text.splitlines()
    for i, old in enumerate(lines):
        if TABLE_LINE.match(old):
            break
        if THEME_LINE.match(old):
            comment = COMMENT.match(old)
            lines[i] = line + (comment.group(1) if comment else "")
            return "\n".join(lines) + "\n"
    at = next((i for i, old in enumerate(lines) if TABLE_LINE.match(old)), len(lines))
    return "\n".join([*lines[:at], line, *lines[at:]]) + "\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_theme(loaded: LoadedSettings, theme: str) -> str | None:
    """Remembers `theme` in the file (atomic: a temporary file, then a rename). Returns why it
    could not, in one line, or None. A file that was broken when read is never written."""
    if not loaded.writable:
        return None  # said once at the start already
    path = loaded.path
    try:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = with_theme(old, theme)
        parse_settings(new)  # the file changed under us into something broken: leave it
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask()
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(new)
            os.chmod(temp, mode)  # mkstemp's 0600 would quietly change the person's file
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except (OSError, UnicodeDecodeError, SettingsError) as exc:
        return f"{path}: theme not remembered ({_reason(exc)})"
    return None
