"""config.toml: read at start (pace, theme, dataset, keys), the theme remembered when it changes;
a broken file gives one notification and the defaults, and is never written. The file is always
under tmp_path (NN_TUI_CONFIG, or a path passed in): no test touches the real home."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from tests.ui import make_app, ready, trained, wait_for
from tui.cli import main as cli
from tui.settings import (
    ENV_VAR,
    LoadedSettings,
    Settings,
    config_path,
    load_settings,
    save_theme,
    with_theme,
)

__all__ = ["make_app"]  # the fixture

GOOD = """# mine
pace = 5
theme = "nord"   # a dark one
dataset = "iris"

[keys]
train = "g"
"""


def test_the_file_is_in_the_config_folder_unless_the_variable_names_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "mine.toml"))
    assert config_path() == tmp_path / "mine.toml"
    monkeypatch.delenv(ENV_VAR)
    assert config_path().parts[-2:] == ("nn-tui", "config.toml")  # platformdirs' folder


def test_a_good_file(tmp_path: Path) -> None:
    (path := tmp_path / "config.toml").write_text(GOOD)
    loaded = load_settings(path)
    assert loaded.problem is None
    assert loaded.settings == Settings(pace=5, theme="nord", dataset="iris", keys={"train": "g"})
    path.write_text('pace = "full"\n')
    assert load_settings(path).settings.pace is None


def test_a_missing_file_is_the_defaults(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "absent" / "config.toml")
    assert loaded == LoadedSettings(Settings(), tmp_path / "absent" / "config.toml")


BROKEN = {
    "not toml": ("pace = = 5\n", "not valid TOML"),
    "a pace not offered": ("pace = 7\n", "pace must be one of 1 2 5 15 30 60 120"),
    "a pace as text": ('pace = "fast"\n', "pace must be one of"),
    "a theme not text": ("theme = 3\n", "theme must be a name in quotes"),
    "an unknown setting": ('colour = "red"\n', "unknown setting 'colour'"),
    "keys not a table": ('keys = "g"\n', "[keys] must map actions to keys"),
    "not utf-8": (b"theme = \"\xff\"\n", "cannot read"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_file_is_the_defaults_with_one_line_and_is_never_written(
        tmp_path: Path, case: str) -> None:
    text, reason = BROKEN[case]
    path = tmp_path / "config.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert loaded.problem is not None and reason in loaded.problem
    assert loaded.problem.startswith(str(path)) and "\n" not in loaded.problem
    before = path.read_bytes()
    assert save_theme(loaded, "nord") is None
    assert path.read_bytes() == before and list(tmp_path.iterdir()) == [path]


def test_the_theme_line_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    (path := tmp_path / "config.toml").write_text(GOOD)
    path.chmod(0o640)
    assert save_theme(load_settings(path), 'gruvbox "quoted"') is None
    text = path.read_text()
    assert text == GOOD.replace('theme = "nord"', 'theme = "gruvbox \\"quoted\\""')
    assert path.stat().st_mode & 0o777 == 0o640  # the person's file keeps its permissions
    assert load_settings(path).settings.theme == 'gruvbox "quoted"'
    assert list(tmp_path.iterdir()) == [path]  # the temporary file was renamed, not left


def test_a_theme_is_added_before_the_first_table_or_to_a_new_file(tmp_path: Path) -> None:
    assert with_theme("pace = 5\n[keys]\ntheme = \"x\"\n", "nord") == (
        'pace = 5\ntheme = "nord"\n[keys]\ntheme = "x"\n')
    path = tmp_path / "new" / "config.toml"
    assert save_theme(load_settings(path), "nord") is None
    assert path.read_text() == 'theme = "nord"\n'


def test_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "sub" / "config.toml")  # missing: the defaults
    (tmp_path / "sub").write_text("a file where the folder would go")
    problem = save_theme(loaded, "nord")
    assert problem is not None and problem.startswith(f"{tmp_path}/sub/config.toml: theme not "
                                                      "remembered (")
    assert "\n" not in problem


# ---------------------------------------------------------------- in the app


async def test_the_app_starts_with_the_files_pace_theme_and_keys(make_app, tmp_path: Path) -> None:
    (path := tmp_path / "config.toml").write_text(GOOD)
    loaded = load_settings(path)
    app = make_app(pace=loaded.settings.pace, settings=loaded, epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.theme == "nord" and app.controller.pace == 5
        assert not app._notifications
        app.controller.set_pace(None)  # no need to watch it
        await pilot.press("g")  # the keymap's train
        await trained(pilot)
        assert app.controller.experiment.runner.epoch == 2


async def test_a_theme_picked_in_the_app_is_remembered(make_app, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("pace = 15\n")
    app = make_app(settings=load_settings(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.theme = "gruvbox"  # what the palette's "Change theme" does
        await wait_for(pilot, lambda: "gruvbox" in path.read_text())
    assert path.read_text() == 'pace = 15\ntheme = "gruvbox"\n'


async def test_a_broken_file_is_one_notification_and_left_alone(make_app,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = = nord\n")
    app = make_app(settings=load_settings(path))
    # Every notification the app makes, counted as it is made: the ones on screen expire after
    # a few seconds, which a busy machine can take between two looks.
    messages: list[str] = []
    notify = app.notify
    app.notify = lambda message, **options: (messages.append(message),  # type: ignore[method-assign]
                                             notify(message, **options))[1]
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert len(messages) == 1 and messages[0].startswith(f"{path}: not valid TOML")
        assert [n.message for n in app._notifications] in ([], messages)  # the same one shown
        app.theme = "gruvbox"
        await pilot.pause(0.2)
        assert len(messages) == 1
    assert path.read_text() == "theme = = nord\n"


async def test_an_unknown_theme_or_action_is_said_and_ignored(make_app, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "no-such-theme"\n[keys]\nfly = "f"\n')
    app = make_app(settings=load_settings(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        messages = sorted(n.message for n in app._notifications)
        assert messages == [f"{path}: [keys] unknown action 'fly'",
                            f"{path}: unknown theme 'no-such-theme'"]
        assert app.theme == "textual-dark"


def test_the_files_dataset_opens_when_the_command_line_names_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.toml").write_text('dataset = "wine"\n')
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "config.toml"))
    seen = []
    fake = types.ModuleType("tui.app")
    fake.run_app = lambda args: seen.append(args.dataset) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tui.app", fake)
    assert cli.main([]) == 0 and cli.main(["--dataset", "iris"]) == 0
    assert seen == ["wine", "iris"]
