"""One training step for one sample, stage by stage: the sample, the forward pass layer by layer,
the loss, the backward pass from the output back (dL/da, δ = dL/dz, dW, db), and the update
(the weights before and after, the loss before and after). Each stage shows its formulas and the
real numbers of an `engine.StepTrace` (on a copy of the weights, updated by the rule of the
optimizer the run is configured with: plain SGD, momentum, Nesterov, RMSProp, Adam): nothing here
computes a number of the step; only the products the chain rule spells out beside the engine's
result, and a big layer's change summed up as norms.

For the tutorial's 2-2-1 network every unit, weight and bias has the tutorial's name (h1, h2,
o1, w1..w6, b1..b3), each unit's equation is written out with its numbers, and every partial
derivative dL/dw1 .. dL/db3 is shown with the chain rule that gives it (`tutorial_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rich.cells import cell_len
from rich.text import Text

from engine import StepTrace, TracedLayer
from tui.inside.forward_rows import FULL, layer_rows, unit_names, values_lines
from tui.inside.glyphs import Palette, plain
from tui.inside.tutorial_lines import (
    factor,
    param_values,
    tutorial_backward,
    tutorial_forward,
    tutorial_params,
)
from tui.numbers import step_number

num = step_number

MAX_LABEL = 30  # a longer formula stands on its own line above its numbers
SYMBOLS = {"m_hat": "m̂", "v_hat": "v̂"}  # how an update rule's quantity is written
# Only the update stage shows these (as heads): Adam's long rule must not widen every label.
UPDATE_QUANTITIES = frozenset({"W_after", "b_after"})


@dataclass(frozen=True)
class Stage:
    """One stage of the step: a title (`forward, layer 1 (2 sigmoid)`), a short name for the
    trail of stages (`forward 1`) and its lines."""

    title: str
    short: str
    lines: list[Text]


def matrix_lines(label: str, values: npt.ArrayLike, name: str, label_width: int,
                 palette: Palette = plain) -> list[Text]:
    """A small matrix (up to FULL x FULL) row by row under `label`; a bigger one as its shape,
    range, mean size and largest entry (`name[i,j]`, 0-based as in the engine)."""
    grid = np.asarray(values, dtype=np.float64)
    head = Text(label.ljust(label_width) + "  ", palette("label"), no_wrap=True, end="")
    pad = " " * (label_width + 2)
    rows, cols = grid.shape
    if rows > FULL or cols > FULL:
        i, j = np.unravel_index(int(np.abs(grid).argmax()), grid.shape)
        head.append(f"({rows}, {cols}): min {num(grid.min())}, max {num(grid.max())}, "
                    f"mean |·| {num(np.abs(grid).mean())}, largest {name}[{i},{j}] = "
                    f"{num(grid[i, j])}")
        return [head]
    lines = []
    for r, row in enumerate(grid):
        line = head if r == 0 else Text(pad, no_wrap=True, end="")
        line.append("".join(num(v).rjust(10) for v in row))
        lines.append(line)
    return lines


def what_if(sample: str) -> str:
    """Which sample a traced step learns from, and that the run itself never takes it."""
    if sample.startswith("test sample"):
        return ("It is a test sample: the real training never steps on it; this is a what-if "
                "step, on a copy of the weights (the model itself is not changed).")
    return "A what-if step, on a copy of the weights: the model itself is not changed."


def step_stages(trace: StepTrace, width: int, output_names: Sequence[str] | None = None,
                palette: Palette = plain, sample: str = "") -> list[Stage]:
    """Every stage of `trace`, in the order of the step; `sample` says which sample it is
    ("test sample 23 (true 3)")."""
    layers = trace.layers
    label_width = max(len(formula) for layer in layers for quantity, formula in layer.formulas
                      if len(formula) <= MAX_LABEL and quantity not in UPDATE_QUANTITIES)
    names = trace.names
    units = [unit_names(names, layer.index, layer.z.shape[1],
                        output_names if layer is layers[-1] else None) for layer in layers]
    inputs = [names.input(i) for i in range(trace.x.shape[1])]

    def values(label: str, data: npt.ArrayLike, labels: Sequence[str]) -> list[Text]:
        return values_lines(label, data, labels, label_width, width, palette)

    def note(text: str) -> Text:
        return Text(text, palette("muted"))

    stages = [Stage("the sample", "sample", [
        *values("x = a0", trace.x[0], inputs),
        *values("y (target)", trace.y[0], units[-1]),
        note(f"one step of {trace.rule.title} (as this run is configured), learning rate "
             f"lr = {trace.lr:g}, on {sample or 'this one sample'} alone (n = 1). "
             + what_if(sample)),
    ])]
    for layer, labels in zip(layers, units):
        L = layer.index + 1
        lines = layer_rows([(layer.formula("z"), layer.z[0]), (layer.formula("a"), layer.a[0])],
                           labels, label_width, width, palette)
        if names.is_tutorial:
            lines += tutorial_forward(trace, layer)
        stages.append(Stage(f"forward, layer {L} ({len(labels)} {layer.activation})",
                            f"forward {L}", lines))
    stages.append(Stage("the loss", "loss", [
        *layer_rows([(f"a{len(layers)} (output)", trace.output[0]), ("y (target)", trace.y[0])],
                    units[-1], label_width, width, palette),
        Text(f"{trace.loss_formula}  =  {num(trace.loss_before)}", palette("label")),
    ]))
    for layer, labels in zip(reversed(layers), reversed(units)):
        L = layer.index + 1
        formulas = dict(layer.formulas)
        rows: list[tuple[str, npt.ArrayLike]] = [(formulas["db"], layer.db)]
        if layer.dL_da is not None:  # dL/da, then δ by the activation's slope
            rows[:0] = [(formulas["dL_da"], layer.dL_da[0]), (formulas["delta"], layer.delta[0])]
            lines = []
        else:  # a loss fused with its activation hands δ over itself
            rows[:0] = [(f"δ{L} = dL/dz{L}", layer.delta[0])]
            lines = [note(formulas["delta"])]
        lines += layer_rows(rows, labels, label_width, width, palette)
        lines += matrix_lines(formulas["dW"], layer.dW, f"dW{L}", label_width, palette)
        if names.is_tutorial:
            lines += tutorial_backward(trace, layer)
        stages.append(Stage(f"backward, layer {L} (δ = dL/dz)", f"backward {L}", lines))
    stages.append(Stage("the update", "update", update_lines(trace, label_width, palette)))
    return stages


def rule_lines(trace: StepTrace, palette: Palette = plain) -> list[Text]:
    """The optimizer's update in symbols and with this step's numbers, and where its state
    (velocity, moments) comes from."""
    rule = trace.rule
    lines = [Text(f"the update: {rule.title}, as this run is configured", palette("header"))]
    numbers = rule.numbers(trace.settings, trace.lr, trace.t)
    width = max(cell_len(formula.format(p="W", g="dW")) for formula in rule.formulas)
    for formula, filled in zip(rule.formulas, numbers):
        lines.append(Text(f"  {_ljust(formula.format(p='W', g='dW'), width)}    "
                          f"{filled.format(p='W', g='dW')}", palette("label"), no_wrap=True))
    if rule.state and trace.from_run:
        held = " and ".join(rule.state)
        steps = f" (this step's t = {trace.t})" if rule.name == "adam" else ""
        lines.append(Text(
            f"{held} start from the run's own, as its last epoch left them{steps}: this is the "
            "step the run would take next on this sample alone. They carry on when enter steps "
            "again past the update.", palette("muted")))
    elif rule.state:
        held = " and ".join(rule.state)
        lines.append(Text(
            f"step t = {trace.t} of this walk: {held} start at 0 on its first step (the run's "
            "own are read only while no epoch runs, or it has taken no step yet) and carry on "
            "when enter steps again past the update.", palette("muted")))
    return lines


def update_lines(trace: StepTrace, label_width: int, palette: Palette = plain) -> list[Text]:
    """The optimizer's rule, each layer's W and b before and after it (with the rule's m, v
    ... where it has some), then the loss before and after (the same sample through the
    updated weights)."""
    lines = rule_lines(trace, palette)
    names, shown = trace.names, trace.rule.shown
    if names.is_tutorial:
        for layer in trace.layers:
            for kind, i, j in tutorial_params(layer):
                name = names.weight(layer.index, i, j) if kind == "W" else names.bias(
                    layer.index, j)
                before, grad, after = param_values(layer, kind, i, j)
                if not shown:
                    lines.append(Text(f"{name:<3} {num(before):>9} − {trace.lr:g}·"
                                      f"{factor(grad)} = {num(after)}", no_wrap=True))
                    continue
                update = layer.W_update if kind == "W" else layer.b_update
                where = (i, j) if kind == "W" else (j,)
                parts = "  ".join(f"{SYMBOLS.get(q, q)} = {num(update[q][where])}"
                                  for q in shown)
                lines.append(Text(f"{name:<3} {num(before):>9}  dL/d{name} = {num(grad)}  "
                                  f"{parts}  → {num(after)}", no_wrap=True))
    else:
        for layer in trace.layers:
            lines += layer_update_lines(layer, label_width, palette, shown)
    change = trace.loss_after - trace.loss_before
    lines.append(Text(f"loss on this sample  {num(trace.loss_before)} → {num(trace.loss_after)}"
                      f"  ({'+' if change >= 0 else '−'}{num(abs(change))})", palette("label")))
    return lines


def layer_update_lines(layer: TracedLayer, label_width: int, palette: Palette = plain,
                       shown: Sequence[str] = ()) -> list[Text]:
    """A small layer's W and b before and after, and the rule's `shown` quantities (m, v ...)
    for each; a big one's change in sum: |ΔW| against |W| and its biggest single change, with
    the rule's quantities for that weight."""
    L = layer.index + 1
    if max(layer.W_before.shape) <= FULL:
        lines = [*matrix_lines(f"W{L} before", layer.W_before, f"W{L}", label_width, palette),
                 *matrix_lines(f"W{L} after", layer.W_after, f"W{L}", label_width, palette),
                 *values_lines(f"b{L} before", layer.b_before, [], label_width, 10_000, palette),
                 *values_lines(f"b{L} after", layer.b_after, [], label_width, 10_000, palette)]
        for q in shown:
            symbol = SYMBOLS.get(q, q)
            lines += matrix_lines(f"{symbol} of W{L}", layer.W_update[q], symbol, label_width,
                                  palette)
            lines += values_lines(f"{symbol} of b{L}", layer.b_update[q], [], label_width,
                                  10_000, palette)
        return lines
    change = layer.W_after - layer.W_before
    size, moved = float(np.linalg.norm(layer.W_before)), float(np.linalg.norm(change))
    i, j = np.unravel_index(int(np.abs(change).argmax()), change.shape)
    ratio = f"{np.log10(moved / size):+.1f}" if moved > 0 and size > 0 else "-"
    head = _ljust(layer.formula("W_after"), label_width) + "  "
    lines = [Text(head + f"|ΔW{L}| = {num(moved)} of |W{L}| = {num(size)} (log10 ratio "
                  f"{ratio}); the biggest change W{L}[{i},{j}] {num(layer.W_before[i, j])} → "
                  f"{num(layer.W_after[i, j])}", palette("label"))]
    if shown:
        parts = ", ".join(f"{SYMBOLS.get(q, q)} = {num(layer.W_update[q][i, j])}" for q in shown)
        lines.append(Text(" " * cell_len(head) + f"at W{L}[{i},{j}]: dW{L} = "
                          f"{num(layer.dW[i, j])}, {parts}", palette("muted")))
    lines.append(Text(" " * cell_len(head) + f"b{L}: |Δb{L}| = "
                      f"{num(float(np.linalg.norm(layer.b_after - layer.b_before)))}",
                      palette("muted")))
    return lines


def _ljust(text: str, width: int) -> str:
    """`text` padded to `width` cells: m̂ and v̂ are two characters in one cell."""
    return text + " " * max(width - cell_len(text), 0)
