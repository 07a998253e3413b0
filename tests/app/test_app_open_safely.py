"""ctrl+o never blocks the UI thread on file I/O: the listing is read in a worker (the dialog
says "reading…" meanwhile), a FIFO in saved_models/ cannot freeze it, and a file that fails to
open (garbage, a FIFO swapped in, hostile metadata, a reader that breaks) leaves one line and
the current model, never a closed app."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from textual.widgets import OptionList

from engine import Experiment
from tests.ui import ready, trained, wait_for
from tui.screens.models import OpenDialog

HELD_SECONDS = 5.0  # how long the held listing waits for the test before it gives up


def dialog_text(app) -> str:
    return " ".join(str(widget.render()) for widget in app.screen.query(".dialog-text"))


async def test_the_listing_is_read_off_the_ui_thread_and_says_reading(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        seen_reading, threads = threading.Event(), []
        real = app.controller.models

        def slow_listing():
            threads.append(threading.current_thread())
            seen_reading.wait(HELD_SECONDS)  # a slow disk: done once the test has looked
            return real()

        app.controller.models = slow_listing
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OpenDialog)
        assert "reading" in dialog_text(app)
        seen_reading.set()
        await wait_for(pilot, lambda: "reading" not in dialog_text(app))
        assert threads and threads[0] is not threading.main_thread()
        await pilot.press("escape")
        assert not isinstance(app.screen, OpenDialog)


async def test_escape_closes_the_dialog_while_the_listing_is_still_reading(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        done, returned = threading.Event(), threading.Event()

        def slow_listing():
            done.wait(HELD_SECONDS)
            returned.set()
            return []

        app.controller.models = slow_listing
        await pilot.press("ctrl+o")
        await pilot.press("escape")
        assert not isinstance(app.screen, OpenDialog)
        assert not returned.is_set()  # the listing had not come back: the keys did not wait
        done.set()
        await pilot.press("n")  # and the app goes on taking keys
        assert app.is_running


async def test_a_fifo_in_saved_models_does_not_freeze_ctrl_o(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        folder = app.controller.models_dir
        folder.mkdir(parents=True)
        os.mkfifo(folder / "pipe.safetensors")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: "reading" not in dialog_text(app))
        assert "No saved models" in dialog_text(app)  # the FIFO is no model, and not opened
        await pilot.press("escape")
        assert not isinstance(app.screen, OpenDialog)


async def saved(pilot, name: str = "m") -> Path:
    """Saves the app's model under `name` and opens the dialog on it; the file's path."""
    app = pilot.app
    path = app.controller.models_dir / f"{name}.safetensors"
    app.controller.save(path)
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: bool(app.screen.query(OptionList)))
    return path


def with_metadata(path: Path, change) -> None:
    """Rewrites the file's nn_tui metadata through `change(meta)`."""
    data = path.read_bytes()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    meta = json.loads(header["__metadata__"]["nn_tui"])
    change(meta)
    header["__metadata__"]["nn_tui"] = json.dumps(meta).replace('"HUGE"', "1e400")
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + data[8 + n:])


def swap_for_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def huge_units(meta: dict) -> None:
    meta["model"]["layers"][0]["units"] = "HUGE"


BREAKAGES = {
    "garbage": lambda path: path.write_bytes(b"\x08\x00not a model at all"),
    "a FIFO swapped in": swap_for_fifo,
    "hostile metadata": lambda path: with_metadata(path, huge_units),
}


async def opening_fails_and_keeps_the_model(pilot, path: Path) -> None:
    app = pilot.app
    session = app.controller.experiment
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, OpenDialog)
                   and any(str(path) in line for line in app.log_panel.lines_text))
    problem = next(line for line in app.log_panel.lines_text if str(path) in line)
    assert "\n" not in problem
    assert app.is_running and app.controller.experiment is session
    await pilot.press("t")  # the current model still trains
    await wait_for(pilot, lambda: app.controller.state.epoch >= 1)


async def test_a_file_that_fails_to_open_keeps_the_current_model(make_app):
    """Each breakage in turn, in one app (a failed open leaves it as it was, so the next case
    starts from the same place as in a fresh app, less the start-up)."""
    app = make_app(epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        for name, breakage in BREAKAGES.items():
            app.controller.models_dir.mkdir(parents=True, exist_ok=True)
            for old in app.controller.models_dir.iterdir():  # one file listed at a time
                old.unlink()
            path = await saved(pilot, name.replace(" ", "-"))
            breakage(path)  # between the listing and the opening
            await opening_fails_and_keeps_the_model(pilot, path)
            await trained(pilot)  # the run it started is over before the next save


async def test_a_reader_that_breaks_on_a_file_never_closes_the_app(make_app, monkeypatch):
    app = make_app(epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        path = await saved(pilot)

        def broken_reader(*args, **kwargs):
            raise ValueError("a bug in the reader")

        monkeypatch.setattr(Experiment, "load", broken_reader)
        await opening_fails_and_keeps_the_model(pilot, path)
