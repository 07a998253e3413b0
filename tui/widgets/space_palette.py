"""`css_palette`: the input-space views' `Palette` built from the widget's component styles in
app.tcss, each colour blended over the panel's background: a class's region in tones from unsure
to sure, a unit's value on a ramp through the background, points lifted towards the text colour.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from textual.color import Color

from tui.render_space import LEVELS, Palette

CLASS_COLOURS = 8  # input-space--class-0 .. -7 in app.tcss; more classes reuse them
REGION_TONES = (0.22, 0.36, 0.5, 0.64)  # a class's colour over the background, unsure to sure
RAMP_TONES = (0.8, 0.55, 0.35, 0.15)  # a unit's value, strongest first
POINT_LIFT = 0.35  # points are their class's colour moved this far towards the text colour


def css_palette(component_style: Callable[[str], Style], background: Color,
                text: Color) -> Palette:
    """The palette from `component_style` (a component class's name -> its rich style), blended
    over `background`; `text` stands in for a colour the CSS leaves out."""

    def style(name: str) -> Style:  # the component's colour and attributes, no background
        return _foreground(component_style(name))

    classes = [_colour(style(f"input-space--class-{k}").color, text)
               for k in range(CLASS_COLOURS)]
    negative = _colour(style("input-space--negative").color, text)
    positive = _colour(style("input-space--positive").color, text)
    palette = Palette(
        tones=tuple(tuple(background.blend(c, t).rich_color for t in REGION_TONES)
                    for c in classes),
        ramp=(*(background.blend(negative, t).rich_color for t in RAMP_TONES),
              background.rich_color,
              *(background.blend(positive, t).rich_color for t in reversed(RAMP_TONES))),
        points=tuple(style(f"input-space--class-{k}") + _lifted(c, text)
                     for k, c in enumerate(classes)),
        swatches=tuple(style(f"input-space--class-{k}") for k in range(CLASS_COLOURS)),
        axis=style("input-space--axis"), header=style("input-space--header"),
        muted=style("input-space--muted"), line=style("input-space--line"),
        wrong=style("input-space--wrong"), selected=style("input-space--selected"),
    )
    assert len(REGION_TONES) == LEVELS
    return palette


def _colour(rich_colour: object, fallback: Color) -> Color:
    return Color.from_rich_color(rich_colour) if rich_colour is not None else fallback


def _foreground(style: Style) -> Style:
    """`style` without its background: drawn over a region, the region stays."""
    return Style(color=style.color, bold=style.bold, italic=style.italic,
                 underline=style.underline, reverse=style.reverse)


def _lifted(colour: Color, text: Color) -> Style:
    return Style(color=colour.blend(text, POINT_LIFT).rich_color, bold=True)
