"""The save and open dialogs. Saving asks for a name (a fresh one is suggested) and refuses a
bad one with the reason; opening lists saved_models/ with each model's architecture, dataset,
test score and date, a damaged file listed with its error instead."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

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
    """Dismisses with the chosen model; a damaged one shows its reason and stays open."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "cancel")]

    def __init__(self, models: list[ModelInfo], folder: Path) -> None:
        super().__init__()
        self.models, self.folder = models, folder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog open-dialog"):
            yield Static(f"Open a model from {self.folder}/", classes="dialog-title")
            if self.models:
                yield OptionList(*(Option(describe(info), id=str(i))
                                   for i, info in enumerate(self.models)), id="model-list")
            else:
                yield Static("No saved models yet: ctrl+s saves the current one.",
                             classes="dialog-text")
            yield Static("enter opens, escape cancels", classes="dialog-hint")
            yield Static("", id="open-reason", classes="dialog-reason")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        info = self.models[int(event.option.id or 0)]
        if info.error:
            self.query_one("#open-reason", Static).update(f"✗ cannot open: {info.error}")
            return
        self.dismiss(info)
