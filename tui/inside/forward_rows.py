"""One sample through the network: each layer's pre-activation z = a_prev @ W + b and activation
a = f(z), from `engine.forward_layers` (one row, on a read-only snapshot or an edited copy).

A layer of up to `FULL` units shows the numbers themselves under the units' names (h1, h2, o1
for the tutorial's 2-2-1; the class names for an output layer); a bigger one a row of signed
cells (░▓█ positive, ·•● negative, on the row's own scale) with its range, wrapped to the
width.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rich.text import Text

from engine import LayerPass, ParamNames
from tui.inside.glyphs import Palette, plain, scale_of, signed_cells
from tui.numbers import step_number

FULL = 12
MIN_COLUMN = 8  # a column of numbers is at least this wide (room for h1, a2[7], 0.7216)


def number_rows(rows: Sequence[tuple[str, npt.ArrayLike]], names: Sequence[str],
                label_width: int, width: int, palette: Palette = plain) -> list[Text]:
    """Labelled rows of numbers in shared columns under the units' `names` (when given),
    wrapped into blocks of as many columns as fit `width`."""
    texts = [[step_number(v) for v in np.asarray(values, dtype=np.float64).ravel()]
             for _, values in rows]
    column = max(MIN_COLUMN, *(len(t) + 1 for row in texts for t in row),
                 *(len(n) + 1 for n in names))
    count = max((len(row) for row in texts), default=0)
    per_block = max(1, (width - label_width - 2) // column)
    pad = " " * (label_width + 2)
    lines = []
    for start in range(0, max(count, 1), per_block):
        if names:
            header = Text(pad, no_wrap=True, end="")
            for name in names[start:start + per_block]:
                header.append(name.rjust(column), palette("header"))
            lines.append(header)
        for (label, _), row in zip(rows, texts):
            shown = label if start == 0 else ""
            line = Text(shown.ljust(label_width) + "  ", palette("label"), no_wrap=True, end="")
            line.append("".join(t.rjust(column) for t in row[start:start + per_block]))
            lines.append(line)
    return lines


def values_lines(label: str, values: npt.ArrayLike, names: Sequence[str], label_width: int,
                 width: int, palette: Palette = plain) -> list[Text]:
    """`label` and the values: numbers under their names (up to FULL), else wrapped cells."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    if flat.size <= FULL:
        return number_rows([(label, flat)], names, label_width, width, palette)
    return cell_lines(label, flat, label_width, width, palette)


def cell_lines(label: str, flat: np.ndarray, label_width: int, width: int,
               palette: Palette = plain) -> list[Text]:
    """Many values as signed cells on the row's own scale, wrapped, then their range."""
    pad = " " * (label_width + 2)
    head = Text(label.ljust(label_width) + "  ", palette("label"), no_wrap=True, end="")
    room = max(width - label_width - 2, 8)
    scale = scale_of(flat)
    lines = []
    for start in range(0, flat.size, room):
        line = head if start == 0 else Text(pad, no_wrap=True, end="")
        line.append_text(signed_cells(flat[start:start + room], scale, 1, palette))
        lines.append(line)
    lines.append(Text(pad + f"{flat.size} values, min {step_number(flat.min())}, max "
                      f"{step_number(flat.max())}", palette("muted"), no_wrap=True))
    return lines


def layer_rows(rows: Sequence[tuple[str, npt.ArrayLike]], names: Sequence[str],
               label_width: int, width: int, palette: Palette = plain) -> list[Text]:
    """A layer's rows (z and a): shared number columns for a small layer, else cells."""
    if len(names) <= FULL:
        return number_rows(rows, names, label_width, width, palette)
    return [line for label, values in rows
            for line in cell_lines(label, np.asarray(values, dtype=np.float64).ravel(),
                                   label_width, width, palette)]


def unit_names(names: ParamNames, layer: int, n_units: int,
               output_names: Sequence[str] | None = None) -> list[str]:
    """The names of a layer's units; an output layer of one unit per class takes the class
    names."""
    if output_names is not None and len(output_names) == n_units:
        return list(output_names)
    return [names.unit(layer, j) for j in range(n_units)]


def forward_lines(x: npt.ArrayLike, passes: Sequence[LayerPass], activations: Sequence[str],
                  names: ParamNames, width: int, output_names: Sequence[str] | None = None,
                  palette: Palette = plain) -> list[Text]:
    """The input, then each layer's z and a, the formulas as labels (layers counted from 1)."""
    row = np.asarray(x, dtype=np.float64).ravel()
    formulas = [(f"z{L} = a{L - 1} @ W{L} + b{L}", f"a{L} = {f}(z{L})")
                for L, f in enumerate(activations, start=1)]
    label_width = max(len("x = a0"), *(len(z) for z, _ in formulas),
                      *(len(a) for _, a in formulas))
    inputs = [names.input(i) for i in range(row.size)]
    lines = values_lines("x = a0", row, inputs, label_width, width, palette)
    for index, (step, (z_label, a_label)) in enumerate(zip(passes, formulas)):
        n_units = step.z.shape[1]
        last = index == len(passes) - 1
        units = unit_names(names, index, n_units, output_names if last else None)
        lines.append(Text(f"layer {index + 1}: {n_units} {activations[index]} unit"
                          f"{'s' if n_units != 1 else ''}", palette("header")))
        lines += layer_rows([(z_label, step.z[0]), (a_label, step.a[0])], units, label_width,
                            width, palette)
    return lines
