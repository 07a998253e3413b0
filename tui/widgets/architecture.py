"""`ArchitectureEditor`: the dataset, the layers and the training settings, all editable from
the keyboard.

Each edit is checked whole (`tui.edits`) before it leaves the editor: a refused value shows its
reason on the last line and the design stays as it was. An accepted one is posted up as
`Proposed`; the app applies it (live, or by rebuilding after asking) and sets the design back
down with `show`, which also undoes a change the person declined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, Static

from engine import OPTIMIZERS, EngineError, dataset_names
from tui import edits
from tui.design import Design, changed_fields
from tui.widgets.choice import ChoiceField, label
from tui.widgets.data_options import DataOptions
from tui.widgets.field_row import FieldRow
from tui.widgets.field_stops import FieldStops
from tui.widgets.labelled_row import LabelledRow
from tui.widgets.layer_list import LayerList, LayerRows

# The layer list's edits: (design, index, step, text) -> design, and where the cursor goes.
LAYER_EDITS: dict[str, Callable[[Design, int, int, str], Design]] = {
    "activation": lambda d, i, step, _: edits.with_activation_cycled(d, i, step),
    "add": lambda d, i, _, __: edits.with_layer_added(d, i),
    "delete": lambda d, i, _, __: edits.with_layer_deleted(d, i),
    "move": lambda d, i, step, _: edits.with_layer_moved(d, i, step),
    "units": lambda d, i, _, text: edits.with_units(d, i, text),
}
CURSOR_AFTER: dict[str, Callable[[int, int, Design], int]] = {
    "add": lambda i, _, d: min(i + 1, len(d.layers) - 1),
    "move": lambda i, step, _: i + step,
}


def loss_note(old: Design, new: Design) -> str:
    """Says so when a new output activation brought its own loss (see `Design.with_layers`)."""
    if new.spec.loss == old.spec.loss or new.output == old.output:
        return ""
    return f"loss → {label(new.spec.loss)} to suit {new.output}"


class ArchitectureEditor(FieldStops, can_focus=False):
    """The design's fields (up and down walk them: `FieldStops`); see the module's story."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_field", "leave field",
                tooltip="put a typed value back and leave the field for its row"),
    ]

    @dataclass
    class Proposed(Message):
        """A valid new design; `fields` names what changed."""

        design: Design
        fields: frozenset[str]

    @dataclass
    class DatasetRequested(Message):
        name: str

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.design: Design | None = None
        self._noted: Design | None = None  # the design the message line's note is about
        self._own_files: list[str] = []  # datasets from files (`--dataset PATH`): choices too

    def compose(self) -> ComposeResult:
        yield LabelledRow("dataset", ChoiceField(id="dataset"))
        yield Static("loading…", id="shape")
        yield DataOptions(id="data-options")
        yield LayerList(id="layers")
        yield LabelledRow("loss", ChoiceField(id="loss"))
        yield LabelledRow("optimizer", ChoiceField(id="optimizer"))
        yield LabelledRow("nesterov", ChoiceField(id="nesterov"))
        yield LabelledRow("lr schedule", ChoiceField(id="schedule"))
        for field in edits.CONFIG_FIELDS.values():
            yield FieldRow(field.label, Input(id=f"field-{field.name}", select_on_focus=True))
        yield Static("", id="total")
        yield Static("", id="reason")

    # -- down: the app sets what is shown ----------------------------------------------------
    def show(self, design: Design, cursor: int | None = None) -> None:
        self.design = design
        self._show_dataset(design.data.source, design.data.name)
        self.query_one("#loss", ChoiceField).value = design.spec.loss
        self.query_one("#optimizer", ChoiceField).value = design.config.optimizer
        self.query_one("#nesterov", ChoiceField).value = edits.nesterov_text(design.config)
        self.query_one("#schedule", ChoiceField).value = design.config.schedule
        for name, field in edits.CONFIG_FIELDS.items():
            box = self.query_one(f"#field-{name}", Input)
            box.value = field.format(design.config)
            box.remove_class("-invalid")
        data = design.data
        rows = f"{data.n_train:,} rows, no split" if data.same_rows else f"{data.n_train:,} train"
        self.query_one("#shape", Static).update(
            f"{data.n_inputs} in → {data.n_outputs} out · {rows}")
        self.query_one("#total", Static).update(f"{design.n_params:,} parameters")
        self.query_one(LayerList).show(design, cursor)
        self.query_one(DataOptions).show(design.data)
        if self._noted is not None and design != self._noted:  # e.g. the change was declined
            self.clear_reason()

    def show_loading(self, name: str) -> None:
        """`name` (a built-in or a file's path) is being loaded."""
        shown = self._show_dataset(name, Path(name).stem if name not in dataset_names() else name)
        self.query_one("#shape", Static).update(f"loading {shown}…")

    def _show_dataset(self, source: str, name: str) -> str:
        """Sets the dataset choice to `source`, shown as `name`; a file stays among the
        choices from then on. Returns what is shown."""
        field = self.query_one("#dataset", ChoiceField)
        if source not in dataset_names() and source not in self._own_files:
            self._own_files.append(source)
        field.shown_as.setdefault(source, name)
        field.value = source
        return field.shown_as[source]

    def dataset_choices(self) -> list[str]:
        """The built-in datasets, then the files opened in this session, by source."""
        return [*dataset_names(), *self._own_files]

    def refuse(self, reason: str) -> None:
        self._message(f"✗ {reason}", note=False)

    def note(self, text: str) -> None:
        """A line about an accepted change that did more than was asked."""
        self._message(text, note=True)
        self._noted = self.design

    def clear_reason(self) -> None:
        self._message("", note=False)

    def clear_refusal(self) -> None:
        """Clears the message line unless it holds a note."""
        if not self.query_one("#reason", Static).has_class("-note"):
            self.clear_reason()

    def _message(self, text: str, note: bool) -> None:
        line = self.query_one("#reason", Static)
        line.update(text)
        line.set_class(bool(text), "-shown")
        line.set_class(note, "-note")
        self._noted = None

    # -- up: edits become proposals ----------------------------------------------------------
    def _propose(self, make: Callable[[], Design], cursor: int | None = None) -> bool:
        if self.design is None:
            return False
        try:
            new = make()
        except EngineError as exc:
            self.refuse(str(exc))
            return False
        self.clear_reason()
        fields, note = changed_fields(self.design, new), loss_note(self.design, new)
        if fields:
            self.show(new, cursor)
            if note:
                self.note(note)
            self.post_message(self.Proposed(new, fields))
        return True

    def on_choice_field_stepped(self, message: ChoiceField.Stepped) -> None:
        message.stop()
        design, step = self.design, message.step
        if design is None:
            return
        if message.field.id == "dataset":
            name = edits.cycled(self.dataset_choices(), message.field.value, step)
            self.clear_reason()
            self.show_loading(name)
            self.post_message(self.DatasetRequested(name))
        elif message.field.id == "loss":
            self._propose(lambda: edits.with_loss_cycled(design, step))
        elif message.field.id == "nesterov":
            self._propose(lambda: edits.with_nesterov_toggled(design))
        elif message.field.id == "schedule":
            self._propose(lambda: edits.with_schedule_cycled(design, step))
        else:
            optimizer = edits.cycled(list(OPTIMIZERS), design.config.optimizer, step)
            self._propose(lambda: design.with_config(optimizer=optimizer))

    def on_data_options_changed(self, message: DataOptions.Changed) -> None:
        message.stop()
        design = self.design
        if design is not None:
            self._propose(lambda: design.with_data(message.data))

    def on_data_options_refused(self, message: DataOptions.Refused) -> None:
        message.stop()
        self.refuse(message.reason)

    def on_layer_rows_edit(self, message: LayerRows.Edit) -> None:
        message.stop()
        design = self.design
        if design is None:
            return
        apply = LAYER_EDITS[message.kind]
        after = CURSOR_AFTER.get(message.kind, lambda i, _, __: i)
        accepted = self._propose(
            lambda: apply(design, message.index, message.step, message.text),
            cursor=after(message.index, message.step, design))
        if accepted and message.kind == "units":
            self.query_one(LayerList).close_units()

    def _typed(self, box: Input, leaving: bool) -> bool:
        """Proposes the typed value; True if it stands (accepted, or as it was)."""
        design = self.design
        if design is None or box.id is None:
            return False
        name = box.id.removeprefix("field-")
        field = edits.CONFIG_FIELDS[name]
        if box.value.strip() == field.format(design.config):
            box.remove_class("-invalid")
            self.clear_refusal()  # the value is as it was: a refusal is answered
            return True
        accepted = self._propose(lambda: edits.with_typed_value(design, name, box.value))
        box.set_class(not accepted and not leaving, "-invalid")
        if not accepted and leaving:
            box.value = field.format(design.config)
        return accepted

    def on_input_submitted(self, message: Input.Submitted) -> None:
        """Enter commits the value and leaves the field for its row, where single-letter keys
        (t, s, ...) work again; a refused value keeps the field, to be fixed."""
        box = message.input
        if box.id and box.id.startswith("field-"):
            message.stop()
            if self._typed(box, leaving=False) and isinstance(box.parent, FieldRow):
                box.parent.focus()

    def on_input_blurred(self, message: Input.Blurred) -> None:
        if message.input.id and message.input.id.startswith("field-"):
            message.stop()
            message.input.select_on_focus = True  # typing on its row may have turned it off
            self._typed(message.input, leaving=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_field":
            return isinstance(self.screen.focused, Input)
        return True

    def action_leave_field(self) -> None:
        """Escape puts a half-typed value back, clears its refusal and leaves the text field
        for its row, so that single-letter keys work again on the same setting."""
        if self.design is not None:
            self.show(self.design)
        self.clear_reason()
        focused = self.screen.focused
        if isinstance(focused, Input) and isinstance(focused.parent, FieldRow):
            focused.parent.focus()
