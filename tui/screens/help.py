"""`HelpScreen`: every key, built from the bindings themselves so it cannot drift from them.
Bindings that share a key (t: train / pause / resume) are merged into one row;
`app_help_sections` gathers the app's and each widget's keys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.screens.inside import InsideScreen
from tui.widgets.architecture import ArchitectureEditor
from tui.widgets.choice import ChoiceField
from tui.widgets.digit_viewer import DigitViewer
from tui.widgets.field_row import FieldRow
from tui.widgets.layer_list import LayerRows

INTRO = ("Design a network on the left, press t to train it and watch it learn: the log, the "
         "charts, the digit viewer and the confusion matrix follow it live.")
Section = tuple[str, list[tuple[str, str]]]


def class_bindings(*classes: type) -> list[Binding]:
    """The bindings each class declares itself (not those it inherits from Textual)."""
    found: list[Binding] = []
    for klass in classes:
        for owner in reversed(klass.__mro__):
            if owner.__module__.startswith("tui."):
                found.extend(Binding.make_bindings(owner.__dict__.get("BINDINGS", [])))
    return found


def help_rows(app: App, bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    """(keys, what they do) for each described binding, the tooltip being the longer story:
    keys that do the same share a row, then what the same keys do (t: pause / resume) too."""
    keys_of: dict[str, list[str]] = {}
    for binding in bindings:
        if binding.description:
            shown = binding.key_display or app.get_key_display(binding)
            keys = keys_of.setdefault(binding.tooltip or binding.description, [])
            if shown not in keys:
                keys.append(shown)
    rows: dict[str, list[str]] = {}
    for description, keys in keys_of.items():
        rows.setdefault(" ".join(keys), []).append(description)
    return [(keys, " / ".join(descriptions)) for keys, descriptions in rows.items()]


def app_help_sections(app: App) -> list[Section]:
    """The app's own keys, then those of each widget that has some."""
    return [
        ("app (single letters work when no text field has the focus)",
         help_rows(app, class_bindings(type(app)))),
        ("architecture: layer list", help_rows(app, class_bindings(LayerRows))),
        ("architecture: choices", help_rows(app, class_bindings(ChoiceField))),
        ("architecture: settings", help_rows(app, class_bindings(ArchitectureEditor, FieldRow))),
        ("digit viewer in draw mode", help_rows(app, class_bindings(DigitViewer))),
        ("inside view (i)", help_rows(app, class_bindings(InsideScreen))),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "close help"),
    ]

    def __init__(self, sections: Sequence[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Static("nn-tui keys", classes="dialog-title")
            yield Static(INTRO, classes="dialog-text")
            with VerticalScroll(id="help-body"):
                for title, rows in self.sections:
                    yield Static(title, classes="help-section")
                    with Grid(classes="help-grid"):
                        for keys, description in rows:
                            yield Label(keys, classes="help-key")
                            yield Label(description, classes="help-description")
            yield Static("escape closes", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
