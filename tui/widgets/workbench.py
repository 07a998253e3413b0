"""`Workbench`: the grid that holds the five panels, and moving between them.

From 100x30 up every panel is on screen. Below that the workbench turns compact and shows one of
two views, "design" (editor, confusion matrix, log) or "watch" (charts, digit viewer, log);
`v` switches, and tab / shift+tab switch too when the next panel is in the other view. Which
panel belongs to which view is the `in-design` / `in-watch` classes, the layout is app.tcss.

A panel shows its content whole or not at all. Its size classes say how much room there is
(`fit_classes`): `-low` (wide but under 34 rows: the charts keep 11 rows, the log what is
left), `-short` (compact under 22 rows: the watch view has no room for the test sample, which
then hides and a hint line says so; `n` and the other sample keys show it alone, maximized, and
escape comes back). Below `MIN_SCREEN` the app cannot show anything whole: one note says the
size it needs, and everything comes back when the terminal grows.
"""

from __future__ import annotations

from typing import Any

from textual.containers import Container
from textual.events import DescendantBlur, DescendantFocus, Resize
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

MIN_WIDE = (100, 28)  # columns and rows (the screen less status line and footer)
MIN_SCREEN = (60, 18)  # the whole terminal: below this, the note instead of the panels
LOW_ROWS = 34  # a wide workbench lower than this gives the charts their minimum, not 3fr
SHORT_ROWS = 22  # a compact workbench lower than this has no room for the test sample
VIEWS = ("design", "watch")


def size_note(width: int, height: int) -> str | None:
    """What to say instead of the panels when the terminal is below MIN_SCREEN (else None)."""
    need_w, need_h = MIN_SCREEN
    if width >= need_w and height >= need_h:
        return None
    return (f"nn-tui needs at least {need_w}x{need_h};\nthis terminal is {width}x{height}.\n\n"
            "Enlarge it (or use a smaller font)\nand the app comes back.\n\nq quits.")


def fit_classes(width: int, height: int) -> set[str]:
    """The workbench's size classes for a workbench of `width` x `height` cells."""
    compact = width < MIN_WIDE[0] or height < MIN_WIDE[1]
    if compact:
        return {"-compact", *(["-short"] if height < SHORT_ROWS else [])}
    return {"-low"} if height < LOW_ROWS else set()


HINTS = ("test sample hidden (it needs 24 rows): n shows it alone, esc comes back",
         "test sample hidden (needs 24 rows): n shows it alone",
         "test sample hidden: n shows it", "n: test sample")


def hidden_hint(view: str, classes: set[str], width: int) -> str:
    """The hint line, as much of it as fits in `width`, for a view whose panel is hidden for
    lack of room ("" when none is)."""
    if view != "watch" or "-short" not in classes:
        return ""
    return next((hint for hint in HINTS if len(hint) <= width), "")


def _holds_focus(panel: Widget, focused: Widget | None) -> bool:
    """Whether `panel` is the focused widget or one of its ancestors."""
    return focused is not None and (focused is panel or panel in focused.ancestors)


class Workbench(Container):
    compact: reactive[bool] = reactive(False)
    view: reactive[str] = reactive(VIEWS[0])

    def __init__(self, *children: Widget, **options: Any) -> None:
        super().__init__(*children, **options)
        # The first view's class from the start: added by `watch_view` as the bench mounts,
        # it restyled every widget in it (about a tenth of an app start's CPU).
        self.add_class(f"-{VIEWS[0]}")

    def on_mount(self) -> None:
        self.mount(Static("", id="fit-hint"), Static("", id="size-note"))
        self._focus_before: Widget | None = None  # the focus the size note took away

    def _too_small(self, small: bool) -> None:
        """Hides the panels behind the size note, or brings them back, and the focus with
        them: hiding a widget takes its focus, and a terminal that grows back should find the
        keys going where they went."""
        if small == self.has_class("-too-small"):
            return
        if small:
            focused = self.screen.focused
            self._focus_before = focused if focused is not None and self in focused.ancestors \
                else None
        self.set_class(small, "-too-small")
        if not small and self._focus_before is not None:
            before, self._focus_before = self._focus_before, None
            if before.is_attached and self.screen.focused is None:
                self.call_after_refresh(before.focus)

    def on_resize(self, event: Resize) -> None:
        self.compact = event.size.width < MIN_WIDE[0] or event.size.height < MIN_WIDE[1]
        classes = fit_classes(*event.size)
        for name in ("-short", "-low"):
            self.set_class(name in classes, name)
        note = size_note(*self.app.size)
        self._too_small(note is not None)
        if note is not None:
            self.query_one("#size-note", Static).update(note)
        self._show_hint()

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "-compact")
        self.app.refresh_bindings()  # `v` applies in compact views only: the key bar follows

    def watch_view(self, view: str) -> None:
        for name in VIEWS:
            self.set_class(view == name, f"-{name}")
        self._show_hint()

    def _show_hint(self) -> None:
        if not self.is_mounted or not self.query("#fit-hint"):
            return
        hint = hidden_hint(self.view, set(self.classes), self.size.width - 2)
        line = self.query_one("#fit-hint", Static)
        line.update(hint)
        line.set_class(bool(hint), "-shown")

    def on_descendant_focus(self, _: DescendantFocus) -> None:
        self._mark_focused_panel()

    def on_descendant_blur(self, _: DescendantBlur) -> None:
        self._mark_focused_panel()

    def _mark_focused_panel(self) -> None:
        """Gives the panel that holds the focus the `-focused` class (its border lights up),
        restyling that panel alone. With `:focus-within` in the CSS, Textual restyled each
        focused panel's every widget at every focus move (40-80 ms of CPU a key); no rule
        reaches inside a panel through `-focused`, so its widgets need no restyle."""
        focused = self.screen.focused
        changed = []
        for panel in self.panels:
            holds = _holds_focus(panel, focused)
            if panel.has_class("-focused") != holds:
                panel.set_class(holds, "-focused", update=False)
                changed.append(panel)
        if changed:
            self.app.stylesheet.update_nodes(changed, animate=False)

    @property
    def panels(self) -> list[Widget]:
        return [child for child in self.children if child.has_class("panel")]

    def hidden_for_room(self, panel: Widget) -> bool:
        """Whether `panel` belongs to the current view but has no room in it."""
        return panel.id == "viewer" and self.view == "watch" and self.has_class("-short")

    def shows(self, panel: Widget) -> bool:
        in_view = not self.compact or panel.has_class(f"in-{self.view}")
        return in_view and not self.hidden_for_room(panel)

    def toggle_view(self) -> None:
        self.screen.minimize()
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.focus_panel(next(p for p in self.panels if self.shows(p)))

    def reveal(self, panel: Widget) -> None:
        """Switches to a view that shows `panel` (compact only); a panel with no room in its
        view is shown alone (maximized: escape comes back)."""
        if self.compact and not panel.has_class(f"in-{self.view}"):
            self.view = next(v for v in VIEWS if panel.has_class(f"in-{v}"))
        if self.hidden_for_room(panel):
            self.screen.maximize(panel, container=False)
        elif self.screen.maximized is not None and self.screen.maximized is not panel:
            self.screen.minimize()

    def focus_panel(self, panel: Widget) -> None:
        self.reveal(panel)
        target = focus_target(panel)
        if target is not None:
            self.call_after_refresh(target.focus)

    def move(self, step: int) -> None:
        """Focuses the next (or previous) panel that can take the focus."""
        panels = [p for p in self.panels if focus_target(p) is not None]
        if not panels:
            return
        focused = self.screen.focused
        current = next((i for i, p in enumerate(panels) if _holds_focus(p, focused)), -1)
        if current == -1 and step < 0:
            current = 0
        self.focus_panel(panels[(current + step) % len(panels)])


def focus_target(panel: Widget) -> Widget | None:
    """Where the focus goes in a panel: its own choice, itself, or its first focusable child."""
    chosen = getattr(panel, "focus_target", None)
    if callable(chosen):
        return chosen()
    if panel.can_focus:
        return panel
    return next((w for w in panel.walk_children(Widget) if w.can_focus and not w.disabled), None)
