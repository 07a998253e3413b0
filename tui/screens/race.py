"""`RaceDialog`: which variations of the current design to race (`b` on the main screen):
the four optimizers, three learning rates, three batch sizes or four seeds, each listed with
the runs it would start. Dismisses with the kind's name, or None (escape)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class RaceDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "cancel")]

    def __init__(self, kinds: Mapping[str, Sequence[str]], design_text: str) -> None:
        """`kinds`: each kind of race and the labels of the runs it would train."""
        super().__init__()
        self.kinds, self.design_text = kinds, design_text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Race variations of the design", classes="dialog-title")
            yield Static(f"{self.design_text}: each variation trains in a process of its own, "
                         "all at once, their curves on the same charts.", classes="dialog-text")
            yield OptionList(*(Option(Text(name, style="bold").append(
                f"\n  {' · '.join(labels)}", style="not bold"), id=name)
                for name, labels in self.kinds.items()), id="race-kinds")
            yield Static("enter races, escape cancels; x stops a race", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
