"""The digit viewer's draw-mode key table (`DigitViewer`): the cursor, ink 0-9, strokes, the
brush, toggle, clear, invert and done, each with the footer's label and the help's tooltip.
`DigitViewer.check_action` enables them only in draw mode, so elsewhere the keys reach the app.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

_MOVE = Binding.Group("move", compact=True)
DRAW_ACTIONS = frozenset({"move_cursor", "paint", "toggle_pixel", "clear_canvas",
                          "invert_canvas", "leave_draw_mode", "stroke", "cycle_brush"})

# The vi letters are bindings of their own, so the help lists them beside the arrows.
DRAW_BINDINGS: list[BindingType] = [
    Binding("up", "move_cursor(-1, 0)", "up", key_display="↑", group=_MOVE),
    Binding("k", "move_cursor(-1, 0)", "up", show=False),
    Binding("down", "move_cursor(1, 0)", "down", key_display="↓", group=_MOVE),
    Binding("j", "move_cursor(1, 0)", "down", show=False),
    Binding("left", "move_cursor(0, -1)", "left", key_display="←", group=_MOVE),
    Binding("h", "move_cursor(0, -1)", "left", show=False),
    Binding("right", "move_cursor(0, 1)", "right", key_display="→", group=_MOVE),
    Binding("l", "move_cursor(0, 1)", "right", show=False),
    *(Binding(str(d), f"paint({d})", "ink (moves right)", show=d == 9, key_display="0-9",
              tooltip="ink 0 (none) to 9 (full) at the cursor, then move right")
      for d in range(10)),
    *(Binding(key, f"stroke({dr}, {dc})", "stroke", show=key == "shift+right",
              key_display="⇧←↑↓→" if key == "shift+right" else None,
              tooltip="draw a line: ink under the brush as the cursor moves (H J K L too)")
      for key, dr, dc in (("shift+up", -1, 0), ("K", -1, 0), ("shift+down", 1, 0),
                          ("J", 1, 0), ("shift+left", 0, -1), ("H", 0, -1),
                          ("shift+right", 0, 1), ("L", 0, 1))),
    Binding("b", "cycle_brush", "brush", tooltip="the brush's size: 1, 2 or 3 pixels"),
    Binding("space", "toggle_pixel", "toggle"),
    Binding("c", "clear_canvas", "clear"),
    Binding("i", "invert_canvas", "invert"),
    Binding("escape,d", "leave_draw_mode", "done"),
]
