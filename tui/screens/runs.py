"""`RunsScreen`: every run in the store, as a table (`e` on the main screen).

Sorted by any column (`s` moves the sort to the next column, `S` turns it round, or a click
on a header), filtered by dataset (`f` steps through the datasets present), `space` selects up
to six runs to overlay on the charts, `o` opens a run's design in the editor to train it again,
`d` deletes a run (asks first). `escape` goes back, with the runs selected overlaid. A
terminal too narrow for every column drops whole columns, the least useful first (`fitting`),
and the title says which: no header or cell is ever cut.

The rows are read in a thread worker (`Host.read_runs`): a store that another process is
writing to may keep SQLite waiting, and the keys must not wait with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from engine import RunRow
from tui.controller.compare import MAX_CURVES
from tui.screens.runs_columns import COLUMNS, SELECTED_MARK, arranged, fitting
from tui.widgets.key_bar import KeyBar

MAX_SELECTED = MAX_CURVES - 1  # the live run takes one marker
SCROLLBAR = 2  # the table's vertical scrollbar, when the rows overflow
__all__ = ["COLUMNS", "RunsScreen"]


class Host(Protocol):
    """What the screen needs from the app (`tui.run_desk.RunDesk`)."""

    def read_runs(self) -> list[RunRow]: ...  # blocking: called in a worker
    def delete_run(self, run_id: int) -> None: ...  # blocking: called in a worker
    def ask(self, question: str, on_yes: Callable[[], None]) -> None: ...
    def open_run(self, row: RunRow) -> None: ...
    def chosen(self, ids: list[int]) -> None: ...


class RunsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "back", key_display="esc",
                tooltip="back to the main screen, the runs selected overlaid on the charts"),
        Binding("space", "select", "select", tooltip="select the run to overlay, or not"),
        Binding("s", "sort", "sort", tooltip="sort by the next column"),
        Binding("S", "reverse", "reverse", tooltip="turn the sort round"),
        Binding("f", "filter", "dataset", tooltip="show one dataset's runs, then the next's"),
        Binding("o", "open", "open design", tooltip="open the run's design in the editor"),
        Binding("d", "delete", "delete", tooltip="delete the run (asks first)"),
        Binding("c", "clear", "clear", tooltip="select none: the charts show the live run alone"),
    ]

    def __init__(self, host: Host, selected: Sequence[int], store_name: str) -> None:
        super().__init__()
        self.host = host
        self.selected: list[int] = list(selected)
        self.store_name = store_name
        self.rows: list[RunRow] | None = None  # None until read
        self.shown: list[RunRow] = []
        self.sort_column, self.descending = 0, True
        self.dataset: str | None = None
        self.columns: list[int] = list(range(len(COLUMNS)))  # those shown, as fit the width

    def compose(self) -> ComposeResult:
        yield Static("", id="runs-title")
        table: DataTable[Text | str] = DataTable(id="runs-table", cursor_type="row",
                                                  zebra_stripes=True)
        yield table
        yield KeyBar(id="runs-keys")

    def on_mount(self) -> None:
        self.table = self.query_one(DataTable)
        self.title_line = self.query_one("#runs-title", Static)
        self.title_line.update(f"runs in {self.store_name}: reading…")
        self.table.focus()
        self.reload()

    # -- reading ------------------------------------------------------------------------------
    def reload(self) -> None:
        self.run_worker(self.host.read_runs, name="read-runs", group="runs", thread=True,
                        exclusive=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "runs":
            return
        event.stop()
        if event.state == WorkerState.SUCCESS and worker.name == "read-runs":
            self.rows = worker.result
            known = {row.id for row in self.rows}
            self.selected = [run_id for run_id in self.selected if run_id in known]
            if self.dataset is not None and self.dataset not in self.datasets:
                self.dataset = None
            self.redraw()
        elif event.state == WorkerState.SUCCESS:  # a deletion: read again
            self.reload()
        elif event.state == WorkerState.ERROR:
            self.title_line.update(f"✗ {worker.error}")

    def on_resize(self) -> None:
        self.redraw()

    @property
    def rows_by_id(self) -> dict[int, RunRow]:
        return {row.id: row for row in self.rows or ()}

    @property
    def datasets(self) -> list[str]:
        return sorted({row.dataset for row in self.rows or ()})

    # -- drawing --------------------------------------------------------------------------------
    def redraw(self) -> None:
        if self.rows is None:
            return
        table, keep = self.table, self.current
        self.shown = arranged(self.rows, self.sort_column, self.descending, self.dataset)
        table.clear(columns=True)
        arrow = "↓" if self.descending else "↑"
        overflow = len(self.shown) + 1 > table.size.height  # a scrollbar takes its columns
        self.columns = fitting(self.shown, self.size.width - (SCROLLBAR if overflow else 0),
                               self.sort_column)
        for i in self.columns:
            column = COLUMNS[i]
            header = column.header + (f" {arrow}" if i == self.sort_column else "")
            table.add_column(Text(header, justify="right" if column.right else "left"),
                             key=str(i))
        for row in self.shown:
            table.add_row(self._id_cell(row), *(
                Text(COLUMNS[i].text(row), justify="right" if COLUMNS[i].right else "left")
                for i in self.columns[1:]), key=str(row.id))
        if keep is not None and keep.id in {row.id for row in self.shown}:
            table.move_cursor(row=[row.id for row in self.shown].index(keep.id))
        self._title()

    def _title(self) -> None:
        rows = self.rows or []
        which = f"dataset {self.dataset}" if self.dataset else "every dataset"
        sort = COLUMNS[self.sort_column].header
        text = (f"runs in {self.store_name}: {len(self.shown)} of {len(rows)} ({which}), "
                f"by {sort} {'↓' if self.descending else '↑'}, "
                f"{len(self.selected)} selected to overlay (at most {MAX_SELECTED})")
        hidden = [column.header for i, column in enumerate(COLUMNS) if i not in self.columns]
        if hidden:
            text += f"; {', '.join(hidden)} hidden (a wider terminal shows them)"
        if not rows:
            text = (f"runs in {self.store_name}: none yet. Every run trained here, with "
                    "nn-tui train or a sweep is listed.")
        self.title_line.update(text)

    @property
    def current(self) -> RunRow | None:
        if not self.shown or self.table.cursor_row < 0:
            return None
        return self.shown[min(self.table.cursor_row, len(self.shown) - 1)]

    # -- keys -----------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.host.chosen(list(self.selected))
        self.dismiss()

    def action_select(self) -> None:
        row = self.current
        if row is None:
            return
        if row.id in self.selected:
            self.selected.remove(row.id)
        elif len(self.selected) >= MAX_SELECTED:
            self.notify(f"at most {MAX_SELECTED} runs overlaid: unselect one first",
                        severity="warning")
            return
        else:
            self.selected.append(row.id)
        self.table.update_cell(str(row.id), "0", self._id_cell(row))
        self._title()

    def _id_cell(self, row: RunRow) -> Text:
        """The run's id, after the mark of a run selected to overlay."""
        mark = SELECTED_MARK if row.id in self.selected else " "
        return Text(f"{mark} {row.id}", justify="right")

    def action_clear(self) -> None:
        self.selected = []
        self.redraw()

    def action_sort(self) -> None:
        self.sort_column = (self.sort_column + 1) % len(COLUMNS)
        self.redraw()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.redraw()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        if event.column_key.value is None:
            return
        column = int(event.column_key.value)
        if column == self.sort_column:
            self.descending = not self.descending
        self.sort_column = column
        self.redraw()

    def action_filter(self) -> None:
        names = [None, *self.datasets]
        self.dataset = names[(names.index(self.dataset) + 1) % len(names)]
        self.redraw()

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.host.chosen(list(self.selected))
            self.dismiss()
            self.host.open_run(row)

    def action_delete(self) -> None:
        row = self.current
        if row is None:
            return
        if row.status == "running":
            self.notify(f"run {row.id} is still running", severity="warning")
            return

        def delete() -> None:
            if row.id in self.selected:
                self.selected.remove(row.id)
            self.run_worker(lambda: self.host.delete_run(row.id), name="delete", group="runs",
                            thread=True, exit_on_error=False)

        self.host.ask(f"Delete run {row.id} ({row.dataset} {row.layers}, {row.optimizer} "
                      f"lr {row.lr:g}) and its epochs?", delete)
