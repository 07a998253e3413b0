"""Reading back what the app has drawn, as a person would see it: a widget's lines or the whole
screen's, as plain text."""

from __future__ import annotations

import re

from textual.app import App
from textual.geometry import Region
from textual.widget import Widget


def widget_lines(widget: Widget) -> list[str]:
    """The widget's lines as last drawn, border and all."""
    width, height = widget.outer_size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def screen_lines(app: App) -> list[str]:
    """Every line of the screen as it is drawn now (dialogs and all)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")


def numbers_in(text: str) -> list[str]:
    """The numbers a person reads in `text` (0.974, 60, 1,257 reads as 1 and 257)."""
    return NUMBER.findall(text)


def region_lines(app: App, widget: Widget) -> list[str]:
    """The part of the screen a widget covers, children and all, as a person sees it."""
    region = widget.region
    lines = screen_lines(app)[region.y:region.bottom]
    return [line[region.x:region.right] for line in lines]


def inside(lines: list[str]) -> list[str]:
    """A bordered widget's lines without its border (the first and last line and column)."""
    return [line[1:-1] for line in lines[1:-1]]
