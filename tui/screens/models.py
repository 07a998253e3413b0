"""The save and open dialogs. Saving asks for a name (a fresh one is suggested) and refuses a
bad one with the reason; opening lists saved_models/ with each model's architecture, dataset,
test score and date, a damaged file listed with its error instead.

The open dialog reads the folder in a thread worker and says "reading…" meanwhile: a slow or
network disk must not freeze the keys, and escape closes the dialog at any time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from engine import ModelFileError, ModelInfo, model_path


class SaveDialog(ModalScreen[Path | None]):
    """Dismisses with the chosen file's path (which may exist: the app asks about that)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "cancel")]

    def __init__(self, suggestion: str, folder: Path) -> None:
        super().__init__()
        self.suggestion, self.folder = suggestion, folder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Save model", classes="dialog-title")
            yield Input(self.suggestion, id="save-name", select_on_focus=False)
            yield Static(f"into {self.folder}/ · enter saves, escape cancels",
                         classes="dialog-hint")
            yield Static("", id="save-reason", classes="dialog-reason")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            path = model_path(event.value, self.folder, allow_paths=False)
        except ModelFileError as exc:
            self.query_one("#save-reason", Static).update(f"✗ {exc}")
            return
        self.dismiss(path)


def describe(info: ModelInfo) -> Text:
    """Two lines: the name, then what it is (or why it cannot be opened)."""
    text = Text(info.name, style="bold")
    if info.error:
        return text.append(f"\n  ✗ {info.error}")
    score = (f"acc {info.accuracy:.3f}" if info.accuracy is not None
             else f"R² {info.r2:.3f}" if info.r2 is not None else "untested")
    date = info.created_at.replace("T", " ")[:16]
    return text.append(f"\n  {info.layers} · {info.dataset} · {score} · {date}")


class OpenDialog(ModalScreen[ModelInfo | None]):
    """Dismisses with the chosen model; a damaged one shows its reason and stays open.
    `listing` reads the folder (in a worker, see the module's story)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "cancel")]

    def __init__(self, listing: Callable[[], list[ModelInfo]], folder: Path) -> None:
        super().__init__()
        self.listing, self.folder = listing, folder
        self.models: list[ModelInfo] | None = None  # None until read

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog open-dialog", id="open-body"):
            yield Static(f"Open a model from {self.folder}/", classes="dialog-title")
            yield Static(f"reading {self.folder}/…", id="open-status", classes="dialog-text")
            yield Static("enter opens, escape cancels", classes="dialog-hint")
            yield Static("", id="open-reason", classes="dialog-reason")

    def on_mount(self) -> None:
        self.run_worker(self.listing, name="listing", thread=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "listing":
            return
        event.stop()
        if event.state == WorkerState.SUCCESS:
            self.show_models(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            self.query_one("#open-status", Static).update(f"✗ cannot list: {error}")

    def show_models(self, models: list[ModelInfo]) -> None:
        """Replaces "reading…" with the list (or says there is nothing to open)."""
        self.models = models
        status = self.query_one("#open-status", Static)
        if not models:
            status.update("No saved models yet: ctrl+s saves the current one.")
            return
        options = OptionList(*(Option(describe(info), id=str(i))
                               for i, info in enumerate(models)), id="model-list")
        self.query_one("#open-body").mount(options, before=self.query_one(".dialog-hint"))
        status.remove()
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.models is None:
            return
        info = self.models[int(event.option.id or 0)]
        if info.error:
            self.query_one("#open-reason", Static).update(f"✗ cannot open: {info.error}")
            return
        self.dismiss(info)
